/* compare.h -- checking floating-point results against exact tensors:
 * conversions from C buffers, exact comparison, and comparison within the
 * rigorous error bound of a sum of products.
 *
 * This is the part of libconvproof meant for other people's unit tests:
 * convert the float or integer buffers of a kernel under test into exact
 * tensors, compute the expected result with the definitional operators
 * (kernel/conv2d.h, kernel/pool.h, ...), and compare.  When every product
 * and every partial sum of the computation is an integer below 2^p in
 * magnitude (p = 53 for double, 24 for float), a floating-point result
 * must be exact and any difference is a bug: compare with terms = 0.
 * Otherwise each entry y = sum_k a_k, computed in any order with IEEE
 * round-to-nearest arithmetic, satisfies the standard bound
 *
 *     |fl(y) - y| <= gamma_n * sum_k |a_k|,   gamma_n = n u / (1 - n u),
 *
 * u = 2^-p, n the number of terms (products) summed, so a result outside
 * it is a bug and one inside it is rounding.  sum_k |a_k| is computed
 * exactly by running the same operator on |inputs| (cvp_tensor_abs).
 *
 * Every function works on Q tensors (the default ring).  Errors follow
 * kernel/status.h.  Aliasing: out may be an input where one is given.
 */
#ifndef CVP_COMPARE_H
#define CVP_COMPARE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>   /* before gmp.h: it declares gmp_fprintf & co. only then */
#include <gmp.h>

#include "kernel/tensor.h"

/* ---- C buffers -> exact tensors ------------------------------------- */

/* out := the row-major buffer `data` of the given shape, each entry the
 * exact rational its value denotes.  NaN or infinity is CVP_ERR_INPUT
 * naming the entry's index. */
cvp_status cvp_tensor_from_doubles(cvp_tensor_t out, int rank,
                                   const size_t *shape, const double *data,
                                   cvp_error *err);
cvp_status cvp_tensor_from_floats(cvp_tensor_t out, int rank,
                                  const size_t *shape, const float *data,
                                  cvp_error *err);
cvp_status cvp_tensor_from_int32s(cvp_tensor_t out, int rank,
                                  const size_t *shape, const int32_t *data,
                                  cvp_error *err);
cvp_status cvp_tensor_from_int64s(cvp_tensor_t out, int rank,
                                  const size_t *shape, const int64_t *data,
                                  cvp_error *err);

/* out := |t| entrywise.  out may be t. */
cvp_status cvp_tensor_abs(cvp_tensor_t out, const cvp_tensor_t t,
                          cvp_error *err);

/* ---- floating-point formats ----------------------------------------- */

/* precision is 53 (IEEE binary64, double) or 24 (binary32, float). */
#define CVP_PRECISION_DOUBLE 53
#define CVP_PRECISION_FLOAT 24

/* out := q rounded to the nearest number of the format (ties to even,
 * with its subnormals), computed with MPFR.  Returns false, leaving out
 * unspecified, when that rounding overflows to infinity.  out may be q. */
bool cvp_round_nearest(mpq_t out, const mpq_t q, int precision);

/* out := ulp(x), the spacing of the format's numbers at x: 2^(e - p) for
 * 2^(e-1) <= |x| < 2^e, and never below the smallest subnormal (which is
 * also ulp(0)).  out may be x. */
void cvp_ulp(mpq_t out, const mpq_t x, int precision);

/* out := gamma_n = n u / (1 - n u) = n / (2^p - n) exactly.  Requires
 * n < 2^p. */
void cvp_gamma(mpq_t out, unsigned long n, int precision);

/* ---- comparison ----------------------------------------------------- */

/* What a comparison allows.  terms == 0: exact equality.  Otherwise each
 * entry may be off by at most gamma_terms * abs_sum[entry], abs_sum having
 * the shape of the expected tensor. */
typedef struct {
    int precision;                     /* 53 or 24 */
    unsigned long terms;               /* n, or 0 for exact */
    const cvp_tensor_struct *abs_sum;  /* sum of |terms| per entry */
} cvp_compare_bound;

#define CVP_COMPARE_LISTED 8

typedef struct {
    size_t compared;      /* entries compared */
    size_t differing;     /* entries outside what is allowed */
    size_t listed;        /* the first min(differing, CVP_COMPARE_LISTED)... */
    size_t offsets[CVP_COMPARE_LISTED];  /* ...flat offsets, in order */
    int rank;             /* of the tensors compared */
    size_t index[CVP_MAX_RANK];          /* index of the first differing entry */
    mpq_t expected, got;  /* at the first differing entry */
    double first_ulps;    /* its error, in ulps of the expected value
                             rounded (the error itself when that is 0) */
    double first_allowed_ulps;           /* what was allowed there, alike */
    double max_ulps;      /* largest error over the entries whose exact
                             value is not 0, in ulps */
    size_t zero_errors;   /* entries whose exact value is 0 but the result
                             is not (cancellation): ulps mean nothing there,
                             the bound still applies */
    double max_ratio;     /* largest error / allowed (0 without error; an
                             error where nothing was allowed counts as
                             infinity) */
} cvp_compare_result;

void cvp_compare_result_init(cvp_compare_result *r);
void cvp_compare_result_clear(cvp_compare_result *r);

/* Compares got with expected entry by entry.  Different shapes are
 * CVP_ERR_INPUT (naming both).  bound may be NULL (exact, precision 53 for
 * the ulps shown).  The first differing entry is the one with the
 * smallest row-major index. */
cvp_status cvp_compare(cvp_compare_result *r, const cvp_tensor_t expected,
                       const cvp_tensor_t got, const cvp_compare_bound *bound,
                       cvp_error *err);

/* One line on the first differing entry:
 *   "y[0,1,2,0]: got 3, expected 5 (error 2 ulp, allowed 0 ulp)"
 * (the error and the allowance as numbers when the expected value is 0;
 * empty when nothing differs).  `name` may be NULL. */
void cvp_compare_describe(char *buf, size_t size, const cvp_compare_result *r,
                          const char *name);

/* Formats a double as the shortest decimal that reads back as the same
 * double ("0.1", "3", "-2.5e-07"); NaN and infinities as "nan", "inf",
 * "-inf". */
void cvp_format_double(char *buf, size_t size, double x);

/* Formats a count of ulps with three significant digits ("0.5", "12",
 * "1.5e+03"), the decimal point always '.'. */
void cvp_format_ulps(char *buf, size_t size, double x);

#endif
