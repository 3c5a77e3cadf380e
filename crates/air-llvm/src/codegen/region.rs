//! Regions and functions: every node of a region in arena order, as its plan says (fused nodes
//! are computed inside their group's loop nest, dead nodes not at all), and the function around
//! the body (entry checks, results).

use std::collections::HashMap;

use air_ir::{Diagnostics, Function, NodeId, Op, Region, TensorType, Value};

use super::{CgError, FnGen, ModGen, Val, R};
use crate::plan::{plan_region, row_block, RegionPlan, Role};

/// The values of one region being generated.
#[derive(Clone)]
pub(crate) struct Scope<'r, 'ctx> {
    /// The region.
    pub region: &'r Region,
    /// Its plan.
    pub plan: RegionPlan,
    /// The region's parameters.
    pub params: Vec<Val<'ctx>>,
    /// The results of each generated node (empty for dead and fused nodes).
    pub nodes: Vec<Vec<Val<'ctx>>>,
    /// Group roots that write straight into a function result: node -> result index.
    pub direct: HashMap<NodeId, usize>,
}

impl<'r, 'ctx> Scope<'r, 'ctx> {
    /// The generated value of `v`.
    pub fn val(&self, v: Value) -> R<&Val<'ctx>> {
        let found = match v {
            Value::Param(i) => self.params.get(i as usize),
            Value::Result { node, index } => self
                .nodes
                .get(node.index())
                .and_then(|r| r.get(index as usize)),
        };
        found.ok_or_else(|| CgError::internal(format!("value {v:?} has no generated code")))
    }

    /// The type of `v`.
    pub fn ty(&self, v: Value) -> R<&'r TensorType> {
        self.region
            .value_type(v)
            .ok_or_else(|| CgError::internal(format!("value {v:?} has no type")))
    }

    /// The value of operand `k` of node `id`.
    pub fn operand(&self, id: NodeId, k: usize) -> R<Value> {
        self.region
            .node(id)
            .operands
            .get(k)
            .copied()
            .ok_or_else(|| CgError::internal(format!("node {id} lacks operand {k}")))
    }
}

/// True for a reduction over trailing axes only (written one result element at a time).
fn rows_reduction(region: &Region, id: NodeId) -> bool {
    let node = region.node(id);
    let (Op::Reduce { axes, .. }, Some(&x)) = (&node.op, node.operands.first()) else {
        return false;
    };
    let rank = region.value_type(x).map_or(0, |t| t.rank());
    let reduced: Vec<bool> = (0..rank).map(|k| axes.contains(&(k as u32))).collect();
    super::reduce::suffix_start(&reduced).is_some()
}

/// Generates every function of the module; returns every function's failure.
pub(crate) fn generate_module(g: &ModGen<'_, '_>) -> Result<(), Diagnostics> {
    for f in &g.air.functions {
        g.air_function(&f.name);
    }
    let mut diags = Vec::new();
    for f in &g.air.functions {
        if let Err(e) = generate_function(g, f) {
            diags.push(e.into_diagnostic(&f.name));
        }
    }
    if diags.is_empty() {
        Ok(())
    } else {
        Err(Diagnostics(diags))
    }
}

fn generate_function(g: &ModGen<'_, '_>, f: &Function) -> R<()> {
    let mut fg = FnGen::new(g, f);
    let params = fg.bind_params()?;
    let plan = plan_region(&f.body);
    let mut direct = HashMap::new();
    for (k, v) in f.body.results.iter().take(f.results.len()).enumerate() {
        if let Value::Result { node, index: 0 } = *v {
            let op = &f.body.node(node).op;
            // Groups, and contractions (whose extents are known before they run), write
            // straight into the result buffer.
            let writer = match plan.role(node) {
                Role::Group => true,
                Role::Single => matches!(op, Op::Matmul | Op::Einsum { .. }),
                Role::Reduce => rows_reduction(&f.body, node),
                Role::Dead | Role::Fused(_) => false,
            };
            let written = writer && f.results[k].ty.rank() > 0 && !direct.contains_key(&node);
            if written {
                direct.insert(node, k);
            }
        }
    }
    let saved = fg.enter_region();
    let written: Vec<usize> = direct.values().copied().collect();
    let (_, yields) = fg.region(&f.body, plan, params.clone(), direct)?;
    fg.write_yields(&yields, &params, &written)?;
    fg.exit_region(saved)?;
    let zero = g.c.i32_type().const_zero();
    fg.b.build_return(Some(&zero))?;
    let (func, straight) = (fg.func, !fg.inline_loops);
    fg.finish()?;
    if straight {
        g.set_straight_line(func);
    }
    Ok(())
}

