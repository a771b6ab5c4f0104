/* check_bounded.h -- the `bounded` method: claims with transcendental
 * functions decided with MPFR enclosures (engine-internal, dispatched by
 * check.c).
 *
 *   by bounded(prec=256, tol=200, trials=3, seed=S)
 *
 * At every shape of the claim, `trials` random rational instances are
 * drawn as in `exact` (the first from -1..1, the others from each
 * tensor's range), lifted into the interval ring of `prec` bits
 * (kernel/ring_interval.h) and both sides of every `show` are evaluated
 * there; derivatives are taken with interval jets.  For each pair of
 * entries:
 *
 *   disjoint enclosures    the sides differ at that exact rational
 *                          instance: a proof that the identity is
 *                          false, reported as a (shrunk) counterexample
 *                          with both enclosures in decimal;
 *   overlapping, and the smallest interval holding both narrower than
 *   2^-tol                 the sides agree there to within 2^-tol;
 *   overlapping but wider  not decided (a higher prec may decide it).
 *
 * A claim passes when every entry of every instance is within 2^-tol; the
 * evidence names the precision, the bound and the instance count.  An
 * order that the enclosures cannot decide (a ReLU of an interval around
 * 0) leaves the claim undecided; an instance on a kink is skipped, as in
 * `exact`.
 */
#ifndef CVP_CHECK_BOUNDED_H
#define CVP_CHECK_BOUNDED_H

#include "check/check_internal.h"

#define CVP_BOUNDED_DEFAULT_PREC 256
#define CVP_BOUNDED_DEFAULT_TOL 200

typedef enum {
    CVP_BOUNDED_HELD,
    CVP_BOUNDED_COUNTEREXAMPLE,
    CVP_BOUNDED_NOT_APPLICABLE,
    CVP_BOUNDED_UNDECIDED,
    CVP_BOUNDED_ERROR        /* *st holds the status, c->err the message */
} cvp_bounded_run;

/* Runs the method on the claim of c (with the options of `decl`, which
 * may be NULL), filling m. */
cvp_bounded_run cvp_check_bounded(claim_context *c, const cvp_proof_method *decl,
                                  cvp_method_result *m, cvp_status *st);

#endif
