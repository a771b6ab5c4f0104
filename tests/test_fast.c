/* test_fast.c -- the fast exact kernels against the definitional
 * operators of the trusted kernel.
 *
 * The definitional operators (kernel/conv2d.c, kernel/conv2d_backward.c,
 * kernel/tensor_arith.c) are the independent reference: every fast path
 * -- float32, float64, int64, residues and CRT, residues mod p, im2col blocks of every
 * size, the 1x1 shortcut -- must give exactly their result on random
 * layers (shapes, strides, paddings, dilations, groups) and value ranges,
 * and the path chosen must be the narrowest exact one, also for operands
 * right at each path's limit. */
#include "testutil.h"

#include <string.h>

#include "fast/fast.h"
#include "fast/fast_internal.h"
#include "kernel/conv2d_backward.h"
#include "kernel/ring_small.h"

#ifdef _OPENMP
#include <omp.h>
#endif

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

/* ---- each path's limit ------------------------------------------------ */

/* [1, k] @ [k, 1] with the given entries: the product's exact value and
 * path, against the definitional matmul. */
static void check_dot(const long *a, const long *b, size_t k, cvp_fast_path want)
{
    cvp_tensor_t A, B, fast, ref;
    cvp_tensor_init(A), cvp_tensor_init(B), cvp_tensor_init(fast), cvp_tensor_init(ref);
    tu_ints(A, 2, (size_t[]){1, k}, a);
    tu_ints(B, 2, (size_t[]){k, 1}, b);
    cvp_error err;
    cvp_fast_path path = CVP_FAST_PATH_COUNT;
    tu_assert_ok(cvp_fast_matmul(fast, A, B, &path, &err), &err);
    tu_assert_ok(cvp_tensor_matmul(ref, A, B, &err), &err);
    tu_assert_equal(fast, ref);
    if (path != want)
        fprintf(stderr, "path %s, expected %s\n", cvp_fast_path_name(path),
                cvp_fast_path_name(want));
    assert_int_equal(path, want);
    cvp_tensor_clear(A), cvp_tensor_clear(B), cvp_tensor_clear(fast), cvp_tensor_clear(ref);
}

static void test_limits_of_each_path(void **state)
{
    (void)state;
    const long p24 = 1L << 24, p53 = 1L << 53;
    /* Bound k * max|a| * max|b| just below 2^24: float32. */
    check_dot((long[]){p24 - 1}, (long[]){1}, 1, CVP_FAST_PATH_FLOAT32);
    /* Exactly 2^24 must take the wider path: 2^24 + 1 is no float32. */
    check_dot((long[]){p24}, (long[]){1}, 1, CVP_FAST_PATH_FLOAT64);
    check_dot((long[]){p24 / 2, p24 / 2}, (long[]){1, 1}, 2, CVP_FAST_PATH_FLOAT64);
    check_dot((long[]){p24, 1}, (long[]){1, 1}, 2, CVP_FAST_PATH_FLOAT64);
    /* The same at 2^53: 2^53 + 1 is no double. */
    check_dot((long[]){p53 - 1}, (long[]){1}, 1, CVP_FAST_PATH_FLOAT64);
    check_dot((long[]){p53}, (long[]){1}, 1, CVP_FAST_PATH_INT64);
    check_dot((long[]){1L << 26, 1L << 26}, (long[]){1L << 26, 1L << 26}, 2,
              CVP_FAST_PATH_INT64);
    check_dot((long[]){p53, 1}, (long[]){1, 1}, 2, CVP_FAST_PATH_INT64);
    check_dot((long[]){-p53, -1}, (long[]){1, 1}, 2, CVP_FAST_PATH_INT64);
    /* And at 2^63: beyond it, residues and CRT. */
    check_dot((long[]){INT64_MAX}, (long[]){1}, 1, CVP_FAST_PATH_INT64);
    check_dot((long[]){1L << 62, 1L << 62}, (long[]){1, 1}, 2, CVP_FAST_PATH_CRT);
    check_dot((long[]){INT64_MIN}, (long[]){1}, 1, CVP_FAST_PATH_CRT);
    check_dot((long[]){INT64_MIN, INT64_MIN}, (long[]){INT64_MAX, INT64_MAX}, 2,
              CVP_FAST_PATH_CRT);
    /* 2 (2^63 - 1)^2 is just below 2^127: three primes, the largest
     * basis; four such products pass 2^127 and go to GMP. */
    check_dot((long[]){INT64_MAX, INT64_MAX}, (long[]){INT64_MAX, 3}, 2,
              CVP_FAST_PATH_CRT);
    check_dot((long[]){INT64_MAX, INT64_MAX}, (long[]){INT64_MAX, INT64_MAX}, 2,
              CVP_FAST_PATH_CRT);
    check_dot((long[]){INT64_MIN, INT64_MIN}, (long[]){INT64_MIN, INT64_MIN}, 2,
              CVP_FAST_PATH_REFERENCE);
    check_dot((long[]){INT64_MAX, INT64_MAX, INT64_MAX, INT64_MAX},
              (long[]){INT64_MAX, INT64_MAX, INT64_MAX, INT64_MAX}, 4,
              CVP_FAST_PATH_REFERENCE);
}

