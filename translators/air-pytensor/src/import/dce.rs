//! Removing nodes nothing uses: PyTensor graphs carry shape computations that the importer
//! folds into dims, and constants it converts, so some nodes it makes end up unused. AIR ops
//! have no side effects, so they can go.

use air_ir::{NodeId, Region, Value};

/// `r` without the nodes its results do not depend on (nested regions cleaned too).
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
    let mut new_id = vec![None; r.nodes.len()];
    let mut next = 0u32;
    for (k, u) in used.iter().enumerate() {
        if *u {
            new_id[k] = Some(NodeId(next));
            next += 1;
        }
    }
    let remap = |v: &Value| match *v {
        Value::Result { node, index } => match new_id.get(node.index()).copied().flatten() {
            Some(node) => Value::Result { node, index },
            None => *v,
        },
        Value::Param(_) => *v,
    };
    let nodes = std::mem::take(&mut r.nodes);
    r.nodes = nodes
        .into_iter()
        .zip(&used)
        .filter(|(_, u)| **u)
        .map(|(mut n, _)| {
            n.operands = n.operands.iter().map(remap).collect();
            n
        })
        .collect();
    r.results = r.results.iter().map(remap).collect();
}
