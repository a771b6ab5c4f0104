/* fast_height.c -- conv2d, its backward passes and matmul in the height
 * semiring when every operand is uniform and has no denominator (see
 * fast.h).
 *
 * The `random` method bounds the coefficients of a claim's difference by
 * evaluating it in the height semiring (kernel/ring_height.h: an element
 * (a, b) stands for P / B with ||P||_1 <= 2^a, B <= 2^b).  Through the
 * definitional operators, an output entry of a linear layer is a chain
 * of sums, one semiring operation per multiply-add: at W1's size
 * (exercise 5-4's 3x3 layer) that is 5.9 billion operations, two minutes
 * for a bound that takes no arithmetic.
 *
 * When both operands are uniform with no denominator (every entry (a, 0),
 * resp. (b, 0): the declared tensors of a claim, which are variables
 * (0, 0)), an output entry is a sum of n products, each a polynomial P_i
 * with ||P_i||_1 <= 2^a 2^b, so ||sum P_i||_1 <= n 2^(a+b) <= 2^(a + b +
 * ceil(log2 n)), with no denominator: a valid element, and tighter than
 * the chain's (a + b + n - 1).  n = 0 gives the zero.  n, the number of
 * products that reach an entry, depends on the entry's spatial position
 * and is the same for every batch item and channel: it is read off the
 * definitional operator itself, run over Q on one image and one channel
 * filled with ones (the count of taps), then multiplied by the channels
 * (forward: C/groups; backward to the input: O/groups) or the batch
 * (backward to the weights) summed over.  A bias is added by the
 * semiring's own sum.  Anything else returns false and the caller uses
 * the definitional operator; tests/test_fast_height.c checks every bound
 * against the true coefficients, computed in the polynomial ring. */
#include "fast/fast_internal.h"

#include <stdlib.h>
#include <string.h>

#include "kernel/conv2d_backward.h"
#include "kernel/ring_height.h"

/* Bounds far below CVP_HEIGHT_MAX only: the definitional operator is the
 * one that records a saturation. */
#define HEIGHT_FAST_MAX (CVP_HEIGHT_MAX / 4)

bool fast_is_height_ring(const cvp_ring *R)
{
    return !R->shape_only && strcmp(R->name, "height") == 0;
}

/* True when every entry of t (a height tensor) is the same (a, 0); *a is
 * that a (CVP_HEIGHT_ZERO for the zero, and for an empty tensor). */
static bool uniform_integral(const cvp_tensor_struct *t, int64_t *a)
{
    *a = CVP_HEIGHT_ZERO;
    if (t->size == 0)
        return true;
    const cvp_height *h = (const cvp_height *)t->data;
    if (h[0].num_bits != CVP_HEIGHT_ZERO && h[0].den_bits != 0)
        return false;
    for (size_t k = 1; k < t->size; k++)
        if (h[k].num_bits != h[0].num_bits || h[k].den_bits != h[0].den_bits)
            return false;
    *a = h[0].num_bits;
    return true;
}

/* ceil(log2 n) for n >= 1. */
static int64_t ceil_log2(unsigned long long n)
{
    int64_t e = 0;
    while (e < 64 && (1ULL << e) < n)
        e++;
    return e;
}

/* t (over Q) := a tensor of the given shape whose entries are all v. */
static bool fill_q(cvp_tensor_t t, int rank, const size_t *shape, long v)
{
    if (cvp_tensor_resize(t, rank, shape, NULL) != CVP_OK)
        return false;
    for (size_t k = 0; k < t->size; k++)
        mpq_set_si(cvp_tensor_at(t, k), v, 1);
    return true;
}

typedef enum { H_FORWARD, H_BACKWARD_INPUT, H_BACKWARD_WEIGHT } height_op;

/* counts (over Q, one plane) := the taps reaching each entry of op's
 * result on one image and one channel; *factor := the channels or batch
 * items every tap is repeated over. */
