//! The generators of the data ops. Each picks operands from the pool that satisfy the op's rules
//! (`docs/op-rules.md`), casting, reshaping or making values (`full`, `iota`, `constant`) where
//! the pool has none; the builder infers every result type.

use air_ir::op::{ArgKind, Bound, ReduceKind, ScanKind, ScatterMode, SliceAxis};
use air_ir::{BinaryOp, DType, Dim, Literal, Op, TensorType, UnaryOp, Value};

use super::generator::{Gen, Scope};

/// A class of dtypes an op accepts.
type Class = fn(DType) -> bool;

fn any_dtype(_: DType) -> bool {
    true
}
fn numeric(d: DType) -> bool {
    d.is_numeric()
}
fn real(d: DType) -> bool {
    d.is_int() || d.is_float()
}
fn ordered(d: DType) -> bool {
    d.is_ordered()
}
fn float(d: DType) -> bool {
    d.is_float()
}
fn float_complex(d: DType) -> bool {
    d.is_float() || d.is_complex()
}
fn float32_or_64(d: DType) -> bool {
    matches!(d, DType::F32 | DType::F64)
}
fn bool_int(d: DType) -> bool {
    d.is_bool() || d.is_int()
}
fn int(d: DType) -> bool {
    d.is_int()
}
fn boolean(d: DType) -> bool {
    d.is_bool()
}

/// The classes of `docs/op-rules.md`, written again here so that the test checks the inference.
fn unary_class(u: UnaryOp) -> Class {
    match u {
        UnaryOp::Neg
        | UnaryOp::Abs
        | UnaryOp::Square
        | UnaryOp::Real
        | UnaryOp::Imag
        | UnaryOp::Conj => numeric,
        UnaryOp::Sign => real,
        UnaryOp::Exp
        | UnaryOp::Expm1
        | UnaryOp::Log
        | UnaryOp::Log1p
        | UnaryOp::Sqrt
        | UnaryOp::Rsqrt
        | UnaryOp::Sin
        | UnaryOp::Cos
        | UnaryOp::Tan
        | UnaryOp::Asin
        | UnaryOp::Acos
        | UnaryOp::Atan
        | UnaryOp::Sinh
        | UnaryOp::Cosh
        | UnaryOp::Tanh
        | UnaryOp::Reciprocal
        | UnaryOp::IsNan
        | UnaryOp::IsInf
        | UnaryOp::IsFinite
        | UnaryOp::Angle => float_complex,
        UnaryOp::Floor
        | UnaryOp::Ceil
        | UnaryOp::Round
        | UnaryOp::Erf
        | UnaryOp::Logistic
        | UnaryOp::Asinh
        | UnaryOp::Acosh
        | UnaryOp::Atanh
        | UnaryOp::Exp2
        | UnaryOp::Log2
        | UnaryOp::Log10
        | UnaryOp::Cbrt
        | UnaryOp::Trunc
        | UnaryOp::Sinc => float,
        UnaryOp::Not => bool_int,
    }
}

fn binary_class(b: BinaryOp) -> Class {
    match b {
        BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Pow => numeric,
        BinaryOp::Div => float_complex,
        BinaryOp::FloorDiv | BinaryOp::Rem | BinaryOp::Mod => real,
        BinaryOp::Max | BinaryOp::Min => ordered,
        BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => ordered,
        BinaryOp::Atan2
        | BinaryOp::Hypot
        | BinaryOp::Copysign
        | BinaryOp::Logaddexp
        | BinaryOp::Logaddexp2
        | BinaryOp::Heaviside => float,
        BinaryOp::Complex => float32_or_64,
        BinaryOp::Eq | BinaryOp::Ne => any_dtype,
        BinaryOp::And | BinaryOp::Or | BinaryOp::Xor => bool_int,
        BinaryOp::Shl | BinaryOp::Shr => int,
    }
}

