/* test_json_read.c -- the strict JSON reader (io/json_read.h) and JSON
 * reports read back into verdict records (report/report_read.h).
 *
 * Expected trees, positions and messages are written out by hand.  The
 * round trip builds a report by hand, writes it as JSON, reads it back
 * and compares every field with the record it came from; then the text
 * renderings of both must be the same bytes, which is what merge-reports
 * promises.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/verdict.h"
#include "io/json_read.h"
#include "report/render.h"
#include "report/report_read.h"

static cvp_status parse(cvp_json_node *root, const char *text, cvp_error *err)
{
    cvp_error_clear(err);
    return cvp_json_read(root, text, strlen(text), "t.json", err);
}

static void test_values_and_positions(void **state)
{
    (void)state;
    cvp_json_node root;
    cvp_error err;
    const char *text = "{\"a\": [true, false, null, -0.5e+2],\n"
                       "  \"b\\u00e9\": \"x\\n\\ud83d\\ude00\\\"\", \"c\": {}}";
    assert_int_equal(parse(&root, text, &err), CVP_OK);
    assert_int_equal(root.type, CVP_JSON_NODE_OBJECT);
    assert_int_equal(root.count, 3);
    assert_string_equal(root.keys[1], "b\xc3\xa9");
    const cvp_json_node *a = cvp_json_node_member(&root, "a");
    assert_non_null(a);
    assert_int_equal(a->type, CVP_JSON_NODE_ARRAY);
    assert_int_equal(a->count, 4);
    assert_int_equal(a->items[0].type, CVP_JSON_NODE_BOOL);
    assert_true(a->items[0].boolean);
    assert_false(a->items[1].boolean);
    assert_int_equal(a->items[2].type, CVP_JSON_NODE_NULL);
    assert_int_equal(a->items[3].type, CVP_JSON_NODE_NUMBER);
    assert_string_equal(a->items[3].text, "-0.5e+2");
    assert_int_equal(a->items[3].line, 1);
    assert_int_equal(a->items[3].col, 27);
    const cvp_json_node *b = &root.items[1];
    assert_int_equal(b->line, 2);
    assert_int_equal(b->col, 14);
    /* U+1F600 from its surrogate pair, as four UTF-8 bytes */
    assert_string_equal(b->text, "x\n\xf0\x9f\x98\x80\"");
    assert_int_equal(cvp_json_node_member(&root, "c")->type, CVP_JSON_NODE_OBJECT);
    assert_null(cvp_json_node_member(&root, "d"));
    cvp_json_node_clear(&root);
    assert_int_equal(root.type, CVP_JSON_NODE_NULL);
}

static void test_refusals(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"", "t.json:1:1: a value is missing (the text ends)"},
        {"  [1,]", "t.json:1:6: a comma before the end of an array"},
        {"{\"a\" 1}", "t.json:1:6: expected ':' after a member name"},
        {"{\"a\": 1,\n\"a\": 2}", "t.json:2:1: a member name given twice in one object"},
        {"[1 2]", "t.json:1:4: expected ',' or ']' in an array"},
        {"\"abc", "t.json:1:1: a string that is never closed"},
        {"\"a\tb\"", "t.json:1:3: a control character inside a string (write it escaped)"},
        {"\"\\x\"", "t.json:1:2: an unknown escape in a string"},
        {"\"\\u12\"", "t.json:1:2: \\u needs four hexadecimal digits"},
        {"\"\\ud800x\"", "t.json:1:2: an unpaired surrogate in a \\u escape"},
        {"\"\\u0000\"", "t.json:1:2: \\u0000 in a string (not supported)"},
        {"\"\xc3\x28\"", "t.json:1:2: bytes that are not valid UTF-8 in a string"},
        {"\"\xed\xa0\x80\"", "t.json:1:2: bytes that are not valid UTF-8 in a string"},
        {"01", "t.json:1:2: a number with a leading zero"},
        {"1.", "t.json:1:3: a number needs a digit after its decimal point"},
        {"-", "t.json:1:2: a number needs a digit here"},
        {"1e", "t.json:1:3: a number needs a digit in its exponent"},
        {"tru", "t.json:1:1: not a JSON value"},
        {"'a'", "t.json:1:1: not a JSON value"},
        {"{} x", "t.json:1:4: more text after the JSON value"},
        {"/* c */ 1", "t.json:1:1: not a JSON value"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        cvp_json_node root;
        cvp_error err;
        assert_int_equal(parse(&root, cases[k][0], &err), CVP_ERR_INPUT);
        assert_string_equal(err.message, cases[k][1]);
        assert_int_equal(root.type, CVP_JSON_NODE_NULL);
        assert_int_equal(root.count, 0);
    }
    /* nesting: the limit itself is fine, one more level is not */
    char deep[2 * CVP_JSON_READ_MAX_DEPTH + 8];
    for (int extra = 0; extra <= 1; extra++) {
        int n = CVP_JSON_READ_MAX_DEPTH + extra;
        memset(deep, '[', (size_t)n);
        memset(deep + n, ']', (size_t)n);
        deep[2 * n] = '\0';
        cvp_json_node root;
        cvp_error err;
        cvp_status st = parse(&root, deep, &err);
        if (extra == 0) {
            assert_int_equal(st, CVP_OK);
            cvp_json_node_clear(&root);
        } else {
            assert_int_equal(st, CVP_ERR_INPUT);
            assert_non_null(strstr(err.message, "values nested too deeply"));
        }
    }
}

