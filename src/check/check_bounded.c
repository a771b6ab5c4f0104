/* check_bounded.c -- the `bounded` method (see check_bounded.h). */
#include "check/check_bounded.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/eval.h"
#include "kernel/ring_interval.h"

/* Significant decimal digits of enclosures in reports. */
#define REPORT_DIGITS 20

typedef struct {
    long prec, tol;
} bounded_params;

/* What one instance showed. */
typedef enum {
    SIDES_CLOSE,          /* every entry within 2^-tol */
    SIDES_DISJOINT,       /* some entry's enclosures are disjoint */
    SIDES_MISMATCH,       /* different shapes or kinds of value */
    SIDES_WIDE,           /* overlapping but too wide somewhere */
    SIDES_KINK,           /* a derivative at a kink: skipped */
    SIDES_UNDECIDED,      /* an order or a divisor undecided */
    SIDES_NOT_APPLICABLE,
    SIDES_ERROR
} sides_kind;

/* One instance in the interval ring.  The ring owns the elements of env,
 * lhs and rhs, so instance_clear frees them first. */
typedef struct {
    cvp_ring R;
    cvp_env env;
    sides_kind kind;
    cvp_status status;
    size_t show;          /* the show that decided kind */
    cvp_value lhs, rhs;   /* its sides (DISJOINT, MISMATCH) */
    long widest;          /* every hull width seen is < 2^widest; LONG_MIN: all 0 */
    char note[CVP_ERROR_MESSAGE_MAX];   /* WIDE: where and how wide */
} instance;

static uint64_t mix_seed(uint64_t seed, size_t claim, size_t shape, long trial)
{
    uint64_t h = seed ^ 0x6a09e667f3bcc909ULL;
    uint64_t parts[4] = {claim, 0xb0u, shape, (uint64_t)trial};
    for (int i = 0; i < 4; i++) {
        h ^= parts[i] + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
        h *= 0xbf58476d1ce4e5b9ULL;
    }
    return h;
}

static long option(const cvp_proof_method *m, const char *name, long dflt)
{
    long value;
    return m != NULL && cvp_proof_method_option(m, name, &value) ? value : dflt;
}

static bool is_input(const claim_context *c, const char *name)
{
    for (size_t t = 0; t < c->claim->tensor_count; t++)
        if (strcmp(c->claim->tensors[t].name, name) == 0)
            return true;
    return false;
}

/* "[1,2]" for flat offset `flat` of t ("(scalar)" for rank 0). */
static void entry_name(char *buf, size_t n, const cvp_tensor_struct *t, size_t flat)
{
    if (t->rank == 0)
        snprintf(buf, n, "(scalar)");
    else
        cvp_entry_format(buf, n, "", t->rank, t->shape, flat);
}

/* ---- one instance ---------------------------------------------------------- */

/* Compares the two sides of show s, entry by entry. */
static void compare_sides(instance *in, const bounded_params *bp, size_t s,
                          const claim_context *c)
{
    cvp_value *a = &in->lhs, *b = &in->rhs;
    if (a->kind != CVP_VALUE_TENSOR || b->kind != CVP_VALUE_TENSOR) {
        if (!(a->kind == CVP_VALUE_BOOL && b->kind == CVP_VALUE_BOOL
              && a->boolean == b->boolean)) {
            in->kind = SIDES_MISMATCH;
            in->show = s;
        }
        return;
    }
    /* A side that does not depend on the inputs is rational: enclose it. */
    if (a->tensor->ring == &cvp_ring_q)
        CVP_ASSERT(cvp_tensor_lift(a->tensor, a->tensor, &in->R, NULL) == CVP_OK);
    if (b->tensor->ring == &cvp_ring_q)
        CVP_ASSERT(cvp_tensor_lift(b->tensor, b->tensor, &in->R, NULL) == CVP_OK);
    if (!cvp_tensor_same_shape(a->tensor, b->tensor)
        || a->tensor->ring != b->tensor->ring) {
        in->kind = SIDES_MISMATCH;
        in->show = s;
        return;
    }
    mpfr_t w;
    mpfr_init2(w, 64);
    for (size_t k = 0; k < a->tensor->size; k++) {
        const cvp_interval *x = cvp_tensor_elem(a->tensor, k);
        const cvp_interval *y = cvp_tensor_elem(b->tensor, k);
        if (cvp_interval_disjoint(x, y)) {
            in->kind = SIDES_DISJOINT;
            in->show = s;
            break;
        }
        cvp_interval_hull_width(w, x, y);
        if (mpfr_zero_p(w))
            continue;
        long e = mpfr_number_p(w) ? (long)mpfr_get_exp(w) : LONG_MAX;   /* w < 2^e */
        if (e > in->widest)
            in->widest = e;
        if (in->kind == SIDES_CLOSE && mpfr_cmp_ui_2exp(w, 1, (mpfr_exp_t)-bp->tol) >= 0) {
            char where[96], ex[128], ey[128];
            entry_name(where, sizeof where, a->tensor, k);
            cvp_interval_format(ex, sizeof ex, x, REPORT_DIGITS);
            cvp_interval_format(ey, sizeof ey, y, REPORT_DIGITS);
            in->kind = SIDES_WIDE;
            in->show = s;
            snprintf(in->note, sizeof in->note, "the show on line %d, entry %s: "
                     "the enclosures %s and %s overlap, but together they are "
                     "%s2^%ld wide, not below the tolerance 2^-%ld",
                     c->claim->shows[s].pos.line, where, ex, ey,
                     e == LONG_MAX ? "unboundedly, more than " : "up to ",
                     e == LONG_MAX ? 0 : e, bp->tol);
        }
    }
    mpfr_clear(w);
}

