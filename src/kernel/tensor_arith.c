/* tensor_arith.c -- elementwise arithmetic with NumPy broadcasting, scalar
 * multiples, sums and the matrix product, all exact.  Results are built in
 * a temporary and swapped in, so outputs may alias inputs. */
#include "kernel/tensor.h"
#include "kernel/alloc.h"
#include "kernel/tensor_order.h"
#include "kernel/packed.h"

#include <stdlib.h>
#include <string.h>

typedef enum { OP_ADD, OP_SUB, OP_MUL } binary_op;

/* NumPy broadcasting: align shapes at the right; each pair of dimensions
 * must be equal or one of them 1. */
cvp_status cvp_tensor_broadcast_shape(int *rank, size_t *shape, const char *name,
                                  const cvp_tensor_t a, const cvp_tensor_t b,
                                  cvp_error *err)
{
    int r = a->rank > b->rank ? a->rank : b->rank;
    for (int k = 0; k < r; k++) {
        int ka = k - (r - a->rank), kb = k - (r - b->rank);
        size_t da = ka >= 0 ? a->shape[ka] : 1;
        size_t db = kb >= 0 ? b->shape[kb] : 1;
        if (da != db && da != 1 && db != 1) {
            char sa[256], sb[256];
            cvp_shape_format(sa, sizeof sa, a->rank, a->shape);
            cvp_shape_format(sb, sizeof sb, b->rank, b->shape);
            return cvp_error_set(err, CVP_ERR_INPUT,
                                 "%s: shapes %s and %s do not broadcast: dimension "
                                 "%d of the left operand is %zu, dimension %d of "
                                 "the right operand is %zu", name, sa, sb, ka, da,
                                 kb, db);
        }
        shape[k] = da == 1 ? db : da;
    }
    *rank = r;
    return CVP_OK;
}

/* Offset in t of the broadcast index j (of a rank-r result). */
size_t cvp_tensor_broadcast_offset(const cvp_tensor_t t, int r,
                                   const size_t *j)
{
    size_t offset = 0;
    for (int k = 0; k < t->rank; k++) {
        size_t jk = j[k + (r - t->rank)];
        offset = offset * t->shape[k] + (t->shape[k] == 1 ? 0 : jk);
    }
    return offset;
}

/* The packed form of a op b when both are packed and every entry fits
 * (kernel/packed.h): over lcm(den_a, den_b) for + and -, over
 * den_a den_b for *, each with an overflow check; then canonical.  False
 * (result untouched) when an operand is not packed or a value does not
 * fit an int64; the caller then computes in rationals. */
static bool elementwise_packed(cvp_tensor_t result, const cvp_tensor_t a,
                               const cvp_tensor_t b, binary_op op, int rank,
                               const size_t *shape)
{
    if (!cvp_tensor_is_packed(a) || !cvp_tensor_is_packed(b))
        return false;
    mpz_srcptr da = cvp_tensor_packed_den_const(a);
    mpz_srcptr db = cvp_tensor_packed_den_const(b);
    int64_t fa = 1, fb = 1;   /* + and -: x fa +- y fb over lcm */
    mpz_t den, f;
    mpz_inits(den, f, NULL);
    bool fits = true;
    if (op == OP_MUL) {
        mpz_mul(den, da, db);
    } else {
        mpz_lcm(den, da, db);
        fits = mpz_fits_slong_p(den);
        if (fits) {
            mpz_divexact(f, den, da);
            fa = mpz_get_si(f);
            mpz_divexact(f, den, db);
            fb = mpz_get_si(f);
        }
    }
    cvp_tensor_t r;
    cvp_tensor_init(r);
    fits = fits && cvp_tensor_pack_start(r, rank, shape, NULL) == CVP_OK;
    if (fits && r->size > 0) {
        const int64_t *x = cvp_tensor_packed_num_const(a);
        const int64_t *y = cvp_tensor_packed_num_const(b);
        int64_t *z = cvp_tensor_packed_num(r);
        size_t j[CVP_MAX_RANK] = {0};
        bool overflow = false;
        for (size_t flat = 0; flat < r->size && !overflow; flat++) {
            int64_t u = x[cvp_tensor_broadcast_offset(a, rank, j)];
            int64_t v = y[cvp_tensor_broadcast_offset(b, rank, j)];
            switch (op) {
            case OP_ADD:
                overflow = __builtin_mul_overflow(u, fa, &u) ||
                           __builtin_mul_overflow(v, fb, &v) ||
                           __builtin_add_overflow(u, v, &z[flat]);
                break;
            case OP_SUB:
                overflow = __builtin_mul_overflow(u, fa, &u) ||
                           __builtin_mul_overflow(v, fb, &v) ||
                           __builtin_sub_overflow(u, v, &z[flat]);
                break;
            case OP_MUL:
                overflow = __builtin_mul_overflow(u, v, &z[flat]);
                break;
            }
            cvp_index_advance(j, rank, shape);
        }
        fits = !overflow;
    }
    if (fits) {
        mpz_set(cvp_tensor_packed_den(r), den);
        cvp_tensor_pack_finish(r);
        cvp_tensor_swap(result, r);
    }
    cvp_tensor_clear(r);
    mpz_clears(den, f, NULL);
    return fits;
}

