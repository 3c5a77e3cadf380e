//! A pass over protobuf wire bytes before prost decodes them, so that hostile input is refused
//! before it is allocated.
//!
//! Decoding amplifies: an empty `Node` is 2 bytes on the wire and a few hundred in memory, a
//! packed int one byte and eight. The checks after decoding ([`super::decode`]) come too late
//! for that, so this pass walks the wire format with the schema's shape (which field holds which
//! message), without allocating per element, and refuses with `E0105`:
//!
//! - a region with more than [`Limits::max_nodes`] nodes, more than [`Limits::max_functions`]
//!   functions, a shape longer than [`Limits::max_rank`], an attribute list longer than
//!   [`Limits::max_list_len`], literal data longer than [`Limits::max_literal_bytes`];
//! - input whose decoded form would take more memory than [`decode_budget`] allows, estimated
//!   from the sizes of the generated structs.
//!
//! Each counts per occurrence of a message; protobuf lets a message be split into several
//! occurrences that merge, which the exact checks after decoding catch (the memory estimate
//! covers every occurrence, so it still holds). Bytes that are not valid wire format end the
//! pass without an error: prost, decoding in the same order, then stops at the same byte with
//! its own error, having decoded no more than was counted. Groups, which prost skips under
//! unknown field numbers, are skipped here too rather than ending the pass.

use std::mem::size_of;

use super::gen;
use crate::diag::{Code, Diagnostic};
use crate::limits::Limits;

/// The deepest message nesting prost decodes; deeper input is left to prost's own error.
const MAX_DEPTH: usize = 100;

/// The memory the decoded form of an input of `input_len` bytes may take: a fixed allowance plus
/// [`Limits::max_expansion`] bytes per input byte.
pub fn decode_budget(input_len: usize, limits: &Limits) -> u64 {
    let per_byte = u64::try_from(limits.max_expansion).unwrap_or(u64::MAX);
    let len = u64::try_from(input_len).unwrap_or(u64::MAX);
    limits
        .decode_allowance
        .saturating_add(len.saturating_mul(per_byte))
}

/// The messages of the schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Msg {
    Module,
    MetadataEntry,
    Function,
    Param,
    ResultDecl,
    Region,
    RegionParam,
    Node,
    ValueRef,
    NodeResult,
    Type,
    Dim,
    DimExpr,
    Term,
    Factor,
    FloorDiv,
    Attribute,
    Ints,
    Floats,
    Strings,
    Shape,
    Literal,
    Slices,
    SliceAxis,
    Bound,
    Location,
    FileLoc,
}

/// What bounds a repeated field's length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Bounded {
    Nodes,
    Functions,
    Rank,
    List,
    None,
}

