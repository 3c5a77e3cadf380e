//! The closed set of operations of op sets 1 and 2, with typed attributes.
//!
//! Semantics are in `docs/spec.md`, one section per op. Operand conventions are listed on each
//! variant; elementwise ops take operands of one type (broadcasting and promotion are explicit,
//! inserted by [`crate::builder`]).

use crate::dim::Dim;
use crate::dtype::DType;
use crate::module::Region;
use crate::types::Literal;

pub(crate) mod table;
mod walk;

pub use table::all_op_names;

/// Elementwise operations with one operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// `-x` (integers wrap).
    Neg,
    /// `|x|`; for complex input the result is the real modulus.
    Abs,
    /// -1, 0 or 1 (NaN stays NaN).
    Sign,
    /// `e^x`.
    Exp,
    /// `e^x - 1`.
    Expm1,
    /// Natural logarithm.
    Log,
    /// `log(1 + x)`.
    Log1p,
    /// Square root.
    Sqrt,
    /// `1 / sqrt(x)`.
    Rsqrt,
    /// Sine.
    Sin,
    /// Cosine.
    Cos,
    /// Tangent.
    Tan,
    /// Arc sine.
    Asin,
    /// Arc cosine.
    Acos,
    /// Arc tangent.
    Atan,
    /// Hyperbolic sine.
    Sinh,
    /// Hyperbolic cosine.
    Cosh,
    /// Hyperbolic tangent.
    Tanh,
    /// Round toward -inf.
    Floor,
    /// Round toward +inf.
    Ceil,
    /// Round half to even.
    Round,
    /// The error function.
    Erf,
    /// `1 / (1 + e^-x)`.
    Logistic,
    /// `1 / x`.
    Reciprocal,
    /// Logical not on bool, bitwise not on integers.
    Not,
    /// True where NaN.
    IsNan,
    /// True where ±inf.
    IsInf,
    /// True where neither NaN nor ±inf.
    IsFinite,
    /// Inverse hyperbolic sine (op set 2).
    Asinh,
    /// Inverse hyperbolic cosine; NaN below 1 (op set 2).
    Acosh,
    /// Inverse hyperbolic tangent; ±inf at ±1, NaN past them (op set 2).
    Atanh,
    /// `2^x` (op set 2).
    Exp2,
    /// Base-2 logarithm (op set 2).
    Log2,
    /// Base-10 logarithm (op set 2).
    Log10,
    /// The real cube root (`cbrt(-8) = -2`) (op set 2).
    Cbrt,
    /// Round toward zero, keeping the sign of zero (op set 2).
    Trunc,
    /// `x * x`, exactly `mul(x, x)` (integers wrap) (op set 2).
    Square,
    /// The real part; of complex `cN` a real float of half the width, else `x` (op set 2).
    Real,
    /// The imaginary part; of complex `cN` a real float of half the width, else zeros (op set 2).
    Imag,
    /// The complex conjugate; `x` for real dtypes (op set 2).
    Conj,
    /// The argument `atan2(imag, real)`; of complex `cN` a real float (op set 2).
    Angle,
    /// NumPy's normalized sinc `sin(t) / t` with `t = pi * x`, 1 where `t` is 0 (op set 2).
    Sinc,
}

