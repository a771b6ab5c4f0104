/* tensor_order.c -- maximum, minimum, absolute value, natural powers,
 * concatenation and stacking (see tensor_order.h).  Each operator is one
 * loop nest over the result, written from its definition. */
#include "kernel/tensor_order.h"

#include <limits.h>
#include <string.h>

static cvp_status need_order(cvp_ring *R, const char *name, cvp_error *err)
{
    if (R->cmp != NULL)
        return CVP_OK;
    return cvp_error_set(err, CVP_ERR_UNSUPPORTED,
                         "%s: needs an ordered ring, and %s is not (%s is not "
                         "a polynomial)", name, R->name, name);
}

/* out[j] := a[j] if (cmp(a[j], b[j]) >= 0) == want_larger, else b[j]:
 * max keeps a when a >= b, min keeps a when a <= b. */
static cvp_status choose(cvp_tensor_t out, const cvp_tensor_t a,
                         const cvp_tensor_t b, bool maximum, cvp_error *err)
{
    const char *name = maximum ? "max" : "min";
    int rank = 0;
    size_t shape[CVP_MAX_RANK] = {0};
    cvp_status st = cvp_tensor_check_ring(name, a, b, err);
    if (st == CVP_OK)
        st = need_order(a->ring, name, err);
    if (st == CVP_OK)
        st = cvp_tensor_broadcast_shape(&rank, shape, name, a, b, err);
    if (st != CVP_OK)
        return st;
    cvp_ring *R = a->ring;
    cvp_tensor_t result;
    cvp_tensor_init_ring(result, R);
    st = cvp_tensor_resize(result, rank, shape, err);
    if (st == CVP_OK && result->size > 0 && !R->shape_only) {
        size_t j[CVP_MAX_RANK] = {0};
        for (size_t flat = 0; flat < result->size; flat++) {
            const void *x = cvp_tensor_elem(a, cvp_tensor_broadcast_offset(a, rank, j));
            const void *y = cvp_tensor_elem(b, cvp_tensor_broadcast_offset(b, rank, j));
            int c = R->cmp(R, x, y);
            bool keep_a = maximum ? c >= 0 : c <= 0;
            R->set(R, cvp_tensor_elem(result, flat), keep_a ? x : y);
            cvp_index_advance(j, rank, shape);
        }
    }
    if (st == CVP_OK)
        st = cvp_ring_check(R, err);
    if (st == CVP_OK)
        cvp_tensor_swap(out, result);
    cvp_tensor_clear(result);
    return st;
}

cvp_status cvp_tensor_maximum(cvp_tensor_t out, const cvp_tensor_t a,
                              const cvp_tensor_t b, cvp_error *err)
{
    return choose(out, a, b, true, err);
}

cvp_status cvp_tensor_minimum(cvp_tensor_t out, const cvp_tensor_t a,
                              const cvp_tensor_t b, cvp_error *err)
{
    return choose(out, a, b, false, err);
}

cvp_status cvp_tensor_absolute(cvp_tensor_t out, const cvp_tensor_t t,
                          cvp_error *err)
{
    cvp_ring *R = t->ring;
    cvp_status st = need_order(R, "abs", err);
    if (st != CVP_OK)
        return st;
    cvp_tensor_t zero, result;
    cvp_tensor_init_ring(zero, R);   /* the scalar 0 of R */
    cvp_tensor_init_ring(result, R);
    st = cvp_tensor_set(result, t, err);
    if (st == CVP_OK && !R->shape_only)
        for (size_t k = 0; k < result->size; k++) {
            void *x = cvp_tensor_elem(result, k);
            if (R->cmp(R, x, zero->data) < 0)
                R->neg(R, x, x);
        }
    if (st == CVP_OK)
        st = cvp_ring_check(R, err);
    if (st == CVP_OK)
        cvp_tensor_swap(out, result);
    cvp_tensor_clear(result);
    cvp_tensor_clear(zero);
    return st;
}

