//! LLVM IR generation: one LLVM function per AIR function, with the C ABI of
//! `docs/llvm-backend.md`.
//!
//! Run-time values are [`Val`]s: a strided buffer (data pointer, extents and strides as SSA
//! values, strides in elements) or, for rank-0 results computed outside loops, a register. Views
//! are new `Val`s over the same data. Every heap buffer a region allocates has a *slot* (an
//! `alloca` holding the pointer, NULL when free): the region frees its slots when it exits, and
//! the function's error exit frees every slot, so an error anywhere leaks nothing.

mod control;
mod desc;
mod elem;
mod entry;
mod fail;
mod group;
mod loops;
mod parallel;
mod raw;
mod reduce;
mod region;
mod rows;
mod runtime;
mod view;
mod wide;

use std::collections::HashMap;

use air_ir::{Atom, Code, DType, Diagnostic, Dim, Function};
use inkwell::attributes::{Attribute, AttributeLoc};
use inkwell::basic_block::BasicBlock;
use inkwell::builder::{Builder, BuilderError};
use inkwell::context::Context;
use inkwell::module::{Linkage, Module};
use inkwell::types::{BasicType, BasicTypeEnum, StructType};
use inkwell::values::{
    BasicMetadataValueEnum, BasicValueEnum, FunctionValue, IntValue, PointerValue,
};
use inkwell::AddressSpace;
use inkwell::IntPredicate;

pub(crate) use region::generate_module;

/// A code generation failure: a construct the generator cannot handle (E0505) or a bug (E0509: an
/// LLVM builder error, a broken invariant). Never a problem of the run-time inputs, which
/// generated code reports itself.
#[derive(Debug)]
pub(crate) struct CgError {
    /// The code to report.
    pub code: Code,
    /// What went wrong.
    pub message: String,
}

impl From<BuilderError> for CgError {
    fn from(e: BuilderError) -> CgError {
        CgError {
            code: Code::Internal,
            message: format!("LLVM builder error: {e}"),
        }
    }
}

impl CgError {
    /// An E0505 error.
    pub fn unsupported(message: impl Into<String>) -> CgError {
        CgError {
            code: Code::Unsupported,
            message: message.into(),
        }
    }

    /// An E0509 error: an invariant of the generator does not hold (a bug).
    pub fn internal(message: impl Into<String>) -> CgError {
        CgError {
            code: Code::Internal,
            message: message.into(),
        }
    }

    /// The error as a diagnostic about function `f`.
    pub fn into_diagnostic(self, f: &str) -> Diagnostic {
        let mut d = Diagnostic::new(self.code, self.message);
        d.function = Some(f.to_string());
        d
    }
}

/// Results of code generation.
pub(crate) type R<T> = Result<T, CgError>;

/// A run-time tensor value.
#[derive(Clone, Debug)]
pub(crate) enum Val<'ctx> {
    /// A strided buffer.
    Buf(Buf<'ctx>),
    /// A rank-0 value in a register (bool as `i1`).
    Reg(BasicValueEnum<'ctx>),
}

/// A strided view of memory.
#[derive(Clone, Debug)]
pub(crate) struct Buf<'ctx> {
    /// The first element.
    pub data: PointerValue<'ctx>,
    /// One extent per axis.
    pub shape: Vec<IntValue<'ctx>>,
    /// One stride per axis, in elements (may be 0 or negative).
    pub strides: Vec<IntValue<'ctx>>,
    /// Known at compile time to be C-contiguous.
    pub contig: bool,
    /// Memory this function allocated (never a view of a parameter or of a constant).
    pub fresh: bool,
}

impl<'ctx> Buf<'ctx> {
    /// True when every stride is the constant 0: one element read everywhere.
    pub fn invariant(&self) -> bool {
        self.strides
            .iter()
            .all(|s| s.get_zero_extended_constant() == Some(0))
    }
}

