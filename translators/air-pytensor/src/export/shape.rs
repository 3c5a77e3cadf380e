//! Shape and indexing ops written for PyTensor: `DimShuffle`, `Alloc`, `ARange`, `Reshape`,
//! `Subtensor`, `AdvancedSubtensor`.

use air_ir::op::{Bound, SliceAxis};
use air_ir::{DType, Dim, Literal, TensorType};
use serde_json::{json, Value as Json};

use super::doc::{op_json, Doc, Pt};
use super::ops::R;

/// `DimShuffle{input_ndim, new_order}`.
pub(super) fn dimshuffle(
    doc: &mut Doc,
    x: &str,
    ndim: usize,
    order: &[Option<usize>],
    out: Pt,
) -> String {
    let new_order: Vec<Json> = order
        .iter()
        .map(|o| o.map_or(json!("x"), |a| json!(a)))
        .collect();
    if order.len() == ndim && order.iter().enumerate().all(|(i, o)| *o == Some(i)) {
        return x.to_string();
    }
    doc.node1(
        op_json(
            "DimShuffle",
            "DimShuffle",
            json!({"input_ndim": ndim, "new_order": new_order}),
        ),
        &[x.to_string()],
        out,
    )
}

pub(super) fn dims(doc: &mut Doc, shape: &[Dim]) -> R<Vec<String>> {
    shape
        .iter()
        .map(|d| {
            doc.dim(d).ok_or_else(|| {
                if d.is_polynomial() {
                    format!("the dim {d} is not known in this graph")
                } else {
                    format!(
                        "the dim {d} uses floordiv or max0 (op set 2), which the PyTensor \
                         export does not write"
                    )
                }
            })
        })
        .collect()
}

/// `Alloc(value, *shape)`.
pub(super) fn alloc(doc: &mut Doc, value: String, shape: &[Dim], out: &Pt) -> R<String> {
    if shape.is_empty() {
        return Ok(value);
    }
    let mut inputs = vec![value];
    inputs.extend(dims(doc, shape)?);
    Ok(doc.node1(op_json("Alloc", "Alloc", json!({})), &inputs, out.clone()))
}

pub(super) fn iota(doc: &mut Doc, dtype: DType, shape: &[Dim], axis: usize) -> R<String> {
    let n = dims(doc, &shape[axis..=axis])?.remove(0);
    let (zero, one) = (doc.int(0), doc.int(1));
    let line = Pt::of(&TensorType::new(dtype, vec![shape[axis].clone()]));
    let a = doc.node1(
        op_json("ARange", "ARange", json!({"dtype": dtype.numpy_name()})),
        &[zero, n, one],
        line,
    );
    let rank = shape.len();
    let order: Vec<Option<usize>> = (0..rank).map(|j| (j == axis).then_some(0)).collect();
    let mut expanded: Vec<Dim> = vec![Dim::constant(1); rank];
    expanded[axis] = shape[axis].clone();
    let e = dimshuffle(
        doc,
        &a,
        1,
        &order,
        Pt::of(&TensorType::new(dtype, expanded.clone())),
    );
    if expanded == shape {
        return Ok(e);
    }
    alloc(
        doc,
        e,
        shape,
        &Pt::of(&TensorType::new(dtype, shape.to_vec())),
    )
}

pub(super) fn broadcast(
    doc: &mut Doc,
    x: &str,
    t: &TensorType,
    shape: &[Dim],
    dims_map: &[u32],
) -> R<String> {
    let rank = shape.len();
    let order: Vec<Option<usize>> = (0..rank)
        .map(|j| dims_map.iter().position(|&d| d as usize == j))
        .collect();
    let mut expanded = vec![Dim::constant(1); rank];
    for (i, &d) in dims_map.iter().enumerate() {
        expanded[d as usize] = t.shape[i].clone();
    }
    let e = dimshuffle(
        doc,
        x,
        t.rank(),
        &order,
        Pt::of(&TensorType::new(t.dtype, expanded.clone())),
    );
    if expanded == shape {
        return Ok(e);
    }
    alloc(
        doc,
        e,
        shape,
        &Pt::of(&TensorType::new(t.dtype, shape.to_vec())),
    )
}