/* The number of primes steps at bounds of 2^59 and 2^119 (every prime is
 * above 2^60, and their product must exceed twice the bound); values at
 * each step keep their sign and size. */
static void test_crt_basis_sizes(void **state)
{
    (void)state;
    assert_int_equal(fast_crt_primes_needed((unsigned __int128)1 << 58), 1);
    assert_int_equal(fast_crt_primes_needed(((unsigned __int128)1 << 59) - 1), 1);
    assert_int_equal(fast_crt_primes_needed((unsigned __int128)1 << 59), 2);
    assert_int_equal(fast_crt_primes_needed(((unsigned __int128)1 << 119) - 1), 2);
    assert_int_equal(fast_crt_primes_needed((unsigned __int128)1 << 119), 3);
    assert_int_equal(fast_crt_primes_needed(~(unsigned __int128)0 >> 1), 3);
    /* -2^59 2^58 - 1 = -2^117 - 1 (bound 2^118: two primes), a negative
     * result; then (2^60 - 1)^2 + 1 (bound below 2^121: three primes). */
    const long p59 = 1L << 59;
    check_dot((long[]){-p59, -1}, (long[]){p59 / 2, 1}, 2, CVP_FAST_PATH_CRT);
    check_dot((long[]){(1L << 60) - 1, 1}, (long[]){(1L << 60) - 1, 1}, 2,
              CVP_FAST_PATH_CRT);
}

/* Random layers of values up to 2^45 (two primes) and 2^61 (three, or
 * GMP for the longest sums), and small values forced through one prime:
 * every result, negative ones included, reconstructed exactly. */
static void test_crt_layers(void **state)
{
    (void)state;
    cvp_rng rng;
    cvp_rng_seed(&rng, 14);
    for (int t = 0; t < CASES / 2; t++) {
        tu_conv_case cc;
        tu_random_conv_case(&cc, &rng);
        check_layer(&cc, &rng, -(1L << 45), 1L << 45, 1, t % 2 == 0, CVP_FAST_PATH_CRT);
        check_layer(&cc, &rng, -(1L << 61), 1L << 61, 1, false, ANY_PATH);
        /* Rationals whose scaled values pass 2^32. */
        check_layer(&cc, &rng, -(1L << 40), 1L << 40, 5, false, ANY_PATH);
        cvp_fast_set_min_path(CVP_FAST_PATH_CRT);
        check_layer(&cc, &rng, -9, 9, 1, t % 3 == 0, CVP_FAST_PATH_CRT);
        cvp_fast_set_min_path(CVP_FAST_PATH_REFERENCE);
    }
}

/* A conv layer past the float64 limit: four taps of 2^26 * 2^26 bound
 * the sums by 2^54, so int64 is chosen (a partial sum of 2^53 + 2^26
 * on the way would round in float64). */
