//! Loops: counted loops, loop nests, and the elementwise *kernel*: a loop over an output buffer
//! that takes one flat loop when every operand is contiguous in one order (the path LLVM
//! vectorises), and otherwise one nest whose axis order follows the output's strides (C or
//! Fortran, chosen at run time: the nest reads its extents and strides through that order, so
//! one copy of the code serves both). The strided fallback is generated only when it can be
//! reached; the outermost loop of either path runs in its own function (`parallel.rs`).

use air_ir::DType;
use inkwell::values::{BasicValueEnum, IntValue};
use inkwell::IntPredicate;

use super::parallel::FLAT_BLOCK;
use super::raw::{set_loop_hint, LoopHint};
use super::{Buf, CgError, FnGen, Val, R};

/// Where an element is: one index per axis, or a flat position in operands that are all laid out
/// contiguously in the same order.
#[derive(Clone, Debug)]
pub(crate) enum Ix<'ctx> {
    /// One index per axis.
    Multi(Vec<IntValue<'ctx>>),
    /// A flat position (invariant operands read their only element).
    Flat(IntValue<'ctx>),
    /// One index per loop level of a nest whose level `l` runs along axis `l` (C order) or
    /// along axis `rank - 1 - l` (Fortran order) as the run-time flag says.
    Levels {
        /// One index per level, outermost first.
        ivs: Vec<IntValue<'ctx>>,
        /// True (at run time) for Fortran order.
        fortran: IntValue<'ctx>,
    },
}

/// The body of a loop nest: called with one index per axis of the domain.
pub(crate) type NestBody<'f, 'g, 'ctx, 'a> =
    dyn FnMut(&mut FnGen<'g, 'ctx, 'a>, &[IntValue<'ctx>]) -> R<()> + 'f;

