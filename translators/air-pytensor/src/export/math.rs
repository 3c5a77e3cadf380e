//! Arithmetic, reductions and contractions written for PyTensor: `Elemwise` (with the exact
//! decompositions of `isfinite`, `rsqrt` and integer `rem`), the `CAReduce` family, `Argmax`,
//! einsum as products and sums, `Dot` and `Blockwise(Dot)`.

use air_ir::op::{ArgKind, ReduceKind};
use air_ir::{BinaryOp, DType, Dim, Literal, Scalar, TensorType, UnaryOp};
use serde_json::{json, Value as Json};

use super::doc::{elemwise_json, op_json, Doc, Pt};
use super::ops::R;
use super::shape::dimshuffle;
use crate::table::ScalarKind;

pub(super) fn unary(doc: &mut Doc, u: UnaryOp, x: &str, t: &TensorType, o: Pt) -> R<String> {
    let bool_of = |t: &TensorType| Pt::of(&t.with_dtype(DType::Bool));
    Ok(match u {
        UnaryOp::IsFinite => {
            let nan = doc.node1(
                elemwise_json(ScalarKind::Unary(UnaryOp::IsNan), None),
                &[x.to_string()],
                bool_of(t),
            );
            let inf = doc.node1(
                elemwise_json(ScalarKind::Unary(UnaryOp::IsInf), None),
                &[x.to_string()],
                bool_of(t),
            );
            let either = doc.node1(
                elemwise_json(ScalarKind::Binary(BinaryOp::Or), None),
                &[nan, inf],
                bool_of(t),
            );
            doc.node1(
                elemwise_json(ScalarKind::Unary(UnaryOp::Not), None),
                &[either],
                o,
            )
        }
        UnaryOp::Rsqrt => {
            let s = doc.node1(
                elemwise_json(ScalarKind::Unary(UnaryOp::Sqrt), None),
                &[x.to_string()],
                o.clone(),
            );
            doc.node1(
                elemwise_json(ScalarKind::Unary(UnaryOp::Reciprocal), None),
                &[s],
                o,
            )
        }
        UnaryOp::Square => doc.node1(elemwise_json(ScalarKind::Sqr, None), &[x.to_string()], o),
        UnaryOp::Cbrt => return Err("cbrt: PyTensor has no real cube root".to_string()),
        UnaryOp::Real => doc.node1(elemwise_json(ScalarKind::Real, None), &[x.to_string()], o),
        UnaryOp::Angle if !matches!(t.dtype, DType::F64 | DType::C128) => {
            return Err(format!(
                "angle of {}: PyTensor's Angle is float64 whatever its input",
                t.dtype
            ))
        }
        UnaryOp::Sinc => return Err("sinc: PyTensor has no sinc op".to_string()),
        u @ (UnaryOp::Neg
        | UnaryOp::Imag
        | UnaryOp::Conj
        | UnaryOp::Angle
        | UnaryOp::Asinh
        | UnaryOp::Acosh
        | UnaryOp::Atanh
        | UnaryOp::Exp2
        | UnaryOp::Log2
        | UnaryOp::Log10
        | UnaryOp::Trunc
        | UnaryOp::Abs
        | UnaryOp::Sign
        | UnaryOp::Exp
        | UnaryOp::Expm1
        | UnaryOp::Log
        | UnaryOp::Log1p
        | UnaryOp::Sqrt
        | UnaryOp::Sin
        | UnaryOp::Cos
        | UnaryOp::Tan
        | UnaryOp::Asin
        | UnaryOp::Acos
        | UnaryOp::Atan
        | UnaryOp::Sinh
        | UnaryOp::Cosh
        | UnaryOp::Tanh
        | UnaryOp::Floor
        | UnaryOp::Ceil
        | UnaryOp::Round
        | UnaryOp::Erf
        | UnaryOp::Logistic
        | UnaryOp::Reciprocal
        | UnaryOp::Not
        | UnaryOp::IsNan
        | UnaryOp::IsInf) => doc.node1(
            elemwise_json(ScalarKind::Unary(u), None),
            &[x.to_string()],
            o,
        ),
    })
}

