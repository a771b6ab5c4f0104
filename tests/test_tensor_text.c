/* test_tensor_text.c -- cmocka tests of the exact tensor text format.
 *
 * Expected values are written out by hand as canonical rational strings
 * (and read with GMP's mpq_set_str, which shares no code with the parser);
 * expected error positions were counted by hand from the input strings.
 * Round trips on random tensors check that writer and parser agree.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/tensor_text.h"
#include "kernel/rng.h"

/* ---- helpers ---------------------------------------------------------- */

static void parse_ok(cvp_tensor_t t, const char *text)
{
    cvp_error err;
    cvp_error_clear(&err);
    cvp_status st = cvp_tensor_parse_text(t, text, strlen(text), "t", &err);
    if (st != CVP_OK)
        fail_msg("parsing \"%s\" failed: %s", text, err.message);
}

/* Checks rank, shape and every entry (row-major, canonical strings). */
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
        assert_int_equal(mpq_set_str(q, values[k], 10), 0);
        mpq_canonicalize(q);
        if (!mpq_equal(q, cvp_tensor_at_const(t, k)))
            fail_msg("entry %zu: expected %s", k, values[k]);
    }
    mpq_clear(q);
}

/* Parses a scalar and compares it with a canonical rational string. */
static void check_scalar(const char *text, const char *expected)
{
    cvp_tensor_t t;
    cvp_tensor_init(t);
    parse_ok(t, text);
    const char *values[] = {expected};
    check_tensor(t, 0, NULL, values);
    cvp_tensor_clear(t);
}

static void check_error_n(const char *text, size_t len, cvp_status status,
                          const char *message)
{
    cvp_tensor_t t;
    cvp_tensor_init(t);
    cvp_tensor_set_scalar_si(t, 42, 1);
    cvp_error err;
    cvp_error_clear(&err);
    cvp_status st = cvp_tensor_parse_text(t, text, len, "t", &err);
    assert_int_equal(st, status);
    assert_int_equal(err.status, status);
    assert_string_equal(err.message, message);
    /* A failed parse leaves the output as it was. */
    assert_int_equal(cvp_tensor_rank(t), 0);
    assert_int_equal(mpz_get_si(mpq_numref(cvp_tensor_at(t, 0))), 42);
    cvp_tensor_clear(t);
}

static void check_error(const char *text, const char *message)
{
    check_error_n(text, strlen(text), CVP_ERR_INPUT, message);
}

/* The text the writer produces for t. */
static char *write_to_string(const cvp_tensor_t t)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(cvp_tensor_write_text(f, t), 0);
    assert_int_equal(fclose(f), 0);
    return buf;
}

static void set_entries_si(cvp_tensor_t t, int rank, const size_t *shape,
                           const long *num, const unsigned long *den)
{
    assert_int_equal(cvp_tensor_resize(t, rank, shape, NULL), CVP_OK);
    for (size_t k = 0; k < cvp_tensor_size(t); k++) {
        mpq_set_si(cvp_tensor_at(t, k), num[k], den ? den[k] : 1);
        mpq_canonicalize(cvp_tensor_at(t, k));
    }
}

/* ---- reading entries ---------------------------------------------------- */

static void test_integers(void **state)
{
    (void)state;
    check_scalar("5", "5");
    check_scalar("-7", "-7");
    check_scalar("+3", "3");
    check_scalar("0", "0");
    check_scalar("007", "7");
    check_scalar("  42  \n", "42");
    check_scalar("123456789012345678901234567890",
                 "123456789012345678901234567890");
    check_scalar("-18446744073709551617", "-18446744073709551617");
}

static void test_negative_zero(void **state)
{
    (void)state;
    /* There is no negative zero in Q: all of these are 0 (and print so). */
    check_scalar("-0", "0");
    check_scalar("-0.0", "0");
    check_scalar("-0/7", "0");
    check_scalar("-0e5", "0");
    cvp_tensor_t t;
    cvp_tensor_init(t);
    parse_ok(t, "[-0, -0.000]");
    char *s = write_to_string(t);
    assert_string_equal(s, "[0, 0]\n");
    free(s);
    cvp_tensor_clear(t);
}

static void test_fractions(void **state)
{
    (void)state;
    check_scalar("1/3", "1/3");
    check_scalar("6/4", "3/2");
    check_scalar("-6/4", "-3/2");
    check_scalar("+3/6", "1/2");
    check_scalar("10/5", "2");
    check_scalar("0/5", "0");
    check_scalar("-22/7", "-22/7");
    check_scalar("0003/0009", "1/3");
    check_scalar("100000000000000000000/300000000000000000000", "1/3");
}

