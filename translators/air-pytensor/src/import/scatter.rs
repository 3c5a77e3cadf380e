//! Advanced indexing with integer index arrays on the leading axes: `AdvancedIncSubtensor1` and
//! `AdvancedIncSubtensor` → `scatter` (`add`, or `replace` with `set_instead_of_inc`), and
//! `AdvancedSubtensor` with several index arrays → `gather`.
//!
//! PyTensor evaluates `inc_subtensor(x[i, j], y)` as `np.add.at(x, (i, j), y)`: duplicate
//! indices accumulate, in order, which is `scatter add`'s ascending update order; with
//! `set_instead_of_inc` it runs `x[i, j] = y`, where NumPy's reference implementation keeps the
//! last of duplicates, as `scatter replace` does. The index arrays must have one shape (their
//! NumPy broadcast is not imported); `y` is broadcast to the indexed region, as NumPy does.

use air_ir::op::ScatterMode;
use air_ir::{DType, Dim, Op, Value};
use serde_json::Value as Json;

use super::index::{idx_list, Idx};
use super::{air, invalid, unsupported, Imp, Res, Val};
use crate::json::Node;

impl Imp<'_, '_> {
    /// The node's index arrays when `idx_list` is `k >= 1` arrays on the leading axes followed
    /// only by whole-axis slices (`first`: the input of the first extra input); else `None`.
    pub(super) fn leading_arrays(&self, node: &Node, first: usize) -> Res<Option<Vec<usize>>> {
        let idx = idx_list(node.op.prop("idx_list"))?;
        let k = idx.iter().take_while(|e| matches!(e, Idx::At(_))).count();
        let rest_whole = idx[k..]
            .iter()
            .all(|e| matches!(e, Idx::Slice([None, None, None])));
        if k == 0 || !rest_whole {
            return Ok(None);
        }
        let mut arrays = Vec::with_capacity(k);
        for e in &idx[..k] {
            let Idx::At(p) = *e else {
                return invalid("not an index");
            };
            let at = first
                .checked_add(p)
                .and_then(|i| node.inputs.get(i))
                .copied();
            match at {
                Some(v) => arrays.push(v),
                None => return invalid(format!("idx_list names input {p}, which is missing")),
            }
        }
        Ok(Some(arrays))
    }

    /// The integer index arrays (of one shape `s`) stacked into the `i64[s..., k]` index tuples
    /// of `scatter` and `gather`.
    pub(super) fn index_tuples(&mut self, arrays: &[usize]) -> Res<Value> {
        let mut cols = Vec::with_capacity(arrays.len());
        let mut shape: Option<Vec<Dim>> = None;
        for &a in arrays {
            let v = self.air(a)?;
            let t = self.ty(v)?;
            if !t.dtype.is_int() {
                return unsupported(format!(
                    "an index array of dtype {} next to other index arrays",
                    t.dtype
                ));
            }
            match &shape {
                None => shape = Some(t.shape.clone()),
                Some(s) if s.len() == t.rank() => {
                    for (a, b) in s.clone().iter().zip(&t.shape) {
                        self.unify(a, b)?;
                    }
                }
                Some(_) => return unsupported("index arrays of different ranks (broadcast)"),
            }
            let v = self.cast(v, DType::I64)?;
            let axis = t.rank() as u32;
            cols.push(air(self.rb.op(Op::ExpandDims { axes: vec![axis] }, &[v]))?);
        }
        let rank = shape.map_or(0, |s| s.len()) as u32;
        match cols.as_slice() {
            [one] => Ok(*one),
            _ => air(self.rb.op(Op::Concat { axis: rank }, &cols)),
        }
    }

    /// `AdvancedIncSubtensor1(x, y, idx)` and `AdvancedIncSubtensor(x, y, arrays...)`.
    pub(super) fn advanced_inc_subtensor(&mut self, node: &Node) -> Res<Vec<Val>> {
        let [x, y, rest @ ..] = node.inputs.as_slice() else {
            return invalid("AdvancedIncSubtensor needs x and y");
        };
        let flag = |k: &str| matches!(node.op.prop(k), Some(Json::Bool(true)));
        let set = flag("set_instead_of_inc");
        if !set && flag("ignore_duplicates") {
            return unsupported(
                "AdvancedIncSubtensor with ignore_duplicates (duplicate increments not accumulated)",
            );
        }
        let arrays = if node.op.class == "AdvancedIncSubtensor1" {
            match rest {
                [i] => vec![*i],
                _ => return invalid("AdvancedIncSubtensor1 takes x, y and one index"),
            }
        } else {
            match self.leading_arrays(node, 2)? {
                Some(a) => a,
                None => {
                    return unsupported(
                        "AdvancedIncSubtensor other than index arrays on the leading axes",
                    )
                }
            }
        };
        let xv = self.air(*x)?;
        let xt = self.ty(xv)?;
        if arrays.len() > xt.rank() {
            return invalid("more index arrays than axes");
        }
        if let Some(&a) = arrays.first() {
            let v = self.air(a)?;
            if self.ty(v)?.dtype.is_bool() {
                return unsupported("AdvancedIncSubtensor with a boolean mask");
            }
        }
        let iv = self.index_tuples(&arrays)?;
        let it = self.ty(iv)?;
        let mut shape = it.shape[..it.rank() - 1].to_vec();
        shape.extend(xt.shape[arrays.len()..].iter().cloned());
        let yv = self.air(*y)?;
        let yv = self.cast(yv, xt.dtype)?;
        // NumPy broadcasts `y` to the indexed region: equal extents are unified first.
        let yt = self.ty(yv)?;
        air(self.rb.broadcast_shapes(&[&yt.shape, &shape]))?;
        let yv = air(self.rb.broadcast_to(yv, &shape))?;
        // NumPy's `+` on bool is `or`: `max` on bools.
        let mode = match (set, xt.dtype.is_bool()) {
            (true, _) => ScatterMode::Replace,
            (false, true) => ScatterMode::Max,
            (false, false) => ScatterMode::Add,
        };
        let r = air(self.rb.op(Op::Scatter { mode }, &[xv, iv, yv]))?;
        Ok(vec![Val::of(r)])
    }

    /// `AdvancedSubtensor(x, arrays...)` with `k >= 2` integer arrays on the leading axes.
    pub(super) fn gather_arrays(&mut self, x: usize, arrays: &[usize]) -> Res<Vec<Val>> {
        let xv = self.air(x)?;
        if arrays.len() > self.ty(xv)?.rank() {
            return invalid("more index arrays than axes");
        }
        let iv = self.index_tuples(arrays)?;
        Ok(vec![Val::of(air(self.rb.op(Op::Gather, &[xv, iv]))?)])
    }
}
