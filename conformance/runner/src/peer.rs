//! Peer targets `peers-<lib>`: the real library evaluates AIR's export of each case.
//!
//! There is one for every translator of [`air_translate::all`] that has a script
//! `conformance/peers/<lib>.py`. The target exports the case's module with the translator (a
//! construct the format cannot express makes the case `n/a`, with the export's reason, as in the
//! translator target), writes the export to a temporary file and asks ONE long-lived Python
//! process, started on the first case and kept for every later one, to evaluate it: a JSON line
//! on the script's stdin, answered by exactly one JSON line on its stdout (the peer-check
//! protocol, `docs/conformance.md`). On `{"status": "ok"}` the runner compares the `outputs.npz`
//! the script wrote with `expected.npz` under the case's tolerance.
//!
//! The interpreter is `$AIR_PYTHON`, else `<repo>/.venv/bin/python`. A missing interpreter or
//! library fails every case loudly; it is never a skip. A case that gets no answer within the
//! timeout (`$AIR_PEER_TIMEOUT` seconds, default 60), an answer that breaks the protocol, or a
//! process that dies, fails that case with the tail of the script's stderr, and the process is
//! started afresh for the next case.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use air_ir::{entry_function, Module};
use air_translate::Translator;
use serde_json::{json, Value};

use crate::case::{Case, Expect};
use crate::target::{compare_outputs, Outcome, Target};

/// How much of the script's stderr a failure quotes.
const STDERR_TAIL: usize = 4000;
/// How much of it the runner keeps (the closing words, a summary, may be longer).
const STDERR_KEPT: usize = 64 << 10;
/// How long the runner waits for the script to exit after closing its stdin.
const EXIT_GRACE: Duration = Duration::from_secs(10);

/// A peer target per translator with a script under `conformance/peers/`, in registry order.
pub fn targets() -> Vec<Box<dyn Target>> {
    let root = repo_root();
    let python = python(&root);
    air_translate::all()
        .iter()
        .filter_map(|translator| {
            let script = root
                .join("conformance/peers")
                .join(format!("{}.py", translator.name));
            script.is_file().then(|| {
                Box::new(Peer::new(translator, python.clone(), script, timeout()))
                    as Box<dyn Target>
            })
        })
        .collect()
}

/// The checkout the runner works in: the first ancestor of the current directory that holds
/// `conformance/peers`, else the checkout this crate was built from.
pub fn repo_root() -> PathBuf {
    let here = std::env::current_dir().ok();
    here.iter()
        .flat_map(|d| d.ancestors())
        .find(|d| d.join("conformance/peers").is_dir())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
}

/// `$AIR_PYTHON`, else `<root>/.venv/bin/python`.
pub fn python(root: &Path) -> PathBuf {
    match std::env::var_os("AIR_PYTHON") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => root.join(".venv/bin/python"),
    }
}

/// `$AIR_PEER_TIMEOUT` seconds, else 60.
fn timeout() -> Duration {
    let secs = std::env::var("AIR_PEER_TIMEOUT")
        .ok()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .unwrap_or(60.0);
    Duration::from_secs_f64(secs)
}

/// One peer target: a translator's export, evaluated by the library's script.
pub struct Peer {
    name: String,
    translator: &'static Translator,
    python: PathBuf,
    script: PathBuf,
    timeout: Duration,
    work: PathBuf,
    process: Mutex<Option<Process>>,
}

