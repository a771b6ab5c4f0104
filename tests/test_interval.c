/* test_interval.c -- cmocka tests of the MPFR interval ring
 * (kernel/ring_interval.c), jets over it (kernel/ring_jet.c), the
 * transcendental operators (kernel/analytic.c, eval/builtins_analytic.c)
 * and the bounded method (check/check_bounded.c).
 *
 * Expected values are known independently of the code: exact points
 * (sigmoid(0) = 1/2, tanh(0) = 0, exp(0) = 1, log(1) = 0, the
 * derivatives 1/4, 1, 1, 1/2 there), products and quotients of endpoints
 * worked out by hand, and decimal expansions computed separately with
 * Python's decimal module at 40 digits:
 *   exp(1/3) = 1.395612425086089528628125319602586837598
 *   log(2)   = 0.6931471805599453094172321214581765680755
 * Every containment is decided exactly, with mpq.
 */
#include "testutil.h"
#include "testutil_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/check.h"
#include "eval/eval.h"
#include "kernel/analytic.h"
#include "kernel/pool.h"
#include "kernel/ring_interval.h"
#include "kernel/ring_jet.h"
#include "lang/proof.h"

/* ---- helpers ---------------------------------------------------------- */

static void set_q_str(cvp_ring *R, cvp_interval *x, const char *q)
{
    mpq_t v;
    mpq_init(v);
    assert_int_equal(mpq_set_str(v, q, 10), 0);
    mpq_canonicalize(v);
    R->set_q(R, x, v);
    mpq_clear(v);
}

static bool contains(const cvp_interval *x, const char *q)
{
    mpq_t v;
    mpq_init(v);
    assert_int_equal(mpq_set_str(v, q, 10), 0);
    mpq_canonicalize(v);
    bool in = cvp_interval_contains_q(x, v);
    mpq_clear(v);
    return in;
}

/* lo >= a and hi <= b, for decimal strings a, b (exactly). */
static bool within(const cvp_interval *x, const char *a, const char *b)
{
    mpfr_t t;
    mpfr_init2(t, 512);
    /* 512-bit roundings outward keep the test conservative */
    mpfr_set_str(t, a, 10, MPFR_RNDU);
    bool ok = mpfr_greaterequal_p(x->lo, t);
    mpfr_set_str(t, b, 10, MPFR_RNDD);
    ok = ok && mpfr_lessequal_p(x->hi, t);
    mpfr_clear(t);
    return ok;
}

/* ---- the interval ring --------------------------------------------------- */

/* 1/3 is not a binary fraction: its enclosure has lo < 1/3 < hi, both
 * strict; 1/4 and 5 are points. */
static void test_directed_rounding_of_a_third(void **state)
{
    (void)state;
    cvp_ring R;
    cvp_ring_interval_init(&R, 64);
    cvp_interval x;
    R.init(&R, &x);
    set_q_str(&R, &x, "1/3");
    mpq_t third;
    mpq_init(third);
    mpq_set_ui(third, 1, 3);
    assert_true(mpfr_cmp_q(x.lo, third) < 0);
    assert_true(mpfr_cmp_q(x.hi, third) > 0);
    set_q_str(&R, &x, "1/4");
    assert_true(mpfr_equal_p(x.lo, x.hi) && contains(&x, "1/4"));
    set_q_str(&R, &x, "-5");
    assert_true(mpfr_equal_p(x.lo, x.hi) && contains(&x, "-5"));
    mpq_clear(third);
    R.clear(&R, &x);
    cvp_ring_interval_clear(&R);
}

/* [-1, 2] * [-3, 1/2]: the endpoint products are 3, -1/2, -6, 1, so the
 * product is [-6, 3]; [-1, 2] - [-3, 1/2] = [-3/2, 5]; -[-1, 2] = [-2, 1];
 * [1, 2] / [4, 8] = [1/8, 1/2]. */
