//! `skair._skair`, the native half of the Python package `skair` (distribution `scikit-air`):
//! reading, writing and converting AIR modules in every form the translator registry knows
//! ([`module`]), and compiling a function into a [`kernel::Kernel`] that runs on NumPy arrays
//! without copying them: arguments become `air_tensor` descriptors over the arrays' own memory
//! ([`arrays`]), checked against the signature first with messages naming the argument
//! ([`gather`], [`check`]), and the kernel runs without the GIL ([`run`]). The pure-Python half
//! (`python/skair/`) adds the SymPy bridge (`from_sympy`, `to_sympy`).

mod arrays;
mod check;
mod dtypes;
mod errors;
mod forms;
mod gather;
mod interp;
mod kernel;
mod module;
mod plan;
mod run;

use pyo3::prelude::*;

/// The native module `skair._skair`.
#[pymodule]
fn _skair(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<module::Module>()?;
    m.add_class::<kernel::Kernel>()?;
    m.add_class::<kernel::Arg>()?;
    m.add_class::<errors::Diagnostic>()?;
    m.add("ValidationError", py.get_type::<errors::ValidationError>())?;
    m.add(
        "TranslationError",
        py.get_type::<errors::TranslationError>(),
    )?;
    m.add("CompileError", py.get_type::<errors::CompileError>())?;
    m.add_function(wrap_pyfunction!(module::load, m)?)?;
    m.add_function(wrap_pyfunction!(module::loads, m)?)?;
    m.add_function(wrap_pyfunction!(module::convert, m)?)?;
    m.add_function(wrap_pyfunction!(module::formats, m)?)?;
    m.add_function(wrap_pyfunction!(kernel::compile, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("IR_VERSION", air_ir::module::IR_VERSION)?;
    m.add("OPSET_VERSION", air_ir::module::OPSET_VERSION)?;
    Ok(())
}
