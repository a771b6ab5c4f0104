/* all_shapes_ops_textbook.c -- the textbook operators (xcorr, conv, wide)
 * and the index operators (rot180, pad, dilate) as parametric relations
 * (part of the trusted kernel: the translation to isl relations; the
 * scheme is in all_shapes_ops.h). */
#include "allshapes/all_shapes_ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <isl/local_space.h>
#include <isl/val.h>

#include "eval/call.h"

/* ---- textbook operators ----------------------------------------------------- */

as_rc as_textbook_pair(as_tr *tr, as_value *out, args *a, textbook_kind kind,
                       cvp_srcpos pos)
{
    as_tensor *W = NULL, *X = NULL;
    long stride[2] = {1, 1}, dil[2] = {1, 1};
    as_rc rc = as_arg_tensor(tr, a, 0, &W);
    if (rc == AS_OK)
        rc = as_arg_tensor(tr, a, 1, &X);
    if (rc == AS_OK && kind == TB_XCORR) {
        rc = as_arg_const_pair(tr, a, 2, "stride", 1, stride);
        if (rc == AS_OK)
            rc = as_arg_const_pair(tr, a, 3, "dilation", 1, dil);
    }
    if (rc == AS_OK && (W->rank != X->rank || W->rank < 1 || W->rank > 2))
        rc = as_reject(tr);
    if (rc == AS_OK)
        rc = as_all_plain(tr, W, pos);
    if (rc == AS_OK)
        rc = as_all_plain(tr, X, pos);
    if (rc != AS_OK)
        goto done;
    int r = W->rank;
    /* axis k of the operands is axis (k + 2 - r) of the pairs (a vector
     * is a row: its axis is the width) */
    isl_pw_aff *sizes[2];
    for (int k = 0; k < r; k++) {
        int h = k + 2 - r;
        isl_pw_aff *U = W->size[k], *M = X->size[k];
        as_require(tr, as_p_ge(tr, U, 1));
        as_require(tr, as_p_ge(tr, M, 1));
        switch (kind) {
        case TB_XCORR: {
            /* dh * (U - 1) <= M - 1 */
            isl_pw_aff *span = as_fmul(isl_pw_aff_sub(isl_pw_aff_copy(U), as_pconst(tr, 1)),
                                       dil[h]);
            as_require(tr, isl_pw_aff_le_set(isl_pw_aff_copy(span),
                                             isl_pw_aff_sub(isl_pw_aff_copy(M),
                                                            as_pconst(tr, 1))));
            /* (M - span - 1) / stride + 1 */
            isl_pw_aff *n = isl_pw_aff_sub(isl_pw_aff_sub(isl_pw_aff_copy(M), span),
                                           as_pconst(tr, 1));
            sizes[k] = isl_pw_aff_add(as_p_fdiv(tr, n, stride[h]), as_pconst(tr, 1));
            isl_pw_aff_free(n);
            break;
        }
        case TB_CONV:
            as_require(tr, as_p_le(U, M));
            sizes[k] = isl_pw_aff_add(isl_pw_aff_sub(isl_pw_aff_copy(M),
                                                     isl_pw_aff_copy(U)),
                                      as_pconst(tr, 1));
            break;
        case TB_WIDE:
            sizes[k] = isl_pw_aff_sub(isl_pw_aff_add(isl_pw_aff_copy(M),
                                                     isl_pw_aff_copy(U)),
                                      as_pconst(tr, 1));
            break;
        }
    }
    as_tensor *Y = as_tensor_plain(r, sizes);
    out->kind = AV_TENSOR;
    out->t = Y;
    if (as_has_null(Y)) {
        rc = as_fail(tr, "an output size");
        goto done;
    }
    frame f;
    as_frame_init(&f, tr, Y, r);
    operand ops[2];
    ops[0].t = W;
    ops[1].t = X;
    for (int k = 0; k < r; k++) {
        int h = k + 2 - r;
        as_fsum_range(&f, k, W->size[k]);
        ops[0].idx[k] = as_fsum(&f, k);
        isl_pw_aff *i = as_fvar(&f, k), *u = as_fsum(&f, k), *x = NULL;
        switch (kind) {
        case TB_XCORR:   /* X[i*s + u*d] */
            x = isl_pw_aff_add(as_fmul(i, stride[h]), as_fmul(u, dil[h]));
            break;
        case TB_CONV:    /* X[i + U-1-u] */
            x = isl_pw_aff_sub(isl_pw_aff_add(i, as_fpar(&f, W->size[k])),
                               isl_pw_aff_add(u, as_fcst(&f, 1)));
            break;
        case TB_WIDE:    /* X[i + u - (U-1)] */
            x = isl_pw_aff_add(isl_pw_aff_add(i, u), as_fcst(&f, 1));
            x = isl_pw_aff_sub(x, as_fpar(&f, W->size[k]));
            break;
        }
        ops[1].idx[k] = x;
    }
    rc = as_contract(tr, Y, &f, 2, ops, 1, pos);
    as_frame_clear(&f);
done:
    as_tensor_free(W);
    as_tensor_free(X);
    return rc;
}

/* The axes rot180, pad and dilate act on: the last two, or the only one. */
static int first_spatial(const as_tensor *X)
{
    return X->rank >= 2 ? X->rank - 2 : 0;
}

