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
//! read no member) are generated as usual. Only the loop body computes elements. A group only
//! members read (`RowBlock::temps`) gets a row-sized buffer on the loop function's stack, reused
//! for every row (its leading strides are 0), when the rows of all such groups together take at
//! most [`TEMP_BYTES`]; larger rows use a whole array as other groups do.

use air_ir::{DType, NodeId, Value};
use inkwell::values::IntValue;

use super::raw::LoopHint;
use super::reduce::RowReduction;
use super::region::Scope;
use super::{Buf, CgError, FnGen, Val, R};
use crate::plan::{Role, RowBlock};

/// The rows of a block's temporaries take at most this many bytes of stack, in equal shares.
const TEMP_BYTES: i64 = 128 << 10;

/// The per-row work of one member.
enum Job<'ctx> {
    /// A reduction over the trailing axes.
    Reduce(NodeId, RowReduction<'ctx>),
    /// An elementwise group: its extents and destination.
    Group(NodeId, Vec<IntValue<'ctx>>, Buf<'ctx>),
}

/// A temporary of the block: the whole-array buffer made before the loop (one element when
/// the rows fit on the stack), and the elements of one row.
struct Temp<'ctx> {
    id: NodeId,
    d: DType,
    full: Buf<'ctx>,
    row: IntValue<'ctx>,
}

impl<'g, 'ctx, 'a> FnGen<'g, 'ctx, 'a> {
    /// Generates the nodes `block.first..=block.last` (pushing their values onto `sc.nodes`).
    pub fn row_block(&mut self, sc: &mut Scope<'_, 'ctx>, block: &RowBlock) -> R<()> {
        let (temps, small) = self.temps(sc, block)?;
        let jobs = self.row_jobs(sc, block, &temps)?;
        let x = sc.operand(block.first, 0)?;
        let domain = self.shape(&sc.ty(x)?.shape)?;
        let lead = domain
            .get(..block.q)
            .ok_or_else(|| CgError::internal("row block wider than its reduction"))?
            .to_vec();
        let work = self.count(&domain)?;
        let inner: Vec<usize> = (1..block.q).collect();
        let sc: &Scope<'_, 'ctx> = sc;
        self.outlined(lead[0], 1, work, &mut |s, lo, hi| {
            let mut local = sc.clone();
            let mut rows = Vec::new();
            for t in &temps {
                let buf = s.temp_row(t, small, block.q)?;
                local.nodes[t.id.index()] = vec![Val::Buf(buf.clone())];
                rows.push(Job::Group(t.id, t.full.shape.clone(), buf));
            }
            // The temporaries' jobs write their rows into the stack buffers.
            let jobs: Vec<&Job<'ctx>> = jobs
                .iter()
                .map(|job| match job {
                    Job::Group(id, ..) => rows
                        .iter()
                        .find(|r| matches!(r, Job::Group(t, ..) if t == id))
                        .unwrap_or(job),
                    Job::Reduce(..) => job,
                })
                .collect();
            let local = &local;
            s.for_range_in(lo, hi, LoopHint::Vector, &mut |s, i| {
                let mut idx = vec![i; block.q];
                s.nest_from(&lead, &inner, &mut idx, &mut |s, idx| {
                    for job in &jobs {
                        match job {
                            Job::Reduce(id, r) => s.fold_row(local, *id, r, idx)?,
                            Job::Group(id, shape, out) => {
                                s.group_row(local, *id, shape, out, idx)?
                            }
                        }
                    }
                    Ok(())
                })
            })
        })
    }

    /// Sets up the block's nodes before its loop, in arena order (pushing their values onto
    /// `sc.nodes`), and returns the per-row work of its reductions and groups.
    fn row_jobs(
        &mut self,
        sc: &mut Scope<'_, 'ctx>,
        block: &RowBlock,
        temps: &[Temp<'ctx>],
    ) -> R<Vec<Job<'ctx>>> {
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
                    let out = match temps.iter().find(|t| t.id == id) {
                        Some(t) => t.full.clone(),
                        None => self.dest(sc, id, ty.dtype, &shape)?,
                    };
                    jobs.push(Job::Group(id, shape, out.clone()));
                    vec![Val::Buf(out)]
                }
            };
            sc.nodes.push(vals);
        }
        Ok(jobs)
    }

    /// The block's temporaries, and whether (at run time) their rows fit in [`TEMP_BYTES`]:
    /// then each gets a one-element array here, else its whole array.
    fn temps(
        &mut self,
        sc: &Scope<'_, 'ctx>,
        block: &RowBlock,
    ) -> R<(Vec<Temp<'ctx>>, IntValue<'ctx>)> {
        // Each temporary's row may take an equal share of the bytes (no products to overflow).
        let share = TEMP_BYTES / block.temps.len().max(1) as i64;
        let mut found = Vec::new();
        let mut small = self.boolc(true);
        for &id in &block.temps {
            let ty = sc.ty(Value::of(id))?;
            let shape = self.shape(&ty.shape)?;
            let row = self.count(&shape[block.q..])?;
            let most = self.i64c(share / ty.dtype.size_bytes() as i64);
            let fits = self
                .b
                .build_int_compare(inkwell::IntPredicate::ULE, row, most, "")?;
            small = self.b.build_and(small, fits, "")?;
            found.push((id, ty.dtype, shape, row));
        }
        let mut temps = Vec::new();
        for (id, d, shape, row) in found {
            let all = self.count_checked(&shape)?;
            let n = self.pick(small, self.i64c(1), all)?;
            let data = self.alloc_buf(d, &[n])?.data;
            let full = Buf {
                data,
                strides: self.c_strides(&shape)?,
                shape,
                contig: true,
                fresh: true,
            };
            temps.push(Temp { id, d, full, row });
        }
        Ok((temps, small))
    }

    /// The buffer a temporary's rows are computed into inside the loop function: `row`
    /// elements on its stack with leading strides 0 when `small`, else the whole array.
    fn temp_row(&mut self, t: &Temp<'ctx>, small: IntValue<'ctx>, q: usize) -> R<Buf<'ctx>> {
        let n = self.pick(small, t.row, self.i64c(1))?;
        let p = self.b.build_array_alloca(self.g.mem_ty(t.d)?, n, "row")?;
        let data = self
            .b
            .build_select(small, p, t.full.data, "")?
            .into_pointer_value();
        let mut strides = t.full.strides.clone();
        for s in strides.iter_mut().take(q) {
            *s = self.pick(small, self.i64c(0), *s)?;
        }
        Ok(Buf {
            data,
            strides,
            shape: t.full.shape.clone(),
            contig: false,
            fresh: true,
        })
    }
}
