//! Findings of the fuzzers, kept as regression tests (small inputs, inline).

use air_fuzz::{canonical_nans, split_format, Reached};
use air_ir::serial::{write, Format};

/// `check_module`'s first finding (bench/fuzz.sh, 2026-12-07): an `f64[6]` constant holding a
/// NaN with a payload (`0x7ff000002f000000`) read from protobuf. The text form writes every NaN as
/// `nan` (documented: no payload survives it), so print-then-read changed the literal's bits and
/// the check reported it; the check now compares NaNs canonically for the forms that do not keep
/// payloads, and protobuf still exactly.
const NAN_PAYLOAD: &[u8] = &[
    1, 8, 1, 16, 1, 42, 114, 10, 4, 109, 97, 105, 110, 26, 11, 10, 1, 121, 18, 6, 8, 13, 18, 2, 8,
    6, 34, 93, 18, 87, 10, 8, 99, 111, 110, 115, 116, 97, 110, 116, 18, 64, 10, 5, 118, 97, 108,
    117, 101, 90, 55, 8, 13, 18, 1, 6, 26, 48, 0, 0, 0, 0, 0, 0, 248, 127, 0, 0, 0, 47, 0, 0, 240,
    127, 0, 0, 0, 0, 0, 0, 240, 255, 0, 0, 0, 0, 0, 0, 0, 128, 1, 0, 0, 0, 0, 0, 0, 0, 255, 255,
    255, 255, 255, 255, 239, 127, 34, 6, 8, 13, 18, 2, 8, 6, 50, 1, 121, 26, 2, 18, 0,
];

#[test]
fn a_nan_payload_is_not_a_text_round_trip_finding() {
    let (format, bytes) = split_format(NAN_PAYLOAD).expect("a form byte");
    assert_eq!(format, Format::Protobuf);
    assert_eq!(air_fuzz::module(bytes, format), Ok(Reached::Done));
}

#[test]
fn canonical_nans_changes_nans_only() {
    let parse = |t: &str| air_ir::text::parse(t, "t.air").expect("parses");
    let one = "air 1 opset 1\nfunc @main() -> (%y: f64[2]) {\n  %y = constant {value = f64[2] [nan, 1.0]} () : f64[2]\n  return %y\n}\n";
    let two = one.replace("1.0]", "2.0]");
    let (a, b) = (parse(one), parse(&two));
    let pb = |m: &air_ir::Module| write(&canonical_nans(m), Format::Protobuf);
    assert_ne!(pb(&a), pb(&b), "a changed number must still differ");
    // The payload NaN of the finding and the text's `nan` are the same after the mapping.
    let (_, bytes) = split_format(NAN_PAYLOAD).expect("a form byte");
    let m = air_ir::serial::read(bytes, Format::Protobuf, "f").expect("reads");
    let printed = air_ir::text::parse(&air_ir::text::print(&m), "p").expect("reads back");
    assert_ne!(
        write(&m, Format::Protobuf),
        write(&printed, Format::Protobuf)
    );
    assert_eq!(pb(&m), pb(&printed));
}

/// `export`'s first finding (bench/fuzz.sh, 2026-12-07): a module whose result is named `=`
/// exported to srepr that the srepr reader refused. The SymPy exporter now lists names that are
/// not identifiers (`translators/air-sympy/tests/export.rs`), so nothing is exported.
const RESULT_NAMED_EQUALS: &[u8] = &[
    1, 8, 1, 16, 1, 42, 77, 10, 4, 109, 97, 105, 110, 18, 13, 10, 1, 120, 18, 6, 8, 13, 18, 2, 8,
    8, 24, 1, 26, 11, 10, 1, 61, 18, 6, 8, 13, 18, 2, 8, 8, 34, 41, 10, 11, 10, 1, 120, 18, 6, 8,
    13, 18, 2, 8, 8, 18, 22, 10, 5, 114, 115, 113, 114, 116, 26, 2, 8, 0, 34, 6, 8, 13, 18, 2, 8,
    8, 50, 1, 121, 26, 2, 18, 0,
];

#[test]
fn a_name_sympy_cannot_read_is_refused_on_export() {
    let (format, bytes) = split_format(RESULT_NAMED_EQUALS).expect("a form byte");
    assert!(air_fuzz::export(bytes, format).is_ok());
}
