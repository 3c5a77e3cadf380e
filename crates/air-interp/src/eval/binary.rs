//! Elementwise binary ops, `select` and `clip`. As in [`super::unary`], each dtype class picks the
//! element function for an op or answers `None` (E0202), following `docs/op-rules.md`.

use std::cmp::Ordering;

use air_ir::{BinaryOp, Code};
use half::{bf16, f16};
use ndarray::{ArrayD, Zip};
use num_complex::Complex;
use num_traits::{Float, One, Zero};

use super::scalar::{Int, Real};
use super::{dtype_mismatch, not_accepted};
use crate::error::{fail, Result};
use crate::tensor::{Element, Tensor};

/// Applies a binary op to two tensors of one dtype and one shape.
pub(crate) fn binary(op: BinaryOp, a: &Tensor, b: &Tensor) -> Result<Tensor> {
    same_shape(a, b)?;
    if let Some(test) = comparison(op) {
        return compare(op, test, a, b).map(Tensor::Bool);
    }
    if op == BinaryOp::Complex {
        return complex_from_parts(a, b);
    }
    macro_rules! int {
        ($x:expr, $y:expr) => {
            zip($x, $y, need(int_fn(op), op, a)?)
        };
    }
    macro_rules! half {
        ($x:expr, $y:expr, $t:ty) => {{
            // f16 and bf16 are computed in f32 and rounded once.
            let f = need(real_fn::<f32>(op), op, a)?;
            zip($x, $y, |p: $t, q: $t| {
                <$t>::from_f32(f(p.to_f32(), q.to_f32()))
            })
        }};
    }
    Ok(match (a, b) {
        (Tensor::Bool(x), Tensor::Bool(y)) => Tensor::Bool(zip(x, y, need(bool_fn(op), op, a)?)),
        (Tensor::I8(x), Tensor::I8(y)) => Tensor::I8(int!(x, y)),
        (Tensor::I16(x), Tensor::I16(y)) => Tensor::I16(int!(x, y)),
        (Tensor::I32(x), Tensor::I32(y)) => Tensor::I32(int!(x, y)),
        (Tensor::I64(x), Tensor::I64(y)) => Tensor::I64(int!(x, y)),
        (Tensor::U8(x), Tensor::U8(y)) => Tensor::U8(int!(x, y)),
        (Tensor::U16(x), Tensor::U16(y)) => Tensor::U16(int!(x, y)),
        (Tensor::U32(x), Tensor::U32(y)) => Tensor::U32(int!(x, y)),
        (Tensor::U64(x), Tensor::U64(y)) => Tensor::U64(int!(x, y)),
        (Tensor::F16(x), Tensor::F16(y)) => Tensor::F16(half!(x, y, f16)),
        (Tensor::BF16(x), Tensor::BF16(y)) => Tensor::BF16(half!(x, y, bf16)),
        (Tensor::F32(x), Tensor::F32(y)) => Tensor::F32(zip(x, y, need(real_fn(op), op, a)?)),
        (Tensor::F64(x), Tensor::F64(y)) => Tensor::F64(zip(x, y, need(real_fn(op), op, a)?)),
        (Tensor::C64(x), Tensor::C64(y)) => Tensor::C64(zip(x, y, need(complex_fn(op), op, a)?)),
        (Tensor::C128(x), Tensor::C128(y)) => Tensor::C128(zip(x, y, need(complex_fn(op), op, a)?)),
        _ => return dtype_mismatch(a, b),
    })
}

/// spec: #complex — `re + im·i` exactly (no arithmetic: an infinite or NaN part stays in its
/// place), from f32 or f64 parts.
fn complex_from_parts(re: &Tensor, im: &Tensor) -> Result<Tensor> {
    match (re, im) {
        (Tensor::F32(x), Tensor::F32(y)) => Ok(Tensor::C64(zip(x, y, Complex::new))),
        (Tensor::F64(x), Tensor::F64(y)) => Ok(Tensor::C128(zip(x, y, Complex::new))),
        _ if re.dtype() != im.dtype() => dtype_mismatch(re, im),
        _ => not_accepted(BinaryOp::Complex.name(), re),
    }
}