fn reduce_class(k: ReduceKind) -> Class {
    match k {
        ReduceKind::Sum | ReduceKind::Prod => numeric,
        ReduceKind::Max | ReduceKind::Min => ordered,
        ReduceKind::Mean => float_complex,
        ReduceKind::Any | ReduceKind::All => boolean,
    }
}

/// Ops that add axes take operands of at most this rank, so ranks stay small.
const MAX_GROWN_RANK: usize = 5;

const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

impl Gen {
    // ---- the value pool ----------------------------------------------------------------------

    /// A dim bound in this region: one of the pool's, or a small constant.
    pub fn dim(&mut self, s: &Scope) -> Dim {
        let mut dims: Vec<Dim> = [1, 2, 3].map(Dim::constant).to_vec();
        for &v in &s.values {
            dims.extend(s.ty(v).shape);
        }
        self.rng.pick(&dims)
    }

    fn shape(&mut self, s: &Scope, rank: usize) -> Vec<Dim> {
        (0..rank).map(|_| self.dim(s)).collect()
    }

    /// A value of the pool (sometimes, or when it is empty, a new constant).
    pub fn any(&mut self, s: &mut Scope) -> Value {
        if s.values.is_empty() || self.rng.one_in(12) {
            return self.constant_value(s);
        }
        self.rng.pick(&s.values)
    }

    fn matching(&mut self, s: &Scope, pred: impl Fn(&TensorType) -> bool) -> Option<Value> {
        let found: Vec<Value> = s
            .values
            .iter()
            .copied()
            .filter(|&v| pred(&s.ty(v)))
            .collect();
        (!found.is_empty()).then(|| self.rng.pick(&found))
    }

    /// A value of exactly type `t` (whose dims are bound here): one of the pool, or a `full`.
    pub fn exact(&mut self, s: &mut Scope, t: &TensorType) -> Value {
        match self.matching(s, |u| u == t) {
            Some(v) if !self.rng.one_in(5) => v,
            _ => self.full_of(s, t),
        }
    }

    fn full_of(&mut self, s: &mut Scope, t: &TensorType) -> Value {
        let value = self.literal(t.dtype, vec![]);
        let shape = t.shape.clone();
        self.emit1(s, Op::Full { value, shape }, &[])
    }

    fn constant_value(&mut self, s: &mut Scope) -> Value {
        let dtype = self.rng.pick(&DType::ALL);
        let shape = (0..self.rng.below(3))
            .map(|_| self.rng.pick(&[0, 1, 2, 3, 3]))
            .collect();
        let lit = self.literal(dtype, shape);
        self.emit1(s, Op::Constant(lit), &[])
    }

    /// A value of rank `min..=max`: from the pool, or an `iota` or a `full`.
    fn tensor(&mut self, s: &mut Scope, min: usize, max: usize) -> Value {
        let pooled = self.matching(s, |t| (min..=max).contains(&t.rank()));
        if let Some(v) = pooled.filter(|_| !self.rng.one_in(6)) {
            return v;
        }
        let rank = min + self.rng.below(max - min + 1);
        let shape = self.shape(s, rank);
        if rank > 0 && self.rng.one_in(2) {
            let dtype = self
                .rng
                .pick(&[DType::I64, DType::I32, DType::F64, DType::F16]);
            let axis = self.rng.below(rank) as u32;
            return self.emit1(s, Op::Iota { dtype, shape, axis }, &[]);
        }
        let dtype = self.rng.pick(&DType::ALL);
        self.full_of(s, &TensorType::new(dtype, shape))
    }

    /// A value whose dtype is in `class`, of rank at least `min_rank`: pooled, or cast.
    fn of_class(&mut self, s: &mut Scope, class: Class, min_rank: usize) -> Value {
        let pooled = self.matching(s, |t| class(t.dtype) && t.rank() >= min_rank);
        if let Some(v) = pooled.filter(|_| !self.rng.one_in(5)) {
            return v;
        }
        let x = self.tensor(s, min_rank, min_rank + 2);
        let dtypes: Vec<DType> = DType::ALL.into_iter().filter(|&d| class(d)).collect();
        let dtype = self.rng.pick(&dtypes);
        self.cast_to(s, x, dtype)
    }

