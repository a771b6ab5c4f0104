/* fast_gemm.c -- the matrix products under the fast kernels: plain loops
 * (int64, residues mod p, and floats without a BLAS), a BLAS for floats
 * when configure found one, and the exact check of every float product.
 *
 * Exactness of the float products is the caller's business (the bound of
 * fast.h); what this file guarantees is that a BLAS product is accepted
 * only when C r == A (B r) holds exactly for a random integer vector r. */
#include "fast/fast_internal.h"
#include "kernel/alloc.h"

#include <limits.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "kernel/ring_small.h"

#ifdef HAVE_CBLAS
#include <cblas.h>
#endif

/* Set by cvp_fast_inject_fault (fast_conv.c), consumed here. */
extern atomic_bool cvp_fast_fault_pending;
extern atomic_uint_fast64_t cvp_fast_check_count, cvp_fast_check_failure_count;

void fast_ctx_init(fast_ctx *ctx, uint64_t p)
{
    static atomic_uint_fast64_t calls;
    ctx->p = p;
    ctx->check_failed = false;
    ctx->unchecked = false;
    /* A fresh stream per operation: the check's vector must not be
     * chosen knowing the product it checks; a counter suffices against
     * faulty (not malicious) libraries. */
    cvp_rng_seed(&ctx->rng, 0x6a09e667f3bcc908u ^ atomic_fetch_add(&calls, 1));
}

/* ---- plain loops ------------------------------------------------------
 * Two loop orders: row i of C gets a multiple of row l of op(B) for each
 * l (when op(B) is not transposed: the inner loop runs along contiguous
 * rows), or dot products of rows of A and B (when op(B) is transposed and
 * op(A) is not).  Rows of C are independent, so they go to threads. */
#define DEFINE_PLAIN_GEMM(name, T)                                            \
    __attribute__((unused)) static void name(bool ta, bool tb, size_t m, size_t n, size_t k,         \
                     const T *A, size_t lda, const T *B, size_t ldb, T *C,   \
                     size_t ldc, bool accumulate)                            \
    {                                                                        \
        CVP_ASSERT(!(ta && tb));                                             \
        FAST_OMP(omp parallel for schedule(static)                           \
                 if (m * n * k > 16 * FAST_PARALLEL_MIN))                    \
        for (size_t i = 0; i < m; i++) {                                     \
            T *c = C + i * ldc;                                              \
            if (!accumulate)                                                 \
                for (size_t j = 0; j < n; j++)                               \
                    c[j] = 0;                                                \
            if (tb) {                                                        \
                for (size_t j = 0; j < n; j++) {                             \
                    T s = 0;                                                 \
                    for (size_t l = 0; l < k; l++)                           \
                        s += A[i * lda + l] * B[j * ldb + l];                \
                    c[j] += s;                                               \
                }                                                            \
                continue;                                                    \
            }                                                                \
            for (size_t l = 0; l < k; l++) {                                 \
                T a = ta ? A[l * lda + i] : A[i * lda + l];                  \
                if (a == 0)                                                  \
                    continue;                                                \
                const T *b = B + l * ldb;                                    \
                for (size_t j = 0; j < n; j++)                               \
                    c[j] += a * b[j];                                        \
            }                                                                \
        }                                                                    \
    }

DEFINE_PLAIN_GEMM(plain_gemm_f32, float)
DEFINE_PLAIN_GEMM(plain_gemm_f64, double)
DEFINE_PLAIN_GEMM(plain_gemm_i64, int64_t)

bool fast_gemm_i64(fast_ctx *ctx, bool ta, bool tb, size_t m, size_t n,
                   size_t k, const int64_t *A, size_t lda, const int64_t *B,
                   size_t ldb, int64_t *C, size_t ldc, bool accumulate)
{
    (void)ctx;
    plain_gemm_i64(ta, tb, m, n, k, A, lda, B, ldb, C, ldc, accumulate);
    return true;
}

/* ---- the exact check ----------------------------------------------------
 * Entries are integer-valued floats below 2^53 in magnitude, read as
 * int64.  Sums run in unsigned 128-bit arithmetic: the true values are
 * below 2^127 in magnitude (the caller's bound B < 2^53 on |A||B| sums,
 * r < 2^32, and n < 2^40), so equality mod 2^128 is exact equality. */
typedef unsigned __int128 u128;

static inline int64_t get(const void *M, size_t idx, bool single)
{
    return single ? (int64_t)((const float *)M)[idx]
                  : (int64_t)((const double *)M)[idx];
}

/* Entry idx of a product's result into *v: false when it is not an
 * integer below 2^53 (a result no exact product can have). */
