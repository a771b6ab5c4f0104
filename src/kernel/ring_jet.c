/* ring_jet.c -- first-order jets over an interval ring.
 *
 * The same sparse tangent vectors as the dual numbers of ring_small.c,
 * with every coefficient an interval of the base ring, so each rounding
 * is done (outward) by ring_interval.c.  Results are built in a fresh
 * element and swapped in, so they may alias operands. */
#include "kernel/ring_jet.h"
#include "kernel/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    cvp_ring *base;
    size_t kinks;
} jet_context;

static cvp_ring *base_of(cvp_ring *R) { return ((jet_context *)R->context)->base; }

/* Copies a failure of the base ring into R (the operators check R). */
static void sync(cvp_ring *R)
{
    cvp_ring *B = base_of(R);
    if (cvp_ring_failed(B) && !cvp_ring_failed(R))
        cvp_ring_fail(R, B->failure, "%s", B->failure_message);
}

static void reserve(cvp_ring *R, cvp_jet *x, size_t cap)
{
    if (cap <= x->cap)
        return;
    size_t *index = cvp_xrealloc(x->index, cap * sizeof *index);
    cvp_interval *deriv = cvp_xrealloc(x->deriv, cap * sizeof *deriv);
    x->index = index;
    x->deriv = deriv;
    cvp_ring *B = base_of(R);
    for (size_t k = x->cap; k < cap; k++)
        B->init(B, &x->deriv[k]);
    x->cap = cap;
}

static void jet_init(cvp_ring *R, void *p)
{
    cvp_jet *x = p;
    cvp_ring *B = base_of(R);
    B->init(B, &x->value);
    x->len = x->cap = 0;
    x->index = NULL;
    x->deriv = NULL;
}

static void jet_clear(cvp_ring *R, void *p)
{
    cvp_jet *x = p;
    cvp_ring *B = base_of(R);
    B->clear(B, &x->value);
    for (size_t k = 0; k < x->cap; k++)
        B->clear(B, &x->deriv[k]);
    free(x->index);
    free(x->deriv);
}

static void jet_set(cvp_ring *R, void *r, const void *a)
{
    cvp_jet *x = r;
    const cvp_jet *y = a;
    if (x == y)
        return;
    cvp_ring *B = base_of(R);
    B->set(B, &x->value, &y->value);
    reserve(R, x, y->len);
    for (size_t k = 0; k < y->len; k++) {
        x->index[k] = y->index[k];
        B->set(B, &x->deriv[k], &y->deriv[k]);
    }
    x->len = y->len;
}

static void jet_set_q(cvp_ring *R, void *r, const mpq_t q)
{
    cvp_jet *x = r;
    cvp_ring *B = base_of(R);
    B->set_q(B, &x->value, q);
    x->len = 0;
}

/* Moves the fresh element *tmp into *r, freeing r's old contents. */
static void replace(cvp_ring *R, cvp_jet *r, cvp_jet *tmp)
{
    cvp_jet old = *r;
    *r = *tmp;
    jet_clear(R, &old);
    sync(R);
}

/* out' := alpha a' +- beta b' (alpha, beta intervals; NULL means 1),
 * merging the sorted index lists and dropping coefficients that are the
 * point 0.  out is a fresh element, distinct from a and b. */
static void combine(cvp_ring *R, cvp_jet *out, const cvp_jet *a,
                    const cvp_interval *alpha, const cvp_jet *b,
                    const cvp_interval *beta, bool subtract)
{
    cvp_ring *B = base_of(R);
    reserve(R, out, a->len + b->len);
    cvp_interval term;
    B->init(B, &term);
    size_t i = 0, j = 0, n = 0;
    while (i < a->len || j < b->len) {
        size_t ia = i < a->len ? a->index[i] : SIZE_MAX;
        size_t jb = j < b->len ? b->index[j] : SIZE_MAX;
        size_t k = ia < jb ? ia : jb;
        cvp_interval *d = &out->deriv[n];
        mpfr_set_zero(d->lo, 1);
        mpfr_set_zero(d->hi, 1);
        if (ia == k) {
            if (alpha) B->mul(B, &term, alpha, &a->deriv[i]);
            else B->set(B, &term, &a->deriv[i]);
            B->add(B, d, d, &term);
            i++;
        }
        if (jb == k) {
            if (beta) B->mul(B, &term, beta, &b->deriv[j]);
            else B->set(B, &term, &b->deriv[j]);
            if (subtract) B->sub(B, d, d, &term);
            else B->add(B, d, d, &term);
            j++;
        }
        if (!B->is_zero(B, d))
            out->index[n++] = k;
    }
    out->len = n;
    B->clear(B, &term);
}

