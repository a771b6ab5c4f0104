/* impl_case.c -- operations, dimensions, layouts and test cases of
 * `convproof test-impl`, and their exact results. */
#include "ext/impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ext/compare.h"
#include "kernel/conv2d.h"
#include "kernel/conv2d_backward.h"
#include "kernel/pool.h"
#include "kernel/rng.h"

#define A CVP_IMPL_ACTIVATION
#define K CVP_IMPL_WEIGHT
#define B CVP_IMPL_BIAS

static const cvp_impl_op_info op_table[CVP_IMPL_OP_COUNT] = {
    [CVP_IMPL_CONV2D] = {"conv2d", true, false, false,
                         3, {"x", "weight", "bias"}, {A, K, B},
                         1, {"out"}, {A}},
    [CVP_IMPL_CONV2D_BACKWARD] = {"conv2d_backward", true, true, false,
                                  4, {"x", "weight", "bias", "grad_output"},
                                  {A, K, B, A},
                                  3, {"grad_input", "grad_weight", "grad_bias"},
                                  {A, K, B}},
    [CVP_IMPL_MAX_POOL2D] = {"max_pool2d", false, false, false,
                             1, {"x"}, {A}, 1, {"out"}, {A}},
    [CVP_IMPL_MAX_POOL2D_BACKWARD] = {"max_pool2d_backward", false, true, false,
                                      2, {"x", "grad_output"}, {A, A},
                                      1, {"grad_input"}, {A}},
    [CVP_IMPL_AVG_POOL2D] = {"avg_pool2d", false, false, true,
                             1, {"x"}, {A}, 1, {"out"}, {A}},
    [CVP_IMPL_AVG_POOL2D_BACKWARD] = {"avg_pool2d_backward", false, true, true,
                                      2, {"x", "grad_output"}, {A, A},
                                      1, {"grad_input"}, {A}},
};

#undef A
#undef K
#undef B

const cvp_impl_op_info *cvp_impl_op_get(cvp_impl_op op)
{
    CVP_ASSERT((unsigned)op < CVP_IMPL_OP_COUNT);
    return &op_table[op];
}

bool cvp_impl_op_parse(cvp_impl_op *op, const char *name)
{
    for (int k = 0; k < CVP_IMPL_OP_COUNT; k++)
        if (strcmp(op_table[k].name, name) == 0) {
            *op = (cvp_impl_op)k;
            return true;
        }
    return false;
}

const char *cvp_impl_layout_name(cvp_impl_layout layout)
{
    return layout == CVP_IMPL_NHWC ? "nhwc" : "nchw";
}

bool cvp_impl_layout_parse(cvp_impl_layout *layout, const char *name)
{
    if (strcmp(name, "nchw") == 0)
        *layout = CVP_IMPL_NCHW;
    else if (strcmp(name, "nhwc") == 0)
        *layout = CVP_IMPL_NHWC;
    else
        return false;
    return true;
}

/* ---- dimensions ------------------------------------------------------ */

static cvp_conv2d_params conv_params(const cvp_impl_dims *d)
{
    cvp_conv2d_params p = cvp_conv2d_params_default();
    for (int a = 0; a < 2; a++) {
        p.stride[a] = d->stride[a];
        p.padding[a] = d->padding[a];
        p.dilation[a] = d->dilation[a];
    }
    p.groups = d->groups;
    return p;
}

static cvp_pool2d_params pool_params(const cvp_impl_dims *d)
{
    cvp_pool2d_params p = cvp_pool2d_params_default(d->kernel[0], d->kernel[1]);
    for (int a = 0; a < 2; a++) {
        p.stride[a] = d->stride[a];
        p.padding[a] = d->padding[a];
    }
    return p;
}

