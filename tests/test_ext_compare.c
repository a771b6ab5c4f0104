/* test_ext_compare.c -- the JSON writer (ext/json.h) and the comparison
 * helpers of the C API (ext/compare.h).
 *
 * Expected values are worked out by hand in the comments, or come from
 * the C compiler's own IEEE arithmetic (1.0 / 3.0 is the correctly
 * rounded double of 1/3), never from the functions under test. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ext/compare.h"
#include "ext/json.h"
#include "kernel/rng.h"
#include "testutil.h"

/* ---- JSON ------------------------------------------------------------ */

static void test_json_structure(void **state)
{
    (void)state;
    cvp_json j;
    cvp_json_init(&j);
    cvp_json_begin_object(&j);
    cvp_json_key(&j, "op");
    cvp_json_string(&j, "conv2d");
    cvp_json_key(&j, "stride");
    cvp_json_begin_array(&j);
    cvp_json_uint(&j, 2);
    cvp_json_int(&j, -1);
    cvp_json_end_array(&j);
    cvp_json_key(&j, "empty");
    cvp_json_begin_object(&j);
    cvp_json_end_object(&j);
    cvp_json_key(&j, "list");
    cvp_json_begin_array(&j);
    cvp_json_bool(&j, true);
    cvp_json_null(&j);
    cvp_json_begin_array(&j);
    cvp_json_end_array(&j);
    cvp_json_end_array(&j);
    cvp_json_end_object(&j);
    assert_string_equal(cvp_json_text(&j),
                        "{\"op\":\"conv2d\",\"stride\":[2,-1],\"empty\":{},"
                        "\"list\":[true,null,[]]}");
    assert_int_equal(j.replaced, 0);
    cvp_json_clear(&j);
}

