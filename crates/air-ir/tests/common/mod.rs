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
        Some(r) if !r.trim().is_empty() => r.split(',').map(str::trim).collect(),
        _ => vec![],
    };
    (dtype, dims)
}

/// Several types.
pub fn tys(s: &[&str]) -> Vec<TensorType> {
    s.iter().map(|x| ty(x)).collect()
}
