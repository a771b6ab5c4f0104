/* test_fast_crt.c -- the fast kernels' products beyond int64: the
 * float64 residue basis, both residue bases against the definitional
 * operators, the offset mode that starts from an unchecked float64
 * product, and the verification of whole results that makes it sound.
 *
 * The reference is always the kernel's definitional operator (or, for the
 * verifiers, an exact result from it with one entry changed); every
 * result must equal it, and every corrupted product must be caught. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "fast/fast.h"
#include "fast/fast_internal.h"
#include "kernel/conv2d_backward.h"
#include "kernel/packed.h"
#include "kernel/prime.h"

#define CASES 40

typedef enum { FORWARD, BACKWARD_INPUT, BACKWARD_WEIGHT } conv_op;

/* `want` of check_layer: any path at all. */
#define ANY_PATH ((cvp_fast_path)-1)

/* All three passes of one random layer with integers in [lo, hi]: fast ==
 * definitional, on the path `want` (or ANY_PATH). */
static void check_layer(const tu_conv_case *cc, cvp_rng *rng, long lo, long hi,
                        bool with_bias, cvp_fast_path want)
{
    cvp_tensor_t X, K, G, B, fast, ref;
    cvp_tensor_init(X), cvp_tensor_init(K), cvp_tensor_init(G);
    cvp_tensor_init(B), cvp_tensor_init(fast), cvp_tensor_init(ref);
    tu_random(X, rng, cc->rank, cc->x_shape, lo, hi);
    tu_random(K, rng, 4, cc->k_shape, lo, hi);
    tu_random(G, rng, cc->rank, cc->y_shape, lo, hi);
    tu_random(B, rng, 1, &cc->O, lo, hi);
    for (conv_op op = FORWARD; op <= BACKWARD_WEIGHT; op++) {
        cvp_error e1, e2;
        cvp_fast_path path = CVP_FAST_PATH_COUNT;
        const cvp_tensor_struct *bias = with_bias && op == FORWARD ? B : NULL;
        cvp_status s1, s2;
        switch (op) {
        case FORWARD:
            s1 = cvp_fast_conv2d(fast, X, K, bias, &cc->p, &path, &e1);
            s2 = cvp_conv2d(ref, X, K, bias, &cc->p, &e2);
            break;
        case BACKWARD_INPUT:
            s1 = cvp_fast_conv2d_backward_input(fast, X, K, G, &cc->p, &path, &e1);
            s2 = cvp_conv2d_backward_input(ref, X, K, G, &cc->p, &e2);
            break;
        default:
            s1 = cvp_fast_conv2d_backward_weight(fast, X, K, G, &cc->p, &path, &e1);
            s2 = cvp_conv2d_backward_weight(ref, X, K, G, &cc->p, &e2);
            break;
        }
        tu_assert_ok(s1, &e1);
        tu_assert_ok(s2, &e2);
        if (!cvp_tensor_equal(fast, ref) || (want != ANY_PATH && path != want)) {
            tu_print_conv_case(cc);
            fprintf(stderr, "op %d, path %s\n", (int)op, cvp_fast_path_name(path));
        }
        tu_assert_equal(fast, ref);
        if (want != ANY_PATH)
            assert_int_equal(path, want);
    }
    cvp_tensor_clear(X), cvp_tensor_clear(K), cvp_tensor_clear(G);
    cvp_tensor_clear(B), cvp_tensor_clear(fast), cvp_tensor_clear(ref);
}

/* [1, k] @ [k, 1]: exact value and path against the definitional matmul. */
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
    assert_int_equal(path, want);
    cvp_tensor_clear(A), cvp_tensor_clear(B), cvp_tensor_clear(fast), cvp_tensor_clear(ref);
}

/* The float64 residue basis: primes, odd and below 2^32, each small
 * enough that L products of symmetric residues (at most (m-1)/2) and all
 * their partial sums stay within 2^53, the first the largest such prime,
 * and together above twice the bound. */
