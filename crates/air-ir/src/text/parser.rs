//! The parser: tokens to a [`Module`], resolving names to values.
//!
//! Syntax errors, limit errors and version errors stop the parse. Name errors (undefined or
//! duplicate names, bad `#k` result picks) and op errors (unknown ops, bad attributes) are collected
//! and parsing goes on, so one run reports all of them; a module is returned only when there are
//! none. Recursion is bounded by [`Limits::max_region_depth`], the only recursive construct.

use std::collections::HashMap;

use std::collections::VecDeque;

use super::cursor::Label;
use super::lexer::{Lexer, Pos, Tok, Token};
use super::SourceMap;
use crate::attrs::from_generic;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::dim::{parse_dim, Dim, DimParseError};
use crate::dtype::DType;
use crate::limits::Limits;
use crate::module::{
    Function, Intent, Location, Module, Node, NodeId, Param, Region, RegionParam, ResultDecl,
    Value, IR_VERSION, OPSET_VERSION,
};
use crate::op::Op;
use crate::types::TensorType;

/// A fatal parse error.
pub(crate) type PResult<T> = Result<T, Box<Diagnostic>>;

/// What a name in a region's namespace stands for.
#[derive(Clone, Copy)]
enum Binding {
    Param(u32),
    Node(NodeId, usize),
}

/// A region being parsed: its namespace and its arena.
#[derive(Default)]
struct RegionCtx {
    scope: HashMap<Label, Binding>,
    region: Region,
}

/// The parser state.
pub(crate) struct Parser<'s> {
    pub(super) src: &'s str,
    pub(super) file: &'s str,
    pub(super) lexer: Lexer<'s>,
    /// The current token and the ones after it.
    pub(super) ahead: VecDeque<Token>,
    pub(super) limits: Limits,
    /// Collected non-fatal errors, in source order.
    pub(super) errors: Vec<Diagnostic>,
    map: SourceMap,
    /// The function being parsed.
    pub(super) func: String,
    /// Ids of the nodes whose regions enclose the current one, and the region index in each.
    path: Vec<(NodeId, u32)>,
}

/// Parses a module with the given limits.
pub(crate) fn parse_module(
    src: &str,
    file: &str,
    limits: &Limits,
) -> Result<(Module, SourceMap), Diagnostics> {
    let mut p = Parser {
        src,
        file,
        lexer: Lexer::new(""),
        ahead: VecDeque::new(),
        limits: *limits,
        errors: vec![],
        map: SourceMap {
            file: file.to_string(),
            ..SourceMap::default()
        },
        func: String::new(),
        path: vec![],
    };
    if src.len() > limits.max_input_bytes {
        let msg = format!(
            "input is {} bytes; the limit is {}",
            src.len(),
            limits.max_input_bytes
        );
        return Err((*p.err(Code::LimitExceeded, p.at(), msg)).into());
    }
    p.lexer = Lexer::new(src);
    p.fill();
    match p.module() {
        // The names the statements do not check as they read them (custom ops' strings, keys).
        Ok(m) if p.errors.is_empty() => match crate::name::check_module(&m) {
            Ok(()) => Ok((m, p.map)),
            Err(d) => Err(d.into()),
        },
        Ok(_) => Err(Diagnostics(p.errors)),
        Err(fatal) => {
            p.errors.push(*fatal);
            Err(Diagnostics(p.errors))
        }
    }
}

