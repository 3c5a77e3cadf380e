//! NaNs as the text form reads them back. The text form writes every NaN as `nan` and reads it
//! as the canonical quiet NaN, so a NaN's sign and payload do not survive it
//! (`docs/text-format.md`); AIR has no op that can observe them. The round-trip checks compare
//! modules after this mapping wherever a form is documented not to keep payloads.

use air_ir::attrs::{from_generic, to_generic};
use air_ir::module::{Module, Region};
use air_ir::op::AttrValue;
use air_ir::{DType, Literal};
use air_value::half::{bf16, f16};

/// `m` with every NaN of a literal or float attribute replaced by the canonical one.
pub fn canonical_nans(m: &Module) -> Module {
    let mut m = m.clone();
    for f in &mut m.functions {
        region(&mut f.body);
    }
    m
}

fn region(r: &mut Region) {
    for node in &mut r.nodes {
        for sub in node.op.regions_mut() {
            region(sub);
        }
        let g = to_generic(&node.op);
        let attrs = g
            .attrs
            .into_iter()
            .map(|(k, mut v)| {
                attr(&mut v);
                (k, v)
            })
            .collect();
        if let Ok(op) = from_generic(&g.name, attrs, g.regions) {
            node.op = op;
        }
    }
}

fn attr(v: &mut AttrValue) {
    match v {
        AttrValue::Float(f) if f.is_nan() => *f = f64::NAN,
        AttrValue::Floats(fs) => fs
            .iter_mut()
            .filter(|f| f.is_nan())
            .for_each(|f| *f = f64::NAN),
        AttrValue::Literal(l) => literal(l),
        AttrValue::Float(_)
        | AttrValue::Int(_)
        | AttrValue::Str(_)
        | AttrValue::Bool(_)
        | AttrValue::Ints(_)
        | AttrValue::Strs(_)
        | AttrValue::DType(_)
        | AttrValue::Shape(_)
        | AttrValue::Slices(_)
        | AttrValue::Func(_) => {}
    }
}

/// Rewrites each NaN element (each NaN part of a complex element) of a literal.
fn literal(l: &mut Literal) {
    let (width, nan): (usize, Vec<u8>) = match l.dtype {
        DType::F64 | DType::C128 => (8, f64::NAN.to_le_bytes().to_vec()),
        DType::F32 | DType::C64 => (4, f32::NAN.to_le_bytes().to_vec()),
        DType::F16 => (2, f16::from_f32(f32::NAN).to_le_bytes().to_vec()),
        DType::BF16 => (2, bf16::from_f32(f32::NAN).to_le_bytes().to_vec()),
        DType::Bool
        | DType::I8
        | DType::I16
        | DType::I32
        | DType::I64
        | DType::U8
        | DType::U16
        | DType::U32
        | DType::U64 => return,
    };
    for chunk in l.data.chunks_exact_mut(width) {
        let is_nan = match width {
            8 => f64::from_le_bytes(chunk.try_into().unwrap_or([0; 8])).is_nan(),
            4 => f32::from_le_bytes(chunk.try_into().unwrap_or([0; 4])).is_nan(),
            _ => {
                let bits = u16::from_le_bytes(chunk.try_into().unwrap_or([0; 2]));
                if l.dtype == DType::F16 {
                    f16::from_bits(bits).is_nan()
                } else {
                    bf16::from_bits(bits).is_nan()
                }
            }
        };
        if is_nan {
            chunk.copy_from_slice(&nan);
        }
    }
}
