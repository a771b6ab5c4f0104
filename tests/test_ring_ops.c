/* test_ring_ops.c -- the element operations of each ring one by one,
 * through the ring's table (kernel/ring.h, kernel/ring_small.h), the
 * failure record and the cost counter of every ring, and the error
 * records of kernel/status.h.  The operators' tests (test_ring.c,
 * test_conv2d.c, ...) reach most operations only inside loop nests; here
 * each is called on values worked out by hand, including the corner cases
 * (wrap-around mod p, the zero of the degree semiring, aliasing, equal
 * values with different slopes). */
#include "testutil.h"

#include <string.h>

#include "kernel/ring_poly.h"
#include "kernel/ring_small.h"

/* ---- Q ----------------------------------------------------------------- */

static void q_operations(void **state)
{
    (void)state;
    cvp_ring *R = &cvp_ring_q;
    mpq_t a, b;
    mpq_inits(a, b, NULL);
    cvp_ring_set_si(R, a, -7);
    assert_int_equal(mpq_cmp_si(a, -7, 1), 0);
    assert_false(R->is_zero(R, a));
    cvp_ring_set_si(R, b, 0);
    assert_true(R->is_zero(R, b));
    char buf[32];
    mpq_set_si(a, -2, 6);
    mpq_canonicalize(a);
    R->format(R, buf, sizeof buf, a);
    assert_string_equal(buf, "-1/3");
    assert_true(R->cmp(R, a, b) < 0);           /* -1/3 < 0 */
    assert_true(R->cmp(R, b, a) > 0);
    mpq_clears(a, b, NULL);
}

/* ---- Z/pZ with p = 7 ------------------------------------------------- */

static void fp_operations(void **state)
{
    (void)state;
    cvp_ring R;
    cvp_ring_fp_init(&R, 7);
    assert_int_equal(cvp_ring_fp_modulus(&R), 7);
    uint64_t a, b, r;
    R.init(&R, &a);
    R.init(&R, &b);
    R.init(&R, &r);
    cvp_fp_set(&a, 2);
    cvp_fp_set(&b, 5);
    R.sub(&R, &r, &a, &b);                      /* 2 - 5 = -3 = 4 mod 7 */
    assert_int_equal(cvp_fp_get(&r), 4);
    R.sub(&R, &r, &b, &a);                      /* 5 - 2 = 3 */
    assert_int_equal(cvp_fp_get(&r), 3);
    R.neg(&R, &r, &a);                          /* -2 = 5 */
    assert_int_equal(cvp_fp_get(&r), 5);
    cvp_fp_set(&a, 0);
    R.neg(&R, &r, &a);                          /* -0 = 0, not 7 */
    assert_int_equal(cvp_fp_get(&r), 0);
    assert_true(R.is_zero(&R, &r));
    cvp_fp_set(&a, 3);
    assert_true(R.equal(&R, &a, &r) == false);
    R.mul(&R, &r, &a, &b);                      /* 15 = 1 mod 7 */
    assert_int_equal(cvp_fp_get(&r), 1);
    assert_false(R.is_zero(&R, &r));
    cvp_fp_set(&a, 1);
    assert_true(R.equal(&R, &a, &r));
    char buf[32];
    R.format(&R, buf, sizeof buf, &b);
    assert_string_equal(buf, "5 (mod 7)");
    mpq_t q;
    mpq_init(q);
    mpq_set_si(q, -1, 2);                       /* -1/2 = -4 = 3 mod 7 */
    R.set_q(&R, &r, q);
    assert_int_equal(cvp_fp_get(&r), 3);
    assert_false(cvp_ring_failed(&R));
    mpq_clear(q);
    R.clear(&R, &a);
    R.clear(&R, &b);
    R.clear(&R, &r);
    cvp_ring_fp_clear(&R);
}

/* ---- the degree semiring --------------------------------------------- */

