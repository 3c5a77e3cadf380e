//! What an op holds beyond its operands, as exhaustive matches: its nested regions, the function
//! it refers to and its shape attribute. Every walk over nested regions or over the call graph
//! goes through [`Op::named_regions`], [`Op::regions_mut`] and [`Op::callee`], so an op with a new
//! region or callee is a compile error here, not a silent miss in each walker.

use super::Op;
use crate::dim::Dim;
use crate::module::Region;

/// The pattern of every op that holds nothing this file answers for: no nested region, no
/// callee, no shape attribute. A new op is in none of the matches below until it is put here or
/// given its own arms, so adding one is a compile error in each of them.
macro_rules! plain {
    () => {
        Op::Constant(_)
            | Op::Unary(_)
            | Op::Binary(_)
            | Op::Select
            | Op::Cast { .. }
            | Op::Clip
            | Op::Transpose { .. }
            | Op::ExpandDims { .. }
            | Op::Squeeze { .. }
            | Op::Slice { .. }
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
    };
}

impl Op {
    /// The nested regions of the op, in order (`for`: body; `if`: then, else; `while`: condition, body).
    pub fn regions(&self) -> Vec<&Region> {
        self.named_regions().into_iter().map(|(_, r)| r).collect()
    }

    /// The nested regions with the role each plays (`"body"`, `"then branch"`, `"else branch"`),
    /// in order. Every walk over nested regions goes through this method or
    /// [`Op::regions_mut`], so an op with a new region is a compile error here only.
    pub fn named_regions(&self) -> Vec<(&'static str, &Region)> {
        match self {
            Op::For { body } => vec![("body", body)],
            Op::If {
                then_branch,
                else_branch,
            } => vec![("then branch", then_branch), ("else branch", else_branch)],
            Op::While { cond, body } => vec![("condition", cond), ("body", body)],
            plain!()
            | Op::Iota { .. }
            | Op::Full { .. }
            | Op::Broadcast { .. }
            | Op::Reshape { .. }
            | Op::Call { .. }
            | Op::Custom(_) => vec![],
        }
    }

    /// Mutable access to the nested regions (the same ones, in the same order, as
    /// [`Op::regions`]).
    pub fn regions_mut(&mut self) -> Vec<&mut Region> {
        match self {
            Op::For { body } => vec![body],
            Op::If {
                then_branch,
                else_branch,
            } => vec![then_branch, else_branch],
            Op::While { cond, body } => vec![cond, body],
            plain!()
            | Op::Iota { .. }
            | Op::Full { .. }
            | Op::Broadcast { .. }
            | Op::Reshape { .. }
            | Op::Call { .. }
            | Op::Custom(_) => vec![],
        }
    }

    /// The function of the module the op refers to: the callee of `call`, the decomposition of a
    /// custom op. Every walk over the call graph goes through this method.
    pub fn callee(&self) -> Option<&str> {
        match self {
            Op::Call { callee } => Some(callee),
            Op::Custom(c) => c.decomposition.as_deref(),
            plain!()
            | Op::Iota { .. }
            | Op::Full { .. }
            | Op::Broadcast { .. }
            | Op::Reshape { .. }
            | Op::For { .. }
            | Op::If { .. }
            | Op::While { .. } => None,
        }
    }

    /// The shape attribute of `iota`, `full`, `broadcast` and `reshape`; `None` for every other op.
    pub fn shape_attr(&self) -> Option<&[Dim]> {
        match self {
            Op::Iota { shape, .. }
            | Op::Full { shape, .. }
            | Op::Broadcast { shape, .. }
            | Op::Reshape { shape } => Some(shape),
            plain!()
            | Op::For { .. }
            | Op::If { .. }
            | Op::While { .. }
            | Op::Call { .. }
            | Op::Custom(_) => None,
        }
    }

    /// Mutable access to the shape attribute (the same ops as [`Op::shape_attr`]).
    pub fn shape_attr_mut(&mut self) -> Option<&mut Vec<Dim>> {
        match self {
            Op::Iota { shape, .. }
            | Op::Full { shape, .. }
            | Op::Broadcast { shape, .. }
            | Op::Reshape { shape } => Some(shape),
            plain!()
            | Op::For { .. }
            | Op::If { .. }
            | Op::While { .. }
            | Op::Call { .. }
            | Op::Custom(_) => None,
        }
    }
}
