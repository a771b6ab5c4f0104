/* test_eval.c -- cmocka tests of the evaluator, the function registry and
 * values (src/eval/).
 *
 * Every expected tensor below was worked out by hand (the derivation is in
 * the comment beside it) and is built with GMP's mpq_set_str, so nothing
 * expected comes from the code under test.  Error columns were counted by
 * hand from the expression strings.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/builtins.h"
#include "eval/eval.h"

/* ---- helpers ---------------------------------------------------------- */

static void bind_ints(cvp_env *env, const char *name, int rank,
                      const size_t *shape, const long *values)
{
    cvp_tensor_t t;
    cvp_tensor_init(t);
    tu_ints(t, rank, shape, values);
    cvp_error err;
    assert_int_equal(cvp_env_bind(env, name, t, &err), CVP_OK);
    cvp_tensor_clear(t);
}

/* Evaluates `source` in env and compares with the expected tensor. */
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

static void expect_scalar(const cvp_env *env, const char *source,
                          const char *entry)
{
    expect_tensor(env, source, 0, NULL, entry);
}

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

#define SHAPE(...) ((const size_t[]){__VA_ARGS__})
#define VALUES(...) ((const long[]){__VA_ARGS__})

/* ---- arithmetic ------------------------------------------------------- */

static void test_exact_arithmetic(void **state)
{
    (void)state;
    expect_scalar(NULL, "1 + 2 * 3", "7");
    expect_scalar(NULL, "(1 + 2) * 3", "9");
    expect_scalar(NULL, "2 - 3 - 4", "-5");
    expect_scalar(NULL, "-2 * -3", "6");
    expect_scalar(NULL, "+5", "5");
    expect_scalar(NULL, "2/3 + 1/3", "1");
    expect_scalar(NULL, "1/2/3", "1/6");            /* (1/2)/3 */
    expect_scalar(NULL, "0.1 + 0.2", "3/10");       /* exact, not 0.30000000000000004 */
    expect_scalar(NULL, "1e-3 * 1000", "1");
    expect_scalar(NULL, "2.5e2 / 1e1", "25");
}

static void test_tensor_arithmetic(void **state)
{
    (void)state;
    cvp_env env;
    cvp_env_init(&env);
    bind_ints(&env, "X", 2, SHAPE(2, 2), VALUES(1, 2, 3, 4));
    bind_ints(&env, "c", 2, SHAPE(2, 1), VALUES(1, 2));
    bind_ints(&env, "r", 1, SHAPE(2), VALUES(10, 20));
    bind_ints(&env, "v", 1, SHAPE(2), VALUES(5, 6));
    expect_tensor(&env, "0.25 * X", 2, SHAPE(2, 2), "1/4 1/2 3/4 1");
    expect_tensor(&env, "X / 2", 2, SHAPE(2, 2), "1/2 1 3/2 2");
    expect_tensor(&env, "-X + 1", 2, SHAPE(2, 2), "0 -1 -2 -3");
    /* broadcasting: column [1;2] + row [10 20] */
    expect_tensor(&env, "c + r", 2, SHAPE(2, 2), "11 21 12 22");
    expect_tensor(&env, "X * r", 2, SHAPE(2, 2), "10 40 30 80");
    expect_tensor(&env, "X - X", 2, SHAPE(2, 2), "0 0 0 0");
    /* [[1,2],[3,4]] @ [5,6] = [1*5+2*6, 3*5+4*6] */
    expect_tensor(&env, "X @ v", 1, SHAPE(2), "17 39");
    /* [[1,2],[3,4]]^2 = [[7,10],[15,22]] */
    expect_tensor(&env, "X @ X", 2, SHAPE(2, 2), "7 10 15 22");
    expect_tensor(&env, "matmul(X, X)", 2, SHAPE(2, 2), "7 10 15 22");
    expect_scalar(&env, "v @ v", "61");
    /* precedence of @ equals that of *: 2 * X @ v = (2X) @ v */
    expect_tensor(&env, "2 * X @ v - 1", 1, SHAPE(2), "33 77");
    cvp_env_clear(&env);
}

