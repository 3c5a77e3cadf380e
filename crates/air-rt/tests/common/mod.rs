//! Test helpers: tensors placed in memory in several layouts behind C descriptors, results read
//! back, and the interpreter run on a one-node module built from the `air-ir` structs.
#![allow(dead_code, unsafe_code)]

use air_ir::{
    DType, Function, Intent, Module, Node, Op, Param, Region, RegionParam, ResultDecl, TensorType,
    Value,
};
use air_rt::abi::{dtype_code, AirError, AirTensor};
use air_value::{RunError, Tensor};

/// How a tensor's elements are laid out in memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// Row-major.
    C,
    /// Column-major.
    F,
    /// Row-major memory with every axis read backwards (negative strides).
    Reversed,
    /// Axes stored in rotated order, the first axis backwards, and a gap of one element between
    /// neighbours on the innermost memory axis (permuted, negative and padded strides).
    Strided,
    /// Stride 0 along this axis (the values must repeat along it: see [`repeat_along`]).
    Broadcast(usize),
}

/// Every layout for a tensor of `rank` (broadcast along each axis of extent > 1).
pub fn layouts(shape: &[usize]) -> Vec<Layout> {
    let mut v = vec![Layout::C, Layout::F, Layout::Reversed, Layout::Strided];
    v.extend(
        (0..shape.len())
            .filter(|&a| shape[a] > 1)
            .map(Layout::Broadcast),
    );
    v
}

/// A tensor in memory with its descriptor arrays.
pub struct Placed {
    storage: Vec<u64>,
    offset: isize,
    pub shape: Vec<i64>,
    pub strides: Vec<i64>,
    pub dtype: DType,
}

impl Placed {
    /// The descriptor (valid while `self` lives and is not moved).
    pub fn desc(&mut self) -> AirTensor {
        AirTensor {
            data: (self.storage.as_mut_ptr() as *mut u8).wrapping_offset(self.offset),
            shape: self.shape.as_mut_ptr(),
            strides: self.strides.as_mut_ptr(),
            rank: self.shape.len() as i32,
            dtype: dtype_code(self.dtype),
        }
    }
}

/// Element strides and the offset of the first element for a layout.
fn layout_strides(shape: &[usize], layout: Layout) -> (Vec<isize>, isize, usize) {
    let rank = shape.len();
    let c = |order: &[usize], gap: isize| {
        // Memory axes in `order`, innermost last.
        let mut s = vec![0isize; rank];
        let mut acc = gap;
        for &a in order.iter().rev() {
            s[a] = acc;
            acc *= shape[a].max(1) as isize;
        }
        (s, acc.max(1) as usize)
    };
    let natural: Vec<usize> = (0..rank).collect();
    let (mut s, len, flip): (Vec<isize>, usize, Vec<usize>) = match layout {
        Layout::C => {
            let (s, n) = c(&natural, 1);
            (s, n, vec![])
        }
        Layout::F => {
            let rev: Vec<usize> = (0..rank).rev().collect();
            let (s, n) = c(&rev, 1);
            (s, n, vec![])
        }
        Layout::Reversed => {
            let (s, n) = c(&natural, 1);
            (s, n, natural.clone())
        }
        Layout::Strided => {
            let rot: Vec<usize> = (1..rank).chain((rank > 0).then_some(0)).collect();
            let (s, n) = c(&rot, 2);
            (s, n, (rank > 0).then_some(0).into_iter().collect())
        }
        Layout::Broadcast(axis) => {
            let mut sh = shape.to_vec();
            sh[axis] = 1;
            let (mut s, n) = c(&natural, 1);
            s[axis] = 0;
            let _ = sh;
            (s, n, vec![])
        }
    };
    let mut offset = 0isize;
    for a in flip {
        if shape[a] > 0 {
            offset += (shape[a] as isize - 1) * s[a];
        }
        s[a] = -s[a];
    }
    (s, offset, len)
}

/// The multi-indices of a shape in C order.
pub fn indices(shape: &[usize]) -> Vec<Vec<usize>> {
    let n: usize = shape.iter().product();
    (0..n)
        .map(|mut flat| {
            let mut idx = vec![0; shape.len()];
            for k in (0..shape.len()).rev() {
                idx[k] = flat % shape[k];
                flat /= shape[k];
            }
            idx
        })
        .collect()
}

/// Places a tensor's elements in memory in a layout.
pub fn place(t: &Tensor, layout: Layout) -> Placed {
    let shape = t.shape().to_vec();
    let es = t.dtype().size_bytes();
    let bytes = t.to_le_bytes();
    let (strides, offset, len) = layout_strides(&shape, layout);
    let mut storage = vec![0u64; (len * es).div_ceil(8) + 1];
    let mem = storage.as_mut_ptr() as *mut u8;
    for (ci, idx) in indices(&shape).iter().enumerate() {
        let pos: isize = offset
            + idx
                .iter()
                .zip(&strides)
                .map(|(&i, &s)| i as isize * s)
                .sum::<isize>();
        for b in 0..es {
            // SAFETY: pos is an element position inside `storage` by construction.
            unsafe { *mem.offset(pos * es as isize + b as isize) = bytes[ci * es + b] };
        }
    }
    Placed {
        storage,
        offset: offset * es as isize,
        shape: shape.iter().map(|&n| n as i64).collect(),
        strides: strides
            .iter()
            .map(|&s| s * es as i64 as isize)
            .map(|s| s as i64)
            .collect(),
        dtype: t.dtype(),
    }
}

