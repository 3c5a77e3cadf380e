//! The checks of [`super::scan`] on canonical proto-JSON text, before serde decodes it.
//!
//! JSON amplifies as protobuf does: `{},` is an empty node in 3 bytes. This pass walks the JSON
//! structure without allocating per element (a stack of open containers only, no deeper than
//! serde goes) and tells fields apart by their key, the only schema knowledge it needs: arrays
//! under `nodes`, `functions`, `shape`/`dims` and `values`/`axes` are bounded by
//! [`Limits::max_nodes`], [`Limits::max_functions`], [`Limits::max_rank`] and
//! [`Limits::max_list_len`], a `data` string by [`Limits::max_literal_bytes`], and the memory of
//! the decoded form by [`super::decode_budget`]. Text that is not JSON ends the pass without an
//! error, for serde to report.

use std::mem::size_of;

use super::gen;
use super::scan::decode_budget;
use crate::diag::{Code, Diagnostic};
use crate::limits::Limits;
use crate::module::Location;

/// serde_json's recursion limit: deeper text is left to its error.
const MAX_DEPTH: usize = 128;

/// The keys this pass tells apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Key {
    Nodes,
    Functions,
    Region,
    Rank,
    List,
    Data,
    Other,
}

impl Key {
    fn of(name: &[u8]) -> Key {
        match name {
            b"nodes" => Key::Nodes,
            b"functions" => Key::Functions,
            b"body" | b"regions" => Key::Region,
            b"shape" | b"dims" => Key::Rank,
            b"values" | b"axes" => Key::List,
            b"data" => Key::Data,
            _ => Key::Other,
        }
    }

    /// The bytes one object held under this key takes once decoded.
    fn object_size(self) -> u64 {
        let s = match self {
            Key::Nodes => size_of::<gen::Node>(),
            Key::Functions => size_of::<gen::Function>(),
            Key::Region => size_of::<gen::Region>(),
            Key::Rank | Key::List | Key::Data | Key::Other => [
                size_of::<gen::Module>(),
                size_of::<gen::Attribute>(),
                size_of::<gen::Param>(),
                size_of::<gen::ResultDecl>(),
                size_of::<gen::RegionParam>(),
                size_of::<gen::Type>(),
                size_of::<gen::Dim>(),
                size_of::<gen::Factor>(),
                size_of::<gen::FloorDiv>(),
                size_of::<gen::Literal>(),
                size_of::<gen::SliceAxis>(),
                size_of::<gen::Location>(),
                size_of::<gen::MetadataEntry>(),
            ]
            .into_iter()
            .max()
            .unwrap_or(0),
        };
        u64::try_from(s).unwrap_or(u64::MAX)
    }
}

/// An open object (with the key of its current member) or array (with its element count).
struct Open {
    array: bool,
    /// The key that holds this container.
    held_by: Key,
    /// Objects: the key of the member being read. Arrays: unused.
    key: Key,
    count: u64,
}

/// Walks `bytes` as JSON; the error is `E0105` at the line and column of the offending value.
pub(super) fn check(bytes: &[u8], file: &str, limits: &Limits) -> Result<(), Diagnostic> {
    let mut w = Walk {
        bytes,
        pos: 0,
        stack: vec![],
        cost: 0,
        budget: decode_budget(bytes.len(), limits),
        limits,
    };
    match w.run() {
        Ok(()) | Err(None) => Ok(()),
        Err(Some(message)) => {
            let (line, col) = line_col(bytes, w.pos);
            Err(
                Diagnostic::new(Code::LimitExceeded, message).at(Location::File {
                    file: file.to_string(),
                    line,
                    col,
                }),
            )
        }
    }
}

/// `Err(None)`: not JSON, left to serde; `Err(Some(message))`: over a limit.
type Step = Result<(), Option<String>>;

struct Walk<'a> {
    bytes: &'a [u8],
    pos: usize,
    stack: Vec<Open>,
    cost: u64,
    budget: u64,
    limits: &'a Limits,
}

