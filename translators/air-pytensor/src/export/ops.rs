//! One AIR node as PyTensor nodes.

use air_ir::op::{ArgKind, Bound, ReduceKind, ScanKind, SliceAxis};
use air_ir::{BinaryOp, DType, Dim, Literal, Node, Op, Region, Scalar, TensorType, UnaryOp};
use serde_json::{json, Value as Json};

use super::doc::{elemwise_json, op_json, Doc, Pt};
use super::Ex;
use crate::table::ScalarKind;

/// A failure with its reason.
pub(crate) type R<T> = Result<T, String>;

fn one(v: Vec<String>) -> Vec<String> {
    v
}

impl Ex<'_> {
    /// Writes one node; returns its result variables.
    pub fn node(&self, doc: &mut Doc, r: &Region, node: &Node, ins: &[String]) -> R<Vec<String>> {
        let ty = |k: usize| -> R<TensorType> {
            node.operands
                .get(k)
                .and_then(|&v| r.value_type(v))
                .cloned()
                .ok_or_else(|| format!("operand {k} has no type"))
        };
        let out = node.results.first().cloned().unwrap_or_else(|| TensorType::scalar(DType::F64));
        let o = Pt::of(&out);
        let v = match &node.op {
            Op::Constant(lit) => doc.constant(lit, false),
            Op::Iota { dtype, shape, axis } => iota(doc, *dtype, shape, *axis as usize)?,
            Op::Full { value, shape } => {
                let c = doc.constant(value, false);
                alloc(doc, c, shape, &o)?
            }
            Op::Unary(u) => unary(doc, *u, &ins[0], &ty(0)?, o)?,
            Op::Binary(b) => binary(doc, *b, &ins[0], &ins[1], &ty(0)?, o)?,
            Op::Select => doc.node1(elemwise_json(ScalarKind::Switch, None), ins, o),
            Op::Cast { dtype } => doc.node1(elemwise_json(ScalarKind::Cast, Some(*dtype)), ins, o),
            Op::Clip => {
                let mx = doc.node1(elemwise_json(ScalarKind::Binary(BinaryOp::Max), None), &ins[..2], o.clone());
                doc.node1(elemwise_json(ScalarKind::Binary(BinaryOp::Min), None), &[mx, ins[2].clone()], o)
            }
            Op::Broadcast { shape, dims } => broadcast(doc, &ins[0], &ty(0)?, shape, dims)?,
            Op::Reshape { shape } => reshape(doc, &ins[0], shape, o)?,
            Op::Transpose { perm } => {
                let order: Vec<Option<usize>> = perm.iter().map(|&p| Some(p as usize)).collect();
                dimshuffle(doc, &ins[0], perm.len(), &order, o)
            }
            Op::ExpandDims { axes } => {
                let rank = out.rank();
                let mut next = 0;
                let order: Vec<Option<usize>> = (0..rank)
                    .map(|j| {
                        if axes.contains(&(j as u32)) {
                            None
                        } else {
                            next += 1;
                            Some(next - 1)
                        }
                    })
                    .collect();
                dimshuffle(doc, &ins[0], rank - axes.len(), &order, o)
            }
            Op::Squeeze { axes } => {
                let rank = ty(0)?.rank();
                let order: Vec<Option<usize>> = (0..rank).filter(|a| !axes.contains(&(*a as u32))).map(Some).collect();
                dimshuffle(doc, &ins[0], rank, &order, o)
            }
            Op::Slice { axes } => slice(doc, ins, axes, o),
            Op::Concat { axis } => {
                let a = doc.int(i64::from(*axis));
                let mut inputs = vec![a];
                inputs.extend(ins.iter().cloned());
                doc.node1(op_json("Join", "Join", json!({})), &inputs, o)
            }
            Op::Take { axis } => take(doc, ins, *axis as usize, &ty(1)?, o),
            Op::Extract => {
                let idx: Vec<Json> = (0..ins.len() - 1).map(|k| json!(k)).collect();
                subtensor(doc, &ins[0], &ins[1..], idx, o)
            }
            Op::Insert => {
                let mut inputs = vec![ins[0].clone(), ins[1].clone()];
                inputs.extend(ins[2..].iter().map(|i| to_scalar(doc, i)));
                let idx: Vec<Json> = (0..ins.len() - 2).map(|k| json!(k)).collect();
                let props = json!({"idx_list": idx, "inplace": false, "set_instead_of_inc": true, "destroyhandler_tolerate_aliased": []});
                doc.node1(op_json("IncSubtensor", "SetSubtensor", props), &inputs, o)
            }
            Op::Filter => doc.node1(op_json("AdvancedSubtensor", "AdvancedSubtensor", json!({"idx_list": [0]})), ins, o),
            Op::Reduce { kind, axes, keepdims } => reduce(doc, *kind, &ins[0], &ty(0)?, axes, *keepdims, &out)?,
            Op::ArgReduce { kind, axis, keepdims } => argreduce(doc, *kind, &ins[0], &ty(0)?, *axis, *keepdims, &out),
            Op::Scan { kind, axis } => {
                let mode = match kind {
                    ScanKind::Cumsum => "add",
                    ScanKind::Cumprod => "mul",
                };
                doc.node1(op_json("CumOp", "CumOp", json!({"axis": axis, "mode": mode})), ins, o)
            }
            Op::Sort { axis, descending } => {
                let a = doc.int(i64::from(*axis));
                let s = doc.node1(op_json("SortOp", "SortOp{kind='quicksort'}", json!({"kind": "quicksort"})), &[ins[0].clone(), a], o.clone());
                if *descending {
                    let mut axes = vec![SliceAxis::full(); out.rank()];
                    axes[*axis as usize] = SliceAxis { start: Bound::Default, stop: Bound::Default, step: -1 };
                    slice(doc, &[s], &axes, o)
                } else {
                    s
                }
            }
            Op::Einsum { spec } => {
                let types = (0..ins.len()).map(ty).collect::<R<Vec<_>>>()?;
                einsum(doc, spec, ins, &types, &out)?
            }
            Op::Matmul => matmul(doc, &ins[0], &ins[1], &ty(0)?, &ty(1)?, &out),
            Op::For { body } => return self.for_loop(doc, r, node, body, ins),
            Op::If { then_branch, else_branch } => return self.if_else(doc, r, node, then_branch, else_branch, ins),
            Op::Call { callee } => return self.call(doc, callee, ins),
            Op::Custom(c) => return self.custom(doc, node, c, ins),
        };
        Ok(one(vec![v]))
    }
}

