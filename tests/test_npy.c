/* test_npy.c -- cmocka tests of reading NumPy .npy files.
 *
 * Fixtures in tests/data/npy/ are written by tests/data/make_npy.py (numpy
 * itself where it can, hand-assembled bytes for broken files).  The values
 * expected here are worked out by hand: IEEE bit patterns decoded on paper
 * (0.1 as a double is 3602879701896397 / 2^55), integer extremes as
 * decimal strings, powers of two built with mpz_ui_pow_ui.  Header parsing
 * variants are built in memory.  The tests locate the fixtures through the
 * `srcdir` environment variable that automake sets (default ".").
 * test_npy_write.c tests writing.
 */
#include "testutil.h"

#include <math.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/npy.h"
#include "kernel/packed.h"
#include "kernel/rng.h"

/* ---- helpers ---------------------------------------------------------- */

static char fixture_buf[1024];

static const char *fixture(const char *name)
{
    const char *srcdir = getenv("srcdir");
    snprintf(fixture_buf, sizeof fixture_buf, "%s/tests/data/npy/%s",
             srcdir != NULL && srcdir[0] ? srcdir : ".", name);
    return fixture_buf;
}

static void read_ok(cvp_tensor_t t, const char *name)
{
    cvp_error err;
    cvp_error_clear(&err);
    if (cvp_npy_read_file(t, fixture(name), &err) != CVP_OK)
        fail_msg("reading %s failed: %s", name, err.message);
}

/* Reads a fixture that must fail; `what` is the message after "PATH: ". */
static void read_fails(const char *name, cvp_status status, const char *what)
{
    cvp_tensor_t t;
    cvp_tensor_init(t);
    cvp_tensor_set_scalar_si(t, 42, 1);
    cvp_error err;
    cvp_error_clear(&err);
    const char *path = fixture(name);
    assert_int_equal(cvp_npy_read_file(t, path, &err), status);
    char expected[2048];
    snprintf(expected, sizeof expected, "%s: %s", path, what);
    assert_string_equal(err.message, expected);
    /* The output is untouched by a failed read. */
    assert_int_equal(cvp_tensor_rank(t), 0);
    assert_int_equal(mpz_get_si(mpq_numref(cvp_tensor_at(t, 0))), 42);
    cvp_tensor_clear(t);
}

/* Checks shape and entries; a NULL value string skips that entry (it is
 * checked separately). */
static void check_tensor(const cvp_tensor_t t, int rank, const size_t *shape,
                         const char *const *values)
{
    assert_int_equal(cvp_tensor_rank(t), rank);
    size_t size = 1;
    for (int k = 0; k < rank; k++) {
        assert_int_equal(cvp_tensor_dim(t, k), shape[k]);
        size *= shape[k];
    }
    assert_int_equal(cvp_tensor_size(t), size);
    mpq_t q;
    mpq_init(q);
    for (size_t k = 0; k < size; k++) {
        if (values[k] == NULL)
            continue;
        assert_int_equal(mpq_set_str(q, values[k], 10), 0);
        mpq_canonicalize(q);
        if (!mpq_equal(q, cvp_tensor_at_const(t, k)))
            fail_msg("entry %zu: expected %s", k, values[k]);
    }
    mpq_clear(q);
}

static void assert_entry(const cvp_tensor_t t, size_t k, const mpq_t q)
{
    if (!mpq_equal(q, cvp_tensor_at_const(t, k)))
        fail_msg("entry %zu differs", k);
}

/* Builds a .npy image: magic, version, header length, header text
 * (unpadded, as a hand-written file might be), data. */
static size_t image(unsigned char *buf, size_t bufsize, int major,
                    const char *header, const void *data, size_t datalen)
{
    size_t hlen = strlen(header);
    size_t field = major == 1 ? 2 : 4;
    size_t len = 8 + field + hlen + datalen;
    assert_true(len <= bufsize);
    memcpy(buf, "\x93NUMPY", 6);
    buf[6] = (unsigned char)major;
    buf[7] = 0;
    for (size_t k = 0; k < field; k++)
        buf[8 + k] = (unsigned char)(hlen >> (8 * k));
    memcpy(buf + 8 + field, header, hlen);
    if (datalen)
        memcpy(buf + 8 + field + hlen, data, datalen);
    return len;
}

