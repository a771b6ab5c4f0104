/* fast_crt_float.c -- exact integer products too wide for int64 through
 * float64 matrix products: residues modulo a few small primes, one BLAS
 * product per prime, and the Chinese remainder theorem.
 *
 * Why: the 61-bit primes of fast_crt.c need a 64x64-bit multiplication per
 * multiply-add and no BLAS runs that.  A float64 product is exact when
 * every partial sum is an integer of at most 2^53, so residues r with
 * |r| <= h, L h^2 <= 2^53 (L products per entry) give exact products
 * from the BLAS -- about 21 bits per prime at L = 2304 (a 3x3 layer of
 * 256 channels), five primes for a 104-bit bound.  Each of these products
 * goes through fast_gemm_f64, so each is accepted only after its exact
 * check (fast_gemm.c); a failed check makes the whole operation fall
 * back.
 *
 * With `offset`, fewer primes do: an unchecked float64 product of the
 * scaled values themselves (below 2^53, so exact as doubles) is within
 * gamma_L sum |a||b| <= L 2^-52 bound of the exact result in any order of
 * summation (Higham, Accuracy and Stability of Numerical Algorithms, 3.1);
 * rounded to an integer, it leaves a difference below M/2 for primes whose
 * product M exceeds L 2^-51 bound + 2, which the residues then give.  A
 * wrong float64 product would give a wrong result, so the caller verifies
 * the result against the operands (fast_verify_op) before accepting it.
 *
 * The residues are symmetric (in [-h, h], the primes odd), so that the
 * products' bound is L h^2 whatever the signs.  Each product's entries
 * are then reduced into [0, m), and Garner's mixed-radix digits and the
 * 128-bit assembly follow fast_crt.c (see there for why reconstruction
 * modulo 2^128 is exact: |result| <= bound < 2^127). */
#include "fast/fast_internal.h"
#include "kernel/alloc.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/prime.h"

typedef unsigned __int128 u128;

static atomic_bool float_residues = true;

void cvp_fast_set_crt_float(bool on) { atomic_store(&float_residues, on); }

/* The largest h with L h^2 <= 2^53. */
static uint64_t half_width(uint64_t L)
{
    if (L == 0)
        L = 1;
    uint64_t h = (uint64_t)sqrt(9007199254740992.0 / (double)L);
    /* sqrt of a double may be off by one either way: settle exactly. */
    while (h > 0 && (u128)L * h * h > ((u128)1 << 53))
        h--;
    while ((u128)L * (h + 1) * (h + 1) <= ((u128)1 << 53))
        h++;
    return h;
}

size_t fast_crt_float_moduli(uint64_t *m, size_t max, uint64_t reduction,
                             unsigned __int128 bound)
{
    uint64_t h = half_width(reduction);
    /* Primes below 2^10 would need too many products to pay off; below
     * 2^32 keeps Barrett reduction and Garner's steps in 64 bits. */
    uint64_t top = 2 * h + 1;
    if (top > ((uint64_t)1 << 32) - 1)
        top = ((uint64_t)1 << 32) - 1;
    if (top < ((uint64_t)1 << 10))
        return 0;
    /* The product of the primes must exceed 2 bound + 1 (once per
     * operation: GMP's cost does not matter here). */
    mpz_t need, prod;
    mpz_init_set_ui(need, (unsigned long)(uint64_t)(bound >> 64));
    mpz_mul_2exp(need, need, 64);
    mpz_add_ui(need, need, (unsigned long)(uint64_t)bound);
    mpz_mul_2exp(need, need, 1);
    mpz_add_ui(need, need, 1);
    mpz_init_set_ui(prod, 1);
    size_t count = 0;
    uint64_t candidate = top % 2 == 0 ? top - 1 : top;
    while (mpz_cmp(prod, need) <= 0) {
        while (candidate > 2 && !cvp_is_prime_u64(candidate))
            candidate -= 2;
        if (count == max || candidate <= 2) {
            count = 0;
            break;
        }
        m[count++] = candidate;
        mpz_mul_ui(prod, prod, candidate);
        candidate -= 2;
    }
    mpz_clears(need, prod, NULL);
    return count;
}

