//! The dtypes that are not native LLVM arithmetic: `f16` and `bf16`, computed in `f32` and rounded
//! to the dtype after every op (as the interpreter and NumPy do), and `c64`/`c128`, `{re, im}`
//! pairs with inline `add`/`sub`/`mul`/comparisons and the interpreter's own functions from
//! `air_rt::cmath` for division, `pow` and the transcendental functions.

use air_ir::{BinaryOp, DType, UnaryOp};
use inkwell::module::Linkage;
use inkwell::types::BasicTypeEnum;
use inkwell::values::{BasicValue, BasicValueEnum, FloatValue, IntValue};
use inkwell::{FloatPredicate, IntPredicate};

use super::{CgError, FnGen, R};

/// True for `f16` and `bf16`.
pub(crate) fn is_half(d: DType) -> bool {
    matches!(d, DType::F16 | DType::BF16)
}

/// The real dtype of a complex dtype's parts.
pub(crate) fn component(d: DType) -> DType {
    if d == DType::C64 {
        DType::F32
    } else {
        DType::F64
    }
}

impl<'g, 'ctx, 'a> FnGen<'g, 'ctx, 'a> {
    /// The 16 bits of the `bf16` nearest to `x` (ties to even; NaN stays a quiet NaN), as
    /// `half::bf16::from_f32` computes them.
    pub fn bf16_bits(&self, x: FloatValue<'ctx>) -> R<IntValue<'ctx>> {
        let b = &self.b;
        let i32t = self.g.c.i32_type();
        let k = |v: u64| i32t.const_int(v, false);
        let bits = b.build_bit_cast(x, i32t, "")?.into_int_value();
        let lsb = b.build_and(b.build_right_shift(bits, k(16), false, "")?, k(1), "")?;
        let rounded = b.build_int_add(b.build_int_add(bits, k(0x7fff), "")?, lsb, "")?;
        let quiet = b.build_or(bits, k(0x0040_0000), "")?;
        let nan = b.build_float_compare(FloatPredicate::UNO, x, x, "")?;
        let r = b.build_select(nan, quiet, rounded, "")?.into_int_value();
        let r = b.build_right_shift(r, k(16), false, "")?;
        Ok(b.build_int_truncate(r, self.g.c.i16_type(), "")?)
    }

    /// `x` (an `f32`) rounded to nearest even in `d` (`f16` or `bf16`), as an `f32` again.
    pub fn round_half(&self, d: DType, x: FloatValue<'ctx>) -> R<FloatValue<'ctx>> {
        let b = &self.b;
        let c = self.g.c;
        if d == DType::F16 {
            let h = b.build_float_trunc(x, c.f16_type(), "")?;
            return Ok(b.build_float_ext(h, c.f32_type(), "")?);
        }
        let h = self.bf16_bits(x)?;
        let w = b.build_int_z_extend(h, c.i32_type(), "")?;
        let w = b.build_left_shift(w, c.i32_type().const_int(16, false), "")?;
        Ok(b.build_bit_cast(w, c.f32_type(), "")?.into_float_value())
    }

    /// An `f64` rounded to `f32` with round-to-odd (exact values stay; an inexact one is
    /// truncated toward zero with its last bit set), so that rounding the result to `f16` or
    /// `bf16` is correct: the interpreter's `f64_to_f32_odd`.
    fn f64_to_f32_odd(&self, x: FloatValue<'ctx>) -> R<FloatValue<'ctx>> {
        let b = &self.b;
        let c = self.g.c;
        let (f32t, i32t) = (c.f32_type(), c.i32_type());
        let r = b.build_float_trunc(x, f32t, "")?;
        let back = b.build_float_ext(r, c.f64_type(), "")?;
        let keep = b.build_float_compare(FloatPredicate::UEQ, back, x, "")?;
        let f64ty: BasicTypeEnum<'ctx> = c.f64_type().into();
        let fabs = |v: FloatValue<'ctx>| -> R<FloatValue<'ctx>> {
            Ok(self
                .intrinsic("llvm.fabs", &[f64ty], &[v.into()])?
                .into_float_value())
        };
        let away = b.build_float_compare(FloatPredicate::OGT, fabs(back)?, fabs(x)?, "")?;
        let bits = b.build_bit_cast(r, i32t, "")?.into_int_value();
        let down = b.build_int_sub(bits, i32t.const_int(1, false), "")?;
        let t = b.build_select(away, down, bits, "")?.into_int_value();
        let odd = b.build_or(t, i32t.const_int(1, false), "")?;
        let odd = b.build_bit_cast(odd, f32t, "")?.into_float_value();
        Ok(b.build_select(keep, r, odd, "")?.into_float_value())
    }

    /// An integer (of dtype `from`) as an `f64` that rounds to `f32`, `f16` and `bf16` exactly
    /// as the integer does: exact below 2^53; above, the bits under 2^12 are folded into one
    /// sticky bit (53 significant bits at most, so the conversion is exact).
    fn int_to_f64_sticky(&self, from: DType, x: IntValue<'ctx>) -> R<FloatValue<'ctx>> {
        let b = &self.b;
        let c = self.g.c;
        let f64t = c.f64_type();
        if from.size_bytes() < 8 {
            return Ok(if from.is_signed_int() {
                b.build_signed_int_to_float(x, f64t, "")?
            } else {
                b.build_unsigned_int_to_float(x, f64t, "")?
            });
        }
        let i64t = c.i64_type();
        let k = |v: u64| i64t.const_int(v, false);
        let neg = if from.is_signed_int() {
            b.build_int_compare(IntPredicate::SLT, x, k(0), "")?
        } else {
            c.bool_type().const_zero()
        };
        let minus = b.build_int_sub(k(0), x, "")?;
        let a = b.build_select(neg, minus, x, "")?.into_int_value();
        let big = b.build_int_compare(IntPredicate::UGE, a, k(1 << 53), "")?;
        let low = b.build_and(a, k(0xfff), "")?;
        let sticky = b.build_int_compare(IntPredicate::NE, low, k(0), "")?;
        let sticky = b.build_select(sticky, k(0x800), k(0), "")?.into_int_value();
        let folded = b.build_or(b.build_and(a, k(!0xfff), "")?, sticky, "")?;
        let a = b.build_select(big, folded, a, "")?.into_int_value();
        let f = b.build_unsigned_int_to_float(a, f64t, "")?;
        let nf = b.build_float_neg(f, "")?;
        Ok(b.build_select(neg, nf, f, "")?.into_float_value())
    }

    /// One element of `cast` to `f16`/`bf16` (`to`) from a real or integer dtype: the
    /// interpreter's rule (the value rounded to `f32` with round-to-odd, then to nearest even).
    pub fn cast_to_half(
        &self,
        from: DType,
        to: DType,
        x: BasicValueEnum<'ctx>,
    ) -> R<BasicValueEnum<'ctx>> {
        let b = &self.b;
        let f32v = match from {
            DType::Bool => {
                b.build_unsigned_int_to_float(x.into_int_value(), self.g.c.f32_type(), "")?
            }
            DType::F16 | DType::BF16 | DType::F32 => x.into_float_value(),
            DType::F64 => self.f64_to_f32_odd(x.into_float_value())?,
            DType::I8
            | DType::I16
            | DType::I32
            | DType::I64
            | DType::U8
            | DType::U16
            | DType::U32
            | DType::U64 => {
                let f = self.int_to_f64_sticky(from, x.into_int_value())?;
                self.f64_to_f32_odd(f)?
            }
            DType::C64 | DType::C128 => {
                return Err(CgError::internal("complex cast reached cast_to_half"))
            }
        };
        Ok(self.round_half(to, f32v)?.into())
    }

    // ----- complex numbers ------------------------------------------------------------------

    /// The parts of a complex register.
    pub fn parts(&self, z: BasicValueEnum<'ctx>) -> R<(FloatValue<'ctx>, FloatValue<'ctx>)> {
        let s = z.into_struct_value();
        let re = self.b.build_extract_value(s, 0, "re")?.into_float_value();
        let im = self.b.build_extract_value(s, 1, "im")?.into_float_value();
        Ok((re, im))
    }

    /// A complex register of dtype `d` from its parts.
    pub fn complex(
        &self,
        d: DType,
        re: FloatValue<'ctx>,
        im: FloatValue<'ctx>,
    ) -> R<BasicValueEnum<'ctx>> {
        let ty = self.g.complex_ty(d);
        let z = self
            .b
            .build_insert_value(ty.get_undef(), re, 0, "")?
            .into_struct_value();
        let z = self.b.build_insert_value(z, im, 1, "")?;
        Ok(z.as_basic_value_enum())
    }

    /// `a * b` as num-complex computes it: `(ar br - ai bi, ar bi + ai br)`.
    pub fn complex_mul(
        &self,
        d: DType,
        a: BasicValueEnum<'ctx>,
        z: BasicValueEnum<'ctx>,
    ) -> R<BasicValueEnum<'ctx>> {
        let b = &self.b;
        let ((ar, ai), (br, bi)) = (self.parts(a)?, self.parts(z)?);
        let re = b.build_float_sub(
            b.build_float_mul(ar, br, "")?,
            b.build_float_mul(ai, bi, "")?,
            "",
        )?;
        let im = b.build_float_add(
            b.build_float_mul(ar, bi, "")?,
            b.build_float_mul(ai, br, "")?,
            "",
        )?;
        self.complex(d, re, im)
    }

    /// `a + b` (or `a - b`), part by part.
    pub fn complex_add(
        &self,
        d: DType,
        a: BasicValueEnum<'ctx>,
        z: BasicValueEnum<'ctx>,
        sub: bool,
    ) -> R<BasicValueEnum<'ctx>> {
        let b = &self.b;
        let ((ar, ai), (br, bi)) = (self.parts(a)?, self.parts(z)?);
        if sub {
            self.complex(
                d,
                b.build_float_sub(ar, br, "")?,
                b.build_float_sub(ai, bi, "")?,
            )
        } else {
            self.complex(
                d,
                b.build_float_add(ar, br, "")?,
                b.build_float_add(ai, bi, "")?,
            )
        }
    }

