/* conv2d.c -- conv2d and conv_transpose2d with PyTorch semantics, each one
 * plain loop nest over the formula in conv2d.h.  Spatial positions are
 * computed in signed arithmetic so that a position in the padding is simply
 * "outside" instead of a wrapped-around unsigned index. */
#include "kernel/conv2d.h"

#include <stdint.h>
#include <string.h>

#define ELEM(t, k) cvp_tensor_elem((t), (k))

cvp_conv2d_params cvp_conv2d_params_default(void)
{
    cvp_conv2d_params p;
    memset(&p, 0, sizeof p);
    p.stride[0] = p.stride[1] = 1;
    p.dilation[0] = p.dilation[1] = 1;
    p.groups = 1;
    return p;
}

/* Limit on hyper-parameters so that every index expression below fits in a
 * signed 64-bit integer; real layers are far smaller. */
#define PARAM_MAX ((size_t)1 << 24)

static cvp_status check_params(const char *name, const cvp_conv2d_params *p,
                               cvp_error *err)
{
    for (int a = 0; a < 2; a++) {
        if (p->stride[a] < 1 || p->dilation[a] < 1)
            return cvp_error_set(err, CVP_ERR_INPUT,
                                 "%s: stride and dilation must be at least 1", name);
        if (p->stride[a] > PARAM_MAX || p->dilation[a] > PARAM_MAX ||
            p->padding[a] > PARAM_MAX || p->output_padding[a] > PARAM_MAX)
            return cvp_error_set(err, CVP_ERR_INPUT,
                                 "%s: stride, padding or dilation above %zu", name,
                                 PARAM_MAX);
    }
    if (p->groups < 1)
        return cvp_error_set(err, CVP_ERR_INPUT, "%s: groups must be at least 1", name);
    return CVP_OK;
}

cvp_status cvp_conv2d_out_dim(size_t *out, size_t in, size_t k, size_t stride,
                              size_t pad, size_t dil, const char *axis_name,
                              cvp_error *err)
{
    /* All of these are bounded (sizes by the entry limit, parameters by
     * PARAM_MAX), so the signed arithmetic cannot overflow. */
    int64_t span = (int64_t)in + 2 * (int64_t)pad - (int64_t)dil * ((int64_t)k - 1) - 1;
    if (k == 0 || span < 0)
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "output %s would be empty: input %s %zu with padding %zu "
                             "is smaller than the dilated kernel (%zu with dilation %zu)",
                             axis_name, axis_name, in, pad, k, dil);
    *out = (size_t)(span / (int64_t)stride) + 1;
    return CVP_OK;
}

/* Reads an NCHW or CHW operand as (N, C, H, W). */
static cvp_status image_dims(size_t dims[4], bool *batched, const char *name,
                             const char *arg, const cvp_tensor_t X, cvp_error *err)
{
    if (X->rank == 4) {
        memcpy(dims, X->shape, 4 * sizeof *dims);
        *batched = true;
    } else if (X->rank == 3) {
        dims[0] = 1;
        memcpy(dims + 1, X->shape, 3 * sizeof *dims);
        *batched = false;
    } else {
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "%s: argument %s must have rank 4 (N, C, H, W) or 3 "
                             "(C, H, W); it has rank %d", name, arg, X->rank);
    }
    return CVP_OK;
}

static cvp_status check_bias(const char *name, const cvp_tensor_struct *bias,
                             size_t channels, cvp_error *err)
{
    if (bias != NULL && (bias->rank != 1 || bias->shape[0] != channels))
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "%s: bias must have shape [%zu] (one entry per output "
                             "channel)", name, channels);
    return CVP_OK;
}

static cvp_status resize_image(cvp_tensor_t Y, bool batched, size_t n,
                               size_t c, size_t h, size_t w, cvp_error *err)
{
    size_t shape[4] = {n, c, h, w};
    return batched ? cvp_tensor_resize(Y, 4, shape, err)
                   : cvp_tensor_resize(Y, 3, shape + 1, err);
}

