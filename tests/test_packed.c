/* test_packed.c -- packed Q tensors (kernel/packed.h) against the
 * definitional form, one GMP rational per entry: building, the canonical
 * form, access, and the kernel's operators on packed operands.
 *
 * Every packed tensor here is compared with an unpacked one built
 * independently (mpq_ functions, or values written out by hand): after
 * packing, after every operation, through aliasing; and every packed
 * result must be canonical.  test_packed_io.c tests the fast kernels,
 * .npy and text reading and writing, and rounded output on packed
 * tensors. */
#include "testutil.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fast/fast.h"
#include "io/npy.h"
#include "io/tensor_text.h"
#include "kernel/conv2d.h"
#include "kernel/packed.h"
#include "kernel/ring_small.h"

#define S(...) ((size_t[]){__VA_ARGS__})

/* ---- building and canonical form ------------------------------------ */

static void test_finish_divides_the_common_gcd(void **state)
{
    (void)state;
    cvp_tensor_t t;
    cvp_tensor_init(t);
    /* 6/12, -4/12, 10/12: gcd(6, 4, 10, 12) = 2 -> 3/6, -2/6, 5/6 */
    tu_packed_of(t, 1, S(3), (int64_t[]){6, -4, 10}, "12");
    assert_int_equal(cvp_tensor_packed_num_const(t)[0], 3);
    assert_int_equal(cvp_tensor_packed_num_const(t)[1], -2);
    assert_int_equal(mpz_get_ui(cvp_tensor_packed_den_const(t)), 6);
    tu_assert_entry(t, 0, "1/2");
    tu_assert_entry(t, 1, "-1/3");
    tu_assert_entry(t, 2, "5/6");
    /* The zero tensor has denominator 1, whatever it was built with. */
    tu_packed_of(t, 2, S(2, 2), (int64_t[]){0, 0, 0, 0}, "7");
    assert_int_equal(mpz_get_ui(cvp_tensor_packed_den_const(t)), 1);
    /* INT64_MIN over 2 with 2 over 2: gcd 2 -> -2^62, 1 over 1. */
    tu_packed_of(t, 1, S(2), (int64_t[]){INT64_MIN, 2}, "2");
    assert_true(cvp_tensor_packed_num_const(t)[0] == -((int64_t)1 << 62));
    assert_int_equal(cvp_tensor_packed_num_const(t)[1], 1);
    assert_int_equal(mpz_get_ui(cvp_tensor_packed_den_const(t)), 1);
    tu_assert_entry(t, 0, "-4611686018427387904");
    /* INT64_MIN alone over 3: gcd(2^63, 3) = 1, unchanged. */
    tu_packed_of(t, 0, NULL, (int64_t[]){INT64_MIN}, "3");
    tu_assert_entry(t, 0, "-9223372036854775808/3");
    /* A denominator beyond 64 bits: 2^100; numerators 2^40 and 3 2^40
     * share 2^40 with it. */
    tu_packed_of(t, 1, S(2), (int64_t[]){(int64_t)1 << 40, (int64_t)3 << 40},
              "1267650600228229401496703205376");
    tu_assert_entry(t, 0, "1/1152921504606846976");      /* 2^-60 */
    tu_assert_entry(t, 1, "3/1152921504606846976");
    assert_true(cvp_tensor_packed_is_canonical(t));
    /* Denominators that are powers of two cancel by shifts: INT64_MIN
     * alone over 2^70 is -2^63 / 2^70 = -1/128 (63 trailing zeros, the
     * most an int64 has); zeros over 8 become zeros over 1; an odd
     * numerator stops everything. */
    tu_packed_of(t, 0, NULL, (int64_t[]){INT64_MIN}, "1180591620717411303424");
    assert_int_equal(cvp_tensor_packed_num_const(t)[0], -1);
    assert_int_equal(mpz_get_ui(cvp_tensor_packed_den_const(t)), 128);
    tu_packed_of(t, 1, S(3), (int64_t[]){0, 0, 0}, "8");
    assert_int_equal(mpz_get_ui(cvp_tensor_packed_den_const(t)), 1);
    tu_packed_of(t, 1, S(3), (int64_t[]){-12, 40, 8}, "16");
    tu_assert_entry(t, 0, "-3/4");
    tu_assert_entry(t, 1, "5/2");
    tu_assert_entry(t, 2, "1/2");
    assert_int_equal(mpz_get_ui(cvp_tensor_packed_den_const(t)), 4);
    tu_packed_of(t, 1, S(2), (int64_t[]){-12, 7}, "16");
    assert_int_equal(cvp_tensor_packed_num_const(t)[0], -12);
    assert_int_equal(mpz_get_ui(cvp_tensor_packed_den_const(t)), 16);
    assert_true(cvp_tensor_packed_is_canonical(t));
    /* An empty tensor. */
    tu_packed_of(t, 2, S(0, 5), (int64_t[]){0}, "9");
    assert_int_equal(cvp_tensor_size(t), 0);
    assert_int_equal(mpz_get_ui(cvp_tensor_packed_den_const(t)), 1);
    cvp_tensor_clear(t);
}

