//! `.npy`/`.npz` reading and writing, against files written by real NumPy (`tests/data/`, made by
//! `gen_npy_fixtures.py`, and the library-written examples in `docs/examples/libraries/`), round
//! trips, and hostile input.

use std::io::Write;
use std::path::{Path, PathBuf};

use air_value::npy::{self, NpyContent};
use air_value::{npz, read_npz, NpzError, Tensor};
use half::f16;
use ndarray::{ArrayD, IxDyn};
use num_complex::{Complex32, Complex64};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// The library-written examples, in the repository.
fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/examples/libraries")
}

fn get<'a>(arrays: &'a [(String, Tensor)], name: &str) -> &'a Tensor {
    &arrays
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no array {name}"))
        .1
}

fn vec_of<T: air_value::Element>(t: &Tensor) -> Vec<T> {
    t.array::<T>().expect("dtype").iter().copied().collect()
}

/// The values `gen_npy_fixtures.py` writes for each dtype, checked for both byte orders.
fn check_dtype_fixture(arrays: &[(String, Tensor)]) {
    assert_eq!(arrays.len(), 14);
    assert_eq!(vec_of::<bool>(get(arrays, "b1")), [true, false, true]);
    assert_eq!(
        vec_of::<i8>(get(arrays, "i1")),
        [i8::MIN, -1, 0, 1, i8::MAX]
    );
    assert_eq!(
        vec_of::<i16>(get(arrays, "i2")),
        [i16::MIN, -1, 0, 1, i16::MAX]
    );
    assert_eq!(
        vec_of::<i32>(get(arrays, "i4")),
        [i32::MIN, -1, 0, 1, i32::MAX]
    );
    assert_eq!(
        vec_of::<i64>(get(arrays, "i8")),
        [i64::MIN, -1, 0, 1, i64::MAX]
    );
    assert_eq!(vec_of::<u8>(get(arrays, "u1")), [0, 1, u8::MAX]);
    assert_eq!(vec_of::<u16>(get(arrays, "u2")), [0, 1, u16::MAX]);
    assert_eq!(vec_of::<u32>(get(arrays, "u4")), [0, 1, u32::MAX]);
    assert_eq!(vec_of::<u64>(get(arrays, "u8")), [0, 1, u64::MAX]);
    let floats = |t: &Tensor| -> Vec<f64> { t.to_c128_vec().iter().map(|z| z.re).collect() };
    for code in ["f2", "f4", "f8"] {
        let v = floats(get(arrays, code));
        assert_eq!(&v[..4], [-1.5, -0.0, 2.25, f64::INFINITY], "{code}");
        assert!(v[1].is_sign_negative() && v[4].is_nan(), "{code}");
    }
    assert_eq!(get(arrays, "f2").dtype(), air_ir::DType::F16);
    assert_eq!(vec_of::<f16>(get(arrays, "f2"))[2], f16::from_f32(2.25));
    let c8 = vec_of::<Complex32>(get(arrays, "c8"));
    assert_eq!(
        &c8[..2],
        [Complex32::new(1.0, 2.0), Complex32::new(-0.5, -0.25)]
    );
    assert!(c8[2].re.is_infinite() && c8[2].im.is_nan());
    let c16 = vec_of::<Complex64>(get(arrays, "c16"));
    assert_eq!(
        &c16[..2],
        [Complex64::new(1.0, 2.0), Complex64::new(-0.5, -0.25)]
    );
}

#[test]
fn reads_every_dtype_little_and_big_endian() {
    check_dtype_fixture(&read_npz(data("dtypes_le.npz")).unwrap());
    check_dtype_fixture(&read_npz(data("dtypes_be.npz")).unwrap());
}

#[test]
fn reads_fortran_order_scalars_empties_and_versions() {
    let t = npy::read_npy(data("fortran.npy")).unwrap();
    assert_eq!(t.shape(), [2, 3, 4]);
    assert_eq!(
        vec_of::<i32>(&t),
        (0..24).collect::<Vec<i32>>(),
        "C order after reading"
    );
    let s = npy::read_npy(data("scalar.npy")).unwrap();
    assert_eq!((s.shape(), vec_of::<f64>(&s)), (&[][..], vec![3.5]));
    let e = npy::read_npy(data("empty.npy")).unwrap();
    assert_eq!((e.shape(), e.dtype()), (&[0, 3][..], air_ir::DType::F32));
    for v in ["v2.npy", "v3.npy"] {
        let t = npy::read_npy(data(v)).unwrap();
        assert_eq!(
            (t.shape(), vec_of::<i64>(&t)),
            (&[2, 3][..], vec![0, 1, 2, 3, 4, 5]),
            "{v}"
        );
    }
}

