//! The one table of PyTensor names this translator knows: tensor op classes ([`TENSOR_OPS`]),
//! `Elemwise` scalar ops ([`SCALAR_OPS`]) and how every AIR op is written for PyTensor
//! ([`AIR_OPS`]). The importer dispatches on it, the exporter takes PyTensor's class, module and
//! instance names from it, and `docs/formats/pytensor.md`'s support table is generated from it
//! ([`crate::support_table`]).

use air_ir::{BinaryOp, UnaryOp};

/// How well an entry is supported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Support {
    /// Imported and exported.
    Both,
    /// Imported only (the exporter writes other ops).
    Import,
    /// Known, but neither imported nor exported; the reason is said.
    No(&'static str),
}

/// A PyTensor tensor op class the importer dispatches on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TensorOp {
    /// `Elemwise` (its scalar op is in [`SCALAR_OPS`]).
    Elemwise,
    /// `DimShuffle`.
    DimShuffle,
    /// `Sum`, `Prod`, `Max`, `Min`, `Any`, `All` and the generic `CAReduce`.
    Reduce,
    /// `Argmax`.
    Argmax,
    /// `Dot` (2-D, or 1-D as in older PyTensor).
    Dot,
    /// `Blockwise` with a `Dot` core (batched matmul).
    Blockwise,
    /// `Subtensor` (basic indexing with scalar index inputs).
    Subtensor,
    /// `IncSubtensor` (set or increment a basic-indexed region).
    IncSubtensor,
    /// `AdvancedSubtensor1` (`x[int vector]`).
    AdvancedSubtensor1,
    /// `AdvancedSubtensor` with one integer or boolean index array, or several integer arrays
    /// on the leading axes.
    AdvancedSubtensor,
    /// `AdvancedIncSubtensor1`, `AdvancedIncSubtensor` (integer index arrays on the leading
    /// axes; increment or set).
    AdvancedIncSubtensor,
    /// `Join`.
    Join,
    /// `Alloc`.
    Alloc,
    /// `AllocEmpty`.
    AllocEmpty,
    /// `MakeVector`.
    MakeVector,
    /// `ScalarFromTensor`, `TensorFromScalar`: the same value in AIR.
    ScalarConvert,
    /// `ARange`.
    ARange,
    /// `ExtractDiag` (offset 0).
    ExtractDiag,
    /// `Shape`.
    Shape,
    /// `Shape_i`.
    ShapeI,
    /// `Reshape`.
    Reshape,
    /// `SpecifyShape`.
    SpecifyShape,
    /// `CumOp`.
    CumOp,
    /// `SortOp`.
    SortOp,
    /// `Unique` (op set 2).
    Unique,
    /// `Softmax`, `LogSoftmax`, `Einsum` and every other `OpFromGraph`: the inner graph.
    InnerGraph,
    /// `Scan`.
    Scan,
    /// `IfElse`.
    IfElse,
    /// Known but not supported (the entry says why).
    Unsupported,
}

/// One tensor op class.
#[derive(Clone, Copy, Debug)]
pub struct OpEntry {
    /// The Python class name.
    pub class: &'static str,
    /// The Python module defining it.
    pub module: &'static str,
    /// What the importer does with it.
    pub op: TensorOp,
    /// The AIR ops it becomes (for the docs).
    pub air: &'static str,
    /// The support.
    pub support: Support,
}

const TE: &str = "pytensor.tensor.elemwise";
const TM: &str = "pytensor.tensor.math";
const TB: &str = "pytensor.tensor.basic";
const TS: &str = "pytensor.tensor.subtensor";
const SH: &str = "pytensor.tensor.shape";

