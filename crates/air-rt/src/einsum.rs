//! `einsum` with an explicit spec given as letter codes.
//!
//! Letters repeated in one operand become one axis whose stride is the sum (the diagonal, a
//! view). With two operands, letters that only one operand has and the output lacks are summed
//! first; what is left is a batched matrix product (batch letters in both operands and the
//! output, row letters in the first operand and the output, column letters in the second and the
//! output, contracted letters in both operands only), run by the GEMM after copying an operand
//! whose letter groups do not flatten to one stride. Everything else (one operand, three or
//! more) is a strided loop nest.

use air_ir::{Code, DType};

use crate::abi::AirTensor;
use crate::copy::{copy_strided, Side};
use crate::elem::{with_numeric, Num};
use crate::error::{dtype_error, fail, Res};
use crate::ffi::Call;
use crate::gemm::{batched_gemm, Batch, Gemm, MatRef};
use crate::out::Out;
use crate::view::{c_strides, offsets, Arg};
use crate::wide::Wide;

/// A parsed spec: one term of letters per operand, and the output term.
#[derive(Debug, PartialEq)]
struct Spec {
    threads: i64,
    terms: Vec<Vec<u8>>,
    output: Vec<u8>,
}

/// Reads `[threads, n_ops, len0, letters0..., ..., len_out, letters_out...]`.
fn parse(attrs: &[i64]) -> Res<Spec> {
    fn bad<T>(m: &str) -> Res<T> {
        fail(Code::BadAttribute, format!("einsum attributes: {m}"))
    }
    let mut it = attrs.iter().copied();
    let (Some(threads), Some(n_ops)) = (it.next(), it.next()) else {
        return bad("too short");
    };
    let Ok(n_ops) = usize::try_from(n_ops) else {
        return bad("negative operand count");
    };
    let mut term = || -> Res<Vec<u8>> {
        let len = it.next().and_then(|n| usize::try_from(n).ok());
        let Some(len) = len.filter(|&n| n <= crate::view::MAX_RANK) else {
            return bad("bad term length");
        };
        (0..len)
            .map(|_| match it.next().and_then(|c| u8::try_from(c).ok()) {
                Some(c) if c.is_ascii_alphabetic() => Ok(c),
                Some(c) => fail(Code::BadEinsum, format!("'{}' is not a letter", c as char)),
                None => bad("truncated term"),
            })
            .collect()
    };
    let terms = (0..n_ops.min(attrs.len()))
        .map(|_| term())
        .collect::<Res<Vec<_>>>()?;
    let output = term()?;
    if terms.len() != n_ops || it.next().is_some() {
        return bad("length does not match the terms");
    }
    Ok(Spec {
        threads,
        terms,
        output,
    })
}

