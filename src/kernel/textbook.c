/* textbook.c -- xcorr, conv, wide, rot180, pad and dilate, each a plain loop
 * nest written from its formula in textbook.h.
 *
 * Rank-1 operands are handled by viewing them as 1 x N matrices: the
 * helpers below read the last two axes as (rows, cols), with rows = 1 for
 * rank 1, and every result is reshaped back to the operand's rank. */
#include "kernel/textbook.h"

#include <string.h>

#define ELEM(t, k) cvp_tensor_elem((t), (k))

/* Rows and columns of the last two axes (rank 1: one row). */
static size_t rows_of(const cvp_tensor_t t)
{
    return t->rank >= 2 ? t->shape[t->rank - 2] : 1;
}
static size_t cols_of(const cvp_tensor_t t)
{
    return t->rank >= 1 ? t->shape[t->rank - 1] : 1;
}
/* Number of matrices stacked in the leading axes (rank <= 2: one). */
static size_t stack_of(const cvp_tensor_t t)
{
    size_t n = 1;
    for (int k = 0; k + 2 < t->rank; k++)
        n *= t->shape[k];
    return n;
}

/* Resizes `result` to t's leading axes followed by rows x cols (for rank 1,
 * just cols). */
static cvp_status resize_matrix_like(cvp_tensor_t result, const cvp_tensor_t t,
                                     size_t rows, size_t cols, cvp_error *err)
{
    size_t shape[CVP_MAX_RANK] = {0};
    memcpy(shape, t->shape, sizeof shape);
    if (t->rank >= 2)
        shape[t->rank - 2] = rows;
    shape[t->rank - 1] = cols;
    return cvp_tensor_resize(result, t->rank, shape, err);
}

static cvp_status check_matrix_pair(const char *name, const cvp_tensor_t W,
                                    const cvp_tensor_t X, cvp_error *err)
{
    if (W->rank < 1 || W->rank > 2 || X->rank < 1 || X->rank > 2)
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "%s: operands must be matrices (rank 2) or vectors "
                             "(rank 1); got ranks %d and %d", name, W->rank, X->rank);
    if (W->rank != X->rank)
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "%s: operands have different ranks (%d and %d)", name,
                             W->rank, X->rank);
    return cvp_tensor_check_ring(name, W, X, err);
}

cvp_status cvp_xcorr(cvp_tensor_t out, const cvp_tensor_t W,
                     const cvp_tensor_t X, size_t sh, size_t sw, size_t dh,
                     size_t dw, cvp_error *err)
{
    cvp_status st = check_matrix_pair("xcorr", W, X, err);
    if (st != CVP_OK)
        return st;
    if (sh < 1 || sw < 1 || dh < 1 || dw < 1)
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "xcorr: stride and dilation must be at least 1");
    size_t U = rows_of(W), V = cols_of(W), M = rows_of(X), N = cols_of(X);
    if (U == 0 || V == 0)
        return cvp_error_set(err, CVP_ERR_INPUT, "xcorr: the kernel is empty");
    /* The dilated kernel spans dh*(U-1)+1 rows; it must fit inside X. */
    if ((U - 1) > (M - 1) / dh || M == 0 || (V - 1) > (N - 1) / dw || N == 0)
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "xcorr: the kernel (%zu x %zu, dilation %zu x %zu) does "
                             "not fit inside the input (%zu x %zu)", U, V, dh, dw, M, N);
    size_t out_rows = (M - dh * (U - 1) - 1) / sh + 1;
    size_t out_cols = (N - dw * (V - 1) - 1) / sw + 1;
    cvp_ring *R = X->ring;
    cvp_tensor_t Y, product;
    cvp_tensor_init_ring(Y, R);
    cvp_tensor_init_ring(product, R);   /* scratch element */
    st = resize_matrix_like(Y, X, out_rows, out_cols, err);
    if (st == CVP_OK)
        cvp_ring_note_mults(R, 4, (size_t[]){out_rows, out_cols, U, V});
    if (st == CVP_OK && !R->shape_only) {
        for (size_t i = 0; i < out_rows; i++)
            for (size_t j = 0; j < out_cols; j++)
                for (size_t u = 0; u < U; u++)
                    for (size_t v = 0; v < V; v++) {
                        cvp_ring_addmul(R, ELEM(Y, i * out_cols + j), ELEM(W, u * V + v),
                                        ELEM(X, (i * sh + u * dh) * N + (j * sw + v * dw)), product->data);
                    }
    }
    if (st == CVP_OK)
        st = cvp_ring_check(R, err);
    if (st == CVP_OK)
        cvp_tensor_swap(out, Y);
    cvp_tensor_clear(Y);
    cvp_tensor_clear(product);
    return st;
}

