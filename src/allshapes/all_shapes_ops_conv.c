/* all_shapes_ops_conv.c -- conv2d and conv_transpose2d as parametric
 * relations, and the layer's dims they share with the backward passes
 * (all_shapes_ops_conv_backward.c) (part of the trusted kernel: the
 * translation to isl relations; the scheme is in all_shapes_ops.h). */
#include "allshapes/all_shapes_layer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <isl/local_space.h>
#include <isl/val.h>

#include "eval/call.h"

/* ---- conv2d and relatives ------------------------------------------------------- */


void as_layer_clear(layer *L)
{
    isl_pw_aff_free(L->Ho);
    isl_pw_aff_free(L->Wo);
    isl_pw_aff_free(L->p[0]);
    isl_pw_aff_free(L->p[1]);
    isl_pw_aff_free(L->Og);
    isl_pw_aff_free(L->one);
}

/* Reads stride, padding, dilation, groups (parameter positions) and the
 * shapes of X and K; records conv2d_check's preconditions. */
as_rc as_layer_setup(as_tr *tr, layer *L, args *a, as_tensor *X, as_tensor *K,
                     int ps, int pp, int pd, int pg, cvp_srcpos pos)
{
    memset(L, 0, sizeof *L);
    L->one = as_pconst(tr, 1);
    if (X->rank != 4 && X->rank != 3)
        return as_reject(tr);
    if (K->rank != 4)
        return as_reject(tr);
    as_rc rc = as_all_plain(tr, X, pos);
    if (rc == AS_OK)
        rc = as_all_plain(tr, K, pos);
    if (rc == AS_OK)
        rc = as_arg_const_pair(tr, a, ps, "stride", 1, L->s);
    if (rc == AS_OK)
        rc = as_arg_int_pair(tr, a, pp, 0, L->p);
    if (rc == AS_OK)
        rc = as_arg_const_pair(tr, a, pd, "dilation", 1, L->d);
    if (rc == AS_OK)
        rc = as_const_value(tr, &a->v[pg], a->pos[pg], "groups", 1, &L->G);
    if (rc != AS_OK)
        return rc;
    if (L->G > AS_MAX_GROUPS)
        return as_na(tr, pos, "more than %d groups", AS_MAX_GROUPS);
    L->batched = X->rank == 4;
    int b = L->batched ? 1 : 0;
    L->N = L->batched ? X->size[0] : L->one;
    L->C = X->size[b];
    L->H = X->size[b + 1];
    L->W = X->size[b + 2];
    L->O = K->size[0];
    L->Cg = K->size[1];
    L->kH = K->size[2];
    L->kW = K->size[3];
    L->Og = as_p_fdiv(tr, L->O, L->G);
    return AS_OK;
}

void as_require_groups(as_tr *tr, isl_pw_aff *C, isl_pw_aff *O, isl_pw_aff *Cg, long G)
{
    as_require(tr, as_p_divisible(tr, C, G));
    as_require(tr, as_p_divisible(tr, O, G));
    isl_pw_aff *cg = as_p_fdiv(tr, C, G);
    as_require(tr, as_p_eq(Cg, cg));
    isl_pw_aff_free(cg);
}

isl_pw_aff *as_window_out(as_tr *tr, isl_pw_aff *in, isl_pw_aff *k, isl_pw_aff *p,
                          long d, long s)
{
    as_require(tr, as_p_ge(tr, k, 1));
    /* span = in + 2p - d(k - 1) - 1 >= 0 */
    isl_pw_aff *span = isl_pw_aff_add(isl_pw_aff_copy(in), as_fmul(isl_pw_aff_copy(p), 2));
    span = isl_pw_aff_sub(span, as_fmul(isl_pw_aff_sub(isl_pw_aff_copy(k), as_pconst(tr, 1)), d));
    span = isl_pw_aff_sub(span, as_pconst(tr, 1));
    as_require(tr, as_p_ge(tr, span, 0));
    isl_pw_aff *out = isl_pw_aff_add(as_p_fdiv(tr, span, s), as_pconst(tr, 1));
    isl_pw_aff_free(span);
    return out;
}

