/* test_pool.c -- max and average pooling (forward and backward) and ReLU
 * by hand, and their errors.
 *
 * Expected values come from hand arithmetic (in the comments).
 * test_pool_methods.c checks the same operators against second methods
 * over random configurations. */
#include "testutil.h"

#include <string.h>

#include "kernel/pool.h"
#include "kernel/textbook.h"

static cvp_pool2d_params pool_params(size_t k, size_t s, size_t pad)
{
    cvp_pool2d_params p = cvp_pool2d_params_default(k, k);
    p.stride[0] = p.stride[1] = s;
    p.padding[0] = p.padding[1] = pad;
    return p;
}

/* ---- hand examples ------------------------------------------------- */

static void test_max_pool2d_hand_first_maximum_gets_gradient(void **state)
{
    (void)state;
    cvp_error err;
    cvp_tensor_t X, G, Y, E;
    cvp_tensor_init(X), cvp_tensor_init(G), cvp_tensor_init(Y), cvp_tensor_init(E);
    tu_ints(X, 4, (size_t[]){1, 1, 4, 4},
            (long[]){1, 3, 2, 4,
                     5, 0, 1, 1,
                     7, 7, 2, 9,
                     7, 1, 9, 3});
    cvp_pool2d_params p = cvp_pool2d_params_default(2, 2);
    /* windows {1,3,5,0} -> 5, {2,4,1,1} -> 4, {7,7,7,1} -> 7, {2,9,9,3} -> 9 */
    tu_assert_ok(cvp_max_pool2d(Y, X, &p, &err), &err);
    tu_ints(E, 4, (size_t[]){1, 1, 2, 2}, (long[]){5, 4, 7, 9});
    tu_assert_equal(Y, E);
    /* G goes to (1,0), (0,3); the tie 7,7,7 to the first in row-major order
     * (2,0) -- not (2,1) nor (3,0); the tie 9,9 to (2,3), not (3,2). */
    tu_ints(G, 4, (size_t[]){1, 1, 2, 2}, (long[]){10, 20, 30, 40});
    tu_assert_ok(cvp_max_pool2d_backward(Y, X, G, &p, &err), &err);
    tu_ints(E, 4, (size_t[]){1, 1, 4, 4},
            (long[]){0, 0, 0, 20,
                     10, 0, 0, 0,
                     30, 0, 0, 40,
                     0, 0, 0, 0});
    tu_assert_equal(Y, E);
    cvp_tensor_clear(X), cvp_tensor_clear(G), cvp_tensor_clear(Y), cvp_tensor_clear(E);
}

static void test_max_pool2d_overlapping_windows_add_up(void **state)
{
    (void)state;
    cvp_error err;
    cvp_tensor_t X, G, Y, E;
    cvp_tensor_init(X), cvp_tensor_init(G), cvp_tensor_init(Y), cvp_tensor_init(E);
    cvp_pool2d_params p = pool_params(2, 1, 0);
    tu_ints(G, 3, (size_t[]){1, 2, 2}, (long[]){1, 2, 3, 4});
    /* The 9 in the middle is in all four 2x2 windows: it gets 1+2+3+4. */
    tu_ints(X, 3, (size_t[]){1, 3, 3}, (long[]){1, 2, 3, 4, 9, 5, 6, 7, 8});
    tu_assert_ok(cvp_max_pool2d(Y, X, &p, &err), &err);
    tu_ints(E, 3, (size_t[]){1, 2, 2}, (long[]){9, 9, 9, 9});
    tu_assert_equal(Y, E);
    tu_assert_ok(cvp_max_pool2d_backward(Y, X, G, &p, &err), &err);
    tu_ints(E, 3, (size_t[]){1, 3, 3}, (long[]){0, 0, 0, 0, 10, 0, 0, 0, 0});
    tu_assert_equal(Y, E);
    /* All equal: every window's first maximum is its top-left position,
     * window (i,j) -> position (i,j). */
    tu_ints(X, 3, (size_t[]){1, 3, 3}, (long[]){5, 5, 5, 5, 5, 5, 5, 5, 5});
    tu_assert_ok(cvp_max_pool2d_backward(Y, X, G, &p, &err), &err);
    tu_ints(E, 3, (size_t[]){1, 3, 3}, (long[]){1, 2, 0, 3, 4, 0, 0, 0, 0});
    tu_assert_equal(Y, E);
    cvp_tensor_clear(X), cvp_tensor_clear(G), cvp_tensor_clear(Y), cvp_tensor_clear(E);
}

