/* builtins_pool.c -- handlers of pooling (forward and backward) and ReLU
 * (kernel/pool.h). */
#include "eval/builtins_impl.h"

#include "kernel/pool.h"

/* Positions of the pooling hyper-parameters of one function; -1 when the
 * function has no such parameter. */
typedef struct {
    int kernel_size, stride, padding, dilation, ceil_mode,
        count_include_pad, divisor_override;
} pool_param_slots;

static const pool_param_slots max_slots = {1, 2, 3, 4, 5, -1, -1};
static const pool_param_slots avg_slots = {1, 2, 3, -1, 4, 5, 6};
/* The backward formulas take grad_output second, shifting the rest. */
static const pool_param_slots max_backward_slots = {2, 3, 4, 5, 6, -1, -1};
static const pool_param_slots avg_backward_slots = {2, 3, 4, -1, 5, 6, 7};

static cvp_status read_params(cvp_pool2d_params *params, cvp_call *call,
                              const pool_param_slots *slots)
{
    size_t kernel[2];
    cvp_status status = cvp_arg_pair(call, slots->kernel_size, 1, kernel);
    if (status != CVP_OK)
        return status;
    *params = cvp_pool2d_params_default(kernel[0], kernel[1]);
    if ((status = cvp_arg_pair(call, slots->stride, 1, params->stride))
            != CVP_OK
        || (status = cvp_arg_pair(call, slots->padding, 0, params->padding))
               != CVP_OK
        || (status = cvp_arg_bool(call, slots->ceil_mode,
                                  &params->ceil_mode)) != CVP_OK)
        return status;
    if (slots->dilation >= 0
        && (status = cvp_arg_pair(call, slots->dilation, 1,
                                  params->dilation)) != CVP_OK)
        return status;
    if (slots->count_include_pad >= 0
        && (status = cvp_arg_bool(call, slots->count_include_pad,
                                  &params->count_include_pad)) != CVP_OK)
        return status;
    if (slots->divisor_override >= 0
        && !cvp_arg_is_none(call, slots->divisor_override)) {
        size_t divisor;
        if ((status = cvp_arg_size(call, slots->divisor_override, 1,
                                   &divisor)) != CVP_OK)
            return status;
        params->divisor_override = (long)divisor;
    }
    /* PyTorch's rule, checked here to point at the padding argument (the
     * kernel checks it again). */
    for (int axis = 0; axis < 2; axis++)
        if (params->padding[axis] > params->kernel[axis] / 2)
            return cvp_call_fail(call, slots->padding,
                                 "padding %zu along the %s is more than half "
                                 "the kernel size %zu",
                                 params->padding[axis],
                                 axis == 0 ? "height" : "width",
                                 params->kernel[axis]);
    return CVP_OK;
}

typedef cvp_status (*pool_fn)(cvp_tensor_t, const cvp_tensor_t,
                              const cvp_pool2d_params *, cvp_error *);
typedef cvp_status (*pool_backward_fn)(cvp_tensor_t, const cvp_tensor_t,
                                       const cvp_tensor_t,
                                       const cvp_pool2d_params *,
                                       cvp_error *);

static cvp_status pool(cvp_value *out, cvp_call *call,
                       const pool_param_slots *slots, pool_fn fn)
{
    const cvp_tensor_struct *X;
    cvp_pool2d_params params;
    cvp_status status;
    if ((status = cvp_arg_tensor(call, 0, &X)) != CVP_OK
        || (status = read_params(&params, call, slots)) != CVP_OK)
        return status;
    cvp_error kernel_error;
    cvp_error_clear(&kernel_error);
    status = fn(out->tensor, X, &params, &kernel_error);
    return cvp_call_finish_tensor(out, call, status, &kernel_error);
}

static cvp_status pool_backward(cvp_value *out, cvp_call *call,
                                const pool_param_slots *slots,
                                pool_backward_fn fn)
{
    const cvp_tensor_struct *X, *G;
    cvp_pool2d_params params;
    cvp_status status;
    if ((status = cvp_arg_tensor(call, 0, &X)) != CVP_OK
        || (status = cvp_arg_tensor(call, 1, &G)) != CVP_OK
        || (status = read_params(&params, call, slots)) != CVP_OK)
        return status;
    cvp_error kernel_error;
    cvp_error_clear(&kernel_error);
    status = fn(out->tensor, X, G, &params, &kernel_error);
    return cvp_call_finish_tensor(out, call, status, &kernel_error);
}

cvp_status cvp_builtin_max_pool2d(cvp_value *out, cvp_call *call)
{
    return pool(out, call, &max_slots, cvp_max_pool2d);
}

cvp_status cvp_builtin_avg_pool2d(cvp_value *out, cvp_call *call)
{
    return pool(out, call, &avg_slots, cvp_avg_pool2d);
}

cvp_status cvp_builtin_max_pool2d_backward(cvp_value *out, cvp_call *call)
{
    return pool_backward(out, call, &max_backward_slots,
                         cvp_max_pool2d_backward);
}

cvp_status cvp_builtin_avg_pool2d_backward(cvp_value *out, cvp_call *call)
{
    return pool_backward(out, call, &avg_backward_slots,
                         cvp_avg_pool2d_backward);
}

cvp_status cvp_builtin_relu(cvp_value *out, cvp_call *call)
{
    const cvp_tensor_struct *X;
    cvp_status status = cvp_arg_tensor(call, 0, &X);
    if (status != CVP_OK)
        return status;
    cvp_error kernel_error;
    cvp_error_clear(&kernel_error);
    status = cvp_relu(out->tensor, X, &kernel_error);
    return cvp_call_finish_tensor(out, call, status, &kernel_error);
}

/* The other rules for tied maxima (kernel/pool.h); they take the
 * arguments of max_pool2d_backward. */
static cvp_status backward_split(cvp_tensor_t out, const cvp_tensor_t X,
                                 const cvp_tensor_t G,
                                 const cvp_pool2d_params *p, cvp_error *err)
{
    return cvp_max_pool2d_backward_ties(out, X, G, p, CVP_TIES_SPLIT, err);
}

static cvp_status backward_all(cvp_tensor_t out, const cvp_tensor_t X,
                               const cvp_tensor_t G,
                               const cvp_pool2d_params *p, cvp_error *err)
{
    return cvp_max_pool2d_backward_ties(out, X, G, p, CVP_TIES_ALL, err);
}

cvp_status cvp_builtin_max_pool2d_backward_split(cvp_value *out, cvp_call *call)
{
    return pool_backward(out, call, &max_backward_slots, backward_split);
}

cvp_status cvp_builtin_max_pool2d_backward_all(cvp_value *out, cvp_call *call)
{
    return pool_backward(out, call, &max_backward_slots, backward_all);
}

cvp_status cvp_builtin_relu_backward(cvp_value *out, cvp_call *call)
{
    const cvp_tensor_struct *Z, *G;
    cvp_status status;
    if ((status = cvp_arg_tensor(call, 0, &Z)) != CVP_OK
        || (status = cvp_arg_tensor(call, 1, &G)) != CVP_OK)
        return status;
    cvp_error kernel_error;
    cvp_error_clear(&kernel_error);
    status = cvp_relu_backward(out->tensor, Z, G, &kernel_error);
    return cvp_call_finish_tensor(out, call, status, &kernel_error);
}