/// Elementwise operations with two operands of one type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    /// `a + b` (integers wrap).
    Add,
    /// `a - b`.
    Sub,
    /// `a * b`.
    Mul,
    /// True division (floats and complex only).
    Div,
    /// Floor division, Python semantics.
    FloorDiv,
    /// Remainder with the sign of the dividend (C `fmod`).
    Rem,
    /// Remainder with the sign of the divisor (Python `%`).
    Mod,
    /// `a ** b`.
    Pow,
    /// Elementwise maximum, NaN-propagating.
    Max,
    /// Elementwise minimum, NaN-propagating.
    Min,
    /// `atan2(a, b)`.
    Atan2,
    /// `a == b` (result bool).
    Eq,
    /// `a != b` (result bool).
    Ne,
    /// `a < b` (result bool).
    Lt,
    /// `a <= b` (result bool).
    Le,
    /// `a > b` (result bool).
    Gt,
    /// `a >= b` (result bool).
    Ge,
    /// Logical and on bool, bitwise and on integers.
    And,
    /// Logical or on bool, bitwise or on integers.
    Or,
    /// Logical xor on bool, bitwise xor on integers.
    Xor,
    /// Left shift on integers.
    Shl,
    /// Right shift on integers (arithmetic for signed, logical for unsigned).
    Shr,
    /// `sqrt(a^2 + b^2)` without overflow; `inf` if either is `±inf` (op set 2).
    Hypot,
    /// The magnitude of `a` with the sign bit of `b` (op set 2).
    Copysign,
    /// `log(e^a + e^b)` without overflow (op set 2).
    Logaddexp,
    /// `log2(2^a + 2^b)` without overflow (op set 2).
    Logaddexp2,
    /// Heaviside step: 0 where `a < 0`, `b` where `a == 0`, 1 where `a > 0` (op set 2).
    Heaviside,
    /// The complex number `a + b·i` from two real floats (`f32` -> `c64`, `f64` -> `c128`) (op set 2).
    Complex,
}

/// Reductions over a set of axes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReduceKind {
    /// Sum (0 for an empty reduction).
    Sum,
    /// Product (1 for an empty reduction).
    Prod,
    /// Maximum, NaN-propagating (an empty reduction is an error at run time).
    Max,
    /// Minimum, NaN-propagating.
    Min,
    /// Arithmetic mean (NaN for an empty reduction of floats).
    Mean,
    /// Logical or (false for an empty reduction).
    Any,
    /// Logical and (true for an empty reduction).
    All,
}

/// Reductions that return the index of an extreme along one axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArgKind {
    /// Index of the first maximum (first NaN wins).
    Argmax,
    /// Index of the first minimum (first NaN wins).
    Argmin,
}

/// Running reductions along one axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScanKind {
    /// Running sum.
    Cumsum,
    /// Running product.
    Cumprod,
}

/// One end of a slice along an axis.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Bound {
    /// The default end (the start or the end of the axis, depending on the step's sign).
    Default,
    /// A static index; negative values count from the end, as in Python.
    Const(i64),
    /// The value of scalar integer operand number `k` of the node (k ≥ 1).
    Operand(u32),
}

/// A Python slice `start:stop:step` for one axis.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SliceAxis {
    /// First index.
    pub start: Bound,
    /// One past the last index (exclusive).
    pub stop: Bound,
    /// Non-zero step.
    pub step: i64,
}

impl SliceAxis {
    /// The whole axis, `::1`.
    pub fn full() -> SliceAxis {
        SliceAxis {
            start: Bound::Default,
            stop: Bound::Default,
            step: 1,
        }
    }
}

/// A typed attribute value: the attributes of custom ops, and the generic form of every op's
/// attributes in the serial forms.
#[derive(Clone, Debug, PartialEq)]
pub enum AttrValue {
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string.
    Str(String),
    /// A boolean.
    Bool(bool),
    /// A list of integers.
    Ints(Vec<i64>),
    /// A list of floats.
    Floats(Vec<f64>),
    /// A list of strings.
    Strs(Vec<String>),
    /// A dtype.
    DType(DType),
    /// A shape (list of dims).
    Shape(Vec<Dim>),
    /// A constant tensor.
    Literal(Literal),
    /// Slices, one per axis.
    Slices(Vec<SliceAxis>),
    /// A reference to a function of the module.
    Func(String),
}

/// How `scatter` combines an update with the element it lands on (its `mode` attribute).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScatterMode {
    /// The update replaces the element (the last update of an element wins).
    Replace,
    /// `add(element, update)`.
    Add,
    /// `mul(element, update)`.
    Mul,
    /// `max(element, update)` (NaN-propagating, as the binary op).
    Max,
    /// `min(element, update)` (NaN-propagating, as the binary op).
    Min,
}

impl ScatterMode {
    /// Every mode, in declaration order.
    pub const ALL: [ScatterMode; 5] = [
        ScatterMode::Replace,
        ScatterMode::Add,
        ScatterMode::Mul,
        ScatterMode::Max,
        ScatterMode::Min,
    ];