static cvp_status parse_image(cvp_tensor_t t, const char *header,
                              const void *data, size_t datalen,
                              cvp_error *err)
{
    unsigned char buf[4096];
    size_t len = image(buf, sizeof buf, 1, header, data, datalen);
    cvp_error_clear(err);
    return cvp_npy_parse(t, buf, len, "m.npy", err);
}

static void image_fails(const char *header, const void *data, size_t datalen,
                        cvp_status status, const char *message)
{
    cvp_tensor_t t;
    cvp_tensor_init(t);
    cvp_error err;
    assert_int_equal(parse_image(t, header, data, datalen, &err), status);
    assert_string_equal(err.message, message);
    cvp_tensor_clear(t);
}

#define SUPPORTED "(supported: float64, float32, int8..int64, uint8..uint64, " \
                  "bool)"

/* ---- reading fixtures ---------------------------------------------------- */

static void test_float64_both_orders(void **state)
{
    (void)state;
    const char *names[] = {"f8_le.npy", "f8_be.npy"};
    mpq_t q;
    mpq_init(q);
    for (int k = 0; k < 2; k++) {
        cvp_tensor_t t;
        cvp_tensor_init(t);
        read_ok(t, names[k]);
        /* [[0.5, -1.25, 3.0], [0.1, -0.0, 5e-324]] */
        check_tensor(t, 2, (size_t[]){2, 3},
                     (const char *[]){"1/2", "-5/4", "3",
                                      "3602879701896397/36028797018963968",
                                      "0", NULL});
        tu_set_dyadic(q, 1, -1074);  /* the smallest subnormal */
        assert_entry(t, 5, q);
        cvp_tensor_clear(t);
    }
    mpq_clear(q);
}

static void test_float64_extremes(void **state)
{
    (void)state;
    cvp_tensor_t t;
    cvp_tensor_init(t);
    mpq_t q;
    mpq_init(q);
    read_ok(t, "f8_extremes.npy");
    check_tensor(t, 1, (size_t[]){4},
                 (const char *[]){NULL, NULL, NULL, "9007199254740994"});
    tu_set_all_ones(q, 53, 971);    /* DBL_MAX */
    assert_entry(t, 0, q);
    tu_set_dyadic(q, -1, -1022);    /* -DBL_MIN */
    assert_entry(t, 1, q);
    tu_set_all_ones(q, 52, -1074);  /* largest subnormal */
    assert_entry(t, 2, q);
    mpq_clear(q);
    cvp_tensor_clear(t);
}

static void test_float32_both_orders(void **state)
{
    (void)state;
    const char *names[] = {"f4_le.npy", "f4_be.npy"};
    mpq_t q;
    mpq_init(q);
    for (int k = 0; k < 2; k++) {
        cvp_tensor_t t;
        cvp_tensor_init(t);
        read_ok(t, names[k]);
        /* 0.1f = 0x3dcccccd = 13421773 * 2^-27; FLT_MAX = (2^24-1)*2^104 */
        check_tensor(t, 1, (size_t[]){4},
                     (const char *[]){"13421773/134217728", "-5/2", NULL,
                                      NULL});
        tu_set_dyadic(q, 1, -149);
        assert_entry(t, 2, q);
        tu_set_all_ones(q, 24, 104);
        assert_entry(t, 3, q);
        cvp_tensor_clear(t);
    }
    mpq_clear(q);
}

