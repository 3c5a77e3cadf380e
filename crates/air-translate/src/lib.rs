//! The one table of AIR's translators: name, file extensions, import and export. The CLI, the
//! conformance runner and `skair` iterate over [`all`] instead of naming translators, so a new
//! translator is one new entry here.
//!
//! ```
//! let t = air_translate::for_path(std::path::Path::new("model.srepr")).unwrap();
//! assert_eq!(t.name, "sympy");
//! let m = (t.import)("Equality(Symbol('y'), Mul(Integer(2), Symbol('x')))", &Default::default()).unwrap();
//! assert_eq!(m.functions[0].params[0].name, "x");
//! ```

use std::path::Path;

use air_ir::{DType, Diagnostics, Module};

/// What an import may be told beyond the text.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImportOptions {
    /// The name the text came from (a path, `<stdin>`), used in locations.
    pub source: String,
    /// dtypes by name, for formats that carry none (SymPy); formats with dtypes ignore them.
    pub dtypes: Vec<(String, DType)>,
    /// The parameters in order, for formats whose order is not fixed (SymPy's `args=`).
    pub args: Option<Vec<String>>,
}

impl ImportOptions {
    /// These options with the dtypes of the arrays a run is given, for a format without dtypes:
    /// the module is specialised to them (`air run`, `skair`'s kernels), except where
    /// [`ImportOptions::dtypes`] names a dtype itself, which wins.
    pub fn specialised(&self, arrays: &[(String, DType)]) -> ImportOptions {
        let mut dtypes: Vec<(String, DType)> = arrays
            .iter()
            .filter(|(n, _)| self.dtypes.iter().all(|(d, _)| d != n))
            .cloned()
            .collect();
        dtypes.extend(self.dtypes.iter().cloned());
        ImportOptions {
            dtypes,
            ..self.clone()
        }
    }
}

/// One translator between a foreign format and AIR.
#[derive(Clone, Copy, Debug)]
pub struct Translator {
    /// Its name (`sympy`), also the conformance target's.
    pub name: &'static str,
    /// File extensions with their dot; the first is the one to write.
    pub extensions: &'static [&'static str],
    /// False for formats without dtypes, which [`ImportOptions::dtypes`] may specialise.
    pub carries_dtypes: bool,
    /// Reads the format into a module; every problem is a diagnostic with its location.
    pub import: fn(&str, &ImportOptions) -> Result<Module, Diagnostics>,
    /// Writes a module in the format, or lists every construct the format cannot express.
    pub export: fn(&Module) -> Result<String, Diagnostics>,
}

static ALL: [Translator; 2] = [
    Translator {
        name: "sympy",
        extensions: &[".srepr", ".srepr.txt"],
        carries_dtypes: false,
        import: sympy_import,
        export: sympy_export,
    },
    Translator {
        name: "pytensor",
        extensions: &[".pytensor.json"],
        carries_dtypes: true,
        import: pytensor_import,
        export: pytensor_export,
    },
];

/// Every translator.
pub fn all() -> &'static [Translator] {
    &ALL
}

/// The translator of this name.
pub fn by_name(name: &str) -> Option<&'static Translator> {
    ALL.iter().find(|t| t.name == name)
}

/// The translator whose extension ends the file name (the longest match; ASCII case ignored). A
/// file named just like an extension without its dot (`pytensor.json`, as the library examples (docs/examples/libraries)
/// name theirs) matches too.
pub fn for_path(path: &Path) -> Option<&'static Translator> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    ALL.iter()
        .flat_map(|t| t.extensions.iter().map(move |e| (t, *e)))
        .filter(|(_, e)| name.ends_with(e) || name == e[1..])
        .max_by_key(|(_, e)| e.len())
        .map(|(t, _)| t)
}

fn sympy_import(text: &str, o: &ImportOptions) -> Result<Module, Diagnostics> {
    let opts = air_sympy::Options {
        dtypes: o.dtypes.iter().cloned().collect(),
        args: o.args.clone(),
        ..air_sympy::Options::default()
    };
    air_sympy::import(text, &opts).map_err(|e| e.to_diagnostics(&o.source))
}

fn sympy_export(m: &Module) -> Result<String, Diagnostics> {
    air_sympy::export(m, &air_sympy::Options::default()).map_err(|e| e.to_diagnostics(""))
}

fn pytensor_import(text: &str, o: &ImportOptions) -> Result<Module, Diagnostics> {
    air_pytensor::import(text, &air_pytensor::Options::default())
        .map_err(|e| e.to_diagnostics(&o.source))
}

fn pytensor_export(m: &Module) -> Result<String, Diagnostics> {
    air_pytensor::export(m, &air_pytensor::Options::default()).map_err(|e| e.to_diagnostics(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_extensions_are_unique() {
        for (i, t) in all().iter().enumerate() {
            assert!(all()[i + 1..].iter().all(|u| u.name != t.name));
            for e in t.extensions {
                assert!(e.starts_with('.'));
                assert_eq!(
                    for_path(Path::new(&format!("x{e}"))).map(|t| t.name),
                    Some(t.name)
                );
            }
        }
        assert!(for_path(Path::new("x.air")).is_none());
        assert_eq!(
            for_path(Path::new("examples/matvec/pytensor.json")).map(|t| t.name),
            Some("pytensor")
        );
        assert!(for_path(Path::new("json")).is_none());
        assert_eq!(by_name("sympy").map(|t| t.extensions[0]), Some(".srepr"));
    }

    #[test]
    fn specialised_dtypes_yield_to_named_ones() {
        let o = ImportOptions {
            dtypes: vec![("x".into(), DType::F32)],
            ..ImportOptions::default()
        };
        let s = o.specialised(&[("x".into(), DType::F64), ("y".into(), DType::I32)]);
        assert_eq!(
            s.dtypes,
            vec![("y".into(), DType::I32), ("x".into(), DType::F32)]
        );
    }

    #[test]
    fn sympy_errors_are_located_diagnostics() {
        let t = by_name("sympy").unwrap();
        let o = ImportOptions {
            source: "m.srepr".into(),
            ..ImportOptions::default()
        };
        let d = (t.import)(
            "Equality(Symbol('y'), besselj(Integer(0), Symbol('x')))",
            &o,
        )
        .unwrap_err();
        assert_eq!(d.0.len(), 1);
        assert_eq!(d.0[0].code, air_ir::Code::UnknownOp);
        assert_eq!(
            d.0[0].loc.as_ref().map(|l| l.to_string()).as_deref(),
            Some("m.srepr:1:23")
        );
    }
}
