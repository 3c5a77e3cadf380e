//! Mutations of `pytensor-fgraph-json/1` documents: byte-level, generic JSON-tree, and
//! graph-aware ones (rewired inputs, cycles, other ops, wrong shapes, nested Scan bodies).

use air_pytensor::table::{SCALAR_OPS, TENSOR_OPS};
use serde_json::{json, Value as Json};

#[path = "../../../../crates/air-fuzz/src/mutate.rs"]
mod bytes;

pub use bytes::{mutate_bytes, Rng};

/// One step of a path into a JSON value.
#[derive(Clone)]
enum Step {
    Key(String),
    Index(usize),
}

/// A random path into `v`: down into a random child until a leaf, or with chance 1/4 a level.
// serde_json::Value is a foreign enum: any JSON kind not handled above is malformed input
#[allow(clippy::wildcard_enum_match_arm)]
fn walk(rng: &mut Rng, mut v: &Json) -> Vec<Step> {
    let mut path = vec![];
    loop {
        let step = match v {
            Json::Object(m) if !m.is_empty() && rng.below(4) != 0 => {
                let (k, c) = m.iter().nth(rng.below(m.len())).expect("k < len");
                v = c;
                Step::Key(k.clone())
            }
            Json::Array(a) if !a.is_empty() && rng.below(4) != 0 => {
                let k = rng.below(a.len());
                v = &a[k];
                Step::Index(k)
            }
            _ => return path,
        };
        path.push(step);
    }
}

/// The paths of the graphs in `v` (objects with `nodes` and `variables`), outermost first.
fn graph_paths(v: &Json, prefix: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    match v {
        Json::Object(m) => {
            if m.contains_key("nodes") && m.contains_key("variables") {
                out.push(prefix.clone());
            }
            for (k, c) in m {
                prefix.push(Step::Key(k.clone()));
                graph_paths(c, prefix, out);
                prefix.pop();
            }
        }
        Json::Array(a) => {
            for (k, c) in a.iter().enumerate() {
                prefix.push(Step::Index(k));
                graph_paths(c, prefix, out);
                prefix.pop();
            }
        }
        Json::Null | Json::Bool(_) | Json::Number(_) | Json::String(_) => {}
    }
}

fn at_mut<'a>(v: &'a mut Json, path: &[Step]) -> Option<&'a mut Json> {
    path.iter().try_fold(v, |v, s| match s {
        Step::Key(k) => v.get_mut(k.as_str()),
        Step::Index(i) => v.get_mut(*i),
    })
}

/// Values of other JSON types and edge values: numbers at and beyond the integer extents.
fn odd_value(rng: &mut Rng) -> Json {
    let values = [
        Json::Null,
        json!(true),
        json!(0),
        json!(-1),
        json!(1.5),
        json!(-0.0),
        json!(1e308),
        json!(i64::MAX),
        json!(i64::MIN),
        json!(u64::MAX),
        json!(4_294_967_296u64),
        json!(""),
        json!("v0"),
        json!("v_dangling"),
        json!("v".repeat(200_000)),
        json!([]),
        json!([null]),
        json!([1, -1, 2]),
        json!({}),
        json!({"dict": []}),
        json!({"float": "nan"}),
    ];
    rng.pick(&values).clone()
}

