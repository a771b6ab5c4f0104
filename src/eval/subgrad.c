/* subgrad.c -- the gradients of the active pieces at a kink, the message
 * of grad(L, X) there, and `show A in subgrad(L, X)` (see subgrad.h). */
#include "eval/subgrad.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/hull.h"

_Thread_local size_t cvp_kinks_met;

void cvp_kink_info_init(cvp_kink_info *k)
{
    memset(k, 0, sizeof *k);
    mpq_init(k->value);
}

void cvp_kink_info_clear(cvp_kink_info *k)
{
    mpq_clear(k->value);
}

/* ---- the pieces ---------------------------------------------------------- */

typedef struct {
    cvp_tensor_struct *items;    /* distinct gradients, X's shape */
    size_t count, cap;
    size_t evaluations;
    cvp_kink_info first;         /* what the first evaluation met */
} piece_set;

static void pieces_init(piece_set *p)
{
    memset(p, 0, sizeof *p);
    cvp_kink_info_init(&p->first);
}

static void pieces_clear(piece_set *p)
{
    for (size_t k = 0; k < p->count; k++)
        cvp_tensor_clear(&p->items[k]);
    free(p->items);
    cvp_kink_info_clear(&p->first);
}

/* Keeps g (moved out) unless an equal gradient is there already. */
static void pieces_add(piece_set *p, cvp_tensor_t g)
{
    for (size_t k = 0; k < p->count; k++)
        if (cvp_tensor_equal(&p->items[k], g))
            return;
    if (p->count == p->cap) {
        p->cap = p->cap ? 2 * p->cap : 8;
        p->items = realloc(p->items, p->cap * sizeof *p->items);
        CVP_ASSERT(p->items != NULL);
    }
    cvp_tensor_init(&p->items[p->count]);
    cvp_tensor_swap(&p->items[p->count], g);
    p->count++;
}

/* Every answer vector, depth first: evaluate with the current prefix
 * (kinks past it answer "smaller"), extend the prefix to the kinks met,
 * then flip the last "smaller" to "larger" and cut after it.  Stops after
 * `max_evaluations` (then *complete is false). */
static cvp_status enumerate(piece_set *p, bool *complete,
                            const cvp_eval_context *context,
                            const cvp_ast_node *call, const cvp_ast_node *body,
                            const char *wrt, bool is_grad,
                            size_t max_evaluations)
{
    unsigned char *answers = NULL;
    size_t len = 0, cap = 0;
    cvp_status st = CVP_OK;
    *complete = false;
    while (st == CVP_OK && p->evaluations < max_evaluations) {
        cvp_kink_info info;
        cvp_kink_info_init(&info);
        cvp_tensor_t g;
        cvp_tensor_init(g);
        st = cvp_dual_derivative(g, &info, context, call, body, wrt, is_grad,
                                 answers, len, true);
        if (st == CVP_OK && p->evaluations == 0) {
            p->first.kinks = info.kinks;
            mpq_set(p->first.value, info.value);
            memcpy(p->first.index, info.index, sizeof info.index);
            p->first.index_count = info.index_count;
            p->first.with_constant = info.with_constant;
        }
        p->evaluations++;
        if (st == CVP_OK) {
            pieces_add(p, g);
            if (info.kinks > len) {
                if (info.kinks > cap) {
                    cap = info.kinks;
                    answers = realloc(answers, cap);
                    CVP_ASSERT(answers != NULL);
                }
                memset(answers + len, 0, info.kinks - len);
                len = info.kinks;
            }
            while (len > 0 && answers[len - 1])
                len--;
            if (len == 0) {
                *complete = true;
                cvp_tensor_clear(g);
                cvp_kink_info_clear(&info);
                break;
            }
            answers[len - 1] = 1;
        }
        cvp_tensor_clear(g);
        cvp_kink_info_clear(&info);
    }
    free(answers);
    return st;
}

/* ---- words ------------------------------------------------------------------ */

