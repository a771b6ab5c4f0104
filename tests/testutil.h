/* testutil.h -- small helpers shared by the cmocka tests.
 *
 * Include after <cmocka.h> (which needs <stdarg.h>, <stddef.h>, <setjmp.h>
 * and <stdint.h> first).  These helpers only build and compare values; the
 * expected values themselves are written out by hand in each test or come
 * from a second method, never from the function under test. */
#ifndef CVP_TESTUTIL_H
#define CVP_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "kernel/conv2d.h"
#include "kernel/rng.h"
#include "kernel/sparse.h"
#include "kernel/tensor.h"

/* t := tensor of the given shape with integer entries values[0..size-1]
 * (row-major).  Usage: tu_ints(t, 2, (size_t[]){2, 3}, (long[]){1,2,3,4,5,6}); */
void tu_ints(cvp_tensor_t t, int rank, const size_t *shape, const long *values);

/* t := zeros of the given shape. */
void tu_zeros(cvp_tensor_t t, int rank, const size_t *shape);

/* t := tensor of `shape` whose entries are the fractions in `entries`,
 * separated by spaces ("1/4 -2 3"); exactly one per entry (asserted). */
void tu_fractions(cvp_tensor_t t, int rank, const size_t *shape,
                  const char *entries);

/* q := m * 2^e, built from integers only. */
void tu_set_dyadic(mpq_t q, long m, long e);

/* q := (2^bits - 1) * 2^e, e.g. DBL_MAX = (2^53 - 1) * 2^971. */
void tu_set_all_ones(mpq_t q, unsigned bits, long e);

/* t := random integers in [lo, hi] of the given shape. */
void tu_random(cvp_tensor_t t, cvp_rng *rng, int rank, const size_t *shape,
               long lo, long hi);

/* Float-like data: every entry a random 20-bit significand times 2^-2,
 * except the first `tiny` entries, at 2^-30 (odd numerators: the few tiny
 * samples of float data, which set the common denominator).  Scaled to
 * integers, the big entries reach 2^48. */
void tu_float_like(cvp_tensor_t t, cvp_rng *rng, int rank, const size_t *shape,
                   size_t tiny);

/* t := residues over the prime field F (modulus p) of the given shape:
 * mostly uniform, a quarter among the top three (p - 1 is -1), so that
 * accumulators see their largest products.  Any prime p, 2 included. */
void tu_random_residues(cvp_tensor_t t, cvp_ring *F, cvp_rng *rng, int rank,
                        const size_t *shape, uint64_t p);

/* Fails the test (printing both tensors) unless a and b are equal. */
#define tu_assert_equal(a, b) tu_assert_equal_at((a), (b), __FILE__, __LINE__)
void tu_assert_equal_at(const cvp_tensor_t a, const cvp_tensor_t b,
                        const char *file, int line);

/* Fails the test (printing the error) unless st is CVP_OK. */
#define tu_assert_ok(st, err) tu_assert_ok_at((st), (err), __FILE__, __LINE__)
void tu_assert_ok_at(cvp_status st, const cvp_error *err, const char *file,
                     int line);

/* Fails unless st == expected and the message contains `fragment`. */
#define tu_assert_fails(st, err, expected, fragment) \
    tu_assert_fails_at((st), (err), (expected), (fragment), __FILE__, __LINE__)
void tu_assert_fails_at(cvp_status st, const cvp_error *err,
                        cvp_status expected, const char *fragment,
                        const char *file, int line);

/* Inner product <a, b> of two tensors of equal size (shapes may differ). */
void tu_dot(mpq_t result, const cvp_tensor_t a, const cvp_tensor_t b);

/* A linear map of one tensor argument, for probing. */
typedef cvp_status (*tu_linear_fn)(cvp_tensor_t out, const cvp_tensor_t in,
                                   void *context, cvp_error *err);

/* The Jacobian of a linear map f at shape `like`, built column by column
 * as f(e_k) -- the independent second method the issue asks for: column k
 * of the explicit matrix is the response to the k-th unit input. */
void tu_jacobian_by_probing(cvp_sparse_t J, tu_linear_fn f, void *context,
                            const cvp_tensor_t like);

/* Prints a tensor to stderr in a compact form (for failure messages). */
void tu_print(const char *label, const cvp_tensor_t t);

/* ---- helpers of the conv2d / pooling / sparse tests ------------------ */

/* out (shape of `like`) := J^T vec(g), summed term by term over J's
 * triples: the backward pass that a linear map's Jacobian J implies. */
void tu_transpose_apply(cvp_tensor_t out, const cvp_sparse_t J,
                        const cvp_tensor_t g, const cvp_tensor_t like);

/* A random conv2d layer: N 1..2 (or unbatched CHW), groups 1..4 dividing
 * C and O (both <= 4), H, W 1..7, kernel 1..3, stride 1..3, padding 0..2,
 * dilation 1..2, redrawn until the output is non-empty.  Ho, Wo come from
 * the output-size formula written out again in testutil.c. */
