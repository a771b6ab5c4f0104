/* conv_nd.c -- conv1d and conv3d, one plain loop nest each over the
 * formulas in conv_nd.h.  The shape checks are shared (spatial rank 1 or
 * 3); positions are computed in signed arithmetic so that a tap in the
 * padding is simply outside the input, as in conv2d.c. */
#include "kernel/conv_nd.h"

#include <stdint.h>
#include <string.h>

#include "kernel/conv2d.h"

#define ELEM(t, k) cvp_tensor_elem((t), (k))

/* Bound on hyper-parameters so every index expression fits in int64_t. */
#define PARAM_MAX ((size_t)1 << 24)

cvp_conv_nd_params cvp_conv_nd_params_default(void)
{
    cvp_conv_nd_params p;
    memset(&p, 0, sizeof p);
    for (int a = 0; a < 3; a++)
        p.stride[a] = p.dilation[a] = 1;
    p.groups = 1;
    return p;
}

/* The checked sizes of one layer, viewed as batched. */
typedef struct {
    bool batched;
    size_t N, C, O, Cg;
    size_t in[3], k[3], out[3];   /* spatial axes, s of them */
} nd_dims;

static cvp_status check(nd_dims *d, const char *name, int s,
                        const cvp_tensor_t X, const cvp_tensor_t K,
                        const cvp_tensor_struct *bias,
                        const cvp_conv_nd_params *p, cvp_error *err)
{
    static const char *const axis1[] = {"length"};
    static const char *const axis3[] = {"depth", "height", "width"};
    const char *const *axis = s == 1 ? axis1 : axis3;
    for (int a = 0; a < s; a++) {
        if (p->stride[a] < 1 || p->dilation[a] < 1)
            return cvp_error_set(err, CVP_ERR_INPUT, "%s: stride and dilation "
                                 "must be at least 1", name);
        if (p->stride[a] > PARAM_MAX || p->dilation[a] > PARAM_MAX
            || p->padding[a] > PARAM_MAX)
            return cvp_error_set(err, CVP_ERR_INPUT, "%s: stride, padding or "
                                 "dilation above %zu", name, PARAM_MAX);
    }
    if (p->groups < 1)
        return cvp_error_set(err, CVP_ERR_INPUT, "%s: groups must be at least 1",
                             name);
    if (X->rank == s + 2) {
        d->batched = true;
        d->N = X->shape[0];
    } else if (X->rank == s + 1) {
        d->batched = false;
        d->N = 1;
    } else {
        return cvp_error_set(err, CVP_ERR_INPUT, "%s: argument X (input) must "
                             "have rank %d (N, C, %s) or %d (C, %s); it has rank "
                             "%d", name, s + 2, s == 1 ? "L" : "D, H, W", s + 1,
                             s == 1 ? "L" : "D, H, W", X->rank);
    }
    if (K->rank != s + 2)
        return cvp_error_set(err, CVP_ERR_INPUT, "%s: argument K (weight) must "
                             "have rank %d (O, I, %s); it has rank %d", name,
                             s + 2, s == 1 ? "kL" : "kD, kH, kW", K->rank);
    cvp_status st = cvp_tensor_check_ring(name, X, K, err);
    if (st == CVP_OK && bias != NULL)
        st = cvp_tensor_check_ring(name, X, bias, err);
    if (st != CVP_OK)
        return st;
    int cdim = d->batched ? 1 : 0;
    d->C = X->shape[cdim];
    d->O = K->shape[0];
    d->Cg = K->shape[1];
    size_t G = p->groups;
    if (d->C % G != 0 || d->O % G != 0)
        return cvp_error_set(err, CVP_ERR_INPUT, "%s: groups=%zu must divide the "
                             "input channels (%zu, dimension %d of X) and the "
                             "output channels (%zu, dimension 0 of K)", name, G,
                             d->C, cdim, d->O);
    if (d->Cg != d->C / G)
        return cvp_error_set(err, CVP_ERR_INPUT, "%s: dimension 1 of K (weight) "
                             "is %zu but the input has %zu channels (dimension %d "
                             "of X) / groups %zu = %zu", name, d->Cg, d->C, cdim,
                             G, d->C / G);
    if (bias != NULL && (bias->rank != 1 || bias->shape[0] != d->O))
        return cvp_error_set(err, CVP_ERR_INPUT, "%s: bias must have shape [%zu] "
                             "(one entry per output channel)", name, d->O);
    for (int a = 0; a < s && st == CVP_OK; a++) {
        d->in[a] = X->shape[cdim + 1 + a];
        d->k[a] = K->shape[2 + a];
        st = cvp_conv2d_out_dim(&d->out[a], d->in[a], d->k[a], p->stride[a],
                                p->padding[a], p->dilation[a], axis[a], err);
    }
    return st;
}

static cvp_status resize_output(cvp_tensor_t Y, const nd_dims *d, int s,
                                cvp_error *err)
{
    size_t shape[5] = {d->N, d->O, d->out[0], d->out[1], d->out[2]};
    return d->batched ? cvp_tensor_resize(Y, s + 2, shape, err)
                      : cvp_tensor_resize(Y, s + 1, shape + 1, err);
}