static inline bool result_entry(int64_t *v, const void *C, size_t idx, bool single)
{
    double d = single ? ((const float *)C)[idx] : ((const double *)C)[idx];
    if (!(fabs(d) <= 9007199254740992.0) || d != trunc(d))
        return false;
    *v = (int64_t)d;
    return true;
}

/* A fresh check vector: n entries below 2^32 from ctx's stream. */
static uint64_t *draw_check_vector(fast_ctx *ctx, size_t n)
{
    uint64_t *r = cvp_xmalloc((n ? n : 1) * sizeof *r);
    for (size_t j = 0; j < n; j++)
        r[j] = cvp_rng_next(&ctx->rng) >> 32;
    return r;
}

/* sums[i] := sum_j C[i][j] r[j]; false when some entry of C is not an
 * integer below 2^53. */
static bool row_sums(u128 *sums, const void *C, size_t ldc, size_t m,
                     size_t n, const uint64_t *r, bool single)
{
    for (size_t i = 0; i < m; i++) {
        u128 s = 0;
        for (size_t j = 0; j < n; j++) {
            int64_t v;
            if (!result_entry(&v, C, i * ldc + j, single))
                return false;
            s += (u128)v * r[j];
        }
        sums[i] = s;
    }
    return true;
}

typedef struct {
    uint64_t *r;
    u128 *before;
} check_state;

/* Before the product: draws r and, when accumulating, sums C's rows. */
static bool check_begin(check_state *cs, fast_ctx *ctx, size_t m, size_t n,
                        const void *C, size_t ldc, bool accumulate, bool single)
{
    cs->r = draw_check_vector(ctx, n);
    cs->before = cvp_xcalloc(m ? m : 1, sizeof *cs->before);
    return !accumulate || row_sums(cs->before, C, ldc, m, n, cs->r, single);
}

/* Br[l] := sum_j op(B)[l][j] r[j], l < k. */
static void times_r(u128 *Br, bool tb, size_t n, size_t k, const void *B,
                    size_t ldb, const uint64_t *r, bool single)
{
    for (size_t l = 0; l < k; l++) {
        u128 s = 0;
        for (size_t j = 0; j < n; j++)
            s += (u128)get(B, tb ? j * ldb + l : l * ldb + j, single) * r[j];
        Br[l] = s;
    }
}

/* C r - before == op(A) Br, row by row (before NULL: zeros)? */
static bool rows_match(const u128 *Br, const u128 *before, const uint64_t *r,
                       bool ta, size_t m, size_t n, size_t k, const void *A,
                       size_t lda, const void *C, size_t ldc, bool single)
{
    u128 *after = cvp_xcalloc(m ? m : 1, sizeof *after);
    bool ok = row_sums(after, C, ldc, m, n, r, single);
    for (size_t i = 0; ok && i < m; i++) {
        u128 s = 0;
        for (size_t l = 0; l < k; l++)
            s += (u128)get(A, ta ? l * lda + i : i * lda + l, single) * Br[l];
        ok = after[i] - (before != NULL ? before[i] : 0) == s;
    }
    free(after);
    return ok;
}

/* After the product: C r - before == A (B r)? */
static bool check_end(check_state *cs, bool ta, bool tb, size_t m, size_t n,
                      size_t k, const void *A, size_t lda, const void *B,
                      size_t ldb, const void *C, size_t ldc, bool single)
{
    u128 *Br = cvp_xcalloc(k ? k : 1, sizeof *Br);
    times_r(Br, tb, n, k, B, ldb, cs->r, single);
    bool ok = rows_match(Br, cs->before, cs->r, ta, m, n, k, A, lda, C, ldc, single);
    free(Br);
    free(cs->r);
    free(cs->before);
    return ok;
}

/* r^T C == (M^T r)^T B, column by column, for the product C = M B
 * (sc->rows x n) that sc was made for; false also when some entry of C is
 * not an integer below 2^53.  The true values are below 2^127, as for
 * the other check. */
static bool columns_match(const fast_shared_check *sc, size_t n, const void *B,
                          size_t ldb, const void *C, size_t ldc, bool single)
{
    u128 *lhs = cvp_xcalloc(n ? n : 1, sizeof *lhs);
    u128 *rhs = cvp_xcalloc(n ? n : 1, sizeof *rhs);
    bool ok = true;
    for (size_t i = 0; ok && i < sc->rows; i++)
        for (size_t j = 0; ok && j < n; j++) {
            int64_t v;
            if (!(ok = result_entry(&v, C, i * ldc + j, single)))
                break;
            lhs[j] += (u128)v * sc->r[i];
        }
    for (size_t l = 0; ok && l < sc->cols; l++)
        for (size_t j = 0; j < n; j++)
            rhs[j] += sc->Mr[l] * (u128)get(B, l * ldb + j, single);
    for (size_t j = 0; ok && j < n; j++)
        ok = lhs[j] == rhs[j];
    free(lhs);
    free(rhs);
    return ok;
}

