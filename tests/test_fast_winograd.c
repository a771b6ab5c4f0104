/* test_fast_winograd.c -- Winograd's F(4x4, 3x3) over prime fields
 * (src/fast/fast_winograd.c), and exactly over the integers with float64
 * products (src/fast/fast_winograd_exact.c), against the definitional
 * operators.
 *
 * Every 3x3 layer with stride 1 here is run with the transform forced on
 * (and the counter of layers it did must grow, so a test cannot pass by
 * falling back to the im2col loops), for primes at both ends of what the
 * ring takes: tiles cut by the output's edge, paddings from 0 to 3 (3
 * makes the gradient's padding negative), groups, batches, unbatched
 * inputs, tile blocks of one tile, and the residues' worst case p - 1. */
#include "testutil.h"

#include <string.h>

#include "fast/fast.h"
#include "fast/fast_internal.h"   /* fast_winograd_exact_fits */
#include "kernel/conv2d_backward.h"
#include "kernel/prime.h"
#include "kernel/ring_small.h"

static size_t draw(cvp_rng *rng, size_t lo, size_t hi)
{
    return (size_t)cvp_rng_range(rng, (int64_t)lo, (int64_t)hi);
}

static uint64_t winograd_layers(void)
{
    cvp_fast_stats_t s;
    cvp_fast_stats(&s);
    return s.winograd;
}

/* A random 3x3 stride-1 layer: groups 1-3, 1-5 channels per group each
 * way, H and W 1-11, paddings 0-3 drawn separately. */
static void draw_case(tu_conv_case *cc, cvp_rng *rng)
{
    for (;;) {
        memset(cc, 0, sizeof *cc);
        cc->p = cvp_conv2d_params_default();
        size_t groups = draw(rng, 1, 3);
        cc->p.groups = groups;
        cc->C = groups * draw(rng, 1, 5);
        cc->O = groups * draw(rng, 1, 5);
        cc->rank = draw(rng, 0, 3) == 0 ? 3 : 4;
        cc->N = cc->rank == 4 ? draw(rng, 1, 2) : 1;
        cc->H = draw(rng, 1, 11);
        cc->W = draw(rng, 1, 11);
        cc->kH = cc->kW = 3;
        cc->p.padding[0] = draw(rng, 0, 3);
        cc->p.padding[1] = draw(rng, 0, 3);
        if (cc->H + 2 * cc->p.padding[0] < 3 || cc->W + 2 * cc->p.padding[1] < 3)
            continue;
        cc->Ho = cc->H + 2 * cc->p.padding[0] - 2;
        cc->Wo = cc->W + 2 * cc->p.padding[1] - 2;
        break;
    }
    size_t x[4] = {cc->N, cc->C, cc->H, cc->W};
    size_t k[4] = {cc->O, cc->C / cc->p.groups, 3, 3};
    size_t y[4] = {cc->N, cc->O, cc->Ho, cc->Wo};
    int skip = cc->rank == 4 ? 0 : 1;
    memcpy(cc->x_shape, x + skip, (size_t)cc->rank * sizeof *x);
    memcpy(cc->k_shape, k, sizeof k);
    memcpy(cc->y_shape, y + skip, (size_t)cc->rank * sizeof *y);
}

/* Runs the three passes of cc over F_p fast and definitionally; returns
 * how many layers the transform did. */
