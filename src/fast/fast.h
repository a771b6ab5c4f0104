/* fast.h -- bound-guided exact kernels for conv2d, its backward passes and
 * matmul (outside the trusted kernel).
 *
 * Each function here computes exactly what its definitional counterpart
 * in src/kernel computes -- the same shapes, the same exact entries, the
 * same errors -- but in machine arithmetic when that is provably exact:
 *
 *   1. Every operand over Q is scaled to integers by the least common
 *      multiple of its denominators (D_A, D_B); the largest scaled
 *      magnitudes M_A, M_B and the reduction length L (how many products
 *      one output entry adds up) bound every partial sum of every output
 *      entry by  B = L * M_A * M_B,  whatever the order of summation.
 *   2. The narrowest exact arithmetic is chosen:
 *        B < 2^24   float32   (every product and partial sum is an integer
 *                              that float32 represents exactly),
 *        B < 2^53   float64,
 *        B < 2^63   int64,
 *        B < 2^127  residues modulo the 1-3 largest primes below 2^61
 *                   (their product above 2B), by the prime-field kernel,
 *                   then the Chinese remainder theorem (fast_crt.c),
 *      and the definitional kernel (GMP) otherwise, or when a scaled
 *      entry or a common denominator does not fit in 64 bits.
 *   3. The integer result R gives the exact output R / (D_A * D_B).
 *
 * Over the prime field of kernel/ring_small.h the same loop nests run on
 * uint64 residues with 128-bit accumulators (used by the `random`
 * method).  In the degree semiring (the `random` method's degree bound)
 * operands whose entries all have the same degree are evaluated on one
 * image plane and broadcast (fast_degree.c), and in the height semiring
 * (its coefficient bound) uniform operands without denominators get the
 * bound of a sum of n products, n counted on one plane (fast_height.c);
 * other degree and height tensors and
 * every other ring (polynomials, dual numbers, the shape-only ring) go
 * to the definitional kernel.
 *
 * The float paths are an im2col followed by a matrix product, computed by
 * a BLAS when one was found at configure time (else by plain loops).  A
 * BLAS is outside the trusted code: every product it returns is checked
 * exactly (Freivalds: C r == A (B r) in 128-bit integers, r random in
 * [0, 2^32), so a wrong product passes with probability at most 2^-32);
 * on a mismatch the whole operation is recomputed by the definitional
 * kernel and the fallback is counted (cvp_fast_stats).
 *
 * The chosen path never changes a result; tests/test_fast.c compares
 * every path with the definitional operators, including operands right at
 * each path's limit.
 *
 * Threads: the big loops use OpenMP when the library was built with it;
 * exact arithmetic makes the results identical for any thread count.
 *
 * Aliasing and ownership: as for the kernel operators (kernel/conv2d.h):
 * the output may be any input; inputs are only read.
 */
#ifndef CVP_FAST_H
#define CVP_FAST_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/conv2d.h"
#include "kernel/sparse.h"
#include "kernel/tensor.h"

/* Which arithmetic evaluated an operation. */
typedef enum {
    CVP_FAST_PATH_REFERENCE = 0,   /* the definitional kernel */
    CVP_FAST_PATH_FLOAT32,
    CVP_FAST_PATH_FLOAT64,
    CVP_FAST_PATH_INT64,
    CVP_FAST_PATH_CRT,             /* residues mod 1-3 primes, then CRT */
    CVP_FAST_PATH_MODP,            /* uint64 residues of a prime field */
    CVP_FAST_PATH_DEGREE,          /* uniform operands, degree semiring */
    CVP_FAST_PATH_HEIGHT,          /* uniform operands, height semiring */
    CVP_FAST_PATH_COUNT
} cvp_fast_path;

/* "reference", "float32", "float64", "int64", "CRT", "mod p",
 * "uniform degree", "uniform height". */
const char *cvp_fast_path_name(cvp_fast_path path);

/* Process-wide switch: when false every function below calls the
 * definitional kernel (the command's --reference).  Default true. */
void cvp_fast_set_enabled(bool enabled);
bool cvp_fast_enabled(void);

/* Test hook: forces every operation onto at least this wide a path
 * (CVP_FAST_PATH_REFERENCE: no forcing).  E.g. INT64 makes operands
 * small enough for float64 use int64.  Process-wide; not for production. */
void cvp_fast_set_min_path(cvp_fast_path path);

/* Test hook: when true, the next BLAS product is corrupted in one entry
 * after it returns, so the exact check must catch it.  Cleared when
 * used. */
void cvp_fast_inject_fault(bool inject);

/* Test hook: entries of one im2col block (0: the default, 2^20), so that
 * small tests also cross block boundaries. */
void cvp_fast_set_block_entries(size_t entries);

/* Test hook: false makes products beyond int64 use the residues modulo
 * primes near 2^61 even when a BLAS is linked (default true: float64
 * residues modulo small primes, through the BLAS). */
