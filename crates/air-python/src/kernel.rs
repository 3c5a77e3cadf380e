//! `skair.compile` and `skair.Kernel`: a function compiled for a backend, callable on NumPy
//! arrays. A module read from a format without dtypes (SymPy) is specialised to the dtypes of
//! the arrays it is called with, one compiled variant per dtype signature, kept in the kernel.

use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex};

use air_ir::text::SourceMap;
use air_ir::{DType, Intent};
use air_llvm::Entry;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::errors::{diagnostics_error, Kind};
use crate::gather::{gather, Given};
use crate::module::{signature, validate, Module, Origin};
use crate::plan::{Plan, Slot};

/// The backends, by name.
const BACKENDS: [&str; 2] = ["llvm", "interp"];

/// How many dtype specialisations a kernel keeps.
const MAX_VARIANTS: usize = 64;

/// How a variant runs.
enum Exec {
    /// Native code from the LLVM backend.
    Llvm(Entry),
    /// The reference interpreter on this (validated) module.
    Interp(air_ir::Module),
}

/// The function compiled for one dtype signature.
struct Variant {
    plan: Plan,
    signature: String,
    exec: Exec,
}

/// A parameter or result of a kernel's signature.
#[pyclass(module = "skair", frozen, get_all)]
pub struct Arg {
    /// The name (`result0`... for an unnamed result).
    pub name: String,
    /// NumPy's name for the dtype (`float64`).
    pub dtype: String,
    /// The dims: an `int` for a constant, a `str` for a symbol or expression (`"n"`, `"n+1"`).
    pub shape: Py<PyTuple>,
    /// `"in"`, `"out"` or `"inout"` for a parameter, `"result"` for a result.
    pub intent: String,
}

#[pymethods]
impl Arg {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Arg(name={:?}, dtype={:?}, shape={}, intent={:?})",
            self.name,
            self.dtype,
            self.shape.bind(py).repr()?,
            self.intent
        ))
    }
}

fn arg(py: Python<'_>, slot: &Slot, intent: &str) -> PyResult<Arg> {
    let dims: Vec<Bound<'_, PyAny>> = slot
        .ty
        .shape
        .iter()
        .map(|d| match d.as_const() {
            Some(c) => Ok(c.into_pyobject(py)?.into_any()),
            None => Ok(d.to_string().into_pyobject(py)?.into_any()),
        })
        .collect::<PyResult<_>>()?;
    Ok(Arg {
        name: slot.name.clone(),
        dtype: slot.dtype.numpy_name().to_string(),
        shape: PyTuple::new(py, dims)?.unbind(),
        intent: intent.to_string(),
    })
}

/// A function compiled for a backend: call it on NumPy arrays.
///
/// `kernel(*args, out=None, **kwargs)`: positional arguments bind to the parameters that are
/// read (`in`, `inout`), keywords to any parameter; `out=` gives buffers for the outputs (the
/// results, then the `out`/`inout` parameters); `inout` arrays are updated in place. Returns
/// the one output, a tuple of them, or `None`.
#[pyclass(module = "skair", frozen)]
pub struct Kernel {
    backend: &'static str,
    threads: Option<usize>,
    /// The memory budget of each call in bytes (`None`: none).
    max_memory: Option<u64>,
    function: String,
    origin: Option<Origin>,
    primary: Arc<Variant>,
    variants: Mutex<Vec<Arc<Variant>>>,
    /// The specialisations being compiled now, by their dtypes: a thread that needs one waits
    /// for the thread compiling it instead of compiling it again.
    compiling: Mutex<InFlight>,
}

/// The specialisations being compiled, by the dtypes of the arrays named.
type InFlight = HashMap<Vec<(String, DType)>, Arc<Pending>>;

/// A specialisation some thread is compiling; `done` turns true when it has finished (compiled
/// or failed) and left [`Kernel::compiling`].
#[derive(Default)]
struct Pending {
    done: Mutex<bool>,
    finished: Condvar,
}

