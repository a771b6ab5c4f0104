/* check.c -- one claim from start to verdict: its shapes, each method it
 * names (exact in check_exact.c, random in check_random.c, symbolic in
 * check_symbolic.c, all_shapes through allshapes/all_shapes.h, bounded
 * through check_bounded.h) and the verdict they give together.  (See
 * check.h for what each method computes and what a pass means.) */
#include "check/check_internal.h"
#include "allshapes/all_shapes.h"
#include "check/check_bounded.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eval/eval.h"
#include "eval/subgrad.h"
#include "check/limits.h"
#include "kernel/interrupt.h"
#include "kernel/prime.h"
#include "kernel/ring_poly.h"
#include "kernel/ring_small.h"

void cvp_check_options_default(cvp_check_options *o)
{
    memset(o, 0, sizeof *o);
    o->seed = 1;
    o->seed_fixed = true;
    o->max_shapes = CVP_DEFAULT_MAX_SHAPES;
    o->max_terms = CVP_POLY_DEFAULT_MAX_TERMS;
    o->exact_trials = 3;
    o->random_trials = 2;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* A seed for every (claim, method, shape, trial), so that each random
 * choice can be replayed on its own. */
uint64_t check_mix_seed(const claim_context *c, int method, size_t shape,
                         long trial)
{
    uint64_t h = c->seed ^ 0x9e3779b97f4a7c15ULL;
    uint64_t parts[4] = {c->index, (uint64_t)method, shape, (uint64_t)trial};
    for (int i = 0; i < 4; i++) {
        h ^= parts[i] + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
        h *= 0xbf58476d1ce4e5b9ULL;
    }
    return h;
}

/* Reads option `name` of a method line (or returns the default). */
long check_method_option(const cvp_proof_method *m, const char *name, long dflt)
{
    for (size_t k = 0; m != NULL && k < m->option_count; k++)
        if (strcmp(m->option_names[k], name) == 0)
            return m->option_values[k];
    return dflt;
}

bool check_method_seed(claim_context *c, const cvp_proof_method *decl)
{
    for (size_t k = 0; decl != NULL && k < decl->option_count; k++)
        if (strcmp(decl->option_names[k], "seed") == 0) {
            c->seed = (uint64_t)decl->option_values[k];
            return true;
        }
    c->seed = c->options->seed;
    return c->options->seed_fixed;
}

void check_not_polynomial(claim_context *c, cvp_method_result *m)
{
    cvp_set_textf(&m->reason, "not a polynomial identity: %s", c->err->message);
    cvp_lang_error_clear(c->err);
}

void check_undefined_reason(claim_context *c, const cvp_shape_point *p,
                            cvp_method_result *m)
{
    check_at_shape(c, p, CVP_ERR_UNDEFINED);
    char where[CVP_ERROR_MESSAGE_MAX + CVP_SOURCE_NAME_MAX + 64];
    cvp_lang_error_format(where, sizeof where, c->err);
    cvp_set_textf(&m->reason, "a value is undefined at every point of a shape "
                  "(%s); exact's instances there fail", where);
    cvp_lang_error_clear(c->err);
}

/* Adds " (at shape M=1, N=2)" to a located error from an evaluation; a
 * claim without dims has one shape, so nothing is added. */
cvp_status check_at_shape(claim_context *c, const cvp_shape_point *p,
                           cvp_status st)
{
    if (c->claim->dim_count == 0)
        return st;
    char shape[256];
    cvp_shape_point_format(shape, sizeof shape, c->claim, p);
    size_t len = strlen(c->err->message);
    snprintf(c->err->message + len, sizeof c->err->message - len,
             " (at shape %s)", shape);
    return st;
}

/* ---- claims ------------------------------------------------------------------ */

static int method_from_name(const char *name)
{
    for (int k = 0; k < CVP_METHOD_COUNT; k++)
        if (strcmp(cvp_method_name((cvp_method)k), name) == 0)
            return k;
    return -1;
}

/* The first dim without an upper bound (`dim M >= 1`), or NULL. */
static const cvp_proof_dim *first_unbounded(const cvp_proof_claim *claim)
{
    for (size_t k = 0; k < claim->dim_count; k++)
        if (claim->dims[k].unbounded)
            return &claim->dims[k];
    return NULL;
}

static bool is_finite_method(cvp_method method)
{
    return method == CVP_METHOD_EXACT || method == CVP_METHOD_RANDOM
           || method == CVP_METHOD_SYMBOLIC || method == CVP_METHOD_BOUNDED
           || method == CVP_METHOD_REGIONS;
}

/* ---- all_shapes (allshapes/all_shapes.h) ----------------------------------------- */

static run_kind run_all_shapes(claim_context *c, cvp_all_shapes *as,
                               cvp_method_result *m, cvp_status *st)
{
    switch (cvp_all_shapes_run(as, c, m, st)) {
    case CVP_AS_HELD: return RUN_HELD;
    case CVP_AS_COUNTEREXAMPLE: return RUN_COUNTEREXAMPLE;
    case CVP_AS_NOT_APPLICABLE: return RUN_NOT_APPLICABLE;
    case CVP_AS_UNDECIDED: return RUN_UNDECIDED;
    case CVP_AS_ERROR: return RUN_ERROR;
    }
    return RUN_UNDECIDED;
}

static cvp_outcome run_method(claim_context *c, cvp_method method,
                              const cvp_proof_method *decl, cvp_claim_result *cr,
                              cvp_all_shapes *as, cvp_status *st)
{
    cvp_method_result *m = cvp_claim_add_method(cr, method);
    double start = now();
    run_kind kind = RUN_NOT_APPLICABLE;
    const cvp_proof_dim *open = first_unbounded(c->claim);
    if (open != NULL && is_finite_method(method)) {
        cvp_set_textf(&m->reason, "needs a range (dim %s in LO..HI): dim %s has no "
                      "upper bound, which only all_shapes handles", open->name,
                      open->name);
        method = CVP_METHOD_COUNT;   /* nothing runs */
    }
    switch (method) {
    case CVP_METHOD_EXACT: kind = check_run_exact(c, decl, m, st); break;
    case CVP_METHOD_RANDOM: kind = check_run_random(c, decl, m, st); break;
    case CVP_METHOD_SYMBOLIC: kind = check_run_symbolic(c, m, st); break;
    case CVP_METHOD_REGIONS: kind = check_run_regions(c, decl, m, st); break;
    case CVP_METHOD_BOUNDED:   /* check/check_bounded.c */
        switch (cvp_check_bounded(c, decl, m, st)) {
        case CVP_BOUNDED_HELD: kind = RUN_HELD; break;
        case CVP_BOUNDED_COUNTEREXAMPLE: kind = RUN_COUNTEREXAMPLE; break;
        case CVP_BOUNDED_NOT_APPLICABLE: kind = RUN_NOT_APPLICABLE; break;
        case CVP_BOUNDED_UNDECIDED: kind = RUN_UNDECIDED; break;
        case CVP_BOUNDED_ERROR: kind = RUN_ERROR; break;
        }
        break;
    case CVP_METHOD_ALL_SHAPES:
        start -= cvp_all_shapes_prepare_seconds(as);   /* the translation counts */
        kind = run_all_shapes(c, as, m, st);
        break;
    case CVP_METHOD_COUNT:
        break;
    default:
        cvp_set_textf(&m->reason, "the %s method is not available in this version",
                      cvp_method_name(method));
        break;
    }
    m->seconds = now() - start;
    bool refute = c->claim->is_refute;
    switch (kind) {
    case RUN_HELD:
        m->outcome = refute ? CVP_OUTCOME_FAILED : CVP_OUTCOME_PASSED;
        if (refute && m->reason == NULL)
            cvp_set_textf(&m->reason, c->shapes.count == 1
                          ? "no counterexample at the %zu shape"
                          : "no counterexample at any of the %zu shapes",
                          c->shapes.count);
        break;
    case RUN_COUNTEREXAMPLE:
        m->outcome = refute ? CVP_OUTCOME_PASSED : CVP_OUTCOME_FAILED;
        break;
    case RUN_NOT_APPLICABLE:
        m->outcome = CVP_OUTCOME_NOT_APPLICABLE;
        break;
    case RUN_UNDECIDED:
    case RUN_ERROR:
        m->outcome = CVP_OUTCOME_UNDECIDED;
        break;
    }
    return m->outcome;
}

/* Methods to run when the claim names none: all_shapes first where it
 * applies (the strongest evidence; for a claim with an unbounded dim the
 * only one, applicable or not), then the finite ones.  A refute tries
 * exact first, which finds small counterexamples fastest, then
 * all_shapes, whose pass shows that no shape has one. */
static const cvp_method default_claim_methods[] = {CVP_METHOD_ALL_SHAPES,
                                                   CVP_METHOD_SYMBOLIC, CVP_METHOD_RANDOM,
                                                   CVP_METHOD_REGIONS, CVP_METHOD_EXACT};
static const cvp_method default_refute_methods[] = {CVP_METHOD_EXACT, CVP_METHOD_ALL_SHAPES,
                                                    CVP_METHOD_SYMBOLIC,
                                                    CVP_METHOD_REGIONS};

/* By default regions joins only where symbolic did not apply (a claim
 * with ReLU, pooling, max): on a polynomial claim it would walk a single
 * cell and repeat symbolic's work. */
static bool regions_joins(const cvp_claim_result *cr)
{
    for (size_t k = 0; k < cr->method_count; k++)
        if (cr->methods[k].method == CVP_METHOD_SYMBOLIC)
            return cr->methods[k].outcome == CVP_OUTCOME_NOT_APPLICABLE;
    return true;
}

/* The claim's outcome from its methods' (verdict.h).  A claim that every
 * applicable method passed is PASSED only if one of them proves it; one
 * that only exact passed held on every instance tried and is TESTED. */
static void decide(cvp_claim_result *cr, bool refute, bool named)
{
    size_t passed = 0, proved = 0, failed = 0, undecided = 0, applicable = 0;
    for (size_t k = 0; k < cr->method_count; k++) {
        cvp_outcome o = cr->methods[k].outcome;
        passed += o == CVP_OUTCOME_PASSED;
        proved += o == CVP_OUTCOME_PASSED && cvp_method_proves(cr->methods[k].method);
        failed += o == CVP_OUTCOME_FAILED;
        undecided += o == CVP_OUTCOME_UNDECIDED;
        applicable += o != CVP_OUTCOME_NOT_APPLICABLE;
        /* A method the claim names but that cannot judge it leaves the
         * claim undecided: the claim asked for that evidence. */
        if (named && o == CVP_OUTCOME_NOT_APPLICABLE)
            undecided++;
        /* regions joins a default run on its own account (regions_joins):
         * its cell cap takes nothing from what the other methods decide,
         * so the claim stays TESTED when exact passed */
        if (!named && o == CVP_OUTCOME_UNDECIDED
            && cr->methods[k].method == CVP_METHOD_REGIONS)
            undecided--, applicable--;
    }
    if (refute)
        cr->outcome = passed ? CVP_OUTCOME_PASSED
                      : undecided || applicable == 0 ? CVP_OUTCOME_UNDECIDED
                                                      : CVP_OUTCOME_FAILED;
    else if (failed)
        cr->outcome = CVP_OUTCOME_FAILED;
    /* With the default methods, one proof is enough: a method that met
     * its own cap (symbolic's degree, say) found no counterexample and
     * takes nothing from a proof by another.  Methods the claim names
     * must all decide it. */
    else if (proved && !named)
        cr->outcome = CVP_OUTCOME_PASSED;
    else
        cr->outcome = undecided || applicable == 0 ? CVP_OUTCOME_UNDECIDED
                      : proved ? CVP_OUTCOME_PASSED
                               : CVP_OUTCOME_TESTED;
}

static char *statement_text(const cvp_proof_claim *claim)
{
    char *text = NULL;
    size_t len = 0;
    FILE *stream = open_memstream(&text, &len);
    CVP_ASSERT(stream != NULL);
    for (size_t s = 0; s < claim->show_count; s++)
        fprintf(stream, "%sshow %s", s ? "\n" : "", claim->shows[s].text);
    fclose(stream);
    return text;
}

cvp_status cvp_check_claim(cvp_report *report, const cvp_proof_file *file,
                           size_t index, const cvp_check_options *options,
                           cvp_lang_error *err)
{
    const cvp_proof_claim *claim = &file->claims[index];
    claim_context c = {file, claim, index, options, NULL, {NULL, 0, NULL}, {0}, err,
                       CVP_OK, false, 0, options->seed, 0, ""};
    char *statement = statement_text(claim);
    cvp_claim_result *cr = cvp_report_add_claim(report, claim->title, claim->is_refute,
                                                file->source_name, claim->pos.line,
                                                statement);
    free(statement);
    double start = now();
    cvp_limits_claim_begin(options);   /* --timeout, --max-memory */
    c.def_items = calloc(claim->let_count ? claim->let_count : 1, sizeof *c.def_items);
    CVP_ASSERT(c.def_items != NULL);
    for (size_t k = 0; k < claim->let_count; k++) {
        c.def_items[k].name = claim->lets[k].name;
        c.def_items[k].expr = claim->lets[k].expr;
    }
    c.defs.items = c.def_items;
    c.defs.count = claim->let_count;
    c.defs.external = options->external;
    bool named = claim->method_count > 0;
    bool unbounded = first_unbounded(claim) != NULL;
    /* the methods to run, in order */
    cvp_method order[CVP_METHOD_COUNT + 4];
    const cvp_proof_method *decls[CVP_METHOD_COUNT + 4];
    size_t count = 0;
    if (named) {
        for (size_t k = 0; k < claim->method_count && count < CVP_METHOD_COUNT + 4; k++) {
            int method = method_from_name(claim->methods[k].name);
            CVP_ASSERT(method >= 0);   /* the parser accepts only known names */
            decls[count] = &claim->methods[k];
            order[count++] = (cvp_method)method;
        }
    } else if (unbounded) {
        decls[count] = NULL;
        order[count++] = CVP_METHOD_ALL_SHAPES;
    } else {
        size_t n = claim->is_refute ? sizeof default_refute_methods / sizeof(cvp_method)
                                    : sizeof default_claim_methods / sizeof(cvp_method);
        for (size_t k = 0; k < n; k++) {
            decls[count] = NULL;
            order[count++] = claim->is_refute ? default_refute_methods[k]
                                              : default_claim_methods[k];
        }
    }
    bool wants_all_shapes = false, needs_shapes = false;
    for (size_t k = 0; k < count; k++) {
        if (options->filtered && !options->only[order[k]])
            continue;
        wants_all_shapes = wants_all_shapes || order[k] == CVP_METHOD_ALL_SHAPES;
        needs_shapes = needs_shapes || (is_finite_method(order[k]) && !unbounded);
    }
    cvp_all_shapes *as = wants_all_shapes ? cvp_all_shapes_prepare(claim, file->source_name)
                                          : NULL;
    /* Lets that expand past the limit are refused before any work. */
    cvp_status st = cvp_limits_check_expansion(claim, file->source_name, err);
    /* The finite methods' shapes; an unbounded claim has none. */
    if (st == CVP_OK && needs_shapes)
        st = cvp_shape_list_build(&c.shapes, claim, file->source_name,
                                  options->max_shapes, err);
    size_t next = 0;   /* the first method not run yet */
    for (; st == CVP_OK && next < count; next++) {
        size_t k = next;
        cvp_method method = order[k];
        if (options->filtered && !options->only[method])
            continue;
        /* by default, all_shapes joins where it applies (and alone speaks
         * for an unbounded claim, applicable or not) */
        if (!named && method == CVP_METHOD_ALL_SHAPES && !unbounded
            && !cvp_all_shapes_applies(as))
            continue;
        if (!named && method == CVP_METHOD_REGIONS && !regions_joins(cr))
            continue;
        cvp_outcome o = run_method(&c, method, decls[k], cr, as, &st);
        /* A refute is settled by its first counterexample. */
        if (claim->is_refute && o == CVP_OUTCOME_PASSED)
            break;
    }
    if (st == CVP_OK && needs_shapes && c.shapes.count == 0) {
        /* No assignment satisfies the constraints: nothing was shown. */
        for (size_t k = 0; k < cr->method_count; k++) {
            cr->methods[k].outcome = CVP_OUTCOME_UNDECIDED;
            cvp_set_text(&cr->methods[k].reason,
                         "no shape satisfies the dim ranges and where constraints");
        }
    }
    /* A limit leaves the claim undecided, and the check goes on with the
     * next claim (check/limits.h): the methods not run yet are listed. */
    cvp_method pending[CVP_METHOD_COUNT + 4];
    size_t pending_count = 0;
    for (; st == CVP_ERR_LIMIT && next < count; next++)
        if (!(options->filtered && !options->only[order[next]])
            && !(!named && order[next] == CVP_METHOD_ALL_SHAPES && !unbounded
                 && !cvp_all_shapes_applies(as))
            && !(!named && order[next] == CVP_METHOD_REGIONS && !regions_joins(cr)))
            pending[pending_count++] = order[next];
    cvp_limits_settle(cr, pending, pending_count, &st, err);
    cvp_limits_claim_end();
    cvp_all_shapes_free(as);
    decide(cr, claim->is_refute, named);
    if (st == CVP_ERR_UNDEFINED || st == CVP_ERR_NOT_DIFFERENTIABLE
        || st == CVP_ERR_EXTERNAL || st == CVP_ERR_DECLINED
        || st == CVP_ERR_UNSUPPORTED)
        /* A property of an instance that a method did not turn into its
         * own outcome: it stops this claim only, as an input error does
         * (never the whole run). */
        st = CVP_ERR_INPUT;
    if (st == CVP_ERR_INPUT) {
        /* The claim could not be judged: its verdict is the located
         * error, and the file's other claims are checked all the same. */
        char located[CVP_ERROR_MESSAGE_MAX + CVP_SOURCE_NAME_MAX + 64];
        cvp_lang_error_format(located, sizeof located, err);
        cvp_set_text(&cr->error, located);
        cr->outcome = CVP_OUTCOME_UNDECIDED;
        cvp_method_result *last = cr->method_count > 0
                                      ? &cr->methods[cr->method_count - 1] : NULL;
        if (last != NULL && last->outcome == CVP_OUTCOME_UNDECIDED
            && last->reason == NULL)
            cvp_set_text(&last->reason, "stopped by the claim's input error");
    } else
        check_advise_undecided(&c, cr, named);
    cvp_kink_forget_message();
    cr->seconds = now() - start;
    cvp_shape_list_clear(&c.shapes);
    free(c.def_items);
    return st;
}

cvp_status cvp_check_file(cvp_report *report, const cvp_proof_file *file,
                          const cvp_check_options *options, cvp_lang_error *err)
{
    cvp_status first = CVP_OK;
    cvp_lang_error claim_err;
    for (size_t k = 0; k < file->claim_count; k++) {
        cvp_lang_error_clear(&claim_err);
        cvp_status st = cvp_check_claim(report, file, k, options, &claim_err);
        if (st == CVP_OK)
            continue;
        if (first == CVP_OK) {
            first = st;
            *err = claim_err;
        }
        if (st != CVP_ERR_INPUT)   /* an input error is the claim's verdict */
            return st;
    }
    return first;
}