/// Every tensor op class the translator knows.
#[rustfmt::skip]
pub const TENSOR_OPS: &[OpEntry] = &[
    e("Elemwise", TE, TensorOp::Elemwise, "the scalar op's AIR op, with explicit cast and broadcast", Support::Both),
    e("DimShuffle", TE, TensorOp::DimShuffle, "squeeze, transpose, expand_dims", Support::Both),
    e("CAReduce", TE, TensorOp::Reduce, "reduce_* by scalar op (Add, Mul, Maximum, Minimum, AND, OR)", Support::Import),
    e("Sum", TM, TensorOp::Reduce, "reduce_sum (cast to acc_dtype and dtype)", Support::Both),
    e("Prod", TM, TensorOp::Reduce, "reduce_prod", Support::Both),
    e("Max", TM, TensorOp::Reduce, "reduce_max", Support::Both),
    e("Min", TM, TensorOp::Reduce, "reduce_min", Support::Both),
    e("Any", TM, TensorOp::Reduce, "reduce_any", Support::Both),
    e("All", TM, TensorOp::Reduce, "reduce_all", Support::Both),
    e("Argmax", TM, TensorOp::Argmax, "argmax (argmin is exported as Argmax of Neg or Invert)", Support::Both),
    e("Dot", TM, TensorOp::Dot, "matmul", Support::Both),
    e("Blockwise", "pytensor.tensor.blockwise", TensorOp::Blockwise, "matmul (core op Dot only)", Support::Both),
    e("Subtensor", TS, TensorOp::Subtensor, "slice, take (scalar indices)", Support::Both),
    e("IncSubtensor", TS, TensorOp::IncSubtensor, "insert (scalar indices), slice + concat (step-1 slices)", Support::Both),
    e("AdvancedSubtensor1", TS, TensorOp::AdvancedSubtensor1, "take along axis 0", Support::Import),
    e("AdvancedSubtensor", TS, TensorOp::AdvancedSubtensor, "take (one integer index array), filter (a boolean mask), gather (several integer arrays on the leading axes)", Support::Both),
    e("AdvancedIncSubtensor", TS, TensorOp::AdvancedIncSubtensor, "scatter add (inc; bool: max) or replace (set), index arrays of one shape on the leading axes (op set 2)", Support::Both),
    e("AdvancedIncSubtensor1", TS, TensorOp::AdvancedIncSubtensor, "scatter add (inc; bool: max) or replace (set) along axis 0 (op set 2)", Support::Import),
    e("Join", TB, TensorOp::Join, "concat", Support::Both),
    e("Alloc", TB, TensorOp::Alloc, "broadcast, full", Support::Both),
    e("AllocEmpty", TB, TensorOp::AllocEmpty, "full (zeros: the contents are unspecified)", Support::Import),
    e("MakeVector", TB, TensorOp::MakeVector, "expand_dims + concat", Support::Both),
    e("ScalarFromTensor", TB, TensorOp::ScalarConvert, "(the value itself)", Support::Both),
    e("TensorFromScalar", TB, TensorOp::ScalarConvert, "(the value itself)", Support::Import),
    e("ARange", TB, TensorOp::ARange, "iota (bounds known when importing)", Support::Both),
    e("Eye", TB, TensorOp::Unsupported, "", Support::No("not mapped yet")),
    e("ExtractDiag", TB, TensorOp::ExtractDiag, "einsum taking the diagonal (offset 0; the two axes unified)", Support::Both),
    e("Split", TB, TensorOp::Unsupported, "", Support::No("not mapped yet")),
    e("Shape", SH, TensorOp::Shape, "(dims known when importing)", Support::Import),
    e("Shape_i", SH, TensorOp::ShapeI, "(a dim known when importing)", Support::Both),
    e("Reshape", SH, TensorOp::Reshape, "reshape (target shape known when importing)", Support::Both),
    e("SpecifyShape", SH, TensorOp::SpecifyShape, "(the dims are unified; written for inputs whose dims repeat another input's or are expressions)", Support::Both),
    e("CumOp", "pytensor.tensor.extra_ops", TensorOp::CumOp, "cumsum, cumprod", Support::Both),
    e("Repeat", "pytensor.tensor.extra_ops", TensorOp::Unsupported, "", Support::No("not mapped yet")),
    e("Unique", "pytensor.tensor.extra_ops", TensorOp::Unique, "unique (axis null: of the flattened input; return_index: scatter min of the positions by the inverse); an axis of a rank >= 2 input is refused (op set 2)", Support::Import),
    e("SortOp", "pytensor.tensor.sort", TensorOp::SortOp, "sort (descending: sort then a reversing Subtensor)", Support::Both),
    e("ArgSortOp", "pytensor.tensor.sort", TensorOp::Unsupported, "", Support::No("AIR has no argsort")),
    e("Softmax", "pytensor.tensor.special", TensorOp::InnerGraph, "its inner graph (max, sub, exp, sum, div)", Support::Both),
    e("LogSoftmax", "pytensor.tensor.special", TensorOp::InnerGraph, "its inner graph", Support::Both),
    e("Einsum", "pytensor.tensor.einsum", TensorOp::InnerGraph, "its inner graph", Support::Import),
    e("OpFromGraph", "pytensor.compile.builders", TensorOp::InnerGraph, "its inner graph, inlined or as custom with a decomposition", Support::Import),
    e("Scan", "pytensor.scan.op", TensorOp::Scan, "for (sequences, sit-sot, mit-sot, nit-sot, untraced sit-sot, non-sequences); while mode with untraced states only: while", Support::Both),
    e("IfElse", "pytensor.ifelse", TensorOp::IfElse, "if", Support::Both),
];

