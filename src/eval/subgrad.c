/* subgrad.c -- the gradients of the active pieces at a kink, the message
 * of grad(L, X) there, and `show A in subgrad(L, X)` (see subgrad.h); the
 * realizability of one answer vector at the kinks is in kink_pattern.c. */
#include "eval/subgrad.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/hull.h"
#include "kernel/ring_small.h"

_Thread_local size_t cvp_kinks_met;

static _Thread_local char *kink_message;

const char *cvp_kink_last_message(void)
{
    return kink_message;
}

void cvp_kink_keep_message(const char *prefix, const char *text)
{
    cvp_set_textf(&kink_message, "%s: %s", prefix, text);
}

void cvp_kink_forget_message(void)
{
    cvp_set_text(&kink_message, NULL);
}

void cvp_kink_info_init(cvp_kink_info *k)
{
    memset(k, 0, sizeof *k);
    mpq_init(k->value);
    cvp_tensor_init(&k->at);
}

void cvp_kink_info_clear(cvp_kink_info *k)
{
    mpq_clear(k->value);
    cvp_tensor_clear(&k->at);
}

/* ---- the pieces ---------------------------------------------------------- */

/* A realizable piece: its gradient and the first direction found along
 * which it is the function. */
typedef struct {
    cvp_tensor_struct gradient;     /* X's shape (jacobian: [size Y, size X]) */
    cvp_kink_pattern pattern;
} piece;

typedef struct {
    piece *items;                /* distinct gradients */
    size_t count, cap;
    size_t evaluations;
    size_t unrealizable;         /* answer vectors cut as unrealizable */
    cvp_kink_info first;         /* what the first evaluation met */
    /* The value at the point with every kink compared as equal, and the
     * first realizable piece whose value there differs from it: then L
     * jumps at the point (a rule that masks by a comparison) and has
     * neither a derivative nor Clarke's set. */
    cvp_tensor_struct plain;
    bool jumps;
    cvp_kink_pattern jump_pattern;
    cvp_tensor_struct jump_at;
} piece_set;

static void pieces_init(piece_set *p)
{
    memset(p, 0, sizeof *p);
    cvp_kink_info_init(&p->first);
    cvp_tensor_init(&p->plain);
    cvp_tensor_init(&p->jump_at);
    cvp_kink_pattern_init(&p->jump_pattern);
}

static void pieces_clear(piece_set *p)
{
    cvp_tensor_clear(&p->plain);
    cvp_tensor_clear(&p->jump_at);
    cvp_kink_pattern_clear(&p->jump_pattern);
    for (size_t k = 0; k < p->count; k++) {
        cvp_tensor_clear(&p->items[k].gradient);
        cvp_kink_pattern_clear(&p->items[k].pattern);
    }
    free(p->items);
    cvp_kink_info_clear(&p->first);
}

/* Keeps g and its pattern (both moved out) unless an equal gradient is
 * there already. */
static void pieces_add(piece_set *p, cvp_tensor_t g, cvp_kink_pattern *pattern)
{
    for (size_t k = 0; k < p->count; k++)
        if (cvp_tensor_equal(&p->items[k].gradient, g))
            return;
    if (p->count == p->cap) {
        p->cap = p->cap ? 2 * p->cap : 8;
        p->items = realloc(p->items, p->cap * sizeof *p->items);
        CVP_ASSERT(p->items != NULL);
    }
    piece *q = &p->items[p->count++];
    cvp_tensor_init(&q->gradient);
    cvp_tensor_swap(&q->gradient, g);
    q->pattern = *pattern;
    cvp_kink_pattern_init(pattern);
}

/* Every realizable answer vector (or, with `two_suffice`, until two
 * realizable pieces with different gradients are found), depth first: evaluate with the current
 * prefix (kinks past it answer "smaller"), extend the prefix to the kinks
 * met, and keep the gradient if one direction realizes every answer.  An
 * unrealizable vector is cut at the shortest prefix its certificate
 * involves (no extension of that prefix is realizable either).  Then the
 * last "smaller" is flipped to "larger" and the prefix cut after it.
 * Stops after `max_evaluations` (then *complete is false). */
