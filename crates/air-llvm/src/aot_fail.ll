; `air_llvm_fail(err, code, message, a, b)` for code compiled ahead of time (the JIT maps the Rust
; one in `rt.rs` instead): stores `code` in `err->code` and copies the NUL-terminated `message`
; into `err->message` (256 bytes, NUL included, truncated), replacing `{a}` and `{b}` by the
; decimal values of `a` and `b`; returns `code`. `err` may be NULL. Linked into every module that
; `aot::emit` writes, then made internal, so objects and shared libraries need only `air-rt`.

@air_llvm_fail.decimal = private unnamed_addr constant [5 x i8] c"%lld\00"

declare i32 @snprintf(ptr, i64, ptr, ...) nounwind

define i32 @air_llvm_fail(ptr %err, i32 %code, ptr %msg, i64 %a, i64 %b) nounwind {
entry:
  %no_err = icmp eq ptr %err, null
  br i1 %no_err, label %ret, label %set

set:
  store i32 %code, ptr %err, align 4
  %buf = getelementptr inbounds i8, ptr %err, i64 4
  br label %loop

loop:                                   ; %p: the next message byte; %n: bytes written
  %p = phi ptr [ %msg, %set ], [ %p.char, %copy ], [ %p.num, %number ]
  %n = phi i64 [ 0, %set ], [ %n.char, %copy ], [ %n.num, %number ]
  %full = icmp uge i64 %n, 255
  br i1 %full, label %end, label %read

read:
  %c = load i8, ptr %p, align 1
  %eos = icmp eq i8 %c, 0
  br i1 %eos, label %end, label %brace

brace:                                  ; '{'
  %open = icmp eq i8 %c, 123
  br i1 %open, label %which, label %copy

which:                                  ; 'a' or 'b'
  %p1 = getelementptr inbounds i8, ptr %p, i64 1
  %c1 = load i8, ptr %p1, align 1
  %is_a = icmp eq i8 %c1, 97
  %is_b = icmp eq i8 %c1, 98
  %ab = or i1 %is_a, %is_b
  br i1 %ab, label %close, label %copy

close:                                  ; '}'
  %p2 = getelementptr inbounds i8, ptr %p, i64 2
  %c2 = load i8, ptr %p2, align 1
  %closed = icmp eq i8 %c2, 125
  br i1 %closed, label %number, label %copy

number:
  %v = select i1 %is_a, i64 %a, i64 %b
  %dst = getelementptr inbounds i8, ptr %buf, i64 %n
  %room = sub i64 256, %n
  %len = call i32 (ptr, i64, ptr, ...) @snprintf(ptr %dst, i64 %room, ptr @air_llvm_fail.decimal, i64 %v)
  %len64 = sext i32 %len to i64
  %neg = icmp slt i64 %len64, 0
  %len0 = select i1 %neg, i64 0, i64 %len64
  %most = sub i64 255, %n
  %over = icmp ugt i64 %len0, %most
  %wrote = select i1 %over, i64 %most, i64 %len0
  %n.num = add i64 %n, %wrote
  %p.num = getelementptr inbounds i8, ptr %p, i64 3
  br label %loop

copy:
  %dstc = getelementptr inbounds i8, ptr %buf, i64 %n
  store i8 %c, ptr %dstc, align 1
  %n.char = add i64 %n, 1
  %p.char = getelementptr inbounds i8, ptr %p, i64 1
  br label %loop

end:
  %dste = getelementptr inbounds i8, ptr %buf, i64 %n
  store i8 0, ptr %dste, align 1
  br label %ret

ret:
  ret i32 %code
}