static cvp_status elementwise(cvp_tensor_t out, const cvp_tensor_t a,
                              const cvp_tensor_t b, binary_op op,
                              const char *name, cvp_error *err)
{
    int rank = 0;
    size_t shape[CVP_MAX_RANK] = {0};
    cvp_status st = cvp_tensor_check_ring(name, a, b, err);
    if (st == CVP_OK)
        st = cvp_tensor_broadcast_shape(&rank, shape, name, a, b, err);
    if (st != CVP_OK)
        return st;
    cvp_ring *R = a->ring;
    cvp_tensor_t result;
    cvp_tensor_init_ring(result, R);
    const bool packed = elementwise_packed(result, a, b, op, rank, shape);
    if (!packed)
        st = cvp_tensor_resize(result, rank, shape, err);
    if (st == CVP_OK && op == OP_MUL)
        cvp_ring_note_mults(R, 1, &result->size);
    /* Operands of the result's own shape need no broadcasting. */
    const bool same = a->rank == rank && b->rank == rank &&
                      memcmp(a->shape, shape, (size_t)rank * sizeof *shape) == 0 &&
                      memcmp(b->shape, shape, (size_t)rank * sizeof *shape) == 0;
    if (st == CVP_OK && !packed && result->size > 0 && !R->shape_only) {
        size_t j[CVP_MAX_RANK] = {0};
        for (size_t flat = 0; flat < result->size; flat++) {
            void *r = cvp_tensor_elem(result, flat);
            const size_t xa = same ? flat : cvp_tensor_broadcast_offset(a, rank, j),
                         yb = same ? flat : cvp_tensor_broadcast_offset(b, rank, j);
            const void *x = cvp_tensor_elem(a, xa), *y = cvp_tensor_elem(b, yb);
            switch (op) {
            case OP_ADD: R->add(R, r, x, y); break;
            case OP_SUB: R->sub(R, r, x, y); break;
            case OP_MUL: R->mul(R, r, x, y); break;
            }
            if (!same)
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

cvp_status cvp_tensor_add(cvp_tensor_t out, const cvp_tensor_t a,
                          const cvp_tensor_t b, cvp_error *err)
{
    return elementwise(out, a, b, OP_ADD, "+", err);
}

cvp_status cvp_tensor_sub(cvp_tensor_t out, const cvp_tensor_t a,
                          const cvp_tensor_t b, cvp_error *err)
{
    return elementwise(out, a, b, OP_SUB, "-", err);
}

cvp_status cvp_tensor_mul(cvp_tensor_t out, const cvp_tensor_t a,
                          const cvp_tensor_t b, cvp_error *err)
{
    return elementwise(out, a, b, OP_MUL, "*", err);
}

/* t := t * num / den in the packed form, when t is packed (without a
 * cache of rationals) and every product fits an int64; else false, t
 * untouched.  den > 0. */
static bool scale_packed_si(cvp_tensor_t t, int64_t num, uint64_t den)
{
    if (!cvp_tensor_is_packed(t) || t->data != NULL)
        return false;
    int64_t *x = cvp_tensor_packed_num(t);
    for (size_t k = 0; k < t->size; k++) {
        int64_t y;
        if (__builtin_mul_overflow(x[k], num, &y))
            return false;
    }
    for (size_t k = 0; k < t->size; k++)
        x[k] *= num;
    mpz_mul_ui(cvp_tensor_packed_den(t), cvp_tensor_packed_den(t),
               (unsigned long)den);
    cvp_tensor_pack_finish(t);
    return true;
}

cvp_status cvp_tensor_neg(cvp_tensor_t out, const cvp_tensor_t t,
                          cvp_error *err)
{
    cvp_status st = cvp_tensor_set(out, t, err);
    if (st != CVP_OK)
        return st;
    if (scale_packed_si(out, -1, 1))
        return CVP_OK;
    for (size_t k = 0; k < out->size; k++)
        out->ring->neg(out->ring, cvp_tensor_elem(out, k), cvp_tensor_elem(out, k));
    return CVP_OK;
}

cvp_status cvp_tensor_scale(cvp_tensor_t out, const cvp_tensor_t t,
                            const mpq_t c, cvp_error *err)
{
    cvp_ring *R = t->ring;
    void *factor = cvp_xmalloc(R->elem_size);   /* c may be an entry of out */
    R->init(R, factor);
    R->set_q(R, factor, c);
    /* A packed t and a factor of word size: the numerators times c's
     * numerator over the denominator times c's (read now: c may be an
     * entry of out). */
    const bool small_c = R == &cvp_ring_q && mpz_fits_slong_p(mpq_numref(c)) &&
                         mpz_fits_ulong_p(mpq_denref(c));
    const int64_t c_num = small_c ? mpz_get_si(mpq_numref(c)) : 0;
    const uint64_t c_den = small_c ? mpz_get_ui(mpq_denref(c)) : 1;
    cvp_status st = cvp_tensor_set(out, t, err);
    if (st == CVP_OK)
        cvp_ring_note_mults(R, 1, &out->size);
    const bool packed = st == CVP_OK && small_c &&
                        scale_packed_si(out, c_num, c_den);
    if (st == CVP_OK && !packed)
        for (size_t k = 0; k < out->size; k++)
            R->mul(R, cvp_tensor_elem(out, k), cvp_tensor_elem(out, k), factor);
    R->clear(R, factor);
    free(factor);
    if (st == CVP_OK)
        st = cvp_ring_check(R, err);
    return st;
}

/* Sums of numerators of a packed tensor are taken in __int128: fewer
 * than 2^64 terms of magnitude at most 2^63 stay below 2^127. */
static bool fits_int64(__int128 v)
{
    return v >= INT64_MIN && v <= INT64_MAX;
}

/* q := v / den. */
static void mpq_set_i128(mpq_t q, __int128 v, mpz_srcptr den)
{
    unsigned __int128 m = v < 0 ? -(unsigned __int128)v : (unsigned __int128)v;
    uint64_t limbs[2] = {(uint64_t)m, (uint64_t)(m >> 64)};
    mpz_import(mpq_numref(q), 2, -1, sizeof limbs[0], 0, 0, limbs);
    if (v < 0)
        mpz_neg(mpq_numref(q), mpq_numref(q));
    mpz_set(mpq_denref(q), den);
    mpq_canonicalize(q);
}

cvp_status cvp_tensor_sum_all(cvp_tensor_t out, const cvp_tensor_t t,
                              cvp_error *err)
{
    if (cvp_tensor_is_packed(t)) {
        /* The numerators' sum over the same denominator, exactly. */
        const int64_t *x = cvp_tensor_packed_num_const(t);
        __int128 acc = 0;
        for (size_t k = 0; k < t->size; k++)
            acc += x[k];
        cvp_tensor_t total;
        cvp_tensor_init(total);
        if (fits_int64(acc)) {
            cvp_status st = cvp_tensor_pack_start(total, 0, NULL, err);
            CVP_ASSERT(st == CVP_OK);   /* one entry */
            cvp_tensor_packed_num(total)[0] = (int64_t)acc;
            mpz_set(cvp_tensor_packed_den(total), cvp_tensor_packed_den_const(t));
            cvp_tensor_pack_finish(total);
        } else {
            mpq_set_i128(cvp_tensor_at(total, 0), acc,
                         cvp_tensor_packed_den_const(t));
        }
        cvp_tensor_swap(out, total);
        cvp_tensor_clear(total);
        return cvp_ring_check(&cvp_ring_q, err);
    }
    cvp_tensor_t total;
    cvp_tensor_init_ring(total, t->ring);
    for (size_t k = 0; k < t->size; k++)
        t->ring->add(t->ring, total->data, total->data, cvp_tensor_elem(t, k));
    cvp_tensor_swap(out, total);
    cvp_tensor_clear(total);
    return cvp_ring_check(t->ring, err);
}

cvp_status cvp_tensor_sum_axis(cvp_tensor_t out, const cvp_tensor_t t,
                               int axis, cvp_error *err)
{
    if (axis < 0 || axis >= t->rank)
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "sum: axis %d is outside 0..%d", axis, t->rank - 1);
    /* View t as [outer, n, inner] with n the summed axis. */
    size_t outer = 1, inner = 1, n = t->shape[axis];
    for (int k = 0; k < axis; k++)
        outer *= t->shape[k];
    for (int k = axis + 1; k < t->rank; k++)
        inner *= t->shape[k];
    size_t shape[CVP_MAX_RANK] = {0};
    for (int k = 0, m = 0; k < t->rank; k++)
        if (k != axis)
            shape[m++] = t->shape[k];
    cvp_ring *R = t->ring;
    cvp_tensor_t result;
    cvp_tensor_init_ring(result, R);
    /* Packed: each output's sum of numerators in 128 bits, packed when
     * every one fits an int64, else the rationals below. */
    bool packed = false;
    if (cvp_tensor_is_packed(t) &&
        cvp_tensor_pack_start(result, t->rank - 1, shape, NULL) == CVP_OK) {
        const int64_t *x = cvp_tensor_packed_num_const(t);
        int64_t *y = cvp_tensor_packed_num(result);
        packed = true;
        for (size_t o = 0; packed && o < outer; o++)
            for (size_t i = 0; packed && i < inner; i++) {
                __int128 acc = 0;
                for (size_t a = 0; a < n; a++)
                    acc += x[(o * n + a) * inner + i];
                packed = fits_int64(acc);
                y[o * inner + i] = packed ? (int64_t)acc : 0;
            }
        if (packed) {
            mpz_set(cvp_tensor_packed_den(result), cvp_tensor_packed_den_const(t));
            cvp_tensor_pack_finish(result);
        }
    }
    cvp_status st = packed ? CVP_OK
                           : cvp_tensor_resize(result, t->rank - 1, shape, err);
    if (st == CVP_OK && !packed)
        for (size_t o = 0; o < outer; o++)
            for (size_t i = 0; i < inner; i++)
                for (size_t a = 0; a < n; a++)
                    R->add(R, cvp_tensor_elem(result, o * inner + i),
                           cvp_tensor_elem(result, o * inner + i),
                           cvp_tensor_elem(t, (o * n + a) * inner + i));
    if (st == CVP_OK)
        st = cvp_ring_check(R, err);
    if (st == CVP_OK)
        cvp_tensor_swap(out, result);
    cvp_tensor_clear(result);
    return st;
}

cvp_status cvp_tensor_matmul(cvp_tensor_t out, const cvp_tensor_t a,
                             const cvp_tensor_t b, cvp_error *err)
{
    cvp_status st0 = cvp_tensor_check_ring("matmul", a, b, err);
    if (st0 != CVP_OK)
        return st0;
    if (a->rank < 1 || a->rank > 2 || b->rank < 1 || b->rank > 2)
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "matmul: operands must have rank 1 or 2 (got %d and %d)",
                             a->rank, b->rank);
    /* A vector on the left is a row, on the right a column (NumPy). */
    size_t m = a->rank == 2 ? a->shape[0] : 1;
    size_t ka = a->rank == 2 ? a->shape[1] : a->shape[0];
    size_t kb = b->shape[0];
    size_t n = b->rank == 2 ? b->shape[1] : 1;
    if (ka != kb)
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "matmul: inner dimensions differ: dimension %d of the "
                             "left operand is %zu, dimension 0 of the right operand "
                             "is %zu", a->rank - 1, ka, kb);
    int rank = 0;
    size_t shape[2] = {0, 0};
    if (a->rank == 2)
        shape[rank++] = m;
    if (b->rank == 2)
        shape[rank++] = n;
    cvp_ring *R = a->ring;
    cvp_tensor_t result, product;
    cvp_tensor_init_ring(result, R);
    cvp_tensor_init_ring(product, R);   /* a scalar: the scratch element */
    cvp_status st = cvp_tensor_resize(result, rank, shape, err);
    if (st == CVP_OK)
        cvp_ring_note_mults(R, 3, (size_t[]){m, n, ka});
    if (st == CVP_OK && !R->shape_only) {
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < n; j++)
                for (size_t k = 0; k < ka; k++)
                    cvp_ring_addmul(R, cvp_tensor_elem(result, i * n + j),
                                    cvp_tensor_elem(a, i * ka + k),
                                    cvp_tensor_elem(b, k * n + j), product->data);
        st = cvp_ring_check(R, err);
    }
    if (st == CVP_OK)
        cvp_tensor_swap(out, result);
    cvp_tensor_clear(product);
    cvp_tensor_clear(result);
    return st;
}
