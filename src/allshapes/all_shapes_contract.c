/* all_shapes_contract.c -- the contraction every operator of all_shapes is
 * written as (see all_shapes_ops.h), with what it is built from: frames,
 * parameter conditions, tensor helpers and axis structure (part of the
 * trusted kernel: the translation to isl relations). */
#include "allshapes/all_shapes_ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <isl/local_space.h>
#include <isl/val.h>

#include "eval/call.h"

/* ---- frames --------------------------------------------------------------- */

isl_pw_aff *as_fvar(frame *f, int k)
{
    isl_local_space *ls = isl_local_space_from_space(isl_space_copy(f->space));
    return isl_pw_aff_from_aff(isl_aff_var_on_domain(ls, isl_dim_set, (unsigned)k));
}

isl_pw_aff *as_fsum(frame *f, int k)
{
    return as_fvar(f, f->no + k);
}

isl_pw_aff *as_fpar(frame *f, isl_pw_aff *p)
{
    return isl_pw_aff_add_dims(isl_pw_aff_copy(p), isl_dim_in,
                               (unsigned)(f->no + f->ns));
}

isl_pw_aff *as_fcst(frame *f, long c)
{
    return isl_pw_aff_val_on_domain(isl_set_universe(isl_space_copy(f->space)),
                                    isl_val_int_from_si(f->tr->ctx, c));
}

isl_pw_aff *as_fmul(isl_pw_aff *a, long c)
{
    isl_ctx *ctx = isl_pw_aff_get_ctx(a);
    return isl_pw_aff_scale_val(a, isl_val_int_from_si(ctx, c));
}

void as_fcon(frame *f, isl_set *c)
{
    f->set = isl_set_intersect(f->set, c);
}

void as_frange_pa(frame *f, isl_pw_aff *v, isl_pw_aff *lo, isl_pw_aff *hi)
{
    as_fcon(f, isl_pw_aff_le_set(lo, isl_pw_aff_copy(v)));
    as_fcon(f, isl_pw_aff_lt_set(v, hi));
}

void as_frame_init(frame *f, as_tr *tr, const as_tensor *out, int ns)
{
    f->tr = tr;
    f->no = out->ndims;
    f->ns = ns;
    f->space = isl_space_add_dims(isl_space_copy(tr->pspace), isl_dim_set,
                                  (unsigned)(f->no + ns));
    f->set = isl_set_intersect_params(isl_set_universe(isl_space_copy(f->space)),
                                      isl_set_copy(tr->context));
    for (int k = 0; k < f->no; k++)
        as_frange_pa(f, as_fvar(f, k), as_fcst(f, 0), as_fpar(f, out->size[k]));
}

void as_frame_clear(frame *f)
{
    isl_space_free(f->space);
    isl_set_free(f->set);
}

void as_fsum_range(frame *f, int k, isl_pw_aff *size)
{
    as_frange_pa(f, as_fsum(f, k), as_fcst(f, 0), as_fpar(f, size));
}

/* ---- parameter conditions ---------------------------------------------------- */

isl_set *as_p_ge(as_tr *tr, isl_pw_aff *a, long c)   /* a >= c, a kept */
{
    return isl_pw_aff_ge_set(isl_pw_aff_copy(a), as_pconst(tr, c));
}

isl_set *as_p_eq(isl_pw_aff *a, isl_pw_aff *b)   /* kept */
{
    return isl_pw_aff_eq_set(isl_pw_aff_copy(a), isl_pw_aff_copy(b));
}

isl_set *as_p_le(isl_pw_aff *a, isl_pw_aff *b)   /* kept */
{
    return isl_pw_aff_le_set(isl_pw_aff_copy(a), isl_pw_aff_copy(b));
}

isl_set *as_p_divisible(as_tr *tr, isl_pw_aff *a, long c)
{
    isl_pw_aff *q = isl_pw_aff_floor(isl_pw_aff_scale_down_val(isl_pw_aff_copy(a),
                                     isl_val_int_from_si(tr->ctx, c)));
    return isl_pw_aff_eq_set(as_fmul(q, c), isl_pw_aff_copy(a));
}

