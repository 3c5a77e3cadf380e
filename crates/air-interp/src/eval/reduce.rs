//! Reductions (`reduce_*`, `argmax`/`argmin`), running reductions (`cumsum`/`cumprod`) and
//! `sort`.

use std::cmp::Ordering;
use std::ops::Div;

use air_ir::op::{ArgKind, ReduceKind, ScanKind};
use air_ir::Code;
use ndarray::{ArrayD, Axis, IxDyn};
use num_traits::{One, Zero};

use super::scalar::{Accumulate, Ordered};
use super::{check_axes, check_axis, not_accepted};
use crate::error::{fail, Result};
use crate::tensor::{map_numeric, map_ordered, map_some, with_some, Element, Tensor};

/// Applies `f` to every lane of the `axes` (sorted, distinct): the elements that reduce to one
/// result element, in C order. The result has the other axes, plus the reduced ones as 1 with
/// `keepdims`.
fn lanes<T: Element, U>(
    a: &ArrayD<T>,
    axes: &[usize],
    keepdims: bool,
    f: impl Fn(&[T]) -> U,
) -> ArrayD<U> {
    let shape = a.shape();
    let kept: Vec<usize> = (0..a.ndim()).filter(|i| !axes.contains(i)).collect();
    let order: Vec<usize> = kept.iter().chain(axes).copied().collect();
    let flat: Vec<T> = a
        .view()
        .permuted_axes(IxDyn(&order))
        .iter()
        .copied()
        .collect();
    let inner: usize = axes.iter().map(|&i| shape[i]).product();
    let outer: usize = kept.iter().map(|&i| shape[i]).product();
    let out: Vec<U> = (0..outer)
        .map(|o| f(&flat[o * inner..(o + 1) * inner]))
        .collect();
    let out_shape: Vec<usize> = if keepdims {
        (0..a.ndim())
            .map(|i| if axes.contains(&i) { 1 } else { shape[i] })
            .collect()
    } else {
        kept.iter().map(|&i| shape[i]).collect()
    };
    ArrayD::from_shape_vec(IxDyn(&out_shape), out).expect("outer * 1 elements fill the kept axes")
}

/// A sum by pairwise summation (as NumPy), in the accumulator type.
fn sum_of<T: Accumulate>(xs: &[T]) -> T::Acc {
    if xs.len() <= 8 {
        xs.iter().fold(T::Acc::zero(), |s, &x| s + x.to_acc())
    } else {
        let (l, r) = xs.split_at(xs.len() / 2);
        sum_of(l) + sum_of(r)
    }
}

fn prod_of<T: Accumulate>(xs: &[T]) -> T {
    T::from_acc(xs.iter().fold(T::Acc::one(), |p, &x| p * x.to_acc()))
}

fn mean_of<T: Accumulate>(xs: &[T]) -> T
where
    T::Acc: Div<f64, Output = T::Acc>,
{
    T::from_acc(sum_of(xs) / xs.len() as f64) // 0/0: the mean of nothing is NaN
}

/// NaN-propagating max: `a if a > b else b` (the rule of the binary `max`).
fn max2<T: Ordered>(a: T, b: T) -> T {
    if a.is_nan() || a > b {
        a
    } else {
        b
    }
}

fn min2<T: Ordered>(a: T, b: T) -> T {
    if a.is_nan() || a < b {
        a
    } else {
        b
    }
}

/// The max (or min) of a non-empty lane.
fn extreme<T: Ordered>(xs: &[T], max: bool) -> T {
    let f = if max { max2 } else { min2 };
    xs.iter().skip(1).fold(xs[0], |acc, &x| f(acc, x))
}