static void test_max_pool2d_padding_ignored_and_dilation(void **state)
{
    (void)state;
    cvp_error err;
    cvp_tensor_t X, G, Y, E;
    cvp_tensor_init(X), cvp_tensor_init(G), cvp_tensor_init(Y), cvp_tensor_init(E);
    /* All negative, k 2, stride 1, padding 1: output 2+2-1-1+1 = 3; window
     * (i,j) covers rows i-1..i, cols j-1..j; padding is not a 0 candidate:
     *   Y00 = -1          Y01 = max(-1,-2) = -1   Y02 = -2
     *   Y10 = max(-1,-3)  Y11 = -1                Y12 = max(-2,-4) = -2
     *   Y20 = -3          Y21 = max(-3,-4) = -3   Y22 = -4 */
    tu_ints(X, 4, (size_t[]){1, 1, 2, 2}, (long[]){-1, -2, -3, -4});
    cvp_pool2d_params p = pool_params(2, 1, 1);
    tu_assert_ok(cvp_max_pool2d(Y, X, &p, &err), &err);
    tu_ints(E, 4, (size_t[]){1, 1, 3, 3}, (long[]){-1, -1, -2, -1, -1, -2, -3, -3, -4});
    tu_assert_equal(Y, E);
    /* Dilation 2, k 2, stride 1 on 3x3: one window of the corners
     * {1, 2, 3, 4} -> 4 at (2,2), although the centre 9 is larger. */
    tu_ints(X, 4, (size_t[]){1, 1, 3, 3}, (long[]){1, 0, 2, 0, 9, 0, 3, 0, 4});
    p = pool_params(2, 1, 0);
    p.dilation[0] = p.dilation[1] = 2;
    tu_assert_ok(cvp_max_pool2d(Y, X, &p, &err), &err);
    tu_ints(E, 4, (size_t[]){1, 1, 1, 1}, (long[]){4});
    tu_assert_equal(Y, E);
    tu_ints(G, 4, (size_t[]){1, 1, 1, 1}, (long[]){5});
    tu_assert_ok(cvp_max_pool2d_backward(Y, X, G, &p, &err), &err);
    tu_ints(E, 4, (size_t[]){1, 1, 3, 3}, (long[]){0, 0, 0, 0, 0, 0, 0, 0, 5});
    tu_assert_equal(Y, E);
    cvp_tensor_clear(X), cvp_tensor_clear(G), cvp_tensor_clear(Y), cvp_tensor_clear(E);
}

/* Sets E to the rank-4 [1,1,2,2] tensor of rationals n[k]/d[k]. */
static void set_fractions(cvp_tensor_t E, const long *n, const unsigned long *d)
{
    tu_zeros(E, 4, (size_t[]){1, 1, 2, 2});
    for (int k = 0; k < 4; k++) {
        mpq_set_si(cvp_tensor_at(E, k), n[k], d[k]);
        mpq_canonicalize(cvp_tensor_at(E, k));
    }
}