/// The module-wide state: the LLVM context and module, common types and helper declarations.
pub(crate) struct ModGen<'ctx, 'a> {
    /// The LLVM context.
    pub c: &'ctx Context,
    /// The LLVM module being generated.
    pub m: Module<'ctx>,
    /// The AIR module.
    pub air: &'a air_ir::Module,
    /// Its functions by name (the first of two with one name): a call finds its callee in
    /// constant time, so codegen stays linear in calls and functions.
    by_name: HashMap<&'a str, &'a Function>,
    /// `air_tensor`: `{ ptr data, ptr shape, ptr strides, i32 rank, i32 dtype }`.
    pub tensor_ty: StructType<'ctx>,
    /// `target-cpu` and `target-features` attributes for every function.
    fn_attrs: Vec<Attribute>,
    strings: std::cell::RefCell<HashMap<String, PointerValue<'ctx>>>,
    /// Threads for large loop nests and runtime ops (`Options::threads`; 0 = every core).
    pub threads: i64,
    /// Loop nests of more iterations than this are split across threads.
    pub parallel_threshold: i64,
    /// Loop functions outlined so far (for their names).
    outlined: std::cell::Cell<u32>,
    /// The function each part of a split function comes from (`crate::split`): messages name
    /// the original.
    origins: HashMap<String, String>,
}

impl<'ctx, 'a> ModGen<'ctx, 'a> {
    /// A generator for `air` into a fresh LLVM module.
    pub fn new(c: &'ctx Context, air: &'a air_ir::Module, cpu: &str, features: &str) -> Self {
        let m = c.create_module("air");
        let p = c.ptr_type(AddressSpace::default());
        let i32t = c.i32_type();
        let tensor_ty = c.struct_type(
            &[p.into(), p.into(), p.into(), i32t.into(), i32t.into()],
            false,
        );
        let kind = |name: &str| Attribute::get_named_enum_kind_id(name);
        let fn_attrs = vec![
            c.create_string_attribute("target-cpu", cpu),
            c.create_string_attribute("target-features", features),
            c.create_enum_attribute(kind("nounwind"), 0),
        ];
        let mut by_name = HashMap::with_capacity(air.functions.len());
        for f in &air.functions {
            by_name.entry(f.name.as_str()).or_insert(f);
        }
        ModGen {
            c,
            m,
            air,
            by_name,
            tensor_ty,
            fn_attrs,
            strings: Default::default(),
            threads: 0,
            parallel_threshold: crate::Options::default()
                .parallel_threshold
                .try_into()
                .unwrap_or(i64::MAX),
            outlined: Default::default(),
            origins: HashMap::new(),
        }
    }

    /// Records which function each part of a split function comes from.
    pub fn with_origins(mut self, origins: HashMap<String, String>) -> Self {
        self.origins = origins;
        self
    }

    /// The name messages give function `name`: the original's for a part of a split function.
    pub fn shown_name<'n>(&'n self, name: &'n str) -> &'n str {
        self.origins.get(name).map_or(name, String::as_str)
    }

