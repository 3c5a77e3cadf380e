//! Contractions: `einsum` (with its spec parser, shared with the interpreter) and `matmul`.

use std::collections::BTreeMap;

use crate::diag::{Code, Diagnostic};
use crate::dim::Dim;
use crate::types::TensorType;

use super::{accept, arity, err, same_dtype, Class};

/// A parsed explicit einsum spec: `"ij,jk->ik"` has inputs `[[i, j], [j, k]]` and output `[i, k]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EinsumSpec {
    /// The letters of each operand's term, in order (a letter may repeat: its diagonal).
    pub inputs: Vec<Vec<char>>,
    /// The output letters, distinct, each present in some input.
    pub output: Vec<char>,
}

impl EinsumSpec {
    /// Every letter of the inputs, each once, in order of first appearance.
    pub fn letters(&self) -> Vec<char> {
        let mut out: Vec<char> = vec![];
        for &c in self.inputs.iter().flatten() {
            if !out.contains(&c) {
                out.push(c);
            }
        }
        out
    }

    /// The letters summed over (absent from the output), in order of first appearance.
    pub fn summed(&self) -> Vec<char> {
        self.letters()
            .into_iter()
            .filter(|c| !self.output.contains(c))
            .collect()
    }
}

fn bad(msg: impl Into<String>) -> Diagnostic {
    err(Code::BadEinsum, msg)
}

/// Parses an explicit einsum spec (`"ij,j->i"`): letters `a-zA-Z`, one comma-separated term per
/// operand, `->` and the output term. Spaces are ignored. No ellipsis, no implicit form (E0212).
pub fn parse_einsum(spec: &str) -> Result<EinsumSpec, Diagnostic> {
    let compact: String = spec.chars().filter(|c| *c != ' ').collect();
    if compact.contains('.') {
        return Err(bad(format!("ellipsis is not supported in \"{spec}\"")));
    }
    let Some((lhs, rhs)) = compact.split_once("->") else {
        return Err(bad(format!(
            "\"{spec}\" has no \"->\" (only the explicit form is accepted)"
        )));
    };
    let term = |t: &str| -> Result<Vec<char>, Diagnostic> {
        match t.chars().find(|c| !c.is_ascii_alphabetic()) {
            Some(c) => Err(bad(format!("unexpected {c:?} in \"{spec}\""))),
            None => Ok(t.chars().collect()),
        }
    };
    let inputs = lhs.split(',').map(term).collect::<Result<Vec<_>, _>>()?;
    let output = term(rhs)?;
    for (i, &c) in output.iter().enumerate() {
        if output[..i].contains(&c) {
            return Err(bad(format!("output letter '{c}' repeated in \"{spec}\"")));
        }
        if !inputs.iter().flatten().any(|&x| x == c) {
            return Err(bad(format!(
                "output letter '{c}' is in no input of \"{spec}\""
            )));
        }
    }
    Ok(EinsumSpec { inputs, output })
}

pub(super) fn einsum(spec: &str, operands: &[TensorType]) -> Result<TensorType, Diagnostic> {
    if operands.is_empty() {
        return Err(err(Code::Arity, "expected at least 1 operand, got 0"));
    }
    let parsed = parse_einsum(spec)?;
    if parsed.inputs.len() != operands.len() {
        return Err(bad(format!(
            "\"{spec}\" has {} terms for {} operands",
            parsed.inputs.len(),
            operands.len()
        )));
    }
    let dtype = same_dtype(operands)?;
    accept(Class::Numeric, dtype)?;
    let mut dims: BTreeMap<char, (&Dim, usize)> = BTreeMap::new();
    for (k, (term, t)) in parsed.inputs.iter().zip(operands).enumerate() {
        if term.len() != t.rank() {
            return Err(bad(format!(
                "term {k} \"{}\" has {} letters for an operand of rank {}",
                term.iter().collect::<String>(),
                term.len(),
                t.rank()
            )));
        }
        for (&c, d) in term.iter().zip(&t.shape) {
            match dims.get(&c) {
                None => {
                    dims.insert(c, (d, k));
                }
                Some((prev, j)) if *prev != d => {
                    return Err(err(
                        Code::ContractionMismatch,
                        format!(
                            "letter '{c}' has dim {prev} in operand {j} and {d} in operand {k}"
                        ),
                    ));
                }
                Some(_) => {}
            }
        }
    }
    let shape = parsed
        .output
        .iter()
        .map(|c| {
            dims.get(c)
                .map(|(d, _)| (*d).clone())
                .unwrap_or_else(|| Dim::constant(1))
        })
        .collect();
    Ok(TensorType::new(dtype, shape))
}

pub(super) fn matmul(operands: &[TensorType]) -> Result<TensorType, Diagnostic> {
    arity(operands, 2)?;
    let dtype = same_dtype(operands)?;
    accept(Class::Numeric, dtype)?;
    let (a, b) = (&operands[0], &operands[1]);
    let rank0 = || {
        err(
            Code::RankMismatch,
            format!("matmul operands must have rank >= 1, got {a} and {b}"),
        )
    };
    // NumPy: a rank-1 `a` is a row `[1, k]`, a rank-1 `b` a column `[k, 1]`.
    let (a_batch, a_rows, ka) = match a.shape.as_slice() {
        [k] => (&[][..], None, k),
        [batch @ .., n, k] => (batch, Some(n), k),
        [] => return Err(rank0()),
    };
    let (b_batch, kb, b_cols) = match b.shape.as_slice() {
        [k] => (&[][..], k, None),
        [batch @ .., k, m] => (batch, k, Some(m)),
        [] => return Err(rank0()),
    };
    if ka != kb {
        return Err(err(
            Code::ContractionMismatch,
            format!("inner dims differ ({ka} vs {kb})"),
        ));
    }
    let mut shape = broadcast_batch(a_batch, b_batch)?;
    shape.extend(a_rows.cloned());
    shape.extend(b_cols.cloned());
    Ok(TensorType::new(dtype, shape))
}

/// NumPy broadcasting of two batch shapes, where only equal dims or a constant 1 broadcast.
fn broadcast_batch(a: &[Dim], b: &[Dim]) -> Result<Vec<Dim>, Diagnostic> {
    let rank = a.len().max(b.len());
    let one = Dim::constant(1);
    let at = |s: &[Dim], i: usize| -> Dim {
        (i + s.len())
            .checked_sub(rank)
            .map_or_else(|| one.clone(), |j| s[j].clone())
    };
    (0..rank)
        .map(|i| {
            let (x, y) = (at(a, i), at(b, i));
            if x == y || y == one {
                Ok(x)
            } else if x == one {
                Ok(y)
            } else {
                Err(err(
                    Code::BadBroadcast,
                    format!("batch dims {x} and {y} do not broadcast"),
                ))
            }
        })
        .collect()
}
