//! The builder: NumPy broadcasting and promotion, fresh dims, unification, regions, calls.
#![allow(clippy::result_large_err)] // `Diagnostic` is the crate's error type

mod common;

use air_ir::builder::{broadcast_shapes, result_type, FunctionBuilder};
use air_ir::op::CustomOp;
use air_ir::{BinaryOp, Code, DType, Intent, Literal, Op, UnaryOp, Value};
use common::{d, ty};

/// `numpy.result_type(a, b, c)` for every three distinct dtypes, written `abcR` with NumPy's
/// type characters; generated with NumPy 2.4.
const NUMPY_TRIPLES: &str = "
?bBh ?bhh ?bHi ?bii ?bIq ?bqq ?bQd ?bee ?bff ?bdd ?bFF ?bDD ?Bhh ?BHH ?Bii ?BII ?Bqq ?BQQ
?Bee ?Bff ?Bdd ?BFF ?BDD ?hHi ?hii ?hIq ?hqq ?hQd ?hef ?hff ?hdd ?hFF ?hDD ?Hii ?HII ?Hqq
?HQQ ?Hef ?Hff ?Hdd ?HFF ?HDD ?iIq ?iqq ?iQd ?ied ?ifd ?idd ?iFD ?iDD ?Iqq ?IQQ ?Ied ?Ifd
?Idd ?IFD ?IDD ?qQd ?qed ?qfd ?qdd ?qFD ?qDD ?Qed ?Qfd ?Qdd ?QFD ?QDD ?eff ?edd ?eFF ?eDD
?fdd ?fFF ?fDD ?dFD ?dDD ?FDD bBhh bBHi bBii bBIq bBqq bBQd bBee bBff bBdd bBFF bBDD bhHi
bhii bhIq bhqq bhQd bhef bhff bhdd bhFF bhDD bHii bHIq bHqq bHQd bHef bHff bHdd bHFF bHDD
biIq biqq biQd bied bifd bidd biFD biDD bIqq bIQd bIed bIfd bIdd bIFD bIDD bqQd bqed bqfd
bqdd bqFD bqDD bQed bQfd bQdd bQFD bQDD beff bedd beFF beDD bfdd bfFF bfDD bdFD bdDD bFDD
BhHi Bhii BhIq Bhqq BhQd Bhef Bhff Bhdd BhFF BhDD BHii BHII BHqq BHQQ BHef BHff BHdd BHFF
BHDD BiIq Biqq BiQd Bied Bifd Bidd BiFD BiDD BIqq BIQQ BIed BIfd BIdd BIFD BIDD BqQd Bqed
Bqfd Bqdd BqFD BqDD BQed BQfd BQdd BQFD BQDD Beff Bedd BeFF BeDD Bfdd BfFF BfDD BdFD BdDD
BFDD hHii hHIq hHqq hHQd hHef hHff hHdd hHFF hHDD hiIq hiqq hiQd hied hifd hidd hiFD hiDD
hIqq hIQd hIed hIfd hIdd hIFD hIDD hqQd hqed hqfd hqdd hqFD hqDD hQed hQfd hQdd hQFD hQDD
heff hedd heFF heDD hfdd hfFF hfDD hdFD hdDD hFDD HiIq Hiqq HiQd Hied Hifd Hidd HiFD HiDD
HIqq HIQQ HIed HIfd HIdd HIFD HIDD HqQd Hqed Hqfd Hqdd HqFD HqDD HQed HQfd HQdd HQFD HQDD
Heff Hedd HeFF HeDD Hfdd HfFF HfDD HdFD HdDD HFDD iIqq iIQd iIed iIfd iIdd iIFD iIDD iqQd
iqed iqfd iqdd iqFD iqDD iQed iQfd iQdd iQFD iQDD iefd iedd ieFD ieDD ifdd ifFD ifDD idFD
idDD iFDD IqQd Iqed Iqfd Iqdd IqFD IqDD IQed IQfd IQdd IQFD IQDD Iefd Iedd IeFD IeDD Ifdd
IfFD IfDD IdFD IdDD IFDD qQed qQfd qQdd qQFD qQDD qefd qedd qeFD qeDD qfdd qfFD qfDD qdFD
qdDD qFDD Qefd Qedd QeFD QeDD Qfdd QfFD QfDD QdFD QdDD QFDD efdd efFF efDD edFD edDD eFDD
fdFD fdDD fFDD dFDD
";

