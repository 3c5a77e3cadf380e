//! Function-level rules (E0304 params, E0305, E0306, E0307, E0214 in result types) and the
//! diagnostic context shared with the region checks in `node.rs`.

use std::collections::{BTreeSet, HashSet};

use crate::diag::{Code, Diagnostic};
use crate::limits::Limits;
use crate::module::{Function, Intent, Module, NodeId, Region, Value};
use crate::types::TensorType;

use super::{function_diag, FunctionIndex, FunctionInfo};

/// Checks one function; returns what was learnt, the first `room` problems, and how many more
/// were found.
pub(super) fn check(
    m: &Module,
    index: &FunctionIndex<'_>,
    f: &Function,
    limits: &Limits,
    room: usize,
) -> (FunctionInfo, Vec<Diagnostic>, usize) {
    let mut c = Checker {
        module: m,
        index,
        func: f,
        limits,
        diags: vec![],
        room,
        uncounted: 0,
        seen: BTreeSet::new(),
    };
    let mirrored = c.check_signature();
    let mut bound: BTreeSet<String> = symbols_of(f.params.iter().map(|p| &p.ty));
    // Size parameters bind their symbols too (op set 2).
    bound.extend(f.params.iter().filter_map(|p| p.size.clone()));
    c.seen = bound.clone();
    let param_symbols = bound.clone();
    let scope = Scope {
        path: vec![],
        regions: vec![],
        owner: None,
        what: "body",
        depth: 0,
        out_params: f
            .body
            .params
            .iter()
            .enumerate()
            .map(|(i, _)| f.params.get(i).is_some_and(|p| p.intent == Intent::Out))
            .collect(),
    };
    let (body, known) = c.check_region(&f.body, &scope, &mut bound);
    // Yield types depend on the body params: when those are wrong, E0305 would only repeat it.
    c.check_returns(&known, &bound, mirrored);
    let info = FunctionInfo {
        name: f.name.clone(),
        param_symbols,
        symbols: c.seen.clone(),
        body,
    };
    (info, c.diags, c.uncounted)
}

/// Every symbol of these types.
pub(super) fn symbols_of<'t>(types: impl IntoIterator<Item = &'t TensorType>) -> BTreeSet<String> {
    types
        .into_iter()
        .flat_map(|t| t.shape.iter())
        .flat_map(|d| d.symbols().into_iter().map(str::to_string))
        .collect()
}

/// Where a region sits: under which node, which of its regions, how deep.
pub(super) struct Scope<'r> {
    /// The path of the node owning the region (empty for the function body).
    pub(super) path: Vec<NodeId>,
    /// Which region of each owner node on `path` the scope is in.
    pub(super) regions: Vec<u32>,
    /// The region holding the owner node, and the owner's id.
    pub(super) owner: Option<(&'r Region, NodeId)>,
    /// `body`, `then branch`, `else branch`.
    pub(super) what: &'static str,
    /// Nesting depth (0 for the function body).
    pub(super) depth: usize,
    /// Per region param: true for an `out` param of the function (the body only).
    pub(super) out_params: Vec<bool>,
}

/// The state of checking one function.
pub(super) struct Checker<'a> {
    pub(super) module: &'a Module,
    /// The module's functions by name.
    pub(super) index: &'a FunctionIndex<'a>,
    pub(super) func: &'a Function,
    pub(super) limits: &'a Limits,
    /// The problems kept in full: at most `room`.
    pub(super) diags: Vec<Diagnostic>,
    pub(super) room: usize,
    /// The problems found past `room`: counted, not kept.
    pub(super) uncounted: usize,
    /// Every symbol bound so far anywhere in the function (a fresh one must be new to it).
    pub(super) seen: BTreeSet<String>,
}

