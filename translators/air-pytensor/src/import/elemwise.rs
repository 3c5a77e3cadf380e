//! `Elemwise`: the scalar op's AIR op, with PyTensor's upcasting and broadcasting made explicit.
//!
//! The output dtype is the one PyTensor declared (its upcasting rules already applied: a narrow
//! constant such as `int8 2` or `float32 0.5` follows the other operand). Arithmetic is computed
//! in that dtype; comparisons in the NumPy promotion of their inputs; `Switch` casts its
//! condition to bool. Axes of static extent 1 broadcast; other dims are unified.

use air_ir::{BinaryOp, DType, Dim, Literal, Op, Scalar, UnaryOp, Value};
use serde_json::Value as Json;

use super::{air, invalid, unsupported, Imp, Known, Res, Val};
use crate::error::ProblemKind;
use crate::json::Node;
use crate::table::{self, ScalarKind};

impl Imp<'_, '_> {
    /// Lowers an `Elemwise` node.
    pub(super) fn elemwise(&mut self, node: &Node) -> Res<Vec<Val>> {
        let kind = scalar_kind(node.op.prop("scalar_op"))?;
        let out = self.out_type(node)?.dtype;
        if let Some(k) = self.known_elemwise(node, kind, out)? {
            return Ok(vec![Val {
                air: None,
                known: Some(k),
            }]);
        }
        let ins = node
            .inputs
            .iter()
            .map(|&i| self.air(i))
            .collect::<Res<Vec<_>>>()?;
        let mut shapes = vec![];
        for &v in &ins {
            shapes.push(self.ty(v)?.shape);
        }
        if shapes.windows(2).any(|w| w[0].len() != w[1].len()) {
            return invalid("Elemwise inputs of different ranks");
        }
        for w in shapes.windows(2) {
            for (a, b) in w[0].iter().zip(&w[1]) {
                if a != b && a.as_const() != Some(1) && b.as_const() != Some(1) {
                    self.unify(a, b)?;
                }
            }
        }
        let views: Vec<&[Dim]> = shapes.iter().map(Vec::as_slice).collect();
        let shape = air(self.rb.broadcast_shapes(&views))?;
        let v = self.scalar_apply(kind, &ins, out, &shape)?;
        Ok(vec![Val::of(v)])
    }

    /// `v` cast to `dtype` and broadcast to `shape`.
    pub(crate) fn prep(&mut self, v: Value, dtype: DType, shape: &[Dim]) -> Res<Value> {
        let v = self.cast(v, dtype)?;
        air(self.rb.broadcast_to(v, shape))
    }

    fn prep_all(&mut self, ins: &[Value], dtype: DType, shape: &[Dim]) -> Res<Vec<Value>> {
        ins.iter().map(|&v| self.prep(v, dtype, shape)).collect()
    }

    fn dtype_of(&mut self, v: Value) -> Res<DType> {
        Ok(self.ty(v)?.dtype)
    }

    /// A rank-0 constant broadcast to `shape`.
    pub(crate) fn splat(&mut self, value: Scalar, dtype: DType, shape: &[Dim]) -> Res<Value> {
        let lit = Literal {
            dtype,
            shape: vec![],
            data: value.to_le_bytes(dtype),
        };
        if shape.is_empty() {
            return self.constant(lit);
        }
        air(self.rb.op(
            Op::Full {
                value: lit,
                shape: shape.to_vec(),
            },
            &[],
        ))
    }

    fn un(&mut self, u: UnaryOp, x: Value) -> Res<Value> {
        air(self.rb.op(Op::Unary(u), &[x]))
    }

    fn bin(&mut self, b: BinaryOp, x: Value, y: Value) -> Res<Value> {
        air(self.rb.op(Op::Binary(b), &[x, y]))
    }

    fn select(&mut self, c: Value, a: Value, b: Value) -> Res<Value> {
        air(self.rb.op(Op::Select, &[c, a, b]))
    }