static void test_list_literals(void **state)
{
    (void)state;
    expect_tensor(NULL, "[[1, 2], [3, 4]]", 2, SHAPE(2, 2), "1 2 3 4");
    expect_tensor(NULL, "[1/2, -0.5, 2 * 3]", 1, SHAPE(3), "1/2 -1/2 6");
    expect_tensor(NULL, "[]", 1, SHAPE(0), "");
    expect_tensor(NULL, "[[]]", 2, SHAPE(1, 0), "");
    expect_tensor(NULL, "[[1, 2]] + [[10], [20]]", 2, SHAPE(2, 2),
                  "11 12 21 22");
}

/* ---- textbook operators ----------------------------------------------- */

static void test_textbook(void **state)
{
    (void)state;
    cvp_env env;
    cvp_env_init(&env);
    bind_ints(&env, "W", 1, SHAPE(3), VALUES(-1, 2, -1));
    bind_ints(&env, "X", 1, SHAPE(4), VALUES(1, 2, 4, 3));
    /* full convolution of [-1,2,-1] with [1,2,4,3]:
     * y[n] = sum_k w[k] x[n-k]:  -1, -2+2, -4+4-1, -3+8-2, 6-4, -3 */
    expect_tensor(&env, "wide(rot180(W), X)", 1, SHAPE(6), "-1 0 -1 3 2 -3");
    /* valid cross-correlation: [-1+4-4, -2+8-3] */
    expect_tensor(&env, "xcorr(W, X)", 1, SHAPE(2), "-1 3");
    /* valid convolution = xcorr with the flipped (here symmetric) kernel */
    expect_tensor(&env, "conv(W, X)", 1, SHAPE(2), "-1 3");
    expect_tensor(&env, "rot180(X)", 1, SHAPE(4), "3 4 2 1");
    /* stride 2 over [1..5] with [1,1]: windows at 0 and 2 */
    expect_tensor(&env, "xcorr([1, 1], [1, 2, 3, 4, 5], stride=2)", 1,
                  SHAPE(2), "3 7");
    /* dilation 2: taps 0 and 2: [1+3, 2+4, 3+5] */
    expect_tensor(&env, "xcorr([1, 1], [1, 2, 3, 4, 5], dilation=2)", 1,
                  SHAPE(3), "4 6 8");
    expect_tensor(&env, "pad([1, 2], 1)", 1, SHAPE(4), "0 1 2 0");
    expect_tensor(&env, "pad([[1]], 1)", 2, SHAPE(3, 3),
                  "0 0 0 0 1 0 0 0 0");
    expect_tensor(&env, "pad([[1]], (1, 0))", 2, SHAPE(3, 1), "0 1 0");
    expect_tensor(&env, "pad([[1]], top=1, right=2)", 2, SHAPE(2, 3),
                  "0 0 0 1 0 0");
    expect_tensor(&env, "dilate([1, 2, 3], 2)", 1, SHAPE(5), "1 0 2 0 3");
    expect_tensor(&env, "dilate([[1, 2]], (3, 2))", 2, SHAPE(1, 3), "1 0 2");
    cvp_env_clear(&env);
}

/* ---- framework layers ------------------------------------------------- */

static void bind_layer_inputs(cvp_env *env)
{
    bind_ints(env, "X", 4, SHAPE(1, 1, 3, 3), VALUES(1, 2, 3, 4, 5, 6, 7, 8, 9));
    bind_ints(env, "I", 4, SHAPE(1, 1, 2, 2), VALUES(1, 0, 0, 1));
    bind_ints(env, "K", 4, SHAPE(1, 1, 2, 2), VALUES(1, 2, 3, 4));
    bind_ints(env, "G", 4, SHAPE(1, 1, 2, 2), VALUES(1, 1, 1, 1));
    bind_ints(env, "b", 1, SHAPE(1), VALUES(10));
    bind_ints(env, "P", 3, SHAPE(1, 4, 4),
              VALUES(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16));
}

