//! Helpers shared by the integration tests: types and dims written as text.
#![allow(dead_code)]

use air_ir::dim::parse_dim;
use air_ir::infer::{DimSlot, Inferred};
use air_ir::{DType, Dim, TensorType};

/// `d("n+1")`.
pub fn d(s: &str) -> Dim {
    parse_dim(s).unwrap_or_else(|e| panic!("bad dim {s}: {e}"))
}

/// `ty("f64[n, m+1]")`; `ty("i64")` is a scalar.
pub fn ty(s: &str) -> TensorType {
    let (dtype, dims) = split(s);
    TensorType::new(dtype, dims.iter().map(|x| d(x)).collect())
}

/// `inf("f64[n, ?]")`: `?` is a fresh dim.
pub fn inf(s: &str) -> Inferred {
    let (dtype, dims) = split(s);
    Inferred {
        dtype,
        shape: dims
            .iter()
            .map(|x| match *x {
                "?" => DimSlot::Fresh,
                x => DimSlot::Known(d(x)),
            })
            .collect(),
    }
}

fn split(s: &str) -> (DType, Vec<&str>) {
    let (name, rest) = match s.split_once('[') {
        Some((n, r)) => (n, Some(r.trim_end_matches(']'))),
        None => (s, None),
    };
    let dtype = DType::from_name(name.trim()).unwrap_or_else(|| panic!("bad dtype in {s}"));
    let dims = match rest {
        Some(r) if !r.trim().is_empty() => {
            // Commas inside parentheses separate `floordiv`'s arguments, not dims.
            let mut depth = 0i32;
            r.split(|c: char| {
                depth += i32::from(c == '(') - i32::from(c == ')');
                c == ',' && depth == 0
            })
            .map(str::trim)
            .collect()
        }
        _ => vec![],
    };
    (dtype, dims)
}

/// Several types.
pub fn tys(s: &[&str]) -> Vec<TensorType> {
    s.iter().map(|x| ty(x)).collect()
}

use air_ir::{Function, Intent, Module, Node, Op, Param, Region, RegionParam, ResultDecl, Value};

/// A function with these params and results, whose body mirrors the params and has no nodes.
pub fn func(name: &str, params: &[(&str, &str, Intent)], results: &[&str]) -> Function {
    let params: Vec<Param> = params
        .iter()
        .map(|(n, t, intent)| Param {
            name: n.to_string(),
            ty: ty(t),
            intent: *intent,
            size: None,
        })
        .collect();
    let mut f = Function {
        name: name.into(),
        params,
        results: results
            .iter()
            .map(|t| ResultDecl {
                name: None,
                ty: ty(t),
            })
            .collect(),
        body: Region::default(),
        loc: None,
    };
    f.body.params = f.region_params();
    f
}

/// A function of `in` params.
pub fn func_in(name: &str, params: &[(&str, &str)], results: &[&str]) -> Function {
    let ps: Vec<(&str, &str, Intent)> = params.iter().map(|(n, t)| (*n, *t, Intent::In)).collect();
    func(name, &ps, results)
}

/// A node with declared result types written as text.
pub fn node(op: Op, operands: &[Value], results: &[&str]) -> Node {
    Node::new(op, operands.to_vec(), tys(results))
}

/// Region params written as text.
pub fn rparams(ps: &[(&str, &str)]) -> Vec<RegionParam> {
    ps.iter()
        .map(|(n, t)| RegionParam {
            name: n.to_string(),
            ty: ty(t),
        })
        .collect()
}

/// A module of these functions.
pub fn module(functions: Vec<Function>) -> Module {
    Module {
        functions,
        ..Module::default()
    }
}

/// `%k` of a region: result 0 of node k.
pub fn v(k: u32) -> Value {
    Value::of(air_ir::NodeId(k))
}

/// Param k.
pub fn p(k: u32) -> Value {
    Value::Param(k)
}

// ---- inference helpers ----

use air_ir::infer::infer;
use air_ir::Code;

/// The single result of `op` on operands written as text.
pub fn one(op: &Op, operands: &[&str]) -> Inferred {
    match infer(op, &tys(operands)) {
        Ok(mut v) if v.len() == 1 => v.remove(0),
        other => panic!("{} on {operands:?}: {other:?}", op.name()),
    }
}

/// The error code of `op` on operands written as text, and its message.
pub fn fails(op: &Op, operands: &[&str]) -> (Code, String) {
    match infer(op, &tys(operands)) {
        Err(e) => (e.code, e.message),
        Ok(v) => panic!("{} on {operands:?} gave {v:?}", op.name()),
    }
}

pub fn code(op: &Op, operands: &[&str]) -> Code {
    fails(op, operands).0
}

pub fn shape(dims: &[&str]) -> Vec<Dim> {
    dims.iter().map(|x| d(x)).collect()
}