static void test_arithmetic_by_hand(void **state)
{
    (void)state;
    cvp_ring R;
    cvp_ring_interval_init(&R, 64);
    cvp_interval a, b, r;
    R.init(&R, &a);
    R.init(&R, &b);
    R.init(&R, &r);
    mpfr_set_si(a.lo, -1, MPFR_RNDN);
    mpfr_set_si(a.hi, 2, MPFR_RNDN);
    mpfr_set_si(b.lo, -3, MPFR_RNDN);
    mpfr_set_d(b.hi, 0.5, MPFR_RNDN);
    R.mul(&R, &r, &a, &b);
    assert_true(mpfr_cmp_si(r.lo, -6) == 0 && mpfr_cmp_si(r.hi, 3) == 0);
    R.sub(&R, &r, &a, &b);
    assert_true(mpfr_cmp_d(r.lo, -1.5) == 0 && mpfr_cmp_si(r.hi, 5) == 0);
    R.neg(&R, &r, &a);
    assert_true(mpfr_cmp_si(r.lo, -2) == 0 && mpfr_cmp_si(r.hi, 1) == 0);
    R.mul(&R, &a, &a, &a);   /* aliasing: [-1, 2]^2 by endpoints = [-2, 4] */
    assert_true(mpfr_cmp_si(a.lo, -2) == 0 && mpfr_cmp_si(a.hi, 4) == 0);
    mpfr_set_si(a.lo, 1, MPFR_RNDN);
    mpfr_set_si(a.hi, 2, MPFR_RNDN);
    mpfr_set_si(b.lo, 4, MPFR_RNDN);
    mpfr_set_si(b.hi, 8, MPFR_RNDN);
    cvp_interval_div(&R, &r, &a, &b);
    assert_true(mpfr_cmp_d(r.lo, 0.125) == 0 && mpfr_cmp_d(r.hi, 0.5) == 0);
    assert_false(cvp_ring_failed(&R));
    /* a divisor around 0 cannot be divided by: undecided */
    mpfr_set_si(b.lo, -1, MPFR_RNDN);
    cvp_interval_div(&R, &r, &a, &b);
    cvp_error e;
    tu_assert_fails(cvp_ring_check(&R, &e), &e, CVP_ERR_UNSUPPORTED,
                    "the divisor may be 0");
    assert_int_equal(cvp_ring_interval_undecided(&R), 1);
    R.clear(&R, &a);
    R.clear(&R, &b);
    R.clear(&R, &r);
    cvp_ring_interval_clear(&R);
}

/* sigmoid(0) = 1/2, tanh(0) = 0, exp(0) = 1, log(1) = 0: each enclosure
 * contains the exact value, at 64 and at 256 bits. */
static void test_known_points(void **state)
{
    (void)state;
    long precs[2] = {64, 256};
    for (int p = 0; p < 2; p++) {
        cvp_ring R;
        cvp_ring_interval_init(&R, precs[p]);
        cvp_interval x, r;
        R.init(&R, &x);
        R.init(&R, &r);
        set_q_str(&R, &x, "0");
        cvp_interval_sigmoid(&R, &r, &x);
        assert_true(contains(&r, "1/2"));
        cvp_interval_tanh(&R, &r, &x);
        assert_true(contains(&r, "0"));
        cvp_interval_exp(&R, &r, &x);
        assert_true(contains(&r, "1"));
        set_q_str(&R, &x, "1");
        cvp_interval_log(&R, &r, &x);
        assert_true(contains(&r, "0"));
        /* sigmoid(1) = 0.73105857863000487925115924182183627436 */
        cvp_interval_sigmoid(&R, &r, &x);
        assert_true(within(&r, "0.731058578630004879", "0.731058578630004880"));
        assert_false(cvp_ring_failed(&R));
        R.clear(&R, &x);
        R.clear(&R, &r);
        cvp_ring_interval_clear(&R);
    }
}

/* exp(1/3) = 1.3956124250860895286281...: the enclosure at 64 bits is
 * inside [1.39561242508608952, 1.39561242508608953]; at 256 bits inside
 * the 39-digit bracket; and the 256-bit width is the smaller. */
