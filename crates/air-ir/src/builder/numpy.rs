//! NumPy's broadcasting and type promotion, applied by inserting `cast` and `broadcast` nodes.
//!
//! Which dtype an op computes in follows NumPy 2's ufunc loop selection (checked against NumPy
//! 2.4): the operands are promoted with [`DType::promote`], then moved to the first dtype the op
//! has a loop for. Where NumPy has a loop that AIR's op lacks, the equivalent AIR op is used
//! (`add` of bools is `or`) or the value is returned as is (`floor` of an integer), and where no
//! AIR op computes what NumPy does (integer `reciprocal`, `sign` of complex) the helper fails with
//! E0202 instead of approximating.

use crate::diag::{Code, Diagnostic};
use crate::dim::Dim;
use crate::dtype::DType;
use crate::infer::fmt_shape;
use crate::module::Value;
use crate::op::{BinaryOp, Op, UnaryOp};

use super::RegionBuilder;

/// NumPy's `result_type` of several array dtypes (NEP 50: no value-based casting), through
/// [`DType::promote`]; `bool` for none (the identity of promotion).
///
/// Pairwise promotion is not associative (`(i8 ⊕ u16) ⊕ f16` is f64, but NumPy's
/// `result_type(i8, u16, f16)` is f32), so this follows NumPy's sequence rule: the dtype with the
/// highest NumPy type number leads, every other is promoted against it, and those results are
/// promoted together. Checked against NumPy 2.4 on every sequence of up to four dtypes.
pub fn result_type(dtypes: &[DType]) -> DType {
    let Some(&main) = dtypes.iter().max_by_key(|d| numpy_type_num(**d)) else {
        return DType::Bool;
    };
    dtypes
        .iter()
        .filter(|&&d| d != main)
        .map(|&d| DType::promote(main, d))
        .reduce(DType::promote)
        .unwrap_or(main)
}

/// NumPy's type number, which orders who leads a promotion (`float16` is 23; bfloat16, a user
/// dtype in NumPy, comes after every builtin one).
fn numpy_type_num(d: DType) -> u32 {
    match d {
        DType::Bool => 0,
        DType::I8 => 1,
        DType::U8 => 2,
        DType::I16 => 3,
        DType::U16 => 4,
        DType::I32 => 5,
        DType::U32 => 6,
        DType::I64 => 9,
        DType::U64 => 10,
        DType::F32 => 11,
        DType::F64 => 12,
        DType::C64 => 14,
        DType::C128 => 15,
        DType::F16 => 23,
        DType::BF16 => 24,
    }
}

/// NumPy's broadcast of several shapes: aligned on the right, each axis takes the one extent that is
/// not the constant 1 (or 1). Symbolic dims broadcast when equal; `n` against `m` or `3` fails
/// (E0207) — a builder with unification on binds them instead
/// ([`RegionBuilder::broadcast_shapes`]).
pub fn broadcast_shapes(shapes: &[&[Dim]]) -> Result<Vec<Dim>, Diagnostic> {
    broadcast_with(shapes, |_, _| None)
}

fn broadcast_with(
    shapes: &[&[Dim]],
    mut unify: impl FnMut(&Dim, &Dim) -> Option<Dim>,
) -> Result<Vec<Dim>, Diagnostic> {
    let rank = shapes.iter().map(|s| s.len()).max().unwrap_or(0);
    let one = Dim::constant(1);
    let mut out = Vec::with_capacity(rank);
    for i in 0..rank {
        let mut acc = one.clone();
        for s in shapes {
            let Some(d) = (i + s.len()).checked_sub(rank).map(|j| &s[j]) else {
                continue;
            };
            if *d == one || *d == acc {
                continue;
            }
            if acc == one {
                acc = d.clone();
            } else if let Some(u) = unify(&acc, d) {
                acc = u;
            } else {
                let all: Vec<String> = shapes.iter().map(|s| fmt_shape(s)).collect();
                return Err(Diagnostic::new(
                    Code::BadBroadcast,
                    format!(
                        "shapes {} do not broadcast: axis {i} has {acc} and {d}",
                        all.join(", ")
                    ),
                ));
            }
        }
        out.push(acc);
    }
    Ok(out)
}

fn not_numpy(what: String) -> Diagnostic {
    Diagnostic::new(Code::DTypeNotAccepted, what)
}

