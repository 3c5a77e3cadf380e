//! NumPy's `.npz` archives: a zip of `.npy` members, stored (`numpy.savez`) or deflated
//! (`numpy.savez_compressed`).
//!
//! Reading splits a structured member `t` into one tensor per field named `t__<field>` (DESIGN.md
//! §4 "Record tables"). When the archive also holds an explicit member of the same name (NumPy
//! writers in this project save both), one copy is kept, at the first position, and the two must
//! be identical (dtype, shape and bits), else the read fails with [`NpzError::Conflict`].
//!
//! Hostile archives get an error, not a crash: a member's declared size is checked against
//! [`NpzOptions::max_bytes`] (all members read together) before it is inflated, and inflating
//! stops past the declared size (a header that lies is an error), so a zip bomb costs at most
//! the budget. Only the members holding wanted arrays are inflated ([`NpzOptions::names`]), and
//! reading is linear in the number of members.

use std::collections::{HashMap, HashSet};
use std::io::{Cursor, Read, Seek, Write};
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

    /// The error code a command reports: `E0105` for a size bound, `E0501` for the rest.
    pub fn code(&self) -> air_ir::Code {
        match self {
            NpzError::TooLarge(_) => air_ir::Code::LimitExceeded,
            NpzError::Io { .. }
            | NpzError::Malformed(_)
            | NpzError::Pickle(_)
            | NpzError::Unsupported(_)
            | NpzError::Conflict(_) => air_ir::Code::BadInput,
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

/// The most bytes the arrays read from one archive may inflate to, by default.
pub const DEFAULT_MAX_BYTES: u64 = 1 << 30;

/// What to read from an archive.
#[derive(Clone, Copy, Debug)]
pub struct NpzOptions<'a> {
    /// The most bytes the members read may inflate to, all together: checked against each
    /// member's declared size before it is inflated, and against what it actually inflates to.
    pub max_bytes: u64,
    /// The arrays wanted (a function's parameters): only members that hold one of them are
    /// inflated and decoded (a record member `t` when a name `t__<field>` is wanted). `None`:
    /// every member.
    pub names: Option<&'a HashSet<String>>,
}

impl Default for NpzOptions<'_> {
    fn default() -> Self {
        NpzOptions {
            max_bytes: DEFAULT_MAX_BYTES,
            names: None,
        }
    }
}

/// Reads an `.npz` file: its arrays in archive order, structured ones split into fields.
pub fn read_npz(path: impl AsRef<Path>) -> Result<Vec<(String, Tensor)>, NpzError> {
    read_npz_with(path, &NpzOptions::default())
}

/// Reads the arrays `options` asks for from an `.npz` file. Only the archive's directory and
/// the members read are read from the file, so a huge file (or `/dev/zero`) costs nothing.
pub fn read_npz_with(
    path: impl AsRef<Path>,
    options: &NpzOptions<'_>,
) -> Result<Vec<(String, Tensor)>, NpzError> {
    let path = path.as_ref();
    let file = std::fs::File::open(path).map_err(|e| NpzError::io(path, e))?;
    decode_from(std::io::BufReader::new(file), options)
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
    decode_from(Cursor::new(bytes), &NpzOptions::default())
}