static void test_conv2d(void **state)
{
    (void)state;
    cvp_env env;
    cvp_env_init(&env);
    bind_layer_inputs(&env);
    /* identity-diagonal kernel: Y[i,j] = X[i,j] + X[i+1,j+1] */
    expect_tensor(&env, "conv2d(X, I)", 4, SHAPE(1, 1, 2, 2), "6 8 12 14");
    expect_tensor(&env, "conv2d(X, I, b)", 4, SHAPE(1, 1, 2, 2),
                  "16 18 22 24");
    expect_tensor(&env, "conv2d(X, I, bias=b)", 4, SHAPE(1, 1, 2, 2),
                  "16 18 22 24");
    /* padding 1, stride 2 on the 5x5 padded image: windows at (0,0),
     * (0,2), (2,0), (2,2): 0+1, 0+3, 0+7, 5+9 */
    expect_tensor(&env, "conv2d(X, I, stride=2, padding=1)", 4,
                  SHAPE(1, 1, 2, 2), "1 3 7 14");
    /* stride (2, 1): rows 0 only (3-2)/2+1 = 1, columns 0 and 1 */
    expect_tensor(&env, "conv2d(X, I, stride=(2, 1))", 4, SHAPE(1, 1, 1, 2),
                  "6 8");
    /* transposed conv of [[1,2],[3,4]] with a 2x2 kernel of ones:
     * each input spreads over a 2x2 block */
    expect_tensor(&env, "conv_transpose2d(reshape(K, (1, 1, 2, 2)), G)", 4,
                  SHAPE(1, 1, 3, 3), "1 3 2 4 10 6 3 7 4");
    cvp_env_clear(&env);
}

static void test_conv2d_backward(void **state)
{
    (void)state;
    cvp_env env;
    cvp_env_init(&env);
    bind_layer_inputs(&env);
    /* dX[i,j] = sum over outputs (a,b) with (i-a, j-b) inside K of
     * G[a,b] K[i-a, j-b]; G all ones, K = [[1,2],[3,4]] */
    expect_tensor(&env, "conv2d_backward_input(X, K, G)", 4,
                  SHAPE(1, 1, 3, 3), "1 3 2 4 10 6 3 7 4");
    /* dK[u,v] = sum_{a,b} G[a,b] X[a+u, b+v]: the 2x2 window sums of X */
    expect_tensor(&env, "conv2d_backward_weight(X, K, G)", 4,
                  SHAPE(1, 1, 2, 2), "12 16 24 28");
    expect_tensor(&env, "conv2d_backward_bias(G)", 1, SHAPE(1), "4");
    expect_tensor(&env, "conv2d_backward_bias(2 * G)", 1, SHAPE(1), "8");
    cvp_env_clear(&env);
}

static void test_pooling(void **state)
{
    (void)state;
    cvp_env env;
    cvp_env_init(&env);
    bind_layer_inputs(&env);
    /* P = 1..16 in a 4x4 plane */
    expect_tensor(&env, "max_pool2d(P, 2)", 3, SHAPE(1, 2, 2), "6 8 14 16");
    /* window means: (1+2+5+6)/4, (3+4+7+8)/4, ... */
    expect_tensor(&env, "avg_pool2d(P, 2)", 3, SHAPE(1, 2, 2),
                  "7/2 11/2 23/2 27/2");
    expect_tensor(&env, "avg_pool2d(P, 2, divisor_override=1)", 3,
                  SHAPE(1, 2, 2), "14 22 46 54");
    /* stride 1 instead of the default stride = kernel_size */
    expect_tensor(&env, "max_pool2d(P, 3, stride=1)", 3, SHAPE(1, 2, 2),
                  "11 12 15 16");
    /* 3x3 input, kernel 2: floor mode gives 1x1, ceil mode 2x2 with the
     * last windows clipped to the input */
    expect_tensor(&env, "max_pool2d(reshape(X, (1, 3, 3)), 2)", 3,
                  SHAPE(1, 1, 1), "5");
    expect_tensor(&env, "max_pool2d(reshape(X, (1, 3, 3)), 2, "
                  "ceil_mode=true)", 3, SHAPE(1, 2, 2), "5 6 8 9");
    /* the gradient goes to the first maximum of each window */
    expect_tensor(&env, "max_pool2d_backward([[[1, 4], [3, 2]]], [[[5]]], 2)",
                  3, SHAPE(1, 2, 2), "0 5 0 0");
    expect_tensor(&env, "avg_pool2d_backward([[[1, 4], [3, 2]]], [[[4]]], 2)",
                  3, SHAPE(1, 2, 2), "1 1 1 1");
    expect_tensor(&env, "relu([-1, 0, 2/3])", 1, SHAPE(3), "0 0 2/3");
    cvp_env_clear(&env);
}