static bool count_plane(cvp_tensor_t counts, size_t *factor, height_op op,
                        const cvp_conv2d_dims *d, const cvp_conv2d_params *p)
{
    const int rank = d->batched ? 4 : 3;
    cvp_conv2d_params q = *p;
    q.groups = 1;
    size_t xs4[4] = {1, 1, d->H, d->W}, gs4[4] = {1, 1, d->Ho, d->Wo};
    const size_t *xs = d->batched ? xs4 : xs4 + 1, *gs = d->batched ? gs4 : gs4 + 1;
    const size_t ks[4] = {1, 1, d->kH, d->kW};
    cvp_tensor_t X, K, G;
    cvp_tensor_init(X);
    cvp_tensor_init(K);
    cvp_tensor_init(G);
    bool ok;
    switch (op) {
    case H_FORWARD:
        *factor = d->Cg;
        ok = fill_q(X, rank, xs, 1) && fill_q(K, 4, ks, 1) &&
             cvp_conv2d(counts, X, K, NULL, &q, NULL) == CVP_OK;
        break;
    case H_BACKWARD_INPUT:
        *factor = d->O / p->groups;
        ok = fill_q(X, rank, xs, 0) && fill_q(K, 4, ks, 1) && fill_q(G, rank, gs, 1) &&
             cvp_conv2d_backward_input(counts, X, K, G, &q, NULL) == CVP_OK;
        break;
    case H_BACKWARD_WEIGHT:
        *factor = d->batched ? d->N : 1;
        ok = fill_q(X, rank, xs, 1) && fill_q(K, 4, ks, 0) && fill_q(G, rank, gs, 1) &&
             cvp_conv2d_backward_weight(counts, X, K, G, &q, NULL) == CVP_OK;
        break;
    default:
        ok = false;
    }
    cvp_tensor_clear(X);
    cvp_tensor_clear(K);
    cvp_tensor_clear(G);
    return ok;
}

/* out (ring R, `shape`) := every plane (the last two axes) the bound of
 * counts[k] * factor products of heights a + b, each copy then summed
 * with bias[(copy index) % O] by the semiring when bias is given. */
static bool spread(cvp_tensor_t out, cvp_ring *R, int rank, const size_t *shape,
                   const cvp_tensor_t counts, size_t factor, int64_t ab,
                   const cvp_tensor_struct *bias, size_t O)
{
    const size_t P = shape[rank - 2] * shape[rank - 1];
    if (counts->size != P || P == 0)
        return false;
    cvp_height *plane = malloc(P * sizeof *plane);
    if (plane == NULL)
        return false;
    bool ok = true;
    for (size_t k = 0; k < P && ok; k++) {
        mpq_srcptr c = cvp_tensor_at_const(counts, k);
        /* a count of taps: a natural number below 2^40 (sizes are capped) */
        ok = mpz_cmp_ui(mpq_denref(c), 1) == 0 && mpz_sgn(mpq_numref(c)) >= 0 &&
             mpz_fits_ulong_p(mpq_numref(c));
        unsigned long long n = ok ? mpz_get_ui(mpq_numref(c)) : 0;
        ok = ok && (n == 0 || factor <= ~0ULL / n);
        if (!ok)
            break;
        n *= factor;
        if (n == 0 || ab == CVP_HEIGHT_ZERO) {
            plane[k] = (cvp_height){CVP_HEIGHT_ZERO, 0};
        } else {
            int64_t bits = ab + ceil_log2(n);
            ok = bits <= HEIGHT_FAST_MAX;
            plane[k] = (cvp_height){bits, 0};
        }
    }
    cvp_tensor_t Y;
    cvp_tensor_init_ring(Y, R);
    ok = ok && cvp_tensor_resize(Y, rank, shape, NULL) == CVP_OK;
    if (ok) {
        cvp_height *y = (cvp_height *)Y->data;
        const cvp_height *b = bias != NULL ? (const cvp_height *)bias->data : NULL;
        for (size_t k = 0; k < Y->size; k++) {
            y[k] = plane[k % P];
            if (b != NULL)
                R->add(R, &y[k], &y[k], &b[(k / P) % O]);
        }
        cvp_tensor_swap(out, Y);
    }
    cvp_tensor_clear(Y);
    free(plane);
    return ok;
}

/* Runs op when A and B are uniform without denominators. */
static bool run_uniform(cvp_tensor_t out, height_op op, const cvp_conv2d_dims *d,
                        const cvp_conv2d_params *p, const cvp_tensor_t A,
                        const cvp_tensor_t B, const cvp_tensor_struct *bias,
                        int rank, const size_t *shape)
{
    int64_t a, b;
    if (!fast_is_height_ring(A->ring) || B->ring != A->ring ||
        (bias != NULL && bias->ring != A->ring) || !uniform_integral(A, &a) ||
        !uniform_integral(B, &b) || a > HEIGHT_FAST_MAX || b > HEIGHT_FAST_MAX)
        return false;
    int64_t ab = (a == CVP_HEIGHT_ZERO || b == CVP_HEIGHT_ZERO) ? CVP_HEIGHT_ZERO : a + b;
    cvp_tensor_t counts;
    cvp_tensor_init(counts);
    size_t factor = 0;
    bool ok = count_plane(counts, &factor, op, d, p) &&
              spread(out, A->ring, rank, shape, counts, factor, ab, bias, d->O);
    cvp_tensor_clear(counts);
    return ok;
}