/// The extent of every letter (by ASCII code) after checking terms against operands.
fn letter_extents(spec: &Spec, ins: &[Arg]) -> Res<[usize; 128]> {
    if ins.is_empty() {
        return fail(Code::Arity, "einsum takes at least one operand");
    }
    if spec.terms.len() != ins.len() {
        return fail(
            Code::BadEinsum,
            format!("{} terms for {} operands", spec.terms.len(), ins.len()),
        );
    }
    let mut extent = [usize::MAX; 128];
    for (k, (term, x)) in spec.terms.iter().zip(ins).enumerate() {
        if term.len() != x.rank() {
            return fail(
                Code::BadEinsum,
                format!(
                    "term {k} has {} letters, operand {k} has rank {}",
                    term.len(),
                    x.rank()
                ),
            );
        }
        for (&l, &n) in term.iter().zip(&x.shape) {
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
    for (i, &l) in spec.output.iter().enumerate() {
        if spec.output[..i].contains(&l) || extent[l as usize] == usize::MAX {
            return fail(
                Code::BadEinsum,
                format!("output letter '{}' is repeated or in no input", l as char),
            );
        }
    }
    Ok(extent)
}

/// spec: #einsum.
pub(crate) fn einsum(call: Call<'_>) -> Res<()> {
    let spec = parse(call.attrs)?;
    let extent = letter_extents(&spec, &call.ins)?;
    let dtype = call.ins[0].dtype;
    if let Some(x) = call.ins.iter().find(|x| x.dtype != dtype) {
        return fail(
            Code::DTypeMismatch,
            format!("operands are {dtype} and {}", x.dtype),
        );
    }
    match dtype {
        DType::F16 => return einsum_wide::<half::f16>(&spec, &extent, &call.ins, call.out),
        DType::BF16 => return einsum_wide::<half::bf16>(&spec, &extent, &call.ins, call.out),
        DType::C64 => {
            return einsum_wide::<num_complex::Complex32>(&spec, &extent, &call.ins, call.out)
        }
        DType::C128 => {
            return einsum_wide::<num_complex::Complex64>(&spec, &extent, &call.ins, call.out)
        }
        DType::Bool
        | DType::I8
        | DType::I16
        | DType::I32
        | DType::I64
        | DType::U8
        | DType::U16
        | DType::U32
        | DType::U64
        | DType::F32
        | DType::F64 => {}
    }
    with_numeric!(dtype, T => einsum_typed::<T>(&spec, &extent, &call.ins, call.out),
        bool => dtype_error(DType::Bool), else dtype_error(dtype))
}

/// An operand with distinct letters: a repeated letter is one axis, its strides summed.
#[derive(Clone, Debug)]
struct Operand {
    ptr: *const u8,
    letters: Vec<u8>,
    strides: Vec<isize>,
}

impl Operand {
    fn new(x: &Arg, term: &[u8]) -> Operand {
        let mut op = Operand {
            ptr: x.data,
            letters: Vec::new(),
            strides: Vec::new(),
        };
        for (&l, &s) in term.iter().zip(&x.strides) {
            match op.letters.iter().position(|&m| m == l) {
                Some(i) => op.strides[i] += s,
                None => {
                    op.letters.push(l);
                    op.strides.push(s);
                }
            }
        }
        op
    }

    fn has(&self, l: u8) -> bool {
        self.letters.contains(&l)
    }

    /// The stride of a letter (0 when the operand lacks it).
    fn stride(&self, l: u8) -> isize {
        self.letters
            .iter()
            .position(|&m| m == l)
            .map_or(0, |i| self.strides[i])
    }

    /// The strides of a list of letters.
    fn strides_of(&self, letters: &[u8]) -> Vec<isize> {
        letters.iter().map(|&l| self.stride(l)).collect()
    }
}

fn einsum_typed<T: Gemm>(
    spec: &Spec,
    ext: &[usize; 128],
    ins: &[Arg],
    out: &mut AirTensor,
) -> Res<()> {
    let shape: Vec<usize> = spec.output.iter().map(|&l| ext[l as usize]).collect();
    let refs: Vec<&Arg> = ins.iter().collect();
    let mut o = Out::prepare(out, ins[0].dtype, &shape, &refs, true)?;
    let c = o.slice::<T>();
    let ops: Vec<Operand> = ins
        .iter()
        .zip(&spec.terms)
        .map(|(x, t)| Operand::new(x, t))
        .collect();
    match ops.as_slice() {
        [a, b] => contract(a, b, &spec.output, ext, c, spec.threads),
        _ => loop_nest(&ops, &spec.output, ext, c),
    }
    o.finish();
    Ok(())
}

/// `c[out letters] = sum over the other letters of the product of the operands` (C order).
fn loop_nest<T: Num>(ops: &[Operand], out: &[u8], ext: &[usize; 128], c: &mut [T]) {
    let mut summed: Vec<u8> = ops
        .iter()
        .flat_map(|op| op.letters.iter().copied())
        .filter(|l| !out.contains(l))
        .collect();
    summed.sort_unstable();
    summed.dedup();
    // The innermost summed letter is the one with the smallest stride in the first operand.
    summed.sort_by_key(|&l| std::cmp::Reverse(ops[0].stride(l).unsigned_abs()));
    let (n_inner, inner_st): (usize, Vec<isize>) = match summed.pop() {
        Some(l) => (ext[l as usize], ops.iter().map(|op| op.stride(l)).collect()),
        None => (1, vec![0; ops.len()]),
    };
    // Offsets of every position of the other summed letters, one row of operands each.
    let sum_ext: Vec<usize> = summed.iter().map(|&l| ext[l as usize]).collect();
    let sum_st: Vec<Vec<isize>> = ops.iter().map(|op| op.strides_of(&summed)).collect();
    let mut its: Vec<_> = sum_st.iter().map(|st| offsets(&sum_ext, st)).collect();
    let count: usize = sum_ext.iter().product();
    let sum_offs: Vec<isize> = (0..count)
        .flat_map(|_| {
            its.iter_mut()
                .map(|it| it.next().unwrap_or(0))
                .collect::<Vec<_>>()
        })
        .collect();
    let out_ext: Vec<usize> = out.iter().map(|&l| ext[l as usize]).collect();
    let out_st: Vec<Vec<isize>> = ops.iter().map(|op| op.strides_of(out)).collect();
    let mut out_offs: Vec<_> = out_st.iter().map(|st| offsets(&out_ext, st)).collect();
    let mut start = vec![0isize; ops.len()];
    for slot in c.iter_mut() {
        let base: Vec<isize> = out_offs
            .iter_mut()
            .map(|it| it.next().unwrap_or(0))
            .collect();
        let mut acc = T::ZERO;
        for so in sum_offs.chunks_exact(ops.len()) {
            for (st, (&b, &o)) in start.iter_mut().zip(base.iter().zip(so)) {
                *st = b + o;
            }
            acc = acc.add(inner_sum(ops, &start, &inner_st, n_inner));
        }
        *slot = acc;
    }
}

/// `einsum` of f16, bf16, c64, c128 as the interpreter computes it: for each result element, the
/// sum over the summed letters (in C order) of the product of the operands, both in the
/// accumulator type (`f64`, `c128`), rounded once.
fn einsum_wide<T: Wide>(
    spec: &Spec,
    ext: &[usize; 128],
    ins: &[Arg],
    out: &mut AirTensor,
) -> Res<()> {
    let shape: Vec<usize> = spec.output.iter().map(|&l| ext[l as usize]).collect();
    let refs: Vec<&Arg> = ins.iter().collect();
    let mut o = Out::prepare(out, ins[0].dtype, &shape, &refs, true)?;
    let c = o.slice::<T>();
    let ops: Vec<Operand> = ins
        .iter()
        .zip(&spec.terms)
        .map(|(x, t)| Operand::new(x, t))
        .collect();
    let mut summed: Vec<u8> = ops
        .iter()
        .flat_map(|op| op.letters.iter().copied())
        .filter(|l| !spec.output.contains(l))
        .collect();
    summed.sort_unstable();
    summed.dedup();
    let sum_ext: Vec<usize> = summed.iter().map(|&l| ext[l as usize]).collect();
    let sum_st: Vec<Vec<isize>> = ops.iter().map(|op| op.strides_of(&summed)).collect();
    let out_ext: Vec<usize> = spec.output.iter().map(|&l| ext[l as usize]).collect();
    let out_st: Vec<Vec<isize>> = ops.iter().map(|op| op.strides_of(&spec.output)).collect();
    let mut out_offs: Vec<_> = out_st.iter().map(|st| offsets(&out_ext, st)).collect();
    let read = |p: usize, off: isize| -> T {
        // SAFETY: every offset is a sum of in-range letter values times the operand's strides,
        // so it addresses an element of operand p.
        unsafe { (ops[p].ptr.offset(off) as *const T).read_unaligned() }
    };
    for slot in c.iter_mut() {
        let base: Vec<isize> = out_offs
            .iter_mut()
            .map(|it| it.next().unwrap_or(0))
            .collect();
        let mut sums: Vec<_> = sum_st.iter().map(|st| offsets(&sum_ext, st)).collect();
        let count: usize = sum_ext.iter().product();
        let mut acc = T::ZERO;
        for _ in 0..count {
            let mut prod: Option<T::Acc> = None;
            for (p, (it, &b)) in sums.iter_mut().zip(&base).enumerate() {
                let x = read(p, b + it.next().unwrap_or(0)).to_acc();
                prod = Some(prod.map_or(x, |q| q * x));
            }
            acc = acc + prod.unwrap_or(T::ZERO);
        }
        *slot = T::from_acc(acc);
    }
    o.finish();
    Ok(())
}

/// `sum over t < n of the product over operands p of op_p[start_p + t * step_p]`.
#[inline]
fn inner_sum<T: Num>(ops: &[Operand], start: &[isize], step: &[isize], n: usize) -> T {
    let read = |p: usize, off: isize| -> T {
        // SAFETY: every offset is a sum of in-range letter values times the operand's strides,
        // so it addresses an element of operand p.
        unsafe { (ops[p].ptr.offset(off) as *const T).read_unaligned() }
    };
    let mut acc = T::ZERO;
    for t in 0..n as isize {
        let mut prod = read(0, start[0] + t * step[0]);
        for (p, (&s, &d)) in start.iter().zip(step).enumerate().skip(1) {
            prod = prod.mul(read(p, s + t * d));
        }
        acc = acc.add(prod);
    }
    acc
}

/// One extent and stride for a group of letters of an operand, when they flatten (as a reshape
/// of the view would): each stride is the next one times the next extent.
fn flatten(op: &Operand, letters: &[u8], ext: &[usize; 128]) -> Option<(usize, isize)> {
    let dims: Vec<(usize, isize)> = letters
        .iter()
        .map(|&l| (ext[l as usize], op.stride(l)))
        .filter(|&(n, _)| n != 1)
        .collect();
    if dims.iter().any(|&(n, _)| n == 0) {
        return Some((0, 0));
    }
    if dims.windows(2).any(|w| w[0].1 != w[1].1 * w[1].0 as isize) {
        return None;
    }
    Some((
        dims.iter().map(|d| d.0).product(),
        dims.last().map_or(0, |d| d.1),
    ))
}

/// A C-contiguous copy of an operand with its letters in `order` (owned by `keep`).
fn materialise<T: Num>(
    op: &Operand,
    order: &[u8],
    ext: &[usize; 128],
    keep: &mut Vec<Vec<T>>,
) -> Operand {
    let esize = std::mem::size_of::<T>();
    let shape: Vec<usize> = order.iter().map(|&l| ext[l as usize]).collect();
    let mut buf = vec![T::ZERO; shape.iter().product()];
    let strides = c_strides(&shape, esize);
    // SAFETY: the source addresses elements of the operand; the buffer holds `shape`.
    unsafe {
        copy_strided(
            Side {
                ptr: op.ptr as *mut u8,
                strides: &op.strides_of(order),
            },
            Side {
                ptr: buf.as_mut_ptr() as *mut u8,
                strides: &strides,
            },
            &shape,
            esize,
        );
    }
    let ptr = buf.as_ptr() as *const u8;
    keep.push(buf);
    Operand {
        ptr,
        letters: order.to_vec(),
        strides,
    }
}

/// Sums the letters of `op` that neither `other` nor the output has (kept in `keep`).
fn presum<T: Num>(
    op: &Operand,
    other: &Operand,
    out: &[u8],
    ext: &[usize; 128],
    keep: &mut Vec<Vec<T>>,
) -> Operand {
    let kept: Vec<u8> = op
        .letters
        .iter()
        .copied()
        .filter(|&l| other.has(l) || out.contains(&l))
        .collect();
    if kept.len() == op.letters.len() {
        return op.clone();
    }
    let esize = std::mem::size_of::<T>();
    let shape: Vec<usize> = kept.iter().map(|&l| ext[l as usize]).collect();
    let mut buf = vec![T::ZERO; shape.iter().product()];
    loop_nest(std::slice::from_ref(op), &kept, ext, &mut buf);
    let ptr = buf.as_ptr() as *const u8;
    keep.push(buf);
    Operand {
        ptr,
        letters: kept,
        strides: c_strides(&shape, esize),
    }
}

/// A matrix view of an operand over two letter groups (copying it when they do not flatten).
fn matrix<T: Num>(
    op: &Operand,
    (batch, rows, cols): (&[u8], &[u8], &[u8]),
    ext: &[usize; 128],
    keep: &mut Vec<Vec<T>>,
) -> (Operand, MatRef) {
    let view = |op: &Operand| match (flatten(op, rows, ext), flatten(op, cols, ext)) {
        (Some((r, rs)), Some((c, cs))) => Some(MatRef {
            ptr: op.ptr,
            rows: r,
            cols: c,
            rs,
            cs,
        }),
        _ => None,
    };
    if let Some(m) = view(op) {
        return (op.clone(), m);
    }
    let order: Vec<u8> = [batch, rows, cols].concat();
    let copy = materialise(op, &order, ext, keep);
    let m = view(&copy).unwrap_or_else(|| unreachable!("a C-contiguous copy flattens"));
    (copy, m)
}

/// Two operands as a batched matrix product (see the module doc).
fn contract<T: Gemm>(
    a: &Operand,
    b: &Operand,
    out: &[u8],
    ext: &[usize; 128],
    c: &mut [T],
    threads: i64,
) {
    let mut keep: Vec<Vec<T>> = Vec::new();
    let a = presum(a, b, out, ext, &mut keep);
    let b = presum(b, &a, out, ext, &mut keep);
    let batch: Vec<u8> = out
        .iter()
        .copied()
        .filter(|&l| a.has(l) && b.has(l))
        .collect();
    let m: Vec<u8> = out
        .iter()
        .copied()
        .filter(|&l| a.has(l) && !b.has(l))
        .collect();
    let n: Vec<u8> = out
        .iter()
        .copied()
        .filter(|&l| b.has(l) && !a.has(l))
        .collect();
    let k: Vec<u8> = a
        .letters
        .iter()
        .copied()
        .filter(|&l| b.has(l) && !out.contains(&l))
        .collect();
    // The product X Y with X rows the first group of the output after the batch letters.
    let swap =
        out == [&batch[..], &n, &m].concat().as_slice() && out != [&batch[..], &m, &n].concat();
    let (x, y, rows, cols) = if swap {
        (&b, &a, &n, &m)
    } else {
        (&a, &b, &m, &n)
    };
    let (x, xm) = matrix(x, (&batch, rows, &k), ext, &mut keep);
    let (y, ym) = matrix(y, (&batch, &k, cols), ext, &mut keep);
    let batch_ext: Vec<usize> = batch.iter().map(|&l| ext[l as usize]).collect();
    let (xb, yb) = (x.strides_of(&batch), y.strides_of(&batch));
    let plan = Batch {
        shape: &batch_ext,
        a: &xb,
        b: &yb,
    };
    let order: Vec<u8> = [&batch[..], rows, cols].concat();
    if out == order.as_slice() {
        batched_gemm(&plan, &xm, &ym, c, threads);
        return;
    }
    // The output letters are in another order: compute in [batch, rows, cols], then permute.
    let mut tmp = vec![T::ZERO; c.len()];
    batched_gemm(&plan, &xm, &ym, &mut tmp, threads);
    let esize = std::mem::size_of::<T>();
    let shape: Vec<usize> = order.iter().map(|&l| ext[l as usize]).collect();
    let tmp_op = Operand {
        ptr: tmp.as_ptr() as *const u8,
        letters: order,
        strides: c_strides(&shape, esize),
    };
    let out_shape: Vec<usize> = out.iter().map(|&l| ext[l as usize]).collect();
    // SAFETY: tmp holds the whole result in `order`; c holds it in `out` order.
    unsafe {
        copy_strided(
            Side {
                ptr: tmp_op.ptr as *mut u8,
                strides: &tmp_op.strides_of(out),
            },
            Side {
                ptr: c.as_mut_ptr() as *mut u8,
                strides: &c_strides(&out_shape, esize),
            },
            &out_shape,
            esize,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(s: &str) -> Vec<i64> {
        s.bytes().map(i64::from).collect()
    }

    #[test]
    fn parses_the_attribute_layout() {
        let mut attrs = vec![4, 2, 2];
        attrs.extend(codes("ij"));
        attrs.push(2);
        attrs.extend(codes("jk"));
        attrs.push(2);
        attrs.extend(codes("ik"));
        let spec = parse(&attrs).unwrap();
        assert_eq!(spec.threads, 4);
        assert_eq!(spec.terms, vec![b"ij".to_vec(), b"jk".to_vec()]);
        assert_eq!(spec.output, b"ik".to_vec());
        attrs.push(0);
        assert_eq!(parse(&attrs).unwrap_err().code, Code::BadAttribute);
        assert_eq!(parse(&[1, 1, 1, 46, 0]).unwrap_err().code, Code::BadEinsum);
        assert_eq!(parse(&[1, 5]).unwrap_err().code, Code::BadAttribute);
    }
}
