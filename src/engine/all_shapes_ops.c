/* all_shapes_ops.c -- the operators as parametric relations (part of the
 * trusted kernel: the translation to isl relations).
 *
 * Every operator is written as one *contraction*
 *
 *     out[o] = coef * sum over s with (o, s) in frame of
 *              prod_k operand_k[index_k(o, s)]
 *
 * where the frame is a set of integer points (the output bounds, the
 * ranges of the summation variables s and the operator's equalities) and
 * each index_k is a quasi-affine function, so each operand's relation is
 * pulled back through a function and the summation over s is checked to
 * be injective before it is projected out.  The formulas are the loop
 * nests of kernel/textbook.c, conv2d.c, conv2d_backward.c and
 * conv_matrix.c, read as sums; the preconditions under which those
 * kernels accept their arguments are recorded with as_require, so that
 * the method only speaks for shapes where the evaluator agrees. */
#include "engine/all_shapes_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <isl/local_space.h>
#include <isl/val.h>

#include "engine/builtins.h"
#include "engine/call.h"

/* ---- frames --------------------------------------------------------------- */

typedef struct {
    as_tr *tr;
    isl_space *space;   /* set space: the parameters and no + ns dims */
    int no, ns;
    isl_set *set;
} frame;

static isl_pw_aff *fvar(frame *f, int k)
{
    isl_local_space *ls = isl_local_space_from_space(isl_space_copy(f->space));
    return isl_pw_aff_from_aff(isl_aff_var_on_domain(ls, isl_dim_set, (unsigned)k));
}

/* Summation variable k. */
static isl_pw_aff *fsum(frame *f, int k)
{
    return fvar(f, f->no + k);
}

/* A parameter expression (kept) on the frame's space. */
static isl_pw_aff *fpar(frame *f, isl_pw_aff *p)
{
    return isl_pw_aff_add_dims(isl_pw_aff_copy(p), isl_dim_in,
                               (unsigned)(f->no + f->ns));
}

static isl_pw_aff *fcst(frame *f, long c)
{
    return isl_pw_aff_val_on_domain(isl_set_universe(isl_space_copy(f->space)),
                                    isl_val_int_from_si(f->tr->ctx, c));
}

/* a * c for a constant c. */
static isl_pw_aff *fmul(isl_pw_aff *a, long c)
{
    isl_ctx *ctx = isl_pw_aff_get_ctx(a);
    return isl_pw_aff_scale_val(a, isl_val_int_from_si(ctx, c));
}

static void fcon(frame *f, isl_set *c)
{
    f->set = isl_set_intersect(f->set, c);
}

/* lo <= v < hi (both given). */
static void frange_pa(frame *f, isl_pw_aff *v, isl_pw_aff *lo, isl_pw_aff *hi)
{
    fcon(f, isl_pw_aff_le_set(lo, isl_pw_aff_copy(v)));
    fcon(f, isl_pw_aff_lt_set(v, hi));
}

static void frame_init(frame *f, as_tr *tr, const as_tensor *out, int ns)
{
    f->tr = tr;
    f->no = out->ndims;
    f->ns = ns;
    f->space = isl_space_add_dims(isl_space_copy(tr->pspace), isl_dim_set,
                                  (unsigned)(f->no + ns));
    f->set = isl_set_intersect_params(isl_set_universe(isl_space_copy(f->space)),
                                      isl_set_copy(tr->context));
    for (int k = 0; k < f->no; k++)
        frange_pa(f, fvar(f, k), fcst(f, 0), fpar(f, out->size[k]));
}

static void frame_clear(frame *f)
{
    isl_space_free(f->space);
    isl_set_free(f->set);
}

/* 0 <= s_k < size (size kept). */
static void fsum_range(frame *f, int k, isl_pw_aff *size)
{
    frange_pa(f, fsum(f, k), fcst(f, 0), fpar(f, size));
}

/* ---- parameter conditions ---------------------------------------------------- */

static isl_set *p_ge(as_tr *tr, isl_pw_aff *a, long c)   /* a >= c, a kept */
{
    return isl_pw_aff_ge_set(isl_pw_aff_copy(a), as_pconst(tr, c));
}

static isl_set *p_eq(isl_pw_aff *a, isl_pw_aff *b)   /* kept */
{
    return isl_pw_aff_eq_set(isl_pw_aff_copy(a), isl_pw_aff_copy(b));
}

static isl_set *p_le(isl_pw_aff *a, isl_pw_aff *b)   /* kept */
{
    return isl_pw_aff_le_set(isl_pw_aff_copy(a), isl_pw_aff_copy(b));
}

/* c divides a (a kept), c >= 1. */
static isl_set *p_divisible(as_tr *tr, isl_pw_aff *a, long c)
{
    isl_pw_aff *q = isl_pw_aff_floor(isl_pw_aff_scale_down_val(isl_pw_aff_copy(a),
                                     isl_val_int_from_si(tr->ctx, c)));
    return isl_pw_aff_eq_set(fmul(q, c), isl_pw_aff_copy(a));
}

/* floor(a / c), a kept. */
static isl_pw_aff *p_fdiv(as_tr *tr, isl_pw_aff *a, long c)
{
    return isl_pw_aff_floor(isl_pw_aff_scale_down_val(isl_pw_aff_copy(a),
                            isl_val_int_from_si(tr->ctx, c)));
}

/* ---- tensors ---------------------------------------------------------------- */

/* Appends a sub-axis of size `size` (given) to axis k (the last axis). */
static void push_sub(as_tensor *t, int k, isl_pw_aff *size)
{
    CVP_ASSERT(k == t->rank - 1 || t->nsub[k + 1] == 0);
    CVP_ASSERT(t->ndims < AS_MAX_DIMS);
    t->size[t->ndims++] = size;
    t->nsub[k]++;
}

/* A tensor of `rank` plain axes of the given sizes (given). */
static as_tensor *tensor_plain(int rank, isl_pw_aff **sizes)
{
    as_tensor *t = as_tensor_new(rank);
    for (int k = 0; k < rank; k++)
        push_sub(t, k, sizes[k]);
    return t;
}

/* First sub-dim of axis k. */
static int first_sub(const as_tensor *t, int k)
{
    int d = 0;
    for (int j = 0; j < k; j++)
        d += t->nsub[j];
    return d;
}

/* A tensor with t's axes (sizes copied), no pieces. */
static as_tensor *tensor_like(const as_tensor *t)
{
    as_tensor *u = as_tensor_new(t->rank);
    memcpy(u->nsub, t->nsub, sizeof u->nsub);
    u->ndims = t->ndims;
    for (int d = 0; d < t->ndims; d++)
        u->size[d] = isl_pw_aff_copy(t->size[d]);
    return u;
}

static bool has_null(as_tensor *t)
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
    frame_init(&f, tr, t, 0);
    isl_set *box = isl_set_copy(f.set);
    frame_clear(&f);
    return box;
}

