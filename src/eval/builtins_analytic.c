/* builtins_analytic.c -- handlers of sigmoid, tanh, exp, log, softmax
 * and cross_entropy (kernel/analytic.h). */
#include "eval/builtins_analytic.h"

#include "kernel/analytic.h"

static cvp_status elementwise(cvp_value *out, cvp_call *call,
                              cvp_analytic_fn fn)
{
    const cvp_tensor_struct *X;
    cvp_status status = cvp_arg_tensor(call, 0, &X);
    if (status != CVP_OK)
        return status;
    cvp_error kernel_error;
    cvp_error_clear(&kernel_error);
    status = cvp_tensor_analytic(out->tensor, X, fn, &kernel_error);
    return cvp_call_finish_tensor(out, call, status, &kernel_error);
}

cvp_status cvp_builtin_sigmoid(cvp_value *out, cvp_call *call)
{
    return elementwise(out, call, CVP_FN_SIGMOID);
}

cvp_status cvp_builtin_tanh(cvp_value *out, cvp_call *call)
{
    return elementwise(out, call, CVP_FN_TANH);
}

cvp_status cvp_builtin_exp(cvp_value *out, cvp_call *call)
{
    return elementwise(out, call, CVP_FN_EXP);
}

cvp_status cvp_builtin_log(cvp_value *out, cvp_call *call)
{
    return elementwise(out, call, CVP_FN_LOG);
}

/* softmax(X, axis=-1): along the last axis unless told otherwise
 * (negative axes count from the end). */
cvp_status cvp_builtin_softmax(cvp_value *out, cvp_call *call)
{
    const cvp_tensor_struct *X;
    long axis;
    cvp_status status;
    if ((status = cvp_arg_tensor(call, 0, &X)) != CVP_OK
        || (status = cvp_arg_long(call, 1, &axis)) != CVP_OK)
        return status;
    if (X->rank == 0)
        return cvp_call_fail(call, 0, "the input must have at least one axis, "
                             "got a scalar");
    long normalised = axis < 0 ? axis + X->rank : axis;
    if (normalised < 0 || normalised >= X->rank)
        return cvp_call_fail(call, 1, "axis %ld is outside -%d..%d for an input "
                             "of rank %d", axis, X->rank, X->rank - 1, X->rank);
    cvp_error kernel_error;
    cvp_error_clear(&kernel_error);
    status = cvp_softmax(out->tensor, X, (int)normalised, &kernel_error);
    return cvp_call_finish_tensor(out, call, status, &kernel_error);
}

/* cross_entropy(input, target): logits [C] or [N, C], class
 * probabilities of the same shape; the mean over the batch. */
cvp_status cvp_builtin_cross_entropy(cvp_value *out, cvp_call *call)
{
    const cvp_tensor_struct *logits, *target;
    cvp_status status;
    if ((status = cvp_arg_tensor(call, 0, &logits)) != CVP_OK
        || (status = cvp_arg_tensor(call, 1, &target)) != CVP_OK)
        return status;
    cvp_error kernel_error;
    cvp_error_clear(&kernel_error);
    status = cvp_cross_entropy(out->tensor, logits, target, &kernel_error);
    return cvp_call_finish_tensor(out, call, status, &kernel_error);
}
