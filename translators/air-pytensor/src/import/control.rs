//! Nodes with inner graphs: `OpFromGraph` and its subclasses (`Softmax`, `LogSoftmax`,
//! `Einsum`) are inlined; `IfElse` becomes `if`; `Scan` becomes `for`, and a `Scan` in while mode
//! becomes `while`.
//!
//! A `Scan` runs `n_steps` steps. Its traced states (sit-sot and mit-sot) live in buffers of
//! `n_steps + taps` rows whose first rows hold the initial values; step `i` reads row
//! `i + taps + tap` for each tap and writes row `i + taps`. Those buffers are the `for`'s carried
//! values (a row is written with `insert` for scalars, with a `select` on the row index
//! otherwise); nit-sot outputs get a buffer of `n_steps` rows; untraced sit-sot states are
//! carried as they are; sequences (read with `take` at `i`) and non-sequences are captured.
//!
//! A `Scan` in while mode (`as_while`, `scan(..., until=...)`) runs steps while fewer than
//! `n_steps` have run and the last step's `until` output was false (zero, as PyTensor tests it):
//! the test comes after each step. Its traced outputs and sequences are cut to the steps run, a
//! length known only at run time, so only the form whose states are all untraced (the final
//! state, as AIR's own export writes) is imported: as `while(i, go, states..., n_steps,
//! non_seqs...)` whose condition is `go and i < n_steps` and whose body runs the inner graph and
//! sets `go = not until`. Any other while-mode `Scan` is refused by name.

use air_ir::builder::RegionBuilder;
use air_ir::{BinaryOp, DType, Dim, Literal, Op, Scalar, TensorType, UnaryOp, Value};
use serde_json::Value as Json;

use super::{air, import_graph, invalid, unsupported, Imp, Res, Val};
use crate::error::ProblemKind;
use crate::json::{Graph, Node};

/// The fields of a `ScanInfo` the importer uses.
struct Info {
    n_seqs: usize,
    mit_sot: Vec<Vec<i64>>,
    sit_sot: Vec<Vec<i64>>,
    n_nit_sot: usize,
    n_untraced: usize,
    n_non_seqs: usize,
    as_while: bool,
}

// serde_json::Value is a foreign enum: any JSON kind not handled above is malformed input
#[allow(clippy::wildcard_enum_match_arm)]
fn info(node: &Node) -> Res<Info> {
    let f = node
        .op
        .prop("info")
        .and_then(|i| i.get("fields"))
        .ok_or((ProblemKind::Invalid, "Scan without info".to_string()))?;
    let count = |k: &str| -> Res<usize> {
        f.get(k)
            .and_then(Json::as_u64)
            .map(|n| n as usize)
            .ok_or((ProblemKind::Invalid, format!("ScanInfo without {k}")))
    };
    let slices = |k: &str| -> Res<Vec<Vec<i64>>> {
        let Some(Json::Array(a)) = f.get(k) else {
            return invalid(format!("ScanInfo without {k}"));
        };
        a.iter()
            .map(|taps| match taps {
                Json::Array(t) => t
                    .iter()
                    .map(|x| {
                        x.as_i64()
                            .ok_or((ProblemKind::Invalid, format!("bad tap {x}")))
                    })
                    .collect(),
                _ => invalid(format!("bad {k}")),
            })
            .collect()
    };
    if !slices("mit_mot_in_slices")?.is_empty() || !slices("mit_mot_out_slices")?.is_empty() {
        return unsupported("Scan with mit-mot states (gradient graphs)");
    }
    let as_while = match f.get("as_while") {
        None => false,
        Some(Json::Bool(b)) => *b,
        Some(other) => return invalid(format!("ScanInfo as_while is {other}")),
    };
    Ok(Info {
        n_seqs: count("n_seqs")?,
        mit_sot: slices("mit_sot_in_slices")?,
        sit_sot: slices("sit_sot_in_slices")?,
        n_nit_sot: count("n_nit_sot")?,
        n_untraced: count("n_untraced_sit_sot")?,
        n_non_seqs: count("n_non_seqs")?,
        as_while,
    })
}

