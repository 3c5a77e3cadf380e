//! Tokens of the `.air` text form.
//!
//! The lexer streams tokens on demand, so its memory does not grow with the input. A lexical error
//! becomes a [`Tok::Error`] token at the offending position, which the lexer then repeats (as it
//! repeats `Eof`), so the parser reports it only when it gets there: the first error in the text is
//! the one reported, whether it is lexical or syntactic.

use std::fmt;

use crate::name::text_form;

/// One token kind, with its text where it has one.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Tok {
    /// `[A-Za-z_][A-Za-z0-9_.]*`: keywords, op names, dtypes, dim symbols, `nan`, `true`...
    Ident(String),
    /// `[0-9]+`, kept as text so range checks happen where the value is used.
    Int(String),
    /// Digits with a fraction or an exponent (`1.5`, `1e-07`), kept as text.
    Float(String),
    /// A string literal with its escapes resolved.
    Str(String),
    /// `%IDENT` or `%"STRING"`: a named value (quoted names are any string; the parser checks
    /// them against the name grammar).
    Local(String),
    /// `%DIGITS`: an anonymous node, by arena index.
    Index(String),
    /// `@IDENT` or `@"STRING"`: a function.
    Global(String),
    /// One of `( ) { } [ ] , : = + - * #`.
    Punct(u8),
    /// `->`.
    Arrow,
    /// The end of the input.
    Eof,
    /// A lexical error; always the last token.
    Error(String),
}

impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tok::Ident(s) | Tok::Int(s) | Tok::Float(s) => write!(f, "`{s}`"),
            Tok::Str(_) => f.write_str("a string"),
            Tok::Local(s) => write!(f, "`%{}`", text_form(s)),
            Tok::Index(s) => write!(f, "`%{s}`"),
            Tok::Global(s) => write!(f, "`@{}`", text_form(s)),
            Tok::Punct(c) => write!(f, "`{}`", char::from(*c)),
            Tok::Arrow => f.write_str("`->`"),
            Tok::Eof => f.write_str("end of input"),
            Tok::Error(m) => f.write_str(m),
        }
    }
}

/// A 1-based line and column (columns count characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Pos {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub col: u32,
}

/// A token, its position, and the byte offsets of its text.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Token {
    /// What it is.
    pub tok: Tok,
    /// Where it starts.
    pub pos: Pos,
    /// Byte offset of its first character.
    pub start: usize,
    /// Byte offset just past it.
    pub end: usize,
}

/// True for the characters that may start an identifier.
pub(crate) fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

/// True for the characters that may continue an identifier.
pub(crate) fn is_ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'.'
}

/// True when `s` is an `IDENT` of the text form.
pub fn is_ident(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty() && is_ident_start(b[0]) && b.iter().all(|&c| is_ident_char(c))
}

/// The streaming lexer.
pub(crate) struct Lexer<'a> {
    src: &'a str,
    b: &'a [u8],
    pos: usize,
    /// The position of byte offset `cur_off`; positions are computed moving forward only.
    cur_off: usize,
    cur: Pos,
    /// The `Eof` or `Error` token, once reached; returned forever after.
    done: Option<Token>,
}

