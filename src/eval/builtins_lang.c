/* builtins_lang.c -- handlers of the language's tensor sugar and
 * elementwise order functions: shape, pow (X ** n), index and slice
 * (X[0:2, 1]), concat / stack, max, min, abs (kernel/tensor_order.h). */
#include "eval/builtins_impl.h"

#include <stdio.h>
#include <string.h>

#include "kernel/tensor_order.h"

/* Largest exponent of pow: X ** n multiplies n - 1 times per entry, and
 * exact entries grow n-fold, so a larger n is a typo, not a layer. */
#define POW_MAX_EXPONENT 1000

/* shape(E): the dims of E as a vector of integers (a scalar has the
 * empty shape []), so `shape(Y) == [N, C, H, W]` states a shape. */
cvp_status cvp_builtin_shape(cvp_value *out, cvp_call *call)
{
    const cvp_tensor_struct *X;
    cvp_status status = cvp_arg_tensor(call, 0, &X);
    if (status != CVP_OK)
        return status;
    cvp_tensor_t result;
    cvp_tensor_init(result);
    size_t rank = (size_t)X->rank;
    cvp_error kernel_error;
    cvp_error_clear(&kernel_error);
    status = cvp_tensor_resize(result, 1, &rank, &kernel_error);
    for (int k = 0; status == CVP_OK && k < X->rank; k++)
        mpq_set_ui(cvp_tensor_at(result, (size_t)k), (unsigned long)X->shape[k], 1);
    if (status == CVP_OK)
        cvp_tensor_swap(out->tensor, result);
    cvp_tensor_clear(result);
    return cvp_call_finish_tensor(out, call, status, &kernel_error);
}

/* pow(input, exponent), also written input ** exponent: a natural
 * exponent, applied elementwise by repeated multiplication (exact in
 * every ring). */
cvp_status cvp_builtin_pow(cvp_value *out, cvp_call *call)
{
    const cvp_tensor_struct *X;
    size_t n;
    cvp_status status = cvp_arg_tensor(call, 0, &X);
    if (status == CVP_OK)
        status = cvp_arg_size(call, 1, 0, &n);
    if (status != CVP_OK)
        return status;
    if (n > POW_MAX_EXPONENT)
        return cvp_call_fail(call, 1, "exponent %zu is larger than %d", n,
                             POW_MAX_EXPONENT);
    cvp_error kernel_error;
    cvp_error_clear(&kernel_error);
    status = cvp_tensor_pow(out->tensor, X, (unsigned long)n, &kernel_error);
    return cvp_call_finish_tensor(out, call, status, &kernel_error);
}

/* slice(start, stop, step): the value of a subscript a:b:c. */
cvp_status cvp_builtin_slice(cvp_value *out, cvp_call *call)
{
    long part[3];
    for (int k = 0; k < 3; k++) {
        if (cvp_arg_is_none(call, k))
            continue;
        cvp_status status = cvp_arg_long(call, k, &part[k]);
        if (status != CVP_OK)
            return status;
        if (k == 2 && part[k] < 1)
            return cvp_call_fail(call, k, "step must be at least 1, got %ld "
                                 "(as in PyTorch, there are no negative "
                                 "steps)", part[k]);
    }
    cvp_error error;
    cvp_error_clear(&error);
    if (cvp_value_make_slice(out, &error) != CVP_OK)
        return cvp_call_kernel_failed(call, &error);
    for (int k = 0; k < 3; k++)
        if (!cvp_arg_is_none(call, k))
            cvp_value_set_si(&out->items[k], part[k]);
    /* make_slice set the kind; set_si on the items does not touch it */
    return CVP_OK;
}

/* Reads part k of a slice value (none: `dflt`). */
static long slice_part(const cvp_value *slice, int k, long dflt)
{
    const cvp_value *v = &slice->items[k];
    if (v->kind == CVP_VALUE_NONE)
        return dflt;
    return mpz_get_si(mpq_numref(cvp_tensor_at_const(v->tensor, 0)));
}

