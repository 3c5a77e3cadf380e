//! Elementwise unary ops. Each dtype class has a function that picks the element function for an
//! op, or `None` when the op does not accept the class (E0202): that one lookup is both the
//! dispatch and the dtype check of `docs/op-rules.md` "Unary ops".

use air_ir::UnaryOp;
use half::{bf16, f16};
use ndarray::ArrayD;
use num_complex::Complex;
use num_traits::One;

use super::binary::complex_div;
use super::not_accepted;
use super::scalar::{Int, Real, Widen};
use crate::error::Result;
use crate::tensor::Tensor;

/// Applies a unary op elementwise.
pub(crate) fn unary(op: UnaryOp, x: &Tensor) -> Result<Tensor> {
    match op {
        // spec: #isnan #isinf #isfinite — result bool; complex: either part / both parts.
        UnaryOp::IsNan => predicate(op, x, |re, im| re.is_nan() || im.is_nan()),
        UnaryOp::IsInf => predicate(op, x, |re, im| re.is_infinite() || im.is_infinite()),
        UnaryOp::IsFinite => predicate(op, x, |re, im| re.is_finite() && im.is_finite()),
        // spec: #abs — complex gives the real modulus, of the component precision.
        UnaryOp::Abs => match x {
            Tensor::C64(a) => Ok(Tensor::F32(a.mapv(|z| z.norm()))),
            Tensor::C128(a) => Ok(Tensor::F64(a.mapv(|z| z.norm()))),
            Tensor::Bool(_)
            | Tensor::I8(_)
            | Tensor::I16(_)
            | Tensor::I32(_)
            | Tensor::I64(_)
            | Tensor::U8(_)
            | Tensor::U16(_)
            | Tensor::U32(_)
            | Tensor::U64(_)
            | Tensor::F16(_)
            | Tensor::BF16(_)
            | Tensor::F32(_)
            | Tensor::F64(_) => same_type(op, x),
        },
        // spec: #real #imag #angle — complex gives a real float of the component precision.
        UnaryOp::Real => complex_to_real(op, x, |z| z.re, |z| z.re),
        UnaryOp::Imag => complex_to_real(op, x, |z| z.im, |z| z.im),
        UnaryOp::Angle => complex_to_real(op, x, |z| z.im.atan2(z.re), |z| z.im.atan2(z.re)),
        // spec: #sinc — f16 and bf16 round after each step, as NumPy's f16 loops do.
        UnaryOp::Sinc => match x {
            Tensor::F16(a) => Ok(Tensor::F16(a.mapv(|v| {
                f16::from_f32(sinc_rounded(v.to_f32(), |t| f16::from_f32(t).to_f32()))
            }))),
            Tensor::BF16(a) => Ok(Tensor::BF16(a.mapv(|v| {
                bf16::from_f32(sinc_rounded(v.to_f32(), |t| bf16::from_f32(t).to_f32()))
            }))),
            Tensor::Bool(_)
            | Tensor::I8(_)
            | Tensor::I16(_)
            | Tensor::I32(_)
            | Tensor::I64(_)
            | Tensor::U8(_)
            | Tensor::U16(_)
            | Tensor::U32(_)
            | Tensor::U64(_)
            | Tensor::F32(_)
            | Tensor::F64(_)
            | Tensor::C64(_)
            | Tensor::C128(_) => same_type(op, x),
        },
        UnaryOp::Neg
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
        | UnaryOp::Conj => same_type(op, x),
    }
}

