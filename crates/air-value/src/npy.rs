//! NumPy's `.npy` format: read and write, for every AIR dtype NumPy has.
//!
//! Reading accepts format versions 1, 2 and 3, little- and big-endian data, C and Fortran order,
//! and structured arrays (split into one tensor per field; padding fields are skipped). It refuses
//! object arrays (they need pickle) and never allocates more than the input holds: the header is
//! bounded by [`MAX_HEADER_LEN`], the data by [`MAX_ARRAY_BYTES`], and the data must be exactly as
//! long as the header says. Writing produces what `numpy.save` does (version 1.0, little-endian,
//! C order, header padded to 64 bytes). `bf16` has no NumPy dtype and is refused both ways.

use std::path::Path;

use air_ir::DType;
use ndarray::IxDyn;

use crate::npy_header::{parse, Py};
use crate::npz::NpzError;
use crate::{map_array, Tensor};

/// The longest header accepted, in bytes.
pub const MAX_HEADER_LEN: usize = 1 << 16;
/// The largest array accepted, in bytes of data.
pub const MAX_ARRAY_BYTES: u64 = 1 << 34;
/// The highest rank accepted.
pub const MAX_RANK: usize = 32;

const MAGIC: &[u8] = b"\x93NUMPY";

/// What an `.npy` file holds.
#[derive(Clone, Debug, PartialEq)]
pub enum NpyContent {
    /// A plain array.
    Array(Tensor),
    /// A structured (record) array: one tensor per named field, in field order.
    Record(Vec<(String, Tensor)>),
}

