/* test_verdict.c -- cmocka tests of the TESTED verdict (check/verdict.h):
 * a claim that only sampling supports (exact, implementation calls) is
 * TESTED, never PASSED, unless a proving method also passed; a refute
 * settled by an exact counterexample stays PASSED.
 *
 * Three layers: cvp_claim_decide and the counts on records built by hand,
 * the checker's own decision on small .proof texts (each claim's truth
 * worked out in the comment beside it), and every report format on a
 * two-claim report (one PASSED, one TESTED).
 */
#include "testutil_check.h"
#include "testutil_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check/check.h"
#include "check/verdict.h"
#include "lang/proof.h"
#include "report/render.h"

/* ---- cvp_claim_decide on records built by hand ------------------------- */

/* A claim (or refute) with one method result per (method, outcome) pair. */
static cvp_outcome decide_with(bool is_refute, size_t count,
                               const cvp_method *methods,
                               const cvp_outcome *outcomes)
{
    cvp_report r;
    cvp_report_init(&r, "test", 1);
    cvp_claim_result *c = cvp_report_add_claim(&r, "c", is_refute, NULL, 0, NULL);
    for (size_t k = 0; k < count; k++)
        cvp_claim_add_method(c, methods[k])->outcome = outcomes[k];
    cvp_outcome o = cvp_claim_decide(c);
    assert_int_equal(o, c->outcome);
    cvp_report_clear(&r);
    return o;
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(cvp_outcome_name(CVP_OUTCOME_TESTED), "tested");
    /* exact and bounded judge only the instances they draw */
    assert_false(cvp_method_proves(CVP_METHOD_EXACT));
    assert_true(cvp_method_proves(CVP_METHOD_RANDOM));
    assert_true(cvp_method_proves(CVP_METHOD_SYMBOLIC));
    assert_true(cvp_method_proves(CVP_METHOD_ALL_SHAPES));
    assert_false(cvp_method_proves(CVP_METHOD_BOUNDED));
}

static void test_decide_by_hand(void **state)
{
    (void)state;
    const cvp_outcome P = CVP_OUTCOME_PASSED, F = CVP_OUTCOME_FAILED,
                      U = CVP_OUTCOME_UNDECIDED, N = CVP_OUTCOME_NOT_APPLICABLE;
    const cvp_method E = CVP_METHOD_EXACT, S = CVP_METHOD_SYMBOLIC,
                     R = CVP_METHOD_RANDOM, B = CVP_METHOD_BOUNDED;
    /* exact alone passed: held on its samples, no proof */
    assert_int_equal(decide_with(false, 1, (cvp_method[]){E}, (cvp_outcome[]){P}),
                     CVP_OUTCOME_TESTED);
    /* the other methods could not judge it: still only sampled */
    assert_int_equal(decide_with(false, 3, (cvp_method[]){S, R, E},
                                 (cvp_outcome[]){N, U, P}),
                     CVP_OUTCOME_TESTED);
    /* a proving method passed as well: a proof */
    assert_int_equal(decide_with(false, 2, (cvp_method[]){E, S}, (cvp_outcome[]){P, P}),
                     CVP_OUTCOME_PASSED);
    assert_int_equal(decide_with(false, 2, (cvp_method[]){R, B}, (cvp_outcome[]){P, P}),
                     CVP_OUTCOME_PASSED);
    /* bounded encloses rigorously, but at drawn instances only */
    assert_int_equal(decide_with(false, 2, (cvp_method[]){E, B}, (cvp_outcome[]){P, P}),
                     CVP_OUTCOME_TESTED);
    /* a counterexample settles it whatever else passed */
    assert_int_equal(decide_with(false, 2, (cvp_method[]){S, E}, (cvp_outcome[]){P, F}),
                     CVP_OUTCOME_FAILED);
    /* a refute proved by an exact counterexample passes, not TESTED */
    assert_int_equal(decide_with(true, 1, (cvp_method[]){E}, (cvp_outcome[]){P}),
                     CVP_OUTCOME_PASSED);
    /* a refute where exact found nothing fails */
    assert_int_equal(decide_with(true, 1, (cvp_method[]){E}, (cvp_outcome[]){F}),
                     CVP_OUTCOME_FAILED);
}