static void test_integers_all_widths(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        const char *values[4];
    } cases[] = {
        {"i1.npy", {"-128", "127", "0", "-1"}},
        {"i2_le.npy", {"-32768", "32767", "-1", "258"}},
        {"i2_be.npy", {"-32768", "32767", "-1", "258"}},
        {"i4_le.npy", {"-2147483648", "2147483647", "-1", "16909060"}},
        {"i4_be.npy", {"-2147483648", "2147483647", "-1", "16909060"}},
        {"i8_le.npy", {"-9223372036854775808", "9223372036854775807", "-1",
                       "72623859790382856"}},
        {"i8_be.npy", {"-9223372036854775808", "9223372036854775807", "-1",
                       "72623859790382856"}},
        {"u1.npy", {"0", "255", "1", "128"}},
        {"u2_le.npy", {"0", "65535", "258", "1"}},
        {"u2_be.npy", {"0", "65535", "258", "1"}},
        {"u4_le.npy", {"0", "4294967295", "16909060", "1"}},
        {"u4_be.npy", {"0", "4294967295", "16909060", "1"}},
        {"u8_le.npy", {"0", "18446744073709551615", "72623859790382856",
                       "1"}},
        {"u8_be.npy", {"0", "18446744073709551615", "72623859790382856",
                       "1"}},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        cvp_tensor_t t;
        cvp_tensor_init(t);
        read_ok(t, cases[k].name);
        check_tensor(t, 1, (size_t[]){4}, cases[k].values);
        cvp_tensor_clear(t);
    }
}

static void test_bool(void **state)
{
    (void)state;
    cvp_tensor_t t;
    cvp_tensor_init(t);
    read_ok(t, "b1.npy");
    check_tensor(t, 1, (size_t[]){3}, (const char *[]){"1", "0", "1"});
    cvp_tensor_clear(t);
    read_fails("bool_bad.npy", CVP_ERR_INPUT,
               "entry [1] of a bool array is neither 0 nor 1");
}

static void test_fortran_order(void **state)
{
    (void)state;
    cvp_tensor_t t;
    cvp_tensor_init(t);
    /* arange(24).reshape(2, 3, 4) stored in Fortran order: the logical
     * array in C order is 0, 1, ..., 23. */
    read_ok(t, "fortran_i4.npy");
    char text[24][4];
    const char *values[24];
    for (int k = 0; k < 24; k++) {
        snprintf(text[k], sizeof text[k], "%d", k);
        values[k] = text[k];
    }
    check_tensor(t, 3, (size_t[]){2, 3, 4}, values);
    read_ok(t, "fortran_f8_be.npy");
    check_tensor(t, 2, (size_t[]){2, 3},
                 (const char *[]){"3/2", "2", "3", "4", "5", "25/4"});
    cvp_tensor_clear(t);
}

static void test_versions(void **state)
{
    (void)state;
    cvp_tensor_t t;
    cvp_tensor_init(t);
    read_ok(t, "v2.npy");
    check_tensor(t, 2, (size_t[]){2, 2}, (const char *[]){"1", "2", "3", "4"});
    read_ok(t, "v3.npy");
    check_tensor(t, 1, (size_t[]){2}, (const char *[]){"1/2", "3/2"});
    cvp_tensor_clear(t);
    /* A 3.0 header with a UTF-8 field name ("\u00e9" is c3 a9). */
    read_fails("v3_structured.npy", CVP_ERR_INPUT,
               "unsupported dtype [('\\xc3\\xa9', '<f8')] " SUPPORTED);
}

static void test_rank0_and_empty(void **state)
{
    (void)state;
    cvp_tensor_t t;
    cvp_tensor_init(t);
    read_ok(t, "rank0_f8.npy");
    check_tensor(t, 0, NULL, (const char *[]){"5/2"});
    read_ok(t, "rank0_u8.npy");
    check_tensor(t, 0, NULL, (const char *[]){"7"});
    read_ok(t, "empty_0x3.npy");
    check_tensor(t, 2, (size_t[]){0, 3}, NULL);
    read_ok(t, "empty_2x0.npy");
    check_tensor(t, 2, (size_t[]){2, 0}, NULL);
    cvp_tensor_clear(t);
}

static void test_nan_and_inf(void **state)
{
    (void)state;
    read_fails("nan.npy", CVP_ERR_INPUT, "entry [1, 1] is NaN");
    read_fails("inf.npy", CVP_ERR_INPUT, "entry [1] is -inf");
    read_fails("inf_f4.npy", CVP_ERR_INPUT, "entry [1] is inf");
    /* NaN at [0, 2] and [1, 0]; [1, 0] comes first in the file's Fortran
     * order, but the report names the first in C order. */
    read_fails("nan_fortran.npy", CVP_ERR_INPUT, "entry [0, 2] is NaN");
}

