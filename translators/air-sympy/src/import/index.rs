//! Indices: labels from `Idx` and Sum/Product limits, element access (`Indexed`), index values,
//! and the index rule — a label that is neither on the left side nor bound is summed where
//! SymPy's contraction structure contracts it (at the `Indexed` or the product that repeats
//! it, by an `einsum`), or else over its term of the right side, by a reduction.

use air_ir::op::{Bound, ReduceKind, SliceAxis};
use air_ir::{DType, Dim, Op, Value};

use super::analyze::{head, symbol_name};
use super::lower::{Lowerer, R};
use super::term::{union, Label, LabelId, Num, Term, Weak};
use crate::error::ProblemKind;
use crate::syntax::NodeId;
use crate::vocab::Head;

/// What one index position of an `Indexed` is.
enum IndexPos {
    /// A label times a positive constant stride plus a constant offset (`i`, `i + 1`,
    /// `2*i + 1`): `(label, offset, stride)`.
    Label(LabelId, i64, i64),
    /// One element, at a constant or a dimension expression (`0`, `n - 1`).
    At(Dim),
}

/// How one axis is read.
enum Access {
    /// A static slice (the whole axis when it is `::1`).
    Slice(SliceAxis),
    /// The elements `start + iota(extent)`, gathered with `take`.
    Gather(Dim),
}

/// The dtype NumPy sums and multiplies a dtype in (`np.sum` widens small integers).
pub(crate) fn sum_dtype(d: DType) -> DType {
    match d {
        DType::Bool | DType::I8 | DType::I16 | DType::I32 => DType::I64,
        DType::U8 | DType::U16 | DType::U32 => DType::U64,
        DType::I64
        | DType::U64
        | DType::F16
        | DType::BF16
        | DType::F32
        | DType::F64
        | DType::C64
        | DType::C128 => d,
    }
}

