/* impl_external.c -- running a call of a declared implementation as one
 * test case of the external-implementation protocol (impl_external.h). */
#include "ext/impl_external.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/interrupt.h"

/* "cd 'DIR' && COMMAND", DIR the folder of `path` ('.' when it has
 * none), quoted for /bin/sh. */
static char *command_in_folder(const char *path, const char *command)
{
    const char *slash = strrchr(path, '/');
    size_t dir_len = slash == NULL ? 1 : (slash == path ? 1 : (size_t)(slash - path));
    const char *dir = slash == NULL ? "." : path;
    size_t size = 4 * dir_len + strlen(command) + 16;
    char *out = malloc(size);
    if (out == NULL)
        return NULL;
    size_t n = 0;
    n += (size_t)sprintf(out + n, "cd '");
    for (size_t k = 0; k < dir_len; k++) {
        if (dir[k] == '\'') {
            memcpy(out + n, "'\\''", 4);
            n += 4;
        } else {
            out[n++] = dir[k];
        }
    }
    sprintf(out + n, "' && %s", command);
    return out;
}

static cvp_status run_call(void *ctx, cvp_tensor_t out,
                           const cvp_external_request *rq, cvp_error *err);
static void gather(void *ctx, bool on);
static size_t gathered(void *ctx);
static bool gather_full(void *ctx);
static cvp_status answer(void *ctx, cvp_error *err);
static void forget(void *ctx);

static const char *last_failure(void *ctx)
{
    const cvp_impl_registry *reg = ctx;
    return reg->failure;
}

cvp_status cvp_impl_registry_init(cvp_impl_registry *reg,
                                  const cvp_proof_file *file, cvp_error *err)
{
    memset(reg, 0, sizeof *reg);
    reg->file = file;
    reg->external.ctx = reg;
    reg->external.run = run_call;
    reg->batch = reg->jobs = 1;
    cvp_impl_answers_init(&reg->answers);
    reg->external.last_failure = last_failure;
    size_t count = file->implementation_count;
    if (count == 0)
        return CVP_OK;
    reg->commands = calloc(count, sizeof *reg->commands);
    reg->runners = calloc(count, sizeof *reg->runners);
    reg->last = calloc(count, sizeof *reg->last);
    if (reg->commands == NULL || reg->runners == NULL || reg->last == NULL) {
        cvp_impl_registry_clear(reg);
        return cvp_error_set(err, CVP_ERR_LIMIT, "out of memory");
    }
    reg->count = count;
    for (size_t k = 0; k < count; k++) {
        const cvp_proof_implementation *impl = &file->implementations[k];
        reg->commands[k] = command_in_folder(file->source_name, impl->command);
        if (reg->commands[k] == NULL) {
            cvp_impl_registry_clear(reg);
            return cvp_error_set(err, CVP_ERR_LIMIT, "out of memory");
        }
        cvp_impl_layout layout = CVP_IMPL_NCHW;
        bool known = cvp_impl_layout_parse(&layout, impl->layout);
        CVP_ASSERT(known);   /* the parser accepts nchw and nhwc only */
        cvp_impl_runner_init(&reg->runners[k], reg->commands[k], layout);
        if (impl->timeout > 0)
            reg->runners[k].timeout = (double)impl->timeout;
    }
    return CVP_OK;
}

void cvp_impl_registry_clear(cvp_impl_registry *reg)
{
    for (size_t k = 0; reg->commands != NULL && k < reg->count; k++)
        free(reg->commands[k]);
    for (size_t k = 0; reg->last != NULL && k < reg->count; k++)
        if (reg->last[k].valid) {
            cvp_impl_case_clear(&reg->last[k].c);
            cvp_impl_result_clear(&reg->last[k].r);
        }
    free(reg->last);
    free(reg->failure);
    free(reg->commands);
    free(reg->runners);
    cvp_impl_answers_clear(&reg->answers);
    memset(reg, 0, sizeof *reg);
}

