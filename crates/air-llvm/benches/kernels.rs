//! `cargo bench -p air-llvm`: the kernels of DESIGN.md §8 through the JIT, single-threaded and on
//! all cores, against the interpreter and against a STREAM-like triad measured in this process;
//! prints one table (`bench/README.md` explains how to read it).
//!
//! Method (`docs/notes/benchmarking.md`): every timed call starts with cold caches (a
//! 512 MiB read in between); the 1-thread and all-core calls alternate, 7 repetitions each
//! (min/median/max); results are written into pre-allocated tensors (`call_into`), so allocation
//! of outputs is not measured; freed memory stays in the process (glibc `mallopt`, the same as
//! `MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=...`) unless `AIR_BENCH_MALLOC=default`.
//! A first argument that is not a flag keeps only the kernels whose name contains it.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use air_llvm::{compile, CompileTimes, CompiledModule, Options};
use air_value::Tensor;

/// Timed repetitions of each compiled call, and of each compilation.
const REPS: usize = 7;

fn main() {
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let alloc = configure_malloc();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let flusher = Flusher::new(512 << 20);
    println!("AIR kernels through the LLVM JIT (air-llvm), {cores} cores");
    println!("allocator: {alloc}; outputs pre-allocated (call_into)");
    println!("each timed call follows a 512 MiB read (cold caches); {REPS} reps, 1 thread and all cores alternating");
    let triad = Triad::measure(&flusher, cores);
    println!(
        "triad probe (a = b + s*c, 3 x 10M f64, 24 B/element): 1 thread {:.1} GB/s (best {:.1}), {cores} threads {:.1} GB/s (best {:.1})",
        triad.one.0, triad.one.1, triad.all.0, triad.all.1
    );
    let mut rows = Vec::new();
    for k in kernels() {
        if filter
            .as_ref()
            .is_some_and(|f| !k.name.contains(f.as_str()))
        {
            continue;
        }
        eprintln!("  running {} ...", k.name);
        match run_kernel(&k, &flusher) {
            Ok(r) => rows.push((k, r)),
            Err(e) => println!("{}: FAILED: {e}", k.name),
        }
    }
    print_table(&rows, &triad, cores);
    match call_overhead() {
        Ok(line) => println!("{line}"),
        Err(e) => println!("call overhead: FAILED: {e}"),
    }
}

/// The cost of one call on a tiny array (`a + b`, 8 elements), compiled and interpreted: the
/// best of 10 batches of 10,000 calls.
fn call_overhead() -> Result<String, String> {
    let text = module(
        "(%a: f64[n], %b: f64[n]) -> (%y: f64[n])",
        "  %y = add (%a, %b) : f64[n]\n  return %y",
    );
    let m = air_ir::text::parse(&text, "tiny.air").map_err(|d| d.to_string())?;
    let c = compile_kernel(&m, 0)?;
    let inputs = vec![
        input("a", &[8], 30, -1.0, 1.0),
        input("b", &[8], 31, -1.0, 1.0),
    ];
    let mut out = vec![zeros(&[8])];
    let per_call = |f: &mut dyn FnMut() -> Result<(), String>| -> Result<f64, String> {
        let mut best = f64::MAX;
        for _ in 0..10 {
            let t = Instant::now();
            for _ in 0..10_000 {
                f()?;
            }
            best = best.min(t.elapsed().as_secs_f64() / 10_000.0);
        }
        Ok(best * 1e9)
    };
    let llvm = per_call(&mut || {
        c.call_into("k", &inputs, &mut out)
            .map(|_| ())
            .map_err(|e| e.to_string())
    })?;
    let interp = per_call(&mut || {
        air_interp::run(&m, "k", &inputs)
            .map(|_| ())
            .map_err(|e| e.to_string())
    })?;
    Ok(format!(
        "call overhead (a + b on 8 f64, best of 10 x 10,000 calls): llvm call_into {llvm:.0} ns, interp {interp:.0} ns"
    ))
}

/// What limits a kernel: memory traffic (its fraction of the triad bandwidth is shown),
/// arithmetic, or the exponential.
#[derive(Clone, Copy, PartialEq)]
enum Bound {
    Memory,
    Flops,
    Exp,
}

/// One benchmark kernel: an AIR module, its inputs, and what one call moves and computes.
struct Kernel {
    name: &'static str,
    size: &'static str,
    text: String,
    inputs: Vec<(String, Tensor)>,
    /// Shapes of the f64 results.
    results: Vec<Vec<usize>>,
    /// Minimal memory traffic of one call (inputs read once, results written once).
    bytes: f64,
    /// Floating-point operations of one call (matrix products).
    flops: f64,
    bound: Bound,
    /// Timed interpreter runs (slow cases get fewer).
    interp_reps: usize,
    /// Relative tolerance against the interpreter.
    tol: f64,
}

