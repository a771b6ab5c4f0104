/* fast_split.c -- exact products of float data with fewer or cheaper
 * products: the operands split into a coarse part and a sparse remainder.
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
 *     a b = 2^(sa+sb) (a_hi b_hi) + a_lo (2^sb b_hi) + a b_lo,
 *
 * where a_hi b_hi has a bound 2^(sa+sb) times smaller, and for float data
 * a_lo and b_lo are zero except at the tiny entries, so the last two terms
 * are sparse products done in exact 128-bit integers by the operation's
 * own `sparse` callback.  When a remainder is not sparse (integer data,
 * say) nothing is gained and the split is not taken.
 *
 * Every term is exact.  The coarse product comes from the job's exact
 * pass when it has one within reach (Winograd's layers,
 * fast_winograd_exact.c: the smallest shifts that bring the coarse parts
 * within it; the pass reads them through the shifts, so no coarse copies
 * are made); or from an unchecked float64 product and two residue
 * products, like any `offset` product of fast_crt_float.c, and the caller
 * then verifies the whole result against the original operands; or, when
 * the job's residue products are cheap (Winograd's transform with the
 * exact pass off), from residue products alone -- four instead of five at
 * exercise 5-4's layer on float data -- with every product checked and no
 * verification needed.  The shifts are then the smallest that bring the
 * coarse product to that many residue products. */
#include "fast/fast_internal.h"
#include "kernel/alloc.h"

#include <stdlib.h>
#include <string.h>

/* A remainder denser than this share of its operand's entries makes the
 * split pointless: the sparse products would cost more than a residue
 * product saves. */
#define SPLIT_MAX_SHARE 64   /* 1/64 of the entries */

/* coarse := trunc(v / 2^s) (when coarse is not NULL); the count of
 * nonzero remainders v - 2^s trunc(v / 2^s) returned.  (The largest
 * |coarse| is max|v| >> s: |trunc(v / 2^s)| = floor(|v| / 2^s) grows with
 * |v|.) */
static size_t split_operand(const int64_t *v, size_t n, int s, int64_t *coarse)
{
    /* v is a multiple of 2^s exactly when its low s bits are zero (two's
     * complement, either sign); without the copy, a loop the compiler
     * vectorises */
    const uint64_t low = s == 0 ? 0 : (((uint64_t)1 << s) - 1);
    size_t nnz = 0;
    if (coarse != NULL) {
        FAST_OMP(omp parallel for schedule(static) reduction(+: nnz) if (n > FAST_PARALLEL_MIN))
        for (size_t k = 0; k < n; k++) {
            coarse[k] = fast_split_coarse(v[k], s);
            nnz += ((uint64_t)v[k] & low) != 0;
        }
        return nnz;
    }
    FAST_OMP(omp parallel for schedule(static) reduction(+: nnz) if (n > FAST_PARALLEL_MIN))
    for (size_t k = 0; k < n; k++)
        nnz += ((uint64_t)v[k] & low) != 0;
    return nnz;
}

/* One step of the walk over the shifts (x, y) of the two operands, whose
 * largest entries are amax and bmax: the operand whose coarse part is
 * larger loses one more bit.  False once a shift passes 61 bits. */
static bool shift_larger(uint64_t amax, uint64_t bmax, int *x, int *y)
{
    if ((amax >> *x) >= (bmax >> *y))
        ++*x;
    else
        ++*y;
    return *x <= 61 && *y <= 61;
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
        if (!shift_larger(amax, bmax, &x, &y))
            return 0;
    }
}

/* How the coarse parts' product is computed: residue primes (m, count,
 * offset) through run_float, or the job's exact pass. */
typedef struct {
    const uint64_t *m;
    size_t count;
    bool offset;
    fast_float_op run_float;
    const fast_exact_op *exact;
} coarse_product;

/* The split at shifts (sa, sb): r := 2^(sa+sb) (a_hi b_hi) by `coarse`,
 * plus the remainders' products by `sparse`.  The exact pass reads the
 * coarse parts through the shifts; the residues need them as arrays. */
