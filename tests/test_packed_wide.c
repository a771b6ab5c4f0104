/* test_packed_wide.c -- packed Q tensors with 128-bit numerators
 * (kernel/packed.h) against rationals built independently with GMP.
 *
 * Each wide tensor is compared entry by entry with mpq values made from
 * the same numerators through mpz_import (not the kernel's conversion):
 * after pack_finish (gcd reduction, narrowing), copying, aliasing,
 * unpacking, equality, the fast CRT kernels that produce wide results,
 * operators that read them as rationals, and the .npy writers, whose
 * integer rounding must equal the GMP rounding of the same rational. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fast/fast.h"
#include "io/npy.h"
#include "io/tensor_text.h"
#include "kernel/conv2d.h"
#include "kernel/packed.h"
#include "kernel/ring_small.h"

#define S(...) ((size_t[]){__VA_ARGS__})

__extension__ typedef unsigned __int128 u128;

static const cvp_int128 I128_MAX = (cvp_int128)(~(u128)0 >> 1);
static const cvp_int128 I128_MIN = -(cvp_int128)(~(u128)0 >> 1) - 1;

/* q := v / den, canonical, built without the kernel: the magnitude's two
 * 64-bit halves through mpz_import. */
static void mpq_of(mpq_t q, cvp_int128 v, mpz_srcptr den)
{
    u128 m = v < 0 ? (u128)0 - (u128)v : (u128)v;
    uint64_t words[2] = {(uint64_t)(m >> 64), (uint64_t)m};   /* most first */
    mpz_import(mpq_numref(q), 2, 1, sizeof words[0], 0, 0, words);
    if (v < 0)
        mpz_neg(mpq_numref(q), mpq_numref(q));
    mpz_set(mpq_denref(q), den);
    mpq_canonicalize(q);
}

/* t := the packed tensor num[k] / den from the wide start. */
static void wide_of(cvp_tensor_t t, size_t n, const cvp_int128 *num,
                    mpz_srcptr den)
{
    cvp_error err;
    tu_assert_ok(cvp_tensor_pack_start_wide(t, 1, &n, &err), &err);
    memcpy(cvp_tensor_packed_wide_num(t), num, n * sizeof *num);
    mpz_set(cvp_tensor_packed_den(t), den);
    cvp_tensor_pack_finish(t);
    assert_true(cvp_tensor_packed_is_canonical(t));
}

/* Every entry of t (read as rationals through a const tensor) is
 * num[k] / den; and t is wide exactly when a canonical numerator over
 * the tensor's common denominator passes int64. */
static void assert_values(const cvp_tensor_t t, size_t n, const cvp_int128 *num,
                          mpz_srcptr den)
{
    mpq_t q;
    mpq_init(q);
    mpz_t common, scaled;
    mpz_init_set_ui(common, 1);
    mpz_init(scaled);
    for (size_t k = 0; k < n; k++) {
        mpq_of(q, num[k], den);
        mpz_lcm(common, common, mpq_denref(q));
    }
    bool beyond = false;
    for (size_t k = 0; k < n; k++) {
        mpq_of(q, num[k], den);
        const cvp_tensor_struct *c = t;
        if (!mpq_equal(q, cvp_tensor_at(c, k))) {
            gmp_fprintf(stderr, "entry %zu: %Qd, expected %Qd\n", k,
                        cvp_tensor_at(c, k), q);
            fail();
        }
        mpz_divexact(scaled, common, mpq_denref(q));
        mpz_mul(scaled, scaled, mpq_numref(q));
        beyond = beyond || !mpz_fits_slong_p(scaled);
    }
    assert_int_equal(cvp_tensor_is_packed_wide(t), beyond);
    assert_int_equal(cvp_tensor_is_packed(t), !beyond);
    mpz_clears(common, scaled, NULL);
    mpq_clear(q);
}

static cvp_int128 random_wide(cvp_rng *rng)
{
    u128 v = ((u128)cvp_rng_next(rng) << 64) | cvp_rng_next(rng);
    /* sizes spread over every bit length, and the signs */
    unsigned bits = (unsigned)(cvp_rng_next(rng) % 129);
    v = bits == 128 ? v : v & ((((u128)1) << bits) - 1);
    return (cvp_int128)v;   /* wraps into negatives at 128 bits */
}

/* ---- building and canonical form ------------------------------------ */