void cvp_impl_registry_set_batch(cvp_impl_registry *reg, size_t batch,
                                 size_t jobs)
{
    CVP_ASSERT(batch >= 1 && jobs >= 1);
    reg->batch = batch;
    reg->jobs = jobs;
    for (size_t k = 0; k < reg->count; k++) {
        reg->runners[k].batch = batch;
        reg->runners[k].jobs = jobs;
    }
    bool batched = batch > 1 && reg->count > 0;
    reg->external.gather = batched ? gather : NULL;
    reg->external.gathered = batched ? gathered : NULL;
    reg->external.gather_full = batched ? gather_full : NULL;
    reg->external.answer = batched ? answer : NULL;
    reg->external.forget = batched ? forget : NULL;
}

size_t cvp_impl_registry_runs(const cvp_impl_registry *reg)
{
    size_t runs = 0;
    for (size_t k = 0; k < reg->count; k++)
        runs += reg->runners[k].runs;
    return runs;
}

/* The protocol's operation for a call, and which of its outputs the call
 * returns. */
static void protocol_op(cvp_impl_op *op, size_t *output, cvp_external_op e)
{
    *output = 0;
    switch (e) {
    case CVP_EXTERNAL_CONV2D: *op = CVP_IMPL_CONV2D; break;
    case CVP_EXTERNAL_CONV2D_BACKWARD_INPUT: *op = CVP_IMPL_CONV2D_BACKWARD; break;
    case CVP_EXTERNAL_CONV2D_BACKWARD_WEIGHT:
        *op = CVP_IMPL_CONV2D_BACKWARD;
        *output = 1;
        break;
    case CVP_EXTERNAL_CONV2D_BACKWARD_BIAS:
        *op = CVP_IMPL_CONV2D_BACKWARD;
        *output = 2;
        break;
    case CVP_EXTERNAL_MAX_POOL2D: *op = CVP_IMPL_MAX_POOL2D; break;
    case CVP_EXTERNAL_MAX_POOL2D_BACKWARD: *op = CVP_IMPL_MAX_POOL2D_BACKWARD; break;
    case CVP_EXTERNAL_AVG_POOL2D: *op = CVP_IMPL_AVG_POOL2D; break;
    case CVP_EXTERNAL_AVG_POOL2D_BACKWARD: *op = CVP_IMPL_AVG_POOL2D_BACKWARD; break;
    }
}

/* Fills the case's dims from the tensors, checking what the protocol
 * cannot express. */
static cvp_status case_dims(cvp_impl_dims *d, const cvp_external_request *rq,
                            const cvp_impl_op_info *info, cvp_error *err)
{
    memset(d, 0, sizeof *d);
    if (rq->input->rank != 4)
        return cvp_error_set(err, CVP_ERR_INPUT, "the input must be NCHW "
                             "(rank 4), not rank %d", rq->input->rank);
    d->n = rq->input->shape[0];
    d->c = rq->input->shape[1];
    d->h = rq->input->shape[2];
    d->w = rq->input->shape[3];
    d->o = d->c;
    memcpy(d->kernel, rq->kernel, sizeof d->kernel);
    memcpy(d->stride, rq->stride, sizeof d->stride);
    memcpy(d->padding, rq->padding, sizeof d->padding);
    memcpy(d->dilation, rq->dilation, sizeof d->dilation);
    d->groups = rq->groups;
    if (info->conv) {
        const cvp_tensor_struct *K = rq->weight;
        if (K->rank != 4 || K->shape[1] * rq->groups != d->c)
            return cvp_error_set(err, CVP_ERR_INPUT, "the weight must be OIHW "
                                 "with I = channels / groups");
        d->o = K->shape[0];
        if (rq->bias != NULL && (rq->bias->rank != 1 || rq->bias->shape[0] != d->o))
            return cvp_error_set(err, CVP_ERR_INPUT, "the bias must have one "
                                 "entry per output channel (%zu)", d->o);
    }
    return CVP_OK;
}

