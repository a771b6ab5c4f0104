/* all_shapes_ops_conv_backward.c -- the backward passes of conv2d (to
 * the input, the weight and the bias), their explicit matrices and their
 * multiplication counts as parametric relations (part of the trusted
 * kernel: the translation to isl relations; the scheme is in
 * all_shapes_ops.h, the layer's dims in all_shapes_layer.h). */
#include "allshapes/all_shapes_layer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <isl/local_space.h>
#include <isl/val.h>

#include "eval/call.h"

/* The gradient G of a layer must have conv2d's output shape. */
static as_rc require_output_shape(as_tr *tr, const layer *L, as_tensor *G,
                                  const as_tensor *X, cvp_srcpos pos)
{
    if (G->rank != X->rank)
        return as_reject(tr);
    as_rc rc = as_all_plain(tr, G, pos);
    if (rc != AS_OK)
        return rc;
    isl_pw_aff *want[4];
    int r = 0;
    if (L->batched)
        want[r++] = L->N;
    want[r++] = L->O;
    want[r++] = L->Ho;
    want[r++] = L->Wo;
    for (int k = 0; k < r; k++)
        as_require(tr, as_p_eq(G->size[k], want[k]));
    return AS_OK;
}

as_rc as_fn_layer_linear(as_tr *tr, as_value *out, args *a, layer_linear kind,
                         cvp_srcpos pos)
{
    as_tensor *X = NULL, *K = NULL, *G = NULL;
    layer L;
    memset(&L, 0, sizeof L);
    bool matrix = kind == MX_INPUT || kind == MX_WEIGHT;
    int p0 = matrix ? 2 : 3;
    as_rc rc = as_arg_tensor(tr, a, 0, &X);
    if (rc == AS_OK)
        rc = as_arg_tensor(tr, a, 1, &K);
    if (rc == AS_OK && !matrix)
        rc = as_arg_tensor(tr, a, 2, &G);
    if (rc == AS_OK)
        rc = as_layer_setup(tr, &L, a, X, K, p0, p0 + 1, p0 + 2, p0 + 3, pos);
    if (rc == AS_OK)
        rc = as_layer_forward_sizes(tr, &L);
    if (rc == AS_OK && !matrix)
        rc = require_output_shape(tr, &L, G, X, pos);
    if (rc != AS_OK)
        goto done;
    as_tensor *Y;
    if (kind == BW_INPUT) {
        Y = as_tensor_like(X);
    } else if (kind == BW_WEIGHT) {
        Y = as_tensor_like(K);
    } else {
        /* rows: [N, O, Ho, Wo]; columns: X's or K's axes */
        Y = as_tensor_new(2);
        as_push_sub(Y, 0, isl_pw_aff_copy(L.N));
        as_push_sub(Y, 0, isl_pw_aff_copy(L.O));
        as_push_sub(Y, 0, isl_pw_aff_copy(L.Ho));
        as_push_sub(Y, 0, isl_pw_aff_copy(L.Wo));
        const as_tensor *col = kind == MX_INPUT ? X : K;
        for (int d = 0; d < col->ndims; d++)
            as_push_sub(Y, 1, isl_pw_aff_copy(col->size[d]));
    }
    as_give_tensor(out, Y);
    for (long g = 0; g < L.G && rc == AS_OK; g++) {
        frame f;
        operand ops[2];
        int nops = 2;
        if (kind == BW_INPUT) {
            /* dX[n,c,h,w] = sum over o' < Og, i < Ho, j < Wo, u < kH, v < kW
             * with h + ph = i sh + u dh, w + pw = j sw + v dw of
             * K[g Og + o', c - g Cg, u, v] * G[n, g Og + o', i, j] */
            image_dims x = as_image_at(&L, 0);
            as_frame_init(&f, tr, Y, 5);
            as_in_group(&f, as_fvar(&f, x.c), L.Cg, g);
            as_fsum_range(&f, 0, L.Og);
            as_fsum_range(&f, 1, L.Ho);
            as_fsum_range(&f, 2, L.Wo);
            as_fsum_range(&f, 3, L.kH);
            as_fsum_range(&f, 4, L.kW);
            for (int e = 0; e < 2; e++) {
                isl_pw_aff *lhs = isl_pw_aff_add(as_fvar(&f, e ? x.w : x.h), as_fpar(&f, L.p[e]));
                isl_pw_aff *rhs = isl_pw_aff_add(as_fmul(as_fsum(&f, 1 + e), L.s[e]),
                                                 as_fmul(as_fsum(&f, 3 + e), L.d[e]));
                as_fcon(&f, isl_pw_aff_eq_set(lhs, rhs));
            }
            isl_pw_aff *o = isl_pw_aff_add(as_fmul(as_fpar(&f, L.Og), g), as_fsum(&f, 0));
            ops[0].t = K;
            ops[0].idx[0] = isl_pw_aff_copy(o);
            ops[0].idx[1] = isl_pw_aff_sub(as_fvar(&f, x.c), as_fmul(as_fpar(&f, L.Cg), g));
            ops[0].idx[2] = as_fsum(&f, 3);
            ops[0].idx[3] = as_fsum(&f, 4);
            ops[1].t = G;
            as_image_index(&f, &L, &ops[1], x.n, o, as_fsum(&f, 1), as_fsum(&f, 2));
        } else if (kind == BW_WEIGHT) {
            /* dK[o,c',u,v] = sum over n < N, i < Ho, j < Wo of
             * G[n, o, i, j] * X[n, g Cg + c', u dh + i sh - ph, v dw + j sw - pw] */
            int nb = L.batched ? 1 : 0;
            as_frame_init(&f, tr, Y, nb + 2);
            as_in_group(&f, as_fvar(&f, 0), L.Og, g);
            if (L.batched)
                as_fsum_range(&f, 0, L.N);
            as_fsum_range(&f, nb, L.Ho);
            as_fsum_range(&f, nb + 1, L.Wo);
            ops[0].t = G;
            as_image_index(&f, &L, &ops[0], f.no, as_fvar(&f, 0), as_fsum(&f, nb), as_fsum(&f, nb + 1));
            ops[1].t = X;
            isl_pw_aff *c = isl_pw_aff_add(as_fmul(as_fpar(&f, L.Cg), g), as_fvar(&f, 1));
            isl_pw_aff *h = isl_pw_aff_sub(isl_pw_aff_add(as_fmul(as_fvar(&f, 2), L.d[0]),
                                                          as_fmul(as_fsum(&f, nb), L.s[0])),
                                           as_fpar(&f, L.p[0]));
            isl_pw_aff *w = isl_pw_aff_sub(isl_pw_aff_add(as_fmul(as_fvar(&f, 3), L.d[1]),
                                                          as_fmul(as_fsum(&f, nb + 1), L.s[1])),
                                           as_fpar(&f, L.p[1]));
            as_image_index(&f, &L, &ops[1], f.no, c, h, w);
        } else {
            /* rows (n, o, i, j), columns (n2, c, h, w) or (o2, c', u, v) */
            int cols = 4;   /* first column dim */
            as_frame_init(&f, tr, Y, kind == MX_INPUT ? 3 : 0);
            as_in_group(&f, as_fvar(&f, 1), L.Og, g);
            isl_pw_aff *hpos[2];
            for (int e = 0; e < 2; e++) {
                isl_pw_aff *kv = kind == MX_INPUT ? as_fsum(&f, 1 + e) : as_fvar(&f, cols + 2 + e);
                hpos[e] = isl_pw_aff_sub(isl_pw_aff_add(as_fmul(as_fvar(&f, 2 + e), L.s[e]),
                                                        as_fmul(kv, L.d[e])),
                                         as_fpar(&f, L.p[e]));
            }
            if (kind == MX_INPUT) {
                image_dims x = as_image_at(&L, cols);
                /* the same batch entry, channel c = g Cg + c', (h, w) reached */
                if (L.batched)
                    as_fcon(&f, isl_pw_aff_eq_set(as_fvar(&f, x.n), as_fvar(&f, 0)));
                as_fsum_range(&f, 0, L.Cg);
                as_fsum_range(&f, 1, L.kH);
                as_fsum_range(&f, 2, L.kW);
                as_fcon(&f, isl_pw_aff_eq_set(as_fvar(&f, x.c),
                                           isl_pw_aff_add(as_fmul(as_fpar(&f, L.Cg), g), as_fsum(&f, 0))));
                as_fcon(&f, isl_pw_aff_eq_set(as_fvar(&f, x.h), hpos[0]));
                as_fcon(&f, isl_pw_aff_eq_set(as_fvar(&f, x.w), hpos[1]));
                ops[0].t = K;
                ops[0].idx[0] = as_fvar(&f, 1);
                ops[0].idx[1] = as_fsum(&f, 0);
                ops[0].idx[2] = as_fsum(&f, 1);
                ops[0].idx[3] = as_fsum(&f, 2);
            } else {
                /* column (o2, c', u, v) with o2 = o: X[n, g Cg + c', h, w] */
                as_fcon(&f, isl_pw_aff_eq_set(as_fvar(&f, cols), as_fvar(&f, 1)));
                ops[0].t = X;
                isl_pw_aff *c = isl_pw_aff_add(as_fmul(as_fpar(&f, L.Cg), g), as_fvar(&f, cols + 1));
                as_image_index(&f, &L, &ops[0], 0, c, hpos[0], hpos[1]);
            }
            nops = 1;
        }
        rc = as_contract(tr, Y, &f, nops, ops, 1, pos);
        as_frame_clear(&f);
    }
    if (rc == AS_OK && matrix)
        rc = as_drop_units(tr, Y);
done:
    as_layer_clear(&L);
    as_tensor_free(X);
    as_tensor_free(K);
    as_tensor_free(G);
    return rc;
}