    fn cast_to(&mut self, s: &mut Scope, x: Value, dtype: DType) -> Value {
        if s.ty(x).dtype == dtype {
            return x;
        }
        self.emit1(s, Op::Cast { dtype }, &[x])
    }

    /// An `i64` scalar (loop bounds, `extract`/`insert` indices).
    pub fn scalar_i64(&mut self, s: &mut Scope) -> Value {
        let t = TensorType::scalar(DType::I64);
        match self.matching(s, |u| *u == t) {
            Some(v) if !self.rng.one_in(3) => v,
            _ => {
                let c = self.rng.pick(&[0, 1, 2, -1, 5]);
                self.emit1(s, Op::Constant(Literal::i64(c)), &[])
            }
        }
    }

    /// A scalar of any integer dtype (slice bounds).
    pub fn scalar_int(&mut self, s: &mut Scope) -> Value {
        match self.matching(s, |t| t.rank() == 0 && t.dtype.is_int()) {
            Some(v) if !self.rng.one_in(3) => v,
            _ => {
                let ints: Vec<DType> = DType::ALL.into_iter().filter(|d| d.is_int()).collect();
                let dtype = self.rng.pick(&ints);
                let lit = self.literal(dtype, vec![]);
                self.emit1(s, Op::Constant(lit), &[])
            }
        }
    }

    /// A `bool` scalar: pooled, a constant, a comparison or an `all` reduction.
    pub fn scalar_bool(&mut self, s: &mut Scope) -> Value {
        let t = TensorType::scalar(DType::Bool);
        if let Some(v) = self.matching(s, |u| *u == t).filter(|_| self.rng.one_in(2)) {
            return v;
        }
        match self.rng.below(3) {
            0 => {
                let lit = self.literal(DType::Bool, vec![]);
                self.emit1(s, Op::Constant(lit), &[])
            }
            1 => {
                let (a, b) = (self.scalar_i64(s), self.scalar_i64(s));
                self.emit1(s, Op::Binary(BinaryOp::Lt), &[a, b])
            }
            _ => {
                let x = self.of_class(s, boolean, 0);
                let axes = (0..s.ty(x).rank() as u32).collect();
                let kind = ReduceKind::All;
                let op = Op::Reduce {
                    kind,
                    axes,
                    keepdims: false,
                };
                self.emit1(s, op, &[x])
            }
        }
    }

    /// A `bool` tensor of `x`'s shape.
    pub fn mask_for(&mut self, s: &mut Scope, x: Value) -> Value {
        let want = s.ty(x).with_dtype(DType::Bool);
        match self.matching(s, |t| *t == want) {
            Some(m) if self.rng.one_in(2) => m,
            _ if self.rng.one_in(2) => self.emit1(s, Op::Binary(BinaryOp::Ne), &[x, x]),
            _ => self.cast_to(s, x, DType::Bool),
        }
    }

    /// `k` distinct axes below `n`, in a random order.
    fn axes(&mut self, n: usize, k: usize) -> Vec<u32> {
        let mut all: Vec<u32> = (0..n as u32).collect();
        self.rng.shuffle(&mut all);
        all.truncate(k);
        all
    }

    // ---- creation and elementwise ------------------------------------------------------------

    pub fn constant(&mut self, s: &mut Scope) {
        self.constant_value(s);
    }

    pub fn iota(&mut self, s: &mut Scope) {
        let rank = 1 + self.rng.below(3);
        let shape = self.shape(s, rank);
        let dtypes: Vec<DType> = DType::ALL.into_iter().filter(|&d| real(d)).collect();
        let dtype = self.rng.pick(&dtypes);
        let axis = self.rng.below(rank) as u32;
        self.emit1(s, Op::Iota { dtype, shape, axis }, &[]);
    }

