"""Writes the .npy/.npz fixtures of crates/air-value/tests/npy_io.rs with real NumPy.

Run from this folder: `python gen_npy_fixtures.py`. The values are simple enough that the Rust
test states them independently; re-run only when adding fixtures.
"""
import numpy as np

INT_CODES = ["i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8"]


def values(code):
    if code == "b1":
        return np.array([True, False, True], dtype="?")
    if code in INT_CODES:
        info = np.iinfo(np.dtype(code))
        vals = [0, 1, info.max] if code[0] == "u" else [info.min, -1, 0, 1, info.max]
        return np.array(vals, dtype=code)
    if code[0] == "f":
        return np.array([-1.5, -0.0, 2.25, np.inf, np.nan], dtype=code)
    return np.array([1 + 2j, -0.5 - 0.25j, complex(np.inf, np.nan)], dtype=code)


codes = ["b1"] + INT_CODES + ["f2", "f4", "f8", "c8", "c16"]
np.savez("dtypes_le.npz", **{c: values(c).astype("<" + c if c != "b1" else "?") for c in codes})
np.savez("dtypes_be.npz", **{c: values(c).astype(">" + c if c != "b1" else "?") for c in codes})

np.save("fortran.npy", np.asfortranarray(np.arange(24, dtype="<i4").reshape(2, 3, 4)))
np.save("scalar.npy", np.array(3.5))
np.save("empty.npy", np.zeros((0, 3), dtype="<f4"))

rec = np.zeros(3, dtype=[("a", "<i2"), ("b", ">f8", (2,)), ("c", "?")])
rec["a"] = [1, -2, 3]
rec["b"] = [[0.5, 1.5], [2.5, 3.5], [4.5, 5.5]]
rec["c"] = [True, False, True]
np.save("record.npy", rec)
np.save("record_fortran.npy", np.asfortranarray(np.stack([rec, rec[::-1]])))  # shape (2, 3)

with open("v2.npy", "wb") as f:
    np.lib.format.write_array(f, np.arange(6, dtype="<i8").reshape(2, 3), version=(2, 0))
with open("v3.npy", "wb") as f:
    np.lib.format.write_array(f, np.arange(6, dtype="<i8").reshape(2, 3), version=(3, 0))

np.savez_compressed("compressed.npz", x=np.arange(10.0), m=np.eye(3, dtype="<u2"))
np.save("object.npy", np.array([1, "a", None], dtype=object), allow_pickle=True)
