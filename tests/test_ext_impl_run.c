/* test_ext_impl_run.c -- `convproof test-impl` running implementations:
 * shrinking and the report mapping (with an in-process fake
 * implementation whose bugs are known), and the external runner (with
 * small /bin/sh commands that crash, hang, write nothing or write
 * garbage).
 *
 * The minimal failing cases were derived from the bugs, not copied from
 * the shrinker.  Run under valgrind by make check-valgrind. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check/verdict.h"
#include "ext/compare.h"
#include "ext/impl.h"
#include "ext/impl_run.h"
#include "kernel/pool.h"
#include "testutil.h"
#include "testutil_impl.h"

/* ---- a fake implementation with known bugs ---------------------------- */

typedef enum {
    FAKE_CORRECT,
    FAKE_NO_BIAS,          /* conv2d ignores the bias */
    FAKE_CRASH_PADDED,     /* "raises" whenever there is padding */
    FAKE_ALL_TIES,         /* max pool backward: every tied maximum */
    FAKE_HANG_STRIDED,     /* never finishes when a stride is 2 or more */
    FAKE_WRONG_STRIDED,    /* every output entry off by the last input
                              channel's first entry when a stride is 2 or
                              more */
    FAKE_UNSUPPORTED_GROUPS, /* answers "unsupported" when groups > 1 */
    FAKE_FLOAT32,          /* correct, but every output rounded to float32
                              and said to be float32 */
    FAKE_DROPS_SEVEN       /* conv2d reads every 7 of x as 0 */
} fake_bug;

typedef struct {
    cvp_impl_layout layout;
    fake_bug bug;
    size_t calls;
} fake;

/* Max pooling's gradient given to every maximum of each window. */
static void all_ties_backward(cvp_tensor_t out, const cvp_impl_case *c)
{
    const cvp_impl_dims *d = &c->d;
    cvp_error e;
    tu_assert_ok(cvp_tensor_resize_like(out, c->inputs[0], &e), &e);
    size_t o[2];
    cvp_impl_dims_out(o, d, c->op);
    for (size_t n = 0; n < d->n; n++)
        for (size_t ch = 0; ch < d->c; ch++)
            for (size_t i = 0; i < o[0]; i++)
                for (size_t j = 0; j < o[1]; j++) {
                    mpq_srcptr best = NULL;
                    for (int pass = 0; pass < 2; pass++)
                        for (size_t u = 0; u < d->kernel[0]; u++)
                            for (size_t v = 0; v < d->kernel[1]; v++) {
                                long row = (long)(i * d->stride[0] + u) - (long)d->padding[0];
                                long col = (long)(j * d->stride[1] + v) - (long)d->padding[1];
                                if (row < 0 || col < 0 || row >= (long)d->h || col >= (long)d->w)
                                    continue;
                                size_t at[4] = {n, ch, (size_t)row, (size_t)col};
                                mpq_srcptr x = cvp_tensor_at(c->inputs[0], cvp_tensor_offset(c->inputs[0], at));
                                if (pass == 0 && (best == NULL || mpq_cmp(x, best) > 0))
                                    best = x;
                                if (pass == 1 && mpq_equal(x, best)) {
                                    size_t g[4] = {n, ch, i, j};
                                    mpq_ptr y = cvp_tensor_entry(out, at);
                                    mpq_add(y, y, cvp_tensor_at(c->inputs[1], cvp_tensor_offset(c->inputs[1], g)));
                                }
                            }
                }
}

