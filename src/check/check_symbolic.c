/* check_symbolic.c -- the method `symbolic`: both sides expanded as
 * polynomials in the entries of the inputs, compared term by term. */
#include "check/check_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/eval.h"
#include "check/limits.h"
#include "kernel/interrupt.h"
#include "kernel/ring_poly.h"

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

run_kind check_run_symbolic(claim_context *c, cvp_method_result *m, cvp_status *st)
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
            check_not_polynomial(c, m);
            kind = RUN_NOT_APPLICABLE;
        } else if (r.status == CVP_ERR_UNDEFINED) {
            check_undefined_reason(c, &c->shapes.points[s], m);
            kind = RUN_NOT_APPLICABLE;
        } else if (r.status == CVP_ERR_LIMIT
                   && cvp_interrupt_limit_name(cvp_interrupt_reached()) == NULL) {
            /* A cap of the polynomial ring itself (degree above
             * CVP_POLY_MAX_DEGREE, more than --max-terms terms) is this
             * method's own limit: only symbolic is left undecided, and
             * the other methods still run. */
            check_at_shape(c, &c->shapes.points[s], CVP_ERR_LIMIT);
            char where[CVP_ERROR_MESSAGE_MAX + CVP_SOURCE_NAME_MAX + 64];
            cvp_lang_error_format(where, sizeof where, c->err);
            const char *name = cvp_limits_name(c->err->message);
            if (name != NULL)
                cvp_set_textf(&m->reason, "not decided: limit %s reached (%s)", name,
                              where);
            else
                cvp_set_textf(&m->reason, "not decided: symbolic's degree cap "
                              "(%d per term) reached (%s)", CVP_POLY_MAX_DEGREE, where);
            cvp_lang_error_clear(c->err);
            kind = RUN_UNDECIDED;
        } else if (r.status == CVP_ERR_LIMIT) {
            /* A limit of the claim (--timeout, --max-memory) stops the
             * check: keep its located message for the caller (check.h),
             * with the shape it was reached at. */
            cvp_set_textf(&m->reason, "%s", c->err->message);
            *st = check_at_shape(c, &c->shapes.points[s], CVP_ERR_LIMIT);
            kind = RUN_ERROR;
        } else if (r.status != CVP_OK) {
            *st = check_at_shape(c, &c->shapes.points[s], r.status);
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
            kind = check_confirm_in_q(c, s, m, st);
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
                  "the input entries at %s%zu shape%s (largest polynomial: "
                  "%zu term%s): the identity holds for every real value at %s",
                  c->shapes.count == 1 ? "" : "each of ",
                  c->shapes.count, check_plural(c->shapes.count), largest,
                  check_plural(largest),
                  c->shapes.count == 1 ? "that shape" : "those shapes");
    return RUN_HELD;
}
