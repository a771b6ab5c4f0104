/* pool.c -- max and average pooling (forward and backward) and ReLU, with
 * PyTorch's semantics for padding, ceil_mode and the average's divisor.
 * The window arithmetic is shared: window_rows/window_cols give the range
 * of positions a window covers, and every operator loops over it. */
#include "kernel/pool.h"
#include "kernel/alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ELEM(t, k) cvp_tensor_elem((t), (k))

#define PARAM_MAX ((size_t)1 << 24)

cvp_pool2d_params cvp_pool2d_params_default(size_t kh, size_t kw)
{
    cvp_pool2d_params p;
    memset(&p, 0, sizeof p);
    p.kernel[0] = kh;
    p.kernel[1] = kw;
    p.stride[0] = kh;
    p.stride[1] = kw;
    p.dilation[0] = p.dilation[1] = 1;
    p.count_include_pad = true;
    return p;
}

cvp_status cvp_pool2d_out_dim(size_t *out, size_t in, size_t k, size_t stride,
                              size_t pad, size_t dil, bool ceil_mode,
                              const char *axis_name, cvp_error *err)
{
    /* PyTorch's pooling_output_shape: floor((span + (ceil ? s - 1 : 0)) / s)
     * + 1, the division rounding towards minus infinity.  In ceil mode
     * the span may be negative: a window larger than the (padded) input
     * still gives one output, over the positions it covers (2 x 2 input,
     * kernel 3, stride 3: one window, clipped to the input). */
    int64_t span = (int64_t)in + 2 * (int64_t)pad - (int64_t)dil * ((int64_t)k - 1) - 1;
    int64_t s = (int64_t)stride;
    int64_t num = span + (ceil_mode ? s - 1 : 0);
    int64_t size = (num >= 0 ? num / s : -((-num + s - 1) / s)) + 1;
    /* In ceil mode the last window must start inside the input or the left
     * padding; one starting in the right padding is dropped. */
    if (ceil_mode && size > 0 && (size - 1) * s >= (int64_t)in + (int64_t)pad)
        size--;
    if (size < 1)
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "output %s would be empty: input %s %zu with padding %zu "
                             "is smaller than the window (%zu with dilation %zu)",
                             axis_name, axis_name, in, pad, k, dil);
    *out = (size_t)size;
    return CVP_OK;
}

/* Whether window i along one axis reads a position inside the input. */
static bool window_meets_input(size_t i, size_t in, size_t k, size_t stride,
                               size_t pad, size_t dil)
{
    for (size_t u = 0; u < k; u++) {
        int64_t pos = (int64_t)(i * stride + u * dil) - (int64_t)pad;
        if (pos >= 0 && pos < (int64_t)in)
            return true;
    }
    return false;
}

/* Shared shape checks; fills (stack, H, W, Ho, Wo) where stack is the
 * product of the leading axes. */
typedef struct {
    size_t stack, H, W, Ho, Wo;
} pool_dims;

