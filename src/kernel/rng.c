/* rng.c -- xoshiro256** (Blackman and Vigna) and random tensor fills. */
#include "kernel/rng.h"

#include <errno.h>
#include <stdio.h>
#include <sys/random.h>

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void cvp_rng_seed(cvp_rng *rng, uint64_t seed)
{
    uint64_t state = seed;
    for (int i = 0; i < 4; i++)
        rng->s[i] = splitmix64(&state);
}

bool cvp_rng_entropy_seed(uint64_t *seed)
{
    uint64_t v;
    ssize_t got;
    do
        got = getrandom(&v, sizeof v, 0);
    while (got < 0 && errno == EINTR);
    if (got != (ssize_t)sizeof v) {
        FILE *f = fopen("/dev/urandom", "rb");
        if (f == NULL)
            return false;
        size_t n = fread(&v, sizeof v, 1, f);
        fclose(f);
        if (n != 1)
            return false;
    }
    *seed = v;
    return true;
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t cvp_rng_next(cvp_rng *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

int64_t cvp_rng_range(cvp_rng *rng, int64_t lo, int64_t hi)
{
    CVP_ASSERT(lo <= hi);
    uint64_t span = (uint64_t)hi - (uint64_t)lo;  /* hi - lo, exact mod 2^64 */
    if (span == UINT64_MAX)
        return (int64_t)cvp_rng_next(rng);
    uint64_t n = span + 1;
    /* Reject the top partial block so every value is equally likely. */
    uint64_t limit = UINT64_MAX - (UINT64_MAX % n);
    uint64_t x;
    do {
        x = cvp_rng_next(rng);
    } while (x >= limit);
    return (int64_t)((uint64_t)lo + x % n);
}

void cvp_tensor_random_int(cvp_tensor_t t, cvp_rng *rng, int64_t lo,
                           int64_t hi)
{
    CVP_ASSERT(t->ring == &cvp_ring_q);
    for (size_t k = 0; k < t->size; k++)
        mpq_set_si(cvp_tensor_at(t, k), (long)cvp_rng_range(rng, lo, hi), 1);
}

void cvp_tensor_random_rat(cvp_tensor_t t, cvp_rng *rng, int64_t lo,
                           int64_t hi, uint64_t max_den)
{
    CVP_ASSERT(max_den >= 1);
    CVP_ASSERT(t->ring == &cvp_ring_q);
    for (size_t k = 0; k < t->size; k++) {
        long num = (long)cvp_rng_range(rng, lo, hi);
        unsigned long den = (unsigned long)cvp_rng_range(rng, 1, (int64_t)max_den);
        mpq_set_si(cvp_tensor_at(t, k), num, den);
        mpq_canonicalize(cvp_tensor_at(t, k));
    }
}
