//! The evaluator: functions, regions and the dispatch of every op to its family's module.
//!
//! Each op's code carries a `// spec: #name` comment naming its section of `docs/spec.md`; the
//! edge-case rules are those of `docs/op-rules.md`.

pub(crate) mod binary;
pub(crate) mod cast;
pub(crate) mod contract;
pub(crate) mod control;
pub(crate) mod create;
pub(crate) mod frame;
pub(crate) mod index;
pub(crate) mod reduce;
pub(crate) mod scalar;
pub(crate) mod scatter;
pub(crate) mod shape;
pub(crate) mod unary;

use std::cell::Cell;
use std::collections::HashMap;

use air_ir::{Code, Function, Intent, Module, Node, NodeId, Op, Region, Value};

use air_value::{memory, RunOptions};

use crate::error::{fail, Result};
use crate::tensor::Tensor;
use frame::{Binding, Frame};

/// How deep calls may nest: the validator's limit ([`air_ir::limits::Limits::max_call_depth`]),
/// checked here too for modules run unchecked. A validated module never reaches it, so the
/// interpreter refuses exactly what the validator refuses (E0408). The interpreter recurses on the
/// Rust stack; [`crate::run_unchecked`] gives it a thread with a stack big enough for this depth.
fn max_depth() -> usize {
    air_ir::limits::Limits::default().max_call_depth
}

/// The most elements one tensor may have: the interpreter refuses to allocate more (E0508), so
/// a shape attribute like `[1000000, 1000000]` fails cleanly instead of exhausting memory.
pub(crate) const MAX_ELEMENTS: usize = 1 << 32;

/// Checks the element count of a shape the interpreter is about to allocate (E0508).
pub(crate) fn check_size(shape: &[usize]) -> Result<()> {
    match shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d)) {
        Some(n) if n <= MAX_ELEMENTS => Ok(()),
        _ => fail(
            Code::TooLarge,
            format!("a tensor of shape {shape:?} is larger than the interpreter allows ({MAX_ELEMENTS} elements)"),
        ),
    }
}

/// Results of at least this many bytes are asked of the allocator before the op computes them
/// ([`air_value::memory::probe`]), so that a refusal is E0508 and not an abort.
const PROBE_BYTES: u64 = 1 << 24;

/// The interpreter over one module.
pub(crate) struct Interp<'m> {
    /// The functions of the module `call` and `custom` refer to, by name (the first of two with one name), built once: a call
    /// looks its callee up in constant time, not by a scan of the module.
    by_name: HashMap<&'m str, &'m Function>,
    depth: Cell<usize>,
    /// The most bytes of node results live at once (`--max-memory`), if any.
    budget: Option<u64>,
    /// The bytes of node results held by the regions now running.
    live: Cell<u64>,
    /// The most body iterations of one `while` execution (`--max-iterations`), if any.
    pub(crate) max_while_iterations: Option<u64>,
}

