/* test_ring.c -- the rings of kernel/ring.h: Q, Z/pZ, the degree semiring,
 * dual numbers and canonical polynomials, and the operators evaluated over
 * them.  Expected values are worked out by hand in the comments. */
#include "testutil.h"

#include <string.h>

#include "kernel/conv2d.h"
#include "kernel/pool.h"
#include "kernel/ring_poly.h"
#include "kernel/ring_small.h"
#include "kernel/textbook.h"

#define S(...) ((size_t[]){__VA_ARGS__})

/* Builds a polynomial ring with variables named NAME[k] for each entry of
 * a tensor of the given shape, and sets t to those variables. */
static void poly_variables(cvp_ring *R, cvp_tensor_t t, const char *name, int rank,
                           const size_t *shape)
{
    cvp_error err;
    cvp_tensor_set_ring(t, R);
    tu_assert_ok(cvp_tensor_resize(t, rank, shape, &err), &err);
    for (size_t k = 0; k < t->size; k++) {
        char label[32];
        snprintf(label, sizeof label, "%s%zu", name, k);
        cvp_poly_set_var(R, cvp_tensor_elem(t, k), cvp_ring_poly_add_var(R, label));
    }
}

static void format_entry(char *buf, size_t n, const cvp_tensor_t t, size_t k)
{
    t->ring->format(t->ring, buf, n, cvp_tensor_elem(t, k));
}

/* xcorr of W = [w0 w1] with X = [x0 x1 x2] (rank 1) is
 * [w0 x0 + w1 x1, w0 x1 + w1 x2]; printed in canonical order (degree, then
 * variable numbers: W's variables were created first). */
static void polynomial_xcorr_by_hand(void **state)
{
    (void)state;
    cvp_error err;
    cvp_ring R;
    cvp_ring_poly_init(&R, CVP_POLY_DEFAULT_MAX_TERMS);
    cvp_tensor_t W, X, Y;
    cvp_tensor_init_ring(W, &R); cvp_tensor_init_ring(X, &R); cvp_tensor_init_ring(Y, &R);
    poly_variables(&R, W, "w", 1, S(2));
    poly_variables(&R, X, "x", 1, S(3));
    tu_assert_ok(cvp_xcorr(Y, W, X, 1, 1, 1, 1, &err), &err);
    char text[256];
    format_entry(text, sizeof text, Y, 0);
    assert_string_equal(text, "w0*x0 + w1*x1");
    format_entry(text, sizeof text, Y, 1);
    assert_string_equal(text, "w0*x1 + w1*x2");
    /* Subtracting w1 adds a degree-1 term, which sorts before the
     * degree-2 ones. */
    void *e = cvp_tensor_elem(Y, 0);
    R.sub(&R, e, e, cvp_tensor_elem(W, 1));
    format_entry(text, sizeof text, Y, 0);
    assert_string_equal(text, "-w1 + w0*x0 + w1*x1");
    cvp_tensor_clear(W); cvp_tensor_clear(X); cvp_tensor_clear(Y);
    cvp_ring_poly_clear(&R);
}

