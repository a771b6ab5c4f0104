/* test_report.c -- verdict records and their text, Markdown and JSON
 * renderings.
 *
 * Expected output is written out by hand below (the whole text rendering,
 * key pieces of the Markdown, the escaped JSON strings), never copied from
 * the renderers.  The JSON is also checked by a second, independent reader:
 * tests/report_json_check.py parses it with Python's json module (strict
 * UTF-8, no NaN, no duplicate keys), validates it against
 * docs/report-schema.json -- with the jsonschema module when importable,
 * else with the script's own validator of the keywords the schema uses --
 * and compares decoded values with the original strings.  Without
 * /usr/bin/python3 those assertions are skipped (the test says so).
 *
 * Memory: cvp_report_clear must free everything; run this file under
 * valgrind (make check-valgrind) to see that it does.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

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

#ifndef CVP_SRCDIR
#define CVP_SRCDIR "."
#endif
/* The system Python, not whatever is first on PATH; a build may point
 * this elsewhere with -DCVP_TEST_PYTHON='"..."'. */
#ifndef CVP_TEST_PYTHON
#define CVP_TEST_PYTHON "/usr/bin/python3"
#endif
#define PYTHON CVP_TEST_PYTHON

/* ---- the sample report ---------------------------------------------------
 * Four claims: one that passes, one that fails with counterexamples (whose
 * "label" input holds quotes, a tab, a backslash, a newline and UTF-8), one
 * undecided, and a refute that found its counterexample. */

#define TRICKY_VALUE "a \"quoted\"\tback\\slash\nnext line: \xce\xa3 \xc3\xbc"

static void build_sample(cvp_report *r)
{
    cvp_report_init(r, "0.1.0", 42);

    cvp_claim_result *c = cvp_report_add_claim(
        r, "wide convolution commutes", false, "proofs/conv.proof", 12,
        "show wconv(W, X) == wconv(X, W)\n");
    cvp_method_result *m = cvp_claim_add_method(c, CVP_METHOD_EXACT);
    m->outcome = CVP_OUTCOME_PASSED;
    m->shapes = 3, m->instances = 60, m->seconds = 0.004;
    cvp_set_text(&m->evidence, "60 instances with integers in [-3, 3], ties included");
    m = cvp_claim_add_method(c, CVP_METHOD_SYMBOLIC);
    m->outcome = CVP_OUTCOME_PASSED;
    m->shapes = 3, m->instances = 3, m->seconds = 0.125;
    cvp_set_textf(&m->evidence, "both sides: %d terms per entry", 18);
    m = cvp_claim_add_method(c, CVP_METHOD_BOUNDED);
    m->outcome = CVP_OUTCOME_NOT_APPLICABLE;
    cvp_set_text(&m->reason, "no transcendental function in the claim");
    c->seconds = 0.129;
    cvp_claim_decide(c);

    c = cvp_report_add_claim(
        r, "max-pool backward routes to the \"first\" max", false,
        "proofs/pool.proof", 30,
        "let Y = maxpool(X, 2)\nshow grad(sum(Y * W), X) == route(W, X)\n");
    m = cvp_claim_add_method(c, CVP_METHOD_EXACT);
    m->outcome = CVP_OUTCOME_FAILED;
    m->shapes = 1, m->instances = 7, m->seconds = 0.002;
    cvp_set_text(&m->reason, "sides differ at 2 entries");
    cvp_set_text(&m->evidence, "ties broken \x1b[31mleft to right");
    cvp_counterexample *x = cvp_method_add_counterexample(m);
    cvp_set_text(&x->shape, "M=2, N=2");
    x->show_line = 31;
    /* Tensor text ends in a newline (cvp_tensor_write_text); the text and
     * Markdown renderers drop it, JSON keeps the value as given. */
    cvp_counterexample_add_input(x, "X", "[[1, 1],\n [0, 0]]\n");
    cvp_counterexample_add_input(x, "W", "[[1/2]]\n");
    cvp_counterexample_add_input(x, "label", TRICKY_VALUE);
    cvp_set_text(&x->lhs, "[[1, 0],\n [0, 0]]\n");
    cvp_set_text(&x->rhs, "[[1/2, 1/2],\n [0, 0]]\n");
    cvp_set_text(&x->differences, "[0, 0]: 1 != 1/2\n[0, 1]: 0 != 1/2\n");
    m = cvp_claim_add_method(c, CVP_METHOD_SYMBOLIC);
    m->outcome = CVP_OUTCOME_FAILED;
    m->shapes = 1, m->instances = 1, m->seconds = 0.030;
    x = cvp_method_add_counterexample(m);
    cvp_set_text(&x->shape, "M=2, N=2");
    x->show_line = 31;
    cvp_set_text(&x->first_term,
                 "x_0_1 (coefficient 0 on the left, 1/2 on the right)");
    c->seconds = 0.032;
    cvp_claim_decide(c);

    c = cvp_report_add_claim(r, "1x1 bottleneck cost", false,
                             "proofs/bottleneck.proof", 7,
                             "show cost(bottleneck(256, 64)) < cost(conv3x3(256, 256))");
    m = cvp_claim_add_method(c, CVP_METHOD_ALL_SHAPES);
    m->outcome = CVP_OUTCOME_UNDECIDED;
    m->seconds = 5.0;
    cvp_set_text(&m->reason, "isl time limit (5 s) reached");
    m = cvp_claim_add_method(c, CVP_METHOD_RANDOM);
    m->outcome = CVP_OUTCOME_NOT_APPLICABLE;
    cvp_set_text(&m->reason, "the claim is not a polynomial identity");
    c->seconds = 5.001;
    cvp_claim_decide(c);

    c = cvp_report_add_claim(r, "cross-correlation equals convolution", true,
                             "proofs/refute.proof", 3,
                             "show xcorr(W, X) == conv(W, X)");
    m = cvp_claim_add_method(c, CVP_METHOD_EXACT);
    m->outcome = CVP_OUTCOME_PASSED;
    m->shapes = 1, m->instances = 1, m->seconds = 0.001;
    x = cvp_method_add_counterexample(m);
    cvp_set_text(&x->shape, "M=1, N=2, U=1, V=2");
    x->show_line = 4;
    cvp_counterexample_add_input(x, "W", "[[1, 0]]");
    cvp_counterexample_add_input(x, "X", "[[1, 2]]");
    cvp_set_text(&x->lhs, "[[1]]");
    cvp_set_text(&x->rhs, "[[2]]");
    cvp_set_text(&x->differences, "[0, 0]: 1 != 2");
    c->seconds = 0.001;
    cvp_claim_decide(c);
}