impl Pending {
    /// Blocks until the compiling thread has finished.
    fn wait(&self) {
        let mut done = self.done.lock().unwrap_or_else(|p| p.into_inner());
        while !*done {
            done = self.finished.wait(done).unwrap_or_else(|p| p.into_inner());
        }
    }
}

/// Marks a compilation finished when dropped, whether it succeeded, failed or panicked: the
/// entry leaves the kernel's `compiling` map and the waiting threads wake.
struct Finish<'k> {
    compiling: &'k Mutex<InFlight>,
    key: Vec<(String, DType)>,
    pending: Arc<Pending>,
}

impl Drop for Finish<'_> {
    fn drop(&mut self) {
        if let Ok(mut g) = self.compiling.lock() {
            g.remove(&self.key);
        }
        *self.pending.done.lock().unwrap_or_else(|p| p.into_inner()) = true;
        self.pending.finished.notify_all();
    }
}

/// Compiles `function` of `m` (validated first) for the backend.
fn build(
    py: Python<'_>,
    m: &air_ir::Module,
    map: Option<&SourceMap>,
    function: &str,
    backend: &str,
    threads: Option<usize>,
) -> PyResult<Variant> {
    validate(py, m, map)?;
    let f = m
        .function(function)
        .ok_or_else(|| PyValueError::new_err(format!("no function @{function} in the module")))?;
    let plan = Plan::new(f);
    let signature = signature(f);
    let exec = if backend == "interp" {
        Exec::Interp(m.clone())
    } else {
        let options = air_llvm::Options {
            threads: threads.unwrap_or(0),
            ..air_llvm::Options::default()
        };
        let compiled = py
            .detach(|| air_llvm::compile_cached(m, &options))
            .map_err(|d| {
                let context = format!("the llvm backend cannot compile @{function}");
                diagnostics_error(py, Kind::Compile, &context, &d)
            })?;
        let entry = compiled.entry(function).ok_or_else(|| {
            PyRuntimeError::new_err(format!(
                "compiled module has no entry point for @{function}"
            ))
        })?;
        Exec::Llvm(entry)
    };
    Ok(Variant {
        plan,
        signature,
        exec,
    })
}

/// The function a kernel runs when none is named: [`air_ir::entry_function`] (`main`, else the
/// only one); with several functions and no `main`, a `ValueError` lists them.
fn entry_function(m: &air_ir::Module) -> PyResult<String> {
    air_ir::entry_function(m)
        .map(str::to_string)
        .map_err(|e| PyValueError::new_err(format!("{e} (pass function=)")))
}

/// Compiles a module's function (`function`, else `main`, else the only one) into a callable
/// `Kernel`.
///
/// `backend`: `"llvm"` (native code) or `"interp"` (the reference interpreter). `threads`: the
/// most threads large loop nests use (`None`: every core; the interpreter uses one).
/// `max_memory`: the most bytes of tensors a call may hold at once, an `int` or a string like
/// `"512M"` (K, M, G, T: powers of 1024), `"none"` for no budget; `None`: the machine's physical
/// memory. A call over it raises `MemoryError` (E0508) before allocating.
#[pyfunction]
#[pyo3(signature = (module, backend = "llvm", threads = None, function = None, max_memory = None))]
pub fn compile(
    py: Python<'_>,
    module: &Bound<'_, Module>,
    backend: &str,
    threads: Option<usize>,
    function: Option<String>,
    max_memory: Option<&Bound<'_, PyAny>>,
) -> PyResult<Kernel> {
    let max_memory = parse_max_memory(max_memory)?;
    let backend = BACKENDS
        .into_iter()
        .find(|b| *b == backend)
        .ok_or_else(|| {
            PyValueError::new_err(format!(
                "unknown backend '{backend}'; known: {}",
                BACKENDS.join(", ")
            ))
        })?;
    match threads {
        Some(0) => {
            return Err(PyValueError::new_err(
                "threads must be at least 1 (None: every core)",
            ))
        }
        Some(n) if n > 1 && backend == "interp" => {
            return Err(PyValueError::new_err(format!(
                "threads={n}: the interpreter runs on one thread"
            )))
        }
        _ => {}
    }
    let m = module.get();
    let function = match function {
        Some(f) => f,
        None => entry_function(&m.inner)?,
    };
    let primary = Arc::new(build(
        py,
        &m.inner,
        m.source_map.as_ref(),
        &function,
        backend,
        threads,
    )?);
    Ok(Kernel {
        backend,
        threads,
        max_memory,
        function,
        origin: m.origin.clone(),
        primary,
        variants: Mutex::new(vec![]),
        compiling: Mutex::new(HashMap::new()),
    })
}

