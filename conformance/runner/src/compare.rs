//! Comparing computed outputs with expected ones under a case's tolerance.

use air_value::Tensor;

use crate::case::Tolerance;

/// One element, widened for comparison, with the bit width of its float type (for ulps).
#[derive(Clone, Copy, Debug)]
enum Elem {
    Int(i128),
    Float { v: f64, bits: u32 },
    Complex { re: f64, im: f64, bits: u32 },
}

fn elements(t: &Tensor) -> Vec<Elem> {
    fn ints<T: Copy + Into<i128>>(a: &ndarray::ArrayD<T>) -> Vec<Elem> {
        a.iter().map(|&x| Elem::Int(x.into())).collect()
    }
    fn floats<T: Copy>(a: &ndarray::ArrayD<T>, bits: u32, f: impl Fn(T) -> f64) -> Vec<Elem> {
        a.iter().map(|&x| Elem::Float { v: f(x), bits }).collect()
    }
    match t {
        Tensor::Bool(a) => a.iter().map(|&b| Elem::Int(i128::from(b))).collect(),
        Tensor::I8(a) => ints(a),
        Tensor::I16(a) => ints(a),
        Tensor::I32(a) => ints(a),
        Tensor::I64(a) => ints(a),
        Tensor::U8(a) => ints(a),
        Tensor::U16(a) => ints(a),
        Tensor::U32(a) => ints(a),
        Tensor::U64(a) => ints(a),
        Tensor::F16(a) => floats(a, 16, |x: half::f16| x.to_f64()),
        Tensor::BF16(a) => floats(a, 8, |x: half::bf16| x.to_f64()),
        Tensor::F32(a) => floats(a, 32, f64::from),
        Tensor::F64(a) => floats(a, 64, |x| x),
        Tensor::C64(a) => a
            .iter()
            .map(|z| Elem::Complex {
                re: f64::from(z.re),
                im: f64::from(z.im),
                bits: 32,
            })
            .collect(),
        Tensor::C128(a) => a
            .iter()
            .map(|z| Elem::Complex {
                re: z.re,
                im: z.im,
                bits: 64,
            })
            .collect(),
    }
}

/// Distance in units in the last place of a float type with `bits` bits (16, 8 for bf16, 32, 64).
fn ulp_distance(a: f64, b: f64, bits: u32) -> u64 {
    fn ordered(x: i64) -> i64 {
        if x < 0 {
            i64::MIN - x
        } else {
            x
        }
    }
    let (ia, ib) = match bits {
        64 => (a.to_bits() as i64, b.to_bits() as i64),
        32 => (
            i64::from((a as f32).to_bits() as i32),
            i64::from((b as f32).to_bits() as i32),
        ),
        16 => (
            i64::from(half::f16::from_f64(a).to_bits() as i16),
            i64::from(half::f16::from_f64(b).to_bits() as i16),
        ),
        _ => (
            i64::from(half::bf16::from_f64(a).to_bits() as i16),
            i64::from(half::bf16::from_f64(b).to_bits() as i16),
        ),
    };
    let (oa, ob) = match bits {
        64 => (ordered(ia), ordered(ib)),
        32 => (ordered32(ia), ordered32(ib)),
        _ => (ordered16(ia), ordered16(ib)),
    };
    oa.abs_diff(ob)
}

fn ordered32(x: i64) -> i64 {
    if x < 0 {
        i64::from(i32::MIN) - x
    } else {
        x
    }
}

fn ordered16(x: i64) -> i64 {
    if x < 0 {
        i64::from(i16::MIN) - x
    } else {
        x
    }
}

fn float_ok(got: f64, want: f64, bits: u32, tol: &Tolerance) -> bool {
    if got.is_nan() || want.is_nan() {
        return got.is_nan() && want.is_nan();
    }
    if tol.exact || got.is_infinite() || want.is_infinite() {
        return got == want && got.is_sign_negative() == want.is_sign_negative();
    }
    if let Some(ulps) = tol.ulp {
        if ulp_distance(got, want, bits) <= ulps {
            return true;
        }
    }
    (got - want).abs() <= tol.atol + tol.rtol * want.abs()
}

fn elem_ok(got: Elem, want: Elem, tol: &Tolerance) -> bool {
    match (got, want) {
        (Elem::Int(a), Elem::Int(b)) => a == b,
        (Elem::Float { v: a, bits }, Elem::Float { v: b, .. }) => float_ok(a, b, bits, tol),
        (
            Elem::Complex {
                re: ar,
                im: ai,
                bits,
            },
            Elem::Complex { re: br, im: bi, .. },
        ) => float_ok(ar, br, bits, tol) && float_ok(ai, bi, bits, tol),
        _ => false,
    }
}

fn show(e: Elem) -> String {
    match e {
        Elem::Int(i) => i.to_string(),
        Elem::Float { v, .. } => format!("{v:?}"),
        Elem::Complex { re, im, .. } => format!("({re:?}{im:+?}j)"),
    }
}

/// Compares one output; `Err` says how it differs (dtype, shape, or the first elements that differ).
pub fn compare(name: &str, got: &Tensor, want: &Tensor, tol: &Tolerance) -> Result<(), String> {
    if got.dtype() != want.dtype() {
        return Err(format!(
            "{name}: dtype {} but expected {}",
            got.dtype(),
            want.dtype()
        ));
    }
    if got.shape() != want.shape() {
        return Err(format!(
            "{name}: shape {:?} but expected {:?}",
            got.shape(),
            want.shape()
        ));
    }
    let (g, w) = (elements(got), elements(want));
    let bad: Vec<usize> = (0..g.len())
        .filter(|&i| !elem_ok(g[i], w[i], tol))
        .collect();
    if bad.is_empty() {
        return Ok(());
    }
    let shown: Vec<String> = bad
        .iter()
        .take(3)
        .map(|&i| format!("[{i}] got {} expected {}", show(g[i]), show(w[i])))
        .collect();
    Err(format!(
        "{name}: {} of {} elements differ: {}",
        bad.len(),
        g.len(),
        shown.join("; ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ulps_count_across_zero_and_widths() {
        assert_eq!(ulp_distance(1.0, 1.0 + f64::EPSILON, 64), 1);
        assert_eq!(
            ulp_distance(-0.0, 0.0, 64),
            0,
            "signed zeros are equal in ulp order"
        );
        assert_eq!(ulp_distance(-f64::from_bits(1), f64::from_bits(1), 64), 2);
        assert_eq!(ulp_distance(1.0, f64::from(1.0f32 + f32::EPSILON), 32), 1);
    }

    #[test]
    fn tolerance_rules() {
        let tol = Tolerance {
            rtol: 1e-9,
            ..Tolerance::default()
        };
        assert!(float_ok(f64::NAN, f64::NAN, 64, &tol));
        assert!(!float_ok(f64::NAN, 1.0, 64, &tol));
        assert!(float_ok(1.0, 1.0 + 1e-12, 64, &tol));
        assert!(!float_ok(1.0, 1.0 + 1e-6, 64, &tol));
        let exact = Tolerance {
            exact: true,
            ..Tolerance::default()
        };
        assert!(!float_ok(-0.0, 0.0, 64, &exact));
        assert!(!float_ok(f64::INFINITY, f64::MAX, 64, &tol));
    }
}