static void test_boundary_numerators(void **state)
{
    (void)state;
    const cvp_int128 p63 = (cvp_int128)1 << 63, p127m = I128_MAX;
    const cvp_int128 values[] = {0, 1, -1, INT64_MAX, INT64_MIN, p63, -p63 - 1,
                                 p127m, I128_MIN, (cvp_int128)1 << 126,
                                 -((cvp_int128)1 << 126), p63 * 3};
    const size_t n = sizeof values / sizeof values[0];
    const char *dens[] = {"1", "2", "3", "170141183460469231731687303715884105728",
                          "340282366920938463463374607431768211456",
                          "1606938044258990275541962092341162602522202993782792835301376",
                          "999999999999999999999999999999999999999999999999"};
    mpz_t den;
    mpz_init(den);
    cvp_tensor_t t;
    cvp_tensor_init(t);
    for (size_t d = 0; d < sizeof dens / sizeof dens[0]; d++) {
        assert_int_equal(mpz_set_str(den, dens[d], 10), 0);
        wide_of(t, n, values, den);
        assert_values(t, n, values, den);
        /* each value alone: one entry, so its own gcd with den */
        for (size_t k = 0; k < n; k++) {
            wide_of(t, 1, values + k, den);
            assert_values(t, 1, values + k, den);
        }
    }
    mpz_clear(den);
    cvp_tensor_clear(t);
}

/* A common factor is divided out (in 128 bits, also when it passes 2^64),
 * and numerators that then fit int64 make the tensor narrow. */
static void test_finish_divides_and_narrows(void **state)
{
    (void)state;
    mpz_t den;
    mpz_init(den);
    cvp_tensor_t t;
    cvp_tensor_init(t);
    /* 2^70 * (3, -5) / 2^80 = (3, -5) / 2^10: narrow */
    const cvp_int128 a[] = {(cvp_int128)3 << 70, -((cvp_int128)5 << 70)};
    mpz_ui_pow_ui(den, 2, 80);
    wide_of(t, 2, a, den);
    assert_true(cvp_tensor_is_packed(t));
    assert_int_equal(cvp_tensor_packed_num_const(t)[0], 3);
    assert_int_equal(cvp_tensor_packed_num_const(t)[1], -5);
    assert_int_equal(mpz_cmp_ui(cvp_tensor_packed_den_const(t), 1024), 0);
    /* (2^61 + 3, 3) 2^65 over 2^66 3^50: the gcd 2^65 passes 64 bits,
     * and leaves (2^61 + 3, 3) over 2 3^50, narrow */
    const cvp_int128 b[] = {(((cvp_int128)1 << 61) + 3) << 65, (cvp_int128)3 << 65};
    mpz_ui_pow_ui(den, 3, 50);
    mpz_mul_2exp(den, den, 66);
    wide_of(t, 2, b, den);
    assert_true(cvp_tensor_is_packed(t));
    assert_values(t, 2, b, den);
    assert_int_equal(cvp_tensor_packed_num_const(t)[0], ((int64_t)1 << 61) + 3);
    assert_true(mpz_divisible_ui_p(cvp_tensor_packed_den_const(t), 2));
    assert_false(mpz_divisible_ui_p(cvp_tensor_packed_den_const(t), 4));
    /* (2^100 + 1, -6) 2^10 over 2^11 3: (2^100 + 1, -6) over 6, wide */
    const cvp_int128 c[] = {(((cvp_int128)1 << 100) + 1) << 10, -((cvp_int128)6 << 10)};
    mpz_set_ui(den, 3 << 11);
    wide_of(t, 2, c, den);
    assert_true(cvp_tensor_is_packed_wide(t));
    assert_values(t, 2, c, den);
    assert_int_equal(mpz_cmp_ui(cvp_tensor_packed_den_const(t), 6), 0);
    assert_true(cvp_tensor_packed_wide_num_const(t)[0] == ((cvp_int128)1 << 100) + 1);
    /* the least cvp_int128, -2^127, over 2^130: -1/8, narrow (127
     * trailing zeros cancelled by one shift) */
    const cvp_int128 least = (cvp_int128)((u128)1 << 127);
    const cvp_int128 d[] = {least, 0};
    mpz_ui_pow_ui(den, 2, 130);
    wide_of(t, 2, d, den);
    assert_true(cvp_tensor_is_packed(t));
    assert_int_equal(cvp_tensor_packed_num_const(t)[0], -1);
    assert_int_equal(cvp_tensor_packed_num_const(t)[1], 0);
    assert_int_equal(mpz_cmp_ui(cvp_tensor_packed_den_const(t), 8), 0);
    /* (-2^126, 2^64 (2^63 - 1)) over 2^200: 2^64 in common, leaving
     * (-2^62, INT64_MAX) over 2^136, narrow at the edge of int64 */
    const cvp_int128 e[] = {-((cvp_int128)1 << 126),
                            (cvp_int128)INT64_MAX << 64};
    mpz_ui_pow_ui(den, 2, 200);
    wide_of(t, 2, e, den);
    assert_true(cvp_tensor_is_packed(t));
    assert_values(t, 2, e, den);
    assert_true(cvp_tensor_packed_num_const(t)[1] == INT64_MAX);
    assert_true(mpz_scan1(cvp_tensor_packed_den_const(t), 0) == 136);
    /* the same over 2^60: only 2^60 cancels, (-2^66, 2^4 (2^63 - 1))
     * over 1 stays wide */
    mpz_ui_pow_ui(den, 2, 60);
    wide_of(t, 2, e, den);
    assert_true(cvp_tensor_is_packed_wide(t));
    assert_values(t, 2, e, den);
    assert_int_equal(mpz_cmp_ui(cvp_tensor_packed_den_const(t), 1), 0);
    /* zeros only: den 1, narrow */
    const cvp_int128 z[] = {0, 0, 0};
    wide_of(t, 3, z, den);
    assert_true(cvp_tensor_is_packed(t));
    assert_int_equal(mpz_cmp_ui(cvp_tensor_packed_den_const(t), 1), 0);
    /* no entries at all */
    wide_of(t, 0, z, den);
    assert_true(cvp_tensor_is_packed(t) && t->size == 0);
    mpz_clear(den);
    cvp_tensor_clear(t);
}

