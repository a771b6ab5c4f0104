/* conv_matrix.c -- the explicit matrices of conv2d as a linear map of its
 * input and of its weights (exercise 5-7 of NNDL).
 *
 * Both run conv2d's loop nest, but instead of accumulating K * X into the
 * output entry they record the coefficient: row = flat index of the output
 * entry, column = flat index of the input (or weight) entry that the term
 * multiplies.  cvp_sparse_finish adds up terms that meet at one position
 * (e.g. a dilated kernel never does, a repeated input position would). */
#include "kernel/sparse.h"

#include <stdint.h>

/* Which argument the map is linear in. */
typedef enum { LINEAR_IN_INPUT, LINEAR_IN_WEIGHT } linear_arg;

static cvp_status conv2d_matrix(cvp_sparse_t C, const cvp_tensor_t X,
                                const cvp_tensor_t K,
                                const cvp_conv2d_params *p, linear_arg which,
                                cvp_error *err)
{
    cvp_conv2d_dims d;
    cvp_status st = cvp_conv2d_check(&d, "conv2d matrix", X, K, NULL, p, err);
    if (st != CVP_OK)
        return st;
    if (X->ring != &cvp_ring_q)
        return cvp_error_set(err, CVP_ERR_UNSUPPORTED,
                             "conv2d matrix: the tensors must be over Q, not %s",
                             X->ring->name);
    size_t out_size = d.N * d.O * d.Ho * d.Wo;
    cvp_sparse_clear(C);
    cvp_sparse_init(C, out_size, which == LINEAR_IN_INPUT ? X->size : K->size);
    const size_t Og = d.O / p->groups;
    for (size_t n = 0; n < d.N; n++)
        for (size_t o = 0; o < d.O; o++)
            for (size_t i = 0; i < d.Ho; i++)
                for (size_t j = 0; j < d.Wo; j++) {
                    size_t row = ((n * d.O + o) * d.Ho + i) * d.Wo + j;
                    for (size_t c = 0; c < d.Cg; c++)
                        for (size_t u = 0; u < d.kH; u++)
                            for (size_t v = 0; v < d.kW; v++) {
                                int64_t h = (int64_t)(i * p->stride[0] + u * p->dilation[0]) -
                                            (int64_t)p->padding[0];
                                int64_t w = (int64_t)(j * p->stride[1] + v * p->dilation[1]) -
                                            (int64_t)p->padding[1];
                                if (h < 0 || h >= (int64_t)d.H || w < 0 || w >= (int64_t)d.W)
                                    continue;
                                size_t xc = (o / Og) * d.Cg + c;
                                size_t xpos = ((n * d.C + xc) * d.H + (size_t)h) * d.W +
                                              (size_t)w;
                                size_t kpos = ((o * d.Cg + c) * d.kH + u) * d.kW + v;
                                if (which == LINEAR_IN_INPUT)
                                    st = cvp_sparse_append(C, row, xpos, cvp_tensor_at(K, kpos), err);
                                else
                                    st = cvp_sparse_append(C, row, kpos, cvp_tensor_at(X, xpos), err);
                                if (st != CVP_OK)
                                    return st;
                            }
                }
    return cvp_sparse_finish_or_fail(C, err);
}

cvp_status cvp_conv2d_matrix_input(cvp_sparse_t C, const cvp_tensor_t X,
                                   const cvp_tensor_t K,
                                   const cvp_conv2d_params *params,
                                   cvp_error *err)
{
    return conv2d_matrix(C, X, K, params, LINEAR_IN_INPUT, err);
}

cvp_status cvp_conv2d_matrix_weight(cvp_sparse_t C, const cvp_tensor_t X,
                                    const cvp_tensor_t K,
                                    const cvp_conv2d_params *params,
                                    cvp_error *err)
{
    return conv2d_matrix(C, X, K, params, LINEAR_IN_WEIGHT, err);
}
