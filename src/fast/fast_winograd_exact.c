/* fast_winograd_exact.c -- 3x3 stride-1 passes exactly over the integers:
 * Winograd's F(4x4, 3x3) transforms once in int64, three float64 products
 * per position (Karatsuba's), and one exact reconstruction.
 *
 * Why: the residue route (fast_winograd.c under fast_crt_float.c) runs the
 * whole transform once per prime -- four primes for float32 data at
 * exercise 5-4's layer -- and then Garner's reconstruction; the transforms
 * and the reconstruction cost three times the products themselves.  Here
 * the operands are transformed once, exactly (|V| <= 100 max|x| and |U| <=
 * 576 max|k| fit int64), and each transformed entry is split at one bit
 * position s into V = 2^s Vh + Vl with |Vl| <= 2^(s-1) (U likewise).  Then
 *
 *     U V = 2^2s Uh Vh + 2^s ((Uh + Ul)(Vh + Vl) - Uh Vh - Ul Vl) + Ul Vl,
 *
 * three products per position instead of four.  Each is a float64 product
 * of integers whose sums stay within 2^53 in any order (the plan below
 * makes sure), so the BLAS computes it exactly, and each is accepted only
 * after its exact check (fast_gemm_f64_bt_shared).  The output transform
 * runs on each product in int64 (entries at most 2^53, times at most 19^2
 * < 2^9), and the three combine modulo 2^128 into 576 y, which the plan
 * keeps below 2^127 in magnitude, so the signed value is exact; dividing
 * by 576 = 2^6 * 9 is then a shift and a multiplication by 9^-1 mod 2^128,
 * exact because 576 y is a multiple of 576.  No prime, no Garner.
 *
 * Geometry (tiles, kernel views, forward and backward passes) is shared
 * with fast_winograd.c through fast_winograd_layout.h; the tests compare
 * this file with the definitional operators (tests/test_fast_winograd.c). */
#include "fast/fast_internal.h"
#include "fast/fast_winograd_layout.h"
#include "kernel/alloc.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

typedef __int128 i128;
typedef unsigned __int128 u128;

#define WT int64_t
#define WN(name) name##_exact
#include "fast/fast_winograd_1d.h"
#undef WT
#undef WN

/* Largest growth of each 2D transform: the square of the largest sum of
 * absolute values in a row of B^T (10), of 24 G (24) and of A^T (19). */
#define INPUT_GROWTH 100
#define KERNEL_GROWTH 576
#define OUTPUT_GROWTH 361

#define PARTS 3

/* The output transform of one product (entries at most 2^53, as its
 * check made sure) stays within int64, with a bit to spare for its
 * partial sums. */
_Static_assert(((uint64_t)OUTPUT_GROWTH << 53) < ((uint64_t)1 << 62),
               "the output transform of a product fits int64");

static atomic_bool exact_route = true;
/* read by cvp_fast_stats; fast_winograd.c's count covers these passes too */
atomic_uint_fast64_t cvp_fast_winograd_exact_count;
extern atomic_uint_fast64_t cvp_fast_winograd_count;

void cvp_fast_set_winograd_exact(bool on) { atomic_store(&exact_route, on); }

/* The largest |h + l| of a balanced split at s >= 1 of entries at most
 * vmax in magnitude: h = floor((v + 2^(s-1)) / 2^s) and l = v - 2^s h,
 * so |h| <= (vmax >> s) + 1 and -2^(s-1) <= l < 2^(s-1). */
static u128 sum_part_bound(uint64_t vmax, int s)
{
    return ((u128)vmax >> s) + 1 + ((u128)1 << (s - 1));
}

/* The split point s for reductions of `reduction` channels over data at
 * most xmax and kernels at most kmax in magnitude; false when none keeps
 * every product's sums within 2^53 and 576 times the result within
 * 2^127.  The sum parts bound all three products' operands. */
static bool plan_pass(size_t reduction, uint64_t xmax, uint64_t kmax, int *split)
{
    const u128 limit = (u128)1 << 53;
    /* 576 y: every output a sum of 9 reduction products */
    if (reduction > ((uint64_t)1 << 32) ||
        fast_bound((uint64_t)reduction * 9 * KERNEL_GROWTH, xmax, kmax) >= ((u128)1 << 127))
        return false;
    if (xmax > ((uint64_t)1 << 55) || kmax > ((uint64_t)1 << 52))
        return false;   /* the transforms must fit int64 */
    const uint64_t vmax = xmax * INPUT_GROWTH, umax = kmax * KERNEL_GROWTH;
    for (int s = 1; s < 53; s++) {
        const u128 v = sum_part_bound(vmax, s), u = sum_part_bound(umax, s);
        if (v <= limit && u <= limit && fast_bound(reduction, (uint64_t)v, (uint64_t)u) <= limit) {
            *split = s;
            return true;
        }
    }
    return false;
}