static void jet_linear(cvp_ring *R, void *r, const void *a, const void *b,
                       bool subtract)
{
    cvp_ring *B = base_of(R);
    const cvp_jet *x = a, *y = b;
    cvp_jet tmp;
    jet_init(R, &tmp);
    if (subtract) B->sub(B, &tmp.value, &x->value, &y->value);
    else B->add(B, &tmp.value, &x->value, &y->value);
    combine(R, &tmp, x, NULL, y, NULL, subtract);
    replace(R, r, &tmp);
}

static void jet_add(cvp_ring *R, void *r, const void *a, const void *b)
{
    jet_linear(R, r, a, b, false);
}

static void jet_sub(cvp_ring *R, void *r, const void *a, const void *b)
{
    jet_linear(R, r, a, b, true);
}

static void jet_mul(cvp_ring *R, void *r, const void *a, const void *b)
{
    /* (u + u'e)(v + v'e) = uv + (v u' + u v') e */
    cvp_ring *B = base_of(R);
    const cvp_jet *x = a, *y = b;
    cvp_jet tmp;
    jet_init(R, &tmp);
    B->mul(B, &tmp.value, &x->value, &y->value);
    combine(R, &tmp, x, &y->value, y, &x->value, false);
    replace(R, r, &tmp);
}

static void jet_neg(cvp_ring *R, void *r, const void *a)
{
    cvp_ring *B = base_of(R);
    jet_set(R, r, a);
    cvp_jet *x = r;
    B->neg(B, &x->value, &x->value);
    for (size_t k = 0; k < x->len; k++)
        B->neg(B, &x->deriv[k], &x->deriv[k]);
}

static bool jet_is_zero(cvp_ring *R, const void *a)
{
    cvp_ring *B = base_of(R);
    const cvp_jet *x = a;
    return B->is_zero(B, &x->value) && x->len == 0;
}

static bool same_tangent(cvp_ring *R, const cvp_jet *x, const cvp_jet *y)
{
    cvp_ring *B = base_of(R);
    if (x->len != y->len)
        return false;
    for (size_t k = 0; k < x->len; k++)
        if (x->index[k] != y->index[k] || !B->equal(B, &x->deriv[k], &y->deriv[k]))
            return false;
    return true;
}

static bool jet_equal(cvp_ring *R, const void *a, const void *b)
{
    cvp_ring *B = base_of(R);
    const cvp_jet *x = a, *y = b;
    return B->equal(B, &x->value, &y->value) && same_tangent(R, x, y);
}

static int jet_cmp(cvp_ring *R, const void *a, const void *b)
{
    cvp_ring *B = base_of(R);
    const cvp_jet *x = a, *y = b;
    size_t before = cvp_ring_interval_undecided(B);
    int c = B->cmp(B, &x->value, &y->value);
    sync(R);
    /* Equal points with slopes that are not known to agree: the order
     * near the point depends on the direction, so no derivative. */
    if (c == 0 && cvp_ring_interval_undecided(B) == before && !same_tangent(R, x, y))
        ((jet_context *)R->context)->kinks++;
    return c;
}

static void jet_format(cvp_ring *R, char *buf, size_t n, const void *a)
{
    const cvp_jet *x = a;
    char value[256];
    cvp_interval_format(value, sizeof value, &x->value, 20);
    snprintf(buf, n, "%s (with %zu partial derivative%s)", value, x->len,
             x->len == 1 ? "" : "s");
    (void)R;
}

void cvp_ring_jet_init(cvp_ring *R, cvp_ring *base)
{
    CVP_ASSERT(cvp_ring_is_interval(base));
    memset(R, 0, sizeof *R);
    jet_context *c = cvp_xcalloc(1, sizeof *c);
    c->base = base;
    R->name = "interval jets";
    R->elem_size = sizeof(cvp_jet);
    R->cmp = jet_cmp;
    R->init = jet_init;
    R->clear = jet_clear;
    R->set = jet_set;
    R->set_q = jet_set_q;
    R->add = jet_add;
    R->sub = jet_sub;
    R->mul = jet_mul;
    R->neg = jet_neg;
    R->is_zero = jet_is_zero;
    R->equal = jet_equal;
    R->format = jet_format;
    R->context = c;
}

void cvp_ring_jet_clear(cvp_ring *R)
{
    free(R->context);
    R->context = NULL;
}

bool cvp_ring_is_jet(const cvp_ring *R)
{
    return R->init == jet_init;
}

cvp_ring *cvp_ring_jet_base(const cvp_ring *R)
{
    return ((const jet_context *)R->context)->base;
}

size_t cvp_ring_jet_kinks(const cvp_ring *R)
{
    return ((const jet_context *)R->context)->kinks;
}

