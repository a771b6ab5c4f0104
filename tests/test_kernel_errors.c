/* test_kernel_errors.c -- the refusals of the kernel's operators: every
 * input that an operator must reject (a scalar where a matrix is needed,
 * an empty kernel, a bad axis, a range outside the tensor, a size that
 * would overflow), with the status and the words of the message, and the
 * small cases at the edge of what is accepted (transpose of a vector, a
 * copy).  A refusal that went missing would let an operator compute on
 * garbage; these tests pin each one. */
#include "testutil.h"

#include <string.h>

#include "kernel/conv2d.h"
#include "kernel/sparse.h"
#include "kernel/textbook.h"

#define S(...) ((size_t[]){__VA_ARGS__})
#define L(...) ((long[]){__VA_ARGS__})

static void reshape_refusals(void **state)
{
    (void)state;
    cvp_tensor_t t, out;
    cvp_tensor_init(t);
    cvp_tensor_init(out);
    cvp_error err;
    tu_ints(t, 1, S(6), L(1, 2, 3, 4, 5, 6));
    tu_assert_fails(cvp_tensor_reshape(out, t, CVP_MAX_RANK + 1, S(1), &err),
                    &err, CVP_ERR_INPUT, "rank 9 is outside 0..8");
    tu_assert_fails(cvp_tensor_reshape(out, t, -1, S(1), &err), &err,
                    CVP_ERR_INPUT, "rank -1");
    tu_assert_fails(cvp_tensor_reshape(out, t, 2, S(CVP_INFER_DIM, CVP_INFER_DIM),
                                       &err),
                    &err, CVP_ERR_INPUT, "only one dimension can be inferred");
    /* 2^32 * 2^32 does not fit in size_t. */
    tu_assert_fails(cvp_tensor_reshape(out, t, 3,
                                       S((size_t)1 << 32, (size_t)1 << 32, 2), &err),
                    &err, CVP_ERR_INPUT, "shape too large");
    /* The one accepted case here: [6] -> [2, -1] is [2, 3]. */
    tu_assert_ok(cvp_tensor_reshape(out, t, 2, S(2, CVP_INFER_DIM), &err), &err);
    assert_int_equal(out->shape[1], 3);
    cvp_tensor_clear(t);
    cvp_tensor_clear(out);
}

static void transpose_and_slice(void **state)
{
    (void)state;
    cvp_tensor_t t, out, want;
    cvp_tensor_init(t);
    cvp_tensor_init(out);
    cvp_tensor_init(want);
    cvp_error err;
    /* A vector is its own transpose (a copy). */
    tu_ints(t, 1, S(3), L(4, 5, 6));
    tu_assert_ok(cvp_tensor_transpose(out, t, &err), &err);
    tu_assert_equal(out, t);
    /* Rank 3 needs an axis order. */
    tu_zeros(t, 3, S(2, 2, 2));
    tu_assert_fails(cvp_tensor_transpose(out, t, &err), &err, CVP_ERR_INPUT,
                    "a rank-3 tensor needs an axis order");
    /* Slices: step 0, start after stop, stop past the end. */
    tu_ints(t, 1, S(5), L(0, 1, 2, 3, 4));
    tu_assert_fails(cvp_tensor_slice(out, t, S(0), S(5), S(0), &err), &err,
                    CVP_ERR_INPUT, "axis 0: bad range 0:5:0 for size 5");
    tu_assert_fails(cvp_tensor_slice(out, t, S(3), S(2), S(1), &err), &err,
                    CVP_ERR_INPUT, "bad range 3:2:1");
    tu_assert_fails(cvp_tensor_slice(out, t, S(0), S(6), S(1), &err), &err,
                    CVP_ERR_INPUT, "bad range 0:6:1 for size 5");
    /* 1:5:3 takes entries 1 and 4. */
    tu_assert_ok(cvp_tensor_slice(out, t, S(1), S(5), S(3), &err), &err);
    tu_ints(want, 1, S(2), L(1, 4));
    tu_assert_equal(out, want);
    cvp_tensor_clear(t);
    cvp_tensor_clear(out);
    cvp_tensor_clear(want);
}

