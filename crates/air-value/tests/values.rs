//! Input binding (every problem named in one E0501), run errors as diagnostics, tolerant
//! comparison, and tensors' byte and literal round trips.

use air_ir::{Code, DType, Function, Module};
use air_value::{bind_inputs, check_close, RunError, Tensor};
use num_complex::Complex64;

const SCALE: &str = "air 1 opset 1
func @scale(%x: f64[k], out %y: f64[k], inout %acc: f64) -> (%s: f64) {
  %s = reduce_sum {axes = [0]} (%x) : f64
  %d = mul (%x, %x) : f64[k]
  %a2 = add (%acc, %s) : f64
  return %s, %d, %a2
}";

fn module() -> Module {
    air_ir::text::parse(SCALE, "scale.air").unwrap_or_else(|d| panic!("bad test module: {d}"))
}

fn scale(m: &Module) -> &Function {
    m.function("scale").expect("@scale")
}

fn f64s(v: &[f64]) -> Tensor {
    Tensor::from_vec(&[v.len()], v.to_vec()).unwrap()
}

fn named(inputs: Vec<(&str, Tensor)>) -> Vec<(String, Tensor)> {
    inputs
        .into_iter()
        .map(|(n, t)| (n.to_string(), t))
        .collect()
}

#[test]
fn binds_by_name_in_parameter_order_leaving_out_params_optional() {
    let m = module();
    let inputs = named(vec![
        ("acc", Tensor::scalar(0.5f64)),
        ("x", f64s(&[1.0, 2.0])),
    ]);
    let args = bind_inputs(scale(&m), &inputs).unwrap();
    assert_eq!(args.len(), 3);
    assert!(args[0].unwrap().bits_eq(&inputs[1].1), "x binds to %x");
    assert!(args[1].is_none(), "out %y not given");
    assert!(args[2].unwrap().bits_eq(&inputs[0].1), "acc binds to %acc");
}

#[test]
fn every_input_problem_is_named_in_one_e0501() {
    let m = module();
    let inputs = named(vec![
        ("x", Tensor::from_vec(&[2], vec![1i32, 2]).unwrap()),
        ("w", f64s(&[1.0])),
        ("y", Tensor::from_vec(&[1, 1], vec![1.0f64]).unwrap()),
        ("w", f64s(&[1.0])),
    ]);
    let e = bind_inputs(scale(&m), &inputs).unwrap_err();
    assert_eq!(e.code, Code::BadInput);
    assert_eq!(e.function.as_deref(), Some("scale"));
    for part in [
        "input w is not a parameter of @scale",
        "input w is given twice",
        "missing input %acc: f64",
        "%x: expected f64[k], got i32[2]",
        "%y: expected f64[k], got f64[1, 1]",
    ] {
        assert!(e.message.contains(part), "{part:?} not in {e}");
    }
    assert!(e.to_string().starts_with("error[E0501]"), "{e}");
}

#[test]
fn a_run_error_renders_its_node_path_and_function() {
    let e = RunError::new(Code::BadInput, "boom");
    assert_eq!(e.to_diagnostic().function, None);
    let m = module();
    let f = scale(&m);
    let id = air_ir::NodeId(1);
    let e = e
        .at_node(id, &f.body.nodes[1])
        .in_function("scale")
        .in_function("other");
    let d = e.to_diagnostic();
    assert_eq!(d.function.as_deref(), Some("scale"));
    assert_eq!(d.op.as_deref(), Some("mul"));
    assert_eq!(d.node_path, vec![id]);
}

#[test]
fn check_close_is_numpy_allclose_with_equal_nan() {
    let a = f64s(&[1.0, f64::NAN, f64::INFINITY, 100.0]);
    assert!(check_close(&a, &a.clone(), 0.0, 0.0).is_ok());
    let b = f64s(&[1.0 + 1e-9, f64::NAN, f64::INFINITY, 100.0 + 1e-6]);
    assert!(check_close(&b, &a, 1e-8, 0.0).is_ok());
    let err = check_close(&b, &a, 1e-12, 0.0).unwrap_err();
    assert!(err.starts_with("element 0:"), "{err}");
    let c = f64s(&[1.0, 0.0, f64::INFINITY, 100.0]);
    assert!(
        check_close(&c, &a, 1.0, 1.0).is_err(),
        "NaN only matches NaN"
    );
    let d = f64s(&[1.0, f64::NAN, f64::NEG_INFINITY, 100.0]);
    assert!(
        check_close(&d, &a, 1.0, 1.0).is_err(),
        "infinities must be equal"
    );
    // numpy 2.4: isclose(1e308, inf, 1, 1) and isclose(complex(inf, 1), complex(inf, 2), 1, 1)
    // are False; isclose(complex(nan, 1), complex(1, nan), equal_nan=True) is True.
    let big = f64s(&[1.0, f64::NAN, 1e308, 100.0]);
    assert!(
        check_close(&big, &a, 1.0, 1.0).is_err(),
        "finite never matches infinity"
    );
    let z = |re: f64, im: f64| Tensor::scalar(Complex64::new(re, im));
    assert!(check_close(&z(f64::INFINITY, 1.0), &z(f64::INFINITY, 2.0), 1.0, 1.0).is_err());
    assert!(check_close(&z(f64::NAN, 1.0), &z(1.0, f64::NAN), 0.0, 0.0).is_ok());
    let f32s = Tensor::from_vec(&[4], vec![1.0f32, f32::NAN, f32::INFINITY, 100.0]).unwrap();
    assert!(check_close(&f32s, &a, 1.0, 1.0)
        .unwrap_err()
        .contains("dtype"));
    let short = f64s(&[1.0]);
    assert!(check_close(&short, &a, 1.0, 1.0)
        .unwrap_err()
        .contains("shape"));
}

#[test]
fn widening_to_complex_rounds_integers_to_nearest() {
    let big = Tensor::from_vec(&[2], vec![(1i64 << 53) + 1, -3]).unwrap();
    let want = [
        Complex64::new(9007199254740992.0, 0.0),
        Complex64::new(-3.0, 0.0),
    ];
    assert_eq!(big.to_c128_vec(), want);
    let u = Tensor::from_vec(&[1], vec![u64::MAX]).unwrap();
    assert_eq!(
        u.to_c128_vec(),
        [Complex64::new(18446744073709551616.0, 0.0)]
    );
    let b = Tensor::from_vec(&[2], vec![true, false]).unwrap();
    assert_eq!(
        b.to_c128_vec(),
        [Complex64::new(1.0, 0.0), Complex64::new(0.0, 0.0)]
    );
    let z = Tensor::scalar(num_complex::Complex32::new(0.5, -2.0));
    assert_eq!(z.to_c128_vec(), [Complex64::new(0.5, -2.0)]);
    let h = Tensor::scalar(half::f16::from_f32(0.1));
    assert_eq!(
        h.to_c128_vec(),
        [Complex64::new(half::f16::from_f32(0.1).to_f64(), 0.0)]
    );
}

#[test]
fn tensors_round_trip_through_bytes_and_literals() {
    for dtype in DType::ALL {
        let t = Tensor::zeros(dtype, &[2, 3]);
        assert_eq!(t.dtype(), dtype);
        let back = Tensor::from_literal(&t.to_literal()).unwrap();
        assert!(back.bits_eq(&t), "{dtype}");
        assert!(
            Tensor::from_le_bytes(dtype, &[2, 2], &t.to_le_bytes()).is_err(),
            "{dtype}"
        );
    }
    assert!(Tensor::from_vec(&[2, 2], vec![1.0f64; 3]).is_err());
}
