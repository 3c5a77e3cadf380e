//! The error codes: one table, one row per code, holding everything said about it (number, name,
//! title, when it is raised, by whom, an example). `Code`, `air info` and the error-code section of
//! `docs/spec.md` ([`spec_section`], checked by `tests/spec_codes.rs`) all come from it. A code's
//! number never changes meaning, and one code means one situation.

use std::fmt::Write as _;

macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = $num:literal, $title:literal,
        by $by:literal, when $when:literal, example $example:literal; )*) => {
        /// A stable error code. `E01xx`: reading; `E02xx`: types and shapes; `E03xx`: structure and
        /// handles; `E04xx`: functions, calls, regions and custom ops; `E05xx`: compiling, running
        /// and exporting.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $( $(#[$doc])* $variant, )*
        }

        impl Code {
            /// Every code, in numeric order.
            pub const ALL: &'static [Code] = &[ $( Code::$variant, )* ];

            /// The number, as in `E0203`.
            pub fn number(self) -> u16 {
                match self { $( Code::$variant => $num, )* }
            }

            /// A one-line title for the code's family of problems.
            pub fn title(self) -> &'static str {
                match self { $( Code::$variant => $title, )* }
            }

            /// The variant's name (`BadInput`).
            pub fn name(self) -> &'static str {
                match self { $( Code::$variant => stringify!($variant), )* }
            }

            /// When the code is raised: its one meaning, in full.
            pub fn raised_when(self) -> &'static str {
                match self { $( Code::$variant => $when, )* }
            }

            /// Which part of AIR raises it (reader, validator, runtime, backend, translator).
            pub fn raised_by(self) -> &'static str {
                match self { $( Code::$variant => $by, )* }
            }

            /// A short example of input that gets the code.
            pub fn example(self) -> &'static str {
                match self { $( Code::$variant => $example, )* }
            }
        }
    };
}

