//! A seed-driven generator of *valid* modules, built through `air_ir::builder` so that every
//! result type is inferred: functions, regions and the value pool each op draws its operands from.
//! The per-op generators are in `ops.rs` and, for `for`, `if`, `call` and `custom`, `control.rs`.

use air_ir::builder::{FunctionBuilder, RegionBuilder};
use air_ir::dim::parse_dim;
use air_ir::op::{ArgKind, ReduceKind, ScanKind};
use air_ir::{BinaryOp, DType, Function, Intent, Location, Module, Op, TensorType, UnaryOp};
use air_ir::{Literal, Scalar, Value};

/// A xorshift generator: the whole module follows from one seed.
pub struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// True once in `n` times.
    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    /// One element of a non-empty slice.
    pub fn pick<T: Clone>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())].clone()
    }

    /// The slice in a random order.
    pub fn shuffle<T>(&mut self, xs: &mut [T]) {
        for i in (1..xs.len()).rev() {
            xs.swap(i, self.below(i + 1));
        }
    }
}

/// What to generate next: one kind per op name of op set v1.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    Constant,
    Iota,
    Full,
    Unary(UnaryOp),
    Binary(BinaryOp),
    Select,
    Cast,
    Clip,
    Broadcast,
    Reshape,
    Transpose,
    ExpandDims,
    Squeeze,
    Slice,
    Concat,
    Take,
    Extract,
    Insert,
    Filter,
    Scatter,
    Gather,
    Unique,
    Reduce(ReduceKind),
    Arg(ArgKind),
    Scan(ScanKind),
    Sort,
    Einsum,
    Matmul,
    For,
    If,
    While,
    Call,
    Custom,
}

fn all_kinds() -> Vec<Kind> {
    let mut out = vec![Kind::Constant, Kind::Iota, Kind::Full];
    out.extend(UnaryOp::ALL.map(Kind::Unary));
    out.extend(BinaryOp::ALL.map(Kind::Binary));
    out.extend([
        Kind::Select,
        Kind::Cast,
        Kind::Clip,
        Kind::Broadcast,
        Kind::Reshape,
        Kind::Transpose,
        Kind::ExpandDims,
        Kind::Squeeze,
        Kind::Slice,
        Kind::Concat,
        Kind::Take,
        Kind::Extract,
        Kind::Insert,
        Kind::Filter,
        Kind::Scatter,
        Kind::Gather,
        Kind::Unique,
    ]);
    out.extend(ReduceKind::ALL.map(Kind::Reduce));
    out.extend([ArgKind::Argmax, ArgKind::Argmin].map(Kind::Arg));
    out.extend([ScanKind::Cumsum, ScanKind::Cumprod].map(Kind::Scan));
    out.extend([Kind::Sort, Kind::Einsum, Kind::Matmul]);
    // Regions, calls and custom ops are the point of the exercise: weighted up.
    for _ in 0..3 {
        out.extend([Kind::For, Kind::If, Kind::Call, Kind::Custom]);
    }
    out.push(Kind::While);
    out
}

/// The region being built: its builder, the values ops may read, and its nesting depth.
pub struct Scope<'a> {
    pub rb: &'a mut RegionBuilder,
    pub values: Vec<Value>,
    pub depth: usize,
}

impl Scope<'_> {
    /// The type of a value of the region.
    pub fn ty(&self, v: Value) -> TensorType {
        self.rb
            .value_type(v)
            .unwrap_or_else(|| panic!("{v:?} is not a value of this region"))
    }
}

/// Regions nest at most this deep (the function body is depth 0).
const MAX_DEPTH: usize = 3;
/// Strings with the characters the text form escapes.
pub const STRINGS: &[&str] = &[
    "",
    "a",
    "\u{1}\u{7f}\r\t",
    "q\"uote",
    "back\\slash",
    "new\nline",
    "ünï€ødé",
    "// no",
];

/// The generator's state for one module.
pub struct Gen {
    pub rng: Rng,
    /// Nodes the module may still get (a soft limit: one op may add a few helper nodes).
    pub budget: usize,
    /// The functions built so far, which later ones may call or name as decompositions.
    pub callees: Vec<Function>,
    /// Makes node names and declared fresh symbols unique.
    counter: u32,
    kinds: Vec<Kind>,
}

