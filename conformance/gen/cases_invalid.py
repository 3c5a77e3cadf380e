"""Invalid modules, each with exactly one problem and the one error code it must produce:
reader codes (E01xx) and validator codes (E02xx types and shapes, E03xx structure, E04xx
functions, regions and custom ops). Everything else in each module is valid."""

from case import Case

G = "invalid"
HEAD = "air 1 opset 1\n\n"


def inv(name, code, summary, ops, body, head=HEAD):
    text = f"// invalid: {summary} ({code})\n" + head + body.strip("\n") + "\n"
    return Case(G, name, summary, ["invalid", code] + ops, text=text,
                expect=f"invalid: {code}", ops=ops)


def fn(params, results, stmts, ret, name="main"):
    """A function in the text form; stmts are lines without indentation."""
    lines = [f"func @{name}({params}) -> ({results}) {{"]
    lines += ["  " + s for s in stmts]
    lines += [f"  return {ret}".rstrip(), "}"]
    return "\n".join(lines) + "\n"


OK = fn("%a: f64[n], %b: f64[n]", "%y: f64[n]", ["%y = add (%a, %b) : f64[n]"], "%y")
RANK33 = "f64[" + ", ".join(["1"] * 33) + "]"
HELPER = fn("%x: f64[n]", "%y: f64[n]", ["%y = neg (%x) : f64[n]"], "%y", name="helper")
# The bounds of a loop from 0 to 3 by 1.
LOOP = ["%lo = constant {value = i64 0} () : i64",
        "%hi = constant {value = i64 3} () : i64",
        "%one = constant {value = i64 1} () : i64"]


def one(params, results, stmt, ret="%y"):
    """A function with one statement."""
    return fn(params, results, [stmt], ret)


def reader_syntax_cases():
    """Reader errors: syntax (E0101), unknown ops (E0102), attributes (E0103)."""
    return [
        inv("syntax_missing_paren", "E0101", "an operand list without its closing parenthesis",
            ["add"], fn("%a: f64[n], %b: f64[n]", "%y: f64[n]",
                        ["%y = add (%a, %b : f64[n]"], "%y")),
        inv("syntax_missing_return", "E0101", "a function body without `return`", ["add"],
            "func @main(%a: f64[n], %b: f64[n]) -> (%y: f64[n]) {\n"
            "  %y = add (%a, %b) : f64[n]\n}\n"),
        inv("syntax_function_without_at", "E0101", "a function name without `@`", ["add"],
            OK.replace("func @main", "func main")),
        inv("syntax_unterminated_string", "E0101", "an unterminated string in `meta`", ["add"],
            OK, head='air 1 opset 1\nmeta "source" = "x.air\n\n'),
        inv("syntax_missing_type", "E0101", "a statement without its result type", ["add"],
            fn("%a: f64[n], %b: f64[n]", "%y: f64[n]", ["%y = add (%a, %b)"], "%y")),
        inv("unknown_op", "E0102", "an op name outside op set v1", [],
            fn("%x: f64[n]", "%y: f64[n]", ["%y = frobnicate (%x) : f64[n]"], "%y")),
        inv("unknown_op_reduce_median", "E0102", "reduce_median is not an op of op set v1", [],
            fn("%x: f64[n]", "%y: f64", ["%y = reduce_median {axes = [0]} (%x) : f64"], "%y")),
        inv("unknown_op_opset2_in_opset1", "E0102",
            "asinh (op set 2) in a module that declares op set 1", ["asinh"],
            fn("%x: f64[n]", "%y: f64[n]", ["%y = asinh (%x) : f64[n]"], "%y")),
        inv("unknown_op_opset2_nested_in_opset1", "E0102",
            "square (op set 2) in a for body of a module that declares op set 1", ["for", "square"],
            fn("%x: f64", "%s: f64", ["%lo = constant {value = i64 0} () : i64",
                                      "%hi = constant {value = i64 3} () : i64",
                                      "%one = constant {value = i64 1} () : i64",
                                      "%s = for (%lo, %hi, %one, %x) : f64 {",
                                      "  (%i: i64, %acc: f64):",
                                      "  %next = square (%acc) : f64",
                                      "  yield %next",
                                      "}"], "%s")),
        inv("attr_missing", "E0103", "cast without its dtype attribute", ["cast"],
            fn("%x: f64[n]", "%y: f32[n]", ["%y = cast (%x) : f32[n]"], "%y")),
        inv("attr_unknown", "E0103", "an attribute add does not have", ["add"],
            fn("%a: f64[n], %b: f64[n]", "%y: f64[n]",
               ["%y = add {alpha = 1.0} (%a, %b) : f64[n]"], "%y")),
        inv("attr_wrong_kind", "E0103", "transpose with a string perm", ["transpose"],
            fn("%x: f64[n, m]", "%y: f64[m, n]",
               ['%y = transpose {perm = "10"} (%x) : f64[m, n]'], "%y")),
        inv("attr_twice", "E0103", "concat with its axis given twice", ["concat"],
            fn("%a: f64[n], %b: f64[m]", "%y: f64[m+n]",
               ["%y = concat {axis = 0, axis = 0} (%a, %b) : f64[m+n]"], "%y")),
        inv("attr_negative_axes", "E0103", "reduce_sum with a negative axis", ["reduce_sum"],
            fn("%x: f64[n, m]", "%y: f64[n]", ["%y = reduce_sum {axes = [-1]} (%x) : f64[n]"],
               "%y")),
        inv("attr_full_value_not_scalar", "E0103", "full with a rank-1 value", ["full"],
            one("", "%y: f64[2]", "%y = full {value = f64[2] [1.0, 2.0], shape = [2]} () "
                ": f64[2]")),
        inv("attr_if_one_region", "E0103", "an if with one region", ["if"],
            fn("%c: bool, %x: f64", "%y: f64",
               ["%y = if (%c, %x) : f64 {", "  (%a: f64):", "  yield %a", "}"], "%y")),
        inv("attr_custom_without_domain", "E0103", "a custom op without its domain", ["custom"],
            one("%x: f64[n]", "%y: f64[n]", '%y = custom {name = "f"} (%x) : f64[n]')),
        inv("syntax_bad_escape", "E0101", "a string with an unknown escape", ["custom"],
            one("%x: f64[n]", "%y: f64[n]", '%y = custom {domain = "a\\qb", name = "f"} (%x) '
                ": f64[n]")),
        inv("syntax_trailing_tokens", "E0101", "tokens after a statement's type", ["neg"],
            one("%x: f64[n]", "%y: f64[n]", "%y = neg (%x) : f64[n] extra")),
    ]


