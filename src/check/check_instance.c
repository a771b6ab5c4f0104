/* check_instance.c -- one instance of a claim: its inputs, the value of
 * every show, and turning a failing instance into a small counterexample. */
#include "check/check_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/eval.h"
#include "eval/external.h"
#include "kernel/interrupt.h"
#include "eval/subgrad.h"
#include "io/tensor_text.h"
#include "kernel/ring_height.h"
#include "kernel/ring_poly.h"
#include "kernel/ring_small.h"

char *tensor_to_text(const cvp_tensor_struct *t)
{
    char *text = NULL;
    size_t len = 0;
    FILE *stream = open_memstream(&text, &len);
    CVP_ASSERT(stream != NULL);
    if (t->ring == &cvp_ring_q) {
        cvp_tensor_write_text(stream, t);
    } else {
        /* Other rings only reach reports through polynomial evidence. */
        char entry[256];
        for (size_t k = 0; k < t->size && k < 16; k++) {
            t->ring->format(t->ring, entry, sizeof entry, cvp_tensor_elem(t, k));
            fprintf(stream, "%s%s", k ? "; " : "", entry);
        }
        fputc('\n', stream);
    }
    fclose(stream);
    return text;
}

cvp_status instance_build(cvp_env *env, claim_context *c,
                          const cvp_shape_point *p, cvp_ring *R,
                          fill_kind kind, cvp_rng *rng)
{
    const cvp_proof_claim *claim = c->claim;
    cvp_error e;
    cvp_error_clear(&e);
    cvp_status st = CVP_OK;
    for (size_t t = 0; st == CVP_OK && t < claim->tensor_count; t++) {
        const cvp_proof_tensor *decl = &claim->tensors[t];
        long lo = decl->has_values ? decl->values_lo : CVP_RANDOM_DEFAULT_LO;
        long hi = decl->has_values ? decl->values_hi : CVP_RANDOM_DEFAULT_HI;
        if (kind == FILL_SMALL_Q && lo <= 1 && hi >= -1) {
            lo = lo > -1 ? lo : -1;
            hi = hi < 1 ? hi : 1;
        }
        cvp_tensor_t x;
        cvp_tensor_init_ring(x, R);
        st = cvp_tensor_resize(x, decl->rank, p->shapes[t], &e);
        for (size_t k = 0; st == CVP_OK && kind != FILL_SHAPE_ONLY && k < x->size; k++) {
            if (cvp_interrupt_poll()) {   /* --timeout, --max-memory */
                st = cvp_error_set(&e, CVP_ERR_LIMIT, "not decided: limit %s reached",
                                   cvp_interrupt_limit_name(cvp_interrupt_reached()));
                break;
            }
            void *elem = cvp_tensor_elem(x, k);
            switch (kind) {
            case FILL_RANDOM_Q:
            case FILL_SMALL_Q:
                mpq_set_si(elem, (long)cvp_rng_range(rng, lo, hi), 1);
                break;
            case FILL_VARIABLES: {
                char name[128];
                cvp_entry_format(name, sizeof name, decl->name, x->rank, x->shape, k);
                cvp_poly_set_var(R, elem, cvp_ring_poly_add_var(R, name));
                break;
            }
            case FILL_RANDOM_FP:
                cvp_fp_set(elem, (uint64_t)cvp_rng_range(
                                     rng, 0, (int64_t)cvp_ring_fp_modulus(R) - 1));
                break;
            case FILL_DEGREE_ONE:
                cvp_degree_set(elem, 1);
                break;
            case FILL_HEIGHT_ONE:
                cvp_height_set_variable(elem);
                break;
            case FILL_SHAPE_ONLY:   /* no entries to fill */
                break;
            }
        }
        if (st == CVP_OK)
            st = cvp_env_bind(env, decl->name, x, &e);
        cvp_tensor_clear(x);
    }
    /* The dims are integer scalars in expressions (pad(X, U - 1)); they
     * stay rational in every ring, as literals do. */
    for (size_t k = 0; st == CVP_OK && k < claim->dim_count; k++) {
        cvp_tensor_t d;
        cvp_tensor_init(d);
        cvp_tensor_set_scalar_si(d, p->dims[k], 1);
        st = cvp_env_bind_constant(env, claim->dims[k].name, d, &e);
        cvp_tensor_clear(d);
    }
    if (st != CVP_OK)
        return cvp_lang_error_from(c->err, &e, c->file->source_name, claim->pos,
                                   NULL);
    return CVP_OK;
}

