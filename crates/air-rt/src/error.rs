//! The runtime ops' error: a stable code and a message, copied into the caller's `AirError`.

use air_ir::{Code, DType};

/// A failed runtime op.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RtError {
    /// The stable code (`E0503`...).
    pub code: Code,
    /// What went wrong, naming the op.
    pub message: String,
}

/// The result of a runtime op.
pub type Res<T> = Result<T, RtError>;

impl RtError {
    /// An error with a code and a message.
    pub fn new(code: Code, message: impl Into<String>) -> RtError {
        RtError {
            code,
            message: message.into(),
        }
    }
}

/// `Err` with a code and a message.
pub fn fail<T>(code: Code, message: impl Into<String>) -> Res<T> {
    Err(RtError::new(code, message))
}

/// The error for a dtype: E0505 for dtypes the backend lacks (f16, bf16, complex), E0202 for
/// dtypes the op does not accept at all (`bool` for the numeric ops).
pub fn dtype_error<T>(dtype: DType) -> Res<T> {
    if crate::elem::is_supported(dtype) {
        fail(
            Code::DTypeNotAccepted,
            format!("dtype {dtype} is not accepted"),
        )
    } else {
        fail(
            Code::Unsupported,
            format!("dtype {dtype} is not supported by the LLVM backend's runtime"),
        )
    }
}