static void test_width_shrinks_with_precision(void **state)
{
    (void)state;
    mpfr_t w64, w256;
    mpfr_inits2(64, w64, w256, (mpfr_ptr)NULL);
    long precs[2] = {64, 256};
    for (int p = 0; p < 2; p++) {
        cvp_ring R;
        cvp_ring_interval_init(&R, precs[p]);
        cvp_interval x, r;
        R.init(&R, &x);
        R.init(&R, &r);
        set_q_str(&R, &x, "1/3");
        cvp_interval_exp(&R, &r, &x);
        if (p == 0) {
            assert_true(within(&r, "1.39561242508608952", "1.39561242508608953"));
            cvp_interval_width(w64, &r);
        } else {
            assert_true(within(&r, "1.395612425086089528628125319602586837597",
                               "1.395612425086089528628125319602586837598"));
            cvp_interval_width(w256, &r);
        }
        R.clear(&R, &x);
        R.clear(&R, &r);
        cvp_ring_interval_clear(&R);
    }
    assert_true(mpfr_sgn(w256) > 0);
    assert_true(mpfr_less_p(w256, w64));
    assert_true(mpfr_cmp_ui_2exp(w64, 1, -60) < 0);
    assert_true(mpfr_cmp_ui_2exp(w256, 1, -250) < 0);
    mpfr_clears(w64, w256, (mpfr_ptr)NULL);
}

/* Disjoint intervals and equal points compare; overlapping ones are
 * undecidable, reported through the ring's failure; relu of an interval
 * around 0 fails the same way; log needs a positive argument. */
static void test_comparisons(void **state)
{
    (void)state;
    cvp_ring R;
    cvp_ring_interval_init(&R, 64);
    cvp_interval a, b;
    R.init(&R, &a);
    R.init(&R, &b);
    set_q_str(&R, &a, "1/3");
    set_q_str(&R, &b, "1/2");
    assert_true(R.cmp(&R, &a, &b) < 0);
    assert_true(R.cmp(&R, &b, &a) > 0);
    assert_true(cvp_interval_disjoint(&a, &b));
    set_q_str(&R, &a, "1/2");
    assert_int_equal(R.cmp(&R, &a, &b), 0);   /* equal points */
    assert_false(cvp_ring_failed(&R));
    /* 1/3 - 1/3 over intervals is [lo - hi, hi - lo], around 0 */
    set_q_str(&R, &a, "1/3");
    R.sub(&R, &a, &a, &a);
    assert_true(mpfr_sgn(a.lo) < 0 && mpfr_sgn(a.hi) > 0);
    set_q_str(&R, &b, "0");
    (void)R.cmp(&R, &a, &b);
    cvp_error e;
    tu_assert_fails(cvp_ring_check(&R, &e), &e, CVP_ERR_UNSUPPORTED,
                    "undecidable at 64 bits");
    assert_int_equal(cvp_ring_interval_undecided(&R), 1);
    R.clear(&R, &a);
    R.clear(&R, &b);
    cvp_ring_interval_clear(&R);

    /* relu of a tensor holding that interval */
    cvp_ring_interval_init(&R, 64);
    cvp_tensor_t t, out;
    cvp_tensor_init(t);
    tu_ints(t, 1, (size_t[]){2}, (long[]){1, 1});
    cvp_tensor_init(out);
    tu_assert_ok(cvp_tensor_lift(t, t, &R, &e), &e);
    cvp_interval *x1 = cvp_tensor_elem(t, 1);
    set_q_str(&R, x1, "1/3");
    R.sub(&R, x1, x1, x1);
    tu_assert_fails(cvp_relu(out, t, &e), &e, CVP_ERR_UNSUPPORTED, "undecidable");
    cvp_tensor_clear(t);
    cvp_tensor_clear(out);
    cvp_ring_interval_clear(&R);

    /* log: of [-2, -2] an input error, of an interval around 0 undecided */
    cvp_ring_interval_init(&R, 64);
    R.init(&R, &a);
    set_q_str(&R, &a, "-2");
    cvp_interval_log(&R, &a, &a);
    tu_assert_fails(cvp_ring_check(&R, &e), &e, CVP_ERR_INPUT, "log of a number <= 0");
    R.clear(&R, &a);
    cvp_ring_interval_clear(&R);
}