/// Rows before the first written one, for a state with these taps.
fn init_len(taps: &[i64]) -> Res<i64> {
    match taps.iter().min() {
        Some(&m) if m < 0 && taps.iter().all(|&t| t < 0) => m
            .checked_neg()
            .ok_or((ProblemKind::Invalid, format!("a Scan tap {m} out of range"))),
        _ => unsupported("a Scan state with a non-negative tap"),
    }
}

impl Imp<'_, '_> {
    /// An `OpFromGraph` (or a subclass): its inner graph, inlined on the node's inputs.
    pub(super) fn inner_graph(&mut self, k: usize, node: &Node) -> Res<Vec<Val>> {
        let g = self.g;
        let Some(inner) = g.inner.get(&k) else {
            return invalid(format!("{} without an inner graph", node.op.class));
        };
        let inputs = node
            .inputs
            .iter()
            .map(|&i| self.val(i))
            .collect::<Res<Vec<_>>>()?;
        match import_graph(self.rb, inner, inputs, self.opts, self.problems) {
            Some(outs) => Ok(outs.into_iter().map(Val::of).collect()),
            None => invalid("its inner graph cannot be imported (see the problems inside it)"),
        }
    }

    /// `IfElse(cond, then..., else...)` → `if`, whose branches each yield their half.
    pub(super) fn if_else(&mut self, node: &Node) -> Res<Vec<Val>> {
        let n = node.outputs.len();
        if node.inputs.len() != 1 + 2 * n {
            return invalid(format!(
                "IfElse with {} inputs for {n} outputs",
                node.inputs.len()
            ));
        }
        let c = self.air(node.inputs[0])?;
        let c = self.cast(c, DType::Bool)?;
        let mut args = vec![];
        let mut types = vec![];
        for j in 0..n {
            let out = self.g.vars[node.outputs[j]].ty.dtype;
            let a = self.air(node.inputs[1 + j])?;
            let b = self.air(node.inputs[1 + n + j])?;
            let a = self.cast(a, out)?;
            let b = self.cast(b, out)?;
            let (ta, tb) = (self.ty(a)?, self.ty(b)?);
            if ta.rank() != tb.rank() {
                return invalid("IfElse branches of different ranks");
            }
            for (x, y) in ta.shape.iter().zip(&tb.shape) {
                self.unify(x, y)?;
            }
            args.push(a);
            args.push(b);
        }
        for &a in &args {
            types.push(self.ty(a)?);
        }
        let branch = |rb: &RegionBuilder, first: usize| {
            let mut r = rb.region();
            let params: Vec<Value> = types
                .iter()
                .enumerate()
                .map(|(k, t)| r.param(&format!("a{k}"), t.clone()))
                .collect();
            let yields: Vec<Value> = (0..n).map(|j| params[2 * j + first]).collect();
            r.finish(&yields)
        };
        let then_branch = branch(self.rb, 0);
        let else_branch = branch(self.rb, 1);
        let mut operands = vec![c];
        operands.extend(args);
        let outs = air(self.rb.op_multi(
            Op::If {
                then_branch,
                else_branch,
            },
            &operands,
        ))?;
        Ok(outs.into_iter().map(Val::of).collect())
    }