static void test_pack_round_trips_random_rationals(void **state)
{
    (void)state;
    cvp_rng rng;
    cvp_rng_seed(&rng, 15);
    cvp_tensor_t t, copy, back;
    cvp_tensor_init(t), cvp_tensor_init(copy), cvp_tensor_init(back);
    for (int round = 0; round < 200; round++) {
        size_t n = 1 + (size_t)cvp_rng_range(&rng, 0, 30);
        tu_zeros(t, 1, S(n));
        int64_t bound = (int64_t)1 << cvp_rng_range(&rng, 1, 40);
        /* Denominators up to 16 have an lcm dividing 720720 < 2^20, so
         * numerators up to 2^40 always fit once scaled. */
        if (round % 2)
            cvp_tensor_random_rat(t, &rng, -bound, bound,
                                  (uint64_t)cvp_rng_range(&rng, 1, 16));
        else
            cvp_tensor_random_int(t, &rng, -bound, bound);
        tu_unpacked_copy(copy, t);
        /* Small denominators and numerators always fit. */
        assert_true(cvp_tensor_pack(t));
        assert_true(cvp_tensor_packed_is_canonical(t));
        assert_true(cvp_tensor_equal(t, copy));
        assert_true(cvp_tensor_equal(copy, t));
        /* Integral iff the definitional copy says so. */
        assert_int_equal(cvp_tensor_is_integral(t), cvp_tensor_is_integral(copy));
        /* Copy of a packed tensor stays packed and equal. */
        tu_assert_ok(cvp_tensor_set(back, t, NULL), NULL);
        assert_true(cvp_tensor_is_packed(back));
        assert_true(cvp_tensor_equal(back, t));
        /* Unpacking gives the same rationals. */
        cvp_tensor_unpack(back);
        assert_false(cvp_tensor_is_packed(back));
        tu_assert_equal(back, copy);
    }
    cvp_tensor_clear(t), cvp_tensor_clear(copy), cvp_tensor_clear(back);
}