/// `DimShuffle{input_ndim, new_order}`.
pub(crate) fn dimshuffle(doc: &mut Doc, x: &str, ndim: usize, order: &[Option<usize>], out: Pt) -> String {
    let new_order: Vec<Json> = order.iter().map(|o| o.map_or(json!("x"), |a| json!(a))).collect();
    if order.len() == ndim && order.iter().enumerate().all(|(i, o)| *o == Some(i)) {
        return x.to_string();
    }
    doc.node1(
        op_json("DimShuffle", "DimShuffle", json!({"input_ndim": ndim, "new_order": new_order})),
        &[x.to_string()],
        out,
    )
}

fn dims(doc: &mut Doc, shape: &[Dim]) -> R<Vec<String>> {
    shape
        .iter()
        .map(|d| doc.dim(d).ok_or_else(|| format!("the dim {d} is not known in this graph")))
        .collect()
}

/// `Alloc(value, *shape)`.
fn alloc(doc: &mut Doc, value: String, shape: &[Dim], out: &Pt) -> R<String> {
    if shape.is_empty() {
        return Ok(value);
    }
    let mut inputs = vec![value];
    inputs.extend(dims(doc, shape)?);
    Ok(doc.node1(op_json("Alloc", "Alloc", json!({})), &inputs, out.clone()))
}

fn iota(doc: &mut Doc, dtype: DType, shape: &[Dim], axis: usize) -> R<String> {
    let n = dims(doc, &shape[axis..=axis])?.remove(0);
    let (zero, one) = (doc.int(0), doc.int(1));
    let line = Pt::of(&TensorType::new(dtype, vec![shape[axis].clone()]));
    let a = doc.node1(op_json("ARange", "ARange", json!({"dtype": dtype.numpy_name()})), &[zero, n, one], line);
    let rank = shape.len();
    let order: Vec<Option<usize>> = (0..rank).map(|j| (j == axis).then_some(0)).collect();
    let mut expanded: Vec<Dim> = vec![Dim::constant(1); rank];
    expanded[axis] = shape[axis].clone();
    let e = dimshuffle(doc, &a, 1, &order, Pt::of(&TensorType::new(dtype, expanded.clone())));
    if expanded == shape {
        return Ok(e);
    }
    alloc(doc, e, shape, &Pt::of(&TensorType::new(dtype, shape.to_vec())))
}

