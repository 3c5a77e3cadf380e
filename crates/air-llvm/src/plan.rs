//! The fusion plan of a region: which nodes are computed inside which loop nest.
//!
//! Walking the region backwards (users before producers), an elementwise node (unary, binary,
//! `select`, `cast`, `clip`, `iota`) joins the group of its users when every use is in one group
//! and the value is not yielded; otherwise it is the root of a group of its own and is
//! materialised. A reduction is always a group root, and the elementwise chain feeding only it is
//! computed inside its loop nest. Nodes whose results reach no yielded value are dead and not
//! generated (`docs/spec.md` 1.3 allows skipping them). Everything else (constants, `full`, views,
//! control flow, runtime ops, `extract`/`insert`) is a single node of its own.
//!
//! A group holds at most [`MAX_GROUP_NODES`] nodes: the node that would make it larger becomes the
//! root of a new group and is materialised. One group is one loop body, a single basic block, and
//! LLVM's instruction scheduler is quadratic in the size of a block (a 20k-node chain in one group
//! took 15 s to compile, 5k nodes 1 s); split, compile time grows linearly with the chain.

use air_ir::{Dim, NodeId, Op, Region, Value};

/// The most nodes one fused group computes (its root included). Past a few hundred nodes a loop
/// body gains nothing from more fusion (it is compute-bound already) while the scheduler's cost
/// per node keeps growing with the block. Measured on a 20,000-node chain: groups of 128 nodes
/// compile in 3.1 s, 256 in 1.9 s, 512 in 1.6 s, 1024 in 1.5 s, 2048 in 1.9 s (unsplit: 15 s).
pub const MAX_GROUP_NODES: usize = 1024;

/// What code a node gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Its results reach no yielded value: no code.
    Dead,
    /// Computed per element inside the loop nest of the group rooted at the node given.
    Fused(NodeId),
    /// The root of an elementwise group: one loop nest, whose result is materialised.
    Group,
    /// The root of a reduction group: one loop nest over the operand's shape.
    Reduce,
    /// A node of its own (constants, views, control flow, runtime ops, element access).
    Single,
}

/// The roles of one region's nodes, by node index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegionPlan {
    /// One role per node.
    pub roles: Vec<Role>,
    /// Per node, the nodes reading one of its results (each once per operand).
    users: Vec<Vec<NodeId>>,
}

impl RegionPlan {
    /// The role of a node.
    pub fn role(&self, id: NodeId) -> Role {
        self.roles[id.index()]
    }

    /// The group a node's value is computed in, if any (a root is in its own group).
    fn group_of(&self, id: NodeId) -> Option<NodeId> {
        match self.role(id) {
            Role::Fused(root) => Some(root),
            Role::Group | Role::Reduce => Some(id),
            Role::Dead | Role::Single => None,
        }
    }
}

/// True for the ops computed element by element inside a loop nest.
pub fn is_elementwise(op: &Op) -> bool {
    matches!(
        op,
        Op::Unary(_) | Op::Binary(_) | Op::Select | Op::Cast { .. } | Op::Clip | Op::Iota { .. }
    )
}

/// Plans one region (nested regions are planned when they are generated).
pub fn plan_region(region: &Region) -> RegionPlan {
    let n = region.nodes.len();
    let mut users: Vec<Vec<NodeId>> = vec![Vec::new(); n];
    for (i, node) in region.nodes.iter().enumerate() {
        for &v in &node.operands {
            if let Value::Result { node: p, .. } = v {
                if p.index() < n {
                    users[p.index()].push(NodeId(i as u32));
                }
            }
        }
    }
    let mut yielded = vec![false; n];
    for &v in &region.results {
        if let Value::Result { node, .. } = v {
            if node.index() < n {
                yielded[node.index()] = true;
            }
        }
    }
    let mut plan = RegionPlan {
        roles: vec![Role::Dead; n],
        users: vec![],
    };
    // Per group root, its nodes so far.
    let mut size = vec![0usize; n];
    for i in (0..n).rev() {
        let live = yielded[i] || users[i].iter().any(|&u| plan.role(u) != Role::Dead);
        if !live {
            continue;
        }
        let op = &region.nodes[i].op;
        plan.roles[i] = if matches!(op, Op::Reduce { .. }) {
            Role::Reduce
        } else if !is_elementwise(op) {
            Role::Single
        } else if yielded[i] {
            Role::Group
        } else {
            let mut groups = users[i].iter().map(|&u| plan.group_of(u));
            match groups.next() {
                Some(Some(g))
                    if groups.all(|x| x == Some(g)) && size[g.index()] < MAX_GROUP_NODES =>
                {
                    size[g.index()] += 1;
                    Role::Fused(g)
                }
                _ => Role::Group,
            }
        };
        if matches!(plan.roles[i], Role::Group | Role::Reduce) {
            size[i] = 1;
        }
    }
    plan.users = users;
    plan
}

