//! Complex elementwise math for generated code: the functions the LLVM backend calls per element
//! for `c64` and `c128` where inline IR is the wrong tool (division, `pow`, `abs` aside, and every
//! transcendental function). The formulas are the interpreter's (`air-interp`, `eval/unary.rs`
//! and `eval/binary.rs`): num-complex's methods, and NumPy's `nc_expm1`, `nc_log1p`, `nc_pow` and
//! Smith's division written out the same way, so compiled code gives the interpreter's numbers
//! bit for bit (`tests/cmath.rs` checks it against the interpreter).
//!
//! Ops are passed by their index in `UnaryOp::ALL` / `BinaryOp::ALL`; generated code only calls
//! these for the ops [`unary_supported`] / [`binary_supported`] accept (checked at compile time).

use air_ir::{BinaryOp, UnaryOp};
use num_complex::Complex;
use num_traits::{Float, One, Zero};

/// True for the unary ops computed here on complex operands.
pub fn unary_supported(op: UnaryOp) -> bool {
    unary::<f64>(op, Complex::new(0.5, 0.5)).is_some()
}

/// True for the binary ops computed here on complex operands.
pub fn binary_supported(op: BinaryOp) -> bool {
    binary::<f64>(op, Complex::one(), Complex::one()).is_some()
}

/// The index of a unary op in `UnaryOp::ALL` (what generated code passes).
pub fn unary_code(op: UnaryOp) -> i32 {
    UnaryOp::ALL.iter().position(|&o| o == op).unwrap_or(0) as i32
}

/// The index of a binary op in `BinaryOp::ALL` (what generated code passes).
pub fn binary_code(op: BinaryOp) -> i32 {
    BinaryOp::ALL.iter().position(|&o| o == op).unwrap_or(0) as i32
}

/// One element of a unary op on a complex number, as the interpreter computes it; `None` for
/// the ops that do not take complex operands or that generated code computes inline.
pub fn unary<F: Float>(op: UnaryOp, z: Complex<F>) -> Option<Complex<F>> {
    use UnaryOp::*;
    Some(match op {
        Exp => z.exp(),
        Expm1 => expm1(z),
        Log => z.ln(),
        Log1p => log1p(z),
        Sqrt => z.sqrt(),
        Rsqrt => div(Complex::one(), z.sqrt()),
        Sin => z.sin(),
        Cos => z.cos(),
        Tan => z.tan(),
        Asin => z.asin(),
        Acos => z.acos(),
        Atan => z.atan(),
        Sinh => z.sinh(),
        Cosh => z.cosh(),
        Tanh => z.tanh(),
        Reciprocal => div(Complex::one(), z),
        // Inline in generated code (neg, square) or not defined on complex numbers.
        Neg | Square | Abs | Sign | Floor | Ceil | Round | Erf | Logistic | Not | IsNan | IsInf
        | IsFinite | Asinh | Acosh | Atanh | Exp2 | Log2 | Log10 | Cbrt | Trunc | Real | Imag
        | Conj | Angle | Sinc => return None,
    })
}

/// One element of a binary op on complex numbers (`div`, `pow`), as the interpreter computes it.
pub fn binary<F: Float>(op: BinaryOp, a: Complex<F>, b: Complex<F>) -> Option<Complex<F>> {
    use BinaryOp::*;
    Some(match op {
        Div => div(a, b),
        Pow => pow(a, b),
        Add | Sub | Mul | FloorDiv | Rem | Mod | Max | Min | Atan2 | And | Or | Xor | Shl | Shr
        | Eq | Ne | Lt | Le | Gt | Ge | Hypot | Copysign | Logaddexp | Logaddexp2 | Heaviside
        | Complex => return None,
    })
}

/// NumPy's `nc_expm1`: accurate for small `z`.
fn expm1<F: Float>(z: Complex<F>) -> Complex<F> {
    let two = F::one() + F::one();
    let a = (z.im / two).sin();
    Complex::new(
        z.re.exp_m1() * z.im.cos() - two * a * a,
        z.re.exp() * z.im.sin(),
    )
}

