//! Reading a module from a file or standard input, in any serial form or any format a translator
//! reads (`.srepr`); writing one in any of them.

use std::io::Read;
use std::path::Path;

use air_ir::serial::{self, Format};
use air_ir::text::SourceMap;
use air_ir::{DType, Module};
use air_translate::{ImportOptions, Translator};

use crate::render;

/// A module read from somewhere, with what is needed to render problems against its source.
pub struct Loaded {
    /// The name shown in messages (the path, or `<stdin>`).
    pub name: String,
    /// The module.
    pub module: Module,
    /// The source text, when the input was the text form.
    pub source: Option<String>,
    /// Node positions, when the input was the text form.
    pub source_map: Option<SourceMap>,
}

/// A form a module can be read from or written to: one of AIR's serial forms, or a foreign
/// format through its translator (`.srepr`).
#[derive(Clone, Copy, Debug)]
pub enum Form {
    /// `.air`, `.airpb`, `.air.json`.
    Serial(Format),
    /// A translator's format.
    Foreign(&'static Translator),
}

impl Form {
    /// The form whose extension ends the path (the longest match over both tables).
    pub fn of_path(path: &str) -> Option<Form> {
        let path = Path::new(path);
        let serial = Format::from_path(path).map(|f| {
            let len = f.extensions().iter().map(|e| e.len()).max().unwrap_or(0);
            (len, Form::Serial(f))
        });
        let foreign = air_translate::for_path(path).map(|t| {
            let name = path.to_string_lossy().to_ascii_lowercase();
            let len = t
                .extensions
                .iter()
                .filter(|e| name.ends_with(*e))
                .map(|e| e.len())
                .max();
            (len.unwrap_or(0), Form::Foreign(t))
        });
        [serial, foreign]
            .into_iter()
            .flatten()
            .max_by_key(|(len, _)| *len)
            .map(|(_, f)| f)
    }
}

/// Parses a `--from`/`--to` value: a serial form's name or extension, or a translator's.
pub fn parse_format(s: &str) -> Result<Form, String> {
    let bare = |e: &str| e.trim_start_matches('.').to_string();
    if let Some(f) = Format::ALL
        .into_iter()
        .find(|f| f.name() == s || f.extensions().iter().any(|e| bare(e) == s))
    {
        return Ok(Form::Serial(f));
    }
    if let Some(t) = air_translate::all()
        .iter()
        .find(|t| t.name == s || t.extensions.iter().any(|e| bare(e) == s))
    {
        return Ok(Form::Foreign(t));
    }
    let mut known: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
    known.extend(air_translate::all().iter().map(|t| t.name));
    Err(format!(
        "error: unknown format `{s}`; known formats: {}",
        known.join(", ")
    ))
}

/// The message for a path whose extension names no format.
pub fn unknown_extension(path: &str) -> String {
    let mut known: Vec<String> = Format::ALL
        .iter()
        .map(|f| format!("{} ({})", f.extensions().join(", "), f.name()))
        .collect();
    known.extend(
        air_translate::all()
            .iter()
            .map(|t| format!("{} ({})", t.extensions.join(", "), t.name)),
    );
    format!(
        "error: cannot tell the format of `{path}` from its extension; known: {}; or pass --from/--to",
        known.join("; ")
    )
}

/// Reads and decodes a module; the error is a rendered report.
pub fn load(path: &str, from: Option<Form>) -> Result<Loaded, String> {
    load_with(path, from, &ImportOptions::default())
}

/// [`load`], with what a translator of a format without dtypes may be told (the dtypes of the
/// arrays `air run` was given).
pub fn load_with(path: &str, from: Option<Form>, hints: &ImportOptions) -> Result<Loaded, String> {
    let (name, bytes) = read_bytes(path)?;
    let format = match resolve(path, from)? {
        Form::Serial(f) => f,
        Form::Foreign(t) => return load_foreign(t, name, bytes, hints),
    };
    if format == Format::Text {
        let text = utf8(&name, bytes)?;
        return match air_ir::text::parse_with_source_map(&text, &name) {
            Ok((module, map)) => Ok(Loaded {
                name,
                module,
                source: Some(text),
                source_map: Some(map),
            }),
            Err(diags) => Err(render::render_source_errors(&diags.0, &name, Some(&text))),
        };
    }
    match serial::read(&bytes, format, &name) {
        Ok(module) => Ok(Loaded {
            name,
            module,
            source: None,
            source_map: None,
        }),
        Err(diags) => Err(render::render_source_errors(&diags.0, &name, None)),
    }
}

/// The form a path is read in: `--from`, else standard input's text form, else the extension.
fn resolve(path: &str, from: Option<Form>) -> Result<Form, String> {
    match from {
        Some(f) => Ok(f),
        None if path == "-" => Ok(Form::Serial(Format::Text)),
        None => Form::of_path(path).ok_or_else(|| unknown_extension(path)),
    }
}

/// Parses the `--dtype NAME=DTYPE` options (a short name such as `f32`, or NumPy's `float32`).
pub fn parse_dtypes(specs: &[String]) -> Result<Vec<(String, DType)>, String> {
    let mut out: Vec<(String, DType)> = vec![];
    for spec in specs {
        let (name, dtype) = spec
            .split_once('=')
            .ok_or_else(|| format!("error: --dtype `{spec}` is not NAME=DTYPE"))?;
        let (name, dtype) = (name.trim(), dtype.trim());
        if name.is_empty() {
            return Err(format!("error: --dtype `{spec}` names no symbol"));
        }
        let d = DType::from_name(dtype).ok_or_else(|| {
            let known: Vec<&str> = DType::ALL.iter().map(|d| d.name()).collect();
            format!(
                "error: --dtype {name}: unknown dtype `{dtype}`; known: {}",
                known.join(", ")
            )
        })?;
        match out.iter().find(|(n, _)| n == name) {
            Some((_, prev)) if *prev != d => {
                return Err(format!(
                    "error: --dtype {name} is given twice: {prev} and {d}"
                ))
            }
            Some(_) => {}
            None => out.push((name.to_string(), d)),
        }
    }
    Ok(out)
}

/// Refuses `--dtype` for a model whose format carries its own dtypes (the AIR forms).
pub fn check_dtypes_apply(
    path: &str,
    from: Option<Form>,
    dtypes: &[(String, DType)],
) -> Result<(), String> {
    if dtypes.is_empty() {
        return Ok(());
    }
    let carried = match resolve(path, from)? {
        Form::Serial(f) => Some(f.name()),
        Form::Foreign(t) if t.carries_dtypes => Some(t.name),
        Form::Foreign(_) => None,
    };
    match carried {
        Some(form) => Err(format!(
            "error: --dtype: {path} is in the {form} form, which carries its own dtypes; \
             --dtype is for formats without them ({})",
            air_translate::all()
                .iter()
                .filter(|t| !t.carries_dtypes)
                .map(|t| t.name)
                .collect::<Vec<_>>()
                .join(", ")
        )),
        None => Ok(()),
    }
}

/// Warns about each `--dtype` name that is no parameter or named result of `function` (a typo,
/// or a temporary: that one is still typed).
pub fn warn_unmatched_dtypes(l: &Loaded, functions: &[String], dtypes: &[(String, DType)]) {
    let funcs: Vec<_> = l
        .module
        .functions
        .iter()
        .filter(|f| functions.contains(&f.name))
        .collect();
    for (name, _) in dtypes {
        let named = funcs.iter().any(|f| {
            f.params.iter().any(|p| &p.name == name)
                || f.results.iter().any(|r| r.name.as_ref() == Some(name))
        });
        if !named {
            crate::out::eprint(&format!(
                "warning: --dtype {name}: no parameter or result of {} is named `{name}` \
                 (it types `{name}` only if an equation assigns it)",
                l.name
            ));
        }
    }
}

fn utf8(name: &str, bytes: Vec<u8>) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "error[E0101]: {name} is not UTF-8 text (byte {})",
            e.utf8_error().valid_up_to()
        )
    })
}

