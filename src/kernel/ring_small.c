/* ring_small.c -- Z/pZ, the degree semiring and dual numbers over Q. */
#include "kernel/ring_small.h"
#include "kernel/alloc.h"

#include "kernel/prime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ======================= Z/pZ ========================================= */

typedef struct {
    uint64_t p;
    bool denominator_hit;   /* a constant's denominator was 0 mod p */
} fp_context;

static uint64_t fp_p(cvp_ring *R) { return ((fp_context *)R->context)->p; }

static void fp_init(cvp_ring *R, void *x) { (void)R; cvp_fp_set(x, 0); }
static void fp_clear(cvp_ring *R, void *x) { (void)R; (void)x; }
static void fp_set(cvp_ring *R, void *r, const void *a) { (void)R; cvp_fp_set(r, cvp_fp_get(a)); }

static void fp_set_q(cvp_ring *R, void *r, const mpq_t q)
{
    if (mpq_sgn(q) == 0) {   /* every tensor is zeroed this way: no GMP */
        cvp_fp_set(r, 0);
        return;
    }
    uint64_t p = fp_p(R);
    mpz_t num, den, mod;
    mpz_inits(num, den, mod, NULL);
    mpz_set_ui(mod, 0);
    mpz_import(mod, 1, 1, sizeof p, 0, 0, &p);
    mpz_mod(num, mpq_numref(q), mod);
    mpz_mod(den, mpq_denref(q), mod);
    if (mpz_sgn(den) == 0) {
        ((fp_context *)R->context)->denominator_hit = true;
        cvp_ring_fail(R, CVP_ERR_INPUT,
                      "the denominator of a constant is divisible by the prime %llu",
                      (unsigned long long)p);
        cvp_fp_set(r, 0);
    } else {
        mpz_invert(den, den, mod);
        mpz_mul(num, num, den);
        mpz_mod(num, num, mod);
        uint64_t v = 0;
        mpz_export(&v, NULL, 1, sizeof v, 0, 0, num);
        cvp_fp_set(r, v);
    }
    mpz_clears(num, den, mod, NULL);
}

static void fp_add(cvp_ring *R, void *r, const void *a, const void *b)
{
    uint64_t p = fp_p(R), s = cvp_fp_get(a) + cvp_fp_get(b);   /* < 2^63 */
    cvp_fp_set(r, s >= p ? s - p : s);
}
static void fp_sub(cvp_ring *R, void *r, const void *a, const void *b)
{
    uint64_t p = fp_p(R), x = cvp_fp_get(a), y = cvp_fp_get(b);
    cvp_fp_set(r, x >= y ? x - y : x + p - y);
}
static void fp_mul(cvp_ring *R, void *r, const void *a, const void *b)
{
    cvp_fp_set(r, cvp_mulmod_u64(cvp_fp_get(a), cvp_fp_get(b), fp_p(R)));
}
static void fp_neg(cvp_ring *R, void *r, const void *a)
{
    uint64_t x = cvp_fp_get(a);
    cvp_fp_set(r, x == 0 ? 0 : fp_p(R) - x);
}
static bool fp_is_zero(cvp_ring *R, const void *a) { (void)R; return cvp_fp_get(a) == 0; }
static bool fp_equal(cvp_ring *R, const void *a, const void *b)
{
    (void)R;
    return cvp_fp_get(a) == cvp_fp_get(b);
}
static void fp_format(cvp_ring *R, char *buf, size_t n, const void *a)
{
    snprintf(buf, n, "%llu (mod %llu)", (unsigned long long)cvp_fp_get(a),
             (unsigned long long)fp_p(R));
}

void cvp_ring_fp_init(cvp_ring *R, uint64_t p)
{
    CVP_ASSERT(p >= 2 && p < (UINT64_C(1) << 62));
    memset(R, 0, sizeof *R);
    fp_context *ctx = cvp_xmalloc(sizeof *ctx);
    ctx->p = p;
    ctx->denominator_hit = false;
    R->name = "F_p";
    R->plain = true;
    R->elem_size = sizeof(uint64_t);
    R->cmp = NULL;
    R->init = fp_init;
    R->clear = fp_clear;
    R->set = fp_set;
    R->set_q = fp_set_q;
    R->add = fp_add;
    R->sub = fp_sub;
    R->mul = fp_mul;
    R->neg = fp_neg;
    R->is_zero = fp_is_zero;
    R->equal = fp_equal;
    R->format = fp_format;
    R->context = ctx;
}

