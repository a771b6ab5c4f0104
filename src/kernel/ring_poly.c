/* ring_poly.c -- canonical sparse polynomials over Q. */
#include "kernel/ring_poly.h"
#include "kernel/alloc.h"
#include "kernel/interrupt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    size_t max_terms;
    /* Term slots held by every polynomial of the ring (the sum of their
     * caps), and the most it may hold: max_terms bounds one polynomial,
     * but a 30 x 30 matrix of polynomials just under it is 900 times as
     * large, so the ring bounds the whole too. */
    size_t live_terms, max_live_terms;
    size_t var_count, var_cap;
    char **var_names;
} poly_context;

static poly_context *ctx_of(const cvp_ring *R) { return R->context; }

/* ---- terms ------------------------------------------------------------ */

/* Order of monomials: by degree, then lexicographically by variables. */
static int monomial_cmp(const cvp_poly_term *a, const cvp_poly_term *b)
{
    if (a->degree != b->degree)
        return a->degree < b->degree ? -1 : 1;
    for (uint32_t k = 0; k < a->degree; k++)
        if (a->vars[k] != b->vars[k])
            return a->vars[k] < b->vars[k] ? -1 : 1;
    return 0;
}

/* Room for cap terms in x.  False, with a CVP_ERR_LIMIT failure recorded
 * in R and x unchanged, when that would take the ring's term slots above
 * its limit or the allocation fails: a polynomial's size follows from the
 * user's claim, so running out is a limit, never an abort.  The term
 * array is counted in kernel/alloc.h's live bytes (so --max-memory sees
 * it) and refused, not fatal, at the hard limit. */
static bool poly_reserve(cvp_ring *R, cvp_poly *x, size_t cap)
{
    if (cap <= x->cap)
        return true;
    poly_context *ctx = ctx_of(R);
    size_t grown = x->cap ? x->cap : 4;
    while (grown < cap && grown <= SIZE_MAX / 2)
        grown *= 2;
    if (grown < cap)
        grown = cap;
    size_t more = grown - x->cap;
    if (more > ctx->max_live_terms - ctx->live_terms) {
        /* try the exact size before giving up */
        grown = cap;
        more = grown - x->cap;
    }
    if (more > ctx->max_live_terms - ctx->live_terms) {
        if (!cvp_ring_failed(R))
            cvp_ring_fail(R, CVP_ERR_LIMIT,
                          "the polynomials of this computation need more than "
                          "%zu terms in all (the limit: %d times --max-terms, "
                          "at least %zu)", ctx->max_live_terms,
                          CVP_POLY_LIVE_FACTOR, CVP_POLY_MIN_LIVE_TERMS);
        return false;
    }
    if (grown > SIZE_MAX / sizeof *x->terms) {
        if (!cvp_ring_failed(R))
            cvp_ring_fail(R, CVP_ERR_LIMIT, "out of memory (a polynomial of "
                          "%zu terms)", cap);
        return false;
    }
    cvp_poly_term *terms = cvp_alloc_try_realloc(x->terms,
                                                 x->cap * sizeof *terms,
                                                 grown * sizeof *terms);
    if (terms == NULL) {
        if (!cvp_ring_failed(R))
            cvp_ring_fail(R, CVP_ERR_LIMIT, "out of memory (a polynomial of "
                          "%zu terms could not be allocated)", cap);
        return false;
    }
    x->terms = terms;
    for (size_t k = x->cap; k < grown; k++)
        mpq_init(x->terms[k].coeff);
    ctx->live_terms += more;
    x->cap = grown;
    return true;
}

/* Copies the monomial (not the coefficient) of src into dst. */
static void copy_monomial(cvp_poly_term *dst, const cvp_poly_term *src)
{
    dst->degree = src->degree;
    memcpy(dst->vars, src->vars, src->degree * sizeof src->vars[0]);
}