fn unary(doc: &mut Doc, u: UnaryOp, x: &str, t: &TensorType, o: Pt) -> R<String> {
    let bool_of = |t: &TensorType| Pt::of(&t.with_dtype(DType::Bool));
    Ok(match u {
        UnaryOp::IsFinite => {
            let nan = doc.node1(elemwise_json(ScalarKind::Unary(UnaryOp::IsNan), None), &[x.to_string()], bool_of(t));
            let inf = doc.node1(elemwise_json(ScalarKind::Unary(UnaryOp::IsInf), None), &[x.to_string()], bool_of(t));
            let either = doc.node1(elemwise_json(ScalarKind::Binary(BinaryOp::Or), None), &[nan, inf], bool_of(t));
            doc.node1(elemwise_json(ScalarKind::Unary(UnaryOp::Not), None), &[either], o)
        }
        UnaryOp::Rsqrt => {
            let s = doc.node1(elemwise_json(ScalarKind::Unary(UnaryOp::Sqrt), None), &[x.to_string()], o.clone());
            doc.node1(elemwise_json(ScalarKind::Unary(UnaryOp::Reciprocal), None), &[s], o)
        }
        u => doc.node1(elemwise_json(ScalarKind::Unary(u), None), &[x.to_string()], o),
    })
}

fn binary(doc: &mut Doc, b: BinaryOp, x: &str, y: &str, t: &TensorType, o: Pt) -> R<String> {
    let e = |k| elemwise_json(k, None);
    let xy = [x.to_string(), y.to_string()];
    Ok(match b {
        BinaryOp::Rem if t.dtype.is_signed_int() => {
            // C fmod from Python's mod: where they differ (a non-zero result whose sign is not
            // the dividend's), fmod = mod - b.
            let bool_t = Pt::of(&t.with_dtype(DType::Bool));
            let m = doc.node1(e(ScalarKind::Binary(BinaryOp::Mod)), &xy, o.clone());
            let zero = doc.constant(&Literal { dtype: t.dtype, shape: vec![], data: Scalar::Int(0).to_le_bytes(t.dtype) }, false);
            let z = dimshuffle(doc, &zero, 0, &vec![None; t.rank()], Pt::of(&TensorType::new(t.dtype, vec![Dim::constant(1); t.rank()])));
            let nz = doc.node1(e(ScalarKind::Binary(BinaryOp::Ne)), &[m.clone(), z.clone()], bool_t.clone());
            let xneg = doc.node1(e(ScalarKind::Binary(BinaryOp::Lt)), &[x.to_string(), z.clone()], bool_t.clone());
            let yneg = doc.node1(e(ScalarKind::Binary(BinaryOp::Lt)), &[y.to_string(), z], bool_t.clone());
            let differ = doc.node1(e(ScalarKind::Binary(BinaryOp::Ne)), &[xneg, yneg], bool_t.clone());
            let fix = doc.node1(e(ScalarKind::Binary(BinaryOp::And)), &[nz, differ], bool_t);
            let adjusted = doc.node1(e(ScalarKind::Binary(BinaryOp::Sub)), &[m.clone(), y.to_string()], o.clone());
            doc.node1(e(ScalarKind::Switch), &[fix, adjusted, m], o)
        }
        BinaryOp::Rem if t.dtype.is_int() => doc.node1(e(ScalarKind::Binary(BinaryOp::Mod)), &xy, o),
        BinaryOp::Rem | BinaryOp::Shl | BinaryOp::Shr => return Err(format!("{} has no PyTensor form", b.name())),
        b => doc.node1(e(ScalarKind::Binary(b)), &xy, o),
    })
}

fn broadcast(doc: &mut Doc, x: &str, t: &TensorType, shape: &[Dim], dims_map: &[u32]) -> R<String> {
    let rank = shape.len();
    let order: Vec<Option<usize>> = (0..rank)
        .map(|j| dims_map.iter().position(|&d| d as usize == j))
        .collect();
    let mut expanded = vec![Dim::constant(1); rank];
    for (i, &d) in dims_map.iter().enumerate() {
        expanded[d as usize] = t.shape[i].clone();
    }
    let e = dimshuffle(doc, x, t.rank(), &order, Pt::of(&TensorType::new(t.dtype, expanded.clone())));
    if expanded == shape {
        return Ok(e);
    }
    alloc(doc, e, shape, &Pt::of(&TensorType::new(t.dtype, shape.to_vec())))
}

