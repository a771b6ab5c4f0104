/* test_npy_write.c -- cmocka tests of writing NumPy .npy files: the exact
 * conversion of rationals to doubles, the files written (byte by byte),
 * refusals, errors, and round trips through the reader.
 *
 * The expected bytes and values are worked out by hand (IEEE bit patterns
 * written out, powers of two built from integers); files go to a fresh
 * temporary directory.  test_npy.c tests reading.
 */
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/npy.h"
#include "kernel/rng.h"

/* ---- exactness test for doubles ----------------------------------------- */

static void test_mpq_to_double_exact(void **state)
{
    (void)state;
    mpq_t q;
    mpq_init(q);
    double d;
    static const struct { long m, e; double expected; } exact[] = {
        {0, 0, 0.0}, {1, 0, 1.0}, {-1, 0, -1.0}, {1, -1, 0.5},
        {-5, -2, -1.25}, {1, -1074, 0x1p-1074}, {3, -1074, 0x3p-1074},
        {1, -1022, 0x1p-1022}, {1, 53, 0x1p53}, {1, 1023, 0x1p1023},
        {-1, 1023, -0x1p1023}, {4503599627370497, 1, 0x10000000000001p1},
        {9007199254740991, -1074, 0x1fffffffffffffp-1074},
    };
    for (size_t k = 0; k < sizeof exact / sizeof exact[0]; k++) {
        tu_set_dyadic(q, exact[k].m, exact[k].e);
        d = -7.0;
        if (!cvp_mpq_to_double_exact(&d, q))
            fail_msg("case %zu should be exact", k);
        assert_true(d == exact[k].expected);
    }
    tu_set_all_ones(q, 53, 971);  /* DBL_MAX */
    assert_true(cvp_mpq_to_double_exact(&d, q));
    assert_true(d == 0x1.fffffffffffffp1023);
    tu_set_all_ones(q, 52, -1074);  /* largest subnormal */
    assert_true(cvp_mpq_to_double_exact(&d, q));
    assert_true(d == 0x0.fffffffffffffp-1022);

    static const struct { long m, e; } inexact[] = {
        {1, 1024},                   /* just past the range */
        {1, -1075},                  /* half the smallest subnormal */
        {3, -1075},
        {9007199254740993, 0},       /* 2^53 + 1: 54 significant bits */
        {9007199254740993, -1074},   /* a normal number plus half an ulp */
        {1, 100000}, {1, -100000}, {-1, 100000},
    };
    for (size_t k = 0; k < sizeof inexact / sizeof inexact[0]; k++) {
        tu_set_dyadic(q, inexact[k].m, inexact[k].e);
        d = -7.0;
        if (cvp_mpq_to_double_exact(&d, q))
            fail_msg("case %zu should not be exact", k);
        assert_true(d == -7.0);  /* untouched */
    }
    tu_set_all_ones(q, 54, 970);  /* DBL_MAX + half an ulp */
    assert_false(cvp_mpq_to_double_exact(&d, q));
    tu_set_all_ones(q, 53, 972);  /* 2 * DBL_MAX */
    assert_false(cvp_mpq_to_double_exact(&d, q));
    mpq_set_si(q, 1, 3);
    assert_false(cvp_mpq_to_double_exact(&d, q));
    mpq_set_si(q, 1, 10);
    assert_false(cvp_mpq_to_double_exact(&d, q));
    mpq_set_si(q, -3, 1024);
    assert_true(cvp_mpq_to_double_exact(&d, q));
    assert_true(d == -0x3p-10);
    mpq_clear(q);
}

/* ---- writing -------------------------------------------------------------- */

static char tmpdir[256];

static int make_tmpdir(void **state)
{
    (void)state;
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/cvp_npy_XXXXXX",
             base != NULL && base[0] ? base : "/tmp");
    return mkdtemp(tmpdir) != NULL ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
    (void)state;
    char path[512];
    const char *names[] = {"w.npy", "r0.npy", "r1.npy", "e.npy", "no.npy",
                           "rt.npy", "many.npy"};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        snprintf(path, sizeof path, "%s/%s", tmpdir, names[k]);
        unlink(path);
    }
    return rmdir(tmpdir);
}

