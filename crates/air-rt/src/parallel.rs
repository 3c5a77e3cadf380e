//! Threads: `air_rt_parallel_for` for generated loops, and the helpers the runtime ops split
//! their work with. All use scoped threads, so no pool outlives a call; when a thread cannot be
//! started, its share runs on the calling thread.

use std::ops::Range;

/// The thread count for a request: `threads <= 0` means every core.
pub fn resolve_threads(threads: i64) -> usize {
    match usize::try_from(threads) {
        Ok(t) if t > 0 => t,
        _ => std::thread::available_parallelism().map_or(1, |n| n.get()),
    }
}

/// `0..n` cut into at most `parts` contiguous, nearly equal, non-empty ranges.
pub fn split_range(n: usize, parts: usize) -> Vec<Range<usize>> {
    let parts = parts.clamp(1, n.max(1));
    let (base, extra) = (n / parts, n % parts);
    let mut out = Vec::with_capacity(parts);
    let mut lo = 0;
    for p in 0..parts {
        let hi = lo + base + usize::from(p < extra);
        if hi > lo {
            out.push(lo..hi);
        }
        lo = hi;
    }
    out
}

/// Runs `f` on each range of `0..n` split over `threads` threads (the first on this thread).
pub fn par_ranges(n: usize, threads: usize, f: impl Fn(Range<usize>) + Sync) {
    let ranges = split_range(n, threads);
    if ranges.len() <= 1 {
        ranges.into_iter().for_each(&f);
        return;
    }
    let f = &f;
    // Workers allocate under the caller's memory budget.
    let budget = crate::mem::current_budget();
    std::thread::scope(|s| {
        let mut rest = ranges.into_iter();
        let first = rest.next();
        for r in rest {
            let spawned = std::thread::Builder::new().spawn_scoped(s, {
                let r = r.clone();
                let budget = budget.clone();
                move || {
                    let _guard = crate::mem::enter_budget(budget);
                    f(r)
                }
            });
            if spawned.is_err() {
                f(r);
            }
        }
        if let Some(r) = first {
            f(r);
        }
    });
}

/// Runs `f(first_item, chunk)` on `data` cut into chunks of whole items (`item` elements each),
/// the items split as evenly as possible over `threads` threads.
pub fn par_chunks<T: Send>(
    data: &mut [T],
    item: usize,
    threads: usize,
    f: impl Fn(usize, &mut [T]) + Sync,
) {
    let items = data.len().checked_div(item).unwrap_or(0);
    if threads <= 1 || items <= 1 {
        f(0, data);
        return;
    }
    let base = SendPtr(data.as_mut_ptr());
    par_ranges(items, threads, |r| {
        let b = base;
        // SAFETY: the ranges are disjoint and inside `data`, which is borrowed mutably for the
        // whole call, so each chunk is a unique borrow.
        let chunk =
            unsafe { std::slice::from_raw_parts_mut(b.0.add(r.start * item), r.len() * item) };
        f(r.start, chunk)
    });
}

/// A pointer handed to worker threads that touch disjoint parts of what it points to.
pub(crate) struct SendPtr<T>(pub *mut T);
impl<T> Clone for SendPtr<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for SendPtr<T> {}
// SAFETY: users only touch disjoint elements from different threads.
unsafe impl<T: Send> Send for SendPtr<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for SendPtr<T> {}

/// A raw context pointer that may cross threads (the generated code guarantees the ranges it
/// receives touch disjoint data).
#[derive(Clone, Copy)]
struct Ctx(*mut u8);
// SAFETY: see above: the callee owns the synchronisation of what `ctx` points to.
unsafe impl Send for Ctx {}
// SAFETY: as above.
unsafe impl Sync for Ctx {}

/// Runs `f(ctx, lo, hi)` over `0..n` cut into contiguous chunks, one per thread (`threads <= 0`:
/// every core); returns when all are done. Nothing runs when `n <= 0`.
///
/// # Safety
/// `f` may be called concurrently with the same `ctx` on disjoint ranges; it must be safe so.
#[no_mangle]
pub unsafe extern "C" fn air_rt_parallel_for(
    f: extern "C" fn(ctx: *mut u8, lo: i64, hi: i64),
    ctx: *mut u8,
    n: i64,
    threads: i64,
) {
    let Ok(n) = usize::try_from(n) else {
        return;
    };
    let ctx = Ctx(ctx);
    par_ranges(n, resolve_threads(threads), move |r| {
        let c = ctx;
        f(c.0, r.start as i64, r.end as i64)
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicI64, Ordering};

    #[test]
    fn ranges_cover_exactly() {
        assert_eq!(split_range(10, 3), vec![0..4, 4..7, 7..10]);
        assert_eq!(split_range(2, 8), vec![0..1, 1..2]);
        assert_eq!(split_range(0, 4), Vec::<Range<usize>>::new());
    }

    extern "C" fn sum_range(ctx: *mut u8, lo: i64, hi: i64) {
        // SAFETY: ctx is the AtomicI64 of the test.
        let total = unsafe { &*(ctx as *const AtomicI64) };
        total.fetch_add((lo..hi).sum::<i64>(), Ordering::Relaxed);
    }

    #[test]
    fn parallel_for_visits_every_index_once() {
        for (n, threads) in [(0, 4), (1, 4), (1000, 0), (1001, 3), (7, 1)] {
            let total = AtomicI64::new(0);
            // SAFETY: sum_range only adds atomically.
            unsafe {
                air_rt_parallel_for(sum_range, &total as *const AtomicI64 as *mut u8, n, threads)
            };
            assert_eq!(total.load(Ordering::Relaxed), n * (n - 1) / 2, "n={n}");
        }
    }

    #[test]
    fn chunks_are_disjoint_and_complete() {
        let mut v = vec![0usize; 7 * 5];
        par_chunks(&mut v, 5, 3, |first, chunk| {
            for (i, row) in chunk.chunks_mut(5).enumerate() {
                row.fill(first + i);
            }
        });
        let expect: Vec<usize> = (0..7).flat_map(|i| [i; 5]).collect();
        assert_eq!(v, expect);
    }
}
