/* all_shapes_expr.c -- expressions to parametric relations, node by node:
 * constants, names, arithmetic and the dispatch to the operators (part of
 * the trusted kernel: the translation to isl relations).  The state they
 * work on is all_shapes_translate.c's; calls are in all_shapes_ops.c. */
#include "allshapes/all_shapes_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <isl/id.h>
#include <isl/local_space.h>
#include <isl/options.h>
#include <isl/val.h>
#include <isl/val_gmp.h>

/* ---- arithmetic on values ------------------------------------------------- */

static bool is_scalar_kind(const as_value *v)
{
    return v->kind == AV_NUM || v->kind == AV_SYM || v->kind == AV_QP;
}

/* v (NUM or single-factor SYM) as a pw_aff (given). */
static isl_pw_aff *sym_of(as_tr *tr, const as_value *v)
{
    if (v->kind == AV_NUM)
        return as_pconst_q(tr, v->num);
    return isl_pw_aff_copy(v->factor[0]);
}

/* When a SYM value is one constant on the context, turns it into NUM. */
static as_rc fold_constant(as_tr *tr, as_value *v)
{
    if (v->kind != AV_SYM || v->nf != 1)
        return AS_OK;
    isl_val *c = NULL;
    if (as_plain_constant(v->factor[0], &c)) {
        mpz_t n, d;
        mpz_init(n);
        mpz_init(d);
        isl_val_get_num_gmp(c, n);
        isl_val_get_den_gmp(c, d);
        isl_val_free(c);
        isl_pw_aff_free(v->factor[0]);
        v->nf = 0;
        v->kind = AV_NUM;
        mpq_set_num(v->num, n);
        mpq_set_den(v->num, d);
        mpq_canonicalize(v->num);
        mpz_clear(n);
        mpz_clear(d);
        return AS_OK;
    }
    long value;
    isl_bool cst = as_pconstant(tr, v->factor[0], &value);
    if (cst < 0)
        return as_fail(tr, "a dim expression");
    if (cst) {
        isl_pw_aff_free(v->factor[0]);
        v->nf = 0;
        v->kind = AV_NUM;
        mpq_set_si(v->num, value, 1);
    }
    return AS_OK;
}

/* out := a tensor for a scalar-like or tensor value (moved out of v). */
static as_rc to_tensor(as_tr *tr, as_tensor **out, as_value *v,
                       const cvp_ast_node *node)
{
    *out = NULL;
    if (v->kind == AV_TENSOR) {
        *out = v->t;
        v->t = NULL;
        return AS_OK;
    }
    if (v->kind == AV_SYM) {
        as_rc rc = fold_constant(tr, v);
        if (rc != AS_OK)
            return rc;
        if (v->kind == AV_SYM)
            return as_na(tr, node->pos, "a dim is used as a tensor value here; "
                         "its value is not a constant factor of the inputs");
    }
    if (v->kind == AV_NUM)
        return as_constant(tr, out, v->num);
    if (v->kind == AV_QP)
        return as_na(tr, node->pos, "a count (mults, size, a sum of products of "
                     "dims) is used as a tensor value here");
    /* a tuple or a boolean where a tensor is needed: the evaluator
     * rejects the claim */
    return as_reject(tr);
}

static void move_value(as_value *dst, as_value *src)
{
    as_value_clear(dst);
    *dst = *src;
    as_value_init(src);
}