static void instance_run(instance *in, claim_context *c, const cvp_env *qenv,
                         const bounded_params *bp)
{
    cvp_ring_interval_init(&in->R, bp->prec);
    cvp_env_init(&in->env);
    cvp_value_init(&in->lhs);
    cvp_value_init(&in->rhs);
    in->kind = SIDES_CLOSE;
    in->status = CVP_OK;
    in->show = SIZE_MAX;
    in->widest = LONG_MIN;
    in->note[0] = '\0';
    /* The inputs are lifted into the intervals; the dims stay rational. */
    cvp_error e;
    cvp_error_clear(&e);
    for (size_t i = 0; i < qenv->count; i++) {
        const cvp_binding *b = &qenv->bindings[i];
        cvp_tensor_t t;
        cvp_tensor_init(t);
        CVP_ASSERT(cvp_tensor_set(t, b->value, &e) == CVP_OK);
        if (!b->constant)
            CVP_ASSERT(cvp_tensor_lift(t, t, &in->R, &e) == CVP_OK);
        cvp_status st = b->constant ? cvp_env_bind_constant(&in->env, b->name, t, &e)
                                    : cvp_env_bind(&in->env, b->name, t, &e);
        CVP_ASSERT(st == CVP_OK);   /* the names were bound once already */
        cvp_tensor_clear(t);
    }
    for (size_t s = 0; s < c->claim->show_count; s++) {
        const cvp_proof_show *show = &c->claim->shows[s];
        cvp_status st = cvp_eval_in(&in->lhs, show->lhs, &in->env, &c->defs, &in->R,
                                    c->file->source_name, c->err);
        if (st == CVP_OK)
            st = cvp_eval_in(&in->rhs, show->rhs, &in->env, &c->defs, &in->R,
                             c->file->source_name, c->err);
        if (st != CVP_OK) {
            in->status = st;
            in->show = s;
            if (st == CVP_ERR_NOT_DIFFERENTIABLE)
                in->kind = SIDES_KINK;
            else if (st == CVP_ERR_UNSUPPORTED)
                in->kind = cvp_ring_interval_undecided(&in->R) > 0 ? SIDES_UNDECIDED
                                                                  : SIDES_NOT_APPLICABLE;
            else if (st == CVP_ERR_UNDEFINED)
                /* a division by zero: exact's instances fail there */
                in->kind = SIDES_NOT_APPLICABLE;
            else
                in->kind = SIDES_ERROR;
            return;
        }
        compare_sides(in, bp, s, c);
        if (in->kind == SIDES_DISJOINT || in->kind == SIDES_MISMATCH)
            return;
    }
}

static void instance_clear(instance *in)
{
    cvp_value_clear(&in->lhs);
    cvp_value_clear(&in->rhs);
    cvp_env_clear(&in->env);
    cvp_ring_interval_clear(&in->R);
}

/* ---- shrinking a refuted instance ----------------------------------------- */

static bool refuted(claim_context *c, const cvp_env *qenv, const bounded_params *bp)
{
    instance in;
    instance_run(&in, c, qenv, bp);
    bool r = in.kind == SIDES_DISJOINT || in.kind == SIDES_MISMATCH;
    instance_clear(&in);
    return r;
}

/* Tries value v for entry q and keeps it when the instance stays refuted. */
static bool try_value(claim_context *c, cvp_env *qenv, const bounded_params *bp,
                      mpq_ptr q, long v)
{
    mpq_t old;
    mpq_init(old);
    mpq_set(old, q);
    mpq_set_si(q, v, 1);
    bool kept = refuted(c, qenv, bp);
    if (!kept)
        mpq_set(q, old);
    mpq_clear(old);
    return kept;
}