/// A real-valued function of complex elements (component precision); real dtypes go to
/// [`same_type`].
fn complex_to_real(
    op: UnaryOp,
    x: &Tensor,
    f32_fn: fn(Complex<f32>) -> f32,
    f64_fn: fn(Complex<f64>) -> f64,
) -> Result<Tensor> {
    match x {
        Tensor::C64(a) => Ok(Tensor::F32(a.mapv(f32_fn))),
        Tensor::C128(a) => Ok(Tensor::F64(a.mapv(f64_fn))),
        Tensor::Bool(_)
        | Tensor::I8(_)
        | Tensor::I16(_)
        | Tensor::I32(_)
        | Tensor::I64(_)
        | Tensor::U8(_)
        | Tensor::U16(_)
        | Tensor::U32(_)
        | Tensor::U64(_)
        | Tensor::F16(_)
        | Tensor::BF16(_)
        | Tensor::F32(_)
        | Tensor::F64(_) => same_type(op, x),
    }
}

/// A bool test of each element's real and imaginary parts (floats and complex only).
fn predicate(op: UnaryOp, x: &Tensor, test: fn(f64, f64) -> bool) -> Result<Tensor> {
    fn apply<T: Widen>(a: &ArrayD<T>, test: fn(f64, f64) -> bool) -> ArrayD<bool> {
        a.mapv(|v| {
            let z = v.widen();
            test(z.re, z.im)
        })
    }
    let dtype = x.dtype();
    if !(dtype.is_float() || dtype.is_complex()) {
        return not_accepted(op.name(), x);
    }
    Ok(Tensor::Bool(
        crate::tensor::with_array!(x, a => apply(a, test)),
    ))
}

/// Ops whose result has the operand's dtype.
fn same_type(op: UnaryOp, x: &Tensor) -> Result<Tensor> {
    macro_rules! int {
        ($a:expr) => {{
            let f = need(int_fn(op), op, x)?;
            $a.mapv(|v| Int::wrapping_from(f(v.to_i128())))
        }};
    }
    macro_rules! half {
        ($a:expr, $t:ty) => {{
            // f16 and bf16 are computed in f32 and rounded once.
            let f = need(real_fn::<f32>(op), op, x)?;
            $a.mapv(|v| <$t>::from_f32(f(v.to_f32())))
        }};
    }
    Ok(match x {
        Tensor::Bool(a) => match op {
            UnaryOp::Not => Tensor::Bool(a.mapv(|v| !v)), // spec: #not (logical on bool)
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
            | UnaryOp::IsNan
            | UnaryOp::IsInf
            | UnaryOp::IsFinite
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
            | UnaryOp::Angle
            | UnaryOp::Sinc => return not_accepted(op.name(), x),
        },
        Tensor::I8(a) => Tensor::I8(int!(a)),
        Tensor::I16(a) => Tensor::I16(int!(a)),
        Tensor::I32(a) => Tensor::I32(int!(a)),
        Tensor::I64(a) => Tensor::I64(int!(a)),
        Tensor::U8(a) => Tensor::U8(int!(a)),
        Tensor::U16(a) => Tensor::U16(int!(a)),
        Tensor::U32(a) => Tensor::U32(int!(a)),
        Tensor::U64(a) => Tensor::U64(int!(a)),
        Tensor::F16(a) => Tensor::F16(half!(a, f16)),
        Tensor::BF16(a) => Tensor::BF16(half!(a, bf16)),
        Tensor::F32(a) => Tensor::F32(a.mapv(need(real_fn(op), op, x)?)),
        Tensor::F64(a) => Tensor::F64(a.mapv(need(real_fn(op), op, x)?)),
        Tensor::C64(a) => Tensor::C64(a.mapv(need(complex_fn(op), op, x)?)),
        Tensor::C128(a) => Tensor::C128(a.mapv(need(complex_fn(op), op, x)?)),
    })
}

/// The element function, or E0202 when the op does not accept the operand's dtype.
fn need<T>(f: Option<T>, op: UnaryOp, x: &Tensor) -> Result<T> {
    match f {
        Some(f) => Ok(f),
        None => not_accepted(op.name(), x),
    }
}

