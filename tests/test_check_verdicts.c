/* test_check_verdicts.c -- cmocka tests of the checker's verdicts
 * (src/check/check*.c): true and false claims by each method, the
 * counterexamples and their shrinking, refutes, which methods apply,
 * errors in a claim, dims as values.
 *
 * Each test parses a small .proof text in memory, runs cvp_check_file and
 * looks at the report.  Every expected outcome, shape string and
 * counterexample below is worked out by hand in the comment beside it;
 * where the program may legitimately pick one of several equally small
 * counterexamples, the test evaluates the reported inputs by hand (with
 * the formula written out here) instead of fixing one of them.
 * test_check_forms.c tests grad/jacobian and mults/size.
 */
#include "testutil.h"
#include "testutil_check.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check/check.h"
#include "check/verdict.h"
#include "kernel/conv2d.h"
#include "kernel/ring.h"
#include "kernel/tensor.h"
#include "kernel/textbook.h"
#include "lang/proof.h"

/* ---- a true claim passes by each method ------------------------------- */

/* NNDL (5.13): the full convolution commutes, rot180(W) (x)~ X ==
 * rot180(X) (x)~ W.  M, N, U, V in 1..2: 2^4 = 16 shapes, all of them
 * checked (no where).  Instances: exact 3 per shape (default trials) = 48,
 * random 2 points per shape = 32, symbolic one per shape = 16. */
static void test_true_claim_passes_by_each_method(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        cvp_method method;
        size_t instances;
    } cases[] = {
        {"exact", CVP_METHOD_EXACT, 48},
        {"random", CVP_METHOD_RANDOM, 32},
        {"symbolic", CVP_METHOD_SYMBOLIC, 16},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char text[512];
        snprintf(text, sizeof text,
                 "claim \"wide convolution commutes up to rot180\" {\n"
                 "  dim M, N, U, V in 1..2\n"
                 "  tensor X[M, N]\n"
                 "  tensor W[U, V]\n"
                 "  show wide(rot180(W), X) == wide(rot180(X), W)\n"
                 "  by %s\n"
                 "}\n", cases[k].name);
        tu_check_run r;
        tu_run_text(&r, text);
        const cvp_claim_result *c = tu_only_claim(&r);
        assert_false(c->is_refute);
        assert_int_equal(c->line, 1);
        assert_string_equal(c->statement,
                            "show wide(rot180(W), X) == wide(rot180(X), W)");
        /* exact alone only samples: the claim is TESTED (verdict.h) */
        assert_int_equal(c->outcome, cases[k].method == CVP_METHOD_EXACT
                                         ? CVP_OUTCOME_TESTED : CVP_OUTCOME_PASSED);
        assert_int_equal(c->method_count, 1);
        const cvp_method_result *m = &c->methods[0];
        assert_int_equal(m->method, cases[k].method);
        assert_int_equal(m->outcome, CVP_OUTCOME_PASSED);
        assert_int_equal(m->shapes, 16);
        assert_int_equal(m->instances, cases[k].instances);
        assert_null(m->counterexample);
        assert_non_null(m->evidence);
        size_t passed, failed, undecided;
        cvp_report_counts(&r.report, &passed, &failed, &undecided);
        assert_int_equal(passed + cvp_report_tested_count(&r.report), 1);
        assert_int_equal(failed, 0);
        assert_int_equal(undecided, 0);
        tu_run_clear(&r);
    }
}

/* ---- a false claim fails by each method, with a real counterexample ---- */

/* wide(W, X) == wide(X, W) is false.  Shapes are ordered by the number of
 * input entries M*N + U*V, then (M, N, U, V) lexicographically:
 *   2 entries: (1,1,1,1), where both sides are the product x*w: holds;
 *   3 entries: (1,1,1,2) < (1,1,2,1) < (1,2,1,1) < (2,1,1,1).
 * At (1,1,1,2), X = [[x]], W = [[w0, w1]]: X padded by U-1 = 0 rows and
 * V-1 = 1 column is [0, x, 0], so wide(W, X) = [w1*x, w0*x]; wide(X, W)
 * pads W by nothing, = [x*w0, x*w1].  They differ iff x != 0 and
 * w0 != w1.  So the smallest failing shape is "M=1, N=1, U=1, V=2", and a
 * smallest counterexample has two nonzero entries (x and one of w0, w1),
 * each 1 (magnitude 1, positive preferred).  Both [[1, 0]] and [[0, 1]]
 * are equally small; which one survives depends on the random instance,
 * so the test evaluates the reported one by the formula above. */
