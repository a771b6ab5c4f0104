/* all_shapes_translate.c -- the translation's state: values, parameters,
 * families, shape expressions and the claim's context (part of the
 * trusted kernel: the translation to isl relations).  Expressions are
 * translated node by node in all_shapes_expr.c, calls in all_shapes_ops.c. */
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

/* ---- status ------------------------------------------------------------- */

as_rc as_na(as_tr *tr, cvp_srcpos pos, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    vsnprintf(tr->why, sizeof tr->why, format, ap);
    va_end(ap);
    tr->where = pos;
    return AS_NA;
}

as_rc as_fail(as_tr *tr, const char *what)
{
    const char *msg = isl_ctx_last_error_msg(tr->ctx);
    if (isl_ctx_last_error(tr->ctx) == isl_error_quota)
        snprintf(tr->why, sizeof tr->why, "%s: isl reached its operation "
                 "limit", what);
    else
        snprintf(tr->why, sizeof tr->why, "%s: isl failed%s%s", what,
                 msg ? ": " : "", msg ? msg : "");
    tr->where = (cvp_srcpos){0, 0};
    return AS_FAIL;
}

void as_require(as_tr *tr, isl_set *cond)
{
    if (cond != NULL) {
        isl_space *space = isl_set_get_space(cond);
        bool params = isl_space_is_params(space) == isl_bool_true;
        isl_space_free(space);
        if (!params)
            cond = isl_set_params(cond);
    }
    tr->valid = isl_set_intersect(tr->valid, cond);
}

as_rc as_reject(as_tr *tr)
{
    isl_set_free(tr->valid);
    tr->valid = isl_set_empty(isl_space_params(isl_space_copy(tr->pspace)));
    return AS_REJECT;
}

/* ---- values ------------------------------------------------------------- */

void as_value_init(as_value *v)
{
    memset(v, 0, sizeof *v);
    v->kind = AV_NONE;
    mpq_init(v->num);
}

void as_value_clear(as_value *v)
{
    for (int k = 0; k < v->nf; k++)
        isl_pw_aff_free(v->factor[k]);
    for (size_t k = 0; k < v->count; k++)
        as_value_clear(&v->items[k]);
    free(v->items);
    as_tensor_free(v->t);
    isl_pw_qpolynomial_free(v->qp);
    mpq_clear(v->num);
    memset(v, 0, sizeof *v);
}

as_tensor *as_tensor_new(int rank)
{
    as_tensor *t = calloc(1, sizeof *t);
    CVP_ASSERT(t != NULL);
    t->rank = rank;
    return t;
}

void as_tensor_free(as_tensor *t)
{
    if (t == NULL)
        return;
    for (int k = 0; k < t->ndims; k++)
        isl_pw_aff_free(t->size[k]);
    for (size_t k = 0; k < t->count; k++) {
        mpq_clear(t->pieces[k].coef);
        isl_map_free(t->pieces[k].rel);
    }
    free(t->pieces);
    free(t);
}

as_rc as_tensor_add(as_tr *tr, as_tensor *t, const mpq_t coef,
                    uint64_t family, isl_map *rel)
{
    if (rel == NULL)
        return as_fail(tr, "building a relation");
    if (mpq_sgn(coef) == 0 || isl_map_plain_is_empty(rel) == isl_bool_true) {
        isl_map_free(rel);
        return AS_OK;
    }
    if (t->count == AS_MAX_PIECES) {
        isl_map_free(rel);
        return as_na(tr, tr->where, "an expression has more than %d terms",
                     AS_MAX_PIECES);
    }
    if (t->count == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 4;
        as_piece *grown = realloc(t->pieces, t->cap * sizeof *grown);
        CVP_ASSERT(grown != NULL);
        t->pieces = grown;
    }
    as_piece *p = &t->pieces[t->count++];
    mpq_init(p->coef);
    mpq_set(p->coef, coef);
    p->family = family;
    p->rel = rel;
    return AS_OK;
}

/* ---- parameters ----------------------------------------------------------- */

