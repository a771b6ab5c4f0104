/* test_report.c -- verdict records and their text and Markdown
 * renderings, write errors, and the renderers' shared helpers.
 *
 * Expected output is written out by hand below (the whole text rendering,
 * key pieces of the Markdown), never copied from the renderers.
 * test_report_json.c tests the JSON rendering.
 *
 * Memory: cvp_report_clear must free everything; run this file under
 * valgrind (make check-valgrind) to see that it does.
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

/* ---- the text rendering, written out by hand -------------------------- */

#define A_HEADER "PASS \"wide convolution commutes\" proofs/conv.proof:12\n"
#define A_EXACT \
    "  exact       passed     3 shapes, 60 instances   0.004 s  " \
    "holds on the instances checked, exactly\n"
#define A_SYMBOLIC \
    "  symbolic    passed     3 shapes, 3 instances    0.125 s  " \
    "holds for every real value, for each shape checked\n"
#define A_BOUNDED \
    "  bounded     n/a\n" \
    "    no transcendental function in the claim\n"

#define B_HEADER \
    "FAIL \"max-pool backward routes to the \\\"first\\\" max\" proofs/pool.proof:30\n"
#define B_EXACT_LINE \
    "  exact       failed     1 shape, 7 instances     0.002 s  counterexample found\n" \
    "    sides differ at 2 entries\n"
#define B_EXACT_COUNTEREXAMPLE \
    "    counterexample at shape M=2, N=2 (show at line 31):\n" \
    "      X =\n" \
    "        [[1, 1],\n" \
    "         [0, 0]]\n" \
    "      W = [[1/2]]\n" \
    "      label =\n" \
    "        a \"quoted\"\tback\\slash\n" \
    "        next line: \xce\xa3 \xc3\xbc\n" \
    "      left side =\n" \
    "        [[1, 0],\n" \
    "         [0, 0]]\n" \
    "      right side =\n" \
    "        [[1/2, 1/2],\n" \
    "         [0, 0]]\n" \
    "      differing entries:\n" \
    "        [0, 0]: 1 != 1/2\n" \
    "        [0, 1]: 0 != 1/2\n"
#define B_SYMBOLIC \
    "  symbolic    failed     1 shape, 1 instance      0.030 s  counterexample found\n" \
    "    counterexample at shape M=2, N=2 (show at line 31):\n" \
    "      first differing term: x_0_1 (coefficient 0 on the left, 1/2 on the right)\n"

#define C_HEADER "UNDECIDED \"1x1 bottleneck cost\" proofs/bottleneck.proof:7\n"
#define C_METHODS \
    "  all_shapes  undecided  0 shapes, 0 instances    5.000 s\n" \
    "    isl time limit (5 s) reached\n" \
    "  random      n/a\n" \
    "    the claim is not a polynomial identity\n"

#define D_HEADER \
    "PASS (refuted as expected) \"cross-correlation equals convolution\" " \
    "proofs/refute.proof:3\n"
#define D_METHODS \
    "  exact       passed     1 shape, 1 instance      0.001 s  counterexample found\n" \
    "    counterexample at shape M=1, N=2, U=1, V=2 (show at line 4):\n" \
    "      W = [[1, 0]]\n" \
    "      X = [[1, 2]]\n" \
    "      left side = [[1]]\n" \
    "      right side = [[2]]\n" \
    "      differing entries:\n" \
    "        [0, 0]: 1 != 2\n"

/* The text report ends with the seed (build_sample's 42) and the summary. */
#define SUMMARY "seed 42 (replay with --seed 42)\n2 passed, 1 failed, 1 undecided\n"

static void test_text_default(void **state)
{
    (void)state;
    cvp_report r;
    tu_build_sample_report(&r);
    /* A passed claim lists only the methods that passed; the others list
     * every method.  The refute's counterexample is shown: it is the
     * evidence. */
    tu_assert_rendered(cvp_report_write_text, &r, NULL,
                    A_HEADER A_EXACT A_SYMBOLIC "\n"
                    B_HEADER B_EXACT_LINE B_EXACT_COUNTEREXAMPLE B_SYMBOLIC "\n"
                    C_HEADER C_METHODS "\n"
                    D_HEADER D_METHODS "\n"
                    SUMMARY);
    cvp_report_clear(&r);
}