static bool run_split(__int128 *r, size_t n, const fast_operand *a,
                      const fast_operand *b, int sa, int sb,
                      const coarse_product *coarse, fast_sparse_op sparse,
                      const void *job)
{
    const bool arrays = coarse->exact == NULL;
    int64_t *a_hi = arrays ? cvp_xmalloc((a->n ? a->n : 1) * sizeof *a_hi) : NULL;
    int64_t *b_hi = arrays ? cvp_xmalloc((b->n ? b->n : 1) * sizeof *b_hi) : NULL;
    fast_operand ah, bh;
    fast_operand_init(&ah);
    fast_operand_init(&bh);
    ah.v = a_hi, ah.n = a->n, ah.max = a->max >> sa, ah.borrowed = true;
    bh.v = b_hi, bh.n = b->n, bh.max = b->max >> sb, bh.borrowed = true;
    size_t nnz_a = split_operand(a->v, a->n, sa, a_hi);
    size_t nnz_b = split_operand(b->v, b->n, sb, b_hi);
    /* sparse remainders, and coarse parts exact as doubles (the unchecked
     * float64 product reads them) */
    bool ok = nnz_a <= a->n / SPLIT_MAX_SHARE && nnz_b <= b->n / SPLIT_MAX_SHARE
              && (!coarse->offset || (ah.max <= ((uint64_t)1 << 53) && bh.max <= ((uint64_t)1 << 53)));
    /* the coarse product: with offset, exact when the unchecked float64
     * product is within its rounding error (the caller's verification
     * decides); without, exact from checked products alone */
    if (ok && !arrays)
        ok = coarse->exact->run(job, a, sa, b, sb, r);
    else if (ok)
        ok = fast_crt_float_run(r, n, coarse->count, coarse->m, &ah, &bh,
                                coarse->run_float, job, coarse->offset);
    if (ok && arrays) {
        /* 2^(sa+sb) a_hi b_hi (the exact pass has scaled its own): below
         * the original bound (< 2^127) when the product is right, and
         * wrapping harmlessly modulo 2^128 when it is not (the
         * verification then rejects it) */
        const int s = sa + sb;
        FAST_OMP(omp parallel for schedule(static) if (n > FAST_PARALLEL_MIN))
        for (size_t k = 0; k < n; k++)
            r[k] = (__int128)((unsigned __int128)r[k] << s);
    }
    if (ok)
        ok = sparse(job, r, a->v, sa, nnz_a, b->v, sb);
    fast_operand_clear(&ah);
    fast_operand_clear(&bh);
    free(a_hi);
    free(b_hi);
    return ok;
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
    const coarse_product coarse = {m, count, offset, run_float, NULL};
    return run_split(r, n, a, b, sa, sb, &coarse, sparse, job);
}

bool fast_split_run_exact(__int128 *r, size_t n, const fast_operand *a,
                          const fast_operand *b, const fast_exact_op *exact,
                          fast_sparse_op sparse, const void *job)
{
    if (sparse == NULL)
        return false;
    /* the smallest shifts, walked as choose_shifts does */
    int sa = 0, sb = 0;
    while (!exact->fits(job, a->max >> sa, b->max >> sb))
        if (!shift_larger(a->max, b->max, &sa, &sb))
            return false;
    const coarse_product coarse = {NULL, 0, false, NULL, exact};
    return run_split(r, n, a, b, sa, sb, &coarse, sparse, job);
}

/* ---- the sparse products of the forward pass ------------------------------ */

/* r += conv(X_lo, K_hi) + conv(X, K_lo) of the layer (no bias) over
 * 128-bit integers, where X_lo = X - 2^sx trunc(X / 2^sx), K_lo likewise
 * with sk and K_hi = K - K_lo: by the nonzero entries of the remainders,
 * each output channel o one task writing only its own output plane.
 * Products of two int64 values are below 2^126; sums wrap modulo 2^128
 * as unsigned (a wrong coarse product is then rejected by the
 * verification rather than overflowing). */