static void check_float_basis(uint64_t L, unsigned __int128 bound)
{
    uint64_t m[FAST_CRT_FLOAT_MAX];
    size_t count = fast_crt_float_moduli(m, FAST_CRT_FLOAT_MAX, L, bound);
    assert_true(count >= 1);
    mpz_t prod, twice, h, lim;
    mpz_inits(prod, twice, h, lim, NULL);
    mpz_set_ui(prod, 1);
    for (size_t i = 0; i < count; i++) {
        assert_true(m[i] % 2 == 1 && m[i] < ((uint64_t)1 << 32));
        assert_true(cvp_is_prime_u64(m[i]));
        if (i > 0)
            assert_true(m[i] < m[i - 1]);
        mpz_set_ui(h, (m[i] - 1) / 2);
        mpz_mul(h, h, h);
        mpz_mul_ui(h, h, L);
        mpz_set_ui(lim, 1);
        mpz_mul_2exp(lim, lim, 53);
        assert_true(mpz_cmp(h, lim) <= 0);
        mpz_mul_ui(prod, prod, m[i]);
    }
    /* No prime between m[0] and the next odd number up fits. */
    for (uint64_t c = m[0] + 2; c < m[0] + 200; c += 2) {
        mpz_set_ui(h, (c - 1) / 2);
        mpz_mul(h, h, h);
        mpz_mul_ui(h, h, L);
        if (cvp_is_prime_u64(c) && c < ((uint64_t)1 << 32))
            assert_true(mpz_cmp(h, lim) > 0);
    }
    mpz_set_ui(twice, (unsigned long)(uint64_t)(bound >> 64));
    mpz_mul_2exp(twice, twice, 64);
    mpz_add_ui(twice, twice, (unsigned long)(uint64_t)bound);
    mpz_mul_2exp(twice, twice, 1);
    assert_true(mpz_cmp(prod, twice) > 0);
    /* One prime fewer would not do (the basis is not wasteful by more
     * than the rounding of bit counts allows): m[0]^(count-2) < 2 bound. */
    if (count >= 3) {
        mpz_ui_pow_ui(h, m[0], count - 2);
        assert_true(mpz_cmp(h, twice) < 0);
    }
    mpz_clears(prod, twice, h, lim, NULL);
}

static void test_crt_float_basis(void **state)
{
    (void)state;
    /* W1 of exercise 5-4 on float32 data: 2304 products of numerators
     * near 2^47 and 2^46: five primes near 2^21.9. */
    check_float_basis(2304, (unsigned __int128)2304 << 93);
    uint64_t m[FAST_CRT_FLOAT_MAX];
    assert_int_equal(fast_crt_float_moduli(m, FAST_CRT_FLOAT_MAX, 2304,
                                           (unsigned __int128)2304 << 93), 5);
    check_float_basis(1, (unsigned __int128)1 << 63);
    check_float_basis(1, ~(unsigned __int128)0 >> 1);
    check_float_basis(9, ((unsigned __int128)1 << 100) + 12345);
    check_float_basis((uint64_t)1 << 20, (unsigned __int128)1 << 90);
    /* L = 1: h up to 2^26.5, capped by nothing below 2^32. */
    assert_true(fast_crt_float_moduli(m, FAST_CRT_FLOAT_MAX, 1, 1) == 1);
    assert_true(m[0] > ((uint64_t)1 << 27));
    /* Sums so long that primes would drop below 2^10: no basis. */
    assert_int_equal(fast_crt_float_moduli(m, FAST_CRT_FLOAT_MAX,
                                           (uint64_t)1 << 40, 1u << 20), 0);
    /* More primes than allowed: no basis. */
    assert_int_equal(fast_crt_float_moduli(m, 2, 2304, (unsigned __int128)1 << 100), 0);
}

/* Both bases on the same products: the float64 residues (the default
 * with a BLAS) and the primes near 2^61, on random layers past int64 and
 * on the boundary dot products, negative results included. */