impl Checker<'_> {
    /// Keeps a problem, or only counts it once `room` are kept.
    pub(super) fn push(&mut self, d: Diagnostic) {
        if self.diags.len() < self.room {
            self.diags.push(d);
        } else {
            self.uncounted += 1;
        }
    }

    /// Every problem found so far, kept or counted.
    pub(super) fn errors(&self) -> usize {
        self.diags.len() + self.uncounted
    }

    /// True once no more problems are kept in full: their context is not worth rendering.
    fn full(&self) -> bool {
        self.diags.len() >= self.room
    }

    /// A problem with the function as a whole.
    pub(super) fn report_fn(&mut self, code: Code, msg: String) {
        let d = function_diag(self.func, code, msg);
        self.push(d);
    }

    /// A problem with a region as a whole (its params or yields), reported at its owner node.
    pub(super) fn report_region(&mut self, scope: &Scope<'_>, code: Code, msg: String) {
        match scope.owner {
            None => self.report_fn(code, msg),
            Some((region, id)) => {
                let d = Diagnostic::new(code, format!("{}: {msg}", scope.what));
                let outer = scope.path.len() - 1;
                let mut d =
                    self.at_node(region, &scope.path[..outer], &scope.regions[..outer], id, d);
                d.node_path = scope.path.clone();
                self.push(d);
            }
        }
    }

    /// Fills in the function, node path, op, text and location of a node's diagnostic (not once
    /// the diagnostic will only be counted: the node's text costs a walk of its region).
    pub(super) fn at_node(
        &self,
        region: &Region,
        path: &[NodeId],
        regions: &[u32],
        id: NodeId,
        d: Diagnostic,
    ) -> Diagnostic {
        if self.full() {
            return d;
        }
        let node = region.node(id);
        let mut node_path = path.to_vec();
        node_path.push(id);
        Diagnostic {
            function: Some(self.func.name.clone()),
            node_path,
            region_path: regions.to_vec(),
            op: Some(node.op.name().to_string()),
            node_text: Some(crate::text::node_summary(region, id)),
            loc: d.loc.clone().or_else(|| node.loc.clone()),
            ..d
        }
    }

    /// E0304 for function params, E0307 for body params that do not mirror them; true when they do.
    fn check_signature(&mut self) -> bool {
        let f = self.func;
        let mut names = HashSet::new();
        for p in &f.params {
            if !names.insert(p.name.as_str()) {
                self.report_fn(
                    Code::DuplicateName,
                    format!("parameter %{} declared twice", p.name),
                );
            }
        }
        self.check_size_params();
        if self.module.opset_version < 2 {
            let sig = f.params.iter().map(|p| (p.name.as_str(), &p.ty));
            let res = f
                .results
                .iter()
                .map(|r| (r.name.as_deref().unwrap_or("result"), &r.ty));
            for (name, ty) in sig.chain(res) {
                if let Some(d) = ty.shape.iter().find(|d| !d.is_polynomial()) {
                    let msg = format!(
                        "%{name}: {ty}: the dim {d} uses floordiv or max0, which are op set 2; \
                         this module declares op set {}",
                        self.module.opset_version
                    );
                    self.report_fn(Code::UnknownOp, msg);
                }
            }
        }
        let body = &f.body.params;
        if body.len() != f.params.len() {
            let msg = format!(
                "the body takes {} params, the signature has {}",
                body.len(),
                f.params.len()
            );
            self.report_fn(Code::BodyParams, msg);
            return false;
        }
        let mut mirrored = true;
        for (i, (b, p)) in body.iter().zip(&f.params).enumerate() {
            if b.name != p.name || b.ty != p.ty {
                let msg = format!(
                    "body param {i} is %{}: {}, the signature has %{}: {}",
                    b.name, b.ty, p.name, p.ty
                );
                self.report_fn(Code::BodyParams, msg);
                mirrored = false;
            }
        }
        mirrored
    }

    /// Size parameters (op set 2, spec §1.5): `in` integer scalars, one per symbol (E0219); a
    /// module of op set 1 has none (E0102).
    fn check_size_params(&mut self) {
        let f = self.func;
        let mut symbols = HashSet::new();
        for p in &f.params {
            let Some(s) = &p.size else { continue };
            if self.module.opset_version < 2 {
                let msg = format!(
                    "parameter %{} is a size parameter (`size {s}`), which is op set 2; this \
                     module declares op set {}",
                    p.name, self.module.opset_version
                );
                self.report_fn(Code::UnknownOp, msg);
            }
            if p.intent != Intent::In || p.ty.rank() != 0 || !p.ty.dtype.is_int() {
                let msg = format!(
                    "size parameter %{}: {} must be an `in` integer scalar (it binds {s})",
                    p.name, p.ty
                );
                self.report_fn(Code::BadSizeParam, msg);
            }
            if !symbols.insert(s.as_str()) {
                let msg = format!("symbol {s} is bound by two size parameters");
                self.report_fn(Code::BadSizeParam, msg);
            }
        }
    }

    /// E0305: the body yields the declared results then out/inout params; E0214 for result types
    /// that mention symbols the function never binds.
    fn check_returns(&mut self, known: &[bool], bound: &BTreeSet<String>, check_types: bool) {
        let f = self.func;
        let want = f.yield_types();
        for r in &f.results {
            if let Some(s) =
                r.ty.shape
                    .iter()
                    .flat_map(|d| d.symbols())
                    .find(|s| !bound.contains(*s))
            {
                let name = r.name.as_deref().unwrap_or("result");
                let msg = format!(
                    "declared result %{name}: {} mentions unbound symbol {s}",
                    r.ty
                );
                self.report_fn(Code::UnknownSymbol, msg);
                return;
            }
        }
        if want.len() != f.body.results.len() {
            let msg = format!(
                "the body yields {} values, the signature needs {} (results, then out/inout params)",
                f.body.results.len(),
                want.len()
            );
            self.report_fn(Code::ReturnMismatch, msg);
            return;
        }
        if !check_types {
            return;
        }
        for (i, (&v, w)) in f.body.results.iter().zip(&want).enumerate() {
            let ty = match v {
                Value::Result { node, .. }
                    if !known.get(node.index()).copied().unwrap_or(false) =>
                {
                    None
                }
                Value::Result { .. } | Value::Param(_) => f.body.value_type(v),
            };
            if let Some(t) = ty.filter(|t| *t != w) {
                let msg = format!("yield {i} is {t}, the signature needs {w}");
                self.report_fn(Code::ReturnMismatch, msg);
            }
        }
    }
}