/* ---- tensor algebra --------------------------------------------------- */

static void test_tensor_functions(void **state)
{
    (void)state;
    cvp_env env;
    cvp_env_init(&env);
    bind_ints(&env, "A", 2, SHAPE(2, 3), VALUES(1, 2, 3, 4, 5, 6));
    expect_tensor(&env, "transpose(A)", 2, SHAPE(3, 2), "1 4 2 5 3 6");
    expect_tensor(&env, "transpose(A, (1, 0))", 2, SHAPE(3, 2),
                  "1 4 2 5 3 6");
    expect_tensor(&env, "transpose(A, (-1, 0))", 2, SHAPE(3, 2),
                  "1 4 2 5 3 6");
    expect_tensor(&env, "transpose(reshape(A, (1, 2, 3)))", 3,
                  SHAPE(3, 2, 1), "1 4 2 5 3 6");
    expect_tensor(&env, "transpose(reshape(A, (1, 2, 3, 1)), (1, 0, 2, 3))",
                  4, SHAPE(2, 1, 3, 1), "1 2 3 4 5 6");
    expect_tensor(&env, "reshape(A, (3, -1))", 2, SHAPE(3, 2), "1 2 3 4 5 6");
    expect_tensor(&env, "reshape(A, 6)", 1, SHAPE(6), "1 2 3 4 5 6");
    expect_tensor(&env, "reshape([7], ())", 0, NULL, "7");
    expect_scalar(&env, "sum(A)", "21");
    expect_tensor(&env, "sum(A, axis=0)", 1, SHAPE(3), "5 7 9");
    expect_tensor(&env, "sum(A, axis=-1)", 1, SHAPE(2), "6 15");
    expect_tensor(&env, "sum(A, 1)", 1, SHAPE(2), "6 15");
    cvp_env_clear(&env);
}

/* ---- errors ----------------------------------------------------------- */

