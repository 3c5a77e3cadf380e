//! Inference of the shape ops: broadcast, reshape, transpose, expand_dims, squeeze, slice,
//! concat, take, extract, insert, filter.
#![allow(clippy::result_large_err)] // `Diagnostic` is the crate's error type

mod common;

use air_ir::op::{Bound, SliceAxis};
use air_ir::{Code, Op};
use common::{code, fails, inf, one, shape};

fn sl(start: Bound, stop: Bound, step: i64) -> SliceAxis {
    SliceAxis { start, stop, step }
}

#[test]
fn broadcast_reshape_transpose() {
    let bc = |dims: &[&str], map: &[u32]| Op::Broadcast {
        shape: shape(dims),
        dims: map.to_vec(),
    };
    assert_eq!(one(&bc(&["m", "n"], &[1]), &["f64[n]"]), inf("f64[m, n]"));
    assert_eq!(
        one(&bc(&["n", "m"], &[0, 1]), &["f64[n, 1]"]),
        inf("f64[n, m]")
    );
    assert_eq!(one(&bc(&["n"], &[]), &["f64"]), inf("f64[n]"));
    assert_eq!(
        code(&bc(&["m", "n"], &[0, 1]), &["f64[n]"]),
        Code::BadBroadcast,
        "dims length"
    );
    assert_eq!(
        code(&bc(&["n", "n"], &[1, 0]), &["f64[n, n]"]),
        Code::BadBroadcast,
        "order"
    );
    assert_eq!(
        code(&bc(&["n"], &[1]), &["f64[n]"]),
        Code::BadBroadcast,
        "range"
    );
    assert_eq!(
        code(&bc(&["m", "k"], &[1]), &["f64[n]"]),
        Code::BadBroadcast,
        "n to k"
    );
    assert_eq!(code(&bc(&["m", "-1"], &[0]), &["f64[m]"]), Code::BadShape);
    assert_eq!(code(&bc(&["n"], &[0]), &[]), Code::Arity);

    let rs = |dims: &[&str]| Op::Reshape { shape: shape(dims) };
    assert_eq!(one(&rs(&["m*n"]), &["f64[n, m]"]), inf("f64[m*n]"));
    assert_eq!(
        one(&rs(&["2", "n", "3"]), &["f64[6*n]"]),
        inf("f64[2, n, 3]")
    );
    assert_eq!(one(&rs(&[]), &["f64[1, 1]"]), inf("f64"));
    let (c, msg) = fails(&rs(&["m"]), &["f64[n]"]);
    assert_eq!(c, Code::ReshapeCount);
    assert!(msg.contains("[n]") && msg.contains("[m]"), "{msg}");
    assert_eq!(code(&rs(&["-1"]), &["f64[1]"]), Code::BadShape);
    assert_eq!(code(&rs(&["n"]), &["f64[n]", "f64[n]"]), Code::Arity);

    let tr = |p: &[u32]| Op::Transpose { perm: p.to_vec() };
    assert_eq!(one(&tr(&[2, 0, 1]), &["f64[a, b, c]"]), inf("f64[c, a, b]"));
    assert_eq!(code(&tr(&[0, 0]), &["f64[a, b]"]), Code::BadPermutation);
    assert_eq!(code(&tr(&[0, 2]), &["f64[a, b]"]), Code::BadPermutation);
    assert_eq!(code(&tr(&[0]), &["f64[a, b]"]), Code::BadPermutation);
    assert_eq!(code(&tr(&[]), &[]), Code::Arity);
}