/// Deterministic pseudo-random f64s in `[lo, hi)`.
fn random(n: usize, seed: u64, lo: f64, hi: f64) -> Vec<f64> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            lo + (hi - lo) * ((s >> 11) as f64 / (1u64 << 53) as f64)
        })
        .collect()
}

fn input(name: &str, shape: &[usize], seed: u64, lo: f64, hi: f64) -> (String, Tensor) {
    let n = shape.iter().product();
    let t = Tensor::from_vec(shape, random(n, seed, lo, hi)).expect("shape matches");
    (name.to_string(), t)
}

fn module(sig: &str, body: &str) -> String {
    format!("air 1 opset 1\nfunc @k{sig} {{\n{body}\n}}\n")
}

fn kernels() -> Vec<Kernel> {
    const N: usize = 10_000_000;
    const E: f64 = 8.0;
    let vec = |name, seed| input(name, &[N], seed, -3.0, 3.0);
    let matmul = |n: usize, name, size, reps| Kernel {
        name,
        size,
        text: module(
            "(%a: f64[n, k], %b: f64[k, m]) -> (%c: f64[n, m])",
            "  %c = matmul (%a, %b) : f64[n, m]\n  return %c",
        ),
        inputs: vec![
            input("a", &[n, n], 5, -1.0, 1.0),
            input("b", &[n, n], 6, -1.0, 1.0),
        ],
        results: vec![vec![n, n]],
        bytes: 3.0 * (n * n) as f64 * E,
        flops: 2.0 * (n as f64).powi(3),
        bound: Bound::Flops,
        interp_reps: reps,
        tol: 1e-10,
    };
    let rows = 2000;
    vec![
        Kernel {
            name: "fused a*b+sin(c)*exp(-a)",
            size: "10M",
            text: module(
                "(%a: f64[n], %b: f64[n], %c: f64[n]) -> (%y: f64[n])",
                "  %ab = mul (%a, %b) : f64[n]
  %s = sin (%c) : f64[n]
  %na = neg (%a) : f64[n]
  %e = exp (%na) : f64[n]
  %se = mul (%s, %e) : f64[n]
  %y = add (%ab, %se) : f64[n]
  return %y",
            ),
            inputs: vec![vec("a", 1), vec("b", 2), vec("c", 3)],
            results: vec![vec![N]],
            bytes: 4.0 * N as f64 * E,
            flops: 0.0,
            bound: Bound::Memory,
            interp_reps: 3,
            tol: 1e-13,
        },
        Kernel {
            name: "matvec einsum ij,j->i",
            size: "4000²",
            text: module(
                "(%A: f64[n, m], %x: f64[m]) -> (%y: f64[n])",
                "  %y = einsum {spec = \"ij,j->i\"} (%A, %x) : f64[n]\n  return %y",
            ),
            inputs: vec![
                input("A", &[4000, 4000], 7, -1.0, 1.0),
                input("x", &[4000], 8, -1.0, 1.0),
            ],
            results: vec![vec![4000]],
            bytes: (4000.0 * 4000.0 + 8000.0) * E,
            flops: 0.0,
            bound: Bound::Memory,
            interp_reps: 3,
            tol: 1e-10,
        },
        Kernel {
            name: "matvec sum(A*x, 1)",
            size: "4000²",
            text: module(
                "(%A: f64[n, m], %x: f64[m]) -> (%y: f64[n])",
                "  %xb = broadcast {shape = [n, m], dims = [1]} (%x) : f64[n, m]
  %p = mul (%A, %xb) : f64[n, m]
  %y = reduce_sum {axes = [1]} (%p) : f64[n]
  return %y",
            ),
            inputs: vec![
                input("A", &[4000, 4000], 7, -1.0, 1.0),
                input("x", &[4000], 8, -1.0, 1.0),
            ],
            results: vec![vec![4000]],
            bytes: (4000.0 * 4000.0 + 8000.0) * E,
            flops: 0.0,
            bound: Bound::Memory,
            interp_reps: 3,
            tol: 1e-10,
        },
        matmul(512, "matmul", "512³", 3),
        matmul(1024, "matmul", "1024³", 1),
        Kernel {
            name: "softmax rows",
            size: "2000²",
            text: module(
                "(%x: f64[n, m]) -> (%y: f64[n, m])",
                "  %mx = reduce_max {axes = [1], keepdims = true} (%x) : f64[n, 1]
  %mxb = broadcast {shape = [n, m], dims = [0, 1]} (%mx) : f64[n, m]
  %sh = sub (%x, %mxb) : f64[n, m]
  %ex = exp (%sh) : f64[n, m]
  %den = reduce_sum {axes = [1], keepdims = true} (%ex) : f64[n, 1]
  %denb = broadcast {shape = [n, m], dims = [0, 1]} (%den) : f64[n, m]
  %y = div (%ex, %denb) : f64[n, m]
  return %y",
            ),
            inputs: vec![input("x", &[rows, rows], 9, -5.0, 5.0)],
            results: vec![vec![rows, rows]],
            bytes: 2.0 * (rows * rows) as f64 * E,
            flops: 0.0,
            bound: Bound::Exp,
            interp_reps: 3,
            tol: 1e-12,
        },
        Kernel {
            name: "logsumexp rows",
            size: "2000²",
            text: module(
                "(%x: f64[n, m]) -> (%y: f64[n])",
                "  %mx = reduce_max {axes = [1]} (%x) : f64[n]
  %mxb = broadcast {shape = [n, m], dims = [0]} (%mx) : f64[n, m]
  %sh = sub (%x, %mxb) : f64[n, m]
  %ex = exp (%sh) : f64[n, m]
  %s = reduce_sum {axes = [1]} (%ex) : f64[n]
  %l = log (%s) : f64[n]
  %y = add (%l, %mx) : f64[n]
  return %y",
            ),
            inputs: vec![input("x", &[rows, rows], 10, -5.0, 5.0)],
            results: vec![vec![rows]],
            bytes: (rows * rows) as f64 * E,
            flops: 0.0,
            bound: Bound::Exp,
            interp_reps: 3,
            tol: 1e-12,
        },
        Kernel {
            name: "sum of squares",
            size: "10M",
            text: module(
                "(%x: f64[n]) -> (%y: f64)",
                "  %q = mul (%x, %x) : f64[n]\n  %y = reduce_sum {axes = [0]} (%q) : f64\n  return %y",
            ),
            inputs: vec![vec("x", 4)],
            results: vec![vec![]],
            bytes: N as f64 * E,
            flops: 0.0,
            bound: Bound::Memory,
            interp_reps: 3,
            tol: 1e-9,
        },
        Kernel {
            name: "horner degree 8",
            size: "10M",
            text: horner_module(&[0.5, -1.25, 0.75, 2.0, -0.5, 0.125, -0.0625, 0.03125, 0.01]),
            inputs: vec![input("x", &[N], 11, -1.0, 1.0)],
            results: vec![vec![N]],
            bytes: 2.0 * N as f64 * E,
            flops: 0.0,
            bound: Bound::Memory,
            interp_reps: 3,
            tol: 1e-12,
        },
    ]
}