fn dtype_of(c: char) -> DType {
    match c {
        '?' => DType::Bool,
        'b' => DType::I8,
        'B' => DType::U8,
        'h' => DType::I16,
        'H' => DType::U16,
        'i' => DType::I32,
        'I' => DType::U32,
        'q' => DType::I64,
        'Q' => DType::U64,
        'e' => DType::F16,
        'f' => DType::F32,
        'd' => DType::F64,
        'F' => DType::C64,
        'D' => DType::C128,
        other => panic!("unknown type char {other}"),
    }
}

#[test]
fn result_type_is_numpys() {
    let rows: Vec<&str> = NUMPY_TRIPLES.split_whitespace().collect();
    assert_eq!(rows.len(), 364);
    for row in rows {
        let t: Vec<DType> = row.chars().map(dtype_of).collect();
        for perm in [[0, 1, 2], [2, 1, 0], [1, 2, 0]] {
            let args = [t[perm[0]], t[perm[1]], t[perm[2]]];
            assert_eq!(result_type(&args), t[3], "{row}");
        }
    }
    // Spot checks of pairs (numpy.result_type).
    assert_eq!(result_type(&[DType::I8, DType::U8]), DType::I16);
    assert_eq!(result_type(&[DType::U64, DType::I64]), DType::F64);
    assert_eq!(result_type(&[DType::I32, DType::F32]), DType::F64);
    assert_eq!(result_type(&[DType::F16, DType::I16]), DType::F32);
    assert_eq!(result_type(&[DType::F64, DType::C64]), DType::C128);
    assert_eq!(result_type(&[DType::U8]), DType::U8);
    assert_eq!(result_type(&[]), DType::Bool);
}

#[test]
fn broadcast_shapes_follow_numpy() {
    let s = |dims: &[&str]| dims.iter().map(|x| d(x)).collect::<Vec<_>>();
    let ok = |shapes: &[&[&str]], want: &[&str]| {
        let owned: Vec<Vec<_>> = shapes.iter().map(|x| s(x)).collect();
        let views: Vec<&[_]> = owned.iter().map(Vec::as_slice).collect();
        assert_eq!(broadcast_shapes(&views).unwrap(), s(want), "{shapes:?}");
    };
    ok(&[&["n", "1"], &["m"]], &["n", "m"]);
    ok(&[&["3", "1"], &["1", "4"]], &["3", "4"]);
    ok(&[&[], &["n"]], &["n"]);
    ok(&[&["n"], &["1"], &["n"]], &["n"]);
    ok(&[&["2", "1", "n+1"], &["k", "1"]], &["2", "k", "n+1"]);
    for bad in [
        [&["n"][..], &["m"][..]],
        [&["n"][..], &["3"][..]],
        [&["2"][..], &["3"][..]],
    ] {
        let owned: Vec<Vec<_>> = bad.iter().map(|x| s(x)).collect();
        let views: Vec<&[_]> = owned.iter().map(Vec::as_slice).collect();
        assert_eq!(
            broadcast_shapes(&views).unwrap_err().code,
            Code::BadBroadcast,
            "{bad:?}"
        );
    }
}

/// The ops of the body, as names with their declared types.
fn ops(f: &air_ir::Function) -> Vec<String> {
    f.body
        .nodes
        .iter()
        .map(|n| {
            let types: Vec<String> = n.results.iter().map(ToString::to_string).collect();
            format!("{} {}", n.op.name(), types.join(" "))
        })
        .collect()
}

#[test]
fn numpy_binary_casts_then_broadcasts() {
    let mut fb = FunctionBuilder::new("f");
    let a = fb.param("a", ty("f64[n, 1]"), Intent::In);
    let b = fb.param("b", ty("f32[m]"), Intent::In);
    fb.named("s");
    let s = fb.numpy_binary(BinaryOp::Add, a, b).unwrap();
    let f = fb.finish(&[(None, s)]).unwrap();
    assert_eq!(
        ops(&f),
        [
            "broadcast f64[n, m]",
            "cast f64[m]",
            "broadcast f64[n, m]",
            "add f64[n, m]"
        ]
    );
    let n = &f.body.nodes;
    assert_eq!(
        n[0].op,
        Op::Broadcast {
            shape: vec![d("n"), d("m")],
            dims: vec![0, 1]
        }
    );
    assert_eq!(n[0].operands, vec![a]);
    assert_eq!(n[1].operands, vec![b]);
    assert_eq!(
        n[2].op,
        Op::Broadcast {
            shape: vec![d("n"), d("m")],
            dims: vec![1]
        }
    );
    assert_eq!(
        n[3].operands,
        vec![Value::of(air_ir::NodeId(0)), Value::of(air_ir::NodeId(2))]
    );
    assert_eq!(n[3].name.as_deref(), Some("s"));
    assert_eq!(f.results[0].ty, ty("f64[n, m]"));
}