/// The dtype NumPy computes a float function in for an operand of dtype `d`: the smallest float
/// holding it (`i8` → f16, `i16` → f32, `i32` → f64; `bool` → f16).
fn float_loop(d: DType) -> DType {
    if d.is_float() || d.is_complex() {
        d
    } else {
        DType::promote(d, DType::F16)
    }
}

/// How NumPy computes a unary function of a `d` operand: `Ok(None)` when it returns the
/// operand's values unchanged, else the dtype it computes in.
fn unary_loop(u: UnaryOp, d: DType) -> Result<Option<DType>, Diagnostic> {
    let no = || {
        Err(not_numpy(format!(
            "NumPy has no {} for {d} that AIR can express",
            u.name()
        )))
    };
    match u {
        UnaryOp::Neg if d.is_bool() => no(),
        UnaryOp::Neg => Ok(Some(d)),
        UnaryOp::Abs if d.is_bool() => Ok(None),
        UnaryOp::Abs => Ok(Some(d)),
        UnaryOp::Sign if d.is_bool() || d.is_complex() => no(),
        UnaryOp::Sign => Ok(Some(d)),
        UnaryOp::Floor | UnaryOp::Ceil | UnaryOp::Round | UnaryOp::Trunc if d.is_complex() => no(),
        UnaryOp::Floor | UnaryOp::Ceil | UnaryOp::Round | UnaryOp::Trunc if !d.is_float() => {
            Ok(None)
        }
        UnaryOp::Floor | UnaryOp::Ceil | UnaryOp::Round | UnaryOp::Trunc => Ok(Some(d)),
        // NumPy squares bool in int8.
        UnaryOp::Square if d.is_bool() => Ok(Some(DType::I8)),
        UnaryOp::Square => Ok(Some(d)),
        UnaryOp::Not if d.is_bool() || d.is_int() => Ok(Some(d)),
        UnaryOp::Not => no(),
        UnaryOp::Reciprocal if !(d.is_float() || d.is_complex()) => no(),
        // np.real of a real array is the array itself; np.imag is zeros of its dtype (AIR's imag
        // does not take bool); np.conjugate of bool computes in int8.
        UnaryOp::Real if d.is_complex() => Ok(Some(d)),
        UnaryOp::Real => Ok(None),
        UnaryOp::Imag if d.is_bool() => no(),
        UnaryOp::Imag => Ok(Some(d)),
        UnaryOp::Conj if d.is_bool() => Ok(Some(DType::I8)),
        UnaryOp::Conj => Ok(Some(d)),
        // np.angle(z) is arctan2(0, z) for real z, the 0 a Python int: bool goes to f64.
        UnaryOp::Angle if d.is_bool() => Ok(Some(DType::F64)),
        UnaryOp::Angle => Ok(Some(float_loop(d))),
        // np.sinc(x) starts with pi * x, a Python float: integers and bool go to f64.
        UnaryOp::Sinc if d.is_complex() => no(),
        UnaryOp::Sinc if d.is_float() => Ok(Some(d)),
        UnaryOp::Sinc => Ok(Some(DType::F64)),
        UnaryOp::Erf
        | UnaryOp::Logistic
        | UnaryOp::Asinh
        | UnaryOp::Acosh
        | UnaryOp::Atanh
        | UnaryOp::Exp2
        | UnaryOp::Log2
        | UnaryOp::Log10
        | UnaryOp::Cbrt
            if d.is_complex() =>
        {
            no()
        }
        UnaryOp::Exp
        | UnaryOp::Expm1
        | UnaryOp::Log
        | UnaryOp::Log1p
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
        | UnaryOp::Reciprocal
        | UnaryOp::Erf
        | UnaryOp::Logistic
        | UnaryOp::IsNan
        | UnaryOp::IsInf
        | UnaryOp::IsFinite
        | UnaryOp::Asinh
        | UnaryOp::Acosh
        | UnaryOp::Atanh
        | UnaryOp::Exp2
        | UnaryOp::Log2
        | UnaryOp::Log10
        | UnaryOp::Cbrt => Ok(Some(float_loop(d))),
    }
}