void cvp_ring_fp_clear(cvp_ring *R)
{
    free(R->context);
    R->context = NULL;
}

uint64_t cvp_ring_fp_modulus(const cvp_ring *R)
{
    return ((const fp_context *)R->context)->p;
}

bool cvp_ring_fp_denominator_hit(const cvp_ring *R)
{
    return ((const fp_context *)R->context)->denominator_hit;
}

/* ======================= degree semiring ============================== */

static void deg_init(cvp_ring *R, void *x) { (void)R; cvp_degree_set(x, CVP_DEGREE_ZERO); }
static void deg_clear(cvp_ring *R, void *x) { (void)R; (void)x; }
static void deg_set(cvp_ring *R, void *r, const void *a) { (void)R; cvp_degree_set(r, cvp_degree_get(a)); }
static void deg_set_q(cvp_ring *R, void *r, const mpq_t q)
{
    (void)R;
    cvp_degree_set(r, mpq_sgn(q) == 0 ? CVP_DEGREE_ZERO : 0);
}
static void deg_add(cvp_ring *R, void *r, const void *a, const void *b)
{
    (void)R;
    long x = cvp_degree_get(a), y = cvp_degree_get(b);
    cvp_degree_set(r, x > y ? x : y);
}
static void deg_mul(cvp_ring *R, void *r, const void *a, const void *b)
{
    (void)R;
    cvp_degree_set(r, cvp_degree_product(cvp_degree_get(a), cvp_degree_get(b)));
}
static void deg_neg(cvp_ring *R, void *r, const void *a) { deg_set(R, r, a); }
static bool deg_is_zero(cvp_ring *R, const void *a)
{
    (void)R;
    return cvp_degree_get(a) == CVP_DEGREE_ZERO;
}
static bool deg_equal(cvp_ring *R, const void *a, const void *b)
{
    (void)R;
    return cvp_degree_get(a) == cvp_degree_get(b);
}
static void deg_format(cvp_ring *R, char *buf, size_t n, const void *a)
{
    (void)R;
    long d = cvp_degree_get(a);
    if (d == CVP_DEGREE_ZERO)
        snprintf(buf, n, "zero");
    else
        snprintf(buf, n, "degree <= %ld", d);
}

void cvp_ring_degree_init(cvp_ring *R)
{
    memset(R, 0, sizeof *R);
    R->name = "degree";
    R->plain = true;
    R->elem_size = sizeof(long);
    R->cmp = NULL;
    R->init = deg_init;
    R->clear = deg_clear;
    R->set = deg_set;
    R->set_q = deg_set_q;
    R->add = deg_add;
    R->sub = deg_add;     /* a bound: the degree of a - b is at most the max */
    R->mul = deg_mul;
    R->neg = deg_neg;
    R->is_zero = deg_is_zero;
    R->equal = deg_equal;
    R->format = deg_format;
}

void cvp_ring_degree_clear(cvp_ring *R) { (void)R; }

/* ======================= dual numbers ================================= */

#define DUAL_KINK_INDICES 4

typedef struct {
    size_t kinks;
    /* Answers at kinks (cvp_ring_dual_set_choices); borrowed. */
    const unsigned char *choices;
    size_t choice_count;
    bool choosing;
    /* The first kink: its value, the first few inputs whose slopes differ
     * between the two sides (and how many differ), and whether one side
     * had no slope at all. */
    mpq_t first_value;
    size_t first_index[DUAL_KINK_INDICES];
    size_t first_index_count;
    bool first_with_constant;
    /* Inside a pooling window (window_begin .. window_end) the caller
     * keeps a best-so-far and compares each further candidate with it:
     * `run` counts the candidates whose value equals the best's (the first
     * candidate included); while the first kink's tie is still the best,
     * `group_open` holds and tie_entries follows run.  first_tie_entries:
     * how many entries of its window share the first kink's value; 0 when
     * that kink was met outside a window (a ReLU, an elementwise max). */
    bool in_window;
    bool group_open;
    size_t run;
    size_t tie_entries;
    size_t first_tie_entries;
    /* While choosing, every kink's slope (the tangent of a - b) and
     * answer, in the order met. */
    cvp_dual *slopes;
    unsigned char *answers;
    size_t slope_cap;
} dual_context;

