/* ring_interval.c -- intervals with MPFR endpoints and directed rounding.
 *
 * Each operation computes its lower endpoint with MPFR_RNDD and its upper
 * endpoint with MPFR_RNDU, from the operands' endpoints, into scratch
 * numbers of the context, and only then writes the result: so the result
 * may alias an operand.  MPFR rounds each elementary function correctly
 * in the direction asked, which is all that directed rounding needs. */
#include "kernel/ring_interval.h"
#include "kernel/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    long prec;
    size_t undecided;
    mpfr_t lo, hi, t;   /* scratch of the operations, never nested */
} interval_context;

static interval_context *ctx(cvp_ring *R) { return R->context; }

/* Records an operation that cannot be decided at this precision. */
static void undecided(cvp_ring *R, const char *what, const cvp_interval *a,
                      const cvp_interval *b)
{
    interval_context *c = ctx(R);
    c->undecided++;
    char x[128], y[128] = "";
    cvp_interval_format(x, sizeof x, a, 12);
    if (b != NULL)
        cvp_interval_format(y, sizeof y, b, 12);
    cvp_ring_fail(R, CVP_ERR_UNSUPPORTED,
                  "undecidable at %ld bits: %s %s%s%s; a higher prec may decide it",
                  c->prec, what, x, b ? " and " : "", y);
}

/* Writes the scratch endpoints into r, failing on a lost result. */
static void store(cvp_ring *R, cvp_interval *r)
{
    interval_context *c = ctx(R);
    if (mpfr_nan_p(c->lo) || mpfr_nan_p(c->hi)) {
        c->undecided++;
        cvp_ring_fail(R, CVP_ERR_UNSUPPORTED,
                      "undecidable at %ld bits: an enclosure is not a number "
                      "(an overflow)", c->prec);
        mpfr_set_inf(c->lo, -1);
        mpfr_set_inf(c->hi, 1);
    }
    mpfr_set(r->lo, c->lo, MPFR_RNDD);
    mpfr_set(r->hi, c->hi, MPFR_RNDU);
}

/* ---- the ring interface ------------------------------------------------ */

static void iv_init(cvp_ring *R, void *p)
{
    cvp_interval *x = p;
    mpfr_init2(x->lo, ctx(R)->prec);
    mpfr_init2(x->hi, ctx(R)->prec);
    mpfr_set_zero(x->lo, 1);
    mpfr_set_zero(x->hi, 1);
}

static void iv_clear(cvp_ring *R, void *p)
{
    (void)R;
    cvp_interval *x = p;
    mpfr_clear(x->lo);
    mpfr_clear(x->hi);
}

static void iv_set(cvp_ring *R, void *r, const void *a)
{
    (void)R;
    cvp_interval *x = r;
    const cvp_interval *y = a;
    mpfr_set(x->lo, y->lo, MPFR_RNDD);
    mpfr_set(x->hi, y->hi, MPFR_RNDU);
}

static void iv_set_q(cvp_ring *R, void *r, const mpq_t q)
{
    (void)R;
    cvp_interval *x = r;
    mpfr_set_q(x->lo, q, MPFR_RNDD);
    mpfr_set_q(x->hi, q, MPFR_RNDU);
}

static void iv_add(cvp_ring *R, void *r, const void *a, const void *b)
{
    const cvp_interval *x = a, *y = b;
    mpfr_add(ctx(R)->lo, x->lo, y->lo, MPFR_RNDD);
    mpfr_add(ctx(R)->hi, x->hi, y->hi, MPFR_RNDU);
    store(R, r);
}

static void iv_sub(cvp_ring *R, void *r, const void *a, const void *b)
{
    const cvp_interval *x = a, *y = b;
    mpfr_sub(ctx(R)->lo, x->lo, y->hi, MPFR_RNDD);
    mpfr_sub(ctx(R)->hi, x->hi, y->lo, MPFR_RNDU);
    store(R, r);
}

static void iv_neg(cvp_ring *R, void *r, const void *a)
{
    const cvp_interval *x = a;
    mpfr_neg(ctx(R)->lo, x->hi, MPFR_RNDD);   /* exact */
    mpfr_neg(ctx(R)->hi, x->lo, MPFR_RNDU);
    store(R, r);
}

/* The product's range is spanned by the four endpoint products (the
 * product is bilinear); each is rounded in the direction it bounds. */
