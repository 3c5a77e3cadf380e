//! `air_rt_matmul` against a naive triple loop: odd sizes across the blocking boundaries,
//! transposed and reversed operands, batch broadcasting, threads, and integer wrapping.

#![allow(unsafe_code)] // the tests call the C ABI

mod common;

use air_ir::DType;
use air_value::Tensor;
use common::*;

/// `a @ b` for C-ordered f64 data with batch dims broadcast, computed the obvious way.
fn naive(a: &[f64], sa: &[usize], b: &[f64], sb: &[usize]) -> (Vec<f64>, Vec<usize>) {
    let (m, k) = (sa[sa.len() - 2], sa[sa.len() - 1]);
    let n = sb[sb.len() - 1];
    let (ba, bb) = (&sa[..sa.len() - 2], &sb[..sb.len() - 2]);
    let r = ba.len().max(bb.len());
    let pad = |s: &[usize]| [vec![1; r - s.len()], s.to_vec()].concat();
    let (pa, pb) = (pad(ba), pad(bb));
    let batch: Vec<usize> = pa.iter().zip(&pb).map(|(&x, &y)| x.max(y)).collect();
    let mut out = Vec::new();
    for idx in indices(&batch) {
        let flat = |p: &[usize]| {
            idx.iter()
                .zip(p)
                .fold(0, |acc, (&i, &n)| acc * n + if n == 1 { 0 } else { i })
        };
        let (oa, ob) = (flat(&pa) * m * k, flat(&pb) * k * n);
        for i in 0..m {
            for j in 0..n {
                out.push((0..k).map(|p| a[oa + i * k + p] * b[ob + p * n + j]).sum());
            }
        }
    }
    let mut shape = batch;
    shape.extend([m, n]);
    (out, shape)
}

fn f64s(t: &Tensor) -> Vec<f64> {
    t.to_c128_vec().iter().map(|c| c.re).collect()
}

fn check(sa: &[usize], sb: &[usize], la: Layout, lb: Layout, threads: i64, dtype: DType) {
    let mut rng = Rng(sa.iter().chain(sb).product::<usize>() as u64 + 17);
    let layout_values = |t: Tensor, l: Layout| match l {
        Layout::Broadcast(axis) => repeat_along(&t, axis),
        Layout::C | Layout::F | Layout::Reversed | Layout::Strided => t,
    };
    let a = layout_values(random(&mut rng, dtype, sa, false), la);
    let b = layout_values(random(&mut rng, dtype, sb, false), lb);
    let (want, shape) = naive(&f64s(&a), sa, &f64s(&b), sb);
    let got = run_rt(
        air_rt::air_rt_matmul,
        &[a, b],
        &[la, lb],
        &[threads],
        dtype,
        shape.len(),
    )
    .unwrap_or_else(|e| panic!("{sa:?} @ {sb:?}: {e:?}"));
    assert_eq!(got.shape(), shape.as_slice());
    let rtol = if dtype == DType::F32 { 1e-4 } else { 1e-12 };
    for (i, (g, w)) in f64s(&got).iter().zip(&want).enumerate() {
        assert!(
            (g - w).abs() <= rtol * (1.0 + w.abs()),
            "{dtype} {sa:?} @ {sb:?} {la:?}/{lb:?} threads {threads}: element {i}: {g} vs {w}"
        );
    }
}

#[test]
fn odd_sizes_match_a_naive_product() {
    let sizes = [1usize, 7, 33, 130];
    for &m in &sizes {
        for &k in &sizes {
            for &n in &sizes {
                check(&[m, k], &[k, n], Layout::C, Layout::C, 1, DType::F64);
            }
        }
    }
}

#[test]
fn large_products_cross_every_block_boundary() {
    // 300 > MC and KC of every kernel; 130 and 257 leave partial tiles in both directions.
    for (m, k, n) in [(300, 257, 130), (130, 300, 257)] {
        for threads in [1, 3] {
            check(&[m, k], &[k, n], Layout::C, Layout::C, threads, DType::F64);
            check(
                &[m, k],
                &[k, n],
                Layout::F,
                Layout::Reversed,
                threads,
                DType::F32,
            );
        }
    }
}

