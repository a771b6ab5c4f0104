/* fast_crt.c -- exact integer products too wide for int64, by residues
 * modulo a few primes and the Chinese remainder theorem (see fast.h).
 *
 * When every partial sum of an operation is bounded by B >= 2^63 (but the
 * scaled operands still fit in int64, so B < 2^127), the operation runs
 * once per prime p_i of a basis whose product M exceeds 2B, on the
 * residues of the operands, with the prime-field kernel.  Each result
 * entry r is then the unique integer in (-M/2, M/2) congruent to the
 * residues: Garner's mixed-radix form
 *     r = y_1 + p_1 (y_2 + p_2 (y_3 + ...)),   0 <= y_i < p_i,
 * is computed in machine words.  Whether r passes M/2 is decided on the
 * digits (mixed-radix form is unique, so numbers compare like their
 * digit strings read from the top), and then r - M or r is assembled in
 * 128-bit arithmetic modulo 2^128: exact, because |r| <= B < 2^127.  The
 * result is packed (kernel/packed.h): with int64 numerators when every
 * entry fits one, else with 128-bit numerators.
 *
 * The primes are the largest below 2^61 (the first is the Mersenne prime
 * 2^61 - 1, whose reduction is cheapest); three of them exceed 2^180, far
 * above the 2^128 that any bound of int64 operands can need. */
#include "fast/fast_internal.h"
#include "kernel/alloc.h"

#include <stdlib.h>
#include <string.h>

#include "kernel/packed.h"
#include "kernel/prime.h"
#include "kernel/ring_small.h"

#define CRT_MAX_PRIMES 3

/* The first `count` primes below 2^61, largest first. */
static void crt_primes(uint64_t *p, size_t count)
{
    uint64_t candidate = CVP_FP_DEFAULT_PRIME;   /* 2^61 - 1 */
    for (size_t i = 0; i < count; i++) {
        while (!cvp_is_prime_u64(candidate))
            candidate -= 2;
        p[i] = candidate;
        candidate -= 2;
    }
}

size_t fast_crt_primes_needed(unsigned __int128 bound)
{
    /* Every prime is above 2^60: count primes give M > 2^(60 count), and
     * M > 2B needs 60 count >= bits(B) + 1. */
    size_t bits = 0;
    while (bits < 128 && (bound >> bits) != 0)
        bits++;
    size_t count = (bits + 1 + 59) / 60;
    return count < 1 ? 1 : count;
}

/* v mod p in [0, p) for any int64 v (INT64_MIN included). */
static uint64_t residue(int64_t v, uint64_t p)
{
    if (v >= 0)
        return (uint64_t)v % p;
    uint64_t m = ((uint64_t)0 - (uint64_t)v) % p;
    return m == 0 ? 0 : p - m;
}

static uint64_t *residues(const int64_t *v, size_t n, uint64_t p)
{
    uint64_t *r = cvp_xmalloc((n ? n : 1) * sizeof *r);
    FAST_OMP(omp parallel for schedule(static) if (n > FAST_PARALLEL_MIN))
    for (size_t k = 0; k < n; k++)
        r[k] = residue(v[k], p);
    return r;
}

/* r[k] := the exact results by `run` on residues modulo `count` primes
 * near 2^61.  False when an operation failed. */
