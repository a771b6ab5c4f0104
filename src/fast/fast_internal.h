/* fast_internal.h -- shared pieces of the fast kernels (src/fast only).
 *
 * Ownership: a fast_operand owns its array and its mpz; every _init/scale
 * has its _clear.  Arrays passed to the matrix products and loop nests
 * are borrowed and must not overlap the output array.
 */
#ifndef CVP_FAST_INTERNAL_H
#define CVP_FAST_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>   /* before gmp.h: it declares gmp_fprintf & co. only then */
#include <gmp.h>

#include "fast/fast.h"
#include "kernel/rng.h"

/* An OpenMP directive when the library is built with OpenMP, else
 * nothing (so that builds without it see no unknown pragmas). */
#ifdef _OPENMP
#define FAST_OMP(directive) _Pragma(#directive)
#else
#define FAST_OMP(directive)
#endif

/* Loops shorter than this (in elementary steps) stay on one thread:
 * starting and joining threads costs more than they would save, and far
 * more on a loaded machine. */
#define FAST_PARALLEL_MIN ((size_t)1 << 16)

/* ---- operands scaled to integers (fast_scale.c) ----------------------- */

typedef struct {
    int64_t *v;      /* the entries times den, row-major (owned, unless
                      * borrowed); never written through */
    size_t n;
    mpz_t den;       /* least common multiple of the denominators, >= 1 */
    uint64_t max;    /* largest |v[k]| */
    bool borrowed;   /* v is a packed tensor's numerator array */
} fast_operand;

void fast_operand_init(fast_operand *op);
void fast_operand_clear(fast_operand *op);

/* Scales the Q tensor t.  False (op left empty) when the common
 * denominator or a scaled entry does not fit in an int64.  A packed t is
 * already scaled: op then borrows its numerators (t must outlive op and
 * stay unchanged while op is used). */
bool fast_operand_scale(fast_operand *op, const cvp_tensor_t t);

/* Y (any initialised tensor, rewritten) := the Q tensor of the given
 * shape with entries R[k] / den (den >= 1).  False, Y untouched, when the
 * shape passes the entry limit. */
bool fast_make_q(cvp_tensor_t Y, int rank, const size_t *shape,
                 const int64_t *R, const mpz_t den);

/* Y := the zero tensor of the given shape over the prime field F. */
bool fast_make_fp(cvp_tensor_t Y, cvp_ring *F, int rank, const size_t *shape);

/* out[k] += bias[channel of k] for an [N, O, Ho*Wo] layout. */
void fast_add_bias(cvp_tensor_t out, const cvp_tensor_struct *bias,
                   size_t N, size_t O, size_t plane);

/* min(L * a * b, UINT64_MAX as a saturated bound) in 128 bits: the
 * bound on every partial sum.  Saturates at 2^127. */
unsigned __int128 fast_bound(uint64_t L, uint64_t a, uint64_t b);

/* Entries of one im2col block (cvp_fast_set_block_entries; 2^20 unless a
 * test set it smaller), the unit of the kernels' working buffers. */
size_t fast_block_entries(void);

/* ---- reduction modulo a small modulus ----------------------------------
 * Barrett reduction by an odd m < 2^32: inv = floor(2^64 / m) makes the
 * estimated quotient floor(a inv / 2^64) at most one below the true one
 * (a inv / 2^64 > a/m - a/2^64 > a/m - 1), so one correction suffices. */
typedef struct {
    uint64_t m;
    uint64_t inv;
    uint64_t r64;   /* 2^64 mod m */
} fast_small_mod;

static inline fast_small_mod fast_small_mod_of(uint64_t m)
{
    fast_small_mod s = {m, (uint64_t)((((unsigned __int128)1) << 64) / m),
                        (uint64_t)((((unsigned __int128)1) << 64) % m)};
    return s;
}

/* a mod m in [0, m) for any uint64_t a. */
static inline uint64_t fast_mod_small(uint64_t a, const fast_small_mod *s)
{
    uint64_t q = (uint64_t)(((unsigned __int128)a * s->inv) >> 64);
    uint64_t r = a - q * s->m;
    return r >= s->m ? r - s->m : r;
}