/// `max_memory=`: an `int` of bytes (at least 1), a string `"512M"` or `"none"`, or `None` (the
/// machine's physical memory, no budget where that cannot be read).
fn parse_max_memory(v: Option<&Bound<'_, PyAny>>) -> PyResult<Option<u64>> {
    let Some(v) = v.filter(|v| !v.is_none()) else {
        return Ok(air_value::memory::physical_memory());
    };
    if let Ok(n) = v.extract::<i128>() {
        return match u64::try_from(n) {
            Ok(n) if n > 0 => Ok(Some(n)),
            _ => Err(PyValueError::new_err(format!(
                "max_memory={n}: must be a positive number of bytes"
            ))),
        };
    }
    let text: String = v.extract().map_err(|_| {
        PyValueError::new_err("max_memory must be an int, a string like '512M', 'none' or None")
    })?;
    if text == "none" {
        return Ok(None);
    }
    air_value::memory::parse_bytes(&text)
        .map(Some)
        .map_err(|e| PyValueError::new_err(format!("max_memory: {e}")))
}

/// True when every array given has the dtype the plan declares for it.
fn fits(plan: &Plan, given: &Given<'_>) -> bool {
    let params = plan.params.iter().zip(&given.params);
    let results = plan.results.iter().zip(&given.results);
    params
        .map(|((s, _), a)| (s, a))
        .chain(results)
        .all(|(s, a)| a.as_ref().is_none_or(|a| a.dtype() == Some(s.dtype)))
}

impl Kernel {
    /// The variant for the arrays given: the primary one, else (for a module without dtypes) a
    /// specialisation to their dtypes, compiled on first use.
    fn select(&self, py: Python<'_>, given: &Given<'_>) -> PyResult<Arc<Variant>> {
        let Some(origin) = &self.origin else {
            return Ok(Arc::clone(&self.primary));
        };
        if fits(&self.primary.plan, given) {
            return Ok(Arc::clone(&self.primary));
        }
        let plan = &self.primary.plan;
        let mut arrays: Vec<(String, DType)> = vec![];
        let named = plan
            .params
            .iter()
            .map(|(s, _)| s)
            .zip(&given.params)
            .chain(plan.results.iter().zip(&given.results));
        for (slot, a) in named {
            let Some(a) = a else { continue };
            let Some(d) = a.dtype() else {
                return Ok(Arc::clone(&self.primary)); // no AIR dtype: the check reports it
            };
            let fixed = origin.fixed_dtypes().iter().find(|(n, _)| *n == slot.name);
            if fixed.is_some_and(|(_, f)| *f != d) {
                return Ok(Arc::clone(&self.primary)); // dtypes= fixed it: the check reports it
            }
            arrays.push((slot.name.clone(), d));
        }
        loop {
            let cached = self
                .variants
                .lock()
                .map_err(|_| PyRuntimeError::new_err("kernel cache poisoned"))?
                .iter()
                .find(|v| fits(&v.plan, given))
                .cloned();
            if let Some(v) = cached {
                return Ok(v);
            }
            let (pending, mine) = {
                let mut g = self
                    .compiling
                    .lock()
                    .map_err(|_| PyRuntimeError::new_err("kernel cache poisoned"))?;
                match g.get(&arrays) {
                    Some(p) => (Arc::clone(p), false),
                    None => {
                        let p = Arc::new(Pending::default());
                        g.insert(arrays.clone(), Arc::clone(&p));
                        (p, true)
                    }
                }
            };
            if !mine {
                // Another thread compiles this one: wait without the GIL, then look again
                // (if it failed, this thread compiles it and reports the error itself).
                py.detach(|| pending.wait());
                continue;
            }
            let _finish = Finish {
                compiling: &self.compiling,
                key: arrays.clone(),
                pending,
            };
            return self.specialise(py, origin, &arrays);
        }
    }