/* conv2d_check: groups divide the channels, K's second dim is C/groups,
 * and each output size (in + 2p - d(k-1) - 1) / s + 1 is >= 1. */
as_rc as_layer_forward_sizes(as_tr *tr, layer *L)
{
    as_require_groups(tr, L->C, L->O, L->Cg, L->G);
    L->Ho = as_window_out(tr, L->H, L->kH, L->p[0], L->d[0], L->s[0]);
    L->Wo = as_window_out(tr, L->W, L->kW, L->p[1], L->d[1], L->s[1]);
    return L->Ho && L->Wo ? AS_OK : as_fail(tr, "conv2d's output size");
}

/* An image-shaped tensor [N, ch, h, w] (or [ch, h, w]) of plain axes. */
static as_tensor *image_tensor(const layer *L, isl_pw_aff *ch, isl_pw_aff *h, isl_pw_aff *w)
{
    isl_pw_aff *sizes[4];
    int r = 0;
    if (L->batched)
        sizes[r++] = isl_pw_aff_copy(L->N);
    sizes[r++] = isl_pw_aff_copy(ch);
    sizes[r++] = isl_pw_aff_copy(h);
    sizes[r++] = isl_pw_aff_copy(w);
    return as_tensor_plain(r, sizes);
}


image_dims as_image_at(const layer *L, int f0)
{
    image_dims d;
    int b = L->batched ? 1 : 0;
    d.n = L->batched ? f0 : -1;
    d.c = f0 + b;
    d.h = f0 + b + 1;
    d.w = f0 + b + 2;
    return d;
}

/* The index of an image operand: n (a frame dim, if batched), then
 * channel, row, column (given). */
void as_image_index(frame *f, const layer *L, operand *op, int n,
                    isl_pw_aff *c, isl_pw_aff *h, isl_pw_aff *w)
{
    int k = 0;
    if (L->batched)
        op->idx[k++] = as_fvar(f, n);
    op->idx[k++] = c;
    op->idx[k++] = h;
    op->idx[k++] = w;
}

/* g*Og <= v < (g+1)*Og for a frame variable v (given). */
void as_in_group(frame *f, isl_pw_aff *v, isl_pw_aff *width, long g)
{
    as_frange_pa(f, v, as_fmul(as_fpar(f, width), g), as_fmul(as_fpar(f, width), g + 1));
}

/* The input, the weight and the optional bias (argument 2) of conv2d and
 * conv_transpose2d. */
static as_rc layer_operands(as_tr *tr, args *a, as_tensor **X, as_tensor **K,
                            as_tensor **B)
{
    as_rc rc = as_arg_tensor(tr, a, 0, X);
    if (rc == AS_OK)
        rc = as_arg_tensor(tr, a, 1, K);
    if (rc == AS_OK && a->v[2].kind != AV_NONE)
        rc = as_arg_tensor(tr, a, 2, B);
    return rc;
}

/* Y[n, o, h, w] += B[o], the channel axis of Y found by y. */
static as_rc add_bias(as_tr *tr, as_tensor *Y, const as_tensor *B,
                      image_dims y, cvp_srcpos pos)
{
    frame f;
    as_frame_init(&f, tr, Y, 0);
    operand op;
    op.t = B;
    op.idx[0] = as_fvar(&f, y.c);
    as_rc rc = as_contract(tr, Y, &f, 1, &op, 1, pos);
    as_frame_clear(&f);
    return rc;
}

