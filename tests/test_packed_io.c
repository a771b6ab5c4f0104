/* test_packed_io.c -- packed Q tensors (kernel/packed.h) through the fast
 * kernels, .npy and text reading and writing, and correctly rounded
 * output.
 *
 * Every packed tensor here is compared with an unpacked one built
 * independently (mpq_ functions, or values written out by hand), and
 * every packed result must be canonical.  test_packed.c tests building
 * and the kernel's operators. */
#include "testutil.h"

#include <math.h>
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

/* ---- the fast kernels read and write the packed form ---------------- */

static void check_fast_conv(cvp_rng *rng, int64_t bound, uint64_t max_den,
                            bool with_bias, cvp_fast_path min_path)
{
    cvp_tensor_t X, K, B, uX, uK, uB, got, want;
    cvp_tensor_init(X), cvp_tensor_init(K), cvp_tensor_init(B);
    cvp_tensor_init(uX), cvp_tensor_init(uK), cvp_tensor_init(uB);
    cvp_tensor_init(got), cvp_tensor_init(want);
    tu_zeros(X, 4, S(2, 3, 6, 5));
    tu_zeros(K, 4, S(4, 3, 3, 2));
    tu_zeros(B, 1, S(4));
    if (max_den == 1) {
        cvp_tensor_random_int(X, rng, -bound, bound);
        cvp_tensor_random_int(K, rng, -bound, bound);
        cvp_tensor_random_int(B, rng, -bound, bound);
    } else {
        cvp_tensor_random_rat(X, rng, -bound, bound, max_den);
        cvp_tensor_random_rat(K, rng, -bound, bound, max_den);
        cvp_tensor_random_rat(B, rng, -bound, bound, max_den);
    }
    tu_unpacked_copy(uX, X), tu_unpacked_copy(uK, K), tu_unpacked_copy(uB, B);
    assert_true(cvp_tensor_pack(X) && cvp_tensor_pack(K) && cvp_tensor_pack(B));
    cvp_conv2d_params p = {.stride = {1, 2}, .padding = {1, 0},
                           .dilation = {1, 1}, .groups = 1};
    cvp_fast_set_min_path(min_path);
    cvp_fast_path path;
    uint64_t before = cvp_tensor_materialise_count();
    tu_assert_ok(cvp_fast_conv2d(got, X, K, with_bias ? B : NULL, &p, &path,
                                 NULL), NULL);
    cvp_fast_set_min_path(CVP_FAST_PATH_REFERENCE);
    tu_assert_ok(cvp_conv2d(want, uX, uK, with_bias ? uB : NULL, &p, NULL), NULL);
    if (path != CVP_FAST_PATH_REFERENCE && cvp_tensor_is_packed(got)) {
        /* The fast paths read the packed operands without rationals (and
         * when the result is packed, add the bias without them too). */
        assert_int_equal(cvp_tensor_materialise_count(), before);
        assert_true(cvp_tensor_is_packed(X) && cvp_tensor_is_packed(K));
    }
    if (cvp_tensor_is_packed(got))
        assert_true(cvp_tensor_packed_is_canonical(got));
    tu_assert_equal(got, want);
    /* Output aliasing an input. */
    cvp_fast_set_min_path(min_path);
    tu_assert_ok(cvp_fast_conv2d(X, X, K, with_bias ? B : NULL, &p, NULL, NULL), NULL);
    cvp_fast_set_min_path(CVP_FAST_PATH_REFERENCE);
    tu_assert_equal(X, want);
    cvp_tensor_clear(X), cvp_tensor_clear(K), cvp_tensor_clear(B);
    cvp_tensor_clear(uX), cvp_tensor_clear(uK), cvp_tensor_clear(uB);
    cvp_tensor_clear(got), cvp_tensor_clear(want);
}

static void test_fast_kernels_on_packed_operands(void **state)
{
    (void)state;
    cvp_rng rng;
    cvp_rng_seed(&rng, 99);
    static const cvp_fast_path paths[] = {
        CVP_FAST_PATH_REFERENCE, CVP_FAST_PATH_FLOAT64, CVP_FAST_PATH_INT64,
        CVP_FAST_PATH_CRT};
    for (size_t k = 0; k < sizeof paths / sizeof paths[0]; k++) {
        for (int bias = 0; bias < 2; bias++) {
            check_fast_conv(&rng, 8, 1, bias, paths[k]);
            check_fast_conv(&rng, 1000, 16, bias, paths[k]);
        }
    }
    /* Values near 2^40: bounds beyond 2^63 take the CRT path, and the
     * results beyond int64 are rationals, not packed. */
    check_fast_conv(&rng, (int64_t)1 << 40, 1, false, CVP_FAST_PATH_REFERENCE);
    check_fast_conv(&rng, (int64_t)1 << 40, 1, true, CVP_FAST_PATH_REFERENCE);
    check_fast_conv(&rng, (int64_t)1 << 20, 1, true, CVP_FAST_PATH_REFERENCE);
}

