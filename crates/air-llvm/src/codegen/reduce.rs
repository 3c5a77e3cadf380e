//! Reduction groups: one loop nest over the operand's shape computes the fused elementwise chain
//! and folds it into an accumulator per result element. When the innermost loop runs along a
//! reduced axis, the accumulator lives in a register (several partial sums for floats: the
//! spec leaves the order unspecified, so the fold is marked reassociable and LLVM vectorises it).
//! `f32` sums, products and means accumulate in `f64`, as the interpreter does.

use air_ir::op::ReduceKind;
use air_ir::{Code, DType, NodeId, Op};
use inkwell::values::{BasicValue, BasicValueEnum, InstructionValue, IntValue};
use inkwell::IntPredicate;

use super::group::{collect_leaves, Memo};
use super::loops::Ix;
use super::raw::LoopHint;
use super::region::Scope;
use super::{Buf, CgError, FnGen, Val, R};

impl<'g, 'ctx, 'a> FnGen<'g, 'ctx, 'a> {
    /// Generates the reduction `id` with the elementwise chain feeding it.
    pub fn reduce(&mut self, sc: &Scope<'_, 'ctx>, id: NodeId) -> R<Val<'ctx>> {
        let rty = sc
            .region
            .node(id)
            .results
            .first()
            .ok_or_else(|| CgError::internal("reduction without a result"))?;
        let x = sc.operand(id, 0)?;
        let h = self.head(sc, id)?;
        if suffix_start(&h.reduced).is_some() {
            let r = self.rows_from(sc, id, h)?;
            self.reduce_rows(sc, id, &r)?;
            return Ok(Val::Buf(r.out));
        }
        let Head {
            kind,
            d,
            acc_d,
            domain,
            reduced,
            kept,
            count,
            outn,
            identity,
        } = h;
        let rank = domain.len();
        let mut leaves = Vec::new();
        let mut iota = false;
        collect_leaves(sc, id, &mut leaves, &mut iota)?;
        let acc = if kept.is_empty() {
            self.scalar_buf(acc_d, identity)?
        } else {
            let acc = self.alloc_buf(acc_d, &kept)?;
            self.for_range(outn, &mut |s, i| {
                let p = s.elem_ptr(acc_d, acc.data, i)?;
                s.store_elem(acc_d, p, identity)
            })?;
            acc
        };
        let mut element = |s: &mut Self, ix: &Ix<'ctx>| -> R<BasicValueEnum<'ctx>> {
            let mut memo = Memo::new();
            let v = s.eval(sc, id, x, ix, &mut memo)?;
            s.cast(d, acc_d, v)
        };
        let fold = Fold {
            kind,
            acc_d,
            acc: &acc,
            reduced: &reduced,
        };
        let done = self.g.c.append_basic_block(self.func, "reduce_done");
        if kept.is_empty() && !iota && rank > 0 {
            let flat = self.inputs_contiguous(&domain, &leaves)?;
            let (flat_bb, nested_bb) = (
                self.g.c.append_basic_block(self.func, "flat"),
                self.g.c.append_basic_block(self.func, "nested"),
            );
            self.b.build_conditional_branch(flat, flat_bb, nested_bb)?;
            self.b.position_at_end(flat_bb);
            let n = self.count(&domain)?;
            self.for_range(n, &mut |s, i| {
                let v = element(s, &Ix::Flat(i))?;
                fold.fold_into(s, acc.data, v)
            })?;
            self.b.build_unconditional_branch(done)?;
            self.b.position_at_end(nested_bb);
        }
        self.reduce_nest(&domain, &fold, &mut element)?;
        self.b.build_unconditional_branch(done)?;
        self.b.position_at_end(done);
        self.finish_reduction(kind, d, acc_d, &acc, count, outn, &rty.shape)
    }

    /// What every reduction needs: its kind and dtypes, the operand's extents, which axes are
    /// reduced, the extents kept, the element counts and the identity. Checks (at run time) that
    /// a max or min has elements to fold.
    fn head(&mut self, sc: &Scope<'_, 'ctx>, id: NodeId) -> R<Head<'ctx>> {
        let Op::Reduce { kind, axes, .. } = &sc.region.node(id).op else {
            return Err(CgError::internal("reduce on a non-reduction"));
        };
        let kind = *kind;
        let xty = sc.ty(sc.operand(id, 0)?)?;
        let d = xty.dtype;
        let acc_d = match kind {
            // As the interpreter: every real float accumulates in f64 (f16/bf16 then rounded
            // once, through f32 with round-to-odd), c64 in c128.
            ReduceKind::Sum | ReduceKind::Prod | ReduceKind::Mean
                if matches!(d, DType::F32 | DType::F16 | DType::BF16) =>
            {
                DType::F64
            }
            ReduceKind::Sum | ReduceKind::Prod | ReduceKind::Mean if d == DType::C64 => DType::C128,
            ReduceKind::Sum
            | ReduceKind::Prod
            | ReduceKind::Max
            | ReduceKind::Min
            | ReduceKind::Mean
            | ReduceKind::Any
            | ReduceKind::All => d,
        };
        let domain = self.shape(&xty.shape)?;
        let rank = domain.len();
        let reduced: Vec<bool> = (0..rank).map(|k| axes.contains(&(k as u32))).collect();
        let kept: Vec<IntValue<'ctx>> = (0..rank)
            .filter(|&k| !reduced[k])
            .map(|k| domain[k])
            .collect();
        let red_ext: Vec<IntValue<'ctx>> = (0..rank)
            .filter(|&k| reduced[k])
            .map(|k| domain[k])
            .collect();
        let count = self.count(&red_ext)?;
        let outn = self.count(&kept)?;
        if matches!(kind, ReduceKind::Max | ReduceKind::Min) {
            let empty = self
                .b
                .build_int_compare(IntPredicate::EQ, count, self.i64c(0), "")?;
            let some = self
                .b
                .build_int_compare(IntPredicate::SGT, outn, self.i64c(0), "")?;
            let bad = self.b.build_and(empty, some, "")?;
            let msg = format!("{} over no elements", kind.name());
            self.fail_if(bad, Code::EmptyReduction, &msg, count, outn)?;
        }
        let identity = self.identity(kind, acc_d)?;
        Ok(Head {
            kind,
            d,
            acc_d,
            domain,
            reduced,
            kept,
            count,
            outn,
            identity,
        })
    }

    /// The set-up of a reduction over the trailing axes `q..` with the leading ones kept (run
    /// before its loop): the checks, and the destination (the function's result buffer when the
    /// value is returned, any strides).
    pub(crate) fn row_reduction(
        &mut self,
        sc: &Scope<'_, 'ctx>,
        id: NodeId,
    ) -> R<RowReduction<'ctx>> {
        let h = self.head(sc, id)?;
        self.rows_from(sc, id, h)
    }

    /// [`FnGen::row_reduction`] from the head.
    fn rows_from(
        &mut self,
        sc: &Scope<'_, 'ctx>,
        id: NodeId,
        h: Head<'ctx>,
    ) -> R<RowReduction<'ctx>> {
        let q = suffix_start(&h.reduced)
            .ok_or_else(|| CgError::internal("not a reduction over trailing axes"))?;
        let rty = sc
            .region
            .node(id)
            .results
            .first()
            .ok_or_else(|| CgError::internal("reduction without a result"))?;
        let shape = self.shape(&rty.shape)?;
        let out = self.dest(sc, id, h.d, &shape)?;
        // The result's axes are the kept ones first (then, with keepdims, extent-1 axes).
        let lead = Buf {
            strides: out.strides[..q].to_vec(),
            shape: out.shape[..q].to_vec(),
            ..out.clone()
        };
        let rows = Rows {
            kind: h.kind,
            d: h.d,
            acc_d: h.acc_d,
            q,
            count: h.count,
            identity: h.identity,
        };
        Ok(RowReduction {
            rows,
            domain: h.domain,
            out,
            lead,
        })
    }

    /// A reduction over the trailing axes: each result element is folded in a register from
    /// the identity and written once, finished (a mean divided, a wide accumulator narrowed),
    /// straight into its destination. The outermost loop is outlined (and split across threads
    /// when large): each thread owns whole result elements.
    fn reduce_rows(&mut self, sc: &Scope<'_, 'ctx>, id: NodeId, r: &RowReduction<'ctx>) -> R<()> {
        let rank = r.domain.len();
        let kept: Vec<usize> = (1..r.rows.q).collect();
        let work = self.count(&r.domain)?;
        self.outlined(r.domain[0], 1, work, &mut |s, lo, hi| {
            s.for_range_in(lo, hi, LoopHint::Vector, &mut |s, i| {
                let mut idx = vec![i; rank];
                s.nest_from(&r.domain, &kept, &mut idx, &mut |s, idx| {
                    s.fold_row(sc, id, r, &idx[..r.rows.q])
                })
            })
        })
    }

    /// One result element of a reduction over the trailing axes: the one at `lead` (the
    /// indices of the kept axes).
    pub(crate) fn fold_row(
        &mut self,
        sc: &Scope<'_, 'ctx>,
        id: NodeId,
        r: &RowReduction<'ctx>,
        lead: &[IntValue<'ctx>],
    ) -> R<()> {
        let (kind, d, acc_d) = (r.rows.kind, r.rows.d, r.rows.acc_d);
        let x = sc.operand(id, 0)?;
        let fold = Fold {
            kind,
            acc_d,
            acc: &r.out,
            reduced: &[],
        };
        let rank = r.domain.len();
        let inner = rank - 1;
        let middle: Vec<usize> = (r.rows.q..inner).collect();
        let local = self.alloca(self.g.mem_ty(acc_d)?, 1)?;
        self.store_elem(acc_d, local, r.rows.identity)?;
        let mut idx = lead.to_vec();
        idx.resize(rank, self.i64c(0));
        self.nest_from(&r.domain, &middle, &mut idx, &mut |s, idx| {
            let mut idx = idx.to_vec();
            s.for_range(r.domain[inner], &mut |s, j| {
                idx[inner] = j;
                let mut memo = Memo::new();
                let v = s.eval(sc, id, x, &Ix::Multi(idx.clone()), &mut memo)?;
                let v = s.cast(d, acc_d, v)?;
                fold.fold_into(s, local, v)
            })
        })?;
        let a = self.load_elem(acc_d, local)?;
        let v = self.finish_value(kind, acc_d, d, a, r.rows.count)?;
        let off = self.offset(&r.lead, &Ix::Multi(lead.to_vec()))?;
        let p = self.elem_ptr(d, r.out.data, off)?;
        self.store_elem(d, p, v)
    }

    /// A result element from its accumulator: divided by the count for a mean, converted to `d`.
    fn finish_value(
        &mut self,
        kind: ReduceKind,
        acc_d: DType,
        d: DType,
        a: BasicValueEnum<'ctx>,
        count: IntValue<'ctx>,
    ) -> R<BasicValueEnum<'ctx>> {
        let a = if kind == ReduceKind::Mean && acc_d.is_complex() {
            let n = self.cast(DType::I64, DType::F64, count.into())?;
            let n = n.into_float_value();
            let (re, im) = self.parts(a)?;
            let re = self.b.build_float_div(re, n, "")?;
            let im = self.b.build_float_div(im, n, "")?;
            self.complex(acc_d, re, im)?
        } else if kind == ReduceKind::Mean {
            let n = self.cast(DType::I64, acc_d, count.into())?;
            self.b
                .build_float_div(a.into_float_value(), n.into_float_value(), "")?
                .into()
        } else {
            a
        };
        self.cast(acc_d, d, a)
    }

    /// The nest in C order; a reduced innermost axis accumulates in a register. When the
    /// outermost axis is kept, its loop runs in its own function and large nests are split
    /// across threads on it: each thread then owns whole output elements, folded in the same
    /// order as in one pass, so the result does not depend on the thread count.
    fn reduce_nest(
        &mut self,
        domain: &[IntValue<'ctx>],
        fold: &Fold<'_, 'ctx>,
        element: &mut dyn FnMut(&mut Self, &Ix<'ctx>) -> R<BasicValueEnum<'ctx>>,
    ) -> R<()> {
        let rank = domain.len();
        if rank == 0 {
            let v = element(self, &Ix::Multi(vec![]))?;
            return fold.fold_into(self, fold.acc.data, v);
        }
        let mut idx = vec![self.i64c(0); rank];
        if fold.reduced[0] {
            return self.reduce_axes(domain, fold, element, 0, &mut idx);
        }
        let work = self.count(domain)?;
        self.outlined(domain[0], 1, work, &mut |s, lo, hi| {
            s.for_range_in(lo, hi, LoopHint::Vector, &mut |s, i| {
                idx[0] = i;
                s.reduce_axes(domain, fold, element, 1, &mut idx)
            })
        })
    }

    /// The loops over axes `from..` of the reduction nest (the indices before fixed in `idx`).
    fn reduce_axes(
        &mut self,
        domain: &[IntValue<'ctx>],
        fold: &Fold<'_, 'ctx>,
        element: &mut dyn FnMut(&mut Self, &Ix<'ctx>) -> R<BasicValueEnum<'ctx>>,
        from: usize,
        idx: &mut Vec<IntValue<'ctx>>,
    ) -> R<()> {
        let rank = domain.len();
        let inner = rank - 1;
        if fold.reduced[inner] {
            let outer: Vec<usize> = (from..inner).collect();
            self.nest_from(domain, &outer, idx, &mut |s, idx| {
                let p = fold.slot(s, idx)?;
                let local = s.alloca(s.g.mem_ty(fold.acc_d)?, 1)?;
                let start = s.load_elem(fold.acc_d, p)?;
                s.store_elem(fold.acc_d, local, start)?;
                let mut idx = idx.to_vec();
                s.for_range(domain[inner], &mut |s, j| {
                    idx[inner] = j;
                    let v = element(s, &Ix::Multi(idx.clone()))?;
                    fold.fold_into(s, local, v)
                })?;
                let total = s.load_elem(fold.acc_d, local)?;
                s.store_elem(fold.acc_d, p, total)
            })
        } else {
            let order: Vec<usize> = (from..rank).collect();
            self.nest_from(domain, &order, idx, &mut |s, idx| {
                let p = fold.slot(s, idx)?;
                let v = element(s, &Ix::Multi(idx.to_vec()))?;
                fold.fold_into(s, p, v)
            })
        }
    }

    /// The result from the accumulators: divided by the count for a mean, converted to `d`.
    #[allow(clippy::too_many_arguments)]
    fn finish_reduction(
        &mut self,
        kind: ReduceKind,
        d: DType,
        acc_d: DType,
        acc: &Buf<'ctx>,
        count: IntValue<'ctx>,
        outn: IntValue<'ctx>,
        out_dims: &[air_ir::Dim],
    ) -> R<Val<'ctx>> {
        let finish = |s: &mut Self, a: BasicValueEnum<'ctx>| -> R<BasicValueEnum<'ctx>> {
            s.finish_value(kind, acc_d, d, a, count)
        };
        if out_dims.is_empty() {
            let a = self.load_elem(acc_d, acc.data)?;
            return Ok(Val::Reg(finish(self, a)?));
        }
        let shape = self.shape(out_dims)?;
        if acc_d == d && kind != ReduceKind::Mean {
            return Ok(Val::Buf(Buf {
                data: acc.data,
                strides: self.c_strides(&shape)?,
                shape,
                contig: true,
                fresh: true,
            }));
        }
        let out = self.alloc_buf(d, &shape)?;
        self.for_range(outn, &mut |s, i| {
            let a = s.load_elem(acc_d, s.elem_ptr(acc_d, acc.data, i)?)?;
            let v = finish(s, a)?;
            s.store_elem(d, s.elem_ptr(d, out.data, i)?, v)
        })?;
        Ok(Val::Buf(out))
    }

    /// True when every non-invariant input is contiguous over `shape`, all in C or all in
    /// Fortran order.
    fn inputs_contiguous(
        &self,
        shape: &[IntValue<'ctx>],
        inputs: &[Buf<'ctx>],
    ) -> R<IntValue<'ctx>> {
        let mut any = self.boolc(false);
        for fortran in [false, true] {
            let mut ok = self.boolc(true);
            for b in inputs.iter().filter(|b| !b.invariant()) {
                if b.contig && !fortran {
                    continue;
                }
                let c = self.is_contiguous(shape, &b.strides, fortran)?;
                ok = self.b.build_and(ok, c, "")?;
            }
            any = self.b.build_or(any, ok, "")?;
        }
        Ok(any)
    }

    /// The neutral element of a reduction in dtype `d`.
    fn identity(&self, kind: ReduceKind, d: DType) -> R<BasicValueEnum<'ctx>> {
        if d.is_complex() {
            let one = match kind {
                ReduceKind::Sum | ReduceKind::Mean => 0.0,
                ReduceKind::Prod => 1.0,
                ReduceKind::Max | ReduceKind::Min | ReduceKind::Any | ReduceKind::All => {
                    return Err(CgError::unsupported(format!("{} on {d}", kind.name())))
                }
            };
            let ft = self.g.component_ty(d);
            return self.complex(d, ft.const_float(one), ft.const_zero());
        }
        let ty = self.g.reg_ty(d)?;
        if d.is_float() {
            let v = match kind {
                ReduceKind::Sum | ReduceKind::Mean => 0.0,
                ReduceKind::Prod => 1.0,
                ReduceKind::Max => f64::NEG_INFINITY,
                ReduceKind::Min => f64::INFINITY,
                ReduceKind::Any | ReduceKind::All => {
                    return Err(CgError::unsupported(format!("{} on floats", kind.name())))
                }
            };
            return Ok(ty.into_float_type().const_float(v).into());
        }
        let t = ty.into_int_type();
        let bits = t.get_bit_width();
        let signed = d.is_signed_int();
        let v = match kind {
            ReduceKind::Sum | ReduceKind::Mean | ReduceKind::Any => t.const_zero(),
            ReduceKind::Prod => t.const_int(1, false),
            ReduceKind::All => t.const_all_ones(),
            ReduceKind::Max if signed => t.const_int(1u64 << (bits - 1), false),
            ReduceKind::Max => t.const_zero(),
            ReduceKind::Min if signed => t.const_int((1u64 << (bits - 1)) - 1, false),
            ReduceKind::Min => t.const_all_ones(),
        };
        Ok(v.into())
    }
}

/// A reduction over trailing axes: what [`FnGen::reduce_rows`] needs besides the domain.
struct Rows<'ctx> {
    kind: ReduceKind,
    /// The element dtype (and the result's).
    d: DType,
    /// The accumulator's dtype.
    acc_d: DType,
    /// The first reduced axis: `q..` are reduced, `..q` kept.
    q: usize,
    /// The number of elements folded into each result (for means).
    count: IntValue<'ctx>,
    /// The fold's neutral element.
    identity: BasicValueEnum<'ctx>,
}

/// What [`FnGen::head`] finds out about a reduction.
struct Head<'ctx> {
    kind: ReduceKind,
    d: DType,
    acc_d: DType,
    domain: Vec<IntValue<'ctx>>,
    reduced: Vec<bool>,
    kept: Vec<IntValue<'ctx>>,
    count: IntValue<'ctx>,
    outn: IntValue<'ctx>,
    identity: BasicValueEnum<'ctx>,
}