static void test_unsupported_dtypes(void **state)
{
    (void)state;
    read_fails("c16.npy", CVP_ERR_INPUT, "unsupported dtype '<c16' "
               SUPPORTED);
    read_fails("f2.npy", CVP_ERR_INPUT, "unsupported dtype '<f2' " SUPPORTED);
    read_fails("object.npy", CVP_ERR_INPUT, "unsupported dtype '|O' "
               SUPPORTED);
}

static void test_broken_files(void **state)
{
    (void)state;
    read_fails("truncated.npy", CVP_ERR_INPUT,
               "truncated: the data from byte 128 has 45 bytes, but shape "
               "[2, 3] of 8-byte entries needs 48");
    read_fails("truncated_header.npy", CVP_ERR_INPUT,
               "truncated: the header length 118 (at byte 8) runs past the "
               "end of the file (20 bytes)");
    read_fails("lying_shape.npy", CVP_ERR_INPUT,
               "truncated: the data from byte 128 has 24 bytes, but shape "
               "[100] of 8-byte entries needs 800");
    read_fails("trailing.npy", CVP_ERR_INPUT,
               "trailing bytes: the data from byte 128 has 24 bytes, but "
               "shape [2] of 8-byte entries needs 16");
    read_fails("header_past_end.npy", CVP_ERR_INPUT,
               "truncated: the header length 1000 (at byte 8) runs past the "
               "end of the file (152 bytes)");
    read_fails("bad_magic.npy", CVP_ERR_INPUT,
               "not a .npy file (bad magic string)");
    read_fails("bad_version.npy", CVP_ERR_INPUT,
               "unsupported .npy format version 4.0 (supported: 1.0, 2.0, "
               "3.0)");
    read_fails("no_such_file.npy", CVP_ERR_INPUT,
               "cannot open: No such file or directory");
}

/* ---- headers built in memory ------------------------------------------- */

static void test_header_variants(void **state)
{
    (void)state;
    cvp_tensor_t t;
    cvp_tensor_init(t);
    cvp_error err;
    const unsigned char i2[] = {0xfe, 0xff, 0x02, 0x01};  /* -2, 258 LE */
    const unsigned char u1[] = {7, 0, 255};
    const unsigned char i4be[] = {0, 0, 0, 1, 0xff, 0xff, 0xff, 0xfd};

    /* keys in another order, no trailing comma, no padding */
    assert_int_equal(parse_image(t, "{'shape': (2,), 'fortran_order': False, "
                                 "'descr': '<i2'}", i2, 4, &err), CVP_OK);
    check_tensor(t, 1, (size_t[]){2}, (const char *[]){"-2", "258"});
    /* double quotes */
    assert_int_equal(parse_image(t, "{\"descr\": \"|u1\", \"fortran_order\": "
                                 "False, \"shape\": (3,)}", u1, 3, &err),
                     CVP_OK);
    check_tensor(t, 1, (size_t[]){3}, (const char *[]){"7", "0", "255"});
    /* free whitespace, trailing commas everywhere, Fortran 1 x 2 */
    assert_int_equal(parse_image(t, "\t{ 'descr' : '>i4' ,\n 'fortran_order'"
                                 " : True , 'shape' : ( 1 , 2 , ) , }  \n",
                                 i4be, 8, &err), CVP_OK);
    check_tensor(t, 2, (size_t[]){1, 2}, (const char *[]){"1", "-3"});
    /* Python 2 longs, as old NumPy wrote them */
    assert_int_equal(parse_image(t, "{'descr': '<i2', 'fortran_order': False,"
                                 " 'shape': (1L, 2L), }", i2, 4, &err),
                     CVP_OK);
    check_tensor(t, 2, (size_t[]){1, 2}, (const char *[]){"-2", "258"});
    /* rank 0; one-byte types accept any byte-order mark */
    assert_int_equal(parse_image(t, "{'descr': '<u1', 'fortran_order': False,"
                                 " 'shape': (), }", u1 + 2, 1, &err), CVP_OK);
    check_tensor(t, 0, NULL, (const char *[]){"255"});
    /* a zero dimension makes the size 0 even beside a huge one */
    assert_int_equal(parse_image(t, "{'descr': '<f8', 'fortran_order': True,"
                                 " 'shape': (0, 18446744073709551615), }",
                                 NULL, 0, &err), CVP_OK);
    assert_int_equal(cvp_tensor_size(t), 0);
    assert_int_equal(cvp_tensor_rank(t), 2);

    /* version 2.0: 4-byte header length */
    unsigned char buf[256];
    size_t len = image(buf, sizeof buf, 2, "{'descr': '<i2', 'fortran_order':"
                       " False, 'shape': (2,), }", i2, 4);
    assert_int_equal(cvp_npy_parse(t, buf, len, "v2", &err), CVP_OK);
    check_tensor(t, 1, (size_t[]){2}, (const char *[]){"-2", "258"});
    cvp_tensor_clear(t);
}

