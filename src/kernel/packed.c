/* packed.c -- building, canonicalising, packing and materialising packed
 * Q tensors (packed.h). */
#include "kernel/packed.h"
#include "kernel/interrupt.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Serialises materialisations: the only change a reader may make to a
 * tensor it shares with other threads. */
static pthread_mutex_t materialise_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t materialisations;

uint64_t cvp_tensor_materialise_count(void)
{
    return __atomic_load_n(&materialisations, __ATOMIC_RELAXED);
}

/* |v| as uint64, exact also at INT64_MIN. */
static uint64_t magnitude(int64_t v)
{
    return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

static uint64_t gcd_u64(uint64_t a, uint64_t b)
{
    while (b != 0) {
        uint64_t r = a % b;
        a = b;
        b = r;
    }
    return a;
}

/* Frees the packed form (not the rationals, if any). */
static void drop_packed(cvp_tensor_t t)
{
    if (t->packed == NULL)
        return;
    mpz_clear(t->packed->den);
    free(t->packed);
    t->packed = NULL;
}

cvp_status cvp_tensor_pack_start(cvp_tensor_t t, int rank, const size_t *shape,
                                 cvp_error *err)
{
    if (rank < 0 || rank > CVP_MAX_RANK)
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "rank %d is outside 0..%d", rank, CVP_MAX_RANK);
    size_t new_shape[CVP_MAX_RANK] = {0};
    if (rank > 0)
        memcpy(new_shape, shape, (size_t)rank * sizeof *shape);
    size_t size;
    cvp_status st = cvp_shape_size(&size, rank, new_shape, err);
    if (st != CVP_OK)
        return st;
    if (size > (SIZE_MAX - sizeof(cvp_packed)) / sizeof(int64_t))
        return cvp_error_set(err, CVP_ERR_LIMIT, "tensor too large");
    cvp_packed *p = calloc(1, sizeof *p + size * sizeof(int64_t));
    if (p == NULL)
        return cvp_error_set(err, CVP_ERR_LIMIT,
                             "out of memory allocating %zu entries", size);
    mpz_init_set_ui(p->den, 1);
    p->n = size;
    /* t loses its old contents (whatever the ring) only now that nothing
     * can fail any more. */
    cvp_tensor_clear(t);
    memset(t, 0, sizeof *t);
    t->ring = &cvp_ring_q;
    t->rank = rank;
    memcpy(t->shape, new_shape, sizeof t->shape);
    t->size = size;
    t->capacity = 0;
    t->data = NULL;
    t->packed = p;
    return CVP_OK;
}

void cvp_tensor_pack_finish(cvp_tensor_t t)
{
    cvp_packed *p = t->packed;
    CVP_ASSERT(p != NULL && t->data == NULL && mpz_sgn(p->den) > 0);
    uint64_t g = 0;
    for (size_t k = 0; k < p->n && g != 1; k++)
        g = gcd_u64(magnitude(p->num[k]), g);
    if (g == 0) {               /* every numerator is 0 (or no entries) */
        mpz_set_ui(p->den, 1);
        return;
    }
    if (g != 1) {
        /* g <= 2^63 fits an unsigned long on LP64; mpz_gcd_ui returns
         * gcd(den, g). */
        g = mpz_gcd_ui(NULL, p->den, (unsigned long)g);
    }
    if (g == 1)
        return;
    /* g divides every numerator and den, g >= 2: the quotients are exact
     * and INT64_MIN / g cannot overflow. */
    for (size_t k = 0; k < p->n; k++)
        p->num[k] = p->num[k] < 0 ? -(int64_t)(magnitude(p->num[k]) / g)
                                  : (int64_t)((uint64_t)p->num[k] / g);
    mpz_divexact_ui(p->den, p->den, (unsigned long)g);
}

bool cvp_tensor_packed_is_canonical(const cvp_tensor_t t)
{
    const cvp_packed *p = t->packed;
    if (p == NULL || t->ring != &cvp_ring_q || p->n != t->size ||
        mpz_sgn(p->den) <= 0)
        return false;
    uint64_t g = 0;
    for (size_t k = 0; k < p->n; k++)
        g = gcd_u64(magnitude(p->num[k]), g);
    if (g == 0)
        return mpz_cmp_ui(p->den, 1) == 0;
    return mpz_gcd_ui(NULL, p->den, (unsigned long)g) == 1;
}

