/* builtins_tensor.c -- handlers of the tensor algebra: transpose, reshape,
 * sum, matmul (kernel/tensor.h). */
#include "eval/builtins_impl.h"

#include "fast/fast.h"

#include <stdint.h>
#include <stdio.h>

/* Formats a list of integers as "(2, -1)" for messages. */
static void format_list(char *buf, size_t size, const long *entries,
                        size_t count)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t k = 0; k <= count && used < size; k++) {
        int n;
        if (k == count)
            n = snprintf(buf + used, size - used, "%s)",
                         count == 1 ? "," : "");
        else
            n = snprintf(buf + used, size - used, "%s%ld", k ? ", " : "(",
                         entries[k]);
        if (n < 0)
            return;
        used += (size_t)n;
    }
    if (count == 0)
        snprintf(buf, size, "()");
}

/* transpose(X): the matrix transpose (ranks 0 and 1 are unchanged, higher
 * ranks reverse their axes as NumPy does); transpose(X, axes): axis k of
 * the result is axis axes[k] of X (negative entries count from the
 * end). */
cvp_status cvp_builtin_transpose(cvp_value *out, cvp_call *call)
{
    const cvp_tensor_struct *X;
    cvp_status status = cvp_arg_tensor(call, 0, &X);
    if (status != CVP_OK)
        return status;
    cvp_error kernel_error;
    cvp_error_clear(&kernel_error);
    int rank = X->rank;
    int perm[CVP_MAX_RANK];
    if (cvp_arg_is_none(call, 1)) {
        if (rank <= 2) {
            status = cvp_tensor_transpose(out->tensor, X, &kernel_error);
            return cvp_call_finish_tensor(out, call, status, &kernel_error);
        }
        for (int k = 0; k < rank; k++)
            perm[k] = rank - 1 - k;
    } else {
        long axes[CVP_MAX_RANK];
        size_t count;
        if ((status = cvp_arg_int_list(call, 1, axes, CVP_MAX_RANK, &count))
            != CVP_OK)
            return status;
        if (count != (size_t)rank)
            return cvp_call_fail(call, 1,
                                 "axes has %zu entr%s but the input has rank "
                                 "%d", count, count == 1 ? "y" : "ies", rank);
        bool seen[CVP_MAX_RANK] = {false};
        for (int k = 0; k < rank; k++) {
            long axis = axes[k] < 0 ? axes[k] + rank : axes[k];
            if (axis < 0 || axis >= rank)
                return cvp_call_fail(call, 1,
                                     "entry %d of axes is %ld, outside "
                                     "-%d..%d for an input of rank %d", k,
                                     axes[k], rank, rank - 1, rank);
            if (seen[axis])
                return cvp_call_fail(call, 1,
                                     "axes must be a permutation: axis %ld "
                                     "appears twice", axis);
            seen[axis] = true;
            perm[k] = (int)axis;
        }
    }
    status = cvp_tensor_permute(out->tensor, X, perm, &kernel_error);
    return cvp_call_finish_tensor(out, call, status, &kernel_error);
}

/* reshape(X, shape): shape is an integer or a tuple; one entry may be -1
 * and is inferred. */
cvp_status cvp_builtin_reshape(cvp_value *out, cvp_call *call)
{
    const cvp_tensor_struct *X;
    long entries[CVP_MAX_RANK];
    size_t count;
    cvp_status status;
    if ((status = cvp_arg_tensor(call, 0, &X)) != CVP_OK
        || (status = cvp_arg_int_list(call, 1, entries, CVP_MAX_RANK, &count))
               != CVP_OK)
        return status;
    size_t shape[CVP_MAX_RANK];
    int inferred = -1;
    /* Product of the given entries, saturated: entries are at most
     * CVP_CALL_MAX_INT, so one more factor cannot overflow once the
     * product is capped at SIZE_MAX / CVP_CALL_MAX_INT. */
    size_t known = 1;
    const size_t cap = SIZE_MAX / (size_t)CVP_CALL_MAX_INT;
    for (size_t k = 0; k < count; k++) {
        if (entries[k] == -1) {
            if (inferred >= 0)
                return cvp_call_fail(call, 1,
                                     "only one entry of shape may be -1");
            inferred = (int)k;
            shape[k] = CVP_INFER_DIM;
            continue;
        }
        if (entries[k] < 0)
            return cvp_call_fail(call, 1,
                                 "entry %zu of shape is %ld; entries must be "
                                 "at least 0 (or -1 once, to be inferred)", k,
                                 entries[k]);
        shape[k] = (size_t)entries[k];
        if (shape[k] == 0)
            known = 0;
        else if (known <= cap)
            known *= shape[k];
    }
    bool fits = inferred >= 0 ? known != 0 && X->size % known == 0
                              : known == X->size;
    if (!fits) {
        char from[128], to[128];
        cvp_shape_format(from, sizeof from, X->rank, X->shape);
        format_list(to, sizeof to, entries, count);
        return cvp_call_fail(call, 1,
                             "cannot reshape a tensor of shape %s (%zu "
                             "entr%s) into %s", from, X->size,
                             X->size == 1 ? "y" : "ies", to);
    }
    cvp_error kernel_error;
    cvp_error_clear(&kernel_error);
    status = cvp_tensor_reshape(out->tensor, X, (int)count, shape,
                                &kernel_error);
    return cvp_call_finish_tensor(out, call, status, &kernel_error);
}

/* sum(X): all entries; sum(X, axis=k): along axis k (negative counts from
 * the end), which is removed. */
cvp_status cvp_builtin_sum(cvp_value *out, cvp_call *call)
{
    const cvp_tensor_struct *X;
    cvp_status status = cvp_arg_tensor(call, 0, &X);
    if (status != CVP_OK)
        return status;
    cvp_error kernel_error;
    cvp_error_clear(&kernel_error);
    if (cvp_arg_is_none(call, 1)) {
        status = cvp_fast_sum_all(out->tensor, X, &kernel_error);
        return cvp_call_finish_tensor(out, call, status, &kernel_error);
    }
    long axis;
    if ((status = cvp_arg_long(call, 1, &axis)) != CVP_OK)
        return status;
    long normalised = axis < 0 ? axis + X->rank : axis;
    if (normalised < 0 || normalised >= X->rank) {
        if (X->rank == 0)
            return cvp_call_fail(call, 1, "a scalar has no axis %ld", axis);
        return cvp_call_fail(call, 1,
                             "axis %ld is outside -%d..%d for an input of "
                             "rank %d", axis, X->rank, X->rank - 1, X->rank);
    }
    status = cvp_tensor_sum_axis(out->tensor, X, (int)normalised,
                                 &kernel_error);
    return cvp_call_finish_tensor(out, call, status, &kernel_error);
}

cvp_status cvp_builtin_matmul(cvp_value *out, cvp_call *call)
{
    const cvp_tensor_struct *A, *B;
    cvp_status status;
    if ((status = cvp_arg_tensor(call, 0, &A)) != CVP_OK
        || (status = cvp_arg_tensor(call, 1, &B)) != CVP_OK)
        return status;
    cvp_error kernel_error;
    cvp_error_clear(&kernel_error);
    status = cvp_fast_matmul(out->tensor, A, B, NULL, &kernel_error);
    return cvp_call_finish_tensor(out, call, status, &kernel_error);
}
