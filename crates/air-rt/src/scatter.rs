//! `scatter` and `gather` (op set 2): index tuples along the last axis of `indices`.

use air_ir::{Code, DType};

use crate::elem::{is_supported, with_numeric, with_ordered, with_size, Elem, Num, Ordered};
use crate::error::{dtype_error, fail, Res};
use crate::ffi::Call;
use crate::gather::int_values;
use crate::out::Out;
use crate::view::Arg;

/// The index tuples of `idx` into `x`, each normalized and flattened to the C-order position of
/// the slice it names among `x.shape[:k]`, with `k` and the slice size `product(x.shape[k:])`.
/// An index outside `[-d, d)` is E0503.
fn tuples(x: &Arg, idx: &Arg, op: &str) -> Res<(usize, Vec<usize>, usize)> {
    let Some((&k, batch)) = idx.shape.split_last() else {
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
    let outer = &x.shape[..k];
    let m: usize = batch.iter().product();
    let mut flat = Vec::with_capacity(m);
    for t in 0..m {
        let mut p = 0usize;
        for (axis, &d) in outer.iter().enumerate() {
            let i = values[t * k + axis];
            let j = if i < 0 { i + d as i128 } else { i };
            match usize::try_from(j) {
                Ok(j) if j < d => p = p * d + j,
                _ => {
                    return fail(
                        Code::IndexOutOfRange,
                        format!(
                            "{op} index tuple {t}: index {i} is out of range for extent {d} of \
                             axis {axis}"
                        ),
                    )
                }
            }
        }
        flat.push(p);
    }
    Ok((k, flat, x.shape[k..].iter().product()))
}

/// spec: #gather — the slices of `x` named by the index tuples.
pub(crate) fn gather(call: Call<'_>) -> Res<()> {
    call.expect_ins(2)?;
    call.expect_attrs(0)?;
    let (x, idx) = (&call.ins[0], &call.ins[1]);
    if !is_supported(x.dtype) {
        return dtype_error(x.dtype);
    }
    let (k, flat, inner) = tuples(x, idx, "gather")?;
    let mut shape = idx.shape[..idx.rank() - 1].to_vec();
    shape.extend_from_slice(&x.shape[k..]);
    fn go<T: Elem>(
        x: &Arg,
        idx: &Arg,
        flat: &[usize],
        inner: usize,
        shape: &[usize],
        out: &mut crate::abi::AirTensor,
    ) -> Res<()> {
        let data: Vec<T> = x.view::<T>().iter().collect();
        let mut o = Out::prepare(out, x.dtype, shape, &[x, idx], true)?;
        let dst = o.slice::<T>();
        for (j, &p) in flat.iter().enumerate() {
            dst[j * inner..(j + 1) * inner].copy_from_slice(&data[p * inner..(p + 1) * inner]);
        }
        o.finish();
        Ok(())
    }
    with_size!(x.dtype, T => go::<T>(x, idx, &flat, inner, &shape, call.out), else dtype_error(x.dtype))
}

/// spec: #scatter — `x` with the updates combined in, in ascending update order; attrs `[mode]`
/// (0 replace, 1 add, 2 mul, 3 max, 4 min).
pub(crate) fn scatter(call: Call<'_>) -> Res<()> {
    call.expect_ins(3)?;
    call.expect_attrs(1)?;
    let (x, idx, upd) = (&call.ins[0], &call.ins[1], &call.ins[2]);
    if !is_supported(x.dtype) {
        return dtype_error(x.dtype);
    }
    if upd.dtype != x.dtype {
        return fail(
            Code::DTypeMismatch,
            format!("updates are {}, the operand is {}", upd.dtype, x.dtype),
        );
    }
    let (k, flat, inner) = tuples(x, idx, "scatter")?;
    let mut want = idx.shape[..idx.rank() - 1].to_vec();
    want.extend_from_slice(&x.shape[k..]);
    if upd.shape != want {
        return fail(
            Code::ShapeMismatch,
            format!("updates have shape {:?}, expected {want:?}", upd.shape),
        );
    }
    let s = Scatter {
        x,
        idx,
        upd,
        flat: &flat,
        inner,
    };
    let out = call.out;
    let not_numeric = || {
        fail(
            Code::DTypeNotAccepted,
            format!("scatter add/mul on {}", DType::Bool),
        )
    };
    match call.attrs[0] {
        0 => with_size!(x.dtype, T => s.run::<T>(out, |_, u| u), else dtype_error(x.dtype)),
        1 => {
            with_numeric!(x.dtype, T => s.run::<T>(out, Num::add), bool => not_numeric(), else dtype_error(x.dtype))
        }
        2 => {
            with_numeric!(x.dtype, T => s.run::<T>(out, Num::mul), bool => not_numeric(), else dtype_error(x.dtype))
        }
        3 => with_ordered!(x.dtype, T => s.run::<T>(out, max::<T>), else dtype_error(x.dtype)),
        4 => with_ordered!(x.dtype, T => s.run::<T>(out, min::<T>), else dtype_error(x.dtype)),
        m => fail(Code::BadAttribute, format!("scatter mode {m}")),
    }
}

/// spec: #max — NaN-propagating; a tie gives the second operand.
fn max<T: Ordered>(a: T, b: T) -> T {
    if a.is_nan() || a.gt(b) {
        a
    } else {
        b
    }
}

/// spec: #min — NaN-propagating; a tie gives the second operand.
fn min<T: Ordered>(a: T, b: T) -> T {
    if a.is_nan() || a.lt(b) {
        a
    } else {
        b
    }
}

struct Scatter<'s> {
    x: &'s Arg,
    idx: &'s Arg,
    upd: &'s Arg,
    flat: &'s [usize],
    inner: usize,
}

impl Scatter<'_> {
    /// Copies `x` into the result, then combines the updates in, one after another.
    fn run<T: Elem>(&self, out: &mut crate::abi::AirTensor, f: impl Fn(T, T) -> T) -> Res<()> {
        let u: Vec<T> = self.upd.view::<T>().iter().collect();
        let mut o = Out::prepare(
            out,
            self.x.dtype,
            &self.x.shape,
            &[self.x, self.idx, self.upd],
            true,
        )?;
        let dst = o.slice::<T>();
        for (slot, v) in dst.iter_mut().zip(self.x.view::<T>().iter()) {
            *slot = v;
        }
        let inner = self.inner;
        for (j, &p) in self.flat.iter().enumerate() {
            for e in 0..inner {
                let d = &mut dst[p * inner + e];
                *d = f(*d, u[j * inner + e]);
            }
        }
        o.finish();
        Ok(())
    }
}