/// Imports a foreign format through its translator.
fn load_foreign(
    t: &Translator,
    name: String,
    bytes: Vec<u8>,
    hints: &ImportOptions,
) -> Result<Loaded, String> {
    let text = utf8(&name, bytes)?;
    let opts = ImportOptions {
        source: name.clone(),
        ..hints.clone()
    };
    match (t.import)(&text, &opts) {
        Ok(module) => Ok(Loaded {
            name,
            module,
            source: None,
            source_map: None,
        }),
        Err(diags) => Err(render::render_source_errors(&diags.0, &name, Some(&text))),
    }
}

/// Encodes a module in a form; a translator's export lists everything it cannot write.
pub fn write(module: &Module, to: Form, output: &str) -> Result<Vec<u8>, String> {
    match to {
        Form::Serial(f) => Ok(serial::write(module, f)),
        Form::Foreign(t) => match (t.export)(module) {
            Ok(text) => Ok(text.into_bytes()),
            Err(diags) => Err(format!(
                "{}{output}: the {} format cannot express this module",
                render::render_source_errors(&diags.0, output, None)
                    .trim_end_matches(|c| c != '\n'),
                t.name
            )),
        },
    }
}

/// Reads a file or standard input whole, refusing one larger than the reader's input limit
/// (`E0105`) after reading at most one byte past it: `air check /dev/zero` stops at the limit
/// instead of growing until memory runs out.
fn read_bytes(path: &str) -> Result<(String, Vec<u8>), String> {
    let limit = air_ir::limits::Limits::default().max_input_bytes;
    if path == "-" {
        let name = "<stdin>".to_string();
        let bytes = read_capped(std::io::stdin().lock(), &name, limit)?;
        return Ok((name, bytes));
    }
    let file = std::fs::File::open(path).map_err(|e| format!("error: cannot read {path}: {e}"))?;
    let bytes = read_capped(file, path, limit)?;
    Ok((path.to_string(), bytes))
}

/// Reads at most `limit` bytes from `r`; more is an `E0105` error naming the limit.
pub fn read_capped(r: impl Read, name: &str, limit: usize) -> Result<Vec<u8>, String> {
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    let mut buf = vec![];
    r.take(cap)
        .read_to_end(&mut buf)
        .map_err(|e| format!("error: cannot read {name}: {e}"))?;
    if buf.len() > limit {
        return Err(format!(
            "error[{}]: {name}: input is larger than the reader limit of {limit} bytes",
            air_ir::Code::LimitExceeded
        ));
    }
    Ok(buf)
}
