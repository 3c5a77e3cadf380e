//! One limit on call depth in every engine (issue 12, item 15): a chain of calls longer than
//! `Limits::max_call_depth` is refused by the validator with E0408 (the interpreter used to refuse
//! it with E0403 while `air check` accepted it and the LLVM backend ran it); a chain of exactly the
//! limit validates and runs on the interpreter.

use air_interp::{ndarray, Tensor};
use air_ir::limits::Limits;
use air_ir::validate::validate;
use air_ir::Code;

/// `@main` calls `@f1`, which calls `@f2`, ... `@f{n-1}`: a chain of `n` nested calls.
fn chain(n: usize) -> String {
    let mut text = String::from("air 1 opset 1\n");
    for k in 0..n {
        let name = if k == 0 {
            "main".to_string()
        } else {
            format!("f{k}")
        };
        let body = if k + 1 < n {
            format!("  %y = call {{callee = @f{}}} (%x) : f64[n]\n", k + 1)
        } else {
            "  %y = neg (%x) : f64[n]\n".to_string()
        };
        text += &format!("func @{name}(%x: f64[n]) -> (%y: f64[n]) {{\n{body}  return %y\n}}\n");
    }
    text
}

#[test]
fn the_limit_is_accepted_and_one_more_is_e0408() {
    let limit = Limits::default().max_call_depth;
    let ok = air_ir::text::parse(&chain(limit), "ok.air").unwrap_or_else(|d| panic!("{}", d.0[0]));
    validate(&ok).unwrap_or_else(|d| panic!("{d}"));
    let deep =
        air_ir::text::parse(&chain(limit + 1), "deep.air").unwrap_or_else(|d| panic!("{}", d.0[0]));
    let diags = validate(&deep).expect_err("one call too deep");
    assert_eq!(diags.0.len(), 1, "{diags}");
    assert_eq!(diags.0[0].code, Code::CallTooDeep, "{diags}");
    assert!(
        diags.0[0]
            .message
            .contains(&format!("{} deep from @main", limit + 1)),
        "{diags}"
    );
}

#[test]
fn the_interpreter_runs_the_limit_and_refuses_one_more_with_the_same_code() {
    let limit = Limits::default().max_call_depth;
    let x = Tensor::F64(ndarray::arr1(&[1.0, -2.0]).into_dyn());
    let inputs = vec![("x".to_string(), x)];
    let ok = air_ir::text::parse(&chain(limit), "ok.air").unwrap_or_else(|d| panic!("{}", d.0[0]));
    let out = air_interp::run(&ok, "main", &inputs).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        out[0].1,
        Tensor::F64(ndarray::arr1(&[-1.0, 2.0]).into_dyn())
    );
    let deep =
        air_ir::text::parse(&chain(limit + 1), "deep.air").unwrap_or_else(|d| panic!("{}", d.0[0]));
    let err = air_interp::run(&deep, "main", &inputs).expect_err("one call too deep");
    assert!(err.to_string().contains("E0408"), "{err}");
}
