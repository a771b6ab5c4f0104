/* check.h -- deciding the claims of a .proof file.
 *
 * For each claim and each method named in its `by` line (default: every
 * method that applies -- all_shapes first when its translation applies,
 * then symbolic, random, exact; a refute tries exact first; a claim with
 * an unbounded dim gets all_shapes alone), the finite methods visit the
 * claim's shapes smallest first (check/shapes.h), build the inputs in
 * the method's ring, evaluate the lets and both sides of every `show`
 * there, and compare:
 *
 *   exact     Q, several random small-integer instances per shape (the
 *             first drawn from -1..1 so zeros and ties are common);
 *   random    Z/pZ at random points, a new random prime p in
 *             [2^60, 2^61) for each point (kernel/prime.h); a pass
 *             bounds the chance that a false identity slipped through by
 *             (deg / 2^60) per point (Schwartz-Zippel), the degree bounded
 *             by evaluating in the degree semiring;
 *   symbolic  Q[x], every input entry an indeterminate; equal canonical
 *             polynomials prove the identity for all real inputs of that
 *             shape.
 *   all_shapes  the sides as parametric integer relations (isl), equal
 *             for every shape allowed by the dims and `where`
 *             (allshapes/all_shapes.h).
 *
 * A difference found by any method is turned into a concrete
 * counterexample in Q (random and symbolic differences are re-found by an
 * exact search at that shape), then shrunk: fewest nonzero entries, then
 * smallest absolute values.  A counterexample is never reported without
 * exact evaluation showing the two sides differ.
 *
 * Results are appended to a cvp_report (check/verdict.h).  An error in
 * the claim itself (a shape that does not fit at some assignment, an
 * unknown function) stops that claim's check with CVP_ERR_INPUT and a
 * located message, which becomes the claim's verdict (its `error`); a
 * limit leaves the claim undecided (check/limits.h).  A claim that does not
 * hold is a verdict, not an error.
 */
#ifndef CVP_CHECK_H
#define CVP_CHECK_H

#include <stdbool.h>

#include "check/verdict.h"
#include "lang/proof.h"

typedef struct {
    unsigned long long seed;        /* base seed of every random choice */
    /* Whether the seed was chosen in advance (--seed; the library's
     * default of 1) rather than drawn from the operating system's
     * entropy for this run (the command line's default): `random` says
     * so, since a claim can be built around predictable primes. */
    bool seed_fixed;
    bool only[CVP_METHOD_COUNT];    /* with `filtered`: run only these */
    bool filtered;
    size_t max_shapes;              /* per claim */
    size_t max_terms;               /* per polynomial */
    long exact_trials;              /* default trials of `exact` */
    long random_trials;             /* default points of `random` */
    /* Per claim (check/limits.h): seconds before it is left undecided
     * (<= 0: no limit), and whether GMP memory above the soft limit of
     * kernel/alloc.h leaves it undecided. */
    double timeout;
    bool watch_memory;
    /* Runs the calls of the file's implementations (eval/external.h);
     * NULL: a claim that calls one is an input error.  Borrowed. */
    const struct cvp_external *external;
} cvp_check_options;

void cvp_check_options_default(cvp_check_options *o);

/* Checks claim `index` of `file` and appends its result to `report`.
 * An input error in the claim is recorded in the claim (its `error`,
 * outcome UNDECIDED) and also returned: CVP_ERR_INPUT with the message
 * in err. */
cvp_status cvp_check_claim(cvp_report *report, const cvp_proof_file *file,
                           size_t index, const cvp_check_options *options,
                           cvp_lang_error *err);

/* Checks every claim of `file` in order.  A claim's input error does not
 * stop the others: the first one is returned (CVP_ERR_INPUT, err) once
 * every claim is checked.  Any other error stops at its claim. */
cvp_status cvp_check_file(cvp_report *report, const cvp_proof_file *file,
                          const cvp_check_options *options,
                          cvp_lang_error *err);

#endif