static cvp_status fake_eval(void *ctx, cvp_impl_result *results,
                            const cvp_impl_case *const *cases, size_t count,
                            cvp_error *err)
{
    fake *f = ctx;
    for (size_t i = 0; i < count; i++) {
        cvp_impl_result *r = &results[i];
        const cvp_impl_case *c = cases[i];
        const cvp_impl_op_info *info = cvp_impl_op_get(c->op);
        cvp_impl_result_reset(r);
        f->calls++;
        if (f->bug == FAKE_CRASH_PADDED && (c->d.padding[0] || c->d.padding[1])) {
            r->exit_code = 1;
            cvp_set_text(&r->stderr_excerpt, "ValueError: could not broadcast");
        } else if (f->bug == FAKE_UNSUPPORTED_GROUPS && c->d.groups > 1) {
            r->unsupported = true;
            cvp_set_text(&r->unsupported_reason, "no groups here");
            r->layouts = CVP_IMPL_LAYOUT_BIT(CVP_IMPL_NCHW);
        } else if (f->bug == FAKE_HANG_STRIDED
                   && (c->d.stride[0] > 1 || c->d.stride[1] > 1)) {
            r->timed_out = true;
        } else {
            cvp_tensor_t out[CVP_IMPL_MAX_OUTPUTS];
            for (int k = 0; k < CVP_IMPL_MAX_OUTPUTS; k++)
                cvp_tensor_init(out[k]);
            cvp_status st = cvp_impl_expected(out, c, err);
            if (st == CVP_OK && f->bug == FAKE_DROPS_SEVEN) {
                cvp_impl_case blind;
                cvp_impl_case_init(&blind);
                st = cvp_impl_case_set(&blind, c, err);
                for (size_t e = 0; st == CVP_OK && e < blind.inputs[0]->size; e++)
                    if (mpq_cmp_si(cvp_tensor_at(blind.inputs[0], e), 7, 1) == 0)
                        mpq_set_ui(cvp_tensor_at(blind.inputs[0], e), 0, 1);
                if (st == CVP_OK)
                    st = cvp_impl_expected(out, &blind, err);
                cvp_impl_case_clear(&blind);
            }
            if (st == CVP_OK && f->bug == FAKE_NO_BIAS && c->op == CVP_IMPL_CONV2D) {
                cvp_impl_case nobias;
                cvp_impl_case_init(&nobias);
                st = cvp_impl_case_set(&nobias, c, err);
                for (size_t o = 0; o < nobias.inputs[2]->size; o++)
                    mpq_set_ui(cvp_tensor_at(nobias.inputs[2], o), 0, 1);
                if (st == CVP_OK)
                    st = cvp_impl_expected(out, &nobias, err);
                cvp_impl_case_clear(&nobias);
            }
            if (st == CVP_OK && f->bug == FAKE_WRONG_STRIDED
                && (c->d.stride[0] > 1 || c->d.stride[1] > 1)) {
                /* Off by x[N-1, C-1, 0, 0] + 1: the failure survives any
                 * cut of batch or channels, and zeroing x. */
                const cvp_tensor_struct *x = c->inputs[0];
                size_t at[4] = {c->d.n - 1, c->d.c - 1, 0, 0};
                mpq_t off;
                mpq_init(off);
                mpq_set_ui(off, 1, 1);
                mpq_add(off, off, cvp_tensor_at(x, cvp_tensor_offset(x, at)));
                for (size_t e = 0; e < out[0]->size; e++)
                    mpq_add(cvp_tensor_at(out[0], e), cvp_tensor_at(out[0], e), off);
                mpq_clear(off);
            }
            if (st == CVP_OK && f->bug == FAKE_ALL_TIES
                && c->op == CVP_IMPL_MAX_POOL2D_BACKWARD)
                all_ties_backward(out[0], c);
            for (size_t k = 0; st == CVP_OK && f->bug == FAKE_FLOAT32
                               && k < info->output_count; k++) {
                for (size_t e = 0; e < out[k]->size; e++) {
                    mpq_ptr q = cvp_tensor_at(out[k], e);
                    mpq_set_d(q, (double)(float)mpq_get_d(q));
                }
                snprintf(r->dtype[k], sizeof r->dtype[k], "float32");
            }
            for (size_t k = 0; st == CVP_OK && k < info->output_count; k++) {
                st = cvp_impl_convert(r->outputs[k], out[k], info->output_kinds[k],
                                      f->layout, false, err);
                r->present[k] = true;
            }
            for (int k = 0; k < CVP_IMPL_MAX_OUTPUTS; k++)
                cvp_tensor_clear(out[k]);
            if (st != CVP_OK)
                return st;
        }
        cvp_status st = cvp_impl_judge(r, c, f->layout, err);
        if (st != CVP_OK)
            return st;
    }
    return CVP_OK;
}

