/* npy_write.c -- writing tensors as NumPy .npy files of float64.
 *
 * cvp_npy_write_file writes a rational only if it is exactly a double: a
 * proof checker must never hand a rounded value to the next tool without
 * saying so.  All entries are checked before the file is opened, so a
 * refusal leaves no partial file behind.  cvp_npy_write_rounded_file is
 * the one that rounds, on request (--out-rounded), correctly: each entry
 * is the double nearest to the exact rational, ties to even, computed in
 * integer arithmetic (no floating-point operation rounds anywhere).
 *
 * The layout follows what numpy.save writes today: version 1.0, the dict
 * {'descr': '<f8', 'fortran_order': False, 'shape': (...), } padded with
 * spaces and a final '\n' so that magic + length field + header is a
 * multiple of 64 bytes, then the entries little-endian in C order.
 */
#include "io/npy.h"
#include "io/npy_internal.h"
#include "kernel/packed.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(sizeof(double) == 8, "double must be IEEE binary64");

bool cvp_mpq_to_double_exact(double *d, const mpq_t q)
{
    /* Cheap rejection first: a double is m * 2^e, so a canonical
     * denominator must be a power of two. */
    mpz_srcptr den = mpq_denref(q);
    if (mpz_scan1(den, 0) != mpz_sizeinbase(den, 2) - 1)
        return false;
    /* mpq_get_d truncates; whatever finite double it returns, q is exactly
     * a double iff converting that double back (exact) gives q again.  An
     * infinity means q is beyond the double range (and mpq_set_d must not
     * see it). */
    double x = mpq_get_d(q);
    if (!isfinite(x))
        return false;
    mpq_t back;
    mpq_init(back);
    mpq_set_d(back, x);
    bool exact = mpq_equal(back, q) != 0;
    mpq_clear(back);
    if (exact)
        *d = x;
    return exact;
}

/* Entry k of a packed tensor whose denominator is 2^shift, as a double if
 * it is exactly one: num 2^-shift = m 2^e with m odd needs m < 2^53 and
 * e >= -1074 (the least subnormal); it is far below the overflow
 * threshold, since |num| < 2^63. */
static bool packed_to_double_exact(double *d, int64_t num, mp_bitcnt_t shift)
{
    if (num == 0) {
        *d = 0.0;
        return true;
    }
    /* Integers up to 2^53 in magnitude (the common case): as they are. */
    if (shift == 0 && num >= -((int64_t)1 << 53) && num <= ((int64_t)1 << 53)) {
        *d = (double)num;
        return true;
    }
    uint64_t m = num < 0 ? (uint64_t)0 - (uint64_t)num : (uint64_t)num;
    int tz = __builtin_ctzll(m);
    m >>= tz;
    if (m >= (UINT64_C(1) << 53) || (mp_bitcnt_t)tz + 1074 < shift)
        return false;
    double v = ldexp((double)m, tz - (int)shift);   /* exact by the above */
    *d = num < 0 ? -v : v;
    return true;
}

__extension__ typedef unsigned __int128 u128;

static int bit_length_u128(u128 m)
{
    uint64_t hi = (uint64_t)(m >> 64);
    return hi ? 128 - __builtin_clzll(hi)
              : (uint64_t)m ? 64 - __builtin_clzll((uint64_t)m) : 0;
}

