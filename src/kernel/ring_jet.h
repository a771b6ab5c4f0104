/* ring_jet.h -- first-order jets over intervals (part of the trusted
 * kernel): forward-mode derivatives for the bounded method.  See ring.h
 * and ring_interval.h.
 *
 * An element is v + sum_k d_k e_k with e_j e_k = 0, where the value v and
 * every coefficient d_k are intervals of a base interval ring: the dual
 * numbers of ring_small.h with enclosures instead of rationals.  Seeding
 * input entry k as x_k + e_k and evaluating an expression gives, for
 * every output, an enclosure of its value and of each partial derivative
 * d/dx_k at that point.  Sums and products follow the rules of dual
 * numbers; the transcendental functions (cvp_jet_*) apply the chain rule
 * with the derivative enclosed from the value's enclosure:
 *   exp' = exp,  log'(x) = 1/x,  tanh' = 1 - tanh^2,
 *   sigmoid' = sigmoid (1 - sigmoid),  (a/b)' = (a' - (a/b) b') / b.
 * Each of these is an enclosure of the true derivative because interval
 * arithmetic is inclusion isotone: the formula evaluated on enclosures of
 * its arguments encloses its value at the true point.
 *
 * The order compares values in the base ring (undecided comparisons fail
 * there).  Two equal point values whose tangents differ are a kink (a
 * ReLU input at 0, a tied maximum): the derivative does not exist, and
 * the ring counts it (cvp_ring_jet_kinks), as the dual numbers do.
 *
 * Failures of the base ring during a jet operation are copied into the
 * jet ring, so cvp_ring_check on the jet ring sees them.
 *
 * Ownership: the jet ring borrows its base ring, which must outlive it;
 * elements own their arrays.  Aliasing: results may alias operands.
 */
#ifndef CVP_RING_JET_H
#define CVP_RING_JET_H

#include <stdbool.h>
#include <stddef.h>

#include "kernel/ring_interval.h"

typedef struct {
    cvp_interval value;
    size_t len, cap;
    size_t *index;          /* sorted, unique */
    cvp_interval *deriv;    /* none is the point 0 */
} cvp_jet;

/* base must be an interval ring (checked by assertion). */
void cvp_ring_jet_init(cvp_ring *R, cvp_ring *base);
void cvp_ring_jet_clear(cvp_ring *R);
bool cvp_ring_is_jet(const cvp_ring *R);
cvp_ring *cvp_ring_jet_base(const cvp_ring *R);
size_t cvp_ring_jet_kinks(const cvp_ring *R);

/* x := value + e_k (k = SIZE_MAX: no tangent). */
void cvp_jet_set_seed(cvp_ring *R, cvp_jet *x, const cvp_interval *value,
                      size_t k);
/* d (an element of the base ring) := the coefficient of e_k in x. */
void cvp_jet_get_deriv(cvp_ring *R, cvp_interval *d, const cvp_jet *x,
                       size_t k);

/* The chain rule for the functions of ring_interval.h. */
void cvp_jet_div(cvp_ring *R, cvp_jet *r, const cvp_jet *a, const cvp_jet *b);
void cvp_jet_exp(cvp_ring *R, cvp_jet *r, const cvp_jet *a);
void cvp_jet_log(cvp_ring *R, cvp_jet *r, const cvp_jet *a);
void cvp_jet_tanh(cvp_ring *R, cvp_jet *r, const cvp_jet *a);
void cvp_jet_sigmoid(cvp_ring *R, cvp_jet *r, const cvp_jet *a);

#endif