static void test_text_quiet(void **state)
{
    (void)state;
    cvp_report r;
    tu_build_sample_report(&r);
    cvp_render_options o = {.quiet = true};
    /* Only the claims that were not verified, and the summary of all. */
    tu_assert_rendered(cvp_report_write_text, &r, &o,
                    B_HEADER B_EXACT_LINE B_EXACT_COUNTEREXAMPLE B_SYMBOLIC "\n"
                    C_HEADER C_METHODS "\n"
                    SUMMARY);
    cvp_report_clear(&r);
}

static void test_text_verbose(void **state)
{
    (void)state;
    cvp_report r;
    tu_build_sample_report(&r);
    cvp_render_options o = {.verbose = true};
    /* Statements, evidence (the escape character in B's evidence shown as
     * \x1b, not sent to the terminal) and every method. */
    tu_assert_rendered(cvp_report_write_text, &r, &o,
                    A_HEADER
                    "  statement:\n"
                    "    show wconv(W, X) == wconv(X, W)\n"
                    A_EXACT
                    "    evidence: 60 instances with integers in [-3, 3], ties included\n"
                    A_SYMBOLIC
                    "    evidence: both sides: 18 terms per entry\n"
                    A_BOUNDED "\n"
                    B_HEADER
                    "  statement:\n"
                    "    let Y = maxpool(X, 2)\n"
                    "    show grad(sum(Y * W), X) == route(W, X)\n"
                    B_EXACT_LINE
                    "    evidence: ties broken \\x1b[31mleft to right\n"
                    B_EXACT_COUNTEREXAMPLE B_SYMBOLIC "\n"
                    C_HEADER
                    "  statement:\n"
                    "    show cost(bottleneck(256, 64)) < cost(conv3x3(256, 256))\n"
                    C_METHODS "\n"
                    D_HEADER
                    "  statement:\n"
                    "    show xcorr(W, X) == conv(W, X)\n"
                    D_METHODS "\n"
                    SUMMARY);
    cvp_report_clear(&r);
}

static void test_text_color(void **state)
{
    (void)state;
    cvp_report r;
    tu_build_sample_report(&r);
    cvp_render_options o = {.color = true};
    char *text = tu_render(cvp_report_write_text, &r, &o);
    tu_assert_rendered_has(text, "\033[1;32mPASS\033[0m \"wide convolution commutes\"");
    tu_assert_rendered_has(text, "\033[1;31mFAIL\033[0m \"max-pool");
    tu_assert_rendered_has(text, "\033[1;33mUNDECIDED\033[0m \"1x1");
    tu_assert_rendered_has(text, "\033[1;32mPASS (refuted as expected)\033[0m");
    /* Padding goes outside the colour codes, so columns still line up. */
    tu_assert_rendered_has(text, "  exact       \033[32mpassed\033[0m     3 shapes, 60");
    tu_assert_rendered_has(text, "  all_shapes  \033[33mundecided\033[0m  0 shapes");
    tu_assert_rendered_has(text, "  random      \033[33mn/a\033[0m\n");
    /* The summary line stays plain for CI tooling. */
    tu_assert_rendered_has(text, "\n\n" SUMMARY);
    size_t len = strlen(text);
    assert_true(len >= strlen(SUMMARY));
    assert_string_equal(text + len - strlen(SUMMARY), SUMMARY);
    free(text);
    cvp_report_clear(&r);
}

