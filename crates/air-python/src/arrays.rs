//! Raw access to NumPy arrays, for the zero-copy call path: the data pointer, extents and byte
//! strides of an array become an `air_tensor` descriptor as they are (NumPy's `npy_intp` arrays
//! are passed as the descriptor's `shape` and `strides`), results are allocated as NumPy arrays
//! and written in place, and buffers compiled code allocated become NumPy arrays that own them.
#![allow(unsafe_code)] // NumPy's C structs and C API

use std::ffi::{c_int, c_void, CStr};
use std::ptr::NonNull;

use air_ir::DType;
use air_rt::abi::{dtype_code, AirTensor};
use numpy::npyffi::{
    self, PyArrayObject, NPY_ARRAY_ALIGNED, NPY_ARRAY_CARRAY, NPY_ARRAY_WRITEABLE, PY_ARRAY_API,
};
use pyo3::exceptions::{PyMemoryError, PyTypeError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyCapsule;

// The descriptor's `int64_t` extents and strides are NumPy's `npy_intp` arrays themselves.
const _: () = assert!(std::mem::size_of::<npyffi::npy_intp>() == std::mem::size_of::<i64>());

/// A NumPy array (or subclass instance) seen through its C struct; valid while `obj` lives.
pub struct Array<'py> {
    obj: Bound<'py, PyAny>,
}

impl<'py> Array<'py> {
    /// The array, when `obj` is a NumPy array; else `obj` back.
    pub fn of(obj: Bound<'py, PyAny>) -> Result<Array<'py>, Bound<'py, PyAny>> {
        // SAFETY: `obj` is a live object; PyArray_Check only reads its type.
        let is_array = unsafe { npyffi::PyArray_Check(obj.py(), obj.as_ptr()) } != 0;
        if !is_array {
            return Err(obj);
        }
        Ok(Array { obj })
    }

    /// The Python object.
    pub fn obj(&self) -> &Bound<'py, PyAny> {
        &self.obj
    }

    fn fields(&self) -> &npyffi::PyArrayObject_fields {
        let raw = self.obj.as_ptr().cast::<PyArrayObject>();
        // SAFETY: `obj` is a live ndarray (checked in `of`) for as long as `self` lives.
        unsafe { &(*raw).fields }
    }

    /// The AIR dtype, or `None` for a dtype AIR lacks (or a non-native byte order).
    pub fn dtype(&self) -> Option<DType> {
        // SAFETY: a live array's `descr` is a live dtype.
        unsafe { crate::dtypes::of_descr(self.fields().descr) }
    }

    /// NumPy's text for the array's dtype (`float64`, `>f8`, `<U3`), for messages.
    pub fn dtype_text(&self) -> String {
        self.obj
            .getattr("dtype")
            .and_then(|d| d.str().map(|s| s.to_string()))
            .unwrap_or_else(|_| "?".to_string())
    }

    /// The number of axes.
    pub fn rank(&self) -> usize {
        usize::try_from(self.fields().nd).unwrap_or(0)
    }

    /// The extents.
    pub fn shape(&self) -> &[isize] {
        let f = self.fields();
        if f.nd <= 0 || f.dimensions.is_null() {
            return &[];
        }
        // SAFETY: a live array has `nd` extents at `dimensions`.
        unsafe { std::slice::from_raw_parts(f.dimensions, self.rank()) }
    }

    /// The byte strides.
    pub fn strides(&self) -> &[isize] {
        let f = self.fields();
        if f.nd <= 0 || f.strides.is_null() {
            return &[];
        }
        // SAFETY: a live array has `nd` strides at `strides`.
        unsafe { std::slice::from_raw_parts(f.strides, self.rank()) }
    }

    /// True when the array may be written.
    pub fn writeable(&self) -> bool {
        self.fields().flags & NPY_ARRAY_WRITEABLE != 0
    }

    /// True when every element is aligned for its dtype.
    pub fn aligned(&self) -> bool {
        self.fields().flags & NPY_ARRAY_ALIGNED != 0
    }

    /// The first element.
    pub fn data(&self) -> *mut u8 {
        self.fields().data.cast::<u8>()
    }

    /// The descriptor over the array's memory, as declared `dtype`. `fallback` stands in for the
    /// extents and strides of a rank-0 array, for which NumPy may keep no arrays.
    pub fn descriptor(&self, dtype: DType, fallback: *mut i64) -> AirTensor {
        let f = self.fields();
        let (shape, strides) = if f.nd <= 0 || f.dimensions.is_null() || f.strides.is_null() {
            (fallback, fallback)
        } else {
            (f.dimensions.cast::<i64>(), f.strides.cast::<i64>())
        };
        AirTensor {
            data: f.data.cast::<u8>(),
            shape,
            strides,
            rank: f.nd,
            dtype: dtype_code(dtype),
        }
    }

    /// The bytes `[lo, hi)` the array's elements (of `itemsize` bytes) span; empty for an
    /// empty array.
    pub fn span(&self, itemsize: usize) -> (usize, usize) {
        let base = self.fields().data as usize;
        if self.shape().contains(&0) {
            return (base, base);
        }
        let (mut lo, mut hi) = (base as i128, base as i128);
        for (&e, &s) in self.shape().iter().zip(self.strides()) {
            let reach = (e as i128 - 1) * s as i128;
            if reach < 0 {
                lo += reach;
            } else {
                hi += reach;
            }
        }
        (lo.max(0) as usize, (hi + itemsize as i128).max(0) as usize)
    }
}

