/* fast_split.c -- exact products of float data with one residue product
 * fewer: the operands split into a coarse part and a sparse remainder.
 *
 * Why: float32 data over one common power of two spans far more bits than
 * a float32 holds (standard normal data: the smallest of millions of
 * samples is near 2^-22 while the largest is near 4), so the scaled
 * integers reach 2^47 and the rounding error of the unchecked float64
 * product of fast_crt_float.c reaches 2^62: three residue products of
 * about 22 bits each to pin it down.  Yet only the few tiny entries need
 * the fine grid.  With a = 2^sa a_hi + a_lo, a_hi = trunc(a / 2^sa) and
 * |a_lo| < 2^sa (and b likewise), the product is
 *
 *     a b = 2^(sa+sb) (a_hi b_hi) + a_lo b + (2^sa a_hi) b_lo,
 *
 * where a_hi b_hi has a bound 2^(sa+sb) times smaller (two residue
 * products suffice), and for float data a_lo and b_lo are zero except at
 * the tiny entries, so the last two terms are sparse products done in
 * exact 128-bit integers by the operation's own `sparse` callback.  The
 * shifts are the smallest that bring the coarse product to two residue
 * products.  When a remainder is not sparse (integer data, say) nothing
 * is gained and the split is not taken.
 *
 * Every term is exact.  The coarse product comes either from an unchecked
 * float64 product and two residue products, like any `offset` product of
 * fast_crt_float.c, and the caller then verifies the whole result against
 * the original operands; or, when the job's residue products are cheap
 * (Winograd's transform, a quarter of a full product each), from residue
 * products alone -- four instead of five at exercise 5-4's layer on float
 * data -- with every product checked and no verification needed. */
#include "fast/fast_internal.h"
#include "kernel/alloc.h"

#include <stdlib.h>
#include <string.h>

/* A remainder denser than this share of its operand's entries makes the
 * split pointless: the sparse products would cost more than a residue
 * product saves. */
#define SPLIT_MAX_SHARE 64   /* 1/64 of the entries */

/* coarse := trunc(v / 2^s), rest := v - 2^s coarse; the count of nonzero
 * rest entries returned.  (The largest |coarse| is max|v| >> s: |trunc(v /
 * 2^s)| = floor(|v| / 2^s) grows with |v|.) */
static size_t split_operand(const int64_t *v, size_t n, int s, int64_t *coarse,
                            int64_t *rest)
{
    size_t nnz = 0;
    FAST_OMP(omp parallel for schedule(static) reduction(+: nnz) if (n > FAST_PARALLEL_MIN))
    for (size_t k = 0; k < n; k++) {
        int64_t x = v[k];
        /* C division truncates towards zero: rest has x's sign */
        int64_t c = s == 0 ? x : x / ((int64_t)1 << s);
        int64_t r = x - c * ((int64_t)1 << s);
        coarse[k] = c;
        rest[k] = r;
        nnz += r != 0;
    }
    return nnz;
}

/* The smallest shifts (sa, sb) that bring the coarse product, whose
 * largest entries are amax >> sa and bmax >> sb, down to at most
 * `target` float64 residue primes (after the unchecked float64 product
 * with `offset`): the primes into m, their count returned; 0 when no
 * shift below 62 bits does. */
static size_t choose_shifts(uint64_t amax, uint64_t bmax, uint64_t L, size_t target,
                            bool offset, int *sa, int *sb, uint64_t m[FAST_CRT_FLOAT_MAX])
{
    int x = 0, y = 0;
    for (;;) {
        unsigned __int128 bound = fast_bound(L, amax >> x, bmax >> y);
        unsigned __int128 near = offset ? fast_crt_offset_bound(bound, L) : bound;
        size_t count = near != 0 ? fast_crt_float_moduli(m, FAST_CRT_FLOAT_MAX, L, near)
                                 : 0;
        if (count != 0 && count <= target) {
            *sa = x;
            *sb = y;
            return count;
        }
        /* shift the operand whose coarse part is larger */
        if ((amax >> x) >= (bmax >> y))
            x++;
        else
            y++;
        if (x > 61 || y > 61)
            return 0;
    }
}

