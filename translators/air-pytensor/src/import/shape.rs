//! Shape ops: `DimShuffle`, `Join`, `Alloc`, `AllocEmpty`, `MakeVector`, `ARange`, `Shape`,
//! `Shape_i`, `Reshape`. Shapes PyTensor computes at run time from other shapes are known here
//! as dim expressions; a shape that depends on data cannot be expressed and is reported.

use air_ir::{Dim, Op, Scalar};
use serde_json::Value as Json;

use super::{air, axis, int_prop, invalid, unsupported, Imp, Known, Res, Val};
use crate::json::Node;
use crate::table::TensorOp;

impl Imp<'_, '_> {
    /// `DimShuffle{input_ndim, new_order}`: squeeze the dropped axes, transpose, expand `'x'`s.
    pub(super) fn dimshuffle(&mut self, node: &Node) -> Res<Vec<Val>> {
        let [x] = self.inputs(node, 1..=1)? else {
            return invalid("one input expected");
        };
        let order = new_order(node.op.prop("new_order"))?;
        let ndim = int_prop(node.op.prop("input_ndim"));
        if let Some(lit) = self.constant_literal(*x)?.filter(|l| l.len() == 1) {
            // A one-element constant (PyTensor's scalar constants) stays a constant.
            let lit = air_ir::Literal {
                shape: vec![1; order.len()],
                ..lit
            };
            let known = self.known(*x)?.map(|k| Known {
                dims: k.dims,
                scalar: order.is_empty(),
            });
            let v = self.constant(lit)?;
            return Ok(vec![Val {
                air: Some(v),
                known,
            }]);
        }
        if let Some(k) = self.known(*x)? {
            let kept: Vec<usize> = order.iter().flatten().copied().collect();
            let known = match (k.scalar, order.as_slice()) {
                (true, [None]) => Some(Known {
                    dims: k.dims.clone(),
                    scalar: false,
                }),
                (false, []) if k.dims.len() == 1 => Some(Known::scalar(k.dims[0].clone())),
                (false, [Some(0)]) => Some(k.clone()),
                _ => None,
            };
            if let Some(known) = known.filter(|_| kept.len() <= 1) {
                return Ok(vec![Val {
                    air: None,
                    known: Some(known),
                }]);
            }
        }
        let v = self.air(*x)?;
        let t = self.ty(v)?;
        if ndim.is_some_and(|n| n != t.rank() as i64) {
            return invalid(format!(
                "input_ndim is {ndim:?}, the input has rank {}",
                t.rank()
            ));
        }
        let kept: Vec<usize> = order.iter().flatten().copied().collect();
        if kept.iter().any(|&a| a >= t.rank()) {
            return invalid("new_order names an axis the input lacks");
        }
        let dropped: Vec<u32> = (0..t.rank())
            .filter(|a| !kept.contains(a))
            .map(|a| a as u32)
            .collect();
        let mut v = v;
        if !dropped.is_empty() {
            v = air(self.rb.op(
                Op::Squeeze {
                    axes: dropped.clone(),
                },
                &[v],
            ))?;
        }
        let remaining: Vec<usize> = (0..t.rank()).filter(|a| kept.contains(a)).collect();
        let perm: Vec<u32> = kept
            .iter()
            .map(|a| remaining.iter().position(|r| r == a).unwrap_or(0) as u32)
            .collect();
        if perm.iter().enumerate().any(|(i, &p)| i as u32 != p) {
            v = air(self.rb.op(Op::Transpose { perm }, &[v]))?;
        }
        let new: Vec<u32> = order
            .iter()
            .enumerate()
            .filter(|(_, o)| o.is_none())
            .map(|(i, _)| i as u32)
            .collect();
        if !new.is_empty() {
            v = air(self.rb.op(Op::ExpandDims { axes: new }, &[v]))?;
        }
        Ok(vec![Val::of(v)])
    }

    /// `Join(axis, xs...)` → `concat` (inputs cast to the output dtype).
    pub(super) fn join(&mut self, node: &Node) -> Res<Vec<Val>> {
        let (&ax, xs) = node
            .inputs
            .split_first()
            .ok_or((crate::error::ProblemKind::Invalid, "no inputs".to_string()))?;
        if xs.is_empty() {
            return invalid("Join of nothing");
        }
        let out = self.out_type(node)?;
        let Some(a) = self.known(ax)?.and_then(|k| k.constant()) else {
            return unsupported("Join along an axis computed at run time");
        };
        let a = axis(a, out.shape.len())?;
        let mut parts = vec![];
        let mut first: Option<Vec<Dim>> = None;
        for &x in xs {
            let v = self.air(x)?;
            let shape = self.ty(v)?.shape;
            match &first {
                None => first = Some(shape),
                Some(f) if f.len() == shape.len() => {
                    for (i, (d, e)) in f.iter().zip(&shape).enumerate() {
                        if i != a as usize {
                            self.unify(d, e)?;
                        }
                    }
                }
                Some(_) => return invalid("Join of tensors of different ranks"),
            }
            parts.push(self.cast(v, out.dtype)?);
        }
        Ok(vec![Val::of(air(self
            .rb
            .op(Op::Concat { axis: a }, &parts))?)])
    }