/// The tensor with its slice 0 along `axis` repeated along the axis.
pub fn repeat_along(t: &Tensor, axis: usize) -> Tensor {
    let shape = t.shape().to_vec();
    let es = t.dtype().size_bytes();
    let bytes = t.to_le_bytes();
    let c: Vec<usize> = {
        let mut s = vec![1usize; shape.len()];
        for k in (0..shape.len().saturating_sub(1)).rev() {
            s[k] = s[k + 1] * shape[k + 1];
        }
        s
    };
    let mut out = Vec::with_capacity(bytes.len());
    for idx in indices(&shape) {
        let src: usize = idx
            .iter()
            .enumerate()
            .map(|(k, &i)| if k == axis { 0 } else { i * c[k] })
            .sum();
        out.extend_from_slice(&bytes[src * es..(src + 1) * es]);
    }
    Tensor::from_le_bytes(t.dtype(), &shape, &out).expect("shape")
}

/// Reads a descriptor (any strides) back into a tensor.
pub fn read(d: &AirTensor) -> Tensor {
    let dtype = air_rt::abi::dtype_of_code(d.dtype).expect("dtype");
    let rank = d.rank as usize;
    // SAFETY: the descriptor's arrays hold `rank` values (tests build them so).
    let (shape, strides) = unsafe {
        (
            std::slice::from_raw_parts(d.shape, rank)
                .iter()
                .map(|&n| n as usize)
                .collect::<Vec<_>>(),
            std::slice::from_raw_parts(d.strides, rank).to_vec(),
        )
    };
    let es = dtype.size_bytes();
    let mut bytes = Vec::new();
    for idx in indices(&shape) {
        let off: i64 = idx.iter().zip(&strides).map(|(&i, &s)| i as i64 * s).sum();
        for b in 0..es {
            // SAFETY: the offset is an element of the descriptor.
            bytes.push(unsafe { *d.data.offset(off as isize + b as isize) });
        }
    }
    Tensor::from_le_bytes(dtype, &shape, &bytes).expect("shape")
}

/// A result descriptor with NULL data (the op allocates), with arrays of `rank`.
pub struct OutSlot {
    pub shape: Vec<i64>,
    pub strides: Vec<i64>,
    pub desc: AirTensor,
}

impl OutSlot {
    pub fn new(dtype: DType, rank: usize) -> Box<OutSlot> {
        let mut s = Box::new(OutSlot {
            shape: vec![-1; rank],
            strides: vec![0; rank],
            desc: AirTensor {
                data: std::ptr::null_mut(),
                shape: std::ptr::null_mut(),
                strides: std::ptr::null_mut(),
                rank: rank as i32,
                dtype: dtype_code(dtype),
            },
        });
        s.desc.shape = s.shape.as_mut_ptr();
        s.desc.strides = s.strides.as_mut_ptr();
        s
    }

    /// The result, read back.
    pub fn tensor(&self) -> Tensor {
        read(&self.desc)
    }
}

impl Drop for OutSlot {
    fn drop(&mut self) {
        // SAFETY: data is NULL or came from air_rt_alloc.
        unsafe { air_rt::air_free(self.desc.data) };
    }
}

/// A runtime op's signature.
pub type RtOp = unsafe extern "C" fn(
    *const AirTensor,
    i64,
    *mut AirTensor,
    *const i64,
    i64,
    *mut AirError,
) -> i32;

