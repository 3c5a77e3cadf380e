//! The op set 2 indexing ops: `scatter`, `gather` (index tuples along the last axis of
//! `indices`) and `unique`.

use std::cmp::Ordering;

use air_ir::op::ScatterMode;
use air_ir::{BinaryOp, Code, DType};
use ndarray::{ArrayD, IxDyn};

use super::binary;
use super::index::{int_values, normalize};
use super::scalar::{Num, Widen};
use super::{dtype_mismatch, not_accepted};
use crate::error::{fail, Result};
use crate::tensor::{map_array, with_array, with_some, Element, Tensor};

/// The index tuples of `idx` (its last axis) into `x`, each normalized and flattened to the
/// C-order position of the slice it names among `x.shape[:k]`; with `k` and the slice size
/// `product(x.shape[k:])`. E0215/E0217 for malformed indices, E0503 for an index outside
/// `[-d, d)`.
fn tuples(x: &Tensor, idx: &Tensor, op: &str) -> Result<(usize, Vec<usize>, usize)> {
    let Some((&k, batch)) = idx.shape().split_last() else {
        return fail(
            Code::RankMismatch,
            format!("{op} indices must have rank >= 1"),
        );
    };
    if k > x.rank() {
        return fail(
            Code::RankMismatch,
            format!("{op}: index tuples of length {k} for rank {}", x.rank()),
        );
    }
    let values = int_values(idx, &format!("{op} indices"))?;
    let outer = &x.shape()[..k];
    let m: usize = batch.iter().product();
    let mut flat = Vec::with_capacity(m);
    for t in 0..m {
        let mut p = 0usize;
        for (axis, &d) in outer.iter().enumerate() {
            let what = format!("{op} index tuple {t}, axis {axis}");
            p = p * d + normalize(values[t * k + axis], d, &what)?;
        }
        flat.push(p);
    }
    let inner = x.shape()[k..].iter().product();
    Ok((k, flat, inner))
}

/// spec: #gather — the slices of `x` named by the index tuples; result shape
/// `indices.shape[:-1] + x.shape[k:]`.
pub(crate) fn gather(x: &Tensor, idx: &Tensor) -> Result<Tensor> {
    let (k, flat, inner) = tuples(x, idx, "gather")?;
    let mut shape = idx.shape()[..idx.rank() - 1].to_vec();
    shape.extend_from_slice(&x.shape()[k..]);
    fn go<T: Element>(
        a: &ArrayD<T>,
        flat: &[usize],
        inner: usize,
        shape: &[usize],
    ) -> Result<Tensor> {
        let data: Vec<T> = a.iter().copied().collect();
        let mut out = Vec::with_capacity(flat.len() * inner);
        for &p in flat {
            out.extend_from_slice(&data[p * inner..(p + 1) * inner]);
        }
        Tensor::from_vec(shape, out).or_else(|e| fail(Code::BadExtent, e.0))
    }
    with_array!(x, a => go(a, &flat, inner, &shape))
}

/// spec: #scatter — `x` with the updates combined into the slices the index tuples name, one
/// update after another in ascending update order (C order of `indices.shape[:-1]`).
pub(crate) fn scatter(mode: ScatterMode, x: &Tensor, idx: &Tensor, upd: &Tensor) -> Result<Tensor> {
    if upd.dtype() != x.dtype() {
        return dtype_mismatch(x, upd);
    }
    let (k, flat, inner) = tuples(x, idx, "scatter")?;
    let mut want = idx.shape()[..idx.rank() - 1].to_vec();
    want.extend_from_slice(&x.shape()[k..]);
    if upd.shape() != want.as_slice() {
        return fail(
            Code::ShapeMismatch,
            format!(
                "scatter updates have shape {:?}, expected {want:?}",
                upd.shape()
            ),
        );
    }
    let op = mode.combine();
    fn go<T: Element + Widen>(
        a: &ArrayD<T>,
        upd: &Tensor,
        flat: &[usize],
        inner: usize,
        op: Option<BinaryOp>,
    ) -> Result<ArrayD<T>> {
        let Some(u) = T::view(upd) else {
            return fail(Code::DTypeMismatch, "scatter updates differ in dtype");
        };
        let u: Vec<T> = u.iter().copied().collect();
        let mut data: Vec<T> = a.iter().copied().collect();
        for (j, &p) in flat.iter().enumerate() {
            for e in 0..inner {
                let (dst, src) = (p * inner + e, u[j * inner + e]);
                data[dst] = match op {
                    None => src,
                    Some(op) => combine(op, data[dst], src)?,
                };
            }
        }
        ArrayD::from_shape_vec(IxDyn(a.shape()), data)
            .or_else(|e| fail(Code::Internal, e.to_string()))
    }
    let out = map_array!(x, a => go(a, upd, &flat, inner, op)?);
    Ok(out)
}