static cvp_status extreme_all(cvp_tensor_t out, const cvp_tensor_t t,
                              bool maximum, cvp_error *err)
{
    const char *name = maximum ? "max" : "min";
    cvp_ring *R = t->ring;
    cvp_status st = need_order(R, name, err);
    if (st != CVP_OK)
        return st;
    if (t->size == 0)
        return cvp_error_set(err, CVP_ERR_INPUT, "%s: the input has no "
                             "entries (a %s of nothing is undefined)",
                             name, maximum ? "maximum" : "minimum");
    cvp_tensor_t result;
    cvp_tensor_init_ring(result, R);   /* a scalar */
    if (!R->shape_only) {
        size_t best = 0;
        for (size_t k = 1; k < t->size; k++) {
            int c = R->cmp(R, cvp_tensor_elem(t, k), cvp_tensor_elem(t, best));
            if (maximum ? c > 0 : c < 0)   /* strict: the first one wins */
                best = k;
        }
        R->set(R, result->data, cvp_tensor_elem(t, best));
    }
    st = cvp_ring_check(R, err);
    if (st == CVP_OK)
        cvp_tensor_swap(out, result);
    cvp_tensor_clear(result);
    return st;
}

cvp_status cvp_tensor_max_all(cvp_tensor_t out, const cvp_tensor_t t,
                              cvp_error *err)
{
    return extreme_all(out, t, true, err);
}

cvp_status cvp_tensor_min_all(cvp_tensor_t out, const cvp_tensor_t t,
                              cvp_error *err)
{
    return extreme_all(out, t, false, err);
}

/* Bits a power of a rational may have: past this, one GMP multiplication
 * would run for seconds to hours without a chance to poll --timeout. */
#define POW_MAX_BITS (1UL << 26)

cvp_status cvp_tensor_pow(cvp_tensor_t out, const cvp_tensor_t t,
                          unsigned long n, cvp_error *err)
{
    cvp_ring *R = t->ring;
    if (R == &cvp_ring_q && n >= 2)
        for (size_t k = 0; k < t->size; k++) {
            mpq_srcptr q = cvp_tensor_at_const(t, k);
            /* |a/b|^n has about n (bits(a) + bits(b)) bits */
            unsigned long bits = (unsigned long)(mpz_sizeinbase(mpq_numref(q), 2)
                                                 + mpz_sizeinbase(mpq_denref(q), 2) - 2);
            if (bits > 0 && bits > POW_MAX_BITS / n)
                return cvp_error_set(err, CVP_ERR_LIMIT, "pow: entry %zu to the "
                                     "power %lu would have about %lu bits or more, "
                                     "past the 2^26 allowed", k, n,
                                     bits * n < bits ? ULONG_MAX : bits * n);
        }
    cvp_tensor_t result;
    cvp_tensor_init_ring(result, R);
    cvp_status st = cvp_tensor_set(result, t, err);
    if (st == CVP_OK && n >= 2) {
        size_t factors[2] = {result->size, (size_t)(n - 1)};
        cvp_ring_note_mults(R, 2, factors);
    }
    if (st == CVP_OK && !R->shape_only)
        for (size_t k = 0; k < result->size; k++) {
            void *x = cvp_tensor_elem(result, k);
            const void *base = cvp_tensor_elem(t, k);
            if (n == 0)
                cvp_ring_set_si(R, x, 1);
            for (unsigned long i = 1; i < n; i++)   /* x := base^(i+1) */
                R->mul(R, x, x, base);
        }
    if (st == CVP_OK)
        st = cvp_ring_check(R, err);
    if (st == CVP_OK)
        cvp_tensor_swap(out, result);
    cvp_tensor_clear(result);
    return st;
}

/* Copies `item` into `result` as the block starting at `at` along axis
 * `dim`, where `outer` is the product of the axes before `dim` and
 * `inner` the product of those after it (in the result's layout, whose
 * axis dim has length `span`). */
static void copy_block(cvp_tensor_t result, const cvp_tensor_struct *item,
                       size_t outer, size_t len, size_t inner, size_t span,
                       size_t at)
{
    cvp_ring *R = result->ring;
    for (size_t o = 0; o < outer; o++)
        for (size_t i = 0; i < len; i++)
            for (size_t k = 0; k < inner; k++)
                R->set(R, cvp_tensor_elem(result, (o * span + at + i) * inner + k),
                       cvp_tensor_elem(item, (o * len + i) * inner + k));
}