/* A packed bias whose sum with the product overflows int64 still gives
 * the exact sum. */
static void test_bias_overflow_is_exact(void **state)
{
    (void)state;
    cvp_tensor_t X, K, B, got, want, uX, uK, uB;
    cvp_tensor_init(X), cvp_tensor_init(K), cvp_tensor_init(B);
    cvp_tensor_init(got), cvp_tensor_init(want);
    cvp_tensor_init(uX), cvp_tensor_init(uK), cvp_tensor_init(uB);
    tu_packed_of(X, 4, S(1, 1, 1, 1), (int64_t[]){3}, "1");
    tu_packed_of(K, 4, S(1, 1, 1, 1), (int64_t[]){1}, "1");
    tu_packed_of(B, 1, S(1), (int64_t[]){INT64_MAX}, "1");
    tu_unpacked_copy(uX, X), tu_unpacked_copy(uK, K), tu_unpacked_copy(uB, B);
    cvp_conv2d_params p = {.stride = {1, 1}, .padding = {0, 0},
                           .dilation = {1, 1}, .groups = 1};
    tu_assert_ok(cvp_fast_conv2d(got, X, K, B, &p, NULL, NULL), NULL);
    tu_assert_ok(cvp_conv2d(want, uX, uK, uB, &p, NULL), NULL);
    tu_assert_entry(got, 0, "9223372036854775810");   /* 2^63 - 1 + 3 */
    tu_assert_equal(got, want);
    cvp_tensor_clear(X), cvp_tensor_clear(K), cvp_tensor_clear(B);
    cvp_tensor_clear(got), cvp_tensor_clear(want);
    cvp_tensor_clear(uX), cvp_tensor_clear(uK), cvp_tensor_clear(uB);
}

/* ---- .npy reading into and writing from the packed form ------------- */

/* A version 1.0 .npy image of little-endian entries of dtype `descr`. */
static size_t npy_image(unsigned char *buf, size_t cap, const char *descr,
                        int rank, const size_t *shape, const void *data,
                        size_t itemsize)
{
    char dict[200], dims[100] = "";
    size_t used = 0, n = 1;
    for (int k = 0; k < rank; k++) {
        used += (size_t)snprintf(dims + used, sizeof dims - used, "%zu,%s",
                                 shape[k], k + 1 < rank ? " " : "");
        n *= shape[k];
    }
    int len = snprintf(dict, sizeof dict,
                       "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }",
                       descr, dims);
    size_t hlen = (size_t)len + 1;
    hlen += (64 - (10 + hlen) % 64) % 64;
    assert_true(10 + hlen + n * itemsize <= cap);
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    buf[8] = (unsigned char)(hlen & 0xff);
    buf[9] = (unsigned char)(hlen >> 8);
    memset(buf + 10, ' ', hlen);
    memcpy(buf + 10, dict, (size_t)len);
    buf[10 + hlen - 1] = '\n';
    memcpy(buf + 10 + hlen, data, n * itemsize);
    return 10 + hlen + n * itemsize;
}

/* Reads doubles (or floats) through .npy and checks each entry against
 * mpq_set_d, which is exact; `packed` says whether the values fit. */
