//! The two phases over one region: handles (E0301, E0302, E0304, E0306), then meaning (the op's op
//! set, E0102; inference, E0213, E0214, E0303 and the codes of `crate::infer`), descending into
//! nested regions.

use std::collections::{BTreeSet, HashSet};

use crate::diag::{Code, Diagnostic};
use crate::dim::Dim;
use crate::infer::{infer_with, Context, DimSlot, Inferred};
use crate::module::{NodeId, Region, Value};
use crate::types::TensorType;

use super::function::{symbols_of, Checker, Scope};
use super::{FreshDim, RegionInfo};

impl Checker<'_> {
    /// Checks a region; returns its info and, per node, whether its result types are known good.
    pub(super) fn check_region(
        &mut self,
        region: &Region,
        scope: &Scope<'_>,
        bound: &mut BTreeSet<String>,
    ) -> (RegionInfo, Vec<bool>) {
        let mut info = RegionInfo::default();
        let mut known = vec![false; region.nodes.len()];
        if scope.depth > self.limits.max_region_depth {
            let msg = format!(
                "regions nested deeper than {}",
                self.limits.max_region_depth
            );
            self.report_region(scope, Code::LimitExceeded, msg);
            return (info, known);
        }
        let handles_ok = self.check_handles(region, scope);
        for (i, node) in region.nodes.iter().enumerate() {
            let id = NodeId(i as u32);
            if !handles_ok[i] {
                continue;
            }
            let Some(types) = operand_types(region, &node.operands, &known) else {
                continue; // an operand is unknown because of an earlier error
            };
            let before = self.errors();
            let nested = self.check_nested(region, scope, id, bound);
            if self.errors() > before {
                continue;
            }
            if !nested.is_empty() {
                info.regions.insert(id, nested);
            }
            match self.check_node(region, id, &types, bound) {
                Ok(fresh) => {
                    known[i] = true;
                    for f in &fresh {
                        bound.insert(f.symbol.clone());
                        self.seen.insert(f.symbol.clone());
                    }
                    if !fresh.is_empty() {
                        info.fresh.insert(id, fresh);
                    }
                }
                Err(d) => {
                    let d = self.at_node(region, &scope.path, &scope.regions, id, d);
                    self.push(d);
                }
            }
        }
        (info, known)
    }

    /// Checks the regions of node `id` (in a scope where their params' symbols are bound too).
    fn check_nested(
        &mut self,
        region: &Region,
        scope: &Scope<'_>,
        id: NodeId,
        bound: &BTreeSet<String>,
    ) -> Vec<RegionInfo> {
        let op = &region.node(id).op;
        let mut out = vec![];
        for (k, (what, r)) in op.named_regions().into_iter().enumerate() {
            let mut path = scope.path.clone();
            path.push(id);
            let mut regions = scope.regions.clone();
            regions.push(k as u32);
            let inner = Scope {
                path,
                regions,
                owner: Some((region, id)),
                what,
                depth: scope.depth + 1,
                out_params: vec![],
            };
            let mut inner_bound = bound.clone();
            inner_bound.extend(symbols_of(r.params.iter().map(|p| &p.ty)));
            out.push(self.check_region(r, &inner, &mut inner_bound).0);
        }
        out
    }

    /// Phase (a): per node, true when every operand handle is good.
    fn check_handles(&mut self, region: &Region, scope: &Scope<'_>) -> Vec<bool> {
        let mut names: HashSet<&str> = HashSet::new();
        for p in &region.params {
            // The body's params are the signature's, whose duplicates are reported once already.
            if !names.insert(p.name.as_str()) && scope.owner.is_some() {
                let msg = format!("parameter %{} declared twice", p.name);
                self.report_region(scope, Code::DuplicateName, msg);
            }
        }
        let mut ok = vec![true; region.nodes.len()];
        for (i, node) in region.nodes.iter().enumerate() {
            let id = NodeId(i as u32);
            for (k, &v) in node.operands.iter().enumerate() {
                if let Err((code, msg)) = self.handle(region, scope, v, i) {
                    ok[i] &= code == Code::OutParamRead;
                    let d = Diagnostic::new(code, format!("operand {k}: {msg}"));
                    let d = self.at_node(region, &scope.path, &scope.regions, id, d);
                    self.push(d);
                }
            }
            if let Some(name) = &node.name {
                if !names.insert(name.as_str()) {
                    let d =
                        Diagnostic::new(Code::DuplicateName, format!("name %{name} used twice"));
                    let d = self.at_node(region, &scope.path, &scope.regions, id, d);
                    self.push(d);
                }
            }
        }
        for (k, &v) in region.results.iter().enumerate() {
            if let Err((code, msg)) = self.handle(region, scope, v, region.nodes.len()) {
                self.report_region(scope, code, format!("yield {k}: {msg}"));
            }
        }
        ok
    }

    /// One handle, used by node number `user` (the region's node count for a yield).
    fn handle(
        &self,
        region: &Region,
        scope: &Scope<'_>,
        v: Value,
        user: usize,
    ) -> Result<(), (Code, String)> {
        match v {
            Value::Param(p) => {
                let Some(param) = region.params.get(p as usize) else {
                    let n = region.params.len();
                    return Err((
                        Code::BadHandle,
                        format!("parameter #{p} does not exist ({n} params)"),
                    ));
                };
                if scope.out_params.get(p as usize).copied().unwrap_or(false) {
                    return Err((
                        Code::OutParamRead,
                        format!("out parameter %{} is read", param.name),
                    ));
                }
                Ok(())
            }
            Value::Result { node, index } => {
                if node.index() >= user {
                    return Err((
                        Code::BadHandle,
                        format!("{node} is not defined before its use"),
                    ));
                }
                let count = region.nodes[node.index()].results.len();
                if index as usize >= count {
                    let msg = format!("{node}#{index} does not exist ({node} has {count} results)");
                    return Err((Code::BadResultIndex, msg));
                }
                Ok(())
            }
        }
    }

    /// Phase (b) for one node whose operands are known: inference, then the declared results.
    fn check_node(
        &self,
        region: &Region,
        id: NodeId,
        operands: &[TensorType],
        bound: &BTreeSet<String>,
    ) -> Result<Vec<FreshDim>, Diagnostic> {
        let node = region.node(id);
        let (needs, declared) = (node.op.opset(), self.module.opset_version);
        if needs > declared {
            return Err(Diagnostic::new(
                Code::UnknownOp,
                format!(
                    "`{}` is an op of op set {needs}; this module declares op set {declared}",
                    node.op.name()
                ),
            ));
        }
        if declared < 2 {
            let attr = node.op.shape_attr().unwrap_or(&[]).iter();
            let results = node.results.iter().flat_map(|t| t.shape.iter());
            if let Some(d) = attr.chain(results).find(|d| !d.is_polynomial()) {
                return Err(Diagnostic::new(
                    Code::UnknownOp,
                    format!(
                        "the dim {d} uses floordiv or max0, which are op set 2; this module \
                         declares op set {declared}"
                    ),
                ));
            }
        }
        for d in node.op.shape_attr().unwrap_or(&[]) {
            if let Some(s) = unbound_symbol(d, bound) {
                return Err(Diagnostic::new(
                    Code::UnknownSymbol,
                    format!("shape attribute mentions unbound symbol {s}"),
                ));
            }
        }
        let ctx = Context {
            functions: &self.module.functions,
            index: Some(self.index),
            declared: Some(&node.results),
            bound: Some(bound),
        };
        let inferred = infer_with(&node.op, operands, &ctx)?;
        if inferred.len() != node.results.len() {
            return Err(Diagnostic::new(
                Code::ResultCount,
                format!(
                    "the op gives {} results, the node declares {}",
                    inferred.len(),
                    node.results.len()
                ),
            ));
        }
        let mut fresh = vec![];
        for (r, (inf, decl)) in inferred.iter().zip(&node.results).enumerate() {
            // Where op set 1 gave a slice a fresh dim, a new symbol stays accepted.
            let lenient: Vec<bool> = match (&node.op, operands.first()) {
                (crate::op::Op::Slice { axes }, Some(x)) => axes
                    .iter()
                    .zip(&x.shape)
                    .map(|(s, d)| crate::infer::slice::fresh_in_opset1(s, d))
                    .collect(),
                _ => vec![],
            };
            self.compare(r, inf, decl, bound, &mut fresh, &lenient)?;
        }
        Ok(fresh)
    }

    /// A declared result type against the inferred one; fresh dims are collected. `lenient`: the
    /// axes where a `slice` had a fresh dim in op set 1, which a new symbol may still name.
    fn compare(
        &self,
        r: usize,
        inf: &Inferred,
        decl: &TensorType,
        bound: &BTreeSet<String>,
        fresh: &mut Vec<FreshDim>,
        lenient: &[bool],
    ) -> Result<(), Diagnostic> {
        let differ = || {
            Diagnostic::new(
                Code::ResultTypeMismatch,
                format!("result {r} is declared {decl}, inferred {inf}"),
            )
        };
        if inf.dtype != decl.dtype || inf.rank() != decl.rank() {
            return Err(differ());
        }
        for (axis, (slot, d)) in inf.shape.iter().zip(&decl.shape).enumerate() {
            match slot {
                // A slice extent that op set 1 left fresh (a strided slice of a symbolic axis)
                // may still be declared with a new symbol, bound at run time (spec §1.5.4).
                DimSlot::Known(_)
                    if lenient.get(axis).copied().unwrap_or(false)
                        && self.new_symbol(d, fresh).is_some() =>
                {
                    let s = self.new_symbol(d, fresh).unwrap_or_default().to_string();
                    fresh.push(FreshDim {
                        result: r as u32,
                        axis: axis as u32,
                        symbol: s,
                    });
                }
                DimSlot::Known(k) => {
                    if let Some(s) = unbound_symbol(d, bound) {
                        let msg = format!("result {r} is declared {decl}: unbound symbol {s}");
                        return Err(Diagnostic::new(Code::UnknownSymbol, msg));
                    }
                    if k != d {
                        return Err(differ());
                    }
                }
                DimSlot::FreshAgain(k) => {
                    let same = fresh
                        .get(*k)
                        .filter(|f| d.as_symbol() == Some(f.symbol.as_str()));
                    if same.is_none() {
                        let msg = format!(
                            "result {r} axis {axis} has the extent of the node's fresh dim {k}: \
                             declare it with that dim's symbol, not {d} (declared {decl}, \
                             inferred {inf})"
                        );
                        return Err(Diagnostic::new(Code::ResultTypeMismatch, msg));
                    }
                }
                DimSlot::Fresh => {
                    let Some(s) = self.new_symbol(d, fresh) else {
                        let msg = format!(
                            "result {r} axis {axis} is known only at run time: declare it with a \
                             symbol new to the function, not {d} (declared {decl}, inferred {inf})"
                        );
                        return Err(Diagnostic::new(Code::ResultTypeMismatch, msg));
                    };
                    fresh.push(FreshDim {
                        result: r as u32,
                        axis: axis as u32,
                        symbol: s.to_string(),
                    });
                }
            }
        }
        Ok(())
    }
}

impl Checker<'_> {
    /// The symbol when `d` is a lone symbol new to the function and to this node's results.
    fn new_symbol<'d>(&self, d: &'d Dim, fresh: &[FreshDim]) -> Option<&'d str> {
        d.as_symbol()
            .filter(|s| !self.seen.contains(*s) && !fresh.iter().any(|f| f.symbol == *s))
    }
}

/// The operand types, when every operand's producer is known good.
fn operand_types(region: &Region, operands: &[Value], known: &[bool]) -> Option<Vec<TensorType>> {
    operands
        .iter()
        .map(|&v| {
            if let Value::Result { node, .. } = v {
                if !known.get(node.index()).copied().unwrap_or(false) {
                    return None;
                }
            }
            region.value_type(v).cloned()
        })
        .collect()
}

fn unbound_symbol<'d>(d: &'d Dim, bound: &BTreeSet<String>) -> Option<&'d str> {
    d.symbols().into_iter().find(|s| !bound.contains(*s))
}
