//! Diagnostics: every problem AIR reports carries a stable error code and enough context (function,
//! node, op, location) to find it. The codes are listed in `docs/spec.md`; their numbers never change
//! meaning.

use std::fmt;

use crate::module::{Location, NodeId};

macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = $num:literal, $title:literal; )*) => {
        /// A stable error code. `E01xx`: reading; `E02xx`: types and shapes; `E03xx`: structure and
        /// handles; `E04xx`: functions, calls, regions and custom ops; `E05xx`: running.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $( $(#[$doc])* $variant, )*
        }

        impl Code {
            /// Every code, in numeric order.
            pub const ALL: &'static [Code] = &[ $( Code::$variant, )* ];

            /// The number, as in `E0203`.
            pub fn number(self) -> u16 {
                match self { $( Code::$variant => $num, )* }
            }

            /// A one-line title for the code's family of problems.
            pub fn title(self) -> &'static str {
                match self { $( Code::$variant => $title, )* }
            }
        }
    };
}

codes! {
    /// The text is not well formed.
    Syntax = 101, "syntax error";
    /// An op name that is neither in the op set nor `custom`.
    UnknownOp = 102, "unknown op";
    /// An attribute is missing, unknown for the op, or of the wrong kind.
    BadAttribute = 103, "bad attribute";
    /// The module's `ir_version` or `opset_version` is not readable by this reader.
    UnsupportedVersion = 104, "unsupported version";
    /// Input exceeds a reader limit (size, element count, nesting, node count).
    LimitExceeded = 105, "limit exceeded";
    /// A name used in the text is not defined before its use.
    UndefinedValue = 106, "undefined value";
    /// A literal does not fit its dtype or has the wrong number of elements.
    BadLiteral = 108, "bad literal";
    /// The protobuf bytes cannot be decoded, or a field is out of range.
    MalformedProtobuf = 109, "malformed protobuf";
    /// The JSON is not canonical proto-JSON of an AIR module.
    MalformedJson = 110, "malformed JSON";
    /// A dimension expression cannot be parsed or overflows.
    BadDim = 111, "bad dimension expression";

    /// Operands that must share a dtype do not.
    DTypeMismatch = 201, "operand dtypes differ";
    /// The op does not accept this dtype.
    DTypeNotAccepted = 202, "dtype not accepted";
    /// The contracted dims of `matmul` or `einsum` differ.
    ContractionMismatch = 203, "contracted dims differ";
    /// Operands that must share a shape do not.
    ShapeMismatch = 204, "operand shapes differ";
    /// An axis is out of range or repeated.
    BadAxis = 205, "bad axis";
    /// A permutation is not a permutation of the axes.
    BadPermutation = 206, "bad permutation";
    /// A broadcast maps dims that are neither equal nor 1, or its dims are not increasing.
    BadBroadcast = 207, "bad broadcast";
    /// A reshape changes the element count.
    ReshapeCount = 208, "reshape changes the element count";
    /// A squeezed axis does not have extent 1.
    SqueezeNotOne = 209, "squeezed axis is not 1";
    /// A slice is malformed (step 0, wrong axis count, bad bound operand).
    BadSlice = 210, "bad slice";
    /// Concatenated operands differ in rank or in a dim other than the axis.
    ConcatMismatch = 211, "concat operands differ";
    /// An einsum spec cannot be parsed or does not match the operands.
    BadEinsum = 212, "bad einsum spec";
    /// A node's declared result type differs from the inferred one.
    ResultTypeMismatch = 213, "declared type differs from inferred";
    /// A dim mentions a symbol the function does not bind.
    UnknownSymbol = 214, "unknown dimension symbol";
    /// An operand has the wrong rank for the op.
    RankMismatch = 215, "wrong rank";
    /// An operand that must be a scalar is not.
    ExpectedScalar = 216, "expected a scalar";
    /// A shape has a negative constant dim.
    BadShape = 217, "bad shape";
    /// The op got the wrong number of operands.
    Arity = 218, "wrong number of operands";

    /// An operand refers to a value not defined before the node.
    BadHandle = 301, "value used before it is defined";
    /// A result index is past the producing node's results.
    BadResultIndex = 302, "result index out of range";
    /// A node declares the wrong number of results for its op.
    ResultCount = 303, "wrong number of results";
    /// Two values or parameters of one region, or two params of a function, share a name.
    DuplicateName = 304, "duplicate name";
    /// The body yields values that do not match the function's results and out/inout params.
    ReturnMismatch = 305, "return does not match the signature";
    /// An `out` parameter is read.
    OutParamRead = 306, "out parameter read";
    /// The body's parameters do not mirror the function's parameters.
    BodyParams = 307, "body parameters differ from the signature";

    /// Two functions share a name.
    DuplicateFunction = 401, "duplicate function";
    /// A call or decomposition names a function the module does not have.
    UnknownFunction = 402, "unknown function";
    /// Functions call each other in a cycle.
    Recursion = 403, "recursive call";
    /// Call arguments do not match the callee's parameters.
    CallMismatch = 404, "call arguments differ from the callee";
    /// A `for` or `if` region's params or yields do not match the op.
    RegionMismatch = 405, "region signature mismatch";
    /// A custom op's decomposition does not match its operands or results.
    BadDecomposition = 406, "bad decomposition";
    /// A custom op has no decomposition and the backend does not know it.
    NoDecomposition = 407, "custom op without decomposition";

    /// Inputs do not match the function's parameters (missing, extra, wrong dtype or rank).
    BadInput = 501, "bad input";
    /// A dimension symbol is bound to two different extents by the inputs.
    SymbolConflict = 502, "dimension symbol bound twice";
    /// An index is out of range at run time.
    IndexOutOfRange = 503, "index out of range";
    /// A max/min/argmax/argmin reduction over no elements.
    EmptyReduction = 504, "empty reduction";
    /// The backend does not support this op or dtype.
    Unsupported = 505, "unsupported by this backend";
    /// A run-time extent is negative or inconsistent with its declared type.
    BadExtent = 506, "bad run-time extent";
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "E{:04}", self.number())
    }
}