bool fast_height_conv2d(cvp_tensor_t out, const cvp_conv2d_dims *d,
                        const cvp_conv2d_params *p, const cvp_tensor_t X,
                        const cvp_tensor_t K, const cvp_tensor_struct *bias)
{
    size_t shape[4] = {d->N, d->O, d->Ho, d->Wo};
    const int rank = d->batched ? 4 : 3;
    if (!run_uniform(out, H_FORWARD, d, p, X, K, bias, rank,
                     d->batched ? shape : shape + 1))
        return false;
    cvp_ring_note_mults(X->ring, 7,
                        (size_t[]){d->N, d->O, d->Ho, d->Wo, d->Cg, d->kH, d->kW});
    return true;
}

bool fast_height_conv2d_backward_input(cvp_tensor_t out, const cvp_conv2d_dims *d,
                                       const cvp_conv2d_params *p,
                                       const cvp_tensor_t X, const cvp_tensor_t K,
                                       const cvp_tensor_t G)
{
    return X->ring == K->ring &&
           run_uniform(out, H_BACKWARD_INPUT, d, p, K, G, NULL, X->rank, X->shape);
}

bool fast_height_conv2d_backward_weight(cvp_tensor_t out, const cvp_conv2d_dims *d,
                                        const cvp_conv2d_params *p,
                                        const cvp_tensor_t X, const cvp_tensor_t K,
                                        const cvp_tensor_t G)
{
    return X->ring == K->ring &&
           run_uniform(out, H_BACKWARD_WEIGHT, d, p, X, G, NULL, K->rank, K->shape);
}

bool fast_height_matmul(cvp_tensor_t out, const cvp_tensor_t A, const cvp_tensor_t B)
{
    int64_t a, b;
    if (!fast_is_height_ring(A->ring) || B->ring != A->ring ||
        !uniform_integral(A, &a) || !uniform_integral(B, &b) ||
        a > HEIGHT_FAST_MAX || b > HEIGHT_FAST_MAX)
        return false;
    const size_t m = A->shape[0], k = A->shape[1], n = B->shape[1];
    /* Every entry is a sum of k products of heights a + b. */
    cvp_height v = {CVP_HEIGHT_ZERO, 0};
    if (k > 0 && a != CVP_HEIGHT_ZERO && b != CVP_HEIGHT_ZERO)
        v.num_bits = a + b + ceil_log2(k);
    cvp_tensor_t Y;
    cvp_tensor_init_ring(Y, A->ring);
    bool ok = cvp_tensor_resize(Y, 2, (size_t[]){m, n}, NULL) == CVP_OK;
    if (ok) {
        cvp_height *y = (cvp_height *)Y->data;
        for (size_t j = 0; j < Y->size; j++)
            y[j] = v;
        cvp_tensor_swap(out, Y);
        cvp_ring_note_mults(A->ring, 3, (size_t[]){m, k, n});
    }
    cvp_tensor_clear(Y);
    return ok;
}

cvp_status cvp_fast_sum_all(cvp_tensor_t out, const cvp_tensor_t X, cvp_error *err)
{
    if (!cvp_fast_enabled() || !fast_is_height_ring(X->ring))
        return cvp_tensor_sum_all(out, X, err);
    /* sum P_i with ||P_i||_1 <= 2^a_i <= 2^m: ||sum||_1 <= n 2^m */
    const cvp_height *h = (const cvp_height *)X->data;
    int64_t most = CVP_HEIGHT_ZERO;
    unsigned long long n = 0;
    for (size_t k = 0; k < X->size; k++) {
        if (h[k].num_bits == CVP_HEIGHT_ZERO)
            continue;
        if (h[k].den_bits != 0 || h[k].num_bits > HEIGHT_FAST_MAX)
            return cvp_tensor_sum_all(out, X, err);
        n++;
        if (h[k].num_bits > most)
            most = h[k].num_bits;
    }
    cvp_height v = {CVP_HEIGHT_ZERO, 0};
    if (n > 0)
        v.num_bits = most + ceil_log2(n);
    cvp_tensor_t Y;
    cvp_tensor_init_ring(Y, X->ring);
    cvp_status st = cvp_tensor_resize(Y, 0, NULL, err);
    if (st == CVP_OK) {
        *(cvp_height *)Y->data = v;
        cvp_tensor_swap(out, Y);
    }
    cvp_tensor_clear(Y);
    return st;
}
