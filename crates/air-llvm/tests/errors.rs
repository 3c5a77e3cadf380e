//! Bad inputs get the interpreter's error codes, never undefined behaviour: names (E0501), dtypes
//! and ranks (E0501), symbol conflicts and expression dims (E0502), constant dims (E0506), and
//! bad descriptors through the raw C ABI.
#![allow(unsafe_code)] // the raw C ABI test

mod common;

use air_ir::Code;
use air_rt::abi::{dtype_code, AirError, AirTensor};
use air_value::Tensor;
use common::*;

const ADD: &str = "air 1 opset 1
func @f(%a: f64[n, 3], %b: f64[n, 3], %c: f64[2*n]) -> (%y: f64[n, 3]) {
  %y = add (%a, %b) : f64[n, 3]
  return %y
}";

fn t(shape: &[usize]) -> Tensor {
    let n = shape.iter().product();
    f64s(shape, random(n, 1, 1.0))
}

#[test]
fn input_problems_are_e0501_like_the_interpreter() {
    let m = parse(ADD);
    let cases: Vec<Vec<(&str, Tensor)>> = vec![
        vec![("a", t(&[2, 3])), ("b", t(&[2, 3]))],
        vec![
            ("a", t(&[2, 3])),
            ("b", t(&[2, 3])),
            ("c", t(&[4])),
            ("d", t(&[1])),
        ],
        vec![("a", t(&[2, 3])), ("b", t(&[2, 3, 1])), ("c", t(&[4]))],
        vec![
            ("a", Tensor::from_vec(&[2, 3], vec![0f32; 6]).expect("fits")),
            ("b", t(&[2, 3])),
            ("c", t(&[4])),
        ],
        vec![
            ("a", t(&[2, 3])),
            ("a", t(&[2, 3])),
            ("b", t(&[2, 3])),
            ("c", t(&[4])),
        ],
    ];
    for inputs in cases {
        let want = run_interp(&m, "f", &inputs).expect_err("interp rejects");
        let got = run_llvm(&m, "f", &inputs).expect_err("llvm rejects");
        assert_eq!(got.code, Code::BadInput, "{got}");
        assert_eq!(got.message, want.message);
    }
}

#[test]
fn shape_mismatches_are_reported_not_undefined() {
    both_fail(
        ADD,
        &[("a", t(&[2, 3])), ("b", t(&[3, 3])), ("c", t(&[4]))],
        Code::SymbolConflict,
    );
    both_fail(
        ADD,
        &[("a", t(&[2, 3])), ("b", t(&[2, 3])), ("c", t(&[5]))],
        Code::SymbolConflict,
    );
    both_fail(
        ADD,
        &[("a", t(&[2, 4])), ("b", t(&[2, 4])), ("c", t(&[4]))],
        Code::BadExtent,
    );
    agree(
        ADD,
        &[("a", t(&[2, 3])), ("b", t(&[2, 3])), ("c", t(&[4]))],
        0.0,
    );
}

#[test]
fn symbols_only_inside_expressions_cannot_be_bound() {
    let text = "air 1 opset 1
func @f(%a: f64[2*n]) -> (%y: f64[2*n]) {
  %y = neg (%a) : f64[2*n]
  return %y
}";
    both_fail(text, &[("a", t(&[4]))], Code::SymbolConflict);
}

