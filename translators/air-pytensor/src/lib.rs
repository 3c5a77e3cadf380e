//! `pytensor-fgraph-json/1` ⇄ AIR.
//!
//! PyTensor (Theano's successor) has no serial form of its own, so AIR defines one: a walk of
//! `FunctionGraph(inputs, outputs, clone=True)` built without rewrites, specified in the shared
//! formats README and written and read in Python by `skair.pytensor_json`.
//!
//! [`import`] reads a document (bounded: size, item count, inner-graph nesting), checks every op
//! against one table ([`table`]) — every unknown or unsupported op is reported at once, each with
//! its node — and lowers the graph through [`air_ir::builder`]: `Elemwise` with PyTensor's
//! upcasting and broadcasting made explicit (`cast`, `broadcast`), `DimShuffle`, the `CAReduce`
//! family, `Dot`/`Blockwise(Dot)`, indexing, `Join`, `Alloc`, shape arithmetic known at import
//! time, `CumOp`, `SortOp`, `OpFromGraph` subclasses inlined (`Softmax`, `LogSoftmax`, `Einsum`),
//! `IfElse` → `if` and `Scan` → `for`. Unknown dims become symbols `<input>_<axis>`, unified where
//! PyTensor forces dims equal.
//!
//! [`export`] writes one AIR function as a document PyTensor rebuilds with the ops its own
//! builders produce (`Blockwise(Dot)` for batched matmul, `Sum` with `dtype`/`acc_dtype`,
//! `Scan` for `for`), or lists every construct PyTensor cannot express.
//!
//! ```
//! let doc = r#"{"format":"pytensor-fgraph-json/1","inputs":["v0"],"outputs":["v1"],
//!   "variables":[{"id":"v0","kind":"input","name":"x","type":{"class":"TensorType","dtype":"float64","shape":[null]}},
//!     {"id":"v1","kind":"node_output","name":"y","type":{"class":"TensorType","dtype":"float64","shape":[null]},"node":0,"index":0}],
//!   "nodes":[{"id":0,"op":{"class":"Elemwise","module":"pytensor.tensor.elemwise","str":"Exp",
//!     "props":{"scalar_op":{"op":{"class":"Exp","module":"pytensor.scalar.basic","str":"exp","name":"exp"}},"inplace_pattern":{"dict":[]}}},
//!     "inputs":["v0"],"outputs":["v1"]}]}"#;
//! let m = air_pytensor::import(doc, &Default::default()).unwrap();
//! assert_eq!(m.functions[0].params[0].ty.to_string(), "f64[x_0]");
//! let back = air_pytensor::export(&m, &Default::default()).unwrap();
//! assert!(back.contains("\"Exp\""));
//! ```

mod doc;
pub mod error;
mod export;
mod import;
pub mod json;
pub mod table;

pub use doc::support_table;
pub use error::{Construct, Error, Place, Problem, ProblemKind};
pub use json::Limits;

use air_ir::Module;

/// How to translate.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    /// The name of the function an import builds, and of the function an export writes (when
    /// the module has it; else its `main`, else its only function; several others are an error).
    pub function: String,
    /// Reader bounds.
    pub limits: Limits,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            function: "main".to_string(),
            limits: Limits::default(),
        }
    }
}

/// Reads a `pytensor-fgraph-json/1` document into a module with one function.
pub fn import(text: &str, opts: &Options) -> Result<Module, Error> {
    import::import(text, opts)
}

/// Writes one function of a module as a `pytensor-fgraph-json/1` document, or an error listing
/// every construct PyTensor cannot express.
pub fn export(m: &Module, opts: &Options) -> Result<String, Error> {
    export::export(m, opts)
}
