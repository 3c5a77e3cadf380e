//! Safe views over tensor descriptors: shapes, byte strides (zero and negative included) and
//! element reads in C index order.

use std::marker::PhantomData;

use air_ir::{Code, DType};

use crate::abi::{dtype_of_code, AirTensor};
use crate::elem::Elem;
use crate::error::{fail, Res};

/// The most axes a descriptor may have (NumPy's limit).
pub const MAX_RANK: usize = 64;

/// A read-only strided view of elements of type `T`.
///
/// Built from a descriptor the caller vouches for (see [`view`]); after that every read through
/// it is in bounds, so its methods are safe.
#[derive(Clone, Debug)]
pub struct StridedView<'a, T> {
    data: *const u8,
    shape: Vec<usize>,
    strides: Vec<isize>,
    _data: PhantomData<&'a [T]>,
}

// SAFETY: a view only reads; the elements are plain `Send + Sync` values.
unsafe impl<T: Elem> Send for StridedView<'_, T> {}
// SAFETY: as above.
unsafe impl<T: Elem> Sync for StridedView<'_, T> {}

/// A view of a descriptor's elements as `T`.
///
/// # Safety
/// `t.shape` and `t.strides` point to `t.rank` valid values, the extents are non-negative, every
/// element they address lies in memory readable for `'a`, and `T` has the size of `t.dtype`.
pub unsafe fn view<'a, T: Elem>(t: &'a AirTensor) -> StridedView<'a, T> {
    let rank = usize::try_from(t.rank).unwrap_or(0);
    // SAFETY: by the contract, both arrays hold `rank` values.
    let (shape, strides) = unsafe { (raw_slice(t.shape, rank), raw_slice(t.strides, rank)) };
    let shape = shape
        .iter()
        .map(|&d| usize::try_from(d).unwrap_or(0))
        .collect();
    let strides = strides.iter().map(|&s| s as isize).collect();
    // SAFETY: the contract is passed on.
    unsafe { StridedView::from_raw(t.data, shape, strides) }
}

/// `len` values at `p` (an empty slice when `len` is 0, whatever `p` is).
///
/// # Safety
/// When `len > 0`, `p` points to `len` readable values.
pub(crate) unsafe fn raw_slice<'a, T>(p: *const T, len: usize) -> &'a [T] {
    if len == 0 {
        &[]
    } else {
        // SAFETY: by the contract.
        unsafe { std::slice::from_raw_parts(p, len) }
    }
}

impl<'a, T: Elem> StridedView<'a, T> {
    /// A view from its parts.
    ///
    /// # Safety
    /// Every element `data + sum(i_k * strides[k])` with `i_k < shape[k]` is readable for `'a`.
    pub unsafe fn from_raw(data: *const u8, shape: Vec<usize>, strides: Vec<isize>) -> Self {
        assert_eq!(shape.len(), strides.len());
        StridedView {
            data,
            shape,
            strides,
            _data: PhantomData,
        }
    }

    /// The extents.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// The strides in bytes.
    pub fn strides(&self) -> &[isize] {
        &self.strides
    }

    /// The address of the first element.
    pub fn data(&self) -> *const u8 {
        self.data
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// Whether the view has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The element at a multi-index (panics when out of range).
    pub fn get(&self, index: &[usize]) -> T {
        assert_eq!(index.len(), self.shape.len(), "index rank");
        let mut off = 0isize;
        for ((&i, &n), &s) in index.iter().zip(&self.shape).zip(&self.strides) {
            assert!(i < n, "index {i} out of range for extent {n}");
            off += i as isize * s;
        }
        // SAFETY: the index is in range, so the element is readable (constructor contract).
        unsafe { self.read_at(off) }
    }

    /// The element `off` bytes from the first.
    ///
    /// # Safety
    /// `off` is the offset of an element of the view.
    #[inline(always)]
    pub unsafe fn read_at(&self, off: isize) -> T {
        // SAFETY: by the contract.
        unsafe { (self.data.offset(off) as *const T).read_unaligned() }
    }

    /// The elements in C order (last index fastest).
    pub fn iter(&self) -> impl ExactSizeIterator<Item = T> + '_ {
        // SAFETY: the offsets are those of elements of the view.
        offsets(&self.shape, &self.strides).map(move |off| unsafe { self.read_at(off) })
    }

