//! What the backend can compile, checked before any code is generated: runtime ops that `air-rt`
//! does not provide yet (E0505), and custom ops without a decomposition (E0407). Every problem of
//! the module is reported at once. Every dtype is generated.

use air_ir::{Code, Diagnostic, Diagnostics, Function, Module, NodeId, Op, Region};

/// The runtime ops (`air_rt_<name>` of `docs/llvm-backend.md`) that the linked `air-rt` provides.
/// An op needing one that is not listed here is rejected at compile time with E0505.
pub const RUNTIME_OPS: &[&str] = &[
    "air_rt_matmul",
    "air_rt_einsum",
    "air_rt_sort",
    "air_rt_cumsum",
    "air_rt_cumprod",
    "air_rt_argmax",
    "air_rt_argmin",
    "air_rt_filter",
    "air_rt_concat",
    "air_rt_take",
    "air_rt_scatter",
    "air_rt_gather",
    "air_rt_unique",
];

/// The `air-rt` helper an op is computed by, when LLVM IR is the wrong tool for it.
pub(crate) fn runtime_helper(op: &Op) -> Option<&'static str> {
    match op {
        Op::Matmul => Some("air_rt_matmul"),
        Op::Einsum { .. } => Some("air_rt_einsum"),
        Op::Sort { .. } => Some("air_rt_sort"),
        Op::Scan { kind, .. } => Some(match kind {
            air_ir::op::ScanKind::Cumsum => "air_rt_cumsum",
            air_ir::op::ScanKind::Cumprod => "air_rt_cumprod",
        }),
        Op::ArgReduce { kind, .. } => Some(match kind {
            air_ir::op::ArgKind::Argmax => "air_rt_argmax",
            air_ir::op::ArgKind::Argmin => "air_rt_argmin",
        }),
        Op::Filter => Some("air_rt_filter"),
        Op::Concat { .. } => Some("air_rt_concat"),
        Op::Take { .. } => Some("air_rt_take"),
        Op::Scatter { .. } => Some("air_rt_scatter"),
        Op::Gather => Some("air_rt_gather"),
        Op::Unique => Some("air_rt_unique"),
        Op::Constant(_)
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
        | Op::Custom(_) => None,
    }
}

/// Checks that every function of `module` can be compiled: returns every problem found.
pub fn check_supported(module: &Module) -> Result<(), Diagnostics> {
    let mut out = Vec::new();
    for f in &module.functions {
        let mut path = Vec::new();
        check_region(f, &f.body, &mut path, &mut vec![], &mut out);
    }
    // Every function is compiled, so every function is a root.
    let roots: Vec<&str> = module.functions.iter().map(|f| f.name.as_str()).collect();
    let missing = air_ir::reach::missing_decompositions(module, &roots);
    out.extend(missing.into_iter().map(|m| {
        let mut d = m.diagnostic;
        d.node_text = Some(path_text(&d.node_path));
        d
    }));
    if out.is_empty() {
        Ok(())
    } else {
        Err(Diagnostics(out))
    }
}

fn check_region(
    f: &Function,
    region: &Region,
    path: &mut Vec<NodeId>,
    regions: &mut Vec<u32>,
    out: &mut Vec<Diagnostic>,
) {
    for (i, node) in region.nodes.iter().enumerate() {
        let id = NodeId(i as u32);
        path.push(id);
        let diag = |code: Code, message: String| {
            let mut d = Diagnostic::new(code, message);
            d.function = Some(f.name.clone());
            d.node_path = path.clone();
            d.region_path = regions.clone();
            d.op = Some(node.op.name().to_string());
            d.node_text = Some(path_text(path));
            d.loc = node.loc.clone();
            d
        };
        if let Some(helper) = runtime_helper(&node.op) {
            if !RUNTIME_OPS.contains(&helper) {
                out.push(diag(
                    Code::Unsupported,
                    format!("runtime op {helper} not available (air-rt does not provide it yet)"),
                ));
            }
        }
        for (k, sub) in node.op.regions().into_iter().enumerate() {
            regions.push(k as u32);
            check_region(f, sub, path, regions, out);
            regions.pop();
        }
        path.pop();
    }
}

fn path_text(path: &[NodeId]) -> String {
    let parts: Vec<String> = path.iter().map(ToString::to_string).collect();
    parts.join("/")
}
