/* impl_test.c -- a whole `convproof test-impl` test of one operation: the
 * sweep, the first failure, its shrinking, and the verdict records.
 *
 * Mapping onto the report records (docs/impl-protocol.md):
 *   one claim per operation, titled "OP by 'COMMAND', layout L";
 *   method `exact`: the cases whose float64 result must be exact (integer
 *     inputs, every partial sum below 2^53);
 *   method `bounded`: the cases where rounding is allowed within
 *     gamma_n * sum|terms| (listed only when such cases ran);
 *   a failure is a counterexample of the method of the failing case,
 *     holding the smallest failing case after shrinking. */
#include "ext/impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ext/compare.h"
#include "io/tensor_text.h"

void cvp_impl_test_options_default(cvp_impl_test_options *o)
{
    memset(o, 0, sizeof *o);
    o->layout = CVP_IMPL_NCHW;
    o->values = (cvp_impl_range){-9, 9};
    o->trials = 40;
    o->seed = 1;
    o->large = true;
    o->shrink = true;
    o->window = 1;
    o->max_shrink_runs = 1000;
}

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- text of tensors -------------------------------------------------- */

static void write_value(FILE *stream, mpq_srcptr q)
{
    if (mpz_cmp_ui(mpq_denref(q), 1) != 0) {
        double d = mpq_get_d(q);
        mpq_t back;
        mpq_init(back);
        mpq_set_d(back, d);
        bool is_double = mpq_equal(back, q) != 0;
        mpq_clear(back);
        if (is_double) {
            char buf[64];
            cvp_format_double(buf, sizeof buf, d);
            fputs(buf, stream);
            return;
        }
    }
    mpq_out_str(stream, 10, q);
}

/* The layout of io/tensor_text.h, with entries that are doubles written as
 * their shortest decimal (an implementation's output). */
static void write_level(FILE *stream, const cvp_tensor_struct *t, int level,
                        size_t *next)
{
    fputc('[', stream);
    for (size_t i = 0; i < t->shape[level]; i++) {
        if (level == t->rank - 1) {
            if (i > 0)
                fputs(", ", stream);
            write_value(stream, cvp_tensor_at(t, (*next)++));
        } else {
            if (i > 0) {
                fputs(",\n", stream);
                for (int k = 0; k <= level; k++)
                    fputc(' ', stream);
            }
            write_level(stream, t, level + 1, next);
        }
    }
    fputc(']', stream);
}

static void write_tensor(FILE *stream, const cvp_tensor_struct *t, bool decimals)
{
    if (!decimals) {
        cvp_tensor_write_text(stream, t);
        return;
    }
    size_t next = 0;
    if (t->rank == 0)
        write_value(stream, cvp_tensor_at(t, 0));
    else
        write_level(stream, t, 0, &next);
    fputc('\n', stream);
}

static char *tensor_text(const cvp_tensor_struct *t, bool decimals)
{
    char *text = NULL;
    size_t len = 0;
    FILE *stream = open_memstream(&text, &len);
    CVP_ASSERT(stream != NULL);
    write_tensor(stream, t, decimals);
    fclose(stream);
    return text;
}

/* "name =\n<tensor>" for each output. */
static char *outputs_text(const cvp_impl_op_info *info,
                          const cvp_impl_result *r, bool expected)
{
    bool decimals = !expected;
    const bool *present = expected ? NULL : r->present;
    char *text = NULL;
    size_t len = 0;
    FILE *stream = open_memstream(&text, &len);
    CVP_ASSERT(stream != NULL);
    for (size_t k = 0; k < info->output_count; k++) {
        if (present != NULL && !present[k]) {
            fprintf(stream, "%s: not written\n", info->outputs[k]);
            continue;
        }
        fprintf(stream, "%s =\n", info->outputs[k]);
        write_tensor(stream, expected ? r->expected[k] : r->outputs[k],
                     decimals);
    }
    fclose(stream);
    return text;
}

/* ---- statistics ------------------------------------------------------- */

typedef struct {
    size_t cases;
    size_t shapes;
    size_t stride_over_kernel, unpadded, padded, not_divided, tie_values,
           large_values;
    size_t min_n, max_n, min_c, max_c, min_stride, max_stride;
    double seconds;
    double max_ulps, max_ratio;
    size_t zero_errors;
    bool failed;
    size_t failure_case;       /* index into the sweep */
    size_t unsupported;        /* cases the implementation declined */
} regime_stats;

