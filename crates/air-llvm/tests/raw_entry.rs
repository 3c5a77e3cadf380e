//! `CompiledModule::entry`: the C ABI entry point as a value, called with descriptors over the
//! caller's own memory (what skair does over NumPy arrays): strided inputs, a result buffer
//! given or allocated by the callee, and errors as `RunError`s.
#![allow(unsafe_code)] // descriptors over test memory

mod common;

use air_ir::{Code, DType};
use air_rt::abi::{dtype_code, AirTensor};
use common::parse;

const AXPY: &str = "air 1 opset 1
func @axpy(%x: f64[n], %y: f64[n]) -> (%z: f64[n]) {
  %two = full {value = f64 2.0, shape = [n]} () : f64[n]
  %t = mul (%two, %x) : f64[n]
  %z = add (%t, %y) : f64[n]
  return %z
}";

fn desc(data: *mut f64, shape: &mut [i64; 1], strides: &mut [i64; 1]) -> AirTensor {
    AirTensor {
        data: data.cast::<u8>(),
        shape: shape.as_mut_ptr(),
        strides: strides.as_mut_ptr(),
        rank: 1,
        dtype: dtype_code(DType::F64),
    }
}

#[test]
fn entry_runs_on_the_callers_memory() {
    let compiled =
        air_llvm::compile_cached(&parse(AXPY), &air_llvm::Options::default()).expect("compiles");
    let entry = compiled.entry("axpy").expect("entry point");
    assert_eq!(entry.function().name, "axpy");
    assert!(compiled.entry("nope").is_none());
    // x: every other element of 8 values (stride 16 bytes); y: contiguous, read backwards.
    let mut xs: Vec<f64> = (0..8).map(f64::from).collect();
    let mut ys: Vec<f64> = vec![10.0, 20.0, 30.0, 40.0];
    let mut z = vec![0f64; 4];
    let (mut sx, mut tx) = ([4i64], [16i64]);
    let (mut sy, mut ty) = ([4i64], [-8i64]);
    let (mut sz, mut tz) = ([4i64], [8i64]);
    // SAFETY (of the offset): the last element of `ys`, the first one read backwards.
    let y_last = unsafe { ys.as_mut_ptr().add(3) };
    let mut params = [
        desc(xs.as_mut_ptr(), &mut sx, &mut tx),
        desc(y_last, &mut sy, &mut ty),
    ];
    let mut results = [desc(z.as_mut_ptr(), &mut sz, &mut tz)];
    // SAFETY: every descriptor covers live memory of its extents and strides; z is apart.
    unsafe { entry.call(&mut params, &mut results) }.expect("runs");
    assert_eq!(z, vec![40.0, 34.0, 28.0, 22.0]);

    // The callee allocates a result whose descriptor has no data.
    let (mut sa, mut ta) = ([0i64], [0i64]);
    let mut results = [desc(std::ptr::null_mut(), &mut sa, &mut ta)];
    // SAFETY: as above; the result's shape and strides arrays have room for rank 1.
    unsafe { entry.call(&mut params, &mut results) }.expect("runs");
    assert_eq!((sa, ta), ([4], [8]));
    // SAFETY: the callee allocated 4 f64 in C order; released once.
    let got = unsafe { std::slice::from_raw_parts(results[0].data.cast::<f64>(), 4) }.to_vec();
    unsafe { air_llvm::air_free(results[0].data) };
    assert_eq!(got, vec![40.0, 34.0, 28.0, 22.0]);
}

#[test]
fn entry_reports_problems_as_run_errors() {
    let compiled =
        air_llvm::compile_cached(&parse(AXPY), &air_llvm::Options::default()).expect("compiles");
    let entry = compiled.entry("axpy").expect("entry point");
    let mut x = vec![1f64; 4];
    let mut y = vec![1f64; 3];
    let (mut sx, mut tx) = ([4i64], [8i64]);
    let (mut sy, mut ty) = ([3i64], [8i64]);
    let (mut sz, mut tz) = ([0i64], [0i64]);
    let mut params = [
        desc(x.as_mut_ptr(), &mut sx, &mut tx),
        desc(y.as_mut_ptr(), &mut sy, &mut ty),
    ];
    let mut results = [desc(std::ptr::null_mut(), &mut sz, &mut tz)];
    // SAFETY: the descriptors cover their memory; the extents disagree (checked on entry).
    let e = unsafe { entry.call(&mut params, &mut results) }.expect_err("n is 4 and 3");
    assert_eq!(e.code, Code::SymbolConflict);
    assert_eq!(e.function.as_deref(), Some("axpy"));
    assert!(results[0].data.is_null());
    // SAFETY: too few descriptors are refused before the call.
    let e = unsafe { entry.call(&mut params[..1], &mut results) }.expect_err("one param");
    assert_eq!(e.code, Code::BadInput);
    assert!(
        e.message.contains("@axpy has 2 parameters and 1 results"),
        "{e}"
    );
}
