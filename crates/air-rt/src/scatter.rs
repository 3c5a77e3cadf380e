//! `scatter` and `gather` (op set 2): index tuples along the last axis of `indices`; `unique`.

use air_ir::{Code, DType};

use crate::abi::AirTensor;
use crate::elem::{cmp_nan_last, with_numeric, with_ordered, with_size, Elem, Num, Ordered};
use crate::error::{dtype_error, fail, Res};
use crate::ffi::Call;
use crate::gather::int_values;
use crate::mem::air_free;
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
    with_size!(x.dtype, T => go::<T>(x, idx, &flat, inner, &shape, call.out))
}

/// spec: #scatter — `x` with the updates combined in, in ascending update order; attrs `[mode]`
/// (0 replace, 1 add, 2 mul, 3 max, 4 min).
pub(crate) fn scatter(call: Call<'_>) -> Res<()> {
    call.expect_ins(3)?;
    call.expect_attrs(1)?;
    let (x, idx, upd) = (&call.ins[0], &call.ins[1], &call.ins[2]);
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
        0 => with_size!(x.dtype, T => s.run::<T>(out, |_, u| u)),
        1 => match x.dtype {
            DType::F16 => s.run::<half::f16>(out, Num::add),
            DType::BF16 => s.run::<half::bf16>(out, Num::add),
            DType::C64 => s.run::<num_complex::Complex32>(out, Num::add),
            DType::C128 => s.run::<num_complex::Complex64>(out, Num::add),
            DType::Bool
            | DType::I8
            | DType::I16
            | DType::I32
            | DType::I64
            | DType::U8
            | DType::U16
            | DType::U32
            | DType::U64
            | DType::F32
            | DType::F64 => {
                with_numeric!(x.dtype, T => s.run::<T>(out, Num::add), bool => not_numeric(), else dtype_error(x.dtype))
            }
        },
        2 => match x.dtype {
            DType::F16 => s.run::<half::f16>(out, Num::mul),
            DType::BF16 => s.run::<half::bf16>(out, Num::mul),
            DType::C64 => s.run::<num_complex::Complex32>(out, Num::mul),
            DType::C128 => s.run::<num_complex::Complex64>(out, Num::mul),
            DType::Bool
            | DType::I8
            | DType::I16
            | DType::I32
            | DType::I64
            | DType::U8
            | DType::U16
            | DType::U32
            | DType::U64
            | DType::F32
            | DType::F64 => {
                with_numeric!(x.dtype, T => s.run::<T>(out, Num::mul), bool => not_numeric(), else dtype_error(x.dtype))
            }
        },
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

/// spec: #unique — the sorted distinct values of 1-D `x` (NaNs last and one value, `-0.0 ==
/// 0.0`, each value represented by its first occurrence), the inverse indices and the counts.
/// `call.outs` holds three descriptors: values, inverse, counts.
pub(crate) fn unique(call: Call<'_>) -> Res<()> {
    call.expect_ins(1)?;
    call.expect_attrs(0)?;
    let x = &call.ins[0];
    if x.rank() != 1 {
        return fail(
            Code::RankMismatch,
            format!("unique takes a 1-D operand, got rank {}", x.rank()),
        );
    }
    let outs = call.outs;
    with_ordered!(x.dtype, T => unique_typed::<T>(x, call.out, outs), else dtype_error(x.dtype))
}

fn unique_typed<T: Ordered>(x: &Arg, values_out: &mut AirTensor, outs: *mut AirTensor) -> Res<()> {
    let v: Vec<T> = x.view::<T>().iter().collect();
    let mut perm: Vec<usize> = (0..v.len()).collect();
    perm.sort_by(|&i, &j| cmp_nan_last(v[i], v[j])); // stable: first occurrences first
    let (mut values, mut counts) = (Vec::<T>::new(), Vec::<i64>::new());
    let mut inverse = vec![0i64; v.len()];
    for (r, &i) in perm.iter().enumerate() {
        if r == 0 || cmp_nan_last(v[perm[r - 1]], v[i]).is_ne() {
            values.push(v[i]);
            counts.push(0);
        }
        let g = counts.len() - 1;
        counts[g] += 1;
        inverse[i] = g as i64;
    }
    // SAFETY: the caller passes an array of three descriptors (docs/llvm-backend.md); the
    // second and third are distinct from the first, which `values_out` borrows.
    let (inv_out, cnt_out) = unsafe { (&mut *outs.add(1), &mut *outs.add(2)) };
    let fresh = [inv_out.data.is_null(), cnt_out.data.is_null()];
    let result = put(inv_out, DType::I64, &inverse, x)
        .and_then(|()| put(cnt_out, DType::I64, &counts, x))
        .and_then(|()| put(values_out, x.dtype, &values, x));
    if result.is_err() {
        // The first result is freed by the caller of the op; these two are this op's to free.
        for (d, was_null) in [inv_out, cnt_out].into_iter().zip(fresh) {
            if was_null && !d.data.is_null() {
                // SAFETY: the block was allocated by `put` in this call.
                unsafe { air_free(d.data) };
                d.data = std::ptr::null_mut();
            }
        }
    }
    result
}

/// Writes `data` as the 1-D result `desc`.
fn put<E: Elem>(desc: &mut AirTensor, dtype: DType, data: &[E], x: &Arg) -> Res<()> {
    let mut o = Out::prepare(desc, dtype, &[data.len()], &[x], true)?;
    o.slice::<E>().copy_from_slice(data);
    o.finish();
    Ok(())
}