    /// `Scan` → `for` (see the module docs).
    pub(super) fn scan(&mut self, k: usize, node: &Node) -> Res<Vec<Val>> {
        let g = self.g;
        let Some(inner) = g.inner.get(&k) else {
            return invalid("Scan without an inner graph");
        };
        let info = info(node)?;
        let states: Vec<Vec<i64>> = info.mit_sot.iter().chain(&info.sit_sot).cloned().collect();
        let counts = [
            1,
            info.n_seqs,
            states.len(),
            info.n_nit_sot,
            info.n_untraced,
            info.n_non_seqs,
        ];
        let want = counts.iter().try_fold(0usize, |a, &n| a.checked_add(n));
        if want != Some(node.inputs.len()) {
            return invalid(format!(
                "Scan with {} inputs, which its info's counts do not add up to",
                node.inputs.len()
            ));
        }
        let mut at = 1;
        let mut take = |n: usize| {
            let s = &node.inputs[at..at + n];
            at += n;
            s
        };
        let seqs = take(info.n_seqs).to_vec();
        let state_vars = take(states.len()).to_vec();
        let nit_vars = take(info.n_nit_sot).to_vec();
        let untraced_vars = take(info.n_untraced).to_vec();
        let non_seqs = take(info.n_non_seqs).to_vec();
        if info.as_while {
            if !seqs.is_empty() || !state_vars.is_empty() || !nit_vars.is_empty() {
                return unsupported(
                    "a Scan with a while condition and sequences or traced outputs (their \
                     length is the number of steps run, known only at run time)",
                );
            }
            return self.while_scan(inner, node.inputs[0], &untraced_vars, &non_seqs);
        }
        let steps_known = self.known(node.inputs[0])?.and_then(|k| k.one().cloned());
        let steps_known = match steps_known {
            Some(d) => Some(self.resolve(&d)?),
            None => None,
        };
        let inits = self.state_buffers(&state_vars, &states, steps_known.as_ref())?;
        self.check_nit_lengths(&nit_vars, node.inputs[0], steps_known.as_ref())?;
        let mut untraced = vec![];
        for &u in &untraced_vars {
            untraced.push(self.air(u)?);
        }
        let mut captured = vec![];
        for &c in seqs.iter().chain(&non_seqs) {
            captured.push(self.air(c)?);
        }
        let steps = self.air(node.inputs[0])?;
        let steps = self.cast(steps, DType::I64)?;
        let layout = Layout {
            states,
            n_nit: info.n_nit_sot,
            n_untraced: untraced.len(),
            n_seqs: info.n_seqs,
        };
        let nit_types = self.nit_types(inner, &layout, &inits, &untraced, &captured)?;
        let mut carried = inits;
        for t in &nit_types {
            carried.push(self.nit_buffer(t, steps_known.as_ref())?);
        }
        carried.extend(untraced);
        let body = self.scan_body(inner, &layout, &carried, &captured)?;
        let zero = air(self.rb.op(Op::Constant(Literal::i64(0)), &[]))?;
        let one = air(self.rb.op(Op::Constant(Literal::i64(1)), &[]))?;
        let mut operands = vec![zero, steps, one];
        operands.extend(&carried);
        operands.extend(&captured);
        let outs = air(self.rb.op_multi(Op::For { body }, &operands))?;
        Ok(outs.into_iter().map(Val::of).collect())
    }

