/* npy_write.c -- writing tensors as NumPy .npy files of float64.
 *
 * A rational is written only if it is exactly a double: a proof checker
 * must never hand a rounded value to the next tool without saying so.  All
 * entries are checked before the file is opened, so a refusal leaves no
 * partial file behind.
 *
 * The layout follows what numpy.save writes today: version 1.0, the dict
 * {'descr': '<f8', 'fortran_order': False, 'shape': (...), } padded with
 * spaces and a final '\n' so that magic + length field + header is a
 * multiple of 64 bytes, then the entries little-endian in C order.
 */
#include "io/npy.h"
#include "io/npy_internal.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

_Static_assert(sizeof(double) == 8, "double must be IEEE binary64");

bool cvp_mpq_to_double_exact(double *d, const mpq_t q)
{
    /* Cheap rejection first: a double is m * 2^e, so a canonical
     * denominator must be a power of two. */
    mpz_srcptr den = mpq_denref(q);
    if (mpz_scan1(den, 0) != mpz_sizeinbase(den, 2) - 1)
        return false;
    /* mpq_get_d truncates; whatever finite double it returns, q is exactly
     * a double iff converting that double back (exact) gives q again.  An
     * infinity means q is beyond the double range (and mpq_set_d must not
     * see it). */
    double x = mpq_get_d(q);
    if (!isfinite(x))
        return false;
    mpq_t back;
    mpq_init(back);
    mpq_set_d(back, x);
    bool exact = mpq_equal(back, q) != 0;
    mpq_clear(back);
    if (exact)
        *d = x;
    return exact;
}

/* The header, padded, into buf; returns its length (a multiple of 64). */
static size_t build_header(unsigned char *buf, size_t bufsize,
                           const cvp_tensor_t t)
{
    char shape[CVP_MAX_RANK * 24 + 8];
    size_t used = 0;
    shape[used++] = '(';
    for (int k = 0; k < t->rank; k++)
        used += (size_t)snprintf(shape + used, sizeof shape - used, "%s%zu",
                                 k ? ", " : "", t->shape[k]);
    if (t->rank == 1)
        shape[used++] = ',';  /* (3,) is a tuple; (3) would be an int */
    shape[used++] = ')';
    shape[used] = '\0';

    char dict[sizeof shape + 64];
    int n = snprintf(dict, sizeof dict,
                     "{'descr': '<f8', 'fortran_order': False, 'shape': %s, }",
                     shape);
    CVP_ASSERT(n > 0 && (size_t)n < sizeof dict);
    size_t total = 10 + (size_t)n + 1;  /* prefix + dict + '\n' */
    size_t pad = (64 - total % 64) % 64;
    size_t hlen = (size_t)n + pad + 1;
    CVP_ASSERT(10 + hlen <= bufsize && hlen <= 0xffff);

    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    buf[8] = (unsigned char)(hlen & 0xff);
    buf[9] = (unsigned char)(hlen >> 8);
    memcpy(buf + 10, dict, (size_t)n);
    memset(buf + 10 + n, ' ', pad);
    buf[10 + hlen - 1] = '\n';
    return 10 + hlen;
}

static void store_le(unsigned char *b, double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    for (int k = 0; k < 8; k++)
        b[k] = (unsigned char)(u >> (8 * k));
}

cvp_status cvp_npy_write_file(const char *path, const cvp_tensor_t t,
                              cvp_error *err)
{
    double d;
    for (size_t k = 0; k < t->size; k++) {
        if (!cvp_mpq_to_double_exact(&d, t->entries[k])) {
            char where[256];
            cvp_npy_format_index(where, sizeof where, t->rank, t->shape, k);
            char value[96];
            /* A huge rational is shown truncated; the index names it. */
            int n = gmp_snprintf(value, sizeof value, "%Qd", t->entries[k]);
            if (n >= (int)sizeof value)
                memcpy(value + sizeof value - 4, "...", 4);
            return cvp_error_set(err, CVP_ERR_INPUT,
                                 "cannot write %s as float64: entry %s = %s "
                                 "is not exactly representable", path, where,
                                 value);
        }
    }

    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "%s: cannot open for writing: %s", path,
                             strerror(errno));
    unsigned char block[4096];
    size_t used = build_header(block, sizeof block, t);
    bool ok = true;
    errno = 0;
    for (size_t k = 0; ok && k < t->size; k++) {
        if (used + 8 > sizeof block) {
            ok = fwrite(block, 1, used, f) == used;
            used = 0;
        }
        bool exact = cvp_mpq_to_double_exact(&d, t->entries[k]);
        CVP_ASSERT(exact);  /* checked above */
        store_le(block + used, d);
        used += 8;
    }
    ok = ok && fwrite(block, 1, used, f) == used;
    int e = errno;
    if (fclose(f) != 0 && ok) {
        e = errno;
        ok = false;
    }
    /* A partly written file is left as it is: its header promises more
     * data than it holds, so readers reject it.  (Removing it could
     * remove something that is not ours, such as a device.) */
    if (!ok)
        return cvp_error_set(err, CVP_ERR_INPUT, "%s: write error: %s", path,
                             e ? strerror(e) : "unknown error");
    return CVP_OK;
}
