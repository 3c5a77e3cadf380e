//! `skair.Module` and the functions that read, write and convert modules: `load`, `loads`,
//! `convert`, `formats`.

use std::path::{Path, PathBuf};

use air_ir::serial::{self, Format};
use air_ir::text::SourceMap;
use air_ir::{DType, Diagnostics};
use air_translate::{ImportOptions, Translator};
use pyo3::exceptions::{
    PyFileNotFoundError, PyOSError, PyPermissionError, PyTypeError, PyValueError,
};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};

use crate::errors::{diagnostics_error, Kind};
use crate::forms::Form;

/// An AIR module: functions over typed tensors. Read one with `skair.load`, `skair.loads` or
/// `skair.from_sympy`; compile it with `skair.compile`.
#[pyclass(module = "skair", name = "Module", frozen)]
pub struct Module {
    pub(crate) inner: air_ir::Module,
    /// Set for modules read from a format without dtypes: kernels re-import the text with the
    /// dtypes of the arrays they are called with.
    pub(crate) origin: Option<Origin>,
    /// Node positions, for modules read from the text form (diagnostics point at the source).
    pub(crate) source_map: Option<SourceMap>,
}

/// The foreign text a module without dtypes was imported from, and how.
#[derive(Clone, Debug)]
pub struct Origin {
    translator: &'static Translator,
    text: String,
    options: ImportOptions,
}

impl Origin {
    /// The dtypes the user fixed at import (`dtypes=`); they win over the arrays' dtypes.
    pub fn fixed_dtypes(&self) -> &[(String, DType)] {
        &self.options.dtypes
    }

    /// The module imported again, specialised to the dtypes of the arrays passed.
    pub fn specialise(&self, arrays: &[(String, DType)]) -> Result<air_ir::Module, Diagnostics> {
        (self.translator.import)(&self.text, &self.options.specialised(arrays))
    }
}

#[pymethods]
impl Module {
    /// The module in AIR's text form.
    fn text(&self) -> String {
        air_ir::text::print(&self.inner)
    }

    fn __str__(&self) -> String {
        self.text()
    }

    fn __repr__(&self) -> String {
        let sigs: Vec<String> = self.inner.functions.iter().map(signature).collect();
        format!("<skair.Module {}>", sigs.join("; "))
    }

    /// The names of the module's functions, in order.
    #[getter]
    fn functions(&self) -> Vec<String> {
        self.inner
            .functions
            .iter()
            .map(|f| f.name.clone())
            .collect()
    }

    /// The module in a form (`"air"` text by default): `str`, or `bytes` for `"airpb"`.
    #[pyo3(signature = (format = "air"))]
    fn dumps<'py>(&self, py: Python<'py>, format: &str) -> PyResult<Bound<'py, PyAny>> {
        let form = Form::by_name(format)?;
        let bytes = write(py, &self.inner, form)?;
        if form.is_text() {
            let text = String::from_utf8(bytes)
                .map_err(|e| PyValueError::new_err(format!("not UTF-8: {e}")))?;
            Ok(PyString::new(py, &text).into_any())
        } else {
            Ok(PyBytes::new(py, &bytes).into_any())
        }
    }

    /// Writes the module to a file, the form chosen by `format` or by the extension.
    #[pyo3(signature = (path, format = None))]
    fn save(&self, py: Python<'_>, path: PathBuf, format: Option<&str>) -> PyResult<()> {
        let form = Form::resolve(format, &path)?;
        let bytes = write(py, &self.inner, form)?;
        std::fs::write(&path, bytes).map_err(|e| io_error(&path, e))
    }

    /// Validates the module; raises `skair.ValidationError` listing every problem.
    fn check(&self, py: Python<'_>) -> PyResult<()> {
        validate(py, &self.inner, self.source_map.as_ref())
    }
}

