//! Generates the protobuf types of `schema/air/v1/air.proto` (prost) and their canonical
//! proto-JSON serde impls (pbjson), with no system `protoc`: `protox` compiles the schema.

use std::path::PathBuf;

use prost::Message;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let schema_root = manifest.join("../../schema");
    let proto = schema_root.join("air/v1/air.proto");
    println!("cargo:rerun-if-changed={}", proto.display());

    let fds = protox::compile([&proto], [&schema_root])?;
    let descriptor_bytes = fds.encode_to_vec();

    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    prost_build::Config::new()
        .out_dir(&out_dir)
        .compile_fds(fds)?;
    pbjson_build::Builder::new()
        .out_dir(&out_dir)
        .register_descriptors(&descriptor_bytes)?
        .build(&[".air"])?;
    Ok(())
}
