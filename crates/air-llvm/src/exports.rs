//! The names a compiled library exports: every AIR function `@f` as `<prefix>_<f mangled>`, and
//! the memory functions as `<prefix>_alloc`, `<prefix>_free` and `<prefix>_set_max_memory`, so
//! that two AIR libraries (even with functions of the same name) link into one program without a
//! clash. The mangling
//! ([`air_ir::name::c_mangle`], spec 1.6) keeps a name made of `[A-Za-z0-9_]` without `_x` and
//! writes every other character as `_x<hex>_` (`lin.alg` -> `lin_x2e_alg`): one-to-one, and always
//! a C identifier after the prefix, so the header declares exactly the symbols the object defines.
//!
//! The prefix is a C identifier, `[A-Za-z][A-Za-z0-9_]*` (a leading `_` is refused: such names
//! are the C implementation's). Its default comes from the output file's name: the part before
//! the first `.`, without a leading `lib` (the linker's `-lmatvec` <-> `libmatvec.so`
//! convention): `libmatvec.so` -> `matvec`, `m.o` -> `m`. A default that is not a C identifier
//! (`lib-mat.vec.so` -> `-mat`) is refused, never rewritten: pass `--prefix`.

use std::path::Path;

/// The suffixes of the memory functions every library exports beside its AIR functions.
pub const MEMORY_SUFFIXES: [&str; 3] = ["alloc", "free", "set_max_memory"];

/// `Ok` when `prefix` is a C identifier that starts with a letter.
pub fn check_prefix(prefix: &str) -> Result<(), String> {
    let mut chars = prefix.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "the symbol prefix `{prefix}` is not a C identifier starting with a letter \
             ([A-Za-z][A-Za-z0-9_]*)"
        ))
    }
}

/// The default prefix for an output file: its name up to the first `.`, a leading `lib`
/// removed; an error when that is not a valid prefix.
pub fn default_prefix(out: &Path) -> Result<String, String> {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name.split('.').next().unwrap_or("");
    let prefix = stem.strip_prefix("lib").unwrap_or(stem);
    check_prefix(prefix).map_err(|_| {
        format!(
            "the symbol prefix `{prefix}` taken from the output name `{name}` (its part before \
             the first `.`, without a leading `lib`) is not a C identifier starting with a \
             letter; pass --prefix NAME"
        )
    })?;
    Ok(prefix.to_string())
}

/// The exported symbol of AIR function `f`: a C identifier, distinct for distinct names.
pub fn function_symbol(prefix: &str, f: &str) -> String {
    format!("{prefix}_{}", air_ir::name::c_mangle(f))
}

/// Every symbol a library exports for `functions`: theirs, then the memory functions. An error
/// when a function's symbol is one of the memory functions' (a function named `@alloc` or `@free`).
pub fn exported_symbols(prefix: &str, functions: &[String]) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = functions
        .iter()
        .map(|f| function_symbol(prefix, f))
        .collect();
    for suffix in MEMORY_SUFFIXES {
        let sym = function_symbol(prefix, suffix);
        if out.contains(&sym) {
            return Err(format!(
                "the function @{suffix} would be exported as `{sym}`, the name of the \
                 library's memory function; rename the function"
            ));
        }
        out.push(sym);
    }
    Ok(out)
}

/// LLVM IR defining `<prefix>_alloc`, `<prefix>_free` and `<prefix>_set_max_memory` over the
/// runtime's `air_rt_alloc`, `air_free` and `air_set_max_memory`.
pub fn memory_ir(prefix: &str) -> String {
    format!(
        "declare ptr @air_rt_alloc(i64)\n\
         declare void @air_free(ptr)\n\
         define ptr @{prefix}_alloc(i64 %n) {{\n  %p = tail call ptr @air_rt_alloc(i64 %n)\n  \
         ret ptr %p\n}}\n\
         define void @{prefix}_free(ptr %p) {{\n  tail call void @air_free(ptr %p)\n  \
         ret void\n}}\n\
         declare void @air_set_max_memory(i64)\n\
         define void @{prefix}_set_max_memory(i64 %n) {{\n  \
         tail call void @air_set_max_memory(i64 %n)\n  ret void\n}}\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_prefix_is_the_stem_without_lib() {
        let d = |s: &str| default_prefix(Path::new(s));
        assert_eq!(d("libmatvec.so").unwrap(), "matvec");
        assert_eq!(d("out/libm2.so.1").unwrap(), "m2");
        assert_eq!(d("kernels.o").unwrap(), "kernels");
        assert_eq!(d("library.so").unwrap(), "rary");
        for bad in ["lib-mat.vec.so", "lib.so", "2d.so", "_x.so", "a-b.o"] {
            let e = d(bad).unwrap_err();
            assert!(e.contains("pass --prefix NAME"), "{bad}: {e}");
        }
    }

    #[test]
    fn prefixes_are_c_identifiers() {
        assert!(check_prefix("mv_2").is_ok());
        for bad in ["", "2mv", "_mv", "m.v", "m v", "é"] {
            assert!(check_prefix(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn memory_functions_cannot_be_shadowed() {
        let fs = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            exported_symbols("mv", &fs(&["main"])).unwrap(),
            ["mv_main", "mv_alloc", "mv_free", "mv_set_max_memory"]
        );
        assert!(exported_symbols("mv", &fs(&["free"])).is_err());
    }

    #[test]
    fn function_symbols_are_mangled_c_identifiers() {
        assert_eq!(function_symbol("mv", "main"), "mv_main");
        assert_eq!(function_symbol("mv", "lin.alg"), "mv_lin_x2e_alg");
        let hostile = function_symbol("mv", "); system(\"x\"); //");
        assert!(
            hostile
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_'),
            "{hostile}"
        );
        // A mangled name never meets a memory function's symbol, nor another function's.
        assert_ne!(
            function_symbol("mv", "a.b"),
            function_symbol("mv", "a_x2e_b")
        );
    }
}