static uint64_t check_case(const tu_conv_case *cc, uint64_t p, cvp_rng *rng)
{
    cvp_ring F;
    cvp_ring_fp_init(&F, p);
    cvp_tensor_t X, K, G, B, fast, ref;
    cvp_tensor_init(X), cvp_tensor_init(K), cvp_tensor_init(G);
    cvp_tensor_init(B), cvp_tensor_init(fast), cvp_tensor_init(ref);
    tu_random_residues(X, &F, rng, cc->rank, cc->x_shape, p);
    tu_random_residues(K, &F, rng, 4, cc->k_shape, p);
    tu_random_residues(G, &F, rng, cc->rank, cc->y_shape, p);
    tu_random_residues(B, &F, rng, 1, &cc->O, p);
    const uint64_t before = winograd_layers();
    cvp_error err;
    cvp_fast_path path;
    tu_assert_ok(cvp_fast_conv2d(fast, X, K, B, &cc->p, &path, &err), &err);
    tu_assert_ok(cvp_conv2d(ref, X, K, B, &cc->p, &err), &err);
    assert_int_equal(path, CVP_FAST_PATH_MODP);
    tu_assert_equal_case(fast, ref, cc);
    tu_assert_ok(cvp_fast_conv2d_backward_input(fast, X, K, G, &cc->p, &path, &err), &err);
    tu_assert_ok(cvp_conv2d_backward_input(ref, X, K, G, &cc->p, &err), &err);
    assert_int_equal(path, CVP_FAST_PATH_MODP);
    tu_assert_equal_case(fast, ref, cc);
    tu_assert_ok(cvp_fast_conv2d_backward_weight(fast, X, K, G, &cc->p, &path, &err), &err);
    tu_assert_ok(cvp_conv2d_backward_weight(ref, X, K, G, &cc->p, &err), &err);
    tu_assert_equal_case(fast, ref, cc);
    const uint64_t done = winograd_layers() - before;
    cvp_tensor_clear(X), cvp_tensor_clear(K), cvp_tensor_clear(G);
    cvp_tensor_clear(B), cvp_tensor_clear(fast), cvp_tensor_clear(ref);
    cvp_ring_fp_clear(&F);
    return done;
}

static void test_random_layers_every_prime(void **state)
{
    (void)state;
    cvp_rng rng;
    cvp_rng_seed(&rng, 41);
    const uint64_t primes[] = {CVP_FP_DEFAULT_PRIME, (UINT64_C(1) << 62) - 57,
                               cvp_random_prime(&rng), 5, 7, 1000003};
    cvp_fast_set_winograd(CVP_FAST_WINOGRAD_ALWAYS);
    for (size_t k = 0; k < sizeof primes / sizeof *primes; k++)
        for (int t = 0; t < 25; t++) {
            tu_conv_case cc;
            draw_case(&cc, &rng);
            /* the forward pass and the gradient to the input */
            assert_int_equal(check_case(&cc, primes[k], &rng), 2);
        }
    cvp_fast_set_winograd(CVP_FAST_WINOGRAD_AUTO);
}

/* Blocks of one and of three tiles: every block boundary inside a row of
 * tiles, and a last block cut short. */
static void test_small_tile_blocks(void **state)
{
    (void)state;
    cvp_rng rng;
    cvp_rng_seed(&rng, 42);
    cvp_fast_set_winograd(CVP_FAST_WINOGRAD_ALWAYS);
    const size_t entries[] = {1, 3 * 36 * 5 / 4 + 1};
    for (int e = 0; e < 2; e++) {
        cvp_fast_set_block_entries(entries[e]);
        for (int t = 0; t < 10; t++) {
            tu_conv_case cc;
            draw_case(&cc, &rng);
            assert_int_equal(check_case(&cc, CVP_FP_DEFAULT_PRIME, &rng), 2);
        }
    }
    cvp_fast_set_block_entries(0);
    cvp_fast_set_winograd(CVP_FAST_WINOGRAD_AUTO);
}

static tu_conv_case fixed_case(size_t C, size_t O, size_t H, size_t stride,
                               size_t dilation)
{
    tu_conv_case cc;
    memset(&cc, 0, sizeof cc);
    cc.p = cvp_conv2d_params_default();
    cc.p.padding[0] = cc.p.padding[1] = 1;
    cc.p.stride[0] = cc.p.stride[1] = stride;
    cc.p.dilation[0] = cc.p.dilation[1] = dilation;
    cc.rank = 4, cc.N = 1, cc.C = C, cc.O = O, cc.H = cc.W = H, cc.kH = cc.kW = 3;
    cc.Ho = cc.Wo = (H + 2 - 2 * dilation - 1) / stride + 1;
    memcpy(cc.x_shape, (size_t[]){1, C, H, H}, sizeof cc.x_shape);
    memcpy(cc.k_shape, (size_t[]){O, C, 3, 3}, sizeof cc.k_shape);
    memcpy(cc.y_shape, (size_t[]){1, O, cc.Ho, cc.Wo}, sizeof cc.y_shape);
    return cc;
}

