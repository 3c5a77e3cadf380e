//! The validator: handles first, then types and shapes; every problem collected.
//!
//! As in naga, each region is checked in two phases. (a) Handles: every operand is a parameter in
//! range or a result, in range, of an *earlier* node (E0301, E0302), and names are unique (E0304).
//! (b) Meaning: each node's operand types go through [`crate::infer`], and the declared result types
//! must equal the inferred ones (E0213); a fresh run-time dim must be declared as a symbol not seen
//! before in the function, which is bound from then on. A node whose operands are unknown because
//! of an earlier error is skipped, so one mistake does not cascade. Then come the function rules
//! (E0305, E0306, E0307) and the module rules (E0401, E0403); calls and decompositions are checked
//! at their nodes (E0402, E0404, E0406).
//!
//! The result is a [`ModuleInfo`]: the side table backends consume.

// `Diagnostic` is the crate's one error type (160 bytes); boxing it would only move the cost.
#![allow(clippy::result_large_err)]

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::limits::Limits;
use crate::module::{Function, Module, NodeId, Region};

mod function;
mod node;

/// The most diagnostics [`validate`] returns in full. Past it, problems are only counted, and the
/// list ends with one [`Diagnostic::omitted`] saying how many more there are: a module with a
/// million bad nodes gets a readable report, in time and memory independent of its size.
pub const MAX_DIAGNOSTICS: usize = 100;

/// Function name → index in the module (the first of two with one name), built once per module
/// so that calls are looked up in constant time.
pub(crate) type FunctionIndex<'m> = HashMap<&'m str, usize>;

fn function_index(m: &Module) -> FunctionIndex<'_> {
    let mut index = HashMap::with_capacity(m.functions.len());
    for (i, f) in m.functions.iter().enumerate() {
        index.entry(f.name.as_str()).or_insert(i);
    }
    index
}

/// What the validator learnt about a module, for backends.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ModuleInfo {
    /// One entry per function, in module order.
    pub functions: Vec<FunctionInfo>,
    /// Function indices ordered so that every callee (or decomposition) comes before its callers.
    pub call_order: Vec<usize>,
}

impl ModuleInfo {
    /// The information about the function with this name.
    pub fn function(&self, name: &str) -> Option<&FunctionInfo> {
        self.functions.iter().find(|f| f.name == name)
    }
}

/// What the validator learnt about one function.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FunctionInfo {
    /// The function's name.
    pub name: String,
    /// The symbols of the parameter types: bound from the inputs' shapes on entry.
    pub param_symbols: BTreeSet<String>,
    /// Every symbol bound in the function: the parameters' and every fresh one, in all regions.
    pub symbols: BTreeSet<String>,
    /// The fresh symbols of the body, and of its nested regions.
    pub body: RegionInfo,
}

/// The fresh symbols introduced in one region, with the same for its nested regions.
///
/// A tree that mirrors the regions, rather than a map keyed by node path, because the two branches
/// of an `if` have their own node ids: `[%3, %1]` names a node in each.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RegionInfo {
    /// Node → the fresh dims of its results (nodes without any are absent).
    pub fresh: BTreeMap<NodeId, Vec<FreshDim>>,
    /// Node → the information of its regions, in [`Op::regions`] order (`for`: body; `if`: then,
    /// else). Nodes without regions are absent.
    pub regions: BTreeMap<NodeId, Vec<RegionInfo>>,
}

impl RegionInfo {
    /// Region `k` of node `id`.
    pub fn nested(&self, id: NodeId, k: usize) -> Option<&RegionInfo> {
        self.regions.get(&id).and_then(|r| r.get(k))
    }

    /// The symbols introduced by this region's nodes and those of its nested regions.
    pub fn all_fresh(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self
            .fresh
            .values()
            .flatten()
            .map(|f| f.symbol.as_str())
            .collect();
        for r in self.regions.values().flatten() {
            out.extend(r.all_fresh());
        }
        out
    }
}

/// A result dim known only at run time, and the symbol that names it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FreshDim {
    /// Which result of the node.
    pub result: u32,
    /// Which axis of that result.
    pub axis: u32,
    /// The new symbol (from the node's declared type).
    pub symbol: String,
}

/// Validates a whole module and returns its side table, or every problem found.
pub fn validate(m: &Module) -> Result<ModuleInfo, Diagnostics> {
    validate_with(m, &Limits::default())
}

