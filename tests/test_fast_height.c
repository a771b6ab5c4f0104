/* test_fast_height.c -- the height semiring's fast path (fast_height.c)
 * against the true coefficients and against the definitional operators.
 *
 * On random layers (shapes, strides, paddings that leave windows with no
 * input entry, dilations, groups, batched or not) every input entry is a
 * variable, (0, 0) in the height semiring.  The same layer is evaluated
 * in the polynomial ring, where each result entry is a sum of distinct
 * monomials with coefficient 1, so its L1 norm is exactly the number n of
 * products that reach it: the fast bound must be ceil(log2 n) (the
 * zero when n = 0), which is a valid bound and exact in this case, and
 * never above the definitional chain's bound.  Operands that are not
 * uniform, or have denominators, must take the definitional operator;
 * and sum() gets the bound of a sum of n terms. */
#include "testutil.h"

#include <string.h>

#include "fast/fast.h"
#include "kernel/conv2d_backward.h"
#include "kernel/ring_height.h"
#include "kernel/ring_poly.h"

#define CASES 200

typedef enum { FORWARD, BACKWARD_INPUT, BACKWARD_WEIGHT } conv_op;

static void run_op(int how, conv_op op, cvp_tensor_t out, const cvp_tensor_t X,
                   const cvp_tensor_t K, const cvp_tensor_t G,
                   const cvp_conv2d_params *p, cvp_fast_path *path)
{
    cvp_error err;
    cvp_status st = CVP_ERR_INPUT;
    bool fast = how != 0;
    switch (op) {
    case FORWARD:
        st = fast ? cvp_fast_conv2d(out, X, K, NULL, p, path, &err)
                  : cvp_conv2d(out, X, K, NULL, p, &err);
        break;
    case BACKWARD_INPUT:
        st = fast ? cvp_fast_conv2d_backward_input(out, X, K, G, p, path, &err)
                  : cvp_conv2d_backward_input(out, X, K, G, p, &err);
        break;
    case BACKWARD_WEIGHT:
        st = fast ? cvp_fast_conv2d_backward_weight(out, X, K, G, p, path, &err)
                  : cvp_conv2d_backward_weight(out, X, K, G, p, &err);
        break;
    }
    tu_assert_ok(st, &err);
}

/* t := a height tensor of the given shape, every entry a variable. */
static void variables_h(cvp_tensor_t t, cvp_ring *H, int rank, const size_t *shape)
{
    cvp_tensor_set_ring(t, H);
    cvp_error err;
    tu_assert_ok(cvp_tensor_resize(t, rank, shape, &err), &err);
    for (size_t k = 0; k < t->size; k++)
        cvp_height_set_variable(cvp_tensor_elem(t, k));
}

/* t := a polynomial tensor of the given shape, every entry a fresh
 * variable. */
static void variables_p(cvp_tensor_t t, cvp_ring *P, int rank, const size_t *shape)
{
    cvp_tensor_set_ring(t, P);
    cvp_error err;
    tu_assert_ok(cvp_tensor_resize(t, rank, shape, &err), &err);
    for (size_t k = 0; k < t->size; k++)
        cvp_poly_set_var(P, cvp_tensor_elem(t, k), cvp_ring_poly_add_var(P, "v"));
}

static cvp_height h_at(const cvp_tensor_t t, size_t k)
{
    return cvp_height_get(cvp_tensor_elem(t, k));
}

/* ceil(log2 n), n >= 1, by repeated doubling (independent of the code). */
static int64_t lg(unsigned long n)
{
    int64_t e = 0;
    for (unsigned long v = 1; v < n; v *= 2)
        e++;
    return e;
}

static void test_bounds_are_the_true_norms(void **state)
{
    (void)state;
    cvp_ring H, P;
    cvp_ring_height_init(&H);
    cvp_rng rng;
    cvp_rng_seed(&rng, 43);
    size_t zero_entries = 0, checked = 0;
    for (int t = 0; t < CASES; t++) {
        tu_conv_case cc;
        tu_random_conv_case(&cc, &rng);
        for (conv_op op = FORWARD; op <= BACKWARD_WEIGHT; op++) {
            cvp_ring_poly_init(&P, (size_t)1 << 20);
            cvp_tensor_t X, K, G, fast, ref, poly, pX, pK, pG;
            cvp_tensor_init(X), cvp_tensor_init(K), cvp_tensor_init(G);
            cvp_tensor_init(fast), cvp_tensor_init(ref), cvp_tensor_init(poly);
            cvp_tensor_init(pX), cvp_tensor_init(pK), cvp_tensor_init(pG);
            variables_h(X, &H, cc.rank, cc.x_shape);
            variables_h(K, &H, 4, cc.k_shape);
            variables_h(G, &H, cc.rank, cc.y_shape);
            variables_p(pX, &P, cc.rank, cc.x_shape);
            variables_p(pK, &P, 4, cc.k_shape);
            variables_p(pG, &P, cc.rank, cc.y_shape);
            cvp_fast_path path = CVP_FAST_PATH_COUNT;
            run_op(1, op, fast, X, K, G, &cc.p, &path);
            run_op(0, op, ref, X, K, G, &cc.p, NULL);
            run_op(0, op, poly, pX, pK, pG, &cc.p, NULL);
            if (path != CVP_FAST_PATH_HEIGHT)
                tu_print_conv_case(&cc);
            assert_int_equal(path, CVP_FAST_PATH_HEIGHT);
            assert_true(cvp_tensor_same_shape(fast, ref));
            assert_true(cvp_tensor_same_shape(fast, poly));
            for (size_t k = 0; k < poly->size; k++) {
                const cvp_poly *e = cvp_tensor_elem(poly, k);
                unsigned long norm = 0;
                for (size_t j = 0; j < e->len; j++) {
                    /* distinct monomials, each with coefficient 1 */
                    assert_int_equal(mpz_cmp_ui(mpq_numref(e->terms[j].coeff), 1), 0);
                    assert_int_equal(mpz_cmp_ui(mpq_denref(e->terms[j].coeff), 1), 0);
                    norm++;
                }
                cvp_height f = h_at(fast, k), r = h_at(ref, k);
                if (norm == 0) {
                    assert_int_equal(f.num_bits, CVP_HEIGHT_ZERO);
                    assert_int_equal(r.num_bits, CVP_HEIGHT_ZERO);
                    zero_entries++;
                } else {
                    if (f.num_bits != lg(norm)) {
                        tu_print_conv_case(&cc);
                        fprintf(stderr, "op %d entry %zu: %lu products, bound 2^%lld\n",
                                (int)op, k, norm, (long long)f.num_bits);
                    }
                    assert_int_equal(f.num_bits, lg(norm));
                    assert_true(f.num_bits <= r.num_bits);
                    checked++;
                }
                assert_int_equal(f.den_bits, 0);
            }
            cvp_tensor_clear(X), cvp_tensor_clear(K), cvp_tensor_clear(G);
            cvp_tensor_clear(fast), cvp_tensor_clear(ref), cvp_tensor_clear(poly);
            cvp_tensor_clear(pX), cvp_tensor_clear(pK), cvp_tensor_clear(pG);
            cvp_ring_poly_clear(&P);
        }
    }
    /* Both kinds of entry were met: some reached by no product. */
    assert_true(zero_entries > 0);
    assert_true(checked > 1000);
    assert_false(cvp_ring_height_saturated(&H));
    cvp_ring_height_clear(&H);
}