    /// The result of `air_rt_c{64,128}_{unary,binary}`: the pair it wrote to a stack slot.
    fn call_cmath(
        &self,
        d: DType,
        kind: &str,
        code: i32,
        args: &[FloatValue<'ctx>],
    ) -> R<BasicValueEnum<'ctx>> {
        let c = self.g.c;
        let bits = if d == DType::C64 { 64 } else { 128 };
        let name = format!("air_rt_c{bits}_{kind}");
        let ft = self.g.component_ty(d);
        let p = c.ptr_type(inkwell::AddressSpace::default());
        let f = match self.g.m.get_function(&name) {
            Some(f) => f,
            None => {
                let mut params: Vec<inkwell::types::BasicMetadataTypeEnum<'ctx>> =
                    vec![c.i32_type().into()];
                params.extend(
                    args.iter()
                        .map(|_| inkwell::types::BasicMetadataTypeEnum::from(ft)),
                );
                params.push(p.into());
                let ty = c.void_type().fn_type(&params, false);
                let f = self.g.m.add_function(&name, ty, Some(Linkage::External));
                let kind_id = inkwell::attributes::Attribute::get_named_enum_kind_id("nounwind");
                f.add_attribute(
                    inkwell::attributes::AttributeLoc::Function,
                    c.create_enum_attribute(kind_id, 0),
                );
                f
            }
        };
        let slot = self.alloca(self.g.complex_ty(d).into(), 1)?;
        let mut call_args: Vec<inkwell::values::BasicMetadataValueEnum<'ctx>> =
            vec![c.i32_type().const_int(code as u64, false).into()];
        call_args.extend(
            args.iter()
                .map(|&a| inkwell::values::BasicMetadataValueEnum::from(a)),
        );
        call_args.push(slot.into());
        self.b.build_call(f, &call_args, "")?;
        Ok(self.b.build_load(self.g.complex_ty(d), slot, "")?)
    }

