/* test_check.c -- cmocka tests of the checker (src/check/check*.c, the
 * `grad`/`jacobian` and `mults`/`size` special forms as the checker uses
 * them, and the verdicts it records).
 *
 * Each test parses a small .proof text in memory, runs cvp_check_file and
 * looks at the report.  Every expected outcome, shape string and
 * counterexample below is worked out by hand in the comment beside it;
 * where the program may legitimately pick one of several equally small
 * counterexamples, the test evaluates the reported inputs by hand (with
 * the formula written out here) instead of fixing one of them.  The
 * multiplication counts of the cost model are checked against a second
 * method: a copy of the field Q whose `mul` counts its calls.
 */
#include "testutil.h"

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

/* ---- running a proof text ----------------------------------------------- */

typedef struct {
    cvp_proof_file file;
    cvp_report report;
    cvp_lang_error err;
    cvp_status status;
    cvp_check_options options;
} check_run;

/* Parses `text` (which must parse) and checks every claim with the
 * default options (seed 1, 3 exact trials, 2 random points per shape),
 * polynomials limited to max_terms terms (0: the default). */
static void run_text_terms(check_run *r, const char *text, size_t max_terms);

static void run_text(check_run *r, const char *text)
{
    run_text_terms(r, text, 0);
}

static void run_text_terms(check_run *r, const char *text, size_t max_terms)
{
    cvp_proof_file_init(&r->file);
    cvp_lang_error_clear(&r->err);
    cvp_status st = cvp_proof_parse(&r->file, text, strlen(text), "t.proof",
                                    &r->err);
    if (st != CVP_OK)
        fail_msg("the test's proof text does not parse: %d:%d: %s",
                 r->err.pos.line, r->err.pos.col, r->err.message);
    cvp_report_init(&r->report, "test", 1);
    cvp_check_options_default(&r->options);
    if (max_terms > 0)
        r->options.max_terms = max_terms;
    r->status = cvp_check_file(&r->report, &r->file, &r->options, &r->err);
}

static void run_clear(check_run *r)
{
    cvp_report_clear(&r->report);
    cvp_proof_file_clear(&r->file);
}

/* The only claim of a run, which must have checked without error. */
static const cvp_claim_result *only_claim(const check_run *r)
{
    if (r->status != CVP_OK)
        fail_msg("check failed: %d:%d: %s", r->err.pos.line, r->err.pos.col,
                 r->err.message);
    assert_int_equal(r->report.claim_count, 1);
    return &r->report.claims[0];
}

/* The result of `method` in claim c (which must be there). */
static const cvp_method_result *method_of(const cvp_claim_result *c,
                                          cvp_method method)
{
    for (size_t k = 0; k < c->method_count; k++)
        if (c->methods[k].method == method)
            return &c->methods[k];
    fail_msg("claim \"%s\" has no %s result", c->title ? c->title : "",
             cvp_method_name(method));
    return NULL;
}

/* Copies `text` without white space into buf. */
static void squeeze(char *buf, size_t n, const char *text)
{
    size_t used = 0;
    for (; text != NULL && *text != '\0' && used + 1 < n; text++)
        if (!isspace((unsigned char)*text))
            buf[used++] = *text;
    buf[used] = '\0';
}

/* Asserts that `text` equals `want` once white space is removed from
 * both (the layout of the tensor text form is not under test here). */
static void assert_text(const char *text, const char *want)
{
    char a[1024], b[1024];
    assert_non_null(text);
    squeeze(a, sizeof a, text);
    squeeze(b, sizeof b, want);
    if (strcmp(a, b) != 0)
        fail_msg("got \"%s\", wanted \"%s\"", a, b);
}

/* Reads the integers of a tensor's text form ("[[0, -1]]") into
 * out[0..max); returns how many there are.  Counterexamples of integer
 * instances must not contain fractions. */
static size_t ints_of(long *out, size_t max, const char *text)
{
    size_t n = 0;
    assert_non_null(text);
    assert_null(strchr(text, '/'));
    for (const char *p = text; *p != '\0';) {
        if (isdigit((unsigned char)*p)
            || (*p == '-' && isdigit((unsigned char)p[1]))) {
            char *end;
            long v = strtol(p, &end, 10);
            assert_true(n < max);
            out[n++] = v;
            p = end;
        } else {
            p++;
        }
    }
    return n;
}

