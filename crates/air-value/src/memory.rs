//! Memory: the run options every engine takes (a budget of bytes, `--max-memory`), fallible
//! allocation of tensors whose size comes from input, and the sizes the budget is checked with.
//!
//! Rust's infallible allocation aborts the process when memory cannot be had, and Linux's
//! overcommit may grant a huge zeroed block that later gets the process OOM-killed: so an engine
//! checks each size against the budget before allocating, then allocates with `try_reserve`, and
//! reports E0508 (`TooLarge`) instead of dying.

use air_ir::{Code, DType};
use ndarray::{ArrayD, IxDyn};

use crate::{Element, Result, RunError, Tensor};

/// Options of one run, shared by the interpreter and the LLVM backend.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RunOptions {
    /// The most bytes of tensors the run may hold at once (`None`: no budget beyond the engines'
    /// fixed limits and what the allocator grants). The library default is `None`; `air run`
    /// and `skair` default to [`physical_memory`].
    pub max_memory: Option<u64>,
    /// The most body iterations one execution of a `while` node may run (`None`: no limit, the
    /// default everywhere; `air run --max-iterations`). Past it the interpreter fails with
    /// E0510 naming the node. The LLVM backend does not count iterations and refuses a run that
    /// sets a limit (spec 4.4).
    pub max_while_iterations: Option<u64>,
}

/// The machine's physical memory in bytes (`MemTotal` of `/proc/meminfo`), when it can be read.
pub fn physical_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line
        .trim_start_matches("MemTotal:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    kib.checked_mul(1024)
}

/// Parses a byte count: digits with an optional binary suffix `K`, `M`, `G` or `T` (powers of
/// 1024; `KB`, `KiB`... and lower case accepted), e.g. `512M`, `4G`, `1048576`.
pub fn parse_bytes(text: &str) -> std::result::Result<u64, String> {
    let t = text.trim();
    let digits_end = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, suffix) = t.split_at(digits_end);
    let bad = || format!("{text:?} is not a byte count (digits, optionally K, M, G or T)");
    let n: u64 = digits.parse().map_err(|_| bad())?;
    let shift = match suffix.to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        "T" | "TB" | "TIB" => 40,
        _ => return Err(bad()),
    };
    n.checked_mul(1u64 << shift)
        .ok_or_else(|| format!("{text:?} overflows a 64-bit byte count"))
}

/// The bytes of a tensor of `dtype` and `shape` (E0508 when the count overflows).
pub fn tensor_bytes(dtype: DType, shape: &[usize]) -> Result<u64> {
    shape
        .iter()
        .try_fold(dtype.size_bytes() as u64, |acc, &d| {
            acc.checked_mul(d as u64)
        })
        .ok_or_else(|| {
            RunError::new(
                Code::TooLarge,
                format!("a {dtype} tensor of shape {shape:?} has more bytes than 2^64"),
            )
        })
}

/// The E0508 for an allocation the budget refuses.
pub fn over_budget(bytes: u64, what: &str, live: u64, budget: u64) -> RunError {
    RunError::new(
        Code::TooLarge,
        format!(
            "cannot allocate {bytes} bytes for {what}: over the memory budget of {budget} bytes \
             ({live} bytes already live; see --max-memory)"
        ),
    )
}

/// The E0508 for an allocation the allocator refuses.
pub fn cannot_allocate(bytes: u64, what: &str) -> RunError {
    RunError::new(
        Code::TooLarge,
        format!("cannot allocate {bytes} bytes for {what}: the allocator refused"),
    )
}

/// A vector of `n` copies of `x`, or E0508 when the memory cannot be had (instead of aborting).
pub fn try_vec<T: Clone>(n: usize, x: T, what: &str) -> Result<Vec<T>> {
    let mut v = Vec::new();
    let bytes = (n as u64).saturating_mul(std::mem::size_of::<T>() as u64);
    v.try_reserve_exact(n)
        .map_err(|_| cannot_allocate(bytes, what))?;
    v.resize(n, x);
    Ok(v)
}

/// Asks the allocator for `bytes` and gives them back at once: E0508 when it refuses. Used before
/// an operation that allocates its result infallibly (inside `ndarray`), so that a refusal is an
/// error rather than an abort. A grant is no promise (overcommit); the budget is the guard there.
pub fn probe(bytes: u64, what: &str) -> Result<()> {
    let n = usize::try_from(bytes).map_err(|_| cannot_allocate(bytes, what))?;
    let mut v: Vec<u8> = Vec::new();
    v.try_reserve_exact(n)
        .map_err(|_| cannot_allocate(bytes, what))?;
    Ok(())
}