/* The parts of v split at s, as doubles (exact: each below 2^53 by the
 * plan): high, low, and their sum, `stride` entries apart. */
static inline void split_entry(int64_t v, int s, double *out, size_t stride)
{
    const int64_t h = (v + ((int64_t)1 << (s - 1))) >> s;   /* floor */
    const int64_t l = v - h * ((int64_t)1 << s);
    out[0] = (double)h;
    out[stride] = (double)l;
    out[2 * stride] = (double)(h + l);
}

/* The channels of a tile or kernel transformed together: their 3 x 36
 * parts gather in a local buffer and go to (or come from) the 108 part
 * planes in runs of CHUNK entries, rather than one entry at a time from
 * 108 places at once, which defeats the caches' prefetching. */
#define CHUNK 32

/* U[part][pos][out][in] for every kernel of the view, CHUNK kernels
 * (out, in) at a time. */
static void transform_kernels(double *U, const kernel_view *k, const int64_t *base,
                              int shift, int split)
{
    const size_t pairs = k->Cout * k->Cin, part_stride = POS * pairs;
    const size_t chunks = (pairs + CHUNK - 1) / CHUNK;
    FAST_OMP(omp parallel for schedule(static) if (pairs * 64 > FAST_PARALLEL_MIN))
    for (size_t ch = 0; ch < chunks; ch++) {
        const size_t first = ch * CHUNK;
        const size_t width = pairs - first < CHUNK ? pairs - first : CHUNK;
        double parts[PARTS * POS * CHUNK];
        for (size_t qq = 0; qq < width; qq++) {
            const size_t q = first + qq, out = q / k->Cin, in = q % k->Cin;
            const int64_t at = k->offset + (int64_t)out * k->so + (int64_t)in * k->si;
            int64_t gg[9], t[TILE * 3], v[POS];
            for (int u = 0; u < 3; u++)
                for (int w = 0; w < 3; w++)
                    gg[u * 3 + w] = fast_split_coarse(base[at + u * k->su + w * k->sv], shift);
            for (int w = 0; w < 3; w++)
                kernel_1d_exact(t + w, 3, gg + w, 3);             /* columns: 6 x 3 */
            for (int i = 0; i < TILE; i++)
                kernel_1d_exact(v + i * TILE, 1, t + i * 3, 1);   /* rows: 6 x 6 */
            for (int s = 0; s < POS; s++)
                split_entry(v[s], split, parts + s * CHUNK + qq, POS * CHUNK);
        }
        for (int j = 0; j < PARTS; j++)
            for (int s = 0; s < POS; s++)
                memcpy(U + j * part_stride + (size_t)s * pairs + first,
                       parts + (j * POS + s) * CHUNK, width * sizeof *U);
    }
}

/* The coarse tile of input plane `plane` whose corner is (r0, c0) (zero
 * outside the image) into d. */
static inline void load_tile(int64_t d[POS], const plane_job *J, const int64_t *plane,
                             int64_t r0, int64_t c0, int shift)
{
    if (r0 >= 0 && c0 >= 0 && r0 + TILE <= (int64_t)J->H && c0 + TILE <= (int64_t)J->W) {
        const int64_t *at = plane + (size_t)r0 * J->W + (size_t)c0;
        for (int a = 0; a < TILE; a++)
            for (int b = 0; b < TILE; b++)
                d[a * TILE + b] = fast_split_coarse(at[(size_t)a * J->W + (size_t)b], shift);
        return;
    }
    for (int a = 0; a < TILE; a++) {
        const int64_t r = r0 + a;
        const bool row_in = r >= 0 && r < (int64_t)J->H;
        for (int b = 0; b < TILE; b++) {
            const int64_t col = c0 + b;
            d[a * TILE + b] = row_in && col >= 0 && col < (int64_t)J->W
                                  ? fast_split_coarse(plane[(size_t)r * J->W + (size_t)col], shift)
                                  : 0;
        }
    }
}

