//! Indexing: `Subtensor` → `slice` + `take` (rank-0 index), `IncSubtensor` → `insert` (scalar
//! indices) or slices and `concat` (step-1 slices with bounds known at import time),
//! `AdvancedSubtensor1`/`AdvancedSubtensor` → `take` or `filter`.
//!
//! `idx_list` entries are positions into the node's extra scalar inputs: an integer entry is an
//! index, `{"slice": [start, stop, step]}` a slice whose non-null parts are positions.

use air_ir::op::{Bound, SliceAxis};
use air_ir::{BinaryOp, DType, Dim, Op, Value};
use serde_json::Value as Json;

use super::{air, invalid, unsupported, Imp, Known, Res, Val};
use crate::error::ProblemKind;
use crate::json::Node;

/// One `idx_list` entry: the positions of its inputs among the extra inputs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Idx {
    /// An index (scalar, or an array for the advanced ops).
    At(usize),
    /// A slice `start:stop:step`.
    Slice([Option<usize>; 3]),
}

// serde_json::Value is a foreign enum: any JSON kind not handled above is malformed input
#[allow(clippy::wildcard_enum_match_arm)]
pub(super) fn idx_list(j: Option<&Json>) -> Res<Vec<Idx>> {
    let Some(Json::Array(a)) = j else {
        return invalid("no idx_list");
    };
    let pos = |e: &Json| -> Res<Option<usize>> {
        match e {
            Json::Null => Ok(None),
            Json::Number(n) => n
                .as_u64()
                .map(|p| Some(p as usize))
                .ok_or((ProblemKind::Invalid, format!("bad idx_list entry {e}"))),
            _ => invalid(format!("bad idx_list entry {e}")),
        }
    };
    a.iter()
        .map(|e| match e {
            Json::Object(o) => match o.get("slice") {
                Some(Json::Array(s)) if s.len() == 3 => {
                    Ok(Idx::Slice([pos(&s[0])?, pos(&s[1])?, pos(&s[2])?]))
                }
                _ => invalid(format!("bad idx_list entry {e}")),
            },
            other => pos(other)?
                .map(Idx::At)
                .ok_or((ProblemKind::Invalid, "a null index".to_string())),
        })
        .collect()
}

/// A bound of an axis, as far as it is known when importing.
enum B {
    None,
    Known(Dim),
    Runtime(usize),
}

impl Imp<'_, '_> {
    fn extra(&self, node: &Node, first: usize, p: usize) -> Res<usize> {
        let at = first.checked_add(p);
        at.and_then(|i| node.inputs.get(i)).copied().ok_or((
            ProblemKind::Invalid,
            format!("idx_list names input {p}, which is missing"),
        ))
    }

    fn bound(&mut self, node: &Node, first: usize, p: Option<usize>) -> Res<B> {
        let Some(p) = p else { return Ok(B::None) };
        let v = self.extra(node, first, p)?;
        Ok(match self.known(v)?.and_then(|k| k.one().cloned()) {
            Some(d) => B::Known(self.resolve(&d)?),
            None => B::Runtime(v),
        })
    }

    /// `Subtensor`: basic indexing.
    pub(super) fn subtensor(&mut self, node: &Node) -> Res<Vec<Val>> {
        let Some(&x) = node.inputs.first() else {
            return invalid("no input");
        };
        let idx = idx_list(node.op.prop("idx_list"))?;
        if let Some(k) = self.known(x)? {
            if let Some(k) = self.known_subtensor(node, &k, &idx)? {
                return Ok(vec![Val {
                    air: None,
                    known: Some(k),
                }]);
            }
        }
        let v = self.air(x)?;
        let t = self.ty(v)?;
        if idx.len() > t.rank() {
            return invalid("more indices than axes");
        }
        let mut axes = vec![SliceAxis::full(); t.rank()];
        let mut operands = vec![v];
        let mut indices = vec![];
        for (a, e) in idx.iter().enumerate() {
            match *e {
                Idx::At(p) => indices.push((a, self.extra(node, 1, p)?)),
                Idx::Slice(s) => axes[a] = self.slice_axis(node, &s, &t.shape[a], &mut operands)?,
            }
        }
        let mut out = v;
        for (a, s) in axes.iter_mut().enumerate() {
            let whole_reversed =
                s.start == Bound::Default && s.stop == Bound::Default && s.step == -1;
            if whole_reversed && !t.shape[a].is_const() {
                // `x[::-1]` keeps its extent: gather rows n-1, ..., 0 (a slice would give a
                // fresh extent).
                out = self.reverse(out, a, &t.shape[a])?;
                *s = SliceAxis::full();
            }
        }
        if axes.iter().any(|s| *s != SliceAxis::full()) {
            operands[0] = out;
            out = air(self.rb.op(Op::Slice { axes }, &operands))?;
        }
        for &(a, i) in indices.iter().rev() {
            let iv = self.air(i)?;
            out = air(self.rb.op(Op::Take { axis: a as u32 }, &[out, iv]))?;
        }
        Ok(vec![Val::of(out)])
    }

