//! Products that do not pay for packing: matrix-vector products (dot products with several
//! partial sums, or column updates), small matrices, and integers (wrapping).

use super::gemv::Rows4;
use super::MatRef;
use crate::elem::Num;
use crate::parallel::par_chunks;

/// `c = a b`, `c` row-major, any sizes (non-empty), any strides. `fast` is a four-row dot
/// product kernel for matrix-vector products over contiguous rows, where the type has one.
pub(super) fn product<T: Num>(
    a: &MatRef,
    b: &MatRef,
    c: &mut [T],
    threads: usize,
    fast: Option<Rows4<T>>,
) {
    if b.cols == 1 {
        gemv(a, b, c, threads, fast)
    } else if a.rows == 1 {
        // c (1 x n) = a (1 x k) b (k x n)  <=>  c^T (n x 1) = b^T (n x k) a^T (k x 1).
        gemv(&b.t(), &a.t(), c, threads, fast)
    } else {
        ikj(a, b, c, threads)
    }
}

/// `y = a x` with `x` a `k x 1` matrix and `y` of length `a.rows`.
fn gemv<T: Num>(a: &MatRef, x: &MatRef, y: &mut [T], threads: usize, fast: Option<Rows4<T>>) {
    // SAFETY: p < k = x.rows.
    let xv: Vec<T> = (0..x.rows).map(|p| unsafe { x.at(p, 0) }).collect();
    if a.row::<T>(0).is_some() && (a.rows == 1 || a.row::<T>(1).is_some()) {
        // Rows contiguous: one dot product per element of y, four at a time where a kernel
        // for that exists.
        let row_dot = |i: usize| match a.row::<T>(i) {
            Some(row) => dot(row, &xv),
            None => strided_dot(a, i, &xv),
        };
        par_chunks(y, 1, threads, |i0, ys| {
            let mut done = 0;
            if let Some(rows4) = fast {
                for (q, y4) in ys.chunks_exact_mut(4).enumerate() {
                    let i = i0 + 4 * q;
                    let r = [a.row(i), a.row(i + 1), a.row(i + 2), a.row(i + 3)];
                    let [Some(r0), Some(r1), Some(r2), Some(r3)] = r else {
                        for (d, yi) in y4.iter_mut().enumerate() {
                            *yi = row_dot(i + d);
                        }
                        continue;
                    };
                    y4.copy_from_slice(&rows4([r0, r1, r2, r3], &xv));
                }
                done = ys.len() / 4 * 4;
            }
            for (di, yi) in ys.iter_mut().enumerate().skip(done) {
                *yi = row_dot(i0 + di);
            }
        });
    } else if (0..a.cols).all(|p| a.t().row::<T>(p).is_some()) {
        // Columns contiguous: y += a[:, p] * x[p], on a slice of y per thread.
        let at = a.t();
        par_chunks(y, 1, threads, |i0, ys| {
            ys.fill(T::ZERO);
            for (p, &xp) in xv.iter().enumerate() {
                let col = at.row::<T>(p).unwrap_or(&[]);
                for (yi, &v) in ys.iter_mut().zip(&col[i0..]) {
                    *yi = yi.add(v.mul(xp));
                }
            }
        });
    } else {
        par_chunks(y, 1, threads, |i0, ys| {
            for (di, yi) in ys.iter_mut().enumerate() {
                *yi = strided_dot(a, i0 + di, &xv);
            }
        });
    }
}

/// Lanes of partial sums in a dot product.
const LANES: usize = 8;

/// `sum x[i] y[i]` with [`LANES`] partial sums (vectorised by LLVM).
pub(crate) fn dot<T: Num>(x: &[T], y: &[T]) -> T {
    let (xc, xr) = x.as_chunks::<LANES>();
    let (yc, yr) = y.as_chunks::<LANES>();
    let mut acc = [T::ZERO; LANES];
    for (u, v) in xc.iter().zip(yc) {
        for l in 0..LANES {
            acc[l] = acc[l].add(u[l].mul(v[l]));
        }
    }
    for (l, (&u, &v)) in xr.iter().zip(yr).enumerate() {
        acc[l] = acc[l].add(u.mul(v));
    }
    let mut width = LANES;
    while width > 1 {
        width /= 2;
        for l in 0..width {
            acc[l] = acc[l].add(acc[l + width]);
        }
    }
    acc[0]
}

/// Row `i` of `a` dotted with `x`, through strided reads.
fn strided_dot<T: Num>(a: &MatRef, i: usize, x: &[T]) -> T {
    let mut acc = [T::ZERO; 4];
    for (p, &xp) in x.iter().enumerate() {
        // SAFETY: i < rows and p < cols.
        let v: T = unsafe { a.at(i, p) };
        acc[p % 4] = acc[p % 4].add(v.mul(xp));
    }
    acc[0].add(acc[1]).add(acc[2].add(acc[3]))
}

/// Row-wise `c[i, :] = sum_p a[i, p] b[p, :]`: each row of `c` stays in cache while rows of `b`
/// stream past (b is copied to row-major first when its rows are not contiguous).
fn ikj<T: Num>(a: &MatRef, b: &MatRef, c: &mut [T], threads: usize) {
    let (k, n) = (b.rows, b.cols);
    let packed: Option<Vec<T>> = if (0..k).all(|p| b.row::<T>(p).is_some()) {
        None
    } else {
        // SAFETY: x / n < k and x % n < n.
        Some((0..k * n).map(|x| unsafe { b.at(x / n, x % n) }).collect())
    };
    let brow = |p: usize| -> &[T] {
        match &packed {
            Some(v) => &v[p * n..(p + 1) * n],
            None => b.row::<T>(p).unwrap_or(&[]),
        }
    };
    par_chunks(c, n, threads, |i0, rows| {
        for (di, crow) in rows.chunks_exact_mut(n).enumerate() {
            crow.fill(T::ZERO);
            for p in 0..k {
                // SAFETY: i0 + di < m and p < k.
                let aip: T = unsafe { a.at(i0 + di, p) };
                for (cv, &bv) in crow.iter_mut().zip(brow(p)) {
                    *cv = cv.add(aip.mul(bv));
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_sums_every_pair() {
        let x: Vec<i64> = (1..=19).collect();
        assert_eq!(dot(&x, &x), (1..=19).map(|v| v * v).sum::<i64>());
        assert_eq!(dot::<f64>(&[], &[]), 0.0);
    }
}
