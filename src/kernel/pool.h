/* pool.h -- pooling and ReLU with PyTorch semantics, forward and backward
 * (part of the trusted kernel).
 *
 * Inputs NCHW or CHW; pooling acts on the last two axes.  Window (i, j)
 * covers rows i*sh - ph + u*dh (u < kH) and columns j*sw - pw + v*dw.
 * Positions outside the input are padding: ignored by max pooling, zeros
 * for average pooling with count_include_pad.  A window lying entirely in
 * the padding (possible with dilation, or an empty input) is CVP_ERR_INPUT.
 *
 * Aliasing: the output may be any input.
 */
#ifndef CVP_POOL_H
#define CVP_POOL_H

#include <stdbool.h>

#include "kernel/tensor.h"

typedef struct {
    size_t kernel[2];          /* >= 1 */
    size_t stride[2];          /* >= 1 (PyTorch's default is the kernel) */
    size_t padding[2];         /* at most kernel/2 */
    size_t dilation[2];        /* max pooling only; >= 1 */
    bool ceil_mode;            /* round the output size up */
    bool count_include_pad;    /* average pooling: divide by the full window */
    long divisor_override;     /* average pooling: 0 = none, else > 0 */
} cvp_pool2d_params;

/* kernel kh x kw, stride = kernel, no padding, dilation 1, floor mode,
 * count_include_pad = true (the PyTorch defaults). */
cvp_pool2d_params cvp_pool2d_params_default(size_t kh, size_t kw);

/* Output size of one axis (PyTorch's rule, including ceil_mode's rule
 * that the last window must start inside the input or left padding). */
cvp_status cvp_pool2d_out_dim(size_t *out, size_t in, size_t k, size_t stride,
                              size_t pad, size_t dil, bool ceil_mode,
                              const char *axis_name, cvp_error *err);

/* Y[.., i, j] = max of the window's positions inside X. */
cvp_status cvp_max_pool2d(cvp_tensor_t out, const cvp_tensor_t X,
                          const cvp_pool2d_params *params, cvp_error *err);

/* Y[.., i, j] = (sum of the window's positions inside X) / divisor, the
 * divisor being divisor_override if set, else the window size clipped to
 * the padded input (count_include_pad) or to the input itself. */
cvp_status cvp_avg_pool2d(cvp_tensor_t out, const cvp_tensor_t X,
                          const cvp_pool2d_params *params, cvp_error *err);

/* dL/dX for max pooling: each window's G goes to the first maximum of the
 * window in row-major order (PyTorch's rule); overlapping windows add. */
cvp_status cvp_max_pool2d_backward(cvp_tensor_t out, const cvp_tensor_t X,
                                   const cvp_tensor_t G,
                                   const cvp_pool2d_params *params,
                                   cvp_error *err);

/* Other rules for tied maxima, for checking them against the set of the
 * active pieces' gradients (eval/subgrad.h): SPLIT gives each of the
 * window's maxima an equal share of its G (the average of the pieces);
 * ALL gives every maximum the whole G (what `mask = x == max(x)` code
 * does; not a gradient of any piece when there is a tie). */
typedef enum { CVP_TIES_SPLIT, CVP_TIES_ALL } cvp_pool_ties;

cvp_status cvp_max_pool2d_backward_ties(cvp_tensor_t out, const cvp_tensor_t X,
                                        const cvp_tensor_t G,
                                        const cvp_pool2d_params *params,
                                        cvp_pool_ties ties, cvp_error *err);

/* dL/dX for average pooling: each window's G / divisor goes to every
 * position of the window inside X. */
cvp_status cvp_avg_pool2d_backward(cvp_tensor_t out, const cvp_tensor_t X,
                                   const cvp_tensor_t G,
                                   const cvp_pool2d_params *params,
                                   cvp_error *err);

/* Y = max(X, 0) elementwise. */
cvp_status cvp_relu(cvp_tensor_t out, const cvp_tensor_t X, cvp_error *err);

/* dL/dZ of relu(Z) given G = dL/d relu(Z): G where Z > 0, else 0 (the
 * rule of PyTorch and of the textbook, which takes relu'(0) = 0).  Z and
 * G have one shape; out may be G but not Z. */
cvp_status cvp_relu_backward(cvp_tensor_t out, const cvp_tensor_t Z,
                             const cvp_tensor_t G, cvp_error *err);

#endif
