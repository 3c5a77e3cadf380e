//! Graphs real PyTensor wrote (`tests/data/make_fixtures.py`: Scan with mit-sot, nit-sot, vector
//! states and run-time step counts, Scan in while mode; indexing; softmax, einsum; reshape,
//! alloc, arange; integers and booleans) import, run on the interpreter and match PyTensor's own
//! values; a graph whose AIR cannot be faithful is refused with its reason.

use std::path::{Path, PathBuf};

use air_value::{check_close, read_npz};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn import(name: &str) -> Result<air_ir::Module, air_pytensor::Error> {
    let text = std::fs::read_to_string(data(&format!("{name}.pytensor.json"))).unwrap();
    air_pytensor::import(&text, &Default::default())
}

fn check(name: &str) {
    let m = import(name).unwrap_or_else(|e| panic!("{name}: {e}"));
    let inputs = read_npz(data(&format!("{name}.inputs.npz"))).unwrap();
    let out = air_interp::run(&m, "main", &inputs)
        .unwrap_or_else(|e| panic!("{name}: {e}\n{}", air_ir::text::print(&m)));
    let expected = read_npz(data(&format!("{name}.expected.npz"))).unwrap();
    assert_eq!(out.len(), expected.len(), "{name}");
    for (n, want) in &expected {
        let (_, got) = out
            .iter()
            .find(|(o, _)| o == n)
            .unwrap_or_else(|| panic!("{name}: no {n}"));
        check_close(got, want, 1e-6, 1e-9)
            .unwrap_or_else(|e| panic!("{name}: {n}: {e}\n{}", air_ir::text::print(&m)));
    }
    // The export imports back to the same numbers.
    let text =
        air_pytensor::export(&m, &Default::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
    let back =
        air_pytensor::import(&text, &Default::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
    let again = air_interp::run(&back, "main", &inputs).unwrap_or_else(|e| panic!("{name}: {e}"));
    for ((n, a), (_, b)) in out.iter().zip(&again) {
        check_close(b, a, 1e-12, 1e-12).unwrap_or_else(|e| panic!("{name}: {n} after export: {e}"));
    }
}

#[test]
fn scan_with_two_taps_is_a_buffer_loop() {
    check("scan_mit_sot");
    let text = air_ir::text::print(&import("scan_mit_sot").unwrap());
    assert!(text.contains("= for ("), "{text}");
}

#[test]
fn scan_mapping_rows_fills_a_nit_sot_buffer() {
    check("scan_nit_sot_matrix_rows");
}

#[test]
fn scan_with_a_vector_state_writes_rows() {
    check("scan_vector_state");
    let text = air_ir::text::print(&import("scan_vector_state").unwrap());
    assert!(text.contains("select"), "{text}");
}

#[test]
fn indexing_and_increments() {
    check("subtensor_and_inc");
}

#[test]
fn softmax_log_softmax_and_einsum_are_inlined() {
    check("softmax_family");
}

#[test]
fn shape_arithmetic_gives_symbolic_extents() {
    check("reshape_alloc_arange");
    let text = air_ir::text::print(&import("reshape_alloc_arange").unwrap());
    assert!(text.contains("iota"), "{text}");
}

#[test]
fn integers_and_booleans_keep_pytensor_dtypes() {
    check("integers_and_bools");
}

#[test]
fn a_scan_of_a_run_time_step_count_is_refused_with_its_reason() {
    let e = import("scan_runtime_steps").unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("AllocEmpty with a shape computed from data at run time"),
        "{text}"
    );
    assert!(text.contains("node"), "{text}");
}

#[test]
fn a_while_mode_scan_of_untraced_states_is_a_while_loop() {
    // Collatz steps of 27 stopped by the condition (111 steps) and by n_steps (40); PyTensor
    // tests `until` after each step, so from 1 three steps run; n_steps = 0 runs none.
    for tag in ["condition", "bound", "one_step", "no_step"] {
        check(&format!("scan_while_untraced_{tag}"));
    }
    let m = import("scan_while_untraced_condition").unwrap();
    assert_eq!(m.opset_version, 2);
    let text = air_ir::text::print(&m);
    assert!(text.contains("= while ("), "{text}");
    let back = air_pytensor::export(&m, &Default::default()).unwrap();
    assert!(back.contains("\"as_while\":true"), "{back}");
}

#[test]
fn a_while_mode_scan_with_a_traced_output_is_refused_with_its_reason() {
    let e = import("scan_until_traced").unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("a Scan with a while condition and sequences or traced outputs"),
        "{text}"
    );
}

