//! `matmul` with NumPy's rules: rank-1 operands promoted (and the added axis removed), batch
//! dims broadcast from the right.

use air_ir::{Code, DType};

use crate::abi::AirTensor;
use crate::elem::with_numeric;
use crate::error::{dtype_error, fail, Res};
use crate::ffi::Call;
use crate::gemm::{batched_gemm, Batch, Gemm, MatRef};
use crate::out::Out;
use crate::view::{offsets, Arg};
use crate::wide::Wide;

/// spec: #matmul — attrs `[threads]` (`<= 0`: every core).
pub(crate) fn matmul(call: Call<'_>) -> Res<()> {
    call.expect_ins(2)?;
    call.expect_attrs(1)?;
    let (a, b) = (&call.ins[0], &call.ins[1]);
    if a.rank() == 0 || b.rank() == 0 {
        return fail(Code::RankMismatch, "matmul operands must have rank >= 1");
    }
    if a.dtype != b.dtype {
        return fail(
            Code::DTypeMismatch,
            format!("operands are {} and {}", a.dtype, b.dtype),
        );
    }
    let threads = call.attrs[0];
    match a.dtype {
        DType::F16 => return matmul_wide::<half::f16>(a, b, call.out),
        DType::BF16 => return matmul_wide::<half::bf16>(a, b, call.out),
        DType::C64 => return matmul_wide::<num_complex::Complex32>(a, b, call.out),
        DType::C128 => return matmul_wide::<num_complex::Complex64>(a, b, call.out),
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
    with_numeric!(a.dtype, T => matmul_typed::<T>(a, b, threads, call.out),
        bool => dtype_error(DType::Bool), else dtype_error(a.dtype))
}

/// The product's plan: batch extents and strides, the matrix templates and the result shape.
struct Plan {
    batch: Vec<usize>,
    a_bs: Vec<isize>,
    b_bs: Vec<isize>,
    a: MatRef,
    b: MatRef,
    shape: Vec<usize>,
}

/// Shape and strides with a rank-1 operand promoted: `[k]` to `[1, k]` (`row`) or `[k, 1]`.
fn promoted(x: &Arg, row: bool) -> (Vec<usize>, Vec<isize>) {
    if x.rank() == 1 {
        let (n, s) = (x.shape[0], x.strides[0]);
        if row {
            (vec![1, n], vec![0, s])
        } else {
            (vec![n, 1], vec![s, 0])
        }
    } else {
        (x.shape.clone(), x.strides.clone())
    }
}

fn plan(a: &Arg, b: &Arg) -> Res<Plan> {
    let (ash, ast) = promoted(a, true);
    let (bsh, bst) = promoted(b, false);
    let (ra, rb) = (ash.len() - 2, bsh.len() - 2);
    let mat = |x: &Arg, sh: &[usize], st: &[isize], r: usize| MatRef {
        ptr: x.data,
        rows: sh[r],
        cols: sh[r + 1],
        rs: st[r],
        cs: st[r + 1],
    };
    let (am, bm) = (mat(a, &ash, &ast, ra), mat(b, &bsh, &bst, rb));
    if am.cols != bm.rows {
        return fail(
            Code::ContractionMismatch,
            format!("inner dims differ ({} vs {})", am.cols, bm.rows),
        );
    }
    let r = ra.max(rb);
    let (mut batch, mut a_bs, mut b_bs) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..r {
        // Right-aligned: missing leading dims are 1.
        let dim = |sh: &[usize], st: &[isize], rx: usize| {
            if i + rx >= r {
                (sh[i + rx - r], st[i + rx - r])
            } else {
                (1, 0)
            }
        };
        let ((x, xs), (y, ys)) = (dim(&ash, &ast, ra), dim(&bsh, &bst, rb));
        let n = match (x, y) {
            _ if x == y => x,
            (1, _) => y,
            (_, 1) => x,
            _ => {
                return fail(
                    Code::BadBroadcast,
                    format!("batch dims {x} and {y} do not broadcast"),
                )
            }
        };
        batch.push(n);
        a_bs.push(if x == 1 { 0 } else { xs });
        b_bs.push(if y == 1 { 0 } else { ys });
    }
    let mut shape = batch.clone();
    if a.rank() > 1 {
        shape.push(am.rows);
    }
    if b.rank() > 1 {
        shape.push(bm.cols);
    }
    Ok(Plan {
        batch,
        a_bs,
        b_bs,
        a: am,
        b: bm,
        shape,
    })
}

fn matmul_typed<T: Gemm>(a: &Arg, b: &Arg, threads: i64, out: &mut AirTensor) -> Res<()> {
    let p = plan(a, b)?;
    let mut o = Out::prepare(out, a.dtype, &p.shape, &[a, b], true)?;
    let batch = Batch {
        shape: &p.batch,
        a: &p.a_bs,
        b: &p.b_bs,
    };
    batched_gemm(&batch, &p.a, &p.b, o.slice::<T>(), threads);
    o.finish();
    Ok(())
}

/// `matmul` of f16, bf16, c64, c128 as the interpreter computes it: each result element is a
/// sum of products in the accumulator type (`f64`, `c128`), in order of the inner index,
/// rounded once.
fn matmul_wide<T: Wide>(a: &Arg, b: &Arg, out: &mut AirTensor) -> Res<()> {
    let p = plan(a, b)?;
    let mut o = Out::prepare(out, a.dtype, &p.shape, &[a, b], true)?;
    let c = o.slice::<T>();
    let (m, k, n) = (p.a.rows, p.a.cols, p.b.cols);
    let mn = m * n;
    if mn > 0 {
        let offs_a: Vec<isize> = offsets(&p.batch, &p.a_bs).collect();
        let offs_b: Vec<isize> = offsets(&p.batch, &p.b_bs).collect();
        let read = |base: *const u8, off: isize| -> T {
            // SAFETY: the offset addresses an element of the operand's layout (the plan's
            // extents and byte strides come from its descriptor).
            unsafe { (base.wrapping_offset(off) as *const T).read_unaligned() }
        };
        for (ci, (&oa, &ob)) in c.chunks_exact_mut(mn).zip(offs_a.iter().zip(&offs_b)) {
            for i in 0..m {
                for j in 0..n {
                    let mut acc = T::ZERO;
                    for l in 0..k {
                        let x = read(p.a.ptr, oa + i as isize * p.a.rs + l as isize * p.a.cs);
                        let y = read(p.b.ptr, ob + l as isize * p.b.rs + j as isize * p.b.cs);
                        acc = acc + x.to_acc() * y.to_acc();
                    }
                    ci[i * n + j] = T::from_acc(acc);
                }
            }
        }
    }
    o.finish();
    Ok(())
}