as_rc as_leaf(as_tr *tr, as_tensor **out, int t)
{
    int rank = as_tensor_rank(tr, t);
    isl_pw_aff *sizes[CVP_MAX_RANK];
    for (int a = 0; a < rank; a++)
        sizes[a] = isl_pw_aff_copy(tr->shape[(size_t)t * CVP_MAX_RANK + (size_t)a]);
    *out = tensor_plain(rank, sizes);
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

typedef struct {
    const as_tensor *t;
    isl_pw_aff *idx[AS_MAX_DIMS];   /* t->ndims functions of the frame */
} operand;

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

/* out += coef * sum over the frame of prod_k operand_k[index_k]. */
static as_rc contract(as_tr *tr, as_tensor *out, frame *f, int nops,
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

/* The identity index of operand t's sub-axes d0.. onto frame dims f0.. */
static void idx_copy(frame *f, operand *op, int d0, int f0, int n)
{
    for (int k = 0; k < n; k++)
        op->idx[d0 + k] = fvar(f, f0 + k);
}

/* ---- axis structure ---------------------------------------------------------- */

/* True when every sub-axis of axis k of t has size 1 (on the context). */
static isl_bool axis_is_unit(as_tr *tr, const as_tensor *t, int k)
{
    int d0 = first_sub(t, k);
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

/* Axis ka of a and axis kb of b have equal sub-axes (on the context). */
static isl_bool axes_equal(as_tr *tr, const as_tensor *a, int ka,
                           const as_tensor *b, int kb)
{
    if (a->nsub[ka] != b->nsub[kb])
        return isl_bool_false;
    int da = first_sub(a, ka), db = first_sub(b, kb);
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
    int d0 = first_sub(t, k), n = t->nsub[k];
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
            idx[q++] = fvar(&f, d);
        } else if (d == d0) {
            isl_pw_aff *sum = fcst(&f, 0);
            for (int j = 0; j < n; j++)
                sum = isl_pw_aff_add(sum, fmul(fvar(&f, d0 + j), stride[j]));
            idx[q++] = sum;
        }
    }
    isl_map *g = index_map(isl_set_copy(f.set), idx, q);
    frame_clear(&f);
    for (size_t p = 0; p < t->count; p++) {
        t->pieces[p].rel = isl_map_apply_domain(t->pieces[p].rel, isl_map_copy(g));
        if (t->pieces[p].rel == NULL) {
            isl_map_free(g);
            return as_fail(tr, "flattening an axis");
        }
    }
    isl_map_free(g);
    isl_pw_aff *size = fmul(t->size[d0], stride[0]);
    for (int j = 1; j < n; j++)
        isl_pw_aff_free(t->size[d0 + j]);
    t->size[d0] = size;
    memmove(&t->size[d0 + 1], &t->size[d0 + n], (size_t)(t->ndims - d0 - n) * sizeof t->size[0]);
    t->ndims -= n - 1;
    t->nsub[k] = 1;
    return size ? AS_OK : as_fail(tr, "flattening an axis");
}

static as_rc all_plain(as_tr *tr, as_tensor *t, cvp_srcpos pos)
{
    for (int k = 0; k < t->rank; k++) {
        as_rc rc = as_make_plain(tr, t, k, pos);
        if (rc != AS_OK)
            return rc;
    }
    return AS_OK;
}

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
        isl_bool ua = ka < 0 ? isl_bool_true : axis_is_unit(tr, a, ka);
        isl_bool ub = kb < 0 ? isl_bool_true : axis_is_unit(tr, b, kb);
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
            isl_bool eq = axes_equal(tr, a, ka, b, kb);
            if (eq < 0)
                return as_fail(tr, "comparing shapes");
            if (!eq) {
                if (a->nsub[ka] != 1 || b->nsub[kb] != 1)
                    return as_na(tr, pos, "operands whose axes are flattened "
                                 "differently");
                /* the translation covers equal sizes only */
                as_require(tr, p_eq(a->size[first_sub(a, ka)], b->size[first_sub(b, kb)]));
            }
        }
    }
    as_tensor *t = as_tensor_new(R);
    for (int r = 0; r < R; r++) {
        int d0 = first_sub(src[r], srck[r]);
        for (int j = 0; j < src[r]->nsub[srck[r]]; j++)
            push_sub(t, r, isl_pw_aff_copy(src[r]->size[d0 + j]));
    }
    *out = t;
    /* operand x's index: per axis, the result's sub-dims or zeros */
    const as_tensor *xs[2] = {a, b};
    operand ops[2];
    frame f;
    frame_init(&f, tr, t, 0);
    for (int x = 0; x < 2; x++) {
        const as_tensor *s = xs[x];
        ops[x].t = s;
        for (int k = 0; k < s->rank; k++) {
            int r = k + (R - s->rank);
            int d0 = first_sub(s, k);
            bool broadcast = role[r] == x + 1;
            for (int j = 0; j < s->nsub[k]; j++)
                ops[x].idx[d0 + j] = broadcast ? fcst(&f, 0)
                                               : fvar(&f, first_sub(t, r) + j);
        }
    }
    as_rc rc;
    if (op == '*') {
        rc = contract(tr, t, &f, 2, ops, 1, pos);
    } else {
        rc = contract(tr, t, &f, 1, &ops[0], 1, pos);
        if (rc == AS_OK)
            rc = contract(tr, t, &f, 1, &ops[1], op == '-' ? -1 : 1, pos);
        else
            for (int d = 0; d < b->ndims; d++)
                isl_pw_aff_free(ops[1].idx[d]);
    }
    frame_clear(&f);
    return rc;
}

as_rc as_matmul(as_tr *tr, as_tensor **out, const as_tensor *a,
                const as_tensor *b, cvp_srcpos pos)
{
    *out = NULL;
    if (a->rank < 1 || a->rank > 2 || b->rank < 1 || b->rank > 2)
        return as_reject(tr);
    int ka = a->rank - 1;
    isl_bool eq = axes_equal(tr, a, ka, b, 0);
    if (eq < 0)
        return as_fail(tr, "comparing shapes");
    if (!eq) {
        if (a->nsub[ka] != 1 || b->nsub[0] != 1)
            return as_na(tr, pos, "a matrix product of axes flattened differently");
        as_require(tr, p_eq(a->size[first_sub(a, ka)], b->size[0]));
    }
    as_tensor *t = as_tensor_new((a->rank == 2) + (b->rank == 2));
    int r = 0;
    if (a->rank == 2) {
        for (int j = 0; j < a->nsub[0]; j++)
            push_sub(t, r, isl_pw_aff_copy(a->size[j]));
        r++;
    }
    if (b->rank == 2) {
        int d0 = first_sub(b, 1);
        for (int j = 0; j < b->nsub[1]; j++)
            push_sub(t, r, isl_pw_aff_copy(b->size[d0 + j]));
    }
    *out = t;
    int m = a->nsub[ka], ai = a->rank == 2 ? a->nsub[0] : 0;
    frame f;
    frame_init(&f, tr, t, m);
    int dk = first_sub(a, ka);
    for (int k = 0; k < m; k++)
        fsum_range(&f, k, a->size[dk + k]);
    operand ops[2];
    ops[0].t = a;
    idx_copy(&f, &ops[0], 0, 0, ai);
    for (int k = 0; k < m; k++)
        ops[0].idx[ai + k] = fsum(&f, k);
    ops[1].t = b;
    for (int k = 0; k < m; k++)
        ops[1].idx[k] = fsum(&f, k);
    if (b->rank == 2)
        idx_copy(&f, &ops[1], m, ai, b->nsub[1]);
    as_rc rc = contract(tr, t, &f, 2, ops, 1, pos);
    frame_clear(&f);
    return rc;
}

/* ---- arguments of calls -------------------------------------------------------- */

typedef struct {
    const cvp_builtin *fn;
    int n;
    as_value v[CVP_BUILTIN_MAX_PARAMS];
    bool given[CVP_BUILTIN_MAX_PARAMS];
    cvp_srcpos pos[CVP_BUILTIN_MAX_PARAMS];
} args;

static void args_clear(args *a)
{
    for (int p = 0; p < CVP_BUILTIN_MAX_PARAMS; p++)
        as_value_clear(&a->v[p]);
}

/* Binds and translates the arguments as engine/call.c does; a call the
 * evaluator rejects (unknown keyword, missing argument) is AS_REJECT. */
