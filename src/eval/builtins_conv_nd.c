/* builtins_conv_nd.c -- handlers of conv1d and conv3d
 * (kernel/conv_nd.h).  Hyper-parameters are read here so a bad one is
 * reported at its own column; shape compatibility is the kernel's. */
#include "eval/builtins_impl.h"

#include "kernel/conv_nd.h"

/* One hyper-parameter for `axes` spatial axes: an integer for all of
 * them, or a tuple (or list) of exactly `axes` integers, each >= min. */
static cvp_status read_axes(cvp_call *call, int index, int axes, long min,
                            size_t *out)
{
    long values[3];
    size_t count;
    cvp_status status = cvp_arg_int_list(call, index, values, 3, &count);
    if (status != CVP_OK)
        return status;
    if (count != 1 && count != (size_t)axes)
        return cvp_call_fail(call, index, "%s must be an integer or %d "
                             "integers, got %zu", cvp_arg_name(call, index),
                             axes, count);
    for (int a = 0; a < axes; a++) {
        long v = values[count == 1 ? 0 : a];
        if (v < min)
            return cvp_call_fail(call, index, "%s must be at least %ld, got "
                                 "%ld", cvp_arg_name(call, index), min, v);
        out[a] = (size_t)v;
    }
    return CVP_OK;
}

/* conv1d / conv3d(input, weight, bias, stride, padding, dilation,
 * groups), torch.nn.functional's order. */
static cvp_status conv_nd(cvp_value *out, cvp_call *call, int axes)
{
    const cvp_tensor_struct *X, *K, *bias;
    cvp_conv_nd_params params = cvp_conv_nd_params_default();
    cvp_status status;
    if ((status = cvp_arg_tensor(call, 0, &X)) != CVP_OK
        || (status = cvp_arg_tensor(call, 1, &K)) != CVP_OK
        || (status = cvp_arg_optional_tensor(call, 2, &bias)) != CVP_OK
        || (status = read_axes(call, 3, axes, 1, params.stride)) != CVP_OK
        || (status = read_axes(call, 4, axes, 0, params.padding)) != CVP_OK
        || (status = read_axes(call, 5, axes, 1, params.dilation)) != CVP_OK
        || (status = cvp_arg_size(call, 6, 1, &params.groups)) != CVP_OK)
        return status;
    cvp_error kernel_error;
    cvp_error_clear(&kernel_error);
    status = axes == 1 ? cvp_conv1d(out->tensor, X, K, bias, &params,
                                    &kernel_error)
                       : cvp_conv3d(out->tensor, X, K, bias, &params,
                                    &kernel_error);
    return cvp_call_finish_tensor(out, call, status, &kernel_error);
}

cvp_status cvp_builtin_conv1d(cvp_value *out, cvp_call *call)
{
    return conv_nd(out, call, 1);
}

cvp_status cvp_builtin_conv3d(cvp_value *out, cvp_call *call)
{
    return conv_nd(out, call, 3);
}