/// `((c8*x + c7)*x + ...)*x + c0` with scalar constants broadcast by the binary ops.
fn horner_module(coefs: &[f64]) -> String {
    let mut body = String::new();
    let last = coefs.len() - 1;
    for (k, c) in coefs.iter().enumerate() {
        body.push_str(&format!(
            "  %c{k} = constant {{value = f64 {c:?}}} () : f64\n"
        ));
    }
    body.push_str(&format!(
        "  %cb{last} = broadcast {{shape = [n], dims = []}} (%c{last}) : f64[n]\n"
    ));
    let mut acc = format!("%cb{last}");
    for k in (0..last).rev() {
        body.push_str(&format!("  %m{k} = mul ({acc}, %x) : f64[n]\n"));
        body.push_str(&format!(
            "  %cb{k} = broadcast {{shape = [n], dims = []}} (%c{k}) : f64[n]\n"
        ));
        body.push_str(&format!("  %h{k} = add (%m{k}, %cb{k}) : f64[n]\n"));
        acc = format!("%h{k}");
    }
    body.push_str(&format!("  return {acc}"));
    module("(%x: f64[n]) -> (%y: f64[n])", &body)
}

/// Reads a buffer larger than the last-level cache, so the next call starts cold.
struct Flusher(Vec<u64>);

impl Flusher {
    fn new(bytes: usize) -> Flusher {
        Flusher((0..bytes / 8).map(|i| i as u64).collect())
    }

    fn flush(&self) {
        black_box(self.0.iter().fold(0u64, |a, &x| a.wrapping_add(x)));
    }
}