/* Runs a whole test of op against the fake; returns the report. */
static void run_fake(cvp_report *report, cvp_impl_op op, cvp_impl_layout layout,
                     fake_bug bug, size_t window, size_t max_runs)
{
    cvp_impl_test_options o;
    cvp_impl_test_options_default(&o);
    o.layout = layout;
    o.command = "fake";
    o.trials = 12;
    o.window = window;
    o.max_shrink_runs = max_runs;
    fake f = {layout, bug, 0};
    cvp_error e;
    cvp_report_init(report, "test", o.seed);
    tu_assert_ok(cvp_impl_test(report, op, &o, fake_eval, &f, &e), &e);
}

/* The method result that failed (there is one). */
static cvp_method_result *failed_method(cvp_claim_result *claim)
{
    for (size_t k = 0; k < claim->method_count; k++)
        if (claim->methods[k].outcome == CVP_OUTCOME_FAILED)
            return &claim->methods[k];
    fail_msg("no method failed");
    return NULL;
}

static const char *input_named(const cvp_counterexample *x, const char *name)
{
    for (size_t k = 0; k < x->input_count; k++)
        if (strcmp(x->input_names[k], name) == 0)
            return x->input_values[k];
    fail_msg("no input %s", name);
    return NULL;
}

static void test_fake_correct(void **state)
{
    (void)state;
    for (int op = 0; op < CVP_IMPL_OP_COUNT; op++)
        for (int l = 0; l < 2; l++) {
            cvp_report report;
            run_fake(&report, (cvp_impl_op)op, (cvp_impl_layout)l, FAKE_CORRECT,
                     3, 100);
            assert_int_equal(report.claim_count, 1);
            cvp_claim_result *claim = &report.claims[0];
            assert_int_equal(claim->outcome, CVP_OUTCOME_TESTED);   /* a sweep samples */
            assert_int_equal(claim->methods[0].method, CVP_METHOD_EXACT);
            assert_int_equal(claim->methods[0].outcome, CVP_OUTCOME_PASSED);
            assert_non_null(strstr(claim->title, "by 'fake', layout"));
            cvp_report_clear(&report);
        }
}

static void test_shrink_no_bias(void **state)
{
    (void)state;
    /* Only the bias is wrong: the smallest failing case has every size 1,
     * x and the weight zero, and the bias 1. */
    cvp_report a, b;
    run_fake(&a, CVP_IMPL_CONV2D, CVP_IMPL_NCHW, FAKE_NO_BIAS, 1, 1000);
    run_fake(&b, CVP_IMPL_CONV2D, CVP_IMPL_NCHW, FAKE_NO_BIAS, 7, 1000);
    cvp_claim_result *claim = &a.claims[0];
    assert_int_equal(claim->outcome, CVP_OUTCOME_FAILED);
    cvp_method_result *m = failed_method(claim);
    assert_int_equal(m->outcome, CVP_OUTCOME_FAILED);
    assert_non_null(m->counterexample);
    cvp_counterexample *x = m->counterexample;
    assert_string_equal(x->shape, "N=1, C=1, H=1, W=1, O=1, K=1x1, S=1x1, P=0x0");
    assert_string_equal(input_named(x, "x"), "[[[[0]]]]\n");
    assert_string_equal(input_named(x, "weight"), "[[[[0]]]]\n");
    assert_string_equal(input_named(x, "bias"), "[1]\n");
    assert_string_equal(x->differences, "out[0,0,0,0]: 0 != 1");
    assert_non_null(strstr(x->lhs, "out =\n[[[[0]]]]"));
    assert_non_null(strstr(x->rhs, "out =\n[[[[1]]]]"));
    assert_non_null(strstr(m->reason, "shrunk in"));
    /* The window of candidates evaluated together changes nothing. */
    cvp_counterexample *y = failed_method(&b.claims[0])->counterexample;
    assert_non_null(y);
    assert_string_equal(x->shape, y->shape);
    for (size_t k = 0; k < x->input_count; k++)
        assert_string_equal(x->input_values[k], y->input_values[k]);
    cvp_report_clear(&a);
    cvp_report_clear(&b);
}

