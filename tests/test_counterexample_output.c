/* test_counterexample_output.c -- how reports show counterexamples: large
 * tensors summarised (report/tensor_summary.h) unless `full`, one
 * counterexample per claim, an implementation's failure under its own
 * heading.
 *
 * The expected summaries are written out by hand from the tensors built
 * here (shape, count, which entries differ), never copied from the
 * renderer.
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
#include "report/render.h"
#include "report/tensor_summary.h"

/* ---- tensor texts ---------------------------------------------------------- */

/* The text of a tensor of the given shape whose entries are value(k),
 * k the row-major index, nested as the text grammar wants. */
typedef long (*entry_fn)(size_t k);

static void put_nested(FILE *out, const size_t *shape, int rank, int axis,
                       size_t *next, entry_fn value)
{
    if (axis == rank) {
        fprintf(out, "%ld", value((*next)++));
        return;
    }
    fputc('[', out);
    for (size_t i = 0; i < shape[axis]; i++) {
        if (i > 0)
            fputs(", ", out);
        put_nested(out, shape, rank, axis + 1, next, value);
    }
    fputc(']', out);
}

static char *tensor_text(const size_t *shape, int rank, entry_fn value)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    size_t next = 0;
    put_nested(out, shape, rank, 0, &next, value);
    fputc('\n', out);
    assert_int_equal(fclose(out), 0);
    return text;
}

static long zero(size_t k)
{
    (void)k;
    return 0;
}

/* [3, 100]: all 0 but [1,50] = -1 and [2,99] = 5 */
static long two_exceptions(size_t k)
{
    return k == 150 ? -1 : k == 299 ? 5 : 0;
}

/* [300]: the first 20 entries 1, the others 0 */
static long twenty_ones(size_t k)
{
    return k < 20 ? 1 : 0;
}

/* [300]: 0, 1, 2, 0, 1, 2, ...: no value in the majority */
static long thirds(size_t k)
{
    return (long)(k % 3);
}

/* ---- the summary of one tensor ------------------------------------------------ */

static void test_small_tensors_are_shown_as_they_are(void **state)
{
    (void)state;
    size_t at_limit[1] = {CVP_SUMMARY_MAX_ENTRIES};
    char *text = tensor_text(at_limit, 1, zero);
    assert_null(cvp_summary_tensor(text, NULL));
    free(text);
    size_t over[1] = {CVP_SUMMARY_MAX_ENTRIES + 1};
    text = tensor_text(over, 1, zero);
    char *summary = cvp_summary_tensor(text, NULL);
    assert_string_equal(summary, "shape [257], 257 entries, all 0\n");
    free(summary);
    free(text);
    /* not a tensor text: shown as it is */
    assert_null(cvp_summary_tensor("the implementation: crashed", NULL));
    assert_null(cvp_summary_tensor(NULL, NULL));
}

static void test_all_zero_is_one_line(void **state)
{
    (void)state;
    size_t image[4] = {1, 8, 224, 224};   /* 401,408 entries */
    char *text = tensor_text(image, 4, zero);
    char *summary = cvp_summary_tensor(text, NULL);
    assert_string_equal(summary,
                        "shape [1, 8, 224, 224], 401,408 entries, all 0\n");
    free(summary);
    free(text);
}

static void test_exceptions_and_neighbourhoods(void **state)
{
    (void)state;
    size_t shape[2] = {3, 100};
    char *mine = tensor_text(shape, 2, two_exceptions);
    char *other = tensor_text(shape, 2, zero);
    /* as an input: the entries that are not 0 */
    char *summary = cvp_summary_tensor(mine, NULL);
    assert_string_equal(summary,
                        "shape [3, 100], 300 entries, all 0 except 2:\n"
                        "  [1,50] = -1\n"
                        "  [2,99] = 5\n");
    free(summary);
    /* as a side: also around each entry where the sides differ, two
     * entries each way along the last axis, cut at its ends */
    summary = cvp_summary_tensor(mine, other);
    assert_string_equal(summary,
                        "shape [3, 100], 300 entries, all 0 except 2:\n"
                        "  [1,50] = -1\n"
                        "  [2,99] = 5\n"
                        "  near [1,50]: [1,48:53] = [0, 0, -1, 0, 0]\n"
                        "  near [2,99]: [2,97:100] = [0, 0, 5]\n");
    free(summary);
    /* the other side: all 0, and the same neighbourhoods of its own */
    summary = cvp_summary_tensor(other, mine);
    assert_string_equal(summary,
                        "shape [3, 100], 300 entries, all 0\n"
                        "  near [1,50]: [1,48:53] = [0, 0, 0, 0, 0]\n"
                        "  near [2,99]: [2,97:100] = [0, 0, 0]\n");
    free(summary);
    free(mine);
    free(other);
}

