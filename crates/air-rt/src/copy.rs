//! Strided element copies between any two layouts of one shape: the core of every op that only
//! moves elements (`copy`, `slice`, `concat`, `take`) and of writing results into a caller's
//! non-contiguous buffer.

/// One side of a copy: the first element and byte strides.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Side<'a> {
    /// The first element.
    pub ptr: *mut u8,
    /// Byte strides, one per axis of the copied shape.
    pub strides: &'a [isize],
}

/// Copies the elements of `shape` from `src` to `dst`, element size `esize` (1, 2, 4, 8 or 16).
///
/// Axes are visited in the order of the destination's strides (largest first), after dropping
/// unit axes and merging axes that are contiguous in both layouts, so C-to-C copies are one
/// `memmove` per merged run.
///
/// # Safety
/// Every element the two layouts address is valid (readable for `src`, writable for `dst`); the
/// two ranges do not overlap unless they are the same layout.
pub(crate) unsafe fn copy_strided(src: Side<'_>, dst: Side<'_>, shape: &[usize], esize: usize) {
    if shape.contains(&0) {
        return;
    }
    let axes = plan_axes(shape, src.strides, dst.strides);
    // SAFETY: passed on from the contract.
    unsafe {
        match esize {
            1 => copy_typed::<u8>(src.ptr, dst.ptr, &axes),
            2 => copy_typed::<u16>(src.ptr, dst.ptr, &axes),
            4 => copy_typed::<u32>(src.ptr, dst.ptr, &axes),
            8 => copy_typed::<u64>(src.ptr, dst.ptr, &axes),
            16 => copy_typed::<u128>(src.ptr, dst.ptr, &axes),
            _ => panic!("element size {esize}"),
        }
    }
}

/// `(extent, src stride, dst stride)` per axis, outermost first, unit axes dropped, contiguous
/// neighbours merged. Never empty (a scalar is one axis of extent 1).
fn plan_axes(shape: &[usize], src: &[isize], dst: &[isize]) -> Vec<(usize, isize, isize)> {
    let mut axes: Vec<(usize, isize, isize)> = shape
        .iter()
        .zip(src.iter().zip(dst))
        .filter(|(&n, _)| n != 1)
        .map(|(&n, (&s, &d))| (n, s, d))
        .collect();
    axes.sort_by_key(|&(_, s, d)| std::cmp::Reverse((d.unsigned_abs(), s.unsigned_abs())));
    let mut merged: Vec<(usize, isize, isize)> = Vec::with_capacity(axes.len());
    for a in axes {
        match merged.last_mut() {
            Some(last) if last.1 == a.1 * a.0 as isize && last.2 == a.2 * a.0 as isize => {
                *last = (last.0 * a.0, a.1, a.2);
            }
            _ => merged.push(a),
        }
    }
    if merged.is_empty() {
        merged.push((1, 0, 0));
    }
    merged
}

/// # Safety
/// As [`copy_strided`], with `T` of the element size.
unsafe fn copy_typed<T: Copy>(src: *const u8, dst: *mut u8, axes: &[(usize, isize, isize)]) {
    let Some((&(n, ss, ds), outer)) = axes.split_last() else {
        return;
    };
    let esize = std::mem::size_of::<T>() as isize;
    let mut index = vec![0usize; outer.len()];
    let (mut so, mut d_o) = (0isize, 0isize);
    loop {
        // SAFETY: (so, d_o) is the offset of a row of the layouts; the row is `n` elements.
        unsafe {
            let (s, d) = (src.offset(so), dst.offset(d_o));
            if ss == esize && ds == esize {
                std::ptr::copy(s, d, n * esize as usize);
            } else {
                for i in 0..n as isize {
                    let v = (s.offset(i * ss) as *const T).read_unaligned();
                    (d.offset(i * ds) as *mut T).write_unaligned(v);
                }
            }
        }
        // Next row, odometer style.
        let mut k = outer.len();
        loop {
            if k == 0 {
                return;
            }
            k -= 1;
            index[k] += 1;
            so += outer[k].1;
            d_o += outer[k].2;
            if index[k] < outer[k].0 {
                break;
            }
            so -= outer[k].1 * index[k] as isize;
            d_o -= outer[k].2 * index[k] as isize;
            index[k] = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transposes_and_reverses() {
        let src: Vec<u32> = (0..6).collect(); // 2x3 C order
        let mut dst = vec![0u32; 6];
        // Write the transpose (3x2) into dst, read src with swapped strides.
        // SAFETY: both layouts address the 6 elements of their vectors.
        unsafe {
            copy_strided(
                Side {
                    ptr: src.as_ptr() as *mut u8,
                    strides: &[4, 12],
                },
                Side {
                    ptr: dst.as_mut_ptr() as *mut u8,
                    strides: &[8, 4],
                },
                &[3, 2],
                4,
            );
        }
        assert_eq!(dst, vec![0, 3, 1, 4, 2, 5]);
        // Reverse a vector into a negative-stride destination.
        let mut rev = vec![0u32; 6];
        // SAFETY: as above.
        unsafe {
            copy_strided(
                Side {
                    ptr: src.as_ptr() as *mut u8,
                    strides: &[4],
                },
                Side {
                    ptr: rev.as_mut_ptr().wrapping_add(5) as *mut u8,
                    strides: &[-4],
                },
                &[6],
                4,
            );
        }
        assert_eq!(rev, vec![5, 4, 3, 2, 1, 0]);
    }

    #[test]
    fn merges_contiguous_axes() {
        assert_eq!(
            plan_axes(&[2, 3, 4], &[96, 32, 8], &[96, 32, 8]),
            vec![(24, 8, 8)]
        );
        assert_eq!(plan_axes(&[1], &[8], &[8]), vec![(1, 0, 0)]);
    }
}