isl_pw_aff *as_pconst(as_tr *tr, long c)
{
    return isl_pw_aff_val_on_domain(isl_set_universe(isl_space_copy(tr->pspace)),
                                    isl_val_int_from_si(tr->ctx, c));
}

isl_val *as_val_from_mpq(isl_ctx *ctx, mpq_srcptr q)
{
    mpz_t n, d;
    mpz_init_set(n, mpq_numref(q));
    mpz_init_set(d, mpq_denref(q));
    isl_val *v = isl_val_div(isl_val_int_from_gmp(ctx, n), isl_val_int_from_gmp(ctx, d));
    mpz_clear(n);
    mpz_clear(d);
    return v;
}

isl_pw_aff *as_pconst_q(as_tr *tr, mpq_srcptr q)
{
    isl_val *v = as_val_from_mpq(tr->ctx, q);
    return isl_pw_aff_val_on_domain(isl_set_universe(isl_space_copy(tr->pspace)), v);
}

isl_pw_aff *as_pparam(as_tr *tr, size_t k)
{
    isl_local_space *ls = isl_local_space_from_space(isl_space_copy(tr->pspace));
    return isl_pw_aff_from_aff(isl_aff_var_on_domain(ls, isl_dim_param, (unsigned)k));
}

/* The dim assignments considered so far: the context where every
 * precondition met until now holds. */
static isl_set *domain_now(as_tr *tr)
{
    return isl_set_intersect(isl_set_copy(tr->context), isl_set_copy(tr->valid));
}

isl_bool as_pequal(as_tr *tr, isl_pw_aff *a, isl_pw_aff *b)
{
    isl_set *ne = isl_set_params(isl_pw_aff_ne_set(isl_pw_aff_copy(a),
                                                   isl_pw_aff_copy(b)));
    ne = isl_set_intersect(ne, domain_now(tr));
    isl_bool empty = isl_set_is_empty(ne);
    isl_set_free(ne);
    return empty;
}

isl_bool as_pconstant(as_tr *tr, isl_pw_aff *a, long *c)
{
    isl_set *d = domain_now(tr);
    isl_point *sample = isl_set_sample_point(isl_set_copy(d));
    isl_set_free(d);
    if (sample == NULL)
        return isl_bool_error;
    if (isl_point_is_void(sample) == isl_bool_true) {
        isl_point_free(sample);
        return isl_bool_false;
    }
    isl_point *pt = isl_point_zero(isl_space_copy(tr->pspace));
    isl_size n = isl_space_dim(tr->pspace, isl_dim_param);
    for (int k = 0; k < n; k++)
        pt = isl_point_set_coordinate_val(pt, isl_dim_param, k,
                 isl_point_get_coordinate_val(sample, isl_dim_param, k));
    isl_point_free(sample);
    isl_val *v = isl_pw_aff_eval(isl_pw_aff_copy(a), pt);
    if (v == NULL)
        return isl_bool_error;
    if (!isl_val_is_int(v) || isl_val_is_nan(v)) {
        isl_val_free(v);
        return isl_bool_false;
    }
    long value = isl_val_get_num_si(v);
    isl_val_free(v);
    isl_pw_aff *cst = as_pconst(tr, value);
    isl_bool eq = as_pequal(tr, a, cst);
    isl_pw_aff_free(cst);
    if (eq == isl_bool_true)
        *c = value;
    return eq;
}

/* ---- families ------------------------------------------------------------- */

int as_tensor_rank(const as_tr *tr, int t)
{
    return tr->claim->tensors[t].rank;
}

int as_family_offset(const as_tr *tr, uint64_t family, int t)
{
    int off = 0;
    for (int k = 0; k < t; k++)
        if (family & ((uint64_t)1 << k))
            off += as_tensor_rank(tr, k);
    return off;
}

int as_family_dims(const as_tr *tr, uint64_t family)
{
    int n = 0;
    for (size_t k = 0; k < tr->claim->tensor_count && k < AS_MAX_TENSORS; k++)
        if (family & ((uint64_t)1 << k))
            n += as_tensor_rank(tr, (int)k);
    return n;
}

/* ---- shape expressions ------------------------------------------------------ */