    /// `x` reversed along `axis` of extent `d`: `take` at `(d - 1) - iota`.
    fn reverse(&mut self, x: Value, axis: usize, d: &Dim) -> Res<Value> {
        let n = self.materialize(&Known::scalar(d.clone()), DType::I64)?;
        let one = self.constant(air_ir::Literal::i64(1))?;
        let last = air(self.rb.op(Op::Binary(BinaryOp::Sub), &[n, one]))?;
        let shape = [d.clone()];
        let lastb = air(self.rb.broadcast_to(last, &shape))?;
        let iota = air(self.rb.op(
            Op::Iota {
                dtype: DType::I64,
                shape: shape.to_vec(),
                axis: 0,
            },
            &[],
        ))?;
        let idx = air(self.rb.op(Op::Binary(BinaryOp::Sub), &[lastb, iota]))?;
        air(self.rb.op(Op::Take { axis: axis as u32 }, &[x, idx]))
    }

    /// One axis's slice; run-time bounds become operands of the `slice` node.
    fn slice_axis(
        &mut self,
        node: &Node,
        s: &[Option<usize>; 3],
        extent: &Dim,
        operands: &mut Vec<Value>,
    ) -> Res<SliceAxis> {
        let step = match self.bound(node, 1, s[2])? {
            B::None => 1,
            B::Known(d) => match d.as_const() {
                Some(0) => return invalid("slice step 0"),
                Some(c) => c,
                None => return unsupported("a slice step computed at run time"),
            },
            B::Runtime(_) => return unsupported("a slice step computed at run time"),
        };
        let mut bound = |imp: &mut Self, p: Option<usize>, is_stop: bool| -> Res<Bound> {
            Ok(match imp.bound(node, 1, p)? {
                B::None => Bound::Default,
                B::Known(d) => match d.as_const() {
                    Some(c) => Bound::Const(c),
                    None if is_stop && step > 0 && d == *extent => Bound::Default,
                    None => {
                        let kv = imp.materialize(&Known::scalar(d), DType::I64)?;
                        operands.push(kv);
                        Bound::Operand(operands.len() as u32 - 1)
                    }
                },
                B::Runtime(v) => {
                    operands.push(imp.air(v)?);
                    Bound::Operand(operands.len() as u32 - 1)
                }
            })
        };
        let start = match bound(self, s[0], false)? {
            Bound::Const(0) if step > 0 => Bound::Default,
            b @ (Bound::Default | Bound::Const(_) | Bound::Operand(_)) => b,
        };
        let stop = bound(self, s[1], true)?;
        Ok(SliceAxis { start, stop, step })
    }

    /// A `Subtensor` of a known vector (a shape) with constant indices stays known.
    fn known_subtensor(&mut self, node: &Node, k: &Known, idx: &[Idx]) -> Res<Option<Known>> {
        if k.scalar || idx.len() != 1 {
            return Ok(None);
        }
        let n = k.dims.len() as i64;
        let konst = |imp: &mut Self, p: Option<usize>| -> Res<Option<Option<i64>>> {
            Ok(match imp.bound(node, 1, p)? {
                B::None => Some(None),
                B::Known(d) => d.as_const().map(Some),
                B::Runtime(_) => None,
            })
        };
        match idx[0] {
            Idx::At(p) => {
                let Some(Some(i)) = konst(self, Some(p))? else {
                    return Ok(None);
                };
                let i = if i < 0 { i + n } else { i };
                if !(0..n).contains(&i) {
                    return invalid(format!("index {i} out of range for a shape of {n} dims"));
                }
                Ok(Some(Known::scalar(k.dims[i as usize].clone())))
            }
            Idx::Slice(s) => {
                let (Some(a), Some(b), Some(c)) =
                    (konst(self, s[0])?, konst(self, s[1])?, konst(self, s[2])?)
                else {
                    return Ok(None);
                };
                let picked = python_slice(n, a, b, c.unwrap_or(1));
                let Some(picked) = picked else {
                    return invalid("slice step 0");
                };
                let dims = picked.into_iter().map(|i| k.dims[i].clone()).collect();
                Ok(Some(Known {
                    dims,
                    scalar: false,
                }))
            }
        }
    }