void show_result_init(show_result *r)
{
    r->status = CVP_OK;
    r->failed_show = SIZE_MAX;
    r->error_show = SIZE_MAX;
    r->why = NULL;
    cvp_value_init(&r->lhs);
    cvp_value_init(&r->rhs);
}

void show_result_clear(show_result *r)
{
    free(r->why);
    r->why = NULL;
    cvp_value_clear(&r->lhs);
    cvp_value_clear(&r->rhs);
}

/* Whether the two sides of a show are equal values. */
static bool sides_equal(cvp_value *a, cvp_value *b)
{
    if (a->kind != b->kind)
        return false;
    if (a->kind == CVP_VALUE_BOOL)
        return a->boolean == b->boolean;
    if (a->kind != CVP_VALUE_TENSOR)
        return false;
    cvp_error e;
    if (cvp_eval_unify_rings(a->tensor, b->tensor, &e) != CVP_OK)
        return false;
    return cvp_tensor_equal(a->tensor, b->tensor);
}

bool instance_failure_status(cvp_status st)
{
    return st == CVP_ERR_EXTERNAL || st == CVP_ERR_NOT_DIFFERENTIABLE
           || st == CVP_ERR_UNDEFINED;
}

void instance_eval(show_result *r, claim_context *c, const cvp_env *env,
                   cvp_ring *R)
{
    r->failed_show = SIZE_MAX;
    r->error_show = SIZE_MAX;
    r->status = CVP_OK;
    free(r->why);
    r->why = NULL;
    for (size_t s = 0; s < c->claim->show_count; s++) {
        const cvp_proof_show *show = &c->claim->shows[s];
        /* A side whose evaluation fails must not show what an earlier
         * show left here (a counterexample would print it as a side). */
        cvp_value_reset(&r->lhs);
        cvp_value_reset(&r->rhs);
        if (show->membership) {
            r->status = cvp_eval_in(&r->lhs, show->lhs, env, &c->defs, R,
                                    c->file->source_name, c->err);
            if (r->status != CVP_OK) {
                /* as for an equation below: the element is a grad at a
                 * kink, or an implementation misbehaved */
                if (instance_failure_status(r->status))
                    r->failed_show = s;
                r->error_show = s;
                return;
            }
            cvp_eval_context context = {env, c->file->source_name, c->err, R,
                                        &c->defs};
            bool member = false;
            r->status = cvp_eval_membership(&member, &r->why, &r->lhs,
                                            show->rhs, &context);
            if (r->status != CVP_OK) {
                if (instance_failure_status(r->status))
                    r->failed_show = s;
                r->error_show = s;
                return;
            }
            if (!member) {
                r->failed_show = s;
                return;
            }
            free(r->why);
            r->why = NULL;
            continue;
        }
        r->status = cvp_eval_in(&r->lhs, show->lhs, env, &c->defs, R,
                                c->file->source_name, c->err);
        if (r->status != CVP_OK) {
            cvp_value_reset(&r->lhs);   /* what a failed evaluation left */
        } else {
            r->status = cvp_eval_in(&r->rhs, show->rhs, env, &c->defs, R,
                                    c->file->source_name, c->err);
            if (r->status != CVP_OK)
                cvp_value_reset(&r->rhs);
        }
        if (instance_failure_status(r->status))
            r->failed_show = s;
        if (r->status != CVP_OK) {
            r->error_show = s;
            return;
        }
        if (!sides_equal(&r->lhs, &r->rhs)) {
            r->failed_show = s;
            return;
        }
    }
}