/* Copies the request's tensors into the case (canonical layout). */
static cvp_status case_inputs(cvp_impl_case *c, const cvp_external_request *rq,
                              const cvp_impl_op_info *info, cvp_error *err)
{
    cvp_status st = CVP_OK;
    for (size_t k = 0; st == CVP_OK && k < info->input_count; k++) {
        const char *name = info->inputs[k];
        const cvp_tensor_struct *src =
            strcmp(name, "x") == 0 ? rq->input
            : strcmp(name, "weight") == 0 ? rq->weight
            : strcmp(name, "grad_output") == 0 ? rq->grad_output : rq->bias;
        if (src != NULL) {
            st = cvp_tensor_set(c->inputs[k], src, err);
        } else {
            size_t shape[1] = {c->d.o};   /* a layer without bias */
            st = cvp_tensor_resize(c->inputs[k], 1, shape, err);
        }
    }
    if (st != CVP_OK || rq->grad_output == NULL)
        return st;
    int rank;
    size_t shape[CVP_MAX_RANK];
    size_t g = info->input_count - 1;
    cvp_impl_input_shape(&rank, shape, &c->d, c->op, g, CVP_IMPL_NCHW);
    bool same = rq->grad_output->rank == rank;
    for (int a = 0; same && a < rank; a++)
        same = rq->grad_output->shape[a] == shape[a];
    if (!same) {
        char want[128];
        cvp_shape_format(want, sizeof want, rank, shape);
        return cvp_error_set(err, CVP_ERR_INPUT, "grad_output must have the "
                             "shape of the layer's output, %s", want);
    }
    return CVP_OK;
}

/* The index of the implementation called name[0..len-1], or -1. */
static long find_implementation(const cvp_impl_registry *reg, const char *name,
                                size_t len)
{
    for (size_t k = 0; k < reg->count; k++) {
        const char *have = reg->file->implementations[k].name;
        if (strlen(have) == len && memcmp(have, name, len) == 0)
            return (long)k;
    }
    return -1;
}

/* Runs case c on implementation k, or reuses the last run when it was
 * the same case; the result stays in reg->last[k]. */
static cvp_status run_or_reuse(cvp_impl_registry *reg, size_t k,
                               const cvp_impl_case *c, cvp_error *err)
{
    cvp_impl_last_run *last = &reg->last[k];
    if (last->valid && cvp_impl_case_same(&last->c, c))
        return CVP_OK;
    if (last->valid) {
        cvp_impl_case_clear(&last->c);
        cvp_impl_result_clear(&last->r);
        last->valid = false;
    }
    cvp_impl_case_init(&last->c);
    cvp_impl_result_init(&last->r);
    last->valid = true;
    cvp_status st = cvp_impl_case_set(&last->c, c, err);
    const cvp_impl_case *cases[1] = {c};
    if (st == CVP_OK)
        st = cvp_impl_run(&reg->runners[k], &last->r, cases, 1, err);
    if (st != CVP_OK) {
        cvp_impl_case_clear(&last->c);
        cvp_impl_result_clear(&last->r);
        last->valid = false;
    }
    return st;
}

/* A finding that leaves the output the call needs unusable. */
static bool output_unusable(const cvp_impl_result *r, size_t output)
{
    switch (r->finding) {
    case CVP_IMPL_CRASHED:
    case CVP_IMPL_TIMED_OUT:
    case CVP_IMPL_NOT_STARTED:
        return true;
    case CVP_IMPL_WRONG_SHAPE:
    case CVP_IMPL_NO_OUTPUT:
    case CVP_IMPL_BAD_OUTPUT:
        return r->output < 0 || (size_t)r->output == output;
    default:
        return false;
    }
}

/* While gathering, for a case not answered yet: records case c of
 * implementation k unless it is recorded already, and makes `out` the
 * stand-in answer, zeros of the shape of output `output` (canonical
 * layout). */
static cvp_status record_case(cvp_impl_registry *reg, cvp_tensor_t out,
                              size_t k, const cvp_impl_case *c, size_t output,
                              bool recorded, cvp_error *err)
{
    cvp_status st = CVP_OK;
    if (!recorded)
        st = cvp_impl_answers_add(&reg->answers, k, c, err);
    if (st != CVP_OK)
        return st;
    int rank;
    size_t shape[CVP_MAX_RANK];
    cvp_impl_output_shape(&rank, shape, &c->d, c->op, output, CVP_IMPL_NCHW);
    cvp_tensor_set_ring(out, &cvp_ring_q);
    return cvp_tensor_resize(out, rank, shape, err);
}