bool fast_split_conv_forward(const fast_layer *L, __int128 *r, const int64_t *X,
                             int sx, size_t nnz_x, const int64_t *K, int sk)
{
    typedef unsigned __int128 u128;
    const size_t HW = L->H * L->W, P = L->Ho * L->Wo, taps = L->kH * L->kW;
    const size_t nx = L->N * L->C * HW;
    /* the nonzero entries of X_lo, and the taps and outputs each reaches
     * (at most `taps`), worked out once rather than once per output
     * channel */
    typedef struct {
        size_t n, c, first, hits;   /* its hits: reach[first .. first+hits) */
        int64_t lo;
    } tiny_entry;
    typedef struct {
        size_t tap, out;            /* u kW + v, and i Wo + j */
    } reach_entry;
    const size_t count = nnz_x;
    tiny_entry *at = cvp_xmalloc((count ? count : 1) * sizeof *at);
    reach_entry *reach = cvp_xmalloc((count ? count : 1) * (taps ? taps : 1) * sizeof *reach);
    /* found side by side, each taking the next slot: the order of the
     * list does not matter, as the sums are exact */
    size_t used = 0;
    FAST_OMP(omp parallel for schedule(static) if (nx > FAST_PARALLEL_MIN))
    for (size_t k = 0; k < nx; k++) {
        const int64_t lo = fast_split_rest(X[k], sx);
        if (lo == 0)
            continue;
        size_t slot;
        FAST_OMP(omp atomic capture)
        slot = used++;
        CVP_ASSERT(slot < count);   /* nnz_x counted them */
        const int64_t h = (int64_t)((k % HW) / L->W), w = (int64_t)(k % L->W);
        tiny_entry *t = &at[slot];
        *t = (tiny_entry){k / (L->C * HW), (k / HW) % L->C, slot * taps, 0, lo};
        for (size_t u = 0; u < L->kH; u++) {
            int64_t ti = h + L->ph - (int64_t)u * L->dh;
            if (ti < 0 || ti % L->sh != 0 || ti / L->sh >= (int64_t)L->Ho)
                continue;
            for (size_t v = 0; v < L->kW; v++) {
                int64_t tj = w + L->pw - (int64_t)v * L->dw;
                if (tj < 0 || tj % L->sw != 0 || tj / L->sw >= (int64_t)L->Wo)
                    continue;
                reach[t->first + t->hits++] =
                    (reach_entry){u * L->kW + v,
                                  (size_t)(ti / L->sh) * L->Wo + (size_t)(tj / L->sw)};
            }
        }
    }
    CVP_ASSERT(used == count);
    FAST_OMP(omp parallel for schedule(dynamic, 1) if (L->O > 1 && L->O * (count + 1) > 64))
    for (size_t o = 0; o < L->O; o++) {
        const size_t g = o / L->Og;
        /* conv(X_lo, K_hi): each tiny input entry, through every tap of o */
        for (size_t e = 0; e < count; e++) {
            const tiny_entry *t = &at[e];
            if (t->c / L->Cg != g)
                continue;
            const int64_t *kern = K + (o * L->Cg + t->c % L->Cg) * taps;
            __int128 *y = r + (t->n * L->O + o) * P;
            for (size_t q = t->first; q < t->first + t->hits; q++) {
                const int64_t kv = kern[reach[q].tap];
                const int64_t k_hi = kv - fast_split_rest(kv, sk);
                y[reach[q].out] = (__int128)((u128)y[reach[q].out] + (u128)((__int128)t->lo * k_hi));
            }
        }
        /* conv(X, K_lo): each tiny kernel entry of o, at every position */
        for (size_t t = 0; t < L->Cg * taps; t++) {
            const int64_t kv = fast_split_rest(K[o * L->Cg * taps + t], sk);
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
    free(reach);
    return true;
}