cvp_status cvp_impl_dims_check(const cvp_impl_dims *d, cvp_impl_op op,
                               cvp_error *err)
{
    const cvp_impl_op_info *info = cvp_impl_op_get(op);
    if (d->n < 1 || d->c < 1 || d->h < 1 || d->w < 1 || d->o < 1
        || d->groups < 1)
        return cvp_error_set(err, CVP_ERR_INPUT, "sizes must be at least 1");
    for (int a = 0; a < 2; a++)
        if (d->kernel[a] < 1 || d->stride[a] < 1 || d->dilation[a] < 1)
            return cvp_error_set(err, CVP_ERR_INPUT,
                                 "kernel, stride and dilation must be at least 1");
    /* Sizes that cannot make a sensible test (and would overflow below). */
    size_t big = 1u << 20;
    if (d->n > big || d->c > big || d->h > big || d->w > big || d->o > big
        || d->kernel[0] > big || d->kernel[1] > big || d->stride[0] > big
        || d->stride[1] > big || d->padding[0] > big || d->padding[1] > big
        || d->dilation[0] > big || d->dilation[1] > big)
        return cvp_error_set(err, CVP_ERR_INPUT, "a size above 2^20");
    size_t out;
    if (info->conv) {
        if (d->c % d->groups != 0 || d->o % d->groups != 0)
            return cvp_error_set(err, CVP_ERR_INPUT,
                                 "groups (%zu) must divide C (%zu) and O (%zu)",
                                 d->groups, d->c, d->o);
        for (int a = 0; a < 2; a++) {
            cvp_status st = cvp_conv2d_out_dim(&out, a ? d->w : d->h,
                                               d->kernel[a], d->stride[a],
                                               d->padding[a], d->dilation[a],
                                               a ? "width" : "height", err);
            if (st != CVP_OK)
                return st;
        }
        return CVP_OK;
    }
    if (d->o != d->c || d->groups != 1 || d->dilation[0] != 1
        || d->dilation[1] != 1)
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "pooling has O = C, no groups and no dilation");
    for (int a = 0; a < 2; a++) {
        if (2 * d->padding[a] > d->kernel[a])
            return cvp_error_set(err, CVP_ERR_INPUT,
                                 "pooling padding %zu is more than half the "
                                 "window %zu", d->padding[a], d->kernel[a]);
        cvp_status st = cvp_pool2d_out_dim(&out, a ? d->w : d->h, d->kernel[a],
                                           d->stride[a], d->padding[a], 1,
                                           false, a ? "width" : "height", err);
        if (st != CVP_OK)
            return st;
    }
    return CVP_OK;
}

void cvp_impl_dims_out(size_t out[2], const cvp_impl_dims *d, cvp_impl_op op)
{
    cvp_status st = CVP_OK;
    for (int a = 0; a < 2 && st == CVP_OK; a++) {
        size_t in = a ? d->w : d->h;
        if (cvp_impl_op_get(op)->conv)
            st = cvp_conv2d_out_dim(&out[a], in, d->kernel[a], d->stride[a],
                                    d->padding[a], d->dilation[a], "", NULL);
        else
            st = cvp_pool2d_out_dim(&out[a], in, d->kernel[a], d->stride[a],
                                    d->padding[a], 1, false, "", NULL);
    }
    CVP_ASSERT(st == CVP_OK);
}

void cvp_impl_dims_format(char *buf, size_t size, const cvp_impl_dims *d,
                          cvp_impl_op op)
{
    bool conv = cvp_impl_op_get(op)->conv;
    int used = snprintf(buf, size, "N=%zu, C=%zu, H=%zu, W=%zu", d->n, d->c,
                        d->h, d->w);
    if (conv && used >= 0 && (size_t)used < size)
        used += snprintf(buf + used, size - (size_t)used, ", O=%zu", d->o);
    if (used >= 0 && (size_t)used < size)
        used += snprintf(buf + used, size - (size_t)used,
                         ", K=%zux%zu, S=%zux%zu, P=%zux%zu", d->kernel[0],
                         d->kernel[1], d->stride[0], d->stride[1],
                         d->padding[0], d->padding[1]);
    if (conv && (d->dilation[0] != 1 || d->dilation[1] != 1) && used >= 0
        && (size_t)used < size)
        used += snprintf(buf + used, size - (size_t)used, ", D=%zux%zu",
                         d->dilation[0], d->dilation[1]);
    if (conv && d->groups != 1 && used >= 0 && (size_t)used < size)
        snprintf(buf + used, size - (size_t)used, ", G=%zu", d->groups);
}