isl_pw_aff *as_p_fdiv(as_tr *tr, isl_pw_aff *a, long c)
{
    return isl_pw_aff_floor(isl_pw_aff_scale_down_val(isl_pw_aff_copy(a),
                            isl_val_int_from_si(tr->ctx, c)));
}

/* ---- tensors ---------------------------------------------------------------- */

void as_push_sub(as_tensor *t, int k, isl_pw_aff *size)
{
    CVP_ASSERT(k == t->rank - 1 || t->nsub[k + 1] == 0);
    CVP_ASSERT(t->ndims < AS_MAX_DIMS);
    t->size[t->ndims++] = size;
    t->nsub[k]++;
}

as_tensor *as_tensor_plain(int rank, isl_pw_aff **sizes)
{
    as_tensor *t = as_tensor_new(rank);
    for (int k = 0; k < rank; k++)
        as_push_sub(t, k, sizes[k]);
    return t;
}

int as_first_sub(const as_tensor *t, int k)
{
    int d = 0;
    for (int j = 0; j < k; j++)
        d += t->nsub[j];
    return d;
}

as_tensor *as_tensor_like(const as_tensor *t)
{
    as_tensor *u = as_tensor_new(t->rank);
    memcpy(u->nsub, t->nsub, sizeof u->nsub);
    u->ndims = t->ndims;
    for (int d = 0; d < t->ndims; d++)
        u->size[d] = isl_pw_aff_copy(t->size[d]);
    return u;
}

bool as_has_null(as_tensor *t)
{
    for (int d = 0; d < t->ndims; d++)
        if (t->size[d] == NULL)
            return true;
    return false;
}

void as_scale(as_tensor *t, mpq_srcptr c)
{
    if (mpq_sgn(c) == 0) {
        for (size_t k = 0; k < t->count; k++) {
            mpq_clear(t->pieces[k].coef);
            isl_map_free(t->pieces[k].rel);
        }
        t->count = 0;
        return;
    }
    for (size_t k = 0; k < t->count; k++)
        mpq_mul(t->pieces[k].coef, t->pieces[k].coef, c);
}

/* The box 0 <= i_d < size_d of t's sub-axes, as a set. */
static isl_set *tensor_box(as_tr *tr, const as_tensor *t)
{
    frame f;
    as_frame_init(&f, tr, t, 0);
    isl_set *box = isl_set_copy(f.set);
    as_frame_clear(&f);
    return box;
}

as_rc as_leaf(as_tr *tr, as_tensor **out, int t)
{
    int rank = as_tensor_rank(tr, t);
    isl_pw_aff *sizes[CVP_MAX_RANK];
    for (int a = 0; a < rank; a++)
        sizes[a] = isl_pw_aff_copy(tr->shape[(size_t)t * CVP_MAX_RANK + (size_t)a]);
    *out = as_tensor_plain(rank, sizes);
    isl_set *box = tensor_box(tr, *out);
    isl_map *id = isl_map_identity(isl_space_map_from_set(isl_set_get_space(box)));
    id = isl_map_intersect_domain(id, box);
    mpq_t one;
    mpq_init(one);
    mpq_set_ui(one, 1, 1);
    as_rc rc = as_tensor_add(tr, *out, one, (uint64_t)1 << t, id);
    mpq_clear(one);
    return rc;
}

as_rc as_constant(as_tr *tr, as_tensor **out, mpq_srcptr c)
{
    *out = as_tensor_new(0);
    isl_space *space = isl_space_add_dims(isl_space_copy(tr->pspace), isl_dim_set, 0);
    isl_map *rel = isl_map_from_domain(isl_set_intersect_params(
                       isl_set_universe(space), isl_set_copy(tr->context)));
    return as_tensor_add(tr, *out, c, 0, rel);
}

/* ---- contractions ----------------------------------------------------------- */

/* The function frame -> [idx...] on dom (all taken). */
static isl_map *index_map(isl_set *dom, isl_pw_aff **idx, int n)
{
    isl_map *g = isl_map_from_domain(dom);
    for (int d = 0; d < n; d++) {
        g = isl_map_flatten_range(isl_map_range_product(g, isl_map_from_pw_aff(idx[d])));
        idx[d] = NULL;
    }
    return g;
}