static void test_shrink_crash(void **state)
{
    (void)state;
    /* It "crashes" whenever there is padding: in the square nhwc space the
     * smallest such case pads both axes by 1 and has every size 1. */
    cvp_report report;
    run_fake(&report, CVP_IMPL_CONV2D_BACKWARD, CVP_IMPL_NHWC, FAKE_CRASH_PADDED,
             2, 1000);
    cvp_method_result *m = failed_method(&report.claims[0]);
    assert_int_equal(m->outcome, CVP_OUTCOME_FAILED);
    cvp_counterexample *x = m->counterexample;
    assert_non_null(x);
    assert_string_equal(x->shape, "N=1, C=1, H=1, W=1, O=1, K=1x1, S=1x1, P=1x1");
    assert_string_equal(input_named(x, "grad_output"),
                        "[[[[0],\n   [0],\n   [0]],\n  [[0],\n   [0],\n   [0]],\n"
                        "  [[0],\n   [0],\n   [0]]]]\n");
    assert_null(x->lhs);
    assert_null(x->rhs);
    assert_string_equal(x->failure, "the implementation failed: crashed (the reason "
                        "above says how, with its standard error)");
    assert_non_null(strstr(m->reason, "exited with status 1\nstderr:\n"
                                      "ValueError: could not broadcast"));
    cvp_report_clear(&report);
}

static void test_shrink_ties(void **state)
{
    (void)state;
    /* Every tied maximum gets the gradient: the smallest case is one 2x2
     * window of equal values (zeros) with gradient 1; the exact gradient
     * goes to the first entry only. */
    cvp_report report;
    run_fake(&report, CVP_IMPL_MAX_POOL2D_BACKWARD, CVP_IMPL_NHWC, FAKE_ALL_TIES,
             4, 1000);
    cvp_method_result *m = failed_method(&report.claims[0]);
    cvp_counterexample *x = m->counterexample;
    assert_non_null(x);
    assert_string_equal(x->shape, "N=1, C=1, H=2, W=2, K=2x2, S=1x1, P=0x0");
    assert_string_equal(input_named(x, "x"), "[[[[0],\n   [0]],\n  [[0],\n   [0]]]]\n");
    assert_string_equal(input_named(x, "grad_output"), "[[[[1]]]]\n");
    assert_string_equal(x->differences, "grad_input[0,0,1,0]: 1 != 0\n"
                                        "grad_input[0,1,0,0]: 1 != 0\n"
                                        "grad_input[0,1,1,0]: 1 != 0");
    assert_non_null(strstr(m->reason, "first maximum in row-major order"));
    cvp_report_clear(&report);
}

static void test_shrink_every_dim(void **state)
{
    (void)state;
    /* Wrong whenever a stride is 2 or more, whatever the other dims and
     * values: the shrunk case keeps one stride at 2 and the other at 1,
     * and every other dimension at its smallest (batch, channels, sizes,
     * kernel 1, no padding, no dilation, one group), with zero inputs. */
    for (int l = 0; l < 2; l++)
        for (int op = CVP_IMPL_CONV2D; op <= CVP_IMPL_CONV2D_BACKWARD; op++) {
            cvp_report report;
            run_fake(&report, (cvp_impl_op)op, (cvp_impl_layout)l,
                     FAKE_WRONG_STRIDED, 3, 1000);
            cvp_counterexample *x = failed_method(&report.claims[0])->counterexample;
            assert_non_null(x);
            const char *want = l == CVP_IMPL_NHWC
                ? "N=1, C=1, H=1, W=1, O=1, K=1x1, S=2x2, P=0x0"
                : "N=1, C=1, H=1, W=1, O=1, K=1x1, S=2x1, P=0x0";
            const char *also = "N=1, C=1, H=1, W=1, O=1, K=1x1, S=1x2, P=0x0";
            if (strcmp(x->shape, want) != 0 && (l == CVP_IMPL_NHWC
                                                || strcmp(x->shape, also) != 0))
                fail_msg("%s %s: shrunk to %s", cvp_impl_op_get(op)->name,
                         cvp_impl_layout_name(l), x->shape);
            assert_string_equal(input_named(x, "x"),
                                l == CVP_IMPL_NHWC ? "[[[[0]]]]\n" : "[[[[0]]]]\n");
            assert_string_equal(input_named(x, "weight"), "[[[[0]]]]\n");
            cvp_report_clear(&report);
        }
}