impl<'m> Interp<'m> {
    /// An interpreter for `module` with the memory budget of `opts`.
    pub(crate) fn new(module: &'m Module, opts: &RunOptions) -> Interp<'m> {
        let mut by_name = HashMap::with_capacity(module.functions.len());
        for f in &module.functions {
            by_name.entry(f.name.as_str()).or_insert(f);
        }
        Interp {
            by_name,
            depth: Cell::new(0),
            budget: opts.max_memory,
            live: Cell::new(0),
            max_while_iterations: opts.max_while_iterations,
        }
    }

    /// Checks `bytes` more for `what` against the budget (E0508 when over it) and, when large,
    /// asks the allocator for them first (E0508 when it refuses).
    pub(crate) fn reserve(&self, bytes: u64, what: &str) -> Result<()> {
        let live = self.live.get();
        if let Some(budget) = self.budget {
            if live.saturating_add(bytes) > budget {
                return Err(memory::over_budget(bytes, what, live, budget));
            }
        }
        if bytes >= PROBE_BYTES {
            memory::probe(bytes, what)?;
        }
        Ok(())
    }

    /// The bytes of the results a node declares, as far as their dims are known before it runs
    /// (a fresh dim is known only after): checked against the budget before the op allocates.
    fn reserve_results(&self, frame: &Frame, node: &Node) -> Result<()> {
        let mut total: u64 = 0;
        for ty in &node.results {
            let Some(shape) = frame.known_shape(&ty.shape)? else {
                continue;
            };
            total = total.saturating_add(memory::tensor_bytes(ty.dtype, &shape)?);
        }
        if total == 0 {
            return Ok(());
        }
        self.reserve(total, &format!("the results of {}", node.op.name()))
    }

    /// The function named `name` (E0402 when there is none).
    pub(crate) fn function(&self, name: &str) -> Result<&'m Function> {
        match self.by_name.get(name) {
            Some(&f) => Ok(f),
            None => fail(
                Code::UnknownFunction,
                format!("no function @{name} in the module"),
            ),
        }
    }

    /// Calls `f` with one value per parameter (`None` for an `out` parameter not given: it starts
    /// as zeros) and returns what its body yields: the declared results, then out/inout params.
    pub(crate) fn call(&self, f: &Function, args: &[Option<&Tensor>]) -> Result<Vec<Tensor>> {
        if self.depth.get() >= max_depth() {
            return fail(
                Code::CallTooDeep,
                format!("calls nest deeper than {}", max_depth()),
            );
        }
        self.depth.set(self.depth.get() + 1);
        let out = self.call_inner(f, args).map_err(|e| e.in_function(&f.name));
        self.depth.set(self.depth.get() - 1);
        out
    }

    fn call_inner(&self, f: &Function, args: &[Option<&Tensor>]) -> Result<Vec<Tensor>> {
        if args.len() != f.params.len() || f.body.params.len() != f.params.len() {
            return fail(
                Code::CallMismatch,
                format!(
                    "@{} has {} params, got {} values",
                    f.name,
                    f.params.len(),
                    args.len()
                ),
            );
        }
        let bindings: Vec<Binding<'_>> = f
            .params
            .iter()
            .zip(args)
            .map(|(p, v)| Binding {
                name: &p.name,
                ty: &p.ty,
                value: *v,
                size: p.size.as_deref(),
            })
            .collect();
        let mut frame = Frame::bind(&bindings)?;
        // An `out` parameter left out starts as zeros of its declared shape (it is never read).
        let mut placeholders = Vec::new();
        for (p, v) in f.params.iter().zip(args) {
            if v.is_none() {
                if p.intent != Intent::Out {
                    return fail(Code::BadInput, format!("missing value for %{}", p.name));
                }
                let shape = frame.out_shape(&p.name, &p.ty)?;
                let what = format!("out parameter %{}", p.name);
                self.reserve(memory::tensor_bytes(p.ty.dtype, &shape)?, &what)?;
                placeholders.push(Tensor::try_zeros(p.ty.dtype, &shape)?);
            }
        }
        let mut fill = placeholders.iter();
        let values: Vec<&Tensor> = args
            .iter()
            .filter_map(|v| v.or_else(|| fill.next()))
            .collect();
        let yields = self.region(&mut frame, &f.body, &values)?;
        let want = f.yield_types();
        if yields.len() != want.len() {
            return fail(
                Code::ReturnMismatch,
                format!(
                    "@{} yields {} values, its signature {}",
                    f.name,
                    yields.len(),
                    want.len()
                ),
            );
        }
        for (i, (ty, v)) in want.iter().zip(&yields).enumerate() {
            frame.check(&format!("yielded value {i}"), ty, v, false)?;
        }
        Ok(yields)
    }

