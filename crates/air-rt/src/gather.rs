//! The ops that only move elements: `filter`, `concat`, `take`, `slice`, `copy`. They work on
//! element sizes, not dtypes.

use air_ir::{Code, DType};

use crate::copy::{copy_strided, Side};
use crate::elem::{with_size, Elem};
use crate::error::{fail, Res};
use crate::ffi::Call;
use crate::out::Out;
use crate::view::{c_strides, offsets, Arg};

/// spec: #filter — the elements of 1-D `x` where the 1-D bool `mask` holds.
pub(crate) fn filter(call: Call<'_>) -> Res<()> {
    call.expect_ins(2)?;
    call.expect_attrs(0)?;
    let (x, m) = (&call.ins[0], &call.ins[1]);
    if x.rank() != 1 || m.rank() != 1 {
        return fail(Code::RankMismatch, "filter takes 1-D operands");
    }
    if m.dtype != DType::Bool {
        return fail(Code::DTypeNotAccepted, format!("mask dtype {}", m.dtype));
    }
    if x.shape != m.shape {
        return fail(
            Code::ShapeMismatch,
            format!("operand {:?} and mask {:?} differ", x.shape, m.shape),
        );
    }
    with_size!(x.dtype, T => filter_typed::<T>(x, m, call.out))
}

fn filter_typed<T: Elem>(x: &Arg, m: &Arg, out: &mut crate::abi::AirTensor) -> Res<()> {
    let mask = m.view::<u8>();
    let count = mask.iter().filter(|&b| b != 0).count();
    let mut o = Out::prepare(out, x.dtype, &[count], &[x, m], true)?;
    let dst = o.slice::<T>();
    let xv = x.view::<T>();
    let kept = xv.iter().zip(mask.iter()).filter(|&(_, b)| b != 0);
    for (slot, (v, _)) in dst.iter_mut().zip(kept) {
        *slot = v;
    }
    o.finish();
    Ok(())
}

/// spec: #concat — joins the operands along `axis`.
pub(crate) fn concat(call: Call<'_>) -> Res<()> {
    call.expect_attrs(1)?;
    let Some(first) = call.ins.first() else {
        return fail(Code::Arity, "concat takes at least one operand");
    };
    let axis = call.axis(0, first.rank())?;
    let mut shape = first.shape.clone();
    shape[axis] = 0;
    for (i, x) in call.ins.iter().enumerate() {
        if x.dtype != first.dtype {
            return fail(
                Code::DTypeMismatch,
                format!("operand {i} is {}, operand 0 is {}", x.dtype, first.dtype),
            );
        }
        let same_rank = x.rank() == first.rank();
        if !same_rank || (0..x.rank()).any(|k| k != axis && x.shape[k] != first.shape[k]) {
            return fail(
                Code::ConcatMismatch,
                format!(
                    "operand {i} {:?} does not fit operand 0 {:?}",
                    x.shape, first.shape
                ),
            );
        }
        shape[axis] += x.shape[axis];
    }
    let ins: Vec<&Arg> = call.ins.iter().collect();
    let mut o = Out::prepare(call.out, first.dtype, &shape, &ins, false)?;
    let (dst, ds) = o.side();
    let mut at = 0usize;
    for x in &call.ins {
        let start = dst.wrapping_offset(at as isize * ds[axis]);
        // SAFETY: the operand fits the result from index `at` along the axis (checked above), and
        // `Out` made sure the destination does not overlap the inputs.
        unsafe {
            copy_strided(
                Side {
                    ptr: x.data,
                    strides: &x.strides,
                },
                Side {
                    ptr: start,
                    strides: &ds,
                },
                &x.shape,
                x.esize(),
            );
        }
        at += x.shape[axis];
    }
    o.finish();
    Ok(())
}

/// The values of an integer tensor in C order (E0202 for other dtypes).
pub(crate) fn int_values(t: &Arg, what: &str) -> Res<Vec<i128>> {
    fn go<T: Elem + Into<i128>>(t: &Arg) -> Vec<i128> {
        t.view::<T>().iter().map(Into::into).collect()
    }
    Ok(match t.dtype {
        DType::I8 => go::<i8>(t),
        DType::I16 => go::<i16>(t),
        DType::I32 => go::<i32>(t),
        DType::I64 => go::<i64>(t),
        DType::U8 => go::<u8>(t),
        DType::U16 => go::<u16>(t),
        DType::U32 => go::<u32>(t),
        DType::U64 => go::<u64>(t),
        DType::Bool
        | DType::F16
        | DType::BF16
        | DType::F32
        | DType::F64
        | DType::C64
        | DType::C128 => return fail(Code::DTypeNotAccepted, format!("{what}: dtype {}", t.dtype)),
    })
}