static void test_decimals_exact(void **state)
{
    (void)state;
    check_scalar("0.25", "1/4");
    check_scalar("1e-3", "1/1000");
    check_scalar("-2.5E2", "-250");
    check_scalar("0.1", "1/10");
    check_scalar(".5", "1/2");
    check_scalar("-.5", "-1/2");
    check_scalar("1.", "1");
    check_scalar("1.50", "3/2");
    check_scalar("2e3", "2000");
    check_scalar("1e+2", "100");
    check_scalar("1E0", "1");
    check_scalar("7e-0", "7");
    check_scalar("-1.5e-3", "-3/2000");
    check_scalar("0.000", "0");
    check_scalar("12.345e1", "2469/20");
    check_scalar("0.3333333333", "3333333333/10000000000");
    check_scalar("123456789012345678901234567890.5",
                 "246913578024691357802469135781/2");
    /* 0.1 as a double is 3602879701896397 / 2^55, written exactly. */
    check_scalar("0.1000000000000000055511151231257827021181583404541015625",
                 "3602879701896397/36028797018963968");
}

static void test_long_digit_strings(void **state)
{
    (void)state;
    const size_t n = 5000;
    char *text = malloc(n + 8);
    assert_non_null(text);
    mpq_t expected;
    mpq_init(expected);
    cvp_tensor_t t;
    cvp_tensor_init(t);

    /* "1" followed by 5000 zeros is 10^5000. */
    text[0] = '1';
    memset(text + 1, '0', n);
    text[n + 1] = '\0';
    parse_ok(t, text);
    mpz_ui_pow_ui(mpq_numref(expected), 10, n);
    assert_true(mpq_equal(expected, cvp_tensor_at(t, 0)));

    /* "0.000...01" with the 1 at the 5000th place is 10^-5000. */
    memcpy(text, "0.", 2);
    memset(text + 2, '0', n - 1);
    text[n + 1] = '1';
    text[n + 2] = '\0';
    parse_ok(t, text);
    mpz_set_ui(mpq_numref(expected), 1);
    mpz_ui_pow_ui(mpq_denref(expected), 10, n);
    assert_true(mpq_equal(expected, cvp_tensor_at(t, 0)));

    /* A large exponent within the limits. */
    parse_ok(t, "-3e5000");
    mpz_ui_pow_ui(mpq_numref(expected), 10, n);
    mpz_mul_si(mpq_numref(expected), mpq_numref(expected), -3);
    mpz_set_ui(mpq_denref(expected), 1);
    assert_true(mpq_equal(expected, cvp_tensor_at(t, 0)));

    cvp_tensor_clear(t);
    mpq_clear(expected);
    free(text);
}

/* ---- reading shapes ----------------------------------------------------- */

static void test_shapes(void **state)
{
    (void)state;
    cvp_tensor_t t;
    cvp_tensor_init(t);

    parse_ok(t, "[]");
    check_tensor(t, 1, (size_t[]){0}, NULL);
    parse_ok(t, "[[], []]");
    check_tensor(t, 2, (size_t[]){2, 0}, NULL);
    parse_ok(t, "[[]]");
    check_tensor(t, 2, (size_t[]){1, 0}, NULL);
    parse_ok(t, "[[[]], [[]], [[]]]");
    check_tensor(t, 3, (size_t[]){3, 1, 0}, NULL);

    parse_ok(t, "[1, -2/3, 0.5]");
    check_tensor(t, 1, (size_t[]){3}, (const char *[]){"1", "-2/3", "1/2"});
    parse_ok(t, "[[1, 2, 3], [4, 5, 6]]");
    check_tensor(t, 2, (size_t[]){2, 3},
                 (const char *[]){"1", "2", "3", "4", "5", "6"});
    parse_ok(t, "[[[1, 2], [3, 4]], [[5, 6], [7, 8]], [[9, 10], [11, 12]]]");
    check_tensor(t, 3, (size_t[]){3, 2, 2},
                 (const char *[]){"1", "2", "3", "4", "5", "6", "7", "8",
                                  "9", "10", "11", "12"});
    parse_ok(t, "[[[[[[[[7]]]]]]]]");
    check_tensor(t, 8, (size_t[]){1, 1, 1, 1, 1, 1, 1, 1},
                 (const char *[]){"7"});
    parse_ok(t, "[[[[[[[[1, 2]], [[3, 4]]]]]]]]");
    check_tensor(t, 8, (size_t[]){1, 1, 1, 1, 1, 2, 1, 2},
                 (const char *[]){"1", "2", "3", "4"});

    /* Trailing commas, comments, CR LF, tabs. */
    parse_ok(t, "[1, 2,]");
    check_tensor(t, 1, (size_t[]){2}, (const char *[]){"1", "2"});
    parse_ok(t, "[[1,],[2,],]");
    check_tensor(t, 2, (size_t[]){2, 1}, (const char *[]){"1", "2"});
    parse_ok(t, "# weights\r\n[[1,\t2], # row 0\r\n [3, 4]]  # end\n# more\n");
    check_tensor(t, 2, (size_t[]){2, 2},
                 (const char *[]){"1", "2", "3", "4"});
    parse_ok(t, "#c\n-1/2#no newline at the end");
    check_tensor(t, 0, NULL, (const char *[]){"-1/2"});

    cvp_tensor_clear(t);
}