/* r := the symmetric residues of v modulo s->m as doubles in [-h, h]. */
static void float_residues_of(double *r, const int64_t *v, size_t n,
                              const fast_small_mod *s)
{
    FAST_OMP(omp parallel for schedule(static) if (n > FAST_PARALLEL_MIN))
    for (size_t k = 0; k < n; k++)
        r[k] = fast_symmetric(fast_residue_of(v[k], s), s->m);
}

/* v mod s->m in [0, m) for any 128-bit v: the magnitude's halves, with
 * 2^64 mod m (every intermediate below 2^64, m < 2^32). */
static inline uint64_t residue_wide(__int128 v, const fast_small_mod *s, uint64_t r64)
{
    /* hi mod m < 2^32 and r64 < 2^32: hi r64 + lo < 2^64 */
    u128 mag = v < 0 ? (u128)0 - (u128)v : (u128)v;
    uint64_t hi = fast_mod_small((uint64_t)(mag >> 64), s);
    uint64_t lo = fast_mod_small((uint64_t)mag, s);
    uint64_t x = fast_mod_small(hi * r64 + lo, s);
    return v < 0 && x != 0 ? s->m - x : x;
}

/* r[k] := the nearest integer to the unchecked float64 product of the
 * operands' scaled values (each below 2^53 in magnitude, so exact as
 * doubles).  False when an entry is not finite or passes 2^125. */
static bool approximate_product(__int128 *r, size_t n, double *R, double *ra,
                                double *rb, const fast_operand *a,
                                const fast_operand *b, fast_float_op run,
                                const void *job)
{
    for (size_t k = 0; k < a->n; k++)
        ra[k] = (double)a->v[k];
    for (size_t k = 0; k < b->n; k++)
        rb[k] = (double)b->v[k];
    memset(R, 0, (n ? n : 1) * sizeof *R);
    fast_ctx ctx;
    fast_ctx_init(&ctx, 0);
    ctx.unchecked = true;
    if (!run(&ctx, job, ra, rb, R))
        return false;
    bool ok = true;
    FAST_OMP(omp parallel for reduction(&&: ok) schedule(static) if (n > FAST_PARALLEL_MIN))
    for (size_t k = 0; k < n; k++) {
        double x = nearbyint(R[k]);   /* ties either way: within the margin */
        if (!(fabs(x) < 0x1p125)) {
            ok = false;
            continue;
        }
        r[k] = (__int128)x;           /* an integer below 2^125: exact */
    }
    return ok;
}

/* The residue mod s->m of a product's entry x, minus that of r[k] when
 * offset.  The entries are integers of at most 2^53 (fast_gemm.c rejects
 * anything else in a checked product, and a product that reduces mod
 * m_i gives residues), so the conversion to int64 is exact. */
static inline uint64_t result_residue(double x, const __int128 *r, size_t k,
                                      bool offset, const fast_small_mod *s)
{
    uint64_t v = fast_residue_of((int64_t)x, s);
    if (offset) {
        uint64_t y = residue_wide(r[k], s, s->r64);
        v = v >= y ? v - y : v + s->m - y;
    }
    return v;
}