    /// The mode's name in the serial forms (the value of the `mode` attribute).
    pub fn name(self) -> &'static str {
        match self {
            ScatterMode::Replace => "replace",
            ScatterMode::Add => "add",
            ScatterMode::Mul => "mul",
            ScatterMode::Max => "max",
            ScatterMode::Min => "min",
        }
    }

    /// The mode with this name.
    pub fn from_name(name: &str) -> Option<ScatterMode> {
        ScatterMode::ALL.into_iter().find(|m| m.name() == name)
    }

    /// The binary op that combines element and update (`None` for `replace`).
    pub fn combine(self) -> Option<BinaryOp> {
        match self {
            ScatterMode::Replace => None,
            ScatterMode::Add => Some(BinaryOp::Add),
            ScatterMode::Mul => Some(BinaryOp::Mul),
            ScatterMode::Max => Some(BinaryOp::Max),
            ScatterMode::Min => Some(BinaryOp::Min),
        }
    }
}

/// A named attribute.
pub type Attr = (String, AttrValue);

/// An operation of op set v1. The operands, results and constraints of each are in `docs/spec.md`.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    /// `constant`: no operands; the literal is the result.
    Constant(Literal),
    /// `iota`: no operands; index along `axis` of a tensor of `dtype` and `shape`.
    Iota {
        /// Result dtype (integer or float).
        dtype: DType,
        /// Result shape (symbols must be bound).
        shape: Vec<Dim>,
        /// The axis that counts.
        axis: u32,
    },
    /// `full`: no operands; every element is `value` (a rank-0 literal).
    Full {
        /// The fill value; its dtype is the result dtype.
        value: Literal,
        /// Result shape.
        shape: Vec<Dim>,
    },
    /// Elementwise unary op on one operand.
    Unary(UnaryOp),
    /// Elementwise binary op on two operands of one type.
    Binary(BinaryOp),
    /// `select(cond, a, b)`: cond bool, a and b of one type, all of one shape.
    Select,
    /// `cast(x)` to `dtype`.
    Cast {
        /// The target dtype.
        dtype: DType,
    },
    /// `clip(x, lo, hi)`, all of one type: `min(max(x, lo), hi)`.
    Clip,
    /// `broadcast(x)`: operand axis `i` becomes result axis `dims[i]`; others are new.
    Broadcast {
        /// Result shape.
        shape: Vec<Dim>,
        /// For each operand axis, its result axis (strictly increasing).
        dims: Vec<u32>,
    },
    /// `reshape(x)` to `shape` (same element count), C order.
    Reshape {
        /// Result shape.
        shape: Vec<Dim>,
    },
    /// `transpose(x)`: result axis `i` is operand axis `perm[i]`.
    Transpose {
        /// A permutation of `0..rank`.
        perm: Vec<u32>,
    },
    /// `expand_dims(x)`: inserts axes of extent 1 at the given result positions.
    ExpandDims {
        /// Result positions of the new axes (distinct).
        axes: Vec<u32>,
    },
    /// `squeeze(x)`: removes the given axes, each of extent 1.
    Squeeze {
        /// Operand axes to remove (distinct).
        axes: Vec<u32>,
    },
    /// `slice(x, bounds...)`: one Python slice per axis; run-time bounds are scalar operands.
    Slice {
        /// One entry per operand axis.
        axes: Vec<SliceAxis>,
    },
    /// `concat(xs...)` along `axis`.
    Concat {
        /// The joined axis.
        axis: u32,
    },
    /// `take(x, indices)`: gathers along `axis` (negative indices count from the end).
    Take {
        /// The indexed axis.
        axis: u32,
    },
    /// `extract(x, i0, ..., ik)`: one element as a scalar; one i64 scalar index per axis.
    Extract,
    /// `insert(x, v, i0, ..., ik)`: `x` with one element replaced by scalar `v`.
    Insert,
    /// `filter(x, mask)`: the elements of 1-D `x` where the 1-D bool `mask` holds; the result
    /// length is a fresh symbol known at run time.
    Filter,
    /// `scatter(x, indices, updates)` (op set 2): `x` with the slices named by the index tuples
    /// (the last axis of `indices`) combined with `updates` by `mode`, in ascending update order.
    Scatter {
        /// How an update combines with the element it lands on.
        mode: ScatterMode,
    },
    /// `gather(x, indices)` (op set 2): the slices of `x` named by the index tuples (the last
    /// axis of `indices`); the result is `indices.shape[:-1] + x.shape[k:]`.
    Gather,
    /// `unique(x)` (op set 2): the sorted distinct values of 1-D `x`, the inverse indices
    /// (`values[inverse] == x`) and the counts; `values` and `counts` share one fresh dim.
    Unique,
    /// A reduction over `axes`.
    Reduce {
        /// Which reduction.
        kind: ReduceKind,
        /// Reduced axes (distinct, any order); empty means none.
        axes: Vec<u32>,
        /// Keep reduced axes with extent 1.
        keepdims: bool,
    },
    /// `argmax`/`argmin` along one axis; the result is i64.
    ArgReduce {
        /// Which one.
        kind: ArgKind,
        /// The reduced axis.
        axis: u32,
        /// Keep the reduced axis with extent 1.
        keepdims: bool,
    },
    /// `cumsum`/`cumprod` along one axis.
    Scan {
        /// Which one.
        kind: ScanKind,
        /// The scanned axis.
        axis: u32,
    },
    /// `sort` along one axis (NaNs last, as NumPy).
    Sort {
        /// The sorted axis.
        axis: u32,
        /// Largest first.
        descending: bool,
    },
    /// `einsum(xs...)` with a NumPy-style explicit spec (`"ij,j->i"`).
    Einsum {
        /// The subscripts, with `->`.
        spec: String,
    },
    /// `matmul(a, b)` with NumPy's rules (1-D operands promoted, batch dims broadcast).
    Matmul,
    /// `for(lo, hi, step, carried..., captured...)`: runs `body` for `i` in `range(lo, hi, step)`.
    /// The body takes `(i, carried..., captured...)` and yields the next carried values; the results
    /// are the final carried values.
    For {
        /// The loop body.
        body: Region,
    },
    /// `if(cond, args...)`: runs `then_branch` or `else_branch` on `args`; both yield the results.
    If {
        /// Taken when `cond` is true.
        then_branch: Region,
        /// Taken when `cond` is false.
        else_branch: Region,
    },
    /// `while(carried..., captured...)` (op set 2): while `cond` yields true on
    /// `(carried..., captured...)`, `body` maps them to the next carried values; the results are
    /// the final carried values (the carried operands themselves when `cond` is false at once).
    While {
        /// Yields one `bool` scalar: whether to run `body` once more.
        cond: Region,
        /// The loop body.
        body: Region,
    },
    /// `call(args...)` of another function of the module; results are its results.
    Call {
        /// The callee's name.
        callee: String,
    },
    /// An op outside op set v1.
    Custom(CustomOp),
}