as_rc as_fn_backward_bias(as_tr *tr, as_value *out, args *a, cvp_srcpos pos)
{
    as_tensor *G = NULL;
    as_rc rc = as_arg_tensor(tr, a, 0, &G);
    if (rc == AS_OK && G->rank != 3 && G->rank != 4)
        rc = as_reject(tr);
    if (rc == AS_OK)
        rc = as_all_plain(tr, G, pos);
    if (rc != AS_OK) {
        as_tensor_free(G);
        return rc;
    }
    int b = G->rank == 4 ? 1 : 0;
    isl_pw_aff *O = isl_pw_aff_copy(G->size[b]);
    as_tensor *Y = as_tensor_plain(1, &O);
    as_give_tensor(out, Y);
    /* dB[o] = sum over n, i, j of G[n, o, i, j] */
    frame f;
    as_frame_init(&f, tr, Y, b + 2);
    operand op;
    op.t = G;
    int k = 0;
    if (b) {
        as_fsum_range(&f, 0, G->size[0]);
        op.idx[k++] = as_fsum(&f, 0);
    }
    op.idx[k++] = as_fvar(&f, 0);
    as_fsum_range(&f, b, G->size[b + 1]);
    as_fsum_range(&f, b + 1, G->size[b + 2]);
    op.idx[k++] = as_fsum(&f, b);
    op.idx[k++] = as_fsum(&f, b + 1);
    rc = as_contract(tr, Y, &f, 1, &op, 1, pos);
    as_frame_clear(&f);
    as_tensor_free(G);
    return rc;
}