static void iv_mul(cvp_ring *R, void *r, const void *a, const void *b)
{
    interval_context *c = ctx(R);
    const cvp_interval *x = a, *y = b;
    mpfr_srcptr xs[2] = {x->lo, x->hi}, ys[2] = {y->lo, y->hi};
    for (int k = 0; k < 4; k++) {
        mpfr_mul(c->t, xs[k / 2], ys[k % 2], MPFR_RNDD);
        if (k == 0 || mpfr_less_p(c->t, c->lo))
            mpfr_set(c->lo, c->t, MPFR_RNDD);
        mpfr_mul(c->t, xs[k / 2], ys[k % 2], MPFR_RNDU);
        if (k == 0 || mpfr_greater_p(c->t, c->hi))
            mpfr_set(c->hi, c->t, MPFR_RNDU);
    }
    store(R, r);
}

static bool iv_is_zero(cvp_ring *R, const void *a)
{
    (void)R;
    const cvp_interval *x = a;
    return mpfr_zero_p(x->lo) && mpfr_zero_p(x->hi);
}

/* The same enclosure (not: the same real; that is never decidable). */
static bool iv_equal(cvp_ring *R, const void *a, const void *b)
{
    (void)R;
    const cvp_interval *x = a, *y = b;
    return mpfr_equal_p(x->lo, y->lo) && mpfr_equal_p(x->hi, y->hi);
}

static bool is_point(const cvp_interval *x)
{
    return mpfr_equal_p(x->lo, x->hi);
}

static int iv_cmp(cvp_ring *R, const void *a, const void *b)
{
    const cvp_interval *x = a, *y = b;
    if (mpfr_less_p(x->hi, y->lo))
        return -1;
    if (mpfr_greater_p(x->lo, y->hi))
        return 1;
    if (is_point(x) && is_point(y) && mpfr_equal_p(x->lo, y->lo))
        return 0;
    undecided(R, "cannot order the overlapping enclosures", x, y);
    return 0;
}

static void iv_format(cvp_ring *R, char *buf, size_t n, const void *a)
{
    (void)R;
    cvp_interval_format(buf, n, a, 20);
}

void cvp_ring_interval_init(cvp_ring *R, long prec)
{
    CVP_ASSERT(prec >= CVP_INTERVAL_MIN_PREC && prec <= CVP_INTERVAL_MAX_PREC);
    memset(R, 0, sizeof *R);
    interval_context *c = cvp_xcalloc(1, sizeof *c);
    c->prec = prec;
    mpfr_inits2(prec, c->lo, c->hi, c->t, (mpfr_ptr)NULL);
    R->name = "interval";
    R->elem_size = sizeof(cvp_interval);
    R->cmp = iv_cmp;
    R->init = iv_init;
    R->clear = iv_clear;
    R->set = iv_set;
    R->set_q = iv_set_q;
    R->add = iv_add;
    R->sub = iv_sub;
    R->mul = iv_mul;
    R->neg = iv_neg;
    R->is_zero = iv_is_zero;
    R->equal = iv_equal;
    R->format = iv_format;
    R->context = c;
}

void cvp_ring_interval_clear(cvp_ring *R)
{
    interval_context *c = ctx(R);
    mpfr_clears(c->lo, c->hi, c->t, (mpfr_ptr)NULL);
    free(c);
    R->context = NULL;
    /* MPFR caches constants and tables per thread; give them back so a
     * long run (and valgrind) sees no growth. */
    mpfr_free_cache();
}

bool cvp_ring_is_interval(const cvp_ring *R)
{
    return R->init == iv_init;
}

long cvp_ring_interval_prec(const cvp_ring *R)
{
    return ((const interval_context *)R->context)->prec;
}

size_t cvp_ring_interval_undecided(const cvp_ring *R)
{
    return ((const interval_context *)R->context)->undecided;
}

/* ---- beyond the ring interface ----------------------------------------- */

static bool contains_zero(const cvp_interval *x)
{
    return mpfr_sgn(x->lo) <= 0 && mpfr_sgn(x->hi) >= 0;
}

void cvp_interval_div(cvp_ring *R, cvp_interval *r, const cvp_interval *a,
                      const cvp_interval *b)
{
    if (contains_zero(b)) {
        undecided(R, "the divisor may be 0:", b, NULL);
        return;
    }
    /* With 0 outside the divisor, a / b is monotone in each argument, so
     * the four endpoint quotients span it, as for the product. */
    interval_context *c = ctx(R);
    mpfr_srcptr xs[2] = {a->lo, a->hi}, ys[2] = {b->lo, b->hi};
    for (int k = 0; k < 4; k++) {
        mpfr_div(c->t, xs[k / 2], ys[k % 2], MPFR_RNDD);
        if (k == 0 || mpfr_less_p(c->t, c->lo))
            mpfr_set(c->lo, c->t, MPFR_RNDD);
        mpfr_div(c->t, xs[k / 2], ys[k % 2], MPFR_RNDU);
        if (k == 0 || mpfr_greater_p(c->t, c->hi))
            mpfr_set(c->hi, c->t, MPFR_RNDU);
    }
    store(R, r);
}

