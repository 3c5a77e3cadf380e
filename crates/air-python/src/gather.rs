//! Binding a call's Python arguments to a function's parameters: positional arguments to the
//! parameters that are read (`in`, `inout`), keywords to any parameter by name (a structured
//! array for a record table `t` splits into `t__<field>`), `out=` to the outputs; every
//! argument must be a NumPy array, or a Python or NumPy scalar for a rank-0 parameter.

use air_ir::{DType, Intent};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyComplex, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

use crate::arrays::Array;
use crate::plan::{Output, Plan, Small};

/// The arrays of one call: one per parameter (`None` for an `out` parameter not given) and one
/// per declared result (`None` unless `out=` gave a buffer).
pub struct Given<'py> {
    /// By parameter.
    pub params: Small<Option<Array<'py>>>,
    /// By declared result.
    pub results: Small<Option<Array<'py>>>,
}

impl Given<'_> {
    /// True when the caller gave some output buffer (a result, or an `out` parameter).
    pub fn has_out_buffers(&self, plan: &Plan) -> bool {
        self.results.iter().any(Option::is_some)
            || plan
                .params
                .iter()
                .zip(&self.params)
                .any(|((_, i), a)| *i == Intent::Out && a.is_some())
    }
}

/// `argument 'b' (param 2 of @f)`: how messages name a parameter.
pub fn describe_param(plan: &Plan, j: usize) -> String {
    format!(
        "argument '{}' (param {} of @{})",
        plan.params[j].0.name,
        j + 1,
        plan.function
    )
}

/// Binds `args`, `kwargs` and `out=` to the plan's parameters and results (see the module docs).
pub fn gather<'py>(
    plan: &Plan,
    args: &Bound<'py, PyTuple>,
    kwargs: Option<&Bound<'py, PyDict>>,
    out: Option<&Bound<'py, PyAny>>,
) -> PyResult<Given<'py>> {
    let mut objs: Small<Option<Bound<'py, PyAny>>> = (0..plan.params.len()).map(|_| None).collect();
    if args.len() > plan.positional.len() {
        return Err(too_many(plan, args.len()));
    }
    for (i, obj) in args.iter().enumerate() {
        objs[plan.positional[i]] = Some(obj);
    }
    if let Some(kw) = kwargs {
        for (k, v) in kw.iter() {
            let name = k.cast::<PyString>()?.to_cow()?.into_owned();
            bind_keyword(plan, &mut objs, &name, v)?;
        }
    }
    let mut results: Small<Option<Array<'py>>> = (0..plan.results.len()).map(|_| None).collect();
    if let Some(out) = out {
        bind_out(plan, &mut objs, &mut results, out)?;
    }
    let missing: Vec<String> = plan
        .params
        .iter()
        .zip(&objs)
        .enumerate()
        .filter(|(_, ((_, intent), o))| *intent != Intent::Out && o.is_none())
        .map(|(j, ((s, _), _))| format!("'{}' (param {}, {})", s.name, j + 1, s.ty))
        .collect();
    if !missing.is_empty() {
        return Err(PyTypeError::new_err(format!(
            "@{}() missing {} argument{}: {}",
            plan.function,
            missing.len(),
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", ")
        )));
    }
    let params = objs
        .into_iter()
        .enumerate()
        .map(|(j, o)| o.map(|o| to_array(plan, j, o)).transpose())
        .collect::<PyResult<_>>()?;
    Ok(Given { params, results })
}

fn too_many(plan: &Plan, given: usize) -> PyErr {
    let names: Vec<&str> = plan
        .positional
        .iter()
        .map(|&j| plan.params[j].0.name.as_str())
        .collect();
    let outs: Vec<&str> = plan
        .params
        .iter()
        .filter(|(_, i)| *i == Intent::Out)
        .map(|(s, _)| s.name.as_str())
        .collect();
    let hint = if outs.is_empty() {
        String::new()
    } else {
        format!(
            "; out parameters ({}) are passed by keyword or out=",
            outs.join(", ")
        )
    };
    PyTypeError::new_err(format!(
        "@{}() takes {} positional argument{} ({}) but {given} were given{hint}",
        plan.function,
        names.len(),
        if names.len() == 1 { "" } else { "s" },
        names.join(", ")
    ))
}

fn bind_keyword<'py>(
    plan: &Plan,
    objs: &mut [Option<Bound<'py, PyAny>>],
    name: &str,
    v: Bound<'py, PyAny>,
) -> PyResult<()> {
    if let Some(j) = plan.param_index(name) {
        if objs[j].is_some() {
            return Err(PyTypeError::new_err(format!(
                "@{}() got multiple values for argument '{name}'",
                plan.function
            )));
        }
        objs[j] = Some(v);
        return Ok(());
    }
    let prefix = format!("{name}__");
    let is_table = plan.params.iter().any(|(s, _)| s.name.starts_with(&prefix));
    if is_table {
        return split_table(plan, objs, name, &v);
    }
    let names: Vec<&str> = plan.params.iter().map(|(s, _)| s.name.as_str()).collect();
    Err(PyTypeError::new_err(format!(
        "@{}() got an unexpected keyword argument '{name}'; parameters: {}",
        plan.function,
        names.join(", ")
    )))
}

