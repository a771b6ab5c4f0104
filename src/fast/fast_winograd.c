/* fast_winograd.c -- 3x3 convolutions with stride 1 modulo a prime, by
 * Winograd's minimal filtering F(4x4, 3x3) (Lavin and Gray, "Fast
 * Algorithms for Convolutional Neural Networks", 2016).
 *
 * Why: the residues' products (fast_gemm.c) cost one 64x64-bit
 * multiplication per multiply-add, and a 3x3 layer done by im2col needs 9
 * Cin Cout of them per output position.  F(4x4, 3x3) computes a 4x4 block
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
 * within signed 128 bits, and is reduced once.  So the result is the
 * convolution mod p exactly, not an approximation; the tests compare it
 * with the definitional operators (tests/test_fast_winograd.c).
 *
 * The gradient to the input of a stride-1 layer is itself such a
 * convolution: of the output gradient, zero-padded by 2 - padding, with
 * the kernels rotated by 180 degrees and their two channel axes swapped
 * (eq. (5.39)'s rot180(W) (x)~ delta, per channel pair). */
#include "fast/fast_internal.h"
#include "kernel/alloc.h"
#include "kernel/prime.h"

#include <stdatomic.h>
#include <stdlib.h>

typedef unsigned __int128 u128;
typedef __int128 i128;

static atomic_int winograd_mode = CVP_FAST_WINOGRAD_AUTO;
atomic_uint_fast64_t cvp_fast_winograd_count;

void cvp_fast_set_winograd(cvp_fast_winograd mode)
{
    atomic_store(&winograd_mode, (int)mode);
}

/* The positions of one transformed tile, and of one output tile. */
#define TILE 6
#define OUT 4
#define POS (TILE * TILE)

/* Entries of each of the two tile buffers (U and the products M): tiles
 * are taken in blocks so that both stay a few tens of MB (32 MB each by
 * default; tests make the blocks small to cross their boundaries). */
#define BLOCK_ENTRIES (4 * fast_block_entries())

