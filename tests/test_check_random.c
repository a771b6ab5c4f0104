/* test_check_random.c -- the `random` method's soundness (check_random.c,
 * kernel/ring_height.h, kernel/prime.h): predictable primes only with a
 * fixed seed, the content term of the error bound, and primes that divide
 * a constant's denominator.
 *
 * The primes a run draws are recomputed here from the seed the same way
 * check_random.c draws them (check_mix_seed, then cvp_random_prime), so a
 * claim can be built around them: X * P == 0 * X with P their product is
 * false, yet vanishes mod each of them. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/check.h"
#include "check/check_internal.h"
#include "check/verdict.h"
#include "kernel/prime.h"
#include "kernel/ring_height.h"
#include "lang/proof.h"

/* The prime of point `trial` at shape 0 of claim 0, under `seed`. */
static uint64_t drawn_prime(uint64_t seed, long trial)
{
    claim_context c;
    memset(&c, 0, sizeof c);
    c.seed = seed;
    cvp_rng rng;
    cvp_rng_seed(&rng, check_mix_seed(&c, CVP_METHOD_RANDOM, 0, trial));
    return cvp_random_prime(&rng);
}

/* Checks the one claim of `text` with `random` only; returns its result
 * (owned by *report). */
static const cvp_method_result *run_random(cvp_report *report, cvp_proof_file *file,
                                           const char *text, uint64_t seed, bool fixed)
{
    cvp_lang_error err;
    cvp_lang_error_clear(&err);
    cvp_proof_file_init(file);
    if (cvp_proof_parse(file, text, strlen(text), "t.proof", &err) != CVP_OK)
        fail_msg("does not parse: %s", err.message);
    cvp_check_options o;
    cvp_check_options_default(&o);
    o.seed = seed;
    o.seed_fixed = fixed;
    cvp_report_init(report, "test", seed);
    if (cvp_check_file(report, file, &o, &err) != CVP_OK)
        fail_msg("check failed: %s", err.message);
    assert_int_equal(report->claim_count, 1);
    assert_int_equal(report->claims[0].method_count, 1);
    return &report->claims[0].methods[0];
}

static void assert_contains(const char *text, const char *fragment)
{
    if (text == NULL || strstr(text, fragment) == NULL)
        fail_msg("\"%s\" not in \"%s\"", fragment, text ? text : "(null)");
}

/* "claim ... show X * P == 0 * X by random" with P = p0 * p1 in decimal;
 * *bits gets the number of binary digits of P. */
static char *product_claim(uint64_t p0, uint64_t p1, size_t *bits)
{
    mpz_t P;
    mpz_init_set_ui(P, (unsigned long)p0);
    mpz_mul_ui(P, P, (unsigned long)p1);
    *bits = mpz_sizeinbase(P, 2);
    char *digits = mpz_get_str(NULL, 10, P);
    char *text = NULL;
    cvp_set_textf(&text, "claim \"p\" {\n  tensor X[1]\n  show X * %s == 0 * X\n"
                  "  by random\n}\n", digits);
    free(digits);
    mpz_clear(P);
    return text;
}

static void fixed_seed_primes_are_predictable_and_said_so(void **state)
{
    (void)state;
    size_t bits;
    char *text = product_claim(drawn_prime(1, 0), drawn_prime(1, 1), &bits);
    cvp_report report;
    cvp_proof_file file;
    const cvp_method_result *m = run_random(&report, &file, text, 1, true);
    /* Both points vanish mod their prime: the false claim passes, which
     * is why a fixed seed is stated in the evidence. */
    assert_int_equal(m->outcome, CVP_OUTCOME_PASSED);
    assert_contains(m->evidence, "fixed seed 1: the primes and points were "
                                 "predictable");
    /* The content term: the numerator of X * P - 0 is P x, whose
     * coefficient P (not a power of two) has ceil(log2 P) = bits binary
     * digits; the bound is lg P + 0 + 1 (ring_height.h), and P has
     * floor((bits + 1) / 60) = 2 prime factors >= 2^60 at most. */
    char want[128];
    snprintf(want, sizeof want, "at most 2^%zu, which have at most k = 2 prime "
             "factors", bits + 1);
    assert_contains(m->evidence, want);
    assert_contains(m->evidence, "d = 1 ");
    cvp_report_clear(&report);
    cvp_proof_file_clear(&file);
    free(text);
}

static void entropy_seed_refutes_the_product_of_primes(void **state)
{
    (void)state;
    size_t bits;
    char *text = product_claim(drawn_prime(1, 0), drawn_prime(1, 1), &bits);
    uint64_t seed;
    assert_true(cvp_rng_entropy_seed(&seed));
    cvp_report report;
    cvp_proof_file file;
    const cvp_method_result *m = run_random(&report, &file, text, seed, false);
    /* fails unless the fresh seed drew p0 or p1 again (chance ~ 2^-53) */
    assert_int_equal(m->outcome, CVP_OUTCOME_FAILED);
    assert_non_null(m->counterexample);
    cvp_report_clear(&report);
    cvp_proof_file_clear(&file);
    free(text);
}