static void test_counts(void **state)
{
    (void)state;
    cvp_report r;
    cvp_report_init(&r, "test", 1);
    const cvp_outcome outcomes[] = {CVP_OUTCOME_PASSED, CVP_OUTCOME_TESTED,
                                    CVP_OUTCOME_TESTED, CVP_OUTCOME_FAILED,
                                    CVP_OUTCOME_UNDECIDED};
    for (size_t k = 0; k < 5; k++)
        cvp_report_add_claim(&r, "c", false, NULL, 0, NULL)->outcome = outcomes[k];
    size_t passed, failed, undecided;
    cvp_report_counts(&r, &passed, &failed, &undecided);
    /* a TESTED claim is neither passed nor undecided */
    assert_int_equal(passed, 1);
    assert_int_equal(failed, 1);
    assert_int_equal(undecided, 1);
    assert_int_equal(cvp_report_tested_count(&r), 2);
    cvp_report_clear(&r);
}

/* ---- the checker's decision ---------------------------------------------- */

/* Checks `text` with the default options; every claim must check
 * without error. */
static void run_text(tu_check_run *r, const char *text)
{
    tu_run_text(r, text);
    if (r->status != CVP_OK)
        fail_msg("check failed: %s", r->err.message);
}

/* X*(X-1)*(X+1)*(X-2)*(X+2) is 0 at every integer in -2..2, the only
 * values exact draws here, and 5*4*3*2*1 = 120 at X = 3: the claim is
 * false, and sampling cannot see it. */
#define VANISHING_ON_SAMPLES                                                  \
    "  tensor X[1] values -2..2\n"                                            \
    "  show X * (X - 1) * (X + 1) * (X - 2) * (X + 2) == 0 * X\n"

static void test_exact_alone_is_tested(void **state)
{
    (void)state;
    tu_check_run r;
    /* true, polynomial: exact passes, and alone it proves nothing */
    run_text(&r, "claim \"doubling\" {\n"
                 "  dim N in 1..3\n"
                 "  tensor X[N]\n"
                 "  show X + X == 2 * X\n"
                 "  by exact\n"
                 "}\n"
                 "claim \"vanishes on the samples\" {\n" VANISHING_ON_SAMPLES
                 "  by exact\n"
                 "}\n");
    assert_int_equal(r.report.claim_count, 2);
    for (size_t k = 0; k < 2; k++) {
        const cvp_claim_result *c = &r.report.claims[k];
        assert_int_equal(tu_method_of(c, CVP_METHOD_EXACT)->outcome, CVP_OUTCOME_PASSED);
        assert_int_equal(c->outcome, CVP_OUTCOME_TESTED);
    }
    size_t passed;
    cvp_report_counts(&r.report, &passed, NULL, NULL);
    assert_int_equal(passed, 0);
    assert_int_equal(cvp_report_tested_count(&r.report), 2);
    tu_run_clear(&r);
}

static void test_proving_method_makes_pass(void **state)
{
    (void)state;
    tu_check_run r;
    run_text(&r, "claim \"doubling\" {\n"
                 "  dim N in 1..3\n"
                 "  tensor X[N]\n"
                 "  show X + X == 2 * X\n"
                 "  by exact, symbolic\n"
                 "}\n"
                 /* symbolic expands the product and sees the X^5 term */
                 "claim \"vanishes on the samples\" {\n" VANISHING_ON_SAMPLES
                 "  by exact, symbolic\n"
                 "}\n");
    const cvp_claim_result *c = &r.report.claims[0];
    assert_int_equal(tu_method_of(c, CVP_METHOD_EXACT)->outcome, CVP_OUTCOME_PASSED);
    assert_int_equal(tu_method_of(c, CVP_METHOD_SYMBOLIC)->outcome, CVP_OUTCOME_PASSED);
    assert_int_equal(c->outcome, CVP_OUTCOME_PASSED);
    c = &r.report.claims[1];
    assert_int_equal(tu_method_of(c, CVP_METHOD_EXACT)->outcome, CVP_OUTCOME_PASSED);
    assert_int_equal(tu_method_of(c, CVP_METHOD_SYMBOLIC)->outcome, CVP_OUTCOME_FAILED);
    assert_int_equal(c->outcome, CVP_OUTCOME_FAILED);
    tu_run_clear(&r);
}