#[test]
fn reads_structured_arrays_with_subarrays_and_fortran_order() {
    let bytes = std::fs::read(data("record.npy")).unwrap();
    let NpyContent::Record(fields) = npy::decode(&bytes).unwrap() else {
        panic!("not a record")
    };
    let names: Vec<&str> = fields.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["a", "b", "c"]);
    assert_eq!(vec_of::<i16>(&fields[0].1), [1, -2, 3]);
    assert_eq!(fields[1].1.shape(), [3, 2], "big-endian sub-array field");
    assert_eq!(vec_of::<f64>(&fields[1].1), [0.5, 1.5, 2.5, 3.5, 4.5, 5.5]);
    assert_eq!(vec_of::<bool>(&fields[2].1), [true, false, true]);
    assert!(matches!(
        npy::read_npy(data("record.npy")),
        Err(NpzError::Unsupported(_))
    ));

    let bytes = std::fs::read(data("record_fortran.npy")).unwrap();
    let NpyContent::Record(fields) = npy::decode(&bytes).unwrap() else {
        panic!("not a record")
    };
    assert_eq!(fields[0].1.shape(), [2, 3]);
    assert_eq!(vec_of::<i16>(&fields[0].1), [1, -2, 3, 3, -2, 1]);
    assert_eq!(fields[1].1.shape(), [2, 3, 2]);
    let b = vec_of::<f64>(&fields[1].1);
    assert_eq!(&b[..6], [0.5, 1.5, 2.5, 3.5, 4.5, 5.5]);
    assert_eq!(
        &b[6..],
        [4.5, 5.5, 2.5, 3.5, 0.5, 1.5],
        "second row is reversed"
    );
}

#[test]
fn reads_deflated_archives() {
    let arrays = read_npz(data("compressed.npz")).unwrap();
    assert_eq!(
        vec_of::<f64>(get(&arrays, "x")),
        (0..10).map(f64::from).collect::<Vec<_>>()
    );
    assert_eq!(
        vec_of::<u16>(get(&arrays, "m")),
        [1, 0, 0, 0, 1, 0, 0, 0, 1]
    );
}

#[test]
fn refuses_object_arrays() {
    let err = npy::read_npy(data("object.npy")).unwrap_err();
    assert!(matches!(err, NpzError::Pickle(_)), "{err}");
    assert!(err.to_string().contains("pickle"));
}

#[test]
fn reads_the_library_examples() {
    let want: [(&str, &[&str], &[&str]); 5] = [
        ("concat", &["x", "w"], &["y"]),
        ("ew_fused", &["x", "y"], &["z"]),
        ("matvec", &["A", "v"], &["y"]),
        ("scan_iir", &["x"], &["s"]),
        (
            "table_revenue",
            &["t__id", "t__price", "t__qty", "t__cost", "t__ok"],
            &["s"],
        ),
    ];
    for (case, inputs, outputs) in want {
        let dir = examples().join(case);
        let ins = read_npz(dir.join("inputs.npz")).unwrap();
        let names: Vec<&str> = ins.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, inputs, "{case}");
        let outs = read_npz(dir.join("expected.npz")).unwrap();
        let names: Vec<&str> = outs.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, outputs, "{case}");
    }
    let t = read_npz(examples().join("table_revenue/inputs.npz")).unwrap();
    assert_eq!(get(&t, "t__qty").dtype(), air_ir::DType::I32);
    assert_eq!(get(&t, "t__ok").dtype(), air_ir::DType::Bool);
    assert_eq!(get(&t, "t__price").shape(), [7]);
    let a = read_npz(examples().join("matvec/inputs.npz")).unwrap();
    assert_eq!(get(&a, "A").shape(), [3, 4]);
}

