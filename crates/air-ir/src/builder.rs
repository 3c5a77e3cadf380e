//! Building functions node by node, with result types inferred; and the one place where NumPy's
//! broadcasting and promotion rules live ([`broadcast_shapes`], [`result_type`],
//! [`RegionBuilder::numpy_binary`], [`RegionBuilder::numpy_unary`]): translators call these, and
//! they insert the explicit `cast` and `broadcast` nodes that AIR's elementwise ops require.
//!
//! ```
//! use air_ir::builder::FunctionBuilder;
//! use air_ir::{BinaryOp, DType, Dim, Intent, TensorType};
//! let n = Dim::symbol("n");
//! let mut fb = FunctionBuilder::new("axpy");
//! let x = fb.param("x", TensorType::new(DType::F64, vec![n.clone()]), Intent::In);
//! let y = fb.param("y", TensorType::new(DType::F32, vec![n]), Intent::In);
//! let s = fb.numpy_binary(BinaryOp::Add, x, y).unwrap(); // casts y to f64 first
//! let f = fb.finish(&[(Some("s".into()), s)]).unwrap();
//! assert_eq!(f.body.nodes.len(), 2);
//! ```
//!
//! Regions are isolated: a [`RegionBuilder`] for a `for` body or an `if` branch declares its own
//! params, and its values must not be used in another builder (values carry no region identity, so
//! such a mistake is caught only by the validation in [`FunctionBuilder::finish`]).

// `Diagnostic` is the crate's one error type (160 bytes); boxing it would only move the cost.
#![allow(clippy::result_large_err)]

use std::cell::RefCell;
use std::collections::{BTreeSet, HashSet};
use std::rc::Rc;

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::dim::{Dim, Unifier};
use crate::infer::{infer_with, Context, DimSlot};
use crate::module::{
    Function, Intent, Location, Module, Node, NodeId, Param, Region, RegionParam, ResultDecl, Value,
};
use crate::op::Op;
use crate::types::TensorType;

mod dims;
mod numpy;

pub use numpy::{broadcast_shapes, result_type};

/// Symbol bookkeeping shared by a function builder and all its region builders.
#[derive(Debug, Default)]
struct Shared {
    /// The number of the next generated fresh symbol (`_k0`, `_k1`...).
    next_fresh: u32,
    /// Every symbol met so far, so generated names never clash.
    used: BTreeSet<String>,
    /// The symbols of fresh (run-time) dims: never unified with anything.
    fresh: BTreeSet<String>,
    /// Present when dim unification is on.
    unifier: Option<Unifier>,
    /// Signatures of the functions `call`s and decompositions may name.
    functions: Vec<Function>,
}

impl Shared {
    fn note(&mut self, t: &TensorType) {
        for d in &t.shape {
            self.used
                .extend(d.symbols().into_iter().map(str::to_string));
        }
    }

    fn fresh_symbol(&mut self) -> String {
        loop {
            let s = format!("_k{}", self.next_fresh);
            self.next_fresh += 1;
            if !self.used.contains(&s) {
                self.used.insert(s.clone());
                self.fresh.insert(s.clone());
                return s;
            }
        }
    }
}

/// Builds one region: a function body, a `for` body or an `if` branch.
#[derive(Debug)]
pub struct RegionBuilder {
    region: Region,
    names: HashSet<String>,
    /// Symbols bound here: params' and fresh ones, and the enclosing region's at creation.
    bound: BTreeSet<String>,
    shared: Rc<RefCell<Shared>>,
    pending_name: Option<String>,
    pending_loc: Option<Location>,
}

impl RegionBuilder {
    fn with_shared(shared: Rc<RefCell<Shared>>, bound: BTreeSet<String>) -> RegionBuilder {
        RegionBuilder {
            region: Region::default(),
            names: HashSet::new(),
            bound,
            shared,
            pending_name: None,
            pending_loc: None,
        }
    }

    /// A builder for a region nested in this one (a `for` body, an `if` branch). It shares the
    /// function's symbols; its params are declared with [`RegionBuilder::param`].
    pub fn region(&self) -> RegionBuilder {
        RegionBuilder::with_shared(Rc::clone(&self.shared), self.bound.clone())
    }

    /// Declares the next region parameter.
    pub fn param(&mut self, name: &str, ty: TensorType) -> Value {
        self.shared.borrow_mut().note(&ty);
        self.bound.extend(
            ty.shape
                .iter()
                .flat_map(|d| d.symbols())
                .map(str::to_string),
        );
        self.names.insert(name.to_string());
        self.region.params.push(RegionParam {
            name: name.to_string(),
            ty,
        });
        Value::Param(self.region.params.len() as u32 - 1)
    }