static void check_wide_counterexample(const cvp_counterexample *cx)
{
    assert_non_null(cx);
    assert_string_equal(cx->shape, "M=1, N=1, U=1, V=2");
    assert_int_equal(cx->show_line, 5);
    assert_int_equal(cx->input_count, 2);
    assert_string_equal(cx->input_names[0], "X");
    assert_string_equal(cx->input_names[1], "W");
    long x[4], w[4];
    assert_int_equal(tu_ints_of(x, 4, cx->input_values[0]), 1);
    assert_int_equal(tu_ints_of(w, 4, cx->input_values[1]), 2);
    long lhs[2] = {w[1] * x[0], w[0] * x[0]};
    long rhs[2] = {x[0] * w[0], x[0] * w[1]};
    assert_true(lhs[0] != rhs[0] || lhs[1] != rhs[1]);
    /* fewest nonzero entries, smallest values */
    assert_int_equal(x[0], 1);
    assert_int_equal(tu_count_nonzero(w, 2), 1);
    assert_int_equal(w[0] + w[1], 1);
    char want[128];
    snprintf(want, sizeof want, "[[%ld, %ld]]", lhs[0], lhs[1]);
    tu_assert_text(cx->lhs, want);
    snprintf(want, sizeof want, "[[%ld, %ld]]", rhs[0], rhs[1]);
    tu_assert_text(cx->rhs, want);
    /* w0 != w1 makes both entries differ */
    snprintf(want, sizeof want, "entry [0,0]: %ld != %ld\nentry [0,1]: %ld != %ld",
             lhs[0], rhs[0], lhs[1], rhs[1]);
    assert_non_null(cx->differences);
    assert_string_equal(cx->differences, want);
}

static void test_false_claim_fails_by_each_method(void **state)
{
    (void)state;
    /* exact gets 20 trials: at the failing shape an instance misses only
     * when x = 0 or w0 = w1, so 20 misses in a row are out of reach. */
    static const struct {
        const char *by;
        cvp_method method;
    } cases[] = {
        {"exact(trials=20)", CVP_METHOD_EXACT},
        {"random", CVP_METHOD_RANDOM},
        {"symbolic", CVP_METHOD_SYMBOLIC},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char text[512];
        snprintf(text, sizeof text,
                 "claim \"wide convolution commutes outright\" {\n"
                 "  dim M, N, U, V in 1..3\n"
                 "  tensor X[M, N]\n"
                 "  tensor W[U, V]\n"
                 "  show wide(W, X) == wide(X, W)\n"
                 "  by %s\n"
                 "}\n", cases[k].by);
        tu_check_run r;
        tu_run_text(&r, text);
        const cvp_claim_result *c = tu_only_claim(&r);
        assert_int_equal(c->outcome, CVP_OUTCOME_FAILED);
        assert_int_equal(c->method_count, 1);
        const cvp_method_result *m = &c->methods[0];
        assert_int_equal(m->method, cases[k].method);
        assert_int_equal(m->outcome, CVP_OUTCOME_FAILED);
        /* the failure is at the second shape in order */
        assert_int_equal(m->shapes, 2);
        check_wide_counterexample(m->counterexample);
        if (cases[k].method == CVP_METHOD_SYMBOLIC)
            assert_non_null(m->counterexample->first_term);
        size_t passed, failed;
        cvp_report_counts(&r.report, &passed, &failed, NULL);
        assert_int_equal(passed, 0);
        assert_int_equal(failed, 1);
        tu_run_clear(&r);
    }
}

/* ---- shrinking ---------------------------------------------------------- */

/* sum(X * X) == sum(X): with a single nonzero entry x it reads x^2 == x,
 * false unless x is 0 or 1.  No nonzero entry: 0 == 0 holds, so a
 * counterexample needs one nonzero entry; at magnitude 1, x = 1 holds
 * and x = -1 fails (1 != -1).  The smallest counterexample is one entry
 * -1 and zeros elsewhere, whatever instance was found first. */