/* Projects out the ns summation dims after the no output dims of *acc,
 * after checking that no (entry, monomial) pair is reached twice. */
static as_rc project_sum(as_tr *tr, isl_map **acc, int no, int ns, cvp_srcpos pos)
{
    if (ns == 0)
        return AS_OK;
    isl_size nf = isl_map_dim(*acc, isl_dim_out);
    if (nf < 0)
        return as_fail(tr, "a summation");
    isl_map *t = isl_map_copy(*acc);
    t = isl_map_move_dims(t, isl_dim_out, 0, isl_dim_in, (unsigned)no, (unsigned)ns);
    t = isl_map_move_dims(t, isl_dim_in, (unsigned)no, isl_dim_out, (unsigned)ns,
                          (unsigned)nf);
    isl_bool sv = isl_map_is_single_valued(t);
    isl_map_free(t);
    if (sv < 0)
        return as_fail(tr, "checking that a summation counts each product once");
    if (!sv)
        return as_na(tr, pos, "a sum reaches the same product of inputs more than "
                     "once (its multiplicity is not decided)");
    *acc = isl_map_project_out(*acc, isl_dim_in, (unsigned)no, (unsigned)ns);
    return *acc ? AS_OK : as_fail(tr, "a summation");
}

/* Permutes the range of rel, made of the families fam[0..n) one after
 * the other, into the order of the union family (declaration order). */
static isl_map *canonical_range(as_tr *tr, isl_map *rel, const uint64_t *fam, int n)
{
    uint64_t all = 0;
    for (int k = 0; k < n; k++)
        all |= fam[k];
    int total = as_family_dims(tr, all);
    int perm[AS_MAX_DIMS * 4];
    if (total > (int)(sizeof perm / sizeof perm[0]))
        return isl_map_free(rel);
    bool identity = true;
    int q = 0;
    for (int t = 0; t < AS_MAX_TENSORS; t++) {
        if (!(all & ((uint64_t)1 << t)))
            continue;
        int block = 0, owner = 0;
        for (int k = 0; k < n; k++) {
            if (fam[k] & ((uint64_t)1 << t)) {
                owner = k;
                break;
            }
            block += as_family_dims(tr, fam[k]);
        }
        int src = block + as_family_offset(tr, fam[owner], t);
        for (int a = 0; a < as_tensor_rank(tr, t); a++) {
            perm[q] = src + a;
            identity = identity && perm[q] == q;
            q++;
        }
    }
    if (identity)
        return rel;
    isl_space *space = isl_space_range(isl_map_get_space(rel));
    isl_map *p = isl_map_universe(isl_space_map_from_set(space));
    for (int k = 0; k < total; k++)
        p = isl_map_equate(p, isl_dim_in, perm[k], isl_dim_out, k);
    return isl_map_apply_range(rel, p);
}