as_rc as_fn_conv2d(as_tr *tr, as_value *out, args *a, cvp_srcpos pos)
{
    as_tensor *X = NULL, *K = NULL, *B = NULL;
    layer L;
    memset(&L, 0, sizeof L);
    as_rc rc = layer_operands(tr, a, &X, &K, &B);
    if (rc == AS_OK)
        rc = as_layer_setup(tr, &L, a, X, K, 3, 4, 5, 6, pos);
    if (rc == AS_OK)
        rc = as_layer_forward_sizes(tr, &L);
    if (rc == AS_OK && B != NULL) {
        if (B->rank != 1)
            rc = as_reject(tr);
        else
            rc = as_make_plain(tr, B, 0, pos);
        if (rc == AS_OK)
            as_require(tr, as_p_eq(B->size[0], L.O));
    }
    if (rc != AS_OK)
        goto done;
    as_tensor *Y = image_tensor(&L, L.O, L.Ho, L.Wo);
    as_give_tensor(out, Y);
    image_dims y = as_image_at(&L, 0);
    for (long g = 0; g < L.G && rc == AS_OK; g++) {
        /* sum over c' < Cg, u < kH, v < kW */
        frame f;
        as_frame_init(&f, tr, Y, 3);
        as_in_group(&f, as_fvar(&f, y.c), L.Og, g);
        as_fsum_range(&f, 0, L.Cg);
        as_fsum_range(&f, 1, L.kH);
        as_fsum_range(&f, 2, L.kW);
        operand ops[2];
        ops[0].t = K;
        ops[0].idx[0] = as_fvar(&f, y.c);
        ops[0].idx[1] = as_fsum(&f, 0);
        ops[0].idx[2] = as_fsum(&f, 1);
        ops[0].idx[3] = as_fsum(&f, 2);
        ops[1].t = X;
        isl_pw_aff *c = isl_pw_aff_add(as_fmul(as_fpar(&f, L.Cg), g), as_fsum(&f, 0));
        isl_pw_aff *h = isl_pw_aff_sub(isl_pw_aff_add(as_fmul(as_fvar(&f, y.h), L.s[0]),
                                                      as_fmul(as_fsum(&f, 1), L.d[0])),
                                       as_fpar(&f, L.p[0]));
        isl_pw_aff *w = isl_pw_aff_sub(isl_pw_aff_add(as_fmul(as_fvar(&f, y.w), L.s[1]),
                                                      as_fmul(as_fsum(&f, 2), L.d[1])),
                                       as_fpar(&f, L.p[1]));
        as_image_index(&f, &L, &ops[1], y.n, c, h, w);
        rc = as_contract(tr, Y, &f, 2, ops, 1, pos);
        as_frame_clear(&f);
    }
    if (rc == AS_OK && B != NULL)
        rc = add_bias(tr, Y, B, y, pos);
done:
    as_layer_clear(&L);
    as_tensor_free(X);
    as_tensor_free(K);
    as_tensor_free(B);
    return rc;
}