#[test]
fn numpy_loops_pick_numpys_dtype() {
    // (op, a, b, the ops built): checked against NumPy 2.4's ufunc results.
    let cases: [(BinaryOp, &str, &str, &[&str]); 6] = [
        (
            BinaryOp::Div,
            "i32[n]",
            "i32[n]",
            &["cast f64[n]", "cast f64[n]", "div f64[n]"],
        ),
        (BinaryOp::Add, "bool[n]", "bool[n]", &["or bool[n]"]),
        (BinaryOp::Mul, "bool[n]", "bool[n]", &["and bool[n]"]),
        (
            BinaryOp::Add,
            "i8[n]",
            "u8[n]",
            &["cast i16[n]", "cast i16[n]", "add i16[n]"],
        ),
        (
            BinaryOp::FloorDiv,
            "bool",
            "bool",
            &["cast i8", "cast i8", "floor_div i8"],
        ),
        (
            BinaryOp::Lt,
            "i64",
            "f32",
            &["cast f64", "cast f64", "lt bool"],
        ),
    ];
    for (op, a, b, want) in cases {
        let mut fb = FunctionBuilder::new("f");
        let x = fb.param("a", ty(a), Intent::In);
        let y = fb.param("b", ty(b), Intent::In);
        let r = fb.numpy_binary(op, x, y).unwrap();
        let f = fb.finish(&[(None, r)]).unwrap();
        assert_eq!(ops(&f), want, "{} {a} {b}", op.name());
    }
    let unary: [(UnaryOp, &str, &[&str]); 5] = [
        (UnaryOp::Sin, "i16[n]", &["cast f32[n]", "sin f32[n]"]),
        (UnaryOp::Exp, "bool", &["cast f16", "exp f16"]),
        (UnaryOp::Floor, "i32[n]", &[]),
        (UnaryOp::IsNan, "u64[n]", &["cast f64[n]", "isnan bool[n]"]),
        (UnaryOp::Abs, "c64[n]", &["abs f32[n]"]),
    ];
    for (op, a, want) in unary {
        let mut fb = FunctionBuilder::new("f");
        let x = fb.param("a", ty(a), Intent::In);
        let r = fb.numpy_unary(op, x).unwrap();
        let f = fb.finish(&[(None, r)]).unwrap();
        assert_eq!(ops(&f), want, "{} {a}", op.name());
    }
    let mut fb = FunctionBuilder::new("f");
    let x = fb.param("a", ty("bool[n]"), Intent::In);
    assert_eq!(
        fb.numpy_binary(BinaryOp::Sub, x, x).unwrap_err().code,
        Code::DTypeNotAccepted
    );
    assert_eq!(
        fb.numpy_unary(UnaryOp::Neg, x).unwrap_err().code,
        Code::DTypeNotAccepted
    );
    let z = fb.param("z", ty("i32[n]"), Intent::In);
    assert_eq!(
        fb.numpy_unary(UnaryOp::Reciprocal, z).unwrap_err().code,
        Code::DTypeNotAccepted
    );
}

#[test]
fn unification_binds_unequal_symbols() {
    let build = |unify: bool| {
        let mut fb = FunctionBuilder::new("f").unify_dims(unify);
        let a = fb.param("a", ty("f64[n]"), Intent::In);
        let b = fb.param("b", ty("f64[m]"), Intent::In);
        let s = fb.numpy_binary(BinaryOp::Mul, a, b)?;
        let bindings = fb.bindings();
        let f = fb.finish(&[(None, s)]).map_err(|e| e.0[0].clone())?;
        Ok::<_, air_ir::Diagnostic>((f, bindings))
    };
    assert_eq!(build(false).unwrap_err().code, Code::BadBroadcast);
    let (f, bindings) = build(true).unwrap();
    assert_eq!(bindings.len(), 1, "{bindings:?}");
    let (sym, to) = &bindings[0];
    assert!(
        (sym == "n" && *to == d("m")) || (sym == "m" && *to == d("n")),
        "{bindings:?}"
    );
    // Every type of the function is rewritten with the binding: one symbol remains.
    assert_eq!(f.params[0].ty, f.params[1].ty);
    assert_eq!(f.results[0].ty, f.params[0].ty);
    assert_eq!(ops(&f), [format!("mul {}", f.params[0].ty)]);
    // A constant binds a symbol too; a symbol that cannot be bound consistently fails.
    let mut fb = FunctionBuilder::new("g").unify_dims(true);
    let a = fb.param("a", ty("f64[n, 3]"), Intent::In);
    let b = fb.param("b", ty("f64[n]"), Intent::In);
    let s = fb.numpy_binary(BinaryOp::Add, a, b).unwrap();
    let g = fb.finish(&[(None, s)]).unwrap();
    assert_eq!(g.params[1].ty, ty("f64[3]"));
    assert_eq!(g.params[0].ty, ty("f64[3, 3]"));
    let mut fb = FunctionBuilder::new("h").unify_dims(true);
    assert_eq!(
        fb.body().unify(&d("n"), &d("n+1")).unwrap_err().code,
        Code::ShapeMismatch
    );
}

