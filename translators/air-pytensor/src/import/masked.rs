//! `IncSubtensor` whose region is only known at run time (negative bounds on a symbolic axis,
//! bounds computed from data): the region becomes a mask built from `iota`, the value is
//! gathered into place with `take`, and `select` writes it.
//!
//! Bounds follow Python for step-1 slices (`None` is the end, negative counts from the end, then
//! clamped to `[0, d]`); an index `i` is the slice `i:i+1` (negative counts from the end).

use air_ir::{BinaryOp, DType, Dim, Op, Value};

use super::{air, invalid, unsupported, Imp, Known, Res};
use crate::error::ProblemKind;
use crate::json::Node;

/// One axis of the region: `None` entries take the default.
pub(super) enum Entry {
    /// An index variable.
    At(usize),
    /// A step-1 slice's start and stop variables.
    Slice(Option<usize>, Option<usize>),
}

impl Imp<'_, '_> {
    fn i64_const(&mut self, c: i64) -> Res<Value> {
        self.constant(air_ir::Literal::i64(c))
    }

    fn bin64(&mut self, b: BinaryOp, x: Value, y: Value) -> Res<Value> {
        air(self.rb.op(Op::Binary(b), &[x, y]))
    }

    /// A bound variable as an i64 scalar, Python-normalised against the extent `d`.
    fn norm_bound(&mut self, v: usize, d: Value, clamp: bool) -> Res<Value> {
        let b = self.air(v)?;
        let b = self.cast(b, DType::I64)?;
        let zero = self.i64_const(0)?;
        let neg = self.bin64(BinaryOp::Lt, b, zero)?;
        let wrapped = self.bin64(BinaryOp::Add, b, d)?;
        let b = air(self.rb.op(Op::Select, &[neg, wrapped, b]))?;
        if !clamp {
            return Ok(b);
        }
        let b = self.bin64(BinaryOp::Max, b, zero)?;
        self.bin64(BinaryOp::Min, b, d)
    }

    /// `x` with the region set to (or incremented by) `y`.
    pub(super) fn set_masked(
        &mut self,
        x: Value,
        y: Value,
        entries: &[Entry],
        set: bool,
    ) -> Res<Value> {
        let t = self.ty(x)?;
        let mut y = y;
        let indexed: Vec<u32> = entries
            .iter()
            .enumerate()
            .filter(|(_, e)| matches!(e, Entry::At(_)))
            .map(|(a, _)| a as u32)
            .collect();
        let yt = self.ty(y)?;
        let sub_rank = t.rank() - indexed.len();
        if yt.rank() > sub_rank {
            return invalid("an IncSubtensor value of higher rank than its region");
        }
        if yt.rank() < sub_rank {
            let axes = (0..(sub_rank - yt.rank()) as u32).collect();
            y = air(self.rb.op(Op::ExpandDims { axes }, &[y]))?;
        }
        if !indexed.is_empty() {
            y = air(self.rb.op(Op::ExpandDims { axes: indexed }, &[y]))?;
        }
        let mut mask: Option<Value> = None;
        for (a, e) in entries.iter().enumerate() {
            let d = t.shape[a].clone();
            let dv = self.materialize(&Known::scalar(d.clone()), DType::I64)?;
            let (lo, hi) = match *e {
                Entry::At(v) => {
                    let lo = self.norm_bound(v, dv, false)?;
                    let one = self.i64_const(1)?;
                    (lo, self.bin64(BinaryOp::Add, lo, one)?)
                }
                Entry::Slice(start, stop) => {
                    let lo = match start {
                        Some(v) => self.norm_bound(v, dv, true)?,
                        None => self.i64_const(0)?,
                    };
                    let hi = match stop {
                        Some(v) => self.norm_bound(v, dv, true)?,
                        None => dv,
                    };
                    (lo, hi)
                }
            };
            let line = [d.clone()];
            let iota = air(self.rb.op(
                Op::Iota {
                    dtype: DType::I64,
                    shape: line.to_vec(),
                    axis: 0,
                },
                &[],
            ))?;
            let (lob, hib) = (self.splat_to(lo, &line)?, self.splat_to(hi, &line)?);
            let ge = self.bin64(BinaryOp::Ge, iota, lob)?;
            let lt = self.bin64(BinaryOp::Lt, iota, hib)?;
            let inside = self.bin64(BinaryOp::And, ge, lt)?;
            let m = air(self.rb.op(
                Op::Broadcast {
                    shape: t.shape.clone(),
                    dims: vec![a as u32],
                },
                &[inside],
            ))?;
            mask = Some(match mask {
                None => m,
                Some(acc) => self.bin64(BinaryOp::And, acc, m)?,
            });
            y = self.place(y, a, lo, &iota, &line)?;
        }
        let y = air(self.rb.broadcast_to(y, &t.shape))?;
        let y = self.cast(y, t.dtype)?;
        let value = if set {
            y
        } else {
            let add = if t.dtype.is_bool() {
                BinaryOp::Or
            } else {
                BinaryOp::Add
            };
            air(self.rb.op(Op::Binary(add), &[x, y]))?
        };
        match mask {
            Some(m) => air(self.rb.op(Op::Select, &[m, value, x])),
            None => Ok(value),
        }
    }

    fn splat_to(&mut self, v: Value, shape: &[Dim]) -> Res<Value> {
        air(self.rb.broadcast_to(v, shape))
    }

    /// `y` gathered along `axis` so that its row `r - lo` sits at row `r` (rows outside the
    /// region get any row; the mask discards them). A broadcast axis (extent 1) stays.
    fn place(
        &mut self,
        y: Value,
        axis: usize,
        lo: Value,
        iota: &Value,
        line: &[Dim],
    ) -> Res<Value> {
        let yt = self.ty(y)?;
        let e = yt.shape[axis].clone();
        if e.as_const() == Some(1) {
            return Ok(y);
        }
        let last = self.materialize(&Known::scalar(e), DType::I64)?;
        let one = self.i64_const(1)?;
        let last = self.bin64(BinaryOp::Sub, last, one)?;
        let zero = self.i64_const(0)?;
        let last = self.bin64(BinaryOp::Max, last, zero)?;
        let lob = self.splat_to(lo, line)?;
        let rel = self.bin64(BinaryOp::Sub, *iota, lob)?;
        let (z, l) = (self.splat_to(zero, line)?, self.splat_to(last, line)?);
        let idx = air(self.rb.op(Op::Clip, &[rel, z, l]))?;
        air(self.rb.op(Op::Take { axis: axis as u32 }, &[y, idx]))
    }
}

/// The masked-path entries of an `idx_list` (step-1 slices and indices only).
pub(super) fn entries(
    idx: &[super::index::Idx],
    first: usize,
    node: &Node,
    rank: usize,
) -> Res<Vec<Entry>> {
    let input = |p: usize| {
        let at = first.checked_add(p);
        at.and_then(|i| node.inputs.get(i)).copied().ok_or((
            ProblemKind::Invalid,
            format!("idx_list names input {p}, which is missing"),
        ))
    };
    let mut out = vec![];
    for a in 0..rank {
        out.push(match idx.get(a) {
            None => Entry::Slice(None, None),
            Some(super::index::Idx::At(p)) => Entry::At(input(*p)?),
            Some(super::index::Idx::Slice([s, e, None])) => {
                Entry::Slice(s.map(input).transpose()?, e.map(input).transpose()?)
            }
            Some(super::index::Idx::Slice(_)) => {
                return unsupported(
                    "IncSubtensor of a strided slice whose region is known only at run time",
                )
            }
        });
    }
    Ok(out)
}