    /// The elements as a slice, when they are C-contiguous and `T`-aligned.
    pub fn as_slice(&self) -> Option<&'a [T]> {
        let aligned = (self.data as usize).is_multiple_of(std::mem::align_of::<T>());
        let len = self.len();
        if len == 0 {
            return Some(&[]);
        }
        if !aligned || !is_c_contiguous(&self.shape, &self.strides, std::mem::size_of::<T>()) {
            return None;
        }
        // SAFETY: the elements are contiguous, aligned and readable for 'a.
        Some(unsafe { std::slice::from_raw_parts(self.data as *const T, len) })
    }

    /// The view with its axes permuted: axis `i` of the result is axis `perm[i]`.
    pub fn permuted(&self, perm: &[usize]) -> Self {
        StridedView {
            data: self.data,
            shape: perm.iter().map(|&p| self.shape[p]).collect(),
            strides: perm.iter().map(|&p| self.strides[p]).collect(),
            _data: PhantomData,
        }
    }

    /// The view at index `i` of `axis`, without that axis (panics when out of range).
    pub fn index_axis(&self, axis: usize, i: usize) -> Self {
        assert!(i < self.shape[axis]);
        let mut v = self.clone();
        // SAFETY: `i` is in range, so the new first element is an element of the view.
        v.data = unsafe { self.data.offset(i as isize * self.strides[axis]) };
        v.shape.remove(axis);
        v.strides.remove(axis);
        v
    }
}

/// The byte offsets of the elements of a layout, in C order (last index fastest).
pub fn offsets<'s>(shape: &'s [usize], strides: &'s [isize]) -> Offsets<'s> {
    Offsets {
        shape,
        strides,
        index: vec![0; shape.len()],
        offset: 0,
        left: shape.iter().product(),
    }
}

/// The iterator of [`offsets`].
#[derive(Clone, Debug)]
pub struct Offsets<'s> {
    shape: &'s [usize],
    strides: &'s [isize],
    index: Vec<usize>,
    offset: isize,
    left: usize,
}

