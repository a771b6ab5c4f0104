/* test_textbook.c -- xcorr, conv, wide, rot180, pad, dilate (NNDL ch. 5).
 * Expected values are worked out by hand in the comments, or come from a
 * second route through the definitions (e.g. wide = xcorr of the padded
 * input). */
#include "testutil.h"

#include "kernel/textbook.h"

#define S(...) ((size_t[]){__VA_ARGS__})
#define V(...) ((long[]){__VA_ARGS__})

/* The 1-D full convolution of [-1, 2, -1] with [1, 2, 4, 3]:
 *   y[n] = sum_k f[k] g[n-k]
 *   y0 = -1*1 = -1;  y1 = -1*2 + 2*1 = 0;  y2 = -1*4 + 2*2 - 1*1 = -1;
 *   y3 = -1*3 + 2*4 - 1*2 = 3;  y4 = 2*3 - 1*4 = 2;  y5 = -1*3 = -3.
 * In NNDL notation the full convolution is wide(rot180(W), X). */
static void full_convolution_1d(void **state)
{
    (void)state;
    cvp_error err;
    cvp_tensor_t W, X, Y, expected;
    cvp_tensor_init(W); cvp_tensor_init(X); cvp_tensor_init(Y); cvp_tensor_init(expected);
    tu_ints(W, 1, S(3), V(-1, 2, -1));
    tu_ints(X, 1, S(4), V(1, 2, 4, 3));
    tu_ints(expected, 1, S(6), V(-1, 0, -1, 3, 2, -3));
    tu_assert_ok(cvp_rot180(Y, W, &err), &err);
    tu_assert_ok(cvp_wide(Y, Y, X, &err), &err);
    tu_assert_equal(Y, expected);
    /* The valid part of the same convolution is conv(W, X): y2, y3. */
    tu_ints(expected, 1, S(2), V(-1, 3));
    tu_assert_ok(cvp_conv(Y, W, X, &err), &err);
    tu_assert_equal(Y, expected);
    cvp_tensor_clear(W); cvp_tensor_clear(X); cvp_tensor_clear(Y); cvp_tensor_clear(expected);
}

/* X = [[1,2,3],[4,5,6],[7,8,9]], W = [[1,0],[0,-1]]:
 *   xcorr: Y[i,j] = X[i,j] - X[i+1,j+1] = -4 everywhere;
 *   conv (flipped W = [[-1,0],[0,1]]): Y[i,j] = -X[i,j] + X[i+1,j+1] = 4. */
static void xcorr_and_conv_by_hand(void **state)
{
    (void)state;
    cvp_error err;
    cvp_tensor_t W, X, Y, expected;
    cvp_tensor_init(W); cvp_tensor_init(X); cvp_tensor_init(Y); cvp_tensor_init(expected);
    tu_ints(X, 2, S(3, 3), V(1, 2, 3, 4, 5, 6, 7, 8, 9));
    tu_ints(W, 2, S(2, 2), V(1, 0, 0, -1));
    tu_ints(expected, 2, S(2, 2), V(-4, -4, -4, -4));
    tu_assert_ok(cvp_xcorr(Y, W, X, 1, 1, 1, 1, &err), &err);
    tu_assert_equal(Y, expected);
    tu_ints(expected, 2, S(2, 2), V(4, 4, 4, 4));
    tu_assert_ok(cvp_conv(Y, W, X, &err), &err);
    tu_assert_equal(Y, expected);
    cvp_tensor_clear(W); cvp_tensor_clear(X); cvp_tensor_clear(Y); cvp_tensor_clear(expected);
}

/* Stride and dilation on a 5x5 input with entries 0..24 (X[i,j] = 5i + j)
 * and W = [[1, 1]]:
 *   stride 2: Y[i,j] = X[2i, 2j] + X[2i, 2j+1] = 20i + 4j + 1, 3x2 output
 *             ((5-1-1)/2+1 = 2 columns): [[1,5],[21,25],[41,45]];
 *   dilation 3, stride 1: Y[i,j] = X[i,j] + X[i,j+3] = 10i + 2j + 3, 5x2. */