/* ---- errors, positions counted by hand --------------------------------- */

static void test_error_empty_and_garbage(void **state)
{
    (void)state;
    check_error("", "t:1:1: empty input: expected a tensor");
    check_error("  # nothing here\n", "t:2:1: empty input: expected a tensor");
    check_error("[1, 2] x", "t:1:8: unexpected 'x' after the tensor");
    check_error("5 6", "t:1:3: unexpected '6' after the tensor");
    check_error("[1]\n[2]", "t:2:1: unexpected '[' after the tensor");
    check_error("[1]]", "t:1:4: unexpected ']' after the tensor");
    check_error("]", "t:1:1: unexpected ']'");
    check_error("nan", "t:1:1: unexpected 'n'");
    check_error("[inf]", "t:1:2: unexpected 'i'");
    check_error("\x01", "t:1:1: unexpected byte 0x01");
    check_error_n("[1,\0 2]", 7, CVP_ERR_INPUT,
                  "t:1:4: unexpected byte 0x00");
    check_error("[1 2]", "t:1:4: expected ',' or ']', found '2'");
    check_error("[1,,2]", "t:1:4: expected a value, found ','");
    check_error("[,]", "t:1:2: expected a value, found ','");
    check_error("[1, 2", "t:1:6: unexpected end of input: the list opened "
                "at 1:1 is not closed");
    check_error("[[1],\n [2", "t:2:4: unexpected end of input: the list "
                "opened at 2:2 is not closed");
}

static void test_error_numbers(void **state)
{
    (void)state;
    check_error("[1/0]", "t:1:4: zero denominator");
    check_error("-3/000", "t:1:4: zero denominator");
    check_error("[1,\n  22/0]", "t:2:6: zero denominator");
    check_error("1.2.3", "t:1:4: malformed number: unexpected '.'");
    check_error("12abc", "t:1:3: malformed number: unexpected 'a'");
    check_error("1/2/3", "t:1:4: malformed number: unexpected '/'");
    check_error("1-2", "t:1:2: malformed number: unexpected '-'");
    check_error("1e", "t:1:3: expected digits in the exponent");
    check_error("1e+", "t:1:4: expected digits in the exponent");
    check_error("-", "t:1:2: expected a number, found end of input");
    check_error("- 3", "t:1:2: expected a number, found ' '");
    check_error("[+]", "t:1:3: expected a number, found ']'");
    check_error(".", "t:1:2: expected a number, found end of input");
    check_error("1/", "t:1:3: expected digits after '/'");
    check_error("1/-2", "t:1:3: expected digits after '/'");
    check_error("1.5/2", "t:1:4: a fraction needs an integer numerator and "
                "denominator");
    check_error_n("1e100001", 8, CVP_ERR_LIMIT,
                  "t:1:2: decimal exponent too large (at most 100000)");
    check_error_n("1e99999999999999999999999999",
                  strlen("1e99999999999999999999999999"), CVP_ERR_LIMIT,
                  "t:1:2: decimal exponent too large (at most 100000)");
}

