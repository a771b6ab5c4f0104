/* fast_degree.c -- conv2d, its backward passes and matmul in the degree
 * semiring when every operand is uniform (see fast.h).
 *
 * The `random` method first evaluates both sides of a claim in the degree
 * semiring (kernel/ring_small.h: sums take the maximum, products add,
 * CVP_DEGREE_ZERO is the zero) to bound the degree for Schwartz-Zippel.
 * There the tensors of a claim are nearly always uniform: every entry of
 * a declared tensor is a variable (degree 1), and a linear layer of
 * uniform operands is uniform except where its window sees only padding.
 *
 * When both operands are uniform (every entry the same degree a, resp.
 * b), an entry of the result is the maximum of a + b over the products
 * that reach it, and ZERO when none does.  Which products reach an entry
 * depends only on its spatial position (forward: output pixel; backward
 * input: input pixel; backward weight: kernel tap) and not on the batch
 * or channel, as long as every channel count involved is at least one.
 * So the definitional operator evaluated on the same layer with one image
 * and one channel (same spatial sizes, stride, padding, dilation) gives
 * one plane that is exactly every plane of the full result; it is then
 * copied across batch and channels (and the bias, if any, added, which in
 * this semiring is a maximum).  The cost is that of one plane instead of
 * N*O*Cg*kH*kW products per output pixel.
 *
 * The small evaluation runs in a private degree ring so that its modelled
 * multiplications are not counted; the counts of the full operation are
 * noted on the caller's ring exactly as the definitional operator notes
 * them.  Any other case returns false and the caller uses the
 * definitional operator. */
#include "fast/fast_internal.h"

#include <string.h>

#include "kernel/conv2d_backward.h"
#include "kernel/ring_small.h"

bool fast_is_degree_ring(const cvp_ring *R)
{
    return !R->shape_only && strcmp(R->name, "degree") == 0;
}

/* True when every entry of t (a degree tensor) is the same; *value is
 * that degree (ZERO for an empty tensor: it contributes no product). */
static bool uniform(const cvp_tensor_struct *t, long *value)
{
    *value = CVP_DEGREE_ZERO;
    if (t->size == 0)
        return true;
    const long *d = (const long *)t->data;
    for (size_t k = 1; k < t->size; k++)
        if (d[k] != d[0])
            return false;
    *value = d[0];
    return true;
}

static size_t at_most_one(size_t n) { return n < 1 ? n : 1; }

/* t (in ring D) := a tensor of the given shape whose entries are all d. */
static bool fill(cvp_tensor_t t, int rank, const size_t *shape, long d)
{
    if (cvp_tensor_resize(t, rank, shape, NULL) != CVP_OK)
        return false;
    long *v = (long *)t->data;
    for (size_t k = 0; k < t->size; k++)
        v[k] = d;
    return true;
}

/* out (ring R, given shape) := plane repeated across everything but the
 * last two axes, each copy raised to at least bias[(copy index) % O]
 * when bias is given. */
static bool broadcast(cvp_tensor_t out, cvp_ring *R, int rank,
                      const size_t *shape, const cvp_tensor_t plane,
                      const cvp_tensor_struct *bias, size_t O)
{
    cvp_tensor_t Y;
    cvp_tensor_init_ring(Y, R);
    if (cvp_tensor_resize(Y, rank, shape, NULL) != CVP_OK) {
        cvp_tensor_clear(Y);
        return false;
    }
    const size_t P = shape[rank - 2] * shape[rank - 1];
    const long *src = (const long *)plane->data;
    const long *b = bias != NULL ? (const long *)bias->data : NULL;
    long *y = (long *)Y->data;
    FAST_OMP(omp parallel for schedule(static) if (Y->size > FAST_PARALLEL_MIN))
    for (size_t k = 0; k < Y->size; k++) {
        long v = src[k % P];
        if (b != NULL && b[(k / P) % O] > v)
            v = b[(k / P) % O];
        y[k] = v;
    }
    cvp_tensor_swap(out, Y);
    cvp_tensor_clear(Y);
    return true;
}

/* The reduced layer's shape of an image tensor: batch and channel counts
 * cut to at most one. */
static void reduced_image(size_t *shape, const cvp_conv2d_dims *d, size_t N,
                          size_t C, size_t H, size_t W)
{
    size_t full[4] = {at_most_one(N), at_most_one(C), H, W};
    memcpy(shape, d->batched ? full : full + 1, (d->batched ? 4 : 3) * sizeof *shape);
}

typedef enum { DEG_FORWARD, DEG_BACKWARD_INPUT, DEG_BACKWARD_WEIGHT } deg_op;

/* The one-plane evaluation of op on uniform operands of degrees a (X or
 * K: the first operand) and b (K or G), into plane (ring D). */