/* The canonical shape of a tensor of the given kind and role. */
static void canonical_shape(int *rank, size_t shape[CVP_MAX_RANK],
                            const cvp_impl_dims *d, cvp_impl_op op,
                            cvp_impl_kind kind, bool spatial_out)
{
    size_t out[2];
    memset(shape, 0, CVP_MAX_RANK * sizeof *shape);
    switch (kind) {
    case CVP_IMPL_ACTIVATION:
        *rank = 4;
        shape[0] = d->n;
        if (spatial_out) {
            cvp_impl_dims_out(out, d, op);
            shape[1] = cvp_impl_op_get(op)->conv ? d->o : d->c;
            shape[2] = out[0];
            shape[3] = out[1];
        } else {
            shape[1] = d->c;
            shape[2] = d->h;
            shape[3] = d->w;
        }
        return;
    case CVP_IMPL_WEIGHT:
        *rank = 4;
        shape[0] = d->o;
        shape[1] = d->c / d->groups;
        shape[2] = d->kernel[0];
        shape[3] = d->kernel[1];
        return;
    case CVP_IMPL_BIAS:
        *rank = 1;
        shape[0] = d->o;
        return;
    }
    CVP_ASSERT(!"bad tensor kind");
}

static void to_layout_shape(int *rank, size_t shape[CVP_MAX_RANK],
                            cvp_impl_kind kind, cvp_impl_layout layout)
{
    if (layout == CVP_IMPL_NCHW)
        return;
    size_t s[CVP_MAX_RANK];
    memcpy(s, shape, sizeof s);
    switch (kind) {
    case CVP_IMPL_ACTIVATION:          /* NCHW -> NHWC */
        shape[0] = s[0], shape[1] = s[2], shape[2] = s[3], shape[3] = s[1];
        return;
    case CVP_IMPL_WEIGHT:              /* OIHW -> HWIO */
        shape[0] = s[2], shape[1] = s[3], shape[2] = s[1], shape[3] = s[0];
        return;
    case CVP_IMPL_BIAS:                /* [O] -> [1, 1, 1, O] */
        *rank = 4;
        shape[0] = shape[1] = shape[2] = 1;
        shape[3] = s[0];
        return;
    }
}

/* Which inputs/outputs are sized by the output rather than the input. */
static bool input_is_output_sized(cvp_impl_op op, size_t k)
{
    return strcmp(cvp_impl_op_get(op)->inputs[k], "grad_output") == 0;
}

static bool output_is_output_sized(cvp_impl_op op, size_t k)
{
    return strcmp(cvp_impl_op_get(op)->outputs[k], "out") == 0;
}

void cvp_impl_input_shape(int *rank, size_t shape[CVP_MAX_RANK],
                          const cvp_impl_dims *d, cvp_impl_op op, size_t k,
                          cvp_impl_layout layout)
{
    const cvp_impl_op_info *info = cvp_impl_op_get(op);
    CVP_ASSERT(k < info->input_count);
    canonical_shape(rank, shape, d, op, info->input_kinds[k],
                    input_is_output_sized(op, k));
    to_layout_shape(rank, shape, info->input_kinds[k], layout);
}

void cvp_impl_output_shape(int *rank, size_t shape[CVP_MAX_RANK],
                           const cvp_impl_dims *d, cvp_impl_op op, size_t k,
                           cvp_impl_layout layout)
{
    const cvp_impl_op_info *info = cvp_impl_op_get(op);
    CVP_ASSERT(k < info->output_count);
    canonical_shape(rank, shape, d, op, info->output_kinds[k],
                    output_is_output_sized(op, k));
    to_layout_shape(rank, shape, info->output_kinds[k], layout);
}

cvp_status cvp_impl_convert(cvp_tensor_t out, const cvp_tensor_t t,
                            cvp_impl_kind kind, cvp_impl_layout layout,
                            bool to_canonical, cvp_error *err)
{
    if (layout == CVP_IMPL_NCHW)
        return out == t ? CVP_OK : cvp_tensor_set(out, t, err);
    static const int to_nhwc[4] = {0, 2, 3, 1}, from_nhwc[4] = {0, 3, 1, 2};
    static const int to_hwio[4] = {2, 3, 1, 0}, from_hwio[4] = {3, 2, 0, 1};
    switch (kind) {
    case CVP_IMPL_ACTIVATION:
        if (t->rank != 4)
            return cvp_error_set(err, CVP_ERR_INPUT, "an activation has rank 4");
        return cvp_tensor_permute(out, t, to_canonical ? from_nhwc : to_nhwc, err);
    case CVP_IMPL_WEIGHT:
        if (t->rank != 4)
            return cvp_error_set(err, CVP_ERR_INPUT, "a kernel has rank 4");
        return cvp_tensor_permute(out, t, to_canonical ? from_hwio : to_hwio, err);
    case CVP_IMPL_BIAS: {
        size_t shape[4] = {1, 1, 1, t->size};
        if (to_canonical)
            return cvp_tensor_reshape(out, t, 1, shape + 3, err);
        return cvp_tensor_reshape(out, t, 4, shape, err);
    }
    }
    return cvp_error_set(err, CVP_ERR_INPUT, "bad tensor kind");
}