static void test_error_exponent_budget(void **state)
{
    (void)state;
    /* 100 entries of 1e-100000 use the whole budget of 10^7; the 101st
     * is refused.  Entry k starts at column 2 + 11k, its 'e' one later. */
    size_t count = 101, len = 0;
    char *text = malloc(count * 11 + 4);
    assert_non_null(text);
    text[len++] = '[';
    for (size_t k = 0; k < count; k++)
        len += (size_t)sprintf(text + len, "%s1e-100000", k ? ", " : "");
    text[len++] = ']';
    text[len] = '\0';
    check_error_n(text, len, CVP_ERR_LIMIT, "t:1:1103: decimal exponents too "
                  "large in total (those above 1000 may add up to 10000000)");
    /* One entry fewer is accepted, each 10^-100000 exactly. */
    cvp_tensor_t t;
    cvp_tensor_init(t);
    memcpy(text + 1 + 100 * 9 + 99 * 2, "]", 2);
    parse_ok(t, text);
    assert_int_equal(cvp_tensor_size(t), 100);
    mpq_t expected;
    mpq_init(expected);
    mpz_ui_pow_ui(mpq_denref(expected), 10, 100000);
    mpz_set_ui(mpq_numref(expected), 1);
    assert_true(mpq_equal(expected, cvp_tensor_at(t, 99)));
    mpq_clear(expected);
    cvp_tensor_clear(t);
    free(text);
}

static void test_error_ragged(void **state)
{
    (void)state;
    check_error("[[1, 2],\n [3]]", "t:2:4: ragged nesting: expected 2 "
                "entries in this list (like the first list at this depth), "
                "found 1");
    check_error("[[1], [2, 3]]", "t:1:11: ragged nesting: expected 1 entry in "
                "this list (like the first list at this depth), found more");
    check_error("[[[1]], []]", "t:1:10: ragged nesting: expected 1 entry in "
                "this list (like the first list at this depth), found 0");
    check_error("[[], [1]]", "t:1:7: ragged nesting: expected 0 entries in "
                "this list (like the first list at this depth), found more");
    check_error("[[[1, 2], [3, 4]],\n [[5, 6], [7, 8], [9, 10]]]",
                "t:2:19: ragged nesting: expected 2 entries in this list "
                "(like the first list at this depth), found more");
}

static void test_error_mixed_nesting(void **state)
{
    (void)state;
    check_error("[1, [2]]", "t:1:5: mixed nesting: expected an entry (the "
                "tensor has rank 1), found '['");
    check_error("[[1], 2]", "t:1:7: mixed nesting: expected '[' (the tensor "
                "has rank 2), found an entry");
    check_error("[[], [[1]]]", "t:1:7: mixed nesting: expected an entry (the "
                "tensor has rank 2), found '['");
}

static void test_error_depth(void **state)
{
    (void)state;
    check_error("[[[[[[[[[1]]]]]]]]]", "t:1:9: nesting deeper than 8 levels "
                "(the maximum rank)");
    /* A million '[' is rejected at the ninth, without recursion. */
    size_t n = 1000000;
    char *text = malloc(n);
    assert_non_null(text);
    memset(text, '[', n);
    check_error_n(text, n, CVP_ERR_INPUT,
                  "t:1:9: nesting deeper than 8 levels (the maximum rank)");
    free(text);
}

static void test_error_entry_limit(void **state)
{
    (void)state;
    size_t old = cvp_tensor_max_entries();
    cvp_tensor_set_max_entries(3);
    check_error_n("[1, 2, 3, 4]", 12, CVP_ERR_LIMIT,
                  "t:1:11: more than 3 entries (the limit; see --max-entries)");
    cvp_tensor_t t;
    cvp_tensor_init(t);
    parse_ok(t, "[[1, 2, 3]]");
    cvp_tensor_clear(t);
    cvp_tensor_set_max_entries(old);
}

static void test_default_source_name(void **state)
{
    (void)state;
    cvp_tensor_t t;
    cvp_tensor_init(t);
    cvp_error err;
    assert_int_equal(cvp_tensor_parse_text(t, "x", 1, NULL, &err),
                     CVP_ERR_INPUT);
    assert_string_equal(err.message, "<text>:1:1: unexpected 'x'");
    /* A NULL error record is allowed. */
    assert_int_equal(cvp_tensor_parse_text(t, "[", 1, "n", NULL),
                     CVP_ERR_INPUT);
    cvp_tensor_clear(t);
}

/* ---- writing ------------------------------------------------------------ */

static void check_written(const cvp_tensor_t t, const char *expected)
{
    char *s = write_to_string(t);
    assert_string_equal(s, expected);
    /* and it reads back as the same tensor */
    cvp_tensor_t back;
    cvp_tensor_init(back);
    parse_ok(back, s);
    assert_true(cvp_tensor_equal(back, t));
    cvp_tensor_clear(back);
    free(s);
}

