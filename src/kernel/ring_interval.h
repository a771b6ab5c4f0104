/* ring_interval.h -- closed intervals of reals with MPFR endpoints (part
 * of the trusted kernel).  See ring.h for the ring interface.
 *
 * An element is [lo, hi], two mpfr_t at the ring's precision, and stands
 * for one unknown real x with lo <= x <= hi (an enclosure).  Every
 * operation rounds lo down and hi up, so the result encloses the exact
 * result of the operation applied to any points of the operands: that
 * is the only invariant the bounded method relies on.  Rationals are
 * lifted by rounding outward, so an integer (or a dyadic rational) that
 * fits in the precision becomes a point interval.
 *
 * The order (max pooling, ReLU) is defined only where it is decided: two
 * disjoint intervals, or two equal points.  Any other comparison is
 * recorded as the ring's failure (CVP_ERR_UNSUPPORTED, "undecidable at
 * this precision") and counted; the caller sees it through
 * cvp_ring_check and cvp_ring_interval_undecided.  Division by an
 * interval that contains 0, the logarithm of an interval that is not
 * wholly positive and a result that is not a number fail the same way
 * (a logarithm of an interval wholly <= 0 is CVP_ERR_INPUT: no precision
 * would help).
 *
 * Ownership: the ring owns its context and scratch numbers; elements own
 * their endpoints (init/clear through the ring).  Aliasing: the result of
 * every operation, here and in ring.h, may be any operand.
 */
#ifndef CVP_RING_INTERVAL_H
#define CVP_RING_INTERVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>   /* before gmp.h: it declares gmp_fprintf & co. only then */
#include <gmp.h>
#include <mpfr.h>

#include "kernel/ring.h"

typedef struct {
    mpfr_t lo, hi;
} cvp_interval;

/* Precisions accepted by cvp_ring_interval_init, in bits. */
#define CVP_INTERVAL_MIN_PREC 16
#define CVP_INTERVAL_MAX_PREC 65536

/* Sets up R with endpoints of `prec` bits (within the bounds above,
 * checked by assertion).  Clear with cvp_ring_interval_clear after every
 * element over R is gone. */
void cvp_ring_interval_init(cvp_ring *R, long prec);
void cvp_ring_interval_clear(cvp_ring *R);

/* True when R was set up by cvp_ring_interval_init. */
bool cvp_ring_is_interval(const cvp_ring *R);
long cvp_ring_interval_prec(const cvp_ring *R);
/* Number of undecided operations (overlapping comparisons, divisors or
 * logarithm arguments that straddle 0, lost results) since init. */
size_t cvp_ring_interval_undecided(const cvp_ring *R);

/* ---- operations beyond the ring interface (all enclosures) ---------- */

/* r := a / b. */
void cvp_interval_div(cvp_ring *R, cvp_interval *r, const cvp_interval *a,
                      const cvp_interval *b);
/* r := exp(a), log(a), tanh(a), sigmoid(a) = 1 / (1 + exp(-a)). */
void cvp_interval_exp(cvp_ring *R, cvp_interval *r, const cvp_interval *a);
void cvp_interval_log(cvp_ring *R, cvp_interval *r, const cvp_interval *a);
void cvp_interval_tanh(cvp_ring *R, cvp_interval *r, const cvp_interval *a);
void cvp_interval_sigmoid(cvp_ring *R, cvp_interval *r, const cvp_interval *a);

/* ---- queries ---------------------------------------------------------- */

/* True when a and b have no point in common. */
bool cvp_interval_disjoint(const cvp_interval *a, const cvp_interval *b);
/* True when lo <= q <= hi, decided exactly. */
bool cvp_interval_contains_q(const cvp_interval *x, const mpq_t q);
/* w := hi - lo rounded up (w keeps its own precision); +inf when an
 * endpoint is infinite. */
void cvp_interval_width(mpfr_t w, const cvp_interval *x);
/* w := max(a.hi, b.hi) - min(a.lo, b.lo) rounded up: the width of the
 * smallest interval holding both, which bounds |x - y| for every x in a
 * and y in b. */
void cvp_interval_hull_width(mpfr_t w, const cvp_interval *a,
                             const cvp_interval *b);
/* Writes "lo..hi" with `digits` significant decimal digits, lo rounded
 * down and hi rounded up, so the text is an enclosure too; a point that
 * the digits spell exactly is written once ("0.25"). */
void cvp_interval_format(char *buf, size_t bufsize, const cvp_interval *x,
                         int digits);

#endif
