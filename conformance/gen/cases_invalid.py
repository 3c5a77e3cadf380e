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
    lines += [f"  return {ret}", "}"]
    return "\n".join(lines) + "\n"


def reader_cases():
    ok = fn("%a: f64[n], %b: f64[n]", "%y: f64[n]", ["%y = add (%a, %b) : f64[n]"], "%y")
    rank33 = "f64[" + ", ".join(["1"] * 33) + "]"
    return [
        inv("syntax_missing_paren", "E0101", "an operand list without its closing parenthesis",
            ["add"], fn("%a: f64[n], %b: f64[n]", "%y: f64[n]",
                        ["%y = add (%a, %b : f64[n]"], "%y")),
        inv("syntax_missing_return", "E0101", "a function body without `return`", ["add"],
            "func @main(%a: f64[n], %b: f64[n]) -> (%y: f64[n]) {\n"
            "  %y = add (%a, %b) : f64[n]\n}\n"),
        inv("syntax_function_without_at", "E0101", "a function name without `@`", ["add"],
            ok.replace("func @main", "func main")),
        inv("syntax_unterminated_string", "E0101", "an unterminated string in `meta`", ["add"],
            ok, head='air 1 opset 1\nmeta "source" = "x.air\n\n'),
        inv("syntax_missing_type", "E0101", "a statement without its result type", ["add"],
            fn("%a: f64[n], %b: f64[n]", "%y: f64[n]", ["%y = add (%a, %b)"], "%y")),
        inv("unknown_op", "E0102", "an op name outside op set v1", [],
            fn("%x: f64[n]", "%y: f64[n]", ["%y = frobnicate (%x) : f64[n]"], "%y")),
        inv("unknown_op_reduce_median", "E0102", "reduce_median is not an op of op set v1", [],
            fn("%x: f64[n]", "%y: f64", ["%y = reduce_median {axes = [0]} (%x) : f64"], "%y")),
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
        inv("version_ir", "E0104", "ir version 2 is not readable by a version-1 reader", ["add"],
            ok, head="air 2 opset 1\n\n"),
        inv("version_opset", "E0104", "op set 99 is not readable", ["add"], ok,
            head="air 1 opset 99\n\n"),
        inv("limit_rank", "E0105", "a type of rank 33 exceeds the rank limit (32)", ["neg"],
            fn(f"%x: {rank33}", f"%y: {rank33}", [f"%y = neg (%x) : {rank33}"], "%y")),
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
    ]


def one(params, results, stmt, ret="%y"):
    return fn(params, results, [stmt], ret)


def type_cases():
    return [
        inv("dtype_mismatch_add", "E0201", "add of f64[n] and f32[n]", ["add"],
            one("%a: f64[n], %b: f32[n]", "%y: f64[n]", "%y = add (%a, %b) : f64[n]")),
        inv("dtype_mismatch_concat", "E0201", "concat of i32 and i64", ["concat"],
            one("%a: i32[n], %b: i64[m]", "%y: i32[m+n]",
                "%y = concat {axis = 0} (%a, %b) : i32[m+n]")),
        inv("dtype_not_accepted_sin", "E0202", "sin on i32", ["sin"],
            one("%x: i32[n]", "%y: i32[n]", "%y = sin (%x) : i32[n]")),
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
            ["filter"], one("%x: f64[n], %k: bool[m]", "%y: f64[p]",
                            "%y = filter (%x, %k) : f64[p]")),
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
        inv("slice_step_zero", "E0210", "a slice with step 0", ["slice"],
            one("%x: f64[8]", "%y: f64[k]", "%y = slice {axes = [0:4:0]} (%x) : f64[k]")),
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
        inv("rank_filter_2d", "E0215", "filter of a rank-2 operand", ["filter"],
            one("%x: f64[n, m], %k: bool[n, m]", "%y: f64[p]", "%y = filter (%x, %k) : f64[p]")),
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
    ]


def structure_cases():
    loop = ["%lo = constant {value = i64 0} () : i64",
            "%hi = constant {value = i64 3} () : i64",
            "%one = constant {value = i64 1} () : i64"]
    return [
        inv("result_index_out_of_range", "E0302", "#2 of a node with two results",
            ["for", "constant", "add"],
            fn("%a: f64, %b: f64", "%y: f64",
               loop + ["%r:2 = for (%lo, %hi, %one, %a, %b) : (f64, f64) {",
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
    ]


def function_cases():
    helper = fn("%x: f64[n]", "%y: f64[n]", ["%y = neg (%x) : f64[n]"], "%y", name="helper")
    return [
        inv("duplicate_function", "E0401", "two functions named @helper", ["call", "neg"],
            one("%x: f64[n]", "%y: f64[n]", "%y = call {callee = @helper} (%x) : f64[n]") +
            "\n" + helper + "\n" + helper),
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
                          "%y = call {callee = @helper} (%x, %x) : f64[n]") + "\n" + helper),
        inv("call_dtype", "E0404", "a call with an f32 argument for an f64 param", ["call"],
            one("%x: f32[n]", "%y: f64[n]", "%y = call {callee = @helper} (%x) : f64[n]") +
            "\n" + helper),
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
    ]


def cases():
    return reader_cases() + type_cases() + structure_cases() + function_cases()
