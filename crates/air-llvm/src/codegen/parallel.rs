//! Threads: the outermost loop of a loop nest is generated in a function of its own,
//! `void air_<f>.loop<k>(ptr ctx, i64 lo, i64 hi)`, that runs the iterations `lo..hi`. The values
//! the body takes from the enclosing function (data pointers, extents, strides, scalars) travel in
//! `ctx`, a struct the caller fills on its stack. When the nest is large (more than
//! `Options::parallel_threshold` iterations) and threads are allowed, the caller hands the
//! function to `air_rt_parallel_for`, which cuts the range into one contiguous chunk per thread;
//! otherwise it calls it once for the whole range. The same machine code runs either way.
//!
//! Results stay identical to the single-threaded run because every element is computed by the
//! same code in the same order: a nest is split only on its outermost axis (inner loops run
//! whole), and a flat loop only at multiples of [`FLAT_BLOCK`] elements, so the vectoriser's
//! groups of elements (and its vector or scalar math calls for each) fall exactly where they fall
//! in one pass. Reductions are split only when their outermost axis is kept (each thread owns
//! whole output elements and folds them in the usual order).

use inkwell::attributes::{Attribute, AttributeLoc};
use inkwell::basic_block::BasicBlock;
use inkwell::module::Linkage;
use inkwell::values::{BasicValue, FunctionValue, IntValue, PointerValue};
use inkwell::IntPredicate;

use super::raw::foreign_operands;
use super::{CgError, FnGen, R};

/// Flat loops are split across threads at multiples of this many elements: a multiple of every
/// vector width times interleave count the vectoriser may choose.
pub(crate) const FLAT_BLOCK: u64 = 1024;

