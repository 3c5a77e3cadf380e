//! The C ABI: error codes, caller-provided and in-place results, `copy`, memory, threads, the
//! public views, and `include/air.h` (compiled with `cc` and linked against the static library).

#![allow(unsafe_code)] // the tests call the C ABI

mod common;

use air_ir::DType;
use air_rt::abi::{dtype_code, AirError, AirTensor};
use air_value::Tensor;
use common::*;

fn code_of(r: Result<Tensor, (i32, String)>) -> (i32, String) {
    match r {
        Ok(t) => panic!("expected an error, got {t:?}"),
        Err(e) => e,
    }
}

fn f64v(shape: &[usize], v: Vec<f64>) -> Tensor {
    Tensor::from_vec(shape, v).unwrap()
}

#[test]
fn errors_carry_their_codes() {
    let c2 = [Layout::C, Layout::C];
    let x = f64v(&[2, 3], vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    let complex = Tensor::zeros(DType::C64, &[3]);
    let (code, msg) = code_of(run_rt(
        air_rt::air_rt_sort,
        &[complex],
        &[Layout::C],
        &[0, 0],
        DType::C64,
        1,
    ));
    assert_eq!(code, 202, "complex numbers are not ordered");
    assert!(msg.contains("air_rt_sort") && msg.contains("c64"), "{msg}");
    let b = Tensor::zeros(DType::Bool, &[3]);
    assert_eq!(
        code_of(run_rt(
            air_rt::air_rt_cumsum,
            &[b],
            &[Layout::C],
            &[0],
            DType::Bool,
            1
        ))
        .0,
        202
    );
    let empty = Tensor::zeros(DType::F64, &[0, 0]);
    assert_eq!(
        code_of(run_rt(
            air_rt::air_rt_argmax,
            &[empty],
            &[Layout::C],
            &[1, 0],
            DType::I64,
            1
        ))
        .0,
        504
    );
    for bad in [3i64, -4] {
        let idx = Tensor::from_vec(&[2], vec![0i64, bad]).unwrap();
        let (code, msg) = code_of(run_rt(
            air_rt::air_rt_take,
            &[x.clone(), idx],
            &c2,
            &[1],
            DType::F64,
            2,
        ));
        assert_eq!(code, 503, "{msg}");
    }
    let y = f64v(&[2, 2], vec![0.0; 4]);
    assert_eq!(
        code_of(run_rt(
            air_rt::air_rt_matmul,
            &[x.clone(), y.clone()],
            &c2,
            &[1],
            DType::F64,
            2
        ))
        .0,
        203
    );
    let (b3, b2) = (
        Tensor::zeros(DType::F64, &[3, 2, 2]),
        Tensor::zeros(DType::F64, &[2, 2, 2]),
    );
    assert_eq!(
        code_of(run_rt(
            air_rt::air_rt_matmul,
            &[b3, b2],
            &c2,
            &[1],
            DType::F64,
            3
        ))
        .0,
        207
    );
    let s = Tensor::scalar(1.0f64);
    assert_eq!(
        code_of(run_rt(
            air_rt::air_rt_matmul,
            &[s, y.clone()],
            &c2,
            &[1],
            DType::F64,
            1
        ))
        .0,
        215
    );
    let yi = Tensor::zeros(DType::I32, &[3, 2]);
    assert_eq!(
        code_of(run_rt(
            air_rt::air_rt_matmul,
            &[x.clone(), yi],
            &c2,
            &[1],
            DType::F64,
            2
        ))
        .0,
        201
    );
    let mut attrs = vec![1, 1, 2, 105, 46, 1, 105]; // "i.->i": not a letter
    assert_eq!(
        code_of(run_rt(
            air_rt::air_rt_einsum,
            std::slice::from_ref(&x),
            &[Layout::C],
            &attrs,
            DType::F64,
            1
        ))
        .0,
        212
    );
    attrs = vec![1, 1, 2, 105, 105, 1, 105]; // "ii->i" on a 2x3 operand
    assert_eq!(
        code_of(run_rt(
            air_rt::air_rt_einsum,
            std::slice::from_ref(&x),
            &[Layout::C],
            &attrs,
            DType::F64,
            1
        ))
        .0,
        203
    );
    assert_eq!(
        code_of(run_rt(
            air_rt::air_rt_concat,
            &[x.clone(), y.clone()],
            &c2,
            &[0],
            DType::F64,
            2
        ))
        .0,
        211
    );
    assert_eq!(
        code_of(run_rt(
            air_rt::air_rt_concat,
            &[x.clone(), x.clone()],
            &c2,
            &[2],
            DType::F64,
            2
        ))
        .0,
        205
    );
    let step0 = [2, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0];
    assert_eq!(
        code_of(run_rt(
            air_rt::air_rt_slice,
            std::slice::from_ref(&x),
            &[Layout::C],
            &step0,
            DType::F64,
            2
        ))
        .0,
        210
    );
    assert_eq!(
        code_of(run_rt(
            air_rt::air_rt_sort,
            std::slice::from_ref(&x),
            &[Layout::C],
            &[0],
            DType::F64,
            2
        ))
        .0,
        103
    );
    let mask = Tensor::zeros(DType::U8, &[3]);
    let v = f64v(&[3], vec![1.0; 3]);
    assert_eq!(
        code_of(run_rt(
            air_rt::air_rt_filter,
            &[v, mask],
            &c2,
            &[],
            DType::F64,
            1
        ))
        .0,
        202
    );
    // The result descriptor must match the result: dtype and rank (E0501).
    assert_eq!(
        code_of(run_rt(
            air_rt::air_rt_sort,
            std::slice::from_ref(&x),
            &[Layout::C],
            &[0, 0],
            DType::F32,
            2
        ))
        .0,
        501
    );
    assert_eq!(
        code_of(run_rt(
            air_rt::air_rt_sort,
            &[x],
            &[Layout::C],
            &[0, 0],
            DType::F64,
            1
        ))
        .0,
        501
    );
}

#[test]
fn bad_descriptors_are_errors_not_crashes() {
    let mut x = place(&f64v(&[2], vec![1.0, 2.0]), Layout::C);
    let mut out = OutSlot::new(DType::F64, 1);
    let mut err = AirError::default();
    let d = x.desc();
    // SAFETY: NULL `out` is reported, not dereferenced.
    let rc =
        unsafe { air_rt::air_rt_copy(&d, 1, std::ptr::null_mut(), std::ptr::null(), 0, &mut err) };
    assert_eq!(rc, 501);
    x.shape[0] = -2;
    assert_eq!(
        call(
            air_rt::air_rt_copy,
            std::slice::from_mut(&mut x),
            &[],
            &mut out.desc
        )
        .unwrap_err()
        .0,
        506
    );
    x.shape[0] = 2;
    let mut d = x.desc();
    d.dtype = 99;
    // SAFETY: every pointer is valid; the dtype code is checked.
    let rc = unsafe {
        air_rt::air_rt_copy(
            &d,
            1,
            &mut out.desc,
            std::ptr::null(),
            0,
            std::ptr::null_mut(),
        )
    };
    assert_eq!(rc, 501, "a NULL err is tolerated");
    assert!(out.desc.data.is_null(), "nothing is allocated on failure");
}

#[test]
fn a_caller_buffer_of_another_shape_is_e0506() {
    let x = f64v(&[3], vec![1.0, 2.0, 3.0]);
    let mut ins = vec![place(&x, Layout::C)];
    let mut buf = vec![0.0f64; 2];
    let mut out = OutSlot::new(DType::F64, 1);
    out.shape[0] = 2;
    out.strides[0] = 8;
    out.desc.data = buf.as_mut_ptr() as *mut u8;
    let (code, msg) = call(air_rt::air_rt_copy, &mut ins, &[], &mut out.desc).unwrap_err();
    assert_eq!(code, 506, "{msg}");
    assert_eq!(
        out.desc.data,
        buf.as_mut_ptr() as *mut u8,
        "a caller's buffer is never freed"
    );
    out.desc.data = std::ptr::null_mut();
}

/// Runs `op` writing into a caller's buffer in `layout` and returns what it holds.
fn into_buffer(
    op: RtOp,
    ins: &[Tensor],
    attrs: &[i64],
    dtype: DType,
    shape: &[usize],
    layout: Layout,
) -> Tensor {
    let mut target = place(&Tensor::zeros(dtype, shape), layout);
    let mut placed: Vec<Placed> = ins.iter().map(|t| place(t, Layout::C)).collect();
    let mut desc = target.desc();
    call(op, &mut placed, attrs, &mut desc).expect("op");
    read(&desc)
}

#[test]
fn caller_buffers_in_any_layout_receive_the_result() {
    let mut rng = Rng(11);
    let a = random(&mut rng, DType::F64, &[5, 4], false);
    let b = random(&mut rng, DType::F64, &[4, 6], false);
    let x = random(&mut rng, DType::I32, &[3, 5], false);
    let want_mm = run_rt(
        air_rt::air_rt_matmul,
        &[a.clone(), b.clone()],
        &[Layout::C; 2],
        &[1],
        DType::F64,
        2,
    )
    .unwrap();
    let want_sort = run_rt(
        air_rt::air_rt_sort,
        std::slice::from_ref(&x),
        &[Layout::C],
        &[1, 0],
        DType::I32,
        2,
    )
    .unwrap();
    for layout in [Layout::C, Layout::F, Layout::Reversed, Layout::Strided] {
        let got = into_buffer(
            air_rt::air_rt_matmul,
            &[a.clone(), b.clone()],
            &[1],
            DType::F64,
            &[5, 6],
            layout,
        );
        assert!(got.bits_eq(&want_mm), "matmul into {layout:?}");
        let got = into_buffer(
            air_rt::air_rt_sort,
            std::slice::from_ref(&x),
            &[1, 0],
            DType::I32,
            &[3, 5],
            layout,
        );
        assert!(got.bits_eq(&want_sort), "sort into {layout:?}");
        let got = into_buffer(
            air_rt::air_rt_copy,
            std::slice::from_ref(&x),
            &[],
            DType::I32,
            &[3, 5],
            layout,
        );
        assert!(got.bits_eq(&x), "copy into {layout:?}");
    }
}

#[test]
fn in_place_results_read_their_input_first() {
    let mut rng = Rng(12);
    for layout in [Layout::C, Layout::Reversed, Layout::Strided] {
        let x = random(&mut rng, DType::F64, &[4, 6], true);
        let sorted = run_rt(
            air_rt::air_rt_sort,
            std::slice::from_ref(&x),
            &[Layout::C],
            &[0, 1],
            DType::F64,
            2,
        )
        .unwrap();
        let summed = run_rt(
            air_rt::air_rt_cumsum,
            std::slice::from_ref(&x),
            &[Layout::C],
            &[1],
            DType::F64,
            2,
        )
        .unwrap();
        for (op, attrs, want) in [
            (air_rt::air_rt_sort as RtOp, vec![0, 1], &sorted),
            (air_rt::air_rt_cumsum, vec![1], &summed),
        ] {
            let mut p = vec![place(&x, layout)];
            let mut desc = p[0].desc();
            call(op, &mut p, &attrs, &mut desc).expect("in place");
            assert!(read(&p[0].desc()).bits_eq(want), "{layout:?}");
        }
        // Transposed in place: the result is written over a different view of the same memory.
        let mut p = vec![place(&x, Layout::C)];
        let mut t = p[0].desc();
        let (mut shape, mut strides) = ([4i64, 6], [8i64, 32]);
        t.shape = shape.as_mut_ptr();
        t.strides = strides.as_mut_ptr();
        call(air_rt::air_rt_copy, &mut p, &[], &mut t).expect("copy");
        let back = read(&p[0].desc());
        let want: Vec<f64> = (0..24)
            .map(|i| x.to_c128_vec()[(i % 4) * 6 + i / 4].re)
            .collect();
        let got: Vec<f64> = back.to_c128_vec().iter().map(|c| c.re).collect();
        assert_eq!(format!("{got:?}"), format!("{want:?}"));
    }
}

#[test]
fn copy_materialises_any_view() {
    let mut rng = Rng(13);
    let x = random(&mut rng, DType::U16, &[3, 4, 2], false);
    for layout in layouts(x.shape()) {
        let x = match layout {
            Layout::Broadcast(axis) => repeat_along(&x, axis),
            Layout::C | Layout::F | Layout::Reversed | Layout::Strided => x.clone(),
        };
        let got = run_rt(
            air_rt::air_rt_copy,
            std::slice::from_ref(&x),
            &[layout],
            &[],
            DType::U16,
            3,
        )
        .unwrap();
        assert!(got.bits_eq(&x), "{layout:?}");
    }
}

#[test]
fn filter_reports_its_length() {
    let x = f64v(&[5], vec![1.0, 2.0, 3.0, 4.0, 5.0]);
    let m = Tensor::from_vec(&[5], vec![true, false, true, true, false]).unwrap();
    let mut ins = vec![place(&x, Layout::Reversed), place(&m, Layout::C)];
    let mut out = OutSlot::new(DType::F64, 1);
    call(air_rt::air_rt_filter, &mut ins, &[], &mut out.desc).unwrap();
    assert_eq!(out.shape, vec![3]);
    assert_eq!(out.strides, vec![8]);
    assert_eq!(out.tensor(), f64v(&[3], vec![1.0, 3.0, 4.0]));
}

#[test]
fn memory_and_views() {
    let p = air_rt::air_rt_alloc(0);
    assert!(!p.is_null() && (p as usize).is_multiple_of(64));
    // SAFETY: p came from air_rt_alloc.
    unsafe { air_rt::air_free(p) };
    let data = [1i64, 2, 3, 4, 5, 6];
    let (mut shape, mut strides) = ([3i64, 2], [-16i64, 8]);
    let t = AirTensor {
        data: data.as_ptr().wrapping_add(4) as *mut u8,
        shape: shape.as_mut_ptr(),
        strides: strides.as_mut_ptr(),
        rank: 2,
        dtype: dtype_code(DType::I64),
    };
    // SAFETY: the descriptor addresses elements of `data`.
    let v = unsafe { air_rt::view::<i64>(&t) };
    assert_eq!(v.iter().collect::<Vec<_>>(), vec![5, 6, 3, 4, 1, 2]);
    assert_eq!(v.get(&[1, 1]), 4);
}

/// `enum air_dtype` in the header, in order.
fn header_dtypes(h: &str) -> Vec<(String, i32)> {
    h.lines()
        .filter_map(|l| {
            let l = l.trim().strip_prefix("AIR_")?;
            let (name, rest) = l.split_once(" = ")?;
            let value: String = rest.chars().take_while(char::is_ascii_digit).collect();
            Some((name.to_lowercase(), value.parse().ok()?))
        })
        .collect()
}

#[test]
fn the_header_matches_the_rust_abi() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("include");
    let h = std::fs::read_to_string(dir.join("air.h")).unwrap();
    let names: Vec<(String, i32)> = DType::ALL
        .iter()
        .map(|&d| (d.name().to_string(), dtype_code(d)))
        .collect();
    assert_eq!(header_dtypes(&h), names);
    assert!(h.contains(&format!(
        "#define AIR_MESSAGE_LEN {}",
        air_rt::abi::MESSAGE_LEN
    )));
    let c_layout = c_program_output(&dir, "layout.c", LAYOUT_C, false);
    let rust_layout = format!(
        "{} {} {} {} {} {} {}\n",
        std::mem::size_of::<AirTensor>(),
        std::mem::offset_of!(AirTensor, shape),
        std::mem::offset_of!(AirTensor, strides),
        std::mem::offset_of!(AirTensor, rank),
        std::mem::offset_of!(AirTensor, dtype),
        std::mem::size_of::<AirError>(),
        std::mem::offset_of!(AirError, message),
    );
    assert_eq!(c_layout, rust_layout);
}