/* 2^e as a double, for e in [-1074, 1023], from its bits. */
static inline double pow2(int e)
{
    const uint64_t bits = e >= -1022 ? (uint64_t)(e + 1023) << 52
                                     : (uint64_t)1 << (e + 1074);
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

/* The double nearest to (-1)^neg * m / 2^shift (0 <= shift < 2^20), ties
 * to even, with gradual underflow: round_nd's rule on a denominator that
 * is a power of two, in integer arithmetic.  The value is below 2^128, so
 * it never overflows.  With 2^E <= m 2^-shift < 2^(E+1), the last bit
 * kept is 2^L, L = max(E - 52, -1074), so s = L + shift low bits of m go:
 * Q = floor(m / 2^s) and the dropped bits against half a unit decide. */
static double round_dyadic(bool neg, u128 m, long shift)
{
    if (m == 0)
        return neg ? -0.0 : 0.0;
    const int bits = bit_length_u128(m);
    const long E = bits - 1 - shift;
    if (E >= -1022) {
        /* A normal result: the hardware rounds once.  The top 64 bits of
         * m, with every bit below them folded into the last one (so a
         * value above a half-way point is never taken for it), convert
         * to the double nearest m / 2^drop in the default rounding mode
         * (convproof never changes it); two exact scalings by powers of
         * two, 2^-(bits - 1 - drop) into [1, 2] and then 2^E (normal),
         * follow. */
        const int drop = bits > 64 ? bits - 64 : 0;
        uint64_t top = (uint64_t)(m >> drop);
        if (drop > 0 && (m & ((((u128)1) << drop) - 1)) != 0)
            top |= 1;
        const double v = (double)top * pow2(-(bits - 1 - drop)) * pow2((int)E);
        return neg ? -v : v;
    }
    const long L = E - 52 < -1074 ? -1074 : E - 52;
    const long s = L + shift;
    u128 q;
    if (s <= 0) {
        q = m << -s;   /* exact: m has at most 53 + s bits, q < 2^53 */
    } else if (s > 128) {
        q = 0;         /* m < 2^128 <= half a unit: rounds to zero */
    } else {
        const u128 rest = s == 128 ? m : m & ((((u128)1) << s) - 1);
        const u128 half = ((u128)1) << (s - 1);
        q = s == 128 ? 0 : m >> s;
        if (rest > half || (rest == half && (q & 1)))
            q++;       /* may reach 2^53: still exact */
    }
    /* q <= 2^53 is exact as a double, and so is 2^L (L in [-1074, 75]:
     * m < 2^128), so their product, representable, is exact too */
    const double v = (double)(uint64_t)q * pow2((int)L);
    return neg ? -v : v;
}

/* round_dyadic for a signed numerator (either width, widened). */
static double round_wide(cvp_int128 v, long shift)
{
    const bool neg = v < 0;
    return round_dyadic(neg, neg ? (u128)0 - (u128)v : (u128)v, shift);
}

/* A wide packed numerator over 2^shift as a double if it is exactly one
 * (as packed_to_double_exact). */
static bool wide_to_double_exact(double *d, cvp_int128 num, mp_bitcnt_t shift)
{
    if (num >= INT64_MIN && num <= INT64_MAX)
        return packed_to_double_exact(d, (int64_t)num, shift);
    u128 m = num < 0 ? (u128)0 - (u128)num : (u128)num;
    int tz = (uint64_t)m ? __builtin_ctzll((uint64_t)m)
                         : 64 + __builtin_ctzll((uint64_t)(m >> 64));
    m >>= tz;
    if (m >= (((u128)1) << 53) || (mp_bitcnt_t)tz + 1074 < shift)
        return false;
    double v = ldexp((double)(uint64_t)m, tz - (int)shift);   /* exact */
    *d = num < 0 ? -v : v;
    return true;
}

/* Entry k of t as a double if it is exactly one.  shift is the log2 of
 * the packed denominator when t is packed (either width) and that is a
 * power of two, else -1 (the rational is read). */
static bool entry_to_double_exact(double *d, const cvp_tensor_t t, size_t k,
                                  long shift)
{
    if (shift >= 0 && cvp_tensor_is_packed_wide(t))
        return wide_to_double_exact(d, cvp_tensor_packed_wide_num_const(t)[k],
                                    (mp_bitcnt_t)shift);
    if (shift >= 0)
        return packed_to_double_exact(d, cvp_tensor_packed_num_const(t)[k],
                                      (mp_bitcnt_t)shift);
    return cvp_mpq_to_double_exact(d, cvp_tensor_at(t, k));
}

/* The double nearest to (-1)^neg * n / (d 2^e2) (n >= 0, d > 0), ties
 * to even, as IEEE 754 roundTiesToEven does it with gradual underflow:
 * 53 significant bits, the last one never below 2^-1074; beyond the
 * largest double the result is an infinity, below half the least
 * subnormal a zero of the value's sign.
 *
 * The least significant bit kept is 2^L with L = max(E - 52, -1074),
 * where 2^E <= n / d < 2^(E+1); then Q = floor(n / (d 2^(e2+L))) and the
 * remainder against half a unit decide the rounding. */
static double round_nd(bool neg, mpz_srcptr n, mpz_srcptr d, long e2)
{
    if (mpz_sgn(n) == 0)
        return neg ? -0.0 : 0.0;
    mpz_t num, den, q, r;
    mpz_inits(num, den, q, r, NULL);
    /* E: first a guess from the bit lengths (off by at most one), then
     * checked against n >= d 2^(E + e2). */
    long E = (long)mpz_sizeinbase(n, 2) - (long)mpz_sizeinbase(d, 2) - e2;
    for (;;) {
        long s = E + e2;   /* n >= d 2^s ? */
        mpz_set(num, n);
        mpz_set(den, d);
        if (s >= 0)
            mpz_mul_2exp(den, den, (mp_bitcnt_t)s);
        else
            mpz_mul_2exp(num, num, (mp_bitcnt_t)-s);
        if (mpz_cmp(num, den) >= 0)
            break;
        E--;
    }
    double result;
    if (E > 1023) {
        result = HUGE_VAL;   /* >= 2^1024: beyond every double and half an ulp */
    } else {
        long L = E - 52 < -1074 ? -1074 : E - 52;
        long s = L + e2;
        mpz_set(num, n);
        mpz_set(den, d);
        if (s >= 0)
            mpz_mul_2exp(den, den, (mp_bitcnt_t)s);
        else
            mpz_mul_2exp(num, num, (mp_bitcnt_t)-s);
        mpz_fdiv_qr(q, r, num, den);     /* Q < 2^53 */
        mpz_mul_2exp(r, r, 1);
        int c = mpz_cmp(r, den);         /* remainder against half a unit */
        if (c > 0 || (c == 0 && mpz_odd_p(q)))
            mpz_add_ui(q, q, 1);         /* may reach 2^53: still exact */
        /* Q 2^L is a double unless it reached 2^1024. */
        if (L + (long)mpz_sizeinbase(q, 2) > 1024)
            result = HUGE_VAL;
        else
            result = ldexp((double)mpz_get_ui(q), (int)L);
    }
    mpz_clears(num, den, q, r, NULL);
    return neg ? -result : result;
}

double cvp_mpq_round_to_double(const mpq_t q)
{
    mpz_t n;
    mpz_init(n);
    mpz_abs(n, mpq_numref(q));
    double d = round_nd(mpq_sgn(q) < 0, n, mpq_denref(q), 0);
    mpz_clear(n);
    return d;
}

/* Entry k of t, correctly rounded (shift as for entry_to_double_exact;
 * the exact conversion is used when it succeeds, it is the cheap case). */
static double entry_to_double_rounded(const cvp_tensor_t t, size_t k,
                                      long shift)
{
    if (shift >= 0) {
        /* a power of two: integer rounding, no GMP */
        return round_wide(cvp_tensor_is_packed_wide(t)
                              ? cvp_tensor_packed_wide_num_const(t)[k]
                              : (cvp_int128)cvp_tensor_packed_num_const(t)[k],
                          shift);
    }
    double d;
    if (entry_to_double_exact(&d, t, k, shift))
        return d;
    if (!cvp_tensor_is_packed(t))
        return cvp_mpq_round_to_double(cvp_tensor_at(t, k));
    int64_t v = cvp_tensor_packed_num_const(t)[k];
    uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    mpz_t n;
    mpz_init_set_ui(n, (unsigned long)m);
    d = round_nd(v < 0, n, cvp_tensor_packed_den_const(t), 0);
    mpz_clear(n);
    return d;
}

/* The header, padded, into buf; returns its length (a multiple of 64). */
static size_t build_header(unsigned char *buf, size_t bufsize,
                           const cvp_tensor_t t)
{
    char shape[CVP_MAX_RANK * 24 + 8];
    size_t used = 0;
    shape[used++] = '(';
    for (int k = 0; k < t->rank; k++)
        used += (size_t)snprintf(shape + used, sizeof shape - used, "%s%zu",
                                 k ? ", " : "", t->shape[k]);
    if (t->rank == 1)
        shape[used++] = ',';  /* (3,) is a tuple; (3) would be an int */
    shape[used++] = ')';
    shape[used] = '\0';

    char dict[sizeof shape + 64];
    int n = snprintf(dict, sizeof dict,
                     "{'descr': '<f8', 'fortran_order': False, 'shape': %s, }",
                     shape);
    CVP_ASSERT(n > 0 && (size_t)n < sizeof dict);
    size_t total = 10 + (size_t)n + 1;  /* prefix + dict + '\n' */
    size_t pad = (64 - total % 64) % 64;
    size_t hlen = (size_t)n + pad + 1;
    CVP_ASSERT(10 + hlen <= bufsize && hlen <= 0xffff);

    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    buf[8] = (unsigned char)(hlen & 0xff);
    buf[9] = (unsigned char)(hlen >> 8);
    memcpy(buf + 10, dict, (size_t)n);
    memset(buf + 10 + n, ' ', pad);
    buf[10 + hlen - 1] = '\n';
    return 10 + hlen;
}

static void store_le(unsigned char *b, double d)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(b, &d, sizeof d);   /* already in the file's byte order */
#else
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    for (int k = 0; k < 8; k++)
        b[k] = (unsigned char)(u >> (8 * k));
#endif
}

