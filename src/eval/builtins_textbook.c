/* builtins_textbook.c -- handlers of the single-channel textbook operators
 * (kernel/textbook.h): xcorr, conv, wide, rot180, pad, dilate. */
#include "eval/builtins_impl.h"

#include "kernel/textbook.h"

/* Parameter positions, as in the registry. */
enum { ARG_W = 0, ARG_X = 1, ARG_STRIDE = 2, ARG_DILATION = 3 };
enum { PAD_X = 0, PAD_P, PAD_TOP, PAD_BOTTOM, PAD_LEFT, PAD_RIGHT };

/* The dilated kernel W must fit inside X along every axis.  The kernel
 * checks this too; checking here names the axis of each argument.
 * Ranks the textbook operators do not take are left to the kernel's
 * message. */
static cvp_status check_kernel_fits(cvp_call *call,
                                    const cvp_tensor_struct *W,
                                    const cvp_tensor_struct *X,
                                    const size_t dilation[2])
{
    if (W->rank != X->rank || W->rank < 1 || W->rank > 2)
        return CVP_OK;
    for (int axis = 0; axis < W->rank; axis++) {
        /* a rank-1 operand is a single row: its axis is the width */
        size_t d = dilation[W->rank == 1 ? 1 : axis];
        size_t u = W->shape[axis], m = X->shape[axis];
        if (u == 0)
            continue;
        if (m == 0 || (u - 1) > (m - 1) / d) {
            if (d == 1)
                return cvp_call_fail(call, ARG_W,
                                     "dimension %d of W is %zu, more than "
                                     "dimension %d of X (%zu): the kernel "
                                     "does not fit inside the input", axis, u,
                                     axis, m);
            return cvp_call_fail(call, ARG_W,
                                 "dimension %d of W spans %zu with dilation "
                                 "%zu (size %zu), more than dimension %d of "
                                 "X (%zu): the kernel does not fit inside "
                                 "the input", axis, d * (u - 1) + 1, d, u,
                                 axis, m);
        }
    }
    return CVP_OK;
}

cvp_status cvp_builtin_xcorr(cvp_value *out, cvp_call *call)
{
    const cvp_tensor_struct *W, *X;
    size_t stride[2], dilation[2];
    cvp_status status;
    if ((status = cvp_arg_tensor(call, ARG_W, &W)) != CVP_OK
        || (status = cvp_arg_tensor(call, ARG_X, &X)) != CVP_OK
        || (status = cvp_arg_pair(call, ARG_STRIDE, 1, stride)) != CVP_OK
        || (status = cvp_arg_pair(call, ARG_DILATION, 1, dilation)) != CVP_OK
        || (status = check_kernel_fits(call, W, X, dilation)) != CVP_OK)
        return status;
    cvp_error kernel_error;
    cvp_error_clear(&kernel_error);
    status = cvp_xcorr(out->tensor, W, X, stride[0], stride[1], dilation[0],
                       dilation[1], &kernel_error);
    return cvp_call_finish_tensor(out, call, status, &kernel_error);
}

cvp_status cvp_builtin_conv(cvp_value *out, cvp_call *call)
{
    const cvp_tensor_struct *W, *X;
    const size_t no_dilation[2] = {1, 1};
    cvp_status status;
    if ((status = cvp_arg_tensor(call, ARG_W, &W)) != CVP_OK
        || (status = cvp_arg_tensor(call, ARG_X, &X)) != CVP_OK
        || (status = check_kernel_fits(call, W, X, no_dilation)) != CVP_OK)
        return status;
    cvp_error kernel_error;
    cvp_error_clear(&kernel_error);
    status = cvp_conv(out->tensor, W, X, &kernel_error);
    return cvp_call_finish_tensor(out, call, status, &kernel_error);
}