/* Python's slice.indices for a positive step: negative ends count from
 * the end, then both are clamped to 0..size. */
static size_t clamp_end(long end, size_t size)
{
    if (end < 0)
        end += (long)size;
    if (end < 0)
        return 0;
    return (size_t)end > size ? size : (size_t)end;
}

/* index(input, s0, s1, ...), also written input[s0, s1, ...] (PyTorch's
 * basic indexing): an integer subscript picks one entry of its axis and
 * drops the axis (negative ones count from the end, and must lie
 * inside); a slice start:stop:step keeps the axis, clamped as Python
 * clamps; axes without a subscript are kept whole. */
cvp_status cvp_builtin_index(cvp_value *out, cvp_call *call)
{
    const cvp_tensor_struct *X;
    cvp_status status = cvp_arg_tensor(call, 0, &X);
    if (status != CVP_OK)
        return status;
    int given = 0;
    while (given + 1 < call->param_count && call->given[given + 1])
        given++;
    for (int p = given + 2; p < call->param_count; p++)
        if (call->given[p])
            return cvp_call_fail(call, p, "subscript %s is given but %s is "
                                 "not (subscripts come in order)",
                                 cvp_arg_name(call, p),
                                 cvp_arg_name(call, given + 1));
    if (given > X->rank)
        return cvp_call_fail(call, X->rank + 1, "too many subscripts: %d for "
                             "a tensor of rank %d", given, X->rank);
    size_t start[CVP_MAX_RANK], stop[CVP_MAX_RANK], step[CVP_MAX_RANK];
    size_t kept[CVP_MAX_RANK];
    int kept_rank = 0;
    for (int k = 0; k < X->rank; k++) {
        size_t size = X->shape[k];
        start[k] = 0;
        stop[k] = size;
        step[k] = 1;
        if (k >= given) {
            kept[kept_rank++] = size;
            continue;
        }
        int p = k + 1;
        const cvp_value *v = &call->args[p];
        if (v->kind == CVP_VALUE_SLICE) {
            start[k] = clamp_end(slice_part(v, 0, 0), size);
            stop[k] = clamp_end(slice_part(v, 1, (long)size), size);
            step[k] = (size_t)slice_part(v, 2, 1);
            if (stop[k] < start[k])
                stop[k] = start[k];
            kept[kept_rank++] = (stop[k] - start[k] + step[k] - 1) / step[k];
            continue;
        }
        if (v->kind != CVP_VALUE_TENSOR || v->tensor->rank != 0) {
            char got[96];
            cvp_value_describe(got, sizeof got, v);
            return cvp_call_fail(call, p, "subscript %d must be an integer or "
                                 "a slice start:stop, got %s", k, got);
        }
        long i;
        if ((status = cvp_arg_long(call, p, &i)) != CVP_OK)
            return status;
        long wrapped = i < 0 ? i + (long)size : i;
        if (wrapped < 0 || (size_t)wrapped >= size)
            return cvp_call_fail(call, p, "index %ld is out of range for axis "
                                 "%d of size %zu", i, k, size);
        start[k] = (size_t)wrapped;
        stop[k] = (size_t)wrapped + 1;
    }
    cvp_error kernel_error;
    cvp_error_clear(&kernel_error);
    status = cvp_tensor_slice(out->tensor, X, start, stop, step,
                              &kernel_error);
    if (status == CVP_OK)   /* drop the axes picked by an integer */
        status = cvp_tensor_reshape(out->tensor, out->tensor, kept_rank, kept,
                                    &kernel_error);
    return cvp_call_finish_tensor(out, call, status, &kernel_error);
}

/* The tensors of a sequence argument (a tuple, or a list written in the
 * call, which call.c passes as a tuple), at most CVP_SEQUENCE_MAX. */
