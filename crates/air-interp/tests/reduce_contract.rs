//! Reductions, running reductions, sort, einsum and matmul.

mod common;

use air_interp::Tensor;
use air_ir::op::{ArgKind, ReduceKind as R, ScanKind};
use air_ir::{Code, DType, Op, TensorType};
use common::{apply, elems, t, v};
use num_complex::Complex64;

fn fixed(dtype: DType, dims: &[i64]) -> TensorType {
    TensorType::fixed(dtype, dims)
}

fn reduce(kind: R, axes: &[u32], keepdims: bool, x: Tensor, out: &[i64]) -> Result<Tensor, Code> {
    let dtype = x.dtype();
    let op = Op::Reduce {
        kind,
        axes: axes.to_vec(),
        keepdims,
    };
    apply(op, vec![x], fixed(dtype, out)).map_err(|e| e.code)
}

#[test]
fn sums_over_axes_with_and_without_keepdims() {
    let x = || t(&[2, 3], vec![1i32, 2, 3, 4, 5, 6]);
    assert_eq!(
        elems::<i32>(&reduce(R::Sum, &[0], false, x(), &[3]).unwrap()),
        [5, 7, 9]
    );
    assert_eq!(
        elems::<i32>(&reduce(R::Sum, &[1, 0], false, x(), &[]).unwrap()),
        [21]
    );
    let k = reduce(R::Sum, &[1], true, x(), &[2, 1]).unwrap();
    assert_eq!((k.shape(), elems::<i32>(&k)), (&[2, 1][..], vec![6, 15]));
    assert_eq!(
        elems::<i32>(&reduce(R::Sum, &[], false, x(), &[2, 3]).unwrap()),
        [1, 2, 3, 4, 5, 6]
    );
    assert_eq!(
        elems::<i8>(&reduce(R::Sum, &[0], false, v(vec![100i8, 100]), &[]).unwrap()),
        [-56],
        "wraps"
    );
    assert_eq!(
        elems::<i32>(&reduce(R::Prod, &[1], false, x(), &[2]).unwrap()),
        [6, 120]
    );
    let m = reduce(R::Mean, &[0], false, v(vec![1.0f32, 2.0, 3.0, 4.0]), &[]).unwrap();
    assert_eq!(elems::<f32>(&m), [2.5]);
    let z = v(vec![Complex64::new(1.0, 2.0), Complex64::new(3.0, -4.0)]);
    assert_eq!(
        elems::<Complex64>(&reduce(R::Mean, &[0], false, z, &[]).unwrap()),
        [Complex64::new(2.0, -1.0)]
    );
    // 0.1 summed 10 times is 0.9999999999999999 left to right; pairwise summation gives 1.0 too
    // only by luck, so check the tolerance-free property that matters: f32 input sums in f64.
    let s = reduce(R::Sum, &[0], false, v(vec![16_777_216.0f32, 1.0, 1.0]), &[]).unwrap();
    assert_eq!(
        elems::<f32>(&s),
        [16_777_218.0],
        "f32 accumulates wider and rounds once"
    );
    assert_eq!(
        reduce(R::Mean, &[0], false, v(vec![1i32]), &[]).unwrap_err(),
        Code::DTypeNotAccepted
    );
    assert_eq!(
        reduce(R::Any, &[0], false, v(vec![1i32]), &[]).unwrap_err(),
        Code::DTypeNotAccepted
    );
    assert_eq!(
        reduce(R::Sum, &[0, 0], false, v(vec![1i32]), &[]).unwrap_err(),
        Code::BadAxis
    );
}