    pub fn full(&mut self, s: &mut Scope) {
        let rank = self.rng.below(4);
        let t = TensorType::new(self.rng.pick(&DType::ALL), self.shape(s, rank));
        self.full_of(s, &t);
    }

    pub fn unary(&mut self, s: &mut Scope, u: UnaryOp) {
        let x = self.of_class(s, unary_class(u), 0);
        self.emit1(s, Op::Unary(u), &[x]);
    }

    pub fn binary(&mut self, s: &mut Scope, b: BinaryOp) {
        let x = self.of_class(s, binary_class(b), 0);
        let t = s.ty(x);
        let y = self.exact(s, &t);
        self.emit1(s, Op::Binary(b), &[x, y]);
    }

    pub fn select(&mut self, s: &mut Scope) {
        let a = self.any(s);
        let t = s.ty(a);
        let b = self.exact(s, &t);
        let cond = self.mask_for(s, a);
        self.emit1(s, Op::Select, &[cond, a, b]);
    }

    pub fn cast(&mut self, s: &mut Scope) {
        let x = self.any(s);
        let dtype = self.rng.pick(&DType::ALL);
        self.emit1(s, Op::Cast { dtype }, &[x]);
    }

    pub fn clip(&mut self, s: &mut Scope) {
        let x = self.of_class(s, ordered, 0);
        let t = s.ty(x);
        let lo = self.exact(s, &t);
        let hi = self.exact(s, &t);
        self.emit1(s, Op::Clip, &[x, lo, hi]);
    }

    // ---- shape ops ---------------------------------------------------------------------------

    /// New axes anywhere; operand axes of extent 1 sometimes stretched.
    pub fn broadcast(&mut self, s: &mut Scope) {
        let x = self.tensor(s, 0, MAX_GROWN_RANK);
        let t = s.ty(x);
        let extra = if t.rank() == 0 {
            1 + self.rng.below(2)
        } else {
            self.rng.below(3)
        };
        let rank = t.rank() + extra;
        let mut dims = self.axes(rank, t.rank());
        dims.sort_unstable();
        let mut shape = self.shape(s, rank);
        for (i, &d) in dims.iter().enumerate() {
            let own = &t.shape[i];
            if own.as_const() != Some(1) || self.rng.one_in(2) {
                shape[d as usize] = own.clone();
            }
        }
        self.emit1(s, Op::Broadcast { shape, dims }, &[x]);
    }

    /// Consecutive axes merged (`m*n`), unit axes inserted, the groups shuffled.
    pub fn reshape(&mut self, s: &mut Scope) {
        let x = match self.rng.one_in(4) {
            true => self.any(s),
            false => self.tensor(s, 2, MAX_GROWN_RANK),
        };
        let t = s.ty(x);
        let mut shape: Vec<Dim> = vec![];
        let mut group: Vec<Dim> = vec![];
        let flatten = self.rng.one_in(3);
        for d in &t.shape {
            group.push(d.clone());
            if !flatten && self.rng.one_in(2) {
                shape.push(Dim::product(&group).expect("small dims"));
                group.clear();
            }
        }
        if !group.is_empty() {
            shape.push(Dim::product(&group).expect("small dims"));
        }
        if self.rng.one_in(3) {
            let at = self.rng.below(shape.len() + 1);
            shape.insert(at, Dim::constant(1));
        }
        if self.rng.one_in(3) {
            self.rng.shuffle(&mut shape);
        }
        self.emit1(s, Op::Reshape { shape }, &[x]);
    }

    pub fn transpose(&mut self, s: &mut Scope) {
        let x = self.any(s);
        let rank = s.ty(x).rank();
        let perm = self.axes(rank, rank);
        self.emit1(s, Op::Transpose { perm }, &[x]);
    }

