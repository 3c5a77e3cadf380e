//! The exported runtime ops, all with the one signature of `docs/llvm-backend.md`:
//!
//! ```c
//! int32_t air_rt_<name>(const air_tensor *ins, int64_t n_ins, air_tensor *out,
//!                       const int64_t *attrs, int64_t n_attrs, air_error *err);
//! ```
//!
//! Each checks its descriptors, runs the op, and returns 0, or the error code after writing
//! `err` (which is left untouched on success). A result allocated by a call that then fails is
//! freed and `out->data` reset to NULL. A panic (an internal bug) is caught and reported as E0509.

use std::panic::{catch_unwind, AssertUnwindSafe};

use air_ir::Code;

use crate::abi::{AirError, AirTensor};
use crate::error::{fail, Res, RtError};
use crate::mem::air_free;
use crate::view::{raw_slice, Arg};

/// A checked call: the inputs, the attributes and the result descriptor.
pub(crate) struct Call<'a> {
    /// The inputs, checked.
    pub ins: Vec<Arg>,
    /// The attributes (layout per op in `docs/llvm-backend.md`).
    pub attrs: &'a [i64],
    /// The result descriptor.
    pub out: &'a mut AirTensor,
    /// The result descriptors as passed: ops with several results (`air_rt_unique`) take an
    /// array of them, whose first is `out`.
    pub outs: *mut AirTensor,
}

impl Call<'_> {
    /// E0218 unless there are `n` inputs.
    pub fn expect_ins(&self, n: usize) -> Res<()> {
        if self.ins.len() != n {
            return fail(
                Code::Arity,
                format!("{} inputs, expected {n}", self.ins.len()),
            );
        }
        Ok(())
    }

    /// E0103 unless there are `n` attributes.
    pub fn expect_attrs(&self, n: usize) -> Res<()> {
        if self.attrs.len() != n {
            return fail(
                Code::BadAttribute,
                format!("{} attributes, expected {n}", self.attrs.len()),
            );
        }
        Ok(())
    }

    /// Attribute `i` as an axis of a tensor of `rank` (E0205 when out of range).
    pub fn axis(&self, i: usize, rank: usize) -> Res<usize> {
        let a = self.attrs[i];
        match usize::try_from(a) {
            Ok(axis) if axis < rank => Ok(axis),
            _ => fail(Code::BadAxis, format!("axis {a} for rank {rank}")),
        }
    }
}

/// The body of a runtime op.
pub(crate) type OpFn = fn(Call<'_>) -> Res<()>;

/// The arguments of a runtime op as they cross the C ABI.
pub(crate) struct Raw {
    /// `n_ins` input descriptors.
    pub ins: *const AirTensor,
    /// The number of inputs.
    pub n_ins: i64,
    /// The result descriptor.
    pub out: *mut AirTensor,
    /// `n_attrs` attributes.
    pub attrs: *const i64,
    /// The number of attributes.
    pub n_attrs: i64,
}

/// Runs one op behind the C ABI: `name` for messages, `err` for the report.
///
/// # Safety
/// The pointers follow the ABI: `ins` holds `n_ins` descriptors, `attrs` holds `n_attrs` values,
/// `out` and `err` are valid (NULL `err` is tolerated), and every descriptor's memory is valid.
pub(crate) unsafe fn entry(name: &str, raw: Raw, err: *mut AirError, body: OpFn) -> i32 {
    let out = raw.out;
    // SAFETY: a non-NULL `out` is valid by the contract.
    let out_was_null = !out.is_null() && unsafe { (*out).data.is_null() };
    // SAFETY: passed on.
    let run = AssertUnwindSafe(|| unsafe { checked_call(raw, body) });
    let failure = match catch_unwind(run) {
        Ok(Ok(())) => return 0,
        Ok(Err(e)) => e,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            RtError::new(Code::Internal, format!("internal error: {what}"))
        }
    };
    // SAFETY: `out` is valid (checked non-NULL); a block it now holds came from this call.
    unsafe {
        if out_was_null && !(*out).data.is_null() {
            air_free((*out).data);
            (*out).data = std::ptr::null_mut();
        }
    }
    let message = format!("{name}: {}", failure.message);
    let mut local = AirError::default();
    // SAFETY: a non-NULL `err` is valid by the contract.
    let err = unsafe { err.as_mut() }.unwrap_or(&mut local);
    err.set(failure.code, &message)
}

