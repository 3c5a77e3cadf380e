//! Which function an export writes: `main`, else the only one. A module with several functions
//! and no `main` is refused by every translator, not written from the function that comes first.

use air_translate::all;

const TWO: &str = "air 1 opset 1
func @f(%x: f64[n]) -> (%y: f64[n]) {
  %y = neg (%x) : f64[n]
  return %y
}
func @g(%x: f64[n]) -> (%y: f64[n]) {
  %y = exp (%x) : f64[n]
  return %y
}
";

#[test]
fn several_functions_without_main_are_refused() {
    let m = air_ir::text::parse(TWO, "two.air").expect("the module parses");
    for t in all() {
        let err = (t.export)(&m).expect_err(t.name).to_string();
        assert!(
            err.contains("@f, @g") && err.contains("@main"),
            "{}: {err}",
            t.name
        );
    }
}

#[test]
fn the_only_function_or_main_is_written() {
    let one = TWO.split("func @g").next().unwrap();
    let m = air_ir::text::parse(one, "one.air").expect("the module parses");
    let with_main = TWO.replace("@g", "@main");
    let m2 = air_ir::text::parse(&with_main, "main.air").expect("the module parses");
    for t in all() {
        (t.export)(&m).unwrap_or_else(|e| panic!("{}: {e}", t.name));
        let text = (t.export)(&m2).unwrap_or_else(|e| panic!("{}: {e}", t.name));
        // main computes exp, f computes neg: the written function is main.
        assert!(
            text.contains("exp") || text.contains("Exp"),
            "{}: {text}",
            t.name
        );
    }
}