    pub fn expand_dims(&mut self, s: &mut Scope) {
        let x = self.tensor(s, 0, MAX_GROWN_RANK);
        self.expand(s, x);
    }

    fn expand(&mut self, s: &mut Scope, x: Value) -> Value {
        let k = 1 + self.rng.below(2);
        let axes = self.axes(s.ty(x).rank() + k, k);
        self.emit1(s, Op::ExpandDims { axes }, &[x])
    }

    pub fn squeeze(&mut self, s: &mut Scope) {
        let one = Dim::constant(1);
        let x = match self.matching(s, |t| t.shape.contains(&one)) {
            Some(x) if !self.rng.one_in(4) => x,
            _ => {
                let x = self.tensor(s, 0, MAX_GROWN_RANK);
                self.expand(s, x)
            }
        };
        let t = s.ty(x);
        let mut ones: Vec<u32> = (0..t.rank() as u32)
            .filter(|&i| t.shape[i as usize] == one)
            .collect();
        self.rng.shuffle(&mut ones);
        ones.truncate(1 + self.rng.below(ones.len()));
        self.emit1(s, Op::Squeeze { axes: ones }, &[x]);
    }

    /// Per axis: whole, constant bounds (negative ones too) or operand bounds, and any step.
    pub fn slice(&mut self, s: &mut Scope) {
        // Rank 0 included: the slice of a scalar (`axes = []`) must read back from text.
        let x = self.tensor(s, 0, 3);
        let mut operands = vec![x];
        let mut bound = |g: &mut Gen, s: &mut Scope| match g.rng.below(4) {
            0 => Bound::Default,
            1 => Bound::Const(g.rng.pick(&[0, 1, 2, -1, -3, 10])),
            2 if operands.len() > 1 && g.rng.one_in(3) => Bound::Operand(1),
            2 => {
                operands.push(g.scalar_int(s));
                Bound::Operand(operands.len() as u32 - 1)
            }
            _ => Bound::Const(g.rng.pick(&[0, 1, 2])),
        };
        let mut axes = vec![];
        for _ in 0..s.ty(x).rank() {
            if self.rng.one_in(3) {
                axes.push(SliceAxis::full());
                continue;
            }
            let start = bound(self, s);
            let stop = bound(self, s);
            let step = self.rng.pick(&[1, 1, 1, 2, -1, -2, 3]);
            axes.push(SliceAxis { start, stop, step });
        }
        self.emit1(s, Op::Slice { axes }, &operands);
    }

    /// Operands that differ only along the axis (from the pool or made): the result's extent is
    /// their sum (`m+n`, `2*n`).
    pub fn concat(&mut self, s: &mut Scope) {
        let x = self.tensor(s, 1, 3);
        let t = s.ty(x);
        let axis = self.rng.below(t.rank());
        let fits = |u: &TensorType| {
            u.rank() == t.rank() && (0..t.rank()).all(|i| i == axis || u.shape[i] == t.shape[i])
        };
        let mut operands = vec![x];
        for _ in 0..self.rng.below(3) {
            let y = match self.matching(s, fits) {
                Some(y) if self.rng.one_in(2) => self.cast_to(s, y, t.dtype),
                _ => {
                    let mut u = t.clone();
                    let symbolic = |d: &Dim| !d.is_const() && *d != t.shape[axis];
                    let mut d = self.dim(s);
                    for _ in 0..3 {
                        if symbolic(&d) {
                            break;
                        }
                        d = self.dim(s);
                    }
                    u.shape[axis] = d;
                    self.full_of(s, &u)
                }
            };
            operands.push(y);
        }
        self.emit1(s, Op::Concat { axis: axis as u32 }, &operands);
    }

