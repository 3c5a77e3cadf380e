//! Element operations: what one element of every elementwise op computes, with the exact
//! semantics of `docs/op-rules.md` (wrapping integers, integer division by zero giving 0, Python
//! floor division and modulo, NumPy's `npy_divmod` for floats, NaN-propagating max/min with
//! NumPy's tie rule, saturating float-to-int casts).

use air_ir::{BinaryOp, DType, Scalar, UnaryOp};
use inkwell::attributes::{Attribute, AttributeLoc};
use inkwell::module::Linkage;
use inkwell::types::{BasicType, BasicTypeEnum};
use inkwell::values::{BasicValueEnum, FloatValue, FunctionValue, IntValue};
use inkwell::{FloatPredicate, IntPredicate};

use super::wide::is_half;
use super::{CgError, FnGen, R};

/// How a float function is computed.
enum FloatFn {
    /// An LLVM intrinsic (vectorised through libmvec where it has a variant).
    Intrinsic(&'static str),
    /// A C math library function (`name` for f64, `namef` for f32).
    Libm(&'static str),
}

fn float_fn(op: UnaryOp) -> Option<FloatFn> {
    use UnaryOp::*;
    Some(match op {
        Exp => FloatFn::Intrinsic("llvm.exp"),
        Log => FloatFn::Intrinsic("llvm.log"),
        Sqrt => FloatFn::Intrinsic("llvm.sqrt"),
        Sin => FloatFn::Intrinsic("llvm.sin"),
        Cos => FloatFn::Intrinsic("llvm.cos"),
        Tan => FloatFn::Intrinsic("llvm.tan"),
        Floor => FloatFn::Intrinsic("llvm.floor"),
        Ceil => FloatFn::Intrinsic("llvm.ceil"),
        Round => FloatFn::Intrinsic("llvm.roundeven"),
        Abs => FloatFn::Intrinsic("llvm.fabs"),
        Expm1 => FloatFn::Libm("expm1"),
        Log1p => FloatFn::Libm("log1p"),
        Asin => FloatFn::Libm("asin"),
        Acos => FloatFn::Libm("acos"),
        Atan => FloatFn::Libm("atan"),
        Sinh => FloatFn::Libm("sinh"),
        Cosh => FloatFn::Libm("cosh"),
        Tanh => FloatFn::Libm("tanh"),
        Erf => FloatFn::Libm("erf"),
        Asinh => FloatFn::Libm("asinh"),
        Acosh => FloatFn::Libm("acosh"),
        Atanh => FloatFn::Libm("atanh"),
        Cbrt => FloatFn::Libm("cbrt"),
        Exp2 => FloatFn::Intrinsic("llvm.exp2"),
        Log2 => FloatFn::Intrinsic("llvm.log2"),
        Log10 => FloatFn::Intrinsic("llvm.log10"),
        Trunc => FloatFn::Intrinsic("llvm.trunc"),
        Neg | Sign | Rsqrt | Logistic | Reciprocal | Not | IsNan | IsInf | IsFinite | Square => {
            return None
        }
        UnaryOp::Real | Imag | Conj | Angle | Sinc => return None,
    })
}

impl<'g, 'ctx, 'a> FnGen<'g, 'ctx, 'a> {
    /// A scalar of a literal as a register constant.
    // inkwell's BasicTypeEnum is foreign: every LLVM type other than the ones above is unsupported
    #[allow(clippy::wildcard_enum_match_arm)]
    pub fn const_elem(&self, d: DType, s: Scalar) -> R<BasicValueEnum<'ctx>> {
        match d {
            // Rounded to the dtype as the interpreter reads a literal (correct rounding).
            DType::F16 => {
                let v = half::f16::from_f64(s.as_complex().0).to_f32();
                return Ok(self.g.c.f32_type().const_float(f64::from(v)).into());
            }
            DType::BF16 => {
                let v = half::bf16::from_f64(s.as_complex().0).to_f32();
                return Ok(self.g.c.f32_type().const_float(f64::from(v)).into());
            }
            DType::C64 | DType::C128 => {
                let (re, im) = s.as_complex();
                let (re, im) = if d == DType::C64 {
                    (f64::from(re as f32), f64::from(im as f32))
                } else {
                    (re, im)
                };
                let ft = self.g.component_ty(d);
                return Ok(self
                    .g
                    .complex_ty(d)
                    .const_named_struct(&[ft.const_float(re).into(), ft.const_float(im).into()])
                    .into());
            }
            DType::Bool
            | DType::I8
            | DType::I16
            | DType::I32
            | DType::I64
            | DType::U8
            | DType::U16
            | DType::U32
            | DType::U64
            | DType::F32
            | DType::F64 => {}
        }
        let ty = self.g.reg_ty(d)?;
        Ok(match ty {
            BasicTypeEnum::IntType(t) => {
                let v = match (d, s) {
                    (DType::Bool, s) => u64::from(s.as_complex() != (0.0, 0.0) || s.as_i128() != 0),
                    (_, s) => s.as_i128() as u64,
                };
                t.const_int(v, false).into()
            }
            BasicTypeEnum::FloatType(t) => t.const_float(s.as_complex().0).into(),
            _ => return Err(CgError::unsupported(format!("constant of dtype {d}"))),
        })
    }

    /// A C math function of one float type, declared once, with no side effects.
    pub(super) fn libm(
        &self,
        name: &str,
        ty: BasicTypeEnum<'ctx>,
        arity: usize,
    ) -> FunctionValue<'ctx> {
        let full = if ty.is_float_type() && ty.into_float_type() == self.g.c.f32_type() {
            format!("{name}f")
        } else {
            name.to_string()
        };
        if let Some(f) = self.g.m.get_function(&full) {
            return f;
        }
        let args: Vec<_> = (0..arity).map(|_| ty.into()).collect();
        let fty = ty.fn_type(&args, false);
        let f = self.g.m.add_function(&full, fty, Some(Linkage::External));
        let c = self.g.c;
        for (name, value) in [("memory", 0), ("nounwind", 0), ("willreturn", 0)] {
            let kind = Attribute::get_named_enum_kind_id(name);
            f.add_attribute(AttributeLoc::Function, c.create_enum_attribute(kind, value));
        }
        f
    }

