/* prime.h -- primes for the `random` method's fields (trusted kernel).
 *
 * Schwartz-Zippel over Z/pZ bounds the chance that a nonzero polynomial
 * vanishes at a random point by deg/p -- but only for a polynomial that
 * is nonzero mod p.  A claim's constants can make every coefficient of a
 * false identity a multiple of one fixed prime (X * 2 * (2^61 - 1) == 0
 * vanishes identically mod 2^61 - 1), so the prime itself is drawn at
 * random for every point: a fixed nonzero integer of b bits is divisible
 * by at most b / 60 of the primes drawn from, and there are at least 2^54
 * of them (CVP_RANDOM_PRIME_COUNT_LOG2).
 *
 * Both functions are pure apart from advancing the generator.
 */
#ifndef CVP_PRIME_H
#define CVP_PRIME_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/rng.h"

/* a * b mod n and a^e mod n (n >= 1), through 128-bit products.  Inline:
 * the prime field's multiplication (ring_small.c) is one of them. */
static inline uint64_t cvp_mulmod_u64(uint64_t a, uint64_t b, uint64_t n)
{
    return (uint64_t)(((unsigned __int128)a * b) % n);
}

static inline uint64_t cvp_powmod_u64(uint64_t a, uint64_t e, uint64_t n)
{
    uint64_t r = 1 % n;
    a %= n;
    while (e > 0) {
        if (e & 1)
            r = cvp_mulmod_u64(r, a, n);
        a = cvp_mulmod_u64(a, a, n);
        e >>= 1;
    }
    return r;
}

/* Whether n is prime.  Deterministic for every 64-bit n: Miller-Rabin
 * with the first twelve primes as bases has no strong pseudoprime below
 * 3.3 * 10^24. */
bool cvp_is_prime_u64(uint64_t n);

/* A prime drawn uniformly from the primes of [2^60, 2^61) (rejection
 * sampling); below the 2^62 that cvp_ring_fp_init requires.  Advances
 * rng. */
uint64_t cvp_random_prime(cvp_rng *rng);

/* The smallest value cvp_random_prime can return; Schwartz-Zippel bounds
 * use it as the field size. */
#define CVP_RANDOM_PRIME_MIN (UINT64_C(1) << 60)

/* log2 of a proven lower bound on the number of primes in [2^60, 2^61):
 * pi(2^61) - pi(2^60) >= 2^54.  By Rosser and Schoenfeld (Illinois J.
 * Math. 6, 1962, (3.5) and (3.6)), x / ln x < pi(x) for x >= 17 and
 * pi(x) < 1.25506 x / ln x for x > 1, so the count exceeds
 * 2^60 / ln 2 * (2/61 - 1.25506/60) > 0.0171 * 2^60 > 2^60 / 64.
 * (The true count is about 2^60 / 42.) */
#define CVP_RANDOM_PRIME_COUNT_LOG2 54

#endif
