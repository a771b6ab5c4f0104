/* check_exact.c -- the method `exact`: random rational instances of
 * every shape evaluated in Q, the first of each shape from -1..1, with
 * ties=1 redrawn until they meet a kink; a failing instance is shrunk and
 * recorded.  Also the search that turns a failure seen by `random` or
 * `symbolic` into a concrete counterexample. */
#include "check/check_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/eval.h"
#include "check/limits.h"
#include "kernel/interrupt.h"
#include "eval/subgrad.h"

/* Shrinks the failing instance in env, evaluates it once more into r (to
 * the end even past a limit: the counterexample stands, shrinking stops
 * at the limit) and records it in m.  `evaluates`: the failure is a
 * difference between the sides, so the re-evaluation must succeed (else
 * it is the evaluation's own failure, which stays). */
run_kind check_shrink_and_record(claim_context *c, const cvp_shape_point *p,
                                  cvp_env *env, show_result *r,
                                  cvp_method_result *m, bool evaluates)
{
    instance_shrink(c, env);
    show_result_clear(r);
    show_result_init(r);
    bool held = cvp_interrupt_hold(true);
    instance_eval(r, c, env, NULL);
    cvp_interrupt_hold(held);
    CVP_ASSERT(r->failed_show != SIZE_MAX && (!evaluates || r->status == CVP_OK));
    counterexample_record(m, c, p, env, r);
    return RUN_COUNTEREXAMPLE;
}

/* ---- a refute whose statement is not defined at some shape -------------
 *
 * A refute says the statement does not hold for every shape.  When at
 * some shape the statement cannot even be evaluated because the shapes
 * do not fit (an operation's operands, `X + Y` with X[2] and Y[3]), it
 * does not hold there, and that shape is a counterexample.  Only a
 * mismatch caused by the shape counts, never an error the claim has at
 * every shape (an unknown function) or one of the values drawn (a
 * division by zero): the error must recur where there are no values at
 * all, in the ring of placeholders that only computes shapes
 * (cvp_ring_shape, kernel/ring.h), and some other shape must evaluate
 * there without it. */

/* Most other shapes tried for one that evaluates. */
#define REFUTE_PROBE_SHAPES 64

/* Whether evaluating at shape s over placeholders is an input error (the
 * message is dropped). */
static bool fails_on_shapes(claim_context *c, size_t s)
{
    cvp_ring S;   /* nothing to clear */
    cvp_ring_shape_init(&S);
    cvp_env env;
    cvp_env_init(&env);
    cvp_status st = instance_build(&env, c, &c->shapes.points[s], &S,
                                   FILL_SHAPE_ONLY, NULL);
    bool fails = st == CVP_ERR_INPUT;
    if (st == CVP_OK) {
        show_result r;
        show_result_init(&r);
        instance_eval(&r, c, &env, &S);
        fails = r.status == CVP_ERR_INPUT;
        show_result_clear(&r);
    }
    cvp_env_clear(&env);
    cvp_lang_error_clear(c->err);
    return fails;
}

/* Whether the input error in c->err, met at shape s, is caused by the
 * shape (see above); c->err is kept. */
static bool error_is_shape_mismatch(claim_context *c, size_t s)
{
    cvp_lang_error kept = *c->err;
    bool mismatch = fails_on_shapes(c, s);
    size_t tried = 0;
    bool elsewhere = false;
    for (size_t k = 0; mismatch && !elsewhere && k < c->shapes.count
                       && tried < REFUTE_PROBE_SHAPES; k++)
        if (k != s) {
            tried++;
            elsewhere = !fails_on_shapes(c, k);
        }
    *c->err = kept;
    return mismatch && elsewhere;
}

/* Records the instance in env at shape p, where show r->error_show could
 * not be evaluated, as the refute's counterexample: no sides, the located
 * message as what differs. */