#[test]
fn raw_abi_rejects_bad_descriptors() {
    let m = parse(ADD);
    let compiled = air_llvm::compile(&m, &air_llvm::Options::default()).expect("compiles");
    let addr = compiled.entry_address("f").expect("entry point");
    type Entry = unsafe extern "C" fn(*mut AirTensor, *mut AirTensor, *mut AirError) -> i32;
    // SAFETY: the address is `air_f`, whose signature is `Entry`.
    let entry: Entry = unsafe { std::mem::transmute::<usize, Entry>(addr) };
    let mut data = vec![0f64; 16];
    let mut run = |dtype: i32, rank: i32, strides: [i64; 2]| -> (i32, String) {
        let mut shapes = [[2i64, 3]; 4];
        let mut strides = [strides, strides, [8, 0], [0, 0]];
        let desc = |k: usize,
                    shapes: &mut [[i64; 2]; 4],
                    strides: &mut [[i64; 2]; 4],
                    p: *mut u8| AirTensor {
            data: p,
            shape: shapes[k].as_mut_ptr(),
            strides: strides[k].as_mut_ptr(),
            rank,
            dtype,
        };
        let p = data.as_mut_ptr().cast::<u8>();
        shapes[2] = [4, 0];
        let mut params = [
            desc(0, &mut shapes, &mut strides, p),
            desc(1, &mut shapes, &mut strides, p),
            AirTensor {
                rank: 1,
                dtype: dtype_code(air_ir::DType::F64),
                ..desc(2, &mut shapes, &mut strides, p)
            },
        ];
        let mut results = [desc(3, &mut shapes, &mut strides, std::ptr::null_mut())];
        let mut err = AirError::default();
        // SAFETY: every descriptor points at live arrays of its rank; the data has 16 elements.
        let code = unsafe { entry(params.as_mut_ptr(), results.as_mut_ptr(), &mut err) };
        assert!(
            results[0].data.is_null(),
            "nothing is handed out on failure"
        );
        (code, err.text())
    };
    let f64c = dtype_code(air_ir::DType::F64);
    let (code, msg) = run(dtype_code(air_ir::DType::F32), 2, [24, 8]);
    assert_eq!(code, 501, "{msg}");
    let (code, msg) = run(f64c, 3, [24, 8]);
    assert_eq!(code, 501, "{msg}");
    let (code, msg) = run(f64c, 2, [24, 5]);
    assert_eq!(code, 501, "{msg}");
    assert!(msg.contains("not a multiple"), "{msg}");
}

#[test]
fn a_failed_call_hands_nothing_out() {
    let text = "air 1 opset 1
func @f(%x: f64[n], %i: i64) -> (%y: f64[n], %e: f64) {
  %y = neg (%x) : f64[n]
  %e = extract (%x, %i) : f64
  return %y, %e
}";
    let m = parse(text);
    let compiled = air_llvm::compile(&m, &air_llvm::Options::default()).expect("compiles");
    let addr = compiled.entry_address("f").expect("entry point");
    type Entry = unsafe extern "C" fn(*mut AirTensor, *mut AirTensor, *mut AirError) -> i32;
    // SAFETY: the address is `air_f`, whose signature is `Entry`.
    let entry: Entry = unsafe { std::mem::transmute::<usize, Entry>(addr) };
    let f64c = dtype_code(air_ir::DType::F64);
    let mut x = vec![1.0f64, 2.0, 3.0];
    let mut i = 7i64;
    let (mut xs, mut xst) = ([3i64], [8i64]);
    let (mut ys, mut yst) = ([0i64], [0i64]);
    let mut none = [0i64; 1];
    let mut params = [
        AirTensor {
            data: x.as_mut_ptr().cast(),
            shape: xs.as_mut_ptr(),
            strides: xst.as_mut_ptr(),
            rank: 1,
            dtype: f64c,
        },
        AirTensor {
            data: (&mut i as *mut i64).cast(),
            shape: none.as_mut_ptr(),
            strides: none.as_mut_ptr(),
            rank: 0,
            dtype: dtype_code(air_ir::DType::I64),
        },
    ];
    let mut results = [
        AirTensor {
            data: std::ptr::null_mut(),
            shape: ys.as_mut_ptr(),
            strides: yst.as_mut_ptr(),
            rank: 1,
            dtype: f64c,
        },
        AirTensor {
            data: std::ptr::null_mut(),
            shape: none.as_mut_ptr(),
            strides: none.as_mut_ptr(),
            rank: 0,
            dtype: f64c,
        },
    ];
    let mut err = AirError::default();
    // SAFETY: valid descriptors over live memory, as the ABI asks.
    let code = unsafe { entry(params.as_mut_ptr(), results.as_mut_ptr(), &mut err) };
    assert_eq!(code, 503, "{}", err.text());
    assert!(
        results[0].data.is_null(),
        "the allocated result was not taken back"
    );
    i = 1;
    params[1].data = (&mut i as *mut i64).cast();
    // SAFETY: as above.
    let code = unsafe { entry(params.as_mut_ptr(), results.as_mut_ptr(), &mut err) };
    assert_eq!(code, 0, "{}", err.text());
    assert_eq!(ys, [3]);
    // SAFETY: the callee allocated 3 elements and 1 element; they are the caller's to free.
    unsafe {
        assert_eq!(*results[0].data.cast::<f64>().add(2), -3.0);
        assert_eq!(*results[1].data.cast::<f64>(), 2.0);
        air_llvm::air_free(results[0].data);
        air_llvm::air_free(results[1].data);
    }
}
