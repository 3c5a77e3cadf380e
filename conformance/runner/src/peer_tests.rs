//! The runner's side of the peer-check protocol, against fake peer scripts written by each test
//! (plain Python with no library: they copy npz files around or misbehave on purpose).

use super::*;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn case(id: &str) -> Case {
    let cases = root().join("conformance/cases");
    Case::load(&cases, &cases.join(id)).expect("a committed case")
}

/// The venv's interpreter where there is one, else `python3` from PATH.
fn test_python() -> PathBuf {
    let venv = root().join(".venv/bin/python");
    if venv.exists() {
        venv
    } else {
        PathBuf::from("python3")
    }
}

/// A peer whose script answers each request with `body` (Python, indented by 4, with `req` the
/// request and `n` its 1-based number in this process; `answer(obj)` writes the line, and
/// `first()` is true only the first time any process of this peer asks).
fn fake(test: &str, body: &str, timeout: Duration) -> Peer {
    let dir = std::env::temp_dir().join(format!("air-peer-test-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    // Named like a module it imports, as `peers/sympy.py` is: the script's folder must not be
    // on sys.path.
    let script = dir.join("json.py");
    let text = format!(
        "import json, shutil, sys, time\n\
         def answer(obj):\n    print(json.dumps(obj), flush=True)\n\
         def expected(req):\n    return req['inputs'][:-len('inputs.npz')] + 'expected.npz'\n\
         def first():\n    try:\n        open(__file__ + '.seen', 'x').close()\n        return True\n    \
         except FileExistsError:\n        return False\n\
         n = 0\n\
         for line in sys.stdin:\n    req = json.loads(line)\n    n += 1\n{body}\n"
    );
    std::fs::write(&script, text).expect("write the fake");
    let sympy = air_translate::by_name("sympy").expect("the sympy translator");
    Peer::new(sympy, test_python(), script, timeout)
}

const OK: &str = "    shutil.copy(expected(req), req['outputs'])\n    answer({'status': 'ok'})";
const SECOND: Duration = Duration::from_secs(1);
const LONG: Duration = Duration::from_secs(30);

fn fail_text(o: Outcome) -> String {
    match o {
        Outcome::Fail(why) => why,
        other @ (Outcome::Pass | Outcome::Skip(_) | Outcome::NotApplicable(_)) => {
            panic!("expected a failure, got {other:?}")
        }
    }
}

#[test]
fn ok_answers_are_compared_and_one_process_serves_every_case() {
    let body = "    if n == 1:\n        shutil.copy(expected(req), req['outputs'])\n    \
                else:\n        shutil.copy(req['inputs'], req['outputs'])\n    \
                answer({'status': 'ok'})";
    let peer = fake("ok", body, LONG);
    assert_eq!(peer.name(), "peers-sympy");
    assert_eq!(peer.run(&case("elementwise/add_f64")), Outcome::Pass);
    // The second request reaches the same process (n == 2), which writes the inputs instead of
    // the results: a comparison failure, naming the arrays.
    let why = fail_text(peer.run(&case("elementwise/add_f64")));
    assert!(why.contains("not produced"), "{why}");
    assert!(why.contains("exported as:\nEquality("), "{why}");
}

#[test]
fn the_request_carries_the_protocol_fields() {
    // The fake checks the request itself and answers `error` naming what is wrong.
    let body = "    want = ['case', 'export', 'inputs', 'outputs', 'function', 'params', 'results']\n    \
                missing = [k for k in want if k not in req]\n    \
                ok = (not missing and req['case'] == 'control/inout_axpy' and req['function'] == 'main'\n          \
                and req['params'] == ['a', 'x', 'y'] and req['results'] == ['y']\n          \
                and req['dtypes']['y'] == 'float64' and open(req['export']).read().startswith('Equality('))\n    \
                if ok:\n        shutil.copy(expected(req), req['outputs'])\n        answer({'status': 'ok'})\n    \
                else:\n        answer({'status': 'error', 'message': f'bad request {req} {missing}'})";
    let peer = fake("fields", body, LONG);
    assert_eq!(peer.run(&case("control/inout_axpy")), Outcome::Pass);
}

#[test]
fn na_and_error_answers() {
    let body = "    if n == 1:\n        answer({'status': 'na', 'reason': 'no printer for Foo'})\n    \
                elif n == 2:\n        answer({'status': 'error', 'message': 'lambdify broke'})\n    \
                elif n == 3:\n        answer({'status': 'na'})\n    \
                else:\n        answer({'status': 'maybe'})";
    let peer = fake("na", body, LONG);
    let c = case("elementwise/add_f64");
    assert_eq!(
        peer.run(&c),
        Outcome::NotApplicable("sympy: no printer for Foo".into())
    );
    let why = fail_text(peer.run(&c));
    assert!(why.starts_with("sympy failed: lambdify broke"), "{why}");
    let why = fail_text(peer.run(&c));
    assert!(
        why.contains("protocol error: `na` without a reason"),
        "{why}"
    );
    let why = fail_text(peer.run(&c));
    assert!(why.contains("protocol error: status must be"), "{why}");
}

#[test]
fn non_json_output_fails_the_case_and_restarts_the_process() {
    // A script that prints for humans on stdout breaks the protocol; the process is replaced,
    // so the fresh one answers the next case properly.
    let body = "    if first():\n        print('compiling...', flush=True)\n        continue\n{OK}";
    let body = body.replace("{OK}", OK);
    let peer = fake("nonjson", &body, LONG);
    let c = case("elementwise/add_f64");
    let why = fail_text(peer.run(&c));
    assert!(
        why.contains("protocol error: the answer is not one JSON object"),
        "{why}"
    );
    assert!(why.contains("compiling..."), "{why}");
    assert_eq!(peer.run(&c), Outcome::Pass);
}

#[test]
fn a_timeout_kills_the_process_and_the_next_case_gets_a_fresh_one() {
    let body = format!(
        "    if first():\n        sys.stderr.write('thinking hard\\n')\n        sys.stderr.flush()\n        \
         time.sleep(60)\n{OK}"
    );
    let peer = fake("timeout", &body, SECOND);
    let c = case("elementwise/add_f64");
    let started = Instant::now();
    let why = fail_text(peer.run(&c));
    assert!(why.contains("no answer within 1 s"), "{why}");
    assert!(why.contains("thinking hard"), "{why}");
    assert!(started.elapsed() < Duration::from_secs(20));
    assert_eq!(peer.run(&c), Outcome::Pass);
}

#[test]
fn a_crash_fails_the_case_with_the_stderr_tail() {
    let body = format!("    if first():\n        raise RuntimeError('segfault-ish')\n{OK}");
    let peer = fake("crash", &body, LONG);
    let c = case("elementwise/add_f64");
    let why = fail_text(peer.run(&c));
    assert!(why.contains("exited without answering"), "{why}");
    assert!(why.contains("RuntimeError: segfault-ish"), "{why}");
    assert_eq!(peer.run(&c), Outcome::Pass);
}

#[test]
fn a_missing_interpreter_or_library_fails_every_case() {
    let sympy = air_translate::by_name("sympy").expect("the sympy translator");
    let peer = Peer::new(
        sympy,
        PathBuf::from("/nonexistent/python"),
        PathBuf::from("peer.py"),
        LONG,
    );
    let c = case("elementwise/add_f64");
    for _ in 0..2 {
        let why = fail_text(peer.run(&c));
        assert!(why.contains("cannot start the peer"), "{why}");
    }
    let peer = fake("nolib", "    import no_such_peer_library", LONG);
    for _ in 0..2 {
        let why = fail_text(peer.run(&c));
        assert!(
            why.contains("No module named 'no_such_peer_library'"),
            "{why}"
        );
    }
}

#[test]
fn a_missing_outputs_file_after_ok_fails() {
    let peer = fake("nooutputs", "    answer({'status': 'ok'})", LONG);
    let why = fail_text(peer.run(&case("elementwise/add_f64")));
    assert!(why.contains("the script said ok, but"), "{why}");
}

#[test]
fn cases_without_an_export_never_reach_the_script() {
    // The script would fail every case it is asked about.
    let peer = fake(
        "noexport",
        "    answer({'status': 'error', 'message': 'asked'})",
        LONG,
    );
    assert!(matches!(
        peer.run(&case("elementwise/abs_c128")),
        Outcome::NotApplicable(_)
    ));
    let invalid = case("invalid/out_param_read");
    assert_eq!(
        peer.run(&invalid),
        Outcome::NotApplicable("the case is an invalid module".into())
    );
    assert!(peer.lock().is_none(), "no process was started");
}