/// A run of nodes computed row by row inside one loop over their common leading axes.
///
/// It starts at a reduction over trailing axes `q..` (the leading `q` axes kept) and takes the
/// generated nodes after it while each one is a *member*: a reduction over the trailing axes of
/// a value with the same leading extents, an elementwise group whose result starts with those
/// extents, or a broadcast of a member that keeps its leading axes in place. Nodes of their own
/// that read no member (constants, views of parameters) are *hoisted*: generated before the
/// loop. Anything else ends the block. Every element a member computes at row `i` reads only row
/// `i` of the members before it, so each row can run all members one after another while the
/// row is in cache. Blocks have at least two reductions or groups.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowBlock {
    /// The number of leading (row) axes.
    pub q: usize,
    /// The first node (the block's first reduction).
    pub first: NodeId,
    /// The last member.
    pub last: NodeId,
    /// The members, in arena order (reductions, groups and broadcast views).
    pub members: Vec<NodeId>,
    /// The groups whose value only members read, and only elementwise (not returned, never
    /// through a view): computed into a row-sized buffer reused for every row.
    pub temps: Vec<NodeId>,
}

/// The leading dims of a reduction over trailing axes only: the operand's kept axes.
fn trailing_reduction(region: &Region, id: NodeId) -> Option<&[Dim]> {
    let node = region.node(id);
    let (Op::Reduce { axes, .. }, Some(&x)) = (&node.op, node.operands.first()) else {
        return None;
    };
    let shape = &region.value_type(x)?.shape;
    let q = shape.len().checked_sub(axes.len())?;
    let trailing = (0..axes.len()).all(|k| axes.contains(&((q + k) as u32)));
    (q > 0 && !axes.is_empty() && trailing).then(|| &shape[..q])
}

/// The row block starting at node `first`, if one does.
pub fn row_block(region: &Region, plan: &RegionPlan, first: NodeId) -> Option<RowBlock> {
    let lead = trailing_reduction(region, first)?;
    let q = lead.len();
    let starts_with_lead = |v: Value| {
        region
            .value_type(v)
            .is_some_and(|t| t.shape.len() >= q && t.shape[..q] == *lead)
    };
    let mut members = vec![first];
    // Membership by node index: `members` grows with the block, a scan per node would not do.
    let mut is_member = vec![false; region.nodes.len()];
    is_member[first.index()] = true;
    let mut computed = 1;
    for i in first.index() + 1..region.nodes.len() {
        let id = NodeId(i as u32);
        let node = &region.nodes[i];
        let reads_member = node.operands.iter().any(|v| match v {
            Value::Result { node, .. } => is_member.get(node.index()).copied().unwrap_or(false),
            Value::Param(_) => false,
        });
        let member = match plan.role(id) {
            Role::Dead | Role::Fused(_) => continue,
            Role::Reduce => trailing_reduction(region, id) == Some(lead),
            Role::Group => starts_with_lead(Value::of(id)),
            Role::Single => match &node.op {
                Op::Broadcast { dims, .. } if reads_member => {
                    let keeps = (0..q).all(|k| dims.get(k) == Some(&(k as u32)));
                    keeps && starts_with_lead(Value::of(id))
                }
                Op::For { .. }
                | Op::If { .. }
                | Op::While { .. }
                | Op::Call { .. }
                | Op::Custom(_) => break,
                Op::Constant(_)
                | Op::Iota { .. }
                | Op::Full { .. }
                | Op::Unary(_)
                | Op::Binary(_)
                | Op::Select
                | Op::Cast { .. }
                | Op::Clip
                | Op::Broadcast { .. }
                | Op::Reshape { .. }
                | Op::Transpose { .. }
                | Op::ExpandDims { .. }
                | Op::Squeeze { .. }
                | Op::Slice { .. }
                | Op::Concat { .. }
                | Op::Take { .. }
                | Op::Extract
                | Op::Insert
                | Op::Filter
                | Op::Scatter { .. }
                | Op::Gather
                | Op::Unique
                | Op::Reduce { .. }
                | Op::ArgReduce { .. }
                | Op::Scan { .. }
                | Op::Sort { .. }
                | Op::Einsum { .. }
                | Op::Matmul => {
                    if reads_member {
                        break;
                    }
                    continue;
                }
            },
        };
        if !member {
            break;
        }
        if plan.role(id) != Role::Single {
            computed += 1;
        }
        members.push(id);
        is_member[i] = true;
    }
    let last = *members.last()?;
    let temps = members
        .iter()
        .copied()
        .filter(|&g| plan.role(g) == Role::Group && row_local(region, plan, &is_member, g))
        .collect();
    (computed >= 2).then_some(RowBlock {
        q,
        first,
        last,
        members,
        temps,
    })
}