const fn e(
    class: &'static str,
    module: &'static str,
    op: TensorOp,
    air: &'static str,
    support: Support,
) -> OpEntry {
    OpEntry {
        class,
        module,
        op,
        air,
        support,
    }
}

/// What an `Elemwise` scalar op computes in AIR terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScalarKind {
    /// One AIR unary op.
    Unary(UnaryOp),
    /// One AIR binary op (`Add` and `Mul` take any number of inputs, folded left).
    Binary(BinaryOp),
    /// `Switch(cond, a, b)` → `select`.
    Switch,
    /// `Cast` → `cast` to `o_type`.
    Cast,
    /// `Clip(x, lo, hi)`: `lo` where `x < lo`, else `hi` where `x > hi`, else `x`.
    Clip,
    /// `Sqr(x)` → `square(x)` (`and(x, x)` for bool, which AIR's `square` does not take).
    Sqr,
    /// `select(x < 0, ceil(x), floor(x))`: no table entry since op set 2 (`Trunc` is `trunc`).
    Trunc,
    /// `Second(a, b)`: `b` broadcast to the shape of both.
    Second,
    /// `Identity(x)`.
    Identity,
    /// `Softplus(x)`, PyTensor's piecewise formula.
    Softplus,
    /// `Real(z)` → `cast` to the real dtype.
    Real,
    /// Known but unsupported.
    Unsupported,
}

/// One scalar op class.
#[derive(Clone, Copy, Debug)]
pub struct ScalarEntry {
    /// The Python class name.
    pub class: &'static str,
    /// `pytensor.scalar.basic` or `pytensor.scalar.math`.
    pub module: &'static str,
    /// The instance's `name` (null for most comparison and logic ops).
    pub name: Option<&'static str>,
    /// What it computes.
    pub kind: ScalarKind,
    /// The support.
    pub support: Support,
}

const SB: &str = "pytensor.scalar.basic";
const SM: &str = "pytensor.scalar.math";

const fn s(
    class: &'static str,
    module: &'static str,
    name: Option<&'static str>,
    kind: ScalarKind,
) -> ScalarEntry {
    ScalarEntry {
        class,
        module,
        name,
        kind,
        support: Support::Both,
    }
}

const fn imp(
    class: &'static str,
    module: &'static str,
    name: Option<&'static str>,
    kind: ScalarKind,
) -> ScalarEntry {
    ScalarEntry {
        class,
        module,
        name,
        kind,
        support: Support::Import,
    }
}

const fn no(class: &'static str, module: &'static str, why: &'static str) -> ScalarEntry {
    ScalarEntry {
        class,
        module,
        name: None,
        kind: ScalarKind::Unsupported,
        support: Support::No(why),
    }
}

use BinaryOp as B;
use ScalarKind as K;
use UnaryOp as U;