/// A structured array `t` for the parameters `t__<field>`: one view per field (no copy); fields
/// no parameter names are not used.
fn split_table<'py>(
    plan: &Plan,
    objs: &mut [Option<Bound<'py, PyAny>>],
    name: &str,
    v: &Bound<'py, PyAny>,
) -> PyResult<()> {
    let fields = v
        .getattr("dtype")
        .and_then(|d| d.getattr("names"))
        .ok()
        .filter(|n| !n.is_none());
    let Some(fields) = fields else {
        return Err(PyTypeError::new_err(format!(
            "@{}(): '{name}' is a record table (parameters {name}__<field>): pass a NumPy structured array",
            plan.function
        )));
    };
    for field in fields.try_iter()? {
        let field: String = field?.extract()?;
        let pname = format!("{name}__{field}");
        if let Some(j) = plan.param_index(&pname) {
            if objs[j].is_some() {
                return Err(PyTypeError::new_err(format!(
                    "@{}() got multiple values for argument '{pname}' (also a field of '{name}')",
                    plan.function
                )));
            }
            objs[j] = Some(v.get_item(field)?);
        }
    }
    Ok(())
}

/// `out=`: one buffer (or `None`) per output, or a single buffer when there is one output.
fn bind_out<'py>(
    plan: &Plan,
    objs: &mut [Option<Bound<'py, PyAny>>],
    results: &mut [Option<Array<'py>>],
    out: &Bound<'py, PyAny>,
) -> PyResult<()> {
    let entries: Small<Bound<'py, PyAny>> =
        if out.is_instance_of::<PyTuple>() || out.is_instance_of::<PyList>() {
            out.try_iter()?.collect::<PyResult<_>>()?
        } else {
            smallvec::smallvec![out.clone()]
        };
    if entries.len() != plan.outputs.len() {
        let names: Vec<&str> = plan
            .outputs
            .iter()
            .map(|&o| plan.output(o).name.as_str())
            .collect();
        return Err(PyTypeError::new_err(format!(
            "out= must give {} buffer{} (or None) for @{}'s outputs ({}), got {}",
            names.len(),
            if names.len() == 1 { "" } else { "s" },
            plan.function,
            names.join(", "),
            entries.len()
        )));
    }
    for (&o, e) in plan.outputs.iter().zip(entries) {
        if e.is_none() {
            continue;
        }
        match o {
            Output::Result(k) => results[k] = Some(out_array(plan, o, e)?),
            Output::Param(j) => match plan.params[j].1 {
                Intent::InOut => {
                    let same = objs[j].as_ref().is_some_and(|a| a.is(&e));
                    if !same {
                        return Err(PyValueError::new_err(format!(
                            "out= entry for inout {}: the array passed for it is updated in place; give None or that array",
                            describe_param(plan, j)
                        )));
                    }
                }
                Intent::Out | Intent::In => {
                    if objs[j].is_some() {
                        return Err(PyTypeError::new_err(format!(
                            "@{}() got two buffers for out parameter '{}' (keyword and out=)",
                            plan.function, plan.params[j].0.name
                        )));
                    }
                    objs[j] = Some(e);
                }
            },
        }
    }
    Ok(())
}

fn out_array<'py>(plan: &Plan, o: Output, e: Bound<'py, PyAny>) -> PyResult<Array<'py>> {
    Array::of(e).map_err(|e| {
        let type_name = e
            .get_type()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_default();
        PyTypeError::new_err(format!(
            "out= entry for '{}' of @{}: expected a NumPy array, got {type_name}",
            plan.output(o).name,
            plan.function
        ))
    })
}

/// The argument as an array: NumPy arrays as they are, except that an input whose elements
/// are not aligned for its dtype (a field of a packed structured array) is copied into an
/// aligned array (the one copy this path makes); a Python or NumPy scalar for a rank-0
/// parameter through `numpy.asarray` (a Python number takes the parameter's dtype when its
/// kind fits: bool to bool, int to any number, float to float or complex, complex to complex).
fn to_array<'py>(plan: &Plan, j: usize, obj: Bound<'py, PyAny>) -> PyResult<Array<'py>> {
    let obj = match Array::of(obj) {
        Ok(a) if a.aligned() || plan.params[j].1 != Intent::In => return Ok(a),
        Ok(a) => {
            let copy = a
                .obj()
                .py()
                .import("numpy")?
                .getattr("array")?
                .call1((a.obj(),))?;
            return Array::of(copy).map_err(|_| PyTypeError::new_err("numpy.array gave no array"));
        }
        Err(obj) => obj,
    };
    let slot = &plan.params[j].0;
    let py = obj.py();
    let np = py.import("numpy")?;
    let is_generic = obj.is_instance(&np.getattr("generic")?)?;
    let type_name = obj.get_type().name()?.to_string();
    let converted = if !slot.dims.is_empty() || plan.params[j].1 != Intent::In {
        None
    } else if is_generic {
        Some(np.getattr("asarray")?.call1((&obj,))?)
    } else if python_number_fits(&obj, slot.dtype) {
        let dtype = slot.dtype.numpy_name();
        Some(np.getattr("asarray")?.call1((&obj, dtype))?)
    } else {
        None
    };
    converted.and_then(|a| Array::of(a).ok()).ok_or_else(|| {
        PyTypeError::new_err(format!(
            "{}: expected a NumPy array ({}), got {type_name}",
            describe_param(plan, j),
            slot.ty
        ))
    })
}

fn python_number_fits(obj: &Bound<'_, PyAny>, d: DType) -> bool {
    if obj.is_instance_of::<PyBool>() {
        d.is_bool()
    } else if obj.is_instance_of::<PyInt>() {
        d.is_int() || d.is_float() || d.is_complex()
    } else if obj.is_instance_of::<PyFloat>() {
        d.is_float() || d.is_complex()
    } else if obj.is_instance_of::<PyComplex>() {
        d.is_complex()
    } else {
        false
    }
}