/// The AIR op and dtype NumPy's binary ufunc uses for operands promoted to `p`.
fn binary_loop(b: BinaryOp, p: DType) -> Result<(BinaryOp, DType), Diagnostic> {
    let no = || {
        Err(not_numpy(format!(
            "NumPy has no {} for {p} that AIR can express",
            b.name()
        )))
    };
    let (real, int) = (p.is_int() || p.is_float(), p.is_int());
    match b {
        BinaryOp::Add if p.is_bool() => Ok((BinaryOp::Or, p)),
        BinaryOp::Mul if p.is_bool() => Ok((BinaryOp::And, p)),
        BinaryOp::Sub if p.is_bool() => no(),
        BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul => Ok((b, p)),
        BinaryOp::Div if p.is_float() || p.is_complex() => Ok((b, p)),
        BinaryOp::Div => Ok((b, DType::F64)),
        BinaryOp::FloorDiv
        | BinaryOp::Rem
        | BinaryOp::Mod
        | BinaryOp::Pow
        | BinaryOp::Shl
        | BinaryOp::Shr
            if p.is_bool() =>
        {
            Ok((b, DType::I8))
        }
        BinaryOp::FloorDiv | BinaryOp::Rem | BinaryOp::Mod if real => Ok((b, p)),
        BinaryOp::Pow => Ok((b, p)),
        BinaryOp::Shl | BinaryOp::Shr if int => Ok((b, p)),
        BinaryOp::Max
        | BinaryOp::Min
        | BinaryOp::Lt
        | BinaryOp::Le
        | BinaryOp::Gt
        | BinaryOp::Ge
            if p.is_ordered() =>
        {
            Ok((b, p))
        }
        BinaryOp::Atan2
        | BinaryOp::Hypot
        | BinaryOp::Copysign
        | BinaryOp::Logaddexp
        | BinaryOp::Logaddexp2
        | BinaryOp::Heaviside
            if !p.is_complex() =>
        {
            Ok((b, float_loop(p)))
        }
        // NumPy has no complex ufunc; AIR's builder follows the dtype of `re + 1j * im`
        // (f16/f32 parts give c64, f64, integers and bool give c128); bf16 and complex parts
        // are refused.
        BinaryOp::Complex if matches!(p, DType::F16 | DType::F32) => Ok((b, DType::F32)),
        BinaryOp::Complex if p == DType::F64 || p.is_int() || p.is_bool() => Ok((b, DType::F64)),
        BinaryOp::Eq | BinaryOp::Ne => Ok((b, p)),
        BinaryOp::And | BinaryOp::Or | BinaryOp::Xor if p.is_bool() || int => Ok((b, p)),
        BinaryOp::FloorDiv
        | BinaryOp::Rem
        | BinaryOp::Mod
        | BinaryOp::Shl
        | BinaryOp::Shr
        | BinaryOp::Max
        | BinaryOp::Min
        | BinaryOp::Lt
        | BinaryOp::Le
        | BinaryOp::Gt
        | BinaryOp::Ge
        | BinaryOp::Atan2
        | BinaryOp::And
        | BinaryOp::Or
        | BinaryOp::Xor
        | BinaryOp::Hypot
        | BinaryOp::Copysign
        | BinaryOp::Logaddexp
        | BinaryOp::Logaddexp2
        | BinaryOp::Heaviside
        | BinaryOp::Complex => no(),
    }
}

impl RegionBuilder {
    /// [`broadcast_shapes`], where unequal dims are unified when the builder unifies dims (a fresh
    /// run-time dim is never unified).
    pub fn broadcast_shapes(&mut self, shapes: &[&[Dim]]) -> Result<Vec<Dim>, Diagnostic> {
        let mut shared = self.shared.borrow_mut();
        let shared = &mut *shared;
        let Some(u) = shared.unifier.as_mut() else {
            return broadcast_shapes(shapes);
        };
        let resolved: Vec<Vec<Dim>> = shapes
            .iter()
            .map(|s| s.iter().map(|d| u.resolve(d)).collect())
            .collect();
        let views: Vec<&[Dim]> = resolved.iter().map(Vec::as_slice).collect();
        let fresh = &shared.fresh;
        broadcast_with(&views, |a, b| {
            let mentions_fresh = |d: &Dim| d.symbols().iter().any(|s| fresh.contains(*s));
            if mentions_fresh(a) || mentions_fresh(b) {
                return None;
            }
            u.unify(a, b).ok()
        })
    }