/// Runs an imported fixture on the interpreter and compares with PyTensor's values.
fn check_interp(name: &str) -> air_ir::Module {
    let m = import(name).unwrap_or_else(|e| panic!("{name}: {e}"));
    let inputs = read_npz(data(&format!("{name}.inputs.npz"))).unwrap();
    let out = air_interp::run(&m, "main", &inputs)
        .unwrap_or_else(|e| panic!("{name}: {e}\n{}", air_ir::text::print(&m)));
    let expected = read_npz(data(&format!("{name}.expected.npz"))).unwrap();
    assert_eq!(out.len(), expected.len(), "{name}");
    for (n, want) in &expected {
        let (_, got) = out
            .iter()
            .find(|(o, _)| o == n)
            .unwrap_or_else(|| panic!("{name}: no {n}"));
        check_close(got, want, 1e-12, 1e-12)
            .unwrap_or_else(|e| panic!("{name}: {n}: {e}\n{}", air_ir::text::print(&m)));
    }
    m
}

#[test]
fn groupby_inc_subtensor_is_a_scatter() {
    // inc_subtensor(zeros[key], val) with duplicate and negative keys accumulates as np.add.at,
    // set_subtensor keeps the last duplicate, two index arrays scatter into elements and gather
    // them, and a scalar increment of rows broadcasts: all as PyTensor computed them.
    let m = check_interp("groupby_inc_subtensor");
    assert_eq!(m.opset_version, 2);
    let text = air_ir::text::print(&m);
    for want in [
        "scatter {mode = \"add\"}",
        "scatter {mode = \"replace\"}",
        "= gather (",
    ] {
        assert!(text.contains(want), "{want}: {text}");
    }
    // The export writes PyTensor's AdvancedIncSubtensor/AdvancedSubtensor and imports back to
    // the same numbers.
    let text = air_pytensor::export(&m, &Default::default()).unwrap();
    for want in [
        r#""class":"AdvancedIncSubtensor""#,
        r#""set_instead_of_inc":true"#,
        r#""set_instead_of_inc":false"#,
        r#""class":"AdvancedSubtensor""#,
    ] {
        assert!(text.replace(' ', "").contains(want), "{want}: {text}");
    }
    let back = air_pytensor::import(&text, &Default::default()).unwrap();
    let inputs = read_npz(data("groupby_inc_subtensor.inputs.npz")).unwrap();
    let a = air_interp::run(&m, "main", &inputs).unwrap();
    let b = air_interp::run(&back, "main", &inputs).unwrap();
    assert_eq!(a.len(), b.len());
    for ((n, x), (_, y)) in a.iter().zip(&b) {
        check_close(y, x, 0.0, 0.0).unwrap_or_else(|e| panic!("{n} after export: {e}"));
    }
}

#[test]
fn pytensor_unique_is_air_unique() {
    // Unique(return_index, return_inverse, return_counts) of a matrix with NaNs and duplicates
    // (axis None: flattened, NaNs collapsed, the inverse raveled), counts alone, and an integer
    // vector along axis 0: values, first indices, inverse and counts as PyTensor computed them.
    let m = check_interp("unique_extra_ops");
    assert_eq!(m.opset_version, 2);
    let text = air_ir::text::print(&m);
    for want in ["= unique (", "scatter {mode = \"min\"}"] {
        assert!(text.contains(want), "{want}: {text}");
    }
    // The exporter does not write unique: it says so instead of writing something else.
    let e = air_pytensor::export(&m, &Default::default()).unwrap_err();
    assert!(e.to_string().contains("unique"), "{e}");
}