static void gather(void *ctx, bool on)
{
    cvp_impl_registry *reg = ctx;
    reg->gathering = on;
}

static size_t gathered(void *ctx)
{
    const cvp_impl_registry *reg = ctx;
    return reg->answers.pending;
}

static bool gather_full(void *ctx)
{
    const cvp_impl_registry *reg = ctx;
    return reg->answers.pending >= reg->batch * reg->jobs
           || reg->answers.pending_entries >= CVP_IMPL_GATHER_MAX_ENTRIES;
}

static cvp_status answer(void *ctx, cvp_error *err)
{
    cvp_impl_registry *reg = ctx;
    CVP_ASSERT(!reg->gathering);
    cvp_status st = CVP_OK;
    for (size_t k = 0; k < reg->count && st == CVP_OK; k++) {
        /* A claim's --timeout stops the runs, as it stops evaluation. */
        reg->runners[k].stop = cvp_interrupt_poll;
        st = cvp_impl_answers_run(&reg->answers, k, &reg->runners[k], err);
        reg->runners[k].stop = NULL;
    }
    return st;
}

static void forget(void *ctx)
{
    cvp_impl_registry *reg = ctx;
    cvp_impl_answers_clear(&reg->answers);
}

static cvp_status run_call(void *ctx, cvp_tensor_t out,
                           const cvp_external_request *rq, cvp_error *err)
{
    cvp_impl_registry *reg = ctx;
    long index = find_implementation(reg, rq->implementation,
                                     rq->implementation_len);
    if (index < 0)
        return cvp_error_set(err, CVP_ERR_INPUT, "no such implementation");
    cvp_impl_op op = CVP_IMPL_CONV2D;
    size_t output = 0;
    protocol_op(&op, &output, rq->op);
    const cvp_impl_op_info *info = cvp_impl_op_get(op);
    cvp_impl_case c;
    cvp_impl_case_init(&c);
    c.op = op;
    cvp_status st = case_dims(&c.d, rq, info, err);
    if (st == CVP_OK)
        st = cvp_impl_dims_check(&c.d, op, err);
    if (st == CVP_OK)
        st = case_inputs(&c, rq, info, err);
    const cvp_impl_answer *answered =
        st == CVP_OK ? cvp_impl_answers_find(&reg->answers, (size_t)index, &c)
                     : NULL;
    /* Gathering: a case answered already gives its answer (so that a
     * later pass reaches the calls that take it as input), any other
     * is recorded and gets a stand-in. */
    if (st == CVP_OK && reg->gathering
        && (answered == NULL || !answered->answered)) {
        st = record_case(reg, out, (size_t)index, &c, output, answered != NULL,
                         err);
        cvp_impl_case_clear(&c);
        return st;
    }
    if (answered != NULL && !answered->answered)
        answered = NULL;   /* gathered but not run: run it now */
    if (st == CVP_OK && answered == NULL)
        st = run_or_reuse(reg, (size_t)index, &c, err);
    const cvp_impl_result *r =
        answered != NULL ? &answered->r : &reg->last[index].r;
    cvp_set_text(&reg->failure, NULL);
    if (st == CVP_OK && r->finding == CVP_IMPL_UNSUPPORTED) {
        /* Not a finding: the checker skips the instance and counts it. */
        st = cvp_error_set(err, CVP_ERR_DECLINED, "%s", r->message);
    } else if (st == CVP_OK && output_unusable(r, output)) {
        /* The message with the standard error's tail may be longer than
         * err can hold: the whole of it stays in reg->failure. */
        cvp_set_textf(&reg->failure, "%s: %s", cvp_impl_finding_name(r->finding),
                      r->message != NULL ? r->message : "no details");
        st = cvp_error_set(err, CVP_ERR_EXTERNAL, "%s", reg->failure);
    } else if (st == CVP_OK) {
        st = cvp_impl_convert(out, r->outputs[output], info->output_kinds[output],
                              reg->runners[index].layout, true, err);
    }
    cvp_impl_case_clear(&c);
    return st;
}
