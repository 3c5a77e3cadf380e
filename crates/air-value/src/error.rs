//! The run-time error of every engine: a stable code and the function, node and op it is about.

use std::fmt;

use air_ir::{Code, Diagnostic, Diagnostics, Node, NodeId};

/// A run-time failure (or a problem of an unvalidated module met while running it).
///
/// The code is one of `docs/op-rules.md` "Run time" (E05xx) for problems of the inputs or of the
/// values computed; problems of the module itself that an engine meets on the way (a dtype an op
/// does not accept, a wrong operand count) carry the validator's code for them.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub struct RunError {
    /// The stable code.
    pub code: Code,
    /// What is wrong, naming the param, symbol or index concerned.
    pub message: String,
    /// The function the failing node is in, when the error is about a node.
    pub function: Option<String>,
    /// Node ids from the function body down to the failing node (one per nested region).
    pub node_path: Vec<NodeId>,
    /// The failing node's op name.
    pub op: Option<&'static str>,
    /// The failing node's name, when it has one.
    pub node_name: Option<String>,
}

/// Results of running a function.
pub type Result<T> = std::result::Result<T, RunError>;

impl RunError {
    /// An error with only a code and a message.
    pub fn new(code: Code, message: impl Into<String>) -> RunError {
        RunError {
            code,
            message: message.into(),
            function: None,
            node_path: vec![],
            op: None,
            node_name: None,
        }
    }

    /// The error for a module the validator rejects: the first diagnostic's code, and every
    /// diagnostic in the message, one a line.
    pub fn invalid_module(diags: &Diagnostics) -> RunError {
        let code = diags.0.first().map_or(Code::BadInput, |d| d.code);
        let n = diags.0.len();
        let plural = if n == 1 { "" } else { "s" };
        RunError::new(
            code,
            format!("the module is invalid ({n} problem{plural}):\n{diags}"),
        )
    }

    /// Adds the node an error comes from. Called at each region level on the way out, so the
    /// outermost node ends up first in the path; errors already attributed to a (called) function
    /// keep their own path.
    pub fn at_node(mut self, id: NodeId, node: &Node) -> RunError {
        if self.function.is_none() {
            self.node_path.insert(0, id);
            if self.op.is_none() {
                self.op = Some(node.op.name());
                self.node_name = node.name.clone();
            }
        }
        self
    }

    /// Adds the function an error comes from, unless it already names one.
    pub fn in_function(mut self, name: &str) -> RunError {
        if self.function.is_none() {
            self.function = Some(name.to_string());
        }
        self
    }

    /// The error as a diagnostic of `air-ir`.
    pub fn to_diagnostic(&self) -> Diagnostic {
        let mut d = Diagnostic::new(self.code, self.message.clone());
        d.function = self.function.clone();
        d.node_path = self.node_path.clone();
        d.op = self.op.map(str::to_string);
        d.node_text = self.node_text();
        d
    }

    /// `%3/%7 ("name")`: the node path, with the node's name when it has one.
    fn node_text(&self) -> Option<String> {
        if self.node_path.is_empty() {
            return None;
        }
        let path: Vec<String> = self.node_path.iter().map(ToString::to_string).collect();
        let mut text = path.join("/");
        if let Some(n) = &self.node_name {
            text.push_str(&format!(" (%{n})"));
        }
        Some(text)
    }
}

impl fmt::Display for RunError {
    /// `error[E0503]: take: index 7 out of range for axis 0 of extent 5 at %3 in @f`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_diagnostic())
    }
}

impl From<RunError> for Diagnostic {
    fn from(e: RunError) -> Diagnostic {
        e.to_diagnostic()
    }
}