#[test]
fn empty_reductions() {
    let e = || t(&[0, 3], Vec::<f64>::new());
    assert_eq!(
        elems::<f64>(&reduce(R::Sum, &[0], false, e(), &[3]).unwrap()),
        [0.0; 3]
    );
    assert_eq!(
        elems::<f64>(&reduce(R::Prod, &[0], false, e(), &[3]).unwrap()),
        [1.0; 3]
    );
    assert!(
        elems::<f64>(&reduce(R::Mean, &[0], false, e(), &[3]).unwrap())
            .iter()
            .all(|m| m.is_nan())
    );
    let b = || t(&[0], Vec::<bool>::new());
    assert_eq!(
        elems::<bool>(&reduce(R::Any, &[0], false, b(), &[]).unwrap()),
        [false]
    );
    assert_eq!(
        elems::<bool>(&reduce(R::All, &[0], false, b(), &[]).unwrap()),
        [true]
    );
    assert_eq!(
        reduce(R::Max, &[0], false, e(), &[3]).unwrap_err(),
        Code::EmptyReduction
    );
    assert_eq!(
        reduce(R::Min, &[0, 1], false, e(), &[]).unwrap_err(),
        Code::EmptyReduction
    );
    // Reducing the non-empty axis of an empty array is fine (as NumPy): the result is empty.
    assert_eq!(reduce(R::Max, &[1], false, e(), &[0]).unwrap().shape(), [0]);
    // No elements and no result elements either: nothing to compute, no error (spec R1).
    let none = t(&[0, 0], Vec::<f64>::new());
    assert_eq!(
        reduce(R::Max, &[0], false, none, &[0]).unwrap().shape(),
        [0]
    );
}

#[test]
fn max_min_reductions_propagate_nan() {
    let r = reduce(R::Max, &[0], false, v(vec![1.0f64, f64::NAN, 3.0]), &[]).unwrap();
    assert!(elems::<f64>(&r)[0].is_nan());
    assert_eq!(
        elems::<f64>(&reduce(R::Max, &[0], false, v(vec![1.0f64, 3.0, 2.0]), &[]).unwrap()),
        [3.0]
    );
    assert_eq!(
        elems::<u16>(&reduce(R::Min, &[1], false, t(&[2, 2], vec![4u16, 2, 9, 7]), &[2]).unwrap()),
        [2, 7]
    );
    assert_eq!(
        elems::<bool>(&reduce(R::Max, &[0], false, v(vec![false, true]), &[]).unwrap()),
        [true]
    );
}

fn arg(kind: ArgKind, axis: u32, keepdims: bool, x: Tensor, out: &[i64]) -> Result<Vec<i64>, Code> {
    let op = Op::ArgReduce {
        kind,
        axis,
        keepdims,
    };
    apply(op, vec![x], fixed(DType::I64, out))
        .map(|t| elems::<i64>(&t))
        .map_err(|e| e.code)
}

#[test]
fn argmax_argmin_first_occurrence_and_first_nan() {
    assert_eq!(
        arg(ArgKind::Argmax, 0, false, v(vec![1i32, 3, 3, 2]), &[]),
        Ok(vec![1])
    );
    assert_eq!(
        arg(
            ArgKind::Argmin,
            0,
            false,
            v(vec![2.0f64, f64::NAN, 1.0, f64::NAN]),
            &[]
        ),
        Ok(vec![1])
    );
    assert_eq!(
        arg(ArgKind::Argmax, 0, false, v(vec![f64::NAN, 5.0]), &[]),
        Ok(vec![0])
    );
    let x = t(&[2, 3], vec![1.0f32, 9.0, 9.0, 7.0, 0.0, 8.0]);
    assert_eq!(
        arg(ArgKind::Argmax, 1, true, x.clone(), &[2, 1]),
        Ok(vec![1, 2])
    );
    assert_eq!(arg(ArgKind::Argmin, 0, false, x, &[3]), Ok(vec![0, 1, 1]));
    assert_eq!(
        arg(ArgKind::Argmax, 0, false, v(Vec::<i32>::new()), &[]),
        Err(Code::EmptyReduction)
    );
}