/* True when binding b of an instance is an input tensor (not a dim). */
static bool is_input(const claim_context *c, const char *name)
{
    for (size_t t = 0; t < c->claim->tensor_count; t++)
        if (strcmp(c->claim->tensors[t].name, name) == 0)
            return true;
    return false;
}

/* How an instance fails: CVP_OK when some show's sides differ,
 * CVP_ERR_EXTERNAL when an implementation under test misbehaves,
 * CVP_ERR_NOT_DIFFERENTIABLE when a grad meets a kink,
 * CVP_ERR_UNDEFINED when a division meets a zero.
 * Shrinking keeps the kind of failure it started from, as a property-
 * based tester does, so a wrong value does not turn into a crash. */
static bool fails_as(claim_context *c, cvp_env *env, cvp_status kind)
{
    show_result r;
    show_result_init(&r);
    instance_eval(&r, c, env, NULL);
    bool fails = r.status == kind && r.failed_show != SIZE_MAX;
    show_result_clear(&r);
    return fails;
}

/* The kind of failure the current shrink keeps (set by instance_shrink;
 * the checker is single-threaded per claim context). */
#define still_fails(c, env) fails_as((c), (env), (c)->shrink_kind)

/* Tries the inputs at all zeros, a subset at a time, keeping each subset
 * zeroed when the instance still fails.  The subsets, in order: every
 * input at once (the smallest counterexample of all, which zeroing one
 * entry at a time cannot reach when each single zero makes the sides
 * agree: sum(X) == 1 at X = [1, 1]); then each input on its own (ties
 * need several equal entries, which zeroing one entry at a time cannot
 * reach either: a window [[0, 1], [0, 1]] becomes tied only when both
 * ones go at once).  A subset already all zero is skipped. */
static void try_zero_inputs(claim_context *c, cvp_env *env)
{
    size_t n = env->count ? env->count : 1;
    cvp_tensor_struct *kept = calloc(n, sizeof *kept);
    bool *chosen = calloc(n, sizeof *chosen);
    CVP_ASSERT(kept != NULL && chosen != NULL);
    /* subset 0 is every input, subset s > 0 input binding s - 1 alone */
    for (size_t subset = 0; subset <= env->count; subset++) {
        bool any = false;
        for (size_t b = 0; b < env->count; b++) {
            chosen[b] = (subset == 0 || subset - 1 == b)
                        && is_input(c, env->bindings[b].name);
            cvp_tensor_ptr x = env->bindings[b].value;
            for (size_t k = 0; chosen[b] && k < x->size && !any; k++)
                any = mpq_sgn(cvp_tensor_at(x, k)) != 0;
        }
        if (!any)
            continue;
        for (size_t b = 0; b < env->count; b++) {
            cvp_tensor_init(&kept[b]);
            if (!chosen[b])
                continue;
            cvp_tensor_ptr x = env->bindings[b].value;
            cvp_tensor_swap(&kept[b], x);
            CVP_ASSERT(cvp_tensor_resize_like(x, &kept[b], NULL) == CVP_OK);
        }
        bool zero_fails = still_fails(c, env);
        for (size_t b = 0; b < env->count; b++) {
            if (!zero_fails && chosen[b])
                cvp_tensor_swap(env->bindings[b].value, &kept[b]);
            cvp_tensor_clear(&kept[b]);
        }
    }
    free(chosen);
    free(kept);
}

/* Replaces the non-integer entry *v by the first simpler p/q that still
 * fails: q = 1, 2, 4, ..., 64 in turn up to v's denominator, |p|/q at
 * most 64 and at most |v| rounded up (below |v| at v's own denominator),
 * the sign of v first; so -1/2 may become 1, and shrinking ends (each
 * step lowers the denominator, or the magnitude at the same one).
 * Returns whether it changed. */