/* v mod m in [0, m) for any int64 v (INT64_MIN included). */
static inline uint64_t fast_residue_of(int64_t v, const fast_small_mod *s)
{
    if (v >= 0)
        return fast_mod_small((uint64_t)v, s);
    uint64_t r = fast_mod_small((uint64_t)0 - (uint64_t)v, s);
    return r == 0 ? 0 : s->m - r;
}

/* The residue r in [0, m) as the double of its symmetric representative
 * in [-(m-1)/2, (m-1)/2] (m odd): the form whose products the float64
 * residue products bound. */
static inline double fast_symmetric(uint64_t r, uint64_t m)
{
    return r > m / 2 ? -(double)(m - r) : (double)r;
}

/* ---- per-operation state ---------------------------------------------- */

typedef struct {
    uint64_t p;          /* modulus of the prime-field path, or the prime of
                          * a float64 residue product (whose result then
                          * need only be right mod p), else 0 */
    cvp_rng rng;         /* for the exact checks of BLAS products */
    bool check_failed;   /* a product failed its check */
    /* float64 products are not checked (an approximation whose result
     * the caller verifies otherwise); false unless set after init */
    bool unchecked;
} fast_ctx;

void fast_ctx_init(fast_ctx *ctx, uint64_t p);

/* ---- matrix products (fast_gemm.c) ------------------------------------
 * C (m x n, row stride ldc) := [C +] op(A) op(B), op(A) m x k, op(B) k x n,
 * with op(A)[i][l] = ta ? A[l*lda + i] : A[i*lda + l] and op(B)[l][j] =
 * tb ? B[j*ldb + l] : B[l*ldb + j].  ta and tb are not both true.
 * The float ones return false when the exact check of a BLAS product
 * failed (ctx->check_failed is then set and C is garbage). */
bool fast_gemm_f32(fast_ctx *ctx, bool ta, bool tb, size_t m, size_t n,
                   size_t k, const float *A, size_t lda, const float *B,
                   size_t ldb, float *C, size_t ldc, bool accumulate);
bool fast_gemm_f64(fast_ctx *ctx, bool ta, bool tb, size_t m, size_t n,
                   size_t k, const double *A, size_t lda, const double *B,
                   size_t ldb, double *C, size_t ldc, bool accumulate);
bool fast_gemm_i64(fast_ctx *ctx, bool ta, bool tb, size_t m, size_t n,
                   size_t k, const int64_t *A, size_t lda, const int64_t *B,
                   size_t ldb, int64_t *C, size_t ldc, bool accumulate);
/* Residues in [0, ctx->p), ctx->p < 2^62. */
bool fast_gemm_modp(fast_ctx *ctx, bool ta, bool tb, size_t m, size_t n,
                    size_t k, const uint64_t *A, size_t lda,
                    const uint64_t *B, size_t ldb, uint64_t *C, size_t ldc,
                    bool accumulate);

/* A check shared by products that share one operand M (rows x cols, row
 * stride ld, integer-valued, float or double by `single`): r over M's
 * rows and M^T r are drawn and computed once, before any of the products,
 * and serve each product's exact check -- still at most 2^-32 per wrong
 * product, as r is chosen independently of every product.  Two uses:
 *   C = A M^T (the 36 products of a Winograd tile block, M = V_s, the
 *     same for every block): C r == A (M^T r), fast_gemm_f64_bt_shared;
 *   C = M B (the blocks of a forward pass, M = the group's kernels):
 *     r^T C == (M^T r)^T B, fast_gemm_f32/f64_left_shared. */
typedef struct {
    size_t rows, cols;
    uint64_t *r;              /* rows entries below 2^32 */
    unsigned __int128 *Mr;    /* M^T r, cols entries (modulo 2^128) */
} fast_shared_check;
void fast_shared_check_make(fast_shared_check *sc, fast_ctx *ctx, size_t rows,
                            size_t cols, const void *M, size_t ld, bool single);
/* sc[i] := fast_shared_check_make's check for the operand M + i step
 * (entries), i < count, computed side by side on the OpenMP threads. */
