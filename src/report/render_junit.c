/* render_junit.c -- the JUnit XML rendering of a report, for the test
 * views of CI systems (Jenkins, GitLab, GitHub test reporters).
 *
 * The common Jenkins/Ant structure (tests/junit.xsd describes the subset
 * written here):
 *
 *   <testsuites name="convproof" tests=.. failures=.. errors=.. skipped=.. time=..>
 *     <testsuite name="proofs/nndl5/ex5_7_transpose.proof" ...>
 *       <testcase classname="proofs.nndl5.ex5_7_transpose" name="TITLE [symbolic]" time=".."/>
 *       <testcase ...><failure message="counterexample found" type="counterexample">..</failure></testcase>
 *       <testcase ...><skipped message="not applicable: ..."/></testcase>
 *       <testcase ...><error message="undecided: ..." type="undecided">..</error></testcase>
 *
 * One test suite per .proof file (claims without a file, from test-impl,
 * go to a suite named "convproof"), one test case per claim and method.
 * A method that failed carries the counterexample (inputs, both sides,
 * differing entries) as the failure's text; undecided is an error (the
 * question was not answered), not applicable is skipped.  A claim with no
 * method at all is one error case, so that it cannot disappear.  The
 * passing cases of a TESTED claim (verdict.h) pass, with status="tested"
 * and a <system-out> saying the claim was sampled, not proved.
 *
 * Text is escaped for XML 1.0 (cvp_html_put: markup characters as
 * references, control characters as visible \xHH, bad UTF-8 as U+FFFD).
 */
#include "report/render.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report/render_svg.h"
#include "report/render_util.h"
#include "report/tensor_summary.h"

/* The suite a claim belongs to: its file, or "convproof". */
static const char *suite_of(const cvp_claim_result *c)
{
    return c->file != NULL && c->file[0] != '\0' ? c->file : "convproof";
}

static bool same_suite(const cvp_claim_result *a, const cvp_claim_result *b)
{
    return strcmp(suite_of(a), suite_of(b)) == 0;
}

typedef struct {
    size_t tests, failures, errors, skipped;
    double seconds;
} tally;

static void count_claim(tally *t, const cvp_claim_result *c)
{
    if (c->method_count == 0 || c->error != NULL) {   /* a case of its own */
        t->tests++;
        t->errors++;
    }
    for (size_t k = 0; k < c->method_count; k++) {
        t->tests++;
        switch (c->methods[k].outcome) {
        case CVP_OUTCOME_PASSED: break;
        case CVP_OUTCOME_FAILED: t->failures++; break;
        case CVP_OUTCOME_UNDECIDED: t->errors++; break;
        case CVP_OUTCOME_NOT_APPLICABLE: t->skipped++; break;
        case CVP_OUTCOME_TESTED: break;   /* a claim's outcome only */
        }
    }
    t->seconds += c->seconds;
}

static void put_counts(FILE *out, const tally *t)
{
    char seconds[32];
    cvp_render_format_seconds(seconds, sizeof seconds, t->seconds, 3);
    fprintf(out, " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" "
                 "time=\"%s\"", t->tests, t->failures, t->errors, t->skipped, seconds);
}

/* "proofs/nndl5/ex5_7.proof" -> "proofs.nndl5.ex5_7": the dotted class
 * name test views group by. */
static void put_classname(FILE *out, const char *suite)
{
    size_t len = strlen(suite);
    if (len > 6 && strcmp(suite + len - 6, ".proof") == 0)
        len -= 6;
    size_t start = 0;
    while (start + 2 <= len && strncmp(suite + start, "./", 2) == 0)
        start += 2;
    while (start < len && suite[start] == '/')
        start++;
    for (size_t k = start; k < len; k++) {
        size_t run = strcspn(suite + k, "/");
        if (k + run > len)
            run = len - k;
        cvp_html_put_len(out, suite + k, run);
        k += run;
        if (k < len)
            fputc('.', out);
    }
}

static void write_failure_text(FILE *out, const cvp_claim_result *c,
                               size_t index, const cvp_render_options *o)
{
    const cvp_method_result *m = &c->methods[index];
    if (c->statement != NULL) {
        cvp_html_put(out, c->statement);
        fputc('\n', out);
    }
    if (m->reason != NULL) {
        cvp_html_put(out, m->reason);
        fputc('\n', out);
    }
    const cvp_counterexample *x = m->counterexample;
    if (x == NULL)
        return;
    char note[160];
    if (cvp_render_counterexample_note(note, sizeof note, c, index, o) != NULL) {
        cvp_html_put(out, note);
        fputc('\n', out);
        return;
    }
    fputs("counterexample", out);
    if (x->shape != NULL) {
        fputs(" at shape ", out);
        cvp_html_put(out, x->shape);
    }
    if (x->show_line > 0)
        fprintf(out, " (show at line %d)", x->show_line);
    fputs(":\n", out);
    cvp_shown_values shown;
    cvp_shown_init(&shown, x, o->full);
    for (size_t k = 0; k < x->input_count; k++) {
        if (shown.inputs[k] == NULL)
            continue;   /* left out: named below */
        cvp_html_put(out, x->input_names[k]);
        fputs(" = ", out);
        cvp_html_put(out, shown.inputs[k]);
        if (shown.inputs[k] != NULL && shown.inputs[k][0] != '\0'
            && shown.inputs[k][strlen(shown.inputs[k]) - 1] != '\n')
            fputc('\n', out);
    }
    {   /* the inputs left out, escaped like every other text here */
        char *left_out = cvp_render_left_out_text(x, &shown);
        if (left_out != NULL)
            cvp_html_put(out, left_out);
        free(left_out);
    }
    const struct { const char *name, *text; } parts[] = {
        {"left side = ", shown.lhs}, {"right side = ", shown.rhs},
        {"differing entries:\n", x->differences},
        {"implementation failure:\n", x->failure},
        {"first differing term: ", x->first_term},
    };
    for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++)
        if (parts[k].text != NULL) {
            fputs(parts[k].name, out);
            cvp_html_put(out, parts[k].text);
            size_t n = strlen(parts[k].text);
            if (n == 0 || parts[k].text[n - 1] != '\n')
                fputc('\n', out);
        }
    cvp_shown_clear(&shown);
}

