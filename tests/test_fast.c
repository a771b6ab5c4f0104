/* test_fast.c -- the fast exact kernels against the definitional
 * operators of the trusted kernel.
 *
 * The definitional operators (kernel/conv2d.c, kernel/conv2d_backward.c,
 * kernel/tensor_arith.c) are the independent reference: every fast path
 * -- float32, float64, int64, residues mod p, im2col blocks of every
 * size, the 1x1 shortcut -- must give exactly their result on random
 * layers (shapes, strides, paddings, dilations, groups) and value ranges,
 * and the path chosen must be the narrowest exact one, also for operands
 * right at each path's limit. */
#include "testutil.h"

#include <string.h>

#include "fast/fast.h"
#include "kernel/conv2d_backward.h"
#include "kernel/ring_small.h"

#define CASES 40

/* ---- helpers ------------------------------------------------------- */

typedef enum { FORWARD, BACKWARD_INPUT, BACKWARD_WEIGHT } conv_op;

static cvp_status fast_op(conv_op op, cvp_tensor_t out, const cvp_tensor_t X,
                          const cvp_tensor_t K, const cvp_tensor_t G,
                          const cvp_tensor_struct *bias,
                          const cvp_conv2d_params *p, cvp_fast_path *path,
                          cvp_error *err)
{
    switch (op) {
    case FORWARD: return cvp_fast_conv2d(out, X, K, bias, p, path, err);
    case BACKWARD_INPUT:
        return cvp_fast_conv2d_backward_input(out, X, K, G, p, path, err);
    case BACKWARD_WEIGHT:
        return cvp_fast_conv2d_backward_weight(out, X, K, G, p, path, err);
    }
    return CVP_ERR_INPUT;
}

static cvp_status reference_op(conv_op op, cvp_tensor_t out,
                               const cvp_tensor_t X, const cvp_tensor_t K,
                               const cvp_tensor_t G,
                               const cvp_tensor_struct *bias,
                               const cvp_conv2d_params *p, cvp_error *err)
{
    switch (op) {
    case FORWARD: return cvp_conv2d(out, X, K, bias, p, err);
    case BACKWARD_INPUT: return cvp_conv2d_backward_input(out, X, K, G, p, err);
    case BACKWARD_WEIGHT: return cvp_conv2d_backward_weight(out, X, K, G, p, err);
    }
    return CVP_ERR_INPUT;
}

/* Random rationals p/q with p in [lo, hi], q in [1, max_den]. */
static void random_values(cvp_tensor_t t, cvp_rng *rng, int rank,
                          const size_t *shape, long lo, long hi, uint64_t max_den)
{
    tu_zeros(t, rank, shape);
    if (max_den == 1)
        cvp_tensor_random_int(t, rng, lo, hi);
    else
        cvp_tensor_random_rat(t, rng, lo, hi, max_den);
}

/* `want` of check_layer: any path at all. */
#define ANY_PATH ((cvp_fast_path)-1)

/* All three passes of one random layer: fast == definitional, and the
 * path is `want` (CVP_FAST_PATH_COUNT: anything but the reference;
 * ANY_PATH: anything). */
static void check_layer(const tu_conv_case *cc, cvp_rng *rng, long lo, long hi,
                        uint64_t max_den, bool with_bias, cvp_fast_path want)
{
    cvp_tensor_t X, K, G, B, fast, ref;
    cvp_tensor_init(X), cvp_tensor_init(K), cvp_tensor_init(G);
    cvp_tensor_init(B), cvp_tensor_init(fast), cvp_tensor_init(ref);
    random_values(X, rng, cc->rank, cc->x_shape, lo, hi, max_den);
    random_values(K, rng, 4, cc->k_shape, lo, hi, max_den);
    random_values(G, rng, cc->rank, cc->y_shape, lo, hi, max_den);
    random_values(B, rng, 1, &cc->O, lo, hi, max_den);
    for (conv_op op = FORWARD; op <= BACKWARD_WEIGHT; op++) {
        cvp_error e1, e2;
        cvp_fast_path path = CVP_FAST_PATH_COUNT;
        const cvp_tensor_struct *bias = with_bias && op == FORWARD ? B : NULL;
        tu_assert_ok(fast_op(op, fast, X, K, G, bias, &cc->p, &path, &e1), &e1);
        tu_assert_ok(reference_op(op, ref, X, K, G, bias, &cc->p, &e2), &e2);
        bool path_ok = want == ANY_PATH ||
                       (want == CVP_FAST_PATH_COUNT ? path != CVP_FAST_PATH_REFERENCE
                                                    : path == want);
        if (!cvp_tensor_equal(fast, ref) || !path_ok) {
            tu_print_conv_case(cc);
            fprintf(stderr, "op %d, path %s\n", (int)op, cvp_fast_path_name(path));
        }
        tu_assert_equal(fast, ref);
        assert_true(path_ok);
    }
    cvp_tensor_clear(X), cvp_tensor_clear(K), cvp_tensor_clear(G);
    cvp_tensor_clear(B), cvp_tensor_clear(fast), cvp_tensor_clear(ref);
}