    /// A while-mode `Scan` of untraced states only → `while` (see the module docs).
    fn while_scan(
        &mut self,
        inner: &Graph,
        steps_var: usize,
        untraced_vars: &[usize],
        non_seq_vars: &[usize],
    ) -> Res<Vec<Val>> {
        let steps = self.air(steps_var)?;
        let steps = self.cast(steps, DType::I64)?;
        let mut states = vec![];
        for &u in untraced_vars {
            states.push(self.air(u)?);
        }
        let mut captured = vec![steps];
        for &c in non_seq_vars {
            captured.push(self.air(c)?);
        }
        let mut types = vec![
            TensorType::scalar(DType::I64),
            TensorType::scalar(DType::Bool),
        ];
        for &v in states.iter().chain(&captured) {
            types.push(self.ty(v)?);
        }
        let n_states = states.len();
        let declare = |r: &mut RegionBuilder| -> Vec<Value> {
            types
                .iter()
                .enumerate()
                .map(|(k, t)| r.param(&format!("p{k}"), t.clone()))
                .collect()
        };
        let mut c = self.rb.region();
        let p = declare(&mut c);
        let below = air(c.op(Op::Binary(BinaryOp::Lt), &[p[0], p[2 + n_states]]))?;
        let more = air(c.op(Op::Binary(BinaryOp::And), &[p[1], below]))?;
        let cond = c.finish(&[more]);

        let mut r = self.rb.region();
        let p = declare(&mut r);
        let mut inner_in: Vec<Val> = p[2..2 + n_states].iter().map(|&v| Val::of(v)).collect();
        inner_in.extend(p[3 + n_states..].iter().map(|&v| Val::of(v)));
        let outs = import_graph(&mut r, inner, inner_in, self.opts, self.problems).ok_or((
            ProblemKind::Invalid,
            "the Scan's inner graph cannot be imported (see the problems inside it)".to_string(),
        ))?;
        let Some((&until, next)) = outs.split_last().filter(|(_, n)| n.len() == n_states) else {
            return invalid(format!(
                "the inner graph has {} outputs, the info needs {} and the condition",
                outs.len(),
                n_states
            ));
        };
        let one = air(r.op(Op::Constant(Literal::i64(1)), &[]))?;
        let i2 = air(r.op(Op::Binary(BinaryOp::Add), &[p[0], one]))?;
        let stop = air(r.cast_to(until, DType::Bool))?;
        let go = air(r.op(Op::Unary(UnaryOp::Not), &[stop]))?;
        let mut yields = vec![i2, go];
        for (k, &o) in next.iter().enumerate() {
            let want = &types[2 + k];
            let o = air(r.cast_to(o, want.dtype))?;
            let got = r
                .value_type(o)
                .ok_or((ProblemKind::Invalid, "no value".to_string()))?;
            if got.rank() != want.rank() {
                return invalid("a Scan state whose rank changes in a step");
            }
            for (a, b) in got.shape.iter().zip(&want.shape) {
                air(r.unify(a, b))?;
            }
            yields.push(o);
        }
        let body = r.finish(&yields);
        let zero = air(self.rb.op(Op::Constant(Literal::i64(0)), &[]))?;
        let yes = Literal::from_scalars(DType::Bool, vec![], &[Scalar::Bool(true)])
            .map_err(|e| (ProblemKind::Invalid, e.to_string()))?;
        let yes = air(self.rb.op(Op::Constant(yes), &[]))?;
        let mut operands = vec![zero, yes];
        operands.extend(states);
        operands.extend(captured);
        let outs = air(self.rb.op_multi(Op::While { cond, body }, &operands))?;
        Ok(outs.into_iter().skip(2).map(Val::of).collect())
    }

    /// The initial buffers of the traced states, each `n_steps + taps` rows long.
    fn state_buffers(
        &mut self,
        vars: &[usize],
        states: &[Vec<i64>],
        steps: Option<&Dim>,
    ) -> Res<Vec<Value>> {
        let mut inits = vec![];
        for (&s, taps) in vars.iter().zip(states) {
            let v = self.air(s)?;
            let t = self.ty(v)?;
            let rows = steps
                .map(|n| {
                    n.add(&Dim::constant(init_len(taps)?))
                        .map_err(|e| (ProblemKind::Dims, e.to_string()))
                })
                .transpose()?;
            match (t.shape.first(), rows) {
                (Some(l), Some(r)) if self.resolve(l)? == self.resolve(&r)? => inits.push(v),
                _ => {
                    return unsupported(
                        "a Scan state buffer whose length is not provably n_steps + its taps",
                    )
                }
            }
        }
        Ok(inits)
    }

    /// Each nit-sot length is `n_steps` (the same variable, or the same known dim).
    fn check_nit_lengths(
        &mut self,
        vars: &[usize],
        steps_var: usize,
        steps: Option<&Dim>,
    ) -> Res<()> {
        for &nv in vars {
            let len = self.known(nv)?.and_then(|k| k.one().cloned());
            let same = match (&len, steps) {
                (Some(a), Some(b)) => self.resolve(a)? == *b,
                _ => nv == steps_var,
            };
            if !same {
                return unsupported("a nit-sot output whose length is not n_steps");
            }
        }
        Ok(())
    }