static void check_npy_floats(const double *v, size_t n, bool single, bool packed)
{
    unsigned char buf[4096];
    float f[64];
    assert_true(n <= 64);
    for (size_t k = 0; k < n; k++)
        f[k] = (float)v[k];
    size_t len = npy_image(buf, sizeof buf, single ? "<f4" : "<f8", 1, S(n),
                           single ? (const void *)f : (const void *)v,
                           single ? 4 : 8);
    cvp_tensor_t t;
    cvp_tensor_init(t);
    cvp_error err;
    tu_assert_ok(cvp_npy_parse(t, buf, len, "test", &err), &err);
    assert_int_equal(cvp_tensor_is_packed(t), packed);
    if (packed)
        assert_true(cvp_tensor_packed_is_canonical(t));
    mpq_t q;
    mpq_init(q);
    for (size_t k = 0; k < n; k++) {
        mpq_set_d(q, single ? (double)f[k] : v[k]);
        assert_true(mpq_equal(q, cvp_tensor_at((const cvp_tensor_struct *)t, k)));
    }
    /* Written back (every entry is a double) and read again: the same
     * bits, also for -0.0, which becomes +0.0 as an exact 0. */
    char path[] = "/tmp/test_packed_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    tu_assert_ok(cvp_npy_write_file(path, t, &err), &err);
    cvp_tensor_t back;
    cvp_tensor_init(back);
    tu_assert_ok(cvp_npy_read_file(back, path, &err), &err);
    assert_true(cvp_tensor_equal(back, t));
    /* The rounded writer writes exact values unchanged. */
    tu_assert_ok(cvp_npy_write_rounded_file(path, t, &err), &err);
    tu_assert_ok(cvp_npy_read_file(back, path, &err), &err);
    assert_true(cvp_tensor_equal(back, t));
    unlink(path);
    mpq_clear(q);
    cvp_tensor_clear(t), cvp_tensor_clear(back);
}

static void test_npy_floats_become_dyadic_packed(void **state)
{
    (void)state;
    const double tiny = 4.9406564584124654e-324;      /* 2^-1074 */
    const double fmax = 3.4028234663852886e38;        /* largest float32 */
    const double dmax = 1.7976931348623157e308;       /* largest float64 */
    const double fsub = 1.4012984643248171e-45;       /* 2^-149 */
    /* integers and halves: den 2 */
    check_npy_floats((double[]){1, -2.5, 0, -0.0, 8}, 5, false, true);
    check_npy_floats((double[]){1, -2.5, 0, -0.0, 8}, 5, true, true);
    /* standard-normal-like float32 values: 24-bit significands over a
     * common power of two */
    check_npy_floats((double[]){0.3f, -1.7f, 2.25f, 1e-3f, -4.5f}, 5, true, true);
    /* a subnormal alone packs (1 over 2^1074); with 1.0 it cannot */
    check_npy_floats((double[]){tiny, -tiny, 0}, 3, false, true);
    check_npy_floats((double[]){tiny, 1.0}, 2, false, false);
    check_npy_floats((double[]){fsub, 1.0}, 2, true, false);
    check_npy_floats((double[]){fsub, 3 * fsub}, 2, true, true);
    /* the largest float32: (2^24 - 1) 2^104 is beyond int64 */
    check_npy_floats((double[]){fmax, 1}, 2, true, false);
    check_npy_floats((double[]){dmax, -dmax}, 2, false, false);
    /* 2^62 fits, 2^63 does not (its magnitude is not an int64) */
    check_npy_floats((double[]){4611686018427387904.0, -1}, 2, false, true);
    check_npy_floats((double[]){9223372036854775808.0, 1}, 2, false, false);
    check_npy_floats((double[]){-9223372036854775808.0, 1}, 2, false, false);
}

static void test_npy_integers_pack(void **state)
{
    (void)state;
    unsigned char buf[1024];
    cvp_tensor_t t;
    cvp_tensor_init(t);
    cvp_error err;
    int64_t v64[] = {INT64_MIN, INT64_MAX, 0, -1};
    size_t len = npy_image(buf, sizeof buf, "<i8", 2, S(2, 2), v64, 8);
    tu_assert_ok(cvp_npy_parse(t, buf, len, "t", &err), &err);
    assert_true(cvp_tensor_is_packed(t));
    tu_assert_entry(t, 0, "-9223372036854775808");
    tu_assert_entry(t, 1, "9223372036854775807");
    tu_assert_entry(t, 3, "-1");
    int16_t v16[] = {-32768, 32767, -1};
    len = npy_image(buf, sizeof buf, "<i2", 1, S(3), v16, 2);
    tu_assert_ok(cvp_npy_parse(t, buf, len, "t", &err), &err);
    assert_true(cvp_tensor_is_packed(t));
    tu_assert_entry(t, 0, "-32768");
    tu_assert_entry(t, 2, "-1");
    /* uint64 beyond int64: rationals */
    uint64_t u64[] = {UINT64_MAX, 1};
    len = npy_image(buf, sizeof buf, "<u8", 1, S(2), u64, 8);
    tu_assert_ok(cvp_npy_parse(t, buf, len, "t", &err), &err);
    assert_false(cvp_tensor_is_packed(t));
    tu_assert_entry(t, 0, "18446744073709551615");
    /* NaN is still an error naming the entry */
    double nan_v[] = {1, NAN};
    len = npy_image(buf, sizeof buf, "<f8", 1, S(2), nan_v, 8);
    tu_assert_fails(cvp_npy_parse(t, buf, len, "t", &err), &err,
                    CVP_ERR_INPUT, "[1] is NaN");
    cvp_tensor_clear(t);
}