/// `op(a, b)` with exactly the binary op's semantics (its dtype checks included).
fn combine<T: Element>(op: BinaryOp, a: T, b: T) -> Result<T> {
    let (ta, tb) = (
        T::wrap(ArrayD::from_elem(IxDyn(&[]), a)),
        T::wrap(ArrayD::from_elem(IxDyn(&[]), b)),
    );
    let r = binary::binary(op, &ta, &tb)?;
    match T::view(&r).and_then(|v| v.iter().next().copied()) {
        Some(v) => Ok(v),
        None => fail(Code::Internal, format!("{} changed the dtype", op.name())),
    }
}

/// The order of `unique`: NaNs after every number and equal to each other; `-0.0 == 0.0`.
fn order(a: &Num, b: &Num) -> Ordering {
    match (a, b) {
        (Num::Float(x), Num::Float(y)) => match (x.is_nan(), y.is_nan()) {
            (false, false) => x.partial_cmp(y).unwrap_or(Ordering::Equal),
            (p, q) => p.cmp(&q),
        },
        (Num::Int(x), Num::Int(y)) => x.cmp(y),
        (Num::Bool(x), Num::Bool(y)) => x.cmp(y),
        _ => Ordering::Equal, // one tensor has one dtype: not reached
    }
}

/// spec: #unique — the sorted distinct values of 1-D `x` (NaNs last, all NaNs one value; each
/// distinct value represented by its first occurrence), `inverse` (`values[inverse] == x`) and
/// `counts`.
pub(crate) fn unique(x: &Tensor) -> Result<Vec<Tensor>> {
    if x.rank() != 1 {
        return fail(
            Code::RankMismatch,
            format!("unique takes a 1-D operand, got rank {}", x.rank()),
        );
    }
    if matches!(x.dtype(), DType::C64 | DType::C128) {
        return not_accepted("unique", x);
    }
    fn go<T: Element + Widen>(a: &ArrayD<T>) -> Result<Vec<Tensor>> {
        let v: Vec<T> = a.iter().copied().collect();
        let keys: Vec<Num> = v.iter().map(|e| e.to_num()).collect();
        let mut perm: Vec<usize> = (0..v.len()).collect();
        perm.sort_by(|&i, &j| order(&keys[i], &keys[j])); // stable: first occurrences first
        let (mut values, mut counts) = (Vec::<T>::new(), Vec::<i64>::new());
        let mut inverse = vec![0i64; v.len()];
        for (r, &i) in perm.iter().enumerate() {
            let new = r == 0 || order(&keys[perm[r - 1]], &keys[i]) != Ordering::Equal;
            if new {
                values.push(v[i]);
                counts.push(0);
            }
            let g = counts.len() - 1;
            counts[g] += 1;
            inverse[i] = g as i64;
        }
        let u = values.len();
        let t = |r: std::result::Result<Tensor, crate::ShapeError>| {
            r.or_else(|e| fail(Code::Internal, e.0))
        };
        Ok(vec![
            t(Tensor::from_vec(&[u], values))?,
            t(Tensor::from_vec(&[v.len()], inverse))?,
            t(Tensor::from_vec(&[u], counts))?,
        ])
    }
    with_some!(x, [Bool, I8, I16, I32, I64, U8, U16, U32, U64, F16, BF16, F32, F64],
        a => go(a), else not_accepted("unique", x))
}