/// Integer semantics on the exact value; the caller wraps the result to the dtype.
fn int_fn(op: UnaryOp) -> Option<fn(i128) -> i128> {
    use UnaryOp::*;
    match op {
        Neg => Some(|v| -v), // spec: #neg — wraps: neg(INT_MIN) = INT_MIN, neg(1u8) = 255
        Abs => Some(|v| v.abs()), // spec: #abs — wraps: abs(INT_MIN) = INT_MIN
        Sign => Some(|v| v.signum()), // spec: #sign — unsigned: 0 or 1
        Not => Some(|v| !v), // spec: #not — bitwise
        Square => Some(|v| v.wrapping_mul(v)), // spec: #square — as mul: wraps (low bits kept)
        Conj => Some(|v| v), // spec: #conj — the value itself
        UnaryOp::Real => Some(|v| v), // spec: #real — the value itself
        Imag => Some(|_| 0), // spec: #imag — zero
        Angle | Sinc => None,
        Exp | Expm1 | Log | Log1p | Sqrt | Rsqrt | Sin | Cos | Tan | Asin | Acos | Atan | Sinh
        | Cosh | Tanh | Floor | Ceil | Round | Erf | Logistic | Reciprocal | IsNan | IsInf
        | IsFinite | Asinh | Acosh | Atanh | Exp2 | Log2 | Log10 | Cbrt | Trunc => None,
    }
}

/// Real float semantics (IEEE, as NumPy).
fn real_fn<F: Real>(op: UnaryOp) -> Option<fn(F) -> F> {
    use UnaryOp::*;
    Some(match op {
        Neg => |x: F| -x,                                      // spec: #neg
        Abs => |x: F| x.abs(),                                 // spec: #abs
        Sign => sign,                                          // spec: #sign
        Exp => F::exp,                                         // spec: #exp
        Expm1 => F::exp_m1,                                    // spec: #expm1
        Log => F::ln,                     // spec: #log — log(0) = -inf, log(-1) = nan
        Log1p => F::ln_1p,                // spec: #log1p
        Sqrt => F::sqrt,                  // spec: #sqrt — sqrt(-0.0) = -0.0
        Rsqrt => |x: F| x.sqrt().recip(), // spec: #rsqrt — rsqrt(0.0) = inf
        Sin => F::sin,                    // spec: #sin
        Cos => F::cos,                    // spec: #cos
        Tan => F::tan,                    // spec: #tan
        Asin => F::asin,                  // spec: #asin
        Acos => F::acos,                  // spec: #acos
        Atan => F::atan,                  // spec: #atan
        Sinh => F::sinh,                  // spec: #sinh
        Cosh => F::cosh,                  // spec: #cosh
        Tanh => F::tanh,                  // spec: #tanh
        Floor => F::floor,                // spec: #floor
        Ceil => F::ceil,                  // spec: #ceil
        Round => F::round_even,           // spec: #round — half to even
        Erf => F::erf,                    // spec: #erf
        Logistic => |x: F| F::one() / (F::one() + (-x).exp()), // spec: #logistic
        Reciprocal => F::recip,           // spec: #reciprocal — 1/0.0 = inf
        Asinh => F::libm_asinh,           // spec: #asinh
        Acosh => F::libm_acosh,           // spec: #acosh — x < 1 gives nan
        Atanh => F::libm_atanh,           // spec: #atanh — ±1 gives ±inf, |x| > 1 nan
        Exp2 => F::exp2,                  // spec: #exp2
        Log2 => F::log2,                  // spec: #log2 — log2(0) = -inf, log2(x < 0) = nan
        Log10 => F::log10,                // spec: #log10
        Cbrt => F::cbrt,                  // spec: #cbrt — real root: cbrt(-8) = -2
        Trunc => F::trunc,                // spec: #trunc — sign of zero kept
        Square => |x: F| x * x,           // spec: #square — exactly mul(x, x)
        UnaryOp::Real | Conj => |x: F| x, // spec: #real #conj — the value itself
        Imag => |_: F| F::zero(),         // spec: #imag — +0.0, NaN included
        Angle => |x: F| F::zero().atan2(x), // spec: #angle — 0 or pi (pi for -0.0 too)
        Sinc => |x: F| sinc_rounded(x, |t| t), // spec: #sinc
        Not | IsNan | IsInf | IsFinite => return None,
    })
}

