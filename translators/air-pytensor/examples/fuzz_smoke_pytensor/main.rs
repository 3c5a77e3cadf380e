//! A seeded smoke fuzzer for the `pytensor-fgraph-json/1` reader, for machines without
//! `cargo fuzz`; its property (`check.rs`) is also the one of
//! `fuzz/fuzz_targets/read_pytensor.rs`.
//!
//! Seeds: the five library examples (docs/examples/libraries)' `pytensor.json` (`seeds.jsonl`, one document a line, written
//! by `skair.pytensor_json` from real PyTensor graphs) and the crate's test fixtures
//! (`tests/data/*.pytensor.json`, also written from real PyTensor). Inputs: random bytes,
//! byte-level mutations of a seed, and JSON-level mutations (`mutate.rs`): fields dropped,
//! duplicated or swapped, values replaced by other JSON types, huge or negative numbers, very
//! long strings, deep nesting, dangling variable ids, node cycles, other op classes and props,
//! shape lists of another length, and Scan inner graphs nested deeply. Checks the property of
//! `check.rs`: nothing panics, what imports validates, and what exports imports back and settles.
//!
//! Exits non-zero on the first failure, printing the seed and saving the input.
//!
//! `cargo run -p air-pytensor --example fuzz_smoke_pytensor -- [ITERATIONS] [SEED]`

use std::panic::{self, AssertUnwindSafe};
use std::process::ExitCode;

mod check;
mod mutate;

use serde_json::Value as Json;

use check::check;
use mutate::{mutate_bytes, mutate_json, Rng};

/// The library examples (docs/examples/libraries) (one per line) and the crate's test fixtures, with names for reports.
const SEEDS: [(&str, &str); 9] = [
    ("seeds.jsonl", include_str!("seeds.jsonl")),
    (
        "integers_and_bools",
        include_str!("../../tests/data/integers_and_bools.pytensor.json"),
    ),
    (
        "reshape_alloc_arange",
        include_str!("../../tests/data/reshape_alloc_arange.pytensor.json"),
    ),
    (
        "scan_mit_sot",
        include_str!("../../tests/data/scan_mit_sot.pytensor.json"),
    ),
    (
        "scan_nit_sot_matrix_rows",
        include_str!("../../tests/data/scan_nit_sot_matrix_rows.pytensor.json"),
    ),
    (
        "scan_runtime_steps",
        include_str!("../../tests/data/scan_runtime_steps.pytensor.json"),
    ),
    (
        "scan_vector_state",
        include_str!("../../tests/data/scan_vector_state.pytensor.json"),
    ),
    (
        "softmax_family",
        include_str!("../../tests/data/softmax_family.pytensor.json"),
    ),
    (
        "subtensor_and_inc",
        include_str!("../../tests/data/subtensor_and_inc.pytensor.json"),
    ),
];

/// Every seed document with its name: `seeds.jsonl` split into lines.
fn seeds() -> Vec<(String, &'static str)> {
    let mut out = vec![];
    for (name, text) in SEEDS {
        if name.ends_with(".jsonl") {
            let lines = text.lines().filter(|l| !l.trim().is_empty());
            out.extend(
                lines
                    .enumerate()
                    .map(|(k, l)| (format!("{name}:{}", k + 1), l)),
            );
        } else {
            out.push((name.to_string(), text));
        }
    }
    out
}

/// Every seed must pass the property as is: else the fuzzer starts broken.
fn check_seeds(seeds: &[(String, &str)]) -> Result<Vec<Json>, String> {
    let mut docs = vec![];
    for (name, text) in seeds {
        let doc = serde_json::from_str(text).map_err(|e| format!("seed {name}: not JSON: {e}"))?;
        // A seed may be refused (`scan_runtime_steps` is, with its reason); it must not fail.
        check(text.as_bytes()).map_err(|e| format!("seed {name}: {e}"))?;
        docs.push(doc);
    }
    Ok(docs)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let iterations: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(5000);
    let seed: u64 = args
        .get(2)
        .and_then(|a| a.parse().ok())
        .unwrap_or(0x5EED_B7B7);
    let mut rng = Rng(seed | 1);
    let seeds = seeds();
    let docs = match check_seeds(&seeds) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("FAIL: {e}");
            return ExitCode::FAILURE;
        }
    };
    let (mut imported, mut exported, mut looped) = (0usize, 0usize, 0usize);
    for i in 0..iterations {
        let k = rng.below(seeds.len());
        let input = match i % 8 {
            0 => (0..rng.below(256)).map(|_| rng.next() as u8).collect(),
            1 | 2 => mutate_bytes(&mut rng, seeds[k].1.as_bytes()),
            _ => mutate_json(&mut rng, &docs[k], &docs),
        };
        let problem = match panic::catch_unwind(AssertUnwindSafe(|| check(&input))) {
            Ok(Ok(r)) => {
                imported += usize::from(r.imported);
                exported += usize::from(r.exported);
                looped += usize::from(r.looped);
                continue;
            }
            Ok(Err(msg)) => msg,
            Err(_) => "panic (message above)".to_string(),
        };
        let path = std::env::temp_dir().join(format!("air-fuzz-smoke-pytensor-{i}.json"));
        let saved = std::fs::write(&path, &input).is_ok();
        eprintln!(
            "FAIL pytensor iteration {i} (fuzzer seed {seed}, document seed {}): {problem}",
            seeds[k].0
        );
        let shown = String::from_utf8_lossy(&input);
        let cut = shown
            .char_indices()
            .nth(4000)
            .map_or(shown.len(), |(b, _)| b);
        eprintln!("input ({} bytes):\n{}", input.len(), &shown[..cut]);
        if saved {
            eprintln!("input saved to {}", path.display());
        }
        return ExitCode::FAILURE;
    }
    println!(
        "fuzz_smoke pytensor: {iterations} inputs (seed {seed}, {} seed documents), no failure; \
         imported {imported}, exported and re-imported {exported} ({looped} with a `for` loop, \
         not required to settle)",
        seeds.len()
    );
    ExitCode::SUCCESS
}