def reader_other_cases():
    """Reader errors: versions, limits, undefined values, literals, dims."""
    return [
        inv("version_ir", "E0104", "ir version 2 is not readable by a version-1 reader", ["add"],
            OK, head="air 2 opset 1\n\n"),
        inv("version_opset", "E0104", "op set 99 is not readable", ["add"], OK,
            head="air 1 opset 99\n\n"),
        inv("limit_rank", "E0105", "a type of rank 33 exceeds the rank limit (32)", ["neg"],
            fn(f"%x: {RANK33}", f"%y: {RANK33}", [f"%y = neg (%x) : {RANK33}"], "%y")),
        inv("undefined_value", "E0106", "an operand that is never defined", ["add"],
            fn("%a: f64[n], %b: f64[n]", "%y: f64[n]", ["%y = add (%a, %zz) : f64[n]"], "%y")),
        inv("use_before_definition", "E0106", "an operand defined only after its use", ["add"],
            fn("%a: f64[n]", "%y: f64[n]", ["%y = add (%a, %t) : f64[n]",
                                           "%t = neg (%a) : f64[n]"], "%y")),
        inv("region_sees_outer_value", "E0106", "a for body using a value of the enclosing "
            "function (regions are isolated)", ["for", "constant", "add"],
            fn("%x: f64", "%s: f64",
               ["%lo = constant {value = i64 0} () : i64",
                "%hi = constant {value = i64 3} () : i64",
                "%one = constant {value = i64 1} () : i64",
                "%s = for (%lo, %hi, %one, %x) : f64 {",
                "  (%i: i64, %acc: f64):",
                "  %next = add (%acc, %x) : f64",
                "  yield %next",
                "}"], "%s")),
        inv("literal_count", "E0108", "a f64[3] literal with two elements", ["constant"],
            fn("", "%y: f64[3]", ["%y = constant {value = f64[3] [1.0, 2.0]} () : f64[3]"],
               "%y")),
        inv("literal_out_of_range", "E0108", "the i8 literal 300", ["constant"],
            fn("", "%y: i8", ["%y = constant {value = i8 300} () : i8"], "%y")),
        inv("literal_negative_unsigned", "E0108", "the u8 literal -1", ["constant"],
            fn("", "%y: u8", ["%y = constant {value = u8 -1} () : u8"], "%y")),
        inv("dim_unbalanced", "E0111", "a dim expression with an unclosed parenthesis", ["neg"],
            fn("%x: f64[(n+1]", "%y: f64[(n+1]", ["%y = neg (%x) : f64[(n+1]"], "%y")),
        inv("dim_overflow", "E0111", "a dim constant that overflows i64", ["neg"],
            fn("%x: f64[99999999999999999999]", "%y: f64[99999999999999999999]",
               ["%y = neg (%x) : f64[99999999999999999999]"], "%y")),
        inv("version_zero", "E0104", "ir version 0 (a missing version) is rejected", ["neg"],
            one("%x: f64", "%y: f64", "%y = neg (%x) : f64"), head="air 0 opset 1\n\n"),
        inv("undefined_yield", "E0106", "a region yielding a name it does not define",
            ["for", "constant"],
            fn("%x: f64", "%s: f64", LOOP + ["%s = for (%lo, %hi, %one, %x) : f64 {",
                                          "  (%i: i64, %acc: f64):", "  yield %nothing", "}"],
               "%s")),
    ]