void cvp_fast_set_crt_float(bool on);

/* Test hook: when 3x3 layers with stride 1 and dilation 1 take Winograd's
 * F(4x4, 3x3) over a prime field (fast_winograd.c): AUTO (the default)
 * when a group has at least 64 channel pairs, ALWAYS whenever the prime
 * does not divide 6, NEVER. */
typedef enum {
    CVP_FAST_WINOGRAD_AUTO,
    CVP_FAST_WINOGRAD_ALWAYS,
    CVP_FAST_WINOGRAD_NEVER
} cvp_fast_winograd;
void cvp_fast_set_winograd(cvp_fast_winograd mode);

/* Test hook: false keeps the layers that take F(4x4, 3x3) on the residue
 * route (one transform per prime, then Garner) instead of the exact one
 * (default true: the transforms once in integers and three checked
 * float64 products per position, fast_winograd_exact.c). */
void cvp_fast_set_winograd_exact(bool on);

/* Counters since the start of the process (atomic). */
typedef struct {
    uint64_t calls[CVP_FAST_PATH_COUNT];   /* operations per path */
    uint64_t winograd;                     /* layers done by F(4x4, 3x3) */
    uint64_t winograd_exact;               /* ... of them exactly in
                                              integers, with no prime */
    uint64_t threaded;                     /* forward passes whose blocks
                                              ran side by side on threads */
    uint64_t checks;                       /* exact checks of BLAS products */
    uint64_t check_failures;               /* ... that failed (fallbacks) */
} cvp_fast_stats_t;
void cvp_fast_stats(cvp_fast_stats_t *stats);

/* True when the float paths use a BLAS (else plain loops). */
bool cvp_fast_have_blas(void);

/* The operators.  Same contracts as cvp_conv2d, cvp_conv2d_backward_input,
 * cvp_conv2d_backward_weight (kernel/conv2d_backward.h) and
 * cvp_tensor_matmul (kernel/tensor.h).  `path` (may be NULL) receives the
 * arithmetic that produced the result. */
cvp_status cvp_fast_conv2d(cvp_tensor_t out, const cvp_tensor_t X,
                           const cvp_tensor_t K, const cvp_tensor_struct *bias,
                           const cvp_conv2d_params *params,
                           cvp_fast_path *path, cvp_error *err);
cvp_status cvp_fast_conv2d_backward_input(cvp_tensor_t out,
                                          const cvp_tensor_t X,
                                          const cvp_tensor_t K,
                                          const cvp_tensor_t G,
                                          const cvp_conv2d_params *params,
                                          cvp_fast_path *path, cvp_error *err);
cvp_status cvp_fast_conv2d_backward_weight(cvp_tensor_t out,
                                           const cvp_tensor_t X,
                                           const cvp_tensor_t K,
                                           const cvp_tensor_t G,
                                           const cvp_conv2d_params *params,
                                           cvp_fast_path *path, cvp_error *err);
cvp_status cvp_fast_matmul(cvp_tensor_t out, const cvp_tensor_t A,
                           const cvp_tensor_t B, cvp_fast_path *path,
                           cvp_error *err);

/* The sum of all entries, as cvp_tensor_sum_all (kernel/tensor.h); in
 * the height semiring, when no entry has a denominator, the bound of a
 * sum of n terms (max + ceil(log2 n)) instead of the chain's (one bit per
 * term) (fast_height.c). */
cvp_status cvp_fast_sum_all(cvp_tensor_t out, const cvp_tensor_t X,
                            cvp_error *err);

/* The explicit matrices of conv2d (exercise 5-7) and the transpose of a
 * sparse matrix, equal to cvp_conv2d_matrix_input/_weight and
 * cvp_sparse_transpose (kernel/sparse.h) but built directly in finished
 * order instead of appended and sorted (fast_sparse.c).  B must not be
 * A. */
cvp_status cvp_fast_conv2d_matrix_input(cvp_sparse_t C, const cvp_tensor_t X,
                                        const cvp_tensor_t K,
                                        const cvp_conv2d_params *params,
                                        cvp_error *err);
cvp_status cvp_fast_conv2d_matrix_weight(cvp_sparse_t C, const cvp_tensor_t X,
                                         const cvp_tensor_t K,
                                         const cvp_conv2d_params *params,
                                         cvp_error *err);
cvp_status cvp_fast_sparse_transpose(cvp_sparse_t B, const cvp_sparse_t A,
                                     cvp_error *err);
/* cvp_sparse_matvec, in int64 when that is exact (integer matrix entries,
 * row sums of |a| |x| below 2^63).  y may be x. */
cvp_status cvp_fast_sparse_matvec(cvp_tensor_t y, const cvp_sparse_t A,
                                  const cvp_tensor_t x, cvp_error *err);

#endif
