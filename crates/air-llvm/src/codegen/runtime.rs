//! Runtime ops: the ops LLVM IR is the wrong tool for are calls to `air_rt_<name>` of the
//! `air-rt` crate, with the uniform signature and attribute layouts of `docs/llvm-backend.md`.
//! The helper allocates the result (C-contiguous) and fills its extents; the result belongs to
//! the current region from then on. An op whose helper the linked `air-rt` does not provide is
//! rejected before code generation (`check::RUNTIME_OPS`, E0505).

use air_ir::{NodeId, Op, ScatterMode};
use inkwell::module::Linkage;
use inkwell::values::PointerValue;

use super::region::Scope;
use super::{CgError, FnGen, Val, R};

/// The attributes of a runtime op, in the helper's layout (`threads <= 0`: every core).
pub(crate) fn runtime_attrs(op: &Op, threads: i64) -> R<Vec<i64>> {
    Ok(match op {
        Op::Matmul => vec![threads],
        Op::Einsum { spec } => einsum_attrs(spec, threads)?,
        Op::Sort { axis, descending } => vec![i64::from(*axis), i64::from(*descending)],
        Op::Scan { axis, .. } | Op::Concat { axis } | Op::Take { axis } => vec![i64::from(*axis)],
        Op::ArgReduce { axis, keepdims, .. } => vec![i64::from(*axis), i64::from(*keepdims)],
        Op::Filter | Op::Gather | Op::Unique => vec![],
        Op::Scatter { mode } => vec![scatter_mode_code(*mode)],
        other @ (Op::Constant(_)
        | Op::Iota { .. }
        | Op::Full { .. }
        | Op::Unary(_)
        | Op::Binary(_)
        | Op::Select
        | Op::Cast { .. }
        | Op::Clip
        | Op::Broadcast { .. }
        | Op::Reshape { .. }
        | Op::Transpose { .. }
        | Op::ExpandDims { .. }
        | Op::Squeeze { .. }
        | Op::Slice { .. }
        | Op::Extract
        | Op::Insert
        | Op::Reduce { .. }
        | Op::For { .. }
        | Op::If { .. }
        | Op::While { .. }
        | Op::Call { .. }
        | Op::Custom(_)) => {
            return Err(CgError::internal(format!(
                "{} is not a runtime op",
                other.name()
            )))
        }
    })
}

/// The `mode` attribute of `air_rt_scatter`: its position in [`ScatterMode::ALL`]
/// (0 replace, 1 add, 2 mul, 3 max, 4 min).
fn scatter_mode_code(mode: ScatterMode) -> i64 {
    match mode {
        ScatterMode::Replace => 0,
        ScatterMode::Add => 1,
        ScatterMode::Mul => 2,
        ScatterMode::Max => 3,
        ScatterMode::Min => 4,
    }
}

/// `[threads, n_ops, len0, letters0..., ..., len_out, letters_out...]`, letters as ASCII codes.
fn einsum_attrs(spec: &str, threads: i64) -> R<Vec<i64>> {
    let (ins, out) = spec
        .split_once("->")
        .ok_or_else(|| CgError::internal(format!("einsum spec {spec:?} is not explicit")))?;
    let terms: Vec<&str> = ins.split(',').collect();
    let mut attrs = vec![threads, terms.len() as i64];
    for t in terms.iter().chain([&out]) {
        attrs.push(t.len() as i64);
        attrs.extend(t.bytes().map(i64::from));
    }
    Ok(attrs)
}

