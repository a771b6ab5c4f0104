/* rng.h -- deterministic pseudo-random numbers and random tensor fills.
 *
 * The generator is xoshiro256** seeded through splitmix64, written here so
 * that a seed gives the same tensors on every machine and every GMP
 * version (a reported counterexample must be reproducible from its seed).
 * It is not cryptographic and need not be: it picks test instances.
 *
 * A cvp_rng is a plain value; copy it to fork a stream.
 */
#ifndef CVP_RNG_H
#define CVP_RNG_H

#include <stdint.h>

#include "kernel/tensor.h"

typedef struct {
    uint64_t s[4];
} cvp_rng;

void cvp_rng_seed(cvp_rng *rng, uint64_t seed);

/* A seed from the operating system's entropy (getrandom(2), else
 * /dev/urandom), into *seed: a run whose seed nobody could know in
 * advance cannot be fooled by a claim built around its primes.  Returns
 * false (with *seed untouched) when neither source answers. */
bool cvp_rng_entropy_seed(uint64_t *seed);

uint64_t cvp_rng_next(cvp_rng *rng);

/* Uniform integer in [lo, hi] (requires lo <= hi), without modulo bias. */
int64_t cvp_rng_range(cvp_rng *rng, int64_t lo, int64_t hi);

/* Default integer range of random instances: small, so that zeros and
 * ties (equal entries) are common. */
#define CVP_RANDOM_DEFAULT_LO (-9)
#define CVP_RANDOM_DEFAULT_HI 9

/* The fills below are for Q tensors (asserted). */

/* Fills every entry of t (its shape is kept) with a uniform integer in
 * [lo, hi].  Requires lo <= hi. */
void cvp_tensor_random_int(cvp_tensor_t t, cvp_rng *rng, int64_t lo,
                           int64_t hi);

/* Fills every entry with p/q, p uniform in [lo, hi] and q uniform in
 * [1, max_den] (then canonicalised).  Requires lo <= hi, max_den >= 1. */
void cvp_tensor_random_rat(cvp_tensor_t t, cvp_rng *rng, int64_t lo,
                           int64_t hi, uint64_t max_den);

#endif
