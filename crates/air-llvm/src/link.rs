//! Linking a shared library: `cc -shared` of a module's object with the runtime, a version
//! script exporting the library's own symbols only, and intermediate files in a [`TempDir`].

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::aot::AotError;

/// `cc -shared` of the object with the runtime, exporting `exports` only (every symbol of the
/// runtime stays hidden); unresolved symbols are an error here rather than at load time; symbol
/// tables and debug info are stripped (`-s`: the dynamic symbols stay).
pub(crate) fn link_shared(
    obj: &Path,
    runtime: &Path,
    exports: &[String],
    uses_mvec: bool,
    tmp: &Path,
    out: &Path,
) -> Result<(), AotError> {
    let script = tmp.join("exports.map");
    let mut text = String::from("{\n  global:\n");
    for e in exports {
        text.push_str(&format!("    \"{e}\";\n"));
    }
    text.push_str("  local: *;\n};\n");
    std::fs::write(&script, text).map_err(|e| AotError::Write {
        path: script.clone(),
        message: e.to_string(),
    })?;
    let soname = out.file_name().unwrap_or(out.as_os_str());
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
    let mut cmd = Command::new(&cc);
    cmd.arg("-shared")
        .arg("-o")
        .arg(out)
        .arg(obj)
        .arg(runtime)
        .arg(format!("-Wl,--version-script={}", script.display()))
        .arg(format!("-Wl,-soname,{}", soname.to_string_lossy()))
        .args([
            "-s",
            "-Wl,--gc-sections",
            "-Wl,--no-undefined",
            "-Wl,-z,noexecstack",
        ]);
    if uses_mvec {
        cmd.arg("-lmvec");
    }
    cmd.args(["-lm", "-lpthread", "-ldl", "-lgcc_s", "-lc"]);
    let link_err = |message: String| AotError::Link {
        path: out.to_path_buf(),
        message,
    };
    let output = cmd
        .output()
        .map_err(|e| link_err(format!("cannot run `{cc}`: {e}")))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(link_err(format!(
            "`{cc}` exited with {}: {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )))
    }
}

/// A fresh directory for intermediate files, removed when dropped.
pub(crate) struct TempDir(pub(crate) PathBuf);

impl TempDir {
    pub(crate) fn new(out: &Path) -> Result<TempDir, AotError> {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("air-aot-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| AotError::Write {
            path: out.to_path_buf(),
            message: format!("cannot create {}: {e}", dir.display()),
        })?;
        Ok(TempDir(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