/// An op outside the op set, identified by domain and name, with an optional decomposition.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomOp {
    /// The namespace (`"pytensor"`, `"mylib"`).
    pub domain: String,
    /// The op's name in its domain.
    pub name: String,
    /// Attributes, in order.
    pub attrs: Vec<Attr>,
    /// A function of the module computing the same thing from the same operands.
    pub decomposition: Option<String>,
}

impl Op {
    /// The op set version that introduced the op (for a family op, its member's).
    pub fn opset(&self) -> u32 {
        match self {
            Op::Unary(u) => u.opset(),
            Op::Binary(b) => b.opset(),
            Op::Constant(_)
            | Op::Iota { .. }
            | Op::Full { .. }
            | Op::Select
            | Op::Cast { .. }
            | Op::Clip
            | Op::Broadcast { .. }
            | Op::Reshape { .. }
            | Op::Transpose { .. }
            | Op::ExpandDims { .. }
            | Op::Squeeze { .. }
            | Op::Slice { .. }
            | Op::Concat { .. }
            | Op::Take { .. }
            | Op::Extract
            | Op::Insert
            | Op::Filter
            | Op::Reduce { .. }
            | Op::ArgReduce { .. }
            | Op::Scan { .. }
            | Op::Sort { .. }
            | Op::Einsum { .. }
            | Op::Matmul
            | Op::For { .. }
            | Op::If { .. }
            | Op::Call { .. }
            | Op::Custom(_) => 1,
            Op::While { .. } | Op::Scatter { .. } | Op::Gather | Op::Unique => 2,
        }
    }
}