/* (a + b)^2 - (a^2 + 2ab + b^2) == 0 exactly; d/da (a^2 b + 3a) = 2ab + 3. */
static void polynomial_identities_and_derivative(void **state)
{
    (void)state;
    cvp_ring R;
    cvp_ring_poly_init(&R, CVP_POLY_DEFAULT_MAX_TERMS);
    uint32_t a = cvp_ring_poly_add_var(&R, "a"), b = cvp_ring_poly_add_var(&R, "b");
    cvp_poly pa, pb, s, t, u;
    R.init(&R, &pa); R.init(&R, &pb); R.init(&R, &s); R.init(&R, &t); R.init(&R, &u);
    cvp_poly_set_var(&R, &pa, a);
    cvp_poly_set_var(&R, &pb, b);
    R.add(&R, &s, &pa, &pb);
    R.mul(&R, &s, &s, &s);                 /* (a+b)^2, aliasing */
    R.mul(&R, &t, &pa, &pa);
    R.mul(&R, &u, &pa, &pb);
    R.add(&R, &u, &u, &u);                 /* 2ab */
    R.add(&R, &t, &t, &u);
    R.mul(&R, &u, &pb, &pb);
    R.add(&R, &t, &t, &u);                 /* a^2 + 2ab + b^2 */
    assert_true(R.equal(&R, &s, &t));
    R.sub(&R, &s, &s, &t);
    assert_true(R.is_zero(&R, &s));
    assert_int_equal(cvp_poly_degree(&t), 2);
    char text[128];
    R.format(&R, text, sizeof text, &t);
    assert_string_equal(text, "a^2 + 2*a*b + b^2");
    /* a^2 b + 3 a */
    mpq_t three;
    mpq_init(three);
    mpq_set_si(three, 3, 1);
    R.mul(&R, &s, &pa, &pa);
    R.mul(&R, &s, &s, &pb);
    R.set_q(&R, &u, three);
    R.mul(&R, &u, &u, &pa);
    R.add(&R, &s, &s, &u);
    cvp_poly_derivative(&R, &t, &s, a);
    R.format(&R, text, sizeof text, &t);
    assert_string_equal(text, "3 + 2*a*b");
    cvp_poly_derivative(&R, &t, &t, b);   /* d/db (3 + 2ab) = 2a */
    R.format(&R, text, sizeof text, &t);
    assert_string_equal(text, "2*a");
    mpq_clear(three);
    R.clear(&R, &pa); R.clear(&R, &pb); R.clear(&R, &s); R.clear(&R, &t); R.clear(&R, &u);
    cvp_ring_poly_clear(&R);
}

/* Past the term limit the ring records a limit failure, which an operator
 * reports as CVP_ERR_LIMIT instead of a result. */
static void polynomial_term_limit_is_an_error(void **state)
{
    (void)state;
    cvp_error err;
    cvp_ring R;
    cvp_ring_poly_init(&R, 3);
    cvp_tensor_t A, B, C;
    cvp_tensor_init_ring(A, &R); cvp_tensor_init_ring(B, &R); cvp_tensor_init_ring(C, &R);
    poly_variables(&R, A, "a", 2, S(1, 4));
    poly_variables(&R, B, "b", 2, S(4, 1));
    /* a0 b0 + a1 b1 + a2 b2 + a3 b3 has 4 > 3 terms */
    tu_assert_fails(cvp_tensor_matmul(C, A, B, &err), &err, CVP_ERR_LIMIT,
                    "more than 3 terms");
    cvp_tensor_clear(A); cvp_tensor_clear(B); cvp_tensor_clear(C);
    cvp_ring_poly_clear(&R);
}

/* The ring bounds the term slots of all its polynomials together: with
 * max_terms 300000 the bound is max(4 * 300000, 2^20) = 1200000.  Each
 * product of two sums of 500 distinct variables has 500 * 500 = 250000
 * terms (under max_terms) in an array of 2^18 = 262144 slots (grown by
 * doubling from 4); the two factors hold 512 slots each.  Four products
 * hold 4 * 262144 + 1024 = 1049600 slots; a fifth would need 250000 more
 * (1299600 > 1200000), so it is refused and leaves its result as it was. */
static void polynomial_ring_bounds_all_its_terms(void **state)
{
    (void)state;
    cvp_ring R;
    cvp_ring_poly_init(&R, 300000);
    cvp_poly a, b, x, p[5];
    R.init(&R, &a); R.init(&R, &b); R.init(&R, &x);
    for (int k = 0; k < 500; k++) {
        char name[16];
        snprintf(name, sizeof name, "a%d", k);
        cvp_poly_set_var(&R, &x, cvp_ring_poly_add_var(&R, name));
        R.add(&R, &a, &a, &x);
        snprintf(name, sizeof name, "b%d", k);
        cvp_poly_set_var(&R, &x, cvp_ring_poly_add_var(&R, name));
        R.add(&R, &b, &b, &x);
    }
    R.clear(&R, &x);
    assert_int_equal(a.len, 500);
    assert_int_equal(b.len, 500);
    for (int k = 0; k < 5; k++) {
        R.init(&R, &p[k]);
        R.mul(&R, &p[k], &a, &b);
        if (k < 4) {
            assert_false(cvp_ring_failed(&R));
            assert_int_equal(p[k].len, 250000);
        }
    }
    assert_true(cvp_ring_failed(&R));
    assert_int_equal(p[4].len, 0);
    assert_non_null(strstr(R.failure_message, "more than 1200000 terms in all"));
    for (int k = 0; k < 5; k++)
        R.clear(&R, &p[k]);
    R.clear(&R, &a); R.clear(&R, &b);
    cvp_ring_poly_clear(&R);
}

