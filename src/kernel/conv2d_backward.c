/* conv2d_backward.c -- the conv layer's gradients, derived as in NNDL
 * chapter 5 and built from the single-channel textbook operators:
 *
 *   to the input:   dXp[n, c] += rot180(dilate(K[o, c'], d)) (x)~ dilate(G[n, o], s)
 *                   (the wide cross-correlation of the rotated, dilated
 *                   kernel with the stride-dilated delta), then the padding
 *                   is cut off: dX[h, w] = dXp[h + ph, w + pw];
 *   to the weights: dK[o, c'] += G[n, o] (x) pad(X[n, c], p), the
 *                   cross-correlation with dilation s and stride d, of
 *                   which the first kH x kW entries are the kernel's;
 *   to the bias:    the sum of the delta over batch and positions.
 *
 * Here c = g*Cg + c' for output channel o of group g.  These formulas are
 * deliberately not the adjoint loop of conv2d.c: the tests compare the two
 * derivations (and the explicit matrix) against each other. */
#include "kernel/conv2d_backward.h"

#include <string.h>

#define ELEM(t, k) cvp_tensor_elem((t), (k))

#include "kernel/textbook.h"

/* Checks X, K and params as conv2d does, and that G has the shape of
 * conv2d's output. */
static cvp_status layer_setup(cvp_conv2d_dims *d, const char *name,
                              const cvp_tensor_t X, const cvp_tensor_t K,
                              const cvp_tensor_t G, const cvp_conv2d_params *p,
                              cvp_error *err)
{
    cvp_status st = cvp_conv2d_check(d, name, X, K, NULL, p, err);
    if (st == CVP_OK)
        st = cvp_tensor_check_ring(name, X, G, err);
    if (st != CVP_OK)
        return st;
    size_t want[4] = {d->N, d->O, d->Ho, d->Wo};
    const size_t *w = d->batched ? want : want + 1;
    bool ok = G->rank == X->rank;
    for (int k = 0; ok && k < G->rank; k++)
        ok = G->shape[k] == w[k];
    if (!ok) {
        char sw[256], sg[256];
        cvp_shape_format(sw, sizeof sw, X->rank, w);
        cvp_shape_format(sg, sizeof sg, G->rank, G->shape);
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "%s: the gradient G has shape %s but conv2d's output "
                             "has shape %s", name, sg, sw);
    }
    return CVP_OK;
}

/* out := T[a, b, :, :] as a rank-2 tensor (T of rank 4, or rank 3 with the
 * batch index a ignored). */
static cvp_status take_plane(cvp_tensor_t out, const cvp_tensor_t T, size_t a,
                             size_t b, cvp_error *err)
{
    size_t rows = T->shape[T->rank - 2], cols = T->shape[T->rank - 1];
    size_t second = T->shape[T->rank - 3];
    size_t first = T->rank == 4 ? a : 0;
    size_t shape[2] = {rows, cols};
    if (out->ring != T->ring)
        cvp_tensor_set_ring(out, T->ring);
    cvp_status st = cvp_tensor_resize(out, 2, shape, err);
    if (st != CVP_OK)
        return st;
    size_t base = (first * second + b) * rows * cols;
    for (size_t k = 0; k < rows * cols; k++)
        T->ring->set(T->ring, ELEM(out, k), ELEM(T, base + k));
    return CVP_OK;
}

cvp_status cvp_conv2d_backward_input(cvp_tensor_t out, const cvp_tensor_t X,
                                     const cvp_tensor_t K, const cvp_tensor_t G,
                                     const cvp_conv2d_params *p, cvp_error *err)
{
    cvp_conv2d_dims d;
    cvp_status st = layer_setup(&d, "conv2d_backward_input", X, K, G, p, err);
    if (st != CVP_OK)
        return st;
    cvp_tensor_t dX, kernel, delta, Z;
    cvp_ring *R = X->ring;
    cvp_tensor_init_ring(dX, R);
    cvp_tensor_init_ring(kernel, R);
    cvp_tensor_init_ring(delta, R);
    cvp_tensor_init_ring(Z, R);
    st = cvp_tensor_resize_like(dX, X, err);
    size_t Og = d.O / p->groups;
    for (size_t n = 0; st == CVP_OK && n < d.N; n++)
        for (size_t o = 0; st == CVP_OK && o < d.O; o++)
            for (size_t cg = 0; st == CVP_OK && cg < d.Cg; cg++) {
                size_t c = (o / Og) * d.Cg + cg;
                st = take_plane(kernel, K, o, cg, err);
                if (st == CVP_OK)
                    st = cvp_dilate(kernel, kernel, p->dilation[0], p->dilation[1], err);
                if (st == CVP_OK)
                    st = cvp_rot180(kernel, kernel, err);
                if (st == CVP_OK)
                    st = take_plane(delta, G, n, o, err);
                if (st == CVP_OK)
                    st = cvp_dilate(delta, delta, p->stride[0], p->stride[1], err);
                if (st == CVP_OK)
                    st = cvp_wide(Z, kernel, delta, err);
                if (st != CVP_OK)
                    break;
                /* Z is the gradient on the top-left part of the padded input
                 * that the windows reach; shift out the padding. */
                size_t zr = Z->shape[0], zc = Z->shape[1];
                for (size_t h = 0; h < d.H; h++)
                    for (size_t w = 0; w < d.W; w++) {
                        size_t a = h + p->padding[0], b = w + p->padding[1];
                        if (a >= zr || b >= zc)
                            continue;
                        void *dst = ELEM(dX, ((n * d.C + c) * d.H + h) * d.W + w);
                        R->add(R, dst, dst, ELEM(Z, a * zc + b));
                    }
            }
    if (st == CVP_OK)
        cvp_tensor_swap(out, dX);
    cvp_tensor_clear(dX);
    cvp_tensor_clear(kernel);
    cvp_tensor_clear(delta);
    cvp_tensor_clear(Z);
    return st;
}