#[test]
fn cumsum_cumprod_sort() {
    let scan = |kind, axis, x: Tensor| {
        let ty = fixed(
            x.dtype(),
            &x.shape().iter().map(|&d| d as i64).collect::<Vec<_>>(),
        );
        apply(Op::Scan { kind, axis }, vec![x], ty).unwrap()
    };
    assert_eq!(
        elems::<i8>(&scan(ScanKind::Cumsum, 0, v(vec![100i8, 100, 1]))),
        [100, -56, -55]
    );
    assert_eq!(
        elems::<f64>(&scan(ScanKind::Cumprod, 0, v(vec![1.0f64, 2.0, 3.0, 4.0]))),
        [1.0, 2.0, 6.0, 24.0]
    );
    assert_eq!(
        elems::<i32>(&scan(ScanKind::Cumsum, 1, t(&[2, 2], vec![1i32, 2, 3, 4]))),
        [1, 3, 3, 7]
    );

    let sort = |axis, descending, x: Tensor| {
        let ty = fixed(
            x.dtype(),
            &x.shape().iter().map(|&d| d as i64).collect::<Vec<_>>(),
        );
        apply(Op::Sort { axis, descending }, vec![x], ty).unwrap()
    };
    let x = || {
        v(vec![
            3.0f64,
            f64::NAN,
            -1.0,
            2.0,
            f64::NAN,
            f64::NEG_INFINITY,
        ])
    };
    let up = elems::<f64>(&sort(0, false, x()));
    assert_eq!(&up[..4], [f64::NEG_INFINITY, -1.0, 2.0, 3.0]);
    assert!(up[4].is_nan() && up[5].is_nan(), "NaN last");
    let down = elems::<f64>(&sort(0, true, x()));
    assert!(
        down[0].is_nan() && down[1].is_nan(),
        "NaN first when descending"
    );
    assert_eq!(&down[2..], [3.0, 2.0, -1.0, f64::NEG_INFINITY]);
    assert_eq!(
        elems::<i32>(&sort(0, false, t(&[2, 2], vec![5i32, 1, 2, 7]))),
        [2, 1, 5, 7]
    );
    assert_eq!(
        elems::<bool>(&sort(0, false, v(vec![true, false, true]))),
        [false, true, true]
    );
}

fn einsum(spec: &str, xs: Vec<Tensor>, out: &[i64]) -> Result<Tensor, Code> {
    let dtype = xs[0].dtype();
    apply(Op::Einsum { spec: spec.into() }, xs, fixed(dtype, out)).map_err(|e| e.code)
}

#[test]
fn einsum_contractions_diagonals_and_sums() {
    let a = || t(&[2, 3], vec![1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0]);
    let sq = || t(&[2, 2], vec![1i64, 2, 3, 4]);
    let r = einsum("ij,j->i", vec![a(), v(vec![1.0f64, 0.0, -1.0])], &[2]).unwrap();
    assert_eq!(elems::<f64>(&r), [-2.0, -2.0]);
    assert_eq!(
        elems::<i64>(&einsum("ii->i", vec![sq()], &[2]).unwrap()),
        [1, 4]
    );
    assert_eq!(elems::<i64>(&einsum("ii->", vec![sq()], &[]).unwrap()), [5]);
    assert_eq!(
        elems::<i64>(&einsum("ij->ji", vec![sq()], &[2, 2]).unwrap()),
        [1, 3, 2, 4]
    );
    assert_eq!(
        elems::<i64>(&einsum("ij,jk->ik", vec![sq(), sq()], &[2, 2]).unwrap()),
        [7, 10, 15, 22]
    );
    assert_eq!(
        elems::<i64>(
            &einsum("i,j->ij", vec![v(vec![1i64, 2]), v(vec![3i64, 4])], &[2, 2]).unwrap()
        ),
        [3, 4, 6, 8]
    );
    let three = vec![v(vec![1i64, 2]), v(vec![3i64, 4]), v(vec![5i64, 6])];
    assert_eq!(
        elems::<i64>(&einsum("i,i,i->", three, &[]).unwrap()),
        [15 + 48]
    );
    assert_eq!(
        elems::<f64>(&einsum("ij->", vec![a()], &[]).unwrap()),
        [21.0]
    );
    assert_eq!(
        elems::<i8>(&einsum("i,i->", vec![v(vec![100i8, 100]), v(vec![1i8, 1])], &[]).unwrap()),
        [-56]
    );
    let empty = einsum(
        "ij,j->i",
        vec![t(&[2, 0], Vec::<f64>::new()), v(Vec::<f64>::new())],
        &[2],
    )
    .unwrap();
    assert_eq!(elems::<f64>(&empty), [0.0, 0.0], "an empty sum is 0");
    assert_eq!(
        einsum("ij,j->i", vec![a(), v(vec![1.0f64, 2.0])], &[2]).unwrap_err(),
        Code::ContractionMismatch
    );
    assert_eq!(
        einsum("ij,j", vec![a(), v(vec![1.0f64; 3])], &[2]).unwrap_err(),
        Code::BadEinsum
    );
    assert_eq!(
        einsum("ijk->i", vec![a()], &[2]).unwrap_err(),
        Code::BadEinsum
    );
    assert_eq!(
        einsum("ij->ij", vec![t(&[1, 1], vec![true])], &[1, 1]).unwrap_err(),
        Code::DTypeNotAccepted
    );
}

