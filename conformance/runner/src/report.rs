//! The run's outputs: the terminal summary, JSON and JUnit XML reports, and `docs/coverage.md`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::target::Outcome;
use crate::Report;

/// The group × target table, then every case that did not pass everywhere, then the totals.
/// With `full`, one row per case instead of per group.
pub fn summary(report: &Report, full: bool) -> String {
    let mut out = String::new();
    let width = report
        .results
        .iter()
        .map(|r| r.case.id.len())
        .max()
        .unwrap_or(5)
        .max(12);
    let header: Vec<String> = report.targets.iter().map(|t| format!("{t:>12}")).collect();
    let _ = writeln!(
        out,
        "{:<width$} {}",
        if full { "case" } else { "group" },
        header.join("")
    );
    if full {
        for r in &report.results {
            let cells: Vec<String> = r
                .outcomes
                .iter()
                .map(|(_, o)| format!("{:>12}", o.label()))
                .collect();
            let _ = writeln!(out, "{:<width$} {}", r.case.id, cells.join(""));
        }
    } else {
        for (group, counts) in group_counts(report) {
            let cells: Vec<String> = counts
                .iter()
                .map(|(pass, total)| format!("{:>12}", format!("{pass}/{total}")))
                .collect();
            let _ = writeln!(out, "{group:<width$} {}", cells.join(""));
        }
    }
    let mut failures = String::new();
    for r in &report.results {
        for (target, o) in &r.outcomes {
            if let Outcome::Fail(why) = o {
                let why = why.lines().take(8).collect::<Vec<_>>().join("\n      ");
                let _ = writeln!(failures, "  FAIL {} [{target}]: {why}", r.case.id);
            }
        }
    }
    if !failures.is_empty() {
        let _ = writeln!(out, "\nfailures:\n{failures}");
    }
    let (pass, fail, skip, na) = report.totals();
    let _ = writeln!(
        out,
        "\n{} cases x {} targets: {pass} passed, {fail} failed, {skip} skipped, {na} not applicable",
        report.results.len(),
        report.targets.len()
    );
    let compat: Vec<_> = report.results.iter().filter(|r| r.case.compat).collect();
    if !compat.is_empty() {
        let (mut pass, mut fail, mut skip, mut na) = (0, 0, 0, 0);
        for (_, o) in compat.iter().flat_map(|r| &r.outcomes) {
            match o {
                Outcome::Pass => pass += 1,
                Outcome::Fail(_) => fail += 1,
                Outcome::Skip(_) => skip += 1,
                Outcome::NotApplicable(_) => na += 1,
            }
        }
        let _ = writeln!(
            out,
            "op set 1 compatibility corpus, {} of those cases: {pass} passed, {fail} failed, \
             {skip} skipped, {na} not applicable",
            compat.len()
        );
    }
    out
}

/// Per group, per target: (passed, run) where skipped and n/a cells are not counted as run.
fn group_counts(report: &Report) -> BTreeMap<String, Vec<(usize, usize)>> {
    let mut groups: BTreeMap<String, Vec<(usize, usize)>> = BTreeMap::new();
    for r in &report.results {
        let group = r.case.id.split('/').next().unwrap_or("").to_string();
        let row = groups
            .entry(group)
            .or_insert_with(|| vec![(0, 0); report.targets.len()]);
        for (i, (_, o)) in r.outcomes.iter().enumerate() {
            match o {
                Outcome::Pass => {
                    row[i].0 += 1;
                    row[i].1 += 1;
                }
                Outcome::Fail(_) => row[i].1 += 1,
                Outcome::Skip(_) | Outcome::NotApplicable(_) => {}
            }
        }
    }
    groups
}