/// spec: #reduce_sum #reduce_prod #reduce_max #reduce_min #reduce_mean #reduce_any #reduce_all
pub(crate) fn reduce(kind: ReduceKind, x: &Tensor, axes: &[u32], keepdims: bool) -> Result<Tensor> {
    let mut axes = check_axes(axes, x.rank())?;
    axes.sort_unstable();
    let count: usize = axes.iter().map(|&i| x.shape()[i]).product();
    let results: usize = (0..x.rank())
        .filter(|i| !axes.contains(i))
        .map(|i| x.shape()[i])
        .product();
    let err = || not_accepted(kind.name(), x);
    let k = keepdims;
    Ok(match kind {
        // Sum of nothing is 0; integers wrap (no promotion).
        ReduceKind::Sum => {
            map_numeric!(x, a => lanes(a, &axes, k, |xs| Accumulate::from_acc(sum_of(xs))), else return err())
        }
        // Product of nothing is 1.
        ReduceKind::Prod => map_numeric!(x, a => lanes(a, &axes, k, prod_of), else return err()),
        ReduceKind::Max | ReduceKind::Min => {
            if !x.dtype().is_ordered() {
                return err();
            }
            // Nothing to reduce is an error only when there is a result element to compute.
            if count == 0 && results > 0 {
                return fail(
                    Code::EmptyReduction,
                    format!("{} over no elements", kind.name()),
                );
            }
            let max = kind == ReduceKind::Max;
            map_ordered!(x, a => lanes(a, &axes, k, |xs| extreme(xs, max)), else return err())
        }
        ReduceKind::Mean => map_some!(x, [F16, BF16, F32, F64, C64, C128],
            a => lanes(a, &axes, k, mean_of), else return err()),
        // Any of nothing is false; all of nothing is true.
        ReduceKind::Any => {
            map_some!(x, [Bool], a => lanes(a, &axes, k, |xs| xs.iter().any(|&v| v)), else return err())
        }
        ReduceKind::All => {
            map_some!(x, [Bool], a => lanes(a, &axes, k, |xs| xs.iter().all(|&v| v)), else return err())
        }
    })
}

/// The index of the first extreme; a NaN counts as the extreme, so the first NaN wins.
fn arg_extreme<T: Ordered>(xs: &[T], kind: ArgKind) -> i64 {
    let mut best = 0;
    for (i, &v) in xs.iter().enumerate() {
        if v.is_nan() {
            return i as i64;
        }
        let better = match kind {
            ArgKind::Argmax => v > xs[best],
            ArgKind::Argmin => v < xs[best],
        };
        if better {
            best = i;
        }
    }
    best as i64
}

/// spec: #argmax #argmin — i64 result; an empty axis is E0504.
pub(crate) fn arg_reduce(kind: ArgKind, x: &Tensor, axis: u32, keepdims: bool) -> Result<Tensor> {
    let axis = check_axis(axis, x.rank())?;
    if !x.dtype().is_ordered() {
        return not_accepted(kind.name(), x);
    }
    if x.shape()[axis] == 0 {
        return fail(
            Code::EmptyReduction,
            format!("{} over an empty axis {axis}", kind.name()),
        );
    }
    let ax = [axis];
    let out = with_some!(x, [Bool, I8, I16, I32, I64, U8, U16, U32, U64, F16, BF16, F32, F64],
        a => lanes(a, &ax, keepdims, |xs| arg_extreme(xs, kind)),
        else return not_accepted(kind.name(), x));
    Ok(Tensor::I64(out))
}

/// spec: #cumsum #cumprod — running sum or product along `axis`, in the accumulator type and
/// rounded (or wrapped) at each output element.
pub(crate) fn scan(kind: ScanKind, x: &Tensor, axis: u32) -> Result<Tensor> {
    let axis = check_axis(axis, x.rank())?;
    fn go<T: Accumulate>(a: &ArrayD<T>, axis: usize, kind: ScanKind) -> ArrayD<T> {
        let mut out = a.to_owned();
        for mut lane in out.lanes_mut(Axis(axis)) {
            let mut acc = match kind {
                ScanKind::Cumsum => T::Acc::zero(),
                ScanKind::Cumprod => T::Acc::one(),
            };
            for v in lane.iter_mut() {
                acc = match kind {
                    ScanKind::Cumsum => acc + v.to_acc(),
                    ScanKind::Cumprod => acc * v.to_acc(),
                };
                *v = T::from_acc(acc);
            }
        }
        out
    }
    Ok(map_numeric!(x, a => go(a, axis, kind), else return not_accepted(kind.name(), x)))
}

/// Ascending order with NaNs last; `-0.0` and `0.0` compare equal.
fn nan_last<T: Ordered>(a: &T, b: &T) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => a.partial_cmp(b).unwrap_or(Ordering::Equal),
    }
}

/// spec: #sort — ascending puts NaN last; descending is the reverse of ascending (NaN first).
pub(crate) fn sort(x: &Tensor, axis: u32, descending: bool) -> Result<Tensor> {
    let axis = check_axis(axis, x.rank())?;
    fn go<T: Ordered>(a: &ArrayD<T>, axis: usize, descending: bool) -> ArrayD<T> {
        let mut out = a.to_owned();
        for mut lane in out.lanes_mut(Axis(axis)) {
            let mut v: Vec<T> = lane.iter().copied().collect();
            v.sort_by(nan_last);
            if descending {
                v.reverse();
            }
            for (slot, x) in lane.iter_mut().zip(v) {
                *slot = x;
            }
        }
        out
    }
    Ok(map_ordered!(x, a => go(a, axis, descending), else return not_accepted("sort", x)))
}
