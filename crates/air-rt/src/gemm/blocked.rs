//! The cache-blocked, register-tiled float GEMM (the BLIS loop structure).
//!
//! ```text
//! for jc in N by NC:            B panel (KC x NC) packed in NR-wide slivers   (L3)
//!   for pc in K by KC:
//!     for ic in M by MC:        A block (MC x KC) packed in MR-tall slivers   (L2), per thread
//!       for jr in NC by NR:     one B sliver                                  (L1)
//!         for ir in MC by MR:   micro-kernel: an MR x NR tile of C in registers
//! ```
//!
//! The micro-kernel is plain Rust over fixed-size arrays (`[[T; NR]; MR]` accumulators) that
//! LLVM unrolls and vectorises; it is compiled once per instruction set (AVX-512, AVX2+FMA,
//! baseline) through `#[target_feature]` wrappers and chosen at run time. Threads split the rows
//! of C (the `ic` loop); the B panel is packed by all threads together.

use std::sync::OnceLock;

use super::MatRef;
use crate::elem::{Elem, Num};
use crate::parallel::{par_chunks, par_ranges, SendPtr};

/// Float element types of the blocked GEMM.
pub(crate) trait Float:
    Num + std::ops::Add<Output = Self> + std::ops::Mul<Output = Self>
{
    /// `self * b + c`, fused when `FMA`.
    fn madd<const FMA: bool>(self, b: Self, c: Self) -> Self;
}

impl Float for f32 {
    #[inline(always)]
    fn madd<const FMA: bool>(self, b: f32, c: f32) -> f32 {
        if FMA {
            self.mul_add(b, c)
        } else {
            self * b + c
        }
    }
}

impl Float for f64 {
    #[inline(always)]
    fn madd<const FMA: bool>(self, b: f64, c: f64) -> f64 {
        if FMA {
            self.mul_add(b, c)
        } else {
            self * b + c
        }
    }
}

/// The instruction sets with a kernel of their own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Isa {
    /// AVX-512F (with FMA).
    Avx512,
    /// AVX2 and FMA.
    Avx2,
    /// What every CPU of the target has.
    Base,
}

/// The best instruction set of this CPU; `AIR_RT_ISA=avx512|avx2|base` lowers it (for
/// measurements).
pub(crate) fn isa() -> Isa {
    static ISA: OnceLock<Isa> = OnceLock::new();
    *ISA.get_or_init(|| {
        let best = detect();
        let wanted = match std::env::var("AIR_RT_ISA").as_deref() {
            Ok("base") => Isa::Base,
            Ok("avx2") => Isa::Avx2,
            _ => best,
        };
        match (best, wanted) {
            (Isa::Base, _) => Isa::Base,
            (Isa::Avx2, Isa::Avx512) => Isa::Avx2,
            (_, w) => w,
        }
    })
}

#[cfg(target_arch = "x86_64")]
fn detect() -> Isa {
    if is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("fma") {
        Isa::Avx512
    } else if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
        Isa::Avx2
    } else {
        Isa::Base
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn detect() -> Isa {
    Isa::Base
}

/// Cache block sizes (elements).
#[derive(Clone, Copy, Debug)]
struct Blocks {
    kc: usize,
    mc: usize,
    nc: usize,
}

/// One call of the macro-kernel: a packed A block times a packed B panel into C.
struct Tile<'a, T> {
    a: &'a [T],
    b: &'a [T],
    mc: usize,
    nc: usize,
    kc: usize,
    /// C at (ic, jc); row stride `ldc` elements.
    c: *mut T,
    ldc: usize,
    /// Add to C (false for the first `pc` block: store).
    accumulate: bool,
}

/// `acc += a * b` for one row of a tile (a loop LLVM unrolls and vectorises).
#[inline(always)]
fn row<T: Float, const NR: usize, const FMA: bool>(acc: &mut [T; NR], a: T, b: &[T; NR]) {
    for j in 0..NR {
        acc[j] = a.madd::<FMA>(b[j], acc[j]);
    }
}