/// E0204 unless both tensors have one shape.
pub(crate) fn same_shape(a: &Tensor, b: &Tensor) -> Result<()> {
    if a.shape() == b.shape() {
        Ok(())
    } else {
        fail(
            Code::ShapeMismatch,
            format!("operand shapes differ: {:?} vs {:?}", a.shape(), b.shape()),
        )
    }
}

fn zip<T: Element, U>(x: &ArrayD<T>, y: &ArrayD<T>, f: impl Fn(T, T) -> U) -> ArrayD<U> {
    Zip::from(x).and(y).map_collect(|&p, &q| f(p, q))
}

/// The element function, or E0202 when the op does not accept the operand's dtype.
fn need<T>(f: Option<T>, op: BinaryOp, x: &Tensor) -> Result<T> {
    match f {
        Some(f) => Ok(f),
        None => not_accepted(op.name(), x),
    }
}

/// spec: #eq #ne #lt #le #gt #ge — NaN compares unequal and unordered; complex only eq/ne.
fn compare(
    op: BinaryOp,
    test: fn(Option<Ordering>) -> bool,
    a: &Tensor,
    b: &Tensor,
) -> Result<ArrayD<bool>> {
    fn cmp<T: Element + PartialOrd>(
        test: fn(Option<Ordering>) -> bool,
        x: &ArrayD<T>,
        y: &ArrayD<T>,
    ) -> ArrayD<bool> {
        zip(x, y, |p, q| test(p.partial_cmp(&q)))
    }
    fn eq<T: Element>(op: BinaryOp, x: &ArrayD<T>, y: &ArrayD<T>) -> Option<ArrayD<bool>> {
        match op {
            BinaryOp::Eq => Some(zip(x, y, |p, q| p == q)),
            BinaryOp::Ne => Some(zip(x, y, |p, q| p != q)),
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => None,
            BinaryOp::Add
            | BinaryOp::Sub
            | BinaryOp::Mul
            | BinaryOp::Div
            | BinaryOp::FloorDiv
            | BinaryOp::Rem
            | BinaryOp::Mod
            | BinaryOp::Pow
            | BinaryOp::Max
            | BinaryOp::Min
            | BinaryOp::Atan2
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
        }
    }
    Ok(match (a, b) {
        (Tensor::Bool(x), Tensor::Bool(y)) => cmp(test, x, y),
        (Tensor::I8(x), Tensor::I8(y)) => cmp(test, x, y),
        (Tensor::I16(x), Tensor::I16(y)) => cmp(test, x, y),
        (Tensor::I32(x), Tensor::I32(y)) => cmp(test, x, y),
        (Tensor::I64(x), Tensor::I64(y)) => cmp(test, x, y),
        (Tensor::U8(x), Tensor::U8(y)) => cmp(test, x, y),
        (Tensor::U16(x), Tensor::U16(y)) => cmp(test, x, y),
        (Tensor::U32(x), Tensor::U32(y)) => cmp(test, x, y),
        (Tensor::U64(x), Tensor::U64(y)) => cmp(test, x, y),
        (Tensor::F16(x), Tensor::F16(y)) => cmp(test, x, y),
        (Tensor::BF16(x), Tensor::BF16(y)) => cmp(test, x, y),
        (Tensor::F32(x), Tensor::F32(y)) => cmp(test, x, y),
        (Tensor::F64(x), Tensor::F64(y)) => cmp(test, x, y),
        (Tensor::C64(x), Tensor::C64(y)) => need(eq(op, x, y), op, a)?,
        (Tensor::C128(x), Tensor::C128(y)) => need(eq(op, x, y), op, a)?,
        _ => return dtype_mismatch(a, b),
    })
}

/// A comparison as a test of `partial_cmp`'s answer (`None`: unordered, a NaN is involved), so
/// NaN compares unequal and unordered; `None` for the ops that are not comparisons.
fn comparison(op: BinaryOp) -> Option<fn(Option<Ordering>) -> bool> {
    Some(match op {
        BinaryOp::Eq => |o| o == Some(Ordering::Equal),
        BinaryOp::Ne => |o| o != Some(Ordering::Equal),
        BinaryOp::Lt => |o| o == Some(Ordering::Less),
        BinaryOp::Le => |o| matches!(o, Some(Ordering::Less | Ordering::Equal)),
        BinaryOp::Gt => |o| o == Some(Ordering::Greater),
        BinaryOp::Ge => |o| matches!(o, Some(Ordering::Greater | Ordering::Equal)),
        BinaryOp::Add
        | BinaryOp::Sub
        | BinaryOp::Mul
        | BinaryOp::Div
        | BinaryOp::FloorDiv
        | BinaryOp::Rem
        | BinaryOp::Mod
        | BinaryOp::Pow
        | BinaryOp::Max
        | BinaryOp::Min
        | BinaryOp::Atan2
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
        | BinaryOp::Complex => return None,
    })
}

