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

#include "kernel/rng.h"
#include "kernel/sparse.h"
#include "kernel/tensor.h"

/* t := tensor of the given shape with integer entries values[0..size-1]
 * (row-major).  Usage: tu_ints(t, 2, (size_t[]){2, 3}, (long[]){1,2,3,4,5,6}); */
void tu_ints(cvp_tensor_t t, int rank, const size_t *shape, const long *values);

/* t := zeros of the given shape. */
void tu_zeros(cvp_tensor_t t, int rank, const size_t *shape);

/* t := random integers in [lo, hi] of the given shape. */
void tu_random(cvp_tensor_t t, cvp_rng *rng, int rank, const size_t *shape,
               long lo, long hi);

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

#endif