static as_rc tr_binary(as_tr *tr, as_value *out, const cvp_ast_node *node,
                       size_t lets)
{
    char op = node->u.binary.op;
    as_value a, b;
    as_value_init(&a);
    as_value_init(&b);
    as_rc rc = as_translate(tr, &a, node->u.binary.lhs, lets);
    if (rc == AS_OK)
        rc = as_translate(tr, &b, node->u.binary.rhs, lets);
    if (rc != AS_OK)
        goto done;
    bool bad = !(is_scalar_kind(&a) || a.kind == AV_TENSOR)
               || !(is_scalar_kind(&b) || b.kind == AV_TENSOR);
    if (bad) {
        /* the evaluator: "the left operand of '+' must be a tensor" */
        rc = as_reject(tr);
        goto done;
    }
    if ((rc = fold_constant(tr, &a)) != AS_OK || (rc = fold_constant(tr, &b)) != AS_OK)
        goto done;
    /* counts are quasi-polynomials, not affine: all_shapes_cost.c */
    if (a.kind == AV_QP || b.kind == AV_QP) {
        rc = as_qp_binary(tr, out, &a, &b, op, node->pos);
        goto done;
    }

    if (op == '/') {
        if (b.kind == AV_TENSOR) {
            /* elementwise division by a tensor: exact, but not
             * multilinear in the inputs */
            rc = as_na(tr, node->pos, "division by an input or a tensor (not "
                       "multilinear)");
            goto done;
        }
        if (b.kind == AV_SYM) {
            rc = as_na(tr, node->pos, "division by a dim (not a constant factor)");
            goto done;
        }
        if (mpq_sgn(b.num) == 0) {
            rc = as_reject(tr);   /* "division by zero" */
            goto done;
        }
        mpq_inv(b.num, b.num);
        op = '*';   /* a / c == a * (1/c) */
    }
    if (op == '@') {
        as_tensor *ta = NULL, *tb = NULL;
        rc = to_tensor(tr, &ta, &a, node->u.binary.lhs);
        if (rc == AS_OK)
            rc = to_tensor(tr, &tb, &b, node->u.binary.rhs);
        if (rc == AS_OK) {
            out->kind = AV_TENSOR;
            rc = as_matmul(tr, &out->t, ta, tb, node->pos);
        }
        as_tensor_free(ta);
        as_tensor_free(tb);
        goto done;
    }
    /* scalars with scalars */
    if (is_scalar_kind(&a) && is_scalar_kind(&b)) {
        if (a.kind == AV_NUM && b.kind == AV_NUM) {
            out->kind = AV_NUM;
            if (op == '+')
                mpq_add(out->num, a.num, b.num);
            else if (op == '-')
                mpq_sub(out->num, a.num, b.num);
            else
                mpq_mul(out->num, a.num, b.num);
            goto done;
        }
        if (op == '*') {
            /* a product of dims: kept as factors (reshape sizes) */
            as_value *sym = a.kind == AV_SYM ? &a : &b;
            as_value *other = a.kind == AV_SYM ? &b : &a;
            if (other->kind == AV_NUM) {
                isl_val *v = as_val_from_mpq(tr->ctx, other->num);
                sym->factor[0] = isl_pw_aff_scale_val(sym->factor[0], v);
                move_value(out, sym);
                goto done;
            }
            if (a.nf + b.nf > AS_MAX_FACTORS) {
                /* too many factors to keep apart: a count */
                rc = as_qp_binary(tr, out, &a, &b, op, node->pos);
                goto done;
            }
            for (int k = 0; k < b.nf; k++)
                a.factor[a.nf++] = b.factor[k];
            b.nf = 0;
            move_value(out, &a);
            goto done;
        }
        if ((a.kind == AV_SYM && a.nf != 1) || (b.kind == AV_SYM && b.nf != 1)) {
            /* a sum of products of dims (a cost formula) is no affine
             * expression: a count, compared as a quasi-polynomial */
            rc = as_qp_binary(tr, out, &a, &b, op, node->pos);
            goto done;
        }
        isl_pw_aff *x = sym_of(tr, &a), *y = sym_of(tr, &b);
        out->kind = AV_SYM;
        out->nf = 1;
        out->factor[0] = op == '+' ? isl_pw_aff_add(x, y) : isl_pw_aff_sub(x, y);
        if (out->factor[0] == NULL)
            rc = as_fail(tr, "a dim expression");
        goto done;
    }
    /* a tensor times a constant */
    if (op == '*' && (a.kind == AV_NUM || b.kind == AV_NUM)) {
        as_value *num = a.kind == AV_NUM ? &a : &b;
        as_value *ten = a.kind == AV_NUM ? &b : &a;
        as_scale(ten->t, num->num);
        move_value(out, ten);
        goto done;
    }
    as_tensor *ta = NULL, *tb = NULL;
    rc = to_tensor(tr, &ta, &a, node->u.binary.lhs);
    if (rc == AS_OK)
        rc = to_tensor(tr, &tb, &b, node->u.binary.rhs);
    if (rc == AS_OK) {
        out->kind = AV_TENSOR;
        rc = as_elementwise(tr, &out->t, ta, tb, op, node->pos);
    }
    as_tensor_free(ta);
    as_tensor_free(tb);
done:
    as_value_clear(&a);
    as_value_clear(&b);
    return rc;
}

