/* fast_scale.c -- exact rationals to scaled int64 and back, and the bound
 * that picks the arithmetic. */
#include "fast/fast_internal.h"
#include "kernel/alloc.h"
#include "kernel/packed.h"

#include <stdlib.h>
#include <string.h>

void fast_operand_init(fast_operand *op)
{
    op->v = NULL;
    op->n = 0;
    op->max = 0;
    op->borrowed = false;
    mpz_init_set_ui(op->den, 1);
}

void fast_operand_clear(fast_operand *op)
{
    if (!op->borrowed)
        free(op->v);
    op->v = NULL;
    op->n = 0;
    mpz_clear(op->den);
}

/* |v| as uint64 without overflow at INT64_MIN. */
static uint64_t magnitude(int64_t v)
{
    return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

bool fast_operand_scale(fast_operand *op, const cvp_tensor_t t)
{
    CVP_ASSERT(t->ring == &cvp_ring_q);
    const size_t n = t->size;
    if (cvp_tensor_is_packed(t)) {
        /* Already scaled integers over one denominator: borrowed. */
        mpz_srcptr den = cvp_tensor_packed_den_const(t);
        if (!mpz_fits_slong_p(den))
            return false;
        mpz_set(op->den, den);
        const int64_t *num = cvp_tensor_packed_num_const(t);
        op->v = (int64_t *)num;   /* read only (see fast_operand) */
        op->borrowed = true;
        op->n = n;
        uint64_t max = 0;
        FAST_OMP(omp parallel for reduction(max: max) schedule(static) if (n > FAST_PARALLEL_MIN))
        for (size_t k = 0; k < n; k++)
            if (magnitude(num[k]) > max)
                max = magnitude(num[k]);
        op->max = max;
        return true;
    }
    /* Unpacked: one rational per entry (cvp_tensor_at_const reads them
     * without any change to t, so the loops below may be parallel). */
    /* Pass 1: the common denominator.  Integer tensors (the usual case)
     * cost one comparison per entry. */
    mpz_set_ui(op->den, 1);
    for (size_t k = 0; k < n; k++) {
        mpz_srcptr d = mpq_denref(cvp_tensor_at_const(t, k));
        if (mpz_cmp_ui(d, 1) != 0 && !mpz_divisible_p(op->den, d)) {
            mpz_lcm(op->den, op->den, d);
            if (!mpz_fits_slong_p(op->den))
                return false;
        }
    }
    op->v = cvp_xmalloc((n ? n : 1) * sizeof *op->v);
    op->n = n;
    bool fits = true;
    uint64_t max = 0;
    if (mpz_cmp_ui(op->den, 1) == 0) {
        /* Read-only on the tensor, one slot per entry: parallel. */
        FAST_OMP(omp parallel for reduction(max: max) reduction(&&: fits) schedule(static) if (n > FAST_PARALLEL_MIN))
        for (size_t k = 0; k < n; k++) {
            mpz_srcptr num = mpq_numref(cvp_tensor_at_const(t, k));
            if (!mpz_fits_slong_p(num)) {
                fits = false;
                continue;
            }
            int64_t v = mpz_get_si(num);
            op->v[k] = v;
            if (magnitude(v) > max)
                max = magnitude(v);
        }
    } else {
        mpz_t scaled;
        mpz_init(scaled);
        for (size_t k = 0; fits && k < n; k++) {
            mpz_divexact(scaled, op->den, mpq_denref(cvp_tensor_at_const(t, k)));
            mpz_mul(scaled, scaled, mpq_numref(cvp_tensor_at_const(t, k)));
            if (!mpz_fits_slong_p(scaled)) {
                fits = false;
                break;
            }
            op->v[k] = mpz_get_si(scaled);
            if (magnitude(op->v[k]) > max)
                max = magnitude(op->v[k]);
        }
        mpz_clear(scaled);
    }
    if (!fits) {
        free(op->v);
        op->v = NULL;
        op->n = 0;
        return false;
    }
    op->max = max;
    return true;
}

/* Builds the tensor's storage directly: one pass that initialises each
 * rational with its value (instead of zeros first, then the values), in
 * parallel.  The layout is the one kernel/tensor.h documents: `capacity`
 * initialised elements of the ring in `data`, which cvp_tensor_clear
 * releases. */
static bool adopt_storage(cvp_tensor_t Y, cvp_ring *R, int rank,
                          const size_t *shape, size_t *size)
{
    if (cvp_shape_size(size, rank, shape, NULL) != CVP_OK)
        return false;
    cvp_tensor_clear(Y);
    Y->ring = R;
    Y->rank = rank;
    memset(Y->shape, 0, sizeof Y->shape);
    memcpy(Y->shape, shape, (size_t)rank * sizeof *shape);
    Y->size = *size;
    Y->capacity = *size;
    return true;
}

bool fast_make_q(cvp_tensor_t Y, int rank, const size_t *shape,
                 const int64_t *R, const mpz_t den)
{
    cvp_tensor_t out;
    cvp_tensor_init(out);
    bool ok = cvp_tensor_pack_start(out, rank, shape, NULL) == CVP_OK;
    if (ok) {
        memcpy(cvp_tensor_packed_num(out), R, out->size * sizeof *R);
        mpz_set(cvp_tensor_packed_den(out), den);
        cvp_tensor_pack_finish(out);
        cvp_tensor_swap(Y, out);
    }
    cvp_tensor_clear(out);
    return ok;
}

bool fast_make_fp(cvp_tensor_t Y, cvp_ring *F, int rank, const size_t *shape)
{
    size_t n;
    if (!adopt_storage(Y, F, rank, shape, &n))
        return false;
    /* A residue is a uint64_t and 0 is the ring's zero (ring_small.h). */
    Y->data = cvp_xcalloc(n ? n : 1, sizeof(uint64_t));
    return true;
}

/* Packed out := out + bias over the least common denominator, when every
 * scaled numerator and sum fits an int64 (else false, out untouched). */
static bool add_bias_packed(cvp_tensor_t out, const cvp_tensor_struct *bias,
                            size_t n, size_t O, size_t plane)
{
    if (!cvp_tensor_is_packed(out) || out->data != NULL ||
        !cvp_tensor_is_packed(bias))
        return false;
    mpz_t L, f;
    mpz_inits(L, f, NULL);
    mpz_lcm(L, cvp_tensor_packed_den_const(out), cvp_tensor_packed_den_const(bias));
    int64_t fo = 0, fb = 0;
    bool fits = mpz_fits_slong_p(L);
    if (fits) {
        mpz_divexact(f, L, cvp_tensor_packed_den_const(out));
        fo = mpz_get_si(f);
        mpz_divexact(f, L, cvp_tensor_packed_den_const(bias));
        fb = mpz_get_si(f);
    }
    int64_t *y = fits ? malloc((n ? n : 1) * sizeof *y) : NULL;
    CVP_ASSERT(!fits || y != NULL);
    const int64_t *a = cvp_tensor_packed_num_const(out);
    const int64_t *b = cvp_tensor_packed_num_const(bias);
    bool overflow = false;
    for (size_t k = 0; fits && k < n; k++) {
        int64_t sa, sb;
        overflow |= __builtin_mul_overflow(a[k], fo, &sa);
        overflow |= __builtin_mul_overflow(b[(k / plane) % O], fb, &sb);
        overflow |= __builtin_add_overflow(sa, sb, &y[k]);
    }
    fits = fits && !overflow;
    if (fits) {
        memcpy(cvp_tensor_packed_num(out), y, n * sizeof *y);
        mpz_set(cvp_tensor_packed_den(out), L);
        cvp_tensor_pack_finish(out);
    }
    free(y);
    mpz_clears(L, f, NULL);
    return fits;
}

/* Numerator k of a packed tensor of either width. */
static inline __int128 packed_num(const cvp_tensor_struct *t, size_t k)
{
    return cvp_tensor_is_packed_wide(t) ? cvp_tensor_packed_wide_num_const(t)[k]
                                        : (__int128)cvp_tensor_packed_num_const(t)[k];
}

/* The same in 128-bit numerators, for a wide out (the CRT kernels'
 * results) or sums beyond int64: out becomes packed, of the width its
 * canonical numerators need.  False (out untouched) when an operand is
 * not packed, out has a cache, or a value passes 128 bits. */
static bool add_bias_wide(cvp_tensor_t out, const cvp_tensor_struct *bias,
                          size_t n, size_t O, size_t plane)
{
    const bool out_packed = cvp_tensor_is_packed(out) || cvp_tensor_is_packed_wide(out);
    const bool bias_packed = cvp_tensor_is_packed(bias) || cvp_tensor_is_packed_wide(bias);
    if (!out_packed || out->data != NULL || !bias_packed)
        return false;
    mpz_t L, f;
    mpz_inits(L, f, NULL);
    mpz_lcm(L, cvp_tensor_packed_den_const(out), cvp_tensor_packed_den_const(bias));
    /* the factors to the common denominator, each below 2^126 */
    __int128 fo = 0, fb = 0;
    bool fits = true;
    for (int side = 0; side < 2 && fits; side++) {
        mpz_divexact(f, L, cvp_tensor_packed_den_const(side ? bias : out));
        fits = mpz_sizeinbase(f, 2) <= 126;
        if (fits) {
            __int128 v = ((__int128)mpz_getlimbn(f, 1) << 64) | mpz_getlimbn(f, 0);
            *(side ? &fb : &fo) = v;
        }
    }
    cvp_tensor_t result;
    cvp_tensor_init(result);
    fits = fits && cvp_tensor_pack_start_wide(result, out->rank, out->shape, NULL) == CVP_OK;
    bool overflow = false;
    if (fits) {
        __int128 *y = cvp_tensor_packed_wide_num(result);
        for (size_t k = 0; k < n; k++) {
            __int128 sa, sb;
            overflow |= __builtin_mul_overflow(packed_num(out, k), fo, &sa);
            overflow |= __builtin_mul_overflow(packed_num(bias, (k / plane) % O), fb, &sb);
            overflow |= __builtin_add_overflow(sa, sb, &y[k]);
        }
    }
    fits = fits && !overflow;
    if (fits) {
        mpz_set(cvp_tensor_packed_den(result), L);
        cvp_tensor_pack_finish(result);
        cvp_tensor_swap(out, result);
    }
    cvp_tensor_clear(result);
    mpz_clears(L, f, NULL);
    return fits;
}

void fast_add_bias(cvp_tensor_t out, const cvp_tensor_struct *bias,
                   size_t N, size_t O, size_t plane)
{
    const size_t n = N * O * plane;
    if (add_bias_packed(out, bias, n, O, plane) || add_bias_wide(out, bias, n, O, plane))
        return;
    /* Rationals: made here, before the threads, which then only write
     * their own entries of out and read bias. */
    cvp_tensor_unpack(out);
    cvp_tensor_materialise(bias);
    FAST_OMP(omp parallel for schedule(static) if (n > FAST_PARALLEL_MIN))
    for (size_t k = 0; k < n; k++)
        mpq_add(cvp_tensor_at(out, k), cvp_tensor_at(out, k),
                cvp_tensor_at(bias, (k / plane) % O));
}

unsigned __int128 fast_bound(uint64_t L, uint64_t a, uint64_t b)
{
    const unsigned __int128 cap = (unsigned __int128)1 << 127;
    unsigned __int128 ab = (unsigned __int128)a * b;   /* < 2^128 */
    if (ab >= cap)
        return cap;
    if (L != 0 && ab > cap / L)
        return cap;
    return ab * L;
}