/* relu(Z) - relu(-Z) == Z holds for every real Z; no polynomial method
 * applies to relu, but regions joins the default methods there and
 * proves it on each of the 3 + 9 + 27 sign cells of N = 1..3: PASS.  The
 * same statement as a refute finds no counterexample (FAILED), and a
 * false one is refuted by exact (PASSED: a counterexample in Q is a
 * proof). */
static void test_default_methods_and_refutes(void **state)
{
    (void)state;
    tu_check_run r;
    run_text(&r, "claim \"relu splits Z\" {\n"
                 "  dim N in 1..3\n"
                 "  tensor Z[N] values -3..3\n"
                 "  show relu(Z) - relu(-Z) == Z\n"
                 "}\n"
                 "refute \"relu splits Z (refuted)\" {\n"
                 "  dim N in 1..3\n"
                 "  tensor Z[N] values -3..3\n"
                 "  show relu(Z) - relu(-Z) == Z\n"
                 "  by exact\n"
                 "}\n"
                 "refute \"relu is the identity\" {\n"
                 "  dim N in 1..3\n"
                 "  tensor Z[N] values -3..-1\n"
                 "  show relu(Z) == Z\n"
                 "  by exact\n"
                 "}\n");
    assert_int_equal(r.report.claim_count, 3);
    const cvp_claim_result *c = &r.report.claims[0];
    assert_int_equal(tu_method_of(c, CVP_METHOD_EXACT)->outcome, CVP_OUTCOME_PASSED);
    assert_int_equal(tu_method_of(c, CVP_METHOD_REGIONS)->outcome, CVP_OUTCOME_PASSED);
    assert_int_equal(tu_method_of(c, CVP_METHOD_REGIONS)->instances, 3 + 9 + 27);
    assert_non_null(strstr(tu_method_of(c, CVP_METHOD_REGIONS)->evidence,
                           "39 cells of the kinks (25 of them ties"));
    assert_int_equal(tu_method_of(c, CVP_METHOD_SYMBOLIC)->outcome,
                     CVP_OUTCOME_NOT_APPLICABLE);
    assert_int_equal(c->outcome, CVP_OUTCOME_PASSED);
    assert_int_equal(r.report.claims[1].outcome, CVP_OUTCOME_FAILED);
    /* every value in -3..-1 is a counterexample: relu(-1) = 0 != -1 */
    assert_int_equal(r.report.claims[2].outcome, CVP_OUTCOME_PASSED);
    tu_run_clear(&r);
}

/* ---- the report formats ----------------------------------------------------- */

/* Claim 1 PASSED by symbolic, claim 2 TESTED by exact. */
static void build_report(cvp_report *r)
{
    cvp_report_init(r, "0.1.0", 7);
    cvp_claim_result *c = cvp_report_add_claim(r, "proved", false, "a.proof", 3,
                                               "show X == X");
    cvp_method_result *m = cvp_claim_add_method(c, CVP_METHOD_SYMBOLIC);
    m->outcome = CVP_OUTCOME_PASSED;
    m->shapes = m->instances = 1;
    cvp_claim_decide(c);
    c = cvp_report_add_claim(r, "sampled", false, "a.proof", 9, "show relu(X) == X");
    m = cvp_claim_add_method(c, CVP_METHOD_SYMBOLIC);
    m->outcome = CVP_OUTCOME_NOT_APPLICABLE;
    m = cvp_claim_add_method(c, CVP_METHOD_EXACT);
    m->outcome = CVP_OUTCOME_PASSED;
    m->shapes = 2;
    m->instances = 6;
    cvp_claim_decide(c);
    assert_int_equal(r->claims[0].outcome, CVP_OUTCOME_PASSED);
    assert_int_equal(r->claims[1].outcome, CVP_OUTCOME_TESTED);
}

