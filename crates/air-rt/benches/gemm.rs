//! GEMM, einsum and matrix-vector timing straight through the runtime's C ABI (`air_rt_matmul`,
//! `air_rt_einsum`): `cargo bench -p air-rt` runs both parts, `cargo bench -p air-rt -- gemm` (or
//! `einsum`) one. It prints times and asserts nothing.

#![allow(unsafe_code)] // the bench calls the C ABI

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use air_ir::DType;
use common::{call, place, random, Layout, Rng, RtOp};

/// Sorted times of `reps` calls of `op` on random inputs of `shapes` into a caller's buffer.
fn time_op(
    op: RtOp,
    shapes: &[&[usize]],
    attrs: &[i64],
    dtype: DType,
    out_shape: &[usize],
    reps: usize,
) -> Vec<f64> {
    let mut rng = Rng(42);
    let mut ins: Vec<_> = shapes
        .iter()
        .map(|s| place(&random(&mut rng, dtype, s, false), Layout::C))
        .collect();
    let mut target = place(&air_value::Tensor::zeros(dtype, out_shape), Layout::C);
    let mut desc = target.desc();
    let mut secs = Vec::new();
    for _ in 0..reps {
        let t = Instant::now();
        call(op, &mut ins, attrs, &mut desc).expect("op");
        secs.push(t.elapsed().as_secs_f64());
    }
    secs.sort_by(f64::total_cmp);
    secs
}

fn time_matmul(dtype: DType, n: usize, threads: i64, reps: usize) -> Vec<f64> {
    time_op(
        air_rt::air_rt_matmul,
        &[&[n, n], &[n, n]],
        &[threads],
        dtype,
        &[n, n],
        reps,
    )
}

fn einsum_attrs(spec: &str, threads: i64) -> Vec<i64> {
    let (lhs, out) = spec.split_once("->").expect("->");
    let terms: Vec<&str> = lhs.split(',').collect();
    let mut attrs = vec![threads, terms.len() as i64];
    for t in terms.iter().chain([&out]) {
        attrs.push(t.len() as i64);
        attrs.extend(t.bytes().map(i64::from));
    }
    attrs
}

fn main() {
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let skip = |name: &str| filter.as_ref().is_some_and(|f| !name.contains(f.as_str()));
    if !skip("einsum") {
        einsum_and_matvec_times();
    }
    if !skip("gemm") {
        gemm_gflops();
    }
}

fn einsum_and_matvec_times() {
    let ms = |s: &[f64]| {
        format!(
            "{:.2} / {:.2} / {:.2} ms",
            s[0] * 1e3,
            s[s.len() / 2] * 1e3,
            s[s.len() - 1] * 1e3
        )
    };
    for spec in ["ij,jk->ik", "ji,kj->ki", "bij,bjk->bik"] {
        let shapes: Vec<&[usize]> = if spec.starts_with('b') {
            vec![&[8, 256, 256], &[8, 256, 256]]
        } else {
            vec![&[512, 512], &[512, 512]]
        };
        let out: &[usize] = if spec.starts_with('b') {
            &[8, 256, 256]
        } else {
            &[512, 512]
        };
        let s = time_op(
            air_rt::air_rt_einsum,
            &shapes,
            &einsum_attrs(spec, 1),
            DType::F64,
            out,
            7,
        );
        println!(
            "einsum {spec} f64 (2*512^3 flops), 1 thread: min / median / max {}",
            ms(&s)
        );
    }
    let s = time_op(
        air_rt::air_rt_matmul,
        &[&[4000, 4000], &[4000]],
        &[1],
        DType::F64,
        &[4000],
        7,
    );
    println!("matvec 4000^2 f64, 1 thread: min / median / max {}", ms(&s));
    let s = time_op(
        air_rt::air_rt_einsum,
        &[&[4000, 4000], &[4000]],
        &einsum_attrs("ij,j->i", 0),
        DType::F64,
        &[4000],
        7,
    );
    println!(
        "einsum ij,j->i 4000^2 f64, all threads: min / median / max {}",
        ms(&s)
    );
}

fn gemm_gflops() {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("GEMM through air_rt_matmul, {cores} cores; GFLOP/s min / median / max of 7");
    for dtype in [DType::F64, DType::F32] {
        for n in [512usize, 1024] {
            for threads in [1i64, 0] {
                let s = time_matmul(dtype, n, threads, 7);
                let flops = 2.0 * (n as f64).powi(3);
                let g = |t: f64| flops / t / 1e9;
                println!(
                    "{dtype} {n}^3 threads={}: {:.1} / {:.1} / {:.1} GFLOP/s",
                    if threads == 0 { cores as i64 } else { threads },
                    g(s[s.len() - 1]),
                    g(s[s.len() / 2]),
                    g(s[0]),
                );
            }
        }
    }
}