static as_rc bind_args(as_tr *tr, args *a, const cvp_ast_node *node,
                       const cvp_builtin *fn, size_t lets)
{
    a->fn = fn;
    a->n = cvp_builtin_param_count(fn);
    int slot[CVP_BUILTIN_MAX_PARAMS];
    for (int p = 0; p < CVP_BUILTIN_MAX_PARAMS; p++) {
        as_value_init(&a->v[p]);
        a->given[p] = false;
        a->pos[p] = node->pos;
        slot[p] = -1;
    }
    int positional = 0;
    for (size_t i = 0; i < node->u.call.count; i++) {
        const cvp_ast_arg *arg = &node->u.call.args[i];
        int p;
        if (arg->keyword == NULL) {
            if (positional >= fn->max_positional)
                return as_reject(tr);
            p = positional++;
        } else {
            p = cvp_builtin_param_index(fn, arg->keyword);
            if (p < 0 || slot[p] >= 0)
                return as_reject(tr);
        }
        slot[p] = (int)i;
    }
    for (int p = 0; p < a->n; p++) {
        const cvp_param_spec *spec = &fn->params[p];
        if (slot[p] >= 0) {
            const cvp_ast_node *value = node->u.call.args[slot[p]].value;
            a->given[p] = true;
            a->pos[p] = value->pos;
            as_rc rc = as_translate(tr, &a->v[p], value, lets);
            if (rc != AS_OK)
                return rc;
            continue;
        }
        switch (spec->dflt) {
        case CVP_PARAM_REQUIRED:
            return as_reject(tr);
        case CVP_PARAM_NONE:
            break;
        case CVP_PARAM_INT:
            a->v[p].kind = AV_NUM;
            mpq_set_si(a->v[p].num, spec->int_value, 1);
            break;
        case CVP_PARAM_BOOL:
            a->v[p].kind = AV_BOOL;
            a->v[p].boolean = spec->int_value != 0;
            break;
        case CVP_PARAM_SAME_AS:
            return as_na(tr, node->pos, "%s: default arguments copied from "
                         "another argument are not supported", fn->name);
        }
    }
    return AS_OK;
}

/* Argument p as a tensor (moved out of a); numbers are rank-0 tensors. */
static as_rc arg_tensor(as_tr *tr, args *a, int p, as_tensor **out)
{
    as_value *v = &a->v[p];
    *out = NULL;
    if (v->kind == AV_TENSOR) {
        *out = v->t;
        v->t = NULL;
        return AS_OK;
    }
    if (v->kind == AV_NUM)
        return as_constant(tr, out, v->num);
    if (v->kind == AV_SYM)
        return as_na(tr, a->pos[p], "%s: a dim is used as a tensor argument",
                     a->fn->name);
    return as_reject(tr);
}

/* A value that must be an integer: a NUM, or a SYM of one factor (then
 * floor'd after requiring that it is an integer), >= min. */
static as_rc int_value(as_tr *tr, const as_value *v, cvp_srcpos pos, long min,
                       isl_pw_aff **out)
{
    *out = NULL;
    if (v->kind == AV_NUM) {
        if (mpz_cmp_ui(mpq_denref(v->num), 1) != 0
            || mpz_cmp_si(mpq_numref(v->num), min) < 0
            || mpz_cmpabs_ui(mpq_numref(v->num), (unsigned long)CVP_CALL_MAX_INT) > 0)
            return as_reject(tr);
        *out = as_pconst(tr, mpz_get_si(mpq_numref(v->num)));
        return *out ? AS_OK : as_fail(tr, "an argument");
    }
    if (v->kind != AV_SYM)
        return as_reject(tr);
    if (v->nf != 1)
        return as_na(tr, pos, "an argument is a product of dims (not affine)");
    isl_pw_aff *x = isl_pw_aff_copy(v->factor[0]);
    isl_pw_aff *fl = isl_pw_aff_floor(isl_pw_aff_copy(x));
    as_require(tr, isl_pw_aff_eq_set(isl_pw_aff_copy(fl), x));
    as_require(tr, p_ge(tr, fl, min));
    *out = fl;
    return fl ? AS_OK : as_fail(tr, "an argument");
}

/* A value that must be a number for all_shapes (a stride). */
static as_rc const_value(as_tr *tr, const as_value *v, cvp_srcpos pos,
                         const char *what, long min, long *out)
{
    if (v->kind == AV_NUM) {
        if (mpz_cmp_ui(mpq_denref(v->num), 1) != 0
            || mpz_cmp_si(mpq_numref(v->num), min) < 0
            || mpz_cmpabs_ui(mpq_numref(v->num), (unsigned long)CVP_CALL_MAX_INT) > 0)
            return as_reject(tr);
        *out = mpz_get_si(mpq_numref(v->num));
        return AS_OK;
    }
    if (v->kind != AV_SYM)
        return as_reject(tr);
    isl_bool cst = v->nf == 1 ? as_pconstant(tr, v->factor[0], out) : isl_bool_false;
    if (cst < 0)
        return as_fail(tr, what);
    if (!cst)
        return as_na(tr, pos, "the %s is a dim; all_shapes needs a number there "
                     "(the index arithmetic would not be affine)", what);
    if (*out < min)
        return as_reject(tr);
    return AS_OK;
}

/* An integer or a pair (height, width). */
static as_rc pair_items(as_tr *tr, const as_value *v, const as_value *items[2])
{
    if (v->kind == AV_TUPLE) {
        if (v->count != 2)
            return as_reject(tr);
        items[0] = &v->items[0];
        items[1] = &v->items[1];
    } else {
        items[0] = items[1] = v;
    }
    return AS_OK;
}

static as_rc arg_const_pair(as_tr *tr, args *a, int p, const char *what,
                            long min, long out[2])
{
    const as_value *items[2];
    as_rc rc = pair_items(tr, &a->v[p], items);
    for (int k = 0; k < 2 && rc == AS_OK; k++)
        rc = const_value(tr, items[k], a->pos[p], what, min, &out[k]);
    return rc;
}

static as_rc arg_int_pair(as_tr *tr, args *a, int p, long min, isl_pw_aff *out[2])
{
    const as_value *items[2];
    out[0] = out[1] = NULL;
    as_rc rc = pair_items(tr, &a->v[p], items);
    for (int k = 0; k < 2 && rc == AS_OK; k++)
        rc = int_value(tr, items[k], a->pos[p], min, &out[k]);
    return rc;
}

/* A list of integer constants (axes). */
static as_rc arg_const_list(as_tr *tr, args *a, int p, long *out, int max, int *count)
{
    const as_value *v = &a->v[p];
    if (v->kind != AV_TUPLE) {
        *count = 1;
        return const_value(tr, v, a->pos[p], "axis", -CVP_CALL_MAX_INT, &out[0]);
    }
    if ((int)v->count > max)
        return as_reject(tr);
    *count = (int)v->count;
    for (size_t k = 0; k < v->count; k++) {
        as_rc rc = const_value(tr, &v->items[k], a->pos[p], "axis",
                               -CVP_CALL_MAX_INT, &out[k]);
        if (rc != AS_OK)
            return rc;
    }
    return AS_OK;
}

/* ---- textbook operators ----------------------------------------------------- */

typedef enum { TB_XCORR, TB_CONV, TB_WIDE } textbook_kind;