    /// Evaluates a region on its arguments and returns the values it yields.
    pub(crate) fn region(
        &self,
        frame: &mut Frame,
        region: &Region,
        args: &[&Tensor],
    ) -> Result<Vec<Tensor>> {
        if args.len() != region.params.len() {
            return fail(
                Code::RegionMismatch,
                format!(
                    "region takes {} values, got {}",
                    region.params.len(),
                    args.len()
                ),
            );
        }
        for (p, v) in region.params.iter().zip(args) {
            frame.check(&format!("region param %{}", p.name), &p.ty, v, false)?;
        }
        // The bytes of this region's node results, live until it returns.
        let held = Cell::new(0u64);
        let out = self.region_nodes(frame, region, args, &held);
        self.live.set(self.live.get().saturating_sub(held.get()));
        out
    }

    fn region_nodes(
        &self,
        frame: &mut Frame,
        region: &Region,
        args: &[&Tensor],
        held: &Cell<u64>,
    ) -> Result<Vec<Tensor>> {
        let mut results: Vec<Vec<Tensor>> = Vec::with_capacity(region.nodes.len());
        for (i, node) in region.nodes.iter().enumerate() {
            let id = NodeId(i as u32);
            let outs = {
                let operands = node
                    .operands
                    .iter()
                    .map(|&v| lookup(args, &results, v))
                    .collect::<Result<Vec<&Tensor>>>();
                operands.and_then(|ops| self.node(frame, node, &ops, held))
            };
            results.push(outs.map_err(|e| e.at_node(id, node))?);
        }
        region
            .results
            .iter()
            .map(|&v| lookup(args, &results, v).cloned())
            .collect()
    }

    /// Evaluates one node and checks its results against the declared types.
    fn node(
        &self,
        frame: &mut Frame,
        node: &Node,
        x: &[&Tensor],
        held: &Cell<u64>,
    ) -> Result<Vec<Tensor>> {
        self.reserve_results(frame, node)?;
        let outs = self.op(frame, node, x)?;
        // What the results really take (fresh dims are known now): over the budget, the run
        // stops here rather than going on to allocate more.
        let mut bytes: u64 = 0;
        for t in &outs {
            bytes = bytes.saturating_add(memory::tensor_bytes(t.dtype(), t.shape())?);
        }
        if let Some(budget) = self.budget {
            let live = self.live.get();
            if live.saturating_add(bytes) > budget {
                let what = format!("the results of {}", node.op.name());
                return Err(memory::over_budget(bytes, &what, live, budget));
            }
        }
        self.live.set(self.live.get().saturating_add(bytes));
        held.set(held.get().saturating_add(bytes));
        if outs.len() != node.results.len() {
            return fail(
                Code::ResultCount,
                format!(
                    "declares {} results, computes {}",
                    node.results.len(),
                    outs.len()
                ),
            );
        }
        // The ops whose results may have fresh dims: `filter`, `slice` and `unique` (op-rules
        // "Shape ops"), and those passing on a region's or callee's fresh dims (`if`, `call`,
        // `custom`).
        let fresh = matches!(
            node.op,
            Op::Filter
                | Op::Slice { .. }
                | Op::Unique
                | Op::If { .. }
                | Op::Call { .. }
                | Op::Custom(_)
        );
        for (i, (ty, v)) in node.results.iter().zip(&outs).enumerate() {
            frame.check(&format!("result {i}"), ty, v, fresh)?;
        }
        Ok(outs)
    }