/* A tensor with a constant 1/3 (a denominator) or one entry of another
 * height is not uniform without denominators: the definitional operator
 * runs, and its result is the fast call's. */
static void test_other_operands_fall_back(void **state)
{
    (void)state;
    cvp_ring H;
    cvp_ring_height_init(&H);
    const size_t xs[4] = {1, 2, 4, 4}, ks[4] = {3, 2, 3, 3};
    cvp_conv2d_params p = cvp_conv2d_params_default();
    for (int variant = 0; variant < 2; variant++) {
        cvp_tensor_t X, K, fast, ref;
        cvp_tensor_init(X), cvp_tensor_init(K);
        cvp_tensor_init(fast), cvp_tensor_init(ref);
        variables_h(X, &H, 4, xs);
        variables_h(K, &H, 4, ks);
        mpq_t third;
        mpq_init(third);
        mpq_set_si(third, variant == 0 ? 1 : 5, variant == 0 ? 3 : 1);
        H.set_q(&H, cvp_tensor_elem(K, 4), third);
        mpq_clear(third);
        cvp_fast_path path = CVP_FAST_PATH_COUNT;
        run_op(1, FORWARD, fast, X, K, NULL, &p, &path);
        run_op(0, FORWARD, ref, X, K, NULL, &p, NULL);
        assert_int_equal(path, CVP_FAST_PATH_REFERENCE);
        for (size_t k = 0; k < ref->size; k++) {
            assert_int_equal(h_at(fast, k).num_bits, h_at(ref, k).num_bits);
            assert_int_equal(h_at(fast, k).den_bits, h_at(ref, k).den_bits);
        }
        cvp_tensor_clear(X), cvp_tensor_clear(K);
        cvp_tensor_clear(fast), cvp_tensor_clear(ref);
    }
    cvp_ring_height_clear(&H);
}

/* sum over 5 entries of heights 3, 7, zero, 2, 7: at most 4 nonzero
 * polynomials of norm <= 2^7, so 2^(7 + 2); the chain would say more. */
static void test_sum_bound(void **state)
{
    (void)state;
    cvp_ring H;
    cvp_ring_height_init(&H);
    cvp_tensor_t T, s, chain;
    cvp_tensor_init(T), cvp_tensor_init(s), cvp_tensor_init(chain);
    cvp_tensor_set_ring(T, &H);
    cvp_error err;
    tu_assert_ok(cvp_tensor_resize(T, 1, (size_t[]){5}, &err), &err);
    const int64_t bits[5] = {3, 7, CVP_HEIGHT_ZERO, 2, 7};
    for (size_t k = 0; k < 5; k++)
        *(cvp_height *)cvp_tensor_elem(T, k) = (cvp_height){bits[k], 0};
    tu_assert_ok(cvp_fast_sum_all(s, T, &err), &err);
    tu_assert_ok(cvp_tensor_sum_all(chain, T, &err), &err);
    assert_int_equal(s->rank, 0);
    assert_int_equal(h_at(s, 0).num_bits, 9);
    assert_int_equal(h_at(s, 0).den_bits, 0);
    assert_true(h_at(chain, 0).num_bits >= 9);
    /* with a denominator somewhere: the definitional chain */
    *(cvp_height *)cvp_tensor_elem(T, 3) = (cvp_height){2, 1};
    tu_assert_ok(cvp_fast_sum_all(s, T, &err), &err);
    tu_assert_ok(cvp_tensor_sum_all(chain, T, &err), &err);
    assert_int_equal(h_at(s, 0).num_bits, h_at(chain, 0).num_bits);
    assert_int_equal(h_at(s, 0).den_bits, h_at(chain, 0).den_bits);
    cvp_tensor_clear(T), cvp_tensor_clear(s), cvp_tensor_clear(chain);
    cvp_ring_height_clear(&H);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bounds_are_the_true_norms),
        cmocka_unit_test(test_other_operands_fall_back),
        cmocka_unit_test(test_sum_bound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