static void test_avg_pool2d_padding_divisors(void **state)
{
    (void)state;
    cvp_error err;
    cvp_tensor_t X, Y, E;
    cvp_tensor_init(X), cvp_tensor_init(Y), cvp_tensor_init(E);
    tu_ints(X, 4, (size_t[]){1, 1, 3, 3}, (long[]){1, 2, 3, 4, 5, 6, 7, 8, 9});
    /* k 2, stride 2, padding 1: output (3+2-1-1)/2+1 = 2; window rows
     * {-1,0} and {1,2}, the same for columns.  Sums of the inside parts:
     *   (0,0): X00 = 1            (0,1): X01+X02 = 5
     *   (1,0): X10+X20 = 11       (1,1): 5+6+8+9 = 28
     * count_include_pad: every window counts 4; without it 1, 2, 2, 4. */
    cvp_pool2d_params p = pool_params(2, 2, 1);
    tu_assert_ok(cvp_avg_pool2d(Y, X, &p, &err), &err);
    set_fractions(E, (long[]){1, 5, 11, 28}, (unsigned long[]){4, 4, 4, 4});
    tu_assert_equal(Y, E);
    p.count_include_pad = false;
    tu_assert_ok(cvp_avg_pool2d(Y, X, &p, &err), &err);
    set_fractions(E, (long[]){1, 5, 11, 28}, (unsigned long[]){1, 2, 2, 4});
    tu_assert_equal(Y, E);
    p.divisor_override = 3;   /* overrides both */
    tu_assert_ok(cvp_avg_pool2d(Y, X, &p, &err), &err);
    set_fractions(E, (long[]){1, 5, 11, 28}, (unsigned long[]){3, 3, 3, 3});
    tu_assert_equal(Y, E);
    cvp_tensor_clear(X), cvp_tensor_clear(Y), cvp_tensor_clear(E);
}

/* Sets E to the rank-4 [1, 1, 1, n] row of fractions num[k]/den[k]. */
static void set_row(cvp_tensor_t E, size_t n, const long *num, const unsigned long *den)
{
    tu_zeros(E, 4, (size_t[]){1, 1, 1, n});
    for (size_t k = 0; k < n; k++) {
        mpq_set_si(cvp_tensor_at(E, k), num[k], den[k]);
        mpq_canonicalize(cvp_tensor_at(E, k));
    }
}