static void test_json_escapes(void **state)
{
    (void)state;
    cvp_json j;
    cvp_json_init(&j);
    /* quote, backslash, newline, tab, CR, BS, FF, 0x01, DEL, then U+00E9
     * (2 bytes), U+20AC (3 bytes), U+1F600 (4 bytes) kept as they are. */
    const char in[] = "a\"b\\c\nd\te\rf\bg\fh\x01i\x7fj\xc3\xa9\xe2\x82\xac"
                      "\xf0\x9f\x98\x80";
    cvp_json_string(&j, in);
    assert_string_equal(cvp_json_text(&j),
                        "\"a\\\"b\\\\c\\nd\\te\\rf\\bg\\fh\\u0001i\\u007fj"
                        "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
    assert_int_equal(j.replaced, 0);
    cvp_json_clear(&j);

    /* Invalid UTF-8: a lone continuation byte, an overlong '/', a
     * surrogate, a truncated sequence -- each bad byte becomes U+FFFD. */
    cvp_json_init(&j);
    cvp_json_string_len(&j, "x\x80y\xc0\xafz\xed\xa0\x80w\xe2\x82", 12);
    assert_string_equal(cvp_json_text(&j),
                        "\"x\\ufffdy\\ufffd\\ufffdz\\ufffd\\ufffd\\ufffdw"
                        "\\ufffd\\ufffd\"");
    assert_int_equal(j.replaced, 8);
    cvp_json_clear(&j);

    /* An embedded NUL (explicit length) is escaped, not a terminator. */
    cvp_json_init(&j);
    cvp_json_string_len(&j, "a\0b", 3);
    assert_string_equal(cvp_json_text(&j), "\"a\\u0000b\"");
    cvp_json_clear(&j);
}

/* A strict reader of one JSON string: true when text is exactly a quoted
 * string with legal escapes and no raw control characters or invalid
 * UTF-8 (an independent check of the writer's output). */
static bool valid_json_string(const char *text)
{
    const unsigned char *p = (const unsigned char *)text;
    if (*p++ != '"')
        return false;
    while (*p != '"') {
        if (*p == '\0' || *p < 0x20 || *p == 0x7f)
            return false;
        if (*p == '\\') {
            p++;
            if (*p == 'u') {
                for (int k = 1; k <= 4; k++)
                    if (!((p[k] >= '0' && p[k] <= '9') || (p[k] >= 'a' && p[k] <= 'f')))
                        return false;
                p += 5;
            } else if (strchr("\"\\/bfnrt", *p) != NULL && *p != '\0') {
                p++;
            } else {
                return false;
            }
            continue;
        }
        size_t n = cvp_json_utf8_length(p, strlen((const char *)p));
        if (n == 0)
            return false;
        p += n;
    }
    return p[1] == '\0';
}

static void test_json_fuzz(void **state)
{
    (void)state;
    cvp_rng rng;
    cvp_rng_seed(&rng, 7);
    char buf[64];
    for (int round = 0; round < 3000; round++) {
        size_t len = (size_t)cvp_rng_range(&rng, 0, (int64_t)sizeof buf);
        for (size_t k = 0; k < len; k++)
            buf[k] = (char)cvp_rng_range(&rng, 0, 255);
        cvp_json j;
        cvp_json_init(&j);
        cvp_json_string_len(&j, buf, len);
        assert_true(valid_json_string(cvp_json_text(&j)));
        cvp_json_clear(&j);
    }
}

/* ---- buffers --------------------------------------------------------- */

static void test_buffers(void **state)
{
    (void)state;
    cvp_tensor_t t, want;
    cvp_tensor_init(t);
    cvp_tensor_init(want);
    cvp_error e;
    size_t shape[2] = {2, 2};

    double d[4] = {1, -2, 0.5, 3};
    tu_assert_ok(cvp_tensor_from_doubles(t, 2, shape, d, &e), &e);
    assert_int_equal(mpq_cmp_ui(cvp_tensor_at(t, 2), 1, 2), 0);
    tu_ints(want, 2, shape, (long[]){1, -2, 0, 3});
    mpq_set_ui(cvp_tensor_at(want, 2), 1, 2);
    tu_assert_equal(t, want);

    /* 0.1f is 13421773 / 2^27 exactly. */
    float f[1] = {0.1f};
    size_t one = 1;
    tu_assert_ok(cvp_tensor_from_floats(t, 1, &one, f, &e), &e);
    mpq_t q;
    mpq_init(q);
    mpz_set_ui(mpq_numref(q), 13421773);
    mpz_ui_pow_ui(mpq_denref(q), 2, 27);
    assert_true(mpq_equal(q, cvp_tensor_at(t, 0)));

    int64_t big[2] = {INT64_MIN, INT64_MAX};
    size_t two = 2;
    tu_assert_ok(cvp_tensor_from_int64s(t, 1, &two, big, &e), &e);
    mpz_ui_pow_ui(mpq_numref(q), 2, 63);      /* 2^63 */
    mpz_set_ui(mpq_denref(q), 1);
    mpq_neg(q, q);
    assert_true(mpq_equal(q, cvp_tensor_at(t, 0)));
    mpq_neg(q, q);
    mpz_sub_ui(mpq_numref(q), mpq_numref(q), 1);
    assert_true(mpq_equal(q, cvp_tensor_at(t, 1)));

    int32_t small[4] = {-7, 0, 5, INT32_MIN};
    tu_assert_ok(cvp_tensor_from_int32s(t, 2, shape, small, &e), &e);
    tu_ints(want, 2, shape, (long[]){-7, 0, 5, -2147483648L});
    tu_assert_equal(t, want);

    double bad[4] = {0, 1, NAN, 2};
    tu_assert_fails(cvp_tensor_from_doubles(t, 2, shape, bad, &e), &e,
                    CVP_ERR_INPUT, "entry [1,0] is NaN");
    float inf[1] = {-INFINITY};
    tu_assert_fails(cvp_tensor_from_floats(t, 1, &one, inf, &e), &e,
                    CVP_ERR_INPUT, "infinite");

    tu_ints(t, 2, shape, (long[]){-1, 2, -3, 0});
    tu_assert_ok(cvp_tensor_abs(t, t, &e), &e);
    tu_ints(want, 2, shape, (long[]){1, 2, 3, 0});
    tu_assert_equal(t, want);
    mpq_clear(q);
    cvp_tensor_clear(t);
    cvp_tensor_clear(want);
}

/* ---- formats --------------------------------------------------------- */

static void pow2(mpq_t q, long e)
{
    mpq_set_ui(q, 1, 1);
    if (e >= 0)
        mpz_mul_2exp(mpq_numref(q), mpq_numref(q), (mp_bitcnt_t)e);
    else
        mpz_mul_2exp(mpq_denref(q), mpq_denref(q), (mp_bitcnt_t)-e);
}

static void test_round_nearest(void **state)
{
    (void)state;
    mpq_t q, r, want;
    mpq_inits(q, r, want, NULL);
    /* 1/3 rounds to the double the compiler computes for 1.0 / 3.0. */
    mpq_set_ui(q, 1, 3);
    assert_true(cvp_round_nearest(r, q, CVP_PRECISION_DOUBLE));
    volatile double third = 1.0 / 3.0;
    mpq_set_d(want, third);
    assert_true(mpq_equal(r, want));
    /* ... and to 1.0f / 3.0f in single precision. */
    assert_true(cvp_round_nearest(r, q, CVP_PRECISION_FLOAT));
    volatile float third_f = 1.0f / 3.0f;
    mpq_set_d(want, (double)third_f);
    assert_true(mpq_equal(r, want));
    /* 1 + 2^-53 is a tie between 1 and 1 + 2^-52: even wins, so 1. */
    pow2(q, -53);
    mpq_set_ui(want, 1, 1);
    mpq_add(q, q, want);
    assert_true(cvp_round_nearest(r, q, CVP_PRECISION_DOUBLE));
    assert_true(mpq_equal(r, want));
    /* Subnormals: 3 * 2^-1076 = 0.75 * 2^-1074 rounds to 2^-1074; 2^-1076
     * (a quarter of the smallest subnormal) rounds to 0. */
    pow2(q, -1076);
    mpq_set_ui(want, 3, 1);
    mpq_mul(q, q, want);
    assert_true(cvp_round_nearest(r, q, CVP_PRECISION_DOUBLE));
    pow2(want, -1074);
    assert_true(mpq_equal(r, want));
    pow2(q, -1076);
    assert_true(cvp_round_nearest(r, q, CVP_PRECISION_DOUBLE));
    assert_int_equal(mpq_sgn(r), 0);
    /* 2^1024 overflows a double, 2^1023 does not; 2^128 overflows a float. */
    pow2(q, 1024);
    assert_false(cvp_round_nearest(r, q, CVP_PRECISION_DOUBLE));
    pow2(q, 1023);
    assert_true(cvp_round_nearest(r, q, CVP_PRECISION_DOUBLE));
    assert_true(mpq_equal(r, q));
    pow2(q, 128);
    assert_false(cvp_round_nearest(r, q, CVP_PRECISION_FLOAT));
    mpq_clears(q, r, want, NULL);
}

static void test_ulp_gamma(void **state)
{
    (void)state;
    mpq_t q, r, want;
    mpq_inits(q, r, want, NULL);
    struct { long num; unsigned long den; long ulp_exp; } cases[] = {
        {1, 1, -52},       /* ulp(1) = DBL_EPSILON = 2^-52 */
        {3, 4, -53},       /* 0.75 is in [1/2, 1) */
        {-3, 1, -51},      /* |-3| is in [2, 4) */
        {1, 3, -54},       /* 1/3 is in [1/4, 1/2) */
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        mpq_set_si(q, cases[k].num, cases[k].den);
        cvp_ulp(r, q, CVP_PRECISION_DOUBLE);
        pow2(want, cases[k].ulp_exp);
        assert_true(mpq_equal(r, want));
    }
    mpq_set_d(want, DBL_EPSILON);
    mpq_set_ui(q, 1, 1);
    cvp_ulp(r, q, CVP_PRECISION_DOUBLE);
    assert_true(mpq_equal(r, want));
    /* float: ulp(1) = FLT_EPSILON = 2^-23 */
    cvp_ulp(r, q, CVP_PRECISION_FLOAT);
    mpq_set_d(want, (double)FLT_EPSILON);
    assert_true(mpq_equal(r, want));
    /* ulp(0) and the ulp of a subnormal are the smallest subnormal. */
    mpq_set_ui(q, 0, 1);
    cvp_ulp(r, q, CVP_PRECISION_DOUBLE);
    pow2(want, -1074);
    assert_true(mpq_equal(r, want));
    pow2(q, -1030);
    cvp_ulp(r, q, CVP_PRECISION_DOUBLE);
    assert_true(mpq_equal(r, want));
    pow2(q, -140);
    cvp_ulp(r, q, CVP_PRECISION_FLOAT);
    pow2(want, -149);
    assert_true(mpq_equal(r, want));

    /* gamma_n = n / (2^p - n) */
    cvp_gamma(r, 1, CVP_PRECISION_DOUBLE);
    mpz_set_ui(mpq_numref(want), 1);
    mpz_ui_pow_ui(mpq_denref(want), 2, 53);
    mpz_sub_ui(mpq_denref(want), mpq_denref(want), 1);
    assert_true(mpq_equal(r, want));
    cvp_gamma(r, 10, CVP_PRECISION_FLOAT);
    mpq_set_ui(want, 10, 16777216 - 10);
    mpq_canonicalize(want);
    assert_true(mpq_equal(r, want));
    mpq_clears(q, r, want, NULL);
}

static void test_format(void **state)
{
    (void)state;
    char buf[64];
    cvp_format_double(buf, sizeof buf, 0.1);
    assert_string_equal(buf, "0.1");
    cvp_format_double(buf, sizeof buf, 3.0);
    assert_string_equal(buf, "3");
    cvp_format_double(buf, sizeof buf, -2.5e-7);
    assert_string_equal(buf, "-2.5e-07");
    cvp_format_double(buf, sizeof buf, 1.0 / 3.0);
    assert_string_equal(buf, "0.3333333333333333");
    cvp_format_double(buf, sizeof buf, NAN);
    assert_string_equal(buf, "nan");
    cvp_format_ulps(buf, sizeof buf, 0.5);
    assert_string_equal(buf, "0.5");
    cvp_format_ulps(buf, sizeof buf, 1234.5);
    assert_string_equal(buf, "1.23e+03");
}

/* ---- comparison ------------------------------------------------------ */

static void test_compare_exact(void **state)
{
    (void)state;
    cvp_tensor_t a, b;
    cvp_tensor_init(a);
    cvp_tensor_init(b);
    cvp_error e;
    size_t shape[2] = {2, 3};
    tu_ints(a, 2, shape, (long[]){1, 2, 3, 4, 5, 6});
    tu_ints(b, 2, shape, (long[]){1, 2, 3, 4, 5, 6});
    cvp_compare_result r;
    cvp_compare_result_init(&r);
    tu_assert_ok(cvp_compare(&r, a, b, NULL, &e), &e);
    assert_int_equal(r.compared, 6);
    assert_int_equal(r.differing, 0);
    char line[256];
    cvp_compare_describe(line, sizeof line, &r, "y");
    assert_string_equal(line, "");

    /* Entries [0,2] and [1,1] differ; [0,2] comes first.  ulp(3) = 2^-51,
     * so an error of 1 there is 2^51 ulp. */
    tu_ints(b, 2, shape, (long[]){1, 2, 4, 4, 3, 6});
    tu_assert_ok(cvp_compare(&r, a, b, NULL, &e), &e);
    assert_int_equal(r.differing, 2);
    assert_int_equal(r.listed, 2);
    assert_int_equal(r.offsets[0], 2);
    assert_int_equal(r.offsets[1], 4);
    assert_int_equal(r.index[0], 0);
    assert_int_equal(r.index[1], 2);
    assert_int_equal(mpq_cmp_ui(r.got, 4, 1), 0);
    assert_int_equal(mpq_cmp_ui(r.expected, 3, 1), 0);
    assert_true(r.first_ulps == ldexp(1.0, 51));
    cvp_compare_describe(line, sizeof line, &r, "y");
    assert_string_equal(line, "y[0,2]: got 4, expected 3 (error 2.25e+15 ulp, "
                              "allowed 0 ulp)");

    size_t other[1] = {6};
    tu_ints(b, 1, other, (long[]){1, 2, 3, 4, 5, 6});
    tu_assert_fails(cvp_compare(&r, a, b, NULL, &e), &e, CVP_ERR_INPUT,
                    "shape [6] where [2, 3] was expected");
    cvp_compare_result_clear(&r);
    cvp_tensor_clear(a);
    cvp_tensor_clear(b);
}

static void test_compare_bounded(void **state)
{
    (void)state;
    cvp_tensor_t exact, got, sums;
    cvp_tensor_init(exact);
    cvp_tensor_init(got);
    cvp_tensor_init(sums);
    cvp_error e;
    size_t one = 1;
    /* y = 1/3 as one term of magnitude 1/3: fl(1/3) is off by a third of
     * an ulp (ulp(1/3) = 2^-54, 1/3 = 0x1.5555...p-2), well inside
     * gamma_1 * 1/3, about 0.67 ulp. */
    tu_ints(exact, 1, &one, (long[]){1});
    mpq_set_ui(cvp_tensor_at(exact, 0), 1, 3);
    tu_assert_ok(cvp_tensor_set(sums, exact, &e), &e);
    volatile double v = 1.0 / 3.0;
    double third = v;
    tu_assert_ok(cvp_tensor_from_doubles(got, 1, &one, &third, &e), &e);
    cvp_compare_bound bound = {CVP_PRECISION_DOUBLE, 1, sums};
    cvp_compare_result r;
    cvp_compare_result_init(&r);
    tu_assert_ok(cvp_compare(&r, exact, got, &bound, &e), &e);
    assert_int_equal(r.differing, 0);
    assert_true(fabs(r.max_ulps - 1.0 / 3.0) < 1e-12);
    assert_true(r.max_ratio > 0 && r.max_ratio < 1);
    /* fl(1/3) = 1/3 - 2^-54/3, so two doubles up is 1/3 + 2^-54 * 5/3:
     * 5/3 ulp away, outside. */
    double up = nextafter(nextafter(third, 1.0), 1.0);
    tu_assert_ok(cvp_tensor_from_doubles(got, 1, &one, &up, &e), &e);
    tu_assert_ok(cvp_compare(&r, exact, got, &bound, &e), &e);
    assert_int_equal(r.differing, 1);
    assert_true(fabs(r.first_ulps - 5.0 / 3.0) < 1e-12);
    /* With n = 3 terms summing to 1/3 in magnitude the allowance is about
     * 2 ulp (gamma_3 / 3 = 2^-53 = 2 ulp(1/3)), so it is inside again. */
    bound.terms = 3;
    tu_assert_ok(cvp_compare(&r, exact, got, &bound, &e), &e);
    assert_int_equal(r.differing, 0);
    /* An exact 0 computed as 2^-60 is counted apart, not as 2^1014 ulp. */
    mpq_set_ui(cvp_tensor_at(exact, 0), 0, 1);
    double tiny = ldexp(1.0, -60);
    tu_assert_ok(cvp_tensor_from_doubles(got, 1, &one, &tiny, &e), &e);
    tu_assert_ok(cvp_compare(&r, exact, got, &bound, &e), &e);
    assert_int_equal(r.zero_errors, 1);
    assert_true(r.max_ulps == 0);
    assert_int_equal(r.differing, 0);   /* 2^-60 <= gamma_3 * 1/3 */
    /* A bound without sums is an input error. */
    cvp_compare_bound broken = {CVP_PRECISION_DOUBLE, 2, NULL};
    tu_assert_fails(cvp_compare(&r, exact, got, &broken, &e), &e, CVP_ERR_INPUT,
                    "sums of |terms|");
    cvp_compare_result_clear(&r);
    cvp_tensor_clear(exact);
    cvp_tensor_clear(got);
    cvp_tensor_clear(sums);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_structure),
        cmocka_unit_test(test_json_escapes),
        cmocka_unit_test(test_json_fuzz),
        cmocka_unit_test(test_buffers),
        cmocka_unit_test(test_round_nearest),
        cmocka_unit_test(test_ulp_gamma),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_compare_exact),
        cmocka_unit_test(test_compare_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