pub(super) fn binary(
    doc: &mut Doc,
    b: BinaryOp,
    x: &str,
    y: &str,
    t: &TensorType,
    o: Pt,
) -> R<String> {
    let e = |k| elemwise_json(k, None);
    let xy = [x.to_string(), y.to_string()];
    Ok(match b {
        BinaryOp::Rem if t.dtype.is_signed_int() => {
            // C fmod from Python's mod: where they differ (a non-zero result whose sign is not
            // the dividend's), fmod = mod - b.
            let bool_t = Pt::of(&t.with_dtype(DType::Bool));
            let m = doc.node1(e(ScalarKind::Binary(BinaryOp::Mod)), &xy, o.clone());
            let zero = doc.constant(
                &Literal {
                    dtype: t.dtype,
                    shape: vec![],
                    data: Scalar::Int(0).to_le_bytes(t.dtype),
                },
                false,
            );
            let z = dimshuffle(
                doc,
                &zero,
                0,
                &vec![None; t.rank()],
                Pt::of(&TensorType::new(t.dtype, vec![Dim::constant(1); t.rank()])),
            );
            let nz = doc.node1(
                e(ScalarKind::Binary(BinaryOp::Ne)),
                &[m.clone(), z.clone()],
                bool_t.clone(),
            );
            let xneg = doc.node1(
                e(ScalarKind::Binary(BinaryOp::Lt)),
                &[x.to_string(), z.clone()],
                bool_t.clone(),
            );
            let yneg = doc.node1(
                e(ScalarKind::Binary(BinaryOp::Lt)),
                &[y.to_string(), z],
                bool_t.clone(),
            );
            let differ = doc.node1(
                e(ScalarKind::Binary(BinaryOp::Ne)),
                &[xneg, yneg],
                bool_t.clone(),
            );
            let fix = doc.node1(e(ScalarKind::Binary(BinaryOp::And)), &[nz, differ], bool_t);
            let adjusted = doc.node1(
                e(ScalarKind::Binary(BinaryOp::Sub)),
                &[m.clone(), y.to_string()],
                o.clone(),
            );
            doc.node1(e(ScalarKind::Switch), &[fix, adjusted, m], o)
        }
        BinaryOp::Rem if t.dtype.is_int() => {
            doc.node1(e(ScalarKind::Binary(BinaryOp::Mod)), &xy, o)
        }
        BinaryOp::Hypot
        | BinaryOp::Copysign
        | BinaryOp::Logaddexp
        | BinaryOp::Logaddexp2
        | BinaryOp::Heaviside => return Err(format!("{} has no PyTensor form", b.name())),
        BinaryOp::Rem | BinaryOp::Shl | BinaryOp::Shr => {
            return Err(format!("{} has no PyTensor form", b.name()))
        }
        b @ (BinaryOp::Add
        | BinaryOp::Sub
        | BinaryOp::Mul
        | BinaryOp::Div
        | BinaryOp::FloorDiv
        | BinaryOp::Mod
        | BinaryOp::Pow
        | BinaryOp::Max
        | BinaryOp::Min
        | BinaryOp::Atan2
        | BinaryOp::Eq
        | BinaryOp::Ne
        | BinaryOp::Lt
        | BinaryOp::Le
        | BinaryOp::Gt
        | BinaryOp::Ge
        | BinaryOp::And
        | BinaryOp::Or
        | BinaryOp::Xor
        | BinaryOp::Complex) => doc.node1(e(ScalarKind::Binary(b)), &xy, o),
    })
}