pub(super) fn reshape(doc: &mut Doc, x: &str, shape: &[Dim], o: Pt) -> R<String> {
    let vector = if let Some(cs) = shape
        .iter()
        .map(Dim::as_const)
        .collect::<Option<Vec<i64>>>()
    {
        let data = cs.iter().flat_map(|c| c.to_le_bytes()).collect();
        let lit =
            Literal::new(DType::I64, vec![cs.len() as u64], data).map_err(|e| e.to_string())?;
        doc.constant(&lit, false)
    } else {
        let ds = dims(doc, shape)?;
        let t = Pt {
            dtype: DType::I64,
            shape: vec![Some(ds.len() as u64)],
            scalar: false,
        };
        doc.node1(
            op_json(
                "MakeVector",
                "MakeVector{dtype='int64'}",
                json!({"dtype": "int64"}),
            ),
            &ds,
            t,
        )
    };
    Ok(doc.node1(
        op_json(
            "Reshape",
            &format!("Reshape{{{}}}", shape.len()),
            json!({"ndim": shape.len()}),
        ),
        &[x.to_string(), vector],
        o,
    ))
}

/// `ScalarFromTensor` of a rank-0 tensor (the index inputs of the indexing ops).
pub(super) fn to_scalar(doc: &mut Doc, v: &str) -> String {
    let dtype = doc.ty(v).map_or(DType::I64, |t| t.dtype);
    doc.node1(
        op_json("ScalarFromTensor", "ScalarFromTensor", json!({})),
        &[v.to_string()],
        Pt::scalar_type(dtype),
    )
}

pub(super) fn subtensor(
    doc: &mut Doc,
    x: &str,
    index_tensors: &[String],
    idx: Vec<Json>,
    o: Pt,
) -> String {
    let mut inputs = vec![x.to_string()];
    inputs.extend(index_tensors.iter().map(|i| to_scalar(doc, i)));
    doc.node1(
        op_json("Subtensor", "Subtensor", json!({"idx_list": idx})),
        &inputs,
        o,
    )
}

pub(super) fn slice(doc: &mut Doc, ins: &[String], axes: &[SliceAxis], o: Pt) -> String {
    let mut extra: Vec<String> = vec![];
    let mut bound = |doc: &mut Doc, b: &Bound| -> Json {
        match b {
            Bound::Default => Json::Null,
            Bound::Const(c) => {
                extra.push(doc.constant(&Literal::i64(*c), true));
                json!(extra.len() - 1)
            }
            Bound::Operand(k) => {
                let s = to_scalar(doc, &ins[*k as usize]);
                extra.push(s);
                json!(extra.len() - 1)
            }
        }
    };
    let mut idx = vec![];
    for s in axes {
        let start = bound(doc, &s.start);
        let stop = bound(doc, &s.stop);
        let step = if s.step == 1 {
            Json::Null
        } else {
            bound(doc, &Bound::Const(s.step))
        };
        idx.push(json!({"slice": [start, stop, step]}));
    }
    while idx.last() == Some(&json!({"slice": [null, null, null]})) {
        idx.pop();
    }
    if idx.is_empty() {
        return ins[0].clone();
    }
    let mut inputs = vec![ins[0].clone()];
    inputs.extend(extra);
    doc.node1(
        op_json("Subtensor", "Subtensor", json!({"idx_list": idx})),
        &inputs,
        o,
    )
}

pub(super) fn take(
    doc: &mut Doc,
    ins: &[String],
    axis: usize,
    idx_t: &TensorType,
    o: Pt,
) -> String {
    let mut idx: Vec<Json> = vec![json!({"slice": [null, null, null]}); axis];
    idx.push(json!(0));
    if idx_t.rank() == 0 {
        return subtensor(doc, &ins[0], &ins[1..2], idx, o);
    }
    doc.node1(
        op_json(
            "AdvancedSubtensor",
            "AdvancedSubtensor",
            json!({"idx_list": idx}),
        ),
        &ins[..2],
        o,
    )
}
