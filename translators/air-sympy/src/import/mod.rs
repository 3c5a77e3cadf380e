//! srepr → AIR: parse, check every head, hash-cons, plan the signature, lower each equation.

mod analyze;
mod bounds;
mod dims;
mod index;
mod lower;
mod matrix;
mod plan;
mod structure;
mod term;

use std::collections::{BTreeSet, HashMap};

use air_ir::builder::FunctionBuilder;
use air_ir::{DType, Intent, Module, Value};

use crate::error::{locate, Error, Position, Problem, ProblemKind};
use crate::syntax::{self, NodeId, Tree};
use crate::{check, Options};
use analyze::{integer_symbol, Analysis, Equation, Lhs};
use lower::{Lowerer, R};
use plan::Plan;
use term::{Term, Weak};

/// Where the nodes of the hash-consed tree came from, to place problems in the text.
pub(crate) struct Source<'a> {
    raw: &'a Tree,
    parents: Vec<Option<(NodeId, syntax::Step)>>,
    /// For each DAG node, the first raw node that became it.
    first: Vec<NodeId>,
}

impl Source<'_> {
    /// A problem about a DAG node, placed at its first occurrence in the text.
    pub(crate) fn problem(&self, kind: ProblemKind, message: String, at: NodeId) -> Problem {
        let raw = self.first.get(at.index()).copied();
        let pos = raw.map(|r| Position::unlocated(self.raw.node(r).span.0));
        let path = raw
            .map(|r| self.raw.path(&self.parents, r))
            .unwrap_or_default();
        Problem {
            kind,
            message,
            pos,
            path,
        }
    }
}

/// See [`crate::import`].
pub fn import(text: &str, opts: &Options) -> Result<Module, Error> {
    import_located(text, opts).map_err(|e| match e {
        Error::Import(mut problems) => {
            locate(text, &mut problems);
            problems.truncate(check::MAX_LISTED + 1);
            Error::Import(problems)
        }
        e @ (Error::Parse(_) | Error::Air(_) | Error::Export(_)) => e,
    })
}

fn import_located(text: &str, opts: &Options) -> Result<Module, Error> {
    let raw = syntax::parse(text, opts.limits).map_err(Error::Parse)?;
    let problems = check::check(text, &raw);
    if !problems.is_empty() {
        return Err(Error::Import(problems));
    }
    let (dag, map) = raw.hash_cons();
    let mut first = vec![NodeId(0); dag.nodes.len()];
    let mut set = vec![false; dag.nodes.len()];
    for (r, d) in map.iter().enumerate() {
        if !set[d.index()] {
            set[d.index()] = true;
            first[d.index()] = NodeId(r as u32);
        }
    }
    let src = Source {
        raw: &raw,
        parents: raw.parents(),
        first,
    };
    let an = analyze::analyze(&src, &dag).map_err(Error::Import)?;
    let plan = plan::plan(&src, &dag, &an, opts).map_err(Error::Import)?;
    let function = build(&src, &dag, &an, &plan, opts)?;
    let mut m = Module {
        producer: format!("air-sympy {}", env!("CARGO_PKG_VERSION")),
        functions: vec![function],
        ..Module::default()
    };
    // The lowest op set with every op used, so older readers read what they can (spec section 2).
    m.opset_version = m.required_opset();
    Ok(m)
}