#[test]
fn fresh_dims_get_new_symbols() {
    let mut fb = FunctionBuilder::new("f").unify_dims(true);
    let x = fb.param("x", ty("f64[n]"), Intent::In);
    let mask = fb.numpy_unary(UnaryOp::IsFinite, x).unwrap();
    let a = fb.op(Op::Filter, &[x, mask]).unwrap();
    let b = fb.op(Op::Filter, &[x, mask]).unwrap();
    assert_eq!(fb.value_type(a), Some(ty("f64[_k0]")));
    assert_eq!(fb.value_type(b), Some(ty("f64[_k1]")));
    // Run-time extents are never unified: NumPy would fail on unequal lengths at run time.
    assert_eq!(
        fb.numpy_binary(BinaryOp::Add, a, b).unwrap_err().code,
        Code::BadBroadcast
    );
    let f = fb.finish(&[(None, a), (Some("b".into()), b)]).unwrap();
    assert_eq!(f.results[1].name.as_deref(), Some("b"));
    // A custom op's declared new symbol is kept.
    let mut fb = FunctionBuilder::new("g");
    let x = fb.param("x", ty("f64[n]"), Intent::In);
    let unique = Op::Custom(CustomOp {
        domain: "np".into(),
        name: "unique".into(),
        attrs: vec![],
        decomposition: None,
    });
    let u = fb
        .body()
        .op_declared(unique, &[x], &[ty("f64[u]")])
        .unwrap();
    assert_eq!(fb.value_type(u[0]), Some(ty("f64[u]")));
    // Declared types of other ops must agree with inference, fresh dims included.
    let neg = Op::Unary(UnaryOp::Neg);
    let e = fb
        .body()
        .op_declared(neg, &[x], &[ty("f64[n+1]")])
        .unwrap_err();
    assert_eq!(e.code, Code::ResultTypeMismatch);
    let mask = fb.numpy_unary(UnaryOp::IsNan, x).unwrap();
    let e = fb
        .body()
        .op_declared(Op::Filter, &[x, mask], &[ty("f64[u]")])
        .unwrap_err();
    assert_eq!(e.code, Code::ResultTypeMismatch, "u is taken");
    let kept = fb
        .body()
        .op_declared(Op::Filter, &[x, mask], &[ty("f64[kept]")])
        .unwrap();
    assert_eq!(fb.value_type(kept[0]), Some(ty("f64[kept]")));
    assert!(fb.finish(&[(None, u[0]), (None, kept[0])]).is_ok());
}