/* The single constant value of pa when it is syntactically constant. */
bool as_plain_constant(isl_pw_aff *pa, isl_val **out)
{
    if (isl_pw_aff_is_cst(pa) != isl_bool_true || isl_pw_aff_n_piece(pa) != 1)
        return false;
    isl_pw_aff *copy = isl_pw_aff_copy(pa);
    isl_set *dom = isl_pw_aff_domain(isl_pw_aff_copy(pa));
    bool universe = isl_set_plain_is_universe(dom) == isl_bool_true;
    isl_set_free(dom);
    if (!universe) {
        isl_pw_aff_free(copy);
        return false;
    }
    isl_aff *aff = isl_pw_aff_as_aff(copy);
    *out = isl_aff_get_constant_val(aff);
    isl_aff_free(aff);
    return *out != NULL;
}

/* A shape expression as a quasi-affine function of the dims. */
static as_rc shape_expr(as_tr *tr, isl_pw_aff **out, const cvp_shape_expr *e)
{
    isl_pw_aff *a = NULL, *b = NULL;
    as_rc rc = AS_OK;
    *out = NULL;
    switch (e->kind) {
    case CVP_SHAPE_NUMBER:
        *out = as_pconst(tr, e->value);
        return *out ? AS_OK : as_fail(tr, "a shape");
    case CVP_SHAPE_DIM:
        *out = as_pparam(tr, e->dim);
        return *out ? AS_OK : as_fail(tr, "a shape");
    case CVP_SHAPE_NEG:
        rc = shape_expr(tr, &a, e->lhs);
        if (rc == AS_OK)
            *out = isl_pw_aff_neg(a);
        return rc;
    default:
        break;
    }
    rc = shape_expr(tr, &a, e->lhs);
    if (rc == AS_OK)
        rc = shape_expr(tr, &b, e->rhs);
    if (rc != AS_OK) {
        isl_pw_aff_free(a);
        isl_pw_aff_free(b);
        return rc;
    }
    isl_val *c = NULL;
    switch (e->kind) {
    case CVP_SHAPE_ADD:
        *out = isl_pw_aff_add(a, b);
        break;
    case CVP_SHAPE_SUB:
        *out = isl_pw_aff_sub(a, b);
        break;
    case CVP_SHAPE_MUL:
        if (isl_pw_aff_is_cst(a) != isl_bool_true
            && isl_pw_aff_is_cst(b) != isl_bool_true) {
            isl_pw_aff_free(a);
            isl_pw_aff_free(b);
            return as_na(tr, e->pos, "the shape expression multiplies two dims "
                         "(not affine)");
        }
        *out = isl_pw_aff_mul(a, b);
        break;
    case CVP_SHAPE_DIV:
        if (!as_plain_constant(b, &c)) {
            isl_pw_aff_free(a);
            isl_pw_aff_free(b);
            return as_na(tr, e->pos, "the shape expression divides by a dim "
                         "(not affine)");
        }
        isl_pw_aff_free(b);
        if (isl_val_is_zero(c)) {
            isl_val_free(c);
            isl_pw_aff_free(a);
            return as_na(tr, e->pos, "the shape expression divides by zero");
        }
        *out = isl_pw_aff_floor(isl_pw_aff_scale_down_val(a, c));
        break;
    default:
        CVP_ASSERT(!"unknown shape kind");
    }
    return *out ? AS_OK : as_fail(tr, "a shape");
}

static isl_set *relation_set(isl_pw_aff *a, cvp_relation rel, isl_pw_aff *b)
{
    switch (rel) {
    case CVP_REL_LE: return isl_pw_aff_le_set(a, b);
    case CVP_REL_LT: return isl_pw_aff_lt_set(a, b);
    case CVP_REL_EQ: return isl_pw_aff_eq_set(a, b);
    case CVP_REL_GE: return isl_pw_aff_ge_set(a, b);
    case CVP_REL_GT: return isl_pw_aff_gt_set(a, b);
    }
    return NULL;
}

/* The context (dims in their ranges, `where` constraints), the input
 * shapes, and the precondition that every input shape is >= 0. */
