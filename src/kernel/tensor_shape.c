/* tensor_shape.c -- reshape, permute, transpose and slice of exact tensors.
 * Each builds its result in a temporary and swaps it in, so the output may
 * alias the input. */
#include "kernel/tensor.h"
#include "kernel/packed.h"

#include <string.h>

/* result := zeros of the given shape, packed when t is (entries are then
 * gathered into it as numerators and the result made canonical by
 * finish_gather: a part of a canonical tensor need not be canonical). */
static cvp_status start_gather(cvp_tensor_t result, const cvp_tensor_t t,
                               int rank, const size_t *shape, cvp_error *err)
{
    if (cvp_tensor_is_packed(t))
        return cvp_tensor_pack_start(result, rank, shape, err);
    return cvp_tensor_resize(result, rank, shape, err);
}

/* result[flat] := t[offset] */
static void gather(cvp_tensor_t result, size_t flat, const cvp_tensor_t t,
                   size_t offset)
{
    if (cvp_tensor_is_packed(t))
        cvp_tensor_packed_num(result)[flat] = cvp_tensor_packed_num_const(t)[offset];
    else
        t->ring->set(t->ring, cvp_tensor_elem(result, flat),
                     cvp_tensor_elem(t, offset));
}

static void finish_gather(cvp_tensor_t result, const cvp_tensor_t t)
{
    if (!cvp_tensor_is_packed(t))
        return;
    mpz_set(cvp_tensor_packed_den(result), cvp_tensor_packed_den_const(t));
    cvp_tensor_pack_finish(result);
}

cvp_status cvp_tensor_reshape(cvp_tensor_t out, const cvp_tensor_t t,
                              int rank, const size_t *shape, cvp_error *err)
{
    if (rank < 0 || rank > CVP_MAX_RANK)
        return cvp_error_set(err, CVP_ERR_INPUT, "reshape: rank %d is outside 0..%d",
                             rank, CVP_MAX_RANK);
    size_t new_shape[CVP_MAX_RANK] = {0};
    int infer_axis = -1;
    size_t known = 1;
    for (int k = 0; k < rank; k++) {
        new_shape[k] = shape[k];
        if (shape[k] == CVP_INFER_DIM) {
            if (infer_axis >= 0)
                return cvp_error_set(err, CVP_ERR_INPUT,
                                     "reshape: only one dimension can be inferred");
            infer_axis = k;
        } else {
            if (shape[k] != 0 && known > SIZE_MAX / shape[k])
                return cvp_error_set(err, CVP_ERR_INPUT, "reshape: shape too large");
            known *= shape[k];
        }
    }
    if (infer_axis >= 0) {
        if (known == 0 || t->size % known != 0)
            return cvp_error_set(err, CVP_ERR_INPUT,
                                 "reshape: cannot infer dimension %d: %zu entries "
                                 "do not split into parts of %zu", infer_axis,
                                 t->size, known);
        new_shape[infer_axis] = t->size / known;
        known = t->size;
    }
    if (known != t->size) {
        char from[256], to[256];
        cvp_shape_format(from, sizeof from, t->rank, t->shape);
        cvp_shape_format(to, sizeof to, rank, new_shape);
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "reshape: cannot reshape %s (%zu entries) to %s (%zu entries)",
                             from, t->size, to, known);
    }
    if (out != t) {
        cvp_status st = cvp_tensor_set(out, t, err);
        if (st != CVP_OK)
            return st;
    }
    /* Row-major order is unchanged by a reshape: only the shape changes. */
    out->rank = rank;
    memcpy(out->shape, new_shape, sizeof out->shape);
    return CVP_OK;
}

cvp_status cvp_tensor_permute(cvp_tensor_t out, const cvp_tensor_t t,
                              const int *perm, cvp_error *err)
{
    int rank = t->rank;
    bool seen[CVP_MAX_RANK] = {false};
    for (int k = 0; k < rank; k++) {
        if (perm[k] < 0 || perm[k] >= rank || seen[perm[k]])
            return cvp_error_set(err, CVP_ERR_INPUT,
                                 "transpose: axis order is not a permutation of 0..%d",
                                 rank - 1);
        seen[perm[k]] = true;
    }
    size_t shape[CVP_MAX_RANK] = {0};
    for (int k = 0; k < rank; k++)
        shape[k] = t->shape[perm[k]];
    cvp_tensor_t result;
    cvp_tensor_init_ring(result, t->ring);
    cvp_status st = start_gather(result, t, rank, shape, err);
    if (st == CVP_OK && result->size > 0) {
        size_t j[CVP_MAX_RANK] = {0};   /* index into result */
        size_t i[CVP_MAX_RANK] = {0};   /* corresponding index into t */
        for (size_t flat = 0; flat < result->size; flat++) {
            for (int k = 0; k < rank; k++)
                i[perm[k]] = j[k];
            gather(result, flat, t, cvp_tensor_offset(t, i));
            cvp_index_advance(j, rank, shape);
        }
    }
    if (st == CVP_OK) {
        finish_gather(result, t);
        cvp_tensor_swap(out, result);
    }
    cvp_tensor_clear(result);
    return st;
}

cvp_status cvp_tensor_transpose(cvp_tensor_t out, const cvp_tensor_t t,
                                cvp_error *err)
{
    if (t->rank < 2)
        return cvp_tensor_set(out, t, err);
    if (t->rank != 2)
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "transpose: a rank-%d tensor needs an axis order",
                             t->rank);
    static const int swap[2] = {1, 0};
    return cvp_tensor_permute(out, t, swap, err);
}

cvp_status cvp_tensor_slice(cvp_tensor_t out, const cvp_tensor_t t,
                            const size_t *start, const size_t *stop,
                            const size_t *step, cvp_error *err)
{
    int rank = t->rank;
    size_t shape[CVP_MAX_RANK] = {0};
    for (int k = 0; k < rank; k++) {
        if (step[k] < 1 || start[k] > stop[k] || stop[k] > t->shape[k])
            return cvp_error_set(err, CVP_ERR_INPUT,
                                 "slice: axis %d: bad range %zu:%zu:%zu for size %zu",
                                 k, start[k], stop[k], step[k], t->shape[k]);
        shape[k] = (stop[k] - start[k] + step[k] - 1) / step[k];
    }
    cvp_tensor_t result;
    cvp_tensor_init_ring(result, t->ring);
    cvp_status st = start_gather(result, t, rank, shape, err);
    if (st == CVP_OK && result->size > 0) {
        size_t j[CVP_MAX_RANK] = {0};
        size_t i[CVP_MAX_RANK] = {0};
        for (size_t flat = 0; flat < result->size; flat++) {
            for (int k = 0; k < rank; k++)
                i[k] = start[k] + j[k] * step[k];
            gather(result, flat, t, cvp_tensor_offset(t, i));
            cvp_index_advance(j, rank, shape);
        }
    }
    if (st == CVP_OK) {
        finish_gather(result, t);
        cvp_tensor_swap(out, result);
    }
    cvp_tensor_clear(result);
    return st;
}