static void degree_operations(void **state)
{
    (void)state;
    cvp_ring R;
    cvp_ring_degree_init(&R);
    long a, b, r;
    R.init(&R, &a);
    assert_int_equal(cvp_degree_get(&a), CVP_DEGREE_ZERO);
    assert_true(R.is_zero(&R, &a));
    R.init(&R, &b);
    R.init(&R, &r);
    cvp_degree_set(&a, 2);
    cvp_degree_set(&b, 3);
    R.mul(&R, &r, &a, &b);                      /* x^2 * x^3: degree 5 */
    assert_int_equal(cvp_degree_get(&r), 5);
    R.add(&R, &r, &a, &b);                      /* max(2, 3) */
    assert_int_equal(cvp_degree_get(&r), 3);
    cvp_degree_set(&b, CVP_DEGREE_ZERO);
    R.mul(&R, &r, &a, &b);                      /* anything * 0 = 0 */
    assert_int_equal(cvp_degree_get(&r), CVP_DEGREE_ZERO);
    R.neg(&R, &r, &a);                          /* -p has p's degree */
    assert_int_equal(cvp_degree_get(&r), 2);
    assert_true(R.equal(&R, &r, &a));
    assert_false(R.equal(&R, &r, &b));
    assert_false(R.is_zero(&R, &r));
    char buf[32];
    R.format(&R, buf, sizeof buf, &a);
    assert_string_equal(buf, "degree <= 2");
    R.format(&R, buf, sizeof buf, &b);
    assert_string_equal(buf, "zero");
    cvp_ring_degree_clear(&R);
}

/* ---- dual numbers ------------------------------------------------------ */

static void dual_operations(void **state)
{
    (void)state;
    cvp_ring R;
    cvp_ring_dual_init(&R);
    assert_true(cvp_ring_is_dual(&R));
    assert_false(cvp_ring_is_dual(&cvp_ring_q));
    cvp_dual x, y, r;
    R.init(&R, &x);
    R.init(&R, &y);
    R.init(&R, &r);
    mpq_t v, d;
    mpq_inits(v, d, NULL);
    mpq_set_si(v, 3, 1);
    cvp_dual_set_seed(&R, &x, v, 0);            /* x = 3 + e0 */
    mpq_set_si(v, 3, 1);
    cvp_dual_set_seed(&R, &y, v, 1);            /* y = 3 + e1 */

    R.neg(&R, &r, &x);                          /* -3 - e0 */
    assert_int_equal(mpq_cmp_si(r.value, -3, 1), 0);
    cvp_dual_get_deriv(d, &r, 0);
    assert_int_equal(mpq_cmp_si(d, -1, 1), 0);
    cvp_dual_get_deriv(d, &r, 1);
    assert_int_equal(mpq_sgn(d), 0);

    R.set(&R, &r, &r);                          /* aliasing: no change */
    assert_int_equal(mpq_cmp_si(r.value, -3, 1), 0);
    assert_int_equal(r.len, 1);

    /* Equality needs the value and every slope. */
    assert_false(R.equal(&R, &x, &y));          /* same value, e0 vs e1 */
    assert_false(R.equal(&R, &x, &r));          /* other value */
    R.set(&R, &r, &x);
    assert_true(R.equal(&R, &x, &r));
    R.add(&R, &r, &x, &x);                      /* 6 + 2 e0 */
    R.sub(&R, &r, &r, &x);                      /* back to 3 + e0 */
    assert_true(R.equal(&R, &r, &x));
    R.mul(&R, &r, &x, &y);                      /* 9 + 3 e0 + 3 e1 */
    cvp_dual_get_deriv(d, &r, 1);
    assert_int_equal(mpq_cmp_si(d, 3, 1), 0);
    cvp_dual z;
    R.init(&R, &z);
    R.set(&R, &z, &r);
    mpq_set_si(v, 9, 1);
    cvp_dual_set_seed(&R, &z, v, 0);            /* 9 + e0: slope 1, not 3 */
    assert_false(R.equal(&R, &z, &r));
    R.clear(&R, &z);

    /* Zero: value 0 and no slope. */
    R.sub(&R, &r, &x, &x);
    assert_true(R.is_zero(&R, &r));
    mpq_set_si(v, 0, 1);
    cvp_dual_set_seed(&R, &r, v, 2);            /* 0 + e2 is not zero */
    assert_false(R.is_zero(&R, &r));

    /* Comparing equal values with different slopes is a kink; equal
     * slopes or different values are not. */
    assert_int_equal(cvp_ring_dual_kinks(&R), 0);
    assert_int_equal(R.cmp(&R, &x, &y), 0);
    assert_int_equal(cvp_ring_dual_kinks(&R), 1);
    assert_int_equal(R.cmp(&R, &x, &x), 0);
    assert_int_equal(cvp_ring_dual_kinks(&R), 1);
    assert_true(R.cmp(&R, &x, &r) > 0);         /* 3 > 0 */
    assert_int_equal(cvp_ring_dual_kinks(&R), 1);

    char buf[64];
    R.mul(&R, &r, &x, &y);
    R.format(&R, buf, sizeof buf, &r);
    assert_string_equal(buf, "9 + 3 e0 + 3 e1");
    R.format(&R, buf, 6, &r);                   /* cut, NUL-terminated */
    assert_string_equal(buf, "9 + 3");

    mpq_clears(v, d, NULL);
    R.clear(&R, &x);
    R.clear(&R, &y);
    R.clear(&R, &r);
    cvp_ring_dual_clear(&R);
}