/// A new, uninitialised C-order NumPy array.
pub fn empty<'py>(py: Python<'py>, dtype: DType, shape: &[isize]) -> PyResult<Bound<'py, PyAny>> {
    let descr = descr(py, dtype)?;
    let nd = c_int::try_from(shape.len()).map_err(|_| PyMemoryError::new_err("too many axes"))?;
    // SAFETY: `shape` holds `nd` extents (read, not kept); PyArray_Empty steals `descr`.
    unsafe {
        let p = PY_ARRAY_API.PyArray_Empty(py, nd, shape.as_ptr().cast_mut(), descr, 0);
        Bound::from_owned_ptr_or_err(py, p)
    }
}

/// A new reference to NumPy's dtype object for `dtype`.
fn descr(py: Python<'_>, dtype: DType) -> PyResult<*mut npyffi::PyArray_Descr> {
    let n = crate::dtypes::type_num(dtype).ok_or_else(|| {
        PyTypeError::new_err(format!(
            "{} has no NumPy dtype (NumPy has no bfloat16); skair cannot pass or return {} arrays",
            dtype.name(),
            dtype.name()
        ))
    })?;
    // SAFETY: a built-in type number; returns a new reference (or NULL with an exception).
    let d = unsafe { PY_ARRAY_API.PyArray_DescrFromType(py, n) };
    if d.is_null() {
        return Err(PyErr::fetch(py));
    }
    Ok(d)
}

const BUFFER_CAPSULE: &CStr = c"skair.air_rt_buffer";

/// Releases a buffer compiled code allocated, when the array owning it goes.
unsafe extern "C" fn free_buffer(capsule: *mut ffi::PyObject) {
    // SAFETY: called by Python once, on a capsule made by `adopt` with this name.
    unsafe {
        let p = ffi::PyCapsule_GetPointer(capsule, BUFFER_CAPSULE.as_ptr());
        air_rt::air_free(p.cast::<u8>());
    }
}

/// A C-order NumPy array over a buffer compiled code allocated with `air_rt_alloc` (no copy):
/// the array owns the buffer and releases it with `air_free`.
///
/// # Safety
/// `data` came from `air_rt_alloc`, holds the elements of `shape` in C order, and is owned by
/// no one else (it is released here on failure).
pub unsafe fn adopt<'py>(
    py: Python<'py>,
    dtype: DType,
    shape: &[i64],
    data: *mut u8,
) -> PyResult<Bound<'py, PyAny>> {
    let free = || unsafe { air_rt::air_free(data) };
    let Some(ptr) = NonNull::new(data.cast::<c_void>()) else {
        return Err(PyMemoryError::new_err("compiled code returned no buffer"));
    };
    // SAFETY: `free_buffer` matches the capsule's name and releases the pointer once.
    let capsule = match unsafe {
        PyCapsule::new_with_pointer_and_destructor(py, ptr, BUFFER_CAPSULE, Some(free_buffer))
    } {
        Ok(c) => c,
        Err(e) => {
            free();
            return Err(e);
        }
    };
    // From here the capsule owns the buffer.
    let descr = descr(py, dtype)?;
    let nd = c_int::try_from(shape.len()).map_err(|_| PyMemoryError::new_err("too many axes"))?;
    // SAFETY: `shape` holds `nd` extents (copied by NumPy); NULL strides mean C order, which the
    // callee allocated; the array does not own `data` (no OWNDATA flag): its base, the capsule,
    // does. PyArray_NewFromDescr steals `descr`; PyArray_SetBaseObject steals the capsule.
    unsafe {
        let array_type = npyffi::get_type_object(py, npyffi::NpyTypes::PyArray_Type);
        let p = PY_ARRAY_API.PyArray_NewFromDescr(
            py,
            array_type,
            descr,
            nd,
            shape.as_ptr().cast::<npyffi::npy_intp>().cast_mut(),
            std::ptr::null_mut(),
            data.cast::<c_void>(),
            NPY_ARRAY_CARRAY,
            std::ptr::null_mut(),
        );
        let array = Bound::from_owned_ptr_or_err(py, p)?;
        if PY_ARRAY_API.PyArray_SetBaseObject(py, p.cast::<PyArrayObject>(), capsule.into_ptr())
            != 0
        {
            return Err(PyErr::fetch(py));
        }
        Ok(array)
    }
}
