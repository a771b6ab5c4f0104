/* test_myconv.c -- cmocka unit tests of my_conv2d against libconvproof's
 * exact conv2d.
 *
 * The float buffers are converted to exact rational tensors, the expected
 * result is computed exactly (cvp_conv2d, PyTorch semantics), and the
 * float result is compared:
 *   - with small integer inputs every product and partial sum is an
 *     integer below 2^24, so float arithmetic is exact and any difference
 *     is a bug;
 *   - with fractional inputs the result may differ by rounding, but never
 *     by more than gamma_n * sum|terms| (n = C*kH*kW products plus the
 *     bias, u = 2^-24): outside that bound is a bug.
 * On a failure the first differing entry (smallest row-major index) is
 * printed with the value got, the exact value and the error in ulps.
 *
 * Build against an installed libconvproof:
 *   cc test_myconv.c myconv.c $(pkg-config --cflags --libs convproof cmocka)
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include <ext/compare.h>
#include <kernel/conv2d.h>
#include <kernel/rng.h>

#include "myconv.h"

typedef void (*conv_fn)(float *, const float *, const float *, const float *,
                        int, int, int, int, int, int, int, int, int);

typedef struct {
    int n, c, h, w, o, kh, kw, stride, pad;
} layer;

/* A reproducible float in [lo, hi] with `frac` fractional bits. */
static float draw(cvp_rng *rng, int lo, int hi, int frac)
{
    int64_t scale = (int64_t)1 << frac;
    return (float)cvp_rng_range(rng, lo * scale, hi * scale) / (float)scale;
}

/* Runs `fn` on random inputs and compares with the exact conv2d; returns
 * the number of entries that differ beyond what is allowed, after
 * printing the first one. */