/// A reduction over trailing axes, set up: what [`FnGen::fold_row`] needs for each row.
pub(crate) struct RowReduction<'ctx> {
    rows: Rows<'ctx>,
    /// The operand's extents.
    domain: Vec<IntValue<'ctx>>,
    /// The destination.
    pub out: Buf<'ctx>,
    /// The destination's leading (kept) axes.
    lead: Buf<'ctx>,
}

/// `Some(q)` when exactly the axes `q..` are reduced, with `0 < q < rank`: the reductions
/// [`FnGen::reduce_rows`] computes one result element at a time.
pub(crate) fn suffix_start(reduced: &[bool]) -> Option<usize> {
    let q = reduced.iter().position(|&r| r)?;
    (q > 0 && reduced[q..].iter().all(|&r| r)).then_some(q)
}

/// How a reduction folds elements into its accumulators.
struct Fold<'b, 'ctx> {
    kind: ReduceKind,
    acc_d: DType,
    acc: &'b Buf<'ctx>,
    reduced: &'b [bool],
}

impl<'b, 'ctx> Fold<'b, 'ctx> {
    /// The accumulator of the result element that domain index `idx` reduces into.
    fn slot<'g, 'a>(
        &self,
        s: &FnGen<'g, 'ctx, 'a>,
        idx: &[IntValue<'ctx>],
    ) -> R<inkwell::values::PointerValue<'ctx>> {
        let kept: Vec<IntValue<'ctx>> = idx
            .iter()
            .zip(self.reduced)
            .filter(|(_, &r)| !r)
            .map(|(&i, _)| i)
            .collect();
        let off = s.offset(self.acc, &Ix::Multi(kept))?;
        s.elem_ptr(self.acc_d, self.acc.data, off)
    }

