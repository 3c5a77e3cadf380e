//! Elementwise groups: the nodes the plan fused into one root are computed per element inside
//! one loop nest ([`FnGen::kernel`]), reading the group's leaves (parameters, materialised values,
//! views, constants) and writing only the root's result.

use std::collections::HashMap;

use air_ir::{BinaryOp, DType, NodeId, Op, Value};
use inkwell::values::{BasicValueEnum, IntValue};

use super::loops::Ix;
use super::region::Scope;
use super::{Buf, CgError, FnGen, Val, R};
use crate::plan::Role;

/// Computed element values of one loop iteration, by AIR value.
pub(crate) type Memo<'ctx> = HashMap<Value, BasicValueEnum<'ctx>>;

impl<'g, 'ctx, 'a> FnGen<'g, 'ctx, 'a> {
    /// Generates the elementwise group rooted at `root` and returns its materialised result (a
    /// register for rank 0).
    pub fn group(&mut self, sc: &Scope<'_, 'ctx>, root: NodeId) -> R<Val<'ctx>> {
        let ty = sc
            .region
            .node(root)
            .results
            .first()
            .ok_or_else(|| CgError::internal("elementwise node without a result"))?;
        let mut leaves = Vec::new();
        let mut iota = false;
        collect_leaves(sc, root, root, &mut leaves, &mut iota)?;
        let v = Value::of(root);
        if ty.rank() == 0 {
            let mut memo = Memo::new();
            return Ok(Val::Reg(self.eval(
                sc,
                root,
                v,
                &Ix::Multi(vec![]),
                &mut memo,
            )?));
        }
        let shape = self.shape(&ty.shape)?;
        let out = self.dest(sc, root, ty.dtype, &shape)?;
        self.kernel(&out, ty.dtype, &leaves, !iota, &mut |s, ix| {
            let mut memo = Memo::new();
            s.eval(sc, root, v, ix, &mut memo)
        })?;
        Ok(Val::Buf(out))
    }

    /// Where the value of group root `id` goes: the function's result buffer when the value is
    /// returned (any strides), else a fresh buffer.
    pub fn dest(
        &mut self,
        sc: &Scope<'_, 'ctx>,
        id: NodeId,
        d: DType,
        shape: &[IntValue<'ctx>],
    ) -> R<Buf<'ctx>> {
        match sc.direct.get(&id) {
            Some(&k) => self.result_dest(k, shape),
            None => self.alloc_buf(d, shape),
        }
    }

    /// One row of the group rooted at `root` (of extents `shape`): its elements whose leading
    /// indices are `lead`, written into `out`.
    pub(crate) fn group_row(
        &mut self,
        sc: &Scope<'_, 'ctx>,
        root: NodeId,
        shape: &[IntValue<'ctx>],
        out: &Buf<'ctx>,
        lead: &[IntValue<'ctx>],
    ) -> R<()> {
        let v = Value::of(root);
        let d = sc.ty(v)?.dtype;
        let rank = shape.len();
        let mut idx = lead.to_vec();
        idx.resize(rank, self.i64c(0));
        let order: Vec<usize> = (lead.len()..rank).collect();
        self.nest_from(shape, &order, &mut idx, &mut |s, idx| {
            let ix = Ix::Multi(idx.to_vec());
            let mut memo = Memo::new();
            let x = s.eval(sc, root, v, &ix, &mut memo)?;
            let off = s.offset(out, &ix)?;
            let p = s.elem_ptr(d, out.data, off)?;
            s.store_elem(d, p, x)
        })
    }

    /// The element of `v` at `ix`: computed when `v` is in the group of `root`, else read.
    pub fn eval(
        &mut self,
        sc: &Scope<'_, 'ctx>,
        root: NodeId,
        v: Value,
        ix: &Ix<'ctx>,
        memo: &mut Memo<'ctx>,
    ) -> R<BasicValueEnum<'ctx>> {
        if let Some(x) = memo.get(&v) {
            return Ok(*x);
        }
        let computed = match v {
            Value::Result { node, .. } => node == root || sc.plan.role(node) == Role::Fused(root),
            Value::Param(_) => false,
        };
        let x = if computed {
            let Value::Result { node, .. } = v else {
                return Err(CgError::internal("parameter in a group"));
            };
            self.compute(sc, root, node, ix, memo)?
        } else {
            self.load_at(sc.ty(v)?.dtype, sc.val(v)?, ix)?
        };
        memo.insert(v, x);
        Ok(x)
    }

    /// One element of an elementwise node.
    fn compute(
        &mut self,
        sc: &Scope<'_, 'ctx>,
        root: NodeId,
        id: NodeId,
        ix: &Ix<'ctx>,
        memo: &mut Memo<'ctx>,
    ) -> R<BasicValueEnum<'ctx>> {
        let node = sc.region.node(id);
        let mut arg = |s: &mut Self, k: usize| -> R<(BasicValueEnum<'ctx>, DType)> {
            let v = sc.operand(id, k)?;
            Ok((s.eval(sc, root, v, ix, memo)?, sc.ty(v)?.dtype))
        };
        match &node.op {
            Op::Unary(op) => {
                let (x, d) = arg(self, 0)?;
                self.unary(*op, d, x)
            }
            Op::Binary(op) => {
                let (x, d) = arg(self, 0)?;
                let (y, _) = arg(self, 1)?;
                self.binary(*op, d, x, y)
            }
            Op::Select => {
                let (c, _) = arg(self, 0)?;
                let (x, _) = arg(self, 1)?;
                let (y, _) = arg(self, 2)?;
                Ok(self.b.build_select(c.into_int_value(), x, y, "")?)
            }
            Op::Cast { dtype } => {
                let (x, d) = arg(self, 0)?;
                self.cast(d, *dtype, x)
            }
            Op::Clip => {
                let (x, d) = arg(self, 0)?;
                let (lo, _) = arg(self, 1)?;
                let (hi, _) = arg(self, 2)?;
                let m = self.binary(BinaryOp::Max, d, x, lo)?;
                self.binary(BinaryOp::Min, d, m, hi)
            }
            Op::Iota { dtype, axis, .. } => {
                let idx = self.axis_indices(ix)?;
                let i = idx
                    .get(*axis as usize)
                    .copied()
                    .ok_or_else(|| CgError::internal("iota axis out of range"))?;
                self.cast(DType::I64, *dtype, i.into())
            }
            other @ (Op::Constant(_)
            | Op::Full { .. }
            | Op::Broadcast { .. }
            | Op::Reshape { .. }
            | Op::Transpose { .. }
            | Op::ExpandDims { .. }
            | Op::Squeeze { .. }
            | Op::Slice { .. }
            | Op::Concat { .. }
            | Op::Take { .. }
            | Op::Extract
            | Op::Insert
            | Op::Filter
            | Op::Reduce { .. }
            | Op::ArgReduce { .. }
            | Op::Scan { .. }
            | Op::Sort { .. }
            | Op::Einsum { .. }
            | Op::Matmul
            | Op::For { .. }
            | Op::If { .. }
            | Op::Call { .. }
            | Op::Custom(_)) => Err(CgError::internal(format!(
                "{} is not elementwise",
                other.name()
            ))),
        }
    }
}

/// The buffers a group reads, and whether it uses `iota` (which needs per-axis indices).
pub(crate) fn collect_leaves<'ctx>(
    sc: &Scope<'_, 'ctx>,
    root: NodeId,
    id: NodeId,
    leaves: &mut Vec<Buf<'ctx>>,
    iota: &mut bool,
) -> R<()> {
    let node = sc.region.node(id);
    if matches!(node.op, Op::Iota { .. }) {
        *iota = true;
    }
    for &v in &node.operands {
        match v {
            Value::Result { node: p, .. } if sc.plan.role(p) == Role::Fused(root) => {
                collect_leaves(sc, root, p, leaves, iota)?
            }
            Value::Param(_) | Value::Result { .. } => {
                if let Val::Buf(b) = sc.val(v)? {
                    leaves.push(b.clone());
                }
            }
        }
    }
    Ok(())
}
