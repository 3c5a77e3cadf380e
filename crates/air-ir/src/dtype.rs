//! Element types and NumPy's promotion rules.

use std::fmt;

/// The element type of a tensor.
///
/// The text form uses the short names (`f64`, `i32`, `c128`); [`DType::numpy_name`] gives NumPy's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DType {
    /// Boolean, one byte (0 or 1).
    Bool,
    /// Signed 8-bit integer.
    I8,
    /// Signed 16-bit integer.
    I16,
    /// Signed 32-bit integer.
    I32,
    /// Signed 64-bit integer.
    I64,
    /// Unsigned 8-bit integer.
    U8,
    /// Unsigned 16-bit integer.
    U16,
    /// Unsigned 32-bit integer.
    U32,
    /// Unsigned 64-bit integer.
    U64,
    /// IEEE binary16.
    F16,
    /// bfloat16 (8-bit exponent, 7-bit mantissa).
    BF16,
    /// IEEE binary32.
    F32,
    /// IEEE binary64.
    F64,
    /// Complex of two `f32`.
    C64,
    /// Complex of two `f64`.
    C128,
}

/// The family a dtype belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// `bool`.
    Bool,
    /// Unsigned integers.
    Unsigned,
    /// Signed integers.
    Signed,
    /// Real floating point.
    Float,
    /// Complex floating point.
    Complex,
}

impl DType {
    /// Every dtype, in declaration order.
    pub const ALL: [DType; 15] = [
        DType::Bool,
        DType::I8,
        DType::I16,
        DType::I32,
        DType::I64,
        DType::U8,
        DType::U16,
        DType::U32,
        DType::U64,
        DType::F16,
        DType::BF16,
        DType::F32,
        DType::F64,
        DType::C64,
        DType::C128,
    ];