static void xcorr_stride_and_dilation_by_hand(void **state)
{
    (void)state;
    cvp_error err;
    cvp_tensor_t W, X, Y, expected;
    cvp_tensor_init(W); cvp_tensor_init(X); cvp_tensor_init(Y); cvp_tensor_init(expected);
    long values[25];
    for (int k = 0; k < 25; k++)
        values[k] = k;
    tu_ints(X, 2, S(5, 5), values);
    tu_ints(W, 2, S(1, 2), V(1, 1));
    tu_ints(expected, 2, S(3, 2), V(1, 5, 21, 25, 41, 45));
    tu_assert_ok(cvp_xcorr(Y, W, X, 2, 2, 1, 1, &err), &err);
    tu_assert_equal(Y, expected);
    tu_ints(expected, 2, S(5, 2), V(3, 5, 13, 15, 23, 25, 33, 35, 43, 45));
    tu_assert_ok(cvp_xcorr(Y, W, X, 1, 1, 1, 3, &err), &err);
    tu_assert_equal(Y, expected);
    cvp_tensor_clear(W); cvp_tensor_clear(X); cvp_tensor_clear(Y); cvp_tensor_clear(expected);
}

static void rot180_pad_dilate_by_hand(void **state)
{
    (void)state;
    cvp_error err;
    cvp_tensor_t X, Y, expected;
    cvp_tensor_init(X); cvp_tensor_init(Y); cvp_tensor_init(expected);
    tu_ints(X, 2, S(2, 3), V(1, 2, 3, 4, 5, 6));
    tu_ints(expected, 2, S(2, 3), V(6, 5, 4, 3, 2, 1));
    tu_assert_ok(cvp_rot180(Y, X, &err), &err);
    tu_assert_equal(Y, expected);
    /* pad: one row on top, none below, two columns left, one right. */
    tu_ints(expected, 2, S(3, 6), V(0, 0, 0, 0, 0, 0,
                                     0, 0, 1, 2, 3, 0,
                                     0, 0, 4, 5, 6, 0));
    tu_assert_ok(cvp_pad(Y, X, 1, 0, 2, 1, &err), &err);
    tu_assert_equal(Y, expected);
    /* dilate by (2, 3): (2-1)*2+1 = 3 rows, (3-1)*3+1 = 7 columns. */
    tu_ints(expected, 2, S(3, 7), V(1, 0, 0, 2, 0, 0, 3,
                                     0, 0, 0, 0, 0, 0, 0,
                                     4, 0, 0, 5, 0, 0, 6));
    tu_assert_ok(cvp_dilate(Y, X, 2, 3, &err), &err);
    tu_assert_equal(Y, expected);
    /* rank 4 (an OIHW kernel): each 2x2 kernel rotates on its own. */
    tu_ints(X, 4, S(2, 1, 2, 2), V(1, 2, 3, 4, 5, 6, 7, 8));
    tu_ints(expected, 4, S(2, 1, 2, 2), V(4, 3, 2, 1, 8, 7, 6, 5));
    tu_assert_ok(cvp_rot180(Y, X, &err), &err);
    tu_assert_equal(Y, expected);
    cvp_tensor_clear(X); cvp_tensor_clear(Y); cvp_tensor_clear(expected);
}

/* Exercise 5-2, eq. (5.13): rot180(W) (x)~ X == rot180(X) (x)~ W, on random
 * shapes and values (zeros and ties included). */
