/* test_lang_features.c -- cmocka tests of the language's tensor sugar and
 * the functions behind it: X ** n, X.T, X[...], shape, concat / stack,
 * max / min / abs, elementwise and floor division, lists as tuples,
 * newlines inside brackets, `or` in where, '//' in shapes and the note a
 * '/' there leaves (src/lang/parser.c, eval/builtins_lang.c,
 * kernel/tensor_order.c, lang/proof_*.c).
 *
 * Every expected tensor was worked out by hand (the arithmetic is in the
 * comment beside it) and is written as text parsed with GMP's
 * mpq_set_str, so nothing expected comes from the code under test.  Error
 * columns were counted by hand from the expression strings.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allshapes/all_shapes.h"
#include "eval/eval.h"
#include "kernel/ring_poly.h"
#include "lang/parser.h"
#include "lang/proof.h"

/* ---- helpers ------------------------------------------------------------- */

static void bind(cvp_env *env, const char *name, int rank,
                 const size_t *shape, const char *entries)
{
    cvp_tensor_t t;
    cvp_tensor_init(t);
    tu_fractions(t, rank, shape, entries);
    cvp_error err;
    assert_int_equal(cvp_env_bind(env, name, t, &err), CVP_OK);
    cvp_tensor_clear(t);
}

/* The environment of most tests: X = [[1, 2, 3], [4, 5, 6]]. */
static void bind_x(cvp_env *env)
{
    cvp_env_init(env);
    bind(env, "X", 2, (size_t[]){2, 3}, "1 2 3 4 5 6");
}

static void expect_tensor(const cvp_env *env, const char *source, int rank,
                          const size_t *shape, const char *entries)
{
    cvp_value v;
    cvp_value_init(&v);
    cvp_lang_error err;
    cvp_lang_error_clear(&err);
    if (cvp_eval_text(&v, source, strlen(source), env, "<expr>", &err)
        != CVP_OK)
        fail_msg("\"%s\" failed: %d:%d: %s", source, err.pos.line,
                 err.pos.col, err.message);
    if (v.kind != CVP_VALUE_TENSOR)
        fail_msg("\"%s\" is not a tensor", source);
    cvp_tensor_t want;
    cvp_tensor_init(want);
    tu_fractions(want, rank, shape, entries);
    if (!cvp_tensor_equal(v.tensor, want))
        fprintf(stderr, "expression: %s\n", source);
    tu_assert_equal(v.tensor, want);
    cvp_tensor_clear(want);
    cvp_value_clear(&v);
}

/* An error with `status` at column `col` of line 1 whose message holds
 * `fragment`. */
static void expect_error(const cvp_env *env, const char *source,
                         cvp_status status, int col, const char *fragment)
{
    cvp_value v;
    cvp_value_init(&v);
    cvp_lang_error err;
    cvp_lang_error_clear(&err);
    cvp_status got = cvp_eval_text(&v, source, strlen(source), env, "<expr>",
                                   &err);
    if (got != status || err.pos.line != 1 || err.pos.col != col
        || strstr(err.message, fragment) == NULL)
        fail_msg("\"%s\": got status %d at %d:%d \"%s\"; want %d at 1:%d "
                 "\"%s\"", source, (int)got, err.pos.line, err.pos.col,
                 err.message, (int)status, col, fragment);
    assert_string_equal(err.source, "<expr>");
    cvp_value_clear(&v);
}

static void expect_tree(const char *source, const char *want)
{
    cvp_ast_tree tree;
    cvp_ast_tree_init(&tree);
    cvp_lang_error err;
    cvp_lang_error_clear(&err);
    if (cvp_parse_expression(&tree, source, strlen(source), "<expr>", &err)
        != CVP_OK)
        fail_msg("\"%s\" does not parse: %s", source, err.message);
    char got[256];
    cvp_ast_to_string(got, sizeof got, tree.root);
    if (strcmp(got, want) != 0)
        fail_msg("\"%s\" parses as \"%s\", want \"%s\"", source, got, want);
    cvp_ast_tree_clear(&tree);
}

/* ---- syntax ------------------------------------------------------------------ */