/* Where the transform must not run: primes 2 and 3 (no inverse of 576),
 * strides and dilations other than 1, and, by default, layers of fewer
 * than 64 channel pairs per group.  The results stay the definitional
 * ones. */
static void test_where_it_does_not_apply(void **state)
{
    (void)state;
    cvp_rng rng;
    cvp_rng_seed(&rng, 43);
    cvp_fast_set_winograd(CVP_FAST_WINOGRAD_ALWAYS);
    tu_conv_case cc = fixed_case(3, 4, 6, 1, 1);
    assert_int_equal(check_case(&cc, 2, &rng), 0);
    assert_int_equal(check_case(&cc, 3, &rng), 0);
    assert_int_equal(check_case(&cc, 5, &rng), 2);
    cc = fixed_case(3, 4, 7, 2, 1);
    assert_int_equal(check_case(&cc, CVP_FP_DEFAULT_PRIME, &rng), 0);
    cc = fixed_case(3, 4, 7, 1, 2);
    assert_int_equal(check_case(&cc, CVP_FP_DEFAULT_PRIME, &rng), 0);
    cvp_fast_set_winograd(CVP_FAST_WINOGRAD_AUTO);
    cc = fixed_case(7, 9, 6, 1, 1);   /* 63 pairs */
    assert_int_equal(check_case(&cc, CVP_FP_DEFAULT_PRIME, &rng), 0);
    cc = fixed_case(8, 8, 6, 1, 1);   /* 64 pairs */
    assert_int_equal(check_case(&cc, CVP_FP_DEFAULT_PRIME, &rng), 2);
    cvp_fast_set_winograd(CVP_FAST_WINOGRAD_NEVER);
    assert_int_equal(check_case(&cc, CVP_FP_DEFAULT_PRIME, &rng), 0);
    cvp_fast_set_winograd(CVP_FAST_WINOGRAD_AUTO);
}

/* A wide layer: 300 input channels make sums of 300 products of residues
 * near 2^62 in each of the 36 products, on several threads. */
static void test_wide_layer(void **state)
{
    (void)state;
    cvp_rng rng;
    cvp_rng_seed(&rng, 44);
    tu_conv_case cc = fixed_case(300, 12, 9, 1, 1);
    assert_int_equal(check_case(&cc, (UINT64_C(1) << 62) - 57, &rng), 2);
}

/* Over Q, values beyond int64 take residues modulo primes (with the exact
 * route of fast_winograd_exact.c off; it has its own tests below): near
 * 2^61 when the float64 residues are off, else below 2^32 with float64
 * products (after an unchecked float64 product for the forward pass,
 * whose result is then verified).  Both run through the transform. */