bool fast_winograd_applies(const fast_layer *L, uint64_t p)
{
    if (L->kH != 3 || L->kW != 3 || L->sh != 1 || L->sw != 1 || L->dh != 1 ||
        L->dw != 1 || p % 2 == 0 || p % 3 == 0)
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

/* v mod p in [0, p). */
static inline uint64_t mod_wide(i128 v, uint64_t p)
{
    i128 r = v % (i128)p;
    return (uint64_t)(r < 0 ? r + (i128)p : r);
}

/* ---- the three transforms, one dimension at a time ----------------------- */

/* o := B^T d (six entries each, strides so and sd). */
static inline void input_1d(i128 *o, size_t so, const i128 *d, size_t sd)
{
    const i128 d0 = d[0], d1 = d[sd], d2 = d[2 * sd], d3 = d[3 * sd],
               d4 = d[4 * sd], d5 = d[5 * sd];
    o[0] = 4 * d0 - 5 * d2 + d4;
    o[so] = -4 * d1 - 4 * d2 + d3 + d4;
    o[2 * so] = 4 * d1 - 4 * d2 - d3 + d4;
    o[3 * so] = -2 * d1 - d2 + 2 * d3 + d4;
    o[4 * so] = 2 * d1 - d2 - 2 * d3 + d4;
    o[5 * so] = 4 * d1 - 5 * d3 + d5;
}

/* o (six entries) := 24 G g (three entries). */
static inline void kernel_1d(i128 *o, size_t so, const i128 *g, size_t sg)
{
    const i128 g0 = g[0], g1 = g[sg], g2 = g[2 * sg];
    o[0] = 6 * g0;
    o[so] = -4 * (g0 + g1 + g2);
    o[2 * so] = -4 * (g0 - g1 + g2);
    o[3 * so] = g0 + 2 * g1 + 4 * g2;
    o[4 * so] = g0 - 2 * g1 + 4 * g2;
    o[5 * so] = 24 * g2;
}

/* o (four entries) := A^T m (six entries). */
static inline void output_1d(i128 *o, size_t so, const i128 *m, size_t sm)
{
    const i128 m1 = m[sm], m2 = m[2 * sm], m3 = m[3 * sm], m4 = m[4 * sm];
    o[0] = m[0] + m1 + m2 + m3 + m4;
    o[so] = m1 - m2 + 2 * (m3 - m4);
    o[2 * so] = m1 + m2 + 4 * (m3 + m4);
    o[3 * so] = m1 - m2 + 8 * (m3 - m4) + m[5 * sm];
}

/* ---- kernels -------------------------------------------------------------- */

/* A 3x3 kernel stack read through strides: entry (out, in, u, v) is
 * base[out so + in si + u su + v sv] (negative su, sv read it rotated). */
typedef struct {
    const uint64_t *base;
    int64_t so, si, su, sv;
    size_t Cout, Cin;
} kernel_view;

/* V[pos][out][in] := 576^-1 (24 G) g (24 G)^T mod p for every kernel g. */
static void transform_kernels(uint64_t *V, const kernel_view *k, uint64_t p)
{
    const uint64_t inv576 = cvp_powmod_u64(576 % p, p - 2, p);
    const size_t pairs = k->Cout * k->Cin;
    FAST_OMP(omp parallel for schedule(static) if (pairs * 64 > FAST_PARALLEL_MIN))
    for (size_t q = 0; q < pairs; q++) {
        const size_t out = q / k->Cin, in = q % k->Cin;
        const uint64_t *g = k->base + (int64_t)out * k->so + (int64_t)in * k->si;
        i128 gg[9], t[TILE * 3], v[POS];
        for (int u = 0; u < 3; u++)
            for (int w = 0; w < 3; w++)
                gg[u * 3 + w] = (i128)g[u * k->su + w * k->sv];
        for (int w = 0; w < 3; w++)
            kernel_1d(t + w, 3, gg + w, 3);          /* columns: 6 x 3 */
        for (int i = 0; i < TILE; i++)
            kernel_1d(v + i * TILE, 1, t + i * 3, 1);   /* rows: 6 x 6 */
        for (int s = 0; s < POS; s++)
            V[(size_t)s * pairs + q] =
                (uint64_t)((u128)mod_wide(v[s], p) * inv576 % p);
    }
}

/* ---- one image and one group ---------------------------------------------- */

/* y (Cout planes of Ho x Wo, all written) := the convolution of x (Cin
 * planes of H x W) with the kernels whose transforms are V, output (i, j)
 * reading inputs (i + u - ph, j + v - pw), zero outside. */
typedef struct {
    const uint64_t *x;
    size_t Cin, H, W;
    int64_t ph, pw;
    size_t Cout, Ho, Wo;
    uint64_t *y;
} plane_job;

/* U[pos][tile - t0][c] for the tiles t0 .. t0 + nt - 1. */
static void transform_inputs(uint64_t *U, const plane_job *J, size_t tiles_w,
                             size_t t0, size_t nt, uint64_t p)
{
    const size_t work = nt * J->Cin;
    FAST_OMP(omp parallel for schedule(static) if (work * POS > FAST_PARALLEL_MIN))
    for (size_t q = 0; q < work; q++) {
        const size_t tt = q / J->Cin, c = q % J->Cin, t = t0 + tt;
        const int64_t r0 = (int64_t)((t / tiles_w) * OUT) - J->ph;
        const int64_t c0 = (int64_t)((t % tiles_w) * OUT) - J->pw;
        const uint64_t *plane = J->x + c * J->H * J->W;
        i128 d[POS], tmp[POS], u[POS];
        for (int a = 0; a < TILE; a++) {
            const int64_t r = r0 + a;
            const bool row_in = r >= 0 && r < (int64_t)J->H;
            for (int b = 0; b < TILE; b++) {
                const int64_t col = c0 + b;
                d[a * TILE + b] = row_in && col >= 0 && col < (int64_t)J->W
                                      ? (i128)plane[(size_t)r * J->W + (size_t)col]
                                      : 0;
            }
        }
        for (int b = 0; b < TILE; b++)
            input_1d(tmp + b, TILE, d + b, TILE);          /* columns */
        for (int a = 0; a < TILE; a++)
            input_1d(u + a * TILE, 1, tmp + a * TILE, 1);  /* rows */
        for (int s = 0; s < POS; s++)
            U[((size_t)s * nt + tt) * J->Cin + c] = mod_wide(u[s], p);
    }
}

/* The outputs of tiles t0 .. t0 + nt - 1 from M[pos][tile - t0][o]. */
static void transform_outputs(const plane_job *J, const uint64_t *M,
                              size_t tiles_w, size_t t0, size_t nt, uint64_t p)
{
    const size_t work = nt * J->Cout;
    FAST_OMP(omp parallel for schedule(static) if (work * POS > FAST_PARALLEL_MIN))
    for (size_t q = 0; q < work; q++) {
        const size_t tt = q / J->Cout, o = q % J->Cout, t = t0 + tt;
        const size_t r0 = (t / tiles_w) * OUT, c0 = (t % tiles_w) * OUT;
        i128 m[POS], tmp[OUT * TILE], y[OUT * OUT];
        for (int s = 0; s < POS; s++)
            m[s] = (i128)M[((size_t)s * nt + tt) * J->Cout + o];
        for (int b = 0; b < TILE; b++)
            output_1d(tmp + b, TILE, m + b, TILE);          /* columns: 4 x 6 */
        for (int a = 0; a < OUT; a++)
            output_1d(y + a * OUT, 1, tmp + a * TILE, 1);   /* rows: 4 x 4 */
        uint64_t *plane = J->y + o * J->Ho * J->Wo;
        for (int a = 0; a < OUT && r0 + (size_t)a < J->Ho; a++)
            for (int b = 0; b < OUT && c0 + (size_t)b < J->Wo; b++)
                plane[(r0 + (size_t)a) * J->Wo + c0 + (size_t)b] =
                    mod_wide(y[a * OUT + b], p);
    }
}

static bool convolve_plane(fast_ctx *ctx, const plane_job *J, const uint64_t *V,
                           uint64_t *U, uint64_t *M, size_t block)
{
    const size_t tiles_h = (J->Ho + OUT - 1) / OUT, tiles_w = (J->Wo + OUT - 1) / OUT;
    const size_t tiles = tiles_h * tiles_w;
    for (size_t t0 = 0; t0 < tiles; t0 += block) {
        const size_t nt = tiles - t0 < block ? tiles - t0 : block;
        transform_inputs(U, J, tiles_w, t0, nt, ctx->p);
        for (size_t s = 0; s < POS; s++)
            if (!fast_gemm_modp(ctx, false, true, nt, J->Cout, J->Cin,
                                U + s * nt * J->Cin, J->Cin,
                                V + s * J->Cout * J->Cin, J->Cin,
                                M + s * nt * J->Cout, J->Cout, false))
                return false;
        transform_outputs(J, M, tiles_w, t0, nt, ctx->p);
    }
    return true;
}

/* Every image and group: inputs of Cin channels per group (planes of H x
 * W at x, channel stride per image Cin_total), outputs likewise. */
typedef struct {
    size_t N, G, Cin, Cout, H, W, Ho, Wo;
    int64_t ph, pw;
} layer_shape;

static bool convolve_layer(fast_ctx *ctx, const layer_shape *S, const uint64_t *x,
                           uint64_t *y, kernel_view kv, const int64_t group_step)
{
    const size_t pairs = S->Cin * S->Cout;
    const size_t tiles = ((S->Ho + OUT - 1) / OUT) * ((S->Wo + OUT - 1) / OUT);
    size_t widest = S->Cin > S->Cout ? S->Cin : S->Cout;
    size_t block = BLOCK_ENTRIES / (POS * (widest ? widest : 1));
    if (block < 1)
        block = 1;
    if (block > tiles)
        block = tiles;
    atomic_fetch_add(&cvp_fast_winograd_count, 1);
    uint64_t *V = cvp_xmalloc(POS * (pairs ? pairs : 1) * sizeof *V);
    uint64_t *U = cvp_xmalloc(POS * (block ? block : 1) * (S->Cin ? S->Cin : 1) * sizeof *U);
    uint64_t *M = cvp_xmalloc(POS * (block ? block : 1) * (S->Cout ? S->Cout : 1) * sizeof *M);
    bool ok = true;
    for (size_t g = 0; ok && g < S->G; g++) {
        transform_kernels(V, &kv, ctx->p);
        for (size_t n = 0; ok && n < S->N; n++) {
            plane_job J = {x + (n * S->G + g) * S->Cin * S->H * S->W, S->Cin, S->H, S->W,
                           S->ph, S->pw, S->Cout, S->Ho, S->Wo,
                           y + (n * S->G + g) * S->Cout * S->Ho * S->Wo};
            ok = tiles == 0 || convolve_plane(ctx, &J, V, U, M, block);
        }
        kv.base += group_step;
    }
    free(V);
    free(U);
    free(M);
    return ok;
}

bool fast_winograd_forward_modp(fast_ctx *ctx, const fast_layer *L,
                                const uint64_t *X, const uint64_t *K, uint64_t *Y)
{
    CVP_ASSERT(ctx->p % 2 != 0 && ctx->p % 3 != 0);
    layer_shape S = {L->N, L->G, L->Cg, L->Og, L->H, L->W, L->Ho, L->Wo, L->ph, L->pw};
    /* K[o][c][u][v], o the output channel within the group */
    kernel_view kv = {K, (int64_t)L->Cg * 9, 9, 3, 1, L->Og, L->Cg};
    return convolve_layer(ctx, &S, X, Y, kv, (int64_t)(L->Og * L->Cg * 9));
}

bool fast_winograd_backward_input_modp(fast_ctx *ctx, const fast_layer *L,
                                       const uint64_t *K, const uint64_t *Gr,
                                       uint64_t *dX)
{
    CVP_ASSERT(ctx->p % 2 != 0 && ctx->p % 3 != 0);
    /* dX[c][h][w] = sum over o, u, v of Gr[o][h + ph - u][w + pw - v]
     * K[o][c][u][v]; with u' = 2 - u that is a correlation of Gr padded
     * by 2 - ph with K[o][c][2 - u'][2 - v'] as the kernel from input
     * channel o to output channel c. */
    layer_shape S = {L->N, L->G, L->Og, L->Cg, L->Ho, L->Wo, L->H, L->W,
                     2 - L->ph, 2 - L->pw};
    kernel_view kv = {K + 8, 9, (int64_t)L->Cg * 9, -3, -1, L->Cg, L->Og};
    return convolve_layer(ctx, &S, Gr, dX, kv, (int64_t)(L->Og * L->Cg * 9));
}
