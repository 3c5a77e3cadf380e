//! Attribute values and literals. The parser reads them by their written form only; which op
//! takes which attribute is decided by [`crate::attrs::from_generic`].

use super::lexer::{Pos, Tok};
use super::literal::{is_plain_number, push_int, push_real, Magnitude, Number};
use super::parser::{PResult, Parser};
use crate::diag::Code;
use crate::dim::Dim;
use crate::dtype::{DType, Kind};
use crate::op::{AttrValue, Bound, SliceAxis};
use crate::types::Literal;

/// One element of a bracketed attribute list, before the list's kind is known.
enum Item {
    Str(String),
    Int(i64),
    Float(f64),
    Dim(Dim),
    Slice(SliceAxis),
}

/// The kind of a list, decided by its elements.
#[derive(Clone, Copy, PartialEq)]
enum ListKind {
    Ints,
    Floats,
    Strs,
    Shape,
    Slices,
}

impl Parser<'_> {
    /// `{ name = value, ... }`, each with the offset of its name.
    // a parser that expects one kind of token rejects every other kind, now and in future
    #[allow(clippy::wildcard_enum_match_arm)]
    pub(crate) fn attrs(&mut self) -> PResult<Vec<(String, Pos, AttrValue)>> {
        self.expect_punct(b'{')?;
        let mut out = vec![];
        if self.eat_punct(b'}') {
            return Ok(out);
        }
        loop {
            let at = self.at();
            // A custom op's attribute names are free: those that are not identifiers are quoted.
            let key = match self.peek().clone() {
                Tok::Ident(key) => key,
                Tok::Str(key) => {
                    self.check_name_at("attribute", &key, at)?;
                    key
                }
                _ => return Err(self.unexpected("an attribute name")),
            };
            self.bump();
            self.expect_punct(b'=')?;
            out.push((key, at, self.attr_value()?));
            if self.eat_punct(b',') {
                continue;
            }
            self.expect_punct(b'}')?;
            return Ok(out);
        }
    }

    /// One attribute value, its kind read off its form (`docs/text-format.md`).
    // a parser that expects one kind of token rejects every other kind, now and in future
    #[allow(clippy::wildcard_enum_match_arm)]
    fn attr_value(&mut self) -> PResult<AttrValue> {
        let at = self.at();
        if let Some(dtype) = self.peek_dtype() {
            self.bump();
            return if matches!(self.peek(), Tok::Punct(b',' | b'}')) {
                Ok(AttrValue::DType(dtype))
            } else {
                Ok(AttrValue::Literal(self.literal(dtype, at)?))
            };
        }
        match self.peek().clone() {
            Tok::Str(s) => {
                self.bump();
                Ok(AttrValue::Str(s))
            }
            Tok::Global(f) => {
                self.check_name_at("function reference", &f, at)?;
                self.bump();
                Ok(AttrValue::Func(f))
            }
            Tok::Ident(b) if b == "true" || b == "false" => {
                self.bump();
                Ok(AttrValue::Bool(b == "true"))
            }
            Tok::Punct(b'[') => self.list_value(),
            Tok::Ident(s) if s != "nan" && s != "inf" => {
                let msg = format!("expected an attribute value, found `{s}` (not a dtype name)");
                Err(self.err(Code::Syntax, at, msg))
            }
            _ => match self.number()? {
                Some(n) if n.is_int() => match n.to_i64() {
                    Some(i) => Ok(AttrValue::Int(i)),
                    None => {
                        Err(self.err(Code::BadAttribute, at, "integer out of the range of i64"))
                    }
                },
                Some(n) => Ok(AttrValue::Float(n.to_f64().unwrap_or(f64::NAN))),
                None => Err(self.unexpected("an attribute value")),
            },
        }
    }

    /// A number token with an optional `-`: an integer, a float, `nan` or `inf`. `None` (and
    /// nothing consumed) when the current token does not start one.
    // a parser that expects one kind of token rejects every other kind, now and in future
    #[allow(clippy::wildcard_enum_match_arm)]
    pub(crate) fn number(&mut self) -> PResult<Option<Number>> {
        let neg = self.is_punct(b'-');
        let mag = match self.peek_at(usize::from(neg)) {
            Tok::Int(d) => Magnitude::Int(d.clone()),
            Tok::Float(d) => Magnitude::Float(d.clone()),
            Tok::Ident(s) if s == "nan" => Magnitude::Nan,
            Tok::Ident(s) if s == "inf" => Magnitude::Inf,
            _ if neg => {
                self.bump();
                return Err(self.unexpected("a number after `-`"));
            }
            _ => return Ok(None),
        };
        if neg {
            self.bump();
        }
        self.bump();
        Ok(Some(Number { neg, mag }))
    }

    /// `[...]`: ints, floats, strings, a shape or slices.
    fn list_value(&mut self) -> PResult<AttrValue> {
        self.expect_punct(b'[')?;
        let mut items = vec![];
        let mut kind: Option<ListKind> = None;
        if !self.eat_punct(b']') {
            loop {
                let at = self.at();
                if items.len() >= self.limits.max_list_len {
                    let msg = format!("attribute list longer than {} elements", items.len());
                    return Err(self.err(Code::LimitExceeded, at, msg));
                }
                let item = self.list_item()?;
                kind = Some(merge_kind(kind, &item).ok_or_else(|| {
                    self.err(Code::BadAttribute, at, "list elements of different kinds")
                })?);
                items.push(item);
                if self.eat_punct(b',') {
                    continue;
                }
                self.expect_punct(b']')?;
                break;
            }
        }
        Ok(build_list(kind.unwrap_or(ListKind::Ints), items))
    }

    fn list_item(&mut self) -> PResult<Item> {
        let neg = usize::from(self.is_punct(b'-'));
        match (
            self.peek().clone(),
            self.peek_at(neg).clone(),
            self.peek_at(neg + 1).clone(),
        ) {
            (Tok::Str(s), _, _) => {
                self.bump();
                Ok(Item::Str(s))
            }
            (Tok::Punct(b':' | b'#'), _, _) => Ok(Item::Slice(self.slice()?)),
            (_, Tok::Int(_), Tok::Punct(b':')) => Ok(Item::Slice(self.slice()?)),
            (_, Tok::Int(_), Tok::Punct(b',' | b']')) => {
                let at = self.at();
                let n = self.number()?;
                n.and_then(|n| n.to_i64()).map(Item::Int).ok_or_else(|| {
                    self.err(Code::BadAttribute, at, "integer out of the range of i64")
                })
            }
            (_, Tok::Float(_), _) => self.float_item(),
            (_, Tok::Ident(s), _) if s == "nan" || s == "inf" => self.float_item(),
            _ => {
                let d = self.dim()?;
                if self.is_punct(b':') {
                    return Err(self.unexpected("`,` or `]` (slice bounds are integers or `#k`)"));
                }
                Ok(Item::Dim(d))
            }
        }
    }

    fn float_item(&mut self) -> PResult<Item> {
        match self.number()? {
            Some(n) => Ok(Item::Float(n.to_f64().unwrap_or(f64::NAN))),
            None => Err(self.unexpected("a number")),
        }
    }

    /// `[start] : [stop] [: [step]]`, each bound an integer or `#k`.
    fn slice(&mut self) -> PResult<SliceAxis> {
        let start = self.bound()?;
        self.expect_punct(b':')?;
        let stop = self.bound()?;
        let mut step = 1;
        if self.eat_punct(b':') {
            if self.is_punct(b'#') {
                return Err(self.unexpected("an integer step"));
            }
            if let Bound::Const(s) = self.bound()? {
                step = s;
            }
        }
        Ok(SliceAxis { start, stop, step })
    }

    fn bound(&mut self) -> PResult<Bound> {
        let at = self.at();
        if self.eat_punct(b'#') {
            let Tok::Int(d) = self.peek().clone() else {
                return Err(self.unexpected("an operand number after `#`"));
            };
            self.bump();
            let k = d
                .parse::<u32>()
                .map_err(|_| self.err(Code::BadAttribute, at, "operand number out of range"))?;
            return Ok(Bound::Operand(k));
        }
        let is_int = matches!(self.peek_at(usize::from(self.is_punct(b'-'))), Tok::Int(_));
        if !is_int {
            return Ok(Bound::Default);
        }
        match self.number()?.and_then(|n| n.to_i64()) {
            Some(v) => Ok(Bound::Const(v)),
            None => Err(self.err(
                Code::BadAttribute,
                at,
                "slice bound out of the range of i64",
            )),
        }
    }

    /// The rest of a literal after its dtype at `at`: `[dims] [elems]` or one scalar element.
    pub(crate) fn literal(&mut self, dtype: DType, at: Pos) -> PResult<Literal> {
        let shaped = self.is_punct(b'[');
        let mut shape = vec![];
        if shaped {
            self.bump();
            let dims = self.list(b']', |p| {
                let at = p.at();
                let d = p.dim()?;
                match d.as_const().map(u64::try_from) {
                    Some(Ok(v)) => Ok(v),
                    _ => Err(p.err(
                        Code::BadLiteral,
                        at,
                        format!("literal dims must be non-negative integers, not `{d}`"),
                    )),
                }
            })?;
            shape = dims;
        }
        self.check_rank(shape.len(), at)?;
        let bytes = Literal::byte_len(dtype, &shape);
        if bytes > self.limits.max_literal_bytes {
            let msg = format!(
                "a {dtype} literal of shape {shape:?} needs {bytes} bytes; the limit is {}",
                self.limits.max_literal_bytes
            );
            return Err(self.err(Code::LimitExceeded, at, msg));
        }
        let count = bytes / dtype.size_bytes() as u128;
        let mut data = Vec::new();
        if shaped {
            self.elements(dtype, count, &mut data)?;
        } else {
            self.element(dtype, &mut data)?;
        }
        Literal::new(dtype, shape, data).map_err(|e| self.err(Code::BadLiteral, at, e.to_string()))
    }

    /// `[e, ...]` with exactly `count` elements.
    fn elements(&mut self, dtype: DType, count: u128, data: &mut Vec<u8>) -> PResult<()> {
        self.expect_punct(b'[')?;
        let mut n: u128 = 0;
        if !self.is_punct(b']') {
            loop {
                if n == count {
                    let msg = format!("more than the {count} element(s) the literal's shape holds");
                    return Err(self.err(Code::BadLiteral, self.at(), msg));
                }
                self.element(dtype, data)?;
                n += 1;
                if !self.eat_punct(b',') {
                    break;
                }
            }
        }
        let close = self.at();
        self.expect_punct(b']')?;
        if n != count {
            let msg = format!("the literal's shape holds {count} element(s) but {n} are given");
            return Err(self.err(Code::BadLiteral, close, msg));
        }
        Ok(())
    }

    /// One element: `true`/`false`, an integer, a real, or a `(re, im)` pair.
    // a parser that expects one kind of token rejects every other kind, now and in future
    #[allow(clippy::wildcard_enum_match_arm)]
    fn element(&mut self, dtype: DType, data: &mut Vec<u8>) -> PResult<()> {
        let at = self.at();
        let bad = |p: &Self, what: &str| {
            p.unexpected_code(Code::BadLiteral, &format!("{what} for a {dtype} element"))
        };
        match dtype.kind() {
            Kind::Bool => {
                match self.peek() {
                    Tok::Ident(s) if s == "true" || s == "false" => {
                        data.push(u8::from(s == "true"))
                    }
                    _ => return Err(bad(self, "`true` or `false`")),
                }
                self.bump();
            }
            Kind::Complex => {
                if !self.eat_punct(b'(') {
                    return Err(bad(self, "a pair `(re, im)`"));
                }
                self.real(dtype, data)?;
                self.expect_punct(b',')?;
                self.real(dtype, data)?;
                self.expect_punct(b')')?;
            }
            Kind::Signed | Kind::Unsigned | Kind::Float => {
                debug_assert!(is_plain_number(dtype));
                let Some(n) = self.number()? else {
                    return Err(bad(self, "a number"));
                };
                let pushed = if dtype.is_int() {
                    push_int(dtype, &n, data)
                } else {
                    push_real(dtype, &n, data)
                };
                pushed.map_err(|m| self.err(Code::BadLiteral, at, m))?;
            }
        }
        Ok(())
    }

    fn real(&mut self, dtype: DType, data: &mut Vec<u8>) -> PResult<()> {
        let at = self.at();
        let Some(n) = self.number()? else {
            return Err(self.unexpected_code(
                Code::BadLiteral,
                &format!("a number for a {dtype} component"),
            ));
        };
        push_real(dtype, &n, data).map_err(|m| self.err(Code::BadLiteral, at, m))
    }
}