static void test_errors_located(void **state)
{
    (void)state;
    cvp_env env;
    cvp_env_init(&env);
    bind_layer_inputs(&env);
    bind_ints(&env, "Y", 1, SHAPE(4), VALUES(1, 2, 3, 4));
    bind_ints(&env, "Z", 1, SHAPE(3), VALUES(1, 2, 3));
    /*                  123456789012345678901234567890 */
    expect_error(&env, "Y + Z", CVP_ERR_INPUT, 3,
                 "'+': shapes [4] and [3] do not broadcast: dimension 0 of "
                 "the left operand is 4, dimension 0 of the right operand "
                 "is 3");
    expect_error(&env, "Y @ [[1, 2]]", CVP_ERR_INPUT, 3,
                 "'@': inner dimensions differ");
    expect_error(&env, "conv2(X, K)", CVP_ERR_INPUT, 1,
                 "unknown function 'conv2' (did you mean 'conv2d'?)");
    expect_error(&env, "frobnicate(X)", CVP_ERR_INPUT, 1,
                 "unknown function 'frobnicate'");
    expect_error(&env, "relu(X, foo=1)", CVP_ERR_INPUT, 9,
                 "relu has no parameter 'foo'");
    expect_error(&env, "conv2d(X, K, strides=2)", CVP_ERR_INPUT, 14,
                 "conv2d has no parameter 'strides' (did you mean "
                 "'stride'?)");
    expect_error(&env, "conv2d(X, K, stride=1, stride=2)", CVP_ERR_INPUT, 24,
                 "conv2d: argument 'stride' given twice");
    expect_error(&env, "conv2d(X, K, b, bias=b)", CVP_ERR_INPUT, 17,
                 "given twice (by position and by keyword)");
    expect_error(&env, "conv2d(X)", CVP_ERR_INPUT, 1,
                 "conv2d: missing argument 'weight'");
    expect_error(&env, "relu(X, Y)", CVP_ERR_INPUT, 9,
                 "relu takes at most 1 argument");
    expect_error(&env, "pad(X, 1, 2)", CVP_ERR_INPUT, 11,
                 "pad takes at most 2 positional arguments");
    expect_error(&env, "conv2d(X, K, stride=0)", CVP_ERR_INPUT, 21,
                 "conv2d: stride must be at least 1, got 0");
    expect_error(&env, "conv2d(X, K, padding=-1)", CVP_ERR_INPUT, 22,
                 "padding must be at least 0, got -1");
    expect_error(&env, "conv2d(X, K, stride=(1, 1/2))", CVP_ERR_INPUT, 21,
                 "the width of stride must be an integer, got the scalar "
                 "1/2");
    expect_error(&env, "conv2d(X, K, stride=Y)", CVP_ERR_INPUT, 21,
                 "stride must be an integer or a pair (height, width), got "
                 "a tensor of shape [4]");
    expect_error(&env, "conv2d(X, K, dilation=(1, 2, 3))", CVP_ERR_INPUT, 23,
                 "got a tuple of 3 values");
    expect_error(&env, "conv2d(X, K, groups=100000000000)", CVP_ERR_INPUT, 21,
                 "groups is too large");
    expect_error(&env, "conv2d(X, true)", CVP_ERR_INPUT, 11,
                 "argument 'weight' must be a tensor, got the boolean true");
    expect_error(&env, "max_pool2d(P, 2, ceil_mode=1)", CVP_ERR_INPUT, 28,
                 "ceil_mode must be true or false");
    expect_error(&env, "max_pool2d(P, 2, padding=2)", CVP_ERR_INPUT, 26,
                 "more than half the kernel size");
    expect_error(&env, "sum(Y, axis=1)", CVP_ERR_INPUT, 13,
                 "axis 1 is outside -1..0");
    expect_error(&env, "reshape(Y, (3, -1))", CVP_ERR_INPUT, 12,
                 "cannot reshape a tensor of shape [4] (4 entries) into "
                 "(3, -1)");
    expect_error(&env, "reshape(Y, (-1, -1))", CVP_ERR_INPUT, 12,
                 "only one entry of shape may be -1");
    expect_error(&env, "transpose(Y, (0, 0))", CVP_ERR_INPUT, 14,
                 "axes has 2 entries but the input has rank 1");
    expect_error(&env, "transpose(X, (0, 1, 1, 2))", CVP_ERR_INPUT, 14,
                 "axis 1 appears twice");
    expect_error(&env, "pad(X, 1, top=1)", CVP_ERR_INPUT, 15,
                 "give either p or top/bottom/left/right");
    expect_error(&env, "pad(X)", CVP_ERR_INPUT, 1, "missing argument 'p'");
    expect_error(&env, "xcorr([1, 2, 3], [1, 2])", CVP_ERR_INPUT, 7,
                 "dimension 0 of W is 3, more than dimension 0 of X (2)");
    expect_error(&env, "xcorr([[1], [2]], [[1, 2]])", CVP_ERR_INPUT, 7,
                 "dimension 0 of W is 2, more than dimension 0 of X (1)");
    /* a kernel error is reported at the call, prefixed with its name */
    expect_error(&env, "1 + conv2d(X, reshape(Y, (1, 4, 1, 1)))",
                 CVP_ERR_INPUT, 5, "conv2d: dimension 1 of K (weight) is 4");
    /* errors inside arguments keep their own column */
    expect_error(&env, "relu(conv2d(X, K, stride=0))", CVP_ERR_INPUT, 26,
                 "stride must be at least 1");
    expect_error(&env, "Y / 0", CVP_ERR_UNDEFINED, 3, "division by zero");
    /* a power of a rational past 2^26 bits is refused before it is
     * computed: one GMP multiplication of it would not be interrupted */
    expect_error(&env, "((Y ** 1000) ** 1000) ** 1000", CVP_ERR_LIMIT, 23,
                 "pow: entry 1 to the power 1000 would have about");
    expect_error(&env, "Y / (1 - 1)", CVP_ERR_UNDEFINED, 3, "division by zero");
    expect_error(&env, "Y * 2/0", CVP_ERR_UNDEFINED, 6, "division by zero");
    /* elementwise division: a zero entry of the divisor is named */
    expect_error(&env, "Y / (Y - Y)", CVP_ERR_UNDEFINED, 3,
                 "division by zero: entry [0] of the divisor is 0");
    expect_error(&env, "1 + true", CVP_ERR_INPUT, 5,
                 "the right operand of '+' must be a tensor, got the boolean "
                 "true");
    expect_error(&env, "-(1, 2)", CVP_ERR_INPUT, 2,
                 "operand of unary '-' must be a tensor, got a tuple");
    expect_error(&env, "Q + 1", CVP_ERR_INPUT, 1, "unknown name 'Q'");
    expect_error(&env, "Yy", CVP_ERR_INPUT, 1,
                 "unknown name 'Yy' (did you mean 'Y'?)");
    expect_error(&env, "relu + 1", CVP_ERR_INPUT, 1,
                 "'relu' is a function; call it as relu(...)");
    expect_error(&env, "[Y, Z]", CVP_ERR_INPUT, 5,
                 "list item 2 has shape [3] but item 1 has shape [4]");
    expect_error(&env, "[1, true]", CVP_ERR_INPUT, 5,
                 "item of a list must be a tensor");
    expect_error(&env, "-2 @", CVP_ERR_INPUT, 5, "expected an expression");
    cvp_env_clear(&env);
}