/// One tensor of every dtype NumPy has, with awkward values.
fn every_dtype() -> Vec<(String, Tensor)> {
    let v = |t: Tensor| t;
    vec![
        (
            "b".into(),
            v(Tensor::from_vec(&[2, 2], vec![true, false, false, true]).unwrap()),
        ),
        (
            "i8".into(),
            Tensor::from_vec(&[3], vec![i8::MIN, 0, i8::MAX]).unwrap(),
        ),
        (
            "i16".into(),
            Tensor::from_vec(&[1, 3], vec![i16::MIN, -7, 7]).unwrap(),
        ),
        (
            "i32".into(),
            Tensor::from_vec(&[0, 4], Vec::<i32>::new()).unwrap(),
        ),
        ("i64".into(), Tensor::scalar(i64::MIN)),
        ("u8".into(), Tensor::from_vec(&[2], vec![0u8, 255]).unwrap()),
        (
            "u16".into(),
            Tensor::from_vec(&[2], vec![1u16, u16::MAX]).unwrap(),
        ),
        (
            "u32".into(),
            Tensor::from_vec(&[2], vec![1u32, u32::MAX]).unwrap(),
        ),
        (
            "u64".into(),
            Tensor::from_vec(&[2], vec![1u64, u64::MAX]).unwrap(),
        ),
        (
            "f16".into(),
            Tensor::from_vec(&[2], vec![f16::NAN, f16::from_f32(-0.0)]).unwrap(),
        ),
        (
            "f32".into(),
            Tensor::from_vec(&[2], vec![f32::MIN_POSITIVE, f32::NEG_INFINITY]).unwrap(),
        ),
        (
            "f64".into(),
            Tensor::from_vec(&[2, 1, 2], vec![0.1, -0.0, f64::NAN, 1e300]).unwrap(),
        ),
        (
            "c64".into(),
            Tensor::from_vec(&[1], vec![Complex32::new(1.5, -2.0)]).unwrap(),
        ),
        (
            "c128".into(),
            Tensor::from_vec(
                &[2],
                vec![Complex64::new(0.1, 0.2), Complex64::new(f64::NAN, -0.0)],
            )
            .unwrap(),
        ),
    ]
}