/* log2 of a packed tensor's denominator (either width) when that is a
 * power of two, else -1 (also for unpacked tensors). */
static long packed_shift(const cvp_tensor_t t)
{
    if (!cvp_tensor_is_packed(t) && !cvp_tensor_is_packed_wide(t))
        return -1;
    mpz_srcptr den = cvp_tensor_packed_den_const(t);
    size_t bits = mpz_sizeinbase(den, 2);
    /* Beyond 2^(2^20) every nonzero entry is far below the least
     * subnormal; the rational path handles (and refuses or rounds) it. */
    if (mpz_scan1(den, 0) == bits - 1 && bits - 1 < 1u << 20)
        return (long)(bits - 1);
    return -1;
}

/* Entries converted at once between two fwrite calls: 512 KB of output. */
enum { WRITE_CHUNK = 1 << 16 };

/* Entry k as the double to write (exact: the caller checked it). */
static double entry_to_write(const cvp_tensor_t t, size_t k, bool rounded,
                             long shift)
{
    if (rounded)
        return entry_to_double_rounded(t, k, shift);
    double d;
    bool exact = entry_to_double_exact(&d, t, k, shift);
    CVP_ASSERT(exact);  /* checked by the caller */
    return d;
}

/* Writes the header and every entry (exactly, or rounded), converting a
 * chunk of entries at a time on all threads. */