const LAYOUT_C: &str = r#"
#include <stddef.h>
#include <stdio.h>
#include "air.h"
int main(void) {
    printf("%zu %zu %zu %zu %zu %zu %zu\n", sizeof(air_tensor), offsetof(air_tensor, shape),
           offsetof(air_tensor, strides), offsetof(air_tensor, rank), offsetof(air_tensor, dtype),
           sizeof(air_error), offsetof(air_error, message));
    return 0;
}
"#;

/// A C program that sorts through the static library, as a compiled module's caller would.
const SORT_C: &str = r#"
#include <stdio.h>
#include <string.h>
#include "air.h"
int32_t air_rt_sort(const air_tensor *, int64_t, air_tensor *, const int64_t *, int64_t, air_error *);
int main(void) {
    double x[5] = {3.0, -1.0, 2.0, 0.5, 7.0};
    int64_t shape[1] = {5}, strides[1] = {8}, out_shape[1] = {0}, out_strides[1] = {0};
    air_tensor in = {x, shape, strides, 1, AIR_F64};
    air_tensor out = {NULL, out_shape, out_strides, 1, AIR_F64};
    int64_t attrs[2] = {0, 1};
    air_error err;
    memset(&err, 0, sizeof err);
    if (air_rt_sort(&in, 1, &out, attrs, 2, &err) != 0) { printf("error %d %s\n", err.code, err.message); return 1; }
    const double *r = out.data;
    printf("%g %g %g %g %g %lld %lld\n", r[0], r[1], r[2], r[3], r[4], (long long)out_shape[0], (long long)out_strides[0]);
    air_free(out.data);
    in.dtype = AIR_C64;
    int32_t rc = air_rt_sort(&in, 1, &out, attrs, 2, &err);
    printf("%d %d %s\n", rc, err.code, err.message);
    /* Under a budget of 32 bytes the 40-byte result cannot be allocated: E0508. */
    air_set_max_memory(32);
    in.dtype = AIR_F64;
    out.data = NULL;
    memset(&err, 0, sizeof err);
    rc = air_rt_sort(&in, 1, &out, attrs, 2, &err);
    printf("%d %d\n", rc, out.data == NULL);
    air_set_max_memory(40);
    rc = air_rt_sort(&in, 1, &out, attrs, 2, &err);
    printf("%d\n", rc);
    air_free(out.data);
    air_set_max_memory(0);
    return 0;
}
"#;