impl Lowerer<'_> {
    /// The label of an `Idx`: the enclosing Sum/Product's when it binds that name, else the
    /// equation's free label of that name (made from the range on first use).
    pub(crate) fn idx_label(&mut self, idx: NodeId) -> R<LabelId> {
        let name = symbol_name(self.dag, idx).unwrap_or_default();
        if let Some(l) = self.bound_label(&name) {
            return Ok(l);
        }
        let range = self.dag.node(idx).args.get(1).copied();
        let (lo, extent) = match range {
            None => (Dim::constant(0), None),
            Some(r) if head(self.dag, r) == Some(Head::Tuple) => {
                let b = self.dag.node(r).args.clone();
                let lo = self.dim(b[0])?;
                let hi = self.dim(b[1])?;
                let ext = hi
                    .sub(&lo)
                    .and_then(|d| d.add(&Dim::constant(1)))
                    .map_err(|_| self.fail(ProblemKind::Invalid, "range overflows".into(), r))?;
                (lo, Some(ext))
            }
            Some(r) => (Dim::constant(0), Some(self.dim(r)?)),
        };
        if let Some(&l) = self.free.get(&name) {
            if let Some(ext) = extent {
                let old = self.labels[l].clone();
                if old.lo != lo {
                    return Err(self.fail(
                        ProblemKind::Dims,
                        format!("the index `{name}` starts at {} and at {lo}", old.lo),
                        idx,
                    ));
                }
                self.unify(
                    &old.extent,
                    &ext,
                    &format!("the ranges of index `{name}`"),
                    idx,
                )?;
            }
            return Ok(l);
        }
        let extent = match extent {
            Some(e) if super::dims::is_negative(&e) => {
                return Err(self.fail(
                    ProblemKind::Dims,
                    format!("the range of index `{name}` has the negative extent {e}"),
                    idx,
                ))
            }
            Some(e) => e,
            None => Dim::symbol(self.placeholder(&format!("{name}_len"))),
        };
        self.labels.push(Label {
            name: name.clone(),
            lo,
            extent,
        });
        let l = self.labels.len() - 1;
        self.free.insert(name, l);
        Ok(l)
    }

    /// A symbol for an extent nobody gave yet (`i_len`), unused by the equations.
    pub(crate) fn placeholder(&self, base: &str) -> String {
        let mut name = base.to_string();
        while self.an.dims.contains(&name)
            || self.an.kinds.contains_key(&name)
            || self.an.indices.contains(&name)
        {
            name.push('_');
        }
        name
    }

    fn index_pos(&mut self, e: NodeId) -> R<IndexPos> {
        let unsupported = |this: &Self| {
            this.fail(
                ProblemKind::Unsupported,
                "an index must be an Idx, a bound symbol, `k*index + constant` (k a positive \
                 constant), or a constant or dimension expression"
                    .into(),
                e,
            )
        };
        let is_index = |this: &Self, a: NodeId| match head(this.dag, a) {
            Some(Head::Idx) => true,
            Some(Head::Symbol | Head::Dummy) => {
                let name = symbol_name(this.dag, a).unwrap_or_default();
                this.bound_label(&name).is_some() || !this.an.dims.contains(&name)
            }
            _ => false,
        };
        match head(self.dag, e) {
            Some(Head::Idx) => Ok(IndexPos::Label(self.idx_label(e)?, 0, 1)),
            Some(Head::Symbol | Head::Dummy) if is_index(self, e) => {
                let name = symbol_name(self.dag, e).unwrap_or_default();
                match self.bound_label(&name) {
                    Some(l) => Ok(IndexPos::Label(l, 0, 1)),
                    None => Err(self.fail(
                        ProblemKind::Invalid,
                        format!("the index `{name}` is neither an Idx nor bound by a Sum/Product"),
                        e,
                    )),
                }
            }
            Some(Head::Add)
                if self.dag.node(e).args.iter().any(|&a| {
                    is_index(self, a)
                        || (head(self.dag, a) == Some(Head::Mul)
                            && self.dag.node(a).args.iter().any(|&b| is_index(self, b)))
                }) =>
            {
                let (mut label, mut offset) = (None, 0i64);
                for a in self.dag.node(e).args.clone() {
                    let c = match self.index_pos(a)? {
                        IndexPos::Label(l, c, k) if label.is_none() => {
                            label = Some((l, k));
                            c
                        }
                        IndexPos::At(d) => d.as_const().ok_or_else(|| unsupported(self))?,
                        IndexPos::Label(..) => return Err(unsupported(self)),
                    };
                    offset = offset.checked_add(c).ok_or_else(|| unsupported(self))?;
                }
                label
                    .map(|(l, k)| IndexPos::Label(l, offset, k))
                    .ok_or_else(|| unsupported(self))
            }
            // Op set 2 strided reads: `k*i` (and `k*(i + c)`) with `k` a positive constant, as
            // SymPy writes `A[2*i]` for `A[::2]`.
            Some(Head::Mul) if self.dag.node(e).args.iter().any(|&a| is_index(self, a)) => {
                let (mut label, mut factor) = (None, 1i64);
                for a in self.dag.node(e).args.clone() {
                    match self.index_pos(a)? {
                        IndexPos::Label(l, c, k) if label.is_none() => label = Some((l, c, k)),
                        IndexPos::At(d) => {
                            let c = d.as_const().ok_or_else(|| unsupported(self))?;
                            factor = factor.checked_mul(c).ok_or_else(|| unsupported(self))?;
                        }
                        IndexPos::Label(..) => return Err(unsupported(self)),
                    }
                }
                match label {
                    Some((l, c, k)) if factor >= 1 => {
                        let c = c.checked_mul(factor).ok_or_else(|| unsupported(self))?;
                        let k = k.checked_mul(factor).ok_or_else(|| unsupported(self))?;
                        Ok(IndexPos::Label(l, c, k))
                    }
                    _ => Err(unsupported(self)),
                }
            }
            Some(
                Head::Symbol | Head::Dummy | Head::Integer | Head::Add | Head::Mul | Head::Pow,
            ) => self.dim(e).map(IndexPos::At).map_err(|_| unsupported(self)),
            _ => Err(unsupported(self)),
        }
    }

    /// `Indexed(IndexedBase(x, shape), indices...)`.
    pub(crate) fn indexed(&mut self, e: NodeId) -> R<Term> {
        let n = self.dag.node(e).clone();
        let base = n.args[0];
        let name = symbol_name(self.dag, self.dag.node(base).args[0]).unwrap_or_default();
        let Some(&v) = self.vars.get(&name) else {
            return Err(self.fail(
                ProblemKind::Invalid,
                format!("`{name}` is read before it is assigned"),
                e,
            ));
        };
        if let Some(&shape) = self.dag.node(base).args.get(1) {
            let ty = self.fb.value_type(v).map(|t| t.shape).unwrap_or_default();
            let dims = match head(self.dag, shape) {
                Some(Head::Tuple) => self.dag.node(shape).args.clone(),
                _ => vec![shape],
            };
            for (d, have) in dims.iter().zip(&ty) {
                let want = self.dim(*d)?;
                self.unify(have, &want, &format!("the shape of `{name}`"), *d)?;
            }
        }
        self.index_into(v, &name, &n.args[1..], e)
    }

    /// The elements of `v` at the given index positions: slices for offsets and constants, a
    /// diagonal for a repeated label.
    pub(crate) fn index_into(
        &mut self,
        v: Value,
        name: &str,
        idx: &[NodeId],
        e: NodeId,
    ) -> R<Term> {
        let shape = self.fb.value_type(v).map(|t| t.shape).unwrap_or_default();
        if shape.len() != idx.len() {
            return Err(self.fail(
                ProblemKind::Invalid,
                format!(
                    "`{name}` has rank {} but {} indices",
                    shape.len(),
                    idx.len()
                ),
                e,
            ));
        }
        let (mut axes, mut at, mut labels, mut gather) = (vec![], vec![], vec![], vec![]);
        let mut strided = vec![];
        for (k, (&i, d)) in idx.iter().zip(&shape).enumerate() {
            match self.index_pos(i)? {
                IndexPos::Label(l, c, stride) if stride != 1 => {
                    axes.push(SliceAxis::full());
                    strided.push((k as u32, l, c, stride, i));
                    labels.push(l);
                }
                IndexPos::Label(l, c, _) => {
                    match self.access(l, c, d, name, i)? {
                        Access::Slice(a) => axes.push(a),
                        Access::Gather(start) => {
                            axes.push(SliceAxis::full());
                            gather.push((k as u32, l, start, i));
                        }
                    }
                    labels.push(l);
                }
                IndexPos::At(p) => {
                    let d = self.resolve(d);
                    let out = match (p.as_const(), d.as_const()) {
                        (Some(c), _) if c < 0 => true,
                        (Some(c), Some(n)) => c >= n,
                        _ => false,
                    };
                    if out {
                        return Err(self.fail(
                            ProblemKind::Dims,
                            format!("the index {p} is out of the range of `{name}` (extent {d})"),
                            i,
                        ));
                    }
                    axes.push(SliceAxis::full());
                    at.push((k as u32, p, i));
                }
            }
        }
        let mut v = v;
        if axes.iter().any(|a| *a != SliceAxis::full()) {
            v = self.op(Op::Slice { axes }, &[v], e)?;
        }
        for (axis, l, start, i) in gather {
            let iota = self.index_value(l, i)?;
            let lo = self.labels[l].lo.clone();
            let shift = start
                .sub(&lo)
                .map_err(|_| self.fail(ProblemKind::Invalid, "overflow".into(), i))?;
            let shift = self.dim_value(&shift, i)?;
            let t = self.binary(air_ir::BinaryOp::Add, &iota, &shift, i)?;
            let index = self.materialize(&t, DType::I64, i)?;
            v = self.op(Op::Take { axis }, &[v, index], i)?;
        }
        // `stride*i + c` along a strided axis: a gather of those positions (an index out of the
        // axis is a run-time E0503, as for any `take`).
        for (axis, l, c, stride, i) in strided {
            let iota = self.index_value(l, i)?;
            let scaled = self.binary(
                air_ir::BinaryOp::Mul,
                &iota,
                &Term::num(Num::Int(stride)),
                i,
            )?;
            let t = self.binary(air_ir::BinaryOp::Add, &scaled, &Term::num(Num::Int(c)), i)?;
            let index = self.materialize(&t, DType::I64, i)?;
            v = self.op(Op::Take { axis }, &[v, index], i)?;
        }
        // One element along each `At` axis, last axis first so the others keep their numbers.
        for (axis, p, i) in at.into_iter().rev() {
            let t = self.dim_value(&p, i)?;
            let index = self.materialize(&t, DType::I64, i)?;
            v = self.op(Op::Take { axis }, &[v, index], i)?;
        }
        self.diagonal(v, labels, e)
    }

    /// How an axis of extent `d` is read by label `l` offset by `c`: the whole axis, a static
    /// slice, or (for a part of a symbolic axis, or a symbolic start) a gather of
    /// `start + iota(extent)`.
    fn access(&mut self, l: LabelId, c: i64, d: &Dim, name: &str, at: NodeId) -> R<Access> {
        let Label { lo, extent, .. } = self.labels[l].clone();
        let what = format!("index `{}` of `{name}`", self.labels[l].name);
        let overflow =
            |this: &Self| this.fail(ProblemKind::Invalid, format!("{what}: overflow"), at);
        let start = lo.add(&Dim::constant(c)).map_err(|_| overflow(self))?;
        let end = start.add(&extent).map_err(|_| overflow(self))?;
        let (rd, re) = (self.resolve(d), self.resolve(&end));
        let Some(s) = start.as_const() else {
            return Ok(Access::Gather(start));
        };
        if s < 0 {
            return Err(self.fail(
                ProblemKind::Dims,
                format!("{what}: reads from {s}, before the start of the axis"),
                at,
            ));
        }
        let from_start = |s: i64| match s {
            0 => SliceAxis::full(),
            s => slice(Bound::Const(s), Bound::Default),
        };
        match re.sub(&rd).ok().and_then(|x| x.as_const()) {
            Some(0) => return Ok(Access::Slice(from_start(s))),
            Some(over) if over > 0 => {
                return Err(self.fail(
                    ProblemKind::Dims,
                    format!("{what}: reads up to {re} of an axis of extent {rd}"),
                    at,
                ))
            }
            Some(_) if re.is_const() => {
                return Ok(Access::Slice(slice(
                    Bound::Const(s),
                    Bound::Const(re.as_const().unwrap_or(0)),
                )))
            }
            Some(_) => return Ok(Access::Gather(start)),
            None => {}
        }
        // A constant range over a symbolic axis reads a part of it: `x[0:3]` of an `x` of
        // extent `n` does not make `n` 3. Other extents are unified, as SymPy's codegen does.
        if let Some(stop) = re.as_const() {
            return Ok(Access::Slice(slice(Bound::Const(s), Bound::Const(stop))));
        }
        match self.fb.body().unify(d, &end) {
            Ok(_) => Ok(Access::Slice(from_start(s))),
            Err(_) => Err(self.fail(
                ProblemKind::Dims,
                format!(
                    "{what}: reads up to {re} of an axis of extent {rd}, which cannot be unified"
                ),
                at,
            )),
        }
    }

    /// `v` with repeated labels reduced to their diagonal (`A[i, i]`), and summed over those
    /// that are neither on the left side nor bound: SymPy contracts an index an `Indexed`
    /// repeats at the `Indexed` (`exp(A[i, i])` is `exp(trace(A))`).
    fn diagonal(&mut self, v: Value, labels: Vec<LabelId>, e: NodeId) -> R<Term> {
        let t = Term::arr(v, None, labels.clone());
        let unique = union(&[&t]);
        if unique.len() == labels.len() {
            return Ok(t);
        }
        let traced: Vec<LabelId> = unique
            .iter()
            .copied()
            .filter(|l| labels.iter().filter(|x| *x == l).count() > 1)
            .filter(|l| !self.keep.contains(l) && !self.is_bound(*l))
            .collect();
        let out: Vec<LabelId> = unique.into_iter().filter(|l| !traced.contains(l)).collect();
        let v = match traced.is_empty() {
            true => v,
            false => {
                let dtype = sum_dtype(self.dtype_of(&t));
                self.materialize(&t, dtype, e)?
            }
        };
        let spec = self.spec(&[&labels], &out, e)?;
        let v = self.op(Op::Einsum { spec }, &[v], e)?;
        Ok(Term::arr(v, None, out))
    }

    /// The values of a label: `lo + iota`, an `i64` vector weak as Python ints.
    pub(crate) fn index_value(&mut self, l: LabelId, at: NodeId) -> R<Term> {
        let Label { lo, extent, .. } = self.labels[l].clone();
        let iota = Op::Iota {
            dtype: DType::I64,
            shape: vec![extent],
            axis: 0,
        };
        let v = self.op(iota, &[], at)?;
        let t = Term::arr(v, Some(Weak::Int), vec![l]);
        if lo == Dim::constant(0) {
            return Ok(t);
        }
        let lo = self.dim_value(&lo, at)?;
        self.binary(air_ir::BinaryOp::Add, &t, &lo, at)
    }

    /// The labels that two or more of `factors` carry and that are neither on the left side
    /// nor bound: SymPy's Einstein convention sums them over the product.
    fn repeated(&self, factors: &[Term]) -> Vec<LabelId> {
        let all = union(&factors.iter().collect::<Vec<_>>());
        all.into_iter()
            .filter(|l| factors.iter().filter(|f| f.labels.contains(l)).count() > 1)
            .filter(|l| !self.keep.contains(l) && !self.is_bound(*l))
            .collect()
    }

    /// A `Mul`: one `einsum` summing its repeated labels, or the elementwise product.
    pub(crate) fn mul_term(&mut self, e: NodeId, args: &[NodeId]) -> R<Term> {
        let mut factors = vec![];
        for &a in args {
            factors.push(self.lower(a)?);
        }
        let repeated = self.repeated(&factors);
        if repeated.is_empty() {
            return self.mul(e, args);
        }
        self.einsum(&factors, &repeated, e)
    }

    /// Lowers `e` and sums the labels `sum_over` picks from its labels: an `einsum` over the
    /// factors of a product (with its repeated labels), a `reduce_sum` otherwise (or when a
    /// summed label is in no factor).
    pub(crate) fn contract(
        &mut self,
        e: NodeId,
        sum_over: &dyn Fn(&Self, &[LabelId]) -> Vec<LabelId>,
    ) -> R<Term> {
        if head(self.dag, e) == Some(Head::Mul) {
            let mut factors = vec![];
            for a in self.dag.node(e).args.clone() {
                factors.push(self.lower(a)?);
            }
            let labels = union(&factors.iter().collect::<Vec<_>>());
            let mut summed = sum_over(self, &labels);
            for l in self.repeated(&factors) {
                if !summed.contains(&l) {
                    summed.push(l);
                }
            }
            if summed.is_empty() {
                return self.lower(e);
            }
            if summed.iter().all(|l| labels.contains(l)) {
                return self.einsum(&factors, &summed, e);
            }
        }
        let t = self.lower(e)?;
        let summed = sum_over(self, &t.labels);
        if summed.is_empty() {
            return Ok(t);
        }
        self.reduce(&t, &summed, ReduceKind::Sum, e)
    }

    /// `t` reduced over `labels` (a label `t` lacks counts its extent's copies of `t`), in the
    /// dtype NumPy reduces in.
    pub(crate) fn reduce(
        &mut self,
        t: &Term,
        labels: &[LabelId],
        kind: ReduceKind,
        e: NodeId,
    ) -> R<Term> {
        let mut all = t.labels.clone();
        all.extend(labels.iter().filter(|l| !t.labels.contains(l)));
        let dtype = sum_dtype(self.dtype_of(t));
        let v = self.prepare(t, dtype, &all, e)?;
        let axes = labels
            .iter()
            .filter_map(|l| all.iter().position(|x| x == l))
            .map(|p| p as u32)
            .collect();
        let v = self.op(
            Op::Reduce {
                kind,
                axes,
                keepdims: false,
            },
            &[v],
            e,
        )?;
        let rest = all.into_iter().filter(|l| !labels.contains(l)).collect();
        Ok(self.result(v, t.weak(), rest))
    }

    /// The product of `factors` summed over `summed`, as one `einsum` over the factors that have
    /// labels, times the others.
    fn einsum(&mut self, factors: &[Term], summed: &[LabelId], e: NodeId) -> R<Term> {
        let (arrays, scalars): (Vec<&Term>, Vec<&Term>) =
            factors.iter().partition(|t| !t.labels.is_empty());
        let dtype = sum_dtype(self.common_dtype(&arrays));
        let all = union(&arrays);
        let out: Vec<LabelId> = all
            .iter()
            .copied()
            .filter(|l| !summed.contains(l))
            .collect();
        let terms: Vec<&[LabelId]> = arrays.iter().map(|t| t.labels.as_slice()).collect();
        let spec = self.spec(&terms, &out, e)?;
        let mut values = vec![];
        for t in &arrays {
            values.push(self.materialize(t, dtype, e)?);
        }
        let v = self.op(Op::Einsum { spec }, &values, e)?;
        let weak = arrays
            .iter()
            .all(|t| t.weak().is_some())
            .then_some(Weak::Int);
        let mut acc = self.result(v, weak, out);
        for s in scalars {
            acc = self.binary(air_ir::BinaryOp::Mul, &acc, s, e)?;
        }
        Ok(acc)
    }

    /// An explicit einsum spec naming labels with letters in order of first appearance.
    fn spec(&self, terms: &[&[LabelId]], out: &[LabelId], e: NodeId) -> R<String> {
        const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
        let mut order: Vec<LabelId> = vec![];
        for &l in terms.iter().copied().flatten() {
            if !order.contains(&l) {
                order.push(l);
            }
        }
        if order.len() > LETTERS.len() {
            return Err(self.fail(
                ProblemKind::Unsupported,
                format!("more than {} indices in one product", LETTERS.len()),
                e,
            ));
        }
        let letter = |l: &LabelId| {
            let k = order.iter().position(|x| x == l).unwrap_or(0);
            char::from(LETTERS[k])
        };
        let ins: Vec<String> = terms
            .iter()
            .map(|t| t.iter().map(letter).collect())
            .collect();
        let outs: String = out.iter().map(letter).collect();
        Ok(format!("{}->{outs}", ins.join(",")))
    }

    /// One builder op, its diagnostic turned into a problem at `e`.
    pub(crate) fn op(&mut self, op: Op, operands: &[Value], e: NodeId) -> R<Value> {
        self.fb.op(op, operands).map_err(|d| self.diag(d, e))
    }
}

fn slice(start: Bound, stop: Bound) -> SliceAxis {
    SliceAxis {
        start,
        stop,
        step: 1,
    }
}
