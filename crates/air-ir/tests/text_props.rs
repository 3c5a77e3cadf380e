//! Properties of the `.air` text form: the parser never panics, and for every module (random ones
//! included) printing, parsing and printing again gives the same text.

use std::collections::HashSet;

use air_ir::dim::parse_dim;
use air_ir::module::{
    Function, Intent, Location, Module, Node, NodeId, Param, Region, RegionParam,
};
use air_ir::module::{ResultDecl, Value};
use air_ir::op::{ArgKind, AttrValue, Bound, CustomOp, Op, ReduceKind, ScanKind, SliceAxis};
use air_ir::text::{parse, print};
use air_ir::{BinaryOp, DType, Dim, Literal, Scalar, TensorType, UnaryOp};
use proptest::prelude::*;

/// Parses `src`; when it reads, printing is a fixed point of print∘parse.
fn check_fixed_point(src: &str) {
    if let Ok(m) = parse(src, "p.air") {
        let t1 = print(&m);
        let m2 = parse(&t1, "p.air")
            .unwrap_or_else(|e| panic!("printed text does not parse: {e}\n{t1}"));
        assert_eq!(print(&m2), t1);
    }
}

const TOKENS: &[&str] = &[
    "func",
    "@f",
    "@g",
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    "%x",
    "%y",
    "%0",
    "%1",
    "%r:2",
    "%r#1",
    ":",
    "=",
    ",",
    "->",
    "f64",
    "i64",
    "bool",
    "c64",
    "n",
    "m+1",
    "2*n",
    "+",
    "-",
    "*",
    "#1",
    "1",
    "0",
    "-1",
    "1.5",
    "1e-07",
    "nan",
    "inf",
    "true",
    "\"s\"",
    "\"",
    "return",
    "yield",
    "add",
    "neg",
    "constant",
    "value",
    "for",
    "if",
    "custom",
    "domain",
    "name",
    "axes",
    "slice",
    "loc",
    "out",
    "inout",
    "producer",
    "meta",
    "//",
    "\n",
    " ",
    "::",
    "1:",
    "#",
    "9999999999999999999999",
];

fn token_soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..60)
        .prop_map(|v| format!("air 1 opset 1\n{}", v.join(" ")))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn no_panic_on_arbitrary_strings(s in any::<String>()) {
        check_fixed_point(&s);
        check_fixed_point(&format!("air 1 opset 1\n{s}"));
    }

    #[test]
    fn no_panic_on_token_soup(s in token_soup()) {
        check_fixed_point(&s);
    }

    #[test]
    fn no_panic_on_mutated_modules(file in 0usize..3, edits in prop::collection::vec((any::<usize>(), 0usize..4, prop::sample::select(TOKENS)), 1..4)) {
        let name = ["kinds.air", "literals.air", "loops.air"][file];
        let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
        let mut src: Vec<char> = std::fs::read_to_string(path).unwrap().chars().collect();
        for (at, kind, tok) in edits {
            let at = at % (src.len() + 1);
            match kind {
                0 => { src.drain(at..(at + 3).min(src.len())); }
                1 => { src.splice(at..at, tok.chars()); }
                2 => src.truncate(at),
                _ => { if at < src.len() { src[at] = '%'; } }
            }
        }
        check_fixed_point(&src.into_iter().collect::<String>());
    }

    #[test]
    fn random_modules_print_parse_print_is_a_fixed_point(seed in any::<u64>()) {
        let m = Gen::new(seed, false).module();
        let t1 = print(&m);
        let m2 = parse(&t1, "r.air").unwrap_or_else(|e| panic!("{e}\n{t1}"));
        prop_assert_eq!(print(&m2), t1);
    }

    #[test]
    fn clean_random_modules_read_back_equal(seed in any::<u64>()) {
        let m = Gen::new(seed, true).module();
        let t1 = print(&m);
        let m2 = parse(&t1, "r.air").unwrap_or_else(|e| panic!("{e}\n{t1}"));
        prop_assert_eq!(m2, normalise(m), "{}", t1);
    }
}

