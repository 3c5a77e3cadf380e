//! A recursive-descent parser of srepr text into a [`Tree`]. It never evaluates anything, never
//! panics, and bounds the input size, the nesting depth and the node count.
//!
//! ```text
//! expr    := '-' expr | INT | STRING | NAME [ '(' [ arg (',' arg)* [','] ] ')' ]
//! arg     := NAME '=' expr | expr          (keyword arguments after positional ones)
//! ```

use super::lexer::{LexError, Lexer, Tok, Token};
use super::tree::{Atom, Node, NodeId, Tree};
use super::Limits;
use crate::error::{Position, Problem, ProblemKind};

/// Parses srepr text into a tree.
pub fn parse(text: &str, limits: Limits) -> Result<Tree, Problem> {
    if text.len() > limits.max_bytes {
        return Err(problem(
            text,
            ProblemKind::Limit,
            format!(
                "the text is {} bytes, more than the limit of {}",
                text.len(),
                limits.max_bytes
            ),
            0,
        ));
    }
    let mut p = Parser {
        text,
        lexer: Lexer::new(text, limits),
        limits,
        tok: Token {
            tok: Tok::Eof,
            start: 0,
            end: 0,
        },
        tree: Tree::default(),
        depth: 0,
    };
    p.bump()?;
    let root = p.expr()?;
    if p.tok.tok != Tok::Eof {
        return Err(p.unexpected("the end of the text"));
    }
    p.tree.root = root;
    Ok(p.tree)
}

fn problem(text: &str, kind: ProblemKind, message: String, offset: usize) -> Problem {
    Problem {
        kind,
        message,
        pos: Some(Position::of(text, offset)),
        path: String::new(),
    }
}

struct Parser<'a> {
    text: &'a str,
    lexer: Lexer<'a>,
    limits: Limits,
    tok: Token,
    tree: Tree,
    depth: usize,
}