static as_rc build_context(as_tr *tr)
{
    const cvp_proof_claim *claim = tr->claim;
    isl_space *params = isl_space_params_alloc(tr->ctx, (unsigned)claim->dim_count);
    for (size_t k = 0; k < claim->dim_count; k++)
        params = isl_space_set_dim_id(params, isl_dim_param, (unsigned)k,
                                      isl_id_alloc(tr->ctx, claim->dims[k].name, NULL));
    tr->context = isl_set_universe(isl_space_copy(params));
    tr->valid = isl_set_universe(isl_space_copy(params));
    tr->pspace = isl_space_set_from_params(params);
    if (tr->pspace == NULL || tr->context == NULL)
        return as_fail(tr, "the dims");
    for (size_t k = 0; k < claim->dim_count; k++) {
        isl_pw_aff *d = as_pparam(tr, k);
        isl_set *c = isl_pw_aff_ge_set(isl_pw_aff_copy(d),
                                       as_pconst(tr, claim->dims[k].lo));
        if (!claim->dims[k].unbounded)
            c = isl_set_intersect(c, isl_pw_aff_le_set(isl_pw_aff_copy(d),
                                  as_pconst(tr, claim->dims[k].hi)));
        isl_pw_aff_free(d);
        tr->context = isl_set_intersect(tr->context, isl_set_params(c));
    }
    for (size_t k = 0; k < claim->constraint_count; k++) {
        /* a constraint with `or` alternatives is the union of their sets */
        isl_set *either = NULL;
        for (const cvp_proof_constraint *con = &claim->constraints[k];
             con != NULL; con = con->alt) {
            isl_pw_aff *a, *b;
            as_rc rc = shape_expr(tr, &a, con->lhs);
            if (rc == AS_OK) {
                rc = shape_expr(tr, &b, con->rhs);
                if (rc != AS_OK)
                    isl_pw_aff_free(a);
            }
            if (rc != AS_OK) {
                isl_set_free(either);
                return rc;
            }
            isl_set *one = isl_set_params(relation_set(a, con->rel, b));
            either = either == NULL ? one : isl_set_union(either, one);
        }
        tr->context = isl_set_intersect(tr->context, either);
    }
    if (claim->tensor_count > AS_MAX_TENSORS)
        return as_na(tr, claim->pos, "the claim has more than %d tensors",
                     AS_MAX_TENSORS);
    tr->shape = calloc(claim->tensor_count * CVP_MAX_RANK + 1, sizeof *tr->shape);
    CVP_ASSERT(tr->shape != NULL);
    for (size_t t = 0; t < claim->tensor_count; t++)
        for (int a = 0; a < claim->tensors[t].rank; a++) {
            isl_pw_aff **slot = &tr->shape[t * CVP_MAX_RANK + (size_t)a];
            as_rc rc = shape_expr(tr, slot, claim->tensors[t].shape[a]);
            if (rc != AS_OK)
                return rc;
            as_require(tr, isl_pw_aff_ge_set(isl_pw_aff_copy(*slot), as_pconst(tr, 0)));
        }
    if (tr->context == NULL || tr->valid == NULL)
        return as_fail(tr, "the context");
    return AS_OK;
}

/* ---- the claim -------------------------------------------------------------- */

as_rc as_tr_start(as_tr *tr, const cvp_proof_claim *claim, const char *source)
{
    memset(tr, 0, sizeof *tr);
    tr->ctx = isl_ctx_alloc();
    CVP_ASSERT(tr->ctx != NULL);
    isl_options_set_on_error(tr->ctx, ISL_ON_ERROR_CONTINUE);
    tr->claim = claim;
    tr->source = source;
    return build_context(tr);
}

void as_tr_finish(as_tr *tr)
{
    if (tr->shape != NULL)
        for (size_t k = 0; k < tr->claim->tensor_count * CVP_MAX_RANK; k++)
            isl_pw_aff_free(tr->shape[k]);
    free(tr->shape);
    isl_set_free(tr->context);
    isl_set_free(tr->valid);
    isl_space_free(tr->pspace);
    if (tr->ctx != NULL)
        isl_ctx_free(tr->ctx);
    memset(tr, 0, sizeof *tr);
}
