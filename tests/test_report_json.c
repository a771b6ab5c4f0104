/* test_report_json.c -- the JSON rendering of verdict records.
 *
 * Expected output is written out by hand below (the escaped JSON strings),
 * never copied from the renderer.  The JSON is also checked by a second,
 * independent reader: tests/report_json_check.py parses it with Python's
 * json module (strict UTF-8, no NaN, no duplicate keys), validates it
 * against docs/report-schema.json -- with the jsonschema module when
 * importable, else with the script's own validator of the keywords the
 * schema uses -- and compares decoded values with the original strings.
 * Without /usr/bin/python3 those assertions are skipped (the test says
 * so).
 */
#include "testutil_report.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "report/render.h"
#include "report/render_util.h"
#include "check/verdict.h"

/* ---- JSON ------------------------------------------------------------------ */

static void assert_json_checks(const char *json, const char *const *checks)
{
    int status = tu_run_json_check(json, checks);
    if (status == -1) {
        fprintf(stderr, "note: no " CVP_TEST_PYTHON ": JSON not checked by Python\n");
        return;
    }
    if (status != 0)
        fprintf(stderr, "JSON that failed the check:\n%s", json);
    assert_int_equal(status, 0);
}

static void test_json_sample(void **state)
{
    (void)state;
    cvp_report r;
    tu_build_sample_report(&r);
    char *json = tu_render(cvp_report_write_json, &r, NULL);

    /* Escaping, checked by hand in C. */
    const char *head =
        "{\n"
        "  \"schema_version\": 3,\n"
        "  \"tool_version\": \"0.1.0\",\n"
        "  \"seed\": \"42\",\n"
        "  \"shard\": null,\n"
        "  \"summary\": {\"passed\": 2, \"tested\": 0, \"failed\": 1, \"undecided\": 1},\n"
        "  \"claims\": [\n"
        "    {\n"
        "      \"title\": \"wide convolution commutes\",\n"
        "      \"kind\": \"claim\",\n"
        "      \"file\": \"proofs/conv.proof\",\n"
        "      \"line\": 12,\n"
        "      \"statement\": \"show wconv(W, X) == wconv(X, W)\\n\",\n"
        "      \"outcome\": \"passed\",\n"
        "      \"seconds\": 0.129000,\n";
    if (strncmp(json, head, strlen(head)) != 0)
        fprintf(stderr, "JSON begins:\n%.400s\n--- expected:\n%s", json, head);
    assert_true(strncmp(json, head, strlen(head)) == 0);
    tu_assert_rendered_has(json, "{\"name\": \"label\", \"value\": \"a \\\"quoted\\\"\\tback"
                          "\\\\slash\\nnext line: \xce\xa3 \xc3\xbc\"}\n");
    tu_assert_rendered_has(json, "\"evidence\": \"ties broken \\u001b[31mleft to right\",\n");
    tu_assert_rendered_has(json, "\"title\": \"max-pool backward routes to the "
                          "\\\"first\\\" max\",\n");
    tu_assert_rendered_has(json, "\"kind\": \"refute\",\n");
    tu_assert_rendered_has(json, "\"counterexample\": null\n");
    tu_assert_rendered_has(json, "\"show_line\": 31,\n");

    /* And by an independent reader: decoded values equal the originals. */
    static const char *const checks[] = {
        "summary.passed", "2",
        "summary.undecided", "1",
        "seed", "42",
        "claims.0.line", "12",
        "claims.0.methods.0.seconds", "0.004",
        "claims.0.methods.0.strength", "holds on the instances checked, exactly",
        /* a method that found a counterexample, or could not judge the
         * claim, says nothing of what holding would mean */
        "claims.1.methods.0.strength", "null",
        "claims.0.methods.2.strength", "null",
        "claims.1.methods.0.counterexample.failure", "null",
        "claims.0.methods.2.outcome", "not_applicable",
        "claims.0.methods.2.evidence", "null",
        "claims.1.title", "max-pool backward routes to the \"first\" max",
        "claims.1.outcome", "failed",
        "claims.1.methods.0.counterexample.inputs.0.value", "[[1, 1],\n [0, 0]]\n",
        "claims.1.methods.0.counterexample.inputs.2.name", "label",
        "claims.1.methods.0.counterexample.inputs.2.value", TU_TRICKY_VALUE,
        "claims.1.methods.0.evidence", "ties broken \x1b[31mleft to right",
        "claims.1.methods.1.counterexample.lhs", "null",
        "claims.1.methods.1.counterexample.inputs", "[]",
        "claims.2.methods.0.counterexample", "null",
        "claims.3.kind", "refute",
        "claims.3.outcome", "passed",
        "claims.3.methods.0.counterexample.show_line", "4",
        NULL};
    assert_json_checks(json, checks);
    free(json);
    cvp_report_clear(&r);
}