/// [`validate`] with explicit limits (the region nesting depth is checked).
///
/// Linear in the module's nodes and calls: functions are looked up through one index, a call
/// checks only the callee's signature, and at most [`MAX_DIAGNOSTICS`] problems are rendered in
/// full (the rest are counted).
pub fn validate_with(m: &Module, limits: &Limits) -> Result<ModuleInfo, Diagnostics> {
    let index = function_index(m);
    let mut diags = Capped::default();
    diags.extend(duplicate_functions(m));
    // Modules built in memory (the builder, Python) meet the readers' name grammar too.
    if let Err(d) = crate::name::check_module(m) {
        diags.extend([d]);
    }
    let graph = CallGraph::new(m, &index, limits);
    diags.extend(graph.recursion(m, diags.room()));
    diags.extend(graph.call_depth(m, limits.max_call_depth));
    let mut functions = Vec::with_capacity(m.functions.len());
    for f in &m.functions {
        let (info, d, uncounted) = function::check(m, &index, f, limits, diags.room());
        functions.push(info);
        diags.extend(d);
        diags.omitted += uncounted;
    }
    if let Some(diags) = diags.finish() {
        return Err(diags);
    }
    Ok(ModuleInfo {
        functions,
        call_order: graph.sccs.into_iter().flatten().collect(),
    })
}

/// Validates one function of `m` (calls and decompositions are looked up in `m`; the module-wide
/// rules E0401 and E0403 are not checked).
pub fn validate_function(m: &Module, f: &Function) -> Result<FunctionInfo, Diagnostics> {
    let index = function_index(m);
    let mut diags = Capped::default();
    let (info, d, uncounted) = function::check(m, &index, f, &Limits::default(), diags.room());
    diags.extend(d);
    diags.omitted += uncounted;
    match diags.finish() {
        None => Ok(info),
        Some(d) => Err(d),
    }
}

/// The first [`MAX_DIAGNOSTICS`] problems, and how many more were found.
#[derive(Default)]
struct Capped {
    kept: Vec<Diagnostic>,
    omitted: usize,
}

impl Capped {
    /// How many more diagnostics are kept in full.
    fn room(&self) -> usize {
        MAX_DIAGNOSTICS.saturating_sub(self.kept.len())
    }

    fn extend(&mut self, diags: impl IntoIterator<Item = Diagnostic>) {
        for d in diags {
            if self.kept.len() < MAX_DIAGNOSTICS {
                self.kept.push(d);
            } else {
                self.omitted += 1;
            }
        }
    }

    /// The diagnostics, ending with the count of the omitted ones; `None` when there are none.
    fn finish(mut self) -> Option<Diagnostics> {
        if self.omitted > 0 {
            self.kept.push(Diagnostic::omitted(self.omitted));
        }
        (!self.kept.is_empty()).then_some(Diagnostics(self.kept))
    }
}

fn function_diag(f: &Function, code: Code, msg: String) -> Diagnostic {
    Diagnostic {
        function: Some(f.name.clone()),
        loc: f.loc.clone(),
        ..Diagnostic::new(code, msg)
    }
}

fn duplicate_functions(m: &Module) -> Vec<Diagnostic> {
    let mut seen = BTreeSet::new();
    m.functions
        .iter()
        .filter(|f| !seen.insert(f.name.as_str()))
        .map(|f| {
            function_diag(
                f,
                Code::DuplicateFunction,
                format!("function @{} defined twice", f.name),
            )
        })
        .collect()
}

/// A call or custom op naming a function of the module.
struct CallSite<'m> {
    /// The callee's (or decomposition's) index.
    callee: usize,
    /// The region holding the calling node.
    region: &'m Region,
    /// The path of the calling node, and which region of each owner it is in.
    path: Vec<NodeId>,
    regions: Vec<u32>,
}

impl CallSite<'_> {
    /// A diagnostic at the calling node of function `f`. Made only when reported: rendering the
    /// node's text costs a walk of its region, which done per call would be quadratic.
    fn diagnostic(&self, f: &Function, code: Code, message: String) -> Diagnostic {
        let id = self.path.last().copied().unwrap_or(NodeId(0));
        let node = self.region.nodes.get(id.index());
        Diagnostic {
            function: Some(f.name.clone()),
            node_path: self.path.clone(),
            region_path: self.regions.clone(),
            op: node.map(|n| n.op.name().to_string()),
            node_text: Some(crate::text::node_summary(self.region, id)),
            loc: node.and_then(|n| n.loc.clone()).or_else(|| f.loc.clone()),
            ..Diagnostic::new(code, message)
        }
    }
}

/// Which function calls which (calls and decompositions), with its strongly connected components.
struct CallGraph<'m> {
    /// Per function, its call sites.
    edges: Vec<Vec<CallSite<'m>>>,
    /// Components, callees before callers.
    sccs: Vec<Vec<usize>>,
}