/* ---- cases ----------------------------------------------------------- */

void cvp_impl_case_init(cvp_impl_case *c)
{
    memset(c, 0, sizeof *c);
    for (int k = 0; k < CVP_IMPL_MAX_INPUTS; k++)
        cvp_tensor_init(c->inputs[k]);
}

void cvp_impl_case_clear(cvp_impl_case *c)
{
    for (int k = 0; k < CVP_IMPL_MAX_INPUTS; k++)
        cvp_tensor_clear(c->inputs[k]);
}

cvp_status cvp_impl_case_set(cvp_impl_case *dst, const cvp_impl_case *src,
                             cvp_error *err)
{
    if (dst == src)
        return CVP_OK;
    dst->op = src->op;
    dst->d = src->d;
    dst->lo = src->lo;
    dst->hi = src->hi;
    dst->seed = src->seed;
    for (int k = 0; k < CVP_IMPL_MAX_INPUTS; k++) {
        cvp_status st = cvp_tensor_set(dst->inputs[k], src->inputs[k], err);
        if (st != CVP_OK)
            return st;
    }
    return CVP_OK;
}

bool cvp_impl_case_same(const cvp_impl_case *a, const cvp_impl_case *b)
{
    if (a->op != b->op || memcmp(&a->d, &b->d, sizeof a->d) != 0)
        return false;
    const cvp_impl_op_info *info = cvp_impl_op_get(a->op);
    for (size_t k = 0; k < info->input_count; k++)
        if (!cvp_tensor_same_shape(a->inputs[k], b->inputs[k])
            || !cvp_tensor_equal(a->inputs[k], b->inputs[k]))
            return false;
    return true;
}