void fast_shared_check_make(fast_shared_check *sc, fast_ctx *ctx, size_t rows,
                            size_t cols, const void *M, size_t ld, bool single)
{
    sc->rows = rows;
    sc->cols = cols;
    sc->r = draw_check_vector(ctx, rows);
    sc->Mr = cvp_xcalloc(cols ? cols : 1, sizeof *sc->Mr);
    times_r(sc->Mr, true, rows, cols, M, ld, sc->r, single);
}

void fast_shared_check_clear(fast_shared_check *sc)
{
    free(sc->r);
    free(sc->Mr);
    sc->r = NULL;
    sc->Mr = NULL;
}

/* Counts a finished check; a failed one is counted too and marks ctx. */
static bool record_check(fast_ctx *ctx, bool ok)
{
    atomic_fetch_add(&cvp_fast_check_count, 1);
    if (!ok) {
        atomic_fetch_add(&cvp_fast_check_failure_count, 1);
        ctx->check_failed = true;
    }
    return ok;
}

/* Corrupts one entry when a fault was injected (tests of the check). */
static void maybe_inject(void *C, bool single)
{
    bool expected = true;
    if (atomic_compare_exchange_strong(&cvp_fast_fault_pending, &expected, false)) {
        if (single)
            ((float *)C)[0] += 1;
        else
            ((double *)C)[0] += 1;
    }
}

/* A product with an empty dimension needs no BLAS (which would reject
 * the leading dimensions): C keeps its value, or becomes zero. */
static bool empty_product(size_t m, size_t n, size_t k, void *C, size_t ldc,
                          bool accumulate, bool single)
{
    if (m != 0 && n != 0 && k != 0)
        return false;
    if (!accumulate && k == 0)
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < n; j++) {
                if (single)
                    ((float *)C)[i * ldc + j] = 0;
                else
                    ((double *)C)[i * ldc + j] = 0;
            }
    return true;
}

#define CBLAS_T(t) ((t) ? CblasTrans : CblasNoTrans)

/* C := [C +] op(A) op(B) in float (single) or double, by the BLAS when
 * configure found one, else by the plain loops; not checked.  Dimensions
 * nonzero and below INT_MAX. */
static void blas_product(bool ta, bool tb, size_t m, size_t n, size_t k,
                         const void *A, size_t lda, const void *B, size_t ldb,
                         void *C, size_t ldc, bool accumulate, bool single)
{
    CVP_ASSERT(m < INT_MAX && n < INT_MAX && k < INT_MAX && lda < INT_MAX &&
               ldb < INT_MAX && ldc < INT_MAX);
#ifdef HAVE_CBLAS
    if (single)
        cblas_sgemm(CblasRowMajor, CBLAS_T(ta), CBLAS_T(tb), (int)m, (int)n, (int)k,
                    1.0f, A, (int)lda, B, (int)ldb, accumulate ? 1.0f : 0.0f, C,
                    (int)ldc);
    else
        cblas_dgemm(CblasRowMajor, CBLAS_T(ta), CBLAS_T(tb), (int)m, (int)n, (int)k,
                    1.0, A, (int)lda, B, (int)ldb, accumulate ? 1.0 : 0.0, C,
                    (int)ldc);
#else
    if (single)
        plain_gemm_f32(ta, tb, m, n, k, A, lda, B, ldb, C, ldc, accumulate);
    else
        plain_gemm_f64(ta, tb, m, n, k, A, lda, B, ldb, C, ldc, accumulate);
#endif
}

/* fast_gemm_f32 and fast_gemm_f64, checked (C r - before == A (B r)). */
static bool checked_product(fast_ctx *ctx, bool ta, bool tb, size_t m, size_t n,
                            size_t k, const void *A, size_t lda, const void *B,
                            size_t ldb, void *C, size_t ldc, bool accumulate,
                            bool single)
{
    check_state cs;
    bool ok = check_begin(&cs, ctx, m, n, C, ldc, accumulate, single);
    blas_product(ta, tb, m, n, k, A, lda, B, ldb, C, ldc, accumulate, single);
    maybe_inject(C, single);
    ok = check_end(&cs, ta, tb, m, n, k, A, lda, B, ldb, C, ldc, single) && ok;
    return record_check(ctx, ok);
}