static void test_header_errors(void **state)
{
    (void)state;
    /* Byte offsets count from the start of the file; the dict starts at
     * byte 10 in a version 1.0 image. */
    image_fails("{'descr': '<f8', 'fortran_order': False, 'shape': (3), }",
                NULL, 0, CVP_ERR_INPUT, "m.npy: malformed header at byte 62: "
                "'shape' (n) is an integer, not a tuple; write (n,)");
    image_fails("{'descr': '<f8', 'fortran_order': False}", NULL, 0,
                CVP_ERR_INPUT, "m.npy: malformed header: missing key 'shape'");
    image_fails("{'descr': '<f8', 'shape': (), 'descr': '<f8', "
                "'fortran_order': False}", NULL, 0, CVP_ERR_INPUT,
                "m.npy: malformed header at byte 40: duplicate key");
    image_fails("{'descr': '<f8', 'fortran_order': False, 'shape': (), "
                "'extra': 1}", NULL, 0, CVP_ERR_INPUT,
                "m.npy: malformed header at byte 64: unexpected key 'extra'");
    image_fails("{'descr': '<f8', 'fortran_order': 0, 'shape': ()}", NULL, 0,
                CVP_ERR_INPUT, "m.npy: malformed header at byte 44: "
                "'fortran_order' must be True or False");
    image_fails("{'descr': '<f8', 'fortran_order': Falsey, 'shape': ()}",
                NULL, 0, CVP_ERR_INPUT, "m.npy: malformed header at byte 44: "
                "'fortran_order' must be True or False");
    image_fails("{'descr': '<f8', 'fortran_order': False, 'shape': (-1,)}",
                NULL, 0, CVP_ERR_INPUT, "m.npy: malformed header at byte 61: "
                "expected a non-negative integer in 'shape'");
    image_fails("{'descr': '<f8', 'fortran_order': False, 'shape': [2]}",
                NULL, 0, CVP_ERR_INPUT, "m.npy: malformed header at byte 60: "
                "'shape' must be a tuple such as (2, 3)");
    image_fails("{'descr': '<f8', 'fortran_order': False, 'shape': "
                "(1,1,1,1,1,1,1,1,1)}", NULL, 0, CVP_ERR_INPUT,
                "m.npy: shape has more than 8 dimensions (the maximum rank)");
    image_fails("{'descr': '<f8', 'fortran_order': False, 'shape': "
                "(99999999999999999999999,)}", NULL, 0, CVP_ERR_INPUT,
                "m.npy: malformed header at byte 80: dimension too large");
    image_fails("['descr', '<f8']", NULL, 0, CVP_ERR_INPUT,
                "m.npy: malformed header at byte 10: expected '{'");
    image_fails("{'descr': '<f8', 'fortran_order': False, 'shape': ()} x",
                NULL, 0, CVP_ERR_INPUT, "m.npy: malformed header at byte 64: "
                "unexpected bytes after the header dict");
    image_fails("{'descr': '<f8", NULL, 0, CVP_ERR_INPUT,
                "m.npy: malformed header at byte 24: unterminated string");
    image_fails("{'descr' '<f8'}", NULL, 0, CVP_ERR_INPUT,
                "m.npy: malformed header at byte 19: expected ':'");
    image_fails("{descr: '<f8'}", NULL, 0, CVP_ERR_INPUT,
                "m.npy: malformed header at byte 11: expected a quoted string");
    image_fails("{'descr': '<f8' 'shape': ()}", NULL, 0, CVP_ERR_INPUT,
                "m.npy: malformed header at byte 26: expected ',' or '}'");
    image_fails("{'descr': [('a', '<f8'), ('b', '<i4')], 'fortran_order': "
                "False, 'shape': ()}", NULL, 0, CVP_ERR_INPUT,
                "m.npy: unsupported dtype [('a', '<f8'), ('b', '<i4')] "
                SUPPORTED);
    image_fails("{'descr': [('a', '<f8'), 'fortran_order': False}", NULL, 0,
                CVP_ERR_INPUT, "m.npy: malformed header at byte 58: "
                "unexpected end of header");
    image_fails("{'descr': ), 'fortran_order': False}", NULL, 0,
                CVP_ERR_INPUT, "m.npy: malformed header at byte 20: "
                "unbalanced bracket");

    /* dtypes outside the supported list */
    const char *bad[] = {"=f8", "|i4", "<b2", "<f16", "<U3", "|S1", "<M8[ns]",
                         "<i3", "", "f8"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        char header[128], message[256];
        snprintf(header, sizeof header, "{'descr': '%s', 'fortran_order': "
                 "False, 'shape': ()}", bad[k]);
        snprintf(message, sizeof message, "m.npy: unsupported dtype '%s' "
                 SUPPORTED, bad[k]);
        image_fails(header, "\0\0\0\0\0\0\0\0", 8, CVP_ERR_INPUT, message);
    }
}

