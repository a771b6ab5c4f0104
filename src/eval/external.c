/* external.c -- the operations of a declared implementation: their
 * signatures, and the handler that turns a call into a request for the
 * cvp_external of the evaluation (see external.h). */
#include "eval/external.h"

#include <string.h>

#include "eval/call.h"

#define REQUIRED(n) {n, CVP_PARAM_REQUIRED, 0, NULL}
#define OPTIONAL(n) {n, CVP_PARAM_NONE, 0, NULL}
#define INT(n, v) {n, CVP_PARAM_INT, v, NULL}
#define SAME_AS(n, other) {n, CVP_PARAM_SAME_AS, 0, other}
#define END {NULL, CVP_PARAM_REQUIRED, 0, NULL}

static cvp_status external_handler(cvp_value *out, cvp_call *call);

/* Positions of the parameters below, shared by the handler. */
enum { CONV_INPUT, CONV_WEIGHT, CONV_GRAD_OR_BIAS };

#define CONV_HYPER INT("stride", 1), INT("padding", 0), INT("dilation", 1), \
    INT("groups", 1)
#define CONV_BACKWARD(name)                                                  \
    {name, external_handler, 3,                                             \
     {REQUIRED("input"), REQUIRED("weight"), REQUIRED("grad_output"),       \
      OPTIONAL("bias"), CONV_HYPER, END},                                   \
     "the implementation's " name}
#define POOL(name)                                                           \
    {name, external_handler, 2,                                             \
     {REQUIRED("input"), REQUIRED("kernel_size"),                           \
      SAME_AS("stride", "kernel_size"), INT("padding", 0), END},            \
     "the implementation's " name}
#define POOL_BACKWARD(name)                                                  \
    {name, external_handler, 3,                                             \
     {REQUIRED("input"), REQUIRED("grad_output"), REQUIRED("kernel_size"),  \
      SAME_AS("stride", "kernel_size"), INT("padding", 0), END},            \
     "the implementation's " name}

/* In the order of cvp_external_op. */
static const cvp_builtin operations[] = {
    {"conv2d", external_handler, 3,
     {REQUIRED("input"), REQUIRED("weight"), OPTIONAL("bias"), CONV_HYPER, END},
     "the implementation's conv2d"},
    CONV_BACKWARD("conv2d_backward_input"),
    CONV_BACKWARD("conv2d_backward_weight"),
    CONV_BACKWARD("conv2d_backward_bias"),
    POOL("max_pool2d"),
    POOL_BACKWARD("max_pool2d_backward"),
    POOL("avg_pool2d"),
    POOL_BACKWARD("avg_pool2d_backward"),
};

const cvp_builtin *cvp_external_operation(const char *op)
{
    for (size_t k = 0; k < sizeof operations / sizeof operations[0]; k++)
        if (strcmp(operations[k].name, op) == 0)
            return &operations[k];
    return NULL;
}

static cvp_status read_conv(cvp_external_request *rq, cvp_call *call,
                            bool backward)
{
    cvp_status st;
    int first_hyper = backward ? 4 : 3;
    if ((st = cvp_arg_tensor(call, CONV_INPUT, &rq->input)) != CVP_OK
        || (st = cvp_arg_tensor(call, CONV_WEIGHT, &rq->weight)) != CVP_OK)
        return st;
    if (backward) {
        if ((st = cvp_arg_tensor(call, 2, &rq->grad_output)) != CVP_OK
            || (st = cvp_arg_optional_tensor(call, 3, &rq->bias)) != CVP_OK)
            return st;
    } else if ((st = cvp_arg_optional_tensor(call, 2, &rq->bias)) != CVP_OK) {
        return st;
    }
    if ((st = cvp_arg_pair(call, first_hyper, 1, rq->stride)) != CVP_OK
        || (st = cvp_arg_pair(call, first_hyper + 1, 0, rq->padding)) != CVP_OK
        || (st = cvp_arg_pair(call, first_hyper + 2, 1, rq->dilation)) != CVP_OK
        || (st = cvp_arg_size(call, first_hyper + 3, 1, &rq->groups)) != CVP_OK)
        return st;
    if (rq->weight->rank == 4) {
        rq->kernel[0] = rq->weight->shape[2];
        rq->kernel[1] = rq->weight->shape[3];
    }
    return CVP_OK;
}

static cvp_status read_pool(cvp_external_request *rq, cvp_call *call,
                            bool backward)
{
    cvp_status st;
    int k = backward ? 2 : 1;
    if ((st = cvp_arg_tensor(call, 0, &rq->input)) != CVP_OK)
        return st;
    if (backward && (st = cvp_arg_tensor(call, 1, &rq->grad_output)) != CVP_OK)
        return st;
    if ((st = cvp_arg_pair(call, k, 1, rq->kernel)) != CVP_OK
        || (st = cvp_arg_pair(call, k + 1, 1, rq->stride)) != CVP_OK
        || (st = cvp_arg_pair(call, k + 2, 0, rq->padding)) != CVP_OK)
        return st;
    rq->dilation[0] = rq->dilation[1] = 1;
    rq->groups = 1;
    return CVP_OK;
}

static cvp_status external_handler(cvp_value *out, cvp_call *call)
{
    const cvp_eval_context *context = call->context;
    const char *name = call->node->u.call.name;
    const char *dot = strchr(name, '.');
    CVP_ASSERT(dot != NULL);
    if (context->ring != NULL && context->ring != &cvp_ring_q)
        return cvp_lang_error_set(context->err, CVP_ERR_UNSUPPORTED,
                                  context->source_name, call->node->pos,
                                  "%s runs an external implementation, "
                                  "on concrete numbers only: the exact "
                                  "method checks it", name);
    const cvp_external *external =
        context->defs != NULL ? context->defs->external : NULL;
    if (external == NULL)
        return cvp_call_fail(call, -1, "no implementations are declared "
                             "here (a proof file declares them: "
                             "implementation NAME = command \"...\" layout "
                             "nhwc)");
    cvp_external_request rq;
    memset(&rq, 0, sizeof rq);
    rq.op = (cvp_external_op)(call->builtin - operations);
    rq.implementation = name;
    rq.implementation_len = (size_t)(dot - name);
    cvp_status st;
    switch (rq.op) {
    case CVP_EXTERNAL_CONV2D:
        st = read_conv(&rq, call, false);
        break;
    case CVP_EXTERNAL_CONV2D_BACKWARD_INPUT:
    case CVP_EXTERNAL_CONV2D_BACKWARD_WEIGHT:
    case CVP_EXTERNAL_CONV2D_BACKWARD_BIAS:
        st = read_conv(&rq, call, true);
        break;
    case CVP_EXTERNAL_MAX_POOL2D:
    case CVP_EXTERNAL_AVG_POOL2D:
        st = read_pool(&rq, call, false);
        break;
    default:
        st = read_pool(&rq, call, true);
        break;
    }
    if (st != CVP_OK)
        return st;
    cvp_error e;
    cvp_error_clear(&e);
    st = external->run(external->ctx, out->tensor, &rq, &e);
    if (st == CVP_OK) {
        cvp_value_make_tensor(out);
        return CVP_OK;
    }
    /* Keep the status: a misbehaving implementation is a finding
     * (CVP_ERR_EXTERNAL), not an error of the proof. */
    return cvp_lang_error_set(context->err, st, context->source_name,
                              call->node->pos, "%s: %s", name, e.message);
}
