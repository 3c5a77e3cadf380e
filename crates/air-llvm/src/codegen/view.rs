//! Constants, `full`, views (`transpose`, `expand_dims`, `squeeze`, `broadcast`, `reshape` of
//! contiguous data, `slice` with static or run-time bounds) and element access (`extract`,
//! `insert`). A view is a new descriptor over the same memory: no element moves.

use air_ir::op::{Bound, SliceAxis};
use air_ir::{Code, DType, Dim, Literal, NodeId, Op};
use inkwell::module::Linkage;
use inkwell::values::{IntValue, PointerValue};
use inkwell::IntPredicate;

use super::region::Scope;
use super::{Buf, CgError, FnGen, Val, R};

impl<'g, 'ctx, 'a> FnGen<'g, 'ctx, 'a> {
    /// A literal: a register for a scalar, else a read-only global.
    pub fn constant(&mut self, lit: &Literal) -> R<Val<'ctx>> {
        if lit.shape.is_empty() {
            let s = lit
                .elements()
                .next()
                .ok_or_else(|| CgError::internal("empty scalar literal"))?;
            return Ok(Val::Reg(self.const_elem(lit.dtype, s)?));
        }
        let data = self.global_bytes(&lit.data);
        let shape: Vec<IntValue<'ctx>> = lit.shape.iter().map(|&d| self.i64c(d as i64)).collect();
        Ok(Val::Buf(Buf {
            data,
            strides: self.c_strides(&shape)?,
            shape,
            contig: true,
            fresh: false,
        }))
    }

    fn global_bytes(&self, bytes: &[u8]) -> PointerValue<'ctx> {
        let arr = self.g.c.const_string(bytes, false);
        let g = self.g.m.add_global(arr.get_type(), None, "lit");
        g.set_initializer(&arr);
        g.set_constant(true);
        g.set_linkage(Linkage::Private);
        g.set_alignment(64);
        g.as_pointer_value()
    }

    /// `full`: one element read everywhere (all strides 0).
    pub fn full(&mut self, value: &Literal, dims: &[Dim]) -> R<Val<'ctx>> {
        let s = value
            .elements()
            .next()
            .ok_or_else(|| CgError::internal("full without a value"))?;
        if dims.is_empty() {
            return Ok(Val::Reg(self.const_elem(value.dtype, s)?));
        }
        let shape = self.shape(dims)?;
        let mut bytes = s.to_le_bytes(value.dtype);
        bytes.truncate(value.dtype.size_bytes());
        Ok(Val::Buf(Buf {
            data: self.global_bytes(&bytes),
            strides: vec![self.i64c(0); shape.len()],
            shape,
            contig: false,
            fresh: false,
        }))
    }

    /// The shape ops that only describe the same memory differently.
    pub fn view(&mut self, sc: &Scope<'_, 'ctx>, id: NodeId) -> R<Val<'ctx>> {
        let node = sc.region.node(id);
        let xv = sc.operand(id, 0)?;
        let xty = sc.ty(xv)?;
        let x = self.as_buf(xty.dtype, sc.val(xv)?)?;
        let rty = node
            .results
            .first()
            .ok_or_else(|| CgError::internal("view without a result"))?;
        let zero = self.i64c(0);
        let one = self.i64c(1);
        let out = match &node.op {
            Op::Transpose { perm } => {
                let p: Vec<usize> = perm.iter().map(|&a| a as usize).collect();
                let identity = p.iter().enumerate().all(|(i, &a)| i == a);
                Buf {
                    shape: p.iter().map(|&a| x.shape[a]).collect(),
                    strides: p.iter().map(|&a| x.strides[a]).collect(),
                    contig: x.contig && identity,
                    ..x
                }
            }
            Op::ExpandDims { axes } => {
                let rank = x.shape.len() + axes.len();
                let (mut shape, mut strides) = (Vec::new(), Vec::new());
                let mut k = 0;
                for p in 0..rank {
                    if axes.contains(&(p as u32)) {
                        shape.push(one);
                        strides.push(zero);
                    } else {
                        shape.push(x.shape[k]);
                        strides.push(x.strides[k]);
                        k += 1;
                    }
                }
                Buf {
                    shape,
                    strides,
                    ..x
                }
            }
            Op::Squeeze { axes } => {
                let keep = |k: &usize| !axes.contains(&(*k as u32));
                Buf {
                    shape: (0..x.shape.len())
                        .filter(keep)
                        .map(|k| x.shape[k])
                        .collect(),
                    strides: (0..x.shape.len())
                        .filter(keep)
                        .map(|k| x.strides[k])
                        .collect(),
                    ..x
                }
            }
            Op::Broadcast { shape, dims } => {
                let ext = self.shape(shape)?;
                let mut strides = vec![zero; ext.len()];
                for (i, &j) in dims.iter().enumerate() {
                    let stretched = xty.shape[i].as_const() == Some(1)
                        && shape[j as usize].as_const() != Some(1);
                    strides[j as usize] = if stretched { zero } else { x.strides[i] };
                }
                Buf {
                    shape: ext,
                    strides,
                    contig: false,
                    ..x
                }
            }
            Op::Reshape { shape } => self.reshape(xty.dtype, x, shape)?,
            Op::Slice { axes } => self.slice(sc, id, x, axes, &rty.shape)?,
            other @ (Op::Constant(_)
            | Op::Iota { .. }
            | Op::Full { .. }
            | Op::Unary(_)
            | Op::Binary(_)
            | Op::Select
            | Op::Cast { .. }
            | Op::Clip
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
            | Op::Custom(_)) => {
                return Err(CgError::internal(format!("{} is not a view", other.name())))
            }
        };
        if rty.rank() == 0 {
            return Ok(Val::Reg(self.load_elem(rty.dtype, out.data)?));
        }
        Ok(Val::Buf(out))
    }

    /// `reshape`: C-contiguous data is viewed; anything else is copied first.
    fn reshape(&mut self, d: DType, x: Buf<'ctx>, dims: &[Dim]) -> R<Buf<'ctx>> {
        let shape = self.shape(dims)?;
        let data = if x.contig {
            x.data
        } else {
            let slot = self.alloca(self.ptr_ty().into(), 1)?;
            self.b.build_store(slot, x.data)?;
            let contiguous = self.is_contiguous(&x.shape, &x.strides, false)?;
            let (copy_bb, join) = (
                self.g.c.append_basic_block(self.func, "reshape_copy"),
                self.g.c.append_basic_block(self.func, "join"),
            );
            self.b.build_conditional_branch(contiguous, join, copy_bb)?;
            self.b.position_at_end(copy_bb);
            let copy = self.materialise(d, &Val::Buf(x.clone()))?;
            self.b.build_store(slot, copy.data)?;
            self.b.build_unconditional_branch(join)?;
            self.b.position_at_end(join);
            self.b
                .build_load(self.ptr_ty(), slot, "")?
                .into_pointer_value()
        };
        Ok(Buf {
            data,
            strides: self.c_strides(&shape)?,
            shape,
            contig: true,
            fresh: x.fresh,
        })
    }

    /// `slice`: Python's `slice.indices` per axis, computed at run time; a declared dim that is a
    /// new symbol is bound to the extent, any other is checked against it (E0506).
    fn slice(
        &mut self,
        sc: &Scope<'_, 'ctx>,
        id: NodeId,
        x: Buf<'ctx>,
        axes: &[SliceAxis],
        declared: &[Dim],
    ) -> R<Buf<'ctx>> {
        let mut offset = self.i64c(0);
        let (mut shape, mut strides) = (Vec::new(), Vec::new());
        for (k, ax) in axes.iter().enumerate() {
            let n = x.shape[k];
            let step = ax.step;
            let start = self.bound(sc, id, &ax.start, n, step, true)?;
            let stop = self.bound(sc, id, &ax.stop, n, step, false)?;
            let b = &self.b;
            let (hi, lo) = if step > 0 {
                (stop, start)
            } else {
                (start, stop)
            };
            let span = b.build_int_sub(b.build_int_sub(hi, lo, "")?, self.i64c(1), "")?;
            let q = b.build_int_signed_div(span, self.i64c(step.abs()), "")?;
            let len = b.build_int_add(q, self.i64c(1), "")?;
            let some = b.build_int_compare(IntPredicate::SGT, hi, lo, "")?;
            let len = b
                .build_select(some, len, self.i64c(0), "")?
                .into_int_value();
            let off = b.build_int_mul(start, x.strides[k], "")?;
            let off = b
                .build_select(some, off, self.i64c(0), "")?
                .into_int_value();
            offset = self.b.build_int_add(offset, off, "")?;
            strides.push(self.b.build_int_mul(x.strides[k], self.i64c(step), "")?);
            self.bind_or_check(&declared[k], len, k)?;
            shape.push(len);
        }
        // SAFETY (of the generated code): the offset stays inside the sliced buffer whenever
        // the result has elements; it is 0 otherwise.
        #[allow(unsafe_code)]
        let data = unsafe {
            self.b.build_gep(
                self.g.mem_ty(sc.ty(sc.operand(id, 0)?)?.dtype)?,
                x.data,
                &[offset],
                "",
            )?
        };
        Ok(Buf {
            data,
            shape,
            strides,
            contig: false,
            ..x
        })
    }

    /// Binds a fresh dim to a computed extent, or checks a declared one against it (E0506).
    pub fn bind_or_check(&mut self, declared: &Dim, actual: IntValue<'ctx>, axis: usize) -> R<()> {
        if let Some(sym) = declared.as_symbol() {
            if !self.syms.contains_key(sym) {
                self.syms.insert(sym.to_string(), actual);
                return Ok(());
            }
        }
        let want = self.dim(declared)?;
        let bad = self
            .b
            .build_int_compare(IntPredicate::NE, want, actual, "")?;
        let msg = format!("axis {axis} has {{a}} elements, its declared dim {declared} is {{b}}");
        self.fail_if(bad, Code::BadExtent, &msg, actual, want)
    }

    /// One end of a slice, clamped as Python's `slice.indices(n)` does.
    fn bound(
        &mut self,
        sc: &Scope<'_, 'ctx>,
        id: NodeId,
        bound: &Bound,
        n: IntValue<'ctx>,
        step: i64,
        is_start: bool,
    ) -> R<IntValue<'ctx>> {
        let (lower, upper) = if step > 0 {
            (self.i64c(0), n)
        } else {
            (self.i64c(-1), self.b.build_int_sub(n, self.i64c(1), "")?)
        };
        let v = match bound {
            Bound::Default => return Ok(if (step > 0) == is_start { lower } else { upper }),
            Bound::Const(c) => self.i64c(*c),
            Bound::Operand(k) => self.index_operand(sc, id, *k as usize)?,
        };
        let b = &self.b;
        let neg = b.build_int_compare(IntPredicate::SLT, v, self.i64c(0), "")?;
        let plus_n = b.build_int_add(v, n, "")?;
        let below = b.build_int_compare(IntPredicate::SLT, plus_n, self.i64c(0), "")?;
        let from_end = b.build_select(below, lower, plus_n, "")?.into_int_value();
        let past = b.build_int_compare(IntPredicate::SGE, v, n, "")?;
        let from_start = b.build_select(past, upper, v, "")?.into_int_value();
        Ok(b.build_select(neg, from_end, from_start, "")?
            .into_int_value())
    }

    /// A scalar integer operand as `i64` (a `u64` beyond `i64` saturates).
    fn index_operand(&mut self, sc: &Scope<'_, 'ctx>, id: NodeId, k: usize) -> R<IntValue<'ctx>> {
        let v = sc.operand(id, k)?;
        let d = sc.ty(v)?.dtype;
        let r = self.as_reg(d, sc.val(v)?)?.into_int_value();
        if d == DType::U64 {
            let max = self.i64c(i64::MAX);
            return Ok(self
                .intrinsic("llvm.umin", &[r.get_type().into()], &[r.into(), max.into()])?
                .into_int_value());
        }
        Ok(self.cast(d, DType::I64, r.into())?.into_int_value())
    }

    /// The offset of the element at the indices in operands `first..` of node `id`, each
    /// checked to be in `[-n, n)` (E0503).
    fn element_offset(
        &mut self,
        sc: &Scope<'_, 'ctx>,
        id: NodeId,
        x: &Buf<'ctx>,
        first: usize,
    ) -> R<IntValue<'ctx>> {
        let op = sc.region.node(id).op.name();
        let mut off = self.i64c(0);
        for k in 0..x.shape.len() {
            let i = self.index_operand(sc, id, first + k)?;
            let n = x.shape[k];
            let b = &self.b;
            let neg_n = b.build_int_neg(n, "")?;
            let low = b.build_int_compare(IntPredicate::SLT, i, neg_n, "")?;
            let high = b.build_int_compare(IntPredicate::SGE, i, n, "")?;
            let bad = b.build_or(low, high, "")?;
            let msg = format!("{op}: index {{a}} out of range for axis {k} of extent {{b}}");
            self.fail_if(bad, Code::IndexOutOfRange, &msg, i, n)?;
            let b = &self.b;
            let neg = b.build_int_compare(IntPredicate::SLT, i, self.i64c(0), "")?;
            let wrapped = b.build_int_add(i, n, "")?;
            let i = b.build_select(neg, wrapped, i, "")?.into_int_value();
            let t = b.build_int_mul(i, x.strides[k], "")?;
            off = b.build_int_add(off, t, "")?;
        }
        Ok(off)
    }

    /// `extract(x, i...)`: one element, as a register.
    pub fn extract(&mut self, sc: &Scope<'_, 'ctx>, id: NodeId) -> R<Val<'ctx>> {
        let xv = sc.operand(id, 0)?;
        let d = sc.ty(xv)?.dtype;
        let x = self.as_buf(d, sc.val(xv)?)?;
        let off = self.element_offset(sc, id, &x, 1)?;
        let p = self.elem_ptr(d, x.data, off)?;
        Ok(Val::Reg(self.load_elem(d, p)?))
    }

    /// `insert(x, v, i...)`: a copy of `x` with one element replaced.
    pub fn insert(&mut self, sc: &Scope<'_, 'ctx>, id: NodeId) -> R<Val<'ctx>> {
        let xv = sc.operand(id, 0)?;
        let d = sc.ty(xv)?.dtype;
        let vv = sc.operand(id, 1)?;
        let v = self.as_reg(d, sc.val(vv)?)?;
        let x = sc.val(xv)?.clone();
        if sc.ty(xv)?.rank() == 0 {
            return Ok(Val::Reg(v));
        }
        let Val::Buf(xb) = &x else {
            return Err(CgError::internal("insert into a register"));
        };
        let out = self.materialise(d, &x)?;
        // The copy is C-contiguous: the offset uses its strides.
        let copy = Buf {
            strides: out.strides.clone(),
            ..xb.clone()
        };
        let dst_off = self.element_offset(sc, id, &copy, 2)?;
        let p = self.elem_ptr(d, out.data, dst_off)?;
        self.store_elem(d, p, v)?;
        Ok(Val::Buf(out))
    }
}