    /// The AIR function named `name`.
    pub fn air_fn(&self, name: &str) -> Option<&'a Function> {
        self.by_name.get(name).copied()
    }

    /// Takes the thread settings from `options` (the defaults: every core, threshold about a
    /// million iterations).
    pub fn with_options(mut self, options: &crate::Options) -> Self {
        self.threads = options.threads.try_into().unwrap_or(0);
        self.parallel_threshold = options.parallel_threshold.try_into().unwrap_or(i64::MAX);
        self
    }

    /// Adds the CPU attributes to a function (MCJIT otherwise targets a generic x86-64).
    pub fn set_attrs(&self, f: FunctionValue<'ctx>) {
        for a in &self.fn_attrs {
            f.add_attribute(AttributeLoc::Function, *a);
        }
    }

    /// Marks a function whose code runs once per call (argument checks, allocation, calls of
    /// loop functions and runtime ops: no loops of its own) `optnone`: the optimiser skips it
    /// and machine code comes from the fast instruction selector. That halves the compile time
    /// of small kernels and costs nanoseconds per call.
    pub fn set_straight_line(&self, f: FunctionValue<'ctx>) {
        for name in ["optnone", "noinline"] {
            let kind = Attribute::get_named_enum_kind_id(name);
            f.add_attribute(
                AttributeLoc::Function,
                self.c.create_enum_attribute(kind, 0),
            );
        }
    }

    /// The LLVM symbol of AIR function `name`: `air_fn_` and the name's one-to-one C mangling
    /// (spec 1.6), so no AIR name meets the runtime's `air_free`/`air_rt_*`/`air_llvm_fail`, nor
    /// the `.loop<k>` functions outlined from another function (mangled names have no `.`).
    pub fn symbol(name: &str) -> String {
        format!("air_fn_{}", air_ir::name::c_mangle(name))
    }

    /// The declaration (or definition) of `air_fn_<name>`.
    pub fn air_function(&self, name: &str) -> FunctionValue<'ctx> {
        let sym = ModGen::symbol(name);
        if let Some(f) = self.m.get_function(&sym) {
            return f;
        }
        let p = self.c.ptr_type(AddressSpace::default());
        let ty = self
            .c
            .i32_type()
            .fn_type(&[p.into(), p.into(), p.into()], false);
        let f = self.m.add_function(&sym, ty, None);
        self.set_attrs(f);
        f
    }

    /// An external helper function, declared once.
    pub fn helper(&self, name: &str) -> FunctionValue<'ctx> {
        if let Some(f) = self.m.get_function(name) {
            return f;
        }
        let c = self.c;
        let p = c.ptr_type(AddressSpace::default());
        let (i32t, i64t) = (c.i32_type(), c.i64_type());
        let ty = match name {
            "air_rt_alloc" => p.fn_type(&[i64t.into()], false),
            "air_free" => c.void_type().fn_type(&[p.into()], false),
            "air_rt_parallel_for" => c
                .void_type()
                .fn_type(&[p.into(), p.into(), i64t.into(), i64t.into()], false),
            _ => i32t.fn_type(
                &[p.into(), i32t.into(), p.into(), i64t.into(), i64t.into()],
                false,
            ),
        };
        self.m.add_function(name, ty, Some(Linkage::External))
    }

    /// A NUL-terminated constant string.
    pub fn string(&self, b: &Builder<'ctx>, s: &str) -> R<PointerValue<'ctx>> {
        if let Some(p) = self.strings.borrow().get(s) {
            return Ok(*p);
        }
        let g = b.build_global_string_ptr(s, "msg")?.as_pointer_value();
        self.strings.borrow_mut().insert(s.to_string(), g);
        Ok(g)
    }

    /// The type of one element in memory (bool is one byte; `f16` is LLVM `half`, `bf16` its
    /// 16 bits as `i16`, complex numbers `{re, im}` pairs, interleaved as NumPy stores them).
    pub fn mem_ty(&self, d: DType) -> R<BasicTypeEnum<'ctx>> {
        let c = self.c;
        Ok(match d {
            DType::Bool | DType::I8 | DType::U8 => c.i8_type().into(),
            DType::I16 | DType::U16 | DType::BF16 => c.i16_type().into(),
            DType::I32 | DType::U32 => c.i32_type().into(),
            DType::I64 | DType::U64 => c.i64_type().into(),
            DType::F16 => c.f16_type().into(),
            DType::F32 => c.f32_type().into(),
            DType::F64 => c.f64_type().into(),
            DType::C64 | DType::C128 => self.complex_ty(d).into(),
        })
    }

    /// `{float, float}` for `c64`, `{double, double}` for `c128` (and for any other dtype).
    pub fn complex_ty(&self, d: DType) -> StructType<'ctx> {
        let f = self.component_ty(d);
        self.c.struct_type(&[f.into(), f.into()], false)
    }

    /// The float type of a complex dtype's parts (`float` for `c64`, else `double`).
    pub fn component_ty(&self, d: DType) -> inkwell::types::FloatType<'ctx> {
        if d == DType::C64 {
            self.c.f32_type()
        } else {
            self.c.f64_type()
        }
    }

    /// The type of one element in a register (bool is `i1`; `f16` and `bf16` are `float`
    /// holding a value of the dtype: they are computed in `f32` and rounded after every op).
    pub fn reg_ty(&self, d: DType) -> R<BasicTypeEnum<'ctx>> {
        match d {
            DType::Bool => Ok(self.c.bool_type().into()),
            DType::F16 | DType::BF16 => Ok(self.c.f32_type().into()),
            DType::I8
            | DType::I16
            | DType::I32
            | DType::I64
            | DType::U8
            | DType::U16
            | DType::U32
            | DType::U64
            | DType::F32
            | DType::F64
            | DType::C64
            | DType::C128 => self.mem_ty(d),
        }
    }
}

