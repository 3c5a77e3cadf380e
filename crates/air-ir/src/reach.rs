//! Rules every front end and engine share about which functions a run needs: the entry function
//! of a module, the functions reached from it through calls and custom-op decompositions, and the
//! custom ops among them that no engine can run (E0407). The interpreter, the LLVM backend, the
//! conformance runner, `air run` and `skair` all ask this module instead of deciding for
//! themselves.

use std::collections::{HashMap, HashSet};

use crate::diag::{Code, Construct, Diagnostic};
use crate::module::{Function, Module, NodeId, Region};
use crate::op::{CustomOp, Op};

/// Why a module has no entry function: it is empty, or it has several functions and none is
/// named `main`, so picking one by its place would be a guess.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoEntry {
    /// The module has no function.
    Empty,
    /// Several functions, none named `main`: their names, in module order.
    Ambiguous(Vec<String>),
}

impl std::fmt::Display for NoEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NoEntry::Empty => write!(f, "the module has no function"),
            NoEntry::Ambiguous(names) => write!(
                f,
                "the module has the functions @{} and none is @main: name the one to run",
                names.join(", @")
            ),
        }
    }
}

impl std::error::Error for NoEntry {}

/// The function a module runs when none is named: `main` if there is one, else the only
/// function. A module with several functions and no `main` has no entry ([`NoEntry::Ambiguous`]):
/// the caller must name one, as `air run --function`, `skair.compile(function=)` and the
/// translators' `Options::function` let it.
pub fn entry_function(module: &Module) -> Result<&str, NoEntry> {
    if let Some(f) = module.function("main") {
        return Ok(f.name.as_str());
    }
    match module.functions.as_slice() {
        [] => Err(NoEntry::Empty),
        [f] => Ok(f.name.as_str()),
        several => Err(NoEntry::Ambiguous(
            several.iter().map(|f| f.name.clone()).collect(),
        )),
    }
}

/// The function a translator writes: the one `named` (its `Options::function`), else the
/// [`entry_function`]. Without one, the construct that says why, for the translator's problem
/// list.
pub fn export_entry<'m>(module: &'m Module, named: &str) -> Result<&'m Function, Construct> {
    if let Some(f) = module.function(named) {
        return Ok(f);
    }
    let name = entry_function(module).map_err(|e| Construct {
        function: String::new(),
        at: "the module".into(),
        what: match e {
            NoEntry::Empty => "no function".into(),
            NoEntry::Ambiguous(_) => "no entry function".into(),
        },
        reason: if named == "main" {
            e.to_string()
        } else {
            format!("{e}; none is @{named} either")
        },
    })?;
    Ok(module
        .function(name)
        .expect("entry_function names a function of the module"))
}

/// The functions a run of `roots` needs: the roots and every function reached from them through
/// [`Op::callee`] (`call` and custom-op decompositions, nested regions included), each once, in
/// the order they are first met. Names that are not functions of the module are skipped (the
/// validator reports them, E0402).
pub fn reachable<'m>(module: &'m Module, roots: &[&str]) -> Vec<&'m Function> {
    // By name, built once: a lookup per call must not scan the module.
    let mut by_name: HashMap<&str, &Function> = HashMap::with_capacity(module.functions.len());
    for f in &module.functions {
        by_name.entry(f.name.as_str()).or_insert(f);
    }
    let lookup = |name: &str| by_name.get(name).copied();
    let mut seen = HashSet::new();
    let mut out = vec![];
    let mut queue: Vec<&Function> = roots.iter().filter_map(|r| lookup(r)).collect();
    queue.reverse();
    while let Some(f) = queue.pop() {
        if !seen.insert(f.name.as_str()) {
            continue;
        }
        out.push(f);
        let mut callees = vec![];
        for_each_op(&f.body, &mut |op| callees.extend(op.callee()));
        queue.extend(callees.into_iter().rev().filter_map(lookup));
    }
    out
}

/// A custom op without a decomposition, in a function a run needs.
#[derive(Clone, Debug)]
pub struct MissingDecomposition<'m> {
    /// The function holding the op.
    pub function: &'m str,
    /// The op.
    pub custom: &'m CustomOp,
    /// E0407 with the function, node path, op and location.
    pub diagnostic: Diagnostic,
}

/// Every custom op without a decomposition in the functions a run of `roots` needs
/// ([`reachable`]): no engine can run one (E0407).
pub fn missing_decompositions<'m>(
    module: &'m Module,
    roots: &[&str],
) -> Vec<MissingDecomposition<'m>> {
    let mut out = vec![];
    for f in reachable(module, roots) {
        missing_in(f, &f.body, &mut vec![], &mut vec![], &mut out);
    }
    out
}