as_rc as_contract(as_tr *tr, as_tensor *out, frame *f, int nops,
                  operand *ops, long coef_num, cvp_srcpos pos)
{
    isl_map *g[4] = {NULL, NULL, NULL, NULL};
    size_t cur[4] = {0, 0, 0, 0};
    CVP_ASSERT(nops >= 1 && nops <= 4);
    bool zero = false;
    size_t combinations = 1;
    for (int k = 0; k < nops; k++) {
        g[k] = index_map(isl_set_copy(f->set), ops[k].idx, ops[k].t->ndims);
        zero = zero || ops[k].t->count == 0;
        combinations *= ops[k].t->count ? ops[k].t->count : 1;
        if (combinations > AS_MAX_PIECES)
            combinations = AS_MAX_PIECES + 1;
    }
    as_rc rc = f->set == NULL ? as_fail(tr, "an operator's frame") : AS_OK;
    /* Inside a count only sizes matter: out keeps its axes and gets no
     * pieces, as if an operand were zero (all_shapes_ops_shape.c). */
    zero = zero || tr->shapes_only;
    if (rc == AS_OK && combinations + out->count > AS_MAX_PIECES)
        rc = as_na(tr, pos, "an expression has more than %d terms", AS_MAX_PIECES);
    mpq_t c;
    mpq_init(c);
    while (rc == AS_OK && !zero) {
        uint64_t fam[4], all = 0;
        mpq_set_si(c, coef_num, 1);
        isl_map *acc = NULL;
        for (int k = 0; k < nops && rc == AS_OK; k++) {
            const as_piece *p = &ops[k].t->pieces[cur[k]];
            fam[k] = p->family;
            if (all & fam[k]) {
                int t = 0;
                while (!((all & fam[k]) & ((uint64_t)1 << t)))
                    t++;
                rc = as_na(tr, pos, "a product in which input %s appears twice "
                           "(not multilinear)", tr->claim->tensors[t].name);
                break;
            }
            all |= fam[k];
            mpq_mul(c, c, p->coef);
            isl_map *m = isl_map_apply_range(isl_map_copy(g[k]), isl_map_copy(p->rel));
            acc = acc ? isl_map_flatten_range(isl_map_range_product(acc, m)) : m;
        }
        if (rc == AS_OK)
            rc = acc ? project_sum(tr, &acc, f->no, f->ns, pos)
                     : as_fail(tr, "a product");
        if (rc == AS_OK) {
            acc = canonical_range(tr, acc, fam, nops);
            rc = as_tensor_add(tr, out, c, all, acc);
            acc = NULL;
        }
        isl_map_free(acc);
        int k = nops - 1;
        while (k >= 0 && ++cur[k] == ops[k].t->count)
            cur[k--] = 0;
        if (k < 0)
            break;
    }
    mpq_clear(c);
    for (int k = 0; k < nops; k++) {
        isl_map_free(g[k]);
        for (int d = 0; d < ops[k].t->ndims; d++)
            isl_pw_aff_free(ops[k].idx[d]);
    }
    return rc;
}

void as_idx_copy(frame *f, operand *op, int d0, int f0, int n)
{
    for (int k = 0; k < n; k++)
        op->idx[d0 + k] = as_fvar(f, f0 + k);
}

/* ---- axis structure ---------------------------------------------------------- */

isl_bool as_axis_is_unit(as_tr *tr, const as_tensor *t, int k)
{
    int d0 = as_first_sub(t, k);
    for (int d = d0; d < d0 + t->nsub[k]; d++) {
        long c;
        isl_bool cst = as_pconstant(tr, t->size[d], &c);
        if (cst < 0)
            return cst;
        if (!cst || c != 1)
            return isl_bool_false;
    }
    return isl_bool_true;
}

isl_bool as_axes_equal(as_tr *tr, const as_tensor *a, int ka,
                       const as_tensor *b, int kb)
{
    if (a->nsub[ka] != b->nsub[kb])
        return isl_bool_false;
    int da = as_first_sub(a, ka), db = as_first_sub(b, kb);
    for (int k = 0; k < a->nsub[ka]; k++) {
        isl_bool eq = as_pequal(tr, a->size[da + k], b->size[db + k]);
        if (eq != isl_bool_true)
            return eq;
    }
    return isl_bool_true;
}

/* Removes sub-dim d of t (its index is 0 wherever t has entries). */
static void remove_sub(as_tensor *t, int d)
{
    int k = 0, acc = 0;
    while (acc + t->nsub[k] <= d) {
        acc += t->nsub[k];
        k++;
    }
    t->nsub[k]--;
    isl_pw_aff_free(t->size[d]);
    memmove(&t->size[d], &t->size[d + 1], (size_t)(t->ndims - d - 1) * sizeof t->size[0]);
    t->ndims--;
    for (size_t p = 0; p < t->count; p++)
        t->pieces[p].rel = isl_map_project_out(t->pieces[p].rel, isl_dim_in,
                                               (unsigned)d, 1);
}