/* ---- the text form ----------------------------------------------------- */

static void check_text(const char *text, bool packed, const char *written)
{
    cvp_tensor_t t;
    cvp_tensor_init(t);
    cvp_error err;
    tu_assert_ok(cvp_tensor_parse_text(t, text, strlen(text), "t", &err), &err);
    assert_int_equal(cvp_tensor_is_packed(t), packed);
    if (packed)
        assert_true(cvp_tensor_packed_is_canonical(t));
    char buf[512];
    FILE *f = fmemopen(buf, sizeof buf, "w");
    assert_non_null(f);
    assert_int_equal(cvp_tensor_write_text(f, t), 0);
    fclose(f);
    assert_string_equal(buf, written);
    /* The same text from the rationals (unpacked copy). */
    cvp_tensor_t u;
    cvp_tensor_init(u);
    tu_unpacked_copy(u, t);
    f = fmemopen(buf, sizeof buf, "w");
    assert_int_equal(cvp_tensor_write_text(f, u), 0);
    fclose(f);
    assert_string_equal(buf, written);
    cvp_tensor_clear(u);
    cvp_tensor_clear(t);
}

static void test_text_reads_and_writes_packed(void **state)
{
    (void)state;
    check_text("[[1, -2], [30, 0]]", true, "[[1, -2],\n [30, 0]]\n");
    check_text("[999999999999999999, -999999999999999999]", true,
               "[999999999999999999, -999999999999999999]\n");
    /* 19 digits: read by GMP, still packed as it fits an int64 */
    check_text("[9223372036854775807, -9223372036854775808]", true,
               "[9223372036854775807, -9223372036854775808]\n");
    check_text("[9223372036854775808]", false, "[9223372036854775808]\n");
    /* rationals and decimals over a common denominator, written reduced */
    check_text("[1/2, -2/3, 0.25, 4, 1e2]", true,
               "[1/2, -2/3, 1/4, 4, 100]\n");
    check_text("[+7, -0, 007]", true, "[7, 0, 7]\n");
    check_text("-5", true, "-5\n");
    check_text("[]", true, "[]\n");
    /* a denominator beyond 64 bits */
    check_text("[1/36893488147419103232, 3]", false,
               "[1/36893488147419103232, 3]\n");
    check_text("[1/36893488147419103232, 3/36893488147419103232]", true,
               "[1/36893488147419103232, 3/36893488147419103232]\n");
}

/* ---- correctly rounded output --------------------------------------- */

static double rounded(const char *text)
{
    mpq_t q;
    mpq_init(q);
    assert_int_equal(mpq_set_str(q, text, 10), 0);
    mpq_canonicalize(q);
    double d = cvp_mpq_round_to_double(q);
    mpq_clear(q);
    return d;
}