static void dual_reserve(cvp_dual *x, size_t cap)
{
    if (cap <= x->cap)
        return;
    size_t *index = cvp_xrealloc(x->index, cap * sizeof *index);
    mpq_t *deriv = cvp_xrealloc(x->deriv, cap * sizeof *deriv);
    x->index = index;
    x->deriv = deriv;
    for (size_t k = x->cap; k < cap; k++)
        mpq_init(x->deriv[k]);
    x->cap = cap;
}

static void dual_init(cvp_ring *R, void *p)
{
    (void)R;
    cvp_dual *x = p;
    mpq_init(x->value);
    x->len = x->cap = 0;
    x->index = NULL;
    x->deriv = NULL;
}

static void dual_clear(cvp_ring *R, void *p)
{
    (void)R;
    cvp_dual *x = p;
    mpq_clear(x->value);
    for (size_t k = 0; k < x->cap; k++)
        mpq_clear(x->deriv[k]);
    free(x->index);
    free(x->deriv);
}

static void dual_set(cvp_ring *R, void *r, const void *a)
{
    (void)R;
    cvp_dual *x = r;
    const cvp_dual *y = a;
    if (x == y)
        return;
    mpq_set(x->value, y->value);
    dual_reserve(x, y->len);
    for (size_t k = 0; k < y->len; k++) {
        x->index[k] = y->index[k];
        mpq_set(x->deriv[k], y->deriv[k]);
    }
    x->len = y->len;
}

static void dual_set_q(cvp_ring *R, void *r, const mpq_t q)
{
    (void)R;
    cvp_dual *x = r;
    mpq_set(x->value, q);
    x->len = 0;
}

/* out := alpha*a' + beta*b' on the tangents (alpha, beta rationals; NULL
 * means 1), merging sorted sparse vectors and dropping zeros.  out is a
 * fresh element, distinct from a and b. */
static void tangent_combine(cvp_dual *out, const cvp_dual *a, mpq_srcptr alpha,
                            const cvp_dual *b, mpq_srcptr beta, bool subtract)
{
    dual_reserve(out, a->len + b->len);
    size_t i = 0, j = 0, n = 0;
    mpq_t term;
    mpq_init(term);
    while (i < a->len || j < b->len) {
        size_t ia = i < a->len ? a->index[i] : SIZE_MAX;
        size_t jb = j < b->len ? b->index[j] : SIZE_MAX;
        size_t k = ia < jb ? ia : jb;
        mpq_set_ui(out->deriv[n], 0, 1);
        if (ia == k) {
            if (alpha) mpq_mul(term, alpha, a->deriv[i]);
            else mpq_set(term, a->deriv[i]);
            mpq_add(out->deriv[n], out->deriv[n], term);
            i++;
        }
        if (jb == k) {
            if (beta) mpq_mul(term, beta, b->deriv[j]);
            else mpq_set(term, b->deriv[j]);
            if (subtract) mpq_sub(out->deriv[n], out->deriv[n], term);
            else mpq_add(out->deriv[n], out->deriv[n], term);
            j++;
        }
        if (mpq_sgn(out->deriv[n]) != 0)
            out->index[n++] = k;
    }
    out->len = n;
    mpq_clear(term);
}

static void dual_linear(cvp_ring *R, void *r, const void *a, const void *b,
                        bool subtract)
{
    cvp_dual tmp;
    dual_init(R, &tmp);
    const cvp_dual *x = a, *y = b;
    if (subtract) mpq_sub(tmp.value, x->value, y->value);
    else mpq_add(tmp.value, x->value, y->value);
    tangent_combine(&tmp, x, NULL, y, NULL, subtract);
    cvp_dual *out = r;
    cvp_dual swap = *out;
    *out = tmp;
    dual_clear(R, &swap);
}

static void dual_add(cvp_ring *R, void *r, const void *a, const void *b)
{
    dual_linear(R, r, a, b, false);
}
static void dual_sub(cvp_ring *R, void *r, const void *a, const void *b)
{
    dual_linear(R, r, a, b, true);
}

static void dual_mul(cvp_ring *R, void *r, const void *a, const void *b)
{
    /* (u + u'e)(v + v'e) = uv + (v u' + u v') e, since e_j e_k = 0. */
    cvp_dual tmp;
    dual_init(R, &tmp);
    const cvp_dual *x = a, *y = b;
    mpq_mul(tmp.value, x->value, y->value);
    tangent_combine(&tmp, x, y->value, y, x->value, false);
    cvp_dual *out = r;
    cvp_dual swap = *out;
    *out = tmp;
    dual_clear(R, &swap);
}