/// min, median, max.
fn stats(v: &[Duration]) -> (f64, f64, f64) {
    let mut ms: Vec<f64> = v.iter().map(|d| d.as_secs_f64() * 1e3).collect();
    ms.sort_by(f64::total_cmp);
    (ms[0], ms[ms.len() / 2], ms[ms.len() - 1])
}

/// The triad bandwidth, 1 thread and all cores, in GB/s: (median, best).
struct Triad {
    one: (f64, f64),
    all: (f64, f64),
}

impl Triad {
    fn measure(flusher: &Flusher, cores: usize) -> Triad {
        const N: usize = 10_000_000;
        let b = random(N, 21, -1.0, 1.0);
        let c = random(N, 22, -1.0, 1.0);
        let mut a = vec![0.0f64; N];
        let s = black_box(3.0);
        let (mut one, mut all) = (Vec::new(), Vec::new());
        triad(&mut a, &b, &c, s, 1);
        triad(&mut a, &b, &c, s, cores);
        for _ in 0..REPS {
            flusher.flush();
            let t = Instant::now();
            triad(&mut a, &b, &c, s, 1);
            one.push(t.elapsed());
            flusher.flush();
            let t = Instant::now();
            triad(&mut a, &b, &c, s, cores);
            all.push(t.elapsed());
        }
        black_box(&a);
        let gbs = |v: &[Duration]| {
            let (min, med, _) = stats(v);
            let bytes = 24.0 * N as f64;
            (bytes / med / 1e6, bytes / min / 1e6)
        };
        Triad {
            one: gbs(&one),
            all: gbs(&all),
        }
    }
}

/// `a = b + s*c` split over `threads` scoped threads (the first chunk on this thread).
fn triad(a: &mut [f64], b: &[f64], c: &[f64], s: f64, threads: usize) {
    let chunk = a.len().div_ceil(threads.max(1));
    let kernel = |a: &mut [f64], b: &[f64], c: &[f64]| {
        for ((x, &y), &z) in a.iter_mut().zip(b).zip(c) {
            *x = y + s * z;
        }
    };
    std::thread::scope(|sc| {
        let mut parts = a
            .chunks_mut(chunk)
            .zip(b.chunks(chunk).zip(c.chunks(chunk)));
        let first = parts.next();
        for (a, (b, c)) in parts {
            sc.spawn(move || kernel(a, b, c));
        }
        if let Some((a, (b, c))) = first {
            kernel(a, b, c);
        }
    });
}

/// The measurements of one kernel.
struct Measured {
    one: Vec<Duration>,
    all: Vec<Duration>,
    interp: Vec<Duration>,
    compile: Vec<Duration>,
    stages: CompileTimes,
}

fn compile_kernel(m: &air_ir::Module, threads: usize) -> Result<CompiledModule, String> {
    let options = Options {
        threads,
        ..Options::default()
    };
    compile(m, &options).map_err(|d| d.to_string())
}

fn run_kernel(k: &Kernel, flusher: &Flusher) -> Result<Measured, String> {
    let m = air_ir::text::parse(&k.text, "bench.air").map_err(|d| d.to_string())?;
    // Compile latency: the all-core module (the default options), compiled REPS times.
    let mut compile = Vec::new();
    let mut best: Option<CompileTimes> = None;
    let mut all_cores = None;
    for _ in 0..REPS {
        let t = Instant::now();
        let c = compile_kernel(&m, 0)?;
        compile.push(t.elapsed());
        let times = c.compile_times();
        if best.is_none_or(|b| times.total() < b.total()) {
            best = Some(times);
        }
        all_cores = Some(c);
    }
    let all_cores = all_cores.ok_or("no compilation")?;
    let one_thread = compile_kernel(&m, 1)?;
    let mut out_one: Vec<Tensor> = k.results.iter().map(|s| zeros(s)).collect();
    let mut out_all: Vec<Tensor> = k.results.iter().map(|s| zeros(s)).collect();
    let call = |c: &CompiledModule, out: &mut [Tensor]| -> Result<Duration, String> {
        flusher.flush();
        let t = Instant::now();
        c.call_into("k", &k.inputs, out)
            .map_err(|e| e.to_string())?;
        Ok(t.elapsed())
    };
    call(&one_thread, &mut out_one)?;
    call(&all_cores, &mut out_all)?;
    let (mut one, mut all) = (Vec::new(), Vec::new());
    for _ in 0..REPS {
        one.push(call(&one_thread, &mut out_one)?);
        all.push(call(&all_cores, &mut out_all)?);
    }
    let mut interp = Vec::new();
    for rep in 0..k.interp_reps {
        flusher.flush();
        let t = Instant::now();
        let want = air_interp::run(&m, "k", &k.inputs).map_err(|e| e.to_string())?;
        interp.push(t.elapsed());
        if rep == 0 {
            for (got, (_, w)) in out_one.iter().chain(&out_all).zip(want.iter().cycle()) {
                air_value::check_close(got, w, k.tol, k.tol)
                    .map_err(|e| format!("differs from the interpreter: {e}"))?;
            }
        }
    }
    Ok(Measured {
        one,
        all,
        interp,
        compile,
        stages: best.unwrap_or_default(),
    })
}