/// Generates a family's `ALL`, `name` and `from_name` from one list of variants and names.
/// An entry's op set: the `@ k` given, else 1.
macro_rules! opset_of {
    () => {
        1
    };
    ($k:literal) => {
        $k
    };
}

macro_rules! family_names {
    ($fam:ident, $what:literal { $($v:ident => $n:literal $(@ $opset:literal)?,)* }) => {
        impl $fam {
            /// The op set version that introduced the op (`@ k` in its `family_names!` entry;
            /// 1 without one).
            pub fn opset(self) -> u32 {
                match self {
                    $($fam::$v => opset_of!($($opset)?),)*
                }
            }

            #[doc = concat!("Every ", $what, ", in declaration order.")]
            pub const ALL: [$fam; [$($n),*].len()] = [$($fam::$v),*];

            /// The op's name in the serial forms.
            pub fn name(self) -> &'static str {
                match self {
                    $($fam::$v => $n,)*
                }
            }

            /// The op with this name in the serial forms.
            pub fn from_name(name: &str) -> Option<$fam> {
                $fam::ALL.into_iter().find(|k| k.name() == name)
            }
        }
    };
}

family_names!(UnaryOp, "unary op" {
    Neg => "neg",
    Abs => "abs",
    Sign => "sign",
    Exp => "exp",
    Expm1 => "expm1",
    Log => "log",
    Log1p => "log1p",
    Sqrt => "sqrt",
    Rsqrt => "rsqrt",
    Sin => "sin",
    Cos => "cos",
    Tan => "tan",
    Asin => "asin",
    Acos => "acos",
    Atan => "atan",
    Sinh => "sinh",
    Cosh => "cosh",
    Tanh => "tanh",
    Floor => "floor",
    Ceil => "ceil",
    Round => "round",
    Erf => "erf",
    Logistic => "logistic",
    Reciprocal => "reciprocal",
    Not => "not",
    IsNan => "isnan",
    IsInf => "isinf",
    IsFinite => "isfinite",
    Asinh => "asinh" @ 2,
    Acosh => "acosh" @ 2,
    Atanh => "atanh" @ 2,
    Exp2 => "exp2" @ 2,
    Log2 => "log2" @ 2,
    Log10 => "log10" @ 2,
    Cbrt => "cbrt" @ 2,
    Trunc => "trunc" @ 2,
    Square => "square" @ 2,
    Real => "real" @ 2,
    Imag => "imag" @ 2,
    Conj => "conj" @ 2,
    Angle => "angle" @ 2,
    Sinc => "sinc" @ 2,
});

family_names!(BinaryOp, "binary op" {
    Add => "add",
    Sub => "sub",
    Mul => "mul",
    Div => "div",
    FloorDiv => "floor_div",
    Rem => "rem",
    Mod => "mod",
    Pow => "pow",
    Max => "max",
    Min => "min",
    Atan2 => "atan2",
    Eq => "eq",
    Ne => "ne",
    Lt => "lt",
    Le => "le",
    Gt => "gt",
    Ge => "ge",
    And => "and",
    Or => "or",
    Xor => "xor",
    Shl => "shl",
    Shr => "shr",
    Hypot => "hypot" @ 2,
    Copysign => "copysign" @ 2,
    Logaddexp => "logaddexp" @ 2,
    Logaddexp2 => "logaddexp2" @ 2,
    Heaviside => "heaviside" @ 2,
    Complex => "complex" @ 2,
});

family_names!(ReduceKind, "reduction" {
    Sum => "reduce_sum",
    Prod => "reduce_prod",
    Max => "reduce_max",
    Min => "reduce_min",
    Mean => "reduce_mean",
    Any => "reduce_any",
    All => "reduce_all",
});

family_names!(ArgKind, "arg reduction" {
    Argmax => "argmax",
    Argmin => "argmin",
});

family_names!(ScanKind, "running reduction" {
    Cumsum => "cumsum",
    Cumprod => "cumprod",
});

impl BinaryOp {
    /// True for the comparisons, whose result is bool.
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge
        )
    }
}