    pub fn take(&mut self, s: &mut Scope) {
        let x = self.tensor(s, 1, 3);
        let axis = self.rng.below(s.ty(x).rank()) as u32;
        let idx = match self.matching(s, |t| t.dtype.is_int() && t.rank() <= 2) {
            Some(i) if self.rng.one_in(2) => i,
            _ if self.rng.one_in(2) => {
                let shape = self.shape(s, 1);
                let op = Op::Iota {
                    dtype: DType::I32,
                    shape,
                    axis: 0,
                };
                self.emit1(s, op, &[])
            }
            _ => {
                let shape = (0..self.rng.below(3))
                    .map(|_| self.rng.pick(&[0, 2]))
                    .collect();
                let dtype = self.rng.pick(&[DType::I64, DType::U8, DType::I8]);
                let lit = self.literal(dtype, shape);
                self.emit1(s, Op::Constant(lit), &[])
            }
        };
        self.emit1(s, Op::Take { axis }, &[x, idx]);
    }

    fn indices(&mut self, s: &mut Scope, x: Value) -> Vec<Value> {
        (0..s.ty(x).rank()).map(|_| self.scalar_i64(s)).collect()
    }

    pub fn extract(&mut self, s: &mut Scope) {
        let x = self.any(s);
        let mut operands = vec![x];
        operands.extend(self.indices(s, x));
        self.emit1(s, Op::Extract, &operands);
    }

    pub fn insert(&mut self, s: &mut Scope) {
        let x = self.any(s);
        let v = self.exact(s, &TensorType::scalar(s.ty(x).dtype));
        let mut operands = vec![x, v];
        operands.extend(self.indices(s, x));
        self.emit1(s, Op::Insert, &operands);
    }

    /// A run-time-length subset of a vector: a fresh dim.
    pub fn filter(&mut self, s: &mut Scope) {
        let x = self.tensor(s, 1, 1);
        let mask = self.mask_for(s, x);
        self.emit1(s, Op::Filter, &[x, mask]);
    }

    /// Index tuples `i64[j, k]` (j of 0 or 2) into the leading `k` axes of `x`, as a literal.
    fn tuples(&mut self, s: &mut Scope, x: Value) -> (Value, usize) {
        let k = self.rng.below(s.ty(x).rank() + 1);
        let j = self.rng.pick(&[0u64, 2]);
        let lit = self.literal(DType::I64, vec![j, k as u64]);
        (self.emit1(s, Op::Constant(lit), &[]), k)
    }

    /// `gather` (op set 2).
    pub fn gather(&mut self, s: &mut Scope) {
        let x = self.tensor(s, 1, 3);
        let (idx, _) = self.tuples(s, x);
        self.emit1(s, Op::Gather, &[x, idx]);
    }

    /// `scatter` (op set 2) in a mode the operand's dtype allows.
    pub fn scatter(&mut self, s: &mut Scope) {
        let x = self.tensor(s, 1, 3);
        let t = s.ty(x);
        let mut modes = vec![ScatterMode::Replace];
        if t.dtype.is_numeric() {
            modes.extend([ScatterMode::Add, ScatterMode::Mul]);
        }
        if t.dtype.is_ordered() {
            modes.extend([ScatterMode::Max, ScatterMode::Min]);
        }
        let mode = self.rng.pick(&modes);
        let (idx, k) = self.tuples(s, x);
        let mut shape = s.ty(idx).shape[..1].to_vec();
        shape.extend(t.shape[k..].iter().cloned());
        let upd = self.exact(s, &TensorType::new(t.dtype, shape));
        self.emit1(s, Op::Scatter { mode }, &[x, idx, upd]);
    }

    /// `unique` (op set 2): three results, one fresh dim.
    pub fn unique(&mut self, s: &mut Scope) {
        let x = self.of_class(s, |d| d.is_ordered(), 1);
        let x = if s.ty(x).rank() == 1 {
            x
        } else {
            let n = Dim::product(&s.ty(x).shape).expect("no overflow");
            self.emit1(s, Op::Reshape { shape: vec![n] }, &[x])
        };
        self.emit(s, Op::Unique, &[x]);
    }

