//! Every runtime op against the interpreter (the oracle), on inputs in C, Fortran, reversed,
//! permuted-padded and broadcast (zero-stride) layouts, for every dtype the op accepts.

#![allow(unsafe_code)] // the tests call the C ABI

mod common;

use air_ir::op::{ArgKind, Bound, ScanKind, SliceAxis};
use air_ir::{DType, Op};
use air_value::Tensor;
use common::*;

const NUMERIC: [DType; 10] = [
    DType::I8,
    DType::I16,
    DType::I32,
    DType::I64,
    DType::U8,
    DType::U16,
    DType::U32,
    DType::U64,
    DType::F32,
    DType::F64,
];

/// A tolerance: floats from sums compare within it (f32 accumulates in f32 here, in f64 in the
/// interpreter), everything else bit for bit.
fn tol(d: DType, summed: bool) -> f64 {
    match (d, summed) {
        (DType::F32, true) => 1e-4,
        (DType::F64, true) => 1e-11,
        _ => 0.0,
    }
}

/// One case: the runtime op and the AIR op on the same inputs.
struct Case<'a> {
    rt: RtOp,
    op: Op,
    attrs: &'a [i64],
    out_dtype: DType,
    out_rank: usize,
    rtol: f64,
    /// Run the interpreter without the validator (fresh dims declared as constants).
    unchecked: bool,
}

impl Case<'_> {
    /// Runs the case with each input in each layout (the others C-ordered) and compares.
    fn check_layouts(&self, args: &[Tensor], what: &str) {
        let c_layouts = vec![Layout::C; args.len()];
        self.check(args, &c_layouts, what);
        for i in 0..args.len() {
            for layout in layouts(args[i].shape()) {
                let mut ls = c_layouts.clone();
                ls[i] = layout;
                let mut xs = args.to_vec();
                if let Layout::Broadcast(axis) = layout {
                    xs[i] = repeat_along(&xs[i], axis);
                }
                self.check(&xs, &ls, &format!("{what}, input {i} {layout:?}"));
            }
        }
    }

    fn check(&self, args: &[Tensor], ls: &[Layout], what: &str) {
        let got = run_rt(self.rt, args, ls, self.attrs, self.out_dtype, self.out_rank);
        match got {
            Ok(got) => {
                let ty = fixed(self.out_dtype, got.shape());
                let want = if self.unchecked {
                    interp_unchecked(self.op.clone(), args, ty)
                } else {
                    interp(self.op.clone(), args, ty)
                };
                let want = want.unwrap_or_else(|e| panic!("{what}: interpreter: {e}"));
                assert_same(&got, &want, self.rtol, what);
            }
            Err((code, msg)) => {
                let ty = fixed(self.out_dtype, &vec![0; self.out_rank]);
                match interp_unchecked(self.op.clone(), args, ty) {
                    Err(e) => assert_eq!(code, i32::from(e.code.number()), "{what}: {msg} vs {e}"),
                    Ok(t) => {
                        panic!("{what}: runtime failed ({code}: {msg}), interpreter gave {t:?}")
                    }
                }
            }
        }
    }
}

#[test]
fn matmul_matches_the_interpreter() {
    let shapes: &[(&[usize], &[usize])] = &[
        (&[3, 4], &[4, 5]),
        (&[4], &[4, 5]),
        (&[3, 4], &[4]),
        (&[4], &[4]),
        (&[2, 1, 3, 4], &[5, 4, 2]),
        (&[2, 3, 0], &[0, 2]),
        (&[1, 3], &[3, 1]),
    ];
    let mut rng = Rng(1);
    for dtype in NUMERIC {
        for &(sa, sb) in shapes {
            let a = random(&mut rng, dtype, sa, false);
            let b = random(&mut rng, dtype, sb, false);
            let rank = match (sa.len(), sb.len()) {
                (1, 1) => 0,
                (1, r) | (r, 1) => r - 1,
                (x, y) => x.max(y),
            };
            let case = Case {
                rt: air_rt::air_rt_matmul,
                op: Op::Matmul,
                attrs: &[1],
                out_dtype: dtype,
                out_rank: rank,
                rtol: tol(dtype, true),
                unchecked: false,
            };
            case.check_layouts(&[a, b], &format!("matmul {dtype} {sa:?} @ {sb:?}"));
        }
    }
}

