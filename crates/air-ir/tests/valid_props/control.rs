//! The generators of the ops with regions or callees: `for`, `if`, `while`, `call` and `custom`.

use std::collections::HashMap;

use air_ir::op::{AttrValue, Bound, CustomOp, SliceAxis};
use air_ir::{BinaryOp, DType, Dim, Function, Intent, Literal, Op, Region, TensorType, Value};

use super::generator::{Gen, Scope, STRINGS};

const DOMAINS: &[&str] = &["np", "pytensor", "my.lib", ""];
const CUSTOM_NAMES: &[&str] = &["unique", "softplus", "solve", "x y"];
const ATTR_NAMES: &[&str] = &[
    "alpha",
    "beta",
    "mode",
    "hint.shape",
    "_flag",
    "names",
    "fn",
];

impl Gen {
    /// `for(lo, hi, step, carried..., captured...)` with a body filled at the next depth.
    pub fn for_loop(&mut self, s: &mut Scope) {
        let lo = self.scalar_i64(s);
        let hi = self.scalar_i64(s);
        let step = if self.rng.one_in(3) {
            self.scalar_i64(s)
        } else {
            let c = self.rng.pick(&[1, 1, 2, -1]);
            self.emit1(s, Op::Constant(Literal::i64(c)), &[])
        };
        let carried: Vec<Value> = (0..[0, 1, 1, 2, 3][self.rng.below(5)])
            .map(|_| self.any(s))
            .collect();
        let captured: Vec<Value> = (0..self.rng.below(3)).map(|_| self.any(s)).collect();
        let mut rb = s.rb.region();
        let i = rb.param("i", TensorType::scalar(DType::I64));
        let mut values = vec![i];
        for (j, &c) in carried.iter().enumerate() {
            values.push(rb.param(&format!("c{j}"), s.ty(c)));
        }
        for (j, &c) in captured.iter().enumerate() {
            values.push(rb.param(&format!("k{j}"), s.ty(c)));
        }
        let mut inner = Scope {
            rb: &mut rb,
            values,
            depth: s.depth + 1,
        };
        let limit = 1 + self.rng.below(6);
        self.fill(&mut inner, limit);
        let yields: Vec<Value> = carried
            .iter()
            .map(|&c| {
                let want = s.ty(c);
                self.exact(&mut inner, &want)
            })
            .collect();
        let body = rb.finish(&yields);
        let mut operands = vec![lo, hi, step];
        operands.extend(&carried);
        operands.extend(&captured);
        self.emit(s, Op::For { body }, &operands);
    }

    /// `while(carried..., captured...)`: a condition region yielding a bool scalar and a body,
    /// each filled at the next depth.
    pub fn while_loop(&mut self, s: &mut Scope) {
        let carried: Vec<Value> = (0..[0, 1, 1, 2, 3][self.rng.below(5)])
            .map(|_| self.any(s))
            .collect();
        let captured: Vec<Value> = (0..self.rng.below(3)).map(|_| self.any(s)).collect();
        let operands: Vec<Value> = carried.iter().chain(&captured).copied().collect();
        let region = |g: &mut Gen, yields: &dyn Fn(&mut Gen, &mut Scope) -> Vec<Value>| {
            let mut rb = s.rb.region();
            let values = operands
                .iter()
                .enumerate()
                .map(|(j, &v)| rb.param(&format!("w{j}"), s.ty(v)))
                .collect();
            let mut inner = Scope {
                rb: &mut rb,
                values,
                depth: s.depth + 1,
            };
            let limit = 1 + g.rng.below(4);
            g.fill(&mut inner, limit);
            let y = yields(g, &mut inner);
            rb.finish(&y)
        };
        let cond = region(self, &|g, inner| vec![g.scalar_bool(inner)]);
        let types: Vec<TensorType> = carried.iter().map(|&c| s.ty(c)).collect();
        let body = region(self, &|g, inner| {
            types.iter().map(|t| g.exact(inner, t)).collect()
        });
        self.emit(s, Op::While { cond, body }, &operands);
    }

    /// `if(cond, args...)`: each result is of an argument's type, or a run-time-length vector
    /// (a `filter` or an operand-bounded `slice` in each branch).
    pub fn if_else(&mut self, s: &mut Scope) {
        let cond = self.scalar_bool(s);
        let args: Vec<Value> = (0..self.rng.below(4)).map(|_| self.any(s)).collect();
        let arg_types: Vec<TensorType> = args.iter().map(|&a| s.ty(a)).collect();
        // Per result: Ok(type) to yield exactly, Err(j) for a run-time-length subset of arg j.
        let mut specs: Vec<Result<TensorType, usize>> = vec![];
        for _ in 0..[0, 1, 1, 2, 3][self.rng.below(5)] {
            let vectors: Vec<usize> = (0..args.len())
                .filter(|&j| arg_types[j].rank() == 1)
                .collect();
            if !vectors.is_empty() && self.rng.one_in(2) {
                specs.push(Err(self.rng.pick(&vectors)));
            } else if !args.is_empty() && !self.rng.one_in(4) {
                specs.push(Ok(self.rng.pick(&arg_types)));
            } else {
                specs.push(Ok(TensorType::new(DType::F64, vec![Dim::constant(2)])));
            }
        }
        let then_branch = self.branch(s, &arg_types, &specs);
        let else_branch = self.branch(s, &arg_types, &specs);
        let mut operands = vec![cond];
        operands.extend(&args);
        let op = Op::If {
            then_branch,
            else_branch,
        };
        self.emit(s, op, &operands);
    }

