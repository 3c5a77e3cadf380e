//! `docs/formats/pytensor.md` holds the support table the translator's table generates
//! (`AIR_BLESS=1 cargo test -p air-pytensor --test doc` rewrites it).

use std::path::Path;

const BEGIN: &str =
    "<!-- support table: generated from translators/air-pytensor/src/table.rs -->\n";
const END: &str = "<!-- end of the generated support table -->";

#[test]
fn the_committed_support_table_is_the_generated_one() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/formats/pytensor.md");
    let page = std::fs::read_to_string(&path).expect("docs/formats/pytensor.md");
    let (head, rest) = page.split_once(BEGIN).expect("the begin marker");
    let (_, tail) = rest.split_once(END).expect("the end marker");
    let want = format!("{head}{BEGIN}{}{END}{tail}", air_pytensor::support_table());
    if std::env::var_os("AIR_BLESS").is_some() {
        std::fs::write(&path, &want).unwrap();
        return;
    }
    assert!(
        page == want,
        "docs/formats/pytensor.md's support table is out of date; rerun with AIR_BLESS=1"
    );
}
