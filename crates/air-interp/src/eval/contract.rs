//! Contractions: `einsum` (a plain nested-index loop) and `matmul` (NumPy's rules).

use air_ir::Code;
use ndarray::{indices, ArrayD, Axis, Dimension, IxDyn};
use num_traits::Zero;

use super::scalar::Accumulate;
use super::{dtype_mismatch, not_accepted};
use crate::error::{fail, Result};
use crate::tensor::{with_some, Tensor};

/// A parsed explicit einsum spec: one term of letters per operand, and the output term.
#[derive(Debug, PartialEq)]
struct Spec {
    inputs: Vec<Vec<u8>>,
    output: Vec<u8>,
}

/// Parses `"ij,jk->ik"`: letters `a-zA-Z`, one term per operand, `->` and distinct output letters
/// that occur in some input (E0212).
fn parse_spec(spec: &str, operands: usize) -> Result<Spec> {
    let bad = |msg: &str| fail(Code::BadEinsum, format!("einsum \"{spec}\": {msg}"));
    let Some((lhs, rhs)) = spec.split_once("->") else {
        return bad("the explicit form with '->' is required");
    };
    let inputs: Vec<Vec<u8>> = lhs.split(',').map(|t| t.as_bytes().to_vec()).collect();
    let output = rhs.as_bytes().to_vec();
    if inputs.len() != operands {
        return bad(&format!("{} terms for {operands} operands", inputs.len()));
    }
    if !inputs
        .iter()
        .chain([&output])
        .flatten()
        .all(u8::is_ascii_alphabetic)
    {
        return bad("terms may only hold letters a-z, A-Z");
    }
    for (i, &l) in output.iter().enumerate() {
        if output[..i].contains(&l) {
            return bad(&format!("output letter '{}' repeated", l as char));
        }
        if !inputs.iter().any(|t| t.contains(&l)) {
            return bad(&format!("output letter '{}' is in no input", l as char));
        }
    }
    Ok(Spec { inputs, output })
}

/// The extent of every letter (indexed by its ASCII code); every occurrence must agree (E0203).
fn letter_extents(spec: &Spec, shapes: &[&[usize]]) -> Result<[usize; 128]> {
    let mut extent = [usize::MAX; 128];
    for (k, (term, shape)) in spec.inputs.iter().zip(shapes).enumerate() {
        if term.len() != shape.len() {
            return fail(
                Code::BadEinsum,
                format!(
                    "term {k} has {} letters, operand {k} has rank {}",
                    term.len(),
                    shape.len()
                ),
            );
        }
        for (&l, &n) in term.iter().zip(*shape) {
            let slot = &mut extent[l as usize];
            if *slot != usize::MAX && *slot != n {
                return fail(
                    Code::ContractionMismatch,
                    format!("letter '{}' has extents {} and {n}", l as char, *slot),
                );
            }
            *slot = n;
        }
    }
    Ok(extent)
}

/// spec: #einsum — letters repeated in one operand take its diagonal; letters absent from the
/// output are summed (an empty sum is 0).
pub(crate) fn einsum(spec_text: &str, xs: &[&Tensor]) -> Result<Tensor> {
    let Some(&first) = xs.first() else {
        return fail(Code::Arity, "einsum takes at least one operand");
    };
    let spec = parse_spec(spec_text, xs.len())?;
    let shapes: Vec<&[usize]> = xs.iter().map(|t| t.shape()).collect();
    let extent = letter_extents(&spec, &shapes)?;
    if let Some(other) = xs.iter().find(|t| t.dtype() != first.dtype()) {
        return dtype_mismatch(first, other);
    }
    let mut summed: Vec<u8> = spec
        .inputs
        .iter()
        .flatten()
        .copied()
        .filter(|l| !spec.output.contains(l))
        .collect();
    summed.sort_unstable();
    summed.dedup();
    let nest = LoopNest {
        out: spec
            .output
            .iter()
            .map(|&l| (l, extent[l as usize]))
            .collect(),
        summed: summed.iter().map(|&l| (l, extent[l as usize])).collect(),
        terms: &spec.inputs,
    };
    super::check_size(&nest.out.iter().map(|&(_, n)| n).collect::<Vec<_>>())?;
    fn go<T: Accumulate>(_first: &ArrayD<T>, nest: &LoopNest<'_>, xs: &[&Tensor]) -> Tensor {
        let ops: Vec<&ArrayD<T>> = xs.iter().filter_map(|t| T::view(t)).collect();
        T::wrap(nest.run(&ops))
    }
    with_some!(first, [I8, I16, I32, I64, U8, U16, U32, U64, F16, BF16, F32, F64, C64, C128],
        a => Ok(go(a, &nest, xs)),
        else not_accepted("einsum", first))
}