static void test_boundary_values_pack_or_stay_rational(void **state)
{
    (void)state;
    cvp_tensor_t t, copy;
    cvp_tensor_init(t), cvp_tensor_init(copy);
    /* Each case: entries as text; whether they fit the packed form. */
    static const struct { const char *v[3]; bool fits; } cases[] = {
        {{"4611686018427387904", "-4611686018427387904", "1"}, true},    /* 2^62 */
        {{"9223372036854775807", "-9223372036854775808", "0"}, true},    /* int64 */
        {{"9223372036854775808", "0", "1"}, false},                      /* 2^63 */
        {{"170141183460469231731687303715884105728", "1", "0"}, false},  /* 2^127 */
        {{"1/3", "1/5", "1/7"}, true},
        /* den 2^70: a denominator beyond 64 bits still packs */
        {{"1/1180591620717411303424", "3/1180591620717411303424", "0"}, true},
        /* 1/2^70 with 2^10: the scaled 2^80 does not fit */
        {{"1/1180591620717411303424", "1024", "0"}, false},
        {{"-1/9223372036854775807", "1", "0"}, true},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        tu_zeros(t, 1, S(3));
        for (size_t k = 0; k < 3; k++) {
            assert_int_equal(mpq_set_str(cvp_tensor_at(t, k), cases[c].v[k], 10), 0);
            mpq_canonicalize(cvp_tensor_at(t, k));
        }
        tu_unpacked_copy(copy, t);
        assert_int_equal(cvp_tensor_pack(t), cases[c].fits);
        assert_int_equal(cvp_tensor_is_packed(t), cases[c].fits);
        if (cases[c].fits)
            assert_true(cvp_tensor_packed_is_canonical(t));
        for (size_t k = 0; k < 3; k++)
            tu_assert_entry(t, k, cases[c].v[k]);
        assert_true(cvp_tensor_equal(t, copy));
    }
    cvp_tensor_clear(t), cvp_tensor_clear(copy);
}

/* ---- access: const reads keep the packed form, writes unpack ------- */

static void test_reads_keep_packed_writes_unpack(void **state)
{
    (void)state;
    cvp_tensor_t t;
    cvp_tensor_init(t);
    tu_packed_of(t, 1, S(3), (int64_t[]){1, 2, 3}, "4");
    uint64_t before = cvp_tensor_materialise_count();
    const cvp_tensor_struct *c = t;
    tu_assert_entry(c, 1, "1/2");
    assert_true(cvp_tensor_is_packed(t));   /* a read fills the cache only */
    assert_int_equal(cvp_tensor_materialise_count(), before + 1);
    tu_assert_entry(c, 2, "3/4");              /* once */
    assert_int_equal(cvp_tensor_materialise_count(), before + 1);
    /* A write through the non-const accessor unpacks first, so the packed
     * form can never disagree with the rationals. */
    mpq_set_si(cvp_tensor_at(t, 0), 7, 1);
    assert_false(cvp_tensor_is_packed(t));
    tu_assert_entry(t, 0, "7");
    tu_assert_entry(t, 1, "1/2");
    /* Packing again sees the new value. */
    assert_true(cvp_tensor_pack(t));
    tu_assert_entry(t, 0, "7");
    assert_int_equal(mpz_get_ui(cvp_tensor_packed_den_const(t)), 4);
    /* Resize of a packed tensor: zeros, unpacked. */
    tu_assert_ok(cvp_tensor_resize(t, 1, S(5), NULL), NULL);
    assert_false(cvp_tensor_is_packed(t));
    for (size_t k = 0; k < 5; k++)
        tu_assert_entry(t, k, "0");
    cvp_tensor_clear(t);
}

/* ---- operators on packed operands ---------------------------------- */

/* The definitional operators give the same values on packed operands as
 * on unpacked ones, including when the output is an input. */