/// Every scalar op class the translator knows. For export, the first entry computing an AIR op
/// is the one written.
#[rustfmt::skip]
pub const SCALAR_OPS: &[ScalarEntry] = &[
    s("Add", SB, Some("add"), K::Binary(B::Add)),
    s("Sub", SB, Some("sub"), K::Binary(B::Sub)),
    s("Mul", SB, Some("mul"), K::Binary(B::Mul)),
    s("TrueDiv", SB, Some("true_div"), K::Binary(B::Div)),
    s("IntDiv", SB, Some("int_div"), K::Binary(B::FloorDiv)),
    s("Mod", SB, Some("mod"), K::Binary(B::Mod)),
    s("Pow", SB, Some("pow"), K::Binary(B::Pow)),
    s("Maximum", SB, None, K::Binary(B::Max)),
    s("Minimum", SB, None, K::Binary(B::Min)),
    s("ArcTan2", SB, Some("arctan2"), K::Binary(B::Atan2)),
    s("EQ", SB, None, K::Binary(B::Eq)),
    s("NEQ", SB, None, K::Binary(B::Ne)),
    s("LT", SB, None, K::Binary(B::Lt)),
    s("LE", SB, None, K::Binary(B::Le)),
    s("GT", SB, None, K::Binary(B::Gt)),
    s("GE", SB, None, K::Binary(B::Ge)),
    s("AND", SB, None, K::Binary(B::And)),
    s("OR", SB, None, K::Binary(B::Or)),
    s("XOR", SB, None, K::Binary(B::Xor)),
    s("Neg", SB, Some("neg"), K::Unary(U::Neg)),
    s("Abs", SB, None, K::Unary(U::Abs)),
    s("Sign", SB, Some("sign"), K::Unary(U::Sign)),
    s("Exp", SB, Some("exp"), K::Unary(U::Exp)),
    s("Expm1", SB, Some("expm1"), K::Unary(U::Expm1)),
    s("Log", SB, Some("log"), K::Unary(U::Log)),
    s("Log1p", SB, Some("log1p"), K::Unary(U::Log1p)),
    s("Sqrt", SB, Some("sqrt"), K::Unary(U::Sqrt)),
    s("Sin", SB, Some("sin"), K::Unary(U::Sin)),
    s("Cos", SB, Some("cos"), K::Unary(U::Cos)),
    s("Tan", SB, Some("tan"), K::Unary(U::Tan)),
    s("ArcSin", SB, Some("arcsin"), K::Unary(U::Asin)),
    s("ArcCos", SB, Some("arccos"), K::Unary(U::Acos)),
    s("ArcTan", SB, Some("arctan"), K::Unary(U::Atan)),
    s("Sinh", SB, Some("sinh"), K::Unary(U::Sinh)),
    s("Cosh", SB, Some("cosh"), K::Unary(U::Cosh)),
    s("Tanh", SB, Some("tanh"), K::Unary(U::Tanh)),
    s("Floor", SB, Some("floor"), K::Unary(U::Floor)),
    s("Ceil", SB, Some("ceil"), K::Unary(U::Ceil)),
    s("RoundHalfToEven", SB, None, K::Unary(U::Round)),
    s("Erf", SM, Some("erf"), K::Unary(U::Erf)),
    s("Sigmoid", SM, Some("sigmoid"), K::Unary(U::Logistic)),
    s("Reciprocal", SB, Some("reciprocal"), K::Unary(U::Reciprocal)),
    s("Invert", SB, None, K::Unary(U::Not)),
    s("IsNan", SB, None, K::Unary(U::IsNan)),
    s("IsInf", SB, None, K::Unary(U::IsInf)),
    s("Switch", SB, None, K::Switch),
    s("Cast", SB, None, K::Cast),
    imp("Clip", SB, Some("clip"), K::Clip),
    s("Sqr", SB, Some("sqr"), K::Sqr),
    s("Trunc", SB, Some("trunc"), K::Unary(U::Trunc)),
    imp("Second", SB, Some("second"), K::Second),
    s("Identity", SB, Some("identity"), K::Identity),
    imp("Softplus", SM, None, K::Softplus),
    s("Real", SB, Some("real"), K::Real),
    s("Imag", SB, Some("imag"), K::Unary(U::Imag)),
    s("Conj", SB, Some("conj"), K::Unary(U::Conj)),
    s("Angle", SB, Some("angle"), K::Unary(U::Angle)),
    s("Complex", SB, Some("complex"), K::Binary(B::Complex)),
    no("ComplexFromPolar", SB, "not mapped yet (complex(r*cos(t), r*sin(t)) would express it)"),
    s("ArcSinh", SB, Some("arcsinh"), K::Unary(U::Asinh)),
    s("ArcCosh", SB, Some("arccosh"), K::Unary(U::Acosh)),
    s("ArcTanh", SB, Some("arctanh"), K::Unary(U::Atanh)),
    s("Log2", SB, Some("log2"), K::Unary(U::Log2)),
    s("Log10", SB, Some("log10"), K::Unary(U::Log10)),
    s("Exp2", SB, Some("exp2"), K::Unary(U::Exp2)),
    no("Deg2Rad", SB, "the constant product may round differently"),
    no("Rad2Deg", SB, "the constant product may round differently"),
    no("RoundHalfAwayFromZero", SB, "not mapped yet"),
    no("Log1mexp", SM, "not mapped yet"),
    no("Erfc", SM, "AIR has no erfc"),
    no("Erfcx", SM, "AIR has no erfcx"),
    no("Erfinv", SM, "AIR has no erfinv"),
    no("Erfcinv", SM, "AIR has no erfcinv"),
    no("Gamma", SM, "AIR has no gamma"),
    no("GammaLn", SM, "AIR has no lgamma"),
    no("Psi", SM, "AIR has no digamma"),
    no("Composite", "pytensor.scalar.basic", "fused by rewrites; write graphs before rewrites"),
];