/// A generic tree mutation at a random node of `doc`; `others` gives subtrees to splice in.
fn mutate_tree(rng: &mut Rng, doc: &mut Json, others: &[Json], deep: &mut Option<usize>) {
    let path = walk(rng, doc);
    let spliced = {
        let other = &others[rng.below(others.len())];
        let p = walk(rng, other);
        let at = p.iter().try_fold(other, |v, s| match s {
            Step::Key(k) => v.get(k.as_str()),
            Step::Index(i) => v.get(*i),
        });
        at.cloned().unwrap_or(Json::Null)
    };
    let choice = rng.below(7);
    let extra = rng.next();
    let Some(v) = at_mut(doc, &path) else { return };
    match (choice, v) {
        (0, Json::Object(m)) if !m.is_empty() => {
            let key = m.keys().nth(extra as usize % m.len()).cloned();
            key.map(|k| m.remove(&k));
        }
        (0, Json::Array(a)) if !a.is_empty() => {
            a.remove(extra as usize % a.len());
        }
        (1, Json::Array(a)) if !a.is_empty() => {
            let k = extra as usize % a.len();
            a.insert(k, a[k].clone());
        }
        (1, Json::Object(m)) if !m.is_empty() => {
            let key = m.keys().nth(extra as usize % m.len()).cloned();
            if let Some(value) = key.and_then(|k| m.get(&k)).cloned() {
                let target = m.keys().nth((extra >> 20) as usize % m.len()).cloned();
                target.map(|t| m.insert(t, value));
            }
        }
        (2, Json::Array(a)) if a.len() > 1 => {
            let (i, j) = (extra as usize % a.len(), (extra >> 20) as usize % a.len());
            a.swap(i, j);
        }
        (2, Json::Object(m)) if m.len() > 1 => {
            let keys: Vec<String> = m.keys().cloned().collect();
            let (i, j) = (
                extra as usize % keys.len(),
                (extra >> 20) as usize % keys.len(),
            );
            let (a, b) = (m[&keys[i]].clone(), m[&keys[j]].clone());
            m.insert(keys[i].clone(), b);
            m.insert(keys[j].clone(), a);
        }
        (3, v) => *v = spliced,
        (4, v) => {
            // Replaced by a marker the caller expands into deep nesting around `v`.
            *deep = Some(*rng.pick(&[8, 100, 127, 129, 5000, 100_000]));
            let inner = v.take();
            *v = json!({ "__deep__": inner });
        }
        (_, v) => *v = odd_value(rng),
    }
}

/// The ids of a graph's variables.
fn var_ids(g: &Json) -> Vec<Json> {
    let vars = g.get("variables").and_then(Json::as_array);
    vars.map_or(vec![], |vs| {
        vs.iter().filter_map(|v| v.get("id").cloned()).collect()
    })
}

