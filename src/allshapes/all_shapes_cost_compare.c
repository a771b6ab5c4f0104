/* all_shapes_cost_compare.c -- deciding a show between counts (mults,
 * size, integer arithmetic of dims; built in all_shapes_cost.c): the
 * difference of the sides as a quasi-polynomial, proved zero by its
 * normal form on the shapes where the claim is defined, or else evaluated
 * at small shapes for a difference that the run replays through the
 * evaluator; and the cross-check of the counts against eval/cost.c
 * (part of the trusted kernel: the decision).
 *
 * Why apart from all_shapes_cost.c: that file builds counts, this one
 * judges them, and either alone stays readable. */
#include "allshapes/all_shapes_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <isl/aff.h>
#include <isl/local_space.h>
#include <isl/point.h>
#include <isl/val.h>
#include <isl/val_gmp.h>

#include "eval/eval.h"
#include "kernel/ring.h"
#include "kernel/tensor.h"

/* ---- comparing counts ------------------------------------------------------------- */

/* Every piece of d is the zero polynomial or lies on an empty set. */
static isl_stat piece_is_zero(isl_set *set, isl_qpolynomial *qp, void *user)
{
    isl_bool *all = user;
    isl_bool zero = isl_qpolynomial_is_zero(qp);
    isl_bool nan = isl_qpolynomial_is_nan(qp);
    if (zero < 0 || nan < 0) {
        *all = isl_bool_error;
    } else if (zero != isl_bool_true || nan == isl_bool_true) {
        isl_bool empty = isl_set_is_empty(set);
        if (empty != isl_bool_true && *all != isl_bool_error)
            *all = empty < 0 ? isl_bool_error : isl_bool_false;
    }
    isl_set_free(set);
    isl_qpolynomial_free(qp);
    return isl_stat_ok;
}

/* Shapes at which the difference of two counts is evaluated when isl
 * does not reduce it to zero. */
#define AS_COUNT_SEARCH_POINTS 5000L

/* Small shapes of a parameter set, shell by shell in total dim units (the
 * sum of every dim above its lower bound: 0, 1, 2, ...): with d, those
 * where d is nonzero (stopping after the first shell that has one, so
 * they have the fewest dim units); without d, the first `max` shapes. */
typedef struct {
    as_tr *tr;
    isl_pw_qpolynomial *d;  /* NULL: collect shapes */
    isl_set *found;         /* params where d is nonzero */
    long *collected;        /* max shapes of n dims each */
    size_t count, max;
    long budget;
    long *values;
    bool failed;
} search;

static isl_stat try_point(isl_point *pt, void *user)
{
    search *s = user;
    if (--s->budget < 0 || (s->d == NULL && s->count >= s->max)) {
        isl_point_free(pt);
        return isl_stat_error;
    }
    size_t n = s->tr->claim->dim_count;
    isl_point *at = isl_point_zero(isl_space_copy(s->tr->pspace));
    for (size_t k = 0; k < n; k++) {
        isl_val *v = isl_point_get_coordinate_val(pt, isl_dim_set, (int)k);
        s->values[k] = isl_val_get_num_si(v);
        at = isl_point_set_coordinate_val(at, isl_dim_param, (int)k, v);
    }
    isl_point_free(pt);
    if (s->d == NULL) {
        isl_point_free(at);
        if (as_values_fit(s->tr, s->values))
            memcpy(s->collected + s->count++ * n, s->values, n * sizeof *s->values);
        return isl_stat_ok;
    }
    isl_val *v = isl_pw_qpolynomial_eval(isl_pw_qpolynomial_copy(s->d), at);
    if (v == NULL) {
        s->failed = true;
        return isl_stat_error;
    }
    if (!isl_val_is_zero(v) && as_values_fit(s->tr, s->values))
        s->found = isl_set_union(s->found, as_point_set(s->tr, s->values));
    isl_val_free(v);
    return isl_stat_ok;
}

/* Runs the search s over the shapes of D (params); *bound is the last
 * number of dim units tried. */
static void search_shells(search *s, isl_set *D, long *bound)
{
    as_tr *tr = s->tr;
    size_t n = tr->claim->dim_count;
    isl_set *all = isl_set_from_params(isl_set_copy(D));
    all = isl_set_move_dims(all, isl_dim_set, 0, isl_dim_param, 0, (unsigned)n);
    long lo = 0;
    for (size_t k = 0; k < n; k++)
        lo += tr->claim->dims[k].lo;
    *bound = -1;
    for (long t = 0; t <= 100000 && s->budget > 0; t++) {
        /* u = the sum of the dims - (lo + t): u = 0 on the shell, and
         * -u < 0 on the shapes beyond it (when there are none, every
         * shape has been tried) */
        isl_aff *units = isl_aff_zero_on_domain(isl_local_space_from_space(
            isl_set_get_space(all)));
        for (size_t k = 0; k < n; k++)
            units = isl_aff_set_coefficient_si(units, isl_dim_in, (int)k, 1);
        units = isl_aff_set_constant_si(units, (int)-(lo + t));
        isl_set *beyond = isl_set_intersect(isl_set_copy(all), isl_set_from_basic_set(
            isl_aff_neg_basic_set(isl_aff_neg(isl_aff_copy(units)))));
        isl_set *shell = isl_set_intersect(isl_set_copy(all), isl_set_from_basic_set(
            isl_aff_zero_basic_set(units)));
        isl_stat st = shell ? isl_set_foreach_point(shell, try_point, s) : isl_stat_error;
        isl_set_free(shell);
        *bound = t;
        isl_bool more = s->d != NULL ? isl_set_is_empty(s->found)
                                     : s->count < s->max ? isl_bool_true : isl_bool_false;
        isl_bool done = isl_set_is_empty(beyond);
        isl_set_free(beyond);
        if (st < 0 || s->failed || more != isl_bool_true || done != isl_bool_false)
            break;
    }
    isl_set_free(all);
}

