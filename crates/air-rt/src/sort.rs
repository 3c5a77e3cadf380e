//! The ops along one axis: `sort`, `cumsum`, `cumprod`, `argmax`, `argmin`.

use air_ir::{Code, DType};

use crate::abi::AirTensor;
use crate::copy::{copy_strided, Side};
use crate::elem::{with_numeric, with_ordered, Num, Ordered};
use crate::error::{dtype_error, fail, Res};
use crate::ffi::Call;
use crate::out::Out;
use crate::view::{c_strides, offsets, Arg};
use crate::wide::scan_wide;

/// A layout without one axis.
fn without(v: &[usize], s: &[isize], axis: usize) -> (Vec<usize>, Vec<isize>) {
    let mut v = v.to_vec();
    let mut s = s.to_vec();
    v.remove(axis);
    s.remove(axis);
    (v, s)
}

/// spec: #sort — ascending puts NaN last; descending is the reverse of ascending (NaN first).
pub(crate) fn sort(call: Call<'_>) -> Res<()> {
    call.expect_ins(1)?;
    call.expect_attrs(2)?;
    let x = &call.ins[0];
    let axis = call.axis(0, x.rank())?;
    let descending = call.attrs[1] != 0;
    with_ordered!(x.dtype, T => sort_typed::<T>(x, axis, descending, call.out),
        else dtype_error(x.dtype))
}

fn sort_typed<T: Ordered>(x: &Arg, axis: usize, descending: bool, out: &mut AirTensor) -> Res<()> {
    let mut o = Out::prepare(out, x.dtype, &x.shape, &[x], true)?;
    let dst = o.slice::<T>();
    let n = x.shape[axis];
    let (other, src_strides) = without(&x.shape, &x.strides, axis);
    let dst_all = c_strides(&x.shape, 1);
    let dst_step = dst_all[axis];
    let (_, dst_strides) = without(&x.shape, &dst_all, axis);
    let view = x.view::<T>();
    let (step, mut lane) = (x.strides[axis], Vec::with_capacity(n));
    for (so, d) in offsets(&other, &src_strides).zip(offsets(&other, &dst_strides)) {
        lane.clear();
        // SAFETY: `so` is a position of the other axes and `i < n`, so this is an element.
        lane.extend((0..n as isize).map(|i| unsafe { view.read_at(so + i * step) }));
        T::sort_nan_last(&mut lane);
        if descending {
            lane.reverse();
        }
        for (i, &v) in lane.iter().enumerate() {
            dst[d as usize + i * dst_step as usize] = v;
        }
    }
    o.finish();
    Ok(())
}

/// spec: #cumsum — running sum along `axis` (integers wrap).
pub(crate) fn cumsum(call: Call<'_>) -> Res<()> {
    scan(call, false)
}

/// spec: #cumprod — running product along `axis` (integers wrap).
pub(crate) fn cumprod(call: Call<'_>) -> Res<()> {
    scan(call, true)
}

fn scan(call: Call<'_>, product: bool) -> Res<()> {
    call.expect_ins(1)?;
    call.expect_attrs(1)?;
    let x = &call.ins[0];
    let axis = call.axis(0, x.rank())?;
    match x.dtype {
        DType::F16 => return scan_wide::<half::f16>(x, axis, product, call.out),
        DType::BF16 => return scan_wide::<half::bf16>(x, axis, product, call.out),
        DType::C64 => return scan_wide::<num_complex::Complex32>(x, axis, product, call.out),
        DType::C128 => return scan_wide::<num_complex::Complex64>(x, axis, product, call.out),
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
        | DType::F64 => {}
    }
    with_numeric!(x.dtype, T => scan_typed::<T>(x, axis, product, call.out),
        bool => dtype_error(DType::Bool), else dtype_error(x.dtype))
}

fn scan_typed<T: Num>(x: &Arg, axis: usize, product: bool, out: &mut AirTensor) -> Res<()> {
    let mut o = Out::prepare(out, x.dtype, &x.shape, &[x], true)?;
    let dst = o.slice::<T>();
    let c = c_strides(&x.shape, x.esize());
    // SAFETY: `dst` holds x's elements in C order and does not overlap x.
    unsafe {
        copy_strided(
            Side {
                ptr: x.data,
                strides: &x.strides,
            },
            Side {
                ptr: dst.as_mut_ptr() as *mut u8,
                strides: &c,
            },
            &x.shape,
            x.esize(),
        );
    }
    let n = x.shape[axis];
    let inner: usize = x.shape[axis + 1..].iter().product();
    if n > 1 && inner > 0 {
        // Each row along the axis combines with the one before it, `inner` elements at a time.
        for block in dst.chunks_exact_mut(n * inner) {
            for j in 1..n {
                let (done, rest) = block.split_at_mut(j * inner);
                let prev = &done[(j - 1) * inner..];
                for (c, &p) in rest[..inner].iter_mut().zip(prev) {
                    *c = if product { c.mul(p) } else { c.add(p) };
                }
            }
        }
    }
    o.finish();
    Ok(())
}

/// spec: #argmax — index of the first maximum; the first NaN wins; an empty axis is E0504.
pub(crate) fn argmax(call: Call<'_>) -> Res<()> {
    arg_reduce(call, true)
}

/// spec: #argmin — index of the first minimum; the first NaN wins; an empty axis is E0504.
pub(crate) fn argmin(call: Call<'_>) -> Res<()> {
    arg_reduce(call, false)
}

fn arg_reduce(call: Call<'_>, max: bool) -> Res<()> {
    call.expect_ins(1)?;
    call.expect_attrs(2)?;
    let x = &call.ins[0];
    let axis = call.axis(0, x.rank())?;
    let keepdims = call.attrs[1] != 0;
    if x.shape[axis] == 0 {
        return fail(Code::EmptyReduction, format!("empty axis {axis}"));
    }
    with_ordered!(x.dtype, T => arg_typed::<T>(x, axis, keepdims, max, call.out),
        else dtype_error(x.dtype))
}

fn arg_typed<T: Ordered>(
    x: &Arg,
    axis: usize,
    keepdims: bool,
    max: bool,
    out: &mut AirTensor,
) -> Res<()> {
    let (other, strides) = without(&x.shape, &x.strides, axis);
    let mut shape = other.clone();
    if keepdims {
        shape.insert(axis, 1);
    }
    let mut o = Out::prepare(out, DType::I64, &shape, &[x], true)?;
    let dst = o.slice::<i64>();
    let view = x.view::<T>();
    let (n, step) = (x.shape[axis], x.strides[axis]);
    for (slot, base) in dst.iter_mut().zip(offsets(&other, &strides)) {
        // SAFETY: `base` is a position of the other axes and `i < n`, so these are elements.
        let at = |i: usize| unsafe { view.read_at(base + i as isize * step) };
        let mut best = (0usize, at(0));
        for i in 0..n {
            let v = at(i);
            if v.is_nan() {
                best.0 = i;
                break;
            }
            if (max && v.gt(best.1)) || (!max && v.lt(best.1)) {
                best = (i, v);
            }
        }
        *slot = best.0 as i64;
    }
    o.finish();
    Ok(())
}