static size_t slurp(unsigned char *buf, size_t bufsize, const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t len = fread(buf, 1, bufsize, f);
    fclose(f);
    return len;
}

/* Checks the header of a written file textually; returns the data start. */
static size_t check_written_header(const unsigned char *buf, size_t len,
                                   const char *shape_text)
{
    assert_true(len >= 10);
    assert_memory_equal(buf, "\x93NUMPY\x01\x00", 8);
    size_t hlen = buf[8] | (size_t)buf[9] << 8;
    assert_int_equal((10 + hlen) % 64, 0);
    assert_true(10 + hlen <= len);
    char dict[256];
    snprintf(dict, sizeof dict, "{'descr': '<f8', 'fortran_order': False, "
             "'shape': %s, }", shape_text);
    size_t n = strlen(dict);
    assert_true(n < hlen);
    assert_memory_equal(buf + 10, dict, n);
    for (size_t k = 10 + n; k < 10 + hlen - 1; k++)
        assert_int_equal(buf[k], ' ');
    assert_int_equal(buf[10 + hlen - 1], '\n');
    return 10 + hlen;
}

static void test_write_file(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/w.npy", tmpdir);
    cvp_tensor_t t, back;
    cvp_tensor_init(t);
    cvp_tensor_init(back);
    cvp_error err;

    /* [[0.5, -1.25, 3], [0, 2^-1074, DBL_MAX]] */
    assert_int_equal(cvp_tensor_resize(t, 2, (size_t[]){2, 3}, NULL), CVP_OK);
    tu_set_dyadic(cvp_tensor_at(t, 0), 1, -1);
    tu_set_dyadic(cvp_tensor_at(t, 1), -5, -2);
    tu_set_dyadic(cvp_tensor_at(t, 2), 3, 0);
    tu_set_dyadic(cvp_tensor_at(t, 4), 1, -1074);
    tu_set_all_ones(cvp_tensor_at(t, 5), 53, 971);
    assert_int_equal(cvp_npy_write_file(path, t, &err), CVP_OK);

    unsigned char buf[1024];
    size_t len = slurp(buf, sizeof buf, path);
    size_t at = check_written_header(buf, len, "(2, 3)");
    assert_int_equal(len, at + 48);
    /* IEEE bit patterns, little-endian, worked out by hand. */
    static const unsigned char data[48] = {
        0, 0, 0, 0, 0, 0, 0xe0, 0x3f,           /* 0.5  = 0x3fe0... */
        0, 0, 0, 0, 0, 0, 0xf4, 0xbf,           /* -1.25 = 0xbff4... */
        0, 0, 0, 0, 0, 0, 0x08, 0x40,           /* 3.0  = 0x4008... */
        0, 0, 0, 0, 0, 0, 0, 0,                 /* 0 */
        1, 0, 0, 0, 0, 0, 0, 0,                 /* 2^-1074 = 0x...01 */
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xef, 0x7f,  /* DBL_MAX */
    };
    assert_memory_equal(buf + at, data, 48);
    assert_int_equal(cvp_npy_read_file(back, path, &err), CVP_OK);
    assert_true(cvp_tensor_equal(back, t));

    /* rank 0 and rank 1 spell their shapes as Python tuples */
    snprintf(path, sizeof path, "%s/r0.npy", tmpdir);
    cvp_tensor_set_scalar_si(t, -3, 4);
    assert_int_equal(cvp_npy_write_file(path, t, &err), CVP_OK);
    len = slurp(buf, sizeof buf, path);
    at = check_written_header(buf, len, "()");
    assert_int_equal(len, at + 8);
    assert_int_equal(cvp_npy_read_file(back, path, &err), CVP_OK);
    assert_true(cvp_tensor_equal(back, t));

    snprintf(path, sizeof path, "%s/r1.npy", tmpdir);
    assert_int_equal(cvp_tensor_resize(t, 1, (size_t[]){3}, NULL), CVP_OK);
    mpq_set_si(cvp_tensor_at(t, 2), 7, 1);
    assert_int_equal(cvp_npy_write_file(path, t, &err), CVP_OK);
    len = slurp(buf, sizeof buf, path);
    at = check_written_header(buf, len, "(3,)");
    assert_int_equal(len, at + 24);
    assert_int_equal(cvp_npy_read_file(back, path, &err), CVP_OK);
    assert_true(cvp_tensor_equal(back, t));

    snprintf(path, sizeof path, "%s/e.npy", tmpdir);
    assert_int_equal(cvp_tensor_resize(t, 3, (size_t[]){2, 0, 5}, NULL),
                     CVP_OK);
    assert_int_equal(cvp_npy_write_file(path, t, &err), CVP_OK);
    len = slurp(buf, sizeof buf, path);
    assert_int_equal(check_written_header(buf, len, "(2, 0, 5)"), len);
    assert_int_equal(cvp_npy_read_file(back, path, &err), CVP_OK);
    assert_true(cvp_tensor_equal(back, t));

    cvp_tensor_clear(back);
    cvp_tensor_clear(t);
}