#define CVP_SEQUENCE_MAX 256
static cvp_status sequence_arg(cvp_call *call, int index,
                               const cvp_tensor_struct **items, size_t *count)
{
    cvp_value *v = &call->args[index];
    if (v->kind != CVP_VALUE_TUPLE || v->count == 0) {
        char got[96];
        cvp_value_describe(got, sizeof got, v);
        return cvp_call_fail(call, index, "%s must be a non-empty list or "
                             "tuple of tensors, e.g. [A, B], got %s",
                             cvp_arg_name(call, index), got);
    }
    if (v->count > CVP_SEQUENCE_MAX)
        return cvp_call_fail(call, index, "at most %d tensors",
                             CVP_SEQUENCE_MAX);
    cvp_ring *R = call->context->ring;
    for (size_t m = 0; m < v->count; m++) {
        cvp_value *item = &v->items[m];
        if (item->kind != CVP_VALUE_TENSOR)
            return cvp_call_fail(call, index, "item %zu of %s must be a "
                                 "tensor", m + 1, cvp_arg_name(call, index));
        /* a literal among ring elements is embedded, as everywhere */
        if (R != NULL && R != &cvp_ring_q && item->tensor->ring == &cvp_ring_q) {
            cvp_error lift_error;
            cvp_error_clear(&lift_error);
            if (cvp_tensor_lift(item->tensor, item->tensor, R, &lift_error)
                != CVP_OK)
                return cvp_call_kernel_failed(call, &lift_error);
        }
        items[m] = item->tensor;
    }
    *count = v->count;
    return CVP_OK;
}

/* concat(tensors, dim=0) / stack(tensors, dim=0): torch.cat and
 * torch.stack; a negative dim counts from the end. */
static cvp_status join(cvp_value *out, cvp_call *call, bool stack)
{
    const cvp_tensor_struct *items[CVP_SEQUENCE_MAX];
    size_t count = 0;
    long dim = 0;
    cvp_status status = sequence_arg(call, 0, items, &count);
    if (status == CVP_OK)
        status = cvp_arg_long(call, 1, &dim);
    if (status != CVP_OK)
        return status;
    int rank = items[0]->rank + (stack ? 1 : 0);
    if (dim < -rank || dim >= rank || rank == 0)
        return cvp_call_fail(call, 1, "dim %ld is outside %d..%d for a result "
                             "of rank %d", dim, -rank, rank - 1, rank);
    if (dim < 0)
        dim += rank;
    cvp_error kernel_error;
    cvp_error_clear(&kernel_error);
    status = stack ? cvp_tensor_stack(out->tensor, items, count, (int)dim,
                                      &kernel_error)
                   : cvp_tensor_concat(out->tensor, items, count, (int)dim,
                                       &kernel_error);
    return cvp_call_finish_tensor(out, call, status, &kernel_error);
}

cvp_status cvp_builtin_concat(cvp_value *out, cvp_call *call)
{
    return join(out, call, false);
}

cvp_status cvp_builtin_stack(cvp_value *out, cvp_call *call)
{
    return join(out, call, true);
}

/* max(input, other) / min(input, other): elementwise with broadcasting
 * (torch.maximum / torch.minimum); max(input) / min(input): the largest
 * (smallest) entry.  Both go through the ring's order, so a tie is a
 * kink of grad and subgrad like a ReLU at 0. */
