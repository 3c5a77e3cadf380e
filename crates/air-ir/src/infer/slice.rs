//! `slice(x, bounds...) {axes}`: one Python slice per axis; run-time bounds are scalar integer
//! operands `#k`. The extent of each result axis is computed when the rules of
//! `docs/op-rules.md` allow it, and is a fresh dim otherwise.

use crate::diag::{Code, Diagnostic};
use crate::dim::{Dim, DimOverflow};
use crate::op::{Bound, SliceAxis};
use crate::types::TensorType;

use super::{err, overflow, scalar, DimSlot, Inferred};

pub(super) fn slice(axes: &[SliceAxis], operands: &[TensorType]) -> Result<Inferred, Diagnostic> {
    let Some(x) = operands.first() else {
        return Err(err(Code::Arity, "expected at least 1 operand, got 0"));
    };
    if axes.len() != x.rank() {
        return Err(err(
            Code::BadSlice,
            format!("{} slices for a tensor of rank {}", axes.len(), x.rank()),
        ));
    }
    check_bound_operands(axes, operands)?;
    let shape = axes
        .iter()
        .zip(&x.shape)
        .map(|(s, d)| extent(s, d))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Inferred {
        dtype: x.dtype,
        shape,
    })
}

/// Steps are non-zero; `#k` operands exist, are scalar integers, and every one is referenced.
fn check_bound_operands(axes: &[SliceAxis], operands: &[TensorType]) -> Result<(), Diagnostic> {
    let mut used = vec![false; operands.len()];
    for (i, s) in axes.iter().enumerate() {
        if s.step == 0 {
            return Err(err(Code::BadSlice, format!("axis {i}: step is 0")));
        }
        for b in [&s.start, &s.stop] {
            let Bound::Operand(k) = *b else { continue };
            let k = k as usize;
            if k == 0 {
                return Err(err(
                    Code::BadSlice,
                    format!("axis {i}: bound #0 is the sliced tensor, not a bound"),
                ));
            }
            let Some(t) = operands.get(k) else {
                return Err(err(
                    Code::Arity,
                    format!("axis {i}: bound #{k} but only {} operands", operands.len()),
                ));
            };
            scalar(t, &format!("slice bound #{k}"))?;
            if !t.dtype.is_int() {
                return Err(err(
                    Code::DTypeNotAccepted,
                    format!("slice bound #{k} must be an integer, got {}", t.dtype),
                ));
            }
            used[k] = true;
        }
    }
    if let Some(k) = (1..operands.len()).find(|&k| !used[k]) {
        return Err(err(
            Code::Arity,
            format!("operand #{k} is not referenced by any slice bound"),
        ));
    }
    Ok(())
}

fn constant_bound(b: &Bound) -> Option<Option<i64>> {
    match b {
        Bound::Default => Some(None),
        Bound::Const(c) => Some(Some(*c)),
        Bound::Operand(_) => None,
    }
}

/// True where op set 1 gave a fresh dim for this slice of an axis of extent `d`: a bound from an
/// operand, or a symbolic extent with a step other than 1 (except a whole axis reversed) or with
/// bounds outside op set 1's closed forms. Op set 2 gives such extents exactly, and a declared new
/// symbol stays accepted there (spec §1.5.4).
pub(crate) fn fresh_in_opset1(s: &SliceAxis, d: &Dim) -> bool {
    let (Some(start), Some(stop)) = (constant_bound(&s.start), constant_bound(&s.stop)) else {
        return true;
    };
    if d.is_const() || (start.is_none() && stop.is_none() && (s.step == 1 || s.step == -1)) {
        return false;
    }
    let c = start.unwrap_or(0);
    !(s.step == 1 && c >= 0 && stop.is_none_or(|e| e >= 0))
}

/// The extent of one sliced axis of extent `d`.
fn extent(s: &SliceAxis, d: &Dim) -> Result<DimSlot, Diagnostic> {
    let (Some(start), Some(stop)) = (constant_bound(&s.start), constant_bound(&s.stop)) else {
        return Ok(DimSlot::Fresh);
    };
    if let Some(n) = d.as_const() {
        return Ok(DimSlot::Known(Dim::constant(python_len(
            n, start, stop, s.step,
        ))));
    }
    // The whole axis, forwards or backwards.
    if start.is_none() && stop.is_none() && (s.step == 1 || s.step == -1) {
        return Ok(DimSlot::Known(d.clone()));
    }
    if s.step == 1 {
        // Op set 1's polynomial extents (a negative one is a run-time error).
        let c = start.unwrap_or(0);
        match (c >= 0, stop) {
            (true, None) => return Ok(DimSlot::Known(d.sub(&Dim::constant(c)).map_err(overflow)?)),
            (true, Some(e)) if e >= 0 => {
                return Ok(DimSlot::Known(Dim::constant(e.saturating_sub(c).max(0))))
            }
            _ => {}
        }
    }
    Ok(DimSlot::Known(
        symbolic_len(d, start, stop, s.step).map_err(overflow)?,
    ))
}