static void test_write_layout(void **state)
{
    (void)state;
    cvp_tensor_t t;
    cvp_tensor_init(t);

    cvp_tensor_set_scalar_si(t, 5, 1);
    check_written(t, "5\n");
    cvp_tensor_set_scalar_si(t, -4, 6);
    check_written(t, "-2/3\n");

    set_entries_si(t, 1, (size_t[]){3}, (long[]){1, -2, 0},
                   (unsigned long[]){1, 3, 1});
    check_written(t, "[1, -2/3, 0]\n");
    set_entries_si(t, 2, (size_t[]){2, 2}, (long[]){1, 2, 3, 4}, NULL);
    check_written(t, "[[1, 2],\n [3, 4]]\n");
    set_entries_si(t, 2, (size_t[]){3, 1}, (long[]){1, -1, 7},
                   (unsigned long[]){2, 2, 4});
    check_written(t, "[[1/2],\n [-1/2],\n [7/4]]\n");
    set_entries_si(t, 3, (size_t[]){2, 2, 2},
                   (long[]){1, 2, 3, 4, 5, 6, 7, 8}, NULL);
    check_written(t, "[[[1, 2],\n  [3, 4]],\n [[5, 6],\n  [7, 8]]]\n");
    set_entries_si(t, 4, (size_t[]){1, 2, 1, 2}, (long[]){1, 2, 3, 4}, NULL);
    check_written(t, "[[[[1, 2]],\n  [[3, 4]]]]\n");

    set_entries_si(t, 1, (size_t[]){0}, NULL, NULL);
    check_written(t, "[]\n");
    set_entries_si(t, 2, (size_t[]){2, 0}, NULL, NULL);
    check_written(t, "[[],\n []]\n");
    cvp_tensor_clear(t);
}

static void test_write_zero_leading_dim(void **state)
{
    (void)state;
    /* The grammar has no spelling for shape [0, 3]: it is written "[]"
     * and reads back as shape [0] (documented in tensor_text.h). */
    cvp_tensor_t t, back;
    cvp_tensor_init(t);
    cvp_tensor_init(back);
    set_entries_si(t, 2, (size_t[]){0, 3}, NULL, NULL);
    char *s = write_to_string(t);
    assert_string_equal(s, "[]\n");
    parse_ok(back, s);
    check_tensor(back, 1, (size_t[]){0}, NULL);
    free(s);
    cvp_tensor_clear(back);
    cvp_tensor_clear(t);
}

static void test_round_trip_random(void **state)
{
    (void)state;
    cvp_rng rng;
    cvp_rng_seed(&rng, 20240611);
    cvp_tensor_t t, back;
    cvp_tensor_init(t);
    cvp_tensor_init(back);
    mpz_t big;
    mpz_init(big);
    mpz_ui_pow_ui(big, 10, 40);
    for (int trial = 0; trial < 300; trial++) {
        int rank = (int)cvp_rng_range(&rng, 0, 5);
        size_t shape[CVP_MAX_RANK];
        for (int k = 0; k < rank; k++)
            /* zero only in the last axis, which the grammar can spell */
            shape[k] = (size_t)cvp_rng_range(&rng, k == rank - 1 ? 0 : 1, 4);
        assert_int_equal(cvp_tensor_resize(t, rank, shape, NULL), CVP_OK);
        cvp_tensor_random_rat(t, &rng, -1000, 1000, 60);
        if (trial % 3 == 0)  /* some entries far beyond 64 bits */
            for (size_t k = 0; k < cvp_tensor_size(t); k += 2) {
                mpz_mul(mpq_numref(cvp_tensor_at(t, k)),
                        mpq_numref(cvp_tensor_at(t, k)), big);
                mpq_canonicalize(cvp_tensor_at(t, k));
            }
        char *s = write_to_string(t);
        cvp_error err;
        cvp_status st = cvp_tensor_parse_text(back, s, strlen(s), "rt", &err);
        if (st != CVP_OK)
            fail_msg("trial %d: %s\n%s", trial, err.message, s);
        assert_true(cvp_tensor_equal(back, t));
        free(s);
    }
    mpz_clear(big);
    cvp_tensor_clear(back);
    cvp_tensor_clear(t);
}

/* ---- files -------------------------------------------------------------- */

static char tmpdir[256];

