/* ring_height.h -- the height semiring: upper bounds on the size of the
 * integer coefficients of a polynomial (part of the trusted kernel).
 *
 * The `random` method evaluates a claim mod a random prime p.  A false
 * identity whose difference L - R is a nonzero polynomial can still
 * vanish identically mod p when p divides every coefficient of its
 * numerator; to bound how many primes can do that, the method needs the
 * size of those coefficients.  Evaluating the claim here gives it.
 *
 * An element (a, b) stands for every value P / B where P is a polynomial
 * with integer coefficients whose L1 norm (sum of absolute values of the
 * coefficients) is at most 2^a, and B is a positive integer at most 2^b
 * that is a product of denominators of constants met by the evaluation
 * (so a prime that divides no such denominator divides no B).  The zero
 * polynomial is a = CVP_HEIGHT_ZERO.  The operations, with
 * ||P1 P2|| <= ||P1|| ||P2|| and ||P1 B2 + P2 B1|| <= ||P1|| B2 + ||P2|| B1:
 *   an input entry (a variable)   (0, 0)
 *   a constant n/d (lowest terms) (lg |n|, lg d), lg x = ceil(log2 x)
 *   sum, difference               (max(a1 + b2, a2 + b1) + 1, b1 + b2)
 *   product                       (a1 + a2, b1 + b2)
 *   negation                      unchanged
 * A sum with a zero operand is the other operand.  The bounds are loose
 * (a chain of n sums adds n bits) but always upper bounds.
 *
 * The ring context also adds up bits(d) (the number of binary digits, so
 * d < 2^bits(d)) of every constant's denominator d > 1 set during the
 * evaluation: a prime p >= 2^60 that makes some denominator vanish mod p
 * divides the product of them all, so at most (that total) / 60 such
 * primes exist.
 *
 * Every bound saturates at CVP_HEIGHT_MAX bits; the ring then records
 * that it saturated (cvp_ring_height_saturated), and no bound may be
 * drawn from its results.  The ring has no order: ReLU and max pooling
 * are not polynomial and fail as CVP_ERR_UNSUPPORTED, as in Z/pZ.
 */
#ifndef CVP_RING_HEIGHT_H
#define CVP_RING_HEIGHT_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/ring.h"

typedef struct {
    int64_t num_bits;   /* log2 bound of ||P||_1, or CVP_HEIGHT_ZERO */
    int64_t den_bits;   /* log2 bound of B */
} cvp_height;

#define CVP_HEIGHT_ZERO (-1)
#define CVP_HEIGHT_MAX (INT64_C(1) << 40)

void cvp_ring_height_init(cvp_ring *R);
void cvp_ring_height_clear(cvp_ring *R);

/* An input entry: the variable x, (0, 0). */
void cvp_height_set_variable(void *x);
static inline cvp_height cvp_height_get(const void *x) { return *(const cvp_height *)x; }

/* Whether some bound exceeded CVP_HEIGHT_MAX since init. */
bool cvp_ring_height_saturated(const cvp_ring *R);
/* The sum of bits(d) over the denominators d > 1 of the constants set
 * since init (saturating at CVP_HEIGHT_MAX). */
int64_t cvp_ring_height_denominator_bits(const cvp_ring *R);

/* ceil(log2 |z|) (0 for z = 0 and |z| = 1). */
int64_t cvp_height_log2(const mpz_t z);

#endif