pub(super) fn reduce(
    doc: &mut Doc,
    kind: ReduceKind,
    x: &str,
    t: &TensorType,
    axes: &[u32],
    keepdims: bool,
    out: &TensorType,
) -> R<String> {
    if axes.is_empty() {
        return Ok(x.to_string());
    }
    let d = t.dtype.numpy_name();
    let axis: Json = if axes.len() == t.rank() {
        Json::Null
    } else {
        json!(axes)
    };
    let scalar = |k| json!({"op": super::doc::scalar_json(k, None)});
    let reduced: Vec<Dim> = (0..t.rank())
        .filter(|a| !axes.contains(&(*a as u32)))
        .map(|a| t.shape[a].clone())
        .collect();
    let rt = Pt::of(&TensorType::new(t.dtype, reduced.clone()));
    let sum = |doc: &mut Doc| {
        let props = json!({"scalar_op": scalar(ScalarKind::Binary(BinaryOp::Add)), "axis": axis, "dtype": d, "acc_dtype": d, "upcast_discrete_output": true});
        doc.node1(op_json("Sum", "Sum", props), &[x.to_string()], rt.clone())
    };
    let plain = |class: &str, k: BinaryOp| {
        (
            class.to_string(),
            json!({"scalar_op": scalar(ScalarKind::Binary(k)), "axis": axis, "dtype": null, "acc_dtype": null, "upcast_discrete_output": false}),
        )
    };
    let v = match kind {
        ReduceKind::Sum => sum(doc),
        ReduceKind::Mean => {
            let s = sum(doc);
            let mut count = Dim::constant(1);
            for &a in axes {
                count = count.mul(&t.shape[a as usize]).map_err(|e| e.to_string())?;
            }
            let n = doc
                .dim(&count)
                .ok_or("a reduced dim is not known in this graph")?;
            let nf = doc.node1(
                elemwise_json(ScalarKind::Cast, Some(t.dtype)),
                &[n],
                Pt::scalar_tensor(t.dtype),
            );
            let ones = Pt::of(&TensorType::new(
                t.dtype,
                vec![Dim::constant(1); reduced.len()],
            ));
            let nb = dimshuffle(doc, &nf, 0, &vec![None; reduced.len()], ones);
            doc.node1(
                elemwise_json(ScalarKind::Binary(BinaryOp::Div), None),
                &[s, nb],
                rt.clone(),
            )
        }
        ReduceKind::Prod => {
            let props = json!({"scalar_op": scalar(ScalarKind::Binary(BinaryOp::Mul)), "axis": axis, "dtype": d, "acc_dtype": d, "no_zeros_in_input": false});
            doc.node1(op_json("Prod", "Prod", props), &[x.to_string()], rt.clone())
        }
        ReduceKind::Max | ReduceKind::Min | ReduceKind::Any | ReduceKind::All => {
            let (class, props) = match kind {
                ReduceKind::Max => plain("Max", BinaryOp::Max),
                ReduceKind::Min => plain("Min", BinaryOp::Min),
                ReduceKind::Any => plain("Any", BinaryOp::Or),
                ReduceKind::Sum | ReduceKind::Prod | ReduceKind::Mean | ReduceKind::All => {
                    plain("All", BinaryOp::And)
                }
            };
            doc.node1(op_json(&class, &class, props), &[x.to_string()], rt.clone())
        }
    };
    Ok(if keepdims {
        keep(doc, &v, reduced.len(), axes, out)
    } else {
        v
    })
}

/// Puts back reduced axes as broadcastable ones.
pub(super) fn keep(
    doc: &mut Doc,
    v: &str,
    reduced_rank: usize,
    axes: &[u32],
    out: &TensorType,
) -> String {
    let mut next = 0;
    let order: Vec<Option<usize>> = (0..out.rank())
        .map(|j| {
            if axes.contains(&(j as u32)) {
                None
            } else {
                next += 1;
                Some(next - 1)
            }
        })
        .collect();
    dimshuffle(doc, v, reduced_rank, &order, Pt::of(out))
}

pub(super) fn argreduce(
    doc: &mut Doc,
    kind: ArgKind,
    x: &str,
    t: &TensorType,
    axis: u32,
    keepdims: bool,
    out: &TensorType,
) -> String {
    let x = match kind {
        ArgKind::Argmax => x.to_string(),
        ArgKind::Argmin => {
            // An order-reversing bijection: -x for floats, ~x (bitwise or logical not) otherwise.
            let u = if t.dtype.is_float() {
                UnaryOp::Neg
            } else {
                UnaryOp::Not
            };
            doc.node1(
                elemwise_json(ScalarKind::Unary(u), None),
                &[x.to_string()],
                Pt::of(t),
            )
        }
    };
    let reduced: Vec<Dim> = (0..t.rank())
        .filter(|&a| a != axis as usize)
        .map(|a| t.shape[a].clone())
        .collect();
    let rt = Pt::of(&TensorType::new(DType::I64, reduced.clone()));
    let v = doc.node1(
        op_json("Argmax", "Argmax", json!({"axis": [axis]})),
        &[x],
        rt,
    );
    if keepdims {
        keep(doc, &v, reduced.len(), &[axis], out)
    } else {
        v
    }
}