static bool check_size(cvp_ring *R, size_t len)
{
    if (len <= ctx_of(R)->max_terms)
        return true;
    cvp_ring_fail(R, CVP_ERR_LIMIT,
                  "a polynomial has more than %zu terms (the limit; see --max-terms)",
                  ctx_of(R)->max_terms);
    return false;
}

/* ---- ring operations -------------------------------------------------- */

static void poly_init(cvp_ring *R, void *p)
{
    (void)R;
    cvp_poly *x = p;
    x->len = x->cap = 0;
    x->terms = NULL;
}

static void poly_clear(cvp_ring *R, void *p)
{
    cvp_poly *x = p;
    poly_context *ctx = ctx_of(R);
    for (size_t k = 0; k < x->cap; k++)
        mpq_clear(x->terms[k].coeff);
    cvp_alloc_free(x->terms, x->cap * sizeof *x->terms);
    ctx->live_terms -= x->cap <= ctx->live_terms ? x->cap : ctx->live_terms;
}

static void poly_set(cvp_ring *R, void *r, const void *a)
{
    cvp_poly *x = r;
    const cvp_poly *y = a;
    if (x == y || !poly_reserve(R, x, y->len))
        return;
    for (size_t k = 0; k < y->len; k++) {
        copy_monomial(&x->terms[k], &y->terms[k]);
        mpq_set(x->terms[k].coeff, y->terms[k].coeff);
    }
    x->len = y->len;
}

static void poly_set_q(cvp_ring *R, void *r, const mpq_t q)
{
    cvp_poly *x = r;
    x->len = 0;
    if (mpq_sgn(q) != 0) {
        if (!poly_reserve(R, x, 1))
            return;
        x->terms[0].degree = 0;
        mpq_set(x->terms[0].coeff, q);
        x->len = 1;
    }
}

/* Replaces *r by tmp (which it takes over). */
static void poly_take(cvp_ring *R, cvp_poly *r, cvp_poly *tmp)
{
    cvp_poly old = *r;
    *r = *tmp;
    poly_clear(R, &old);
}

/* A time or memory limit (kernel/interrupt.h) stops a long polynomial
 * computation between element operations: the operation records the limit
 * and leaves its result unchanged; the operator reports the failure after
 * its loop nest, and every later operation returns at once. */
static bool interrupted(cvp_ring *R)
{
    if (!cvp_interrupt_poll())
        return false;
    if (!cvp_ring_failed(R))
        cvp_ring_fail(R, CVP_ERR_LIMIT, "not decided: limit %s reached",
                      cvp_interrupt_limit_name(cvp_interrupt_reached()));
    return true;
}

static void poly_merge(cvp_ring *R, void *r, const void *a, const void *b,
                       bool subtract)
{
    if (interrupted(R))
        return;
    const cvp_poly *x = a, *y = b;
    cvp_poly tmp;
    poly_init(R, &tmp);
    if (!poly_reserve(R, &tmp, x->len + y->len))
        return;
    size_t i = 0, j = 0, n = 0;
    while (i < x->len || j < y->len) {
        int c = i == x->len ? 1 : j == y->len ? -1
                                               : monomial_cmp(&x->terms[i], &y->terms[j]);
        cvp_poly_term *t = &tmp.terms[n];
        if (c < 0) {
            copy_monomial(t, &x->terms[i]);
            mpq_set(t->coeff, x->terms[i++].coeff);
        } else if (c > 0) {
            copy_monomial(t, &y->terms[j]);
            if (subtract) mpq_neg(t->coeff, y->terms[j++].coeff);
            else mpq_set(t->coeff, y->terms[j++].coeff);
        } else {
            copy_monomial(t, &x->terms[i]);
            if (subtract) mpq_sub(t->coeff, x->terms[i++].coeff, y->terms[j++].coeff);
            else mpq_add(t->coeff, x->terms[i++].coeff, y->terms[j++].coeff);
        }
        if (mpq_sgn(t->coeff) != 0)
            n++;
    }
    tmp.len = n;
    if (check_size(R, n))
        poly_take(R, (cvp_poly *)r, &tmp);
    else
        poly_clear(R, &tmp);
}