static void test_conv_at_the_float64_limit(void **state)
{
    (void)state;
    const long big = 1L << 26;
    cvp_tensor_t X, K, fast, ref;
    cvp_tensor_init(X), cvp_tensor_init(K), cvp_tensor_init(fast), cvp_tensor_init(ref);
    /* 1x2x1x2 input and one 2-channel 1x2 kernel: a single output of
     * four products. */
    tu_ints(X, 4, (size_t[]){1, 2, 1, 2}, (long[]){big, big - 1, -big, big});
    tu_ints(K, 4, (size_t[]){1, 2, 1, 2}, (long[]){big, big, big, 1});
    cvp_conv2d_params p = cvp_conv2d_params_default();
    cvp_error err;
    cvp_fast_path path;
    tu_assert_ok(cvp_fast_conv2d(fast, X, K, NULL, &p, &path, &err), &err);
    tu_assert_ok(cvp_conv2d(ref, X, K, NULL, &p, &err), &err);
    tu_assert_equal(fast, ref);
    assert_int_equal(path, CVP_FAST_PATH_INT64);
    /* 2^52 + 2^52 - 2^26 - 2^52 + 2^26 = 2^52, worked out by hand. */
    mpq_t expected;
    mpq_init(expected);
    mpq_set_ui(expected, 1, 1);
    mpq_mul_2exp(expected, expected, 52);
    assert_true(mpq_equal(cvp_tensor_at(fast, 0), expected));
    mpq_clear(expected);
    cvp_tensor_clear(X), cvp_tensor_clear(K), cvp_tensor_clear(fast), cvp_tensor_clear(ref);
}

/* Denominators whose least common multiple passes 2^63: GMP. */
static void test_huge_denominators_fall_back(void **state)
{
    (void)state;
    cvp_tensor_t A, B, fast, ref;
    cvp_tensor_init(A), cvp_tensor_init(B), cvp_tensor_init(fast), cvp_tensor_init(ref);
    tu_ints(A, 2, (size_t[]){1, 2}, (long[]){1, 1});
    tu_ints(B, 2, (size_t[]){2, 1}, (long[]){1, 1});
    mpq_set_str(cvp_tensor_at(A, 0), "1/4294967311", 10);   /* primes near 2^32 */
    mpq_set_str(cvp_tensor_at(A, 1), "1/4294967357", 10);
    cvp_error err;
    cvp_fast_path path;
    tu_assert_ok(cvp_fast_matmul(fast, A, B, &path, &err), &err);
    tu_assert_ok(cvp_tensor_matmul(ref, A, B, &err), &err);
    tu_assert_equal(fast, ref);
    assert_int_equal(path, CVP_FAST_PATH_REFERENCE);
    cvp_tensor_clear(A), cvp_tensor_clear(B), cvp_tensor_clear(fast), cvp_tensor_clear(ref);
}

/* ---- the exact check of float products --------------------------------- */

static void test_corrupted_product_is_caught(void **state)
{
    (void)state;
    cvp_rng rng;
    cvp_rng_seed(&rng, 7);
    tu_conv_case cc;
    tu_random_conv_case(&cc, &rng);
    cvp_tensor_t X, K, fast, ref;
    cvp_tensor_init(X), cvp_tensor_init(K), cvp_tensor_init(fast), cvp_tensor_init(ref);
    tu_random(X, &rng, cc.rank, cc.x_shape, -9, 9);
    tu_random(K, &rng, 4, cc.k_shape, -9, 9);
    cvp_fast_stats_t before, after;
    cvp_fast_stats(&before);
    cvp_fast_inject_fault(true);
    cvp_error err;
    cvp_fast_path path;
    tu_assert_ok(cvp_fast_conv2d(fast, X, K, NULL, &cc.p, &path, &err), &err);
    cvp_fast_stats(&after);
    tu_assert_ok(cvp_conv2d(ref, X, K, NULL, &cc.p, &err), &err);
    /* The wrong entry never reaches the result: the definitional
     * operator recomputed it, and the fallback was counted. */
    tu_assert_equal(fast, ref);
    assert_int_equal(path, CVP_FAST_PATH_REFERENCE);
    assert_int_equal(after.check_failures, before.check_failures + 1);
    assert_true(after.checks > before.checks);
    /* Without a fault the same call passes its checks. */
    tu_assert_ok(cvp_fast_conv2d(fast, X, K, NULL, &cc.p, &path, &err), &err);
    tu_assert_equal(fast, ref);
    assert_int_equal(path, CVP_FAST_PATH_FLOAT32);
    cvp_fast_stats(&before);
    assert_int_equal(before.check_failures, after.check_failures);
    cvp_tensor_clear(X), cvp_tensor_clear(K), cvp_tensor_clear(fast), cvp_tensor_clear(ref);
}