    /// A zero buffer of `n_steps` rows of a nit-sot output of type `t`.
    fn nit_buffer(&mut self, t: &TensorType, steps: Option<&Dim>) -> Res<Value> {
        let rows = steps.cloned().ok_or((
            ProblemKind::Unsupported,
            "a nit-sot output of a Scan whose n_steps is not known".to_string(),
        ))?;
        let mut full = vec![rows];
        full.extend(t.shape.iter().cloned());
        self.splat(Scalar::Int(0), t.dtype, &full)
    }

    /// Declares the body's parameters and binds the inner graph's inputs for step `i`.
    fn bind_step(
        &mut self,
        r: &mut RegionBuilder,
        layout: &Layout,
        carried: &[TensorType],
        captured: &[TensorType],
    ) -> Res<(Value, Vec<Value>, Vec<Val>)> {
        let i = r.param("i", TensorType::scalar(DType::I64));
        let params: Vec<Value> = carried
            .iter()
            .enumerate()
            .map(|(k, t)| r.param(&format!("c{k}"), t.clone()))
            .collect();
        let caps: Vec<Value> = captured
            .iter()
            .enumerate()
            .map(|(k, t)| r.param(&format!("x{k}"), t.clone()))
            .collect();
        let mut inner_in = vec![];
        for &s in &caps[..layout.n_seqs] {
            inner_in.push(Val::of(air(r.op(Op::Take { axis: 0 }, &[s, i]))?));
        }
        for (k, taps) in layout.states.iter().enumerate() {
            let init = init_len(taps)?;
            for &t in taps {
                let row = offset(r, i, init + t)?;
                inner_in.push(Val::of(air(r.op(Op::Take { axis: 0 }, &[params[k], row]))?));
            }
        }
        let first_untraced = layout.states.len() + layout.n_nit;
        for &u in &params[first_untraced..first_untraced + layout.n_untraced] {
            inner_in.push(Val::of(u));
        }
        for &c in &caps[layout.n_seqs..] {
            inner_in.push(Val::of(c));
        }
        Ok((i, params, inner_in))
    }

    /// The AIR types of the nit-sot outputs of one step, found by importing the inner graph
    /// into a scratch region.
    fn nit_types(
        &mut self,
        inner: &Graph,
        layout: &Layout,
        states: &[Value],
        untraced: &[Value],
        captured: &[Value],
    ) -> Res<Vec<TensorType>> {
        if layout.n_nit == 0 {
            return Ok(vec![]);
        }
        let mut carried = vec![];
        for &v in states.iter().chain(untraced) {
            carried.push(self.ty(v)?);
        }
        let caps = captured
            .iter()
            .map(|&v| self.ty(v))
            .collect::<Res<Vec<_>>>()?;
        let mut scratch = self.rb.region();
        let layout_no_nit = Layout {
            n_nit: 0,
            ..layout.clone()
        };
        let (_, _, inner_in) = self.bind_step(&mut scratch, &layout_no_nit, &carried, &caps)?;
        let mut problems = vec![];
        let outs =
            import_graph(&mut scratch, inner, inner_in, self.opts, &mut problems).ok_or((
                ProblemKind::Invalid,
                "the Scan's inner graph cannot be imported".to_string(),
            ))?;
        let first = layout.states.len();
        let nits = first
            .checked_add(layout.n_nit)
            .and_then(|end| outs.get(first..end))
            .ok_or((
                ProblemKind::Invalid,
                format!(
                    "the Scan's inner graph has {} outputs, fewer than its info needs",
                    outs.len()
                ),
            ))?;
        nits.iter()
            .map(|&v| {
                scratch.value_type(v).ok_or((
                    ProblemKind::Invalid,
                    "a nit-sot output of another region".to_string(),
                ))
            })
            .collect()
    }

