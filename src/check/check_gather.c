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

/* Most gathering passes over one window (see gather_before). */
#define GATHER_MAX_PASSES 4

/* How deep calls of implementations nest in `node`: 0 when it holds none,
 * 1 when it holds calls NAME.op but none takes another one's result, and
 * so on; a let counts as what it names.  memo has one entry per let of
 * the claim: 0 not known yet, -1 being looked at (lets name only earlier
 * lets, so -1 is never met again; it reads as 0), else the depth + 1. */
static int call_depth(const claim_context *c, const cvp_ast_node *node, int *memo)
{
    int depth = 0;
    switch (node->kind) {
    case CVP_AST_NAME:
        for (size_t k = 0; k < c->claim->let_count; k++)
            if (strcmp(c->claim->lets[k].name, node->u.name.text) == 0) {
                if (memo[k] == 0) {
                    memo[k] = -1;
                    memo[k] = call_depth(c, c->claim->lets[k].expr, memo) + 1;
                }
                return memo[k] > 0 ? memo[k] - 1 : 0;
            }
        return 0;
    case CVP_AST_UNARY:
        return call_depth(c, node->u.unary.operand, memo);
    case CVP_AST_BINARY: {
        int l = call_depth(c, node->u.binary.lhs, memo);
        int r = call_depth(c, node->u.binary.rhs, memo);
        return l > r ? l : r;
    }
    case CVP_AST_CALL:
        for (size_t k = 0; k < node->u.call.count; k++) {
            int d = call_depth(c, node->u.call.args[k].value, memo);
            depth = d > depth ? d : depth;
        }
        return depth + (strchr(node->u.call.name, '.') != NULL);
    case CVP_AST_TUPLE:
    case CVP_AST_LIST:
        for (size_t k = 0; k < node->u.items.count; k++) {
            int d = call_depth(c, node->u.items.items[k], memo);
            depth = d > depth ? d : depth;
        }
        return depth;
    default:
        return 0;
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
    int *memo = calloc(c->claim->let_count ? c->claim->let_count : 1, sizeof *memo);
    CVP_ASSERT(g->side_calls != NULL && memo != NULL);
    int depth = 0;
    for (size_t k = 0; k < sides; k++) {
        const cvp_proof_show *show = &c->claim->shows[k / 2];
        /* a membership's right side is a set, evaluated by
         * cvp_eval_membership, which gathering does not run */
        int d = k % 2 == 0 ? call_depth(c, show->lhs, memo)
                : show->membership ? 0 : call_depth(c, show->rhs, memo);
        g->side_calls[k] = d > 0;
        depth = d > depth ? d : depth;
    }
    free(memo);
    g->passes = depth < GATHER_MAX_PASSES ? depth : GATHER_MAX_PASSES;
    if (depth > 0)
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

/* Steps (s, t) to the next instance. */
static void next_instance(const gather_state *g, size_t *s, long *t)
{
    if (++*t == g->trials) {
        *t = 0;
        ++*s;
    }
}

/* One pass of gathering over the window: the instances from (s, t) on,
 * *count of them, or when *count is 0 until the external says the window
 * is full (*count is then set to the instances gathered).  `first`: the
 * claim's first window, which ends at once when its first instance asks
 * for nothing. */
static cvp_status gather_pass(gather_state *g, claim_context *c, size_t s,
                              long t, size_t *count, bool first)
{
    const cvp_external *external = g->external;
    bool sizing = *count == 0;
    size_t done = 0;
    cvp_status st = CVP_OK;
    external->gather(external->ctx, true);
    while (s < c->shapes.count && (sizing || done < *count)) {
        if (cvp_interrupt_poll()) {
            st = cvp_limits_error(c->err, c->file->source_name, c->claim->pos);
            break;
        }
        gather_instance(g, c, s, t);
        next_instance(g, &s, &t);
        done++;
        if (sizing && ((first && done == 1 && external->gathered(external->ctx) == 0)
                       || external->gather_full(external->ctx)))
            break;
    }
    external->gather(external->ctx, false);
    if (sizing)
        *count = done;
    return st;
}

cvp_status gather_before(gather_state *g, claim_context *c, size_t s, long t)
{
    const cvp_external *external = g->external;
    if (external == NULL || s != g->shape || t != g->trial)
        return CVP_OK;
    external->forget(external->ctx);
    bool first = s == 0 && t == 0;
    size_t count = 0;
    /* Pass 1 asks for the calls whose inputs do not come from another
     * call; once they are answered, pass 2 gets their answers and asks
     * for the calls that take them, and so on, as deep as calls nest
     * (at most GATHER_MAX_PASSES; deeper calls run when made). */
    for (int pass = 0; pass < g->passes; pass++) {
        cvp_status st = gather_pass(g, c, s, t, &count, first);
        if (st != CVP_OK)
            return st;
        if (pass == 0)   /* the next window starts after this one */
            for (size_t k = 0; k < count; k++)
                next_instance(g, &g->shape, &g->trial);
        if (external->gathered(external->ctx) == 0) {
            if (first && pass == 0)
                gather_end(g);   /* the claim calls no implementation */
            return CVP_OK;
        }
        cvp_error e;
        cvp_error_clear(&e);
        if ((st = external->answer(external->ctx, &e)) != CVP_OK) {
            if (cvp_interrupt_reached() != CVP_INTERRUPT_NONE)
                return cvp_limits_error(c->err, c->file->source_name,
                                        c->claim->pos);
            return cvp_lang_error_set(c->err, st, c->file->source_name,
                                      c->claim->pos,
                                      "running the implementations: %s",
                                      e.message);
        }
    }
    return CVP_OK;
}
