mod common;
use common::*;

#[test]
fn fused_kernel_matches_the_interpreter() {
    let text = "air 1 opset 1
func @f(%a: f64[n], %b: f64[n], %c: f64[n]) -> (%y: f64[n]) {
  %ab = mul (%a, %b) : f64[n]
  %s = sin (%c) : f64[n]
  %na = neg (%a) : f64[n]
  %e = exp (%na) : f64[n]
  %se = mul (%s, %e) : f64[n]
  %y = add (%ab, %se) : f64[n]
  return %y
}";
    let n = 1000;
    agree(
        text,
        &[
            ("a", f64s(&[n], random(n, 1, 3.0))),
            ("b", f64s(&[n], random(n, 2, 3.0))),
            ("c", f64s(&[n], random(n, 3, 3.0))),
        ],
        1e-14,
    );
}