#[test]
fn expand_dims_squeeze() {
    let ex = |a: &[u32]| Op::ExpandDims { axes: a.to_vec() };
    assert_eq!(one(&ex(&[0, 2]), &["f64[n]"]), inf("f64[1, n, 1]"));
    assert_eq!(one(&ex(&[2, 0]), &["f64[n, m]"]), inf("f64[1, n, 1, m]"));
    assert_eq!(code(&ex(&[2]), &["f64[n]"]), Code::BadAxis);
    assert_eq!(code(&ex(&[0, 0]), &["f64[n]"]), Code::BadAxis);
    assert_eq!(code(&ex(&[0]), &[]), Code::Arity);

    let sq = |a: &[u32]| Op::Squeeze { axes: a.to_vec() };
    assert_eq!(one(&sq(&[0, 2]), &["f64[1, n, 1]"]), inf("f64[n]"));
    let (c, msg) = fails(&sq(&[1]), &["f64[1, n]"]);
    assert_eq!(c, Code::SqueezeNotOne);
    assert!(msg.contains('n'), "{msg}");
    assert_eq!(code(&sq(&[0]), &["f64[2]"]), Code::SqueezeNotOne);
    assert_eq!(code(&sq(&[3]), &["f64[1]"]), Code::BadAxis);
    assert_eq!(code(&sq(&[0, 0]), &["f64[1]"]), Code::BadAxis);
    assert_eq!(code(&sq(&[0]), &[]), Code::Arity);
}

#[test]
fn slice_extents() {
    use Bound::{Const as C, Default as D, Operand as K};
    let op = |axes: Vec<SliceAxis>| Op::Slice { axes };
    // Symbolic dims: the documented closed forms, else fresh.
    assert_eq!(one(&op(vec![sl(C(2), D, 1)]), &["f64[n]"]), inf("f64[n-2]"));
    assert_eq!(one(&op(vec![sl(D, C(5), 1)]), &["f64[n]"]), inf("f64[5]"));
    assert_eq!(
        one(&op(vec![sl(C(1), C(4), 1)]), &["f64[n]"]),
        inf("f64[3]")
    );
    assert_eq!(
        one(&op(vec![SliceAxis::full(), sl(D, D, -1)]), &["f64[n, m]"]),
        inf("f64[n, m]")
    );
    // Op set 2: strided and clamped extents are exact, with floordiv and max0.
    assert_eq!(
        one(&op(vec![sl(D, D, 2)]), &["f64[n]"]),
        inf("f64[floordiv(n+1, 2)]")
    );
    assert_eq!(
        one(&op(vec![sl(C(1), D, 2), sl(D, D, -3)]), &["f64[m, n]"]),
        inf("f64[floordiv(m, 2), floordiv(n+2, 3)]")
    );
    assert_eq!(
        one(&op(vec![sl(C(-1), D, 1)]), &["f64[n]"]),
        inf("f64[max0(n-max0(n-1))]")
    );
    assert_eq!(
        one(&op(vec![sl(K(1), K(2), 1)]), &["f64[n]", "i64", "i32"]),
        inf("f64[?]")
    );
    // Constant dims: Python's arithmetic, bounds from operands still fresh.
    assert_eq!(
        one(
            &op(vec![sl(C(8), C(2), -2), sl(C(-3), D, 1)]),
            &["f64[10, 10]"]
        ),
        inf("f64[3, 3]")
    );
    assert_eq!(
        one(&op(vec![sl(K(1), D, 1)]), &["f64[10]", "i64"]),
        inf("f64[?]")
    );
    // Errors.
    assert_eq!(code(&op(vec![sl(D, D, 0)]), &["f64[n]"]), Code::BadSlice);
    assert_eq!(code(&op(vec![]), &["f64[n]"]), Code::BadSlice);
    assert_eq!(code(&op(vec![sl(K(0), D, 1)]), &["f64[n]"]), Code::BadSlice);
    assert_eq!(
        code(&op(vec![sl(K(1), D, 1)]), &["f64[n]", "i64[2]"]),
        Code::ExpectedScalar
    );
    assert_eq!(
        code(&op(vec![sl(K(1), D, 1)]), &["f64[n]", "f64"]),
        Code::DTypeNotAccepted
    );
    assert_eq!(
        code(&op(vec![sl(K(2), D, 1)]), &["f64[n]", "i64"]),
        Code::Arity
    );
    assert_eq!(
        code(&op(vec![sl(K(1), D, 1)]), &["f64[n]", "i64", "i64"]),
        Code::Arity
    );
    assert_eq!(code(&op(vec![]), &[]), Code::Arity);
}