/// spec: #sinc — NumPy's `np.sinc`: `t = pi * x` (rounded to the dtype), then `sin(t) / t`, with
/// 1 where `t` is 0; `round` rounds each step to the dtype (the identity for f32 and f64).
fn sinc_rounded<F: Real>(x: F, round: fn(F) -> F) -> F {
    let pi = round(F::from(std::f64::consts::PI).unwrap_or_else(F::nan));
    let t = round(pi * x);
    if t == F::zero() {
        return F::one();
    }
    round(round(t.sin()) / t)
}

/// spec: #sign — -1, 0 or 1; both zeros give +0.0; NaN stays NaN.
fn sign<F: Real>(x: F) -> F {
    if x.is_nan() {
        x
    } else if x > F::zero() {
        F::one()
    } else if x < F::zero() {
        -F::one()
    } else {
        F::zero()
    }
}

/// Complex semantics (num-complex, with NumPy's formulas where they differ).
fn complex_fn<F: Real>(op: UnaryOp) -> Option<fn(Complex<F>) -> Complex<F>> {
    use UnaryOp::*;
    Some(match op {
        Neg => |z: Complex<F>| -z,        // spec: #neg
        Exp => |z: Complex<F>| z.exp(),   // spec: #exp
        Expm1 => complex_expm1,           // spec: #expm1
        Log => |z: Complex<F>| z.ln(),    // spec: #log
        Log1p => complex_log1p,           // spec: #log1p
        Sqrt => |z: Complex<F>| z.sqrt(), // spec: #sqrt
        Rsqrt => |z: Complex<F>| complex_div(Complex::one(), z.sqrt()), // spec: #rsqrt
        Sin => |z: Complex<F>| z.sin(),   // spec: #sin
        Cos => |z: Complex<F>| z.cos(),   // spec: #cos
        Tan => |z: Complex<F>| z.tan(),   // spec: #tan
        Asin => |z: Complex<F>| z.asin(), // spec: #asin
        Acos => |z: Complex<F>| z.acos(), // spec: #acos
        Atan => |z: Complex<F>| z.atan(), // spec: #atan
        Sinh => |z: Complex<F>| z.sinh(), // spec: #sinh
        Cosh => |z: Complex<F>| z.cosh(), // spec: #cosh
        Tanh => |z: Complex<F>| z.tanh(), // spec: #tanh
        Reciprocal => |z: Complex<F>| complex_div(Complex::one(), z), // spec: #reciprocal
        Square => |z: Complex<F>| z * z,  // spec: #square — exactly complex mul(z, z)
        Conj => |z: Complex<F>| z.conj(), // spec: #conj
        // Abs, Real, Imag, Angle (complex -> real) are handled by the caller; the rest do not
        // accept complex.
        Abs
        | UnaryOp::Real
        | Imag
        | Angle
        | Sinc
        | Sign
        | Floor
        | Ceil
        | Round
        | Erf
        | Logistic
        | Not
        | IsNan
        | IsInf
        | IsFinite
        | Asinh
        | Acosh
        | Atanh
        | Exp2
        | Log2
        | Log10
        | Cbrt
        | Trunc => return None,
    })
}

/// NumPy's `nc_expm1`: accurate for small `z`.
fn complex_expm1<F: Real>(z: Complex<F>) -> Complex<F> {
    let two = F::one() + F::one();
    let a = (z.im / two).sin();
    Complex::new(
        z.re.exp_m1() * z.im.cos() - two * a * a,
        z.re.exp() * z.im.sin(),
    )
}