cvp_status cvp_conv(cvp_tensor_t out, const cvp_tensor_t W,
                    const cvp_tensor_t X, cvp_error *err)
{
    cvp_status st = check_matrix_pair("conv", W, X, err);
    if (st != CVP_OK)
        return st;
    size_t U = rows_of(W), V = cols_of(W), M = rows_of(X), N = cols_of(X);
    if (U == 0 || V == 0 || U > M || V > N)
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "conv: the kernel (%zu x %zu) does not fit inside the "
                             "input (%zu x %zu)", U, V, M, N);
    size_t out_rows = M - U + 1, out_cols = N - V + 1;
    cvp_ring *R = X->ring;
    cvp_tensor_t Y, product;
    cvp_tensor_init_ring(Y, R);
    cvp_tensor_init_ring(product, R);   /* scratch element */
    st = resize_matrix_like(Y, X, out_rows, out_cols, err);
    if (st == CVP_OK)
        cvp_ring_note_mults(R, 4, (size_t[]){out_rows, out_cols, U, V});
    if (st == CVP_OK && !R->shape_only) {
        for (size_t i = 0; i < out_rows; i++)
            for (size_t j = 0; j < out_cols; j++)
                for (size_t u = 0; u < U; u++)
                    for (size_t v = 0; v < V; v++) {
                        cvp_ring_addmul(R, ELEM(Y, i * out_cols + j), ELEM(W, u * V + v),
                                        ELEM(X, (i + U - 1 - u) * N + (j + V - 1 - v)), product->data);
                    }
    }
    if (st == CVP_OK)
        st = cvp_ring_check(R, err);
    if (st == CVP_OK)
        cvp_tensor_swap(out, Y);
    cvp_tensor_clear(Y);
    cvp_tensor_clear(product);
    return st;
}

cvp_status cvp_wide(cvp_tensor_t out, const cvp_tensor_t W,
                    const cvp_tensor_t X, cvp_error *err)
{
    cvp_status st = check_matrix_pair("wide", W, X, err);
    if (st != CVP_OK)
        return st;
    size_t U = rows_of(W), V = cols_of(W), M = rows_of(X), N = cols_of(X);
    if (U == 0 || V == 0 || M == 0 || N == 0)
        return cvp_error_set(err, CVP_ERR_INPUT, "wide: an operand is empty");
    size_t out_rows = M + U - 1, out_cols = N + V - 1;
    cvp_ring *R = X->ring;
    cvp_tensor_t Y, product;
    cvp_tensor_init_ring(Y, R);
    cvp_tensor_init_ring(product, R);   /* scratch element */
    st = resize_matrix_like(Y, X, out_rows, out_cols, err);
    if (st == CVP_OK)
        cvp_ring_note_mults(R, 4, (size_t[]){out_rows, out_cols, U, V});
    if (st == CVP_OK && !R->shape_only) {
        for (size_t i = 0; i < out_rows; i++)
            for (size_t j = 0; j < out_cols; j++)
                for (size_t u = 0; u < U; u++)
                    for (size_t v = 0; v < V; v++) {
                        /* Xp[i+u, j+v] = X[i+u-(U-1), j+v-(V-1)] when inside X. */
                        if (i + u < U - 1 || j + v < V - 1)
                            continue;
                        size_t a = i + u - (U - 1), b = j + v - (V - 1);
                        if (a >= M || b >= N)
                            continue;
                        cvp_ring_addmul(R, ELEM(Y, i * out_cols + j), ELEM(W, u * V + v),
                                        ELEM(X, a * N + b), product->data);
                    }
    }
    if (st == CVP_OK)
        st = cvp_ring_check(R, err);
    if (st == CVP_OK)
        cvp_tensor_swap(out, Y);
    cvp_tensor_clear(Y);
    cvp_tensor_clear(product);
    return st;
}