static void test_crt_both_bases(void **state)
{
    (void)state;
    for (int use_float = 0; use_float < 2; use_float++) {
        cvp_fast_set_crt_float(use_float);
        cvp_rng rng;
        cvp_rng_seed(&rng, 40 + (unsigned)use_float);
        for (int t = 0; t < CASES / 4; t++) {
            tu_conv_case cc;
            tu_random_conv_case(&cc, &rng);
            check_layer(&cc, &rng, -(1L << 45), 1L << 45, t % 2 == 0, CVP_FAST_PATH_CRT);
            check_layer(&cc, &rng, -(1L << 62), 1L << 62, false, ANY_PATH);
        }
        check_dot((long[]){INT64_MIN, INT64_MIN}, (long[]){INT64_MAX, INT64_MAX}, 2,
                  CVP_FAST_PATH_CRT);
        check_dot((long[]){INT64_MAX, INT64_MAX}, (long[]){INT64_MAX, 3}, 2,
                  CVP_FAST_PATH_CRT);
        check_dot((long[]){INT64_MIN, 1}, (long[]){1, -1}, 2, CVP_FAST_PATH_CRT);
        check_dot((long[]){1L << 62, 1L << 62}, (long[]){-1, -1}, 2, CVP_FAST_PATH_CRT);
    }
    cvp_fast_set_crt_float(true);
}

/* A fault in one of the float64 residue products is caught by that
 * product's check: the operation falls back and the result is right. */
static void test_crt_float_fault_is_caught(void **state)
{
    (void)state;
    if (!cvp_fast_have_blas())
        skip();
    cvp_rng rng;
    cvp_rng_seed(&rng, 44);
    tu_conv_case cc;
    tu_random_conv_case(&cc, &rng);
    cvp_tensor_t X, K, fast, ref;
    cvp_tensor_init(X), cvp_tensor_init(K), cvp_tensor_init(fast), cvp_tensor_init(ref);
    tu_random(X, &rng, cc.rank, cc.x_shape, -(1L << 50), 1L << 50);
    tu_random(K, &rng, 4, cc.k_shape, -(1L << 50), 1L << 50);
    cvp_fast_stats_t before, after;
    cvp_fast_stats(&before);
    cvp_fast_inject_fault(true);
    cvp_error err;
    cvp_fast_path path;
    tu_assert_ok(cvp_fast_conv2d(fast, X, K, NULL, &cc.p, &path, &err), &err);
    cvp_fast_stats(&after);
    tu_assert_ok(cvp_conv2d(ref, X, K, NULL, &cc.p, &err), &err);
    tu_assert_equal(fast, ref);
    assert_int_equal(path, CVP_FAST_PATH_REFERENCE);
    assert_int_equal(after.check_failures, before.check_failures + 1);
    tu_assert_ok(cvp_fast_conv2d(fast, X, K, NULL, &cc.p, &path, &err), &err);
    tu_assert_equal(fast, ref);
    assert_int_equal(path, CVP_FAST_PATH_CRT);
    cvp_tensor_clear(X), cvp_tensor_clear(K), cvp_tensor_clear(fast), cvp_tensor_clear(ref);
}


/* ---- the offset mode and the verifiers ---------------------------------- */

/* Twice the distance to the rounded float64 product, bounded: L 2^-51
 * bound + 2 at least, and no overflow past 2^127. */
static void test_offset_bound(void **state)
{
    (void)state;
    const unsigned __int128 one = 1;
    assert_true(fast_crt_offset_bound(one << 104, 2304) >= (one << 53) * 2304 + 2);
    assert_true(fast_crt_offset_bound(one << 104, 2304) <= (one << 53) * 2304 + 2304 + 2);
    assert_true(fast_crt_offset_bound(0, 1) == 3);
    assert_true(fast_crt_offset_bound(5, 0) == 2);
    /* (2^51 - 1) L: the shift drops it, and the + L covers it */
    assert_true(fast_crt_offset_bound((one << 51) - 1, 7) == 9);
    assert_true(fast_crt_offset_bound(~one >> 1, (uint64_t)1 << 52) == 0);
    assert_true(fast_crt_offset_bound(one << 100, (uint64_t)1 << 40) == ((one << 49) + 1) * ((uint64_t)1 << 40) + 2);
    assert_true(fast_crt_offset_bound(~one >> 1, 1) == (~one >> 52) + 3);
}

