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
use super::region::Scope;
use super::{Buf, CgError, FnGen, Val, R};

impl<'g, 'ctx, 'a> FnGen<'g, 'ctx, 'a> {
    /// Generates the reduction `id` with the elementwise chain feeding it.
    pub fn reduce(&mut self, sc: &Scope<'_, 'ctx>, id: NodeId) -> R<Val<'ctx>> {
        let node = sc.region.node(id);
        let Op::Reduce { kind, axes, .. } = &node.op else {
            return Err(CgError::unsupported("reduce on a non-reduction"));
        };
        let kind = *kind;
        let x = sc.operand(id, 0)?;
        let xty = sc.ty(x)?;
        let rty = node
            .results
            .first()
            .ok_or_else(|| CgError::unsupported("reduction without a result"))?;
        let d = xty.dtype;
        let acc_d = match kind {
            ReduceKind::Sum | ReduceKind::Prod | ReduceKind::Mean if d == DType::F32 => DType::F64,
            _ => d,
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
        let mut leaves = Vec::new();
        let mut iota = false;
        collect_leaves(sc, id, id, &mut leaves, &mut iota)?;
        let identity = self.identity(kind, acc_d)?;
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

    /// The nest in C order; a reduced innermost axis accumulates in a register.
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
        let inner = rank - 1;
        if fold.reduced[inner] {
            let outer: Vec<usize> = (0..inner).collect();
            self.nest(domain, &outer, &mut |s, idx| {
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
            let order: Vec<usize> = (0..rank).collect();
            self.nest(domain, &order, &mut |s, idx| {
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
            let a = if kind == ReduceKind::Mean {
                let n = s.cast(DType::I64, acc_d, count.into())?;
                s.b.build_float_div(a.into_float_value(), n.into_float_value(), "")?
                    .into()
            } else {
                a
            };
            s.cast(acc_d, d, a)
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
