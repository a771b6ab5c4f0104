/* api_impl.c -- cvp_api_test_impl: the sweep of `convproof test-impl`
 * with the implementation called in process (api.h).
 *
 * The evaluator below takes the place of the external runner
 * (ext/impl_run.h): for each case it writes the case as JSON, calls the
 * caller's function, takes the outputs it hands back as .npy bytes (read
 * by the same exact .npy reader as the runner's files), and judges the
 * case with cvp_impl_judge, so the comparison, the sweep, the shrinking
 * and the report are those of the command. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api_internal.h"
#include "ext/impl.h"
#include "ext/json.h"
#include "io/npy.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

struct cvp_api_answer {
    const cvp_impl_case *c;
    cvp_impl_result *r;
};

typedef struct {
    cvp_api_impl_fn fn;
    void *ctx;
    cvp_impl_layout layout;
} api_impl_ctx;

/* A message longer than this keeps its head and tail, as the runner
 * keeps standard error's (docs/impl-protocol.md). */
#define API_MESSAGE_HEAD 600
#define API_MESSAGE_TAIL 1600

int cvp_api_answer_npy(cvp_api_answer *answer, const char *name,
                       const void *data, size_t len)
{
    const cvp_impl_op_info *info = cvp_impl_op_get(answer->c->op);
    for (size_t k = 0; name != NULL && k < info->output_count; k++) {
        if (strcmp(info->outputs[k], name) != 0)
            continue;
        cvp_impl_result *r = answer->r;
        r->present[k] = true;
        cvp_set_text(&r->read_error[k], NULL);
        cvp_error e;
        cvp_error_clear(&e);
        if (cvp_npy_parse(r->outputs[k], data, len, name, &e) != CVP_OK)
            cvp_set_text(&r->read_error[k], e.message);
        return CVP_OK;
    }
    return CVP_ERR_INPUT;
}

void cvp_api_answer_fail(cvp_api_answer *answer, const char *message)
{
    cvp_impl_result *r = answer->r;
    r->raised = true;   /* the judge's "crashed" */
    if (message == NULL)
        message = "";
    size_t len = strlen(message);
    if (len <= API_MESSAGE_HEAD + API_MESSAGE_TAIL)
        cvp_set_text(&r->stderr_excerpt, message);
    else
        cvp_set_textf(&r->stderr_excerpt, "%.*s\n[... %zu bytes ...]\n%s",
                      API_MESSAGE_HEAD, message,
                      len - API_MESSAGE_HEAD - API_MESSAGE_TAIL,
                      message + len - API_MESSAGE_TAIL);
}

/* ---- the case as JSON ----------------------------------------------------- */

static void json_pair(cvp_json *j, const char *key, const size_t v[2])
{
    cvp_json_key(j, key);
    cvp_json_begin_array(j);
    cvp_json_uint(j, v[0]);
    cvp_json_uint(j, v[1]);
    cvp_json_end_array(j);
}

static void json_shape(cvp_json *j, int rank, const size_t *shape)
{
    cvp_json_key(j, "shape");
    cvp_json_begin_array(j);
    for (int a = 0; a < rank; a++)
        cvp_json_uint(j, shape[a]);
    cvp_json_end_array(j);
}

/* The params of docs/impl-protocol.md's request. */
static void json_params(cvp_json *j, const cvp_impl_case *c)
{
    const cvp_impl_op_info *info = cvp_impl_op_get(c->op);
    const cvp_impl_dims *d = &c->d;
    cvp_json_key(j, "params");
    cvp_json_begin_object(j);
    json_pair(j, "kernel_size", d->kernel);
    json_pair(j, "stride", d->stride);
    json_pair(j, "padding", d->padding);
    if (info->conv) {
        json_pair(j, "dilation", d->dilation);
        cvp_json_key(j, "groups");
        cvp_json_uint(j, d->groups);
        cvp_json_key(j, "in_channels");
        cvp_json_uint(j, d->c);
        cvp_json_key(j, "out_channels");
        cvp_json_uint(j, d->o);
    } else {
        cvp_json_key(j, "ceil_mode");
        cvp_json_bool(j, false);
        if (info->average) {
            cvp_json_key(j, "count_include_pad");
            cvp_json_bool(j, true);
        }
    }
    cvp_json_end_object(j);
}