/* V[part][pos][tile - t0][c] for the tiles t0 .. t0 + nt - 1. */
static void transform_inputs(double *V, const plane_job *J, const int64_t *x,
                             int shift, size_t tiles_w, size_t t0, size_t nt,
                             int split)
{
    const size_t chunks = (J->Cin + CHUNK - 1) / CHUNK, part_stride = POS * nt * J->Cin;
    const size_t work = nt * chunks;
    FAST_OMP(omp parallel for schedule(static) if (work * CHUNK * POS > FAST_PARALLEL_MIN))
    for (size_t q = 0; q < work; q++) {
        const size_t tt = q / chunks, c_first = (q % chunks) * CHUNK, t = t0 + tt;
        const size_t width = J->Cin - c_first < CHUNK ? J->Cin - c_first : CHUNK;
        const int64_t r0 = (int64_t)((t / tiles_w) * OUT) - J->ph;
        const int64_t c0 = (int64_t)((t % tiles_w) * OUT) - J->pw;
        double parts[PARTS * POS * CHUNK];
        for (size_t cc = 0; cc < width; cc++) {
            const int64_t *plane = x + J->x_at + (c_first + cc) * J->H * J->W;
            int64_t d[POS], tmp[POS], u[POS];
            load_tile(d, J, plane, r0, c0, shift);
            for (int b = 0; b < TILE; b++)
                input_1d_exact(tmp + b, TILE, d + b, TILE);          /* columns */
            for (int a = 0; a < TILE; a++)
                input_1d_exact(u + a * TILE, 1, tmp + a * TILE, 1);  /* rows */
            for (int s = 0; s < POS; s++)
                split_entry(u[s], split, parts + s * CHUNK + cc, POS * CHUNK);
        }
        for (int j = 0; j < PARTS; j++)
            for (int s = 0; s < POS; s++)
                memcpy(V + j * part_stride + ((size_t)s * nt + tt) * J->Cin + c_first,
                       parts + (j * POS + s) * CHUNK, width * sizeof *V);
    }
}

/* 9^-1 modulo 2^128, by Newton's iteration x := x (2 - 9 x), which
 * doubles the number of correct low bits (9 * 9 = 1 mod 8: three to
 * start with). */
static u128 inverse_of_9(void)
{
    u128 x = 9;
    for (int i = 0; i < 6; i++)
        x *= 2 - 9 * x;
    return x;
}

/* The outputs of tiles t0 .. t0 + nt - 1 from M[part][pos][tile - t0][o]:
 * y, the exact result, times 2^out_shift into the 128-bit results R. */
static void transform_outputs(i128 *R, const plane_job *J, const double *M,
                              size_t tiles_w, size_t t0, size_t nt,
                              int split, int out_shift)
{
    const size_t chunks = (J->Cout + CHUNK - 1) / CHUNK, part_stride = POS * nt * J->Cout;
    const size_t work = nt * chunks;
    const u128 inv9 = inverse_of_9();
    FAST_OMP(omp parallel for schedule(static) if (work * CHUNK * POS > FAST_PARALLEL_MIN))
    for (size_t q = 0; q < work; q++) {
        const size_t tt = q / chunks, o_first = (q % chunks) * CHUNK, t = t0 + tt;
        const size_t width = J->Cout - o_first < CHUNK ? J->Cout - o_first : CHUNK;
        const size_t r0 = (t / tiles_w) * OUT, c0 = (t % tiles_w) * OUT;
        double parts[PARTS * POS * CHUNK];
        for (int j = 0; j < PARTS; j++)
            for (int s = 0; s < POS; s++)
                memcpy(parts + (j * POS + s) * CHUNK,
                       M + j * part_stride + ((size_t)s * nt + tt) * J->Cout + o_first,
                       width * sizeof *M);
        for (size_t oo = 0; oo < width; oo++) {
            int64_t y[PARTS][OUT * OUT];
            for (int j = 0; j < PARTS; j++) {
                int64_t m[POS], tmp[OUT * TILE];
                /* integers of at most 2^53 (the checks accepted them) */
                for (int s = 0; s < POS; s++)
                    m[s] = (int64_t)parts[(j * POS + s) * CHUNK + oo];
                for (int b = 0; b < TILE; b++)
                    output_1d_exact(tmp + b, TILE, m + b, TILE);          /* 4 x 6 */
                for (int a = 0; a < OUT; a++)
                    output_1d_exact(y[j] + a * OUT, 1, tmp + a * TILE, 1); /* 4 x 4 */
            }
            i128 *plane = R + J->y_at + (o_first + oo) * J->Ho * J->Wo;
            for (int a = 0; a < OUT && r0 + (size_t)a < J->Ho; a++)
                for (int b = 0; b < OUT && c0 + (size_t)b < J->Wo; b++) {
                    const int e = a * OUT + b;
                    /* 576 y modulo 2^128, then exact as a signed value */
                    const i128 mid = (i128)y[2][e] - y[0][e] - y[1][e];
                    const u128 v = ((u128)(i128)y[0][e] << (2 * split)) +
                                   ((u128)mid << split) + (u128)(i128)y[1][e];
                    const i128 by64 = (i128)v >> 6;   /* 576 y / 64 = 9 y exactly */
                    plane[(r0 + (size_t)a) * J->Wo + c0 + (size_t)b] =
                        (i128)(((u128)by64 * inv9) << out_shift);
                }
        }
    }
}

