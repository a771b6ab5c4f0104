/* packed.c -- building, canonicalising, packing and materialising packed
 * Q tensors (packed.h). */
#include "kernel/packed.h"
#include "kernel/interrupt.h"

#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

__extension__ typedef unsigned __int128 u128;

_Static_assert(offsetof(struct cvp_packed, num) % 16 == 0,
               "wide numerators must be aligned for cvp_int128");

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

/* |v| as u128, exact also at the least cvp_int128. */
static u128 magnitude_wide(cvp_int128 v)
{
    return v < 0 ? (u128)0 - (u128)v : (u128)v;
}

static u128 gcd_u128(u128 a, u128 b)
{
    while (b != 0) {
        u128 r = a % b;
        a = b;
        b = r;
    }
    return a;
}

static bool fits_int64(cvp_int128 v)
{
    return v >= INT64_MIN && v <= INT64_MAX;
}

/* z := m, z := v, and an mpz of at most 128 bits as u128 (limbs are 64
 * bits on the LP64 platforms with __int128). */
_Static_assert(sizeof(mp_limb_t) == 8, "64-bit GMP limbs");
static void mpz_set_u128(mpz_ptr z, u128 m)
{
    mpz_set_ui(z, (unsigned long)(uint64_t)(m >> 64));
    mpz_mul_2exp(z, z, 64);
    mpz_add_ui(z, z, (unsigned long)(uint64_t)m);
}
static void mpz_set_int128(mpz_ptr z, cvp_int128 v)
{
    mpz_set_u128(z, magnitude_wide(v));
    if (v < 0)
        mpz_neg(z, z);
}
static u128 mpz_get_u128(mpz_srcptr z)
{
    CVP_ASSERT(mpz_sgn(z) >= 0 && mpz_sizeinbase(z, 2) <= 128);
    return ((u128)mpz_getlimbn(z, 1) << 64) | (u128)mpz_getlimbn(z, 0);
}

/* The wide numerators of p (p->wide). */
static cvp_int128 *wide_of(cvp_packed *p)
{
    return (cvp_int128 *)(void *)p->num;
}
static const cvp_int128 *wide_of_const(const cvp_packed *p)
{
    return (const cvp_int128 *)(const void *)p->num;
}

/* Frees the packed form (not the rationals, if any). */
static void drop_packed(cvp_tensor_t t)
{
    if (t->packed == NULL)
        return;
    /* The last tensor holding the form frees it. */
    if (__atomic_sub_fetch(&t->packed->refs, 1, __ATOMIC_ACQ_REL) == 0) {
        mpz_clear(t->packed->den);
        free(t->packed);
    }
    t->packed = NULL;
}

/* The bytes of a packed form of n numerators of the given width. */
static size_t packed_bytes(size_t n, bool wide)
{
    return sizeof(cvp_packed) + (n ? n : 1) * (wide ? sizeof(cvp_int128) : sizeof(int64_t));
}

void cvp_tensor_unshare_packed_(cvp_tensor_struct *t)
{
    const cvp_packed *shared = t->packed;
    cvp_packed *own = malloc(packed_bytes(shared->n, shared->wide));
    CVP_ASSERT(own != NULL);
    memcpy(own->num, shared->num,
           shared->n * (shared->wide ? sizeof(cvp_int128) : sizeof(int64_t)));
    mpz_init_set(own->den, shared->den);
    own->n = shared->n;
    own->wide = shared->wide;
    own->refs = 1;
    drop_packed(t);   /* one holder fewer (never the last: refs was >= 2) */
    t->packed = own;
}

/* t := the packed Q tensor of form p (which t now holds) and the given
 * shape (all CVP_MAX_RANK dims, unused ones 0); t's old contents, of
 * whatever ring, are freed. */
static void hold_packed(cvp_tensor_struct *t, int rank,
                        const size_t shape[CVP_MAX_RANK], cvp_packed *p)
{
    cvp_tensor_clear(t);
    memset(t, 0, sizeof *t);
    t->ring = &cvp_ring_q;
    t->rank = rank;
    memcpy(t->shape, shape, sizeof t->shape);
    t->size = p->n;
    t->capacity = 0;
    t->data = NULL;
    t->packed = p;
}