static void poly_add(cvp_ring *R, void *r, const void *a, const void *b)
{
    poly_merge(R, r, a, b, false);
}
static void poly_sub(cvp_ring *R, void *r, const void *a, const void *b)
{
    poly_merge(R, r, a, b, true);
}

static int term_order(const void *a, const void *b)
{
    return monomial_cmp(a, b);
}

/* Sorts tmp's terms, adds up equal monomials and drops zeros.  Terms are
 * moved as structs (a shallow move relocates an mpq_t). */
static void canonicalize(cvp_poly *tmp)
{
    if (tmp->len == 0)
        return;
    qsort(tmp->terms, tmp->len, sizeof *tmp->terms, term_order);
    size_t n = 0;
    for (size_t k = 0; k < tmp->len; k++) {
        if (n > 0 && monomial_cmp(&tmp->terms[n - 1], &tmp->terms[k]) == 0) {
            mpq_add(tmp->terms[n - 1].coeff, tmp->terms[n - 1].coeff, tmp->terms[k].coeff);
            continue;
        }
        if (n > 0 && mpq_sgn(tmp->terms[n - 1].coeff) == 0)
            n--;   /* the previous monomial cancelled out: reuse its slot */
        if (n != k) {
            cvp_poly_term swap = tmp->terms[n];
            tmp->terms[n] = tmp->terms[k];
            tmp->terms[k] = swap;
        }
        n++;
    }
    if (n > 0 && mpq_sgn(tmp->terms[n - 1].coeff) == 0)
        n--;
    tmp->len = n;
}

static void poly_mul(cvp_ring *R, void *r, const void *a, const void *b)
{
    if (interrupted(R))
        return;
    const cvp_poly *x = a, *y = b;
    cvp_poly tmp;
    poly_init(R, &tmp);
    if (x->len != 0 && y->len != 0 && x->len > ctx_of(R)->max_terms / y->len + 1) {
        check_size(R, SIZE_MAX);
        poly_clear(R, &tmp);
        return;
    }
    if (!poly_reserve(R, &tmp, x->len * y->len))
        return;
    size_t n = 0;
    for (size_t i = 0; i < x->len; i++)
        for (size_t j = 0; j < y->len; j++) {
            /* a long product is a long loop of GMP calls: poll */
            if ((n & 1023) == 1023 && interrupted(R)) {
                poly_clear(R, &tmp);
                return;
            }
            const cvp_poly_term *s = &x->terms[i], *t = &y->terms[j];
            if (s->degree + t->degree > CVP_POLY_MAX_DEGREE) {
                cvp_ring_fail(R, CVP_ERR_LIMIT,
                              "a polynomial term has degree above %d", CVP_POLY_MAX_DEGREE);
                poly_clear(R, &tmp);
                return;
            }
            cvp_poly_term *p = &tmp.terms[n++];
            /* merge the two sorted variable lists */
            uint32_t u = 0, v = 0, w = 0;
            while (u < s->degree || v < t->degree)
                p->vars[w++] = (v == t->degree || (u < s->degree && s->vars[u] <= t->vars[v]))
                                   ? s->vars[u++] : t->vars[v++];
            p->degree = w;
            mpq_mul(p->coeff, s->coeff, t->coeff);
        }
    tmp.len = n;
    canonicalize(&tmp);
    if (check_size(R, tmp.len))
        poly_take(R, (cvp_poly *)r, &tmp);
    else
        poly_clear(R, &tmp);
}

static void poly_neg(cvp_ring *R, void *r, const void *a)
{
    poly_set(R, r, a);
    cvp_poly *x = r;
    for (size_t k = 0; k < x->len; k++)
        mpq_neg(x->terms[k].coeff, x->terms[k].coeff);
}

