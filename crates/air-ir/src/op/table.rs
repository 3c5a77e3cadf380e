//! The op table: every variant of [`Op`] with its name in the serial forms and its attributes,
//! in one place. [`op_table!`] turns it into [`Op::name`], [`all_op_names`] and the generic
//! form of [`crate::attrs`] (`to_generic`, `from_generic`).
//!
//! A row is `Variant { field: kind, ... } => name;` (or `Variant(field: kind)` for a tuple
//! variant, `Variant {}` for one without fields). The attribute of a field is named after the
//! field; its kind picks how it is read and written ([`crate::attrs`]): `literal`, `dtype`,
//! `shape`, `axis` (an int ≥ 0), `axes` (ints ≥ 0), `flag` (a bool, left out when false),
//! `string`, `func` (`@name`), `slices`, `region` (a nested region, not an attribute),
//! `family` (the op's kind within its family, given by its name) and `custom`. `name` is the
//! op's name, or for a family the family enum, whose `name()` gives one name per member.
//!
//! An `Op` variant without a row is a compile error (the generated matches are exhaustive).

use super::{ArgKind, BinaryOp, Op, ReduceKind, ScanKind, UnaryOp};
use crate::attrs::{put, AttrReader, GenericOp};
use crate::diag::Diagnostic;

macro_rules! op_table {
    ($($v:ident $fields:tt => $name:tt;)*) => {
        impl Op {
            /// The op's name in the serial forms (`add`, `reduce_sum`, `for`, `custom`).
            #[allow(unused_variables)] // the patterns bind every field; names need few
            pub fn name(&self) -> &'static str {
                match self {
                    $(op_table!(@pat $v $fields) => op_table!(@name $name $fields),)*
                }
            }
        }

        /// The name of every op of op set v1, in table order, for `air info` and coverage
        /// tables.
        pub fn all_op_names() -> Vec<&'static str> {
            let mut names = vec![];
            $(names.extend(op_table!(@names $name));)*
            names
        }

        /// The attributes and regions of `op`, in table order, added to `g`.
        pub(crate) fn split(op: &Op, g: &mut GenericOp) {
            match op {
                $(op_table!(@pat $v $fields) => op_table!(@put g $fields),)*
            }
        }

        /// The op called `name`, read from `r`; `None` for a name not in the table.
        pub(crate) fn build(name: &str, r: &mut AttrReader) -> Option<Result<Op, Diagnostic>> {
            $(if op_table!(@is name $name) {
                let mut read = || -> Result<Op, Diagnostic> {
                    r.regions(op_table!(@nregions $fields))?;
                    Ok(op_table!(@build r $name $v $fields))
                };
                return Some(read());
            })*
            None
        }
    };

    // The pattern binding every field of a row.
    (@pat $v:ident { $($f:ident: $k:ident),* }) => { Op::$v { $($f),* } };
    (@pat $v:ident ( $($f:ident: $k:ident),* )) => { Op::$v ( $($f),* ) };

    // The op's name: the row's, or its family member's (the family field comes first).
    (@name $n:literal $fields:tt) => { $n };
    (@name $fam:ident { $f:ident: family $(, $g:ident: $k:ident)* }) => { $f.name() };
    (@name $fam:ident ( $f:ident: family )) => { $f.name() };

    (@names $n:literal) => { [$n] };
    (@names $fam:ident) => { $fam::ALL.map($fam::name) };

    (@is $name:ident $n:literal) => { $name == $n };
    (@is $name:ident $fam:ident) => { $fam::from_name($name).is_some() };

    (@put $g:ident { $($f:ident: $k:ident),* }) => { { $(put::$k($g, stringify!($f), $f);)* } };
    (@put $g:ident ( $($f:ident: $k:ident),* )) => { { $(put::$k($g, stringify!($f), $f);)* } };

    (@nregions { $($f:ident: $k:ident),* }) => { 0 $(+ op_table!(@region $k))* };
    (@nregions ( $($f:ident: $k:ident),* )) => { 0 $(+ op_table!(@region $k))* };
    (@region region) => { 1 };
    (@region $k:ident) => { 0 };

    (@build $r:ident $name:tt $v:ident { $($f:ident: $k:ident),* }) => {
        Op::$v { $($f: op_table!(@get $r $name $f $k)),* }
    };
    (@build $r:ident $name:tt $v:ident ( $($f:ident: $k:ident),* )) => {
        Op::$v ( $(op_table!(@get $r $name $f $k)),* )
    };
    (@get $r:ident $fam:ident $f:ident family) => { $r.family($fam::from_name)? };
    (@get $r:ident $name:tt $f:ident $k:ident) => { $r.$k(stringify!($f))? };
}

op_table! {
    Constant(value: literal) => "constant";
    Iota { dtype: dtype, shape: shape, axis: axis } => "iota";
    Full { value: literal, shape: shape } => "full";
    Unary(kind: family) => UnaryOp;
    Binary(kind: family) => BinaryOp;
    Select {} => "select";
    Cast { dtype: dtype } => "cast";
    Clip {} => "clip";
    Broadcast { shape: shape, dims: axes } => "broadcast";
    Reshape { shape: shape } => "reshape";
    Transpose { perm: axes } => "transpose";
    ExpandDims { axes: axes } => "expand_dims";
    Squeeze { axes: axes } => "squeeze";
    Slice { axes: slices } => "slice";
    Concat { axis: axis } => "concat";
    Take { axis: axis } => "take";
    Extract {} => "extract";
    Insert {} => "insert";
    Filter {} => "filter";
    Scatter { mode: scatter_mode } => "scatter";
    Gather {} => "gather";
    Unique {} => "unique";
    Reduce { kind: family, axes: axes, keepdims: flag } => ReduceKind;
    ArgReduce { kind: family, axis: axis, keepdims: flag } => ArgKind;
    Scan { kind: family, axis: axis } => ScanKind;
    Sort { axis: axis, descending: flag } => "sort";
    Einsum { spec: string } => "einsum";
    Matmul {} => "matmul";
    For { body: region } => "for";
    If { then_branch: region, else_branch: region } => "if";
    While { cond: region, body: region } => "while";
    Call { callee: func } => "call";
    Custom(op: custom) => "custom";
}
