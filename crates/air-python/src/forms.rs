//! The forms a module is read from and written to: AIR's three serial forms (`air`, `airpb`,
//! `json`) and every translator of the registry (`sympy`...), by name or file extension.

use std::path::Path;

use air_ir::serial::Format;
use air_translate::Translator;
use pyo3::exceptions::PyValueError;
use pyo3::PyResult;

/// A serial form of AIR, or a translator's foreign format.
#[derive(Clone, Copy, Debug)]
pub enum Form {
    /// `.air`, `.airpb`, `.air.json`.
    Serial(Format),
    /// A translator's format (`.srepr`).
    Foreign(&'static Translator),
}

impl Form {
    /// Every form: the serial forms, then the registry's translators.
    pub fn all() -> Vec<Form> {
        let serial = Format::ALL.into_iter().map(Form::Serial);
        serial
            .chain(air_translate::all().iter().map(Form::Foreign))
            .collect()
    }

    /// The form's name in skair: `air`, `airpb`, `json`, or the translator's name.
    pub fn name(self) -> &'static str {
        match self {
            Form::Serial(Format::Text) => "air",
            Form::Serial(Format::Protobuf) => "airpb",
            Form::Serial(Format::Json) => "json",
            Form::Foreign(t) => t.name,
        }
    }

    /// The file extensions, with their dot; the first is the one to write.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Form::Serial(f) => f.extensions(),
            Form::Foreign(t) => t.extensions,
        }
    }

    /// True when the form is text (a Python `str`), false for bytes (`airpb`).
    pub fn is_text(self) -> bool {
        !matches!(self, Form::Serial(Format::Protobuf))
    }

    /// The form a user names: its name, the serial forms' long names (`text`, `protobuf`), or an
    /// extension with or without its dot.
    pub fn by_name(name: &str) -> PyResult<Form> {
        let bare = |e: &str| e.trim_start_matches('.').to_ascii_lowercase();
        let wanted = bare(name);
        let found = Form::all().into_iter().find(|f| {
            f.name() == wanted
                || matches!(f, Form::Serial(s) if s.name() == wanted)
                || f.extensions().iter().any(|e| bare(e) == wanted)
        });
        found.ok_or_else(|| {
            let known: Vec<&str> = Form::all().into_iter().map(Form::name).collect();
            PyValueError::new_err(format!(
                "unknown format '{name}'; known: {}",
                known.join(", ")
            ))
        })
    }

    /// The form whose extension ends the file name (the longest match; ASCII case ignored).
    pub fn of_path(path: &Path) -> PyResult<Form> {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        Form::all()
            .into_iter()
            .flat_map(|f| f.extensions().iter().map(move |e| (f, *e)))
            .filter(|(_, e)| name.ends_with(e))
            .max_by_key(|(_, e)| e.len())
            .map(|(f, _)| f)
            .ok_or_else(|| {
                let known: Vec<String> = Form::all()
                    .into_iter()
                    .map(|f| format!("{} ({})", f.extensions().join(", "), f.name()))
                    .collect();
                PyValueError::new_err(format!(
                    "cannot tell the format of '{}' from its extension; known: {}; or pass format=",
                    path.display(),
                    known.join("; ")
                ))
            })
    }

    /// The form named by `format`, else the one of `path`'s extension.
    pub fn resolve(format: Option<&str>, path: &Path) -> PyResult<Form> {
        match format {
            Some(f) => Form::by_name(f),
            None => Form::of_path(path),
        }
    }
}
