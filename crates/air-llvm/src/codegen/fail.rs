//! Failures: every check of a function branches, when it fails, to one shared block whose phis
//! bring the error's code, message and two numbers; it records them (`air_llvm_fail`) and goes
//! to the error exit, which frees what the function allocated.

use air_ir::Code;
use inkwell::basic_block::BasicBlock;
use inkwell::values::IntValue;
use inkwell::IntPredicate;

use super::{CgError, FnGen, R};

/// The shared failure block of a function and its incoming values.
#[derive(Clone, Copy)]
pub(crate) struct FailBlock<'ctx> {
    pub block: BasicBlock<'ctx>,
    pub code: inkwell::values::PhiValue<'ctx>,
    pub msg: inkwell::values::PhiValue<'ctx>,
    pub a: inkwell::values::PhiValue<'ctx>,
    pub b: inkwell::values::PhiValue<'ctx>,
}

impl<'g, 'ctx, 'a> FnGen<'g, 'ctx, 'a> {
    /// Records an error and jumps to the error exit when `cond` holds. `{a}` and `{b}` in the
    /// message are replaced by the two values.
    pub fn fail_if(
        &mut self,
        cond: IntValue<'ctx>,
        code: Code,
        msg: &str,
        a: IntValue<'ctx>,
        b: IntValue<'ctx>,
    ) -> R<()> {
        if cond.get_zero_extended_constant() == Some(0) {
            return Ok(());
        }
        let text = format!("{msg} in @{}", self.air_fn.name);
        let s = self.g.string(&self.b, &text)?;
        let code = self
            .g
            .c
            .i32_type()
            .const_int(u64::from(code.number()), false);
        let fail = self.fail_block()?;
        let here = self
            .b
            .get_insert_block()
            .ok_or_else(|| CgError::internal("no insert block"))?;
        let ok_bb = self.g.c.append_basic_block(self.func, "ok");
        self.b.build_conditional_branch(cond, fail.block, ok_bb)?;
        fail.code.add_incoming(&[(&code, here)]);
        fail.msg.add_incoming(&[(&s, here)]);
        fail.a.add_incoming(&[(&a, here)]);
        fail.b.add_incoming(&[(&b, here)]);
        self.b.position_at_end(ok_bb);
        Ok(())
    }

    /// The function's failure block, made on first use.
    pub(super) fn fail_block(&mut self) -> R<FailBlock<'ctx>> {
        if let Some(f) = self.fail {
            return Ok(f);
        }
        let c = self.g.c;
        let block = c.append_basic_block(self.func, "fail");
        let fb = c.create_builder();
        fb.position_at_end(block);
        let i64t = c.i64_type();
        let fail = FailBlock {
            block,
            code: fb.build_phi(c.i32_type(), "code")?,
            msg: fb.build_phi(self.ptr_ty(), "msg")?,
            a: fb.build_phi(i64t, "a")?,
            b: fb.build_phi(i64t, "b")?,
        };
        let f = self.g.helper("air_llvm_fail");
        let args = [
            self.err.into(),
            fail.code.as_basic_value().into(),
            fail.msg.as_basic_value().into(),
            fail.a.as_basic_value().into(),
            fail.b.as_basic_value().into(),
        ];
        fb.build_call(f, &args, "")?;
        fb.build_unconditional_branch(self.error_bb)?;
        self.fail = Some(fail);
        Ok(fail)
    }

    /// Jumps to the error exit if a call returned a non-zero code (already recorded in `err`).
    pub fn propagate(&mut self, code: IntValue<'ctx>) -> R<()> {
        let zero = self.g.c.i32_type().const_zero();
        let bad = self.b.build_int_compare(IntPredicate::NE, code, zero, "")?;
        let ok_bb = self.g.c.append_basic_block(self.func, "ok");
        self.b.build_conditional_branch(bad, self.error_bb, ok_bb)?;
        self.b.position_at_end(ok_bb);
        Ok(())
    }
}
