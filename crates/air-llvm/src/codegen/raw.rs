//! The few LLVM C API calls inkwell does not wrap: self-referential `!llvm.loop` metadata, and
//! rewriting instruction operands (to outline a loop body that was generated in its own function
//! but still refers to values of the function it came from).
#![allow(unsafe_code)] // raw LLVM C API calls on values this crate created

use std::collections::HashMap;
use std::ffi::c_char;

use inkwell::context::Context;
use inkwell::types::BasicTypeEnum;
use inkwell::values::{AsValueRef, BasicValueEnum, FunctionValue, InstructionValue};
use llvm_sys::core::{
    LLVMConstInt, LLVMGetBasicBlockParent, LLVMGetInstructionParent, LLVMGetMDKindIDInContext,
    LLVMGetNumOperands, LLVMGetOperand, LLVMGetParamParent, LLVMGetTypeKind, LLVMInt1TypeInContext,
    LLVMIsAArgument, LLVMIsAInstruction, LLVMMDNodeInContext2, LLVMMDStringInContext2,
    LLVMMetadataAsValue, LLVMSetMetadata, LLVMSetOperand, LLVMTypeOf, LLVMValueAsMetadata,
};
use llvm_sys::debuginfo::{LLVMMetadataReplaceAllUsesWith, LLVMTemporaryMDNode};
use llvm_sys::prelude::{LLVMMetadataRef, LLVMValueRef};
use llvm_sys::LLVMTypeKind;

use super::{CgError, R};

/// Properties of one generated loop, as `!llvm.loop` metadata on its latch branch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LoopHint {
    /// May be vectorised; never runtime-unrolled (the vectoriser's interleaving is enough, and
    /// unrolled scalar remainders cost compile time for no measured speed).
    Vector,
    /// Neither vectorised nor unrolled: a loop another path already covers at full speed (the
    /// strided fallback of a rank-1 kernel, reached only when some stride is not 1).
    Scalar,
}

/// Attaches `!llvm.loop !{!self, ...}` for `hint` to a loop's latch branch.
pub(crate) fn set_loop_hint(c: &Context, latch: InstructionValue<'_>, hint: LoopHint) {
    let ctx = c.raw();
    let string = |s: &str| {
        // SAFETY: `s` outlives the call, which copies it.
        unsafe { LLVMMDStringInContext2(ctx, s.as_ptr() as *const c_char, s.len()) }
    };
    let node = |ops: &mut [LLVMMetadataRef]| {
        // SAFETY: every operand is a metadata node or string of this context.
        unsafe { LLVMMDNodeInContext2(ctx, ops.as_mut_ptr(), ops.len()) }
    };
    // SAFETY: plain constant and metadata creation in the context that owns `latch`; the
    // temporary node is replaced (and freed) by the finished node, which then refers to
    // itself, as loop IDs must.
    unsafe {
        let tmp = LLVMTemporaryMDNode(ctx, std::ptr::null_mut(), 0);
        let mut ops = vec![tmp, node(&mut [string("llvm.loop.unroll.runtime.disable")])];
        if hint == LoopHint::Scalar {
            let off = LLVMValueAsMetadata(LLVMConstInt(LLVMInt1TypeInContext(ctx), 0, 0));
            ops.push(node(&mut [string("llvm.loop.vectorize.enable"), off]));
            ops.push(node(&mut [string("llvm.loop.unroll.disable")]));
        }
        let id = node(&mut ops);
        LLVMMetadataReplaceAllUsesWith(tmp, id);
        let kind = "llvm.loop";
        let kind = LLVMGetMDKindIDInContext(ctx, kind.as_ptr() as *const c_char, kind.len() as u32);
        LLVMSetMetadata(latch.as_value_ref(), kind, LLVMMetadataAsValue(ctx, id));
    }
}