/// True when `g` is not yielded and every live reader of it is a member reduction or group, or
/// is fused into one.
fn row_local(region: &Region, plan: &RegionPlan, is_member: &[bool], g: NodeId) -> bool {
    let computing_member = |id: NodeId| {
        is_member.get(id.index()).copied().unwrap_or(false)
            && matches!(plan.role(id), Role::Group | Role::Reduce)
    };
    !region.results.contains(&Value::of(g))
        && plan.users[g.index()].iter().all(|&id| match plan.role(id) {
            Role::Dead => true,
            Role::Fused(root) => computing_member(root),
            Role::Group | Role::Reduce => computing_member(id),
            Role::Single => false,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> air_ir::Module {
        air_ir::text::parse(text, "t.air").expect("test module parses")
    }

    #[test]
    fn chains_fuse_and_shared_values_are_materialised() {
        let m = parse(
            "air 1 opset 1
func @f(%a: f64[n], %b: f64[n], %c: f64[n]) -> (%y: f64[n], %t: f64[n]) {
  %ab = mul (%a, %b) : f64[n]
  %s = sin (%c) : f64[n]
  %na = neg (%a) : f64[n]
  %e = exp (%na) : f64[n]
  %se = mul (%s, %e) : f64[n]
  %y = add (%ab, %se) : f64[n]
  %t = sqrt (%ab) : f64[n]
  %dead = cos (%a) : f64[n]
  return %y, %t
}",
        );
        let plan = plan_region(&m.functions[0].body);
        let y = NodeId(5);
        assert_eq!(
            plan.role(NodeId(0)),
            Role::Group,
            "%ab has users in two groups"
        );
        assert_eq!(plan.role(NodeId(1)), Role::Fused(y));
        assert_eq!(plan.role(NodeId(2)), Role::Fused(y));
        assert_eq!(plan.role(NodeId(3)), Role::Fused(y));
        assert_eq!(plan.role(NodeId(4)), Role::Fused(y));
        assert_eq!(plan.role(y), Role::Group);
        assert_eq!(plan.role(NodeId(6)), Role::Group);
        assert_eq!(plan.role(NodeId(7)), Role::Dead);
    }

    #[test]
    fn reductions_take_their_operand_chain() {
        let m = parse(
            "air 1 opset 1
func @f(%a: f64[n, m]) -> (%s: f64[n]) {
  %q = mul (%a, %a) : f64[n, m]
  %s = reduce_sum {axes = [1]} (%q) : f64[n]
  return %s
}",
        );
        let plan = plan_region(&m.functions[0].body);
        assert_eq!(plan.role(NodeId(0)), Role::Fused(NodeId(1)));
        assert_eq!(plan.role(NodeId(1)), Role::Reduce);
    }

    #[test]
    fn softmax_is_one_row_block_with_its_exponentials_in_a_row_buffer() {
        let m = parse(
            "air 1 opset 1
func @f(%x: f64[n, m]) -> (%y: f64[n, m]) {
  %mx = reduce_max {axes = [1], keepdims = true} (%x) : f64[n, 1]
  %mxb = broadcast {shape = [n, m], dims = [0, 1]} (%mx) : f64[n, m]
  %sh = sub (%x, %mxb) : f64[n, m]
  %ex = exp (%sh) : f64[n, m]
  %den = reduce_sum {axes = [1], keepdims = true} (%ex) : f64[n, 1]
  %denb = broadcast {shape = [n, m], dims = [0, 1]} (%den) : f64[n, m]
  %y = div (%ex, %denb) : f64[n, m]
  %t = transpose {perm = [1, 0]} (%y) : f64[m, n]
  %z = reduce_sum {axes = [1]} (%t) : f64[m]
  return %y, %z
}",
        );
        let f = &m.functions[0].body;
        let plan = plan_region(f);
        let block = row_block(f, &plan, NodeId(0)).expect("a block");
        let ids = |v: &[u32]| v.iter().map(|&i| NodeId(i)).collect::<Vec<_>>();
        assert_eq!(block.q, 1);
        assert_eq!(
            block.members,
            ids(&[0, 1, 3, 4, 5, 6]),
            "the transpose ends it"
        );
        assert_eq!(block.last, NodeId(6));
        assert_eq!(block.temps, ids(&[3]), "%y is returned");
        assert_eq!(row_block(f, &plan, NodeId(8)), None, "a lone reduction");
    }
}