static void test_prefix_errors(void **state)
{
    (void)state;
    cvp_tensor_t t;
    cvp_tensor_init(t);
    cvp_error err;
    assert_int_equal(cvp_npy_parse(t, NULL, 0, "e", &err), CVP_ERR_INPUT);
    assert_string_equal(err.message, "e: empty file (not a .npy file)");
    const unsigned char short_magic[] = {0x93, 'N', 'U'};
    assert_int_equal(cvp_npy_parse(t, short_magic, 3, "e", &err),
                     CVP_ERR_INPUT);
    assert_string_equal(err.message, "e: truncated: the file ends at byte 3, "
                        "inside the header");
    const unsigned char v1_short[] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 5};
    assert_int_equal(cvp_npy_parse(t, v1_short, 9, "e", &err), CVP_ERR_INPUT);
    assert_string_equal(err.message, "e: truncated: the file ends at byte 9, "
                        "inside the header");
    const unsigned char v2_short[] = {0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0,
                                      0, 0, 0};
    assert_int_equal(cvp_npy_parse(t, v2_short, 11, "e", &err),
                     CVP_ERR_INPUT);
    assert_string_equal(err.message, "e: truncated: the file ends at byte 11,"
                        " inside the header");
    const unsigned char v1_minor[] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 1,
                                      0, 0};
    assert_int_equal(cvp_npy_parse(t, v1_minor, 10, "e", &err),
                     CVP_ERR_INPUT);
    assert_string_equal(err.message, "e: unsupported .npy format version 1.1 "
                        "(supported: 1.0, 2.0, 3.0)");
    const unsigned char text[] = "PK\x03\x04 not npy";
    assert_int_equal(cvp_npy_parse(t, text, sizeof text, "e", &err),
                     CVP_ERR_INPUT);
    assert_string_equal(err.message, "e: not a .npy file (bad magic string)");
    cvp_tensor_clear(t);
}

