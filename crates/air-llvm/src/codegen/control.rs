//! Control flow: `for` and `while` (carried values copied into two state buffers that swap each
//! iteration, so a body may read its state while the next one is written), `if` (each branch copies its
//! yields into buffers owned by the enclosing region) and `call`/`custom` (a call through the
//! callee's C ABI entry point).

use std::collections::HashMap;

use air_ir::{Code, DType, Intent, NodeId, Region, TensorType};
use inkwell::values::{IntValue, PointerValue};
use inkwell::IntPredicate;

use super::region::Scope;
use super::{Buf, CgError, FnGen, Val, R};
use crate::plan::plan_region;

/// Where one value crossing a region boundary is kept: a stack slot (rank 0) or a heap buffer.
struct Held<'ctx> {
    ty: TensorType,
    /// Rank 0: the element; else the slot holding the buffer pointer.
    slot: PointerValue<'ctx>,
    /// The extents (stack slots), for values whose shape a region decides.
    extents: Vec<PointerValue<'ctx>>,
}

impl<'g, 'ctx, 'a> FnGen<'g, 'ctx, 'a> {
    fn held(&mut self, ty: &TensorType) -> R<Held<'ctx>> {
        let slot = if ty.rank() == 0 {
            self.alloca(self.g.mem_ty(ty.dtype)?, 1)?
        } else {
            self.new_slot()?
        };
        let i64t = self.g.c.i64_type().into();
        let extents = (0..ty.rank())
            .map(|_| self.alloca(i64t, 1))
            .collect::<R<Vec<_>>>()?;
        Ok(Held {
            ty: ty.clone(),
            slot,
            extents,
        })
    }

    /// Copies `v` into held storage (allocating its buffer, owned by the slot's region).
    fn hold(&mut self, h: &Held<'ctx>, v: &Val<'ctx>) -> R<()> {
        let d = h.ty.dtype;
        let Val::Buf(b) = v else {
            let r = self.as_reg(d, v)?;
            return self.store_elem(d, h.slot, r);
        };
        if h.ty.rank() == 0 {
            let r = self.load_elem(d, b.data)?;
            return self.store_elem(d, h.slot, r);
        }
        let count = self.count(&b.shape)?;
        let p = self.raw_alloc(count, d.size_bytes())?;
        self.b.build_store(h.slot, p)?;
        for (e, slot) in b.shape.iter().zip(&h.extents) {
            self.b.build_store(*slot, *e)?;
        }
        let dst = Buf {
            data: p,
            strides: self.c_strides(&b.shape)?,
            shape: b.shape.clone(),
            contig: true,
            fresh: true,
        };
        self.copy_into(d, v, &dst)
    }

    /// The value held.
    fn unhold(&mut self, h: &Held<'ctx>) -> R<Val<'ctx>> {
        let d = h.ty.dtype;
        if h.ty.rank() == 0 {
            return Ok(Val::Reg(self.load_elem(d, h.slot)?));
        }
        let data = self
            .b
            .build_load(self.ptr_ty(), h.slot, "")?
            .into_pointer_value();
        let mut shape = Vec::new();
        for s in &h.extents {
            shape.push(
                self.b
                    .build_load(self.g.c.i64_type(), *s, "")?
                    .into_int_value(),
            );
        }
        Ok(Val::Buf(Buf {
            data,
            strides: self.c_strides(&shape)?,
            shape,
            contig: true,
            fresh: true,
        }))
    }

    /// Generates a nested region on `args` and copies its yields into `out`.
    fn region_into(&mut self, region: &Region, args: Vec<Val<'ctx>>, out: &[Held<'ctx>]) -> R<()> {
        let saved = self.enter_region();
        let (_, yields) = self.region(region, plan_region(region), args, HashMap::new())?;
        if yields.len() != out.len() {
            return Err(CgError::internal(
                "region yields the wrong number of values",
            ));
        }
        for (h, v) in out.iter().zip(&yields) {
            self.hold(h, v)?;
        }
        self.exit_region(saved)
    }

    /// `for(lo, hi, step, carried..., captured...)`.
    pub fn for_loop(
        &mut self,
        sc: &Scope<'_, 'ctx>,
        id: NodeId,
        body: &Region,
    ) -> R<Vec<Val<'ctx>>> {
        let node = sc.region.node(id);
        let c = node.results.len();
        let scalar = |s: &mut Self, k: usize| -> R<IntValue<'ctx>> {
            let v = sc.operand(id, k)?;
            Ok(s.as_reg(DType::I64, sc.val(v)?)?.into_int_value())
        };
        let (lo, hi, step) = (scalar(self, 0)?, scalar(self, 1)?, scalar(self, 2)?);
        let zero = self.i64c(0);
        let is_zero = self.b.build_int_compare(IntPredicate::EQ, step, zero, "")?;
        self.fail_if(is_zero, Code::BadExtent, "for: step 0", zero, zero)?;
        // Two stores per carried value: the current state and the next one, swapped each turn.
        let mut cur = Vec::with_capacity(c);
        let mut next = Vec::with_capacity(c);
        for k in 0..c {
            let (a, b) = (self.held(&node.results[k])?, self.held(&node.results[k])?);
            let init = sc.val(sc.operand(id, 3 + k)?)?.clone();
            self.hold(&a, &init)?;
            cur.push(a);
            next.push(b);
        }
        let captured: Vec<Val<'ctx>> = node.operands[3 + c..]
            .iter()
            .map(|&v| sc.val(v).cloned())
            .collect::<R<_>>()?;
        self.inline_loops = true;
        let i_slot = self.alloca(self.g.c.i64_type().into(), 1)?;
        self.b.build_store(i_slot, lo)?;
        let cx = self.g.c;
        let (head, body_bb, exit) = (
            cx.append_basic_block(self.func, "for_head"),
            cx.append_basic_block(self.func, "for_body"),
            cx.append_basic_block(self.func, "for_exit"),
        );
        self.b.build_unconditional_branch(head)?;
        self.b.position_at_end(head);
        let i = self
            .b
            .build_load(cx.i64_type(), i_slot, "")?
            .into_int_value();
        let up = self
            .b
            .build_int_compare(IntPredicate::SGT, step, zero, "")?;
        let below = self.b.build_int_compare(IntPredicate::SLT, i, hi, "")?;
        let above = self.b.build_int_compare(IntPredicate::SGT, i, hi, "")?;
        let more = self.b.build_select(up, below, above, "")?.into_int_value();
        self.b.build_conditional_branch(more, body_bb, exit)?;
        self.b.position_at_end(body_bb);
        let mut args = vec![Val::Reg(i.into())];
        for h in &cur {
            args.push(self.unhold_state(h)?);
        }
        args.extend(captured);
        self.region_into_state(body, args, &next)?;
        for (a, b) in cur.iter().zip(&next) {
            self.swap_slots(a.slot, b.slot, &a.ty)?;
        }
        let i64t = cx.i64_type();
        let pair = self.intrinsic(
            "llvm.sadd.with.overflow",
            &[i64t.into()],
            &[i.into(), step.into()],
        )?;
        let pair = pair.into_struct_value();
        let i_next = self.b.build_extract_value(pair, 0, "")?;
        let overflow = self.b.build_extract_value(pair, 1, "")?.into_int_value();
        self.b.build_store(i_slot, i_next)?;
        self.b.build_conditional_branch(overflow, exit, head)?;
        self.b.position_at_end(exit);
        cur.iter().map(|h| self.unhold_state(h)).collect()
    }

    /// `while(carried..., captured...)`: the condition region runs at the head of each turn on the
    /// current state; the body writes the next state, which then swaps with the current one.
    /// The generated loop counts no iterations (an endless loop runs for ever; the iteration
    /// limit is an interpreter option).
    pub fn while_loop(
        &mut self,
        sc: &Scope<'_, 'ctx>,
        id: NodeId,
        cond: &Region,
        body: &Region,
    ) -> R<Vec<Val<'ctx>>> {
        let node = sc.region.node(id);
        let c = node.results.len();
        let mut cur = Vec::with_capacity(c);
        let mut next = Vec::with_capacity(c);
        for k in 0..c {
            let (a, b) = (self.held(&node.results[k])?, self.held(&node.results[k])?);
            let init = sc.val(sc.operand(id, k)?)?.clone();
            self.hold(&a, &init)?;
            cur.push(a);
            next.push(b);
        }
        let captured: Vec<Val<'ctx>> = node.operands[c..]
            .iter()
            .map(|&v| sc.val(v).cloned())
            .collect::<R<_>>()?;
        self.inline_loops = true;
        let cx = self.g.c;
        let (head, body_bb, exit) = (
            cx.append_basic_block(self.func, "while_head"),
            cx.append_basic_block(self.func, "while_body"),
            cx.append_basic_block(self.func, "while_exit"),
        );
        self.b.build_unconditional_branch(head)?;
        self.b.position_at_end(head);
        let mut args = Vec::with_capacity(node.operands.len());
        for h in &cur {
            args.push(self.unhold_state(h)?);
        }
        args.extend(captured);
        let more = self.while_condition(cond, args.clone())?;
        self.b.build_conditional_branch(more, body_bb, exit)?;
        self.b.position_at_end(body_bb);
        self.region_into_state(body, args, &next)?;
        for (a, b) in cur.iter().zip(&next) {
            self.swap_slots(a.slot, b.slot, &a.ty)?;
        }
        self.b.build_unconditional_branch(head)?;
        self.b.position_at_end(exit);
        cur.iter().map(|h| self.unhold_state(h)).collect()
    }

    /// Runs a `while` condition region and returns the `bool` it yields, as an `i1`.
    fn while_condition(&mut self, cond: &Region, args: Vec<Val<'ctx>>) -> R<IntValue<'ctx>> {
        let saved = self.enter_region();
        let (_, yields) = self.region(cond, plan_region(cond), args, HashMap::new())?;
        let [flag] = yields.as_slice() else {
            return Err(CgError::internal(
                "while condition yields the wrong number of values",
            ));
        };
        let flag = self.as_reg(DType::Bool, flag)?.into_int_value();
        self.exit_region(saved)?;
        Ok(flag)
    }

    /// A carried state's current value (its shape is fixed by its type).
    fn unhold_state(&mut self, h: &Held<'ctx>) -> R<Val<'ctx>> {
        let shape = self.shape(&h.ty.shape)?;
        for (e, s) in shape.iter().zip(&h.extents) {
            self.b.build_store(*s, *e)?;
        }
        self.unhold(h)
    }

    /// Runs a loop body and writes its yields into the `next` state, reusing its buffers.
    fn region_into_state(
        &mut self,
        body: &Region,
        args: Vec<Val<'ctx>>,
        next: &[Held<'ctx>],
    ) -> R<()> {
        let saved = self.enter_region();
        let (_, yields) = self.region(body, plan_region(body), args, HashMap::new())?;
        if yields.len() != next.len() {
            return Err(CgError::internal(
                "loop body yields the wrong number of values",
            ));
        }
        for (h, v) in next.iter().zip(&yields) {
            if h.ty.rank() == 0 {
                self.hold(h, v)?;
                continue;
            }
            // The next state's buffer is allocated on the first turn and reused after that.
            let shape = self.shape(&h.ty.shape)?;
            let existing = self
                .b
                .build_load(self.ptr_ty(), h.slot, "")?
                .into_pointer_value();
            let missing = self.b.build_is_null(existing, "")?;
            let (alloc_bb, join) = (
                self.g.c.append_basic_block(self.func, "state_alloc"),
                self.g.c.append_basic_block(self.func, "join"),
            );
            self.b.build_conditional_branch(missing, alloc_bb, join)?;
            self.b.position_at_end(alloc_bb);
            let count = self.count(&shape)?;
            let p = self.raw_alloc(count, h.ty.dtype.size_bytes())?;
            self.b.build_store(h.slot, p)?;
            self.b.build_unconditional_branch(join)?;
            self.b.position_at_end(join);
            let data = self
                .b
                .build_load(self.ptr_ty(), h.slot, "")?
                .into_pointer_value();
            let dst = Buf {
                data,
                strides: self.c_strides(&shape)?,
                shape,
                contig: true,
                fresh: true,
            };
            self.copy_into(h.ty.dtype, v, &dst)?;
        }
        self.exit_region(saved)
    }

    fn swap_slots(
        &mut self,
        a: PointerValue<'ctx>,
        b: PointerValue<'ctx>,
        ty: &TensorType,
    ) -> R<()> {
        let t = if ty.rank() == 0 {
            self.g.mem_ty(ty.dtype)?
        } else {
            self.ptr_ty().into()
        };
        let va = self.b.build_load(t, a, "")?;
        let vb = self.b.build_load(t, b, "")?;
        self.b.build_store(a, vb)?;
        self.b.build_store(b, va)?;
        Ok(())
    }

    /// `if(cond, args...)`: only the branch taken runs.
    pub fn if_op(
        &mut self,
        sc: &Scope<'_, 'ctx>,
        id: NodeId,
        then_branch: &Region,
        else_branch: &Region,
    ) -> R<Vec<Val<'ctx>>> {
        let node = sc.region.node(id);
        let cond = sc.val(sc.operand(id, 0)?)?.clone();
        let cond = self.as_reg(DType::Bool, &cond)?.into_int_value();
        let args: Vec<Val<'ctx>> = node.operands[1..]
            .iter()
            .map(|&v| sc.val(v).cloned())
            .collect::<R<_>>()?;
        let out = node
            .results
            .iter()
            .map(|t| self.held(t))
            .collect::<R<Vec<_>>>()?;
        let cx = self.g.c;
        let (then_bb, else_bb, join) = (
            cx.append_basic_block(self.func, "then"),
            cx.append_basic_block(self.func, "else"),
            cx.append_basic_block(self.func, "endif"),
        );
        self.b.build_conditional_branch(cond, then_bb, else_bb)?;
        for (bb, region) in [(then_bb, then_branch), (else_bb, else_branch)] {
            self.b.position_at_end(bb);
            self.region_into(region, args.clone(), &out)?;
            self.b.build_unconditional_branch(join)?;
        }
        self.b.position_at_end(join);
        let mut vals = Vec::with_capacity(out.len());
        for h in &out {
            let v = self.unhold(h)?;
            if let Val::Buf(b) = &v {
                for (k, d) in h.ty.shape.iter().enumerate() {
                    self.bind_or_check(d, b.shape[k], k)?;
                }
            }
            vals.push(v);
        }
        Ok(vals)
    }

    /// `call` (and `custom` through its decomposition): through the callee's entry point.
    pub fn call_function(
        &mut self,
        sc: &Scope<'_, 'ctx>,
        id: NodeId,
        callee: &str,
    ) -> R<Vec<Val<'ctx>>> {
        let node = sc.region.node(id);
        let f = self.g.air_fn(callee).ok_or_else(|| CgError {
            code: Code::UnknownFunction,
            message: format!("no function @{callee} in the module"),
        })?;
        let params = self.alloca(self.g.tensor_ty.into(), f.params.len().max(1) as u32)?;
        let results = self.alloca(self.g.tensor_ty.into(), f.results.len().max(1) as u32)?;
        // The callee's symbols, from the operands bound to its in/inout parameters.
        let mut callee_syms: HashMap<String, IntValue<'ctx>> = HashMap::new();
        let mut passed: Vec<(Buf<'ctx>, &TensorType)> = Vec::new();
        let mut operands = node.operands.iter();
        for p in f.params.iter().filter(|p| p.intent != Intent::Out) {
            let v = *operands
                .next()
                .ok_or_else(|| CgError::internal("call has too few operands"))?;
            let val = sc.val(v)?.clone();
            let buf = match p.intent {
                // The callee overwrites an inout buffer: give it a copy.
                Intent::InOut => self.materialise(p.ty.dtype, &val)?,
                Intent::In | Intent::Out => self.as_buf(p.ty.dtype, &val)?,
            };
            for (d, e) in p.ty.shape.iter().zip(&buf.shape) {
                if let Some(s) = d.as_symbol() {
                    callee_syms.entry(s.to_string()).or_insert(*e);
                }
            }
            passed.push((buf, &p.ty));
        }
        let mut param_bufs = Vec::with_capacity(f.params.len());
        let mut given = passed.into_iter();
        for p in &f.params {
            let buf = if p.intent == Intent::Out {
                let saved = std::mem::replace(&mut self.syms, callee_syms.clone());
                let shape = self.shape(&p.ty.shape);
                self.syms = saved;
                self.alloc_buf(p.ty.dtype, &shape?)?
            } else {
                given
                    .next()
                    .map(|(b, _)| b)
                    .ok_or_else(|| CgError::internal("call operands"))?
            };
            param_bufs.push((buf, p));
        }
        for (j, (buf, p)) in param_bufs.iter().enumerate() {
            let desc = self.descriptor_at(params, j)?;
            self.write_descriptor(desc, p.ty.dtype, Some(buf), p.ty.rank())?;
        }
        for (k, r) in f.results.iter().enumerate() {
            let desc = self.descriptor_at(results, k)?;
            self.write_descriptor(desc, r.ty.dtype, None, r.ty.rank())?;
        }
        let entry = self.g.air_function(callee);
        let code = self.call(entry, &[params.into(), results.into(), self.err.into()])?;
        self.propagate(code.into_int_value())?;
        let mut vals = Vec::new();
        for (k, r) in f.results.iter().enumerate() {
            let desc = self.descriptor_at(results, k)?;
            vals.push(self.take_result(desc, r.ty.rank())?);
        }
        for (buf, p) in &param_bufs {
            if p.intent != Intent::In {
                vals.push(Val::Buf(buf.clone()));
            }
        }
        if vals.len() != node.results.len() {
            return Err(CgError::internal(format!(
                "call of @{callee} yields {} values, the node declares {}",
                vals.len(),
                node.results.len()
            )));
        }
        for (v, ty) in vals.iter().zip(&node.results) {
            if let Val::Buf(b) = v {
                for (k, d) in ty.shape.iter().enumerate() {
                    self.bind_or_check(d, b.shape[k], k)?;
                }
            }
        }
        vals.into_iter()
            .zip(&node.results)
            .map(|(v, ty)| match v {
                Val::Buf(b) if ty.rank() == 0 => self.load_elem(ty.dtype, b.data).map(Val::Reg),
                v @ (Val::Buf(_) | Val::Reg(_)) => Ok(v),
            })
            .collect()
    }

    pub(super) fn descriptor_at(
        &self,
        array: PointerValue<'ctx>,
        j: usize,
    ) -> R<PointerValue<'ctx>> {
        // SAFETY (of the generated code): `array` has room for every descriptor.
        #[allow(unsafe_code)]
        let p = unsafe {
            self.b
                .build_in_bounds_gep(self.g.tensor_ty, array, &[self.i64c(j as i64)], "")?
        };
        Ok(p)
    }

    /// Fills a descriptor: a buffer's data, extents and byte strides, or NULL data (the callee
    /// allocates) with room for the extents.
    pub(super) fn write_descriptor(
        &mut self,
        desc: PointerValue<'ctx>,
        d: DType,
        buf: Option<&Buf<'ctx>>,
        rank: usize,
    ) -> R<()> {
        let i64t = self.g.c.i64_type();
        let shape = self.alloca(i64t.into(), rank.max(1) as u32)?;
        let strides = self.alloca(i64t.into(), rank.max(1) as u32)?;
        let size = self.i64c(d.size_bytes() as i64);
        let data = match buf {
            Some(b) => {
                for k in 0..rank {
                    self.b.build_store(
                        self.elem_ptr(DType::I64, shape, self.i64c(k as i64))?,
                        b.shape[k],
                    )?;
                    let bytes = self.b.build_int_mul(b.strides[k], size, "")?;
                    self.b.build_store(
                        self.elem_ptr(DType::I64, strides, self.i64c(k as i64))?,
                        bytes,
                    )?;
                }
                b.data
            }
            None => {
                for k in 0..rank {
                    let zero = self.i64c(0);
                    self.b.build_store(
                        self.elem_ptr(DType::I64, shape, self.i64c(k as i64))?,
                        zero,
                    )?;
                    self.b.build_store(
                        self.elem_ptr(DType::I64, strides, self.i64c(k as i64))?,
                        zero,
                    )?;
                }
                self.ptr_ty().const_null()
            }
        };
        let t = self.g.tensor_ty;
        let i32t = self.g.c.i32_type();
        self.b
            .build_store(self.b.build_struct_gep(t, desc, 0, "")?, data)?;
        self.b
            .build_store(self.b.build_struct_gep(t, desc, 1, "")?, shape)?;
        self.b
            .build_store(self.b.build_struct_gep(t, desc, 2, "")?, strides)?;
        let r = i32t.const_int(rank as u64, false);
        self.b
            .build_store(self.b.build_struct_gep(t, desc, 3, "")?, r)?;
        let code = i32t.const_int(air_rt::abi::dtype_code(d) as u64, true);
        self.b
            .build_store(self.b.build_struct_gep(t, desc, 4, "")?, code)?;
        Ok(())
    }

    /// A result the callee allocated: owned by the current region from now on.
    pub(super) fn take_result(&mut self, desc: PointerValue<'ctx>, rank: usize) -> R<Val<'ctx>> {
        let t = self.g.tensor_ty;
        let p = self.ptr_ty();
        let data = self
            .b
            .build_load(p, self.b.build_struct_gep(t, desc, 0, "")?, "")?
            .into_pointer_value();
        let slot = self.new_slot()?;
        self.b.build_store(slot, data)?;
        let shape_p = self
            .b
            .build_load(p, self.b.build_struct_gep(t, desc, 1, "")?, "")?
            .into_pointer_value();
        let mut shape = Vec::new();
        for k in 0..rank {
            let e = self.b.build_load(
                self.g.c.i64_type(),
                self.elem_ptr(DType::I64, shape_p, self.i64c(k as i64))?,
                "",
            )?;
            shape.push(e.into_int_value());
        }
        Ok(Val::Buf(Buf {
            data,
            strides: self.c_strides(&shape)?,
            shape,
            contig: true,
            fresh: true,
        }))
    }
}
