//! A seeded smoke fuzzer for the three readers, for machines without `cargo fuzz`.
//!
//! Feeds random bytes and mutations of valid modules (bit flips, byte changes, insertions,
//! deletions, truncations, duplicated chunks) to `air_ir::serial::read` in every format, and checks
//! the property of the cargo-fuzz targets in `fuzz/`: no panic, and a module that reads is a fixed
//! point of write-then-read. Every module that reads is also printed as text: a valid one must read
//! back from its text as the same module (names are quoted or refused, spec 1.6), and any text
//! that reads back must print the same again. Exits non-zero on the first failure, after saving
//! the input.
//!
//! `cargo run -p air-ir --example fuzz_smoke -- [ITERATIONS] [SEED]`

use std::panic::{self, AssertUnwindSafe};
use std::process::ExitCode;

use air_ir::dim::parse_dim;
use air_ir::op::{AttrValue, BinaryOp, CustomOp, ReduceKind, UnaryOp};
use air_ir::serial::{read, write, Format};
use air_ir::text::{parse, print};
use air_ir::validate::validate;

#[path = "../../air-fuzz/src/mutate.rs"]
mod mutate;

use air_ir::{
    DType, Function, Intent, Literal, Module, Node, Op, Param, Region, RegionParam, ResultDecl,
    TensorType, Value,
};
use mutate::{mutate_bytes, Rng};

/// A small module with symbolic dims, attributes, a literal, a custom op and a nested region.
fn seed_module() -> Module {
    let n = TensorType::new(DType::F64, vec![parse_dim("n").expect("dim")]);
    let n1 = TensorType::new(DType::F64, vec![parse_dim("2*n*m+1").expect("dim")]);
    let params = vec![
        Param {
            name: "x".into(),
            ty: n.clone(),
            intent: Intent::In,
            size: None,
        },
        Param {
            name: "y".into(),
            ty: n1.clone(),
            intent: Intent::InOut,
            size: None,
        },
    ];
    let mut body = Region {
        params: params
            .iter()
            .map(|p| RegionParam {
                name: p.name.clone(),
                ty: p.ty.clone(),
            })
            .collect(),
        ..Region::default()
    };
    let c = body.push(Node::new(
        Op::Constant(Literal::f64(0.5)),
        vec![],
        vec![TensorType::scalar(DType::F64)],
    ));
    let mut inner = Region::default();
    let k = inner.push(Node::new(Op::Binary(BinaryOp::Add), vec![], vec![]));
    inner.results = vec![Value::of(k)];
    let s = body.push(Node::new(
        Op::Reduce {
            kind: ReduceKind::Sum,
            axes: vec![0],
            keepdims: false,
        },
        vec![Value::Param(0)],
        vec![TensorType::scalar(DType::F64)],
    ));
    body.push(Node::new(
        Op::For { body: inner },
        vec![Value::of(c)],
        vec![],
    ));
    body.push(Node::new(
        Op::Custom(CustomOp {
            domain: "lib".into(),
            name: "op".into(),
            attrs: vec![("alpha".into(), AttrValue::Floats(vec![1.5, f64::NAN]))],
            decomposition: Some("f".into()),
        }),
        vec![Value::of(s)],
        vec![n.clone()],
    ));
    body.results = vec![Value::of(s), Value::Param(1)];
    Module {
        producer: "fuzz_smoke".into(),
        metadata: vec![("k".into(), "v".into())],
        functions: vec![Function {
            name: "f".into(),
            params,
            results: vec![ResultDecl {
                name: Some("s".into()),
                ty: TensorType::scalar(DType::F64),
            }],
            body,
            loc: None,
        }],
        ..Module::default()
    }
}

/// `@"a b"(%"x\n": f64[n]) -> (%"7": f64[n]) { %"}" = neg (%"x\n") }`: names that are text syntax.
fn names_module() -> Module {
    let n = TensorType::new(DType::F64, vec![parse_dim("n").expect("dim")]);
    let mut body = Region {
        params: vec![RegionParam {
            name: "x\n".into(),
            ty: n.clone(),
        }],
        ..Region::default()
    };
    let mut neg = Node::new(
        Op::Unary(UnaryOp::Neg),
        vec![Value::Param(0)],
        vec![n.clone()],
    );
    neg.name = Some("} func @g".into());
    let y = body.push(neg);
    body.results = vec![Value::of(y)];
    Module {
        functions: vec![Function {
            name: "a b".into(),
            params: vec![Param {
                name: "x\n".into(),
                ty: n.clone(),
                intent: Intent::In,
                size: None,
            }],
            results: vec![ResultDecl {
                name: Some("7".into()),
                ty: n,
            }],
            body,
            loc: None,
        }],
        ..Module::default()
    }
}