/* One sentence on the first kink. */
static void describe_first(FILE *s, const cvp_kink_info *k, const char *wrt,
                           const cvp_tensor_struct *X)
{
    char name[96];
    if (k->with_constant) {
        gmp_fprintf(s, "a ReLU (or a maximum with a constant) has its input "
                    "exactly at %Qd, with a slope in ", k->value);
    } else {
        gmp_fprintf(s, "a maximum is attained twice: two candidates tie at "
                    "the value %Qd, their slopes differing in ", k->value);
    }
    for (size_t j = 0; j < k->index_count && j < 4; j++) {
        cvp_entry_format(name, sizeof name, wrt, X->rank, X->shape, k->index[j]);
        fprintf(s, "%s%s", j ? ", " : "", name);
    }
    if (k->index_count > 4)
        fprintf(s, " and %zu more", k->index_count - 4);
    if (k->kinks > 1)
        fprintf(s, " (%zu kinks in all in this evaluation)", k->kinks);
}

static const cvp_tensor_struct *input_named(const cvp_eval_context *context,
                                            const char *wrt)
{
    return context->env != NULL ? cvp_env_lookup(context->env, wrt) : NULL;
}

cvp_status cvp_kink_resolve(cvp_tensor_t result, bool *unique, char **message,
                            const cvp_eval_context *context,
                            const cvp_ast_node *call, const cvp_ast_node *body,
                            const char *wrt, bool is_grad)
{
    *unique = false;
    *message = NULL;
    const cvp_tensor_struct *X = input_named(context, wrt);
    CVP_ASSERT(X != NULL);
    piece_set p;
    pieces_init(&p);
    bool complete = false;
    cvp_status st = enumerate(&p, &complete, context, call, body, wrt, is_grad,
                              CVP_SUBGRAD_MAX_EVALUATIONS);
    if (st == CVP_OK && complete && p.count == 1) {
        /* Every active piece has the same gradient (a tie that L does not
         * see, e.g. a window whose gradient is 0): L is differentiable. */
        *unique = true;
        cvp_tensor_swap(result, &p.items[0]);
    } else if (st == CVP_OK) {
        size_t len = 0;
        FILE *s = open_memstream(message, &len);
        CVP_ASSERT(s != NULL);
        fprintf(s, "no derivative at this point: ");
        describe_first(s, &p.first, wrt, X);
        if (complete)
            fprintf(s, ". The derivative is a set there: the convex hull of "
                    "the gradients of its %zu active pieces (a tied window may "
                    "split its gradient among its maxima in any proportion, a "
                    "ReLU at 0 may pass any fraction of it); `show A in "
                    "subgrad(...)` checks a rule against that set", p.count);
        else
            fprintf(s, ". Its active pieces are too many to list (more than "
                    "%d answers at the kinks)", CVP_SUBGRAD_MAX_EVALUATIONS);
        fclose(s);
    }
    pieces_clear(&p);
    return st;
}

/* ---- membership ---------------------------------------------------------------- */

/* The certificate in words: the weights of the pieces, or the direction
 * that separates A from all of them. */
static void describe_certificate(FILE *s, const cvp_hull_result *h,
                                 const char *wrt, const cvp_tensor_struct *X)
{
    char name[96];
    if (h->member) {
        fprintf(s, "weights of the pieces:");
        for (size_t j = 0; j < h->m; j++)
            if (mpq_sgn(h->weights[j]) != 0)
                gmp_fprintf(s, " piece %zu: %Qd;", j + 1, h->weights[j]);
        return;
    }
    fprintf(s, "a separating direction u, with u.g <= t for every piece g "
            "but u.A > t: u = (");
    size_t shown = 0;
    for (size_t i = 0; i < h->n; i++) {
        if (mpq_sgn(h->direction[i]) == 0)
            continue;
        if (shown++ == 8) {
            fprintf(s, " ...");
            break;
        }
        cvp_entry_format(name, sizeof name, wrt, X->rank, X->shape, i);
        gmp_fprintf(s, "%s%s: %Qd", shown > 1 ? ", " : "", name, h->direction[i]);
    }
    gmp_fprintf(s, "), t = %Qd", h->threshold);
}