static void test_avg_pool2d_ceil_mode_partial_window(void **state)
{
    (void)state;
    cvp_error err;
    cvp_tensor_t X, G, Y, E;
    cvp_tensor_init(X), cvp_tensor_init(G), cvp_tensor_init(Y), cvp_tensor_init(E);
    tu_ints(X, 4, (size_t[]){1, 1, 1, 6}, (long[]){1, 2, 3, 4, 5, 6});
    /* Width 6, k 3, stride 2, padding 1, ceil mode: span 6+2-2-1 = 5,
     * ceil(5/2)+1 = 4 windows (floor: 3); the last starts at column 5,
     * inside the input, so it is kept.  Windows (input columns):
     *   {-1,0,1} sum 3;  {1,2,3} sum 9;  {3,4,5} sum 15;  {5,6,7} sum 6.
     * count_include_pad clips to the padded input [-1, 6]: 3, 3, 3, 2
     *   -> [1, 3, 5, 3];  without it, to the input: 2, 3, 3, 1
     *   -> [3/2, 3, 5, 6]. */
    cvp_pool2d_params p = cvp_pool2d_params_default(1, 3);
    p.stride[1] = 2;
    p.padding[1] = 1;
    p.ceil_mode = true;
    tu_assert_ok(cvp_avg_pool2d(Y, X, &p, &err), &err);
    set_row(E, 4, (long[]){1, 3, 5, 3}, (unsigned long[]){1, 1, 1, 1});
    tu_assert_equal(Y, E);
    /* backward of G = 6 everywhere: window shares 2, 2, 2, 3 on columns
     * {0,1}, {1,2,3}, {3,4,5}, {5} -> [2, 4, 2, 4, 2, 5] */
    tu_ints(G, 4, (size_t[]){1, 1, 1, 4}, (long[]){6, 6, 6, 6});
    tu_assert_ok(cvp_avg_pool2d_backward(Y, X, G, &p, &err), &err);
    tu_ints(E, 4, (size_t[]){1, 1, 1, 6}, (long[]){2, 4, 2, 4, 2, 5});
    tu_assert_equal(Y, E);
    p.count_include_pad = false;
    tu_assert_ok(cvp_avg_pool2d(Y, X, &p, &err), &err);
    set_row(E, 4, (long[]){3, 3, 5, 6}, (unsigned long[]){2, 1, 1, 1});
    tu_assert_equal(Y, E);
    /* shares 3, 2, 2, 6 -> [3, 3+2, 2, 2+2, 2, 2+6] */
    tu_assert_ok(cvp_avg_pool2d_backward(Y, X, G, &p, &err), &err);
    tu_ints(E, 4, (size_t[]){1, 1, 1, 6}, (long[]){3, 5, 2, 4, 2, 8});
    tu_assert_equal(Y, E);
    /* Floor mode drops the partial window: 3 outputs [1, 3, 5]. */
    p.count_include_pad = true;
    p.ceil_mode = false;
    tu_assert_ok(cvp_avg_pool2d(Y, X, &p, &err), &err);
    set_row(E, 3, (long[]){1, 3, 5}, (unsigned long[]){1, 1, 1});
    tu_assert_equal(Y, E);
    /* The same along the height: X as a 6 x 1 column, ceil mode,
     * count_include_pad -> the column [1, 3, 5, 3]. */
    tu_ints(X, 4, (size_t[]){1, 1, 6, 1}, (long[]){1, 2, 3, 4, 5, 6});
    p = cvp_pool2d_params_default(3, 1);
    p.stride[0] = 2;
    p.padding[0] = 1;
    p.ceil_mode = true;
    tu_assert_ok(cvp_avg_pool2d(Y, X, &p, &err), &err);
    set_row(E, 4, (long[]){1, 3, 5, 3}, (unsigned long[]){1, 1, 1, 1});
    tu_assert_ok(cvp_tensor_reshape(E, E, 4, (size_t[]){1, 1, 4, 1}, &err), &err);
    tu_assert_equal(Y, E);
    cvp_tensor_clear(X), cvp_tensor_clear(G), cvp_tensor_clear(Y), cvp_tensor_clear(E);
}

/* PyTorch: max_pool2d([[[[1,2],[3,4]]]], 3, stride=3, ceil_mode=True) is
 * [[[[4]]]]: the one window covers rows and columns 0..2, clipped to the
 * input 0..1. */