/* Forward passes of many blocks run the blocks side by side on OpenMP
 * threads (fast_conv_impl.h), each with its own buffer and exact check:
 * the results are the definitional ones on the float32 and float64
 * paths, the counter shows the threads were used, and a product
 * corrupted on one of the threads is caught all the same. */
static void test_blocks_on_threads(void **state)
{
    (void)state;
#ifdef _OPENMP
    const int threads_before = omp_get_max_threads();
    if (threads_before < 2)
        omp_set_num_threads(2);
#endif
    cvp_fast_set_block_entries(50);
    cvp_rng rng;
    cvp_rng_seed(&rng, 77);
    cvp_fast_stats_t before, after;
    cvp_fast_stats(&before);
    const cvp_fast_path paths[] = {CVP_FAST_PATH_FLOAT32, CVP_FAST_PATH_FLOAT64};
    for (size_t k = 0; k < 2; k++) {
        cvp_fast_set_min_path(paths[k]);
        for (int t = 0; t < CASES / 2; t++) {
            tu_conv_case cc;
            tu_random_conv_case(&cc, &rng);
            check_layer(&cc, &rng, -9, 9, 1, t % 2 == 0, paths[k]);
        }
    }
    cvp_fast_set_min_path(CVP_FAST_PATH_REFERENCE);
    /* A layer of 4 x 6 x 6 inputs and 3x3 kernels has 36 rows of im2col
     * and 36 output positions: one column per block of 50 entries, 36
     * blocks per image. */
    cvp_conv2d_params p = cvp_conv2d_params_default();
    p.padding[0] = p.padding[1] = 1;
    cvp_tensor_t X, K, fast, ref;
    cvp_tensor_init(X), cvp_tensor_init(K), cvp_tensor_init(fast), cvp_tensor_init(ref);
    tu_random(X, &rng, 4, (size_t[]){2, 4, 6, 6}, -9, 9);
    tu_random(K, &rng, 4, (size_t[]){5, 4, 3, 3}, -9, 9);
    cvp_error err;
    tu_assert_ok(cvp_conv2d(ref, X, K, NULL, &p, &err), &err);
    cvp_fast_path path;
    cvp_fast_inject_fault(true);
    tu_assert_ok(cvp_fast_conv2d(fast, X, K, NULL, &p, &path, &err), &err);
    tu_assert_equal(fast, ref);
    assert_int_equal(path, CVP_FAST_PATH_REFERENCE);
    cvp_fast_stats(&after);
    assert_int_equal(after.check_failures, before.check_failures + 1);
    tu_assert_ok(cvp_fast_conv2d(fast, X, K, NULL, &p, &path, &err), &err);
    tu_assert_equal(fast, ref);
    assert_int_equal(path, CVP_FAST_PATH_FLOAT32);
    cvp_fast_stats(&after);
#ifdef _OPENMP
    /* at least the two passes of 2 x 36 blocks */
    assert_true(after.threaded >= before.threaded + 2);
    omp_set_num_threads(threads_before);
#else
    assert_true(after.threaded == before.threaded);
#endif
    cvp_fast_set_block_entries(0);
    cvp_tensor_clear(X), cvp_tensor_clear(K), cvp_tensor_clear(fast), cvp_tensor_clear(ref);
}

