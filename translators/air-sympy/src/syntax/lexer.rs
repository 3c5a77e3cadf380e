//! Tokens of srepr text: a small subset of Python's expression syntax (names, calls, keyword
//! arguments, string and integer literals, unary minus).

use super::Limits;

/// One token kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tok {
    /// A Python identifier (ASCII letters, digits, `_`, and any non-ASCII letter).
    Ident(String),
    /// Decimal digits (no sign).
    Int(String),
    /// A string literal, escapes resolved.
    Str(String),
    /// `(`.
    LParen,
    /// `)`.
    RParen,
    /// `,`.
    Comma,
    /// `=`.
    Assign,
    /// `-`.
    Minus,
    /// The end of the text.
    Eof,
}

impl Tok {
    /// How the token is named in messages.
    pub fn describe(&self) -> String {
        match self {
            Tok::Ident(s) => format!("`{s}`"),
            Tok::Int(s) => format!("the integer {s}"),
            Tok::Str(_) => "a string".into(),
            Tok::LParen => "`(`".into(),
            Tok::RParen => "`)`".into(),
            Tok::Comma => "`,`".into(),
            Tok::Assign => "`=`".into(),
            Tok::Minus => "`-`".into(),
            Tok::Eof => "the end of the text".into(),
        }
    }
}

/// A token and the byte offsets of its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// The kind.
    pub tok: Tok,
    /// Start offset.
    pub start: usize,
    /// End offset.
    pub end: usize,
}

/// A lexical error: a message and the byte offset it is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LexError {
    /// What is wrong.
    pub message: String,
    /// Where.
    pub offset: usize,
    /// True when a reader bound was exceeded.
    pub limit: bool,
}

/// Streams tokens from srepr text.
pub struct Lexer<'a> {
    text: &'a str,
    pos: usize,
    limits: Limits,
}

impl<'a> Lexer<'a> {
    /// A lexer at the start of `text`.
    pub fn new(text: &'a str, limits: Limits) -> Lexer<'a> {
        Lexer {
            text,
            pos: 0,
            limits,
        }
    }

    fn err(&self, message: impl Into<String>, offset: usize) -> LexError {
        LexError {
            message: message.into(),
            offset,
            limit: false,
        }
    }

    fn peek_char(&self) -> Option<char> {
        self.text.get(self.pos..).and_then(|s| s.chars().next())
    }

    /// The next token.
    pub fn next_token(&mut self) -> Result<Token, LexError> {
        while let Some(c) = self.peek_char().filter(|c| c.is_whitespace()) {
            self.pos += c.len_utf8();
        }
        let start = self.pos;
        let Some(c) = self.peek_char() else {
            return Ok(Token {
                tok: Tok::Eof,
                start,
                end: start,
            });
        };
        let single = |tok| Some(tok);
        let punct = match c {
            '(' => single(Tok::LParen),
            ')' => single(Tok::RParen),
            ',' => single(Tok::Comma),
            '=' => single(Tok::Assign),
            '-' => single(Tok::Minus),
            _ => None,
        };
        let tok = if let Some(t) = punct {
            self.pos += 1;
            t
        } else if c == '\'' || c == '"' {
            Tok::Str(self.string(c)?)
        } else if c.is_ascii_digit() {
            Tok::Int(self.digits()?)
        } else if c == '_' || c.is_alphabetic() {
            Tok::Ident(self.ident()?)
        } else {
            return Err(self.err(format!("unexpected character {c:?}"), start));
        };
        Ok(Token {
            tok,
            start,
            end: self.pos,
        })
    }

    fn take_while(&mut self, ok: impl Fn(char) -> bool) -> &'a str {
        let start = self.pos;
        while let Some(c) = self.peek_char().filter(|c| ok(*c)) {
            self.pos += c.len_utf8();
        }
        &self.text[start..self.pos]
    }

    fn bounded(&self, s: &str, what: &str, max: usize, start: usize) -> Result<(), LexError> {
        if s.len() > max {
            return Err(LexError {
                message: format!("{what} longer than {max} bytes"),
                offset: start,
                limit: true,
            });
        }
        Ok(())
    }

    fn ident(&mut self) -> Result<String, LexError> {
        let start = self.pos;
        let s = self.take_while(|c| c == '_' || c.is_alphanumeric());
        self.bounded(s, "a name", self.limits.max_name_bytes, start)?;
        Ok(s.to_string())
    }

    fn digits(&mut self) -> Result<String, LexError> {
        let start = self.pos;
        let s = self.take_while(|c| c.is_ascii_digit());
        self.bounded(s, "an integer", self.limits.max_int_digits, start)?;
        if s.len() > 1 && s.starts_with('0') {
            return Err(self.err("an integer with a leading zero", start));
        }
        if self
            .peek_char()
            .is_some_and(|c| c == '.' || c.is_alphabetic())
        {
            return Err(self.err("a bare number that is not an integer", start));
        }
        Ok(s.to_string())
    }

    /// A Python string literal quoted by `quote`, with the escapes `repr()` writes.
    fn string(&mut self, quote: char) -> Result<String, LexError> {
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let Some(c) = self.peek_char() else {
                return Err(self.err("unterminated string", start));
            };
            self.pos += c.len_utf8();
            if c == quote {
                return Ok(out);
            }
            if c == '\n' {
                return Err(self.err("newline in a string", self.pos - 1));
            }
            let ch = if c == '\\' { self.escape()? } else { c };
            out.push(ch);
            if out.len() > self.limits.max_string_bytes {
                return Err(LexError {
                    message: format!(
                        "a string longer than {} bytes",
                        self.limits.max_string_bytes
                    ),
                    offset: start,
                    limit: true,
                });
            }
        }
    }

    fn escape(&mut self) -> Result<char, LexError> {
        let at = self.pos - 1;
        let Some(c) = self.peek_char() else {
            return Err(self.err("unterminated string", at));
        };
        self.pos += c.len_utf8();
        let hex = |this: &mut Lexer, n: usize| -> Result<char, LexError> {
            let digits = this.text.get(this.pos..this.pos + n).unwrap_or("");
            let code = (digits.len() == n && digits.chars().all(|c| c.is_ascii_hexdigit()))
                .then(|| u32::from_str_radix(digits, 16).ok())
                .flatten()
                .and_then(char::from_u32)
                .ok_or_else(|| this.err(format!("bad \\{c} escape"), at))?;
            this.pos += n;
            Ok(code)
        };
        match c {
            '\\' | '\'' | '"' => Ok(c),
            'n' => Ok('\n'),
            't' => Ok('\t'),
            'r' => Ok('\r'),
            '0' => Ok('\0'),
            'x' => hex(self, 2),
            'u' => hex(self, 4),
            'U' => hex(self, 8),
            other => Err(self.err(format!("unsupported escape \\{other}"), at)),
        }
    }
}
