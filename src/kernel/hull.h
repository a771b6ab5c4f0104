/* hull.h -- is a point of Q^n in the convex hull of finitely many points?
 * Decided exactly, with a certificate either way (part of the trusted
 * kernel: `show A in subgrad(L, X)` passes or fails on this answer).
 *
 * The question is the feasibility of the linear program
 *
 *     sum_j w_j p_j = a,   sum_j w_j = 1,   w_j >= 0,
 *
 * decided by phase 1 of the simplex method over Q (GMP rationals,
 * Bland's rule, so it terminates).  Whatever the simplex says is then
 * checked directly, and only the check is trusted:
 *
 *   member      the weights w: w_j >= 0, sum w_j = 1, sum w_j p_j = a;
 *   not member  a separating direction u and threshold t (Farkas):
 *               u . p_j <= t for every j, and u . a > t.
 *
 * Either certificate settles the question on its own, so an error in the
 * pivoting can only make the call fail its check (an internal error),
 * never give a wrong answer.
 *
 * Ownership: the result owns its arrays; the points are only read.
 */
#ifndef CVP_HULL_H
#define CVP_HULL_H

#include <stdbool.h>
#include <stddef.h>

#include "kernel/tensor.h"

typedef struct {
    bool member;
    size_t n, m;             /* dimension, number of points */
    mpq_t *weights;          /* member: m weights */
    mpq_t *direction;        /* not member: u, n entries */
    mpq_t threshold;         /* not member: t */
} cvp_hull_result;

void cvp_hull_result_init(cvp_hull_result *r);
void cvp_hull_result_clear(cvp_hull_result *r);

/* Decides whether `a` is in the convex hull of points[0..m-1] (m >= 1).
 * All are Q tensors with a->size entries each (their shapes are not
 * compared, only their entries in row-major order).  CVP_ERR_INPUT when
 * the sizes differ or m is 0; CVP_ERR_LIMIT when the tableau would
 * exceed the entry limit of kernel/tensor.h. */
cvp_status cvp_hull_member(cvp_hull_result *r, const cvp_tensor_struct *a,
                           const cvp_tensor_struct *const *points, size_t m,
                           cvp_error *err);

#endif
