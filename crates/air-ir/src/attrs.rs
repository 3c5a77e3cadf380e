//! The generic form of an op: a name plus named, typed attributes (and regions). The text form and
//! the protobuf schema both store ops this way; this module is the one mapping between that form and
//! the typed [`Op`] enum, so both serial forms agree on every attribute name.
//!
//! Each op's name, attributes (name and kind) and regions are listed once, in the op table
//! (`crates/air-ir/src/op/table.rs`), which generates [`to_generic`] and [`from_generic`]; this
//! module reads and writes one attribute of each kind. Optional attributes (`keepdims`,
//! `descending`) default to false and are left out when false. `custom` has `domain: string`,
//! `name: string`, `decomposition: func` (optional), then its own attributes.

use crate::diag::{excerpt, Code, Diagnostic};
use crate::dim::Dim;
use crate::dtype::DType;
use crate::module::Region;
use crate::op::{Attr, AttrValue, CustomOp, Op, ScatterMode, SliceAxis};
use crate::types::Literal;

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
    let mut g = GenericOp {
        name: op.name().to_string(),
        attrs: vec![],
        regions: vec![],
    };
    crate::op::table::split(op, &mut g);
    g
}

/// Rebuilds a typed op from its generic form. Unknown names give `E0102`, attribute problems `E0103`.
pub fn from_generic(name: &str, attrs: Vec<Attr>, regions: Vec<Region>) -> Result<Op, Diagnostic> {
    let mut r = AttrReader::new(name, attrs, regions)?;
    let Some(op) = crate::op::table::build(name, &mut r) else {
        let mut d = Diagnostic::new(
            Code::UnknownOp,
            format!(
                "unknown op `{}` (not in op set v1; use `custom` for others)",
                excerpt(name)
            ),
        );
        d.op = Some(excerpt(name));
        return Err(d);
    };
    let op = op?;
    r.finish()?;
    Ok(op)
}

/// Writers of one attribute of each kind of the op table, named after the kind.
pub(crate) mod put {
    use super::{
        AttrValue, CustomOp, DType, Dim, GenericOp, Literal, Region, ScatterMode, SliceAxis,
    };

    fn push(g: &mut GenericOp, key: &str, v: AttrValue) {
        g.attrs.push((key.to_string(), v));
    }

    fn ints(v: &[u32]) -> AttrValue {
        AttrValue::Ints(v.iter().map(|&x| i64::from(x)).collect())
    }

    pub(crate) fn literal(g: &mut GenericOp, key: &str, v: &Literal) {
        push(g, key, AttrValue::Literal(v.clone()));
    }

    pub(crate) fn dtype(g: &mut GenericOp, key: &str, v: &DType) {
        push(g, key, AttrValue::DType(*v));
    }

    pub(crate) fn shape(g: &mut GenericOp, key: &str, v: &[Dim]) {
        push(g, key, AttrValue::Shape(v.to_vec()));
    }

    pub(crate) fn axis(g: &mut GenericOp, key: &str, v: &u32) {
        push(g, key, AttrValue::Int(i64::from(*v)));
    }

    pub(crate) fn axes(g: &mut GenericOp, key: &str, v: &[u32]) {
        push(g, key, ints(v));
    }

    /// Left out when false, the default.
    pub(crate) fn flag(g: &mut GenericOp, key: &str, v: &bool) {
        if *v {
            push(g, key, AttrValue::Bool(true));
        }
    }

    pub(crate) fn string(g: &mut GenericOp, key: &str, v: &str) {
        push(g, key, AttrValue::Str(v.to_string()));
    }

    pub(crate) fn scatter_mode(g: &mut GenericOp, key: &str, v: &ScatterMode) {
        push(g, key, AttrValue::Str(v.name().to_string()));
    }

    pub(crate) fn func(g: &mut GenericOp, key: &str, v: &str) {
        push(g, key, AttrValue::Func(v.to_string()));
    }

    pub(crate) fn slices(g: &mut GenericOp, key: &str, v: &[SliceAxis]) {
        push(g, key, AttrValue::Slices(v.to_vec()));
    }

    /// A region is not an attribute: it joins the regions, in table order.
    pub(crate) fn region(g: &mut GenericOp, _key: &str, v: &Region) {
        g.regions.push(v.clone());
    }

    /// The family member is the op's name, not an attribute.
    pub(crate) fn family<K>(_g: &mut GenericOp, _key: &str, _v: &K) {}