as_rc as_index_op(as_tr *tr, as_value *out, args *a, index_kind kind,
                  cvp_srcpos pos)
{
    as_tensor *X = NULL;
    isl_pw_aff *before[2] = {NULL, NULL}, *after[2] = {NULL, NULL};
    long s[2] = {1, 1};
    as_rc rc = as_arg_tensor(tr, a, 0, &X);
    if (rc == AS_OK && X->rank < 1)
        rc = as_reject(tr);
    int k0 = rc == AS_OK ? first_spatial(X) : 0;
    for (int k = k0; rc == AS_OK && k < X->rank; k++)
        rc = as_make_plain(tr, X, k, pos);
    if (rc == AS_OK && kind == IX_DILATE) {
        rc = as_arg_const_pair(tr, a, 1, "dilation factor", 1, s);
        if (X->rank == 1)
            s[0] = 1;
    }
    if (rc == AS_OK && kind == IX_PAD) {
        /* pad(X, p) / pad(X, (ph, pw)) / pad(X, top=, bottom=, left=, right=) */
        bool have_p = a->v[1].kind != AV_NONE, sides = false;
        for (int p = 2; p <= 5; p++)
            sides = sides || a->v[p].kind != AV_NONE;
        if (have_p == sides) {
            rc = as_reject(tr);
        } else if (have_p) {
            isl_pw_aff *hw[2];
            rc = as_arg_int_pair(tr, a, 1, 0, hw);
            if (rc == AS_OK && X->rank == 1) {
                if (a->v[1].kind == AV_TUPLE)
                    as_require(tr, isl_pw_aff_eq_set(isl_pw_aff_copy(hw[0]),
                                                     as_pconst(tr, 0)));
                isl_pw_aff_free(hw[0]);
                hw[0] = as_pconst(tr, 0);
            }
            before[0] = hw[0];
            after[0] = isl_pw_aff_copy(hw[0]);
            before[1] = hw[1];
            after[1] = isl_pw_aff_copy(hw[1]);
        } else {
            isl_pw_aff **slots[4] = {&before[0], &after[0], &before[1], &after[1]};
            for (int p = 2; p <= 5 && rc == AS_OK; p++) {
                if (a->v[p].kind == AV_NONE)
                    *slots[p - 2] = as_pconst(tr, 0);
                else
                    rc = as_int_value(tr, &a->v[p], a->pos[p], 0, slots[p - 2]);
            }
            if (rc == AS_OK && X->rank == 1) {
                as_require(tr, isl_pw_aff_eq_set(isl_pw_aff_copy(before[0]),
                                                 as_pconst(tr, 0)));
                as_require(tr, isl_pw_aff_eq_set(isl_pw_aff_copy(after[0]),
                                                 as_pconst(tr, 0)));
            }
        }
    }
    if (rc != AS_OK)
        goto done;
    as_tensor *Y = as_tensor_like(X);
    out->kind = AV_TENSOR;
    out->t = Y;
    for (int k = k0; k < X->rank; k++) {
        int h = X->rank == 1 ? 1 : k - k0;   /* 0 rows, 1 columns */
        int d = as_first_sub(X, k);
        if (kind == IX_PAD) {
            isl_pw_aff_free(Y->size[d]);
            Y->size[d] = isl_pw_aff_add(isl_pw_aff_add(isl_pw_aff_copy(X->size[d]),
                                                       isl_pw_aff_copy(before[h])),
                                        isl_pw_aff_copy(after[h]));
        } else if (kind == IX_DILATE && s[h] > 1) {
            /* max((M - 1) * s + 1, 0) */
            isl_pw_aff *m = isl_pw_aff_add(as_fmul(isl_pw_aff_sub(isl_pw_aff_copy(X->size[d]),
                                                               as_pconst(tr, 1)), s[h]),
                                           as_pconst(tr, 1));
            isl_pw_aff_free(Y->size[d]);
            Y->size[d] = isl_pw_aff_max(m, as_pconst(tr, 0));
        }
    }
    if (as_has_null(Y)) {
        rc = as_fail(tr, "an output size");
        goto done;
    }
    frame f;
    as_frame_init(&f, tr, Y, 0);
    operand op;
    op.t = X;
    as_idx_copy(&f, &op, 0, 0, X->ndims);
    for (int k = k0; k < X->rank; k++) {
        int h = X->rank == 1 ? 1 : k - k0;
        int d = as_first_sub(X, k);
        isl_pw_aff *i = op.idx[d];
        switch (kind) {
        case IX_ROT180:   /* X[M - 1 - i] */
            op.idx[d] = isl_pw_aff_sub(isl_pw_aff_sub(as_fpar(&f, X->size[d]), as_fcst(&f, 1)), i);
            break;
        case IX_PAD:      /* X[i - top] */
            op.idx[d] = isl_pw_aff_sub(i, as_fpar(&f, before[h]));
            break;
        case IX_DILATE:   /* X[i / s] where s divides i */
            if (s[h] > 1) {
                isl_pw_aff *q = isl_pw_aff_floor(isl_pw_aff_scale_down_val(
                                    isl_pw_aff_copy(i), isl_val_int_from_si(tr->ctx, s[h])));
                as_fcon(&f, isl_pw_aff_eq_set(as_fmul(isl_pw_aff_copy(q), s[h]), i));
                op.idx[d] = q;
            }
            break;
        }
    }
    rc = as_contract(tr, Y, &f, 1, &op, 1, pos);
    as_frame_clear(&f);
done:
    for (int k = 0; k < 2; k++) {
        isl_pw_aff_free(before[k]);
        isl_pw_aff_free(after[k]);
    }
    as_tensor_free(X);
    return rc;
}