static uint64_t mix(uint64_t a, uint64_t b)
{
    uint64_t z = a ^ (b + 0x9E3779B97F4A7C15ull + (a << 6) + (a >> 2));
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

cvp_status cvp_impl_case_fill(cvp_impl_case *c, cvp_impl_op op,
                              const cvp_impl_dims *d, int64_t lo, int64_t hi,
                              uint64_t seed, cvp_error *err)
{
    cvp_status st = cvp_impl_dims_check(d, op, err);
    if (st != CVP_OK)
        return st;
    CVP_ASSERT(lo <= hi);
    c->op = op;
    c->d = *d;
    c->lo = lo;
    c->hi = hi;
    c->seed = seed;
    cvp_rng rng;
    cvp_rng_seed(&rng, seed);
    const cvp_impl_op_info *info = cvp_impl_op_get(op);
    for (size_t k = 0; k < CVP_IMPL_MAX_INPUTS; k++) {
        int rank;
        size_t shape[CVP_MAX_RANK] = {0};
        if (k >= info->input_count) {
            cvp_tensor_resize(c->inputs[k], 0, shape, NULL);
            continue;
        }
        cvp_impl_input_shape(&rank, shape, d, op, k, CVP_IMPL_NCHW);
        st = cvp_tensor_resize(c->inputs[k], rank, shape, err);
        if (st != CVP_OK)
            return st;
        cvp_tensor_random_int(c->inputs[k], &rng, lo, hi);
    }
    return CVP_OK;
}

cvp_status cvp_impl_case_redim(cvp_impl_case *c, const cvp_impl_dims *d,
                               uint64_t salt, cvp_error *err)
{
    cvp_impl_crop none;
    memset(&none, 0, sizeof none);
    return cvp_impl_case_crop(c, d, &none, salt, err);
}

/* The offset of each axis of input k in the old tensor (impl.h). */
static void crop_offsets(size_t at[CVP_MAX_RANK], const cvp_impl_case *c,
                         size_t k, const cvp_impl_crop *crop)
{
    const cvp_impl_op_info *info = cvp_impl_op_get(c->op);
    memset(at, 0, CVP_MAX_RANK * sizeof *at);
    switch (info->input_kinds[k]) {
    case CVP_IMPL_ACTIVATION: {
        bool output_sized = input_is_output_sized(c->op, k);
        const size_t *spatial = output_sized ? crop->out : crop->in;
        at[0] = crop->n;
        at[1] = output_sized && info->conv ? crop->o : crop->c;
        at[2] = spatial[0];
        at[3] = spatial[1];
        break;
    }
    case CVP_IMPL_WEIGHT:
        at[0] = crop->o;
        at[1] = crop->c;
        break;
    case CVP_IMPL_BIAS:
        at[0] = crop->o;
        break;
    }
}

cvp_status cvp_impl_case_crop(cvp_impl_case *c, const cvp_impl_dims *d,
                              const cvp_impl_crop *crop, uint64_t salt,
                              cvp_error *err)
{
    cvp_status st = cvp_impl_dims_check(d, c->op, err);
    if (st != CVP_OK)
        return st;
    const cvp_impl_op_info *info = cvp_impl_op_get(c->op);
    cvp_rng rng;
    cvp_rng_seed(&rng, mix(c->seed, salt));
    cvp_tensor_t t;
    cvp_tensor_init(t);
    for (size_t k = 0; k < info->input_count && st == CVP_OK; k++) {
        int rank;
        size_t shape[CVP_MAX_RANK];
        cvp_impl_input_shape(&rank, shape, d, c->op, k, CVP_IMPL_NCHW);
        st = cvp_tensor_resize(t, rank, shape, err);
        if (st != CVP_OK)
            break;
        const cvp_tensor_struct *old = c->inputs[k];
        CVP_ASSERT(old->rank == rank);
        size_t skip[CVP_MAX_RANK];
        crop_offsets(skip, c, k, crop);
        for (size_t flat = 0; flat < t->size; flat++) {
            size_t index[CVP_MAX_RANK], rest = flat;
            bool inside = true;
            for (int a = rank; a-- > 0;) {
                index[a] = rest % shape[a] + skip[a];
                rest /= shape[a];
                if (index[a] >= old->shape[a])
                    inside = false;
            }
            if (inside)
                mpq_set(cvp_tensor_at(t, flat),
                        cvp_tensor_at(old, cvp_tensor_offset(old, index)));
            else
                mpq_set_si(cvp_tensor_at(t, flat),
                           (long)cvp_rng_range(&rng, c->lo, c->hi), 1);
        }
        cvp_tensor_swap(t, c->inputs[k]);
    }
    cvp_tensor_clear(t);
    if (st == CVP_OK)
        c->d = *d;
    return st;
}

size_t cvp_impl_case_entries(const cvp_impl_case *c, size_t *nonzero)
{
    size_t total = 0, nz = 0;
    const cvp_impl_op_info *info = cvp_impl_op_get(c->op);
    for (size_t k = 0; k < info->input_count; k++) {
        total += c->inputs[k]->size;
        for (size_t e = 0; e < c->inputs[k]->size; e++)
            if (mpq_sgn(cvp_tensor_at(c->inputs[k], e)) != 0)
                nz++;
    }
    if (nonzero != NULL)
        *nonzero = nz;
    return total;
}

/* ---- exact results --------------------------------------------------- */

cvp_status cvp_impl_expected(cvp_tensor_t out[CVP_IMPL_MAX_OUTPUTS],
                             const cvp_impl_case *c, cvp_error *err)
{
    cvp_conv2d_params cp = conv_params(&c->d);
    cvp_pool2d_params pp = pool_params(&c->d);
    switch (c->op) {
    case CVP_IMPL_CONV2D:
        return cvp_conv2d(out[0], c->inputs[0], c->inputs[1], c->inputs[2],
                          &cp, err);
    case CVP_IMPL_CONV2D_BACKWARD: {
        cvp_status st = cvp_conv2d_backward_input(out[0], c->inputs[0],
                                                  c->inputs[1], c->inputs[3],
                                                  &cp, err);
        if (st == CVP_OK)
            st = cvp_conv2d_backward_weight(out[1], c->inputs[0], c->inputs[1],
                                            c->inputs[3], &cp, err);
        if (st == CVP_OK)
            st = cvp_conv2d_backward_bias(out[2], c->inputs[3], err);
        return st;
    }
    case CVP_IMPL_MAX_POOL2D:
        return cvp_max_pool2d(out[0], c->inputs[0], &pp, err);
    case CVP_IMPL_MAX_POOL2D_BACKWARD:
        return cvp_max_pool2d_backward(out[0], c->inputs[0], c->inputs[1], &pp,
                                       err);
    case CVP_IMPL_AVG_POOL2D:
        return cvp_avg_pool2d(out[0], c->inputs[0], &pp, err);
    case CVP_IMPL_AVG_POOL2D_BACKWARD:
        return cvp_avg_pool2d_backward(out[0], c->inputs[0], c->inputs[1], &pp,
                                       err);
    case CVP_IMPL_OP_COUNT:
        break;
    }
    return cvp_error_set(err, CVP_ERR_INPUT, "bad operation");
}

static size_t ceil_div(size_t a, size_t b)
{
    return (a + b - 1) / b;
}

cvp_status cvp_impl_abs_sums(cvp_tensor_t sums[CVP_IMPL_MAX_OUTPUTS],
                             unsigned long terms[CVP_IMPL_MAX_OUTPUTS],
                             unsigned long *divisor, const cvp_impl_case *c,
                             cvp_error *err)
{
    const cvp_impl_dims *d = &c->d;
    cvp_conv2d_params cp = conv_params(d);
    cvp_pool2d_params pp = pool_params(d);
    size_t out[2];
    cvp_impl_dims_out(out, d, c->op);
    /* Windows that can cover one input position (stride >= 1). */
    unsigned long covering = (unsigned long)(ceil_div(d->kernel[0], d->stride[0])
                                             * ceil_div(d->kernel[1], d->stride[1]));
    unsigned long window = (unsigned long)(d->kernel[0] * d->kernel[1]);
    unsigned long per_output = (unsigned long)(d->n * out[0] * out[1]);
    *divisor = 1;
    cvp_tensor_t a[CVP_IMPL_MAX_INPUTS];
    for (int k = 0; k < CVP_IMPL_MAX_INPUTS; k++)
        cvp_tensor_init(a[k]);
    cvp_status st = CVP_OK;
    const cvp_impl_op_info *info = cvp_impl_op_get(c->op);
    for (size_t k = 0; k < info->input_count && st == CVP_OK; k++)
        st = cvp_tensor_abs(a[k], c->inputs[k], err);
    if (st != CVP_OK)
        goto done;
    switch (c->op) {
    case CVP_IMPL_CONV2D:
        st = cvp_conv2d(sums[0], a[0], a[1], a[2], &cp, err);
        terms[0] = (unsigned long)(d->c / d->groups) * window + 1;
        break;
    case CVP_IMPL_CONV2D_BACKWARD:
        st = cvp_conv2d_backward_input(sums[0], a[0], a[1], a[3], &cp, err);
        if (st == CVP_OK)
            st = cvp_conv2d_backward_weight(sums[1], a[0], a[1], a[3], &cp, err);
        if (st == CVP_OK)
            st = cvp_conv2d_backward_bias(sums[2], a[3], err);
        terms[0] = (unsigned long)(d->o / d->groups) * window;
        terms[1] = per_output;
        terms[2] = per_output;
        break;
    case CVP_IMPL_MAX_POOL2D:
        /* A maximum is one of the inputs: exact in any format. */
        st = cvp_max_pool2d(sums[0], c->inputs[0], &pp, err);
        if (st == CVP_OK)
            st = cvp_tensor_abs(sums[0], sums[0], err);
        terms[0] = 0;
        break;
    case CVP_IMPL_MAX_POOL2D_BACKWARD:
        st = cvp_max_pool2d_backward(sums[0], c->inputs[0], a[1], &pp, err);
        terms[0] = covering;
        break;
    case CVP_IMPL_AVG_POOL2D:
        st = cvp_avg_pool2d(sums[0], a[0], &pp, err);
        terms[0] = window + 1;
        *divisor = window;
        break;
    case CVP_IMPL_AVG_POOL2D_BACKWARD:
        st = cvp_avg_pool2d_backward(sums[0], c->inputs[0], a[1], &pp, err);
        terms[0] = covering + 1;
        *divisor = window;
        break;
    case CVP_IMPL_OP_COUNT:
        st = cvp_error_set(err, CVP_ERR_INPUT, "bad operation");
        break;
    }
done:
    for (int k = 0; k < CVP_IMPL_MAX_INPUTS; k++)
        cvp_tensor_clear(a[k]);
    return st;
}
