//! A seeded smoke fuzzer for the srepr reader, for machines without `cargo fuzz`; its property
//! (`check.rs`) is also the one of `fuzz/fuzz_targets/read_srepr.rs`.
//!
//! Feeds random bytes, byte-level mutations (bit flips, byte changes, insertions, deletions,
//! truncations, duplicated chunks) and tree-level mutations (a head swapped for another SymPy
//! head, a subtree replaced by another, an argument dropped, duplicated or swapped, an integer or
//! a name changed, a subtree wrapped in a call) of srepr written by SymPy to the reader, and
//! checks the property of `check.rs`: nothing panics, what parses prints back, what imports
//! validates, and what exports imports back and settles.
//!
//! Exits non-zero on the first failure, after saving the input.
//!
//! `cargo run -p air-sympy --example fuzz_smoke_srepr -- [ITERATIONS] [SEED]`

use std::panic::{self, AssertUnwindSafe};
use std::process::ExitCode;

mod check;
#[path = "../../../../crates/air-fuzz/src/mutate.rs"]
mod mutate;

use air_sympy::syntax::{self, quote, Atom, NodeId, Tree};
use air_sympy::Limits;

use check::check;
use mutate::{mutate_bytes, Rng};

/// SymPy's own srepr: one system per line (written by SymPy 1.14), the translator's test system,
/// and the README's seed example.
const SEEDS: [&str; 3] = [
    include_str!("seeds.srepr"),
    include_str!("../../tests/data/system.srepr"),
    include_str!("../../../../docs/examples/sympy/matvec.srepr"),
];

/// Integers that probe the edges: zero, signs, extents, and beyond 64 bits.
const INTS: [&str; 9] = [
    "0",
    "1",
    "-1",
    "2",
    "-3",
    "1000000",
    "9223372036854775807",
    "-9223372036854775808",
    "123456789012345678901234567890",
];

/// Names that probe the edges: the seeds' own symbols, SymPy names, odd strings.
const NAMES: [&str; 12] = [
    "x", "y", "n", "m", "i", "j", "k", "A", "pi", "oo", "", "a b",
];

/// Prints `tree` as srepr with a few structural mutations at random nodes.
struct TreeMutator<'a> {
    tree: &'a Tree,
    rng: &'a mut Rng,
    /// The nodes still to mutate, each with its kind of mutation.
    targets: Vec<(NodeId, usize)>,
}

impl TreeMutator<'_> {
    fn emit(&mut self, id: NodeId, out: &mut String) {
        let mutation = self
            .targets
            .iter()
            .position(|(t, _)| *t == id)
            .map(|k| self.targets.swap_remove(k).1);
        let node = self.tree.node(id);
        let mut args = node.args.clone();
        let mut atom = node.atom.clone();
        match mutation {
            Some(0) => {
                let other = NodeId(self.rng.below(self.tree.nodes.len()) as u32);
                return self.emit(other, out);
            }
            Some(1) => {
                if let Atom::Call(_) = atom {
                    atom = Atom::Call(self.rng.pick(air_sympy::vocab::CALLS).0.to_string());
                }
            }
            Some(2) if !args.is_empty() => {
                args.remove(self.rng.below(args.len()));
            }
            Some(3) if !args.is_empty() => {
                let k = self.rng.below(args.len());
                args.insert(k, args[k]);
            }
            Some(4) if args.len() > 1 => {
                let (a, b) = (self.rng.below(args.len()), self.rng.below(args.len()));
                args.swap(a, b);
            }
            Some(5) => match atom {
                Atom::Int(_) => atom = Atom::Int(self.rng.pick(&INTS).to_string()),
                Atom::Str(_) => atom = Atom::Str(self.rng.pick(&NAMES).to_string()),
                Atom::Call(_) | Atom::Name(_) | Atom::Neg => {}
            },
            Some(_) => {
                let head = self.rng.pick(air_sympy::vocab::CALLS).0;
                out.push_str(head);
                out.push('(');
                self.emit_atom(&atom, &args, &node.kwargs, out);
                out.push(')');
                return;
            }
            None => {}
        }
        self.emit_atom(&atom, &args, &node.kwargs, out);
    }

    fn emit_atom(
        &mut self,
        atom: &Atom,
        args: &[NodeId],
        kwargs: &[(String, NodeId)],
        out: &mut String,
    ) {
        match atom {
            Atom::Call(head) => {
                out.push_str(head);
                out.push('(');
                for (k, a) in args.iter().enumerate() {
                    if k > 0 {
                        out.push_str(", ");
                    }
                    self.emit(*a, out);
                }
                for (k, (key, a)) in kwargs.iter().enumerate() {
                    if k > 0 || !args.is_empty() {
                        out.push_str(", ");
                    }
                    out.push_str(key);
                    out.push('=');
                    self.emit(*a, out);
                }
                out.push(')');
            }
            Atom::Name(s) | Atom::Int(s) => out.push_str(s),
            Atom::Str(s) => quote(s, out),
            Atom::Neg => {
                out.push('-');
                for a in args {
                    self.emit(*a, out);
                }
            }
        }
    }
}

fn mutate_tree(rng: &mut Rng, tree: &Tree) -> Vec<u8> {
    let targets = (0..1 + rng.below(3))
        .map(|_| (NodeId(rng.below(tree.nodes.len()) as u32), rng.below(7)))
        .collect();
    let mut m = TreeMutator { tree, rng, targets };
    let mut out = String::new();
    m.emit(tree.root, &mut out);
    out.into_bytes()
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let iterations: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(5000);
    let seed: u64 = args
        .get(2)
        .and_then(|a| a.parse().ok())
        .unwrap_or(0x5EED_A1A1);
    let mut rng = Rng(seed | 1);
    let seeds: Vec<&str> = SEEDS
        .iter()
        .flat_map(|s| s.lines())
        .filter(|l| !l.trim().is_empty())
        .collect();
    let mut trees = vec![];
    for s in &seeds {
        match syntax::parse(s, Limits::default()) {
            Ok(t) => trees.push(t),
            Err(e) => {
                eprintln!("FAIL: a seed written by SymPy does not parse: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let (mut parsed, mut imported, mut exported) = (0usize, 0usize, 0usize);
    for i in 0..iterations {
        let k = rng.below(seeds.len());
        let input = match i % 8 {
            0 => (0..rng.below(256)).map(|_| rng.next() as u8).collect(),
            1..=3 => mutate_bytes(&mut rng, seeds[k].as_bytes()),
            _ => mutate_tree(&mut rng, &trees[k]),
        };
        let problem = match panic::catch_unwind(AssertUnwindSafe(|| check(&input))) {
            Ok(Ok(r)) => {
                parsed += usize::from(r.parsed);
                imported += usize::from(r.imported);
                exported += usize::from(r.exported);
                continue;
            }
            Ok(Err(msg)) => msg,
            Err(_) => "panic".to_string(),
        };
        let path = std::env::temp_dir().join(format!("air-fuzz-smoke-srepr-{i}.srepr"));
        let saved = std::fs::write(&path, &input).is_ok();
        eprintln!("FAIL srepr iteration {i}: {problem}");
        if saved {
            eprintln!("input saved to {}", path.display());
        }
        return ExitCode::FAILURE;
    }
    println!(
        "fuzz_smoke srepr: {iterations} inputs (seed {seed}), no failure; parsed {parsed}, \
         imported {imported}, exported and re-imported {exported}"
    );
    ExitCode::SUCCESS
}