static cvp_status write_entries(const char *path, const cvp_tensor_t t,
                                bool rounded, long shift, cvp_error *err)
{
    unsigned char *block = malloc(8 * (size_t)WRITE_CHUNK);
    if (block == NULL)
        return cvp_error_set(err, CVP_ERR_LIMIT, "%s: out of memory", path);
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        free(block);
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "%s: cannot open for writing: %s", path,
                             strerror(errno));
    }
    errno = 0;
    size_t used = build_header(block, 8 * (size_t)WRITE_CHUNK, t);
    const cvp_int128 *wide = cvp_tensor_is_packed_wide(t)
                                 ? cvp_tensor_packed_wide_num_const(t) : NULL;
    bool ok = fwrite(block, 1, used, f) == used;
    for (size_t k0 = 0; ok && k0 < t->size; k0 += WRITE_CHUNK) {
        const size_t n = t->size - k0 < WRITE_CHUNK ? t->size - k0 : WRITE_CHUNK;
        if (rounded && shift >= 0 && wide != NULL) {
            /* the common case of float data: the numerator array read
             * directly, not through the tensor for every entry */
            NPY_OMP(omp parallel for schedule(static) if (n >= NPY_PARALLEL_MIN))
            for (size_t j = 0; j < n; j++)
                store_le(block + 8 * j, round_wide(wide[k0 + j], shift));
        } else {
            NPY_OMP(omp parallel for schedule(static) if (n >= NPY_PARALLEL_MIN))
            for (size_t j = 0; j < n; j++)
                store_le(block + 8 * j, entry_to_write(t, k0 + j, rounded, shift));
        }
        ok = fwrite(block, 8, n, f) == n;
    }
    free(block);
    int e = errno;
    if (fclose(f) != 0 && ok) {
        e = errno;
        ok = false;
    }
    /* A partly written file is left as it is: its header promises more
     * data than it holds, so readers reject it.  (Removing it could
     * remove something that is not ours, such as a device.) */
    if (!ok)
        return cvp_error_set(err, CVP_ERR_INPUT, "%s: write error: %s", path,
                             e ? strerror(e) : "unknown error");
    return CVP_OK;
}