/* Every entry of t, row-major: an integer as a number, anything else as
 * the string "P/Q" (cases have integer inputs; the string keeps a value
 * exact should that change). */
static void json_values(cvp_json *j, const cvp_tensor_t t)
{
    cvp_json_key(j, "values");
    cvp_json_begin_array(j);
    for (size_t e = 0; e < t->size; e++) {
        mpq_srcptr q = cvp_tensor_at(t, e);
        if (mpz_cmp_ui(mpq_denref(q), 1) == 0 && mpz_fits_slong_p(mpq_numref(q))) {
            cvp_json_int(j, mpz_get_si(mpq_numref(q)));
        } else {
            char *s = mpq_get_str(NULL, 10, q);
            cvp_json_string(j, s);
            void (*free_fn)(void *, size_t);
            mp_get_memory_functions(NULL, NULL, &free_fn);
            free_fn(s, strlen(s) + 1);
        }
    }
    cvp_json_end_array(j);
}

static cvp_status case_json(cvp_json *j, const cvp_impl_case *c,
                            cvp_impl_layout layout, cvp_error *err)
{
    const cvp_impl_op_info *info = cvp_impl_op_get(c->op);
    cvp_json_begin_object(j);
    cvp_json_key(j, "op");
    cvp_json_string(j, info->name);
    cvp_json_key(j, "layout");
    cvp_json_string(j, cvp_impl_layout_name(layout));
    json_params(j, c);
    cvp_tensor_t t;
    cvp_tensor_init(t);
    cvp_status st = CVP_OK;
    cvp_json_key(j, "inputs");
    cvp_json_begin_object(j);
    for (size_t k = 0; k < info->input_count && st == CVP_OK; k++) {
        st = cvp_impl_convert(t, c->inputs[k], info->input_kinds[k], layout,
                              false, err);
        if (st != CVP_OK)
            break;
        cvp_json_key(j, info->inputs[k]);
        cvp_json_begin_object(j);
        json_shape(j, t->rank, t->shape);
        json_values(j, t);
        cvp_json_end_object(j);
    }
    cvp_tensor_clear(t);
    cvp_json_end_object(j);
    cvp_json_key(j, "outputs");
    cvp_json_begin_object(j);
    for (size_t k = 0; k < info->output_count; k++) {
        int rank;
        size_t shape[CVP_MAX_RANK];
        cvp_impl_output_shape(&rank, shape, &c->d, c->op, k, layout);
        cvp_json_key(j, info->outputs[k]);
        cvp_json_begin_object(j);
        json_shape(j, rank, shape);
        cvp_json_end_object(j);
    }
    cvp_json_end_object(j);
    cvp_json_end_object(j);
    return st;
}

/* ---- the evaluator -------------------------------------------------------- */

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec)
           + 1e-9 * (double)(now.tv_nsec - start->tv_nsec);
}

/* A cvp_impl_eval_fn (ext/impl.h) calling the function in process. */
static cvp_status call_in_process(void *vctx, cvp_impl_result *results,
                                  const cvp_impl_case *const *cases,
                                  size_t count, cvp_error *err)
{
    const api_impl_ctx *ctx = vctx;
    cvp_status st = CVP_OK;
    for (size_t i = 0; i < count && st == CVP_OK; i++) {
        cvp_impl_result *r = &results[i];
        cvp_impl_result_reset(r);
        cvp_json j;
        cvp_json_init(&j);
        st = case_json(&j, cases[i], ctx->layout, err);
        if (st == CVP_OK) {
            cvp_api_answer answer = {cases[i], r};
            struct timespec start;
            clock_gettime(CLOCK_MONOTONIC, &start);
            ctx->fn(ctx->ctx, cvp_json_text(&j), &answer);
            r->seconds = seconds_since(&start);
            r->run_cases = 1;
            st = cvp_impl_judge(r, cases[i], ctx->layout, err);
        }
        cvp_json_clear(&j);
    }
    return st;
}