/* r := the exact integer entries of t as 128-bit integers. */
static __int128 *wide_entries(const cvp_tensor_t t)
{
    __int128 *r = malloc((t->size ? t->size : 1) * sizeof *r);
    mpz_t hi;
    mpz_init(hi);
    for (size_t k = 0; k < t->size; k++) {
        mpq_srcptr q = cvp_tensor_at((const cvp_tensor_struct *)t, k);
        assert_int_equal(mpz_cmp_ui(mpq_denref(q), 1), 0);
        assert_true(mpz_sizeinbase(mpq_numref(q), 2) < 127);
        mpz_abs(hi, mpq_numref(q));
        unsigned __int128 m = ((unsigned __int128)mpz_getlimbn(hi, 1) << 64) |
                              mpz_getlimbn(hi, 0);
        r[k] = mpz_sgn(mpq_numref(q)) < 0 ? -(__int128)m : (__int128)m;
    }
    mpz_clear(hi);
    return r;
}

/* The verifiers accept exact results and reject each one changed by a
 * multiple of a large number (what a wrong float64 product gives), by
 * one, or by a multiple of the residue basis of the offset mode.  (A
 * multiple of 2^61 - 1 itself would pass: the check is modulo that
 * prime, see fast_verify.c.) */
static void test_verifiers(void **state)
{
    (void)state;
    cvp_rng rng;
    cvp_rng_seed(&rng, 46);
    const __int128 deltas[] = {1, -1, (__int128)1 << 70, -((__int128)1 << 100),
                               (__int128)4194301 * 4194287 * 4194277};
    for (int t = 0; t < CASES / 2; t++) {
        tu_conv_case cc;
        tu_random_conv_case(&cc, &rng);
        cvp_tensor_t X, K, Y;
        cvp_tensor_init(X), cvp_tensor_init(K), cvp_tensor_init(Y);
        tu_random(X, &rng, cc.rank, cc.x_shape, -(1L << 50), 1L << 50);
        tu_random(K, &rng, 4, cc.k_shape, -(1L << 50), 1L << 50);
        cvp_error err;
        tu_assert_ok(cvp_conv2d(Y, X, K, NULL, &cc.p, &err), &err);
        __int128 *y = wide_entries(Y);
        fast_operand a, b;
        fast_operand_init(&a), fast_operand_init(&b);
        assert_true(fast_operand_scale(&a, X) && fast_operand_scale(&b, K));
        fast_layer L = {
            .N = cc.rank == 4 ? cc.N : 1, .C = cc.C, .H = cc.H, .W = cc.W,
            .O = cc.O, .Cg = cc.C / cc.p.groups, .Og = cc.O / cc.p.groups,
            .G = cc.p.groups, .kH = cc.kH, .kW = cc.kW, .Ho = cc.Ho, .Wo = cc.Wo,
            .sh = (int64_t)cc.p.stride[0], .sw = (int64_t)cc.p.stride[1],
            .ph = (int64_t)cc.p.padding[0], .pw = (int64_t)cc.p.padding[1],
            .dh = (int64_t)cc.p.dilation[0], .dw = (int64_t)cc.p.dilation[1]};
        assert_true(fast_verify_conv_forward(&L, a.v, b.v, y));
        if (Y->size > 0) {
            size_t k = cvp_rng_next(&rng) % Y->size;
            for (size_t d = 0; d < sizeof deltas / sizeof deltas[0]; d++) {
                y[k] += deltas[d];
                assert_false(fast_verify_conv_forward(&L, a.v, b.v, y));
                y[k] -= deltas[d];
            }
        }
        free(y);
        fast_operand_clear(&a), fast_operand_clear(&b);
        /* a matrix product of the same values */
        const size_t m = 1 + cvp_rng_next(&rng) % 9, k = 1 + cvp_rng_next(&rng) % 30,
                     n = 1 + cvp_rng_next(&rng) % 9;
        tu_random(X, &rng, 2, (size_t[]){m, k}, -(1L << 62), 1L << 62);
        tu_random(K, &rng, 2, (size_t[]){k, n}, -(1L << 50), 1L << 50);
        tu_assert_ok(cvp_tensor_matmul(Y, X, K, &err), &err);
        y = wide_entries(Y);
        fast_operand_init(&a), fast_operand_init(&b);
        assert_true(fast_operand_scale(&a, X) && fast_operand_scale(&b, K));
        assert_true(fast_verify_matmul(m, k, n, a.v, b.v, y));
        size_t at = cvp_rng_next(&rng) % (m * n);
        for (size_t d = 0; d < sizeof deltas / sizeof deltas[0]; d++) {
            y[at] += deltas[d];
            assert_false(fast_verify_matmul(m, k, n, a.v, b.v, y));
            y[at] -= deltas[d];
        }
        free(y);
        fast_operand_clear(&a), fast_operand_clear(&b);
        cvp_tensor_clear(X), cvp_tensor_clear(K), cvp_tensor_clear(Y);
    }
}