/* The shapes of D where d is nonzero, the fewest dim units first; empty
 * when none was found within the budget. */
static isl_set *find_differing(as_tr *tr, isl_pw_qpolynomial *d, isl_set *D, long *bound)
{
    size_t n = tr->claim->dim_count;
    long *values = calloc(n + 1, sizeof *values);
    CVP_ASSERT(values != NULL);
    search s = {tr, d, isl_set_empty(isl_space_params(isl_space_copy(tr->pspace))),
                NULL, 0, 0, AS_COUNT_SEARCH_POINTS, values, false};
    search_shells(&s, D, bound);
    free(values);
    return s.found;
}

as_rc as_compare_counts(as_tr *tr, show_cmp *s, const as_value *l, const as_value *r,
                        cvp_srcpos pos)
{
    isl_pw_qpolynomial *L = NULL, *R = NULL;
    as_rc rc = as_qp_of(tr, l, pos, &L);
    if (rc == AS_OK)
        rc = as_qp_of(tr, r, pos, &R);
    if (rc != AS_OK) {
        isl_pw_qpolynomial_free(L);
        return rc;
    }
    /* the shapes where the claim is defined: ranges, `where`, and where
     * every operator accepts its arguments */
    isl_set *D = isl_set_intersect(isl_set_copy(tr->context), isl_set_copy(tr->valid));
    isl_pw_qpolynomial *d = isl_pw_qpolynomial_sub(L, R);
    /* gist: an equal quasi-polynomial on D, simpler where D's constraints
     * fix a floor (odd sizes, divisibility); then only D is looked at */
    d = isl_pw_qpolynomial_gist_params(d, isl_set_copy(D));
    d = isl_pw_qpolynomial_intersect_params(d, isl_set_copy(D));
    isl_bool zero = isl_bool_true;
    if (d == NULL || isl_pw_qpolynomial_foreach_piece(d, piece_is_zero, &zero) < 0)
        zero = isl_bool_error;
    s->shape_differs = isl_set_empty(isl_space_params(isl_space_copy(tr->pspace)));
    s->uncertain = isl_set_copy(s->shape_differs);
    if (zero == isl_bool_true) {
        s->differs = isl_set_copy(s->shape_differs);
    } else if (zero == isl_bool_false) {
        long bound;
        s->differs = find_differing(tr, d, D, &bound);
        isl_bool none = isl_set_is_empty(s->differs);
        if (none == isl_bool_true) {
            char *text = isl_pw_qpolynomial_to_str(d);
            rc = as_na(tr, pos, "isl does not reduce the difference of the counts "
                       "to zero (%.300s) and it vanishes at every shape with up to %ld "
                       "dim units above the lower bounds; not decided for every shape", text ? text : "?",
                       bound);
            free(text);
        } else if (none < 0) {
            rc = as_fail(tr, "evaluating the counts");
        }
    } else {
        rc = as_fail(tr, "comparing the counts");
    }
    isl_pw_qpolynomial_free(d);
    isl_set_free(D);
    if (rc == AS_OK && (s->differs == NULL || s->shape_differs == NULL
                        || s->uncertain == NULL))
        rc = as_fail(tr, "comparing the counts");
    return rc;
}

/* ---- the cross-check against eval/cost.c ----------------------------------------- */

/* Largest input the cross-check of counts makes placeholders for (and
 * eval/cost.c again): exercise 5-4's layer (2,560,000 entries) fits. */
#define AS_COUNT_CHECK_MAX_ENTRIES ((size_t)1 << 25)

