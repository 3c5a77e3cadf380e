//! A function activation's dimension symbols: bound from the arguments' shapes on entry, extended
//! with fresh dims (the lengths of `filter` and `slice` results) as they are computed.

use std::collections::{HashMap, HashSet};

use air_ir::dim::DimEvalError;
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
    /// The symbol a size parameter binds to its value (op set 2).
    pub size: Option<&'a str>,
}

impl Frame {
    /// Binds the symbols of the parameters' types from the values' shapes and checks every dim,
    /// as `docs/spec.md` 4.1 and 4.2 say:
    ///
    /// 1. every value's dtype and rank must be the parameter's (E0501; all such problems are
    ///    listed in one error); a size parameter's value binds its symbol (negative: E0506);
    /// 2. each lone symbol binds to its extent (two different extents: E0502);
    /// 3. every other dim is evaluated and compared: a constant that differs is E0506, an
    ///    expression (`n+1`) that differs E0502, and a symbol that occurs only inside expressions
    ///    cannot be bound (AIR does not solve for symbols): E0502.
    pub(crate) fn bind(params: &[Binding<'_>]) -> Result<Frame> {
        let problems: Vec<String> = params
            .iter()
            .filter_map(|p| {
                let v = p.value?;
                let ok = v.dtype() == p.ty.dtype && v.rank() == p.ty.rank();
                (!ok).then(|| {
                    format!(
                        "%{}: expected {}, got {}{:?}",
                        p.name,
                        p.ty,
                        v.dtype(),
                        v.shape()
                    )
                })
            })
            .collect();
        if !problems.is_empty() {
            return fail(Code::BadInput, problems.join("; "));
        }
        let mut frame = Frame::default();
        // Size parameters first (spec §1.5): the value, at least 0, is the symbol's extent.
        for p in params {
            let (Some(s), Some(v)) = (p.size, p.value) else {
                continue;
            };
            let n = crate::eval::scalar_index(v, &format!("size parameter %{}", p.name))?;
            if n < 0 {
                return fail(
                    Code::BadExtent,
                    format!(
                        "size parameter %{} is {n}: the extent {s} must be at least 0",
                        p.name
                    ),
                );
            }
            frame.bind_symbol(s, n, p.name)?;
        }
        for p in params {
            let Some(v) = p.value else { continue };
            for (dim, &extent) in p.ty.shape.iter().zip(v.shape()) {
                if let Some(s) = dim.as_symbol() {
                    frame.bind_symbol(s, extent as i64, p.name)?;
                }
            }
        }
        for p in params {
            let Some(v) = p.value else { continue };
            for (axis, (dim, &extent)) in p.ty.shape.iter().zip(v.shape()).enumerate() {
                frame.check_param_dim(p.name, axis, dim, extent)?;
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

    fn check_param_dim(&self, param: &str, axis: usize, dim: &Dim, extent: usize) -> Result<()> {
        let code = if dim.is_const() {
            Code::BadExtent
        } else {
            Code::SymbolConflict
        };
        match dim.try_eval(&self.syms) {
            Ok(want) if want == extent as i64 => Ok(()),
            Ok(want) => fail(
                code,
                format!("%{param}: axis {axis} is {dim} = {want}, got extent {extent}"),
            ),
            Err(e @ DimEvalError::Overflow { .. }) => {
                fail(Code::BadExtent, format!("%{param}: axis {axis}: {e}"))
            }
            Err(DimEvalError::Unbound(_)) => fail(
                Code::SymbolConflict,
                format!(
                    "%{param}: dim {dim} (axis {axis}) mentions a symbol no parameter binds as a \
                     lone dim (AIR does not solve for symbols)"
                ),
            ),
        }
    }

    /// The shape of an `out` parameter whose buffer was not given (E0501 when its dims mention a
    /// symbol no given argument binds: the buffer is needed to know the extent).
    pub(crate) fn out_shape(&self, name: &str, ty: &TensorType) -> Result<Vec<usize>> {
        let unbound = |d: &Dim| matches!(d.try_eval(&self.syms), Err(DimEvalError::Unbound(_)));
        if ty.shape.iter().any(unbound) {
            return fail(
                Code::BadInput,
                format!(
                    "out parameter %{name}: {ty} mentions symbols no input binds; pass its buffer"
                ),
            );
        }
        self.extents(&ty.shape)
    }

    /// The value of a dim (E0214 when it names an unbound symbol, E0506 when negative or when
    /// it overflows i64 with the bound values).
    pub(crate) fn extent(&self, dim: &Dim) -> Result<usize> {
        match dim.try_eval(&self.syms) {
            Err(DimEvalError::Unbound(s)) => fail(
                Code::UnknownSymbol,
                format!("dim {dim} mentions symbol {s}, which is not bound here"),
            ),
            Err(e @ DimEvalError::Overflow { .. }) => fail(Code::BadExtent, e.to_string()),
            Ok(v) => usize::try_from(v)
                .or_else(|_| fail(Code::BadExtent, format!("dim {dim} is negative ({v})"))),
        }
    }

    /// The shape of a declared type when every dim has a value already (`None` when one is a
    /// fresh dim not bound yet, or negative: the op reports that); E0506 when one overflows.
    pub(crate) fn known_shape(&self, dims: &[Dim]) -> Result<Option<Vec<usize>>> {
        let mut shape = Vec::with_capacity(dims.len());
        for d in dims {
            match d.try_eval(&self.syms) {
                Ok(v) => match usize::try_from(v) {
                    Ok(e) => shape.push(e),
                    Err(_) => return Ok(None),
                },
                Err(DimEvalError::Unbound(_)) => return Ok(None),
                Err(e @ DimEvalError::Overflow { .. }) => {
                    return fail(Code::BadExtent, e.to_string())
                }
            }
        }
        Ok(Some(shape))
    }

    /// The values of several dims: a shape the interpreter is about to allocate (E0508 when its
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