cvp_status cvp_conv2d_check(cvp_conv2d_dims *d, const char *name,
                            const cvp_tensor_t X, const cvp_tensor_t K,
                            const cvp_tensor_struct *bias,
                            const cvp_conv2d_params *p, cvp_error *err)
{
    size_t xd[4];
    cvp_status st = check_params(name, p, err);
    if (st == CVP_OK)
        st = image_dims(xd, &d->batched, name, "X (input)", X, err);
    if (st != CVP_OK)
        return st;
    if (K->rank != 4)
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "%s: argument K (weight) must have rank 4 (O, I, kH, "
                             "kW); it has rank %d", name, K->rank);
    st = cvp_tensor_check_ring(name, X, K, err);
    if (st == CVP_OK && bias != NULL)
        st = cvp_tensor_check_ring(name, X, bias, err);
    if (st != CVP_OK)
        return st;
    d->N = xd[0], d->C = xd[1], d->H = xd[2], d->W = xd[3];
    d->O = K->shape[0], d->Cg = K->shape[1], d->kH = K->shape[2], d->kW = K->shape[3];
    size_t G = p->groups;
    int cdim = d->batched ? 1 : 0;
    if (d->C % G != 0 || d->O % G != 0)
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "%s: groups=%zu must divide the input channels (%zu, "
                             "dimension %d of X) and the output channels (%zu, "
                             "dimension 0 of K)", name, G, d->C, cdim, d->O);
    if (d->Cg != d->C / G)
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "%s: dimension 1 of K (weight) is %zu but the input "
                             "has %zu channels (dimension %d of X) / groups %zu = %zu",
                             name, d->Cg, d->C, cdim, G, d->C / G);
    st = check_bias(name, bias, d->O, err);
    if (st == CVP_OK)
        st = cvp_conv2d_out_dim(&d->Ho, d->H, d->kH, p->stride[0], p->padding[0],
                                p->dilation[0], "height", err);
    if (st == CVP_OK)
        st = cvp_conv2d_out_dim(&d->Wo, d->W, d->kW, p->stride[1], p->padding[1],
                                p->dilation[1], "width", err);
    return st;
}