fn matmul(a: Tensor, b: Tensor, out: &[i64]) -> Result<Tensor, Code> {
    let dtype = a.dtype();
    apply(Op::Matmul, vec![a, b], fixed(dtype, out)).map_err(|e| e.code)
}

#[test]
fn matmul_follows_numpy() {
    let a = || t(&[2, 3], vec![1i32, 2, 3, 4, 5, 6]);
    let b = || t(&[3, 2], vec![1i32, 0, 0, 1, 1, 1]);
    assert_eq!(
        elems::<i32>(&matmul(a(), b(), &[2, 2]).unwrap()),
        [4, 5, 10, 11]
    );
    assert_eq!(
        elems::<i32>(&matmul(v(vec![1i32, 1]), a(), &[3]).unwrap()),
        [5, 7, 9]
    );
    assert_eq!(
        elems::<i32>(&matmul(a(), v(vec![1i32, 0, -1]), &[2]).unwrap()),
        [-2, -2]
    );
    assert_eq!(
        elems::<i32>(&matmul(v(vec![1i32, 2]), v(vec![3i32, 4]), &[]).unwrap()),
        [11]
    );
    // Batch: [2, 2, 3] @ [3, 2] -> [2, 2, 2]; the second batch is the first times 2.
    let batch = t(&[2, 2, 3], vec![1i32, 2, 3, 4, 5, 6, 2, 4, 6, 8, 10, 12]);
    assert_eq!(
        elems::<i32>(&matmul(batch.clone(), b(), &[2, 2, 2]).unwrap()),
        [4, 5, 10, 11, 8, 10, 20, 22]
    );
    // Broadcast batch dims: [1, 2, 3] @ [2, 3, 2] -> [2, 2, 2].
    let b2 = t(&[2, 3, 2], vec![1i32, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    let a1 = t(&[1, 2, 3], vec![1i32, 2, 3, 4, 5, 6]);
    assert_eq!(
        elems::<i32>(&matmul(a1, b2, &[2, 2, 2]).unwrap()),
        [4, 5, 10, 11, 0, 0, 0, 0]
    );
    let z = v(vec![Complex64::new(0.0, 1.0)]);
    assert_eq!(
        elems::<Complex64>(&matmul(z.clone(), z, &[]).unwrap()),
        [Complex64::new(-1.0, 0.0)]
    );
    assert_eq!(
        matmul(a(), a(), &[2, 2]).unwrap_err(),
        Code::ContractionMismatch
    );
    assert_eq!(
        matmul(Tensor::scalar(1i32), a(), &[3]).unwrap_err(),
        Code::RankMismatch
    );
    let bad_batch = t(&[3, 3, 2], vec![0i32; 18]);
    assert_eq!(
        matmul(batch, bad_batch, &[2, 2, 2]).unwrap_err(),
        Code::BadBroadcast
    );
}