fn build(
    src: &Source,
    dag: &Tree,
    an: &Analysis,
    plan: &Plan,
    opts: &Options,
) -> Result<air_ir::Function, Error> {
    let mut fb = FunctionBuilder::new(&opts.function).unify_dims(true);
    let mut vars = HashMap::new();
    let mut params = HashMap::new();
    for p in &plan.params {
        let v = fb.param(&p.name, p.ty.clone(), p.intent);
        params.insert(p.name.clone(), (v, p.intent));
        if p.intent != Intent::Out {
            vars.insert(p.name.clone(), v);
        }
    }
    let mut l = Lowerer {
        src,
        dag,
        an,
        opts,
        fb,
        vars,
        labels: vec![],
        free: HashMap::new(),
        bound: vec![],
        keep: vec![],
        memo: HashMap::new(),
        dim_values: HashMap::new(),
    };
    let mut problems = vec![];
    let mut failed: BTreeSet<String> = BTreeSet::new();
    for (k, eq) in an.equations.iter().enumerate() {
        let name = eq.lhs.name().to_string();
        if an.reads[k].iter().any(|r| failed.contains(r)) {
            failed.insert(name);
            continue;
        }
        let target = params.get(&name).map(|(v, _)| *v);
        match l.equation(eq, target) {
            Ok(v) => {
                l.vars.insert(name, v);
            }
            Err(p) => {
                problems.push(p);
                failed.insert(name);
            }
        }
    }
    if !problems.is_empty() {
        return Err(Error::Import(problems));
    }
    let mut results = vec![];
    for r in &plan.results {
        match l.vars.get(r) {
            Some(&v) => results.push((Some(r.clone()), v)),
            None => problems.push(src.problem(
                ProblemKind::Invalid,
                format!("the output `{r}` is never assigned"),
                dag.root,
            )),
        }
    }
    for p in plan.params.iter().filter(|p| p.intent != Intent::In) {
        let (param, _) = params[&p.name];
        let value = l.vars.get(&p.name).copied().unwrap_or(param);
        if let Err(d) = l.fb.assign(param, value) {
            problems.push(l.diag(d, dag.root));
        }
    }
    if !problems.is_empty() {
        return Err(Error::Import(problems));
    }
    let params: Vec<(String, Value)> = plan
        .params
        .iter()
        .map(|p| (p.name.clone(), params[&p.name].0))
        .collect();
    finish(l, &params, &results)
}

/// Ends the function, first turning shapes that no input can have into problems in SymPy's
/// terms: a negative extent, or one that no input binds (which AIR would report as E0214).
fn finish(
    l: Lowerer,
    params: &[(String, Value)],
    results: &[(Option<String>, Value)],
) -> Result<air_ir::Function, Error> {
    let named: Vec<(String, Value)> = params
        .iter()
        .cloned()
        .chain(results.iter().filter_map(|(n, v)| Some((n.clone()?, *v))))
        .collect();
    if let Some(p) = l.negative_extent(&named) {
        return Err(Error::Import(vec![p]));
    }
    let mut l = l;
    let param_values: Vec<Value> = params.iter().map(|(_, v)| *v).collect();
    let result_values: Vec<Value> = results.iter().map(|(_, v)| *v).collect();
    // Sizes (op set 2): an integer scalar parameter named as a dimension is its size parameter
    // (SymPy's codegen passes dims as `int` arguments); a dimension that no input binds and no
    // parameter names becomes a new size parameter of that name, after the others, in name order.
    let mut sizes = vec![];
    for (name, v) in params {
        let is_int_scalar =
            l.fb.value_type(*v)
                .is_some_and(|t| t.rank() == 0 && t.dtype.is_int());
        let is_in = l.fb.param_intent(*v) == Some(Intent::In);
        if l.an.dims.contains(name) && is_int_scalar && is_in {
            l.fb.set_size(*v, name)
                .map_err(|d| Error::Air(air_ir::Diagnostics(vec![d])))?;
            sizes.push(name.clone());
        }
    }
    for s in l.unbound_extents(&param_values, &result_values, &sizes) {
        if !params.iter().any(|(n, _)| *n == s) {
            l.fb.size_param(&s, air_ir::DType::I64, &s);
            sizes.push(s);
        }
    }
    let unbound = l.unbound_extents(&param_values, &result_values, &sizes);
    let problem = (!unbound.is_empty()).then(|| l.unbound_problem(&unbound));
    l.fb.finish(results).map_err(|d| match problem {
        Some(p) if d.0.iter().all(|x| x.code == air_ir::Code::UnknownSymbol) => {
            Error::Import(vec![p])
        }
        _ => Error::Air(d),
    })
}

