/* testutil_check.c -- helpers of the tests that run the checker. */
#include "testutil_check.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tu_parse(cvp_proof_file *file, const char *text)
{
    cvp_lang_error err;
    cvp_lang_error_clear(&err);
    cvp_proof_file_init(file);
    if (cvp_proof_parse(file, text, strlen(text), "t.proof", &err) != CVP_OK)
        fail_msg("the test's proof text does not parse: %d:%d: %s",
                 err.pos.line, err.pos.col, err.message);
}

static void run_parsed(tu_check_run *r, size_t max_terms)
{
    cvp_report_init(&r->report, "test", 1);
    cvp_check_options_default(&r->options);
    if (max_terms > 0)
        r->options.max_terms = max_terms;
    r->status = cvp_check_file(&r->report, &r->file, &r->options, &r->err);
}

void tu_run_text_terms(tu_check_run *r, const char *text, size_t max_terms)
{
    cvp_lang_error_clear(&r->err);
    tu_parse(&r->file, text);
    run_parsed(r, max_terms);
}

void tu_run_text(tu_check_run *r, const char *text)
{
    tu_run_text_terms(r, text, 0);
}

void tu_run_file(tu_check_run *r, const char *path)
{
    cvp_lang_error_clear(&r->err);
    cvp_proof_file_init(&r->file);
    if (cvp_proof_parse_file(&r->file, path, &r->err) != CVP_OK)
        fail_msg("%s does not parse: %s", path, r->err.message);
    run_parsed(r, 0);
}

void tu_run_clear(tu_check_run *r)
{
    cvp_report_clear(&r->report);
    cvp_proof_file_clear(&r->file);
}

const cvp_claim_result *tu_only_claim(const tu_check_run *r)
{
    if (r->status != CVP_OK)
        fail_msg("check failed: %d:%d: %s", r->err.pos.line, r->err.pos.col,
                 r->err.message);
    assert_int_equal(r->report.claim_count, 1);
    return &r->report.claims[0];
}

const cvp_method_result *tu_method_of(const cvp_claim_result *c,
                                      cvp_method method)
{
    for (size_t k = 0; k < c->method_count; k++)
        if (c->methods[k].method == method)
            return &c->methods[k];
    fail_msg("claim \"%s\" has no %s result", c->title ? c->title : "",
             cvp_method_name(method));
    return NULL;
}

void tu_assert_contains(const char *text, const char *fragment)
{
    if (text == NULL || strstr(text, fragment) == NULL)
        fail_msg("expected \"%s\" in \"%s\"", fragment, text ? text : "(null)");
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

void tu_assert_text(const char *text, const char *want)
{
    char a[1024], b[1024];
    assert_non_null(text);
    squeeze(a, sizeof a, text);
    squeeze(b, sizeof b, want);
    if (strcmp(a, b) != 0)
        fail_msg("got \"%s\", wanted \"%s\"", a, b);
}

size_t tu_ints_of(long *out, size_t max, const char *text)
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

size_t tu_count_nonzero(const long *v, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += v[i] != 0;
    return k;
}

/* ---- table rows ---------------------------------------------------------- */

/* Each check below prints the row's label before the cmocka assertion that
 * fails, so a failure names the row as well as this file's line. */

static void row_contains(const char *label, const char *what, const char *text,
                         const char *fragment)
{
    if (fragment == NULL)
        return;
    bool found = text != NULL && strstr(text, fragment) != NULL;
    if (!found)
        print_error("%s: expected \"%s\" in the %s \"%s\"\n", label, fragment,
                    what, text ? text : "(null)");
    assert_true(found);
}

static void row_text(const char *label, const char *what, const char *text,
                     const char *want)
{
    if (want == NULL)
        return;
    if (text == NULL) {
        print_error("%s: no %s\n", label, what);
    } else {
        char a[1024], b[1024];
        squeeze(a, sizeof a, text);
        squeeze(b, sizeof b, want);
        if (strcmp(a, b) != 0)
            print_error("%s: the %s differs\n", label, what);
    }
    tu_assert_text(text, want);
}

static void row_string(const char *label, const char *what, const char *text,
                       const char *want)
{
    if (want == NULL)
        return;
    if (text == NULL || strcmp(text, want) != 0)
        print_error("%s: the %s differs\n", label, what);
    assert_non_null(text);
    assert_string_equal(text, want);
}

static void row_outcome(const char *label, const char *what, cvp_outcome got,
                        cvp_outcome want)
{
    if (got != want)
        print_error("%s: %s %s, wanted %s\n", label, what, cvp_outcome_name(got),
                    cvp_outcome_name(want));
    assert_int_equal(got, want);
}

static bool states_counterexample(const tu_claim_case *c)
{
    return c->shape || c->shapeless || c->input || c->lhs || c->rhs || c->differences
           || c->differences_has[0] || c->differences_has[1];
}

void tu_check_claim_case(const tu_claim_case *c, const char *label)
{
    tu_check_run r;
    tu_run_text(&r, c->text);
    const cvp_claim_result *claim = tu_only_claim(&r);
    row_outcome(label, "the claim is", claim->outcome, c->outcome);
    assert_true(claim->method_count > 0);
    const cvp_method_result *m = &claim->methods[0];
    if (c->method_stated)
        row_outcome(label, cvp_method_name(m->method), m->outcome,
                    c->method_outcome);
    if (c->instances != 0) {
        if (m->instances != c->instances)
            print_error("%s: %zu instances\n", label, m->instances);
        assert_int_equal(m->instances, c->instances);
    }
    for (size_t k = 0; k < 2; k++)
        row_contains(label, "evidence", m->evidence, c->evidence_has[k]);
    row_contains(label, "reason", m->reason, c->reason_has);
    if (states_counterexample(c)) {
        const cvp_counterexample *cx = m->counterexample;
        if (cx == NULL)
            print_error("%s: no counterexample\n", label);
        assert_non_null(cx);
        row_string(label, "shape", cx->shape, c->shape);
        if (c->shapeless && cx->shape != NULL)
            print_error("%s: a shape named without dims: %s\n", label, cx->shape);
        if (c->shapeless)
            assert_null(cx->shape);
        if (c->input != NULL)
            assert_true(cx->input_count > 0);
        row_text(label, "first input",
                 cx->input_count > 0 ? cx->input_values[0] : NULL, c->input);
        row_text(label, "lhs", cx->lhs, c->lhs);
        row_text(label, "rhs", cx->rhs, c->rhs);
        row_string(label, "differences", cx->differences, c->differences);
        for (size_t k = 0; k < 2; k++)
            row_contains(label, "differences", cx->differences,
                         c->differences_has[k]);
    }
    tu_run_clear(&r);
}

void tu_check_claim_cases(const tu_claim_case *cases, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        char label[64];
        snprintf(label, sizeof label, "row %zu", k);
        tu_check_claim_case(&cases[k], label);
    }
}