cvp_status cvp_eval_membership(bool *member, char **why, const cvp_value *A,
                               const cvp_ast_node *set,
                               const cvp_eval_context *context)
{
    *member = false;
    *why = NULL;
    if (set->kind != CVP_AST_CALL || strcmp(set->u.call.name, "subgrad") != 0
        || set->u.call.count != 2 || set->u.call.args[0].keyword != NULL
        || set->u.call.args[1].keyword != NULL)
        return cvp_eval_fail_at(context, CVP_ERR_INPUT, set->pos, NULL,
                                "the right side of 'in' is subgrad(L, X), with "
                                "a scalar L and an input X");
    const cvp_ast_node *body = set->u.call.args[0].value;
    const cvp_ast_node *wrt_node = set->u.call.args[1].value;
    const char *wrt = wrt_node->kind == CVP_AST_NAME ? wrt_node->u.name.text : "";
    const cvp_tensor_struct *X = input_named(context, wrt);
    if (X == NULL)
        return cvp_eval_fail_at(context, CVP_ERR_INPUT, wrt_node->pos, NULL,
                                "subgrad: the second argument must name an "
                                "input tensor (declared with `tensor`)");
    if (context->ring != NULL && context->ring != &cvp_ring_q)
        return cvp_eval_fail_at(context, CVP_ERR_UNSUPPORTED, set->pos, NULL,
                                "subgrad(L, X) is a set decided over Q, by the "
                                "exact method");
    if (A->kind != CVP_VALUE_TENSOR || A->tensor->ring != &cvp_ring_q
        || !cvp_tensor_same_shape(A->tensor, X)) {
        cvp_set_textf(why, "the left side is not a tensor of the shape of %s",
                      wrt);
        return CVP_OK;
    }
    piece_set p;
    pieces_init(&p);
    bool complete = false;
    cvp_status st = enumerate(&p, &complete, context, set, body, wrt, true,
                              CVP_SUBGRAD_MAX_EVALUATIONS);
    if (st == CVP_OK && !complete)
        st = cvp_eval_fail_at(context, CVP_ERR_LIMIT, set->pos, NULL,
                              "subgrad: more than %d answer vectors at the "
                              "kinks of this instance; not decided",
                              CVP_SUBGRAD_MAX_EVALUATIONS);
    cvp_hull_result h;
    cvp_hull_result_init(&h);
    if (st == CVP_OK) {
        const cvp_tensor_struct **points = malloc(p.count * sizeof *points);
        CVP_ASSERT(points != NULL);
        for (size_t j = 0; j < p.count; j++)
            points[j] = &p.items[j];
        cvp_error e;
        cvp_error_clear(&e);
        st = cvp_hull_member(&h, A->tensor, points, p.count, &e);
        if (st != CVP_OK)
            st = cvp_eval_fail_at(context, st, set->pos, NULL, "subgrad: %s",
                                  e.message);
        free(points);
    }
    if (st == CVP_OK) {
        *member = h.member;
        size_t len = 0;
        FILE *s = open_memstream(why, &len);
        CVP_ASSERT(s != NULL);
        if (p.first.kinks == 0) {
            fprintf(s, "L is differentiable here (no kink), so the set is its "
                    "gradient alone");
        } else if (p.count == 1) {
            fprintf(s, "L is differentiable here (its kinks do not change the "
                    "gradient), so the set is its gradient alone");
        } else {
            fprintf(s, "at this instance ");
            describe_first(s, &p.first, wrt, X);
            fprintf(s, ", so L has no gradient");
            fprintf(s, "; the derivative is the convex hull of the gradients "
                    "of %zu active pieces", p.count);
        }
        fprintf(s, h.member ? "; the left side is in it (" : "; the left side "
                "is outside it (");
        describe_certificate(s, &h, wrt, X);
        fprintf(s, ")");
        fclose(s);
    }
    cvp_hull_result_clear(&h);
    pieces_clear(&p);
    return st;
}