void fast_shared_checks_make(fast_shared_check *sc, size_t count, fast_ctx *ctx,
                             size_t rows, size_t cols, const void *M, size_t step,
                             size_t ld, bool single);
void fast_shared_check_clear(fast_shared_check *sc);
/* C (m x sc->rows) := A M^T, A m x sc->cols, checked with sc; as
 * fast_gemm_f64(ctx, false, true, ...) otherwise. */
bool fast_gemm_f64_bt_shared(fast_ctx *ctx, size_t m, const double *A,
                             size_t lda, const double *M, size_t ld, double *C,
                             size_t ldc, const fast_shared_check *sc);
/* C (sc->rows x n) := M B, B sc->cols x n, checked with sc; as
 * fast_gemm_f32/f64(ctx, false, false, ...) otherwise. */
bool fast_gemm_f32_left_shared(fast_ctx *ctx, size_t n, const float *M,
                               size_t ld, const float *B, size_t ldb, float *C,
                               size_t ldc, const fast_shared_check *sc);
bool fast_gemm_f64_left_shared(fast_ctx *ctx, size_t n, const double *M,
                               size_t ld, const double *B, size_t ldb, double *C,
                               size_t ldc, const fast_shared_check *sc);

/* For many small float products side by side on the OpenMP threads:
 * OpenBLAS (when linked) runs each on the calling thread only, instead of
 * waking its own threads, whose waiting would compete with OpenMP's for
 * the cores.  Returns what fast_blas_restore_threads needs (0 when the
 * BLAS has no such setting): the BLAS's usual thread count, read once per
 * process.  Not to be called inside a parallel region.  The setting is
 * process-wide: products on other threads meanwhile run single-threaded
 * too (slower, never different). */
int fast_blas_single_thread(void);
void fast_blas_restore_threads(int saved);

/* Whether `items` independent BLAS products are better run side by side,
 * one per OpenMP thread with the BLAS on one thread each, than one after
 * the other with the BLAS's own threads: when there are threads to use
 * and at least two items per thread to balance them. */
bool fast_threads_for_blocks(size_t items);

/* ---- the conv layer's loop structure (fast_conv.c) --------------------- */

typedef struct {
    size_t N, C, H, W, O, Cg, Og, G, kH, kW, Ho, Wo;
    int64_t sh, sw, ph, pw, dh, dw;
} fast_layer;

/* ---- verification of a whole result (fast_verify.c) ------------------- */

/* True when Y is exactly the product of the scaled operands -- [m, k] @
 * [k, n], or the layer's forward pass (without bias) -- by Freivalds'
 * check modulo 2^61 - 1 with a fresh random vector (counted among the
 * exact checks, and among their failures when it fails). */
bool fast_verify_matmul(size_t m, size_t k, size_t n, const int64_t *A,
                        const int64_t *B, const __int128 *Y);
bool fast_verify_conv_forward(const fast_layer *L, const int64_t *X,
                              const int64_t *K, const __int128 *Y);

/* ---- integers beyond int64: residues and CRT (fast_crt.c) -------------- */

/* Runs one operation (`job`, opaque here) on residues mod ctx->p: A and B
 * the operands' residues, R the zeroed result. */
typedef bool (*fast_residue_op)(fast_ctx *ctx, const void *job, const uint64_t *A,
                                const uint64_t *B, uint64_t *R);

/* How many primes of the basis (each above 2^60) the bound needs. */
size_t fast_crt_primes_needed(unsigned __int128 bound);

/* The same operation on float64 arrays (fast_gemm_f64 products, each
 * checked); R zeroed.  With ctx->p set (a prime of the float64 basis),
 * R need only be congruent to the exact result mod ctx->p. */
typedef bool (*fast_float_op)(fast_ctx *ctx, const void *job, const double *A,
                              const double *B, double *R);

/* True when r (the operation's n results) is the operation's exact
 * result on the scaled operands, checked with a random vector modulo a
 * prime (Freivalds); each operation that may use `offset` has one. */
typedef bool (*fast_verify_op)(const void *job, const fast_operand *a,
                               const fast_operand *b, const __int128 *r);

