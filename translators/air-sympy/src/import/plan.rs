//! The function's signature: which names are parameters (and with which intent, type and order)
//! and which left sides are results.

use std::collections::BTreeSet;

use air_ir::{DType, Dim, Intent, TensorType};

use super::analyze::{head, integer_symbol, Analysis, Kind, Lhs};
use super::dims::to_dim;
use super::Source;
use crate::error::{Problem, ProblemKind};
use crate::syntax::{NodeId, Tree};
use crate::vocab::Head;
use crate::Options;

/// One parameter of the function.
#[derive(Clone, Debug)]
pub(crate) struct ParamPlan {
    /// The name.
    pub name: String,
    /// Its declared type.
    pub ty: TensorType,
    /// Its intent.
    pub intent: Intent,
}

/// The signature of the function to build.
#[derive(Clone, Debug, Default)]
pub(crate) struct Plan {
    /// The parameters, in order.
    pub params: Vec<ParamPlan>,
    /// The left-side names that are results, in order.
    pub results: Vec<String>,
}

/// Plans the signature. A name is a parameter when an equation reads it before any equation
/// assigns it, or when `opts.args` lists it; an assigned parameter is `inout`, a listed name
/// that is only assigned is `out`. Without `opts.args` the order is SymPy codegen's default. The other left sides are results, except those a later
/// equation reads (temporaries), unless `opts.outputs` lists them.
pub(crate) fn plan(
    src: &Source,
    dag: &Tree,
    an: &Analysis,
    opts: &Options,
) -> Result<Plan, Vec<Problem>> {
    let mut problems = vec![];
    let mut assigned = BTreeSet::new();
    let mut read_first = BTreeSet::new();
    for (eq, reads) in an.equations.iter().zip(&an.reads) {
        read_first.extend(reads.iter().filter(|n| !assigned.contains(*n)).cloned());
        assigned.insert(eq.lhs.name().to_string());
    }
    // SymPy's codegen default (`CodeGen.routine` with `argument_sequence=None`): the inputs
    // sorted by name, then the arguments an equation assigns (here `inout`) sorted by name.
    let (inout, input): (Vec<String>, Vec<String>) = read_first
        .iter()
        .cloned()
        .partition(|n| assigned.contains(n));
    let mut names: Vec<String> = input.into_iter().chain(inout).collect();
    if let Some(args) = &opts.args {
        let missing: Vec<&String> = names.iter().filter(|n| !args.contains(n)).collect();
        if !missing.is_empty() {
            problems.push(Problem {
                kind: ProblemKind::Invalid,
                message: format!("the argument list lacks {missing:?}, which the equations read"),
                pos: None,
                path: String::new(),
            });
        }
        names = args.clone();
    }
    let mut params = vec![];
    for name in &names {
        let intent = match (read_first.contains(name), assigned.contains(name)) {
            (true, true) => Intent::InOut,
            (false, true) => Intent::Out,
            _ => Intent::In,
        };
        match param_type(src, dag, an, opts, name) {
            Ok(ty) => params.push(ParamPlan {
                name: name.clone(),
                ty,
                intent,
            }),
            Err(p) => problems.push(p),
        }
    }
    let results = results(an, opts, &names, &mut problems);
    if problems.is_empty() {
        Ok(Plan { params, results })
    } else {
        Err(problems)
    }
}

fn results(
    an: &Analysis,
    opts: &Options,
    params: &[String],
    problems: &mut Vec<Problem>,
) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    for (k, eq) in an.equations.iter().enumerate() {
        let name = eq.lhs.name();
        if params.iter().any(|p| p == name) || out.iter().any(|o| o == name) {
            continue;
        }
        let read_later = an.reads[k + 1..].iter().any(|r| r.contains(name));
        if !read_later {
            out.push(name.to_string());
        }
    }
    if let Some(wanted) = &opts.outputs {
        let lhs: Vec<&str> = an.equations.iter().map(|e| e.lhs.name()).collect();
        for w in wanted {
            if !lhs.contains(&w.as_str()) || params.contains(w) {
                problems.push(Problem {
                    kind: ProblemKind::Invalid,
                    message: format!(
                        "the output `{w}` is not the left side of an equation (or is a parameter)"
                    ),
                    pos: None,
                    path: String::new(),
                });
            }
        }
        out = wanted.clone();
    }
    out
}