static void test_shrink_to_single_minus_one(void **state)
{
    (void)state;
    static const char *const methods[] = {"exact(trials=10)", "symbolic", "random"};
    for (size_t k = 0; k < 3; k++) {
        char text[512];
        snprintf(text, sizeof text,
                 "claim \"squares are the values\" {\n"
                 "  tensor X[4] values -6..6\n"
                 "  show sum(X * X) == sum(X)\n"
                 "  by %s\n"
                 "}\n", methods[k]);
        tu_check_run r;
        tu_run_text(&r, text);
        const cvp_claim_result *c = tu_only_claim(&r);
        assert_int_equal(c->outcome, CVP_OUTCOME_FAILED);
        const cvp_counterexample *cx = c->methods[0].counterexample;
        assert_non_null(cx);
        assert_null(cx->shape);   /* no dims: one shape, none named */
        assert_int_equal(cx->input_count, 1);
        assert_string_equal(cx->input_names[0], "X");
        long x[4];
        assert_int_equal(tu_ints_of(x, 4, cx->input_values[0]), 4);
        assert_int_equal(tu_count_nonzero(x, 4), 1);
        assert_int_equal(x[0] + x[1] + x[2] + x[3], -1);
        tu_assert_text(cx->lhs, "1");
        tu_assert_text(cx->rhs, "-1");
        assert_string_equal(cx->differences, "entry (scalar): 1 != -1");
        tu_run_clear(&r);
    }
}

/* sum(X^3) == sum(X): one nonzero entry x gives x^3 == x, which holds for
 * x in {-1, 0, 1} and fails at both 2 (8 != 2) and -2 (-8 != -2); at equal
 * magnitude the positive value is preferred: one entry 2. */
static void test_shrink_prefers_positive_at_equal_magnitude(void **state)
{
    (void)state;
    tu_check_run r;
    tu_run_text(&r,
                "claim \"cubes are the values\" {\n"
                "  tensor X[3] values -5..5\n"
                "  show sum(X * X * X) == sum(X)\n"
                "  by exact(trials=10)\n"
                "}\n");
    const cvp_claim_result *c = tu_only_claim(&r);
    assert_int_equal(c->outcome, CVP_OUTCOME_FAILED);
    const cvp_counterexample *cx = c->methods[0].counterexample;
    assert_non_null(cx);
    long x[3];
    assert_int_equal(tu_ints_of(x, 3, cx->input_values[0]), 3);
    assert_int_equal(tu_count_nonzero(x, 3), 1);
    assert_int_equal(x[0] + x[1] + x[2], 2);
    tu_assert_text(cx->lhs, "8");
    tu_assert_text(cx->rhs, "2");
    tu_run_clear(&r);
}

/* Only X[0] matters (the mask zeroes the rest): the counterexample is
 * unique, X = [-1, 0, 0] (x^2 == x as above), and the irrelevant entries
 * are shrunk to zero.  The second input, Y, does not occur in the
 * failing show at all and is all zeros.  The failing show is the second
 * one (line 6), and the report says so. */
static void test_shrink_unique_and_second_show(void **state)
{
    (void)state;
    tu_check_run r;
    tu_run_text(&r,
                "claim \"masked squares\" {\n"
                "  tensor X[3] values -4..4\n"
                "  tensor Y[2] values -4..4\n"
                "  let Mask = [1, 0, 0]\n"
                "  show sum(Y) + sum(X) == sum(X) + sum(Y)\n"
                "  show sum(Mask * X * X) == sum(Mask * X)\n"
                "  by symbolic\n"
                "}\n");
    const cvp_claim_result *c = tu_only_claim(&r);
    assert_int_equal(c->outcome, CVP_OUTCOME_FAILED);
    const cvp_counterexample *cx = tu_method_of(c, CVP_METHOD_SYMBOLIC)->counterexample;
    assert_non_null(cx);
    assert_int_equal(cx->show_line, 6);
    assert_int_equal(cx->input_count, 2);
    assert_string_equal(cx->input_names[0], "X");
    tu_assert_text(cx->input_values[0], "[-1, 0, 0]");
    assert_string_equal(cx->input_names[1], "Y");
    tu_assert_text(cx->input_values[1], "[0, 0]");
    tu_assert_text(cx->lhs, "1");
    tu_assert_text(cx->rhs, "-1");
    tu_run_clear(&r);
}