fn zeros(shape: &[usize]) -> Tensor {
    Tensor::zeros(air_ir::DType::F64, shape)
}

fn print_table(rows: &[(Kernel, Measured)], triad: &Triad, cores: usize) {
    println!();
    println!(
        "{:<26} {:>6} {:>4} | {:>8} {:>8} {:>8} | {:>9} | {:>14} | {:>8} | {:>9} | {:>13}",
        "kernel",
        "size",
        "thr",
        "min ms",
        "med ms",
        "max ms",
        "interp ms",
        "rate (median)",
        "of triad",
        "vs interp",
        "compile ms"
    );
    println!("{}", "-".repeat(140));
    for (k, r) in rows {
        let interp_med = (!r.interp.is_empty()).then(|| stats(&r.interp).1);
        let (cmin, cmed, _) = stats(&r.compile);
        for (label, times, bw) in [
            ("1", &r.one, triad.one.0),
            (&*cores.to_string(), &r.all, triad.all.0),
        ] {
            let (min, med, max) = stats(times);
            let first = label == "1";
            let rate = if k.bound == Bound::Flops {
                format!("{:.1} GFLOP/s", k.flops / med / 1e6)
            } else {
                format!("{:.1} GB/s", k.bytes / med / 1e6)
            };
            let frac = if k.bound == Bound::Memory {
                format!("{:.0}%", 100.0 * k.bytes / med / 1e6 / bw)
            } else {
                "-".into()
            };
            let interp = match (first, interp_med) {
                (true, Some(i)) => format!("{i:.1}"),
                _ => String::new(),
            };
            let speedup = interp_med.map_or(String::new(), |i| format!("{:.1}x", i / med));
            let compile = if first {
                format!("{cmin:.1} / {cmed:.1}")
            } else {
                String::new()
            };
            println!(
                "{:<26} {:>6} {:>4} | {:>8.2} {:>8.2} {:>8.2} | {:>9} | {:>14} | {:>8} | {:>9} | {:>13}",
                if first { k.name } else { "" },
                if first { k.size } else { "" },
                label,
                min,
                med,
                max,
                interp,
                rate,
                frac,
                speedup,
                compile
            );
        }
    }
    println!();
    println!("compile ms = module -> callable, min / median of {REPS}; best run by stage:");
    for (k, r) in rows {
        let s = r.stages;
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        println!(
            "  {:<26} {:>6}: codegen {:.1}, optimise {:.1}, machine code {:.1} (total {:.1})",
            k.name,
            k.size,
            ms(s.codegen),
            ms(s.optimize),
            ms(s.jit),
            ms(s.total())
        );
    }
}

/// Keeps freed memory in the process (so large buffers are not faulted in again on every call),
/// unless `AIR_BENCH_MALLOC=default`; says which settings are in force.
fn configure_malloc() -> String {
    if std::env::var("AIR_BENCH_MALLOC").is_ok_and(|v| v == "default") {
        return "glibc malloc, default settings (AIR_BENCH_MALLOC=default)".into();
    }
    let env = |k: &str| std::env::var(k).ok();
    if let (Some(m), Some(t)) = (env("MALLOC_MMAP_MAX_"), env("MALLOC_TRIM_THRESHOLD_")) {
        return format!(
            "glibc malloc from the environment: MALLOC_MMAP_MAX_={m} MALLOC_TRIM_THRESHOLD_={t}"
        );
    }
    // SAFETY: mallopt only changes glibc's allocator parameters; called before any threads.
    #[allow(unsafe_code)]
    let ok = unsafe {
        libc::mallopt(libc::M_MMAP_MAX, 0) == 1
            && libc::mallopt(libc::M_TRIM_THRESHOLD, i32::MAX) == 1
    };
    if ok {
        "glibc malloc with mallopt(M_MMAP_MAX=0, M_TRIM_THRESHOLD=2^31-1), as MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=2147483647".into()
    } else {
        "glibc malloc, default settings (mallopt failed)".into()
    }
}
