/* all_shapes_cost.c -- counts for every shape: mults(E), size(E) and the
 * integer arithmetic of dims around them, as quasi-polynomials in the dims
 * (part of the trusted kernel: the translation to isl).
 *
 * Why a file of its own: a count is no multilinear expression of the
 * inputs, so it has no relation; it is a number for each shape.  The
 * evaluator computes it by running E in the shape-only ring (eval/cost.c),
 * where every operator adds the multiplications of its loop nest to the
 * ring's cost model.  Here the same sums are written over the sizes the
 * translation already has (isl_pw_aff in the dims, the sizes the
 * operators' relations are built on and that the cross-check compares
 * with the kernel): size(E) is the product of E's sub-axis sizes, mults(E)
 * the sum over E's operators of their counts (all_shapes_cost_walk.c),
 * each a product of sizes, so both are isl_pw_qpolynomial.  Two count
 * sides are equal for every shape when isl's normal form of their
 * difference, simplified on the shapes where the claim is defined
 * (ranges, `where`, the operators' preconditions), is the zero
 * polynomial on every piece: a polynomial
 * whose normal form is zero is zero at every point, whatever else isl
 * cannot simplify.  When it is not zero, nothing is concluded from isl:
 * small shapes are evaluated, and one where the difference is nonzero is
 * handed to the run, which replays it through the evaluator (eval/cost.c
 * decides there); none found leaves the method not applicable.
 *
 * The count of each operator (the cost model) and the walk over E that
 * adds them up are in all_shapes_cost_walk.c; this file has the
 * quasi-polynomials themselves, the arithmetic of dims around them
 * (a // c) and the sizes of translated values.  Comparing counts and the
 * cross-check are in all_shapes_cost_compare.c: the cross-check
 * (as_cross_check_counts) evaluates both sides with eval/cost.c at the
 * cross-check shapes; a disagreement leaves the method undecided.
 */
#include "allshapes/all_shapes_ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <isl/val.h>


/* ---- quasi-polynomials on the context ---------------------------------------------- */

isl_pw_qpolynomial *as_qp_const(as_tr *tr, mpq_srcptr q)
{
    return isl_pw_qpolynomial_from_qpolynomial(isl_qpolynomial_val_on_domain(
        isl_space_copy(tr->pspace), as_val_from_mpq(tr->ctx, q)));
}

isl_pw_qpolynomial *as_qp_one(as_tr *tr)
{
    return isl_pw_qpolynomial_from_qpolynomial(isl_qpolynomial_val_on_domain(
        isl_space_copy(tr->pspace), isl_val_one(tr->ctx)));
}

/* pa (taken) as a quasi-polynomial.  isl adds pw_qpolynomials as partial
 * functions (where only one is defined, the sum is that one), so every
 * count is built from pieces defined at every shape of the context: then
 * sums and products are the arithmetic ones there. */
as_rc as_qp_from_pw_aff(as_tr *tr, isl_pw_aff *pa, isl_pw_qpolynomial **out)
{
    *out = NULL;
    if (pa == NULL)
        return as_fail(tr, "a count");
    isl_set *dom = isl_set_params(isl_pw_aff_domain(isl_pw_aff_copy(pa)));
    isl_bool total = isl_set_is_subset(tr->context, dom);
    isl_set_free(dom);
    if (total != isl_bool_true) {
        isl_pw_aff_free(pa);
        if (total < 0)
            return as_fail(tr, "a count");
        return as_na(tr, tr->where, "a size is not defined at every shape (a "
                     "count needs one)");
    }
    *out = isl_pw_qpolynomial_from_pw_aff(pa);
    return *out ? AS_OK : as_fail(tr, "a count");
}