static void test_text_summary_line_forms(void **state)
{
    (void)state;
    cvp_report r;
    cvp_report_init(&r, NULL, 0);
    tu_assert_rendered(cvp_report_write_text, &r, NULL,
                    "seed 0 (replay with --seed 0)\n0 passed, 0 failed\n");
    cvp_claim_result *c = cvp_report_add_claim(&r, "t", false, NULL, 0, NULL);
    c->outcome = CVP_OUTCOME_PASSED;
    cvp_render_options quiet = {.quiet = true};
    tu_assert_rendered(cvp_report_write_text, &r, &quiet,
                    "seed 0 (replay with --seed 0)\n1 passed, 0 failed\n");
    /* A claim no method could judge is not verified: undecided. */
    c = cvp_report_add_claim(&r, "u", false, NULL, 0, NULL);
    c->outcome = CVP_OUTCOME_NOT_APPLICABLE;
    tu_assert_rendered(cvp_report_write_text, &r, &quiet,
                    "UNDECIDED \"u\"\n\nseed 0 (replay with --seed 0)\n"
                    "1 passed, 0 failed, 1 undecided\n");
    cvp_report_clear(&r);
}

static void test_text_escapes_titles_and_controls(void **state)
{
    (void)state;
    cvp_report r;
    cvp_report_init(&r, "0.1.0", 1);
    /* Title: a newline, a tab, a backslash, ESC, and a byte (0xff) that is
     * not UTF-8.  File with no line; a reason with a carriage return. */
    cvp_claim_result *c = cvp_report_add_claim(
        &r, "two\nlines\tand \\ \x1b[2J \xff!", false, "f.proof", 0, NULL);
    cvp_method_result *m = cvp_claim_add_method(c, CVP_METHOD_RANDOM);
    m->outcome = CVP_OUTCOME_FAILED;
    m->shapes = 12, m->instances = 1000, m->seconds = 1234.5678;
    cvp_set_text(&m->reason, "over\rwritten\n\nafter a blank line");
    cvp_claim_decide(c);
    assert_int_equal(c->outcome, CVP_OUTCOME_FAILED);
    tu_assert_rendered(cvp_report_write_text, &r, NULL,
                    "FAIL \"two\\nlines\\tand \\\\ \\x1b[2J \xef\xbf\xbd!\" f.proof\n"
                    "  random      failed     12 shapes, 1000 instances 1234.568 s\n"
                    "    over\\x0dwritten\n"
                    "\n"
                    "    after a blank line\n"
                    "\n"
                    "seed 1 (replay with --seed 1)\n"
                    "0 passed, 1 failed\n");
    cvp_report_clear(&r);
}

/* ---- Markdown ------------------------------------------------------------ */