    /// The scalar op applied elementwise to `ins` (any dtypes, broadcastable to `shape`); the
    /// result has dtype `out`.
    fn scalar_apply(
        &mut self,
        kind: ScalarKind,
        ins: &[Value],
        out: DType,
        shape: &[Dim],
    ) -> Res<Value> {
        let arity = |n: usize| {
            if ins.len() == n {
                Ok(())
            } else {
                invalid(format!("{} inputs, expected {n}", ins.len()))
            }
        };
        match kind {
            ScalarKind::Unary(u) => {
                arity(1)?;
                self.unary(u, ins[0], out, shape)
            }
            ScalarKind::Binary(b) => self.binary(b, ins, out, shape),
            ScalarKind::Switch => {
                arity(3)?;
                let c = self.prep(ins[0], DType::Bool, shape)?;
                let ab = self.prep_all(&ins[1..], out, shape)?;
                self.select(c, ab[0], ab[1])
            }
            ScalarKind::Cast | ScalarKind::Identity | ScalarKind::Real => {
                arity(1)?;
                self.prep(ins[0], out, shape)
            }
            ScalarKind::Second => {
                arity(2)?;
                self.prep(ins[1], out, shape)
            }
            ScalarKind::Sqr => {
                arity(1)?;
                let x = self.prep(ins[0], out, shape)?;
                if out.is_bool() {
                    self.bin(BinaryOp::And, x, x)
                } else {
                    self.un(UnaryOp::Square, x)
                }
            }
            ScalarKind::Clip => {
                arity(3)?;
                let xs = self.prep_all(ins, out, shape)?;
                self.clip(xs[0], xs[1], xs[2])
            }
            ScalarKind::Trunc => {
                arity(1)?;
                let x = self.prep(ins[0], out, shape)?;
                self.trunc(x, out, shape)
            }
            ScalarKind::Softplus => {
                arity(1)?;
                self.softplus(ins[0], out, shape)
            }
            ScalarKind::Unsupported => unsupported("unsupported scalar op"),
        }
    }

    /// A unary op: computed in the output dtype, except `Abs` of complex (the input's) and
    /// `IsNan`/`IsInf`/`IsFinite` (floats as they are, other inputs as f64: never NaN nor infinite).
    fn unary(&mut self, u: UnaryOp, x: Value, out: DType, shape: &[Dim]) -> Res<Value> {
        let d = self.dtype_of(x)?;
        let compute = match u {
            UnaryOp::Abs | UnaryOp::Real | UnaryOp::Imag if d.is_complex() => d,
            // PyTensor's Angle is float64 whatever its input; computed from a narrower input
            // (np.angle of c64 is f32, widened) it is not AIR's f64 angle.
            UnaryOp::Angle if matches!(d, DType::F64 | DType::C128) => d,
            UnaryOp::Angle if d.is_int() && d.size_bytes() >= 4 => out,
            UnaryOp::Angle => {
                return unsupported(format!(
                    "Angle of {d} (PyTensor computes it in {d} and widens to {out})"
                ))
            }
            UnaryOp::IsNan | UnaryOp::IsInf | UnaryOp::IsFinite
                if d.is_float() || d.is_complex() =>
            {
                d
            }
            UnaryOp::IsNan | UnaryOp::IsInf | UnaryOp::IsFinite => DType::F64,
            UnaryOp::Neg
            | UnaryOp::Abs
            | UnaryOp::Sign
            | UnaryOp::Exp
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
            | UnaryOp::Floor
            | UnaryOp::Ceil
            | UnaryOp::Round
            | UnaryOp::Erf
            | UnaryOp::Logistic
            | UnaryOp::Reciprocal
            | UnaryOp::Not
            | UnaryOp::Asinh
            | UnaryOp::Acosh
            | UnaryOp::Atanh
            | UnaryOp::Exp2
            | UnaryOp::Log2
            | UnaryOp::Log10
            | UnaryOp::Cbrt
            | UnaryOp::Trunc
            | UnaryOp::Square
            | UnaryOp::Real
            | UnaryOp::Imag
            | UnaryOp::Conj
            | UnaryOp::Sinc => out,
        };
        let x = self.prep(x, compute, shape)?;
        self.un(u, x)
    }