static cvp_status pack_start(cvp_tensor_t t, int rank, const size_t *shape,
                             bool wide, cvp_error *err)
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
    const size_t width = wide ? sizeof(cvp_int128) : sizeof(int64_t);
    if (size > (SIZE_MAX - sizeof(cvp_packed)) / width)
        return cvp_error_set(err, CVP_ERR_LIMIT, "tensor too large");
    /* calloc's blocks are aligned for every standard type, cvp_int128
     * included on the platforms GCC gives it; zero bits are the
     * numerators 0 of either width. */
    cvp_packed *p = calloc(1, sizeof *p + size * width);
    if (p == NULL)
        return cvp_error_set(err, CVP_ERR_LIMIT,
                             "out of memory allocating %zu entries", size);
    CVP_ASSERT((uintptr_t)p->num % _Alignof(cvp_int128) == 0);
    mpz_init_set_ui(p->den, 1);
    p->n = size;
    p->wide = wide;
    p->refs = 1;
    /* t loses its old contents (whatever the ring) only now that nothing
     * can fail any more. */
    hold_packed(t, rank, new_shape, p);
    return CVP_OK;
}

cvp_status cvp_tensor_pack_start(cvp_tensor_t t, int rank, const size_t *shape,
                                 cvp_error *err)
{
    return pack_start(t, rank, shape, false, err);
}

cvp_status cvp_tensor_pack_start_wide(cvp_tensor_t t, int rank,
                                      const size_t *shape, cvp_error *err)
{
    return pack_start(t, rank, shape, true, err);
}

/* When the denominator is 2^e (float data, integers): the common factor
 * of numerators and denominator is 2^min(e, z), z the least number of
 * trailing zero bits of a numerator.  z is that of the bitwise OR of all
 * numerators (v and -v have the same trailing zeros), so no division is
 * needed, and the exact quotients are shifts.  False, with nothing done,
 * when the denominator is not a power of two. */
static bool reduce_dyadic(cvp_packed *p)
{
    const mp_bitcnt_t e = mpz_scan1(p->den, 0);
    if (mpz_sizeinbase(p->den, 2) - 1 != e)
        return false;
    if (e == 0)
        return true;   /* den = 1: nothing to cancel */
    /* The OR of the numerators, whose trailing zeros are the common ones;
     * an odd numerator settles it (none to cancel), so the OR stops after
     * the block of entries that has one (blocks: a loop without an exit
     * in it is one the compiler can vectorise). */
    enum { OR_BLOCK = 4096 };
    u128 any = 0;
    for (size_t k0 = 0; k0 < p->n && !(any & 1); k0 += OR_BLOCK) {
        const size_t end = p->n - k0 < OR_BLOCK ? p->n : k0 + OR_BLOCK;
        uint64_t lo = 0, hi = 0;
        if (p->wide) {
            const cvp_int128 *w = wide_of(p);
            for (size_t k = k0; k < end; k++) {
                lo |= (uint64_t)(u128)w[k];
                hi |= (uint64_t)((u128)w[k] >> 64);
            }
        } else {
            for (size_t k = k0; k < end; k++)
                lo |= (uint64_t)p->num[k];
        }
        any |= ((u128)hi << 64) | lo;
    }
    if (any == 0) {   /* every numerator is 0 (or no entries) */
        mpz_set_ui(p->den, 1);
        return true;
    }
    const unsigned z = (uint64_t)any != 0 ? (unsigned)__builtin_ctzll((uint64_t)any)
                                          : 64 + (unsigned)__builtin_ctzll((uint64_t)(any >> 64));
    const unsigned s = z < e ? z : (unsigned)e;
    if (s == 0)
        return true;
    /* Exact quotients by 2^s as arithmetic right shifts, which GCC and
     * Clang define for negative values too (rounding towards minus
     * infinity, exact on multiples of 2^s); s < 128, and s < 64 for int64
     * numerators (a nonzero int64 has at most 63 trailing zeros). */
    if (p->wide) {
        cvp_int128 *w = wide_of(p);
        for (size_t k = 0; k < p->n; k++)
            w[k] >>= s;
    } else {
        for (size_t k = 0; k < p->n; k++)
            p->num[k] >>= s;
    }
    mpz_fdiv_q_2exp(p->den, p->den, s);
    return true;
}

/* The wide numerators of p rewritten as int64 in the same block (every
 * one fits), which then shrinks.  Entry k moves from bytes 16k.. to bytes
 * 8k..: below every entry not yet read, so a forward pass is safe; the
 * moves go through memcpy because the block changes type. */