/* ---- polynomials ---------------------------------------------------- */

static void poly_operations(void **state)
{
    (void)state;
    cvp_ring R;
    cvp_ring_poly_init(&R, 100);
    uint32_t x = cvp_ring_poly_add_var(&R, "x");
    uint32_t y = cvp_ring_poly_add_var(&R, "y");
    assert_int_equal(cvp_ring_poly_var_count(&R), 2);
    cvp_poly px, py, a, b;
    R.init(&R, &px);
    R.init(&R, &py);
    R.init(&R, &a);
    R.init(&R, &b);
    cvp_poly_set_var(&R, &px, x);
    cvp_poly_set_var(&R, &py, y);
    char buf[64];
    mpq_t q;
    mpq_init(q);

    R.format(&R, buf, sizeof buf, &a);          /* the zero polynomial */
    assert_string_equal(buf, "0");
    assert_true(cvp_poly_get_constant(q, &a));
    assert_int_equal(mpq_sgn(q), 0);

    mpq_set_si(q, -5, 2);
    R.set_q(&R, &a, q);                         /* a = -5/2 */
    mpq_set_si(q, 0, 1);
    assert_true(cvp_poly_get_constant(q, &a));
    assert_int_equal(mpq_cmp_si(q, -5, 2), 0);
    assert_false(cvp_poly_get_constant(q, &px));

    /* x - y: the second term is written with " - ". */
    R.sub(&R, &b, &px, &py);
    R.format(&R, buf, sizeof buf, &b);
    assert_string_equal(buf, "x - y");
    R.format(&R, buf, 0, &b);                   /* no room: nothing written */

    /* (x - y)(x + y) = x^2 - y^2: the cross terms x*y - y*x cancel
     * inside the product's canonical form. */
    R.add(&R, &a, &px, &py);
    R.mul(&R, &a, &a, &b);
    R.format(&R, buf, sizeof buf, &a);
    assert_string_equal(buf, "x^2 - y^2");
    assert_int_equal(a.len, 2);

    /* (x - y)(y - x) = -x^2 + 2xy - y^2: no cancellation, a middle term
     * collected from two products. */
    R.neg(&R, &b, &b);                          /* y - x */
    R.sub(&R, &a, &px, &py);
    R.mul(&R, &a, &a, &b);
    assert_int_equal(a.len, 3);
    assert_int_equal(cvp_poly_degree(&a), 2);

    /* x - x cancels to the zero polynomial (the last term dropped). */
    R.sub(&R, &a, &px, &px);
    assert_true(R.is_zero(&R, &a));
    assert_int_equal(a.len, 0);

    mpq_clear(q);
    R.clear(&R, &px);
    R.clear(&R, &py);
    R.clear(&R, &a);
    R.clear(&R, &b);
    cvp_ring_poly_clear(&R);
}

/* A product whose terms pass CVP_POLY_MAX_DEGREE factors is a limit,
 * recorded in the ring, never a truncated polynomial taken for exact. */
static void poly_degree_limit(void **state)
{
    (void)state;
    cvp_ring R;
    cvp_ring_poly_init(&R, 100);
    uint32_t x = cvp_ring_poly_add_var(&R, "x");
    cvp_poly p, r;
    R.init(&R, &p);
    R.init(&R, &r);
    cvp_poly_set_var(&R, &p, x);
    R.set(&R, &r, &p);
    for (int k = 1; k < CVP_POLY_MAX_DEGREE; k++)
        R.mul(&R, &r, &r, &p);                  /* x^16: still allowed */
    assert_false(cvp_ring_failed(&R));
    assert_int_equal(cvp_poly_degree(&r), CVP_POLY_MAX_DEGREE);
    R.mul(&R, &r, &r, &p);                      /* x^17 */
    assert_true(cvp_ring_failed(&R));
    cvp_error err;
    assert_int_equal(cvp_ring_check(&R, &err), CVP_ERR_LIMIT);
    R.clear(&R, &p);
    R.clear(&R, &r);
    cvp_ring_poly_clear(&R);
}