static void test_sugar_trees(void **state)
{
    (void)state;
    /* '**' binds tighter than a sign on its left, and to the right */
    expect_tree("-X ** 2", "(-pow(X, 2))");
    expect_tree("2 ** 3 ** 2", "pow(2, pow(3, 2))");
    expect_tree("X ** -1", "pow(X, (-1))");
    expect_tree("A * B ** 2", "(A * pow(B, 2))");
    expect_tree("X.T", "transpose(X)");
    expect_tree("(A @ B).T.T", "transpose(transpose((A @ B)))");
    expect_tree("X[0]", "index(X, 0)");
    expect_tree("X[0:2, :]", "index(X, slice(start=0, stop=2), slice())");
    expect_tree("X[::2, 1:]", "index(X, slice(step=2), slice(start=1))");
    expect_tree("X[1].T", "transpose(index(X, 1))");
    expect_tree("a // b * c", "(floordiv(a, b) * c)");
    /* an implementation's operation T stays a call */
    expect_tree("impl.T(X)", "impl.T(X)");
}

static void test_syntax_errors(void **state)
{
    (void)state;
    static const struct {
        const char *source;
        int col;
        const char *fragment;
    } cases[] = {
        {"(X).foo", 5, "expected 'T' after '.'"},
        {"X[]", 2, "an index needs at least one subscript"},
        {"X[0:1:2:3]", 8, "a slice has at most start:stop:step"},
        {"X[0 1]", 5, "expected ',', ':' or ']' to close '[' at column 2"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cvp_ast_tree tree;
        cvp_ast_tree_init(&tree);
        cvp_lang_error err;
        cvp_lang_error_clear(&err);
        cvp_status st = cvp_parse_expression(&tree, cases[i].source,
                                             strlen(cases[i].source),
                                             "<expr>", &err);
        if (st != CVP_ERR_INPUT || err.pos.col != cases[i].col
            || strstr(err.message, cases[i].fragment) == NULL)
            fail_msg("\"%s\": got %d at 1:%d \"%s\"", cases[i].source,
                     (int)st, err.pos.col, err.message);
        cvp_ast_tree_clear(&tree);
    }
}

/* ---- values ------------------------------------------------------------------ */

static void test_power_and_transpose(void **state)
{
    (void)state;
    cvp_env env;
    bind_x(&env);
    /* 1^3, 2^3, ... */
    expect_tensor(&env, "X ** 3", 2, (size_t[]){2, 3}, "1 8 27 64 125 216");
    expect_tensor(&env, "X ** 0", 2, (size_t[]){2, 3}, "1 1 1 1 1 1");
    expect_tensor(&env, "(X / 2) ** 2", 2, (size_t[]){2, 3},
                  "1/4 1 9/4 4 25/4 9");
    expect_tensor(&env, "2 ** 3 ** 2", 0, NULL, "512");
    expect_tensor(&env, "-2 ** 2", 0, NULL, "-4");
    expect_tensor(&env, "(-2) ** 2", 0, NULL, "4");
    expect_tensor(&env, "X.T", 2, (size_t[]){3, 2}, "1 4 2 5 3 6");
    /* rows of X dotted: 1+4+9 = 14, 4+10+18 = 32, 16+25+36 = 77 */
    expect_tensor(&env, "X @ X.T", 2, (size_t[]){2, 2}, "14 32 32 77");
    /* rank 1 unchanged; rank 3 reverses its axes (PyTorch's .T) */
    expect_tensor(&env, "X[0].T", 1, (size_t[]){3}, "1 2 3");
    expect_tensor(&env, "shape(reshape(X, (1, 2, 3)).T)", 1, (size_t[]){3},
                  "3 2 1");
    expect_tensor(&env, "reshape(X, (1, 2, 3)).T[:, :, 0]", 2,
                  (size_t[]){3, 2}, "1 4 2 5 3 6");
    cvp_env_clear(&env);
}

static void test_shape_and_index(void **state)
{
    (void)state;
    cvp_env env;
    bind_x(&env);
    expect_tensor(&env, "shape(X)", 1, (size_t[]){2}, "2 3");
    expect_tensor(&env, "shape(5)", 1, (size_t[]){0}, "");
    expect_tensor(&env, "X[0]", 1, (size_t[]){3}, "1 2 3");
    expect_tensor(&env, "X[-1]", 1, (size_t[]){3}, "4 5 6");
    expect_tensor(&env, "X[1, -1]", 0, NULL, "6");
    expect_tensor(&env, "X[:, 1]", 1, (size_t[]){2}, "2 5");
    expect_tensor(&env, "X[0:1]", 2, (size_t[]){1, 3}, "1 2 3");
    expect_tensor(&env, "X[:, ::2]", 2, (size_t[]){2, 2}, "1 3 4 6");
    /* ends clamp as in Python; -2: is the last two */
    expect_tensor(&env, "X[:, 1:100]", 2, (size_t[]){2, 2}, "2 3 5 6");
    expect_tensor(&env, "X[:, -2:]", 2, (size_t[]){2, 2}, "2 3 5 6");
    expect_tensor(&env, "X[1:0]", 2, (size_t[]){0, 3}, "");
    expect_tensor(&env, "index(X, 1, slice(0, 2))", 1, (size_t[]){2}, "4 5");
    cvp_env_clear(&env);
}

static void test_concat_stack(void **state)
{
    (void)state;
    cvp_env env;
    bind_x(&env);
    expect_tensor(&env, "concat([X, X[0:1]])", 2, (size_t[]){3, 3},
                  "1 2 3 4 5 6 1 2 3");
    expect_tensor(&env, "cat((X, X), dim=-1)", 2, (size_t[]){2, 6},
                  "1 2 3 1 2 3 4 5 6 4 5 6");
    expect_tensor(&env, "concat([X[:, 2:], X[:, :2]], dim=1)", 2,
                  (size_t[]){2, 3}, "3 1 2 6 4 5");
    expect_tensor(&env, "stack([X[0], X[1]], dim=1)", 2, (size_t[]){3, 2},
                  "1 4 2 5 3 6");
    expect_tensor(&env, "stack([X, 2 * X])[1, 0]", 1, (size_t[]){3},
                  "2 4 6");
    expect_tensor(&env, "stack([1, 2])", 1, (size_t[]){2}, "1 2");
    cvp_env_clear(&env);
}

static void test_order_functions(void **state)
{
    (void)state;
    cvp_env env;
    bind_x(&env);
    expect_tensor(&env, "max(X, 3)", 2, (size_t[]){2, 3}, "3 3 3 4 5 6");
    expect_tensor(&env, "min(X, [[2], [5]])", 2, (size_t[]){2, 3},
                  "1 2 2 4 5 5");
    expect_tensor(&env, "abs(X - 4)", 2, (size_t[]){2, 3}, "3 2 1 0 1 2");
    expect_tensor(&env, "abs(-1/2)", 0, NULL, "1/2");
    expect_tensor(&env, "max(X)", 0, NULL, "6");
    expect_tensor(&env, "min(X - 7)", 0, NULL, "-6");
    cvp_env_clear(&env);
}

static void test_division(void **state)
{
    (void)state;
    cvp_env env;
    bind_x(&env);
    /* row [4, 5, 6] / [1, 2, 3] = [4, 5/2, 2] */
    expect_tensor(&env, "X / [1, 2, 3]", 2, (size_t[]){2, 3},
                  "1 1 1 4 5/2 2");
    expect_tensor(&env, "X / [[2], [4]]", 2, (size_t[]){2, 3},
                  "1/2 1 3/2 1 5/4 3/2");
    expect_tensor(&env, "X / X", 2, (size_t[]){2, 3}, "1 1 1 1 1 1");
    expect_tensor(&env, "7 // 2", 0, NULL, "3");
    expect_tensor(&env, "-7 // 2", 0, NULL, "-4");
    expect_tensor(&env, "X // 2", 2, (size_t[]){2, 3}, "0 1 1 2 2 3");
    expect_tensor(&env, "X // (2/3)", 2, (size_t[]){2, 3}, "1 3 4 6 7 9");
    cvp_env_clear(&env);
}

static void test_lists_as_tuples(void **state)
{
    (void)state;
    cvp_env env;
    bind_x(&env);
    expect_tensor(&env, "reshape(X, [3, 2])", 2, (size_t[]){3, 2},
                  "1 2 3 4 5 6");
    expect_tensor(&env, "transpose(X, [1, 0])", 2, (size_t[]){3, 2},
                  "1 4 2 5 3 6");
    /* a 1x1 kernel of 1 at stride 2 picks every other entry: rows 0 and
     * 2 do not exist (H = 2), so row 0, columns 0 and 2 */
    expect_tensor(&env, "conv2d(reshape(X, [1, 1, 2, 3]), [[[[1]]]], "
                        "stride=[2, 2])", 4, (size_t[]){1, 1, 1, 2}, "1 3");
    cvp_env_clear(&env);
}

static void test_errors_located(void **state)
{
    (void)state;
    cvp_env env;
    bind_x(&env);
    expect_error(&env, "X[2]", CVP_ERR_INPUT, 3,
                 "index: index 2 is out of range for axis 0 of size 2");
    expect_error(&env, "X[0, 0, 0]", CVP_ERR_INPUT, 9,
                 "too many subscripts: 3 for a tensor of rank 2");
    expect_error(&env, "X[0:1:0]", CVP_ERR_INPUT, 7,
                 "step must be at least 1");
    expect_error(&env, "X[1/2]", CVP_ERR_INPUT, 4, "must be an integer");
    expect_error(&env, "X ** -1", CVP_ERR_INPUT, 6,
                 "pow: exponent must be at least 0, got -1");
    expect_error(&env, "X ** 1.5", CVP_ERR_INPUT, 6,
                 "exponent must be an integer");
    expect_error(&env, "X ** 1001", CVP_ERR_INPUT, 6,
                 "exponent 1001 is larger than 1000");
    expect_error(&env, "X / [1, 0, 2]", CVP_ERR_UNDEFINED, 3,
                 "division by zero: entry [1] of the divisor is 0");
    expect_error(&env, "X / [[1], [0]]", CVP_ERR_UNDEFINED, 3,
                 "division by zero: entry [1,0] of the divisor is 0");
    expect_error(&env, "X / [1, 2]", CVP_ERR_INPUT, 3, "do not broadcast");
    expect_error(&env, "7 // 0", CVP_ERR_UNDEFINED, 6,
                 "floordiv: division by zero");
    expect_error(&env, "max(X, [1, 2])", CVP_ERR_INPUT, 1,
                 "max: shapes [2, 3] and [2] do not broadcast");
    expect_error(&env, "max(X[0:0])", CVP_ERR_INPUT, 1,
                 "max: the input has no entries");
    expect_error(&env, "concat([X, X[0]])", CVP_ERR_INPUT, 1,
                 "concat: tensor 2 has shape [3] but tensor 1 has shape "
                 "[2, 3]");
    expect_error(&env, "concat(X)", CVP_ERR_INPUT, 8,
                 "tensors must be a non-empty list or tuple of tensors");
    expect_error(&env, "concat([X, X], dim=2)", CVP_ERR_INPUT, 20,
                 "dim 2 is outside -2..1");
    expect_error(&env, "stack([X, X.T])", CVP_ERR_INPUT, 1,
                 "stack: tensor 2 has shape [3, 2] but tensor 1 has shape "
                 "[2, 3]");
    expect_error(&env, "shape(true)", CVP_ERR_INPUT, 7,
                 "argument 'input' must be a tensor");
    expect_error(&env, "conv2d(reshape(X, [1, 1, 2, 3]), [[[[1]]]], "
                       "stride=[1, 1, 1])", CVP_ERR_INPUT, 52,
                 "stride must be an integer or a pair");
    cvp_env_clear(&env);
}

/* ---- conv1d and conv3d ---------------------------------------------------- */

static void test_conv_nd(void **state)
{
    (void)state;
    cvp_env env;
    cvp_env_init(&env);
    /* [1, 2, 3, 4] (x) [1, -1]: 1-2, 2-3, 3-4 */
    expect_tensor(&env, "conv1d([[[1, 2, 3, 4]]], [[[1, -1]]])", 3,
                  (size_t[]){1, 1, 3}, "-1 -1 -1");
    /* padded [0, 1, 2, 3, 4, 0] at stride 2: 0-1, 2-3, 4-0, plus 10 */
    expect_tensor(&env, "conv1d([[[1, 2, 3, 4]]], [[[1, -1]]], [10], "
                        "stride=2, padding=1)", 3, (size_t[]){1, 1, 3},
                  "9 9 14");
    /* unbatched, dilation 2: x0 + x4 = 1 + 5 */
    expect_tensor(&env, "conv1d([[1, 2, 3, 4, 5]], [[[1, 0, 1]]], "
                        "dilation=2)", 2, (size_t[]){1, 1}, "6");
    /* groups=2: channel 0 times 1, channel 1 times 2 */
    expect_tensor(&env, "conv1d([[[1, 2], [3, 4]]], [[[1]], [[2]]], "
                        "groups=2)", 3, (size_t[]){1, 2, 2}, "1 2 6 8");
    /* a 2x1x1 kernel of ones adds the two depth slices: 1+5, 2+6, ... */
    expect_tensor(&env, "conv3d([[[[[1, 2], [3, 4]], [[5, 6], [7, 8]]]]], "
                        "[[[[[1]], [[1]]]]])", 5, (size_t[]){1, 1, 1, 2, 2},
                  "6 8 10 12");
    /* unbatched, a 2x2x2 kernel of ones, height padded by 1: row 0 of
     * both slices (1+2+5+6), all (36), row 1 (3+4+7+8) */
    expect_tensor(&env, "conv3d([[[[1, 2], [3, 4]], [[5, 6], [7, 8]]]], "
                        "[[[[[1, 1], [1, 1]], [[1, 1], [1, 1]]]]], "
                        "padding=(0, 1, 0))", 4, (size_t[]){1, 1, 3, 1},
                  "14 36 22");
    /* the cost model: N O Lo Cg kL = 1 * 1 * 3 * 1 * 2 */
    expect_tensor(&env, "mults(conv1d([[[1, 2, 3, 4]]], [[[1, -1]]]))", 0,
                  NULL, "6");
    expect_error(&env, "conv1d([[[1, 2]]], [[[1, 2, 3]]])", CVP_ERR_INPUT, 1,
                 "conv1d: output length would be empty");
    expect_error(&env, "conv3d([[[[1]]]], [[[[[1]]]]], stride=(1, 1))",
                 CVP_ERR_INPUT, 39,
                 "conv3d: stride must be an integer or 3 integers, got 2");
    expect_error(&env, "conv1d([[[1, 2]]], [[[1]]], padding=-1)",
                 CVP_ERR_INPUT, 37, "padding must be at least 0, got -1");
    expect_error(&env, "conv1d([1, 2], [[[1]]])", CVP_ERR_INPUT, 1,
                 "argument X (input) must have rank 3 (N, C, L) or 2");
    expect_error(&env, "conv3d([[[[[1]]]]], [[[[[1]]]]], [1, 2])",
                 CVP_ERR_INPUT, 1, "bias must have shape [1]");
    cvp_env_clear(&env);
}

/* ---- derivatives: max, min, abs are kinks like ReLU ------------------------ */

static void test_derivatives_at_kinks(void **state)
{
    (void)state;
    cvp_env env;
    cvp_env_init(&env);
    bind(&env, "a", 1, (size_t[]){2}, "-2 3");
    bind(&env, "z", 1, (size_t[]){2}, "0 1");
    bind(&env, "t", 1, (size_t[]){2}, "1 1");
    /* d|a|/da = sign(a) away from 0 */
    expect_tensor(&env, "grad(sum(abs(a)), a)", 1, (size_t[]){2}, "-1 1");
    /* max(a, 0) * a is 0 for a = -2 and a^2 for a = 3: slopes 0 and 6 */
    expect_tensor(&env, "grad(sum(max(a, 0) * a), a)", 1, (size_t[]){2},
                  "0 6");
    expect_tensor(&env, "grad(sum(min(a, [1, 1])), a)", 1, (size_t[]){2},
                  "1 0");
    /* 3 a^2 = 12, 27 */
    expect_tensor(&env, "grad(sum(a ** 3), a)", 1, (size_t[]){2}, "12 27");
    /* a tie of equal slopes is no kink */
    expect_tensor(&env, "grad(sum(max(t, t)), t)", 1, (size_t[]){2}, "1 1");
    expect_tensor(&env, "grad(a[1] * a[0], a)", 1, (size_t[]){2}, "3 -2");
    /* at 0, and at a tied maximum, there is no derivative */
    expect_error(&env, "grad(sum(abs(z)), z)", CVP_ERR_NOT_DIFFERENTIABLE, 1,
                 "no derivative");
    expect_error(&env, "grad(max(t), t)", CVP_ERR_NOT_DIFFERENTIABLE, 1,
                 "no derivative");
    expect_error(&env, "grad(sum(min(t, 1)), t)", CVP_ERR_NOT_DIFFERENTIABLE,
                 1, "no derivative");
    /* dividing by the variable is not a polynomial step of the dual
     * numbers: an explicit refusal, never a wrong slope */
    expect_error(&env, "grad(sum(1 / a), a)", CVP_ERR_UNSUPPORTED, 12,
                 "not a polynomial operation");
    cvp_env_clear(&env);
}

/* Over polynomials (the symbolic method) the order functions, a
 * divisor that depends on the inputs and an integer read from an input
 * are refused; the sugar that is polynomial evaluates. */
static void test_polynomial_ring(void **state)
{
    (void)state;
    cvp_ring P;
    cvp_ring_poly_init(&P, 1000);
    cvp_env env;
    cvp_env_init(&env);
    cvp_tensor_t x;
    cvp_tensor_init_ring(x, &P);
    cvp_error kerr;
    assert_int_equal(cvp_tensor_resize(x, 1, (size_t[]){2}, &kerr), CVP_OK);
    cvp_poly_set_var(&P, cvp_tensor_elem(x, 0), cvp_ring_poly_add_var(&P, "x0"));
    cvp_poly_set_var(&P, cvp_tensor_elem(x, 1), cvp_ring_poly_add_var(&P, "x1"));
    assert_int_equal(cvp_env_bind(&env, "x", x, &kerr), CVP_OK);
    static const struct {
        const char *source;
        cvp_status status;
        int col;
        const char *fragment;
    } cases[] = {
        {"max(x, 0)", CVP_ERR_UNSUPPORTED, 1, "needs an ordered ring"},
        {"abs(x)", CVP_ERR_UNSUPPORTED, 1, "needs an ordered ring"},
        {"min(x)", CVP_ERR_UNSUPPORTED, 1, "needs an ordered ring"},
        {"1 / x", CVP_ERR_UNSUPPORTED, 3, "not a polynomial operation"},
        {"x // 2", CVP_ERR_UNSUPPORTED, 3, "not a polynomial operation"},
        {"x ** x[0]", CVP_ERR_UNSUPPORTED, 7, "depends on the inputs"},
        {"x[x[0]]", CVP_ERR_UNSUPPORTED, 4, "depends on the inputs"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cvp_ast_tree tree;
        cvp_ast_tree_init(&tree);
        cvp_lang_error err;
        cvp_lang_error_clear(&err);
        assert_int_equal(cvp_parse_expression(&tree, cases[i].source,
                                              strlen(cases[i].source),
                                              "<expr>", &err), CVP_OK);
        cvp_value v;
        cvp_value_init(&v);
        cvp_status st = cvp_eval_in(&v, tree.root, &env, NULL, &P, "<expr>",
                                    &err);
        if (st != cases[i].status || err.pos.col != cases[i].col
            || strstr(err.message, cases[i].fragment) == NULL)
            fail_msg("\"%s\": got %d at 1:%d \"%s\"", cases[i].source,
                     (int)st, err.pos.col, err.message);
        cvp_value_clear(&v);
        cvp_ast_tree_clear(&tree);
    }
    /* (x0 + x1) ** 2 - x0 ** 2 - x1 ** 2 - 2 x0 x1 is the zero polynomial,
     * and concatenation, slicing and .T move polynomials unchanged */
    static const char *const zero[] = {
        "sum(x) ** 2 - x[0] ** 2 - x[1] ** 2 - 2 * x[0] * x[1]",
        "concat([x[1:], x[:1]]) - stack([x[1], x[0]])",
        "x.T - x[::1]",
    };
    for (size_t i = 0; i < sizeof zero / sizeof zero[0]; i++) {
        cvp_ast_tree tree;
        cvp_ast_tree_init(&tree);
        cvp_lang_error err;
        cvp_lang_error_clear(&err);
        assert_int_equal(cvp_parse_expression(&tree, zero[i], strlen(zero[i]),
                                              "<expr>", &err), CVP_OK);
        cvp_value v;
        cvp_value_init(&v);
        if (cvp_eval_in(&v, tree.root, &env, NULL, &P, "<expr>", &err)
            != CVP_OK)
            fail_msg("\"%s\": %s", zero[i], err.message);
        for (size_t k = 0; k < v.tensor->size; k++)
            assert_true(P.is_zero(&P, cvp_tensor_elem(v.tensor, k)));
        cvp_value_clear(&v);
        cvp_ast_tree_clear(&tree);
    }
    cvp_tensor_clear(x);
    cvp_env_clear(&env);
    cvp_ring_poly_clear(&P);
}

/* ---- proof files ----------------------------------------------------------- */

static void parse_ok(cvp_proof_file *file, const char *text)
{
    cvp_lang_error err;
    cvp_lang_error_clear(&err);
    cvp_proof_file_init(file);
    if (cvp_proof_parse(file, text, strlen(text), "t.proof", &err) != CVP_OK)
        fail_msg("does not parse: %d:%d: %s", err.pos.line, err.pos.col,
                 err.message);
}

static void test_where_or(void **state)
{
    (void)state;
    cvp_proof_file file;
    parse_ok(&file, "claim \"t\" {\n"
                    "  dim M in 0..9\n"
                    "  where M <= 2 or M == 5 or 8 // M == 1, M >= 0\n"
                    "  tensor X[M]\n"
                    "  show X == X\n"
                    "}\n");
    assert_int_equal(file.note_count, 0);
    const cvp_proof_claim *claim = &file.claims[0];
    assert_int_equal(claim->constraint_count, 2);
    /* M <= 2, or M == 5, or 8 // M == 1 (M in 5..8; M = 0 cannot be
     * evaluated): 0 1 2 5 6 7 8 */
    static const bool want[10] = {true, true, true, false, false, true, true,
                                  true, true, false};
    for (long m = 0; m <= 9; m++) {
        bool holds = false;
        bool evaluated = cvp_proof_constraint_eval(&holds, &claim->constraints[0],
                                                   &m);
        assert_true(evaluated);
        if (holds != want[m])
            fail_msg("M = %ld: got %d, want %d", m, holds, want[m]);
    }
    cvp_proof_file_clear(&file);
}

static void test_where_or_error(void **state)
{
    (void)state;
    const char *text = "claim \"t\" {\n"
                       "  dim M in 0..9\n"
                       "  where M <= 2 or\n"
                       "}\n";
    cvp_proof_file file;
    cvp_proof_file_init(&file);
    cvp_lang_error err;
    cvp_lang_error_clear(&err);
    assert_int_equal(cvp_proof_parse(&file, text, strlen(text), "t.proof",
                                     &err), CVP_ERR_INPUT);
    char line[512];
    cvp_lang_error_format(line, sizeof line, &err);
    assert_string_equal(line, "t.proof:3:18: expected a shape expression (an "
                              "integer, a dim or '('), found newline");
    cvp_proof_file_clear(&file);
}

static void test_floor_division_note(void **state)
{
    (void)state;
    cvp_proof_file file;
    parse_ok(&file, "claim \"t\" {\n"
                    "  dim M in 1..4\n"
                    "  tensor X[M // 2 + 1]\n"
                    "  tensor Y[M / 2 + 1]\n"
                    "  show X == Y\n"
                    "}\n");
    /* both mean floor division: for M = 3, 3 // 2 + 1 = 2 */
    long m = 3, a = 0, b = 0;
    assert_true(cvp_shape_eval(&a, file.claims[0].tensors[0].shape[0], &m));
    assert_true(cvp_shape_eval(&b, file.claims[0].tensors[1].shape[0], &m));
    assert_int_equal(a, 2);
    assert_int_equal(b, 2);
    /* only the '/' leaves a note, at the '/' */
    assert_int_equal(file.note_count, 1);
    char line[512];
    cvp_lang_error_format(line, sizeof line, &file.notes[0]);
    assert_string_equal(line, "t.proof:4:14: '/' in a shape is floor "
                              "division; write '//' ('/' in shapes is "
                              "deprecated: in expressions it divides "
                              "exactly)");
    cvp_proof_file_clear(&file);
}

static void test_continued_show(void **state)
{
    (void)state;
    cvp_proof_file file;
    parse_ok(&file, "claim \"t\" {\n"
                    "  tensor X[2]\n"
                    "  show concat([X,   # the first\n"
                    "               X]) == reshape(stack([X,\n"
                    "      X]), [4])\n"
                    "  by exact\n"
                    "}\n");
    const cvp_proof_claim *claim = &file.claims[0];
    assert_int_equal(claim->show_count, 1);
    assert_int_equal(claim->method_count, 1);
    /* the lines joined by single spaces, without the comment */
    assert_string_equal(claim->shows[0].text,
                        "concat([X, X]) == reshape(stack([X, X]), [4])");
    cvp_proof_file_clear(&file);
}

/* Newlines inside the brackets of a tensor's shape, of a `where`
 * constraint's parentheses and of a method's options continue them. */
static void test_continued_statements(void **state)
{
    (void)state;
    cvp_proof_file file;
    parse_ok(&file, "claim \"t\" {\n"
                    "  dim M in 1..3\n"
                    "  dim N in 1..2\n"
                    "  where M <= (1 +\n"
                    "    1)\n"
                    "  tensor X[M,\n"
                    "    N]\n"
                    "  show X == X\n"
                    "  by exact(trials=1,\n"
                    "    ties=1)\n"
                    "}\n");
    const cvp_proof_claim *claim = &file.claims[0];
    assert_int_equal(claim->tensor_count, 1);
    assert_int_equal(claim->tensors[0].rank, 2);
    char text[64];
    cvp_shape_to_string(text, sizeof text, claim->tensors[0].shape[1], claim->dims);
    assert_string_equal(text, "N");
    assert_int_equal(claim->constraint_count, 1);
    for (long m = 1; m <= 3; m++) {
        bool holds = false;
        long values[2] = {m, 1};
        assert_true(cvp_proof_constraint_eval(&holds, &claim->constraints[0], values));
        assert_int_equal(holds, m <= 2);
    }
    assert_int_equal(claim->method_count, 1);
    assert_int_equal(claim->methods[0].option_count, 2);
    assert_int_equal(claim->methods[0].option_values[0], 1);   /* trials */
    assert_int_equal(claim->methods[0].option_values[1], 1);   /* ties */
    assert_int_equal(claim->show_count, 1);
    cvp_proof_file_clear(&file);
}

static void test_all_shapes_refuses(void **state)
{
    (void)state;
    static const struct {
        const char *show;
        const char *fragment;
    } cases[] = {
        {"max(X, 0) == X", "max is not supported by all_shapes"},
        {"abs(X) == X", "abs is not supported by all_shapes"},
        {"X ** 2 == X * X", "pow is not supported by all_shapes"},
        {"X[0:1] == X[:1]", "is not supported by all_shapes"},
        {"shape(X) == [M]", "shape is not supported by all_shapes"},
        {"X / X == X", "division by an input or a tensor"},
        {"concat([X, X]) == concat([X, X])", "tensor literals"},
        {"conv1d(reshape(X, (1, 1, M)), reshape(X, (1, 1, M))) == 0",
         "conv1d is not supported by all_shapes"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[512];
        snprintf(text, sizeof text, "claim \"t\" {\n  dim M in 1..3\n"
                 "  tensor X[M]\n  show %s\n}\n", cases[i].show);
        cvp_proof_file file;
        parse_ok(&file, text);
        cvp_all_shapes *as = cvp_all_shapes_prepare(&file.claims[0],
                                                    file.source_name);
        assert_non_null(as);
        /* outside the class all_shapes translates: not applicable, with
         * the reason (a function that does not exist at all is the
         * evaluator's located error instead, see test_eval.c) */
        assert_false(cvp_all_shapes_applies(as));
        const char *reason = cvp_all_shapes_reason(as);
        if (reason == NULL || strstr(reason, cases[i].fragment) == NULL)
            fail_msg("\"%s\": reason \"%s\"", cases[i].show,
                     reason ? reason : "(none)");
        cvp_all_shapes_free(as);
        cvp_proof_file_clear(&file);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sugar_trees),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_power_and_transpose),
        cmocka_unit_test(test_shape_and_index),
        cmocka_unit_test(test_concat_stack),
        cmocka_unit_test(test_order_functions),
        cmocka_unit_test(test_division),
        cmocka_unit_test(test_lists_as_tuples),
        cmocka_unit_test(test_errors_located),
        cmocka_unit_test(test_conv_nd),
        cmocka_unit_test(test_derivatives_at_kinks),
        cmocka_unit_test(test_polynomial_ring),
        cmocka_unit_test(test_where_or),
        cmocka_unit_test(test_where_or_error),
        cmocka_unit_test(test_floor_division_note),
        cmocka_unit_test(test_continued_show),
        cmocka_unit_test(test_continued_statements),
        cmocka_unit_test(test_all_shapes_refuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