impl Parser<'_> {
    fn bump(&mut self) -> Result<Token, Problem> {
        let next = self.lexer.next_token().map_err(|e: LexError| {
            let kind = if e.limit {
                ProblemKind::Limit
            } else {
                ProblemKind::Syntax
            };
            problem(self.text, kind, e.message, e.offset)
        })?;
        Ok(std::mem::replace(&mut self.tok, next))
    }

    fn unexpected(&self, wanted: &str) -> Problem {
        problem(
            self.text,
            ProblemKind::Syntax,
            format!("expected {wanted}, found {}", self.tok.tok.describe()),
            self.tok.start,
        )
    }

    fn push(
        &mut self,
        atom: Atom,
        args: Vec<NodeId>,
        kwargs: Vec<(String, NodeId)>,
        span: (usize, usize),
    ) -> Result<NodeId, Problem> {
        if self.tree.nodes.len() >= self.limits.max_nodes {
            return Err(problem(
                self.text,
                ProblemKind::Limit,
                format!("more than {} nodes", self.limits.max_nodes),
                span.0,
            ));
        }
        Ok(self.tree.push(Node {
            atom,
            args,
            kwargs,
            span,
        }))
    }

    fn enter(&mut self, at: usize) -> Result<(), Problem> {
        self.depth += 1;
        if self.depth > self.limits.max_depth {
            return Err(problem(
                self.text,
                ProblemKind::Limit,
                format!("nested deeper than {} levels", self.limits.max_depth),
                at,
            ));
        }
        Ok(())
    }

    #[allow(clippy::wildcard_enum_match_arm)] // srepr tokens: every other token is a syntax error
    fn expr(&mut self) -> Result<NodeId, Problem> {
        let start = self.tok.start;
        self.enter(start)?;
        if !matches!(
            self.tok.tok,
            Tok::Minus | Tok::Int(_) | Tok::Str(_) | Tok::Ident(_)
        ) {
            return Err(self.unexpected("an expression"));
        }
        let tok = self.bump()?;
        let id = match tok.tok {
            Tok::Minus => {
                // `-5` is one integer; `-0` stays a negation of 0, so that printing the tree
                // gives its text back (`--0` would otherwise print as `-0`).
                match &self.tok.tok {
                    Tok::Int(digits) if digits != "0" => {
                        let atom = Atom::Int(format!("-{digits}"));
                        let end = self.bump()?.end;
                        self.push(atom, vec![], vec![], (start, end))?
                    }
                    _ => {
                        let arg = self.expr()?;
                        let end = self.tree.node(arg).span.1;
                        self.push(Atom::Neg, vec![arg], vec![], (start, end))?
                    }
                }
            }
            Tok::Int(digits) => self.push(Atom::Int(digits), vec![], vec![], (start, tok.end))?,
            Tok::Str(s) => self.push(Atom::Str(s), vec![], vec![], (start, tok.end))?,
            Tok::Ident(name) if self.tok.tok == Tok::LParen => self.call(name, start)?,
            Tok::Ident(name) => self.push(Atom::Name(name), vec![], vec![], (start, tok.end))?,
            Tok::LParen | Tok::RParen | Tok::Comma | Tok::Assign | Tok::Eof => {
                return Err(self.unexpected("an expression"))
            }
        };
        self.depth -= 1;
        Ok(id)
    }

    /// `NAME(args...)`, the current token being `(`.
    #[allow(clippy::wildcard_enum_match_arm)] // srepr tokens: every other token is a syntax error
    fn call(&mut self, head: String, start: usize) -> Result<NodeId, Problem> {
        self.bump()?;
        let (mut args, mut kwargs) = (vec![], vec![]);
        while self.tok.tok != Tok::RParen {
            let keyword = match (&self.tok.tok, self.lexer_peek_is_assign()) {
                (Tok::Ident(k), true) => Some(k.clone()),
                _ => None,
            };
            if let Some(key) = keyword {
                let at = self.tok.start;
                self.bump()?;
                self.bump()?;
                if kwargs.iter().any(|(k, _)| *k == key) {
                    return Err(problem(
                        self.text,
                        ProblemKind::Syntax,
                        format!("keyword argument `{key}` repeated"),
                        at,
                    ));
                }
                kwargs.push((key, self.expr()?));
            } else if !kwargs.is_empty() {
                return Err(problem(
                    self.text,
                    ProblemKind::Syntax,
                    "positional argument after a keyword argument".into(),
                    self.tok.start,
                ));
            } else {
                args.push(self.expr()?);
            }
            match self.tok.tok {
                Tok::Comma => {
                    self.bump()?;
                }
                Tok::RParen => {}
                _ => return Err(self.unexpected("`,` or `)`")),
            }
        }
        let end = self.bump()?.end;
        self.push(Atom::Call(head), args, kwargs, (start, end))
    }

    /// True when the token after the current one is `=`.
    fn lexer_peek_is_assign(&self) -> bool {
        let rest = self.text.get(self.tok.end..).unwrap_or("");
        rest.trim_start().starts_with('=')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Tree, Problem> {
        parse(s, Limits::default())
    }

    #[test]
    fn parses_calls_keywords_strings_and_negatives() {
        let t = p("Symbol('n', integer=True, positive=True)").unwrap();
        let root = t.node(t.root);
        assert_eq!(root.atom, Atom::Call("Symbol".into()));
        assert_eq!(t.node(root.args[0]).atom, Atom::Str("n".into()));
        assert_eq!(root.kwargs.len(), 2);
        assert_eq!(t.node(root.kwargs[1].1).atom, Atom::Name("True".into()));
        let t = p("Integer(-3)").unwrap();
        assert_eq!(t.node(t.node(t.root).args[0]).atom, Atom::Int("-3".into()));
        let t = p("-oo").unwrap();
        assert_eq!(t.node(t.root).atom, Atom::Neg);
        // `-0` is no integer of its own: `--0` prints back as `--0`, not as `-0`.
        let t = p("--0").unwrap();
        assert_eq!(super::super::print(&t, t.root), "--0");
        let t = p("-0").unwrap();
        assert_eq!(t.node(t.root).atom, Atom::Neg);
        let t = p(r#"Str("a\"b\x41\u00e9")"#).unwrap();
        assert_eq!(
            t.node(t.node(t.root).args[0]).atom,
            Atom::Str("a\"bAé".into())
        );
        assert!(p("Tuple()").is_ok());
        assert!(p("Tuple(Integer(1),)").is_ok());
    }

    #[test]
    fn syntax_errors_have_positions() {
        let e = p("Add(Symbol('x'),\n  Integer(1]").unwrap_err();
        assert_eq!(e.kind, ProblemKind::Syntax);
        let pos = e.pos.unwrap();
        assert_eq!((pos.line, pos.col), (2, 12), "{e}");
        for bad in [
            "",
            "(",
            "Add(",
            "Add(x=1, 2)",
            "Add(x=1, x=2)",
            "'abc",
            "Integer(01)",
            "1.5",
            "Add(,)",
            "Add(1 2)",
            "$",
            "Symbol('\\q')",
            "Str('\\x4')",
            "x)",
        ] {
            assert!(p(bad).is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn hostile_input_hits_limits_not_the_stack() {
        let deep = format!("{}x{}", "Add(".repeat(100_000), ")".repeat(100_000));
        let e = p(&deep).unwrap_err();
        assert_eq!(e.kind, ProblemKind::Limit, "{e}");
        let negs = "-".repeat(100_000) + "oo";
        assert_eq!(p(&negs).unwrap_err().kind, ProblemKind::Limit);
        let huge = format!("Integer({})", "9".repeat(100_000));
        assert_eq!(p(&huge).unwrap_err().kind, ProblemKind::Limit);
        let small = Limits {
            max_bytes: 10,
            ..Limits::default()
        };
        assert_eq!(
            parse("Integer(12345)", small).unwrap_err().kind,
            ProblemKind::Limit
        );
    }

    #[test]
    fn garbage_never_panics() {
        // A cheap deterministic fuzz: every prefix and every single-byte corruption of a real srepr.
        let text = "Equality(Indexed(IndexedBase(Symbol('y'), Tuple(Symbol('n', integer=True))), Idx(Symbol('i', integer=True), Tuple(Integer(0), Add(Symbol('n'), Integer(-1))))), Float('1.5', precision=53))";
        for end in 0..text.len() {
            if let Some(prefix) = text.get(..end) {
                let _ = p(prefix);
            }
        }
        let bytes = text.as_bytes();
        for i in 0..bytes.len() {
            for b in [b'(', b')', b',', b'=', b'\'', b'-', b'9', b'\\', 0xC3] {
                let mut v = bytes.to_vec();
                v[i] = b;
                if let Ok(s) = std::str::from_utf8(&v) {
                    let _ = p(s);
                }
            }
        }
    }
}