def dtype_cases():
    """Validator: dtypes, contractions, operand shapes (E0201-E0204)."""
    return [
        inv("dtype_mismatch_add", "E0201", "add of f64[n] and f32[n]", ["add"],
            one("%a: f64[n], %b: f32[n]", "%y: f64[n]", "%y = add (%a, %b) : f64[n]")),
        inv("dtype_mismatch_concat", "E0201", "concat of i32 and i64", ["concat"],
            one("%a: i32[n], %b: i64[m]", "%y: i32[m+n]",
                "%y = concat {axis = 0} (%a, %b) : i32[m+n]")),
        inv("dtype_not_accepted_sin", "E0202", "sin on i32", ["sin"],
            one("%x: i32[n]", "%y: i32[n]", "%y = sin (%x) : i32[n]")),
        inv("dtype_not_accepted_trunc", "E0202", "trunc on i32 (op set 2; float only, as floor)",
            ["trunc"], one("%x: i32[n]", "%y: i32[n]", "%y = trunc (%x) : i32[n]"),
            head="air 1 opset 2\n\n"),
        inv("dtype_not_accepted_cbrt", "E0202", "cbrt on c128 (op set 2; float only)",
            ["cbrt"], one("%x: c128[n]", "%y: c128[n]", "%y = cbrt (%x) : c128[n]"),
            head="air 1 opset 2\n\n"),
        inv("dtype_not_accepted_and", "E0202", "and on f64", ["and"],
            one("%a: f64[n], %b: f64[n]", "%y: f64[n]", "%y = and (%a, %b) : f64[n]")),
        inv("dtype_not_accepted_mean", "E0202", "reduce_mean on i64", ["reduce_mean"],
            one("%x: i64[n]", "%y: i64", "%y = reduce_mean {axes = [0]} (%x) : i64")),
        inv("dtype_not_accepted_div", "E0202", "div on i32 (true division is float only)",
            ["div"], one("%a: i32[n], %b: i32[n]", "%y: i32[n]", "%y = div (%a, %b) : i32[n]")),
        inv("contraction_matmul", "E0203", "matmul with inner dims 3 and 4", ["matmul"],
            one("%a: f64[2, 3], %b: f64[4, 2]", "%y: f64[2, 2]",
                "%y = matmul (%a, %b) : f64[2, 2]")),
        inv("contraction_einsum", "E0203", "einsum ij,j->i where j is m in one operand and n in "
            "the other", ["einsum"],
            one("%A: f64[n, m], %v: f64[n]", "%y: f64[n]",
                '%y = einsum {spec = "ij,j->i"} (%A, %v) : f64[n]')),
        inv("shape_mismatch_add", "E0204", "add of f64[n] and f64[m]", ["add"],
            one("%a: f64[n], %b: f64[m]", "%y: f64[n]", "%y = add (%a, %b) : f64[n]")),
        inv("shape_mismatch_filter", "E0204", "filter with a mask of another length",
            ["filter", "reduce_sum"],
            fn("%x: f64[n], %k: bool[m]", "%s: f64",
               ["%y = filter (%x, %k) : f64[p]", "%s = reduce_sum {axes = [0]} (%y) : f64"], "%s")),
        inv("dtype_extract_index_i32", "E0202", "extract with an i32 index (i64 required)",
            ["extract"], one("%x: f64[n], %i: i32", "%y: f64", "%y = extract (%x, %i) : f64")),
        inv("dtype_if_condition", "E0202", "an if whose condition is f64", ["if"],
            fn("%c: f64, %x: f64", "%y: f64",
               ["%y = if (%c, %x) : f64 {", "  (%a: f64):", "  yield %a", "} {",
                "  (%b: f64):", "  yield %b", "}"], "%y")),
        inv("dtype_for_bound_i32", "E0202", "a for loop with an i32 upper bound",
            ["for", "constant"],
            fn("%hi: i32, %x: f64", "%s: f64",
               ["%lo = constant {value = i64 0} () : i64",
                "%one = constant {value = i64 1} () : i64",
                "%s = for (%lo, %hi, %one, %x) : f64 {", "  (%i: i64, %acc: f64):",
                "  yield %acc", "}"], "%s")),
        inv("dtype_iota_bool", "E0202", "iota of dtype bool", ["iota"],
            one("", "%y: bool[3]", "%y = iota {dtype = bool, shape = [3], axis = 0} () "
                ": bool[3]")),
        inv("dtype_select_condition", "E0202", "select with an i32 condition", ["select"],
            one("%c: i32[n], %a: f64[n], %b: f64[n]", "%y: f64[n]",
                "%y = select (%c, %a, %b) : f64[n]")),
        inv("dtype_mismatch_insert", "E0201", "insert of an f32 value into f64", ["insert"],
            one("%x: f64[n], %v: f32, %i: i64", "%y: f64[n]",
                "%y = insert (%x, %v, %i) : f64[n]")),
        inv("dtype_mismatch_select", "E0201", "select between f64 and f32", ["select"],
            one("%c: bool[n], %a: f64[n], %b: f32[n]", "%y: f64[n]",
                "%y = select (%c, %a, %b) : f64[n]")),
    ]