static void test_size_limits(void **state)
{
    (void)state;
    /* Over the entry limit, but the data is not there: a truncated file
     * (bad input, exit 2), refused before anything is allocated. */
    image_fails("{'descr': '<f8', 'fortran_order': False, 'shape': "
                "(1000000, 1000000, 1000000), }", NULL, 0, CVP_ERR_INPUT,
                "m.npy: truncated: the data from byte 90 has 0 bytes, fewer "
                "than shape [1000000, 1000000, 1000000] of 8-byte entries "
                "needs");
    /* The product overflows size_t, the data is not there either. */
    image_fails("{'descr': '<f8', 'fortran_order': False, 'shape': "
                "(4294967296, 4294967296, 4294967296), }", NULL, 0,
                CVP_ERR_INPUT, "m.npy: truncated: the data from byte 99 has 0 "
                "bytes, fewer than shape [4294967296, 4294967296, 4294967296] "
                "of 8-byte entries needs");
    /* Within the limit but the bytes are not there. */
    image_fails("{'descr': '<i8', 'fortran_order': False, 'shape': "
                "(100000000,), }", "\0\0\0\0\0\0\0\0", 8, CVP_ERR_INPUT,
                "m.npy: truncated: the data from byte 75 has 8 bytes, but "
                "shape [100000000] of 8-byte entries needs 800000000");

    size_t old = cvp_tensor_max_entries();
    cvp_tensor_set_max_entries(5);
    image_fails("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3)}",
                "\1\2\3\4\5\6", 6, CVP_ERR_LIMIT,
                "m.npy: tensor of shape [2, 3] has more than 5 entries (the "
                "limit; see --max-entries)");
    /* A size limit near SIZE_MAX: size * itemsize must not overflow. */
    cvp_tensor_set_max_entries(SIZE_MAX);
    image_fails("{'descr': '<f8', 'fortran_order': False, 'shape': "
                "(4611686018427387904,)}", NULL, 0, CVP_ERR_INPUT,
                "m.npy: truncated: the data from byte 83 has 0 bytes, fewer "
                "than shape [4611686018427387904] of 8-byte entries needs");
    cvp_tensor_set_max_entries(old);
}

/* Every truncation and many random corruptions of valid files must give a
 * clean result (valgrind and the sanitizers watch for the rest). */
static void test_never_crashes(void **state)
{
    (void)state;
    const char *names[] = {"fortran_i4.npy", "v3.npy", "f8_be.npy",
                           "i8_le.npy", "v3_structured.npy"};
    cvp_rng rng;
    cvp_rng_seed(&rng, 77);
    cvp_tensor_t t;
    cvp_tensor_init(t);
    for (size_t n = 0; n < sizeof names / sizeof names[0]; n++) {
        unsigned char good[512], buf[512];
        FILE *f = fopen(fixture(names[n]), "rb");
        assert_non_null(f);
        size_t len = fread(good, 1, sizeof good, f);
        fclose(f);
        cvp_error err;
        for (size_t cut = 0; cut < len; cut++) {
            /* copy so that valgrind sees reads past `cut` */
            unsigned char *prefix = malloc(cut ? cut : 1);
            memcpy(prefix, good, cut);
            cvp_status st = cvp_npy_parse(t, prefix, cut, "cut", &err);
            assert_int_not_equal(st, CVP_OK);
            assert_true(err.message[0] != '\0');
            free(prefix);
        }
        for (int trial = 0; trial < 3000; trial++) {
            memcpy(buf, good, len);
            int flips = (int)cvp_rng_range(&rng, 1, 4);
            for (int k = 0; k < flips; k++) {
                size_t at = (size_t)cvp_rng_range(&rng, 0, (int64_t)len - 1);
                buf[at] = (unsigned char)cvp_rng_next(&rng);
            }
            size_t cut = (size_t)cvp_rng_range(&rng, (int64_t)len - 8,
                                               (int64_t)len);
            cvp_error_clear(&err);
            cvp_status st = cvp_npy_parse(t, buf, cut, "fuzz", &err);
            assert_true(st == CVP_OK || err.message[0] != '\0');
        }
    }
    cvp_tensor_clear(t);
}

