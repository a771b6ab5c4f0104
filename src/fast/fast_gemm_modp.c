/* fast_gemm_modp.c -- matrix products of residues mod p < 2^62, in
 * 128-bit accumulators (fast_gemm_modp of fast_internal.h; the float and
 * int64 products are in fast_gemm.c). */
#include "fast/fast_internal.h"
#include "kernel/alloc.h"

#include <stdlib.h>

#include "kernel/ring_small.h"

typedef unsigned __int128 u128;

/* ---- residues mod p ----------------------------------------------------
 * Products of residues are below p^2 < 2^124; a 128-bit accumulator takes
 * `chunk` of them on top of a partly reduced value before it must be
 * reduced again, and only the final value is reduced fully (one 128-bit
 * division per result entry).  A partial reduction replaces x = h 2^64 + l
 * by h r + l with r = 2^64 mod p: congruent, and below 2^64 r + 2^64 -- a
 * multiplication instead of a division.  For the Mersenne prime 2^61 - 1
 * it is two shifts. */
typedef struct {
    uint64_t p;
    uint64_t r64;     /* 2^64 mod p */
    size_t chunk;     /* products added between partial reductions */
} modp_reducer;

static inline u128 reduce_partial(u128 x, const modp_reducer *m)
{
    if (m->p == CVP_FP_DEFAULT_PRIME)
        return (x & m->p) + (x >> 61);   /* == x mod p, and below 2^68 */
    return (u128)(uint64_t)(x >> 64) * m->r64 + (uint64_t)x;
}

static modp_reducer reducer_of(uint64_t p)
{
    modp_reducer m;
    m.p = p;
    m.r64 = (uint64_t)((((u128)1) << 64) % p);
    /* The largest partly reduced value: below 2^68 for the Mersenne
     * prime, else (2^64 - 1) r + 2^64 - 1.  chunk more products of at
     * most (p-1)^2 must not pass 2^128 - 1. */
    u128 top = p == CVP_FP_DEFAULT_PRIME
                   ? ((u128)1 << 68)
                   : (u128)UINT64_MAX * m.r64 + UINT64_MAX;
    u128 sq = (u128)(p - 1) * (p - 1);
    u128 c = (~(u128)0 - top) / (sq ? sq : 1);
    m.chunk = c > 4096 ? 4096 : (size_t)c;
    CVP_ASSERT(m.chunk >= 1);
    return m;
}

/* Four dot products of length k at once -- rows a0, a1 of A against rows
 * b0, b1 of B^T -- with the accumulators in registers: each loaded
 * residue serves two products.  The row pairs come interleaved (ab[2l] =
 * a0[l], ab[2l + 1] = a1[l], and bb likewise), so that the loop needs two
 * pointers besides its eight accumulator words and the multiplier's two
 * registers: with four, x86-64 runs out of registers and reloads them
 * from the stack on every step.  out[2*r + c] = a_r . b_c mod p. */
static void dot_tile_modp(const uint64_t *ab, const uint64_t *bb, size_t k,
                          const modp_reducer *m, const uint64_t start[4],
                          uint64_t out[4])
{
    const uint64_t p = m->p;
    const size_t chunk = m->chunk;
    u128 s00 = start[0], s01 = start[1], s10 = start[2], s11 = start[3];
    for (size_t l0 = 0; l0 < k; l0 += chunk) {
        const size_t l1 = l0 + chunk < k ? l0 + chunk : k;
        const uint64_t *a = ab + 2 * l0, *b = bb + 2 * l0;
        for (size_t l = l0; l < l1; l++, a += 2, b += 2) {
            const uint64_t x0 = a[0], x1 = a[1], y0 = b[0], y1 = b[1];
            s00 += (u128)x0 * y0;
            s01 += (u128)x0 * y1;
            s10 += (u128)x1 * y0;
            s11 += (u128)x1 * y1;
        }
        s00 = reduce_partial(s00, m);
        s01 = reduce_partial(s01, m);
        s10 = reduce_partial(s10, m);
        s11 = reduce_partial(s11, m);
    }
    out[0] = (uint64_t)(s00 % p);
    out[1] = (uint64_t)(s01 % p);
    out[2] = (uint64_t)(s10 % p);
    out[3] = (uint64_t)(s11 % p);
}