/// Logical ops on bool; max/min with `false < true`.
fn bool_fn(op: BinaryOp) -> Option<fn(bool, bool) -> bool> {
    use BinaryOp::*;
    Some(match op {
        And => |p, q| p && q, // spec: #and
        Or => |p, q| p || q,  // spec: #or
        Xor => |p, q| p ^ q,  // spec: #xor
        Max => |p, q| p || q, // spec: #max
        Min => |p, q| p && q, // spec: #min
        Add | Sub | Mul | Div | FloorDiv | Rem | Mod | Pow | Atan2 | Shl | Shr => return None,
        Hypot | Copysign | Logaddexp | Logaddexp2 | Heaviside | BinaryOp::Complex => return None,
        Eq | Ne | Lt | Le | Gt | Ge => return None, // comparisons: see `compare`
    })
}

/// Integer semantics: computed on the exact values, then wrapped to the dtype.
fn int_fn<I: Int>(op: BinaryOp) -> Option<fn(I, I) -> I> {
    use BinaryOp::*;
    Some(match op {
        Add => |p: I, q: I| I::wrapping_from(p.to_i128() + q.to_i128()), // spec: #add — wraps
        Sub => |p: I, q: I| I::wrapping_from(p.to_i128() - q.to_i128()), // spec: #sub — wraps
        Mul => |p: I, q: I| I::wrapping_from(p.to_i128().wrapping_mul(q.to_i128())), // spec: #mul — wraps
        FloorDiv => |p: I, q: I| I::wrapping_from(int_floor_div(p.to_i128(), q.to_i128())),
        Rem => |p: I, q: I| I::wrapping_from(int_rem(p.to_i128(), q.to_i128())),
        Mod => |p: I, q: I| I::wrapping_from(int_mod(p.to_i128(), q.to_i128())),
        Pow => |p: I, q: I| I::wrapping_from(int_pow(p.to_i128(), q.to_i128())),
        Max => |p: I, q: I| p.max(q), // spec: #max
        Min => |p: I, q: I| p.min(q), // spec: #min
        And => |p: I, q: I| I::wrapping_from(p.to_i128() & q.to_i128()), // spec: #and — bitwise
        Or => |p: I, q: I| I::wrapping_from(p.to_i128() | q.to_i128()), // spec: #or — bitwise
        Xor => |p: I, q: I| I::wrapping_from(p.to_i128() ^ q.to_i128()), // spec: #xor — bitwise
        Shl => |p: I, q: I| I::wrapping_from(int_shl(p.to_i128(), q.to_i128(), I::BITS)),
        Shr => |p: I, q: I| I::wrapping_from(int_shr(p.to_i128(), q.to_i128(), I::BITS)),
        Div | Atan2 | Hypot | Copysign | Logaddexp | Logaddexp2 | Heaviside => return None,
        BinaryOp::Complex => return None,
        Eq | Ne | Lt | Le | Gt | Ge => return None, // comparisons: see `compare`
    })
}

/// spec: #floor_div — Python floor division; division by zero gives 0; `INT_MIN // -1` wraps
/// (the exact quotient `2^63` wraps back to `INT_MIN` in the caller).
fn int_floor_div(p: i128, q: i128) -> i128 {
    if q == 0 {
        return 0;
    }
    let t = p / q;
    if p % q != 0 && ((p < 0) != (q < 0)) {
        t - 1
    } else {
        t
    }
}

/// spec: #rem — C remainder (sign of the dividend); `x rem 0 = 0`.
fn int_rem(p: i128, q: i128) -> i128 {
    if q == 0 {
        0
    } else {
        p % q
    }
}

/// spec: #mod — Python remainder (sign of the divisor); `x mod 0 = 0`.
fn int_mod(p: i128, q: i128) -> i128 {
    if q == 0 {
        return 0;
    }
    let r = p % q;
    if r != 0 && ((r < 0) != (q < 0)) {
        r + q
    } else {
        r
    }
}