static void test_operators_on_packed_operands(void **state)
{
    (void)state;
    cvp_rng rng;
    cvp_rng_seed(&rng, 4);
    cvp_tensor_t a, b, ua, ub, got, want;
    cvp_tensor_init(a), cvp_tensor_init(b), cvp_tensor_init(ua);
    cvp_tensor_init(ub), cvp_tensor_init(got), cvp_tensor_init(want);
    for (int round = 0; round < 30; round++) {
        tu_zeros(a, 2, S(3, 4));
        tu_zeros(b, 2, S(4, 3));
        cvp_tensor_random_rat(a, &rng, -50, 50, 12);
        cvp_tensor_random_rat(b, &rng, -50, 50, 12);
        tu_unpacked_copy(ua, a);
        tu_unpacked_copy(ub, b);
        assert_true(cvp_tensor_pack(a) && cvp_tensor_pack(b));
        tu_assert_ok(cvp_tensor_matmul(got, a, b, NULL), NULL);
        tu_assert_ok(cvp_tensor_matmul(want, ua, ub, NULL), NULL);
        tu_assert_equal(got, want);
        tu_assert_ok(cvp_tensor_transpose(got, b, NULL), NULL);
        tu_assert_ok(cvp_tensor_add(got, a, got, NULL), NULL);
        tu_assert_ok(cvp_tensor_transpose(want, ub, NULL), NULL);
        tu_assert_ok(cvp_tensor_add(want, ua, want, NULL), NULL);
        tu_assert_equal(got, want);
        tu_assert_ok(cvp_tensor_reshape(got, a, 1, S(12), NULL), NULL);
        tu_assert_ok(cvp_tensor_reshape(want, ua, 1, S(12), NULL), NULL);
        tu_assert_equal(got, want);
        tu_assert_ok(cvp_tensor_sum_all(got, a, NULL), NULL);
        tu_assert_ok(cvp_tensor_sum_all(want, ua, NULL), NULL);
        tu_assert_equal(got, want);
        /* Aliasing: a := a * a in place, packed input. */
        tu_assert_ok(cvp_tensor_mul(a, a, a, NULL), NULL);
        tu_assert_ok(cvp_tensor_mul(ua, ua, ua, NULL), NULL);
        tu_assert_equal(a, ua);
        /* set to itself keeps it */
        assert_true(cvp_tensor_pack(b));
        tu_assert_ok(cvp_tensor_set(b, b, NULL), NULL);
        assert_true(cvp_tensor_is_packed(b));
        tu_assert_equal(b, ub);
    }
    cvp_tensor_clear(a), cvp_tensor_clear(b), cvp_tensor_clear(ua);
    cvp_tensor_clear(ub), cvp_tensor_clear(got), cvp_tensor_clear(want);
}

/* Elementwise + - * on packed operands stay packed while the values fit
 * and fall back to rationals exactly when they do not, with
 * broadcasting and aliasing. */
