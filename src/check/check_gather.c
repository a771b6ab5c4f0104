/* check_gather.c -- gathering the calls of a file's implementations over
 * a window of exact's instances, so that they run in batches
 * (check_internal.h, eval/external.h). */
#include "check/check_internal.h"

#include <string.h>

#include "check/limits.h"
#include "eval/eval.h"
#include "eval/external.h"
#include "kernel/interrupt.h"

void gather_begin(gather_state *g, claim_context *c, long trials, int method_tag)
{
    memset(g, 0, sizeof *g);
    const cvp_external *external = c->defs.external;
    if (external != NULL && external->gather != NULL && trials > 0)
        g->external = external;
    g->method_tag = method_tag;
    g->trials = trials;
}

void gather_end(gather_state *g)
{
    if (g->external != NULL)
        g->external->forget(g->external->ctx);
    g->external = NULL;
}

/* Evaluates both sides of every show of instance (s, t) with the
 * implementations gathering: only the calls matter, so every side is
 * evaluated (a show whose sides differ does not stop the others, as the
 * stand-ins make them differ), and failures are dropped (the real
 * evaluation meets them again). */
static void gather_instance(gather_state *g, claim_context *c, size_t s, long t)
{
    cvp_env env;
    cvp_env_init(&env);
    cvp_status st = exact_instance_build(&env, c, s, t, 0, g->method_tag);
    cvp_value side;
    cvp_value_init(&side);
    for (size_t k = 0; st == CVP_OK && k < c->claim->show_count; k++) {
        const cvp_proof_show *show = &c->claim->shows[k];
        for (int right = 0; right < (show->membership ? 1 : 2); right++) {
            cvp_eval_in(&side, right ? show->rhs : show->lhs, &env, &c->defs,
                        NULL, c->file->source_name, c->err);
            cvp_value_reset(&side);
        }
    }
    cvp_value_clear(&side);
    cvp_env_clear(&env);
    cvp_lang_error_clear(c->err);
}

cvp_status gather_before(gather_state *g, claim_context *c, size_t s, long t)
{
    const cvp_external *external = g->external;
    if (external == NULL || s != g->shape || t != g->trial)
        return CVP_OK;
    external->forget(external->ctx);
    external->gather(external->ctx, true);
    bool first = s == 0 && t == 0;
    cvp_status st = CVP_OK;
    do {
        if (cvp_interrupt_poll()) {
            st = cvp_limits_error(c->err, c->file->source_name, c->claim->pos);
            break;
        }
        gather_instance(g, c, g->shape, g->trial);
        if (++g->trial == g->trials) {
            g->trial = 0;
            g->shape++;
        }
        if (first && external->gathered(external->ctx) == 0)
            break;   /* the claim calls no implementation */
    } while (g->shape < c->shapes.count && !external->gather_full(external->ctx));
    external->gather(external->ctx, false);
    if (st == CVP_OK && first && external->gathered(external->ctx) == 0) {
        gather_end(g);
        return CVP_OK;
    }
    cvp_error e;
    cvp_error_clear(&e);
    if (st == CVP_OK && (st = external->answer(external->ctx, &e)) != CVP_OK) {
        if (cvp_interrupt_reached() != CVP_INTERRUPT_NONE)
            st = cvp_limits_error(c->err, c->file->source_name, c->claim->pos);
        else
            st = cvp_lang_error_set(c->err, st, c->file->source_name,
                                    c->claim->pos, "running the implementations: %s",
                                    e.message);
    }
    return st;
}