/* The OR of the numerators that finds their common factors of two runs
 * in blocks of 4096 entries and stops at the first block with an odd
 * one: an odd numerator only in the last block, 9,000 entries in, must
 * still stop any cancelling; without it, the 2^5 (or 2^90) every
 * numerator shares cancels (narrow and wide alike). */
static void test_common_twos_found_far_in(void **state)
{
    (void)state;
    enum { N = 9001 };
    static cvp_int128 num[N];
    mpz_t den;
    mpz_init(den);
    cvp_tensor_t t;
    cvp_tensor_init(t);
    for (int wide = 0; wide < 2; wide++) {
        for (size_t k = 0; k < N; k++)
            num[k] = ((cvp_int128)(k % 7) - 3) * ((cvp_int128)1 << (wide ? 90 : 5));
        num[N - 1] = ((cvp_int128)1 << (wide ? 90 : 5)) + 1;   /* odd */
        mpz_ui_pow_ui(den, 2, 100);
        wide_of(t, N, num, den);
        assert_values(t, N, num, den);
        assert_true(mpz_scan1(cvp_tensor_packed_den_const(t), 0) == 100);
        num[N - 1] -= 1;   /* now every numerator shares the factor */
        wide_of(t, N, num, den);
        assert_values(t, N, num, den);
        assert_true(mpz_scan1(cvp_tensor_packed_den_const(t), 0) == (wide ? 10 : 95));
    }
    mpz_clear(den);
    cvp_tensor_clear(t);
}

static void test_random_wide_tensors(void **state)
{
    (void)state;
    cvp_rng rng;
    cvp_rng_seed(&rng, 128);
    mpz_t den;
    mpz_init(den);
    cvp_tensor_t t, copy, unpacked;
    cvp_tensor_init(t), cvp_tensor_init(copy), cvp_tensor_init(unpacked);
    cvp_int128 v[40];
    for (int round = 0; round < 200; round++) {
        const size_t n = 1 + cvp_rng_next(&rng) % 40;
        /* a shared factor sometimes, so that the gcd step has work */
        const unsigned shift = (unsigned)(cvp_rng_next(&rng) % 4 == 0 ? cvp_rng_next(&rng) % 60 : 0);
        for (size_t k = 0; k < n; k++)
            v[k] = (cvp_int128)((u128)random_wide(&rng) >> shift << shift);
        switch (round % 4) {
        case 0: mpz_ui_pow_ui(den, 2, cvp_rng_next(&rng) % 200); break;
        case 1: mpz_set_ui(den, 1 + cvp_rng_next(&rng) % 1000); break;
        case 2: mpz_ui_pow_ui(den, 6, cvp_rng_next(&rng) % 80); break;
        default: mpz_set_ui(den, 1); break;
        }
        wide_of(t, n, v, den);
        assert_values(t, n, v, den);
        /* copies, equality, self-assignment */
        cvp_error err;
        tu_assert_ok(cvp_tensor_set(copy, t, &err), &err);
        assert_true(cvp_tensor_equal(copy, t));
        tu_assert_ok(cvp_tensor_set(t, t, &err), &err);
        assert_values(t, n, v, den);
        /* against an unpacked tensor of the same values */
        tu_assert_ok(cvp_tensor_resize(unpacked, 1, &n, &err), &err);
        for (size_t k = 0; k < n; k++)
            mpq_of(cvp_tensor_at(unpacked, k), v[k], den);
        assert_true(cvp_tensor_equal(t, unpacked));
        assert_true(cvp_tensor_equal(unpacked, t));
        /* one entry changed: unequal */
        if (n > 1) {
            v[0] += 1;
            wide_of(copy, n, v, den);
            assert_false(cvp_tensor_equal(copy, t));
            v[0] -= 1;
        }
        /* a write access unpacks, values unchanged */
        mpq_ptr e = cvp_tensor_at(copy, 0);
        (void)e;
        assert_false(cvp_tensor_is_packed_wide(copy) || cvp_tensor_is_packed(copy));
    }
    mpz_clear(den);
    cvp_tensor_clear(t), cvp_tensor_clear(copy), cvp_tensor_clear(unpacked);
}

