//! AIR's run-time values, shared by its engines (the reference interpreter `air-interp` and the
//! LLVM backend `air-llvm`), so that neither depends on the other.
//!
//! - [`Tensor`]: an n-dimensional array of one of AIR's fifteen dtypes, on `ndarray`, with
//!   [`check_close`] to compare results with a tolerance.
//! - [`bind_inputs`]: named input tensors matched to a function's parameters, every problem (a
//!   missing, unknown, repeated or mistyped input) named in one E0501.
//! - [`RunError`]: a run-time failure with its stable code and the function, node and op concerned.
//! - [`memory`]: the run options ([`RunOptions`], the `--max-memory` budget) and fallible
//!   allocation, so that a size from input is an E0508, never an aborted process.
//! - [`npy`] and [`npz`]: NumPy's formats, read and written (every AIR dtype but `bf16`, which
//!   NumPy lacks), structured arrays split into one tensor per field (`t__price`), as `air run`
//!   and the conformance runner need.
//!
//! The dtype-dispatch macros ([`with_array!`], [`map_array!`] and their kin) let an engine write
//! one generic body for every variant of [`Tensor`].

mod bind;
mod error;
pub mod memory;
pub mod npy;
mod npy_header;
pub mod npz;
mod tensor;

/// The dtype of a [`Tensor`] (from `air-ir`), re-exported for the dtype-dispatch macros.
pub use air_ir::DType;
pub use bind::bind_inputs;
pub use error::{Result, RunError};
pub use memory::RunOptions;
pub use npy::{read_npy, write_npy, NpyContent};
pub use npz::{
    read_npz, read_npz_with, unwanted_members, write_npz, write_npz_compressed, NpzError,
    NpzOptions,
};
pub use tensor::{check_close, Element, ShapeError, Tensor};
/// The array, half-float and complex crates of [`Tensor`]'s public API, re-exported.
pub use {half, ndarray, num_complex};
