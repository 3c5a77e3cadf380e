//! `cargo test` runs the whole conformance suite on the interpreter and the three round-trip
//! targets (and `llvm` with the `llvm` feature), checks op coverage, and, in the build with every
//! target, checks that `docs/coverage.md` is current
//! (`AIR_BLESS=1 cargo test -p air-conformance --features llvm` rewrites it).

use std::path::PathBuf;

use air_conformance::{case::Expect, report, target, Options};

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn every_case_passes_on_every_builtin_target() {
    let root = repo_root();
    let mut opts = Options::for_repo(&root);
    opts.progress = false;
    let report = air_conformance::run(&opts, &target::registry()).expect("cases load");
    let valid = report
        .results
        .iter()
        .filter(|r| r.case.expect == Expect::Ok)
        .count();
    let invalid = report.results.len() - valid;
    println!("{}", report::summary(&report, false));
    assert!(valid >= 250, "only {valid} valid cases");
    assert!(invalid >= 40, "only {invalid} invalid cases");
    assert!(
        report.passed(),
        "conformance failures:\n{}",
        report::summary(&report, false)
    );

    // The op set 1 compatibility corpus (spec §2): every frozen case is still here (and, by the
    // assertion above, none of them fails on the targets run here).
    let frozen = air_conformance::case::compat_corpus(&opts.cases_dir);
    assert!(
        frozen.len() >= 500,
        "compatibility corpus of {} cases",
        frozen.len()
    );
    let found = report.results.iter().filter(|r| r.case.compat).count();
    assert_eq!(
        found,
        frozen.len(),
        "frozen cases missing from conformance/cases"
    );

    for op in air_ir::op::all_op_names() {
        let n = report
            .results
            .iter()
            .filter(|r| r.case.expect == Expect::Ok && r.ops.iter().any(|o| o == op))
            .count();
        assert!(n >= 3, "op `{op}` appears in only {n} valid cases");
    }

    // The page lists every target; without the `llvm` feature the `llvm` column is missing, so
    // only the complete build (the one `scripts/test.sh` runs) checks it.
    if !cfg!(feature = "llvm") {
        println!("docs/coverage.md not checked: built without the llvm target");
        return;
    }
    let coverage = report::coverage(&report);
    let path = root.join("docs/coverage.md");
    if std::env::var_os("AIR_BLESS").is_some() {
        std::fs::write(&path, &coverage).expect("write docs/coverage.md");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == coverage,
        "docs/coverage.md is out of date; rerun with AIR_BLESS=1 (or `air conformance --coverage docs/coverage.md`)"
    );
}