def dtype_cases_2():
    """Validator: dtypes, contractions, operand shapes (E0201-E0204)."""
    return [
        inv("shape_mismatch_clip", "E0204", "clip with bounds of another shape", ["clip"],
            one("%x: f64[n], %lo: f64, %hi: f64", "%y: f64[n]",
                "%y = clip (%x, %lo, %hi) : f64[n]")),
        inv("contraction_einsum_diagonal", "E0203", "einsum ii->i on a non-square operand",
            ["einsum"], one("%A: f64[n, m]", "%y: f64[n]",
                            '%y = einsum {spec = "ii->i"} (%A) : f64[n]')),
    ]


def shape_attr_cases():
    """Validator: axes, permutations, broadcasts, reshape, squeeze, slice, concat, einsum
    (E0205-E0212)."""
    return [
        inv("bad_axis_range", "E0205", "reduce_sum over axis 2 of a rank-2 tensor",
            ["reduce_sum"], one("%x: f64[n, m]", "%y: f64[n, m]",
                                "%y = reduce_sum {axes = [2]} (%x) : f64[n, m]")),
        inv("bad_axis_repeated", "E0205", "reduce_sum with axis 0 twice", ["reduce_sum"],
            one("%x: f64[n, m]", "%y: f64[m]",
                "%y = reduce_sum {axes = [0, 0]} (%x) : f64[m]")),
        inv("bad_permutation", "E0206", "transpose with perm [0, 0]", ["transpose"],
            one("%x: f64[n, m]", "%y: f64[n, n]",
                "%y = transpose {perm = [0, 0]} (%x) : f64[n, n]")),
        inv("bad_broadcast_extent", "E0207", "broadcast of extent 3 onto extent 4",
            ["broadcast"], one("%x: f64[3]", "%y: f64[2, 4]",
                               "%y = broadcast {shape = [2, 4], dims = [1]} (%x) : f64[2, 4]")),
        inv("bad_broadcast_order", "E0207", "broadcast dims not increasing", ["broadcast"],
            one("%x: f64[n, m]", "%y: f64[m, n]",
                "%y = broadcast {shape = [m, n], dims = [1, 0]} (%x) : f64[m, n]")),
        inv("reshape_count", "E0208", "reshape of f64[n, m] to [n]", ["reshape"],
            one("%x: f64[n, m]", "%y: f64[n]", "%y = reshape {shape = [n]} (%x) : f64[n]")),
        inv("squeeze_not_one", "E0209", "squeeze of an axis of extent n", ["squeeze"],
            one("%x: f64[n, 1]", "%y: f64[1]", "%y = squeeze {axes = [0]} (%x) : f64[1]")),
        inv("slice_step_zero", "E0210", "a slice with step 0", ["slice", "reduce_sum"],
            fn("%x: f64[8]", "%s: f64", ["%y = slice {axes = [0:4:0]} (%x) : f64[k]",
                                          "%s = reduce_sum {axes = [0]} (%y) : f64"], "%s")),
        inv("slice_axis_count", "E0210", "two slices for a rank-1 operand", ["slice"],
            one("%x: f64[8]", "%y: f64[3]", "%y = slice {axes = [1:4, :]} (%x) : f64[3]")),
        inv("concat_mismatch", "E0211", "concat along axis 0 of [n, 2] and [n, 3]", ["concat"],
            one("%a: f64[n, 2], %b: f64[n, 3]", "%y: f64[2*n, 2]",
                "%y = concat {axis = 0} (%a, %b) : f64[2*n, 2]")),
        inv("einsum_no_arrow", "E0212", "an einsum spec without ->", ["einsum"],
            one("%A: f64[n, m], %v: f64[m]", "%y: f64[n]",
                '%y = einsum {spec = "ij,j"} (%A, %v) : f64[n]')),
        inv("einsum_unknown_output_letter", "E0212", "an output letter absent from the inputs",
            ["einsum"], one("%A: f64[n, m]", "%y: f64[n]",
                            '%y = einsum {spec = "ij->k"} (%A) : f64[n]')),
        inv("einsum_term_count", "E0212", "two terms for one operand", ["einsum"],
            one("%A: f64[n, m]", "%y: f64[n]", '%y = einsum {spec = "ij,j->i"} (%A) : f64[n]')),
        inv("bad_axis_iota", "E0205", "iota along axis 1 of a rank-1 shape", ["iota"],
            one("", "%y: i64[3]", "%y = iota {dtype = i64, shape = [3], axis = 1} () : i64[3]")),
        inv("bad_axis_concat", "E0205", "concat along axis 1 of rank-1 operands", ["concat"],
            one("%a: f64[3], %b: f64[3]", "%y: f64[3]",
                "%y = concat {axis = 1} (%a, %b) : f64[3]")),
        inv("bad_axis_argmax", "E0205", "argmax along axis 2 of a rank-2 operand", ["argmax"],
            one("%x: f64[n, m]", "%y: i64[n, m]", "%y = argmax {axis = 2} (%x) : i64[n, m]")),
        inv("bad_axis_expand_dims", "E0205", "expand_dims at position 3 of a rank-2 result",
            ["expand_dims"], one("%x: f64[n]", "%y: f64[n, 1]",
                                 "%y = expand_dims {axes = [3]} (%x) : f64[n, 1]")),
        inv("bad_broadcast_matmul_batch", "E0207", "matmul with batch dims 2 and 3", ["matmul"],
            one("%a: f64[2, n, k], %b: f64[3, k, m]", "%y: f64[2, n, m]",
                "%y = matmul (%a, %b) : f64[2, n, m]")),
        inv("slice_operand_zero", "E0210", "a slice bound referring to operand #0", ["slice"],
            fn("%x: f64[8]", "%s: f64", ["%y = slice {axes = [#0:]} (%x) : f64[k]",
                                          "%s = reduce_sum {axes = [0]} (%y) : f64"], "%s")),
    ]


