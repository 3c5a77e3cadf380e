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

/// The error for a dtype the op does not accept (`bool` for the numeric ops, complex for the
/// ordered ones): E0202. Every dtype an op accepts is computed.
pub fn dtype_error<T>(dtype: DType) -> Res<T> {
    fail(
        Code::DTypeNotAccepted,
        format!("dtype {dtype} is not accepted"),
    )
}
