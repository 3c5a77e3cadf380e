//! AIR's conformance runner. It finds the cases under `conformance/cases/`, runs each on every
//! target (the interpreter, serial round trips, third-party backends through a command), compares
//! against the expected values the NumPy generators wrote, and reports: a progress line, a
//! group × target summary with every failing case, JSON and JUnit XML files, and the op × target
//! coverage page `docs/coverage.md`.

pub mod case;
pub mod compare;
pub mod peer;
pub mod report;
pub mod skip;
pub mod target;
pub mod translate;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use regex::Regex;

use crate::case::Case;
use crate::skip::SkipList;
use crate::target::{Outcome, Target};

/// What to run.
pub struct Options {
    /// The folder holding the case groups.
    pub cases_dir: PathBuf,
    /// The folder holding the per-target skip files.
    pub skip_dir: PathBuf,
    /// Only cases whose id matches.
    pub filter: Option<Regex>,
    /// Only cases with at least one of these tags (empty: all).
    pub tags: Vec<String>,
    /// Show a progress line on stderr.
    pub progress: bool,
}

impl Options {
    /// Defaults for a repository checkout rooted at `root`.
    pub fn for_repo(root: &Path) -> Options {
        Options {
            cases_dir: root.join("conformance/cases"),
            skip_dir: root.join("conformance/skip"),
            filter: None,
            tags: vec![],
            progress: std::io::stderr().is_terminal(),
        }
    }
}

/// One case's outcomes, one per target in run order.
#[derive(Clone, Debug)]
pub struct CaseResult {
    /// The case.
    pub case: Case,
    /// The ops the case's module uses (from its text), falling back to `case.toml`'s list.
    pub ops: Vec<String>,
    /// `(target name, outcome)`.
    pub outcomes: Vec<(String, Outcome)>,
}

/// Everything a run found.
#[derive(Clone, Debug)]
pub struct Report {
    /// Target names, in run order.
    pub targets: Vec<String>,
    /// One entry per case run.
    pub results: Vec<CaseResult>,
}

impl Report {
    /// Counts of `(pass, fail, skip, n/a)` over every case and target.
    pub fn totals(&self) -> (usize, usize, usize, usize) {
        let mut t = (0, 0, 0, 0);
        for r in &self.results {
            for (_, o) in &r.outcomes {
                match o {
                    Outcome::Pass => t.0 += 1,
                    Outcome::Fail(_) => t.1 += 1,
                    Outcome::Skip(_) => t.2 += 1,
                    Outcome::NotApplicable(_) => t.3 += 1,
                }
            }
        }
        t
    }

    /// True when nothing failed.
    pub fn passed(&self) -> bool {
        self.totals().1 == 0
    }
}

/// Runs the selected cases on the given targets.
pub fn run(opts: &Options, targets: &[Box<dyn Target>]) -> Result<Report, String> {
    let cases: Vec<Case> = case::discover(&opts.cases_dir)
        .map_err(|e| e.to_string())?
        .into_iter()
        .filter(|c| opts.filter.as_ref().is_none_or(|re| re.is_match(&c.id)))
        .filter(|c| opts.tags.is_empty() || c.tags.iter().any(|t| opts.tags.contains(t)))
        .collect();
    let skips = targets
        .iter()
        .map(|t| SkipList::load(&opts.skip_dir, t.name()))
        .collect::<Result<Vec<_>, _>>()?;
    let mut results = Vec::with_capacity(cases.len());
    for (i, case) in cases.into_iter().enumerate() {
        if opts.progress {
            progress(i, results.capacity(), &case.id);
        }
        let outcomes = targets
            .iter()
            .zip(&skips)
            .map(|(t, skip)| {
                let outcome = match skip.reason(&case.id) {
                    Some(reason) => Outcome::Skip(reason.to_string()),
                    None => t.run(&case),
                };
                (t.name().to_string(), outcome)
            })
            .collect();
        let ops = ops_of(&case);
        results.push(CaseResult {
            case,
            ops,
            outcomes,
        });
    }
    if opts.progress {
        eprint!("\r\x1b[2K");
    }
    Ok(Report {
        targets: targets.iter().map(|t| t.name().to_string()).collect(),
        results,
    })
}

fn progress(done: usize, total: usize, id: &str) {
    const WIDTH: usize = 30;
    let filled = (done * WIDTH).checked_div(total).unwrap_or(0);
    eprint!(
        "\r\x1b[2K[{}{}] {done}/{total} {id}",
        "#".repeat(filled),
        " ".repeat(WIDTH - filled)
    );
    let _ = std::io::stderr().flush();
}

/// The op names a case's module uses, nested regions included.
fn ops_of(case: &Case) -> Vec<String> {
    let parsed = case
        .module_text()
        .ok()
        .and_then(|t| air_ir::text::parse(&t, &case.module_name()).ok());
    let Some(module) = parsed else {
        return case.ops.clone();
    };
    let mut ops = vec![];
    for f in &module.functions {
        air_ir::reach::for_each_op(&f.body, &mut |op| ops.push(op.name().to_string()));
    }
    ops.sort();
    ops.dedup();
    ops
}
