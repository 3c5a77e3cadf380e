//! The seeded smoke fuzzer of the checks in `air_fuzz`, for machines without `cargo fuzz`.
//!
//! Seeds are the repository's modules (`conformance/cases/**/case.air`, `docs/examples/**/*.air`),
//! in all three forms; each iteration picks one, mutates it (bit flips, byte changes, insertions,
//! deletions, truncations, duplicated chunks, a changed number) or keeps it, and runs every
//! check on it; `.npz` checks get the encoded zero inputs of the module, mutated the same way.
//! A check that takes longer than the time budget is a finding too. Exits non-zero on the first
//! finding, after saving the input.
//!
//! `cargo run -p air-fuzz --bin fuzz_smoke -- [ITERATIONS] [SEED]` from the repository root;
//! `... -- --write-corpus DIR` instead writes the seeds as a starting corpus for the cargo-fuzz
//! targets (`DIR/module/` with the form byte first, as `air_fuzz::split_format` reads them, and
//! `DIR/npz/`), which `bench/fuzz.sh` uses.

use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use air_fuzz::Reached;
use air_ir::serial::{write, Format};

#[path = "../mutate.rs"]
mod mutate;

use mutate::{mutate_bytes, Rng};

/// The most one check may take on one input.
const TIME_BUDGET: Duration = Duration::from_secs(60);

/// Every `.air` file under `dir`, sorted.
fn air_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            air_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "air") {
            out.push(p);
        }
    }
}

/// The seeds: each module of the repository that reads, in all three forms.
fn seeds() -> Vec<(Format, Vec<u8>)> {
    let mut files = vec![];
    air_files(Path::new("conformance/cases"), &mut files);
    air_files(Path::new("docs/examples"), &mut files);
    let mut out = vec![];
    for path in files {
        let Ok(text) = std::fs::read(&path) else {
            continue;
        };
        if let Ok(m) = air_ir::serial::read(&text, Format::Text, "seed") {
            out.push((Format::Protobuf, write(&m, Format::Protobuf)));
            out.push((Format::Json, write(&m, Format::Json)));
        }
        out.push((Format::Text, text));
    }
    out
}

/// The checks, by name, on an input of a form.
type Check = fn(&[u8], Format) -> Result<Reached, air_fuzz::Finding>;

const CHECKS: [(&str, Check); 5] = [
    ("module", air_fuzz::module),
    ("interp", air_fuzz::interp),
    ("llvm", air_fuzz::llvm),
    ("export", air_fuzz::export),
    ("npz", |bytes, _| air_fuzz::npz(bytes)),
];

/// The `.npz` input for the npz check: the module's zero inputs encoded (else the bytes).
fn npz_input(rng: &mut Rng, bytes: &[u8], format: Format) -> Vec<u8> {
    let encoded = air_fuzz::valid_module(bytes, format)
        .and_then(|m| air_fuzz::zero_inputs(&m, bytes))
        .and_then(|run| air_value::npz::encode(&run.tensors, rng.below(2) == 0).ok());
    match encoded {
        Some(npz) if rng.below(3) == 0 => npz,
        Some(npz) => mutate_bytes(rng, &npz),
        None => bytes.to_vec(),
    }
}

