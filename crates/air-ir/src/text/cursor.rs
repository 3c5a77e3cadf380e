//! Token-level reading for the parser: the cursor over tokens, expectations, and diagnostics
//! placed at token positions.

use super::lexer::{Pos, Tok, Token};
use super::parser::{PResult, Parser};
use crate::diag::{Code, Diagnostic};
use crate::module::Location;
use crate::name::{check_name, check_node_name, text_form};

/// The label of a value in the text: a name, or the arena index of an anonymous node. The two
/// are distinct even when they look alike (`%"7"` is named `7`; `%7` is anonymous).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) enum Label {
    /// `%x`, `%"a b"`.
    Name(String),
    /// `%7`.
    Index(String),
}

impl std::fmt::Display for Label {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Label::Name(n) => f.write_str(&text_form(n)),
            Label::Index(n) => f.write_str(n),
        }
    }
}

impl Parser<'_> {
    // ---- tokens ----

    /// How many tokens the parser may look ahead (`peek_at(0..LOOKAHEAD)`).
    pub(super) const LOOKAHEAD: usize = 3;

    /// Tops the lookahead buffer up to [`Parser::LOOKAHEAD`] tokens.
    pub(super) fn fill(&mut self) {
        while self.ahead.len() < Self::LOOKAHEAD {
            let t = self.lexer.next_token();
            self.ahead.push_back(t);
        }
    }

    pub(crate) fn peek(&self) -> &Tok {
        self.peek_at(0)
    }

    /// The token `n < LOOKAHEAD` places ahead (`Eof` or an `Error` repeats forever).
    pub(crate) fn peek_at(&self, n: usize) -> &Tok {
        let i = n.min(self.ahead.len().saturating_sub(1));
        self.ahead.get(i).map_or(&Tok::Eof, |t| &t.tok)
    }

    /// The current token with its position and text span.
    pub(crate) fn current(&self) -> Option<&Token> {
        self.ahead.front()
    }

    /// The position of the current token.
    pub(crate) fn at(&self) -> Pos {
        self.current().map_or(Pos { line: 1, col: 1 }, |t| t.pos)
    }

    /// Moves past the current token and returns it.
    pub(crate) fn bump(&mut self) -> Tok {
        let t = self.ahead.pop_front().map_or(Tok::Eof, |t| t.tok);
        self.fill();
        t
    }

    pub(crate) fn is_punct(&self, c: u8) -> bool {
        *self.peek() == Tok::Punct(c)
    }

    pub(crate) fn is_keyword(&self, kw: &str) -> bool {
        matches!(self.peek(), Tok::Ident(s) if s == kw)
    }

    pub(crate) fn eat_punct(&mut self, c: u8) -> bool {
        let hit = self.is_punct(c);
        if hit {
            self.bump();
        }
        hit
    }

    pub(crate) fn expect_punct(&mut self, c: u8) -> PResult<()> {
        if self.eat_punct(c) {
            Ok(())
        } else {
            Err(self.unexpected(&format!("`{}`", char::from(c))))
        }
    }

    pub(super) fn expect_keyword(&mut self, kw: &str, what: &str) -> PResult<Pos> {
        let at = self.at();
        if self.is_keyword(kw) {
            self.bump();
            Ok(at)
        } else {
            Err(self.unexpected(what))
        }
    }

    /// An error for the current token: the lexical error if it is one, else "expected X, found Y".
    pub(crate) fn unexpected(&self, what: &str) -> Box<Diagnostic> {
        self.unexpected_code(Code::Syntax, what)
    }

    /// As [`Parser::unexpected`], with the code to use when the token is well formed.
    // a parser that expects one kind of token rejects every other kind, now and in future
    #[allow(clippy::wildcard_enum_match_arm)]
    pub(crate) fn unexpected_code(&self, code: Code, what: &str) -> Box<Diagnostic> {
        match self.peek() {
            Tok::Error(msg) => self.err(Code::Syntax, self.at(), msg.clone()),
            t => self.err(code, self.at(), format!("expected {what}, found {t}")),
        }
    }

    // ---- diagnostics ----

    /// A location for a position.
    pub(crate) fn loc(&self, at: Pos) -> Location {
        Location::File {
            file: self.file.to_string(),
            line: at.line,
            col: at.col,
        }
    }

    pub(crate) fn err(&self, code: Code, at: Pos, msg: impl Into<String>) -> Box<Diagnostic> {
        let mut d = Diagnostic::new(code, msg).at(self.loc(at));
        if !self.func.is_empty() {
            d.function = Some(self.func.clone());
        }
        Box::new(d)
    }

    /// Records a non-fatal error.
    pub(crate) fn report(&mut self, d: Diagnostic) {
        self.errors.push(d);
    }

    // ---- small pieces ----

    /// An unsigned integer that fits `u32` (versions, counts, indices, loc positions).
    // a parser that expects one kind of token rejects every other kind, now and in future
    #[allow(clippy::wildcard_enum_match_arm)]
    pub(super) fn expect_u32(&mut self, what: &str) -> PResult<u32> {
        let at = self.at();
        match self.peek().clone() {
            Tok::Int(d) => {
                self.bump();
                d.parse::<u32>()
                    .map_err(|_| self.err(Code::Syntax, at, format!("{what} {d} is out of range")))
            }
            _ => Err(self.unexpected(what)),
        }
    }

    // a parser that expects one kind of token rejects every other kind, now and in future
    #[allow(clippy::wildcard_enum_match_arm)]
    pub(super) fn expect_string(&mut self, what: &str) -> PResult<String> {
        match self.peek().clone() {
            Tok::Str(s) => {
                self.bump();
                Ok(s)
            }
            _ => Err(self.unexpected(what)),
        }
    }

    /// `%NAME` (a name, checked against the grammar of names) or `%DIGITS` (an anonymous node).
    // a parser that expects one kind of token rejects every other kind, now and in future
    #[allow(clippy::wildcard_enum_match_arm)]
    pub(super) fn expect_local(&mut self, what: &str) -> PResult<(Label, Pos)> {
        let at = self.at();
        match self.peek().clone() {
            Tok::Local(n) => {
                if let Err(d) = check_node_name(&n) {
                    return Err(self.err(d.code, at, d.message));
                }
                self.bump();
                Ok((Label::Name(n), at))
            }
            Tok::Index(n) => {
                self.bump();
                Ok((Label::Index(n), at))
            }
            _ => Err(self.unexpected(what)),
        }
    }

    /// `%NAME` of a parameter or a declared result (never a number).
    pub(super) fn expect_param_name(&mut self) -> PResult<(String, Pos)> {
        match self.expect_local("a parameter `%name`")? {
            (Label::Name(n), at) => {
                self.check_name_at("parameter", &n, at)?;
                Ok((n, at))
            }
            (Label::Index(n), at) => Err(self.err(
                Code::Syntax,
                at,
                format!(
                    "parameter name `%{n}` must be an identifier or a quoted name (`%\"{n}\"`)"
                ),
            )),
        }
    }

    /// `E0112` at `at` when `name` is not a valid name (spec §1.6).
    pub(super) fn check_name_at(&self, what: &str, name: &str, at: Pos) -> PResult<()> {
        check_name(what, name).map_err(|d| self.err(d.code, at, d.message))
    }

    /// A comma-separated list up to `close`, the opening token already consumed.
    pub(crate) fn list<T>(
        &mut self,
        close: u8,
        mut item: impl FnMut(&mut Self) -> PResult<T>,
    ) -> PResult<Vec<T>> {
        let mut out = vec![];
        if self.eat_punct(close) {
            return Ok(out);
        }
        loop {
            out.push(item(self)?);
            if self.eat_punct(b',') {
                continue;
            }
            self.expect_punct(close)?;
            return Ok(out);
        }
    }
}
