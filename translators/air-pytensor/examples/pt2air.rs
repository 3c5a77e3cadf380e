//! Prints the AIR text of a `pytensor-fgraph-json/1` file (a debugging aid).
fn main() {
    let path = std::env::args().nth(1).expect("usage: pt2air FILE");
    let text = std::fs::read_to_string(&path).expect("read");
    match air_pytensor::import(&text, &Default::default()) {
        Ok(m) => print!("{}", air_ir::text::print(&m)),
        Err(e) => eprintln!("{e}"),
    }
}
