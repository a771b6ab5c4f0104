/* builtins_conv.c -- handlers of conv2d, conv_transpose2d and the conv
 * layer's backward formulas (kernel/conv2d.h, kernel/conv2d_backward.h).
 *
 * Shape compatibility of the tensors is checked by the kernel, whose
 * messages name the dimension and the argument; hyper-parameters are
 * checked here so a bad one is reported at its own column.
 */
#include "eval/builtins_impl.h"

#include "fast/fast.h"
#include "kernel/conv2d_backward.h"
#include "kernel/sparse.h"

/* Positions of the hyper-parameters of one function; -1 when absent. */
typedef struct {
    int stride, padding, dilation, groups, output_padding;
} conv_param_slots;

/* conv2d and the backward formulas share this order. */
static const conv_param_slots conv2d_slots = {3, 4, 5, 6, -1};
/* The explicit matrices take (input, weight, stride, ...). */
static const conv_param_slots matrix_slots = {2, 3, 4, 5, -1};
/* conv_transpose2d follows PyTorch's argument order. */
static const conv_param_slots transpose_slots = {3, 4, 7, 6, 5};

static cvp_status read_params(cvp_conv2d_params *params, cvp_call *call,
                              const conv_param_slots *slots)
{
    *params = cvp_conv2d_params_default();
    cvp_status status;
    if ((status = cvp_arg_pair(call, slots->stride, 1, params->stride))
            != CVP_OK
        || (status = cvp_arg_pair(call, slots->padding, 0, params->padding))
               != CVP_OK
        || (status = cvp_arg_pair(call, slots->dilation, 1,
                                  params->dilation)) != CVP_OK
        || (status = cvp_arg_size(call, slots->groups, 1, &params->groups))
               != CVP_OK)
        return status;
    if (slots->output_padding >= 0)
        status = cvp_arg_pair(call, slots->output_padding, 0,
                              params->output_padding);
    return status;
}

cvp_status cvp_builtin_conv2d(cvp_value *out, cvp_call *call)
{
    const cvp_tensor_struct *X, *K, *bias;
    cvp_conv2d_params params;
    cvp_status status;
    if ((status = cvp_arg_tensor(call, 0, &X)) != CVP_OK
        || (status = cvp_arg_tensor(call, 1, &K)) != CVP_OK
        || (status = cvp_arg_optional_tensor(call, 2, &bias)) != CVP_OK
        || (status = read_params(&params, call, &conv2d_slots)) != CVP_OK)
        return status;
    cvp_error kernel_error;
    cvp_error_clear(&kernel_error);
    /* The fast kernels give the definitional result exactly (fast/fast.h)
     * and hand everything they do not cover to the kernel. */
    status = cvp_fast_conv2d(out->tensor, X, K, bias, &params, NULL,
                             &kernel_error);
    return cvp_call_finish_tensor(out, call, status, &kernel_error);
}

cvp_status cvp_builtin_conv_transpose2d(cvp_value *out, cvp_call *call)
{
    const cvp_tensor_struct *X, *K, *bias;
    cvp_conv2d_params params;
    cvp_status status;
    if ((status = cvp_arg_tensor(call, 0, &X)) != CVP_OK
        || (status = cvp_arg_tensor(call, 1, &K)) != CVP_OK
        || (status = cvp_arg_optional_tensor(call, 2, &bias)) != CVP_OK
        || (status = read_params(&params, call, &transpose_slots)) != CVP_OK)
        return status;
    cvp_error kernel_error;
    cvp_error_clear(&kernel_error);
    status = cvp_conv_transpose2d(out->tensor, X, K, bias, &params,
                                  &kernel_error);
    return cvp_call_finish_tensor(out, call, status, &kernel_error);
}

/* The input and weight gradients take the same arguments. */
typedef cvp_status (*backward_fn)(cvp_tensor_t, const cvp_tensor_t,
                                  const cvp_tensor_t, const cvp_tensor_t,
                                  const cvp_conv2d_params *, cvp_error *);

static cvp_status backward(cvp_value *out, cvp_call *call, backward_fn fn)
{
    const cvp_tensor_struct *X, *K, *G;
    cvp_conv2d_params params;
    cvp_status status;
    if ((status = cvp_arg_tensor(call, 0, &X)) != CVP_OK
        || (status = cvp_arg_tensor(call, 1, &K)) != CVP_OK
        || (status = cvp_arg_tensor(call, 2, &G)) != CVP_OK
        || (status = read_params(&params, call, &conv2d_slots)) != CVP_OK)
        return status;
    cvp_error kernel_error;
    cvp_error_clear(&kernel_error);
    status = fn(out->tensor, X, K, G, &params, &kernel_error);
    return cvp_call_finish_tensor(out, call, status, &kernel_error);
}