/// What a field holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    /// A message; `repeated` fields are bounded by `Bounded`.
    Message {
        name: &'static str,
        msg: Msg,
        repeated: Option<Bounded>,
    },
    /// A repeated number, packed or not (8 bytes each in memory).
    Numbers { name: &'static str, bound: Bounded },
    /// Repeated strings.
    Strings { name: &'static str },
    /// Literal data.
    Data,
    /// A scalar or a string: costs nothing beyond its bytes.
    Plain,
}

impl Msg {
    /// The bytes one occurrence of the message takes in memory.
    fn size(self) -> u64 {
        let s = match self {
            Msg::Module => size_of::<gen::Module>(),
            Msg::MetadataEntry => size_of::<gen::MetadataEntry>(),
            Msg::Function => size_of::<gen::Function>(),
            Msg::Param => size_of::<gen::Param>(),
            Msg::ResultDecl => size_of::<gen::ResultDecl>(),
            Msg::Region => size_of::<gen::Region>(),
            Msg::RegionParam => size_of::<gen::RegionParam>(),
            Msg::Node => size_of::<gen::Node>(),
            Msg::ValueRef => size_of::<gen::ValueRef>(),
            Msg::NodeResult => size_of::<gen::NodeResult>(),
            Msg::Type => size_of::<gen::Type>(),
            Msg::Dim => size_of::<gen::Dim>(),
            Msg::DimExpr => size_of::<gen::DimExpr>(),
            Msg::Term => size_of::<gen::Term>(),
            Msg::Factor => size_of::<gen::Factor>(),
            Msg::FloorDiv => size_of::<gen::FloorDiv>(),
            Msg::Attribute => size_of::<gen::Attribute>(),
            Msg::Ints => size_of::<gen::Ints>(),
            Msg::Floats => size_of::<gen::Floats>(),
            Msg::Strings => size_of::<gen::Strings>(),
            Msg::Shape => size_of::<gen::Shape>(),
            Msg::Literal => size_of::<gen::Literal>(),
            Msg::Slices => size_of::<gen::Slices>(),
            Msg::SliceAxis => size_of::<gen::SliceAxis>(),
            Msg::Bound => size_of::<gen::Bound>(),
            Msg::Location => size_of::<gen::Location>(),
            Msg::FileLoc => size_of::<gen::FileLoc>(),
        };
        u64::try_from(s).unwrap_or(u64::MAX)
    }

    /// The field `number` of the message (`schema/air/v1/air.proto`), named as the paths of
    /// [`super::decode`] name it; unknown numbers are plain (prost skips them).
    fn field(self, number: u64) -> Field {
        use Bounded as B;
        let m = |name, msg| Field::Message {
            name,
            msg,
            repeated: None,
        };
        let r = |name, msg, bound| Field::Message {
            name,
            msg,
            repeated: Some(bound),
        };
        match (self, number) {
            (Msg::Module, 4) => r("metadata", Msg::MetadataEntry, B::None),
            (Msg::Module, 5) => r("functions", Msg::Function, B::Functions),
            (Msg::Function, 2) => r("params", Msg::Param, B::None),
            (Msg::Function, 3) => r("results", Msg::ResultDecl, B::None),
            (Msg::Function, 4) => m("body", Msg::Region),
            (Msg::Function, 5) | (Msg::Node, 7) => m("location", Msg::Location),
            (Msg::Param | Msg::ResultDecl | Msg::RegionParam, 2) => m("type", Msg::Type),
            (Msg::Region, 1) => r("params", Msg::RegionParam, B::None),
            (Msg::Region, 2) => r("nodes", Msg::Node, B::Nodes),
            (Msg::Region, 3) => r("results", Msg::ValueRef, B::None),
            (Msg::Node, 2) => r("attrs", Msg::Attribute, B::None),
            (Msg::Node, 3) => r("operands", Msg::ValueRef, B::None),
            (Msg::Node, 4) => r("result_types", Msg::Type, B::None),
            (Msg::Node, 5) => r("regions", Msg::Region, B::None),
            (Msg::ValueRef, 2) => m("result", Msg::NodeResult),
            (Msg::Type, 2) => r("shape", Msg::Dim, B::Rank),
            (Msg::Dim, 3) => m("expr", Msg::DimExpr),
            (Msg::DimExpr, 1) => r("terms", Msg::Term, B::None),
            (Msg::Term, 2) => r("factors", Msg::Factor, B::None),
            (Msg::Factor, 3) => m("floordiv", Msg::FloorDiv),
            (Msg::Factor, 4) => m("max0", Msg::DimExpr),
            (Msg::FloorDiv, 1) => m("numerator", Msg::DimExpr),
            (Msg::Attribute, 6) => m("ints", Msg::Ints),
            (Msg::Attribute, 7) => m("floats", Msg::Floats),
            (Msg::Attribute, 8) => m("strings", Msg::Strings),
            (Msg::Attribute, 10) => m("shape", Msg::Shape),
            (Msg::Attribute, 11) => m("literal", Msg::Literal),
            (Msg::Attribute, 12) => m("slices", Msg::Slices),
            (Msg::Ints | Msg::Floats, 1) => Field::Numbers {
                name: "values",
                bound: B::List,
            },
            (Msg::Strings, 1) => Field::Strings { name: "values" },
            (Msg::Shape, 1) => r("dims", Msg::Dim, B::Rank),
            (Msg::Literal, 2) => Field::Numbers {
                name: "shape",
                bound: B::Rank,
            },
            (Msg::Literal, 3) => Field::Data,
            (Msg::Slices, 1) => r("axes", Msg::SliceAxis, B::List),
            (Msg::SliceAxis, 1) => m("start", Msg::Bound),
            (Msg::SliceAxis, 2) => m("stop", Msg::Bound),
            (Msg::Location, 1) => m("file", Msg::FileLoc),
            _ => Field::Plain,
        }
    }
}

/// One message being walked: where it ends, the path segment that leads to it, and how many
/// elements each of its repeated fields has had so far (field numbers are at most 13).
struct Frame {
    msg: Msg,
    end: usize,
    segment: String,
    counts: [u64; 16],
}

/// Walks `bytes` as a `Module`; the error is `E0105` with the path of the field over a limit.
pub(super) fn check(bytes: &[u8], limits: &Limits) -> Result<(), Diagnostic> {
    let budget = decode_budget(bytes.len(), limits);
    let mut w = Walk {
        bytes,
        pos: 0,
        stack: vec![Frame {
            msg: Msg::Module,
            end: bytes.len(),
            segment: String::new(),
            counts: [0; 16],
        }],
        cost: Msg::Module.size(),
        budget,
        limits,
    };
    match w.run() {
        Ok(()) | Err(Stop::Malformed) => Ok(()),
        Err(Stop::Limit(d)) => Err(d),
    }
}

enum Stop {
    /// Not wire format (or nested deeper than prost goes): left to prost.
    Malformed,
    /// Over a limit.
    Limit(Diagnostic),
}

struct Walk<'a> {
    bytes: &'a [u8],
    pos: usize,
    stack: Vec<Frame>,
    cost: u64,
    budget: u64,
    limits: &'a Limits,
}