    /// `IncSubtensor`: sets or increments a basic-indexed region.
    pub(super) fn inc_subtensor(&mut self, node: &Node) -> Res<Vec<Val>> {
        let [x, y, ..] = node.inputs.as_slice() else {
            return invalid("IncSubtensor needs x and y");
        };
        let set = matches!(node.op.prop("set_instead_of_inc"), Some(Json::Bool(true)));
        let idx = idx_list(node.op.prop("idx_list"))?;
        let xv = self.air(*x)?;
        let t = self.ty(xv)?;
        if idx.len() > t.rank() {
            return invalid("more indices than axes");
        }
        let yv = self.air(*y)?;
        let yv = self.cast(yv, t.dtype)?;
        if idx.len() == t.rank() && idx.iter().all(|e| matches!(e, Idx::At(_))) {
            return self.inc_element(node, xv, yv, &idx, set);
        }
        let mut regions = vec![];
        for (a, d) in t.shape.iter().enumerate() {
            let e = idx.get(a).copied().unwrap_or(Idx::Slice([None; 3]));
            match self.region_axis(node, e, d) {
                Ok(r) => regions.push(r),
                Err((ProblemKind::Unsupported, _)) => {
                    // The region is known only at run time: a mask and a gather.
                    let entries = super::masked::entries(&idx, 2, node, t.rank())?;
                    return Ok(vec![Val::of(self.set_masked(xv, yv, &entries, set)?)]);
                }
                Err(e) => return Err(e),
            }
        }
        self.set_regions(xv, yv, &regions, set)
    }

    fn inc_element(
        &mut self,
        node: &Node,
        x: Value,
        y: Value,
        idx: &[Idx],
        set: bool,
    ) -> Res<Vec<Val>> {
        let yt = self.ty(y)?;
        if yt.shape.iter().any(|d| d.as_const() != Some(1)) {
            return unsupported("IncSubtensor of one element with a non-scalar value");
        }
        let y = if yt.rank() > 0 {
            air(self.rb.op(Op::Reshape { shape: vec![] }, &[y]))?
        } else {
            y
        };
        let mut ops = vec![];
        for e in idx {
            let Idx::At(p) = *e else {
                return invalid("not an index");
            };
            let v = self.extra(node, 2, p)?;
            let iv = self.air(v)?;
            ops.push(self.cast(iv, DType::I64)?);
        }
        let value = if set {
            y
        } else {
            let mut operands = vec![x];
            operands.extend(&ops);
            let old = air(self.rb.op(Op::Extract, &operands))?;
            let add = add_for(self.ty(x)?.dtype);
            air(self.rb.op(Op::Binary(add), &[old, y]))?
        };
        let mut operands = vec![x, value];
        operands.extend(ops);
        Ok(vec![Val::of(air(self.rb.op(Op::Insert, &operands))?)])
    }