static void check_rationals(bool float_residues, unsigned seed)
{
    cvp_rng rng;
    cvp_rng_seed(&rng, seed);
    cvp_fast_set_crt_float(float_residues);
    cvp_fast_set_winograd_exact(false);
    cvp_fast_set_winograd(CVP_FAST_WINOGRAD_ALWAYS);
    for (int t = 0; t < 10; t++) {
        tu_conv_case cc;
        draw_case(&cc, &rng);
        cvp_tensor_t X, K, G, fast, ref;
        cvp_tensor_init(X), cvp_tensor_init(K), cvp_tensor_init(G);
        cvp_tensor_init(fast), cvp_tensor_init(ref);
        tu_zeros(X, cc.rank, cc.x_shape);
        tu_zeros(K, 4, cc.k_shape);
        tu_zeros(G, cc.rank, cc.y_shape);
        /* |entries| near 2^40, with denominators: products pass 2^63 */
        cvp_tensor_random_rat(X, &rng, -(1L << 40), 1L << 40, 7);
        cvp_tensor_random_rat(K, &rng, -(1L << 40), 1L << 40, 5);
        cvp_tensor_random_rat(G, &rng, -(1L << 40), 1L << 40, 3);
        const uint64_t before = winograd_layers();
        cvp_error err;
        cvp_fast_path path;
        tu_assert_ok(cvp_fast_conv2d(fast, X, K, NULL, &cc.p, &path, &err), &err);
        assert_int_equal(path, CVP_FAST_PATH_CRT);
        tu_assert_ok(cvp_conv2d(ref, X, K, NULL, &cc.p, &err), &err);
        tu_assert_equal_case(fast, ref, &cc);
        tu_assert_ok(cvp_fast_conv2d_backward_input(fast, X, K, G, &cc.p, &path, &err), &err);
        assert_int_equal(path, CVP_FAST_PATH_CRT);
        tu_assert_ok(cvp_conv2d_backward_input(ref, X, K, G, &cc.p, &err), &err);
        tu_assert_equal_case(fast, ref, &cc);
        assert_true(winograd_layers() - before >= 2);
        cvp_tensor_clear(X), cvp_tensor_clear(K), cvp_tensor_clear(G);
        cvp_tensor_clear(fast), cvp_tensor_clear(ref);
    }
    cvp_fast_set_winograd(CVP_FAST_WINOGRAD_AUTO);
    cvp_fast_set_winograd_exact(true);
    cvp_fast_set_crt_float(true);
}

static void test_rationals_through_wide_residues(void **state)
{
    (void)state;
    check_rationals(false, 45);
}

static void test_rationals_through_float_residues(void **state)
{
    (void)state;
    check_rationals(true, 46);
}

/* The float64 products of one group share one check vector per
 * transform position (and part, on the exact route), made before any
 * product (fast_shared_check): over two images and tile blocks of one
 * tile, on the residue route and on the exact one, the results are the
 * definitional ones, and a product corrupted in any block is caught.
 * The gradient to the input has no verification of the whole result, so
 * these checks alone stand between a wrong product and the answer. */
static void test_shared_check_vectors(void **state)
{
    (void)state;
    if (!cvp_fast_have_blas())
        skip();
    cvp_rng rng;
    cvp_rng_seed(&rng, 47);
    cvp_fast_set_winograd(CVP_FAST_WINOGRAD_ALWAYS);
    cvp_fast_set_block_entries(36 * 5);   /* one tile per block */
    cvp_conv2d_params p = cvp_conv2d_params_default();
    p.padding[0] = p.padding[1] = 1;
    cvp_tensor_t X, K, G, fast, ref;
    cvp_tensor_init(X), cvp_tensor_init(K), cvp_tensor_init(G);
    cvp_tensor_init(fast), cvp_tensor_init(ref);
    tu_zeros(X, 4, (size_t[]){2, 4, 9, 9});
    tu_zeros(K, 4, (size_t[]){5, 4, 3, 3});
    tu_zeros(G, 4, (size_t[]){2, 5, 9, 9});
    /* |entries| near 2^40: products pass 2^63, so residues it is */
    cvp_tensor_random_int(X, &rng, -(1L << 40), 1L << 40);
    cvp_tensor_random_int(K, &rng, -(1L << 40), 1L << 40);
    cvp_tensor_random_int(G, &rng, -(1L << 40), 1L << 40);
    cvp_error err;
    cvp_fast_path path;
    tu_assert_ok(cvp_conv2d_backward_input(ref, X, K, G, &p, &err), &err);
    for (int run = 0; run < 4; run++) {
        const bool exact = run >= 2, corrupt = run % 2 == 1;
        cvp_fast_set_winograd_exact(exact);
        cvp_fast_stats_t before, after;
        cvp_fast_stats(&before);
        cvp_fast_inject_fault(corrupt);
        tu_assert_ok(cvp_fast_conv2d_backward_input(fast, X, K, G, &p, &path, &err), &err);
        cvp_fast_stats(&after);
        tu_assert_equal(fast, ref);
        assert_true(after.winograd > before.winograd);
        assert_int_equal(after.winograd_exact - before.winograd_exact, exact ? 1 : 0);
        assert_int_equal(path, corrupt ? CVP_FAST_PATH_REFERENCE : CVP_FAST_PATH_CRT);
        assert_int_equal(after.check_failures, before.check_failures + (uint64_t)corrupt);
        /* 9 x 9 outputs: 9 tiles of 4 x 4, each image, 36 products per
         * tile, for each residue prime or three parts (a failed check
         * stops early) */
        if (!corrupt && exact)
            assert_int_equal(after.checks - before.checks, 2 * 9 * 36 * 3);
        assert_true(corrupt || after.checks - before.checks >= 2 * 9 * 36);
    }
    cvp_fast_set_winograd_exact(true);
    cvp_fast_set_block_entries(0);
    cvp_fast_set_winograd(CVP_FAST_WINOGRAD_AUTO);
    cvp_tensor_clear(X), cvp_tensor_clear(K), cvp_tensor_clear(G);
    cvp_tensor_clear(fast), cvp_tensor_clear(ref);
}