/* Lifting to Z/7Z and the text writer read a wide tensor through its
 * rationals: values by hand, and the same text as the unpacked copy. */
static void test_lift_and_text(void **state)
{
    (void)state;
    /* (2^100 + 1, -2^70, 5) / 3; mod 7, 2^3 = 1 and 3^-1 = 5:
     * 2^100 + 1 = 2 + 1 = 3 -> 15 = 1; -2^70 = -2 = 5 -> 25 = 4; 5 -> 4 */
    const cvp_int128 v[] = {((cvp_int128)1 << 100) + 1, -((cvp_int128)1 << 70), 5};
    mpz_t den;
    mpz_init_set_ui(den, 3);
    cvp_tensor_t t, copy, z;
    cvp_tensor_init(t), cvp_tensor_init(copy);
    wide_of(t, 3, v, den);
    assert_true(cvp_tensor_is_packed_wide(t));
    cvp_ring F;
    cvp_ring_fp_init(&F, 7);
    cvp_tensor_init_ring(z, &F);
    tu_assert_ok(cvp_tensor_lift(z, t, &F, NULL), NULL);
    assert_int_equal(cvp_fp_get(cvp_tensor_elem(z, 0)), 1);
    assert_int_equal(cvp_fp_get(cvp_tensor_elem(z, 1)), 4);
    assert_int_equal(cvp_fp_get(cvp_tensor_elem(z, 2)), 4);
    cvp_error err;
    size_t n = 3;
    tu_assert_ok(cvp_tensor_resize(copy, 1, &n, &err), &err);
    for (size_t k = 0; k < n; k++)
        mpq_of(cvp_tensor_at(copy, k), v[k], den);
    char *text[2];
    size_t len[2];
    for (int i = 0; i < 2; i++) {
        FILE *f = open_memstream(&text[i], &len[i]);
        assert_non_null(f);
        assert_true(cvp_tensor_write_text(f, i ? copy : t) >= 0);
        fclose(f);
    }
    assert_string_equal(text[0], text[1]);
    assert_non_null(strstr(text[0], "1267650600228229401496703205377/3"));
    free(text[0]), free(text[1]);
    cvp_tensor_clear(t), cvp_tensor_clear(copy), cvp_tensor_clear(z);
    cvp_ring_fp_clear(&F);
    mpz_clear(den);
}

/* ---- the fast kernels produce wide results ---------------------------- */

/* Products of values near 2^50 pass int64: the CRT path's result is
 * wide; it equals the definitional result, also with a bias added in
 * 128 bits (and stays packed then), and an operator reading it as
 * rationals (here +) too.  Output aliasing an operand included. */