    /// `*p = combine(*p, v)`.
    fn fold_into<'g, 'a>(
        &self,
        s: &mut FnGen<'g, 'ctx, 'a>,
        p: inkwell::values::PointerValue<'ctx>,
        v: BasicValueEnum<'ctx>,
    ) -> R<()> {
        let a = s.load_elem(self.acc_d, p)?;
        let c = self.combine(s, a, v)?;
        s.store_elem(self.acc_d, p, c)
    }

    fn combine<'g, 'a>(
        &self,
        s: &FnGen<'g, 'ctx, 'a>,
        a: BasicValueEnum<'ctx>,
        v: BasicValueEnum<'ctx>,
    ) -> R<BasicValueEnum<'ctx>> {
        let d = self.acc_d;
        let b = &s.b;
        let signed = d.is_signed_int();
        let ty = a.get_type();
        Ok(match self.kind {
            ReduceKind::Sum | ReduceKind::Mean | ReduceKind::Prod if d.is_complex() => {
                if self.kind == ReduceKind::Prod {
                    s.complex_mul(d, a, v)?
                } else {
                    s.complex_add(d, a, v, false)?
                }
            }
            ReduceKind::Sum | ReduceKind::Mean | ReduceKind::Prod if d.is_float() => {
                let (x, y) = (a.into_float_value(), v.into_float_value());
                let r = if self.kind == ReduceKind::Prod {
                    b.build_float_mul(x, y, "")?
                } else {
                    b.build_float_add(x, y, "")?
                };
                reassociable(r.as_instruction_value());
                r.into()
            }
            ReduceKind::Sum | ReduceKind::Mean => b
                .build_int_add(a.into_int_value(), v.into_int_value(), "")?
                .into(),
            ReduceKind::Prod => b
                .build_int_mul(a.into_int_value(), v.into_int_value(), "")?
                .into(),
            ReduceKind::Any => b
                .build_or(a.into_int_value(), v.into_int_value(), "")?
                .into(),
            ReduceKind::All => b
                .build_and(a.into_int_value(), v.into_int_value(), "")?
                .into(),
            ReduceKind::Max | ReduceKind::Min if d == DType::Bool => {
                let (x, y) = (a.into_int_value(), v.into_int_value());
                if self.kind == ReduceKind::Max {
                    b.build_or(x, y, "")?.into()
                } else {
                    b.build_and(x, y, "")?.into()
                }
            }
            ReduceKind::Max | ReduceKind::Min => {
                let max = self.kind == ReduceKind::Max;
                // NaN-propagating for floats; the sign of a zero result is unspecified.
                let name = match (d.is_float(), max, signed) {
                    (true, true, _) => "llvm.maximum",
                    (true, false, _) => "llvm.minimum",
                    (false, true, true) => "llvm.smax",
                    (false, true, false) => "llvm.umax",
                    (false, false, true) => "llvm.smin",
                    (false, false, false) => "llvm.umin",
                };
                s.intrinsic(name, &[ty], &[a.into(), v.into()])?
            }
        })
    }
}

/// Marks a float operation reassociable (the spec leaves the order of reductions unspecified).
fn reassociable(i: Option<InstructionValue<'_>>) {
    if let Some(i) = i {
        let _ = i.set_fast_math_flags(inkwell::values::FastMathFlags::AllowReassoc);
    }
}