/* ---- jets ------------------------------------------------------------- */

/* At x = 0: sigmoid' = 1/4, tanh' = 1, exp' = 1; at x = 2: log' = 1/2;
 * d(a/b)/da at a = 1, b = 4 is 1/4 and d/db is -a/b^2 = -1/16. */
static void test_jet_derivatives(void **state)
{
    (void)state;
    cvp_ring R, J;
    cvp_ring_interval_init(&R, 128);
    cvp_ring_jet_init(&J, &R);
    cvp_interval v, d;
    R.init(&R, &v);
    R.init(&R, &d);
    cvp_jet x, y, r;
    J.init(&J, &x);
    J.init(&J, &y);
    J.init(&J, &r);
    set_q_str(&R, &v, "0");
    cvp_jet_set_seed(&J, &x, &v, 0);
    cvp_jet_sigmoid(&J, &r, &x);
    cvp_jet_get_deriv(&J, &d, &r, 0);
    assert_true(contains(&r.value, "1/2") && contains(&d, "1/4"));
    cvp_jet_tanh(&J, &r, &x);
    cvp_jet_get_deriv(&J, &d, &r, 0);
    assert_true(contains(&r.value, "0") && contains(&d, "1"));
    cvp_jet_exp(&J, &r, &x);
    cvp_jet_get_deriv(&J, &d, &r, 0);
    assert_true(contains(&r.value, "1") && contains(&d, "1"));
    set_q_str(&R, &v, "2");
    cvp_jet_set_seed(&J, &x, &v, 0);
    cvp_jet_log(&J, &r, &x);
    cvp_jet_get_deriv(&J, &d, &r, 0);
    assert_true(contains(&d, "1/2"));
    cvp_jet_get_deriv(&J, &d, &r, 7);   /* no tangent 7: zero */
    assert_true(mpfr_zero_p(d.lo) && mpfr_zero_p(d.hi));
    set_q_str(&R, &v, "1");
    cvp_jet_set_seed(&J, &x, &v, 0);
    set_q_str(&R, &v, "4");
    cvp_jet_set_seed(&J, &y, &v, 1);
    cvp_jet_div(&J, &r, &x, &y);
    assert_true(contains(&r.value, "1/4"));
    cvp_jet_get_deriv(&J, &d, &r, 0);
    assert_true(contains(&d, "1/4"));
    cvp_jet_get_deriv(&J, &d, &r, 1);
    assert_true(contains(&d, "-1/16"));
    /* equal values, different slopes: a kink */
    set_q_str(&R, &v, "3");
    cvp_jet_set_seed(&J, &x, &v, 0);
    cvp_jet_set_seed(&J, &y, &v, 1);
    assert_int_equal(J.cmp(&J, &x, &y), 0);
    assert_int_equal(cvp_ring_jet_kinks(&J), 1);
    assert_false(cvp_ring_failed(&J));
    J.clear(&J, &x);
    J.clear(&J, &y);
    J.clear(&J, &r);
    R.clear(&R, &v);
    R.clear(&R, &d);
    cvp_ring_jet_clear(&J);
    cvp_ring_interval_clear(&R);
}

/* ---- softmax and cross-entropy ------------------------------------------ */

/* softmax([0, 0]) = [1/2, 1/2]; cross_entropy([[0, 0]], [[1, 0]]) =
 * log 2 = 0.69314718055994530941723...; over Q both fail with the
 * message that names the bounded method. */