/* sum(X) == 1 fails at X = [0, 0] (0 != 1), a counterexample with no
 * nonzero entry at all: the fewest possible.  values 1..1 makes the
 * instance found X = [1, 1] (2 != 1); from there, zeroing either entry
 * alone leaves the sum 1, which holds, so only trying the all-zero
 * instance as such reaches it.  The same with two tensors: a^2 + c == 1
 * fails at a = c = 1 (2), holds after either single zero (1), and fails
 * at a = c = 0 (0). */
static void test_shrink_reaches_all_zero(void **state)
{
    (void)state;
    tu_check_run r;
    tu_run_text(&r,
                "claim \"the sum is one\" {\n"
                "  tensor X[2] values 1..1\n"
                "  show sum(X) == 1\n"
                "  by exact(trials=1)\n"
                "}\n"
                "claim \"a square plus c is one\" {\n"
                "  tensor A[1] values 1..1\n"
                "  tensor C[1] values 1..1\n"
                "  show sum(A * A) + sum(C) == 1\n"
                "  by exact(trials=1)\n"
                "}\n");
    assert_int_equal(r.status, CVP_OK);
    assert_int_equal(r.report.claim_count, 2);
    const cvp_counterexample *cx = r.report.claims[0].methods[0].counterexample;
    assert_int_equal(r.report.claims[0].outcome, CVP_OUTCOME_FAILED);
    assert_non_null(cx);
    tu_assert_text(cx->input_values[0], "[0, 0]");
    tu_assert_text(cx->lhs, "0");
    tu_assert_text(cx->rhs, "1");
    cx = r.report.claims[1].methods[0].counterexample;
    assert_int_equal(r.report.claims[1].outcome, CVP_OUTCOME_FAILED);
    assert_non_null(cx);
    tu_assert_text(cx->input_values[0], "[0]");
    tu_assert_text(cx->input_values[1], "[0]");
    tu_assert_text(cx->lhs, "0");
    tu_run_clear(&r);
}

/* ---- refute ------------------------------------------------------------- */

/* A refute passes when a counterexample is found: X + X == X fails for
 * any nonzero entry; smallest: one entry 1 (X[1]: X = [1], 2 != 1).
 * Without `by` a refute tries exact first and stops at its first
 * counterexample, so only one method is reported. */
static void test_refute_passes_on_counterexample(void **state)
{
    (void)state;
    tu_check_run r;
    tu_run_text(&r,
                "refute \"doubling is not the identity\" {\n"
                "  tensor X[1]\n"
                "  show X + X == X\n"
                "}\n");
    const cvp_claim_result *c = tu_only_claim(&r);
    assert_true(c->is_refute);
    assert_int_equal(c->outcome, CVP_OUTCOME_PASSED);
    assert_int_equal(c->method_count, 1);
    const cvp_method_result *m = &c->methods[0];
    assert_int_equal(m->method, CVP_METHOD_EXACT);
    assert_int_equal(m->outcome, CVP_OUTCOME_PASSED);
    assert_non_null(m->counterexample);
    tu_assert_text(m->counterexample->input_values[0], "[1]");
    tu_assert_text(m->counterexample->lhs, "[2]");
    tu_assert_text(m->counterexample->rhs, "[1]");
    size_t passed, failed;
    cvp_report_counts(&r.report, &passed, &failed, NULL);
    assert_int_equal(passed, 1);
    assert_int_equal(failed, 0);
    tu_run_clear(&r);

    /* by symbolic: the same, found as a polynomial difference first */
    static const tu_claim_case by_symbolic = {
        .text = "refute \"doubling is not the identity\" {\n"
                "  dim N in 1..2\n"
                "  tensor X[N]\n"
                "  show X + X == X\n"
                "  by symbolic\n"
                "}\n",
        .outcome = CVP_OUTCOME_PASSED, .method_stated = true,
        .method_outcome = CVP_OUTCOME_PASSED, .shape = "N=1", .input = "[1]"};
    tu_check_claim_case(&by_symbolic, "refute by symbolic");
}

/* A refute of a true identity fails, by every method it names, and says
 * why; there is no counterexample. */
