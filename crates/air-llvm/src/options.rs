//! Compile options.

/// How a module is compiled.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Options {
    /// LLVM optimisation level, 0 to 3: LLVM's `default<O0..2>` pipelines, and at 3 (the
    /// default) a pipeline for the loop nests this backend emits (LLVM's O3 loop and vector
    /// passes with glibc's vector math, without its interprocedural passes); machine code at
    /// LLVM's O2 from level 2 up.
    pub opt_level: u8,
    /// Keep the optimised LLVM IR text ([`crate::CompiledModule::ir`]) for inspection.
    pub keep_ir: bool,
    /// Threads for large loop nests and the runtime ops (`matmul`, `einsum`): 0 = every core
    /// (the default), 1 = single-threaded code.
    pub threads: usize,
    /// A loop nest is split across threads only when it runs more than this many iterations (the
    /// elements of an elementwise group's output, or of a reduction's operand).
    pub parallel_threshold: u64,
}

/// The default [`Options::parallel_threshold`]: about a million elements, where the work
/// (milliseconds) dwarfs starting threads (tens of microseconds).
const PARALLEL_THRESHOLD: u64 = 1 << 20;

impl Default for Options {
    fn default() -> Options {
        Options {
            opt_level: 3,
            keep_ir: false,
            threads: 0,
            parallel_threshold: PARALLEL_THRESHOLD,
        }
    }
}