/// spec: #pow — wrapping repeated multiplication for exponents >= 0 (by squaring, which gives the
/// same low bits); a negative exponent gives 1 for base 1, ±1 for base -1 (by parity), else 0.
fn int_pow(base: i128, exp: i128) -> i128 {
    if exp < 0 {
        return match base {
            1 => 1,
            -1 if exp % 2 == 0 => 1,
            -1 => -1,
            _ => 0,
        };
    }
    let (mut result, mut b, mut e) = (1i128, base, exp as u128);
    while e > 0 {
        if e & 1 == 1 {
            result = result.wrapping_mul(b);
        }
        b = b.wrapping_mul(b);
        e >>= 1;
    }
    result
}

/// spec: #shl — a count outside `[0, bits)` gives 0.
fn int_shl(p: i128, count: i128, bits: u32) -> i128 {
    if (0..i128::from(bits)).contains(&count) {
        p.wrapping_shl(count as u32)
    } else {
        0
    }
}

/// spec: #shr — arithmetic on signed (the value is sign-extended), logical on unsigned; a count
/// outside `[0, bits)` gives 0, or -1 for a negative signed operand.
fn int_shr(p: i128, count: i128, bits: u32) -> i128 {
    if (0..i128::from(bits)).contains(&count) {
        p >> count
    } else if p < 0 {
        -1
    } else {
        0
    }
}

/// Real float semantics (IEEE, as NumPy's ufuncs).
fn real_fn<F: Real>(op: BinaryOp) -> Option<fn(F, F) -> F> {
    use BinaryOp::*;
    Some(match op {
        Add => |p: F, q: F| p + q,        // spec: #add
        Sub => |p: F, q: F| p - q,        // spec: #sub
        Mul => |p: F, q: F| p * q,        // spec: #mul
        Div => |p: F, q: F| p / q,        // spec: #div — IEEE: 1/0 = inf, 0/0 = nan
        FloorDiv => real_floor_div,       // spec: #floor_div
        Rem => |p: F, q: F| p % q,        // spec: #rem — C fmod: fmod(x, 0) = nan
        Mod => real_mod,                  // spec: #mod
        Pow => F::powf,                   // spec: #pow — C pow: pow(nan, 0) = 1, pow(0, -1) = inf
        Max => real_max,                  // spec: #max
        Min => real_min,                  // spec: #min
        Atan2 => F::atan2,                // spec: #atan2
        Hypot => F::hypot,                // spec: #hypot — C99: hypot(±inf, nan) = inf
        Copysign => F::copysign,          // spec: #copysign — the sign bit of b, NaN's included
        Logaddexp => real_logaddexp,      // spec: #logaddexp
        Logaddexp2 => real_logaddexp2,    // spec: #logaddexp2
        Heaviside => real_heaviside,      // spec: #heaviside
        BinaryOp::Complex => return None, // complex -> see `complex_from_parts`
        And | Or | Xor | Shl | Shr => return None,
        Eq | Ne | Lt | Le | Gt | Ge => return None, // comparisons: see `compare`
    })
}

/// NumPy's `npy_logaddexp`: `log(e^a + e^b)`; equal operands (the infinities of one sign
/// included) give `a + ln 2`; a NaN operand gives NaN.
fn real_logaddexp<F: Real>(a: F, b: F) -> F {
    if a == b {
        return a + F::from(std::f64::consts::LN_2).unwrap_or_else(F::nan);
    }
    let d = a - b;
    if d > F::zero() {
        a + (-d).exp().ln_1p()
    } else if d <= F::zero() {
        b + d.exp().ln_1p()
    } else {
        d // NaN
    }
}

/// NumPy's `npy_logaddexp2`: `log2(2^a + 2^b)`; equal operands give `a + 1`.
fn real_logaddexp2<F: Real>(a: F, b: F) -> F {
    let log2e = F::from(std::f64::consts::LOG2_E).unwrap_or_else(F::nan);
    if a == b {
        return a + F::one();
    }
    let d = a - b;
    if d > F::zero() {
        a + log2e * (-d).exp2().ln_1p()
    } else if d <= F::zero() {
        b + log2e * d.exp2().ln_1p()
    } else {
        d // NaN
    }
}