/* M[part][pos] := V[part][pos] U[part][pos]^T (nt x Cout each), side by
 * side on the OpenMP threads, the BLAS on one thread each, each checked
 * with the check vector of its U (cv, made once per group). */
static bool multiply(fast_ctx *ctx, size_t nt, size_t Cin,
                     size_t Cout, const double *V, const double *U, double *M,
                     const fast_shared_check *cv)
{
    bool ok = true;
    const size_t items = PARTS * POS;
    const int saved = fast_blas_single_thread();
    FAST_OMP(omp parallel reduction(&&: ok) if (nt * Cin * Cout > FAST_PARALLEL_MIN))
    {
        fast_ctx local;
        fast_ctx_init(&local, 0);
        FAST_OMP(omp for schedule(dynamic))
        for (size_t i = 0; i < items; i++)   /* i = part * POS + pos */
            ok = ok && fast_gemm_f64_bt_shared(&local, nt, V + i * nt * Cin, Cin,
                                               U + i * Cout * Cin, Cin,
                                               M + i * nt * Cout, Cout, &cv[i]);
    }
    fast_blas_restore_threads(saved);
    if (!ok)
        ctx->check_failed = true;
    return ok;
}

bool fast_winograd_exact_fits(const fast_layer *L, bool backward, uint64_t xmax,
                              uint64_t kmax)
{
    int split;
    return atomic_load(&exact_route) && fast_winograd_layer(L) &&
           plan_pass(backward ? L->Og : L->Cg, xmax, kmax, &split);
}

bool fast_winograd_exact(fast_ctx *ctx, bool backward, const fast_layer *L,
                         const fast_operand *x, int sx, const fast_operand *k,
                         int sk, __int128 *R)
{
    layer_shape S;
    kernel_view kv;
    int64_t group_step;
    winograd_layout(L, backward, &S, &kv, &group_step);
    int split;
    if (!fast_winograd_layer(L) || !plan_pass(S.Cin, x->max >> sx, k->max >> sk, &split))
        return false;
    atomic_fetch_add(&cvp_fast_winograd_count, 1);
    atomic_fetch_add(&cvp_fast_winograd_exact_count, 1);
    const size_t pairs = S.Cin * S.Cout;
    const size_t tiles_w = (S.Wo + OUT - 1) / OUT;
    const size_t tiles = ((S.Ho + OUT - 1) / OUT) * tiles_w;
    const size_t widest = S.Cin > S.Cout ? S.Cin : S.Cout;
    size_t block = fast_block_entries() / (POS * (widest ? widest : 1));
    if (block < 1)
        block = 1;
    if (block > tiles)
        block = tiles;
    double *U = cvp_xmalloc(PARTS * POS * (pairs ? pairs : 1) * sizeof *U);
    double *V = cvp_xmalloc(PARTS * POS * (block ? block : 1) * (S.Cin ? S.Cin : 1) * sizeof *V);
    double *M = cvp_xmalloc(PARTS * POS * (block ? block : 1) * (S.Cout ? S.Cout : 1) * sizeof *M);
    fast_shared_check cv[PARTS * POS];
    bool ok = true;
    for (size_t g = 0; ok && g < S.G; g++) {
        transform_kernels(U, &kv, k->v, sk, split);
        fast_shared_checks_make(cv, PARTS * POS, ctx, S.Cout, S.Cin, U, pairs, S.Cin, false);
        for (size_t n = 0; ok && n < S.N; n++) {
            const plane_job J = {NULL, (n * S.G + g) * S.Cin * S.H * S.W, S.Cin, S.H, S.W,
                                 S.ph, S.pw, S.Cout, S.Ho, S.Wo,
                                 NULL, (n * S.G + g) * S.Cout * S.Ho * S.Wo};
            for (size_t t0 = 0; ok && t0 < tiles; t0 += block) {
                const size_t nt = tiles - t0 < block ? tiles - t0 : block;
                transform_inputs(V, &J, x->v, sx, tiles_w, t0, nt, split);
                /* the parts of V are nt x Cin apart here, not block x Cin */
                ok = multiply(ctx, nt, S.Cin, S.Cout, V, U, M, cv);
                if (ok)
                    transform_outputs(R, &J, M, tiles_w, t0, nt, split, sx + sk);
            }
        }
        for (size_t i = 0; i < PARTS * POS; i++)
            fast_shared_check_clear(&cv[i]);
        kv.offset += group_step;
    }
    free(U);
    free(V);
    free(M);
    return ok;
}
