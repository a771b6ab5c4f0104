"""A convolutional layer and pooling in NumPy, in the style of the common
course code (NHWC activations, HWIO kernels of shape (f, f, n_C_prev, n_C),
a bias of shape (1, 1, 1, n_C), explicit loops, padding by np.pad, the
gradient of the input cut back out of the padded array).

It is correct.  Typical bugs of such code can be switched on for testing
convproof itself, by name, in BUGS (numpy_course_adapter.py --bug NAME):

  pad_edge         the gradient is cut out of the padded array with
                   [pad:-pad], which is empty when pad == 0
  backward_stride  the backward pass forgets the stride when it places
                   the windows (vert_start = h instead of h * stride)
  max_ties         max pooling's backward pass gives the gradient to every
                   tied maximum of a window (mask = x == max(x)) instead of
                   to the first one
  avg_norm         average pooling's backward pass divides by f instead of
                   by the window's area f * f
"""
import numpy as np

KNOWN_BUGS = ("pad_edge", "backward_stride", "max_ties", "avg_norm")
BUGS = set()


def zero_pad(X, pad):
    """Pads the height and the width of a batch of NHWC images with zeros."""
    return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)),
                  mode="constant", constant_values=(0, 0))


def conv_single_step(a_slice_prev, W, b):
    """One output value: the window times one kernel, summed, plus the bias."""
    s = np.multiply(a_slice_prev, W)
    Z = np.sum(s)
    return Z + b.item()


def conv_forward(A_prev, W, b, hparameters):
    (m, n_H_prev, n_W_prev, n_C_prev) = A_prev.shape
    (f, f, n_C_prev, n_C) = W.shape
    stride = hparameters["stride"]
    pad = hparameters["pad"]
    n_H = int((n_H_prev - f + 2 * pad) / stride) + 1
    n_W = int((n_W_prev - f + 2 * pad) / stride) + 1
    Z = np.zeros((m, n_H, n_W, n_C))
    A_prev_pad = zero_pad(A_prev, pad)
    for i in range(m):
        a_prev_pad = A_prev_pad[i]
        for h in range(n_H):
            vert_start = h * stride
            vert_end = vert_start + f
            for w in range(n_W):
                horiz_start = w * stride
                horiz_end = horiz_start + f
                for c in range(n_C):
                    a_slice_prev = a_prev_pad[vert_start:vert_end,
                                              horiz_start:horiz_end, :]
                    Z[i, h, w, c] = conv_single_step(a_slice_prev, W[:, :, :, c],
                                                     b[:, :, :, c])
    cache = (A_prev, W, b, hparameters)
    return Z, cache


def conv_backward(dZ, cache):
    (A_prev, W, b, hparameters) = cache
    (m, n_H_prev, n_W_prev, n_C_prev) = A_prev.shape
    (f, f, n_C_prev, n_C) = W.shape
    stride = hparameters["stride"]
    pad = hparameters["pad"]
    (m, n_H, n_W, n_C) = dZ.shape
    dA_prev = np.zeros(A_prev.shape)
    dW = np.zeros(W.shape)
    db = np.zeros(b.shape)
    A_prev_pad = zero_pad(A_prev, pad)
    dA_prev_pad = zero_pad(dA_prev, pad)
    step = 1 if "backward_stride" in BUGS else stride
    for i in range(m):
        a_prev_pad = A_prev_pad[i]
        da_prev_pad = dA_prev_pad[i]
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    vert_start = h * step
                    vert_end = vert_start + f
                    horiz_start = w * step
                    horiz_end = horiz_start + f
                    a_slice = a_prev_pad[vert_start:vert_end,
                                         horiz_start:horiz_end, :]
                    da_prev_pad[vert_start:vert_end, horiz_start:horiz_end, :] \
                        += W[:, :, :, c] * dZ[i, h, w, c]
                    dW[:, :, :, c] += a_slice * dZ[i, h, w, c]
                    db[:, :, :, c] += dZ[i, h, w, c]
        if "pad_edge" in BUGS:
            dA_prev[i, :, :, :] = da_prev_pad[pad:-pad, pad:-pad, :]
        else:
            dA_prev[i, :, :, :] = da_prev_pad[pad:pad + n_H_prev,
                                              pad:pad + n_W_prev, :]
    return dA_prev, dW, db


def pool_forward(A_prev, hparameters, mode="max"):
    (m, n_H_prev, n_W_prev, n_C_prev) = A_prev.shape
    f = hparameters["f"]
    stride = hparameters["stride"]
    n_H = int(1 + (n_H_prev - f) / stride)
    n_W = int(1 + (n_W_prev - f) / stride)
    n_C = n_C_prev
    A = np.zeros((m, n_H, n_W, n_C))
    for i in range(m):
        for h in range(n_H):
            vert_start = h * stride
            vert_end = vert_start + f
            for w in range(n_W):
                horiz_start = w * stride
                horiz_end = horiz_start + f
                for c in range(n_C):
                    a_prev_slice = A_prev[i, vert_start:vert_end,
                                          horiz_start:horiz_end, c]
                    if mode == "max":
                        A[i, h, w, c] = np.max(a_prev_slice)
                    elif mode == "average":
                        A[i, h, w, c] = np.mean(a_prev_slice)
    cache = (A_prev, hparameters)
    return A, cache


def create_mask_from_window(x):
    """True at the entry of the window that received the maximum."""
    if "max_ties" in BUGS:
        return x == np.max(x)
    mask = np.zeros(x.shape, dtype=bool)
    mask.flat[np.argmax(x)] = True     # the first maximum, row-major
    return mask


def distribute_value(dz, shape):
    """Spreads dz evenly over a window of the given shape."""
    (n_H, n_W) = shape
    if "avg_norm" in BUGS:
        average = dz / n_H
    else:
        average = dz / (n_H * n_W)
    return np.ones(shape) * average


def pool_backward(dA, cache, mode="max"):
    (A_prev, hparameters) = cache
    stride = hparameters["stride"]
    f = hparameters["f"]
    m, n_H_prev, n_W_prev, n_C_prev = A_prev.shape
    m, n_H, n_W, n_C = dA.shape
    dA_prev = np.zeros(A_prev.shape)
    for i in range(m):
        a_prev = A_prev[i]
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    vert_start = h * stride
                    vert_end = vert_start + f
                    horiz_start = w * stride
                    horiz_end = horiz_start + f
                    if mode == "max":
                        a_prev_slice = a_prev[vert_start:vert_end,
                                              horiz_start:horiz_end, c]
                        mask = create_mask_from_window(a_prev_slice)
                        dA_prev[i, vert_start:vert_end, horiz_start:horiz_end, c] \
                            += mask * dA[i, h, w, c]
                    elif mode == "average":
                        da = dA[i, h, w, c]
                        dA_prev[i, vert_start:vert_end, horiz_start:horiz_end, c] \
                            += distribute_value(da, (f, f))
    return dA_prev
