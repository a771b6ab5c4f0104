/* ring_small.h -- the small rings: a prime field, the degree semiring and
 * dual numbers over Q (part of the trusted kernel).  See ring.h.
 *
 * Each ring is set up in caller-owned storage with its _init and released
 * with its _clear, after every tensor over it has been cleared.
 */
#ifndef CVP_RING_SMALL_H
#define CVP_RING_SMALL_H

#include <stdint.h>

#include "kernel/ring.h"

/* ---- Z/pZ, elements uint64_t ----------------------------------------- */

/* The Mersenne prime 2^61 - 1, a convenient fixed modulus for tests
 * (the `random` method draws its primes: kernel/prime.h). */
#define CVP_FP_DEFAULT_PRIME ((UINT64_C(1) << 61) - 1)

/* p must be a prime below 2^62 (not checked beyond p >= 2). */
void cvp_ring_fp_init(cvp_ring *R, uint64_t p);
void cvp_ring_fp_clear(cvp_ring *R);
uint64_t cvp_ring_fp_modulus(const cvp_ring *R);
/* Whether a constant set since init had a denominator divisible by p
 * (the ring then also recorded a CVP_ERR_INPUT failure): that constant
 * has no image in Z/pZ, and `random` draws another prime. */
bool cvp_ring_fp_denominator_hit(const cvp_ring *R);
/* Element access: an element of Z/pZ is a uint64_t in [0, p). */
static inline uint64_t cvp_fp_get(const void *x) { return *(const uint64_t *)x; }
static inline void cvp_fp_set(void *x, uint64_t v) { *(uint64_t *)x = v; }

/* ---- the degree semiring, elements long -------------------------------
 * An element is an upper bound on the total degree of a polynomial, with
 * CVP_DEGREE_ZERO standing for the zero polynomial.  Sums take the
 * maximum, products add; evaluating an expression here bounds the degree
 * of every entry of its polynomial (used for the Schwartz-Zippel bound). */
#define CVP_DEGREE_ZERO (-1L)
/* Products saturate here (a bound that large is useless anyway, and must
 * not wrap around: ((X ** 256) ** 256) ... has degree 2^64, which a long
 * would make 0). */
#define CVP_DEGREE_MAX (1L << 62)
/* The degree bound of a product of bounds a and b (either may be ZERO). */
static inline long cvp_degree_product(long a, long b)
{
    if (a == CVP_DEGREE_ZERO || b == CVP_DEGREE_ZERO)
        return CVP_DEGREE_ZERO;
    return a >= CVP_DEGREE_MAX - b ? CVP_DEGREE_MAX : a + b;
}
void cvp_ring_degree_init(cvp_ring *R);
void cvp_ring_degree_clear(cvp_ring *R);
static inline long cvp_degree_get(const void *x) { return *(const long *)x; }
static inline void cvp_degree_set(void *x, long d) { *(long *)x = d; }

/* ---- dual numbers over Q ----------------------------------------------
 * An element is v + sum_k d_k e_k with e_j e_k = 0: a value and a sparse
 * gradient with respect to numbered inputs.  Evaluating an expression with
 * input entry k set to x_k + e_k gives every output's exact derivative
 * (forward mode).  The order compares values; comparing two equal values
 * whose gradients differ is a kink (a ReLU at 0, a tied maximum), where
 * the derivative is not defined: the ring counts it and remembers the
 * first (see cvp_ring_dual_kinks). */
typedef struct {
    mpq_t value;
    size_t len, cap;
    size_t *index;      /* sorted, unique */
    mpq_t *deriv;       /* nonzero */
} cvp_dual;

void cvp_ring_dual_init(cvp_ring *R);
/* True when R was set up by cvp_ring_dual_init. */
bool cvp_ring_is_dual(const cvp_ring *R);
void cvp_ring_dual_clear(cvp_ring *R);
/* x := value + e_k (k = SIZE_MAX: no tangent). */
void cvp_dual_set_seed(cvp_ring *R, cvp_dual *x, const mpq_t value, size_t k);
/* The coefficient of e_k in x (0 if absent), into d. */
void cvp_dual_get_deriv(mpq_t d, const cvp_dual *x, size_t k);
/* Number of kinks met since init. */
size_t cvp_ring_dual_kinks(const cvp_ring *R);

/* From now on, the k-th kink met (counting from 0 since init) is decided
 * by choices[k]: nonzero answers "the first operand is larger", zero
 * "smaller"; kinks past `count` answer "smaller".  Each answer selects
 * one active piece of the max or ReLU there (a > b: a is the maximum,
 * or the ReLU input passes), so one evaluation per choice vector yields
 * the gradient of one piece (eval/subgrad.c enumerates them).  Without
 * this call a kink compares equal: the first maximum wins and a ReLU at
 * 0 passes its input, as the definitional operators do over Q.
 * `choices` is borrowed and must stay alive while R evaluates.  Called
 * before the first kink is met (right after init). */
void cvp_ring_dual_set_choices(cvp_ring *R, const unsigned char *choices,
                               size_t count);

/* While choosing, every kink is remembered with its slope: the tangent
 * of a - b (a, b its operands; sparse, indices of the seeded inputs,
 * never empty) and the answer given (1: "a > b", 0: "a < b").  Along a
 * direction d of the inputs, a - b changes by slope . d to first order,
 * so the answer is the one that the perturbation x + t d (t > 0 small)
 * gives exactly when sign(slope . d) agrees with it (eval/subgrad.c
 * decides whether one d agrees with every answer, kernel/lp.h).  Kink k
 * (0 <= k < cvp_ring_dual_kinks) is returned: its number of nonzero
 * slope entries, *index and *slope pointing into R (valid until R is
 * cleared), and its answer in *answer.  Not choosing: returns 0. */
size_t cvp_ring_dual_kink_slope(const cvp_ring *R, size_t k,
                                const size_t **index, const mpq_t **slope,
                                int *answer);

/* The first kink met: its value into `value`, up to `max` indices of the
 * inputs whose slopes differ between the two sides (at most 4 are kept)
 * into `indices`, and whether one side had no slope at all (a ReLU, or
 * a maximum with a constant).  Returns how many slopes differ (0 when no
 * kink was met; then nothing is written). */
size_t cvp_ring_dual_first_kink(const cvp_ring *R, mpq_t value, size_t *indices,
                                size_t max, bool *with_constant);

/* How many entries of one pooling window share the first kink's value
 * (>= 2), when that kink was met while max pooling took a window's
 * maximum; 0 when it was met elsewhere (a ReLU, an elementwise maximum)
 * or no kink was met. */
size_t cvp_ring_dual_first_tie_entries(const cvp_ring *R);

#endif