    // ---- reductions and contractions ---------------------------------------------------------

    pub fn reduce(&mut self, s: &mut Scope, kind: ReduceKind) {
        let x = self.of_class(s, reduce_class(kind), 0);
        let rank = s.ty(x).rank();
        let k = self.rng.below(rank + 1);
        let axes = self.axes(rank, k);
        let keepdims = self.rng.one_in(3);
        let op = Op::Reduce {
            kind,
            axes,
            keepdims,
        };
        self.emit1(s, op, &[x]);
    }

    pub fn arg_reduce(&mut self, s: &mut Scope, kind: ArgKind) {
        let x = self.of_class(s, ordered, 1);
        let axis = self.rng.below(s.ty(x).rank()) as u32;
        let keepdims = self.rng.one_in(3);
        let op = Op::ArgReduce {
            kind,
            axis,
            keepdims,
        };
        self.emit1(s, op, &[x]);
    }

    pub fn scan(&mut self, s: &mut Scope, kind: ScanKind) {
        let x = self.of_class(s, numeric, 1);
        let axis = self.rng.below(s.ty(x).rank()) as u32;
        self.emit1(s, Op::Scan { kind, axis }, &[x]);
    }

    pub fn sort(&mut self, s: &mut Scope) {
        let x = self.of_class(s, ordered, 1);
        let axis = self.rng.below(s.ty(x).rank()) as u32;
        let descending = self.rng.one_in(2);
        self.emit1(s, Op::Sort { axis, descending }, &[x]);
    }

    /// Letters shared where dims are equal (a letter repeated in one term: a diagonal), any
    /// subset of them as the output.
    pub fn einsum(&mut self, s: &mut Scope) {
        let x = self.of_class(s, numeric, 0);
        let dtype = s.ty(x).dtype;
        let mut operands = vec![x];
        for _ in 0..self.rng.below(3) {
            let y = self.tensor(s, 0, 3);
            operands.push(self.cast_to(s, y, dtype));
        }
        let mut letters: Vec<(char, Dim)> = vec![];
        let mut terms = vec![];
        for &v in &operands {
            let mut term = String::new();
            for d in s.ty(v).shape {
                let same: Vec<char> = letters
                    .iter()
                    .filter(|(_, e)| *e == d)
                    .map(|(c, _)| *c)
                    .collect();
                let c = if !same.is_empty() && !self.rng.one_in(3) {
                    self.rng.pick(&same)
                } else {
                    let c = LETTERS[letters.len()] as char;
                    letters.push((c, d));
                    c
                };
                term.push(c);
            }
            terms.push(term);
        }
        let mut out: Vec<char> = letters.iter().map(|(c, _)| *c).collect();
        self.rng.shuffle(&mut out);
        out.truncate(self.rng.below(out.len() + 1));
        let spec = format!("{}->{}", terms.join(","), out.iter().collect::<String>());
        self.emit1(s, Op::Einsum { spec }, &operands);
    }

    /// NumPy's matmul: vectors on either side, batch dims equal, of extent 1, or absent.
    pub fn matmul(&mut self, s: &mut Scope) {
        let a = self.of_class(s, numeric, 1);
        let t = s.ty(a);
        let k = t.shape[t.rank() - 1].clone();
        let batch: Vec<Dim> = t.shape[..t.rank().saturating_sub(2)].to_vec();
        let mut shape = match self.rng.below(4) {
            0 => vec![],
            1 => batch.clone(),
            _ => batch.iter().map(|_| Dim::constant(1)).collect(),
        };
        // `b` is a vector `[k]` only when it has no batch dims.
        let vector = shape.is_empty() && self.rng.one_in(4);
        shape.push(k);
        if !vector {
            let m = self.dim(s);
            shape.push(m);
        }
        let b = self.exact(s, &TensorType::new(t.dtype, shape));
        self.emit1(s, Op::Matmul, &[a, b]);
    }
}
