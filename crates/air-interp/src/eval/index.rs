//! Indexing ops: `slice`, `take`, `extract`, `insert`, `filter`.

use air_ir::op::{Bound, SliceAxis};
use air_ir::Code;
use ndarray::{ArrayD, Axis, IxDyn};

use super::scalar::{Num, Widen};
use super::{check_axis, dtype_mismatch, not_accepted, scalar_i64, scalar_index};
use crate::error::{fail, Result};
use crate::tensor::{map_array, with_array, Element, Tensor};

/// spec: #slice — one Python slice per axis; `#k` bounds are scalar integer operands.
pub(crate) fn slice(x: &[&Tensor], axes: &[SliceAxis]) -> Result<Tensor> {
    let Some(&t) = x.first() else {
        return fail(
            Code::Arity,
            "slice takes its operand and the bound operands",
        );
    };
    check_bound_operands(x.len(), axes)?;
    if axes.len() != t.rank() {
        return fail(
            Code::BadSlice,
            format!("{} slices for rank {}", axes.len(), t.rank()),
        );
    }
    let mut picks = Vec::with_capacity(axes.len());
    for (axis, s) in axes.iter().enumerate() {
        if s.step == 0 {
            return fail(Code::BadSlice, format!("axis {axis}: step 0"));
        }
        let start = bound(&s.start, x)?;
        let stop = bound(&s.stop, x)?;
        picks.push(python_slice(t.shape()[axis], start, stop, s.step));
    }
    fn go<T: Element>(a: &ArrayD<T>, picks: &[Vec<usize>]) -> ArrayD<T> {
        let mut out = a.to_owned();
        for (axis, idx) in picks.iter().enumerate() {
            let whole =
                idx.len() == out.shape()[axis] && idx.iter().enumerate().all(|(i, &j)| i == j);
            if !whole {
                out = out.select(Axis(axis), idx);
            }
        }
        out
    }
    Ok(map_array!(t, a => go(a, &picks)))
}

/// The operand count is `1 + max k` and every operand after the first is referenced (E0218);
/// `#0` (the sliced operand itself) is not a bound (E0210).
fn check_bound_operands(count: usize, axes: &[SliceAxis]) -> Result<()> {
    let mut used = vec![false; count];
    for s in axes {
        for b in [&s.start, &s.stop] {
            if let Bound::Operand(k) = b {
                match used.get_mut(*k as usize) {
                    Some(_) if *k == 0 => {
                        return fail(Code::BadSlice, "bound #0 is the sliced operand")
                    }
                    Some(u) => *u = true,
                    None => return fail(Code::Arity, format!("bound #{k} but {count} operands")),
                }
            }
        }
    }
    if let Some(k) = used.iter().skip(1).position(|u| !u) {
        return fail(
            Code::Arity,
            format!("operand {} is not used by any bound", k + 1),
        );
    }
    Ok(())
}

fn bound(b: &Bound, x: &[&Tensor]) -> Result<Option<i64>> {
    match b {
        Bound::Default => Ok(None),
        Bound::Const(c) => Ok(Some(*c)),
        Bound::Operand(k) => scalar_index(x[*k as usize], &format!("slice bound #{k}")).map(Some),
    }
}

/// The indices `range(n)[start:stop:step]` selects, as Python computes them (negative bounds
/// count from the end, out-of-range bounds clamp). `step` is not 0.
pub(crate) fn python_slice(
    n: usize,
    start: Option<i64>,
    stop: Option<i64>,
    step: i64,
) -> Vec<usize> {
    let n = n as i128;
    let step = i128::from(step);
    let clamp = |b: i64| {
        let b = i128::from(b);
        let b = if b < 0 { b + n } else { b };
        if step < 0 {
            b.clamp(-1, n - 1)
        } else {
            b.clamp(0, n)
        }
    };
    let start = start.map_or(if step < 0 { n - 1 } else { 0 }, clamp);
    let stop = stop.map_or(if step < 0 { -1 } else { n }, clamp);
    let mut out = Vec::new();
    let mut i = start;
    while (step > 0 && i < stop) || (step < 0 && i > stop) {
        out.push(i as usize);
        i += step;
    }
    out
}

/// An index into an axis of extent `n`: negative counts from the end; outside `[-n, n)` is E0503.
pub(crate) fn normalize(i: i128, n: usize, what: &str) -> Result<usize> {
    let n_i = n as i128;
    let j = if i < 0 { i + n_i } else { i };
    if (0..n_i).contains(&j) {
        Ok(j as usize)
    } else {
        fail(
            Code::IndexOutOfRange,
            format!("{what}: index {i} is out of range for extent {n}"),
        )
    }
}

/// The values of an integer tensor in C order (E0202 for other dtypes).
pub(crate) fn int_values(t: &Tensor, what: &str) -> Result<Vec<i128>> {
    if !t.dtype().is_int() {
        return not_accepted(what, t);
    }
    let nums: Vec<Num> = with_array!(t, a => a.iter().map(|v| v.to_num()).collect());
    Ok(nums
        .into_iter()
        .map(|n| match n {
            Num::Int(i) => i,
            Num::Bool(_) | Num::Float(_) | Num::Complex(..) => 0, // not reached: checked above
        })
        .collect())
}