static cvp_status pool_setup(pool_dims *d, const char *name, const cvp_tensor_t X,
                             const cvp_pool2d_params *p, bool is_max,
                             cvp_error *err)
{
    if (X->rank != 3 && X->rank != 4)
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "%s: the input must have rank 4 (N, C, H, W) or 3 (C, H, "
                             "W); it has rank %d", name, X->rank);
    if (is_max && X->ring->cmp == NULL)
        return cvp_error_set(err, CVP_ERR_UNSUPPORTED,
                             "%s: needs an ordered ring, and %s is not (a maximum is "
                             "not a polynomial)", name, X->ring->name);
    for (int a = 0; a < 2; a++) {
        const char *axis = a == 0 ? "height" : "width";
        if (p->kernel[a] < 1 || p->stride[a] < 1 || p->dilation[a] < 1)
            return cvp_error_set(err, CVP_ERR_INPUT,
                                 "%s: kernel size, stride and dilation must be at "
                                 "least 1", name);
        if (p->kernel[a] > PARAM_MAX || p->stride[a] > PARAM_MAX ||
            p->dilation[a] > PARAM_MAX || p->padding[a] > PARAM_MAX)
            return cvp_error_set(err, CVP_ERR_INPUT,
                                 "%s: kernel size, stride, padding or dilation above %zu",
                                 name, PARAM_MAX);
        if (p->padding[a] > p->kernel[a] / 2)
            return cvp_error_set(err, CVP_ERR_INPUT,
                                 "%s: padding (%zu) along the %s must be at most half "
                                 "the kernel size (%zu)", name, p->padding[a], axis,
                                 p->kernel[a]);
        if (!is_max && p->dilation[a] != 1)
            return cvp_error_set(err, CVP_ERR_INPUT,
                                 "%s: average pooling has no dilation", name);
    }
    if (!is_max && p->divisor_override < 0)
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "%s: divisor_override must be positive", name);
    d->H = X->shape[X->rank - 2];
    d->W = X->shape[X->rank - 1];
    d->stack = 1;
    for (int k = 0; k + 2 < X->rank; k++)
        d->stack *= X->shape[k];
    cvp_status st = cvp_pool2d_out_dim(&d->Ho, d->H, p->kernel[0], p->stride[0],
                                       p->padding[0], p->dilation[0], p->ceil_mode,
                                       "height", err);
    if (st == CVP_OK)
        st = cvp_pool2d_out_dim(&d->Wo, d->W, p->kernel[1], p->stride[1],
                                p->padding[1], p->dilation[1], p->ceil_mode, "width",
                                err);
    /* Every window must read at least one input position: with dilation
     * one can straddle the input (H=2, k=2, d=3, p=1 reads rows -1 and 2),
     * and an empty input meets none.  Such a window has no maximum and no
     * in-bounds divisor (PyTorch gives -inf or divides by zero). */
    for (int a = 0; st == CVP_OK && a < 2; a++) {
        size_t n = a == 0 ? d->Ho : d->Wo, in = a == 0 ? d->H : d->W;
        for (size_t i = 0; i < n; i++)
            if (!window_meets_input(i, in, p->kernel[a], p->stride[a], p->padding[a],
                                    p->dilation[a])) {
                st = cvp_error_set(err, CVP_ERR_INPUT,
                                   "window %zu along the %s lies entirely in the "
                                   "padding (input %zu, kernel %zu, stride %zu, "
                                   "padding %zu, dilation %zu)",
                                   i, a == 0 ? "height" : "width", in, p->kernel[a],
                                   p->stride[a], p->padding[a], p->dilation[a]);
                break;
            }
    }
    if (st != CVP_OK)
        cvp_error_prefix(err, "%s", name);
    return st;
}

static cvp_status resize_pooled(cvp_tensor_t Y, const cvp_tensor_t X,
                                const pool_dims *d, cvp_error *err)
{
    size_t shape[CVP_MAX_RANK];
    memcpy(shape, X->shape, sizeof shape);
    shape[X->rank - 2] = d->Ho;
    shape[X->rank - 1] = d->Wo;
    return cvp_tensor_resize(Y, X->rank, shape, err);
}

static cvp_status check_grad_shape(const char *name, const cvp_tensor_t X,
                                   const cvp_tensor_t G, const pool_dims *d,
                                   cvp_error *err)
{
    cvp_status st = cvp_tensor_check_ring(name, X, G, err);
    if (st != CVP_OK)
        return st;
    bool ok = G->rank == X->rank;
    for (int k = 0; ok && k + 2 < X->rank; k++)
        ok = G->shape[k] == X->shape[k];
    ok = ok && G->shape[X->rank - 2] == d->Ho && G->shape[X->rank - 1] == d->Wo;
    if (!ok) {
        char want[256], got[256];
        size_t shape[CVP_MAX_RANK];
        memcpy(shape, X->shape, sizeof shape);
        shape[X->rank - 2] = d->Ho;
        shape[X->rank - 1] = d->Wo;
        cvp_shape_format(want, sizeof want, X->rank, shape);
        cvp_shape_format(got, sizeof got, G->rank, G->shape);
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "%s: the gradient G has shape %s but the pooled output has "
                             "shape %s", name, got, want);
    }
    return CVP_OK;
}

/* Offset within one H x W plane of window (i, j)'s position (u, v), or -1
 * when that position lies in the padding. */
static int64_t window_pos(const pool_dims *d, const cvp_pool2d_params *p,
                          size_t i, size_t j, size_t u, size_t v)
{
    int64_t h = (int64_t)(i * p->stride[0] + u * p->dilation[0]) - (int64_t)p->padding[0];
    int64_t w = (int64_t)(j * p->stride[1] + v * p->dilation[1]) - (int64_t)p->padding[1];
    if (h < 0 || h >= (int64_t)d->H || w < 0 || w >= (int64_t)d->W)
        return -1;
    return h * (int64_t)d->W + w;
}