    /// The `for` body: the inner graph for step `i`, its outputs written into the buffers.
    fn scan_body(
        &mut self,
        inner: &Graph,
        layout: &Layout,
        carried: &[Value],
        captured: &[Value],
    ) -> Res<air_ir::Region> {
        let ct = carried
            .iter()
            .map(|&v| self.ty(v))
            .collect::<Res<Vec<_>>>()?;
        let caps = captured
            .iter()
            .map(|&v| self.ty(v))
            .collect::<Res<Vec<_>>>()?;
        let mut r = self.rb.region();
        let (i, params, inner_in) = self.bind_step(&mut r, layout, &ct, &caps)?;
        let outs = import_graph(&mut r, inner, inner_in, self.opts, self.problems).ok_or((
            ProblemKind::Invalid,
            "the Scan's inner graph cannot be imported (see the problems inside it)".to_string(),
        ))?;
        let expected = layout.states.len() + layout.n_nit + layout.n_untraced;
        if outs.len() != expected {
            return invalid(format!(
                "the inner graph has {} outputs, the info needs {expected}",
                outs.len()
            ));
        }
        let mut yields = vec![];
        for (k, &o) in outs.iter().enumerate() {
            let row = if k < layout.states.len() {
                Some(offset(&mut r, i, init_len(&layout.states[k])?)?)
            } else if k < layout.states.len() + layout.n_nit {
                Some(i)
            } else {
                None
            };
            let y = match row {
                Some(row) => write_row(&mut r, params[k], o, row)?,
                None => {
                    let t = r
                        .value_type(params[k])
                        .ok_or((ProblemKind::Invalid, "no param".to_string()))?;
                    air(r.cast_to(o, t.dtype))?
                }
            };
            yields.push(y);
        }
        Ok(r.finish(&yields))
    }
}

/// How a Scan's carried values are laid out.
#[derive(Clone)]
struct Layout {
    /// Taps of each traced state (mit-sot, then sit-sot).
    states: Vec<Vec<i64>>,
    n_nit: usize,
    n_untraced: usize,
    n_seqs: usize,
}

/// `i + c` (no node for 0).
fn offset(r: &mut RegionBuilder, i: Value, c: i64) -> Res<Value> {
    if c == 0 {
        return Ok(i);
    }
    let cv = air(r.op(Op::Constant(Literal::i64(c)), &[]))?;
    air(r.op(Op::Binary(BinaryOp::Add), &[i, cv]))
}

/// `buf` with row `row` replaced by `value` (cast to the buffer's dtype).
fn write_row(r: &mut RegionBuilder, buf: Value, value: Value, row: Value) -> Res<Value> {
    let bt = r
        .value_type(buf)
        .ok_or((ProblemKind::Invalid, "no buffer".to_string()))?;
    let value = air(r.cast_to(value, bt.dtype))?;
    let vt = r
        .value_type(value)
        .ok_or((ProblemKind::Invalid, "no value".to_string()))?;
    if vt.rank() + 1 != bt.rank() {
        return invalid("a Scan output whose rank does not match its buffer");
    }
    for (a, b) in vt.shape.iter().zip(&bt.shape[1..]) {
        air(r.unify(a, b))?;
    }
    if vt.rank() == 0 {
        return air(r.op(Op::Insert, &[buf, value, row]));
    }
    let rows = bt.shape[0].clone();
    let iota = air(r.op(
        Op::Iota {
            dtype: DType::I64,
            shape: vec![rows.clone()],
            axis: 0,
        },
        &[],
    ))?;
    let rowb = air(r.broadcast_to(row, &[rows]))?;
    let hit = air(r.op(Op::Binary(BinaryOp::Eq), &[iota, rowb]))?;
    let mask = air(r.op(
        Op::Broadcast {
            shape: bt.shape.clone(),
            dims: vec![0],
        },
        &[hit],
    ))?;
    let dims = (1..bt.rank() as u32).collect();
    let vb = air(r.op(
        Op::Broadcast {
            shape: bt.shape.clone(),
            dims,
        },
        &[value],
    ))?;
    air(r.op(Op::Select, &[mask, vb, buf]))
}
