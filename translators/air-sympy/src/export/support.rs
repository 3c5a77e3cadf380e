//! What SymPy can express faithfully: for each op and dtype, either nothing (it can) or the reason
//! it cannot. "Faithfully" means that importing the export computes the same numbers in the same
//! dtypes; a rewrite that loses precision (`exp(x) - 1` for `expm1`) does not count.

use air_ir::op::{Bound, ReduceKind};
use air_ir::{BinaryOp, DType, Node, Op, TensorType, UnaryOp};

/// Why a node cannot be written, or `None` when it can.
pub(crate) fn unsupported(node: &Node, operands: &[TensorType]) -> Option<String> {
    let d = operands.first().map_or(DType::F64, |t| t.dtype);
    let narrow_int = |d: DType| {
        matches!(
            d,
            DType::I8 | DType::I16 | DType::I32 | DType::U8 | DType::U16 | DType::U32
        )
    };
    let why = |s: &str| Some(s.to_string());
    match &node.op {
        Op::Constant(lit) => {
            let mut els = lit.elements();
            let first = els.next();
            if !els.all(|e| Some(e) == first) {
                return why(
                    "a constant tensor with different elements (SymPy has no array literal)",
                );
            }
            number_problem(lit.dtype, first)
        }
        Op::Full { value, .. } => number_problem(value.dtype, value.elements().next()),
        Op::Iota { dtype, .. } if *dtype != DType::I64 => {
            why("an iota that is not i64 (an index value is a Python int)")
        }
        Op::Iota { .. } => None,
        Op::Unary(u) => unary(*u, d),
        Op::Binary(b) => binary(*b, d),
        Op::Select | Op::Transpose { .. } | Op::ExpandDims { .. } | Op::Squeeze { .. } => None,
        Op::Clip if d.is_bool() => why("clip of booleans"),
        Op::Clip => None,
        Op::Cast { .. } => why("SymPy has no dtypes, so no cast"),
        Op::Broadcast { .. } => None,
        Op::Reshape { shape } if operands.first().is_some_and(|t| t.shape == *shape) => None,
        Op::Reshape { .. } => why("a reshape (flat index arithmetic is not expressible)"),
        Op::Slice { axes } => {
            let static_ok = node.operands.len() == 1
                && axes.iter().all(|a| {
                    a.step == 1
                        && matches!(a.start, Bound::Default | Bound::Const(0..))
                        && matches!(a.stop, Bound::Default | Bound::Const(0..))
                });
            (!static_ok).then(|| {
                "a slice with a step, a negative or run-time bound (only x[i + c] is written)"
                    .to_string()
            })
        }
        Op::Reduce { kind, .. } => match kind {
            ReduceKind::Sum | ReduceKind::Prod if narrow_int(d) => {
                why("a sum or product of narrow integers (SymPy's Sum is exact, NumPy's is 64-bit)")
            }
            ReduceKind::Sum | ReduceKind::Prod => None,
            ReduceKind::Mean if d.is_float() => None,
            ReduceKind::Mean => why("a mean of integers"),
            ReduceKind::Max | ReduceKind::Min => {
                why("a max/min over a range (SymPy's Max takes a fixed list of arguments)")
            }
            ReduceKind::Any | ReduceKind::All => why("any/all over a range"),
        },
        Op::Einsum { .. } | Op::Matmul if narrow_int(d) => {
            why("a contraction of narrow integers (sums are taken in 64 bits)")
        }
        Op::Einsum { .. } | Op::Matmul => None,
        Op::Concat { .. } => why("concat"),
        Op::Take { .. } => why("take (indexing by run-time values)"),
        Op::Extract => why("extract (indexing by run-time values)"),
        Op::Insert => why("insert"),
        Op::Filter => why("filter (a result whose length is known only at run time)"),
        Op::Scatter { .. } => why("scatter (SymPy has no indexed update)"),
        Op::Gather => why("gather (indexing by run-time values)"),
        Op::Unique => why("unique (a result whose length is known only at run time)"),
        Op::ArgReduce { .. } => why("argmax/argmin"),
        Op::Scan { .. } => why("cumsum/cumprod"),
        Op::Sort { .. } => why("sort"),
        Op::For { .. } => why("a for loop"),
        Op::If { .. } => why("an if with regions"),
        Op::While { .. } => why("a while loop"),
        Op::Call { .. } => why("a call"),
        Op::Custom(_) => why("a custom op"),
    }
}