/* The dtype of a file as NumPy names it, from its header alone. */
static void test_file_dtype(void **state)
{
    (void)state;
    static const char *const pairs[][2] = {
        {"f8_le.npy", "float64"}, {"f4_be.npy", "float32"},
        {"f4_le.npy", "float32"}, {"i2_be.npy", "int16"},
        {"u8_le.npy", "uint64"}, {"b1.npy", "bool"}, {"i1.npy", "int8"},
        /* a header that lies about its data is still a float64 header */
        {"truncated.npy", "float64"},
    };
    char buf[16];
    for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++) {
        assert_true(cvp_npy_file_dtype(buf, sizeof buf, fixture(pairs[k][0])));
        assert_string_equal(buf, pairs[k][1]);
    }
    /* Not a header, an unsupported dtype, no file: false and "". */
    assert_false(cvp_npy_file_dtype(buf, sizeof buf, fixture("bad_magic.npy")));
    assert_string_equal(buf, "");
    assert_false(cvp_npy_file_dtype(buf, sizeof buf, fixture("c16.npy")));
    assert_false(cvp_npy_file_dtype(buf, sizeof buf, fixture("no_such.npy")));
}

/* Images of more entries than the reader converts on one thread (65536),
 * in both orders: every entry in its place (values built from their
 * index, compared as rationals), and of two bad entries the first in C
 * order is named, wherever the threads meet them. */
static void test_large_images_on_threads(void **state)
{
    (void)state;
    enum { R = 300, C = 300 };
    const size_t datalen = (size_t)R * C * sizeof(float);
    unsigned char *buf = malloc(datalen + 256);
    float *data = malloc(datalen);
    assert_non_null(buf);
    assert_non_null(data);
    mpq_t q;
    mpq_init(q);
    for (int fortran = 0; fortran < 2; fortran++) {
        const char *header = fortran
            ? "{'descr': '<f4', 'fortran_order': True, 'shape': (300, 300), }"
            : "{'descr': '<f4', 'fortran_order': False, 'shape': (300, 300), }";
        /* entry (i, j) = (((i C + j) mod 1000) - 500) / 2^(j mod 30) */
        for (size_t i = 0; i < R; i++)
            for (size_t j = 0; j < C; j++) {
                const size_t at = fortran ? j * R + i : i * C + j;
                data[at] = ldexpf((float)((long)((i * C + j) % 1000) - 500),
                                  -(int)(j % 30));
            }
        size_t len = image(buf, datalen + 256, 1, header, data, datalen);
        cvp_tensor_t t;
        cvp_tensor_init(t);
        cvp_error err;
        tu_assert_ok(cvp_npy_parse(t, buf, len, "big.npy", &err), &err);
        assert_true(cvp_tensor_is_packed(t));
        for (size_t k = 0; k < (size_t)R * C; k++) {
            mpq_set_si(q, (long)(k % 1000) - 500, 1);
            mpq_div_2exp(q, q, (mp_bitcnt_t)(k % C % 30));
            assert_entry(t, k, q);
        }
        /* NaN at [250, 10], inf at [200, 5]: the latter comes first */
        data[fortran ? 10 * R + 250 : 250 * C + 10] = NAN;
        data[fortran ? 5 * R + 200 : 200 * C + 5] = INFINITY;
        len = image(buf, datalen + 256, 1, header, data, datalen);
        assert_int_equal(cvp_npy_parse(t, buf, len, "big.npy", &err), CVP_ERR_INPUT);
        assert_string_equal(err.message, "big.npy: entry [200, 5] is inf");
        cvp_tensor_clear(t);
    }
    mpq_clear(q);
    free(data);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_float64_both_orders),
        cmocka_unit_test(test_float64_extremes),
        cmocka_unit_test(test_float32_both_orders),
        cmocka_unit_test(test_integers_all_widths),
        cmocka_unit_test(test_bool),
        cmocka_unit_test(test_fortran_order),
        cmocka_unit_test(test_versions),
        cmocka_unit_test(test_rank0_and_empty),
        cmocka_unit_test(test_nan_and_inf),
        cmocka_unit_test(test_unsupported_dtypes),
        cmocka_unit_test(test_broken_files),
        cmocka_unit_test(test_header_variants),
        cmocka_unit_test(test_header_errors),
        cmocka_unit_test(test_prefix_errors),
        cmocka_unit_test(test_size_limits),
        cmocka_unit_test(test_never_crashes),
        cmocka_unit_test(test_file_dtype),
        cmocka_unit_test(test_large_images_on_threads),
    };
    return cmocka_run_group_tests_name("npy", tests, NULL, NULL);
}
