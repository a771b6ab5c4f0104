/* fast_sparse.c -- the explicit matrices of conv2d and sparse transposes,
 * built directly in their finished (sorted, no zeros) form.
 *
 * The definitional builders (kernel/conv_matrix.c) append one triple per
 * term and sort; here the order is known in advance: rows come in
 * increasing order, and within a row the columns (c, h, w) -- or
 * (c, u, v) for the weight matrix -- increase strictly with the taps
 * (c, u, v), because a stride and a dilation of at least 1 make h and w
 * strictly increasing in u and v.  So the triples are counted, then
 * written in place, with zero coefficients left out as finishing would.
 * A transpose is a counting sort by column.  tests/test_fast.c compares
 * both with the definitional functions. */
#include "fast/fast_internal.h"

#include <stdlib.h>
#include <string.h>

#include "kernel/sparse.h"

/* The limit error of a matrix of nnz terms that could not be allocated. */
static cvp_status out_of_memory(cvp_error *err, size_t nnz)
{
    return cvp_error_set(err, CVP_ERR_LIMIT,
                         "out of memory (a sparse matrix of %zu terms)", nnz);
}

/* Storage for exactly nnz triples, the values not yet initialised (see
 * set_values).  A matrix past the entry limit, or one malloc cannot hold,
 * is a CVP_ERR_LIMIT (its size follows from the claim: a limit, never an
 * abort); C is then left empty. */
static cvp_status allocate(cvp_sparse_t C, size_t rows, size_t cols,
                           size_t nnz, cvp_error *err)
{
    cvp_sparse_clear(C);
    cvp_sparse_init(C, rows, cols);
    if (nnz > cvp_tensor_max_entries())
        return cvp_error_set(err, CVP_ERR_LIMIT,
                             "sparse matrix with more than %zu stored entries "
                             "(the limit; see --max-entries)",
                             cvp_tensor_max_entries());
    if (nnz == 0)
        return CVP_OK;
    C->row_index = malloc(nnz * sizeof *C->row_index);
    C->col_index = malloc(nnz * sizeof *C->col_index);
    C->values = malloc(nnz * sizeof *C->values);
    if (C->row_index == NULL || C->col_index == NULL || C->values == NULL) {
        cvp_sparse_clear(C);
        cvp_sparse_init(C, rows, cols);
        return out_of_memory(err, nnz);
    }
    return CVP_OK;
}

/* C->values[to[k]] := copies of src[k] for k < nnz (to == NULL: k
 * itself); then the matrix owns nnz initialised values.  The copies
 * allocate, so they are spread over the threads. */
static void set_values(cvp_sparse_t C, size_t nnz, mpq_srcptr const *src,
                       const size_t *to)
{
    FAST_OMP(omp parallel for schedule(static) if (nnz > FAST_PARALLEL_MIN))
    for (size_t k = 0; k < nnz; k++) {
        mpq_ptr v = C->values[to != NULL ? to[k] : k];
        mpq_init(v);
        mpq_set(v, src[k]);
    }
    C->capacity = nnz;
    C->nnz = nnz;
}

/* Runs conv2d's loop nest; with C == NULL only counts the nonzero
 * terms, else writes their positions and their values' addresses into
 * src.  `in_input`: the matrix is linear in X (coefficients from K). */
static size_t walk(cvp_sparse_t C, mpq_srcptr *src, const cvp_conv2d_dims *d,
                   const cvp_conv2d_params *p, const cvp_tensor_t X,
                   const cvp_tensor_t K, bool in_input)
{
    const size_t Og = d->O / p->groups;
    size_t nnz = 0;
    for (size_t n = 0; n < d->N; n++)
        for (size_t o = 0; o < d->O; o++)
            for (size_t i = 0; i < d->Ho; i++)
                for (size_t j = 0; j < d->Wo; j++) {
                    size_t row = ((n * d->O + o) * d->Ho + i) * d->Wo + j;
                    for (size_t c = 0; c < d->Cg; c++)
                        for (size_t u = 0; u < d->kH; u++) {
                            int64_t h = (int64_t)(i * p->stride[0] + u * p->dilation[0]) -
                                        (int64_t)p->padding[0];
                            if (h < 0 || h >= (int64_t)d->H)
                                continue;
                            for (size_t v = 0; v < d->kW; v++) {
                                int64_t w = (int64_t)(j * p->stride[1] + v * p->dilation[1]) -
                                            (int64_t)p->padding[1];
                                if (w < 0 || w >= (int64_t)d->W)
                                    continue;
                                size_t xc = (o / Og) * d->Cg + c;
                                size_t xpos = ((n * d->C + xc) * d->H + (size_t)h) * d->W +
                                              (size_t)w;
                                size_t kpos = ((o * d->Cg + c) * d->kH + u) * d->kW + v;
                                mpq_srcptr value = in_input ? cvp_tensor_at(K, kpos)
                                                            : cvp_tensor_at(X, xpos);
                                if (mpq_sgn(value) == 0)
                                    continue;
                                if (C != NULL) {
                                    C->row_index[nnz] = row;
                                    C->col_index[nnz] = in_input ? xpos : kpos;
                                    src[nnz] = value;
                                }
                                nnz++;
                            }
                        }
                }
    return nnz;
}