/* r += op(a_lo, b_hi) + op(a, b_lo) for the job's operation, in exact
 * 128-bit integers (modulo 2^128, as unsigned), where a_lo = a - 2^sa
 * trunc(a / 2^sa) (fast_split_rest), b_lo likewise with sb, and b_hi =
 * b - b_lo: the products of the sparse remainders of fast_split.c (with
 * 2^(sa+sb) times the coarse parts' product, the whole product a b);
 * nnz_a is the number of nonzero entries of a_lo.  False when the
 * operation has no such product. */
typedef bool (*fast_sparse_op)(const void *job, __int128 *r, const int64_t *a,
                               int sa, size_t nnz_a, const int64_t *b, int sb);

/* The coarse part trunc(v / 2^s) of a split at s < 63, and the remainder
 * v - 2^s trunc(v / 2^s) (|rest| < 2^s, with v's sign). */
static inline int64_t fast_split_coarse(int64_t v, int s)
{
    /* floor((v + bias) / 2^s) with bias 2^s - 1 for negative v: rounding
     * towards zero without a branch (signs of data are unpredictable);
     * >> of a negative int64 is arithmetic in GCC and Clang */
    const int64_t bias = (int64_t)((uint64_t)(v >> 63) & ((((uint64_t)1) << s) - 1));
    return (int64_t)((uint64_t)v + (uint64_t)bias) >> s;
}

static inline int64_t fast_split_rest(int64_t v, int s)
{
    return v - (int64_t)((uint64_t)fast_split_coarse(v, s) << s);
}

/* An exact pass straight into 128-bit results, for the jobs that have
 * one (Winograd's layers, fast_winograd_exact.c): `fits` says whether
 * scaled operands with these largest magnitudes are within its reach;
 * `run` sets r (all the job's results) to 2^(sa+sb) times the product of
 * the coarse parts of the scaled operands at shifts sa and sb
 * (fast_split_coarse; 0 for the operands themselves), false when a
 * product failed its check or they are out of reach. */
typedef struct {
    bool (*fits)(const void *job, uint64_t amax, uint64_t bmax);
    bool (*run)(const void *job, const fast_operand *a, int sa,
                const fast_operand *b, int sb, __int128 *r);
} fast_exact_op;

/* Y := the Q tensor of the given shape whose entries are the exact
 * integer results of the operation on the scaled operands a and b,
 * divided by a.den * b.den; `bound` bounds every partial sum of every
 * entry, and every entry is a sum of at most `reduction` products.  The
 * operation runs as `run_float` on float64 residues modulo small primes
 * when a BLAS is linked (fast_crt_float.c), else as `run` on residues
 * modulo primes near 2^61.  With `verify` (may be NULL), the float64
 * residues may start from an unchecked float64 product when that saves a
 * prime, and the result is then accepted only if `verify` confirms it.
 * With `sparse` as well (may be NULL), operands split into a coarse part
 * and sparse remainders (fast_split.c) when that saves a residue product.
 * With `exact` (may be NULL), the job's exact pass runs first: on the
 * operands when they are within its reach, else on coarse parts with
 * `sparse` for the remainders.
 * `cheap_residues` says that the job's residue products cost about a
 * quarter of a full product (Winograd's transform): a split whose coarse
 * product needs residues alone is then tried first, as it saves both the
 * unchecked float64 product and the verification.
 * False (Y untouched) when the bound needs more primes than either basis
 * has, a checked product or the verification failed, or the shape passes
 * the entry limit. */
bool fast_crt_make_q(cvp_tensor_t Y, int rank, const size_t *shape,
                     const fast_operand *a, const fast_operand *b,
                     unsigned __int128 bound, uint64_t reduction,
                     fast_residue_op run, fast_float_op run_float,
                     fast_verify_op verify, fast_sparse_op sparse,
                     const fast_exact_op *exact, bool cheap_residues,
                     const void *job);

/* ---- splitting float data (fast_split.c) ------------------------------- */

/* r[k] (n entries) := the exact results of the job on a and b, with the
 * coarse parts' product by at most `target` float64 residue primes --
 * after an unchecked float64 product with `offset` (the caller must then
 * verify r), else from the residues alone (every product checked: r is
 * exact) -- and the sparse remainders' products by `sparse`.  False (r
 * undefined) when no split reaches `target` primes with remainders sparse
 * enough, or a product failed. */
