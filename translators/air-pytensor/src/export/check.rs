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
            if let Op::Unary(air_ir::UnaryOp::Cbrt) = &node.op {
                let why = table::air_entry("cbrt")
                    .and_then(|e| e.pytensor.err())
                    .unwrap_or("no PyTensor op");
                self.push(f, at.clone(), "cbrt", why);
            }
            let operand = |k: usize| node.operands.get(k).and_then(|&v| r.value_type(v));
            let refused = if let Op::Scatter { mode } = &node.op {
                super::scatter::scatter_refusal(*mode, operand(0), operand(1))
            } else if let Op::Gather = &node.op {
                super::scatter::gather_refusal(operand(1))
            } else {
                None
            };
            if let Some(why) = refused {
                self.push(f, at.clone(), node.op.name(), why);
            }
            if let Op::Unique = &node.op {
                let name = node.op.name();
                let why = table::air_entry(name)
                    .and_then(|e| e.pytensor.err())
                    .unwrap_or("no PyTensor op");
                self.push(f, at.clone(), name, why);
            }
            if let Op::Unary(air_ir::UnaryOp::Sinc) = &node.op {
                let why = table::air_entry("sinc")
                    .and_then(|e| e.pytensor.err())
                    .unwrap_or("no PyTensor op");
                self.push(f, at.clone(), "sinc", why);
            }
            if let (Op::Unary(air_ir::UnaryOp::Angle), Some(d)) = (&node.op, operand_dtype) {
                if !matches!(d, DType::F64 | DType::C128) {
                    self.push(
                        f,
                        at.clone(),
                        "angle",
                        "PyTensor's Angle is float64 whatever its input",
                    );
                }
            }
            if let Op::Binary(b) = &node.op {
                self.binary(f, at.clone(), *b, operand_dtype);
            }
            if let Op::Custom(c) = &node.op {
                if c.decomposition.is_none() {
                    self.push(
                        f,
                        at.clone(),
                        "custom",
                        "a custom op without a decomposition",
                    );
                }
            }
            if let Some(callee) = node.op.callee() {
                match self.m.function(callee) {
                    Some(g) => self.function(g),
                    None => self.push(
                        f,
                        at.clone(),
                        node.op.name(),
                        "the callee is not in the module",
                    ),
                }
            }
            let nested = node.op.named_regions();
            let single = nested.len() == 1;
            for (role, sub) in nested {
                let prefix = if single {
                    format!("{at}/")
                } else {
                    format!("{at}/{}/", role.trim_end_matches(" branch"))
                };
                self.region(f, sub, &prefix);
            }
        }
    }

    fn binary(&mut self, f: &Function, at: String, b: BinaryOp, operand: Option<DType>) {
        match b {
            BinaryOp::Shl
            | BinaryOp::Shr
            | BinaryOp::Hypot
            | BinaryOp::Copysign
            | BinaryOp::Logaddexp
            | BinaryOp::Logaddexp2
            | BinaryOp::Heaviside => {
                let why = table::air_entry(b.name())
                    .and_then(|e| e.pytensor.err())
                    .unwrap_or("no PyTensor op");
                self.push(f, at, b.name(), why);
            }
            BinaryOp::Rem if !operand.is_some_and(|d| d.is_int()) => {
                self.push(
                    f,
                    at,
                    "rem",
                    "PyTensor has no fmod, and mod cannot be corrected exactly for floats",
                );
            }
            BinaryOp::Add
            | BinaryOp::Sub
            | BinaryOp::Mul
            | BinaryOp::Div
            | BinaryOp::FloorDiv
            | BinaryOp::Rem
            | BinaryOp::Mod
            | BinaryOp::Pow
            | BinaryOp::Max
            | BinaryOp::Min
            | BinaryOp::Atan2
            | BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge
            | BinaryOp::And
            | BinaryOp::Or
            | BinaryOp::Xor
            | BinaryOp::Complex => {}
        }
    }
}