/// The dtype of a name: from the options, else an assumption SymPy takes as integer gives `i64`,
/// else the default.
pub(crate) fn dtype_of(dag: &Tree, opts: &Options, name: &str, symbol: Option<NodeId>) -> DType {
    if let Some(d) = opts.dtypes.get(name) {
        return *d;
    }
    match symbol {
        Some(s) if integer_symbol(dag, s) => DType::I64,
        _ => opts.default_dtype,
    }
}

fn param_type(
    src: &Source,
    dag: &Tree,
    an: &Analysis,
    opts: &Options,
    name: &str,
) -> Result<TensorType, Problem> {
    let no_index = |n: &str| an.indices.contains(n);
    match an.kinds.get(name) {
        Some(Kind::Scalar(sym)) => Ok(TensorType::scalar(dtype_of(dag, opts, name, Some(*sym)))),
        Some(Kind::Matrix(m)) => {
            let n = dag.node(*m);
            let dims = n.args[1..]
                .iter()
                .map(|&d| to_dim(src, dag, d, &no_index))
                .collect::<Result<Vec<_>, _>>()?;
            non_negative(src, name, &dims, *m)?;
            Ok(TensorType::new(dtype_of(dag, opts, name, None), dims))
        }
        Some(Kind::Array { rank, base }) => {
            let label = dag.node(*base).args[0];
            let dtype = dtype_of(dag, opts, name, Some(label));
            let shape = array_shape(src, dag, an, name, *rank, &no_index)?;
            non_negative(src, name, &shape, *base)?;
            Ok(TensorType::new(dtype, shape))
        }
        // A dimension in the argument list, as SymPy's codegen passes it (an `int`): a size
        // parameter (op set 2), marked as such when the function is finished.
        None if an.dims.contains(name) => {
            let dtype = opts.dtypes.get(name).copied().unwrap_or(DType::I64);
            Ok(TensorType::scalar(dtype))
        }
        None => {
            // Listed in `args` but absent from the equations: a scalar, as SymPy's codegen does.
            let dtype = opts.dtypes.get(name).copied().unwrap_or(opts.default_dtype);
            Ok(TensorType::scalar(dtype))
        }
    }
}

/// A problem when a constant extent of `name`'s shape is negative.
fn non_negative(src: &Source, name: &str, shape: &[Dim], at: NodeId) -> Result<(), Problem> {
    match shape.iter().find(|d| d.as_const().is_some_and(|c| c < 0)) {
        Some(d) => Err(src.problem(
            ProblemKind::Dims,
            format!("the shape of `{name}` has the negative extent {d}"),
            at,
        )),
        None => Ok(()),
    }
}

/// The shape of an array: from the first IndexedBase that gives one, else from the Idx ranges of
/// a left side, else placeholder symbols (`x_dim0`) that the indexing unifies.
fn array_shape(
    src: &Source,
    dag: &Tree,
    an: &Analysis,
    name: &str,
    rank: usize,
    no_index: &dyn Fn(&str) -> bool,
) -> Result<Vec<Dim>, Problem> {
    if let Some(&b) = an.shaped.get(name) {
        let shape = dag.node(b).args[1];
        let dims = match head(dag, shape) {
            Some(Head::Tuple) => dag.node(shape).args.clone(),
            _ => vec![shape],
        };
        return dims
            .iter()
            .map(|&d| to_dim(src, dag, d, no_index))
            .collect();
    }
    for eq in &an.equations {
        if let Lhs::Array {
            name: n, indices, ..
        } = &eq.lhs
        {
            if n == name && indices.iter().all(|&i| dag.node(i).args.len() == 2) {
                return indices
                    .iter()
                    .map(|&i| idx_extent(src, dag, i, no_index))
                    .collect();
            }
        }
    }
    Ok((0..rank)
        .map(|k| {
            let mut s = format!("{name}_dim{k}");
            while an.dims.contains(&s) || an.kinds.contains_key(&s) || an.indices.contains(&s) {
                s.push('_');
            }
            Dim::symbol(s)
        })
        .collect())
}

fn idx_extent(
    src: &Source,
    dag: &Tree,
    idx: NodeId,
    no_index: &dyn Fn(&str) -> bool,
) -> Result<Dim, Problem> {
    let range = dag.node(idx).args[1];
    if head(dag, range) != Some(Head::Tuple) {
        return to_dim(src, dag, range, no_index);
    }
    let b = &dag.node(range).args;
    let lo = to_dim(src, dag, b[0], no_index)?;
    let hi = to_dim(src, dag, b[1], no_index)?;
    hi.sub(&lo)
        .and_then(|d| d.add(&Dim::constant(1)))
        .map_err(|_| src.problem(ProblemKind::Invalid, "range overflows".into(), range))
}