static void test_markdown_sample(void **state)
{
    (void)state;
    cvp_report r;
    tu_build_sample_report(&r);
    char *md = tu_render(cvp_report_write_markdown, &r, NULL);
    tu_assert_rendered_has(md, "# convproof report\n\nconvproof 0.1.0, seed 42\n\n"
                        "**2 passed, 1 failed, 1 undecided**\n\n");
    tu_assert_rendered_has(md,
        "| # | claim | file:line | outcome | methods |\n"
        "| ---: | --- | --- | --- | --- |\n"
        "| 1 | wide convolution commutes | proofs/conv.proof:12 | PASS | "
        "exact (passed), symbolic (passed) |\n"
        "| 2 | max-pool backward routes to the \"first\" max | "
        "proofs/pool.proof:30 | FAIL | exact (failed), symbolic (failed) |\n"
        "| 3 | 1x1 bottleneck cost | proofs/bottleneck.proof:7 | UNDECIDED | "
        "all_shapes (undecided) |\n"
        "| 4 | cross-correlation equals convolution | proofs/refute.proof:3 | "
        "PASS (refuted as expected) | exact (passed) |\n");
    /* Claim 2's section: statement verbatim in a code block (no escaping
     * of the '*'), all methods in a table, each counterexample in a code
     * block. */
    tu_assert_rendered_has(md,
        "\n## 2. FAIL: max-pool backward routes to the \"first\" max\n\n"
        "Claim at proofs/pool.proof:30, 0.032 s.\n\n"
        "```text\n"
        "let Y = maxpool(X, 2)\n"
        "show grad(sum(Y * W), X) == route(W, X)\n"
        "```\n\n"
        "| method | outcome | what it shows | shapes | instances | seconds |\n"
        "| --- | --- | --- | ---: | ---: | ---: |\n"
        "| exact | failed | sides differ at 2 entries | 1 | 7 | 0.002 |\n"
        "| symbolic | failed | counterexample found | 1 | 1 | 0.030 |\n\n"
        "**Counterexample** (exact, shape M=2, N=2, show at line 31):\n\n"
        "```text\n"
        "X =\n"
        "  [[1, 1],\n"
        "   [0, 0]]\n"
        "W = [[1/2]]\n"
        "label =\n"
        "  a \"quoted\"\tback\\slash\n"
        "  next line: \xce\xa3 \xc3\xbc\n"
        "left side =\n");
    tu_assert_rendered_has(md,
        "**Counterexample** (symbolic, shape M=2, N=2, show at line 31):\n\n"
        "```text\n"
        "first differing term: x_0_1 (coefficient 0 on the left, 1/2 on the right)\n"
        "```\n");
    /* A method that passed says how strong the pass is; n/a has no counts. */
    tu_assert_rendered_has(md, "| exact | passed | holds on the instances checked, "
                        "exactly | 3 | 60 | 0.004 |\n");
    tu_assert_rendered_has(md, "| bounded | not_applicable | no transcendental "
                        "function in the claim |  |  |  |\n");
    tu_assert_rendered_has(md, "\n## 4. PASS (refuted as expected): cross-correlation "
                        "equals convolution\n\nRefute (expected to be false) at "
                        "proofs/refute.proof:3, 0.001 s.\n");
    /* The document ends with exactly one newline. */
    size_t len = strlen(md);
    assert_true(len > 2 && md[len - 1] == '\n' && md[len - 2] != '\n');
    free(md);
    cvp_report_clear(&r);
}

static void test_markdown_escaping_and_options(void **state)
{
    (void)state;
    cvp_report r;
    cvp_report_init(&r, "0.1.0", 7);
    cvp_claim_result *c = cvp_report_add_claim(
        &r, "a | b *not bold* <b>\nsecond", false, "x.proof", 2,
        "show f(X) == g(X) # uses ``` inside");
    cvp_method_result *m = cvp_claim_add_method(c, CVP_METHOD_EXACT);
    m->outcome = CVP_OUTCOME_FAILED;
    m->instances = 1, m->shapes = 1;
    cvp_set_text(&m->reason, "left | right\ndiffer");
    cvp_set_text(&m->evidence, "e_1 | e_2");
    cvp_counterexample *x = cvp_method_add_counterexample(m);
    cvp_counterexample_add_input(x, "X", "````");
    cvp_claim_decide(c);
    c = cvp_report_add_claim(&r, "fine", false, "x.proof", 9, NULL);
    c->outcome = CVP_OUTCOME_PASSED;

    cvp_render_options o = {.quiet = true, .verbose = true};
    char *md = tu_render(cvp_report_write_markdown, &r, &o);
    /* '|' and other Markdown syntax escaped in cells and headings; a newline
     * in a cell is <br>, in a heading a space. */
    tu_assert_rendered_has(md, "| 1 | a \\| b \\*not bold\\* \\<b\\><br>second | x.proof:2 "
                        "| FAIL | exact (failed) |\n");
    tu_assert_rendered_has(md, "\n## 1. FAIL: a \\| b \\*not bold\\* \\<b\\> second\n");
    /* A fence longer than any backtick run inside. */
    tu_assert_rendered_has(md, "\n````text\nshow f(X) == g(X) # uses ``` inside\n````\n");
    tu_assert_rendered_has(md, "\n`````text\nX = ````\n`````\n");
    /* Verbose adds the evidence column. */
    tu_assert_rendered_has(md, "| seconds | evidence |\n");
    tu_assert_rendered_has(md, "| exact | failed | left \\| right<br>differ | 1 | 1 "
                        "| 0.000 | e\\_1 \\| e\\_2 |\n");
    /* Quiet: the passed claim is counted but not shown. */
    tu_assert_rendered_has(md, "**1 passed, 1 failed**");
    tu_assert_rendered_lacks(md, "fine");
    free(md);
    cvp_report_clear(&r);
}

