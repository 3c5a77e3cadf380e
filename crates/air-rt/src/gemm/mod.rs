//! Matrix products `C = A B` for the `matmul` and `einsum` ops.
//!
//! Operands are strided matrices over caller memory ([`MatRef`], byte strides of any sign); the
//! result is a row-major `&mut [T]`. Floats use a cache-blocked, register-tiled GEMM
//! ([`blocked`]): panels packed per cache level, a micro-kernel that LLVM vectorises, compiled
//! once per instruction set and picked at run time. Matrix-vector products and small or integer
//! problems use simpler loops ([`small`]) with several partial sums. Integers wrap.

mod blocked;
mod gemv;
mod small;

use crate::elem::{Elem, Num};
use crate::parallel::{par_chunks, resolve_threads};
use crate::view::offsets;

/// A strided matrix operand of `rows x cols` elements at byte strides `rs`, `cs`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MatRef {
    /// The element (0, 0).
    pub ptr: *const u8,
    /// Rows.
    pub rows: usize,
    /// Columns.
    pub cols: usize,
    /// Byte stride between rows.
    pub rs: isize,
    /// Byte stride between columns.
    pub cs: isize,
}

// SAFETY: a MatRef only reads memory that stays valid for the call it is made in.
unsafe impl Send for MatRef {}
// SAFETY: as above.
unsafe impl Sync for MatRef {}

impl MatRef {
    /// Element `(i, j)`.
    ///
    /// # Safety
    /// `i < rows`, `j < cols`, and the matrix addresses readable memory.
    #[inline(always)]
    pub unsafe fn at<T: Elem>(&self, i: usize, j: usize) -> T {
        // SAFETY: by the contract.
        unsafe {
            (self.ptr.offset(i as isize * self.rs + j as isize * self.cs) as *const T)
                .read_unaligned()
        }
    }

    /// The transpose (a view).
    pub fn t(&self) -> MatRef {
        MatRef {
            ptr: self.ptr,
            rows: self.cols,
            cols: self.rows,
            rs: self.cs,
            cs: self.rs,
        }
    }

    /// Row `i` as a slice, when its elements are contiguous and aligned.
    pub fn row<T: Elem>(&self, i: usize) -> Option<&[T]> {
        let size = std::mem::size_of::<T>() as isize;
        let p = self.ptr.wrapping_offset(i as isize * self.rs);
        let ok = i < self.rows
            && (self.cs == size || self.cols <= 1)
            && (p as usize).is_multiple_of(std::mem::align_of::<T>());
        // SAFETY: row `i` exists and its `cols` elements are contiguous, aligned and readable.
        ok.then(|| unsafe { std::slice::from_raw_parts(p as *const T, self.cols) })
    }
}

/// Element types with a matrix product.
pub(crate) trait Gemm: Num {
    /// `c = a b` with `c` row-major `a.rows x b.cols`, `a.cols == b.rows > 0`, both non-empty.
    fn product(a: &MatRef, b: &MatRef, c: &mut [Self], threads: usize);
}

macro_rules! int_gemm {
    ($($t:ty),*) => {$(
        impl Gemm for $t {
            fn product(a: &MatRef, b: &MatRef, c: &mut [$t], threads: usize) {
                small::product(a, b, c, threads, None)
            }
        }
    )*};
}
int_gemm!(i8, i16, i32, i64, u8, u16, u32, u64);

impl Gemm for f32 {
    fn product(a: &MatRef, b: &MatRef, c: &mut [f32], threads: usize) {
        float_product(a, b, c, threads, blocked::gemm_f32, gemv::rows4_f32)
    }
}

impl Gemm for f64 {
    fn product(a: &MatRef, b: &MatRef, c: &mut [f64], threads: usize) {
        float_product(a, b, c, threads, blocked::gemm_f64, gemv::rows4_f64)
    }
}

/// Below this many multiply-adds a product runs on one thread.
const PARALLEL_WORK: usize = 1 << 20;
/// Below this many multiply-adds packing does not pay.
const SMALL_WORK: usize = 32 * 32 * 32;

fn float_product<T: Num>(
    a: &MatRef,
    b: &MatRef,
    c: &mut [T],
    threads: usize,
    blocked: fn(&MatRef, &MatRef, &mut [T], usize),
    rows4: gemv::Rows4<T>,
) {
    let (m, n) = (a.rows, b.cols);
    if m == 1 || n == 1 || m * n * a.cols < SMALL_WORK {
        small::product(a, b, c, threads, Some(rows4))
    } else {
        blocked(a, b, c, threads)
    }
}