/// Raises `skair.ValidationError` unless the module is valid; problems about nodes of a module
/// read from text get the node's `file:line:col`.
pub fn validate(py: Python<'_>, m: &air_ir::Module, map: Option<&SourceMap>) -> PyResult<()> {
    let Err(mut diags) = air_ir::validate::validate(m) else {
        return Ok(());
    };
    if let Some(map) = map {
        for d in &mut diags.0 {
            if let (None, Some(f)) = (&d.loc, &d.function) {
                d.loc = map.node_loc(f, &d.node_path);
            }
        }
    }
    Err(diagnostics_error(
        py,
        Kind::Validation,
        "the module is invalid",
        &diags,
    ))
}

/// `@f(%x: f64[n], out %y: f64[n]) -> (%z: f64)`: a function's signature as the text form
/// writes it.
pub fn signature(f: &air_ir::Function) -> String {
    let text = air_ir::text::print_function(f);
    let head = text.lines().next().unwrap_or_default();
    head.trim_start_matches("func ")
        .trim_end_matches('{')
        .trim_end()
        .to_string()
}

/// Encodes a module in a form; a translator's export lists everything it cannot write.
fn write(py: Python<'_>, m: &air_ir::Module, form: Form) -> PyResult<Vec<u8>> {
    match form {
        Form::Serial(f) => Ok(serial::write(m, f)),
        Form::Foreign(t) => (t.export)(m).map(String::into_bytes).map_err(|d| {
            let context = format!("the {} format cannot express this module", t.name);
            diagnostics_error(py, Kind::Translation, &context, &d)
        }),
    }
}

/// An `OSError` of the right subclass, naming the file.
// std::io::ErrorKind is foreign and non-exhaustive: every other kind is a generic OSError
#[allow(clippy::wildcard_enum_match_arm)]
fn io_error(path: &Path, e: std::io::Error) -> PyErr {
    let msg = format!("{}: {e}", path.display());
    match e.kind() {
        std::io::ErrorKind::NotFound => PyFileNotFoundError::new_err(msg),
        std::io::ErrorKind::PermissionDenied => PyPermissionError::new_err(msg),
        _ => PyOSError::new_err(msg),
    }
}

/// Decodes a module from bytes in a form. `args` and `dtypes` are for formats without dtypes.
fn read(
    py: Python<'_>,
    bytes: &[u8],
    form: Form,
    source: &str,
    args: Option<Vec<String>>,
    dtypes: Vec<(String, DType)>,
) -> PyResult<Module> {
    let t = match form {
        Form::Foreign(t) => t,
        Form::Serial(f) => {
            if args.is_some() || !dtypes.is_empty() {
                return Err(PyValueError::new_err(format!(
                    "args= and dtypes= are for formats without dtypes ({}); the {} form carries its own signature",
                    untyped_forms(),
                    Form::Serial(f).name()
                )));
            }
            let read = match (f, std::str::from_utf8(bytes)) {
                (Format::Text, Ok(text)) => {
                    air_ir::text::parse_with_source_map(text, source).map(|(m, map)| (m, Some(map)))
                }
                _ => serial::read(bytes, f, source).map(|m| (m, None)),
            };
            let (inner, source_map) = read.map_err(|d| {
                let context = format!("{source} is not a readable {} module", f.name());
                diagnostics_error(py, Kind::Validation, &context, &d)
            })?;
            return Ok(Module {
                inner,
                origin: None,
                source_map,
            });
        }
    };
    let text = std::str::from_utf8(bytes).map_err(|e| {
        PyValueError::new_err(format!(
            "{source} is not UTF-8 text (byte {})",
            e.valid_up_to()
        ))
    })?;
    let options = ImportOptions {
        source: source.to_string(),
        dtypes,
        args,
    };
    let inner = (t.import)(text, &options).map_err(|d| {
        let context = format!("the {} translator cannot read {source}", t.name);
        diagnostics_error(py, Kind::Translation, &context, &d)
    })?;
    let origin = (!t.carries_dtypes).then(|| Origin {
        translator: t,
        text: text.to_string(),
        options,
    });
    Ok(Module {
        inner,
        origin,
        source_map: None,
    })
}

/// The translators whose formats carry no dtypes, for messages.
fn untyped_forms() -> String {
    let names: Vec<&str> = air_translate::all()
        .iter()
        .filter(|t| !t.carries_dtypes)
        .map(|t| t.name)
        .collect();
    names.join(", ")
}