/* ---- the prime field ----------------------------------------------------- */

static void check_prime_field(uint64_t p, unsigned seed)
{
    cvp_ring F;
    cvp_ring_fp_init(&F, p);
    cvp_rng rng;
    cvp_rng_seed(&rng, seed);
    for (int t = 0; t < CASES / 2; t++) {
        tu_conv_case cc;
        tu_random_conv_case(&cc, &rng);
        cvp_tensor_t X, K, G, B, fast, ref;
        cvp_tensor_init(X), cvp_tensor_init(K), cvp_tensor_init(G);
        cvp_tensor_init(B), cvp_tensor_init(fast), cvp_tensor_init(ref);
        tu_random_residues(X, &F, &rng, cc.rank, cc.x_shape, p);
        tu_random_residues(K, &F, &rng, 4, cc.k_shape, p);
        tu_random_residues(G, &F, &rng, cc.rank, cc.y_shape, p);
        tu_random_residues(B, &F, &rng, 1, &cc.O, p);
        for (conv_op op = FORWARD; op <= BACKWARD_WEIGHT; op++) {
            cvp_error err;
            cvp_fast_path path = CVP_FAST_PATH_COUNT;
            const cvp_tensor_struct *bias = op == FORWARD && t % 2 ? B : NULL;
            tu_assert_ok(fast_op(op, fast, X, K, G, bias, &cc.p, &path, &err), &err);
            tu_assert_ok(reference_op(op, ref, X, K, G, bias, &cc.p, &err), &err);
            if (!cvp_tensor_equal(fast, ref))
                tu_print_conv_case(&cc);
            assert_true(cvp_tensor_equal(fast, ref));
            assert_int_equal(path, CVP_FAST_PATH_MODP);
        }
        cvp_tensor_clear(X), cvp_tensor_clear(K), cvp_tensor_clear(G);
        cvp_tensor_clear(B), cvp_tensor_clear(fast), cvp_tensor_clear(ref);
    }
    cvp_ring_fp_clear(&F);
}

static void test_prime_field_mersenne(void **state)
{
    (void)state;
    check_prime_field(CVP_FP_DEFAULT_PRIME, 11);
}

/* A prime just below 2^62 (the largest the ring takes) reduces more
 * often; 7 checks the small end. */
static void test_prime_field_other_primes(void **state)
{
    (void)state;
    check_prime_field((UINT64_C(1) << 62) - 57, 12);
    check_prime_field(7, 13);
}

static void test_prime_field_long_reductions(void **state)
{
    (void)state;
    /* 200 channels of 3x3 taps: 1800 products per output, many chunks
     * of the 128-bit accumulators; large enough for several threads. */
    tu_conv_case cc;
    memset(&cc, 0, sizeof cc);
    cc.rank = 4, cc.N = 1, cc.C = 200, cc.O = 8, cc.H = cc.W = 5, cc.kH = cc.kW = 3;
    cc.p = cvp_conv2d_params_default();
    cc.p.padding[0] = cc.p.padding[1] = 1;
    cc.Ho = cc.Wo = 5;
    memcpy(cc.x_shape, (size_t[]){1, 200, 5, 5}, sizeof cc.x_shape);
    memcpy(cc.k_shape, (size_t[]){8, 200, 3, 3}, sizeof cc.k_shape);
    memcpy(cc.y_shape, (size_t[]){1, 8, 5, 5}, sizeof cc.y_shape);
    uint64_t primes[] = {CVP_FP_DEFAULT_PRIME, (UINT64_C(1) << 62) - 57};
    for (int k = 0; k < 2; k++) {
        cvp_ring F;
        cvp_ring_fp_init(&F, primes[k]);
        cvp_rng rng;
        cvp_rng_seed(&rng, 14);
        cvp_tensor_t X, K, G, fast, ref;
        cvp_tensor_init(X), cvp_tensor_init(K), cvp_tensor_init(G);
        cvp_tensor_init(fast), cvp_tensor_init(ref);
        tu_random_residues(X, &F, &rng, 4, cc.x_shape, primes[k]);
        tu_random_residues(K, &F, &rng, 4, cc.k_shape, primes[k]);
        tu_random_residues(G, &F, &rng, 4, cc.y_shape, primes[k]);
        for (conv_op op = FORWARD; op <= BACKWARD_WEIGHT; op++) {
            cvp_error err;
            tu_assert_ok(fast_op(op, fast, X, K, G, NULL, &cc.p, NULL, &err), &err);
            tu_assert_ok(reference_op(op, ref, X, K, G, NULL, &cc.p, &err), &err);
            assert_true(cvp_tensor_equal(fast, ref));
        }
        cvp_tensor_clear(X), cvp_tensor_clear(K), cvp_tensor_clear(G);
        cvp_tensor_clear(fast), cvp_tensor_clear(ref);
        cvp_ring_fp_clear(&F);
    }
}

