/* test_npy_file.c -- reading .npy files of more than one chunk (1 MB),
 * which npy_read_file.c converts a chunk at a time instead of reading
 * whole: every entry in its place (against values computed from the
 * index), the same tensor as cvp_npy_parse of the same bytes, the same
 * messages for bad entries and short files, and the fallbacks (Fortran
 * order, values beyond the packed form) still exact. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/npy.h"
#include "kernel/packed.h"

enum { ROWS = 600, COLS = 300, N = ROWS * COLS };   /* 1.4 MB of float64 */

static char path[512];
static size_t data_offset;   /* of the last file write_file wrote */

static int make_path(void **state)
{
    (void)state;
    const char *base = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/cvp_npy_file_XXXXXX",
             base != NULL && base[0] ? base : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    close(fd);
    return 0;
}

static int remove_path(void **state)
{
    (void)state;
    return unlink(path);
}

/* The file: a version 1.0 header for `descr`, `shape` (Python's text)
 * and `order`, then `len` bytes of data. */
static void write_shaped_file(const char *descr, bool fortran, const char *shape,
                              const void *data, size_t len)
{
    char header[256];
    int n = snprintf(header, sizeof header,
                     "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }",
                     descr, fortran ? "True" : "False", shape);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    unsigned char prefix[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0,
                                (unsigned char)n, 0};
    assert_int_equal(fwrite(prefix, 1, 10, f), 10);
    assert_int_equal(fwrite(header, 1, (size_t)n, f), (size_t)n);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    data_offset = 10 + (size_t)n;
}

/* The same with shape (ROWS, COLS). */
static void write_file(const char *descr, bool fortran, const void *data, size_t len)
{
    char shape[64];
    snprintf(shape, sizeof shape, "(%d, %d)", ROWS, COLS);
    write_shaped_file(descr, fortran, shape, data, len);
}

/* The tensor read from the file equals cvp_npy_parse of its bytes. */
static void assert_same_as_parse(const cvp_tensor_t t)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    unsigned char *bytes = malloc(2 * (size_t)N * 8 + 4096);
    assert_non_null(bytes);
    size_t len = fread(bytes, 1, 2 * (size_t)N * 8 + 4096, f);
    fclose(f);
    cvp_tensor_t parsed;
    cvp_tensor_init(parsed);
    cvp_error err;
    tu_assert_ok(cvp_npy_parse(parsed, bytes, len, path, &err), &err);
    assert_true(cvp_tensor_equal(parsed, t));
    cvp_tensor_clear(parsed);
    free(bytes);
}

/* Entry k of the float data: ((k mod 1000) - 500) / 2^(k mod 40). */
static double value_at(size_t k)
{
    return ldexp((double)((long)(k % 1000) - 500), -(int)(k % 40));
}

static void assert_values(const cvp_tensor_t t)
{
    mpq_t q;
    mpq_init(q);
    for (size_t k = 0; k < N; k++) {
        mpq_set_si(q, (long)(k % 1000) - 500, 1);
        mpq_div_2exp(q, q, (mp_bitcnt_t)(k % 40));
        if (!mpq_equal(q, cvp_tensor_at_const(t, k)))
            fail_msg("entry %zu differs", k);
    }
    mpq_clear(q);
}

static void test_float_chunks(void **state)
{
    (void)state;
    double *d = malloc(N * sizeof *d);
    assert_non_null(d);
    for (size_t k = 0; k < N; k++)
        d[k] = value_at(k);
    cvp_tensor_t t;
    cvp_tensor_init(t);
    cvp_error err;
    write_file("<f8", false, d, N * sizeof *d);
    tu_assert_ok(cvp_npy_read_file(t, path, &err), &err);
    assert_true(cvp_tensor_is_packed(t));
    assert_values(t);
    assert_same_as_parse(t);
    /* Fortran order (read whole): entry (i, j) stored at j ROWS + i */
    double *fo = malloc(N * sizeof *fo);
    assert_non_null(fo);
    for (size_t i = 0; i < ROWS; i++)
        for (size_t j = 0; j < COLS; j++)
            fo[j * ROWS + i] = d[i * COLS + j];
    write_file("<f8", true, fo, N * sizeof *fo);
    tu_assert_ok(cvp_npy_read_file(t, path, &err), &err);
    assert_values(t);
    /* NaN in the second chunk at [500, 7], -inf at [450, 2]: the first
     * in C order is named, in the first chunk or a later one */
    d[500 * COLS + 7] = NAN;
    d[450 * COLS + 2] = -INFINITY;
    write_file("<f8", false, d, N * sizeof *d);
    assert_int_equal(cvp_npy_read_file(t, path, &err), CVP_ERR_INPUT);
    assert_non_null(strstr(err.message, ": entry [450, 2] is -inf"));
    d[3] = INFINITY;
    write_file("<f8", false, d, N * sizeof *d);
    assert_int_equal(cvp_npy_read_file(t, path, &err), CVP_ERR_INPUT);
    assert_non_null(strstr(err.message, ": entry [0, 3] is inf"));
    /* values 2^1000 and 2^-1000 span more than 63 bits: GMP rationals,
     * read whole, still exact */
    for (size_t k = 0; k < N; k++)
        d[k] = value_at(k);
    d[0] = ldexp(1.0, 1000);
    d[N - 1] = ldexp(1.0, -1000);
    write_file("<f8", false, d, N * sizeof *d);
    tu_assert_ok(cvp_npy_read_file(t, path, &err), &err);
    assert_false(cvp_tensor_is_packed(t));
    mpq_t q;
    mpq_init(q);
    mpq_set_ui(q, 1, 1);
    mpq_mul_2exp(q, q, 1000);
    assert_true(mpq_equal(q, cvp_tensor_at_const(t, 0)));
    mpq_set_ui(q, 1, 1);
    mpq_div_2exp(q, q, 1000);
    assert_true(mpq_equal(q, cvp_tensor_at_const(t, N - 1)));
    mpq_clear(q);
    free(fo);
    free(d);
    cvp_tensor_clear(t);
}