/* ---- rendering into memory ---------------------------------------------- */

typedef int (*render_fn)(FILE *, const cvp_report *, const cvp_render_options *);

static char *render(render_fn fn, const cvp_report *r,
                    const cvp_render_options *o)
{
    char *text = NULL;
    size_t len = 0;
    FILE *stream = open_memstream(&text, &len);
    assert_non_null(stream);
    assert_int_equal(fn(stream, r, o), 0);
    assert_int_equal(fclose(stream), 0);
    assert_int_equal(strlen(text), len);   /* no NUL bytes written */
    return text;
}

static void assert_rendered(render_fn fn, const cvp_report *r,
                            const cvp_render_options *o, const char *expected)
{
    char *text = render(fn, r, o);
    if (strcmp(text, expected) != 0)
        fprintf(stderr, "rendered:\n%s--- expected:\n%s---\n", text, expected);
    assert_string_equal(text, expected);
    free(text);
}

static void assert_contains(const char *text, const char *fragment)
{
    if (strstr(text, fragment) == NULL)
        fprintf(stderr, "missing:\n%s\n--- in:\n%s---\n", fragment, text);
    assert_non_null(strstr(text, fragment));
}

static void assert_lacks(const char *text, const char *fragment)
{
    if (strstr(text, fragment) != NULL)
        fprintf(stderr, "unexpected:\n%s\n--- in:\n%s---\n", fragment, text);
    assert_null(strstr(text, fragment));
}


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
    build_sample(&r);
    /* A passed claim lists only the methods that passed; the others list
     * every method.  The refute's counterexample is shown: it is the
     * evidence. */
    assert_rendered(cvp_report_write_text, &r, NULL,
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
    build_sample(&r);
    cvp_render_options o = {.quiet = true};
    /* Only the claims that were not verified, and the summary of all. */
    assert_rendered(cvp_report_write_text, &r, &o,
                    B_HEADER B_EXACT_LINE B_EXACT_COUNTEREXAMPLE B_SYMBOLIC "\n"
                    C_HEADER C_METHODS "\n"
                    SUMMARY);
    cvp_report_clear(&r);
}