static void test_shrink_keeps_the_cause(void **state)
{
    (void)state;
    /* The failure needs one 7 in x, wherever it is: batch, channels and
     * sizes all shrink to 1 by keeping the part that holds the 7, and the
     * 7 itself cannot shrink (a 1 or a 2 is read right). */
    for (int l = 0; l < 2; l++) {
        cvp_report report;
        run_fake(&report, CVP_IMPL_CONV2D, (cvp_impl_layout)l, FAKE_DROPS_SEVEN,
                 2, 1000);
        cvp_counterexample *x = failed_method(&report.claims[0])->counterexample;
        assert_non_null(x);
        assert_string_equal(x->shape, "N=1, C=1, H=1, W=1, O=1, K=1x1, S=1x1, P=0x0");
        assert_string_equal(input_named(x, "x"), "[[[[7]]]]\n");
        assert_string_equal(input_named(x, "weight"), "[[[[1]]]]\n");
        assert_string_equal(x->differences, "out[0,0,0,0]: 0 != 7");
        cvp_report_clear(&report);
    }
}

static void test_unsupported_and_float32(void **state)
{
    (void)state;
    /* groups 2 declined: skipped and counted, the rest TESTED. */
    cvp_report report;
    run_fake(&report, CVP_IMPL_CONV2D, CVP_IMPL_NCHW, FAKE_UNSUPPORTED_GROUPS,
             3, 100);
    cvp_claim_result *claim = &report.claims[0];
    assert_int_equal(claim->outcome, CVP_OUTCOME_TESTED);
    assert_non_null(strstr(claim->methods[0].evidence,
                           " cases unsupported: the implementation answered "
                           "\"unsupported\" and they were skipped"));
    cvp_report_clear(&report);

    /* Only groups 2 in the space: nothing tested, UNDECIDED with the
     * reason, never TESTED. */
    cvp_impl_test_options o;
    cvp_impl_test_options_default(&o);
    o.command = "fake";
    o.trials = 5;
    o.shapes = "G=2,C=2,O=2";
    fake f = {CVP_IMPL_NCHW, FAKE_UNSUPPORTED_GROUPS, 0};
    cvp_error e;
    cvp_report_init(&report, "test", o.seed);
    tu_assert_ok(cvp_impl_test(&report, CVP_IMPL_CONV2D, &o, fake_eval, &f, &e), &e);
    claim = &report.claims[0];
    assert_int_equal(claim->outcome, CVP_OUTCOME_UNDECIDED);
    for (size_t k = 0; k < claim->method_count; k++) {
        assert_int_equal(claim->methods[k].outcome, CVP_OUTCOME_UNDECIDED);
        assert_non_null(strstr(claim->methods[k].reason, "answered \"unsupported\" "
                               "for every one of the "));
        assert_non_null(strstr(claim->methods[k].reason, "(first reason: no "
                               "groups here)"));
        /* No coverage claimed for cases that never ran. */
        assert_non_null(strstr(claim->methods[k].evidence, "No case was tested: "
                               "the implementation answered \"unsupported\" "
                               "for all "));
        assert_null(strstr(claim->methods[k].evidence, "identical"));
    }
    cvp_report_clear(&report);

    /* It speaks nchw only: in nhwc that is an input error naming
     * --layout, worded for a layout given or not. */
    o.shapes = "G=2,C=2,O=2";
    o.layout = CVP_IMPL_NHWC;
    o.layout_set = true;
    cvp_report_init(&report, "test", o.seed);
    f.layout = CVP_IMPL_NHWC;
    tu_assert_fails(cvp_impl_test(&report, CVP_IMPL_CONV2D, &o, fake_eval, &f, &e),
                    &e, CVP_ERR_INPUT, "--layout nhwc: the implementation speaks "
                    "only layout nchw");
    cvp_report_clear(&report);

    /* float32 outputs: the large cases (bounded regime) round beyond the
     * float64 bound, and the finding says float32. */
    run_fake(&report, CVP_IMPL_CONV2D, CVP_IMPL_NCHW, FAKE_FLOAT32, 3, 0);
    cvp_method_result *m = failed_method(&report.claims[0]);
    assert_non_null(strstr(m->reason, "the implementation's float32 output out "
                           "is outside the rigorous rounding bound"));
    assert_non_null(strstr(m->reason, "the output was written as float32, not "
                           "float64"));
    assert_non_null(m->counterexample);
    assert_non_null(strstr(m->counterexample->differences,
                           "\n(out: the implementation's float32 output)"));
    cvp_report_clear(&report);
}

