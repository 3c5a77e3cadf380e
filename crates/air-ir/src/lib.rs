//! The in-memory AIR: dtypes, symbolic dims, tensor types, the closed op set v1, modules built of
//! arenas of nodes in topological order, the builder (NumPy broadcasting and promotion), the
//! validator with type and shape inference, and the three serial forms: `.air` text, `.airpb`
//! protobuf and `.air.json` canonical proto-JSON.
//!
//! Readers never panic and never run code; every problem they, or the validator, find is a
//! [`diag::Diagnostic`] with a stable code.

pub mod attrs;
pub mod builder;
mod codes;
pub mod diag;
pub mod dim;
pub mod dtype;
pub mod infer;
pub mod limits;
pub mod module;
pub mod name;
pub mod op;
pub mod pb;
pub mod reach;
pub mod serial;
pub mod text;
pub mod types;
pub mod validate;

pub use diag::{problem_list, Code, Construct, Diagnostic, Diagnostics};
pub use dim::{Atom, Dim};
pub use dtype::DType;
pub use module::{
    Function, Intent, Location, Module, Node, NodeId, Param, Region, RegionParam, ResultDecl, Value,
};
pub use op::{BinaryOp, Op, ScatterMode, UnaryOp};
pub use reach::{entry_function, NoEntry};
pub use types::{Literal, Scalar, TensorType};
