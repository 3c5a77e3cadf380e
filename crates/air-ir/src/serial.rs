//! The serial forms of a module, chosen by file extension: `.air` text, `.airpb` protobuf binary
//! (the normative interchange form) and `.air.json` canonical proto-JSON.
//!
//! Every reader bounds its input ([`Limits`]; the protobuf and JSON readers check the bounds and
//! the memory decoding would take on the raw input, before decoding it: [`pb::check_wire`],
//! [`pb::check_json`]), never panics, and applies one version policy
//! ([`check_versions`]): a reader of IR version N reads modules of IR version `1..=N` whose op set
//! version is `1..=OPSET_VERSION`; anything newer (or 0) is `E0104`. Other errors: `E0105` for a
//! limit, `E0109` for protobuf that does not decode or is not a valid module, `E0110` for the same
//! in JSON (syntax errors carry serde's `line:col`), and the text parser's own codes.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use prost::Message;

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::limits::Limits;
use crate::module::{Location, Module, IR_VERSION, OPSET_VERSION};
use crate::pb::{self, gen};

/// A serial form of a module.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// The `.air` text form (`docs/text-format.md`).
    Text,
    /// The `.airpb` protobuf binary form (`schema/air/v1/air.proto`).
    Protobuf,
    /// The `.air.json` canonical proto-JSON form of the same schema.
    Json,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 3] = [Format::Text, Format::Protobuf, Format::Json];

    /// A short name: `text`, `protobuf`, `json`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Protobuf => "protobuf",
            Format::Json => "json",
        }
    }

    /// The file extensions of the format, with their dot; the first is the one to write.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Format::Text => &[".air"],
            Format::Protobuf => &[".airpb"],
            Format::Json => &[".air.json"],
        }
    }

    /// The format whose extension ends the file name, the longest match winning (`m.air.json` is
    /// JSON, not text). Extensions compare ASCII-case-insensitively.
    pub fn from_path(path: &Path) -> Option<Format> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        Format::ALL
            .iter()
            .flat_map(|f| f.extensions().iter().map(move |e| (*f, *e)))
            .filter(|(_, ext)| name.ends_with(ext))
            .max_by_key(|(_, ext)| ext.len())
            .map(|(f, _)| f)
    }

    /// The format with this [`name`](Format::name).
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Every known extension, for messages: `.air, .airpb, .air.json`.
    pub fn known_extensions() -> String {
        let all: Vec<&str> = Format::ALL
            .iter()
            .flat_map(|f| f.extensions().iter().copied())
            .collect();
        all.join(", ")
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The version policy of this reader, applied to every module read: IR version `1..=IR_VERSION`
/// and op set version `1..=OPSET_VERSION` are accepted; anything else is `E0104`.
#[allow(clippy::result_large_err)] // Diagnostic is the crate's error type everywhere.
pub fn check_versions(m: &Module) -> Result<(), Diagnostic> {
    let ir_ok = (1..=IR_VERSION).contains(&m.ir_version);
    let opset_ok = (1..=OPSET_VERSION).contains(&m.opset_version);
    if ir_ok && opset_ok {
        return Ok(());
    }
    Err(Diagnostic::new(
        Code::UnsupportedVersion,
        format!(
            "module has IR version {} and op set version {}; this reader reads IR versions \
             1..={IR_VERSION} and op set versions 1..={OPSET_VERSION}",
            m.ir_version, m.opset_version
        ),
    ))
}

/// Reads a module in `format` with the default [`Limits`]. `file` names the input in diagnostics.
pub fn read(bytes: &[u8], format: Format, file: &str) -> Result<Module, Diagnostics> {
    read_with_limits(bytes, format, file, &Limits::default())
}

/// Reads a module in `format`, enforcing `limits`.
pub fn read_with_limits(
    bytes: &[u8],
    format: Format,
    file: &str,
    limits: &Limits,
) -> Result<Module, Diagnostics> {
    if bytes.len() > limits.max_input_bytes {
        let msg = format!(
            "input is {} bytes, more than the reader limit of {}",
            bytes.len(),
            limits.max_input_bytes
        );
        return Err(located(Diagnostic::new(Code::LimitExceeded, msg), file).into());
    }
    let module = match format {
        Format::Text => read_text(bytes, file)?,
        Format::Protobuf => {
            pb::check_wire(bytes, limits).map_err(|d| located(d, file))?;
            let g = gen::Module::decode(bytes).map_err(|e| located(decode_error(&e), file))?;
            from_gen(&g, Format::Protobuf, file, limits)?
        }
        Format::Json => {
            pb::check_json(bytes, file, limits)?;
            let g: gen::Module = serde_json::from_slice(bytes).map_err(|e| json_error(&e, file))?;
            from_gen(&g, Format::Json, file, limits)?
        }
    };
    check_versions(&module).map_err(|d| located(d, file))?;
    Ok(module)
}

/// Writes a module in `format`. Writing does not check the module: one that breaks the reader
/// [`Limits`] (regions nested deeper than `max_region_depth`, say) is written but not read back.
pub fn write(m: &Module, format: Format) -> Vec<u8> {
    match format {
        Format::Text => crate::text::print(m).into_bytes(),
        Format::Protobuf => gen::Module::from(m).encode_to_vec(),
        Format::Json => json::write(&gen::Module::from(m)),
    }
}

/// Errors of [`read_path`] and [`write_path`].
#[derive(Debug, thiserror::Error)]
pub enum SerialError {
    /// The file name has no known extension.
    #[error("{path}: unknown file extension (known: {known})")]
    UnknownFormat {
        /// The file.
        path: PathBuf,
        /// The known extensions, comma-separated.
        known: String,
    },
    /// The file cannot be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file was read but is not a valid module in its format.
    #[error("{0}")]
    Invalid(Diagnostics),
}

/// Reads a module from a file, the format chosen by its extension ([`Format::from_path`]).
pub fn read_path(path: &Path) -> Result<Module, SerialError> {
    let format = format_of(path)?;
    let limits = Limits::default();
    let io = |source| SerialError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    // Read one byte past the limit so an oversized file is reported, not truncated.
    let cap = u64::try_from(limits.max_input_bytes)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    let mut bytes = vec![];
    file.take(cap).read_to_end(&mut bytes).map_err(io)?;
    read_with_limits(&bytes, format, &path.display().to_string(), &limits)
        .map_err(SerialError::Invalid)
}

/// Writes a module to a file, the format chosen by its extension ([`Format::from_path`]).
pub fn write_path(m: &Module, path: &Path) -> Result<(), SerialError> {
    let format = format_of(path)?;
    std::fs::write(path, write(m, format)).map_err(|source| SerialError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn format_of(path: &Path) -> Result<Format, SerialError> {
    Format::from_path(path).ok_or_else(|| SerialError::UnknownFormat {
        path: path.to_path_buf(),
        known: Format::known_extensions(),
    })
}

fn read_text(bytes: &[u8], file: &str) -> Result<Module, Diagnostics> {
    match std::str::from_utf8(bytes) {
        Ok(src) => crate::text::parse(src, file),
        Err(e) => {
            let before = &bytes[..e.valid_up_to()];
            let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
            let line_start = before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p + 1);
            let col = String::from_utf8_lossy(&before[line_start..])
                .chars()
                .count()
                + 1;
            let d = Diagnostic::new(Code::Syntax, "input is not valid UTF-8").at(Location::File {
                file: file.to_string(),
                line: u32::try_from(line).unwrap_or(u32::MAX),
                col: u32::try_from(col).unwrap_or(u32::MAX),
            });
            Err(d.into())
        }
    }
}

/// Checks versions first (a newer module may not even convert), then converts. A message that is
/// well formed but not a valid module is `E0109` when it came as protobuf, `E0110` as JSON.
fn from_gen(
    g: &gen::Module,
    format: Format,
    file: &str,
    limits: &Limits,
) -> Result<Module, Diagnostics> {
    let shell = Module {
        ir_version: g.ir_version,
        opset_version: g.opset_version,
        ..Module::default()
    };
    check_versions(&shell).map_err(|d| located(d, file))?;
    let restate = |mut d: Diagnostic| {
        if format == Format::Json && d.code == Code::MalformedProtobuf {
            d.code = Code::MalformedJson;
        }
        located(d, file)
    };
    pb::from_gen(g, limits)
        .map_err(|Diagnostics(ds)| Diagnostics(ds.into_iter().map(restate).collect()))
}

/// Names the input file in a diagnostic that has no location of its own.
fn located(d: Diagnostic, file: &str) -> Diagnostic {
    if d.loc.is_some() || file.is_empty() {
        return d;
    }
    d.at(Location::Foreign(file.to_string()))
}

fn decode_error(e: &prost::DecodeError) -> Diagnostic {
    let text = e.to_string();
    let code = if text.contains("recursion limit reached") {
        Code::LimitExceeded
    } else {
        Code::MalformedProtobuf
    };
    Diagnostic::new(code, text)
}

fn json_error(e: &serde_json::Error, file: &str) -> Diagnostics {
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let message = full.strip_suffix(&suffix).unwrap_or(&full);
    let code = if message.contains("recursion limit exceeded") {
        Code::LimitExceeded
    } else {
        Code::MalformedJson
    };
    let d = Diagnostic::new(code, message).at(Location::File {
        file: file.to_string(),
        line: u32::try_from(e.line()).unwrap_or(u32::MAX),
        col: u32::try_from(e.column()).unwrap_or(u32::MAX),
    });
    d.into()
}

/// Canonical proto-JSON output.
mod json {
    use serde_json::Value as J;

    use crate::pb::gen;

    /// Pretty-printed proto-JSON with a final newline.
    ///
    /// pbjson hands doubles to serde as they are, and serde_json writes NaN and ±inf as `null`;
    /// proto-JSON spells them `"NaN"`, `"Infinity"`, `"-Infinity"` (which pbjson reads back). When
    /// the module has such a value, the JSON tree is patched at the attributes that hold one.
    pub(super) fn write(g: &gen::Module) -> Vec<u8> {
        let mut out = if has_non_finite(g) {
            let mut tree = serde_json::to_value(g).expect("proto-JSON of a module is a JSON value");
            patch_module(g, &mut tree);
            serde_json::to_vec_pretty(&tree)
        } else {
            serde_json::to_vec_pretty(g)
        }
        .expect("proto-JSON serialisation of a module does not fail");
        out.push(b'\n');
        out
    }

    fn has_non_finite(g: &gen::Module) -> bool {
        fn region(r: &gen::Region) -> bool {
            r.nodes.iter().any(|n| {
                n.attrs.iter().any(|a| match &a.value {
                    Some(gen::attribute::Value::FloatValue(f)) => !f.is_finite(),
                    Some(gen::attribute::Value::Floats(fs)) => {
                        fs.values.iter().any(|f| !f.is_finite())
                    }
                    _ => false,
                }) || n.regions.iter().any(region)
            })
        }
        g.functions
            .iter()
            .any(|f| f.body.as_ref().is_some_and(region))
    }

    fn spelled(f: f64) -> J {
        if f.is_nan() {
            J::from("NaN")
        } else if f == f64::INFINITY {
            J::from("Infinity")
        } else if f == f64::NEG_INFINITY {
            J::from("-Infinity")
        } else {
            J::from(f)
        }
    }

    fn patch_module(g: &gen::Module, tree: &mut J) {
        for (i, f) in g.functions.iter().enumerate() {
            if let (Some(body), Some(t)) =
                (&f.body, tree.pointer_mut(&format!("/functions/{i}/body")))
            {
                patch_region(body, t);
            }
        }
    }

    fn patch_region(r: &gen::Region, tree: &mut J) {
        for (i, n) in r.nodes.iter().enumerate() {
            let Some(node) = tree.pointer_mut(&format!("/nodes/{i}")) else {
                continue;
            };
            for (k, a) in n.attrs.iter().enumerate() {
                let Some(attr) = node.pointer_mut(&format!("/attrs/{k}")) else {
                    continue;
                };
                match &a.value {
                    Some(gen::attribute::Value::FloatValue(f)) => attr["floatValue"] = spelled(*f),
                    Some(gen::attribute::Value::Floats(fs)) => {
                        attr["floats"]["values"] =
                            J::Array(fs.values.iter().map(|f| spelled(*f)).collect());
                    }
                    _ => {}
                }
            }
            for (k, sub) in n.regions.iter().enumerate() {
                if let Some(t) = node.pointer_mut(&format!("/regions/{k}")) {
                    patch_region(sub, t);
                }
            }
        }
    }
}