static void arithmetic_refusals(void **state)
{
    (void)state;
    cvp_tensor_t a, b, out;
    cvp_tensor_init(a);
    cvp_tensor_init(b);
    cvp_tensor_init(out);
    cvp_error err;
    tu_zeros(a, 2, S(2, 3));
    tu_assert_fails(cvp_tensor_sum_axis(out, a, 2, &err), &err, CVP_ERR_INPUT,
                    "sum: axis 2 is outside 0..1");
    tu_assert_fails(cvp_tensor_sum_axis(out, a, -1, &err), &err, CVP_ERR_INPUT,
                    "axis -1");
    tu_zeros(b, 3, S(1, 2, 3));
    tu_assert_fails(cvp_tensor_matmul(out, a, b, &err), &err, CVP_ERR_INPUT,
                    "operands must have rank 1 or 2 (got 2 and 3)");
    cvp_tensor_set_scalar_si(b, 2, 1);
    tu_assert_fails(cvp_tensor_matmul(out, b, a, &err), &err, CVP_ERR_INPUT,
                    "(got 0 and 2)");
    /* get reads one entry: [[1, 2, 3], [4, 5, 6]][1, 2] = 6. */
    tu_ints(a, 2, S(2, 3), L(1, 2, 3, 4, 5, 6));
    mpq_t q;
    mpq_init(q);
    cvp_tensor_get(q, a, S(1, 2));
    assert_int_equal(mpq_cmp_si(q, 6, 1), 0);
    mpq_clear(q);
    cvp_tensor_clear(a);
    cvp_tensor_clear(b);
    cvp_tensor_clear(out);
}

static void textbook_refusals(void **state)
{
    (void)state;
    cvp_tensor_t W, X, out;
    cvp_tensor_init(W);
    cvp_tensor_init(X);
    cvp_tensor_init(out);
    cvp_error err;
    tu_zeros(X, 2, S(3, 3));
    tu_zeros(W, 2, S(0, 2));
    tu_assert_fails(cvp_xcorr(out, W, X, 1, 1, 1, 1, &err), &err, CVP_ERR_INPUT,
                    "xcorr: the kernel is empty");
    tu_assert_fails(cvp_wide(out, W, X, &err), &err, CVP_ERR_INPUT,
                    "wide: an operand is empty");
    cvp_tensor_set_scalar_si(W, 1, 1);
    tu_assert_fails(cvp_rot180(out, W, &err), &err, CVP_ERR_INPUT,
                    "rot180: the operand is a scalar");
    tu_assert_fails(cvp_pad(out, W, 0, 0, 1, 1, &err), &err, CVP_ERR_INPUT,
                    "pad: the operand is a scalar");
    tu_assert_fails(cvp_dilate(out, W, 2, 2, &err), &err, CVP_ERR_INPUT,
                    "dilate: the operand is a scalar");
    tu_assert_fails(cvp_pad(out, X, SIZE_MAX / 2, 0, 0, 0, &err), &err,
                    CVP_ERR_LIMIT, "pad: padding too large");
    tu_assert_fails(cvp_dilate(out, X, SIZE_MAX / 2, 1, &err), &err,
                    CVP_ERR_LIMIT, "dilate: result too large");
    /* conv of a scalar kernel: a rank error from the shared check. */
    tu_assert_fails(cvp_conv(out, W, X, &err), &err, CVP_ERR_INPUT, "conv");
    cvp_tensor_clear(W);
    cvp_tensor_clear(X);
    cvp_tensor_clear(out);
}

/* Each clause of the textbook operators' checks on its own: a rank out
 * of range on either side, ranks that differ, each stride or dilation 0,
 * an empty axis of either operand, a kernel too large in either axis. */