    /// Makes `a` and `b` equal when the builder unifies dims (E0204 when they cannot be, or
    /// when unification is off and they differ). Returns the common dim.
    pub fn unify(&mut self, a: &Dim, b: &Dim) -> Result<Dim, Diagnostic> {
        let fail = |a: &Dim, b: &Dim| {
            Diagnostic::new(Code::ShapeMismatch, format!("dims {a} and {b} differ"))
        };
        let mut shared = self.shared.borrow_mut();
        let shared = &mut *shared;
        let Some(u) = shared.unifier.as_mut() else {
            return if a == b {
                Ok(a.clone())
            } else {
                Err(fail(a, b))
            };
        };
        let fresh = &shared.fresh;
        let mentions_fresh = |d: &Dim| u.resolve(d).symbols().iter().any(|s| fresh.contains(*s));
        if u.resolve(a) != u.resolve(b) && (mentions_fresh(a) || mentions_fresh(b)) {
            return Err(fail(a, b));
        }
        u.unify(a, b).map_err(|e| fail(&e.left, &e.right))
    }

    /// `v` cast to `dtype` (no node when it already is).
    pub fn cast_to(&mut self, v: Value, dtype: DType) -> Result<Value, Diagnostic> {
        match self.value_type(v) {
            Some(t) if t.dtype == dtype => Ok(v),
            _ => self.op(Op::Cast { dtype }, &[v]),
        }
    }

    /// `v` broadcast to `shape` as NumPy aligns it, on the right (no node when it already has
    /// that shape).
    pub fn broadcast_to(&mut self, v: Value, shape: &[Dim]) -> Result<Value, Diagnostic> {
        let Some(t) = self.value_type(v).map(|t| self.resolve_type(&t)) else {
            return Err(Diagnostic::new(
                Code::BadHandle,
                "operand is not a value of this region",
            ));
        };
        let shape: Vec<Dim> = shape.iter().map(|d| self.resolve_dim(d)).collect();
        if t.shape == shape {
            return Ok(v);
        }
        let Some(first) = shape.len().checked_sub(t.rank()) else {
            return Err(Diagnostic::new(
                Code::BadBroadcast,
                format!(
                    "cannot broadcast {t} to the lower rank {}",
                    fmt_shape(&shape)
                ),
            ));
        };
        let dims = (first..shape.len()).map(|i| i as u32).collect();
        self.op(Op::Broadcast { shape, dims }, &[v])
    }

    fn resolve_dim(&self, d: &Dim) -> Dim {
        match &self.shared.borrow().unifier {
            Some(u) => u.resolve(d),
            None => d.clone(),
        }
    }

    /// `op(a, b)` as NumPy computes it: operands promoted ([`result_type`]), moved to the dtype of
    /// NumPy's loop for the op, broadcast to a common shape, then the op.
    pub fn numpy_binary(&mut self, op: BinaryOp, a: Value, b: Value) -> Result<Value, Diagnostic> {
        let (ta, tb) = match (self.value_type(a), self.value_type(b)) {
            (Some(ta), Some(tb)) => (self.resolve_type(&ta), self.resolve_type(&tb)),
            _ => {
                return Err(Diagnostic::new(
                    Code::BadHandle,
                    "operand is not a value of this region",
                ))
            }
        };
        let (op, dtype) = binary_loop(op, DType::promote(ta.dtype, tb.dtype))?;
        let shape = self.broadcast_shapes(&[&ta.shape, &tb.shape])?;
        let name = self.pending_name.take();
        let loc = self.pending_loc.clone();
        let prepare = |this: &mut RegionBuilder, v: Value| -> Result<Value, Diagnostic> {
            this.pending_loc = loc.clone();
            let v = this.cast_to(v, dtype)?;
            this.pending_loc = loc.clone();
            this.broadcast_to(v, &shape)
        };
        let a = prepare(self, a)?;
        let b = prepare(self, b)?;
        (self.pending_name, self.pending_loc) = (name, loc);
        self.op(Op::Binary(op), &[a, b])
    }

    /// `op(a)` as NumPy computes it: the operand moved to the dtype of NumPy's loop for the op,
    /// then the op; `a` itself where NumPy returns the values unchanged (`floor` of an integer).
    pub fn numpy_unary(&mut self, op: UnaryOp, a: Value) -> Result<Value, Diagnostic> {
        let Some(t) = self.value_type(a) else {
            return Err(Diagnostic::new(
                Code::BadHandle,
                "operand is not a value of this region",
            ));
        };
        let Some(dtype) = unary_loop(op, t.dtype)? else {
            self.pending_name = None;
            self.pending_loc = None;
            return Ok(a);
        };
        let (name, loc) = (self.pending_name.take(), self.pending_loc.clone());
        let a = self.cast_to(a, dtype)?;
        (self.pending_name, self.pending_loc) = (name, loc);
        self.op(Op::Unary(op), &[a])
    }
}
