//! Inputs the smoke fuzzer (`examples/fuzz_smoke_pytensor/`) found, each a bug fixed: the reader never
//! panics on them, refuses them with the reason, or imports them so that an export imports back
//! with the same signature and settles. The documents under `tests/data/fuzz/` are the fuzzer's
//! mutations of the PyTensor-written fixtures, saved as they failed.

use air_pytensor::{export, import, Error, Options, ProblemKind};

fn fuzz_input(name: &str) -> String {
    let path = format!("{}/tests/data/fuzz/{name}.json", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/data/{name}.pytensor.json",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The import's problems as text, or a panic naming the document that imported.
fn refusal(text: &str) -> (Vec<ProblemKind>, String) {
    match import(text, &Options::default()) {
        Ok(m) => panic!("imported:\n{}", air_ir::text::print(&m)),
        Err(e @ (Error::Parse(_) | Error::Import(_))) => {
            (e.problems().iter().map(|p| p.kind).collect(), e.to_string())
        }
        Err(e) => panic!("not an import problem: {e}"),
    }
}

/// The exports of the second and third round trips of `text` (the first may respell what PyTensor
/// wrote; from then on the document must not change).
fn export_twice(text: &str) -> (String, String) {
    let opts = Options::default();
    let m = import(text, &opts).unwrap_or_else(|e| panic!("{e}"));
    let first = export(&m, &opts).unwrap_or_else(|e| panic!("{e}"));
    let m = import(&first, &opts).unwrap_or_else(|e| panic!("{e}\n{first}"));
    let once = export(&m, &opts).unwrap_or_else(|e| panic!("{e}"));
    let back = import(&once, &opts).unwrap_or_else(|e| panic!("{e}\n{once}"));
    let twice = export(&back, &opts).unwrap_or_else(|e| panic!("{e}"));
    (once, twice)
}

#[test]
fn an_index_input_number_beyond_usize_is_refused_not_an_overflow() {
    // Subtensor (index.rs) and IncSubtensor (masked.rs) both added the number to an offset.
    let doc = r#"{"format":"pytensor-fgraph-json/1","inputs":["x"],"outputs":["y"],"variables":[
      {"id":"x","kind":"input","name":"x","type":{"class":"TensorType","dtype":"float64","shape":[null]}},
      {"id":"y","kind":"node_output","name":"y","type":{"class":"TensorType","dtype":"float64","shape":[]},"node":0,"index":0}],
      "nodes":[{"id":0,"op":{"class":"Subtensor","module":"pytensor.tensor.subtensor","str":"",
        "props":{"idx_list":[18446744073709551615]}},"inputs":["x"],"outputs":["y"]}]}"#;
    let (kinds, text) = refusal(doc);
    assert_eq!(kinds, [ProblemKind::Invalid], "{text}");
    assert!(
        text.contains("18446744073709551615, which is missing"),
        "{text}"
    );
    let (kinds, text) = refusal(&fuzz_input("subtensor_index_overflow"));
    assert_eq!(kinds, [ProblemKind::Invalid], "{text}");
    assert!(text.contains("IncSubtensor"), "{text}");
}

#[test]
fn scan_counts_and_taps_that_overflow_are_refused() {
    let (_, text) = refusal(&fuzz_input("scan_count_overflow"));
    assert!(text.contains("Scan with 4 inputs"), "{text}");
    // A tap of i64::MIN was negated.
    let doc = fixture("scan_mit_sot");
    let mut v: serde_json::Value = serde_json::from_str(&doc).unwrap();
    let scan = v["nodes"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|n| n["op"]["class"] == "Scan")
        .unwrap();
    scan["op"]["props"]["info"]["fields"]["mit_sot_in_slices"][0][0] = serde_json::json!(i64::MIN);
    let (_, text) = refusal(&v.to_string());
    assert!(text.contains("out of range"), "{text}");
}

#[test]
fn a_scan_inner_graph_with_too_few_outputs_is_refused() {
    let (kinds, text) = refusal(&fuzz_input("scan_too_few_outputs"));
    assert_eq!(kinds, [ProblemKind::Invalid], "{text}");
    assert!(text.contains("fewer than its info needs"), "{text}");
}

#[test]
fn static_shapes_that_make_a_dim_negative_are_refused_not_invalid_air() {
    let (kinds, text) = refusal(&fuzz_input("negative_dim"));
    assert_eq!(kinds, [ProblemKind::Dims], "{text}");
    assert!(text.contains("contradict"), "{text}");
}

#[test]
fn a_dead_node_does_not_make_input_dims_equal() {
    // `x + y` is computed but unused: PyTensor never runs it, so x and y may differ in length.
    let doc = r#"{"format":"pytensor-fgraph-json/1","inputs":["x","y"],"outputs":["e"],"variables":[
      {"id":"x","kind":"input","name":"x","type":{"class":"TensorType","dtype":"float64","shape":[null]}},
      {"id":"y","kind":"input","name":"y","type":{"class":"TensorType","dtype":"float64","shape":[null]}},
      {"id":"s","kind":"node_output","name":null,"type":{"class":"TensorType","dtype":"float64","shape":[null]},"node":0,"index":0},
      {"id":"e","kind":"node_output","name":"e","type":{"class":"TensorType","dtype":"float64","shape":[null]},"node":1,"index":0}],
      "nodes":[
       {"id":0,"op":{"class":"Elemwise","module":"pytensor.tensor.elemwise","str":"Add","props":{"scalar_op":{"op":{"class":"Add","module":"pytensor.scalar.basic","str":"add","name":"add"}},"inplace_pattern":{"dict":[]}}},"inputs":["x","y"],"outputs":["s"]},
       {"id":1,"op":{"class":"Elemwise","module":"pytensor.tensor.elemwise","str":"Exp","props":{"scalar_op":{"op":{"class":"Exp","module":"pytensor.scalar.basic","str":"exp","name":"exp"}},"inplace_pattern":{"dict":[]}}},"inputs":["x"],"outputs":["e"]}]}"#;
    let m = import(doc, &Options::default()).unwrap();
    let params: Vec<String> = m.functions[0]
        .params
        .iter()
        .map(|p| p.ty.to_string())
        .collect();
    assert_eq!(params, ["f64[x_0]", "f64[y_0]"]);
}

#[test]
fn a_symbol_unified_with_a_product_reimports() {
    // x's length is A_0*A_1; the export computes a length from A's dims and one from x's, which
    // the re-import must unify.
    let (once, twice) = export_twice(&fuzz_input("product_dim"));
    assert_eq!(once, twice);
}

#[test]
fn every_fixture_settles_after_one_round_trip() {
    // Identical constants shared, `Alloc` of a rank-0 constant read as `full`, and constants
    // placed at their first use: without them reshape_alloc_arange and subtensor_and_inc wrote
    // a different document on the second round trip.
    for name in [
        "integers_and_bools",
        "reshape_alloc_arange",
        "softmax_family",
        "subtensor_and_inc",
    ] {
        let (once, twice) = export_twice(&fixture(name));
        assert_eq!(once, twice, "{name}");
    }
}