/* ---- write errors -------------------------------------------------------- */

static const tu_render_fn all_formats[] = {
    cvp_report_write_text, cvp_report_write_markdown, cvp_report_write_json};

static void test_write_error_on_dev_full(void **state)
{
    (void)state;
    if (access("/dev/full", W_OK) != 0)
        skip();
    cvp_report r;
    tu_build_sample_report(&r);
    for (size_t k = 0; k < 3; k++) {
        FILE *full = fopen("/dev/full", "w");
        assert_non_null(full);
        assert_int_equal(all_formats[k](full, &r, NULL), -1);
        fclose(full);   /* fails too; nothing left to report */
    }
    cvp_report_clear(&r);
}

static void test_write_error_on_read_only_stream(void **state)
{
    (void)state;
    cvp_report r;
    tu_build_sample_report(&r);
    for (size_t k = 0; k < 3; k++) {
        char buffer[64] = "read only";
        FILE *ro = fmemopen(buffer, sizeof buffer, "r");
        assert_non_null(ro);
        assert_int_equal(all_formats[k](ro, &r, NULL), -1);
        fclose(ro);
        assert_string_equal(buffer, "read only");
    }
    cvp_report_clear(&r);
}

/* ---- the records ----------------------------------------------------------- */

static void test_names(void **state)
{
    (void)state;
    static const char *const names[CVP_METHOD_COUNT] = {
        "exact", "random", "symbolic", "all_shapes", "bounded", "regions"};
    for (int k = 0; k < CVP_METHOD_COUNT; k++) {
        assert_string_equal(cvp_method_name((cvp_method)k), names[k]);
        assert_true(strncmp(cvp_method_strength((cvp_method)k), "holds ", 6) == 0);
    }
    assert_string_equal(cvp_method_strength(CVP_METHOD_SYMBOLIC),
                        "holds for every real value, for each shape checked");
    assert_string_equal(cvp_outcome_name(CVP_OUTCOME_PASSED), "passed");
    assert_string_equal(cvp_outcome_name(CVP_OUTCOME_FAILED), "failed");
    assert_string_equal(cvp_outcome_name(CVP_OUTCOME_UNDECIDED), "undecided");
    assert_string_equal(cvp_outcome_name(CVP_OUTCOME_NOT_APPLICABLE),
                        "not_applicable");
}

/* Decides a claim (or refute) whose methods have the given outcomes; the
 * methods are symbolic, which proves (exact alone gives TESTED, see
 * tests/test_verdict.c). */
static cvp_outcome decide(bool is_refute, size_t n, const cvp_outcome *outcomes)
{
    cvp_report r;
    cvp_report_init(&r, NULL, 0);
    cvp_claim_result *c = cvp_report_add_claim(&r, "c", is_refute, NULL, 0, NULL);
    assert_int_equal(c->outcome, CVP_OUTCOME_UNDECIDED);
    for (size_t k = 0; k < n; k++) {
        cvp_method_result *m = cvp_claim_add_method(c, CVP_METHOD_SYMBOLIC);
        assert_int_equal(m->outcome, CVP_OUTCOME_UNDECIDED);
        m->outcome = outcomes[k];
    }
    cvp_outcome o = cvp_claim_decide(c);
    assert_int_equal(o, c->outcome);
    cvp_report_clear(&r);
    return o;
}

