//! GEMM timing through `air_rt_matmul` (ignored by default; run with
//! `cargo test --release -p air-rt --test bench_gemm -- --ignored --nocapture`).

#![allow(unsafe_code)] // the tests call the C ABI

mod common;

use std::time::Instant;

use air_ir::DType;
use common::{call, place, random, Layout, OutSlot, Rng};

fn time_matmul(dtype: DType, n: usize, threads: i64, reps: usize) -> Vec<f64> {
    let mut rng = Rng(42);
    let a = random(&mut rng, dtype, &[n, n], false);
    let b = random(&mut rng, dtype, &[n, n], false);
    let mut ins = vec![place(&a, Layout::C), place(&b, Layout::C)];
    let mut result = vec![0u64; n * n];
    let mut out = OutSlot::new(dtype, 2);
    out.shape = vec![n as i64, n as i64];
    let es = dtype.size_bytes() as i64;
    out.strides = vec![n as i64 * es, es];
    out.desc.shape = out.shape.as_mut_ptr();
    out.desc.strides = out.strides.as_mut_ptr();
    out.desc.data = result.as_mut_ptr() as *mut u8;
    let mut secs = Vec::new();
    for _ in 0..reps {
        let t = Instant::now();
        call(air_rt::air_rt_matmul, &mut ins, &[threads], &mut out.desc).expect("matmul");
        secs.push(t.elapsed().as_secs_f64());
    }
    out.desc.data = std::ptr::null_mut();
    secs.sort_by(f64::total_cmp);
    secs
}

#[test]
#[ignore]
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