static size_t count_nonzero(const long *v, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += v[i] != 0;
    return k;
}

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
        check_run r;
        run_text(&r, text);
        const cvp_claim_result *c = only_claim(&r);
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
        run_clear(&r);
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
    assert_int_equal(ints_of(x, 4, cx->input_values[0]), 1);
    assert_int_equal(ints_of(w, 4, cx->input_values[1]), 2);
    long lhs[2] = {w[1] * x[0], w[0] * x[0]};
    long rhs[2] = {x[0] * w[0], x[0] * w[1]};
    assert_true(lhs[0] != rhs[0] || lhs[1] != rhs[1]);
    /* fewest nonzero entries, smallest values */
    assert_int_equal(x[0], 1);
    assert_int_equal(count_nonzero(w, 2), 1);
    assert_int_equal(w[0] + w[1], 1);
    char want[128];
    snprintf(want, sizeof want, "[[%ld, %ld]]", lhs[0], lhs[1]);
    assert_text(cx->lhs, want);
    snprintf(want, sizeof want, "[[%ld, %ld]]", rhs[0], rhs[1]);
    assert_text(cx->rhs, want);
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
        check_run r;
        run_text(&r, text);
        const cvp_claim_result *c = only_claim(&r);
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
        run_clear(&r);
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
        check_run r;
        run_text(&r, text);
        const cvp_claim_result *c = only_claim(&r);
        assert_int_equal(c->outcome, CVP_OUTCOME_FAILED);
        const cvp_counterexample *cx = c->methods[0].counterexample;
        assert_non_null(cx);
        assert_string_equal(cx->shape, "(no dims)");
        assert_int_equal(cx->input_count, 1);
        assert_string_equal(cx->input_names[0], "X");
        long x[4];
        assert_int_equal(ints_of(x, 4, cx->input_values[0]), 4);
        assert_int_equal(count_nonzero(x, 4), 1);
        assert_int_equal(x[0] + x[1] + x[2] + x[3], -1);
        assert_text(cx->lhs, "1");
        assert_text(cx->rhs, "-1");
        assert_string_equal(cx->differences, "entry (scalar): 1 != -1");
        run_clear(&r);
    }
}

/* sum(X^3) == sum(X): one nonzero entry x gives x^3 == x, which holds for
 * x in {-1, 0, 1} and fails at both 2 (8 != 2) and -2 (-8 != -2); at equal
 * magnitude the positive value is preferred: one entry 2. */
static void test_shrink_prefers_positive_at_equal_magnitude(void **state)
{
    (void)state;
    check_run r;
    run_text(&r,
             "claim \"cubes are the values\" {\n"
             "  tensor X[3] values -5..5\n"
             "  show sum(X * X * X) == sum(X)\n"
             "  by exact(trials=10)\n"
             "}\n");
    const cvp_claim_result *c = only_claim(&r);
    assert_int_equal(c->outcome, CVP_OUTCOME_FAILED);
    const cvp_counterexample *cx = c->methods[0].counterexample;
    assert_non_null(cx);
    long x[3];
    assert_int_equal(ints_of(x, 3, cx->input_values[0]), 3);
    assert_int_equal(count_nonzero(x, 3), 1);
    assert_int_equal(x[0] + x[1] + x[2], 2);
    assert_text(cx->lhs, "8");
    assert_text(cx->rhs, "2");
    run_clear(&r);
}

/* Only X[0] matters (the mask zeroes the rest): the counterexample is
 * unique, X = [-1, 0, 0] (x^2 == x as above), and the irrelevant entries
 * are shrunk to zero.  The second input, Y, does not occur in the
 * failing show at all and is all zeros.  The failing show is the second
 * one (line 6), and the report says so. */
