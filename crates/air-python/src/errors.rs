//! Python exceptions: `ValidationError`, `TranslationError` and `CompileError` (all `ValueError`s)
//! carry a `diagnostics` list of [`Diagnostic`] objects, one per problem; run-time problems of
//! compiled code map to `ValueError` (shapes, extents, indices) or `RuntimeError` (E0505).

use air_ir::{Code, Diagnostics};
use air_value::RunError;
use pyo3::exceptions::{PyMemoryError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyList;

pyo3::create_exception!(
    skair,
    ValidationError,
    PyValueError,
    "The module is not valid AIR; `.diagnostics` lists every problem."
);
pyo3::create_exception!(
    skair,
    TranslationError,
    PyValueError,
    "A translator cannot read the input or write the module; `.diagnostics` lists every construct."
);
pyo3::create_exception!(
    skair,
    CompileError,
    PyValueError,
    "The backend cannot compile the module (an op or dtype it does not support); `.diagnostics` lists every problem."
);

/// One problem AIR reports: a stable code, a message, and where it is.
#[pyclass(module = "skair", frozen)]
#[derive(Clone)]
pub struct Diagnostic {
    /// The stable code, `"E0203"`.
    #[pyo3(get)]
    pub code: String,
    /// What is wrong.
    #[pyo3(get)]
    pub message: String,
    /// `file:line:col` or a foreign id, when known.
    #[pyo3(get)]
    pub location: Option<String>,
    /// The node path inside the function (`%3/%7`), when the problem is about a node.
    #[pyo3(get)]
    pub path: Option<String>,
    /// The function, when the problem is inside one.
    #[pyo3(get)]
    pub function: Option<String>,
    /// The op of the node, when known.
    #[pyo3(get)]
    pub op: Option<String>,
    rendered: String,
}

#[pymethods]
impl Diagnostic {
    fn __str__(&self) -> String {
        self.rendered.clone()
    }

    fn __repr__(&self) -> String {
        format!("<Diagnostic {}: {}>", self.code, self.message)
    }
}

impl Diagnostic {
    fn of(d: &air_ir::Diagnostic) -> Diagnostic {
        let path = (!d.node_path.is_empty()).then(|| {
            d.node_path
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("/")
        });
        Diagnostic {
            code: d.code.to_string(),
            message: d.message.clone(),
            location: d.loc.as_ref().map(ToString::to_string),
            path,
            function: d.function.clone(),
            op: d.op.clone(),
            rendered: d.to_string(),
        }
    }
}

/// Which exception a list of diagnostics becomes.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// `skair.ValidationError`.
    Validation,
    /// `skair.TranslationError`.
    Translation,
    /// `skair.CompileError`.
    Compile,
}

/// An exception of `kind` whose message is `context` and every diagnostic (one a line), with
/// the diagnostics as objects in its `diagnostics` attribute.
pub fn diagnostics_error(py: Python<'_>, kind: Kind, context: &str, diags: &Diagnostics) -> PyErr {
    let n = diags.total();
    let plural = if n == 1 { "" } else { "s" };
    let message = format!("{context} ({n} problem{plural}):\n{diags}");
    let err = match kind {
        Kind::Validation => ValidationError::new_err(message),
        Kind::Translation => TranslationError::new_err(message),
        Kind::Compile => CompileError::new_err(message),
    };
    let objects: Vec<Diagnostic> = diags.0.iter().map(Diagnostic::of).collect();
    let attached =
        PyList::new(py, objects).and_then(|list| err.value(py).setattr("diagnostics", list));
    match attached {
        Ok(()) => err,
        Err(e) => e,
    }
}

/// The Python exception for a failed run: `RuntimeError` for E0505 (the backend cannot do it),
/// E0509 (a bug) and E0510 (a `while` past an iteration limit, as Python's own
/// `RecursionError` is one), `MemoryError` for E0508 (a tensor too large to allocate), `ValueError` for every
/// other run-time problem (shapes, extents, indices, empty reductions).
pub fn run_error(e: &RunError) -> PyErr {
    match e.code {
        Code::Unsupported | Code::Internal | Code::IterationLimit => {
            PyRuntimeError::new_err(e.to_string())
        }
        Code::TooLarge => PyMemoryError::new_err(e.to_string()),
        Code::Syntax
        | Code::UnknownOp
        | Code::BadAttribute
        | Code::UnsupportedVersion
        | Code::LimitExceeded
        | Code::UndefinedValue
        | Code::BadLiteral
        | Code::MalformedProtobuf
        | Code::MalformedJson
        | Code::BadDim
        | Code::BadName
        | Code::DTypeMismatch
        | Code::DTypeNotAccepted
        | Code::ContractionMismatch
        | Code::ShapeMismatch
        | Code::BadAxis
        | Code::BadPermutation
        | Code::BadBroadcast
        | Code::ReshapeCount
        | Code::SqueezeNotOne
        | Code::BadSlice
        | Code::ConcatMismatch
        | Code::BadEinsum
        | Code::ResultTypeMismatch
        | Code::UnknownSymbol
        | Code::RankMismatch
        | Code::ExpectedScalar
        | Code::BadShape
        | Code::Arity
        | Code::BadSizeParam
        | Code::BadHandle
        | Code::BadResultIndex
        | Code::ResultCount
        | Code::DuplicateName
        | Code::ReturnMismatch
        | Code::OutParamRead
        | Code::BodyParams
        | Code::DuplicateFunction
        | Code::UnknownFunction
        | Code::Recursion
        | Code::CallTooDeep
        | Code::CallMismatch
        | Code::RegionMismatch
        | Code::BadDecomposition
        | Code::NoDecomposition
        | Code::BadInput
        | Code::SymbolConflict
        | Code::IndexOutOfRange
        | Code::EmptyReduction
        | Code::BadExtent
        | Code::NotExpressible => PyValueError::new_err(e.to_string()),
    }
}
