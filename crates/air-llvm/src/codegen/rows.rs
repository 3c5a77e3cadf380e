//! Row blocks ([`crate::plan::RowBlock`]): reductions over trailing axes and the elementwise
//! groups and broadcasts between them, computed row by row inside ONE loop over their common
//! leading axes. Each row runs every member's inner loops one after another, so the second and
//! later passes over a row read it from cache, not from memory. The loop is outlined and split
//! across threads on its outermost axis like any other (`parallel.rs`): a thread owns whole rows
//! and computes each with the same code as a single-threaded run, so results do not depend on
//! the thread count.
//!
//! Before the loop the block's nodes are set up in arena order: reductions check their extents
//! and get their destination, groups get theirs, broadcasts of members and hoisted nodes (which
//! read no member) are generated as usual. Only the loop body computes elements.

use air_ir::{NodeId, Value};
use inkwell::values::IntValue;

use super::loops::NestBody;
use super::raw::LoopHint;
use super::reduce::RowReduction;
use super::region::Scope;
use super::{Buf, CgError, FnGen, Val, R};
use crate::plan::{Role, RowBlock};

/// The per-row work of one member.
enum Job<'ctx> {
    /// A reduction over the trailing axes.
    Reduce(NodeId, RowReduction<'ctx>),
    /// An elementwise group: its extents and destination.
    Group(NodeId, Vec<IntValue<'ctx>>, Buf<'ctx>),
}

impl<'g, 'ctx, 'a> FnGen<'g, 'ctx, 'a> {
    /// Generates the nodes `block.first..=block.last` (pushing their values onto `sc.nodes`).
    pub fn row_block(&mut self, sc: &mut Scope<'_, 'ctx>, block: &RowBlock) -> R<()> {
        let mut jobs = Vec::new();
        for i in block.first.index()..=block.last.index() {
            let id = NodeId(i as u32);
            let vals = match sc.plan.role(id) {
                Role::Dead | Role::Fused(_) => vec![],
                Role::Single => self.single(sc, id)?,
                Role::Reduce => {
                    let r = self.row_reduction(sc, id)?;
                    let out = Val::Buf(r.out.clone());
                    jobs.push(Job::Reduce(id, r));
                    vec![out]
                }
                Role::Group => {
                    let ty = sc.ty(Value::of(id))?;
                    let shape = self.shape(&ty.shape)?;
                    let out = self.dest(sc, id, ty.dtype, &shape)?;
                    jobs.push(Job::Group(id, shape, out.clone()));
                    vec![Val::Buf(out)]
                }
            };
            sc.nodes.push(vals);
        }
        let x = sc.operand(block.first, 0)?;
        let domain = self.shape(&sc.ty(x)?.shape)?;
        let lead = domain
            .get(..block.q)
            .ok_or_else(|| CgError::unsupported("row block wider than its reduction"))?
            .to_vec();
        let work = self.count(&domain)?;
        let inner: Vec<usize> = (1..block.q).collect();
        let sc: &Scope<'_, 'ctx> = sc;
        let row: &mut NestBody<'_, 'g, 'ctx, 'a> = &mut |s, idx| {
            for job in &jobs {
                match job {
                    Job::Reduce(id, r) => s.fold_row(sc, *id, r, idx)?,
                    Job::Group(id, shape, out) => s.group_row(sc, *id, shape, out, idx)?,
                }
            }
            Ok(())
        };
        self.outlined(lead[0], 1, work, &mut |s, lo, hi| {
            s.for_range_in(lo, hi, LoopHint::Vector, &mut |s, i| {
                let mut idx = vec![i; block.q];
                s.nest_from(&lead, &inner, &mut idx, row)
            })
        })
    }
}