static void test_softmax_and_cross_entropy(void **state)
{
    (void)state;
    cvp_ring R;
    cvp_ring_interval_init(&R, 256);
    cvp_error e;
    cvp_tensor_t z, y, out;
    cvp_tensor_init(z);
    cvp_tensor_init(y);
    cvp_tensor_init(out);
    tu_ints(z, 2, (size_t[]){1, 2}, (long[]){0, 0});
    tu_ints(y, 2, (size_t[]){1, 2}, (long[]){1, 0});
    tu_assert_fails(cvp_softmax(out, z, 1, &e), &e, CVP_ERR_UNSUPPORTED,
                    "transcendental: use `bounded`");
    tu_assert_fails(cvp_cross_entropy(out, z, y, &e), &e, CVP_ERR_UNSUPPORTED,
                    "transcendental: use `bounded`");
    tu_assert_ok(cvp_tensor_lift(z, z, &R, &e), &e);
    tu_assert_ok(cvp_tensor_lift(y, y, &R, &e), &e);
    tu_assert_ok(cvp_softmax(out, z, 1, &e), &e);
    assert_true(contains(cvp_tensor_elem(out, 0), "1/2"));
    assert_true(contains(cvp_tensor_elem(out, 1), "1/2"));
    tu_assert_ok(cvp_cross_entropy(out, z, y, &e), &e);
    assert_int_equal(out->rank, 0);
    assert_true(within(cvp_tensor_elem(out, 0), "0.69314718055994530941723212145817656807",
                       "0.69314718055994530941723212145817656808"));
    cvp_tensor_clear(z);
    cvp_tensor_clear(y);
    cvp_tensor_clear(out);
    cvp_ring_interval_clear(&R);
}

/* ---- the method --------------------------------------------------------- */

/* The only claim of `text`, checked with the default options. */
static const cvp_claim_result *run_text(tu_check_run *r, const char *text)
{
    tu_run_text(r, text);
    return tu_only_claim(r);
}

#define SIGMOID_CLAIM(rhs, by) \
    "claim \"sigmoid'\" {\n" \
    "  tensor Z[2]\n" \
    "  show grad(sum(sigmoid(Z)), Z) == " rhs "\n" \
    "  by " by "\n" \
    "}\n"

/* sigmoid' = s(1 - s) holds: the evidence names precision and bound. */
static void test_method_true_identity_passes(void **state)
{
    (void)state;
    tu_check_run r;
    const cvp_claim_result *c =
        run_text(&r, SIGMOID_CLAIM("sigmoid(Z) * (1 - sigmoid(Z))", "bounded"));
    /* bounded encloses rigorously, but only at the instances it draws */
    assert_int_equal(c->outcome, CVP_OUTCOME_TESTED);
    assert_int_equal(c->methods[0].outcome, CVP_OUTCOME_PASSED);
    assert_int_equal(c->methods[0].method, CVP_METHOD_BOUNDED);
    assert_int_equal(c->methods[0].instances, 3);
    tu_assert_contains(c->methods[0].evidence,
                    "enclosures at 256 bits overlap with width < 2^-200 at 3 instances");
    tu_run_clear(&r);
}

/* sigmoid' = s(1 + s) is false everywhere (s > 0, so s(1+s) > s(1-s)):
 * disjoint enclosures refute it, and shrinking reaches Z = [0, 0], where
 * the sides are 1/4 and 3/4. */
static void test_method_false_identity_fails(void **state)
{
    (void)state;
    tu_check_run r;
    const cvp_claim_result *c =
        run_text(&r, SIGMOID_CLAIM("sigmoid(Z) * (1 + sigmoid(Z))", "bounded"));
    assert_int_equal(c->outcome, CVP_OUTCOME_FAILED);
    const cvp_counterexample *cx = c->methods[0].counterexample;
    assert_non_null(cx);
    assert_int_equal(cx->input_count, 1);
    assert_string_equal(cx->input_names[0], "Z");
    tu_assert_contains(cx->input_values[0], "[0, 0]");
    tu_assert_contains(cx->differences, "entry [0]: 0.25 and 0.75 are disjoint");
    assert_int_equal(cx->show_line, 3);
    tu_run_clear(&r);
}