/* The position of the first maximum of window (i, j) of plane `plane`. */
static size_t window_argmax(const cvp_tensor_t X, const pool_dims *d,
                            const cvp_pool2d_params *p, size_t plane, size_t i,
                            size_t j)
{
    cvp_ring *R = X->ring;
    int64_t best = -1;
    const void *base = NULL;
    if (R->window_begin != NULL)
        R->window_begin(R);
    for (size_t u = 0; u < p->kernel[0]; u++)
        for (size_t v = 0; v < p->kernel[1]; v++) {
            int64_t pos = window_pos(d, p, i, j, u, v);
            if (pos < 0)
                continue;
            const void *x = ELEM(X, plane * d->H * d->W + (size_t)pos);
            if (best < 0 || R->cmp(R, x, base) > 0) {   /* strict: first max wins */
                best = pos;
                base = x;
            }
        }
    if (R->window_end != NULL)
        R->window_end(R);
    /* pool_setup checked that every window meets the input. */
    CVP_ASSERT(best >= 0);
    return (size_t)best;
}

cvp_status cvp_max_pool2d(cvp_tensor_t out, const cvp_tensor_t X,
                          const cvp_pool2d_params *p, cvp_error *err)
{
    pool_dims d;
    cvp_status st = pool_setup(&d, "max_pool2d", X, p, true, err);
    if (st != CVP_OK)
        return st;
    cvp_ring *R = X->ring;
    cvp_tensor_t Y;
    cvp_tensor_init_ring(Y, R);
    st = resize_pooled(Y, X, &d, err);
    if (st == CVP_OK) {
        for (size_t s = 0; s < d.stack; s++)
            for (size_t i = 0; i < d.Ho; i++)
                for (size_t j = 0; j < d.Wo; j++) {
                    size_t pos = window_argmax(X, &d, p, s, i, j);
                    R->set(R, ELEM(Y, (s * d.Ho + i) * d.Wo + j),
                           ELEM(X, s * d.H * d.W + pos));
                }
        st = cvp_ring_check(R, err);
    }
    if (st == CVP_OK)
        cvp_tensor_swap(out, Y);
    cvp_tensor_clear(Y);
    return st;
}

/* PyTorch's divisor of average-pooling window (i, j). */
static size_t avg_divisor(const pool_dims *d, const cvp_pool2d_params *p,
                          size_t i, size_t j)
{
    if (p->divisor_override > 0)
        return (size_t)p->divisor_override;
    int64_t hs = (int64_t)(i * p->stride[0]) - (int64_t)p->padding[0];
    int64_t ws = (int64_t)(j * p->stride[1]) - (int64_t)p->padding[1];
    int64_t he = hs + (int64_t)p->kernel[0], we = ws + (int64_t)p->kernel[1];
    /* The window is first clipped to the padded input ... */
    if (he > (int64_t)(d->H + p->padding[0]))
        he = (int64_t)(d->H + p->padding[0]);
    if (we > (int64_t)(d->W + p->padding[1]))
        we = (int64_t)(d->W + p->padding[1]);
    if (p->count_include_pad)
        return (size_t)((he - hs) * (we - ws));
    /* ... and, without count_include_pad, to the input itself. */
    if (hs < 0) hs = 0;
    if (ws < 0) ws = 0;
    if (he > (int64_t)d->H) he = (int64_t)d->H;
    if (we > (int64_t)d->W) we = (int64_t)d->W;
    return (size_t)((he - hs) * (we - ws));
}

cvp_status cvp_avg_pool2d(cvp_tensor_t out, const cvp_tensor_t X,
                          const cvp_pool2d_params *p, cvp_error *err)
{
    pool_dims d;
    cvp_status st = pool_setup(&d, "avg_pool2d", X, p, false, err);
    if (st != CVP_OK)
        return st;
    cvp_ring *R = X->ring;
    cvp_tensor_t Y, inverse;
    cvp_tensor_init_ring(Y, R);
    cvp_tensor_init_ring(inverse, R);   /* 1 / divisor, as a ring element */
    st = resize_pooled(Y, X, &d, err);
    if (st == CVP_OK) {
        for (size_t s = 0; s < d.stack; s++)
            for (size_t i = 0; i < d.Ho; i++)
                for (size_t j = 0; j < d.Wo; j++) {
                    void *y = ELEM(Y, (s * d.Ho + i) * d.Wo + j);
                    for (size_t u = 0; u < p->kernel[0]; u++)
                        for (size_t v = 0; v < p->kernel[1]; v++) {
                            int64_t pos = window_pos(&d, p, i, j, u, v);
                            if (pos >= 0)
                                R->add(R, y, y, ELEM(X, s * d.H * d.W + (size_t)pos));
                        }
                    cvp_tensor_set_scalar_si(inverse, 1, avg_divisor(&d, p, i, j));
                    R->mul(R, y, y, inverse->data);
                }
        st = cvp_ring_check(R, err);
    }
    if (st == CVP_OK)
        cvp_tensor_swap(out, Y);
    cvp_tensor_clear(inverse);
    cvp_tensor_clear(Y);
    return st;
}

