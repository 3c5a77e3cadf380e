//! Everything in a function (its callees and decompositions included) that PyTensor cannot
//! express, listed before anything is written.

use std::collections::HashSet;

use air_ir::{BinaryOp, DType, Function, Module, Op, Region, TensorType};

use crate::error::Construct;
use crate::table;

/// Every construct of `f` PyTensor cannot express.
pub(crate) fn check(m: &Module, f: &Function) -> Vec<Construct> {
    let mut c = Checker {
        m,
        out: vec![],
        seen: HashSet::new(),
    };
    c.function(f);
    c.out
}

struct Checker<'m> {
    m: &'m Module,
    out: Vec<Construct>,
    seen: HashSet<String>,
}

impl Checker<'_> {
    fn function(&mut self, f: &Function) {
        if !self.seen.insert(f.name.clone()) {
            return;
        }
        for p in &f.params {
            if p.ty.dtype == DType::BF16 {
                self.push(
                    f,
                    format!("parameter %{}", p.name),
                    "bf16",
                    "PyTensor has no bfloat16",
                );
            }
        }
        self.region(f, &f.body, "");
    }

    fn push(&mut self, f: &Function, at: String, what: &str, reason: &str) {
        self.out.push(Construct {
            function: f.name.clone(),
            at,
            what: what.to_string(),
            reason: reason.to_string(),
        });
    }

    fn region(&mut self, f: &Function, r: &Region, prefix: &str) {
        for (k, node) in r.nodes.iter().enumerate() {
            let at = format!("{prefix}%{k}");
            let bf16 = |t: &TensorType| t.dtype == DType::BF16;
            if node.results.iter().any(bf16) {
                self.push(f, at.clone(), node.op.name(), "PyTensor has no bfloat16");
                continue;
            }
            let operand_dtype = node
                .operands
                .first()
                .and_then(|&v| r.value_type(v))
                .map(|t| t.dtype);
            match &node.op {
                Op::Binary(b @ (BinaryOp::Shl | BinaryOp::Shr)) => {
                    let why = table::air_entry(b.name())
                        .and_then(|e| e.pytensor.err())
                        .unwrap_or("no PyTensor op");
                    self.push(f, at, b.name(), why);
                }
                Op::Binary(BinaryOp::Rem) if !operand_dtype.is_some_and(|d| d.is_int()) => {
                    self.push(
                        f,
                        at,
                        "rem",
                        "PyTensor has no fmod, and mod cannot be corrected exactly for floats",
                    );
                }
                Op::Call { callee } => match self.m.function(callee) {
                    Some(g) => self.function(g),
                    None => self.push(f, at, "call", "the callee is not in the module"),
                },
                Op::Custom(c) => {
                    match c.decomposition.as_deref().and_then(|d| self.m.function(d)) {
                        Some(g) => self.function(g),
                        None => self.push(f, at, "custom", "a custom op without a decomposition"),
                    }
                }
                Op::For { body } => self.region(f, body, &format!("{at}/")),
                Op::If {
                    then_branch,
                    else_branch,
                } => {
                    self.region(f, then_branch, &format!("{at}/then/"));
                    self.region(f, else_branch, &format!("{at}/else/"));
                }
                _ => {}
            }
        }
    }
}