static void textbook_each_check(void **state)
{
    (void)state;
    cvp_tensor_t W, X, out;
    cvp_tensor_init(W);
    cvp_tensor_init(X);
    cvp_tensor_init(out);
    cvp_error err;
    tu_zeros(W, 3, S(1, 1, 1));
    tu_zeros(X, 2, S(2, 2));
    tu_assert_fails(cvp_xcorr(out, W, X, 1, 1, 1, 1, &err), &err, CVP_ERR_INPUT,
                    "got ranks 3 and 2");
    tu_zeros(W, 2, S(1, 1));
    cvp_tensor_set_scalar_si(X, 1, 1);
    tu_assert_fails(cvp_xcorr(out, W, X, 1, 1, 1, 1, &err), &err, CVP_ERR_INPUT,
                    "got ranks 2 and 0");
    tu_zeros(X, 3, S(1, 2, 2));
    tu_assert_fails(cvp_xcorr(out, W, X, 1, 1, 1, 1, &err), &err, CVP_ERR_INPUT,
                    "got ranks 2 and 3");
    tu_zeros(X, 1, S(2));
    tu_assert_fails(cvp_xcorr(out, W, X, 1, 1, 1, 1, &err), &err, CVP_ERR_INPUT,
                    "different ranks (2 and 1)");
    tu_zeros(X, 2, S(3, 3));
    tu_assert_fails(cvp_xcorr(out, W, X, 1, 0, 1, 1, &err), &err, CVP_ERR_INPUT,
                    "at least 1");
    tu_assert_fails(cvp_xcorr(out, W, X, 1, 1, 0, 1, &err), &err, CVP_ERR_INPUT,
                    "at least 1");
    tu_assert_fails(cvp_xcorr(out, W, X, 1, 1, 1, 0, &err), &err, CVP_ERR_INPUT,
                    "at least 1");
    tu_zeros(W, 2, S(2, 0));
    tu_assert_fails(cvp_xcorr(out, W, X, 1, 1, 1, 1, &err), &err, CVP_ERR_INPUT,
                    "the kernel is empty");
    tu_assert_fails(cvp_conv(out, W, X, &err), &err, CVP_ERR_INPUT, "conv");
    tu_assert_fails(cvp_wide(out, W, X, &err), &err, CVP_ERR_INPUT, "empty");
    /* A 1 x 3 kernel on 3 x 2: too wide; 4 x 1 on 3 x 3: too tall. */
    tu_zeros(W, 2, S(1, 3));
    tu_zeros(X, 2, S(3, 2));
    tu_assert_fails(cvp_xcorr(out, W, X, 1, 1, 1, 1, &err), &err, CVP_ERR_INPUT,
                    "does not fit");
    tu_assert_fails(cvp_conv(out, W, X, &err), &err, CVP_ERR_INPUT, "conv");
    tu_zeros(W, 2, S(4, 1));
    tu_zeros(X, 2, S(3, 3));
    tu_assert_fails(cvp_conv(out, W, X, &err), &err, CVP_ERR_INPUT, "conv");
    /* An empty input axis. */
    tu_zeros(W, 2, S(1, 1));
    tu_zeros(X, 2, S(0, 3));
    tu_assert_fails(cvp_xcorr(out, W, X, 1, 1, 1, 1, &err), &err, CVP_ERR_INPUT,
                    "does not fit");
    tu_assert_fails(cvp_wide(out, W, X, &err), &err, CVP_ERR_INPUT, "empty");
    tu_zeros(X, 2, S(3, 0));
    tu_assert_fails(cvp_xcorr(out, W, X, 1, 1, 1, 1, &err), &err, CVP_ERR_INPUT,
                    "does not fit");
    tu_assert_fails(cvp_wide(out, W, X, &err), &err, CVP_ERR_INPUT, "empty");
    /* A vector has no rows to pad below either. */
    tu_zeros(X, 1, S(3));
    tu_assert_fails(cvp_pad(out, X, 0, 1, 0, 0, &err), &err, CVP_ERR_INPUT,
                    "no rows to pad");
    cvp_tensor_clear(W);
    cvp_tensor_clear(X);
    cvp_tensor_clear(out);
}

/* A result over the entry limit: every operator reports the limit and
 * leaves its output a valid tensor. */
static void textbook_results_over_the_entry_limit(void **state)
{
    (void)state;
    cvp_tensor_t W, X, out;
    cvp_tensor_init(W);
    cvp_tensor_init(X);
    cvp_tensor_init(out);
    cvp_error err;
    tu_zeros(W, 2, S(1, 1));
    tu_zeros(X, 2, S(2, 2));
    size_t saved = cvp_tensor_max_entries();
    cvp_tensor_set_max_entries(3);   /* inputs exist; 4-entry results do not */
    tu_assert_fails(cvp_xcorr(out, W, X, 1, 1, 1, 1, &err), &err, CVP_ERR_LIMIT, "");
    tu_assert_fails(cvp_conv(out, W, X, &err), &err, CVP_ERR_LIMIT, "");
    tu_assert_fails(cvp_wide(out, W, X, &err), &err, CVP_ERR_LIMIT, "");
    tu_assert_fails(cvp_rot180(out, X, &err), &err, CVP_ERR_LIMIT, "");
    tu_assert_fails(cvp_pad(out, W, 1, 1, 1, 0, &err), &err, CVP_ERR_LIMIT, "");
    tu_zeros(W, 1, S(2));
    tu_assert_fails(cvp_dilate(out, W, 1, 3, &err), &err, CVP_ERR_LIMIT, "");
    cvp_tensor_set_max_entries(saved);
    cvp_tensor_clear(W);
    cvp_tensor_clear(X);
    cvp_tensor_clear(out);
}