cvp_status cvp_rot180(cvp_tensor_t out, const cvp_tensor_t X, cvp_error *err)
{
    if (X->rank < 1)
        return cvp_error_set(err, CVP_ERR_INPUT, "rot180: the operand is a scalar");
    size_t M = rows_of(X), N = cols_of(X), stack = stack_of(X);
    cvp_ring *R = X->ring;
    cvp_tensor_t Y;
    cvp_tensor_init_ring(Y, R);
    cvp_status st = cvp_tensor_resize_like(Y, X, err);
    if (st == CVP_OK) {
        for (size_t s = 0; s < stack; s++)
            for (size_t i = 0; i < M; i++)
                for (size_t j = 0; j < N; j++)
                    R->set(R, ELEM(Y, (s * M + i) * N + j),
                           ELEM(X, (s * M + (M - 1 - i)) * N + (N - 1 - j)));
        cvp_tensor_swap(out, Y);
    }
    cvp_tensor_clear(Y);
    return st;
}

cvp_status cvp_pad(cvp_tensor_t out, const cvp_tensor_t X, size_t top,
                   size_t bottom, size_t left, size_t right, cvp_error *err)
{
    if (X->rank < 1)
        return cvp_error_set(err, CVP_ERR_INPUT, "pad: the operand is a scalar");
    if (X->rank == 1 && (top != 0 || bottom != 0))
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "pad: a vector (rank 1) has no rows to pad above or below");
    size_t M = rows_of(X), N = cols_of(X), stack = stack_of(X);
    if (top > SIZE_MAX / 4 || bottom > SIZE_MAX / 4 || left > SIZE_MAX / 4 ||
        right > SIZE_MAX / 4)
        return cvp_error_set(err, CVP_ERR_LIMIT, "pad: padding too large");
    size_t PM = M + top + bottom, PN = N + left + right;
    cvp_ring *R = X->ring;
    cvp_tensor_t Y;
    cvp_tensor_init_ring(Y, R);
    cvp_status st = resize_matrix_like(Y, X, PM, PN, err);
    if (st == CVP_OK) {
        for (size_t s = 0; s < stack; s++)
            for (size_t i = 0; i < M; i++)
                for (size_t j = 0; j < N; j++)
                    R->set(R, ELEM(Y, (s * PM + i + top) * PN + j + left),
                           ELEM(X, (s * M + i) * N + j));
        cvp_tensor_swap(out, Y);
    }
    cvp_tensor_clear(Y);
    return st;
}

cvp_status cvp_dilate(cvp_tensor_t out, const cvp_tensor_t X, size_t sh,
                      size_t sw, cvp_error *err)
{
    if (X->rank < 1)
        return cvp_error_set(err, CVP_ERR_INPUT, "dilate: the operand is a scalar");
    if (sh < 1 || sw < 1)
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "dilate: the factor must be at least 1");
    size_t M = rows_of(X), N = cols_of(X), stack = stack_of(X);
    if (X->rank == 1)
        sh = 1;
    if ((M > 0 && M - 1 > (SIZE_MAX / 2) / sh) || (N > 0 && N - 1 > (SIZE_MAX / 2) / sw))
        return cvp_error_set(err, CVP_ERR_LIMIT, "dilate: result too large");
    size_t DM = M == 0 ? 0 : (M - 1) * sh + 1;
    size_t DN = N == 0 ? 0 : (N - 1) * sw + 1;
    cvp_ring *R = X->ring;
    cvp_tensor_t Y;
    cvp_tensor_init_ring(Y, R);
    cvp_status st = resize_matrix_like(Y, X, DM, DN, err);
    if (st == CVP_OK) {
        for (size_t s = 0; s < stack; s++)
            for (size_t i = 0; i < M; i++)
                for (size_t j = 0; j < N; j++)
                    R->set(R, ELEM(Y, (s * DM + i * sh) * DN + j * sw),
                           ELEM(X, (s * M + i) * N + j));
        cvp_tensor_swap(out, Y);
    }
    cvp_tensor_clear(Y);
    return st;
}