/* Values near 2^50 over short sums: three float64 residue products after
 * the rounded float64 product instead of five; every pass and matrix
 * product exact (the backward passes take the residues alone). */
static void test_offset_mode_layers(void **state)
{
    (void)state;
    cvp_rng rng;
    cvp_rng_seed(&rng, 47);
    for (int t = 0; t < CASES / 2; t++) {
        tu_conv_case cc;
        tu_random_conv_case(&cc, &rng);
        check_layer(&cc, &rng, -(1L << 50), 1L << 50, t % 2 == 0, CVP_FAST_PATH_CRT);
        check_layer(&cc, &rng, -(1L << 53), 1L << 53, false, CVP_FAST_PATH_CRT);
        check_layer(&cc, &rng, -(1L << 54), 1L << 54, false, ANY_PATH);
    }
    /* the extremes of the float64 values: +-2^53 */
    const long p53 = 1L << 53;
    check_dot((long[]){p53, -p53, p53}, (long[]){p53, p53, -p53}, 3, CVP_FAST_PATH_CRT);
    check_dot((long[]){p53, p53, p53}, (long[]){p53, p53, p53}, 3, CVP_FAST_PATH_CRT);
    check_dot((long[]){-p53, 1, -p53}, (long[]){p53, -1, -1}, 3, CVP_FAST_PATH_CRT);
}

/* The unchecked float64 product corrupted far beyond its rounding error:
 * only the verification can see it; the operation falls back and the
 * result is right. */
static void test_offset_fault_is_caught(void **state)
{
    (void)state;
    if (!cvp_fast_have_blas())
        skip();
    cvp_rng rng;
    cvp_rng_seed(&rng, 48);
    cvp_tensor_t X, K, fast, ref;
    cvp_tensor_init(X), cvp_tensor_init(K), cvp_tensor_init(fast), cvp_tensor_init(ref);
    /* 1x3x5x5 input, 2 kernels 3x3: L = 27, values to 2^50: bound
     * 2^104.8, five residue products, or three after the float64 one */
    tu_random(X, &rng, 4, (size_t[]){1, 3, 5, 5}, -(1L << 50), 1L << 50);
    tu_random(K, &rng, 4, (size_t[]){2, 3, 3, 3}, -(1L << 50), 1L << 50);
    cvp_conv2d_params p = cvp_conv2d_params_default();
    cvp_fast_stats_t before, after;
    cvp_fast_stats(&before);
    cvp_fast_inject_fault(true);
    cvp_error err;
    cvp_fast_path path;
    tu_assert_ok(cvp_fast_conv2d(fast, X, K, NULL, &p, &path, &err), &err);
    cvp_fast_stats(&after);
    tu_assert_ok(cvp_conv2d(ref, X, K, NULL, &p, &err), &err);
    tu_assert_equal(fast, ref);
    assert_int_equal(path, CVP_FAST_PATH_REFERENCE);
    /* three checked residue products, then the failed verification */
    assert_int_equal(after.checks, before.checks + 4);
    assert_int_equal(after.check_failures, before.check_failures + 1);
    tu_assert_ok(cvp_fast_conv2d(fast, X, K, NULL, &p, &path, &err), &err);
    tu_assert_equal(fast, ref);
    assert_int_equal(path, CVP_FAST_PATH_CRT);
    cvp_fast_stats(&before);
    assert_int_equal(before.checks, after.checks + 4);
    cvp_tensor_clear(X), cvp_tensor_clear(K), cvp_tensor_clear(fast), cvp_tensor_clear(ref);
}