static void write_case(FILE *out, const cvp_claim_result *c, size_t index,
                       const cvp_render_options *o)
{
    const cvp_method_result *m = index < c->method_count ? &c->methods[index] : NULL;
    char seconds[32];
    cvp_render_format_seconds(seconds, sizeof seconds, m != NULL ? m->seconds : 0, 3);
    fputs("    <testcase classname=\"", out);
    put_classname(out, suite_of(c));
    fputs("\" name=\"", out);
    cvp_html_put(out, c->title != NULL ? c->title : "(untitled)");
    if (c->is_refute)
        fputs(" (refute)", out);
    fprintf(out, " [%s]\" time=\"%s\"", m != NULL ? cvp_method_name(m->method)
                                         : c->error != NULL ? "input error" : "none",
            seconds);
    if (c->file != NULL)
        fputs(" file=\"", out), cvp_html_put(out, c->file), fputc('"', out);
    if (c->line > 0)
        fprintf(out, " line=\"%d\"", c->line);
    if (m == NULL && c->error != NULL) {
        fputs(">\n      <error message=\"input error: ", out);
        cvp_html_put(out, c->error);
        fputs("\" type=\"input\"/>\n    </testcase>\n", out);
        return;
    }
    if (m == NULL) {
        fputs(">\n      <error message=\"no method judged this claim\" "
              "type=\"undecided\"/>\n    </testcase>\n", out);
        return;
    }
    switch (m->outcome) {
    case CVP_OUTCOME_PASSED:
        if (c->outcome != CVP_OUTCOME_TESTED) {
            fputs("/>\n", out);
            return;
        }
        /* A passing case all the same (exit status 0 counts it verified),
         * marked so that a reader of the test view knows it is unproved. */
        fputs(" status=\"tested\">\n      <system-out>", out);
        cvp_html_put(out, cvp_render_tested_note);
        fputs("</system-out>\n    </testcase>\n", out);
        return;
    case CVP_OUTCOME_NOT_APPLICABLE:
        fputs(">\n      <skipped message=\"not applicable", out);
        if (m->reason != NULL)
            fputs(": ", out), cvp_html_put(out, m->reason);
        fputs("\"/>\n    </testcase>\n", out);
        return;
    case CVP_OUTCOME_FAILED:
        fprintf(out, ">\n      <failure message=\"%s\" type=\"%s\">",
                m->counterexample != NULL ? "counterexample found"
                : c->is_refute ? "no counterexample found: the refuted statement holds"
                               : "the claim does not hold",
                m->counterexample != NULL ? "counterexample" : "verdict");
        write_failure_text(out, c, index, o);
        fputs("</failure>\n    </testcase>\n", out);
        return;
    case CVP_OUTCOME_UNDECIDED:
        fputs(">\n      <error message=\"undecided", out);
        if (m->reason != NULL)
            fputs(": ", out), cvp_html_put(out, m->reason);
        fputs("\" type=\"undecided\">", out);
        write_failure_text(out, c, index, o);
        fputs("</error>\n    </testcase>\n", out);
        return;
    case CVP_OUTCOME_TESTED:   /* a claim's outcome, never a method's */
        break;
    }
    CVP_ASSERT(!"a method outcome of TESTED");
}

int cvp_report_write_junit(FILE *out, const cvp_report *r,
                           const cvp_render_options *o)
{
    /* A machine reader filters for itself: only `full` counts (large
     * tensors summarised without it). */
    static const cvp_render_options defaults = {false, false, false, false};
    if (o == NULL)
        o = &defaults;
    tally all = {0, 0, 0, 0, 0};
    for (size_t k = 0; k < r->claim_count; k++)
        count_claim(&all, &r->claims[k]);
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"convproof\"", out);
    put_counts(out, &all);
    fputs(">\n", out);
    /* Claims arrive file by file; a suite is a maximal run of claims of
     * one file (a file named twice on the command line gives two). */
    for (size_t first = 0, id = 0; first < r->claim_count; id++) {
        size_t end = first + 1;
        while (end < r->claim_count && same_suite(&r->claims[first], &r->claims[end]))
            end++;
        tally t = {0, 0, 0, 0, 0};
        for (size_t k = first; k < end; k++)
            count_claim(&t, &r->claims[k]);
        fputs("  <testsuite name=\"", out);
        cvp_html_put(out, suite_of(&r->claims[first]));
        fprintf(out, "\" id=\"%zu\"", id);
        put_counts(out, &t);
        /* the seed, so that the run can be replayed with --seed */
        fprintf(out, ">\n    <properties>\n      <property name=\"seed\" "
                "value=\"%llu\"/>\n    </properties>\n", r->seed);
        for (size_t k = first; k < end; k++) {
            const cvp_claim_result *c = &r->claims[k];
            for (size_t j = 0; j < c->method_count; j++)
                write_case(out, c, j, o);
            /* a claim no method judged, or one stopped by an input
             * error, gets a case of its own */
            if (c->method_count == 0 || c->error != NULL)
                write_case(out, c, SIZE_MAX, o);
        }
        fputs("  </testsuite>\n", out);
        first = end;
    }
    fputs("</testsuites>\n", out);
    return cvp_render_finish(out);
}
