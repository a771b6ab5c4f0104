/* conv2d_backward.h -- the textbook backpropagation formulas of a conv
 * layer, generalised to stride, padding, dilation and groups (part of the
 * trusted kernel).
 *
 * For Y = conv2d(X, K, bias) and an upstream gradient G = dL/dY (shape of
 * Y), these compute dL/dX, dL/dK and dL/dbias.  They are written the way
 * NNDL derives them -- dL/dX = rot180(K) (x)~ G on the stride-dilated G,
 * dL/dK = G (x) X -- not as the adjoint loop of conv2d, so that checking
 * them against the explicit matrix or against conv_transpose2d compares
 * two different derivations.
 *
 * Aliasing: the output may be any input.
 */
#ifndef CVP_CONV2D_BACKWARD_H
#define CVP_CONV2D_BACKWARD_H

#include "kernel/conv2d.h"

/* dL/dX, shape of X.  X is only used for its shape. */
cvp_status cvp_conv2d_backward_input(cvp_tensor_t out, const cvp_tensor_t X,
                                     const cvp_tensor_t K, const cvp_tensor_t G,
                                     const cvp_conv2d_params *params,
                                     cvp_error *err);

/* dL/dK, shape of K.  K is only used for its shape. */
cvp_status cvp_conv2d_backward_weight(cvp_tensor_t out, const cvp_tensor_t X,
                                      const cvp_tensor_t K,
                                      const cvp_tensor_t G,
                                      const cvp_conv2d_params *params,
                                      cvp_error *err);

/* dL/dbias[o] = sum over n, i, j of G[n, o, i, j]; shape [O]. */
cvp_status cvp_conv2d_backward_bias(cvp_tensor_t out, const cvp_tensor_t G,
                                    cvp_error *err);

#endif