/* q := entry k of t, from the packed form when there is one (so that
 * naming one entry in a message does not materialise the whole tensor). */
static void entry_rational(mpq_t q, const cvp_tensor_t t, size_t k)
{
    if (cvp_tensor_is_packed_wide(t)) {
        cvp_int128 v = cvp_tensor_packed_wide_num_const(t)[k];
        u128 m = v < 0 ? (u128)0 - (u128)v : (u128)v;
        mpz_set_ui(mpq_numref(q), (unsigned long)(uint64_t)(m >> 64));
        mpz_mul_2exp(mpq_numref(q), mpq_numref(q), 64);
        mpz_add_ui(mpq_numref(q), mpq_numref(q), (unsigned long)(uint64_t)m);
        if (v < 0)
            mpz_neg(mpq_numref(q), mpq_numref(q));
    } else if (cvp_tensor_is_packed(t)) {
        mpz_set_si(mpq_numref(q), (long)cvp_tensor_packed_num_const(t)[k]);
    } else {
        mpq_set(q, cvp_tensor_at(t, k));
        return;
    }
    mpz_set(mpq_denref(q), cvp_tensor_packed_den_const(t));
    mpq_canonicalize(q);
}

cvp_status cvp_npy_write_file(const char *path, const cvp_tensor_t t,
                              cvp_error *err)
{
    const long shift = packed_shift(t);
    /* The first entry that is not a double, if any (threads may find
     * others first: the least index is the one reported). */
    size_t first_bad = t->size;
    NPY_OMP(omp parallel for schedule(static) reduction(min: first_bad) if (t->size >= NPY_PARALLEL_MIN))
    for (size_t k = 0; k < t->size; k++) {
        double d;
        if (k < first_bad && !entry_to_double_exact(&d, t, k, shift))
            first_bad = k;
    }
    if (first_bad < t->size) {
        char where[256];
        cvp_npy_format_index(where, sizeof where, t->rank, t->shape, first_bad);
        char value[96];
        mpq_t q;
        mpq_init(q);
        entry_rational(q, t, first_bad);
        /* A huge rational is shown truncated; the index names it. */
        int n = gmp_snprintf(value, sizeof value, "%Qd", q);
        mpq_clear(q);
        if (n >= (int)sizeof value)
            memcpy(value + sizeof value - 4, "...", 4);
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "cannot write %s as float64: entry %s = %s "
                             "is not exactly representable", path, where, value);
    }
    return write_entries(path, t, false, shift, err);
}

cvp_status cvp_npy_write_rounded_file(const char *path, const cvp_tensor_t t,
                                      cvp_error *err)
{
    return write_entries(path, t, true, packed_shift(t), err);
}
