//! Tensor types and literal values.

use std::fmt;

use crate::dim::Dim;
use crate::dtype::DType;

/// A tensor type: an element type and a shape of known rank. Rank 0 is a scalar.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TensorType {
    /// The element type.
    pub dtype: DType,
    /// One dim per axis.
    pub shape: Vec<Dim>,
}

impl TensorType {
    /// A tensor type from a dtype and dims.
    pub fn new(dtype: DType, shape: Vec<Dim>) -> TensorType {
        TensorType { dtype, shape }
    }

    /// A rank-0 type.
    pub fn scalar(dtype: DType) -> TensorType {
        TensorType {
            dtype,
            shape: vec![],
        }
    }

    /// A type with constant dims.
    pub fn fixed(dtype: DType, dims: &[i64]) -> TensorType {
        TensorType {
            dtype,
            shape: dims.iter().map(|&d| Dim::constant(d)).collect(),
        }
    }

    /// The number of axes.
    pub fn rank(&self) -> usize {
        self.shape.len()
    }

    /// The same shape with another dtype.
    pub fn with_dtype(&self, dtype: DType) -> TensorType {
        TensorType {
            dtype,
            shape: self.shape.clone(),
        }
    }

    /// The dims as constants when all of them are constant.
    pub fn static_shape(&self) -> Option<Vec<i64>> {
        self.shape.iter().map(Dim::as_const).collect()
    }
}

impl fmt::Display for TensorType {
    /// `f64[n, m]`; a scalar prints as its dtype alone (`f64`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.dtype)?;
        if !self.shape.is_empty() {
            let dims: Vec<String> = self.shape.iter().map(ToString::to_string).collect();
            write!(f, "[{}]", dims.join(", "))?;
        }
        Ok(())
    }
}

/// A constant tensor: a dtype, a static shape and the elements as little-endian bytes in C order.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Literal {
    /// The element type.
    pub dtype: DType,
    /// The static shape.
    pub shape: Vec<u64>,
    /// `product(shape) * dtype.size_bytes()` little-endian bytes, C order.
    pub data: Vec<u8>,
}

/// A literal whose byte length does not match its shape.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("literal of type {dtype}{shape:?} needs {expected} bytes, got {actual}")]
pub struct LiteralSizeError {
    /// The literal's dtype.
    pub dtype: DType,
    /// The literal's shape.
    pub shape: Vec<u64>,
    /// Bytes the shape needs (saturating).
    pub expected: u128,
    /// Bytes present.
    pub actual: usize,
}

impl Literal {
    /// Checks the byte length against the shape and builds the literal.
    pub fn new(dtype: DType, shape: Vec<u64>, data: Vec<u8>) -> Result<Literal, LiteralSizeError> {
        let expected = Literal::byte_len(dtype, &shape);
        if expected != data.len() as u128 {
            return Err(LiteralSizeError {
                dtype,
                shape,
                expected,
                actual: data.len(),
            });
        }
        Ok(Literal { dtype, shape, data })
    }

    /// Bytes needed by a literal of this dtype and shape (saturating at `u128::MAX`).
    pub fn byte_len(dtype: DType, shape: &[u64]) -> u128 {
        shape.iter().fold(dtype.size_bytes() as u128, |acc, &d| {
            acc.saturating_mul(d as u128)
        })
    }

    /// A rank-0 `f64` literal.
    pub fn f64(v: f64) -> Literal {
        Literal {
            dtype: DType::F64,
            shape: vec![],
            data: v.to_le_bytes().to_vec(),
        }
    }

    /// A rank-0 `i64` literal.
    pub fn i64(v: i64) -> Literal {
        Literal {
            dtype: DType::I64,
            shape: vec![],
            data: v.to_le_bytes().to_vec(),
        }
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        self.data.len() / self.dtype.size_bytes()
    }

    /// True when the literal has no elements.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The type of the literal.
    pub fn ty(&self) -> TensorType {
        TensorType {
            dtype: self.dtype,
            shape: self
                .shape
                .iter()
                .map(|&d| Dim::constant(d as i64))
                .collect(),
        }
    }

    /// The elements as scalars, in C order.
    pub fn elements(&self) -> impl Iterator<Item = Scalar> + '_ {
        let size = self.dtype.size_bytes();
        self.data
            .chunks_exact(size)
            .map(move |c| Scalar::from_le_bytes(self.dtype, c))
    }

    /// Builds a literal from scalars of its dtype (each is converted with [`Scalar::to_le_bytes`]).
    pub fn from_scalars(
        dtype: DType,
        shape: Vec<u64>,
        values: &[Scalar],
    ) -> Result<Literal, LiteralSizeError> {
        let mut data = Vec::with_capacity(values.len() * dtype.size_bytes());
        for v in values {
            data.extend(v.to_le_bytes(dtype));
        }
        Literal::new(dtype, shape, data)
    }
}