/// The per-function state of code generation.
pub(crate) struct FnGen<'g, 'ctx, 'a> {
    /// The module-wide state.
    pub g: &'g ModGen<'ctx, 'a>,
    /// The instruction builder.
    pub b: Builder<'ctx>,
    /// The LLVM function.
    pub func: FunctionValue<'ctx>,
    /// The AIR function.
    pub air_fn: &'a Function,
    /// The entry block: allocas only, branching to the body once generation is done.
    entry: BasicBlock<'ctx>,
    /// Frees every slot and returns the error code.
    error_bb: BasicBlock<'ctx>,
    /// The `air_error *` argument.
    pub err: PointerValue<'ctx>,
    /// Heap slots of the regions being generated, innermost last.
    slot_stack: Vec<Vec<PointerValue<'ctx>>>,
    /// Every slot of the function.
    all_slots: Vec<PointerValue<'ctx>>,
    /// Buffers handed to the caller (results, unsupplied `out` params), each with a slot
    /// holding the address of the descriptor's `data` field: freed and reset on error.
    handed_out: Vec<(PointerValue<'ctx>, PointerValue<'ctx>)>,
    /// Dimension symbols bound so far.
    pub syms: HashMap<String, IntValue<'ctx>>,
    /// True once a loop is generated in the function itself (not in an outlined loop function):
    /// then the function is optimised; otherwise only its outlined loops are (see
    /// [`ModGen::set_straight_line`]).
    pub inline_loops: bool,
}

impl<'g, 'ctx, 'a> FnGen<'g, 'ctx, 'a> {
    /// Starts generating `air_fn` into its `air_<name>` function.
    pub fn new(g: &'g ModGen<'ctx, 'a>, air_fn: &'a Function) -> Self {
        let func = g.air_function(&air_fn.name);
        let entry = g.c.append_basic_block(func, "entry");
        let body = g.c.append_basic_block(func, "body");
        let error_bb = g.c.append_basic_block(func, "error");
        let b = g.c.create_builder();
        b.position_at_end(body);
        let err = func
            .get_nth_param(2)
            .map(|p| p.into_pointer_value())
            .unwrap_or_else(|| g.c.ptr_type(AddressSpace::default()).const_null());
        FnGen {
            g,
            b,
            func,
            air_fn,
            entry,
            error_bb,
            err,
            slot_stack: vec![Vec::new()],
            all_slots: Vec::new(),
            handed_out: Vec::new(),
            syms: HashMap::new(),
            inline_loops: false,
        }
    }