static void test_write_refuses_inexact(void **state)
{
    (void)state;
    char path[512], expected[1024];
    snprintf(path, sizeof path, "%s/no.npy", tmpdir);
    cvp_tensor_t t;
    cvp_tensor_init(t);
    cvp_error err;
    struct stat sb;

    assert_int_equal(cvp_tensor_resize(t, 2, (size_t[]){2, 2}, NULL), CVP_OK);
    mpq_set_si(cvp_tensor_at(t, 1), 1, 3);
    mpq_set_si(cvp_tensor_at(t, 3), 1, 5);
    assert_int_equal(cvp_npy_write_file(path, t, &err), CVP_ERR_INPUT);
    snprintf(expected, sizeof expected, "cannot write %s as float64: entry "
             "[0, 1] = 1/3 is not exactly representable", path);
    assert_string_equal(err.message, expected);
    assert_int_not_equal(stat(path, &sb), 0);  /* no file left behind */

    /* 2^53 + 1 needs 54 bits */
    mpq_set_si(cvp_tensor_at(t, 1), 0, 1);
    mpq_set_si(cvp_tensor_at(t, 3), 9007199254740993L, 1);
    assert_int_equal(cvp_npy_write_file(path, t, &err), CVP_ERR_INPUT);
    snprintf(expected, sizeof expected, "cannot write %s as float64: entry "
             "[1, 1] = 9007199254740993 is not exactly representable", path);
    assert_string_equal(err.message, expected);

    /* a huge value is named by index, its digits cut short */
    cvp_tensor_set_scalar_si(t, 1, 1);
    mpz_ui_pow_ui(mpq_numref(cvp_tensor_at(t, 0)), 3, 1000);
    assert_int_equal(cvp_npy_write_file(path, t, &err), CVP_ERR_INPUT);
    assert_non_null(strstr(err.message, ": entry [] = 13220708194"));
    assert_non_null(strstr(err.message, "... is not exactly representable"));
    assert_int_not_equal(stat(path, &sb), 0);
    cvp_tensor_clear(t);
}

static void test_write_errors(void **state)
{
    (void)state;
    char path[512], expected[1024];
    cvp_tensor_t t;
    cvp_tensor_init(t);
    cvp_error err;
    snprintf(path, sizeof path, "%s/missing/dir/x.npy", tmpdir);
    assert_int_equal(cvp_npy_write_file(path, t, &err), CVP_ERR_INPUT);
    snprintf(expected, sizeof expected, "%s: cannot open for writing: %s",
             path, strerror(ENOENT));
    assert_string_equal(err.message, expected);
    if (access("/dev/full", W_OK) == 0) {
        assert_int_equal(cvp_npy_write_file("/dev/full", t, &err),
                         CVP_ERR_INPUT);
        snprintf(expected, sizeof expected, "/dev/full: write error: %s",
                 strerror(ENOSPC));
        assert_string_equal(err.message, expected);
    }
    cvp_tensor_clear(t);
}