/* ---- the backward passes' counts ------------------------------------------------ */

/* kernel/conv2d_backward.c runs one textbook operator per (n, o, cg)
 * plane, and counts it as textbook.c does (out_rows out_cols U V, padded
 * and dilated taps included):
 *   input:  wide(rot180(dilate(K plane, d)), dilate(G plane, s)): with
 *           Hd = s (Ho - 1) + 1 and kHd = d (kH - 1) + 1 (the same for W),
 *           (Hd + kHd - 1) (Wd + kWd - 1) kHd kWd;
 *   weight: xcorr(G plane, pad(X plane, p)), taps s apart, steps of d:
 *           R = floor((H + 2p - s (Ho - 1) - 1) / d) + 1 rows (the same
 *           for columns), R S Ho Wo.
 * Times N O Cg planes.  Factors are pw_affs in the dims; their product
 * is the count.  all_shapes_cost_compare.c cross-checks the result with
 * the evaluator's count at small shapes before a claim passes. */
as_rc as_layer_backward_mults(as_tr *tr, args *a, layer_linear kind, cvp_srcpos pos,
                              isl_pw_qpolynomial **out)
{
    *out = NULL;
    CVP_ASSERT(kind == BW_INPUT || kind == BW_WEIGHT);
    as_tensor *X = NULL, *K = NULL, *G = NULL;
    layer L;
    memset(&L, 0, sizeof L);
    as_rc rc = as_arg_tensor(tr, a, 0, &X);
    if (rc == AS_OK)
        rc = as_arg_tensor(tr, a, 1, &K);
    if (rc == AS_OK)
        rc = as_arg_tensor(tr, a, 2, &G);
    if (rc == AS_OK)
        rc = as_layer_setup(tr, &L, a, X, K, 3, 4, 5, 6, pos);
    if (rc == AS_OK)
        rc = as_layer_forward_sizes(tr, &L);
    isl_pw_aff *factor[7];
    int nf = 0;
    if (rc == AS_OK) {
        factor[nf++] = isl_pw_aff_copy(L.N);
        factor[nf++] = isl_pw_aff_copy(L.O);
        factor[nf++] = isl_pw_aff_copy(L.Cg);
        isl_pw_aff *in[2] = {L.H, L.W}, *k[2] = {L.kH, L.kW}, *o[2] = {L.Ho, L.Wo};
        for (int e = 0; e < 2; e++) {
            if (kind == BW_INPUT) {
                isl_pw_aff *hd = isl_pw_aff_add(
                    as_fmul(isl_pw_aff_sub(isl_pw_aff_copy(o[e]), as_pconst(tr, 1)), L.s[e]),
                    as_pconst(tr, 1));
                isl_pw_aff *kd = isl_pw_aff_add(
                    as_fmul(isl_pw_aff_sub(isl_pw_aff_copy(k[e]), as_pconst(tr, 1)), L.d[e]),
                    as_pconst(tr, 1));
                factor[nf++] = isl_pw_aff_sub(isl_pw_aff_add(hd, isl_pw_aff_copy(kd)),
                                              as_pconst(tr, 1));
                factor[nf++] = kd;
            } else {
                /* H + 2p - s (Ho - 1) - 1 */
                isl_pw_aff *span = isl_pw_aff_add(isl_pw_aff_copy(in[e]),
                                                  as_fmul(isl_pw_aff_copy(L.p[e]), 2));
                span = isl_pw_aff_sub(span, as_fmul(isl_pw_aff_sub(isl_pw_aff_copy(o[e]),
                                                                   as_pconst(tr, 1)), L.s[e]));
                span = isl_pw_aff_sub(span, as_pconst(tr, 1));
                factor[nf++] = isl_pw_aff_add(as_p_fdiv(tr, span, L.d[e]), as_pconst(tr, 1));
                isl_pw_aff_free(span);
                factor[nf++] = isl_pw_aff_copy(o[e]);
            }
        }
    }
    isl_pw_qpolynomial *count = NULL;
    if (rc == AS_OK) {
        count = isl_pw_qpolynomial_from_qpolynomial(isl_qpolynomial_one_on_domain(
            isl_space_copy(tr->pspace)));
        for (int f = 0; f < nf && rc == AS_OK; f++) {
            isl_pw_qpolynomial *q;
            rc = as_qp_from_pw_aff(tr, factor[f], &q);
            factor[f] = NULL;
            if (rc == AS_OK) {
                count = isl_pw_qpolynomial_mul(count, q);
                if (count == NULL)
                    rc = as_fail(tr, "a count");
            }
        }
    }
    for (int f = 0; f < nf; f++)
        isl_pw_aff_free(factor[f]);
    if (rc == AS_OK)
        *out = count;
    else
        isl_pw_qpolynomial_free(count);
    as_layer_clear(&L);
    as_tensor_free(X);
    as_tensor_free(K);
    as_tensor_free(G);
    return rc;
}
