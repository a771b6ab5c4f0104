/* all_shapes_ops_tensor.c -- elementwise operators, matmul, transpose,
 * sum and reshape as parametric relations (part of the trusted kernel:
 * the translation to isl relations; the scheme is in all_shapes_ops.h). */
#include "allshapes/all_shapes_ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <isl/local_space.h>
#include <isl/val.h>

#include "eval/call.h"

/* ---- elementwise and matmul ---------------------------------------------------- */

as_rc as_elementwise(as_tr *tr, as_tensor **out, const as_tensor *a,
                     const as_tensor *b, char op, cvp_srcpos pos)
{
    int R = a->rank > b->rank ? a->rank : b->rank;
    /* role[r]: 0 both follow the result axis, 1 a is broadcast, 2 b is */
    int role[CVP_MAX_RANK];
    const as_tensor *src[CVP_MAX_RANK];
    int srck[CVP_MAX_RANK];
    *out = NULL;
    for (int r = 0; r < R; r++) {
        int ka = r - (R - a->rank), kb = r - (R - b->rank);
        isl_bool ua = ka < 0 ? isl_bool_true : as_axis_is_unit(tr, a, ka);
        isl_bool ub = kb < 0 ? isl_bool_true : as_axis_is_unit(tr, b, kb);
        if (ua < 0 || ub < 0)
            return as_fail(tr, "broadcasting");
        if (kb < 0 || (ka >= 0 && ub)) {
            /* b absent or a unit: the result follows a */
            src[r] = a;
            srck[r] = ka;
            role[r] = kb >= 0 ? 2 : 0;
        } else if (ka < 0 || ua) {
            /* a absent or a unit: the result follows b */
            src[r] = b;
            srck[r] = kb;
            role[r] = ka >= 0 ? 1 : 0;
        } else {
            src[r] = a;
            srck[r] = ka;
            role[r] = 0;
        }
        if (ka >= 0 && kb >= 0 && !ua && !ub) {
            isl_bool eq = as_axes_equal(tr, a, ka, b, kb);
            if (eq < 0)
                return as_fail(tr, "comparing shapes");
            if (!eq) {
                if (a->nsub[ka] != 1 || b->nsub[kb] != 1)
                    return as_na(tr, pos, "operands whose axes are flattened "
                                 "differently");
                /* the translation covers equal sizes only */
                as_require(tr, as_p_eq(a->size[as_first_sub(a, ka)], b->size[as_first_sub(b, kb)]));
            }
        }
    }
    as_tensor *t = as_tensor_new(R);
    for (int r = 0; r < R; r++) {
        int d0 = as_first_sub(src[r], srck[r]);
        for (int j = 0; j < src[r]->nsub[srck[r]]; j++)
            as_push_sub(t, r, isl_pw_aff_copy(src[r]->size[d0 + j]));
    }
    *out = t;
    /* operand x's index: per axis, the result's sub-dims or zeros */
    const as_tensor *xs[2] = {a, b};
    operand ops[2];
    frame f;
    as_frame_init(&f, tr, t, 0);
    for (int x = 0; x < 2; x++) {
        const as_tensor *s = xs[x];
        ops[x].t = s;
        for (int k = 0; k < s->rank; k++) {
            int r = k + (R - s->rank);
            int d0 = as_first_sub(s, k);
            bool broadcast = role[r] == x + 1;
            for (int j = 0; j < s->nsub[k]; j++)
                ops[x].idx[d0 + j] = broadcast ? as_fcst(&f, 0)
                                               : as_fvar(&f, as_first_sub(t, r) + j);
        }
    }
    as_rc rc;
    if (op == '*') {
        rc = as_contract(tr, t, &f, 2, ops, 1, pos);
    } else {
        rc = as_contract(tr, t, &f, 1, &ops[0], 1, pos);
        if (rc == AS_OK)
            rc = as_contract(tr, t, &f, 1, &ops[1], op == '-' ? -1 : 1, pos);
        else
            for (int d = 0; d < b->ndims; d++)
                isl_pw_aff_free(ops[1].idx[d]);
    }
    as_frame_clear(&f);
    return rc;
}