/// The loops of an einsum: one per output letter, and inside them one per summed letter.
struct LoopNest<'a> {
    /// Output letters with their extents.
    out: Vec<(u8, usize)>,
    /// Summed letters with their extents.
    summed: Vec<(u8, usize)>,
    /// Each operand's letters.
    terms: &'a [Vec<u8>],
}

impl LoopNest<'_> {
    /// `out[o] = sum over the summed letters of the product of every operand at its letters`.
    fn run<T: Accumulate>(&self, ops: &[&ArrayD<T>]) -> ArrayD<T> {
        let out_shape: Vec<usize> = self.out.iter().map(|&(_, n)| n).collect();
        let sum_shape: Vec<usize> = self.summed.iter().map(|&(_, n)| n).collect();
        let mut value = [0usize; 128]; // the current index of each letter
        let mut idx: Vec<usize> = Vec::new();
        ArrayD::from_shape_fn(IxDyn(&out_shape), |o| {
            for (k, &(l, _)) in self.out.iter().enumerate() {
                value[l as usize] = o[k];
            }
            let mut acc = T::Acc::zero();
            for s in indices(IxDyn(&sum_shape)) {
                for (k, &(l, _)) in self.summed.iter().enumerate() {
                    value[l as usize] = s[k];
                }
                let mut prod = None;
                for (op, term) in ops.iter().zip(self.terms) {
                    idx.clear();
                    idx.extend(term.iter().map(|&l| value[l as usize]));
                    let x = op[idx.as_slice()].to_acc();
                    prod = Some(prod.map_or(x, |p| p * x));
                }
                acc = acc + prod.unwrap_or_else(T::Acc::zero);
            }
            T::from_acc(acc)
        })
    }
}

/// spec: #matmul — NumPy's rules: a rank-1 `a` is `[1, k]` and a rank-1 `b` is `[k, 1]` (the
/// added axis is removed from the result); batch dims broadcast, right-aligned (equal or 1).
pub(crate) fn matmul(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    if a.rank() == 0 || b.rank() == 0 {
        return fail(Code::RankMismatch, "matmul operands must have rank >= 1");
    }
    if a.dtype() != b.dtype() {
        return dtype_mismatch(a, b);
    }
    let a2 = if a.rank() == 1 {
        expand(a, 0)
    } else {
        a.shape().to_vec()
    };
    let b2 = if b.rank() == 1 {
        expand(b, 1)
    } else {
        b.shape().to_vec()
    };
    let (n, k) = (a2[a2.len() - 2], a2[a2.len() - 1]);
    let (k2, m) = (b2[b2.len() - 2], b2[b2.len() - 1]);
    if k != k2 {
        return fail(
            Code::ContractionMismatch,
            format!("inner dims differ ({k} vs {k2})"),
        );
    }
    let batch = broadcast_batch(&a2[..a2.len() - 2], &b2[..b2.len() - 2])?;
    let mut out_shape = batch.clone();
    out_shape.extend([n, m]);
    super::check_size(&out_shape)?;
    let out = with_some!(a, [I8, I16, I32, I64, U8, U16, U32, U64, F16, BF16, F32, F64, C64, C128],
        x => matmul_typed(x, b, &out_shape),
        else return not_accepted("matmul", a));
    let Some(out) = out else {
        return fail(Code::BadBroadcast, "matmul operands do not broadcast");
    };
    // Remove the axes the rank-1 promotion added.
    let mut result = out;
    if b.rank() == 1 {
        result = drop_axis(&result, result.rank() - 1);
    }
    if a.rank() == 1 {
        result = drop_axis(&result, result.rank() - if b.rank() == 1 { 1 } else { 2 });
    }
    Ok(result)
}

