//! Float matrix-vector products over contiguous rows, four rows at a time.
//!
//! A matrix-vector product is bound by reading the matrix once. One row at a time is a single
//! memory stream and reaches about two thirds of the bandwidth here; four rows are four streams
//! that share each load of `x`, and each row keeps `L` partial sums (vector registers). Like the
//! blocked GEMM, the kernel is compiled per instruction set and picked at run time.

use super::blocked::{isa, Float, Isa};

/// `[a0 . x, a1 . x, a2 . x, a3 . x]`, each with `L` partial sums; every row has `x.len()`
/// elements.
#[inline(always)]
fn rows4<T: Float, const L: usize, const FMA: bool>(r: [&[T]; 4], x: &[T]) -> [T; 4] {
    let mut acc = [[T::ZERO; L]; 4];
    let (xc, xt) = x.as_chunks::<L>();
    let c = r.map(|row| row.as_chunks::<L>());
    for ((((xv, a0), a1), a2), a3) in xc.iter().zip(c[0].0).zip(c[1].0).zip(c[2].0).zip(c[3].0) {
        for l in 0..L {
            acc[0][l] = a0[l].madd::<FMA>(xv[l], acc[0][l]);
            acc[1][l] = a1[l].madd::<FMA>(xv[l], acc[1][l]);
            acc[2][l] = a2[l].madd::<FMA>(xv[l], acc[2][l]);
            acc[3][l] = a3[l].madd::<FMA>(xv[l], acc[3][l]);
        }
    }
    let mut out = [T::ZERO; 4];
    for q in 0..4 {
        for (l, (&a, &v)) in c[q].1.iter().zip(xt).enumerate() {
            acc[q][l] = a.madd::<FMA>(v, acc[q][l]);
        }
        let mut width = L;
        while width > 1 {
            width /= 2;
            for l in 0..width {
                acc[q][l] = acc[q][l] + acc[q][l + width];
            }
        }
        out[q] = acc[q][0];
    }
    out
}

macro_rules! kernels {
    ($($name:ident: $t:ty, $feat:literal, L = $l:literal, FMA = $fma:literal;)*) => {$(
        #[cfg_attr(target_arch = "x86_64", target_feature(enable = $feat))]
        unsafe fn $name(r: [&[$t]; 4], x: &[$t]) -> [$t; 4] {
            rows4::<$t, $l, $fma>(r, x)
        }
    )*};
}

#[cfg(target_arch = "x86_64")]
kernels! {
    f64_avx512: f64, "avx512f,avx512vl,avx2,fma", L = 16, FMA = true;
    f64_avx2: f64, "avx2,fma", L = 8, FMA = true;
    f32_avx512: f32, "avx512f,avx512vl,avx2,fma", L = 32, FMA = true;
    f32_avx2: f32, "avx2,fma", L = 16, FMA = true;
}

kernels! {
    f64_base: f64, "sse2", L = 4, FMA = false;
    f32_base: f32, "sse2", L = 8, FMA = false;
}

/// Four dot products of contiguous rows with `x`, on the best kernel of this CPU.
pub(crate) type Rows4<T> = fn([&[T]; 4], &[T]) -> [T; 4];

/// [`Rows4`] for f64.
pub(crate) fn rows4_f64(r: [&[f64]; 4], x: &[f64]) -> [f64; 4] {
    // SAFETY: each kernel runs only where `isa()` found its instruction set.
    unsafe {
        match isa() {
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => f64_avx512(r, x),
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => f64_avx2(r, x),
            _ => f64_base(r, x),
        }
    }
}

/// [`Rows4`] for f32.
pub(crate) fn rows4_f32(r: [&[f32]; 4], x: &[f32]) -> [f32; 4] {
    // SAFETY: as in `rows4_f64`.
    unsafe {
        match isa() {
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => f32_avx512(r, x),
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => f32_avx2(r, x),
            _ => f32_base(r, x),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_rows_match_exact_integer_sums_at_every_length() {
        // Small integers: every partial sum is exact, so any summation order gives the same.
        for k in [0, 1, 3, 7, 8, 15, 16, 17, 33, 64, 100] {
            let rows: Vec<Vec<f64>> = (0..4)
                .map(|q| (0..k).map(|p| ((p * 3 + q) % 7) as f64 - 3.0).collect())
                .collect();
            let x: Vec<f64> = (0..k).map(|p| (p % 5) as f64 - 2.0).collect();
            let want: Vec<f64> = rows
                .iter()
                .map(|r| r.iter().zip(&x).map(|(a, b)| a * b).sum())
                .collect();
            let r = [&rows[0][..], &rows[1][..], &rows[2][..], &rows[3][..]];
            assert_eq!(rows4_f64(r, &x).to_vec(), want, "k = {k}");
            let r32: Vec<Vec<f32>> = rows
                .iter()
                .map(|r| r.iter().map(|&v| v as f32).collect())
                .collect();
            let x32: Vec<f32> = x.iter().map(|&v| v as f32).collect();
            let r = [&r32[0][..], &r32[1][..], &r32[2][..], &r32[3][..]];
            let got: Vec<f64> = rows4_f32(r, &x32).iter().map(|&v| v as f64).collect();
            assert_eq!(got, want, "f32, k = {k}");
        }
    }
}
