/* check_gather.c -- gathering the calls of a file's implementations over
 * a window of exact's instances, so that they run in batches
 * (check_internal.h, eval/external.h). */
#include "check/check_internal.h"

#include <stdlib.h>
#include <string.h>

#include "check/limits.h"
#include "eval/eval.h"
#include "eval/external.h"
#include "kernel/interrupt.h"

/* Whether `node` can call an implementation: it holds a call NAME.op, or
 * names a let that does.  memo has one entry per let of the claim: 0 not
 * known yet, 1 no, 2 yes, 3 being looked at (lets name only earlier
 * lets, so 3 is never met again; it reads as no). */
static bool reaches_call(const claim_context *c, const cvp_ast_node *node,
                         unsigned char *memo)
{
    switch (node->kind) {
    case CVP_AST_NAME:
        for (size_t k = 0; k < c->claim->let_count; k++)
            if (strcmp(c->claim->lets[k].name, node->u.name.text) == 0) {
                if (memo[k] == 0) {
                    memo[k] = 3;
                    memo[k] = reaches_call(c, c->claim->lets[k].expr, memo) ? 2 : 1;
                }
                return memo[k] == 2;
            }
        return false;
    case CVP_AST_UNARY:
        return reaches_call(c, node->u.unary.operand, memo);
    case CVP_AST_BINARY:
        return reaches_call(c, node->u.binary.lhs, memo)
               || reaches_call(c, node->u.binary.rhs, memo);
    case CVP_AST_CALL:
        if (strchr(node->u.call.name, '.') != NULL)
            return true;
        for (size_t k = 0; k < node->u.call.count; k++)
            if (reaches_call(c, node->u.call.args[k].value, memo))
                return true;
        return false;
    case CVP_AST_TUPLE:
    case CVP_AST_LIST:
        for (size_t k = 0; k < node->u.items.count; k++)
            if (reaches_call(c, node->u.items.items[k], memo))
                return true;
        return false;
    default:
        return false;
    }
}

void gather_begin(gather_state *g, claim_context *c, long trials, int method_tag)
{
    memset(g, 0, sizeof *g);
    g->method_tag = method_tag;
    g->trials = trials;
    const cvp_external *external = c->defs.external;
    if (external == NULL || external->gather == NULL || trials <= 0)
        return;
    /* Only the sides that can call an implementation are evaluated while
     * gathering; a claim with none does not gather at all. */
    size_t sides = 2 * c->claim->show_count;
    g->side_calls = calloc(sides ? sides : 1, sizeof *g->side_calls);
    unsigned char *memo = calloc(c->claim->let_count ? c->claim->let_count : 1, 1);
    CVP_ASSERT(g->side_calls != NULL && memo != NULL);
    bool any = false;
    for (size_t k = 0; k < c->claim->show_count; k++) {
        const cvp_proof_show *show = &c->claim->shows[k];
        g->side_calls[2 * k] = reaches_call(c, show->lhs, memo);
        /* a membership's right side is a set, evaluated by
         * cvp_eval_membership, which gathering does not run */
        g->side_calls[2 * k + 1] = !show->membership
                                   && reaches_call(c, show->rhs, memo);
        any |= g->side_calls[2 * k] || g->side_calls[2 * k + 1];
    }
    free(memo);
    if (any)
        g->external = external;
}

void gather_end(gather_state *g)
{
    if (g->external != NULL)
        g->external->forget(g->external->ctx);
    g->external = NULL;
    free(g->side_calls);
    g->side_calls = NULL;
}

/* Evaluates every side of a show of instance (s, t) that can call an
 * implementation, with the implementations gathering: only the calls
 * matter, so a show whose sides differ does not stop the others (the
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
        for (int right = 0; right < 2; right++) {
            if (!g->side_calls[2 * k + (size_t)right])
                continue;
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
