/* limits.c -- resource limits of a claim (limits.h). */
#include "check/limits.h"

#include <stdio.h>
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
