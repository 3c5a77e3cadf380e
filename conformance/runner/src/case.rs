//! Cases: one folder each under `conformance/cases/<group>/<case>/`, found by walking the tree.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use air_ir::Code;
use serde::Deserialize;

/// What a case expects.
#[derive(Clone, Debug, PartialEq)]
pub enum Expect {
    /// The module is valid and computes `expected.npz` from `inputs.npz`.
    Ok,
    /// Reading or validating the module fails with this code.
    Invalid(Code),
    /// The module is valid, and running it on `inputs.npz` fails with this code
    /// (`expect = "error: E0506"`; op set 2 size parameters of negative value).
    RunError(Code),
}

/// How close outputs must be to the expected values.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tolerance {
    /// Relative tolerance.
    #[serde(default)]
    pub rtol: f64,
    /// Absolute tolerance.
    #[serde(default)]
    pub atol: f64,
    /// Distance in units in the last place.
    pub ulp: Option<u64>,
    /// Bit-exact (NaN matches any NaN; the sign of zero counts).
    #[serde(default)]
    pub exact: bool,
}

/// `case.toml`, as written by the generators.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseToml {
    summary: String,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    ops: Vec<String>,
    expect: String,
    #[serde(default)]
    tolerance: Tolerance,
    #[serde(default)]
    bf16: Vec<String>,
}

/// A conformance case.
#[derive(Clone, Debug)]
pub struct Case {
    /// `group/name`.
    pub id: String,
    /// The case folder.
    pub dir: PathBuf,
    /// One line saying what the case checks.
    pub summary: String,
    /// Tags for filtering.
    pub tags: Vec<String>,
    /// The ops the case is about (as declared by the generator).
    pub ops: Vec<String>,
    /// What the case expects.
    pub expect: Expect,
    /// Output tolerance.
    pub tolerance: Tolerance,
    /// Arrays stored as bf16 bit patterns (`uint16`) in the npz files.
    pub bf16: Vec<String>,
    /// The case belongs to the op set 1 compatibility corpus (listed in
    /// `conformance/compat/opset1.sha256`, beside the cases folder).
    pub compat: bool,
}

/// A case folder that cannot be loaded.
#[derive(Debug, thiserror::Error)]
#[error("{dir}: {message}")]
pub struct CaseError {
    /// The folder.
    pub dir: String,
    /// What is wrong.
    pub message: String,
}

impl Case {
    /// Reads `case.toml` of a case folder.
    pub fn load(root: &Path, dir: &Path) -> Result<Case, CaseError> {
        let err = |message: String| CaseError {
            dir: dir.display().to_string(),
            message,
        };
        let text = std::fs::read_to_string(dir.join("case.toml"))
            .map_err(|e| err(format!("cannot read case.toml: {e}")))?;
        let t: CaseToml = toml::from_str(&text).map_err(|e| err(format!("case.toml: {e}")))?;
        let expect = parse_expect(&t.expect).ok_or_else(|| {
            err(format!(
                "expect must be \"ok\", \"invalid: E0xxx\" or \"error: E0xxx\" with a known \
                 code, got {:?}",
                t.expect
            ))
        })?;
        let id = dir
            .strip_prefix(root)
            .unwrap_or(dir)
            .to_string_lossy()
            .replace('\\', "/");
        Ok(Case {
            id,
            dir: dir.to_path_buf(),
            summary: t.summary,
            tags: t.tags,
            ops: t.ops,
            expect,
            tolerance: t.tolerance,
            bf16: t.bf16,
            compat: false,
        })
    }

    /// The module text.
    pub fn module_text(&self) -> std::io::Result<String> {
        std::fs::read_to_string(self.dir.join("case.air"))
    }

    /// The file name used in diagnostics: `group/name/case.air`.
    pub fn module_name(&self) -> String {
        format!("{}/case.air", self.id)
    }
}

fn parse_expect(s: &str) -> Option<Expect> {
    if s == "ok" {
        return Some(Expect::Ok);
    }
    if let Some(code) = s.strip_prefix("error:") {
        return Code::parse(code.trim()).map(Expect::RunError);
    }
    let code = s.strip_prefix("invalid:")?.trim();
    Code::parse(code).map(Expect::Invalid)
}

/// Every case folder (a folder holding `case.toml`) under `root`, sorted by id.
pub fn discover(root: &Path) -> Result<Vec<Case>, CaseError> {
    let mut dirs = vec![];
    walk(root, &mut dirs).map_err(|e| CaseError {
        dir: root.display().to_string(),
        message: format!("cannot list cases: {e}"),
    })?;
    let mut cases = dirs
        .iter()
        .map(|d| Case::load(root, d))
        .collect::<Result<Vec<_>, _>>()?;
    cases.sort_by(|a, b| a.id.cmp(&b.id));
    let frozen = compat_corpus(root);
    for c in &mut cases {
        c.compat = frozen.contains(&c.id);
    }
    Ok(cases)
}

/// The ids of the op set 1 compatibility corpus: the cases listed in
/// `<root>/../compat/opset1.sha256` (`sha256sum` lines, `<digest>  <group>/<name>/<file>`, written
/// and checked by `conformance/gen/compat.py`); empty when there is no such file.
pub fn compat_corpus(root: &Path) -> BTreeSet<String> {
    let Some(path) = root.parent().map(|p| p.join("compat/opset1.sha256")) else {
        return BTreeSet::new();
    };
    let Ok(text) = std::fs::read_to_string(path) else {
        return BTreeSet::new();
    };
    text.lines()
        .filter_map(|line| line.split_once("  "))
        .filter_map(|(_, file)| file.rsplit_once('/'))
        .map(|(case, _)| case.to_string())
        .collect()
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if dir.join("case.toml").is_file() {
        out.push(dir.to_path_buf());
        return Ok(());
    }
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out)?;
        }
    }
    Ok(())
}