/// `c = a b`: `c` is row-major `a.rows x b.cols` and is overwritten; `a.cols == b.rows`.
/// `threads <= 0` means every core; small products run on one thread.
pub(crate) fn gemm<T: Gemm>(a: &MatRef, b: &MatRef, c: &mut [T], threads: i64) {
    let (m, k, n) = (a.rows, a.cols, b.cols);
    assert_eq!(k, b.rows, "inner dims");
    assert_eq!(c.len(), m * n, "result size");
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        c.fill(T::ZERO);
        return;
    }
    let work = m.saturating_mul(n).saturating_mul(k);
    let threads = if work < PARALLEL_WORK {
        1
    } else {
        resolve_threads(threads)
    };
    T::product(a, b, c, threads);
}

/// A batch of products: for each index of `shape`, `a` and `b` moved by the byte offsets of the
/// index under their batch strides (0 for a broadcast dim).
pub(crate) struct Batch<'s> {
    /// The batch extents.
    pub shape: &'s [usize],
    /// A's byte strides per batch dim.
    pub a: &'s [isize],
    /// B's byte strides per batch dim.
    pub b: &'s [isize],
}

/// `c[i] = a[i] b[i]` for every batch index `i` in C order, `c` holding the row-major products
/// one after the other. Threads go to whole products when there are enough of them, else to
/// the rows of each product.
pub(crate) fn batched_gemm<T: Gemm>(
    batch: &Batch<'_>,
    a: &MatRef,
    b: &MatRef,
    c: &mut [T],
    threads: i64,
) {
    let mn = a.rows * b.cols;
    let count: usize = batch.shape.iter().product();
    if count == 0 || mn == 0 {
        return;
    }
    let offs_a: Vec<isize> = offsets(batch.shape, batch.a).collect();
    let offs_b: Vec<isize> = offsets(batch.shape, batch.b).collect();
    let at = |m: &MatRef, off: isize| MatRef {
        ptr: m.ptr.wrapping_offset(off),
        ..*m
    };
    let t = resolve_threads(threads);
    let work = mn.saturating_mul(a.cols);
    if count > 1 && t > 1 && (count >= t || work < PARALLEL_WORK) {
        par_chunks(c, mn, t, |first, chunk| {
            for (i, ci) in chunk.chunks_exact_mut(mn).enumerate() {
                gemm(&at(a, offs_a[first + i]), &at(b, offs_b[first + i]), ci, 1);
            }
        });
    } else {
        for (i, ci) in c.chunks_exact_mut(mn).enumerate() {
            gemm(&at(a, offs_a[i]), &at(b, offs_b[i]), ci, threads);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(a: &[f64], b: &[f64], m: usize, k: usize, n: usize) -> Vec<f64> {
        let mut c = vec![0.0; m * n];
        for i in 0..m {
            for j in 0..n {
                c[i * n + j] = (0..k).map(|p| a[i * k + p] * b[p * n + j]).sum();
            }
        }
        c
    }

    fn mat(v: &[f64], rows: usize, cols: usize) -> MatRef {
        MatRef {
            ptr: v.as_ptr() as *const u8,
            rows,
            cols,
            rs: 8 * cols as isize,
            cs: 8,
        }
    }

    #[test]
    fn all_paths_agree_with_a_naive_product() {
        for (m, k, n) in [(1, 1, 1), (7, 5, 1), (1, 9, 7), (33, 17, 40), (70, 65, 66)] {
            let a: Vec<f64> = (0..m * k).map(|i| ((i * 7) % 11) as f64 - 5.0).collect();
            let b: Vec<f64> = (0..k * n).map(|i| ((i * 5) % 13) as f64 - 6.0).collect();
            let want = naive(&a, &b, m, k, n);
            for threads in [1, 3] {
                let mut c = vec![f64::NAN; m * n];
                gemm(&mat(&a, m, k), &mat(&b, k, n), &mut c, threads);
                assert_eq!(c, want, "{m}x{k}x{n}");
                let mut c = vec![f64::NAN; m * n];
                blocked::gemm_f64(&mat(&a, m, k), &mat(&b, k, n), &mut c, threads as usize);
                assert_eq!(c, want, "blocked {m}x{k}x{n}");
            }
        }
    }
}