static void test_shrink_unique_and_second_show(void **state)
{
    (void)state;
    check_run r;
    run_text(&r,
             "claim \"masked squares\" {\n"
             "  tensor X[3] values -4..4\n"
             "  tensor Y[2] values -4..4\n"
             "  let Mask = [1, 0, 0]\n"
             "  show sum(Y) + sum(X) == sum(X) + sum(Y)\n"
             "  show sum(Mask * X * X) == sum(Mask * X)\n"
             "  by symbolic\n"
             "}\n");
    const cvp_claim_result *c = only_claim(&r);
    assert_int_equal(c->outcome, CVP_OUTCOME_FAILED);
    const cvp_counterexample *cx = method_of(c, CVP_METHOD_SYMBOLIC)->counterexample;
    assert_non_null(cx);
    assert_int_equal(cx->show_line, 6);
    assert_int_equal(cx->input_count, 2);
    assert_string_equal(cx->input_names[0], "X");
    assert_text(cx->input_values[0], "[-1, 0, 0]");
    assert_string_equal(cx->input_names[1], "Y");
    assert_text(cx->input_values[1], "[0, 0]");
    assert_text(cx->lhs, "1");
    assert_text(cx->rhs, "-1");
    run_clear(&r);
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
    check_run r;
    run_text(&r,
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
    assert_text(cx->input_values[0], "[0, 0]");
    assert_text(cx->lhs, "0");
    assert_text(cx->rhs, "1");
    cx = r.report.claims[1].methods[0].counterexample;
    assert_int_equal(r.report.claims[1].outcome, CVP_OUTCOME_FAILED);
    assert_non_null(cx);
    assert_text(cx->input_values[0], "[0]");
    assert_text(cx->input_values[1], "[0]");
    assert_text(cx->lhs, "0");
    run_clear(&r);
}

/* ---- refute ------------------------------------------------------------- */

/* A refute passes when a counterexample is found: X + X == X fails for
 * any nonzero entry; smallest: one entry 1 (X[1]: X = [1], 2 != 1).
 * Without `by` a refute tries exact first and stops at its first
 * counterexample, so only one method is reported. */
static void test_refute_passes_on_counterexample(void **state)
{
    (void)state;
    check_run r;
    run_text(&r,
             "refute \"doubling is not the identity\" {\n"
             "  tensor X[1]\n"
             "  show X + X == X\n"
             "}\n");
    const cvp_claim_result *c = only_claim(&r);
    assert_true(c->is_refute);
    assert_int_equal(c->outcome, CVP_OUTCOME_PASSED);
    assert_int_equal(c->method_count, 1);
    const cvp_method_result *m = &c->methods[0];
    assert_int_equal(m->method, CVP_METHOD_EXACT);
    assert_int_equal(m->outcome, CVP_OUTCOME_PASSED);
    assert_non_null(m->counterexample);
    assert_text(m->counterexample->input_values[0], "[1]");
    assert_text(m->counterexample->lhs, "[2]");
    assert_text(m->counterexample->rhs, "[1]");
    size_t passed, failed;
    cvp_report_counts(&r.report, &passed, &failed, NULL);
    assert_int_equal(passed, 1);
    assert_int_equal(failed, 0);
    run_clear(&r);

    /* by symbolic: the same, found as a polynomial difference first */
    run_text(&r,
             "refute \"doubling is not the identity\" {\n"
             "  dim N in 1..2\n"
             "  tensor X[N]\n"
             "  show X + X == X\n"
             "  by symbolic\n"
             "}\n");
    c = only_claim(&r);
    assert_int_equal(c->outcome, CVP_OUTCOME_PASSED);
    assert_int_equal(c->methods[0].outcome, CVP_OUTCOME_PASSED);
    assert_non_null(c->methods[0].counterexample);
    assert_string_equal(c->methods[0].counterexample->shape, "N=1");
    assert_text(c->methods[0].counterexample->input_values[0], "[1]");
    run_clear(&r);
}

/* A refute of a true identity fails, by every method it names, and says
 * why; there is no counterexample. */
static void test_refute_fails_on_true_identity(void **state)
{
    (void)state;
    check_run r;
    run_text(&r,
             "refute \"addition does not commute\" {\n"
             "  dim N in 1..3\n"
             "  tensor X[N]\n"
             "  tensor Y[N]\n"
             "  show X + Y == Y + X\n"
             "  by exact, random, symbolic\n"
             "}\n");
    const cvp_claim_result *c = only_claim(&r);
    assert_true(c->is_refute);
    assert_int_equal(c->outcome, CVP_OUTCOME_FAILED);
    assert_int_equal(c->method_count, 3);
    for (size_t k = 0; k < 3; k++) {
        assert_int_equal(c->methods[k].outcome, CVP_OUTCOME_FAILED);
        assert_null(c->methods[k].counterexample);
        assert_int_equal(c->methods[k].shapes, 3);
    }
    assert_non_null(method_of(c, CVP_METHOD_EXACT)->reason);
    size_t passed, failed;
    cvp_report_counts(&r.report, &passed, &failed, NULL);
    assert_int_equal(passed, 0);
    assert_int_equal(failed, 1);
    run_clear(&r);
}

/* ---- grad and jacobian -------------------------------------------------- */

/* d/dx_k sum_i x_i^2 = 2 x_k. */
static void test_grad_of_sum_of_squares(void **state)
{
    (void)state;
    check_run r;
    run_text(&r,
             "claim \"the gradient of the squared norm\" {\n"
             "  dim M, N in 1..3\n"
             "  tensor X[M, N]\n"
             "  show grad(sum(X * X), X) == 2 * X\n"
             "  by exact, symbolic\n"
             "}\n");
    const cvp_claim_result *c = only_claim(&r);
    assert_int_equal(c->outcome, CVP_OUTCOME_PASSED);
    assert_int_equal(method_of(c, CVP_METHOD_EXACT)->outcome, CVP_OUTCOME_PASSED);
    assert_int_equal(method_of(c, CVP_METHOD_SYMBOLIC)->outcome, CVP_OUTCOME_PASSED);
    assert_int_equal(method_of(c, CVP_METHOD_SYMBOLIC)->shapes, 9);
    run_clear(&r);
}

/* d/dx x^3 = 3x^2, not 3x: they agree at 0 and 1 only; at magnitude 1,
 * x = -1 gives 3 != -3.  Counterexample X = [-1] by both methods. */
static void test_grad_wrong_formula(void **state)
{
    (void)state;
    static const char *const methods[] = {"exact(trials=10)", "symbolic"};
    for (size_t k = 0; k < 2; k++) {
        char text[512];
        snprintf(text, sizeof text,
                 "claim \"a wrong derivative of the cube\" {\n"
                 "  tensor X[1]\n"
                 "  show grad(sum(X * X * X), X) == 3 * X\n"
                 "  by %s\n"
                 "}\n", methods[k]);
        check_run r;
        run_text(&r, text);
        const cvp_claim_result *c = only_claim(&r);
        assert_int_equal(c->outcome, CVP_OUTCOME_FAILED);
        const cvp_counterexample *cx = c->methods[0].counterexample;
        assert_non_null(cx);
        assert_text(cx->input_values[0], "[-1]");
        assert_text(cx->lhs, "[3]");
        assert_text(cx->rhs, "[-3]");
        assert_string_equal(cx->differences, "entry [0]: 3 != -3");
        run_clear(&r);
    }
}

/* The derivative of sum(relu(X)) is 1 where x > 0 and 0 where x < 0, and
 * does not exist where some x is 0.  For integers, relu(x) - relu(x - 1)
 * is 1 for x >= 1 and 0 for x <= 0.  As an equation with grad the claim
 * fails at the first instance with a 0 (the first instance is drawn from
 * -1..1); shrunk, that is X = [0, 0], and the message names the ReLU at 0.
 * As a membership in the set of the active pieces' gradients it holds
 * everywhere (at 0 the set is [0, 1] per entry).  A false formula seen
 * only at the kink (5x + 7 = 7 at x = 0) is outside the set: it fails. */
static void test_grad_relu_kinks(void **state)
{
    (void)state;
    check_run r;
    run_text(&r,
             "claim \"the gradient of relu\" {\n"
             "  tensor X[2] values -1..1\n"
             "  show grad(sum(relu(X)), X) == relu(X) - relu(X - 1)\n"
             "  by exact(trials=20)\n"
             "}\n");
    const cvp_claim_result *c = only_claim(&r);
    assert_int_equal(c->outcome, CVP_OUTCOME_FAILED);
    const cvp_counterexample *cx = c->methods[0].counterexample;
    assert_non_null(cx);
    assert_text(cx->input_values[0], "[0, 0]");
    assert_non_null(strstr(cx->differences, "no derivative at this point: a "
                                            "ReLU"));
    assert_non_null(strstr(cx->differences, "subgrad"));
    run_clear(&r);

    run_text(&r,
             "claim \"the step function is in the derivative of relu\" {\n"
             "  tensor X[2] values -1..1\n"
             "  show relu(X) - relu(X - 1) in subgrad(sum(relu(X)), X)\n"
             "  by exact(trials=20)\n"
             "}\n");
    c = only_claim(&r);
    assert_int_equal(c->outcome, CVP_OUTCOME_TESTED);   /* exact alone */
    assert_int_equal(c->methods[0].instances, 20);
    run_clear(&r);

    /* on positive inputs the gradient is all ones: no kink */
    run_text(&r,
             "claim \"the gradient of relu on positive inputs\" {\n"
             "  tensor X[2] values 1..3\n"
             "  show grad(sum(relu(X)), X) == [1, 1]\n"
             "  by exact\n"
             "}\n");
    c = only_claim(&r);
    assert_int_equal(c->outcome, CVP_OUTCOME_TESTED);   /* exact alone */
    assert_int_equal(c->methods[0].instances, 3);
    run_clear(&r);

    /* every instance on the kink: a false formula is outside the set */
    run_text(&r,
             "claim \"a false gradient seen only at the kink\" {\n"
             "  tensor X[2] values 0..0\n"
             "  show 5 * X + 7 in subgrad(sum(relu(X)), X)\n"
             "  by exact\n"
             "}\n");
    c = only_claim(&r);
    assert_int_equal(c->outcome, CVP_OUTCOME_FAILED);
    assert_non_null(c->methods[0].counterexample);
    size_t passed, undecided;
    cvp_report_counts(&r.report, &passed, NULL, &undecided);
    assert_int_equal(passed, 0);
    run_clear(&r);

    /* ties=1: every instance is redrawn until it meets a kink */
    run_text(&r,
             "claim \"relu_backward is in the set\" {\n"
             "  tensor X[3] values -5..5\n"
             "  tensor G[3] values -5..5\n"
             "  show relu_backward(X, G) in subgrad(sum(relu(X) * G), X)\n"
             "  by exact(trials=4, ties=1)\n"
             "}\n");
    c = only_claim(&r);
    assert_int_equal(c->outcome, CVP_OUTCOME_TESTED);   /* exact alone */
    assert_non_null(strstr(c->methods[0].evidence, "until it met a kink"));
    assert_non_null(strstr(c->methods[0].evidence, "0 met none in 64 draws"));
    run_clear(&r);

    /* symbolic cannot differentiate relu: not applicable, and since the
     * claim names it, undecided */
    run_text(&r,
             "claim \"the gradient of relu, symbolically\" {\n"
             "  tensor X[2]\n"
             "  show grad(sum(relu(X)), X) == relu(X) - relu(X - 1)\n"
             "  by symbolic\n"
             "}\n");
    c = only_claim(&r);
    assert_int_equal(c->methods[0].outcome, CVP_OUTCOME_NOT_APPLICABLE);
    assert_int_equal(c->outcome, CVP_OUTCOME_UNDECIDED);
    run_clear(&r);
}

/* jacobian(Y, X) has rows vec(Y) and columns vec(X).  For Y = 2X it is
 * 2I.  For Y = X*X (elementwise), d(x_r^2)/dx_k = 2 x_r [r == k], i.e.
 * diag(2 x0, 2 x1); on the right, [[2, 0], [0, 2]] * X broadcasts X along
 * the rows, entry (r, k) = 2 [r == k] x_k: the same matrix. */
static void test_jacobian(void **state)
{
    (void)state;
    check_run r;
    run_text(&r,
             "claim \"the jacobian of doubling\" {\n"
             "  tensor X[2]\n"
             "  show jacobian(2 * X, X) == 2 * [[1, 0], [0, 1]]\n"
             "  show jacobian(X * X, X) == [[2, 0], [0, 2]] * X\n"
             "  by exact, symbolic\n"
             "}\n");
    const cvp_claim_result *c = only_claim(&r);
    assert_int_equal(c->outcome, CVP_OUTCOME_PASSED);
    assert_int_equal(method_of(c, CVP_METHOD_EXACT)->outcome, CVP_OUTCOME_PASSED);
    assert_int_equal(method_of(c, CVP_METHOD_SYMBOLIC)->outcome, CVP_OUTCOME_PASSED);
    run_clear(&r);

    /* A wrong matrix: the sides do not depend on X, so every entry of the
     * counterexample shrinks to 0.  jacobian(2X, X) = [[2, 0], [0, 2]]
     * differs from [[2, 0], [2, 0]] in row 1. */
    run_text(&r,
             "claim \"a wrong jacobian of doubling\" {\n"
             "  tensor X[2]\n"
             "  show jacobian(2 * X, X) == [[2, 0], [2, 0]]\n"
             "  by symbolic\n"
             "}\n");
    c = only_claim(&r);
    assert_int_equal(c->outcome, CVP_OUTCOME_FAILED);
    const cvp_counterexample *cx = c->methods[0].counterexample;
    assert_non_null(cx);
    assert_string_equal(cx->shape, "(no dims)");
    assert_text(cx->input_values[0], "[0, 0]");
    assert_text(cx->lhs, "[[2, 0], [0, 2]]");
    assert_text(cx->rhs, "[[2, 0], [2, 0]]");
    assert_string_equal(cx->differences,
                        "entry [1,0]: 0 != 2\nentry [1,1]: 2 != 0");
    run_clear(&r);
}

/* ---- mults and size: the cost model against a direct count ------------ */

/* A copy of Q whose multiplication counts its calls. */
static unsigned long counted_mults;

static void counting_mul(cvp_ring *R, void *r, const void *a, const void *b)
{
    counted_mults++;
    cvp_ring_q.mul(R, r, a, b);
}

static void counting_ring_init(cvp_ring *R)
{
    *R = cvp_ring_q;
    R->name = "counting Q";
    R->mul = counting_mul;
    R->model_mults = 0;
    R->mults_overflow = false;
    R->failure = CVP_OK;
    R->failure_message[0] = '\0';
}

static void counting_reset(cvp_ring *R)
{
    counted_mults = 0;
    R->model_mults = 0;
}

/* t := a tensor of ring R with entries 1, 2, 3, ... */
static void counting_tensor(cvp_tensor_t t, cvp_ring *R, int rank,
                            const size_t *shape)
{
    cvp_error err;
    cvp_tensor_init_ring(t, R);
    tu_assert_ok(cvp_tensor_resize(t, rank, shape, &err), &err);
    for (size_t k = 0; k < t->size; k++)
        mpq_set_si(cvp_tensor_elem(t, k), (long)(k % 7) + 1, 1);
}

/* Asserts counted == model == want, then resets both counters. */
static void expect_mults(cvp_ring *R, unsigned long want)
{
    assert_false(R->mults_overflow);
    assert_int_equal(counted_mults, want);
    assert_int_equal(R->model_mults, want);
    counting_reset(R);
}

static void test_mults_count_matches_model(void **state)
{
    (void)state;
    cvp_ring R;
    counting_ring_init(&R);
    cvp_error err;
    cvp_tensor_t X, K, Y, A, B;
    cvp_tensor_init(Y);

    /* conv2d without padding, groups 2: N=2, C=4, H=5, W=6; O=6, C/g=2,
     * kH=3, kW=2; Ho = 5-3+1 = 3, Wo = 6-2+1 = 5.
     * N*O*Ho*Wo*(C/g)*kH*kW = 2*6*3*5*2*3*2 = 2160. */
    counting_tensor(X, &R, 4, (size_t[]){2, 4, 5, 6});
    counting_tensor(K, &R, 4, (size_t[]){6, 2, 3, 2});
    cvp_conv2d_params p = cvp_conv2d_params_default();
    p.groups = 2;
    counting_reset(&R);
    tu_assert_ok(cvp_conv2d(Y, X, K, NULL, &p, &err), &err);
    assert_int_equal(Y->rank, 4);
    assert_int_equal(Y->shape[2], 3);
    assert_int_equal(Y->shape[3], 5);
    expect_mults(&R, 2160);

    /* stride (2, 1), dilation (1, 2): Ho = (5 - 1*2 - 1)/2 + 1 = 2,
     * Wo = (6 - 2*1 - 1)/1 + 1 = 4: 2*6*2*4*2*3*2 = 1152; no padding, so
     * every tap is inside X and the loop performs all of them. */
    p.stride[0] = 2;
    p.dilation[1] = 2;
    tu_assert_ok(cvp_conv2d(Y, X, K, NULL, &p, &err), &err);
    assert_int_equal(Y->shape[2], 2);
    assert_int_equal(Y->shape[3], 4);
    expect_mults(&R, 1152);
    cvp_tensor_clear(X);
    cvp_tensor_clear(K);

    /* xcorr: W 2x3 over X 4x5: output 3x3, 3*3*2*3 = 54. */
    counting_tensor(K, &R, 2, (size_t[]){2, 3});
    counting_tensor(X, &R, 2, (size_t[]){4, 5});
    counting_reset(&R);
    tu_assert_ok(cvp_xcorr(Y, K, X, 1, 1, 1, 1, &err), &err);
    expect_mults(&R, 54);
    cvp_tensor_clear(K);
    cvp_tensor_clear(X);

    /* xcorr, stride 2, dilation 2: W 2x2 over X 5x5: output rows
     * (5 - 2*1 - 1)/2 + 1 = 2, likewise 2 columns: 2*2*2*2 = 16. */
    counting_tensor(K, &R, 2, (size_t[]){2, 2});
    counting_tensor(X, &R, 2, (size_t[]){5, 5});
    counting_reset(&R);
    tu_assert_ok(cvp_xcorr(Y, K, X, 2, 2, 2, 2, &err), &err);
    assert_int_equal(Y->shape[0], 2);
    expect_mults(&R, 16);
    cvp_tensor_clear(K);
    cvp_tensor_clear(X);

    /* matmul [3,4] @ [4,5]: 3*5*4 = 60; [4] @ [4,5]: 5*4 = 20. */
    counting_tensor(A, &R, 2, (size_t[]){3, 4});
    counting_tensor(B, &R, 2, (size_t[]){4, 5});
    counting_reset(&R);
    tu_assert_ok(cvp_tensor_matmul(Y, A, B, &err), &err);
    expect_mults(&R, 60);
    cvp_tensor_clear(A);
    counting_tensor(A, &R, 1, (size_t[]){4});
    counting_reset(&R);
    tu_assert_ok(cvp_tensor_matmul(Y, A, B, &err), &err);
    expect_mults(&R, 20);
    cvp_tensor_clear(A);
    cvp_tensor_clear(B);

    /* elementwise [2,3] * [2,3]: 6; [2,3] * [3] broadcast: 6; + is free. */
    counting_tensor(A, &R, 2, (size_t[]){2, 3});
    counting_tensor(B, &R, 2, (size_t[]){2, 3});
    counting_reset(&R);
    tu_assert_ok(cvp_tensor_mul(Y, A, B, &err), &err);
    expect_mults(&R, 6);
    tu_assert_ok(cvp_tensor_add(Y, A, B, &err), &err);
    expect_mults(&R, 0);
    cvp_tensor_clear(B);
    counting_tensor(B, &R, 1, (size_t[]){3});
    counting_reset(&R);
    tu_assert_ok(cvp_tensor_mul(Y, A, B, &err), &err);
    expect_mults(&R, 6);
    cvp_tensor_clear(A);
    cvp_tensor_clear(B);

    cvp_tensor_clear(Y);
}

/* With padding the loop skips the taps that fall on padded zeros while
 * the model counts them (the count of exercise 5-4).  conv2d of a 3x3
 * image with a 3x3 kernel, padding 1: output 3x3, model 3*3*3*3 = 81.
 * Taps inside the image: along one axis output i sees input i+u-1 for
 * u = 0..2, inside for 2 + 3 + 2 = 7 of the 9 (i, u) pairs; both axes:
 * 7*7 = 49 multiplications performed.  With stride 2 on a 4x4 image:
 * output (4+2-3)/2 + 1 = 2 per axis, model 2*2*9 = 36; along one axis
 * output 0 sees inputs -1..1 (2 inside), output 1 sees 1..3 (3 inside):
 * 5*5 = 25 performed.  The wide cross-correlation pads too: W 2x2 with
 * X 2x2 gives a 3x3 output, model 3*3*2*2 = 36, but each entry of W
 * meets each entry of X exactly once: 2*2*2*2 = 16 performed. */
static void test_mults_padding_counted_by_model_only(void **state)
{
    (void)state;
    cvp_ring R;
    counting_ring_init(&R);
    cvp_error err;
    cvp_tensor_t X, K, Y;
    cvp_tensor_init(Y);
    cvp_conv2d_params p = cvp_conv2d_params_default();
    p.padding[0] = p.padding[1] = 1;

    counting_tensor(X, &R, 4, (size_t[]){1, 1, 3, 3});
    counting_tensor(K, &R, 4, (size_t[]){1, 1, 3, 3});
    counting_reset(&R);
    tu_assert_ok(cvp_conv2d(Y, X, K, NULL, &p, &err), &err);
    assert_int_equal(counted_mults, 49);
    assert_int_equal(R.model_mults, 81);
    assert_true(counted_mults < R.model_mults);
    cvp_tensor_clear(X);

    counting_tensor(X, &R, 4, (size_t[]){1, 1, 4, 4});
    counting_reset(&R);
    p.stride[0] = p.stride[1] = 2;
    tu_assert_ok(cvp_conv2d(Y, X, K, NULL, &p, &err), &err);
    assert_int_equal(Y->shape[2], 2);
    assert_int_equal(counted_mults, 25);
    assert_int_equal(R.model_mults, 36);
    cvp_tensor_clear(X);
    cvp_tensor_clear(K);

    counting_tensor(K, &R, 2, (size_t[]){2, 2});
    counting_tensor(X, &R, 2, (size_t[]){2, 2});
    counting_reset(&R);
    tu_assert_ok(cvp_wide(Y, K, X, &err), &err);
    assert_int_equal(counted_mults, 16);
    assert_int_equal(R.model_mults, 36);
    cvp_tensor_clear(X);
    cvp_tensor_clear(K);
    cvp_tensor_clear(Y);
}

/* The same counts through the language: mults() and size() as the
 * checker evaluates them. */
static void test_mults_and_size_in_proofs(void **state)
{
    (void)state;
    check_run r;
    run_text(&r,
             "claim \"costs of small operators\" {\n"
             "  tensor X[1, 1, 3, 3]\n"
             "  tensor K[1, 1, 3, 3]\n"
             "  tensor A[3, 4]\n"
             "  tensor B[4, 5]\n"
             "  tensor P[2, 3]\n"
             "  tensor Q[3]\n"
             "  tensor G[2, 4, 5, 6]\n"
             "  tensor H[6, 2, 3, 2]\n"
             "  show mults(conv2d(X, K, padding=1)) == 81\n"
             "  show mults(conv2d(X, K)) == 9\n"
             "  show mults(conv2d(G, H, groups=2)) == 2160\n"
             "  show mults(A @ B) == 60\n"
             "  show mults(P * Q) == 6\n"
             "  show mults(P + Q) == 0\n"
             "  show mults(A @ B + A @ B) == 120\n"
             "  show size(conv2d(X, K, padding=1)) == 9\n"
             "  show size(A @ B) == 15\n"
             "  by exact(trials=1)\n"
             "}\n");
    const cvp_claim_result *c = only_claim(&r);
    assert_int_equal(c->outcome, CVP_OUTCOME_TESTED);   /* exact alone */
    run_clear(&r);
}

/* Exercise 5-4: C_out*H*W*C_in*3*3 = 256*100*100*256*9 = 5,898,240,000,
 * counted by the model without evaluating the layer (which would take
 * about 6e9 rational multiplications). */
static void test_mults_exercise_5_4(void **state)
{
    (void)state;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    check_run r;
    run_text(&r,
             "claim \"exercise 5-4: the direct 3x3 convolution\" {\n"
             "  tensor X[1, 256, 100, 100]\n"
             "  tensor K[256, 256, 3, 3]\n"
             "  show mults(conv2d(X, K, padding=1)) == 5898240000\n"
             "  by exact(trials=1)\n"
             "}\n");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    const cvp_claim_result *c = only_claim(&r);
    assert_int_equal(c->outcome, CVP_OUTCOME_TESTED);   /* exact alone */
    assert_int_equal(c->methods[0].outcome, CVP_OUTCOME_PASSED);
    assert_int_equal(c->methods[0].instances, 1);
    /* generous: it takes about a second (mostly building the 3.1 million
     * input entries), several minutes if the layer were evaluated; the
     * bound leaves room for valgrind */
    double seconds = (double)(t1.tv_sec - t0.tv_sec)
                     + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    assert_true(seconds < 240.0);
    run_clear(&r);
}

/* ---- which methods apply ------------------------------------------------ */

static void test_method_applicability(void **state)
{
    (void)state;
    /* relu needs an order, which polynomials lack: symbolic does not
     * apply, and a claim that asked for it is undecided. */
    check_run r;
    run_text(&r,
             "claim \"relu is itself\" {\n"
             "  tensor X[3]\n"
             "  show relu(X) == relu(X)\n"
             "  by symbolic\n"
             "}\n");
    const cvp_claim_result *c = only_claim(&r);
    assert_int_equal(c->method_count, 1);
    assert_int_equal(c->methods[0].outcome, CVP_OUTCOME_NOT_APPLICABLE);
    assert_non_null(c->methods[0].reason);
    assert_int_equal(c->outcome, CVP_OUTCOME_UNDECIDED);
    size_t passed, failed, undecided;
    cvp_report_counts(&r.report, &passed, &failed, &undecided);
    assert_int_equal(passed + failed, 0);
    assert_int_equal(undecided, 1);
    run_clear(&r);

    /* Without `by`: symbolic and random do not apply and are ignored;
     * exact decides, by sampling: TESTED. */
    run_text(&r,
             "claim \"relu is itself\" {\n"
             "  tensor X[3]\n"
             "  show relu(X) == relu(X)\n"
             "}\n");
    c = only_claim(&r);
    assert_int_equal(c->outcome, CVP_OUTCOME_TESTED);
    assert_int_equal(method_of(c, CVP_METHOD_SYMBOLIC)->outcome,
                     CVP_OUTCOME_NOT_APPLICABLE);
    assert_int_equal(method_of(c, CVP_METHOD_RANDOM)->outcome,
                     CVP_OUTCOME_NOT_APPLICABLE);
    assert_int_equal(method_of(c, CVP_METHOD_EXACT)->outcome, CVP_OUTCOME_PASSED);
    run_clear(&r);

    /* ... and a false relu claim fails by exact: relu(X) == X fails for
     * any negative entry; smallest: one entry -1 (0 != -1). */
    run_text(&r,
             "claim \"relu is the identity\" {\n"
             "  tensor X[1] values -3..3\n"
             "  show relu(X) == X\n"
             "  by random, exact(trials=10)\n"
             "}\n");
    c = only_claim(&r);
    assert_int_equal(c->outcome, CVP_OUTCOME_FAILED);
    assert_int_equal(method_of(c, CVP_METHOD_RANDOM)->outcome,
                     CVP_OUTCOME_NOT_APPLICABLE);
    const cvp_counterexample *cx = method_of(c, CVP_METHOD_EXACT)->counterexample;
    assert_non_null(cx);
    assert_text(cx->input_values[0], "[-1]");
    assert_text(cx->lhs, "[0]");
    run_clear(&r);
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
        check_run r;
        run_text(&r, text);
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
        run_clear(&r);
    }
}

