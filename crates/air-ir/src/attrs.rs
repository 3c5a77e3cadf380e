//! The generic form of an op: a name plus named, typed attributes (and regions). The text form and
//! the protobuf schema both store ops this way; this module is the one mapping between that form and
//! the typed [`Op`] enum, so both serial forms agree on every attribute name.
//!
//! | op | attributes |
//! |---|---|
//! | `constant` | `value: literal` |
//! | `iota` | `dtype`, `shape`, `axis: int` |
//! | `full` | `value: literal` (rank 0), `shape` |
//! | `cast` | `dtype` |
//! | `broadcast` | `shape`, `dims: ints` |
//! | `reshape` | `shape` |
//! | `transpose` | `perm: ints` |
//! | `expand_dims`, `squeeze` | `axes: ints` |
//! | `slice` | `axes: slices` |
//! | `concat`, `take`, `cumsum`, `cumprod` | `axis: int` |
//! | `reduce_*` | `axes: ints`, `keepdims: bool` (default false) |
//! | `argmax`, `argmin` | `axis: int`, `keepdims: bool` (default false) |
//! | `sort` | `axis: int`, `descending: bool` (default false) |
//! | `einsum` | `spec: string` |
//! | `call` | `callee: func` |
//! | `custom` | `domain: string`, `name: string`, `decomposition: func` (optional), then its own |
//!
//! Every other op has no attributes. `for` has one region (the body), `if` two (then, else).

use crate::diag::{Code, Diagnostic};
use crate::dtype::DType;
use crate::module::Region;
use crate::op::{ArgKind, Attr, AttrValue, BinaryOp, CustomOp, Op, ReduceKind, ScanKind, UnaryOp};

/// The attribute names reserved by `custom` itself.
pub const CUSTOM_RESERVED: [&str; 3] = ["domain", "name", "decomposition"];

/// An op split into its name, attributes and regions.
#[derive(Clone, Debug, PartialEq)]
pub struct GenericOp {
    /// The op name.
    pub name: String,
    /// Attributes in canonical order.
    pub attrs: Vec<Attr>,
    /// Nested regions.
    pub regions: Vec<Region>,
}

/// Splits an op into its generic form. Optional attributes at their default are left out.
pub fn to_generic(op: &Op) -> GenericOp {
    let mut attrs: Vec<Attr> = vec![];
    let mut push = |k: &str, v: AttrValue| attrs.push((k.to_string(), v));
    let ints = |v: &[u32]| AttrValue::Ints(v.iter().map(|&x| i64::from(x)).collect());
    let mut regions = vec![];
    match op {
        Op::Constant(lit) => push("value", AttrValue::Literal(lit.clone())),
        Op::Iota { dtype, shape, axis } => {
            push("dtype", AttrValue::DType(*dtype));
            push("shape", AttrValue::Shape(shape.clone()));
            push("axis", AttrValue::Int(i64::from(*axis)));
        }
        Op::Full { value, shape } => {
            push("value", AttrValue::Literal(value.clone()));
            push("shape", AttrValue::Shape(shape.clone()));
        }
        Op::Unary(_)
        | Op::Binary(_)
        | Op::Select
        | Op::Clip
        | Op::Extract
        | Op::Insert
        | Op::Filter
        | Op::Matmul => {}
        Op::Cast { dtype } => push("dtype", AttrValue::DType(*dtype)),
        Op::Broadcast { shape, dims } => {
            push("shape", AttrValue::Shape(shape.clone()));
            push("dims", ints(dims));
        }
        Op::Reshape { shape } => push("shape", AttrValue::Shape(shape.clone())),
        Op::Transpose { perm } => push("perm", ints(perm)),
        Op::ExpandDims { axes } | Op::Squeeze { axes } => push("axes", ints(axes)),
        Op::Slice { axes } => push("axes", AttrValue::Slices(axes.clone())),
        Op::Concat { axis } | Op::Take { axis } | Op::Scan { axis, .. } => {
            push("axis", AttrValue::Int(i64::from(*axis)))
        }
        Op::Reduce { axes, keepdims, .. } => {
            push("axes", ints(axes));
            if *keepdims {
                push("keepdims", AttrValue::Bool(true));
            }
        }
        Op::ArgReduce { axis, keepdims, .. } => {
            push("axis", AttrValue::Int(i64::from(*axis)));
            if *keepdims {
                push("keepdims", AttrValue::Bool(true));
            }
        }
        Op::Sort { axis, descending } => {
            push("axis", AttrValue::Int(i64::from(*axis)));
            if *descending {
                push("descending", AttrValue::Bool(true));
            }
        }
        Op::Einsum { spec } => push("spec", AttrValue::Str(spec.clone())),
        Op::For { body } => regions.push(body.clone()),
        Op::If {
            then_branch,
            else_branch,
        } => {
            regions.push(then_branch.clone());
            regions.push(else_branch.clone());
        }
        Op::Call { callee } => push("callee", AttrValue::Func(callee.clone())),
        Op::Custom(c) => {
            push("domain", AttrValue::Str(c.domain.clone()));
            push("name", AttrValue::Str(c.name.clone()));
            if let Some(d) = &c.decomposition {
                push("decomposition", AttrValue::Func(d.clone()));
            }
            attrs.extend(c.attrs.iter().cloned());
        }
    }
    GenericOp {
        name: op.name().to_string(),
        attrs,
        regions,
    }
}

