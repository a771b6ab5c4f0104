/* limits.c -- resource limits of a claim (limits.h). */
#include "check/limits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/interrupt.h"

void cvp_limits_claim_begin(const cvp_check_options *options)
{
    cvp_interrupt_clear();
    cvp_interrupt_set_deadline(options->timeout);
    cvp_interrupt_watch_memory(options->watch_memory);
}

void cvp_limits_claim_end(void)
{
    cvp_interrupt_clear();
}

cvp_status cvp_limits_error(cvp_lang_error *err, const char *source,
                            cvp_srcpos pos)
{
    const char *name = cvp_interrupt_limit_name(cvp_interrupt_reached());
    return cvp_lang_error_set(err, CVP_ERR_LIMIT, source, pos,
                              "not decided: limit %s reached",
                              name != NULL ? name : "(unknown)");
}

const char *cvp_limits_name(const char *message)
{
    /* The limits the interrupt reports first: their message may be
     * wrapped in another layer's words. */
    const char *name = cvp_interrupt_limit_name(cvp_interrupt_reached());
    if (name != NULL)
        return name;
    /* An allocation that failed is no option's limit. */
    if (strstr(message, "out of memory") != NULL)
        return NULL;
    /* The others name their option in the message (tensor.c, ring_poly.c,
     * shapes.c). */
    if (strstr(message, "--max-entries") != NULL)
        return "max-entries";
    if (strstr(message, "--max-terms") != NULL || strstr(message, " terms") != NULL)
        return "max-terms";
    if (strstr(message, "shapes") != NULL)
        return "max-shapes";
    return NULL;
}

/* "not decided: limit NAME reached (WHERE)" into *field.  WHERE is the
 * located message, or only its location when the message is the
 * interrupt's own "not decided: limit NAME reached". */
static void set_reason(char **field, const char *name, const cvp_lang_error *err)
{
    char where[CVP_ERROR_MESSAGE_MAX + CVP_SOURCE_NAME_MAX + 64];
    if (strncmp(err->message, "not decided: limit", 18) == 0)
        snprintf(where, sizeof where, "at %s:%d:%d", err->source, err->pos.line,
                 err->pos.col);
    else
        cvp_lang_error_format(where, sizeof where, err);
    if (name == NULL)
        cvp_set_textf(field, "not decided: a resource limit was reached (%s)", where);
    else
        cvp_set_textf(field, "not decided: limit %s reached (%s)", name, where);
}

void cvp_limits_settle(cvp_claim_result *cr, const cvp_method *pending,
                       size_t pending_count, cvp_status *st,
                       cvp_lang_error *err)
{
    if (*st != CVP_ERR_LIMIT)
        return;
    const char *name = cvp_limits_name(err->message);
    if (cr->method_count > 0) {
        cvp_method_result *m = &cr->methods[cr->method_count - 1];
        /* the method the limit stopped, unless it had settled the claim */
        if (m->outcome == CVP_OUTCOME_UNDECIDED)
            set_reason(&m->reason, name, err);
    }
    for (size_t k = 0; k < pending_count; k++) {
        cvp_method_result *m = cvp_claim_add_method(cr, pending[k]);
        m->outcome = CVP_OUTCOME_UNDECIDED;
        set_reason(&m->reason, name, err);
    }
    *st = CVP_OK;
    cvp_lang_error_clear(err);
}

/* ---- the expansion of lets ------------------------------------------------ */

/* Nodes of e with the first `known` lets inlined (their sizes in size[]);
 * saturates far above the limit. */
static double expanded_nodes(const cvp_ast_node *e, const cvp_proof_claim *claim,
                             const double *size, size_t known)
{
    if (e == NULL)
        return 0;
    double n = 1;
    switch (e->kind) {
    case CVP_AST_NAME:
        /* the latest let of that name before this point (eval.c looks
         * definitions up from the last) */
        for (size_t k = known; k-- > 0;)
            if (strcmp(claim->lets[k].name, e->u.name.text) == 0)
                return size[k];
        return 1;
    case CVP_AST_UNARY:
        n += expanded_nodes(e->u.unary.operand, claim, size, known);
        break;
    case CVP_AST_BINARY:
        n += expanded_nodes(e->u.binary.lhs, claim, size, known);
        n += expanded_nodes(e->u.binary.rhs, claim, size, known);
        break;
    case CVP_AST_CALL:
        for (size_t k = 0; k < e->u.call.count; k++)
            n += expanded_nodes(e->u.call.args[k].value, claim, size, known);
        break;
    case CVP_AST_TUPLE:
    case CVP_AST_LIST:
        for (size_t k = 0; k < e->u.items.count; k++)
            n += expanded_nodes(e->u.items.items[k], claim, size, known);
        break;
    default:
        break;
    }
    return n < 1e300 ? n : 1e300;
}

static cvp_status too_large(cvp_lang_error *err, const char *source,
                            cvp_srcpos pos, const char *what, double n)
{
    return cvp_lang_error_set(err, CVP_ERR_LIMIT, source, pos,
                              "%s expands to %.3g operations with every let "
                              "inlined (lets are evaluated where they are "
                              "used; the limit is %.0f)", what, n,
                              CVP_LIMITS_MAX_EXPANDED_NODES);
}

cvp_status cvp_limits_check_expansion(const cvp_proof_claim *claim,
                                      const char *source, cvp_lang_error *err)
{
    double *size = calloc(claim->let_count ? claim->let_count : 1, sizeof *size);
    if (size == NULL)
        return cvp_lang_error_set(err, CVP_ERR_LIMIT, source, claim->pos,
                                  "out of memory");
    cvp_status st = CVP_OK;
    for (size_t k = 0; st == CVP_OK && k < claim->let_count; k++) {
        size[k] = expanded_nodes(claim->lets[k].expr, claim, size, k);
        if (size[k] > CVP_LIMITS_MAX_EXPANDED_NODES) {
            char what[160];
            snprintf(what, sizeof what, "let %s", claim->lets[k].name);
            st = too_large(err, source, claim->lets[k].pos, what, size[k]);
        }
    }
    for (size_t s = 0; st == CVP_OK && s < claim->show_count; s++) {
        const cvp_proof_show *show = &claim->shows[s];
        double n = expanded_nodes(show->lhs, claim, size, claim->let_count)
                   + expanded_nodes(show->rhs, claim, size, claim->let_count);
        if (n > CVP_LIMITS_MAX_EXPANDED_NODES)
            st = too_large(err, source, show->pos, "this show", n);
    }
    free(size);
    return st;
}