impl Walk<'_> {
    fn run(&mut self) -> Result<(), Stop> {
        loop {
            // Close every message that ends here.
            while let Some(top) = self.stack.last() {
                if self.pos < top.end {
                    break;
                }
                if self.pos > top.end || self.stack.len() == 1 {
                    return if self.pos == top.end {
                        Ok(())
                    } else {
                        Err(Stop::Malformed)
                    };
                }
                self.stack.pop();
            }
            let Some(top) = self.stack.last() else {
                return Ok(());
            };
            let msg = top.msg;
            let key = self.varint()?;
            let (number, wire) = (key >> 3, key & 7);
            let field = msg.field(number);
            match wire {
                0 => {
                    self.varint()?;
                    if let Field::Numbers { name, bound } = field {
                        self.count(number, 1, name, bound)?;
                        self.spend(8, name)?;
                    }
                }
                1 | 5 => {
                    let width = if wire == 1 { 8 } else { 4 };
                    self.skip(width)?;
                    if let Field::Numbers { name, bound } = field {
                        self.count(number, 1, name, bound)?;
                        self.spend(8, name)?;
                    }
                }
                2 => {
                    let len = usize::try_from(self.varint()?).map_err(|_| Stop::Malformed)?;
                    let start = self.pos;
                    let end = start.checked_add(len).ok_or(Stop::Malformed)?;
                    if end > self.stack.last().map_or(0, |f| f.end) {
                        return Err(Stop::Malformed);
                    }
                    self.length_delimited(field, number, start, end)?;
                }
                // A group is in no field of the schema, but prost skips one under an unknown
                // field number (allocating nothing), so it is skipped here too, and the walk
                // goes on after it.
                3 => self.skip_group(number)?,
                // An end of group with no start, or not a wire type: prost stops here too.
                _ => return Err(Stop::Malformed),
            }
        }
    }

    fn length_delimited(
        &mut self,
        field: Field,
        number: u64,
        start: usize,
        end: usize,
    ) -> Result<(), Stop> {
        let len = u64::try_from(end - start).unwrap_or(u64::MAX);
        match field {
            Field::Message {
                name,
                msg,
                repeated,
            } => {
                let segment = match repeated {
                    Some(bound) => {
                        let index = self.count(number, 1, name, bound)? - 1;
                        format!("{name}[{index}]")
                    }
                    None => name.to_string(),
                };
                self.spend(msg.size(), name)?;
                if self.stack.len() >= MAX_DEPTH {
                    return Err(Stop::Malformed);
                }
                self.stack.push(Frame {
                    msg,
                    end,
                    segment,
                    counts: [0; 16],
                });
                return Ok(());
            }
            Field::Numbers { name, bound } => {
                // Packed: varints end at each byte below 0x80; fixed64 (doubles) are 8 bytes.
                let body = &self.bytes[start..end];
                let n = if self.stack.last().is_some_and(|f| f.msg == Msg::Floats) {
                    len / 8
                } else {
                    u64::try_from(body.iter().filter(|&&b| b < 0x80).count()).unwrap_or(u64::MAX)
                };
                self.count(number, n, name, bound)?;
                self.spend(n.saturating_mul(8), name)?;
            }
            Field::Strings { name } => {
                self.count(number, 1, name, Bounded::List)?;
                self.spend(len.saturating_add(24), name)?;
            }
            Field::Data => {
                if u128::from(len) > self.limits.max_literal_bytes {
                    let msg = format!(
                        "literal data ({len} bytes) exceeds the reader limit of {}",
                        self.limits.max_literal_bytes
                    );
                    return Err(self.limit("data", msg));
                }
                self.spend(len, "data")?;
            }
            Field::Plain => self.spend(len, "")?,
        }
        self.pos = end;
        Ok(())
    }

    /// Adds `n` elements to repeated field `number` of the innermost message; the new count.
    fn count(&mut self, number: u64, n: u64, name: &str, bound: Bounded) -> Result<u64, Stop> {
        let slot = usize::try_from(number).unwrap_or(usize::MAX);
        let Some(top) = self.stack.last_mut() else {
            return Err(Stop::Malformed);
        };
        let Some(c) = top.counts.get_mut(slot) else {
            return Ok(n);
        };
        *c = c.saturating_add(n);
        let count = *c;
        let (what, max) = match bound {
            Bounded::Nodes => ("node count", self.limits.max_nodes),
            Bounded::Functions => ("function count", self.limits.max_functions),
            Bounded::Rank => ("rank", self.limits.max_rank),
            Bounded::List => ("list length", self.limits.max_list_len),
            Bounded::None => return Ok(count),
        };
        if count > u64::try_from(max).unwrap_or(u64::MAX) {
            let msg = format!("{what} (at least {count}) exceeds the reader limit of {max}");
            return Err(self.limit(name, msg));
        }
        Ok(count)
    }

    /// Adds `bytes` to the memory the decoded form will take.
    fn spend(&mut self, bytes: u64, name: &str) -> Result<(), Stop> {
        self.cost = self.cost.saturating_add(bytes);
        if self.cost <= self.budget {
            return Ok(());
        }
        let msg = format!(
            "decoding this input of {} bytes would take more than {} bytes of memory (the \
             reader allows {} bytes plus {} per input byte)",
            self.bytes.len(),
            self.budget,
            self.limits.decode_allowance,
            self.limits.max_expansion
        );
        Err(self.limit(name, msg))
    }

    /// An `E0105` error at the current path, then field `name`.
    fn limit(&self, name: &str, message: String) -> Stop {
        let mut path = String::new();
        let segments = self.stack.iter().map(|f| f.segment.as_str());
        for segment in segments.chain(std::iter::once(name)) {
            if segment.is_empty() {
                continue;
            }
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(segment);
        }
        let message = if path.is_empty() {
            message
        } else {
            format!("{path}: {message}")
        };
        Stop::Limit(Diagnostic::new(Code::LimitExceeded, message))
    }

    /// Skips the fields of a group started with field `number`, up to its end.
    fn skip_group(&mut self, number: u64) -> Result<(), Stop> {
        let mut open = vec![number];
        while let Some(&inner) = open.last() {
            if open.len() + self.stack.len() > MAX_DEPTH {
                return Err(Stop::Malformed);
            }
            let key = self.varint()?;
            match key & 7 {
                0 => {
                    self.varint()?;
                }
                1 => self.skip(8)?,
                5 => self.skip(4)?,
                2 => {
                    let len = usize::try_from(self.varint()?).map_err(|_| Stop::Malformed)?;
                    self.skip(len)?;
                }
                3 => open.push(key >> 3),
                4 if key >> 3 == inner => {
                    open.pop();
                }
                _ => return Err(Stop::Malformed),
            }
        }
        Ok(())
    }

    fn varint(&mut self) -> Result<u64, Stop> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let &b = self.bytes.get(self.pos).ok_or(Stop::Malformed)?;
            self.pos += 1;
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Ok(v);
            }
        }
        Err(Stop::Malformed)
    }

    fn skip(&mut self, n: usize) -> Result<(), Stop> {
        let end = self.pos.checked_add(n).ok_or(Stop::Malformed)?;
        if end > self.bytes.len() {
            return Err(Stop::Malformed);
        }
        self.pos = end;
        Ok(())
    }
}