    pub(crate) fn custom(g: &mut GenericOp, _key: &str, c: &CustomOp) {
        string(g, "domain", &c.domain);
        string(g, "name", &c.name);
        if let Some(d) = &c.decomposition {
            func(g, "decomposition", d);
        }
        g.attrs.extend(c.attrs.iter().cloned());
    }
}

/// Reads attributes by name, tracking which were used so leftovers are reported.
pub(crate) struct AttrReader<'a> {
    op: &'a str,
    attrs: Vec<Option<Attr>>,
    regions: std::vec::IntoIter<Region>,
}

impl<'a> AttrReader<'a> {
    fn new(
        op: &'a str,
        attrs: Vec<Attr>,
        regions: Vec<Region>,
    ) -> Result<AttrReader<'a>, Diagnostic> {
        // A set, so a node with a million attributes is checked in linear time.
        let mut seen = std::collections::HashSet::with_capacity(attrs.len());
        for (k, _) in &attrs {
            if !seen.insert(k.as_str()) {
                return Err(bad(op, format!("attribute `{}` given twice", excerpt(k))));
            }
        }
        Ok(AttrReader {
            op,
            attrs: attrs.into_iter().map(Some).collect(),
            regions: regions.into_iter(),
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

    pub(crate) fn int(&mut self, key: &str) -> Result<i64, Diagnostic> {
        let AttrValue::Int(i) = self.take(key)? else {
            return Err(self.wrong(key, "an integer"));
        };
        Ok(i)
    }

    pub(crate) fn axis(&mut self, key: &str) -> Result<u32, Diagnostic> {
        let i = self.int(key)?;
        u32::try_from(i).map_err(|_| self.wrong(key, "a non-negative axis"))
    }

    pub(crate) fn axes(&mut self, key: &str) -> Result<Vec<u32>, Diagnostic> {
        let AttrValue::Ints(v) = self.take(key)? else {
            return Err(self.wrong(key, "a list of integers"));
        };
        v.into_iter()
            .map(|i| u32::try_from(i).map_err(|_| self.wrong(key, "non-negative axes")))
            .collect()
    }

    pub(crate) fn flag(&mut self, key: &str) -> Result<bool, Diagnostic> {
        let Some(value) = self.take_opt(key) else {
            return Ok(false);
        };
        let AttrValue::Bool(b) = value else {
            return Err(self.wrong(key, "a bool"));
        };
        Ok(b)
    }

    pub(crate) fn dtype(&mut self, key: &str) -> Result<DType, Diagnostic> {
        let AttrValue::DType(d) = self.take(key)? else {
            return Err(self.wrong(key, "a dtype"));
        };
        Ok(d)
    }

    pub(crate) fn shape(&mut self, key: &str) -> Result<Vec<Dim>, Diagnostic> {
        match self.take(key)? {
            AttrValue::Shape(s) => Ok(s),
            // `[]` and `[2, 3]` read as integer lists in the text form.
            AttrValue::Ints(v) => Ok(v.into_iter().map(Dim::constant).collect()),
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

    pub(crate) fn string(&mut self, key: &str) -> Result<String, Diagnostic> {
        let AttrValue::Str(s) = self.take(key)? else {
            return Err(self.wrong(key, "a string"));
        };
        Ok(s)
    }

    /// A string attribute naming a [`ScatterMode`].
    pub(crate) fn scatter_mode(&mut self, key: &str) -> Result<ScatterMode, Diagnostic> {
        let AttrValue::Str(s) = self.take(key)? else {
            return Err(self.wrong(key, "a string (replace, add, mul, max or min)"));
        };
        ScatterMode::from_name(&s).ok_or_else(|| {
            self.wrong(
                key,
                "one of \"replace\", \"add\", \"mul\", \"max\", \"min\"",
            )
        })
    }

    pub(crate) fn func(&mut self, key: &str) -> Result<String, Diagnostic> {
        let AttrValue::Func(s) = self.take(key)? else {
            return Err(self.wrong(key, "a function reference (@name)"));
        };
        Ok(s)
    }

    pub(crate) fn literal(&mut self, key: &str) -> Result<Literal, Diagnostic> {
        let AttrValue::Literal(l) = self.take(key)? else {
            return Err(self.wrong(key, "a literal"));
        };
        Ok(l)
    }

    pub(crate) fn slices(&mut self, key: &str) -> Result<Vec<SliceAxis>, Diagnostic> {
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

    /// Checks that the op was given `n` regions (the op table's count).
    pub(crate) fn regions(&mut self, n: usize) -> Result<(), Diagnostic> {
        let got = self.regions.len();
        if got == n {
            return Ok(());
        }
        Err(bad(self.op, format!("expects {n} region(s), got {got}")))
    }

    /// The next region, in table order.
    pub(crate) fn region(&mut self, _key: &str) -> Result<Region, Diagnostic> {
        self.regions
            .next()
            .ok_or_else(|| bad(self.op, "missing region".to_string()))
    }

    /// The family member named by the op's name.
    pub(crate) fn family<K>(&self, from_name: fn(&str) -> Option<K>) -> Result<K, Diagnostic> {
        from_name(self.op).ok_or_else(|| bad(self.op, "not a member of its family".to_string()))
    }

    /// A custom op: its reserved attributes, then every other attribute, in order.
    pub(crate) fn custom(&mut self, _key: &str) -> Result<CustomOp, Diagnostic> {
        let domain = self.string("domain")?;
        let name = self.string("name")?;
        let decomposition = match self.take_opt("decomposition") {
            None => None,
            Some(AttrValue::Func(f)) => Some(f),
            Some(_) => return Err(self.wrong("decomposition", "a function reference (@name)")),
        };
        let attrs = self.attrs.iter_mut().filter_map(Option::take).collect();
        Ok(CustomOp {
            domain,
            name,
            attrs,
            decomposition,
        })
    }

    /// Fails on any attribute not taken.
    fn finish(self) -> Result<(), Diagnostic> {
        match self.attrs.into_iter().flatten().next() {
            None => Ok(()),
            Some((k, _)) => Err(bad(self.op, format!("unknown attribute `{}`", excerpt(&k)))),
        }
    }
}

fn bad(op: &str, msg: String) -> Diagnostic {
    let mut d = Diagnostic::new(Code::BadAttribute, msg);
    d.op = Some(excerpt(op));
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::op::{BinaryOp, Bound, ReduceKind, UnaryOp};

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
            Op::ArgReduce {
                kind: crate::op::ArgKind::Argmin,
                axis: 1,
                keepdims: true,
            },
            Op::Scan {
                kind: crate::op::ScanKind::Cumprod,
                axis: 0,
            },
            Op::Sort {
                axis: 2,
                descending: true,
            },
            Op::Broadcast {
                shape: vec![Dim::constant(2), Dim::symbol("n")],
                dims: vec![1],
            },
            Op::Einsum {
                spec: "ij,j->i".into(),
            },
            Op::Select,
            Op::Scatter {
                mode: ScatterMode::Max,
            },
            Op::Scatter {
                mode: ScatterMode::Replace,
            },
            Op::Gather,
            Op::Unique,
            Op::If {
                then_branch: Region::default(),
                else_branch: Region::default(),
            },
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
        let mode = |v: AttrValue| from_generic("scatter", vec![("mode".into(), v)], vec![]);
        let e = mode(AttrValue::Str("sub".into())).unwrap_err();
        assert_eq!(e.code, Code::BadAttribute);
        assert!(e.message.contains("\"replace\""), "{}", e.message);
        assert_eq!(
            mode(AttrValue::Int(1)).unwrap_err().code,
            Code::BadAttribute
        );
    }

    #[test]
    fn every_name_in_the_op_table_reads_back_as_that_op() {
        let names = crate::op::all_op_names();
        let mut distinct = names.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), names.len(), "an op name is listed twice");
        for name in names {
            let regions = match name {
                "for" => vec![Region::default()],
                "if" | "while" => vec![Region::default(), Region::default()],
                _ => vec![],
            };
            match from_generic(name, vec![], regions) {
                Ok(op) => assert_eq!(op.name(), name),
                // Ops with attributes: known, but the attributes are missing.
                Err(e) => assert_eq!(e.code, Code::BadAttribute, "{name}: {}", e.message),
            }
        }
    }

    #[test]
    fn region_counts_come_from_the_table() {
        let e = from_generic("for", vec![], vec![]).unwrap_err();
        assert!(
            e.message.contains("expects 1 region(s), got 0"),
            "{}",
            e.message
        );
        let e = from_generic("add", vec![], vec![Region::default()]).unwrap_err();
        assert!(
            e.message.contains("expects 0 region(s), got 1"),
            "{}",
            e.message
        );
    }
}
