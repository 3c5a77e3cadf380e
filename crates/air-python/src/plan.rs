//! A function's signature prepared once per compiled kernel, so that a call only compares
//! numbers: each declared dim as a constant, a symbol slot or an expression, the parameters that
//! positional arguments bind to, and the order outputs are returned in.

use std::collections::HashMap;

use air_ir::{DType, Dim, Function, Intent, TensorType};
use smallvec::SmallVec;

/// A short list kept on the stack: the per-call lists (one entry per parameter, result or
/// symbol) rarely need more.
pub type Small<T> = SmallVec<[T; 8]>;

/// How a declared dim is known at call time.
#[derive(Clone, Debug)]
pub enum DimPlan {
    /// A constant extent.
    Const(i64),
    /// A lone symbol: slot `k` of [`Plan::symbols`].
    Sym(usize),
    /// An expression over symbols (`n+1`), evaluated once its symbols are bound.
    Expr(Dim),
}

/// A parameter or result: its name (as the user sees it), dtype and dims.
#[derive(Clone, Debug)]
pub struct Slot {
    /// The parameter's name, or the result's (`result0`... when unnamed).
    pub name: String,
    /// The declared type, for messages.
    pub ty: TensorType,
    /// The declared dtype.
    pub dtype: DType,
    /// The declared dims.
    pub dims: Vec<DimPlan>,
}

/// One value a call returns: a declared result, or an `out`/`inout` parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    /// Declared result `k`.
    Result(usize),
    /// Parameter `j` (`out` or `inout`).
    Param(usize),
}

/// A function's signature, prepared for calls.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The function's name.
    pub function: String,
    /// The parameters with their intents, in signature order.
    pub params: Vec<(Slot, Intent)>,
    /// The declared results.
    pub results: Vec<Slot>,
    /// The dimension symbols that occur as lone dims, by slot.
    pub symbols: Vec<String>,
    /// The parameters positional arguments bind to (`in` and `inout`), in order.
    pub positional: Vec<usize>,
    /// What a call returns, in order: the results, then the `out`/`inout` parameters.
    pub outputs: Vec<Output>,
    /// The size parameters (op set 2, `%len: i64 size n`): the parameter and the slot of the
    /// symbol its value binds.
    pub sizes: Vec<(usize, usize)>,
}

impl Plan {
    /// The plan of a function's signature.
    pub fn new(f: &Function) -> Plan {
        let mut symbols: Vec<String> = vec![];
        let mut slot = |name: String, ty: &TensorType| {
            let dims = ty
                .shape
                .iter()
                .map(|d| match (d.as_const(), d.as_symbol()) {
                    (Some(c), _) => DimPlan::Const(c),
                    (None, Some(s)) => {
                        let k = symbols.iter().position(|x| x == s).unwrap_or_else(|| {
                            symbols.push(s.to_string());
                            symbols.len() - 1
                        });
                        DimPlan::Sym(k)
                    }
                    (None, None) => DimPlan::Expr(d.clone()),
                })
                .collect();
            Slot {
                name,
                ty: ty.clone(),
                dtype: ty.dtype,
                dims,
            }
        };
        let params: Vec<(Slot, Intent)> = f
            .params
            .iter()
            .map(|p| (slot(p.name.clone(), &p.ty), p.intent))
            .collect();
        let results: Vec<Slot> = f
            .results
            .iter()
            .enumerate()
            .map(|(k, r)| {
                let name = r.name.clone().unwrap_or_else(|| format!("result{k}"));
                slot(name, &r.ty)
            })
            .collect();
        let mut sizes = vec![];
        for (j, p) in f.params.iter().enumerate() {
            if let Some(s) = &p.size {
                let k = symbols.iter().position(|x| x == s).unwrap_or_else(|| {
                    symbols.push(s.clone());
                    symbols.len() - 1
                });
                sizes.push((j, k));
            }
        }
        let positional = (0..params.len())
            .filter(|&j| params[j].1 != Intent::Out)
            .collect();
        let outputs = (0..results.len())
            .map(Output::Result)
            .chain(
                (0..params.len())
                    .filter(|&j| params[j].1 != Intent::In)
                    .map(Output::Param),
            )
            .collect();
        Plan {
            function: f.name.clone(),
            params,
            results,
            symbols,
            positional,
            outputs,
            sizes,
        }
    }

    /// The slot of an output.
    pub fn output(&self, o: Output) -> &Slot {
        match o {
            Output::Result(k) => &self.results[k],
            Output::Param(j) => &self.params[j].0,
        }
    }

    /// The parameter named `name`.
    pub fn param_index(&self, name: &str) -> Option<usize> {
        self.params.iter().position(|(s, _)| s.name == name)
    }

    /// True when both plans have the same parameter names and intents and result count (the
    /// same function specialised to other dtypes).
    pub fn same_shape_as(&self, other: &Plan) -> bool {
        self.results.len() == other.results.len()
            && self.params.len() == other.params.len()
            && self
                .params
                .iter()
                .zip(&other.params)
                .all(|((a, i), (b, j))| a.name == b.name && i == j)
    }
}

/// The symbol values a call binds, by slot (and by name when expressions need them).
pub struct Symbols {
    /// The extent and where it was bound (parameter, axis), by slot.
    pub values: SmallVec<[Option<(i64, u32, u32)>; 4]>,
    by_name: Option<HashMap<String, i64>>,
}

impl Symbols {
    /// No symbol bound yet.
    pub fn new(plan: &Plan) -> Symbols {
        Symbols {
            values: smallvec::smallvec![None; plan.symbols.len()],
            by_name: None,
        }
    }

    /// The value of a dim, when its symbols are bound.
    pub fn eval(&mut self, plan: &Plan, d: &DimPlan) -> Option<i64> {
        match d {
            DimPlan::Const(c) => Some(*c),
            DimPlan::Sym(k) => self.values[*k].map(|(v, _, _)| v),
            DimPlan::Expr(e) => {
                let env = self.by_name.get_or_insert_with(|| {
                    plan.symbols
                        .iter()
                        .zip(&self.values)
                        .filter_map(|(s, v)| v.map(|(v, _, _)| (s.clone(), v)))
                        .collect()
                });
                e.eval(env)
            }
        }
    }
}