cvp_status cvp_conv2d_backward_weight(cvp_tensor_t out, const cvp_tensor_t X,
                                      const cvp_tensor_t K,
                                      const cvp_tensor_t G,
                                      const cvp_conv2d_params *p,
                                      cvp_error *err)
{
    cvp_conv2d_dims d;
    cvp_status st = layer_setup(&d, "conv2d_backward_weight", X, K, G, p, err);
    if (st != CVP_OK)
        return st;
    cvp_tensor_t dK, image, delta, Z;
    cvp_ring *R = X->ring;
    cvp_tensor_init_ring(dK, R);
    cvp_tensor_init_ring(image, R);
    cvp_tensor_init_ring(delta, R);
    cvp_tensor_init_ring(Z, R);
    st = cvp_tensor_resize_like(dK, K, err);
    size_t Og = d.O / p->groups;
    for (size_t n = 0; st == CVP_OK && n < d.N; n++)
        for (size_t o = 0; st == CVP_OK && o < d.O; o++)
            for (size_t cg = 0; st == CVP_OK && cg < d.Cg; cg++) {
                size_t c = (o / Og) * d.Cg + cg;
                st = take_plane(image, X, n, c, err);
                if (st == CVP_OK)
                    st = cvp_pad(image, image, p->padding[0], p->padding[0],
                                 p->padding[1], p->padding[1], err);
                if (st == CVP_OK)
                    st = take_plane(delta, G, n, o, err);
                /* The roles of stride and dilation swap: the delta steps
                 * through the image by the stride, the kernel offset by the
                 * dilation. */
                if (st == CVP_OK)
                    st = cvp_xcorr(Z, delta, image, p->dilation[0], p->dilation[1],
                                   p->stride[0], p->stride[1], err);
                if (st != CVP_OK)
                    break;
                CVP_ASSERT(Z->shape[0] >= d.kH && Z->shape[1] >= d.kW);
                for (size_t u = 0; u < d.kH; u++)
                    for (size_t v = 0; v < d.kW; v++) {
                        void *dst = ELEM(dK, ((o * d.Cg + cg) * d.kH + u) * d.kW + v);
                        R->add(R, dst, dst, ELEM(Z, u * Z->shape[1] + v));
                    }
            }
    if (st == CVP_OK)
        cvp_tensor_swap(out, dK);
    cvp_tensor_clear(dK);
    cvp_tensor_clear(image);
    cvp_tensor_clear(delta);
    cvp_tensor_clear(Z);
    return st;
}

cvp_status cvp_conv2d_backward_bias(cvp_tensor_t out, const cvp_tensor_t G,
                                    cvp_error *err)
{
    if (G->rank != 3 && G->rank != 4)
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "conv2d_backward_bias: the gradient G must have rank 4 "
                             "(N, O, H, W) or 3 (O, H, W); it has rank %d", G->rank);
    size_t N = G->rank == 4 ? G->shape[0] : 1;
    size_t O = G->shape[G->rank - 3];
    size_t plane = G->shape[G->rank - 2] * G->shape[G->rank - 1];
    cvp_ring *R = G->ring;
    cvp_tensor_t dB;
    cvp_tensor_init_ring(dB, R);
    cvp_status st = cvp_tensor_resize(dB, 1, &O, err);
    if (st == CVP_OK) {
        for (size_t n = 0; n < N; n++)
            for (size_t o = 0; o < O; o++)
                for (size_t k = 0; k < plane; k++)
                    R->add(R, ELEM(dB, o), ELEM(dB, o),
                           ELEM(G, (n * O + o) * plane + k));
        cvp_tensor_swap(out, dB);
    }
    cvp_tensor_clear(dB);
    return st;
}