static void test_json_edge_values(void **state)
{
    (void)state;
    cvp_report r;
    cvp_report_init(&r, NULL, 18446744073709551615ULL);
    tu_assert_rendered(cvp_report_write_json, &r, NULL,
                    "{\n"
                    "  \"schema_version\": 3,\n"
                    "  \"tool_version\": null,\n"
                    "  \"seed\": \"18446744073709551615\",\n"
                    "  \"shard\": null,\n"
                    "  \"summary\": {\"passed\": 0, \"tested\": 0, \"failed\": 0, "
                    "\"undecided\": 0},\n"
                    "  \"claims\": []\n"
                    "}\n");
    assert_json_checks("{\n  \"schema_version\": 3,\n  \"tool_version\": null,\n"
                       "  \"seed\": \"18446744073709551615\",\n"
                       "  \"shard\": null,\n  \"summary\": "
                       "{\"passed\": 0, \"tested\": 0, \"failed\": 0, \"undecided\": 0},\n"
                       "  \"claims\": []\n}\n", NULL);

    /* Non-finite and negative times, unknown file and lines, every control
     * character, DEL and bytes that are not UTF-8 (a lone continuation
     * byte, an overlong '/', a UTF-16 surrogate, a truncated sequence). */
    char controls[40];
    for (int k = 1; k < 32; k++)
        controls[k - 1] = (char)k;
    controls[31] = 0x7f;
    controls[32] = '\0';
    cvp_claim_result *c = cvp_report_add_claim(
        &r, NULL, false, NULL, -1, controls);
    c->seconds = NAN;
    cvp_method_result *m = cvp_claim_add_method(c, CVP_METHOD_BOUNDED);
    m->seconds = -INFINITY;
    cvp_set_text(&m->reason, "\x80 \xc0\xaf \xed\xa0\x80 \xe2\x82");
    m = cvp_claim_add_method(c, CVP_METHOD_ALL_SHAPES);
    m->seconds = 1e300;
    char *json = tu_render(cvp_report_write_json, &r, NULL);
    tu_assert_rendered_has(json, "\"title\": \"\",\n");
    tu_assert_rendered_has(json, "\"file\": null,\n");
    tu_assert_rendered_has(json, "\"line\": null,\n");
    tu_assert_rendered_has(json,
        "\"statement\": \"\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007"
        "\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013"
        "\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c"
        "\\u001d\\u001e\\u001f\\u007f\",\n");
    tu_assert_rendered_has(json, "\"seconds\": 0.000000,\n      \"methods\"");
    tu_assert_rendered_has(json, "\"reason\": \"\\ufffd \\ufffd\\ufffd "
                          "\\ufffd\\ufffd\\ufffd \\ufffd\\ufffd\",\n");
    tu_assert_rendered_has(json, "\"seconds\": 1000000000.000000,\n");
    tu_assert_rendered_lacks(json, "nan");
    tu_assert_rendered_lacks(json, "inf");
    static const char *const checks[] = {
        "summary.undecided", "1",
        "claims.0.methods.0.outcome", "undecided",
        "claims.0.methods.0.seconds", "0.0",
        "claims.0.methods.0.reason",
        "\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
        " \xef\xbf\xbd\xef\xbf\xbd",
        NULL};
    assert_json_checks(json, checks);
    free(json);
    cvp_report_clear(&r);
}

/* The checker itself must reject what it should, or its passes mean
 * nothing: a summary that disagrees with the claims, and a key the schema
 * does not know. */
static void test_json_checker_rejects_bad_reports(void **state)
{
    (void)state;
    const char *wrong_summary =
        "{\"schema_version\": 3, \"tool_version\": null, \"seed\": \"1\", "
        "\"shard\": null, \"summary\": {\"passed\": 1, \"tested\": 0, \"failed\": 0, \"undecided\": 0}, "
        "\"claims\": []}";
    const char *unknown_key =
        "{\"schema_version\": 3, \"tool_version\": null, \"seed\": \"1\", "
        "\"shard\": null, \"summary\": {\"passed\": 0, \"tested\": 0, \"failed\": 0, \"undecided\": 0}, "
        "\"claims\": [], \"extra\": 0}";
    const char *bad_seed =
        "{\"schema_version\": 3, \"tool_version\": null, \"seed\": 1, "
        "\"shard\": null, \"summary\": {\"passed\": 0, \"tested\": 0, \"failed\": 0, \"undecided\": 0}, "
        "\"claims\": []}";
    int status = tu_run_json_check(wrong_summary, NULL);
    if (status == -1)
        skip();
    assert_int_equal(status, 1);
    assert_int_equal(tu_run_json_check(unknown_key, NULL), 1);
    assert_int_equal(tu_run_json_check(bad_seed, NULL), 1);
    assert_int_equal(tu_run_json_check("{\"a\": NaN}", NULL), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_sample),
        cmocka_unit_test(test_json_edge_values),
        cmocka_unit_test(test_json_checker_rejects_bad_reports),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