/* ---- errors, aliasing, the switch ---------------------------------------- */

static void test_errors_are_the_kernels(void **state)
{
    (void)state;
    cvp_tensor_t X, K, G, out;
    cvp_tensor_init(X), cvp_tensor_init(K), cvp_tensor_init(G), cvp_tensor_init(out);
    tu_zeros(X, 4, (size_t[]){1, 3, 5, 5});
    tu_zeros(K, 4, (size_t[]){2, 2, 3, 3});   /* 2 input channels, not 3 */
    tu_zeros(G, 4, (size_t[]){1, 2, 3, 3});
    cvp_conv2d_params p = cvp_conv2d_params_default();
    for (conv_op op = FORWARD; op <= BACKWARD_WEIGHT; op++) {
        cvp_error e1, e2;
        cvp_status s1 = fast_op(op, out, X, K, G, NULL, &p, NULL, &e1);
        cvp_status s2 = reference_op(op, out, X, K, G, NULL, &p, &e2);
        assert_int_equal(s1, CVP_ERR_INPUT);
        assert_int_equal(s1, s2);
        assert_string_equal(e1.message, e2.message);
    }
    /* A gradient of the wrong shape. */
    tu_zeros(K, 4, (size_t[]){2, 3, 3, 3});
    tu_zeros(G, 4, (size_t[]){1, 2, 4, 3});
    for (conv_op op = BACKWARD_INPUT; op <= BACKWARD_WEIGHT; op++) {
        cvp_error e1, e2;
        cvp_status s1 = fast_op(op, out, X, K, G, NULL, &p, NULL, &e1);
        cvp_status s2 = reference_op(op, out, X, K, G, NULL, &p, &e2);
        assert_int_equal(s1, CVP_ERR_INPUT);
        assert_int_equal(s1, s2);
        assert_string_equal(e1.message, e2.message);
    }
    cvp_tensor_clear(X), cvp_tensor_clear(K), cvp_tensor_clear(G), cvp_tensor_clear(out);
}

static void test_output_may_alias_an_input(void **state)
{
    (void)state;
    cvp_rng rng;
    cvp_rng_seed(&rng, 15);
    tu_conv_case cc;
    tu_random_conv_case(&cc, &rng);
    cvp_tensor_t X, K, G, ref;
    cvp_tensor_init(X), cvp_tensor_init(K), cvp_tensor_init(G), cvp_tensor_init(ref);
    tu_random(X, &rng, cc.rank, cc.x_shape, -9, 9);
    tu_random(K, &rng, 4, cc.k_shape, -9, 9);
    tu_random(G, &rng, cc.rank, cc.y_shape, -9, 9);
    cvp_error err;
    tu_assert_ok(cvp_conv2d_backward_weight(ref, X, K, G, &cc.p, &err), &err);
    tu_assert_ok(cvp_fast_conv2d_backward_weight(K, X, K, G, &cc.p, NULL, &err), &err);
    tu_assert_equal(K, ref);
    tu_assert_ok(cvp_conv2d(ref, X, K, NULL, &cc.p, &err), &err);
    tu_assert_ok(cvp_fast_conv2d(X, X, K, NULL, &cc.p, NULL, &err), &err);
    tu_assert_equal(X, ref);
    cvp_tensor_clear(X), cvp_tensor_clear(K), cvp_tensor_clear(G), cvp_tensor_clear(ref);
}

