//! Elementwise groups: the nodes the plan fused into one root are computed per element inside
//! one loop nest ([`FnGen::kernel`]), reading the group's leaves (parameters, materialised values,
//! views, constants) and writing only the root's result.

use std::collections::{HashMap, HashSet};

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
        collect_leaves(sc, root, &mut leaves, &mut iota)?;
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

    /// The element of `v` at `ix`: computed when `v` is in the group of `root`, else read. Each
    /// value is emitted once per `memo` (the group is a DAG: a value used twice is reused), and
    /// the walk over operands uses an explicit stack (post-order), so the depth of the chain does
    /// not reach the machine stack.
    pub fn eval(
        &mut self,
        sc: &Scope<'_, 'ctx>,
        root: NodeId,
        v: Value,
        ix: &Ix<'ctx>,
        memo: &mut Memo<'ctx>,
    ) -> R<BasicValueEnum<'ctx>> {
        let mut stack = vec![(v, false)];
        while let Some((w, operands_done)) = stack.pop() {
            if memo.contains_key(&w) {
                continue;
            }
            let x = match member(sc, root, w) {
                None => self.load_at(sc.ty(w)?.dtype, sc.val(w)?, ix)?,
                Some(node) if operands_done => self.compute(sc, node, ix, memo)?,
                Some(node) => {
                    stack.push((w, true));
                    let operands = &sc.region.node(node).operands;
                    for &o in operands.iter().rev() {
                        if !memo.contains_key(&o) {
                            stack.push((o, false));
                        }
                    }
                    continue;
                }
            };
            memo.insert(w, x);
        }
        memo.get(&v)
            .copied()
            .ok_or_else(|| CgError::internal("group value not computed"))
    }

    /// One element of an elementwise node, whose operands' elements are already in `memo`.
    fn compute(
        &mut self,
        sc: &Scope<'_, 'ctx>,
        id: NodeId,
        ix: &Ix<'ctx>,
        memo: &Memo<'ctx>,
    ) -> R<BasicValueEnum<'ctx>> {
        let node = sc.region.node(id);
        let arg = |_: &mut Self, k: usize| -> R<(BasicValueEnum<'ctx>, DType)> {
            let v = sc.operand(id, k)?;
            let x = memo
                .get(&v)
                .copied()
                .ok_or_else(|| CgError::internal("operand not computed before its user"))?;
            Ok((x, sc.ty(v)?.dtype))
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
            | Op::Scatter { .. }
            | Op::Gather
            | Op::Unique
            | Op::Reduce { .. }
            | Op::ArgReduce { .. }
            | Op::Scan { .. }
            | Op::Sort { .. }
            | Op::Einsum { .. }
            | Op::Matmul
            | Op::For { .. }
            | Op::If { .. }
            | Op::While { .. }
            | Op::Call { .. }
            | Op::Custom(_)) => Err(CgError::internal(format!(
                "{} is not elementwise",
                other.name()
            ))),
        }
    }
}

/// The node computing `v` inside the group of `root`, if `v` is computed there (else it is read).
fn member(sc: &Scope<'_, '_>, root: NodeId, v: Value) -> Option<NodeId> {
    match v {
        Value::Result { node, .. } if node == root || sc.plan.role(node) == Role::Fused(root) => {
            Some(node)
        }
        Value::Result { .. } | Value::Param(_) => None,
    }
}

/// The buffers a group reads (each once), and whether it uses `iota` (which needs per-axis
/// indices). Visits each member node once, with an explicit stack.
pub(crate) fn collect_leaves<'ctx>(
    sc: &Scope<'_, 'ctx>,
    root: NodeId,
    leaves: &mut Vec<Buf<'ctx>>,
    iota: &mut bool,
) -> R<()> {
    let mut seen: HashSet<Value> = HashSet::new();
    let mut stack = vec![root];
    seen.insert(Value::of(root));
    while let Some(id) = stack.pop() {
        let node = sc.region.node(id);
        if matches!(node.op, Op::Iota { .. }) {
            *iota = true;
        }
        for &v in &node.operands {
            if !seen.insert(v) {
                continue;
            }
            match member(sc, root, v) {
                Some(p) => stack.push(p),
                None => {
                    if let Val::Buf(b) = sc.val(v)? {
                        leaves.push(b.clone());
                    }
                }
            }
        }
    }
    Ok(())
}