impl<'g, 'ctx, 'a> FnGen<'g, 'ctx, 'a> {
    /// `for i in 0..n { body(i) }`; the builder continues after the loop.
    pub fn for_range(
        &mut self,
        n: IntValue<'ctx>,
        body: &mut dyn FnMut(&mut Self, IntValue<'ctx>) -> R<()>,
    ) -> R<()> {
        self.for_range_in(self.i64c(0), n, LoopHint::Vector, body)
    }

    /// `for i in lo..hi { body(i) }` with the loop properties of `hint`; the builder continues
    /// after the loop.
    pub fn for_range_in(
        &mut self,
        lo: IntValue<'ctx>,
        hi: IntValue<'ctx>,
        hint: LoopHint,
        body: &mut dyn FnMut(&mut Self, IntValue<'ctx>) -> R<()>,
    ) -> R<()> {
        let c = self.g.c;
        if self.func == self.g.air_function(&self.air_fn.name) {
            self.inline_loops = true;
        }
        let pre = self
            .b
            .get_insert_block()
            .ok_or_else(|| CgError::internal("no insert block"))?;
        let header = c.append_basic_block(self.func, "loop");
        let body_bb = c.append_basic_block(self.func, "body");
        let exit = c.append_basic_block(self.func, "exit");
        self.b.build_unconditional_branch(header)?;
        self.b.position_at_end(header);
        let i = self.b.build_phi(c.i64_type(), "i")?;
        let iv = i.as_basic_value().into_int_value();
        let more = self.b.build_int_compare(IntPredicate::SLT, iv, hi, "")?;
        self.b.build_conditional_branch(more, body_bb, exit)?;
        self.b.position_at_end(body_bb);
        body(self, iv)?;
        let next = self.b.build_int_nsw_add(iv, self.i64c(1), "")?;
        let latch = self
            .b
            .get_insert_block()
            .ok_or_else(|| CgError::internal("no insert block"))?;
        let back = self.b.build_unconditional_branch(header)?;
        set_loop_hint(c, back, hint);
        i.add_incoming(&[(&lo, pre), (&next, latch)]);
        self.b.position_at_end(exit);
        Ok(())
    }

    /// A loop nest over the axes in `order` (outermost first) of `extents`; `body` gets the
    /// index of every axis (in axis order; the axes not in `order` as fixed in `idx`).
    pub fn nest_from(
        &mut self,
        extents: &[IntValue<'ctx>],
        order: &[usize],
        idx: &mut Vec<IntValue<'ctx>>,
        body: &mut NestBody<'_, 'g, 'ctx, 'a>,
    ) -> R<()> {
        self.nest_level(extents, order, idx, body)
    }

    fn nest_level(
        &mut self,
        extents: &[IntValue<'ctx>],
        order: &[usize],
        idx: &mut Vec<IntValue<'ctx>>,
        body: &mut NestBody<'_, 'g, 'ctx, 'a>,
    ) -> R<()> {
        let Some((&axis, rest)) = order.split_first() else {
            return body(self, idx);
        };
        self.for_range(extents[axis], &mut |s, i| {
            idx[axis] = i;
            s.nest_level(extents, rest, idx, body)
        })
    }

    /// True (at run time) when `strides` lay out `shape` contiguously in C order (`fortran`:
    /// Fortran order); axes of extent 1 may have any stride.
    pub fn is_contiguous(
        &self,
        shape: &[IntValue<'ctx>],
        strides: &[IntValue<'ctx>],
        fortran: bool,
    ) -> R<IntValue<'ctx>> {
        let mut ok = self.boolc(true);
        let mut expect = self.i64c(1);
        let axes: Vec<usize> = if fortran {
            (0..shape.len()).collect()
        } else {
            (0..shape.len()).rev().collect()
        };
        for k in axes {
            let one = self
                .b
                .build_int_compare(IntPredicate::EQ, shape[k], self.i64c(1), "")?;
            let same = self
                .b
                .build_int_compare(IntPredicate::EQ, strides[k], expect, "")?;
            let fine = self.b.build_or(one, same, "")?;
            ok = self.b.build_and(ok, fine, "")?;
            expect = self.b.build_int_mul(expect, shape[k], "")?;
        }
        Ok(ok)
    }

    /// The offset (in elements) of an element of `buf`.
    pub fn offset(&self, buf: &Buf<'ctx>, ix: &Ix<'ctx>) -> R<IntValue<'ctx>> {
        match ix {
            Ix::Flat(i) => Ok(if buf.invariant() { self.i64c(0) } else { *i }),
            Ix::Multi(idx) => {
                let mut off = self.i64c(0);
                for (k, (&i, &s)) in idx.iter().zip(&buf.strides).enumerate() {
                    if s.get_zero_extended_constant() == Some(0) || k >= buf.strides.len() {
                        continue;
                    }
                    let t = self.b.build_int_mul(i, s, "")?;
                    off = self.b.build_int_add(off, t, "")?;
                }
                Ok(off)
            }
            Ix::Levels { ivs, fortran } => {
                let rank = buf.strides.len();
                if ivs.len() != rank {
                    return Err(CgError::internal("nest of another rank than its operand"));
                }
                let mut off = self.i64c(0);
                for (l, &i) in ivs.iter().enumerate() {
                    let s = self.pick(*fortran, buf.strides[rank - 1 - l], buf.strides[l])?;
                    if s.get_zero_extended_constant() == Some(0) {
                        continue;
                    }
                    let t = self.b.build_int_mul(i, s, "")?;
                    off = self.b.build_int_add(off, t, "")?;
                }
                Ok(off)
            }
        }
    }

    /// `if cond { a } else { b }`, folded when the condition is known or both are the same.
    pub fn pick(
        &self,
        cond: IntValue<'ctx>,
        a: IntValue<'ctx>,
        b: IntValue<'ctx>,
    ) -> R<IntValue<'ctx>> {
        Ok(match cond.get_zero_extended_constant() {
            Some(0) => b,
            Some(_) => a,
            None if a == b => a,
            None => self.b.build_select(cond, a, b, "")?.into_int_value(),
        })
    }

    /// The index of every axis at a position of a nest (for `iota`).
    pub fn axis_indices(&self, ix: &Ix<'ctx>) -> R<Vec<IntValue<'ctx>>> {
        match ix {
            Ix::Multi(idx) => Ok(idx.clone()),
            Ix::Levels { ivs, fortran } => {
                let r = ivs.len();
                (0..r)
                    .map(|a| self.pick(*fortran, ivs[r - 1 - a], ivs[a]))
                    .collect()
            }
            Ix::Flat(_) => Err(CgError::internal("per-axis indices in a flat loop")),
        }
    }

    /// Loads an element of a value (a register is the same everywhere).
    pub fn load_at(&self, d: DType, v: &Val<'ctx>, ix: &Ix<'ctx>) -> R<BasicValueEnum<'ctx>> {
        match v {
            Val::Reg(r) => Ok(*r),
            Val::Buf(b) => {
                let off = self.offset(b, ix)?;
                let p = self.elem_ptr(d, b.data, off)?;
                self.load_elem(d, p)
            }
        }
    }

    /// Fills `out` (of `shape`) with `elem(ix)` for every element. `inputs` are the buffers the
    /// element function reads (they decide whether the flat path is taken); `flat_ok` is false
    /// when the element function needs per-axis indices (iota).
    pub fn kernel(
        &mut self,
        out: &Buf<'ctx>,
        out_dtype: DType,
        inputs: &[Buf<'ctx>],
        flat_ok: bool,
        elem: &mut dyn FnMut(&mut Self, &Ix<'ctx>) -> R<BasicValueEnum<'ctx>>,
    ) -> R<()> {
        let rank = out.shape.len();
        let mut store = |s: &mut Self, ix: &Ix<'ctx>| -> R<()> {
            let v = elem(s, ix)?;
            let off = s.offset(out, ix)?;
            let p = s.elem_ptr(out_dtype, out.data, off)?;
            s.store_elem(out_dtype, p, v)
        };
        if rank == 0 {
            return store(self, &Ix::Multi(vec![]));
        }
        let work = self.count(&out.shape)?;
        let mut flat_loop = |s: &mut Self| -> R<()> {
            s.outlined(work, FLAT_BLOCK, work, &mut |s, lo, hi| {
                s.for_range_in(lo, hi, LoopHint::Vector, &mut |s, i| store(s, &Ix::Flat(i)))
            })
        };
        let c = self.g.c;
        let done = c.append_basic_block(self.func, "kernel_done");
        let flat = match flat_ok {
            true => Some(self.flat_condition(out, inputs)?),
            false => None,
        };
        let flat = flat.filter(|f| f.get_zero_extended_constant() != Some(0));
        if let Some(flat) = flat {
            if flat.get_zero_extended_constant() == Some(1) {
                // Every operand is known to be contiguous: no strided path is reachable.
                flat_loop(self)?;
                self.b.build_unconditional_branch(done)?;
                self.b.position_at_end(done);
                return Ok(());
            }
            let flat_bb = c.append_basic_block(self.func, "flat");
            let nested_bb = c.append_basic_block(self.func, "nested");
            self.b.build_conditional_branch(flat, flat_bb, nested_bb)?;
            self.b.position_at_end(flat_bb);
            flat_loop(self)?;
            self.b.build_unconditional_branch(done)?;
            self.b.position_at_end(nested_bb);
        }
        self.strided_kernel(out, work, flat.is_some(), &mut store)?;
        self.b.build_unconditional_branch(done)?;
        self.b.position_at_end(done);
        Ok(())
    }

    /// The strided path of [`FnGen::kernel`]: for rank 1 a plain loop (not vectorised when the
    /// flat path covers every stride-1 case), else one nest in the output's stride order.
    fn strided_kernel(
        &mut self,
        out: &Buf<'ctx>,
        work: IntValue<'ctx>,
        has_flat: bool,
        store: &mut dyn FnMut(&mut Self, &Ix<'ctx>) -> R<()>,
    ) -> R<()> {
        let rank = out.shape.len();
        if rank == 1 {
            let hint = if has_flat {
                LoopHint::Scalar
            } else {
                LoopHint::Vector
            };
            return self.outlined(out.shape[0], FLAT_BLOCK, work, &mut |s, lo, hi| {
                s.for_range_in(lo, hi, hint, &mut |s, i| store(s, &Ix::Multi(vec![i])))
            });
        }
        // Innermost loop on the axis with the smaller output stride (C order for a buffer known
        // to be C-contiguous).
        let fortran = if out.contig {
            self.boolc(false)
        } else {
            let first = self.abs(out.strides[0])?;
            let last = self.abs(out.strides[rank - 1])?;
            self.b
                .build_int_compare(IntPredicate::SLT, first, last, "")?
        };
        let levels: Vec<IntValue<'ctx>> = (0..rank)
            .map(|l| self.pick(fortran, out.shape[rank - 1 - l], out.shape[l]))
            .collect::<R<_>>()?;
        let inner: Vec<usize> = (1..rank).collect();
        self.outlined(levels[0], 1, work, &mut |s, lo, hi| {
            s.for_range_in(lo, hi, LoopHint::Vector, &mut |s, i| {
                let mut ivs = vec![i; rank];
                s.nest_from(&levels, &inner, &mut ivs, &mut |s, ivs| {
                    let ix = Ix::Levels {
                        ivs: ivs.to_vec(),
                        fortran,
                    };
                    store(s, &ix)
                })
            })
        })
    }

    /// True when `out` and every non-invariant input are contiguous in one order (C or Fortran).
    /// Known false when an input is broadcast (a constant 0 stride on an axis whose extent is
    /// not the constant 1): then only degenerate extents could make it contiguous, and the nest
    /// serves those.
    fn flat_condition(&self, out: &Buf<'ctx>, inputs: &[Buf<'ctx>]) -> R<IntValue<'ctx>> {
        let stretched = |b: &Buf<'ctx>| {
            !b.invariant()
                && b.strides.iter().zip(&out.shape).any(|(s, e)| {
                    s.get_zero_extended_constant() == Some(0)
                        && e.get_zero_extended_constant() != Some(1)
                })
        };
        if inputs.iter().any(stretched) {
            return Ok(self.boolc(false));
        }
        let mut any = self.boolc(false);
        let orders: &[bool] = if out.shape.len() >= 2 {
            &[false, true]
        } else {
            &[false]
        };
        for &fortran in orders {
            let mut ok = if out.contig && !fortran {
                self.boolc(true)
            } else {
                self.is_contiguous(&out.shape, &out.strides, fortran)?
            };
            for b in inputs.iter().filter(|b| !b.invariant()) {
                if b.contig && !fortran {
                    continue;
                }
                let c = self.is_contiguous(&out.shape, &b.strides, fortran)?;
                ok = self.b.build_and(ok, c, "")?;
            }
            if ok.get_zero_extended_constant() == Some(1) {
                return Ok(ok);
            }
            any = self.b.build_or(any, ok, "")?;
        }
        Ok(any)
    }

    /// `|x|` of an `i64`.
    pub fn abs(&self, x: IntValue<'ctx>) -> R<IntValue<'ctx>> {
        let f = self.g.c.bool_type().const_zero();
        Ok(self
            .intrinsic("llvm.abs", &[x.get_type().into()], &[x.into(), f.into()])?
            .into_int_value())
    }

    /// Copies `src` (of `d`, same shape as `dst`) into `dst`.
    pub fn copy_into(&mut self, d: DType, src: &Val<'ctx>, dst: &Buf<'ctx>) -> R<()> {
        let inputs: Vec<Buf<'ctx>> = match src {
            Val::Buf(b) => vec![b.clone()],
            Val::Reg(_) => vec![],
        };
        let src = src.clone();
        self.kernel(dst, d, &inputs, true, &mut |s, ix| s.load_at(d, &src, ix))
    }

    /// A fresh C-contiguous copy of a value.
    pub fn materialise(&mut self, d: DType, v: &Val<'ctx>) -> R<Buf<'ctx>> {
        match v {
            Val::Reg(r) => self.scalar_buf(d, *r),
            Val::Buf(b) => {
                let out = self.alloc_buf(d, &b.shape)?;
                self.copy_into(d, v, &out)?;
                Ok(out)
            }
        }
    }
}