static run_kind record_undefined(claim_context *c, const cvp_shape_point *p,
                                 cvp_env *env, show_result *r,
                                 cvp_method_result *m)
{
    cvp_counterexample *cx = cvp_method_add_counterexample(m);
    counterexample_set_shape(cx, c, p);
    for (size_t b = 0; b < env->count; b++)
        for (size_t t = 0; t < c->claim->tensor_count; t++)
            if (strcmp(c->claim->tensors[t].name, env->bindings[b].name) == 0) {
                char *value = tensor_to_text(env->bindings[b].value);
                cvp_counterexample_add_input(cx, env->bindings[b].name, value);
                free(value);
            }
    cx->show_line = c->claim->shows[r->error_show].pos.line;
    char located[CVP_ERROR_MESSAGE_MAX + CVP_SOURCE_NAME_MAX + 64];
    cvp_lang_error_format(located, sizeof located, c->err);
    cvp_set_textf(&cx->differences, "the statement is not defined at this shape, "
                  "so it does not hold for every shape: %s", located);
    cvp_lang_error_clear(c->err);
    return RUN_COUNTEREXAMPLE;
}

/* Searches shape p for a failing Q instance with `trials` random
 * instances (the first small); on success shrinks it, records it in m and
 * returns RUN_COUNTEREXAMPLE.  *instances counts evaluated instances (an
 * instance at a kink where `grad` does not exist is a failure, not a
 * skipped one). */
#define TIE_ATTEMPTS 64

cvp_status exact_instance_build(cvp_env *env, claim_context *c, size_t s,
                                long t, long attempt, int method_tag)
{
    cvp_rng rng;
    cvp_rng_seed(&rng, check_mix_seed(c, method_tag, s, t + attempt * 1000003L));
    return instance_build(env, c, &c->shapes.points[s], &cvp_ring_q,
                          t == 0 || c->ties ? FILL_SMALL_Q : FILL_RANDOM_Q,
                          &rng);
}

/* g: the gathering of implementation calls (NULL: none). */
static run_kind exact_at_shape(claim_context *c, size_t shape_index, long trials,
                               int method_tag, gather_state *g,
                               cvp_method_result *m, size_t *instances,
                               cvp_status *st)
{
    const cvp_shape_point *p = &c->shapes.points[shape_index];
    for (long t = 0; t < trials; t++) {
        if (cvp_interrupt_poll()) {   /* --timeout, --max-memory (limits.h) */
            *st = cvp_limits_error(c->err, c->file->source_name, c->claim->pos);
            return RUN_ERROR;
        }
        if (g != NULL
            && (*st = gather_before(g, c, shape_index, t)) != CVP_OK)
            return RUN_ERROR;
        cvp_env env;
        cvp_env_init(&env);
        show_result r;
        show_result_init(&r);
        /* exact(ties=1): draw from -1..1 until the instance meets a kink
         * (a tie or a ReLU at 0), so that non-smooth behaviour is always
         * exercised; after TIE_ATTEMPTS draws the last one is used. */
        for (long attempt = 0;; attempt++) {
            *st = exact_instance_build(&env, c, shape_index, t, attempt,
                                       method_tag);
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
        } else if (instance_failure_status(r.status)) {
            /* The implementation under test misbehaved, a `grad` was
             * asked at a kink, where it does not exist (the message names
             * the kink and the set; `in subgrad` is the claim that can
             * hold there), or a division met a zero: a failed instance,
             * shrunk like any other. */
            ++*instances;
            kind = check_shrink_and_record(c, p, &env, &r, m, false);
        } else if (r.status == CVP_ERR_DECLINED) {
            /* An implementation does not handle this instance: skipped
             * and counted; check_run_exact keeps the claim from passing. */
            if (c->declined++ == 0)
                snprintf(c->declined_why, sizeof c->declined_why, "%s",
                         c->err->message);
            cvp_lang_error_clear(c->err);
        } else if (r.status == CVP_ERR_UNSUPPORTED) {
            /* Not an operation of Q (a transcendental function: the
             * message says to use `bounded`). */
            cvp_set_textf(&m->reason, "%s", c->err->message);
            cvp_lang_error_clear(c->err);
            kind = RUN_NOT_APPLICABLE;
        } else if (r.status == CVP_ERR_INPUT && c->claim->is_refute
                   && r.error_show != SIZE_MAX
                   && error_is_shape_mismatch(c, shape_index)) {
            ++*instances;
            kind = record_undefined(c, p, &env, &r, m);
        } else if (r.status != CVP_OK) {
            *st = check_at_shape(c, p, r.status == CVP_ERR_UNSUPPORTED ? CVP_ERR_INPUT
                                                                : r.status);
            c->err->status = *st;
            kind = RUN_ERROR;
        } else {
            ++*instances;
            if (r.failed_show != SIZE_MAX)
                kind = check_shrink_and_record(c, p, &env, &r, m, true);
        }
        show_result_clear(&r);
        cvp_env_clear(&env);
        if (kind != RUN_HELD)
            return kind;
    }
    return RUN_HELD;
}