/* ---- the shape-only ring ----------------------------------------------- */

static void shape_ring_operations(void **state)
{
    (void)state;
    cvp_ring R;
    cvp_ring_shape_init(&R);
    assert_true(R.shape_only);
    unsigned char a, b;
    R.init(&R, &a);
    R.init(&R, &b);
    assert_false(R.is_zero(&R, &a));   /* a placeholder is never known 0 */
    assert_true(R.equal(&R, &a, &b));
    char buf[8];
    R.format(&R, buf, sizeof buf, &a);
    assert_string_equal(buf, "?");
}

/* ---- failures and the cost counter ----------------------------------- */

static void first_failure_is_kept(void **state)
{
    (void)state;
    cvp_ring R;
    cvp_ring_fp_init(&R, 7);
    cvp_error err;
    assert_int_equal(cvp_ring_check(&R, &err), CVP_OK);
    cvp_ring_fail(&R, CVP_ERR_LIMIT, "first %d", 1);
    cvp_ring_fail(&R, CVP_ERR_INPUT, "second");
    assert_true(cvp_ring_failed(&R));
    assert_int_equal(cvp_ring_check(&R, &err), CVP_ERR_LIMIT);
    assert_string_equal(err.message, "first 1");
    cvp_ring_fp_clear(&R);
}

static void mults_saturate(void **state)
{
    (void)state;
    cvp_ring R;
    cvp_ring_shape_init(&R);
    size_t f[3] = {1000, 1000, 1000};
    cvp_ring_note_mults(&R, 3, f);               /* 10^9 */
    assert_int_equal(R.model_mults, 1000000000);
    assert_false(R.mults_overflow);
    /* A product over 2^64: (2^32)^3. */
    size_t big[3] = {(size_t)1 << 32, (size_t)1 << 32, (size_t)1 << 32};
    cvp_ring_note_mults(&R, 3, big);
    assert_true(R.model_mults == UINT64_MAX);
    assert_true(R.mults_overflow);
    /* A sum over 2^64 from products that fit: 2^63 + 2^63. */
    cvp_ring S;
    cvp_ring_shape_init(&S);
    size_t half[2] = {(size_t)1 << 32, (size_t)1 << 31};
    cvp_ring_note_mults(&S, 2, half);
    assert_false(S.mults_overflow);
    cvp_ring_note_mults(&S, 2, half);
    assert_true(S.model_mults == UINT64_MAX);
    assert_true(S.mults_overflow);
}

/* ---- error records ------------------------------------------------------ */

static void error_records(void **state)
{
    (void)state;
    cvp_error_clear(NULL);                       /* allowed */
    cvp_error_prefix(NULL, "x");                 /* allowed */
    assert_int_equal(cvp_error_set(NULL, CVP_ERR_INPUT, "lost"), CVP_ERR_INPUT);
    cvp_error err;
    cvp_error_set(&err, CVP_ERR_INPUT, "bad %s", "shape");
    cvp_error_prefix(&err, "argument %d", 2);
    assert_string_equal(err.message, "argument 2: bad shape");
    assert_int_equal(err.status, CVP_ERR_INPUT);
    /* A prefix that fills the buffer: the result is cut, NUL-terminated. */
    char longp[CVP_ERROR_MESSAGE_MAX + 10];
    memset(longp, 'p', sizeof longp - 1);
    longp[sizeof longp - 1] = '\0';
    cvp_error_prefix(&err, "%s", longp);
    assert_int_equal(strlen(err.message), CVP_ERROR_MESSAGE_MAX - 1);
    assert_int_equal(err.message[0], 'p');
    cvp_error_clear(&err);
    assert_int_equal(err.status, CVP_OK);
    assert_string_equal(err.message, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(q_operations),
        cmocka_unit_test(fp_operations),
        cmocka_unit_test(degree_operations),
        cmocka_unit_test(dual_operations),
        cmocka_unit_test(poly_operations),
        cmocka_unit_test(poly_degree_limit),
        cmocka_unit_test(shape_ring_operations),
        cmocka_unit_test(first_failure_is_kept),
        cmocka_unit_test(mults_saturate),
        cmocka_unit_test(error_records),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