static void test_write_read_round_trip(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/rt.npy", tmpdir);
    cvp_rng rng;
    cvp_rng_seed(&rng, 4242);
    cvp_tensor_t t, back;
    cvp_tensor_init(t);
    cvp_tensor_init(back);
    cvp_error err;
    for (int trial = 0; trial < 40; trial++) {
        int rank = (int)cvp_rng_range(&rng, 0, 4);
        size_t shape[CVP_MAX_RANK];
        for (int k = 0; k < rank; k++)
            shape[k] = (size_t)cvp_rng_range(&rng, 0, 5);
        assert_int_equal(cvp_tensor_resize(t, rank, shape, NULL), CVP_OK);
        /* dyadic rationals m / 2^j are doubles when m is small */
        for (size_t k = 0; k < cvp_tensor_size(t); k++)
            tu_set_dyadic(cvp_tensor_at(t, k),
                       (long)cvp_rng_range(&rng, -1000000, 1000000),
                       (long)cvp_rng_range(&rng, -60, 60));
        assert_int_equal(cvp_npy_write_file(path, t, &err), CVP_OK);
        assert_int_equal(cvp_npy_read_file(back, path, &err), CVP_OK);
        assert_true(cvp_tensor_equal(back, t));
    }
    cvp_tensor_clear(back);
    cvp_tensor_clear(t);
}

/* The doubles of a .npy file written here (little-endian float64 after
 * the header), into a new array of n. */
static double *raw_doubles(const char *path, size_t n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    unsigned char head[10];
    assert_int_equal(fread(head, 1, 10, f), 10);
    const long hlen = head[8] | (long)head[9] << 8;
    assert_int_equal(fseek(f, 10 + hlen, SEEK_SET), 0);
    double *d = malloc(n * sizeof *d + 1);
    assert_non_null(d);
    assert_int_equal(fread(d, sizeof *d, n, f), n);
    assert_int_equal(fgetc(f), EOF);   /* nothing after the last entry */
    fclose(f);
    return d;
}

/* More entries than one chunk of the writer (65536), converted on
 * threads: every entry lands at its place, exactly and rounded, and of
 * several entries that are not doubles the first is the one named. */
static void test_write_many_chunks(void **state)
{
    (void)state;
    char path[512], expected[1024];
    snprintf(path, sizeof path, "%s/many.npy", tmpdir);
    const size_t n = 200003;
    int64_t *num = malloc(n * sizeof *num);
    assert_non_null(num);
    for (size_t k = 0; k < n; k++)
        num[k] = (int64_t)k - 100000;
    cvp_tensor_t t;
    cvp_tensor_init(t);
    cvp_error err;
    /* (k - 100000) / 8 */
    tu_packed_of(t, 1, (size_t[]){n}, num, "8");
    assert_int_equal(cvp_npy_write_file(path, t, &err), CVP_OK);
    double *d = raw_doubles(path, n);
    for (size_t k = 0; k < n; k++)
        if (d[k] != ((double)k - 100000.0) / 8.0)
            fail_msg("entry %zu: %g", k, d[k]);
    free(d);
    /* k, except 1/3 at 150001 and 2/3 at 70001 and 190000 */
    for (size_t k = 0; k < n; k++)
        num[k] = 3 * (int64_t)k;
    num[150001] = 1;
    num[70001] = 2;
    num[190000] = 2;
    tu_packed_of(t, 1, (size_t[]){n}, num, "3");
    assert_int_equal(cvp_npy_write_file(path, t, &err), CVP_ERR_INPUT);
    snprintf(expected, sizeof expected, "cannot write %s as float64: entry "
             "[70001] = 2/3 is not exactly representable", path);
    assert_string_equal(err.message, expected);
    /* rounded: IEEE division rounds 1/3 and 2/3 correctly */
    assert_int_equal(cvp_npy_write_rounded_file(path, t, &err), CVP_OK);
    d = raw_doubles(path, n);
    for (size_t k = 0; k < n; k++) {
        double want = k == 150001 ? 1.0 / 3.0
                      : k == 70001 || k == 190000 ? 2.0 / 3.0 : (double)k;
        if (d[k] != want)
            fail_msg("rounded entry %zu: %.17g", k, d[k]);
    }
    free(d);
    free(num);
    cvp_tensor_clear(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mpq_to_double_exact),
        cmocka_unit_test(test_write_file),
        cmocka_unit_test(test_write_refuses_inexact),
        cmocka_unit_test(test_write_errors),
        cmocka_unit_test(test_write_read_round_trip),
        cmocka_unit_test(test_write_many_chunks),
    };
    return cmocka_run_group_tests_name("npy_write", tests, make_tmpdir,
                                       remove_tmpdir);
}