    /// One element of a unary op on a complex operand of dtype `d`.
    pub fn unary_complex(
        &self,
        op: UnaryOp,
        d: DType,
        z: BasicValueEnum<'ctx>,
    ) -> R<BasicValueEnum<'ctx>> {
        let b = &self.b;
        let (re, im) = self.parts(z)?;
        let fty: BasicTypeEnum<'ctx> = re.get_type().into();
        let fabs = |v: FloatValue<'ctx>| -> R<FloatValue<'ctx>> {
            Ok(self
                .intrinsic("llvm.fabs", &[fty], &[v.into()])?
                .into_float_value())
        };
        let inf = re.get_type().const_float(f64::INFINITY);
        match op {
            UnaryOp::Neg => {
                return self.complex(d, b.build_float_neg(re, "")?, b.build_float_neg(im, "")?)
            }
            // spec: #square — exactly complex mul(z, z)
            UnaryOp::Square => return self.complex_mul(d, z, z),
            // spec: #abs — the modulus, `hypot` as num-complex's `norm`
            UnaryOp::Abs => {
                let f = self.libm("hypot", fty, 2);
                return self.call(f, &[re.into(), im.into()]);
            }
            // spec: #real, #imag, #conj, #angle — the parts; the angle is atan2(im, re) as the
            // interpreter's `arg`
            UnaryOp::Real => return Ok(re.into()),
            UnaryOp::Imag => return Ok(im.into()),
            UnaryOp::Conj => return self.complex(d, re, b.build_float_neg(im, "")?),
            UnaryOp::Angle => {
                let f = self.libm("atan2", fty, 2);
                return self.call(f, &[im.into(), re.into()]);
            }
            UnaryOp::IsNan => {
                let a = b.build_float_compare(FloatPredicate::UNO, re, re, "")?;
                let c = b.build_float_compare(FloatPredicate::UNO, im, im, "")?;
                return Ok(b.build_or(a, c, "")?.into());
            }
            UnaryOp::IsInf => {
                let a = b.build_float_compare(FloatPredicate::OEQ, fabs(re)?, inf, "")?;
                let c = b.build_float_compare(FloatPredicate::OEQ, fabs(im)?, inf, "")?;
                return Ok(b.build_or(a, c, "")?.into());
            }
            UnaryOp::IsFinite => {
                let a = b.build_float_compare(FloatPredicate::OLT, fabs(re)?, inf, "")?;
                let c = b.build_float_compare(FloatPredicate::OLT, fabs(im)?, inf, "")?;
                return Ok(b.build_and(a, c, "")?.into());
            }
            UnaryOp::Sign
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
            | UnaryOp::Sinc => {}
        }
        if !air_rt::cmath::unary_supported(op) {
            return Err(CgError::unsupported(format!("{} on {d}", op.name())));
        }
        self.call_cmath(d, "unary", air_rt::cmath::unary_code(op), &[re, im])
    }

    /// One element of a binary op on complex operands of dtype `d`.
    pub fn binary_complex(
        &self,
        op: BinaryOp,
        d: DType,
        x: BasicValueEnum<'ctx>,
        y: BasicValueEnum<'ctx>,
    ) -> R<BasicValueEnum<'ctx>> {
        let b = &self.b;
        match op {
            BinaryOp::Add => return self.complex_add(d, x, y, false),
            BinaryOp::Sub => return self.complex_add(d, x, y, true),
            BinaryOp::Mul => return self.complex_mul(d, x, y),
            BinaryOp::Eq | BinaryOp::Ne => {
                let ((ar, ai), (br, bi)) = (self.parts(x)?, self.parts(y)?);
                let r = b.build_float_compare(FloatPredicate::OEQ, ar, br, "")?;
                let i = b.build_float_compare(FloatPredicate::OEQ, ai, bi, "")?;
                let eq = b.build_and(r, i, "")?;
                return Ok(if op == BinaryOp::Eq {
                    eq.into()
                } else {
                    b.build_not(eq, "")?.into()
                });
            }
            BinaryOp::Div
            | BinaryOp::FloorDiv
            | BinaryOp::Rem
            | BinaryOp::Mod
            | BinaryOp::Pow
            | BinaryOp::Max
            | BinaryOp::Min
            | BinaryOp::Atan2
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
            | BinaryOp::Complex => {}
        }
        if !air_rt::cmath::binary_supported(op) {
            return Err(CgError::unsupported(format!("{} on {d}", op.name())));
        }
        let ((ar, ai), (br, bi)) = (self.parts(x)?, self.parts(y)?);
        self.call_cmath(
            d,
            "binary",
            air_rt::cmath::binary_code(op),
            &[ar, ai, br, bi],
        )
    }

    /// One element of `cast` where `from` or `to` is complex.
    pub fn cast_complex(
        &self,
        from: DType,
        to: DType,
        x: BasicValueEnum<'ctx>,
    ) -> R<BasicValueEnum<'ctx>> {
        let b = &self.b;
        if from.is_complex() {
            let (re, im) = self.parts(x)?;
            if to.is_complex() {
                let ft = self.g.component_ty(to);
                let conv = |v: FloatValue<'ctx>| -> R<FloatValue<'ctx>> {
                    Ok(if to == DType::C128 {
                        b.build_float_ext(v, ft, "")?
                    } else {
                        b.build_float_trunc(v, ft, "")?
                    })
                };
                return self.complex(to, conv(re)?, conv(im)?);
            }
            if to == DType::Bool {
                // Either part non-zero (NaN counts), as NumPy.
                let zero = re.get_type().const_zero();
                let a = b.build_float_compare(FloatPredicate::UNE, re, zero, "")?;
                let c = b.build_float_compare(FloatPredicate::UNE, im, zero, "")?;
                return Ok(b.build_or(a, c, "")?.into());
            }
            // The imaginary part is dropped.
            return self.cast(component(from), to, re.into());
        }
        let comp = component(to);
        let re = self.cast(from, comp, x)?.into_float_value();
        self.complex(to, re, re.get_type().const_zero())
    }
}
