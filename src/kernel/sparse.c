/* sparse.c -- exact sparse matrices as sorted (row, col, value) triples. */
#include "kernel/sparse.h"

#include <stdlib.h>
#include <string.h>

void cvp_sparse_init(cvp_sparse_t A, size_t rows, size_t cols)
{
    memset(A, 0, sizeof *A);
    A->rows = rows;
    A->cols = cols;
}

void cvp_sparse_clear(cvp_sparse_t A)
{
    for (size_t k = 0; k < A->capacity; k++)
        mpq_clear(A->values[k]);
    free(A->values);
    free(A->row_index);
    free(A->col_index);
    memset(A, 0, sizeof *A);
}

cvp_status cvp_sparse_append(cvp_sparse_t A, size_t row, size_t col,
                             const mpq_t value, cvp_error *err)
{
    CVP_ASSERT(row < A->rows && col < A->cols);
    if (A->nnz == A->capacity) {
        if (A->capacity >= cvp_tensor_max_entries())
            return cvp_error_set(err, CVP_ERR_LIMIT,
                                 "sparse matrix with more than %zu stored entries "
                                 "(the limit; see --max-entries)",
                                 cvp_tensor_max_entries());
        size_t grown = A->capacity ? 2 * A->capacity : 64;
        if (grown > cvp_tensor_max_entries())
            grown = cvp_tensor_max_entries();
        mpq_t *values = realloc(A->values, grown * sizeof *values);
        if (values != NULL)
            A->values = values;
        size_t *rows = realloc(A->row_index, grown * sizeof *rows);
        if (rows != NULL)
            A->row_index = rows;
        size_t *cols = realloc(A->col_index, grown * sizeof *cols);
        if (cols != NULL)
            A->col_index = cols;
        if (values == NULL || rows == NULL || cols == NULL)
            return cvp_error_set(err, CVP_ERR_LIMIT,
                                 "out of memory growing a sparse matrix");
        for (size_t k = A->capacity; k < grown; k++)
            mpq_init(A->values[k]);
        A->capacity = grown;
    }
    A->row_index[A->nnz] = row;
    A->col_index[A->nnz] = col;
    mpq_set(A->values[A->nnz], value);
    A->nnz++;
    return CVP_OK;
}

/* qsort cannot carry the matrix, so sort a permutation with a file-local
 * pointer to the keys, one per thread (claims are checked on several
 * threads with `convproof check --jobs`). */
static _Thread_local const cvp_sparse_struct *sort_matrix;

static int compare_positions(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    const cvp_sparse_struct *A = sort_matrix;
    if (A->row_index[a] != A->row_index[b])
        return A->row_index[a] < A->row_index[b] ? -1 : 1;
    if (A->col_index[a] != A->col_index[b])
        return A->col_index[a] < A->col_index[b] ? -1 : 1;
    return a < b ? -1 : a > b;
}

void cvp_sparse_finish(cvp_sparse_t A)
{
    cvp_status st = cvp_sparse_finish_or_fail(A, NULL);
    CVP_ASSERT(st == CVP_OK);
}

cvp_status cvp_sparse_finish_or_fail(cvp_sparse_t A, cvp_error *err)
{
    size_t n = A->nnz;
    if (n == 0)
        return CVP_OK;
    /* capacity <= cvp_tensor_max_entries (cvp_sparse_append), so the
     * sizes cannot overflow */
    size_t *order = malloc(n * sizeof *order);
    size_t *rows = malloc(A->capacity * sizeof *rows);
    size_t *cols = malloc(A->capacity * sizeof *cols);
    mpq_t *values = malloc(A->capacity * sizeof *values);
    if (order == NULL || rows == NULL || cols == NULL || values == NULL) {
        free(order);
        free(rows);
        free(cols);
        free(values);
        return cvp_error_set(err, CVP_ERR_LIMIT, "out of memory (sorting a "
                             "sparse matrix of %zu terms)", n);
    }
    for (size_t k = 0; k < n; k++)
        order[k] = k;
    sort_matrix = A;
    qsort(order, n, sizeof *order, compare_positions);
    sort_matrix = NULL;
    /* Walk the triples in sorted order, adding up repeated positions into
     * the last kept one.  mpq_t structs are moved shallowly (GMP values may
     * be relocated by copying the struct); every source value ends up either
     * moved (kept) or cleared. */
    size_t kept = 0;
    for (size_t k = 0; k < n; k++) {
        size_t src = order[k];
        if (kept > 0 && rows[kept - 1] == A->row_index[src] &&
            cols[kept - 1] == A->col_index[src]) {
            mpq_add(values[kept - 1], values[kept - 1], A->values[src]);
            mpq_clear(A->values[src]);
        } else {
            rows[kept] = A->row_index[src];
            cols[kept] = A->col_index[src];
            memcpy(values[kept], A->values[src], sizeof(mpq_t));
            kept++;
        }
    }
    /* Drop zeros (cancelled sums or explicit zeros), compacting in place. */
    size_t nonzero = 0;
    for (size_t k = 0; k < kept; k++) {
        if (mpq_sgn(values[k]) == 0) {
            mpq_clear(values[k]);
            continue;
        }
        rows[nonzero] = rows[k];
        cols[nonzero] = cols[k];
        memmove(values[nonzero], values[k], sizeof(mpq_t));
        nonzero++;
    }
    /* The unused tail of the old array (never appended to) moves over; the
     * rest of the new one is initialised afresh. */
    for (size_t k = nonzero; k < n; k++)
        mpq_init(values[k]);
    for (size_t k = n; k < A->capacity; k++)
        memcpy(values[k], A->values[k], sizeof(mpq_t));
    free(A->values);
    free(A->row_index);
    free(A->col_index);
    free(order);
    A->values = values;
    A->row_index = rows;
    A->col_index = cols;
    A->nnz = nonzero;
    return CVP_OK;
}