/* ---- options and the test ------------------------------------------------- */

static cvp_status impl_options(cvp_impl_test_options *o, const cvp_json_node *root,
                               cvp_error *err)
{
    unsigned long long seed = o->seed, trials = o->trials;
    unsigned long long runs = o->max_shrink_runs;
    const char *values = NULL;
    cvp_status st = cvp_api_option_count(&seed, root, "seed", UINT64_MAX, err);
    if (st == CVP_OK)
        st = cvp_api_option_count(&trials, root, "trials", 100000, err);
    if (st == CVP_OK)
        st = cvp_api_option_count(&runs, root, "max_shrink_runs", 1000000, err);
    if (st == CVP_OK)
        st = cvp_api_option_bool(&o->large, root, "large", err);
    if (st == CVP_OK)
        st = cvp_api_option_bool(&o->shrink, root, "shrink", err);
    if (st == CVP_OK)
        st = cvp_api_option_string(&o->shapes, root, "shapes", err);
    if (st == CVP_OK)
        st = cvp_api_option_string(&o->command, root, "name", err);
    if (st == CVP_OK)
        st = cvp_api_option_string(&values, root, "values", err);
    if (st != CVP_OK)
        return st;
    o->seed = seed;
    o->trials = (size_t)trials;
    o->max_shrink_runs = (size_t)runs;
    if (values != NULL) {
        long lo, hi;
        int used = 0;
        if (sscanf(values, "%ld..%ld%n", &lo, &hi, &used) != 2
            || values[used] != '\0' || lo > hi || lo < -(1L << 30)
            || hi > (1L << 30))
            return cvp_error_set(err, CVP_ERR_INPUT, "options: 'values' takes "
                                 "\"LO..HI\" (LO <= HI, within 2^30), not "
                                 "'%s'", values);
        o->values.lo = lo;
        o->values.hi = hi;
        o->values_set = true;
    }
    return CVP_OK;
}

int cvp_api_test_impl(const char *op, const char *layout, const char *options,
                      cvp_api_impl_fn fn, void *ctx, char **out)
{
    cvp_impl_op which;
    cvp_impl_layout lay;
    if (op == NULL || !cvp_impl_op_parse(&which, op))
        return cvp_api_answer_format(out, CVP_ERR_INPUT, "unknown operation "
                                     "'%s' (conv2d, conv2d_backward, max_pool2d, "
                                     "max_pool2d_backward, avg_pool2d, "
                                     "avg_pool2d_backward)",
                                     op != NULL ? op : "(none)");
    if (layout == NULL || !cvp_impl_layout_parse(&lay, layout))
        return cvp_api_answer_format(out, CVP_ERR_INPUT, "unknown layout '%s' "
                                     "(nchw, nhwc)",
                                     layout != NULL ? layout : "(none)");
    if (fn == NULL)
        return cvp_api_answer_text(out, CVP_ERR_INPUT, "no function to test");
    static const char *const known[] = {"seed", "trials", "shapes", "values",
                                        "large", "shrink", "max_shrink_runs",
                                        "name", NULL};
    cvp_error err;
    cvp_error_clear(&err);
    cvp_impl_test_options o;
    cvp_impl_test_options_default(&o);
    o.layout = lay;
    o.window = 1;   /* one call at a time: the caller's function is not
                       assumed to be reentrant */
    cvp_json_node root;
    cvp_status st = cvp_api_options_read(&root, options, known, &err);
    if (st == CVP_OK)
        st = impl_options(&o, &root, &err);
    int rc;
    if (st == CVP_OK) {
        api_impl_ctx call = {fn, ctx, lay};
        cvp_report report;
        cvp_report_init(&report, PACKAGE_VERSION, o.seed);
        st = cvp_impl_test(&report, which, &o, call_in_process, &call, &err);
        rc = st == CVP_OK ? cvp_api_report_json(out, &report)
                          : cvp_api_answer_text(out, st, err.message);
        cvp_report_clear(&report);
    } else {
        rc = cvp_api_answer_text(out, st, err.message);
    }
    cvp_json_node_clear(&root);   /* after the test: o.shapes, o.command borrow it */
    return rc;
}