as_rc as_drop_units(as_tr *tr, as_tensor *t)
{
    for (int d = t->ndims; d-- > 0;) {
        long c;
        isl_bool cst = as_pconstant(tr, t->size[d], &c);
        if (cst < 0)
            return as_fail(tr, "a size");
        if (cst && c == 1)
            remove_sub(t, d);
    }
    for (size_t p = 0; p < t->count; p++)
        if (t->pieces[p].rel == NULL)
            return as_fail(tr, "dropping a unit axis");
    return AS_OK;
}

as_rc as_make_plain(as_tr *tr, as_tensor *t, int k, cvp_srcpos pos)
{
    int d0 = as_first_sub(t, k), n = t->nsub[k];
    if (n == 1)
        return AS_OK;
    if (n == 0) {
        /* a unit axis: one sub-axis of size 1, index 0 */
        memmove(&t->size[d0 + 1], &t->size[d0], (size_t)(t->ndims - d0) * sizeof t->size[0]);
        t->size[d0] = as_pconst(tr, 1);
        t->ndims++;
        t->nsub[k] = 1;
        for (size_t p = 0; p < t->count; p++) {
            isl_map *rel = isl_map_insert_dims(t->pieces[p].rel, isl_dim_in, (unsigned)d0, 1);
            t->pieces[p].rel = isl_map_fix_si(rel, isl_dim_in, (unsigned)d0, 0);
            if (t->pieces[p].rel == NULL)
                return as_fail(tr, "a unit axis");
        }
        return AS_OK;
    }
    /* a flattened axis: affine when every sub-axis but the first has a
     * constant size */
    long stride[AS_MAX_DIMS];
    stride[n - 1] = 1;
    for (int j = n - 1; j > 0; j--) {
        long c;
        isl_bool cst = as_pconstant(tr, t->size[d0 + j], &c);
        if (cst < 0)
            return as_fail(tr, "a size");
        if (!cst)
            return as_na(tr, pos, "an index computation on a flattened axis whose "
                         "inner sizes are dims (not affine)");
        stride[j - 1] = stride[j] * c;
    }
    /* G: old sub-dims -> new dims, f = sum_j stride_j * i_j */
    isl_space *space = isl_space_add_dims(isl_space_copy(tr->pspace), isl_dim_set,
                                          (unsigned)t->ndims);
    frame f = {tr, space, t->ndims, 0, NULL};
    f.set = isl_set_universe(isl_space_copy(space));
    isl_pw_aff *idx[AS_MAX_DIMS];
    int q = 0;
    for (int d = 0; d < t->ndims; d++) {
        if (d < d0 || d >= d0 + n) {
            idx[q++] = as_fvar(&f, d);
        } else if (d == d0) {
            isl_pw_aff *sum = as_fcst(&f, 0);
            for (int j = 0; j < n; j++)
                sum = isl_pw_aff_add(sum, as_fmul(as_fvar(&f, d0 + j), stride[j]));
            idx[q++] = sum;
        }
    }
    isl_map *g = index_map(isl_set_copy(f.set), idx, q);
    as_frame_clear(&f);
    for (size_t p = 0; p < t->count; p++) {
        t->pieces[p].rel = isl_map_apply_domain(t->pieces[p].rel, isl_map_copy(g));
        if (t->pieces[p].rel == NULL) {
            isl_map_free(g);
            return as_fail(tr, "flattening an axis");
        }
    }
    isl_map_free(g);
    isl_pw_aff *size = as_fmul(t->size[d0], stride[0]);
    for (int j = 1; j < n; j++)
        isl_pw_aff_free(t->size[d0 + j]);
    t->size[d0] = size;
    memmove(&t->size[d0 + 1], &t->size[d0 + n], (size_t)(t->ndims - d0 - n) * sizeof t->size[0]);
    t->ndims -= n - 1;
    t->nsub[k] = 1;
    return size ? AS_OK : as_fail(tr, "flattening an axis");
}

as_rc as_all_plain(as_tr *tr, as_tensor *t, cvp_srcpos pos)
{
    for (int k = 0; k < t->rank; k++) {
        as_rc rc = as_make_plain(tr, t, k, pos);
        if (rc != AS_OK)
            return rc;
    }
    return AS_OK;
}