static void test_pool_ceil_mode_window_larger_than_input(void **state)
{
    (void)state;
    cvp_error err;
    cvp_tensor_t X, G, Y, E;
    cvp_tensor_init(X), cvp_tensor_init(G), cvp_tensor_init(Y), cvp_tensor_init(E);
    tu_ints(X, 4, (size_t[]){1, 1, 2, 2}, (long[]){1, 2, 3, 4});
    cvp_pool2d_params p = cvp_pool2d_params_default(3, 3);
    p.ceil_mode = true;
    tu_assert_ok(cvp_max_pool2d(Y, X, &p, &err), &err);
    tu_ints(E, 4, (size_t[]){1, 1, 1, 1}, (long[]){4});
    tu_assert_equal(Y, E);
    /* backward: the gradient 7 goes to the maximum, position (1, 1) */
    tu_ints(G, 4, (size_t[]){1, 1, 1, 1}, (long[]){7});
    tu_assert_ok(cvp_max_pool2d_backward(Y, X, G, &p, &err), &err);
    tu_ints(E, 4, (size_t[]){1, 1, 2, 2}, (long[]){0, 0, 0, 7});
    tu_assert_equal(Y, E);
    /* average: the window ends at min(0 + 3, 2 + 0) = 2 on both axes,
     * so the divisor is 2 * 2 = 4 with or without count_include_pad:
     * (1 + 2 + 3 + 4) / 4 = 5/2; backward sends 7/4 to every position */
    for (int include = 0; include < 2; include++) {
        p.count_include_pad = include;
        tu_assert_ok(cvp_avg_pool2d(Y, X, &p, &err), &err);
        set_row(E, 1, (long[]){5}, (unsigned long[]){2});
        tu_assert_equal(Y, E);
        tu_assert_ok(cvp_avg_pool2d_backward(Y, X, G, &p, &err), &err);
        set_row(E, 4, (long[]){7, 7, 7, 7}, (unsigned long[]){4, 4, 4, 4});
        tu_assert_ok(cvp_tensor_reshape(E, E, 4, (size_t[]){1, 1, 2, 2}, &err), &err);
        tu_assert_equal(Y, E);
    }
    /* [1, 2, 3] with a 1 x 2 window, stride 2, ceil mode: windows {0, 1}
     * and {2, 3} clipped to {2}, divisor min(2 + 2, 3) - 2 = 1:
     * [3/2, 3] (PyTorch gives [1.5, 3.0]) */
    tu_ints(X, 4, (size_t[]){1, 1, 1, 3}, (long[]){1, 2, 3});
    p = cvp_pool2d_params_default(1, 2);
    p.ceil_mode = true;
    tu_assert_ok(cvp_avg_pool2d(Y, X, &p, &err), &err);
    set_row(E, 2, (long[]){3, 3}, (unsigned long[]){2, 1});
    tu_assert_equal(Y, E);
    /* floor mode has no window at all there */
    tu_ints(X, 4, (size_t[]){1, 1, 2, 2}, (long[]){1, 2, 3, 4});
    p = cvp_pool2d_params_default(3, 3);
    tu_assert_fails(cvp_max_pool2d(Y, X, &p, &err), &err, CVP_ERR_INPUT,
                    "would be empty");
    cvp_tensor_clear(X), cvp_tensor_clear(G), cvp_tensor_clear(Y), cvp_tensor_clear(E);
}

static void test_pool2d_out_dim_ceil_mode_rule(void **state)
{
    (void)state;
    cvp_error err;
    size_t out = 0;
    struct {
        size_t in, k, s, pad, dil;
        bool ceil;
        size_t want;
    } rows[] = {
        /* H=5, k=2, s=2: span 3; floor 3/2+1 = 2, ceil 2+1 = 3 */
        {5, 2, 2, 0, 1, false, 2},
        {5, 2, 2, 0, 1, true, 3},
        /* H=4, k=2, s=2, p=1: span 4; floor = ceil = 3; (3-1)*2 = 4 < 4+1 */
        {4, 2, 2, 1, 1, true, 3},
        /* H=5, k=2, s=2, p=1: span 5; ceil(5/2)+1 = 4 but the 4th window
         * starts at (4-1)*2 = 6 >= 5+1, in the right padding: dropped -> 3 */
        {5, 2, 2, 1, 1, true, 3},
        {5, 2, 2, 1, 1, false, 3},
        /* H=6, k=3, s=2, p=1: span 5; floor 3, ceil 4 (starts at 6 < 7) */
        {6, 3, 2, 1, 1, false, 3},
        {6, 3, 2, 1, 1, true, 4},
        /* dilation 2: H=7, k=2, s=3: span 7-2-1 = 4; floor 2, ceil 3
         * (third window starts at 6 < 7) */
        {7, 2, 3, 0, 2, false, 2},
        {7, 2, 3, 0, 2, true, 3},
        /* a window larger than the input, in ceil mode (PyTorch's
         * floor division of a negative span): H=2, k=3, s=3: span -1,
         * floor((-1 + 2) / 3) + 1 = 1, starting at 0 < 2 */
        {2, 3, 3, 0, 1, true, 1},
        /* H=1, k=2, s=2: span -1, floor(0 / 2) + 1 = 1 */
        {1, 2, 2, 0, 1, true, 1},
    };
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        tu_assert_ok(cvp_pool2d_out_dim(&out, rows[r].in, rows[r].k, rows[r].s,
                                        rows[r].pad, rows[r].dil, rows[r].ceil,
                                        "height", &err), &err);
        if (out != rows[r].want)
            fprintf(stderr, "row %zu\n", r);
        assert_int_equal(out, rows[r].want);
    }
    /* window 3 larger than the input 2 */
    tu_assert_fails(cvp_pool2d_out_dim(&out, 2, 3, 1, 0, 1, false, "width", &err),
                    &err, CVP_ERR_INPUT, "output width would be empty");
    /* floor mode: span -1, floor(-1 / 2) + 1 = 0 outputs */
    tu_assert_fails(cvp_pool2d_out_dim(&out, 1, 2, 2, 0, 1, false, "width", &err),
                    &err, CVP_ERR_INPUT, "output width would be empty");
}

