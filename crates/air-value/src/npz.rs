//! NumPy's `.npz` archives: a zip of `.npy` members, stored (`numpy.savez`) or deflated
//! (`numpy.savez_compressed`).
//!
//! Reading splits a structured member `t` into one tensor per field named `t__<field>` (DESIGN.md
//! §4 "Record tables"). When the archive also holds an explicit member of the same name (NumPy
//! writers in this project save both), one copy is kept, at the first position, and the two must
//! be identical (dtype, shape and bits), else the read fails with [`NpzError::Conflict`]. Member
//! sizes are bounded before and while inflating, so a zip bomb gets an error.

use std::io::{Cursor, Read, Write};
use std::path::Path;

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use crate::npy::{self, NpyContent, MAX_ARRAY_BYTES, MAX_HEADER_LEN};
use crate::tensor::Tensor;

/// The most members an archive may have.
pub const MAX_MEMBERS: usize = 100_000;

/// A problem reading or writing `.npy`/`.npz` data.
#[derive(Debug, thiserror::Error)]
pub enum NpzError {
    /// The file cannot be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The bytes are not a valid `.npy` or `.npz`.
    #[error("malformed: {0}")]
    Malformed(String),
    /// An object array, which only pickle can read: refused.
    #[error("refused: {0}")]
    Pickle(String),
    /// A dtype or feature AIR has no equivalent for.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// Over a size bound.
    #[error("too large: {0}")]
    TooLarge(String),
    /// Two members give different arrays for one name.
    #[error("conflict: {0}")]
    Conflict(String),
}

impl NpzError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> NpzError {
        NpzError::Io {
            path: path.display().to_string(),
            source,
        }
    }

    /// The same error with the archive member it concerns named first.
    fn in_member(self, member: &str) -> NpzError {
        match self {
            NpzError::Malformed(m) => NpzError::Malformed(format!("{member}: {m}")),
            NpzError::Pickle(m) => NpzError::Pickle(format!("{member}: {m}")),
            NpzError::Unsupported(m) => NpzError::Unsupported(format!("{member}: {m}")),
            NpzError::TooLarge(m) => NpzError::TooLarge(format!("{member}: {m}")),
            NpzError::Conflict(m) => NpzError::Conflict(format!("{member}: {m}")),
            io @ NpzError::Io { .. } => io,
        }
    }
}

/// Reads an `.npz` file: its arrays in archive order, structured ones split into fields.
pub fn read_npz(path: impl AsRef<Path>) -> Result<Vec<(String, Tensor)>, NpzError> {
    decode(&npy::read_file(path.as_ref())?)
}

/// Writes arrays as an `.npz` file with stored members, as `numpy.savez` does.
pub fn write_npz(path: impl AsRef<Path>, arrays: &[(String, Tensor)]) -> Result<(), NpzError> {
    let bytes = encode(arrays, false)?;
    std::fs::write(path.as_ref(), bytes).map_err(|e| NpzError::io(path.as_ref(), e))
}

/// Writes arrays as an `.npz` file with deflated members, as `numpy.savez_compressed` does.
pub fn write_npz_compressed(
    path: impl AsRef<Path>,
    arrays: &[(String, Tensor)],
) -> Result<(), NpzError> {
    let bytes = encode(arrays, true)?;
    std::fs::write(path.as_ref(), bytes).map_err(|e| NpzError::io(path.as_ref(), e))
}

/// Decodes the bytes of an `.npz` archive (see [`read_npz`]).
pub fn decode(bytes: &[u8]) -> Result<Vec<(String, Tensor)>, NpzError> {
    let zip_err =
        |e: zip::result::ZipError| NpzError::Malformed(format!("not a readable zip archive: {e}"));
    let mut archive = ZipArchive::new(Cursor::new(bytes)).map_err(zip_err)?;
    if archive.len() > MAX_MEMBERS {
        return Err(NpzError::TooLarge(format!(
            "{} members (limit {MAX_MEMBERS})",
            archive.len()
        )));
    }
    let mut out: Vec<(String, Tensor)> = Vec::new();
    for i in 0..archive.len() {
        let mut member = archive.by_index(i).map_err(zip_err)?;
        let member_name = member.name().to_string();
        let Some(name) = member_name.strip_suffix(".npy") else {
            return Err(NpzError::Unsupported(format!(
                "member {member_name} is not an .npy file"
            )));
        };
        let limit = MAX_ARRAY_BYTES + MAX_HEADER_LEN as u64 + 16;
        if member.size() > limit {
            return Err(NpzError::TooLarge(format!(
                "member {member_name} of {} bytes",
                member.size()
            )));
        }
        let mut data = Vec::new();
        (&mut member)
            .take(limit + 1)
            .read_to_end(&mut data)
            .map_err(|e| NpzError::Malformed(format!("member {member_name}: {e}")))?;
        if data.len() as u64 > limit {
            return Err(NpzError::TooLarge(format!(
                "member {member_name} inflates past {limit} bytes"
            )));
        }
        match npy::decode(&data).map_err(|e| e.in_member(&member_name))? {
            NpyContent::Array(t) => add(&mut out, name.to_string(), t)?,
            NpyContent::Record(fields) => {
                for (field, t) in fields {
                    add(&mut out, format!("{name}__{field}"), t)?;
                }
            }
        }
    }
    Ok(out)
}

/// Adds an array, keeping the first copy of a name when a later one is identical.
fn add(out: &mut Vec<(String, Tensor)>, name: String, t: Tensor) -> Result<(), NpzError> {
    match out.iter().find(|(n, _)| *n == name) {
        None => {
            out.push((name, t));
            Ok(())
        }
        Some((_, old)) if old.bits_eq(&t) => Ok(()),
        Some(_) => Err(NpzError::Conflict(format!(
            "two different arrays named {name} (a record field and an explicit array?)"
        ))),
    }
}

/// Encodes arrays as the bytes of an `.npz` archive, stored or deflated.
pub fn encode(arrays: &[(String, Tensor)], compressed: bool) -> Result<Vec<u8>, NpzError> {
    let method = if compressed {
        CompressionMethod::Deflated
    } else {
        CompressionMethod::Stored
    };
    let options = SimpleFileOptions::default()
        .compression_method(method)
        .large_file(true);
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let zip_err = |e: zip::result::ZipError| NpzError::Malformed(format!("writing zip: {e}"));
    for (i, (name, t)) in arrays.iter().enumerate() {
        if arrays[..i].iter().any(|(n, _)| n == name) {
            return Err(NpzError::Conflict(format!("two arrays named {name}")));
        }
        zip.start_file(format!("{name}.npy"), options)
            .map_err(zip_err)?;
        let bytes = npy::encode(t).map_err(|e| e.in_member(name))?;
        zip.write_all(&bytes)
            .map_err(|e| NpzError::Malformed(format!("writing zip: {e}")))?;
    }
    Ok(zip.finish().map_err(zip_err)?.into_inner())
}