#[test]
fn loops_calls_and_out_params() {
    // @sum(xs: f64[n], out o: f64) computes o = sum of xs with a for loop.
    let mut fb = FunctionBuilder::new("sum");
    let xs = fb.param("xs", ty("f64[n]"), Intent::In);
    let o = fb.param("o", ty("f64"), Intent::Out);
    let mut body = fb.region();
    let i = body.param("i", ty("i64"));
    let acc = body.param("acc", ty("f64"));
    let cap = body.param("xs", ty("f64[n]"));
    let xi = body.op(Op::Extract, &[cap, i]).unwrap();
    let next = body.op(Op::Binary(BinaryOp::Add), &[acc, xi]).unwrap();
    let body = body.finish(&[next]);
    let c = |fb: &mut FunctionBuilder, l| fb.op(Op::Constant(l), &[]).unwrap();
    let (lo, hi) = (c(&mut fb, Literal::i64(0)), c(&mut fb, Literal::i64(3)));
    let (step, zero) = (c(&mut fb, Literal::i64(1)), c(&mut fb, Literal::f64(0.0)));
    let r = fb
        .op_multi(Op::For { body }, &[lo, hi, step, zero, xs])
        .unwrap();
    assert_eq!(r.len(), 1);
    assert_eq!(
        fb.assign(xs, r[0]).unwrap_err().code,
        Code::ReturnMismatch,
        "xs is an in param"
    );
    fb.assign(o, r[0]).unwrap();
    let sum = fb.finish(&[]).unwrap();
    assert_eq!(sum.body.results, vec![r[0]]);

    // @caller(v: f64[m]) -> (f64) calls @sum.
    let mut fb = FunctionBuilder::new("caller");
    fb.add_callee(&sum);
    let v = fb.param("v", ty("f64[m]"), Intent::In);
    let got = fb
        .op_multi(
            Op::Call {
                callee: "sum".into(),
            },
            &[v],
        )
        .unwrap();
    assert_eq!(fb.value_type(got[0]), Some(ty("f64")));
    assert!(fb.finish(&[(None, got[0])]).is_ok());

    // An out param never assigned, or read, is reported by finish.
    let mut fb = FunctionBuilder::new("bad");
    let x = fb.param("x", ty("f64"), Intent::In);
    fb.param("o", ty("f64"), Intent::Out);
    assert_eq!(
        fb.finish(&[(None, x)]).unwrap_err().0[0].code,
        Code::ReturnMismatch
    );
    let mut fb = FunctionBuilder::new("bad");
    let x = fb.param("x", ty("f64"), Intent::In);
    let o = fb.param("o", ty("f64"), Intent::Out);
    let s = fb.op(Op::Binary(BinaryOp::Add), &[x, o]).unwrap();
    fb.assign(o, s).unwrap();
    assert_eq!(fb.finish(&[]).unwrap_err().0[0].code, Code::OutParamRead);
}

#[test]
fn names_are_unique_and_ops_are_checked() {
    let mut fb = FunctionBuilder::new("f");
    let x = fb.param("x", ty("f64[n]"), Intent::In);
    fb.named("y");
    fb.op(Op::Unary(UnaryOp::Neg), &[x]).unwrap();
    fb.named("y");
    assert_eq!(
        fb.op(Op::Unary(UnaryOp::Neg), &[x]).unwrap_err().code,
        Code::DuplicateName
    );
    fb.named("x");
    assert_eq!(
        fb.op(Op::Unary(UnaryOp::Neg), &[x]).unwrap_err().code,
        Code::DuplicateName
    );
    assert_eq!(fb.op(Op::Matmul, &[x]).unwrap_err().code, Code::Arity);
    assert_eq!(
        fb.op(Op::Unary(UnaryOp::Neg), &[Value::Param(7)])
            .unwrap_err()
            .code,
        Code::BadHandle
    );
    let two = fb.op(Op::Concat { axis: 0 }, &[x, x]).unwrap();
    assert_eq!(fb.value_type(two), Some(ty("f64[2*n]")));
}

#[test]
fn if_branches_with_run_time_lengths() {
    let mut fb = FunctionBuilder::new("f");
    let x = fb.param("x", ty("f64[n]"), Intent::In);
    let c = fb.param("c", ty("bool"), Intent::In);
    let branch = |fb: &FunctionBuilder, op: UnaryOp| {
        let mut r = fb.region();
        let xs = r.param("xs", ty("f64[n]"));
        let mask = r.op(Op::Unary(op), &[xs]).unwrap();
        let kept = r.op(Op::Filter, &[xs, mask]).unwrap();
        r.finish(&[kept])
    };
    let then_branch = branch(&fb, UnaryOp::IsNan);
    let else_branch = branch(&fb, UnaryOp::IsFinite);
    let op = Op::If {
        then_branch,
        else_branch,
    };
    let r = fb.op(op, &[c, x]).unwrap();
    // Each branch has its own run-time length; the `if` result gets a third one.
    assert_eq!(fb.value_type(r), Some(ty("f64[_k2]")));
    let f = fb.finish(&[(None, r)]).unwrap();
    let info = air_ir::validate::validate(&air_ir::Module {
        functions: vec![f],
        ..Default::default()
    })
    .unwrap();
    let body = &info.functions[0].body;
    let id = air_ir::NodeId;
    let symbol = |r: &air_ir::validate::RegionInfo, k: u32| r.fresh[&id(k)][0].symbol.clone();
    assert_eq!(symbol(body, 0), "_k2");
    assert_eq!(symbol(body.nested(id(0), 0).unwrap(), 1), "_k0");
    assert_eq!(symbol(body.nested(id(0), 1).unwrap(), 1), "_k1");
    assert_eq!(info.functions[0].symbols.len(), 4);
}
