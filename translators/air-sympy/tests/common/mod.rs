//! Helpers shared by the import tests: srepr builders spelled as SymPy 1.14 spells them,
//! tensors, and running an import on the interpreter.
#![allow(dead_code)] // each test file uses some of them

use air_sympy::{Error, Options};
use air_value::ndarray::{ArrayD, IxDyn};
use air_value::Tensor;

pub fn dim(name: &str) -> String {
    format!("Symbol('{name}', integer=True, positive=True)")
}
pub fn idx(name: &str, extent: &str) -> String {
    format!("Idx(Symbol('{name}', integer=True), Tuple(Integer(0), Add({extent}, Integer(-1))))")
}
pub fn at(base: &str, shape: &[&str], indices: &[&str]) -> String {
    format!(
        "Indexed(IndexedBase(Symbol('{base}'), Tuple({})), {})",
        shape.join(", "),
        indices.join(", ")
    )
}
pub fn eq(l: &str, r: &str) -> String {
    format!("Equality({l}, {r})")
}
pub fn sym(name: &str) -> String {
    format!("Symbol('{name}')")
}
pub fn k() -> String {
    "Symbol('k', integer=True)".into()
}

pub fn vec_t(v: &[f64]) -> Tensor {
    Tensor::F64(ArrayD::from_shape_vec(IxDyn(&[v.len()]), v.to_vec()).unwrap())
}
pub fn mat_t(rows: usize, v: &[f64]) -> Tensor {
    let shape = [rows, v.len() / rows];
    Tensor::F64(ArrayD::from_shape_vec(IxDyn(&shape), v.to_vec()).unwrap())
}
pub fn values(t: &Tensor) -> Vec<f64> {
    t.to_c128_vec().iter().map(|c| c.re).collect()
}

/// Imports and runs; returns the outputs by name.
pub fn run(text: &str, opts: &Options, inputs: &[(&str, Tensor)]) -> Vec<(String, Vec<f64>)> {
    let m = air_sympy::import(text, opts).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let inputs: Vec<(String, Tensor)> = inputs
        .iter()
        .map(|(n, t)| (n.to_string(), t.clone()))
        .collect();
    let out = air_interp::run(&m, "main", &inputs)
        .unwrap_or_else(|e| panic!("{e}\n{}", air_ir::text::print(&m)));
    out.iter().map(|(n, t)| (n.clone(), values(t))).collect()
}

pub fn close(got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{got:?} vs {want:?}");
    for (g, w) in got.iter().zip(want) {
        assert!(
            (g - w).abs() <= 1e-12 * w.abs().max(1.0),
            "{got:?} vs {want:?}"
        );
    }
}

pub fn ops(text: &str) -> String {
    air_ir::text::print(&air_sympy::import(text, &Options::default()).unwrap())
}

/// The import problems of a text that must not import.
pub fn problems(text: &str) -> Vec<air_sympy::Problem> {
    match air_sympy::import(text, &Options::default()) {
        Err(Error::Import(ps)) => ps,
        other => panic!("expected problems, got {other:?}"),
    }
}