static cvp_status extreme(cvp_value *out, cvp_call *call, bool maximum)
{
    const cvp_tensor_struct *A, *B;
    cvp_status status = cvp_arg_tensor(call, 0, &A);
    if (status == CVP_OK)
        status = cvp_arg_optional_tensor(call, 1, &B);
    if (status != CVP_OK)
        return status;
    cvp_error kernel_error;
    cvp_error_clear(&kernel_error);
    if (B == NULL) {
        status = maximum ? cvp_tensor_max_all(out->tensor, A, &kernel_error)
                         : cvp_tensor_min_all(out->tensor, A, &kernel_error);
        return cvp_call_finish_tensor(out, call, status, &kernel_error);
    }
    cvp_tensor_t a, b;
    cvp_tensor_init(a);
    cvp_tensor_init(b);
    status = cvp_tensor_set(a, A, &kernel_error);
    if (status == CVP_OK)
        status = cvp_tensor_set(b, B, &kernel_error);
    if (status == CVP_OK)
        status = cvp_eval_unify_rings(a, b, &kernel_error);
    if (status == CVP_OK)
        status = maximum ? cvp_tensor_maximum(out->tensor, a, b, &kernel_error)
                         : cvp_tensor_minimum(out->tensor, a, b, &kernel_error);
    cvp_tensor_clear(a);
    cvp_tensor_clear(b);
    return cvp_call_finish_tensor(out, call, status, &kernel_error);
}

cvp_status cvp_builtin_max(cvp_value *out, cvp_call *call)
{
    return extreme(out, call, true);
}

cvp_status cvp_builtin_min(cvp_value *out, cvp_call *call)
{
    return extreme(out, call, false);
}

cvp_status cvp_builtin_abs(cvp_value *out, cvp_call *call)
{
    const cvp_tensor_struct *X;
    cvp_status status = cvp_arg_tensor(call, 0, &X);
    if (status != CVP_OK)
        return status;
    cvp_error kernel_error;
    cvp_error_clear(&kernel_error);
    status = cvp_tensor_absolute(out->tensor, X, &kernel_error);
    return cvp_call_finish_tensor(out, call, status, &kernel_error);
}

/* floordiv(input, other), also written input // other: Python's floor
 * division, elementwise with broadcasting, of rational tensors (a dim, a
 * literal, an input under the exact method); the floor is not a
 * polynomial, so in other rings it is unsupported.  A zero entry of
 * other is an error naming the entry. */
cvp_status cvp_builtin_floordiv(cvp_value *out, cvp_call *call)
{
    for (int p = 0; p < 2; p++) {
        cvp_value *v = &call->args[p];
        if (v->kind != CVP_VALUE_TENSOR)
            return cvp_call_fail(call, p, "argument '%s' must be a tensor",
                                 cvp_arg_name(call, p));
        if (v->tensor->ring != &cvp_ring_q)
            return cvp_lang_error_set(call->context->err, CVP_ERR_UNSUPPORTED,
                                      call->context->source_name,
                                      call->node->pos, "floordiv: '//' of "
                                      "values that depend on the inputs is "
                                      "not a polynomial operation");
    }
    cvp_tensor_ptr a = call->args[0].tensor, b = call->args[1].tensor;
    for (size_t k = 0; k < b->size; k++) {
        mpq_ptr entry = cvp_tensor_at(b, k);
        if (mpq_sgn(entry) == 0) {
            char where[128];
            cvp_entry_format(where, sizeof where, "", b->rank, b->shape, k);
            /* undefined at this point, as for '/' (eval.c) */
            cvp_call_fail(call, 1, "division by zero%s%s",
                          b->rank ? ": entry " : "", b->rank ? where : "");
            call->context->err->status = CVP_ERR_UNDEFINED;
            return CVP_ERR_UNDEFINED;
        }
        mpq_inv(entry, entry);
    }
    cvp_error kernel_error;
    cvp_error_clear(&kernel_error);
    cvp_status status = cvp_tensor_mul(out->tensor, a, b, &kernel_error);
    for (size_t k = 0; status == CVP_OK && k < out->tensor->size; k++) {
        mpq_ptr q = cvp_tensor_at(out->tensor, k);
        mpz_fdiv_q(mpq_numref(q), mpq_numref(q), mpq_denref(q));
        mpz_set_ui(mpq_denref(q), 1);
    }
    return cvp_call_finish_tensor(out, call, status, &kernel_error);
}