/// NumPy's `nc_log1p`.
fn log1p<F: Float>(z: Complex<F>) -> Complex<F> {
    let re = z.re + F::one();
    Complex::new(re.hypot(z.im).ln(), z.im.atan2(re))
}

/// Complex division by Smith's method, as NumPy: no spurious overflow, and `x / 0` gives
/// infinities or NaNs componentwise.
pub fn div<F: Float>(a: Complex<F>, b: Complex<F>) -> Complex<F> {
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
fn pow<F: Float>(a: Complex<F>, b: Complex<F>) -> Complex<F> {
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
            div(Complex::one(), power)
        } else {
            power
        };
    }
    (b * a.ln()).exp()
}

fn unary_by_code<F: Float>(op: i32, z: Complex<F>) -> Complex<F> {
    usize::try_from(op)
        .ok()
        .and_then(|i| UnaryOp::ALL.get(i))
        .and_then(|&op| unary(op, z))
        // Unreachable from generated code, which checks `unary_supported` at compile time.
        .unwrap_or_else(|| Complex::new(F::nan(), F::nan()))
}

fn binary_by_code<F: Float>(op: i32, a: Complex<F>, b: Complex<F>) -> Complex<F> {
    usize::try_from(op)
        .ok()
        .and_then(|i| BinaryOp::ALL.get(i))
        .and_then(|&op| binary(op, a, b))
        // Unreachable from generated code, which checks `binary_supported` at compile time.
        .unwrap_or_else(|| Complex::new(F::nan(), F::nan()))
}

/// `out[0..2] = op(re + i im)` on `c64` (`op`: index in `UnaryOp::ALL`).
///
/// # Safety
/// `out` points to two writable `f32`.
#[no_mangle]
pub unsafe extern "C" fn air_rt_c64_unary(op: i32, re: f32, im: f32, out: *mut f32) {
    let r = unary_by_code(op, Complex::new(re, im));
    // SAFETY: the caller passes room for two floats.
    unsafe {
        out.write(r.re);
        out.add(1).write(r.im);
    }
}

/// `out[0..2] = op(re + i im)` on `c128` (`op`: index in `UnaryOp::ALL`).
///
/// # Safety
/// `out` points to two writable `f64`.
#[no_mangle]
pub unsafe extern "C" fn air_rt_c128_unary(op: i32, re: f64, im: f64, out: *mut f64) {
    let r = unary_by_code(op, Complex::new(re, im));
    // SAFETY: the caller passes room for two doubles.
    unsafe {
        out.write(r.re);
        out.add(1).write(r.im);
    }
}

/// `out[0..2] = op(a, b)` on `c64` (`op`: index in `BinaryOp::ALL`).
///
/// # Safety
/// `out` points to two writable `f32`.
#[no_mangle]
pub unsafe extern "C" fn air_rt_c64_binary(
    op: i32,
    ar: f32,
    ai: f32,
    br: f32,
    bi: f32,
    out: *mut f32,
) {
    let r = binary_by_code(op, Complex::new(ar, ai), Complex::new(br, bi));
    // SAFETY: the caller passes room for two floats.
    unsafe {
        out.write(r.re);
        out.add(1).write(r.im);
    }
}

/// `out[0..2] = op(a, b)` on `c128` (`op`: index in `BinaryOp::ALL`).
///
/// # Safety
/// `out` points to two writable `f64`.
#[no_mangle]
pub unsafe extern "C" fn air_rt_c128_binary(
    op: i32,
    ar: f64,
    ai: f64,
    br: f64,
    bi: f64,
    out: *mut f64,
) {
    let r = binary_by_code(op, Complex::new(ar, ai), Complex::new(br, bi));
    // SAFETY: the caller passes room for two doubles.
    unsafe {
        out.write(r.re);
        out.add(1).write(r.im);
    }
}
