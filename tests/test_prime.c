/* test_prime.c -- deterministic primality and the random primes of the
 * `random` method (kernel/prime.h).  Expected answers are known facts
 * (primes and strong pseudoprimes from the literature) or come from a
 * second method: trial division for small n, GMP's primality test for
 * the random primes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <gmp.h>

#include "kernel/prime.h"

static bool by_trial_division(uint64_t n)
{
    if (n < 2)
        return false;
    for (uint64_t d = 2; d * d <= n; d++)
        if (n % d == 0)
            return false;
    return true;
}

static void small_numbers_agree_with_trial_division(void **state)
{
    (void)state;
    for (uint64_t n = 0; n < 20000; n++)
        assert_int_equal(cvp_is_prime_u64(n), by_trial_division(n));
}

static void known_primes_and_pseudoprimes(void **state)
{
    (void)state;
    /* primes: Mersenne 2^61 - 1, the largest 64-bit prime 2^64 - 59 */
    assert_true(cvp_is_prime_u64((UINT64_C(1) << 61) - 1));
    assert_true(cvp_is_prime_u64(UINT64_C(18446744073709551557)));
    assert_true(cvp_is_prime_u64(UINT64_C(1000000007)));
    /* Carmichael numbers fool the Fermat test, not Miller-Rabin */
    assert_false(cvp_is_prime_u64(561));
    assert_false(cvp_is_prime_u64(UINT64_C(3825123056546413051)));
    /* 3215031751 is a strong pseudoprime to bases 2, 3, 5 and 7 */
    assert_false(cvp_is_prime_u64(UINT64_C(3215031751)));
    /* 3825123056546413051 above is one to bases 2..23 as well;
     * 318665857834031151167461 (beyond 64 bits) is the first to 2..37 */
    assert_false(cvp_is_prime_u64(UINT64_C(18446744073709551615)));   /* 3*5*17*... */
    assert_false(cvp_is_prime_u64((UINT64_C(1) << 61) + 1));          /* divisible by 3 */
    assert_false(cvp_is_prime_u64(UINT64_C(4611686014132420609)));    /* (2^31 - 1)^2 */
}

static void random_primes_are_primes_in_range(void **state)
{
    (void)state;
    cvp_rng rng;
    cvp_rng_seed(&rng, 7);
    mpz_t z;
    mpz_init(z);
    uint64_t previous = 0;
    int distinct = 0;
    for (int k = 0; k < 200; k++) {
        uint64_t p = cvp_random_prime(&rng);
        assert_true(p >= CVP_RANDOM_PRIME_MIN);
        assert_true(p < (UINT64_C(1) << 61));
        mpz_set_ui(z, (unsigned long)p);
        assert_int_not_equal(mpz_probab_prime_p(z, 40), 0);
        distinct += p != previous;
        previous = p;
    }
    /* drawn at random, not one fixed prime */
    assert_true(distinct >= 199);
    mpz_clear(z);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(small_numbers_agree_with_trial_division),
        cmocka_unit_test(known_primes_and_pseudoprimes),
        cmocka_unit_test(random_primes_are_primes_in_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