static void test_many_exceptions_are_counted(void **state)
{
    (void)state;
    size_t shape[1] = {300};
    char *text = tensor_text(shape, 1, twenty_ones);
    char *summary = cvp_summary_tensor(text, NULL);
    assert_string_equal(summary,
                        "shape [300], 300 entries, all 0 except 20:\n"
                        "  [0] = 1\n  [1] = 1\n  [2] = 1\n  [3] = 1\n"
                        "  [4] = 1\n  [5] = 1\n  [6] = 1\n  [7] = 1\n"
                        "  ... and 12 more (--full or the JSON report shows "
                        "every entry)\n");
    free(summary);
    free(text);
    text = tensor_text(shape, 1, thirds);
    summary = cvp_summary_tensor(text, NULL);
    /* no value in the majority: the most common one (0, 1 and 2 a
     * hundred times each: the least, 0) and the others */
    assert_string_equal(summary,
                        "shape [300], 300 entries, 0 at 100 of them, the other "
                        "200:\n"
                        "  [1] = 1\n  [2] = 2\n  [4] = 1\n  [5] = 2\n"
                        "  [7] = 1\n  [8] = 2\n  [10] = 1\n  [11] = 2\n"
                        "  ... and 192 more (--full or the JSON report shows "
                        "every entry)\n");
    free(summary);
    free(text);
}

/* ---- counterexamples in the reports --------------------------------------- */

static char *render(int (*write)(FILE *, const cvp_report *,
                                 const cvp_render_options *),
                    const cvp_report *r, const cvp_render_options *o)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    assert_int_equal(write(out, r, o), 0);
    assert_int_equal(fclose(out), 0);
    return text;
}

static size_t occurrences(const char *text, const char *fragment)
{
    size_t n = 0;
    for (const char *p = strstr(text, fragment); p != NULL;
         p = strstr(p + 1, fragment))
        n++;
    return n;
}

/* A wrong count at a 1x8x224x224 input: both methods found the same
 * instance, every input entry 0. */
static void build_wrong_count(cvp_report *r, char **zeros)
{
    size_t image[4] = {1, 8, 224, 224};
    *zeros = tensor_text(image, 4, zero);
    cvp_report_init(r, "test", 7);
    cvp_claim_result *c = cvp_report_add_claim(r, "a wrong count", false,
                                               "count.proof", 1,
                                               "show mults(conv2d(X, K)) == 1");
    for (int k = 0; k < 2; k++) {
        cvp_method_result *m = cvp_claim_add_method(
            c, k == 0 ? CVP_METHOD_SYMBOLIC : CVP_METHOD_EXACT);
        m->outcome = CVP_OUTCOME_FAILED;
        m->shapes = m->instances = 1;
        cvp_counterexample *x = cvp_method_add_counterexample(m);
        x->show_line = 3;
        cvp_counterexample_add_input(x, "X", *zeros);
        cvp_set_text(&x->lhs, "28901376\n");
        cvp_set_text(&x->rhs, "1\n");
        cvp_set_text(&x->differences, "entry (scalar): 28901376 != 1");
    }
    cvp_claim_decide(c);
}

static void test_text_prints_one_summarised_counterexample(void **state)
{
    (void)state;
    cvp_report r;
    char *zeros;
    build_wrong_count(&r, &zeros);
    char *text = render(cvp_report_write_text, &r, NULL);
    const char *expected =
        "FAIL \"a wrong count\" count.proof:1\n"
        "  symbolic    failed     1 shape, 1 instance      0.000 s  counterexample found\n"
        "    counterexample (show at line 3):\n"
        "      X = shape [1, 8, 224, 224], 401,408 entries, all 0\n"
        "      left side = 28901376\n"
        "      right side = 1\n"
        "      differing entries:\n"
        "        entry (scalar): 28901376 != 1\n"
        "  exact       failed     1 shape, 1 instance      0.000 s  counterexample found\n"
        "    same counterexample as symbolic\n"
        "\n"
        "seed 7 (replay with --seed 7)\n"
        "0 passed, 1 failed\n";
    if (strcmp(text, expected) != 0)
        fprintf(stderr, "rendered:\n%s--- expected:\n%s", text, expected);
    assert_string_equal(text, expected);
    free(text);
    /* --full: every entry, still once */
    cvp_render_options full = {false, false, false, true};
    text = render(cvp_report_write_text, &r, &full);
    assert_int_equal(occurrences(text, "counterexample (show at line"), 1);
    assert_true(strlen(text) > strlen(zeros));
    assert_null(strstr(text, "401,408 entries"));
    assert_non_null(strstr(text, "same counterexample as symbolic"));
    free(text);
    cvp_report_clear(&r);
    free(zeros);
}

static void test_every_format_summarises(void **state)
{
    (void)state;
    cvp_report r;
    char *zeros;
    build_wrong_count(&r, &zeros);
    int (*const writers[])(FILE *, const cvp_report *,
                           const cvp_render_options *) = {
        cvp_report_write_markdown, cvp_report_write_html, cvp_report_write_junit};
    for (size_t k = 0; k < 3; k++) {
        char *text = render(writers[k], &r, NULL);
        assert_non_null(strstr(text, "shape [1, 8, 224, 224], 401,408 entries, all 0"));
        assert_int_equal(occurrences(text, "401,408 entries"), 1);
        assert_non_null(strstr(text, "same counterexample as symbolic"));
        assert_true(strlen(text) < 20000);   /* the full text is 1.2 MB */
        free(text);
    }
    /* JSON: every entry, for both methods */
    char *json = render(cvp_report_write_json, &r, NULL);
    assert_true(strlen(json) > 2 * strlen(zeros));
    assert_null(strstr(json, "401,408"));
    free(json);
    cvp_report_clear(&r);
    free(zeros);
}

