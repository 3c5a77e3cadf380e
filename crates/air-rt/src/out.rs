//! The result descriptor of a runtime op: checked against the computed result, allocated when
//! its `data` is NULL, and written either in place or through scratch memory.
//!
//! The op writes C-contiguous elements (or, for the ops that only move elements, any layout).
//! When the caller's buffer is not C-contiguous, is misaligned, or overlaps an input (an `inout`
//! parameter sorted in place), the op writes scratch memory and [`Out::finish`] copies it over.

use air_ir::{Code, DType};

use crate::abi::{dtype_code, AirTensor};
use crate::copy::{copy_strided, Side};
use crate::elem::Elem;
use crate::error::{fail, Res};
use crate::mem::Block;
use crate::view::{c_strides, is_c_contiguous, raw_slice, Arg};

/// A prepared result.
pub(crate) struct Out<'a> {
    desc: &'a mut AirTensor,
    shape: Vec<usize>,
    strides: Vec<isize>,
    esize: usize,
    scratch: Option<Block>,
}

impl<'a> Out<'a> {
    /// Checks `desc` against the result's dtype and shape (rank or dtype differing: E0501; a
    /// caller's buffer of another shape: E0506) and allocates it when `data` is NULL.
    /// `contiguous` asks for a C-contiguous, aligned buffer ([`Out::slice`]); otherwise any
    /// layout will do ([`Out::side`]). `ins` are the op's inputs, checked for overlap.
    pub fn prepare(
        desc: &'a mut AirTensor,
        dtype: DType,
        shape: &[usize],
        ins: &[&Arg],
        contiguous: bool,
    ) -> Res<Out<'a>> {
        check_desc(desc, dtype, shape.len())?;
        let esize = dtype.size_bytes();
        let Some(bytes) = shape.iter().try_fold(esize, |a, &e| a.checked_mul(e)) else {
            return fail(
                Code::TooLarge,
                format!("a {dtype} result of shape {shape:?} has more bytes than usize"),
            );
        };
        let rank = shape.len();
        let strides = if desc.data.is_null() {
            let Some(block) = Block::zeroed(bytes) else {
                return fail(
                    Code::TooLarge,
                    format!(
                        "cannot allocate {bytes} bytes for the result: over the memory budget \
                         or what the allocator grants"
                    ),
                );
            };
            let strides = c_strides(shape, esize);
            // SAFETY: check_desc made sure both arrays exist for `rank` values.
            unsafe {
                for k in 0..rank {
                    *desc.shape.add(k) = shape[k] as i64;
                    *desc.strides.add(k) = strides[k] as i64;
                }
            }
            desc.data = block.into_raw();
            strides
        } else {
            // SAFETY: as above.
            let (given, strides) =
                unsafe { (raw_slice(desc.shape, rank), raw_slice(desc.strides, rank)) };
            if given.iter().zip(shape).any(|(&g, &s)| g != s as i64) {
                return fail(
                    Code::BadExtent,
                    format!("the result buffer has shape {given:?}, the result is {shape:?}"),
                );
            }
            strides.iter().map(|&s| s as isize).collect()
        };
        let mut out = Out {
            desc,
            shape: shape.to_vec(),
            strides,
            esize,
            scratch: None,
        };
        if out.needs_scratch(ins, contiguous) {
            let Some(block) = Block::zeroed(bytes) else {
                return fail(
                    Code::TooLarge,
                    format!(
                        "cannot allocate {bytes} bytes of scratch memory: over the memory \
                         budget or what the allocator grants"
                    ),
                );
            };
            out.scratch = Some(block);
        }
        Ok(out)
    }

    fn needs_scratch(&self, ins: &[&Arg], contiguous: bool) -> bool {
        let len: usize = self.shape.iter().product();
        if len == 0 {
            return false;
        }
        let (lo, hi) = crate::view::byte_span(&self.shape, &self.strides, self.esize);
        let base = self.desc.data as usize;
        let (lo, hi) = (base.wrapping_add_signed(lo), base.wrapping_add_signed(hi));
        let overlaps = ins.iter().any(|a| {
            let (alo, ahi) = a.address_range();
            !a.is_empty() && alo < hi && lo < ahi
        });
        let layout_ok = !contiguous
            || (is_c_contiguous(&self.shape, &self.strides, self.esize)
                && base.is_multiple_of(self.esize));
        overlaps || !layout_ok
    }

    /// The result as a C-contiguous slice of `T` (prepared with `contiguous`).
    pub fn slice<T: Elem>(&mut self) -> &mut [T] {
        assert_eq!(std::mem::size_of::<T>(), self.esize, "result type size");
        let len: usize = self.shape.iter().product();
        if let Some(block) = &mut self.scratch {
            return block.as_mut_slice(len);
        }
        if len == 0 {
            return &mut [];
        }
        assert!(is_c_contiguous(&self.shape, &self.strides, self.esize));
        // SAFETY: the caller's buffer (or ours) holds `len` contiguous, aligned elements that no
        // input overlaps (checked in `prepare`), and `&mut self` makes the borrow unique.
        unsafe { std::slice::from_raw_parts_mut(self.desc.data as *mut T, len) }
    }

    /// The result's memory as a strided destination: the caller's layout, or C-contiguous
    /// scratch memory.
    pub fn side(&mut self) -> (*mut u8, Vec<isize>) {
        match &self.scratch {
            Some(block) => (block.ptr(), c_strides(&self.shape, self.esize)),
            None => (self.desc.data, self.strides.clone()),
        }
    }

    /// Copies scratch memory, if any, into the caller's buffer.
    pub fn finish(self) {
        if let Some(block) = &self.scratch {
            let src = c_strides(&self.shape, self.esize);
            // SAFETY: the scratch holds the whole result in C order; the caller's layout was
            // checked to address `shape` elements of its buffer; the two do not overlap.
            unsafe {
                copy_strided(
                    Side {
                        ptr: block.ptr(),
                        strides: &src,
                    },
                    Side {
                        ptr: self.desc.data,
                        strides: &self.strides,
                    },
                    &self.shape,
                    self.esize,
                );
            }
        }
    }
}

fn check_desc(desc: &AirTensor, dtype: DType, rank: usize) -> Res<()> {
    if desc.dtype != dtype_code(dtype) {
        return fail(
            Code::BadInput,
            format!(
                "the result descriptor has dtype code {}, the result is {dtype}",
                desc.dtype
            ),
        );
    }
    if usize::try_from(desc.rank).ok() != Some(rank) {
        return fail(
            Code::BadInput,
            format!(
                "the result descriptor has rank {}, the result has rank {rank}",
                desc.rank
            ),
        );
    }
    if rank > 0 && (desc.shape.is_null() || desc.strides.is_null()) {
        return fail(
            Code::BadInput,
            "the result descriptor has NULL shape or strides",
        );
    }
    Ok(())
}