def shape_attr_cases_2():
    """Validator: axes, permutations, broadcasts, reshape, squeeze, slice, concat, einsum
    (E0205-E0212)."""
    return [
        inv("concat_rank_mismatch", "E0211", "concat of rank 1 and rank 2", ["concat"],
            one("%a: f64[3], %b: f64[3, 1]", "%y: f64[6]",
                "%y = concat {axis = 0} (%a, %b) : f64[6]")),
        inv("einsum_ellipsis", "E0212", "an einsum spec with an ellipsis", ["einsum"],
            one("%A: f64[n, m]", "%y: f64[n, m]", '%y = einsum {spec = "...->..."} (%A) '
                ": f64[n, m]")),
        inv("einsum_repeated_output", "E0212", "an einsum output letter given twice", ["einsum"],
            one("%A: f64[n, n]", "%y: f64[n, n]", '%y = einsum {spec = "ij->ii"} (%A) '
                ": f64[n, n]")),
        inv("reshape_count_static", "E0208", "reshape of 6 elements to [4]", ["reshape"],
            one("%x: i32[2, 3]", "%y: i32[4]", "%y = reshape {shape = [4]} (%x) : i32[4]")),
    ]


def declared_type_cases():
    """Validator: declared types, symbols, ranks, scalars, shapes, arity (E0213-E0218)."""
    return [
        inv("result_type_dtype", "E0213", "add declared f32 for f64 operands", ["add"],
            one("%a: f64[n], %b: f64[n]", "%y: f32[n]", "%y = add (%a, %b) : f32[n]")),
        inv("result_type_dim", "E0213", "einsum declared [m] where inference gives [n]",
            ["einsum"], one("%A: f64[n, m], %v: f64[m]", "%y: f64[m]",
                            '%y = einsum {spec = "ij,j->i"} (%A, %v) : f64[m]')),
        inv("result_type_concat_dim", "E0213", "concat of [n] and [m] declared [2*n]",
            ["concat"], one("%a: f64[n], %b: f64[m]", "%y: f64[2*n]",
                            "%y = concat {axis = 0} (%a, %b) : f64[2*n]")),
        inv("result_type_comparison", "E0213", "lt declared f64 (comparisons give bool)",
            ["lt"], one("%a: f64[n], %b: f64[n]", "%y: f64[n]", "%y = lt (%a, %b) : f64[n]")),
        inv("unknown_symbol_iota", "E0214", "iota with a shape symbol no param binds", ["iota"],
            one("%x: f64[n]", "%y: i64[q]", "%y = iota {dtype = i64, shape = [q], axis = 0} () "
                ": i64[q]")),
        inv("unknown_symbol_full", "E0214", "full with a shape symbol no param binds", ["full"],
            one("%x: f64[n]", "%y: f64[n, k]",
                "%y = full {value = f64 1.0, shape = [n, k]} () : f64[n, k]")),
        inv("rank_extract_count", "E0215", "extract with one index for a rank-2 operand",
            ["extract"], one("%x: f64[n, m], %i: i64", "%y: f64", "%y = extract (%x, %i) : f64")),
        inv("rank_filter_2d", "E0215", "filter of a rank-2 operand", ["filter", "reduce_sum"],
            fn("%x: f64[n, m], %k: bool[n, m]", "%s: f64",
               ["%y = filter (%x, %k) : f64[p]", "%s = reduce_sum {axes = [0]} (%y) : f64"],
               "%s")),
        inv("scalar_extract_index", "E0216", "extract with an i64[1] index", ["extract"],
            one("%x: f64[n], %i: i64[1]", "%y: f64", "%y = extract (%x, %i) : f64")),
        inv("scalar_for_bound", "E0216", "a for loop whose upper bound is i64[1]",
            ["for", "constant"],
            fn("%hi: i64[1]", "%s: f64",
               ["%lo = constant {value = i64 0} () : i64",
                "%one = constant {value = i64 1} () : i64",
                "%s0 = constant {value = f64 0.0} () : f64",
                "%s = for (%lo, %hi, %one, %s0) : f64 {",
                "  (%i: i64, %acc: f64):",
                "  yield %acc",
                "}"], "%s")),
        inv("bad_shape_negative", "E0217", "full with a negative extent", ["full"],
            one("", "%y: f64[-1]", "%y = full {value = f64 1.0, shape = [-1]} () : f64[-1]")),
        inv("arity_add", "E0218", "add with three operands", ["add"],
            one("%a: f64[n], %b: f64[n]", "%y: f64[n]", "%y = add (%a, %b, %a) : f64[n]")),
        inv("arity_select", "E0218", "select with two operands", ["select"],
            one("%c: bool[n], %a: f64[n]", "%y: f64[n]", "%y = select (%c, %a) : f64[n]")),
        inv("scalar_insert_value", "E0216", "insert of a rank-1 value", ["insert"],
            one("%x: f64[n], %v: f64[1], %i: i64", "%y: f64[n]",
                "%y = insert (%x, %v, %i) : f64[n]")),
        inv("scalar_if_condition", "E0216", "an if whose condition is bool[1]", ["if"],
            fn("%c: bool[1], %x: f64", "%y: f64",
               ["%y = if (%c, %x) : f64 {", "  (%a: f64):", "  yield %a", "} {",
                "  (%b: f64):", "  yield %b", "}"], "%y")),
        inv("rank_matmul_scalar", "E0215", "matmul of a rank-0 operand", ["matmul"],
            one("%a: f64, %b: f64[k]", "%y: f64", "%y = matmul (%a, %b) : f64")),
        inv("fresh_dim_not_new", "E0213", "filter declaring its fresh dim as the param symbol n",
            ["filter"], one("%x: f64[n], %k: bool[n]", "%y: f64[n]",
                            "%y = filter (%x, %k) : f64[n]")),
    ]