impl Gen {
    /// A generator for the module of this seed.
    pub fn new(seed: u64) -> Gen {
        Gen {
            rng: Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1),
            budget: 0,
            callees: vec![],
            counter: 0,
            kinds: all_kinds(),
        }
    }

    /// A fresh number, for unique names.
    pub fn fresh(&mut self) -> u32 {
        self.counter += 1;
        self.counter
    }

    /// A module of up to about 40 nodes: 0 to 2 helper functions, then `main`, which may call
    /// them (as may later helpers call earlier ones), in a random order in the module.
    pub fn module(&mut self) -> Module {
        let mut left = 12 + self.rng.below(29);
        let helpers = [0, 1, 1, 2, 2][self.rng.below(5)];
        for h in 0..helpers {
            let budget = (3 + self.rng.below(6)).min(left / 2);
            left -= budget;
            let f = self.function(&format!("helper{h}"), true, budget);
            self.callees.push(f);
        }
        let main = self.function("main", false, left.max(4));
        let mut functions = std::mem::take(&mut self.callees);
        functions.push(main);
        if self.rng.one_in(2) {
            self.rng.shuffle(&mut functions);
        }
        let metadata = (0..self.rng.below(3))
            .map(|k| (format!("key{k}"), self.rng.pick(STRINGS).to_string()))
            .collect();
        let mut m = Module {
            producer: self.rng.pick(&["", "air-props 0.1", "p\"q"]).to_string(),
            metadata,
            functions,
            ..Module::default()
        };
        // Declares the op set its ops need, as producers do (spec section 2).
        m.opset_version = m.required_opset();
        m
    }

    fn function(&mut self, name: &str, helper: bool, budget: usize) -> Function {
        let mut fb = FunctionBuilder::new(name);
        for c in &self.callees {
            fb.add_callee(c);
        }
        if self.rng.one_in(3) {
            let loc = self.loc();
            fb.set_loc(loc);
        }
        let mut params = vec![];
        let mut readable = vec![];
        for i in 0..1 + self.rng.below(4) {
            let intent = [
                Intent::In,
                Intent::In,
                Intent::In,
                Intent::Out,
                Intent::InOut,
            ][self.rng.below(5)];
            let ty = self.param_type(helper);
            let v = fb.param(&format!("x{i}"), ty.clone(), intent);
            params.push((v, ty, intent));
            if intent != Intent::Out {
                readable.push(v);
            }
        }
        self.budget = budget;
        let (results, assigned) = {
            let mut s = Scope {
                rb: fb.body(),
                values: readable,
                depth: 0,
            };
            self.fill(&mut s, usize::MAX);
            let results: Vec<(Option<String>, Value)> = (0..self.rng.below(4))
                .map(|k| {
                    let name = self.rng.one_in(2).then(|| format!("r{k}"));
                    (name, self.any(&mut s))
                })
                .collect();
            let assigned: Vec<(Value, Value)> = params
                .iter()
                .filter(|(_, _, intent)| *intent != Intent::In)
                .map(|(p, ty, _)| (*p, self.exact(&mut s, ty)))
                .collect();
            (results, assigned)
        };
        for (p, v) in assigned {
            fb.assign(p, v).expect("assigning an out param");
        }
        fb.finish(&results)
            .unwrap_or_else(|e| panic!("the builder rejects @{name}: {e}"))
    }

    /// A parameter type: symbolic dims `n`, `m`, `k` and constants; `main` also gets expression
    /// dims. A helper's dims are lone symbols or constants, so any caller can bind them.
    fn param_type(&mut self, helper: bool) -> TensorType {
        let dtypes = [
            DType::F64,
            DType::F64,
            DType::F32,
            DType::I64,
            DType::I64,
            DType::I32,
            DType::Bool,
            DType::C128,
            DType::U8,
            DType::F16,
        ];
        let dtype = self.rng.pick(&dtypes);
        let mut dims = vec!["n", "m", "k", "n", "m", "1", "2", "3", "batch"];
        if !helper {
            dims.extend(["n+1", "2*n", "m*n", "n-1", "N_1", "0"]);
        }
        let shape = (0..self.rng.below(4))
            .map(|_| parse_dim(self.rng.pick(&dims)).expect("a dim"))
            .collect();
        TensorType::new(dtype, shape)
    }

    /// Appends random ops to the region while the budget lasts (at most `limit` of them).
    pub fn fill(&mut self, s: &mut Scope, limit: usize) {
        let mut done = 0;
        // Nested regions often open with another region, so nesting reaches `MAX_DEPTH`.
        if (1..MAX_DEPTH).contains(&s.depth) && self.budget > 0 && self.rng.one_in(3) {
            match self.rng.one_in(2) {
                true => self.for_loop(s),
                false => self.if_else(s),
            }
            done += 1;
        }
        while self.budget > 0 && done < limit {
            self.random_op(s);
            done += 1;
        }
    }

    fn random_op(&mut self, s: &mut Scope) {
        let kind = self.rng.pick(&self.kinds);
        match kind {
            Kind::Constant => self.constant(s),
            Kind::Iota => self.iota(s),
            Kind::Full => self.full(s),
            Kind::Unary(u) => self.unary(s, u),
            Kind::Binary(b) => self.binary(s, b),
            Kind::Select => self.select(s),
            Kind::Cast => self.cast(s),
            Kind::Clip => self.clip(s),
            Kind::Broadcast => self.broadcast(s),
            Kind::Reshape => self.reshape(s),
            Kind::Transpose => self.transpose(s),
            Kind::ExpandDims => self.expand_dims(s),
            Kind::Squeeze => self.squeeze(s),
            Kind::Slice => self.slice(s),
            Kind::Concat => self.concat(s),
            Kind::Take => self.take(s),
            Kind::Extract => self.extract(s),
            Kind::Insert => self.insert(s),
            Kind::Filter => self.filter(s),
            Kind::Scatter => self.scatter(s),
            Kind::Gather => self.gather(s),
            Kind::Unique => self.unique(s),
            Kind::Reduce(k) => self.reduce(s, k),
            Kind::Arg(k) => self.arg_reduce(s, k),
            Kind::Scan(k) => self.scan(s, k),
            Kind::Sort => self.sort(s),
            Kind::Einsum => self.einsum(s),
            Kind::Matmul => self.matmul(s),
            Kind::For if s.depth < MAX_DEPTH => self.for_loop(s),
            Kind::If if s.depth < MAX_DEPTH => self.if_else(s),
            Kind::While if s.depth < MAX_DEPTH => self.while_loop(s),
            Kind::For | Kind::If | Kind::While => self.unary(s, UnaryOp::Neg),
            Kind::Call => self.call(s),
            Kind::Custom => self.custom(s),
        }
    }

    /// Gives the next node a name and a location, sometimes.
    fn decorate(&mut self, s: &mut Scope) {
        if self.rng.one_in(3) {
            let n = self.fresh();
            let name = self.rng.pick(&["t", "t.", "_t", "long_name_"]);
            s.rb.named(&format!("{name}{n}"));
        }
        if self.rng.one_in(4) {
            let loc = self.loc();
            s.rb.at(loc);
        }
    }

    fn loc(&mut self) -> Location {
        if self.rng.one_in(2) {
            Location::File {
                file: self
                    .rng
                    .pick(&["gen.py", "dir/model.air", "a b\".py"])
                    .to_string(),
                line: 1 + self.rng.below(500) as u32,
                col: 1 + self.rng.below(80) as u32,
            }
        } else {
            Location::Foreign(
                self.rng
                    .pick(&["pytensor node 12", "x**2", "", "ü\n"])
                    .to_string(),
            )
        }
    }

    /// Appends a node (types inferred) and makes its results available.
    pub fn emit(&mut self, s: &mut Scope, op: Op, operands: &[Value]) -> Vec<Value> {
        self.emit_with(s, op, operands, None)
    }

    /// [`Gen::emit`] for a node with one result.
    pub fn emit1(&mut self, s: &mut Scope, op: Op, operands: &[Value]) -> Value {
        let vs = self.emit(s, op, operands);
        assert_eq!(vs.len(), 1, "one result expected");
        vs[0]
    }

    /// [`Gen::emit`] with declared result types when `declared` is given.
    pub fn emit_with(
        &mut self,
        s: &mut Scope,
        op: Op,
        operands: &[Value],
        declared: Option<&[TensorType]>,
    ) -> Vec<Value> {
        self.decorate(s);
        let types: Vec<String> = operands.iter().map(|&v| s.ty(v).to_string()).collect();
        let what = format!("{} ({})", op.name(), types.join(", "));
        let got = match declared {
            None => s.rb.op_multi(op.clone(), operands),
            Some(d) => s.rb.op_declared(op.clone(), operands, d),
        };
        let vs = got.unwrap_or_else(|e| panic!("the builder rejects {what}: {e}\n{op:?}"));
        s.values.extend(&vs);
        self.budget = self.budget.saturating_sub(1);
        vs
    }

    /// A literal of `dtype` and `shape` with values that include the IEEE corner cases.
    pub fn literal(&mut self, dtype: DType, shape: Vec<u64>) -> Literal {
        let n: u64 = shape.iter().product();
        let floats = [
            0.0,
            -0.0,
            1.5,
            -2.25,
            1e-7,
            f64::INFINITY,
            f64::NAN,
            65504.0,
        ];
        let elems: Vec<Scalar> = (0..n)
            .map(|_| {
                if dtype.is_bool() {
                    Scalar::Bool(self.rng.one_in(2))
                } else if dtype.is_int() {
                    Scalar::Int(self.rng.pick(&[0, 1, -1, 7, 127, i64::MIN, i64::MAX]))
                } else if dtype.is_complex() {
                    Scalar::Complex(self.rng.pick(&floats), self.rng.pick(&floats))
                } else {
                    Scalar::Float(self.rng.pick(&floats))
                }
            })
            .collect();
        Literal::from_scalars(dtype, shape, &elems).expect("a literal")
    }
}
