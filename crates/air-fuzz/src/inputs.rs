//! Small inputs for running a fuzzed module: every dimension symbol of the entry function's
//! parameters bound to a small value picked from the input bytes, every array zeros.

use std::collections::HashMap;

use air_ir::op::Op;
use air_ir::reach::{for_each_op, reachable};
use air_ir::{Intent, Module};
use air_value::Tensor;

/// The most elements of all inputs together.
const MAX_INPUT_ELEMENTS: i64 = 1 << 16;

/// A run of the entry function.
#[derive(Debug)]
pub struct Inputs {
    /// The function run.
    pub function: String,
    /// The value of each dimension symbol of its parameters.
    pub symbols: HashMap<String, i64>,
    /// The arrays, by parameter name (`out` parameters left out).
    pub tensors: Vec<(String, Tensor)>,
}

/// Zero arrays for the entry function's `in` and `inout` parameters, with each symbol bound to
/// a value in 0..=4 taken from `bytes`; `None` when the module has no entry function or a dim
/// of a parameter cannot be evaluated, is negative, or the inputs would be large.
pub fn zero_inputs(m: &Module, bytes: &[u8]) -> Option<Inputs> {
    let function = air_ir::entry_function(m).ok()?.to_string();
    let f = m.function(&function)?;
    let mut symbols = HashMap::new();
    let mut pick = bytes.iter().rev().copied().cycle().take(64);
    for p in &f.params {
        for d in &p.ty.shape {
            for s in d.symbols() {
                if !symbols.contains_key(s) {
                    let v = pick.next().map_or(2, |b| i64::from(b % 5));
                    symbols.insert(s.to_string(), v);
                }
            }
        }
    }
    let mut tensors = vec![];
    let mut total = 0i64;
    for p in f.params.iter().filter(|p| p.intent != Intent::Out) {
        let mut shape = vec![];
        let mut count = 1i64;
        for d in &p.ty.shape {
            let v = d.eval(&symbols).filter(|v| *v >= 0)?;
            count = count.checked_mul(v)?;
            shape.push(usize::try_from(v).ok()?);
        }
        total = total.checked_add(count)?;
        if total > MAX_INPUT_ELEMENTS {
            return None;
        }
        tensors.push((p.name.clone(), Tensor::zeros(p.ty.dtype, &shape)));
    }
    Some(Inputs {
        function,
        symbols,
        tensors,
    })
}

/// True when nothing `function` reaches loops: a fuzzed `for` or `while` may run for ever (or,
/// under the iteration limit, for very long), so modules with one are compiled and validated but
/// not run.
pub fn runnable(m: &Module, function: &str) -> bool {
    let mut loops = false;
    for f in reachable(m, &[function]) {
        for_each_op(&f.body, &mut |op| {
            loops |= matches!(op, Op::For { .. } | Op::While { .. })
        });
    }
    !loops
}
