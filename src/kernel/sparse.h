/* sparse.h -- exact sparse matrices and the explicit matrices of linear
 * operators (part of the trusted kernel).
 *
 * A cvp_sparse_t is a rows x cols matrix over Q stored as a list of
 * (row, col, value) triples.  After cvp_sparse_finish the list is sorted
 * row-major, holds each position at most once and no zero values; every
 * function below that reads a matrix requires this finished form, and
 * every function that produces one leaves it finished.
 *
 * The explicit matrix of conv2d makes exercise 5-7 checkable: with
 * vec() the row-major flattening, vec(conv2d(X, K)) = C vec(X) (bias
 * excluded: it is the affine part), and the backward pass to the input is
 * C^T vec(G).
 *
 * Sparse matrices are over Q only; the tensors they meet must be too.
 *
 * Aliasing: in cvp_sparse_transpose the output may not be the input.
 */
#ifndef CVP_SPARSE_H
#define CVP_SPARSE_H

#include <stdbool.h>
#include <stdio.h>

#include "kernel/conv2d.h"
#include "kernel/tensor.h"

typedef struct {
    size_t rows, cols;
    size_t nnz, capacity;
    size_t *row_index;
    size_t *col_index;
    mpq_t *values;   /* capacity initialised entries */
} cvp_sparse_struct;

typedef cvp_sparse_struct cvp_sparse_t[1];

/* An empty (all-zero) rows x cols matrix. */
void cvp_sparse_init(cvp_sparse_t A, size_t rows, size_t cols);
void cvp_sparse_clear(cvp_sparse_t A);

/* Appends value at (row, col), to be added to whatever is there already;
 * the matrix is unfinished until cvp_sparse_finish.  Fails with
 * CVP_ERR_LIMIT past cvp_tensor_max_entries stored triples. */
cvp_status cvp_sparse_append(cvp_sparse_t A, size_t row, size_t col,
                             const mpq_t value, cvp_error *err);

/* Sorts row-major, adds up repeated positions and drops zeros.  The
 * sort needs a second copy of the arrays: when malloc cannot give it,
 * cvp_sparse_finish_or_fail returns CVP_ERR_LIMIT ("out of memory") and
 * leaves A unfinished but valid (clearable); cvp_sparse_finish, for
 * matrices known to be small, asserts it does not happen. */
void cvp_sparse_finish(cvp_sparse_t A);
cvp_status cvp_sparse_finish_or_fail(cvp_sparse_t A, cvp_error *err);

/* B := A^T (B must not be A). */
cvp_status cvp_sparse_transpose(cvp_sparse_t B, const cvp_sparse_t A,
                                cvp_error *err);

/* y := A vec(x), with x of any shape holding A->cols entries; y has rank 1
 * and A->rows entries.  y may be x. */
cvp_status cvp_sparse_matvec(cvp_tensor_t y, const cvp_sparse_t A,
                             const cvp_tensor_t x, cvp_error *err);

/* Same dimensions and the same finished entries. */
bool cvp_sparse_equal(const cvp_sparse_t A, const cvp_sparse_t B);

/* D := A as a dense rank-2 tensor. */
cvp_status cvp_sparse_to_dense(cvp_tensor_t D, const cvp_sparse_t A,
                               cvp_error *err);

/* Writes A densely, one row per line, entries right-aligned in columns.
 * Meant for small sizes; returns -1 on a write error, else 0. */
int cvp_sparse_print_dense(FILE *stream, const cvp_sparse_t A);

/* C with vec(conv2d(X, K, no bias)) = C vec(X) for X of X's shape:
 * rows = size of the output, cols = size of X. */
cvp_status cvp_conv2d_matrix_input(cvp_sparse_t C, const cvp_tensor_t X,
                                   const cvp_tensor_t K,
                                   const cvp_conv2d_params *params,
                                   cvp_error *err);

/* C with vec(conv2d(X, K, no bias)) = C vec(K) for K of K's shape. */
cvp_status cvp_conv2d_matrix_weight(cvp_sparse_t C, const cvp_tensor_t X,
                                    const cvp_tensor_t K,
                                    const cvp_conv2d_params *params,
                                    cvp_error *err);

#endif