static void test_disabled_means_reference(void **state)
{
    (void)state;
    cvp_tensor_t A, B, out;
    cvp_tensor_init(A), cvp_tensor_init(B), cvp_tensor_init(out);
    tu_ints(A, 2, (size_t[]){1, 2}, (long[]){1, 2});
    tu_ints(B, 2, (size_t[]){2, 1}, (long[]){3, 4});
    cvp_error err;
    cvp_fast_path path;
    cvp_fast_set_enabled(false);
    tu_assert_ok(cvp_fast_matmul(out, A, B, &path, &err), &err);
    assert_int_equal(path, CVP_FAST_PATH_REFERENCE);
    cvp_fast_set_enabled(true);
    tu_assert_ok(cvp_fast_matmul(out, A, B, &path, &err), &err);
    assert_int_equal(path, CVP_FAST_PATH_FLOAT32);
    /* 1*3 + 2*4 = 11 */
    assert_int_equal(mpz_get_si(mpq_numref(cvp_tensor_at(out, 0))), 11);
    cvp_tensor_clear(A), cvp_tensor_clear(B), cvp_tensor_clear(out);
}

static void test_random_matmul_shapes(void **state)
{
    (void)state;
    cvp_rng rng;
    cvp_rng_seed(&rng, 16);
    for (int t = 0; t < CASES; t++) {
        size_t m = 1 + cvp_rng_next(&rng) % 9, k = cvp_rng_next(&rng) % 9,
               n = 1 + cvp_rng_next(&rng) % 9;
        cvp_tensor_t A, B, fast, ref;
        cvp_tensor_init(A), cvp_tensor_init(B), cvp_tensor_init(fast), cvp_tensor_init(ref);
        random_values(A, &rng, 2, (size_t[]){m, k}, -50, 50, t % 2 ? 5 : 1);
        random_values(B, &rng, 2, (size_t[]){k, n}, -50, 50, 1);
        cvp_error err;
        tu_assert_ok(cvp_fast_matmul(fast, A, B, NULL, &err), &err);
        tu_assert_ok(cvp_tensor_matmul(ref, A, B, &err), &err);
        tu_assert_equal(fast, ref);
        cvp_tensor_clear(A), cvp_tensor_clear(B), cvp_tensor_clear(fast), cvp_tensor_clear(ref);
    }
}

/* ---- explicit matrices ------------------------------------------------------ */