/* Over the shape-only ring the operators give shapes, skipping the
 * loops: xcorr of 2x2 with 3x4 is 2x3, wide 4x5, pad 5x6, dilate 5x7. */
static void textbook_shapes_only(void **state)
{
    (void)state;
    cvp_ring R;
    cvp_ring_shape_init(&R);
    cvp_tensor_t W, X, out;
    cvp_tensor_init_ring(W, &R);
    cvp_tensor_init_ring(X, &R);
    cvp_tensor_init_ring(out, &R);
    cvp_error err;
    tu_assert_ok(cvp_tensor_resize(W, 2, S(2, 2), &err), &err);
    tu_assert_ok(cvp_tensor_resize(X, 2, S(3, 4), &err), &err);
    tu_assert_ok(cvp_xcorr(out, W, X, 1, 1, 1, 1, &err), &err);
    assert_true(out->shape[0] == 2 && out->shape[1] == 3);
    tu_assert_ok(cvp_conv(out, W, X, &err), &err);
    assert_true(out->shape[0] == 2 && out->shape[1] == 3);
    tu_assert_ok(cvp_wide(out, W, X, &err), &err);
    assert_true(out->shape[0] == 4 && out->shape[1] == 5);
    tu_assert_ok(cvp_rot180(out, X, &err), &err);
    assert_true(out->shape[0] == 3 && out->shape[1] == 4);
    tu_assert_ok(cvp_pad(out, X, 1, 1, 1, 1, &err), &err);
    assert_true(out->shape[0] == 5 && out->shape[1] == 6);
    tu_assert_ok(cvp_dilate(out, X, 2, 2, &err), &err);
    assert_true(out->shape[0] == 5 && out->shape[1] == 7);
    cvp_tensor_clear(W);
    cvp_tensor_clear(X);
    cvp_tensor_clear(out);
}

/* Shapes written into short buffers are cut and stay NUL-terminated. */
static void shape_format_cuts(void **state)
{
    (void)state;
    char buf[8];
    cvp_shape_format(buf, sizeof buf, 3, S(12, 34, 56));   /* "[12, 34, 56]" */
    assert_string_equal(buf, "[12, 34");
    cvp_shape_format(buf, 3, 2, S(5, 6));
    assert_string_equal(buf, "[5");
    buf[0] = 'x';
    cvp_shape_format(buf, 0, 1, S(1));                      /* no room at all */
    assert_int_equal(buf[0], 'x');
    cvp_shape_format(buf, sizeof buf, 0, NULL);
    assert_string_equal(buf, "[]");
}

/* Entry names: row-major indices after the name, none for a scalar; cut
 * short buffers and stay NUL-terminated. */
static void entry_format_names_and_cuts(void **state)
{
    (void)state;
    char buf[16];
    /* flat 23 of 2x3x4 is 1*12 + 2*4 + 3 */
    cvp_entry_format(buf, sizeof buf, "X", 3, S(2, 3, 4), 23);
    assert_string_equal(buf, "X[1,2,3]");
    cvp_entry_format(buf, sizeof buf, "", 2, S(3, 5), 7);
    assert_string_equal(buf, "[1,2]");
    cvp_entry_format(buf, sizeof buf, "s", 0, NULL, 0);
    assert_string_equal(buf, "s");
    cvp_entry_format(buf, 6, "W", 2, S(20, 20), 399);      /* "W[19,19]" */
    assert_string_equal(buf, "W[19,");
    cvp_entry_format(buf, 3, "long", 1, S(4), 2);
    assert_string_equal(buf, "lo");
    buf[0] = 'x';
    cvp_entry_format(buf, 0, "X", 1, S(4), 2);               /* no room at all */
    assert_int_equal(buf[0], 'x');
}

/* Reshape and permute: an inferred axis that cannot be (a zero among the
 * others, or sizes that do not divide), a permutation that repeats an
 * axis or names one out of range, results over the entry limit. */