impl<'m> CallGraph<'m> {
    fn new(m: &'m Module, index: &FunctionIndex<'_>, limits: &Limits) -> CallGraph<'m> {
        let edges: Vec<Vec<CallSite<'m>>> = m
            .functions
            .iter()
            .map(|f| {
                let mut out = vec![];
                let walk = CallWalk { index };
                walk.collect(
                    &f.body,
                    &mut vec![],
                    &mut vec![],
                    limits.max_region_depth,
                    &mut out,
                );
                out
            })
            .collect();
        let adjacency: Vec<Vec<usize>> = edges
            .iter()
            .map(|e| e.iter().map(|c| c.callee).collect())
            .collect();
        let sccs = tarjan(&adjacency);
        CallGraph { edges, sccs }
    }

    /// E0408 at the function with the longest chain of nested calls when that chain is longer than
    /// `limit` (a function that calls nothing has depth 1). Nothing when calls form a cycle: E0403
    /// reports that.
    fn call_depth(&self, m: &Module, limit: usize) -> Vec<Diagnostic> {
        let mut depth = vec![0usize; m.functions.len()];
        // Components come out callees first, so a callee's depth is known before its callers'.
        for scc in &self.sccs {
            let [f] = scc.as_slice() else {
                return vec![];
            };
            if self.edges[*f].iter().any(|c| c.callee == *f) {
                return vec![];
            }
            let deepest = self.edges[*f].iter().map(|c| depth[c.callee]).max();
            depth[*f] = deepest.unwrap_or(0).saturating_add(1);
        }
        let Some((f, &d)) = depth.iter().enumerate().max_by_key(|(_, d)| **d) else {
            return vec![];
        };
        if d <= limit {
            return vec![];
        }
        let name = &m.functions[f].name;
        vec![Diagnostic {
            function: Some(name.clone()),
            ..Diagnostic::new(
                Code::CallTooDeep,
                format!("calls nest {d} deep from @{name}, past the limit of {limit}"),
            )
        }]
    }

    /// One E0403 per cycle of calls, at the first function of the cycle; past `room` of them,
    /// only the message (the caller counts those and drops them).
    fn recursion(&self, m: &Module, room: usize) -> Vec<Diagnostic> {
        let mut out = vec![];
        for scc in &self.sccs {
            let mut members: Vec<usize> = scc.clone();
            members.sort_unstable();
            let Some(&first) = members.first() else {
                continue;
            };
            let Some(site) = self.edges[first]
                .iter()
                .find(|c| members.binary_search(&c.callee).is_ok())
            else {
                continue; // a single function that does not call itself
            };
            if out.len() >= room {
                out.push(Diagnostic::new(Code::Recursion, ""));
                continue;
            }
            let names: Vec<String> = members
                .iter()
                .map(|&i| format!("@{}", m.functions[i].name))
                .collect();
            let message = if members.len() == 1 {
                format!("@{} calls itself", m.functions[first].name)
            } else {
                format!("functions {} call each other in a cycle", names.join(", "))
            };
            out.push(site.diagnostic(&m.functions[first], Code::Recursion, message));
        }
        out
    }
}

struct CallWalk<'a, 'm> {
    index: &'a FunctionIndex<'m>,
}

impl CallWalk<'_, '_> {
    fn collect<'r>(
        &self,
        region: &'r Region,
        path: &mut Vec<NodeId>,
        regions: &mut Vec<u32>,
        depth: usize,
        out: &mut Vec<CallSite<'r>>,
    ) {
        for (i, n) in region.nodes.iter().enumerate() {
            let id = NodeId(i as u32);
            path.push(id);
            if let Some(&callee) = n.op.callee().and_then(|t| self.index.get(t)) {
                out.push(CallSite {
                    callee,
                    region,
                    path: path.clone(),
                    regions: regions.clone(),
                });
            }
            if depth > 0 {
                for (k, r) in n.op.regions().into_iter().enumerate() {
                    regions.push(k as u32);
                    self.collect(r, path, regions, depth - 1, out);
                    regions.pop();
                }
            }
            path.pop();
        }
    }
}

/// Tarjan's strongly connected components, iteratively; components come out callees first.
fn tarjan(adj: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let n = adj.len();
    let (mut index, mut low) = (vec![usize::MAX; n], vec![0; n]);
    let (mut on_stack, mut stack, mut sccs) = (vec![false; n], vec![], vec![]);
    let mut counter = 0;
    for s in 0..n {
        if index[s] != usize::MAX {
            continue;
        }
        let mut frames = vec![(s, 0usize)];
        (index[s], low[s], on_stack[s]) = (counter, counter, true);
        stack.push(s);
        counter += 1;
        while let Some(&mut (v, ref mut next)) = frames.last_mut() {
            if let Some(&w) = adj[v].get(*next) {
                *next += 1;
                if index[w] == usize::MAX {
                    (index[w], low[w], on_stack[w]) = (counter, counter, true);
                    stack.push(w);
                    counter += 1;
                    frames.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            frames.pop();
            if let Some(&(u, _)) = frames.last() {
                low[u] = low[u].min(low[v]);
            }
            if low[v] == index[v] {
                let mut scc = vec![];
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    scc.push(w);
                    if w == v {
                        break;
                    }
                }
                sccs.push(scc);
            }
        }
    }
    sccs
}