    /// The `n`th argument pointer (`params`, `results`).
    pub fn arg(&self, n: u32) -> PointerValue<'ctx> {
        self.func
            .get_nth_param(n)
            .map(|p| p.into_pointer_value())
            .unwrap_or_else(|| self.ptr_ty().const_null())
    }

    /// Closes the function: the entry block's slot initialisation, the error exit.
    pub fn finish(self) -> R<()> {
        let null = self.ptr_ty().const_null();
        let eb = self.g.c.create_builder();
        eb.position_at_end(self.entry);
        let handed = self.handed_out.iter().flat_map(|(a, b)| [a, b]);
        for s in self.all_slots.iter().chain(handed) {
            eb.build_store(*s, null)?;
        }
        let body = self
            .entry
            .get_next_basic_block()
            .ok_or_else(|| CgError::internal("function has no body block"))?;
        eb.build_unconditional_branch(body)?;
        eb.position_at_end(self.error_bb);
        let free = self.g.helper("air_free");
        for s in self
            .all_slots
            .iter()
            .chain(self.handed_out.iter().map(|(a, _)| a))
        {
            let p = eb.build_load(self.ptr_ty(), *s, "")?;
            eb.build_call(free, &[p.into()], "")?;
        }
        // The caller gets NULL back wherever a buffer had been handed out.
        for (_, field_slot) in &self.handed_out {
            let field = eb
                .build_load(self.ptr_ty(), *field_slot, "")?
                .into_pointer_value();
            let (set_bb, next_bb) = (
                self.g.c.append_basic_block(self.func, "reset"),
                self.g.c.append_basic_block(self.func, "next"),
            );
            let is_null = eb.build_is_null(field, "")?;
            eb.build_conditional_branch(is_null, next_bb, set_bb)?;
            eb.position_at_end(set_bb);
            eb.build_store(field, null)?;
            eb.build_unconditional_branch(next_bb)?;
            eb.position_at_end(next_bb);
        }
        let code_ptr = self.err;
        let code = eb.build_load(self.g.c.i32_type(), code_ptr, "code")?;
        eb.build_return(Some(&code))?;
        Ok(())
    }

    // ----- types and constants -------------------------------------------------------------

    /// `ptr`.
    pub fn ptr_ty(&self) -> inkwell::types::PointerType<'ctx> {
        self.g.c.ptr_type(AddressSpace::default())
    }

    /// An `i64` constant.
    pub fn i64c(&self, v: i64) -> IntValue<'ctx> {
        self.g.c.i64_type().const_int(v as u64, true)
    }

    /// An `i1` constant.
    pub fn boolc(&self, v: bool) -> IntValue<'ctx> {
        self.g.c.bool_type().const_int(u64::from(v), false)
    }

    // ----- allocas, slots and memory ---------------------------------------------------------

    /// A stack slot in the entry block.
    pub fn alloca(&self, ty: BasicTypeEnum<'ctx>, n: u32) -> R<PointerValue<'ctx>> {
        let eb = self.g.c.create_builder();
        match self.entry.get_first_instruction() {
            Some(i) => eb.position_before(&i),
            None => eb.position_at_end(self.entry),
        }
        let ty_n = if n == 1 { ty } else { ty.array_type(n).into() };
        Ok(eb.build_alloca(ty_n, "")?)
    }

    /// Starts a region: a new list of heap slots and a saved symbol scope.
    pub fn enter_region(&mut self) -> HashMap<String, IntValue<'ctx>> {
        self.slot_stack.push(Vec::new());
        self.syms.clone()
    }

    /// Ends a region: frees its heap slots and restores the symbol scope.
    pub fn exit_region(&mut self, saved: HashMap<String, IntValue<'ctx>>) -> R<()> {
        let slots = self.slot_stack.pop().unwrap_or_default();
        self.free_slots(&slots)?;
        self.syms = saved;
        Ok(())
    }

    /// Frees the given slots now and marks them free.
    fn free_slots(&self, slots: &[PointerValue<'ctx>]) -> R<()> {
        let free = self.g.helper("air_free");
        for s in slots {
            let p = self.b.build_load(self.ptr_ty(), *s, "")?;
            self.b.build_call(free, &[p.into()], "")?;
            self.b.build_store(*s, self.ptr_ty().const_null())?;
        }
        Ok(())
    }

    /// A new heap slot of the current region.
    fn new_slot(&mut self) -> R<PointerValue<'ctx>> {
        let s = self.alloca(self.ptr_ty().into(), 1)?;
        self.all_slots.push(s);
        if let Some(top) = self.slot_stack.last_mut() {
            top.push(s);
        }
        Ok(s)
    }

    /// Records a buffer handed to the caller through descriptor field `field` (its `data`):
    /// freed, and the field reset to NULL, only if the call fails.
    pub fn hand_out_buffer(&mut self, p: PointerValue<'ctx>, field: PointerValue<'ctx>) -> R<()> {
        let s = self.alloca(self.ptr_ty().into(), 1)?;
        let f = self.alloca(self.ptr_ty().into(), 1)?;
        self.b.build_store(s, p)?;
        self.b.build_store(f, field)?;
        self.handed_out.push((s, f));
        Ok(())
    }

    /// `n * size` bytes from `air_rt_alloc`, or E0508 when that fails. Not owned by a slot.
    pub fn raw_alloc(&mut self, count: IntValue<'ctx>, size: usize) -> R<PointerValue<'ctx>> {
        let (bytes, overflow) = self.mul_checked(count, self.i64c(size as i64))?;
        let zero = self.i64c(0);
        self.fail_if(
            overflow,
            Code::TooLarge,
            "tensor of {a} elements is too large",
            count,
            zero,
        )?;
        let alloc = self.g.helper("air_rt_alloc");
        let p = self.call(alloc, &[bytes.into()])?.into_pointer_value();
        let is_null = self.b.build_is_null(p, "")?;
        self.fail_if(
            is_null,
            Code::TooLarge,
            "cannot allocate {a} bytes: over the memory budget (--max-memory), the JIT's limit \
             or what the allocator grants",
            bytes,
            zero,
        )?;
        Ok(p)
    }

    /// A fresh C-contiguous buffer of `shape`, freed when the current region exits.
    pub fn alloc_buf(&mut self, d: DType, shape: &[IntValue<'ctx>]) -> R<Buf<'ctx>> {
        let count = self.count_checked(shape)?;
        let p = self.raw_alloc(count, d.size_bytes())?;
        let slot = self.new_slot()?;
        self.b.build_store(slot, p)?;
        Ok(Buf {
            data: p,
            strides: self.c_strides(shape)?,
            shape: shape.to_vec(),
            contig: true,
            fresh: true,
        })
    }

    /// A buffer for a rank-0 value, on the stack.
    pub fn scalar_buf(&mut self, d: DType, v: BasicValueEnum<'ctx>) -> R<Buf<'ctx>> {
        let p = self.alloca(self.g.mem_ty(d)?, 1)?;
        self.store_elem(d, p, v)?;
        Ok(Buf {
            data: p,
            shape: vec![],
            strides: vec![],
            contig: true,
            fresh: true,
        })
    }

    /// The value as a buffer (a register is stored on the stack).
    pub fn as_buf(&mut self, d: DType, v: &Val<'ctx>) -> R<Buf<'ctx>> {
        match v {
            Val::Buf(b) => Ok(b.clone()),
            Val::Reg(r) => self.scalar_buf(d, *r),
        }
    }

    /// The value of a rank-0 tensor in a register.
    pub fn as_reg(&mut self, d: DType, v: &Val<'ctx>) -> R<BasicValueEnum<'ctx>> {
        match v {
            Val::Reg(r) => Ok(*r),
            Val::Buf(b) => self.load_elem(d, b.data),
        }
    }

    // ----- arithmetic on extents --------------------------------------------------------------

    /// C-order strides (in elements) of a shape.
    pub fn c_strides(&self, shape: &[IntValue<'ctx>]) -> R<Vec<IntValue<'ctx>>> {
        let mut strides = vec![self.i64c(1); shape.len()];
        for k in (0..shape.len().saturating_sub(1)).rev() {
            strides[k] = self.mul(Some(strides[k + 1]), shape[k + 1])?;
        }
        Ok(strides)
    }

    /// The product of extents (no overflow check: the extents of existing buffers).
    pub fn count(&self, shape: &[IntValue<'ctx>]) -> R<IntValue<'ctx>> {
        let mut n = None;
        for &e in shape {
            n = Some(self.mul(n, e)?);
        }
        Ok(n.unwrap_or_else(|| self.i64c(1)))
    }

    /// The product of extents, E0508 when it overflows.
    pub fn count_checked(&mut self, shape: &[IntValue<'ctx>]) -> R<IntValue<'ctx>> {
        let Some((&first, rest)) = shape.split_first() else {
            return Ok(self.i64c(1));
        };
        let mut n = first;
        let mut any = self.boolc(false);
        for &e in rest {
            let (p, o) = self.mul_checked(n, e)?;
            n = p;
            any = match any.get_zero_extended_constant() {
                Some(0) => o,
                _ => self.b.build_or(any, o, "")?,
            };
        }
        let zero = self.i64c(0);
        self.fail_if(
            any,
            Code::TooLarge,
            "tensor element count overflows",
            zero,
            zero,
        )?;
        Ok(n)
    }

    /// `a * b` and whether it overflowed (signed).
    pub fn mul_checked(
        &self,
        a: IntValue<'ctx>,
        b: IntValue<'ctx>,
    ) -> R<(IntValue<'ctx>, IntValue<'ctx>)> {
        self.with_overflow("llvm.smul.with.overflow", a, b)
    }

    /// `a + b` and whether it overflowed (signed).
    pub fn add_checked(
        &self,
        a: IntValue<'ctx>,
        b: IntValue<'ctx>,
    ) -> R<(IntValue<'ctx>, IntValue<'ctx>)> {
        self.with_overflow("llvm.sadd.with.overflow", a, b)
    }

    /// An `llvm.s<op>.with.overflow.i64` intrinsic on `a` and `b`: the result and the flag.
    fn with_overflow(
        &self,
        intrinsic: &str,
        a: IntValue<'ctx>,
        b: IntValue<'ctx>,
    ) -> R<(IntValue<'ctx>, IntValue<'ctx>)> {
        let i64t = self.g.c.i64_type();
        let pair = self.intrinsic(intrinsic, &[i64t.into()], &[a.into(), b.into()])?;
        let s = pair.into_struct_value();
        let p = self.b.build_extract_value(s, 0, "")?.into_int_value();
        let o = self.b.build_extract_value(s, 1, "")?.into_int_value();
        Ok((p, o))
    }

    /// The run-time value of a dim; E0506 when it is negative.
    pub fn dim(&mut self, d: &Dim) -> R<IntValue<'ctx>> {
        let v = self.dim_unchecked(d)?;
        if d.may_be_negative() {
            let neg = self
                .b
                .build_int_compare(IntPredicate::SLT, v, self.i64c(0), "")?;
            let msg = format!("dim {d} is negative ({{a}})");
            self.fail_if(neg, Code::BadExtent, &msg, v, v)?;
        }
        Ok(v)
    }

    /// The run-time value of a dim with no sign check; E0214 (at compile time) for a symbol not
    /// bound here. The arithmetic is checked: a value that overflows i64 is E0506 naming the dim
    /// and the symbol values, never a wrapped extent.
    pub fn dim_unchecked(&mut self, d: &Dim) -> R<IntValue<'ctx>> {
        let mut total: Option<IntValue<'ctx>> = None;
        let mut overflow = self.boolc(false);
        for (mono, coef) in d.terms() {
            let mut t: Option<IntValue<'ctx>> = (*coef != 1).then(|| self.i64c(*coef));
            for (atom, pow) in mono {
                let v = match atom {
                    Atom::Sym(sym) => *self.syms.get(sym).ok_or_else(|| CgError {
                        code: Code::UnknownSymbol,
                        message: format!("dim {d} mentions symbol {sym}, which is not bound here"),
                    })?,
                    Atom::FloorDiv(inner, k) => {
                        // Floor division by k > 0: the truncating quotient, less 1 when the
                        // remainder is negative.
                        let x = self.dim_unchecked(inner)?;
                        let kv = self.i64c(*k);
                        let q = self.b.build_int_signed_div(x, kv, "")?;
                        let r = self.b.build_int_signed_rem(x, kv, "")?;
                        let neg =
                            self.b
                                .build_int_compare(IntPredicate::SLT, r, self.i64c(0), "")?;
                        let one = self.b.build_int_z_extend(neg, self.g.c.i64_type(), "")?;
                        self.b.build_int_sub(q, one, "")?
                    }
                    Atom::Max0(inner) => {
                        let x = self.dim_unchecked(inner)?;
                        let zero = self.i64c(0);
                        let neg = self.b.build_int_compare(IntPredicate::SLT, x, zero, "")?;
                        self.b.build_select(neg, zero, x, "")?.into_int_value()
                    }
                };
                for _ in 0..*pow {
                    t = Some(match t {
                        None => v,
                        Some(a) => {
                            let (p, o) = self.mul_checked(a, v)?;
                            overflow = self.or_flag(overflow, o)?;
                            p
                        }
                    });
                }
            }
            let t = t.unwrap_or_else(|| self.i64c(1));
            total = Some(match total {
                None => t,
                Some(a) => {
                    let (sum, o) = self.add_checked(a, t)?;
                    overflow = self.or_flag(overflow, o)?;
                    sum
                }
            });
        }
        if overflow.get_zero_extended_constant() != Some(0) {
            let syms = d.symbols();
            let shown: Vec<IntValue<'ctx>> = syms
                .iter()
                .take(2)
                .filter_map(|s| self.syms.get(*s).copied())
                .collect();
            let mut values: Vec<String> = syms
                .iter()
                .zip(["{a}", "{b}"])
                .map(|(s, v)| format!("{s} = {v}"))
                .collect();
            if syms.len() > 2 {
                values.push(format!("{} more", syms.len() - 2));
            }
            let msg = format!("dim {d} overflows i64 with {}", values.join(", "));
            let zero = self.i64c(0);
            let a = shown.first().copied().unwrap_or(zero);
            let b = shown.get(1).copied().unwrap_or(zero);
            self.fail_if(overflow, Code::BadExtent, &msg, a, b)?;
        }
        Ok(total.unwrap_or_else(|| self.i64c(0)))
    }

    /// `flag | o`, folding a constant false flag away.
    fn or_flag(&self, flag: IntValue<'ctx>, o: IntValue<'ctx>) -> R<IntValue<'ctx>> {
        Ok(match flag.get_zero_extended_constant() {
            Some(0) => o,
            _ => self.b.build_or(flag, o, "")?,
        })
    }

    /// `a * b`, or `b` when there is no `a` yet (no multiplications by a constant 1).
    fn mul(&self, a: Option<IntValue<'ctx>>, b: IntValue<'ctx>) -> R<IntValue<'ctx>> {
        Ok(match a {
            None => b,
            Some(a) if a.get_zero_extended_constant() == Some(1) => b,
            Some(a) if b.get_zero_extended_constant() == Some(1) => a,
            Some(a) => self.b.build_int_mul(a, b, "")?,
        })
    }

    /// The run-time extents of a shape.
    pub fn shape(&mut self, dims: &[Dim]) -> R<Vec<IntValue<'ctx>>> {
        dims.iter().map(|d| self.dim(d)).collect()
    }

    // ----- calls, intrinsics, errors ---------------------------------------------------------

    /// Calls a function and returns its value (a dummy `i32 0` for a void function).
    pub fn call(
        &self,
        f: FunctionValue<'ctx>,
        args: &[BasicMetadataValueEnum<'ctx>],
    ) -> R<BasicValueEnum<'ctx>> {
        let cs = self.b.build_call(f, args, "")?;
        Ok(cs
            .try_as_basic_value()
            .basic()
            .unwrap_or_else(|| self.g.c.i32_type().const_zero().into()))
    }

    /// Calls an LLVM intrinsic overloaded on `types`.
    pub fn intrinsic(
        &self,
        name: &str,
        types: &[BasicTypeEnum<'ctx>],
        args: &[BasicMetadataValueEnum<'ctx>],
    ) -> R<BasicValueEnum<'ctx>> {
        let f = inkwell::intrinsics::Intrinsic::find(name)
            .and_then(|i| i.get_declaration(&self.g.m, types))
            .ok_or_else(|| CgError::internal(format!("LLVM intrinsic {name} not found")))?;
        self.call(f, args)
    }

    // ----- elements in memory ------------------------------------------------------------------

    /// The address of element `offset` (in elements) of `data`.
    pub fn elem_ptr(
        &self,
        d: DType,
        data: PointerValue<'ctx>,
        offset: IntValue<'ctx>,
    ) -> R<PointerValue<'ctx>> {
        // SAFETY (of the generated code): offsets stay inside the buffer the descriptor describes.
        #[allow(unsafe_code)]
        let p = unsafe {
            self.b
                .build_in_bounds_gep(self.g.mem_ty(d)?, data, &[offset], "")?
        };
        Ok(p)
    }

    /// Loads one element (bool as `i1`, `f16`/`bf16` widened to `f32`).
    pub fn load_elem(&self, d: DType, p: PointerValue<'ctx>) -> R<BasicValueEnum<'ctx>> {
        let v = self.b.build_load(self.g.mem_ty(d)?, p, "")?;
        let c = self.g.c;
        match d {
            DType::Bool => {
                let zero = c.i8_type().const_zero();
                let t = self
                    .b
                    .build_int_compare(IntPredicate::NE, v.into_int_value(), zero, "")?;
                Ok(t.into())
            }
            DType::F16 => Ok(self
                .b
                .build_float_ext(v.into_float_value(), c.f32_type(), "")?
                .into()),
            DType::BF16 => {
                let w = self
                    .b
                    .build_int_z_extend(v.into_int_value(), c.i32_type(), "")?;
                let w = self
                    .b
                    .build_left_shift(w, c.i32_type().const_int(16, false), "")?;
                Ok(self.b.build_bit_cast(w, c.f32_type(), "")?)
            }
            DType::I8
            | DType::I16
            | DType::I32
            | DType::I64
            | DType::U8
            | DType::U16
            | DType::U32
            | DType::U64
            | DType::F32
            | DType::F64
            | DType::C64
            | DType::C128 => Ok(v),
        }
    }

    /// Stores one element (bool from `i1`, `f16`/`bf16` from `f32`, rounded to nearest even:
    /// exact for the values of the dtype that registers hold).
    pub fn store_elem(&self, d: DType, p: PointerValue<'ctx>, v: BasicValueEnum<'ctx>) -> R<()> {
        let c = self.g.c;
        let v = match d {
            DType::Bool => self
                .b
                .build_int_z_extend(v.into_int_value(), c.i8_type(), "")?
                .into(),
            DType::F16 => self
                .b
                .build_float_trunc(v.into_float_value(), c.f16_type(), "")?
                .into(),
            DType::BF16 => self.bf16_bits(v.into_float_value())?.into(),
            DType::I8
            | DType::I16
            | DType::I32
            | DType::I64
            | DType::U8
            | DType::U16
            | DType::U32
            | DType::U64
            | DType::F32
            | DType::F64
            | DType::C64
            | DType::C128 => v,
        };
        self.b.build_store(p, v)?;
        Ok(())
    }
}