static void test_rounding_to_nearest_even(void **state)
{
    (void)state;
    /* 1/3 = 0x1.5555555555555p-2 (the next bit is 0 then 1s: down) */
    assert_true(rounded("1/3") == 0x1.5555555555555p-2);
    /* 2/3 = 0x1.5555555555555|5...p-1: the bits after are 0101...: down */
    assert_true(rounded("2/3") == 0x1.5555555555555p-1);
    /* ties: 2^53 + 1 lies halfway between 2^53 (even) and 2^53 + 2 */
    assert_true(rounded("9007199254740993") == 9007199254740992.0);
    /* 2^53 + 3: halfway between 2^53 + 2 (odd significand) and 2^53 + 4 */
    assert_true(rounded("9007199254740995") == 9007199254740996.0);
    assert_true(rounded("-9007199254740995") == -9007199254740996.0);
    /* 1 + 2^-53: tie, 1.0 is even */
    assert_true(rounded("9007199254740993/9007199254740992") == 1.0);
    /* 1 + 3 2^-53: tie between 1 + 2^-52 (odd) and 1 + 2^-51 (even) */
    assert_true(rounded("9007199254740995/9007199254740992") == 1.0 + 0x1p-51);
    /* just above the tie: up */
    assert_true(rounded("18014398509481987/18014398509481984") == 1.0 + 0x1p-52);
    /* subnormals: 2^-1075 is a tie between 0 and 2^-1074 -> 0 (with the
     * sign); 3 2^-1075 a tie between 2^-1074 (odd) and 2^-1073 */
    char text[400];
    mpz_t p2;
    mpz_init(p2);
    mpz_ui_pow_ui(p2, 2, 1075);
    gmp_snprintf(text, sizeof text, "1/%Zd", p2);
    double d = rounded(text);
    assert_true(d == 0.0 && !signbit(d));
    gmp_snprintf(text, sizeof text, "-1/%Zd", p2);
    d = rounded(text);
    assert_true(d == 0.0 && signbit(d));
    gmp_snprintf(text, sizeof text, "3/%Zd", p2);
    assert_true(rounded(text) == 0x1p-1073);
    gmp_snprintf(text, sizeof text, "5/%Zd", p2);      /* 2.5 ulp -> 2 */
    assert_true(rounded(text) == 0x1p-1073);
    gmp_snprintf(text, sizeof text, "7/%Zd", p2);      /* 3.5 ulp -> 4 */
    assert_true(rounded(text) == 0x1p-1072);
    /* the largest double, and the overflow threshold 2^1024 - 2^970
     * (a tie between the largest double, odd, and 2^1024: infinity) */
    mpz_ui_pow_ui(p2, 2, 1024);
    mpz_t h;
    mpz_init(h);
    mpz_ui_pow_ui(h, 2, 971);
    mpz_sub(h, p2, h);                                   /* max double */
    gmp_snprintf(text, sizeof text, "%Zd", h);
    assert_true(rounded(text) == 1.7976931348623157e308);
    mpz_ui_pow_ui(h, 2, 970);
    mpz_sub(h, p2, h);
    gmp_snprintf(text, sizeof text, "%Zd", h);
    assert_true(isinf(rounded(text)) && rounded(text) > 0);
    mpz_sub_ui(h, h, 1);                                 /* just below: max */
    gmp_snprintf(text, sizeof text, "-%Zd", h);
    assert_true(rounded(text) == -1.7976931348623157e308);
    mpz_clear(h);
    mpz_clear(p2);
    assert_true(rounded("0") == 0.0);
}

/* The rounded writer on a packed tensor (power-of-two and other
 * denominators) and on rationals gives the values above. */
static void test_rounded_file(void **state)
{
    (void)state;
    cvp_tensor_t t, back;
    cvp_tensor_init(t), cvp_tensor_init(back);
    cvp_error err;
    char path[] = "/tmp/test_packed_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    /* (2^53 + 1) / 2^60 ties to 2^-7; 3 / 2^60 is exact */
    tu_packed_of(t, 1, S(2), (int64_t[]){((int64_t)1 << 53) + 1, 3},
              "1152921504606846976");
    tu_assert_fails(cvp_npy_write_file(path, t, &err), &err, CVP_ERR_INPUT,
                    "not exactly representable");
    tu_assert_ok(cvp_npy_write_rounded_file(path, t, &err), &err);
    tu_assert_ok(cvp_npy_read_file(back, path, &err), &err);
    tu_assert_entry(back, 0, "1/128");
    tu_assert_entry(back, 1, "3/1152921504606846976");
    /* 1/3, -2/3 over 3 */
    tu_packed_of(t, 1, S(2), (int64_t[]){1, -2}, "3");
    tu_assert_ok(cvp_npy_write_rounded_file(path, t, &err), &err);
    tu_assert_ok(cvp_npy_read_file(back, path, &err), &err);
    mpq_t q;
    mpq_init(q);
    mpq_set_d(q, 0x1.5555555555555p-2);
    assert_true(mpq_equal(q, cvp_tensor_at((const cvp_tensor_struct *)back, 0)));
    mpq_set_d(q, -0x1.5555555555555p-1);
    assert_true(mpq_equal(q, cvp_tensor_at((const cvp_tensor_struct *)back, 1)));
    mpq_clear(q);
    unlink(path);
    cvp_tensor_clear(t), cvp_tensor_clear(back);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fast_kernels_on_packed_operands),
        cmocka_unit_test(test_bias_overflow_is_exact),
        cmocka_unit_test(test_npy_floats_become_dyadic_packed),
        cmocka_unit_test(test_npy_integers_pack),
        cmocka_unit_test(test_text_reads_and_writes_packed),
        cmocka_unit_test(test_rounding_to_nearest_even),
        cmocka_unit_test(test_rounded_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