fn missing_in<'m>(
    f: &'m Function,
    region: &'m Region,
    path: &mut Vec<NodeId>,
    regions: &mut Vec<u32>,
    out: &mut Vec<MissingDecomposition<'m>>,
) {
    for (i, node) in region.nodes.iter().enumerate() {
        path.push(NodeId(i as u32));
        if let Op::Custom(c) = &node.op {
            if c.decomposition.is_none() {
                let message = format!("custom op {}.{} has no decomposition", c.domain, c.name);
                let diagnostic = Diagnostic {
                    function: Some(f.name.clone()),
                    node_path: path.clone(),
                    region_path: regions.clone(),
                    op: Some(node.op.name().to_string()),
                    loc: node.loc.clone().or_else(|| f.loc.clone()),
                    ..Diagnostic::new(Code::NoDecomposition, message)
                };
                out.push(MissingDecomposition {
                    function: &f.name,
                    custom: c,
                    diagnostic,
                });
            }
        }
        for (k, sub) in node.op.regions().into_iter().enumerate() {
            regions.push(k as u32);
            missing_in(f, sub, path, regions, out);
            regions.pop();
        }
        path.pop();
    }
}

/// Calls `visit` on every op of `region`, nested regions included, in arena order.
pub fn for_each_op<'m>(region: &'m Region, visit: &mut impl FnMut(&'m Op)) {
    for node in &region.nodes {
        visit(&node.op);
        for sub in node.op.regions() {
            for_each_op(sub, visit);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(text: &str) -> Module {
        crate::text::parse(text, "t.air").expect("parses")
    }

    const CALLS: &str = "air 1 opset 1
func @helper(%x: f64[n]) -> (%r: f64[n]) {
  %y = neg(%x) : f64[n]
  return %y
}
func @main(%x: f64[n]) -> (%r: f64[n]) {
  %y = call {callee = @helper} (%x) : f64[n]
  %z = custom {domain = \"lib\", name = \"soft\", decomposition = @soft_ref} (%y) : f64[n]
  %w = custom {domain = \"lib\", name = \"hard\"} (%z) : f64[n]
  return %w
}
func @soft_ref(%x: f64[n]) -> (%r: f64[n]) {
  %y = custom {domain = \"lib\", name = \"inner\"} (%x) : f64[n]
  return %y
}
func @unused(%x: f64[n]) -> (%r: f64[n]) {
  %y = custom {domain = \"lib\", name = \"never\"} (%x) : f64[n]
  return %y
}
";

    #[test]
    fn entry_is_main_else_the_only_function() {
        let m = module(CALLS);
        assert_eq!(entry_function(&m), Ok("main"));
        let one = module("air 1 opset 1\nfunc @f(%x: f64[n]) -> (%y: f64[n]) {\n  return %x\n}\n");
        assert_eq!(entry_function(&one), Ok("f"));
        let no_main = module("air 1 opset 1\nfunc @f(%x: f64[n]) -> (%y: f64[n]) {\n  return %x\n}\nfunc @g(%x: f64[n]) -> (%y: f64[n]) {\n  return %x\n}\n");
        let err = entry_function(&no_main).unwrap_err();
        assert_eq!(err, NoEntry::Ambiguous(vec!["f".into(), "g".into()]));
        assert!(err.to_string().contains("@f, @g"), "{err}");
        assert_eq!(entry_function(&Module::default()), Err(NoEntry::Empty));
    }

    #[test]
    fn reachable_follows_calls_and_decompositions_only() {
        let m = module(CALLS);
        let names: Vec<&str> = reachable(&m, &["main"])
            .iter()
            .map(|f| f.name.as_str())
            .collect();
        assert_eq!(names, ["main", "helper", "soft_ref"]);
        assert_eq!(reachable(&m, &["nope"]).len(), 0);
    }

    #[test]
    fn missing_decompositions_lists_every_reached_custom_op() {
        let m = module(CALLS);
        let found: Vec<(String, String)> = missing_decompositions(&m, &["main"])
            .into_iter()
            .map(|m| {
                assert_eq!(m.diagnostic.code, Code::NoDecomposition);
                assert_eq!(m.diagnostic.function.as_deref(), Some(m.function));
                (m.function.to_string(), m.diagnostic.message)
            })
            .collect();
        assert_eq!(
            found,
            [
                (
                    "main".into(),
                    "custom op lib.hard has no decomposition".into()
                ),
                (
                    "soft_ref".into(),
                    "custom op lib.inner has no decomposition".into()
                ),
            ]
        );
        let all: Vec<&str> = m.functions.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(missing_decompositions(&m, &all).len(), 3);
    }
}