/// Every MR x NR tile of one A block times one B panel.
///
/// # Safety
/// `t.c` addresses an `mc x nc` block of C with row stride `ldc` that only this call writes.
#[inline(always)]
unsafe fn macro_kernel<T: Float, const MR: usize, const NR: usize>(
    t: &Tile<T>,
    micro: impl Fn(usize, &[T], &[T]) -> [[T; NR]; MR],
) {
    for jr in (0..t.nc).step_by(NR) {
        let nr = NR.min(t.nc - jr);
        let bp = &t.b[jr * t.kc..(jr + NR) * t.kc];
        for ir in (0..t.mc).step_by(MR) {
            let mr = MR.min(t.mc - ir);
            let ap = &t.a[ir * t.kc..(ir + MR) * t.kc];
            let acc = micro(t.kc, ap, bp);
            for (i, acc_row) in acc.iter().enumerate().take(mr) {
                // SAFETY: row ir + i < mc and columns jr..jr + nr < nc of the block.
                let row =
                    unsafe { std::slice::from_raw_parts_mut(t.c.add((ir + i) * t.ldc + jr), nr) };
                if t.accumulate {
                    for (c, &v) in row.iter_mut().zip(acc_row) {
                        *c = *c + v;
                    }
                } else {
                    row.copy_from_slice(&acc_row[..nr]);
                }
            }
        }
    }
}

/// Packs rows `i0..i0 + mc`, columns `p0..p0 + kc` of A into MR-tall slivers (zero padded).
fn pack_a<T: Elem + Num, const MR: usize>(
    a: &MatRef,
    i0: usize,
    mc: usize,
    p0: usize,
    kc: usize,
    dst: &mut [T],
) {
    for (s, sliver) in dst
        .chunks_exact_mut(MR * kc)
        .take(mc.div_ceil(MR))
        .enumerate()
    {
        let r0 = i0 + s * MR;
        let mr = MR.min(i0 + mc - r0);
        for i in 0..MR {
            if i >= mr {
                (0..kc).for_each(|p| sliver[p * MR + i] = T::ZERO);
                continue;
            }
            match a.row::<T>(r0 + i) {
                Some(row) => {
                    for (p, &v) in row[p0..p0 + kc].iter().enumerate() {
                        sliver[p * MR + i] = v;
                    }
                }
                // SAFETY: row r0 + i < rows, columns p0 + p < cols.
                None => (0..kc).for_each(|p| sliver[p * MR + i] = unsafe { a.at(r0 + i, p0 + p) }),
            }
        }
    }
}

/// Packs rows `p0..p0 + kc`, columns `j0 + s*NR ..` of B into NR-wide slivers, `first` being the
/// index of the first sliver in `dst`, up to column `j_end` (zero padded).
fn pack_b<T: Elem + Num, const NR: usize>(
    b: &MatRef,
    p0: usize,
    kc: usize,
    (j0, j_end): (usize, usize),
    first: usize,
    dst: &mut [T],
) {
    for (s, sliver) in dst.chunks_exact_mut(NR * kc).enumerate() {
        let c0 = j0 + (first + s) * NR;
        let nr = NR.min(j_end.saturating_sub(c0));
        for (p, out) in sliver.chunks_exact_mut(NR).enumerate() {
            match b.row::<T>(p0 + p) {
                Some(row) => out[..nr].copy_from_slice(&row[c0..c0 + nr]),
                // SAFETY: row p0 + p < rows, columns c0 + j < cols.
                None => (0..nr).for_each(|j| out[j] = unsafe { b.at(p0 + p, c0 + j) }),
            }
            out[nr..].fill(T::ZERO);
        }
    }
}

/// The blocked product with a given tile shape and macro-kernel.
fn run<T: Float, const MR: usize, const NR: usize>(
    a: &MatRef,
    b: &MatRef,
    c: &mut [T],
    threads: usize,
    blocks: Blocks,
    kernel: unsafe fn(&Tile<T>),
) {
    let (m, k, n) = (a.rows, a.cols, b.cols);
    let Blocks {
        kc: kc_max,
        mc: mc_max,
        nc: nc_max,
    } = blocks;
    let panel_cols = nc_max.min(n).div_ceil(NR) * NR;
    let mut packed_b = vec![T::ZERO; kc_max.min(k) * panel_cols];
    let slivers_a = m.div_ceil(MR);
    let c_ptr = SendPtr(c.as_mut_ptr());
    for jc in (0..n).step_by(nc_max) {
        let nc = nc_max.min(n - jc);
        for pc in (0..k).step_by(kc_max) {
            let kc = kc_max.min(k - pc);
            let panel = &mut packed_b[..kc * nc.div_ceil(NR) * NR];
            par_chunks(panel, NR * kc, threads, |first, chunk| {
                pack_b::<T, NR>(b, pc, kc, (jc, jc + nc), first, chunk)
            });
            let panel: &[T] = panel;
            par_ranges(slivers_a, threads, |slivers| {
                let rows = slivers.start * MR..(slivers.end * MR).min(m);
                let mut packed_a = vec![T::ZERO; mc_max.min(rows.len()).div_ceil(MR) * MR * kc];
                for ic in rows.clone().step_by(mc_max) {
                    let mc = mc_max.min(rows.end - ic);
                    pack_a::<T, MR>(a, ic, mc, pc, kc, &mut packed_a);
                    let ptr = c_ptr;
                    let tile = Tile {
                        a: &packed_a,
                        b: panel,
                        mc,
                        nc,
                        kc,
                        c: ptr.0.wrapping_add(ic * n + jc),
                        ldc: n,
                        accumulate: pc > 0,
                    };
                    // SAFETY: the rows `rows` of C belong to this thread alone; the tile covers
                    // rows ic..ic + mc and columns jc..jc + nc of the m x n matrix `c`.
                    unsafe { kernel(&tile) };
                }
            });
        }
    }
}

