//! AIR's native runtime: the C ABI of compiled AIR functions ([`abi`]) and the runtime ops that
//! generated code calls where LLVM IR is the wrong tool (matrix products, sorting, filtering...),
//! all `extern "C"` with one signature (`docs/llvm-backend.md`). Built as an rlib (linked into the
//! JIT) and a staticlib (linked into `.so` files written by `air compile`).

pub mod abi;
