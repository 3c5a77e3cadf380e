//! The support table of `docs/formats/pytensor.md`, generated from [`crate::table`] (a test
//! checks that the committed page holds exactly this).

use std::fmt::Write;

use air_ir::{BinaryOp, UnaryOp};

use crate::table::{self, ScalarKind, Support};

fn status(s: Support) -> String {
    match s {
        Support::Both => "import, export".to_string(),
        Support::Import => "import".to_string(),
        Support::No(why) => format!("no: {why}"),
    }
}

fn scalar_air(k: ScalarKind) -> String {
    match k {
        ScalarKind::Unary(u) => format!("`{}`", u.name()),
        ScalarKind::Binary(b @ (BinaryOp::Add | BinaryOp::Mul)) => {
            format!(
                "`{}` (folded over its inputs; `{}` for bool)",
                b.name(),
                if b == BinaryOp::Add { "or" } else { "and" }
            )
        }
        ScalarKind::Binary(b) => format!("`{}`", b.name()),
        ScalarKind::Switch => "`select` (condition cast to bool)".into(),
        ScalarKind::Cast => "`cast`".into(),
        ScalarKind::Clip => "`select(x < lo, lo, select(x > hi, hi, x))`, PyTensor's rule".into(),
        ScalarKind::Sqr => "`square` (`and(x, x)` for bool)".into(),
        ScalarKind::Trunc => "`select(x < 0, ceil(x), floor(x))`".into(),
        ScalarKind::Second => "`broadcast` of the second input".into(),
        ScalarKind::Identity => "the value itself".into(),
        ScalarKind::Softplus => "PyTensor's piecewise formula with `exp`, `log1p`, `select`".into(),
        ScalarKind::Real => "`cast` to the real dtype".into(),
        ScalarKind::Unsupported => String::new(),
    }
}

/// The three support tables (tensor ops, scalar ops, AIR ops), as Markdown.
pub fn support_table() -> String {
    let mut out = String::new();
    out.push_str(
        "### PyTensor ops → AIR\n\n| PyTensor op | module | AIR | support |\n|---|---|---|---|\n",
    );
    for e in table::TENSOR_OPS {
        let _ = writeln!(
            out,
            "| `{}` | `{}` | {} | {} |",
            e.class,
            e.module,
            e.air,
            status(e.support)
        );
    }
    out.push_str("\n### `Elemwise` scalar ops → AIR\n\n| scalar op | module | AIR | support |\n|---|---|---|---|\n");
    for e in table::SCALAR_OPS {
        let _ = writeln!(
            out,
            "| `{}` | `{}` | {} | {} |",
            e.class,
            e.module,
            scalar_air(e.kind),
            status(e.support)
        );
    }
    out.push_str("\n### AIR ops → PyTensor\n\n| AIR op | PyTensor | support |\n|---|---|---|\n");
    for name in air_ir::op::all_op_names() {
        let direct = UnaryOp::ALL
            .iter()
            .find(|u| u.name() == name)
            .map(|u| ScalarKind::Unary(*u))
            .or_else(|| {
                BinaryOp::ALL
                    .iter()
                    .find(|b| b.name() == name)
                    .map(|b| ScalarKind::Binary(*b))
            })
            .and_then(table::scalar_for);
        let (what, ok) = match (direct, table::air_entry(name)) {
            (Some(e), _) => (format!("`Elemwise{{{}}}`", e.class), "export".to_string()),
            (None, Some(a)) => match a.pytensor {
                Ok(p) => (p.to_string(), "export".to_string()),
                Err(why) => (String::new(), format!("no: {why}")),
            },
            (None, None) => (String::new(), "no: not in the table".to_string()),
        };
        let _ = writeln!(out, "| `{name}` | {what} | {ok} |");
    }
    out
}