cvp_status cvp_conv2d(cvp_tensor_t out, const cvp_tensor_t X,
                      const cvp_tensor_t K, const cvp_tensor_struct *bias,
                      const cvp_conv2d_params *p, cvp_error *err)
{
    cvp_conv2d_dims d;
    cvp_status st = cvp_conv2d_check(&d, "conv2d", X, K, bias, p, err);
    if (st != CVP_OK)
        return st;
    const bool batched = d.batched;
    const size_t N = d.N, C = d.C, H = d.H, W = d.W, O = d.O, Cg = d.Cg;
    const size_t kH = d.kH, kW = d.kW, Ho = d.Ho, Wo = d.Wo, G = p->groups;

    cvp_ring *R = X->ring;
    cvp_tensor_t Y, product;
    cvp_tensor_init_ring(Y, R);
    cvp_tensor_init_ring(product, R);   /* scratch element */
    st = resize_image(Y, batched, N, O, Ho, Wo, err);
    if (st == CVP_OK)
        cvp_ring_note_mults(R, 7, (size_t[]){N, O, Ho, Wo, Cg, kH, kW});
    if (st == CVP_OK && !R->shape_only) {
        const int64_t sh = (int64_t)p->stride[0], sw = (int64_t)p->stride[1];
        const int64_t ph = (int64_t)p->padding[0], pw = (int64_t)p->padding[1];
        const int64_t dh = (int64_t)p->dilation[0], dw = (int64_t)p->dilation[1];
        const size_t Og = O / G;
        for (size_t n = 0; n < N; n++)
            for (size_t o = 0; o < O; o++) {
                size_t g = o / Og;
                for (size_t i = 0; i < Ho; i++)
                    for (size_t j = 0; j < Wo; j++) {
                        void *y = ELEM(Y, ((n * O + o) * Ho + i) * Wo + j);
                        if (bias != NULL)
                            R->set(R, y, ELEM(bias, o));
                        for (size_t c = 0; c < Cg; c++)
                            for (size_t u = 0; u < kH; u++)
                                for (size_t v = 0; v < kW; v++) {
                                    int64_t h = (int64_t)i * sh + (int64_t)u * dh - ph;
                                    int64_t w = (int64_t)j * sw + (int64_t)v * dw - pw;
                                    if (h < 0 || h >= (int64_t)H || w < 0 || w >= (int64_t)W)
                                        continue;   /* zero padding */
                                    size_t xc = g * Cg + c;
                                    cvp_ring_addmul(R, y,
                                            ELEM(K, ((o * Cg + c) * kH + u) * kW + v),
                                            ELEM(X, ((n * C + xc) * H + (size_t)h) * W +
                                                        (size_t)w),
                                            product->data);
                                }
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

static cvp_status transpose_out_dim(size_t *out, size_t in, size_t k,
                                    size_t stride, size_t pad, size_t dil,
                                    size_t out_pad, const char *axis_name,
                                    cvp_error *err)
{
    if (out_pad >= stride && out_pad >= dil)
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "conv_transpose2d: output_padding (%zu) along the %s must "
                             "be smaller than the stride (%zu) or the dilation (%zu)",
                             out_pad, axis_name, stride, dil);
    int64_t size = ((int64_t)in - 1) * (int64_t)stride - 2 * (int64_t)pad +
                   (int64_t)dil * ((int64_t)k - 1) + (int64_t)out_pad + 1;
    if (in == 0 || k == 0 || size < 1)
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "conv_transpose2d: output %s would be %lld (input %zu, "
                             "kernel %zu, stride %zu, padding %zu, dilation %zu)",
                             axis_name, (long long)size, in, k, stride, pad, dil);
    *out = (size_t)size;
    return CVP_OK;
}

cvp_status cvp_conv_transpose2d(cvp_tensor_t out, const cvp_tensor_t X,
                                const cvp_tensor_t K,
                                const cvp_tensor_struct *bias,
                                const cvp_conv2d_params *p, cvp_error *err)
{
    size_t xd[4];
    bool batched = false;
    cvp_status st = check_params("conv_transpose2d", p, err);
    if (st == CVP_OK)
        st = image_dims(xd, &batched, "conv_transpose2d", "X (input)", X, err);
    if (st != CVP_OK)
        return st;
    if (K->rank != 4)
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "conv_transpose2d: argument K (weight) must have rank 4 "
                             "(I, O/groups, kH, kW); it has rank %d", K->rank);
    size_t N = xd[0], C = xd[1], H = xd[2], W = xd[3];
    size_t Og = K->shape[1], kH = K->shape[2], kW = K->shape[3];
    size_t G = p->groups;
    if (K->shape[0] != C)
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "conv_transpose2d: dimension 0 of K (weight) is %zu but "
                             "the input has %zu channels (dimension %d of X)",
                             K->shape[0], C, batched ? 1 : 0);
    if (C % G != 0)
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "conv_transpose2d: groups=%zu must divide the input "
                             "channels (%zu)", G, C);
    size_t O = Og * G, Cg = C / G;
    st = check_bias("conv_transpose2d", bias, O, err);
    if (st == CVP_OK)
        st = cvp_tensor_check_ring("conv_transpose2d", X, K, err);
    if (st == CVP_OK && bias != NULL)
        st = cvp_tensor_check_ring("conv_transpose2d", X, bias, err);
    size_t Ho = 0, Wo = 0;
    if (st == CVP_OK)
        st = transpose_out_dim(&Ho, H, kH, p->stride[0], p->padding[0],
                               p->dilation[0], p->output_padding[0], "height", err);
    if (st == CVP_OK)
        st = transpose_out_dim(&Wo, W, kW, p->stride[1], p->padding[1],
                               p->dilation[1], p->output_padding[1], "width", err);
    if (st != CVP_OK)
        return st;

    cvp_ring *R = X->ring;
    cvp_tensor_t Y, product;
    cvp_tensor_init_ring(Y, R);
    cvp_tensor_init_ring(product, R);   /* scratch element */
    st = resize_image(Y, batched, N, O, Ho, Wo, err);
    if (st == CVP_OK)
        cvp_ring_note_mults(R, 7, (size_t[]){N, C, H, W, Og, kH, kW});
    if (st == CVP_OK && !R->shape_only) {
        const int64_t sh = (int64_t)p->stride[0], sw = (int64_t)p->stride[1];
        const int64_t ph = (int64_t)p->padding[0], pw = (int64_t)p->padding[1];
        const int64_t dh = (int64_t)p->dilation[0], dw = (int64_t)p->dilation[1];
        for (size_t n = 0; n < N; n++)
            for (size_t c = 0; c < C; c++) {
                size_t g = c / Cg;
                for (size_t i = 0; i < H; i++)
                    for (size_t j = 0; j < W; j++) {
                        const void *x = ELEM(X, ((n * C + c) * H + i) * W + j);
                        for (size_t o = 0; o < Og; o++)
                            for (size_t u = 0; u < kH; u++)
                                for (size_t v = 0; v < kW; v++) {
                                    int64_t y = (int64_t)i * sh + (int64_t)u * dh - ph;
                                    int64_t z = (int64_t)j * sw + (int64_t)v * dw - pw;
                                    if (y < 0 || y >= (int64_t)Ho || z < 0 || z >= (int64_t)Wo)
                                        continue;   /* cropped by the padding */
                                    void *dst = ELEM(Y, ((n * O + g * Og + o) * Ho +
                                                         (size_t)y) * Wo + (size_t)z);
                                    cvp_ring_addmul(R, dst, x,
                                            ELEM(K, ((c * Og + o) * kH + u) * kW + v),
                                            product->data);
                                }
                    }
            }
        if (bias != NULL)
            for (size_t n = 0; n < N; n++)
                for (size_t o = 0; o < O; o++)
                    for (size_t k = 0; k < Ho * Wo; k++) {
                        void *dst = ELEM(Y, (n * O + o) * Ho * Wo + k);
                        R->add(R, dst, dst, ELEM(bias, o));
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