static void wide_commutes_up_to_rotation(void **state)
{
    (void)state;
    cvp_error err;
    cvp_rng rng;
    cvp_rng_seed(&rng, 513);
    cvp_tensor_t W, X, left, right, tmp;
    cvp_tensor_init(W); cvp_tensor_init(X); cvp_tensor_init(left);
    cvp_tensor_init(right); cvp_tensor_init(tmp);
    for (int trial = 0; trial < 60; trial++) {
        size_t M = (size_t)cvp_rng_range(&rng, 1, 6), N = (size_t)cvp_rng_range(&rng, 1, 6);
        size_t U = (size_t)cvp_rng_range(&rng, 1, 4), Vd = (size_t)cvp_rng_range(&rng, 1, 4);
        tu_random(X, &rng, 2, S(M, N), -9, 9);
        tu_random(W, &rng, 2, S(U, Vd), -9, 9);
        tu_assert_ok(cvp_rot180(tmp, W, &err), &err);
        tu_assert_ok(cvp_wide(left, tmp, X, &err), &err);
        tu_assert_ok(cvp_rot180(tmp, X, &err), &err);
        tu_assert_ok(cvp_wide(right, tmp, W, &err), &err);
        tu_assert_equal(left, right);
    }
    cvp_tensor_clear(W); cvp_tensor_clear(X); cvp_tensor_clear(left);
    cvp_tensor_clear(right); cvp_tensor_clear(tmp);
}

/* Without the rotation the identity fails: W = [[1, 2]], X = [[3, 5]]:
 * wide(W, X) = xcorr([1,2], [0,3,5,0]) = [6, 13, 5] while
 * wide(X, W) = xcorr([3,5], [0,1,2,0]) = [5, 13, 6]. */
static void wide_without_rotation_does_not_commute(void **state)
{
    (void)state;
    cvp_error err;
    cvp_tensor_t W, X, Y, expected;
    cvp_tensor_init(W); cvp_tensor_init(X); cvp_tensor_init(Y); cvp_tensor_init(expected);
    tu_ints(W, 2, S(1, 2), V(1, 2));
    tu_ints(X, 2, S(1, 2), V(3, 5));
    tu_ints(expected, 2, S(1, 3), V(6, 13, 5));
    tu_assert_ok(cvp_wide(Y, W, X, &err), &err);
    tu_assert_equal(Y, expected);
    tu_ints(expected, 2, S(1, 3), V(5, 13, 6));
    tu_assert_ok(cvp_wide(Y, X, W, &err), &err);
    tu_assert_equal(Y, expected);
    cvp_tensor_clear(W); cvp_tensor_clear(X); cvp_tensor_clear(Y); cvp_tensor_clear(expected);
}

/* Second routes through the definitions, on random instances:
 *   wide(W, X)              == xcorr(W, pad(X, U-1, U-1, V-1, V-1))
 *   conv(W, X)              == xcorr(rot180(W), X)
 *   xcorr(W, X, dilation d) == xcorr(dilate(W, d), X)
 *   xcorr(W, X, stride s)   == every s-th entry of xcorr(W, X)
 *   rot180(rot180(X))       == X                                        */