static void test_text_verbose(void **state)
{
    (void)state;
    cvp_report r;
    build_sample(&r);
    cvp_render_options o = {.verbose = true};
    /* Statements, evidence (the escape character in B's evidence shown as
     * \x1b, not sent to the terminal) and every method. */
    assert_rendered(cvp_report_write_text, &r, &o,
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
    build_sample(&r);
    cvp_render_options o = {.color = true};
    char *text = render(cvp_report_write_text, &r, &o);
    assert_contains(text, "\033[1;32mPASS\033[0m \"wide convolution commutes\"");
    assert_contains(text, "\033[1;31mFAIL\033[0m \"max-pool");
    assert_contains(text, "\033[1;33mUNDECIDED\033[0m \"1x1");
    assert_contains(text, "\033[1;32mPASS (refuted as expected)\033[0m");
    /* Padding goes outside the colour codes, so columns still line up. */
    assert_contains(text, "  exact       \033[32mpassed\033[0m     3 shapes, 60");
    assert_contains(text, "  all_shapes  \033[33mundecided\033[0m  0 shapes");
    assert_contains(text, "  random      \033[33mn/a\033[0m\n");
    /* The summary line stays plain for CI tooling. */
    assert_contains(text, "\n\n" SUMMARY);
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
    assert_rendered(cvp_report_write_text, &r, NULL,
                    "seed 0 (replay with --seed 0)\n0 passed, 0 failed\n");
    cvp_claim_result *c = cvp_report_add_claim(&r, "t", false, NULL, 0, NULL);
    c->outcome = CVP_OUTCOME_PASSED;
    cvp_render_options quiet = {.quiet = true};
    assert_rendered(cvp_report_write_text, &r, &quiet,
                    "seed 0 (replay with --seed 0)\n1 passed, 0 failed\n");
    /* A claim no method could judge is not verified: undecided. */
    c = cvp_report_add_claim(&r, "u", false, NULL, 0, NULL);
    c->outcome = CVP_OUTCOME_NOT_APPLICABLE;
    assert_rendered(cvp_report_write_text, &r, &quiet,
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
    assert_rendered(cvp_report_write_text, &r, NULL,
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
    build_sample(&r);
    char *md = render(cvp_report_write_markdown, &r, NULL);
    assert_contains(md, "# convproof report\n\nconvproof 0.1.0, seed 42\n\n"
                        "**2 passed, 1 failed, 1 undecided**\n\n");
    assert_contains(md,
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
    assert_contains(md,
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
    assert_contains(md,
        "**Counterexample** (symbolic, shape M=2, N=2, show at line 31):\n\n"
        "```text\n"
        "first differing term: x_0_1 (coefficient 0 on the left, 1/2 on the right)\n"
        "```\n");
    /* A method that passed says how strong the pass is; n/a has no counts. */
    assert_contains(md, "| exact | passed | holds on the instances checked, "
                        "exactly | 3 | 60 | 0.004 |\n");
    assert_contains(md, "| bounded | not_applicable | no transcendental "
                        "function in the claim |  |  |  |\n");
    assert_contains(md, "\n## 4. PASS (refuted as expected): cross-correlation "
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
    char *md = render(cvp_report_write_markdown, &r, &o);
    /* '|' and other Markdown syntax escaped in cells and headings; a newline
     * in a cell is <br>, in a heading a space. */
    assert_contains(md, "| 1 | a \\| b \\*not bold\\* \\<b\\><br>second | x.proof:2 "
                        "| FAIL | exact (failed) |\n");
    assert_contains(md, "\n## 1. FAIL: a \\| b \\*not bold\\* \\<b\\> second\n");
    /* A fence longer than any backtick run inside. */
    assert_contains(md, "\n````text\nshow f(X) == g(X) # uses ``` inside\n````\n");
    assert_contains(md, "\n`````text\nX = ````\n`````\n");
    /* Verbose adds the evidence column. */
    assert_contains(md, "| seconds | evidence |\n");
    assert_contains(md, "| exact | failed | left \\| right<br>differ | 1 | 1 "
                        "| 0.000 | e\\_1 \\| e\\_2 |\n");
    /* Quiet: the passed claim is counted but not shown. */
    assert_contains(md, "**1 passed, 1 failed**");
    assert_lacks(md, "fine");
    free(md);
    cvp_report_clear(&r);
}

/* ---- JSON ------------------------------------------------------------------ */

/* Runs tests/report_json_check.py on `json` with the PATH EXPECTED pairs
 * in `checks` (NULL-terminated).  Returns its exit status, or -1 when
 * there is no /usr/bin/python3.  No shell is involved, so the expected
 * strings reach Python byte for byte. */
static int run_json_check(const char *json, const char *const *checks)
{
    if (access(PYTHON, X_OK) != 0)
        return -1;
    const char *argv[64] = {PYTHON, CVP_SRCDIR "/tests/report_json_check.py",
                            CVP_SRCDIR "/docs/report-schema.json"};
    size_t argc = 3;
    for (size_t k = 0; checks != NULL && checks[k] != NULL; k++) {
        assert_true(argc < 63);
        argv[argc++] = checks[k];
    }
    argv[argc] = NULL;

    int fds[2];
    assert_int_equal(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[0], STDIN_FILENO);
        close(fds[0]);
        close(fds[1]);
        execv(PYTHON, (char *const *)argv);
        _exit(127);
    }
    close(fds[0]);
    size_t len = strlen(json), done = 0;
    while (done < len) {
        ssize_t n = write(fds[1], json + done, len - done);
        if (n <= 0)
            break;   /* the checker stopped reading; its status says why */
        done += (size_t)n;
    }
    close(fds[1]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static void assert_json_checks(const char *json, const char *const *checks)
{
    int status = run_json_check(json, checks);
    if (status == -1) {
        fprintf(stderr, "note: no " PYTHON ": JSON not checked by Python\n");
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
    build_sample(&r);
    char *json = render(cvp_report_write_json, &r, NULL);

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
    assert_contains(json, "{\"name\": \"label\", \"value\": \"a \\\"quoted\\\"\\tback"
                          "\\\\slash\\nnext line: \xce\xa3 \xc3\xbc\"}\n");
    assert_contains(json, "\"evidence\": \"ties broken \\u001b[31mleft to right\",\n");
    assert_contains(json, "\"title\": \"max-pool backward routes to the "
                          "\\\"first\\\" max\",\n");
    assert_contains(json, "\"kind\": \"refute\",\n");
    assert_contains(json, "\"counterexample\": null\n");
    assert_contains(json, "\"show_line\": 31,\n");

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
        "claims.1.methods.0.counterexample.inputs.2.value", TRICKY_VALUE,
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
    assert_rendered(cvp_report_write_json, &r, NULL,
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
    char *json = render(cvp_report_write_json, &r, NULL);
    assert_contains(json, "\"title\": \"\",\n");
    assert_contains(json, "\"file\": null,\n");
    assert_contains(json, "\"line\": null,\n");
    assert_contains(json,
        "\"statement\": \"\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007"
        "\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013"
        "\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c"
        "\\u001d\\u001e\\u001f\\u007f\",\n");
    assert_contains(json, "\"seconds\": 0.000000,\n      \"methods\"");
    assert_contains(json, "\"reason\": \"\\ufffd \\ufffd\\ufffd "
                          "\\ufffd\\ufffd\\ufffd \\ufffd\\ufffd\",\n");
    assert_contains(json, "\"seconds\": 1000000000.000000,\n");
    assert_lacks(json, "nan");
    assert_lacks(json, "inf");
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
    int status = run_json_check(wrong_summary, NULL);
    if (status == -1)
        skip();
    assert_int_equal(status, 1);
    assert_int_equal(run_json_check(unknown_key, NULL), 1);
    assert_int_equal(run_json_check(bad_seed, NULL), 1);
    assert_int_equal(run_json_check("{\"a\": NaN}", NULL), 1);
}

/* ---- write errors -------------------------------------------------------- */

static const render_fn all_formats[] = {
    cvp_report_write_text, cvp_report_write_markdown, cvp_report_write_json};

static void test_write_error_on_dev_full(void **state)
{
    (void)state;
    if (access("/dev/full", W_OK) != 0)
        skip();
    cvp_report r;
    build_sample(&r);
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
    build_sample(&r);
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
        "exact", "random", "symbolic", "all_shapes", "bounded"};
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
    build_sample(&r);
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
    char *text = render(cvp_report_write_json, &r, NULL);
    free(text);
    text = render(cvp_report_write_text, &r, NULL);
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
    /* A checker that exits early must not kill the test with SIGPIPE. */
    signal(SIGPIPE, SIG_IGN);
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
        cmocka_unit_test(test_json_sample),
        cmocka_unit_test(test_json_edge_values),
        cmocka_unit_test(test_json_checker_rejects_bad_reports),
        cmocka_unit_test(test_write_error_on_dev_full),
        cmocka_unit_test(test_write_error_on_read_only_stream),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