/// The values of other functions that the instructions of one function use.
pub(crate) struct Captures<'ctx> {
    /// Each foreign value once, in order of first use.
    pub values: Vec<BasicValueEnum<'ctx>>,
    /// Where each is used: (instruction, operand index).
    uses: Vec<Vec<(LLVMValueRef, u32)>>,
}

impl<'ctx> Captures<'ctx> {
    /// The types of the captured values.
    pub fn types(&self) -> Vec<BasicTypeEnum<'ctx>> {
        self.values.iter().map(|v| v.get_type()).collect()
    }

    /// Makes every use of captured value `k` use `new` instead.
    pub fn replace(&self, k: usize, new: BasicValueEnum<'ctx>) {
        for &(inst, op) in &self.uses[k] {
            // SAFETY: `inst` is a live instruction with an operand `op` of `new`'s type.
            unsafe { LLVMSetOperand(inst, op, new.as_value_ref()) };
        }
    }
}

/// True for an instruction or argument that belongs to a function other than `f`.
///
/// # Safety
/// `v` and `f` must be live values.
unsafe fn foreign(v: LLVMValueRef, f: LLVMValueRef) -> bool {
    unsafe {
        if !LLVMIsAInstruction(v).is_null() {
            let bb = LLVMGetInstructionParent(v);
            return !bb.is_null() && LLVMGetBasicBlockParent(bb) != f;
        }
        !LLVMIsAArgument(v).is_null() && LLVMGetParamParent(v) != f
    }
}

/// Every operand of an instruction of `f` that is an instruction or argument of another
/// function (the values a loop body generated in `f` took from the function it belongs to).
pub(crate) fn foreign_operands<'ctx>(f: FunctionValue<'ctx>) -> R<Captures<'ctx>> {
    let fref = f.as_value_ref();
    let mut index: HashMap<LLVMValueRef, usize> = HashMap::new();
    let mut caps = Captures {
        values: Vec::new(),
        uses: Vec::new(),
    };
    for bb in f.get_basic_blocks() {
        let mut next = bb.get_first_instruction();
        while let Some(inst) = next {
            next = inst.get_next_instruction();
            let iref = inst.as_value_ref();
            // SAFETY: `iref` is a live instruction; operand indices are in range.
            let n = unsafe { LLVMGetNumOperands(iref) }.max(0) as u32;
            for k in 0..n {
                // SAFETY: as above; `foreign` only inspects the operand.
                let v = unsafe { LLVMGetOperand(iref, k) };
                if v.is_null() || !unsafe { foreign(v, fref) } {
                    continue;
                }
                let slot = match index.get(&v) {
                    Some(&s) => s,
                    None => {
                        caps.values.push(first_class(v)?);
                        caps.uses.push(Vec::new());
                        index.insert(v, caps.values.len() - 1);
                        caps.values.len() - 1
                    }
                };
                caps.uses[slot].push((iref, k));
            }
        }
    }
    Ok(caps)
}

/// A captured value as an inkwell value: only scalars, complex pairs (`{float, float}`) and
/// pointers are expected.
// LLVMTypeKind is foreign: every other LLVM type kind is unsupported, now and in future
#[allow(clippy::wildcard_enum_match_arm)]
fn first_class<'ctx>(v: LLVMValueRef) -> R<BasicValueEnum<'ctx>> {
    // SAFETY: `v` is a live instruction or argument; its type kind is checked before wrapping.
    unsafe {
        match LLVMGetTypeKind(LLVMTypeOf(v)) {
            LLVMTypeKind::LLVMIntegerTypeKind
            | LLVMTypeKind::LLVMFloatTypeKind
            | LLVMTypeKind::LLVMDoubleTypeKind
            | LLVMTypeKind::LLVMStructTypeKind
            | LLVMTypeKind::LLVMPointerTypeKind => Ok(BasicValueEnum::new(v)),
            other => Err(CgError::internal(format!(
                "a loop body uses a value of type kind {other:?} from outside"
            ))),
        }
    }
}