    fn float_call(&self, f: &FloatFn, x: FloatValue<'ctx>) -> R<FloatValue<'ctx>> {
        let ty: BasicTypeEnum<'ctx> = x.get_type().into();
        let v = match f {
            FloatFn::Intrinsic(name) => self.intrinsic(name, &[ty], &[x.into()])?,
            FloatFn::Libm(name) => self.call(self.libm(name, ty, 1), &[x.into()])?,
        };
        Ok(v.into_float_value())
    }

    fn fconst(&self, like: FloatValue<'ctx>, v: f64) -> FloatValue<'ctx> {
        like.get_type().const_float(v)
    }

    /// One element of a unary op on `x` (of dtype `d`).
    pub fn unary(&self, op: UnaryOp, d: DType, x: BasicValueEnum<'ctx>) -> R<BasicValueEnum<'ctx>> {
        if d.is_complex() {
            return self.unary_complex(op, d, x);
        }
        if is_half(d) && op == UnaryOp::Sinc {
            return Ok(self.sinc_half(d, x.into_float_value())?.into());
        }
        if is_half(d) {
            // Computed in f32, rounded to the dtype (predicates give bool, nothing to round).
            let r = self.unary_float(op, x.into_float_value())?;
            return self.rounded(d, r);
        }
        if d.is_float() {
            return self.unary_float(op, x.into_float_value());
        }
        let x = x.into_int_value();
        let b = &self.b;
        let t = x.get_type();
        let v: IntValue<'ctx> = match (op, d) {
            (UnaryOp::Not, _) => b.build_not(x, "")?,
            (UnaryOp::Neg, _) => b.build_int_sub(t.const_zero(), x, "")?,
            // spec: #square — exactly mul(x, x): wraps
            (UnaryOp::Square, _) => b.build_int_mul(x, x, "")?,
            (UnaryOp::Abs, d) if d.is_signed_int() => {
                let f = self.g.c.bool_type().const_zero();
                self.intrinsic("llvm.abs", &[t.into()], &[x.into(), f.into()])?
                    .into_int_value()
            }
            (UnaryOp::Abs, _) => x,
            // spec: #real #conj #imag — of a real value: itself, itself, zero
            (UnaryOp::Real | UnaryOp::Conj, _) => x,
            (UnaryOp::Imag, _) => t.const_zero(),
            (UnaryOp::Sign, d) if d.is_signed_int() => {
                let pos = b.build_int_compare(IntPredicate::SGT, x, t.const_zero(), "")?;
                let neg = b.build_int_compare(IntPredicate::SLT, x, t.const_zero(), "")?;
                let pos = b.build_int_z_extend(pos, t, "")?;
                let neg = b.build_int_z_extend(neg, t, "")?;
                b.build_int_sub(pos, neg, "")?
            }
            (UnaryOp::Sign, _) => {
                let nz = b.build_int_compare(IntPredicate::NE, x, t.const_zero(), "")?;
                b.build_int_z_extend(nz, t, "")?
            }
            _ => return Err(CgError::unsupported(format!("{} on {d}", op.name()))),
        };
        Ok(v.into())
    }

    fn unary_float(&self, op: UnaryOp, x: FloatValue<'ctx>) -> R<BasicValueEnum<'ctx>> {
        let b = &self.b;
        let one = self.fconst(x, 1.0);
        if let Some(f) = float_fn(op) {
            return Ok(self.float_call(&f, x)?.into());
        }
        Ok(match op {
            UnaryOp::Neg => b.build_float_neg(x, "")?.into(),
            UnaryOp::Square => b.build_float_mul(x, x, "")?.into(),
            UnaryOp::Reciprocal => b.build_float_div(one, x, "")?.into(),
            UnaryOp::Rsqrt => {
                let s = self.float_call(&FloatFn::Intrinsic("llvm.sqrt"), x)?;
                b.build_float_div(one, s, "")?.into()
            }
            UnaryOp::Logistic => {
                let e =
                    self.float_call(&FloatFn::Intrinsic("llvm.exp"), b.build_float_neg(x, "")?)?;
                let d = b.build_float_add(one, e, "")?;
                b.build_float_div(one, d, "")?.into()
            }
            UnaryOp::Sign => {
                let zero = self.fconst(x, 0.0);
                let pos = b.build_float_compare(FloatPredicate::OGT, x, zero, "")?;
                let neg = b.build_float_compare(FloatPredicate::OLT, x, zero, "")?;
                let nan = b.build_float_compare(FloatPredicate::UNO, x, x, "")?;
                let r = b.build_select(nan, x, zero, "")?;
                let r = b.build_select(neg, self.fconst(x, -1.0), r.into_float_value(), "")?;
                b.build_select(pos, one, r.into_float_value(), "")?
            }
            UnaryOp::IsNan => b.build_float_compare(FloatPredicate::UNO, x, x, "")?.into(),
            // spec: #real #conj #imag #angle — of a real value
            UnaryOp::Real | UnaryOp::Conj => x.into(),
            UnaryOp::Imag => self.fconst(x, 0.0).into(),
            UnaryOp::Angle => {
                let atan2 = self.libm("atan2", x.get_type().into(), 2);
                self.call(atan2, &[self.fconst(x, 0.0).into(), x.into()])?
            }
            UnaryOp::Sinc => self.sinc(x)?.into(),
            UnaryOp::IsInf | UnaryOp::IsFinite => {
                let a = self.float_call(&FloatFn::Intrinsic("llvm.fabs"), x)?;
                let inf = self.fconst(x, f64::INFINITY);
                let pred = if op == UnaryOp::IsInf {
                    FloatPredicate::OEQ
                } else {
                    FloatPredicate::OLT
                };
                b.build_float_compare(pred, a, inf, "")?.into()
            }
            UnaryOp::Abs
            | UnaryOp::Exp
            | UnaryOp::Expm1
            | UnaryOp::Log
            | UnaryOp::Log1p
            | UnaryOp::Sqrt
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
            | UnaryOp::Asinh
            | UnaryOp::Acosh
            | UnaryOp::Atanh
            | UnaryOp::Exp2
            | UnaryOp::Log2
            | UnaryOp::Log10
            | UnaryOp::Cbrt
            | UnaryOp::Trunc
            | UnaryOp::Not => return Err(CgError::unsupported(format!("{} on floats", op.name()))),
        })
    }

    /// spec: #sinc — `t = pi * x`; 1 where `t` is 0, else `sin(t) / t`.
    fn sinc(&self, x: FloatValue<'ctx>) -> R<FloatValue<'ctx>> {
        let b = &self.b;
        let t = b.build_float_mul(self.fconst(x, std::f64::consts::PI), x, "")?;
        let s = self.float_call(&FloatFn::Intrinsic("llvm.sin"), t)?;
        let q = b.build_float_div(s, t, "")?;
        let zero = b.build_float_compare(FloatPredicate::OEQ, t, self.fconst(x, 0.0), "")?;
        Ok(b.build_select(zero, self.fconst(x, 1.0), q, "")?
            .into_float_value())
    }

    /// spec: #sinc — on f16 and bf16 (held in f32) every step is rounded to the dtype, as
    /// NumPy's half loops and the interpreter: `t = round(round(pi) * x)`, then
    /// `round(round(sin(t)) / t)`, 1 where `t` is 0.
    fn sinc_half(&self, d: DType, x: FloatValue<'ctx>) -> R<FloatValue<'ctx>> {
        let b = &self.b;
        let pi = self.round_half(d, self.fconst(x, std::f64::consts::PI))?;
        let t = self.round_half(d, b.build_float_mul(pi, x, "")?)?;
        let s = self.round_half(d, self.float_call(&FloatFn::Intrinsic("llvm.sin"), t)?)?;
        let q = self.round_half(d, b.build_float_div(s, t, "")?)?;
        let zero = b.build_float_compare(FloatPredicate::OEQ, t, self.fconst(x, 0.0), "")?;
        Ok(b.build_select(zero, self.fconst(x, 1.0), q, "")?
            .into_float_value())
    }

    /// spec: #logaddexp #logaddexp2 — NumPy's formula: equal operands (infinities included)
    /// give `x + log(2)`; otherwise `max + log1p(exp(-|x - y|))` (NaN when either is NaN).
    fn logaddexp(
        &self,
        x: FloatValue<'ctx>,
        y: FloatValue<'ctx>,
        base2: bool,
    ) -> R<FloatValue<'ctx>> {
        let b = &self.b;
        let d = b.build_float_sub(x, y, "")?;
        let pos = b.build_float_compare(FloatPredicate::OGT, d, self.fconst(x, 0.0), "")?;
        let big = b.build_select(pos, x, y, "")?.into_float_value();
        let ad = self.float_call(&FloatFn::Intrinsic("llvm.fabs"), d)?;
        let neg = b.build_float_neg(ad, "")?;
        let (e, at_eq) = if base2 {
            (self.float_call(&FloatFn::Intrinsic("llvm.exp2"), neg)?, 1.0)
        } else {
            (
                self.float_call(&FloatFn::Intrinsic("llvm.exp"), neg)?,
                std::f64::consts::LN_2,
            )
        };
        let mut l = self.float_call(&FloatFn::Libm("log1p"), e)?;
        if base2 {
            l = b.build_float_mul(self.fconst(x, std::f64::consts::LOG2_E), l, "")?;
        }
        let general = b.build_float_add(big, l, "")?;
        let equal = b.build_float_compare(FloatPredicate::OEQ, x, y, "")?;
        let at_equal = b.build_float_add(x, self.fconst(x, at_eq), "")?;
        Ok(b.build_select(equal, at_equal, general, "")?
            .into_float_value())
    }

    /// spec: #heaviside — NaN for NaN `x`, `h0` at ±0, 0 below, 1 above.
    fn heaviside(&self, x: FloatValue<'ctx>, h0: FloatValue<'ctx>) -> R<FloatValue<'ctx>> {
        let b = &self.b;
        let zero = self.fconst(x, 0.0);
        let below = b.build_float_compare(FloatPredicate::OLT, x, zero, "")?;
        let r = b
            .build_select(below, zero, self.fconst(x, 1.0), "")?
            .into_float_value();
        let at = b.build_float_compare(FloatPredicate::OEQ, x, zero, "")?;
        let r = b.build_select(at, h0, r, "")?.into_float_value();
        let nan = b.build_float_compare(FloatPredicate::UNO, x, x, "")?;
        Ok(b.build_select(nan, self.fconst(x, f64::NAN), r, "")?
            .into_float_value())
    }

    /// One element of a binary op on `a` and `b` (of dtype `d`).
    pub fn binary(
        &self,
        op: BinaryOp,
        d: DType,
        a: BasicValueEnum<'ctx>,
        b: BasicValueEnum<'ctx>,
    ) -> R<BasicValueEnum<'ctx>> {
        if d.is_complex() {
            return self.binary_complex(op, d, a, b);
        }
        // spec: #complex — f32 parts give c64, f64 parts c128, built exactly
        if op == BinaryOp::Complex && matches!(d, DType::F32 | DType::F64) {
            let to = if d == DType::F32 {
                DType::C64
            } else {
                DType::C128
            };
            return self.complex(to, a.into_float_value(), b.into_float_value());
        }
        if is_half(d) {
            let r = self.binary_float(op, a.into_float_value(), b.into_float_value())?;
            return self.rounded(d, r);
        }
        if d.is_float() {
            self.binary_float(op, a.into_float_value(), b.into_float_value())
        } else {
            self.binary_int(op, d, a.into_int_value(), b.into_int_value())
        }
    }

    fn binary_float(
        &self,
        op: BinaryOp,
        x: FloatValue<'ctx>,
        y: FloatValue<'ctx>,
    ) -> R<BasicValueEnum<'ctx>> {
        use BinaryOp::*;
        let b = &self.b;
        let cmp = |p| -> R<BasicValueEnum<'ctx>> { Ok(b.build_float_compare(p, x, y, "")?.into()) };
        Ok(match op {
            Add => b.build_float_add(x, y, "")?.into(),
            Sub => b.build_float_sub(x, y, "")?.into(),
            Mul => b.build_float_mul(x, y, "")?.into(),
            Div => b.build_float_div(x, y, "")?.into(),
            Rem => b.build_float_rem(x, y, "")?.into(),
            FloorDiv => self.float_divmod(x, y)?.0.into(),
            Mod => self.float_divmod(x, y)?.1.into(),
            Pow => self.intrinsic("llvm.pow", &[x.get_type().into()], &[x.into(), y.into()])?,
            Atan2 => self.call(
                self.libm("atan2", x.get_type().into(), 2),
                &[x.into(), y.into()],
            )?,
            Max | Min => {
                // NaN-propagating; otherwise `x if x > y else y` (a tie gives y, as np.maximum).
                let pred = if op == Max {
                    FloatPredicate::OGT
                } else {
                    FloatPredicate::OLT
                };
                let nan = b.build_float_compare(FloatPredicate::UNO, x, x, "")?;
                let wins = b.build_float_compare(pred, x, y, "")?;
                let take_x = b.build_or(nan, wins, "")?;
                b.build_select(take_x, x, y, "")?
            }
            Hypot => self.call(
                self.libm("hypot", x.get_type().into(), 2),
                &[x.into(), y.into()],
            )?,
            Copysign => self.intrinsic(
                "llvm.copysign",
                &[x.get_type().into()],
                &[x.into(), y.into()],
            )?,
            Logaddexp => self.logaddexp(x, y, false)?.into(),
            Logaddexp2 => self.logaddexp(x, y, true)?.into(),
            Heaviside => self.heaviside(x, y)?.into(),
            Eq => cmp(FloatPredicate::OEQ)?,
            Ne => cmp(FloatPredicate::UNE)?,
            Lt => cmp(FloatPredicate::OLT)?,
            Le => cmp(FloatPredicate::OLE)?,
            Gt => cmp(FloatPredicate::OGT)?,
            Ge => cmp(FloatPredicate::OGE)?,
            // `complex` is built by `binary` (f32 and f64 parts only).
            And | Or | Xor | Shl | Shr | BinaryOp::Complex => {
                return Err(CgError::unsupported(format!("{} on floats", op.name())))
            }
        })
    }

    /// NumPy's `npy_divmod`: (floor_div, mod) of two floats; `b = 0` gives `a / b` and `fmod`.
    fn float_divmod(
        &self,
        a: FloatValue<'ctx>,
        b: FloatValue<'ctx>,
    ) -> R<(FloatValue<'ctx>, FloatValue<'ctx>)> {
        let bld = &self.b;
        let zero = self.fconst(a, 0.0);
        let one = self.fconst(a, 1.0);
        let sel =
            |c: IntValue<'ctx>, x: FloatValue<'ctx>, y: FloatValue<'ctx>| -> R<FloatValue<'ctx>> {
                Ok(bld.build_select(c, x, y, "")?.into_float_value())
            };
        let ty: BasicTypeEnum<'ctx> = a.get_type().into();
        let copysign = |x: FloatValue<'ctx>, s: FloatValue<'ctx>| -> R<FloatValue<'ctx>> {
            Ok(self
                .intrinsic("llvm.copysign", &[ty], &[x.into(), s.into()])?
                .into_float_value())
        };
        let m = bld.build_float_rem(a, b, "")?;
        let div = bld.build_float_div(bld.build_float_sub(a, m, "")?, b, "")?;
        let m_nz = bld.build_float_compare(FloatPredicate::UNE, m, zero, "")?;
        let b_neg = bld.build_float_compare(FloatPredicate::OLT, b, zero, "")?;
        let m_neg = bld.build_float_compare(FloatPredicate::OLT, m, zero, "")?;
        let differ = bld.build_xor(b_neg, m_neg, "")?;
        let adjust = bld.build_and(m_nz, differ, "")?;
        let m_adj = sel(adjust, bld.build_float_add(m, b, "")?, m)?;
        let m_final = sel(m_nz, m_adj, copysign(zero, b)?)?;
        let div = sel(adjust, bld.build_float_sub(div, one, "")?, div)?;
        let f = self.float_call(&FloatFn::Intrinsic("llvm.floor"), div)?;
        let frac = bld.build_float_sub(div, f, "")?;
        let up = bld.build_float_compare(FloatPredicate::OGT, frac, self.fconst(a, 0.5), "")?;
        let f = sel(up, bld.build_float_add(f, one, "")?, f)?;
        let div_nz = bld.build_float_compare(FloatPredicate::UNE, div, zero, "")?;
        let q = bld.build_float_div(a, b, "")?;
        let fd = sel(div_nz, f, copysign(zero, q)?)?;
        let b_zero = bld.build_float_compare(FloatPredicate::OEQ, b, zero, "")?;
        Ok((sel(b_zero, q, fd)?, sel(b_zero, m, m_final)?))
    }