static bool shrink_fraction(claim_context *c, cvp_env *env, mpq_ptr v)
{
    mpq_t old, limit;
    mpq_init(old);
    mpq_init(limit);
    mpq_set(old, v);
    mpq_abs(limit, old);
    if (mpq_cmp_ui(limit, 64, 1) > 0)
        mpq_set_ui(limit, 64, 1);
    mpz_t ceiling;
    mpz_init(ceiling);
    mpz_cdiv_q(ceiling, mpq_numref(limit), mpq_denref(limit));
    int sign = mpq_sgn(old);
    bool found = false;
    for (unsigned long q = 1; q <= 64 && mpz_cmp_ui(mpq_denref(old), q) >= 0
                              && !found; q *= 2)
        for (long p = 1; !found; p++) {
            mpq_set_si(v, p, q);
            mpq_canonicalize(v);
            /* below |v| at its own denominator, up to its ceiling below */
            if (mpz_cmp_ui(mpq_denref(old), q) == 0 ? mpq_cmp(v, limit) >= 0
                                                    : mpq_cmp_z(v, ceiling) > 0)
                break;
            for (int s = 0; s < 2 && !found; s++) {
                mpq_set_si(v, (s == 0 ? sign : -sign) * p, q);
                mpq_canonicalize(v);
                found = still_fails(c, env);
            }
        }
    if (!found)
        mpq_set(v, old);
    mpz_clear(ceiling);
    mpq_clear(old);
    mpq_clear(limit);
    return found;
}

void instance_shrink(claim_context *c, cvp_env *env)
{
    /* Errors met while trying a candidate just reject it; keep the
     * caller's error record clean. */
    cvp_lang_error *saved = c->err;
    cvp_lang_error scratch;
    c->err = &scratch;
    c->shrink_kind = fails_as(c, env, CVP_ERR_EXTERNAL) ? CVP_ERR_EXTERNAL
                     : fails_as(c, env, CVP_ERR_NOT_DIFFERENTIABLE)
                         ? CVP_ERR_NOT_DIFFERENTIABLE
                     : fails_as(c, env, CVP_ERR_UNDEFINED) ? CVP_ERR_UNDEFINED
                                                           : CVP_OK;
    try_zero_inputs(c, env);
    mpq_t old;
    mpq_init(old);
    for (int pass = 0; pass < 3; pass++) {
        bool changed = false;
        /* 1. fewest nonzero entries: try each at zero */
        for (size_t b = 0; b < env->count; b++) {
            if (!is_input(c, env->bindings[b].name))
                continue;
            cvp_tensor_ptr x = env->bindings[b].value;
            for (size_t k = 0; k < x->size; k++) {
                if (mpq_sgn(cvp_tensor_at(x, k)) == 0)
                    continue;
                mpq_set(old, cvp_tensor_at(x, k));
                mpq_set_ui(cvp_tensor_at(x, k), 0, 1);
                if (still_fails(c, env))
                    changed = true;
                else
                    mpq_set(cvp_tensor_at(x, k), old);
            }
        }
        /* 2. simplest fractions: a value that is not an integer (regions
         * finds points inside cells) tries the integers, then the halves,
         * quarters, ... up to 1/64, below its magnitude (at most 64) */
        for (size_t b = 0; b < env->count; b++) {
            if (!is_input(c, env->bindings[b].name))
                continue;
            cvp_tensor_ptr x = env->bindings[b].value;
            for (size_t k = 0; k < x->size; k++)
                if (mpz_cmp_ui(mpq_denref(cvp_tensor_at(x, k)), 1) != 0
                    && shrink_fraction(c, env, cvp_tensor_at(x, k)))
                    changed = true;
        }
        /* 3. smallest magnitudes: the first of 1, -1, 2, -2, ... (same
         * sign first) below the current magnitude that still fails */
        for (size_t b = 0; b < env->count; b++) {
            if (!is_input(c, env->bindings[b].name))
                continue;
            cvp_tensor_ptr x = env->bindings[b].value;
            for (size_t k = 0; k < x->size; k++) {
                mpq_srcptr v = cvp_tensor_at(x, k);
                if (mpq_sgn(v) == 0 || mpz_cmp_ui(mpq_denref(v), 1) != 0)
                    continue;
                mpq_set(old, v);
                long magnitude = mpz_cmpabs_ui(mpq_numref(old), 64) > 0
                                     ? 64 : labs(mpz_get_si(mpq_numref(old)));
                int sign = mpq_sgn(old);
                bool found = false;
                for (long m = 1; m < magnitude && !found; m++)
                    for (int s = 0; s < 2 && !found; s++) {
                        mpq_set_si(cvp_tensor_at(x, k), (s == 0 ? sign : -sign) * m, 1);
                        found = still_fails(c, env);
                    }
                if (found) {
                    changed = true;
                } else {
                    mpq_set(cvp_tensor_at(x, k), old);
                    /* same magnitude: a positive value reads more easily */
                    if (sign < 0) {
                        mpq_neg(cvp_tensor_at(x, k), old);
                        if (still_fails(c, env))
                            changed = true;
                        else
                            mpq_set(cvp_tensor_at(x, k), old);
                    }
                }
            }
        }
        if (!changed)
            break;
    }
    mpq_clear(old);
    c->err = saved;
}