/// Decodes the members `options` asks for from an archive, in linear time in its members.
pub fn decode_from<R: Read + Seek>(
    reader: R,
    options: &NpzOptions<'_>,
) -> Result<Vec<(String, Tensor)>, NpzError> {
    let zip_err =
        |e: zip::result::ZipError| NpzError::Malformed(format!("not a readable zip archive: {e}"));
    let mut archive = ZipArchive::new(reader).map_err(zip_err)?;
    if archive.len() > MAX_MEMBERS {
        return Err(NpzError::TooLarge(format!(
            "{} members (limit {MAX_MEMBERS})",
            archive.len()
        )));
    }
    let wanted = options.names.map(Wanted::new);
    let mut out = Arrays::default();
    let mut left = options.max_bytes;
    for i in 0..archive.len() {
        let mut member = archive.by_index(i).map_err(zip_err)?;
        let member_name = member.name().to_string();
        let Some(name) = member_name.strip_suffix(".npy") else {
            return Err(NpzError::Unsupported(format!(
                "member {member_name} is not an .npy file"
            )));
        };
        if wanted.as_ref().is_some_and(|w| !w.holds(name)) {
            continue;
        }
        // The declared size, checked before inflating; then the inflated bytes are capped at
        // it, since the header may lie.
        let declared = member.size();
        let limit = MAX_ARRAY_BYTES + MAX_HEADER_LEN as u64 + 16;
        if declared > limit {
            return Err(NpzError::TooLarge(format!(
                "member {member_name} of {declared} bytes (limit {limit})"
            )));
        }
        if declared > left {
            return Err(NpzError::TooLarge(format!(
                "member {member_name} inflates to {declared} bytes, more than the {left} left of \
                 the {} bytes allowed for the arrays read",
                options.max_bytes
            )));
        }
        let mut data = Vec::new();
        (&mut member)
            .take(declared + 1)
            .read_to_end(&mut data)
            .map_err(|e| NpzError::Malformed(format!("member {member_name}: {e}")))?;
        let got = data.len() as u64;
        if got > declared {
            return Err(NpzError::Malformed(format!(
                "member {member_name} inflates past its declared size of {declared} bytes"
            )));
        }
        left -= got;
        match npy::decode(&data).map_err(|e| e.in_member(&member_name))? {
            NpyContent::Array(t) => out.add(name.to_string(), t)?,
            NpyContent::Record(fields) => {
                for (field, t) in fields {
                    out.add(format!("{name}__{field}"), t)?;
                }
            }
        }
    }
    Ok(out.list)
}

/// The members of an `.npz` file (names without `.npy`) that hold none of `names` (see
/// [`NpzOptions::names`]): what [`read_npz_with`] skips. Reads only the archive's directory.
pub fn unwanted_members(
    path: impl AsRef<Path>,
    names: &HashSet<String>,
) -> Result<Vec<String>, NpzError> {
    let path = path.as_ref();
    let file = std::fs::File::open(path).map_err(|e| NpzError::io(path, e))?;
    let archive = ZipArchive::new(std::io::BufReader::new(file))
        .map_err(|e| NpzError::Malformed(format!("not a readable zip archive: {e}")))?;
    let wanted = Wanted::new(names);
    Ok(archive
        .file_names()
        .map(|n| n.strip_suffix(".npy").unwrap_or(n))
        .filter(|stem| !wanted.holds(stem))
        .map(str::to_string)
        .collect())
}

/// The member stems that hold a wanted array: the names themselves, and for a name
/// `t__a__b` the record members `t` and `t__a` that may hold it as a field.
struct Wanted(HashSet<String>);

impl Wanted {
    fn new(names: &HashSet<String>) -> Wanted {
        let mut stems = HashSet::with_capacity(names.len());
        for name in names {
            stems.insert(name.clone());
            for (i, _) in name.match_indices("__") {
                stems.insert(name[..i].to_string());
            }
        }
        Wanted(stems)
    }

    fn holds(&self, stem: &str) -> bool {
        self.0.contains(stem)
    }
}

/// Arrays in archive order, with an index by name so adding one is constant time.
#[derive(Default)]
struct Arrays {
    list: Vec<(String, Tensor)>,
    index: HashMap<String, usize>,
}

impl Arrays {
    /// Adds an array, keeping the first copy of a name when a later one is identical.
    fn add(&mut self, name: String, t: Tensor) -> Result<(), NpzError> {
        match self.index.get(&name).and_then(|&i| self.list.get(i)) {
            None => {
                self.index.insert(name.clone(), self.list.len());
                self.list.push((name, t));
                Ok(())
            }
            Some((_, old)) if old.bits_eq(&t) => Ok(()),
            Some(_) => Err(NpzError::Conflict(format!(
                "two different arrays named {name} (a record field and an explicit array?)"
            ))),
        }
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
    let mut seen = HashSet::with_capacity(arrays.len());
    for (name, t) in arrays {
        if !seen.insert(name.as_str()) {
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
