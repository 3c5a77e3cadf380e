//! The SymPy-shaped tree: `Head(args..., key=value...)`, names, strings and integers, in an arena
//! whose order is a topological order (children before parents), as AIR's own regions.

use std::collections::HashMap;

/// Index of a node in its [`Tree`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub u32);

impl NodeId {
    /// The arena index.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// How a node is reached from its parent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Positional argument `k`.
    Arg(u32),
    /// Keyword argument `k` (in order).
    Keyword(u32),
}

/// What a node is, apart from its children.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Atom {
    /// `Head(args..., key=value...)`: a class or function applied to arguments.
    Call(String),
    /// A bare name: `pi`, `E`, `true`, `oo`, `nan`, or Python's `True`/`False`.
    Name(String),
    /// A quoted string, escapes resolved.
    Str(String),
    /// An integer literal as written: an optional `-`, then decimal digits without leading zeros.
    Int(String),
    /// Unary minus of its one argument (srepr writes `-oo`).
    Neg,
}

/// One node: an atom, its positional and keyword children, and its byte span in the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// The atom.
    pub atom: Atom,
    /// Positional children.
    pub args: Vec<NodeId>,
    /// Keyword children, in order.
    pub kwargs: Vec<(String, NodeId)>,
    /// Byte offsets `[start, end)` in the text (`(0, 0)` for built trees).
    pub span: (usize, usize),
}

/// An arena of nodes, children before parents, and the root.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tree {
    /// The nodes.
    pub nodes: Vec<Node>,
    /// The root (the last node of a parsed tree).
    pub root: NodeId,
}

impl Tree {
    /// The node with this id (ids come from this tree).
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.index()]
    }

    /// Appends a node.
    pub fn push(&mut self, node: Node) -> NodeId {
        self.nodes.push(node);
        NodeId(self.nodes.len() as u32 - 1)
    }

    /// `head(args...)`.
    pub fn call(&mut self, head: &str, args: Vec<NodeId>) -> NodeId {
        self.call_kw(head, args, vec![])
    }

    /// `head(args..., key=value...)`.
    pub fn call_kw(
        &mut self,
        head: &str,
        args: Vec<NodeId>,
        kwargs: Vec<(String, NodeId)>,
    ) -> NodeId {
        self.push(Node {
            atom: Atom::Call(head.to_string()),
            args,
            kwargs,
            span: (0, 0),
        })
    }

    /// A leaf.
    pub fn leaf(&mut self, atom: Atom) -> NodeId {
        self.push(Node {
            atom,
            args: vec![],
            kwargs: vec![],
            span: (0, 0),
        })
    }

    /// The head name of a call node.
    #[allow(clippy::wildcard_enum_match_arm)] // srepr atoms: accessors answer None for every other atom
    pub fn head(&self, id: NodeId) -> Option<&str> {
        match &self.node(id).atom {
            Atom::Call(h) => Some(h),
            _ => None,
        }
    }

    /// The string of a `Str` leaf.
    #[allow(clippy::wildcard_enum_match_arm)] // srepr atoms: accessors answer None for every other atom
    pub fn str_of(&self, id: NodeId) -> Option<&str> {
        match &self.node(id).atom {
            Atom::Str(s) => Some(s),
            _ => None,
        }
    }

    /// For every node, its parent and the step taken from it; `None` for roots.
    pub fn parents(&self) -> Vec<Option<(NodeId, Step)>> {
        let mut out = vec![None; self.nodes.len()];
        for (i, n) in self.nodes.iter().enumerate() {
            let parent = NodeId(i as u32);
            for (k, a) in n.args.iter().enumerate() {
                out[a.index()] = Some((parent, Step::Arg(k as u32)));
            }
            for (k, (_, a)) in n.kwargs.iter().enumerate() {
                out[a.index()] = Some((parent, Step::Keyword(k as u32)));
            }
        }
        out
    }

    /// The path of a node from the root: `Equality[1]/Add[0]/besselj`.
    pub fn path(&self, parents: &[Option<(NodeId, Step)>], id: NodeId) -> String {
        let mut steps = vec![self.label(id)];
        let mut cur = id;
        // A tree's parents form chains toward the root; the bound guards a malformed table.
        for _ in 0..self.nodes.len() {
            let Some((p, step)) = parents.get(cur.index()).copied().flatten() else {
                break;
            };
            let step = match step {
                Step::Arg(k) => format!("[{k}]"),
                Step::Keyword(k) => {
                    let key = self
                        .node(p)
                        .kwargs
                        .get(k as usize)
                        .map_or("?", |(key, _)| key);
                    format!(".{key}")
                }
            };
            steps.push(format!("{}{step}", self.label(p)));
            cur = p;
        }
        steps.reverse();
        steps.join("/")
    }

    fn label(&self, id: NodeId) -> String {
        match &self.node(id).atom {
            Atom::Call(h) | Atom::Name(h) => h.clone(),
            Atom::Str(s) => format!("{s:?}"),
            Atom::Int(s) => s.clone(),
            Atom::Neg => "-".to_string(),
        }
    }

    /// The same tree with identical subtrees merged (hash-consing): a DAG in which each node is
    /// the first occurrence of its structure. Also returns, for each node of `self`, its node in
    /// the DAG.
    pub fn hash_cons(&self) -> (Tree, Vec<NodeId>) {
        type Key = (Atom, Vec<NodeId>, Vec<(String, NodeId)>);
        let mut dag = Tree::default();
        let mut seen: HashMap<Key, NodeId> = HashMap::new();
        let mut map = Vec::with_capacity(self.nodes.len());
        for n in &self.nodes {
            let args: Vec<NodeId> = n.args.iter().map(|a| map[a.index()]).collect();
            let kwargs: Vec<(String, NodeId)> = n
                .kwargs
                .iter()
                .map(|(k, a)| (k.clone(), map[a.index()]))
                .collect();
            let key = (n.atom.clone(), args, kwargs);
            let id = match seen.get(&key) {
                Some(&id) => id,
                None => {
                    let id = dag.push(Node {
                        atom: key.0.clone(),
                        args: key.1.clone(),
                        kwargs: key.2.clone(),
                        span: n.span,
                    });
                    seen.insert(key, id);
                    id
                }
            };
            map.push(id);
        }
        dag.root = map.get(self.root.index()).copied().unwrap_or_default();
        (dag, map)
    }
}