static void test_resource_limit(void **state)
{
    (void)state;
    size_t saved = cvp_tensor_max_entries();
    cvp_tensor_set_max_entries(10);
    /* [3] x [4, 1] broadcasts to 12 entries, over the limit of 10 */
    expect_error(NULL, "[1, 2, 3] * [[1], [2], [3], [4]]", CVP_ERR_LIMIT, 11,
                 "");
    expect_error(NULL, "relu([[1], [2], [3]] + [1, 2, 3, 4])", CVP_ERR_LIMIT,
                 22, "");
    cvp_tensor_set_max_entries(saved);
}

/* ---- non-tensor values ------------------------------------------------ */

static void test_values(void **state)
{
    (void)state;
    cvp_value v;
    cvp_value_init(&v);
    cvp_lang_error err;
    const char *source = "((1, 2/3), true, [1, 2])";
    assert_int_equal(cvp_eval_text(&v, source, strlen(source), NULL, "e",
                                   &err), CVP_OK);
    assert_int_equal(v.kind, CVP_VALUE_TUPLE);
    assert_int_equal(v.count, 3);
    assert_int_equal(v.items[0].kind, CVP_VALUE_TUPLE);
    assert_int_equal(v.items[1].kind, CVP_VALUE_BOOL);
    assert_true(v.items[1].boolean);

    char text[128];
    cvp_value_describe(text, sizeof text, &v);
    assert_string_equal(text, "a tuple of 3 values");
    cvp_value_describe(text, sizeof text, &v.items[0].items[1]);
    assert_string_equal(text, "the scalar 2/3");
    cvp_value_describe(text, sizeof text, &v.items[2]);
    assert_string_equal(text, "a tensor of shape [2]");

    char *buffer = NULL;
    size_t size = 0;
    FILE *stream = open_memstream(&buffer, &size);
    assert_non_null(stream);
    assert_int_equal(cvp_value_write(stream, &v), 0);
    fclose(stream);
    assert_string_equal(buffer, "((1, 2/3), true, [1, 2])\n");
    free(buffer);

    cvp_value copy;
    cvp_value_init(&copy);
    cvp_error plain;
    assert_int_equal(cvp_value_copy(&copy, &v, &plain), CVP_OK);
    cvp_value_clear(&v);  /* the copy owns its own items */
    assert_int_equal(copy.count, 3);
    assert_int_equal(copy.items[2].tensor->size, 2);
    cvp_value_clear(&copy);
}