/* At 16 bits the enclosures cannot be 2^-200 narrow: not decided, and the
 * reason suggests a higher precision. */
static void test_method_too_wide_is_undecided(void **state)
{
    (void)state;
    tu_check_run r;
    const cvp_claim_result *c = run_text(
        &r, SIGMOID_CLAIM("sigmoid(Z) * (1 - sigmoid(Z))", "bounded(prec=16)"));
    assert_int_equal(c->outcome, CVP_OUTCOME_UNDECIDED);
    assert_int_equal(c->methods[0].outcome, CVP_OUTCOME_UNDECIDED);
    tu_assert_contains(c->methods[0].reason, "not decided at 16 bits");
    tu_assert_contains(c->methods[0].reason, "bounded(prec=32)");
    tu_run_clear(&r);
    /* ... while a tolerance of 2^-8 is met at 16 bits */
    c = run_text(&r, SIGMOID_CLAIM("sigmoid(Z) * (1 - sigmoid(Z))",
                                   "bounded(prec=16, tol=8)"));
    assert_int_equal(c->outcome, CVP_OUTCOME_TESTED);
    tu_assert_contains(c->methods[0].evidence, "at 16 bits overlap with width < 2^-8");
    tu_run_clear(&r);
}

/* The exact methods do not apply to transcendental functions, and say
 * which method does; bounded decides sigmoid(-z) = 1 - sigmoid(z). */
static void test_other_methods_not_applicable(void **state)
{
    (void)state;
    tu_check_run r;
    const char *text = "claim \"sigmoid is odd about 1/2\" {\n"
                       "  tensor Z[2, 2]\n"
                       "  show sigmoid(-Z) == 1 - sigmoid(Z)\n"
                       "  by exact, symbolic, random\n"
                       "}\n";
    const cvp_claim_result *c = run_text(&r, text);
    assert_int_equal(c->outcome, CVP_OUTCOME_UNDECIDED);
    assert_int_equal(c->method_count, 3);
    for (size_t k = 0; k < 3; k++) {
        assert_int_equal(c->methods[k].outcome, CVP_OUTCOME_NOT_APPLICABLE);
        tu_assert_contains(c->methods[k].reason, "sigmoid: transcendental: use `bounded`");
    }
    tu_run_clear(&r);
    char *bounded = strdup(text);
    memcpy(strstr(bounded, "by exact, symbolic, random"), "by bounded\n}\n\0", 14);
    c = run_text(&r, bounded);
    assert_int_equal(c->outcome, CVP_OUTCOME_TESTED);
    tu_run_clear(&r);
    free(bounded);
}

/* A ReLU whose input enclosure straddles 0 cannot be decided. */
static void test_method_undecidable_order(void **state)
{
    (void)state;
    tu_check_run r;
    const cvp_claim_result *c = run_text(
        &r, "claim \"relu of a rounding error\" {\n"
            "  tensor Z[1] values 1..1\n"
            "  show relu(Z / 3 - Z / 3) == 0 * Z\n"
            "  by bounded\n"
            "}\n");
    assert_int_equal(c->outcome, CVP_OUTCOME_UNDECIDED);
    tu_assert_contains(c->methods[0].reason, "undecidable at 256 bits");
    tu_run_clear(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_directed_rounding_of_a_third),
        cmocka_unit_test(test_arithmetic_by_hand),
        cmocka_unit_test(test_known_points),
        cmocka_unit_test(test_width_shrinks_with_precision),
        cmocka_unit_test(test_comparisons),
        cmocka_unit_test(test_jet_derivatives),
        cmocka_unit_test(test_softmax_and_cross_entropy),
        cmocka_unit_test(test_method_true_identity_passes),
        cmocka_unit_test(test_method_false_identity_fails),
        cmocka_unit_test(test_method_too_wide_is_undecided),
        cmocka_unit_test(test_other_methods_not_applicable),
        cmocka_unit_test(test_method_undecidable_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