run_kind check_run_exact(claim_context *c, const cvp_proof_method *decl,
                          cvp_method_result *m, cvp_status *st)
{
    long trials = check_method_option(decl, "trials", c->options->exact_trials);
    c->ties = check_method_option(decl, "ties", 0) != 0;
    check_method_seed(c, decl);
    c->untied = 0;
    c->declined = 0;
    c->declined_why[0] = '\0';
    size_t instances = 0;
    gather_state g;
    gather_begin(&g, c, trials, CVP_METHOD_EXACT);
    for (size_t s = 0; s < c->shapes.count; s++) {
        run_kind kind = exact_at_shape(c, s, trials, CVP_METHOD_EXACT, &g, m,
                                       &instances, st);
        m->shapes = s + 1;
        m->instances = instances;
        if (kind != RUN_HELD) {
            gather_end(&g);
            return kind;
        }
    }
    gather_end(&g);
    if (c->declined > 0) {
        /* The claim speaks of every instance; those an implementation
         * declined were not checked, so the claim is not decided, even
         * when every other instance held (docs/impl-protocol.md). */
        size_t total = instances + c->declined;
        cvp_set_textf(&m->evidence, "%zu instance%s at %zu shape%s evaluated "
                      "in Q held; %zu of the %zu were skipped", instances,
                      check_plural(instances), c->shapes.count,
                      check_plural(c->shapes.count), c->declined, total);
        char skipped[96];
        if (c->declined == total)
            snprintf(skipped, sizeof skipped, "skipped all %zu instance%s",
                     total, check_plural(total));
        else
            snprintf(skipped, sizeof skipped, "skipped %zu of the %zu instances",
                     c->declined, total);
        cvp_set_textf(&m->reason, "%s: an implementation answered "
                      "\"unsupported\" (first: %s), so the claim was not "
                      "checked there%s", skipped, c->declined_why,
                      c->declined == total ? ""
                      : "; a claim holds only where every instance is checked: "
                        "narrow its dims to the cases the implementation "
                        "handles");
        return RUN_UNDECIDED;
    }
    if (c->ties)
        cvp_set_textf(&m->evidence, "%zu instance%s at %zu shape%s evaluated in Q, "
                      "each drawn from -1..1 until it met a kink (a tie or a "
                      "ReLU at 0); %zu met none in %d draws", instances,
                      check_plural(instances), c->shapes.count,
                      check_plural(c->shapes.count), c->untied, TIE_ATTEMPTS);
    else
        cvp_set_textf(&m->evidence, "%zu instance%s at %zu shape%s evaluated in Q "
                      "(values drawn from each tensor's range, the first instance "
                      "of each shape from -1..1)", instances,
                      check_plural(instances), c->shapes.count,
                      check_plural(c->shapes.count));
    return RUN_HELD;
}

/* After random or symbolic found that the sides differ at shape s, an
 * exact search there turns it into a concrete, shrunk counterexample. */
run_kind check_confirm_in_q(claim_context *c, size_t s, cvp_method_result *m,
                             cvp_status *st)
{
    size_t instances = 0;
    run_kind kind = exact_at_shape(c, s, 64, 100 + (int)m->method, NULL, m,
                                   &instances, st);
    if (kind == RUN_HELD) {
        /* A nonzero polynomial that vanished at 64 random integer points:
         * possible in principle, so say so rather than invent values. */
        cvp_set_text(&m->reason, "the two sides differ as polynomials, but no "
                     "concrete instance was found in 64 random tries");
        return RUN_COUNTEREXAMPLE;
    }
    return kind;
}