bool fast_split_run(__int128 *r, size_t n, const fast_operand *a,
                    const fast_operand *b, uint64_t reduction, size_t target,
                    bool offset, fast_float_op run_float, fast_sparse_op sparse,
                    const void *job);

/* As fast_split_run, with the coarse product by the job's exact pass at
 * the smallest shifts that bring the coarse parts within its reach; r is
 * then exact.  False (r undefined) when sparse is NULL, no shift does,
 * the remainders are not sparse enough, or a product failed. */
bool fast_split_run_exact(__int128 *r, size_t n, const fast_operand *a,
                          const fast_operand *b, const fast_exact_op *exact,
                          fast_sparse_op sparse, const void *job);

/* The sparse products of the split for the layer's forward pass (no
 * bias): r += conv(X_lo, K_hi) + conv(X, K_lo) as in fast_sparse_op; the
 * `sparse` of fast_conv.c's jobs. */
bool fast_split_conv_forward(const fast_layer *L, __int128 *r, const int64_t *X,
                             int sx, size_t nnz_x, const int64_t *K, int sk);

/* ---- the float64 residue basis (fast_crt_float.c) ----------------------- */

#define FAST_CRT_FLOAT_MAX 12

/* The primes (odd, largest first, below 2^32) whose symmetric residues
 * keep sums of `reduction` products within 2^53 and whose product
 * exceeds 2 bound + 1: their count, or 0 when more than `max` (or primes
 * below 2^10) would be needed. */
size_t fast_crt_float_moduli(uint64_t *m, size_t max, uint64_t reduction,
                             unsigned __int128 bound);

/* r[k] (n entries) := the exact results, by `run` on residues modulo the
 * `count` primes m (from fast_crt_float_moduli, for this operation's
 * bound and reduction).  With `offset`, first an unchecked float64
 * product of the scaled values (every |a.v|, |b.v| <= 2^53), and the
 * primes need only cover fast_crt_offset_bound: the result is then right
 * only if that product is within its rounding error, so the caller must
 * verify it.  False when a product failed its check (or the unchecked one
 * gave a non-finite or huge entry). */
bool fast_crt_float_run(__int128 *r, size_t n, size_t count, const uint64_t *m,
                        const fast_operand *a, const fast_operand *b,
                        fast_float_op run, const void *job, bool offset);

/* A bound on twice the distance from the exact results to the rounded
 * float64 product (L 2^-51 bound + L + 2 >= L 2^-51 bound + 2); 0 when it
 * would pass 2^127. */
unsigned __int128 fast_crt_offset_bound(unsigned __int128 bound, uint64_t L);


/* True when products beyond int64 take the float64 residues: a BLAS is
 * linked and cvp_fast_set_crt_float has not turned them off. */
bool fast_crt_float_enabled(void);

/* ---- Winograd's F(4x4, 3x3) modulo a prime (fast_winograd.c) ----------- */

/* True when the layer has 3x3 kernels, stride 1 and dilation 1, p divides
 * neither 2 nor 3, and cvp_fast_set_winograd's mode allows it. */
bool fast_winograd_applies(const fast_layer *L, uint64_t p);
/* The same for every such prime: whether the layer's residue products
 * take the transform (a quarter of the multiplications). */
bool fast_winograd_layer(const fast_layer *L);

/* R := the forward pass without bias (A = X, B = K), or with `backward`
 * the gradient to the input (A = K, B = the output gradient), every entry
 * written.  Residues in [0, ctx->p), ctx->p a prime that divides neither
 * 2 nor 3: the same results as the im2col loops. */
bool fast_winograd_modp(fast_ctx *ctx, bool backward, const fast_layer *L,
                        const uint64_t *A, const uint64_t *B, uint64_t *R);

/* The same modulo a prime m < 2^32 that divides neither 2 nor 3, for the
 * float64 residue basis: A and B hold integers as doubles (any residues
 * of the operands); R receives residues mod m (any representatives
 * below 2^32 in magnitude), by float64 products checked by fast_gemm_f64,
 * each a sum of Cin products of symmetric residues: exact when Cin
 * (m / 2)^2 <= 2^53.  False when a product failed its check. */