static size_t check(conv_fn fn, const layer *L, int frac, uint64_t seed)
{
    int ho = my_conv2d_out(L->h, L->kh, L->stride, L->pad);
    int wo = my_conv2d_out(L->w, L->kw, L->stride, L->pad);
    size_t nx = (size_t)(L->n * L->c * L->h * L->w);
    size_t nw = (size_t)(L->o * L->c * L->kh * L->kw);
    size_t ny = (size_t)(L->n * L->o * ho * wo);
    float *x = malloc(nx * sizeof *x), *w = malloc(nw * sizeof *w);
    float *b = malloc((size_t)L->o * sizeof *b), *y = malloc(ny * sizeof *y);
    assert_true(x != NULL && w != NULL && b != NULL && y != NULL);
    cvp_rng rng;
    cvp_rng_seed(&rng, seed);
    for (size_t k = 0; k < nx; k++)
        x[k] = draw(&rng, -9, 9, frac);
    for (size_t k = 0; k < nw; k++)
        w[k] = draw(&rng, -9, 9, frac);
    for (int k = 0; k < L->o; k++)
        b[k] = draw(&rng, -9, 9, frac);
    fn(y, x, w, b, L->n, L->c, L->h, L->w, L->o, L->kh, L->kw, L->stride, L->pad);

    /* The same numbers, exactly. */
    cvp_tensor_t X, W, B, Y, want, ax, aw, ab, sums;
    cvp_tensor_init(X), cvp_tensor_init(W), cvp_tensor_init(B);
    cvp_tensor_init(Y), cvp_tensor_init(want), cvp_tensor_init(sums);
    cvp_tensor_init(ax), cvp_tensor_init(aw), cvp_tensor_init(ab);
    cvp_error e;
    size_t xs[4] = {(size_t)L->n, (size_t)L->c, (size_t)L->h, (size_t)L->w};
    size_t ws[4] = {(size_t)L->o, (size_t)L->c, (size_t)L->kh, (size_t)L->kw};
    size_t bs[1] = {(size_t)L->o};
    size_t ys[4] = {(size_t)L->n, (size_t)L->o, (size_t)ho, (size_t)wo};
    assert_int_equal(cvp_tensor_from_floats(X, 4, xs, x, &e), CVP_OK);
    assert_int_equal(cvp_tensor_from_floats(W, 4, ws, w, &e), CVP_OK);
    assert_int_equal(cvp_tensor_from_floats(B, 1, bs, b, &e), CVP_OK);
    assert_int_equal(cvp_tensor_from_floats(Y, 4, ys, y, &e), CVP_OK);
    cvp_conv2d_params p = cvp_conv2d_params_default();
    p.stride[0] = p.stride[1] = (size_t)L->stride;
    p.padding[0] = p.padding[1] = (size_t)L->pad;
    if (cvp_conv2d(want, X, W, B, &p, &e) != CVP_OK)
        fail_msg("cvp_conv2d: %s", e.message);

    /* Integers: exact.  Fractions: the bound, from sum |x w| + |b|. */
    cvp_compare_bound bound = {CVP_PRECISION_FLOAT, 0, NULL};
    if (frac > 0) {
        assert_int_equal(cvp_tensor_abs(ax, X, &e), CVP_OK);
        assert_int_equal(cvp_tensor_abs(aw, W, &e), CVP_OK);
        assert_int_equal(cvp_tensor_abs(ab, B, &e), CVP_OK);
        assert_int_equal(cvp_conv2d(sums, ax, aw, ab, &p, &e), CVP_OK);
        bound.terms = (unsigned long)(L->c * L->kh * L->kw + 1);
        bound.abs_sum = sums;
    }
    cvp_compare_result r;
    cvp_compare_result_init(&r);
    if (cvp_compare(&r, want, Y, &bound, &e) != CVP_OK)
        fail_msg("compare: %s", e.message);
    size_t differing = r.differing;
    if (differing > 0) {
        char line[512];
        cvp_compare_describe(line, sizeof line, &r, "y");
        print_message("  %zu of %zu entries differ; the first: %s\n",
                      r.differing, r.compared, line);
    } else if (frac > 0) {
        print_message("  largest error %.3g ulp, %.0f%% of the bound\n",
                      r.max_ulps, 100 * r.max_ratio);
    }
    cvp_compare_result_clear(&r);
    cvp_tensor_clear(X), cvp_tensor_clear(W), cvp_tensor_clear(B);
    cvp_tensor_clear(Y), cvp_tensor_clear(want), cvp_tensor_clear(sums);
    cvp_tensor_clear(ax), cvp_tensor_clear(aw), cvp_tensor_clear(ab);
    free(x), free(w), free(b), free(y);
    return differing;
}

static const layer layers[] = {
    /* n  c  h  w  o kh kw stride pad */
    {1, 1, 4, 4, 1, 3, 3, 1, 0},
    {2, 3, 5, 7, 4, 3, 3, 2, 1},   /* stride 2 does not divide 5 + 2 - 3 */
    {1, 2, 6, 6, 3, 2, 2, 3, 0},   /* stride larger than the kernel */
    {1, 2, 3, 3, 2, 1, 1, 1, 2},   /* padding larger than the kernel */
};
#define LAYERS (sizeof layers / sizeof layers[0])

static void test_exact_on_integers(void **state)
{
    (void)state;
    for (size_t k = 0; k < LAYERS; k++)
        assert_int_equal(check(my_conv2d, &layers[k], 0, 1 + k), 0);
}

static void test_rounding_within_bound(void **state)
{
    (void)state;
    for (size_t k = 0; k < LAYERS; k++)
        assert_int_equal(check(my_conv2d, &layers[k], 20, 100 + k), 0);
}

/* The comparison catches the clamped-padding bug, and only where padding
 * exists: the first differing entry is printed. */
static void test_finds_the_padding_bug(void **state)
{
    (void)state;
    assert_true(check(my_conv2d_buggy, &layers[1], 0, 7) > 0);
    assert_int_equal(check(my_conv2d_buggy, &layers[0], 0, 7), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_on_integers),
        cmocka_unit_test(test_rounding_within_bound),
        cmocka_unit_test(test_finds_the_padding_bug),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