bool fast_crt_float_run(__int128 *r, size_t n, size_t count, const uint64_t *m,
                        const fast_operand *a, const fast_operand *b,
                        fast_float_op run, const void *job, bool offset)
{
    CVP_ASSERT(count >= 1 && count <= FAST_CRT_FLOAT_MAX);
    fast_small_mod s[FAST_CRT_FLOAT_MAX];
    for (size_t i = 0; i < count; i++)
        s[i] = fast_small_mod_of(m[i]);
    /* Each product's entries reduced into [0, m_i): 32 bits each; the
     * last product's are read straight from its result (R) instead, which
     * saves n words of peak memory. */
    uint32_t *res = cvp_xmalloc((n ? n : 1) * (count - 1 ? count - 1 : 1) * sizeof *res);
    /* One set of buffers for all the primes: fresh memory costs a page
     * fault per 4 KB at first touch. */
    double *R = cvp_xmalloc((n ? n : 1) * sizeof *R);
    double *ra = cvp_xmalloc((a->n ? a->n : 1) * sizeof *ra);
    double *rb = cvp_xmalloc((b->n ? b->n : 1) * sizeof *rb);
    bool ok = !offset || approximate_product(r, n, R, ra, rb, a, b, run, job);
    for (size_t i = 0; ok && i < count; i++) {
        fast_ctx ctx;
        fast_ctx_init(&ctx, m[i]);   /* run may then reduce mod m[i] */
        float_residues_of(ra, a->v, a->n, &s[i]);
        float_residues_of(rb, b->v, b->n, &s[i]);
        memset(R, 0, (n ? n : 1) * sizeof *R);   /* all bits 0 is 0.0 */
        ok = run(&ctx, job, ra, rb, R);
        if (i == count - 1)
            break;
        uint32_t *ri = res + i * n;
        FAST_OMP(omp parallel for schedule(static) if (ok && n > FAST_PARALLEL_MIN))
        for (size_t k = 0; k < n; k++)
            ri[k] = (uint32_t)result_residue(R[k], r, k, offset, &s[i]);
    }
    free(ra);
    free(rb);
    if (!ok) {
        free(R);
        free(res);
        return false;
    }
    /* Garner's constants inv[i][j] = m_j^-1 mod m_i (j < i), and the
     * mixed-radix digits of floor(M / 2), M the product of the primes. */
    uint64_t inv[FAST_CRT_FLOAT_MAX][FAST_CRT_FLOAT_MAX] = {{0}};
    for (size_t i = 0; i < count; i++)
        for (size_t j = 0; j < i; j++)
            inv[i][j] = cvp_powmod_u64(m[j] % m[i], m[i] - 2, m[i]);
    u128 M_low = 1;
    for (size_t i = 0; i < count; i++)
        M_low *= m[i];
    uint64_t half_digit[FAST_CRT_FLOAT_MAX];
    mpz_t half;
    mpz_init_set_ui(half, 1);
    for (size_t i = 0; i < count; i++)
        mpz_mul_ui(half, half, m[i]);
    mpz_fdiv_q_2exp(half, half, 1);
    for (size_t i = 0; i < count; i++)
        half_digit[i] = mpz_fdiv_q_ui(half, half, m[i]);
    CVP_ASSERT(mpz_sgn(half) == 0);
    mpz_clear(half);
    FAST_OMP(omp parallel for schedule(static) if (n > FAST_PARALLEL_MIN / 16))
    for (size_t k = 0; k < n; k++) {
        uint64_t y[FAST_CRT_FLOAT_MAX];
        for (size_t i = 0; i < count; i++) {
            /* Digits and residues are below m_i < 2^32, so every product
             * fits 64 bits and Barrett reduction applies. */
            uint64_t v = i + 1 < count
                             ? res[i * n + k]
                             : result_residue(R[k], r, k, offset, &s[i]);
            for (size_t j = 0; j < i; j++) {
                uint64_t yj = y[j] >= m[i] ? fast_mod_small(y[j], &s[i]) : y[j];
                v = v >= yj ? v - yj : v + m[i] - yj;
                v = fast_mod_small(v * inv[i][j], &s[i]);
            }
            y[i] = v;
        }
        int cmp = 0;
        for (size_t i = count; cmp == 0 && i-- > 0;)
            cmp = y[i] > half_digit[i] ? 1 : y[i] < half_digit[i] ? -1 : 0;
        u128 x = y[count - 1];
        for (size_t i = count - 1; i-- > 0;)
            x = x * m[i] + y[i];
        if (cmp > 0)
            x -= M_low;
        /* modulo 2^128 (no signed overflow even if the unchecked product
         * was wrong: the verification then rejects the result) */
        r[k] = (__int128)(offset ? (u128)r[k] + x : x);
    }
    free(R);
    free(res);
    return true;
}

bool fast_crt_float_enabled(void)
{
    return atomic_load(&float_residues) && cvp_fast_have_blas();
}
