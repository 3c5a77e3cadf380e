//! Dims cannot grow without bound (issue 12, item 5): a rank-14 reshape whose dims are sums of 14
//! symbols used to expand 14^14 terms while checking (17 s, then an abort). Now the product of
//! the shape is refused with E0105 as soon as it would pass the limit on a dim's size.

use std::time::{Duration, Instant};

use air_ir::dim::{parse_dim, Dim, DimOverflow, MAX_DIM_DEGREE, MAX_DIM_TERMS};
use air_ir::validate::validate;
use air_ir::Code;

/// `%x: f64[s0_0+...+s0_13, ..., s13_0+...+s13_13]` reshaped to one axis `q`: checking the
/// element counts multiplies the 14 sums.
fn rank14_sums_module() -> String {
    let shape = (0..14)
        .map(|k| {
            (0..14)
                .map(|s| format!("s{k}_{s}"))
                .collect::<Vec<_>>()
                .join("+")
        })
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "air 1 opset 1\nfunc @main(%x: f64[{shape}], %q: f64[q]) -> (%y: f64[q]) {{\n  \
         %y = reshape {{shape = [q]}} (%x) : f64[q]\n  return %y\n}}\n"
    )
}

#[test]
fn a_product_of_sums_is_refused_not_expanded() {
    let text = rank14_sums_module();
    let start = Instant::now();
    let result = air_ir::text::parse(&text, "rank14.air").and_then(|m| validate(&m).map(|_| ()));
    let diags = result.expect_err("the expansion passes the limit");
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    assert!(
        diags.0.iter().any(|d| d.code == Code::LimitExceeded),
        "{diags}"
    );
    assert!(diags.to_string().contains("terms or degree"), "{diags}");
}

#[test]
fn small_polynomials_stay_exact() {
    let d = parse_dim("(n+1)*(m+2)").unwrap();
    assert_eq!(d, parse_dim("n*m+2*n+m+2").unwrap());
    let sum16: Dim = parse_dim(
        &(0..16)
            .map(|k| format!("a{k}"))
            .collect::<Vec<_>>()
            .join("+"),
    )
    .unwrap();
    // 16 x 16 = 256 terms: exactly the limit, still a dim.
    let square = sum16.mul(
        &parse_dim(
            &(0..16)
                .map(|k| format!("b{k}"))
                .collect::<Vec<_>>()
                .join("+"),
        )
        .unwrap(),
    );
    assert_eq!(square.map(|d| d.terms().len()), Ok(MAX_DIM_TERMS));
}

#[test]
fn past_the_limits_is_too_large_not_an_i64_overflow() {
    let sum17 = parse_dim(
        &(0..17)
            .map(|k| format!("a{k}"))
            .collect::<Vec<_>>()
            .join("+"),
    )
    .unwrap();
    let sum16 = parse_dim(
        &(0..16)
            .map(|k| format!("b{k}"))
            .collect::<Vec<_>>()
            .join("+"),
    )
    .unwrap();
    assert_eq!(sum17.mul(&sum16), Err(DimOverflow::TooLarge));
    let high = parse_dim(&vec!["n"; MAX_DIM_DEGREE as usize].join("*")).unwrap();
    assert_eq!(high.degree(), MAX_DIM_DEGREE);
    assert_eq!(high.mul(&Dim::symbol("n")), Err(DimOverflow::TooLarge));
    let big = Dim::constant(i64::MAX);
    assert_eq!(big.add(&Dim::constant(1)), Err(DimOverflow::Arithmetic));
}