static void operators_agree_with_their_definitions(void **state)
{
    (void)state;
    cvp_error err;
    cvp_rng rng;
    cvp_rng_seed(&rng, 42);
    cvp_tensor_t W, X, a, b, tmp;
    cvp_tensor_init(W); cvp_tensor_init(X); cvp_tensor_init(a);
    cvp_tensor_init(b); cvp_tensor_init(tmp);
    for (int trial = 0; trial < 60; trial++) {
        size_t U = (size_t)cvp_rng_range(&rng, 1, 3), Vd = (size_t)cvp_rng_range(&rng, 1, 3);
        size_t dh = (size_t)cvp_rng_range(&rng, 1, 3), dw = (size_t)cvp_rng_range(&rng, 1, 3);
        size_t sh = (size_t)cvp_rng_range(&rng, 1, 3), sw = (size_t)cvp_rng_range(&rng, 1, 3);
        size_t M = dh * (U - 1) + 1 + (size_t)cvp_rng_range(&rng, 0, 4);
        size_t N = dw * (Vd - 1) + 1 + (size_t)cvp_rng_range(&rng, 0, 4);
        tu_random(X, &rng, 2, S(M, N), -9, 9);
        tu_random(W, &rng, 2, S(U, Vd), -9, 9);

        tu_assert_ok(cvp_wide(a, W, X, &err), &err);
        tu_assert_ok(cvp_pad(tmp, X, U - 1, U - 1, Vd - 1, Vd - 1, &err), &err);
        tu_assert_ok(cvp_xcorr(b, W, tmp, 1, 1, 1, 1, &err), &err);
        tu_assert_equal(a, b);

        tu_assert_ok(cvp_conv(a, W, X, &err), &err);
        tu_assert_ok(cvp_rot180(tmp, W, &err), &err);
        tu_assert_ok(cvp_xcorr(b, tmp, X, 1, 1, 1, 1, &err), &err);
        tu_assert_equal(a, b);

        tu_assert_ok(cvp_xcorr(a, W, X, 1, 1, dh, dw, &err), &err);
        tu_assert_ok(cvp_dilate(tmp, W, dh, dw, &err), &err);
        tu_assert_ok(cvp_xcorr(b, tmp, X, 1, 1, 1, 1, &err), &err);
        tu_assert_equal(a, b);

        tu_assert_ok(cvp_xcorr(a, W, X, sh, sw, 1, 1, &err), &err);
        tu_assert_ok(cvp_xcorr(tmp, W, X, 1, 1, 1, 1, &err), &err);
        size_t start[2] = {0, 0}, stop[2] = {tmp->shape[0], tmp->shape[1]};
        size_t step[2] = {sh, sw};
        tu_assert_ok(cvp_tensor_slice(b, tmp, start, stop, step, &err), &err);
        tu_assert_equal(a, b);

        tu_assert_ok(cvp_rot180(a, X, &err), &err);
        tu_assert_ok(cvp_rot180(a, a, &err), &err);   /* aliasing */
        tu_assert_equal(a, X);
    }
    cvp_tensor_clear(W); cvp_tensor_clear(X); cvp_tensor_clear(a);
    cvp_tensor_clear(b); cvp_tensor_clear(tmp);
}

static void bad_shapes_are_input_errors(void **state)
{
    (void)state;
    cvp_error err;
    cvp_tensor_t W, X, Y;
    cvp_tensor_init(W); cvp_tensor_init(X); cvp_tensor_init(Y);
    tu_ints(X, 2, S(2, 2), V(1, 2, 3, 4));
    tu_ints(W, 2, S(3, 1), V(1, 2, 3));
    tu_assert_fails(cvp_xcorr(Y, W, X, 1, 1, 1, 1, &err), &err, CVP_ERR_INPUT,
                    "does not fit inside the input (2 x 2)");
    tu_assert_fails(cvp_conv(Y, W, X, &err), &err, CVP_ERR_INPUT, "does not fit");
    tu_assert_fails(cvp_xcorr(Y, X, X, 0, 1, 1, 1, &err), &err, CVP_ERR_INPUT,
                    "at least 1");
    /* 2x2 kernel with dilation 2 spans 3 rows: too big for 2 rows. */
    tu_assert_fails(cvp_xcorr(Y, X, X, 1, 1, 2, 1, &err), &err, CVP_ERR_INPUT,
                    "dilation 2 x 1");
    tu_ints(W, 1, S(2), V(1, 2));
    tu_assert_fails(cvp_wide(Y, W, X, &err), &err, CVP_ERR_INPUT, "different ranks");
    tu_assert_fails(cvp_pad(Y, W, 1, 0, 0, 0, &err), &err, CVP_ERR_INPUT, "rank 1");
    tu_assert_fails(cvp_dilate(Y, X, 0, 1, &err), &err, CVP_ERR_INPUT, "at least 1");
    cvp_tensor_clear(W); cvp_tensor_clear(X); cvp_tensor_clear(Y);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(full_convolution_1d),
        cmocka_unit_test(xcorr_and_conv_by_hand),
        cmocka_unit_test(xcorr_stride_and_dilation_by_hand),
        cmocka_unit_test(rot180_pad_dilate_by_hand),
        cmocka_unit_test(wide_commutes_up_to_rotation),
        cmocka_unit_test(wide_without_rotation_does_not_commute),
        cmocka_unit_test(operators_agree_with_their_definitions),
        cmocka_unit_test(bad_shapes_are_input_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