static void test_claim_decide(void **state)
{
    (void)state;
    const cvp_outcome P = CVP_OUTCOME_PASSED, F = CVP_OUTCOME_FAILED,
                      U = CVP_OUTCOME_UNDECIDED, N = CVP_OUTCOME_NOT_APPLICABLE;
    /* A claim: a counterexample outweighs any number of passes. */
    assert_int_equal(decide(false, 0, NULL), U);
    assert_int_equal(decide(false, 3, (cvp_outcome[]){P, N, U}), P);
    assert_int_equal(decide(false, 3, (cvp_outcome[]){P, F, P}), F);
    assert_int_equal(decide(false, 2, (cvp_outcome[]){N, U}), U);
    assert_int_equal(decide(false, 1, (cvp_outcome[]){N}), U);
    /* A refute: a counterexample found (PASSED) settles it. */
    assert_int_equal(decide(true, 2, (cvp_outcome[]){F, P}), P);
    assert_int_equal(decide(true, 2, (cvp_outcome[]){F, U}), F);
    assert_int_equal(decide(true, 1, (cvp_outcome[]){U}), U);
}

static void test_counts(void **state)
{
    (void)state;
    cvp_report r;
    tu_build_sample_report(&r);
    size_t passed = 99, failed = 99, undecided = 99;
    cvp_report_counts(&r, &passed, &failed, &undecided);
    assert_int_equal(passed, 2);
    assert_int_equal(failed, 1);
    assert_int_equal(undecided, 1);
    cvp_report_counts(&r, NULL, &failed, NULL);   /* NULLs allowed */
    assert_int_equal(failed, 1);
    cvp_report_clear(&r);
}

static void test_setters_copy(void **state)
{
    (void)state;
    char buffer[] = "original";
    char *field = NULL;
    cvp_set_text(&field, buffer);
    buffer[0] = 'X';   /* the record keeps its own copy */
    assert_string_equal(field, "original");
    cvp_set_text(&field, field + 4);   /* text inside the field itself */
    assert_string_equal(field, "inal");
    cvp_set_textf(&field, "%s=%d/%u", "x", -3, 4u);
    assert_string_equal(field, "x=-3/4");
    cvp_set_textf(&field, "%s", "");
    assert_string_equal(field, "");
    cvp_set_text(&field, NULL);
    assert_null(field);

    cvp_report r;
    char title[] = "t", file[] = "f.proof";
    cvp_report_init(&r, "v", 3);
    cvp_claim_result *c = cvp_report_add_claim(&r, title, true, file, 5, NULL);
    title[0] = file[0] = '?';
    assert_string_equal(c->title, "t");
    assert_string_equal(c->file, "f.proof");
    assert_null(c->statement);
    assert_true(c->is_refute);
    assert_int_equal(c->line, 5);
    cvp_report_clear(&r);
}

/* Many claims, methods and inputs, counterexamples replaced, fields
 * overwritten: valgrind sees whether cvp_report_clear frees it all. */
static void test_clear_frees_everything(void **state)
{
    (void)state;
    cvp_report r;
    cvp_report_init(&r, "0.1.0", 5);
    for (int k = 0; k < 40; k++) {
        cvp_claim_result *c = cvp_report_add_claim(&r, "title", k % 2, "f", k,
                                                   "show x == x");
        for (int j = 0; j < 7; j++) {
            cvp_method_result *m = cvp_claim_add_method(c, (cvp_method)(j % 5));
            cvp_set_text(&m->reason, "first");
            cvp_set_textf(&m->reason, "second %d", j);
            cvp_set_text(&m->evidence, "e");
            cvp_counterexample *x = cvp_method_add_counterexample(m);
            cvp_counterexample_add_input(x, "X", "1");
            cvp_set_text(&x->shape, "M=1");
            x = cvp_method_add_counterexample(m);   /* replaces the first */
            for (int i = 0; i < 9; i++)
                cvp_counterexample_add_input(x, "Y", i % 2 ? NULL : "[1]");
            cvp_set_text(&x->lhs, "1");
            cvp_set_text(&x->rhs, "2");
            cvp_set_text(&x->differences, "d");
            cvp_set_text(&x->first_term, "t");
        }
        cvp_claim_decide(c);
        assert_int_equal(c->method_count, 7);
    }
    assert_int_equal(r.claim_count, 40);
    assert_int_equal(r.claims[39].methods[6].counterexample->input_count, 9);
    assert_string_equal(r.claims[39].methods[6].reason, "second 6");
    /* Rendering must cope with the NULL input values too. */
    char *text = tu_render(cvp_report_write_json, &r, NULL);
    free(text);
    text = tu_render(cvp_report_write_text, &r, NULL);
    free(text);
    cvp_report_clear(&r);
    assert_int_equal(r.claim_count, 0);
    assert_null(r.claims);
    assert_null(r.tool_version);
    cvp_report_clear(&r);   /* a second clear is harmless */
}