static bool crt61_run(__int128 *r, size_t n, size_t count,
                      const fast_operand *a, const fast_operand *b,
                      fast_residue_op run, const void *job)
{
    uint64_t p[CRT_MAX_PRIMES];
    crt_primes(p, count);
    /* Results per prime (all primes before the combination: the entries'
     * residues must be side by side). */
    uint64_t *res[CRT_MAX_PRIMES] = {NULL};
    bool ok = true;
    for (size_t i = 0; ok && i < count; i++) {
        fast_ctx ctx;
        fast_ctx_init(&ctx, p[i]);
        uint64_t *ra = residues(a->v, a->n, p[i]), *rb = residues(b->v, b->n, p[i]);
        res[i] = cvp_xcalloc(n ? n : 1, sizeof *res[i]);
        ok = run(&ctx, job, ra, rb, res[i]);
        free(ra);
        free(rb);
    }
    /* Garner's constants: inv[i][j] = p_j^-1 mod p_i for j < i (p_i is
     * prime, so Fermat's little theorem gives the inverse). */
    uint64_t inv[CRT_MAX_PRIMES][CRT_MAX_PRIMES] = {{0}};
    for (size_t i = 0; i < count; i++)
        for (size_t j = 0; j < i; j++)
            inv[i][j] = cvp_powmod_u64(p[j] % p[i], p[i] - 2, p[i]);
    /* M modulo 2^128, and the mixed-radix digits of floor(M / 2). */
    unsigned __int128 M_low = 1;
    for (size_t i = 0; i < count; i++)
        M_low *= p[i];
    uint64_t half_digit[CRT_MAX_PRIMES];
    mpz_t half;
    mpz_init_set_ui(half, 1);
    for (size_t i = 0; i < count; i++)
        mpz_mul_ui(half, half, p[i]);
    mpz_fdiv_q_2exp(half, half, 1);
    for (size_t i = 0; i < count; i++)
        half_digit[i] = mpz_fdiv_q_ui(half, half, p[i]);
    CVP_ASSERT(mpz_sgn(half) == 0);
    mpz_clear(half);
    if (ok) {
        FAST_OMP(omp parallel for schedule(static) if (n > FAST_PARALLEL_MIN / 16))
        for (size_t k = 0; k < n; k++) {
            uint64_t y[CRT_MAX_PRIMES];
            for (size_t i = 0; i < count; i++) {
                /* y_i = (r_i - y_1 - p_1 y_2 - ...) / (p_1 ... p_{i-1}) mod p_i,
                 * one factor at a time. */
                uint64_t v = res[i][k];
                for (size_t j = 0; j < i; j++) {
                    uint64_t yj = y[j] % p[i];
                    v = v >= yj ? v - yj : v + p[i] - yj;
                    v = cvp_mulmod_u64(v, inv[i][j], p[i]);
                }
                y[i] = v;
            }
            /* above: the value passes M/2 (digits compared from the top) */
            int cmp = 0;
            for (size_t i = count; cmp == 0 && i-- > 0;)
                cmp = y[i] > half_digit[i] ? 1 : y[i] < half_digit[i] ? -1 : 0;
            unsigned __int128 x = y[count - 1];
            for (size_t i = count - 1; i-- > 0;)
                x = x * p[i] + y[i];
            if (cmp > 0)
                x -= M_low;
            r[k] = (__int128)x;
        }
    }
    for (size_t i = 0; i < count; i++)
        free(res[i]);
    return ok;
}

unsigned __int128 fast_crt_offset_bound(unsigned __int128 bound, uint64_t L)
{
    /* (bound >> 51) L + L >= L 2^-51 bound, in 128 bits without overflow */
    const unsigned __int128 top = ~(unsigned __int128)0 >> 1;
    const unsigned __int128 q = bound >> 51;
    if (L == 0)
        return 2;
    if (q > (top - L - 2) / L)
        return 0;
    return q * L + L + 2;
}

/* The most residue products a split from residues alone may take: each
 * about a quarter of a full product with Winograd's transform, against a
 * full product, two residue products and a verification otherwise. */
#define SPLIT_CHEAP_MAX 5

