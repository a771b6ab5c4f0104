/* test_alloc.c -- kernel/alloc.h: GMP and MPFR allocation counted, the
 * soft limit's sticky flag, the hard limit's handler and its default
 * (exit 3).  Sizes are worked out from GMP's documented behaviour:
 * mpz_init2(z, n) and mpz_realloc2(z, n) make room for exactly n bits, so
 * for n a multiple of GMP_NUMB_BITS that is n / GMP_NUMB_BITS limbs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <gmp.h>
#include <mpfr.h>

#include "kernel/alloc.h"

#define LIMB_BYTES (GMP_NUMB_BITS / 8)

static cvp_alloc_stats stats(void)
{
    cvp_alloc_stats s;
    cvp_alloc_get_stats(&s);
    return s;
}

static void install_is_idempotent(void **state)
{
    (void)state;
    cvp_alloc_install();
    cvp_alloc_install();
    assert_true(cvp_alloc_installed());
}

static void gmp_blocks_are_counted(void **state)
{
    (void)state;
    cvp_alloc_stats a = stats();
    mpz_t z;
    mpz_init2(z, 10 * GMP_NUMB_BITS);           /* 10 limbs */
    cvp_alloc_stats b = stats();
    assert_int_equal(b.mallocs - a.mallocs, 1);
    assert_int_equal(b.live - a.live, 10 * LIMB_BYTES);
    assert_true(b.peak >= b.live);

    mpz_realloc2(z, 25 * GMP_NUMB_BITS);        /* grows to 25 limbs */
    cvp_alloc_stats c = stats();
    assert_int_equal(c.reallocs - b.reallocs, 1);
    assert_int_equal(c.live - a.live, 25 * LIMB_BYTES);

    mpz_realloc2(z, 5 * GMP_NUMB_BITS);         /* shrinks to 5 limbs */
    cvp_alloc_stats d = stats();
    assert_int_equal(d.live - a.live, 5 * LIMB_BYTES);
    assert_true(d.peak >= a.live + 25 * LIMB_BYTES);

    mpz_clear(z);
    cvp_alloc_stats e = stats();
    assert_int_equal(e.frees - d.frees, 1);
    assert_int_equal(e.live, a.live);
}

/* A computation allocates and frees its temporaries: after it, only the
 * result is live.  2^1000 * 3^500 has 1000 + ceil(500 log2 3) = 1793
 * bits, at most 29 limbs of 64 bits (more of 32). */
static void computation_returns_to_its_result(void **state)
{
    (void)state;
    cvp_alloc_stats a = stats();
    mpz_t x, y;
    mpz_init(x);
    mpz_init(y);
    mpz_ui_pow_ui(x, 2, 1000);
    mpz_ui_pow_ui(y, 3, 500);
    mpz_mul(x, x, y);
    mpz_clear(y);
    cvp_alloc_stats b = stats();
    assert_int_equal(mpz_sizeinbase(x, 2), 1793);
    size_t limbs = (1793 + GMP_NUMB_BITS - 1) / GMP_NUMB_BITS;
    assert_true(b.live - a.live >= limbs * LIMB_BYTES);
    assert_true(b.mallocs > a.mallocs);
    mpz_clear(x);
    assert_int_equal(stats().live, a.live);
}

static void mpfr_allocates_through_gmp(void **state)
{
    (void)state;
    cvp_alloc_stats a = stats();
    mpfr_t r;
    mpfr_init2(r, 10 * GMP_NUMB_BITS);
    cvp_alloc_stats b = stats();
    assert_true(b.mallocs > a.mallocs);
    assert_true(b.live - a.live >= 10 * LIMB_BYTES);   /* the mantissa */
    mpfr_clear(r);
    assert_int_equal(stats().live, a.live);
}

static void soft_limit_raises_a_sticky_flag(void **state)
{
    (void)state;
    size_t base = stats().live;
    cvp_alloc_clear_limit_reached();
    cvp_alloc_set_limit(base + 15 * LIMB_BYTES, 0);
    mpz_t a, b;
    mpz_init2(a, 10 * GMP_NUMB_BITS);   /* live: base + 10 limbs */
    assert_false(cvp_alloc_limit_reached());
    mpz_init2(b, 10 * GMP_NUMB_BITS);   /* base + 20 limbs: over */
    assert_true(cvp_alloc_limit_reached());
    mpz_clear(b);                        /* back under; still raised */
    assert_true(cvp_alloc_limit_reached());
    cvp_alloc_clear_limit_reached();
    assert_false(cvp_alloc_limit_reached());
    mpz_clear(a);
    size_t soft, hard;
    cvp_alloc_get_limit(&soft, &hard);
    assert_int_equal(soft, base + 15 * LIMB_BYTES);
    assert_int_equal(hard, 0);
    cvp_alloc_set_limit(0, 0);
}

static void hard_limit_below_soft_is_raised(void **state)
{
    (void)state;
    size_t soft, hard;
    cvp_alloc_set_limit(1000, 10);
    cvp_alloc_get_limit(&soft, &hard);
    assert_int_equal(soft, 1000);
    assert_int_equal(hard, 1000);
    cvp_alloc_set_limit(0, 0);
}

static jmp_buf refused;
static size_t refused_size, refused_limit;

static void record_and_jump(size_t size, size_t limit)
{
    refused_size = size;
    refused_limit = limit;
    longjmp(refused, 1);
}