/// Reads attributes by name, tracking which were used so leftovers are reported.
struct AttrReader<'a> {
    op: &'a str,
    attrs: Vec<Option<Attr>>,
}

impl<'a> AttrReader<'a> {
    fn new(op: &'a str, attrs: Vec<Attr>) -> Result<AttrReader<'a>, Diagnostic> {
        for (i, (k, _)) in attrs.iter().enumerate() {
            if attrs[..i].iter().any(|(k2, _)| k2 == k) {
                return Err(bad(op, format!("attribute `{k}` given twice")));
            }
        }
        Ok(AttrReader {
            op,
            attrs: attrs.into_iter().map(Some).collect(),
        })
    }

    fn take_opt(&mut self, key: &str) -> Option<AttrValue> {
        self.attrs
            .iter_mut()
            .find(|a| a.as_ref().is_some_and(|(k, _)| k == key))
            .and_then(Option::take)
            .map(|(_, v)| v)
    }

    fn take(&mut self, key: &str) -> Result<AttrValue, Diagnostic> {
        self.take_opt(key)
            .ok_or_else(|| bad(self.op, format!("missing attribute `{key}`")))
    }

    fn wrong(&self, key: &str, want: &str) -> Diagnostic {
        bad(self.op, format!("attribute `{key}` must be {want}"))
    }

    fn int(&mut self, key: &str) -> Result<i64, Diagnostic> {
        let AttrValue::Int(i) = self.take(key)? else {
            return Err(self.wrong(key, "an integer"));
        };
        Ok(i)
    }

    fn axis(&mut self, key: &str) -> Result<u32, Diagnostic> {
        let i = self.int(key)?;
        u32::try_from(i).map_err(|_| self.wrong(key, "a non-negative axis"))
    }

    fn axes(&mut self, key: &str) -> Result<Vec<u32>, Diagnostic> {
        let AttrValue::Ints(v) = self.take(key)? else {
            return Err(self.wrong(key, "a list of integers"));
        };
        v.into_iter()
            .map(|i| u32::try_from(i).map_err(|_| self.wrong(key, "non-negative axes")))
            .collect()
    }

    fn flag(&mut self, key: &str) -> Result<bool, Diagnostic> {
        let Some(value) = self.take_opt(key) else {
            return Ok(false);
        };
        let AttrValue::Bool(b) = value else {
            return Err(self.wrong(key, "a bool"));
        };
        Ok(b)
    }

    fn dtype(&mut self, key: &str) -> Result<DType, Diagnostic> {
        let AttrValue::DType(d) = self.take(key)? else {
            return Err(self.wrong(key, "a dtype"));
        };
        Ok(d)
    }

    fn shape(&mut self, key: &str) -> Result<Vec<crate::dim::Dim>, Diagnostic> {
        match self.take(key)? {
            AttrValue::Shape(s) => Ok(s),
            // `[]` and `[2, 3]` read as integer lists in the text form.
            AttrValue::Ints(v) => Ok(v.into_iter().map(crate::dim::Dim::constant).collect()),
            AttrValue::Int(_)
            | AttrValue::Float(_)
            | AttrValue::Str(_)
            | AttrValue::Bool(_)
            | AttrValue::Floats(_)
            | AttrValue::Strs(_)
            | AttrValue::DType(_)
            | AttrValue::Literal(_)
            | AttrValue::Slices(_)
            | AttrValue::Func(_) => Err(self.wrong(key, "a shape")),
        }
    }

    fn string(&mut self, key: &str) -> Result<String, Diagnostic> {
        let AttrValue::Str(s) = self.take(key)? else {
            return Err(self.wrong(key, "a string"));
        };
        Ok(s)
    }

    fn func(&mut self, key: &str) -> Result<String, Diagnostic> {
        let AttrValue::Func(s) = self.take(key)? else {
            return Err(self.wrong(key, "a function reference (@name)"));
        };
        Ok(s)
    }

    fn literal(&mut self, key: &str) -> Result<crate::types::Literal, Diagnostic> {
        let AttrValue::Literal(l) = self.take(key)? else {
            return Err(self.wrong(key, "a literal"));
        };
        Ok(l)
    }

    fn slices(&mut self, key: &str) -> Result<Vec<crate::op::SliceAxis>, Diagnostic> {
        match self.take(key)? {
            AttrValue::Slices(axes) => Ok(axes),
            // The text form reads `[]` as an empty int list: the slice of a scalar.
            AttrValue::Ints(v) if v.is_empty() => Ok(vec![]),
            AttrValue::Ints(_)
            | AttrValue::Int(_)
            | AttrValue::Float(_)
            | AttrValue::Str(_)
            | AttrValue::Bool(_)
            | AttrValue::Floats(_)
            | AttrValue::Strs(_)
            | AttrValue::DType(_)
            | AttrValue::Shape(_)
            | AttrValue::Literal(_)
            | AttrValue::Func(_) => Err(self.wrong(key, "a list of slices")),
        }
    }

    /// Fails on any attribute not taken.
    fn finish(self) -> Result<(), Diagnostic> {
        match self.attrs.into_iter().flatten().next() {
            None => Ok(()),
            Some((k, _)) => Err(bad(self.op, format!("unknown attribute `{k}`"))),
        }
    }

    /// Everything not taken, in order (custom ops keep these).
    fn rest(self) -> Vec<Attr> {
        self.attrs.into_iter().flatten().collect()
    }
}

fn bad(op: &str, msg: String) -> Diagnostic {
    let mut d = Diagnostic::new(Code::BadAttribute, msg);
    d.op = Some(op.to_string());
    d
}

fn expect_regions(op: &str, regions: &[Region], n: usize) -> Result<(), Diagnostic> {
    if regions.len() == n {
        return Ok(());
    }
    let mut d = Diagnostic::new(
        Code::BadAttribute,
        format!("expects {n} region(s), got {}", regions.len()),
    );
    d.op = Some(op.to_string());
    Err(d)
}

/// Rebuilds a typed op from its generic form. Unknown names give `E0102`, attribute problems `E0103`.
pub fn from_generic(
    name: &str,
    attrs: Vec<Attr>,
    mut regions: Vec<Region>,
) -> Result<Op, Diagnostic> {
    let nregions = match name {
        "for" => 1,
        "if" => 2,
        _ => 0,
    };
    expect_regions(name, &regions, nregions)?;
    let mut r = AttrReader::new(name, attrs)?;
    let op = if let Some(u) = UnaryOp::ALL.iter().find(|u| u.name() == name) {
        Op::Unary(*u)
    } else if let Some(b) = BinaryOp::ALL.iter().find(|b| b.name() == name) {
        Op::Binary(*b)
    } else if let Some(k) = ReduceKind::ALL.iter().find(|k| k.name() == name) {
        let axes = r.axes("axes")?;
        let keepdims = r.flag("keepdims")?;
        Op::Reduce {
            kind: *k,
            axes,
            keepdims,
        }
    } else {
        match name {
            "constant" => Op::Constant(r.literal("value")?),
            "iota" => Op::Iota {
                dtype: r.dtype("dtype")?,
                shape: r.shape("shape")?,
                axis: r.axis("axis")?,
            },
            "full" => Op::Full {
                value: r.literal("value")?,
                shape: r.shape("shape")?,
            },
            "select" => Op::Select,
            "cast" => Op::Cast {
                dtype: r.dtype("dtype")?,
            },
            "clip" => Op::Clip,
            "broadcast" => Op::Broadcast {
                shape: r.shape("shape")?,
                dims: r.axes("dims")?,
            },
            "reshape" => Op::Reshape {
                shape: r.shape("shape")?,
            },
            "transpose" => Op::Transpose {
                perm: r.axes("perm")?,
            },
            "expand_dims" => Op::ExpandDims {
                axes: r.axes("axes")?,
            },
            "squeeze" => Op::Squeeze {
                axes: r.axes("axes")?,
            },
            "slice" => Op::Slice {
                axes: r.slices("axes")?,
            },
            "concat" => Op::Concat {
                axis: r.axis("axis")?,
            },
            "take" => Op::Take {
                axis: r.axis("axis")?,
            },
            "extract" => Op::Extract,
            "insert" => Op::Insert,
            "filter" => Op::Filter,
            "argmax" | "argmin" => Op::ArgReduce {
                kind: if name == "argmax" {
                    ArgKind::Argmax
                } else {
                    ArgKind::Argmin
                },
                axis: r.axis("axis")?,
                keepdims: r.flag("keepdims")?,
            },
            "cumsum" | "cumprod" => Op::Scan {
                kind: if name == "cumsum" {
                    ScanKind::Cumsum
                } else {
                    ScanKind::Cumprod
                },
                axis: r.axis("axis")?,
            },
            "sort" => Op::Sort {
                axis: r.axis("axis")?,
                descending: r.flag("descending")?,
            },
            "einsum" => Op::Einsum {
                spec: r.string("spec")?,
            },
            "matmul" => Op::Matmul,
            "for" => Op::For {
                body: regions.remove(0),
            },
            "if" => {
                let else_branch = regions.pop().expect("two regions checked");
                let then_branch = regions.pop().expect("two regions checked");
                Op::If {
                    then_branch,
                    else_branch,
                }
            }
            "call" => Op::Call {
                callee: r.func("callee")?,
            },
            "custom" => {
                let domain = r.string("domain")?;
                let cname = r.string("name")?;
                let decomposition = match r.take_opt("decomposition") {
                    None => None,
                    Some(AttrValue::Func(f)) => Some(f),
                    Some(_) => return Err(r.wrong("decomposition", "a function reference (@name)")),
                };
                return Ok(Op::Custom(CustomOp {
                    domain,
                    name: cname,
                    attrs: r.rest(),
                    decomposition,
                }));
            }
            other => {
                let mut d = Diagnostic::new(
                    Code::UnknownOp,
                    format!("unknown op `{other}` (not in op set v1; use `custom` for others)"),
                );
                d.op = Some(other.to_string());
                return Err(d);
            }
        }
    };
    r.finish()?;
    Ok(op)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dim::Dim;
    use crate::op::{Bound, SliceAxis};

    #[test]
    fn every_op_round_trips_through_the_generic_form() {
        let ops = vec![
            Op::Iota {
                dtype: DType::I64,
                shape: vec![Dim::symbol("n")],
                axis: 0,
            },
            Op::Reduce {
                kind: ReduceKind::Sum,
                axes: vec![0, 1],
                keepdims: true,
            },
            Op::Slice {
                axes: vec![SliceAxis {
                    start: Bound::Const(1),
                    stop: Bound::Operand(1),
                    step: 2,
                }],
            },
            Op::Custom(CustomOp {
                domain: "lib".into(),
                name: "softplus".into(),
                attrs: vec![("alpha".into(), AttrValue::Float(1.5))],
                decomposition: Some("softplus_ref".into()),
            }),
            Op::Call { callee: "g".into() },
            Op::Unary(UnaryOp::Log1p),
            Op::Binary(BinaryOp::FloorDiv),
        ];
        for op in ops {
            let g = to_generic(&op);
            assert_eq!(from_generic(&g.name, g.attrs, g.regions).unwrap(), op);
        }
    }

    #[test]
    fn attribute_problems_are_reported() {
        let e = from_generic("cast", vec![], vec![]).unwrap_err();
        assert_eq!(e.code, Code::BadAttribute);
        let e = from_generic("add", vec![("x".into(), AttrValue::Int(1))], vec![]).unwrap_err();
        assert!(e.message.contains("unknown attribute `x`"));
        let e = from_generic("frobnicate", vec![], vec![]).unwrap_err();
        assert_eq!(e.code, Code::UnknownOp);
    }
}