static void test_fast_crt_results_are_wide(void **state)
{
    (void)state;
    cvp_rng rng;
    cvp_rng_seed(&rng, 129);
    for (int round = 0; round < 20; round++) {
        tu_conv_case cc;
        tu_random_conv_case(&cc, &rng);
        cvp_tensor_t X, K, fast, ref, sum, ref_sum;
        cvp_tensor_init(X), cvp_tensor_init(K), cvp_tensor_init(fast);
        cvp_tensor_init(ref), cvp_tensor_init(sum), cvp_tensor_init(ref_sum);
        tu_random(X, &rng, cc.rank, cc.x_shape, -(1L << 50), 1L << 50);
        tu_random(K, &rng, 4, cc.k_shape, -(1L << 50), 1L << 50);
        assert_true(cvp_tensor_pack(X) && cvp_tensor_pack(K));
        cvp_error err;
        cvp_fast_path path;
        tu_assert_ok(cvp_fast_conv2d(fast, X, K, NULL, &cc.p, &path, &err), &err);
        tu_assert_ok(cvp_conv2d(ref, X, K, NULL, &cc.p, &err), &err);
        assert_int_equal(path, CVP_FAST_PATH_CRT);
        tu_assert_equal(fast, ref);
        assert_true(cvp_tensor_packed_is_canonical(fast));
        /* with a bias, integer or rational (lcm of the denominators): the
         * sum stays packed */
        cvp_tensor_t B;
        cvp_tensor_init(B);
        tu_zeros(B, 1, &cc.O);
        if (round % 2)
            cvp_tensor_random_int(B, &rng, -(1L << 60), 1L << 60);
        else
            cvp_tensor_random_rat(B, &rng, -(1L << 40), 1L << 40, 7);
        assert_true(cvp_tensor_pack(B));
        cvp_tensor_t fast_b, ref_b;
        cvp_tensor_init(fast_b), cvp_tensor_init(ref_b);
        tu_assert_ok(cvp_fast_conv2d(fast_b, X, K, B, &cc.p, &path, &err), &err);
        tu_assert_ok(cvp_conv2d(ref_b, X, K, B, &cc.p, &err), &err);
        tu_assert_equal(fast_b, ref_b);
        assert_true(cvp_tensor_packed_is_canonical(fast_b));
        cvp_tensor_clear(B), cvp_tensor_clear(fast_b), cvp_tensor_clear(ref_b);
        tu_assert_ok(cvp_tensor_add(sum, fast, fast, &err), &err);
        tu_assert_ok(cvp_tensor_add(ref_sum, ref, ref, &err), &err);
        tu_assert_equal(sum, ref_sum);
        /* the output is the input */
        tu_assert_ok(cvp_fast_conv2d(X, X, K, NULL, &cc.p, &path, &err), &err);
        tu_assert_equal(X, ref);
        cvp_tensor_clear(X), cvp_tensor_clear(K), cvp_tensor_clear(fast);
        cvp_tensor_clear(ref), cvp_tensor_clear(sum), cvp_tensor_clear(ref_sum);
    }
}

/* ---- the .npy writers ------------------------------------------------- */

static char npy_path[] = "/tmp/test_packed_wide_XXXXXX";

/* The file's entries, as the doubles written. */
static void read_doubles(double *out, size_t n)
{
    FILE *f = fopen(npy_path, "rb");
    assert_non_null(f);
    unsigned char head[10];
    assert_int_equal(fread(head, 1, 10, f), 10);
    size_t hlen = head[8] | (size_t)head[9] << 8;
    assert_int_equal(fseek(f, (long)(10 + hlen), SEEK_SET), 0);
    for (size_t k = 0; k < n; k++) {
        unsigned char b[8];
        assert_int_equal(fread(b, 1, 8, f), 8);
        uint64_t u = 0;
        for (int j = 7; j >= 0; j--)
            u = u << 8 | b[j];
        memcpy(&out[k], &u, sizeof u);
    }
    fclose(f);
}

/* The rounded file of v / 2^shift holds GMP's correctly rounded values
 * (cvp_mpq_round_to_double of the independent rationals), bit for bit,
 * signs of zeros included; the exact writer accepts exactly the entries
 * that are doubles. */
static void check_written(size_t n, const cvp_int128 *v, unsigned long shift)
{
    mpz_t den;
    mpz_init(den);
    mpz_ui_pow_ui(den, 2, shift);
    cvp_tensor_t t;
    cvp_tensor_init(t);
    wide_of(t, n, v, den);
    cvp_error err;
    tu_assert_ok(cvp_npy_write_rounded_file(npy_path, t, &err), &err);
    double *got = malloc(n * sizeof *got);
    read_doubles(got, n);
    mpq_t q, back;
    mpq_inits(q, back, NULL);
    bool all_exact = true;
    for (size_t k = 0; k < n; k++) {
        mpq_of(q, v[k], den);
        double want = cvp_mpq_round_to_double(q);
        if (memcmp(&want, &got[k], sizeof want) != 0) {
            gmp_fprintf(stderr, "entry %zu = %Qd: wrote %a, expected %a\n", k, q,
                        got[k], want);
            fail();
        }
        mpq_set_d(back, want);
        all_exact = all_exact && mpq_equal(back, q);
    }
    cvp_status st = cvp_npy_write_file(npy_path, t, &err);
    assert_int_equal(st == CVP_OK, all_exact);
    if (all_exact) {
        read_doubles(got, n);
        for (size_t k = 0; k < n; k++) {
            mpq_of(q, v[k], den);
            mpq_set_d(back, got[k]);
            assert_true(mpq_equal(back, q));
        }
    }
    mpq_clears(q, back, NULL);
    free(got);
    mpz_clear(den);
    cvp_tensor_clear(t);
}