fn einsum_attrs(spec: &str, threads: i64) -> Vec<i64> {
    let (lhs, out) = spec.split_once("->").expect("->");
    let terms: Vec<&str> = lhs.split(',').collect();
    let mut attrs = vec![threads, terms.len() as i64];
    for t in terms.iter().chain([&out]) {
        attrs.push(t.len() as i64);
        attrs.extend(t.bytes().map(i64::from));
    }
    attrs
}

#[test]
fn einsum_matches_the_interpreter() {
    let cases: &[(&str, &[&[usize]])] = &[
        ("ij,jk->ik", &[&[3, 4], &[4, 5]]),
        ("ij,kj->ik", &[&[3, 4], &[5, 4]]),
        ("ji,jk->ki", &[&[4, 3], &[4, 5]]),
        ("bij,bjk->bik", &[&[2, 3, 4], &[2, 4, 5]]),
        ("bij,bjk->kib", &[&[2, 3, 4], &[2, 4, 5]]),
        ("ij,jk->ki", &[&[3, 4], &[4, 5]]),
        ("ij,j->i", &[&[3, 4], &[4]]),
        ("i,i->", &[&[6], &[6]]),
        ("i,j->ij", &[&[3], &[4]]),
        ("ij,ij->ij", &[&[3, 4], &[3, 4]]),
        ("ij,ij->", &[&[3, 4], &[3, 4]]),
        ("iij,jk->ik", &[&[3, 3, 4], &[4, 2]]),
        ("ijx,jk->ik", &[&[3, 4, 2], &[4, 5]]),
        ("ij,jky->kiy", &[&[3, 4], &[4, 5, 2]]),
        ("ii->i", &[&[4, 4]]),
        ("ii->", &[&[4, 4]]),
        ("ij->ji", &[&[3, 4]]),
        ("ijk->kj", &[&[2, 3, 4]]),
        ("ij,jk,kl->il", &[&[2, 3], &[3, 4], &[4, 2]]),
        ("ij,jk->ik", &[&[3, 0], &[0, 5]]),
        ("ab,bc->ac", &[&[0, 2], &[2, 3]]),
    ];
    let mut rng = Rng(2);
    for dtype in [DType::F64, DType::F32, DType::I32, DType::U8] {
        for &(spec, shapes) in cases {
            let args: Vec<Tensor> = shapes
                .iter()
                .map(|s| random(&mut rng, dtype, s, false))
                .collect();
            let attrs = einsum_attrs(spec, 2);
            let rank = spec.split_once("->").map_or(0, |(_, o)| o.len());
            let case = Case {
                rt: air_rt::air_rt_einsum,
                op: Op::Einsum { spec: spec.into() },
                attrs: &attrs,
                out_dtype: dtype,
                out_rank: rank,
                rtol: tol(dtype, true),
                unchecked: false,
            };
            case.check_layouts(&args, &format!("einsum {spec} {dtype}"));
        }
    }
}

/// Runs `f(dtype, shape, axis)` over every dtype of `dtypes`, a few shapes and every axis.
fn per_axis(dtypes: &[DType], mut f: impl FnMut(DType, &[usize], usize)) {
    let shapes: &[&[usize]] = &[&[7], &[3, 5], &[2, 3, 4], &[2, 0, 3]];
    for &dtype in dtypes {
        for shape in shapes {
            for axis in 0..shape.len() {
                f(dtype, shape, axis);
            }
        }
    }
}

