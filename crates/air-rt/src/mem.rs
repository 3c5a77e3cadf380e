//! Memory for results the callee allocates: `air_rt_alloc` and `air_free`, and the memory
//! budget (`--max-memory`) they are checked against.
//!
//! A block is 64-byte aligned and zeroed. Its size is recorded in a 64-byte header just before
//! it, so `air_free` needs only the pointer (as C's `free`); so is the budget it was charged to,
//! which `air_free` refunds.
//!
//! The budget is per thread ([`air_set_max_memory`], [`with_max_memory`]): the bytes of blocks
//! allocated under it and not yet freed may not exceed its limit; an allocation that would is
//! refused (NULL, which generated code reports as E0508) before any memory is asked for. Worker
//! threads of a call ([`crate::parallel`]) allocate under their caller's budget.

use std::alloc::{alloc_zeroed, dealloc, Layout};
use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// A memory budget: the most bytes of blocks live at once, and the bytes live now.
#[derive(Debug)]
pub struct Budget {
    limit: u64,
    live: AtomicU64,
}

impl Budget {
    /// Takes `n` bytes from the budget; false (and nothing taken) when they do not fit.
    fn charge(&self, n: u64) -> bool {
        self.live
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |live| {
                live.checked_add(n).filter(|&t| t <= self.limit)
            })
            .is_ok()
    }

    /// Gives `n` bytes back.
    fn refund(&self, n: u64) {
        let _ = self
            .live
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |live| {
                Some(live.saturating_sub(n))
            });
    }

    /// The bytes charged and not yet refunded.
    pub fn live(&self) -> u64 {
        self.live.load(Ordering::Acquire)
    }

    /// The limit in bytes.
    pub fn limit(&self) -> u64 {
        self.limit
    }
}

thread_local! {
    /// The budget this thread allocates under, if any.
    static CURRENT: RefCell<Option<Arc<Budget>>> = const { RefCell::new(None) };
}

/// The budget this thread allocates under.
pub fn current_budget() -> Option<Arc<Budget>> {
    CURRENT.with(|c| c.borrow().clone())
}

/// Makes `budget` this thread's until the guard drops (then the previous one is back): how a
/// worker thread takes on its caller's budget.
pub fn enter_budget(budget: Option<Arc<Budget>>) -> BudgetGuard {
    BudgetGuard(CURRENT.with(|c| c.replace(budget)))
}

/// Restores the previous budget of the thread when dropped.
pub struct BudgetGuard(Option<Arc<Budget>>);

impl Drop for BudgetGuard {
    fn drop(&mut self) {
        let prev = self.0.take();
        CURRENT.with(|c| *c.borrow_mut() = prev);
    }
}

/// Runs `f` with a fresh budget of `limit` bytes on this thread (`None`: no budget); what `f`
/// leaves allocated stays charged to it until freed.
pub fn with_max_memory<R>(limit: Option<u64>, f: impl FnOnce() -> R) -> R {
    let budget = limit.map(|limit| {
        Arc::new(Budget {
            limit,
            live: AtomicU64::new(0),
        })
    });
    let _guard = enter_budget(budget);
    f()
}

/// Sets the memory budget of the calling thread's later AIR calls: at most `nbytes` bytes of
/// blocks from [`air_rt_alloc`] live at once (`nbytes <= 0`: no budget). Blocks allocated before
/// stay charged to the budget they were allocated under.
#[no_mangle]
pub extern "C" fn air_set_max_memory(nbytes: i64) {
    let budget = u64::try_from(nbytes).ok().filter(|&n| n > 0).map(|limit| {
        Arc::new(Budget {
            limit,
            live: AtomicU64::new(0),
        })
    });
    CURRENT.with(|c| *c.borrow_mut() = budget);
}

/// The alignment of every block, and the size of the header before it.
pub const ALIGN: usize = 64;

fn layout(nbytes: usize) -> Option<Layout> {
    let total = nbytes.checked_add(ALIGN)?;
    Layout::from_size_align(total, ALIGN).ok()
}