#[test]
fn a_c_program_calls_the_static_library() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("include");
    let out = c_program_output(&dir, "sort.c", SORT_C, true);
    assert_eq!(
        out,
        "7 3 2 0.5 -1 5 8\n202 202 air_rt_sort: dtype c64 is not accepted\n\
         508 1\n0\n"
    );
}

/// Compiles and runs a C program with `include/` on the path (and the static library when
/// `link`), returning its output.
fn c_program_output(include: &std::path::Path, name: &str, src: &str, link: bool) -> String {
    let tmp = std::env::temp_dir().join(format!("air-rt-abi-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let c = tmp.join(name);
    std::fs::write(&c, src).unwrap();
    let exe = tmp.join(name.trim_end_matches(".c"));
    let mut cmd = std::process::Command::new("cc");
    cmd.arg("-std=c11")
        .arg("-Wall")
        .arg("-Werror")
        .arg("-I")
        .arg(include)
        .arg(&c)
        .arg("-o")
        .arg(&exe);
    if link {
        cmd.arg(static_lib()).args(["-lpthread", "-ldl", "-lm"]);
    }
    let status = cmd.status().expect("cc");
    assert!(status.success(), "cc failed on {name}");
    let run = std::process::Command::new(&exe).output().unwrap();
    assert!(
        run.status.success(),
        "{name} failed: {}",
        String::from_utf8_lossy(&run.stdout)
    );
    String::from_utf8(run.stdout).unwrap()
}

/// `libair_rt.a`: the one `cargo build` left beside this test's profile directory, else one built
/// now in a target directory of its own (`cargo test` does not build staticlibs, and holds the lock
/// of the main target directory while tests run).
fn static_lib() -> std::path::PathBuf {
    // target/<profile>/deps/<this test> -> target/<profile>/libair_rt.a
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(|d| d.parent()).unwrap().to_path_buf();
    let lib = profile_dir.join("libair_rt.a");
    if lib.exists() {
        return lib;
    }
    let target = profile_dir.join("air-rt-staticlib");
    let status =
        std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["build", "-q", "-p", "air-rt", "--lib", "--target-dir"])
            .arg(&target)
            .status()
            .expect("cargo runs");
    assert!(status.success(), "building libair_rt.a failed");
    let lib = target.join("debug").join("libair_rt.a");
    assert!(lib.exists(), "{} not built", lib.display());
    lib
}