static void test_text(void **state)
{
    (void)state;
    cvp_report r;
    build_report(&r);
    char *text = tu_render(cvp_report_write_text, &r, NULL);
    tu_assert_rendered_has(text, "PASS \"proved\" a.proof:3\n");
    tu_assert_rendered_has(text, "TESTED \"sampled\" a.proof:9\n");
    /* the summary is the last line */
    const char *summary = "1 passed, 1 tested, 0 failed\n";
    size_t len = strlen(text), slen = strlen(summary);
    assert_true(len >= slen);
    assert_string_equal(text + len - slen, summary);
    free(text);
    /* quiet hides the proof but keeps the sampled claim */
    cvp_render_options quiet = {false, true, false, false};
    text = tu_render(cvp_report_write_text, &r, &quiet);
    assert_null(strstr(text, "\"proved\""));
    tu_assert_rendered_has(text, "TESTED \"sampled\"");
    free(text);
    /* its own colour, bold cyan */
    cvp_render_options color = {false, false, true, false};
    text = tu_render(cvp_report_write_text, &r, &color);
    tu_assert_rendered_has(text, "\033[1;36mTESTED\033[0m \"sampled\"");
    free(text);
    cvp_report_clear(&r);
}

static void test_markdown_html_junit(void **state)
{
    (void)state;
    cvp_report r;
    build_report(&r);
    char *md = tu_render(cvp_report_write_markdown, &r, NULL);
    tu_assert_rendered_has(md, "**1 passed, 1 tested, 0 failed**");
    tu_assert_rendered_has(md, "| 2 | sampled | a.proof:9 | TESTED | exact (passed) |");
    tu_assert_rendered_has(md, "## 2. TESTED: sampled");
    free(md);

    char *html = tu_render(cvp_report_write_html, &r, NULL);
    tu_assert_rendered_has(html, "<span class=\"badge tested\">TESTED</span>");
    tu_assert_rendered_has(html, "class=\"claim c-tested\" id=\"claim-2\"");
    tu_assert_rendered_has(html, ".tested{background:");
    tu_assert_rendered_has(html, "<strong>1 passed, 1 tested, 0 failed</strong>");
    free(html);

    /* a passing test case, marked tested; the proved claim's is plain */
    char *xml = tu_render(cvp_report_write_junit, &r, NULL);
    tu_assert_rendered_has(xml, "name=\"proved [symbolic]\" time=\"0.000\" file=\"a.proof\" "
                         "line=\"3\"/>\n");
    tu_assert_rendered_has(xml, "name=\"sampled [exact]\" time=\"0.000\" file=\"a.proof\" "
                         "line=\"9\" status=\"tested\">\n      <system-out>tested, "
                         "not proved");
    tu_assert_rendered_has(xml, "tests=\"3\" failures=\"0\" errors=\"0\" skipped=\"1\"");
    free(xml);
    cvp_report_clear(&r);
}

static void test_json(void **state)
{
    (void)state;
    cvp_report r;
    build_report(&r);
    char *json = tu_render(cvp_report_write_json, &r, NULL);
    tu_assert_rendered_has(json, "\"schema_version\": 3,\n");
    tu_assert_rendered_has(json, "\"summary\": {\"passed\": 1, \"tested\": 1, \"failed\": 0, "
                          "\"undecided\": 0},\n");
    tu_assert_rendered_has(json, "\"title\": \"sampled\"");
    /* independently: schema, key order, summary against the outcomes */
    const char *const checks[] = {
        "claims.0.outcome", "passed",
        "claims.1.outcome", "tested",
        "claims.1.methods.1.method", "exact",
        "claims.1.methods.1.outcome", "passed",
        "summary.tested", "1",
        NULL};
    int status = tu_run_json_check(json, checks);
    if (status == -1)
        fprintf(stderr, "note: no " CVP_TEST_PYTHON ": JSON not checked by Python\n");
    else
        assert_int_equal(status, 0);
    /* and a method outcome of "tested" is refused by the schema */
    char *bad = strdup(json);
    assert_non_null(bad);
    char *at = strstr(bad, "\"outcome\": \"passed\",\n          \"strength\"");
    assert_non_null(at);
    memcpy(at, "\"outcome\": \"tested\",", strlen("\"outcome\": \"tested\","));
    status = tu_run_json_check(bad, (const char *const[]){NULL});
    if (status != -1)
        assert_int_equal(status, 1);
    free(bad);
    free(json);
    cvp_report_clear(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_decide_by_hand),
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_exact_alone_is_tested),
        cmocka_unit_test(test_proving_method_makes_pass),
        cmocka_unit_test(test_default_methods_and_refutes),
        cmocka_unit_test(test_text),
        cmocka_unit_test(test_markdown_html_junit),
        cmocka_unit_test(test_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
