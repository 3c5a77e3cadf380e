//! `docs/spec.md` section 5 holds the error-code table that `air_ir::diag::spec_section`
//! generates from the one table of codes (`AIR_BLESS=1 cargo test -p air-ir --test spec_codes`
//! rewrites it).

use std::path::Path;

const BEGIN: &str = "<!-- error codes: generated from crates/air-ir/src/codes.rs -->\n";
const END: &str = "<!-- end of the generated error codes -->";

#[test]
fn the_committed_error_code_table_is_the_generated_one() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/spec.md");
    let page = std::fs::read_to_string(&path).expect("docs/spec.md");
    let (head, rest) = page.split_once(BEGIN).expect("the begin marker");
    let (_, tail) = rest.split_once(END).expect("the end marker");
    let want = format!("{head}{BEGIN}{}{END}{tail}", air_ir::diag::spec_section());
    if std::env::var_os("AIR_BLESS").is_some() {
        std::fs::write(&path, &want).expect("write docs/spec.md");
        return;
    }
    assert!(
        page == want,
        "docs/spec.md's error-code table is out of date; rerun with AIR_BLESS=1"
    );
}

#[test]
fn every_code_has_a_meaning_a_source_and_an_example() {
    for &c in air_ir::Code::ALL {
        for (what, text) in [
            ("title", c.title()),
            ("raised when", c.raised_when()),
            ("raised by", c.raised_by()),
            ("example", c.example()),
        ] {
            assert!(!text.trim().is_empty(), "{c} has no {what}");
            assert!(!text.contains('|'), "{c}'s {what} would break the table");
        }
    }
}