/// The JSON report: every case with its outcome per target.
pub fn json(report: &Report) -> String {
    let cases: Vec<serde_json::Value> = report
        .results
        .iter()
        .map(|r| {
            let outcomes: serde_json::Map<String, serde_json::Value> = r
                .outcomes
                .iter()
                .map(|(t, o)| {
                    let detail = match o {
                        Outcome::Pass => None,
                        Outcome::Fail(s) | Outcome::Skip(s) | Outcome::NotApplicable(s) => Some(s),
                    };
                    (
                        t.clone(),
                        serde_json::json!({"outcome": o.label(), "detail": detail}),
                    )
                })
                .collect();
            serde_json::json!({
                "id": r.case.id,
                "summary": r.case.summary,
                "tags": r.case.tags,
                "ops": r.ops,
                "outcomes": outcomes,
            })
        })
        .collect();
    let (pass, fail, skip, na) = report.totals();
    let doc = serde_json::json!({
        "targets": report.targets,
        "totals": {"passed": pass, "failed": fail, "skipped": skip, "not_applicable": na},
        "cases": cases,
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// JUnit XML: one testsuite per target, one testcase per case.
pub fn junit(report: &Report) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"air-conformance\">\n",
    );
    for (i, target) in report.targets.iter().enumerate() {
        let outcomes: Vec<(&str, &Outcome)> = report
            .results
            .iter()
            .map(|r| (r.case.id.as_str(), &r.outcomes[i].1))
            .collect();
        let failures = outcomes
            .iter()
            .filter(|(_, o)| matches!(o, Outcome::Fail(_)))
            .count();
        let skipped = outcomes
            .iter()
            .filter(|(_, o)| matches!(o, Outcome::Skip(_) | Outcome::NotApplicable(_)))
            .count();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\">",
            xml_escape(target),
            outcomes.len()
        );
        for (id, o) in outcomes {
            let _ = write!(
                out,
                "    <testcase classname=\"{}\" name=\"{}\"",
                xml_escape(target),
                xml_escape(id)
            );
            match o {
                Outcome::Pass => out.push_str("/>\n"),
                Outcome::Fail(why) => {
                    let _ = writeln!(
                        out,
                        "><failure message=\"failed\">{}</failure></testcase>",
                        xml_escape(why)
                    );
                }
                Outcome::Skip(why) | Outcome::NotApplicable(why) => {
                    let _ = writeln!(
                        out,
                        "><skipped message=\"{}\"/></testcase>",
                        xml_escape(why)
                    );
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// `docs/coverage.md`: for every op of op set v1, the number of cases using it and how many pass on
/// each target. Ops with fewer than 3 valid cases are flagged.
pub fn coverage(report: &Report) -> String {
    let mut out = String::from(
        "# Conformance coverage\n\nRegenerated by `air conformance --coverage docs/coverage.md`; do not edit by hand.\n\
         Each cell is `passed/run` over the cases whose module uses the op (valid cases; invalid cases are\n\
         counted in the last column). Ops with fewer than 3 valid cases are marked with `!`.\n\n",
    );
    let _ = writeln!(
        out,
        "| op | valid cases | {} | invalid cases |",
        report.targets.join(" | ")
    );
    let _ = writeln!(out, "|---|---|{}---|", "---|".repeat(report.targets.len()));
    for op in air_ir::op::all_op_names() {
        let using: Vec<_> = report
            .results
            .iter()
            .filter(|r| r.ops.iter().any(|o| o == op))
            .collect();
        let valid: Vec<_> = using
            .iter()
            .filter(|r| r.case.expect == crate::case::Expect::Ok)
            .collect();
        let invalid = using.len() - valid.len();
        let cells: Vec<String> = (0..report.targets.len())
            .map(|i| {
                let run = valid
                    .iter()
                    .filter(|r| {
                        !matches!(
                            r.outcomes[i].1,
                            Outcome::Skip(_) | Outcome::NotApplicable(_)
                        )
                    })
                    .count();
                let pass = valid
                    .iter()
                    .filter(|r| r.outcomes[i].1 == Outcome::Pass)
                    .count();
                format!("{pass}/{run}")
            })
            .collect();
        let flag = if valid.len() < 3 { " !" } else { "" };
        let _ = writeln!(
            out,
            "| `{op}` | {}{flag} | {} | {invalid} |",
            valid.len(),
            cells.join(" | ")
        );
    }
    let (pass, fail, skip, na) = report.totals();
    let _ = writeln!(
        out,
        "\nTotals over {} cases and {} targets: {pass} passed, {fail} failed, {skip} skipped, {na} not applicable.",
        report.results.len(),
        report.targets.len()
    );
    let compat: Vec<_> = report.results.iter().filter(|r| r.case.compat).collect();
    if !compat.is_empty() {
        let (mut pass, mut fail, mut skip, mut na) = (0, 0, 0, 0);
        for (_, o) in compat.iter().flat_map(|r| &r.outcomes) {
            match o {
                Outcome::Pass => pass += 1,
                Outcome::Fail(_) => fail += 1,
                Outcome::Skip(_) => skip += 1,
                Outcome::NotApplicable(_) => na += 1,
            }
        }
        let _ = writeln!(
            out,
            "op set 1 compatibility corpus, {} of those cases: {pass} passed, {fail} failed, \
             {skip} skipped, {na} not applicable",
            compat.len()
        );
    }
    out
}