/// The module as it reads back from its text: node names the printer could not use are dropped.
fn normalise(mut m: Module) -> Module {
    fn region(r: &mut Region, params: Vec<String>) {
        let mut used: HashSet<String> = params.into_iter().collect();
        for n in &mut r.nodes {
            let keep = n.name.as_ref().is_some_and(|s| used.insert(s.clone())); // non-identifiers print quoted
            if !keep {
                n.name = None;
            }
            for sub in n.op.regions_mut() {
                let ps = sub.params.iter().map(|p| p.name.clone()).collect();
                region(sub, ps);
            }
        }
    }
    for f in &mut m.functions {
        let ps = f.params.iter().map(|p| p.name.clone()).collect();
        region(&mut f.body, ps);
    }
    m
}

/// A deterministic generator of modules that the text form can express (identifier names for
/// params, functions and attributes; anything for node names).
struct Gen {
    state: u64,
    /// No NaNs, no bytes that print alike, no lists whose kind the text cannot tell: the module
    /// reads back structurally equal.
    clean: bool,
}

const NAMES: &[&str] = &["a", "b", "x", "n_1", "t.2", "_z", "long_name", "A"];
const NODE_NAMES: &[&str] = &["x", "y", "a", "7", "bad name", "t.2", "", "s", "y"];
const DIMS: &[&str] = &[
    "n", "m", "n+1", "2*n", "m*n", "3", "0", "n-1", "-2", "n*n-m",
];
const STRINGS: &[&str] = &[
    "",
    "a",
    "quote\"d",
    "back\\slash",
    "new\nline",
    "tab\t",
    "ünï€ødé",
    "\u{1}\u{7f}",
    "// no",
    "x\r",
];
const FLOATS: &[f64] = &[
    0.0,
    -0.0,
    1.0,
    0.1,
    1e-7,
    1e300,
    -2.5,
    f64::INFINITY,
    f64::NEG_INFINITY,
    5e-324,
    f64::MAX,
];

impl Gen {
    fn new(seed: u64, clean: bool) -> Gen {
        Gen {
            state: seed | 1,
            clean,
        }
    }