/* Lists up to four differing entries of two same-shaped tensors. */
static char *describe_differences(const cvp_value *lhs, const cvp_value *rhs)
{
    char *text = NULL;
    size_t len = 0;
    FILE *stream = open_memstream(&text, &len);
    CVP_ASSERT(stream != NULL);
    if (lhs->kind != CVP_VALUE_TENSOR || rhs->kind != CVP_VALUE_TENSOR) {
        fprintf(stream, "the sides are values of different kinds");
    } else if (!cvp_tensor_same_shape(lhs->tensor, rhs->tensor)) {
        char a[128], b[128];
        cvp_shape_format(a, sizeof a, lhs->tensor->rank, lhs->tensor->shape);
        cvp_shape_format(b, sizeof b, rhs->tensor->rank, rhs->tensor->shape);
        fprintf(stream, "the shapes differ: %s on the left, %s on the right", a, b);
    } else if (lhs->tensor->ring == &cvp_ring_q && rhs->tensor->ring == &cvp_ring_q) {
        size_t shown = 0, total = 0;
        for (size_t k = 0; k < lhs->tensor->size; k++) {
            mpq_srcptr a = cvp_tensor_at(lhs->tensor, k), b = cvp_tensor_at(rhs->tensor, k);
            if (mpq_equal(a, b))
                continue;
            total++;
            if (shown < 4) {
                char name[96];
                cvp_entry_format(name, sizeof name, "", lhs->tensor->rank,
                                 lhs->tensor->shape, k);
                gmp_fprintf(stream, "%sentry %s: %Qd != %Qd", shown ? "\n" : "",
                            name[0] ? name : "(scalar)", a, b);
                shown++;
            }
        }
        if (total > shown)
            fprintf(stream, "\n... %zu entries differ in all", total);
    }
    fclose(stream);
    return text;
}

/* The failure of an implementation under test, for the record: the
 * located message names the call ("broken.avg_pool2d: crashed: ..."),
 * but its buffer may have cut the standard error's tail, where a Python
 * exception says what went wrong; the implementation keeps the whole
 * message (eval/external.h), which replaces the cut one after the name. */
static void record_failure(cvp_counterexample *cx, const claim_context *c)
{
    const char *message = c->err->message;
    const cvp_external *external = c->defs.external;
    const char *whole = external != NULL && external->last_failure != NULL
                            ? external->last_failure(external->ctx) : NULL;
    const char *colon = strstr(message, ": ");
    if (whole != NULL && colon != NULL)
        cvp_set_textf(&cx->failure, "%.*s: %s", (int)(colon - message), message,
                      whole);
    else
        cvp_set_text(&cx->failure, message);
}

void counterexample_set_shape(cvp_counterexample *cx, const claim_context *c,
                              const cvp_shape_point *p)
{
    if (c->claim->dim_count == 0)
        return;
    char shape[512];
    cvp_shape_point_format(shape, sizeof shape, c->claim, p);
    cvp_set_text(&cx->shape, shape);
}

/* Whether the name `name` occurs in the expression at n, or in a `let`
 * it names (lets[0..lets-1], each of which may only use earlier ones, so
 * the recursion ends). */