codes! {
    /// The text is not well formed.
    Syntax = 101, "syntax error",
        by "reader (text)",
        when "the text is not well formed: an unexpected token or character, a bad string escape, a malformed literal or attribute value",
        example "`%y = add (%x, %x` (no closing parenthesis)";
    /// An op name that is neither in the op set nor `custom`.
    UnknownOp = 102, "unknown op",
        by "reader, validator",
        when "an op name is neither an op of the module's op set version nor `custom`; the validator reports an op newer than the module's declared `opset_version`, and an op set 2 form (a `floordiv`/`max0` dim, a size parameter) in a module that declares op set 1",
        example "`%y = frobnicate (%x) : f64[n]`";
    /// An attribute is missing, unknown for the op, or of the wrong kind.
    BadAttribute = 103, "bad attribute",
        by "reader, validator",
        when "an attribute is missing, unknown for the op, given twice or of the wrong kind; a node has the wrong number of regions; `full`'s `value` is not rank 0",
        example "`%s = reduce_sum (%x) : f64` (no `axes`)";
    /// The module's `ir_version` or `opset_version` is not readable by this reader.
    UnsupportedVersion = 104, "unsupported version",
        by "reader",
        when "`ir_version` or `opset_version` is 0 or newer than the reader's (section 2)",
        example "a module that starts `air 99 opset 1`";
    /// Input exceeds a reader limit (size, element count, nesting, node count).
    LimitExceeded = 105, "limit exceeded",
        by "reader; validator (the count of problems past the cap)",
        when "the input exceeds a reader limit: input bytes, bytes of one literal, region nesting depth, nodes in a region, rank, functions, elements of an attribute list, or memory to decode protobuf or JSON (`limits.rs`, checked before decoding); an input file or `.npz` member larger than its reader allows; or a dim grows past 256 terms or degree 64 (`dim.rs`); also the last entry of a validator report with more than 100 problems, `... and N more errors`, counting those not listed (`validate::MAX_DIAGNOSTICS`)",
        example "a text module larger than the reader's input limit";
    /// A name used in the text is not defined before its use.
    UndefinedValue = 106, "undefined value",
        by "reader (text)",
        when "the text uses a value name not defined before its use in its region",
        example "`%y = neg (%z) : f64[n]` with no `%z` before it";
    /// A literal does not fit its dtype or has the wrong number of elements.
    BadLiteral = 108, "bad literal",
        by "reader",
        when "a literal element does not fit its dtype, or the element or byte count does not match the shape",
        example "a `u8[2]` literal with the elements 1 and 300";
    /// The protobuf bytes cannot be decoded, or a field is out of range.
    MalformedProtobuf = 109, "malformed protobuf",
        by "reader (protobuf)",
        when "the `.airpb` bytes cannot be decoded, or a field is out of range (an unknown enum value, a handle that does not fit)",
        example "an `.airpb` file cut off in the middle of a field";
    /// The JSON is not canonical proto-JSON of an AIR module.
    MalformedJson = 110, "malformed JSON",
        by "reader (JSON)",
        when "the input is not canonical proto-JSON of an AIR module",
        example "`{\"irVersion\": \"one\"}` read as `.air.json`";
    /// A dimension expression cannot be parsed or overflows.
    BadDim = 111, "bad dimension expression",
        by "reader; validator (overflow during inference)",
        when "a dim expression does not parse, or its arithmetic overflows `i64`",
        example "the dim `n+*2`";
    /// A name is empty, too long or contains NUL (spec section 1.6).
    BadName = 112, "bad name",
        by "reader, validator",
        when "a name (of a function, parameter, result, node, region parameter, callee, decomposition or custom-op attribute) is empty (a node name may be), longer than 1024 bytes or contains NUL, or a dim symbol of a type built in memory is not `[A-Za-z_][A-Za-z0-9_]*` (or is `nan` or `inf`); see section 1.6",
        example "an `.air.json` function whose `name` is `\"\"` or contains `\\u0000`";

    /// Operands that must share a dtype do not.
    DTypeMismatch = 201, "operand dtypes differ",
        by "validator",
        when "operands that must share a dtype do not (elementwise ops, `concat`, `einsum`, `matmul`, `insert`'s value)",
        example "`add (%a, %b)` with `%a: f32[n]` and `%b: f64[n]`";
    /// The op does not accept this dtype.
    DTypeNotAccepted = 202, "dtype not accepted",
        by "validator",
        when "an operand's dtype is outside the op's accepted class, or an index, bound or condition (the `if` operand, the `while` condition region's yield) has the wrong dtype",
        example "`sin (%k)` with `%k: i64[n]`";
    /// The contracted dims of `matmul` or `einsum` differ.
    ContractionMismatch = 203, "contracted dims differ",
        by "validator",
        when "`matmul`'s inner dims, or the dims of one `einsum` letter, differ",
        example "`matmul (%A, %B)` with `%A: f64[n, k]` and `%B: f64[m, p]`";
    /// Operands that must share a shape do not.
    ShapeMismatch = 204, "operand shapes differ",
        by "validator",
        when "operands that must share a shape do not (elementwise ops, `select`, `clip`, `filter`; `scatter` updates not shaped `indices.shape[:-1] + x.shape[k:]`)",
        example "`add (%a, %b)` with `%a: f64[n]` and `%b: f64[m]`";
    /// An axis is out of range or repeated.
    BadAxis = 205, "bad axis",
        by "validator",
        when "an axis is out of range or repeated (`axis`, `axes`, `iota`, `expand_dims`, `squeeze`, reductions, scans, `sort`, `concat`, `take`)",
        example "`reduce_sum {axes = [2]} (%x)` with `%x: f64[n, m]`";
    /// A permutation is not a permutation of the axes.
    BadPermutation = 206, "bad permutation",
        by "validator",
        when "`transpose`'s `perm` is not a permutation of the axes",
        example "`transpose {perm = [0, 0]} (%x)`";
    /// A broadcast maps dims that are neither equal nor 1, or its dims are not increasing.
    BadBroadcast = 207, "bad broadcast",
        by "validator",
        when "`broadcast`'s `dims` are the wrong length, not increasing or out of range, or map dims that are neither equal nor 1; `matmul`'s batch dims do not broadcast",
        example "`broadcast {shape = [n, 3], dims = [1]} (%x)` with `%x: f64[4]`";
    /// A reshape changes the element count.
    ReshapeCount = 208, "reshape changes the element count",
        by "validator",
        when "`reshape`'s shape has a different element count (symbolically)",
        example "`reshape {shape = [5]} (%x)` with `%x: f64[2, 3]`";
    /// A squeezed axis does not have extent 1.
    SqueezeNotOne = 209, "squeezed axis is not 1",
        by "validator",
        when "a `squeeze` axis is not the constant 1",
        example "`squeeze {axes = [0]} (%x)` with `%x: f64[n, 3]`";
    /// A slice is malformed (step 0, wrong axis count, bad bound operand).
    BadSlice = 210, "bad slice",
        by "validator",
        when "a `slice` has the wrong number of axis slices, a zero step, or an operand reference `#0`",
        example "a `slice` with step 0";
    /// Concatenated operands differ in rank or in a dim other than the axis.
    ConcatMismatch = 211, "concat operands differ",
        by "validator",
        when "`concat` operands differ in rank or in a dim other than the axis",
        example "`concat {axis = 0} (%a, %b)` with `%a: f64[n, 2]` and `%b: f64[m, 3]`";
    /// An einsum spec cannot be parsed or does not match the operands.
    BadEinsum = 212, "bad einsum spec",
        by "validator",
        when "an `einsum` spec does not parse, is not explicit, has an ellipsis, has the wrong number of terms or letters, repeats an output letter or has an output letter in no input",
        example "`einsum {spec = \"ij,j\"} (%A, %x)` (no `->`)";
    /// A node's declared result type differs from the inferred one.
    ResultTypeMismatch = 213, "declared type differs from inferred",
        by "validator",
        when "a node's declared result type differs from the inferred one, or a fresh dim is not a new symbol",
        example "`%y = neg (%x) : f32[n]` with `%x: f64[n]`";
    /// A dim mentions a symbol the function does not bind.
    UnknownSymbol = 214, "unknown dimension symbol",
        by "validator",
        when "a dim in a declared type or shape attribute mentions a symbol that is neither bound by the parameters nor a fresh dim; a result-only symbol of a function is introduced by no node",
        example "a result declared `f64[k]` where nothing binds `k`";
    /// An operand has the wrong rank for the op.
    RankMismatch = 215, "wrong rank",
        by "validator",
        when "an operand has the wrong rank for the op (`filter`, `matmul`, the index count of `extract`/`insert`)",
        example "`filter (%x, %mask)` with `%x: f64[n, m]`";
    /// An operand that must be a scalar is not.
    ExpectedScalar = 216, "expected a scalar",
        by "validator",
        when "an operand that must be rank 0 is not (indices, loop bounds, `if` condition, the value a `while` condition region yields, slice bounds, `insert`'s value)",
        example "an `if` whose condition is `bool[n]`";
    /// A shape has a negative constant dim.
    BadShape = 217, "bad shape",
        by "validator",
        when "a shape (a declared type or a shape attribute) has a negative constant dim",
        example "a parameter declared `f64[-2]`";
    /// The op got the wrong number of operands.
    Arity = 218, "wrong number of operands",
        by "validator",
        when "the node has the wrong number of operands for the op",
        example "`neg (%a, %b)`";
    /// A size parameter is not an `in` integer scalar, or its symbol is bound by another.
    BadSizeParam = 219, "bad size parameter",
        by "validator",
        when "a size parameter (op set 2, `%len: i64 size n`) is not an `in` rank-0 integer, or two size parameters of a function bind the same symbol",
        example "`%len: f64 size n` (a float cannot be a size)";

    /// An operand refers to a value not defined before the node.
    BadHandle = 301, "value used before it is defined",
        by "validator",
        when "an operand refers to a parameter or node that does not exist or does not come before the node in its region",
        example "an operand naming a node that comes after its user (protobuf form)";
    /// A result index is past the producing node's results.
    BadResultIndex = 302, "result index out of range",
        by "validator",
        when "an operand's result index is past the producing node's results",
        example "an operand taking result 2 of a node with one result (protobuf form)";
    /// A node declares the wrong number of results for its op.
    ResultCount = 303, "wrong number of results",
        by "validator",
        when "a node declares the wrong number of results for its op (or, for `call`, for its callee)",
        example "a `neg` node declaring two results";
    /// Two values or parameters of one region, or two params of a function, share a name.
    DuplicateName = 304, "duplicate name",
        by "validator",
        when "two values or parameters of one region, or two parameters of a function, share a name",
        example "two parameters of one function named `%x`";
    /// The body yields values that do not match the function's results and out/inout params.
    ReturnMismatch = 305, "return does not match the signature",
        by "validator",
        when "a function body yields the wrong number of values, or values of the wrong types, for its results and `out`/`inout` parameters",
        example "`return %y` in a function that declares two results";
    /// An `out` parameter is read.
    OutParamRead = 306, "out parameter read",
        by "validator",
        when "an `out` parameter is used as an operand or yielded",
        example "`neg (%z)` where `%z` is an `out` parameter";
    /// The body's parameters do not mirror the function's parameters.
    BodyParams = 307, "body parameters differ from the signature",
        by "validator",
        when "a function body's parameters do not mirror the function's parameters",
        example "a body parameter `f32[n]` for a function parameter `f64[n]` (protobuf form)";

    /// Two functions share a name.
    DuplicateFunction = 401, "duplicate function",
        by "validator",
        when "two functions share a name",
        example "two functions named `@main`";
    /// A call or decomposition names a function the module does not have.
    UnknownFunction = 402, "unknown function",
        by "validator",
        when "a `call` or a `decomposition` names a function the module does not have",
        example "`call @nope (%x)` in a module without `@nope`";
    /// Functions call each other in a cycle.
    Recursion = 403, "recursive call",
        by "validator",
        when "functions call each other (through `call` or decompositions) in a cycle",
        example "`@f` calls `@g`, which calls `@f`";
    /// Call arguments do not match the callee's parameters.
    CallMismatch = 404, "call arguments differ from the callee",
        by "validator",
        when "a `call`'s operands do not match the callee's `in`/`inout` parameters in number, dtype, rank or dims",
        example "`call @f (%x)` with `%x: f32[n]` where `@f` takes `f64[n]`";
    /// A `for` or `if` region's params or yields do not match the op.
    RegionMismatch = 405, "region signature mismatch",
        by "validator",
        when "a `for`, `if` or `while` region's parameters or yields do not match the op's operands or results",
        example "a `for` body that yields one value for two carried values";
    /// A custom op's decomposition does not match its operands or results.
    BadDecomposition = 406, "bad decomposition",
        by "validator",
        when "a custom op's decomposition does not match its operands or declared results",
        example "a custom op whose decomposition takes two parameters for one operand";
    /// A custom op has no decomposition and the backend does not know it.
    NoDecomposition = 407, "custom op without decomposition",
        by "runtime",
        when "a backend meets a custom op it does not implement and that has no decomposition",
        example "a `custom` op without decomposition that the backend does not know";
    /// Calls nest deeper than the limit on call depth.
    CallTooDeep = 408, "calls nest too deep",
        by "validator; interpreter (modules run unchecked)",
        when "the longest chain of calls in calls (through `call` or decompositions) is longer than the limit on call depth, 256 by default (`limits.rs`); every engine runs what the validator accepts",
        example "257 functions, each calling the next";

    /// Inputs do not match the function's parameters (missing, extra, wrong dtype or rank).
    BadInput = 501, "bad input",
        by "runtime",
        when "the arguments of a run do not match the function's parameters: missing, extra, wrong dtype or wrong rank",
        example "running `@f(%x: f64[n])` with no array `x`, or an `i32` one";
    /// A dimension symbol is bound to two different extents by the inputs.
    SymbolConflict = 502, "dimension symbol bound twice",
        by "runtime",
        when "a symbol is bound to two extents, an expression dim does not match its argument's extent, or a symbol cannot be bound",
        example "`@f(%a: f64[n], %b: f64[n])` run with `a` of length 3 and `b` of length 4";
    /// An index is out of range at run time.
    IndexOutOfRange = 503, "index out of range",
        by "runtime",
        when "an index of `take`, `extract`, `insert`, `gather` or `scatter` is outside `[-d, d)`",
        example "`take` of index 5 on an axis of extent 3";
    /// A max/min/argmax/argmin reduction over no elements.
    EmptyReduction = 504, "empty reduction",
        by "runtime",
        when "`reduce_max`/`reduce_min` over no elements (with a non-empty result), `argmax`/`argmin` over an empty axis",
        example "`reduce_max` over an axis of extent 0";
    /// The backend does not support this op or dtype.
    Unsupported = 505, "unsupported by this backend",
        by "backend (when compiling)",
        when "a backend does not generate an op or dtype of the function, or an option it does not have",
        example "the LLVM backend called with an interpreter-only `while` iteration limit";
    /// A run-time extent is negative or inconsistent with its declared type.
    BadExtent = 506, "bad run-time extent",
        by "runtime",
        when "a `for` step is 0; a dim evaluates negative, or overflows i64 with the bound symbol values (the message names the dim and the values: `dim n*n+5 overflows i64 with n = 4`; never a wrapped extent); an argument's extent contradicts a constant dim; a `slice` axis is shorter than its static extent assumed; a size parameter's value is negative",
        example "a `for` loop whose step is 0 at run time";
    /// A foreign format cannot express an AIR construct (a translator's export).
    NotExpressible = 507, "not expressible in the target format",
        by "translator (export)",
        when "a translator's export meets a construct its format cannot express faithfully; every such construct is listed; or a format without shared functions (PyTensor) would need more than 10^6 nodes to write the calls out",
        example "exporting a function with a `c128` parameter to SymPy";
    /// A tensor is too large to allocate, or an allocation fails, at run time.
    TooLarge = 508, "tensor too large",
        by "runtime",
        when "a tensor's element or byte count overflows, exceeds the interpreter's limit (2^32 elements) or the JIT's (64 GiB), would take the bytes live past the memory budget (`air run --max-memory`, `skair.compile(max_memory=)`), or the allocator refuses it (checked, never an aborted process)",
        example "`full {shape = [1000000, 1000000]}` on the interpreter";
    /// A bug in AIR: a caught panic, or LLVM rejecting what the backend generated.
    Internal = 509, "internal error",
        by "runtime, backend",
        when "an invariant of AIR itself does not hold: a panic caught in the runtime, LLVM failing to verify, optimise or link generated code; please report it",
        example "none on purpose: each is a bug";
    /// A `while` loop ran more iterations than the run allows.
    IterationLimit = 510, "iteration limit exceeded",
        by "runtime (interpreter)",
        when "one execution of a `while` node would start more body iterations than the run's limit (`air run --max-iterations`, `RunOptions::max_while_iterations`; no limit by default); the message names the node and the limit",
        example "a `while` whose condition is always true, run with `--max-iterations 1000`";
}

/// The table of every code in `docs/spec.md` section 5 (Markdown), numbers without a code listed
/// as not assigned.
pub fn spec_section() -> String {
    let mut s = String::from(
        "| code | name | title | raised when | raised by | example |\n|---|---|---|---|---|---|\n",
    );
    let mut prev: Option<u16> = None;
    for &c in Code::ALL {
        let n = c.number();
        if let Some(p) = prev.filter(|p| p / 100 == n / 100) {
            for gap in p + 1..n {
                let _ = writeln!(s, "| E{gap:04} | — | — | not assigned | — | — |");
            }
        }
        prev = Some(n);
        let _ = writeln!(
            s,
            "| {c} | `{}` | {} | {} | {} | {} |",
            c.name(),
            c.title(),
            c.raised_when(),
            c.raised_by(),
            c.example()
        );
    }
    s
}