cvp_status cvp_max_pool2d_backward_ties(cvp_tensor_t out, const cvp_tensor_t X,
                                        const cvp_tensor_t G,
                                        const cvp_pool2d_params *p,
                                        cvp_pool_ties ties, cvp_error *err)
{
    const char *name = ties == CVP_TIES_SPLIT ? "max_pool2d_backward_split"
                                              : "max_pool2d_backward_all";
    pool_dims d;
    cvp_status st = pool_setup(&d, name, X, p, true, err);
    if (st == CVP_OK)
        st = check_grad_shape(name, X, G, &d, err);
    if (st != CVP_OK)
        return st;
    cvp_ring *R = X->ring;
    cvp_tensor_t dX;
    cvp_tensor_init_ring(dX, R);
    st = cvp_tensor_resize_like(dX, X, err);
    void *share = cvp_xmalloc(R->elem_size);
    R->init(R, share);
    mpq_t inverse;
    mpq_init(inverse);
    for (size_t s = 0; st == CVP_OK && s < d.stack; s++)
        for (size_t i = 0; i < d.Ho; i++)
            for (size_t j = 0; j < d.Wo; j++) {
                /* The maximum, then how many positions attain it. */
                size_t first = window_argmax(X, &d, p, s, i, j);
                const void *best = ELEM(X, s * d.H * d.W + first);
                unsigned long count = 0;
                for (size_t u = 0; u < p->kernel[0]; u++)
                    for (size_t v = 0; v < p->kernel[1]; v++) {
                        int64_t pos = window_pos(&d, p, i, j, u, v);
                        if (pos >= 0
                            && R->cmp(R, ELEM(X, s * d.H * d.W + (size_t)pos), best) == 0)
                            count++;
                    }
                const void *g = ELEM(G, (s * d.Ho + i) * d.Wo + j);
                if (ties == CVP_TIES_SPLIT) {
                    mpq_set_ui(inverse, 1, count);
                    R->set_q(R, share, inverse);
                    R->mul(R, share, share, g);
                } else {
                    R->set(R, share, g);
                }
                /* A position in several windows' tie gets each share. */
                for (size_t u = 0; u < p->kernel[0]; u++)
                    for (size_t v = 0; v < p->kernel[1]; v++) {
                        int64_t pos = window_pos(&d, p, i, j, u, v);
                        if (pos < 0)
                            continue;
                        size_t at = s * d.H * d.W + (size_t)pos;
                        if (R->cmp(R, ELEM(X, at), best) == 0)
                            R->add(R, ELEM(dX, at), ELEM(dX, at), share);
                    }
            }
    if (st == CVP_OK)
        st = cvp_ring_check(R, err);
    if (st == CVP_OK)
        cvp_tensor_swap(out, dX);
    mpq_clear(inverse);
    R->clear(R, share);
    free(share);
    cvp_tensor_clear(dX);
    return st;
}

cvp_status cvp_max_pool2d_backward(cvp_tensor_t out, const cvp_tensor_t X,
                                   const cvp_tensor_t G,
                                   const cvp_pool2d_params *p, cvp_error *err)
{
    pool_dims d;
    cvp_status st = pool_setup(&d, "max_pool2d_backward", X, p, true, err);
    if (st == CVP_OK)
        st = check_grad_shape("max_pool2d_backward", X, G, &d, err);
    if (st != CVP_OK)
        return st;
    cvp_ring *R = X->ring;
    cvp_tensor_t dX;
    cvp_tensor_init_ring(dX, R);
    st = cvp_tensor_resize_like(dX, X, err);
    if (st == CVP_OK) {
        for (size_t s = 0; s < d.stack; s++)
            for (size_t i = 0; i < d.Ho; i++)
                for (size_t j = 0; j < d.Wo; j++) {
                    size_t pos = window_argmax(X, &d, p, s, i, j);
                    void *dst = ELEM(dX, s * d.H * d.W + pos);
                    R->add(R, dst, dst, ELEM(G, (s * d.Ho + i) * d.Wo + j));
                }
        st = cvp_ring_check(R, err);
    }
    if (st == CVP_OK)
        cvp_tensor_swap(out, dX);
    cvp_tensor_clear(dX);
    return st;
}