static void test_hang_and_limit(void **state)
{
    (void)state;
    cvp_report report;
    run_fake(&report, CVP_IMPL_AVG_POOL2D, CVP_IMPL_NCHW, FAKE_HANG_STRIDED, 2,
             1000);
    cvp_method_result *m = failed_method(&report.claims[0]);
    assert_int_equal(report.claims[0].outcome, CVP_OUTCOME_FAILED);
    assert_non_null(m->counterexample);
    assert_non_null(strstr(m->reason, "did not finish within the time limit"));
    assert_non_null(strstr(m->reason, "not shrunk"));
    assert_null(m->counterexample->lhs);
    assert_string_equal(m->counterexample->failure, "the implementation failed: timed out "
                        "(the reason above says how, with its standard error)");
    cvp_report_clear(&report);

    run_fake(&report, CVP_IMPL_CONV2D, CVP_IMPL_NCHW, FAKE_NO_BIAS, 1, 3);
    m = failed_method(&report.claims[0]);
    assert_non_null(strstr(m->reason, "stopped at the limit of runs"));
    assert_non_null(strstr(m->reason, "shrunk in 3 runs"));
    cvp_report_clear(&report);
}

/* ---- the external runner ---------------------------------------------- */

static cvp_impl_case one_case;
static char scratch[64];

static int setup_runner(void **state)
{
    (void)state;
    cvp_impl_case_init(&one_case);
    tu_small_conv(&one_case, 1, 2, 3, 4, 2, 1);
    snprintf(scratch, sizeof scratch, "%s", "/tmp/test_ext_impl.XXXXXX");
    return mkdtemp(scratch) == NULL ? -1 : 0;
}

static int teardown_runner(void **state)
{
    (void)state;
    cvp_impl_case_clear(&one_case);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", scratch);
    return system(cmd) == 0 ? 0 : -1;
}