bool fast_winograd_f64(fast_ctx *ctx, uint64_t m, bool backward,
                       const fast_layer *L, const double *A, const double *B,
                       double *R);

/* ---- F(4x4, 3x3) exactly over the integers (fast_winograd_exact.c) ------ */

/* True when the layer is one of Winograd's (fast_winograd_layer) and its
 * pass -- the forward pass, or with `backward` the gradient to the input
 * -- over data below xmax and kernels below kmax in magnitude takes the
 * exact route: three checked float64 products per position at most, and
 * results within 2^127 / 576. */
bool fast_winograd_exact_fits(const fast_layer *L, bool backward, uint64_t xmax,
                              uint64_t kmax);

/* R (the pass's results, every entry written) := 2^(sx+sk) times the pass
 * exactly on the coarse parts trunc(x / 2^sx) and trunc(k / 2^sk)
 * (fast_split_coarse; the product of the parts in the operands' units),
 * x the scaled data (the input, or the output gradient with `backward`)
 * and k the scaled kernels (the caller makes sure the scaled result stays
 * within 2^127).  False when the pass does not fit (as above, for the
 * largest coarse entries x->max >> sx and k->max >> sk) or a product
 * failed its check (ctx marked then). */
bool fast_winograd_exact(fast_ctx *ctx, bool backward, const fast_layer *L,
                         const fast_operand *x, int sx, const fast_operand *k,
                         int sk, __int128 *R);

/* ---- the degree semiring (fast_degree.c) --------------------------------
 * The operators on uniform operands (every entry the same degree); false
 * when the ring is not the degree semiring or an operand is not uniform,
 * and then out is untouched.  Shapes must have passed cvp_conv2d_check
 * (and G must fit the output).  The bias may be any degree tensor. */
bool fast_is_degree_ring(const cvp_ring *R);
bool fast_degree_conv2d(cvp_tensor_t out, const cvp_conv2d_dims *d,
                        const cvp_conv2d_params *p, const cvp_tensor_t X,
                        const cvp_tensor_t K, const cvp_tensor_struct *bias);
bool fast_degree_conv2d_backward_input(cvp_tensor_t out, const cvp_conv2d_dims *d,
                                       const cvp_conv2d_params *p,
                                       const cvp_tensor_t X, const cvp_tensor_t K,
                                       const cvp_tensor_t G);
bool fast_degree_conv2d_backward_weight(cvp_tensor_t out, const cvp_conv2d_dims *d,
                                        const cvp_conv2d_params *p,
                                        const cvp_tensor_t X, const cvp_tensor_t K,
                                        const cvp_tensor_t G);
/* A is m x k, B is k x n (checked by the caller). */
bool fast_degree_matmul(cvp_tensor_t out, const cvp_tensor_t A, const cvp_tensor_t B);

/* ---- the height semiring (fast_height.c) --------------------------------
 * The same operators on operands whose entries are all one (a, 0) (no
 * denominator): each entry the bound of a sum of n products, n counted on
 * one plane over Q.  False otherwise, and then out is untouched.  The
 * bias may be any height tensor (added by the semiring). */
bool fast_is_height_ring(const cvp_ring *R);
bool fast_height_conv2d(cvp_tensor_t out, const cvp_conv2d_dims *d,
                        const cvp_conv2d_params *p, const cvp_tensor_t X,
                        const cvp_tensor_t K, const cvp_tensor_struct *bias);
bool fast_height_conv2d_backward_input(cvp_tensor_t out, const cvp_conv2d_dims *d,
                                       const cvp_conv2d_params *p,
                                       const cvp_tensor_t X, const cvp_tensor_t K,
                                       const cvp_tensor_t G);
bool fast_height_conv2d_backward_weight(cvp_tensor_t out, const cvp_conv2d_dims *d,
                                        const cvp_conv2d_params *p,
                                        const cvp_tensor_t X, const cvp_tensor_t K,
                                        const cvp_tensor_t G);
bool fast_height_matmul(cvp_tensor_t out, const cvp_tensor_t A, const cvp_tensor_t B);

#endif