/* Fewest nonzero entries, then the smallest magnitudes (same sign first),
 * then positive before negative; every step is re-checked. */
static void shrink(claim_context *c, cvp_env *qenv, const bounded_params *bp)
{
    cvp_lang_error *saved = c->err, scratch;
    c->err = &scratch;   /* a candidate's errors only reject it */
    for (int pass = 0; pass < 3; pass++) {
        bool changed = false;
        for (size_t b = 0; b < qenv->count; b++) {
            if (!is_input(c, qenv->bindings[b].name))
                continue;
            cvp_tensor_ptr x = qenv->bindings[b].value;
            for (size_t k = 0; k < x->size; k++)
                if (mpq_sgn(cvp_tensor_at(x, k)) != 0)
                    changed |= try_value(c, qenv, bp, cvp_tensor_at(x, k), 0);
        }
        for (size_t b = 0; b < qenv->count; b++) {
            if (!is_input(c, qenv->bindings[b].name))
                continue;
            cvp_tensor_ptr x = qenv->bindings[b].value;
            for (size_t k = 0; k < x->size; k++) {
                mpq_ptr q = cvp_tensor_at(x, k);
                if (mpq_sgn(q) == 0 || mpz_cmp_ui(mpq_denref(q), 1) != 0
                    || mpz_cmpabs_ui(mpq_numref(q), 64) > 0)
                    continue;
                long v = mpz_get_si(mpq_numref(q)), mag = labs(v);
                int sign = v < 0 ? -1 : 1;
                bool found = false;
                for (long m = 1; m < mag && !found; m++)
                    found = try_value(c, qenv, bp, q, sign * m)
                            || try_value(c, qenv, bp, q, -sign * m);
                if (!found && sign < 0)
                    found = try_value(c, qenv, bp, q, mag);
                changed |= found;
            }
        }
        if (!changed)
            break;
    }
    c->err = saved;
}

/* ---- the counterexample -------------------------------------------------- */

/* Digits of a printed enclosure: REPORT_DIGITS, or more when two disjoint
 * enclosures of the sides would print alike (outward rounding can merge
 * them), so that a counterexample never shows two equal sides. */
#define MAX_REPORT_DIGITS 160

static int report_digits(const instance *in)
{
    const cvp_value *a = &in->lhs, *b = &in->rhs;
    if (a->kind != CVP_VALUE_TENSOR || b->kind != CVP_VALUE_TENSOR
        || !cvp_tensor_same_shape(a->tensor, b->tensor)
        || !cvp_ring_is_interval(a->tensor->ring)
        || !cvp_ring_is_interval(b->tensor->ring))
        return REPORT_DIGITS;
    int digits = REPORT_DIGITS;
    for (size_t k = 0; k < a->tensor->size; k++) {
        const cvp_interval *x = cvp_tensor_elem(a->tensor, k);
        const cvp_interval *y = cvp_tensor_elem(b->tensor, k);
        if (!cvp_interval_disjoint(x, y))
            continue;
        for (;;) {
            char ex[2 * MAX_REPORT_DIGITS + 64], ey[2 * MAX_REPORT_DIGITS + 64];
            cvp_interval_format(ex, sizeof ex, x, digits);
            cvp_interval_format(ey, sizeof ey, y, digits);
            if (strcmp(ex, ey) != 0 || digits >= MAX_REPORT_DIGITS)
                break;
            digits = 2 * digits < MAX_REPORT_DIGITS ? 2 * digits : MAX_REPORT_DIGITS;
        }
    }
    return digits;
}

static void write_enclosures(FILE *f, const cvp_tensor_struct *t, int axis,
                             size_t *next, int digits)
{
    if (axis == t->rank) {
        char text[2 * MAX_REPORT_DIGITS + 64];
        cvp_interval_format(text, sizeof text, cvp_tensor_elem(t, *next), digits);
        fputs(text, f);
        ++*next;
        return;
    }
    fputc('[', f);
    for (size_t i = 0; i < t->shape[axis]; i++) {
        if (i)
            fputs(", ", f);
        write_enclosures(f, t, axis + 1, next, digits);
    }
    fputc(']', f);
}

static char *side_text(const cvp_value *v, int digits)
{
    if (v->kind != CVP_VALUE_TENSOR)
        return NULL;
    if (!cvp_ring_is_interval(v->tensor->ring))
        return tensor_to_text(v->tensor);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    CVP_ASSERT(f != NULL);
    size_t next = 0;
    write_enclosures(f, v->tensor, 0, &next, digits);
    fclose(f);
    return text;
}

