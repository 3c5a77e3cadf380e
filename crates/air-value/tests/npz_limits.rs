//! Hostile `.npz` archives: zip bombs, lying headers and many members get an error or stay
//! fast, and only the members holding wanted arrays are inflated.

use std::collections::HashSet;
use std::io::{Cursor, Write};
use std::time::{Duration, Instant};

use air_value::npz::{self, NpzOptions};
use air_value::{npy, NpzError, Tensor};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

fn deflated() -> SimpleFileOptions {
    SimpleFileOptions::default().compression_method(CompressionMethod::Deflated)
}

/// The `.npy` bytes of `n` zero `f64`s.
fn zeros(n: usize) -> Vec<u8> {
    npy::encode(&Tensor::from_vec(&[n], vec![0f64; n]).unwrap()).unwrap()
}

/// An archive of deflated members.
fn archive(members: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in members {
        zip.start_file(format!("{name}.npy"), deflated()).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[test]
fn a_zip_bomb_is_refused_before_it_is_inflated() {
    // 8 MB of zeros deflate to a few KB; the budget is 1 MB.
    let bytes = archive(&[("x", zeros(1 << 20))]);
    assert!(bytes.len() < 100_000, "{}", bytes.len());
    let options = NpzOptions {
        max_bytes: 1 << 20,
        ..NpzOptions::default()
    };
    let start = Instant::now();
    let e = npz::decode_from(Cursor::new(&bytes), &options).unwrap_err();
    assert!(matches!(e, NpzError::TooLarge(_)), "{e}");
    assert_eq!(e.code(), air_ir::Code::LimitExceeded);
    assert!(
        e.to_string().contains("x.npy inflates to 8388736 bytes"),
        "{e}"
    );
    assert!(start.elapsed() < Duration::from_secs(2));
    // The budget is for all members together: two of 600 KB pass one by one, not together.
    let half = archive(&[("a", zeros(75_000)), ("b", zeros(75_000))]);
    let e = npz::decode_from(Cursor::new(&half), &options).unwrap_err();
    assert!(e.to_string().contains("b.npy"), "{e}");
    let one = archive(&[("a", zeros(75_000))]);
    assert_eq!(
        npz::decode_from(Cursor::new(&one), &options).unwrap().len(),
        1
    );
}

/// Rewrites the uncompressed size of every header of the archive (local and central) to `size`.
fn declare_size(bytes: &mut [u8], size: u32) {
    let mut i = 0;
    while i + 4 <= bytes.len() {
        match &bytes[i..i + 4] {
            b"PK\x03\x04" => bytes[i + 22..i + 26].copy_from_slice(&size.to_le_bytes()),
            b"PK\x01\x02" => bytes[i + 24..i + 28].copy_from_slice(&size.to_le_bytes()),
            _ => {}
        }
        i += 1;
    }
}

#[test]
fn a_member_that_inflates_past_its_declared_size_is_an_error() {
    let mut bytes = archive(&[("x", zeros(100_000))]);
    declare_size(&mut bytes, 1000);
    let e = npz::decode(&bytes).unwrap_err();
    assert!(
        matches!(e, NpzError::Malformed(_) | NpzError::TooLarge(_)),
        "{e}"
    );
}

#[test]
fn only_wanted_members_are_inflated_and_many_members_stay_fast() {
    // 20,000 members; every one but `keep` is a cut `.npy` that fails to decode, so reading
    // succeeds only if no other member is decoded.
    let bomb = zeros(200_000);
    let small = npy::encode(&Tensor::from_vec(&[3], vec![1f64, 2., 3.]).unwrap()).unwrap();
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    for i in 0..20_000 {
        if i == 12_345 {
            zip.start_file("keep.npy", stored).unwrap();
            zip.write_all(&small).unwrap();
        } else {
            zip.start_file(format!("m{i}.npy"), stored).unwrap();
            zip.write_all(&bomb[..64]).unwrap();
        }
    }
    let bytes = zip.finish().unwrap().into_inner();
    let names: HashSet<String> = ["keep".to_string()].into();
    let options = NpzOptions {
        max_bytes: 1000,
        names: Some(&names),
    };
    let start = Instant::now();
    let got = npz::decode_from(Cursor::new(&bytes), &options).unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0, "keep");
    // Reading every member fails on the first cut one.
    let all = NpzOptions {
        max_bytes: 1 << 30,
        names: None,
    };
    assert!(npz::decode_from(Cursor::new(&bytes), &all).is_err());
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn many_members_read_in_linear_time() {
    // 20,000 one-element members, all decoded: name matching is a hash lookup.
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    let one = npy::encode(&Tensor::from_vec(&[1], vec![1f64]).unwrap()).unwrap();
    for i in 0..20_000 {
        zip.start_file(format!("m{i}.npy"), stored).unwrap();
        zip.write_all(&one).unwrap();
    }
    let bytes = zip.finish().unwrap().into_inner();
    let start = Instant::now();
    assert_eq!(npz::decode(&bytes).unwrap().len(), 20_000);
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn a_record_member_is_read_for_a_wanted_field() {
    let rec = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/record.npy"),
    )
    .unwrap();
    let bytes = archive(&[("record", rec), ("other", zeros(4))]);
    let names: HashSet<String> = ["record__a".to_string()].into();
    let options = NpzOptions {
        names: Some(&names),
        ..NpzOptions::default()
    };
    let got = npz::decode_from(Cursor::new(&bytes), &options).unwrap();
    assert!(got.iter().any(|(n, _)| n == "record__a"));
    assert!(got.iter().all(|(n, _)| n.starts_with("record__")));
}
