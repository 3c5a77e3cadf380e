//! One AIR node as PyTensor nodes.

use air_ir::op::{Bound, ScanKind, SliceAxis};
use air_ir::{BinaryOp, DType, Node, Op, Region, TensorType};
use serde_json::{json, Value as Json};

use super::doc::{elemwise_json, op_json, Doc, Pt};
use super::math::{argreduce, binary, einsum, matmul, reduce, unary};
use super::scatter::{gather, scatter};
use super::shape::{
    alloc, broadcast, dimshuffle, iota, reshape, slice, subtensor, take, to_scalar,
};
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
        let out = node
            .results
            .first()
            .cloned()
            .unwrap_or_else(|| TensorType::scalar(DType::F64));
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
                let mx = doc.node1(
                    elemwise_json(ScalarKind::Binary(BinaryOp::Max), None),
                    &ins[..2],
                    o.clone(),
                );
                doc.node1(
                    elemwise_json(ScalarKind::Binary(BinaryOp::Min), None),
                    &[mx, ins[2].clone()],
                    o,
                )
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
                let order: Vec<Option<usize>> = (0..rank)
                    .filter(|a| !axes.contains(&(*a as u32)))
                    .map(Some)
                    .collect();
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
            Op::Filter => doc.node1(
                op_json(
                    "AdvancedSubtensor",
                    "AdvancedSubtensor",
                    json!({"idx_list": [0]}),
                ),
                ins,
                o,
            ),
            Op::Reduce {
                kind,
                axes,
                keepdims,
            } => reduce(doc, *kind, &ins[0], &ty(0)?, axes, *keepdims, &out)?,
            Op::ArgReduce {
                kind,
                axis,
                keepdims,
            } => argreduce(doc, *kind, &ins[0], &ty(0)?, *axis, *keepdims, &out),
            Op::Scan { kind, axis } => {
                let mode = match kind {
                    ScanKind::Cumsum => "add",
                    ScanKind::Cumprod => "mul",
                };
                doc.node1(
                    op_json("CumOp", "CumOp", json!({"axis": axis, "mode": mode})),
                    ins,
                    o,
                )
            }
            Op::Scatter { mode } => scatter(doc, *mode, ins, &ty(0)?, &ty(1)?, o)?,
            Op::Gather => gather(doc, ins, &ty(1)?, o)?,
            Op::Unique => return Err(format!("{} is not exported to PyTensor", node.op.name())),
            Op::Sort { axis, descending } => {
                let a = doc.int(i64::from(*axis));
                let s = doc.node1(
                    op_json(
                        "SortOp",
                        "SortOp{kind='quicksort'}",
                        json!({"kind": "quicksort"}),
                    ),
                    &[ins[0].clone(), a],
                    o.clone(),
                );
                if *descending {
                    let mut axes = vec![SliceAxis::full(); out.rank()];
                    axes[*axis as usize] = SliceAxis {
                        start: Bound::Default,
                        stop: Bound::Default,
                        step: -1,
                    };
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
            Op::If {
                then_branch,
                else_branch,
            } => return self.if_else(doc, r, node, then_branch, else_branch, ins),
            Op::While { cond, body } => return self.while_loop(doc, node, cond, body, ins),
            Op::Call { callee } => return self.call(doc, callee, ins),
            Op::Custom(c) => return self.custom(doc, node, c, ins),
        };
        Ok(one(vec![v]))
    }
}