static void test_refute_fails_on_true_identity(void **state)
{
    (void)state;
    tu_check_run r;
    tu_run_text(&r,
                "refute \"addition does not commute\" {\n"
                "  dim N in 1..3\n"
                "  tensor X[N]\n"
                "  tensor Y[N]\n"
                "  show X + Y == Y + X\n"
                "  by exact, random, symbolic\n"
                "}\n");
    const cvp_claim_result *c = tu_only_claim(&r);
    assert_true(c->is_refute);
    assert_int_equal(c->outcome, CVP_OUTCOME_FAILED);
    assert_int_equal(c->method_count, 3);
    for (size_t k = 0; k < 3; k++) {
        assert_int_equal(c->methods[k].outcome, CVP_OUTCOME_FAILED);
        assert_null(c->methods[k].counterexample);
        assert_int_equal(c->methods[k].shapes, 3);
    }
    assert_non_null(tu_method_of(c, CVP_METHOD_EXACT)->reason);
    size_t passed, failed;
    cvp_report_counts(&r.report, &passed, &failed, NULL);
    assert_int_equal(passed, 0);
    assert_int_equal(failed, 1);
    tu_run_clear(&r);
}

/* ---- which methods apply ------------------------------------------------ */

static void test_method_applicability(void **state)
{
    (void)state;
    /* relu needs an order, which polynomials lack: symbolic does not
     * apply, and a claim that asked for it is undecided. */
    tu_check_run r;
    tu_run_text(&r,
                "claim \"relu is itself\" {\n"
                "  tensor X[3]\n"
                "  show relu(X) == relu(X)\n"
                "  by symbolic\n"
                "}\n");
    const cvp_claim_result *c = tu_only_claim(&r);
    assert_int_equal(c->method_count, 1);
    assert_int_equal(c->methods[0].outcome, CVP_OUTCOME_NOT_APPLICABLE);
    assert_non_null(c->methods[0].reason);
    assert_int_equal(c->outcome, CVP_OUTCOME_UNDECIDED);
    size_t passed, failed, undecided;
    cvp_report_counts(&r.report, &passed, &failed, &undecided);
    assert_int_equal(passed + failed, 0);
    assert_int_equal(undecided, 1);
    tu_run_clear(&r);

    /* Without `by`: symbolic and random do not apply and are ignored;
     * regions joins and proves it on the 27 sign cells of X: PASS. */
    tu_run_text(&r,
                "claim \"relu is itself\" {\n"
                "  tensor X[3]\n"
                "  show relu(X) == relu(X)\n"
                "}\n");
    c = tu_only_claim(&r);
    assert_int_equal(c->outcome, CVP_OUTCOME_PASSED);
    assert_int_equal(tu_method_of(c, CVP_METHOD_REGIONS)->outcome, CVP_OUTCOME_PASSED);
    assert_int_equal(tu_method_of(c, CVP_METHOD_REGIONS)->instances, 27);
    assert_int_equal(tu_method_of(c, CVP_METHOD_SYMBOLIC)->outcome,
                     CVP_OUTCOME_NOT_APPLICABLE);
    assert_int_equal(tu_method_of(c, CVP_METHOD_RANDOM)->outcome,
                     CVP_OUTCOME_NOT_APPLICABLE);
    assert_int_equal(tu_method_of(c, CVP_METHOD_EXACT)->outcome, CVP_OUTCOME_PASSED);
    tu_run_clear(&r);

    /* A kink at a sum of products of inputs is no hyperplane (a single
     * product is cut by its factors): regions does not apply, and exact
     * decides by sampling: TESTED. */
    tu_run_text(&r,
                "claim \"relu of a sum of products\" {\n"
                "  tensor X[2]\n"
                "  tensor Y[2]\n"
                "  show relu(X * Y + X) == relu(Y * X + X)\n"
                "}\n");
    c = tu_only_claim(&r);
    assert_int_equal(c->outcome, CVP_OUTCOME_TESTED);
    assert_int_equal(tu_method_of(c, CVP_METHOD_REGIONS)->outcome,
                     CVP_OUTCOME_NOT_APPLICABLE);
    assert_non_null(strstr(tu_method_of(c, CVP_METHOD_REGIONS)->reason,
                           "affine in the inputs"));
    assert_int_equal(tu_method_of(c, CVP_METHOD_EXACT)->outcome, CVP_OUTCOME_PASSED);
    tu_run_clear(&r);

    /* ... and a false relu claim fails by exact: relu(X) == X fails for
     * any negative entry; smallest: one entry -1 (0 != -1). */
    tu_run_text(&r,
                "claim \"relu is the identity\" {\n"
                "  tensor X[1] values -3..3\n"
                "  show relu(X) == X\n"
                "  by random, exact(trials=10)\n"
                "}\n");
    c = tu_only_claim(&r);
    assert_int_equal(c->outcome, CVP_OUTCOME_FAILED);
    assert_int_equal(tu_method_of(c, CVP_METHOD_RANDOM)->outcome,
                     CVP_OUTCOME_NOT_APPLICABLE);
    const cvp_counterexample *cx = tu_method_of(c, CVP_METHOD_EXACT)->counterexample;
    assert_non_null(cx);
    tu_assert_text(cx->input_values[0], "[-1]");
    tu_assert_text(cx->lhs, "[0]");
    tu_run_clear(&r);
}

