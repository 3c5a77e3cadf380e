//! Type and shape inference: the result types of one op applied to operands of given types, by the
//! rules of `docs/op-rules.md`.
//!
//! [`infer`] covers every op from the op and its operand types alone, except `call` and `custom`,
//! which need the module's functions, and `if`, whose result dims may mention symbols bound only
//! inside a branch. Those take a [`Context`] through [`infer_with`]. For `for` and `if` the types of
//! the values a region yields are the *declared* types of its nodes: the validator checks the
//! region itself before it asks for the op's result types.
//!
//! A result dim is [`DimSlot::Known`] or [`DimSlot::Fresh`]: an extent known only at run time
//! (`filter`, some `slice`s, results of callees with such dims), which the declared type names with a
//! symbol not used earlier in the function.

// `Diagnostic` is the crate's one error type (160 bytes); boxing it would only move the cost.
#![allow(clippy::result_large_err)]

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;

use crate::diag::{Code, Diagnostic};
use crate::dim::{Dim, DimOverflow};
use crate::dtype::DType;
use crate::module::Function;
use crate::op::Op;
use crate::types::TensorType;

mod contract;
mod control;
mod elementwise;
mod reduce;
mod scatter;
mod shape;
pub(crate) mod slice;

pub use contract::{parse_einsum, EinsumSpec};

/// One dim of an inferred result type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum DimSlot {
    /// An extent known statically (possibly symbolic).
    Known(Dim),
    /// An extent known only at run time: the declared type names it with a new symbol.
    Fresh,
    /// The extent of the node's `k`-th fresh dim (counted over its results and axes in order):
    /// the declared type names it with that dim's symbol (`unique`'s `values` and `counts`).
    FreshAgain(usize),
}

/// An inferred result type: a dtype and one slot per axis.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Inferred {
    /// The element type.
    pub dtype: DType,
    /// One slot per axis.
    pub shape: Vec<DimSlot>,
}

impl Inferred {
    /// A type whose dims are all known.
    pub fn known(ty: TensorType) -> Inferred {
        Inferred {
            dtype: ty.dtype,
            shape: ty.shape.into_iter().map(DimSlot::Known).collect(),
        }
    }

    /// The type, when no dim is fresh.
    pub fn to_type(&self) -> Option<TensorType> {
        let shape = self
            .shape
            .iter()
            .map(|s| match s {
                DimSlot::Known(d) => Some(d.clone()),
                DimSlot::Fresh | DimSlot::FreshAgain(_) => None,
            })
            .collect::<Option<Vec<Dim>>>()?;
        Some(TensorType::new(self.dtype, shape))
    }

    /// The number of axes.
    pub fn rank(&self) -> usize {
        self.shape.len()
    }
}

impl std::fmt::Display for Inferred {
    /// `f64[n, ?]`: fresh dims print as `?`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.dtype)?;
        if !self.shape.is_empty() {
            let dims: Vec<String> = self
                .shape
                .iter()
                .map(|s| match s {
                    DimSlot::Known(d) => d.to_string(),
                    DimSlot::Fresh => "?".to_string(),
                    DimSlot::FreshAgain(k) => format!("?{k}"),
                })
                .collect();
            write!(f, "[{}]", dims.join(", "))?;
        }
        Ok(())
    }
}

/// What inference needs beyond the op and its operand types.
#[derive(Clone, Copy, Debug, Default)]
pub struct Context<'a> {
    /// The functions a `call` or a custom op's decomposition may name (the module's; the first of
    /// two with one name wins). Without them, `call` and decompositions are unknown (E0402).
    pub functions: &'a [Function],
    /// `functions` by name (the first of two with one name), when the caller has built the
    /// index: a call is then looked up in constant time instead of by a scan of the module.
    pub index: Option<&'a HashMap<&'a str, usize>>,
    /// The node's declared result types: what a `custom` op produces (they are trusted).
    pub declared: Option<&'a [TensorType]>,
    /// The symbols bound where the node is. A dim of an `if` branch's yield, of a callee's result or
    /// of a custom op's declared result that mentions another symbol is [`DimSlot::Fresh`]. `None`
    /// counts every symbol as bound.
    pub bound: Option<&'a BTreeSet<String>>,
}

impl Context<'_> {
    /// True when every symbol of `d` is bound here.
    pub(crate) fn is_bound(&self, d: &Dim) -> bool {
        match self.bound {
            None => true,
            Some(b) => d.symbols().iter().all(|s| b.contains(*s)),
        }
    }

    /// The function with this name.
    pub(crate) fn function(&self, name: &str) -> Option<&Function> {
        match self.index {
            Some(index) => index.get(name).and_then(|&i| self.functions.get(i)),
            None => self.functions.iter().find(|f| f.name == name),
        }
    }
}