fn reshape(doc: &mut Doc, x: &str, shape: &[Dim], o: Pt) -> R<String> {
    let vector = if let Some(cs) = shape.iter().map(Dim::as_const).collect::<Option<Vec<i64>>>() {
        let data = cs.iter().flat_map(|c| c.to_le_bytes()).collect();
        let lit = Literal::new(DType::I64, vec![cs.len() as u64], data).map_err(|e| e.to_string())?;
        doc.constant(&lit, false)
    } else {
        let ds = dims(doc, shape)?;
        let t = Pt { dtype: DType::I64, shape: vec![Some(ds.len() as u64)], scalar: false };
        doc.node1(op_json("MakeVector", "MakeVector{dtype='int64'}", json!({"dtype": "int64"})), &ds, t)
    };
    Ok(doc.node1(
        op_json("Reshape", &format!("Reshape{{{}}}", shape.len()), json!({"ndim": shape.len()})),
        &[x.to_string(), vector],
        o,
    ))
}

/// `ScalarFromTensor` of a rank-0 tensor (the index inputs of the indexing ops).
fn to_scalar(doc: &mut Doc, v: &str) -> String {
    let dtype = doc.ty(v).map_or(DType::I64, |t| t.dtype);
    doc.node1(op_json("ScalarFromTensor", "ScalarFromTensor", json!({})), &[v.to_string()], Pt::scalar_type(dtype))
}

fn subtensor(doc: &mut Doc, x: &str, index_tensors: &[String], idx: Vec<Json>, o: Pt) -> String {
    let mut inputs = vec![x.to_string()];
    inputs.extend(index_tensors.iter().map(|i| to_scalar(doc, i)));
    doc.node1(op_json("Subtensor", "Subtensor", json!({"idx_list": idx})), &inputs, o)
}

fn slice(doc: &mut Doc, ins: &[String], axes: &[SliceAxis], o: Pt) -> String {
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
        let step = if s.step == 1 { Json::Null } else { bound(doc, &Bound::Const(s.step)) };
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
    doc.node1(op_json("Subtensor", "Subtensor", json!({"idx_list": idx})), &inputs, o)
}

fn take(doc: &mut Doc, ins: &[String], axis: usize, idx_t: &TensorType, o: Pt) -> String {
    let mut idx: Vec<Json> = vec![json!({"slice": [null, null, null]}); axis];
    idx.push(json!(0));
    if idx_t.rank() == 0 {
        return subtensor(doc, &ins[0], &ins[1..2], idx, o);
    }
    doc.node1(op_json("AdvancedSubtensor", "AdvancedSubtensor", json!({"idx_list": idx})), &ins[..2], o)
}

fn reduce(doc: &mut Doc, kind: ReduceKind, x: &str, t: &TensorType, axes: &[u32], keepdims: bool, out: &TensorType) -> R<String> {
    if axes.is_empty() {
        return Ok(x.to_string());
    }
    let d = t.dtype.numpy_name();
    let axis: Json = if axes.len() == t.rank() { Json::Null } else { json!(axes) };
    let scalar = |k| json!({"op": super::doc::scalar_json(k, None)});
    let reduced: Vec<Dim> = (0..t.rank()).filter(|a| !axes.contains(&(*a as u32))).map(|a| t.shape[a].clone()).collect();
    let rt = Pt::of(&TensorType::new(t.dtype, reduced.clone()));
    let sum = |doc: &mut Doc| {
        let props = json!({"scalar_op": scalar(ScalarKind::Binary(BinaryOp::Add)), "axis": axis, "dtype": d, "acc_dtype": d, "upcast_discrete_output": true});
        doc.node1(op_json("Sum", "Sum", props), &[x.to_string()], rt.clone())
    };
    let plain = |class: &str, k: BinaryOp| {
        (class.to_string(), json!({"scalar_op": scalar(ScalarKind::Binary(k)), "axis": axis, "dtype": null, "acc_dtype": null, "upcast_discrete_output": false}))
    };
    let v = match kind {
        ReduceKind::Sum => sum(doc),
        ReduceKind::Mean => {
            let s = sum(doc);
            let mut count = Dim::constant(1);
            for &a in axes {
                count = count.mul(&t.shape[a as usize]).map_err(|e| e.to_string())?;
            }
            let n = doc.dim(&count).ok_or("a reduced dim is not known in this graph")?;
            let nf = doc.node1(elemwise_json(ScalarKind::Cast, Some(t.dtype)), &[n], Pt::scalar_tensor(t.dtype));
            let ones = Pt::of(&TensorType::new(t.dtype, vec![Dim::constant(1); reduced.len()]));
            let nb = dimshuffle(doc, &nf, 0, &vec![None; reduced.len()], ones);
            doc.node1(elemwise_json(ScalarKind::Binary(BinaryOp::Div), None), &[s, nb], rt.clone())
        }
        ReduceKind::Prod => {
            let props = json!({"scalar_op": scalar(ScalarKind::Binary(BinaryOp::Mul)), "axis": axis, "dtype": d, "acc_dtype": d, "no_zeros_in_input": false});
            doc.node1(op_json("Prod", "Prod", props), &[x.to_string()], rt.clone())
        }
        ReduceKind::Max | ReduceKind::Min | ReduceKind::Any | ReduceKind::All => {
            let (class, props) = match kind {
                ReduceKind::Max => plain("Max", BinaryOp::Max),
                ReduceKind::Min => plain("Min", BinaryOp::Min),
                ReduceKind::Any => plain("Any", BinaryOp::Or),
                _ => plain("All", BinaryOp::And),
            };
            doc.node1(op_json(&class, &class, props), &[x.to_string()], rt.clone())
        }
    };
    Ok(if keepdims { keep(doc, &v, reduced.len(), axes, out) } else { v })
}

