//! Huge fused groups are split: no group of the plan has more than `MAX_GROUP_NODES` nodes, so
//! no loop body (one basic block) grows with the chain, and LLVM's scheduler, quadratic in a
//! block, stays linear in the chain. A 20,000-node chain is planned into groups of at most that
//! size, compiles, and computes what the interpreter does.

mod common;

use std::collections::HashMap;

use air_llvm::plan::{plan_region, Role, MAX_GROUP_NODES};
use common::*;

/// `%v{i} = op(%v{i-1}, %x)`, `n` nodes cycling through add, mul, sub, div: one elementwise chain.
fn chain(n: usize) -> String {
    let ops = ["add", "mul", "sub", "div"];
    let mut s = String::from("air 1 opset 1\nfunc @f(%x: f64[n]) -> (%y: f64[n]) {\n");
    s += "  %v0 = neg (%x) : f64[n]\n";
    for i in 1..n {
        s += &format!("  %v{i} = {} (%v{}, %x) : f64[n]\n", ops[i % 4], i - 1);
    }
    s + &format!("  return %v{}\n}}\n", n - 1)
}

/// Group root → its nodes (the root included).
fn group_sizes(roles: &[Role]) -> HashMap<usize, usize> {
    let mut sizes = HashMap::new();
    for (i, r) in roles.iter().enumerate() {
        let root = match r {
            Role::Fused(g) => g.index(),
            Role::Group | Role::Reduce => i,
            Role::Dead | Role::Single => continue,
        };
        *sizes.entry(root).or_insert(0) += 1;
    }
    sizes
}

#[test]
fn a_long_chain_is_split_into_bounded_groups() {
    let n = 20_000;
    let m = parse(&chain(n));
    let plan = plan_region(&m.functions[0].body);
    let sizes = group_sizes(&plan.roles);
    let largest = sizes.values().copied().max().unwrap_or(0);
    assert!(largest <= MAX_GROUP_NODES, "a group of {largest} nodes");
    // Split only where needed: every node is in a group, and the groups are full but the last.
    assert_eq!(sizes.values().sum::<usize>(), n);
    assert_eq!(sizes.len(), n.div_ceil(MAX_GROUP_NODES));
}

#[test]
fn a_short_chain_stays_one_group() {
    let m = parse(&chain(MAX_GROUP_NODES));
    let plan = plan_region(&m.functions[0].body);
    assert_eq!(group_sizes(&plan.roles).len(), 1);
}

#[test]
fn a_split_chain_compiles_and_agrees_with_the_interpreter() {
    let x = f64s(&[5], (0..5).map(|i| 1.0 + f64::from(i) / 8.0).collect());
    agree(&chain(20_000), &[("x", x)], 1e-12);
}