/// # Safety
/// As [`entry`].
unsafe fn checked_call(raw: Raw, body: OpFn) -> Res<()> {
    let (Ok(n_ins), Ok(n_attrs)) = (usize::try_from(raw.n_ins), usize::try_from(raw.n_attrs))
    else {
        return fail(Code::BadInput, "negative input or attribute count");
    };
    if raw.out.is_null() || (n_ins > 0 && raw.ins.is_null()) || (n_attrs > 0 && raw.attrs.is_null())
    {
        return fail(Code::BadInput, "NULL descriptor or attribute array");
    }
    // SAFETY: the arrays hold the counts given (the contract), checked non-NULL above.
    let (descs, attrs) = unsafe { (raw_slice(raw.ins, n_ins), raw_slice(raw.attrs, n_attrs)) };
    let ins = descs
        .iter()
        .enumerate()
        // SAFETY: each descriptor follows the ABI (the contract).
        .map(|(i, d)| unsafe { Arg::from_desc(d, &format!("input {i}")) })
        .collect::<Res<Vec<Arg>>>()?;
    // SAFETY: `out` is valid and not aliased by anything this call holds.
    let outs = raw.out;
    let out = unsafe { &mut *raw.out };
    body(Call {
        ins,
        attrs,
        out,
        outs,
    })
}

macro_rules! runtime_ops {
    ($($(#[$doc:meta])* $name:ident => $imp:path;)*) => {$(
        $(#[$doc])*
        ///
        /// # Safety
        /// The pointers follow the ABI of `docs/llvm-backend.md`: `ins` holds `n_ins` valid
        /// descriptors, `attrs` holds `n_attrs` values, `out` is a valid descriptor whose `shape`
        /// and `strides` arrays have its rank, and `err` is valid or NULL.
        #[no_mangle]
        pub unsafe extern "C" fn $name(
            ins: *const AirTensor,
            n_ins: i64,
            out: *mut AirTensor,
            attrs: *const i64,
            n_attrs: i64,
            err: *mut AirError,
        ) -> i32 {
            let raw = Raw { ins, n_ins, out, attrs, n_attrs };
            // SAFETY: passed on.
            unsafe { entry(stringify!($name), raw, err, $imp) }
        }
    )*};
}

runtime_ops! {
    /// `matmul(a, b)`, NumPy's rules; attrs `[threads]`.
    air_rt_matmul => crate::matmul::matmul;
    /// `einsum(xs...)`; attrs `[threads, n_ops, len0, letters0..., ..., len_out, letters_out...]`.
    air_rt_einsum => crate::einsum::einsum;
    /// `sort(x)`; attrs `[axis, descending]`.
    air_rt_sort => crate::sort::sort;
    /// `cumsum(x)`; attrs `[axis]`.
    air_rt_cumsum => crate::sort::cumsum;
    /// `cumprod(x)`; attrs `[axis]`.
    air_rt_cumprod => crate::sort::cumprod;
    /// `argmax(x)`; attrs `[axis, keepdims]`.
    air_rt_argmax => crate::sort::argmax;
    /// `argmin(x)`; attrs `[axis, keepdims]`.
    air_rt_argmin => crate::sort::argmin;
    /// `filter(x, mask)`; no attrs; writes the length into `out->shape[0]`.
    air_rt_filter => crate::gather::filter;
    /// `concat(xs...)`; attrs `[axis]`.
    air_rt_concat => crate::gather::concat;
    /// `take(x, idx)`; attrs `[axis]`.
    air_rt_take => crate::gather::take;
    /// `slice(x, bounds...)`; attrs `[rank, (start_kind, start, stop_kind, stop, step) per axis]`.
    air_rt_slice => crate::gather::slice;
    /// Copies any strided `x` into `out`'s layout; no attrs.
    air_rt_copy => crate::gather::copy;
    /// `scatter(x, indices, updates)` (op set 2); attrs `[mode]` (0 replace, 1 add, 2 mul,
    /// 3 max, 4 min).
    air_rt_scatter => crate::scatter::scatter;
    /// `gather(x, indices)` (op set 2); no attrs.
    air_rt_gather => crate::scatter::gather;
    /// `unique(x)` (op set 2); no attrs; `out` is an array of three descriptors: values,
    /// inverse (i64), counts (i64).
    air_rt_unique => crate::scatter::unique;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boom(_: Call<'_>) -> Res<()> {
        panic!("boom")
    }

    #[test]
    fn a_panic_is_reported_as_an_internal_error() {
        let (mut shape, mut strides) = ([0i64], [0i64]);
        let mut out = AirTensor {
            data: std::ptr::null_mut(),
            shape: shape.as_mut_ptr(),
            strides: strides.as_mut_ptr(),
            rank: 1,
            dtype: 12,
        };
        let raw = Raw {
            ins: std::ptr::null(),
            n_ins: 0,
            out: &mut out,
            attrs: std::ptr::null(),
            n_attrs: 0,
        };
        let mut err = AirError::default();
        // SAFETY: no inputs or attributes; `out` and `err` are valid.
        let rc = unsafe { entry("boom", raw, &mut err, boom) };
        assert_eq!(rc, 509);
        assert_eq!(err.code, i32::from(Code::Internal.number()));
        assert!(
            err.text().contains("internal error: boom"),
            "{}",
            err.text()
        );
    }
}