/* dst[2l] = M[r0][l], dst[2l + 1] = M[r1][l] for l < k. */
static void interleave_rows(uint64_t *dst, const uint64_t *M, size_t ld,
                            size_t r0, size_t r1, size_t k)
{
    const uint64_t *x = M + r0 * ld, *y = M + r1 * ld;
    for (size_t l = 0; l < k; l++) {
        dst[2 * l] = x[l];
        dst[2 * l + 1] = y[l];
    }
}

/* C [+]= A B^T mod p, both operands read along contiguous rows, in 2x2
 * tiles of C (an odd last row or column is paired with itself and only
 * its own entries stored).  B's row pairs are interleaved once for all
 * rows of C, each row pair of A once for all of its tiles. */
static void gemm_dot_modp(size_t m, size_t n, size_t k, const uint64_t *A,
                          size_t lda, const uint64_t *B, size_t ldb,
                          uint64_t *C, size_t ldc, bool accumulate,
                          const modp_reducer *red)
{
    const size_t pairs = (n + 1) / 2;
    uint64_t *Bi = cvp_xmalloc((pairs * 2 * k > 0 ? pairs * 2 * k : 1) * sizeof *Bi);
    FAST_OMP(omp parallel for schedule(static) if (n * k > FAST_PARALLEL_MIN))
    for (size_t q = 0; q < pairs; q++)
        interleave_rows(Bi + q * 2 * k, B, ldb, 2 * q, 2 * q + 1 < n ? 2 * q + 1 : 2 * q, k);
    FAST_OMP(omp parallel if (m * n * k > FAST_PARALLEL_MIN))
    {
        uint64_t *Ai = cvp_xmalloc((2 * k > 0 ? 2 * k : 1) * sizeof *Ai);
        FAST_OMP(omp for schedule(static))
        for (size_t i = 0; i < m; i += 2) {
            const size_t i1 = i + 1 < m ? i + 1 : i;
            interleave_rows(Ai, A, lda, i, i1, k);
            for (size_t j = 0; j < n; j += 2) {
                const size_t j1 = j + 1 < n ? j + 1 : j;
                uint64_t start[4] = {0, 0, 0, 0}, out[4];
                if (accumulate) {
                    start[0] = C[i * ldc + j], start[1] = C[i * ldc + j1];
                    start[2] = C[i1 * ldc + j], start[3] = C[i1 * ldc + j1];
                }
                dot_tile_modp(Ai, Bi + (j / 2) * 2 * k, k, red, start, out);
                C[i * ldc + j] = out[0];
                C[i * ldc + j1] = out[1];
                C[i1 * ldc + j] = out[2];
                C[i1 * ldc + j1] = out[3];
            }
        }
        free(Ai);
    }
    free(Bi);
}

bool fast_gemm_modp(fast_ctx *ctx, bool ta, bool tb, size_t m, size_t n,
                    size_t k, const uint64_t *A, size_t lda,
                    const uint64_t *B, size_t ldb, uint64_t *C, size_t ldc,
                    bool accumulate)
{
    CVP_ASSERT(!(ta && tb));
    const modp_reducer red = reducer_of(ctx->p);
    if (tb && !ta) {
        gemm_dot_modp(m, n, k, A, lda, B, ldb, C, ldc, accumulate, &red);
        return true;
    }
    /* The dot-product kernel reads both operands along rows of length k:
     * copy op(A) (when transposed) and B^T into such rows first.  The
     * copies cost m k + k n moves against m n k multiply-adds, and keep
     * the accumulators in registers instead of a row of 128-bit sums in
     * memory. */
    uint64_t *At = NULL;
    const uint64_t *a = A;
    size_t a_ld = lda;
    if (ta) {
        At = cvp_xmalloc((m * k > 0 ? m * k : 1) * sizeof *At);
        FAST_OMP(omp parallel for schedule(static) if (m * k > FAST_PARALLEL_MIN))
        for (size_t i = 0; i < m; i++)
            for (size_t l = 0; l < k; l++)
                At[i * k + l] = A[l * lda + i];
        a = At;
        a_ld = k;
    }
    uint64_t *Bt = cvp_xmalloc((n * k > 0 ? n * k : 1) * sizeof *Bt);
    FAST_OMP(omp parallel for schedule(static) if (n * k > FAST_PARALLEL_MIN))
    for (size_t j = 0; j < n; j++)
        for (size_t l = 0; l < k; l++)
            Bt[j * k + l] = B[l * ldb + j];
    gemm_dot_modp(m, n, k, a, a_ld, Bt, k, C, ldc, accumulate, &red);
    free(At);
    free(Bt);
    return true;
}