cvp_status cvp_sparse_transpose(cvp_sparse_t B, const cvp_sparse_t A,
                                cvp_error *err)
{
    CVP_ASSERT(B != A);
    cvp_sparse_clear(B);
    cvp_sparse_init(B, A->cols, A->rows);
    for (size_t k = 0; k < A->nnz; k++) {
        cvp_status st = cvp_sparse_append(B, A->col_index[k], A->row_index[k],
                                          A->values[k], err);
        if (st != CVP_OK)
            return st;
    }
    return cvp_sparse_finish_or_fail(B, err);
}

cvp_status cvp_sparse_matvec(cvp_tensor_t y, const cvp_sparse_t A,
                             const cvp_tensor_t x, cvp_error *err)
{
    if (x->ring != &cvp_ring_q)
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "matrix-vector product: the vector must be over Q, not %s",
                             x->ring->name);
    if (x->size != A->cols)
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "matrix-vector product: the matrix has %zu columns but "
                             "the vector has %zu entries", A->cols, x->size);
    cvp_tensor_t result;
    cvp_tensor_init(result);
    size_t rows = A->rows;
    cvp_status st = cvp_tensor_resize(result, 1, &rows, err);
    if (st == CVP_OK) {
        mpq_t product;
        mpq_init(product);
        for (size_t k = 0; k < A->nnz; k++) {
            mpq_mul(product, A->values[k], cvp_tensor_at(x, A->col_index[k]));
            mpq_add(cvp_tensor_at(result, A->row_index[k]),
                    cvp_tensor_at(result, A->row_index[k]), product);
        }
        mpq_clear(product);
        cvp_tensor_swap(y, result);
    }
    cvp_tensor_clear(result);
    return st;
}

bool cvp_sparse_equal(const cvp_sparse_t A, const cvp_sparse_t B)
{
    if (A->rows != B->rows || A->cols != B->cols || A->nnz != B->nnz)
        return false;
    for (size_t k = 0; k < A->nnz; k++)
        if (A->row_index[k] != B->row_index[k] ||
            A->col_index[k] != B->col_index[k] ||
            !mpq_equal(A->values[k], B->values[k]))
            return false;
    return true;
}

cvp_status cvp_sparse_to_dense(cvp_tensor_t D, const cvp_sparse_t A,
                               cvp_error *err)
{
    size_t shape[2] = {A->rows, A->cols};
    cvp_tensor_set_ring(D, &cvp_ring_q);
    cvp_status st = cvp_tensor_resize(D, 2, shape, err);
    if (st != CVP_OK)
        return st;
    for (size_t k = 0; k < A->nnz; k++)
        mpq_set(cvp_tensor_at(D, A->row_index[k] * A->cols + A->col_index[k]),
                A->values[k]);
    return CVP_OK;
}

/* Frees a string that GMP allocated, with GMP's own deallocator. */
static void free_gmp_string(char *text)
{
    void (*gmp_free)(void *, size_t);
    mp_get_memory_functions(NULL, NULL, &gmp_free);
    gmp_free(text, strlen(text) + 1);
}

int cvp_sparse_print_dense(FILE *stream, const cvp_sparse_t A)
{
    /* Column width: the longest entry, so columns line up. */
    size_t width = 1;
    for (size_t k = 0; k < A->nnz; k++) {
        char *text = mpq_get_str(NULL, 10, A->values[k]);
        size_t len = strlen(text);
        if (len > width)
            width = len;
        free_gmp_string(text);
    }
    size_t next = 0;
    for (size_t r = 0; r < A->rows; r++) {
        for (size_t c = 0; c < A->cols; c++) {
            const char *sep = c ? " " : "";
            if (next < A->nnz && A->row_index[next] == r && A->col_index[next] == c) {
                char *text = mpq_get_str(NULL, 10, A->values[next++]);
                int ok = fprintf(stream, "%s%*s", sep, (int)width, text);
                free_gmp_string(text);
                if (ok < 0)
                    return -1;
            } else if (fprintf(stream, "%s%*s", sep, (int)width, "0") < 0) {
                return -1;
            }
        }
        if (fputc('\n', stream) == EOF)
            return -1;
    }
    return 0;
}