as_rc as_qp_of(as_tr *tr, const as_value *v, cvp_srcpos pos, isl_pw_qpolynomial **out)
{
    *out = NULL;
    switch (v->kind) {
    case AV_NUM:
        *out = as_qp_const(tr, v->num);
        return *out ? AS_OK : as_fail(tr, "a count");
    case AV_QP:
        *out = isl_pw_qpolynomial_copy(v->qp);
        return AS_OK;
    case AV_SYM: {
        isl_pw_qpolynomial *p = as_qp_one(tr);
        for (int k = 0; k < v->nf; k++) {
            isl_pw_qpolynomial *f;
            as_rc rc = as_qp_from_pw_aff(tr, isl_pw_aff_copy(v->factor[k]), &f);
            if (rc != AS_OK) {
                isl_pw_qpolynomial_free(p);
                return rc;
            }
            p = isl_pw_qpolynomial_mul(p, f);
        }
        *out = p;
        return p ? AS_OK : as_fail(tr, "a count");
    }
    case AV_TENSOR:
        return as_na(tr, pos, "a count (mults, size, a sum of products of dims) "
                     "is combined with a tensor");
    default:
        return as_reject(tr);   /* a tuple or a boolean: the evaluator refuses */
    }
}

as_rc as_qp_binary(as_tr *tr, as_value *out, const as_value *a, const as_value *b,
                   char op, cvp_srcpos pos)
{
    if (a->kind == AV_TENSOR || b->kind == AV_TENSOR)
        return as_na(tr, pos, "a count (mults, size, a sum of products of dims) "
                     "is combined with a tensor");
    if (op == '@')
        return as_na(tr, pos, "'@' of counts");
    if (op == '/') {
        /* exact division by a nonzero number scales; by a dim or a count
         * it is no polynomial */
        if (b->kind != AV_NUM)
            return as_na(tr, pos, "division by a dim or a count (not a "
                         "polynomial)");
        if (mpq_sgn(b->num) == 0)
            return as_reject(tr);   /* "division by zero" */
    }
    isl_pw_qpolynomial *x = NULL, *y = NULL;
    as_rc rc = as_qp_of(tr, a, pos, &x);
    if (rc == AS_OK && op != '/')
        rc = as_qp_of(tr, b, pos, &y);
    if (rc != AS_OK) {
        isl_pw_qpolynomial_free(x);
        return rc;
    }
    isl_pw_qpolynomial *r;
    if (op == '/') {
        mpq_t inv;
        mpq_init(inv);
        mpq_inv(inv, b->num);
        r = isl_pw_qpolynomial_scale_val(x, as_val_from_mpq(tr->ctx, inv));
        mpq_clear(inv);
    } else if (op == '+') {
        r = isl_pw_qpolynomial_add(x, y);
    } else if (op == '-') {
        r = isl_pw_qpolynomial_sub(x, y);
    } else {
        r = isl_pw_qpolynomial_mul(x, y);
    }
    as_value_clear(out);
    as_value_init(out);
    out->kind = AV_QP;
    out->qp = r;
    return r ? AS_OK : as_fail(tr, "a count");
}

/* ---- a // c ------------------------------------------------------------------------ */