/* A report with every kind of field, written by hand. */
static void build_report(cvp_report *r)
{
    cvp_report_init(r, "9.9", 18446744073709551615ULL);
    r->shard_index = 2;
    r->shard_count = 3;
    r->shard_total = 7;
    cvp_claim_result *c = cvp_report_add_claim(r, "doubling \"is\" adding", false,
                                               "a.proof", 12, "show X + X == 2 * X");
    cvp_method_result *m = cvp_claim_add_method(c, CVP_METHOD_EXACT);
    m->outcome = CVP_OUTCOME_PASSED;
    m->shapes = 3;
    m->instances = 9;
    m->seconds = 0.25;
    cvp_set_text(&m->evidence, "9 instances\nat 3 shapes");
    m = cvp_claim_add_method(c, CVP_METHOD_BOUNDED);
    m->outcome = CVP_OUTCOME_NOT_APPLICABLE;
    cvp_set_text(&m->reason, "no transcendental function");
    cvp_claim_decide(c);
    c->seconds = 0.5;
    c = cvp_report_add_claim(r, "", true, NULL, 0, NULL);
    m = cvp_claim_add_method(c, CVP_METHOD_SYMBOLIC);
    m->outcome = CVP_OUTCOME_FAILED;
    cvp_counterexample *x = cvp_method_add_counterexample(m);
    cvp_set_text(&x->shape, "M=2");
    cvp_counterexample_add_input(x, "X", "[1, -1/2]\n");
    x->show_line = 31;
    cvp_set_text(&x->lhs, "[2, -1]");
    cvp_set_text(&x->rhs, "[3, -3/2]");
    cvp_set_text(&x->differences, "[0]: 2 != 3");
    cvp_set_text(&x->first_term, "x_0");
    /* an implementation's failure, as a second method found it */
    m = cvp_claim_add_method(c, CVP_METHOD_EXACT);
    m->outcome = CVP_OUTCOME_FAILED;
    x = cvp_method_add_counterexample(m);
    cvp_counterexample_add_input(x, "X", "[0, 0]\n");
    cvp_set_text(&x->failure, "course.conv2d: crashed\nstderr:\nValueError: no");
    cvp_claim_decide(c);
}

static char *render(int (*write)(FILE *, const cvp_report *, const cvp_render_options *),
                    const cvp_report *r, size_t *len)
{
    char *text = NULL;
    FILE *out = open_memstream(&text, len);
    assert_non_null(out);
    cvp_render_options o = {true, false, false, false};
    assert_int_equal(write(out, r, &o), 0);
    fclose(out);
    return text;
}

static void assert_same_text(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        assert_true(a == b);
    else
        assert_string_equal(a, b);
}

static void test_report_round_trip(void **state)
{
    (void)state;
    cvp_report r, back;
    build_report(&r);
    size_t len;
    char *json = render(cvp_report_write_json, &r, &len);
    cvp_error err;
    cvp_error_clear(&err);
    assert_int_equal(cvp_report_read_json(&back, json, len, "r.json", &err), CVP_OK);
    assert_string_equal(back.tool_version, "9.9");
    assert_true(back.seed == 18446744073709551615ULL);
    assert_int_equal(back.shard_index, 2);
    assert_int_equal(back.shard_count, 3);
    assert_int_equal(back.shard_total, 7);
    assert_int_equal(back.claim_count, 2);
    for (size_t k = 0; k < 2; k++) {
        const cvp_claim_result *c = &r.claims[k], *d = &back.claims[k];
        assert_string_equal(d->title, c->title);
        assert_int_equal(d->is_refute, c->is_refute);
        assert_same_text(d->file, c->file);
        assert_int_equal(d->line, c->line);
        assert_same_text(d->statement, c->statement);
        assert_int_equal(d->outcome, c->outcome);
        assert_true(d->seconds == c->seconds);
        assert_int_equal(d->method_count, c->method_count);
        for (size_t j = 0; j < c->method_count; j++) {
            const cvp_method_result *m = &c->methods[j], *n = &d->methods[j];
            assert_int_equal(n->method, m->method);
            assert_int_equal(n->outcome, m->outcome);
            assert_int_equal(n->shapes, m->shapes);
            assert_int_equal(n->instances, m->instances);
            assert_same_text(n->evidence, m->evidence);
            assert_same_text(n->reason, m->reason);
            assert_int_equal(n->counterexample != NULL, m->counterexample != NULL);
        }
    }
    const cvp_counterexample *x = back.claims[1].methods[0].counterexample;
    assert_string_equal(x->shape, "M=2");
    assert_int_equal(x->input_count, 1);
    assert_string_equal(x->input_names[0], "X");
    assert_string_equal(x->input_values[0], "[1, -1/2]\n");
    assert_int_equal(x->show_line, 31);
    assert_string_equal(x->lhs, "[2, -1]");
    assert_string_equal(x->rhs, "[3, -3/2]");
    assert_string_equal(x->differences, "[0]: 2 != 3");
    assert_null(x->failure);
    assert_string_equal(back.claims[1].methods[1].counterexample->failure,
                        "course.conv2d: crashed\nstderr:\nValueError: no");
    assert_string_equal(x->first_term, "x_0");
    /* the same bytes in every rendering that does not draw figures */
    size_t n1, n2;
    char *a = render(cvp_report_write_text, &r, &n1);
    char *b = render(cvp_report_write_text, &back, &n2);
    assert_string_equal(a, b);
    free(a);
    free(b);
    a = json;
    b = render(cvp_report_write_json, &back, &n2);
    assert_string_equal(a, b);
    free(b);
    free(json);
    cvp_report_clear(&back);
    cvp_report_clear(&r);
}