/* ---- errors in the claim -------------------------------------------------- */

/* xcorr(W, X) with no `where U <= M, V <= N`: the shapes in order are
 * (1,1,1,1) (fits) and then (1,1,1,2), where the 1x2 kernel does not fit
 * the 1x1 input.  That is an error in the claim, located at the show
 * (line 5) and naming the shape. */
static void test_shape_error_is_located(void **state)
{
    (void)state;
    static const char *const methods[] = {"exact", "random", "symbolic"};
    for (size_t k = 0; k < 3; k++) {
        char text[512];
        snprintf(text, sizeof text,
                 "claim \"xcorr without where\" {\n"
                 "  dim M, N, U, V in 1..2\n"
                 "  tensor X[M, N]\n"
                 "  tensor W[U, V]\n"
                 "  show xcorr(W, X) == xcorr(W, X)\n"
                 "  by %s\n"
                 "}\n", methods[k]);
        tu_check_run r;
        tu_run_text(&r, text);
        assert_int_equal(r.status, CVP_ERR_INPUT);
        assert_int_equal(r.err.status, CVP_ERR_INPUT);
        assert_string_equal(r.err.source, "t.proof");
        assert_int_equal(r.err.pos.line, 5);
        assert_true(r.err.pos.col >= 8);
        assert_non_null(strstr(r.err.message, "xcorr"));
        assert_non_null(strstr(r.err.message, "(at shape M=1, N=1, U=1, V=2)"));
        /* the claim is in the report, not passed */
        assert_int_equal(r.report.claim_count, 1);
        assert_int_not_equal(r.report.claims[0].outcome, CVP_OUTCOME_PASSED);
        tu_run_clear(&r);
    }
}

/* An input error is the claim's verdict: the claim is UNDECIDED with the
 * located message as its error, and the claim after it is still checked;
 * the file's status is the first error's. */
static void test_error_is_the_claims_verdict(void **state)
{
    (void)state;
    tu_check_run r;
    tu_run_text(&r,
                "claim \"fine\" {\n"
                "  tensor X[2]\n"
                "  show X == X\n"
                "}\n"
                "claim \"shapes do not fit\" {\n"
                "  tensor X[2]\n"
                "  tensor Y[3]\n"
                "  show X + Y == Y + X\n"
                "}\n"
                "claim \"still checked\" {\n"
                "  tensor X[2]\n"
                "  show X + X == 2 * X\n"
                "}\n");
    assert_int_equal(r.status, CVP_ERR_INPUT);
    assert_int_equal(r.err.pos.line, 8);
    /* one shape only: no "(at shape (no dims))" tail */
    assert_null(strstr(r.err.message, "(no dims)"));
    assert_null(strstr(r.err.message, "at shape"));
    assert_int_equal(r.report.claim_count, 3);
    assert_int_equal(r.report.claims[0].outcome, CVP_OUTCOME_PASSED);
    assert_null(r.report.claims[0].error);
    const cvp_claim_result *bad = &r.report.claims[1];
    assert_int_equal(bad->outcome, CVP_OUTCOME_UNDECIDED);
    assert_non_null(bad->error);
    /* "t.proof:8:10: '+': shapes [2] and [3] do not broadcast ..." */
    assert_true(strncmp(bad->error, "t.proof:8:10: '+': shapes [2] and [3] do not "
                        "broadcast", 49) == 0);
    /* the method the error stopped says so */
    assert_true(bad->method_count > 0);
    assert_string_equal(bad->methods[bad->method_count - 1].reason,
                        "stopped by the claim's input error");
    assert_int_equal(r.report.claims[2].outcome, CVP_OUTCOME_PASSED);
    assert_null(r.report.claims[2].error);
    assert_int_equal(cvp_report_error_count(&r.report), 1);
    tu_run_clear(&r);
}

