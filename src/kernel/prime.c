/* prime.c -- deterministic 64-bit primality and random primes (prime.h). */
#include "kernel/prime.h"

#include "kernel/status.h"

/* One Miller-Rabin round: false when `a` witnesses that n (odd, > a) is
 * composite; n - 1 = d * 2^s with d odd. */
static bool strong_probable_prime(uint64_t n, uint64_t d, int s, uint64_t a)
{
    uint64_t x = cvp_powmod_u64(a, d, n);
    if (x == 1 || x == n - 1)
        return true;
    for (int r = 1; r < s; r++) {
        x = cvp_mulmod_u64(x, x, n);
        if (x == n - 1)
            return true;
    }
    return false;
}

bool cvp_is_prime_u64(uint64_t n)
{
    static const uint64_t bases[] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37};
    if (n < 2)
        return false;
    for (size_t k = 0; k < sizeof bases / sizeof bases[0]; k++) {
        if (n == bases[k])
            return true;
        if (n % bases[k] == 0)
            return false;
    }
    /* n is odd and above 37 here */
    uint64_t d = n - 1;
    int s = 0;
    while ((d & 1) == 0) {
        d >>= 1;
        s++;
    }
    for (size_t k = 0; k < sizeof bases / sizeof bases[0]; k++)
        if (!strong_probable_prime(n, d, s, bases[k]))
            return false;
    return true;
}

uint64_t cvp_random_prime(cvp_rng *rng)
{
    /* Rejection sampling: a uniform odd number of [2^60, 2^61) is kept
     * when it is prime, so every prime of the range is equally likely
     * (the error bound of `random` counts bad primes among all of them).
     * About one odd candidate in 21 is prime. */
    for (;;) {
        uint64_t n = CVP_RANDOM_PRIME_MIN | (cvp_rng_next(rng) >> 4) | 1;
        if (cvp_is_prime_u64(n)) {
            CVP_ASSERT(n >= CVP_RANDOM_PRIME_MIN && n < (UINT64_C(1) << 61));
            return n;
        }
    }
}