/// NumPy's `npy_heaviside`: NaN for a NaN `x`, `h0` at ±0, else 0 below and 1 above.
fn real_heaviside<F: Real>(x: F, h0: F) -> F {
    if x.is_nan() {
        F::nan()
    } else if x == F::zero() {
        h0
    } else if x < F::zero() {
        F::zero()
    } else {
        F::one()
    }
}

/// NumPy's `npy_divmod`: the floored quotient and the remainder with the divisor's sign.
fn real_divmod<F: Real>(a: F, b: F) -> (F, F) {
    let zero = F::zero();
    let mut m = a % b;
    let mut div = (a - m) / b;
    if m != zero {
        if (b < zero) != (m < zero) {
            m = m + b;
            div = div - F::one();
        }
    } else {
        m = zero.copysign(b);
    }
    let floor_div = if div != zero {
        let f = div.floor();
        if div - f > F::from(0.5).unwrap_or(zero) {
            f + F::one()
        } else {
            f
        }
    } else {
        zero.copysign(a / b)
    };
    (floor_div, m)
}

/// spec: #floor_div — as `np.floor_divide`: `1.0 // 0.0 = inf`, `0.0 // 0.0 = nan`.
fn real_floor_div<F: Real>(a: F, b: F) -> F {
    if b == F::zero() {
        a / b
    } else {
        real_divmod(a, b).0
    }
}

/// spec: #mod — as `np.mod`: `mod(x, 0.0) = nan`, `mod(-0.0, 1.0) = 0.0`.
fn real_mod<F: Real>(a: F, b: F) -> F {
    if b == F::zero() {
        a % b
    } else {
        real_divmod(a, b).1
    }
}

/// spec: #max — NaN-propagating; otherwise `a if a > b else b`: a tie gives the second operand,
/// as `np.maximum` does (`max(-0.0, 0.0) = 0.0`, `max(0.0, -0.0) = -0.0`).
pub(crate) fn real_max<F: Float>(a: F, b: F) -> F {
    if a.is_nan() || a > b {
        a
    } else {
        b // b is NaN, the larger, or tied with a
    }
}

/// spec: #min — NaN-propagating; otherwise `a if a < b else b` (a tie gives the second operand).
pub(crate) fn real_min<F: Float>(a: F, b: F) -> F {
    if a.is_nan() || a < b {
        a
    } else {
        b
    }
}

/// An elementwise function of two complex numbers.
type ComplexFn<F> = fn(Complex<F>, Complex<F>) -> Complex<F>;

/// Complex semantics.
fn complex_fn<F: Real>(op: BinaryOp) -> Option<ComplexFn<F>> {
    use num_complex::Complex; // over the glob's `BinaryOp::Complex`
    use BinaryOp::*;
    Some(match op {
        Add => |p: Complex<F>, q: Complex<F>| p + q, // spec: #add
        Sub => |p: Complex<F>, q: Complex<F>| p - q, // spec: #sub
        Mul => |p: Complex<F>, q: Complex<F>| p * q, // spec: #mul
        Div => complex_div,                          // spec: #div
        Pow => complex_pow,                          // spec: #pow
        FloorDiv | Rem | Mod | Max | Min | Atan2 | And | Or | Xor | Shl | Shr => return None,
        Hypot | Copysign | Logaddexp | Logaddexp2 | Heaviside | BinaryOp::Complex => return None,
        Eq | Ne | Lt | Le | Gt | Ge => return None, // comparisons: see `compare`
    })
}

/// Complex division by Smith's method, as NumPy: no spurious overflow, and `x / 0` gives
/// infinities or NaNs componentwise.
pub(crate) fn complex_div<F: Real>(a: Complex<F>, b: Complex<F>) -> Complex<F> {
    let (br, bi) = (b.re.abs(), b.im.abs());
    if br >= bi {
        if br == F::zero() && bi == F::zero() {
            return Complex::new(a.re / br, a.im / br);
        }
        let rat = b.im / b.re;
        let scl = F::one() / (b.re + b.im * rat);
        Complex::new((a.re + a.im * rat) * scl, (a.im - a.re * rat) * scl)
    } else {
        let rat = b.re / b.im;
        let scl = F::one() / (b.im + b.re * rat);
        Complex::new((a.re * rat + a.im) * scl, (a.im * rat - a.re) * scl)
    }
}

