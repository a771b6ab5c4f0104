/* all_shapes_replay.c -- evaluating in Q: a translation at one instance
 * (point by point), replaying a shape on a witness and on random
 * instances (a counterexample on a difference), and the cross-check of
 * the translation against the evaluator at a few small shapes. */
#include "allshapes/all_shapes_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <isl/point.h>
#include <isl/val.h>

#include "eval/eval.h"
#include "kernel/interrupt.h"

/* Largest number of (entry, monomial) points the Q cross-check enumerates
 * at one shape. */
#define AS_CHECK_MAX_POINTS 200000L

/* Largest tensor the Q cross-check builds (kernel/tensor.h's thread cap):
 * a shape with larger values is too large to cross-check, like one with
 * more points than AS_CHECK_MAX_POINTS.  Without it a claim such as
 * dilate(G, 16777216) built tensors of 16 million entries per side at its
 * smallest shapes (23 s and 3.5 GB) before isl decided it in a moment. */
#define AS_CHECK_MAX_ENTRIES ((size_t)1000000)

/* ---- evaluating a translation at one instance ---------------------------------------------- */

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
        mpq_mul(e->term, e->term, cvp_tensor_at(x, off));
    }
    isl_point_free(pt);
    if (e->bad)
        return isl_stat_error;
    mpq_add(cvp_tensor_at(e->out, flat), cvp_tensor_at(e->out, flat), e->term);
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
    isl_set *at = as_point_set(tr, values);
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
    /* A claim without dims has one shape: nothing to add. */
    if (c->claim->dim_count > 0) {
        char shape[256];
        as_format_values(shape, sizeof shape, c->claim, values);
        size_t len = strlen(c->err->message);
        snprintf(c->err->message + len, sizeof c->err->message - len,
                 " (at shape %s)", shape);
    }
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
    } else if (r.failed_show != SIZE_MAX
               && (r.status == CVP_OK || r.status == CVP_ERR_UNDEFINED)) {
        /* the sides differ, or a division by zero leaves one undefined:
         * the claim does not hold at this instance (shrunk as exact's) */
        check_shrink_and_record(c, p, env, &r, m, r.status == CVP_OK);
        kind = REPLAY_DIFFERS;
    } else if (r.status != CVP_OK) {
        *st = error_at(c, values, r.status == CVP_ERR_UNSUPPORTED ? CVP_ERR_INPUT
                                                                : r.status);
        kind = REPLAY_ERROR;
    }
    show_result_clear(&r);
    return kind;
}

/* Zeroes every input of env, then sets the witness entries to 1. */
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
            mpq_set_ui(cvp_tensor_at(x, k), 0, 1);
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
                mpq_set_ui(cvp_tensor_at(x, off), 1, 1);
        }
    }
}

/* Replays shape `values`: the witness instance first (when given), then
 * random instances.  Returns the replay kind; on REPLAY_DIFFERS m holds
 * the counterexample. */
replay_kind as_replay_shape(claim_context *c, cvp_method_result *m,
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

/* ---- the cross-check in Q ------------------------------------------------------------------ */

/* A size limit, not a time or memory limit of the claim (those stop the
 * claim: they must not pass for "too large to cross-check"). */
static bool too_large(cvp_status st)
{
    return st == CVP_ERR_LIMIT && cvp_interrupt_reached() == CVP_INTERRUPT_NONE;
}

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
    size_t cap = cvp_tensor_set_thread_cap(AS_CHECK_MAX_ENTRIES);
    cvp_status built = instance_build(&env, c, &p, &cvp_ring_q, FILL_RANDOM_Q, &rng);
    if (too_large(built)) {
        result = 0;
    } else if (built != CVP_OK) {
        snprintf(why, why_size, "the inputs cannot be built");
        result = -1;
    }
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
            if (too_large(st)) {
                result = 0;
            } else if (st != CVP_OK || value.kind != CVP_VALUE_TENSOR) {
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
    cvp_tensor_set_thread_cap(cap);
    if (result != 0)   /* an instance too large to check is none */
        ++*instances;
    cvp_env_clear(&env);
    cvp_shape_point_clear(&p);
    return result;
}

/* Checks the translation in Q at up to three small valid shapes; returns
 * false (with m->reason set) on a disagreement. */
bool as_cross_check_shapes(cvp_all_shapes *a, claim_context *c, cvp_method_result *m,
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
        if (found != isl_bool_true || !as_values_fit(tr, values))
            break;
        char shape[256];
        as_format_values(shape, sizeof shape, c->claim, values);
        if (strstr(checked, shape) != NULL)
            continue;
        /* counts first: they need no entries, so even a shape too large
         * for the check in Q is counted by eval/cost.c */
        int counted = a->has_counts ? as_cross_check_counts(a, c, values, why, sizeof why)
                                    : 0;
        if (counted < 0) {
            cvp_set_textf(&m->reason, "internal: the counts disagree with the cost "
                          "model at shape %s: %s; not decided", shape, why);
            return false;
        }
        if (counted > 0) {
            a->counts_checks++;
            size_t used = strlen(a->counts_checked);
            snprintf(a->counts_checked + used, sizeof a->counts_checked - used, "%s%s",
                     used ? "; " : "", shape);
        }
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
