//! The C ABI shared by generated code, the runtime ops and C callers (`include/air.h`).
//! See `docs/llvm-backend.md`.

use air_ir::DType;

/// A strided view of a tensor: NumPy's layout, strides in bytes.
#[repr(C)]
#[derive(Debug)]
pub struct AirTensor {
    /// The first element.
    pub data: *mut u8,
    /// `rank` extents.
    pub shape: *mut i64,
    /// `rank` strides in bytes (may be 0 or negative).
    pub strides: *mut i64,
    /// The number of axes.
    pub rank: i32,
    /// The dtype code: the index of the dtype in [`DType::ALL`].
    pub dtype: i32,
}

/// The length of [`AirError::message`], NUL included.
pub const MESSAGE_LEN: usize = 256;

/// An error report: a code (0 = ok) and a NUL-terminated message.
#[repr(C)]
#[derive(Debug)]
pub struct AirError {
    /// 0 on success, else the number of an `E0xxx` code (`501`).
    pub code: i32,
    /// The message, NUL-terminated.
    pub message: [u8; MESSAGE_LEN],
}

impl Default for AirError {
    fn default() -> AirError {
        AirError {
            code: 0,
            message: [0; MESSAGE_LEN],
        }
    }
}

impl AirError {
    /// Records an error (truncating the message to fit) and returns its code.
    pub fn set(&mut self, code: air_ir::Code, message: &str) -> i32 {
        self.code = i32::from(code.number());
        let bytes = message.as_bytes();
        let n = bytes.len().min(MESSAGE_LEN - 1);
        self.message[..n].copy_from_slice(&bytes[..n]);
        self.message[n] = 0;
        self.code
    }

    /// The message as text.
    pub fn text(&self) -> String {
        let end = self
            .message
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(MESSAGE_LEN);
        String::from_utf8_lossy(&self.message[..end]).into_owned()
    }
}

/// The dtype code used in [`AirTensor::dtype`].
pub fn dtype_code(d: DType) -> i32 {
    DType::ALL
        .iter()
        .position(|&x| x == d)
        .map_or(-1, |i| i as i32)
}

/// The dtype of a code, if valid.
pub fn dtype_of_code(code: i32) -> Option<DType> {
    usize::try_from(code)
        .ok()
        .and_then(|i| DType::ALL.get(i).copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dtype_codes_round_trip() {
        for d in DType::ALL {
            assert_eq!(dtype_of_code(dtype_code(d)), Some(d));
        }
        assert_eq!(dtype_of_code(99), None);
    }

    #[test]
    fn error_messages_truncate_and_terminate() {
        let mut e = AirError::default();
        assert_eq!(e.set(air_ir::Code::BadInput, &"x".repeat(1000)), 501);
        assert_eq!(e.text().len(), MESSAGE_LEN - 1);
    }
}