/* An error stops the file: the claim after it is not checked. */
static void test_error_stops_the_file(void **state)
{
    (void)state;
    check_run r;
    run_text(&r,
             "claim \"fine\" {\n"
             "  tensor X[2]\n"
             "  show X == X\n"
             "}\n"
             "claim \"shapes do not fit\" {\n"
             "  tensor X[2]\n"
             "  tensor Y[3]\n"
             "  show X + Y == Y + X\n"
             "}\n"
             "claim \"never reached\" {\n"
             "  tensor X[2]\n"
             "  show X == X\n"
             "}\n");
    assert_int_equal(r.status, CVP_ERR_INPUT);
    assert_int_equal(r.err.pos.line, 8);
    /* one shape only: no "(at shape (no dims))" tail */
    assert_null(strstr(r.err.message, "(no dims)"));
    assert_null(strstr(r.err.message, "at shape"));
    assert_int_equal(r.report.claim_count, 2);
    assert_int_equal(r.report.claims[0].outcome, CVP_OUTCOME_PASSED);
    run_clear(&r);
}

/* A limit leaves the claim undecided, with a located reason, and the
 * check goes on (the status stays CVP_OK: a limit is a verdict, not an
 * error).  sum(X) * sum(X) for X[3] has 6 terms (3 squares, 3 cross
 * terms), over a limit of 4; already sum(X) fits (3 terms). */