static bool not_divided(const cvp_impl_dims *d)
{
    for (int a = 0; a < 2; a++) {
        size_t in = a ? d->w : d->h;
        size_t span = d->dilation[a] * (d->kernel[a] - 1) + 1;
        if ((in + 2 * d->padding[a] - span) % d->stride[a] != 0)
            return true;
    }
    return false;
}

static void note_case(regime_stats *s, const cvp_impl_case *c,
                      const cvp_impl_result *r, const cvp_impl_case *sweep,
                      size_t index, double seconds)
{
    const cvp_impl_dims *d = &c->d;
    bool seen = false;
    for (size_t k = 0; k < index && !seen; k++)
        seen = memcmp(&sweep[k].d, d, sizeof *d) == 0;
    if (!seen)
        s->shapes++;
    if (s->cases == 0) {
        s->min_n = s->max_n = d->n;
        s->min_c = s->max_c = d->c;
        s->min_stride = s->max_stride = d->stride[0];
    }
    s->cases++;
    if (d->n < s->min_n) s->min_n = d->n;
    if (d->n > s->max_n) s->max_n = d->n;
    if (d->c < s->min_c) s->min_c = d->c;
    if (d->c > s->max_c) s->max_c = d->c;
    for (int a = 0; a < 2; a++) {
        if (d->stride[a] < s->min_stride) s->min_stride = d->stride[a];
        if (d->stride[a] > s->max_stride) s->max_stride = d->stride[a];
    }
    if (d->stride[0] > d->kernel[0] || d->stride[1] > d->kernel[1])
        s->stride_over_kernel++;
    if (d->padding[0] == 0 && d->padding[1] == 0)
        s->unpadded++;
    else
        s->padded++;
    if (not_divided(d))
        s->not_divided++;
    if (c->lo == -1 && c->hi == 1)
        s->tie_values++;
    if (c->hi > 1000000)
        s->large_values++;
    s->seconds += seconds;
    if (r->max_ulps > s->max_ulps)
        s->max_ulps = r->max_ulps;
    if (r->max_ratio > s->max_ratio)
        s->max_ratio = r->max_ratio;
    s->zero_errors += r->zero_errors;
}

/* The layouts named by a mask of CVP_IMPL_LAYOUT_BIT: "nhwc", "nchw
 * and nhwc". */
static void layouts_text(char *buf, size_t size, unsigned mask)
{
    buf[0] = '\0';
    size_t used = 0;
    for (int l = 0; l < 2; l++)
        if (mask & CVP_IMPL_LAYOUT_BIT(l)) {
            int n = snprintf(buf + used, size - used, "%s%s", used ? " and " : "",
                             cvp_impl_layout_name((cvp_impl_layout)l));
            if (n > 0 && (size_t)n < size - used)
                used += (size_t)n;
        }
}

/* An implementation that answers "unsupported" and names layouts that
 * do not include the one it is spoken to in: every case would be
 * declined, so this is an input error naming --layout. */
static cvp_status check_layouts(const cvp_impl_result *r,
                                const cvp_impl_test_options *o, cvp_error *err)
{
    if (r->finding != CVP_IMPL_UNSUPPORTED || r->layouts == 0
        || (r->layouts & CVP_IMPL_LAYOUT_BIT(o->layout)) != 0)
        return CVP_OK;
    char speaks[32];
    layouts_text(speaks, sizeof speaks, r->layouts);
    const char *one = (r->layouts & (r->layouts - 1)) == 0 ? " only" : "";
    if (!o->layout_set)
        return cvp_error_set(err, CVP_ERR_INPUT, "the implementation speaks%s "
                             "layout %s, and without --layout the layout is "
                             "%s: give --layout %s", one, speaks,
                             cvp_impl_layout_name(o->layout),
                             (r->layouts & CVP_IMPL_LAYOUT_BIT(CVP_IMPL_NHWC))
                                 ? "nhwc" : "nchw");
    return cvp_error_set(err, CVP_ERR_INPUT, "--layout %s: the implementation "
                         "speaks%s layout %s", cvp_impl_layout_name(o->layout),
                         one, speaks);
}

