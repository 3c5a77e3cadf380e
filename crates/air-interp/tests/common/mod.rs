//! Helpers for building modules with the `air-ir` structs directly (no text parser or builder).
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use air_interp::{Element, RunError, Tensor};
use air_ir::dim::parse_dim;
use air_ir::{
    DType, Function, Intent, Module, Node, Op, Param, Region, RegionParam, ResultDecl, TensorType,
    Value,
};

/// A type from dim strings: `ty(F64, &["n", "m+1", "3"])`.
pub fn ty(dtype: DType, dims: &[&str]) -> TensorType {
    TensorType::new(
        dtype,
        dims.iter().map(|d| parse_dim(d).expect("dim")).collect(),
    )
}

/// A tensor from a shape and elements in C order.
pub fn t<T: Element>(shape: &[usize], v: Vec<T>) -> Tensor {
    Tensor::from_vec(shape, v).expect("shape")
}

/// A 1-D tensor.
pub fn v<T: Element>(v: Vec<T>) -> Tensor {
    Tensor::from_vec(&[v.len()], v).expect("shape")
}

/// The elements of a tensor of element type `T`, in C order.
pub fn elems<T: Element>(t: &Tensor) -> Vec<T> {
    t.array::<T>()
        .unwrap_or_else(|| panic!("tensor is {}", t.dtype()))
        .iter()
        .copied()
        .collect()
}

/// Appends a one-result node and returns its value.
pub fn node(r: &mut Region, op: Op, operands: Vec<Value>, result: TensorType) -> Value {
    Value::of(r.push(Node::new(op, operands, vec![result])))
}

/// Appends a node with several results and returns its values.
pub fn node_n(
    r: &mut Region,
    op: Op,
    operands: Vec<Value>,
    results: Vec<TensorType>,
) -> Vec<Value> {
    let n = results.len() as u32;
    let id = r.push(Node::new(op, operands, results));
    (0..n)
        .map(|index| Value::Result { node: id, index })
        .collect()
}

/// A rank-0 i64 constant.
pub fn const_i64(r: &mut Region, x: i64) -> Value {
    node(
        r,
        Op::Constant(air_ir::Literal::i64(x)),
        vec![],
        TensorType::scalar(DType::I64),
    )
}

/// A region with typed params (named p0, p1...).
pub fn region(params: Vec<TensorType>) -> Region {
    Region {
        params: params
            .into_iter()
            .enumerate()
            .map(|(i, ty)| RegionParam {
                name: format!("p{i}"),
                ty,
            })
            .collect(),
        nodes: vec![],
        results: vec![],
    }
}

/// A function: params `(name, type, intent)`, results `(name, type)`, and a body built by `build`
/// from the body region (whose params mirror the signature); `build` returns the yielded values.
pub fn func(
    name: &str,
    params: Vec<(&str, TensorType, Intent)>,
    results: Vec<(Option<&str>, TensorType)>,
    build: impl FnOnce(&mut Region) -> Vec<Value>,
) -> Function {
    let params: Vec<Param> = params
        .into_iter()
        .map(|(n, ty, intent)| Param {
            name: n.to_string(),
            ty,
            intent,
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
        nodes: vec![],
        results: vec![],
    };
    body.results = build(&mut body);
    Function {
        name: name.to_string(),
        params,
        results: results
            .into_iter()
            .map(|(n, ty)| ResultDecl {
                name: n.map(str::to_string),
                ty,
            })
            .collect(),
        body,
        loc: None,
    }
}

/// A module of functions.
pub fn module(functions: Vec<Function>) -> Module {
    Module {
        functions,
        ..Module::default()
    }
}

/// Named inputs.
pub fn inputs(v: Vec<(&str, Tensor)>) -> Vec<(String, Tensor)> {
    v.into_iter().map(|(n, t)| (n.to_string(), t)).collect()
}

/// Runs a one-node function `@f(p0, p1, ...) -> (r: result)` on `args` (param types are the
/// args' static types) and returns the result, or the interpreter's own error.
///
/// The module is run both with and without validation, which cross-checks the two: a module the
/// validator accepts must give the same outcome either way, and one it rejects must also fail in
/// the interpreter (with the interpreter's code, which is what the tests look at).
pub fn apply(op: Op, args: Vec<Tensor>, result: TensorType) -> Result<Tensor, RunError> {
    let params: Vec<(String, TensorType, Intent)> = args
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let dims: Vec<i64> = a.shape().iter().map(|&d| d as i64).collect();
            (
                format!("p{i}"),
                TensorType::fixed(a.dtype(), &dims),
                Intent::In,
            )
        })
        .collect();
    let n = params.len() as u32;
    let f = func(
        "f",
        params
            .iter()
            .map(|(n, t, i)| (n.as_str(), t.clone(), *i))
            .collect(),
        vec![(Some("r"), result.clone())],
        |r| vec![node(r, op, (0..n).map(Value::Param).collect(), result)],
    );
    let m = module(vec![f]);
    let named: Vec<(String, Tensor)> = args
        .into_iter()
        .enumerate()
        .map(|(i, a)| (format!("p{i}"), a))
        .collect();
    let unchecked = air_interp::run_unchecked(&m, "f", &named).map(|mut o| o.remove(0).1);
    let checked = air_interp::run(&m, "f", &named).map(|mut o| o.remove(0).1);
    match (&checked, &unchecked) {
        (Ok(a), Ok(b)) => assert!(a.bits_eq(b), "validated and unchecked runs differ"),
        (Err(v), Ok(_)) => panic!("the validator rejects a module the interpreter runs: {v}"),
        (Ok(_), Err(e)) => panic!("the interpreter fails on a module the validator accepts: {e}"),
        (Err(v), Err(e)) if !v.message.starts_with("the module is invalid") => assert_eq!(v, e),
        (Err(_), Err(_)) => {}
    }
    unchecked
}

/// `docs/examples/libraries/`: the computations the real libraries wrote, committed in the
/// repository. Missing data fails the test; it never skips it.
pub fn examples() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/examples/libraries");
    assert!(dir.is_dir(), "{} is missing", dir.display());
    dir
}