/// Puts back reduced axes as broadcastable ones.
fn keep(doc: &mut Doc, v: &str, reduced_rank: usize, axes: &[u32], out: &TensorType) -> String {
    let mut next = 0;
    let order: Vec<Option<usize>> = (0..out.rank())
        .map(|j| {
            if axes.contains(&(j as u32)) {
                None
            } else {
                next += 1;
                Some(next - 1)
            }
        })
        .collect();
    dimshuffle(doc, v, reduced_rank, &order, Pt::of(out))
}

fn argreduce(doc: &mut Doc, kind: ArgKind, x: &str, t: &TensorType, axis: u32, keepdims: bool, out: &TensorType) -> String {
    let x = match kind {
        ArgKind::Argmax => x.to_string(),
        ArgKind::Argmin => {
            // An order-reversing bijection: -x for floats, ~x (bitwise or logical not) otherwise.
            let u = if t.dtype.is_float() { UnaryOp::Neg } else { UnaryOp::Not };
            doc.node1(elemwise_json(ScalarKind::Unary(u), None), &[x.to_string()], Pt::of(t))
        }
    };
    let reduced: Vec<Dim> = (0..t.rank()).filter(|&a| a != axis as usize).map(|a| t.shape[a].clone()).collect();
    let rt = Pt::of(&TensorType::new(DType::I64, reduced.clone()));
    let v = doc.node1(op_json("Argmax", "Argmax", json!({"axis": [axis]})), &[x], rt);
    if keepdims {
        keep(doc, &v, reduced.len(), &[axis], out)
    } else {
        v
    }
}

/// `einsum` as DimShuffles to one letter order, a product, a `Sum` over the contracted letters
/// and a DimShuffle to the output order.
fn einsum(doc: &mut Doc, spec: &str, ins: &[String], types: &[TensorType], out: &TensorType) -> R<String> {
    let (lhs, rhs) = spec.split_once("->").ok_or("an einsum without ->")?;
    let terms: Vec<&str> = lhs.split(',').collect();
    let mut letters: Vec<char> = vec![];
    let mut extent: Vec<Dim> = vec![];
    for (term, t) in terms.iter().zip(types) {
        for (c, d) in term.chars().zip(&t.shape) {
            if !letters.contains(&c) {
                letters.push(c);
                extent.push(d.clone());
            }
        }
    }
    let dtype = out.dtype;
    let mut product: Option<String> = None;
    for ((term, x), t) in terms.iter().zip(ins).zip(types) {
        let chars: Vec<char> = term.chars().collect();
        let order: Vec<Option<usize>> = letters.iter().map(|c| chars.iter().position(|d| d == c)).collect();
        let shape: Vec<Dim> = letters
            .iter()
            .zip(&extent)
            .map(|(c, d)| if chars.contains(c) { d.clone() } else { Dim::constant(1) })
            .collect();
        let aligned = if chars.len() == letters.len() && order.iter().enumerate().all(|(i, o)| *o == Some(i)) {
            x.clone()
        } else {
            dimshuffle(doc, x, t.rank(), &order, Pt::of(&TensorType::new(dtype, shape)))
        };
        product = Some(match product {
            None => aligned,
            Some(p) => doc.node1(
                elemwise_json(ScalarKind::Binary(BinaryOp::Mul), None),
                &[p, aligned],
                Pt::of(&TensorType::new(dtype, extent.clone())),
            ),
        });
    }
    let p = product.ok_or("an einsum of nothing")?;
    let full = TensorType::new(dtype, extent.clone());
    let summed: Vec<u32> = (0..letters.len()).filter(|&i| !rhs.contains(letters[i])).map(|i| i as u32).collect();
    let kept: Vec<char> = letters.iter().copied().filter(|c| rhs.contains(*c)).collect();
    let s = if summed.is_empty() {
        p
    } else {
        let reduced = TensorType::new(dtype, kept.iter().map(|c| extent[letters.iter().position(|l| l == c).unwrap_or(0)].clone()).collect());
        reduce(doc, ReduceKind::Sum, &p, &full, &summed, false, &reduced)?
    };
    let order: Vec<Option<usize>> = rhs.chars().map(|c| kept.iter().position(|k| *k == c)).collect();
    Ok(dimshuffle(doc, &s, kept.len(), &order, Pt::of(out)))
}