#[test]
fn sort_matches_the_interpreter() {
    let mut rng = Rng(3);
    per_axis(&DTYPES, |dtype, shape, axis| {
        let x = random(&mut rng, dtype, shape, true);
        for descending in [false, true] {
            let attrs = [axis as i64, i64::from(descending)];
            let case = Case {
                rt: air_rt::air_rt_sort,
                op: Op::Sort {
                    axis: axis as u32,
                    descending,
                },
                attrs: &attrs,
                out_dtype: dtype,
                out_rank: shape.len(),
                rtol: 0.0,
                unchecked: false,
            };
            case.check_layouts(
                std::slice::from_ref(&x),
                &format!("sort {dtype} {shape:?} axis {axis} desc {descending}"),
            );
        }
    });
}

#[test]
fn scans_match_the_interpreter() {
    let mut rng = Rng(4);
    per_axis(&NUMERIC, |dtype, shape, axis| {
        let x = random(&mut rng, dtype, shape, true);
        for (kind, rt) in [
            (ScanKind::Cumsum, air_rt::air_rt_cumsum as RtOp),
            (ScanKind::Cumprod, air_rt::air_rt_cumprod as RtOp),
        ] {
            let attrs = [axis as i64];
            let case = Case {
                rt,
                op: Op::Scan {
                    kind,
                    axis: axis as u32,
                },
                attrs: &attrs,
                out_dtype: dtype,
                out_rank: shape.len(),
                rtol: tol(dtype, true),
                unchecked: false,
            };
            case.check_layouts(
                std::slice::from_ref(&x),
                &format!("{kind:?} {dtype} {shape:?} axis {axis}"),
            );
        }
    });
}

#[test]
fn arg_reductions_match_the_interpreter() {
    let mut rng = Rng(5);
    per_axis(&DTYPES, |dtype, shape, axis| {
        let x = random(&mut rng, dtype, shape, true);
        for (kind, rt) in [
            (ArgKind::Argmax, air_rt::air_rt_argmax as RtOp),
            (ArgKind::Argmin, air_rt::air_rt_argmin as RtOp),
        ] {
            for keepdims in [false, true] {
                let attrs = [axis as i64, i64::from(keepdims)];
                let case = Case {
                    rt,
                    op: Op::ArgReduce {
                        kind,
                        axis: axis as u32,
                        keepdims,
                    },
                    attrs: &attrs,
                    out_dtype: DType::I64,
                    out_rank: shape.len() - usize::from(!keepdims),
                    rtol: 0.0,
                    unchecked: false,
                };
                let what = format!("{kind:?} {dtype} {shape:?} axis {axis} keepdims {keepdims}");
                case.check_layouts(std::slice::from_ref(&x), &what);
            }
        }
    });
}

#[test]
fn filter_matches_the_interpreter() {
    let mut rng = Rng(6);
    for dtype in DTYPES {
        for n in [0usize, 1, 9] {
            let x = random(&mut rng, dtype, &[n], true);
            let m = random(&mut rng, DType::Bool, &[n], false);
            let case = Case {
                rt: air_rt::air_rt_filter,
                op: Op::Filter,
                attrs: &[],
                out_dtype: dtype,
                out_rank: 1,
                rtol: 0.0,
                unchecked: true,
            };
            case.check_layouts(&[x, m], &format!("filter {dtype} [{n}]"));
        }
    }
}

#[test]
fn concat_matches_the_interpreter() {
    let mut rng = Rng(7);
    for dtype in DTYPES {
        for axis in 0..3usize {
            let shapes: Vec<Vec<usize>> = [2usize, 0, 3]
                .iter()
                .map(|&n| {
                    let mut s = vec![2, 3, 2];
                    s[axis] = n;
                    s
                })
                .collect();
            let xs: Vec<Tensor> = shapes
                .iter()
                .map(|s| random(&mut rng, dtype, s, true))
                .collect();
            let attrs = [axis as i64];
            let case = Case {
                rt: air_rt::air_rt_concat,
                op: Op::Concat { axis: axis as u32 },
                attrs: &attrs,
                out_dtype: dtype,
                out_rank: 3,
                rtol: 0.0,
                unchecked: false,
            };
            case.check_layouts(&xs, &format!("concat {dtype} axis {axis}"));
        }
    }
}