    /// The region `[lo, hi)` an idx entry selects on an axis of extent `d`, and whether the
    /// axis is indexed (dropped in `x[idx]`).
    fn region_axis(&mut self, node: &Node, e: Idx, d: &Dim) -> Res<(Dim, Dim, bool)> {
        let norm = |c: i64| -> Res<Dim> {
            match (c, d.as_const()) {
                (c, Some(n)) => Ok(Dim::constant(if c < 0 { (c + n).max(0) } else { c.min(n) })),
                (c, None) if c >= 0 => Ok(Dim::constant(c)),
                _ => unsupported("IncSubtensor with a negative bound on a symbolic axis"),
            }
        };
        match e {
            Idx::At(p) => {
                let B::Known(i) = self.bound(node, 2, Some(p))? else {
                    return unsupported("IncSubtensor with a run-time index next to slices");
                };
                let Some(c) = i.as_const() else {
                    return unsupported("IncSubtensor with a symbolic index next to slices");
                };
                if let Some(n) = d.as_const() {
                    if c >= n || c < -n {
                        return invalid(format!("index {c} out of range for extent {n}"));
                    }
                }
                let lo = norm(c)?;
                let hi = lo
                    .add(&Dim::constant(1))
                    .map_err(|e| (ProblemKind::Dims, e.to_string()))?;
                Ok((lo, hi, true))
            }
            Idx::Slice(s) => {
                if let B::Known(st) = self.bound(node, 2, s[2])? {
                    if st.as_const() != Some(1) {
                        return unsupported("IncSubtensor with a slice step other than 1");
                    }
                } else if s[2].is_some() {
                    return unsupported("IncSubtensor with a run-time slice step");
                }
                let end = |imp: &mut Self, p: Option<usize>, default: Dim| -> Res<Dim> {
                    match imp.bound(node, 2, p)? {
                        B::None => Ok(default),
                        B::Known(k) => match k.as_const() {
                            Some(c) => norm(c),
                            None if k == *d => Ok(k),
                            None => unsupported("IncSubtensor with a symbolic slice bound"),
                        },
                        B::Runtime(_) => unsupported("IncSubtensor with a run-time slice bound"),
                    }
                };
                let lo = end(self, s[0], Dim::constant(0))?;
                let hi = end(self, s[1], d.clone())?;
                Ok((lo, hi, false))
            }
        }
    }

    /// `x` with the region set to (or incremented by) `y`, by slicing `x` around the region on
    /// each axis and concatenating the pieces.
    fn set_regions(
        &mut self,
        x: Value,
        y: Value,
        regions: &[(Dim, Dim, bool)],
        set: bool,
    ) -> Res<Vec<Val>> {
        let t = self.ty(x)?;
        let mut sub_shape = vec![];
        let mut full_shape = vec![];
        let mut axes = vec![];
        for ((lo, hi, indexed), d) in regions.iter().zip(&t.shape) {
            let (lo, hi) = (&self.resolve(lo)?, &self.resolve(hi)?);
            let ext = hi.sub(lo).map_err(|e| (ProblemKind::Dims, e.to_string()))?;
            if !indexed {
                sub_shape.push(ext.clone());
            }
            full_shape.push(ext);
            axes.push(region_slice(lo, hi, d));
        }
        let yt = self.ty(y)?;
        if let Some(first) = sub_shape.len().checked_sub(yt.rank()) {
            for (d, want) in yt.shape.iter().zip(&sub_shape[first..]) {
                if d.as_const() != Some(1) {
                    self.unify(d, want)?;
                }
            }
        }
        let yb = air(self.rb.broadcast_to(y, &sub_shape))?;
        let new: Vec<u32> = (0..regions.len())
            .filter(|&a| regions[a].2)
            .map(|a| a as u32)
            .collect();
        let mut yb = if new.is_empty() {
            yb
        } else {
            air(self.rb.op(Op::ExpandDims { axes: new }, &[yb]))?
        };
        if !set {
            let old = air(self.rb.op(Op::Slice { axes }, &[x]))?;
            yb = air(self.rb.op(Op::Binary(add_for(t.dtype)), &[old, yb]))?;
        }
        let _ = full_shape;
        let v = self.splice(x, yb, regions, 0)?;
        Ok(vec![Val::of(v)])
    }

    fn splice(
        &mut self,
        x: Value,
        y: Value,
        regions: &[(Dim, Dim, bool)],
        axis: usize,
    ) -> Res<Value> {
        let Some((lo, hi, _)) = regions.get(axis) else {
            return Ok(y);
        };
        // Dims unified since the region was read must compare equal to the axis's.
        let (lo, hi) = (&self.resolve(lo)?, &self.resolve(hi)?);
        let t = self.ty(x)?;
        let d = &t.shape[axis];
        if lo.as_const() == Some(0) && hi == d {
            return self.splice(x, y, regions, axis + 1);
        }
        let piece = |imp: &mut Self, a: Bound, b: Bound| -> Res<Value> {
            let mut axes = vec![SliceAxis::full(); t.rank()];
            axes[axis] = SliceAxis {
                start: a,
                stop: b,
                step: 1,
            };
            air(imp.rb.op(Op::Slice { axes }, &[x]))
        };
        let bound = |d: &Dim| d.as_const().map_or(Bound::Default, Bound::Const);
        let mid = piece(
            self,
            bound(lo),
            if hi == d { Bound::Default } else { bound(hi) },
        )?;
        let mid = self.splice(mid, y, regions, axis + 1)?;
        let mut parts = vec![];
        if lo.as_const() != Some(0) {
            parts.push(piece(self, Bound::Default, bound(lo))?);
        }
        parts.push(mid);
        if hi != d {
            parts.push(piece(self, bound(hi), Bound::Default)?);
        }
        if parts.len() == 1 {
            return Ok(parts[0]);
        }
        air(self.rb.op(Op::Concat { axis: axis as u32 }, &parts))
    }