/* ---- the exact route (fast_winograd_exact.c) ----------------------------- */

static uint64_t exact_layers(void)
{
    cvp_fast_stats_t s;
    cvp_fast_stats(&s);
    return s.winograd_exact;
}

/* The forward pass and the gradient to the input of cc, fast and
 * definitionally, on X, K and G; returns how many passes took the exact
 * route, each on the CRT path and equal to the definitional one. */
static uint64_t check_exact(const tu_conv_case *cc, const cvp_tensor_t X,
                            const cvp_tensor_t K, const cvp_tensor_t G)
{
    cvp_tensor_t fast, ref;
    cvp_tensor_init(fast), cvp_tensor_init(ref);
    const uint64_t before = exact_layers();
    cvp_error err;
    cvp_fast_path path;
    tu_assert_ok(cvp_fast_conv2d(fast, X, K, NULL, &cc->p, &path, &err), &err);
    assert_int_equal(path, CVP_FAST_PATH_CRT);
    tu_assert_ok(cvp_conv2d(ref, X, K, NULL, &cc->p, &err), &err);
    tu_assert_equal_case(fast, ref, cc);
    tu_assert_ok(cvp_fast_conv2d_backward_input(fast, X, K, G, &cc->p, &path, &err), &err);
    assert_int_equal(path, CVP_FAST_PATH_CRT);
    tu_assert_ok(cvp_conv2d_backward_input(ref, X, K, G, &cc->p, &err), &err);
    tu_assert_equal_case(fast, ref, cc);
    cvp_tensor_clear(fast), cvp_tensor_clear(ref);
    return exact_layers() - before;
}

/* Integers near 2^36 (products past 2^63, so the CRT path) take the
 * exact route in both passes -- three float64 products per position, no
 * prime -- over random layers: tiles cut by the output's edge, paddings
 * 0 to 3, groups, batches, unbatched inputs; also in blocks of one tile. */
static void test_exact_random_layers(void **state)
{
    (void)state;
    if (!cvp_fast_have_blas())
        skip();
    cvp_rng rng;
    cvp_rng_seed(&rng, 48);
    cvp_fast_set_winograd(CVP_FAST_WINOGRAD_ALWAYS);
    for (int t = 0; t < 30; t++) {
        cvp_fast_set_block_entries(t % 3 == 0 ? 36 * 5 : 0);
        tu_conv_case cc;
        draw_case(&cc, &rng);
        cvp_tensor_t X, K, G;
        cvp_tensor_init(X), cvp_tensor_init(K), cvp_tensor_init(G);
        tu_random(X, &rng, cc.rank, cc.x_shape, -(1L << 36), 1L << 36);
        tu_random(K, &rng, 4, cc.k_shape, -(1L << 36), 1L << 36);
        tu_random(G, &rng, cc.rank, cc.y_shape, -(1L << 36), 1L << 36);
        assert_int_equal(check_exact(&cc, X, K, G), 2);
        cvp_tensor_clear(X), cvp_tensor_clear(K), cvp_tensor_clear(G);
    }
    cvp_fast_set_block_entries(0);
    cvp_fast_set_winograd(CVP_FAST_WINOGRAD_AUTO);
}