cvp_status cvp_avg_pool2d_backward(cvp_tensor_t out, const cvp_tensor_t X,
                                   const cvp_tensor_t G,
                                   const cvp_pool2d_params *p, cvp_error *err)
{
    pool_dims d;
    cvp_status st = pool_setup(&d, "avg_pool2d_backward", X, p, false, err);
    if (st == CVP_OK)
        st = check_grad_shape("avg_pool2d_backward", X, G, &d, err);
    if (st != CVP_OK)
        return st;
    cvp_ring *R = X->ring;
    cvp_tensor_t dX, share;
    cvp_tensor_init_ring(dX, R);
    cvp_tensor_init_ring(share, R);
    st = cvp_tensor_resize_like(dX, X, err);
    if (st == CVP_OK) {
        for (size_t s = 0; s < d.stack; s++)
            for (size_t i = 0; i < d.Ho; i++)
                for (size_t j = 0; j < d.Wo; j++) {
                    /* Every position of the window receives G / divisor. */
                    cvp_tensor_set_scalar_si(share, 1, avg_divisor(&d, p, i, j));
                    R->mul(R, share->data, share->data,
                           ELEM(G, (s * d.Ho + i) * d.Wo + j));
                    for (size_t u = 0; u < p->kernel[0]; u++)
                        for (size_t v = 0; v < p->kernel[1]; v++) {
                            int64_t pos = window_pos(&d, p, i, j, u, v);
                            if (pos < 0)
                                continue;
                            void *dst = ELEM(dX, s * d.H * d.W + (size_t)pos);
                            R->add(R, dst, dst, share->data);
                        }
                }
        st = cvp_ring_check(R, err);
    }
    if (st == CVP_OK)
        cvp_tensor_swap(out, dX);
    cvp_tensor_clear(share);
    cvp_tensor_clear(dX);
    return st;
}

cvp_status cvp_relu(cvp_tensor_t out, const cvp_tensor_t X, cvp_error *err)
{
    cvp_ring *R = X->ring;
    if (R->cmp == NULL)
        return cvp_error_set(err, CVP_ERR_UNSUPPORTED,
                             "relu: needs an ordered ring, and %s is not (relu is not "
                             "a polynomial)", R->name);
    cvp_tensor_t zero;
    cvp_tensor_init_ring(zero, R);   /* the scalar 0 of R */
    cvp_status st = cvp_tensor_set(out, X, err);
    for (size_t k = 0; st == CVP_OK && k < out->size; k++)
        if (R->cmp(R, ELEM(out, k), zero->data) < 0)
            R->set(R, ELEM(out, k), zero->data);
    cvp_tensor_clear(zero);
    if (st == CVP_OK)
        st = cvp_ring_check(R, err);
    return st;
}

cvp_status cvp_relu_backward(cvp_tensor_t out, const cvp_tensor_t Z,
                             const cvp_tensor_t G, cvp_error *err)
{
    cvp_ring *R = Z->ring;
    if (R->cmp == NULL)
        return cvp_error_set(err, CVP_ERR_UNSUPPORTED,
                             "relu_backward: needs an ordered ring, and %s is "
                             "not", R->name);
    if (!cvp_tensor_same_shape(Z, G) || G->ring != R)
        return cvp_error_set(err, CVP_ERR_INPUT, "relu_backward: the gradient "
                             "must have the shape of the input");
    cvp_tensor_t zero;
    cvp_tensor_init_ring(zero, R);
    cvp_status st = cvp_tensor_set(out, G, err);
    /* out may be Z: read Z[k] before out[k] changes. */
    for (size_t k = 0; st == CVP_OK && k < out->size; k++)
        if (R->cmp(R, ELEM(Z, k), zero->data) <= 0)
            R->set(R, ELEM(out, k), zero->data);
    cvp_tensor_clear(zero);
    if (st == CVP_OK)
        st = cvp_ring_check(R, err);
    return st;
}