/* ---- float data: coarse parts and sparse remainders (fast_split.c) ------ */

/* The forward pass of X and K fast, equal to the definitional one and on
 * the CRT path; *used gets the exact checks and Winograd layers it took. */
static void exact_forward(const cvp_tensor_t X, const cvp_tensor_t K,
                          const cvp_conv2d_params *p, cvp_fast_stats_t *used)
{
    cvp_tensor_t fast, ref;
    cvp_tensor_init(fast), cvp_tensor_init(ref);
    cvp_fast_stats_t before, after;
    cvp_fast_stats(&before);
    cvp_error err;
    cvp_fast_path path;
    tu_assert_ok(cvp_fast_conv2d(fast, X, K, NULL, p, &path, &err), &err);
    cvp_fast_stats(&after);
    tu_assert_ok(cvp_conv2d(ref, X, K, NULL, p, &err), &err);
    tu_assert_equal(fast, ref);
    assert_int_equal(path, CVP_FAST_PATH_CRT);
    used->checks = after.checks - before.checks;
    used->winograd = after.winograd - before.winograd;
    cvp_tensor_clear(fast), cvp_tensor_clear(ref);
}

/* The forward pass on float-like data needs three residue products after
 * the float64 one; split, the coarse parts need two, and the tiny entries
 * are added exactly: the result equals the definitional one, with three
 * exact checks (two residue products and the verification) instead of
 * four, for strides, padding, dilation and groups. */
static void test_split_float_data(void **state)
{
    (void)state;
    if (!cvp_fast_have_blas())
        skip();
    cvp_rng rng;
    cvp_rng_seed(&rng, 49);
    static const struct { size_t s, p, d, g; } layers[] = {
        {1, 0, 1, 1}, {1, 1, 1, 1}, {2, 1, 1, 1}, {1, 2, 2, 1}, {2, 1, 2, 2}, {3, 0, 1, 2},
    };
    for (size_t t = 0; t < sizeof layers / sizeof layers[0]; t++) {
        cvp_tensor_t X, K;
        cvp_tensor_init(X), cvp_tensor_init(K);
        /* 256 input entries, 2 tiny (the first two: channel 0, row 0);
         * 72 kernel entries, 1 tiny */
        const size_t g = layers[t].g;
        tu_float_like(X, &rng, 4, (size_t[]){1, 4, 8, 8}, 2);
        tu_float_like(K, &rng, 4, (size_t[]){2 * g, 4 / g, 3, 3}, 1);
        cvp_conv2d_params p = cvp_conv2d_params_default();
        p.stride[0] = p.stride[1] = layers[t].s;
        p.padding[0] = p.padding[1] = layers[t].p;
        p.dilation[0] = p.dilation[1] = layers[t].d;
        p.groups = layers[t].g;
        cvp_fast_stats_t used;
        exact_forward(X, K, &p, &used);
        /* one checked product per group for each of the two primes */
        if (used.checks != 2 * g + 1)
            fail_msg("layer %zu: %llu checks, want %zu (two residue products "
                     "per group and the verification)", t,
                     (unsigned long long)used.checks, 2 * g + 1);
        cvp_tensor_clear(X), cvp_tensor_clear(K);
    }
}

/* A 3x3 stride-1 layer takes Winograd's transform, whose residue
 * products cost about a quarter of a full one: with the exact route of
 * fast_winograd_exact.c off (test_fast_winograd.c tests it), the coarse
 * parts' product then comes from residues alone, with no unchecked
 * float64 product and so no verification -- the exact checks are the 36
 * products per group of each prime and nothing else -- and the result is
 * still the definitional one, also with padding 0 and 2, groups, and
 * batches. */