/// `dtypes=`: a mapping from names to dtypes (`"f32"`, `"float32"`, `np.float32`...).
fn parse_dtypes(dtypes: Option<&Bound<'_, PyDict>>) -> PyResult<Vec<(String, DType)>> {
    let Some(map) = dtypes else {
        return Ok(vec![]);
    };
    let mut out = Vec::with_capacity(map.len());
    for (k, v) in map.iter() {
        let name: String = k
            .extract()
            .map_err(|_| PyTypeError::new_err(format!("dtypes=: key {k} is not a str")))?;
        let d = crate::dtypes::from_py(&v).map_err(|e| {
            let why = e.value(map.py()).to_string();
            PyTypeError::new_err(format!("dtypes=: {name}: {why}"))
        })?;
        out.push((name, d));
    }
    Ok(out)
}

/// Reads at most one byte past the reader's input limit, so a huge file (or `/dev/zero`) gets
/// the reader's `E0105` instead of exhausting memory.
fn read_file(path: &Path) -> PyResult<Vec<u8>> {
    use std::io::Read;
    let limit = air_ir::limits::Limits::default().max_input_bytes;
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    let file = std::fs::File::open(path).map_err(|e| io_error(path, e))?;
    let mut bytes = vec![];
    file.take(cap)
        .read_to_end(&mut bytes)
        .map_err(|e| io_error(path, e))?;
    Ok(bytes)
}

/// Reads a module from a file, the form chosen by `format` or by the extension.
#[pyfunction]
#[pyo3(signature = (path, format = None, *, args = None, dtypes = None))]
pub fn load(
    py: Python<'_>,
    path: PathBuf,
    format: Option<&str>,
    args: Option<Vec<String>>,
    dtypes: Option<&Bound<'_, PyDict>>,
) -> PyResult<Module> {
    let form = Form::resolve(format, &path)?;
    let bytes = read_file(&path)?;
    let source = path.display().to_string();
    read(py, &bytes, form, &source, args, parse_dtypes(dtypes)?)
}

/// Reads a module from `str` or `bytes` in a form (default: `"air"` for `str`, `"airpb"` for
/// `bytes`).
#[pyfunction]
#[pyo3(signature = (data, format = None, *, args = None, dtypes = None, source = "<string>"))]
pub fn loads(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    format: Option<&str>,
    args: Option<Vec<String>>,
    dtypes: Option<&Bound<'_, PyDict>>,
    source: &str,
) -> PyResult<Module> {
    let (bytes, default) = if let Ok(s) = data.cast::<PyString>() {
        (s.to_cow()?.as_bytes().to_vec(), Form::Serial(Format::Text))
    } else if let Ok(b) = data.cast::<PyBytes>() {
        (b.as_bytes().to_vec(), Form::Serial(Format::Protobuf))
    } else {
        return Err(PyTypeError::new_err(format!(
            "loads() takes str or bytes, not {}",
            data.get_type().name()?
        )));
    };
    let form = format.map(Form::by_name).transpose()?.unwrap_or(default);
    read(py, &bytes, form, source, args, parse_dtypes(dtypes)?)
}

/// Converts a file from one form to another, each chosen by its extension or named.
#[pyfunction]
#[pyo3(signature = (src, dst, *, src_format = None, dst_format = None))]
pub fn convert(
    py: Python<'_>,
    src: PathBuf,
    dst: PathBuf,
    src_format: Option<&str>,
    dst_format: Option<&str>,
) -> PyResult<()> {
    let m = load(py, src, src_format, None, None)?;
    m.save(py, dst, dst_format)
}

/// Every form skair reads and writes, by name, with its file extensions (the first is the one
/// written): AIR's `air`, `airpb` and `json`, then every translator of the registry.
#[pyfunction]
pub fn formats(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let d = PyDict::new(py);
    for f in Form::all() {
        d.set_item(f.name(), f.extensions().to_vec())?;
    }
    Ok(d)
}