    /// The type of a value of this region.
    pub fn value_type(&self, v: Value) -> Option<TensorType> {
        self.region.value_type(v).cloned()
    }

    /// Names the next node this builder creates (the final node of a `numpy_*` helper).
    pub fn named(&mut self, name: &str) -> &mut Self {
        self.pending_name = Some(name.to_string());
        self
    }

    /// Gives the next nodes this builder creates a location (up to and including the next named
    /// or final node of one call).
    pub fn at(&mut self, loc: Location) -> &mut Self {
        self.pending_loc = Some(loc);
        self
    }

    /// Appends a node with one result, its type inferred.
    pub fn op(&mut self, op: Op, operands: &[Value]) -> Result<Value, Diagnostic> {
        let name = op.name();
        let vs = self.push(op, operands, None)?;
        match vs.as_slice() {
            [v] => Ok(*v),
            _ => Err(Diagnostic::new(
                Code::ResultCount,
                format!("{name} gives {} results; use op_multi", vs.len()),
            )),
        }
    }

    /// Appends a node with any number of results (`for`, `if`, `call`), their types inferred.
    pub fn op_multi(&mut self, op: Op, operands: &[Value]) -> Result<Vec<Value>, Diagnostic> {
        self.push(op, operands, None)
    }

    /// Appends a node with declared result types: required for a `custom` op without a
    /// decomposition; for other ops they must agree with inference, and name fresh dims.
    pub fn op_declared(
        &mut self,
        op: Op,
        operands: &[Value],
        declared: &[TensorType],
    ) -> Result<Vec<Value>, Diagnostic> {
        self.push(op, operands, Some(declared))
    }

    /// Ends the region; it yields `yields`.
    pub fn finish(mut self, yields: &[Value]) -> Region {
        self.region.results = yields.to_vec();
        self.region
    }

    fn operand_types(&self, operands: &[Value]) -> Result<Vec<TensorType>, Diagnostic> {
        operands
            .iter()
            .enumerate()
            .map(|(k, &v)| {
                self.region
                    .value_type(v)
                    .map(|t| self.resolve_type(t))
                    .ok_or_else(|| {
                        Diagnostic::new(
                            Code::BadHandle,
                            format!("operand {k} is not a value of this region"),
                        )
                    })
            })
            .collect()
    }

    fn push(
        &mut self,
        op: Op,
        operands: &[Value],
        declared: Option<&[TensorType]>,
    ) -> Result<Vec<Value>, Diagnostic> {
        let (name, loc) = (self.pending_name.take(), self.pending_loc.take());
        if let Some(n) = name.as_ref().filter(|n| self.names.contains(*n)) {
            return Err(Diagnostic::new(
                Code::DuplicateName,
                format!("name %{n} used twice"),
            ));
        }
        let op = self.resolve_op(op);
        let types = self.operand_types(operands)?;
        let inferred = {
            let shared = self.shared.borrow();
            let ctx = Context {
                functions: &shared.functions,
                index: None,
                declared,
                bound: Some(&self.bound),
            };
            infer_with(&op, &types, &ctx)?
        };
        if let Some(d) = declared.filter(|d| d.len() != inferred.len()) {
            return Err(Diagnostic::new(
                Code::ResultCount,
                format!(
                    "{} gives {} results, {} declared",
                    op.name(),
                    inferred.len(),
                    d.len()
                ),
            ));
        }
        let mut results = Vec::with_capacity(inferred.len());
        let mut fresh: Vec<Dim> = vec![];
        for (r, inf) in inferred.into_iter().enumerate() {
            let mut shape = Vec::with_capacity(inf.shape.len());
            for (axis, slot) in inf.shape.into_iter().enumerate() {
                shape.push(match slot {
                    DimSlot::Known(d) => d,
                    DimSlot::Fresh => {
                        let d = self.fresh_dim(declared.and_then(|d| d[r].shape.get(axis)));
                        fresh.push(d.clone());
                        d
                    }
                    DimSlot::FreshAgain(k) => fresh.get(k).cloned().ok_or_else(|| {
                        Diagnostic::new(
                            Code::Internal,
                            format!("{} names fresh dim {k} before it", op.name()),
                        )
                    })?,
                });
            }
            let ty = TensorType::new(inf.dtype, shape);
            if let Some(want) = declared.map(|d| &d[r]).filter(|want| **want != ty) {
                return Err(Diagnostic::new(
                    Code::ResultTypeMismatch,
                    format!("result {r} is declared {want}, inferred {ty}"),
                ));
            }
            self.shared.borrow_mut().note(&ty);
            results.push(ty);
        }
        let count = results.len();
        if let Some(n) = &name {
            self.names.insert(n.clone());
        }
        let id = self.region.push(Node {
            op,
            operands: operands.to_vec(),
            results,
            name,
            loc,
        });
        Ok((0..count as u32)
            .map(|index| Value::Result { node: id, index })
            .collect())
    }

