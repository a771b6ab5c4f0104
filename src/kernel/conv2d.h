/* conv2d.h -- framework-notation convolution with PyTorch semantics
 * (part of the trusted kernel).
 *
 * Layout: inputs NCHW (or CHW, unbatched), kernels OIHW, bias [O].  Like
 * torch.nn.functional.conv2d these are cross-correlations.  Each operator
 * is one plain loop nest written from its formula.
 *
 * Aliasing: the output may be any input.
 */
#ifndef CVP_CONV2D_H
#define CVP_CONV2D_H

#include <stdbool.h>

#include "kernel/tensor.h"

/* Hyper-parameters of conv2d and conv_transpose2d; index 0 is height,
 * index 1 is width.  Use cvp_conv2d_params_default() and override. */
typedef struct {
    size_t stride[2];          /* >= 1 */
    size_t padding[2];         /* zero padding on both sides */
    size_t dilation[2];        /* >= 1 */
    size_t output_padding[2];  /* conv_transpose2d only */
    size_t groups;             /* >= 1, divides both channel counts */
} cvp_conv2d_params;

cvp_conv2d_params cvp_conv2d_params_default(void);

/* Output size of one spatial axis of conv2d:
 *   (in + 2*pad - dil*(k-1) - 1) / stride + 1  (floor),
 * or CVP_ERR_INPUT when that is below 1. */
cvp_status cvp_conv2d_out_dim(size_t *out, size_t in, size_t k, size_t stride,
                              size_t pad, size_t dil, const char *axis_name,
                              cvp_error *err);

/* The checked shapes of a conv2d layer, viewed as batched (N = 1 for an
 * unbatched CHW input). */
typedef struct {
    bool batched;
    size_t N, C, H, W;     /* input */
    size_t O, Cg, kH, kW;  /* weight: O x Cg x kH x kW, Cg = C / groups */
    size_t Ho, Wo;         /* output spatial size */
} cvp_conv2d_dims;

/* Checks that X, K (and bias, may be NULL) fit together under params and
 * computes the dims; every shape error of conv2d comes from here, naming
 * the argument and dimension at fault.  `name` prefixes the messages. */
cvp_status cvp_conv2d_check(cvp_conv2d_dims *dims, const char *name,
                            const cvp_tensor_t X, const cvp_tensor_t K,
                            const cvp_tensor_struct *bias,
                            const cvp_conv2d_params *params, cvp_error *err);

/* Y[n, o, i, j] = bias[o] + sum_{c', u, v} K[o, c', u, v]
 *                 * Xp[n, g*Cg + c', i*sh + u*dh, j*sw + v*dw]
 * where g = o / (O/groups), Cg = C/groups and Xp is X zero-padded by
 * padding[0] rows and padding[1] columns on each side.
 * X: [N, C, H, W] or [C, H, W]; K: [O, C/groups, kH, kW]; bias: [O] or
 * NULL.  Output [N, O, Ho, Wo] (or [O, Ho, Wo] for unbatched X). */
cvp_status cvp_conv2d(cvp_tensor_t out, const cvp_tensor_t X,
                      const cvp_tensor_t K, const cvp_tensor_struct *bias,
                      const cvp_conv2d_params *params, cvp_error *err);

/* Transposed convolution (the adjoint of conv2d in its input, plus bias):
 *   Y[n, g*Og + o', i*sh + u*dh - ph, j*sw + v*dw - pw]
 *       += X[n, g*Cg + c', i, j] * K[g*Cg + c', o', u, v]
 * for every position that falls inside Y, then Y[n, o, :, :] += bias[o].
 * X: [N, C, H, W] or [C, H, W]; K: [C, O/groups, kH, kW]; bias [O] or NULL.
 * Output height (H-1)*sh - 2*ph + dh*(kH-1) + output_padding[0] + 1 (and
 * likewise the width); output_padding must be smaller than the stride or
 * the dilation of its axis, as in PyTorch. */
cvp_status cvp_conv_transpose2d(cvp_tensor_t out, const cvp_tensor_t X,
                                const cvp_tensor_t K,
                                const cvp_tensor_struct *bias,
                                const cvp_conv2d_params *params,
                                cvp_error *err);

#endif
