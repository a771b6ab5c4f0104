/* ring.c -- failure recording shared by all rings, and the field Q. */
#include "kernel/ring.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void cvp_ring_fail(cvp_ring *R, cvp_status status, const char *format, ...)
{
    if (R->failure != CVP_OK)
        return;   /* keep the first failure: later ones follow from it */
    va_list ap;
    va_start(ap, format);
    vsnprintf(R->failure_message, sizeof R->failure_message, format, ap);
    va_end(ap);
    R->failure = status;
}

cvp_status cvp_ring_check(cvp_ring *R, cvp_error *err)
{
    if (R->failure == CVP_OK)
        return CVP_OK;
    return cvp_error_set(err, R->failure, "%s", R->failure_message);
}

void cvp_ring_note_mults(cvp_ring *R, int n, const size_t *factors)
{
    /* The shared ring Q is used by every thread at once, and nobody reads
     * its count (ring.h): updating it would be a data race. */
    if (R == &cvp_ring_q)
        return;
    unsigned __int128 product = 1;
    for (int k = 0; k < n; k++) {
        product *= factors[k];
        if (product > UINT64_MAX) {
            product = (unsigned __int128)UINT64_MAX + 1;
            break;
        }
    }
    unsigned __int128 total = (unsigned __int128)R->model_mults + product;
    if (total > UINT64_MAX) {
        R->model_mults = UINT64_MAX;
        R->mults_overflow = true;
    } else {
        R->model_mults = (uint64_t)total;
    }
}

/* ---- the shape-only ring: every operation does nothing --------------- */

static void shape_unary(cvp_ring *R, void *x) { (void)R; *(unsigned char *)x = 0; }
static void shape_set(cvp_ring *R, void *r, const void *a) { (void)R; (void)r; (void)a; }
static void shape_set_q(cvp_ring *R, void *r, const mpq_t q) { (void)R; (void)r; (void)q; }
static void shape_binary(cvp_ring *R, void *r, const void *a, const void *b)
{
    (void)R; (void)r; (void)a; (void)b;
}
static bool shape_is_zero(cvp_ring *R, const void *a) { (void)R; (void)a; return false; }
static bool shape_equal(cvp_ring *R, const void *a, const void *b)
{
    (void)R; (void)a; (void)b;
    return true;
}
/* Every placeholder compares equal, so a maximum picks its first
 * candidate: shapes and costs do not depend on which. */
static int shape_cmp(cvp_ring *R, const void *a, const void *b)
{
    (void)R; (void)a; (void)b;
    return 0;
}
static void shape_format(cvp_ring *R, char *buf, size_t n, const void *a)
{
    (void)R; (void)a;
    snprintf(buf, n, "?");
}

void cvp_ring_shape_init(cvp_ring *R)
{
    memset(R, 0, sizeof *R);
    R->name = "shape";
    R->plain = true;
    R->elem_size = 1;
    R->cmp = shape_cmp;
    R->init = shape_unary;
    R->clear = shape_unary;
    R->set = shape_set;
    R->set_q = shape_set_q;
    R->add = shape_binary;
    R->sub = shape_binary;
    R->mul = shape_binary;
    R->neg = shape_set;
    R->is_zero = shape_is_zero;
    R->equal = shape_equal;
    R->format = shape_format;
    R->shape_only = true;
}

void cvp_ring_set_si(cvp_ring *R, void *r, long v)
{
    mpq_t q;
    mpq_init(q);
    mpq_set_si(q, v, 1);
    R->set_q(R, r, q);
    mpq_clear(q);
}

/* ---- Q: elements are mpq_t ------------------------------------------ */

static void q_init(cvp_ring *R, void *x) { (void)R; mpq_init(x); }
static void q_clear(cvp_ring *R, void *x) { (void)R; mpq_clear(x); }
static void q_set(cvp_ring *R, void *r, const void *a) { (void)R; mpq_set(r, a); }
static void q_set_q(cvp_ring *R, void *r, const mpq_t q) { (void)R; mpq_set(r, q); }
static void q_add(cvp_ring *R, void *r, const void *a, const void *b)
{
    (void)R;
    mpq_add(r, a, b);
}
static void q_sub(cvp_ring *R, void *r, const void *a, const void *b)
{
    (void)R;
    mpq_sub(r, a, b);
}
static void q_mul(cvp_ring *R, void *r, const void *a, const void *b)
{
    (void)R;
    mpq_mul(r, a, b);
}
static void q_neg(cvp_ring *R, void *r, const void *a) { (void)R; mpq_neg(r, a); }
static bool q_is_zero(cvp_ring *R, const void *a) { (void)R; return mpq_sgn((mpq_srcptr)a) == 0; }
static bool q_equal(cvp_ring *R, const void *a, const void *b)
{
    (void)R;
    return mpq_equal(a, b) != 0;
}
static int q_cmp(cvp_ring *R, const void *a, const void *b)
{
    (void)R;
    return mpq_cmp(a, b);
}
static void q_format(cvp_ring *R, char *buf, size_t bufsize, const void *a)
{
    (void)R;
    gmp_snprintf(buf, bufsize, "%Qd", (mpq_srcptr)a);
}

cvp_ring cvp_ring_q = {
    .name = "Q",
    .elem_size = sizeof(mpq_t),
    .cmp = q_cmp,
    .init = q_init,
    .clear = q_clear,
    .set = q_set,
    .set_q = q_set_q,
    .add = q_add,
    .sub = q_sub,
    .mul = q_mul,
    .neg = q_neg,
    .is_zero = q_is_zero,
    .equal = q_equal,
    .format = q_format,
    .context = NULL,
    .failure = CVP_OK,
};