static as_rc textbook_pair(as_tr *tr, as_value *out, args *a, textbook_kind kind,
                           cvp_srcpos pos)
{
    as_tensor *W = NULL, *X = NULL;
    long stride[2] = {1, 1}, dil[2] = {1, 1};
    as_rc rc = arg_tensor(tr, a, 0, &W);
    if (rc == AS_OK)
        rc = arg_tensor(tr, a, 1, &X);
    if (rc == AS_OK && kind == TB_XCORR) {
        rc = arg_const_pair(tr, a, 2, "stride", 1, stride);
        if (rc == AS_OK)
            rc = arg_const_pair(tr, a, 3, "dilation", 1, dil);
    }
    if (rc == AS_OK && (W->rank != X->rank || W->rank < 1 || W->rank > 2))
        rc = as_reject(tr);
    if (rc == AS_OK)
        rc = all_plain(tr, W, pos);
    if (rc == AS_OK)
        rc = all_plain(tr, X, pos);
    if (rc != AS_OK)
        goto done;
    int r = W->rank;
    /* axis k of the operands is axis (k + 2 - r) of the pairs (a vector
     * is a row: its axis is the width) */
    isl_pw_aff *sizes[2];
    for (int k = 0; k < r; k++) {
        int h = k + 2 - r;
        isl_pw_aff *U = W->size[k], *M = X->size[k];
        as_require(tr, p_ge(tr, U, 1));
        as_require(tr, p_ge(tr, M, 1));
        switch (kind) {
        case TB_XCORR: {
            /* dh * (U - 1) <= M - 1 */
            isl_pw_aff *span = fmul(isl_pw_aff_sub(isl_pw_aff_copy(U), as_pconst(tr, 1)),
                                    dil[h]);
            as_require(tr, isl_pw_aff_le_set(isl_pw_aff_copy(span),
                                             isl_pw_aff_sub(isl_pw_aff_copy(M),
                                                            as_pconst(tr, 1))));
            /* (M - span - 1) / stride + 1 */
            isl_pw_aff *n = isl_pw_aff_sub(isl_pw_aff_sub(isl_pw_aff_copy(M), span),
                                           as_pconst(tr, 1));
            sizes[k] = isl_pw_aff_add(p_fdiv(tr, n, stride[h]), as_pconst(tr, 1));
            isl_pw_aff_free(n);
            break;
        }
        case TB_CONV:
            as_require(tr, p_le(U, M));
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
    as_tensor *Y = tensor_plain(r, sizes);
    out->kind = AV_TENSOR;
    out->t = Y;
    if (has_null(Y)) {
        rc = as_fail(tr, "an output size");
        goto done;
    }
    frame f;
    frame_init(&f, tr, Y, r);
    operand ops[2];
    ops[0].t = W;
    ops[1].t = X;
    for (int k = 0; k < r; k++) {
        int h = k + 2 - r;
        fsum_range(&f, k, W->size[k]);
        ops[0].idx[k] = fsum(&f, k);
        isl_pw_aff *i = fvar(&f, k), *u = fsum(&f, k), *x = NULL;
        switch (kind) {
        case TB_XCORR:   /* X[i*s + u*d] */
            x = isl_pw_aff_add(fmul(i, stride[h]), fmul(u, dil[h]));
            break;
        case TB_CONV:    /* X[i + U-1-u] */
            x = isl_pw_aff_sub(isl_pw_aff_add(i, fpar(&f, W->size[k])),
                               isl_pw_aff_add(u, fcst(&f, 1)));
            break;
        case TB_WIDE:    /* X[i + u - (U-1)] */
            x = isl_pw_aff_add(isl_pw_aff_add(i, u), fcst(&f, 1));
            x = isl_pw_aff_sub(x, fpar(&f, W->size[k]));
            break;
        }
        ops[1].idx[k] = x;
    }
    rc = contract(tr, Y, &f, 2, ops, 1, pos);
    frame_clear(&f);
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

typedef enum { IX_ROT180, IX_PAD, IX_DILATE } index_kind;

/* rot180, pad and dilate: out[o] = X[g(o)] on the spatial axes. */
static as_rc index_op(as_tr *tr, as_value *out, args *a, index_kind kind,
                      cvp_srcpos pos)
{
    as_tensor *X = NULL;
    isl_pw_aff *before[2] = {NULL, NULL}, *after[2] = {NULL, NULL};
    long s[2] = {1, 1};
    as_rc rc = arg_tensor(tr, a, 0, &X);
    if (rc == AS_OK && X->rank < 1)
        rc = as_reject(tr);
    int k0 = rc == AS_OK ? first_spatial(X) : 0;
    for (int k = k0; rc == AS_OK && k < X->rank; k++)
        rc = as_make_plain(tr, X, k, pos);
    if (rc == AS_OK && kind == IX_DILATE) {
        rc = arg_const_pair(tr, a, 1, "dilation factor", 1, s);
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
            rc = arg_int_pair(tr, a, 1, 0, hw);
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
                    rc = int_value(tr, &a->v[p], a->pos[p], 0, slots[p - 2]);
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
    as_tensor *Y = tensor_like(X);
    out->kind = AV_TENSOR;
    out->t = Y;
    for (int k = k0; k < X->rank; k++) {
        int h = X->rank == 1 ? 1 : k - k0;   /* 0 rows, 1 columns */
        int d = first_sub(X, k);
        if (kind == IX_PAD) {
            isl_pw_aff_free(Y->size[d]);
            Y->size[d] = isl_pw_aff_add(isl_pw_aff_add(isl_pw_aff_copy(X->size[d]),
                                                       isl_pw_aff_copy(before[h])),
                                        isl_pw_aff_copy(after[h]));
        } else if (kind == IX_DILATE && s[h] > 1) {
            /* max((M - 1) * s + 1, 0) */
            isl_pw_aff *m = isl_pw_aff_add(fmul(isl_pw_aff_sub(isl_pw_aff_copy(X->size[d]),
                                                               as_pconst(tr, 1)), s[h]),
                                           as_pconst(tr, 1));
            isl_pw_aff_free(Y->size[d]);
            Y->size[d] = isl_pw_aff_max(m, as_pconst(tr, 0));
        }
    }
    if (has_null(Y)) {
        rc = as_fail(tr, "an output size");
        goto done;
    }
    frame f;
    frame_init(&f, tr, Y, 0);
    operand op;
    op.t = X;
    idx_copy(&f, &op, 0, 0, X->ndims);
    for (int k = k0; k < X->rank; k++) {
        int h = X->rank == 1 ? 1 : k - k0;
        int d = first_sub(X, k);
        isl_pw_aff *i = op.idx[d];
        switch (kind) {
        case IX_ROT180:   /* X[M - 1 - i] */
            op.idx[d] = isl_pw_aff_sub(isl_pw_aff_sub(fpar(&f, X->size[d]), fcst(&f, 1)), i);
            break;
        case IX_PAD:      /* X[i - top] */
            op.idx[d] = isl_pw_aff_sub(i, fpar(&f, before[h]));
            break;
        case IX_DILATE:   /* X[i / s] where s divides i */
            if (s[h] > 1) {
                isl_pw_aff *q = isl_pw_aff_floor(isl_pw_aff_scale_down_val(
                                    isl_pw_aff_copy(i), isl_val_int_from_si(tr->ctx, s[h])));
                fcon(&f, isl_pw_aff_eq_set(fmul(isl_pw_aff_copy(q), s[h]), i));
                op.idx[d] = q;
            }
            break;
        }
    }
    rc = contract(tr, Y, &f, 1, &op, 1, pos);
    frame_clear(&f);
done:
    for (int k = 0; k < 2; k++) {
        isl_pw_aff_free(before[k]);
        isl_pw_aff_free(after[k]);
    }
    as_tensor_free(X);
    return rc;
}

/* ---- tensor algebra ----------------------------------------------------------- */

/* Moves t into out as a tensor value. */
static void give_tensor(as_value *out, as_tensor *t)
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
        int d0 = first_sub(X, perm[k]);
        for (int j = 0; j < X->nsub[perm[k]]; j++)
            push_sub(Y, k, isl_pw_aff_copy(X->size[d0 + j]));
    }
    give_tensor(out, Y);
    frame f;
    frame_init(&f, tr, Y, 0);
    operand op;
    op.t = X;
    for (int k = 0; k < X->rank; k++)
        idx_copy(&f, &op, first_sub(X, perm[k]), first_sub(Y, k), X->nsub[perm[k]]);
    as_rc rc = contract(tr, Y, &f, 1, &op, 1, pos);
    frame_clear(&f);
    return rc;
}

static as_rc fn_transpose(as_tr *tr, as_value *out, args *a, cvp_srcpos pos)
{
    as_tensor *X = NULL;
    as_rc rc = arg_tensor(tr, a, 0, &X);
    if (rc != AS_OK)
        return rc;
    int rank = X->rank, perm[CVP_MAX_RANK];
    if (a->v[1].kind == AV_NONE) {
        for (int k = 0; k < rank; k++)
            perm[k] = rank <= 1 ? k : rank - 1 - k;
    } else {
        long axes[CVP_MAX_RANK];
        int count;
        rc = arg_const_list(tr, a, 1, axes, CVP_MAX_RANK, &count);
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

static as_rc fn_sum(as_tr *tr, as_value *out, args *a, cvp_srcpos pos)
{
    as_tensor *X = NULL;
    as_rc rc = arg_tensor(tr, a, 0, &X);
    if (rc != AS_OK)
        return rc;
    int axis = -1;   /* -1: every axis */
    if (a->v[1].kind != AV_NONE) {
        long ax;
        rc = const_value(tr, &a->v[1], a->pos[1], "axis", -CVP_CALL_MAX_INT, &ax);
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
        int d0 = first_sub(X, k);
        for (int j = 0; j < X->nsub[k]; j++)
            push_sub(Y, r, isl_pw_aff_copy(X->size[d0 + j]));
        r++;
    }
    give_tensor(out, Y);
    int ns = axis < 0 ? X->ndims : X->nsub[axis];
    int s0 = axis < 0 ? 0 : first_sub(X, axis);
    frame f;
    frame_init(&f, tr, Y, ns);
    operand op;
    op.t = X;
    for (int d = 0, q = 0; d < X->ndims; d++) {
        if (d >= s0 && d < s0 + ns) {
            fsum_range(&f, d - s0, X->size[d]);
            op.idx[d] = fsum(&f, d - s0);
        } else {
            op.idx[d] = fvar(&f, q++);
        }
    }
    rc = contract(tr, Y, &f, 1, &op, 1, pos);
    frame_clear(&f);
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

static as_rc fn_reshape(as_tr *tr, as_value *out, args *a, cvp_srcpos pos)
{
    as_tensor *X = NULL;
    as_rc rc = arg_tensor(tr, a, 0, &X);
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
                as_require(tr, p_ge(tr, e[k].factor[j], 1));
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
    give_tensor(out, X);
    return AS_OK;
}

/* ---- conv2d and relatives ------------------------------------------------------- */

/* The layer's dims (conv2d.h's cvp_conv2d_dims), as functions of the
 * dims of the claim. */
typedef struct {
    bool batched;
    isl_pw_aff *N, *C, *H, *W, *O, *Cg, *kH, *kW, *Ho, *Wo;   /* borrowed, except Ho, Wo */
    long s[2], d[2], G;
    isl_pw_aff *p[2];
    isl_pw_aff *Og;    /* owned: O / G */
    isl_pw_aff *one;   /* owned */
} layer;

static void layer_clear(layer *L)
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
static as_rc layer_setup(as_tr *tr, layer *L, args *a, as_tensor *X, as_tensor *K,
                         int ps, int pp, int pd, int pg, cvp_srcpos pos)
{
    memset(L, 0, sizeof *L);
    L->one = as_pconst(tr, 1);
    if (X->rank != 4 && X->rank != 3)
        return as_reject(tr);
    if (K->rank != 4)
        return as_reject(tr);
    as_rc rc = all_plain(tr, X, pos);
    if (rc == AS_OK)
        rc = all_plain(tr, K, pos);
    if (rc == AS_OK)
        rc = arg_const_pair(tr, a, ps, "stride", 1, L->s);
    if (rc == AS_OK)
        rc = arg_int_pair(tr, a, pp, 0, L->p);
    if (rc == AS_OK)
        rc = arg_const_pair(tr, a, pd, "dilation", 1, L->d);
    if (rc == AS_OK)
        rc = const_value(tr, &a->v[pg], a->pos[pg], "groups", 1, &L->G);
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
    L->Og = p_fdiv(tr, L->O, L->G);
    return AS_OK;
}

/* conv2d_check: groups divide the channels, K's second dim is C/groups,
 * and each output size (in + 2p - d(k-1) - 1) / s + 1 is >= 1. */
static as_rc layer_forward_sizes(as_tr *tr, layer *L)
{
    as_require(tr, p_divisible(tr, L->C, L->G));
    as_require(tr, p_divisible(tr, L->O, L->G));
    isl_pw_aff *cg = p_fdiv(tr, L->C, L->G);
    as_require(tr, p_eq(L->Cg, cg));
    isl_pw_aff_free(cg);
    isl_pw_aff *in[2] = {L->H, L->W}, *k[2] = {L->kH, L->kW}, **outs[2] = {&L->Ho, &L->Wo};
    for (int a = 0; a < 2; a++) {
        as_require(tr, p_ge(tr, k[a], 1));
        /* span = in + 2p - d(k - 1) - 1 >= 0 */
        isl_pw_aff *span = isl_pw_aff_add(isl_pw_aff_copy(in[a]), fmul(isl_pw_aff_copy(L->p[a]), 2));
        span = isl_pw_aff_sub(span, fmul(isl_pw_aff_sub(isl_pw_aff_copy(k[a]), as_pconst(tr, 1)),
                                         L->d[a]));
        span = isl_pw_aff_sub(span, as_pconst(tr, 1));
        as_require(tr, p_ge(tr, span, 0));
        *outs[a] = isl_pw_aff_add(p_fdiv(tr, span, L->s[a]), as_pconst(tr, 1));
        isl_pw_aff_free(span);
    }
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
    return tensor_plain(r, sizes);
}

/* Frame dims of an image index starting at frame dim f0: n (if batched),
 * channel, row, column. */
typedef struct { int n, c, h, w; } image_dims;

static image_dims image_at(const layer *L, int f0)
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
static void image_index(frame *f, const layer *L, operand *op, int n,
                        isl_pw_aff *c, isl_pw_aff *h, isl_pw_aff *w)
{
    int k = 0;
    if (L->batched)
        op->idx[k++] = fvar(f, n);
    op->idx[k++] = c;
    op->idx[k++] = h;
    op->idx[k++] = w;
}

/* g*Og <= v < (g+1)*Og for a frame variable v (given). */
static void in_group(frame *f, isl_pw_aff *v, isl_pw_aff *width, long g)
{
    frange_pa(f, v, fmul(fpar(f, width), g), fmul(fpar(f, width), g + 1));
}

static as_rc fn_conv2d(as_tr *tr, as_value *out, args *a, cvp_srcpos pos)
{
    as_tensor *X = NULL, *K = NULL, *B = NULL;
    layer L;
    memset(&L, 0, sizeof L);
    as_rc rc = arg_tensor(tr, a, 0, &X);
    if (rc == AS_OK)
        rc = arg_tensor(tr, a, 1, &K);
    if (rc == AS_OK && a->v[2].kind != AV_NONE)
        rc = arg_tensor(tr, a, 2, &B);
    if (rc == AS_OK)
        rc = layer_setup(tr, &L, a, X, K, 3, 4, 5, 6, pos);
    if (rc == AS_OK)
        rc = layer_forward_sizes(tr, &L);
    if (rc == AS_OK && B != NULL) {
        if (B->rank != 1)
            rc = as_reject(tr);
        else
            rc = as_make_plain(tr, B, 0, pos);
        if (rc == AS_OK)
            as_require(tr, p_eq(B->size[0], L.O));
    }
    if (rc != AS_OK)
        goto done;
    as_tensor *Y = image_tensor(&L, L.O, L.Ho, L.Wo);
    give_tensor(out, Y);
    image_dims y = image_at(&L, 0);
    for (long g = 0; g < L.G && rc == AS_OK; g++) {
        /* sum over c' < Cg, u < kH, v < kW */
        frame f;
        frame_init(&f, tr, Y, 3);
        in_group(&f, fvar(&f, y.c), L.Og, g);
        fsum_range(&f, 0, L.Cg);
        fsum_range(&f, 1, L.kH);
        fsum_range(&f, 2, L.kW);
        operand ops[2];
        ops[0].t = K;
        ops[0].idx[0] = fvar(&f, y.c);
        ops[0].idx[1] = fsum(&f, 0);
        ops[0].idx[2] = fsum(&f, 1);
        ops[0].idx[3] = fsum(&f, 2);
        ops[1].t = X;
        isl_pw_aff *c = isl_pw_aff_add(fmul(fpar(&f, L.Cg), g), fsum(&f, 0));
        isl_pw_aff *h = isl_pw_aff_sub(isl_pw_aff_add(fmul(fvar(&f, y.h), L.s[0]),
                                                      fmul(fsum(&f, 1), L.d[0])),
                                       fpar(&f, L.p[0]));
        isl_pw_aff *w = isl_pw_aff_sub(isl_pw_aff_add(fmul(fvar(&f, y.w), L.s[1]),
                                                      fmul(fsum(&f, 2), L.d[1])),
                                       fpar(&f, L.p[1]));
        image_index(&f, &L, &ops[1], y.n, c, h, w);
        rc = contract(tr, Y, &f, 2, ops, 1, pos);
        frame_clear(&f);
    }
    if (rc == AS_OK && B != NULL) {
        frame f;
        frame_init(&f, tr, Y, 0);
        operand op;
        op.t = B;
        op.idx[0] = fvar(&f, y.c);
        rc = contract(tr, Y, &f, 1, &op, 1, pos);
        frame_clear(&f);
    }
done:
    layer_clear(&L);
    as_tensor_free(X);
    as_tensor_free(K);
    as_tensor_free(B);
    return rc;
}

static as_rc fn_conv_transpose2d(as_tr *tr, as_value *out, args *a, cvp_srcpos pos)
{
    as_tensor *X = NULL, *K = NULL, *B = NULL;
    isl_pw_aff *op_[2] = {NULL, NULL}, *O = NULL, *sizes[2] = {NULL, NULL};
    layer L;
    memset(&L, 0, sizeof L);
    as_rc rc = arg_tensor(tr, a, 0, &X);
    if (rc == AS_OK)
        rc = arg_tensor(tr, a, 1, &K);
    if (rc == AS_OK && a->v[2].kind != AV_NONE)
        rc = arg_tensor(tr, a, 2, &B);
    /* conv_transpose2d(input, weight, bias, stride, padding,
     * output_padding, groups, dilation) */
    if (rc == AS_OK)
        rc = layer_setup(tr, &L, a, X, K, 3, 4, 7, 6, pos);
    if (rc == AS_OK)
        rc = arg_int_pair(tr, a, 5, 0, op_);
    if (rc != AS_OK)
        goto done;
    /* K: [C, O/groups, kH, kW] */
    isl_pw_aff *Og = L.Cg;   /* K's dim 1 */
    as_require(tr, p_eq(K->size[0], L.C));
    as_require(tr, p_divisible(tr, L.C, L.G));
    isl_pw_aff *Cg = p_fdiv(tr, L.C, L.G);
    O = fmul(isl_pw_aff_copy(Og), L.G);
    isl_pw_aff *in[2] = {L.H, L.W}, *k[2] = {L.kH, L.kW};
    for (int x = 0; x < 2; x++) {
        /* output_padding < stride or < dilation */
        as_require(tr, isl_set_union(
            isl_pw_aff_lt_set(isl_pw_aff_copy(op_[x]), as_pconst(tr, L.s[x])),
            isl_pw_aff_lt_set(isl_pw_aff_copy(op_[x]), as_pconst(tr, L.d[x]))));
        /* (in - 1) s - 2p + d (k - 1) + op + 1 >= 1, in >= 1, k >= 1 */
        as_require(tr, p_ge(tr, in[x], 1));
        as_require(tr, p_ge(tr, k[x], 1));
        isl_pw_aff *size = fmul(isl_pw_aff_sub(isl_pw_aff_copy(in[x]), as_pconst(tr, 1)), L.s[x]);
        size = isl_pw_aff_sub(size, fmul(isl_pw_aff_copy(L.p[x]), 2));
        size = isl_pw_aff_add(size, fmul(isl_pw_aff_sub(isl_pw_aff_copy(k[x]), as_pconst(tr, 1)),
                                         L.d[x]));
        size = isl_pw_aff_add(isl_pw_aff_add(size, isl_pw_aff_copy(op_[x])), as_pconst(tr, 1));
        as_require(tr, p_ge(tr, size, 1));
        sizes[x] = size;
    }
    if (B != NULL) {
        if (B->rank != 1)
            rc = as_reject(tr);
        else
            rc = as_make_plain(tr, B, 0, pos);
        if (rc == AS_OK)
            as_require(tr, p_eq(B->size[0], O));
    }
    if (rc != AS_OK) {
        isl_pw_aff_free(Cg);
        goto done;
    }
    as_tensor *Y = image_tensor(&L, O, sizes[0], sizes[1]);
    give_tensor(out, Y);
    image_dims y = image_at(&L, 0);
    for (long g = 0; g < L.G && rc == AS_OK; g++) {
        /* sum over c' < Cg, i < H, j < W, u < kH, v < kW with
         * y = i s + u d - p, z = j s + v d - p */
        frame f;
        frame_init(&f, tr, Y, 5);
        in_group(&f, fvar(&f, y.c), Og, g);
        fsum_range(&f, 0, Cg);
        fsum_range(&f, 1, L.H);
        fsum_range(&f, 2, L.W);
        fsum_range(&f, 3, L.kH);
        fsum_range(&f, 4, L.kW);
        for (int x = 0; x < 2; x++) {
            isl_pw_aff *pos_ = isl_pw_aff_sub(isl_pw_aff_add(fmul(fsum(&f, 1 + x), L.s[x]),
                                                             fmul(fsum(&f, 3 + x), L.d[x])),
                                              fpar(&f, L.p[x]));
            fcon(&f, isl_pw_aff_eq_set(fvar(&f, x ? y.w : y.h), pos_));
        }
        operand ops[2];
        ops[0].t = X;
        isl_pw_aff *c = isl_pw_aff_add(fmul(fpar(&f, Cg), g), fsum(&f, 0));
        image_index(&f, &L, &ops[0], y.n, isl_pw_aff_copy(c), fsum(&f, 1), fsum(&f, 2));
        ops[1].t = K;
        ops[1].idx[0] = c;
        ops[1].idx[1] = isl_pw_aff_sub(fvar(&f, y.c), fmul(fpar(&f, Og), g));
        ops[1].idx[2] = fsum(&f, 3);
        ops[1].idx[3] = fsum(&f, 4);
        rc = contract(tr, Y, &f, 2, ops, 1, pos);
        frame_clear(&f);
    }
    isl_pw_aff_free(Cg);
    if (rc == AS_OK && B != NULL) {
        frame f;
        frame_init(&f, tr, Y, 0);
        operand op;
        op.t = B;
        op.idx[0] = fvar(&f, y.c);
        rc = contract(tr, Y, &f, 1, &op, 1, pos);
        frame_clear(&f);
    }
done:
    isl_pw_aff_free(op_[0]);
    isl_pw_aff_free(op_[1]);
    isl_pw_aff_free(sizes[0]);
    isl_pw_aff_free(sizes[1]);
    isl_pw_aff_free(O);
    layer_clear(&L);
    as_tensor_free(X);
    as_tensor_free(K);
    as_tensor_free(B);
    return rc;
}

/* The gradient G of a layer must have conv2d's output shape. */
static as_rc require_output_shape(as_tr *tr, const layer *L, as_tensor *G,
                                  const as_tensor *X, cvp_srcpos pos)
{
    if (G->rank != X->rank)
        return as_reject(tr);
    as_rc rc = all_plain(tr, G, pos);
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
        as_require(tr, p_eq(G->size[k], want[k]));
    return AS_OK;
}

typedef enum { BW_INPUT, BW_WEIGHT, MX_INPUT, MX_WEIGHT } layer_linear;

/* conv2d_backward_input/weight(input, weight, grad_output, stride, ...)
 * and conv2d_matrix_input/weight(input, weight, stride, ...). */
static as_rc fn_layer_linear(as_tr *tr, as_value *out, args *a, layer_linear kind,
                             cvp_srcpos pos)
{
    as_tensor *X = NULL, *K = NULL, *G = NULL;
    layer L;
    memset(&L, 0, sizeof L);
    bool matrix = kind == MX_INPUT || kind == MX_WEIGHT;
    int p0 = matrix ? 2 : 3;
    as_rc rc = arg_tensor(tr, a, 0, &X);
    if (rc == AS_OK)
        rc = arg_tensor(tr, a, 1, &K);
    if (rc == AS_OK && !matrix)
        rc = arg_tensor(tr, a, 2, &G);
    if (rc == AS_OK)
        rc = layer_setup(tr, &L, a, X, K, p0, p0 + 1, p0 + 2, p0 + 3, pos);
    if (rc == AS_OK)
        rc = layer_forward_sizes(tr, &L);
    if (rc == AS_OK && !matrix)
        rc = require_output_shape(tr, &L, G, X, pos);
    if (rc != AS_OK)
        goto done;
    as_tensor *Y;
    if (kind == BW_INPUT) {
        Y = tensor_like(X);
    } else if (kind == BW_WEIGHT) {
        Y = tensor_like(K);
    } else {
        /* rows: [N, O, Ho, Wo]; columns: X's or K's axes */
        Y = as_tensor_new(2);
        push_sub(Y, 0, isl_pw_aff_copy(L.N));
        push_sub(Y, 0, isl_pw_aff_copy(L.O));
        push_sub(Y, 0, isl_pw_aff_copy(L.Ho));
        push_sub(Y, 0, isl_pw_aff_copy(L.Wo));
        const as_tensor *col = kind == MX_INPUT ? X : K;
        for (int d = 0; d < col->ndims; d++)
            push_sub(Y, 1, isl_pw_aff_copy(col->size[d]));
    }
    give_tensor(out, Y);
    for (long g = 0; g < L.G && rc == AS_OK; g++) {
        frame f;
        operand ops[2];
        int nops = 2;
        if (kind == BW_INPUT) {
            /* dX[n,c,h,w] = sum over o' < Og, i < Ho, j < Wo, u < kH, v < kW
             * with h + ph = i sh + u dh, w + pw = j sw + v dw of
             * K[g Og + o', c - g Cg, u, v] * G[n, g Og + o', i, j] */
            image_dims x = image_at(&L, 0);
            frame_init(&f, tr, Y, 5);
            in_group(&f, fvar(&f, x.c), L.Cg, g);
            fsum_range(&f, 0, L.Og);
            fsum_range(&f, 1, L.Ho);
            fsum_range(&f, 2, L.Wo);
            fsum_range(&f, 3, L.kH);
            fsum_range(&f, 4, L.kW);
            for (int e = 0; e < 2; e++) {
                isl_pw_aff *lhs = isl_pw_aff_add(fvar(&f, e ? x.w : x.h), fpar(&f, L.p[e]));
                isl_pw_aff *rhs = isl_pw_aff_add(fmul(fsum(&f, 1 + e), L.s[e]),
                                                 fmul(fsum(&f, 3 + e), L.d[e]));
                fcon(&f, isl_pw_aff_eq_set(lhs, rhs));
            }
            isl_pw_aff *o = isl_pw_aff_add(fmul(fpar(&f, L.Og), g), fsum(&f, 0));
            ops[0].t = K;
            ops[0].idx[0] = isl_pw_aff_copy(o);
            ops[0].idx[1] = isl_pw_aff_sub(fvar(&f, x.c), fmul(fpar(&f, L.Cg), g));
            ops[0].idx[2] = fsum(&f, 3);
            ops[0].idx[3] = fsum(&f, 4);
            ops[1].t = G;
            image_index(&f, &L, &ops[1], x.n, o, fsum(&f, 1), fsum(&f, 2));
        } else if (kind == BW_WEIGHT) {
            /* dK[o,c',u,v] = sum over n < N, i < Ho, j < Wo of
             * G[n, o, i, j] * X[n, g Cg + c', u dh + i sh - ph, v dw + j sw - pw] */
            int nb = L.batched ? 1 : 0;
            frame_init(&f, tr, Y, nb + 2);
            in_group(&f, fvar(&f, 0), L.Og, g);
            if (L.batched)
                fsum_range(&f, 0, L.N);
            fsum_range(&f, nb, L.Ho);
            fsum_range(&f, nb + 1, L.Wo);
            ops[0].t = G;
            image_index(&f, &L, &ops[0], f.no, fvar(&f, 0), fsum(&f, nb), fsum(&f, nb + 1));
            ops[1].t = X;
            isl_pw_aff *c = isl_pw_aff_add(fmul(fpar(&f, L.Cg), g), fvar(&f, 1));
            isl_pw_aff *h = isl_pw_aff_sub(isl_pw_aff_add(fmul(fvar(&f, 2), L.d[0]),
                                                          fmul(fsum(&f, nb), L.s[0])),
                                           fpar(&f, L.p[0]));
            isl_pw_aff *w = isl_pw_aff_sub(isl_pw_aff_add(fmul(fvar(&f, 3), L.d[1]),
                                                          fmul(fsum(&f, nb + 1), L.s[1])),
                                           fpar(&f, L.p[1]));
            image_index(&f, &L, &ops[1], f.no, c, h, w);
        } else {
            /* rows (n, o, i, j), columns (n2, c, h, w) or (o2, c', u, v) */
            int cols = 4;   /* first column dim */
            frame_init(&f, tr, Y, kind == MX_INPUT ? 3 : 0);
            in_group(&f, fvar(&f, 1), L.Og, g);
            isl_pw_aff *hpos[2];
            for (int e = 0; e < 2; e++) {
                isl_pw_aff *kv = kind == MX_INPUT ? fsum(&f, 1 + e) : fvar(&f, cols + 2 + e);
                hpos[e] = isl_pw_aff_sub(isl_pw_aff_add(fmul(fvar(&f, 2 + e), L.s[e]),
                                                        fmul(kv, L.d[e])),
                                         fpar(&f, L.p[e]));
            }
            if (kind == MX_INPUT) {
                image_dims x = image_at(&L, cols);
                /* the same batch entry, channel c = g Cg + c', (h, w) reached */
                if (L.batched)
                    fcon(&f, isl_pw_aff_eq_set(fvar(&f, x.n), fvar(&f, 0)));
                fsum_range(&f, 0, L.Cg);
                fsum_range(&f, 1, L.kH);
                fsum_range(&f, 2, L.kW);
                fcon(&f, isl_pw_aff_eq_set(fvar(&f, x.c),
                                           isl_pw_aff_add(fmul(fpar(&f, L.Cg), g), fsum(&f, 0))));
                fcon(&f, isl_pw_aff_eq_set(fvar(&f, x.h), hpos[0]));
                fcon(&f, isl_pw_aff_eq_set(fvar(&f, x.w), hpos[1]));
                ops[0].t = K;
                ops[0].idx[0] = fvar(&f, 1);
                ops[0].idx[1] = fsum(&f, 0);
                ops[0].idx[2] = fsum(&f, 1);
                ops[0].idx[3] = fsum(&f, 2);
            } else {
                /* column (o2, c', u, v) with o2 = o: X[n, g Cg + c', h, w] */
                fcon(&f, isl_pw_aff_eq_set(fvar(&f, cols), fvar(&f, 1)));
                ops[0].t = X;
                isl_pw_aff *c = isl_pw_aff_add(fmul(fpar(&f, L.Cg), g), fvar(&f, cols + 1));
                image_index(&f, &L, &ops[0], 0, c, hpos[0], hpos[1]);
            }
            nops = 1;
        }
        rc = contract(tr, Y, &f, nops, ops, 1, pos);
        frame_clear(&f);
    }
    if (rc == AS_OK && matrix)
        rc = as_drop_units(tr, Y);
done:
    layer_clear(&L);
    as_tensor_free(X);
    as_tensor_free(K);
    as_tensor_free(G);
    return rc;
}

static as_rc fn_backward_bias(as_tr *tr, as_value *out, args *a, cvp_srcpos pos)
{
    as_tensor *G = NULL;
    as_rc rc = arg_tensor(tr, a, 0, &G);
    if (rc == AS_OK && G->rank != 3 && G->rank != 4)
        rc = as_reject(tr);
    if (rc == AS_OK)
        rc = all_plain(tr, G, pos);
    if (rc != AS_OK) {
        as_tensor_free(G);
        return rc;
    }
    int b = G->rank == 4 ? 1 : 0;
    isl_pw_aff *O = isl_pw_aff_copy(G->size[b]);
    as_tensor *Y = tensor_plain(1, &O);
    give_tensor(out, Y);
    /* dB[o] = sum over n, i, j of G[n, o, i, j] */
    frame f;
    frame_init(&f, tr, Y, b + 2);
    operand op;
    op.t = G;
    int k = 0;
    if (b) {
        fsum_range(&f, 0, G->size[0]);
        op.idx[k++] = fsum(&f, 0);
    }
    op.idx[k++] = fvar(&f, 0);
    fsum_range(&f, b, G->size[b + 1]);
    fsum_range(&f, b + 1, G->size[b + 2]);
    op.idx[k++] = fsum(&f, b);
    op.idx[k++] = fsum(&f, b + 1);
    rc = contract(tr, Y, &f, 1, &op, 1, pos);
    frame_clear(&f);
    as_tensor_free(G);
    return rc;
}

/* ---- grad and jacobian ------------------------------------------------------------ */

static as_rc fn_derivative(as_tr *tr, as_value *out, const cvp_ast_node *node,
                           bool is_grad, size_t lets)
{
    if (node->u.call.count != 2 || node->u.call.args[0].keyword != NULL
        || node->u.call.args[1].keyword != NULL)
        return as_reject(tr);
    const cvp_ast_node *wrt = node->u.call.args[1].value;
    int t = -1;
    if (wrt->kind == CVP_AST_NAME) {
        for (size_t k = 0; k < tr->claim->tensor_count; k++)
            if (strcmp(tr->claim->tensors[k].name, wrt->u.name.text) == 0)
                t = (int)k;
        for (size_t k = 0; t < 0 && k < tr->claim->dim_count; k++)
            if (strcmp(tr->claim->dims[k].name, wrt->u.name.text) == 0)
                return as_na(tr, wrt->pos, "a derivative with respect to a dim");
    }
    if (t < 0)
        return as_reject(tr);
    as_value body;
    as_value_init(&body);
    as_tensor *Y = NULL;
    as_rc rc = as_translate(tr, &body, node->u.call.args[0].value, lets);
    if (rc == AS_OK && body.kind == AV_NUM)
        rc = as_constant(tr, &Y, body.num);
    else if (rc == AS_OK && body.kind == AV_TENSOR)
        Y = body.t, body.t = NULL;
    else if (rc == AS_OK && body.kind == AV_SYM)
        rc = as_na(tr, node->pos, "a derivative of a dim expression");
    else if (rc == AS_OK)
        rc = as_reject(tr);
    as_value_clear(&body);
    if (rc == AS_OK && is_grad && Y->rank != 0)
        rc = as_reject(tr);   /* "the first argument must be a scalar" */
    if (rc != AS_OK) {
        as_tensor_free(Y);
        return rc;
    }
    int rx = as_tensor_rank(tr, t);
    as_tensor *D = as_tensor_new(is_grad ? rx : 2);
    if (is_grad) {
        for (int a = 0; a < rx; a++)
            push_sub(D, a, isl_pw_aff_copy(tr->shape[(size_t)t * CVP_MAX_RANK + (size_t)a]));
    } else {
        for (int d = 0; d < Y->ndims; d++)
            push_sub(D, 0, isl_pw_aff_copy(Y->size[d]));
        for (int a = 0; a < rx; a++)
            push_sub(D, 1, isl_pw_aff_copy(tr->shape[(size_t)t * CVP_MAX_RANK + (size_t)a]));
    }
    give_tensor(out, D);
    /* d/dX[x] of c * X[x] * rest is c * rest: move X's indices from the
     * monomial to the entry */
    uint64_t bit = (uint64_t)1 << t;
    for (size_t p = 0; p < Y->count && rc == AS_OK; p++) {
        as_piece *piece = &Y->pieces[p];
        if (!(piece->family & bit))
            continue;
        int off = as_family_offset(tr, piece->family, t);
        isl_map *rel = isl_map_move_dims(isl_map_copy(piece->rel), isl_dim_in,
                                         (unsigned)Y->ndims, isl_dim_out,
                                         (unsigned)off, (unsigned)rx);
        rc = as_tensor_add(tr, D, piece->coef, piece->family & ~bit, rel);
    }
    as_tensor_free(Y);
    if (rc == AS_OK && !is_grad)
        rc = as_drop_units(tr, D);
    return rc;
}

/* ---- calls --------------------------------------------------------------------------- */

as_rc as_call(as_tr *tr, as_value *out, const cvp_ast_node *node, size_t lets)
{
    const char *name = node->u.call.name;
    if (strcmp(name, "grad") == 0 || strcmp(name, "jacobian") == 0)
        return fn_derivative(tr, out, node, name[0] == 'g', lets);
    if (strcmp(name, "mults") == 0 || strcmp(name, "size") == 0)
        return as_na(tr, node->pos, "%s(...) counts; it is not a multilinear "
                     "expression of the inputs", name);
    static const char *const outside[] = {
        "relu", "max_pool2d", "avg_pool2d", "max_pool2d_backward",
        "avg_pool2d_backward"};
    for (size_t k = 0; k < sizeof outside / sizeof outside[0]; k++)
        if (strcmp(name, outside[k]) == 0)
            return as_na(tr, node->pos, "%s is outside the multilinear class "
                         "all_shapes handles", name);
    if (strcmp(name, "subgrad") == 0)
        return as_na(tr, node->pos, "subgrad(L, X) is a set at a kink; the "
                     "exact method decides membership");
    if (strchr(name, '.') != NULL)
        return as_na(tr, node->pos, "%s runs an external implementation; "
                     "only the exact method can call it", name);
    const cvp_builtin *fn = cvp_builtin_find(name);
    if (fn == NULL)
        return as_reject(tr);   /* "unknown function" */
    args a;
    as_rc rc = bind_args(tr, &a, node, fn, lets);
    if (rc == AS_OK) {
        cvp_srcpos pos = node->pos;
        if (strcmp(name, "xcorr") == 0)
            rc = textbook_pair(tr, out, &a, TB_XCORR, pos);
        else if (strcmp(name, "conv") == 0)
            rc = textbook_pair(tr, out, &a, TB_CONV, pos);
        else if (strcmp(name, "wide") == 0)
            rc = textbook_pair(tr, out, &a, TB_WIDE, pos);
        else if (strcmp(name, "rot180") == 0)
            rc = index_op(tr, out, &a, IX_ROT180, pos);
        else if (strcmp(name, "pad") == 0)
            rc = index_op(tr, out, &a, IX_PAD, pos);
        else if (strcmp(name, "dilate") == 0)
            rc = index_op(tr, out, &a, IX_DILATE, pos);
        else if (strcmp(name, "transpose") == 0)
            rc = fn_transpose(tr, out, &a, pos);
        else if (strcmp(name, "reshape") == 0)
            rc = fn_reshape(tr, out, &a, pos);
        else if (strcmp(name, "sum") == 0)
            rc = fn_sum(tr, out, &a, pos);
        else if (strcmp(name, "matmul") == 0) {
            as_tensor *A = NULL, *B = NULL;
            rc = arg_tensor(tr, &a, 0, &A);
            if (rc == AS_OK)
                rc = arg_tensor(tr, &a, 1, &B);
            if (rc == AS_OK) {
                out->kind = AV_TENSOR;
                rc = as_matmul(tr, &out->t, A, B, pos);
            }
            as_tensor_free(A);
            as_tensor_free(B);
        } else if (strcmp(name, "conv2d") == 0)
            rc = fn_conv2d(tr, out, &a, pos);
        else if (strcmp(name, "conv_transpose2d") == 0)
            rc = fn_conv_transpose2d(tr, out, &a, pos);
        else if (strcmp(name, "conv2d_backward_input") == 0)
            rc = fn_layer_linear(tr, out, &a, BW_INPUT, pos);
        else if (strcmp(name, "conv2d_backward_weight") == 0)
            rc = fn_layer_linear(tr, out, &a, BW_WEIGHT, pos);
        else if (strcmp(name, "conv2d_backward_bias") == 0)
            rc = fn_backward_bias(tr, out, &a, pos);
        else if (strcmp(name, "conv2d_matrix_input") == 0)
            rc = fn_layer_linear(tr, out, &a, MX_INPUT, pos);
        else if (strcmp(name, "conv2d_matrix_weight") == 0)
            rc = fn_layer_linear(tr, out, &a, MX_WEIGHT, pos);
        else
            rc = as_na(tr, pos, "%s is not supported by all_shapes", name);
    }
    args_clear(&a);
    return rc;
}
