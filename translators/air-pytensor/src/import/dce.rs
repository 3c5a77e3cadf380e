//! Removing nodes nothing uses: PyTensor graphs carry shape computations that the importer
//! folds into dims, and constants it converts, so some nodes it makes end up unused. AIR ops
//! have no side effects, so they can go. Nodes of the document that the outputs do not depend
//! on are not lowered at all ([`live_nodes`]).
//!
//! The importer makes constants when it first needs them, which is not always where they are
//! first used (a fold may look at one early); the pruned region puts every node without operands
//! (`constant`, `full`, `iota`) right before its first user, so where the importer happened to
//! make a constant does not show, and an import of an export settles.

use air_ir::{Node, NodeId, Region, Value};

use crate::json::{Graph, VarKind};

/// `r` without the nodes its results do not depend on, nodes without operands moved to their
/// first use (nested regions cleaned too).
pub(crate) fn prune(r: &mut Region) {
    for n in &mut r.nodes {
        for region in n.op.regions_mut() {
            prune(region);
        }
    }
    let mut used = vec![false; r.nodes.len()];
    let mark = |v: &Value, used: &mut Vec<bool>| {
        if let Value::Result { node, .. } = v {
            if let Some(u) = used.get_mut(node.index()) {
                *u = true;
            }
        }
    };
    for v in &r.results {
        mark(v, &mut used);
    }
    for k in (0..r.nodes.len()).rev() {
        if used[k] {
            for v in &r.nodes[k].operands {
                mark(v, &mut used);
            }
        }
    }
    let order = leaves_at_first_use(r, &used);
    let mut new_id = vec![None; r.nodes.len()];
    for (j, &k) in order.iter().enumerate() {
        new_id[k] = Some(NodeId(j as u32));
    }
    let remap = |v: &Value| match *v {
        Value::Result { node, index } => match new_id.get(node.index()).copied().flatten() {
            Some(node) => Value::Result { node, index },
            None => *v,
        },
        Value::Param(_) => *v,
    };
    let mut nodes: Vec<Option<Node>> = std::mem::take(&mut r.nodes).into_iter().map(Some).collect();
    r.nodes = order
        .iter()
        .filter_map(|&k| nodes[k].take())
        .map(|mut n| {
            n.operands = n.operands.iter().map(remap).collect();
            n
        })
        .collect();
    r.results = r.results.iter().map(remap).collect();
}

/// The order of the used nodes of `r`: as they are, except that each node without operands comes
/// right before its first user (or at the end, in result order, when only results use it).
fn leaves_at_first_use(r: &Region, used: &[bool]) -> Vec<usize> {
    let leaf = |k: usize| r.nodes[k].operands.is_empty() && r.nodes[k].op.regions().is_empty();
    let mut placed = vec![false; r.nodes.len()];
    let mut order = Vec::with_capacity(r.nodes.len());
    let place_leaf = |v: &Value, placed: &mut Vec<bool>, order: &mut Vec<usize>| {
        if let Value::Result { node, .. } = v {
            let k = node.index();
            if k < r.nodes.len() && leaf(k) && !placed[k] {
                placed[k] = true;
                order.push(k);
            }
        }
    };
    for (k, n) in r.nodes.iter().enumerate() {
        if !used[k] || leaf(k) {
            continue;
        }
        for v in &n.operands {
            place_leaf(v, &mut placed, &mut order);
        }
        placed[k] = true;
        order.push(k);
    }
    for v in &r.results {
        place_leaf(v, &mut placed, &mut order);
    }
    order
}

/// Which nodes the graph's outputs depend on. PyTensor never runs the others (a
/// `FunctionGraph` holds only the outputs' ancestors), so they must not constrain dims: an input
/// shape unified by a dead node would make the AIR signature stricter than the graph. The one
/// exception is a `SpecifyShape` of an input (see the body).
pub(crate) fn live_nodes(g: &Graph) -> Vec<bool> {
    let mut live = vec![false; g.nodes.len()];
    let producer = |v: usize| match g.vars[v].kind {
        VarKind::NodeOutput { node, .. } => Some(node),
        VarKind::Input | VarKind::Constant(_) => None,
    };
    for &o in &g.outputs {
        if let Some(n) = producer(o) {
            live[n] = true;
        }
    }
    // A `SpecifyShape` of an input states the signature (the exporter writes one for an input
    // whose dims repeat another input's): kept even when no output uses it. PyTensor itself
    // drops nodes no output depends on, so in PyTensor such a dim equality goes unchecked.
    for (k, n) in g.nodes.iter().enumerate() {
        if n.op.class == "SpecifyShape"
            && n.inputs
                .first()
                .is_some_and(|&x| matches!(g.vars[x].kind, VarKind::Input))
        {
            live[k] = true;
        }
    }
    for &k in g.order.iter().rev() {
        if live[k] {
            for &i in &g.nodes[k].inputs {
                if let Some(n) = producer(i) {
                    live[n] = true;
                }
            }
        }
    }
    live
}