    fn binary_int(
        &self,
        op: BinaryOp,
        d: DType,
        x: IntValue<'ctx>,
        y: IntValue<'ctx>,
    ) -> R<BasicValueEnum<'ctx>> {
        use BinaryOp::*;
        let b = &self.b;
        let signed = d.is_signed_int();
        let pred = |s: IntPredicate, u: IntPredicate| if signed { s } else { u };
        let cmp = |p| -> R<BasicValueEnum<'ctx>> { Ok(b.build_int_compare(p, x, y, "")?.into()) };
        let t = x.get_type();
        let minmax = |name: &str| -> R<BasicValueEnum<'ctx>> {
            self.intrinsic(name, &[t.into()], &[x.into(), y.into()])
        };
        let v: IntValue<'ctx> = match op {
            Eq => return cmp(IntPredicate::EQ),
            Ne => return cmp(IntPredicate::NE),
            Lt => return cmp(pred(IntPredicate::SLT, IntPredicate::ULT)),
            Le => return cmp(pred(IntPredicate::SLE, IntPredicate::ULE)),
            Gt => return cmp(pred(IntPredicate::SGT, IntPredicate::UGT)),
            Ge => return cmp(pred(IntPredicate::SGE, IntPredicate::UGE)),
            And => b.build_and(x, y, "")?,
            Or => b.build_or(x, y, "")?,
            Xor => b.build_xor(x, y, "")?,
            // On bool, max is or and min is and.
            Max if d == DType::Bool => b.build_or(x, y, "")?,
            Min if d == DType::Bool => b.build_and(x, y, "")?,
            Max => return minmax(if signed { "llvm.smax" } else { "llvm.umax" }),
            Min => return minmax(if signed { "llvm.smin" } else { "llvm.umin" }),
            Add => b.build_int_add(x, y, "")?,
            Sub => b.build_int_sub(x, y, "")?,
            Mul => b.build_int_mul(x, y, "")?,
            FloorDiv | Rem | Mod => self.int_division(op, signed, x, y)?,
            Shl | Shr => self.int_shift(op, signed, x, y)?,
            Pow => {
                let f = self.ipow_function(d)?;
                self.call(f, &[x.into(), y.into()])?.into_int_value()
            }
            Div
            | Atan2
            | Hypot
            | Copysign
            | Logaddexp
            | Logaddexp2
            | Heaviside
            | BinaryOp::Complex => {
                return Err(CgError::unsupported(format!("{} on {d}", op.name())))
            }
        };
        Ok(v.into())
    }

    /// Integer floor_div, rem and mod: a zero divisor gives 0; `MIN // -1` wraps, `MIN rem -1`
    /// is 0 (the divisor -1 never reaches `sdiv`, where it would be undefined).
    fn int_division(
        &self,
        op: BinaryOp,
        signed: bool,
        x: IntValue<'ctx>,
        y: IntValue<'ctx>,
    ) -> R<IntValue<'ctx>> {
        let b = &self.b;
        let t = x.get_type();
        let (zero, one) = (t.const_zero(), t.const_int(1, false));
        let y_zero = b.build_int_compare(IntPredicate::EQ, y, zero, "")?;
        if !signed {
            let safe = b.build_select(y_zero, one, y, "")?.into_int_value();
            let r = match op {
                BinaryOp::FloorDiv => b.build_int_unsigned_div(x, safe, "")?,
                BinaryOp::Add
                | BinaryOp::Sub
                | BinaryOp::Mul
                | BinaryOp::Div
                | BinaryOp::Rem
                | BinaryOp::Mod
                | BinaryOp::Pow
                | BinaryOp::Max
                | BinaryOp::Min
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
                | BinaryOp::Complex => b.build_int_unsigned_rem(x, safe, "")?,
            };
            return Ok(b.build_select(y_zero, zero, r, "")?.into_int_value());
        }
        let minus_one = t.const_all_ones();
        let y_m1 = b.build_int_compare(IntPredicate::EQ, y, minus_one, "")?;
        let special = b.build_or(y_zero, y_m1, "")?;
        let safe = b.build_select(special, one, y, "")?.into_int_value();
        let q = b.build_int_signed_div(x, safe, "")?;
        let r = b.build_int_signed_rem(x, safe, "")?;
        let r_nz = b.build_int_compare(IntPredicate::NE, r, zero, "")?;
        let r_neg = b.build_int_compare(IntPredicate::SLT, r, zero, "")?;
        let y_neg = b.build_int_compare(IntPredicate::SLT, y, zero, "")?;
        let differ = b.build_xor(r_neg, y_neg, "")?;
        let adjust = b.build_and(r_nz, differ, "")?;
        let (normal, at_m1) = match op {
            BinaryOp::FloorDiv => {
                let q1 = b.build_int_sub(q, one, "")?;
                let q = b.build_select(adjust, q1, q, "")?.into_int_value();
                (q, b.build_int_sub(zero, x, "")?)
            }
            BinaryOp::Mod => {
                let r1 = b.build_int_add(r, y, "")?;
                (b.build_select(adjust, r1, r, "")?.into_int_value(), zero)
            }
            BinaryOp::Add
            | BinaryOp::Sub
            | BinaryOp::Mul
            | BinaryOp::Div
            | BinaryOp::Rem
            | BinaryOp::Pow
            | BinaryOp::Max
            | BinaryOp::Min
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
            | BinaryOp::Complex => (r, zero),
        };
        let v = b.build_select(y_m1, at_m1, normal, "")?.into_int_value();
        Ok(b.build_select(y_zero, zero, v, "")?.into_int_value())
    }

    /// `shl`/`shr`: a count outside `[0, bits)` gives 0 (`shr` of a negative signed value: -1).
    fn int_shift(
        &self,
        op: BinaryOp,
        signed: bool,
        x: IntValue<'ctx>,
        y: IntValue<'ctx>,
    ) -> R<IntValue<'ctx>> {
        let b = &self.b;
        let t = x.get_type();
        let bits = t.const_int(u64::from(t.get_bit_width()), false);
        let in_range = b.build_int_compare(IntPredicate::ULT, y, bits, "")?;
        if op == BinaryOp::Shl {
            let count = b
                .build_select(in_range, y, t.const_zero(), "")?
                .into_int_value();
            let v = b.build_left_shift(x, count, "")?;
            return Ok(b
                .build_select(in_range, v, t.const_zero(), "")?
                .into_int_value());
        }
        if signed {
            let max = t.const_int(u64::from(t.get_bit_width() - 1), false);
            let count = b.build_select(in_range, y, max, "")?.into_int_value();
            return Ok(b.build_right_shift(x, count, true, "")?);
        }
        let count = b
            .build_select(in_range, y, t.const_zero(), "")?
            .into_int_value();
        let v = b.build_right_shift(x, count, false, "")?;
        Ok(b.build_select(in_range, v, t.const_zero(), "")?
            .into_int_value())
    }

    /// One element of `cast` from `from` to `to`.
    pub fn cast(&self, from: DType, to: DType, x: BasicValueEnum<'ctx>) -> R<BasicValueEnum<'ctx>> {
        if from == to {
            return Ok(x);
        }
        if from.is_complex() || to.is_complex() {
            return self.cast_complex(from, to, x);
        }
        if is_half(to) {
            return self.cast_to_half(from, to, x);
        }
        // An f16/bf16 register holds its value exactly as f32: convert from there.
        let from = if is_half(from) { DType::F32 } else { from };
        if from == to {
            return Ok(x);
        }
        let b = &self.b;
        let to_ty = self.g.reg_ty(to)?;
        if to == DType::Bool {
            return Ok(if from.is_float() {
                let x = x.into_float_value();
                let zero = x.get_type().const_zero();
                b.build_float_compare(FloatPredicate::UNE, x, zero, "")?
                    .into()
            } else {
                let x = x.into_int_value();
                b.build_int_compare(IntPredicate::NE, x, x.get_type().const_zero(), "")?
                    .into()
            });
        }
        if from.is_float() {
            let x = x.into_float_value();
            if to.is_float() {
                let ft = to_ty.into_float_type();
                return Ok(if to.size_bytes() > from.size_bytes() {
                    b.build_float_ext(x, ft, "")?.into()
                } else {
                    b.build_float_trunc(x, ft, "")?.into()
                });
            }
            // Truncate toward zero, saturate, NaN -> 0: exactly LLVM's saturating conversions.
            let name = if to.is_signed_int() {
                "llvm.fptosi.sat"
            } else {
                "llvm.fptoui.sat"
            };
            return self.intrinsic(name, &[to_ty, x.get_type().into()], &[x.into()]);
        }
        let x = x.into_int_value();
        let src_signed = from.is_signed_int();
        if to.is_float() {
            let ft = to_ty.into_float_type();
            return Ok(if src_signed {
                b.build_signed_int_to_float(x, ft, "")?.into()
            } else {
                b.build_unsigned_int_to_float(x, ft, "")?.into()
            });
        }
        let it = to_ty.into_int_type();
        let (wf, wt) = (x.get_type().get_bit_width(), it.get_bit_width());
        Ok(if wt > wf {
            if src_signed {
                b.build_int_s_extend(x, it, "")?.into()
            } else {
                b.build_int_z_extend(x, it, "")?.into()
            }
        } else if wt < wf {
            b.build_int_truncate(x, it, "")?.into()
        } else {
            x.into()
        })
    }

    /// A float result rounded to `d` (`f16`/`bf16`); a bool result (a predicate) as it is.
    fn rounded(&self, d: DType, r: BasicValueEnum<'ctx>) -> R<BasicValueEnum<'ctx>> {
        if r.is_float_value() {
            Ok(self.round_half(d, r.into_float_value())?.into())
        } else {
            Ok(r)
        }
    }

    /// The function computing integer `pow` for dtype `d`, generated once: wrapping repeated
    /// squaring for exponents >= 0; for negative exponents 1 (base 1), ±1 (base -1), else 0.
    fn ipow_function(&self, d: DType) -> R<FunctionValue<'ctx>> {
        let name = format!("air.ipow.{d}");
        if let Some(f) = self.g.m.get_function(&name) {
            return Ok(f);
        }
        let t = self.g.reg_ty(d)?.into_int_type();
        let f = self.g.m.add_function(
            &name,
            t.fn_type(&[t.into(), t.into()], false),
            Some(Linkage::Internal),
        );
        self.g.set_attrs(f);
        let c = self.g.c;
        let bld = c.create_builder();
        let entry = c.append_basic_block(f, "entry");
        let neg_bb = c.append_basic_block(f, "neg");
        let head = c.append_basic_block(f, "head");
        let body = c.append_basic_block(f, "body");
        let done = c.append_basic_block(f, "done");
        let (base, exp) = match (f.get_nth_param(0), f.get_nth_param(1)) {
            (Some(x), Some(y)) => (x.into_int_value(), y.into_int_value()),
            _ => return Err(CgError::internal("ipow parameters")),
        };
        let (zero, one) = (t.const_zero(), t.const_int(1, false));
        bld.position_at_end(entry);
        let negative = if d.is_signed_int() {
            bld.build_int_compare(IntPredicate::SLT, exp, zero, "")?
        } else {
            c.bool_type().const_zero()
        };
        bld.build_conditional_branch(negative, neg_bb, head)?;
        bld.position_at_end(neg_bb);
        let is_one = bld.build_int_compare(IntPredicate::EQ, base, one, "")?;
        let is_m1 = bld.build_int_compare(IntPredicate::EQ, base, t.const_all_ones(), "")?;
        let odd = bld.build_int_truncate(exp, c.bool_type(), "")?;
        let pm1 = bld.build_select(odd, t.const_all_ones(), one, "")?;
        let r = bld.build_select(is_m1, pm1, zero.into(), "")?;
        let r = bld.build_select(is_one, one.into(), r, "")?;
        bld.build_return(Some(&r))?;
        bld.position_at_end(head);
        let acc = bld.build_phi(t, "acc")?;
        let bb = bld.build_phi(t, "b")?;
        let e = bld.build_phi(t, "e")?;
        let (accv, bv, ev) = (
            acc.as_basic_value().into_int_value(),
            bb.as_basic_value().into_int_value(),
            e.as_basic_value().into_int_value(),
        );
        let more = bld.build_int_compare(IntPredicate::NE, ev, zero, "")?;
        bld.build_conditional_branch(more, body, done)?;
        bld.position_at_end(body);
        let bit = bld.build_int_truncate(ev, c.bool_type(), "")?;
        let prod = bld.build_int_mul(accv, bv, "")?;
        let acc2 = bld.build_select(bit, prod, accv, "")?.into_int_value();
        let b2 = bld.build_int_mul(bv, bv, "")?;
        let e2 = bld.build_right_shift(ev, one, false, "")?;
        bld.build_unconditional_branch(head)?;
        acc.add_incoming(&[(&one, entry), (&acc2, body)]);
        bb.add_incoming(&[(&base, entry), (&b2, body)]);
        e.add_incoming(&[(&exp, entry), (&e2, body)]);
        bld.position_at_end(done);
        bld.build_return(Some(&accv))?;
        Ok(f)
    }
}