static void test_elementwise_packed_and_overflow(void **state)
{
    (void)state;
    typedef cvp_status (*binop)(cvp_tensor_t, const cvp_tensor_t,
                                const cvp_tensor_t, cvp_error *);
    static const binop ops[] = {cvp_tensor_add, cvp_tensor_sub, cvp_tensor_mul};
    static const struct {
        int64_t a[3]; const char *da; int64_t b; const char *db;
        bool packed[3];   /* + - * */
    } cases[] = {
        {{1, -2, 3}, "4", 5, "6", {true, true, true}},
        {{INT64_MAX, 0, 1}, "1", 1, "1", {false, true, true}},
        {{INT64_MIN, 0, 1}, "1", 1, "1", {true, false, true}},
        {{INT64_MIN, 0, 1}, "1", -1, "1", {false, false, false}},
        /* 2^32 2^31 = 2^63 is beyond int64 */
        {{(int64_t)1 << 32, 1, 0}, "1", (int64_t)1 << 31, "1", {true, true, false}},
        {{(int64_t)1 << 32, 1, 0}, "1", ((int64_t)1 << 31) - 1, "1", {true, true, true}},
        {{(int64_t)1 << 32, 1, 0}, "1", (int64_t)1 << 31, "3", {true, true, false}},
        /* lcm(2^40, 3^30) beyond int64: + and - fall back, * packs */
        {{1, 2, 3}, "1099511627776", 1, "205891132094649", {false, false, true}},
    };
    cvp_tensor_t a, b, ua, ub, got, want;
    cvp_tensor_init(a), cvp_tensor_init(b), cvp_tensor_init(ua);
    cvp_tensor_init(ub), cvp_tensor_init(got), cvp_tensor_init(want);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        for (size_t o = 0; o < 3; o++) {
            /* a: [3, 1] against b: [2] broadcast to [3, 2] */
            tu_packed_of(a, 2, S(3, 1), cases[c].a, cases[c].da);
            tu_packed_of(b, 1, S(2), (int64_t[]){cases[c].b, 1}, cases[c].db);
            tu_unpacked_copy(ua, a), tu_unpacked_copy(ub, b);
            tu_assert_ok(ops[o](got, a, b, NULL), NULL);
            tu_assert_ok(ops[o](want, ua, ub, NULL), NULL);
            assert_false(cvp_tensor_is_packed(want));
            tu_assert_equal(got, want);
            /* One entry beyond int64 makes the whole result rational;
             * else it is packed (b is [b, 1], worked out by hand). */
            assert_int_equal(cvp_tensor_is_packed(got), cases[c].packed[o]);
            if (cvp_tensor_is_packed(got))
                assert_true(cvp_tensor_packed_is_canonical(got));
            /* aliasing: a := a op b */
            tu_assert_ok(ops[o](a, a, b, NULL), NULL);
            tu_assert_equal(a, want);
        }
    }
    /* neg and scale: packed unless INT64_MIN or a product overflows */
    static const struct { int64_t v; const char *c; bool packed; } sc[] = {
        {3, "-1", true}, {INT64_MIN, "-1", false}, {INT64_MAX, "-1", true},
        {7, "2/3", true}, {(int64_t)1 << 62, "2", false},
        {5, "36893488147419103232", false},   /* c = 2^65 */
        {5, "1/36893488147419103232", false},  /* den beyond a word */
        {5, "1/4294967296", true},
    };
    for (size_t c = 0; c < sizeof sc / sizeof sc[0]; c++) {
        mpq_t q;
        mpq_init(q);
        assert_int_equal(mpq_set_str(q, sc[c].c, 10), 0);
        tu_packed_of(a, 1, S(2), (int64_t[]){sc[c].v, 1}, "3");
        tu_unpacked_copy(ua, a);
        tu_assert_ok(cvp_tensor_scale(got, a, q, NULL), NULL);
        tu_assert_ok(cvp_tensor_scale(want, ua, q, NULL), NULL);
        tu_assert_equal(got, want);
        assert_int_equal(cvp_tensor_is_packed(got), sc[c].packed);
        if (mpq_cmp_si(q, -1, 1) == 0) {
            tu_assert_ok(cvp_tensor_neg(got, a, NULL), NULL);
            tu_assert_equal(got, want);
            assert_int_equal(cvp_tensor_is_packed(got), sc[c].packed);
        }
        /* aliasing: c an entry of the output itself */
        tu_assert_ok(cvp_tensor_set(got, ua, NULL), NULL);
        tu_assert_ok(cvp_tensor_scale(got, a, cvp_tensor_at(got, 1), NULL), NULL);
        mpq_set_si(q, 1, 3);
        tu_assert_ok(cvp_tensor_scale(want, ua, q, NULL), NULL);
        tu_assert_equal(got, want);
        mpq_clear(q);
    }
    /* A hand-checked value: 1/4 - 5/6 = -7/12; (-2/4) * (5/6) = -5/12 */
    tu_packed_of(a, 1, S(2), (int64_t[]){1, -2}, "4");
    tu_packed_of(b, 1, S(2), (int64_t[]){5, 5}, "6");
    tu_assert_ok(cvp_tensor_sub(got, a, b, NULL), NULL);
    tu_assert_entry(got, 0, "-7/12");
    tu_assert_ok(cvp_tensor_mul(got, a, b, NULL), NULL);
    tu_assert_entry(got, 1, "-5/12");
    cvp_tensor_clear(a), cvp_tensor_clear(b), cvp_tensor_clear(ua);
    cvp_tensor_clear(ub), cvp_tensor_clear(got), cvp_tensor_clear(want);
}

/* Sums of a packed tensor: packed while they fit an int64, else exact
 * rationals; the same values as the definitional sums. */