as_rc as_matmul(as_tr *tr, as_tensor **out, const as_tensor *a,
                const as_tensor *b, cvp_srcpos pos)
{
    *out = NULL;
    if (a->rank < 1 || a->rank > 2 || b->rank < 1 || b->rank > 2)
        return as_reject(tr);
    int ka = a->rank - 1;
    isl_bool eq = as_axes_equal(tr, a, ka, b, 0);
    if (eq < 0)
        return as_fail(tr, "comparing shapes");
    if (!eq) {
        if (a->nsub[ka] != 1 || b->nsub[0] != 1)
            return as_na(tr, pos, "a matrix product of axes flattened differently");
        as_require(tr, as_p_eq(a->size[as_first_sub(a, ka)], b->size[0]));
    }
    as_tensor *t = as_tensor_new((a->rank == 2) + (b->rank == 2));
    int r = 0;
    if (a->rank == 2) {
        for (int j = 0; j < a->nsub[0]; j++)
            as_push_sub(t, r, isl_pw_aff_copy(a->size[j]));
        r++;
    }
    if (b->rank == 2) {
        int d0 = as_first_sub(b, 1);
        for (int j = 0; j < b->nsub[1]; j++)
            as_push_sub(t, r, isl_pw_aff_copy(b->size[d0 + j]));
    }
    *out = t;
    int m = a->nsub[ka], ai = a->rank == 2 ? a->nsub[0] : 0;
    frame f;
    as_frame_init(&f, tr, t, m);
    int dk = as_first_sub(a, ka);
    for (int k = 0; k < m; k++)
        as_fsum_range(&f, k, a->size[dk + k]);
    operand ops[2];
    ops[0].t = a;
    as_idx_copy(&f, &ops[0], 0, 0, ai);
    for (int k = 0; k < m; k++)
        ops[0].idx[ai + k] = as_fsum(&f, k);
    ops[1].t = b;
    for (int k = 0; k < m; k++)
        ops[1].idx[k] = as_fsum(&f, k);
    if (b->rank == 2)
        as_idx_copy(&f, &ops[1], m, ai, b->nsub[1]);
    as_rc rc = as_contract(tr, t, &f, 2, ops, 1, pos);
    as_frame_clear(&f);
    return rc;
}

/* ---- tensor algebra ----------------------------------------------------------- */

void as_give_tensor(as_value *out, as_tensor *t)
{
    out->kind = AV_TENSOR;
    out->t = t;
}

/* out has axes perm-ed from X: out axis k is X axis perm[k]. */
static as_rc permute_axes(as_tr *tr, as_value *out, as_tensor *X, const int *perm,
                          cvp_srcpos pos)
{
    as_tensor *Y = as_tensor_new(X->rank);
    for (int k = 0; k < X->rank; k++) {
        int d0 = as_first_sub(X, perm[k]);
        for (int j = 0; j < X->nsub[perm[k]]; j++)
            as_push_sub(Y, k, isl_pw_aff_copy(X->size[d0 + j]));
    }
    as_give_tensor(out, Y);
    frame f;
    as_frame_init(&f, tr, Y, 0);
    operand op;
    op.t = X;
    for (int k = 0; k < X->rank; k++)
        as_idx_copy(&f, &op, as_first_sub(X, perm[k]), as_first_sub(Y, k), X->nsub[perm[k]]);
    as_rc rc = as_contract(tr, Y, &f, 1, &op, 1, pos);
    as_frame_clear(&f);
    return rc;
}

as_rc as_fn_transpose(as_tr *tr, as_value *out, args *a, cvp_srcpos pos)
{
    as_tensor *X = NULL;
    as_rc rc = as_arg_tensor(tr, a, 0, &X);
    if (rc != AS_OK)
        return rc;
    int rank = X->rank, perm[CVP_MAX_RANK];
    if (a->v[1].kind == AV_NONE) {
        for (int k = 0; k < rank; k++)
            perm[k] = rank <= 1 ? k : rank - 1 - k;
    } else {
        long axes[CVP_MAX_RANK];
        int count;
        rc = as_arg_const_list(tr, a, 1, axes, CVP_MAX_RANK, &count);
        bool seen[CVP_MAX_RANK] = {false};
        if (rc == AS_OK && count != rank)
            rc = as_reject(tr);
        for (int k = 0; rc == AS_OK && k < rank; k++) {
            long axis = axes[k] < 0 ? axes[k] + rank : axes[k];
            if (axis < 0 || axis >= rank || seen[axis])
                rc = as_reject(tr);
            else
                seen[axis] = true, perm[k] = (int)axis;
        }
    }
    if (rc == AS_OK)
        rc = permute_axes(tr, out, X, perm, pos);
    as_tensor_free(X);
    return rc;
}

