//! Compile options.

/// How a module is compiled.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Options {
    /// LLVM optimisation level, 0 to 3 (`default<O3>` and aggressive code generation at 3).
    pub opt_level: u8,
    /// Keep the optimised LLVM IR text ([`crate::CompiledModule::ir`]) for inspection.
    pub keep_ir: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            opt_level: 3,
            keep_ir: false,
        }
    }
}