/// Defines a macro-kernel per instruction set around its micro-kernel: the MR x NR tile of
/// accumulators, one [`row`] update per row written out (`rows`), so that after inlining every
/// index is a constant and the whole tile lives in vector registers.
macro_rules! kernels {
    ($(
        $name:ident: $t:ty, $feat:literal, MR = $mr:literal, NR = $nr:literal, FMA = $fma:literal,
        rows = [$($i:literal)*];
    )*) => {$(
        #[cfg_attr(target_arch = "x86_64", target_feature(enable = $feat))]
        unsafe fn $name(t: &Tile<$t>) {
            #[inline(always)]
            fn micro(kc: usize, a: &[$t], b: &[$t]) -> [[$t; $nr]; $mr] {
                let mut acc = [[<$t as Num>::ZERO; $nr]; $mr];
                let (a, _) = a[..kc * $mr].as_chunks::<$mr>();
                let (b, _) = b[..kc * $nr].as_chunks::<$nr>();
                for (av, bv) in a.iter().zip(b) {
                    $( row::<$t, $nr, $fma>(&mut acc[$i], av[$i], bv); )*
                }
                acc
            }
            // SAFETY: passed on from the caller.
            unsafe { macro_kernel::<$t, $mr, $nr>(t, micro) }
        }
    )*};
}

#[cfg(target_arch = "x86_64")]
kernels! {
    f64_avx512: f64, "avx512f,avx512vl,avx2,fma", MR = 8, NR = 24, FMA = true,
        rows = [0 1 2 3 4 5 6 7];
    f64_avx2: f64, "avx2,fma", MR = 6, NR = 8, FMA = true, rows = [0 1 2 3 4 5];
    f32_avx512: f32, "avx512f,avx512vl,avx2,fma", MR = 8, NR = 48, FMA = true,
        rows = [0 1 2 3 4 5 6 7];
    f32_avx2: f32, "avx2,fma", MR = 6, NR = 16, FMA = true, rows = [0 1 2 3 4 5];
}

kernels! {
    f64_base: f64, "sse2", MR = 4, NR = 4, FMA = false, rows = [0 1 2 3];
    f32_base: f32, "sse2", MR = 4, NR = 8, FMA = false, rows = [0 1 2 3];
}

/// Block sizes per kernel: the B sliver (KC x NR) fits L1 beside streaming A, the A block
/// (MC x KC) fits L2, the B panel (KC x NC) fits L3.
const AVX512: Blocks = Blocks {
    kc: 128,
    mc: 192,
    nc: 3072,
};
const AVX2: Blocks = Blocks {
    kc: 256,
    mc: 120,
    nc: 4096,
};
const BASE: Blocks = Blocks {
    kc: 256,
    mc: 128,
    nc: 4096,
};

/// `c = a b` for f64 (`c` row-major, all dims > 0).
pub(crate) fn gemm_f64(a: &MatRef, b: &MatRef, c: &mut [f64], threads: usize) {
    match isa() {
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 => run::<f64, 8, 24>(a, b, c, threads, AVX512, f64_avx512),
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => run::<f64, 6, 8>(a, b, c, threads, AVX2, f64_avx2),
        _ => run::<f64, 4, 4>(a, b, c, threads, BASE, f64_base),
    }
}

/// `c = a b` for f32 (`c` row-major, all dims > 0).
pub(crate) fn gemm_f32(a: &MatRef, b: &MatRef, c: &mut [f32], threads: usize) {
    match isa() {
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 => run::<f32, 8, 48>(a, b, c, threads, AVX512, f32_avx512),
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => run::<f32, 6, 16>(a, b, c, threads, AVX2, f32_avx2),
        _ => run::<f32, 4, 8>(a, b, c, threads, BASE, f32_base),
    }
}