    /// A symbol for a run-time dim: the declared one when it is a symbol new to the function,
    /// a generated `_kN` otherwise. It is bound from here on.
    fn fresh_dim(&mut self, declared: Option<&Dim>) -> Dim {
        let mut shared = self.shared.borrow_mut();
        let name = match declared.and_then(Dim::as_symbol) {
            Some(s) if !shared.used.contains(s) => {
                shared.used.insert(s.to_string());
                shared.fresh.insert(s.to_string());
                s.to_string()
            }
            _ => shared.fresh_symbol(),
        };
        self.bound.insert(name.clone());
        Dim::symbol(name)
    }

    /// The id the next node will get.
    pub fn next_id(&self) -> NodeId {
        NodeId(self.region.nodes.len() as u32)
    }
}

/// Builds a function: its params, its body node by node, then its results ([`FunctionBuilder::finish`]
/// validates the whole function).
#[derive(Debug)]
pub struct FunctionBuilder {
    name: String,
    params: Vec<Param>,
    /// Per param, the value written to an `out`/`inout` param's buffer.
    assigned: Vec<Option<Value>>,
    body: RegionBuilder,
    loc: Option<Location>,
}

impl FunctionBuilder {
    /// An empty function named `name`.
    pub fn new(name: &str) -> FunctionBuilder {
        let shared = Rc::new(RefCell::new(Shared::default()));
        FunctionBuilder {
            name: name.to_string(),
            params: vec![],
            assigned: vec![],
            body: RegionBuilder::with_shared(shared, BTreeSet::new()),
            loc: None,
        }
    }

    /// Turns dim unification on or off: with it, broadcasting `n` against `m` (or against `3`)
    /// binds one to the other instead of failing, and [`FunctionBuilder::finish`] rewrites every
    /// type of the function with the bindings ([`FunctionBuilder::bindings`]).
    pub fn unify_dims(self, on: bool) -> FunctionBuilder {
        self.body.shared.borrow_mut().unifier = on.then(Unifier::new);
        self
    }

    /// Makes `f`'s signature known, so `call`s and decompositions may name it.
    pub fn add_callee(&mut self, f: &Function) -> &mut Self {
        let signature = Function {
            body: Region::default(),
            ..f.clone()
        };
        self.body.shared.borrow_mut().functions.push(signature);
        self
    }

    /// Sets the function's location.
    pub fn set_loc(&mut self, loc: Location) -> &mut Self {
        self.loc = Some(loc);
        self
    }

    /// Declares the next parameter.
    pub fn param(&mut self, name: &str, ty: TensorType, intent: Intent) -> Value {
        self.params.push(Param {
            name: name.to_string(),
            ty: ty.clone(),
            intent,
            size: None,
        });
        self.assigned.push(None);
        self.body.param(name, ty)
    }

    /// Declares the next parameter as a size parameter (op set 2): an `in` integer scalar whose
    /// value binds the dim symbol `symbol`.
    pub fn size_param(&mut self, name: &str, dtype: crate::dtype::DType, symbol: &str) -> Value {
        let v = self.param(name, TensorType::scalar(dtype), Intent::In);
        if let Some(p) = self.params.last_mut() {
            p.size = Some(symbol.to_string());
        }
        v
    }

    /// Makes a declared parameter a size parameter binding `symbol` (op set 2); the validator
    /// checks at `finish` that it is an `in` integer scalar (E0219).
    pub fn set_size(&mut self, param: Value, symbol: &str) -> Result<(), Diagnostic> {
        match param {
            Value::Param(i) if (i as usize) < self.params.len() => {
                self.params[i as usize].size = Some(symbol.to_string());
                Ok(())
            }
            Value::Param(_) | Value::Result { .. } => Err(Diagnostic::new(
                Code::BadHandle,
                format!("set_size: {param:?} is not a parameter of this function"),
            )),
        }
    }

    /// The intent of a declared parameter.
    pub fn param_intent(&self, param: Value) -> Option<Intent> {
        match param {
            Value::Param(i) => self.params.get(i as usize).map(|p| p.intent),
            Value::Result { .. } => None,
        }
    }

