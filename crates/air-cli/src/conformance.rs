//! `air conformance`: runs the suite and writes its reports.

use std::path::PathBuf;

use air_conformance::{report, target, Options};
use clap::Args;
use regex::Regex;

use crate::CmdResult;

/// Arguments of `air conformance`.
#[derive(Args)]
pub struct ConformanceArgs {
    /// Targets to run (repeatable): interp, text, pb, json, llvm, a translator (sympy), a peer
    /// (peers-sympy), all, or cmd:PROGRAM. Default: every built-in target except the peers.
    #[arg(long = "target")]
    targets: Vec<String>,
    /// Only cases whose id (`group/name`) matches this regex.
    #[arg(long)]
    filter: Option<String>,
    /// Only cases with this tag (repeatable).
    #[arg(long = "tag")]
    tags: Vec<String>,
    /// The cases folder.
    #[arg(long, default_value = "conformance/cases")]
    cases: PathBuf,
    /// The skip-files folder.
    #[arg(long, default_value = "conformance/skip")]
    skips: PathBuf,
    /// Write a JSON report here.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Write a JUnit XML report here.
    #[arg(long)]
    junit: Option<PathBuf>,
    /// Regenerate the op × target coverage page here (e.g. docs/coverage.md).
    #[arg(long)]
    coverage: Option<PathBuf>,
    /// One row per case in the summary table instead of one per group.
    #[arg(long)]
    table: bool,
}

/// Runs `air conformance`.
pub fn conformance(args: &ConformanceArgs) -> CmdResult {
    let targets = if args.targets.is_empty() {
        target::registry()
    } else if args.targets.iter().any(|t| t == "all") {
        target::all()
    } else {
        args.targets
            .iter()
            .map(|name| {
                target::by_name(name).ok_or_else(|| {
                    let known: Vec<String> =
                        target::all().iter().map(|t| t.name().to_string()).collect();
                    format!(
                        "error: unknown target `{name}`; known: {}, all, cmd:PROGRAM",
                        known.join(", ")
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?
    };
    let filter = args
        .filter
        .as_deref()
        .map(Regex::new)
        .transpose()
        .map_err(|e| format!("error: bad --filter: {e}"))?;
    let mut opts = Options::for_repo(std::path::Path::new("."));
    opts.cases_dir.clone_from(&args.cases);
    opts.skip_dir.clone_from(&args.skips);
    opts.filter = filter;
    opts.tags.clone_from(&args.tags);
    let rep = air_conformance::run(&opts, &targets).map_err(|e| format!("error: {e}"))?;
    crate::out::write(&report::summary(&rep, args.table))?;
    let write = |path: &Option<PathBuf>, text: String| -> CmdResult {
        match path {
            Some(p) => std::fs::write(p, text)
                .map_err(|e| format!("error: cannot write {}: {e}", p.display())),
            None => Ok(()),
        }
    };
    write(&args.json, report::json(&rep))?;
    write(&args.junit, report::junit(&rep))?;
    write(&args.coverage, report::coverage(&rep))?;
    if rep.passed() {
        Ok(())
    } else {
        Err(String::new())
    }
}