as_rc as_fn_conv_transpose2d(as_tr *tr, as_value *out, args *a, cvp_srcpos pos)
{
    as_tensor *X = NULL, *K = NULL, *B = NULL;
    isl_pw_aff *op_[2] = {NULL, NULL}, *O = NULL, *sizes[2] = {NULL, NULL};
    layer L;
    memset(&L, 0, sizeof L);
    as_rc rc = layer_operands(tr, a, &X, &K, &B);
    /* conv_transpose2d(input, weight, bias, stride, padding,
     * output_padding, groups, dilation) */
    if (rc == AS_OK)
        rc = as_layer_setup(tr, &L, a, X, K, 3, 4, 7, 6, pos);
    if (rc == AS_OK)
        rc = as_arg_int_pair(tr, a, 5, 0, op_);
    if (rc != AS_OK)
        goto done;
    /* K: [C, O/groups, kH, kW] */
    isl_pw_aff *Og = L.Cg;   /* K's dim 1 */
    as_require(tr, as_p_eq(K->size[0], L.C));
    as_require(tr, as_p_divisible(tr, L.C, L.G));
    isl_pw_aff *Cg = as_p_fdiv(tr, L.C, L.G);
    O = as_fmul(isl_pw_aff_copy(Og), L.G);
    isl_pw_aff *in[2] = {L.H, L.W}, *k[2] = {L.kH, L.kW};
    for (int x = 0; x < 2; x++) {
        /* output_padding < stride or < dilation */
        as_require(tr, isl_set_union(
            isl_pw_aff_lt_set(isl_pw_aff_copy(op_[x]), as_pconst(tr, L.s[x])),
            isl_pw_aff_lt_set(isl_pw_aff_copy(op_[x]), as_pconst(tr, L.d[x]))));
        /* (in - 1) s - 2p + d (k - 1) + op + 1 >= 1, in >= 1, k >= 1 */
        as_require(tr, as_p_ge(tr, in[x], 1));
        as_require(tr, as_p_ge(tr, k[x], 1));
        isl_pw_aff *size = as_fmul(isl_pw_aff_sub(isl_pw_aff_copy(in[x]), as_pconst(tr, 1)), L.s[x]);
        size = isl_pw_aff_sub(size, as_fmul(isl_pw_aff_copy(L.p[x]), 2));
        size = isl_pw_aff_add(size, as_fmul(isl_pw_aff_sub(isl_pw_aff_copy(k[x]), as_pconst(tr, 1)),
                                            L.d[x]));
        size = isl_pw_aff_add(isl_pw_aff_add(size, isl_pw_aff_copy(op_[x])), as_pconst(tr, 1));
        as_require(tr, as_p_ge(tr, size, 1));
        sizes[x] = size;
    }
    if (B != NULL) {
        if (B->rank != 1)
            rc = as_reject(tr);
        else
            rc = as_make_plain(tr, B, 0, pos);
        if (rc == AS_OK)
            as_require(tr, as_p_eq(B->size[0], O));
    }
    if (rc != AS_OK) {
        isl_pw_aff_free(Cg);
        goto done;
    }
    as_tensor *Y = image_tensor(&L, O, sizes[0], sizes[1]);
    as_give_tensor(out, Y);
    image_dims y = as_image_at(&L, 0);
    for (long g = 0; g < L.G && rc == AS_OK; g++) {
        /* sum over c' < Cg, i < H, j < W, u < kH, v < kW with
         * y = i s + u d - p, z = j s + v d - p */
        frame f;
        as_frame_init(&f, tr, Y, 5);
        as_in_group(&f, as_fvar(&f, y.c), Og, g);
        as_fsum_range(&f, 0, Cg);
        as_fsum_range(&f, 1, L.H);
        as_fsum_range(&f, 2, L.W);
        as_fsum_range(&f, 3, L.kH);
        as_fsum_range(&f, 4, L.kW);
        for (int x = 0; x < 2; x++) {
            isl_pw_aff *pos_ = isl_pw_aff_sub(isl_pw_aff_add(as_fmul(as_fsum(&f, 1 + x), L.s[x]),
                                                             as_fmul(as_fsum(&f, 3 + x), L.d[x])),
                                              as_fpar(&f, L.p[x]));
            as_fcon(&f, isl_pw_aff_eq_set(as_fvar(&f, x ? y.w : y.h), pos_));
        }
        operand ops[2];
        ops[0].t = X;
        isl_pw_aff *c = isl_pw_aff_add(as_fmul(as_fpar(&f, Cg), g), as_fsum(&f, 0));
        as_image_index(&f, &L, &ops[0], y.n, isl_pw_aff_copy(c), as_fsum(&f, 1), as_fsum(&f, 2));
        ops[1].t = K;
        ops[1].idx[0] = c;
        ops[1].idx[1] = isl_pw_aff_sub(as_fvar(&f, y.c), as_fmul(as_fpar(&f, Og), g));
        ops[1].idx[2] = as_fsum(&f, 3);
        ops[1].idx[3] = as_fsum(&f, 4);
        rc = as_contract(tr, Y, &f, 2, ops, 1, pos);
        as_frame_clear(&f);
    }
    isl_pw_aff_free(Cg);
    if (rc == AS_OK && B != NULL)
        rc = add_bias(tr, Y, B, y, pos);
done:
    isl_pw_aff_free(op_[0]);
    isl_pw_aff_free(op_[1]);
    isl_pw_aff_free(sizes[0]);
    isl_pw_aff_free(sizes[1]);
    isl_pw_aff_free(O);
    as_layer_clear(&L);
    as_tensor_free(X);
    as_tensor_free(K);
    as_tensor_free(B);
    return rc;
}
