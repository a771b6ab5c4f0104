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
        } else if (r.status == CVP_ERR_EXTERNAL
                   || r.status == CVP_ERR_NOT_DIFFERENTIABLE) {
            /* The implementation under test misbehaved, or a `grad` was
             * asked at a kink, where it does not exist (the message names
             * the kink and the set; `in subgrad` is the claim that can
             * hold there): a failed instance, shrunk like any other. */
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