static void test_polynomial_limit_is_located(void **state)
{
    (void)state;
    check_run r;
    run_text_terms(&r,
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
    run_clear(&r);
}

/* ---- dims as values --------------------------------------------------------- */

/* pad(X, U) adds zeros only: the sum is unchanged, for every U in 0..2
 * (U read as an integer argument). M in 1..3, U in 0..2: 9 shapes. */
static void test_dims_as_values(void **state)
{
    (void)state;
    check_run r;
    run_text(&r,
             "claim \"padding adds zeros\" {\n"
             "  dim M in 1..3\n"
             "  dim U in 0..2\n"
             "  tensor X[M, M]\n"
             "  show sum(pad(X, U)) == sum(X)\n"
             "  show size(pad(X, U)) == (M + 2 * U) * (M + 2 * U)\n"
             "}\n");
    const cvp_claim_result *c = only_claim(&r);
    assert_int_equal(c->outcome, CVP_OUTCOME_PASSED);
    assert_int_equal(c->method_count, 3);
    for (size_t k = 0; k < c->method_count; k++) {
        assert_int_equal(c->methods[k].outcome, CVP_OUTCOME_PASSED);
        assert_int_equal(c->methods[k].shapes, 9);
    }
    run_clear(&r);

    /* a dim used wrongly is caught: pad by U+1 makes the sizes differ at
     * the smallest shape, M=1, U=0: size 9, not 1.  Sides depend on no
     * value, so the inputs shrink to zero. */
    run_text(&r,
             "claim \"padding by one more\" {\n"
             "  dim M in 1..3\n"
             "  dim U in 0..2\n"
             "  tensor X[M, M]\n"
             "  show size(pad(X, U + 1)) == (M + 2 * U) * (M + 2 * U)\n"
             "  by exact\n"
             "}\n");
    c = only_claim(&r);
    assert_int_equal(c->outcome, CVP_OUTCOME_FAILED);
    const cvp_counterexample *cx = c->methods[0].counterexample;
    assert_non_null(cx);
    assert_string_equal(cx->shape, "M=1, U=0");
    assert_text(cx->input_values[0], "[[0]]");
    assert_text(cx->lhs, "9");
    assert_text(cx->rhs, "1");
    run_clear(&r);
}

/* No shape satisfies the constraints: nothing was shown. */
static void test_no_shape_is_undecided(void **state)
{
    (void)state;
    check_run r;
    run_text(&r,
             "claim \"impossible shapes\" {\n"
             "  dim M in 1..3\n"
             "  where M > 3\n"
             "  tensor X[M]\n"
             "  show X == X\n"
             "  by exact, symbolic\n"
             "}\n");
    const cvp_claim_result *c = only_claim(&r);
    assert_int_equal(c->outcome, CVP_OUTCOME_UNDECIDED);
    for (size_t k = 0; k < c->method_count; k++)
        assert_int_not_equal(c->methods[k].outcome, CVP_OUTCOME_PASSED);
    run_clear(&r);
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
        cmocka_unit_test(test_grad_of_sum_of_squares),
        cmocka_unit_test(test_grad_wrong_formula),
        cmocka_unit_test(test_grad_relu_kinks),
        cmocka_unit_test(test_jacobian),
        cmocka_unit_test(test_mults_count_matches_model),
        cmocka_unit_test(test_mults_padding_counted_by_model_only),
        cmocka_unit_test(test_mults_and_size_in_proofs),
        cmocka_unit_test(test_mults_exercise_5_4),
        cmocka_unit_test(test_method_applicability),
        cmocka_unit_test(test_shape_error_is_located),
        cmocka_unit_test(test_error_stops_the_file),
        cmocka_unit_test(test_polynomial_limit_is_located),
        cmocka_unit_test(test_dims_as_values),
        cmocka_unit_test(test_no_shape_is_undecided),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
