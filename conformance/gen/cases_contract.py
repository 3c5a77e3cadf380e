"""Contractions: `einsum` (explicit specs: matvec, matmul, diagonal, transpose, dot, full sum,
outer product, batches, empty sums) and `matmul` (NumPy's rank-1 promotion and batch
broadcasting)."""

import numpy as np

import oracle as O
from air_text import TType
from builder import Module
from case import Case, rng_for
from common import complexes, ints, uniform

G = "contract"


def contract(name, summary, ops, inputs, spec=None, tags=(), tol=None):
    """einsum(spec) or matmul over the params given as name -> (type, array); result y."""
    m = Module()
    f = m.func("main")
    ps = [f.param(k, t) for k, (t, _) in inputs.items()]
    if spec is not None:
        y = f.einsum(spec, ps, name="y")
    else:
        y = f.matmul(ps[0], ps[1], name="y")
    f.ret(y)
    arrays = {k: O.arr(a, TType.parse(t).dtype) for k, (t, a) in inputs.items()}
    return Case(G, name, summary, [ops] + list(tags), m, arrays, tol=tol)


def einsum_cases(rng):
    u = lambda shape, dt="f64": uniform(rng, -1, 1, shape, dt)
    return [
        contract("einsum_matvec", "einsum ij,j->i on f64[n, m], f64[m]", "einsum",
                 {"A": ("f64[n, m]", u((3, 4))), "v": ("f64[m]", u(4))}, "ij,j->i"),
        contract("einsum_matmul_f32", "einsum ij,jk->ik on f32", "einsum",
                 {"a": ("f32[n, k]", u((2, 3), "f32")), "b": ("f32[k, m]", u((3, 4), "f32"))},
                 "ij,jk->ik"),
        contract("einsum_diagonal_i32", "einsum ii->i takes the diagonal", "einsum",
                 {"a": ("i32[n, n]", np.arange(9).reshape(3, 3))}, "ii->i", ["diagonal"]),
        contract("einsum_trace_f64", "einsum ii-> is the trace", "einsum",
                 {"a": ("f64[n, n]", u((4, 4)))}, "ii->", ["diagonal", "rank0"]),
        contract("einsum_transpose_c128", "einsum ij->ji on c128", "einsum",
                 {"a": ("c128[n, m]", complexes(rng, (-1, 1), (-1, 1), (2, 3), "c128"))},
                 "ij->ji", ["complex"]),
        contract("einsum_dot", "einsum i,i-> is the dot product", "einsum",
                 {"a": ("f64[n]", u(5)), "b": ("f64[n]", u(5))}, "i,i->", ["rank0"]),
        contract("einsum_sum_all_i64", "einsum ij-> sums every element (i64)", "einsum",
                 {"a": ("i64[n, m]", np.arange(6).reshape(2, 3))}, "ij->"),
        contract("einsum_outer_u8", "einsum i,j->ij on u8 wraps", "einsum",
                 {"a": ("u8[n]", [2, 16, 255]), "b": ("u8[m]", [3, 16])}, "i,j->ij", ["wrap"]),
        contract("einsum_batched", "einsum bij,bjk->bik", "einsum",
                 {"a": ("f64[b, n, k]", u((2, 2, 3))), "c": ("f64[b, k, m]", u((2, 3, 2)))},
                 "bij,bjk->bik", ["batch"]),
        contract("einsum_empty_sum", "einsum ij,jk->ik with an empty contracted dim gives 0",
                 "einsum", {"a": ("f64[n, k]", np.zeros((2, 0))),
                            "b": ("f64[k, m]", np.zeros((0, 3)))}, "ij,jk->ik", ["empty"]),
        contract("einsum_three_operands", "einsum i,ij,j-> (a bilinear form)", "einsum",
                 {"x": ("f64[n]", u(3)), "A": ("f64[n, m]", u((3, 2))), "w": ("f64[m]", u(2))},
                 "i,ij,j->"),
        contract("einsum_dot_f16", "einsum i,i-> on f16", "einsum",
                 {"a": ("f16[n]", [0.5, 1.0, 2.0, -1.5]), "b": ("f16[n]", [2.0, 0.25, 3.0, 1.0])},
                 "i,i->", ["f16"]),
        contract("einsum_permute_3d", "einsum ijk->kij on i16", "einsum",
                 {"a": ("i16[2, 3, 4]", ints(rng, -9, 9, (2, 3, 4), "i16"))}, "ijk->kij"),
    ]


def matmul_cases(rng):
    u = lambda shape, dt="f64": uniform(rng, -1, 1, shape, dt)
    return [
        contract("matmul_f64", "matmul f64[n, k] x f64[k, m]", "matmul",
                 {"a": ("f64[n, k]", u((3, 2))), "b": ("f64[k, m]", u((2, 4)))}),
        contract("matmul_vec_mat", "matmul of a rank-1 left operand: [k] x [k, m] -> [m]",
                 "matmul", {"a": ("f64[k]", u(3)), "b": ("f64[k, m]", u((3, 2)))},
                 tags=["rank1"]),
        contract("matmul_mat_vec", "matmul of a rank-1 right operand: [n, k] x [k] -> [n]",
                 "matmul", {"a": ("f32[n, k]", u((4, 3), "f32")), "b": ("f32[k]", u(3, "f32"))},
                 tags=["rank1"]),
        contract("matmul_vec_vec", "matmul of two rank-1 operands is a scalar", "matmul",
                 {"a": ("f64[k]", u(4)), "b": ("f64[k]", u(4))}, tags=["rank1", "rank0"]),
        contract("matmul_batch_broadcast", "matmul [2, n, k] x [k, m] broadcasts the batch",
                 "matmul", {"a": ("f64[2, n, k]", u((2, 3, 2))), "b": ("f64[k, m]", u((2, 2)))},
                 tags=["batch"]),
        contract("matmul_batch_unit", "matmul [1, n, k] x [3, k, m]: batch 1 stretches",
                 "matmul", {"a": ("f64[1, n, k]", u((1, 2, 2))),
                            "b": ("f64[3, k, m]", u((3, 2, 2)))}, tags=["batch"]),
        contract("matmul_i32", "matmul on i32", "matmul",
                 {"a": ("i32[n, k]", ints(rng, -9, 9, (2, 3), "i32")),
                  "b": ("i32[k, m]", ints(rng, -9, 9, (3, 2), "i32"))}),
        contract("matmul_c64", "matmul on c64", "matmul",
                 {"a": ("c64[n, k]", complexes(rng, (-1, 1), (-1, 1), (2, 2), "c64")),
                  "b": ("c64[k, m]", complexes(rng, (-1, 1), (-1, 1), (2, 3), "c64"))},
                 tags=["complex"]),
        contract("matmul_empty_inner", "matmul with an empty inner dim gives zeros", "matmul",
                 {"a": ("f64[n, k]", np.zeros((2, 0))), "b": ("f64[k, m]", np.zeros((0, 2)))},
                 tags=["empty"]),
    ]


def cases():
    rng = rng_for("contract")
    return einsum_cases(rng) + matmul_cases(rng)