/* exp, log and tanh are increasing: the image of [lo, hi] is
 * [f(lo), f(hi)], each endpoint rounded outward by MPFR itself. */
void cvp_interval_exp(cvp_ring *R, cvp_interval *r, const cvp_interval *a)
{
    mpfr_exp(ctx(R)->lo, a->lo, MPFR_RNDD);
    mpfr_exp(ctx(R)->hi, a->hi, MPFR_RNDU);
    store(R, r);
}

void cvp_interval_log(cvp_ring *R, cvp_interval *r, const cvp_interval *a)
{
    if (mpfr_sgn(a->hi) <= 0) {
        char x[128];
        cvp_interval_format(x, sizeof x, a, 12);
        cvp_ring_fail(R, CVP_ERR_INPUT, "log of a number <= 0 (its enclosure is %s)",
                      x);
        return;
    }
    if (mpfr_sgn(a->lo) <= 0) {
        undecided(R, "the argument of log may be <= 0:", a, NULL);
        return;
    }
    mpfr_log(ctx(R)->lo, a->lo, MPFR_RNDD);
    mpfr_log(ctx(R)->hi, a->hi, MPFR_RNDU);
    store(R, r);
}

void cvp_interval_tanh(cvp_ring *R, cvp_interval *r, const cvp_interval *a)
{
    mpfr_tanh(ctx(R)->lo, a->lo, MPFR_RNDD);
    mpfr_tanh(ctx(R)->hi, a->hi, MPFR_RNDU);
    store(R, r);
}

/* sigmoid is increasing.  Its lower endpoint 1 / (1 + exp(-lo)) needs the
 * denominator rounded up (so exp(-lo) up), its upper endpoint the
 * denominator rounded down; each step keeps the direction. */
void cvp_interval_sigmoid(cvp_ring *R, cvp_interval *r, const cvp_interval *a)
{
    interval_context *c = ctx(R);
    mpfr_neg(c->t, a->lo, MPFR_RNDN);               /* exact */
    mpfr_exp(c->t, c->t, MPFR_RNDU);
    mpfr_add_ui(c->t, c->t, 1, MPFR_RNDU);
    mpfr_ui_div(c->lo, 1, c->t, MPFR_RNDD);
    mpfr_neg(c->t, a->hi, MPFR_RNDN);
    mpfr_exp(c->t, c->t, MPFR_RNDD);
    mpfr_add_ui(c->t, c->t, 1, MPFR_RNDD);
    mpfr_ui_div(c->hi, 1, c->t, MPFR_RNDU);
    store(R, r);
}

bool cvp_interval_disjoint(const cvp_interval *a, const cvp_interval *b)
{
    return mpfr_less_p(a->hi, b->lo) || mpfr_less_p(b->hi, a->lo);
}

bool cvp_interval_contains_q(const cvp_interval *x, const mpq_t q)
{
    return mpfr_cmp_q(x->lo, q) <= 0 && mpfr_cmp_q(x->hi, q) >= 0;
}

void cvp_interval_width(mpfr_t w, const cvp_interval *x)
{
    mpfr_sub(w, x->hi, x->lo, MPFR_RNDU);
}

void cvp_interval_hull_width(mpfr_t w, const cvp_interval *a,
                             const cvp_interval *b)
{
    mpfr_srcptr hi = mpfr_greater_p(a->hi, b->hi) ? a->hi : b->hi;
    mpfr_srcptr lo = mpfr_less_p(a->lo, b->lo) ? a->lo : b->lo;
    mpfr_sub(w, hi, lo, MPFR_RNDU);
}

void cvp_interval_format(char *buf, size_t bufsize, const cvp_interval *x,
                         int digits)
{
    char lo[128], hi[128];
    mpfr_snprintf(lo, sizeof lo, "%.*RDg", digits, x->lo);
    mpfr_snprintf(hi, sizeof hi, "%.*RUg", digits, x->hi);
    /* Equal texts: lo and hi are rounded away from each other, so both
     * are that decimal, and the enclosure is the exact point. */
    if (strcmp(lo, hi) == 0)
        snprintf(buf, bufsize, "%s", lo);
    else
        snprintf(buf, bufsize, "%s..%s", lo, hi);
}