/* ---- helpers shared by the renderers ------------------------------------- */

static void test_utf8_valid_length(void **state)
{
    (void)state;
    assert_int_equal(cvp_utf8_valid_length("a"), 1);
    assert_int_equal(cvp_utf8_valid_length("\xc3\xbc"), 2);          /* ü */
    assert_int_equal(cvp_utf8_valid_length("\xe2\x88\x91"), 3);      /* ∑ */
    assert_int_equal(cvp_utf8_valid_length("\xf0\x9f\x98\x80"), 4);  /* U+1F600 */
    assert_int_equal(cvp_utf8_valid_length("\xf4\x8f\xbf\xbf"), 4);  /* U+10FFFF */
    assert_int_equal(cvp_utf8_valid_length("\x80"), 0);      /* continuation */
    assert_int_equal(cvp_utf8_valid_length("\xc1\xbf"), 0);  /* overlong */
    assert_int_equal(cvp_utf8_valid_length("\xe0\x9f\xbf"), 0);  /* overlong */
    assert_int_equal(cvp_utf8_valid_length("\xed\xa0\x80"), 0);  /* surrogate */
    assert_int_equal(cvp_utf8_valid_length("\xf4\x90\x80\x80"), 0);  /* > U+10FFFF */
    assert_int_equal(cvp_utf8_valid_length("\xf5\x80\x80\x80"), 0);
    assert_int_equal(cvp_utf8_valid_length("\xe2\x88"), 0);  /* truncated */
    assert_int_equal(cvp_utf8_valid_length("\xff"), 0);
}

static void test_format_seconds(void **state)
{
    (void)state;
    char buf[32];
    cvp_render_format_seconds(buf, sizeof buf, 0.0005, 3);
    assert_string_equal(buf, "0.001");   /* rounded half up */
    cvp_render_format_seconds(buf, sizeof buf, 2.5, 0);
    assert_string_equal(buf, "3");
    cvp_render_format_seconds(buf, sizeof buf, 12.0625, 6);
    assert_string_equal(buf, "12.062500");
    cvp_render_format_seconds(buf, sizeof buf, NAN, 3);
    assert_string_equal(buf, "0.000");
    cvp_render_format_seconds(buf, sizeof buf, -1.0, 3);
    assert_string_equal(buf, "0.000");
    cvp_render_format_seconds(buf, sizeof buf, INFINITY, 1);
    assert_string_equal(buf, "0.0");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_claim_decide),
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_setters_copy),
        cmocka_unit_test(test_clear_frees_everything),
        cmocka_unit_test(test_utf8_valid_length),
        cmocka_unit_test(test_format_seconds),
        cmocka_unit_test(test_text_default),
        cmocka_unit_test(test_text_quiet),
        cmocka_unit_test(test_text_verbose),
        cmocka_unit_test(test_text_color),
        cmocka_unit_test(test_text_summary_line_forms),
        cmocka_unit_test(test_text_escapes_titles_and_controls),
        cmocka_unit_test(test_markdown_sample),
        cmocka_unit_test(test_markdown_escaping_and_options),
        cmocka_unit_test(test_write_error_on_dev_full),
        cmocka_unit_test(test_write_error_on_read_only_stream),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
