//! Memory for results the callee allocates: `air_rt_alloc` and `air_free`.
//!
//! A block is 64-byte aligned and zeroed. Its size is recorded in a 64-byte header just before
//! it, so `air_free` needs only the pointer (as C's `free`).

use std::alloc::{alloc_zeroed, dealloc, Layout};

/// The alignment of every block, and the size of the header before it.
pub const ALIGN: usize = 64;

fn layout(nbytes: usize) -> Option<Layout> {
    let total = nbytes.checked_add(ALIGN)?;
    Layout::from_size_align(total, ALIGN).ok()
}

/// Allocates `nbytes` (0 allowed) of zeroed, 64-byte aligned memory; NULL when `nbytes` is
/// negative or the memory cannot be had. Release it with [`air_free`].
#[no_mangle]
pub extern "C" fn air_rt_alloc(nbytes: i64) -> *mut u8 {
    let Ok(n) = usize::try_from(nbytes) else {
        return std::ptr::null_mut();
    };
    let Some(layout) = layout(n) else {
        return std::ptr::null_mut();
    };
    // SAFETY: the layout has a non-zero size (the header).
    let base = unsafe { alloc_zeroed(layout) };
    if base.is_null() {
        return base;
    }
    // SAFETY: the block holds at least the header; the size sits at its start, which is aligned.
    unsafe {
        (base as *mut usize).write(n);
        base.add(ALIGN)
    }
}

/// Releases a block from [`air_rt_alloc`]; NULL is ignored.
///
/// # Safety
/// `ptr` is NULL or a pointer returned by `air_rt_alloc` and not yet freed.
#[no_mangle]
pub unsafe extern "C" fn air_free(ptr: *mut u8) {
    if ptr.is_null() {
        return;
    }
    // SAFETY: by the contract, the header sits ALIGN bytes before the block.
    unsafe {
        let base = ptr.sub(ALIGN);
        let n = (base as *const usize).read();
        if let Some(layout) = layout(n) {
            dealloc(base, layout);
        }
    }
}

/// A block from [`air_rt_alloc`] that frees itself: the runtime ops' scratch memory.
pub(crate) struct Block {
    ptr: *mut u8,
    len: usize,
}

// SAFETY: the block is owned memory; sharing it follows the usual borrow rules of its accessors.
unsafe impl Send for Block {}
// SAFETY: as above.
unsafe impl Sync for Block {}

impl Block {
    /// `nbytes` of zeroed memory, or `None` when it cannot be had.
    pub fn zeroed(nbytes: usize) -> Option<Block> {
        let ptr = air_rt_alloc(i64::try_from(nbytes).ok()?);
        (!ptr.is_null()).then_some(Block { ptr, len: nbytes })
    }

    /// The start of the block.
    pub fn ptr(&self) -> *mut u8 {
        self.ptr
    }

    /// The block as `len` elements of `T` (the block must hold them).
    pub fn as_mut_slice<T: crate::elem::Elem>(&mut self, len: usize) -> &mut [T] {
        assert!(len * std::mem::size_of::<T>() <= self.len);
        // SAFETY: the block is 64-byte aligned, zeroed (a valid `T` for these types), and holds
        // `len` elements; `&mut self` makes the borrow unique.
        unsafe { std::slice::from_raw_parts_mut(self.ptr as *mut T, len) }
    }

    /// Gives the block to the caller (it is then released with `air_free`).
    pub fn into_raw(self) -> *mut u8 {
        let p = self.ptr;
        std::mem::forget(self);
        p
    }
}

impl Drop for Block {
    fn drop(&mut self) {
        // SAFETY: the pointer came from air_rt_alloc and is freed once, here.
        unsafe { air_free(self.ptr) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_aligned_zeroed_and_freed() {
        for n in [0i64, 1, 63, 64, 1000, 1 << 20] {
            let p = air_rt_alloc(n);
            assert!(!p.is_null());
            assert_eq!(p as usize % ALIGN, 0);
            // SAFETY: p holds n bytes.
            let s = unsafe { std::slice::from_raw_parts_mut(p, n as usize) };
            assert!(s.iter().all(|&b| b == 0));
            s.fill(7);
            // SAFETY: p came from air_rt_alloc.
            unsafe { air_free(p) };
        }
        assert!(air_rt_alloc(-1).is_null());
        assert!(air_rt_alloc(i64::MAX).is_null());
        // SAFETY: NULL is allowed.
        unsafe { air_free(std::ptr::null_mut()) };
    }
}
