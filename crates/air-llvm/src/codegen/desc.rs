//! `air.check_desc`: the check of one tensor descriptor on entry (dtype, rank, extents >= 0,
//! strides multiples of the element size), generated once per module and called for each
//! parameter and result, so the entry code stays small.

use air_ir::Code;
use inkwell::basic_block::BasicBlock;
use inkwell::builder::Builder;
use inkwell::module::Linkage;
use inkwell::values::{BasicValueEnum, FunctionValue, IntValue, PointerValue};
use inkwell::{AddressSpace, IntPredicate};

use super::{CgError, ModGen, R};

/// The name of the checking function.
const NAME: &str = "air.check_desc";

/// The arguments of `air.check_desc` inside its body.
struct Args<'ctx> {
    f: FunctionValue<'ctx>,
    desc: PointerValue<'ctx>,
    size: IntValue<'ctx>,
    /// Messages: wrong dtype or rank, negative extent, odd stride.
    msgs: [BasicValueEnum<'ctx>; 3],
    err: BasicValueEnum<'ctx>,
}

impl<'ctx> ModGen<'ctx, '_> {
    /// `i32 air.check_desc(ptr desc, i32 dtype, i32 rank, i64 size, ptr msg_type,
    /// ptr msg_extent, ptr msg_stride, ptr err)`: 0 when the descriptor has the dtype and rank,
    /// its extents are >= 0 and its strides multiples of `size`; else records E0501 with the
    /// message of the first problem (`{a}` the value, `{b}` the axis) and returns its code.
    pub(super) fn check_desc_function(&self) -> R<FunctionValue<'ctx>> {
        if let Some(f) = self.m.get_function(NAME) {
            return Ok(f);
        }
        let c = self.c;
        let (p, i32t, i64t) = (
            c.ptr_type(AddressSpace::default()),
            c.i32_type(),
            c.i64_type(),
        );
        let params = [
            p.into(),
            i32t.into(),
            i32t.into(),
            i64t.into(),
            p.into(),
            p.into(),
            p.into(),
            p.into(),
        ];
        let f = self
            .m
            .add_function(NAME, i32t.fn_type(&params, false), Some(Linkage::Private));
        self.set_attrs(f);
        self.set_straight_line(f);
        let arg = |k: u32| {
            f.get_nth_param(k)
                .ok_or_else(|| CgError::internal("air.check_desc lacks a parameter"))
        };
        let args = Args {
            f,
            desc: arg(0)?.into_pointer_value(),
            size: arg(3)?.into_int_value(),
            msgs: [arg(4)?, arg(5)?, arg(6)?],
            err: arg(7)?,
        };
        let b = c.create_builder();
        b.position_at_end(c.append_basic_block(f, "entry"));
        let read = self.check_type(
            &b,
            &args,
            arg(1)?.into_int_value(),
            arg(2)?.into_int_value(),
        )?;
        self.check_axes(&b, &args, read, arg(2)?.into_int_value())?;
        Ok(f)
    }

    /// Returns `air_llvm_fail(err, 501, msgs[msg], x, y)`.
    fn fail_with(
        &self,
        b: &Builder<'ctx>,
        args: &Args<'ctx>,
        msg: usize,
        x: IntValue<'ctx>,
        y: IntValue<'ctx>,
    ) -> R<()> {
        let code = self
            .c
            .i32_type()
            .const_int(u64::from(Code::BadInput.number()), false);
        let helper = self.helper("air_llvm_fail");
        let call_args = [
            args.err.into(),
            code.into(),
            args.msgs[msg].into(),
            x.into(),
            y.into(),
        ];
        let r = b.build_call(helper, &call_args, "")?;
        let code = r
            .try_as_basic_value()
            .basic()
            .ok_or_else(|| CgError::internal("air_llvm_fail returns nothing"))?;
        b.build_return(Some(&code))?;
        Ok(())
    }

    /// The dtype and rank check; returns the block where the extents are read.
    fn check_type(
        &self,
        b: &Builder<'ctx>,
        args: &Args<'ctx>,
        dtype: IntValue<'ctx>,
        rank: IntValue<'ctx>,
    ) -> R<BasicBlock<'ctx>> {
        let (c, i32t, i64t) = (self.c, self.c.i32_type(), self.c.i64_type());
        let d = b.build_load(
            i32t,
            b.build_struct_gep(self.tensor_ty, args.desc, 4, "")?,
            "",
        )?;
        let r = b.build_load(
            i32t,
            b.build_struct_gep(self.tensor_ty, args.desc, 3, "")?,
            "",
        )?;
        let (d, r) = (d.into_int_value(), r.into_int_value());
        let bad_d = b.build_int_compare(IntPredicate::NE, d, dtype, "")?;
        let bad_r = b.build_int_compare(IntPredicate::NE, r, rank, "")?;
        let bad = b.build_or(bad_d, bad_r, "")?;
        let (bad_bb, read_bb) = (
            c.append_basic_block(args.f, "bad_type"),
            c.append_basic_block(args.f, "read"),
        );
        b.build_conditional_branch(bad, bad_bb, read_bb)?;
        b.position_at_end(bad_bb);
        let (d64, r64) = (
            b.build_int_s_extend(d, i64t, "")?,
            b.build_int_s_extend(r, i64t, "")?,
        );
        self.fail_with(b, args, 0, d64, r64)?;
        b.position_at_end(read_bb);
        Ok(read_bb)
    }

    /// The loop over the axes (the builder is at the end of `read`): extents, then strides.
    fn check_axes(
        &self,
        b: &Builder<'ctx>,
        args: &Args<'ctx>,
        read: BasicBlock<'ctx>,
        rank: IntValue<'ctx>,
    ) -> R<()> {
        let (c, p, i64t) = (
            self.c,
            self.c.ptr_type(AddressSpace::default()),
            self.c.i64_type(),
        );
        let block = |name: &str| c.append_basic_block(args.f, name);
        let field = |k: u32| b.build_struct_gep(self.tensor_ty, args.desc, k, "");
        let shape_p = b.build_load(p, field(1)?, "")?.into_pointer_value();
        let strides_p = b.build_load(p, field(2)?, "")?.into_pointer_value();
        let n = b.build_int_s_extend(rank, i64t, "")?;
        let (header, body, next, done) =
            (block("axis"), block("check"), block("next"), block("done"));
        b.build_unconditional_branch(header)?;
        b.position_at_end(header);
        let k = b.build_phi(i64t, "k")?;
        let kv = k.as_basic_value().into_int_value();
        let more = b.build_int_compare(IntPredicate::SLT, kv, n, "")?;
        b.build_conditional_branch(more, body, done)?;
        b.position_at_end(body);
        // SAFETY (of the generated code): k < rank, and the caller's arrays hold rank values.
        #[allow(unsafe_code)]
        let (ep, sp) = unsafe {
            (
                b.build_in_bounds_gep(i64t, shape_p, &[kv], "")?,
                b.build_in_bounds_gep(i64t, strides_p, &[kv], "")?,
            )
        };
        let e = b.build_load(i64t, ep, "")?.into_int_value();
        let s = b.build_load(i64t, sp, "")?.into_int_value();
        let neg = b.build_int_compare(IntPredicate::SLT, e, i64t.const_zero(), "")?;
        let (extent_bb, stride_bb) = (block("bad_extent"), block("stride"));
        b.build_conditional_branch(neg, extent_bb, stride_bb)?;
        b.position_at_end(extent_bb);
        self.fail_with(b, args, 1, e, kv)?;
        b.position_at_end(stride_bb);
        let rem = b.build_int_signed_rem(s, args.size, "")?;
        let odd = b.build_int_compare(IntPredicate::NE, rem, i64t.const_zero(), "")?;
        let bad_stride_bb = block("bad_stride");
        b.build_conditional_branch(odd, bad_stride_bb, next)?;
        b.position_at_end(bad_stride_bb);
        self.fail_with(b, args, 2, s, kv)?;
        b.position_at_end(next);
        let k1 = b.build_int_nsw_add(kv, i64t.const_int(1, false), "")?;
        b.build_unconditional_branch(header)?;
        k.add_incoming(&[(&i64t.const_zero(), read), (&k1, next)]);
        b.position_at_end(done);
        b.build_return(Some(&self.c.i32_type().const_zero()))?;
        Ok(())
    }
}
