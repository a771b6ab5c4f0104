/* all_shapes.c -- the all_shapes method: preparing a claim (translating
 * each side of every show), running it (the cross-check in Q, comparing
 * the sides for every shape, then replaying the smallest failing shape),
 * and the hooks for tests (see all_shapes.h).  Comparing the sides is in
 * all_shapes_compare.c, evaluating in Q (replays, the cross-check) in
 * all_shapes_replay.c, shapes as parameter points in all_shapes_shapes.c;
 * what they share is in all_shapes_internal.h. */
#include "allshapes/all_shapes_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <isl/val.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Operations isl may spend on one claim before giving up (undecided). */
#define AS_MAX_OPERATIONS 50000000UL

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
                && v->kind != AV_SYM && v->kind != AV_QP)
                a->rc = as_na(&a->tr, node->pos, "a side that is not a tensor");
            if (a->rc == AS_OK && v->kind == AV_QP)
                a->has_counts = true;
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
    m->shapes = as_count_shapes(tr);

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
        if (!as_cross_check_shapes(a, c, m, values, checked, sizeof checked, &instances)) {
            result = CVP_AS_UNDECIDED;
            goto done;
        }
        as_rc rc = AS_OK;
        for (size_t s = 0; s < a->nshows && rc == AS_OK; s++) {
            rc = as_compare_show(a, s, &cmps[s]);
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
    isl_bool any = as_choose_shape(tr, target_set, values);
    if (any < 0) {
        result = undecided(m, "isl failed finding the smallest failing shape");
        goto done;
    }
    if (!any && a->has_counts && a->counts_checks == 0) {
        /* a count proved by isl alone would rest on the translation of
         * the cost model: it must have met eval/cost.c somewhere */
        result = undecided(m, "the counts (mults/size) could not be cross-checked "
                           "against the cost model at any shape; not decided");
        goto done;
    }
    if (!any && a->has_counts && !as_cross_check_counts_more(a, c, m)) {
        result = CVP_AS_UNDECIDED;
        goto done;
    }
    if (!any) {
        char *text = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&text, &len);
        CVP_ASSERT(out != NULL);
        if (a->has_counts)
            fprintf(out, "for every shape with %s, both sides of every show are "
                    "equal (decided by isl): tensors as the same sum of products of "
                    "the inputs, counts as the same quasi-polynomial", context_text);
        else
            fprintf(out, "for every shape with %s, both sides of every show are the "
                    "same sum of products of the inputs (equal parametric relations, "
                    "each product counted once, equal coefficients; decided by isl)",
                    context_text);
        describe_relations(a, out);
        if (a->has_counts)
            fprintf(out, "\ncounts (mults/size) are quasi-polynomials in the dims, "
                    "built from the operators' sizes by the cost model (every kernel "
                    "tap at every output position); isl reduces the difference of "
                    "the sides to zero on those shapes; eval/cost.c gave the same "
                    "counts at %s, and at %zu shapes with the fewest dim units",
                    a->counts_checked, a->counts_more);
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
    as_format_values(shape, sizeof shape, c->claim, values);
    if (!as_values_fit(tr, values)) {
        result = undecided(m, "the smallest failing shape is too large to replay");
        goto done;
    }
    if (as_in_set(tr, bad, values)) {
        replay_kind k = as_replay_shape(c, m, values, NULL, 4, &instances, st);
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
    if (!as_in_set(tr, differs, values)) {
        /* not comparable here: a difference in Q settles it */
        replay_kind k = as_replay_shape(c, m, values, NULL, 16, &instances, st);
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
            if (cmps[s].why_uncertain != NULL && as_in_set(tr, cmps[s].uncertain, values))
                why = cmps[s].why_uncertain;
        any = as_choose_shape(tr, isl_set_copy(differs), values);
        if (any != isl_bool_true) {
            cvp_set_textf(&m->reason, "%s (at shape %s, where the claim held on the "
                          "instances tried)", why ? why : "the sides are not comparable",
                          shape);
            result = any < 0 ? CVP_AS_UNDECIDED : CVP_AS_NOT_APPLICABLE;
            goto done;
        }
        /* a definite difference at a larger shape */
        as_format_values(shape, sizeof shape, c->claim, values);
    }
    /* a difference: replay with a differing monomial's entries set to 1 */
    size_t first_failing = SIZE_MAX;
    for (size_t s = 0; s < a->nshows && first_failing == SIZE_MAX; s++) {
        isl_set *f = isl_set_union(isl_set_copy(cmps[s].shape_differs),
                                   isl_set_copy(cmps[s].differs));
        if (as_in_set(tr, f, values))
            first_failing = s;
        isl_set_free(f);
    }
    witness w;
    w.count = 0;
    char *term = NULL;
    bool have_witness = false;
    if (first_failing != SIZE_MAX && cmps[first_failing].t[0] != NULL
        && !as_in_set(tr, cmps[first_failing].shape_differs, values))
        have_witness = as_find_witness(a, &cmps[first_failing], values, &w, &term);
    char *differs_text = as_describe_set(tr, differs);
    replay_kind k = as_values_fit(tr, values)
                        ? as_replay_shape(c, m, values, have_witness ? &w : NULL, 16,
                                          &instances, st)
                        : REPLAY_EQUAL;
    if (k == REPLAY_ERROR) {
        result = CVP_AS_ERROR;
    } else if (k == REPLAY_DIFFERS) {
        if (term != NULL && m->counterexample != NULL)
            cvp_set_text(&m->counterexample->first_term, term);
        if (c->claim->dim_count == 0)   /* one shape, named by nobody */
            cvp_set_textf(&m->reason, "the two sides differ (isl), and an instance "
                          "replayed in Q confirms it");
        else
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
    if (c->claim->dim_count == 0)
        fputs("the sides differ", out);
    else
        fprintf(out, "the sides differ for the shapes with %s", differs_text);
    describe_relations(a, out);
    fclose(out);
    cvp_set_text(&m->evidence, text);
    free(text);
    free(differs_text);
    free(term);
done:
    for (size_t s = 0; s < a->nshows; s++)
        as_show_cmp_clear(&cmps[s]);
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
    } else if (v->kind == AV_QP) {
        char *s = isl_pw_qpolynomial_to_str(v->qp);
        fprintf(out, "%s", s ? s : "?");
        free(s);
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