def declared_type_cases_2():
    """Validator: declared types, symbols, ranks, scalars, shapes, arity (E0213-E0218)."""
    return [
        inv("slice_unreferenced_operand", "E0218", "a slice with a bound operand no #k refers "
            "to", ["slice"], one("%x: f64[8], %i: i64", "%y: f64[4]",
                                 "%y = slice {axes = [:4]} (%x, %i) : f64[4]")),
        inv("arity_for", "E0218", "a for with two operands", ["for", "constant"],
            fn("", "", LOOP[:2] + ["%r:0 = for (%lo, %hi) : () {", "  (%i: i64):", "  yield",
                                 "}"], "")),
        inv("bad_shape_broadcast", "E0217", "broadcast to a shape with a negative extent",
            ["broadcast"], one("%x: f64", "%y: f64[-2]",
                               "%y = broadcast {shape = [-2], dims = []} (%x) : f64[-2]")),
        inv("unknown_symbol_reshape", "E0214", "reshape to a shape with an unbound symbol",
            ["reshape"], one("%x: f64[n]", "%y: f64[n, q]",
                             "%y = reshape {shape = [n, q]} (%x) : f64[n, q]")),
    ]


def structure_cases():
    """Validator: handles, result counts, names, returns, out params (E03xx)."""
    return [
        inv("result_index_out_of_range", "E0302", "#2 of a node with two results",
            ["for", "constant", "add"],
            fn("%a: f64, %b: f64", "%y: f64",
               LOOP + ["%r:2 = for (%lo, %hi, %one, %a, %b) : (f64, f64) {",
                       "  (%i: i64, %x: f64, %z: f64):",
                       "  %s = add (%x, %z) : f64",
                       "  yield %s, %z",
                       "}", "%y = add (%r#0, %r#2) : f64"], "%y")),
        inv("result_count_add", "E0303", "add declared with two results", ["add"],
            one("%a: f64[n], %b: f64[n]", "%y: f64[n]",
                "%r:2 = add (%a, %b) : (f64[n], f64[n])", "%r#0")),
        inv("duplicate_node_name", "E0304", "two nodes named %t", ["add", "mul"],
            fn("%a: f64[n], %b: f64[n]", "%y: f64[n]",
               ["%t = add (%a, %b) : f64[n]", "%t = mul (%a, %b) : f64[n]",
                "%y = add (%t, %a) : f64[n]"], "%y")),
        inv("duplicate_param_node_name", "E0304", "a node named like a param", ["neg"],
            fn("%a: f64[n]", "%y: f64[n]", ["%a = neg (%a) : f64[n]", "%y = neg (%a) : f64[n]"],
               "%y")),
        inv("duplicate_param_name", "E0304", "two params named %a", ["add"],
            one("%a: f64[n], %a: f64[n]", "%y: f64[n]", "%y = add (%a, %a) : f64[n]")),
        inv("return_count", "E0305", "a function with two results returning one", ["add"],
            one("%a: f64[n], %b: f64[n]", "%y: f64[n], %z: f64[n]",
                "%y = add (%a, %b) : f64[n]")),
        inv("return_type", "E0305", "returning f32 for a declared f64 result", ["cast"],
            one("%a: f64[n]", "%y: f64[n]", "%y = cast {dtype = f32} (%a) : f32[n]")),
        inv("out_param_read", "E0306", "an out param read in the body", ["add"],
            one("%a: f64[n], out %o: f64[n]", "", "%y = add (%a, %o) : f64[n]")),
        inv("result_count_call", "E0303", "a call declaring two results of a one-result callee",
            ["call", "neg"],
            one("%x: f64[n]", "%y: f64[n]",
                "%r:2 = call {callee = @helper} (%x) : (f64[n], f64[n])", "%r#0") + "\n" +
            fn("%x: f64[n]", "%y: f64[n]", ["%y = neg (%x) : f64[n]"], "%y", name="helper")),
        inv("out_param_yielded", "E0306", "an out param yielded as its own value", [],
            fn("%a: f64[n], out %o: f64[n]", "", [], "%o")),
        inv("return_missing_inout", "E0305", "a body that yields nothing for its inout param",
            ["neg"], one("%a: f64[n], inout %b: f64[n]", "%y: f64[n]",
                         "%y = neg (%a) : f64[n]")),
    ]


