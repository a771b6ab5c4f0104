/* fast_verify.c -- exact verification of a whole integer result against
 * its operands (Freivalds' check modulo the prime p = 2^61 - 1), for
 * results that depend on a product no exact check covered (see the offset
 * mode of fast_crt_float.c).
 *
 * For Y = A B (m x n), a random vector v of residues mod p gives
 * Y v == A (B v) (mod p) with certainty when Y is right; when some entry
 * of Y is wrong the difference D = Y - A B has a row that is not zero mod
 * p (unless every wrong entry is a multiple of p, which a faulty, not
 * malicious, product does not produce), and a random v then passes with
 * probability at most 1/p.  The conv layer's forward pass is such a
 * product per image and group: Y_g = K_g col, with B v computed straight
 * from the image (col v: for each row (c, u, v) of col, the sum of the
 * image entries it reads, weighted by v), so col is never built.
 * Everything costs one pass over the operands and the result. */
#include "fast/fast_internal.h"
#include "kernel/alloc.h"

#include <stdatomic.h>
#include <stdlib.h>

#include "kernel/ring_small.h"

typedef unsigned __int128 u128;

#define P61 CVP_FP_DEFAULT_PRIME   /* 2^61 - 1 */

extern atomic_uint_fast64_t cvp_fast_check_count, cvp_fast_check_failure_count;

/* x mod p up to a final subtraction: 2^61 = 1 (mod p), so the bits above
 * 61 fold onto the low ones (below 2^68 for any 128-bit x). */
static inline u128 fold(u128 x)
{
    return (x & P61) + (x >> 61);
}

static inline uint64_t finish(u128 x)
{
    x = fold(fold(x));   /* below 2^61 + 8 */
    return (uint64_t)(x >= P61 ? x - P61 : x);
}

static inline uint64_t mod_i64(int64_t v)
{
    uint64_t m = finish(v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v);
    return v < 0 && m != 0 ? P61 - m : m;
}

static inline uint64_t mod_i128(__int128 v)
{
    uint64_t m = finish(v < 0 ? (u128)0 - (u128)v : (u128)v);
    return v < 0 && m != 0 ? P61 - m : m;
}

/* acc + x y, partly reduced (acc below 2^68, x and y below p). */
static inline u128 mul_add(u128 acc, uint64_t x, uint64_t y)
{
    return fold(acc + (u128)x * y);
}

static void random_residues(uint64_t *v, size_t n, cvp_rng *rng)
{
    for (size_t j = 0; j < n; j++)
        v[j] = cvp_rng_next(rng) % P61;
}

static bool count(bool ok)
{
    atomic_fetch_add(&cvp_fast_check_count, 1);
    if (!ok)
        atomic_fetch_add(&cvp_fast_check_failure_count, 1);
    return ok;
}

/* Y (rows x cols, row stride ldy) v == A (rows x inner, row stride lda)
 * times Bv (the inner-vector B v, already reduced)? */
static bool rows_agree(const __int128 *Y, size_t ldy, const int64_t *A,
                       size_t lda, size_t rows, size_t cols, size_t inner,
                       const uint64_t *v, const uint64_t *Bv)
{
    bool ok = true;
    FAST_OMP(omp parallel for reduction(&&: ok) schedule(static) if (rows * (cols + inner) > FAST_PARALLEL_MIN))
    for (size_t i = 0; i < rows; i++) {
        u128 lhs = 0, rhs = 0;
        for (size_t j = 0; j < cols; j++)
            lhs = mul_add(lhs, mod_i128(Y[i * ldy + j]), v[j]);
        for (size_t l = 0; l < inner; l++)
            rhs = mul_add(rhs, mod_i64(A[i * lda + l]), Bv[l]);
        ok = ok && finish(lhs) == finish(rhs);
    }
    return ok;
}

bool fast_verify_matmul(size_t m, size_t k, size_t n, const int64_t *A,
                        const int64_t *B, const __int128 *Y)
{
    fast_ctx ctx;
    fast_ctx_init(&ctx, 0);
    uint64_t *v = cvp_xmalloc((n ? n : 1) * sizeof *v);
    uint64_t *Bv = cvp_xmalloc((k ? k : 1) * sizeof *Bv);
    random_residues(v, n, &ctx.rng);
    FAST_OMP(omp parallel for schedule(static) if (k * n > FAST_PARALLEL_MIN))
    for (size_t l = 0; l < k; l++) {
        u128 s = 0;
        for (size_t j = 0; j < n; j++)
            s = mul_add(s, mod_i64(B[l * n + j]), v[j]);
        Bv[l] = finish(s);
    }
    bool ok = rows_agree(Y, n, A, k, m, n, k, v, Bv);
    free(v);
    free(Bv);
    return count(ok);
}

bool fast_verify_conv_forward(const fast_layer *L, const int64_t *X,
                              const int64_t *K, const __int128 *Y)
{
    const size_t Kd = L->Cg * L->kH * L->kW, P = L->Ho * L->Wo;
    fast_ctx ctx;
    fast_ctx_init(&ctx, 0);
    uint64_t *v = cvp_xmalloc((P ? P : 1) * sizeof *v);
    uint64_t *colv = cvp_xmalloc((Kd ? Kd : 1) * sizeof *colv);
    bool ok = true;
    for (size_t n = 0; ok && n < L->N; n++)
        for (size_t g = 0; ok && g < L->G; g++) {
            random_residues(v, P, &ctx.rng);
            const int64_t *x = X + (n * L->C + g * L->Cg) * L->H * L->W;
            /* colv[(c, u, w)] = sum over output positions (i, j) of the
             * padded image entry that im2col puts there, times v[i, j] */
            FAST_OMP(omp parallel for schedule(static) if (Kd * P > FAST_PARALLEL_MIN))
            for (size_t row = 0; row < Kd; row++) {
                const size_t c = row / (L->kH * L->kW), u = (row / L->kW) % L->kH,
                             w = row % L->kW;
                const int64_t *plane = x + c * L->H * L->W;
                u128 s = 0;
                for (size_t i = 0; i < L->Ho; i++) {
                    int64_t h = (int64_t)i * L->sh + (int64_t)u * L->dh - L->ph;
                    if (h < 0 || h >= (int64_t)L->H)
                        continue;
                    for (size_t j = 0; j < L->Wo; j++) {
                        int64_t col = (int64_t)j * L->sw + (int64_t)w * L->dw - L->pw;
                        if (col >= 0 && col < (int64_t)L->W)
                            s = mul_add(s, mod_i64(plane[(size_t)h * L->W + (size_t)col]),
                                        v[i * L->Wo + j]);
                    }
                }
                colv[row] = finish(s);
            }
            ok = rows_agree(Y + (n * L->O + g * L->Og) * P, P, K + g * L->Og * Kd,
                            Kd, L->Og, P, Kd, v, colv);
        }
    free(v);
    free(colv);
    return count(ok);
}