static bool poly_is_zero(cvp_ring *R, const void *a)
{
    (void)R;
    return ((const cvp_poly *)a)->len == 0;
}

static bool poly_equal(cvp_ring *R, const void *a, const void *b)
{
    (void)R;
    const cvp_poly *x = a, *y = b;
    if (x->len != y->len)
        return false;
    for (size_t k = 0; k < x->len; k++)
        if (monomial_cmp(&x->terms[k], &y->terms[k]) != 0 ||
            !mpq_equal(x->terms[k].coeff, y->terms[k].coeff))
            return false;
    return true;
}

void cvp_poly_format_term(const cvp_ring *R, char *buf, size_t n,
                          const cvp_poly *a, size_t k)
{
    const cvp_poly_term *t = &a->terms[k];
    int used = 0;
    bool unit = t->degree > 0 && mpz_cmpabs_ui(mpq_numref(t->coeff), 1) == 0 &&
                mpz_cmp_ui(mpq_denref(t->coeff), 1) == 0;
    if (unit)
        used = snprintf(buf, n, "%s", mpq_sgn(t->coeff) < 0 ? "-" : "");
    else
        used = gmp_snprintf(buf, n, "%Qd", t->coeff);
    for (uint32_t j = 0; j < t->degree && used >= 0 && (size_t)used < n;) {
        uint32_t e = 1;
        while (j + e < t->degree && t->vars[j + e] == t->vars[j])
            e++;
        const char *sep = (j == 0 && unit) ? "" : "*";
        if (e == 1)
            used += snprintf(buf + used, n - (size_t)used, "%s%s", sep,
                             cvp_ring_poly_var_name(R, t->vars[j]));
        else
            used += snprintf(buf + used, n - (size_t)used, "%s%s^%u", sep,
                             cvp_ring_poly_var_name(R, t->vars[j]), e);
        j += e;
    }
}

