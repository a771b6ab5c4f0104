/* fast_winograd.c -- 3x3 convolutions with stride 1 modulo a prime, by
 * Winograd's minimal filtering F(4x4, 3x3) (Lavin and Gray, "Fast
 * Algorithms for Convolutional Neural Networks", 2016).
 *
 * Why: the residues' products (fast_gemm.c) cost one 64x64-bit
 * multiplication per multiply-add, and a 3x3 layer done by im2col needs 9
 * Cin Cout of them per output position; the float64 residue basis
 * (fast_crt_float.c) likewise spends one BLAS product per prime.  F(4x4, 3x3) computes a 4x4 block
 * of outputs from a 6x6 block of inputs with 36 Cin Cout, a quarter: each
 * 6x6 input tile d and each kernel g are transformed,
 *
 *     U = B^T d B,   V = G g G^T,   Y = A^T (U (.) V) A,
 *
 * and the elementwise products summed over the input channels are 36
 * ordinary matrix products, one per position of the 6x6 transformed tile
 * (tiles x Cin times Cin x Cout).  With the interpolation points 0, 1, -1,
 * 2, -2 and infinity, B^T and A^T have small integer entries and G has
 * denominators dividing 24; this file uses 24 G, and multiplies the
 * transformed kernels by 576^-1 mod p, so the prime must not divide 6.
 *
 * The arithmetic is exact in Z/pZ: every transform is a sum of at most 36
 * products of a residue (< 2^62) and an integer of at most 24^2, well
 * within signed 128 bits (within int64 for the float64 basis, whose
 * primes are below 2^32), and is reduced once.  So the result is the
 * convolution mod p exactly, not an approximation; the tests compare it
 * with the definitional operators (tests/test_fast_winograd.c).
 *
 * The gradient to the input of a stride-1 layer is itself such a
 * convolution: of the output gradient, zero-padded by 2 - padding, with
 * the kernels rotated by 180 degrees and their two channel axes swapped
 * (eq. (5.39)'s rot180(W) (x)~ delta, per channel pair). */
#include "fast/fast_internal.h"
#include "fast/fast_winograd_layout.h"
#include "kernel/alloc.h"
#include "kernel/prime.h"

#include <stdatomic.h>
#include <stdlib.h>

typedef unsigned __int128 u128;
typedef __int128 i128;

static atomic_int winograd_mode = CVP_FAST_WINOGRAD_AUTO;
atomic_uint_fast64_t cvp_fast_winograd_count;   /* read by cvp_fast_stats */

void cvp_fast_set_winograd(cvp_fast_winograd mode)
{
    atomic_store(&winograd_mode, (int)mode);
}

/* Entries of each of the two tile buffers (U and the products M): tiles
 * are taken in blocks of the im2col buffer's size (8 MB each by default;
 * tests make them small to cross their boundaries).  Larger blocks
 * measured no faster, and fresh memory costs page faults. */
#define BLOCK_ENTRIES (fast_block_entries())

bool fast_winograd_applies(const fast_layer *L, uint64_t p)
{
    return p % 2 != 0 && p % 3 != 0 && fast_winograd_layer(L);
}

bool fast_winograd_layer(const fast_layer *L)
{
    if (L->kH != 3 || L->kW != 3 || L->sh != 1 || L->sw != 1 || L->dh != 1 ||
        L->dw != 1)
        return false;
    switch ((cvp_fast_winograd)atomic_load(&winograd_mode)) {
    case CVP_FAST_WINOGRAD_NEVER: return false;
    case CVP_FAST_WINOGRAD_ALWAYS: return true;
    case CVP_FAST_WINOGRAD_AUTO: break;
    }
    /* The transforms cost about 100 additions per tile and channel; the
     * products save 108 Cin Cout multiply-adds per tile.  Small channel
     * counts gain nothing worth the setup. */
    return L->Cg * L->Og >= 64;
}

/* Reduction of the transforms' sums (|v| < 2^73) modulo p.  For p below
 * 2^32 the sums fit int64 (inputs below 2^32, times at most 24^2) and
 * Barrett's reduction by p does it (fast_internal.h).  For larger p, v is
 * first made nonnegative by adding off = ceil(2^73 / p) p, and the
 * quotient is estimated in double precision: u / p < 2^43 and the
 * estimate is within 2^-9 of it, so its floor is the true quotient or one
 * less, and the remainder lies in [-p, 2p) -- within int64, as p < 2^62 --
 * and one correction settles it. */
typedef struct {
    uint64_t p;
    bool small;
    fast_small_mod sm;   /* when small */
    i128 off;            /* otherwise */
    double inv;
} wide_mod;