/// A term with a repeated letter takes the diagonal (`ExtractDiag`, which puts it last) until
/// its letters are distinct: the new term, variable and type.
fn diagonals(doc: &mut Doc, term: &str, x: &str, t: &TensorType) -> (String, String, TensorType) {
    let (mut chars, mut x, mut t): (Vec<char>, String, TensorType) =
        (term.chars().collect(), x.to_string(), t.clone());
    while let Some((p, q)) = (0..chars.len()).find_map(|p| {
        (p + 1..chars.len())
            .find(|&q| chars[q] == chars[p])
            .map(|q| (p, q))
    }) {
        let c = chars[p];
        let d = t.shape[p].clone();
        let mut shape: Vec<Dim> = (0..t.rank())
            .filter(|&a| a != p && a != q)
            .map(|a| t.shape[a].clone())
            .collect();
        shape.push(d);
        chars = (0..chars.len())
            .filter(|&a| a != p && a != q)
            .map(|a| chars[a])
            .chain([c])
            .collect();
        let props = json!({"offset": 0, "axis1": p, "axis2": q, "view": false});
        let ty = TensorType::new(t.dtype, shape);
        x = doc.node1(
            op_json("ExtractDiag", "ExtractDiag", props),
            &[x],
            Pt::of(&ty),
        );
        t = ty;
    }
    (chars.into_iter().collect(), x, t)
}

/// `einsum` as DimShuffles to one letter order, a product, a `Sum` over the contracted letters
/// and a DimShuffle to the output order.
pub(super) fn einsum(
    doc: &mut Doc,
    spec: &str,
    ins: &[String],
    types: &[TensorType],
    out: &TensorType,
) -> R<String> {
    let (lhs, rhs) = spec.split_once("->").ok_or("an einsum without ->")?;
    let mut terms: Vec<String> = vec![];
    let mut ins = ins.to_vec();
    let mut types = types.to_vec();
    for (k, term) in lhs.split(',').enumerate() {
        let (t, x, ty) = diagonals(doc, term, &ins[k], &types[k]);
        terms.push(t);
        (ins[k], types[k]) = (x, ty);
    }
    let (ins, types) = (&ins[..], &types[..]);
    let mut letters: Vec<char> = vec![];
    let mut extent: Vec<Dim> = vec![];
    for (term, t) in terms.iter().zip(types) {
        for (c, d) in term.chars().zip(&t.shape) {
            if !letters.contains(&c) {
                letters.push(c);
                extent.push(d.clone());
            }
        }
    }
    let dtype = out.dtype;
    let mut product: Option<String> = None;
    for ((term, x), t) in terms.iter().zip(ins).zip(types) {
        let chars: Vec<char> = term.chars().collect();
        let order: Vec<Option<usize>> = letters
            .iter()
            .map(|c| chars.iter().position(|d| d == c))
            .collect();
        let shape: Vec<Dim> = letters
            .iter()
            .zip(&extent)
            .map(|(c, d)| {
                if chars.contains(c) {
                    d.clone()
                } else {
                    Dim::constant(1)
                }
            })
            .collect();
        let aligned = if chars.len() == letters.len()
            && order.iter().enumerate().all(|(i, o)| *o == Some(i))
        {
            x.clone()
        } else {
            dimshuffle(
                doc,
                x,
                t.rank(),
                &order,
                Pt::of(&TensorType::new(dtype, shape)),
            )
        };
        product = Some(match product {
            None => aligned,
            Some(p) => doc.node1(
                elemwise_json(ScalarKind::Binary(BinaryOp::Mul), None),
                &[p, aligned],
                Pt::of(&TensorType::new(dtype, extent.clone())),
            ),
        });
    }
    let p = product.ok_or("an einsum of nothing")?;
    let full = TensorType::new(dtype, extent.clone());
    let summed: Vec<u32> = (0..letters.len())
        .filter(|&i| !rhs.contains(letters[i]))
        .map(|i| i as u32)
        .collect();
    let kept: Vec<char> = letters
        .iter()
        .copied()
        .filter(|c| rhs.contains(*c))
        .collect();
    let s = if summed.is_empty() {
        p
    } else {
        let reduced = TensorType::new(
            dtype,
            kept.iter()
                .map(|c| extent[letters.iter().position(|l| l == c).unwrap_or(0)].clone())
                .collect(),
        );
        reduce(doc, ReduceKind::Sum, &p, &full, &summed, false, &reduced)?
    };
    let order: Vec<Option<usize>> = rhs
        .chars()
        .map(|c| kept.iter().position(|k| *k == c))
        .collect();
    Ok(dimshuffle(doc, &s, kept.len(), &order, Pt::of(out)))
}