#[test]
fn take_matches_the_interpreter() {
    let mut rng = Rng(8);
    let idx_shapes: &[&[usize]] = &[&[], &[4], &[2, 3]];
    for dtype in DTYPES {
        for axis in 0..2usize {
            let x = random(&mut rng, dtype, &[3, 4], true);
            let n = x.shape()[axis] as i64;
            for (k, ishape) in idx_shapes.iter().enumerate() {
                let idx_dtype = [DType::I64, DType::I8, DType::U16][k];
                let count: usize = ishape.iter().product();
                let vals: Vec<i64> = (0..count)
                    .map(|_| rng.int(if idx_dtype == DType::U16 { 0 } else { -n }, n))
                    .collect();
                let bytes: Vec<u8> = vals
                    .iter()
                    .flat_map(|v| v.to_le_bytes()[..idx_dtype.size_bytes()].to_vec())
                    .collect();
                let idx = Tensor::from_le_bytes(idx_dtype, ishape, &bytes).expect("idx");
                let attrs = [axis as i64];
                let case = Case {
                    rt: air_rt::air_rt_take,
                    op: Op::Take { axis: axis as u32 },
                    attrs: &attrs,
                    out_dtype: dtype,
                    out_rank: 1 + ishape.len(),
                    rtol: 0.0,
                    unchecked: false,
                };
                case.check_layouts(
                    &[x.clone(), idx],
                    &format!("take {dtype} axis {axis} idx {ishape:?}"),
                );
            }
        }
    }
}

/// A slice bound as the IR and the runtime attributes see it.
fn bound(b: &Bound) -> [i64; 2] {
    match b {
        Bound::Default => [0, 0],
        Bound::Const(c) => [1, *c],
        Bound::Operand(k) => [2, i64::from(*k)],
    }
}

#[test]
fn slice_matches_the_interpreter() {
    let ax = |start: Bound, stop: Bound, step: i64| SliceAxis { start, stop, step };
    use Bound::{Const as C, Default as D, Operand as K};
    let specs: Vec<Vec<SliceAxis>> = vec![
        vec![ax(D, D, 1), ax(D, D, 1)],
        vec![ax(C(1), D, 1), ax(D, D, 2)],
        vec![ax(D, D, -1), ax(C(-2), C(0), -1)],
        vec![ax(C(-10), C(10), 3), ax(C(5), C(1), 1)],
        vec![ax(K(1), K(2), 1), ax(D, K(1), -2)],
    ];
    let mut rng = Rng(9);
    for dtype in DTYPES {
        let x = random(&mut rng, dtype, &[4, 5], true);
        for axes in &specs {
            let mut attrs = vec![2i64];
            for a in axes {
                attrs.extend(bound(&a.start));
                attrs.extend(bound(&a.stop));
                attrs.push(a.step);
            }
            let uses_operands = axes
                .iter()
                .any(|a| matches!(a.start, K(_)) || matches!(a.stop, K(_)));
            let mut args = vec![x.clone()];
            if uses_operands {
                args.push(Tensor::scalar(1i64));
                args.push(Tensor::scalar(-1i32));
            }
            let case = Case {
                rt: air_rt::air_rt_slice,
                op: Op::Slice { axes: axes.clone() },
                attrs: &attrs,
                out_dtype: dtype,
                out_rank: 2,
                rtol: 0.0,
                unchecked: true,
            };
            case.check_layouts(&args, &format!("slice {dtype} {axes:?}"));
        }
    }
}