    /// Compiles the specialisation of the module to the dtypes of `arrays` and keeps it.
    fn specialise(
        &self,
        py: Python<'_>,
        origin: &Origin,
        arrays: &[(String, DType)],
    ) -> PyResult<Arc<Variant>> {
        let plan = &self.primary.plan;
        let m = origin.specialise(arrays).map_err(|d| {
            diagnostics_error(
                py,
                Kind::Translation,
                "cannot specialise the module to these dtypes",
                &d,
            )
        })?;
        let v = Arc::new(build(
            py,
            &m,
            None,
            &self.function,
            self.backend,
            self.threads,
        )?);
        if !v.plan.same_shape_as(plan) {
            return Err(PyRuntimeError::new_err(format!(
                "specialising @{} to the arrays' dtypes changed its signature: {} became {}",
                self.function, self.primary.signature, v.signature
            )));
        }
        if let Ok(mut g) = self.variants.lock() {
            if g.len() >= MAX_VARIANTS {
                g.remove(0);
            }
            g.push(Arc::clone(&v));
        }
        Ok(v)
    }
}

#[pymethods]
impl Kernel {
    #[pyo3(signature = (*args, out = None, **kwargs))]
    fn __call__<'py>(
        &self,
        py: Python<'py>,
        args: &Bound<'py, PyTuple>,
        out: Option<&Bound<'py, PyAny>>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let mut given = gather(&self.primary.plan, args, kwargs, out)?;
        let v = self.select(py, &given)?;
        let syms = crate::check::check(&v.plan, &given)?;
        match &v.exec {
            Exec::Llvm(entry) => {
                crate::run::run(py, entry, &v.plan, &mut given, syms, self.max_memory)
            }
            Exec::Interp(m) => crate::interp::run(py, m, &v.plan, &given, self.max_memory),
        }
    }

    /// The function's signature in AIR's text form (`@f(%x: f64[n]) -> (%y: f64[n])`).
    #[getter]
    fn signature(&self) -> String {
        self.primary.signature.clone()
    }

    /// The parameters, in order.
    #[getter]
    fn params(&self, py: Python<'_>) -> PyResult<Vec<Arg>> {
        self.primary
            .plan
            .params
            .iter()
            .map(|(s, i)| arg(py, s, intent_name(*i)))
            .collect()
    }

    /// The declared results, in order.
    #[getter]
    fn results(&self, py: Python<'_>) -> PyResult<Vec<Arg>> {
        self.primary
            .plan
            .results
            .iter()
            .map(|s| arg(py, s, "result"))
            .collect()
    }

    /// `"llvm"` or `"interp"`.
    #[getter]
    fn backend(&self) -> &'static str {
        self.backend
    }

    /// The most threads a call uses (`None`: every core).
    #[getter]
    fn threads(&self) -> Option<usize> {
        self.threads
    }

    /// The memory budget of a call in bytes (`None`: no budget).
    #[getter]
    fn max_memory(&self) -> Option<u64> {
        self.max_memory
    }

    /// The function's name.
    #[getter]
    fn function(&self) -> String {
        self.function.clone()
    }

    /// The signatures compiled so far: the first one, then one per dtype specialisation.
    #[getter]
    fn variants(&self) -> Vec<String> {
        let mut out = vec![self.primary.signature.clone()];
        if let Ok(g) = self.variants.lock() {
            out.extend(g.iter().map(|v| v.signature.clone()));
        }
        out
    }

    fn __repr__(&self) -> String {
        format!(
            "<skair.Kernel {} backend={}>",
            self.primary.signature, self.backend
        )
    }
}

fn intent_name(i: Intent) -> &'static str {
    i.keyword()
}
