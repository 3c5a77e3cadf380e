//! Loops: counted loops, loop nests in a chosen axis order, and the elementwise *kernel*: a loop
//! over an output buffer that takes one flat loop when every operand is contiguous in the output's
//! order (the path LLVM vectorises), and otherwise a nest in the output's stride order (C or
//! Fortran).

use air_ir::DType;
use inkwell::values::{BasicValueEnum, IntValue};
use inkwell::IntPredicate;

use super::{Buf, FnGen, Val, R};

/// Where an element is: one index per axis, or a flat position in operands that are all laid out
/// contiguously in the same order.
#[derive(Clone, Debug)]
pub(crate) enum Ix<'ctx> {
    /// One index per axis.
    Multi(Vec<IntValue<'ctx>>),
    /// A flat position (invariant operands read their only element).
    Flat(IntValue<'ctx>),
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
        let c = self.g.c;
        let pre = self
            .b
            .get_insert_block()
            .ok_or_else(|| super::CgError::unsupported("no insert block"))?;
        let header = c.append_basic_block(self.func, "loop");
        let body_bb = c.append_basic_block(self.func, "body");
        let exit = c.append_basic_block(self.func, "exit");
        self.b.build_unconditional_branch(header)?;
        self.b.position_at_end(header);
        let i = self.b.build_phi(c.i64_type(), "i")?;
        let iv = i.as_basic_value().into_int_value();
        let more = self.b.build_int_compare(IntPredicate::SLT, iv, n, "")?;
        self.b.build_conditional_branch(more, body_bb, exit)?;
        self.b.position_at_end(body_bb);
        body(self, iv)?;
        let next = self.b.build_int_nsw_add(iv, self.i64c(1), "")?;
        let latch = self
            .b
            .get_insert_block()
            .ok_or_else(|| super::CgError::unsupported("no insert block"))?;
        self.b.build_unconditional_branch(header)?;
        i.add_incoming(&[(&self.i64c(0), pre), (&next, latch)]);
        self.b.position_at_end(exit);
        Ok(())
    }

    /// A loop nest over `extents`, outermost axis first in `order`; `body` gets the index of
    /// every axis (in axis order).
    pub fn nest(
        &mut self,
        extents: &[IntValue<'ctx>],
        order: &[usize],
        body: &mut NestBody<'_, 'g, 'ctx, 'a>,
    ) -> R<()> {
        let mut idx = vec![self.i64c(0); extents.len()];
        self.nest_level(extents, order, &mut idx, body)
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
        let c = self.g.c;
        let done = c.append_basic_block(self.func, "kernel_done");
        if flat_ok {
            let flat = self.flat_condition(out, inputs)?;
            let flat_bb = c.append_basic_block(self.func, "flat");
            let nested_bb = c.append_basic_block(self.func, "nested");
            self.b.build_conditional_branch(flat, flat_bb, nested_bb)?;
            self.b.position_at_end(flat_bb);
            let n = self.count(&out.shape)?;
            self.for_range(n, &mut |s, i| store(s, &Ix::Flat(i)))?;
            self.b.build_unconditional_branch(done)?;
            self.b.position_at_end(nested_bb);
        }
        let c_order: Vec<usize> = (0..rank).collect();
        if rank >= 2 {
            // Innermost loop on the axis with the smaller output stride.
            let first = self.abs(out.strides[0])?;
            let last = self.abs(out.strides[rank - 1])?;
            let fortran = self
                .b
                .build_int_compare(IntPredicate::SLT, first, last, "")?;
            let f_bb = c.append_basic_block(self.func, "fortran");
            let c_bb = c.append_basic_block(self.func, "c_order");
            self.b.build_conditional_branch(fortran, f_bb, c_bb)?;
            self.b.position_at_end(f_bb);
            let f_order: Vec<usize> = (0..rank).rev().collect();
            self.nest(&out.shape, &f_order, &mut |s, idx| {
                store(s, &Ix::Multi(idx.to_vec()))
            })?;
            self.b.build_unconditional_branch(done)?;
            self.b.position_at_end(c_bb);
        }
        self.nest(&out.shape, &c_order, &mut |s, idx| {
            store(s, &Ix::Multi(idx.to_vec()))
        })?;
        self.b.build_unconditional_branch(done)?;
        self.b.position_at_end(done);
        Ok(())
    }

    /// True when `out` and every non-invariant input are contiguous in one order (C or Fortran).
    fn flat_condition(&self, out: &Buf<'ctx>, inputs: &[Buf<'ctx>]) -> R<IntValue<'ctx>> {
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