impl Iterator for Offsets<'_> {
    type Item = isize;

    #[inline]
    fn next(&mut self) -> Option<isize> {
        if self.left == 0 {
            return None;
        }
        let here = self.offset;
        self.left -= 1;
        for k in (0..self.index.len()).rev() {
            self.index[k] += 1;
            self.offset += self.strides[k];
            if self.index[k] < self.shape[k] {
                break;
            }
            self.offset -= self.strides[k] * self.index[k] as isize;
            self.index[k] = 0;
        }
        Some(here)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl ExactSizeIterator for Offsets<'_> {}

/// The C-order (row-major) strides in bytes of a shape.
pub fn c_strides(shape: &[usize], esize: usize) -> Vec<isize> {
    let mut s = vec![0isize; shape.len()];
    let mut acc = esize as isize;
    for k in (0..shape.len()).rev() {
        s[k] = acc;
        acc = acc.wrapping_mul(shape[k].max(1) as isize);
    }
    s
}

/// Whether a layout is C-contiguous (strides of extent-1 axes do not matter).
pub fn is_c_contiguous(shape: &[usize], strides: &[isize], esize: usize) -> bool {
    if shape.contains(&0) {
        return true;
    }
    let c = c_strides(shape, esize);
    shape
        .iter()
        .zip(strides.iter().zip(&c))
        .all(|(&n, (&s, &cs))| n == 1 || s == cs)
}

/// The byte range `[lo, hi)` a layout touches, relative to its first element (empty: `(0, 0)`).
pub fn byte_span(shape: &[usize], strides: &[isize], esize: usize) -> (isize, isize) {
    if shape.contains(&0) {
        return (0, 0);
    }
    let (mut lo, mut hi) = (0isize, esize as isize);
    for (&n, &s) in shape.iter().zip(strides) {
        let far = (n as isize - 1) * s;
        if far < 0 {
            lo += far;
        } else {
            hi += far;
        }
    }
    (lo, hi)
}

/// A validated input descriptor: a dtype, extents and byte strides over readable memory.
#[derive(Clone, Debug)]
pub struct Arg {
    /// The first element.
    pub data: *mut u8,
    /// The extents.
    pub shape: Vec<usize>,
    /// The strides in bytes.
    pub strides: Vec<isize>,
    /// The dtype.
    pub dtype: DType,
}

// SAFETY: an Arg is read-only access to the caller's memory for the duration of one call.
unsafe impl Send for Arg {}
// SAFETY: as above.
unsafe impl Sync for Arg {}

impl Arg {
    /// Checks a descriptor: a known dtype, `0 <= rank <= 64`, non-NULL arrays, non-negative
    /// extents, a non-NULL `data` when there are elements, and a byte span that fits `isize`.
    ///
    /// # Safety
    /// The pointers of `t` are valid for reads as the descriptor says (the ABI's contract).
    pub unsafe fn from_desc(t: &AirTensor, what: &str) -> Res<Arg> {
        let Some(dtype) = dtype_of_code(t.dtype) else {
            return fail(
                Code::BadInput,
                format!("{what}: unknown dtype code {}", t.dtype),
            );
        };
        let rank = match usize::try_from(t.rank) {
            Ok(r) if r <= MAX_RANK => r,
            _ => return fail(Code::BadInput, format!("{what}: bad rank {}", t.rank)),
        };
        if rank > 0 && (t.shape.is_null() || t.strides.is_null()) {
            return fail(Code::BadInput, format!("{what}: NULL shape or strides"));
        }
        // SAFETY: the arrays hold `rank` values (the ABI's contract, checked non-NULL).
        let (shape, strides) = unsafe { (raw_slice(t.shape, rank), raw_slice(t.strides, rank)) };
        let shape = extents(shape, what)?;
        let strides: Vec<isize> = strides.iter().map(|&s| s as isize).collect();
        let arg = Arg {
            data: t.data,
            shape,
            strides,
            dtype,
        };
        arg.check_span(what)?;
        Ok(arg)
    }

    fn check_span(&self, what: &str) -> Res<()> {
        let mut span: i128 = 0;
        for (&n, &s) in self.shape.iter().zip(&self.strides) {
            span += (n.max(1) as i128 - 1) * (s as i128).abs();
        }
        if span > isize::MAX as i128 / 2 {
            return fail(
                Code::BadExtent,
                format!("{what}: strides span too much memory"),
            );
        }
        if self.data.is_null() && !self.is_empty() {
            return fail(Code::BadInput, format!("{what}: NULL data with elements"));
        }
        Ok(())
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// Whether there are no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The rank.
    pub fn rank(&self) -> usize {
        self.shape.len()
    }

    /// The element size in bytes.
    pub fn esize(&self) -> usize {
        self.dtype.size_bytes()
    }

    /// The elements as `T`, which must have the dtype's size.
    pub fn view<T: Elem>(&self) -> StridedView<'_, T> {
        assert_eq!(std::mem::size_of::<T>(), self.esize(), "view type size");
        // SAFETY: the descriptor was checked on construction and its memory is readable for the
        // call (the ABI's contract).
        unsafe { StridedView::from_raw(self.data, self.shape.clone(), self.strides.clone()) }
    }

    /// The absolute byte range the elements occupy (empty when there are none).
    pub fn address_range(&self) -> (usize, usize) {
        let (lo, hi) = byte_span(&self.shape, &self.strides, self.esize());
        let base = self.data as usize;
        (base.wrapping_add_signed(lo), base.wrapping_add_signed(hi))
    }
}

/// Extents as `usize` (E0506 for a negative one) with an element count that fits memory.
pub(crate) fn extents(shape: &[i64], what: &str) -> Res<Vec<usize>> {
    let mut count: usize = 1;
    let mut out = Vec::with_capacity(shape.len());
    for &d in shape {
        let Ok(n) = usize::try_from(d) else {
            return fail(Code::BadExtent, format!("{what}: negative extent {d}"));
        };
        count = count.saturating_mul(n);
        out.push(n);
    }
    if count > isize::MAX as usize / 16 {
        return fail(
            Code::BadExtent,
            format!("{what}: shape {shape:?} is too large"),
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_and_zero_strides_iterate_in_c_order() {
        let data: Vec<i32> = (0..6).collect();
        // A 2x3 view reversed along both axes: [[5,4,3],[2,1,0]].
        let last = data.as_ptr().wrapping_add(5) as *const u8;
        // SAFETY: every addressed element is in `data`.
        let v: StridedView<'_, i32> =
            unsafe { StridedView::from_raw(last, vec![2, 3], vec![-12, -4]) };
        assert_eq!(v.iter().collect::<Vec<_>>(), vec![5, 4, 3, 2, 1, 0]);
        assert_eq!(v.get(&[1, 0]), 2);
        // A broadcast row: [[0,1,2],[0,1,2]].
        // SAFETY: as above.
        let b: StridedView<'_, i32> =
            unsafe { StridedView::from_raw(data.as_ptr() as *const u8, vec![2, 3], vec![0, 4]) };
        assert_eq!(b.iter().collect::<Vec<_>>(), vec![0, 1, 2, 0, 1, 2]);
        assert!(b.as_slice().is_none());
        assert_eq!(
            b.permuted(&[1, 0]).iter().collect::<Vec<_>>(),
            vec![0, 0, 1, 1, 2, 2]
        );
        assert_eq!(byte_span(&[2, 3], &[-12, -4], 4), (-20, 4));
    }

    #[test]
    fn contiguity_ignores_unit_axes() {
        assert!(is_c_contiguous(&[2, 1, 3], &[24, 999, 8], 8));
        assert!(!is_c_contiguous(&[2, 3], &[8, 16], 8));
        assert!(is_c_contiguous(&[0, 3], &[1, 1], 8));
    }
}