impl Parser<'_> {
    // ---- module ----

    fn module(&mut self) -> PResult<Module> {
        let (ir_version, opset_version) = self.header()?;
        let mut m = Module {
            ir_version,
            opset_version,
            ..Module::default()
        };
        if self.is_keyword("producer") {
            self.bump();
            m.producer = self.expect_string("the producer string")?;
        }
        while self.is_keyword("meta") {
            self.bump();
            let k = self.expect_string("a metadata key string")?;
            self.expect_punct(b'=')?;
            let v = self.expect_string("a metadata value string")?;
            m.metadata.push((k, v));
        }
        while *self.peek() != Tok::Eof {
            if m.functions.len() >= self.limits.max_functions {
                let msg = format!("more than {} functions", self.limits.max_functions);
                return Err(self.err(Code::LimitExceeded, self.at(), msg));
            }
            m.functions.push(self.function()?);
            self.func.clear();
        }
        Ok(m)
    }

    fn header(&mut self) -> PResult<(u32, u32)> {
        const WHAT: &str = "the header `air <ir_version> opset <opset_version>`";
        if *self.peek() == Tok::Eof {
            return Err(self.err(
                Code::Syntax,
                self.at(),
                format!("empty input: expected {WHAT}"),
            ));
        }
        self.expect_keyword("air", WHAT)?;
        let ir = self.version("ir_version", IR_VERSION)?;
        self.expect_keyword("opset", "`opset <opset_version>`")?;
        let opset = self.version("opset version", OPSET_VERSION)?;
        Ok((ir, opset))
    }

    fn version(&mut self, what: &str, max: u32) -> PResult<u32> {
        let at = self.at();
        let Tok::Int(d) = self.peek().clone() else {
            return Err(self.unexpected(&format!("the {what}")));
        };
        self.bump();
        match d.parse::<u32>() {
            Ok(v) if (1..=max).contains(&v) => Ok(v),
            _ => {
                let msg =
                    format!("{what} {d} is not supported: this reader accepts {what} 1 to {max}");
                Err(self.err(Code::UnsupportedVersion, at, msg))
            }
        }
    }

    // ---- functions ----

    // a parser that expects one kind of token rejects every other kind, now and in future
    #[allow(clippy::wildcard_enum_match_arm)]
    fn function(&mut self) -> PResult<Function> {
        let start = self.expect_keyword("func", "`func` or the end of input")?;
        let name = match self.peek().clone() {
            Tok::Global(n) => {
                self.check_name_at("function", &n, self.at())?;
                self.bump();
                n
            }
            _ => return Err(self.unexpected("a function name `@name`")),
        };
        self.func = name.clone();
        let pos = (start.line, start.col);
        self.map.functions.entry(name.clone()).or_insert(pos);
        self.expect_punct(b'(')?;
        let params = self.list(b')', Self::param)?;
        if *self.peek() != Tok::Arrow {
            return Err(self.unexpected("`->`"));
        }
        self.bump();
        self.expect_punct(b'(')?;
        let results = self.list(b')', Self::result_decl)?;
        let loc = self.opt_loc()?;
        self.expect_punct(b'{')?;
        let rparams: Vec<(RegionParam, Pos)> = params
            .iter()
            .map(|(p, at)| {
                let rp = RegionParam {
                    name: p.name.clone(),
                    ty: p.ty.clone(),
                };
                (rp, *at)
            })
            .collect();
        let body = self.region_body(rparams, "return")?;
        Ok(Function {
            name,
            params: params.into_iter().map(|(p, _)| p).collect(),
            results,
            body,
            loc,
        })
    }

    // a parser that expects one kind of token rejects every other kind, now and in future
    #[allow(clippy::wildcard_enum_match_arm)]
    fn param(&mut self) -> PResult<(Param, Pos)> {
        let intent = if self.is_keyword("out") {
            self.bump();
            Intent::Out
        } else if self.is_keyword("inout") {
            self.bump();
            Intent::InOut
        } else {
            Intent::In
        };
        let (name, at) = self.expect_param_name()?;
        self.expect_punct(b':')?;
        let ty = self.ty()?;
        // Op set 2: `%len: i64 size n` binds the dim symbol `n` to the parameter's value.
        let size = if self.is_keyword("size") {
            self.bump();
            let at = self.at();
            let symbol = match self.peek() {
                Tok::Ident(s) => Some(s.clone()).filter(|s| crate::name::is_dim_symbol(s)),
                _ => None,
            };
            let Some(s) = symbol else {
                return Err(self.err(
                    Code::Syntax,
                    at,
                    "expected a dimension symbol after `size`".to_string(),
                ));
            };
            self.bump();
            Some(s)
        } else {
            None
        };
        Ok((
            Param {
                name,
                ty,
                intent,
                size,
            },
            at,
        ))
    }

    fn result_decl(&mut self) -> PResult<ResultDecl> {
        let name = if matches!(self.peek(), Tok::Local(_) | Tok::Index(_)) {
            let (n, _) = self.expect_param_name()?;
            self.expect_punct(b':')?;
            Some(n)
        } else {
            None
        };
        Ok(ResultDecl {
            name,
            ty: self.ty()?,
        })
    }

    /// `loc("file":line:col)` or `loc("foreign id")`, if present.
    fn opt_loc(&mut self) -> PResult<Option<Location>> {
        if !self.is_keyword("loc") {
            return Ok(None);
        }
        self.bump();
        self.expect_punct(b'(')?;
        let s = self.expect_string("a location string")?;
        let loc = if self.eat_punct(b':') {
            let line = self.expect_u32("a line number")?;
            self.expect_punct(b':')?;
            let col = self.expect_u32("a column number")?;
            Location::File { file: s, line, col }
        } else {
            Location::Foreign(s)
        };
        self.expect_punct(b')')?;
        Ok(Some(loc))
    }

    // ---- regions ----

    /// Statements up to `terminator` (`return` or `yield`), its values and the closing `}`.
    // a parser that expects one kind of token rejects every other kind, now and in future
    #[allow(clippy::wildcard_enum_match_arm)]
    fn region_body(
        &mut self,
        params: Vec<(RegionParam, Pos)>,
        terminator: &str,
    ) -> PResult<Region> {
        let mut ctx = RegionCtx::default();
        for (i, (p, at)) in params.into_iter().enumerate() {
            let index = u32::try_from(i).unwrap_or(u32::MAX);
            self.define(
                &mut ctx,
                Label::Name(p.name.clone()),
                at,
                Binding::Param(index),
            );
            ctx.region.params.push(p);
        }
        loop {
            match self.peek() {
                Tok::Local(_) | Tok::Index(_) => self.stmt(&mut ctx)?,
                Tok::Ident(s) if s == terminator => break,
                _ => {
                    return Err(
                        self.unexpected(&format!("a statement `%name = op ...` or `{terminator}`"))
                    )
                }
            }
        }
        self.bump();
        if matches!(self.peek(), Tok::Local(_) | Tok::Index(_)) {
            loop {
                let v = self.value(&ctx)?;
                ctx.region.results.push(v);
                if !self.eat_punct(b',') {
                    break;
                }
            }
        }
        self.expect_punct(b'}')?;
        Ok(ctx.region)
    }

    /// `{ (params): stmts yield values }` of node `parent`, region number `index`.
    fn nested_region(&mut self, parent: NodeId, index: u32) -> PResult<Region> {
        let open = self.at();
        self.expect_punct(b'{')?;
        if self.path.len() >= self.limits.max_region_depth {
            let msg = format!(
                "regions nested deeper than {}",
                self.limits.max_region_depth
            );
            return Err(self.err(Code::LimitExceeded, open, msg));
        }
        self.expect_punct(b'(')?;
        let params = self.list(b')', |p| {
            let (name, at) = p.expect_param_name()?;
            p.expect_punct(b':')?;
            Ok((RegionParam { name, ty: p.ty()? }, at))
        })?;
        self.expect_punct(b':')?;
        self.path.push((parent, index));
        let r = self.region_body(params, "yield");
        self.path.pop();
        r
    }

    /// Binds a name in a region, reporting a duplicate.
    fn define(&mut self, ctx: &mut RegionCtx, name: Label, at: Pos, b: Binding) {
        match ctx.scope.entry(name) {
            std::collections::hash_map::Entry::Occupied(e) => {
                let d = self.err(
                    Code::DuplicateName,
                    at,
                    format!("`%{}` is already defined in this region", e.key()),
                );
                self.report(*d);
            }
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(b);
            }
        }
    }

    /// `%NAME` or `%NAME#k`, resolved in the region.
    fn value(&mut self, ctx: &RegionCtx) -> PResult<Value> {
        let (name, at) = self.expect_local("a value `%name`")?;
        let pick = if self.eat_punct(b'#') {
            Some(self.expect_u32("a result index")?)
        } else {
            None
        };
        let placeholder = Value::Param(u32::MAX);
        let bad_pick = |p: &Self, msg: String| p.err(Code::BadResultIndex, at, msg);
        match ctx.scope.get(&name).copied() {
            None => {
                let msg = format!("`%{name}` is not defined before this use (a region sees only its own parameters and nodes)");
                let d = self.err(Code::UndefinedValue, at, msg);
                self.report(*d);
                Ok(placeholder)
            }
            Some(Binding::Param(i)) => match pick {
                None | Some(0) => Ok(Value::Param(i)),
                Some(k) => {
                    let d = bad_pick(
                        self,
                        format!("parameter `%{name}` has one value; `#{k}` is out of range"),
                    );
                    self.report(*d);
                    Ok(placeholder)
                }
            },
            Some(Binding::Node(node, n)) => match pick {
                None if n == 1 => Ok(Value::of(node)),
                None => {
                    let d = bad_pick(
                        self,
                        format!("`%{name}` has {n} results; pick one with `%{name}#k`"),
                    );
                    self.report(*d);
                    Ok(placeholder)
                }
                Some(k) if (k as usize) < n => Ok(Value::Result { node, index: k }),
                Some(k) => {
                    let d = bad_pick(
                        self,
                        format!("`%{name}` has {n} result(s); `#{k}` is out of range"),
                    );
                    self.report(*d);
                    Ok(placeholder)
                }
            },
        }
    }

    // ---- statements ----

    /// `lhs = OPNAME attrs? (values) : types region* loc?`
    fn stmt(&mut self, ctx: &mut RegionCtx) -> PResult<()> {
        let start = self.at();
        let (label, label_at, count) = self.lhs()?;
        self.expect_punct(b'=')?;
        let op_at = self.at();
        let Tok::Ident(opname) = self.peek().clone() else {
            return Err(self.unexpected("an op name"));
        };
        self.bump();
        let attrs = if self.is_punct(b'{') {
            self.attrs()?
        } else {
            vec![]
        };
        self.expect_punct(b'(')?;
        let operands = self.list(b')', |p| p.value(ctx))?;
        self.expect_punct(b':')?;
        let types_at = self.at();
        let results = self.types()?;
        if results.len() != count {
            let n = results.len();
            let msg = format!("the node declares {count} result(s) but lists {n} type(s)");
            return Err(self.err(Code::Syntax, types_at, msg));
        }
        if ctx.region.nodes.len() >= self.limits.max_nodes {
            let msg = format!("more than {} nodes in one region", self.limits.max_nodes);
            return Err(self.err(Code::LimitExceeded, start, msg));
        }
        let id = NodeId(u32::try_from(ctx.region.nodes.len()).unwrap_or(u32::MAX));
        let mut regions = vec![];
        while self.is_punct(b'{') {
            let index = u32::try_from(regions.len()).unwrap_or(u32::MAX);
            regions.push(self.nested_region(id, index)?);
        }
        let loc = self.opt_loc()?;
        let op = self.build_op(&opname, op_at, attrs, regions, id);
        let name = match &label {
            Label::Name(n) => Some(n.clone()),
            Label::Index(_) => None,
        };
        self.define(ctx, label, label_at, Binding::Node(id, count));
        ctx.region.push(Node {
            op,
            operands,
            results,
            name,
            loc,
        });
        self.record(id, start);
        Ok(())
    }

    /// `%NAME` or `%NAME:INT` with the name's offset and the result count.
    fn lhs(&mut self) -> PResult<(Label, Pos, usize)> {
        let (label, label_at) = self.expect_local("a statement")?;
        if !self.eat_punct(b':') {
            return Ok((label, label_at, 1));
        }
        let at = self.at();
        let n = self.expect_u32("a result count")?;
        if n == 1 {
            let msg =
                format!("a node with one result is written `%{label} = ...`, not `%{label}:1`");
            return Err(self.err(Code::Syntax, at, msg));
        }
        Ok((label, label_at, n as usize))
    }

    /// Builds the typed op; a problem is reported at the attribute it names, or at the op name.
    fn build_op(
        &mut self,
        name: &str,
        op_at: Pos,
        attrs: Vec<(String, Pos, crate::op::AttrValue)>,
        regions: Vec<Region>,
        id: NodeId,
    ) -> Op {
        let positions: Vec<(String, Pos)> =
            attrs.iter().map(|(k, at, _)| (k.clone(), *at)).collect();
        let generic = attrs.into_iter().map(|(k, _, v)| (k, v)).collect();
        match from_generic(name, generic, regions) {
            Ok(op) => op,
            Err(mut d) => {
                let named = d.message.split('`').nth(1).unwrap_or("");
                let at = positions
                    .iter()
                    .rev()
                    .find(|(k, _)| k == named)
                    .map_or(op_at, |(_, at)| *at);
                d.loc = Some(self.loc(at));
                d.function = Some(self.func.clone());
                d.node_path = self.path.iter().map(|(n, _)| *n).chain([id]).collect();
                self.report(d);
                // The module is discarded when any error is reported; this op is never seen.
                Op::Matmul
            }
        }
    }

    /// Records where node `id` of the current region starts.
    fn record(&mut self, id: NodeId, start: Pos) {
        let pos = (start.line, start.col);
        let mut ids: Vec<NodeId> = self.path.iter().map(|(n, _)| *n).collect();
        ids.push(id);
        let branches: Vec<u32> = self.path.iter().map(|(_, r)| *r).collect();
        self.map
            .exact
            .insert((self.func.clone(), ids.clone(), branches), pos);
        self.map
            .nodes
            .entry((self.func.clone(), ids))
            .or_insert(pos);
    }

    // ---- types ----

    /// `type`, or `(type, ...)`.
    fn types(&mut self) -> PResult<Vec<TensorType>> {
        if self.eat_punct(b'(') {
            self.list(b')', Self::ty)
        } else {
            Ok(vec![self.ty()?])
        }
    }

    /// A dtype name, if the current token is one.
    // a parser that expects one kind of token rejects every other kind, now and in future
    #[allow(clippy::wildcard_enum_match_arm)]
    pub(crate) fn peek_dtype(&self) -> Option<DType> {
        match self.peek() {
            Tok::Ident(s) => DType::ALL.into_iter().find(|d| d.name() == s),
            _ => None,
        }
    }

    /// `DTYPE ['[' dims ']']`.
    // a parser that expects one kind of token rejects every other kind, now and in future
    #[allow(clippy::wildcard_enum_match_arm)]
    pub(crate) fn ty(&mut self) -> PResult<TensorType> {
        let at = self.at();
        let Some(dtype) = self.peek_dtype() else {
            return match self.peek() {
                Tok::Ident(s) => Err(self.err(Code::Syntax, at, format!("unknown dtype `{s}`"))),
                _ => Err(self.unexpected("a type")),
            };
        };
        self.bump();
        let shape = if self.eat_punct(b'[') {
            self.list(b']', Self::dim)?
        } else {
            vec![]
        };
        self.check_rank(shape.len(), at)?;
        Ok(TensorType { dtype, shape })
    }

    pub(crate) fn check_rank(&self, rank: usize, at: Pos) -> PResult<()> {
        if rank > self.limits.max_rank {
            let msg = format!("rank {rank} exceeds the limit of {}", self.limits.max_rank);
            return Err(self.err(Code::LimitExceeded, at, msg));
        }
        Ok(())
    }

    /// True for the tokens a dim expression is made of.
    fn is_dim_token(t: &Tok) -> bool {
        matches!(
            t,
            Tok::Ident(_) | Tok::Int(_) | Tok::Punct(b'+' | b'-' | b'*' | b'(' | b')' | b',')
        )
    }

    /// A dim expression: the longest run of dim tokens with balanced parentheses, at most
    /// [`MAX_DIM_TOKENS`] long (products of sums grow fast when expanded).
    // a parser that expects one kind of token rejects every other kind, now and in future
    #[allow(clippy::wildcard_enum_match_arm)]
    pub(crate) fn dim(&mut self) -> PResult<Dim> {
        let first = self.at();
        let mut depth = 0usize;
        let mut text = String::new();
        let mut starts: Vec<(usize, Pos)> = vec![];
        while Self::is_dim_token(self.peek()) {
            match self.peek() {
                Tok::Punct(b'(') => depth += 1,
                Tok::Punct(b')') if depth == 0 => break,
                Tok::Punct(b')') => depth -= 1,
                // A comma separates `floordiv`'s arguments inside parentheses, dims outside.
                Tok::Punct(b',') if depth == 0 => break,
                _ => {}
            }
            if starts.len() == MAX_DIM_TOKENS {
                let msg = format!("dimension expression longer than {MAX_DIM_TOKENS} tokens");
                return Err(self.err(Code::LimitExceeded, first, msg));
            }
            if let Some(t) = self.current() {
                starts.push((text.len(), t.pos));
                text.push_str(self.src.get(t.start..t.end).unwrap_or(""));
                text.push(' ');
            }
            self.bump();
        }
        if starts.is_empty() {
            return Err(self.unexpected("a dimension"));
        }
        parse_dim(&text).map_err(|e| {
            let (at, msg) = match e {
                // Past the end of the run: the error is at the token that ended it.
                DimParseError::Syntax { pos, msg } if pos >= text.trim_end().len() => {
                    (self.at(), msg)
                }
                DimParseError::Syntax { pos, msg } => {
                    let at = starts
                        .iter()
                        .rev()
                        .find(|(o, _)| *o <= pos)
                        .map_or(first, |s| s.1);
                    (at, msg)
                }
                DimParseError::Overflow(o) => (first, o.to_string()),
            };
            let msg = format!("bad dimension expression `{}`: {msg}", text.trim_end());
            self.err(Code::BadDim, at, msg)
        })
    }
}

/// The most tokens one dim expression may have.
pub(crate) const MAX_DIM_TOKENS: usize = 128;