static char *coverage_text(const regime_stats *s, bool bounded)
{
    char *text = NULL;
    size_t len = 0;
    FILE *stream = open_memstream(&text, &len);
    CVP_ASSERT(stream != NULL);
    if (s->cases == 0) {
        /* Nothing ran: no coverage, and nothing held. */
        if (s->unsupported > 0)
            fprintf(stream, "No case was tested: the implementation answered "
                    "\"unsupported\" for all %zu and they were skipped.",
                    s->unsupported);
        else
            fputs("No case of this kind was tested.", stream);
        fclose(stream);
        return text;
    }
    fprintf(stream, "%zu %s at %zu %s: batch %zu..%zu, channels %zu..%zu, "
            "strides %zu..%zu (stride larger than the kernel in %zu), "
            "padding 0 in %zu and > 0 in %zu, sizes the stride does not "
            "divide in %zu, values from -1..1 (ties) in %zu",
            s->cases, s->cases == 1 ? "case" : "cases", s->shapes,
            s->shapes == 1 ? "shape" : "shapes", s->min_n, s->max_n, s->min_c, s->max_c,
            s->min_stride, s->max_stride, s->stride_over_kernel, s->unpadded,
            s->padded, s->not_divided, s->tie_values);
    if (s->large_values > 0)
        fprintf(stream, ", integers up to 2^30 in %zu", s->large_values);
    fputs(".\n", stream);
    if (s->unsupported > 0)
        fprintf(stream, "%zu %s unsupported: the implementation answered "
                "\"unsupported\" and %s skipped (not counted above).\n",
                s->unsupported, s->unsupported == 1 ? "case" : "cases",
                s->unsupported == 1 ? "it was" : "they were");
    if (!bounded) {
        fputs("Integer inputs with every partial sum below 2^53: each result "
              "had to be exact in float64", stream);
        if (!s->failed)
            fputs(", and every entry was identical to the exact value.", stream);
        else
            fputc('.', stream);
    } else {
        char ulps[32], ratio[32];
        cvp_format_ulps(ulps, sizeof ulps, s->max_ulps);
        cvp_format_ulps(ratio, sizeof ratio, 100 * s->max_ratio);
        fprintf(stream, "Rounding allowed within the rigorous bound "
                "gamma_n * sum|terms| (gamma_n = n u / (1 - n u), u = 2^-53, n "
                "the number of terms of an entry).");
        if (!s->failed) {
            bool any = s->max_ulps > 0 || s->zero_errors > 0;
            fprintf(stream, " Largest error %s ulp of the exact value (ulp of "
                    "the nearest double, by MPFR)", ulps);
            if (s->zero_errors > 0)
                fprintf(stream, "; %zu %s whose exact value is 0 came out "
                        "nonzero (cancellation)", s->zero_errors,
                        s->zero_errors == 1 ? "entry" : "entries");
            fprintf(stream, "; every error at most %s%% of the bound: %s.",
                    ratio, any ? "rounding, not a bug"
                               : "no rounding error at all");
        }
    }
    fclose(stream);
    return text;
}

/* ---- the test --------------------------------------------------------- */

static const char *statement_of(cvp_impl_op op)
{
    switch (op) {
    case CVP_IMPL_CONV2D:
        return "out == conv2d(x, weight, bias, stride, padding, dilation, groups)";
    case CVP_IMPL_CONV2D_BACKWARD:
        return "(grad_input, grad_weight, grad_bias) == the gradients of "
               "sum(grad_output * conv2d(x, weight, bias, stride, padding, "
               "dilation, groups))";
    case CVP_IMPL_MAX_POOL2D:
        return "out == max_pool2d(x, kernel_size, stride, padding)";
    case CVP_IMPL_MAX_POOL2D_BACKWARD:
        return "grad_input == the gradient of sum(grad_output * max_pool2d(x, "
               "kernel_size, stride, padding)), each window's gradient going "
               "to its first maximum";
    case CVP_IMPL_AVG_POOL2D:
        return "out == avg_pool2d(x, kernel_size, stride, padding, "
               "count_include_pad=True)";
    case CVP_IMPL_AVG_POOL2D_BACKWARD:
        return "grad_input == the gradient of sum(grad_output * avg_pool2d(x, "
               "kernel_size, stride, padding, count_include_pad=True))";
    case CVP_IMPL_OP_COUNT:
        break;
    }
    return "";
}