#[test]
fn transposed_and_strided_operands() {
    for la in [Layout::C, Layout::F, Layout::Reversed, Layout::Strided] {
        for lb in [Layout::C, Layout::F, Layout::Reversed, Layout::Strided] {
            for dtype in [DType::F64, DType::F32] {
                check(&[33, 130], &[130, 7], la, lb, 2, dtype);
                check(&[70, 33], &[33, 65], la, lb, 2, dtype);
            }
        }
    }
}

#[test]
fn batches_broadcast() {
    let cases: &[(&[usize], &[usize])] = &[
        (&[3, 33, 7], &[7, 40]),
        (&[2, 1, 40, 33], &[5, 33, 7]),
        (&[1, 7, 33], &[4, 33, 130]),
    ];
    for &(sa, sb) in cases {
        for threads in [1, 4] {
            check(sa, sb, Layout::C, Layout::F, threads, DType::F64);
            check(sa, sb, Layout::Broadcast(0), Layout::C, threads, DType::F64);
        }
    }
}

#[test]
fn integer_products_wrap() {
    // i8: 100 * 100 * 3 = 30000 wraps to 30000 mod 256 = 48 as a signed byte.
    let a = Tensor::from_vec(&[1, 3], vec![100i8; 3]).unwrap();
    let b = Tensor::from_vec(&[3, 1], vec![100i8; 3]).unwrap();
    let got = run_rt(
        air_rt::air_rt_matmul,
        &[a, b],
        &[Layout::C, Layout::C],
        &[1],
        DType::I8,
        2,
    )
    .unwrap();
    assert_eq!(got, Tensor::from_vec(&[1, 1], vec![48i8]).unwrap());
    // Larger integer products match the naive loop exactly (values are small).
    for dtype in [DType::I64, DType::I32, DType::I16] {
        check(&[33, 40], &[40, 7], Layout::F, Layout::C, 2, dtype);
    }
}

#[test]
fn misaligned_operands_and_results() {
    // f64 data one byte off its alignment: read and written without undefined behaviour.
    let (m, k, n) = (9usize, 40usize, 11usize);
    let a: Vec<f64> = (0..m * k).map(|i| (i % 7) as f64 - 3.0).collect();
    let b: Vec<f64> = (0..k * n).map(|i| (i % 5) as f64 - 2.0).collect();
    let (want, _) = naive(&a, &[m, k], &b, &[k, n]);
    let bytes = |v: &[f64]| {
        let mut raw = vec![0u8; v.len() * 8 + 1];
        for (i, x) in v.iter().enumerate() {
            raw[1 + i * 8..9 + i * 8].copy_from_slice(&x.to_le_bytes());
        }
        raw
    };
    let (mut ra, mut rb, mut rc) = (bytes(&a), bytes(&b), vec![0u8; m * n * 8 + 1]);
    let (mut sa, mut sb, mut sc) = (
        [m as i64, k as i64],
        [k as i64, n as i64],
        [m as i64, n as i64],
    );
    let (mut ta, mut tb, mut tc) = ([8 * k as i64, 8], [8 * n as i64, 8], [8 * n as i64, 8]);
    let desc = |raw: &mut Vec<u8>, s: &mut [i64; 2], t: &mut [i64; 2]| air_rt::abi::AirTensor {
        data: raw.as_mut_ptr().wrapping_add(1),
        shape: s.as_mut_ptr(),
        strides: t.as_mut_ptr(),
        rank: 2,
        dtype: air_rt::abi::dtype_code(DType::F64),
    };
    let ins = [
        desc(&mut ra, &mut sa, &mut ta),
        desc(&mut rb, &mut sb, &mut tb),
    ];
    let mut out = desc(&mut rc, &mut sc, &mut tc);
    let mut err = air_rt::abi::AirError::default();
    // SAFETY: every descriptor addresses its byte vector.
    let rc_code =
        unsafe { air_rt::air_rt_matmul(ins.as_ptr(), 2, &mut out, [1i64].as_ptr(), 1, &mut err) };
    assert_eq!(rc_code, 0, "{}", err.text());
    let got: Vec<f64> = (0..m * n)
        .map(|i| f64::from_le_bytes(rc[1 + i * 8..9 + i * 8].try_into().unwrap()))
        .collect();
    assert_eq!(got, want);
}