/* t := every entry +m or -m (random signs). */
static void signs_times(cvp_tensor_t t, cvp_rng *rng, int rank, const size_t *shape,
                        int64_t m)
{
    tu_random(t, rng, rank, shape, 0, 1);
    for (size_t k = 0; k < t->size; k++)
        mpq_set_si(cvp_tensor_at(t, k), mpz_sgn(mpq_numref(cvp_tensor_at(t, k))) ? m : -m, 1);
}

/* At the edge of the exact route's reach: m, the largest magnitude for
 * which the plan of an 8-channel layer still keeps every float64 sum
 * within 2^53 (found through fast_winograd_exact_fits), with every
 * entry +-m; and m + 1 past it, which must go another way.  Both give
 * the definitional result. */
static void test_exact_at_its_limit(void **state)
{
    (void)state;
    if (!cvp_fast_have_blas())
        skip();
    cvp_rng rng;
    cvp_rng_seed(&rng, 49);
    tu_conv_case cc = fixed_case(8, 8, 9, 1, 1);
    const fast_layer L = {1, 8, 9, 9, 8, 8, 8, 1, 3, 3, 9, 9, 1, 1, 1, 1, 1, 1};
    /* bisection: fits at lo, not at hi */
    uint64_t lo = 1, hi = (uint64_t)1 << 60;
    assert_true(fast_winograd_exact_fits(&L, false, lo, lo));
    assert_false(fast_winograd_exact_fits(&L, false, hi, hi));
    while (hi - lo > 1) {
        const uint64_t mid = lo + (hi - lo) / 2;
        if (fast_winograd_exact_fits(&L, false, mid, mid))
            lo = mid;
        else
            hi = mid;
    }
    /* 8 channels: 8 (100 m / 2^s + 2^(s-1)) (576 m / 2^s + 2^(s-1)) <=
     * 2^53 puts m near 2^39 */
    assert_true(lo > ((uint64_t)1 << 37) && lo < ((uint64_t)1 << 41));
    assert_true(fast_winograd_exact_fits(&L, true, lo, lo));
    const int64_t m[2] = {(int64_t)lo, (int64_t)hi};
    for (int past = 0; past < 2; past++) {
        cvp_tensor_t X, K, G;
        cvp_tensor_init(X), cvp_tensor_init(K), cvp_tensor_init(G);
        signs_times(X, &rng, 4, cc.x_shape, m[past]);
        signs_times(K, &rng, 4, cc.k_shape, m[past]);
        signs_times(G, &rng, 4, cc.y_shape, m[past]);
        assert_int_equal(check_exact(&cc, X, K, G), past ? 0 : 2);
        cvp_tensor_clear(X), cvp_tensor_clear(K), cvp_tensor_clear(G);
    }
}

/* Float-like data (a few tiny entries set the common denominator): the
 * forward pass splits the operands and runs the exact route on the
 * coarse parts, with the tiny remainders' products added exactly; no
 * verification of the whole result (every check is one of the 108
 * products per block), paddings 0 to 2, groups and batches alike. */
