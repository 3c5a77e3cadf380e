//! `cast`: every dtype to every dtype, through the exact value ([`Num`]).

use air_ir::DType;
use ndarray::ArrayD;

use super::scalar::Widen;
use crate::tensor::{with_array, with_dtype, Element, Tensor};

/// spec: #cast — float -> int truncates toward zero and saturates (NaN -> 0); int -> int wraps;
/// int/float -> bool is `x != 0`; to a float rounds to nearest even; complex -> real keeps the
/// real part. The rules live in [`Widen::from_num`].
pub(crate) fn cast(x: &Tensor, dtype: DType) -> Tensor {
    fn to<T: Widen>(x: &Tensor) -> ArrayD<T> {
        with_array!(x, a => a.mapv(|v| T::from_num(v.to_num())))
    }
    with_dtype!(dtype, T => T::wrap(to::<T>(x)))
}
