/* tensor_arith.c -- elementwise arithmetic with NumPy broadcasting, scalar
 * multiples, sums and the matrix product, all exact.  Results are built in
 * a temporary and swapped in, so outputs may alias inputs. */
#include "kernel/tensor.h"

#include <string.h>

typedef void (*binary_op)(mpq_ptr, mpq_srcptr, mpq_srcptr);

static void op_add(mpq_ptr r, mpq_srcptr a, mpq_srcptr b) { mpq_add(r, a, b); }
static void op_sub(mpq_ptr r, mpq_srcptr a, mpq_srcptr b) { mpq_sub(r, a, b); }
static void op_mul(mpq_ptr r, mpq_srcptr a, mpq_srcptr b) { mpq_mul(r, a, b); }

/* NumPy broadcasting: align shapes at the right; each pair of dimensions
 * must be equal or one of them 1. */
static cvp_status broadcast_shape(int *rank, size_t *shape, const char *name,
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
static size_t broadcast_offset(const cvp_tensor_t t, int r, const size_t *j)
{
    size_t offset = 0;
    for (int k = 0; k < t->rank; k++) {
        size_t jk = j[k + (r - t->rank)];
        offset = offset * t->shape[k] + (t->shape[k] == 1 ? 0 : jk);
    }
    return offset;
}

static cvp_status elementwise(cvp_tensor_t out, const cvp_tensor_t a,
                              const cvp_tensor_t b, binary_op op,
                              const char *name, cvp_error *err)
{
    int rank = 0;
    size_t shape[CVP_MAX_RANK] = {0};
    cvp_status st = broadcast_shape(&rank, shape, name, a, b, err);
    if (st != CVP_OK)
        return st;
    cvp_tensor_t result;
    cvp_tensor_init(result);
    st = cvp_tensor_resize(result, rank, shape, err);
    if (st == CVP_OK && result->size > 0) {
        size_t j[CVP_MAX_RANK] = {0};
        for (size_t flat = 0; flat < result->size; flat++) {
            op(result->entries[flat], a->entries[broadcast_offset(a, rank, j)],
               b->entries[broadcast_offset(b, rank, j)]);
            for (int k = rank - 1; k >= 0; k--) {
                if (++j[k] < shape[k])
                    break;
                j[k] = 0;
            }
        }
    }
    if (st == CVP_OK)
        cvp_tensor_swap(out, result);
    cvp_tensor_clear(result);
    return st;
}

cvp_status cvp_tensor_add(cvp_tensor_t out, const cvp_tensor_t a,
                          const cvp_tensor_t b, cvp_error *err)
{
    return elementwise(out, a, b, op_add, "+", err);
}

cvp_status cvp_tensor_sub(cvp_tensor_t out, const cvp_tensor_t a,
                          const cvp_tensor_t b, cvp_error *err)
{
    return elementwise(out, a, b, op_sub, "-", err);
}

cvp_status cvp_tensor_mul(cvp_tensor_t out, const cvp_tensor_t a,
                          const cvp_tensor_t b, cvp_error *err)
{
    return elementwise(out, a, b, op_mul, "*", err);
}

cvp_status cvp_tensor_neg(cvp_tensor_t out, const cvp_tensor_t t,
                          cvp_error *err)
{
    cvp_status st = cvp_tensor_set(out, t, err);
    if (st != CVP_OK)
        return st;
    for (size_t k = 0; k < out->size; k++)
        mpq_neg(out->entries[k], out->entries[k]);
    return CVP_OK;
}

cvp_status cvp_tensor_scale(cvp_tensor_t out, const cvp_tensor_t t,
                            const mpq_t c, cvp_error *err)
{
    mpq_t factor;   /* c may be an entry of out */
    mpq_init(factor);
    mpq_set(factor, c);
    cvp_status st = cvp_tensor_set(out, t, err);
    if (st == CVP_OK)
        for (size_t k = 0; k < out->size; k++)
            mpq_mul(out->entries[k], out->entries[k], factor);
    mpq_clear(factor);
    return st;
}

cvp_status cvp_tensor_sum_all(cvp_tensor_t out, const cvp_tensor_t t,
                              cvp_error *err)
{
    mpq_t total;
    mpq_init(total);
    for (size_t k = 0; k < t->size; k++)
        mpq_add(total, total, t->entries[k]);
    cvp_tensor_set_scalar(out, total);
    mpq_clear(total);
    return CVP_OK;
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
    cvp_tensor_t result;
    cvp_tensor_init(result);
    cvp_status st = cvp_tensor_resize(result, t->rank - 1, shape, err);
    if (st == CVP_OK)
        for (size_t o = 0; o < outer; o++)
            for (size_t i = 0; i < inner; i++)
                for (size_t a = 0; a < n; a++)
                    mpq_add(result->entries[o * inner + i],
                            result->entries[o * inner + i],
                            t->entries[(o * n + a) * inner + i]);
    if (st == CVP_OK)
        cvp_tensor_swap(out, result);
    cvp_tensor_clear(result);
    return st;
}

cvp_status cvp_tensor_matmul(cvp_tensor_t out, const cvp_tensor_t a,
                             const cvp_tensor_t b, cvp_error *err)
{
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
    cvp_tensor_t result;
    cvp_tensor_init(result);
    cvp_status st = cvp_tensor_resize(result, rank, shape, err);
    if (st == CVP_OK) {
        mpq_t product;
        mpq_init(product);
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < n; j++)
                for (size_t k = 0; k < ka; k++) {
                    mpq_mul(product, a->entries[i * ka + k], b->entries[k * n + j]);
                    mpq_add(result->entries[i * n + j], result->entries[i * n + j],
                            product);
                }
        mpq_clear(product);
        cvp_tensor_swap(out, result);
    }
    cvp_tensor_clear(result);
    return st;
}