static char *differences_text(const instance *in, int digits)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    CVP_ASSERT(f != NULL);
    const cvp_value *a = &in->lhs, *b = &in->rhs;
    if (a->kind != CVP_VALUE_TENSOR || b->kind != CVP_VALUE_TENSOR) {
        fprintf(f, "the sides are values of different kinds");
    } else if (!cvp_tensor_same_shape(a->tensor, b->tensor)) {
        char x[128], y[128];
        cvp_shape_format(x, sizeof x, a->tensor->rank, a->tensor->shape);
        cvp_shape_format(y, sizeof y, b->tensor->rank, b->tensor->shape);
        fprintf(f, "the shapes differ: %s on the left, %s on the right", x, y);
    } else {
        size_t shown = 0, total = 0;
        for (size_t k = 0; k < a->tensor->size; k++) {
            const cvp_interval *x = cvp_tensor_elem(a->tensor, k);
            const cvp_interval *y = cvp_tensor_elem(b->tensor, k);
            if (!cvp_interval_disjoint(x, y))
                continue;
            if (total++ < 4) {
                char where[96], ex[2 * MAX_REPORT_DIGITS + 64];
                char ey[2 * MAX_REPORT_DIGITS + 64];
                entry_name(where, sizeof where, a->tensor, k);
                cvp_interval_format(ex, sizeof ex, x, digits);
                cvp_interval_format(ey, sizeof ey, y, digits);
                fprintf(f, "%sentry %s: %s and %s are disjoint", shown++ ? "\n" : "",
                        where, ex, ey);
            }
        }
        if (total > shown)
            fprintf(f, "\n... %zu entries differ in all", total);
    }
    fclose(f);
    return text;
}

static void record(cvp_method_result *m, claim_context *c, const cvp_shape_point *p,
                   const cvp_env *qenv, const instance *in)
{
    cvp_counterexample *cx = cvp_method_add_counterexample(m);
    counterexample_set_shape(cx, c, p);
    for (size_t b = 0; b < qenv->count; b++) {
        if (!is_input(c, qenv->bindings[b].name))
            continue;
        char *value = tensor_to_text(qenv->bindings[b].value);
        cvp_counterexample_add_input(cx, qenv->bindings[b].name, value);
        free(value);
    }
    cx->show_line = c->claim->shows[in->show].pos.line;
    int digits = report_digits(in);
    char *text = side_text(&in->lhs, digits);
    cvp_set_text(&cx->lhs, text);
    free(text);
    text = side_text(&in->rhs, digits);
    cvp_set_text(&cx->rhs, text);
    free(text);
    text = differences_text(in, digits);
    cvp_set_text(&cx->differences, text);
    free(text);
}

/* ---- the method ---------------------------------------------------------- */

static cvp_status at_shape(claim_context *c, const cvp_shape_point *p, cvp_status st)
{
    /* A claim without dims has one shape: nothing to add. */
    if (c->claim->dim_count > 0) {
        char shape[256];
        cvp_shape_point_format(shape, sizeof shape, c->claim, p);
        size_t len = strlen(c->err->message);
        snprintf(c->err->message + len, sizeof c->err->message - len,
                 " (at shape %s)", shape);
    }
    c->err->status = st;
    return st;
}

