//! Results as text, for `air run` without `--outputs`: each result's name and type (`y: f64[3]`),
//! then its values laid out as NumPy prints arrays: nested brackets, elements right-aligned to a
//! common width, lines wrapped at 75 columns, and arrays of more than 1000 elements summarised
//! by their first and last 3 entries along each axis with `...` between.
//!
//! Elements: `True`/`False`; integers in decimal; floats in the shortest form that reads back
//! exactly (`0.1`, `1.0`, `1e-7`), `nan`, `inf` and `-inf` as NumPy writes them; complex numbers
//! as `(re+imj)`.

use std::fmt::Write as _;

use air_interp::Tensor;

/// Arrays with more elements than this are summarised (NumPy's `threshold`).
const THRESHOLD: usize = 1000;
/// Entries kept at each end of a summarised axis (NumPy's `edgeitems`).
const EDGE: usize = 3;
/// The line width wrapped at (NumPy's `linewidth`).
const WIDTH: usize = 75;

/// `name: dtype[shape]` and the values, ending with a newline. A name that is not an identifier
/// is written quoted, as in the text form (`"a b": f64`), so it cannot fake other lines.
pub fn show(name: &str, t: &Tensor) -> String {
    let name = air_ir::name::text_form(name);
    let dims: Vec<String> = t.shape().iter().map(usize::to_string).collect();
    let ty = if dims.is_empty() {
        t.dtype().to_string()
    } else {
        format!("{}[{}]", t.dtype(), dims.join(", "))
    };
    format!("{name}: {ty}\n{}\n", values(t))
}

/// The values of `t` as NumPy lays them out.
pub fn values(t: &Tensor) -> String {
    let items = elements(t);
    let shape = t.shape();
    if shape.is_empty() {
        return items.into_iter().next().unwrap_or_default();
    }
    let summarise = items.len() > THRESHOLD;
    let shown = Layout {
        shape,
        items: &items,
        summarise,
        width: shown_width(shape, &items, summarise),
    };
    let mut s = String::new();
    shown.block(&mut s, 0, 0);
    s
}

/// The widest element that will be shown.
fn shown_width(shape: &[usize], items: &[String], summarise: bool) -> usize {
    let mut width = 0;
    if items.is_empty() {
        return width;
    }
    let mut index = vec![0usize; shape.len()];
    'all: loop {
        if index
            .iter()
            .zip(shape)
            .all(|(&i, &d)| !hidden(i, d, summarise))
        {
            let flat = index.iter().zip(shape).fold(0, |acc, (&i, &d)| acc * d + i);
            width = width.max(items[flat].chars().count());
        }
        for k in (0..shape.len()).rev() {
            index[k] += 1;
            if index[k] < shape[k] {
                continue 'all;
            }
            index[k] = 0;
        }
        return width;
    }
}

/// Whether entry `i` of an axis of extent `d` is left out of a summary.
fn hidden(i: usize, d: usize, summarise: bool) -> bool {
    summarise && d > 2 * EDGE && i >= EDGE && i < d - EDGE
}

/// The entries of an axis that are shown: `None` stands for the `...` of a summary.
fn shown_entries(d: usize, summarise: bool) -> Vec<Option<usize>> {
    if summarise && d > 2 * EDGE {
        (0..EDGE)
            .map(Some)
            .chain([None])
            .chain((d - EDGE..d).map(Some))
            .collect()
    } else {
        (0..d).map(Some).collect()
    }
}

struct Layout<'a> {
    shape: &'a [usize],
    items: &'a [String],
    summarise: bool,
    width: usize,
}

impl Layout<'_> {
    /// Writes the sub-array at `axis` whose first element is `offset` (flat, C order).
    fn block(&self, s: &mut String, axis: usize, offset: usize) {
        let rank = self.shape.len();
        let stride: usize = self.shape[axis + 1..].iter().product();
        let entries = shown_entries(self.shape[axis], self.summarise);
        s.push('[');
        if axis + 1 == rank {
            self.row(s, axis, offset, &entries);
        } else {
            let sep = format!("{}{}", "\n".repeat(rank - 1 - axis), " ".repeat(axis + 1));
            for (k, e) in entries.iter().enumerate() {
                if k > 0 {
                    s.push_str(&sep);
                }
                match e {
                    Some(i) => self.block(s, axis + 1, offset + i * stride),
                    None => s.push_str("..."),
                }
            }
        }
        s.push(']');
    }

    /// The innermost axis: elements padded to the common width, wrapped at [`WIDTH`].
    fn row(&self, s: &mut String, axis: usize, offset: usize, entries: &[Option<usize>]) {
        let indent = axis + 1;
        let mut col = s.rsplit('\n').next().map_or(0, |l| l.chars().count());
        for (k, e) in entries.iter().enumerate() {
            let item = match e {
                Some(i) => format!("{:>w$}", self.items[offset + i], w = self.width),
                None => "...".to_string(),
            };
            // Room for the item, and the closing brackets after the last one.
            let closing = if k + 1 == entries.len() { indent } else { 0 };
            if k > 0 {
                if col + 1 + item.len() + closing > WIDTH {
                    let _ = write!(s, "\n{}", " ".repeat(indent));
                    col = indent;
                } else {
                    s.push(' ');
                    col += 1;
                }
            }
            s.push_str(&item);
            col += item.len();
        }
    }
}