typedef struct {
    int rank;                   /* of X and Y: 4 (NCHW) or 3 (CHW) */
    size_t N, C, O, H, W, kH, kW, Ho, Wo;
    cvp_conv2d_params p;        /* output_padding 0 */
    size_t x_shape[4], k_shape[4], y_shape[4];
} tu_conv_case;

void tu_random_conv_case(tu_conv_case *cc, cvp_rng *rng);

/* Prints the case to stderr (call before failing on it). */
void tu_print_conv_case(const tu_conv_case *cc);

/* Draws a case, then X (cc->x_shape), K (cc->k_shape) and, unless G is
 * NULL, G (cc->y_shape, a gradient of the output), all integers in
 * -9..9, in that order (so the draws that follow are fixed by the seed). */
void tu_random_conv_operands(tu_conv_case *cc, cvp_rng *rng, cvp_tensor_t X,
                             cvp_tensor_t K, cvp_tensor_t G);

/* Fails on a random case unless actual equals expected, printing the case
 * and both tensors first. */
#define tu_assert_equal_case(actual, expected, cc) \
    tu_assert_equal_case_at((actual), (expected), (cc), __FILE__, __LINE__)
void tu_assert_equal_case_at(const cvp_tensor_t actual,
                             const cvp_tensor_t expected,
                             const tu_conv_case *cc, const char *file, int line);

/* conv2d as a linear map of one argument with the others fixed (for
 * tu_jacobian_by_probing); the context is a tu_conv_context, which
 * borrows its tensors and parameters. */
typedef struct {
    const cvp_tensor_struct *X, *K;   /* the fixed other arguments */
    const cvp_conv2d_params *p;
} tu_conv_context;

/* in |-> conv2d(in, K) */
cvp_status tu_conv2d_of_input(cvp_tensor_t out, const cvp_tensor_t in,
                              void *context, cvp_error *err);
/* in |-> conv2d(X, in) */
cvp_status tu_conv2d_of_weight(cvp_tensor_t out, const cvp_tensor_t in,
                               void *context, cvp_error *err);
/* in |-> conv2d(X, K, bias=in): linear in the bias when X is zero, as
 * b broadcast over the positions. */
cvp_status tu_conv2d_of_bias(cvp_tensor_t out, const cvp_tensor_t in,
                             void *context, cvp_error *err);

/* ---- conv2d-family evaluations written out by hand -------------------- */

/* Which operator a tu_conv_hand row runs. */
typedef enum {
    TU_CONV2D,                  /* conv2d(X, K, b) */
    TU_CONV_TRANSPOSE2D,        /* conv_transpose2d(X, K, b) */
    TU_CONV2D_BACKWARD_INPUT,   /* d<G, conv2d(X, K)>/dX */
    TU_CONV2D_BACKWARD_WEIGHT,  /* d<G, conv2d(X, K)>/dK */
    TU_CONV2D_BACKWARD_BIAS     /* d<G, conv2d(X, K, b)>/db (reads only G) */
} tu_conv_op;

/* One evaluation and its result worked out by hand.  Tensors are given by
 * rank, shape and their entries as text ("1 2 -3", see tu_fractions).  In
 * the parameters a zero means the default: stride, dilation and groups 1,
 * padding and output_padding 0. */
typedef struct {
    tu_conv_op op;
    int x_rank;                 /* X's rank, 4 (NCHW) or 3 (CHW) */
    size_t x_shape[4];
    const char *x;
    size_t k_shape[4];          /* the weight, always rank 4 */
    const char *k;
    const char *b;              /* the bias (O entries), or NULL for none */
    int g_rank;                 /* G, the backward operators' gradient */
    size_t g_shape[4];
    const char *g;
    size_t stride[2], padding[2], dilation[2], output_padding[2], groups;
    int y_rank;                 /* the expected result */
    size_t y_shape[4];
    const char *y;
} tu_conv_hand;

/* Runs the row and asserts that the result equals y exactly (both printed
 * with `label` on a mismatch). */
void tu_check_conv_hand(const tu_conv_hand *c, const char *label);

/* Runs every row of a table of n rows. */
void tu_check_conv_hands(const tu_conv_hand *rows, size_t n);

/* ---- packed tensors (kernel/packed.h) --------------------------------- */

/* out := an unpacked copy of t, built entry by entry from the rationals
 * (so it shares nothing with t's packed form). */
void tu_unpacked_copy(cvp_tensor_t out, const cvp_tensor_t t);

/* t := packed tensor num[k] / den (den as decimal text), canonicalised;
 * asserts the result is canonical. */
void tu_packed_of(cvp_tensor_t t, int rank, const size_t *shape,
                  const int64_t *num, const char *den);

/* Fails unless entry k of t equals the rational written as text ("-3/4"). */
void tu_assert_entry(const cvp_tensor_t t, size_t k, const char *text);

#endif