as_rc as_fn_sum(as_tr *tr, as_value *out, args *a, cvp_srcpos pos)
{
    as_tensor *X = NULL;
    as_rc rc = as_arg_tensor(tr, a, 0, &X);
    if (rc != AS_OK)
        return rc;
    int axis = -1;   /* -1: every axis */
    if (a->v[1].kind != AV_NONE) {
        long ax;
        rc = as_const_value(tr, &a->v[1], a->pos[1], "axis", -CVP_CALL_MAX_INT, &ax);
        if (rc == AS_OK) {
            ax = ax < 0 ? ax + X->rank : ax;
            if (ax < 0 || ax >= X->rank)
                rc = as_reject(tr);
            axis = (int)ax;
        }
    }
    if (rc != AS_OK) {
        as_tensor_free(X);
        return rc;
    }
    as_tensor *Y = as_tensor_new(axis < 0 ? 0 : X->rank - 1);
    for (int k = 0, r = 0; axis >= 0 && k < X->rank; k++) {
        if (k == axis)
            continue;
        int d0 = as_first_sub(X, k);
        for (int j = 0; j < X->nsub[k]; j++)
            as_push_sub(Y, r, isl_pw_aff_copy(X->size[d0 + j]));
        r++;
    }
    as_give_tensor(out, Y);
    int ns = axis < 0 ? X->ndims : X->nsub[axis];
    int s0 = axis < 0 ? 0 : as_first_sub(X, axis);
    frame f;
    as_frame_init(&f, tr, Y, ns);
    operand op;
    op.t = X;
    for (int d = 0, q = 0; d < X->ndims; d++) {
        if (d >= s0 && d < s0 + ns) {
            as_fsum_range(&f, d - s0, X->size[d]);
            op.idx[d] = as_fsum(&f, d - s0);
        } else {
            op.idx[d] = as_fvar(&f, q++);
        }
    }
    rc = as_contract(tr, Y, &f, 1, &op, 1, pos);
    as_frame_clear(&f);
    as_tensor_free(X);
    return rc;
}

/* One entry of reshape's target shape: a constant and non-constant
 * factors, or -1. */
typedef struct {
    bool infer;
    long constant;
    int nf;
    isl_pw_aff *factor[AS_MAX_FACTORS];   /* borrowed */
} reshape_entry;

static as_rc reshape_entry_of(as_tr *tr, const as_value *v, cvp_srcpos pos,
                              reshape_entry *e)
{
    memset(e, 0, sizeof *e);
    e->constant = 1;
    if (v->kind == AV_NUM) {
        if (mpz_cmp_ui(mpq_denref(v->num), 1) != 0
            || mpz_cmpabs_ui(mpq_numref(v->num), (unsigned long)CVP_CALL_MAX_INT) > 0)
            return as_reject(tr);
        long n = mpz_get_si(mpq_numref(v->num));
        if (n == -1)
            e->infer = true;
        else if (n < 0)
            return as_reject(tr);
        else if (n == 0)
            return as_na(tr, pos, "reshape to an empty axis");
        else
            e->constant = n;
        return AS_OK;
    }
    if (v->kind == AV_QP)
        return as_na(tr, pos, "a count (mults, size, a sum of products of dims) as a reshape size is not supported by all_shapes");
    if (v->kind != AV_SYM)
        return as_reject(tr);
    for (int k = 0; k < v->nf; k++) {
        long c;
        isl_bool cst = as_pconstant(tr, v->factor[k], &c);
        if (cst < 0)
            return as_fail(tr, "a reshape size");
        if (cst) {
            if (c <= 0)
                return as_na(tr, pos, "reshape to a size that is not positive");
            e->constant *= c;
        } else {
            e->factor[e->nf++] = v->factor[k];
        }
    }
    return AS_OK;
}