/// The body of an outlined loop: generates the iterations `lo..hi` (element indices).
pub(crate) type RangeBody<'f, 'g, 'ctx, 'a> =
    dyn FnMut(&mut FnGen<'g, 'ctx, 'a>, IntValue<'ctx>, IntValue<'ctx>) -> R<()> + 'f;

impl<'g, 'ctx, 'a> FnGen<'g, 'ctx, 'a> {
    /// Runs `body` over the iterations `0..n` of an outermost loop, outlined as described in
    /// the module documentation; `block` > 1 splits only at multiples of `block` iterations;
    /// `work` is the size of the whole nest (what the threshold is compared with).
    pub fn outlined(
        &mut self,
        n: IntValue<'ctx>,
        block: u64,
        work: IntValue<'ctx>,
        body: &mut RangeBody<'_, 'g, 'ctx, 'a>,
    ) -> R<()> {
        let f = self.loop_function()?;
        let c = self.g.c;
        let entry = c.append_basic_block(f, "entry");
        let start = c.append_basic_block(f, "start");
        let no_error = c.append_basic_block(f, "no_error");
        let parent_block = self
            .b
            .get_insert_block()
            .ok_or_else(|| CgError::internal("no insert block"))?;
        let saved = (self.func, self.entry, self.error_bb);
        (self.func, self.entry, self.error_bb) = (f, entry, no_error);
        self.b.position_at_end(start);
        let generated = self.outlined_body(f, n, block, body);
        (self.func, self.entry, self.error_bb) = saved;
        self.b.position_at_end(parent_block);
        generated?;
        if no_error.get_first_use().is_some() {
            return Err(CgError::internal(
                "a loop body that can fail cannot run in its own function",
            ));
        }
        let eb = c.create_builder();
        eb.position_at_end(no_error);
        eb.build_unreachable()?;
        let ctx = self.pass_captures(f, entry, start)?;
        let units = if block > 1 {
            let b = self.i64c(block as i64);
            let up = self.b.build_int_add(n, self.i64c(block as i64 - 1), "")?;
            self.b.build_int_signed_div(up, b, "")?
        } else {
            n
        };
        self.dispatch(f, ctx, units, work)
    }

    /// A new `void air_<f>.loop<k>(ptr ctx, i64 lo, i64 hi)`, never inlined (the caller's
    /// direct call and `air_rt_parallel_for` must run the same code).
    fn loop_function(&self) -> R<FunctionValue<'ctx>> {
        let c = self.g.c;
        let (i64t, ptr) = (c.i64_type(), self.ptr_ty());
        let fn_ty = c
            .void_type()
            .fn_type(&[ptr.into(), i64t.into(), i64t.into()], false);
        let k = self.g.outlined.get();
        self.g.outlined.set(k + 1);
        let name = format!("{}.loop{k}", super::ModGen::symbol(&self.air_fn.name));
        let f = self.g.m.add_function(&name, fn_ty, Some(Linkage::Private));
        self.g.set_attrs(f);
        let noinline = Attribute::get_named_enum_kind_id("noinline");
        f.add_attribute(AttributeLoc::Function, c.create_enum_attribute(noinline, 0));
        Ok(f)
    }

    /// Makes the values of this function that the body of `f` uses travel in a `ctx` struct:
    /// `f`'s `entry` block loads them (then goes to `start`), and this function stores them
    /// into a stack slot, which it returns.
    fn pass_captures(
        &mut self,
        f: FunctionValue<'ctx>,
        entry: BasicBlock<'ctx>,
        start: BasicBlock<'ctx>,
    ) -> R<PointerValue<'ctx>> {
        let caps = foreign_operands(f)?;
        let ctx_ty = self.g.c.struct_type(&caps.types(), false);
        let eb = self.g.c.create_builder();
        eb.position_at_end(entry);
        let ctx_arg = f
            .get_nth_param(0)
            .ok_or_else(|| CgError::internal("outlined loop without ctx"))?
            .into_pointer_value();
        for (k, ty) in caps.types().into_iter().enumerate() {
            let p = eb.build_struct_gep(ctx_ty, ctx_arg, k as u32, "")?;
            let v = eb.build_load(ty, p, "")?;
            caps.replace(k, v);
        }
        eb.build_unconditional_branch(start)?;
        let ctx = self.alloca(ctx_ty.into(), 1)?;
        for (k, v) in caps.values.iter().enumerate() {
            let p = self.b.build_struct_gep(ctx_ty, ctx, k as u32, "")?;
            self.b.build_store(p, *v)?;
        }
        Ok(ctx)
    }

    /// The body of the outlined function: `lo`, `hi` from its arguments (scaled by `block`).
    fn outlined_body(
        &mut self,
        f: FunctionValue<'ctx>,
        n: IntValue<'ctx>,
        block: u64,
        body: &mut RangeBody<'_, 'g, 'ctx, 'a>,
    ) -> R<()> {
        let arg = |k: u32| -> R<IntValue<'ctx>> {
            f.get_nth_param(k)
                .map(|p| p.into_int_value())
                .ok_or_else(|| CgError::internal("outlined loop without range"))
        };
        let (mut lo, mut hi) = (arg(1)?, arg(2)?);
        if block > 1 {
            let b = self.i64c(block as i64);
            lo = self.b.build_int_nsw_mul(lo, b, "")?;
            let end = self.b.build_int_nsw_mul(hi, b, "")?;
            let past = self.b.build_int_compare(IntPredicate::SGT, end, n, "")?;
            hi = self.b.build_select(past, n, end, "")?.into_int_value();
        }
        body(self, lo, hi)?;
        self.b.build_return(None)?;
        Ok(())
    }

    /// Calls the outlined loop over `0..units`: through `air_rt_parallel_for` when threads are
    /// allowed and `work` exceeds the threshold, directly otherwise.
    fn dispatch(
        &mut self,
        f: FunctionValue<'ctx>,
        ctx: PointerValue<'ctx>,
        units: IntValue<'ctx>,
        work: IntValue<'ctx>,
    ) -> R<()> {
        let zero = self.i64c(0);
        if self.g.threads == 1 {
            self.b
                .build_call(f, &[ctx.into(), zero.into(), units.into()], "")?;
            return Ok(());
        }
        let c = self.g.c;
        let threshold = self.i64c(self.g.parallel_threshold);
        let big = self
            .b
            .build_int_compare(IntPredicate::SGT, work, threshold, "")?;
        let (par_bb, seq_bb, join) = (
            c.append_basic_block(self.func, "parallel"),
            c.append_basic_block(self.func, "serial"),
            c.append_basic_block(self.func, "joined"),
        );
        self.b.build_conditional_branch(big, par_bb, seq_bb)?;
        self.b.position_at_end(par_bb);
        let pf = self.g.helper("air_rt_parallel_for");
        let fptr = f.as_global_value().as_pointer_value();
        let threads = self.i64c(self.g.threads);
        self.b.build_call(
            pf,
            &[
                fptr.as_basic_value_enum().into(),
                ctx.into(),
                units.into(),
                threads.into(),
            ],
            "",
        )?;
        self.b.build_unconditional_branch(join)?;
        self.b.position_at_end(seq_bb);
        self.b
            .build_call(f, &[ctx.into(), zero.into(), units.into()], "")?;
        self.b.build_unconditional_branch(join)?;
        self.b.position_at_end(join);
        Ok(())
    }
}