def function_cases():
    """Validator: functions, calls, regions, decompositions (E04xx)."""
    return [
        inv("duplicate_function", "E0401", "two functions named @helper", ["call", "neg"],
            one("%x: f64[n]", "%y: f64[n]", "%y = call {callee = @helper} (%x) : f64[n]") +
            "\n" + HELPER + "\n" + HELPER),
        inv("unknown_callee", "E0402", "a call of a function the module does not have",
            ["call"], one("%x: f64[n]", "%y: f64[n]",
                          "%y = call {callee = @nowhere} (%x) : f64[n]")),
        inv("unknown_decomposition", "E0402", "a custom op whose decomposition does not exist",
            ["custom"], one("%x: f64[n]", "%y: f64[n]",
                            '%y = custom {domain = "mylib", name = "softplus", decomposition = '
                            "@missing} (%x) : f64[n]")),
        inv("recursion_self", "E0403", "a function that calls itself", ["call"],
            one("%x: f64[n]", "%y: f64[n]", "%y = call {callee = @main} (%x) : f64[n]")),
        inv("recursion_mutual", "E0403", "two functions that call each other", ["call"],
            one("%x: f64[n]", "%y: f64[n]", "%y = call {callee = @ping} (%x) : f64[n]") + "\n" +
            fn("%x: f64[n]", "%y: f64[n]", ["%y = call {callee = @pong} (%x) : f64[n]"], "%y",
               name="ping") + "\n" +
            fn("%x: f64[n]", "%y: f64[n]", ["%y = call {callee = @ping} (%x) : f64[n]"], "%y",
               name="pong")),
        inv("call_arity", "E0404", "a call with two arguments to a one-param function",
            ["call"], one("%x: f64[n]", "%y: f64[n]",
                          "%y = call {callee = @helper} (%x, %x) : f64[n]") + "\n" + HELPER),
        inv("call_dtype", "E0404", "a call with an f32 argument for an f64 param", ["call"],
            one("%x: f32[n]", "%y: f64[n]", "%y = call {callee = @helper} (%x) : f64[n]") +
            "\n" + HELPER),
        inv("region_param_type", "E0405", "a for body whose carried param has the wrong dtype",
            ["for", "constant"],
            fn("%x: f64", "%s: f64",
               ["%lo = constant {value = i64 0} () : i64",
                "%hi = constant {value = i64 3} () : i64",
                "%one = constant {value = i64 1} () : i64",
                "%s = for (%lo, %hi, %one, %x) : f64 {",
                "  (%i: i64, %acc: f32):",
                "  yield %acc",
                "}"], "%s")),
        inv("region_yield_count", "E0405", "a for body yielding two values for one carried",
            ["for", "constant"],
            fn("%x: f64", "%s: f64",
               ["%lo = constant {value = i64 0} () : i64",
                "%hi = constant {value = i64 3} () : i64",
                "%one = constant {value = i64 1} () : i64",
                "%s = for (%lo, %hi, %one, %x) : f64 {",
                "  (%i: i64, %acc: f64):",
                "  yield %acc, %acc",
                "}"], "%s")),
    ]