static void test_integer_chunks(void **state)
{
    (void)state;
    int64_t *v = malloc(N * sizeof *v);
    assert_non_null(v);
    for (size_t k = 0; k < N; k++)
        v[k] = ((int64_t)k - 90000) * 1000003;
    cvp_tensor_t t;
    cvp_tensor_init(t);
    cvp_error err;
    write_file("<i8", false, v, N * sizeof *v);
    tu_assert_ok(cvp_npy_read_file(t, path, &err), &err);
    assert_true(cvp_tensor_is_packed(t));
    for (size_t k = 0; k < N; k++)
        if (cvp_tensor_packed_num_const(t)[k] != ((int64_t)k - 90000) * 1000003)
            fail_msg("entry %zu", k);
    assert_same_as_parse(t);
    /* uint64: 0, 1, ..., and 2^64 - 1 beyond int64 at the end:
     * rationals */
    for (size_t k = 0; k < N; k++)
        v[k] = (int64_t)k;
    v[N - 1] = -1;   /* all bits set */
    write_file("<u8", false, v, N * sizeof *v);
    tu_assert_ok(cvp_npy_read_file(t, path, &err), &err);
    assert_false(cvp_tensor_is_packed(t));
    tu_assert_entry(t, N - 1, "18446744073709551615");
    tu_assert_entry(t, N - 2, "179998");
    free(v);
    cvp_tensor_clear(t);
}

/* A bool file with a 2 in its second chunk (bools are one byte: the
 * file is 180,000 bytes, so eight times as many entries are needed). */
static void test_bool_chunks(void **state)
{
    (void)state;
    cvp_tensor_t t;
    cvp_tensor_init(t);
    cvp_error err;
    const size_t n = (size_t)3 << 20;   /* 3 MB of bools */
    unsigned char *b = malloc(n);
    assert_non_null(b);
    for (size_t k = 0; k < n; k++)
        b[k] = (unsigned char)(k % 3 == 0);
    char shape[64];
    snprintf(shape, sizeof shape, "(%zu,)", n);
    write_shaped_file("|b1", false, shape, b, n);
    tu_assert_ok(cvp_npy_read_file(t, path, &err), &err);
    for (size_t k = 0; k < n; k += 4099)
        assert_int_equal(cvp_tensor_packed_num_const(t)[k], k % 3 == 0);
    /* a 2 at entry 2,500,000 */
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    assert_int_equal(fseek(f, (long)(data_offset + 2500000), SEEK_SET), 0);
    assert_int_equal(fputc(2, f), 2);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(cvp_npy_read_file(t, path, &err), CVP_ERR_INPUT);
    assert_non_null(strstr(err.message,
                           ": entry [2500000] of a bool array is neither 0 nor 1"));
    free(b);
    cvp_tensor_clear(t);
}

/* A header promising more data than the file holds: the message of a
 * truncated image, the file's size in it. */
static void test_short_file(void **state)
{
    (void)state;
    double *d = calloc(N, sizeof *d);
    assert_non_null(d);
    cvp_tensor_t t;
    cvp_tensor_init(t);
    cvp_error err;
    write_file("<f8", false, d, N * sizeof *d - 8);
    assert_int_equal(cvp_npy_read_file(t, path, &err), CVP_ERR_INPUT);
    char expected[1024];
    snprintf(expected, sizeof expected,
             "%s: truncated: the data from byte %zu has 1439992 bytes, but "
             "shape [600, 300] of 8-byte entries needs 1440000", path, data_offset);
    assert_string_equal(err.message, expected);
    free(d);
    cvp_tensor_clear(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_float_chunks),
        cmocka_unit_test(test_integer_chunks),
        cmocka_unit_test(test_bool_chunks),
        cmocka_unit_test(test_short_file),
    };
    return cmocka_run_group_tests_name("npy_file", tests, make_path, remove_path);
}