#[test]
fn round_trips_every_dtype() {
    for (name, t) in every_dtype() {
        let bytes = npy::encode(&t).unwrap();
        assert_eq!(
            (10 + u16::from_le_bytes([bytes[8], bytes[9]]) as usize) % 64,
            0,
            "header padded"
        );
        let NpyContent::Array(back) = npy::decode(&bytes).unwrap() else {
            panic!("record")
        };
        assert!(back.bits_eq(&t), "{name}: {back:?} vs {t:?}");
    }
    for compressed in [false, true] {
        let arrays = every_dtype();
        let back = npz::decode(&npz::encode(&arrays, compressed).unwrap()).unwrap();
        assert_eq!(back.len(), arrays.len());
        for ((n1, t1), (n2, t2)) in arrays.iter().zip(&back) {
            assert_eq!(n1, n2);
            assert!(t1.bits_eq(t2), "{n1}");
        }
    }
    let dir = std::env::temp_dir().join(format!("air-value-npz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    air_value::write_npz(dir.join("a.npz"), &every_dtype()).unwrap();
    assert_eq!(read_npz(dir.join("a.npz")).unwrap().len(), 14);
    air_value::write_npy(dir.join("a.npy"), &every_dtype()[11].1).unwrap();
    assert!(npy::read_npy(dir.join("a.npy"))
        .unwrap()
        .bits_eq(&every_dtype()[11].1));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bf16_is_refused_with_a_clear_error() {
    let t = Tensor::scalar(half::bf16::ONE);
    let err = npy::encode(&t).unwrap_err();
    assert!(
        matches!(err, NpzError::Unsupported(_)) && err.to_string().contains("bf16"),
        "{err}"
    );
}

#[test]
fn writes_what_numpy_save_writes() {
    // The exact bytes numpy.save writes for np.array([1.0, 2.0]) (checked with NumPy 2.4).
    let t = Tensor::from_vec(&[2], vec![1.0f64, 2.0]).unwrap();
    let bytes = npy::encode(&t).unwrap();
    let header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }";
    assert_eq!(&bytes[..10], b"\x93NUMPY\x01\x00\x76\x00");
    assert_eq!(&bytes[10..10 + header.len()], header.as_bytes());
    assert_eq!(bytes[127], b'\n');
    assert_eq!(bytes.len(), 128 + 16);
}

fn npy_with_header(header: &str, data: &[u8]) -> Vec<u8> {
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(data);
    out
}

#[test]
fn hostile_headers_are_errors() {
    let h = |descr: &str, shape: &str| {
        format!("{{'descr': {descr}, 'fortran_order': False, 'shape': {shape}, }}")
    };
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"\x93NUMPX\x01\x00\x00\x00".to_vec(), "magic"),
        (b"\x93NUMPY\x01\x00\xff\x00{'descr'".to_vec(), "truncated"),
        (b"\x93NUMPY\x09\x00\x00\x00".to_vec(), "version"),
        (
            [b"\x93NUMPY\x02\x00".as_slice(), &(1u32 << 24).to_le_bytes()].concat(),
            "header length",
        ),
        (npy_with_header("[1, 2]", &[]), "not a dict"),
        (
            npy_with_header("{'descr': '<f8', 'shape': (1,)}", &[0; 8]),
            "missing key",
        ),
        (
            npy_with_header(&h("'<f8'", "(1,)").replace("}", "'x': 1}"), &[0; 8]),
            "extra key",
        ),
        (
            npy_with_header(&h("'<f8'", "(-1,)"), &[]),
            "negative extent",
        ),
        (
            npy_with_header(
                &h("'<f8'", "(4611686018427387904, 4611686018427387904)"),
                &[0; 8],
            ),
            "overflow",
        ),
        (
            npy_with_header(&h("'<f8'", "(1000000000000,)"), &[0; 8]),
            "too large",
        ),
        (npy_with_header(&h("'<f8'", "(2,)"), &[0; 8]), "short data"),
        (npy_with_header(&h("'<f8'", "(1,)"), &[0; 9]), "long data"),
        (npy_with_header(&h("'<U5'", "(1,)"), &[0; 20]), "strings"),
        (npy_with_header(&h("'<M8[ns]'", "(1,)"), &[0; 8]), "dates"),
        (
            npy_with_header(&h("[('a', [('b', '<f8')])]", "(1,)"), &[0; 8]),
            "nested record",
        ),
        (
            npy_with_header(&h("[('a', '|V8')]", "(1,)"), &[0; 8]),
            "named void",
        ),
        (
            npy_with_header(
                &h("'<f8'", &format!("{}{}", "(".repeat(30), ")".repeat(30))),
                &[],
            ),
            "deep",
        ),
        (
            npy_with_header(&h("'<f8'", &format!("({})", "1, ".repeat(40))), &[0; 8]),
            "rank",
        ),
        (
            npy_with_header(&h("'<f8'", "(1,)"), &[0; 8])[..20].to_vec(),
            "cut header",
        ),
    ];
    for (bytes, what) in cases {
        assert!(npy::decode(&bytes).is_err(), "{what} was accepted");
    }
}

#[test]
fn hostile_archives_are_errors() {
    assert!(matches!(
        npz::decode(b"PK\x03\x04 not a zip"),
        Err(NpzError::Malformed(_))
    ));
    // A member that is not an .npy file.
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("readme.txt", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(b"hello").unwrap();
    let bytes = zip.finish().unwrap().into_inner();
    assert!(matches!(npz::decode(&bytes), Err(NpzError::Unsupported(_))));
    // A structured member `record` and an explicit `record__a` that disagrees with its field.
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("record.npy", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(&std::fs::read(data("record.npy")).unwrap())
        .unwrap();
    zip.start_file("record__a.npy", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(&npy::encode(&Tensor::from_vec(&[3], vec![1i16, 2, 3]).unwrap()).unwrap())
        .unwrap();
    let bytes = zip.finish().unwrap().into_inner();
    assert!(matches!(npz::decode(&bytes), Err(NpzError::Conflict(_))));
}

#[test]
fn explicit_copies_of_record_fields_are_kept_once() {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("record.npy", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(&std::fs::read(data("record.npy")).unwrap())
        .unwrap();
    zip.start_file("record__a.npy", zip::write::SimpleFileOptions::default())
        .unwrap();
    let a = ArrayD::from_shape_vec(IxDyn(&[3]), vec![1i16, -2, 3]).unwrap();
    zip.write_all(&npy::encode(&Tensor::from(a)).unwrap())
        .unwrap();
    let arrays = npz::decode(&zip.finish().unwrap().into_inner()).unwrap();
    let names: Vec<&str> = arrays.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["record__a", "record__b", "record__c"]);
}