/* ---- random layers on every path ------------------------------------- */

static void test_small_integers_take_float32(void **state)
{
    (void)state;
    cvp_rng rng;
    cvp_rng_seed(&rng, 1);
    for (int t = 0; t < CASES; t++) {
        tu_conv_case cc;
        tu_random_conv_case(&cc, &rng);
        check_layer(&cc, &rng, -9, 9, 1, t % 2 == 0, CVP_FAST_PATH_FLOAT32);
    }
}

static void test_rationals_are_scaled_exactly(void **state)
{
    (void)state;
    cvp_rng rng;
    cvp_rng_seed(&rng, 2);
    for (int t = 0; t < CASES; t++) {
        tu_conv_case cc;
        tu_random_conv_case(&cc, &rng);
        /* Denominators up to 7: common denominators up to 420. */
        check_layer(&cc, &rng, -20, 20, 7, t % 2 == 1, CVP_FAST_PATH_COUNT);
    }
}

static void test_forced_wider_paths_agree(void **state)
{
    (void)state;
    cvp_fast_path paths[] = {CVP_FAST_PATH_FLOAT64, CVP_FAST_PATH_INT64};
    cvp_rng rng;
    cvp_rng_seed(&rng, 3);
    for (size_t k = 0; k < 2; k++) {
        cvp_fast_set_min_path(paths[k]);
        for (int t = 0; t < CASES / 2; t++) {
            tu_conv_case cc;
            tu_random_conv_case(&cc, &rng);
            check_layer(&cc, &rng, -1000, 1000, 1, t % 3 == 0, paths[k]);
        }
    }
    cvp_fast_set_min_path(CVP_FAST_PATH_REFERENCE);
}

/* Values of 2^20: products 2^40, beyond float32 but within float64. */
static void test_large_values_take_float64_or_int64(void **state)
{
    (void)state;
    cvp_rng rng;
    cvp_rng_seed(&rng, 4);
    for (int t = 0; t < CASES / 2; t++) {
        tu_conv_case cc;
        tu_random_conv_case(&cc, &rng);
        check_layer(&cc, &rng, -(1L << 20), 1L << 20, 1, false, CVP_FAST_PATH_COUNT);
        /* 2^30 squared is 2^60: only int64 (or GMP for long sums). */
        check_layer(&cc, &rng, -(1L << 30), 1L << 30, 1, false, ANY_PATH);
    }
}

/* Blocks of a few columns: every block boundary of im2col and col2im. */
static void test_small_im2col_blocks(void **state)
{
    (void)state;
    size_t entries[] = {1, 7, 50};
    cvp_rng rng;
    cvp_rng_seed(&rng, 5);
    for (size_t k = 0; k < 3; k++) {
        cvp_fast_set_block_entries(entries[k]);
        for (int t = 0; t < CASES / 2; t++) {
            tu_conv_case cc;
            tu_random_conv_case(&cc, &rng);
            check_layer(&cc, &rng, -9, 9, 1, false, CVP_FAST_PATH_FLOAT32);
        }
    }
    cvp_fast_set_block_entries(0);
}

/* 1x1 kernels, stride 1, no padding: the shortcut without im2col. */
static void test_one_by_one_shortcut(void **state)
{
    (void)state;
    cvp_rng rng;
    cvp_rng_seed(&rng, 6);
    for (int t = 0; t < CASES / 2; t++) {
        tu_conv_case cc;
        tu_random_conv_case(&cc, &rng);
        cc.kH = cc.kW = 1;
        for (int a = 0; a < 2; a++)
            cc.p.stride[a] = 1, cc.p.padding[a] = 0;
        cc.Ho = cc.H, cc.Wo = cc.W;
        cc.k_shape[2] = cc.k_shape[3] = 1;
        cc.y_shape[cc.rank - 2] = cc.H, cc.y_shape[cc.rank - 1] = cc.W;
        check_layer(&cc, &rng, -9, 9, 1, t % 2 == 0, CVP_FAST_PATH_FLOAT32);
        cvp_fast_set_min_path(CVP_FAST_PATH_INT64);
        check_layer(&cc, &rng, -9, 9, 1, false, CVP_FAST_PATH_INT64);
        cvp_fast_set_min_path(CVP_FAST_PATH_REFERENCE);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_integers_take_float32),
        cmocka_unit_test(test_rationals_are_scaled_exactly),
        cmocka_unit_test(test_forced_wider_paths_agree),
        cmocka_unit_test(test_large_values_take_float64_or_int64),
        cmocka_unit_test(test_small_im2col_blocks),
        cmocka_unit_test(test_one_by_one_shortcut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