static void test_relu_hand_and_aliasing(void **state)
{
    (void)state;
    cvp_error err;
    cvp_tensor_t X, E;
    cvp_tensor_init(X), cvp_tensor_init(E);
    tu_zeros(X, 1, (size_t[]){5});
    tu_zeros(E, 1, (size_t[]){5});
    mpq_set_si(cvp_tensor_at(X, 0), -2, 1);
    mpq_set_si(cvp_tensor_at(X, 1), 0, 1);
    mpq_set_si(cvp_tensor_at(X, 2), 3, 2);
    mpq_set_si(cvp_tensor_at(X, 3), -1, 3);
    mpq_set_si(cvp_tensor_at(X, 4), 7, 1);
    mpq_set_si(cvp_tensor_at(E, 2), 3, 2);
    mpq_set_si(cvp_tensor_at(E, 4), 7, 1);
    tu_assert_ok(cvp_relu(X, X, &err), &err);
    tu_assert_equal(X, E);
    cvp_tensor_clear(X), cvp_tensor_clear(E);
}

/* ---- errors ------------------------------------------------------------ */

static void test_pool_errors_name_the_argument(void **state)
{
    (void)state;
    cvp_error err;
    cvp_tensor_t X, G, Y;
    cvp_tensor_init(X), cvp_tensor_init(G), cvp_tensor_init(Y);
    tu_zeros(X, 4, (size_t[]){1, 1, 4, 4});
    cvp_pool2d_params p = pool_params(3, 1, 2);   /* 2 > 3/2 */
    tu_assert_fails(cvp_max_pool2d(Y, X, &p, &err), &err, CVP_ERR_INPUT,
                    "padding (2) along the height must be at most half the kernel size (3)");
    p = pool_params(2, 2, 0);
    p.padding[1] = 2;
    tu_assert_fails(cvp_avg_pool2d(Y, X, &p, &err), &err, CVP_ERR_INPUT,
                    "padding (2) along the width");
    p = pool_params(2, 2, 0);
    tu_zeros(G, 4, (size_t[]){1, 1, 2, 3});   /* output is 2 x 2 */
    tu_assert_fails(cvp_max_pool2d_backward(Y, X, G, &p, &err), &err, CVP_ERR_INPUT,
                    "the gradient G has shape [1, 1, 2, 3] but the pooled output has "
                    "shape [1, 1, 2, 2]");
    tu_zeros(G, 3, (size_t[]){1, 2, 2});
    tu_assert_fails(cvp_avg_pool2d_backward(Y, X, G, &p, &err), &err, CVP_ERR_INPUT,
                    "the gradient G has shape [1, 2, 2]");
    tu_zeros(G, 4, (size_t[]){2, 1, 2, 2});
    tu_assert_fails(cvp_avg_pool2d_backward(Y, X, G, &p, &err), &err, CVP_ERR_INPUT,
                    "avg_pool2d_backward: the gradient G has shape [2, 1, 2, 2]");
    p = pool_params(5, 1, 0);
    tu_assert_fails(cvp_max_pool2d(Y, X, &p, &err), &err, CVP_ERR_INPUT,
                    "output height would be empty");
    p = pool_params(2, 2, 0);
    p.dilation[0] = 2;
    tu_assert_fails(cvp_avg_pool2d(Y, X, &p, &err), &err, CVP_ERR_INPUT,
                    "average pooling has no dilation");
    p = pool_params(2, 2, 0);
    p.divisor_override = -1;
    tu_assert_fails(cvp_avg_pool2d(Y, X, &p, &err), &err, CVP_ERR_INPUT,
                    "divisor_override must be positive");
    p.divisor_override = 0;
    p.stride[1] = 0;
    tu_assert_fails(cvp_max_pool2d(Y, X, &p, &err), &err, CVP_ERR_INPUT,
                    "stride and dilation must be at least 1");
    tu_zeros(X, 2, (size_t[]){4, 4});
    p = pool_params(2, 2, 0);
    tu_assert_fails(cvp_max_pool2d(Y, X, &p, &err), &err, CVP_ERR_INPUT,
                    "must have rank 4 (N, C, H, W) or 3");
    cvp_tensor_clear(X), cvp_tensor_clear(G), cvp_tensor_clear(Y);
}