/// Allocates `nbytes` (0 allowed) of zeroed, 64-byte aligned memory; NULL when `nbytes` is
/// negative, over the thread's memory budget, or the memory cannot be had. Release it with
/// [`air_free`].
#[no_mangle]
pub extern "C" fn air_rt_alloc(nbytes: i64) -> *mut u8 {
    let Ok(n) = usize::try_from(nbytes) else {
        return std::ptr::null_mut();
    };
    let Some(layout) = layout(n) else {
        return std::ptr::null_mut();
    };
    let budget = current_budget();
    if let Some(b) = &budget {
        if !b.charge(n as u64) {
            return std::ptr::null_mut();
        }
    }
    // SAFETY: the layout has a non-zero size (the header).
    let base = unsafe { alloc_zeroed(layout) };
    if base.is_null() {
        if let Some(b) = &budget {
            b.refund(n as u64);
        }
        return base;
    }
    let owner = budget.map_or(std::ptr::null(), Arc::into_raw);
    // SAFETY: the block holds at least the header (64 bytes, aligned): the size sits at its
    // start and the budget's pointer right after it.
    unsafe {
        (base as *mut usize).write(n);
        (base.add(8) as *mut *const Budget).write(owner);
        base.add(ALIGN)
    }
}

/// Releases a block from [`air_rt_alloc`] (refunding its budget); NULL is ignored.
///
/// # Safety
/// `ptr` is NULL or a pointer returned by `air_rt_alloc` and not yet freed.
#[no_mangle]
pub unsafe extern "C" fn air_free(ptr: *mut u8) {
    if ptr.is_null() {
        return;
    }
    // SAFETY: by the contract, the header sits ALIGN bytes before the block, with the size and
    // the budget pointer `air_rt_alloc` wrote (a pointer from `Arc::into_raw`, released once).
    unsafe {
        let base = ptr.sub(ALIGN);
        let n = (base as *const usize).read();
        let owner = (base.add(8) as *const *const Budget).read();
        if !owner.is_null() {
            let b = Arc::from_raw(owner);
            b.refund(n as u64);
        }
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
        assert!(current_budget().is_none());
        assert!(air_rt_alloc(i64::MAX).is_null());
        // SAFETY: NULL is allowed.
        unsafe { air_free(std::ptr::null_mut()) };
    }

    #[test]
    fn the_budget_refuses_past_its_limit_and_refunds_on_free() {
        with_max_memory(Some(1000), || {
            let a = air_rt_alloc(600);
            assert!(!a.is_null());
            let b = current_budget().expect("a budget");
            assert_eq!((b.live(), b.limit()), (600, 1000));
            assert!(air_rt_alloc(401).is_null(), "600 + 401 is over 1000");
            let c = air_rt_alloc(400);
            assert!(!c.is_null(), "600 + 400 fits exactly");
            // SAFETY: both came from air_rt_alloc.
            unsafe { air_free(a) };
            assert_eq!(b.live(), 400);
            // A worker thread allocating under the caller's budget.
            let shared = current_budget();
            std::thread::scope(|s| {
                s.spawn(move || {
                    let _g = enter_budget(shared);
                    let p = air_rt_alloc(600);
                    assert!(!p.is_null());
                    assert!(air_rt_alloc(1).is_null());
                    // SAFETY: from air_rt_alloc.
                    unsafe { air_free(p) };
                });
            });
            // SAFETY: from air_rt_alloc.
            unsafe { air_free(c) };
            assert_eq!(b.live(), 0);
        });
        assert!(current_budget().is_none());
        // The C entry point: a budget for this thread, then none again.
        air_set_max_memory(10);
        assert!(air_rt_alloc(11).is_null());
        air_set_max_memory(0);
        let p = air_rt_alloc(11);
        assert!(!p.is_null());
        // SAFETY: from air_rt_alloc.
        unsafe { air_free(p) };
    }
}