/* Replaces the first `from` in text by `to` (a fresh string). */
static char *edit(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    assert_non_null(at);
    size_t n = strlen(text) - strlen(from) + strlen(to);
    char *out = malloc(n + 1);
    assert_non_null(out);
    size_t head = (size_t)(at - text);
    memcpy(out, text, head);
    strcpy(out + head, to);
    strcat(out, at + strlen(from));
    return out;
}

/* A version 2 report (no "failure" in a counterexample, every method's
 * "strength" a string) reads as it did: merge-reports takes shards
 * written by the release before. */
static void test_report_reads_version_2(void **state)
{
    (void)state;
    cvp_report r, back;
    build_report(&r);
    size_t len;
    char *json = render(cvp_report_write_json, &r, &len);
    cvp_report_clear(&r);
    char *v2 = edit(json, "\"schema_version\": 3", "\"schema_version\": 2");
    char *no_failure = edit(v2, "          \"failure\": null,\n", "");
    cvp_error err;
    cvp_error_clear(&err);
    assert_int_equal(cvp_report_read_json(&back, no_failure, strlen(no_failure),
                                          "r.json", &err), CVP_OK);
    assert_true(back.claim_count > 0);
    cvp_report_clear(&back);
    free(no_failure);
    free(v2);
    free(json);
}

static void test_report_refusals(void **state)
{
    (void)state;
    cvp_report r, back;
    build_report(&r);
    size_t len;
    char *json = render(cvp_report_write_json, &r, &len);
    cvp_report_clear(&r);
    static const char *const cases[][3] = {
        {"\"outcome\": \"tested\"", "\"outcome\": \"proved\"",
         "r.json:14:18: claims[0].outcome: unknown outcome \"proved\" (known: "
         "passed, tested, failed, undecided, not_applicable)"},
        {"\"kind\": \"claim\"", "\"kind\": \"lemma\"",
         "r.json:10:15: claims[0].kind: \"lemma\" is neither \"claim\" nor \"refute\""},
        {"\"shapes\": 3", "\"shapes\": 3.5",
         "r.json:21:21: claims[0].methods[0].shapes: 3.5 is not a whole number >= 0"},
        {"\"line\": 12", "\"line\": 0",
         "r.json:12:15: claims[0].line: a line number is 1 or more, or null"},
        {"\"tested\": 1", "\"tested\": 2",
         "r.json:6:14: summary: tested is 2, but 1 claims are tested"},
        {"\"index\": 2", "\"index\": 4",
         "r.json:5:12: shard: index 4 is not between 1 and count 3"},
        {"\"schema_version\": 3", "\"schema_version\": 1",
         "r.json:2:21: schema_version: version 1; this convproof reads 2 and 3"},
        {"\"schema_version\": 3", "\"schema_version\": 4",
         "r.json:2:21: schema_version: version 4; this convproof reads 2 and 3"},
        /* TESTED is a claim's verdict; a method's outcome never says it */
        {"\"outcome\": \"passed\",\n          \"strength\"",
         "\"outcome\": \"tested\",\n          \"strength\"",
         "r.json:19:22: claims[0].methods[0].outcome: unknown outcome \"tested\" (known: "
         "passed, tested, failed, undecided, not_applicable)"},
        {"\"seconds\": 0.250000", "\"seconds\": -1",
         "r.json:23:22: claims[0].methods[0].seconds: seconds are never negative"},
        {"\"counterexample\": {", "\"counterexample\": [",
         NULL},   /* no longer JSON: only the status is checked */
        {"\"title\": \"\"", "\"title\": null",
         "r.json:42:16: claims[1].title: null where a string belongs"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char *bad = edit(json, cases[k][0], cases[k][1]);
        cvp_error err;
        cvp_error_clear(&err);
        assert_int_equal(cvp_report_read_json(&back, bad, strlen(bad), "r.json", &err),
                         CVP_ERR_INPUT);
        if (cases[k][2] != NULL)
            assert_string_equal(err.message, cases[k][2]);
        assert_int_equal(back.claim_count, 0);
        free(bad);
    }
    free(json);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_and_positions),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_report_round_trip),
        cmocka_unit_test(test_report_reads_version_2),
        cmocka_unit_test(test_report_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