/* A window can lie wholly in the padding: with dilation (H=2, k=2,
 * d=3, p=1: the only window reads rows -1 and 2), or on an empty input
 * (H=0, k=2, p=1).  PyTorch would give -inf (max) or divide by 0 (avg
 * without count_include_pad); there is no such rational, so it is an
 * input error, not a crash. */
static void test_pool_window_entirely_in_padding_is_an_error(void **state)
{
    (void)state;
    cvp_error err;
    cvp_tensor_t X, G, Y;
    cvp_tensor_init(X), cvp_tensor_init(G), cvp_tensor_init(Y);
    tu_zeros(X, 3, (size_t[]){1, 2, 2});
    cvp_pool2d_params p = pool_params(2, 1, 1);
    p.dilation[0] = 3;   /* height: span 2+2-3-1 = 0 -> one window, rows -1, 2 */
    tu_assert_fails(cvp_max_pool2d(Y, X, &p, &err), &err, CVP_ERR_INPUT,
                    "entirely in the padding");
    tu_zeros(G, 3, (size_t[]){1, 1, 3});
    tu_assert_fails(cvp_max_pool2d_backward(Y, X, G, &p, &err), &err, CVP_ERR_INPUT,
                    "entirely in the padding");
    tu_zeros(X, 3, (size_t[]){1, 0, 3});
    p = pool_params(2, 1, 1);   /* height 0: span 0+2-1-1 = 0 -> one window */
    tu_assert_fails(cvp_max_pool2d(Y, X, &p, &err), &err, CVP_ERR_INPUT,
                    "entirely in the padding");
    p.count_include_pad = false;
    tu_assert_fails(cvp_avg_pool2d(Y, X, &p, &err), &err, CVP_ERR_INPUT,
                    "entirely in the padding");
    cvp_tensor_clear(X), cvp_tensor_clear(G), cvp_tensor_clear(Y);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_max_pool2d_hand_first_maximum_gets_gradient),
        cmocka_unit_test(test_max_pool2d_overlapping_windows_add_up),
        cmocka_unit_test(test_max_pool2d_padding_ignored_and_dilation),
        cmocka_unit_test(test_avg_pool2d_padding_divisors),
        cmocka_unit_test(test_avg_pool2d_ceil_mode_partial_window),
        cmocka_unit_test(test_pool2d_out_dim_ceil_mode_rule),
        cmocka_unit_test(test_relu_hand_and_aliasing),
        cmocka_unit_test(test_pool_errors_name_the_argument),
        cmocka_unit_test(test_pool_window_entirely_in_padding_is_an_error),
        cmocka_unit_test(test_pool_ceil_mode_window_larger_than_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