impl Tensor {
    /// A tensor of `shape` with every element `x`, or E0508 when the memory cannot be had.
    pub fn try_full<T: Element>(shape: &[usize], x: T) -> Result<Tensor> {
        let n = shape
            .iter()
            .try_fold(1usize, |acc, &d| acc.checked_mul(d))
            .ok_or_else(|| {
                RunError::new(
                    Code::TooLarge,
                    format!("a tensor of shape {shape:?} has more elements than usize"),
                )
            })?;
        let v = try_vec(n, x, &format!("a {} tensor of shape {shape:?}", T::DTYPE))?;
        ArrayD::from_shape_vec(IxDyn(shape), v)
            .map(T::wrap)
            .map_err(|e| RunError::new(Code::Internal, e.to_string()))
    }

    /// [`Tensor::from_le_bytes`] with the elements' memory allocated fallibly: E0508 when it
    /// cannot be had, E0509 when `data` does not hold the tensor.
    pub fn try_from_le_bytes(dtype: DType, shape: &[usize], data: &[u8]) -> Result<Tensor> {
        fn decode<T: Element>(shape: &[usize], data: &[u8]) -> Result<Tensor> {
            let size = T::DTYPE.size_bytes();
            let n = data.len() / size.max(1);
            let mut v: Vec<T> = Vec::new();
            v.try_reserve_exact(n).map_err(|_| {
                cannot_allocate(data.len() as u64, &format!("a {} result", T::DTYPE))
            })?;
            v.extend(data.chunks_exact(size).map(T::from_le));
            Tensor::from_vec(shape, v).map_err(|e| RunError::new(Code::Internal, e.0))
        }
        if tensor_bytes(dtype, shape)? != data.len() as u64 {
            return Err(RunError::new(
                Code::Internal,
                format!("{} bytes do not hold a {dtype}{shape:?} tensor", data.len()),
            ));
        }
        crate::with_dtype!(dtype, T => decode::<T>(shape, data))
    }

    /// A tensor of zeros (false for bool), or E0508 when the memory cannot be had.
    pub fn try_zeros(dtype: DType, shape: &[usize]) -> Result<Tensor> {
        crate::with_dtype!(dtype, T => Tensor::try_full::<T>(shape, T::default()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_counts_parse_with_binary_suffixes() {
        assert_eq!(parse_bytes("1048576"), Ok(1 << 20));
        assert_eq!(parse_bytes("512M"), Ok(512 << 20));
        assert_eq!(parse_bytes("4G"), Ok(4 << 30));
        assert_eq!(parse_bytes("100k"), Ok(100 << 10));
        assert_eq!(parse_bytes("2GiB"), Ok(2 << 30));
        assert!(parse_bytes("12X").is_err());
        assert!(parse_bytes("").is_err());
        assert!(parse_bytes("-1").is_err());
        assert!(parse_bytes("99999999999T").is_err());
    }

    #[test]
    fn refused_allocations_are_errors() {
        // More than any address space: the allocator refuses without touching memory.
        let e = Tensor::try_zeros(DType::F64, &[1 << 40, 1 << 20]).unwrap_err();
        assert_eq!(e.code, Code::TooLarge);
        assert!(e.message.contains("cannot allocate"), "{}", e.message);
        assert_eq!(probe(u64::MAX / 2, "x").unwrap_err().code, Code::TooLarge);
        let t = Tensor::try_zeros(DType::I32, &[3, 2]).expect("small");
        let bytes = t.to_le_bytes();
        assert_eq!(
            Tensor::try_from_le_bytes(DType::I32, &[3, 2], &bytes),
            Ok(t.clone())
        );
        assert_eq!(
            Tensor::try_from_le_bytes(DType::I32, &[4, 2], &bytes)
                .unwrap_err()
                .code,
            Code::Internal
        );
        assert_eq!(t, Tensor::zeros(DType::I32, &[3, 2]));
        assert_eq!(tensor_bytes(DType::F32, &[3, 2]), Ok(24));
        assert_eq!(
            tensor_bytes(DType::F64, &[usize::MAX, 2]).unwrap_err().code,
            Code::TooLarge
        );
    }
}
