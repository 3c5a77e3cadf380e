//! Rewriting every dim of an op, a region or a function through the builder's [`Unifier`].

use crate::dim::{Dim, Unifier};
use crate::module::{Function, Region};
use crate::op::{AttrValue, Op};
use crate::types::TensorType;

use super::RegionBuilder;

impl RegionBuilder {
    /// `t` with the unifier's bindings applied (unchanged without unification).
    pub(super) fn resolve_type(&self, t: &TensorType) -> TensorType {
        match &self.shared.borrow().unifier {
            None => t.clone(),
            Some(u) => resolve(t, u),
        }
    }

    /// `op` with the unifier's bindings applied to its attributes and regions.
    pub(super) fn resolve_op(&self, mut op: Op) -> Op {
        if let Some(u) = &self.shared.borrow().unifier {
            map_op_dims(&mut op, &|d| u.resolve(d));
        }
        op
    }
}

fn resolve(t: &TensorType, u: &Unifier) -> TensorType {
    TensorType::new(t.dtype, t.shape.iter().map(|d| u.resolve(d)).collect())
}

/// Applies the unifier to every type and shape attribute of the function.
pub(super) fn resolve_function(f: &mut Function, u: &Unifier) {
    let map = |d: &Dim| u.resolve(d);
    for p in &mut f.params {
        map_type(&mut p.ty, &map);
    }
    for r in &mut f.results {
        map_type(&mut r.ty, &map);
    }
    map_region_dims(&mut f.body, &map);
}

fn map_type(t: &mut TensorType, f: &dyn Fn(&Dim) -> Dim) {
    for d in &mut t.shape {
        *d = f(d);
    }
}

fn map_shape(shape: &mut [Dim], f: &dyn Fn(&Dim) -> Dim) {
    for d in shape {
        *d = f(d);
    }
}

fn map_region_dims(r: &mut Region, f: &dyn Fn(&Dim) -> Dim) {
    for p in &mut r.params {
        map_type(&mut p.ty, f);
    }
    for n in &mut r.nodes {
        for t in &mut n.results {
            map_type(t, f);
        }
        map_op_dims(&mut n.op, f);
    }
}

/// Applies `f` to every dim written in the op: shape attributes, custom shape attributes, and
/// everything in nested regions.
fn map_op_dims(op: &mut Op, f: &dyn Fn(&Dim) -> Dim) {
    if let Some(shape) = op.shape_attr_mut() {
        map_shape(shape, f);
    }
    for region in op.regions_mut() {
        map_region_dims(region, f);
    }
    if let Op::Custom(c) = op {
        for (_, v) in &mut c.attrs {
            if let AttrValue::Shape(s) = v {
                map_shape(s, f);
            }
        }
    }
}
