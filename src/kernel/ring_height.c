/* ring_height.c -- the height semiring (ring_height.h). */
#include "kernel/ring_height.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    bool saturated;
    int64_t denominator_bits;
} height_context;

static height_context *ctx_of(cvp_ring *R) { return R->context; }

/* a + b, saturating at CVP_HEIGHT_MAX (both operands are at most it). */
static int64_t plus(cvp_ring *R, int64_t a, int64_t b)
{
    int64_t s = a + b;
    if (s > CVP_HEIGHT_MAX) {
        ctx_of(R)->saturated = true;
        s = CVP_HEIGHT_MAX;
    }
    return s;
}

static const cvp_height zero = {CVP_HEIGHT_ZERO, 0};

static void h_init(cvp_ring *R, void *x) { (void)R; *(cvp_height *)x = zero; }
static void h_clear(cvp_ring *R, void *x) { (void)R; (void)x; }
static void h_set(cvp_ring *R, void *r, const void *a)
{
    (void)R;
    *(cvp_height *)r = *(const cvp_height *)a;
}

int64_t cvp_height_log2(const mpz_t z)
{
    if (mpz_sgn(z) == 0)
        return 0;
    int64_t bits = (int64_t)mpz_sizeinbase(z, 2);   /* 2^(bits-1) <= |z| < 2^bits */
    /* a power of two is exactly 2^(bits-1) */
    return mpz_scan1(z, 0) == (mp_bitcnt_t)(bits - 1) ? bits - 1 : bits;
}

static void h_set_q(cvp_ring *R, void *r, const mpq_t q)
{
    cvp_height *x = r;
    if (mpq_sgn(q) == 0) {
        *x = zero;
        return;
    }
    /* mpq_t is kept in lowest terms with a positive denominator. */
    int64_t n = cvp_height_log2(mpq_numref(q)), d = cvp_height_log2(mpq_denref(q));
    if (mpz_cmp_ui(mpq_denref(q), 1) > 0)   /* d >= 1 then; a prime divides it */
        ctx_of(R)->denominator_bits = plus(R, ctx_of(R)->denominator_bits,
                                           (int64_t)mpz_sizeinbase(mpq_denref(q), 2));
    x->num_bits = plus(R, n, 0);
    x->den_bits = plus(R, d, 0);
}

static void h_add(cvp_ring *R, void *r, const void *a, const void *b)
{
    cvp_height x = *(const cvp_height *)a, y = *(const cvp_height *)b, z;
    if (x.num_bits == CVP_HEIGHT_ZERO) {
        z = y;
    } else if (y.num_bits == CVP_HEIGHT_ZERO) {
        z = x;
    } else {
        int64_t u = plus(R, x.num_bits, y.den_bits), v = plus(R, y.num_bits, x.den_bits);
        z.num_bits = plus(R, u > v ? u : v, 1);
        z.den_bits = plus(R, x.den_bits, y.den_bits);
    }
    *(cvp_height *)r = z;
}

static void h_mul(cvp_ring *R, void *r, const void *a, const void *b)
{
    cvp_height x = *(const cvp_height *)a, y = *(const cvp_height *)b, z = zero;
    if (x.num_bits != CVP_HEIGHT_ZERO && y.num_bits != CVP_HEIGHT_ZERO) {
        z.num_bits = plus(R, x.num_bits, y.num_bits);
        z.den_bits = plus(R, x.den_bits, y.den_bits);
    }
    *(cvp_height *)r = z;
}

static void h_neg(cvp_ring *R, void *r, const void *a) { h_set(R, r, a); }

static bool h_is_zero(cvp_ring *R, const void *a)
{
    (void)R;
    return ((const cvp_height *)a)->num_bits == CVP_HEIGHT_ZERO;
}

static bool h_equal(cvp_ring *R, const void *a, const void *b)
{
    (void)R;
    const cvp_height *x = a, *y = b;
    return x->num_bits == y->num_bits && x->den_bits == y->den_bits;
}

static void h_format(cvp_ring *R, char *buf, size_t n, const void *a)
{
    (void)R;
    const cvp_height *x = a;
    if (x->num_bits == CVP_HEIGHT_ZERO)
        snprintf(buf, n, "zero");
    else
        snprintf(buf, n, "coefficients <= 2^%lld / denominator <= 2^%lld",
                 (long long)x->num_bits, (long long)x->den_bits);
}

void cvp_height_set_variable(void *x)
{
    *(cvp_height *)x = (cvp_height){0, 0};
}

void cvp_ring_height_init(cvp_ring *R)
{
    memset(R, 0, sizeof *R);
    height_context *ctx = calloc(1, sizeof *ctx);
    CVP_ASSERT(ctx != NULL);
    R->name = "height";
    R->plain = true;
    R->elem_size = sizeof(cvp_height);
    R->cmp = NULL;
    R->init = h_init;
    R->clear = h_clear;
    R->set = h_set;
    R->set_q = h_set_q;
    R->add = h_add;
    R->sub = h_add;   /* ||P1 B2 - P2 B1|| has the same bound as the sum */
    R->mul = h_mul;
    R->neg = h_neg;
    R->is_zero = h_is_zero;
    R->equal = h_equal;
    R->format = h_format;
    R->context = ctx;
}

void cvp_ring_height_clear(cvp_ring *R)
{
    free(R->context);
    R->context = NULL;
}

bool cvp_ring_height_saturated(const cvp_ring *R)
{
    return ((const height_context *)R->context)->saturated;
}

int64_t cvp_ring_height_denominator_bits(const cvp_ring *R)
{
    return ((const height_context *)R->context)->denominator_bits;
}