static void record_counterexample(cvp_method_result *m, const cvp_impl_case *c,
                                  const cvp_impl_result *r,
                                  cvp_impl_layout layout)
{
    const cvp_impl_op_info *info = cvp_impl_op_get(c->op);
    cvp_counterexample *x = cvp_method_add_counterexample(m);
    char shape[256];
    cvp_impl_dims_format(shape, sizeof shape, &c->d, c->op);
    cvp_set_text(&x->shape, shape);
    cvp_tensor_t t;
    cvp_tensor_init(t);
    for (size_t k = 0; k < info->input_count; k++) {
        if (cvp_impl_convert(t, c->inputs[k], info->input_kinds[k], layout,
                             false, NULL) != CVP_OK)
            continue;
        char *text = tensor_text(t, false);
        cvp_counterexample_add_input(x, info->inputs[k], text);
        free(text);
    }
    cvp_tensor_clear(t);
    char *text;
    switch (r->finding) {
    case CVP_IMPL_WRONG_VALUES:
    case CVP_IMPL_WRONG_SHAPE:
        text = outputs_text(info, r, false);
        cvp_set_textf(&x->lhs, "the implementation (layout %s):\n%s",
                      cvp_impl_layout_name(layout), text);
        free(text);
        break;
    default:
        /* No output to compare (crashed, timed out, wrote nothing):
         * the failure is its own part, with no sides (verdict.h); the
         * method's reason holds the message and standard error. */
        cvp_set_textf(&x->failure, "the implementation failed: %s (the reason above "
                      "says how, with its standard error)",
                      cvp_impl_finding_name(r->finding));
        return;
    }
    text = outputs_text(info, r, true);
    cvp_set_textf(&x->rhs, "exact (layout %s):\n%s",
                  cvp_impl_layout_name(layout), text);
    free(text);
    if (r->finding == CVP_IMPL_WRONG_VALUES) {
        cvp_set_text(&x->differences, r->differences);
    } else if (r->finding == CVP_IMPL_WRONG_SHAPE && r->output >= 0) {
        char a[128], b[128];
        const cvp_tensor_struct *got = r->outputs[r->output];
        const cvp_tensor_struct *want = r->expected[r->output];
        cvp_shape_format(a, sizeof a, got->rank, got->shape);
        cvp_shape_format(b, sizeof b, want->rank, want->shape);
        cvp_set_textf(&x->differences, "%s: shape %s != %s",
                      info->outputs[r->output], a, b);
    }
}