/// The tensor op entry of a class defined in `module`.
pub fn tensor_op(class: &str, module: &str) -> Option<&'static OpEntry> {
    TENSOR_OPS
        .iter()
        .find(|e| e.class == class && e.module == module)
}

/// The scalar op entry of a class defined in `module`.
pub fn scalar_op(class: &str, module: &str) -> Option<&'static ScalarEntry> {
    SCALAR_OPS
        .iter()
        .find(|e| e.class == class && e.module == module)
}

/// The entry the exporter writes for `kind`.
pub fn scalar_for(kind: ScalarKind) -> Option<&'static ScalarEntry> {
    SCALAR_OPS
        .iter()
        .find(|e| e.kind == kind && e.support == Support::Both)
}

/// How one AIR op is written for PyTensor.
#[derive(Clone, Copy, Debug)]
pub struct AirEntry {
    /// The AIR op name (`air_ir::op::all_op_names`).
    pub air: &'static str,
    /// The PyTensor ops written, or why none can be.
    pub pytensor: Result<&'static str, &'static str>,
}

const fn w(air: &'static str, pytensor: &'static str) -> AirEntry {
    AirEntry {
        air,
        pytensor: Ok(pytensor),
    }
}

const fn x(air: &'static str, why: &'static str) -> AirEntry {
    AirEntry {
        air,
        pytensor: Err(why),
    }
}