/* In a refute, a statement that cannot be evaluated at some shape because
 * the shapes do not fit there (X[M] + Y[N] at M=2, N=3; M=N=2 fits) does
 * not hold for every shape: that shape is the counterexample.  An error
 * at every shape (an unknown function), or at the only shape, stays an
 * input error.  A division by zero is neither: the statement is undefined
 * at that instance, which is its counterexample (as a grad at a kink). */
static void test_refute_shape_mismatch_is_a_counterexample(void **state)
{
    (void)state;
    tu_check_run r;
    tu_run_text(&r,
                "refute \"vectors of any lengths add\" {\n"
                "  dim M, N in 2..3\n"
                "  tensor X[M]\n"
                "  tensor Y[N]\n"
                "  show X + Y == Y + X\n"
                "}\n"
                "refute \"unknown function\" {\n"
                "  dim M in 1..2\n"
                "  tensor X[M]\n"
                "  show frobnicate(X) == X\n"
                "}\n"
                "refute \"the only shape does not fit\" {\n"
                "  tensor X[2]\n"
                "  tensor Y[3]\n"
                "  show X + Y == Y + X\n"
                "}\n"
                "refute \"division by zero\" {\n"
                "  dim M in 1..2\n"
                "  tensor X[M]\n"
                "  show X / (X * 0) == X / (X * 0)\n"
                "  by exact\n"
                "}\n");
    assert_int_equal(r.status, CVP_ERR_INPUT);
    assert_int_equal(r.report.claim_count, 4);
    const cvp_claim_result *c = &r.report.claims[0];
    assert_int_equal(c->outcome, CVP_OUTCOME_PASSED);
    assert_null(c->error);
    assert_int_equal(c->method_count, 1);
    assert_int_equal(c->methods[0].method, CVP_METHOD_EXACT);
    const cvp_counterexample *x = c->methods[0].counterexample;
    assert_non_null(x);
    /* shapes in order (2,2), (2,3), ...: the first that does not fit */
    assert_string_equal(x->shape, "M=2, N=3");
    assert_int_equal(x->show_line, 5);
    assert_int_equal(x->input_count, 2);
    assert_null(x->lhs);
    assert_non_null(strstr(x->differences, "not defined at this shape"));
    assert_non_null(strstr(x->differences, "t.proof:5:10: '+': shapes [2] and [3]"));
    for (size_t k = 1; k < 3; k++) {
        assert_int_equal(r.report.claims[k].outcome, CVP_OUTCOME_UNDECIDED);
        assert_non_null(r.report.claims[k].error);
    }
    assert_non_null(strstr(r.report.claims[1].error, "unknown function 'frobnicate'"));
    assert_non_null(strstr(r.report.claims[2].error, "do not broadcast"));
    c = &r.report.claims[3];
    assert_int_equal(c->outcome, CVP_OUTCOME_PASSED);   /* refuted */
    assert_null(c->error);
    x = c->methods[0].counterexample;
    assert_non_null(x);
    assert_string_equal(x->shape, "M=1");
    assert_string_equal(x->input_values[0], "[0]\n");   /* shrunk */
    assert_null(x->lhs);   /* undefined: no side to show */
    assert_non_null(strstr(x->differences, "division by zero: entry [0] of the divisor is 0"));
    tu_run_clear(&r);
}

/* A limit leaves the claim undecided, with a located reason, and the
 * check goes on (the status stays CVP_OK: a limit is a verdict, not an
 * error).  sum(X) * sum(X) for X[3] has 6 terms (3 squares, 3 cross
 * terms), over a limit of 4; already sum(X) fits (3 terms). */
static void test_polynomial_limit_is_located(void **state)
{
    (void)state;
    tu_check_run r;
    tu_run_text_terms(&r,
                      "claim \"a big polynomial\" {\n"
                      "  tensor X[3]\n"
                      "  show sum(X) * sum(X) == sum(X) * sum(X)\n"
                      "  by symbolic\n"
                      "}\n"
                      "claim \"the next claim still runs\" {\n"
                      "  tensor X[2]\n"
                      "  show X + X == 2 * X\n"
                      "  by symbolic\n"
                      "}\n", 4);
    assert_int_equal(r.status, CVP_OK);
    assert_int_equal(r.report.claim_count, 2);
    const cvp_claim_result *c = &r.report.claims[0];
    assert_int_equal(c->outcome, CVP_OUTCOME_UNDECIDED);
    const char *reason = c->methods[0].reason;
    assert_non_null(reason);
    assert_non_null(strstr(reason, "not decided: limit max-terms reached"));
    assert_non_null(strstr(reason, "t.proof:3:15"));
    assert_non_null(strstr(reason, "more than 4 terms"));
    assert_null(strstr(reason, "(no dims)"));
    assert_int_equal(r.report.claims[1].outcome, CVP_OUTCOME_PASSED);
    tu_run_clear(&r);
}