/// `len(range(n)[start:stop:step])` for a symbolic `n >= 0`, exactly, with `floordiv` and `max0`
/// (op set 2, spec §1.4): Python clamps each bound into the axis; a clamp that can only matter
/// when the result is empty anyway is left out, since the outer `max0` gives 0 then.
///
/// - `step > 0`: start is `a` (`a >= 0`) or `max0(n+a)` (`a < 0`), 0 by default; stop is
///   `b - max0(b-n)` (= `min(b, n)`, `b >= 0`) or `n+b` (`b < 0`), `n` by default; the length
///   is `max0(ceildiv(stop - start, step))`.
/// - `step < 0`: start is `a - max0(a-n+1)` (= `min(a, n-1)`, `a >= 0`) or `n+a` (`a < 0`),
///   `n-1` by default; stop is `b` (`b >= 0`) or `max0(n+b+1)-1` (`b < 0`), `-1` by default; the
///   length is `max0(ceildiv(start - stop, -step))`.
pub(crate) fn symbolic_len(
    n: &Dim,
    start: Option<i64>,
    stop: Option<i64>,
    step: i64,
) -> Result<Dim, DimOverflow> {
    let c = Dim::constant;
    let plus = |k: i64| n.add(&c(k));
    if step > 0 {
        let lo = match start {
            None => c(0),
            Some(a) if a >= 0 => c(a),
            Some(a) => plus(a)?.max0()?,
        };
        let hi = match stop {
            None => n.clone(),
            Some(b) if b >= 0 => c(b).sub(&c(b).sub(n)?.max0()?)?,
            Some(b) => plus(b)?,
        };
        hi.sub(&lo)?.ceildiv(step)?.max0()
    } else {
        let t = step.checked_neg().ok_or(DimOverflow::Arithmetic)?;
        let hi = match start {
            None => plus(-1)?,
            Some(a) if a >= 0 => {
                let past = c(a).sub(n)?.add(&c(1))?.max0()?;
                c(a).sub(&past)?
            }
            Some(a) => plus(a)?,
        };
        let lo = match stop {
            None => c(-1),
            Some(b) if b >= 0 => c(b),
            Some(b) => plus(b)?.add(&c(1))?.max0()?.sub(&c(1))?,
        };
        hi.sub(&lo)?.ceildiv(t)?.max0()
    }
}

/// `len(range(n)[start:stop:step])`, as Python computes it (`slice.indices`). `step != 0`.
pub(crate) fn python_len(n: i64, start: Option<i64>, stop: Option<i64>, step: i64) -> i64 {
    let (n, step) = (i128::from(n), i128::from(step));
    let (lower, upper) = if step > 0 { (0, n) } else { (-1, n - 1) };
    let clamp = |b: Option<i64>, default: i128| -> i128 {
        match b {
            None => default,
            Some(v) => {
                let v = i128::from(v);
                if v < 0 {
                    (v + n).max(lower)
                } else {
                    v.min(upper)
                }
            }
        }
    };
    let (start, stop) = if step > 0 {
        (clamp(start, lower), clamp(stop, upper))
    } else {
        (clamp(start, upper), clamp(stop, lower))
    };
    let len = if step > 0 && stop > start {
        (stop - start - 1) / step + 1
    } else if step < 0 && start > stop {
        (start - stop - 1) / (-step) + 1
    } else {
        0
    };
    // `len <= n <= i64::MAX`.
    i64::try_from(len).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::{python_len, symbolic_len};
    use crate::dim::Dim;
    use std::collections::HashMap;

    #[test]
    fn symbolic_lengths_match_python_for_every_n() {
        let bounds = [
            None,
            Some(-7),
            Some(-3),
            Some(-1),
            Some(0),
            Some(1),
            Some(2),
            Some(5),
            Some(9),
        ];
        let n = Dim::symbol("n");
        for step in [-4, -3, -2, -1, 1, 2, 3, 5] {
            for start in bounds {
                for stop in bounds {
                    let d = symbolic_len(&n, start, stop, step).unwrap();
                    for v in 0..13 {
                        let env = HashMap::from([("n".to_string(), v)]);
                        assert_eq!(
                            d.eval(&env),
                            Some(python_len(v, start, stop, step)),
                            "n={v} [{start:?}:{stop:?}:{step}] as {d}"
                        );
                    }
                }
            }
        }
        assert_eq!(
            symbolic_len(&n, None, None, 2).unwrap().to_string(),
            "floordiv(n+1, 2)"
        );
        assert_eq!(
            symbolic_len(&n, None, None, -3).unwrap().to_string(),
            "floordiv(n+2, 3)"
        );
    }

    #[test]
    fn python_slice_lengths() {
        // Checked against len(range(n)[a:b:c]) in Python.
        assert_eq!(python_len(10, Some(2), Some(7), 1), 5);
        assert_eq!(python_len(10, None, None, -1), 10);
        assert_eq!(python_len(10, Some(-3), None, 1), 3);
        assert_eq!(python_len(10, None, None, 3), 4);
        assert_eq!(python_len(10, Some(8), Some(2), -2), 3);
        assert_eq!(python_len(10, Some(20), Some(30), 1), 0);
        assert_eq!(python_len(10, Some(-20), Some(3), 1), 3);
        assert_eq!(python_len(10, Some(5), Some(2), 1), 0);
        assert_eq!(python_len(0, None, None, -1), 0);
        assert_eq!(python_len(10, Some(-1), Some(-11), -1), 10);
        assert_eq!(python_len(10, Some(i64::MIN), Some(i64::MAX), i64::MAX), 1);
    }
}