/// A graph-aware mutation of one graph.
fn mutate_graph(rng: &mut Rng, doc: &mut Json) {
    let mut all = vec![];
    graph_paths(doc, &mut vec![], &mut all);
    if all.is_empty() {
        return;
    }
    let path = rng.pick(&all).clone();
    let Some(g) = at_mut(doc, &path) else { return };
    let ids = var_ids(g);
    let choice = rng.below(6);
    let Some(nodes) = g.get_mut("nodes").and_then(Json::as_array_mut) else {
        return;
    };
    let n = nodes.len();
    if n == 0 {
        return;
    }
    let (a, b) = (rng.below(n), rng.below(n));
    match choice {
        // A node input rewired to any variable (maybe downstream: a cycle) or to no variable.
        0 => {
            let id = if ids.is_empty() || rng.below(4) == 0 {
                json!("v_dangling")
            } else {
                rng.pick(&ids).clone()
            };
            if let Some(ins) = nodes[a].get_mut("inputs").and_then(Json::as_array_mut) {
                let k = rng.below(ins.len());
                match ins.get_mut(k) {
                    Some(slot) => *slot = id,
                    None => ins.push(id),
                }
            }
        }
        // Two nodes feeding each other.
        1 => {
            let out_of = |nodes: &Vec<Json>, k: usize| nodes[k]["outputs"].get(0).cloned();
            let (oa, ob) = (out_of(nodes, a), out_of(nodes, b));
            for (k, o) in [(a, ob), (b, oa)] {
                let slot = nodes[k].get_mut("inputs").and_then(|i| i.get_mut(0));
                if let (Some(o), Some(slot)) = (o, slot) {
                    *slot = o;
                }
            }
        }
        // Another op class (tensor or scalar) with its module, keeping the props.
        2 => {
            let (class, module) = if rng.below(2) == 0 {
                let e = rng.pick(TENSOR_OPS);
                (e.class, e.module)
            } else {
                let e = rng.pick(SCALAR_OPS);
                (e.class, e.module)
            };
            let scalar = rng.below(2) == 0;
            let Some(op) = nodes[a].get_mut("op") else {
                return;
            };
            let target = match op.pointer_mut("/props/scalar_op/op") {
                Some(s) if scalar => s,
                _ => op,
            };
            if let Some(o) = target.as_object_mut() {
                o.insert("class".into(), json!(class));
                o.insert("module".into(), json!(module));
            }
        }
        // Another node's props (or an odd value for one prop).
        3 => {
            let props = nodes[b]["op"].get("props").cloned();
            match (nodes[a].pointer_mut("/op/props"), rng.below(2)) {
                (Some(Json::Object(m)), 0) if !m.is_empty() => {
                    let key = m.keys().nth(rng.below(m.len())).cloned();
                    let value = odd_value(rng);
                    key.map(|k| m.insert(k, value));
                }
                _ => {
                    if let Some(op) = nodes[a].get_mut("op").and_then(Json::as_object_mut) {
                        op.insert("props".into(), props.unwrap_or(Json::Null));
                    }
                }
            }
        }
        // A variable's static shape with an axis more or less, or a huge dim.
        4 => {
            let Some(vars) = g.get_mut("variables").and_then(Json::as_array_mut) else {
                return;
            };
            if vars.is_empty() {
                return;
            }
            let k = rng.below(vars.len());
            let which = rng.below(3);
            let value = *rng.pick(&[0i64, 1, 3, -1, i64::MAX]);
            if let Some(Json::Array(shape)) = vars.get_mut(k).and_then(|v| {
                v.pointer_mut(if rng.below(2) == 0 {
                    "/type/shape"
                } else {
                    "/value/shape"
                })
            }) {
                match which {
                    0 => shape.push(json!(value)),
                    1 => {
                        shape.pop();
                    }
                    _ => {
                        if let Some(d) = shape.first_mut() {
                            *d = json!(value);
                        }
                    }
                }
            }
        }
        // Scan bodies nested deeply: the graph becomes the inner graph of one of its nodes,
        // again and again.
        _ => {
            let a = (0..n)
                .find(|&k| nodes[k]["op"].get("inner").is_some())
                .unwrap_or(a);
            let depth = 1 + rng.below(18);
            let mut nested = g.clone();
            for _ in 0..depth {
                let mut outer = g.clone();
                let op = outer.pointer_mut(&format!("/nodes/{a}/op"));
                if let Some(op) = op.and_then(Json::as_object_mut) {
                    op.insert("inner".into(), nested);
                }
                nested = outer;
            }
            *g = nested;
        }
    }
}

/// Expands the `{"__deep__": v}` marker into `depth` nested arrays around `v`.
fn expand_deep(text: String, depth: usize) -> String {
    const MARK: &str = "{\"__deep__\":";
    let Some(start) = text.find(MARK) else {
        return text;
    };
    // The marker's object closes where its value does: find the value's end by re-serializing.
    let rest = &text[start + MARK.len()..];
    let value_len = {
        let mut de = serde_json::Deserializer::from_str(rest).into_iter::<Json>();
        match de.next() {
            Some(Ok(_)) => de.byte_offset(),
            _ => return text,
        }
    };
    let value = &rest[..value_len];
    let after = &rest[value_len + 1..];
    format!(
        "{}{}{value}{}{after}",
        &text[..start],
        "[".repeat(depth),
        "]".repeat(depth)
    )
}

/// A JSON-level mutation of `doc` (one to three generic or graph-aware changes), printed.
pub fn mutate_json(rng: &mut Rng, doc: &Json, others: &[Json]) -> Vec<u8> {
    let mut d = doc.clone();
    let mut deep = None;
    for _ in 0..1 + rng.below(3) {
        if rng.below(2) == 0 {
            mutate_graph(rng, &mut d);
        } else {
            mutate_tree(rng, &mut d, others, &mut deep);
        }
    }
    let text = if deep.is_none() && rng.below(4) == 0 {
        serde_json::to_string_pretty(&d)
    } else {
        serde_json::to_string(&d)
    };
    let text = text.unwrap_or_default();
    match deep {
        Some(depth) => expand_deep(text, depth).into_bytes(),
        None => text.into_bytes(),
    }
}