static cvp_status fast_backward_input(cvp_tensor_t out, const cvp_tensor_t X,
                                      const cvp_tensor_t K, const cvp_tensor_t G,
                                      const cvp_conv2d_params *params,
                                      cvp_error *err)
{
    return cvp_fast_conv2d_backward_input(out, X, K, G, params, NULL, err);
}

static cvp_status fast_backward_weight(cvp_tensor_t out, const cvp_tensor_t X,
                                       const cvp_tensor_t K, const cvp_tensor_t G,
                                       const cvp_conv2d_params *params,
                                       cvp_error *err)
{
    return cvp_fast_conv2d_backward_weight(out, X, K, G, params, NULL, err);
}

cvp_status cvp_builtin_conv2d_backward_input(cvp_value *out, cvp_call *call)
{
    return backward(out, call, fast_backward_input);
}

cvp_status cvp_builtin_conv2d_backward_weight(cvp_value *out, cvp_call *call)
{
    return backward(out, call, fast_backward_weight);
}

cvp_status cvp_builtin_conv2d_backward_bias(cvp_value *out, cvp_call *call)
{
    const cvp_tensor_struct *G;
    cvp_status status = cvp_arg_tensor(call, 0, &G);
    if (status != CVP_OK)
        return status;
    cvp_error kernel_error;
    cvp_error_clear(&kernel_error);
    status = cvp_conv2d_backward_bias(out->tensor, G, &kernel_error);
    return cvp_call_finish_tensor(out, call, status, &kernel_error);
}

/* The explicit matrices of conv2d (exercise 5-7), returned dense so that
 * they combine with transpose, @ and ==. */
typedef cvp_status (*matrix_fn)(cvp_sparse_t, const cvp_tensor_t,
                                const cvp_tensor_t, const cvp_conv2d_params *,
                                cvp_error *);

static cvp_status conv_matrix(cvp_value *out, cvp_call *call, matrix_fn fn,
                              bool in_input)
{
    const cvp_tensor_struct *X, *K;
    cvp_conv2d_params params;
    cvp_status status;
    if ((status = cvp_arg_tensor(call, 0, &X)) != CVP_OK
        || (status = cvp_arg_tensor(call, 1, &K)) != CVP_OK
        || (status = read_params(&params, call, &matrix_slots)) != CVP_OK)
        return status;
    cvp_error kernel_error;
    cvp_error_clear(&kernel_error);
    /* The dense result's size limit first: the sparse matrix behind a
     * dense one past --max-entries can itself take gigabytes to build. */
    cvp_conv2d_dims d;
    if (cvp_conv2d_check(&d, "conv2d matrix", X, K, NULL, &params, NULL)
        == CVP_OK) {
        size_t shape[2] = {d.O, in_input ? X->size : K->size};
        size_t rows;
        size_t dims[3] = {d.N, d.Ho, d.Wo};
        if ((status = cvp_shape_size(&rows, 3, dims, NULL)) == CVP_OK
            && (rows == 0 || d.O <= SIZE_MAX / rows)) {
            shape[0] = rows * d.O;
            size_t size;
            status = cvp_shape_size(&size, 2, shape, &kernel_error);
            if (status != CVP_OK)
                return cvp_call_finish_tensor(out, call, status,
                                              &kernel_error);
        }
    }
    if (X->ring->shape_only) {
        /* mults() and size(): the matrix's shape, and no multiplication
         * (its entries are copies of K's or X's), as the cost model has
         * it; the check above has passed the size limit */
        size_t dims[4], shape[2] = {0, in_input ? X->size : K->size};
        status = cvp_conv2d_check(&d, "conv2d matrix", X, K, NULL, &params,
                                  &kernel_error);
        if (status == CVP_OK) {
            dims[0] = d.N, dims[1] = d.O, dims[2] = d.Ho, dims[3] = d.Wo;
            status = cvp_shape_size(&shape[0], 4, dims, &kernel_error);
        }
        if (status == CVP_OK) {
            cvp_tensor_set_ring(out->tensor, X->ring);
            status = cvp_tensor_resize(out->tensor, 2, shape, &kernel_error);
        }
        return cvp_call_finish_tensor(out, call, status, &kernel_error);
    }
    cvp_sparse_t C;
    cvp_sparse_init(C, 0, 0);
    status = fn(C, X, K, &params, &kernel_error);
    if (status == CVP_OK)
        status = cvp_sparse_to_dense(out->tensor, C, &kernel_error);
    cvp_sparse_clear(C);
    return cvp_call_finish_tensor(out, call, status, &kernel_error);
}

cvp_status cvp_builtin_conv2d_matrix_input(cvp_value *out, cvp_call *call)
{
    return conv_matrix(out, call, cvp_fast_conv2d_matrix_input, true);
}

cvp_status cvp_builtin_conv2d_matrix_weight(cvp_value *out, cvp_call *call)
{
    return conv_matrix(out, call, cvp_fast_conv2d_matrix_weight, false);
}
