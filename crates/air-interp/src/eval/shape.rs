//! Shape ops: `broadcast`, `reshape`, `transpose`, `expand_dims`, `squeeze`, `concat`.

use air_ir::Code;
use ndarray::{ArrayD, ArrayViewD, Axis, IxDyn};

use super::{check_axes, check_axis, dtype_mismatch};
use crate::error::{fail, Result};
use crate::tensor::{map_array, with_array, Element, Tensor};

/// spec: #broadcast — operand axis `i` becomes result axis `dims[i]`; it must have the result's
/// extent there or extent 1 (E0207).
pub(crate) fn broadcast(x: &Tensor, shape: &[usize], dims: &[u32]) -> Result<Tensor> {
    let bad = |msg: String| fail(Code::BadBroadcast, msg);
    if dims.len() != x.rank() {
        return bad(format!(
            "{} dims for an operand of rank {}",
            dims.len(),
            x.rank()
        ));
    }
    for (i, &d) in dims.iter().enumerate() {
        if d as usize >= shape.len() || (i > 0 && d <= dims[i - 1]) {
            return bad(format!(
                "dims {dims:?} are not increasing and below {}",
                shape.len()
            ));
        }
        let extent = x.shape()[i];
        if extent != 1 && extent != shape[d as usize] {
            return bad(format!(
                "operand axis {i} has extent {extent}, result axis {d} has {}",
                shape[d as usize]
            ));
        }
    }
    fn go<T: Element>(a: &ArrayD<T>, shape: &[usize], dims: &[u32]) -> Option<ArrayD<T>> {
        // Insert the new axes (extent 1) in increasing order, then stretch.
        let mut v = a.view();
        for axis in 0..shape.len() {
            if !dims.contains(&(axis as u32)) {
                v = v.insert_axis(Axis(axis));
            }
        }
        Some(v.broadcast(IxDyn(shape))?.to_owned())
    }
    let out = map_array!(x, a => match go(a, shape, dims) {
        Some(r) => r,
        None => return bad(format!("cannot broadcast {:?} to {shape:?}", x.shape())),
    });
    Ok(out)
}

/// spec: #reshape — same element count, C order.
pub(crate) fn reshape(x: &Tensor, shape: &[usize]) -> Result<Tensor> {
    let count: Option<usize> = shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d));
    if count != Some(x.len()) {
        return fail(
            Code::ReshapeCount,
            format!(
                "cannot reshape {:?} ({} elements) to {shape:?}",
                x.shape(),
                x.len()
            ),
        );
    }
    fn go<T: Element>(a: &ArrayD<T>, shape: &[usize]) -> Result<Tensor> {
        // `iter` walks in C order, which is the order reshape keeps.
        let flat: Vec<T> = a.iter().copied().collect();
        Tensor::from_vec(shape, flat).or_else(|e| fail(Code::ReshapeCount, e.0))
    }
    with_array!(x, a => go(a, shape))
}

/// spec: #transpose — result axis `i` is operand axis `perm[i]` (E0206 unless a permutation).
pub(crate) fn transpose(x: &Tensor, perm: &[u32]) -> Result<Tensor> {
    let rank = x.rank();
    let mut seen = vec![false; rank];
    for &p in perm {
        match seen.get_mut(p as usize) {
            Some(s) if !*s => *s = true,
            _ => {
                return fail(
                    Code::BadPermutation,
                    format!("{perm:?} is not a permutation of 0..{rank}"),
                )
            }
        }
    }
    if perm.len() != rank {
        return fail(
            Code::BadPermutation,
            format!("{perm:?} is not a permutation of 0..{rank}"),
        );
    }
    let perm: Vec<usize> = perm.iter().map(|&p| p as usize).collect();
    Ok(map_array!(x, a => a.view().permuted_axes(IxDyn(&perm)).as_standard_layout().into_owned()))
}

/// spec: #expand_dims — inserts axes of extent 1 at the given result positions.
pub(crate) fn expand_dims(x: &Tensor, axes: &[u32]) -> Result<Tensor> {
    let mut axes = check_axes(axes, x.rank() + axes.len())?;
    axes.sort_unstable();
    fn go<T: Element>(a: &ArrayD<T>, axes: &[usize]) -> ArrayD<T> {
        let mut v = a.view();
        for &ax in axes {
            v = v.insert_axis(Axis(ax));
        }
        v.to_owned()
    }
    Ok(map_array!(x, a => go(a, &axes)))
}

/// spec: #squeeze — removes the given axes, each of extent 1 (E0209).
pub(crate) fn squeeze(x: &Tensor, axes: &[u32]) -> Result<Tensor> {
    let mut axes = check_axes(axes, x.rank())?;
    if let Some(&ax) = axes.iter().find(|&&ax| x.shape()[ax] != 1) {
        return fail(
            Code::SqueezeNotOne,
            format!("axis {ax} has extent {}, not 1", x.shape()[ax]),
        );
    }
    axes.sort_unstable_by(|a, b| b.cmp(a)); // remove from the last, so indices stay valid
    fn go<T: Element>(a: &ArrayD<T>, axes: &[usize]) -> ArrayD<T> {
        let mut v = a.view();
        for &ax in axes {
            v = v.index_axis_move(Axis(ax), 0);
        }
        v.to_owned()
    }
    Ok(map_array!(x, a => go(a, &axes)))
}

/// spec: #concat — at least one operand; one dtype (E0201), one rank and equal dims off the
/// axis (E0211).
pub(crate) fn concat(xs: &[&Tensor], axis: u32) -> Result<Tensor> {
    let Some(first) = xs.first() else {
        return fail(Code::Arity, "concat takes at least one operand");
    };
    let axis = check_axis(axis, first.rank())?;
    for x in xs {
        let same_off_axis = x.rank() == first.rank()
            && (0..first.rank()).all(|i| i == axis || x.shape()[i] == first.shape()[i]);
        if !same_off_axis {
            return fail(
                Code::ConcatMismatch,
                format!(
                    "cannot concatenate {:?} with {:?} along axis {axis}",
                    first.shape(),
                    x.shape()
                ),
            );
        }
    }
    /// `None` when an operand's dtype differs from the first's (`_first` fixes `T`).
    fn go<T: Element>(_first: &ArrayD<T>, xs: &[&Tensor], axis: usize) -> Option<Tensor> {
        let views: Vec<ArrayViewD<'_, T>> = xs
            .iter()
            .map(|t| T::view(t).map(|a| a.view()))
            .collect::<Option<_>>()?;
        ndarray::concatenate(Axis(axis), &views).ok().map(T::wrap)
    }
    let out = with_array!(first, a => go(a, xs, axis));
    match out {
        Some(t) => Ok(t),
        None => match xs.iter().find(|t| t.dtype() != first.dtype()) {
            Some(other) => dtype_mismatch(first, other),
            None => fail(Code::ConcatMismatch, "concat failed"),
        },
    }
}