static void test_exact_float_data(void **state)
{
    (void)state;
    if (!cvp_fast_have_blas())
        skip();
    cvp_rng rng;
    cvp_rng_seed(&rng, 52);
    static const struct { size_t n, c, o, h, p, g; } layers[] = {
        {1, 8, 8, 9, 1, 1}, {1, 8, 8, 7, 0, 1}, {2, 8, 12, 6, 2, 1}, {1, 8, 8, 10, 1, 2},
    };
    cvp_fast_set_winograd(CVP_FAST_WINOGRAD_ALWAYS);
    for (size_t t = 0; t < sizeof layers / sizeof layers[0]; t++) {
        cvp_tensor_t X, K, fast, ref;
        cvp_tensor_init(X), cvp_tensor_init(K), cvp_tensor_init(fast), cvp_tensor_init(ref);
        const size_t g = layers[t].g, h = layers[t].h;
        tu_float_like(X, &rng, 4, (size_t[]){layers[t].n, layers[t].c, h, h}, 3);
        tu_float_like(K, &rng, 4, (size_t[]){layers[t].o, layers[t].c / g, 3, 3}, 2);
        cvp_conv2d_params p = cvp_conv2d_params_default();
        p.padding[0] = p.padding[1] = layers[t].p;
        p.groups = g;
        cvp_fast_stats_t before, after;
        cvp_fast_stats(&before);
        cvp_error err;
        cvp_fast_path path;
        tu_assert_ok(cvp_fast_conv2d(fast, X, K, NULL, &p, &path, &err), &err);
        cvp_fast_stats(&after);
        tu_assert_ok(cvp_conv2d(ref, X, K, NULL, &p, &err), &err);
        tu_assert_equal(fast, ref);
        assert_int_equal(path, CVP_FAST_PATH_CRT);
        assert_int_equal(after.winograd_exact - before.winograd_exact, 1);
        const uint64_t per_block = 36 * 3;
        assert_int_equal((after.checks - before.checks) % per_block, 0);
        assert_true(after.checks - before.checks >= per_block * g * layers[t].n);
        cvp_tensor_clear(X), cvp_tensor_clear(K), cvp_tensor_clear(fast), cvp_tensor_clear(ref);
    }
    cvp_fast_set_winograd(CVP_FAST_WINOGRAD_AUTO);
}

/* A float64 product corrupted on the exact route: its check fails, the
 * operator falls back to the definitional one, and the result is right;
 * with the route off, the residue route does the same layer. */
static void test_exact_fault_and_switch(void **state)
{
    (void)state;
    if (!cvp_fast_have_blas())
        skip();
    cvp_rng rng;
    cvp_rng_seed(&rng, 53);
    tu_conv_case cc = fixed_case(8, 8, 9, 1, 1);
    cvp_tensor_t X, K, fast, ref;
    cvp_tensor_init(X), cvp_tensor_init(K), cvp_tensor_init(fast), cvp_tensor_init(ref);
    tu_random(X, &rng, 4, cc.x_shape, -(1L << 36), 1L << 36);
    tu_random(K, &rng, 4, cc.k_shape, -(1L << 36), 1L << 36);
    cvp_error err;
    tu_assert_ok(cvp_conv2d(ref, X, K, NULL, &cc.p, &err), &err);
    for (int run = 0; run < 2; run++) {
        cvp_fast_stats_t before, after;
        cvp_fast_stats(&before);
        cvp_fast_inject_fault(run == 0);
        cvp_fast_set_winograd_exact(run == 0);
        cvp_fast_path path;
        tu_assert_ok(cvp_fast_conv2d(fast, X, K, NULL, &cc.p, &path, &err), &err);
        cvp_fast_stats(&after);
        tu_assert_equal(fast, ref);
        assert_int_equal(path, run == 0 ? CVP_FAST_PATH_REFERENCE : CVP_FAST_PATH_CRT);
        assert_int_equal(after.check_failures - before.check_failures, run == 0 ? 1 : 0);
        assert_int_equal(after.winograd_exact - before.winograd_exact, run == 0 ? 1 : 0);
        assert_true(after.winograd > before.winograd);
    }
    cvp_fast_set_winograd_exact(true);
    cvp_tensor_clear(X), cvp_tensor_clear(K), cvp_tensor_clear(fast), cvp_tensor_clear(ref);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_layers_every_prime),
        cmocka_unit_test(test_small_tile_blocks),
        cmocka_unit_test(test_where_it_does_not_apply),
        cmocka_unit_test(test_wide_layer),
        cmocka_unit_test(test_rationals_through_wide_residues),
        cmocka_unit_test(test_rationals_through_float_residues),
        cmocka_unit_test(test_shared_check_vectors),
        cmocka_unit_test(test_exact_random_layers),
        cmocka_unit_test(test_exact_at_its_limit),
        cmocka_unit_test(test_exact_float_data),
        cmocka_unit_test(test_exact_fault_and_switch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