/// `matmul`: `Dot` for matrices, `Blockwise(Dot)` with batch dims (the lower-rank operand gets
/// leading broadcastable axes), 1-D operands expanded and the result squeezed, as `pt.matmul`.
fn matmul(doc: &mut Doc, a: &str, b: &str, ta: &TensorType, tb: &TensorType, out: &TensorType) -> String {
    let dtype = out.dtype;
    let expand = |doc: &mut Doc, x: &str, t: &TensorType, at: usize| {
        let mut shape = t.shape.clone();
        shape.insert(at, Dim::constant(1));
        let order: Vec<Option<usize>> = if at == 0 { vec![None, Some(0)] } else { vec![Some(0), None] };
        (dimshuffle(doc, x, 1, &order, Pt::of(&TensorType::new(t.dtype, shape.clone()))), TensorType::new(t.dtype, shape))
    };
    let (a2, ta2) = if ta.rank() == 1 { expand(doc, a, ta, 0) } else { (a.to_string(), ta.clone()) };
    let (b2, tb2) = if tb.rank() == 1 { expand(doc, b, tb, 1) } else { (b.to_string(), tb.clone()) };
    let rank = ta2.rank().max(tb2.rank());
    let pad = |doc: &mut Doc, x: String, t: &TensorType| {
        if t.rank() == rank {
            return (x, t.clone());
        }
        let k = rank - t.rank();
        let order: Vec<Option<usize>> = (0..rank).map(|j| j.checked_sub(k)).collect();
        let mut shape = vec![Dim::constant(1); k];
        shape.extend(t.shape.iter().cloned());
        let tt = TensorType::new(t.dtype, shape);
        (dimshuffle(doc, &x, t.rank(), &order, Pt::of(&tt)), tt)
    };
    let (a3, ta3) = pad(doc, a2, &ta2);
    let (b3, tb3) = pad(doc, b2, &tb2);
    let mut shape: Vec<Dim> = (0..rank - 2)
        .map(|i| if ta3.shape[i].as_const() == Some(1) { tb3.shape[i].clone() } else { ta3.shape[i].clone() })
        .collect();
    shape.push(ta3.shape[rank - 2].clone());
    shape.push(tb3.shape[rank - 1].clone());
    let full = TensorType::new(dtype, shape);
    let dot = op_json("Dot", "Dot", json!({}));
    let r = if rank == 2 {
        doc.node1(dot, &[a3, b3], Pt::of(&full))
    } else {
        let props = json!({"core_op": {"op": dot}, "signature": "(m,n),(n,p)->(m,p)"});
        doc.node1(op_json("Blockwise", "Blockwise{Dot, (m,n),(n,p)->(m,p)}", props), &[a3, b3], Pt::of(&full))
    };
    let mut drop = vec![];
    if ta.rank() == 1 {
        drop.push(rank - 2);
    }
    if tb.rank() == 1 {
        drop.push(rank - 1);
    }
    if drop.is_empty() {
        return r;
    }
    let order: Vec<Option<usize>> = (0..rank).filter(|a| !drop.contains(a)).map(Some).collect();
    dimshuffle(doc, &r, rank, &order, Pt::of(out))
}
