//! `scatter` (modes `replace` and `add`; `max` on bool) → `AdvancedIncSubtensor`, and `gather` →
//! `AdvancedSubtensor`, with one index array per tuple position: `indices[..., j]`, a
//! `Subtensor{:, ..., j}`, as PyTensor's own graph of `inc_subtensor(x[I[:, 0], I[:, 1]], y)`.
//!
//! PyTensor 3 builds `AdvancedIncSubtensor` (not `AdvancedIncSubtensor1`, which only its rewrites
//! introduce) even for one index vector, and the exporter writes what PyTensor builds. Its `inc`
//! runs `np.add.at` (duplicates accumulate in index order, `scatter add`; on bool NumPy's `+` is
//! `or`, `scatter max`) and its `set` runs `x[i, j] = y` (the last duplicate wins, `scatter
//! replace`). With no batch axes (`indices` of rank 1) the tuple is one element or slice and the
//! ops are the basic `IncSubtensor` and `Subtensor`, as PyTensor builds them for scalar indices.
//! Refused: `mul`, `min`, `max` on non-bool (PyTensor has no such op) and `k = 0` (no index).

use air_ir::op::ScatterMode;
use air_ir::{DType, Literal, TensorType};
use serde_json::{json, Value as Json};

use super::doc::{op_json, Doc, Pt};
use super::ops::R;
use super::shape::to_scalar;

/// The constant tuple length `k` of `indices` (`None` when it is not known).
fn tuple_len(indices: Option<&TensorType>) -> Option<i64> {
    indices
        .and_then(|t| t.shape.last())
        .and_then(|d| d.as_const())
}

/// Why a `scatter {mode}` of `x` by `indices` is not exported; `None` when it is.
pub(super) fn scatter_refusal(
    mode: ScatterMode,
    x: Option<&TensorType>,
    indices: Option<&TensorType>,
) -> Option<&'static str> {
    let bool_x = x.is_some_and(|t| t.dtype == DType::Bool);
    match mode {
        ScatterMode::Replace | ScatterMode::Add => {}
        ScatterMode::Max if bool_x => {}
        ScatterMode::Mul | ScatterMode::Max | ScatterMode::Min => {
            return Some(
                "PyTensor has no scatter with mul, max or min (inc_subtensor adds, set_subtensor replaces; max only on bool, as or)",
            )
        }
    }
    (tuple_len(indices) == Some(0))
        .then_some("a scatter with empty index tuples (k = 0) has no PyTensor index")
}

/// Why a `gather` by `indices` is not exported; `None` when it is.
pub(super) fn gather_refusal(indices: Option<&TensorType>) -> Option<&'static str> {
    (tuple_len(indices) == Some(0))
        .then_some("a gather with empty index tuples (k = 0) has no PyTensor index")
}

/// `indices[..., j]` for each `j < k`, as PyTensor's `Subtensor{:, ..., j}` (rank-0 tensors when
/// `indices` is a vector).
fn columns(doc: &mut Doc, indices: &str, it: &TensorType) -> R<Vec<String>> {
    let r = it.rank();
    let k = it
        .shape
        .last()
        .and_then(|d| d.as_const())
        .ok_or("the index tuple length is not a constant")?;
    let col_t = TensorType::new(it.dtype, it.shape[..r - 1].to_vec());
    let mut idx: Vec<Json> = vec![json!({"slice": [null, null, null]}); r - 1];
    idx.push(json!(0));
    let mut cols = Vec::with_capacity(k as usize);
    for j in 0..k {
        let c = doc.constant(&Literal::i64(j), true);
        cols.push(doc.node1(
            op_json("Subtensor", "Subtensor", json!({"idx_list": idx.clone()})),
            &[indices.to_string(), c],
            Pt::of(&col_t),
        ));
    }
    Ok(cols)
}

/// `scatter {mode}(x, indices, updates)`.
pub(super) fn scatter(
    doc: &mut Doc,
    mode: ScatterMode,
    ins: &[String],
    xt: &TensorType,
    it: &TensorType,
    o: Pt,
) -> R<String> {
    if let Some(why) = scatter_refusal(mode, Some(xt), Some(it)) {
        return Err(format!("scatter {}: {why}", mode.name()));
    }
    let set = mode == ScatterMode::Replace;
    let cols = columns(doc, &ins[1], it)?;
    let idx: Vec<Json> = (0..cols.len()).map(|j| json!(j)).collect();
    let mut inputs = vec![ins[0].clone(), ins[2].clone()];
    if it.rank() == 1 {
        inputs.extend(cols.iter().map(|c| to_scalar(doc, c)));
        let props = json!({"idx_list": idx, "inplace": false, "set_instead_of_inc": set, "destroyhandler_tolerate_aliased": []});
        let name = if set { "SetSubtensor" } else { "IncSubtensor" };
        return Ok(doc.node1(op_json("IncSubtensor", name, props), &inputs, o));
    }
    inputs.extend(cols);
    let props = json!({"idx_list": idx, "inplace": false, "set_instead_of_inc": set, "ignore_duplicates": false});
    let name = if set {
        "AdvancedSetSubtensor"
    } else {
        "AdvancedIncSubtensor"
    };
    Ok(doc.node1(op_json("AdvancedIncSubtensor", name, props), &inputs, o))
}

/// `gather(x, indices)`.
pub(super) fn gather(doc: &mut Doc, ins: &[String], it: &TensorType, o: Pt) -> R<String> {
    if let Some(why) = gather_refusal(Some(it)) {
        return Err(format!("gather: {why}"));
    }
    let cols = columns(doc, &ins[1], it)?;
    let idx: Vec<Json> = (0..cols.len()).map(|j| json!(j)).collect();
    let mut inputs = vec![ins[0].clone()];
    if it.rank() == 1 {
        inputs.extend(cols.iter().map(|c| to_scalar(doc, c)));
        return Ok(doc.node1(
            op_json("Subtensor", "Subtensor", json!({"idx_list": idx})),
            &inputs,
            o,
        ));
    }
    inputs.extend(cols);
    let name = format!("AdvancedSubtensor{{idx_list={}}}", python_tuple(idx.len()));
    Ok(doc.node1(
        op_json("AdvancedSubtensor", &name, json!({"idx_list": idx})),
        &inputs,
        o,
    ))
}

/// `(0, 1)`, `(0,)`: the `idx_list` in PyTensor's `str`.
fn python_tuple(n: usize) -> String {
    let items: Vec<String> = (0..n).map(|j| j.to_string()).collect();
    if n == 1 {
        format!("({},)", items[0])
    } else {
        format!("({})", items.join(", "))
    }
}