    /// The dispatch: one arm per op of op set v1.
    fn op(&self, frame: &mut Frame, node: &Node, x: &[&Tensor]) -> Result<Vec<Tensor>> {
        let one = |t: Result<Tensor>| t.map(|t| vec![t]);
        match &node.op {
            Op::Constant(lit) => one(arity(x, 0).and_then(|_| create::constant(lit))),
            Op::Iota { dtype, shape, axis } => {
                arity(x, 0)?;
                one(create::iota(*dtype, &frame.extents(shape)?, *axis))
            }
            Op::Full { value, shape } => {
                arity(x, 0)?;
                one(create::full(value, &frame.extents(shape)?))
            }
            Op::Unary(op) => one(arity(x, 1).and_then(|_| unary::unary(*op, x[0]))),
            Op::Binary(op) => one(arity(x, 2).and_then(|_| binary::binary(*op, x[0], x[1]))),
            Op::Select => one(arity(x, 3).and_then(|_| binary::select(x[0], x[1], x[2]))),
            Op::Cast { dtype } => one(arity(x, 1).map(|_| cast::cast(x[0], *dtype))),
            Op::Clip => one(arity(x, 3).and_then(|_| binary::clip(x[0], x[1], x[2]))),
            Op::Broadcast { shape, dims } => {
                arity(x, 1)?;
                one(shape::broadcast(x[0], &frame.extents(shape)?, dims))
            }
            Op::Reshape { shape } => {
                arity(x, 1)?;
                one(shape::reshape(x[0], &frame.extents(shape)?))
            }
            Op::Transpose { perm } => one(arity(x, 1).and_then(|_| shape::transpose(x[0], perm))),
            Op::ExpandDims { axes } => {
                one(arity(x, 1).and_then(|_| shape::expand_dims(x[0], axes)))
            }
            Op::Squeeze { axes } => one(arity(x, 1).and_then(|_| shape::squeeze(x[0], axes))),
            Op::Slice { axes } => one(index::slice(x, axes)),
            Op::Concat { axis } => one(shape::concat(x, *axis)),
            Op::Take { axis } => one(arity(x, 2).and_then(|_| index::take(x[0], x[1], *axis))),
            Op::Extract => one(index::extract(x)),
            Op::Insert => one(index::insert(x)),
            Op::Filter => one(arity(x, 2).and_then(|_| index::filter(x[0], x[1]))),
            Op::Scatter { mode } => {
                one(arity(x, 3).and_then(|_| scatter::scatter(*mode, x[0], x[1], x[2])))
            }
            Op::Gather => one(arity(x, 2).and_then(|_| scatter::gather(x[0], x[1]))),
            Op::Unique => arity(x, 1).and_then(|_| scatter::unique(x[0])),
            Op::Reduce {
                kind,
                axes,
                keepdims,
            } => one(arity(x, 1).and_then(|_| reduce::reduce(*kind, x[0], axes, *keepdims))),
            Op::ArgReduce {
                kind,
                axis,
                keepdims,
            } => one(arity(x, 1).and_then(|_| reduce::arg_reduce(*kind, x[0], *axis, *keepdims))),
            Op::Scan { kind, axis } => {
                one(arity(x, 1).and_then(|_| reduce::scan(*kind, x[0], *axis)))
            }
            Op::Sort { axis, descending } => {
                one(arity(x, 1).and_then(|_| reduce::sort(x[0], *axis, *descending)))
            }
            Op::Einsum { spec } => one(contract::einsum(spec, x)),
            Op::Matmul => one(arity(x, 2).and_then(|_| contract::matmul(x[0], x[1]))),
            Op::For { body } => control::for_loop(self, frame, body, node.results.len(), x),
            Op::If {
                then_branch,
                else_branch,
            } => control::if_op(self, frame, then_branch, else_branch, x),
            Op::While { cond, body } => {
                control::while_loop(self, frame, cond, body, node.results.len(), x)
            }
            Op::Call { callee } => control::call(self, callee, x),
            Op::Custom(custom) => control::custom(self, custom, x),
        }
    }
}

/// The tensor a value refers to (E0301 when the handle points nowhere or forward).
fn lookup<'a>(params: &[&'a Tensor], results: &'a [Vec<Tensor>], v: Value) -> Result<&'a Tensor> {
    let found = match v {
        Value::Param(i) => params.get(i as usize).copied(),
        Value::Result { node, index } => results
            .get(node.index())
            .and_then(|r| r.get(index as usize)),
    };
    match found {
        Some(t) => Ok(t),
        None => fail(
            Code::BadHandle,
            format!("operand {v:?} is not defined before this node"),
        ),
    }
}

