/* lp.h -- is a system of strict homogeneous linear inequalities
 *
 *     a_i . d > 0,   i = 0..m-1,   d in Q^n
 *
 * feasible?  Decided exactly, with a certificate either way (part of the
 * trusted kernel: which answers at the kinks of a ReLU network are
 * pieces of it, eval/subgrad.h, rests on this answer).
 *
 * Gordan's theorem of the alternative: exactly one of
 *
 *   feasible     a direction d with a_i . d > 0 for every i, or
 *   infeasible   multipliers y_i >= 0 with sum_i y_i = 1 and
 *                sum_i y_i a_i = 0 (0 is in the convex hull of the a_i)
 *
 * holds.  The second is a convex hull membership question, decided by
 * kernel/hull.h (simplex phase 1 over Q); its separation certificate
 * u, t (u . a_i <= t < 0 = u . 0) gives d = -u.  Whichever certificate
 * comes back is checked here once more, directly in the form above, by
 * plain exact arithmetic, and only that check is trusted.  The direction
 * is scaled so that its largest entry has absolute value 1.
 *
 * Ownership: the result owns its arrays; the rows are only read.
 */
#ifndef CVP_LP_H
#define CVP_LP_H

#include <stdbool.h>
#include <stddef.h>

#include "kernel/tensor.h"

typedef struct {
    bool feasible;
    size_t n, m;              /* variables, inequalities */
    mpq_t *direction;         /* feasible: d, n entries, max |d_j| = 1 */
    mpq_t *multipliers;       /* infeasible: y, m entries */
} cvp_lp_result;

void cvp_lp_result_init(cvp_lp_result *r);
void cvp_lp_result_clear(cvp_lp_result *r);

/* Decides a_i . d > 0 for all i, with rows[i * n + j] = (a_i)_j (m*n
 * rationals, row-major).  m = 0 is feasible, with d = 0 (there is
 * nothing to satisfy).  CVP_ERR_LIMIT when the tableau would exceed the entry
 * limit of kernel/tensor.h. */
cvp_status cvp_lp_strict_feasible(cvp_lp_result *r, const mpq_t *rows,
                                  size_t m, size_t n, cvp_error *err);

/* The checks, exposed for tests: true when d (n entries) satisfies every
 * inequality strictly; true when y (m entries) is a Gordan certificate
 * of infeasibility. */
bool cvp_lp_check_direction(const mpq_t *rows, size_t m, size_t n,
                            const mpq_t *d);
bool cvp_lp_check_multipliers(const mpq_t *rows, size_t m, size_t n,
                              const mpq_t *y);

#endif