/// Calls a runtime op on placed inputs into `out`; `Err((code, message))` on failure.
pub fn call(
    op: RtOp,
    ins: &mut [Placed],
    attrs: &[i64],
    out: &mut AirTensor,
) -> Result<(), (i32, String)> {
    let descs: Vec<AirTensor> = ins.iter_mut().map(Placed::desc).collect();
    let mut err = AirError::default();
    // SAFETY: every descriptor points to live test memory.
    let rc = unsafe {
        op(
            descs.as_ptr(),
            descs.len() as i64,
            out,
            attrs.as_ptr(),
            attrs.len() as i64,
            &mut err,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        assert_eq!(rc, err.code);
        Err((rc, err.text()))
    }
}

/// Calls a runtime op with every input in `layouts[i]`, allocating the result.
pub fn run_rt(
    op: RtOp,
    ins: &[Tensor],
    layouts: &[Layout],
    attrs: &[i64],
    dtype: DType,
    rank: usize,
) -> Result<Tensor, (i32, String)> {
    let mut placed: Vec<Placed> = ins.iter().zip(layouts).map(|(t, &l)| place(t, l)).collect();
    let mut out = OutSlot::new(dtype, rank);
    call(op, &mut placed, attrs, &mut out.desc)?;
    Ok(out.tensor())
}

/// Runs a one-node function `@f(p0, p1, ...) -> (r: result)` in the interpreter, validated.
pub fn interp(op: Op, args: &[Tensor], result: TensorType) -> Result<Tensor, RunError> {
    interp_with(op, args, result, true)
}

/// As [`interp`] without the validator (for results with fresh dims declared as constants; the
/// interpreter still checks every result against its declared type).
pub fn interp_unchecked(op: Op, args: &[Tensor], result: TensorType) -> Result<Tensor, RunError> {
    interp_with(op, args, result, false)
}

fn interp_with(
    op: Op,
    args: &[Tensor],
    result: TensorType,
    validate: bool,
) -> Result<Tensor, RunError> {
    let params: Vec<Param> = args
        .iter()
        .enumerate()
        .map(|(i, a)| Param {
            name: format!("p{i}"),
            ty: TensorType::fixed(
                a.dtype(),
                &a.shape().iter().map(|&d| d as i64).collect::<Vec<_>>(),
            ),
            intent: Intent::In,
            size: None,
        })
        .collect();
    let mut body = Region {
        params: params
            .iter()
            .map(|p| RegionParam {
                name: p.name.clone(),
                ty: p.ty.clone(),
            })
            .collect(),
        nodes: vec![],
        results: vec![],
    };
    let operands = (0..args.len() as u32).map(Value::Param).collect();
    let id = body.push(Node::new(op, operands, vec![result.clone()]));
    body.results = vec![Value::of(id)];
    let f = Function {
        name: "f".into(),
        params,
        results: vec![ResultDecl {
            name: Some("r".into()),
            ty: result,
        }],
        body,
        loc: None,
    };
    let m = Module {
        functions: vec![f],
        ..Module::default()
    };
    let named: Vec<(String, Tensor)> = args
        .iter()
        .enumerate()
        .map(|(i, a)| (format!("p{i}"), a.clone()))
        .collect();
    let run = if validate {
        air_interp::run
    } else {
        air_interp::run_unchecked
    };
    run(&m, "f", &named).map(|mut o| o.remove(0).1)
}

/// A static tensor type.
pub fn fixed(dtype: DType, shape: &[usize]) -> TensorType {
    TensorType::fixed(dtype, &shape.iter().map(|&d| d as i64).collect::<Vec<_>>())
}

/// A small deterministic generator (xorshift).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A value in `[lo, hi)`.
    pub fn int(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo) as u64) as i64
    }

    /// A float in `[-1, 1)`.
    pub fn float(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    }
}

/// A random tensor of a dtype: small integers (some negative), floats in [-4, 4) with a few
/// NaNs and infinities when `specials`.
pub fn random(rng: &mut Rng, dtype: DType, shape: &[usize], specials: bool) -> Tensor {
    let n: usize = shape.iter().product();
    let es = dtype.size_bytes();
    let mut bytes = Vec::with_capacity(n * es);
    for _ in 0..n {
        let special = specials && rng.int(0, 8) == 0;
        let v = rng.int(-9, 10);
        let f = if special {
            [f64::NAN, f64::INFINITY, f64::NEG_INFINITY][rng.int(0, 3) as usize]
        } else {
            rng.float() * 4.0
        };
        match dtype {
            DType::Bool => bytes.push(u8::from(v > 0)),
            DType::F32 => bytes.extend((f as f32).to_le_bytes()),
            DType::F64 => bytes.extend(f.to_le_bytes()),
            DType::I8
            | DType::I16
            | DType::I32
            | DType::I64
            | DType::U8
            | DType::U16
            | DType::U32
            | DType::U64
            | DType::F16
            | DType::BF16
            | DType::C64
            | DType::C128 => bytes.extend(&v.to_le_bytes()[..es]),
        }
    }
    Tensor::from_le_bytes(dtype, shape, &bytes).expect("shape")
}

/// Every dtype the runtime supports.
pub const DTYPES: [DType; 11] = [
    DType::Bool,
    DType::I8,
    DType::I16,
    DType::I32,
    DType::I64,
    DType::U8,
    DType::U16,
    DType::U32,
    DType::U64,
    DType::F32,
    DType::F64,
];

/// Asserts two results are equal: bit-exact, or within `rtol` for floats when `rtol > 0`.
pub fn assert_same(got: &Tensor, want: &Tensor, rtol: f64, what: &str) {
    assert_eq!(got.dtype(), want.dtype(), "{what}: dtype");
    assert_eq!(got.shape(), want.shape(), "{what}: shape");
    if rtol > 0.0 && (got.dtype() == DType::F32 || got.dtype() == DType::F64) {
        if let Err(e) = air_value::check_close(got, want, rtol, rtol) {
            panic!("{what}: {e}");
        }
    } else {
        assert!(got.bits_eq(want), "{what}: got {got:?}, want {want:?}");
    }
}