/// NumPy's `nc_log1p`.
fn complex_log1p<F: Real>(z: Complex<F>) -> Complex<F> {
    let re = z.re + F::one();
    Complex::new(re.hypot(z.im).ln(), z.im.atan2(re))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_and_round_edge_cases() {
        assert_eq!(sign(-0.0f64).to_bits(), 0.0f64.to_bits());
        assert!(sign(f64::NAN).is_nan());
        assert_eq!(2.5f64.round_even(), 2.0);
        assert_eq!((-0.5f64).round_even().to_bits(), (-0.0f64).to_bits());
    }

    #[test]
    fn op_set_2_edge_cases() {
        let f = |op| real_fn::<f64>(op).expect("float op");
        assert!(f(UnaryOp::Acosh)(0.5).is_nan());
        assert_eq!(f(UnaryOp::Acosh)(1.0), 0.0);
        assert!(f(UnaryOp::Acosh)(f64::MAX).is_finite());
        assert_eq!(f(UnaryOp::Atanh)(1.0), f64::INFINITY);
        assert_eq!(f(UnaryOp::Atanh)(-1.0), f64::NEG_INFINITY);
        assert!(f(UnaryOp::Atanh)(2.0).is_nan());
        assert_eq!(f(UnaryOp::Asinh)(-0.0).to_bits(), (-0.0f64).to_bits());
        assert_eq!(f(UnaryOp::Log2)(0.0), f64::NEG_INFINITY);
        assert!(f(UnaryOp::Log2)(-1.0).is_nan());
        assert_eq!(f(UnaryOp::Log10)(100.0), 2.0);
        assert_eq!(f(UnaryOp::Exp2)(3.0), 8.0);
        assert_eq!(f(UnaryOp::Cbrt)(-8.0), -2.0);
        assert_eq!(f(UnaryOp::Trunc)(-2.5), -2.0);
        assert_eq!(f(UnaryOp::Trunc)(-0.5).to_bits(), (-0.0f64).to_bits());
        assert!(f(UnaryOp::Cbrt)(f64::NAN).is_nan());
        let sq = int_fn(UnaryOp::Square).expect("int square");
        assert_eq!(i8::wrapping_from(sq(100)), 16);
        assert_eq!(u64::wrapping_from(sq(u64::MAX as i128)), 1);
        assert_eq!(i64::wrapping_from(sq(i64::MIN as i128)), 0);
    }

    #[test]
    fn complex_parts_and_sinc_on_reals() {
        let f = |op| real_fn::<f64>(op).expect("float op");
        assert_eq!(f(UnaryOp::Angle)(-1.0), std::f64::consts::PI);
        assert_eq!(f(UnaryOp::Angle)(-0.0), std::f64::consts::PI);
        assert_eq!(f(UnaryOp::Angle)(0.0), 0.0);
        assert!(f(UnaryOp::Angle)(f64::NAN).is_nan());
        assert_eq!(f(UnaryOp::Imag)(f64::NAN).to_bits(), 0.0f64.to_bits());
        assert_eq!(f(UnaryOp::Conj)(-0.0).to_bits(), (-0.0f64).to_bits());
        assert_eq!(f(UnaryOp::Sinc)(0.0), 1.0);
        assert_eq!(f(UnaryOp::Sinc)(-0.0), 1.0);
        assert!(f(UnaryOp::Sinc)(f64::INFINITY).is_nan());
        assert!((f(UnaryOp::Sinc)(0.5) - 2.0 / std::f64::consts::PI).abs() < 1e-15);
        let half = |v: f32| sinc_rounded(v, |t| f16::from_f32(t).to_f32());
        assert_eq!(f16::from_f32(half(0.0)), f16::ONE);
        // NumPy: np.sinc(np.float16(1)) == 3.08e-04 (pi rounds to 3.140625 first).
        assert_eq!(f16::from_f32(half(1.0)), f16::from_f32(3.08e-4));
    }
}