    fn branch(
        &mut self,
        s: &Scope,
        arg_types: &[TensorType],
        specs: &[Result<TensorType, usize>],
    ) -> Region {
        let mut rb = s.rb.region();
        let values = arg_types
            .iter()
            .enumerate()
            .map(|(j, t)| rb.param(&format!("a{j}"), t.clone()))
            .collect();
        let mut inner = Scope {
            rb: &mut rb,
            values,
            depth: s.depth + 1,
        };
        let limit = 1 + self.rng.below(5);
        self.fill(&mut inner, limit);
        let yields: Vec<Value> = specs
            .iter()
            .map(|spec| match spec {
                Ok(t) => self.exact(&mut inner, t),
                Err(j) => self.run_time_subset(&mut inner, Value::Param(*j as u32)),
            })
            .collect();
        rb.finish(&yields)
    }

    /// A subset of the vector `x` whose length is known only at run time.
    fn run_time_subset(&mut self, s: &mut Scope, x: Value) -> Value {
        if self.rng.one_in(2) {
            let mask = self.mask_for(s, x);
            return self.emit1(s, Op::Filter, &[x, mask]);
        }
        let start = self.scalar_int(s);
        let axes = vec![SliceAxis {
            start: Bound::Operand(1),
            stop: Bound::Default,
            step: 1,
        }];
        self.emit1(s, Op::Slice { axes }, &[x, start])
    }

    /// A `call` of a function built earlier, its arguments matched from the pool or made.
    pub fn call(&mut self, s: &mut Scope) {
        if self.callees.is_empty() {
            return self.binary(s, BinaryOp::Add);
        }
        let f = self.rng.pick(&self.callees);
        let (args, _) = self.arguments(s, &f);
        let op = Op::Call {
            callee: f.name.clone(),
        };
        self.emit(s, op, &args);
    }

    /// Arguments for `f`'s `in`/`inout` params: pool values that bind consistently, else `full`s
    /// of the substituted types. Returns them with the binding of `f`'s symbols.
    fn arguments(&mut self, s: &mut Scope, f: &Function) -> (Vec<Value>, HashMap<String, Dim>) {
        let mut subst: HashMap<String, Dim> = HashMap::new();
        let mut args = vec![];
        for p in f.params.iter().filter(|p| p.intent != Intent::Out) {
            let fits: Vec<Value> = s
                .values
                .iter()
                .copied()
                .filter(|&v| binds(&p.ty, &s.ty(v), &mut subst.clone()))
                .collect();
            if !fits.is_empty() && !self.rng.one_in(4) {
                let v = self.rng.pick(&fits);
                assert!(binds(&p.ty, &s.ty(v), &mut subst));
                args.push(v);
                continue;
            }
            for sym in p.ty.shape.iter().filter_map(Dim::as_symbol) {
                if !subst.contains_key(sym) {
                    let d = self.dim(s);
                    subst.insert(sym.to_string(), d);
                }
            }
            let want = substitute(&p.ty, &subst).expect("every param symbol is bound");
            args.push(self.exact(s, &want));
        }
        (args, subst)
    }