/// spec: #take — gathers along `axis`; result shape `x[:axis] + idx.shape + x[axis+1:]`.
pub(crate) fn take(call: Call<'_>) -> Res<()> {
    call.expect_ins(2)?;
    call.expect_attrs(1)?;
    let (x, idx) = (&call.ins[0], &call.ins[1]);
    let axis = call.axis(0, x.rank())?;
    let n = x.shape[axis];
    let picks = int_values(idx, "take indices")?
        .into_iter()
        .map(|i| {
            let j = if i < 0 { i + n as i128 } else { i };
            match usize::try_from(j) {
                Ok(j) if j < n => Ok(j),
                _ => fail(
                    Code::IndexOutOfRange,
                    format!("index {i} is out of range for extent {n} of axis {axis}"),
                ),
            }
        })
        .collect::<Res<Vec<usize>>>()?;
    let mut shape = x.shape[..axis].to_vec();
    shape.extend_from_slice(&idx.shape);
    shape.extend_from_slice(&x.shape[axis + 1..]);
    let mut o = Out::prepare(call.out, x.dtype, &shape, &[x, idx], true)?;
    let (dst, _) = o.side();
    take_into(x, axis, &picks, dst);
    o.finish();
    Ok(())
}

/// Writes the gathered blocks of `x` in C order at `dst` (contiguous, sized for them).
fn take_into(x: &Arg, axis: usize, picks: &[usize], dst: *mut u8) {
    let esize = x.esize();
    let inner_shape = &x.shape[axis + 1..];
    let inner_strides = &x.strides[axis + 1..];
    let inner_dst = c_strides(inner_shape, esize);
    let block = inner_shape.iter().product::<usize>() * esize;
    let mut at = 0usize;
    for outer in offsets(&x.shape[..axis], &x.strides[..axis]) {
        for &p in picks {
            let src = x.data.wrapping_offset(outer + p as isize * x.strides[axis]);
            // SAFETY: `p` is in range, so `src` starts an inner block of `x`; `dst` holds the
            // whole result, of which this block is the next one.
            unsafe {
                copy_strided(
                    Side {
                        ptr: src,
                        strides: inner_strides,
                    },
                    Side {
                        ptr: dst.add(at),
                        strides: &inner_dst,
                    },
                    inner_shape,
                    esize,
                );
            }
            at += block;
        }
    }
}

/// One bound of a slice: attribute kind 0 default, 1 constant, 2 operand index.
fn bound(kind: i64, value: i64, ins: &[Arg], used: &mut [bool]) -> Res<Option<i128>> {
    match kind {
        0 => Ok(None),
        1 => Ok(Some(value.into())),
        2 => {
            let k = usize::try_from(value)
                .ok()
                .filter(|&k| k >= 1 && k < ins.len());
            let Some(k) = k else {
                return fail(
                    Code::BadSlice,
                    format!("bound operand #{value} does not exist"),
                );
            };
            used[k] = true;
            if ins[k].rank() != 0 {
                return fail(
                    Code::ExpectedScalar,
                    format!("bound operand #{k} is not a scalar"),
                );
            }
            Ok(int_values(&ins[k], &format!("bound operand #{k}"))?
                .first()
                .copied())
        }
        _ => fail(Code::BadAttribute, format!("bound kind {kind}")),
    }
}

/// `(first index, length)` of `range(n)[start:stop:step]`, as Python computes it.
pub(crate) fn python_slice(
    n: usize,
    start: Option<i128>,
    stop: Option<i128>,
    step: i64,
) -> (usize, usize) {
    let (n, step) = (n as i128, i128::from(step));
    let clamp = |b: i128| {
        let b = if b < 0 { b + n } else { b };
        if step < 0 {
            b.clamp(-1, n - 1)
        } else {
            b.clamp(0, n)
        }
    };
    let start = start.map_or(if step < 0 { n - 1 } else { 0 }, clamp);
    let stop = stop.map_or(if step < 0 { -1 } else { n }, clamp);
    let len = if step > 0 && stop > start {
        (stop - start + step - 1) / step
    } else if step < 0 && start > stop {
        (start - stop - step - 1) / -step
    } else {
        0
    };
    (start.max(0) as usize, len as usize)
}