static void test_conv_matrices_equal_the_definitional(void **state)
{
    (void)state;
    cvp_rng rng;
    cvp_rng_seed(&rng, 17);
    for (int t = 0; t < CASES; t++) {
        tu_conv_case cc;
        tu_random_conv_case(&cc, &rng);
        cvp_tensor_t X, K;
        cvp_tensor_init(X), cvp_tensor_init(K);
        /* Values in -2..2: many zero coefficients to leave out. */
        random_values(X, &rng, cc.rank, cc.x_shape, -2, 2, t % 3 == 0 ? 3 : 1);
        random_values(K, &rng, 4, cc.k_shape, -2, 2, 1);
        cvp_sparse_t fast, ref, fast_t, ref_t;
        cvp_sparse_init(fast, 0, 0), cvp_sparse_init(ref, 0, 0);
        cvp_sparse_init(fast_t, 0, 0), cvp_sparse_init(ref_t, 0, 0);
        cvp_error err;
        tu_assert_ok(cvp_fast_conv2d_matrix_input(fast, X, K, &cc.p, &err), &err);
        tu_assert_ok(cvp_conv2d_matrix_input(ref, X, K, &cc.p, &err), &err);
        assert_true(cvp_sparse_equal(fast, ref));
        tu_assert_ok(cvp_fast_sparse_transpose(fast_t, fast, &err), &err);
        tu_assert_ok(cvp_sparse_transpose(ref_t, ref, &err), &err);
        assert_true(cvp_sparse_equal(fast_t, ref_t));
        /* C^T vec(G), in int64 or (X with denominators: K is integral,
         * G rational) after scaling. */
        cvp_tensor_t G, y_fast, y_ref;
        cvp_tensor_init(G), cvp_tensor_init(y_fast), cvp_tensor_init(y_ref);
        random_values(G, &rng, cc.rank, cc.y_shape, -9, 9, t % 2 ? 4 : 1);
        tu_assert_ok(cvp_fast_sparse_matvec(y_fast, fast_t, G, &err), &err);
        tu_assert_ok(cvp_sparse_matvec(y_ref, ref_t, G, &err), &err);
        tu_assert_equal(y_fast, y_ref);
        cvp_tensor_clear(G), cvp_tensor_clear(y_fast), cvp_tensor_clear(y_ref);
        tu_assert_ok(cvp_fast_conv2d_matrix_weight(fast, X, K, &cc.p, &err), &err);
        tu_assert_ok(cvp_conv2d_matrix_weight(ref, X, K, &cc.p, &err), &err);
        assert_true(cvp_sparse_equal(fast, ref));
        tu_assert_ok(cvp_fast_sparse_transpose(fast_t, fast, &err), &err);
        tu_assert_ok(cvp_sparse_transpose(ref_t, ref, &err), &err);
        assert_true(cvp_sparse_equal(fast_t, ref_t));
        cvp_sparse_clear(fast), cvp_sparse_clear(ref);
        cvp_sparse_clear(fast_t), cvp_sparse_clear(ref_t);
        cvp_tensor_clear(X), cvp_tensor_clear(K);
    }
}

static void test_conv_matrix_errors_are_the_kernels(void **state)
{
    (void)state;
    cvp_tensor_t X, K;
    cvp_tensor_init(X), cvp_tensor_init(K);
    tu_zeros(X, 4, (size_t[]){1, 3, 2, 2});
    tu_zeros(K, 4, (size_t[]){1, 3, 3, 3});   /* larger than the image */
    cvp_conv2d_params p = cvp_conv2d_params_default();
    cvp_sparse_t C;
    cvp_sparse_init(C, 0, 0);
    cvp_error e1, e2;
    cvp_status s1 = cvp_fast_conv2d_matrix_input(C, X, K, &p, &e1);
    cvp_status s2 = cvp_conv2d_matrix_input(C, X, K, &p, &e2);
    assert_int_equal(s1, CVP_ERR_INPUT);
    assert_int_equal(s1, s2);
    assert_string_equal(e1.message, e2.message);
    cvp_sparse_clear(C);
    cvp_tensor_clear(X), cvp_tensor_clear(K);
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
        cmocka_unit_test(test_limits_of_each_path),
        cmocka_unit_test(test_crt_basis_sizes),
        cmocka_unit_test(test_crt_layers),
        cmocka_unit_test(test_conv_at_the_float64_limit),
        cmocka_unit_test(test_huge_denominators_fall_back),
        cmocka_unit_test(test_corrupted_product_is_caught),
        cmocka_unit_test(test_blocks_on_threads),
        cmocka_unit_test(test_prime_field_mersenne),
        cmocka_unit_test(test_prime_field_other_primes),
        cmocka_unit_test(test_prime_field_long_reductions),
        cmocka_unit_test(test_errors_are_the_kernels),
        cmocka_unit_test(test_output_may_alias_an_input),
        cmocka_unit_test(test_disabled_means_reference),
        cmocka_unit_test(test_random_matmul_shapes),
        cmocka_unit_test(test_conv_matrices_equal_the_definitional),
        cmocka_unit_test(test_conv_matrix_errors_are_the_kernels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