static bool reduced_plane(cvp_tensor_t plane, deg_op op, cvp_ring *D,
                          const cvp_conv2d_dims *d,
                          const cvp_conv2d_params *p, long a, long b)
{
    const int rank = d->batched ? 4 : 3;
    cvp_conv2d_params q = *p;
    q.groups = 1;
    size_t xs[4], gs[4];
    reduced_image(xs, d, d->N, d->Cg, d->H, d->W);
    reduced_image(gs, d, d->N, d->O / p->groups, d->Ho, d->Wo);
    const size_t ks[4] = {at_most_one(d->O / p->groups), at_most_one(d->Cg), d->kH,
                          d->kW};
    cvp_tensor_t X, K, G;
    cvp_tensor_init_ring(X, D);
    cvp_tensor_init_ring(K, D);
    cvp_tensor_init_ring(G, D);
    bool ok;
    switch (op) {
    case DEG_FORWARD:
        ok = fill(X, rank, xs, a) && fill(K, 4, ks, b) &&
             cvp_conv2d(plane, X, K, NULL, &q, NULL) == CVP_OK;
        break;
    case DEG_BACKWARD_INPUT:
        ok = fill(X, rank, xs, CVP_DEGREE_ZERO) && fill(K, 4, ks, a) &&
             fill(G, rank, gs, b) &&
             cvp_conv2d_backward_input(plane, X, K, G, &q, NULL) == CVP_OK;
        break;
    case DEG_BACKWARD_WEIGHT:
        ok = fill(X, rank, xs, a) && fill(K, 4, ks, CVP_DEGREE_ZERO) &&
             fill(G, rank, gs, b) &&
             cvp_conv2d_backward_weight(plane, X, K, G, &q, NULL) == CVP_OK;
        break;
    default:
        ok = false;
    }
    cvp_tensor_clear(X);
    cvp_tensor_clear(K);
    cvp_tensor_clear(G);
    return ok;
}

/* Runs op when both operands are uniform: out gets `shape` (rank `rank`),
 * every plane (the last two axes) equal to the reduced layer's. */
static bool run_uniform(cvp_tensor_t out, deg_op op, const cvp_conv2d_dims *d,
                        const cvp_conv2d_params *p, const cvp_tensor_t A,
                        const cvp_tensor_t B, const cvp_tensor_struct *bias,
                        int rank, const size_t *shape)
{
    long a, b;
    if (!fast_is_degree_ring(A->ring) || B->ring != A->ring ||
        (bias != NULL && bias->ring != A->ring) || !uniform(A, &a) ||
        !uniform(B, &b))
        return false;
    cvp_ring D;
    cvp_ring_degree_init(&D);
    cvp_tensor_t plane;
    cvp_tensor_init_ring(plane, &D);
    bool ok = reduced_plane(plane, op, &D, d, p, a, b);
    /* An empty reduced layer (a zero count) gives an empty result, which
     * broadcast cannot index: only non-empty planes are copied. */
    ok = ok && plane->size > 0 && plane->size == shape[rank - 2] * shape[rank - 1];
    ok = ok && broadcast(out, A->ring, rank, shape, plane, bias, d->O);
    cvp_tensor_clear(plane);
    cvp_ring_degree_clear(&D);
    return ok;
}

bool fast_degree_conv2d(cvp_tensor_t out, const cvp_conv2d_dims *d,
                        const cvp_conv2d_params *p, const cvp_tensor_t X,
                        const cvp_tensor_t K, const cvp_tensor_struct *bias)
{
    size_t shape[4] = {d->N, d->O, d->Ho, d->Wo};
    const int rank = d->batched ? 4 : 3;
    if (!run_uniform(out, DEG_FORWARD, d, p, X, K, bias, rank,
                     d->batched ? shape : shape + 1))
        return false;
    cvp_ring_note_mults(X->ring, 7,
                        (size_t[]){d->N, d->O, d->Ho, d->Wo, d->Cg, d->kH, d->kW});
    return true;
}

bool fast_degree_conv2d_backward_input(cvp_tensor_t out, const cvp_conv2d_dims *d,
                                       const cvp_conv2d_params *p,
                                       const cvp_tensor_t X, const cvp_tensor_t K,
                                       const cvp_tensor_t G)
{
    return X->ring == K->ring &&
           run_uniform(out, DEG_BACKWARD_INPUT, d, p, K, G, NULL, X->rank, X->shape);
}

bool fast_degree_conv2d_backward_weight(cvp_tensor_t out, const cvp_conv2d_dims *d,
                                        const cvp_conv2d_params *p,
                                        const cvp_tensor_t X, const cvp_tensor_t K,
                                        const cvp_tensor_t G)
{
    return X->ring == K->ring &&
           run_uniform(out, DEG_BACKWARD_WEIGHT, d, p, X, G, NULL, K->rank, K->shape);
}

bool fast_degree_matmul(cvp_tensor_t out, const cvp_tensor_t A, const cvp_tensor_t B)
{
    long a, b;
    if (!fast_is_degree_ring(A->ring) || B->ring != A->ring || !uniform(A, &a) ||
        !uniform(B, &b))
        return false;
    const size_t m = A->shape[0], k = A->shape[1], n = B->shape[1];
    /* Every entry adds k products a*b: ZERO when k = 0 or a factor is. */
    long v = k == 0 ? CVP_DEGREE_ZERO : cvp_degree_product(a, b);
    cvp_tensor_t Y;
    cvp_tensor_init_ring(Y, A->ring);
    bool ok = fill(Y, 2, (size_t[]){m, n}, v);
    if (ok) {
        cvp_tensor_swap(out, Y);
        cvp_ring_note_mults(A->ring, 3, (size_t[]){m, n, k});
    }
    cvp_tensor_clear(Y);
    return ok;
}