/* Consumes sub-axes d, d+step, ... of X (sizes) for entry e; *n receives
 * how many. */
static as_rc reshape_match(as_tr *tr, const as_tensor *X, int d, int step,
                           int limit, const reshape_entry *e, int *n,
                           cvp_srcpos pos)
{
    bool used[AS_MAX_FACTORS] = {false};
    int left = e->nf;
    long constant = 1;
    *n = 0;
    while (left > 0 || constant != e->constant) {
        if (*n >= limit || constant > e->constant)
            return as_na(tr, pos, "reshape to sizes that do not regroup the axes of "
                         "its input");
        isl_pw_aff *size = X->size[d + step * *n];
        long c;
        isl_bool cst = as_pconstant(tr, size, &c);
        if (cst < 0)
            return as_fail(tr, "a reshape size");
        if (cst) {
            constant *= c;
        } else {
            int found = -1;
            for (int k = 0; k < e->nf && found < 0; k++) {
                if (used[k])
                    continue;
                isl_bool eq = as_pequal(tr, size, e->factor[k]);
                if (eq < 0)
                    return as_fail(tr, "a reshape size");
                if (eq)
                    found = k;
            }
            if (found < 0)
                return as_na(tr, pos, "reshape to sizes that do not regroup the "
                             "axes of its input");
            used[found] = true;
            left--;
        }
        ++*n;
    }
    return AS_OK;
}

as_rc as_fn_reshape(as_tr *tr, as_value *out, args *a, cvp_srcpos pos)
{
    as_tensor *X = NULL;
    as_rc rc = as_arg_tensor(tr, a, 0, &X);
    if (rc == AS_OK)
        rc = as_drop_units(tr, X);
    const as_value *v = &a->v[1];
    size_t count = v->kind == AV_TUPLE ? v->count : 1;
    reshape_entry e[CVP_MAX_RANK];
    if (rc == AS_OK && count > CVP_MAX_RANK)
        rc = as_reject(tr);
    int infer = -1;
    for (size_t k = 0; rc == AS_OK && k < count; k++) {
        rc = reshape_entry_of(tr, v->kind == AV_TUPLE ? &v->items[k] : v,
                              a->pos[1], &e[k]);
        if (rc == AS_OK && e[k].infer) {
            if (infer >= 0)
                rc = as_reject(tr);
            infer = (int)k;
        }
    }
    if (rc != AS_OK) {
        as_tensor_free(X);
        return rc;
    }
    /* entries before the -1 from the front, after it from the back */
    int take[CVP_MAX_RANK];
    int front = 0, back = X->ndims;
    int stop = infer >= 0 ? infer : (int)count;
    for (int k = 0; rc == AS_OK && k < stop; k++) {
        rc = reshape_match(tr, X, front, 1, back - front, &e[k], &take[k], pos);
        front += take[k];
    }
    for (int k = (int)count - 1; rc == AS_OK && infer >= 0 && k > infer; k--) {
        rc = reshape_match(tr, X, back - 1, -1, back - front, &e[k], &take[k], pos);
        back -= take[k];
    }
    if (rc == AS_OK && infer >= 0) {
        take[infer] = back - front;
        /* reshape infers -1 only when the other entries are not 0 */
        for (int k = 0; k < (int)count; k++)
            for (int j = 0; j < e[k].nf; j++)
                as_require(tr, as_p_ge(tr, e[k].factor[j], 1));
    } else if (rc == AS_OK && front != X->ndims) {
        rc = as_na(tr, pos, "reshape to sizes that do not regroup the axes of its "
                   "input");
    }
    if (rc != AS_OK) {
        as_tensor_free(X);
        return rc;
    }
    /* same sub-axes in the same order, regrouped */
    X->rank = (int)count;
    for (int k = 0; k < CVP_MAX_RANK; k++)
        X->nsub[k] = k < (int)count ? take[k] : 0;
    as_give_tensor(out, X);
    return AS_OK;
}