    /// The short name used by the text form and the CLI (`f64`).
    pub fn name(self) -> &'static str {
        match self {
            DType::Bool => "bool",
            DType::I8 => "i8",
            DType::I16 => "i16",
            DType::I32 => "i32",
            DType::I64 => "i64",
            DType::U8 => "u8",
            DType::U16 => "u16",
            DType::U32 => "u32",
            DType::U64 => "u64",
            DType::F16 => "f16",
            DType::BF16 => "bf16",
            DType::F32 => "f32",
            DType::F64 => "f64",
            DType::C64 => "c64",
            DType::C128 => "c128",
        }
    }

    /// NumPy's name for the dtype (`float64`); bfloat16 has none in NumPy and is named `bfloat16`.
    pub fn numpy_name(self) -> &'static str {
        match self {
            DType::Bool => "bool",
            DType::I8 => "int8",
            DType::I16 => "int16",
            DType::I32 => "int32",
            DType::I64 => "int64",
            DType::U8 => "uint8",
            DType::U16 => "uint16",
            DType::U32 => "uint32",
            DType::U64 => "uint64",
            DType::F16 => "float16",
            DType::BF16 => "bfloat16",
            DType::F32 => "float32",
            DType::F64 => "float64",
            DType::C64 => "complex64",
            DType::C128 => "complex128",
        }
    }

    /// Parses a short name (`f64`) or a NumPy name (`float64`).
    pub fn from_name(s: &str) -> Option<DType> {
        DType::ALL
            .into_iter()
            .find(|d| d.name() == s || d.numpy_name() == s)
    }

    /// Size of one element in bytes.
    pub fn size_bytes(self) -> usize {
        match self {
            DType::Bool | DType::I8 | DType::U8 => 1,
            DType::I16 | DType::U16 | DType::F16 | DType::BF16 => 2,
            DType::I32 | DType::U32 | DType::F32 => 4,
            DType::I64 | DType::U64 | DType::F64 | DType::C64 => 8,
            DType::C128 => 16,
        }
    }

    /// The family of the dtype.
    pub fn kind(self) -> Kind {
        match self {
            DType::Bool => Kind::Bool,
            DType::I8 | DType::I16 | DType::I32 | DType::I64 => Kind::Signed,
            DType::U8 | DType::U16 | DType::U32 | DType::U64 => Kind::Unsigned,
            DType::F16 | DType::BF16 | DType::F32 | DType::F64 => Kind::Float,
            DType::C64 | DType::C128 => Kind::Complex,
        }
    }

    /// True for `bool`.
    pub fn is_bool(self) -> bool {
        self.kind() == Kind::Bool
    }
    /// True for signed and unsigned integers (not `bool`).
    pub fn is_int(self) -> bool {
        matches!(self.kind(), Kind::Signed | Kind::Unsigned)
    }
    /// True for signed integers.
    pub fn is_signed_int(self) -> bool {
        self.kind() == Kind::Signed
    }
    /// True for real floating point dtypes.
    pub fn is_float(self) -> bool {
        self.kind() == Kind::Float
    }
    /// True for complex dtypes.
    pub fn is_complex(self) -> bool {
        self.kind() == Kind::Complex
    }
    /// True for integers, floats and complex numbers (everything but `bool`).
    pub fn is_numeric(self) -> bool {
        !self.is_bool()
    }
    /// True for dtypes with a total order (`bool`, integers, real floats).
    pub fn is_ordered(self) -> bool {
        !self.is_complex()
    }

    /// The real dtype of the components of a complex dtype; the dtype itself otherwise.
    pub fn real_part(self) -> DType {
        match self {
            DType::C64 => DType::F32,
            DType::C128 => DType::F64,
            real @ (DType::Bool
            | DType::I8
            | DType::I16
            | DType::I32
            | DType::I64
            | DType::U8
            | DType::U16
            | DType::U32
            | DType::U64
            | DType::F16
            | DType::BF16
            | DType::F32
            | DType::F64) => real,
        }
    }

    /// The complex dtype whose components are `self`: `c64` for `f32`, `c128` for `f64`, `None`
    /// for every other dtype (there is no complex of `f16`, `bf16` or integers).
    pub fn complex_of(self) -> Option<DType> {
        match self {
            DType::F32 => Some(DType::C64),
            DType::F64 => Some(DType::C128),
            DType::Bool
            | DType::I8
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
            | DType::C128 => None,
        }
    }

    fn bits(self) -> usize {
        self.size_bytes() * 8
    }

    fn signed_with_bits(bits: usize) -> Option<DType> {
        match bits {
            8 => Some(DType::I8),
            16 => Some(DType::I16),
            32 => Some(DType::I32),
            64 => Some(DType::I64),
            _ => None,
        }
    }

    /// The smallest float that holds every value of an integer dtype as NumPy does it
    /// (`int8`/`uint8` -> f16, 16-bit -> f32, wider -> f64).
    fn float_for_int(self) -> DType {
        match self.bits() {
            8 => DType::F16,
            16 => DType::F32,
            _ => DType::F64,
        }
    }

    /// NumPy's `result_type` for two array dtypes (NEP 50: no value-based casting).
    ///
    /// This is the one place AIR's promotion rule lives; the builder calls it.
    pub fn promote(a: DType, b: DType) -> DType {
        use Kind::*;
        if a == b {
            return a;
        }
        let (lo, hi) = if a.kind() <= b.kind() { (a, b) } else { (b, a) };
        match (lo.kind(), hi.kind()) {
            (Bool, _) => hi,
            (Unsigned, Unsigned) | (Signed, Signed) => {
                if lo.bits() >= hi.bits() {
                    lo
                } else {
                    hi
                }
            }
            (Unsigned, Signed) => {
                if hi.bits() > lo.bits() {
                    hi
                } else {
                    DType::signed_with_bits(lo.bits() * 2).unwrap_or(DType::F64)
                }
            }
            (Unsigned | Signed, Float) => DType::promote_float(lo.float_for_int(), hi),
            (Unsigned | Signed, Complex) => {
                let f = DType::promote_float(lo.float_for_int(), hi.real_part());
                complex_of(f)
            }
            (Float, Float) => DType::promote_float(lo, hi),
            (Float, Complex) => complex_of(DType::promote_float(lo, hi.real_part())),
            (Complex, Complex) => {
                if lo.bits() >= hi.bits() {
                    lo
                } else {
                    hi
                }
            }
            _ => unreachable!("kinds are ordered lo <= hi"),
        }
    }

    fn promote_float(a: DType, b: DType) -> DType {
        match (a, b) {
            _ if a == b => a,
            (DType::F16, DType::BF16) | (DType::BF16, DType::F16) => DType::F32,
            _ => {
                if a.bits() >= b.bits() {
                    a
                } else {
                    b
                }
            }
        }
    }
}

fn complex_of(f: DType) -> DType {
    if f == DType::F64 {
        DType::C128
    } else {
        DType::C64
    }
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::DType::*;
    use super::*;

    #[test]
    fn promotion_matches_numpy_table() {
        // Rows checked against numpy.result_type (NumPy 2).
        let cases = [
            (Bool, I8, I8),
            (U8, I8, I16),
            (U32, I32, I64),
            (U64, I64, F64),
            (U16, I64, I64),
            (I8, F16, F16),
            (I16, F16, F32),
            (I32, F32, F64),
            (I64, F32, F64),
            (U8, F32, F32),
            (F32, C64, C64),
            (F64, C64, C128),
            (I64, C64, C128),
            (I8, C64, C64),
            (F16, BF16, F32),
            (Bool, Bool, Bool),
        ];
        for (a, b, want) in cases {
            assert_eq!(DType::promote(a, b), want, "{a} + {b}");
            assert_eq!(DType::promote(b, a), want, "{b} + {a}");
        }
    }

    #[test]
    fn names_round_trip() {
        for d in DType::ALL {
            assert_eq!(DType::from_name(d.name()), Some(d));
            assert_eq!(DType::from_name(d.numpy_name()), Some(d));
        }
    }
}