impl<'g, 'ctx, 'a> FnGen<'g, 'ctx, 'a> {
    /// Calls the runtime op computing node `id`. An op with several results (`unique`) gets an
    /// array of result descriptors, one per result, in order.
    pub fn runtime_op(
        &mut self,
        sc: &Scope<'_, 'ctx>,
        id: NodeId,
        helper: &str,
    ) -> R<Vec<Val<'ctx>>> {
        let node = sc.region.node(id);
        if node.results.is_empty() {
            return Err(CgError::internal("runtime op without a result"));
        }
        let n = node.operands.len();
        let ins = self.alloca(self.g.tensor_ty.into(), n.max(1) as u32)?;
        for (k, &v) in node.operands.iter().enumerate() {
            let ty = sc.ty(v)?;
            let buf = self.as_buf(ty.dtype, sc.val(v)?)?;
            let desc = self.descriptor_at(ins, k)?;
            self.write_descriptor(desc, ty.dtype, Some(&buf), ty.rank())?;
        }
        let nres = node.results.len();
        let out = self.alloca(self.g.tensor_ty.into(), nres as u32)?;
        // A function result the helper can write in place (its extents are known before).
        let dest = match (sc.direct.get(&id), node.results.as_slice()) {
            (Some(&k), [rty]) => {
                let shape = self.shape(&rty.shape)?;
                Some(self.result_dest(k, &shape)?)
            }
            _ => None,
        };
        for (k, rty) in node.results.iter().enumerate() {
            let desc = self.descriptor_at(out, k)?;
            self.write_descriptor(desc, rty.dtype, dest.as_ref(), rty.rank())?;
        }
        let attrs = runtime_attrs(&node.op, self.g.threads)?;
        let attrs_p = self.i64_array(&attrs)?;
        let f = self.runtime_helper(helper);
        let args = [
            ins.into(),
            self.i64c(n as i64).into(),
            out.into(),
            attrs_p.into(),
            self.i64c(attrs.len() as i64).into(),
            self.err.into(),
        ];
        let code = self.call(f, &args)?;
        self.propagate(code.into_int_value())?;
        if let Some(dest) = dest {
            return Ok(vec![Val::Buf(dest)]);
        }
        let mut vals = Vec::with_capacity(nres);
        for (k, rty) in node.results.iter().enumerate() {
            let desc = self.descriptor_at(out, k)?;
            let v = self.take_result(desc, rty.rank())?;
            if let Val::Buf(b) = &v {
                for (a, d) in rty.shape.iter().enumerate() {
                    self.bind_or_check(d, b.shape[a], a)?;
                }
                if rty.rank() == 0 {
                    vals.push(Val::Reg(self.load_elem(rty.dtype, b.data)?));
                    continue;
                }
            }
            vals.push(v);
        }
        Ok(vals)
    }

    /// A constant `int64_t` array.
    fn i64_array(&self, values: &[i64]) -> R<PointerValue<'ctx>> {
        let t = self.g.c.i64_type();
        let consts: Vec<_> = values
            .iter()
            .map(|&v| t.const_int(v as u64, true))
            .collect();
        let arr = t.const_array(&consts);
        let g = self.g.m.add_global(arr.get_type(), None, "attrs");
        g.set_initializer(&arr);
        g.set_constant(true);
        g.set_linkage(Linkage::Private);
        Ok(g.as_pointer_value())
    }

    /// The declaration of `air_rt_<name>` with the uniform signature.
    fn runtime_helper(&self, name: &str) -> inkwell::values::FunctionValue<'ctx> {
        if let Some(f) = self.g.m.get_function(name) {
            return f;
        }
        let c = self.g.c;
        let p = self.ptr_ty();
        let i64t = c.i64_type();
        let ty = c.i32_type().fn_type(
            &[
                p.into(),
                i64t.into(),
                p.into(),
                p.into(),
                i64t.into(),
                p.into(),
            ],
            false,
        );
        self.g.m.add_function(name, ty, Some(Linkage::External))
    }
}

/// The helper of an op, as `check::runtime_helper` names it (kept in one place there).
pub(crate) fn helper_of(op: &Op) -> Option<&'static str> {
    crate::check::runtime_helper(op)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn einsum_attributes_follow_the_documented_layout() {
        let attrs = einsum_attrs("ij,j->i", 0).expect("explicit spec");
        let (i, j) = (i64::from(b'i'), i64::from(b'j'));
        assert_eq!(attrs, vec![0, 2, 2, i, j, 1, j, 1, i]);
        assert!(einsum_attrs("ij,j", 0).is_err());
    }
}