impl Walk<'_> {
    fn run(&mut self) -> Step {
        while let Some(&c) = self.bytes.get(self.pos) {
            match c {
                b' ' | b'\t' | b'\n' | b'\r' | b',' | b':' => self.pos += 1,
                b'{' | b'[' => {
                    let held_by = self.value()?;
                    if c == b'{' {
                        self.spend(held_by.object_size())?;
                    }
                    if self.stack.len() >= MAX_DEPTH {
                        return Err(None);
                    }
                    self.stack.push(Open {
                        array: c == b'[',
                        held_by,
                        key: Key::Other,
                        count: 0,
                    });
                    self.pos += 1;
                }
                b'}' | b']' => {
                    self.stack.pop();
                    self.pos += 1;
                }
                b'"' => {
                    let start = self.pos;
                    let end = self.string_end()?;
                    let is_key = self.stack.last().is_some_and(|o| !o.array)
                        && self.next_non_space(end) == Some(b':');
                    if is_key {
                        let name = &self.bytes[start + 1..end - 1];
                        if let Some(top) = self.stack.last_mut() {
                            top.key = Key::of(name);
                        }
                    } else {
                        let key = self.value()?;
                        let len = u64::try_from(end - start).unwrap_or(u64::MAX);
                        // Base64 data decodes to 3 bytes per 4.
                        if key == Key::Data
                            && u128::from(len / 4 * 3) > self.limits.max_literal_bytes
                        {
                            return Err(Some(format!(
                                "literal data (about {} bytes) exceeds the reader limit of {}",
                                len / 4 * 3,
                                self.limits.max_literal_bytes
                            )));
                        }
                        self.spend(len.saturating_add(24))?;
                    }
                    self.pos = end;
                }
                _ => {
                    // A number, `true`, `false` or `null`.
                    self.value()?;
                    self.spend(8)?;
                    while self
                        .bytes
                        .get(self.pos)
                        .is_some_and(|b| !b",:]}\" \t\n\r{[".contains(b))
                    {
                        self.pos += 1;
                    }
                }
            }
        }
        Ok(())
    }

    /// Counts a value starting at `pos` in its container; the key that holds it.
    fn value(&mut self) -> Result<Key, Option<String>> {
        let limits = self.limits;
        let Some(top) = self.stack.last_mut() else {
            return Ok(Key::Other);
        };
        if !top.array {
            return Ok(top.key);
        }
        top.count = top.count.saturating_add(1);
        let (what, max) = match top.held_by {
            Key::Nodes => ("node count", limits.max_nodes),
            Key::Functions => ("function count", limits.max_functions),
            Key::Rank => ("rank", limits.max_rank),
            Key::List => ("list length", limits.max_list_len),
            Key::Region | Key::Data | Key::Other => return Ok(top.held_by),
        };
        if top.count > u64::try_from(max).unwrap_or(u64::MAX) {
            return Err(Some(format!(
                "{what} (at least {}) exceeds the reader limit of {max}",
                top.count
            )));
        }
        Ok(top.held_by)
    }

    fn spend(&mut self, bytes: u64) -> Step {
        self.cost = self.cost.saturating_add(bytes);
        if self.cost <= self.budget {
            return Ok(());
        }
        Err(Some(format!(
            "decoding this input of {} bytes would take more than {} bytes of memory (the reader \
             allows {} bytes plus {} per input byte)",
            self.bytes.len(),
            self.budget,
            self.limits.decode_allowance,
            self.limits.max_expansion
        )))
    }

    /// The position just past the string that starts at `pos`.
    fn string_end(&self) -> Result<usize, Option<String>> {
        let mut i = self.pos + 1;
        loop {
            match self.bytes.get(i) {
                None => return Err(None),
                Some(b'\\') => i += 2,
                Some(b'"') => return Ok(i + 1),
                Some(_) => i += 1,
            }
        }
    }

    fn next_non_space(&self, from: usize) -> Option<u8> {
        self.bytes[from..]
            .iter()
            .copied()
            .find(|b| !b" \t\n\r".contains(b))
    }
}

/// The 1-based line and column (in characters) of byte `pos`.
fn line_col(bytes: &[u8], pos: usize) -> (u32, u32) {
    let before = &bytes[..pos.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let col = String::from_utf8_lossy(&before[start..]).chars().count() + 1;
    (
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(col).unwrap_or(u32::MAX),
    )
}