    /// The dims named by scalar shape inputs, each known at import time.
    fn dims_of(&mut self, inputs: &[usize], what: &str) -> Res<Vec<Dim>> {
        inputs
            .iter()
            .map(|&s| match self.known(s)?.and_then(|k| k.one().cloned()) {
                Some(d) => self.extent(&d),
                None => unsupported(format!(
                    "{what} with a shape computed from data at run time"
                )),
            })
            .collect()
    }

    /// `Alloc(value, *shape)` → `broadcast` (right-aligned); `AllocEmpty(*shape)` → `full` of
    /// zeros (its contents are unspecified, so any value is a faithful reading).
    pub(super) fn alloc(&mut self, node: &Node, op: TensorOp) -> Res<Vec<Val>> {
        let out = self.out_type(node)?;
        if op == TensorOp::AllocEmpty {
            let dims = self.dims_of(&node.inputs, "AllocEmpty")?;
            let v = self.splat(Scalar::Int(0), out.dtype, &dims)?;
            return Ok(vec![Val::of(v)]);
        }
        let (&value, shape) = node
            .inputs
            .split_first()
            .ok_or((crate::error::ProblemKind::Invalid, "no inputs".to_string()))?;
        let dims = self.dims_of(shape, "Alloc")?;
        let v = self.air(value)?;
        let t = self.ty(v)?;
        let Some(first) = dims.len().checked_sub(t.rank()) else {
            return invalid("Alloc to a lower rank than its value");
        };
        for (d, want) in t.shape.iter().zip(&dims[first..]) {
            if d.as_const() != Some(1) {
                self.unify(d, want)?;
            }
        }
        // A rank-0 constant filled out is `full` (as the exporter writes `full`), so an import of
        // an export settles.
        let c = self.cast(v, out.dtype)?;
        if let Some(value) = self.consts.get(&c).filter(|l| l.shape.is_empty()) {
            if !dims.is_empty() {
                let full = Op::Full {
                    value: value.clone(),
                    shape: dims,
                };
                return Ok(vec![Val::of(air(self.rb.op(full, &[]))?)]);
            }
        }
        let v = self.prep(v, out.dtype, &dims)?;
        Ok(vec![Val::of(v)])
    }

    /// `MakeVector(scalars...)`: known when every scalar is; else `expand_dims` + `concat`.
    pub(super) fn make_vector(&mut self, node: &Node) -> Res<Vec<Val>> {
        let out = self.out_type(node)?;
        let mut dims = vec![];
        for &i in &node.inputs {
            match self.known(i)?.and_then(|k| k.one().cloned()) {
                Some(d) if out.dtype.is_int() => dims.push(d),
                _ => {
                    dims.clear();
                    break;
                }
            }
        }
        if dims.len() == node.inputs.len() {
            return Ok(vec![Val {
                air: None,
                known: Some(Known {
                    dims,
                    scalar: false,
                }),
            }]);
        }
        let mut parts = vec![];
        for &i in &node.inputs {
            let v = self.air(i)?;
            let v = self.cast(v, out.dtype)?;
            parts.push(air(self.rb.op(Op::ExpandDims { axes: vec![0] }, &[v]))?);
        }
        Ok(vec![Val::of(air(self
            .rb
            .op(Op::Concat { axis: 0 }, &parts))?)])
    }

    /// `ARange(start, stop, step)` with bounds known at import time → `iota`, scaled and
    /// shifted.
    pub(super) fn arange(&mut self, node: &Node) -> Res<Vec<Val>> {
        let [start, stop, step] = self.inputs(node, 3..=3)? else {
            return invalid("three inputs expected");
        };
        let out = self.out_type(node)?;
        let known = |imp: &mut Self, v: usize| -> Res<Option<Dim>> {
            Ok(imp.known(v)?.and_then(|k| k.one().cloned()))
        };
        let (Some(a), Some(b), Some(s)) = (
            known(self, *start)?,
            known(self, *stop)?,
            known(self, *step)?,
        ) else {
            return unsupported("ARange with bounds computed from data at run time");
        };
        let (Some(a0), Some(s0)) = (a.as_const(), s.as_const()) else {
            return unsupported("ARange with a run-time start or step");
        };
        let count = match b.as_const() {
            Some(b0) if s0 != 0 => Dim::constant(ceil_div(b0 - a0, s0).max(0)),
            _ if s0 == 1 => b
                .sub(&a)
                .map_err(|e| (crate::error::ProblemKind::Dims, e.to_string()))?,
            _ => return unsupported("ARange with a symbolic stop and a step other than 1"),
        };
        let count = self.extent(&count)?;
        let dtype = out.dtype;
        let mut v = air(self.rb.op(
            Op::Iota {
                dtype,
                shape: vec![count.clone()],
                axis: 0,
            },
            &[],
        ))?;
        let shape = [count];
        if s0 != 1 {
            let sv = self.splat(Scalar::Int(s0), dtype, &shape)?;
            v = air(self.rb.op(Op::Binary(air_ir::BinaryOp::Mul), &[v, sv]))?;
        }
        if a0 != 0 {
            let av = self.splat(Scalar::Int(a0), dtype, &shape)?;
            v = air(self.rb.op(Op::Binary(air_ir::BinaryOp::Add), &[v, av]))?;
        }
        Ok(vec![Val::of(v)])
    }

