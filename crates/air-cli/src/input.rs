//! Reading a module from a file or standard input, in any serial form.

use std::io::Read;
use std::path::Path;

use air_ir::serial::{self, Format};
use air_ir::text::SourceMap;
use air_ir::Module;

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

/// Parses a `--from`/`--to` value.
pub fn parse_format(s: &str) -> Result<Format, String> {
    Format::ALL
        .into_iter()
        .find(|f| {
            f.name() == s
                || f.extensions()
                    .iter()
                    .any(|e| e.trim_start_matches('.') == s)
        })
        .ok_or_else(|| {
            let known: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
            format!(
                "error: unknown format `{s}`; known formats: {}",
                known.join(", ")
            )
        })
}

/// The message for a path whose extension names no format.
pub fn unknown_extension(path: &str) -> String {
    let known: Vec<String> = Format::ALL
        .iter()
        .map(|f| format!("{} ({})", f.extensions().join(", "), f.name()))
        .collect();
    format!(
        "error: cannot tell the format of `{path}` from its extension; known: {}; or pass --from/--to",
        known.join("; ")
    )
}

/// Reads and decodes a module; the error is a rendered report.
pub fn load(path: &str, from: Option<Format>) -> Result<Loaded, String> {
    let (name, bytes) = read_bytes(path)?;
    let format = match from {
        Some(f) => f,
        None if path == "-" => Format::Text,
        None => Format::from_path(Path::new(path)).ok_or_else(|| unknown_extension(path))?,
    };
    if format == Format::Text {
        let text = String::from_utf8(bytes).map_err(|e| {
            format!(
                "error[E0101]: {name} is not UTF-8 text (byte {})",
                e.utf8_error().valid_up_to()
            )
        })?;
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

fn read_bytes(path: &str) -> Result<(String, Vec<u8>), String> {
    if path == "-" {
        let mut buf = vec![];
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| format!("error: cannot read standard input: {e}"))?;
        return Ok(("<stdin>".to_string(), buf));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("error: cannot read {path}: {e}"))?;
    Ok((path.to_string(), bytes))
}
