//! Protobuf → IR: checks every field the schema cannot and reports the first problem with the
//! path of the field it is about.

use std::collections::BTreeMap;

use super::{gen, MAX_DIM_POWER};
use crate::attrs;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::dim::Dim;
use crate::dtype::DType;
use crate::limits::Limits;
use crate::module::{
    Function, Intent, Location, Module, Node, NodeId, Param, Region, RegionParam, ResultDecl, Value,
};
use crate::op::{Attr, AttrValue, Bound, SliceAxis};
use crate::types::{Literal, TensorType};

/// A failure on its way up to the module (boxed, so results stay small on the success path).
struct Fail(Box<FailInner>);

/// The diagnostic, and the field path and node ids collected while unwinding (innermost first).
struct FailInner {
    diag: Diagnostic,
    path: Vec<String>,
    nodes: Vec<NodeId>,
}

type R<T> = Result<T, Fail>;

impl Fail {
    fn new(code: Code, message: impl Into<String>) -> Fail {
        Fail::from(Diagnostic::new(code, message))
    }

    fn malformed(message: impl Into<String>) -> Fail {
        Fail::new(Code::MalformedProtobuf, message)
    }

    fn limit(what: &str, got: impl std::fmt::Display, max: impl std::fmt::Display) -> Fail {
        Fail::new(
            Code::LimitExceeded,
            format!("{what} ({got}) exceeds the reader limit of {max}"),
        )
    }

    fn at(mut self, segment: impl Into<String>) -> Fail {
        self.0.path.push(segment.into());
        self
    }

    fn in_node(mut self, id: NodeId) -> Fail {
        self.0.nodes.push(id);
        self
    }

    /// The diagnostic, its message prefixed with the field path.
    fn finish(self, function: Option<&str>) -> Diagnostic {
        let FailInner {
            mut diag,
            path,
            nodes,
        } = *self.0;
        let mut joined = String::new();
        for segment in path.iter().rev() {
            if !joined.is_empty() && !segment.starts_with('[') {
                joined.push('.');
            }
            joined.push_str(segment);
        }
        diag.message = format!("{joined}: {}", diag.message);
        diag.node_path = nodes.into_iter().rev().collect();
        diag.function = function.map(str::to_string);
        diag
    }
}

impl From<Diagnostic> for Fail {
    fn from(diag: Diagnostic) -> Fail {
        Fail(Box::new(FailInner {
            diag,
            path: vec![],
            nodes: vec![],
        }))
    }
}

/// Adds a path segment to the error of a result.
trait At<T> {
    fn at(self, segment: impl FnOnce() -> String) -> R<T>;
}

impl<T> At<T> for R<T> {
    fn at(self, segment: impl FnOnce() -> String) -> R<T> {
        self.map_err(|e| e.at(segment()))
    }
}

fn required<'a, T>(field: &'a Option<T>, name: &str) -> R<&'a T> {
    field
        .as_ref()
        .ok_or_else(|| Fail::malformed("required field is missing").at(name))
}

/// Converts every element, adding `name[i]` to the path of an error.
fn each<A, B>(items: &[A], name: &str, mut f: impl FnMut(&A) -> R<B>) -> R<Vec<B>> {
    items
        .iter()
        .enumerate()
        .map(|(i, x)| f(x).at(|| format!("{name}[{i}]")))
        .collect()
}

/// Converts a module (versions are left to the caller).
pub(super) fn module(g: &gen::Module, limits: &Limits) -> Result<Module, Diagnostics> {
    let gen::Module {
        ir_version,
        opset_version,
        producer,
        metadata,
        functions,
    } = g;
    if functions.len() > limits.max_functions {
        let fail = Fail::limit("function count", functions.len(), limits.max_functions);
        return Err(fail.at("functions").finish(None).into());
    }
    let metadata = metadata
        .iter()
        .map(|gen::MetadataEntry { key, value }| (key.clone(), value.clone()))
        .collect();
    let mut out = Vec::with_capacity(functions.len());
    for (i, f) in functions.iter().enumerate() {
        let converted = function(f, limits).map_err(|e| {
            let name = (!f.name.is_empty()).then_some(f.name.as_str());
            e.at(format!("functions[{i}]")).finish(name)
        })?;
        out.push(converted);
    }
    let m = Module {
        ir_version: *ir_version,
        opset_version: *opset_version,
        producer: producer.clone(),
        metadata,
        functions: out,
    };
    // Every name against the one grammar (spec §1.6), as the text reader does.
    crate::name::check_module(&m)?;
    Ok(m)
}