static wide_mod wide_mod_of(uint64_t p)
{
    wide_mod m;
    m.p = p;
    m.small = p < ((uint64_t)1 << 32);
    m.off = 0;
    m.inv = 1.0 / (double)p;
    if (m.small)
        m.sm = fast_small_mod_of(p);
    else
        m.off = (i128)((((u128)1 << 73) + p - 1) / p * p);
    return m;
}

static inline uint64_t mod_wide(i128 v, const wide_mod *m)
{
    if (m->small)
        return fast_residue_of((int64_t)v, &m->sm);
    const u128 u = (u128)(v + m->off);
    const double approx = (double)(uint64_t)(u >> 64) * 0x1p64 + (double)(uint64_t)u;
    const uint64_t q = (uint64_t)(approx * m->inv);
    int64_t r = (int64_t)((uint64_t)u - q * m->p);
    if (r < 0)
        r += (int64_t)m->p;
    else if (r >= (int64_t)m->p)
        r -= (int64_t)m->p;
    return (uint64_t)r;
}

/* x y mod p for x, y < p: x y fits 64 bits when p fits 32 (Barrett),
 * else 128. */
static inline uint64_t mulmod(uint64_t x, uint64_t y, const wide_mod *m)
{
    return m->small ? fast_mod_small(x * y, &m->sm)
                    : (uint64_t)((u128)x * y % m->p);
}

/* ---- the two representations ----------------------------------------------
 * Residues mod p as uint64_t in [0, p), multiplied by fast_gemm_modp; or,
 * for the float64 residue basis (fast_crt_float.c, p < 2^32), integers
 * stored as doubles -- symmetric residues in the transformed operands, so
 * that each product's sums stay within the bound that makes the BLAS
 * exact -- multiplied by fast_gemm_f64 with its exact check. */
typedef struct {
    wide_mod mod;
    bool f64;
} arith;

/* The transforms for each representation (fast_winograd_impl.h).
 * Residues mod p < 2^62: signed 128-bit sums (below 2^73 in magnitude).
 * Doubles mod m < 2^32: the operands' entries are below 2^32 in
 * magnitude and the checked products' at most 2^53, and no transform
 * multiplies by more than 24^2, so every sum stays below 2^63: int64
 * suffices. */
#define WT i128
#define WN(name) name##_modp
#define WT_LOAD(a, idx) ((i128)((const uint64_t *)(a))[idx])
#define WT_STORE(a, idx, v, mod) (((uint64_t *)(a))[idx] = mod_wide((v), (mod)))
#define WT_REDUCE(v, mod) mod_wide((v), (mod))
#include "fast/fast_winograd_impl.h"
#undef WT
#undef WN
#undef WT_LOAD
#undef WT_STORE
#undef WT_REDUCE

#define WT int64_t
#define WN(name) name##_f64
#define WT_LOAD(a, idx) ((int64_t)((const double *)(a))[idx])
#define WT_STORE(a, idx, v, mod) \
    (((double *)(a))[idx] = fast_symmetric(fast_residue_of((v), &(mod)->sm), (mod)->p))
#define WT_REDUCE(v, mod) fast_residue_of((v), &(mod)->sm)
#include "fast/fast_winograd_impl.h"
#undef WT
#undef WN
#undef WT_LOAD
#undef WT_STORE
#undef WT_REDUCE

/* M_s := U_s V_s^T for the 36 positions s (nt x Cout each).  The
 * residues' products are parallel inside (fast_gemm_modp); the float64
 * ones run side by side, one per OpenMP thread, the BLAS on one thread
 * each, and each is checked exactly with the check vector of its V_s
 * (cv[s]: made once per group, before any product, for every block). */
static bool multiply(fast_ctx *ctx, const arith *ar, size_t nt, size_t Cin,
                     size_t Cout, const void *U, const void *V, void *M,
                     const fast_shared_check *cv)
{
    bool ok = true;
    if (!ar->f64) {
        for (size_t s = 0; ok && s < POS; s++)
            ok = fast_gemm_modp(ctx, false, true, nt, Cout, Cin,
                                (const uint64_t *)U + s * nt * Cin, Cin,
                                (const uint64_t *)V + s * Cout * Cin, Cin,
                                (uint64_t *)M + s * nt * Cout, Cout, false);
        return ok;
    }
    const int saved = fast_blas_single_thread();
    FAST_OMP(omp parallel reduction(&&: ok) if (nt * Cin * Cout > FAST_PARALLEL_MIN))
    {
        fast_ctx local;
        fast_ctx_init(&local, ctx->p);
        FAST_OMP(omp for schedule(dynamic))
        for (size_t s = 0; s < POS; s++)
            ok = ok && fast_gemm_f64_bt_shared(&local, nt,
                                               (const double *)U + s * nt * Cin, Cin,
                                               (const double *)V + s * Cout * Cin, Cin,
                                               (double *)M + s * nt * Cout, Cout, &cv[s]);
    }
    fast_blas_restore_threads(saved);
    if (!ok)
        ctx->check_failed = true;
    return ok;
}