const TEXT_SEED: &str = "air 1 opset 1\nproducer \"p\"\nmeta \"k\" = \"v\"\n\
func @f(%x: f64[n], inout %y: f64[2*n*m+1]) -> (%s: f64) {\n\
  %c = constant {value = f64 0.5} () : f64\n\
  %s = reduce_sum {axes = [0]} (%x) : f64\n\
  %t = custom {domain = \"lib\", name = \"op\", alpha = [1.5, nan]} (%s) : f64[n]\n\
  return %s, %y\n}\n";

/// The fuzz property; `Ok(true)` when the input read as a module, `Err` on a violation (a panic is
/// caught by the caller).
fn check(data: &[u8], format: Format) -> Result<bool, String> {
    let Ok(module) = read(data, format, "fuzz") else {
        return Ok(false);
    };
    let written = write(&module, format);
    let again = read(&written, format, "fuzz")
        .map_err(|e| format!("read once but not after writing: {e}"))?;
    if write(&again, format) != written {
        return Err("write(read(write(m))) differs from write(m)".into());
    }
    let printed = print(&module);
    match parse(&printed, "fuzz.air") {
        Ok(back) if validate(&module).is_ok() && names(&back) != names(&module) => Err(format!(
            "a valid module's names do not read back from its text:\n{printed}"
        )),
        Ok(back) if print(&back) != printed => Err(format!("print(parse(t)) differs:\n{printed}")),
        Ok(_) => Ok(true),
        Err(e) if validate(&module).is_ok() => Err(format!(
            "the text of a valid module does not read: {e}\n{printed}"
        )),
        Err(_) => Ok(true),
    }
}

/// Every name of a module, in order (module equality would also compare attribute values, which
/// the text form normalises: `nan` is not equal to itself, an empty list reads as ints).
fn names(m: &Module) -> Vec<Option<String>> {
    fn region(r: &Region, out: &mut Vec<Option<String>>) {
        out.extend(r.params.iter().map(|p| Some(p.name.clone())));
        for n in &r.nodes {
            out.push(n.name.clone());
            for inner in n.op.regions() {
                region(inner, out);
            }
        }
    }
    let mut out = vec![];
    for f in &m.functions {
        out.push(Some(f.name.clone()));
        out.extend(f.params.iter().map(|p| Some(p.name.clone())));
        out.extend(f.results.iter().map(|r| r.name.clone()));
        region(&f.body, &mut out);
    }
    out
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let iterations: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(5000);
    let seed: u64 = args
        .get(2)
        .and_then(|a| a.parse().ok())
        .unwrap_or(0x5EED_A1A1);
    let mut rng = Rng(seed | 1);
    let module = seed_module();
    let names = names_module();
    let seeds = [
        (Format::Text, TEXT_SEED.as_bytes().to_vec()),
        (Format::Protobuf, write(&module, Format::Protobuf)),
        (Format::Json, write(&module, Format::Json)),
        (Format::Text, print(&names).into_bytes()),
        (Format::Protobuf, write(&names, Format::Protobuf)),
        (Format::Json, write(&names, Format::Json)),
    ];
    let mut accepted = [0usize; 6];
    for i in 0..iterations {
        for (k, (format, seed_bytes)) in seeds.iter().enumerate() {
            let input = if i % 4 == 0 {
                (0..rng.below(256)).map(|_| rng.next() as u8).collect()
            } else {
                mutate_bytes(&mut rng, seed_bytes)
            };
            let outcome = panic::catch_unwind(AssertUnwindSafe(|| check(&input, *format)));
            let problem = match outcome {
                Ok(Ok(read_ok)) => {
                    accepted[k] += usize::from(read_ok);
                    continue;
                }
                Ok(Err(msg)) => msg,
                Err(_) => "panic".to_string(),
            };
            let path = std::env::temp_dir().join(format!("air-fuzz-smoke-{format}-{i}.bin"));
            let saved = std::fs::write(&path, &input).is_ok();
            eprintln!("FAIL {format} iteration {i}: {problem}");
            if saved {
                eprintln!("input saved to {}", path.display());
            }
            return ExitCode::FAILURE;
        }
    }
    println!(
        "fuzz_smoke: {iterations} inputs per format (seed {seed}), no failure; read as modules: \
         text {}, protobuf {}, json {}; from the hostile-names seed: text {}, protobuf {}, json {}",
        accepted[0], accepted[1], accepted[2], accepted[3], accepted[4], accepted[5]
    );
    ExitCode::SUCCESS
}