/// spec: #take — gathers along `axis`; result shape `x[:axis] + idx.shape + x[axis+1:]`.
pub(crate) fn take(x: &Tensor, idx: &Tensor, axis: u32) -> Result<Tensor> {
    let axis = check_axis(axis, x.rank())?;
    let n = x.shape()[axis];
    let picks = int_values(idx, "take indices")?
        .into_iter()
        .map(|i| normalize(i, n, &format!("take along axis {axis}")))
        .collect::<Result<Vec<usize>>>()?;
    let mut shape = x.shape()[..axis].to_vec();
    shape.extend_from_slice(idx.shape());
    shape.extend_from_slice(&x.shape()[axis + 1..]);
    fn go<T: Element>(
        a: &ArrayD<T>,
        axis: usize,
        picks: &[usize],
        shape: &[usize],
    ) -> Result<Tensor> {
        // `select` puts the picks along `axis` in C order of `idx`, so a reshape finishes it.
        let g = a.select(Axis(axis), picks);
        Tensor::from_vec(shape, g.iter().copied().collect()).or_else(|e| fail(Code::BadExtent, e.0))
    }
    with_array!(x, a => go(a, axis, picks.as_slice(), &shape))
}

/// The position `(i0, ..., ik)` named by the index operands, each normalized (E0215, E0503).
fn position(x: &Tensor, indices: &[&Tensor], op: &str) -> Result<Vec<usize>> {
    if indices.len() != x.rank() {
        return fail(
            Code::RankMismatch,
            format!(
                "{op} needs {} indices for rank {}, got {}",
                x.rank(),
                x.rank(),
                indices.len()
            ),
        );
    }
    indices
        .iter()
        .enumerate()
        .map(|(axis, t)| {
            let what = format!("{op} index {axis}");
            normalize(scalar_i64(t, &what)?.into(), x.shape()[axis], &what)
        })
        .collect()
}

/// spec: #extract — `extract(x, i0, ..., ik)`: one element as a scalar.
pub(crate) fn extract(x: &[&Tensor]) -> Result<Tensor> {
    let Some((&t, indices)) = x.split_first() else {
        return fail(Code::Arity, "extract takes a tensor and its indices");
    };
    let pos = position(t, indices, "extract")?;
    fn get<T: Element>(a: &ArrayD<T>, pos: &[usize]) -> ArrayD<T> {
        ArrayD::from_elem(IxDyn(&[]), a[IxDyn(pos)])
    }
    Ok(map_array!(t, a => get(a, &pos)))
}

/// spec: #insert — `insert(x, v, i0, ..., ik)`: `x` with one element replaced by the scalar `v`.
pub(crate) fn insert(x: &[&Tensor]) -> Result<Tensor> {
    let [t, v, indices @ ..] = x else {
        return fail(
            Code::Arity,
            "insert takes a tensor, a value and its indices",
        );
    };
    if v.rank() != 0 {
        return fail(
            Code::ExpectedScalar,
            format!("insert value must be a scalar, got {:?}", v.shape()),
        );
    }
    let pos = position(t, indices, "insert")?;
    fn set<T: Element>(a: &ArrayD<T>, v: &Tensor, pos: &[usize]) -> Option<ArrayD<T>> {
        let value = T::view(v)?.iter().next().copied()?;
        let mut out = a.to_owned();
        out[IxDyn(pos)] = value;
        Some(out)
    }
    let out = map_array!(t, a => match set(a, v, &pos) {
        Some(r) => r,
        None => return dtype_mismatch(t, v),
    });
    Ok(out)
}

/// spec: #filter — the elements of 1-D `x` where the 1-D bool `mask` holds; the result's length
/// is the node's fresh dim.
pub(crate) fn filter(x: &Tensor, mask: &Tensor) -> Result<Tensor> {
    let Tensor::Bool(m) = mask else {
        return not_accepted("filter mask", mask);
    };
    if x.rank() != 1 || m.ndim() != 1 {
        return fail(Code::RankMismatch, "filter takes 1-D operands");
    }
    if x.shape() != m.shape() {
        return fail(
            Code::ShapeMismatch,
            format!(
                "filter operand {:?} and mask {:?} differ",
                x.shape(),
                m.shape()
            ),
        );
    }
    fn keep<T: Element>(a: &ArrayD<T>, m: &ArrayD<bool>) -> ArrayD<T> {
        let kept: Vec<T> = a
            .iter()
            .zip(m.iter())
            .filter(|(_, &k)| k)
            .map(|(&v, _)| v)
            .collect();
        ndarray::Array1::from(kept).into_dyn()
    }
    Ok(map_array!(x, a => keep(a, m)))
}

#[cfg(test)]
mod tests {
    use super::python_slice;

    #[test]
    fn python_slice_matches_python() {
        // Expected values are those of `list(range(n))[start:stop:step]` in CPython.
        assert_eq!(python_slice(5, None, None, 1), vec![0, 1, 2, 3, 4]);
        assert_eq!(python_slice(5, Some(1), Some(-1), 1), vec![1, 2, 3]);
        assert_eq!(python_slice(5, None, None, -1), vec![4, 3, 2, 1, 0]);
        assert_eq!(python_slice(5, Some(-2), None, -2), vec![3, 1]);
        assert_eq!(python_slice(5, Some(10), Some(-10), -3), vec![4, 1]);
        assert_eq!(python_slice(5, Some(-10), Some(10), 2), vec![0, 2, 4]);
        assert_eq!(python_slice(5, Some(3), Some(1), 1), Vec::<usize>::new());
        assert_eq!(python_slice(0, None, None, -1), Vec::<usize>::new());
        assert_eq!(
            python_slice(5, Some(i64::MIN), Some(i64::MAX), i64::MAX),
            vec![0]
        );
    }
}