/* ---- dims as values --------------------------------------------------------- */

/* pad(X, U) adds zeros only: the sum is unchanged, for every U in 0..2
 * (U read as an integer argument). M in 1..3, U in 0..2: 9 shapes.  The
 * size is a count, which all_shapes decides too (all_shapes_cost.c), so
 * four methods run: all_shapes, symbolic, random, exact. */
static void test_dims_as_values(void **state)
{
    (void)state;
    tu_check_run r;
    tu_run_text(&r,
                "claim \"padding adds zeros\" {\n"
                "  dim M in 1..3\n"
                "  dim U in 0..2\n"
                "  tensor X[M, M]\n"
                "  show sum(pad(X, U)) == sum(X)\n"
                "  show size(pad(X, U)) == (M + 2 * U) * (M + 2 * U)\n"
                "}\n");
    const cvp_claim_result *c = tu_only_claim(&r);
    assert_int_equal(c->outcome, CVP_OUTCOME_PASSED);
    assert_int_equal(c->method_count, 4);
    assert_int_equal(c->methods[0].method, CVP_METHOD_ALL_SHAPES);
    for (size_t k = 0; k < c->method_count; k++) {
        assert_int_equal(c->methods[k].outcome, CVP_OUTCOME_PASSED);
        assert_int_equal(c->methods[k].shapes, 9);
    }
    tu_run_clear(&r);

    /* a dim used wrongly is caught: pad by U+1 makes the sizes differ at
     * the smallest shape, M=1, U=0: size 9, not 1.  Sides depend on no
     * value, so the inputs shrink to zero. */
    static const tu_claim_case one_more = {
        .text = "claim \"padding by one more\" {\n"
                "  dim M in 1..3\n"
                "  dim U in 0..2\n"
                "  tensor X[M, M]\n"
                "  show size(pad(X, U + 1)) == (M + 2 * U) * (M + 2 * U)\n"
                "  by exact\n"
                "}\n",
        .outcome = CVP_OUTCOME_FAILED, .shape = "M=1, U=0", .input = "[[0]]",
        .lhs = "9", .rhs = "1"};
    tu_check_claim_case(&one_more, "padding by one more");
}

/* No shape satisfies the constraints: nothing was shown. */
static void test_no_shape_is_undecided(void **state)
{
    (void)state;
    tu_check_run r;
    tu_run_text(&r,
                "claim \"impossible shapes\" {\n"
                "  dim M in 1..3\n"
                "  where M > 3\n"
                "  tensor X[M]\n"
                "  show X == X\n"
                "  by exact, symbolic\n"
                "}\n");
    const cvp_claim_result *c = tu_only_claim(&r);
    assert_int_equal(c->outcome, CVP_OUTCOME_UNDECIDED);
    for (size_t k = 0; k < c->method_count; k++)
        assert_int_not_equal(c->methods[k].outcome, CVP_OUTCOME_PASSED);
    tu_run_clear(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_true_claim_passes_by_each_method),
        cmocka_unit_test(test_false_claim_fails_by_each_method),
        cmocka_unit_test(test_shrink_to_single_minus_one),
        cmocka_unit_test(test_shrink_prefers_positive_at_equal_magnitude),
        cmocka_unit_test(test_shrink_unique_and_second_show),
        cmocka_unit_test(test_shrink_reaches_all_zero),
        cmocka_unit_test(test_refute_passes_on_counterexample),
        cmocka_unit_test(test_refute_fails_on_true_identity),
        cmocka_unit_test(test_method_applicability),
        cmocka_unit_test(test_shape_error_is_located),
        cmocka_unit_test(test_error_is_the_claims_verdict),
        cmocka_unit_test(test_refute_shape_mismatch_is_a_counterexample),
        cmocka_unit_test(test_polynomial_limit_is_located),
        cmocka_unit_test(test_dims_as_values),
        cmocka_unit_test(test_no_shape_is_undecided),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