static void dual_neg(cvp_ring *R, void *r, const void *a)
{
    dual_set(R, r, a);
    cvp_dual *x = r;
    mpq_neg(x->value, x->value);
    for (size_t k = 0; k < x->len; k++)
        mpq_neg(x->deriv[k], x->deriv[k]);
}

static bool dual_is_zero(cvp_ring *R, const void *a)
{
    (void)R;
    const cvp_dual *x = a;
    return mpq_sgn(x->value) == 0 && x->len == 0;
}

static bool dual_equal(cvp_ring *R, const void *a, const void *b)
{
    (void)R;
    const cvp_dual *x = a, *y = b;
    if (!mpq_equal(x->value, y->value) || x->len != y->len)
        return false;
    for (size_t k = 0; k < x->len; k++)
        if (x->index[k] != y->index[k] || !mpq_equal(x->deriv[k], y->deriv[k]))
            return false;
    return true;
}

/* Appends kink slope dx (moved out: dx is left empty) and its answer. */
static void remember_slope(cvp_ring *R, dual_context *ctx, cvp_dual *dx,
                           bool larger)
{
    size_t k = ctx->kinks - 1;
    if (k == ctx->slope_cap) {
        size_t cap = ctx->slope_cap ? 2 * ctx->slope_cap : 16;
        cvp_dual *slopes = realloc(ctx->slopes, cap * sizeof *slopes);
        CVP_ASSERT(slopes != NULL);
        ctx->slopes = slopes;
        unsigned char *answers = realloc(ctx->answers, cap);
        CVP_ASSERT(answers != NULL);
        ctx->answers = answers;
        ctx->slope_cap = cap;
    }
    cvp_dual *s = &ctx->slopes[k];
    dual_init(R, s);
    cvp_dual swap = *s;
    *s = *dx;
    *dx = swap;
    ctx->answers[k] = larger ? 1 : 0;
}

static int dual_cmp(cvp_ring *R, const void *a, const void *b)
{
    const cvp_dual *x = a, *y = b;
    int c = mpq_cmp(x->value, y->value);
    if (c == 0) {
        /* Equal values with different slopes: which one is "larger" depends
         * on the direction of the perturbation, so the derivative of a max
         * or ReLU here is not defined. */
        dual_context *ctx = R->context;
        cvp_dual dx;
        dual_init(R, &dx);
        tangent_combine(&dx, x, NULL, y, NULL, true);
        size_t k = ctx->kinks;
        if (dx.len != 0 && k == 0) {
            ctx->group_open = ctx->in_window;
            mpq_set(ctx->first_value, x->value);
            ctx->first_index_count = dx.len;
            for (size_t j = 0; j < dx.len && j < DUAL_KINK_INDICES; j++)
                ctx->first_index[j] = dx.index[j];
            ctx->first_with_constant = x->len == 0 || y->len == 0;
        }
        if (dx.len != 0) {
            ctx->kinks++;
            /* Choosing a side is choosing an active piece: "a > b" makes
             * a the maximum (or lets a ReLU input through). */
            if (ctx->choosing) {
                c = k < ctx->choice_count && ctx->choices[k] ? 1 : -1;
                remember_slope(R, ctx, &dx, c > 0);
            }
        }
        dual_clear(R, &dx);
    }
    dual_context *ctx = R->context;
    if (ctx->in_window) {
        if (mpq_equal(x->value, y->value)) {
            ctx->run++;
            if (ctx->group_open)
                ctx->tie_entries = ctx->run;
        } else if (c > 0) {   /* a larger candidate: the caller's new best */
            ctx->run = 1;
            ctx->group_open = false;
        }
    }
    return c;
}

static void dual_format(cvp_ring *R, char *buf, size_t n, const void *a)
{
    (void)R;
    const cvp_dual *x = a;
    int used = gmp_snprintf(buf, n, "%Qd", x->value);
    for (size_t k = 0; k < x->len && used >= 0 && (size_t)used < n; k++)
        used += gmp_snprintf(buf + used, n - (size_t)used, " + %Qd e%zu", x->deriv[k],
                             x->index[k]);
}