static bool mentions(const cvp_ast_node *n, const char *name,
                     const cvp_proof_claim *claim, size_t lets)
{
    if (n == NULL)
        return false;
    switch (n->kind) {
    case CVP_AST_NAME:
        if (strcmp(n->u.name.text, name) == 0)
            return true;
        for (size_t k = lets; k-- > 0;)
            if (strcmp(claim->lets[k].name, n->u.name.text) == 0)
                return mentions(claim->lets[k].expr, name, claim, k);
        return false;
    case CVP_AST_UNARY:
        return mentions(n->u.unary.operand, name, claim, lets);
    case CVP_AST_BINARY:
        return mentions(n->u.binary.lhs, name, claim, lets)
               || mentions(n->u.binary.rhs, name, claim, lets);
    case CVP_AST_CALL:
        for (size_t k = 0; k < n->u.call.count; k++)
            if (mentions(n->u.call.args[k].value, name, claim, lets))
                return true;
        return false;
    case CVP_AST_TUPLE:
    case CVP_AST_LIST:
        for (size_t k = 0; k < n->u.items.count; k++)
            if (mentions(n->u.items.items[k], name, claim, lets))
                return true;
        return false;
    default:
        return false;
    }
}

void counterexample_record(cvp_method_result *m, claim_context *c,
                           const cvp_shape_point *p, const cvp_env *env,
                           const show_result *r)
{
    cvp_counterexample *cx = cvp_method_add_counterexample(m);
    counterexample_set_shape(cx, c, p);
    const cvp_proof_show *show = &c->claim->shows[r->failed_show];
    for (size_t b = 0; b < env->count; b++) {
        const char *name = env->bindings[b].name;
        if (!is_input(c, name))
            continue;
        char *value = tensor_to_text(env->bindings[b].value);
        cvp_counterexample_add_input(cx, name, value);
        free(value);
        /* An input the failing show does not name cannot change its
         * sides: the text reports leave it out (the JSON keeps it). */
        size_t lets = c->claim->let_count;
        if (!mentions(show->lhs, name, c->claim, lets)
            && !mentions(show->rhs, name, c->claim, lets))
            cvp_counterexample_mark_unused(cx, cx->input_count - 1);
    }
    cx->show_line = show->pos.line;
    if (r->status == CVP_ERR_EXTERNAL) {
        /* No two values to compare: a side that was not computed would
         * show what an earlier show or instance left in r. */
        record_failure(cx, c);
        cvp_lang_error_clear(c->err);
        return;
    }
    char *text;
    if (r->lhs.kind == CVP_VALUE_TENSOR) {
        text = tensor_to_text(r->lhs.tensor);
        cvp_set_text(&cx->lhs, text);
        free(text);
    }
    if (r->rhs.kind == CVP_VALUE_TENSOR) {
        text = tensor_to_text(r->rhs.tensor);
        cvp_set_text(&cx->rhs, text);
        free(text);
    }
    if (r->why != NULL) {
        /* A membership: the explanation says what is outside the set. */
        cvp_set_text(&cx->differences, r->why);
        return;
    }
    if (r->status == CVP_ERR_NOT_DIFFERENTIABLE) {
        /* No value to compare: the kink is the difference, said in full
         * when the error's buffer had to cut it (the kept text begins
         * with what the buffer holds). */
        const char *whole = cvp_kink_last_message();
        const char *cut = c->err->message;
        bool same = whole != NULL && strlen(cut) > 0
                    && strncmp(whole, cut, strlen(cut)) == 0;
        cvp_set_text(&cx->differences, same ? whole : cut);
        cvp_lang_error_clear(c->err);
        return;
    }
    if (r->status == CVP_ERR_UNDEFINED) {
        /* No value: the division by zero is the difference. */
        cvp_set_text(&cx->differences, c->err->message);
        cvp_lang_error_clear(c->err);
        return;
    }
    text = describe_differences(&r->lhs, &r->rhs);
    cvp_set_text(&cx->differences, text);
    free(text);
}
