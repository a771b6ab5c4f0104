/* check.c -- the methods exact, random and symbolic, the dispatch of
 * all_shapes (engine/all_shapes.h), and claim verdicts.  (See check.h for
 * what each method computes and what a pass means.) */
#include "engine/check_internal.h"
#include "engine/all_shapes.h"
#include "engine/check_bounded.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/eval.h"
#include "engine/subgrad.h"
#include "engine/limits.h"
#include "kernel/interrupt.h"
#include "kernel/prime.h"
#include "kernel/ring_poly.h"
#include "kernel/ring_small.h"

void cvp_check_options_default(cvp_check_options *o)
{
    memset(o, 0, sizeof *o);
    o->seed = 1;
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
static uint64_t mix_seed(const claim_context *c, int method, size_t shape,
                         long trial)
{
    uint64_t h = c->options->seed ^ 0x9e3779b97f4a7c15ULL;
    uint64_t parts[4] = {c->index, (uint64_t)method, shape, (uint64_t)trial};
    for (int i = 0; i < 4; i++) {
        h ^= parts[i] + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
        h *= 0xbf58476d1ce4e5b9ULL;
    }
    return h;
}

/* Reads option `name` of a method line (or returns the default). */
static long method_option(const cvp_proof_method *m, const char *name, long dflt)
{
    for (size_t k = 0; m != NULL && k < m->option_count; k++)
        if (strcmp(m->option_names[k], name) == 0)
            return m->option_values[k];
    return dflt;
}

/* Adds " (at shape M=1, N=2)" to a located error from an evaluation. */
static cvp_status at_shape(claim_context *c, const cvp_shape_point *p,
                           cvp_status st)
{
    char shape[256];
    cvp_shape_point_format(shape, sizeof shape, c->claim, p);
    size_t len = strlen(c->err->message);
    snprintf(c->err->message + len, sizeof c->err->message - len,
             " (at shape %s)", shape);
    return st;
}

/* What one method run found. */
typedef enum {
    RUN_HELD,
    RUN_COUNTEREXAMPLE,
    RUN_NOT_APPLICABLE,
    RUN_UNDECIDED,      /* ran, but saw nothing that could decide */
    RUN_ERROR
} run_kind;

/* ---- exact ------------------------------------------------------------- */

/* Searches shape p for a failing Q instance with `trials` random
 * instances (the first small); on success shrinks it, records it in m and
 * returns RUN_COUNTEREXAMPLE.  *instances counts evaluated instances (an
 * instance at a kink where `grad` does not exist is a failure, not a
 * skipped one). */
#define TIE_ATTEMPTS 64

static run_kind exact_at_shape(claim_context *c, size_t shape_index, long trials,
                               int method_tag, cvp_method_result *m,
                               size_t *instances, cvp_status *st)
{
    const cvp_shape_point *p = &c->shapes.points[shape_index];
    for (long t = 0; t < trials; t++) {
        if (cvp_interrupt_poll()) {   /* --timeout, --max-memory (limits.h) */
            *st = cvp_limits_error(c->err, c->file->source_name, c->claim->pos);
            return RUN_ERROR;
        }
        cvp_env env;
        cvp_env_init(&env);
        show_result r;
        show_result_init(&r);
        /* exact(ties=1): draw from -1..1 until the instance meets a kink
         * (a tie or a ReLU at 0), so that non-smooth behaviour is always
         * exercised; after TIE_ATTEMPTS draws the last one is used. */
        for (long attempt = 0;; attempt++) {
            cvp_rng rng;
            cvp_rng_seed(&rng, mix_seed(c, method_tag, shape_index,
                                        t + attempt * 1000003L));
            *st = instance_build(&env, c, p, &cvp_ring_q,
                                 t == 0 || c->ties ? FILL_SMALL_Q : FILL_RANDOM_Q,
                                 &rng);
            cvp_kinks_met = 0;
            if (*st == CVP_OK)
                instance_eval(&r, c, &env, NULL);
            if (!c->ties || *st != CVP_OK || cvp_kinks_met > 0
                || attempt + 1 == TIE_ATTEMPTS)
                break;
            cvp_lang_error_clear(c->err);
            show_result_clear(&r);
            show_result_init(&r);
            cvp_env_clear(&env);
            cvp_env_init(&env);
        }
        if (c->ties && *st == CVP_OK && cvp_kinks_met == 0)
            c->untied++;
        run_kind kind = RUN_HELD;
        if (*st != CVP_OK) {
            kind = RUN_ERROR;
        } else if (r.status == CVP_ERR_EXTERNAL
                   || r.status == CVP_ERR_NOT_DIFFERENTIABLE) {
            /* The implementation under test misbehaved, or a `grad` was
             * asked at a kink, where it does not exist (the message names
             * the kink and the set; `in subgrad` is the claim that can
             * hold there): a failed instance, shrunk like any other. */
            ++*instances;
            instance_shrink(c, &env);
            show_result_clear(&r);
            show_result_init(&r);
            /* the counterexample stands; its one re-evaluation finishes
             * even past a limit (shrinking stops at it) */
            bool held = cvp_interrupt_hold(true);
            instance_eval(&r, c, &env, NULL);
            cvp_interrupt_hold(held);
            CVP_ASSERT(r.failed_show != SIZE_MAX);
            counterexample_record(m, c, p, &env, &r);
            kind = RUN_COUNTEREXAMPLE;
        } else if (r.status == CVP_ERR_UNSUPPORTED) {
            /* Not an operation of Q (a transcendental function: the
             * message says to use `bounded`). */
            cvp_set_textf(&m->reason, "%s", c->err->message);
            cvp_lang_error_clear(c->err);
            kind = RUN_NOT_APPLICABLE;
        } else if (r.status != CVP_OK) {
            *st = at_shape(c, p, r.status == CVP_ERR_UNSUPPORTED ? CVP_ERR_INPUT
                                                                : r.status);
            c->err->status = *st;
            kind = RUN_ERROR;
        } else {
            ++*instances;
            if (r.failed_show != SIZE_MAX) {
                instance_shrink(c, &env);
                show_result_clear(&r);
                show_result_init(&r);
                /* the counterexample stands; its one re-evaluation
                 * finishes even past a limit (shrinking stops at it) */
                bool held = cvp_interrupt_hold(true);
                instance_eval(&r, c, &env, NULL);
                cvp_interrupt_hold(held);
                CVP_ASSERT(r.status == CVP_OK && r.failed_show != SIZE_MAX);
                counterexample_record(m, c, p, &env, &r);
                kind = RUN_COUNTEREXAMPLE;
            }
        }
        show_result_clear(&r);
        cvp_env_clear(&env);
        if (kind != RUN_HELD)
            return kind;
    }
    return RUN_HELD;
}

static run_kind run_exact(claim_context *c, const cvp_proof_method *decl,
                          cvp_method_result *m, cvp_status *st)
{
    long trials = method_option(decl, "trials", c->options->exact_trials);
    c->ties = method_option(decl, "ties", 0) != 0;
    c->untied = 0;
    size_t instances = 0;
    for (size_t s = 0; s < c->shapes.count; s++) {
        run_kind kind = exact_at_shape(c, s, trials, CVP_METHOD_EXACT, m,
                                       &instances, st);
        m->shapes = s + 1;
        m->instances = instances;
        if (kind != RUN_HELD)
            return kind;
    }
    if (c->ties)
        cvp_set_textf(&m->evidence, "%zu instances at %zu shapes evaluated in Q, "
                      "each drawn from -1..1 until it met a kink (a tie or a "
                      "ReLU at 0); %zu met none in %d draws", instances,
                      c->shapes.count, c->untied, TIE_ATTEMPTS);
    else
        cvp_set_textf(&m->evidence, "%zu instances at %zu shapes evaluated in Q "
                      "(values drawn from each tensor's range, the first instance "
                      "of each shape from -1..1)", instances, c->shapes.count);
    return RUN_HELD;
}

/* After random or symbolic found that the sides differ at shape s, an
 * exact search there turns it into a concrete, shrunk counterexample. */
static run_kind confirm_in_q(claim_context *c, size_t s, cvp_method_result *m,
                             cvp_status *st)
{
    size_t instances = 0;
    run_kind kind = exact_at_shape(c, s, 64, 100 + (int)m->method, m, &instances,
                                   st);
    if (kind == RUN_HELD) {
        /* A nonzero polynomial that vanished at 64 random integer points:
         * possible in principle, so say so rather than invent values. */
        cvp_set_text(&m->reason, "the two sides differ as polynomials, but no "
                     "concrete instance was found in 64 random tries");
        return RUN_COUNTEREXAMPLE;
    }
    return kind;
}

/* ---- symbolic ------------------------------------------------------------ */

/* The first differing term of two polynomial tensors (their difference's
 * first term at the first differing entry), as a malloc'd description, or
 * NULL. */
static char *first_differing_term(cvp_ring *R, cvp_value *lhs, cvp_value *rhs)
{
    if (lhs->kind != CVP_VALUE_TENSOR || rhs->kind != CVP_VALUE_TENSOR
        || !cvp_tensor_same_shape(lhs->tensor, rhs->tensor)
        || lhs->tensor->ring != R || rhs->tensor->ring != R)
        return NULL;
    char *text = NULL;
    cvp_tensor_t diff;
    cvp_tensor_init_ring(diff, R);
    cvp_error e;
    if (cvp_tensor_sub(diff, lhs->tensor, rhs->tensor, &e) == CVP_OK)
        for (size_t k = 0; k < diff->size && text == NULL; k++) {
            const cvp_poly *d = cvp_tensor_elem(diff, k);
            if (d->len == 0)
                continue;
            char term[512];
            cvp_poly_format_term(R, term, sizeof term, d, 0);
            cvp_set_textf(&text, "entry %zu (row-major): left - right = %s%s", k,
                          term, d->len > 1 ? " + ..." : "");
        }
    cvp_tensor_clear(diff);
    return text;
}

static run_kind run_symbolic(claim_context *c, cvp_method_result *m, cvp_status *st)
{
    size_t largest = 0;
    for (size_t s = 0; s < c->shapes.count; s++) {
        if (cvp_interrupt_poll()) {
            *st = cvp_limits_error(c->err, c->file->source_name, c->claim->pos);
            return RUN_ERROR;
        }
        cvp_ring R;
        cvp_ring_poly_init(&R, c->options->max_terms);
        cvp_env env;
        cvp_env_init(&env);
        show_result r;
        show_result_init(&r);
        run_kind kind = RUN_HELD;
        *st = instance_build(&env, c, &c->shapes.points[s], &R, FILL_VARIABLES, NULL);
        if (*st == CVP_OK)
            instance_eval(&r, c, &env, &R);
        if (*st != CVP_OK) {
            kind = RUN_ERROR;
        } else if (r.status == CVP_ERR_UNSUPPORTED) {
            cvp_set_textf(&m->reason, "not a polynomial identity: %s",
                          c->err->message);
            cvp_lang_error_clear(c->err);
            kind = RUN_NOT_APPLICABLE;
        } else if (r.status == CVP_ERR_LIMIT) {
            /* The limit stops the check: keep its located message for
             * the caller (check.h), with the shape it was reached at. */
            cvp_set_textf(&m->reason, "%s", c->err->message);
            *st = at_shape(c, &c->shapes.points[s], CVP_ERR_LIMIT);
            kind = RUN_ERROR;
        } else if (r.status != CVP_OK) {
            *st = at_shape(c, &c->shapes.points[s], r.status);
            kind = RUN_ERROR;
        } else if (r.failed_show != SIZE_MAX) {
            kind = RUN_COUNTEREXAMPLE;
        } else {
            for (size_t b = 0; b < 2; b++) {
                const cvp_value *v = b ? &r.rhs : &r.lhs;
                if (v->kind == CVP_VALUE_TENSOR && v->tensor->ring == &R)
                    for (size_t k = 0; k < v->tensor->size; k++) {
                        const cvp_poly *poly = cvp_tensor_elem(v->tensor, k);
                        if (poly->len > largest)
                            largest = poly->len;
                    }
            }
        }
        m->shapes = s + 1;
        m->instances = s + 1;
        if (kind == RUN_COUNTEREXAMPLE) {
            /* Keep the polynomial evidence (r still holds the differing
             * sides), then find concrete values in Q. */
            char *term = first_differing_term(&R, &r.lhs, &r.rhs);
            show_result_clear(&r);
            cvp_env_clear(&env);
            cvp_ring_poly_clear(&R);
            kind = confirm_in_q(c, s, m, st);
            if (m->counterexample != NULL && term != NULL)
                cvp_set_text(&m->counterexample->first_term, term);
            else if (term != NULL)
                cvp_set_text(&m->evidence, term);
            free(term);
            return kind;
        }
        show_result_clear(&r);
        cvp_env_clear(&env);
        cvp_ring_poly_clear(&R);
        if (kind != RUN_HELD)
            return kind;
    }
    cvp_set_textf(&m->evidence, "both sides are equal canonical polynomials in "
                  "the input entries at each of %zu shapes (largest polynomial: "
                  "%zu terms): the identity holds for every real value at those "
                  "shapes", c->shapes.count, largest);
    return RUN_HELD;
}

/* ---- random ---------------------------------------------------------------- */

/* The largest degree bound among both sides of every show at shape p, or
 * -1 when some operation is not polynomial (then *reason is set). */
static long degree_at_shape(claim_context *c, const cvp_shape_point *p,
                            cvp_method_result *m, cvp_status *st)
{
    cvp_ring D;
    cvp_ring_degree_init(&D);
    cvp_env env;
    cvp_env_init(&env);
    long degree = 0;
    *st = instance_build(&env, c, p, &D, FILL_DEGREE_ONE, NULL);
    for (size_t s = 0; *st == CVP_OK && s < c->claim->show_count; s++)
        for (int side = 0; side < 2 && *st == CVP_OK; side++) {
            cvp_value v;
            cvp_value_init(&v);
            const cvp_proof_show *show = &c->claim->shows[s];
            cvp_status e = cvp_eval_in(&v, side ? show->rhs : show->lhs, &env, &c->defs,
                                       &D, c->file->source_name, c->err);
            if (e == CVP_ERR_UNSUPPORTED) {
                cvp_set_textf(&m->reason, "not a polynomial identity: %s",
                              c->err->message);
                cvp_lang_error_clear(c->err);
                degree = -1;
            } else if (e != CVP_OK) {
                *st = at_shape(c, p, e);
            } else if (v.kind == CVP_VALUE_TENSOR && v.tensor->ring == &D) {
                for (size_t k = 0; k < v.tensor->size; k++) {
                    long d = cvp_degree_get(cvp_tensor_elem(v.tensor, k));
                    if (d > degree)
                        degree = d;
                }
            }
            cvp_value_clear(&v);
            if (degree < 0)
                break;
        }
    cvp_env_clear(&env);
    cvp_ring_degree_clear(&D);
    return *st == CVP_OK ? degree : -1;
}

static run_kind run_random(claim_context *c, const cvp_proof_method *decl,
                           cvp_method_result *m, cvp_status *st)
{
    long trials = method_option(decl, "trials", c->options->random_trials);
    long max_degree = 0;
    size_t points = 0;
    for (size_t s = 0; s < c->shapes.count; s++) {
        const cvp_shape_point *p = &c->shapes.points[s];
        long degree = degree_at_shape(c, p, m, st);
        if (*st != CVP_OK)
            return RUN_ERROR;
        if (degree < 0)
            return RUN_NOT_APPLICABLE;
        if (degree > max_degree)
            max_degree = degree;
        for (long t = 0; t < trials; t++) {
            if (cvp_interrupt_poll()) {
                *st = cvp_limits_error(c->err, c->file->source_name, c->claim->pos);
                return RUN_ERROR;
            }
            /* A new random prime for every point (kernel/prime.h): with
             * one fixed prime, constants that make the difference a
             * multiple of it would pass a false identity. */
            cvp_rng rng;
            cvp_rng_seed(&rng, mix_seed(c, CVP_METHOD_RANDOM, s, t));
            cvp_ring F;
            cvp_ring_fp_init(&F, cvp_random_prime(&rng));
            cvp_env env;
            cvp_env_init(&env);
            show_result r;
            show_result_init(&r);
            *st = instance_build(&env, c, p, &F, FILL_RANDOM_FP, &rng);
            if (*st == CVP_OK)
                instance_eval(&r, c, &env, &F);
            run_kind kind = RUN_HELD;
            if (*st != CVP_OK) {
                kind = RUN_ERROR;
            } else if (r.status == CVP_ERR_UNSUPPORTED) {
                cvp_set_textf(&m->reason, "not a polynomial identity: %s",
                              c->err->message);
                cvp_lang_error_clear(c->err);
                kind = RUN_NOT_APPLICABLE;
            } else if (r.status != CVP_OK) {
                *st = at_shape(c, p, r.status);
                kind = RUN_ERROR;
            } else if (r.failed_show != SIZE_MAX) {
                kind = RUN_COUNTEREXAMPLE;
            }
            points++;
            show_result_clear(&r);
            cvp_env_clear(&env);
            cvp_ring_fp_clear(&F);
            m->shapes = s + 1;
            m->instances = points;
            if (kind == RUN_COUNTEREXAMPLE)
                return confirm_in_q(c, s, m, st);
            if (kind != RUN_HELD)
                return kind;
        }
    }
    cvp_set_textf(&m->evidence, "%zu random points of Z/pZ, each with its own "
                  "random prime p in [2^60, 2^61), at %zu shapes (%ld per shape); "
                  "the sides have degree at most %ld, so a false identity survives "
                  "one point with probability at most %ld/2^60 < %.3g "
                  "(Schwartz-Zippel), plus the chance that p divides every "
                  "coefficient of the difference (a b-bit coefficient has at most "
                  "b/60 of the about 2^55 primes drawn from as factors)", points,
                  c->shapes.count, trials, max_degree, max_degree,
                  (double)max_degree / (double)CVP_RANDOM_PRIME_MIN);
    return RUN_HELD;
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
           || method == CVP_METHOD_SYMBOLIC || method == CVP_METHOD_BOUNDED;
}

/* ---- all_shapes (engine/all_shapes.h) ----------------------------------------- */

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
    case CVP_METHOD_EXACT: kind = run_exact(c, decl, m, st); break;
    case CVP_METHOD_RANDOM: kind = run_random(c, decl, m, st); break;
    case CVP_METHOD_SYMBOLIC: kind = run_symbolic(c, m, st); break;
    case CVP_METHOD_BOUNDED:   /* engine/check_bounded.c */
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
            cvp_set_textf(&m->reason, "no counterexample at any of the %zu shapes",
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
                                                   CVP_METHOD_EXACT};
static const cvp_method default_refute_methods[] = {CVP_METHOD_EXACT, CVP_METHOD_ALL_SHAPES,
                                                    CVP_METHOD_SYMBOLIC};

static void decide(cvp_claim_result *cr, bool refute, bool named)
{
    size_t passed = 0, failed = 0, undecided = 0, applicable = 0;
    for (size_t k = 0; k < cr->method_count; k++) {
        cvp_outcome o = cr->methods[k].outcome;
        passed += o == CVP_OUTCOME_PASSED;
        failed += o == CVP_OUTCOME_FAILED;
        undecided += o == CVP_OUTCOME_UNDECIDED;
        applicable += o != CVP_OUTCOME_NOT_APPLICABLE;
        /* A method the claim names but that cannot judge it leaves the
         * claim undecided: the claim asked for that evidence. */
        if (named && o == CVP_OUTCOME_NOT_APPLICABLE)
            undecided++;
    }
    if (refute)
        cr->outcome = passed ? CVP_OUTCOME_PASSED
                      : undecided || applicable == 0 ? CVP_OUTCOME_UNDECIDED
                                                      : CVP_OUTCOME_FAILED;
    else
        cr->outcome = failed ? CVP_OUTCOME_FAILED
                      : undecided || applicable == 0 ? CVP_OUTCOME_UNDECIDED
                                                      : CVP_OUTCOME_PASSED;
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
                       CVP_OK, false, 0};
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
    /* The finite methods' shapes; an unbounded claim has none. */
    cvp_status st = needs_shapes ? cvp_shape_list_build(&c.shapes, claim, file->source_name,
                                                        options->max_shapes, err)
                                 : CVP_OK;
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
     * next claim (engine/limits.h): the methods not run yet are listed. */
    cvp_method pending[CVP_METHOD_COUNT + 4];
    size_t pending_count = 0;
    for (; st == CVP_ERR_LIMIT && next < count; next++)
        if (!(options->filtered && !options->only[order[next]])
            && !(!named && order[next] == CVP_METHOD_ALL_SHAPES && !unbounded
                 && !cvp_all_shapes_applies(as)))
            pending[pending_count++] = order[next];
    cvp_limits_settle(cr, pending, pending_count, &st, err);
    cvp_limits_claim_end();
    cvp_all_shapes_free(as);
    decide(cr, claim->is_refute, named);
    cr->seconds = now() - start;
    cvp_shape_list_clear(&c.shapes);
    free(c.def_items);
    return st;
}

cvp_status cvp_check_file(cvp_report *report, const cvp_proof_file *file,
                          const cvp_check_options *options, cvp_lang_error *err)
{
    for (size_t k = 0; k < file->claim_count; k++) {
        cvp_status st = cvp_check_claim(report, file, k, options, err);
        if (st != CVP_OK)
            return st;
    }
    return CVP_OK;
}