cvp_status cvp_conv1d(cvp_tensor_t out, const cvp_tensor_t X,
                      const cvp_tensor_t K, const cvp_tensor_struct *bias,
                      const cvp_conv_nd_params *p, cvp_error *err)
{
    nd_dims d;
    cvp_status st = check(&d, "conv1d", 1, X, K, bias, p, err);
    if (st != CVP_OK)
        return st;
    const size_t N = d.N, C = d.C, O = d.O, Cg = d.Cg, L = d.in[0];
    const size_t kL = d.k[0], Lo = d.out[0], Og = O / p->groups;
    cvp_ring *R = X->ring;
    cvp_tensor_t Y, product;
    cvp_tensor_init_ring(Y, R);
    cvp_tensor_init_ring(product, R);   /* scratch element */
    st = resize_output(Y, &d, 1, err);
    if (st == CVP_OK)
        cvp_ring_note_mults(R, 5, (size_t[]){N, O, Lo, Cg, kL});
    if (st == CVP_OK && !R->shape_only) {
        const int64_t s = (int64_t)p->stride[0], pad = (int64_t)p->padding[0];
        const int64_t dil = (int64_t)p->dilation[0];
        for (size_t n = 0; n < N; n++)
            for (size_t o = 0; o < O; o++)
                for (size_t l = 0; l < Lo; l++) {
                    void *y = ELEM(Y, (n * O + o) * Lo + l);
                    if (bias != NULL)
                        R->set(R, y, ELEM(bias, o));
                    for (size_t c = 0; c < Cg; c++)
                        for (size_t k = 0; k < kL; k++) {
                            int64_t x = (int64_t)l * s + (int64_t)k * dil - pad;
                            if (x < 0 || x >= (int64_t)L)
                                continue;   /* zero padding */
                            size_t xc = (o / Og) * Cg + c;
                            cvp_ring_addmul(R, y, ELEM(K, (o * Cg + c) * kL + k),
                                            ELEM(X, (n * C + xc) * L + (size_t)x),
                                            product->data);
                        }
                }
    }
    if (st == CVP_OK)
        st = cvp_ring_check(R, err);
    if (st == CVP_OK)
        cvp_tensor_swap(out, Y);
    cvp_tensor_clear(Y);
    cvp_tensor_clear(product);
    return st;
}

cvp_status cvp_conv3d(cvp_tensor_t out, const cvp_tensor_t X,
                      const cvp_tensor_t K, const cvp_tensor_struct *bias,
                      const cvp_conv_nd_params *p, cvp_error *err)
{
    nd_dims d;
    cvp_status st = check(&d, "conv3d", 3, X, K, bias, p, err);
    if (st != CVP_OK)
        return st;
    const size_t N = d.N, C = d.C, O = d.O, Cg = d.Cg, Og = O / p->groups;
    const size_t D = d.in[0], H = d.in[1], W = d.in[2];
    const size_t kD = d.k[0], kH = d.k[1], kW = d.k[2];
    const size_t Do = d.out[0], Ho = d.out[1], Wo = d.out[2];
    cvp_ring *R = X->ring;
    cvp_tensor_t Y, product;
    cvp_tensor_init_ring(Y, R);
    cvp_tensor_init_ring(product, R);   /* scratch element */
    st = resize_output(Y, &d, 3, err);
    if (st == CVP_OK)
        cvp_ring_note_mults(R, 9, (size_t[]){N, O, Do, Ho, Wo, Cg, kD, kH, kW});
    if (st == CVP_OK && !R->shape_only) {
        int64_t s[3], pad[3], dil[3];
        for (int a = 0; a < 3; a++) {
            s[a] = (int64_t)p->stride[a];
            pad[a] = (int64_t)p->padding[a];
            dil[a] = (int64_t)p->dilation[a];
        }
        for (size_t n = 0; n < N; n++)
            for (size_t o = 0; o < O; o++)
                for (size_t a = 0; a < Do; a++)
                    for (size_t b = 0; b < Ho; b++)
                        for (size_t c = 0; c < Wo; c++) {
                            void *y = ELEM(Y, (((n * O + o) * Do + a) * Ho + b) * Wo + c);
                            if (bias != NULL)
                                R->set(R, y, ELEM(bias, o));
                            for (size_t ci = 0; ci < Cg; ci++)
                                for (size_t u = 0; u < kD; u++)
                                    for (size_t v = 0; v < kH; v++)
                                        for (size_t w = 0; w < kW; w++) {
                                            int64_t z = (int64_t)a * s[0] + (int64_t)u * dil[0] - pad[0];
                                            int64_t h = (int64_t)b * s[1] + (int64_t)v * dil[1] - pad[1];
                                            int64_t x = (int64_t)c * s[2] + (int64_t)w * dil[2] - pad[2];
                                            if (z < 0 || z >= (int64_t)D || h < 0 || h >= (int64_t)H
                                                || x < 0 || x >= (int64_t)W)
                                                continue;   /* zero padding */
                                            size_t xc = (o / Og) * Cg + ci;
                                            cvp_ring_addmul(
                                                R, y,
                                                ELEM(K, (((o * Cg + ci) * kD + u) * kH + v) * kW + w),
                                                ELEM(X, (((n * C + xc) * D + (size_t)z) * H + (size_t)h) * W
                                                            + (size_t)x),
                                                product->data);
                                        }
                        }
    }
    if (st == CVP_OK)
        st = cvp_ring_check(R, err);
    if (st == CVP_OK)
        cvp_tensor_swap(out, Y);
    cvp_tensor_clear(Y);
    cvp_tensor_clear(product);
    return st;
}