impl Lowerer<'_> {
    /// Lowers one equation; returns the value its left side gets (in the parameter's type when
    /// `target` is the `out`/`inout` parameter it writes).
    fn equation(&mut self, eq: &Equation, target: Option<Value>) -> R<Value> {
        self.free.clear();
        self.memo.clear();
        self.bound.clear();
        self.keep.clear();
        let value = match &eq.lhs {
            Lhs::Matrix { name, node } => {
                let v = self.lower_matrix(eq.rhs)?;
                let t = Term::arr(v, None, vec![]);
                let dtype = self.lhs_dtype(&eq.lhs, &t, target);
                let v = self.materialize(&t, dtype, eq.rhs)?;
                let shape = self.fb.value_type(v).map(|t| t.shape).unwrap_or_default();
                for (k, have) in shape.iter().enumerate() {
                    let want = self.dim(self.dag.node(*node).args[k + 1])?;
                    self.unify(have, &want, &format!("the shape of `{name}`"), *node)?;
                }
                v
            }
            Lhs::Scalar { .. } => {
                self.check_structure(eq.rhs)?;
                let t = self.lower_rhs(eq.rhs)?;
                let dtype = self.lhs_dtype(&eq.lhs, &t, target);
                self.prepare(&t, dtype, &[], eq.rhs)?
            }
            Lhs::Array {
                name,
                base,
                indices,
            } => {
                for &i in indices {
                    let label = self.idx_label(i)?;
                    if self.keep.contains(&label) {
                        return Err(self.fail(
                            ProblemKind::Unsupported,
                            "an index repeated on the left side".into(),
                            i,
                        ));
                    }
                    self.keep.push(label);
                }
                self.lhs_shape(name, *base)?;
                self.check_structure(eq.rhs)?;
                let t = self.lower_rhs(eq.rhs)?;
                let dtype = self.lhs_dtype(&eq.lhs, &t, target);
                let keep = self.keep.clone();
                self.prepare(&t, dtype, &keep, eq.rhs)?
            }
        };
        if let Some(p) = target {
            let want = self.fb.value_type(p).map(|t| t.shape).unwrap_or_default();
            let have = self
                .fb
                .value_type(value)
                .map(|t| t.shape)
                .unwrap_or_default();
            for (a, b) in want.iter().zip(&have) {
                self.unify(a, b, &format!("the parameter `{}`", eq.lhs.name()), eq.node)?;
            }
        }
        Ok(value)
    }

    /// Unifies the left side's IndexedBase shape, when it has one, with its index ranges.
    fn lhs_shape(&mut self, name: &str, base: NodeId) -> R<()> {
        let Some(&shape) = self.dag.node(base).args.get(1) else {
            return Ok(());
        };
        let dims = match analyze::head(self.dag, shape) {
            Some(crate::vocab::Head::Tuple) => self.dag.node(shape).args.clone(),
            _ => vec![shape],
        };
        for (d, l) in dims.iter().zip(self.keep.clone()) {
            let want = self.dim(*d)?;
            let ext = self.labels[l].extent.clone();
            self.unify(&want, &ext, &format!("the shape of `{name}`"), *d)?;
        }
        Ok(())
    }

    /// The dtype the left side gets: an out/inout parameter's; the options' for that name; the
    /// computed dtype; or, for a weak value (numbers and indices only), the left side's
    /// assumptions (`integer=True` gives `i64`, anything else the default dtype).
    fn lhs_dtype(&self, lhs: &Lhs, t: &Term, target: Option<Value>) -> DType {
        if let Some(ty) = target.and_then(|p| self.fb.value_type(p)) {
            return ty.dtype;
        }
        if let Some(d) = self.opts.dtypes.get(lhs.name()) {
            return *d;
        }
        match t.weak() {
            None => self.dtype_of(t),
            Some(Weak::Bool) => DType::Bool,
            Some(_) => {
                let symbol = match lhs {
                    Lhs::Scalar { symbol, .. } => Some(*symbol),
                    Lhs::Array { base, .. } => Some(self.dag.node(*base).args[0]),
                    Lhs::Matrix { .. } => None,
                };
                match symbol {
                    Some(s) if integer_symbol(self.dag, s) => DType::I64,
                    _ => self.opts.default_dtype,
                }
            }
        }
    }
}