/// Reads an `.npy` file holding a plain (not structured) array.
pub fn read_npy(path: impl AsRef<Path>) -> Result<Tensor, NpzError> {
    let bytes = read_file(path.as_ref())?;
    match decode(&bytes)? {
        NpyContent::Array(t) => Ok(t),
        NpyContent::Record(fields) => Err(NpzError::Unsupported(format!(
            "{}: a structured array (fields {}); use npy::decode or read_npz",
            path.as_ref().display(),
            fields
                .iter()
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// Writes a tensor as an `.npy` file.
pub fn write_npy(path: impl AsRef<Path>, t: &Tensor) -> Result<(), NpzError> {
    let bytes = encode(t)?;
    std::fs::write(path.as_ref(), bytes).map_err(|e| NpzError::io(path.as_ref(), e))
}

/// Reads a file of at most [`crate::npz::DEFAULT_MAX_BYTES`] of data plus a header, reading
/// no more than one byte past that (so `/dev/zero` is refused, not read until memory runs out).
pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>, NpzError> {
    use std::io::Read;
    let limit = crate::npz::DEFAULT_MAX_BYTES + MAX_HEADER_LEN as u64 + 16;
    let file = std::fs::File::open(path).map_err(|e| NpzError::io(path, e))?;
    let mut bytes = vec![];
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| NpzError::io(path, e))?;
    if bytes.len() as u64 > limit {
        return Err(NpzError::TooLarge(format!(
            "{}: more than {limit} bytes",
            path.display()
        )));
    }
    Ok(bytes)
}

/// A scalar element format: the dtype and whether the bytes are big-endian.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Format {
    dtype: DType,
    big_endian: bool,
}

/// One field of a structured dtype.
enum Field {
    /// A named value, possibly a sub-array of `shape` per record.
    Value {
        name: String,
        format: Format,
        shape: Vec<usize>,
    },
    /// Unnamed padding bytes.
    Padding(usize),
}

impl Field {
    fn size(&self) -> Option<usize> {
        match self {
            Field::Value { format, shape, .. } => shape
                .iter()
                .try_fold(format.dtype.size_bytes(), |a, &d| a.checked_mul(d)),
            Field::Padding(n) => Some(*n),
        }
    }
}

/// Decodes the bytes of an `.npy` file.
// a malformed .npy header is rejected whatever other Python value it holds
#[allow(clippy::wildcard_enum_match_arm)]
pub fn decode(bytes: &[u8]) -> Result<NpyContent, NpzError> {
    let (header, data) = split_header(bytes)?;
    let (descr, fortran, shape) = header_fields(&header)?;
    match &descr {
        Py::Str(s) => {
            let format = parse_format(s)?;
            let record = [Field::Value {
                name: String::new(),
                format,
                shape: vec![],
            }];
            let mut fields = split_records(&record, &shape, fortran, data)?;
            Ok(NpyContent::Array(fields.remove(0).1))
        }
        Py::List(items) => {
            let fields = items
                .iter()
                .map(parse_field)
                .collect::<Result<Vec<Field>, _>>()?;
            Ok(NpyContent::Record(split_records(
                &fields, &shape, fortran, data,
            )?))
        }
        other => Err(malformed(format!(
            "descr must be a string or a list, got {other:?}"
        ))),
    }
}

fn malformed(msg: impl Into<String>) -> NpzError {
    NpzError::Malformed(msg.into())
}

/// The header text and the data after it.
fn split_header(bytes: &[u8]) -> Result<(String, &[u8]), NpzError> {
    if bytes.len() < 10 || &bytes[..6] != MAGIC {
        return Err(malformed("not an .npy file (bad magic)"));
    }
    let (len, start) = match bytes[6] {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 if bytes.len() >= 12 => (
            u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
            12,
        ),
        v => {
            return Err(NpzError::Unsupported(format!(
                "npy format version {v}.{}",
                bytes[7]
            )))
        }
    };
    if len > MAX_HEADER_LEN {
        return Err(NpzError::TooLarge(format!(
            "npy header of {len} bytes (limit {MAX_HEADER_LEN})"
        )));
    }
    let end = start + len;
    let Some(raw) = bytes.get(start..end) else {
        return Err(malformed("truncated npy header"));
    };
    // Versions 1 and 2 are latin-1, version 3 is UTF-8; a valid header is ASCII either way
    // except for field names, which we take as UTF-8 when they are and latin-1 otherwise.
    let text = match std::str::from_utf8(raw) {
        Ok(s) => s.to_string(),
        Err(_) => raw.iter().map(|&b| b as char).collect(),
    };
    Ok((text, &bytes[end..]))
}

/// `descr`, `fortran_order` and `shape` from the header dict (exactly those keys, as NumPy).
fn header_fields(header: &str) -> Result<(Py, bool, Vec<usize>), NpzError> {
    let Py::Dict(items) = parse(header).map_err(malformed)? else {
        return Err(malformed("npy header is not a dict"));
    };
    let get = |key: &str| items.iter().find(|(k, _)| k == key).map(|(_, v)| v);
    if items.len() != 3 {
        return Err(malformed(
            "npy header must have exactly descr, fortran_order and shape",
        ));
    }
    let (Some(descr), Some(fortran), Some(shape)) =
        (get("descr"), get("fortran_order"), get("shape"))
    else {
        return Err(malformed(
            "npy header must have exactly descr, fortran_order and shape",
        ));
    };
    let Py::Bool(fortran) = fortran else {
        return Err(malformed("fortran_order must be True or False"));
    };
    Ok((descr.clone(), *fortran, parse_shape(shape)?))
}

// a malformed .npy header is rejected whatever other Python value it holds
#[allow(clippy::wildcard_enum_match_arm)]
fn parse_shape(v: &Py) -> Result<Vec<usize>, NpzError> {
    let Py::Tuple(items) = v else {
        return Err(malformed(format!("shape must be a tuple, got {v:?}")));
    };
    if items.len() > MAX_RANK {
        return Err(NpzError::TooLarge(format!(
            "rank {} (limit {MAX_RANK})",
            items.len()
        )));
    }
    items
        .iter()
        .map(|d| match d {
            Py::Int(n) => usize::try_from(*n).map_err(|_| malformed(format!("bad extent {n}"))),
            other => Err(malformed(format!("bad extent {other:?}"))),
        })
        .collect()
}

/// Parses a type string such as `<f8`, `>i4`, `|b1`. Object, string and date types are refused.
fn parse_format(s: &str) -> Result<Format, NpzError> {
    let (order, rest) = match s.as_bytes().first() {
        Some(b'<' | b'>' | b'|' | b'=') => (s.as_bytes()[0], &s[1..]),
        _ => (b'=', s),
    };
    let big_endian = order == b'>';
    let dtype = match rest {
        "b1" | "?" => DType::Bool,
        "i1" => DType::I8,
        "i2" => DType::I16,
        "i4" => DType::I32,
        "i8" => DType::I64,
        "u1" => DType::U8,
        "u2" => DType::U16,
        "u4" => DType::U32,
        "u8" => DType::U64,
        "f2" => DType::F16,
        "f4" => DType::F32,
        "f8" => DType::F64,
        "c8" => DType::C64,
        "c16" => DType::C128,
        _ if rest.starts_with('O') => {
            return Err(NpzError::Pickle(format!(
                "dtype '{s}' is an object array, which needs pickle; refused"
            )))
        }
        _ => {
            return Err(NpzError::Unsupported(format!(
                "dtype '{s}' has no AIR equivalent"
            )))
        }
    };
    Ok(Format { dtype, big_endian })
}

/// One `(name, format)` or `(name, format, shape)` entry of a structured descr.
// a malformed .npy header is rejected whatever other Python value it holds
#[allow(clippy::wildcard_enum_match_arm)]
fn parse_field(v: &Py) -> Result<Field, NpzError> {
    let Py::Tuple(parts) = v else {
        return Err(malformed(format!(
            "structured descr entry is not a tuple: {v:?}"
        )));
    };
    let name = match parts.first() {
        Some(Py::Str(n)) => n.clone(),
        // (title, name) pairs: the name is what NumPy indexes by.
        Some(Py::Tuple(t)) if matches!(t.as_slice(), [Py::Str(_), Py::Str(_)]) => match &t[1] {
            Py::Str(n) => n.clone(),
            _ => String::new(),
        },
        _ => return Err(malformed(format!("bad field name in {v:?}"))),
    };
    let format = match parts.get(1) {
        Some(Py::Str(f)) => f.as_str(),
        Some(Py::List(_)) => {
            return Err(NpzError::Unsupported(format!(
                "nested structured field '{name}'"
            )))
        }
        _ => return Err(malformed(format!("bad field format in {v:?}"))),
    };
    let shape = match parts.get(2) {
        None => vec![],
        Some(s) => parse_shape(s)?,
    };
    if parts.len() > 3 {
        return Err(malformed(format!("bad structured descr entry {v:?}")));
    }
    if let Some(size) = format
        .strip_prefix(['|', '<', '>', '='])
        .unwrap_or(format)
        .strip_prefix('V')
    {
        if name.is_empty() {
            let n: usize = size
                .parse()
                .map_err(|_| malformed(format!("bad padding '{format}'")))?;
            let count: usize = shape.iter().product();
            return Ok(Field::Padding(n.saturating_mul(count)));
        }
        return Err(NpzError::Unsupported(format!(
            "void field '{name}' ('{format}')"
        )));
    }
    Ok(Field::Value {
        name,
        format: parse_format(format)?,
        shape,
    })
}

/// Cuts record data into one tensor per value field (a plain array is one unnamed field).
fn split_records(
    fields: &[Field],
    shape: &[usize],
    fortran: bool,
    data: &[u8],
) -> Result<Vec<(String, Tensor)>, NpzError> {
    let too_large = || {
        NpzError::TooLarge(format!(
            "array of shape {shape:?} exceeds {MAX_ARRAY_BYTES} bytes"
        ))
    };
    let itemsize = fields
        .iter()
        .try_fold(0usize, |acc, f| f.size().and_then(|s| acc.checked_add(s)));
    let count = shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d));
    let total = itemsize
        .zip(count)
        .and_then(|(i, c)| i.checked_mul(c))
        .ok_or_else(too_large)?;
    if total as u64 > MAX_ARRAY_BYTES {
        return Err(too_large());
    }
    if data.len() != total {
        return Err(malformed(format!(
            "data is {} bytes, shape {shape:?} needs {total}",
            data.len()
        )));
    }
    let (itemsize, count) = (itemsize.unwrap_or(0), count.unwrap_or(0));
    let mut out = Vec::new();
    let mut offset = 0;
    for f in fields {
        let size = f.size().unwrap_or(0);
        if let Field::Value {
            name,
            format,
            shape: sub,
        } = f
        {
            let mut bytes = Vec::with_capacity(size * count);
            for r in 0..count {
                bytes.extend_from_slice(&data[r * itemsize + offset..r * itemsize + offset + size]);
            }
            out.push((
                name.clone(),
                field_tensor(*format, shape, sub, fortran, bytes)?,
            ));
        }
        offset += size;
    }
    Ok(out)
}

/// Builds a C-order tensor of shape `shape + sub` from a field's bytes (records in file order).
fn field_tensor(
    format: Format,
    shape: &[usize],
    sub: &[usize],
    fortran: bool,
    mut bytes: Vec<u8>,
) -> Result<Tensor, NpzError> {
    if format.big_endian {
        // Swap each component (a complex number is two floats).
        let part = if format.dtype.is_complex() {
            format.dtype.size_bytes() / 2
        } else {
            format.dtype.size_bytes()
        };
        bytes.chunks_exact_mut(part).for_each(<[u8]>::reverse);
    }
    // Fortran order: the records are C order over the reversed shape; reverse those axes back.
    let record_shape: Vec<usize> = if fortran {
        shape.iter().rev().copied().collect()
    } else {
        shape.to_vec()
    };
    let full: Vec<usize> = record_shape.iter().chain(sub).copied().collect();
    let t = Tensor::from_le_bytes(format.dtype, &full, &bytes).map_err(|e| malformed(e.0))?;
    if !fortran || shape.len() < 2 {
        return Ok(t);
    }
    let k = shape.len();
    let perm: Vec<usize> = (0..k).rev().chain(k..k + sub.len()).collect();
    Ok(map_array!(&t, a => a.view().permuted_axes(IxDyn(&perm)).as_standard_layout().into_owned()))
}

/// The descr NumPy writes for a dtype (`<f8`); `bf16` has none.
fn descr(dtype: DType) -> Result<&'static str, NpzError> {
    Ok(match dtype {
        DType::Bool => "|b1",
        DType::I8 => "|i1",
        DType::I16 => "<i2",
        DType::I32 => "<i4",
        DType::I64 => "<i8",
        DType::U8 => "|u1",
        DType::U16 => "<u2",
        DType::U32 => "<u4",
        DType::U64 => "<u8",
        DType::F16 => "<f2",
        DType::F32 => "<f4",
        DType::F64 => "<f8",
        DType::C64 => "<c8",
        DType::C128 => "<c16",
        DType::BF16 => {
            return Err(NpzError::Unsupported(
                "bf16 has no NumPy dtype; cast to f32 before writing".to_string(),
            ))
        }
    })
}

/// Encodes a tensor as the bytes of an `.npy` file, as `numpy.save` writes it.
pub fn encode(t: &Tensor) -> Result<Vec<u8>, NpzError> {
    let shape = match t.shape() {
        [] => "()".to_string(),
        [n] => format!("({n},)"),
        dims => format!(
            "({})",
            dims.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let mut header = format!(
        "{{'descr': '{}', 'fortran_order': False, 'shape': {shape}, }}",
        descr(t.dtype())?
    );
    // Pad with spaces and a newline so the data starts at a multiple of 64 bytes.
    let unpadded = MAGIC.len() + 2 + 2 + header.len() + 1;
    header.push_str(&" ".repeat((64 - unpadded % 64) % 64));
    header.push('\n');
    let len = u16::try_from(header.len()).map_err(|_| NpzError::TooLarge("npy header".into()))?;
    let mut out = Vec::with_capacity(10 + header.len() + t.len() * t.dtype().size_bytes());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&[1, 0]);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(&t.to_le_bytes());
    Ok(out)
}