int as_cross_check_counts(cvp_all_shapes *a, claim_context *c, const long *values,
                          char *why, size_t why_size)
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
    /* the inputs as placeholders: a count depends on the shapes alone, so
     * no entries are made, whatever the sizes */
    cvp_ring S;
    cvp_ring_shape_init(&S);
    cvp_env env;
    cvp_env_init(&env);
    int result = 0;
    /* placeholders take a byte per entry: a shape too large for them is
     * not checked (like one too large for the check in Q) */
    size_t cap = cvp_tensor_set_thread_cap(AS_COUNT_CHECK_MAX_ENTRIES);
    if (instance_build(&env, c, &p, &S, FILL_SHAPE_ONLY, NULL) != CVP_OK) {
        cvp_lang_error_clear(c->err);   /* a limit: nothing checked here */
        cvp_tensor_set_thread_cap(cap);
        cvp_env_clear(&env);
        cvp_shape_point_clear(&p);
        return 0;
    }
    isl_point *at = isl_point_zero(isl_space_copy(tr->pspace));
    for (size_t k = 0; k < c->claim->dim_count; k++)
        at = isl_point_set_coordinate_val(at, isl_dim_param, (int)k,
                                          isl_val_int_from_si(tr->ctx, values[k]));
    mpq_t mine;
    mpq_init(mine);
    for (size_t s = 0; result >= 0 && s < a->nshows; s++)
        for (int side = 0; result >= 0 && side < 2; side++) {
            const as_value *v = &a->sides[2 * s + (size_t)side];
            if (v->kind != AV_QP)
                continue;
            const cvp_proof_show *show = &c->claim->shows[s];
            cvp_value value;
            cvp_value_init(&value);
            cvp_status st = cvp_eval_in(&value, side ? show->rhs : show->lhs, &env,
                                        &c->defs, NULL, c->file->source_name, &scratch);
            isl_val *q = isl_pw_qpolynomial_eval(isl_pw_qpolynomial_copy(v->qp),
                                                 isl_point_copy(at));
            const char *which = side ? "right" : "left";
            if (st == CVP_ERR_LIMIT) {
                /* more than 2^64 multiplications: not checked here */
            } else if (st != CVP_OK || value.kind != CVP_VALUE_TENSOR
                       || value.tensor->rank != 0 || value.tensor->ring != &cvp_ring_q) {
                snprintf(why, why_size, "the %s side of the show at line %d does not "
                         "evaluate to a number: %s", which, show->pos.line,
                         scratch.message);
                result = -1;
            } else if (q == NULL || !isl_val_is_rat(q)) {
                snprintf(why, why_size, "the count of the %s side of the show at "
                         "line %d has no value there", which, show->pos.line);
                result = -1;
            } else {
                mpz_t num, den;
                mpz_init(num);
                mpz_init(den);
                isl_val_get_num_gmp(q, num);
                isl_val_get_den_gmp(q, den);
                mpq_set_num(mine, num);
                mpq_set_den(mine, den);
                mpq_canonicalize(mine);
                mpz_clear(num);
                mpz_clear(den);
                mpq_srcptr theirs = cvp_tensor_at(value.tensor, 0);
                if (!mpq_equal(mine, theirs)) {
                    gmp_snprintf(why, why_size, "the %s side of the show at line %d "
                                 "is %Qd by the cost model (eval/cost.c) but %Qd by "
                                 "its quasi-polynomial", which, show->pos.line,
                                 theirs, mine);
                    result = -1;
                } else {
                    result = 1;
                }
            }
            isl_val_free(q);
            cvp_value_clear(&value);
        }
    mpq_clear(mine);
    isl_point_free(at);
    cvp_tensor_set_thread_cap(cap);
    cvp_env_clear(&env);
    cvp_shape_point_clear(&p);
    return result;
}

/* Shapes the counts are cross-checked at before a pass, besides the
 * translation's three. */
#define AS_COUNT_CHECK_SHAPES 24

bool as_cross_check_counts_more(cvp_all_shapes *a, claim_context *c, cvp_method_result *m)
{
    /* Counts cost nothing to evaluate (no entries), so more shapes are
     * cheap; those with the fewest dim units lift one dim at a time, and
     * shapes whose dims differ catch a size used in place of another,
     * which the translation's shapes (every dim equal) hide. */
    as_tr *tr = &a->tr;
    size_t n = tr->claim->dim_count;
    long *collected = calloc((n + 1) * AS_COUNT_CHECK_SHAPES, sizeof *collected);
    long *values = calloc(n + 1, sizeof *values);
    CVP_ASSERT(collected != NULL && values != NULL);
    search s = {tr, NULL, NULL, collected, 0, AS_COUNT_CHECK_SHAPES,
                AS_COUNT_SEARCH_POINTS, values, false};
    isl_set *D = isl_set_intersect(isl_set_copy(tr->context), isl_set_copy(tr->valid));
    long bound;
    search_shells(&s, D, &bound);
    isl_set_free(D);
    bool ok = true;
    for (size_t i = 0; ok && i < s.count; i++) {
        char why[700];
        int r = as_cross_check_counts(a, c, collected + i * n, why, sizeof why);
        if (r < 0) {
            char shape[256];
            as_format_values(shape, sizeof shape, tr->claim, collected + i * n);
            cvp_set_textf(&m->reason, "internal: the counts disagree with the cost "
                          "model at shape %s: %s; not decided", shape, why);
            ok = false;
        } else if (r > 0) {
            a->counts_more++;
        }
    }
    free(collected);
    free(values);
    return ok;
}