/// `x @ y` into `out_shape` (batch dims, then both matrix dims, rank-1 operands promoted);
/// `None` when `y` is of another type or the operands do not broadcast to it.
fn matmul_typed<T: Accumulate>(x: &ArrayD<T>, y: &Tensor, out_shape: &[usize]) -> Option<Tensor> {
    let y = T::view(y)?;
    let mut x = x.view();
    if x.ndim() == 1 {
        x = x.insert_axis(Axis(0));
    }
    let mut y = y.view();
    if y.ndim() == 1 {
        y = y.insert_axis(Axis(1));
    }
    let r = out_shape.len();
    let kk = x.shape()[x.ndim() - 1];
    let mut a_full = out_shape.to_vec();
    a_full[r - 1] = kk;
    let mut b_full = out_shape.to_vec();
    b_full[r - 2] = kk;
    let (x, y) = (x.broadcast(IxDyn(&a_full))?, y.broadcast(IxDyn(&b_full))?);
    let out = ArrayD::from_shape_fn(IxDyn(out_shape), |o| {
        let (i, j) = (o[r - 2], o[r - 1]);
        let mut ix: Vec<usize> = o.slice().to_vec();
        let mut jx = ix.clone();
        let mut acc = T::Acc::zero();
        for p in 0..kk {
            (ix[r - 2], ix[r - 1]) = (i, p);
            (jx[r - 2], jx[r - 1]) = (p, j);
            acc = acc + x[ix.as_slice()].to_acc() * y[jx.as_slice()].to_acc();
        }
        T::from_acc(acc)
    });
    Some(T::wrap(out))
}

/// The shape with a 1 inserted at `axis`.
fn expand(t: &Tensor, axis: usize) -> Vec<usize> {
    let mut s = t.shape().to_vec();
    s.insert(axis, 1);
    s
}

fn drop_axis(t: &Tensor, axis: usize) -> Tensor {
    crate::tensor::map_array!(t, a => a.index_axis(Axis(axis), 0).to_owned())
}

/// NumPy broadcasting of two batch shapes, right-aligned: dims equal or 1 (E0207).
fn broadcast_batch(a: &[usize], b: &[usize]) -> Result<Vec<usize>> {
    let r = a.len().max(b.len());
    let at = |s: &[usize], i: usize| {
        if i + s.len() >= r {
            s[i + s.len() - r]
        } else {
            1
        }
    };
    (0..r)
        .map(|i| match (at(a, i), at(b, i)) {
            (x, y) if x == y || y == 1 => Ok(x),
            (1, y) => Ok(y),
            (x, y) => fail(
                Code::BadBroadcast,
                format!("matmul batch dims {x} and {y} differ"),
            ),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_parsing() {
        let s = parse_spec("ij,jk->ik", 2).unwrap();
        assert_eq!(s.inputs, vec![b"ij".to_vec(), b"jk".to_vec()]);
        assert_eq!(s.output, b"ik".to_vec());
        assert!(parse_spec("ii->", 1).is_ok());
        for (bad, n) in [
            ("ij,jk", 2),
            ("ij->ii", 1),
            ("ij->k", 1),
            ("i...->i", 1),
            ("ij->i", 2),
            ("i j->i", 1),
        ] {
            assert_eq!(
                parse_spec(bad, n).unwrap_err().code,
                Code::BadEinsum,
                "{bad}"
            );
        }
    }
}