    /// The AIR dims of a variable (of its known value's length for a known vector).
    pub(super) fn dims(&mut self, x: usize) -> Res<Vec<Dim>> {
        let val = self.val(x)?;
        match (val.air, val.known) {
            (None, Some(k)) if !k.scalar => Ok(vec![Dim::constant(k.dims.len() as i64)]),
            (None, Some(_)) => Ok(vec![]),
            _ => {
                let v = self.air(x)?;
                Ok(self.ty(v)?.shape)
            }
        }
    }

    /// `Shape(x)`, `Shape_i{i}(x)`: known dims.
    pub(super) fn shape(&mut self, node: &Node, op: TensorOp) -> Res<Vec<Val>> {
        let Some(&x) = node.inputs.first() else {
            return invalid("no input");
        };
        let dims = self.dims(x)?;
        let known = if op == TensorOp::ShapeI {
            let Some(i) = int_prop(node.op.prop("i")) else {
                return invalid("Shape_i without i");
            };
            let i = axis(i, dims.len())?;
            Known::scalar(dims[i as usize].clone())
        } else {
            Known {
                dims,
                scalar: false,
            }
        };
        Ok(vec![Val {
            air: None,
            known: Some(known),
        }])
    }

    /// `Reshape{ndim}(x, shape)` with the target shape known at import time (one `-1` is
    /// inferred when the other entries cancel factors of the input's dims).
    pub(super) fn reshape(&mut self, node: &Node) -> Res<Vec<Val>> {
        let [x, s] = self.inputs(node, 2..=2)? else {
            return invalid("two inputs expected");
        };
        let Some(k) = self.known(*s)? else {
            return unsupported("Reshape to a shape computed from data at run time");
        };
        let v = self.air(*x)?;
        let t = self.ty(v)?;
        let mut dims = vec![];
        for d in &k.dims {
            dims.push(self.resolve(d)?);
        }
        let shape = infer_minus_one(&t.shape, &dims)?;
        Ok(vec![Val::of(air(self.rb.op(Op::Reshape { shape }, &[v]))?)])
    }
}

fn ceil_div(a: i64, b: i64) -> i64 {
    let q = a / b;
    if (a % b != 0) && ((a < 0) == (b < 0)) {
        q + 1
    } else {
        q
    }
}

/// `new_order`: an axis per output axis, `None` for `'x'`.
// serde_json::Value is a foreign enum: any JSON kind not handled above is malformed input
#[allow(clippy::wildcard_enum_match_arm)]
fn new_order(j: Option<&Json>) -> Res<Vec<Option<usize>>> {
    let Some(Json::Array(a)) = j else {
        return invalid("DimShuffle without new_order");
    };
    a.iter()
        .map(|e| match e {
            Json::String(s) if s == "x" => Ok(None),
            Json::Number(n) => n.as_u64().map(|a| Some(a as usize)).ok_or((
                crate::error::ProblemKind::Invalid,
                format!("bad new_order entry {e}"),
            )),
            _ => invalid(format!("bad new_order entry {e}")),
        })
        .collect()
}

/// The target shape with a `-1` entry replaced by the extent that keeps the element count.
fn infer_minus_one(input: &[Dim], target: &[Dim]) -> Res<Vec<Dim>> {
    let minus = Dim::constant(-1);
    let holes: Vec<usize> = (0..target.len()).filter(|&i| target[i] == minus).collect();
    match holes.as_slice() {
        [] => Ok(target.to_vec()),
        [h] => {
            let mut factors: Vec<Dim> = input.to_vec();
            let mut c_total: i64 = 1;
            let mut c_other: i64 = 1;
            factors.retain(|d| match d.as_const() {
                Some(c) => {
                    c_total = c_total.saturating_mul(c);
                    false
                }
                None => true,
            });
            for (i, d) in target.iter().enumerate() {
                if i == *h {
                    continue;
                }
                if let Some(c) = d.as_const() {
                    c_other = c_other.saturating_mul(c);
                } else if let Some(p) = factors.iter().position(|f| f == d) {
                    factors.remove(p);
                } else {
                    return unsupported(format!(
                        "Reshape: cannot infer -1 (no factor {d} in the input's dims)"
                    ));
                }
            }
            if c_other == 0 || c_total % c_other != 0 {
                return unsupported("Reshape: cannot infer -1 (constant extents do not divide)");
            }
            let mut d = Dim::constant(c_total / c_other);
            for f in factors {
                d = d
                    .mul(&f)
                    .map_err(|e| (crate::error::ProblemKind::Dims, e.to_string()))?;
            }
            let mut out = target.to_vec();
            out[*h] = d;
            Ok(out)
        }
        _ => invalid("Reshape with more than one -1"),
    }
}
