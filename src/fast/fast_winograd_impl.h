/* fast_winograd_impl.h -- the transforms of F(4x4, 3x3), written once and
 * included by fast_winograd.c for each representation.
 *
 * The including file defines:
 *   WT                   the signed integer type of the sums
 *   WN(name)             name with the representation's suffix
 *   WT_LOAD(a, idx)      entry idx of array a, as a WT
 *   WT_STORE(a, idx, v, mod)  stores v reduced by the wide_mod mod
 *   WT_REDUCE(v, mod)    v mod p in [0, p) as uint64_t
 * and the types kernel_view and plane_job.
 *
 * The one-dimensional transforms are in fast_winograd_1d.h. */
#include "fast/fast_winograd_1d.h"

/* V[pos][out][in] := 576^-1 (24 G) g (24 G)^T mod p for every kernel g. */
static void WN(transform_kernels)(void *V, const kernel_view *k, const wide_mod *mod)
{
    const uint64_t p = mod->p;
    const uint64_t inv576 = cvp_powmod_u64(576 % p, p - 2, p);
    const size_t pairs = k->Cout * k->Cin;
    FAST_OMP(omp parallel for schedule(static) if (pairs * 64 > FAST_PARALLEL_MIN))
    for (size_t q = 0; q < pairs; q++) {
        const size_t out = q / k->Cin, in = q % k->Cin;
        const int64_t at = k->offset + (int64_t)out * k->so + (int64_t)in * k->si;
        WT gg[9], t[TILE * 3], v[POS];
        for (int u = 0; u < 3; u++)
            for (int w = 0; w < 3; w++)
                gg[u * 3 + w] = WT_LOAD(k->base, (size_t)(at + u * k->su + w * k->sv));
        for (int w = 0; w < 3; w++)
            WN(kernel_1d)(t + w, 3, gg + w, 3);             /* columns: 6 x 3 */
        for (int i = 0; i < TILE; i++)
            WN(kernel_1d)(v + i * TILE, 1, t + i * 3, 1);   /* rows: 6 x 6 */
        for (int s = 0; s < POS; s++) {
            const uint64_t r = mulmod(WT_REDUCE(v[s], mod), inv576, mod);
            WT_STORE(V, (size_t)s * pairs + q, (WT)r, mod);
        }
    }
}

/* U[pos][tile - t0][c] for the tiles t0 .. t0 + nt - 1. */
static void WN(transform_inputs)(void *U, const plane_job *J, size_t tiles_w,
                                 size_t t0, size_t nt, const wide_mod *mod)
{
    const size_t work = nt * J->Cin;
    FAST_OMP(omp parallel for schedule(static) if (work * POS > FAST_PARALLEL_MIN))
    for (size_t q = 0; q < work; q++) {
        const size_t tt = q / J->Cin, c = q % J->Cin, t = t0 + tt;
        const int64_t r0 = (int64_t)((t / tiles_w) * OUT) - J->ph;
        const int64_t c0 = (int64_t)((t % tiles_w) * OUT) - J->pw;
        const size_t plane = J->x_at + c * J->H * J->W;
        WT d[POS], tmp[POS], u[POS];
        if (r0 >= 0 && c0 >= 0 && r0 + TILE <= (int64_t)J->H && c0 + TILE <= (int64_t)J->W) {
            /* inside the image: no padding to test (most tiles) */
            const size_t at = plane + (size_t)r0 * J->W + (size_t)c0;
            for (int a = 0; a < TILE; a++)
                for (int b = 0; b < TILE; b++)
                    d[a * TILE + b] = WT_LOAD(J->x, at + (size_t)a * J->W + (size_t)b);
        } else {
            for (int a = 0; a < TILE; a++) {
                const int64_t r = r0 + a;
                const bool row_in = r >= 0 && r < (int64_t)J->H;
                for (int b = 0; b < TILE; b++) {
                    const int64_t col = c0 + b;
                    d[a * TILE + b] =
                        row_in && col >= 0 && col < (int64_t)J->W
                            ? WT_LOAD(J->x, plane + (size_t)r * J->W + (size_t)col)
                            : 0;
                }
            }
        }
        for (int b = 0; b < TILE; b++)
            WN(input_1d)(tmp + b, TILE, d + b, TILE);          /* columns */
        for (int a = 0; a < TILE; a++)
            WN(input_1d)(u + a * TILE, 1, tmp + a * TILE, 1);  /* rows */
        for (int s = 0; s < POS; s++)
            WT_STORE(U, ((size_t)s * nt + tt) * J->Cin + c, u[s], mod);
    }
}

/* The outputs of tiles t0 .. t0 + nt - 1 from M[pos][tile - t0][o]. */
static void WN(transform_outputs)(const plane_job *J, const void *M, size_t tiles_w,
                                  size_t t0, size_t nt, const wide_mod *mod)
{
    const size_t work = nt * J->Cout;
    FAST_OMP(omp parallel for schedule(static) if (work * POS > FAST_PARALLEL_MIN))
    for (size_t q = 0; q < work; q++) {
        const size_t tt = q / J->Cout, o = q % J->Cout, t = t0 + tt;
        const size_t r0 = (t / tiles_w) * OUT, c0 = (t % tiles_w) * OUT;
        WT m[POS], tmp[OUT * TILE], y[OUT * OUT];
        for (int s = 0; s < POS; s++)
            m[s] = WT_LOAD(M, ((size_t)s * nt + tt) * J->Cout + o);
        for (int b = 0; b < TILE; b++)
            WN(output_1d)(tmp + b, TILE, m + b, TILE);          /* columns: 4 x 6 */
        for (int a = 0; a < OUT; a++)
            WN(output_1d)(y + a * OUT, 1, tmp + a * TILE, 1);   /* rows: 4 x 4 */
        const size_t plane = J->y_at + o * J->Ho * J->Wo;
        for (int a = 0; a < OUT && r0 + (size_t)a < J->Ho; a++)
            for (int b = 0; b < OUT && c0 + (size_t)b < J->Wo; b++)
                WT_STORE(J->y, plane + (r0 + (size_t)a) * J->Wo + c0 + (size_t)b,
                         y[a * OUT + b], mod);
    }
}