cvp_status cvp_impl_test(cvp_report *report, cvp_impl_op op,
                         const cvp_impl_test_options *o, cvp_impl_eval_fn eval,
                         void *ctx, cvp_error *err)
{
    const cvp_impl_op_info *info = cvp_impl_op_get(op);
    cvp_impl_space space;
    cvp_impl_space_default(&space, op, o->layout);
    if (o->values_set)
        space.values = o->values;
    cvp_status st = CVP_OK;
    if (o->shapes != NULL)
        st = cvp_impl_space_parse(&space, o->shapes, err);
    cvp_impl_case *cases = NULL;
    size_t count = 0;
    if (st == CVP_OK)
        st = cvp_impl_sweep(&cases, &count, op, &space, o->trials, o->large,
                            o->seed, err);
    if (st != CVP_OK)
        return st;

    double start = now_seconds();
    size_t window = o->window ? o->window : 1;
    size_t round = 4 * window;
    cvp_impl_result *results = calloc(round, sizeof *results);
    const cvp_impl_case **ptrs = calloc(round, sizeof *ptrs);
    CVP_ASSERT(results != NULL && ptrs != NULL);
    for (size_t k = 0; k < round; k++)
        cvp_impl_result_init(&results[k]);
    regime_stats stats[2];
    memset(stats, 0, sizeof stats);
    bool failed = false;
    size_t fail_index = 0;
    cvp_impl_case failing;
    cvp_impl_result failing_result;
    cvp_impl_case_init(&failing);
    cvp_impl_result_init(&failing_result);
    char *unsupported_reason = NULL;   /* the first one given */

    for (size_t first = 0; first < count && !failed && st == CVP_OK;
         first += round) {
        size_t n = count - first < round ? count - first : round;
        for (size_t k = 0; k < n; k++)
            ptrs[k] = &cases[first + k];
        double round_start = now_seconds();
        st = eval(ctx, results, ptrs, n, err);
        double share = (now_seconds() - round_start) / (double)n;
        for (size_t k = 0; k < n && st == CVP_OK; k++) {
            cvp_impl_result *r = &results[k];
            regime_stats *s = &stats[r->exact_regime ? 0 : 1];
            if (r->finding == CVP_IMPL_UNSUPPORTED) {
                /* Skipped and counted; the first reason is kept. */
                st = check_layouts(r, o, err);
                s->unsupported++;
                if (unsupported_reason == NULL)
                    cvp_set_text(&unsupported_reason,
                                 r->unsupported_reason != NULL
                                     ? r->unsupported_reason : "no reason given");
                continue;
            }
            note_case(s, &cases[first + k], r, cases, first + k, share);
            if (r->finding != CVP_IMPL_AGREES && !failed) {
                failed = true;
                fail_index = first + k;
                s->failed = true;
                s->failure_case = fail_index;
                st = cvp_impl_case_set(&failing, &cases[first + k], err);
                cvp_impl_result t = failing_result;
                failing_result = *r;
                *r = t;
                break;
            }
        }
    }

    /* Shrinking. */
    cvp_impl_shrink_stats shrink;
    memset(&shrink, 0, sizeof shrink);
    bool shrinkable = failed && o->shrink
                      && failing_result.finding != CVP_IMPL_TIMED_OUT
                      && failing_result.finding != CVP_IMPL_NOT_STARTED;
    char first_shape[256] = "";
    if (failed)
        cvp_impl_dims_format(first_shape, sizeof first_shape, &failing.d, op);
    bool failing_exact = failing_result.exact_regime;
    if (st == CVP_OK && shrinkable) {
        cvp_impl_shrinker shrinker = {eval, ctx, o->layout, &space, window,
                                      o->max_shrink_runs};
        st = cvp_impl_shrink(&failing, &failing_result, &shrinker, &shrink, err);
    }

    if (st == CVP_OK) {
        char title[512], statement[1024];
        snprintf(title, sizeof title, "%s by '%s', layout %s", info->name,
                 o->command != NULL ? o->command : "(in-process)",
                 cvp_impl_layout_name(o->layout));
        snprintf(statement, sizeof statement,
                 "implementation: %s\nlayout: %s\nclaim: %s",
                 o->command != NULL ? o->command : "(in-process)",
                 cvp_impl_layout_name(o->layout), statement_of(op));
        cvp_claim_result *claim = cvp_report_add_claim(report, title, false,
                                                       NULL, 0, statement);
        claim->seconds = now_seconds() - start;
        for (int g = 0; g < 2; g++) {
            regime_stats *s = &stats[g];
            if (g == 1 && s->cases == 0 && s->unsupported == 0)
                continue;
            cvp_method_result *m = cvp_claim_add_method(
                claim, g == 0 ? CVP_METHOD_EXACT : CVP_METHOD_BOUNDED);
            m->shapes = s->shapes;
            m->instances = s->cases;
            m->seconds = s->seconds;
            char *text = coverage_text(s, g == 1);
            cvp_set_text(&m->evidence, text);
            free(text);
            bool here = failed && (failing_exact ? 0 : 1) == g;
            if (here) {
                m->outcome = CVP_OUTCOME_FAILED;
                char how[512];
                if (shrinkable)
                    snprintf(how, sizeof how,
                             "shrunk in %zu runs (%zu steps)%s to the case below",
                             shrink.runs, shrink.steps,
                             shrink.limit_reached ? ", stopped at the limit of "
                                                    "runs," : "");
                else if (failed && o->shrink)
                    snprintf(how, sizeof how, "not shrunk: every attempt "
                             "would take the whole time limit");
                else
                    snprintf(how, sizeof how, "not shrunk (--no-shrink)");
                cvp_set_textf(&m->reason,
                              "%s\nFirst seen at case %zu of %zu of the sweep "
                              "(%s); %s. The sweep stopped there.",
                              failing_result.message != NULL
                                  ? failing_result.message : "failed",
                              fail_index + 1, count, first_shape, how);
                record_counterexample(m, &failing, &failing_result, o->layout);
            } else if (s->cases == 0 && s->unsupported > 0) {
                /* Nothing was tested: never a silent TESTED. */
                m->outcome = CVP_OUTCOME_UNDECIDED;
                cvp_set_textf(&m->reason, "the implementation answered "
                              "\"unsupported\" for every one of the %zu "
                              "%s of this kind (first reason: %s), so none "
                              "was tested", s->unsupported,
                              s->unsupported == 1 ? "case" : "cases",
                              unsupported_reason);
            } else if (s->cases == 0) {
                m->outcome = CVP_OUTCOME_UNDECIDED;
                cvp_set_text(&m->reason, "no case of this kind ran before the "
                                         "sweep stopped at a failure");
            } else {
                m->outcome = CVP_OUTCOME_PASSED;
            }
        }
        /* A sweep samples cases, so a clean one is TESTED, never a
         * proof, even though its float cases are judged by a rigorous
         * bound (the bounded method): the bound covers each case run,
         * not the cases left out. */
        if (cvp_claim_decide(claim) == CVP_OUTCOME_PASSED)
            claim->outcome = CVP_OUTCOME_TESTED;
    }

    for (size_t k = 0; k < round; k++)
        cvp_impl_result_clear(&results[k]);
    free(results);
    free(ptrs);
    cvp_impl_case_clear(&failing);
    cvp_impl_result_clear(&failing_result);
    free(unsupported_reason);
    for (size_t k = 0; k < count; k++)
        cvp_impl_case_clear(&cases[k]);
    free(cases);
    return st;
}