static int make_tmpdir(void **state)
{
    (void)state;
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/cvp_text_XXXXXX",
             base != NULL && base[0] ? base : "/tmp");
    return mkdtemp(tmpdir) != NULL ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
    (void)state;
    char path[512];
    const char *names[] = {"a.txt", "bad.txt"};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        snprintf(path, sizeof path, "%s/%s", tmpdir, names[k]);
        unlink(path);
    }
    return rmdir(tmpdir);
}

static void test_files(void **state)
{
    (void)state;
    char path[512], expected[1024];
    cvp_error err;
    cvp_tensor_t t, back;
    cvp_tensor_init(t);
    cvp_tensor_init(back);

    snprintf(path, sizeof path, "%s/a.txt", tmpdir);
    set_entries_si(t, 2, (size_t[]){2, 3}, (long[]){1, -2, 3, 0, 5, -6},
                   (unsigned long[]){1, 3, 4, 1, 7, 1});
    assert_int_equal(cvp_tensor_write_text_file(path, t, &err), CVP_OK);
    assert_int_equal(cvp_tensor_read_text_file(back, path, &err), CVP_OK);
    assert_true(cvp_tensor_equal(back, t));

    /* Errors in a file name the path. */
    snprintf(path, sizeof path, "%s/bad.txt", tmpdir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("[1,\n x]\n", f);
    fclose(f);
    assert_int_equal(cvp_tensor_read_text_file(back, path, &err),
                     CVP_ERR_INPUT);
    snprintf(expected, sizeof expected, "%s:2:2: unexpected 'x'", path);
    assert_string_equal(err.message, expected);

    snprintf(path, sizeof path, "%s/missing.txt", tmpdir);
    assert_int_equal(cvp_tensor_read_text_file(back, path, &err),
                     CVP_ERR_INPUT);
    snprintf(expected, sizeof expected, "%s: cannot open: %s", path,
             strerror(ENOENT));
    assert_string_equal(err.message, expected);

    assert_int_equal(cvp_tensor_read_text_file(back, tmpdir, &err),
                     CVP_ERR_INPUT);
    snprintf(expected, sizeof expected, "%s: read error: %s", tmpdir,
             strerror(EISDIR));
    assert_string_equal(err.message, expected);

    snprintf(path, sizeof path, "%s/no/such/dir.txt", tmpdir);
    assert_int_equal(cvp_tensor_write_text_file(path, t, &err),
                     CVP_ERR_INPUT);
    snprintf(expected, sizeof expected, "%s: cannot open for writing: %s",
             path, strerror(ENOENT));
    assert_string_equal(err.message, expected);

    cvp_tensor_clear(back);
    cvp_tensor_clear(t);
}

static void test_write_errors(void **state)
{
    (void)state;
    if (access("/dev/full", W_OK) != 0)
        skip();
    cvp_tensor_t t;
    cvp_tensor_init(t);
    cvp_tensor_set_scalar_si(t, 1, 3);
    FILE *f = fopen("/dev/full", "w");
    assert_non_null(f);
    assert_int_equal(cvp_tensor_write_text(f, t), -1);
    fclose(f);
    cvp_error err;
    assert_int_equal(cvp_tensor_write_text_file("/dev/full", t, &err),
                     CVP_ERR_INPUT);
    char expected[256];
    snprintf(expected, sizeof expected, "/dev/full: write error: %s",
             strerror(ENOSPC));
    assert_string_equal(err.message, expected);
    cvp_tensor_clear(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_negative_zero),
        cmocka_unit_test(test_fractions),
        cmocka_unit_test(test_decimals_exact),
        cmocka_unit_test(test_long_digit_strings),
        cmocka_unit_test(test_shapes),
        cmocka_unit_test(test_error_empty_and_garbage),
        cmocka_unit_test(test_error_numbers),
        cmocka_unit_test(test_error_exponent_budget),
        cmocka_unit_test(test_error_ragged),
        cmocka_unit_test(test_error_mixed_nesting),
        cmocka_unit_test(test_error_depth),
        cmocka_unit_test(test_error_entry_limit),
        cmocka_unit_test(test_default_source_name),
        cmocka_unit_test(test_write_layout),
        cmocka_unit_test(test_write_zero_leading_dim),
        cmocka_unit_test(test_round_trip_random),
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_write_errors),
    };
    return cmocka_run_group_tests_name("tensor_text", tests, make_tmpdir,
                                       remove_tmpdir);
}