/// spec: #slice — one Python slice per axis; bounds constant, default or scalar operands.
pub(crate) fn slice(call: Call<'_>) -> Res<()> {
    let Some(x) = call.ins.first() else {
        return fail(
            Code::Arity,
            "slice takes its operand and the bound operands",
        );
    };
    let rank = x.rank();
    if call.attrs.first() != Some(&(rank as i64)) {
        return fail(
            Code::BadSlice,
            format!("the slices do not match rank {rank}"),
        );
    }
    call.expect_attrs(1 + 5 * rank)?;
    let mut used = vec![false; call.ins.len()];
    let (mut data, mut shape, mut strides) = (x.data, Vec::new(), Vec::new());
    for (axis, a) in call.attrs[1..].chunks_exact(5).enumerate() {
        let step = a[4];
        if step == 0 {
            return fail(Code::BadSlice, format!("axis {axis}: step 0"));
        }
        let start = bound(a[0], a[1], &call.ins, &mut used)?;
        let stop = bound(a[2], a[3], &call.ins, &mut used)?;
        let (first, len) = python_slice(x.shape[axis], start, stop, step);
        if len > 0 {
            data = data.wrapping_offset(first as isize * x.strides[axis]);
        }
        shape.push(len);
        strides.push(x.strides[axis].wrapping_mul(step as isize));
    }
    if let Some(k) = used.iter().skip(1).position(|u| !u) {
        return fail(
            Code::Arity,
            format!("operand {} is not used by any bound", k + 1),
        );
    }
    let mut o = Out::prepare(call.out, x.dtype, &shape, &[x], false)?;
    let (dst, ds) = o.side();
    // SAFETY: the selected indices are inside `x` (Python's clamping), and the destination was
    // checked against `shape` and does not overlap `x`.
    unsafe {
        copy_strided(
            Side {
                ptr: data,
                strides: &strides,
            },
            Side {
                ptr: dst,
                strides: &ds,
            },
            &shape,
            x.esize(),
        );
    }
    o.finish();
    Ok(())
}

/// Materialises any strided `x` into `out`'s layout.
pub(crate) fn copy(call: Call<'_>) -> Res<()> {
    call.expect_ins(1)?;
    call.expect_attrs(0)?;
    let x = &call.ins[0];
    let mut o = Out::prepare(call.out, x.dtype, &x.shape, &[x], false)?;
    let (dst, ds) = o.side();
    // SAFETY: the destination has x's shape and does not overlap it.
    unsafe {
        copy_strided(
            Side {
                ptr: x.data,
                strides: &x.strides,
            },
            Side {
                ptr: dst,
                strides: &ds,
            },
            &x.shape,
            x.esize(),
        );
    }
    o.finish();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::python_slice;

    fn indices(n: usize, start: Option<i128>, stop: Option<i128>, step: i64) -> Vec<usize> {
        let (first, len) = python_slice(n, start, stop, step);
        (0..len as i128)
            .map(|i| (first as i128 + i * i128::from(step)) as usize)
            .collect()
    }

    #[test]
    fn python_slice_matches_python() {
        // Expected values are those of `list(range(n))[start:stop:step]` in CPython.
        assert_eq!(indices(5, None, None, 1), vec![0, 1, 2, 3, 4]);
        assert_eq!(indices(5, Some(1), Some(-1), 1), vec![1, 2, 3]);
        assert_eq!(indices(5, None, None, -1), vec![4, 3, 2, 1, 0]);
        assert_eq!(indices(5, Some(-2), None, -2), vec![3, 1]);
        assert_eq!(indices(5, Some(10), Some(-10), -3), vec![4, 1]);
        assert_eq!(indices(5, Some(-10), Some(10), 2), vec![0, 2, 4]);
        assert_eq!(indices(5, Some(3), Some(1), 1), Vec::<usize>::new());
        assert_eq!(indices(0, None, None, -1), Vec::<usize>::new());
        assert_eq!(
            indices(5, Some(i64::MIN.into()), Some(i64::MAX.into()), i64::MAX),
            vec![0]
        );
        assert_eq!(indices(5, None, None, i64::MIN), vec![4]);
    }
}