/// One element value, wide enough for every dtype.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scalar {
    /// `bool`.
    Bool(bool),
    /// Any signed integer dtype.
    Int(i64),
    /// Any unsigned integer dtype.
    UInt(u64),
    /// Any real float dtype (f16/bf16/f32 values widened exactly).
    Float(f64),
    /// Any complex dtype: (re, im).
    Complex(f64, f64),
}

impl Scalar {
    /// Decodes one element of `dtype` from its little-endian bytes (`bytes.len()` is the size).
    pub fn from_le_bytes(dtype: DType, b: &[u8]) -> Scalar {
        let arr = |n: usize| -> [u8; 8] {
            let mut a = [0u8; 8];
            a[..n].copy_from_slice(&b[..n]);
            a
        };
        match dtype {
            DType::Bool => Scalar::Bool(b[0] != 0),
            DType::I8 => Scalar::Int(b[0] as i8 as i64),
            DType::I16 => Scalar::Int(i16::from_le_bytes([b[0], b[1]]) as i64),
            DType::I32 => Scalar::Int(i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as i64),
            DType::I64 => Scalar::Int(i64::from_le_bytes(arr(8))),
            DType::U8 => Scalar::UInt(b[0] as u64),
            DType::U16 => Scalar::UInt(u16::from_le_bytes([b[0], b[1]]) as u64),
            DType::U32 => Scalar::UInt(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as u64),
            DType::U64 => Scalar::UInt(u64::from_le_bytes(arr(8))),
            DType::F16 => Scalar::Float(half::f16::from_le_bytes([b[0], b[1]]).to_f64()),
            DType::BF16 => Scalar::Float(half::bf16::from_le_bytes([b[0], b[1]]).to_f64()),
            DType::F32 => Scalar::Float(f32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f64),
            DType::F64 => Scalar::Float(f64::from_le_bytes(arr(8))),
            DType::C64 => Scalar::Complex(
                f32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f64,
                f32::from_le_bytes([b[4], b[5], b[6], b[7]]) as f64,
            ),
            DType::C128 => {
                let mut im = [0u8; 8];
                im.copy_from_slice(&b[8..16]);
                Scalar::Complex(f64::from_le_bytes(arr(8)), f64::from_le_bytes(im))
            }
        }
    }

    /// Encodes the value as `dtype` (integers wrap, floats round to nearest).
    pub fn to_le_bytes(self, dtype: DType) -> Vec<u8> {
        let (re, im) = self.as_complex();
        let int = self.as_i128();
        match dtype {
            DType::Bool => vec![u8::from(re != 0.0 || im != 0.0 || int != 0)],
            DType::I8 => (int as i8).to_le_bytes().to_vec(),
            DType::I16 => (int as i16).to_le_bytes().to_vec(),
            DType::I32 => (int as i32).to_le_bytes().to_vec(),
            DType::I64 => (int as i64).to_le_bytes().to_vec(),
            DType::U8 => (int as u8).to_le_bytes().to_vec(),
            DType::U16 => (int as u16).to_le_bytes().to_vec(),
            DType::U32 => (int as u32).to_le_bytes().to_vec(),
            DType::U64 => (int as u64).to_le_bytes().to_vec(),
            DType::F16 => half::f16::from_f64(re).to_le_bytes().to_vec(),
            DType::BF16 => half::bf16::from_f64(re).to_le_bytes().to_vec(),
            DType::F32 => (re as f32).to_le_bytes().to_vec(),
            DType::F64 => re.to_le_bytes().to_vec(),
            DType::C64 => [(re as f32).to_le_bytes(), (im as f32).to_le_bytes()].concat(),
            DType::C128 => [re.to_le_bytes(), im.to_le_bytes()].concat(),
        }
    }

    /// The value as a complex pair (integers and bools widened, imaginary part 0).
    pub fn as_complex(self) -> (f64, f64) {
        match self {
            Scalar::Bool(b) => (f64::from(u8::from(b)), 0.0),
            Scalar::Int(i) => (i as f64, 0.0),
            Scalar::UInt(u) => (u as f64, 0.0),
            Scalar::Float(f) => (f, 0.0),
            Scalar::Complex(re, im) => (re, im),
        }
    }

    /// The value as an integer (floats truncate toward zero, saturating; NaN gives 0).
    pub fn as_i128(self) -> i128 {
        match self {
            Scalar::Bool(b) => i128::from(b),
            Scalar::Int(i) => i128::from(i),
            Scalar::UInt(u) => i128::from(u),
            Scalar::Float(f) | Scalar::Complex(f, _) => f as i128,
        }
    }
}