impl<'g, 'ctx, 'a> FnGen<'g, 'ctx, 'a> {
    /// Generates a region's nodes and returns its scope and yielded values. The caller copies
    /// what it needs of the yields before the region's slots are freed.
    pub fn region<'r>(
        &mut self,
        region: &'r Region,
        plan: RegionPlan,
        params: Vec<Val<'ctx>>,
        direct: HashMap<NodeId, usize>,
    ) -> R<(Scope<'r, 'ctx>, Vec<Val<'ctx>>)> {
        let mut sc = Scope {
            region,
            plan,
            params,
            nodes: Vec::with_capacity(region.nodes.len()),
            direct,
        };
        let mut i = 0;
        while i < region.nodes.len() {
            let id = NodeId(i as u32);
            i += 1;
            if sc.plan.role(id) == Role::Reduce {
                if let Some(block) = row_block(region, &sc.plan, id) {
                    self.row_block(&mut sc, &block)?;
                    i = block.last.index() + 1;
                    continue;
                }
            }
            let vals = match sc.plan.role(id) {
                Role::Dead | Role::Fused(_) => vec![],
                Role::Group => vec![self.group(&sc, id)?],
                Role::Reduce => vec![self.reduce(&sc, id)?],
                Role::Single => self.single(&sc, id)?,
            };
            sc.nodes.push(vals);
        }
        let yields = region
            .results
            .iter()
            .map(|&v| sc.val(v).cloned())
            .collect::<R<Vec<_>>>()?;
        Ok((sc, yields))
    }

    /// A node of its own: constants, views, element access, control flow.
    pub(crate) fn single(&mut self, sc: &Scope<'_, 'ctx>, id: NodeId) -> R<Vec<Val<'ctx>>> {
        let node = sc.region.node(id);
        let one = |v: Val<'ctx>| Ok(vec![v]);
        match &node.op {
            Op::Constant(lit) => one(self.constant(lit)?),
            Op::Full { value, shape } => one(self.full(value, shape)?),
            Op::Broadcast { .. }
            | Op::Reshape { .. }
            | Op::Transpose { .. }
            | Op::ExpandDims { .. }
            | Op::Squeeze { .. }
            | Op::Slice { .. } => one(self.view(sc, id)?),
            Op::Extract => one(self.extract(sc, id)?),
            Op::Insert => one(self.insert(sc, id)?),
            Op::For { body } => self.for_loop(sc, id, body),
            Op::If {
                then_branch,
                else_branch,
            } => self.if_op(sc, id, then_branch, else_branch),
            Op::While { cond, body } => self.while_loop(sc, id, cond, body),
            Op::Call { callee } => self.call_function(sc, id, callee),
            Op::Custom(c) => match &c.decomposition {
                Some(d) => self.call_function(sc, id, d),
                None => Err(CgError {
                    code: air_ir::Code::NoDecomposition,
                    message: format!("custom op {}.{} has no decomposition", c.domain, c.name),
                }),
            },
            Op::Iota { .. }
            | Op::Unary(_)
            | Op::Binary(_)
            | Op::Select
            | Op::Cast { .. }
            | Op::Clip
            | Op::Reduce { .. } => Err(CgError::internal(format!(
                "{} planned as a single node",
                node.op.name()
            ))),
            Op::Concat { .. }
            | Op::Take { .. }
            | Op::Filter
            | Op::Scatter { .. }
            | Op::Gather
            | Op::Unique
            | Op::ArgReduce { .. }
            | Op::Scan { .. }
            | Op::Sort { .. }
            | Op::Einsum { .. }
            | Op::Matmul => match super::runtime::helper_of(&node.op) {
                Some(h) if crate::check::RUNTIME_OPS.contains(&h) => self.runtime_op(sc, id, h),
                _ => Err(CgError::unsupported(format!(
                    "runtime op for {} not available (air-rt does not provide it yet)",
                    node.op.name()
                ))),
            },
        }
    }
}