/// The result types of `op` applied to operands of these types, for every op but `call` and
/// `custom` (see [`infer_with`]). Errors carry the code and message only; the validator adds the
/// function, node and location.
pub fn infer(op: &Op, operands: &[TensorType]) -> Result<Vec<Inferred>, Diagnostic> {
    infer_with(op, operands, &Context::default())
}

/// [`infer`] with the context that `call`, `custom` and `if` need.
pub fn infer_with(
    op: &Op,
    operands: &[TensorType],
    ctx: &Context<'_>,
) -> Result<Vec<Inferred>, Diagnostic> {
    let one = |r: Result<TensorType, Diagnostic>| r.map(|t| vec![Inferred::known(t)]);
    match op {
        Op::Constant(lit) => one(shape::constant(lit, operands)),
        Op::Iota { dtype, shape, axis } => one(shape::iota(*dtype, shape, *axis, operands)),
        Op::Full { value, shape } => one(shape::full(value, shape, operands)),
        Op::Unary(u) => one(elementwise::unary(*u, operands)),
        Op::Binary(b) => one(elementwise::binary(*b, operands)),
        Op::Select => one(elementwise::select(operands)),
        Op::Cast { dtype } => one(elementwise::cast(*dtype, operands)),
        Op::Clip => one(elementwise::clip(operands)),
        Op::Broadcast { shape, dims } => one(shape::broadcast(shape, dims, operands)),
        Op::Reshape { shape } => one(shape::reshape(shape, operands)),
        Op::Transpose { perm } => one(shape::transpose(perm, operands)),
        Op::ExpandDims { axes } => one(shape::expand_dims(axes, operands)),
        Op::Squeeze { axes } => one(shape::squeeze(axes, operands)),
        Op::Slice { axes } => slice::slice(axes, operands).map(|t| vec![t]),
        Op::Concat { axis } => one(shape::concat(*axis, operands)),
        Op::Take { axis } => one(shape::take(*axis, operands)),
        Op::Extract => one(shape::extract(operands)),
        Op::Insert => one(shape::insert(operands)),
        Op::Filter => shape::filter(operands).map(|t| vec![t]),
        Op::Scatter { mode } => one(scatter::scatter(*mode, operands)),
        Op::Gather => one(scatter::gather(operands)),
        Op::Unique => scatter::unique(operands),
        Op::Reduce {
            kind,
            axes,
            keepdims,
        } => one(reduce::reduce(*kind, axes, *keepdims, operands)),
        Op::ArgReduce {
            kind,
            axis,
            keepdims,
        } => one(reduce::arg_reduce(*kind, *axis, *keepdims, operands)),
        Op::Scan { kind, axis } => one(reduce::scan(*kind, *axis, operands)),
        Op::Sort { axis, .. } => one(reduce::sort(*axis, operands)),
        Op::Einsum { spec } => one(contract::einsum(spec, operands)),
        Op::Matmul => one(contract::matmul(operands)),
        Op::For { body } => control::for_loop(body, operands),
        Op::If {
            then_branch,
            else_branch,
        } => control::if_else(then_branch, else_branch, operands, ctx),
        Op::While { cond, body } => control::while_loop(cond, body, operands, ctx),
        Op::Call { callee } => control::call(callee, operands, ctx),
        Op::Custom(c) => control::custom(c, operands, ctx),
    }
}

// ---- helpers shared by the op families ------------------------------------------------------

/// A class of dtypes an op accepts (`docs/op-rules.md`, "Dtype classes").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Class {
    Any,
    Bool,
    Int,
    BoolInt,
    Numeric,
    Real,
    Ordered,
    Float,
    FloatComplex,
    IntFloat,
    /// `f32` and `f64` (the component dtypes of `c64` and `c128`).
    Float32Or64,
}

