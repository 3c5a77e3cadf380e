//! PyTensor's `Unique{return_index, return_inverse, return_counts, axis}` → AIR's `unique`.
//!
//! PyTensor runs NumPy's `np.unique` (through `old_np_unique`, which ravels the inverse as NumPy
//! 1 did): with `axis` null the input is flattened (an explicit `reshape` to 1-D), and the
//! inverse is 1-D, of the flattened length, as AIR's. NaNs collapse into one value (NumPy 2's
//! `equal_nan=True`), as in AIR. `axis` is accepted on a 1-D input only (axis 0, the same
//! thing); NumPy's unique rows (an axis of a rank >= 2 input) are refused. The outputs are in
//! PyTensor's order: values, then the first indices, the inverse and the counts that were asked
//! for.
//!
//! `return_index` (the index of each value's first occurrence, NumPy sorting stably for it) is
//! `scatter min` of the positions `0..n` into the `u` values by the inverse: the smallest
//! position of each value, every value occurring at least once.

use air_ir::op::ScatterMode;
use air_ir::{DType, Dim, Literal, Op};
use serde_json::Value as Json;

use super::{air, int_prop, invalid, unsupported, Imp, Res, Val};
use crate::json::Node;

impl Imp<'_, '_> {
    /// `Unique(x)`.
    pub(super) fn unique(&mut self, node: &Node) -> Res<Vec<Val>> {
        let [x] = self.inputs(node, 1..=1)? else {
            return invalid("one input expected");
        };
        let flag = |k: &str| -> Res<bool> {
            match node.op.prop(k) {
                Some(Json::Bool(b)) => Ok(*b),
                _ => invalid(format!("Unique without a boolean {k}")),
            }
        };
        let (index, inverse, counts) = (
            flag("return_index")?,
            flag("return_inverse")?,
            flag("return_counts")?,
        );
        let mut v = self.air(*x)?;
        let t = self.ty(v)?;
        match node.op.prop("axis") {
            None | Some(Json::Null) => {
                if t.rank() != 1 {
                    let n = Dim::product(&t.shape)
                        .map_err(|e| (crate::error::ProblemKind::Dims, e.to_string()))?;
                    v = air(self.rb.op(Op::Reshape { shape: vec![n] }, &[v]))?;
                }
            }
            Some(a) => match int_prop(Some(a)) {
                Some(0) if t.rank() == 1 => {}
                Some(_) if t.rank() != 1 => {
                    return unsupported(format!(
                        "Unique along an axis of a rank-{} input (NumPy's unique slices; AIR's unique is of 1-D values)",
                        t.rank()
                    ))
                }
                _ => return invalid("Unique with a bad axis"),
            },
        }
        let n = self.ty(v)?.shape[0].clone();
        let r = air(self.rb.op_multi(Op::Unique, &[v]))?;
        let [values, inv, cnt] = r.as_slice() else {
            return invalid("unique gave other than three results");
        };
        let mut outs = vec![Val::of(*values)];
        if index {
            let u = self.ty(*values)?.shape[0].clone();
            let init = air(self.rb.op(
                Op::Full {
                    value: Literal::i64(i64::MAX),
                    shape: vec![u],
                },
                &[],
            ))?;
            let pos = air(self.rb.op(
                Op::Iota {
                    dtype: DType::I64,
                    shape: vec![n],
                    axis: 0,
                },
                &[],
            ))?;
            let at = air(self.rb.op(Op::ExpandDims { axes: vec![1] }, &[*inv]))?;
            let first = air(self.rb.op(
                Op::Scatter {
                    mode: ScatterMode::Min,
                },
                &[init, at, pos],
            ))?;
            outs.push(Val::of(first));
        }
        if inverse {
            outs.push(Val::of(*inv));
        }
        if counts {
            outs.push(Val::of(*cnt));
        }
        Ok(outs)
    }
}