impl<'a> Lexer<'a> {
    /// A lexer at the start of `src`.
    pub fn new(src: &'a str) -> Lexer<'a> {
        Lexer {
            src,
            b: src.as_bytes(),
            pos: 0,
            cur_off: 0,
            cur: Pos { line: 1, col: 1 },
            done: None,
        }
    }

    /// The next token; after the end or an error, that token again.
    pub fn next_token(&mut self) -> Token {
        if let Some(t) = &self.done {
            return t.clone();
        }
        self.skip_trivia();
        let start = self.pos;
        if start >= self.b.len() {
            let t = Token {
                tok: Tok::Eof,
                pos: self.pos_at(start),
                start,
                end: start,
            };
            self.done = Some(t.clone());
            return t;
        }
        match self.token() {
            Ok(tok) => Token {
                tok,
                pos: self.pos_at(start),
                start,
                end: self.pos,
            },
            Err((at, msg)) => {
                let t = Token {
                    tok: Tok::Error(msg),
                    pos: self.pos_at(at),
                    start: at,
                    end: at,
                };
                self.done = Some(t.clone());
                t
            }
        }
    }

    /// The line and column of a byte offset at or after the last one asked for.
    fn pos_at(&mut self, offset: usize) -> Pos {
        let offset = offset.min(self.b.len());
        if offset < self.cur_off {
            // Never happens for tokens in order; recount from the start to stay correct.
            self.cur_off = 0;
            self.cur = Pos { line: 1, col: 1 };
        }
        for &c in &self.b[self.cur_off..offset] {
            if c == b'\n' {
                self.cur = Pos {
                    line: self.cur.line.saturating_add(1),
                    col: 1,
                };
            } else if c & 0xC0 != 0x80 {
                self.cur.col = self.cur.col.saturating_add(1);
            }
        }
        self.cur_off = offset;
        self.cur
    }

    fn peek_at(&self, n: usize) -> Option<u8> {
        self.b.get(self.pos + n).copied()
    }

    /// Skips whitespace and `//` comments.
    fn skip_trivia(&mut self) {
        loop {
            while self.peek_at(0).is_some_and(|c| c.is_ascii_whitespace()) {
                self.pos += 1;
            }
            if self.peek_at(0) == Some(b'/') && self.peek_at(1) == Some(b'/') {
                while self.peek_at(0).is_some_and(|c| c != b'\n') {
                    self.pos += 1;
                }
            } else {
                return;
            }
        }
    }

    fn take_while(&mut self, f: impl Fn(u8) -> bool) -> &str {
        let start = self.pos;
        while self.peek_at(0).is_some_and(&f) {
            self.pos += 1;
        }
        // Only ASCII bytes were taken, so both ends are char boundaries.
        self.src.get(start..self.pos).unwrap_or("")
    }

    fn token(&mut self) -> LexResult<Tok> {
        let start = self.pos;
        let c = self.b[start];
        match c {
            b'(' | b')' | b'{' | b'}' | b'[' | b']' | b',' | b':' | b'=' | b'+' | b'*' | b'#' => {
                self.pos += 1;
                Ok(Tok::Punct(c))
            }
            b'-' if self.peek_at(1) == Some(b'>') => {
                self.pos += 2;
                Ok(Tok::Arrow)
            }
            b'-' => {
                self.pos += 1;
                Ok(Tok::Punct(c))
            }
            b'"' => Ok(Tok::Str(self.string()?)),
            b'%' if self.peek_at(1) == Some(b'"') => {
                self.pos += 1;
                Ok(Tok::Local(self.string()?))
            }
            b'@' if self.peek_at(1) == Some(b'"') => {
                self.pos += 1;
                Ok(Tok::Global(self.string()?))
            }
            b'%' => {
                self.pos += 1;
                let name = self.take_while(is_ident_char).to_string();
                let digits = !name.is_empty() && name.bytes().all(|c| c.is_ascii_digit());
                if digits {
                    Ok(Tok::Index(name))
                } else if is_ident(&name) {
                    Ok(Tok::Local(name))
                } else {
                    Err((
                        start,
                        "expected a name (identifier, quoted string or number) after `%`".into(),
                    ))
                }
            }
            b'@' => {
                self.pos += 1;
                let name = self.take_while(is_ident_char).to_string();
                if is_ident(&name) {
                    Ok(Tok::Global(name))
                } else {
                    Err((
                        start,
                        "expected a function name (identifier or quoted string) after `@`".into(),
                    ))
                }
            }
            c if c.is_ascii_digit() => Ok(self.number()),
            c if is_ident_start(c) => Ok(Tok::Ident(self.take_while(is_ident_char).to_string())),
            _ => {
                let ch = self
                    .src
                    .get(start..)
                    .and_then(|s| s.chars().next())
                    .unwrap_or('?');
                Err((start, format!("unexpected character {ch:?}")))
            }
        }
    }

    /// `[0-9]+`, then a fraction `.[0-9]+` and an exponent `[eE][+-]?[0-9]+`, each optional.
    fn number(&mut self) -> Tok {
        let start = self.pos;
        self.take_while(|c| c.is_ascii_digit());
        let mut float = false;
        if self.peek_at(0) == Some(b'.') && self.peek_at(1).is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
            self.take_while(|c| c.is_ascii_digit());
            float = true;
        }
        if matches!(self.peek_at(0), Some(b'e' | b'E')) {
            let sign = usize::from(matches!(self.peek_at(1), Some(b'+' | b'-')));
            if self.peek_at(1 + sign).is_some_and(|c| c.is_ascii_digit()) {
                self.pos += 1 + sign;
                self.take_while(|c| c.is_ascii_digit());
                float = true;
            }
        }
        let text = self.src.get(start..self.pos).unwrap_or("").to_string();
        if float {
            Tok::Float(text)
        } else {
            Tok::Int(text)
        }
    }