/* Two different counterexamples: the smaller is shown; the larger, found
 * first, says where it is. */
static void test_the_smallest_is_shown(void **state)
{
    (void)state;
    cvp_report r;
    cvp_report_init(&r, "test", 1);
    cvp_claim_result *c = cvp_report_add_claim(&r, "t", false, "t.proof", 1, NULL);
    const char *inputs[2] = {"[3, 1]\n", "[0, 1]\n"};
    for (int k = 0; k < 2; k++) {
        cvp_method_result *m = cvp_claim_add_method(
            c, k == 0 ? CVP_METHOD_EXACT : CVP_METHOD_BOUNDED);
        m->outcome = CVP_OUTCOME_FAILED;
        cvp_counterexample *x = cvp_method_add_counterexample(m);
        cvp_counterexample_add_input(x, "X", inputs[k]);
        cvp_set_text(&x->lhs, "1\n");
        cvp_set_text(&x->rhs, "2\n");
    }
    cvp_claim_decide(c);
    char *text = render(cvp_report_write_text, &r, NULL);
    assert_non_null(strstr(text,
        "  exact       failed     0 shapes, 0 instances    0.000 s  counterexample found\n"
        "    a different counterexample, no smaller than bounded's (--full or "
        "the JSON report shows it)\n"
        "  bounded     failed     0 shapes, 0 instances    0.000 s  counterexample found\n"
        "    counterexample:\n"
        "      X = [0, 1]\n"));
    assert_null(strstr(text, "[3, 1]"));
    free(text);
    cvp_render_options full = {false, false, false, true};
    text = render(cvp_report_write_text, &r, &full);
    assert_non_null(strstr(text, "      X = [3, 1]\n"));
    assert_non_null(strstr(text, "      X = [0, 1]\n"));
    free(text);
    cvp_report_clear(&r);
}

/* An implementation that crashed: its own heading, no sides, no
 * "differing entries", the exception line at the end kept. */
static void test_failure_has_its_own_heading(void **state)
{
    (void)state;
    cvp_report r;
    cvp_report_init(&r, "test", 1);
    cvp_claim_result *c = cvp_report_add_claim(&r, "t", false, "t.proof", 1, NULL);
    cvp_method_result *m = cvp_claim_add_method(c, CVP_METHOD_EXACT);
    m->outcome = CVP_OUTCOME_FAILED;
    cvp_counterexample *x = cvp_method_add_counterexample(m);
    cvp_counterexample_add_input(x, "X", "[0]\n");
    cvp_set_text(&x->failure, "course.conv2d: crashed: the command exited with "
                 "status 1\nstderr:\nTraceback (most recent call last):\n"
                 "ValueError: bad shape");
    cvp_claim_decide(c);
    char *text = render(cvp_report_write_text, &r, NULL);
    assert_non_null(strstr(text,
        "      X = [0]\n"
        "      implementation failure:\n"
        "        course.conv2d: crashed: the command exited with status 1\n"
        "        stderr:\n"
        "        Traceback (most recent call last):\n"
        "        ValueError: bad shape\n"));
    assert_null(strstr(text, "differing entries"));
    assert_null(strstr(text, "left side"));
    free(text);
    int (*const writers[])(FILE *, const cvp_report *,
                           const cvp_render_options *) = {
        cvp_report_write_markdown, cvp_report_write_html, cvp_report_write_junit};
    for (size_t k = 0; k < 3; k++) {
        text = render(writers[k], &r, NULL);
        assert_non_null(strstr(text, "implementation failure:"));
        assert_non_null(strstr(text, "ValueError: bad shape"));
        assert_null(strstr(text, "differing entries"));
        free(text);
    }
    text = render(cvp_report_write_json, &r, NULL);
    assert_non_null(strstr(text, "\"failure\": \"course.conv2d: crashed: the "
                                 "command exited with status 1\\nstderr:\\n"));
    assert_non_null(strstr(text, "\"lhs\": null,\n"));
    free(text);
    cvp_report_clear(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_tensors_are_shown_as_they_are),
        cmocka_unit_test(test_all_zero_is_one_line),
        cmocka_unit_test(test_exceptions_and_neighbourhoods),
        cmocka_unit_test(test_many_exceptions_are_counted),
        cmocka_unit_test(test_text_prints_one_summarised_counterexample),
        cmocka_unit_test(test_every_format_summarises),
        cmocka_unit_test(test_the_smallest_is_shown),
        cmocka_unit_test(test_failure_has_its_own_heading),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