static void reshape_and_permute_checks(void **state)
{
    (void)state;
    cvp_tensor_t t, out;
    cvp_tensor_init(t);
    cvp_tensor_init(out);
    cvp_error err;
    tu_ints(t, 1, S(6), L(1, 2, 3, 4, 5, 6));
    tu_assert_fails(cvp_tensor_reshape(out, t, 2, S(0, CVP_INFER_DIM), &err),
                    &err, CVP_ERR_INPUT, "reshape");
    tu_assert_fails(cvp_tensor_reshape(out, t, 2, S(4, CVP_INFER_DIM), &err),
                    &err, CVP_ERR_INPUT, "reshape");
    tu_ints(t, 2, S(2, 3), L(1, 2, 3, 4, 5, 6));
    tu_assert_fails(cvp_tensor_permute(out, t, (int[]){0, 0}, &err), &err,
                    CVP_ERR_INPUT, "");
    tu_assert_fails(cvp_tensor_permute(out, t, (int[]){0, 2}, &err), &err,
                    CVP_ERR_INPUT, "");
    tu_assert_fails(cvp_tensor_permute(out, t, (int[]){-1, 0}, &err), &err,
                    CVP_ERR_INPUT, "");
    size_t saved = cvp_tensor_max_entries();
    cvp_tensor_set_max_entries(5);   /* t itself has 6 entries */
    tu_assert_fails(cvp_tensor_permute(out, t, (int[]){1, 0}, &err), &err,
                    CVP_ERR_LIMIT, "");
    tu_assert_fails(cvp_tensor_reshape(out, t, 1, S(6), &err), &err,
                    CVP_ERR_LIMIT, "");
    tu_assert_fails(cvp_tensor_slice(out, t, S(0, 0), S(2, 3), S(1, 1), &err),
                    &err, CVP_ERR_LIMIT, "");
    cvp_tensor_set_max_entries(saved);
    cvp_tensor_clear(t);
    cvp_tensor_clear(out);
}

static void conv2d_refusals(void **state)
{
    (void)state;
    cvp_tensor_t X, K, out;
    cvp_tensor_init(X);
    cvp_tensor_init(K);
    cvp_tensor_init(out);
    cvp_error err;
    cvp_conv2d_params p = cvp_conv2d_params_default();
    tu_zeros(X, 4, S(1, 1, 3, 3));
    tu_zeros(K, 4, S(1, 1, 2, 2));
    p.stride[1] = 0;
    tu_assert_fails(cvp_conv2d(out, X, K, NULL, &p, &err), &err, CVP_ERR_INPUT,
                    "stride and dilation must be at least 1");
    p = cvp_conv2d_params_default();
    tu_zeros(K, 3, S(1, 2, 2));
    tu_assert_fails(cvp_conv_transpose2d(out, X, K, NULL, &p, &err), &err,
                    CVP_ERR_INPUT, "argument K (weight) must have rank 4");
    cvp_tensor_clear(X);
    cvp_tensor_clear(K);
    cvp_tensor_clear(out);
}

static void sparse_refusals(void **state)
{
    (void)state;
    cvp_sparse_t A;
    cvp_sparse_init(A, 2, 2);
    cvp_tensor_t x, y;
    cvp_tensor_init(x);
    cvp_tensor_init(y);
    cvp_error err;
    cvp_ring R;
    cvp_ring_shape_init(&R);
    cvp_tensor_set_ring(x, &R);
    size_t two = 2;
    tu_assert_ok(cvp_tensor_resize(x, 1, &two, &err), &err);
    tu_assert_fails(cvp_sparse_matvec(y, A, x, &err), &err, CVP_ERR_INPUT,
                    "the vector must be over Q");
    cvp_tensor_clear(x);
    cvp_tensor_clear(y);
    cvp_sparse_clear(A);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reshape_refusals),
        cmocka_unit_test(transpose_and_slice),
        cmocka_unit_test(arithmetic_refusals),
        cmocka_unit_test(textbook_refusals),
        cmocka_unit_test(textbook_each_check),
        cmocka_unit_test(textbook_results_over_the_entry_limit),
        cmocka_unit_test(textbook_shapes_only),
        cmocka_unit_test(shape_format_cuts),
        cmocka_unit_test(entry_format_names_and_cuts),
        cmocka_unit_test(reshape_and_permute_checks),
        cmocka_unit_test(conv2d_refusals),
        cmocka_unit_test(sparse_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