fn function(f: &gen::Function, limits: &Limits) -> R<Function> {
    let gen::Function {
        name,
        params,
        results,
        body,
        location: loc,
    } = f;
    let params = each(params, "params", |p| param(p, limits))?;
    let results = each(results, "results", |r| {
        let gen::ResultDecl { name, r#type } = r;
        Ok(ResultDecl {
            name: name.clone(),
            ty: tensor_type(required(r#type, "type")?, limits).at(|| "type".into())?,
        })
    })?;
    let body = region(required(body, "body")?, 0, limits).at(|| "body".into())?;
    Ok(Function {
        name: name.clone(),
        params,
        results,
        body,
        loc: optional_location(loc)?,
    })
}

fn param(p: &gen::Param, limits: &Limits) -> R<Param> {
    let gen::Param {
        name,
        r#type,
        intent,
        size,
    } = p;
    let ty = tensor_type(required(r#type, "type")?, limits).at(|| "type".into())?;
    let intent = match gen::Intent::try_from(*intent) {
        Ok(gen::Intent::In) => Intent::In,
        Ok(gen::Intent::Out) => Intent::Out,
        Ok(gen::Intent::Inout) => Intent::InOut,
        Ok(gen::Intent::Unspecified) => {
            return Err(Fail::malformed("intent is INTENT_UNSPECIFIED").at("intent"))
        }
        Err(_) => return Err(Fail::malformed(format!("unknown intent {intent}")).at("intent")),
    };
    let size = if size.is_empty() {
        None
    } else {
        check_symbol(size).at(|| "size".into())?;
        Some(size.clone())
    };
    Ok(Param {
        name: name.clone(),
        ty,
        intent,
        size,
    })
}

/// Converts a region at nesting `depth` (a function body is depth 0).
fn region(r: &gen::Region, depth: usize, limits: &Limits) -> R<Region> {
    let gen::Region {
        params,
        nodes,
        results,
    } = r;
    if nodes.len() > limits.max_nodes {
        return Err(Fail::limit("node count", nodes.len(), limits.max_nodes).at("nodes"));
    }
    let params = each(params, "params", |p| {
        let gen::RegionParam { name, r#type } = p;
        Ok(RegionParam {
            name: name.clone(),
            ty: tensor_type(required(r#type, "type")?, limits).at(|| "type".into())?,
        })
    })?;
    let mut out = Vec::with_capacity(nodes.len());
    for (i, n) in nodes.iter().enumerate() {
        let converted = node(n, depth, limits)
            .map_err(|e| e.in_node(NodeId(i as u32)).at(format!("nodes[{i}]")))?;
        out.push(converted);
    }
    Ok(Region {
        params,
        nodes: out,
        results: each(results, "results", value_ref)?,
    })
}

fn node(n: &gen::Node, depth: usize, limits: &Limits) -> R<Node> {
    let gen::Node {
        op,
        attrs,
        operands,
        result_types,
        regions,
        name,
        location: loc,
    } = n;
    let attrs = each(attrs, "attrs", |a| attribute(a, limits))?;
    let operands = each(operands, "operands", value_ref)?;
    let results = each(result_types, "result_types", |t| tensor_type(t, limits))?;
    if !regions.is_empty() && depth >= limits.max_region_depth {
        let fail = Fail::limit("region nesting depth", depth + 1, limits.max_region_depth);
        return Err(fail.at("regions"));
    }
    let regions = each(regions, "regions", |r| region(r, depth + 1, limits))?;
    let op = attrs::from_generic(op, attrs, regions).map_err(Fail::from)?;
    Ok(Node {
        op,
        operands,
        results,
        name: name.clone(),
        loc: optional_location(loc)?,
    })
}

fn attribute(a: &gen::Attribute, limits: &Limits) -> R<Attr> {
    use gen::attribute::Value as V;
    let gen::Attribute { name, value } = a;
    let value = match required(value, "value")? {
        V::IntValue(i) => AttrValue::Int(*i),
        V::FloatValue(f) => AttrValue::Float(*f),
        V::StringValue(s) => AttrValue::Str(s.clone()),
        V::BoolValue(b) => AttrValue::Bool(*b),
        V::Ints(gen::Ints { values }) => {
            AttrValue::Ints(list(values, limits).at(|| "ints".into())?.to_vec())
        }
        V::Floats(gen::Floats { values }) => {
            AttrValue::Floats(list(values, limits).at(|| "floats".into())?.to_vec())
        }
        V::Strings(gen::Strings { values }) => {
            AttrValue::Strs(list(values, limits).at(|| "strings".into())?.to_vec())
        }
        V::Dtype(d) => AttrValue::DType(dtype(*d).at(|| "dtype".into())?),
        V::Shape(gen::Shape { dims }) => {
            AttrValue::Shape(shape(dims, limits).at(|| "shape".into())?)
        }
        V::Literal(l) => AttrValue::Literal(literal(l, limits).at(|| "literal".into())?),
        V::Slices(gen::Slices { axes }) => {
            list(axes, limits).at(|| "slices".into())?;
            let axes = each(axes, "axes", slice_axis).at(|| "slices".into())?;
            AttrValue::Slices(axes)
        }
        V::Func(f) => AttrValue::Func(f.clone()),
    };
    Ok((name.clone(), value))
}

/// An attribute list, if it is within [`Limits::max_list_len`].
fn list<'a, T>(values: &'a [T], limits: &Limits) -> R<&'a [T]> {
    if values.len() > limits.max_list_len {
        let fail = Fail::limit("list length", values.len(), limits.max_list_len);
        return Err(fail.at("values"));
    }
    Ok(values)
}

fn slice_axis(s: &gen::SliceAxis) -> R<SliceAxis> {
    let gen::SliceAxis { start, stop, step } = s;
    Ok(SliceAxis {
        start: bound(start.as_ref()).at(|| "start".into())?,
        stop: bound(stop.as_ref()).at(|| "stop".into())?,
        step: *step,
    })
}

fn bound(b: Option<&gen::Bound>) -> R<Bound> {
    let Some(gen::Bound { kind }) = b else {
        return Ok(Bound::Default);
    };
    match required(kind, "kind")? {
        gen::bound::Kind::Value(v) => Ok(Bound::Const(*v)),
        gen::bound::Kind::Operand(k) => Ok(Bound::Operand(*k)),
    }
}

fn literal(l: &gen::Literal, limits: &Limits) -> R<Literal> {
    let gen::Literal {
        dtype: dt,
        shape,
        data,
    } = l;
    let dt = dtype(*dt).at(|| "dtype".into())?;
    if shape.len() > limits.max_rank {
        return Err(Fail::limit("rank", shape.len(), limits.max_rank).at("shape"));
    }
    // Saturating u128 arithmetic: no overflow, and nothing is allocated for the claimed size.
    let needed = Literal::byte_len(dt, shape);
    if needed > limits.max_literal_bytes {
        let fail = Fail::limit("literal size in bytes", needed, limits.max_literal_bytes);
        return Err(fail.at("shape"));
    }
    Literal::new(dt, shape.clone(), data.clone())
        .map_err(|e| Fail::new(Code::BadLiteral, e.to_string()).at("data"))
}

fn value_ref(v: &gen::ValueRef) -> R<Value> {
    let gen::ValueRef { kind } = v;
    Ok(match required(kind, "kind")? {
        gen::value_ref::Kind::Param(p) => Value::Param(*p),
        gen::value_ref::Kind::Result(gen::NodeResult { node, index }) => Value::Result {
            node: NodeId(*node),
            index: *index,
        },
    })
}

fn optional_location(l: &Option<gen::Location>) -> R<Option<Location>> {
    let Some(gen::Location { kind }) = l else {
        return Ok(None);
    };
    let loc = match required(kind, "kind").at(|| "location".into())? {
        gen::location::Kind::File(gen::FileLoc { file, line, col }) => Location::File {
            file: file.clone(),
            line: *line,
            col: *col,
        },
        gen::location::Kind::Foreign(s) => Location::Foreign(s.clone()),
    };
    Ok(Some(loc))
}

fn tensor_type(t: &gen::Type, limits: &Limits) -> R<TensorType> {
    let gen::Type {
        dtype: dt,
        shape: dims,
    } = t;
    Ok(TensorType {
        dtype: dtype(*dt).at(|| "dtype".into())?,
        shape: shape(dims, limits).at(|| "shape".into())?,
    })
}

fn shape(dims: &[gen::Dim], limits: &Limits) -> R<Vec<Dim>> {
    if dims.len() > limits.max_rank {
        return Err(Fail::limit("rank", dims.len(), limits.max_rank));
    }
    dims.iter()
        .enumerate()
        .map(|(i, d)| dim(d).at(|| format!("[{i}]")))
        .collect()
}

fn dim(d: &gen::Dim) -> R<Dim> {
    let gen::Dim { kind } = d;
    match required(kind, "kind")? {
        gen::dim::Kind::Constant(c) => Ok(Dim::constant(*c)),
        gen::dim::Kind::Symbol(s) => {
            check_symbol(s).at(|| "symbol".into())?;
            Ok(Dim::symbol(s.clone()))
        }
        gen::dim::Kind::Expr(e) => dim_expr(e).at(|| "expr".into()),
    }
}

/// A polynomial, with `floordiv` and `max0` factors read recursively and put in canonical form.
fn dim_expr(e: &gen::DimExpr) -> R<Dim> {
    let gen::DimExpr { terms } = e;
    let terms = each(terms, "terms", term)?;
    let bad = |e: crate::dim::DimOverflow| Fail::new(Code::BadDim, e.to_string());
    let mut acc = Dim::constant(0);
    for t in terms {
        acc = acc.add(&t).map_err(bad)?;
    }
    Ok(acc)
}

fn term(t: &gen::Term) -> R<Dim> {
    let gen::Term { coeff, factors } = t;
    let bad = |e: crate::dim::DimOverflow| Fail::new(Code::BadDim, e.to_string());
    let mut powers: BTreeMap<String, u32> = BTreeMap::new();
    let mut value = Dim::constant(*coeff);
    for (i, f) in factors.iter().enumerate() {
        let at = || format!("factors[{i}]");
        let gen::Factor {
            symbol,
            power,
            floordiv,
            max0,
        } = f;
        let base = match (symbol.is_empty(), floordiv, max0) {
            (false, None, None) => {
                check_symbol(symbol).at(|| "symbol".into()).at(at)?;
                let slot = powers.entry(symbol.clone()).or_insert(0);
                *slot = slot.saturating_add(*power);
                if *slot > MAX_DIM_POWER {
                    let msg = format!(
                        "power of `{}` must be in 1..={MAX_DIM_POWER}",
                        crate::diag::excerpt(symbol)
                    );
                    return Err(Fail::new(Code::BadDim, msg).at("power").at(at()));
                }
                Dim::symbol(symbol.clone())
            }
            (true, Some(gen::FloorDiv { numerator, divisor }), None) => {
                let n = dim_expr(required(numerator, "numerator")?)
                    .at(|| "numerator".into())
                    .at(|| "floordiv".into())
                    .at(at)?;
                n.floordiv(*divisor)
                    .map_err(bad)
                    .at(|| "floordiv".into())
                    .at(at)?
            }
            (true, None, Some(x)) => dim_expr(x)
                .and_then(|x| x.max0().map_err(bad))
                .at(|| "max0".into())
                .at(at)?,
            _ => {
                let msg = "a factor sets exactly one of `symbol`, `floordiv` and `max0`";
                return Err(Fail::new(Code::BadDim, msg).at(at()));
            }
        };
        if *power == 0 || *power > MAX_DIM_POWER {
            let msg = format!("a factor's power must be in 1..={MAX_DIM_POWER}");
            return Err(Fail::new(Code::BadDim, msg).at("power").at(at()));
        }
        for _ in 0..*power {
            value = value.mul(&base).map_err(bad).at(at)?;
        }
    }
    Ok(value)
}

fn check_symbol(s: &str) -> R<()> {
    if crate::name::is_dim_symbol(s) {
        Ok(())
    } else {
        Err(Fail::new(
            Code::BadDim,
            format!(
                "{} is not a dimension symbol ([A-Za-z_][A-Za-z0-9_]*, not `nan` or `inf`)",
                crate::name::shown(s)
            ),
        ))
    }
}

fn dtype(value: i32) -> R<DType> {
    use gen::DType as G;
    let d = match G::try_from(value) {
        Ok(G::DtypeUnspecified) => return Err(Fail::malformed("dtype is DTYPE_UNSPECIFIED")),
        Err(_) => return Err(Fail::malformed(format!("unknown dtype {value}"))),
        Ok(G::DtypeBool) => DType::Bool,
        Ok(G::DtypeI8) => DType::I8,
        Ok(G::DtypeI16) => DType::I16,
        Ok(G::DtypeI32) => DType::I32,
        Ok(G::DtypeI64) => DType::I64,
        Ok(G::DtypeU8) => DType::U8,
        Ok(G::DtypeU16) => DType::U16,
        Ok(G::DtypeU32) => DType::U32,
        Ok(G::DtypeU64) => DType::U64,
        Ok(G::DtypeF16) => DType::F16,
        Ok(G::DtypeBf16) => DType::BF16,
        Ok(G::DtypeF32) => DType::F32,
        Ok(G::DtypeF64) => DType::F64,
        Ok(G::DtypeC64) => DType::C64,
        Ok(G::DtypeC128) => DType::C128,
    };
    Ok(d)
}