bool fast_gemm_f32(fast_ctx *ctx, bool ta, bool tb, size_t m, size_t n,
                   size_t k, const float *A, size_t lda, const float *B,
                   size_t ldb, float *C, size_t ldc, bool accumulate)
{
    CVP_ASSERT(!ctx->unchecked);
    if (empty_product(m, n, k, C, ldc, accumulate, true))
        return true;
    return checked_product(ctx, ta, tb, m, n, k, A, lda, B, ldb, C, ldc, accumulate,
                           true);
}

bool fast_gemm_f64(fast_ctx *ctx, bool ta, bool tb, size_t m, size_t n,
                   size_t k, const double *A, size_t lda, const double *B,
                   size_t ldb, double *C, size_t ldc, bool accumulate)
{
    if (empty_product(m, n, k, C, ldc, accumulate, false))
        return true;
    if (ctx->unchecked) {
        /* an approximation: its user verifies the final result */
        blas_product(ta, tb, m, n, k, A, lda, B, ldb, C, ldc, accumulate, false);
        /* an injected fault far beyond the rounding error, so that only
         * the verification can catch it */
        bool expected = true;
        if (atomic_compare_exchange_strong(&cvp_fast_fault_pending, &expected, false))
            C[0] += 0x1p100;
        return true;
    }
    return checked_product(ctx, ta, tb, m, n, k, A, lda, B, ldb, C, ldc, accumulate,
                           false);
}

bool fast_gemm_f64_bt_shared(fast_ctx *ctx, size_t m, const double *A,
                             size_t lda, const double *M, size_t ld, double *C,
                             size_t ldc, const fast_shared_check *sc)
{
    const size_t n = sc->rows, k = sc->cols;
    CVP_ASSERT(!ctx->unchecked);
    if (empty_product(m, n, k, C, ldc, false, false))
        return true;
    blas_product(false, true, m, n, k, A, lda, M, ld, C, ldc, false, false);
    maybe_inject(C, false);
    return record_check(ctx, rows_match(sc->Mr, NULL, sc->r, false, m, n, k, A,
                                        lda, C, ldc, false));
}

/* fast_gemm_f32_left_shared and fast_gemm_f64_left_shared. */
static bool left_shared_product(fast_ctx *ctx, size_t n, const void *M, size_t ld,
                                const void *B, size_t ldb, void *C, size_t ldc,
                                const fast_shared_check *sc, bool single)
{
    const size_t m = sc->rows, k = sc->cols;
    CVP_ASSERT(!ctx->unchecked);
    if (empty_product(m, n, k, C, ldc, false, single))
        return true;
    blas_product(false, false, m, n, k, M, ld, B, ldb, C, ldc, false, single);
    maybe_inject(C, single);
    return record_check(ctx, columns_match(sc, n, B, ldb, C, ldc, single));
}

bool fast_gemm_f32_left_shared(fast_ctx *ctx, size_t n, const float *M,
                               size_t ld, const float *B, size_t ldb, float *C,
                               size_t ldc, const fast_shared_check *sc)
{
    return left_shared_product(ctx, n, M, ld, B, ldb, C, ldc, sc, true);
}

bool fast_gemm_f64_left_shared(fast_ctx *ctx, size_t n, const double *M,
                               size_t ld, const double *B, size_t ldb, double *C,
                               size_t ldc, const fast_shared_check *sc)
{
    return left_shared_product(ctx, n, M, ld, B, ldb, C, ldc, sc, false);
}

int fast_blas_single_thread(void)
{
#if defined(HAVE_OPENBLAS_SET_NUM_THREADS) && defined(HAVE_OPENBLAS_GET_NUM_THREADS)
    /* The count before any call here, kept once: with `check --jobs`,
     * claims on other threads may be inside such a section, and a count
     * read then (1) must not become the one restored for good. */
    static atomic_int usual;
    int n = atomic_load(&usual);
    if (n == 0) {
        int expected = 0;
        atomic_compare_exchange_strong(&usual, &expected, openblas_get_num_threads());
        n = atomic_load(&usual);
    }
    openblas_set_num_threads(1);
    return n;
#else
    return 0;
#endif
}

void fast_blas_restore_threads(int saved)
{
#if defined(HAVE_OPENBLAS_SET_NUM_THREADS) && defined(HAVE_OPENBLAS_GET_NUM_THREADS)
    if (saved > 0)
        openblas_set_num_threads(saved);
#else
    (void)saved;
#endif
}

bool fast_threads_for_blocks(size_t items)
{
#ifdef _OPENMP
    const int threads = omp_get_max_threads();
    return threads > 1 && !omp_in_parallel() && items >= 2 * (size_t)threads;
#else
    (void)items;
    return false;
#endif
}

bool cvp_fast_have_blas(void)
{
#ifdef HAVE_CBLAS
    return true;
#else
    return false;
#endif
}

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