#[test]
fn concat_take_extract_insert_filter() {
    let cc = |axis| Op::Concat { axis };
    assert_eq!(one(&cc(0), &["f64[n]", "f64[m]"]), inf("f64[n+m]"));
    assert_eq!(
        one(&cc(1), &["f64[k, n]", "f64[k, 2]", "f64[k, n]"]),
        inf("f64[k, 2*n+2]")
    );
    assert_eq!(one(&cc(0), &["f64[n]"]), inf("f64[n]"));
    assert_eq!(code(&cc(0), &["f64[n]", "f32[m]"]), Code::DTypeMismatch);
    assert_eq!(code(&cc(0), &["f64[n]", "f64[m, 1]"]), Code::ConcatMismatch);
    assert_eq!(
        code(&cc(0), &["f64[n, a]", "f64[m, b]"]),
        Code::ConcatMismatch
    );
    assert_eq!(code(&cc(1), &["f64[n]", "f64[m]"]), Code::BadAxis);
    assert_eq!(code(&cc(0), &[]), Code::Arity);
    let big = "f64[9223372036854775807]";
    assert_eq!(code(&cc(0), &[big, big]), Code::BadDim, "overflow");

    let tk = |axis| Op::Take { axis };
    assert_eq!(
        one(&tk(1), &["f64[n, m, p]", "i32[a, b]"]),
        inf("f64[n, a, b, p]")
    );
    assert_eq!(one(&tk(0), &["f64[n, m]", "u8"]), inf("f64[m]"));
    assert_eq!(code(&tk(0), &["f64[n]", "f64[k]"]), Code::DTypeNotAccepted);
    assert_eq!(code(&tk(1), &["f64[n]", "i64[k]"]), Code::BadAxis);
    assert_eq!(code(&tk(0), &["f64[n]"]), Code::Arity);

    assert_eq!(one(&Op::Extract, &["c64[n, m]", "i64", "i64"]), inf("c64"));
    assert_eq!(one(&Op::Extract, &["f64"]), inf("f64"));
    assert_eq!(
        code(&Op::Extract, &["f64[n, m]", "i64"]),
        Code::RankMismatch
    );
    assert_eq!(
        code(&Op::Extract, &["f64[n]", "i64[1]"]),
        Code::ExpectedScalar
    );
    assert_eq!(
        code(&Op::Extract, &["f64[n]", "i32"]),
        Code::DTypeNotAccepted
    );
    assert_eq!(code(&Op::Extract, &[]), Code::Arity);

    assert_eq!(
        one(&Op::Insert, &["f64[n, m]", "f64", "i64", "i64"]),
        inf("f64[n, m]")
    );
    assert_eq!(
        code(&Op::Insert, &["f64[n]", "f64[1]", "i64"]),
        Code::ExpectedScalar
    );
    assert_eq!(
        code(&Op::Insert, &["f64[n]", "f32", "i64"]),
        Code::DTypeMismatch
    );
    assert_eq!(code(&Op::Insert, &["f64[n]", "f64"]), Code::RankMismatch);
    assert_eq!(
        code(&Op::Insert, &["f64[n]", "f64", "u64"]),
        Code::DTypeNotAccepted
    );
    assert_eq!(code(&Op::Insert, &["f64[n]"]), Code::Arity);

    assert_eq!(one(&Op::Filter, &["i32[n]", "bool[n]"]), inf("i32[?]"));
    assert_eq!(
        code(&Op::Filter, &["i32[n, m]", "bool[n, m]"]),
        Code::RankMismatch
    );
    assert_eq!(code(&Op::Filter, &["i32[n]", "bool"]), Code::RankMismatch);
    assert_eq!(
        code(&Op::Filter, &["i32[n]", "i32[n]"]),
        Code::DTypeNotAccepted
    );
    assert_eq!(
        code(&Op::Filter, &["i32[n]", "bool[m]"]),
        Code::ShapeMismatch
    );
    assert_eq!(code(&Op::Filter, &["i32[n]"]), Code::Arity);
}