static void test_env(void **state)
{
    (void)state;
    cvp_env env;
    cvp_env_init(&env);
    cvp_tensor_t t;
    cvp_tensor_init(t);
    cvp_error err;
    assert_true(cvp_env_valid_name("X_1"));
    assert_false(cvp_env_valid_name("1X"));
    assert_false(cvp_env_valid_name("true"));
    assert_false(cvp_env_valid_name(""));
    assert_false(cvp_env_valid_name("a-b"));
    tu_ints(t, 1, SHAPE(2), VALUES(3, 4));
    assert_int_equal(cvp_env_bind(&env, "v", t, &err), CVP_OK);
    /* the value was moved: t is the scalar 0 again */
    assert_int_equal(cvp_tensor_rank(t), 0);
    assert_int_equal(cvp_env_bind(&env, "v", t, &err), CVP_ERR_INPUT);
    assert_non_null(strstr(err.message, "bound twice"));
    assert_int_equal(cvp_env_bind(&env, "false", t, &err), CVP_ERR_INPUT);
    const cvp_tensor_struct *v = cvp_env_lookup(&env, "v");
    assert_non_null(v);
    assert_int_equal(v->size, 2);
    assert_null(cvp_env_lookup(&env, "w"));
    cvp_tensor_clear(t);
    cvp_env_clear(&env);
}

/* ---- the registry ----------------------------------------------------- */

static void test_registry_is_consistent(void **state)
{
    (void)state;
    assert_true(cvp_builtin_count() >= 20);
    for (size_t i = 0; i < cvp_builtin_count(); i++) {
        const cvp_builtin *fn = cvp_builtin_at(i);
        assert_ptr_equal(cvp_builtin_find(fn->name), fn);  /* unique names */
        int count = cvp_builtin_param_count(fn);
        assert_true(count <= CVP_BUILTIN_MAX_PARAMS);
        assert_true(fn->max_positional <= count);
        bool seen_optional = false;
        for (int p = 0; p < count; p++) {
            const cvp_param_spec *spec = &fn->params[p];
            assert_int_equal(cvp_builtin_param_index(fn, spec->name), p);
            /* a required parameter never follows an optional one */
            if (spec->dflt == CVP_PARAM_REQUIRED)
                assert_false(seen_optional);
            else
                seen_optional = true;
            if (spec->dflt == CVP_PARAM_SAME_AS) {
                int source = cvp_builtin_param_index(fn, spec->same_as);
                assert_true(source >= 0 && source < p);
            }
        }
    }
    assert_null(cvp_builtin_find("nope"));
}

static void test_signatures(void **state)
{
    (void)state;
    char text[256];
    cvp_builtin_signature(text, sizeof text, cvp_builtin_find("conv2d"));
    assert_string_equal(text, "conv2d(input, weight, [bias], stride=1, "
                              "padding=0, dilation=1, groups=1)");
    cvp_builtin_signature(text, sizeof text, cvp_builtin_find("pad"));
    assert_string_equal(text, "pad(X, [p], *, [top], [bottom], [left], "
                              "[right])");
    cvp_builtin_signature(text, sizeof text, cvp_builtin_find("max_pool2d"));
    assert_string_equal(text, "max_pool2d(input, kernel_size, "
                              "stride=kernel_size, padding=0, dilation=1, "
                              "ceil_mode=false)");
    assert_string_equal(cvp_builtin_suggest("max_pool"), "max_pool2d");
    assert_null(cvp_builtin_suggest("zzzzzzzz"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_arithmetic),
        cmocka_unit_test(test_tensor_arithmetic),
        cmocka_unit_test(test_list_literals),
        cmocka_unit_test(test_textbook),
        cmocka_unit_test(test_conv2d),
        cmocka_unit_test(test_conv2d_backward),
        cmocka_unit_test(test_pooling),
        cmocka_unit_test(test_tensor_functions),
        cmocka_unit_test(test_errors_located),
        cmocka_unit_test(test_resource_limit),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_env),
        cmocka_unit_test(test_registry_is_consistent),
        cmocka_unit_test(test_signatures),
    };
    return cmocka_run_group_tests_name("eval", tests, NULL, NULL);
}