static cvp_status conv_matrix(cvp_sparse_t C, const cvp_tensor_t X,
                              const cvp_tensor_t K, const cvp_conv2d_params *p,
                              bool in_input, cvp_error *err)
{
    cvp_conv2d_dims d;
    if (cvp_fast_enabled() && X->ring == &cvp_ring_q && K->ring == &cvp_ring_q &&
        cvp_conv2d_check(&d, "conv2d matrix", X, K, NULL, p, NULL) == CVP_OK) {
        size_t nnz = walk(NULL, NULL, &d, p, X, K, in_input);
        size_t rows = d.N * d.O * d.Ho * d.Wo;
        cvp_status st = allocate(C, rows, in_input ? X->size : K->size, nnz,
                                 err);
        if (st != CVP_OK)
            return st;
        mpq_srcptr *src = malloc((nnz ? nnz : 1) * sizeof *src);
        if (src == NULL) {
            cvp_sparse_clear(C);
            cvp_sparse_init(C, rows, in_input ? X->size : K->size);
            return out_of_memory(err, nnz);
        }
        size_t written = walk(C, src, &d, p, X, K, in_input);
        CVP_ASSERT(written == nnz);
        set_values(C, nnz, src, NULL);
        free(src);
        return CVP_OK;
    }
    return in_input ? cvp_conv2d_matrix_input(C, X, K, p, err)
                    : cvp_conv2d_matrix_weight(C, X, K, p, err);
}

cvp_status cvp_fast_conv2d_matrix_input(cvp_sparse_t C, const cvp_tensor_t X,
                                        const cvp_tensor_t K,
                                        const cvp_conv2d_params *params,
                                        cvp_error *err)
{
    return conv_matrix(C, X, K, params, true, err);
}

cvp_status cvp_fast_conv2d_matrix_weight(cvp_sparse_t C, const cvp_tensor_t X,
                                         const cvp_tensor_t K,
                                         const cvp_conv2d_params *params,
                                         cvp_error *err)
{
    return conv_matrix(C, X, K, params, false, err);
}

cvp_status cvp_fast_sparse_transpose(cvp_sparse_t B, const cvp_sparse_t A,
                                     cvp_error *err)
{
    CVP_ASSERT(B != A);
    if (!cvp_fast_enabled())
        return cvp_sparse_transpose(B, A, err);
    cvp_status st = allocate(B, A->cols, A->rows, A->nnz, err);
    if (st != CVP_OK)
        return st;
    /* start[c]: where row c of B (column c of A) begins. */
    size_t *start = calloc(A->cols + 1, sizeof *start);
    size_t *to = malloc((A->nnz ? A->nnz : 1) * sizeof *to);
    mpq_srcptr *src = malloc((A->nnz ? A->nnz : 1) * sizeof *src);
    if (start == NULL || to == NULL || src == NULL) {
        free(start);
        free(to);
        free(src);
        cvp_sparse_clear(B);
        cvp_sparse_init(B, A->cols, A->rows);
        return out_of_memory(err, A->nnz);
    }
    for (size_t k = 0; k < A->nnz; k++)
        start[A->col_index[k] + 1]++;
    for (size_t c = 0; c < A->cols; c++)
        start[c + 1] += start[c];
    /* A is row-major, so each row of B receives its columns in order. */
    for (size_t k = 0; k < A->nnz; k++) {
        to[k] = start[A->col_index[k]]++;
        B->row_index[to[k]] = A->col_index[k];
        B->col_index[to[k]] = A->row_index[k];
        src[k] = A->values[k];
    }
    set_values(B, A->nnz, src, to);
    free(to);
    free(src);
    free(start);
    return CVP_OK;
}

/* y := A vec(x) in int64 when the matrix holds integers and every row's
 * sum of |a| |x| stays below 2^63; else the definitional product. */
cvp_status cvp_fast_sparse_matvec(cvp_tensor_t y, const cvp_sparse_t A,
                                  const cvp_tensor_t x, cvp_error *err)
{
    if (!cvp_fast_enabled() || x->ring != &cvp_ring_q || x->size != A->cols)
        return cvp_sparse_matvec(y, A, x, err);
    /* The largest |entry| of A (integers only) and the longest row. */
    uint64_t max_a = 0, longest = 0, run = 0;
    bool integral = true;
    for (size_t k = 0; integral && k < A->nnz; k++) {
        mpq_srcptr v = A->values[k];
        integral = mpz_cmp_ui(mpq_denref(v), 1) == 0 && mpz_fits_slong_p(mpq_numref(v));
        if (integral) {
            long a = mpz_get_si(mpq_numref(v));
            uint64_t m = a < 0 ? (uint64_t)0 - (uint64_t)a : (uint64_t)a;
            max_a = m > max_a ? m : max_a;
        }
        run = k > 0 && A->row_index[k] == A->row_index[k - 1] ? run + 1 : 1;
        longest = run > longest ? run : longest;
    }
    fast_operand xs;
    fast_operand_init(&xs);
    if (!integral || !fast_operand_scale(&xs, x) ||
        fast_bound(longest, max_a, xs.max) >= ((unsigned __int128)1 << 63)) {
        fast_operand_clear(&xs);
        return cvp_sparse_matvec(y, A, x, err);
    }
    int64_t *acc = calloc(A->rows ? A->rows : 1, sizeof *acc);
    if (acc == NULL) {
        fast_operand_clear(&xs);
        return cvp_sparse_matvec(y, A, x, err);
    }
    for (size_t k = 0; k < A->nnz; k++)
        acc[A->row_index[k]] += mpz_get_si(mpq_numref(A->values[k])) *
                                xs.v[A->col_index[k]];
    size_t rows = A->rows;
    bool made = fast_make_q(y, 1, &rows, acc, xs.den);
    free(acc);
    fast_operand_clear(&xs);
    return made ? CVP_OK : cvp_sparse_matvec(y, A, x, err);
}