def function_cases_2():
    """Validator: functions, calls, regions, decompositions (E04xx)."""
    return [
        inv("region_if_branches_differ", "E0405", "an if whose else branch yields i64 for an "
            "f64 result", ["if", "cast"],
            fn("%c: bool, %x: f64", "%y: f64",
               ["%y = if (%c, %x) : f64 {",
                "  (%a: f64):",
                "  yield %a",
                "} {",
                "  (%b: f64):",
                "  %t = cast {dtype = i64} (%b) : i64",
                "  yield %t",
                "}"], "%y")),
        inv("bad_decomposition", "E0406", "a decomposition whose param type differs from the "
            "operand", ["custom", "neg"],
            one("%x: f64[n]", "%y: f64[n]",
                '%y = custom {domain = "mylib", name = "negate", decomposition = @neg_ref} '
                "(%x) : f64[n]") + "\n" +
            fn("%x: f32[n]", "%y: f32[n]", ["%y = neg (%x) : f32[n]"], "%y", name="neg_ref")),
        inv("region_more_results_than_operands", "E0405", "a for declaring two results for one "
            "carried operand", ["for", "constant"],
            fn("%x: f64", "%s: f64", LOOP + ["%r:2 = for (%lo, %hi, %one, %x) : (f64, f64) {",
                                          "  (%i: i64, %a: f64, %b: f64):", "  yield %a, %b",
                                          "}"], "%r#0")),
    ]


FAMILIES = [reader_syntax_cases, reader_other_cases, dtype_cases, dtype_cases_2, shape_attr_cases,
            shape_attr_cases_2, declared_type_cases, declared_type_cases_2, structure_cases,
            function_cases, function_cases_2]


def cases():
    return [c for family in FAMILIES for c in family()]