static void dual_window_begin(cvp_ring *R)
{
    dual_context *ctx = R->context;
    ctx->in_window = true;
    ctx->run = 1;            /* the first candidate is the first best */
    ctx->group_open = false;
    ctx->tie_entries = 0;
}

static void dual_window_end(cvp_ring *R)
{
    dual_context *ctx = R->context;
    if (ctx->tie_entries != 0 && ctx->first_tie_entries == 0)
        ctx->first_tie_entries = ctx->tie_entries;
    ctx->in_window = false;
    ctx->group_open = false;
    ctx->tie_entries = 0;
}

void cvp_ring_dual_init(cvp_ring *R)
{
    memset(R, 0, sizeof *R);
    dual_context *ctx = cvp_xcalloc(1, sizeof *ctx);
    mpq_init(ctx->first_value);
    R->name = "dual";
    R->elem_size = sizeof(cvp_dual);
    R->cmp = dual_cmp;
    R->init = dual_init;
    R->clear = dual_clear;
    R->set = dual_set;
    R->set_q = dual_set_q;
    R->add = dual_add;
    R->sub = dual_sub;
    R->mul = dual_mul;
    R->neg = dual_neg;
    R->is_zero = dual_is_zero;
    R->equal = dual_equal;
    R->format = dual_format;
    R->window_begin = dual_window_begin;
    R->window_end = dual_window_end;
    R->context = ctx;
}

bool cvp_ring_is_dual(const cvp_ring *R)
{
    return R->init == dual_init;
}

void cvp_ring_dual_clear(cvp_ring *R)
{
    dual_context *ctx = R->context;
    if (ctx != NULL) {
        mpq_clear(ctx->first_value);
        /* Slopes are remembered only while choosing, one per kink. */
        for (size_t k = 0; ctx->choosing && k < ctx->kinks; k++)
            dual_clear(R, &ctx->slopes[k]);
        free(ctx->slopes);
        free(ctx->answers);
    }
    free(R->context);
    R->context = NULL;
}

void cvp_dual_set_seed(cvp_ring *R, cvp_dual *x, const mpq_t value, size_t k)
{
    (void)R;
    mpq_set(x->value, value);
    x->len = 0;
    if (k != SIZE_MAX) {
        dual_reserve(x, 1);
        x->index[0] = k;
        mpq_set_ui(x->deriv[0], 1, 1);
        x->len = 1;
    }
}

void cvp_dual_get_deriv(mpq_t d, const cvp_dual *x, size_t k)
{
    mpq_set_ui(d, 0, 1);
    for (size_t j = 0; j < x->len; j++)
        if (x->index[j] == k)
            mpq_set(d, x->deriv[j]);
}

size_t cvp_ring_dual_kinks(const cvp_ring *R)
{
    return ((const dual_context *)R->context)->kinks;
}

void cvp_ring_dual_set_choices(cvp_ring *R, const unsigned char *choices,
                               size_t count)
{
    dual_context *ctx = R->context;
    /* Slopes are numbered by kink: choosing starts before the first. */
    CVP_ASSERT(ctx->kinks == 0);
    ctx->choosing = true;
    ctx->choices = choices;
    ctx->choice_count = count;
}

size_t cvp_ring_dual_first_kink(const cvp_ring *R, mpq_t value, size_t *indices,
                                size_t max, bool *with_constant)
{
    const dual_context *ctx = R->context;
    if (ctx->kinks == 0)
        return 0;
    mpq_set(value, ctx->first_value);
    for (size_t j = 0; j < max && j < ctx->first_index_count
                       && j < DUAL_KINK_INDICES; j++)
        indices[j] = ctx->first_index[j];
    *with_constant = ctx->first_with_constant;
    return ctx->first_index_count;
}

size_t cvp_ring_dual_first_tie_entries(const cvp_ring *R)
{
    const dual_context *ctx = R->context;
    return ctx->kinks == 0 ? 0 : ctx->first_tie_entries;
}

size_t cvp_ring_dual_kink_slope(const cvp_ring *R, size_t k,
                                const size_t **index, const mpq_t **slope,
                                int *answer)
{
    const dual_context *ctx = R->context;
    if (!ctx->choosing || k >= ctx->kinks)
        return 0;
    const cvp_dual *s = &ctx->slopes[k];
    *index = s->index;
    *slope = (const mpq_t *)s->deriv;
    *answer = ctx->answers[k];
    return s->len;
}
