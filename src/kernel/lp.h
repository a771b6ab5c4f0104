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

/* The same question for sparse rows over variables 0..n-1: row i has
 * rows[i].len nonzero coefficients coef[k] at distinct variables
 * index[k] < n.  The system splits into blocks of rows that share
 * variables (transitively).  A block whose rows all read x_a > 0,
 * x_a < 0 or x_a > x_b up to a positive factor (kinks of ReLU and max
 * applied to the inputs themselves) is an order: feasible iff the graph
 * of its rows has no cycle (a topological order gives d, a cycle's rows
 * sum to 0), decided in linear time.  Any other block is decided by
 * cvp_lp_strict_feasible on its own variables.  The whole answer is
 * checked once more on the sparse rows: the directions of the blocks
 * together satisfy every row, or one infeasible block's multipliers
 * (zero on the other rows) combine the rows to 0.  `r` is as above, with
 * n and m the whole system's.  CVP_ERR_LIMIT when one block's tableau
 * would have more than CVP_LP_MAX_BLOCK_ENTRIES entries (a simplex that
 * large would run for minutes). */
typedef struct {
    size_t len;
    const size_t *index;
    const mpq_t *coef;
} cvp_lp_row;

#define CVP_LP_MAX_BLOCK_ENTRIES 1000000

cvp_status cvp_lp_strict_feasible_sparse(cvp_lp_result *r, const cvp_lp_row *rows,
                                         size_t m, size_t n, cvp_error *err);

bool cvp_lp_check_direction_sparse(const cvp_lp_row *rows, size_t m,
                                   const mpq_t *d);
bool cvp_lp_check_multipliers_sparse(const cvp_lp_row *rows, size_t m,
                                     size_t n, const mpq_t *y);

/* The checks, exposed for tests: true when d (n entries) satisfies every
 * inequality strictly; true when y (m entries) is a Gordan certificate
 * of infeasibility. */
bool cvp_lp_check_direction(const mpq_t *rows, size_t m, size_t n,
                            const mpq_t *d);
bool cvp_lp_check_multipliers(const mpq_t *rows, size_t m, size_t n,
                              const mpq_t *y);

#endif