cvp_bounded_run cvp_check_bounded(claim_context *c, const cvp_proof_method *decl,
                                  cvp_method_result *m, cvp_status *st)
{
    bounded_params bp = {option(decl, "prec", CVP_BOUNDED_DEFAULT_PREC),
                         option(decl, "tol", CVP_BOUNDED_DEFAULT_TOL)};
    long trials = option(decl, "trials", c->options->exact_trials);
    uint64_t seed = (uint64_t)option(decl, "seed", (long)c->options->seed);
    if (bp.prec < CVP_INTERVAL_MIN_PREC || bp.prec > CVP_INTERVAL_MAX_PREC) {
        cvp_set_textf(&m->reason, "prec must be %d..%d bits, got %ld",
                      CVP_INTERVAL_MIN_PREC, CVP_INTERVAL_MAX_PREC, bp.prec);
        return CVP_BOUNDED_NOT_APPLICABLE;
    }
    size_t instances = 0, skipped = 0;
    long widest = LONG_MIN;
    for (size_t s = 0; s < c->shapes.count; s++) {
        const cvp_shape_point *p = &c->shapes.points[s];
        m->shapes = s + 1;
        for (long t = 0; t < trials; t++) {
            cvp_rng rng;
            cvp_rng_seed(&rng, mix_seed(seed, c->index, s, t));
            cvp_env qenv;
            cvp_env_init(&qenv);
            *st = instance_build(&qenv, c, p, &cvp_ring_q,
                                 t == 0 ? FILL_SMALL_Q : FILL_RANDOM_Q, &rng);
            if (*st != CVP_OK) {
                cvp_env_clear(&qenv);
                return CVP_BOUNDED_ERROR;
            }
            instance in;
            instance_run(&in, c, &qenv, &bp);
            cvp_bounded_run run = CVP_BOUNDED_HELD;
            switch (in.kind) {
            case SIDES_CLOSE:
                instances++;
                if (in.widest > widest)
                    widest = in.widest;
                break;
            case SIDES_KINK:
                skipped++;
                cvp_lang_error_clear(c->err);
                break;
            case SIDES_DISJOINT:
            case SIDES_MISMATCH:
                instance_clear(&in);
                shrink(c, &qenv, &bp);
                instance_run(&in, c, &qenv, &bp);
                if (in.kind == SIDES_ERROR) {
                    /* The evaluation is deterministic, so only a limit
                     * (time, memory) met while replaying gets here. */
                    *st = at_shape(c, p, in.status);
                    run = CVP_BOUNDED_ERROR;
                    break;
                }
                CVP_ASSERT(in.kind == SIDES_DISJOINT || in.kind == SIDES_MISMATCH);
                record(m, c, p, &qenv, &in);
                instances++;
                run = CVP_BOUNDED_COUNTEREXAMPLE;
                break;
            case SIDES_WIDE: {
                char shape[280] = "";
                if (c->claim->dim_count > 0) {   /* else one shape */
                    char dims[256];
                    cvp_shape_point_format(dims, sizeof dims, c->claim, p);
                    snprintf(shape, sizeof shape, "shape %s, ", dims);
                }
                cvp_set_textf(&m->reason, "not decided at %ld bits (%sinstance "
                              "%ld): %s; a higher prec (e.g. bounded(prec=%ld)) may "
                              "decide it", bp.prec, shape, t + 1, in.note,
                              2 * bp.prec);
                run = CVP_BOUNDED_UNDECIDED;
                break;
            }
            case SIDES_UNDECIDED:
                cvp_set_textf(&m->reason, "not decided: %s (e.g. bounded(prec=%ld))",
                              c->err->message, 2 * bp.prec);
                cvp_lang_error_clear(c->err);
                run = CVP_BOUNDED_UNDECIDED;
                break;
            case SIDES_NOT_APPLICABLE:
                cvp_set_textf(&m->reason, "%s", c->err->message);
                cvp_lang_error_clear(c->err);
                run = CVP_BOUNDED_NOT_APPLICABLE;
                break;
            case SIDES_ERROR:
                *st = at_shape(c, p, in.status);
                run = CVP_BOUNDED_ERROR;
                break;
            }
            instance_clear(&in);
            cvp_env_clear(&qenv);
            m->instances = instances;
            if (run != CVP_BOUNDED_HELD)
                return run;
        }
    }
    if (instances == 0 && skipped > 0) {
        cvp_set_textf(&m->reason, skipped == 1
                      ? "the %zu instance lay on a kink (the derivative does "
                        "not exist there); widen the value ranges"
                      : "all %zu instances lay on a kink (the derivative "
                        "does not exist there); widen the value ranges", skipped);
        return CVP_BOUNDED_UNDECIDED;
    }
    char widest_text[96] = "";
    if (widest == LONG_MIN)
        snprintf(widest_text, sizeof widest_text, "; every pair of enclosures was "
                 "one and the same point");
    else
        snprintf(widest_text, sizeof widest_text, "; the widest pair spans less "
                 "than 2^%ld", widest);
    cvp_set_textf(&m->evidence, "enclosures at %ld bits overlap with width < 2^-%ld "
                  "at %zu instance%s over %zu shape%s%s: at each of these exact "
                  "rational inputs every entry of the two sides differs by less "
                  "than 2^-%ld (MPFR, outward rounding)%s", bp.prec, bp.tol,
                  instances, instances == 1 ? "" : "s", c->shapes.count,
                  c->shapes.count == 1 ? "" : "s", widest_text, bp.tol,
                  skipped ? "; some instances lay on a kink and were skipped" : "");
    if (skipped)
        cvp_set_textf(&m->reason, "%zu instance%s skipped: the derivative does "
                      "not exist there", skipped, check_plural(skipped));
    return CVP_BOUNDED_HELD;
}