impl Class {
    pub(crate) fn accepts(self, d: DType) -> bool {
        match self {
            Class::Any => true,
            Class::Bool => d.is_bool(),
            Class::Int => d.is_int(),
            Class::BoolInt => d.is_bool() || d.is_int(),
            Class::Numeric => d.is_numeric(),
            Class::Real => d.is_int() || d.is_float(),
            Class::Ordered => d.is_ordered(),
            Class::Float => d.is_float(),
            Class::FloatComplex => d.is_float() || d.is_complex(),
            Class::IntFloat => d.is_int() || d.is_float(),
            Class::Float32Or64 => matches!(d, DType::F32 | DType::F64),
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Class::Any => "any dtype",
            Class::Bool => "bool",
            Class::Int => "integers",
            Class::BoolInt => "bool and integers",
            Class::Numeric => "numeric dtypes",
            Class::Real => "integers and real floats",
            Class::Ordered => "bool, integers and real floats",
            Class::Float => "real floats",
            Class::FloatComplex => "floats and complex",
            Class::IntFloat => "integers and real floats",
            Class::Float32Or64 => "f32 and f64",
        }
    }
}

pub(crate) fn err(code: Code, msg: impl Into<String>) -> Diagnostic {
    Diagnostic::new(code, msg)
}

pub(crate) fn overflow(e: DimOverflow) -> Diagnostic {
    match e {
        DimOverflow::Arithmetic | DimOverflow::BadDivisor(_) => err(Code::BadDim, e.to_string()),
        DimOverflow::TooLarge => err(Code::LimitExceeded, e.to_string()),
    }
}

/// `[n, m+1]`.
pub(crate) fn fmt_shape(shape: &[Dim]) -> String {
    let mut s = String::from("[");
    for (i, d) in shape.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        let _ = write!(s, "{d}");
    }
    s.push(']');
    s
}

pub(crate) fn arity(operands: &[TensorType], n: usize) -> Result<(), Diagnostic> {
    if operands.len() == n {
        return Ok(());
    }
    let plural = if n == 1 { "" } else { "s" };
    Err(err(
        Code::Arity,
        format!("expected {n} operand{plural}, got {}", operands.len()),
    ))
}

pub(crate) fn accept(class: Class, d: DType) -> Result<(), Diagnostic> {
    if class.accepts(d) {
        return Ok(());
    }
    Err(err(
        Code::DTypeNotAccepted,
        format!("dtype {d} not accepted (accepts {})", class.describe()),
    ))
}

/// The one dtype shared by all operands (E0201 otherwise). `operands` is not empty.
pub(crate) fn same_dtype(operands: &[TensorType]) -> Result<DType, Diagnostic> {
    let first = operands.first().map_or(DType::Bool, |t| t.dtype);
    match operands.iter().find(|t| t.dtype != first) {
        None => Ok(first),
        Some(t) => Err(err(
            Code::DTypeMismatch,
            format!("operand dtypes differ ({first} vs {})", t.dtype),
        )),
    }
}

/// All operands have the first one's shape (E0204 otherwise).
pub(crate) fn same_shape(operands: &[TensorType]) -> Result<(), Diagnostic> {
    let Some(first) = operands.first() else {
        return Ok(());
    };
    match operands.iter().find(|t| t.shape != first.shape) {
        None => Ok(()),
        Some(t) => Err(err(
            Code::ShapeMismatch,
            format!(
                "operand shapes differ ({} vs {})",
                fmt_shape(&first.shape),
                fmt_shape(&t.shape)
            ),
        )),
    }
}

pub(crate) fn check_axis(axis: u32, rank: usize) -> Result<usize, Diagnostic> {
    let a = axis as usize;
    if a < rank {
        return Ok(a);
    }
    Err(err(
        Code::BadAxis,
        format!("axis {axis} out of range for rank {rank}"),
    ))
}

/// Axes each `< rank` and distinct (E0205).
pub(crate) fn check_axes(axes: &[u32], rank: usize) -> Result<Vec<usize>, Diagnostic> {
    let mut seen = vec![false; rank];
    let mut out = Vec::with_capacity(axes.len());
    for &a in axes {
        let i = check_axis(a, rank)?;
        if seen[i] {
            return Err(err(Code::BadAxis, format!("axis {a} repeated")));
        }
        seen[i] = true;
        out.push(i);
    }
    Ok(out)
}

pub(crate) fn scalar(t: &TensorType, what: &str) -> Result<(), Diagnostic> {
    if t.rank() == 0 {
        return Ok(());
    }
    Err(err(
        Code::ExpectedScalar,
        format!("{what} must be a scalar, got {t}"),
    ))
}

/// A shape attribute has no negative constant dim (E0217).
pub(crate) fn check_shape_attr(shape: &[Dim]) -> Result<(), Diagnostic> {
    match shape.iter().find(|d| d.as_const().is_some_and(|c| c < 0)) {
        None => Ok(()),
        Some(d) => Err(err(
            Code::BadShape,
            format!("negative dim {d} in shape {}", fmt_shape(shape)),
        )),
    }
}
