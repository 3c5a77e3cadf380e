//! Every op of a document checked against [`crate::table`] before anything is built, so all
//! unknown and unsupported ops are reported together, each with its node.

use serde_json::Value as Json;

use crate::error::{Problem, ProblemKind};
use crate::json::{Graph, Node};
use crate::table::{self, Support, TensorOp};

/// Checks every op (and every Elemwise scalar op, Blockwise core op and CAReduce scalar op)
/// against the table, in this graph and its inner graphs; each unknown or unsupported one is a
/// problem.
pub(super) fn check_ops(g: &Graph, problems: &mut Vec<Problem>) {
    for &k in &g.order {
        let node = &g.nodes[k];
        let op = &node.op;
        match table::tensor_op(&op.class, &op.module) {
            None => problems.push(Problem::new(
                ProblemKind::UnknownOp,
                format!("unknown op {}.{}", op.module, op.class),
                &node.place,
            )),
            Some(e) => {
                if let Support::No(why) = e.support {
                    problems.push(Problem::new(
                        ProblemKind::Unsupported,
                        format!("unsupported op {}: {why}", op.class),
                        &node.place,
                    ));
                }
                check_nested(node, e.op, problems);
            }
        }
        if let Some(inner) = g.inner.get(&k) {
            check_ops(inner, problems);
        }
    }
}

fn check_nested(node: &Node, op: TensorOp, problems: &mut Vec<Problem>) {
    let nested = |key: &str| node.op.prop(key).and_then(|v| v.get("op"));
    let class_of =
        |j: &Json, key: &str| j.get(key).and_then(Json::as_str).unwrap_or("").to_string();
    match op {
        TensorOp::Elemwise | TensorOp::Reduce => {
            let Some(s) = nested("scalar_op") else {
                if op == TensorOp::Elemwise {
                    problems.push(Problem::new(
                        ProblemKind::Invalid,
                        "an Elemwise without a scalar_op",
                        &node.place,
                    ));
                }
                return;
            };
            let (class, module) = (class_of(s, "class"), class_of(s, "module"));
            match table::scalar_op(&class, &module) {
                None => problems.push(Problem::new(
                    ProblemKind::UnknownOp,
                    format!("unknown scalar op {module}.{class}"),
                    &node.place,
                )),
                Some(e) => {
                    if let Support::No(why) = e.support {
                        problems.push(Problem::new(
                            ProblemKind::Unsupported,
                            format!("unsupported scalar op {class}: {why}"),
                            &node.place,
                        ));
                    }
                }
            }
        }
        TensorOp::Blockwise => {
            let core = nested("core_op")
                .map(|c| class_of(c, "class"))
                .unwrap_or_default();
            if core != "Dot" {
                problems.push(Problem::new(
                    ProblemKind::Unsupported,
                    format!("Blockwise of {core}: only a Dot core is supported"),
                    &node.place,
                ));
            }
        }
        TensorOp::DimShuffle
        | TensorOp::Argmax
        | TensorOp::Dot
        | TensorOp::Subtensor
        | TensorOp::IncSubtensor
        | TensorOp::AdvancedSubtensor1
        | TensorOp::AdvancedSubtensor
        | TensorOp::AdvancedIncSubtensor
        | TensorOp::Join
        | TensorOp::Alloc
        | TensorOp::AllocEmpty
        | TensorOp::MakeVector
        | TensorOp::ScalarConvert
        | TensorOp::ARange
        | TensorOp::ExtractDiag
        | TensorOp::Shape
        | TensorOp::ShapeI
        | TensorOp::Reshape
        | TensorOp::SpecifyShape
        | TensorOp::CumOp
        | TensorOp::SortOp
        | TensorOp::Unique
        | TensorOp::InnerGraph
        | TensorOp::Scan
        | TensorOp::IfElse
        | TensorOp::Unsupported => {}
    }
}
