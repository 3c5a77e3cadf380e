//! Reductions and contractions: the `CAReduce` family, `Argmax`, `CumOp`, `SortOp`, `Dot` and
//! `Blockwise(Dot)`.

use air_ir::op::{ArgKind, ReduceKind, ScanKind};
use air_ir::{BinaryOp, DType, Dim, Op};
use serde_json::Value as Json;

use super::elemwise::scalar_kind;
use super::{air, axis, int_prop, ints_prop, invalid, unsupported, Imp, Res, Val};
use crate::json::{self, Node};
use crate::table::ScalarKind;

impl Imp<'_, '_> {
    /// `Sum`, `Prod`, `Max`, `Min`, `Any`, `All`, `CAReduce`: the input cast to `acc_dtype`
    /// (booleans for `Any`/`All`), reduced, cast to the output dtype.
    pub(super) fn reduce(&mut self, node: &Node) -> Res<Vec<Val>> {
        let [x] = self.inputs(node, 1..=1)? else {
            return invalid("one input expected");
        };
        let kind = match (
            node.op.class.as_str(),
            scalar_kind(node.op.prop("scalar_op")),
        ) {
            ("Sum", _) | (_, Ok(ScalarKind::Binary(BinaryOp::Add))) => ReduceKind::Sum,
            ("Prod", _) | (_, Ok(ScalarKind::Binary(BinaryOp::Mul))) => ReduceKind::Prod,
            ("Max", _) | (_, Ok(ScalarKind::Binary(BinaryOp::Max))) => ReduceKind::Max,
            ("Min", _) | (_, Ok(ScalarKind::Binary(BinaryOp::Min))) => ReduceKind::Min,
            ("Any", _) | (_, Ok(ScalarKind::Binary(BinaryOp::Or))) => ReduceKind::Any,
            ("All", _) | (_, Ok(ScalarKind::Binary(BinaryOp::And))) => ReduceKind::All,
            (c, _) => {
                return unsupported(format!(
                    "a {c} whose scalar op is not Add, Mul, Maximum, Minimum, AND or OR"
                ))
            }
        };
        let v = self.air(*x)?;
        let t = self.ty(v)?;
        let axes = self.axes(node.op.prop("axis"), t.rank())?;
        let out = self.out_type(node)?.dtype;
        let acc = match node.op.prop("acc_dtype") {
            Some(Json::String(s)) => json::dtype(s).ok_or((
                crate::error::ProblemKind::Invalid,
                format!("unknown acc_dtype {s}"),
            ))?,
            _ => out,
        };
        let acc = match kind {
            ReduceKind::Any | ReduceKind::All => DType::Bool,
            ReduceKind::Sum | ReduceKind::Prod if acc.is_bool() => DType::I64,
            ReduceKind::Sum
            | ReduceKind::Prod
            | ReduceKind::Max
            | ReduceKind::Min
            | ReduceKind::Mean => acc,
        };
        let v = self.cast(v, acc)?;
        let r = air(self.rb.op(
            Op::Reduce {
                kind,
                axes,
                keepdims: false,
            },
            &[v],
        ))?;
        Ok(vec![Val::of(self.cast(r, out)?)])
    }

    /// An `axis` prop: a list, an int, or null (every axis); normalised and sorted.
    fn axes(&mut self, j: Option<&Json>, rank: usize) -> Res<Vec<u32>> {
        let mut axes = match ints_prop(j)? {
            None => (0..rank as u32).collect(),
            Some(list) => list
                .into_iter()
                .map(|a| axis(a, rank))
                .collect::<Res<Vec<_>>>()?,
        };
        axes.sort_unstable();
        axes.dedup();
        Ok(axes)
    }

    /// `Argmax{axis}`: one axis, or every axis (flattened first).
    pub(super) fn argmax(&mut self, node: &Node) -> Res<Vec<Val>> {
        let [x] = self.inputs(node, 1..=1)? else {
            return invalid("one input expected");
        };
        let v = self.air(*x)?;
        let t = self.ty(v)?;
        let axes = self.axes(node.op.prop("axis"), t.rank())?;
        let (v, a) = match axes.as_slice() {
            [a] => (v, *a),
            _ if axes.len() == t.rank() => (self.flatten(v, &t.shape)?, 0),
            _ => return unsupported("Argmax over several but not all axes"),
        };
        let r = air(self.rb.op(
            Op::ArgReduce {
                kind: ArgKind::Argmax,
                axis: a,
                keepdims: false,
            },
            &[v],
        ))?;
        let out = self.out_type(node)?.dtype;
        Ok(vec![Val::of(self.cast(r, out)?)])
    }