static cvp_packed *narrow_in_place(cvp_packed *p)
{
    unsigned char *bytes = (unsigned char *)(void *)p->num;
    for (size_t k = 0; k < p->n; k++) {
        cvp_int128 v;
        memcpy(&v, bytes + k * sizeof v, sizeof v);
        const int64_t x = (int64_t)v;
        memcpy(bytes + k * sizeof x, &x, sizeof x);
    }
    p->wide = false;
    cvp_packed *q = realloc(p, packed_bytes(p->n, false));
    return q != NULL ? q : p;   /* a failed shrink keeps the larger block */
}

/* pack_finish for the wide form: the gcd reduction in 128 bits, then the
 * narrow form when every numerator fits int64. */
static void pack_finish_wide(cvp_tensor_t t)
{
    cvp_packed *p = t->packed;
    cvp_int128 *w = wide_of(p);
    if (!reduce_dyadic(p)) {
        u128 g = 0;
        for (size_t k = 0; k < p->n && g != 1; k++)
            g = gcd_u128(magnitude_wide(w[k]), g);
        if (g == 0) {
            mpz_set_ui(p->den, 1);
        } else if (g != 1) {
            mpz_t gz;
            mpz_init(gz);
            mpz_set_u128(gz, g);
            mpz_gcd(gz, gz, p->den);   /* divides g: fits 128 bits */
            const u128 d = mpz_get_u128(gz);
            if (d != 1) {
                /* exact quotients; the least cvp_int128 divided by d >= 2
                 * cannot overflow */
                for (size_t k = 0; k < p->n; k++)
                    w[k] = w[k] < 0 ? -(cvp_int128)(magnitude_wide(w[k]) / d)
                                    : (cvp_int128)((u128)w[k] / d);
                mpz_divexact(p->den, p->den, gz);
            }
            mpz_clear(gz);
        }
    }
    for (size_t k = 0; k < p->n; k++)
        if (!fits_int64(w[k]))
            return;
    /* Canonical numerators all within int64: the narrow form. */
    t->packed = narrow_in_place(p);
}

void cvp_tensor_pack_finish(cvp_tensor_t t)
{
    CVP_ASSERT(t->packed != NULL && t->data == NULL);
    cvp_packed_own_(t);
    cvp_packed *p = t->packed;
    CVP_ASSERT(mpz_sgn(p->den) > 0);
    if (p->wide) {
        pack_finish_wide(t);
        return;
    }
    if (reduce_dyadic(p))
        return;
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
    if (p->wide) {
        const cvp_int128 *w = wide_of_const(p);
        bool some_wide = false;
        u128 g = 0;
        for (size_t k = 0; k < p->n; k++) {
            g = gcd_u128(magnitude_wide(w[k]), g);
            some_wide = some_wide || !fits_int64(w[k]);
        }
        if (!some_wide)
            return false;
        mpz_t gz;
        mpz_init(gz);
        mpz_set_u128(gz, g);
        mpz_gcd(gz, gz, p->den);
        bool coprime = mpz_cmp_ui(gz, 1) == 0;
        mpz_clear(gz);
        return coprime;
    }
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
        if (p->wide) {
            mpz_init(mpq_numref(e[k]));
            mpz_set_int128(mpq_numref(e[k]), wide_of_const(p)[k]);
        } else {
            mpz_init_set_si(mpq_numref(e[k]), (long)p->num[k]);
        }
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
    (void)err;   /* sharing cannot fail */
    /* One more holder first, so that clearing dst cannot free the form
     * even when dst already shares it. */
    __atomic_add_fetch(&src->packed->refs, 1, __ATOMIC_RELAXED);
    hold_packed(dst, src->rank, src->shape, src->packed);
    return CVP_OK;
}

bool cvp_tensor_equal_packed_(const cvp_tensor_struct *a,
                              const cvp_tensor_struct *b)
{
    CVP_ASSERT(a->packed != NULL && b->packed != NULL && a->size == b->size);
    /* Both canonical: equal values have equal representations, of the
     * same width. */
    const bool wide = a->packed->wide;
    return wide == b->packed->wide &&
           mpz_cmp(a->packed->den, b->packed->den) == 0 &&
           memcmp(a->packed->num, b->packed->num,
                  a->size * (wide ? sizeof(cvp_int128) : sizeof(int64_t))) == 0;
}