    /// `AdvancedSubtensor1(x, idx)` and `AdvancedSubtensor` with one index array (the other
    /// entries whole-axis slices): `take`, or `filter` for a boolean mask on a vector.
    pub(super) fn advanced_subtensor(&mut self, node: &Node) -> Res<Vec<Val>> {
        let [x, rest @ ..] = node.inputs.as_slice() else {
            return invalid("no input");
        };
        let (axis, i) = if node.op.class == "AdvancedSubtensor1" {
            match rest {
                [i] => (0, *i),
                _ => return invalid("AdvancedSubtensor1 takes x and one index"),
            }
        } else {
            if let Some(arrays) = self.leading_arrays(node, 1)? {
                if arrays.len() >= 2 {
                    return self.gather_arrays(*x, &arrays);
                }
            }
            let idx = idx_list(node.op.prop("idx_list"))?;
            let arrays: Vec<(usize, usize)> = idx
                .iter()
                .enumerate()
                .filter_map(|(a, e)| match e {
                    Idx::At(p) => Some((a, *p)),
                    Idx::Slice(_) => None,
                })
                .collect();
            let whole = idx
                .iter()
                .all(|e| matches!(e, Idx::At(_) | Idx::Slice([None, None, None])));
            match (arrays.as_slice(), whole) {
                ([(a, p)], true) => (*a, self.extra(node, 1, *p)?),
                _ => return unsupported(
                    "AdvancedSubtensor with other than one index array next to whole-axis slices",
                ),
            }
        };
        let xv = self.air(*x)?;
        let iv = self.air(i)?;
        let (xt, it) = (self.ty(xv)?, self.ty(iv)?);
        if it.dtype.is_bool() {
            if xt.rank() != 1 || it.rank() != 1 || axis != 0 {
                return unsupported("a boolean mask other than a vector's");
            }
            self.unify(&xt.shape[0], &it.shape[0])?;
            return Ok(vec![Val::of(air(self.rb.op(Op::Filter, &[xv, iv]))?)]);
        }
        Ok(vec![Val::of(air(self
            .rb
            .op(Op::Take { axis: axis as u32 }, &[xv, iv]))?)])
    }
}

fn region_slice(lo: &Dim, hi: &Dim, d: &Dim) -> SliceAxis {
    let b = |x: &Dim| x.as_const().map_or(Bound::Default, Bound::Const);
    SliceAxis {
        start: b(lo),
        stop: if hi == d { Bound::Default } else { b(hi) },
        step: 1,
    }
}

/// `add`, or `or` for booleans (NumPy's `+` on bool).
fn add_for(d: DType) -> BinaryOp {
    if d.is_bool() {
        BinaryOp::Or
    } else {
        BinaryOp::Add
    }
}

/// The indices Python's `range(n)[a:b:c]` picks.
fn python_slice(n: i64, a: Option<i64>, b: Option<i64>, c: i64) -> Option<Vec<usize>> {
    if c == 0 {
        return None;
    }
    let clamp = |v: i64, lo: i64, hi: i64| v.max(lo).min(hi);
    let norm = |v: i64| if v < 0 { v + n } else { v };
    let (start, stop) = if c > 0 {
        (
            a.map_or(0, |v| clamp(norm(v), 0, n)),
            b.map_or(n, |v| clamp(norm(v), 0, n)),
        )
    } else {
        (
            a.map_or(n - 1, |v| clamp(norm(v), -1, n - 1)),
            b.map_or(-1, |v| clamp(norm(v), -1, n - 1)),
        )
    };
    let mut out = vec![];
    let mut i = start;
    while (c > 0 && i < stop) || (c < 0 && i > stop) {
        out.push(i as usize);
        i += c;
    }
    Some(out)
}
