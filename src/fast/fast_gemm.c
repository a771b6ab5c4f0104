/* fast_gemm.c -- the matrix products under the fast kernels: plain loops
 * (int64, and floats without a BLAS), a BLAS for floats when configure
 * found one, and the exact check of every float product (residues mod p
 * are in fast_gemm_modp.c).
 *
 * Exactness of the float products is the caller's business (the bound of
 * fast.h); what this file guarantees is that a BLAS product is accepted
 * only when C r == A (B r) holds exactly for a random integer vector r
 * (or r^T C == (r^T A) B, for products that share their left operand). */
#include "fast/fast_internal.h"
#include "kernel/alloc.h"

#include <limits.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>

#ifdef _OPENMP
#include <omp.h>
#endif

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
    if (!(fabs(d) <= 9007199254740992.0))
        return false;
    /* within int64's range now, so the conversion is defined; it drops
     * any fraction, which the comparison then sees */
    *v = (int64_t)d;
    return (double)*v == d;
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
            /* r[j] < 2^32: one signed 64 x 64 -> 128-bit multiplication */
            s += (u128)((__int128)v * (int64_t)r[j]);
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
            s += (u128)((__int128)get(B, tb ? j * ldb + l : l * ldb + j, single) *
                        (int64_t)r[j]);
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
    fast_shared_checks_make(sc, 1, ctx, rows, cols, M, 0, ld, single);
}

void fast_shared_checks_make(fast_shared_check *sc, size_t count, fast_ctx *ctx,
                             size_t rows, size_t cols, const void *M, size_t step,
                             size_t ld, bool single)
{
    /* the vectors drawn in order from the one stream; the products M_i^T r
     * side by side */
    for (size_t i = 0; i < count; i++) {
        sc[i].rows = rows;
        sc[i].cols = cols;
        sc[i].r = draw_check_vector(ctx, rows);
        sc[i].Mr = cvp_xcalloc(cols ? cols : 1, sizeof *sc[i].Mr);
    }
    const size_t size = single ? sizeof(float) : sizeof(double);
    FAST_OMP(omp parallel for schedule(dynamic) if (count > 1 && count * rows * cols > FAST_PARALLEL_MIN))
    for (size_t i = 0; i < count; i++)
        times_r(sc[i].Mr, true, rows, cols, (const char *)M + i * step * size, ld,
                sc[i].r, single);
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