impl Code {
    /// Parses `E0203`.
    pub fn parse(s: &str) -> Option<Code> {
        let n: u16 = s.strip_prefix('E')?.parse().ok()?;
        Code::ALL.iter().copied().find(|c| c.number() == n)
    }
}

/// One problem, with the entity it is about.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    /// The stable code.
    pub code: Code,
    /// What is wrong, specifically (`inner dims differ (n vs m+1)`).
    pub message: String,
    /// The function, when the problem is inside one.
    pub function: Option<String>,
    /// The path of node ids from the function body down to the node (nested regions).
    pub node_path: Vec<NodeId>,
    /// For each step into a nested op in `node_path`, which of its regions (`if`: 0 then, 1 else).
    pub region_path: Vec<u32>,
    /// The node's op name.
    pub op: Option<String>,
    /// The node rendered in the text form (`%7 = matmul(%A, %B)`), when known.
    pub node_text: Option<String>,
    /// Where the problem is.
    pub loc: Option<Location>,
}

impl Diagnostic {
    /// A diagnostic with only a code and a message.
    pub fn new(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            message: message.into(),
            function: None,
            node_path: vec![],
            region_path: vec![],
            op: None,
            node_text: None,
            loc: None,
        }
    }

    /// Sets the location.
    pub fn at(mut self, loc: Location) -> Diagnostic {
        self.loc = Some(loc);
        self
    }
}

impl fmt::Display for Diagnostic {
    /// `error[E0203]: matmul: inner dims differ (n vs m+1) at %7 = matmul(%A, %B) in @f (model.air:12:3)`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error[{}]: ", self.code)?;
        if let Some(op) = &self.op {
            write!(f, "{op}: ")?;
        }
        f.write_str(&self.message)?;
        if let Some(t) = &self.node_text {
            write!(f, " at {t}")?;
        }
        if let Some(func) = &self.function {
            write!(f, " in @{func}")?;
        }
        if let Some(loc) = &self.loc {
            write!(f, " ({loc})")?;
        }
        Ok(())
    }
}

/// Several diagnostics: the error type of readers and the validator.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Diagnostics {
        Diagnostics(vec![d])
    }
}

/// One AIR construct a foreign format cannot express: what a translator's export lists, every
/// one, instead of approximating.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Construct {
    /// The function.
    pub function: String,
    /// The node (`%7`), or the parameter or result it is about.
    pub at: String,
    /// The op or thing (`cast`, `bf16 parameter`).
    pub what: String,
    /// Why the format cannot express it faithfully.
    pub reason: String,
}

impl fmt::Display for Construct {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at {} in @{}: {}",
            self.what, self.at, self.function, self.reason
        )
    }
}

impl Construct {
    /// The construct as an `Unsupported` diagnostic naming the format.
    pub fn to_diagnostic(&self, format: &str) -> Diagnostic {
        let mut d = Diagnostic::new(
            Code::Unsupported,
            format!(
                "{} at {}: {format} cannot express it: {}",
                self.what, self.at, self.reason
            ),
        );
        d.function = Some(self.function.clone());
        d
    }
}

/// `N problem(s):` followed by one `- item` line per item: how translator errors list everything
/// they found.
pub fn problem_list<T: fmt::Display>(items: &[T]) -> String {
    let lines: Vec<String> = items.iter().map(|p| format!("- {p}")).collect();
    format!("{} problem(s):\n{}", items.len(), lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_parse_back() {
        let mut seen = std::collections::HashSet::new();
        for &c in Code::ALL {
            assert!(seen.insert(c.number()), "{c} repeated");
            assert_eq!(Code::parse(&c.to_string()), Some(c));
        }
    }

    #[test]
    fn constructs_render_as_lists_and_diagnostics() {
        let c = Construct {
            function: "f".into(),
            at: "%3".into(),
            what: "cast".into(),
            reason: "no casts".into(),
        };
        assert_eq!(c.to_string(), "cast at %3 in @f: no casts");
        assert_eq!(
            problem_list(&[c.clone(), c.clone()]),
            "2 problem(s):\n- cast at %3 in @f: no casts\n- cast at %3 in @f: no casts"
        );
        let d = c.to_diagnostic("SymPy");
        assert_eq!(d.code, Code::Unsupported);
        assert_eq!(d.message, "cast at %3: SymPy cannot express it: no casts");
        assert_eq!(d.function.as_deref(), Some("f"));
    }
}
