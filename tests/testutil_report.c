/* testutil_report.c -- the sample report and rendering helpers of the
 * report tests. */
#include "testutil_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The source tree, where tests/report_json_check.py and
 * docs/report-schema.json are (set by Makefile.am). */
#ifndef CVP_SRCDIR
#define CVP_SRCDIR "."
#endif

/* ---- the sample report -------------------------------------------------
 * Four claims: one that passes, one that fails with counterexamples (whose
 * "label" input holds quotes, a tab, a backslash, a newline and UTF-8), one
 * undecided, and a refute that found its counterexample. */

void tu_build_sample_report(cvp_report *r)
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
    cvp_counterexample_add_input(x, "label", TU_TRICKY_VALUE);
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

char *tu_render(tu_render_fn fn, const cvp_report *r,
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

void tu_assert_rendered(tu_render_fn fn, const cvp_report *r,
                        const cvp_render_options *o, const char *expected)
{
    char *text = tu_render(fn, r, o);
    if (strcmp(text, expected) != 0)
        fprintf(stderr, "rendered:\n%s--- expected:\n%s---\n", text, expected);
    assert_string_equal(text, expected);
    free(text);
}

void tu_assert_rendered_has(const char *text, const char *fragment)
{
    if (strstr(text, fragment) == NULL)
        fprintf(stderr, "missing:\n%s\n--- in:\n%s---\n", fragment, text);
    assert_non_null(strstr(text, fragment));
}

void tu_assert_rendered_lacks(const char *text, const char *fragment)
{
    if (strstr(text, fragment) != NULL)
        fprintf(stderr, "unexpected:\n%s\n--- in:\n%s---\n", fragment, text);
    assert_null(strstr(text, fragment));
}

/* ---- the independent JSON checker ---------------------------------------- */

int tu_run_json_check(const char *json, const char *const *checks)
{
    if (access(CVP_TEST_PYTHON, X_OK) != 0)
        return -1;
    const char *argv[64] = {CVP_TEST_PYTHON, CVP_SRCDIR "/tests/report_json_check.py",
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
        execv(CVP_TEST_PYTHON, (char *const *)argv);
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