static cvp_status enumerate(piece_set *p, bool *complete,
                            const cvp_eval_context *context,
                            const cvp_ast_node *call, const cvp_ast_node *body,
                            const char *wrt, bool is_grad,
                            size_t max_evaluations, bool two_suffice)
{
    unsigned char *answers = NULL;
    size_t len = 0, cap = 0;
    *complete = false;
    /* The value at the point itself, every kink compared as equal. */
    cvp_kink_info plain;
    cvp_kink_info_init(&plain);
    cvp_tensor_t unused;
    cvp_tensor_init(unused);
    cvp_status st = cvp_dual_derivative(unused, &plain, context, call, body,
                                        wrt, is_grad, NULL, 0, false, NULL);
    cvp_tensor_swap(&p->plain, &plain.at);
    cvp_tensor_clear(unused);
    cvp_kink_info_clear(&plain);
    while (st == CVP_OK && p->evaluations < max_evaluations) {
        cvp_kink_info info;
        cvp_kink_info_init(&info);
        cvp_kink_pattern pattern;
        cvp_kink_pattern_init(&pattern);
        cvp_tensor_t g;
        cvp_tensor_init(g);
        st = cvp_dual_derivative(g, &info, context, call, body, wrt, is_grad,
                                 answers, len, true, &pattern);
        if (st == CVP_OK && p->evaluations == 0) {
            p->first.kinks = info.kinks;
            mpq_set(p->first.value, info.value);
            memcpy(p->first.index, info.index, sizeof info.index);
            p->first.index_count = info.index_count;
            p->first.with_constant = info.with_constant;
            p->first.tie_entries = info.tie_entries;
        }
        p->evaluations++;
        if (st == CVP_OK) {
            if (info.kinks > len) {
                if (info.kinks > cap) {
                    cap = info.kinks;
                    answers = realloc(answers, cap);
                    CVP_ASSERT(answers != NULL);
                }
                memset(answers + len, 0, info.kinks - len);
            }
            /* The answers given are the prefix, then zeros. */
            len = info.kinks;
            if (pattern.lp.feasible && !p->jumps
                && !cvp_tensor_equal(&info.at, &p->plain)) {
                p->jumps = true;
                cvp_tensor_swap(&p->jump_at, &info.at);
                cvp_kink_pattern_clear(&p->jump_pattern);
                p->jump_pattern = pattern;
                cvp_kink_pattern_init(&pattern);
            } else if (pattern.lp.feasible) {
                pieces_add(p, g, &pattern);
            } else {
                p->unrealizable++;
                CVP_ASSERT(pattern.dead >= 1 && pattern.dead <= len);
                len = pattern.dead;
            }
            while (len > 0 && answers[len - 1])
                len--;
            if (len == 0)
                *complete = true;
            else
                answers[len - 1] = 1;
        }
        cvp_kink_pattern_clear(&pattern);
        cvp_tensor_clear(g);
        cvp_kink_info_clear(&info);
        if (*complete || p->jumps || (two_suffice && p->count >= 2))
            break;
    }
    free(answers);
    /* Some answer vector is realizable at every point (a direction off
     * the finitely many hyperplanes slope . d = 0 realizes the answers
     * it meets), so a complete enumeration without one is a defect. */
    CVP_ASSERT(st != CVP_OK || !*complete || p->count > 0 || p->jumps);
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
    } else if (k->tie_entries >= 2) {
        /* Max pooling told the ring which comparisons made up one window,
         * so the count of entries sharing the value is known. */
        gmp_fprintf(s, "a maximum is attained by %zu entries: they tie at the "
                    "value %Qd, the first two with slopes differing in ",
                    k->tie_entries, k->value);
    } else {
        /* Outside a pooling window (an elementwise maximum) the kinks
         * tell two candidates apart at a time, not how many share the
         * value, so no count is claimed. */
        gmp_fprintf(s, "a maximum is attained more than once: candidates tie "
                    "at the value %Qd, the first two with slopes differing in ",
                    k->value);
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

/* The name of entry i of a derivative: X's entry for grad, (row, X's
 * entry) for jacobian. */
static void derivative_entry(char *buf, size_t size, const char *wrt,
                             const cvp_tensor_struct *X, bool is_grad, size_t i)
{
    char name[96];
    size_t n = X->size ? X->size : 1;
    cvp_entry_format(name, sizeof name, wrt, X->rank, X->shape, i % n);
    if (is_grad)
        snprintf(buf, size, "%s", name);
    else
        snprintf(buf, size, "row %zu, %s", i / n, name);
}

/* "along d = (X[1]: 1, ...)": the direction realizing a piece. */
static void describe_direction(FILE *s, const cvp_kink_pattern *pattern,
                               const char *wrt, const cvp_tensor_struct *X)
{
    char name[96];
    fprintf(s, "along d = (");
    size_t shown = 0;
    for (size_t j = 0; j < pattern->lp.n; j++) {
        if (mpq_sgn(pattern->lp.direction[j]) == 0)
            continue;
        if (shown++ == 4) {
            fprintf(s, ", ...");
            break;
        }
        cvp_entry_format(name, sizeof name, wrt, X->rank, X->shape,
                         pattern->vars[j]);
        gmp_fprintf(s, "%s%s: %Qd", shown > 1 ? ", " : "", name,
                    pattern->lp.direction[j]);
    }
    fprintf(s, shown ? ")" : "any)");
}

/* Two realizable pieces with different gradients: both directions, and
 * the entries of the gradients where they differ. */
static void describe_two(FILE *s, const piece *a, const piece *b,
                         const char *wrt, const cvp_tensor_struct *X,
                         bool is_grad)
{
    char name[128];
    const piece *both[2] = {a, b};
    for (int k = 0; k < 2; k++) {
        fprintf(s, "%s", k ? "; " : "");
        describe_direction(s, &both[k]->pattern, wrt, X);
        fprintf(s, " the gradient has ");
        size_t shown = 0;
        for (size_t i = 0; i < a->gradient.size; i++) {
            if (mpq_equal(cvp_tensor_at(&a->gradient, i), cvp_tensor_at(&b->gradient, i)))
                continue;
            if (shown++ == 3) {
                fprintf(s, ", ...");
                break;
            }
            derivative_entry(name, sizeof name, wrt, X, is_grad, i);
            gmp_fprintf(s, "%s%s = %Qd", shown > 1 ? ", " : "", name,
                        cvp_tensor_at(&both[k]->gradient, i));
        }
    }
}

/* "L jumps here: ..." with the first entry whose value differs. */
static void describe_jump(FILE *s, const piece_set *p, const char *wrt,
                          const cvp_tensor_struct *X)
{
    size_t i = 0;
    while (i + 1 < p->plain.size
           && mpq_equal(cvp_tensor_at(&p->plain, i), cvp_tensor_at(&p->jump_at, i)))
        i++;
    fprintf(s, "L is not continuous here (a comparison decides its value, "
            "not only which piece is active): ");
    if (p->plain.size > 1)
        fprintf(s, "entry %zu of its value ", i);
    else
        fprintf(s, "its value ");
    gmp_fprintf(s, "is %Qd at the point but tends to %Qd ", cvp_tensor_at(&p->plain, i),
                cvp_tensor_at(&p->jump_at, i));
    describe_direction(s, &p->jump_pattern, wrt, X);
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
                              CVP_SUBGRAD_MAX_EVALUATIONS, true);
    if (st == CVP_OK && p.jumps) {
        size_t len = 0;
        FILE *s = open_memstream(message, &len);
        CVP_ASSERT(s != NULL);
        fprintf(s, "no derivative at this point: ");
        describe_jump(s, &p, wrt, X);
        fclose(s);
    } else if (st == CVP_OK && complete && p.count == 1) {
        /* Every realizable piece has the same gradient (a tie that L does
         * not see, or kinks that cancel, as in relu(x) - relu(-x)): L is
         * differentiable (eval/subgrad.h says why). */
        *unique = true;
        cvp_tensor_swap(result, &p.items[0].gradient);
    } else if (st == CVP_OK && p.count >= 2) {
        /* Two realizable pieces that differ: no derivative, found or not
         * the whole set. */
        size_t len = 0;
        FILE *s = open_memstream(message, &len);
        CVP_ASSERT(s != NULL);
        fprintf(s, "no derivative at this point: ");
        describe_first(s, &p.first, wrt, X);
        fprintf(s, ". Two pieces meet here: ");
        describe_two(s, &p.items[0], &p.items[1], wrt, X, is_grad);
        if (complete)
            fprintf(s, ". The derivative is the convex hull of the gradients "
                    "of the %zu active pieces (a tie may split, a ReLU at 0 "
                    "pass, any fraction); `show A in subgrad(...)` checks a "
                    "rule against it", p.count);
        else
            fprintf(s, ". The derivative is the convex hull of the gradients "
                    "of the active pieces (a tie may split, a ReLU at 0 pass, "
                    "any fraction); `show A in subgrad(...)` checks a rule "
                    "against it");
        fclose(s);
    } else if (st == CVP_OK) {
        /* One piece found so far, but the enumeration stopped: whether L
         * has a derivative here is not decided. */
        st = cvp_eval_fail_at(context, CVP_ERR_LIMIT, call->pos, NULL,
                              "%s: more than %d answer vectors at the kinks "
                              "of this instance; whether the derivative "
                              "exists is not decided", call->u.call.name,
                              CVP_SUBGRAD_MAX_EVALUATIONS);
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
                              CVP_SUBGRAD_MAX_EVALUATIONS, false);
    if (st == CVP_OK && !complete && !p.jumps)
        st = cvp_eval_fail_at(context, CVP_ERR_LIMIT, set->pos, NULL,
                              "subgrad: more than %d answer vectors at the "
                              "kinks of this instance",
                              CVP_SUBGRAD_MAX_EVALUATIONS);
    if (st == CVP_OK && p.jumps) {
        char *text = NULL;
        size_t len = 0;
        FILE *s = open_memstream(&text, &len);
        CVP_ASSERT(s != NULL);
        describe_jump(s, &p, wrt, X);
        fclose(s);
        st = cvp_eval_fail_at(context, CVP_ERR_UNSUPPORTED, set->pos, NULL,
                              "subgrad(L, X) is the set of a continuous L: %s",
                              text);
        free(text);
    }
    cvp_hull_result h;
    cvp_hull_result_init(&h);
    if (st == CVP_OK) {
        const cvp_tensor_struct **points = malloc(p.count * sizeof *points);
        CVP_ASSERT(points != NULL);
        for (size_t j = 0; j < p.count; j++)
            points[j] = &p.items[j].gradient;
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
            fprintf(s, "L is differentiable here (every piece that some "
                    "direction realizes at its kinks has the same gradient), "
                    "so the set is its gradient alone");
        } else {
            fprintf(s, "at this instance ");
            describe_first(s, &p.first, wrt, X);
            fprintf(s, ", so L has no gradient");
            fprintf(s, "; the derivative is the convex hull of the gradients "
                    "of %zu active pieces", p.count);
            if (p.unrealizable > 0)
                fprintf(s, " (%zu answer vector%s at the kinks cut as "
                        "unrealizable: no direction gives %s)", p.unrealizable,
                        p.unrealizable == 1 ? "" : "s",
                        p.unrealizable == 1 ? "it" : "them");
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