cvp_status cvp_builtin_wide(cvp_value *out, cvp_call *call)
{
    const cvp_tensor_struct *W, *X;
    cvp_status status;
    if ((status = cvp_arg_tensor(call, ARG_W, &W)) != CVP_OK
        || (status = cvp_arg_tensor(call, ARG_X, &X)) != CVP_OK)
        return status;
    cvp_error kernel_error;
    cvp_error_clear(&kernel_error);
    status = cvp_wide(out->tensor, W, X, &kernel_error);
    return cvp_call_finish_tensor(out, call, status, &kernel_error);
}

cvp_status cvp_builtin_rot180(cvp_value *out, cvp_call *call)
{
    const cvp_tensor_struct *X;
    cvp_status status = cvp_arg_tensor(call, 0, &X);
    if (status != CVP_OK)
        return status;
    cvp_error kernel_error;
    cvp_error_clear(&kernel_error);
    status = cvp_rot180(out->tensor, X, &kernel_error);
    return cvp_call_finish_tensor(out, call, status, &kernel_error);
}

/* pad(X, p) with p an integer or (ph, pw), or pad(X, top=, bottom=,
 * left=, right=) with the sides not given being 0. */
cvp_status cvp_builtin_pad(cvp_value *out, cvp_call *call)
{
    const cvp_tensor_struct *X;
    cvp_status status = cvp_arg_tensor(call, PAD_X, &X);
    if (status != CVP_OK)
        return status;
    int first_side = -1;
    for (int side = PAD_TOP; side <= PAD_RIGHT && first_side < 0; side++)
        if (!cvp_arg_is_none(call, side))
            first_side = side;
    bool have_p = !cvp_arg_is_none(call, PAD_P);
    if (have_p && first_side >= 0)
        return cvp_call_fail(call, first_side,
                             "give either p or top/bottom/left/right, not "
                             "both");
    if (!have_p && first_side < 0)
        return cvp_call_fail(call, -1,
                             "missing argument 'p' (or top=, bottom=, "
                             "left=, right=)");
    size_t sides[4] = {0, 0, 0, 0};  /* top, bottom, left, right */
    if (have_p) {
        size_t hw[2];
        if ((status = cvp_arg_pair(call, PAD_P, 0, hw)) != CVP_OK)
            return status;
        bool is_pair = call->args[PAD_P].kind == CVP_VALUE_TUPLE;
        if (X->rank == 1 && is_pair && hw[0] != 0)
            return cvp_call_fail(call, PAD_P,
                                 "a rank-1 tensor has only a width; p must "
                                 "be an integer or (0, pw)");
        /* An integer pads every axis pad() acts on: both for a matrix,
         * the only one for a vector. */
        sides[0] = sides[1] = X->rank == 1 ? 0 : hw[0];
        sides[2] = sides[3] = hw[1];
    } else {
        for (int side = PAD_TOP; side <= PAD_RIGHT; side++)
            if (!cvp_arg_is_none(call, side)
                && (status = cvp_arg_size(call, side, 0,
                                          &sides[side - PAD_TOP])) != CVP_OK)
                return status;
    }
    cvp_error kernel_error;
    cvp_error_clear(&kernel_error);
    status = cvp_pad(out->tensor, X, sides[0], sides[1], sides[2], sides[3],
                     &kernel_error);
    return cvp_call_finish_tensor(out, call, status, &kernel_error);
}

cvp_status cvp_builtin_dilate(cvp_value *out, cvp_call *call)
{
    const cvp_tensor_struct *X;
    size_t s[2];
    cvp_status status;
    if ((status = cvp_arg_tensor(call, 0, &X)) != CVP_OK
        || (status = cvp_arg_pair(call, 1, 1, s)) != CVP_OK)
        return status;
    cvp_error kernel_error;
    cvp_error_clear(&kernel_error);
    status = cvp_dilate(out->tensor, X, s[0], s[1], &kernel_error);
    return cvp_call_finish_tensor(out, call, status, &kernel_error);
}