    fn next(&mut self) -> u64 {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        self.state
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    fn pick<T: Clone>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())].clone()
    }

    fn string(&mut self) -> String {
        self.pick(STRINGS).to_string()
    }

    fn dim(&mut self) -> Dim {
        parse_dim(self.pick(DIMS)).unwrap()
    }

    fn shape(&mut self, symbolic: bool) -> Vec<Dim> {
        let mut s: Vec<Dim> = (0..self.below(4)).map(|_| self.dim()).collect();
        if symbolic && s.iter().all(Dim::is_const) {
            s.push(Dim::symbol("n"));
        }
        s
    }

    fn ty(&mut self) -> TensorType {
        let dtype = self.pick(&DType::ALL);
        TensorType::new(dtype, self.shape(false))
    }

    fn f64v(&mut self) -> f64 {
        match self.below(4) {
            0 if !self.clean => f64::from_bits(self.next()),
            1 if !self.clean => f64::NAN,
            0 => f64::from_bits(self.next() >> 2),
            _ => self.pick(FLOATS),
        }
    }

    fn scalar(&mut self, dtype: DType) -> Scalar {
        if dtype.is_bool() {
            Scalar::Bool(self.one_in(2))
        } else if dtype.is_int() {
            Scalar::Int(self.next() as i64 >> self.below(64))
        } else if dtype.is_complex() {
            Scalar::Complex(self.f64v(), self.f64v())
        } else {
            Scalar::Float(self.f64v())
        }
    }

    fn literal(&mut self, rank0: bool) -> Literal {
        let dtype = self.pick(&DType::ALL);
        let shape: Vec<u64> = if rank0 {
            vec![]
        } else {
            (0..self.below(3)).map(|_| self.below(4) as u64).collect()
        };
        let n: u64 = shape.iter().product();
        if !self.clean {
            let bytes = (0..n as usize * dtype.size_bytes())
                .map(|_| self.next() as u8)
                .collect();
            return Literal::new(dtype, shape, bytes).unwrap();
        }
        let elems: Vec<Scalar> = (0..n).map(|_| self.scalar(dtype)).collect();
        Literal::from_scalars(dtype, shape, &elems).unwrap()
    }

    fn slice_axis(&mut self) -> SliceAxis {
        let bound = |g: &mut Gen| match g.below(3) {
            0 => Bound::Default,
            1 => Bound::Const(g.next() as i64 >> g.below(64)),
            _ => Bound::Operand(g.below(4) as u32),
        };
        let start = bound(self);
        let stop = bound(self);
        let step = [1, 2, -1, 0, i64::MIN][self.below(5)];
        SliceAxis { start, stop, step }
    }

    fn attr_value(&mut self) -> AttrValue {
        let len = if self.clean {
            1 + self.below(3)
        } else {
            self.below(3)
        };
        match self.below(12) {
            0 => AttrValue::Int(self.next() as i64 >> self.below(64)),
            1 => AttrValue::Float(self.f64v()),
            2 => AttrValue::Str(self.string()),
            3 => AttrValue::Bool(self.one_in(2)),
            4 => AttrValue::Ints(
                (0..self.below(3))
                    .map(|_| self.next() as i64 >> 40)
                    .collect(),
            ),
            5 => AttrValue::Floats((0..len).map(|_| self.f64v()).collect()),
            6 => AttrValue::Strs((0..len).map(|_| self.string()).collect()),
            7 => AttrValue::DType(self.pick(&DType::ALL)),
            8 => AttrValue::Shape(if self.clean {
                self.shape(true)
            } else {
                self.shape(false)
            }),
            9 => AttrValue::Literal(self.literal(false)),
            10 => AttrValue::Slices((0..len).map(|_| self.slice_axis()).collect()),
            _ => AttrValue::Func(self.pick(NAMES).to_string()),
        }
    }

    fn custom(&mut self) -> Op {
        let mut keys: Vec<&str> = NAMES.to_vec();
        keys.retain(|_| self.one_in(2));
        let attrs = keys
            .into_iter()
            .map(|k| (k.to_string(), self.attr_value()))
            .collect();
        Op::Custom(CustomOp {
            domain: self.string(),
            name: self.string(),
            attrs,
            decomposition: (self.one_in(2)).then(|| self.pick(NAMES).to_string()),
        })
    }

    fn axes(&mut self) -> Vec<u32> {
        (0..self.below(3)).map(|_| self.below(5) as u32).collect()
    }

    /// An op of every kind, `for`/`if` with regions while `depth` allows.
    fn op(&mut self, depth: usize) -> Op {
        let axis = self.below(4) as u32;
        let flag = self.one_in(2);
        let rank0 = self.one_in(3);
        match self.below(if depth < 3 { 24 } else { 22 }) {
            0 => Op::Constant(self.literal(rank0)),
            1 => Op::Iota {
                dtype: self.pick(&DType::ALL),
                shape: self.shape(true),
                axis,
            },
            2 => Op::Full {
                value: self.literal(true),
                shape: self.shape(true),
            },
            3 => Op::Unary(self.pick(&UnaryOp::ALL)),
            4 => Op::Binary(self.pick(&BinaryOp::ALL)),
            5 => self.pick(&[
                Op::Select,
                Op::Clip,
                Op::Extract,
                Op::Insert,
                Op::Filter,
                Op::Matmul,
            ]),
            6 => Op::Cast {
                dtype: self.pick(&DType::ALL),
            },
            7 => Op::Broadcast {
                shape: self.shape(true),
                dims: self.axes(),
            },
            8 => Op::Reshape {
                shape: self.shape(true),
            },
            9 => Op::Transpose { perm: self.axes() },
            10 => Op::ExpandDims { axes: self.axes() },
            11 => Op::Squeeze { axes: self.axes() },
            12 => Op::Slice {
                axes: (0..1 + self.below(3)).map(|_| self.slice_axis()).collect(),
            },
            13 => self.pick(&[Op::Concat { axis }, Op::Take { axis }]),
            14 => Op::Reduce {
                kind: self.pick(&ReduceKind::ALL),
                axes: self.axes(),
                keepdims: flag,
            },
            15 => Op::ArgReduce {
                kind: self.pick(&[ArgKind::Argmax, ArgKind::Argmin]),
                axis,
                keepdims: flag,
            },
            16 => Op::Scan {
                kind: self.pick(&[ScanKind::Cumsum, ScanKind::Cumprod]),
                axis,
            },
            17 => Op::Sort {
                axis,
                descending: flag,
            },
            18 => Op::Einsum {
                spec: self.string(),
            },
            19 => Op::Call {
                callee: self.pick(NAMES).to_string(),
            },
            20 | 21 => self.custom(),
            22 => Op::For {
                body: self.region(depth + 1),
            },
            _ => Op::If {
                then_branch: self.region(depth + 1),
                else_branch: self.region(depth + 1),
            },
        }
    }

    fn params(&mut self) -> Vec<String> {
        let mut names: Vec<String> = NAMES.iter().map(|s| s.to_string()).collect();
        names.retain(|_| self.one_in(3));
        names
    }

    fn loc(&mut self) -> Option<Location> {
        match self.below(3) {
            0 => None,
            1 => Some(Location::File {
                file: self.string(),
                line: self.next() as u32,
                col: self.below(80) as u32,
            }),
            _ => Some(Location::Foreign(self.string())),
        }
    }

    /// Nodes over the given parameters, each using earlier values only.
    fn fill(&mut self, r: &mut Region, depth: usize) {
        for _ in 0..self.below(7) {
            let mut avail: Vec<Value> = (0..r.params.len() as u32).map(Value::Param).collect();
            for (i, n) in r.nodes.iter().enumerate() {
                avail.extend((0..n.results.len() as u32).map(|k| Value::Result {
                    node: NodeId(i as u32),
                    index: k,
                }));
            }
            let operands = if avail.is_empty() {
                vec![]
            } else {
                (0..self.below(4)).map(|_| self.pick(&avail)).collect()
            };
            let nres = [1, 1, 1, 0, 2, 3][self.below(6)];
            let node = Node {
                op: self.op(depth),
                operands,
                results: (0..nres).map(|_| self.ty()).collect(),
                name: (!self.one_in(4)).then(|| self.pick(NODE_NAMES).to_string()),
                loc: self.loc(),
            };
            r.push(node);
        }
        let mut avail: Vec<Value> = (0..r.params.len() as u32).map(Value::Param).collect();
        for (i, n) in r.nodes.iter().enumerate() {
            avail.extend((0..n.results.len() as u32).map(|k| Value::Result {
                node: NodeId(i as u32),
                index: k,
            }));
        }
        if !avail.is_empty() {
            r.results = (0..self.below(3)).map(|_| self.pick(&avail)).collect();
        }
    }

    fn region(&mut self, depth: usize) -> Region {
        let params = self.params();
        let mut r = Region {
            params: params
                .into_iter()
                .map(|name| RegionParam {
                    name,
                    ty: self.ty(),
                })
                .collect(),
            ..Region::default()
        };
        self.fill(&mut r, depth);
        r
    }

    fn function(&mut self, name: &str) -> Function {
        let intents = [Intent::In, Intent::In, Intent::Out, Intent::InOut];
        let params: Vec<Param> = self
            .params()
            .into_iter()
            .map(|name| Param {
                name,
                ty: self.ty(),
                intent: self.pick(&intents),
                size: None,
            })
            .collect();
        let mut body = Region {
            params: params
                .iter()
                .map(|p| RegionParam {
                    name: p.name.clone(),
                    ty: p.ty.clone(),
                })
                .collect(),
            ..Region::default()
        };
        self.fill(&mut body, 0);
        let results = (0..self.below(3))
            .map(|_| ResultDecl {
                name: (self.one_in(2)).then(|| self.pick(NAMES).to_string()),
                ty: self.ty(),
            })
            .collect();
        Function {
            name: name.to_string(),
            params,
            results,
            body,
            loc: self.loc(),
        }
    }

    fn module(&mut self) -> Module {
        let mut names: Vec<&str> = NAMES.to_vec();
        names.retain(|_| self.one_in(3));
        Module {
            producer: self.string(),
            metadata: (0..self.below(3))
                .map(|_| (self.string(), self.string()))
                .collect(),
            functions: names.into_iter().map(|n| self.function(n)).collect(),
            ..Module::default()
        }
    }
}

/// Guards the generator: the random modules above do reach nested regions.
#[test]
fn generated_modules_include_nested_regions() {
    let texts: Vec<String> = (0..200u64)
        .map(|s| print(&Gen::new(s, true).module()))
        .collect();
    assert!(texts.iter().filter(|t| t.contains("\n    yield")).count() > 20);
    assert!(texts.iter().filter(|t| t.contains("\n      yield")).count() > 5);
}
