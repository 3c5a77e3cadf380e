//! A small, bounded parser for the Python literal in an `.npy` header: a dict of strings, ints,
//! booleans, `None`, tuples and lists. It never evaluates anything and nests at most
//! [`MAX_DEPTH`] deep.

/// How deep tuples, lists and dicts may nest.
pub(crate) const MAX_DEPTH: usize = 16;

/// A parsed Python literal.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Py {
    /// `'text'` or `"text"`.
    Str(String),
    /// An integer (no sign or size limit beyond `i128`).
    Int(i128),
    /// `True` or `False`.
    Bool(bool),
    /// `None`.
    None,
    /// `(a, b)`.
    Tuple(Vec<Py>),
    /// `[a, b]`.
    List(Vec<Py>),
    /// `{'k': v}` with string keys, in order.
    Dict(Vec<(String, Py)>),
}

/// Parses one literal that fills `text` (surrounding whitespace allowed).
pub(crate) fn parse(text: &str) -> Result<Py, String> {
    let mut p = Parser {
        s: text.as_bytes(),
        pos: 0,
        depth: 0,
    };
    let v = p.value()?;
    p.skip_ws();
    if p.pos != p.s.len() {
        return Err(p.err("unexpected text after the header dict"));
    }
    Ok(v)
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
    depth: usize,
}

impl Parser<'_> {
    fn err(&self, msg: &str) -> String {
        format!("header byte {}: {msg}", self.pos)
    }

    fn skip_ws(&mut self) {
        while self
            .s
            .get(self.pos)
            .is_some_and(|c| c.is_ascii_whitespace())
        {
            self.pos += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.s.get(self.pos).copied()
    }

    fn expect(&mut self, c: u8) -> Result<(), String> {
        if self.peek() == Some(c) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.err(&format!("expected '{}'", c as char)))
        }
    }

    fn value(&mut self) -> Result<Py, String> {
        match self.peek() {
            Some(b'\'' | b'"') => self.string().map(Py::Str),
            Some(b'(') => self.nested(|p| p.items(b')').map(Py::Tuple)),
            Some(b'[') => self.nested(|p| p.items(b']').map(Py::List)),
            Some(b'{') => self.nested(|p| p.dict().map(Py::Dict)),
            Some(c) if c == b'-' || c.is_ascii_digit() => self.int(),
            Some(c) if c.is_ascii_alphabetic() => self.word(),
            _ => Err(self.err("expected a value")),
        }
    }

    /// Runs `inner` after the opening bracket, bounding the depth.
    fn nested(
        &mut self,
        inner: impl FnOnce(&mut Self) -> Result<Py, String>,
    ) -> Result<Py, String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err("nested too deeply"));
        }
        self.pos += 1; // the opening bracket
        let v = inner(self)?;
        self.depth -= 1;
        Ok(v)
    }

    /// Comma-separated values up to `close` (a trailing comma allowed).
    fn items(&mut self, close: u8) -> Result<Vec<Py>, String> {
        let mut out = Vec::new();
        loop {
            if self.peek() == Some(close) {
                self.pos += 1;
                return Ok(out);
            }
            out.push(self.value()?);
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(c) if c == close => {}
                _ => return Err(self.err(&format!("expected ',' or '{}'", close as char))),
            }
        }
    }

    fn dict(&mut self) -> Result<Vec<(String, Py)>, String> {
        let mut out = Vec::new();
        loop {
            match self.peek() {
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\'' | b'"') => {}
                _ => return Err(self.err("expected a string key or '}'")),
            }
            let key = self.string()?;
            self.expect(b':')?;
            out.push((key, self.value()?));
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {}
                _ => return Err(self.err("expected ',' or '}'")),
            }
        }
    }

    fn string(&mut self) -> Result<String, String> {
        let quote = self.s[self.pos];
        self.pos += 1;
        let mut out = Vec::new();
        loop {
            let Some(&c) = self.s.get(self.pos) else {
                return Err(self.err("unterminated string"));
            };
            self.pos += 1;
            match c {
                _ if c == quote => break,
                b'\\' => {
                    let Some(&e) = self.s.get(self.pos) else {
                        return Err(self.err("unterminated escape"));
                    };
                    self.pos += 1;
                    out.push(match e {
                        b'n' => b'\n',
                        b't' => b'\t',
                        b'r' => b'\r',
                        b'0' => 0,
                        other => other, // \\ \' \" and anything else: the character itself
                    });
                }
                _ => out.push(c),
            }
        }
        String::from_utf8(out).map_err(|_| self.err("string is not UTF-8"))
    }

    fn int(&mut self) -> Result<Py, String> {
        let start = self.pos;
        if self.s[self.pos] == b'-' {
            self.pos += 1;
        }
        while self.s.get(self.pos).is_some_and(u8::is_ascii_digit) {
            self.pos += 1;
        }
        // Python 2 era files may write `3L`.
        let digits =
            std::str::from_utf8(&self.s[start..self.pos]).map_err(|_| self.err("bad integer"))?;
        if self.s.get(self.pos) == Some(&b'L') {
            self.pos += 1;
        }
        digits
            .parse::<i128>()
            .map(Py::Int)
            .map_err(|_| self.err("bad integer"))
    }

    fn word(&mut self) -> Result<Py, String> {
        let start = self.pos;
        while self.s.get(self.pos).is_some_and(u8::is_ascii_alphanumeric) {
            self.pos += 1;
        }
        match &self.s[start..self.pos] {
            b"True" => Ok(Py::Bool(true)),
            b"False" => Ok(Py::Bool(false)),
            b"None" => Ok(Py::None),
            _ => {
                self.pos = start;
                Err(self.err("expected True, False or None"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_numpy_headers() {
        let h = "{'descr': [('id', '<i8'), ('', '|V4')], 'fortran_order': False, 'shape': (7,), }";
        let v = parse(h).unwrap();
        let Py::Dict(items) = v else {
            panic!("not a dict")
        };
        assert_eq!(items[1], ("fortran_order".to_string(), Py::Bool(false)));
        assert_eq!(items[2], ("shape".to_string(), Py::Tuple(vec![Py::Int(7)])));
        assert!(matches!(&items[0].1, Py::List(l) if l.len() == 2));
    }

    #[test]
    fn rejects_bad_and_deep_input() {
        assert!(parse("{'a': 1").is_err());
        assert!(parse("{'a': foo}").is_err());
        assert!(parse("{'a': 'x\\").is_err());
        assert!(parse(&format!("{}{}", "(".repeat(40), ")".repeat(40))).is_err());
        assert!(parse("{'a': 1} x").is_err());
        assert!(parse("{'a': 99999999999999999999999999999999999999999999}").is_err());
    }
}