cvp_status cvp_tensor_concat(cvp_tensor_t out, const cvp_tensor_struct *const *items,
                             size_t count, int dim, cvp_error *err)
{
    CVP_ASSERT(count >= 1);
    const cvp_tensor_struct *first = items[0];
    int rank = first->rank;
    if (dim < 0 || dim >= rank)
        return cvp_error_set(err, CVP_ERR_INPUT, "concat: dim %d is outside "
                             "0..%d for tensors of rank %d", dim, rank - 1, rank);
    size_t shape[CVP_MAX_RANK];
    memcpy(shape, first->shape, sizeof shape);
    shape[dim] = 0;
    for (size_t m = 0; m < count; m++) {
        const cvp_tensor_struct *t = items[m];
        bool fits = t->rank == rank && t->ring == first->ring;
        for (int k = 0; fits && k < rank; k++)
            fits = k == dim || t->shape[k] == first->shape[k];
        if (!fits) {
            char want[128], got[128];
            cvp_shape_format(want, sizeof want, rank, first->shape);
            cvp_shape_format(got, sizeof got, t->rank, t->shape);
            return cvp_error_set(err, CVP_ERR_INPUT, "concat: tensor %zu has "
                                 "shape %s but tensor 1 has shape %s (they "
                                 "must agree except on dim %d)", m + 1, got,
                                 want, dim);
        }
        shape[dim] += t->shape[dim];
    }
    cvp_tensor_t result;
    cvp_tensor_init_ring(result, first->ring);
    cvp_status st = cvp_tensor_resize(result, rank, shape, err);
    if (st == CVP_OK && !first->ring->shape_only) {
        size_t outer = 1, inner = 1;
        for (int k = 0; k < dim; k++)
            outer *= shape[k];
        for (int k = dim + 1; k < rank; k++)
            inner *= shape[k];
        size_t at = 0;
        for (size_t m = 0; m < count; m++) {
            copy_block(result, items[m], outer, items[m]->shape[dim], inner,
                       shape[dim], at);
            at += items[m]->shape[dim];
        }
    }
    if (st == CVP_OK)
        cvp_tensor_swap(out, result);
    cvp_tensor_clear(result);
    return st;
}

cvp_status cvp_tensor_stack(cvp_tensor_t out, const cvp_tensor_struct *const *items,
                            size_t count, int dim, cvp_error *err)
{
    CVP_ASSERT(count >= 1);
    const cvp_tensor_struct *first = items[0];
    int rank = first->rank + 1;
    if (rank > CVP_MAX_RANK)
        return cvp_error_set(err, CVP_ERR_INPUT, "stack: the result would "
                             "have rank %d, more than %d", rank, CVP_MAX_RANK);
    if (dim < 0 || dim >= rank)
        return cvp_error_set(err, CVP_ERR_INPUT, "stack: dim %d is outside "
                             "0..%d for tensors of rank %d", dim, rank - 1,
                             rank - 1);
    for (size_t m = 1; m < count; m++)
        if (!cvp_tensor_same_shape(items[m], first) || items[m]->ring != first->ring) {
            char want[128], got[128];
            cvp_shape_format(want, sizeof want, first->rank, first->shape);
            cvp_shape_format(got, sizeof got, items[m]->rank, items[m]->shape);
            return cvp_error_set(err, CVP_ERR_INPUT, "stack: tensor %zu has "
                                 "shape %s but tensor 1 has shape %s (they "
                                 "must have one shape)", m + 1, got, want);
        }
    size_t shape[CVP_MAX_RANK] = {0};
    for (int k = 0, s = 0; k < rank; k++)
        shape[k] = k == dim ? count : first->shape[s++];
    cvp_tensor_t result;
    cvp_tensor_init_ring(result, first->ring);
    cvp_status st = cvp_tensor_resize(result, rank, shape, err);
    if (st == CVP_OK && !first->ring->shape_only) {
        size_t outer = 1, inner = 1;
        for (int k = 0; k < dim; k++)
            outer *= shape[k];
        for (int k = dim + 1; k < rank; k++)
            inner *= shape[k];
        for (size_t m = 0; m < count; m++)   /* item m is result[..., m, ...] */
            copy_block(result, items[m], outer, 1, inner, count, m);
    }
    if (st == CVP_OK)
        cvp_tensor_swap(out, result);
    cvp_tensor_clear(result);
    return st;
}