static as_rc tr_name(as_tr *tr, as_value *out, const cvp_ast_node *node,
                     size_t lets)
{
    const cvp_proof_claim *claim = tr->claim;
    const char *name = node->u.name.text;
    for (size_t t = 0; t < claim->tensor_count; t++)
        if (strcmp(claim->tensors[t].name, name) == 0) {
            out->kind = AV_TENSOR;
            return as_leaf(tr, &out->t, (int)t);
        }
    for (size_t k = 0; k < claim->dim_count; k++)
        if (strcmp(claim->dims[k].name, name) == 0) {
            out->kind = AV_SYM;
            out->nf = 1;
            out->factor[0] = as_pparam(tr, k);
            return out->factor[0] ? AS_OK : as_fail(tr, "a dim");
        }
    for (size_t k = lets; k-- > 0;)
        if (strcmp(claim->lets[k].name, name) == 0)
            return as_translate(tr, out, claim->lets[k].expr, k);
    /* an unknown name (or a function used as a value): the evaluator
     * rejects it */
    return as_reject(tr);
}

static as_rc translate_node(as_tr *tr, as_value *out, const cvp_ast_node *node,
                            size_t lets);

/* Nesting of expressions and lets the translation follows; deeper ones
 * (only hostile input) are not applicable rather than a risk to the
 * stack. */
#define AS_MAX_NESTING 4000

as_rc as_translate(as_tr *tr, as_value *out, const cvp_ast_node *node,
                   size_t lets)
{
    if (tr->depth >= AS_MAX_NESTING)
        return as_na(tr, node->pos, "the expression nests too deeply");
    tr->depth++;
    as_rc rc = translate_node(tr, out, node, lets);
    tr->depth--;
    return rc;
}

static as_rc translate_node(as_tr *tr, as_value *out, const cvp_ast_node *node,
                            size_t lets)
{
    as_value_clear(out);
    as_value_init(out);
    switch (node->kind) {
    case CVP_AST_NUMBER:
        out->kind = AV_NUM;
        mpq_set(out->num, node->u.number.value);
        return AS_OK;
    case CVP_AST_BOOL:
        out->kind = AV_BOOL;
        out->boolean = node->u.boolean;
        return AS_OK;
    case CVP_AST_NAME:
        return tr_name(tr, out, node, lets);
    case CVP_AST_UNARY: {
        as_rc rc = as_translate(tr, out, node->u.unary.operand, lets);
        if (rc != AS_OK)
            return rc;
        if (out->kind != AV_NUM && out->kind != AV_SYM && out->kind != AV_TENSOR
            && out->kind != AV_QP)
            return as_reject(tr);   /* "the operand of unary '-' must be a tensor" */
        if (node->u.unary.op != '-')
            return AS_OK;
        if (out->kind == AV_NUM) {
            mpq_neg(out->num, out->num);
        } else if (out->kind == AV_QP) {
            out->qp = isl_pw_qpolynomial_neg(out->qp);
            if (out->qp == NULL)
                return as_fail(tr, "a count");
        } else if (out->kind == AV_SYM) {
            out->factor[0] = isl_pw_aff_neg(out->factor[0]);
        } else if (out->kind == AV_TENSOR) {
            mpq_t m1;
            mpq_init(m1);
            mpq_set_si(m1, -1, 1);
            as_scale(out->t, m1);
            mpq_clear(m1);
        } else {
            return as_reject(tr);
        }
        return AS_OK;
    }
    case CVP_AST_BINARY:
        return tr_binary(tr, out, node, lets);
    case CVP_AST_CALL:
        return as_call(tr, out, node, lets);
    case CVP_AST_TUPLE: {
        out->kind = AV_TUPLE;
        out->count = node->u.items.count;
        out->items = calloc(out->count ? out->count : 1, sizeof *out->items);
        CVP_ASSERT(out->items != NULL);
        for (size_t k = 0; k < out->count; k++)
            as_value_init(&out->items[k]);
        for (size_t k = 0; k < out->count; k++) {
            as_rc rc = as_translate(tr, &out->items[k], node->u.items.items[k], lets);
            if (rc != AS_OK)
                return rc;
        }
        return AS_OK;
    }
    case CVP_AST_LIST:
        return as_na(tr, node->pos, "tensor literals are outside the class "
                     "all_shapes handles");
    }
    return as_na(tr, node->pos, "unknown expression");
}