bool fast_split_run(__int128 *r, size_t n, const fast_operand *a,
                    const fast_operand *b, uint64_t reduction, size_t target,
                    bool offset, fast_float_op run_float, fast_sparse_op sparse,
                    const void *job)
{
    int sa, sb;
    uint64_t m[FAST_CRT_FLOAT_MAX];
    size_t count = sparse != NULL && target >= 1
                       ? choose_shifts(a->max, b->max, reduction, target, offset,
                                       &sa, &sb, m)
                       : 0;
    if (count == 0)
        return false;
    int64_t *a_hi = cvp_xmalloc((a->n ? a->n : 1) * sizeof *a_hi);
    int64_t *a_lo = cvp_xmalloc((a->n ? a->n : 1) * sizeof *a_lo);
    int64_t *b_hi = cvp_xmalloc((b->n ? b->n : 1) * sizeof *b_hi);
    int64_t *b_lo = cvp_xmalloc((b->n ? b->n : 1) * sizeof *b_lo);
    fast_operand ah, bh;
    fast_operand_init(&ah);
    fast_operand_init(&bh);
    ah.v = a_hi, ah.n = a->n, ah.max = a->max >> sa, ah.borrowed = true;
    bh.v = b_hi, bh.n = b->n, bh.max = b->max >> sb, bh.borrowed = true;
    size_t nnz_a = split_operand(a->v, a->n, sa, a_hi, a_lo);
    size_t nnz_b = split_operand(b->v, b->n, sb, b_hi, b_lo);
    /* sparse remainders, and coarse parts exact as doubles (the unchecked
     * float64 product reads them) */
    bool ok = nnz_a <= a->n / SPLIT_MAX_SHARE && nnz_b <= b->n / SPLIT_MAX_SHARE
              && (!offset || (ah.max <= ((uint64_t)1 << 53) && bh.max <= ((uint64_t)1 << 53)));
    /* the coarse product: with offset, exact when the unchecked float64
     * product is within its rounding error (the caller's verification
     * decides); without, exact from checked residue products alone */
    ok = ok && fast_crt_float_run(r, n, count, m, &ah, &bh, run_float, job, offset);
    if (ok) {
        /* 2^(sa+sb) a_hi b_hi: below the original bound (< 2^127) when the
         * product is right, and wrapping harmlessly modulo 2^128 when it
         * is not (the verification then rejects it) */
        const int s = sa + sb;
        FAST_OMP(omp parallel for schedule(static) if (n > FAST_PARALLEL_MIN))
        for (size_t k = 0; k < n; k++)
            r[k] = (__int128)((unsigned __int128)r[k] << s);
        /* a_hi in the original units for the last term */
        FAST_OMP(omp parallel for schedule(static) if (a->n > FAST_PARALLEL_MIN))
        for (size_t k = 0; k < a->n; k++)
            a_hi[k] = a->v[k] - a_lo[k];
        ok = sparse(job, r, a_hi, a_lo, nnz_a, b->v, b_lo, nnz_b);
    }
    fast_operand_clear(&ah);
    fast_operand_clear(&bh);
    free(a_hi);
    free(a_lo);
    free(b_hi);
    free(b_lo);
    return ok;
}

/* ---- the sparse products of the forward pass ------------------------------ */

/* r += conv(X_lo, K) + conv(X, K_lo) of the layer (no bias) over 128-bit
 * integers, by the nonzero entries of the remainders X_lo and K_lo
 * (fast_split.c): each output channel o is one task, writing only its own
 * output plane.  Products of two int64 values are below 2^126; sums wrap
 * modulo 2^128 as unsigned (a wrong coarse product is then rejected by
 * the verification rather than overflowing). */
bool fast_split_conv_forward(const fast_layer *L, __int128 *r, const int64_t *X,
                             const int64_t *X_lo, size_t nnz_x, const int64_t *K,
                             const int64_t *K_lo, size_t nnz_k)
{
    typedef unsigned __int128 u128;
    const size_t HW = L->H * L->W, P = L->Ho * L->Wo, taps = L->kH * L->kW;
    /* the nonzero entries of X_lo, in order (n, c, h, w) */
    size_t *at = cvp_xmalloc((nnz_x ? nnz_x : 1) * sizeof *at);
    size_t count = 0;
    for (size_t k = 0; k < L->N * L->C * HW && count < nnz_x; k++)
        if (X_lo[k] != 0)
            at[count++] = k;
    FAST_OMP(omp parallel for schedule(dynamic, 1) if (count + nnz_k > 64))
    for (size_t o = 0; o < L->O; o++) {
        const size_t g = o / L->Og;
        /* conv(X_lo, K): each tiny input entry, through every tap of o */
        for (size_t e = 0; e < count; e++) {
            const size_t k = at[e], n = k / (L->C * HW), c = (k / HW) % L->C;
            if (c / L->Cg != g)
                continue;
            const int64_t h = (int64_t)((k % HW) / L->W), w = (int64_t)(k % L->W);
            const int64_t *kern = K + (o * L->Cg + c % L->Cg) * taps;
            for (size_t u = 0; u < L->kH; u++) {
                int64_t ti = h + L->ph - (int64_t)u * L->dh;
                if (ti < 0 || ti % L->sh != 0 || ti / L->sh >= (int64_t)L->Ho)
                    continue;
                for (size_t v = 0; v < L->kW; v++) {
                    int64_t tj = w + L->pw - (int64_t)v * L->dw;
                    if (tj < 0 || tj % L->sw != 0 || tj / L->sw >= (int64_t)L->Wo)
                        continue;
                    __int128 *y = r + (n * L->O + o) * P
                                  + (size_t)(ti / L->sh) * L->Wo + (size_t)(tj / L->sw);
                    *y = (__int128)((u128)*y + (u128)((__int128)X_lo[k] * kern[u * L->kW + v]));
                }
            }
        }
        /* conv(X, K_lo): each tiny kernel entry of o, at every position */
        for (size_t t = 0; t < L->Cg * taps; t++) {
            const int64_t kv = K_lo[o * L->Cg * taps + t];
            if (kv == 0)
                continue;
            const size_t cg = t / taps, u = (t % taps) / L->kW, v = t % L->kW;
            const size_t c = g * L->Cg + cg;
            for (size_t n = 0; n < L->N; n++) {
                const int64_t *plane = X + (n * L->C + c) * HW;
                __int128 *y = r + (n * L->O + o) * P;
                for (size_t i = 0; i < L->Ho; i++) {
                    int64_t h = (int64_t)i * L->sh + (int64_t)u * L->dh - L->ph;
                    if (h < 0 || h >= (int64_t)L->H)
                        continue;
                    for (size_t j = 0; j < L->Wo; j++) {
                        int64_t w = (int64_t)j * L->sw + (int64_t)v * L->dw - L->pw;
                        if (w < 0 || w >= (int64_t)L->W)
                            continue;
                        __int128 *yy = y + i * L->Wo + j;
                        *yy = (__int128)((u128)*yy + (u128)((__int128)plane[(size_t)h * L->W + (size_t)w] * kv));
                    }
                }
            }
        }
    }
    free(at);
    return true;
}
