//! Failures: every check of a function branches, when it fails, to a cold block of its own that
//! records the error (`air_llvm_fail` with the code, message and two numbers as constants or
//! values of the check) and goes to the error exit, which frees what the function allocated.
//!
//! A block per check rather than one shared block whose phis gather every check's values: with
//! thousands of checks in one function (a call per node of a long chain), those phis had
//! thousands of incoming edges, and LLVM's phi elimination and critical-edge splitting are
//! quadratic in them (10,000 calls took 23 s and 640 MB to compile).

use air_ir::Code;
use inkwell::values::IntValue;
use inkwell::IntPredicate;

use super::{FnGen, R};

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
        let text = format!("{msg} in @{}", self.g.shown_name(&self.air_fn.name));
        let s = self.g.string(&self.b, &text)?;
        let c = self.g.c;
        let code = c.i32_type().const_int(u64::from(code.number()), false);
        let fail_bb = c.append_basic_block(self.func, "fail");
        let ok_bb = c.append_basic_block(self.func, "ok");
        self.b.build_conditional_branch(cond, fail_bb, ok_bb)?;
        let fb = c.create_builder();
        fb.position_at_end(fail_bb);
        let f = self.g.helper("air_llvm_fail");
        let args = [self.err.into(), code.into(), s.into(), a.into(), b.into()];
        fb.build_call(f, &args, "")?;
        fb.build_unconditional_branch(self.error_bb)?;
        self.b.position_at_end(ok_bb);
        Ok(())
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