static void run_command(cvp_impl_result *r, size_t count, const char *command,
                        double timeout, size_t batch, cvp_impl_runner *runner)
{
    cvp_impl_runner_init(runner, command, CVP_IMPL_NCHW);
    runner->timeout = timeout;
    runner->batch = batch;
    runner->jobs = 2;
    const cvp_impl_case *cases[4] = {&one_case, &one_case, &one_case, &one_case};
    cvp_error e;
    tu_assert_ok(cvp_impl_run(runner, r, cases, count, &e), &e);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Waits up to `seconds` for pid to be dead or a zombie. */
static bool process_gone(pid_t pid, double seconds)
{
    double start = now();
    for (;;) {
        if (kill(pid, 0) != 0)
            return true;
        char stat_path[64], line[256] = "";
        snprintf(stat_path, sizeof stat_path, "/proc/%ld/stat", (long)pid);
        FILE *s = fopen(stat_path, "r");
        if (s != NULL) {
            if (fgets(line, sizeof line, s) == NULL)
                line[0] = '\0';
            fclose(s);
        }
        const char *paren = strrchr(line, ')');
        if (paren == NULL || (paren[1] == ' ' && paren[2] == 'Z'))
            return true;
        if (now() - start > seconds)
            return false;
        struct timespec pause = {0, 10000000};
        nanosleep(&pause, NULL);
    }
}

static void test_runner(void **state)
{
    (void)state;
    cvp_impl_runner runner;
    cvp_impl_result r[4];
    for (int k = 0; k < 4; k++)
        cvp_impl_result_init(&r[k]);

    run_command(r, 1, "echo 'oh no' >&2; exit 3", 10, 1, &runner);
    assert_int_equal(r[0].finding, CVP_IMPL_CRASHED);
    assert_int_equal(r[0].exit_code, 3);
    assert_string_equal(r[0].stderr_excerpt, "oh no");
    assert_int_equal(runner.runs, 1);

    run_command(r, 1, "cat > /dev/null", 10, 1, &runner);
    assert_int_equal(r[0].finding, CVP_IMPL_NO_OUTPUT);

    run_command(r, 1, "printf 'not numpy' > \"$(dirname \"$CONVPROOF_REQUEST\")/out.npy\"",
                10, 1, &runner);
    assert_int_equal(r[0].finding, CVP_IMPL_BAD_OUTPUT);
    assert_non_null(strstr(r[0].message, "not a .npy file"));

    /* A hang is killed after the time limit, with its whole group. */
    char cmd[256];
    snprintf(cmd, sizeof cmd, "sleep 30 & echo $! > '%s/pid'; wait", scratch);
    double start = now();
    run_command(r, 1, cmd, 1.0, 1, &runner);
    assert_true(now() - start < 10);
    assert_int_equal(r[0].finding, CVP_IMPL_TIMED_OUT);
    char path[128];
    snprintf(path, sizeof path, "%s/pid", scratch);
    FILE *f = fopen(path, "r");
    if (f != NULL) {   /* (a machine too busy to start sleep in 1 s) */
        long pid = 0;
        assert_int_equal(fscanf(f, "%ld", &pid), 1);
        fclose(f);
        /* Gone, or at most a zombie waiting for init (SIGKILL takes
         * effect asynchronously: allow a busy machine two seconds). */
        assert_true(process_gone((pid_t)pid, 2.0));
    }

    /* The request names the op, the layout and the files. */
    snprintf(cmd, sizeof cmd, "cp \"$CONVPROOF_REQUEST\" '%s/request.json' && "
             "cat > '%s/stdin.json'", scratch, scratch);
    run_command(r, 1, cmd, 10, 1, &runner);
    snprintf(path, sizeof path, "%s/stdin.json", scratch);
    f = fopen(path, "r");
    assert_non_null(f);
    char text[4096];
    size_t len = fread(text, 1, sizeof text - 1, f);
    text[len] = '\0';
    fclose(f);
    assert_non_null(strstr(text, "{\"protocol\":1,\"op\":\"conv2d\",\"layout\":"
                                 "\"nchw\",\"params\":{\"kernel_size\":[1,1],"
                                 "\"stride\":[1,1],\"padding\":[0,0],"
                                 "\"dilation\":[1,1],\"groups\":1,"
                                 "\"in_channels\":1,\"out_channels\":1},"
                                 "\"inputs\":{\"x\":{\"path\":\""));
    assert_non_null(strstr(text, "/x.npy\",\"shape\":[1,1,2,2]}"));
    assert_non_null(strstr(text, "/bias.npy\",\"shape\":[1]}"));
    assert_non_null(strstr(text, "\"outputs\":{\"out\":{\"path\":\""));
    assert_non_null(strstr(text, "/out.npy\",\"shape\":[1,1,2,2]}},"
                                 "\"status\":{\"path\":\""));
    assert_non_null(strstr(text, "/status.json\"}}"));

    /* "unsupported" answers, alone and in a batch (case 1 only), with
     * the layouts named; a status that is not valid is a bad output. */
    run_command(r, 1, "d=$(dirname \"$CONVPROOF_REQUEST\"); printf '%s' "
                "'{\"status\": \"unsupported\", \"reason\": \"no 1x1\", "
                "\"layouts\": [\"nhwc\", \"bogus\"]}' > \"$d/status.json\"",
                10, 1, &runner);
    assert_int_equal(r[0].finding, CVP_IMPL_UNSUPPORTED);
    assert_string_equal(r[0].unsupported_reason, "no 1x1");
    assert_int_equal(r[0].layouts, CVP_IMPL_LAYOUT_BIT(CVP_IMPL_NHWC));
    run_command(r, 3, "d=$(dirname \"$CONVPROOF_REQUEST\"); "
                "printf '{\"status\":\"unsupported\"}' > \"$d/c1_status.json\"; "
                "printf '{\"status\":\"ok\"}' > \"$d/c2_status.json\"",
                10, 3, &runner);
    assert_int_equal(runner.runs, 1);
    assert_int_equal(r[0].finding, CVP_IMPL_NO_OUTPUT);
    assert_int_equal(r[1].finding, CVP_IMPL_UNSUPPORTED);
    assert_null(r[1].unsupported_reason);
    assert_non_null(strstr(r[1].message, "no reason given"));
    assert_int_equal(r[2].finding, CVP_IMPL_NO_OUTPUT);
    run_command(r, 1, "d=$(dirname \"$CONVPROOF_REQUEST\"); "
                "printf '{\"status\": \"maybe\"}' > \"$d/status.json\"",
                10, 1, &runner);
    assert_int_equal(r[0].finding, CVP_IMPL_BAD_OUTPUT);
    assert_non_null(strstr(r[0].message, "its status answer is not valid: "
                                         "status.json: expected an object"));

    /* A failed batch is run again case by case: 1 + 2 runs. */
    run_command(r, 2, "exit 1", 10, 2, &runner);
    assert_int_equal(runner.runs, 3);
    assert_int_equal(r[0].finding, CVP_IMPL_CRASHED);
    assert_int_equal(r[1].finding, CVP_IMPL_CRASHED);

    /* A batched request lists its cases. */
    snprintf(cmd, sizeof cmd, "cat > '%s/batch.json'", scratch);
    run_command(r, 3, cmd, 10, 3, &runner);
    assert_int_equal(runner.runs, 1);
    snprintf(path, sizeof path, "%s/batch.json", scratch);
    f = fopen(path, "r");
    assert_non_null(f);
    len = fread(text, 1, sizeof text - 1, f);
    text[len] = '\0';
    fclose(f);
    assert_non_null(strstr(text, "{\"protocol\":1,\"batch\":[{\"op\":\"conv2d\""));
    assert_non_null(strstr(text, "/c2_out.npy\""));
    assert_int_equal(r[2].finding, CVP_IMPL_NO_OUTPUT);

    /* No temporary folder is convproof's own error. */
    cvp_impl_runner_init(&runner, "true", CVP_IMPL_NCHW);
    runner.tmpdir = "/nonexistent/convproof";
    const cvp_impl_case *cases[1] = {&one_case};
    cvp_error e;
    tu_assert_fails(cvp_impl_run(&runner, r, cases, 1, &e), &e, CVP_ERR_LIMIT,
                    "cannot make a temporary folder");

    for (int k = 0; k < 4; k++)
        cvp_impl_result_clear(&r[k]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fake_correct),
        cmocka_unit_test(test_shrink_no_bias),
        cmocka_unit_test(test_shrink_crash),
        cmocka_unit_test(test_shrink_ties),
        cmocka_unit_test(test_shrink_every_dim),
        cmocka_unit_test(test_shrink_keeps_the_cause),
        cmocka_unit_test(test_unsupported_and_float32),
        cmocka_unit_test(test_hang_and_limit),
        cmocka_unit_test_setup_teardown(test_runner, setup_runner, teardown_runner),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
