/* conv_nd.h -- conv1d and conv3d with PyTorch semantics (part of the
 * trusted kernel), the one- and three-dimensional siblings of conv2d
 * (kernel/conv2d.h).  Cross-correlations, like torch.nn.functional.conv1d
 * and conv3d; each is one plain loop nest written from its formula.
 *
 * Layout: conv1d input [N, C, L] or [C, L], weight [O, C/groups, kL];
 * conv3d input [N, C, D, H, W] or [C, D, H, W], weight
 * [O, C/groups, kD, kH, kW]; bias [O] or NULL.  Output size on each
 * spatial axis: (in + 2*pad - dil*(k-1) - 1) / stride + 1 (floor).
 *
 * Aliasing: the output may be any input.
 */
#ifndef CVP_CONV_ND_H
#define CVP_CONV_ND_H

#include "kernel/tensor.h"

/* Hyper-parameters per spatial axis (conv1d uses index 0 only, conv3d
 * indices 0, 1, 2 for depth, height, width). */
typedef struct {
    size_t stride[3];     /* >= 1 */
    size_t padding[3];    /* zero padding on both sides */
    size_t dilation[3];   /* >= 1 */
    size_t groups;        /* >= 1, divides both channel counts */
} cvp_conv_nd_params;

cvp_conv_nd_params cvp_conv_nd_params_default(void);

/* Y[n, o, l] = bias[o] + sum_{c', k} K[o, c', k] * Xp[n, g*Cg + c', l*s + k*d]
 * with g = o / (O/groups), Cg = C/groups, Xp zero-padded by `pad`. */
cvp_status cvp_conv1d(cvp_tensor_t out, const cvp_tensor_t X,
                      const cvp_tensor_t K, const cvp_tensor_struct *bias,
                      const cvp_conv_nd_params *params, cvp_error *err);

/* Y[n, o, a, b, c] = bias[o] + sum_{c', u, v, w} K[o, c', u, v, w]
 *                    * Xp[n, g*Cg + c', a*sD + u*dD, b*sH + v*dH, c*sW + w*dW] */
cvp_status cvp_conv3d(cvp_tensor_t out, const cvp_tensor_t X,
                      const cvp_tensor_t K, const cvp_tensor_struct *bias,
                      const cvp_conv_nd_params *params, cvp_error *err);

#endif