void cvp_jet_set_seed(cvp_ring *R, cvp_jet *x, const cvp_interval *value,
                      size_t k)
{
    cvp_ring *B = base_of(R);
    B->set(B, &x->value, value);
    x->len = 0;
    if (k != SIZE_MAX) {
        reserve(R, x, 1);
        x->index[0] = k;
        cvp_ring_set_si(B, &x->deriv[0], 1);
        x->len = 1;
    }
}

void cvp_jet_get_deriv(cvp_ring *R, cvp_interval *d, const cvp_jet *x, size_t k)
{
    cvp_ring *B = base_of(R);
    mpfr_set_zero(d->lo, 1);
    mpfr_set_zero(d->hi, 1);
    for (size_t j = 0; j < x->len; j++)
        if (x->index[j] == k)
            B->set(B, d, &x->deriv[j]);
}

/* ---- the chain rule ------------------------------------------------------ */

/* r := f(a) given value = f(a.value) and slope = f'(a.value), both
 * enclosures: r' = slope * a'. */
static void chain(cvp_ring *R, cvp_jet *r, const cvp_jet *a,
                  const cvp_interval *value, const cvp_interval *slope)
{
    cvp_ring *B = base_of(R);
    cvp_jet tmp;
    jet_init(R, &tmp);
    B->set(B, &tmp.value, value);
    reserve(R, &tmp, a->len);
    size_t n = 0;
    for (size_t k = 0; k < a->len; k++) {
        B->mul(B, &tmp.deriv[n], slope, &a->deriv[k]);
        if (!B->is_zero(B, &tmp.deriv[n]))
            tmp.index[n++] = a->index[k];
    }
    tmp.len = n;
    replace(R, r, &tmp);
}

typedef enum { FN_EXP, FN_LOG, FN_TANH, FN_SIGMOID } unary_fn;

static void apply(cvp_ring *R, cvp_jet *r, const cvp_jet *a, unary_fn fn)
{
    cvp_ring *B = base_of(R);
    cvp_interval value, slope, one;
    B->init(B, &value);
    B->init(B, &slope);
    B->init(B, &one);
    cvp_ring_set_si(B, &one, 1);
    switch (fn) {
    case FN_EXP:         /* exp' = exp */
        cvp_interval_exp(B, &value, &a->value);
        B->set(B, &slope, &value);
        break;
    case FN_LOG:         /* log'(x) = 1/x */
        cvp_interval_log(B, &value, &a->value);
        cvp_interval_div(B, &slope, &one, &a->value);
        break;
    case FN_TANH:        /* tanh' = 1 - tanh^2 */
        cvp_interval_tanh(B, &value, &a->value);
        B->mul(B, &slope, &value, &value);
        B->sub(B, &slope, &one, &slope);
        break;
    case FN_SIGMOID:     /* sigmoid' = sigmoid (1 - sigmoid) */
        cvp_interval_sigmoid(B, &value, &a->value);
        B->sub(B, &slope, &one, &value);
        B->mul(B, &slope, &value, &slope);
        break;
    }
    chain(R, r, a, &value, &slope);
    B->clear(B, &value);
    B->clear(B, &slope);
    B->clear(B, &one);
}

void cvp_jet_exp(cvp_ring *R, cvp_jet *r, const cvp_jet *a) { apply(R, r, a, FN_EXP); }
void cvp_jet_log(cvp_ring *R, cvp_jet *r, const cvp_jet *a) { apply(R, r, a, FN_LOG); }
void cvp_jet_tanh(cvp_ring *R, cvp_jet *r, const cvp_jet *a) { apply(R, r, a, FN_TANH); }
void cvp_jet_sigmoid(cvp_ring *R, cvp_jet *r, const cvp_jet *a)
{
    apply(R, r, a, FN_SIGMOID);
}

void cvp_jet_div(cvp_ring *R, cvp_jet *r, const cvp_jet *a, const cvp_jet *b)
{
    /* q = a/b, q' = (a' - q b') / b */
    cvp_ring *B = base_of(R);
    cvp_jet tmp;
    jet_init(R, &tmp);
    cvp_interval_div(B, &tmp.value, &a->value, &b->value);
    combine(R, &tmp, a, NULL, b, &tmp.value, true);
    size_t n = 0;
    for (size_t k = 0; k < tmp.len; k++) {
        cvp_interval_div(B, &tmp.deriv[n], &tmp.deriv[k], &b->value);
        if (!B->is_zero(B, &tmp.deriv[n])) {
            tmp.index[n] = tmp.index[k];
            n++;
        }
    }
    tmp.len = n;
    replace(R, r, &tmp);
}