impl Peer {
    /// A peer target for `translator`, run as `python script`, with a per-case timeout.
    pub fn new(
        translator: &'static Translator,
        python: PathBuf,
        script: PathBuf,
        timeout: Duration,
    ) -> Peer {
        // A folder of its own, also for several peers in one process (tests).
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let name = format!("peers-{}", translator.name);
        let work = std::env::temp_dir().join(format!(
            "air-{name}-{}-{}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        ));
        Peer {
            name,
            translator,
            python,
            script,
            timeout,
            work,
            process: Mutex::new(None),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Option<Process>> {
        // A panic while the lock was held leaves at worst a dead process, which the next case
        // replaces.
        self.process.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Exports, asks the script, and compares; `Err` is a failure message.
    fn check(&self, case: &Case, module: &Module, export: &str) -> Result<Outcome, String> {
        std::fs::create_dir_all(&self.work)
            .map_err(|e| format!("cannot create {}: {e}", self.work.display()))?;
        let stem = case.id.replace('/', "__");
        let export_path = self
            .work
            .join(format!("{stem}{}", self.translator.extensions[0]));
        let outputs_path = self.work.join(format!("{stem}.outputs.npz"));
        let _ = std::fs::remove_file(&outputs_path);
        std::fs::write(&export_path, export)
            .map_err(|e| format!("cannot write {}: {e}", export_path.display()))?;
        let request = request(case, module, &export_path, &outputs_path);
        let answer = self.ask(&request);
        let outcome = answer.and_then(|a| self.outcome(case, a, &outputs_path));
        let _ = std::fs::remove_file(&export_path);
        let _ = std::fs::remove_file(&outputs_path);
        outcome
    }

    /// Sends one request line and reads the answer line, (re)starting the process as needed.
    /// Any failure leaves no process behind, so the next case starts a fresh one.
    fn ask(&self, request: &Value) -> Result<Value, String> {
        let mut slot = self.lock();
        if slot.is_none() {
            *slot = Some(Process::start(&self.python, &self.script)?);
        }
        let Some(process) = slot.as_mut() else {
            return Err("the peer process did not start".into());
        };
        match process.exchange(request, self.timeout) {
            Ok(answer) => Ok(answer),
            Err(why) => {
                let tail = process.stderr_tail(STDERR_TAIL);
                if let Some(p) = slot.take() {
                    p.kill();
                }
                Err(format!(
                    "{why}\n{} {}: stderr (tail):\n{tail}",
                    self.python.display(),
                    self.script.display()
                ))
            }
        }
    }

    fn outcome(&self, case: &Case, answer: Value, outputs: &Path) -> Result<Outcome, String> {
        let field = |key: &str| answer.get(key).and_then(Value::as_str);
        match field("status") {
            Some("ok") => {
                let got = air_value::npz::read_npz(outputs)
                    .map_err(|e| format!("the script said ok, but {}: {e}", outputs.display()))?;
                Ok(compare_outputs(case, &got))
            }
            Some("na") => match field("reason") {
                Some(reason) => Ok(Outcome::NotApplicable(format!(
                    "{}: {reason}",
                    self.translator.name
                ))),
                None => Err(format!("protocol error: `na` without a reason: {answer}")),
            },
            Some("error") => match field("message") {
                Some(message) => Err(format!("{} failed: {message}", self.translator.name)),
                None => Err(format!(
                    "protocol error: `error` without a message: {answer}"
                )),
            },
            _ => Err(format!(
                "protocol error: status must be \"ok\", \"na\" or \"error\": {answer}"
            )),
        }
    }
}

impl Target for Peer {
    fn name(&self) -> &str {
        &self.name
    }

    fn run(&self, case: &Case) -> Outcome {
        match case.expect {
            Expect::Ok => {}
            Expect::Invalid(_) => {
                return Outcome::NotApplicable("the case is an invalid module".into())
            }
            Expect::RunError(_) => {
                return Outcome::NotApplicable("the case expects a run-time error".into())
            }
        }
        let module = match case
            .module_text()
            .ok()
            .and_then(|t| air_ir::text::parse(&t, &case.module_name()).ok())
        {
            Some(m) if air_ir::validate::validate(&m).is_ok() => m,
            _ => return Outcome::Fail("case.air does not read or validate".into()),
        };
        let export = match (self.translator.export)(&module) {
            Ok(t) => t,
            Err(d) => return Outcome::NotApplicable(d.to_string()),
        };
        match self.check(case, &module, &export) {
            Ok(Outcome::Fail(why)) | Err(why) => {
                Outcome::Fail(format!("{why}\nexported as:\n{export}"))
            }
            Ok(other) => other,
        }
    }
}

impl Drop for Peer {
    /// Closes the script's stdin, lets it exit (forwarding what it printed last: a summary,
    /// say) and removes the temporary folder.
    fn drop(&mut self) {
        if let Some(process) = self.lock().take() {
            let last_words = process.finish();
            if !last_words.trim().is_empty() {
                eprintln!("{}: {}", self.name, last_words.trim_end());
            }
        }
        let _ = std::fs::remove_dir_all(&self.work);
    }
}

/// The request line for one case: paths, the entry function, its parameters, the names
/// `outputs.npz` must hold (results, then `out`/`inout` parameters, as in `expected.npz`) and
/// the dtype of each of them.
fn request(case: &Case, module: &Module, export: &Path, outputs: &Path) -> Value {
    let entry = entry_function(module).unwrap_or("main"); // no entry: the peer reports it
    let mut params = vec![];
    let mut results = vec![];
    let mut dtypes = serde_json::Map::new();
    if let Some(f) = module.function(entry) {
        for (i, r) in f.results.iter().enumerate() {
            let name = r.name.clone().unwrap_or_else(|| format!("result{i}"));
            dtypes.insert(name.clone(), json!(r.ty.dtype.numpy_name()));
            results.push(name);
        }
        for p in &f.params {
            dtypes.insert(p.name.clone(), json!(p.ty.dtype.numpy_name()));
            params.push(p.name.clone());
            if p.intent != air_ir::Intent::In {
                results.push(p.name.clone());
            }
        }
    }
    json!({
        "case": case.id,
        "export": absolute(export),
        "inputs": absolute(&case.dir.join("inputs.npz")),
        "outputs": absolute(outputs),
        "function": entry,
        "params": params,
        "results": results,
        "dtypes": dtypes,
    })
}

fn absolute(p: &Path) -> String {
    std::path::absolute(p)
        .unwrap_or_else(|_| p.to_path_buf())
        .to_string_lossy()
        .into_owned()
}

/// A running script: its stdin, its stdout lines (from a reader thread) and its stderr tail.
struct Process {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    stderr: Arc<Mutex<VecDeque<u8>>>,
    stderr_reader: Option<JoinHandle<()>>,
}

impl Process {
    fn start(python: &Path, script: &Path) -> Result<Process, String> {
        let mut child = Command::new(python)
            .arg(script)
            .env("PYTHONUNBUFFERED", "1")
            // The script's folder does not go on sys.path, so `peers/sympy.py` does not shadow
            // the library `sympy` it imports (Python 3.11+).
            .env("PYTHONSAFEPATH", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                format!(
                    "cannot start the peer `{} {}`: {e} (set AIR_PYTHON, or run scripts/setup.sh \
                     to create .venv)",
                    python.display(),
                    script.display()
                )
            })?;
        let (Some(stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            let _ = child.kill();
            let _ = child.wait();
            return Err("the peer process has no pipes".into());
        };
        let (send, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        let tail = Arc::new(Mutex::new(VecDeque::new()));
        let sink = Arc::clone(&tail);
        let stderr_reader = std::thread::spawn(move || keep_tail(stderr, &sink));
        Ok(Process {
            child,
            stdin: Some(stdin),
            lines,
            stderr: tail,
            stderr_reader: Some(stderr_reader),
        })
    }

    /// Writes the request, waits for one line, and parses it as a JSON object.
    fn exchange(&mut self, request: &Value, timeout: Duration) -> Result<Value, String> {
        self.tail().clear();
        let stdin = self.stdin.as_mut().ok_or("the peer's stdin is closed")?;
        writeln!(stdin, "{request}")
            .and_then(|()| stdin.flush())
            .map_err(|e| {
                format!(
                    "the peer process does not take requests ({e}){}",
                    self.status()
                )
            })?;
        let line = match self.lines.recv_timeout(timeout) {
            Ok(line) => line,
            Err(RecvTimeoutError::Timeout) => {
                return Err(format!("no answer within {} s", timeout.as_secs_f64()))
            }
            Err(RecvTimeoutError::Disconnected) => {
                return Err(format!(
                    "the peer process exited without answering{}",
                    self.status()
                ))
            }
        };
        match serde_json::from_str::<Value>(&line) {
            Ok(v) if v.is_object() => Ok(v),
            _ => Err(format!(
                "protocol error: the answer is not one JSON object on one line: {line:?}"
            )),
        }
    }

    /// `" (exit status ...)"` once the process has exited (waiting briefly for it and for the
    /// stderr reader to drain), else nothing.
    fn status(&mut self) -> String {
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                self.drain(deadline);
                return format!(" ({status})");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        String::new()
    }

    /// Waits until the stderr reader has seen the end of the stream, or the deadline (a child
    /// of the script may still hold the pipe).
    fn drain(&mut self, deadline: Instant) {
        while self
            .stderr_reader
            .as_ref()
            .is_some_and(|r| !r.is_finished())
            && Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn tail(&self) -> MutexGuard<'_, VecDeque<u8>> {
        self.stderr.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The last `limit` bytes of stderr since the last request.
    fn stderr_tail(&self, limit: usize) -> String {
        let tail = self.tail();
        let skip = tail.len().saturating_sub(limit);
        String::from_utf8_lossy(&tail.iter().skip(skip).copied().collect::<Vec<u8>>()).into_owned()
    }

    fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Closes stdin and waits for the exit (killing after a grace period); returns the stderr
    /// written since the last request.
    fn finish(mut self) -> String {
        self.stdin = None;
        let deadline = Instant::now() + EXIT_GRACE;
        while matches!(self.child.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.drain(Instant::now() + Duration::from_secs(2));
        self.stderr_tail(STDERR_KEPT)
    }
}

/// Copies a stream into a bounded buffer holding its last [`STDERR_KEPT`] bytes.
fn keep_tail(mut stream: impl Read, tail: &Mutex<VecDeque<u8>>) {
    let mut buf = [0u8; 4096];
    while let Ok(n) = stream.read(&mut buf) {
        if n == 0 {
            break;
        }
        let mut t = tail.lock().unwrap_or_else(|e| e.into_inner());
        t.extend(&buf[..n]);
        let excess = t.len().saturating_sub(STDERR_KEPT);
        t.drain(..excess);
    }
}

#[cfg(test)]
#[path = "peer_tests.rs"]
mod tests;