/// NumPy's `nc_pow`: `z**0 = 1`; `0**b` is 0 for real `b > 0`, else NaN; small integer exponents
/// by repeated multiplication; otherwise `exp(b * ln(a))`.
fn complex_pow<F: Real>(a: Complex<F>, b: Complex<F>) -> Complex<F> {
    let zero = F::zero();
    if b.is_zero() {
        return Complex::one();
    }
    if a.is_zero() {
        return if b.re > zero && b.im == zero {
            Complex::zero()
        } else {
            Complex::new(F::nan(), F::nan())
        };
    }
    let hundred = F::from(100.0).unwrap_or(zero);
    if b.im == zero && b.re == b.re.trunc() && b.re.abs() < hundred {
        let n = b.re.to_i32().unwrap_or(0);
        let power = match n.unsigned_abs() {
            1 => a,
            2 => a * a,
            3 => a * a * a,
            k => {
                let (mut acc, mut p, mut k) = (Complex::one(), a, k);
                while k > 0 {
                    if k & 1 == 1 {
                        acc = acc * p;
                    }
                    k >>= 1;
                    if k > 0 {
                        p = p * p;
                    }
                }
                acc
            }
        };
        return if n < 0 {
            complex_div(Complex::one(), power)
        } else {
            power
        };
    }
    (b * a.ln()).exp()
}

/// spec: #select — `cond ? a : b` elementwise; cond bool, a and b of one dtype, one shape.
pub(crate) fn select(cond: &Tensor, a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let Tensor::Bool(c) = cond else {
        return not_accepted("select condition", cond);
    };
    same_shape(cond, a)?;
    same_shape(a, b)?;
    fn pick<T: Element>(c: &ArrayD<bool>, x: &ArrayD<T>, y: &Tensor) -> Option<ArrayD<T>> {
        let y = T::view(y)?;
        Some(
            Zip::from(c)
                .and(x)
                .and(y)
                .map_collect(|&c, &p, &q| if c { p } else { q }),
        )
    }
    let out = crate::tensor::map_array!(a, x => match pick(c, x, b) {
        Some(r) => r,
        None => return dtype_mismatch(a, b),
    });
    Ok(out)
}

/// spec: #clip — `min(max(x, lo), hi)` with the max/min rules (so `lo > hi` gives `hi`).
pub(crate) fn clip(x: &Tensor, lo: &Tensor, hi: &Tensor) -> Result<Tensor> {
    if x.dtype().is_complex() {
        return not_accepted("clip", x);
    }
    binary(BinaryOp::Min, &binary(BinaryOp::Max, x, lo)?, hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn op_set_2_binary_edge_cases() {
        let f = |op| real_fn::<f64>(op).expect("float op");
        let (inf, nan) = (f64::INFINITY, f64::NAN);
        assert_eq!(f(BinaryOp::Logaddexp)(-inf, -inf), -inf);
        assert_eq!(f(BinaryOp::Logaddexp)(inf, inf), inf);
        assert_eq!(f(BinaryOp::Logaddexp)(inf, -inf), inf);
        assert!(f(BinaryOp::Logaddexp)(nan, inf).is_nan());
        assert_eq!(f(BinaryOp::Logaddexp2)(-inf, -inf), -inf);
        assert_eq!(f(BinaryOp::Logaddexp2)(1.0, 1.0), 2.0);
        assert_eq!(f(BinaryOp::Hypot)(inf, nan), inf);
        assert_eq!(f(BinaryOp::Hypot)(nan, -inf), inf);
        assert_eq!(f(BinaryOp::Hypot)(3.0, 4.0), 5.0);
        assert_eq!(f(BinaryOp::Copysign)(1.0, -0.0), -1.0);
        assert_eq!(f(BinaryOp::Copysign)(2.0, -nan), -2.0);
        assert!(f(BinaryOp::Copysign)(nan, -1.0).is_sign_negative());
        assert_eq!(f(BinaryOp::Heaviside)(-0.0, 0.5), 0.5);
        assert_eq!(f(BinaryOp::Heaviside)(-2.0, 0.5), 0.0);
        assert_eq!(f(BinaryOp::Heaviside)(inf, 0.5), 1.0);
        assert!(f(BinaryOp::Heaviside)(nan, 0.5).is_nan());
    }
}