static void a_prime_dividing_a_denominator_is_redrawn(void **state)
{
    (void)state;
    /* q is exactly the prime of the first point: X / q has no value mod
     * q, so that prime is replaced, not counted as a failure. */
    uint64_t q = drawn_prime(1, 0);
    char text[256];
    snprintf(text, sizeof text, "claim \"q\" {\n  tensor X[2]\n"
             "  show X / %llu == X / %llu\n  by random\n}\n",
             (unsigned long long)q, (unsigned long long)q);
    cvp_report report;
    cvp_proof_file file;
    const cvp_method_result *m = run_random(&report, &file, text, 1, true);
    assert_int_equal(m->outcome, CVP_OUTCOME_PASSED);
    assert_int_equal(m->instances, 2);
    assert_contains(m->evidence, "; 1 primes that divided a constant's denominator "
                                 "were replaced");
    /* two constants 1/q (one per side), q of 61 binary digits: 122 bits,
     * so e = floor(122 / 60) = 2 primes excluded */
    assert_contains(m->evidence, "exclude at most e = 2 primes");
    cvp_report_clear(&report);
    cvp_proof_file_clear(&file);
}

static void a_zero_denominator_is_not_a_pass(void **state)
{
    (void)state;
    /* X / (2 - 2): no prime helps; the evaluation in Q fails too. */
    cvp_report report;
    cvp_proof_file file;
    cvp_lang_error err;
    cvp_lang_error_clear(&err);
    const char *text = "claim \"z\" {\n  tensor X[1]\n  show X / (2 - 2) == X\n"
                       "  by random\n}\n";
    cvp_proof_file_init(&file);
    assert_int_equal(cvp_proof_parse(&file, text, strlen(text), "t.proof", &err), CVP_OK);
    cvp_check_options o;
    cvp_check_options_default(&o);
    cvp_report_init(&report, "test", 1);
    cvp_status st = cvp_check_file(&report, &file, &o, &err);
    assert_true(st != CVP_OK || report.claims[0].outcome != CVP_OUTCOME_PASSED);
    cvp_report_clear(&report);
    cvp_proof_file_clear(&file);
}

/* X ** 256 eight times over has degree 2^64, which once wrapped around
 * to 0 in a long and was stated as "both sides are constants (degree 0)
 * ... with no probability of error".  The bound saturates at 2^62 and the
 * method is left undecided; the power itself is never computed in Q. */
static void a_degree_past_a_long_saturates(void **state)
{
    (void)state;
    cvp_report report;
    cvp_proof_file file;
    cvp_lang_error err;
    cvp_lang_error_clear(&err);
    const char *text =
        "claim \"tower\" {\n  tensor X[1]\n"
        "  let A = (((((((X ** 256) ** 256) ** 256) ** 256) ** 256) ** 256) ** 256) ** 256\n"
        "  show A * X == X\n  by random\n}\n";
    cvp_proof_file_init(&file);
    assert_int_equal(cvp_proof_parse(&file, text, strlen(text), "t.proof", &err), CVP_OK);
    cvp_check_options o;
    cvp_check_options_default(&o);
    cvp_report_init(&report, "test", 1);
    assert_int_equal(cvp_check_file(&report, &file, &o, &err), CVP_OK);
    const cvp_claim_result *c = &report.claims[0];
    assert_int_equal(c->outcome, CVP_OUTCOME_UNDECIDED);
    assert_int_equal(c->methods[0].outcome, CVP_OUTCOME_UNDECIDED);
    assert_contains(c->methods[0].reason, "the degree (at least 2^62)");
    cvp_report_clear(&report);
    cvp_proof_file_clear(&file);
}

/* 3x + 1/2 = (6x + 1) / 2: L1 norm 7 <= 2^4 over the denominator 2 <= 2^1. */
static void height_ring_hand_values(void **state)
{
    (void)state;
    cvp_ring H;
    cvp_ring_height_init(&H);
    cvp_height x, three, half, t;
    cvp_height_set_variable(&x);
    mpq_t q;
    mpq_init(q);
    mpq_set_si(q, 3, 1);
    H.set_q(&H, &three, q);
    assert_int_equal(three.num_bits, 2);   /* ceil(log2 3) */
    assert_int_equal(three.den_bits, 0);
    mpq_set_si(q, -1, 2);
    H.set_q(&H, &half, q);
    assert_int_equal(half.num_bits, 0);
    assert_int_equal(half.den_bits, 1);
    H.mul(&H, &t, &x, &three);               /* 3x: (2, 0) */
    H.sub(&H, &t, &t, &half);                /* max(2 + 1, 0 + 0) + 1 */
    assert_int_equal(t.num_bits, 4);
    assert_int_equal(t.den_bits, 1);
    H.mul(&H, &t, &t, &t);                   /* (4 + 4, 1 + 1) */
    assert_int_equal(t.num_bits, 8);
    assert_int_equal(t.den_bits, 2);
    /* zero is absorbing for products and neutral for sums */
    mpq_set_si(q, 0, 1);
    cvp_height zero;
    H.set_q(&H, &zero, q);
    assert_true(H.is_zero(&H, &zero));
    H.add(&H, &t, &zero, &three);
    assert_int_equal(t.num_bits, 2);
    H.mul(&H, &t, &zero, &three);
    assert_true(H.is_zero(&H, &t));
    /* only the denominator 2 was counted: 2 binary digits */
    assert_int_equal(cvp_ring_height_denominator_bits(&H), 2);
    assert_false(cvp_ring_height_saturated(&H));
    mpq_clear(q);
    cvp_ring_height_clear(&H);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(height_ring_hand_values),
        cmocka_unit_test(fixed_seed_primes_are_predictable_and_said_so),
        cmocka_unit_test(entropy_seed_refutes_the_product_of_primes),
        cmocka_unit_test(a_prime_dividing_a_denominator_is_redrawn),
        cmocka_unit_test(a_zero_denominator_is_not_a_pass),
        cmocka_unit_test(a_degree_past_a_long_saturates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