/// Writes the seeds as a cargo-fuzz corpus under `dir`.
fn write_corpus(dir: &Path) -> std::io::Result<usize> {
    let module_dir = dir.join("module");
    let npz_dir = dir.join("npz");
    std::fs::create_dir_all(&module_dir)?;
    std::fs::create_dir_all(&npz_dir)?;
    let mut written = 0;
    for (k, (format, bytes)) in seeds().iter().enumerate() {
        let tag = match format {
            Format::Text => 0u8,
            Format::Protobuf => 1,
            Format::Json => 2,
        };
        let mut data = vec![tag];
        data.extend_from_slice(bytes);
        std::fs::write(module_dir.join(format!("seed-{k}")), data)?;
        let npz = air_fuzz::valid_module(bytes, *format)
            .and_then(|m| air_fuzz::zero_inputs(&m, bytes))
            .and_then(|run| air_value::npz::encode(&run.tensors, k % 2 == 0).ok());
        if let Some(npz) = npz {
            std::fs::write(npz_dir.join(format!("seed-{k}.npz")), npz)?;
        }
        written += 1;
    }
    Ok(written)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).is_some_and(|a| a == "--write-corpus") {
        let Some(dir) = args.get(2) else {
            eprintln!("fuzz_smoke: --write-corpus needs a directory");
            return ExitCode::FAILURE;
        };
        return match write_corpus(Path::new(dir)) {
            Ok(0) => {
                eprintln!("fuzz_smoke: no seed modules found (run it from the repository root)");
                ExitCode::FAILURE
            }
            Ok(n) => {
                println!("fuzz_smoke: wrote {n} seeds under {dir}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("fuzz_smoke: cannot write the corpus under {dir}: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let iterations: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(500);
    let seed: u64 = args
        .get(2)
        .and_then(|a| a.parse().ok())
        .unwrap_or(0x5EED_F022);
    let seeds = seeds();
    if seeds.is_empty() {
        eprintln!("fuzz_smoke: no seed modules found (run it from the repository root)");
        return ExitCode::FAILURE;
    }
    let mut rng = Rng(seed | 1);
    // Per check: inputs that got to Read, Valid and Done.
    let mut reached = [[0usize; 3]; CHECKS.len()];
    let mut slowest = [Duration::ZERO; CHECKS.len()];
    let started = Instant::now();
    for i in 0..iterations {
        let (format, seed_bytes) = &seeds[rng.below(seeds.len())];
        let input = if rng.below(4) == 0 {
            seed_bytes.clone()
        } else {
            mutate_bytes(&mut rng, seed_bytes)
        };
        for (k, (name, check)) in CHECKS.iter().enumerate() {
            let bytes = if *name == "npz" {
                npz_input(&mut rng, &input, *format)
            } else {
                input.clone()
            };
            let t = Instant::now();
            let outcome = panic::catch_unwind(AssertUnwindSafe(|| check(&bytes, *format)));
            let took = t.elapsed();
            slowest[k] = slowest[k].max(took);
            let problem = match outcome {
                Ok(Ok(r)) if took <= TIME_BUDGET => {
                    for (level, count) in [Reached::Read, Reached::Valid, Reached::Done]
                        .iter()
                        .zip(reached[k].iter_mut())
                    {
                        *count += usize::from(r >= *level);
                    }
                    continue;
                }
                Ok(Ok(_)) => format!("took {took:?}, over the budget of {TIME_BUDGET:?}"),
                Ok(Err(finding)) => finding,
                Err(_) => "panic".to_string(),
            };
            let path = std::env::temp_dir().join(format!("air-fuzz-{name}-{format}-{i}.bin"));
            let saved = std::fs::write(&path, &bytes).is_ok();
            eprintln!("FINDING in check {name} ({format}), iteration {i}: {problem}");
            if saved {
                eprintln!("input saved to {}", path.display());
            }
            return ExitCode::FAILURE;
        }
    }
    let summary: Vec<String> = CHECKS
        .iter()
        .zip(reached.iter().zip(&slowest))
        .map(|((name, _), ([read, valid, done], s))| {
            format!(
                "{name}: {read} read, {valid} valid, {done} done, slowest {:.2} s",
                s.as_secs_f64()
            )
        })
        .collect();
    println!(
        "fuzz_smoke (air-fuzz): {iterations} inputs from {} seeds (seed {seed}) in {:.1} s, no finding\n  {}",
        seeds.len(),
        started.elapsed().as_secs_f64(),
        summary.join("\n  ")
    );
    ExitCode::SUCCESS
}