as_rc as_fn_floordiv(as_tr *tr, as_value *out, args *a, cvp_srcpos pos)
{
    const as_value *x = &a->v[0], *c = &a->v[1];
    long cs = 0;
    mpq_t div;
    mpq_init(div);
    as_rc rc = AS_OK;
    if (c->kind == AV_NUM) {
        mpq_set(div, c->num);
    } else if (c->kind == AV_SYM && c->nf == 1) {
        isl_bool cst = as_pconstant(tr, c->factor[0], &cs);
        if (cst < 0)
            rc = as_fail(tr, "a divisor");
        else if (!cst)
            rc = as_na(tr, pos, "'//' by a dim (not affine)");
        else
            mpq_set_si(div, cs, 1);
    } else if (c->kind == AV_TENSOR || c->kind == AV_SYM || c->kind == AV_QP) {
        rc = as_na(tr, pos, "'//' by a tensor or a product of dims");
    } else {
        rc = as_reject(tr);
    }
    if (rc == AS_OK && mpq_sgn(div) == 0)
        rc = as_reject(tr);   /* "division by zero" */
    if (rc == AS_OK) {
        mpq_inv(div, div);
        if (x->kind == AV_NUM) {
            as_value_clear(out);
            as_value_init(out);
            out->kind = AV_NUM;
            mpq_mul(out->num, x->num, div);
            mpz_fdiv_q(mpq_numref(out->num), mpq_numref(out->num), mpq_denref(out->num));
            mpz_set_ui(mpq_denref(out->num), 1);
        } else if (x->kind == AV_SYM && x->nf == 1) {
            /* Python's floor of the exact quotient: floor(x * (1/c)) */
            isl_pw_aff *q = isl_pw_aff_scale_val(isl_pw_aff_copy(x->factor[0]),
                                                 as_val_from_mpq(tr->ctx, div));
            q = isl_pw_aff_floor(q);
            as_value_clear(out);
            as_value_init(out);
            out->kind = AV_SYM;
            out->nf = 1;
            out->factor[0] = q;
            if (q == NULL)
                rc = as_fail(tr, "'//'");
        } else if (x->kind == AV_TENSOR) {
            rc = as_na(tr, pos, "'//' of a tensor (not multilinear)");
        } else if (x->kind == AV_SYM || x->kind == AV_QP) {
            rc = as_na(tr, pos, "'//' of a product of dims or a count (the floor "
                       "of a quasi-polynomial is not kept)");
        } else {
            rc = as_reject(tr);
        }
    }
    mpq_clear(div);
    return rc;
}

/* ---- sizes -------------------------------------------------------------------------- */

/* The product of the sizes of axes [from, to) of t. */
as_rc as_qp_axes(as_tr *tr, const as_tensor *t, int from, int to,
                     isl_pw_qpolynomial **out)
{
    int d0 = 0;
    for (int k = 0; k < from; k++)
        d0 += t->nsub[k];
    int d1 = d0;
    for (int k = from; k < to; k++)
        d1 += t->nsub[k];
    isl_pw_qpolynomial *p = as_qp_one(tr);
    for (int d = d0; d < d1 && p != NULL; d++) {
        isl_pw_qpolynomial *f;
        as_rc rc = as_qp_from_pw_aff(tr, isl_pw_aff_copy(t->size[d]), &f);
        if (rc != AS_OK) {
            isl_pw_qpolynomial_free(p);
            return rc;
        }
        p = isl_pw_qpolynomial_mul(p, f);
    }
    *out = p;
    return p ? AS_OK : as_fail(tr, "a size");
}

/* The number of entries of a value: 1 for a number, a dim expression or a
 * count (rank-0 tensors in the evaluator). */
as_rc as_qp_size(as_tr *tr, const as_value *v, isl_pw_qpolynomial **out)
{
    *out = NULL;
    if (v->kind == AV_TENSOR)
        return as_qp_axes(tr, v->t, 0, v->t->rank, out);
    if (v->kind == AV_NUM || v->kind == AV_SYM || v->kind == AV_QP) {
        *out = as_qp_one(tr);
        return AS_OK;
    }
    return as_reject(tr);   /* "the argument must be a tensor expression" */
}

/* Translates node and returns the size of its value, or the product of
 * axes [from, to) when from >= 0 (a tensor of `rank` axes is needed). */
as_rc as_node_sizes(as_tr *tr, const cvp_ast_node *node, size_t lets, int from,
                        int to, int rank, isl_pw_qpolynomial **out)
{
    as_value v;
    as_value_init(&v);
    as_rc rc = as_translate(tr, &v, node, lets);
    if (rc == AS_OK && from < 0)
        rc = as_qp_size(tr, &v, out);
    else if (rc == AS_OK && (v.kind != AV_TENSOR || (rank >= 0 && v.t->rank != rank)
                             || v.t->rank < to))
        rc = as_na(tr, node->pos, "an operand of a counted operator has an "
                   "unexpected rank");
    else if (rc == AS_OK)
        rc = as_qp_axes(tr, v.t, from, to < 0 ? v.t->rank : to, out);
    as_value_clear(&v);
    return rc;
}