bool cvp_tensor_pack(cvp_tensor_t t)
{
    if (t->ring != &cvp_ring_q)
        return false;
    if (t->packed != NULL)
        return true;
    const size_t n = t->size;
    const mpq_t *e = (const mpq_t *)t->q_entries_;
    mpz_t den, scaled;
    mpz_init_set_ui(den, 1);
    bool fits = true;
    for (size_t k = 0; fits && k < n; k++) {
        mpz_srcptr d = mpq_denref(e[k]);
        if (mpz_cmp_ui(d, 1) != 0 && !mpz_divisible_p(den, d))
            mpz_lcm(den, den, d);
    }
    cvp_tensor_t result;
    cvp_tensor_init(result);
    fits = cvp_tensor_pack_start(result, t->rank, t->shape, NULL) == CVP_OK;
    mpz_init(scaled);
    for (size_t k = 0; fits && k < n; k++) {
        mpz_divexact(scaled, den, mpq_denref(e[k]));
        mpz_mul(scaled, scaled, mpq_numref(e[k]));
        fits = mpz_fits_slong_p(scaled);
        if (fits)
            result->packed->num[k] = mpz_get_si(scaled);
    }
    if (fits) {
        /* The lcm of canonical denominators over integers scaled by it is
         * already canonical; pack_finish checks it cheaply anyway. */
        mpz_set(result->packed->den, den);
        cvp_tensor_pack_finish(result);
        cvp_tensor_swap(t, result);
    }
    mpz_clear(scaled);
    mpz_clear(den);
    cvp_tensor_clear(result);
    return fits;
}

/* The rationals of the packed form p, n >= 0 of them (at least one
 * element is allocated, as for every tensor). */
static mpq_t *make_rationals(const cvp_packed *p)
{
    mpq_t *e = malloc((p->n ? p->n : 1) * sizeof *e);
    CVP_ASSERT(e != NULL);
    const bool integral = mpz_cmp_ui(p->den, 1) == 0;
    for (size_t k = 0; k < p->n; k++) {
        mpz_init_set_si(mpq_numref(e[k]), (long)p->num[k]);
        if (integral) {
            mpz_init_set_ui(mpq_denref(e[k]), 1);
        } else {
            mpz_init_set(mpq_denref(e[k]), p->den);
            mpq_canonicalize(e[k]);
        }
    }
    return e;
}

void cvp_tensor_materialise(const cvp_tensor_struct *t)
{
    if (t->packed == NULL)
        return;
    pthread_mutex_lock(&materialise_lock);
    if (__atomic_load_n(&t->data, __ATOMIC_ACQUIRE) == NULL) {
        /* The cache is logically part of the value: filling it changes
         * no value, which is why a const tensor may do it. */
        cvp_tensor_struct *w = (cvp_tensor_struct *)t;
        mpq_t *e = make_rationals(t->packed);
        w->capacity = t->packed->n;
        __atomic_store_n(&w->q_entries_, e, __ATOMIC_RELEASE);
        __atomic_add_fetch(&materialisations, 1, __ATOMIC_RELAXED);
    }
    pthread_mutex_unlock(&materialise_lock);
}

void cvp_tensor_unpack(cvp_tensor_struct *t)
{
    if (t->packed == NULL)
        return;
    cvp_tensor_materialise(t);
    drop_packed(t);
}

/* ---- used by tensor.c -------------------------------------------------- */

void cvp_tensor_drop_packed_(cvp_tensor_struct *t)
{
    drop_packed(t);
}

cvp_status cvp_tensor_set_packed_(cvp_tensor_struct *dst,
                                  const cvp_tensor_struct *src, cvp_error *err)
{
    CVP_ASSERT(src->packed != NULL && dst != src);
    cvp_status st = cvp_tensor_pack_start(dst, src->rank, src->shape, err);
    if (st != CVP_OK)
        return st;
    memcpy(dst->packed->num, src->packed->num, src->size * sizeof(int64_t));
    mpz_set(dst->packed->den, src->packed->den);
    return CVP_OK;
}

bool cvp_tensor_equal_packed_(const cvp_tensor_struct *a,
                              const cvp_tensor_struct *b)
{
    CVP_ASSERT(a->packed != NULL && b->packed != NULL && a->size == b->size);
    /* Both canonical: equal values have equal representations. */
    return mpz_cmp(a->packed->den, b->packed->den) == 0 &&
           memcmp(a->packed->num, b->packed->num,
                  a->size * sizeof(int64_t)) == 0;
}