    /// A binary op (`Add`/`Mul` over any number of inputs): comparisons in the promotion of
    /// their inputs, the rest in the output dtype (`or`/`and` for bool `Add`/`Mul`).
    fn binary(&mut self, b: BinaryOp, ins: &[Value], out: DType, shape: &[Dim]) -> Res<Value> {
        if ins.len() < 2 || (ins.len() > 2 && !matches!(b, BinaryOp::Add | BinaryOp::Mul)) {
            return invalid(format!("{} inputs for a binary op", ins.len()));
        }
        let mut compute = out;
        if b == BinaryOp::Complex {
            // The parts are computed in the real dtype of the complex result.
            compute = out.real_part();
        }
        if b.is_comparison() {
            compute = self.dtype_of(ins[0])?;
            for &v in &ins[1..] {
                compute = DType::promote(compute, self.dtype_of(v)?);
            }
        }
        let b = match (b, compute.is_bool()) {
            (BinaryOp::Add, true) => BinaryOp::Or,
            (BinaryOp::Mul, true) => BinaryOp::And,
            (BinaryOp::Sub, true) => return unsupported("Sub of booleans"),
            (b, _) => b,
        };
        let xs = self.prep_all(ins, compute, shape)?;
        let mut acc = xs[0];
        for &x in &xs[1..] {
            acc = self.bin(b, acc, x)?;
        }
        Ok(acc)
    }

    /// PyTensor's `Clip`: `lo` where `x < lo`, else `hi` where `x > hi`, else `x` (NaN bounds
    /// leave `x`; `lo > hi` gives `lo` below it, unlike AIR's `clip`).
    fn clip(&mut self, x: Value, lo: Value, hi: Value) -> Res<Value> {
        let below = self.bin(BinaryOp::Lt, x, lo)?;
        let above = self.bin(BinaryOp::Gt, x, hi)?;
        let inner = self.select(above, hi, x)?;
        self.select(below, lo, inner)
    }

    /// `Trunc`: `ceil` below zero, `floor` elsewhere (integers unchanged).
    fn trunc(&mut self, x: Value, out: DType, shape: &[Dim]) -> Res<Value> {
        if !out.is_float() {
            return Ok(x);
        }
        let zero = self.splat(Scalar::Float(0.0), out, shape)?;
        let neg = self.bin(BinaryOp::Lt, x, zero)?;
        let up = self.un(UnaryOp::Ceil, x)?;
        let down = self.un(UnaryOp::Floor, x)?;
        self.select(neg, up, down)
    }

    /// PyTensor's `Softplus`: `exp(x)` below -37, `log1p(exp(x))` below 18, `x + exp(-x)` below
    /// 33.3, else `x` (the bounds in the computing dtype, as NumPy compares with a Python float).
    fn softplus(&mut self, x: Value, out: DType, shape: &[Dim]) -> Res<Value> {
        if !out.is_float() {
            return unsupported("Softplus with a non-float output");
        }
        let x = self.prep(x, out, shape)?;
        let c = |imp: &mut Self, v: f64| imp.splat(Scalar::Float(v), out, shape);
        let (m37, p18, p33) = (c(self, -37.0)?, c(self, 18.0)?, c(self, 33.3)?);
        let ex = self.un(UnaryOp::Exp, x)?;
        let l1 = self.un(UnaryOp::Log1p, ex)?;
        let nx = self.un(UnaryOp::Neg, x)?;
        let enx = self.un(UnaryOp::Exp, nx)?;
        let x_enx = self.bin(BinaryOp::Add, x, enx)?;
        let lt33 = self.bin(BinaryOp::Lt, x, p33)?;
        let r = self.select(lt33, x_enx, x)?;
        let lt18 = self.bin(BinaryOp::Lt, x, p18)?;
        let r = self.select(lt18, l1, r)?;
        let lt37 = self.bin(BinaryOp::Lt, x, m37)?;
        self.select(lt37, ex, r)
    }