/// Every AIR op of op sets 1 and 2 and what the exporter writes for it. Elementwise ops use the scalar
/// op of [`SCALAR_OPS`] computing them.
#[rustfmt::skip]
pub const AIR_OPS: &[AirEntry] = &[
    w("constant", "a constant variable"),
    w("iota", "ARange, DimShuffle, Alloc"),
    w("full", "Alloc of a constant"),
    w("isfinite", "Elemwise NOT(OR(IsNan, IsInf))"),
    w("rsqrt", "Elemwise Reciprocal(Sqrt)"),
    w("square", "Elemwise Sqr"),
    x("cbrt", "PyTensor has no real cube root"),
    x("shl", "PyTensor has no shift op"),
    x("shr", "PyTensor has no shift op"),
    w("real", "Elemwise Real (Real imports as a cast to the real dtype)"),
    x("sinc", "PyTensor has no sinc op"),
    x("hypot", "PyTensor has no hypot op"),
    x("copysign", "PyTensor has no copysign op"),
    x("logaddexp", "PyTensor's logaddexp is a composition, not an op"),
    x("logaddexp2", "PyTensor has no logaddexp2 op"),
    x("heaviside", "PyTensor has no heaviside op"),
    w("rem", "integers: Elemwise Mod corrected by Switch; floats are not expressible"),
    w("select", "Elemwise Switch"),
    w("cast", "Elemwise Cast"),
    w("clip", "Elemwise Minimum(Maximum(x, lo), hi) (PyTensor's Clip differs on NaN bounds)"),
    w("broadcast", "DimShuffle, Alloc"),
    w("reshape", "Reshape with a MakeVector of dims"),
    w("transpose", "DimShuffle"),
    w("expand_dims", "DimShuffle"),
    w("squeeze", "DimShuffle"),
    w("slice", "Subtensor"),
    w("concat", "Join"),
    w("take", "AdvancedSubtensor (Subtensor for a rank-0 index)"),
    w("extract", "Subtensor"),
    w("insert", "IncSubtensor (set)"),
    w("filter", "AdvancedSubtensor with a boolean mask"),
    w("reduce_sum", "Sum with dtype and acc_dtype"),
    w("reduce_prod", "Prod with dtype and acc_dtype"),
    w("reduce_max", "Max"),
    w("reduce_min", "Min"),
    w("reduce_mean", "Sum, then TrueDiv by the element count"),
    w("reduce_any", "Any"),
    w("reduce_all", "All"),
    w("argmax", "Argmax"),
    w("argmin", "Argmax of Neg (floats) or Invert (integers, bool)"),
    w("cumsum", "CumOp add"),
    w("cumprod", "CumOp mul"),
    w("sort", "SortOp (descending: reversed with a Subtensor)"),
    w("einsum", "ExtractDiag for repeated indices, DimShuffle, Elemwise Mul, Sum, DimShuffle"),
    w("matmul", "Dot (2-D), Blockwise(Dot) (batched), DimShuffle for 1-D operands"),
    w("for", "Scan with untraced sit-sot states (the counter is one)"),
    w("if", "IfElse of both branches"),
    w("while", "Scan in while mode (untraced sit-sot states, until = not cond); n_steps is 0 or 2^63-1 by the condition on the initial state"),
    w("call", "the callee inlined"),
    w("custom", "Softmax/LogSoftmax for domain pytensor, else the decomposition inlined"),
    w("scatter", "replace: AdvancedIncSubtensor set, add: inc (max on bool: inc, NumPy's or), one Subtensor column of the indices per axis (IncSubtensor for one tuple); mul, min, max on other dtypes and k = 0 refused"),
    w("gather", "AdvancedSubtensor with one Subtensor column of the indices per axis (Subtensor for one tuple); k = 0 refused"),
    x("unique", "not exported yet (three results sharing a run-time extent)"),
];

/// The AIR entry of an op name.
pub fn air_entry(name: &str) -> Option<&'static AirEntry> {
    AIR_OPS.iter().find(|a| a.air == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_are_unique_and_found() {
        for (i, e) in TENSOR_OPS.iter().enumerate() {
            assert!(
                TENSOR_OPS[i + 1..].iter().all(|f| f.class != e.class),
                "{}",
                e.class
            );
            assert_eq!(tensor_op(e.class, e.module).map(|f| f.class), Some(e.class));
        }
        for (i, e) in SCALAR_OPS.iter().enumerate() {
            assert!(
                SCALAR_OPS[i + 1..].iter().all(|f| f.class != e.class),
                "{}",
                e.class
            );
        }
    }

    #[test]
    fn every_air_op_has_one_export_entry() {
        for name in air_ir::op::all_op_names() {
            let direct = UnaryOp::ALL
                .iter()
                .any(|u| u.name() == name && scalar_for(ScalarKind::Unary(*u)).is_some())
                || BinaryOp::ALL
                    .iter()
                    .any(|b| b.name() == name && scalar_for(ScalarKind::Binary(*b)).is_some());
            let listed = AIR_OPS.iter().filter(|a| a.air == name).count();
            assert_eq!(usize::from(direct) + listed, 1, "{name}");
        }
    }
}