static void test_split_from_residues_alone(void **state)
{
    (void)state;
    if (!cvp_fast_have_blas())
        skip();
    cvp_rng rng;
    cvp_rng_seed(&rng, 51);
    static const struct { size_t n, c, o, h, p, g; } layers[] = {
        {1, 8, 8, 9, 1, 1}, {1, 8, 8, 7, 0, 1}, {2, 8, 12, 6, 2, 1}, {1, 8, 8, 9, 1, 2},
    };
    cvp_fast_set_winograd_exact(false);
    cvp_fast_set_winograd(CVP_FAST_WINOGRAD_ALWAYS);
    for (size_t t = 0; t < sizeof layers / sizeof layers[0]; t++) {
        cvp_tensor_t X, K;
        cvp_tensor_init(X), cvp_tensor_init(K);
        const size_t g = layers[t].g;
        tu_float_like(X, &rng, 4, (size_t[]){layers[t].n, layers[t].c, layers[t].h, layers[t].h}, 2);
        tu_float_like(K, &rng, 4, (size_t[]){layers[t].o, layers[t].c / g, 3, 3}, 1);
        cvp_conv2d_params p = cvp_conv2d_params_default();
        p.padding[0] = p.padding[1] = layers[t].p;
        p.groups = g;
        cvp_fast_stats_t used;
        exact_forward(X, K, &p, &used);
        const uint64_t checks = used.checks;
        const uint64_t per_prime = 36 * g * layers[t].n;
        /* at least two primes, a whole number of them, no verification */
        if (checks % per_prime != 0 || checks < 2 * per_prime)
            fail_msg("layer %zu: %llu checks, want a multiple (>= 2) of %llu", t,
                     (unsigned long long)checks, (unsigned long long)per_prime);
        assert_true(used.winograd > 0);
        cvp_tensor_clear(X), cvp_tensor_clear(K);
    }
    cvp_fast_set_winograd_exact(true);
    cvp_fast_set_winograd(CVP_FAST_WINOGRAD_AUTO);
}

/* The unchecked float64 product of the coarse parts corrupted: the
 * verification of the whole result catches it, and the definitional
 * operator gives the result. */
static void test_split_fault_is_caught(void **state)
{
    (void)state;
    if (!cvp_fast_have_blas())
        skip();
    cvp_rng rng;
    cvp_rng_seed(&rng, 50);
    cvp_tensor_t X, K, fast, ref;
    cvp_tensor_init(X), cvp_tensor_init(K), cvp_tensor_init(fast), cvp_tensor_init(ref);
    tu_float_like(X, &rng, 4, (size_t[]){1, 4, 8, 8}, 2);
    tu_float_like(K, &rng, 4, (size_t[]){2, 4, 3, 3}, 1);
    cvp_conv2d_params p = cvp_conv2d_params_default();
    cvp_fast_inject_fault(true);
    cvp_error err;
    cvp_fast_path path;
    tu_assert_ok(cvp_fast_conv2d(fast, X, K, NULL, &p, &path, &err), &err);
    tu_assert_ok(cvp_conv2d(ref, X, K, NULL, &p, &err), &err);
    tu_assert_equal(fast, ref);
    assert_int_equal(path, CVP_FAST_PATH_REFERENCE);
    cvp_tensor_clear(X), cvp_tensor_clear(K), cvp_tensor_clear(fast), cvp_tensor_clear(ref);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crt_float_basis),
        cmocka_unit_test(test_crt_both_bases),
        cmocka_unit_test(test_crt_float_fault_is_caught),
        cmocka_unit_test(test_offset_bound),
        cmocka_unit_test(test_verifiers),
        cmocka_unit_test(test_offset_mode_layers),
        cmocka_unit_test(test_offset_fault_is_caught),
        cmocka_unit_test(test_split_float_data),
        cmocka_unit_test(test_split_fault_is_caught),
        cmocka_unit_test(test_split_from_residues_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