    /// Integer arithmetic on known values stays known (shape arithmetic).
    fn known_elemwise(&mut self, node: &Node, kind: ScalarKind, out: DType) -> Res<Option<Known>> {
        let conversion = matches!(kind, ScalarKind::Cast | ScalarKind::Identity);
        if !(out.is_int() || conversion && out.is_float()) {
            return Ok(None);
        }
        let mut ks = vec![];
        for &i in &node.inputs {
            match self.known(i)? {
                Some(k) => ks.push(k),
                None => return Ok(None),
            }
        }
        let len = ks.iter().map(|k| k.dims.len()).max().unwrap_or(1);
        if ks.iter().any(|k| k.dims.len() != len && k.dims.len() != 1) {
            return Ok(None);
        }
        let scalar = ks.iter().all(|k| k.scalar);
        let mut dims = vec![];
        for j in 0..len {
            let at = |k: &Known| k.dims[if k.dims.len() == 1 { 0 } else { j }].clone();
            let args: Vec<Dim> = ks.iter().map(at).collect();
            match known_op(kind, &args) {
                Some(d) => dims.push(d),
                None => return Ok(None),
            }
        }
        Ok(Some(Known { dims, scalar }))
    }
}

/// One element of integer arithmetic on dims, when it is exact.
fn known_op(kind: ScalarKind, args: &[Dim]) -> Option<Dim> {
    let consts = || args.iter().map(Dim::as_const).collect::<Option<Vec<i64>>>();
    match (kind, args) {
        (ScalarKind::Binary(BinaryOp::Add), [a, rest @ ..]) => {
            rest.iter().try_fold(a.clone(), |acc, d| acc.add(d).ok())
        }
        (ScalarKind::Binary(BinaryOp::Mul), [a, rest @ ..]) => {
            rest.iter().try_fold(a.clone(), |acc, d| acc.mul(d).ok())
        }
        (ScalarKind::Binary(BinaryOp::Sub), [a, b]) => a.sub(b).ok(),
        (ScalarKind::Unary(UnaryOp::Neg), [a]) => Dim::constant(0).sub(a).ok(),
        (ScalarKind::Identity | ScalarKind::Cast, [a]) => Some(a.clone()),
        (ScalarKind::Second, [_, b]) => Some(b.clone()),
        (ScalarKind::Binary(BinaryOp::Max | BinaryOp::Min), [a, b]) if a == b => Some(a.clone()),
        (ScalarKind::Binary(b), [_, _]) => {
            let c = consts()?;
            let (x, y) = (c[0], c[1]);
            let v = match b {
                BinaryOp::FloorDiv => floor_div(x, y),
                BinaryOp::Max => Some(x.max(y)),
                BinaryOp::Min => Some(x.min(y)),
                BinaryOp::Add
                | BinaryOp::Sub
                | BinaryOp::Mul
                | BinaryOp::Div
                | BinaryOp::Rem
                | BinaryOp::Mod
                | BinaryOp::Pow
                | BinaryOp::Atan2
                | BinaryOp::Eq
                | BinaryOp::Ne
                | BinaryOp::Lt
                | BinaryOp::Le
                | BinaryOp::Gt
                | BinaryOp::Ge
                | BinaryOp::And
                | BinaryOp::Or
                | BinaryOp::Xor
                | BinaryOp::Shl
                | BinaryOp::Shr
                | BinaryOp::Hypot
                | BinaryOp::Copysign
                | BinaryOp::Logaddexp
                | BinaryOp::Logaddexp2
                | BinaryOp::Heaviside
                | BinaryOp::Complex => None,
            }?;
            Some(Dim::constant(v))
        }
        _ => None,
    }
}

/// The scalar kind of an `Elemwise`'s (or `CAReduce`'s) `scalar_op` prop.
pub(crate) fn scalar_kind(prop: Option<&Json>) -> Res<ScalarKind> {
    let op = prop
        .and_then(|p| p.get("op"))
        .ok_or((ProblemKind::Invalid, "no scalar_op".to_string()))?;
    let s = |k: &str| op.get(k).and_then(Json::as_str).unwrap_or("");
    table::scalar_op(s("class"), s("module"))
        .map(|e| e.kind)
        .ok_or((
            ProblemKind::UnknownOp,
            format!("unknown scalar op {}", s("class")),
        ))
}

/// Python's `x // y` (None for a zero divisor or overflow).
fn floor_div(x: i64, y: i64) -> Option<i64> {
    let q = x.checked_div(y)?;
    let r = x.checked_rem(y)?;
    Some(if r != 0 && ((r < 0) != (y < 0)) {
        q - 1
    } else {
        q
    })
}
