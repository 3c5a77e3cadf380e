//! AIR's dtypes and NumPy's: the type numbers arrays carry, the dtypes results are allocated
//! with, and dtype names users write (`"f32"`, `"float32"`, `np.float32`, `np.dtype("f4")`).
//!
//! NumPy has no bfloat16: an AIR `bf16` parameter or result is refused with a `TypeError` that
//! says so (the interpreter runs `bf16` modules from the command line, `air run`).
#![allow(unsafe_code)] // reading NumPy's dtype struct

use std::ffi::{c_char, c_int, c_long};

use air_ir::DType;
use numpy::npyffi::{PyArray_Descr, NPY_TYPES};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyString;

/// True when C's `long` is 64 bits (NumPy's `int64` is then `NPY_LONG`, else `NPY_LONGLONG`).
const LONG_IS_64: bool = std::mem::size_of::<c_long>() == 8;

/// The AIR dtype of a NumPy type number, for the 14 dtypes NumPy has.
pub fn of_type_num(n: c_int) -> Option<DType> {
    use NPY_TYPES::*;
    let is = |t: NPY_TYPES| n == t as c_int;
    let d = if is(NPY_BOOL) {
        DType::Bool
    } else if is(NPY_BYTE) {
        DType::I8
    } else if is(NPY_UBYTE) {
        DType::U8
    } else if is(NPY_SHORT) {
        DType::I16
    } else if is(NPY_USHORT) {
        DType::U16
    } else if is(NPY_INT) {
        DType::I32
    } else if is(NPY_UINT) {
        DType::U32
    } else if is(NPY_LONG) {
        if LONG_IS_64 {
            DType::I64
        } else {
            DType::I32
        }
    } else if is(NPY_ULONG) {
        if LONG_IS_64 {
            DType::U64
        } else {
            DType::U32
        }
    } else if is(NPY_LONGLONG) {
        DType::I64
    } else if is(NPY_ULONGLONG) {
        DType::U64
    } else if is(NPY_HALF) {
        DType::F16
    } else if is(NPY_FLOAT) {
        DType::F32
    } else if is(NPY_DOUBLE) {
        DType::F64
    } else if is(NPY_CFLOAT) {
        DType::C64
    } else if is(NPY_CDOUBLE) {
        DType::C128
    } else {
        return None;
    };
    Some(d)
}

/// The NumPy type number arrays of `d` are allocated with; `None` for `bf16`.
pub fn type_num(d: DType) -> Option<c_int> {
    use NPY_TYPES::*;
    let t = match d {
        DType::Bool => NPY_BOOL,
        DType::I8 => NPY_BYTE,
        DType::I16 => NPY_SHORT,
        DType::I32 => NPY_INT,
        DType::I64 if LONG_IS_64 => NPY_LONG,
        DType::I64 => NPY_LONGLONG,
        DType::U8 => NPY_UBYTE,
        DType::U16 => NPY_USHORT,
        DType::U32 => NPY_UINT,
        DType::U64 if LONG_IS_64 => NPY_ULONG,
        DType::U64 => NPY_ULONGLONG,
        DType::F16 => NPY_HALF,
        DType::BF16 => return None,
        DType::F32 => NPY_FLOAT,
        DType::F64 => NPY_DOUBLE,
        DType::C64 => NPY_CFLOAT,
        DType::C128 => NPY_CDOUBLE,
    };
    Some(t as c_int)
}

/// The AIR dtype of a NumPy dtype object (by pointer): `None` for dtypes AIR lacks and for
/// non-native byte order.
///
/// # Safety
/// `descr` points at a live NumPy dtype object.
pub unsafe fn of_descr(descr: *const PyArray_Descr) -> Option<DType> {
    // SAFETY: `typeobj, kind, type, byteorder, flags, type_num` start the dtype struct in
    // NumPy 1 and 2 alike (the caller guarantees a live dtype).
    let (byteorder, n) = unsafe { ((*descr).fields.byteorder, (*descr).fields.type_num) };
    let non_native = if cfg!(target_endian = "little") {
        b'>'
    } else {
        b'<'
    };
    if byteorder == non_native as c_char {
        return None;
    }
    of_type_num(n)
}

/// The AIR dtype a user names: AIR's short name (`"f32"`), NumPy's name (`"float32"`), a NumPy
/// dtype or scalar type (`np.float32`), or anything `numpy.dtype()` accepts.
pub fn from_py(obj: &Bound<'_, PyAny>) -> PyResult<DType> {
    if let Ok(s) = obj.cast::<PyString>() {
        if let Some(d) = DType::from_name(&s.to_cow()?) {
            return Ok(d);
        }
    }
    let py = obj.py();
    let np_dtype = py
        .import("numpy")?
        .getattr("dtype")?
        .call1((obj,))
        .map_err(|e| {
            let why = e.value(py).to_string();
            PyTypeError::new_err(format!(
                "not a dtype: {} ({why})",
                obj.repr().map_or_else(|_| "?".into(), |r| r.to_string())
            ))
        })?;
    let n: c_int = np_dtype.getattr("num")?.extract()?;
    let native: bool = np_dtype.getattr("isnative")?.extract()?;
    match of_type_num(n) {
        Some(d) if native => Ok(d),
        _ => Err(PyValueError::new_err(format!(
            "dtype {np_dtype} has no AIR dtype; AIR's dtypes are {}",
            known()
        ))),
    }
}

/// The AIR dtypes, for messages: `bool, i8, ..., c128`.
pub fn known() -> String {
    DType::ALL.map(|d| d.name()).join(", ")
}