static void test_rounded_writer_boundaries(void **state)
{
    (void)state;
    const cvp_int128 one = 1, p53 = one << 53;
    /* ties to even at 53 bits, just above and below, 2^53 +- 1 scaled up */
    const cvp_int128 ties[] = {
        (p53 + 1) << 40, (p53 + 3) << 40, ((p53 + 1) << 40) + 1,
        ((p53 + 1) << 40) - 1, -((p53 + 1) << 40), I128_MAX, I128_MIN,
        (one << 64) - 1, INT64_MAX, INT64_MIN, (one << 63), -1, 1, 0,
        ((one << 54) - 1) << 70, -(((one << 54) - 1) << 70)};
    const size_t n = sizeof ties / sizeof ties[0];
    const unsigned long shifts[] = {0, 1, 52, 53, 64, 90, 127, 128, 129,
                                    1000, 1074, 1075, 1100, 1150, 1200, 1202,
                                    1203, 1204, 1250};
    for (size_t s = 0; s < sizeof shifts / sizeof shifts[0]; s++)
        check_written(n, ties, shifts[s]);
    /* around the least subnormal 2^-1074: m / 2^(1074 + j) */
    for (unsigned long j = 0; j < 131; j++) {
        /* the powers stay below 2^127 (a signed shift past it is undefined) */
        unsigned long k = j < 126 ? j : 126;
        const cvp_int128 near[] = {1, 2, 3, -3, (one << k) - 1, one << k,
                                   (one << k) + 1, -(one << k) - 1,
                                   (cvp_int128)((u128)3 << k)};
        check_written(sizeof near / sizeof near[0], near, 1074 + j);
    }
}

static void test_rounded_writer_random(void **state)
{
    (void)state;
    cvp_rng rng;
    cvp_rng_seed(&rng, 130);
    cvp_int128 v[64];
    for (int round = 0; round < 300; round++) {
        for (size_t k = 0; k < 64; k++)
            v[k] = random_wide(&rng);
        v[0] = (cvp_int128)((u128)1 << 100);   /* keeps the tensor wide */
        check_written(64, v, (unsigned long)(cvp_rng_next(&rng) % 1300));
    }
}

/* The exact writer names an entry it cannot write from the packed form,
 * without materialising the tensor. */
static void test_exact_writer_refusal(void **state)
{
    (void)state;
    cvp_tensor_t t;
    cvp_tensor_init(t);
    const cvp_int128 v[] = {3, ((cvp_int128)1 << 100) + 1};
    mpz_t den;
    mpz_init_set_ui(den, 8);
    wide_of(t, 2, v, den);
    const uint64_t before = cvp_tensor_materialise_count();
    cvp_error err;
    tu_assert_fails(cvp_npy_write_file(npy_path, t, &err), &err, CVP_ERR_INPUT,
                    "[1] = 1267650600228229401496703205377/8 is not exactly representable");
    assert_true(cvp_tensor_materialise_count() == before);
    assert_true(cvp_tensor_is_packed_wide(t));
    mpz_clear(den);
    cvp_tensor_clear(t);
}

int main(void)
{
    int fd = mkstemp(npy_path);
    if (fd < 0)
        return 1;
    close(fd);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_boundary_numerators),
        cmocka_unit_test(test_finish_divides_and_narrows),
        cmocka_unit_test(test_common_twos_found_far_in),
        cmocka_unit_test(test_random_wide_tensors),
        cmocka_unit_test(test_lift_and_text),
        cmocka_unit_test(test_fast_crt_results_are_wide),
        cmocka_unit_test(test_rounded_writer_boundaries),
        cmocka_unit_test(test_rounded_writer_random),
        cmocka_unit_test(test_exact_writer_refusal),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    unlink(npy_path);
    return failed;
}
