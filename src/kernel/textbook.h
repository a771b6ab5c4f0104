/* textbook.h -- single-channel operators in the notation of NNDL chapter 5
 * (part of the trusted kernel).
 *
 * An image X is M x N, a kernel W is U x V; the kernel comes first.  Every
 * operator is one plain loop nest written from its formula; they are the
 * reference the rest of convproof is checked against, so clarity beats
 * speed.
 *
 * Operands are rank 2.  Rank 1 operands are accepted as 1 x N rows and the
 * result is rank 1 again, so 1-D examples read naturally.  The two operands
 * of xcorr/conv/wide must have the same rank.  For rot180, pad and dilate,
 * tensors of rank >= 2 are transformed on their last two axes (so an OIHW
 * kernel is rotated kernel by kernel).
 *
 * Aliasing: the output may be any input.
 */
#ifndef CVP_TEXTBOOK_H
#define CVP_TEXTBOOK_H

#include "kernel/tensor.h"

/* Valid cross-correlation  Y = W (x) X  with stride s and dilation d:
 *   Y[i, j] = sum_{u < U, v < V} W[u, v] * X[i*sh + u*dh, j*sw + v*dw],
 * output ((M - dh*(U-1) - 1) / sh + 1) x ((N - dw*(V-1) - 1) / sw + 1)
 * (floor division).  Strides and dilations must be >= 1; the dilated
 * kernel must fit inside X (else CVP_ERR_INPUT). */
cvp_status cvp_xcorr(cvp_tensor_t out, const cvp_tensor_t W,
                     const cvp_tensor_t X, size_t stride_h, size_t stride_w,
                     size_t dilation_h, size_t dilation_w, cvp_error *err);

/* Valid (flipped, "true") convolution  Y = W * X:
 *   Y[i, j] = sum_{u, v} W[u, v] * X[i + U-1-u, j + V-1-v],
 * output (M-U+1) x (N-V+1). */
cvp_status cvp_conv(cvp_tensor_t out, const cvp_tensor_t W,
                    const cvp_tensor_t X, cvp_error *err);

/* Wide cross-correlation  Y = W (x)~ X: the cross-correlation of W with X
 * zero-padded by U-1 rows and V-1 columns on each side,
 *   Y[i, j] = sum_{u, v} W[u, v] * Xp[i + u, j + v],
 *   Xp[a, b] = X[a-(U-1), b-(V-1)] inside X, else 0,
 * output (M+U-1) x (N+V-1). */
cvp_status cvp_wide(cvp_tensor_t out, const cvp_tensor_t W,
                    const cvp_tensor_t X, cvp_error *err);

/* Rotation by 180 degrees of the last two axes:
 *   Y[..., i, j] = X[..., M-1-i, N-1-j]   (rank 1: reversal). */
cvp_status cvp_rot180(cvp_tensor_t out, const cvp_tensor_t X, cvp_error *err);

/* Zero padding of the last two axes: `top` rows above, `bottom` below,
 * `left` columns before, `right` after.  Rank 1 pads its only axis with
 * left/right and requires top == bottom == 0. */
cvp_status cvp_pad(cvp_tensor_t out, const cvp_tensor_t X, size_t top,
                   size_t bottom, size_t left, size_t right, cvp_error *err);

/* Dilation of the last two axes: s-1 zeros between neighbouring entries,
 *   Y[..., i*sh, j*sw] = X[..., i, j], all other entries 0,
 * shape ((M-1)*sh + 1) x ((N-1)*sw + 1) (an empty axis stays empty).
 * Rank 1 uses sw only.  Factors must be >= 1. */
cvp_status cvp_dilate(cvp_tensor_t out, const cvp_tensor_t X, size_t sh,
                      size_t sw, cvp_error *err);

#endif
