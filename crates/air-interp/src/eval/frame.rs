//! A function activation's dimension symbols: bound from the arguments' shapes on entry, extended
//! with fresh dims (the lengths of `filter` and `slice` results) as they are computed.

use std::collections::{HashMap, HashSet};

use air_ir::{Code, Dim, TensorType};

use crate::error::{fail, Result};
use crate::tensor::Tensor;

/// The symbol values of one function call.
#[derive(Clone, Debug, Default)]
pub(crate) struct Frame {
    /// Every bound symbol.
    syms: HashMap<String, i64>,
    /// The symbols bound by the parameters; a fresh dim never rebinds one of them.
    param_syms: HashSet<String>,
}

/// One parameter to bind: its name, declared type and, when given, its value.
pub(crate) struct Binding<'a> {
    /// The parameter's name (for messages).
    pub name: &'a str,
    /// The declared type.
    pub ty: &'a TensorType,
    /// The value; `None` for an `out` parameter the caller left out.
    pub value: Option<&'a Tensor>,
}

impl Frame {
    /// Binds the symbols of the parameters' types from the values' shapes and checks every dim.
    ///
    /// Dtype or rank mismatches are E0501 and constant dims that differ are E0501 too; a symbol
    /// bound to two extents, or an expression dim (`n+1`) that does not match, is E0502. A plain
    /// symbol binds first; a symbol that only occurs in linear expressions (`2*n+1`) is solved.
    pub(crate) fn bind(params: &[Binding<'_>]) -> Result<Frame> {
        let mut frame = Frame::default();
        for p in params {
            let Some(v) = p.value else { continue };
            if v.dtype() != p.ty.dtype || v.rank() != p.ty.rank() {
                return fail(
                    Code::BadInput,
                    format!(
                        "%{}: expected {}, got {}{:?}",
                        p.name,
                        p.ty,
                        v.dtype(),
                        v.shape()
                    ),
                );
            }
            for (dim, &extent) in p.ty.shape.iter().zip(v.shape()) {
                if let Some(s) = dim.as_symbol() {
                    frame.bind_symbol(s, extent as i64, p.name)?;
                }
            }
        }
        frame.solve_linear(params)?;
        for p in params {
            let Some(v) = p.value else { continue };
            for (axis, (dim, &extent)) in p.ty.shape.iter().zip(v.shape()).enumerate() {
                frame.check_param_dim(p, axis, dim, extent)?;
            }
        }
        frame.param_syms = frame.syms.keys().cloned().collect();
        Ok(frame)
    }

    fn bind_symbol(&mut self, sym: &str, extent: i64, param: &str) -> Result<()> {
        match self.syms.get(sym) {
            Some(&old) if old != extent => fail(
                Code::SymbolConflict,
                format!("symbol {sym} is {old} but %{param} makes it {extent}"),
            ),
            _ => {
                self.syms.insert(sym.to_string(), extent);
                Ok(())
            }
        }
    }

    /// Solves dims of the form `a*s + rest` where `s` is the one unbound symbol, until nothing
    /// changes.
    fn solve_linear(&mut self, params: &[Binding<'_>]) -> Result<()> {
        loop {
            let mut progress = false;
            for p in params {
                let Some(v) = p.value else { continue };
                for (dim, &extent) in p.ty.shape.iter().zip(v.shape()) {
                    if let Some((sym, value)) = self.solve_one(dim, extent as i64, p.name)? {
                        self.bind_symbol(&sym, value, p.name)?;
                        progress = true;
                    }
                }
            }
            if !progress {
                return Ok(());
            }
        }
    }

    fn solve_one(&self, dim: &Dim, extent: i64, param: &str) -> Result<Option<(String, i64)>> {
        let unbound: Vec<&str> = dim
            .symbols()
            .into_iter()
            .filter(|s| !self.syms.contains_key(*s))
            .collect();
        let [sym] = unbound.as_slice() else {
            return Ok(None);
        };
        let mut coef = 0i64;
        let mut rest_terms = vec![];
        for (mono, c) in dim.terms() {
            if mono.as_slice() == [(sym.to_string(), 1)] {
                coef = *c;
            } else if mono.iter().any(|(s, _)| s == sym) {
                return Ok(None); // not linear in `sym`
            } else {
                rest_terms.push((mono.clone(), *c));
            }
        }
        let rest = Dim::from_terms(rest_terms)
            .ok()
            .and_then(|d| d.eval(&self.syms));
        let solved = rest
            .and_then(|r| extent.checked_sub(r))
            .filter(|d| coef != 0 && d % coef == 0)
            .map(|d| d / coef);
        match solved {
            Some(v) if v >= 0 => Ok(Some((sym.to_string(), v))),
            _ => fail(
                Code::SymbolConflict,
                format!("%{param}: extent {extent} does not match {dim} for any {sym} >= 0"),
            ),
        }
    }

    fn check_param_dim(
        &self,
        p: &Binding<'_>,
        axis: usize,
        dim: &Dim,
        extent: usize,
    ) -> Result<()> {
        let code = if dim.is_const() {
            Code::BadInput
        } else {
            Code::SymbolConflict
        };
        match dim.eval(&self.syms) {
            Some(want) if want == extent as i64 => Ok(()),
            Some(want) => fail(
                code,
                format!(
                    "%{}: axis {axis} is {dim} = {want}, got extent {extent}",
                    p.name
                ),
            ),
            None => fail(
                Code::SymbolConflict,
                format!(
                    "%{}: cannot bind the symbols of dim {dim} (axis {axis})",
                    p.name
                ),
            ),
        }
    }

    /// The value of a dim (E0214 when it names an unbound symbol, E0506 when negative).
    pub(crate) fn extent(&self, dim: &Dim) -> Result<usize> {
        match dim.eval(&self.syms) {
            None => fail(
                Code::UnknownSymbol,
                format!("dim {dim} mentions a symbol that is not bound here"),
            ),
            Some(v) => usize::try_from(v)
                .or_else(|_| fail(Code::BadExtent, format!("dim {dim} is negative ({v})"))),
        }
    }

    /// The values of several dims: a shape the interpreter is about to allocate (E0505 when its
    /// element count is over [`super::MAX_ELEMENTS`]).
    pub(crate) fn extents(&self, dims: &[Dim]) -> Result<Vec<usize>> {
        let shape = dims
            .iter()
            .map(|d| self.extent(d))
            .collect::<Result<Vec<usize>>>()?;
        super::check_size(&shape)?;
        Ok(shape)
    }

    /// Checks a computed value against a declared type: the dtype (E0213) and each extent (E0506).
    /// With `fresh`, a declared dim that is a lone symbol not bound by the parameters is the
    /// node's fresh dim: it is (re)bound to the actual extent, so later nodes can use it.
    pub(crate) fn check(
        &mut self,
        what: &str,
        ty: &TensorType,
        v: &Tensor,
        fresh: bool,
    ) -> Result<()> {
        if v.dtype() != ty.dtype {
            return fail(
                Code::ResultTypeMismatch,
                format!("{what} is declared {} but computes {}", ty, v.dtype()),
            );
        }
        if v.rank() != ty.rank() {
            return fail(
                Code::BadExtent,
                format!("{what} is declared {ty} but computes shape {:?}", v.shape()),
            );
        }
        for (dim, &extent) in ty.shape.iter().zip(v.shape()) {
            match dim.as_symbol() {
                Some(s) if fresh && !self.param_syms.contains(s) => {
                    self.syms.insert(s.to_string(), extent as i64);
                }
                _ => {
                    if self.extent(dim)? != extent {
                        return fail(
                            Code::BadExtent,
                            format!("{what} is declared {ty} but computes shape {:?}", v.shape()),
                        );
                    }
                }
            }
        }
        Ok(())
    }
}
