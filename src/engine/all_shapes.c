/* all_shapes.c -- the all_shapes method: translating a claim, checking
 * the translation in Q, deciding it for every shape, and replaying
 * failing shapes in Q (see all_shapes.h). */
#include "engine/all_shapes_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <isl/point.h>
#include <isl/val.h>

#include "engine/eval.h"

struct cvp_all_shapes {
    as_tr tr;
    as_rc rc;
    char reason[800];
    size_t nshows;
    as_value *sides;      /* 2 per show: left, right */
    double prepare_seconds;
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Operations isl may spend on one claim before giving up (undecided). */
#define AS_MAX_OPERATIONS 50000000UL

/* Largest number of (entry, monomial) points the Q cross-check enumerates
 * at one shape. */
#define AS_CHECK_MAX_POINTS 200000L

/* ---- preparing ---------------------------------------------------------------- */

static void set_reason(cvp_all_shapes *a)
{
    as_tr *tr = &a->tr;
    if (a->rc == AS_NA && tr->where.line > 0)
        snprintf(a->reason, sizeof a->reason, "%s:%d:%d: %s",
                 tr->source ? tr->source : "<input>", tr->where.line,
                 tr->where.col, tr->why);
    else
        snprintf(a->reason, sizeof a->reason, "%s", tr->why);
}

cvp_all_shapes *cvp_all_shapes_prepare(const cvp_proof_claim *claim,
                                       const char *source_name)
{
    double start = now();
    cvp_all_shapes *a = calloc(1, sizeof *a);
    CVP_ASSERT(a != NULL);
    a->rc = as_tr_start(&a->tr, claim, source_name);
    isl_ctx_set_max_operations(a->tr.ctx, AS_MAX_OPERATIONS);
    a->nshows = claim->show_count;
    a->sides = calloc(2 * a->nshows + 1, sizeof *a->sides);
    CVP_ASSERT(a->sides != NULL);
    for (size_t k = 0; k < 2 * a->nshows; k++)
        as_value_init(&a->sides[k]);
    for (size_t s = 0; a->rc == AS_OK && s < claim->show_count; s++)
        for (int side = 0; a->rc == AS_OK && side < 2; side++) {
            const cvp_ast_node *node = side ? claim->shows[s].rhs : claim->shows[s].lhs;
            as_value *v = &a->sides[2 * s + (size_t)side];
            a->rc = as_translate(&a->tr, v, node, claim->let_count);
            if (a->rc == AS_OK && v->kind != AV_TENSOR && v->kind != AV_NUM
                && v->kind != AV_SYM)
                a->rc = as_na(&a->tr, node->pos, "a side that is not a tensor");
        }
    if (a->rc == AS_OK && (a->tr.context == NULL || a->tr.valid == NULL))
        a->rc = as_fail(&a->tr, "the preconditions");
    if (a->rc == AS_NA || a->rc == AS_FAIL)
        set_reason(a);
    a->prepare_seconds = now() - start;
    return a;
}

bool cvp_all_shapes_applies(const cvp_all_shapes *a)
{
    return a->rc == AS_OK || a->rc == AS_REJECT;
}

const char *cvp_all_shapes_reason(const cvp_all_shapes *a)
{
    return cvp_all_shapes_applies(a) ? NULL : a->reason;
}

double cvp_all_shapes_prepare_seconds(const cvp_all_shapes *a)
{
    return a->prepare_seconds;
}

isl_ctx *cvp_all_shapes_ctx(cvp_all_shapes *a)
{
    return a->tr.ctx;
}

void cvp_all_shapes_free(cvp_all_shapes *a)
{
    if (a == NULL)
        return;
    for (size_t k = 0; k < 2 * a->nshows; k++)
        as_value_clear(&a->sides[k]);
    free(a->sides);
    as_tr_finish(&a->tr);
    free(a);
}

/* ---- shapes ------------------------------------------------------------------------ */

/* The parameter set {dims = values}. */
static isl_set *point_set(as_tr *tr, const long *values)
{
    isl_set *s = isl_set_universe(isl_space_params(isl_space_copy(tr->pspace)));
    for (size_t k = 0; k < tr->claim->dim_count; k++)
        s = isl_set_fix_si(s, isl_dim_param, (unsigned)k, (int)values[k]);
    return s;
}

/* The value of a parameter expression at values. */
static bool eval_at(as_tr *tr, isl_pw_aff *pa, const long *values, long *out)
{
    isl_point *pt = isl_point_zero(isl_space_copy(tr->pspace));
    for (size_t k = 0; k < tr->claim->dim_count; k++)
        pt = isl_point_set_coordinate_val(pt, isl_dim_param, (int)k,
                                          isl_val_int_from_si(tr->ctx, values[k]));
    isl_val *v = isl_pw_aff_eval(isl_pw_aff_copy(pa), pt);
    bool ok = v != NULL && isl_val_is_int(v);
    if (ok)
        *out = isl_val_get_num_si(v);
    isl_val_free(v);
    return ok;
}

static void format_values(char *buf, size_t n, const cvp_proof_claim *claim,
                          const long *values)
{
    cvp_shape_point p = {(long *)values, NULL, 0};
    cvp_shape_point_format(buf, n, claim, &p);
}

/* Values of every dim fit an int for isl_set_fix_si. */
static bool values_fit(const as_tr *tr, const long *values)
{
    for (size_t k = 0; k < tr->claim->dim_count; k++)
        if (values[k] > 1000000000L || values[k] < -1000000000L)
            return false;
    return true;
}

/* ---- evaluating a translation at one instance ---------------------------------------------- */

typedef struct {
    as_tr *tr;
    const cvp_env *env;
    const as_tensor *t;
    const as_piece *piece;
    cvp_tensor_ptr out;
    const size_t *sub_size;   /* concrete sub-axis sizes */
    long budget;
    bool bad;
    mpq_t term;
} point_eval;

static isl_stat add_point(isl_point *pt, void *user)
{
    point_eval *e = user;
    if (--e->budget < 0) {
        isl_point_free(pt);
        return isl_stat_error;
    }
    const as_tensor *t = e->t;
    size_t flat = 0;
    for (int d = 0; d < t->ndims; d++) {
        isl_val *v = isl_point_get_coordinate_val(pt, isl_dim_set, d);
        long x = isl_val_get_num_si(v);
        isl_val_free(v);
        if (x < 0 || (size_t)x >= e->sub_size[d]) {
            e->bad = true;
            break;
        }
        flat = flat * e->sub_size[d] + (size_t)x;
    }
    mpq_set(e->term, e->piece->coef);
    int d = t->ndims;
    for (size_t tt = 0; !e->bad && tt < e->tr->claim->tensor_count; tt++) {
        if (!(e->piece->family & ((uint64_t)1 << tt)))
            continue;
        const cvp_tensor_struct *x = cvp_env_lookup(e->env, e->tr->claim->tensors[tt].name);
        size_t off = 0;
        for (int k = 0; x != NULL && k < x->rank; k++, d++) {
            isl_val *v = isl_point_get_coordinate_val(pt, isl_dim_set, d);
            long i = isl_val_get_num_si(v);
            isl_val_free(v);
            if (i < 0 || (size_t)i >= x->shape[k]) {
                e->bad = true;
                break;
            }
            off = off * x->shape[k] + (size_t)i;
        }
        if (x == NULL || e->bad) {
            e->bad = true;
            break;
        }
        mpq_mul(e->term, e->term, x->entries[off]);
    }
    isl_point_free(pt);
    if (e->bad)
        return isl_stat_error;
    mpq_add(e->out->entries[flat], e->out->entries[flat], e->term);
    return isl_stat_ok;
}

/* out := the value the translation t gives at dims values with the
 * inputs of env.  Returns 1 on success, 0 when too many points, -1 on an
 * inconsistency (an index outside a tensor). */
static int eval_translation(as_tr *tr, cvp_tensor_t out, const as_tensor *t,
                            const long *values, const cvp_env *env, long *budget)
{
    size_t sub[AS_MAX_DIMS], shape[CVP_MAX_RANK];
    for (int d = 0; d < t->ndims; d++) {
        long v;
        if (!eval_at(tr, t->size[d], values, &v) || v < 0)
            return -1;
        sub[d] = (size_t)v;
    }
    for (int k = 0, d = 0; k < t->rank; k++) {
        shape[k] = 1;
        for (int j = 0; j < t->nsub[k]; j++, d++)
            shape[k] *= sub[d];
    }
    cvp_error e;
    if (cvp_tensor_resize(out, t->rank, shape, &e) != CVP_OK)
        return 0;
    point_eval pe;
    memset(&pe, 0, sizeof pe);
    pe.tr = tr;
    pe.env = env;
    pe.t = t;
    pe.out = out;
    pe.sub_size = sub;
    pe.budget = *budget;
    mpq_init(pe.term);
    int result = 1;
    isl_set *at = point_set(tr, values);
    for (size_t p = 0; p < t->count && result == 1; p++) {
        pe.piece = &t->pieces[p];
        isl_set *pts = isl_map_wrap(isl_map_intersect_params(isl_map_copy(pe.piece->rel),
                                                             isl_set_copy(at)));
        pts = isl_set_flatten(pts);
        isl_stat st = pts ? isl_set_foreach_point(pts, add_point, &pe) : isl_stat_error;
        isl_set_free(pts);
        if (st < 0)
            result = pe.bad ? -1 : pe.budget < 0 ? 0 : -1;
    }
    isl_set_free(at);
    mpq_clear(pe.term);
    *budget = pe.budget;
    return result;
}

/* ---- replaying a shape in Q ------------------------------------------------------------- */

/* Adds " (at shape ...)" to the located error in c->err. */
static cvp_status error_at(claim_context *c, const long *values, cvp_status st)
{
    char shape[256];
    format_values(shape, sizeof shape, c->claim, values);
    size_t len = strlen(c->err->message);
    snprintf(c->err->message + len, sizeof c->err->message - len, " (at shape %s)",
             shape);
    c->err->status = st;
    return st;
}

static uint64_t seed_of(const claim_context *c, const long *values, long trial)
{
    uint64_t h = c->options->seed ^ 0x5851f42d4c957f2dULL ^ (uint64_t)c->index;
    for (size_t k = 0; k < c->claim->dim_count; k++) {
        h ^= (uint64_t)values[k] + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
        h *= 0xbf58476d1ce4e5b9ULL;
    }
    return h ^ (uint64_t)trial * 0x94d049bb133111ebULL;
}

typedef enum { REPLAY_EQUAL, REPLAY_DIFFERS, REPLAY_ERROR } replay_kind;

/* Evaluates the claim at shape p on the instance env (over Q); on a
 * difference shrinks it and records the counterexample. */
static replay_kind replay_instance(claim_context *c, cvp_method_result *m,
                                   const cvp_shape_point *p, cvp_env *env,
                                   const long *values, cvp_status *st)
{
    show_result r;
    show_result_init(&r);
    instance_eval(&r, c, env, NULL);
    replay_kind kind = REPLAY_EQUAL;
    if (r.status == CVP_ERR_NOT_DIFFERENTIABLE) {
        cvp_lang_error_clear(c->err);
    } else if (r.status != CVP_OK) {
        *st = error_at(c, values, r.status == CVP_ERR_UNSUPPORTED ? CVP_ERR_INPUT
                                                                : r.status);
        kind = REPLAY_ERROR;
    } else if (r.failed_show != SIZE_MAX) {
        instance_shrink(c, env);
        show_result_clear(&r);
        show_result_init(&r);
        instance_eval(&r, c, env, NULL);
        CVP_ASSERT(r.status == CVP_OK && r.failed_show != SIZE_MAX);
        counterexample_record(m, c, p, env, &r);
        kind = REPLAY_DIFFERS;
    }
    show_result_clear(&r);
    return kind;
}

/* Zeroes every input of env, then sets the witness entries to 1. */
typedef struct {
    int tensor[AS_MAX_DIMS];
    long index[AS_MAX_DIMS][CVP_MAX_RANK];
    int count;
} witness;

static void apply_witness(claim_context *c, cvp_env *env, const witness *w)
{
    for (size_t t = 0; t < c->claim->tensor_count; t++) {
        cvp_tensor_ptr x = NULL;
        for (size_t b = 0; b < env->count; b++)
            if (strcmp(env->bindings[b].name, c->claim->tensors[t].name) == 0)
                x = env->bindings[b].value;
        if (x == NULL)
            continue;
        for (size_t k = 0; k < x->size; k++)
            mpq_set_ui(x->entries[k], 0, 1);
        for (int k = 0; k < w->count; k++) {
            if (w->tensor[k] != (int)t)
                continue;
            size_t off = 0;
            bool inside = true;
            for (int a = 0; a < x->rank; a++) {
                long i = w->index[k][a];
                inside = inside && i >= 0 && (size_t)i < x->shape[a];
                off = off * x->shape[a] + (inside ? (size_t)i : 0);
            }
            if (inside)
                mpq_set_ui(x->entries[off], 1, 1);
        }
    }
}

/* Replays shape `values`: the witness instance first (when given), then
 * random instances.  Returns the replay kind; on REPLAY_DIFFERS m holds
 * the counterexample. */
static replay_kind replay_shape(claim_context *c, cvp_method_result *m,
                                const long *values, const witness *w, int trials,
                                size_t *instances, cvp_status *st)
{
    cvp_shape_point p;
    *st = cvp_shape_point_at(&p, c->claim, values, c->file->source_name, c->err);
    if (*st != CVP_OK) {
        error_at(c, values, *st);
        return REPLAY_ERROR;
    }
    replay_kind kind = REPLAY_EQUAL;
    for (int t = w ? -1 : 0; t < trials && kind == REPLAY_EQUAL; t++) {
        cvp_rng rng;
        cvp_rng_seed(&rng, seed_of(c, values, t + 1));
        cvp_env env;
        cvp_env_init(&env);
        *st = instance_build(&env, c, &p, &cvp_ring_q,
                             t <= 0 ? FILL_SMALL_Q : FILL_RANDOM_Q, &rng);
        if (*st != CVP_OK) {
            error_at(c, values, *st);
            kind = REPLAY_ERROR;
        } else {
            if (t < 0)
                apply_witness(c, &env, w);
            ++*instances;
            kind = replay_instance(c, m, &p, &env, values, st);
        }
        cvp_env_clear(&env);
    }
    cvp_shape_point_clear(&p);
    return kind;
}

/* ---- comparing the sides of a show ------------------------------------------------------------- */

/* The sides as tensors with the same axis structure, or not applicable. */
typedef struct {
    as_tensor *t[2];        /* borrowed from the sides, or owned in own[] */
    as_tensor *own[2];
    isl_set *shape_differs; /* parameters where the shapes differ */
    isl_set *differs;       /* parameters where some entry differs */
    /* parameters where the sides cannot be compared (an axis flattened
     * from different shapes): only a replay in Q can show a difference
     * there, and nothing is shown where it finds none */
    isl_set *uncertain;
    char *why_uncertain;
} show_cmp;

static void show_cmp_clear(show_cmp *s)
{
    as_tensor_free(s->own[0]);
    as_tensor_free(s->own[1]);
    isl_set_free(s->shape_differs);
    isl_set_free(s->differs);
    isl_set_free(s->uncertain);
    free(s->why_uncertain);
    memset(s, 0, sizeof *s);
}

static isl_set *params_empty(as_tr *tr)
{
    return isl_set_empty(isl_space_params(isl_space_copy(tr->pspace)));
}

/* Compares two scalar-like sides (NUM or one-factor SYM). */
static as_rc compare_scalars(as_tr *tr, show_cmp *s, as_value *l, as_value *r,
                             cvp_srcpos pos)
{
    if ((l->kind == AV_SYM && l->nf != 1) || (r->kind == AV_SYM && r->nf != 1))
        return as_na(tr, pos, "a side is a product of dims (not affine)");
    isl_pw_aff *a = l->kind == AV_NUM ? as_pconst_q(tr, l->num) : isl_pw_aff_copy(l->factor[0]);
    isl_pw_aff *b = r->kind == AV_NUM ? as_pconst_q(tr, r->num) : isl_pw_aff_copy(r->factor[0]);
    s->differs = isl_set_params(isl_pw_aff_ne_set(a, b));
    s->differs = isl_set_intersect(s->differs, isl_set_copy(tr->context));
    s->shape_differs = params_empty(tr);
    s->uncertain = params_empty(tr);
    return s->differs ? AS_OK : as_fail(tr, "comparing the sides");
}

/* The sides cannot be compared where `where` holds (taken). */
static void set_uncertain(as_tr *tr, show_cmp *s, isl_set *where)
{
    s->uncertain = isl_set_union(s->uncertain, where);
    if (s->why_uncertain == NULL) {
        char *text = NULL;
        cvp_set_textf(&text, "%s:%d:%d: %s", tr->source ? tr->source : "<input>",
                      tr->where.line, tr->where.col, tr->why);
        s->why_uncertain = text;
    }
}

static as_rc side_tensor(as_tr *tr, show_cmp *s, int k, as_value *v, cvp_srcpos pos)
{
    if (v->kind == AV_TENSOR) {
        s->t[k] = v->t;
        return AS_OK;
    }
    if (v->kind == AV_NUM) {
        as_rc rc = as_constant(tr, &s->own[k], v->num);
        s->t[k] = s->own[k];
        return rc;
    }
    return as_na(tr, pos, "a side is a dim expression and the other a tensor");
}

/* Fills s for show `index`. */
static as_rc compare_show(cvp_all_shapes *a, size_t index, show_cmp *s)
{
    as_tr *tr = &a->tr;
    const cvp_proof_show *show = &tr->claim->shows[index];
    as_value *l = &a->sides[2 * index], *r = &a->sides[2 * index + 1];
    memset(s, 0, sizeof *s);
    if (l->kind != AV_TENSOR && r->kind != AV_TENSOR)
        return compare_scalars(tr, s, l, r, show->pos);
    as_rc rc = side_tensor(tr, s, 0, l, show->pos);
    if (rc == AS_OK)
        rc = side_tensor(tr, s, 1, r, show->pos);
    for (int k = 0; k < 2 && rc == AS_OK; k++)
        rc = as_drop_units(tr, s->t[k]);
    if (rc != AS_OK)
        return rc;
    as_tensor *L = s->t[0], *R = s->t[1];
    s->shape_differs = params_empty(tr);
    s->differs = params_empty(tr);
    s->uncertain = params_empty(tr);
    if (L->rank != R->rank) {
        /* different ranks: the shapes differ at every shape */
        isl_set_free(s->shape_differs);
        s->shape_differs = isl_set_copy(tr->context);
        return AS_OK;
    }
    for (int k = 0; k < L->rank; k++)
        if (L->nsub[k] != R->nsub[k]) {
            rc = as_make_plain(tr, L, k, show->pos);
            if (rc == AS_OK)
                rc = as_make_plain(tr, R, k, show->pos);
            if (rc == AS_NA) {
                /* flattened differently, not comparable index by index */
                set_uncertain(tr, s, isl_set_copy(tr->context));
                return AS_OK;
            }
            if (rc != AS_OK)
                return rc;
        }
    for (int d = 0; d < L->ndims; d++) {
        isl_set *ne = isl_set_params(isl_pw_aff_ne_set(isl_pw_aff_copy(L->size[d]),
                                                       isl_pw_aff_copy(R->size[d])));
        ne = isl_set_intersect(ne, isl_set_copy(tr->context));
        isl_bool empty = isl_set_is_empty(ne);
        if (empty < 0) {
            isl_set_free(ne);
            return as_fail(tr, "comparing shapes");
        }
        int k = 0, acc = 0;
        while (acc + L->nsub[k] <= d)
            acc += L->nsub[k++];
        if (!empty && L->nsub[k] != 1) {
            /* a flattened axis made of different sizes: its length may
             * still agree */
            as_na(tr, show->pos, "the sides flatten an axis from different shapes");
            set_uncertain(tr, s, ne);
            continue;
        }
        s->shape_differs = isl_set_union(s->shape_differs, ne);
    }
    /* family by family: the net coefficient of every (entry, monomial) */
    uint64_t families[2 * AS_MAX_PIECES];
    size_t nfam = 0;
    for (int k = 0; k < 2; k++)
        for (size_t p = 0; p < s->t[k]->count; p++) {
            uint64_t f = s->t[k]->pieces[p].family;
            bool seen = false;
            for (size_t j = 0; j < nfam && !seen; j++)
                seen = families[j] == f;
            if (!seen)
                families[nfam++] = f;
        }
    mpq_t neg;
    mpq_init(neg);
    for (size_t j = 0; j < nfam && rc == AS_OK; j++) {
        as_regions reg;
        as_regions_init(&reg);
        for (int k = 0; k < 2 && rc == AS_OK; k++)
            for (size_t p = 0; p < s->t[k]->count && rc == AS_OK; p++) {
                const as_piece *piece = &s->t[k]->pieces[p];
                if (piece->family != families[j])
                    continue;
                mpq_set(neg, piece->coef);
                if (k == 1)
                    mpq_neg(neg, neg);
                rc = as_regions_add(tr, &reg, isl_map_copy(piece->rel), neg);
            }
        for (size_t x = 0; x < reg.count && rc == AS_OK; x++)
            s->differs = isl_set_union(s->differs,
                                       isl_map_params(isl_map_copy(reg.items[x].rel)));
        as_regions_clear(&reg);
    }
    mpq_clear(neg);
    if (rc == AS_OK) {
        /* where the sides are not comparable index by index, their
         * regions say nothing */
        s->differs = isl_set_intersect(s->differs, isl_set_copy(tr->context));
        s->differs = isl_set_subtract(s->differs, isl_set_copy(s->uncertain));
        s->shape_differs = isl_set_subtract(s->shape_differs, isl_set_copy(s->uncertain));
        s->differs = isl_set_coalesce(s->differs);
        if (s->differs == NULL || s->shape_differs == NULL || s->uncertain == NULL)
            rc = as_fail(tr, "comparing the sides");
    }
    return rc;
}

/* A monomial that differs at shape `values` for show s (shapes equal
 * there): from a family of smallest degree.  Also describes it. */
static bool find_witness(cvp_all_shapes *a, show_cmp *s, const long *values,
                         witness *w, char **text)
{
    as_tr *tr = &a->tr;
    isl_set *at = point_set(tr, values);
    bool found = false;
    uint64_t best_family = 0;
    int best_degree = 1 << 30;
    isl_map *best = NULL;
    mpq_t best_coef, neg;
    mpq_init(best_coef);
    mpq_init(neg);
    uint64_t families[2 * AS_MAX_PIECES];
    size_t nfam = 0;
    for (int k = 0; k < 2; k++)
        for (size_t p = 0; p < s->t[k]->count; p++) {
            uint64_t f = s->t[k]->pieces[p].family;
            bool seen = false;
            for (size_t j = 0; j < nfam && !seen; j++)
                seen = families[j] == f;
            if (!seen)
                families[nfam++] = f;
        }
    for (size_t j = 0; j < nfam; j++) {
        int degree = __builtin_popcountll(families[j]);
        if (found && degree >= best_degree)
            continue;
        as_regions reg;
        as_regions_init(&reg);
        as_rc rc = AS_OK;
        for (int k = 0; k < 2 && rc == AS_OK; k++)
            for (size_t p = 0; p < s->t[k]->count && rc == AS_OK; p++) {
                const as_piece *piece = &s->t[k]->pieces[p];
                if (piece->family != families[j])
                    continue;
                mpq_set(neg, piece->coef);
                if (k == 1)
                    mpq_neg(neg, neg);
                rc = as_regions_add(tr, &reg, isl_map_intersect_params(
                                                  isl_map_copy(piece->rel),
                                                  isl_set_copy(at)), neg);
            }
        for (size_t x = 0; x < reg.count && rc == AS_OK; x++) {
            isl_bool empty = isl_map_is_empty(reg.items[x].rel);
            if (empty == isl_bool_false) {
                isl_map_free(best);
                best = isl_map_copy(reg.items[x].rel);
                mpq_set(best_coef, reg.items[x].coef);
                best_family = families[j];
                best_degree = degree;
                found = true;
                break;
            }
        }
        as_regions_clear(&reg);
    }
    isl_set_free(at);
    mpq_clear(neg);
    if (!found) {
        mpq_clear(best_coef);
        return false;
    }
    const as_tensor *L = s->t[0];
    isl_point *pt = isl_set_sample_point(isl_set_flatten(isl_map_wrap(best)));
    found = pt != NULL && isl_point_is_void(pt) == isl_bool_false;
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    CVP_ASSERT(out != NULL);
    w->count = 0;
    if (found) {
        /* the entry, axis by axis: 0 for an axis of size 1, a tuple for a
         * flattened axis */
        fputs("entry [", out);
        for (int k = 0, d = 0; k < L->rank; k++) {
            fputs(k ? ", " : "", out);
            if (L->nsub[k] == 0)
                fputc('0', out);
            if (L->nsub[k] > 1)
                fputc('(', out);
            for (int j = 0; j < L->nsub[k]; j++, d++) {
                isl_val *v = isl_point_get_coordinate_val(pt, isl_dim_set, d);
                fprintf(out, "%s%ld", j ? ", " : "", isl_val_get_num_si(v));
                isl_val_free(v);
            }
            if (L->nsub[k] > 1)
                fputc(')', out);
        }
        fprintf(out, "]%s: left - right = ", L->rank ? "" : " (scalar)");
        if (mpq_cmp_si(best_coef, -1, 1) == 0)
            fputs("-", out);
        else if (mpq_cmp_ui(best_coef, 1, 1) != 0)
            gmp_fprintf(out, "%Qd * ", best_coef);
        int d = L->ndims;
        bool first_factor = true;
        for (size_t t = 0; t < tr->claim->tensor_count; t++) {
            if (!(best_family & ((uint64_t)1 << t)))
                continue;
            int rank = as_tensor_rank(tr, (int)t);
            w->tensor[w->count] = (int)t;
            fprintf(out, "%s%s", first_factor ? "" : " * ", tr->claim->tensors[t].name);
            first_factor = false;
            for (int k = 0; k < rank; k++, d++) {
                isl_val *v = isl_point_get_coordinate_val(pt, isl_dim_set, d);
                w->index[w->count][k] = isl_val_get_num_si(v);
                isl_val_free(v);
                fprintf(out, "%s%ld%s", k ? ", " : "[", w->index[w->count][k],
                        k + 1 == rank ? "]" : "");
            }
            w->count++;
        }
        if (first_factor)
            fputs("1", out);
        fputs(" + ...", out);
    }
    fclose(out);
    isl_point_free(pt);
    mpq_clear(best_coef);
    if (found)
        *text = buf;
    else
        free(buf);
    return found;
}

/* ---- the cross-check in Q ------------------------------------------------------------------ */

/* Compares each side's translation with the kernel's evaluation on one
 * random instance at shape values.  Returns 1 when all agree, 0 when the
 * shape was too large to enumerate, -1 on a disagreement (described in
 * *why). */
static int cross_check(cvp_all_shapes *a, claim_context *c, const long *values,
                       char *why, size_t why_size, size_t *instances)
{
    as_tr *tr = &a->tr;
    cvp_shape_point p;
    cvp_lang_error scratch;
    cvp_lang_error_clear(&scratch);
    if (cvp_shape_point_at(&p, c->claim, values, c->file->source_name, &scratch)
        != CVP_OK) {
        snprintf(why, why_size, "the shape cannot be built: %s", scratch.message);
        return -1;
    }
    cvp_rng rng;
    cvp_rng_seed(&rng, seed_of(c, values, 0));
    cvp_env env;
    cvp_env_init(&env);
    int result = 1;
    if (instance_build(&env, c, &p, &cvp_ring_q, FILL_RANDOM_Q, &rng) != CVP_OK) {
        snprintf(why, why_size, "the inputs cannot be built");
        result = -1;
    }
    ++*instances;
    long budget = AS_CHECK_MAX_POINTS;
    for (size_t s = 0; result == 1 && s < a->nshows; s++)
        for (int side = 0; result == 1 && side < 2; side++) {
            const as_value *v = &a->sides[2 * s + (size_t)side];
            if (v->kind != AV_TENSOR)
                continue;
            const cvp_proof_show *show = &c->claim->shows[s];
            cvp_value value;
            cvp_value_init(&value);
            cvp_status st = cvp_eval_in(&value, side ? show->rhs : show->lhs, &env,
                                        &c->defs, NULL, c->file->source_name, &scratch);
            cvp_tensor_t mine;
            cvp_tensor_init(mine);
            if (st != CVP_OK || value.kind != CVP_VALUE_TENSOR) {
                snprintf(why, why_size, "the %s side of the show at line %d does not "
                         "evaluate: %s", side ? "right" : "left", show->pos.line,
                         scratch.message);
                result = -1;
            } else {
                int e = eval_translation(tr, mine, v->t, values, &env, &budget);
                if (e == 0) {
                    result = 0;
                } else if (e < 0) {
                    snprintf(why, why_size, "the translation of the %s side of the "
                             "show at line %d reaches outside a tensor",
                             side ? "right" : "left", show->pos.line);
                    result = -1;
                } else if (!cvp_tensor_equal(mine, value.tensor)) {
                    snprintf(why, why_size, "the translation of the %s side of the "
                             "show at line %d gives another value than the "
                             "evaluator", side ? "right" : "left", show->pos.line);
                    result = -1;
                }
            }
            cvp_tensor_clear(mine);
            cvp_value_clear(&value);
        }
    cvp_env_clear(&env);
    cvp_shape_point_clear(&p);
    return result;
}

/* True when the dims `values` lie in the parameter set `set` (kept). */
static bool in_set(as_tr *tr, isl_set *set, const long *values)
{
    isl_set *at = isl_set_intersect(isl_set_copy(set), point_set(tr, values));
    bool in = isl_set_is_empty(at) == isl_bool_false;
    isl_set_free(at);
    return in;
}

/* ---- choosing shapes ------------------------------------------------------------------ */

/* Orders shapes as the finite methods visit them (engine/shapes.h): the
 * total number of input entries, then the dims in declaration order. */
typedef struct {
    const cvp_proof_claim *claim;
    long *values;         /* the best so far */
    long *scratch;
    double best_entries;
    bool found;
    long budget;
} chooser;

static double total_entries(const cvp_proof_claim *claim, const long *values)
{
    double total = 0;
    for (size_t t = 0; t < claim->tensor_count; t++) {
        double size = 1;
        for (int a = 0; a < claim->tensors[t].rank; a++) {
            long v;
            if (!cvp_shape_eval(&v, claim->tensors[t].shape[a], values) || v < 0)
                v = 0;
            size *= (double)v;
        }
        total += size;
    }
    return total;
}

static isl_stat consider_point(isl_point *pt, void *user)
{
    chooser *ch = user;
    if (--ch->budget < 0) {
        isl_point_free(pt);
        return isl_stat_error;
    }
    size_t n = ch->claim->dim_count;
    for (size_t k = 0; k < n; k++) {
        isl_val *v = isl_point_get_coordinate_val(pt, isl_dim_set, (int)k);
        ch->scratch[k] = isl_val_get_num_si(v);
        isl_val_free(v);
    }
    isl_point_free(pt);
    double entries = total_entries(ch->claim, ch->scratch);
    bool better = !ch->found || entries < ch->best_entries;
    if (ch->found && entries == ch->best_entries) {
        better = false;
        for (size_t k = 0; k < n; k++)
            if (ch->scratch[k] != ch->values[k]) {
                better = ch->scratch[k] < ch->values[k];
                break;
            }
    }
    if (better) {
        memcpy(ch->values, ch->scratch, n * sizeof *ch->values);
        ch->best_entries = entries;
        ch->found = true;
    }
    return isl_stat_ok;
}

/* Points enumerated to order a bounded set of shapes exactly. */
#define AS_ORDER_MAX_POINTS 20000L

/* The smallest shape of `params` (taken) into values: in the finite
 * methods' order when the set is bounded and small, else fewest total
 * dim units, then the dims in declaration order. */
static isl_bool choose_shape(as_tr *tr, isl_set *params, long *values)
{
    size_t n = tr->claim->dim_count;
    isl_set *s = isl_set_from_params(isl_set_copy(params));
    s = isl_set_move_dims(s, isl_dim_set, 0, isl_dim_param, 0, (unsigned)n);
    isl_bool bounded = isl_set_is_bounded(s);
    if (bounded == isl_bool_true) {
        chooser ch = {tr->claim, values, calloc(n + 1, sizeof(long)), 0, false,
                      AS_ORDER_MAX_POINTS};
        CVP_ASSERT(ch.scratch != NULL);
        isl_stat st = isl_set_foreach_point(s, consider_point, &ch);
        free(ch.scratch);
        if (st == isl_stat_ok) {
            isl_set_free(s);
            isl_set_free(params);
            return ch.found ? isl_bool_true : isl_bool_false;
        }
    }
    isl_set_free(s);
    return as_smallest(tr, params, values);
}

/* The number of shapes of the context, when it is finite and small
 * enough to count; else 0. */
static size_t count_shapes(as_tr *tr)
{
    size_t n = tr->claim->dim_count;
    /* count only what a quick enumeration can: a box of at most a
     * million assignments */
    double box = 1;
    for (size_t k = 0; k < n; k++) {
        if (tr->claim->dims[k].unbounded)
            return 0;
        box *= (double)(tr->claim->dims[k].hi - tr->claim->dims[k].lo + 1);
    }
    if (box > 1e6)
        return 0;
    isl_set *s = isl_set_from_params(isl_set_copy(tr->context));
    s = isl_set_move_dims(s, isl_dim_set, 0, isl_dim_param, 0, (unsigned)n);
    size_t count = 0;
    if (isl_set_is_bounded(s) == isl_bool_true) {
        isl_val *v = isl_set_count_val(s);
        if (v != NULL && isl_val_is_int(v) && isl_val_cmp_si(v, 1000000000L) < 0)
            count = (size_t)isl_val_get_num_si(v);
        isl_val_free(v);
    }
    isl_set_free(s);
    return count;
}

/* ---- running --------------------------------------------------------------------------------- */

static cvp_as_result undecided(cvp_method_result *m, const char *why)
{
    cvp_set_textf(&m->reason, "%s", why);
    return CVP_AS_UNDECIDED;
}

static void describe_relations(cvp_all_shapes *a, FILE *out)
{
    for (size_t s = 0; s < a->nshows; s++) {
        fprintf(out, "\nshow at line %d:", a->tr.claim->shows[s].pos.line);
        for (int side = 0; side < 2; side++) {
            char *text = cvp_all_shapes_describe(a, s, side);
            fprintf(out, "\n  %s: %s", side ? "right" : "left", text ? text : "?");
            free(text);
        }
    }
}

/* Checks the translation in Q at up to three small valid shapes; returns
 * false (with m->reason set) on a disagreement. */
static bool cross_check_shapes(cvp_all_shapes *a, claim_context *c, cvp_method_result *m,
                               long *values, char *checked, size_t checked_size,
                               size_t *instances)
{
    as_tr *tr = &a->tr;
    char why[700];
    for (long lift = 0; lift < 3; lift++) {
        isl_set *s = isl_set_intersect(isl_set_copy(tr->context), isl_set_copy(tr->valid));
        for (size_t k = 0; k < c->claim->dim_count; k++) {
            /* every dim lifted, up to its upper bound */
            const cvp_proof_dim *dim = &c->claim->dims[k];
            long lo = dim->lo + lift;
            if (!dim->unbounded && lo > dim->hi)
                lo = dim->hi;
            s = isl_set_lower_bound_si(s, isl_dim_param, (unsigned)k, (int)lo);
        }
        isl_bool found = as_smallest(tr, s, values);
        if (found != isl_bool_true || !values_fit(tr, values))
            break;
        char shape[256];
        format_values(shape, sizeof shape, c->claim, values);
        if (strstr(checked, shape) != NULL)
            continue;
        int ok = cross_check(a, c, values, why, sizeof why, instances);
        if (ok < 0) {
            cvp_set_textf(&m->reason, "internal: the translation disagrees with the "
                          "kernel at shape %s: %s; not decided", shape, why);
            return false;
        }
        if (ok == 0)
            break;
        size_t used = strlen(checked);
        snprintf(checked + used, checked_size - used, "%s%s", used ? "; " : "", shape);
    }
    return true;
}

cvp_as_result cvp_all_shapes_run(cvp_all_shapes *a, claim_context *c,
                                 cvp_method_result *m, cvp_status *st)
{
    as_tr *tr = &a->tr;
    *st = CVP_OK;
    if (a->rc == AS_NA) {
        cvp_set_textf(&m->reason, "%s", a->reason);
        return CVP_AS_NOT_APPLICABLE;
    }
    if (a->rc == AS_FAIL)
        return undecided(m, a->reason);
    size_t ndims = c->claim->dim_count;
    long *values = calloc(ndims + 1, sizeof *values);
    CVP_ASSERT(values != NULL);
    size_t instances = 0;
    cvp_as_result result = CVP_AS_UNDECIDED;
    char *context_text = as_describe_set(tr, tr->context);
    char checked[600] = "";
    show_cmp *cmps = calloc(a->nshows + 1, sizeof *cmps);
    CVP_ASSERT(cmps != NULL);
    isl_set *bad = NULL, *differs = NULL, *uncertain = NULL;
    m->shapes = count_shapes(tr);

    isl_bool none = isl_set_is_empty(tr->context);
    if (none != isl_bool_false) {
        result = undecided(m, none < 0 ? "isl failed on the dim ranges"
                                       : "no shape satisfies the dim ranges and where "
                                         "constraints");
        goto done;
    }
    /* shapes of the context where the translation's preconditions fail:
     * the evaluator decides there */
    bad = isl_set_subtract(isl_set_copy(tr->context), isl_set_copy(tr->valid));
    differs = isl_set_empty(isl_space_params(isl_space_copy(tr->pspace)));
    uncertain = isl_set_empty(isl_space_params(isl_space_copy(tr->pspace)));
    if (a->rc == AS_OK) {
        if (!cross_check_shapes(a, c, m, values, checked, sizeof checked, &instances)) {
            result = CVP_AS_UNDECIDED;
            goto done;
        }
        as_rc rc = AS_OK;
        for (size_t s = 0; s < a->nshows && rc == AS_OK; s++) {
            rc = compare_show(a, s, &cmps[s]);
            if (rc == AS_OK) {
                differs = isl_set_union(differs, isl_set_copy(cmps[s].shape_differs));
                differs = isl_set_union(differs, isl_set_copy(cmps[s].differs));
                uncertain = isl_set_union(uncertain, isl_set_copy(cmps[s].uncertain));
            }
        }
        if (rc != AS_OK) {
            set_reason(a);
            cvp_set_textf(&m->reason, "%s", a->reason);
            result = rc == AS_NA ? CVP_AS_NOT_APPLICABLE : CVP_AS_UNDECIDED;
            goto done;
        }
        differs = isl_set_intersect(differs, isl_set_copy(tr->valid));
        uncertain = isl_set_intersect(uncertain, isl_set_copy(tr->valid));
    }
    isl_set *target_set = isl_set_union(isl_set_copy(bad), isl_set_copy(differs));
    target_set = isl_set_union(target_set, isl_set_copy(uncertain));
    isl_bool any = choose_shape(tr, target_set, values);
    if (any < 0) {
        result = undecided(m, "isl failed finding the smallest failing shape");
        goto done;
    }
    if (!any) {
        char *text = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&text, &len);
        CVP_ASSERT(out != NULL);
        fprintf(out, "for every shape with %s, both sides of every show are the "
                "same sum of products of the inputs (equal parametric relations, "
                "each product counted once, equal coefficients; decided by isl)",
                context_text);
        describe_relations(a, out);
        if (checked[0] != '\0')
            fprintf(out, "\nthe translation agreed with the kernel in Q at %s", checked);
        else
            fputs("\n(no shape was small enough to cross-check the translation in Q)",
                  out);
        fclose(out);
        cvp_set_text(&m->evidence, text);
        free(text);
        if (c->claim->is_refute)
            cvp_set_textf(&m->reason, "the identity holds for every shape with %s: "
                          "there is no counterexample", context_text);
        result = CVP_AS_HELD;
        goto done;
    }
    /* The smallest candidate is a shape where the translation does not
     * apply (the evaluator decides), where the sides are not comparable
     * index by index (a replay may show a difference), or where isl finds
     * them different (a replay must confirm it). */
    char shape[256];
    format_values(shape, sizeof shape, c->claim, values);
    if (!values_fit(tr, values)) {
        result = undecided(m, "the smallest failing shape is too large to replay");
        goto done;
    }
    if (in_set(tr, bad, values)) {
        replay_kind k = replay_shape(c, m, values, NULL, 4, &instances, st);
        if (k == REPLAY_ERROR) {
            result = CVP_AS_ERROR;
        } else if (k == REPLAY_DIFFERS) {
            result = CVP_AS_COUNTEREXAMPLE;
        } else {
            cvp_set_textf(&m->reason, "the translation to relations assumes what "
                          "does not hold at shape %s (e.g. equal operand sizes "
                          "where the evaluator broadcasts), and the claim held "
                          "there on the instances tried", shape);
            result = CVP_AS_NOT_APPLICABLE;
        }
        goto done;
    }
    if (!in_set(tr, differs, values)) {
        /* not comparable here: a difference in Q settles it */
        replay_kind k = replay_shape(c, m, values, NULL, 16, &instances, st);
        if (k == REPLAY_ERROR) {
            result = CVP_AS_ERROR;
            goto done;
        }
        if (k == REPLAY_DIFFERS) {
            cvp_set_textf(&m->reason, "the sides cannot be compared index by index "
                          "at shape %s; replayed in Q, they differ there", shape);
            result = CVP_AS_COUNTEREXAMPLE;
            goto done;
        }
        const char *why = NULL;
        for (size_t s = 0; s < a->nshows && why == NULL; s++)
            if (cmps[s].why_uncertain != NULL && in_set(tr, cmps[s].uncertain, values))
                why = cmps[s].why_uncertain;
        any = choose_shape(tr, isl_set_copy(differs), values);
        if (any != isl_bool_true) {
            cvp_set_textf(&m->reason, "%s (at shape %s, where the claim held on the "
                          "instances tried)", why ? why : "the sides are not comparable",
                          shape);
            result = any < 0 ? CVP_AS_UNDECIDED : CVP_AS_NOT_APPLICABLE;
            goto done;
        }
        /* a definite difference at a larger shape */
        format_values(shape, sizeof shape, c->claim, values);
    }
    /* a difference: replay with a differing monomial's entries set to 1 */
    size_t first_failing = SIZE_MAX;
    for (size_t s = 0; s < a->nshows && first_failing == SIZE_MAX; s++) {
        isl_set *f = isl_set_union(isl_set_copy(cmps[s].shape_differs),
                                   isl_set_copy(cmps[s].differs));
        if (in_set(tr, f, values))
            first_failing = s;
        isl_set_free(f);
    }
    witness w;
    w.count = 0;
    char *term = NULL;
    bool have_witness = false;
    if (first_failing != SIZE_MAX && cmps[first_failing].t[0] != NULL
        && !in_set(tr, cmps[first_failing].shape_differs, values))
        have_witness = find_witness(a, &cmps[first_failing], values, &w, &term);
    char *differs_text = as_describe_set(tr, differs);
    replay_kind k = values_fit(tr, values)
                        ? replay_shape(c, m, values, have_witness ? &w : NULL, 16,
                                       &instances, st)
                        : REPLAY_EQUAL;
    if (k == REPLAY_ERROR) {
        result = CVP_AS_ERROR;
    } else if (k == REPLAY_DIFFERS) {
        if (term != NULL && m->counterexample != NULL)
            cvp_set_text(&m->counterexample->first_term, term);
        cvp_set_textf(&m->reason, "the two sides differ at some shapes (isl; the "
                      "evidence lists them); the smallest, %s, was replayed in Q",
                      shape);
        result = CVP_AS_COUNTEREXAMPLE;
    } else {
        cvp_set_textf(&m->reason, "internal: isl finds the sides different at shape "
                      "%s, but no instance evaluated in Q differs there; not decided",
                      shape);
        result = CVP_AS_UNDECIDED;
    }
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    CVP_ASSERT(out != NULL);
    fprintf(out, "the sides differ for the shapes with %s", differs_text);
    describe_relations(a, out);
    fclose(out);
    cvp_set_text(&m->evidence, text);
    free(text);
    free(differs_text);
    free(term);
done:
    for (size_t s = 0; s < a->nshows; s++)
        show_cmp_clear(&cmps[s]);
    free(cmps);
    isl_set_free(bad);
    isl_set_free(differs);
    isl_set_free(uncertain);
    m->instances = instances;
    free(context_text);
    free(values);
    return result;
}