    fn flatten(&mut self, v: air_ir::Value, shape: &[Dim]) -> Res<air_ir::Value> {
        let mut n = Dim::constant(1);
        for d in shape {
            n = n
                .mul(d)
                .map_err(|e| (crate::error::ProblemKind::Dims, e.to_string()))?;
        }
        air(self.rb.op(Op::Reshape { shape: vec![n] }, &[v]))
    }

    /// `CumOp{axis, mode}` → `cumsum`/`cumprod` (axis null: over the flattened input).
    pub(super) fn cumop(&mut self, node: &Node) -> Res<Vec<Val>> {
        let [x] = self.inputs(node, 1..=1)? else {
            return invalid("one input expected");
        };
        let kind = match node.op.prop("mode").and_then(Json::as_str) {
            Some("add") => ScanKind::Cumsum,
            Some("mul") => ScanKind::Cumprod,
            m => return invalid(format!("CumOp mode {m:?}")),
        };
        let out = self.out_type(node)?.dtype;
        let v = self.air(*x)?;
        let v = self.cast(v, out)?;
        let t = self.ty(v)?;
        let (v, a) = match int_prop(node.op.prop("axis")) {
            Some(a) => (v, axis(a, t.rank())?),
            None => (self.flatten(v, &t.shape)?, 0),
        };
        Ok(vec![Val::of(air(self
            .rb
            .op(Op::Scan { kind, axis: a }, &[v]))?)])
    }

    /// `SortOp(x, axis)` → `sort` ascending (NaN last, as NumPy).
    pub(super) fn sort(&mut self, node: &Node) -> Res<Vec<Val>> {
        let [x, ax] = self.inputs(node, 2..=2)? else {
            return invalid("two inputs expected");
        };
        let v = self.air(*x)?;
        let t = self.ty(v)?;
        let Some(a) = self.known(*ax)?.and_then(|k| k.constant()) else {
            return unsupported("SortOp along an axis that is not a constant");
        };
        let a = axis(a, t.rank())?;
        Ok(vec![Val::of(air(self.rb.op(
            Op::Sort {
                axis: a,
                descending: false,
            },
            &[v],
        ))?)])
    }

    /// `ExtractDiag{offset=0, axis1, axis2}` → `einsum` with one letter for both axes, the
    /// diagonal last (the two axes are unified: a non-square diagonal is refused at run time).
    pub(super) fn extract_diag(&mut self, node: &Node) -> Res<Vec<Val>> {
        let [x] = self.inputs(node, 1..=1)? else {
            return invalid("one input expected");
        };
        if int_prop(node.op.prop("offset")) != Some(0) {
            return unsupported("ExtractDiag with an offset other than 0");
        }
        let v = self.air(*x)?;
        let t = self.ty(v)?;
        let (a1, a2) = match (
            int_prop(node.op.prop("axis1")),
            int_prop(node.op.prop("axis2")),
        ) {
            (Some(a), Some(b)) => (axis(a, t.rank())? as usize, axis(b, t.rank())? as usize),
            _ => return invalid("ExtractDiag without axis1 and axis2"),
        };
        if a1 == a2 || t.rank() > 26 {
            return invalid("ExtractDiag of one axis with itself");
        }
        self.unify(&t.shape[a1], &t.shape[a2])?;
        let letter = |a: usize| (b'a' + a as u8) as char;
        let input: String = (0..t.rank())
            .map(|a| letter(if a == a2 { a1 } else { a }))
            .collect();
        let output: String = (0..t.rank())
            .filter(|&a| a != a1 && a != a2)
            .map(letter)
            .chain([letter(a1)])
            .collect();
        let spec = format!("{input}->{output}");
        Ok(vec![Val::of(air(self.rb.op(Op::Einsum { spec }, &[v]))?)])
    }

    /// `Dot` and `Blockwise(Dot)` → `matmul` in the output dtype.
    pub(super) fn dot(&mut self, node: &Node) -> Res<Vec<Val>> {
        let [a, b] = self.inputs(node, 2..=2)? else {
            return invalid("two inputs expected");
        };
        let out = self.out_type(node)?.dtype;
        let va = self.air(*a)?;
        let vb = self.air(*b)?;
        let va = self.cast(va, out)?;
        let vb = self.cast(vb, out)?;
        let (ta, tb) = (self.ty(va)?, self.ty(vb)?);
        if let (Some(k1), Some(k2)) = (ta.shape.last(), contracted(&tb.shape)) {
            self.unify(k1, &k2)?;
        }
        Ok(vec![Val::of(air(self.rb.op(Op::Matmul, &[va, vb]))?)])
    }
}

/// The dim `matmul` contracts on its right operand.
fn contracted(shape: &[Dim]) -> Option<Dim> {
    match shape.len() {
        0 => None,
        1 => Some(shape[0].clone()),
        n => Some(shape[n - 2].clone()),
    }
}