static bool convolve_plane(fast_ctx *ctx, const arith *ar, const plane_job *J,
                           const void *V, void *U, void *M, size_t block,
                           const fast_shared_check *cv)
{
    const size_t tiles_h = (J->Ho + OUT - 1) / OUT, tiles_w = (J->Wo + OUT - 1) / OUT;
    const size_t tiles = tiles_h * tiles_w;
    for (size_t t0 = 0; t0 < tiles; t0 += block) {
        const size_t nt = tiles - t0 < block ? tiles - t0 : block;
        if (ar->f64)
            transform_inputs_f64(U, J, tiles_w, t0, nt, &ar->mod);
        else
            transform_inputs_modp(U, J, tiles_w, t0, nt, &ar->mod);
        if (!multiply(ctx, ar, nt, J->Cin, J->Cout, U, V, M, cv))
            return false;
        if (ar->f64)
            transform_outputs_f64(J, M, tiles_w, t0, nt, &ar->mod);
        else
            transform_outputs_modp(J, M, tiles_w, t0, nt, &ar->mod);
    }
    return true;
}

static bool convolve_layer(fast_ctx *ctx, const arith *ar, const layer_shape *S,
                           const void *x, void *y, kernel_view kv,
                           int64_t group_step)
{
    atomic_fetch_add(&cvp_fast_winograd_count, 1);
    const size_t pairs = S->Cin * S->Cout;
    const size_t tiles = ((S->Ho + OUT - 1) / OUT) * ((S->Wo + OUT - 1) / OUT);
    const size_t widest = S->Cin > S->Cout ? S->Cin : S->Cout;
    size_t block = BLOCK_ENTRIES / (POS * (widest ? widest : 1));
    if (block < 1)
        block = 1;
    if (block > tiles)
        block = tiles;
    /* uint64_t and double have the same size: one allocation serves both */
    void *V = cvp_xmalloc(POS * (pairs ? pairs : 1) * sizeof(uint64_t));
    void *U = cvp_xmalloc(POS * (block ? block : 1) * (S->Cin ? S->Cin : 1) * sizeof(uint64_t));
    void *M = cvp_xmalloc(POS * (block ? block : 1) * (S->Cout ? S->Cout : 1) * sizeof(uint64_t));
    bool ok = true;
    fast_shared_check cv[POS];
    for (size_t g = 0; ok && g < S->G; g++) {
        if (ar->f64)
            transform_kernels_f64(V, &kv, &ar->mod);
        else
            transform_kernels_modp(V, &kv, &ar->mod);
        if (ar->f64)
            for (size_t s = 0; s < POS; s++)
                fast_shared_check_make(&cv[s], ctx, S->Cout, S->Cin,
                                       (const double *)V + s * pairs, S->Cin, false);
        for (size_t n = 0; ok && n < S->N; n++) {
            plane_job J = {x, (n * S->G + g) * S->Cin * S->H * S->W, S->Cin, S->H, S->W,
                           S->ph, S->pw, S->Cout, S->Ho, S->Wo,
                           y, (n * S->G + g) * S->Cout * S->Ho * S->Wo};
            ok = tiles == 0 || convolve_plane(ctx, ar, &J, V, U, M, block, cv);
        }
        if (ar->f64)
            for (size_t s = 0; s < POS; s++)
                fast_shared_check_clear(&cv[s]);
        kv.offset += group_step;
    }
    free(V);
    free(U);
    free(M);
    return ok;
}

static bool run_pass(fast_ctx *ctx, const arith *ar, bool backward,
                     const fast_layer *L, const void *A, const void *B, void *R)
{
    layer_shape S;
    kernel_view kv;
    int64_t step;
    winograd_layout(L, backward, &S, &kv, &step);
    /* forward: A = X, B = K; backward: A = K, B = the output gradient */
    kv.base = backward ? A : B;
    return convolve_layer(ctx, ar, &S, backward ? B : A, R, kv, step);
}

bool fast_winograd_modp(fast_ctx *ctx, bool backward, const fast_layer *L,
                        const uint64_t *A, const uint64_t *B, uint64_t *R)
{
    CVP_ASSERT(ctx->p % 2 != 0 && ctx->p % 3 != 0);
    const arith ar = {wide_mod_of(ctx->p), false};
    return run_pass(ctx, &ar, backward, L, A, B, R);
}

bool fast_winograd_f64(fast_ctx *ctx, uint64_t m, bool backward,
                       const fast_layer *L, const double *A, const double *B,
                       double *R)
{
    CVP_ASSERT(m % 2 != 0 && m % 3 != 0 && m < ((uint64_t)1 << 32));
    const arith ar = {wide_mod_of(m), true};
    return run_pass(ctx, &ar, backward, L, A, B, R);
}