/// `matmul`: `Dot` for matrices, `Blockwise(Dot)` with batch dims (the lower-rank operand gets
/// leading broadcastable axes), 1-D operands expanded and the result squeezed, as `pt.matmul`.
pub(super) fn matmul(
    doc: &mut Doc,
    a: &str,
    b: &str,
    ta: &TensorType,
    tb: &TensorType,
    out: &TensorType,
) -> String {
    let dtype = out.dtype;
    let expand = |doc: &mut Doc, x: &str, t: &TensorType, at: usize| {
        let mut shape = t.shape.clone();
        shape.insert(at, Dim::constant(1));
        let order: Vec<Option<usize>> = if at == 0 {
            vec![None, Some(0)]
        } else {
            vec![Some(0), None]
        };
        (
            dimshuffle(
                doc,
                x,
                1,
                &order,
                Pt::of(&TensorType::new(t.dtype, shape.clone())),
            ),
            TensorType::new(t.dtype, shape),
        )
    };
    let (a2, ta2) = if ta.rank() == 1 {
        expand(doc, a, ta, 0)
    } else {
        (a.to_string(), ta.clone())
    };
    let (b2, tb2) = if tb.rank() == 1 {
        expand(doc, b, tb, 1)
    } else {
        (b.to_string(), tb.clone())
    };
    let rank = ta2.rank().max(tb2.rank());
    let pad = |doc: &mut Doc, x: String, t: &TensorType| {
        if t.rank() == rank {
            return (x, t.clone());
        }
        let k = rank - t.rank();
        let order: Vec<Option<usize>> = (0..rank).map(|j| j.checked_sub(k)).collect();
        let mut shape = vec![Dim::constant(1); k];
        shape.extend(t.shape.iter().cloned());
        let tt = TensorType::new(t.dtype, shape);
        (dimshuffle(doc, &x, t.rank(), &order, Pt::of(&tt)), tt)
    };
    let (a3, ta3) = pad(doc, a2, &ta2);
    let (b3, tb3) = pad(doc, b2, &tb2);
    let mut shape: Vec<Dim> = (0..rank - 2)
        .map(|i| {
            if ta3.shape[i].as_const() == Some(1) {
                tb3.shape[i].clone()
            } else {
                ta3.shape[i].clone()
            }
        })
        .collect();
    shape.push(ta3.shape[rank - 2].clone());
    shape.push(tb3.shape[rank - 1].clone());
    let full = TensorType::new(dtype, shape);
    let dot = op_json("Dot", "Dot", json!({}));
    let r = if rank == 2 {
        doc.node1(dot, &[a3, b3], Pt::of(&full))
    } else {
        let props = json!({"core_op": {"op": dot}, "signature": "(m,n),(n,p)->(m,p)"});
        doc.node1(
            op_json("Blockwise", "Blockwise{Dot, (m,n),(n,p)->(m,p)}", props),
            &[a3, b3],
            Pt::of(&full),
        )
    };
    let mut drop = vec![];
    if ta.rank() == 1 {
        drop.push(rank - 2);
    }
    if tb.rank() == 1 {
        drop.push(rank - 1);
    }
    if drop.is_empty() {
        return r;
    }
    let order: Vec<Option<usize>> = (0..rank).filter(|a| !drop.contains(a)).map(Some).collect();
    dimshuffle(doc, &r, rank, &order, Pt::of(out))
}