/// Checks the operand count (E0218).
pub(crate) fn arity(x: &[&Tensor], n: usize) -> Result<()> {
    if x.len() == n {
        Ok(())
    } else {
        fail(Code::Arity, format!("takes {n} operands, got {}", x.len()))
    }
}

/// The value of a scalar integer operand (E0216 when not rank 0, E0202 when not an integer).
/// Values beyond `i64` (large `u64`) saturate, which only matters for bounds that clamp anyway.
pub(crate) fn scalar_index(t: &Tensor, what: &str) -> Result<i64> {
    use scalar::{Num, Widen};
    if t.rank() != 0 {
        return fail(
            Code::ExpectedScalar,
            format!("{what} must be a scalar, got shape {:?}", t.shape()),
        );
    }
    let value = crate::tensor::with_array!(t, a => a.iter().next().map(|v| v.to_num()));
    match value {
        Some(Num::Int(i)) => Ok(i.clamp(i64::MIN.into(), i64::MAX.into()) as i64),
        _ => fail(
            Code::DTypeNotAccepted,
            format!("{what} must be an integer, got {}", t.dtype()),
        ),
    }
}

/// The value of a scalar `i64` operand: `for` bounds and `extract`/`insert` indices (E0216 when
/// not rank 0, E0202 when not `i64`).
pub(crate) fn scalar_i64(t: &Tensor, what: &str) -> Result<i64> {
    match t {
        Tensor::I64(a) if a.ndim() == 0 => Ok(a.iter().next().copied().unwrap_or_default()),
        Tensor::I64(_) => fail(
            Code::ExpectedScalar,
            format!("{what} must be a scalar, got shape {:?}", t.shape()),
        ),
        Tensor::Bool(_)
        | Tensor::I8(_)
        | Tensor::I16(_)
        | Tensor::I32(_)
        | Tensor::U8(_)
        | Tensor::U16(_)
        | Tensor::U32(_)
        | Tensor::U64(_)
        | Tensor::F16(_)
        | Tensor::BF16(_)
        | Tensor::F32(_)
        | Tensor::F64(_)
        | Tensor::C64(_)
        | Tensor::C128(_) => fail(
            Code::DTypeNotAccepted,
            format!("{what} must be i64, got {}", t.dtype()),
        ),
    }
}

/// The error for an operand of a dtype the op does not accept (E0202).
pub(crate) fn not_accepted<T>(op: &str, t: &Tensor) -> Result<T> {
    fail(
        Code::DTypeNotAccepted,
        format!("{op} does not accept {}", t.dtype()),
    )
}

/// The error for operands whose dtypes differ (E0201).
pub(crate) fn dtype_mismatch<T>(a: &Tensor, b: &Tensor) -> Result<T> {
    fail(
        Code::DTypeMismatch,
        format!("operand dtypes differ: {} vs {}", a.dtype(), b.dtype()),
    )
}

/// Checks an axis attribute against a rank (E0205).
pub(crate) fn check_axis(axis: u32, rank: usize) -> Result<usize> {
    let a = axis as usize;
    if a < rank {
        Ok(a)
    } else {
        fail(
            Code::BadAxis,
            format!("axis {axis} is out of range for rank {rank}"),
        )
    }
}

/// Checks a list of distinct axes against a rank (E0205).
pub(crate) fn check_axes(axes: &[u32], rank: usize) -> Result<Vec<usize>> {
    let mut out = Vec::with_capacity(axes.len());
    for &a in axes {
        let a = check_axis(a, rank)?;
        if out.contains(&a) {
            return fail(Code::BadAxis, format!("axis {a} is repeated"));
        }
        out.push(a);
    }
    Ok(out)
}