/* ---- for tests ---------------------------------------------------------------------------------- */

static bool family_of(const as_tr *tr, const char *names, uint64_t *family)
{
    *family = 0;
    const char *p = names;
    while (*p != '\0') {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        bool found = false;
        for (size_t t = 0; t < tr->claim->tensor_count && t < AS_MAX_TENSORS; t++)
            if (strlen(tr->claim->tensors[t].name) == len
                && strncmp(tr->claim->tensors[t].name, p, len) == 0) {
                *family |= (uint64_t)1 << t;
                found = true;
            }
        if (!found)
            return false;
        p += len + (end ? 1 : 0);
    }
    return true;
}

isl_map *cvp_all_shapes_relation(cvp_all_shapes *a, size_t show, int side,
                                 const char *family, long num, long den)
{
    if (a->rc != AS_OK || show >= a->nshows || den == 0)
        return NULL;
    as_tr *tr = &a->tr;
    uint64_t fam;
    if (!family_of(tr, family, &fam))
        return NULL;
    as_value *v = &a->sides[2 * show + (size_t)(side ? 1 : 0)];
    as_tensor *t = v->kind == AV_TENSOR ? v->t : NULL;
    as_tensor *own = NULL;
    if (t == NULL && v->kind == AV_NUM) {
        if (as_constant(tr, &own, v->num) != AS_OK) {
            as_tensor_free(own);
            return NULL;
        }
        t = own;
    }
    if (t == NULL)
        return NULL;
    as_regions reg;
    as_regions_init(&reg);
    as_rc rc = AS_OK;
    for (size_t p = 0; p < t->count && rc == AS_OK; p++)
        if (t->pieces[p].family == fam)
            rc = as_regions_add(tr, &reg, isl_map_copy(t->pieces[p].rel),
                                t->pieces[p].coef);
    mpq_t want;
    mpq_init(want);
    mpq_set_si(want, num, (unsigned long)(den < 0 ? -den : den));
    if (den < 0)
        mpq_neg(want, want);
    mpq_canonicalize(want);
    isl_space *space = isl_space_add_dims(isl_space_copy(tr->pspace), isl_dim_set,
                                          (unsigned)t->ndims);
    isl_space *range = isl_space_add_dims(isl_space_copy(tr->pspace), isl_dim_set,
                                          (unsigned)as_family_dims(tr, fam));
    isl_map *result = isl_map_empty(isl_space_map_from_domain_and_range(space, range));
    for (size_t x = 0; x < reg.count && rc == AS_OK; x++)
        if (mpq_equal(reg.items[x].coef, want))
            result = isl_map_union(result, isl_map_copy(reg.items[x].rel));
    mpq_clear(want);
    as_regions_clear(&reg);
    as_tensor_free(own);
    if (rc != AS_OK) {
        isl_map_free(result);
        return NULL;
    }
    return isl_map_intersect_params(result, isl_set_copy(tr->context));
}

char *cvp_all_shapes_describe(cvp_all_shapes *a, size_t show, int side)
{
    if (!cvp_all_shapes_applies(a) || show >= a->nshows)
        return NULL;
    as_value *v = &a->sides[2 * show + (size_t)(side ? 1 : 0)];
    if (v->kind == AV_TENSOR)
        return as_describe(&a->tr, v->t);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    CVP_ASSERT(out != NULL);
    if (v->kind == AV_NUM) {
        gmp_fprintf(out, "%Qd", v->num);
    } else if (v->kind == AV_SYM) {
        for (int k = 0; k < v->nf; k++) {
            char *s = isl_pw_aff_to_str(v->factor[k]);
            fprintf(out, "%s(%s)", k ? " * " : "", s ? s : "?");
            free(s);
        }
    } else {
        fputs("(no value)", out);
    }
    fclose(out);
    return text;
}