static void hard_limit_calls_the_handler(void **state)
{
    (void)state;
    size_t base = stats().live;
    cvp_alloc_set_limit(0, base + 64);
    assert_null(cvp_alloc_set_handler(record_and_jump));
    void *volatile p = NULL;
    if (setjmp(refused) == 0) {
        p = cvp_alloc_malloc(32);        /* base + 32: allowed */
        assert_non_null(p);
        (void)cvp_alloc_malloc(33);      /* base + 65: refused */
        fail_msg("the hard limit let an allocation through");
    }
    assert_int_equal(refused_size, 33);
    assert_int_equal(refused_limit, base + 64);
    assert_int_equal(stats().live, base + 32);   /* nothing was taken */
    /* Growing by realloc is refused the same way. */
    if (setjmp(refused) == 0) {
        p = cvp_alloc_realloc(p, 32, 100);
        fail_msg("the hard limit let a realloc through");
    }
    assert_int_equal(refused_size, 68);
    /* Shrinking always works. */
    p = cvp_alloc_realloc(p, 32, 8);
    assert_int_equal(stats().live, base + 8);
    cvp_alloc_free(p, 8);
    assert_int_equal(stats().live, base);
    assert_ptr_equal(cvp_alloc_set_handler(NULL), record_and_jump);
    cvp_alloc_set_limit(0, 0);
}

/* cvp_alloc_try_realloc: counted like cvp_alloc_realloc, but at the hard
 * limit it returns NULL (the block unchanged, nothing counted, the flag
 * raised) and never calls the handler. */
static void try_realloc_refuses_softly(void **state)
{
    (void)state;
    size_t base = stats().live;
    cvp_alloc_clear_limit_reached();
    cvp_alloc_set_limit(base + 48, base + 64);
    assert_null(cvp_alloc_set_handler(record_and_jump));
    void *volatile p = NULL;
    if (setjmp(refused) == 0) {
        p = cvp_alloc_try_realloc(NULL, 0, 40);     /* base + 40 */
        assert_non_null(p);
        assert_int_equal(stats().live, base + 40);
        assert_false(cvp_alloc_limit_reached());
        memset(p, 7, 40);
        void *q = cvp_alloc_try_realloc(p, 40, 65);  /* base + 65: refused */
        assert_null(q);
        assert_int_equal(stats().live, base + 40);
        assert_true(cvp_alloc_limit_reached());
        assert_int_equal(((unsigned char *)p)[39], 7);   /* still valid */
        p = cvp_alloc_try_realloc(p, 40, 56);        /* base + 56: allowed */
        assert_non_null(p);
        assert_int_equal(stats().live, base + 56);
        p = cvp_alloc_try_realloc(p, 56, 16);        /* shrinking */
        assert_int_equal(stats().live, base + 16);
    } else {
        fail_msg("cvp_alloc_try_realloc called the handler");
    }
    cvp_alloc_free(p, 16);
    assert_int_equal(stats().live, base);
    assert_ptr_equal(cvp_alloc_set_handler(NULL), record_and_jump);
    cvp_alloc_clear_limit_reached();
    cvp_alloc_set_limit(0, 0);
}

/* The default handler ends the process with status 3 and says why. */
static void default_handler_exits_with_3(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]);
        cvp_alloc_set_limit(0, stats().live + 1000);
        mpz_t z;
        mpz_init2(z, 1000 * GMP_NUMB_BITS);   /* far over */
        _exit(0);                              /* not reached */
    }
    close(fds[1]);
    char buf[256] = {0};
    size_t got = 0;
    ssize_t n;
    while (got < sizeof buf - 1
           && (n = read(fds[0], buf + got, sizeof buf - 1 - got)) > 0)
        got += (size_t)n;
    close(fds[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 3);
    assert_non_null(strstr(buf, "convproof: memory limit of "));
    assert_non_null(strstr(buf, "bytes reached"));
}

static void limit_messages(void **state)
{
    (void)state;
    char buf[160];
    cvp_alloc_limit_message(buf, sizeof buf, 4096, 1000000);
    assert_string_equal(buf, "convproof: memory limit of 1000000 bytes "
                        "reached (an allocation of 4096 bytes was refused)\n");
    cvp_alloc_limit_message(buf, sizeof buf, 64, 0);
    assert_string_equal(buf, "convproof: out of memory (an allocation of 64 "
                        "bytes failed)\n");
    cvp_alloc_limit_message(buf, 11, 64, 0);    /* cut, NUL-terminated */
    assert_string_equal(buf, "convproof:");
}

/* A block allocated before counting began (or freed with plain free)
 * cannot make the live count negative. */
static void live_never_goes_below_zero(void **state)
{
    (void)state;
    void *p = malloc(16);               /* not counted */
    assert_non_null(p);
    cvp_alloc_free(p, stats().live + 16);
    assert_int_equal(stats().live, 0);
    cvp_alloc_reset_peak();
    assert_int_equal(stats().peak, 0);
}

int main(void)
{
    cvp_alloc_install();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(install_is_idempotent),
        cmocka_unit_test(gmp_blocks_are_counted),
        cmocka_unit_test(computation_returns_to_its_result),
        cmocka_unit_test(mpfr_allocates_through_gmp),
        cmocka_unit_test(soft_limit_raises_a_sticky_flag),
        cmocka_unit_test(hard_limit_below_soft_is_raised),
        cmocka_unit_test(hard_limit_calls_the_handler),
        cmocka_unit_test(try_realloc_refuses_softly),
        cmocka_unit_test(default_handler_exits_with_3),
        cmocka_unit_test(limit_messages),
        cmocka_unit_test(live_never_goes_below_zero),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
