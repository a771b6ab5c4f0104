/* ring_poly.h -- the polynomial ring Q[x_0, x_1, ...] with canonical
 * sparse polynomials (part of the trusted kernel).
 *
 * A polynomial is a list of terms c * x_{v1} x_{v2} ... x_{vd}, the
 * variables of a term kept sorted (with repetition for powers), the terms
 * sorted by (degree, variables) with no two alike and no zero coefficient.
 * This form is canonical: two polynomials are equal exactly when their
 * term lists are identical, which is the `symbolic` method's equality
 * decision.
 *
 * Variables are numbered 0, 1, ... in the order cvp_ring_poly_add_var
 * creates them, each with a display name such as "X[1,2]".
 *
 * Limits: at most CVP_POLY_MAX_DEGREE factors per term and at most the
 * ring's max_terms terms per polynomial, and at most CVP_POLY_LIVE_FACTOR
 * times max_terms term slots in all the ring's polynomials together (the
 * term arrays count in kernel/alloc.h's live bytes too); past any of
 * these, or when an allocation fails, the ring records a
 * CVP_ERR_LIMIT failure (see ring.h) and the result is truncated, which
 * the operators turn into an error -- never into a verdict.
 */
#ifndef CVP_RING_POLY_H
#define CVP_RING_POLY_H

#include <stdint.h>

#include "kernel/ring.h"

#define CVP_POLY_MAX_DEGREE 16
#define CVP_POLY_DEFAULT_MAX_TERMS ((size_t)1000000)
/* The term slots all polynomials of one ring may hold at once: this
 * multiple of its max_terms, and at least CVP_POLY_MIN_LIVE_TERMS.  With
 * the defaults, 4 million slots of about 100 bytes each (the shipped
 * proofs need at most 600,000). */
#define CVP_POLY_LIVE_FACTOR 4
#define CVP_POLY_MIN_LIVE_TERMS ((size_t)1 << 20)

typedef struct {
    mpq_t coeff;
    uint32_t degree;
    uint32_t vars[CVP_POLY_MAX_DEGREE];   /* vars[0..degree-1], sorted */
} cvp_poly_term;

typedef struct {
    size_t len, cap;
    cvp_poly_term *terms;   /* cap initialised coefficients */
} cvp_poly;

void cvp_ring_poly_init(cvp_ring *R, size_t max_terms);

/* True when R was set up by cvp_ring_poly_init. */
bool cvp_ring_is_poly(const cvp_ring *R);

/* When x is a single variable (1 * x_v), true with *var = v. */
bool cvp_poly_get_var(const cvp_poly *x, uint32_t *var);
void cvp_ring_poly_clear(cvp_ring *R);

/* Creates a variable named `name` (copied); returns its number. */
uint32_t cvp_ring_poly_add_var(cvp_ring *R, const char *name);
size_t cvp_ring_poly_var_count(const cvp_ring *R);
const char *cvp_ring_poly_var_name(const cvp_ring *R, uint32_t var);

/* x := the variable `var`. */
void cvp_poly_set_var(cvp_ring *R, cvp_poly *x, uint32_t var);

/* r := d a / d x_var  (r may be a). */
void cvp_poly_derivative(cvp_ring *R, cvp_poly *r, const cvp_poly *a,
                         uint32_t var);

/* Total degree (-1 for the zero polynomial). */
long cvp_poly_degree(const cvp_poly *a);

/* Writes term k of a as "3/2*X[0,1]*W[1,1]^2" into buf. */
void cvp_poly_format_term(const cvp_ring *R, char *buf, size_t bufsize,
                          const cvp_poly *a, size_t k);

/* True when a is a constant; then *q receives it. */
bool cvp_poly_get_constant(mpq_t q, const cvp_poly *a);

#endif