/// Why a scalar of this dtype cannot be a SymPy number.
fn number_problem(dtype: DType, value: Option<air_ir::Scalar>) -> Option<String> {
    match value {
        Some(air_ir::Scalar::Complex(..)) => Some("a complex number".into()),
        Some(air_ir::Scalar::Float(f)) if f.is_nan() => {
            Some("NaN (SymPy's Max(x, nan) raises and Equality(y, nan) is false)".into())
        }
        Some(air_ir::Scalar::UInt(u)) if u > i64::MAX as u64 => Some(format!(
            "the {dtype} constant {u} does not fit in 64 signed bits"
        )),
        _ => None,
    }
}

fn unary(u: UnaryOp, d: DType) -> Option<String> {
    let why = |s: &str| Some(format!("{}: {s}", u.name()));
    match u {
        UnaryOp::Neg | UnaryOp::Abs | UnaryOp::Sign => None,
        UnaryOp::Exp
        | UnaryOp::Log
        | UnaryOp::Sqrt
        | UnaryOp::Rsqrt
        | UnaryOp::Sin
        | UnaryOp::Cos
        | UnaryOp::Tan
        | UnaryOp::Asin
        | UnaryOp::Acos
        | UnaryOp::Atan
        | UnaryOp::Sinh
        | UnaryOp::Cosh
        | UnaryOp::Tanh
        | UnaryOp::Floor
        | UnaryOp::Ceil
        | UnaryOp::Erf
        | UnaryOp::Logistic
        | UnaryOp::Reciprocal
        | UnaryOp::Asinh
        | UnaryOp::Acosh
        | UnaryOp::Atanh => None,
        UnaryOp::Cbrt => why("SymPy's cbrt is x**(1/3), the principal complex root"),
        UnaryOp::Exp2 | UnaryOp::Log2 | UnaryOp::Log10 => {
            why("SymPy writes it as a power or a quotient of logs, which rounds differently")
        }
        UnaryOp::Trunc => why("not mapped to SymPy yet"),
        UnaryOp::Square => why("not mapped to SymPy yet"),
        UnaryOp::Imag if d.is_int() => {
            why("SymPy's im of an integer symbol is the constant 0, which loses the array")
        }
        UnaryOp::Real | UnaryOp::Imag | UnaryOp::Conj => None,
        UnaryOp::Angle => why("SymPy's arg has no C form for real values (autowrap fails)"),
        UnaryOp::Sinc => {
            why("SymPy's sinc is the unnormalized sin(x)/x, NumPy's is sin(pi x)/(pi x)")
        }
        UnaryOp::Expm1 | UnaryOp::Log1p => {
            why("SymPy has no such function, and exp(x) - 1 or log(1 + x) loses precision")
        }
        UnaryOp::Round => why("SymPy has no round-half-to-even function"),
        UnaryOp::Not if d.is_bool() => None,
        UnaryOp::Not => why("bitwise not of integers"),
        UnaryOp::IsNan | UnaryOp::IsInf | UnaryOp::IsFinite => {
            why("SymPy decides it symbolically (Ne(x, x) is false)")
        }
    }
}

fn binary(b: BinaryOp, d: DType) -> Option<String> {
    let why = |s: &str| Some(format!("{}: {s}", b.name()));
    match b {
        BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Atan2 => None,
        BinaryOp::Mod => None,
        BinaryOp::Pow if d.is_float() => None,
        BinaryOp::Pow => why("an integer power (SymPy's 2**-1 is 1/2, AIR's is 0)"),
        BinaryOp::FloorDiv => why("floor division (floor(a/b) is not exact for integers)"),
        BinaryOp::Rem => why("C's fmod remainder has no SymPy function"),
        BinaryOp::Max
        | BinaryOp::Min
        | BinaryOp::Lt
        | BinaryOp::Le
        | BinaryOp::Gt
        | BinaryOp::Ge
            if d.is_bool() =>
        {
            why("an order on booleans")
        }
        BinaryOp::Max | BinaryOp::Min => None,
        BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
            None
        }
        BinaryOp::And | BinaryOp::Or | BinaryOp::Xor if d.is_bool() => None,
        BinaryOp::And | BinaryOp::Or | BinaryOp::Xor => why("bitwise logic on integers"),
        BinaryOp::Shl | BinaryOp::Shr => why("shifts"),
        BinaryOp::Hypot | BinaryOp::Logaddexp | BinaryOp::Logaddexp2 => {
            why("SymPy has no such function, and the closed form loses range or precision")
        }
        BinaryOp::Copysign | BinaryOp::Heaviside => why("not mapped to SymPy yet"),
        BinaryOp::Complex => why("not mapped to SymPy yet"),
    }
}