    /// Sets the value written to an `out` or `inout` parameter's buffer.
    pub fn assign(&mut self, param: Value, value: Value) -> Result<(), Diagnostic> {
        let slot = match param {
            Value::Param(i) => self
                .params
                .get(i as usize)
                .filter(|p| p.intent != Intent::In)
                .and(self.assigned.get_mut(i as usize)),
            Value::Result { .. } => None,
        };
        let Some(slot) = slot else {
            return Err(Diagnostic::new(
                Code::ReturnMismatch,
                "only an out or inout parameter can be assigned",
            ));
        };
        *slot = Some(value);
        Ok(())
    }

    /// The body's builder, for everything the delegating methods below do not cover.
    pub fn body(&mut self) -> &mut RegionBuilder {
        &mut self.body
    }

    /// See [`RegionBuilder::op`].
    pub fn op(&mut self, op: Op, operands: &[Value]) -> Result<Value, Diagnostic> {
        self.body.op(op, operands)
    }

    /// See [`RegionBuilder::op_multi`].
    pub fn op_multi(&mut self, op: Op, operands: &[Value]) -> Result<Vec<Value>, Diagnostic> {
        self.body.op_multi(op, operands)
    }

    /// See [`RegionBuilder::named`].
    pub fn named(&mut self, name: &str) -> &mut RegionBuilder {
        self.body.named(name)
    }

    /// See [`RegionBuilder::region`].
    pub fn region(&self) -> RegionBuilder {
        self.body.region()
    }

    /// See [`RegionBuilder::value_type`].
    pub fn value_type(&self, v: Value) -> Option<TensorType> {
        self.body.value_type(v)
    }

    /// See [`RegionBuilder::numpy_binary`].
    pub fn numpy_binary(
        &mut self,
        op: crate::op::BinaryOp,
        a: Value,
        b: Value,
    ) -> Result<Value, Diagnostic> {
        self.body.numpy_binary(op, a, b)
    }

    /// See [`RegionBuilder::numpy_unary`].
    pub fn numpy_unary(&mut self, op: crate::op::UnaryOp, a: Value) -> Result<Value, Diagnostic> {
        self.body.numpy_unary(op, a)
    }

    /// The bindings unification has made so far, resolved (`m = n`), sorted by symbol.
    pub fn bindings(&self) -> Vec<(String, Dim)> {
        let shared = self.body.shared.borrow();
        let Some(u) = &shared.unifier else {
            return vec![];
        };
        let mut out: Vec<(String, Dim)> = u
            .bindings()
            .keys()
            .map(|s| (s.clone(), u.resolve(&Dim::symbol(s.clone()))))
            .collect();
        out.sort();
        out
    }

    /// Ends the function: it returns `results` (each with an optional name), then the values
    /// assigned to its `out`/`inout` params. The function is validated.
    pub fn finish(self, results: &[(Option<String>, Value)]) -> Result<Function, Diagnostics> {
        let mut diags = vec![];
        let mut decls = vec![];
        let mut yields = vec![];
        for (k, (name, v)) in results.iter().enumerate() {
            match self.body.value_type(*v) {
                Some(ty) => decls.push(ResultDecl {
                    name: name.clone(),
                    ty,
                }),
                None => diags.push(Diagnostic::new(
                    Code::BadHandle,
                    format!("result {k} is not a value of the body"),
                )),
            }
            yields.push(*v);
        }
        for (p, a) in self.params.iter().zip(&self.assigned) {
            match (p.intent, a) {
                (Intent::In, _) => {}
                (_, Some(v)) => yields.push(*v),
                (_, None) => diags.push(Diagnostic::new(
                    Code::ReturnMismatch,
                    format!(
                        "{} parameter %{} is never assigned",
                        p.intent.keyword(),
                        p.name
                    ),
                )),
            }
        }
        if !diags.is_empty() {
            for d in &mut diags {
                d.function = Some(self.name.clone());
            }
            return Err(Diagnostics(diags));
        }
        let shared = Rc::clone(&self.body.shared);
        let mut f = Function {
            name: self.name,
            params: self.params,
            results: decls,
            body: self.body.finish(&yields),
            loc: self.loc,
        };
        let shared = shared.borrow();
        if let Some(u) = &shared.unifier {
            dims::resolve_function(&mut f, u);
        }
        // Any op of this build's op set; the producer declares the one the module needs
        // (`Module::required_opset`).
        let module = Module {
            functions: shared.functions.clone(),
            opset_version: crate::module::OPSET_VERSION,
            ..Module::default()
        };
        crate::validate::validate_function(&module, &f)?;
        Ok(f)
    }
}