/// Every element of `t` as text, in C order.
fn elements(t: &Tensor) -> Vec<String> {
    fn all<'a, T: 'a>(a: impl IntoIterator<Item = &'a T>, f: impl Fn(&T) -> String) -> Vec<String> {
        a.into_iter().map(f).collect()
    }
    match t {
        Tensor::Bool(a) => all(a.iter(), |&b| if b { "True" } else { "False" }.to_string()),
        Tensor::I8(a) => all(a.iter(), i8::to_string),
        Tensor::I16(a) => all(a.iter(), i16::to_string),
        Tensor::I32(a) => all(a.iter(), i32::to_string),
        Tensor::I64(a) => all(a.iter(), i64::to_string),
        Tensor::U8(a) => all(a.iter(), u8::to_string),
        Tensor::U16(a) => all(a.iter(), u16::to_string),
        Tensor::U32(a) => all(a.iter(), u32::to_string),
        Tensor::U64(a) => all(a.iter(), u64::to_string),
        Tensor::F16(a) => all(a.iter(), |&x| {
            float(f64::from(x.to_f32()), format!("{x:?}"))
        }),
        Tensor::BF16(a) => all(a.iter(), |&x| {
            float(f64::from(x.to_f32()), format!("{x:?}"))
        }),
        Tensor::F32(a) => all(a.iter(), |&x| float(f64::from(x), format!("{x:?}"))),
        Tensor::F64(a) => all(a.iter(), |&x| float(x, format!("{x:?}"))),
        Tensor::C64(a) => all(a.iter(), |z| {
            complex(
                float(f64::from(z.re), format!("{:?}", z.re)),
                float(f64::from(z.im), format!("{:?}", z.im)),
            )
        }),
        Tensor::C128(a) => all(a.iter(), |z| {
            complex(
                float(z.re, format!("{:?}", z.re)),
                float(z.im, format!("{:?}", z.im)),
            )
        }),
    }
}

/// A float: `shortest` (Rust's shortest round-trip form of the value in its own dtype), except
/// NumPy's `nan`, `inf` and `-inf`.
fn float(x: f64, shortest: String) -> String {
    if x.is_nan() {
        "nan".to_string()
    } else if x.is_infinite() {
        if x > 0.0 { "inf" } else { "-inf" }.to_string()
    } else {
        shortest
    }
}

/// `(re+imj)`.
fn complex(re: String, im: String) -> String {
    if im.starts_with('-') {
        format!("({re}{im}j)")
    } else {
        format!("({re}+{im}j)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f64s(shape: &[usize], v: Vec<f64>) -> Tensor {
        Tensor::from_vec(shape, v).unwrap()
    }

    #[test]
    fn names_that_are_not_identifiers_are_quoted() {
        let t = Tensor::scalar(2.5f64);
        assert_eq!(show("y.T", &t), "y.T: f64\n2.5\n");
        assert_eq!(show("a\nz: f64\n9", &t), "\"a\\nz: f64\\n9\": f64\n2.5\n");
    }

    #[test]
    fn small_arrays_print_whole() {
        assert_eq!(show("s", &Tensor::scalar(2.5f64)), "s: f64\n2.5\n");
        let t = f64s(&[2, 3], vec![1.0, -2.5, 3.0, 10.0, 0.5, f64::NAN]);
        assert_eq!(
            show("y", &t),
            "y: f64[2, 3]\n[[ 1.0 -2.5  3.0]\n [10.0  0.5  nan]]\n"
        );
        assert_eq!(values(&Tensor::zeros(air_ir::DType::I32, &[0])), "[]");
        assert_eq!(
            values(&Tensor::zeros(air_ir::DType::I32, &[2, 0])),
            "[[]\n []]"
        );
        let b = Tensor::from_vec(&[2, 1, 2], vec![true, false, false, true]).unwrap();
        assert_eq!(values(&b), "[[[ True False]]\n\n [[False  True]]]");
    }

    #[test]
    fn large_arrays_are_summarised_and_long_rows_wrap() {
        let t = Tensor::from_vec(&[2000], (0..2000i64).collect()).unwrap();
        assert_eq!(values(&t), "[   0    1    2 ... 1997 1998 1999]");
        let t = Tensor::from_vec(&[40], (0..40i64).collect()).unwrap();
        let text = values(&t);
        assert!(text.lines().all(|l| l.len() <= WIDTH), "{text}");
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(
            text.starts_with("[ 0  1  2") && text.ends_with("38 39]"),
            "{text}"
        );
        let t = Tensor::from_vec(&[100, 100], (0..10000i32).collect()).unwrap();
        let text = values(&t);
        assert!(
            text.starts_with("[[   0    1    2 ...   97   98   99]\n"),
            "{text}"
        );
        assert!(text.contains("\n ...\n"), "{text}");
        assert!(
            text.ends_with("[9900 9901 9902 ... 9997 9998 9999]]"),
            "{text}"
        );
    }
}