bool fast_crt_make_q(cvp_tensor_t Y, int rank, const size_t *shape,
                     const fast_operand *a, const fast_operand *b,
                     unsigned __int128 bound, uint64_t reduction,
                     fast_residue_op run, fast_float_op run_float,
                     fast_verify_op verify, fast_sparse_op sparse,
                     const fast_exact_op *exact, bool cheap_residues,
                     const void *job)
{
    size_t n;
    if (cvp_shape_size(&n, rank, shape, NULL) != CVP_OK)
        return false;
    uint64_t m[FAST_CRT_FLOAT_MAX], m_offset[FAST_CRT_FLOAT_MAX];
    size_t float_count =
        fast_crt_float_enabled()
            ? fast_crt_float_moduli(m, FAST_CRT_FLOAT_MAX, reduction, bound)
            : 0;
    /* From the rounded float64 product, when the scaled values are exact
     * doubles and that saves at least one product (it costs one). */
    const unsigned __int128 near = fast_crt_offset_bound(bound, reduction);
    const size_t offset_count =
        float_count > 0 && verify != NULL && near != 0 &&
                a->max <= ((uint64_t)1 << 53) && b->max <= ((uint64_t)1 << 53)
            ? fast_crt_float_moduli(m_offset, FAST_CRT_FLOAT_MAX, reduction, near)
            : 0;
    const bool offset = offset_count > 0 && offset_count + 1 < float_count;
    const size_t plain = float_count;   /* primes without the offset */
    if (offset) {
        float_count = offset_count;
        memcpy(m, m_offset, sizeof m);
    }
    const size_t count = fast_crt_primes_needed(bound);
    if (float_count == 0 && count > CRT_MAX_PRIMES)
        return false;
    /* The results go straight into a wide packed tensor (kernel/packed.h),
     * which pack_finish narrows when they all fit int64; Y may be a or b's
     * tensor, so it is swapped in only at the end. */
    cvp_tensor_t out;
    cvp_tensor_init(out);
    bool ok = cvp_tensor_pack_start_wide(out, rank, shape, NULL) == CVP_OK;
    if (ok) {
        __int128 *r = cvp_tensor_packed_wide_num(out);
        /* Fewer products when the operands split into coarse parts and
         * sparse remainders (float data; fast_split.c): an unchecked
         * float64 product and t residue products, against the products
         * planned here. */
        const size_t planned = float_count + (offset ? 1 : 0);
        /* done: r is made, right or not (ok says) */
        bool done = false, unchecked = offset;
        /* The job's exact pass (a few float64 products, each checked,
         * with no prime at all): on the operands, or on coarse parts. */
        if (exact != NULL && fast_crt_float_enabled()) {
            if (exact->fits(job, a->max, b->max)) {
                ok = exact->run(job, a, 0, b, 0, r);
                done = true;
            } else {
                done = fast_split_run_exact(r, n, a, b, exact, sparse, job);
            }
            unchecked = done ? false : unchecked;
        }
        /* Cheap residue products: the coarse product from residues alone
         * (t of them, about t/4 of a full product) before anything with
         * the unchecked float64 product (a full product, two residue
         * products and the verification). */
        for (size_t t = 2; cheap_residues && float_count > 0 && sparse != NULL && !done
                           && t < plain && t <= SPLIT_CHEAP_MAX; t++) {
            done = fast_split_run(r, n, a, b, reduction, t, false, run_float, sparse, job);
            unchecked = done ? false : unchecked;
        }
        for (size_t t = 2; float_count > 0 && verify != NULL && sparse != NULL && !done
                           && t + 1 < planned; t++) {
            done = fast_split_run(r, n, a, b, reduction, t, true, run_float, sparse, job);
            unchecked = done ? true : unchecked;
        }
        ok = done
             ? ok
             : (float_count > 0
                     ? fast_crt_float_run(r, n, float_count, m, a, b, run_float, job,
                                          offset)
                     : crt61_run(r, n, count, a, b, run, job));
        ok = ok && (!unchecked || verify(job, a, b, r));
    }
    if (ok) {
        mpz_mul(cvp_tensor_packed_den(out), a->den, b->den);
        cvp_tensor_pack_finish(out);
        cvp_tensor_swap(Y, out);
    }
    cvp_tensor_clear(out);
    return ok;
}