fn item_kind(item: &Item) -> ListKind {
    match item {
        Item::Str(_) => ListKind::Strs,
        Item::Int(_) => ListKind::Ints,
        Item::Float(_) => ListKind::Floats,
        Item::Dim(_) => ListKind::Shape,
        Item::Slice(_) => ListKind::Slices,
    }
}

/// The kind of a list so far combined with one more item: integers widen to floats or to a shape.
fn merge_kind(kind: Option<ListKind>, item: &Item) -> Option<ListKind> {
    use ListKind::*;
    let k = item_kind(item);
    match (kind, k) {
        (None, k) => Some(k),
        (Some(a), b) if a == b => Some(a),
        (Some(Ints), b @ (Floats | Shape)) | (Some(b @ (Floats | Shape)), Ints) => Some(b),
        _ => None,
    }
}

fn build_list(kind: ListKind, items: Vec<Item>) -> AttrValue {
    match kind {
        ListKind::Ints => AttrValue::Ints(
            items
                .into_iter()
                .filter_map(|i| match i {
                    Item::Int(v) => Some(v),
                    Item::Str(_) | Item::Float(_) | Item::Dim(_) | Item::Slice(_) => None,
                })
                .collect(),
        ),
        ListKind::Floats => AttrValue::Floats(
            items
                .into_iter()
                .filter_map(|i| match i {
                    Item::Int(v) => Some(v as f64),
                    Item::Float(f) => Some(f),
                    Item::Str(_) | Item::Dim(_) | Item::Slice(_) => None,
                })
                .collect(),
        ),
        ListKind::Strs => AttrValue::Strs(
            items
                .into_iter()
                .filter_map(|i| match i {
                    Item::Str(s) => Some(s),
                    Item::Int(_) | Item::Float(_) | Item::Dim(_) | Item::Slice(_) => None,
                })
                .collect(),
        ),
        ListKind::Shape => AttrValue::Shape(
            items
                .into_iter()
                .filter_map(|i| match i {
                    Item::Int(v) => Some(Dim::constant(v)),
                    Item::Dim(d) => Some(d),
                    Item::Str(_) | Item::Float(_) | Item::Slice(_) => None,
                })
                .collect(),
        ),
        ListKind::Slices => AttrValue::Slices(
            items
                .into_iter()
                .filter_map(|i| match i {
                    Item::Slice(s) => Some(s),
                    Item::Str(_) | Item::Int(_) | Item::Float(_) | Item::Dim(_) => None,
                })
                .collect(),
        ),
    }
}