/* Z/pZ with p = 7: 3 * 5 = 15 = 1; 2 - 5 = -3 = 4; 1/3 = 5 (3 * 5 = 15 = 1). */
static void prime_field_arithmetic(void **state)
{
    (void)state;
    cvp_ring R;
    cvp_ring_fp_init(&R, 7);
    uint64_t a, b, r;
    R.init(&R, &a); R.init(&R, &b); R.init(&R, &r);
    cvp_fp_set(&a, 3);
    cvp_fp_set(&b, 5);
    R.mul(&R, &r, &a, &b);
    assert_int_equal(cvp_fp_get(&r), 1);
    cvp_fp_set(&a, 2);
    R.sub(&R, &r, &a, &b);
    assert_int_equal(cvp_fp_get(&r), 4);
    mpq_t q;
    mpq_init(q);
    mpq_set_si(q, 1, 3);
    R.set_q(&R, &r, q);
    assert_int_equal(cvp_fp_get(&r), 5);
    mpq_set_si(q, -1, 1);
    R.set_q(&R, &r, q);
    assert_int_equal(cvp_fp_get(&r), 6);
    assert_false(cvp_ring_failed(&R));
    mpq_set_si(q, 1, 14);                   /* 14 = 0 mod 7: no inverse */
    R.set_q(&R, &r, q);
    assert_true(cvp_ring_failed(&R));
    mpq_clear(q);
    cvp_ring_fp_clear(&R);
    /* The Mersenne prime's products do not overflow: (p-1)^2 = 1 mod p. */
    cvp_ring_fp_init(&R, CVP_FP_DEFAULT_PRIME);
    cvp_fp_set(&a, CVP_FP_DEFAULT_PRIME - 1);
    R.mul(&R, &r, &a, &a);
    assert_int_equal(cvp_fp_get(&r), 1);
    cvp_ring_fp_clear(&R);
}

/* Degree bounds: conv2d of a variable input with a variable kernel has
 * degree 2; adding a bias keeps it 2; relu is refused (no order). */
static void degree_semiring_bounds_conv2d(void **state)
{
    (void)state;
    cvp_error err;
    cvp_ring R;
    cvp_ring_degree_init(&R);
    cvp_tensor_t X, K, Y;
    cvp_tensor_init_ring(X, &R); cvp_tensor_init_ring(K, &R); cvp_tensor_init_ring(Y, &R);
    tu_assert_ok(cvp_tensor_resize(X, 4, S(1, 2, 4, 4), &err), &err);
    tu_assert_ok(cvp_tensor_resize(K, 4, S(3, 2, 3, 3), &err), &err);
    for (size_t k = 0; k < X->size; k++)
        cvp_degree_set(cvp_tensor_elem(X, k), 1);
    for (size_t k = 0; k < K->size; k++)
        cvp_degree_set(cvp_tensor_elem(K, k), 1);
    cvp_conv2d_params p = cvp_conv2d_params_default();
    p.padding[0] = p.padding[1] = 1;
    tu_assert_ok(cvp_conv2d(Y, X, K, NULL, &p, &err), &err);
    for (size_t k = 0; k < Y->size; k++)
        assert_int_equal(cvp_degree_get(cvp_tensor_elem(Y, k)), 2);
    tu_assert_ok(cvp_tensor_mul(Y, Y, Y, &err), &err);
    assert_int_equal(cvp_degree_get(cvp_tensor_elem(Y, 0)), 4);
    tu_assert_fails(cvp_relu(Y, X, &err), &err, CVP_ERR_UNSUPPORTED, "ordered ring");
    cvp_pool2d_params pool = cvp_pool2d_params_default(2, 2);
    tu_assert_fails(cvp_max_pool2d(Y, X, &pool, &err), &err, CVP_ERR_UNSUPPORTED,
                    "ordered ring");
    cvp_tensor_clear(X); cvp_tensor_clear(K); cvp_tensor_clear(Y);
    cvp_ring_degree_clear(&R);
}