    /// A custom op: with a decomposition (result types inferred from it, or declared to agree
    /// with it) or without one (result types declared, possibly with new run-time symbols).
    pub fn custom(&mut self, s: &mut Scope) {
        let attrs = self.custom_attrs(s);
        let mut op = CustomOp {
            domain: self.rng.pick(DOMAINS).to_string(),
            name: self.rng.pick(CUSTOM_NAMES).to_string(),
            attrs,
            decomposition: None,
        };
        if !self.callees.is_empty() && !self.rng.one_in(3) {
            let f = self.rng.pick(&self.callees);
            let (args, subst) = self.arguments(s, &f);
            op.decomposition = Some(f.name.clone());
            if self.rng.one_in(2) {
                self.emit(s, Op::Custom(op), &args);
                return;
            }
            // Declared: callee dims the arguments bind are substituted, the others are new.
            let declared: Vec<TensorType> = f
                .yield_types()
                .iter()
                .map(|t| {
                    let shape = t
                        .shape
                        .iter()
                        .map(|d| match substitute_dim(d, &subst) {
                            Some(x) => x,
                            None => Dim::symbol(format!("u{}", self.fresh())),
                        })
                        .collect();
                    TensorType::new(t.dtype, shape)
                })
                .collect();
            self.emit_with(s, Op::Custom(op), &args, Some(&declared));
            return;
        }
        let args: Vec<Value> = (0..self.rng.below(4)).map(|_| self.any(s)).collect();
        let declared: Vec<TensorType> = (0..[0, 1, 1, 2][self.rng.below(4)])
            .map(|_| {
                if self.rng.one_in(2) {
                    let v = self.any(s);
                    return s.ty(v);
                }
                let rank = self.rng.below(3);
                let dtype = self.rng.pick(&DType::ALL);
                let shape = (0..rank)
                    .map(|_| match self.rng.one_in(2) {
                        true => Dim::symbol(format!("u{}", self.fresh())),
                        false => self.dim(s),
                    })
                    .collect();
                TensorType::new(dtype, shape)
            })
            .collect();
        self.emit_with(s, Op::Custom(op), &args, Some(&declared));
    }

    fn custom_attrs(&mut self, s: &mut Scope) -> Vec<(String, AttrValue)> {
        let mut names = ATTR_NAMES.to_vec();
        names.retain(|_| self.rng.one_in(3));
        names
            .into_iter()
            .map(|n| (n.to_string(), self.attr_value(s)))
            .collect()
    }

    /// An attribute value of every kind; lists are not empty and shapes not all constant, since
    /// the text form cannot tell those kinds apart (`[]`, `[2, 3]` read as ints).
    fn attr_value(&mut self, s: &mut Scope) -> AttrValue {
        let floats = [0.5, -0.0, 1e-7, 5e-324, f64::MAX, f64::INFINITY, -1e300];
        match self.rng.below(12) {
            0 => AttrValue::Int(self.rng.pick(&[0, -1, 7, i64::MIN, i64::MAX])),
            1 => AttrValue::Float(self.rng.pick(&floats)),
            2 => AttrValue::Str(self.rng.pick(STRINGS).to_string()),
            3 => AttrValue::Bool(self.rng.one_in(2)),
            4 => AttrValue::Ints((0..self.rng.below(3)).map(|k| k as i64 - 1).collect()),
            5 => AttrValue::Floats(floats[..1 + self.rng.below(3)].to_vec()),
            6 => AttrValue::Strs(
                STRINGS[..1 + self.rng.below(3)]
                    .iter()
                    .map(|x| x.to_string())
                    .collect(),
            ),
            7 => AttrValue::DType(self.rng.pick(&DType::ALL)),
            8 => {
                let mut shape = vec![Dim::symbol("n")];
                shape.extend((0..self.rng.below(2)).map(|_| self.dim(s)));
                AttrValue::Shape(shape)
            }
            9 => {
                let dtype = self.rng.pick(&DType::ALL);
                let len = self.rng.below(3) as u64;
                AttrValue::Literal(self.literal(dtype, vec![len]))
            }
            10 => AttrValue::Slices(vec![
                SliceAxis::full(),
                SliceAxis {
                    start: Bound::Operand(1),
                    stop: Bound::Const(-3),
                    step: -2,
                },
            ]),
            _ => match self.callees.first() {
                Some(f) => AttrValue::Func(f.name.clone()),
                None => AttrValue::Int(3),
            },
        }
    }
}

/// Binds the callee type `p` (lone symbols and constants) to the caller type `a`, extending
/// `subst`; false when they cannot agree.
fn binds(p: &TensorType, a: &TensorType, subst: &mut HashMap<String, Dim>) -> bool {
    if p.dtype != a.dtype || p.rank() != a.rank() {
        return false;
    }
    for (pd, ad) in p.shape.iter().zip(&a.shape) {
        match pd.as_symbol() {
            Some(sym) => match subst.get(sym) {
                Some(d) if d != ad => return false,
                Some(_) => {}
                None => {
                    subst.insert(sym.to_string(), ad.clone());
                }
            },
            None if pd != ad => return false,
            None => {}
        }
    }
    true
}

/// `d` with the callee's symbols replaced, when all of them are bound.
fn substitute_dim(d: &Dim, subst: &HashMap<String, Dim>) -> Option<Dim> {
    if d.symbols().iter().all(|s| subst.contains_key(*s)) {
        d.substitute(subst).ok()
    } else {
        None
    }
}

fn substitute(t: &TensorType, subst: &HashMap<String, Dim>) -> Option<TensorType> {
    let shape = t
        .shape
        .iter()
        .map(|d| substitute_dim(d, subst))
        .collect::<Option<Vec<Dim>>>()?;
    Some(TensorType::new(t.dtype, shape))
}
