//! AIR's native runtime: the C ABI of compiled AIR functions ([`abi`]) and the runtime ops that
//! generated code calls where LLVM IR is the wrong tool (matrix products, sorting, filtering...),
//! all `extern "C"` with one signature (`docs/llvm-backend.md`). Built as an rlib (linked into the
//! JIT) and a staticlib (linked into `.so` files written by `air compile`).
//!
//! The exported symbols: [`air_rt_alloc`], [`air_free`] and [`air_set_max_memory`] (memory), [`air_rt_parallel_for`]
//! (threads), and the runtime ops `air_rt_matmul`, `air_rt_einsum`, `air_rt_sort`,
//! `air_rt_cumsum`, `air_rt_cumprod`, `air_rt_argmax`, `air_rt_argmin`, `air_rt_filter`,
//! `air_rt_concat`, `air_rt_take`, `air_rt_slice`, `air_rt_copy`, `air_rt_scatter`, `air_rt_gather`, `air_rt_unique` ([`ffi`]). `include/air.h`
//! declares the descriptor, the error and the memory functions for C.
//!
//! Dtypes: all 15. bool, integers, f32 and f64 through the generic (and GEMM) paths; f16, bf16,
//! c64 and c128 through `wide` (`cumsum`, `cumprod`, `matmul`, `einsum` as the interpreter
//! computes them, f16/bf16 order for `sort`, `argmax`, `argmin`); the ops that move elements work
//! on element sizes. [`cmath`] holds the complex element functions generated code calls.

// The crate is the boundary between C and Rust: raw descriptors come in here. Unsafe code is
// confined to reading them (`view`, `out`, `copy`, `ffi`), memory (`mem`) and the GEMM's writes
// into disjoint tiles; every block states its reason.
#![allow(unsafe_code)]

pub mod abi;
pub mod cmath;
mod copy;
mod einsum;
pub mod elem;
pub mod error;
pub mod ffi;
mod gather;
mod gemm;
mod matmul;
pub mod mem;
mod out;
pub mod parallel;
mod scatter;
mod sort;
pub mod view;
mod wide;

pub use ffi::{
    air_rt_argmax, air_rt_argmin, air_rt_concat, air_rt_copy, air_rt_cumprod, air_rt_cumsum,
    air_rt_einsum, air_rt_filter, air_rt_gather, air_rt_matmul, air_rt_scatter, air_rt_slice,
    air_rt_sort, air_rt_take, air_rt_unique,
};
pub use mem::{air_free, air_rt_alloc, air_set_max_memory};
pub use parallel::air_rt_parallel_for;
pub use view::{view, StridedView};