static void test_sums_of_packed(void **state)
{
    (void)state;
    cvp_tensor_t t, u, got, want;
    cvp_tensor_init(t), cvp_tensor_init(u), cvp_tensor_init(got), cvp_tensor_init(want);
    static const struct { int64_t v[6]; const char *den; } cases[] = {
        {{1, 2, 3, 4, 5, 6}, "7"},
        {{INT64_MAX, INT64_MAX, -1, INT64_MIN, INT64_MIN, 1}, "1"},
        {{INT64_MAX, 1, 0, 3, 3, 3}, "2"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        tu_packed_of(t, 2, S(2, 3), cases[c].v, cases[c].den);
        tu_unpacked_copy(u, t);
        tu_assert_ok(cvp_tensor_sum_all(got, t, NULL), NULL);
        tu_assert_ok(cvp_tensor_sum_all(want, u, NULL), NULL);
        tu_assert_equal(got, want);
        for (int axis = 0; axis < 2; axis++) {
            tu_assert_ok(cvp_tensor_sum_axis(got, t, axis, NULL), NULL);
            tu_assert_ok(cvp_tensor_sum_axis(want, u, axis, NULL), NULL);
            tu_assert_equal(got, want);
            if (cvp_tensor_is_packed(got))
                assert_true(cvp_tensor_packed_is_canonical(got));
        }
    }
    /* By hand: 2 (2^63 - 1) - 1 - 2^64 + 1 = -2 over 1 (fits); the row
     * sums 2^64 - 3 (beyond int64: a rational) and -2^64 + 1. */
    tu_packed_of(t, 2, S(2, 3), cases[1].v, "1");
    tu_assert_ok(cvp_tensor_sum_all(got, t, NULL), NULL);
    assert_true(cvp_tensor_is_packed(got));
    tu_assert_entry(got, 0, "-2");
    tu_assert_ok(cvp_tensor_sum_axis(got, t, 1, NULL), NULL);
    assert_false(cvp_tensor_is_packed(got));
    tu_assert_entry(got, 0, "18446744073709551613");
    tu_assert_entry(got, 1, "-18446744073709551615");
    /* (2^63 - 1 + 1) / 2 = 2^62 for the first column sum */
    tu_packed_of(t, 2, S(2, 3), cases[2].v, "2");
    tu_assert_ok(cvp_tensor_sum_axis(got, t, 0, NULL), NULL);
    tu_assert_entry(got, 0, "4611686018427387905");
    cvp_tensor_clear(t), cvp_tensor_clear(u), cvp_tensor_clear(got), cvp_tensor_clear(want);
}

/* Permute and slice gather numerators; a slice of a canonical tensor is
 * made canonical again ([1, 2] / 2 sliced to [2] / 2 is 1 / 1). */
static void test_permute_and_slice_packed(void **state)
{
    (void)state;
    cvp_tensor_t t, u, got, want;
    cvp_tensor_init(t), cvp_tensor_init(u), cvp_tensor_init(got), cvp_tensor_init(want);
    tu_packed_of(t, 1, S(2), (int64_t[]){1, 2}, "2");
    tu_assert_ok(cvp_tensor_slice(got, t, S(1), S(2), S(1), NULL), NULL);
    assert_true(cvp_tensor_is_packed(got));
    assert_true(cvp_tensor_packed_is_canonical(got));
    assert_int_equal(mpz_get_ui(cvp_tensor_packed_den_const(got)), 1);
    tu_assert_entry(got, 0, "1");
    cvp_rng rng;
    cvp_rng_seed(&rng, 3);
    for (int round = 0; round < 20; round++) {
        tu_zeros(t, 3, S(2, 3, 4));
        cvp_tensor_random_rat(t, &rng, -100, 100, 6);
        tu_unpacked_copy(u, t);
        assert_true(cvp_tensor_pack(t));
        static const int perm[3] = {2, 0, 1};
        tu_assert_ok(cvp_tensor_permute(got, t, perm, NULL), NULL);
        tu_assert_ok(cvp_tensor_permute(want, u, perm, NULL), NULL);
        tu_assert_equal(got, want);
        assert_true(cvp_tensor_packed_is_canonical(got));
        tu_assert_ok(cvp_tensor_slice(got, t, S(1, 0, 1), S(2, 3, 4), S(1, 2, 2), NULL), NULL);
        tu_assert_ok(cvp_tensor_slice(want, u, S(1, 0, 1), S(2, 3, 4), S(1, 2, 2), NULL), NULL);
        tu_assert_equal(got, want);
        assert_true(cvp_tensor_packed_is_canonical(got));
        /* aliasing */
        tu_assert_ok(cvp_tensor_permute(t, t, perm, NULL), NULL);
        tu_assert_ok(cvp_tensor_permute(u, u, perm, NULL), NULL);
        tu_assert_equal(t, u);
    }
    cvp_tensor_clear(t), cvp_tensor_clear(u), cvp_tensor_clear(got), cvp_tensor_clear(want);
}

/* Lifting into Z/pZ reads the packed form directly (no cache); the
 * residues are those of the rationals: 1/2 mod 7 = 4, -3/2 mod 7 = 2. */
static void test_lift_from_packed(void **state)
{
    (void)state;
    cvp_ring F;
    cvp_ring_fp_init(&F, 7);
    cvp_tensor_t t, z;
    cvp_tensor_init(t);
    cvp_tensor_init_ring(z, &F);
    tu_packed_of(t, 1, S(4), (int64_t[]){1, -3, 14, INT64_MIN}, "2");
    uint64_t before = cvp_tensor_materialise_count();
    tu_assert_ok(cvp_tensor_lift(z, t, &F, NULL), NULL);
    assert_int_equal(cvp_tensor_materialise_count(), before);
    assert_int_equal(cvp_fp_get(cvp_tensor_elem(z, 0)), 4);
    assert_int_equal(cvp_fp_get(cvp_tensor_elem(z, 1)), 2);
    assert_int_equal(cvp_fp_get(cvp_tensor_elem(z, 2)), 0);
    /* -2^63 / 2 = -2^62; 2^62 = 2^(3*20 + 2) = 4 mod 7 (2^3 = 1), so 3 */
    assert_int_equal(cvp_fp_get(cvp_tensor_elem(z, 3)), 3);
    /* aliasing: out = t */
    tu_assert_ok(cvp_tensor_lift(t, t, &F, NULL), NULL);
    assert_true(cvp_tensor_equal(t, z));
    cvp_tensor_clear(t), cvp_tensor_clear(z);
    cvp_ring_fp_clear(&F);
}

/* cvp_tensor_set shares the packed form; any writer then gets a copy of
 * its own (copy on write), so neither tensor ever sees the other's
 * change, whichever is written or freed first. */
static void test_copies_share_until_written(void **state)
{
    (void)state;
    cvp_tensor_t t, copy, other;
    cvp_tensor_init(t), cvp_tensor_init(copy), cvp_tensor_init(other);
    cvp_error err;
    tu_packed_of(t, 1, S(3), (int64_t[]){1, -2, 3}, "4");
    tu_assert_ok(cvp_tensor_set(copy, t, &err), &err);
    assert_ptr_equal(cvp_tensor_packed_num_const(copy), cvp_tensor_packed_num_const(t));
    /* negation in place writes the copy's own numerators */
    tu_assert_ok(cvp_tensor_neg(copy, copy, &err), &err);
    assert_ptr_not_equal(cvp_tensor_packed_num_const(copy),
                         cvp_tensor_packed_num_const(t));
    tu_assert_entry(t, 1, "-1/2");
    tu_assert_entry(copy, 1, "1/2");
    /* a writer through the build accessors: the same */
    tu_assert_ok(cvp_tensor_set(copy, t, &err), &err);
    cvp_tensor_packed_num(copy)[0] = 5;
    cvp_tensor_pack_finish(copy);
    tu_assert_entry(t, 0, "1/4");
    tu_assert_entry(copy, 0, "5/4");
    /* three holders; setting a tensor to the form it already shares;
     * the original freed first; then the others, in turn */
    tu_assert_ok(cvp_tensor_set(copy, t, &err), &err);
    tu_assert_ok(cvp_tensor_set(other, copy, &err), &err);
    tu_assert_ok(cvp_tensor_set(other, t, &err), &err);
    cvp_tensor_clear(t);
    cvp_tensor_init(t);
    tu_assert_entry(copy, 2, "3/4");
    tu_assert_entry(other, 2, "3/4");
    assert_true(cvp_tensor_equal(copy, other));
    cvp_tensor_clear(copy);
    cvp_tensor_init(copy);
    tu_assert_entry(other, 0, "1/4");
    assert_true(cvp_tensor_packed_is_canonical(other));
    /* a write access to one entry unpacks only the tensor written */
    tu_assert_ok(cvp_tensor_set(copy, other, &err), &err);
    mpq_set_si(cvp_tensor_at(copy, 0), 7, 1);
    tu_assert_entry(copy, 0, "7");
    tu_assert_entry(other, 0, "1/4");
    assert_true(cvp_tensor_is_packed(other));
    cvp_tensor_clear(t), cvp_tensor_clear(copy), cvp_tensor_clear(other);
}

/* Threads that copy one shared tensor, write their copies and free them
 * at once: the counts stay right (the sanitizer and valgrind runs see
 * any double free or leak) and the original is unchanged. */
typedef struct {
    const cvp_tensor_struct *source;
    int64_t added;
} copy_job;

static void *copy_and_write(void *arg)
{
    copy_job *job = arg;
    cvp_tensor_t mine;
    cvp_tensor_init(mine);
    for (int round = 0; round < 200; round++) {
        cvp_error err;
        if (cvp_tensor_set(mine, job->source, &err) != CVP_OK)
            return NULL;
        int64_t *num = cvp_tensor_packed_num(mine);
        for (size_t k = 0; k < mine->size; k++)
            num[k] += job->added;
        cvp_tensor_pack_finish(mine);
    }
    job->added = cvp_tensor_packed_num_const(mine)[0];
    cvp_tensor_clear(mine);
    return job;
}

static void test_shared_copies_on_threads(void **state)
{
    (void)state;
    cvp_tensor_t t;
    cvp_tensor_init(t);
    int64_t num[1000];
    for (size_t k = 0; k < 1000; k++)
        num[k] = 2 * (int64_t)k + 1;
    tu_packed_of(t, 1, S(1000), num, "1");
    pthread_t threads[4];
    copy_job jobs[4];
    for (int k = 0; k < 4; k++) {
        jobs[k] = (copy_job){t, k + 1};
        assert_int_equal(pthread_create(&threads[k], NULL, copy_and_write, &jobs[k]), 0);
    }
    for (int k = 0; k < 4; k++) {
        void *back;
        assert_int_equal(pthread_join(threads[k], &back), 0);
        assert_ptr_equal(back, &jobs[k]);
        assert_int_equal(jobs[k].added, 1 + k + 1);   /* 1 + (k + 1), once */
    }
    for (size_t k = 0; k < 1000; k++)
        assert_int_equal(cvp_tensor_packed_num_const(t)[k], 2 * (int64_t)k + 1);
    cvp_tensor_clear(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_finish_divides_the_common_gcd),
        cmocka_unit_test(test_pack_round_trips_random_rationals),
        cmocka_unit_test(test_boundary_values_pack_or_stay_rational),
        cmocka_unit_test(test_reads_keep_packed_writes_unpack),
        cmocka_unit_test(test_operators_on_packed_operands),
        cmocka_unit_test(test_elementwise_packed_and_overflow),
        cmocka_unit_test(test_sums_of_packed),
        cmocka_unit_test(test_permute_and_slice_packed),
        cmocka_unit_test(test_lift_from_packed),
        cmocka_unit_test(test_copies_share_until_written),
        cmocka_unit_test(test_shared_copies_on_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