static void poly_format(cvp_ring *R, char *buf, size_t n, const void *a)
{
    const cvp_poly *x = a;
    if (n == 0)
        return;
    if (x->len == 0) {
        snprintf(buf, n, "0");
        return;
    }
    size_t used = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < x->len && used + 1 < n; k++) {
        char term[512];
        cvp_poly_format_term(R, term, sizeof term, x, k);
        const char *text = term;
        const char *sep = k == 0 ? "" : " + ";
        if (k > 0 && term[0] == '-') {
            sep = " - ";
            text = term + 1;
        }
        int w = snprintf(buf + used, n - used, "%s%s", sep, text);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

void cvp_ring_poly_init(cvp_ring *R, size_t max_terms)
{
    memset(R, 0, sizeof *R);
    poly_context *ctx = cvp_xcalloc(1, sizeof *ctx);
    ctx->max_terms = max_terms;
    ctx->max_live_terms = max_terms <= SIZE_MAX / CVP_POLY_LIVE_FACTOR
                              ? max_terms * CVP_POLY_LIVE_FACTOR : SIZE_MAX;
    if (ctx->max_live_terms < CVP_POLY_MIN_LIVE_TERMS)
        ctx->max_live_terms = CVP_POLY_MIN_LIVE_TERMS;
    R->name = "Q[x]";
    R->elem_size = sizeof(cvp_poly);
    R->cmp = NULL;
    R->init = poly_init;
    R->clear = poly_clear;
    R->set = poly_set;
    R->set_q = poly_set_q;
    R->add = poly_add;
    R->sub = poly_sub;
    R->mul = poly_mul;
    R->neg = poly_neg;
    R->is_zero = poly_is_zero;
    R->equal = poly_equal;
    R->format = poly_format;
    R->context = ctx;
}

bool cvp_ring_is_poly(const cvp_ring *R)
{
    return R->init == poly_init;
}

bool cvp_poly_get_var(const cvp_poly *x, uint32_t *var)
{
    if (x->len != 1 || x->terms[0].degree != 1 || mpq_cmp_ui(x->terms[0].coeff, 1, 1) != 0)
        return false;
    *var = x->terms[0].vars[0];
    return true;
}

void cvp_ring_poly_clear(cvp_ring *R)
{
    poly_context *ctx = ctx_of(R);
    for (size_t k = 0; k < ctx->var_count; k++)
        free(ctx->var_names[k]);
    free(ctx->var_names);
    free(ctx);
    R->context = NULL;
}

uint32_t cvp_ring_poly_add_var(cvp_ring *R, const char *name)
{
    poly_context *ctx = ctx_of(R);
    if (ctx->var_count == ctx->var_cap) {
        size_t cap = ctx->var_cap ? 2 * ctx->var_cap : 16;
        char **names = cvp_xrealloc(ctx->var_names, cap * sizeof *names);
        ctx->var_names = names;
        ctx->var_cap = cap;
    }
    CVP_ASSERT(ctx->var_count < UINT32_MAX);
    ctx->var_names[ctx->var_count] = strdup(name);
    CVP_ASSERT(ctx->var_names[ctx->var_count] != NULL);
    return (uint32_t)ctx->var_count++;
}

size_t cvp_ring_poly_var_count(const cvp_ring *R) { return ctx_of(R)->var_count; }

const char *cvp_ring_poly_var_name(const cvp_ring *R, uint32_t var)
{
    const poly_context *ctx = ctx_of(R);
    return var < ctx->var_count ? ctx->var_names[var] : "?";
}

void cvp_poly_set_var(cvp_ring *R, cvp_poly *x, uint32_t var)
{
    if (!poly_reserve(R, x, 1))
        return;
    x->terms[0].degree = 1;
    x->terms[0].vars[0] = var;
    mpq_set_ui(x->terms[0].coeff, 1, 1);
    x->len = 1;
}

void cvp_poly_derivative(cvp_ring *R, cvp_poly *r, const cvp_poly *a, uint32_t var)
{
    cvp_poly tmp;
    poly_init(R, &tmp);
    if (!poly_reserve(R, &tmp, a->len))
        return;
    size_t n = 0;
    for (size_t k = 0; k < a->len; k++) {
        const cvp_poly_term *t = &a->terms[k];
        uint32_t e = 0, first = 0;
        for (uint32_t j = 0; j < t->degree; j++)
            if (t->vars[j] == var) {
                if (e == 0)
                    first = j;
                e++;
            }
        if (e == 0)
            continue;
        /* d/dx (c x^e m) = c e x^(e-1) m: drop one occurrence of x. */
        cvp_poly_term *d = &tmp.terms[n++];
        d->degree = t->degree - 1;
        memcpy(d->vars, t->vars, first * sizeof t->vars[0]);
        memcpy(d->vars + first, t->vars + first + 1,
               (t->degree - first - 1) * sizeof t->vars[0]);
        mpq_set_ui(d->coeff, e, 1);
        mpq_mul(d->coeff, d->coeff, t->coeff);
    }
    tmp.len = n;
    /* Dropping the same variable from distinct monomials keeps them
     * distinct, but their order may change (degree drops uniformly, so it
     * does not); canonicalise anyway, it is cheap and keeps the invariant
     * obviously true. */
    canonicalize(&tmp);
    poly_take(R, r, &tmp);
}

long cvp_poly_degree(const cvp_poly *a)
{
    return a->len == 0 ? -1 : (long)a->terms[a->len - 1].degree;
}

bool cvp_poly_get_constant(mpq_t q, const cvp_poly *a)
{
    if (a->len == 0) {
        mpq_set_ui(q, 0, 1);
        return true;
    }
    if (a->len == 1 && a->terms[0].degree == 0) {
        mpq_set(q, a->terms[0].coeff);
        return true;
    }
    return false;
}