    /// A double-quoted string with escapes `\" \\ \n \t \r \u{HEX}`; it may not span lines.
    fn string(&mut self) -> LexResult<String> {
        let open = self.pos;
        let unterminated = || (open, "unterminated string".to_string());
        let mut out = String::new();
        let rest = self.src.get(open + 1..).unwrap_or("");
        let mut chars = rest.char_indices();
        while let Some((i, ch)) = chars.next() {
            let at = open + 1 + i;
            match ch {
                '"' => {
                    self.pos = at + 1;
                    return Ok(out);
                }
                '\n' => return Err(unterminated()),
                '\\' => {
                    let (_, e) = chars.next().ok_or_else(unterminated)?;
                    match e {
                        '"' => out.push('"'),
                        '\\' => out.push('\\'),
                        'n' => out.push('\n'),
                        't' => out.push('\t'),
                        'r' => out.push('\r'),
                        'u' => out.push(unicode_escape(&mut chars).ok_or((at, bad_u()))?),
                        '\n' => return Err(unterminated()),
                        other => return Err((at, format!("unknown escape `\\{other}` in string"))),
                    }
                }
                c => out.push(c),
            }
        }
        Err(unterminated())
    }
}

fn bad_u() -> String {
    "bad unicode escape: expected `\\u{HEX}` with 1 to 6 hex digits naming a character".into()
}

type LexResult<T> = Result<T, (usize, String)>;

/// Reads `{HEX}` after `\u`.
fn unicode_escape(chars: &mut std::str::CharIndices<'_>) -> Option<char> {
    if chars.next()?.1 != '{' {
        return None;
    }
    let mut v: u32 = 0;
    let mut n = 0;
    loop {
        let (_, c) = chars.next()?;
        if c == '}' {
            break;
        }
        v = v.checked_mul(16)?.checked_add(c.to_digit(16)?)?;
        n += 1;
        if n > 6 {
            return None;
        }
    }
    if n == 0 {
        return None;
    }
    char::from_u32(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every token up to and including `Eof` or the error.
    fn lex(src: &str) -> Vec<Token> {
        let mut lx = Lexer::new(src);
        let mut out = vec![];
        loop {
            let t = lx.next_token();
            let end = matches!(t.tok, Tok::Eof | Tok::Error(_));
            out.push(t);
            if end {
                return out;
            }
        }
    }

    fn kinds(src: &str) -> Vec<Tok> {
        lex(src).into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn lexes_every_token_kind() {
        let toks = kinds("%x.1 %7 @f -> - -3 1.5 1e-07 2E5 \"a\\\"b\\u{41}\" [n+1]: // c\n#");
        assert_eq!(
            toks,
            vec![
                Tok::Local("x.1".into()),
                Tok::Index("7".into()),
                Tok::Global("f".into()),
                Tok::Arrow,
                Tok::Punct(b'-'),
                Tok::Punct(b'-'),
                Tok::Int("3".into()),
                Tok::Float("1.5".into()),
                Tok::Float("1e-07".into()),
                Tok::Float("2E5".into()),
                Tok::Str("a\"bA".into()),
                Tok::Punct(b'['),
                Tok::Ident("n".into()),
                Tok::Punct(b'+'),
                Tok::Int("1".into()),
                Tok::Punct(b']'),
                Tok::Punct(b':'),
                Tok::Punct(b'#'),
                Tok::Eof,
            ]
        );
    }

    #[test]
    fn a_number_without_digits_after_the_dot_or_exponent_stops_early() {
        assert_eq!(
            kinds("2e")[..2],
            [Tok::Int("2".into()), Tok::Ident("e".into())]
        );
        assert_eq!(kinds("1.")[0], Tok::Int("1".into()));
    }

    #[test]
    fn errors_end_the_stream_at_their_position() {
        let t = lex("a \"abc\nd\"");
        assert_eq!(t.last().map(|t| t.start), Some(2));
        assert!(matches!(&t.last().unwrap().tok, Tok::Error(m) if m.contains("unterminated")));
        let t = lex("a $");
        assert!(matches!(&t.last().unwrap().tok, Tok::Error(m) if m.contains("'$'")));
        assert!(matches!(&lex("\"\\u{110000}\"")[0].tok, Tok::Error(_)));
        assert!(matches!(&lex("% x")[0].tok, Tok::Error(_)));
        assert!(matches!(&lex("%7x")[0].tok, Tok::Error(_)));
    }

    #[test]
    fn positions_count_lines_and_characters() {
        let t = lex("ab\n\"éé\" x\n  \"é\\q\"");
        let pos: Vec<(u32, u32)> = t.iter().map(|t| (t.pos.line, t.pos.col)).collect();
        // `ab`, a string of two 2-byte characters, `x`, then the bad escape inside a string.
        assert_eq!(pos, vec![(1, 1), (2, 1), (2, 6), (3, 5)]);
        assert!(matches!(&t[3].tok, Tok::Error(m) if m.contains("escape")));
        let mut lx = Lexer::new("x");
        lx.next_token();
        assert_eq!(lx.next_token().pos, Pos { line: 1, col: 2 });
        assert_eq!(lx.next_token().tok, Tok::Eof, "the end repeats");
    }
}