/* Forward-mode derivative of L = sum(G * xcorr(W, X)) with respect to X,
 * with W = [[1, 2]], X = [[3, 4, 5]], G = [[1, -1]]:
 *   L = 1*(1*3 + 2*4) - 1*(1*4 + 2*5) = 11 - 14 = -3,
 *   dL/dx0 = 1, dL/dx1 = 2 - 1 = 1, dL/dx2 = -2,
 * which is wide(rot180(W), G) = xcorr([2, 1], [0, 1, -1, 0]) = [1, 1, -2]. */
static void dual_numbers_give_the_gradient(void **state)
{
    (void)state;
    cvp_error err;
    cvp_ring R;
    cvp_ring_dual_init(&R);
    cvp_tensor_t W, X, G, Y;
    cvp_tensor_init_ring(W, &R); cvp_tensor_init_ring(X, &R);
    cvp_tensor_init_ring(G, &R); cvp_tensor_init_ring(Y, &R);
    long w[] = {1, 2}, x[] = {3, 4, 5}, g[] = {1, -1};
    mpq_t q;
    mpq_init(q);
    tu_assert_ok(cvp_tensor_resize(W, 2, S(1, 2), &err), &err);
    tu_assert_ok(cvp_tensor_resize(X, 2, S(1, 3), &err), &err);
    tu_assert_ok(cvp_tensor_resize(G, 2, S(1, 2), &err), &err);
    for (size_t k = 0; k < 2; k++) {
        mpq_set_si(q, w[k], 1);
        cvp_tensor_set_entry(W, S(0, k), q);
        mpq_set_si(q, g[k], 1);
        cvp_tensor_set_entry(G, S(0, k), q);
    }
    for (size_t k = 0; k < 3; k++) {
        mpq_set_si(q, x[k], 1);
        cvp_dual_set_seed(&R, cvp_tensor_elem(X, k), q, k);   /* x_k + e_k */
    }
    tu_assert_ok(cvp_xcorr(Y, W, X, 1, 1, 1, 1, &err), &err);
    tu_assert_ok(cvp_tensor_mul(Y, G, Y, &err), &err);
    tu_assert_ok(cvp_tensor_sum_all(Y, Y, &err), &err);
    const cvp_dual *L = cvp_tensor_elem(Y, 0);
    assert_true(mpq_cmp_si(L->value, -3, 1) == 0);
    long expected[] = {1, 1, -2};
    for (size_t k = 0; k < 3; k++) {
        cvp_dual_get_deriv(q, L, k);
        assert_true(mpq_cmp_si(q, expected[k], 1) == 0);
    }
    assert_int_equal(cvp_ring_dual_kinks(&R), 0);
    /* relu at exactly 0 with a nonzero slope is a kink. */
    mpq_set_si(q, 0, 1);
    cvp_dual_set_seed(&R, cvp_tensor_elem(X, 1), q, 1);
    tu_assert_ok(cvp_relu(Y, X, &err), &err);
    assert_int_equal(cvp_ring_dual_kinks(&R), 1);
    mpq_clear(q);
    cvp_tensor_clear(W); cvp_tensor_clear(X); cvp_tensor_clear(G); cvp_tensor_clear(Y);
    cvp_ring_dual_clear(&R);
}

/* Operators refuse operands from different rings. */
static void mixing_rings_is_an_error(void **state)
{
    (void)state;
    cvp_error err;
    cvp_ring R;
    cvp_ring_fp_init(&R, 101);
    cvp_tensor_t a, b, c;
    cvp_tensor_init(a); cvp_tensor_init_ring(b, &R); cvp_tensor_init(c);
    tu_assert_fails(cvp_tensor_add(c, a, b, &err), &err, CVP_ERR_INPUT, "different rings");
    tu_assert_fails(cvp_xcorr(c, a, b, 1, 1, 1, 1, &err), &err, CVP_ERR_INPUT,
                    "operands must be matrices");
    cvp_tensor_clear(a); cvp_tensor_clear(b); cvp_tensor_clear(c);
    cvp_ring_fp_clear(&R);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(polynomial_xcorr_by_hand),
        cmocka_unit_test(polynomial_identities_and_derivative),
        cmocka_unit_test(polynomial_term_limit_is_an_error),
        cmocka_unit_test(polynomial_ring_bounds_all_its_terms),
        cmocka_unit_test(prime_field_arithmetic),
        cmocka_unit_test(degree_semiring_bounds_conv2d),
        cmocka_unit_test(dual_numbers_give_the_gradient),
        cmocka_unit_test(mixing_rings_is_an_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
