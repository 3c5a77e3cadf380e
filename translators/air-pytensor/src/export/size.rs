//! The size of a function once its calls are inlined. `pytensor-fgraph-json/1` has no shared
//! function definitions, so every `call` (and every custom op's decomposition) is written out at
//! each call site: twenty functions that each call the next twice would write 2^20 copies of the
//! last one. The exporter measures the inlined size first, in time linear in the module, and
//! refuses a function past [`MAX_INLINED_NODES`] before writing anything.

use std::collections::{HashMap, HashSet};

use air_ir::reach::for_each_op;
use air_ir::{Function, Module};

/// The most nodes the exporter writes for one function, calls inlined: a fifth of what the
/// PyTensor reader accepts (`json::Limits::max_items`, which also counts variables).
pub const MAX_INLINED_NODES: u64 = 1_000_000;

/// The number of nodes `root` has once every call and decomposition it reaches is inlined,
/// nested regions included; `u64::MAX` when it overflows or the calls form a cycle (the checker
/// reports cycles). Each function is measured once, with an explicit stack.
pub fn inlined_nodes(m: &Module, root: &Function) -> u64 {
    let mut size: HashMap<&str, u64> = HashMap::new();
    let mut open: HashSet<&str> = HashSet::new();
    let mut stack: Vec<(&Function, bool)> = vec![(root, false)];
    while let Some((f, callees_done)) = stack.pop() {
        if size.contains_key(f.name.as_str()) {
            continue;
        }
        let mut own = 0u64;
        let mut callees = vec![];
        for_each_op(&f.body, &mut |op| {
            own += 1;
            callees.extend(op.callee());
        });
        if callees_done {
            let total = callees.iter().fold(own, |acc, c| {
                acc.saturating_add(size.get(c).copied().unwrap_or(0))
            });
            open.remove(f.name.as_str());
            size.insert(&f.name, total);
            continue;
        }
        if !open.insert(&f.name) {
            return u64::MAX;
        }
        stack.push((f, true));
        for c in callees {
            if let Some(g) = m.function(c) {
                if open.contains(c) {
                    return u64::MAX;
                }
                stack.push((g, false));
            }
        }
    }
    size.get(root.name.as_str()).copied().unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `depth` functions `@f0..`, each calling the next `fanout` times, over a one-node leaf.
    fn tower(depth: usize, fanout: usize) -> Module {
        let mut text = String::from("air 1 opset 1\n");
        text +=
            "func @leaf(%x: f64[n]) -> (%r: f64[n]) {\n  %y = neg(%x) : f64[n]\n  return %y\n}\n";
        for d in (0..depth).rev() {
            let next = if d + 1 == depth {
                "leaf".to_string()
            } else {
                format!("f{}", d + 1)
            };
            text += &format!("func @f{d}(%x: f64[n]) -> (%r: f64[n]) {{\n");
            let mut v = "%x".to_string();
            for k in 0..fanout {
                text += &format!("  %c{k} = call {{callee = @{next}}} ({v}) : f64[n]\n");
                v = format!("%c{k}");
            }
            text += &format!("  return {v}\n}}\n");
        }
        air_ir::text::parse(&text, "t.air").expect("parses")
    }

    #[test]
    fn counts_each_call_site_and_measures_each_function_once() {
        let m = tower(3, 2);
        // f2 = 2 calls + 2 leaves = 4; f1 = 2 + 2*4 = 10; f0 = 2 + 2*10 = 22.
        assert_eq!(inlined_nodes(&m, m.function("f0").unwrap()), 22);
        assert_eq!(inlined_nodes(&m, m.function("leaf").unwrap()), 1);
        // Sixty levels of doubling overflow nothing: the count saturates.
        let big = tower(70, 2);
        assert_eq!(inlined_nodes(&big, big.function("f0").unwrap()), u64::MAX);
    }

    #[test]
    fn a_cycle_measures_as_too_large() {
        let text = "air 1 opset 1
func @a(%x: f64[n]) -> (%r: f64[n]) {
  %y = call {callee = @b} (%x) : f64[n]
  return %y
}
func @b(%x: f64[n]) -> (%r: f64[n]) {
  %y = call {callee = @a} (%x) : f64[n]
  return %y
}
";
        let m = air_ir::text::parse(text, "t.air").expect("parses");
        assert_eq!(inlined_nodes(&m, m.function("a").unwrap()), u64::MAX);
    }
}
