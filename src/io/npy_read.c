/* npy_read.c -- reading NumPy .npy files exactly (see npy.h).
 *
 * npy_header.c parses and checks the header; this file checks the shape
 * against the entry limit (cvp_shape_size) and the data length against
 * shape * itemsize, both before the tensor is allocated, then converts
 * every entry exactly: into the packed form (kernel/packed.h) when the
 * values fit it -- integers within int64; floats whose exponents span at
 * most 63 bits together with their significands, over a power-of-two
 * denominator -- else into one GMP rational per entry.
 *
 * This file is fuzzed; no input may crash it.
 */
#include "io/npy.h"
#include "io/npy_internal.h"
#include "kernel/packed.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The float conversions reinterpret IEEE binary64/binary32 bit patterns. */
_Static_assert(sizeof(double) == 8, "double must be IEEE binary64");
_Static_assert(sizeof(float) == 4, "float must be IEEE binary32");

static uint64_t load_uint(const unsigned char *b, size_t n, bool big_endian)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* The usual files: little-endian 8 or 4 bytes, one load. */
    if (!big_endian && n == 8) {
        uint64_t v;
        memcpy(&v, b, 8);
        return v;
    }
    if (!big_endian && n == 4) {
        uint32_t v;
        memcpy(&v, b, 4);
        return v;
    }
#endif
    uint64_t u = 0;
    if (big_endian)
        for (size_t k = 0; k < n; k++)
            u = (u << 8) | b[k];
    else
        for (size_t k = n; k-- > 0;)
            u = (u << 8) | b[k];
    return u;
}

/* z := u exactly, whatever the width of unsigned long. */
static void mpz_set_u64(mpz_ptr z, uint64_t u)
{
#if ULONG_MAX >= UINT64_MAX
    mpz_set_ui(z, (unsigned long)u);
#else
    mpz_import(z, 1, -1, sizeof u, 0, 0, &u);
#endif
}

/* Why an entry could not be converted. */
typedef enum { ENTRY_OK, ENTRY_NAN, ENTRY_POS_INF, ENTRY_NEG_INF,
               ENTRY_BAD_BOOL } entry_result;

/* q := the entry stored at b (q is 0/1 on entry, so writing the numerator
 * alone keeps it canonical for the integer kinds). */
static entry_result convert_entry(mpq_ptr q, const cvp_npy_header *h,
                                  const unsigned char *b)
{
    uint64_t u = load_uint(b, h->itemsize, h->big_endian);
    switch (h->kind) {
    case CVP_NPY_FLOAT:
        if (h->itemsize == 8) {
            /* Classify from the bits: no floating-point traps, and a
             * signalling NaN is caught like any other. */
            if (((u >> 52) & 0x7ff) == 0x7ff)
                return (u & ((UINT64_C(1) << 52) - 1)) ? ENTRY_NAN
                       : (u >> 63) ? ENTRY_NEG_INF : ENTRY_POS_INF;
            double d;
            memcpy(&d, &u, sizeof d);
            mpq_set_d(q, d);  /* exact: every double is a dyadic rational */
        } else {
            uint32_t w = (uint32_t)u;
            if (((w >> 23) & 0xff) == 0xff)
                return (w & ((UINT32_C(1) << 23) - 1)) ? ENTRY_NAN
                       : (w >> 31) ? ENTRY_NEG_INF : ENTRY_POS_INF;
            float f;
            memcpy(&f, &w, sizeof f);
            mpq_set_d(q, (double)f);  /* float -> double is exact */
        }
        return ENTRY_OK;
    case CVP_NPY_INT: {
        unsigned bits = (unsigned)(8 * h->itemsize);
        uint64_t sign = UINT64_C(1) << (bits - 1);
        uint64_t mask = bits == 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
        if (u & sign) {
            /* Two's complement magnitude; exact also for the minimum. */
            mpz_set_u64(mpq_numref(q), (~u + 1) & mask);
            mpz_neg(mpq_numref(q), mpq_numref(q));
        } else {
            mpz_set_u64(mpq_numref(q), u);
        }
        return ENTRY_OK;
    }
    case CVP_NPY_UINT:
        mpz_set_u64(mpq_numref(q), u);
        return ENTRY_OK;
    case CVP_NPY_BOOL:
        /* NumPy writes 0 or 1; anything else is a corrupt file, and a
         * checker should not guess what it meant. */
        if (u > 1)
            return ENTRY_BAD_BOOL;
        mpz_set_u64(mpq_numref(q), u);
        return ENTRY_OK;
    }
    return ENTRY_OK;
}

/* Walks the logical array in C order (so the first bad entry reported is
 * the first in C order) while tracking where each entry lies in a
 * Fortran-ordered file: fstride[k] is the Fortran stride of axis k. */
typedef struct {
    const cvp_npy_header *h;
    size_t index[CVP_MAX_RANK], fstride[CVP_MAX_RANK], foffset, off;
} walk;

static void walk_init(walk *w, const cvp_npy_header *h)
{
    memset(w, 0, sizeof *w);
    w->h = h;
    size_t stride = 1;
    for (int k = 0; k < h->rank; k++) {
        w->fstride[k] = stride;
        stride *= h->shape[k];  /* cannot overflow: the product is size */
    }
}

/* The position in the file of the current entry; then moves on. */
static size_t walk_next(walk *w)
{
    const cvp_npy_header *h = w->h;
    if (!h->fortran)
        return w->off++;      /* C order: the file's order */
    size_t src = w->foffset;
    w->off++;
    for (int k = h->rank - 1; k >= 0; k--) {
        w->index[k]++;
        w->foffset += w->fstride[k];
        if (w->index[k] < h->shape[k])
            break;
        w->foffset -= w->fstride[k] * h->shape[k];
        w->index[k] = 0;
    }
    return src;
}

/* The position in the file of C-order entry `off` (for naming a bad
 * entry found out of order). */
static size_t file_position(const cvp_npy_header *h, size_t off)
{
    if (!h->fortran)
        return off;
    /* C-order index digits, last axis fastest; Fortran strides grow
     * from the first axis. */
    size_t pos = 0, stride = 1, fstride[CVP_MAX_RANK];
    for (int k = 0; k < h->rank; k++) {
        fstride[k] = stride;
        stride *= h->shape[k];
    }
    for (int k = h->rank - 1; k >= 0; k--) {
        pos += off % h->shape[k] * fstride[k];
        off /= h->shape[k];
    }
    return pos;
}

/* A finite float entry as (-1)^neg * m * 2^e with m odd, or m = 0. */
typedef struct { bool neg; uint64_t m; int e; } dyadic;

static entry_result decode_float(dyadic *x, const cvp_npy_header *h,
                                 const unsigned char *b)
{
    uint64_t u = load_uint(b, h->itemsize, h->big_endian);
    uint64_t frac;
    int biased;
    if (h->itemsize == 8) {
        biased = (int)((u >> 52) & 0x7ff);
        frac = u & ((UINT64_C(1) << 52) - 1);
        x->neg = (u >> 63) != 0;
        if (biased == 0x7ff)
            return frac ? ENTRY_NAN : x->neg ? ENTRY_NEG_INF : ENTRY_POS_INF;
        x->m = biased ? frac | (UINT64_C(1) << 52) : frac;
        x->e = (biased ? biased : 1) - 1075;
    } else {
        biased = (int)((u >> 23) & 0xff);
        frac = u & ((UINT64_C(1) << 23) - 1);
        x->neg = ((u >> 31) & 1) != 0;
        if (biased == 0xff)
            return frac ? ENTRY_NAN : x->neg ? ENTRY_NEG_INF : ENTRY_POS_INF;
        x->m = biased ? frac | (UINT64_C(1) << 23) : frac;
        x->e = (biased ? biased : 1) - 150;
    }
    if (x->m != 0) {
        int tz = __builtin_ctzll(x->m);
        x->m >>= tz;
        x->e += tz;
    }
    return ENTRY_OK;
}

static int bit_length(uint64_t m)
{
    return m ? 64 - __builtin_clzll(m) : 0;
}

typedef enum { PACK_DONE, PACK_BAD_ENTRY, PACK_UNFIT } pack_result;

/* out := the data of the image as a packed tensor (out was made by
 * cvp_tensor_pack_start with the header's shape).  PACK_BAD_ENTRY with
 * *bad the C-order offset of the first entry that is NaN, infinite or a
 * bool other than 0/1 (and *why what it is); PACK_UNFIT when the values
 * do not fit the packed form. */
static pack_result parse_packed(cvp_tensor_t out, const cvp_npy_header *h,
                                const unsigned char *base, size_t size,
                                size_t *bad, entry_result *why)
{
    int64_t *num = cvp_tensor_packed_num(out);
    walk w;
    walk_init(&w, h);
    if (h->kind != CVP_NPY_FLOAT) {
        const unsigned bits = (unsigned)(8 * h->itemsize);
        for (size_t off = 0; off < size; off++) {
            uint64_t u = load_uint(base + walk_next(&w) * h->itemsize,
                                   h->itemsize, h->big_endian);
            if (h->kind == CVP_NPY_INT) {
                /* Sign-extend the two's complement value. */
                if (bits < 64 && (u >> (bits - 1)) & 1)
                    u |= ~UINT64_C(0) << bits;
                num[off] = (int64_t)u;
            } else {
                if (h->kind == CVP_NPY_BOOL && u > 1) {
                    *bad = off;
                    *why = ENTRY_BAD_BOOL;
                    return PACK_BAD_ENTRY;
                }
                if (u > (uint64_t)INT64_MAX)
                    return PACK_UNFIT;
                num[off] = (int64_t)u;
            }
        }
        return PACK_DONE;
    }
    /* Floats, pass 1: the least exponent and the highest bit over the
     * nonzero entries, and the first bad entry.  In C order (the file's
     * order is the tensor's) the entries go to threads. */
    int emin = INT_MAX, top = INT_MIN;
    size_t first_bad = size;
    if (!h->fortran) {
        NPY_OMP(omp parallel for schedule(static) reduction(min: emin, first_bad) \
                reduction(max: top) if (size >= NPY_PARALLEL_MIN))
        for (size_t off = 0; off < size; off++) {
            dyadic x;
            if (decode_float(&x, h, base + off * h->itemsize) != ENTRY_OK) {
                first_bad = off < first_bad ? off : first_bad;
                continue;
            }
            if (x.m == 0)
                continue;
            emin = x.e < emin ? x.e : emin;
            top = bit_length(x.m) + x.e > top ? bit_length(x.m) + x.e : top;
        }
    } else {
        for (size_t off = 0; off < size && first_bad == size; off++) {
            dyadic x;
            if (decode_float(&x, h, base + walk_next(&w) * h->itemsize) != ENTRY_OK) {
                first_bad = off;
                continue;
            }
            if (x.m == 0)
                continue;
            emin = x.e < emin ? x.e : emin;
            top = bit_length(x.m) + x.e > top ? bit_length(x.m) + x.e : top;
        }
    }
    if (first_bad < size) {
        dyadic x;
        *bad = first_bad;
        *why = decode_float(&x, h, base + file_position(h, first_bad) * h->itemsize);
        return PACK_BAD_ENTRY;
    }
    if (emin == INT_MAX)
        return PACK_DONE;          /* all zeros: 0 / 1 */
    /* Entry m 2^e becomes the numerator m 2^(e - shift) over 2^-shift;
     * every numerator is below 2^(top - shift), which must be <= 2^63. */
    const int shift = emin < 0 ? emin : 0;
    if (top - shift > 63)
        return PACK_UNFIT;
    walk_init(&w, h);
    NPY_OMP(omp parallel for schedule(static) if (!h->fortran && size >= NPY_PARALLEL_MIN))
    for (size_t off = 0; off < size; off++) {
        const size_t at = h->fortran ? walk_next(&w) : off;
        dyadic x;
        entry_result r = decode_float(&x, h, base + at * h->itemsize);
        CVP_ASSERT(r == ENTRY_OK);
        /* a zero's exponent is no bound: it is skipped */
        const int64_t v = x.m == 0 ? 0 : (int64_t)(x.m << (x.e - shift));
        num[off] = x.neg ? -v : v;
    }
    /* The entry at the least exponent has an odd numerator: canonical
     * already when shift < 0 (pack_finish checks it anyway). */
    mpz_set_ui(cvp_tensor_packed_den(out), 1);
    mpz_mul_2exp(cvp_tensor_packed_den(out), cvp_tensor_packed_den(out),
                 (mp_bitcnt_t)-shift);
    return PACK_DONE;
}

static cvp_status bad_entry(cvp_error *err, const char *name,
                            const cvp_npy_header *h, size_t off,
                            entry_result r)
{
    char where[256];
    cvp_npy_format_index(where, sizeof where, h->rank, h->shape, off);
    return cvp_error_set(err, CVP_ERR_INPUT, "%s: entry %s %s", name,
                         where, r == ENTRY_NAN ? "is NaN"
                         : r == ENTRY_POS_INF ? "is inf"
                         : r == ENTRY_NEG_INF ? "is -inf"
                         : "of a bool array is neither 0 nor 1");
}

cvp_status cvp_npy_parse(cvp_tensor_t out, const unsigned char *data,
                         size_t len, const char *source_name, cvp_error *err)
{
    const char *name = source_name != NULL ? source_name : "<npy>";
    cvp_npy_header h;
    cvp_status st = cvp_npy_parse_header(&h, data, len, name, err);
    if (st != CVP_OK)
        return st;

    char shape_text[256];
    cvp_shape_format(shape_text, sizeof shape_text, h.rank, h.shape);
    /* A shape the data cannot hold is a truncated file (bad input), also
     * when it is past a size limit or size_t: that is said first. */
    size_t have_entries = (len - h.data_offset) / h.itemsize, fits = 1;
    bool empty = false, beyond = false;
    for (int k = 0; k < h.rank; k++)
        empty = empty || h.shape[k] == 0;
    for (int k = 0; !empty && !beyond && k < h.rank; k++) {
        if (h.shape[k] > have_entries / fits)
            beyond = true;
        else
            fits *= h.shape[k];
    }
    size_t size;
    st = cvp_shape_size(&size, h.rank, h.shape, err);
    if (beyond && (st != CVP_OK || size > SIZE_MAX / h.itemsize))
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "%s: truncated: the data from byte %zu has %zu "
                             "bytes, fewer than shape %s of %zu-byte entries "
                             "needs", name, h.data_offset, len - h.data_offset,
                             shape_text, h.itemsize);
    if (st != CVP_OK) {
        cvp_error_prefix(err, "%s", name);
        return st;
    }
    if (size > SIZE_MAX / h.itemsize)
        return cvp_error_set(err, CVP_ERR_LIMIT, "%s: shape %s is too large",
                             name, shape_text);
    size_t need = size * h.itemsize;
    size_t have = len - h.data_offset;
    if (have != need)
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "%s: %s: the data from byte %zu has %zu bytes, "
                             "but shape %s of %zu-byte entries needs %zu",
                             name, have < need ? "truncated" : "trailing bytes",
                             h.data_offset, have, shape_text, h.itemsize, need);

    const unsigned char *base = data + h.data_offset;
    cvp_tensor_t result;
    cvp_tensor_init(result);
    if ((st = cvp_tensor_pack_start(result, h.rank, h.shape, err)) != CVP_OK) {
        cvp_error_prefix(err, "%s", name);
        cvp_tensor_clear(result);
        return st;
    }
    size_t bad = 0;
    entry_result why = ENTRY_OK;
    switch (parse_packed(result, &h, base, size, &bad, &why)) {
    case PACK_DONE:
        cvp_tensor_pack_finish(result);
        cvp_tensor_swap(out, result);
        cvp_tensor_clear(result);
        return CVP_OK;
    case PACK_BAD_ENTRY:
        cvp_tensor_clear(result);
        return bad_entry(err, name, &h, bad, why);
    case PACK_UNFIT:
        break;
    }
    /* One GMP rational per entry. */
    if ((st = cvp_tensor_resize(result, h.rank, h.shape, err)) != CVP_OK) {
        cvp_error_prefix(err, "%s", name);
        cvp_tensor_clear(result);
        return st;
    }
    walk w;
    walk_init(&w, &h);
    for (size_t off = 0; off < size; off++) {
        const unsigned char *b = base + walk_next(&w) * h.itemsize;
        entry_result r = convert_entry(cvp_tensor_at(result, off), &h, b);
        if (r != ENTRY_OK) {
            cvp_tensor_clear(result);
            return bad_entry(err, name, &h, off, r);
        }
    }
    cvp_tensor_swap(out, result);
    cvp_tensor_clear(result);
    return CVP_OK;
}

cvp_status cvp_npy_read_file(cvp_tensor_t out, const char *path,
                             cvp_error *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return cvp_error_set(err, CVP_ERR_INPUT, "%s: cannot open: %s", path,
                             strerror(errno));
    /* A regular file is read into one block of its size plus one byte
     * (to see at once that it did not grow meanwhile); other files, such
     * as pipes, into a block that doubles as it fills. */
    struct stat sb;
    size_t cap = 65536;
    if (fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size >= 0 &&
        (uintmax_t)sb.st_size < SIZE_MAX / 2)
        cap = (size_t)sb.st_size + 1;
    unsigned char *data = malloc(cap);
    size_t len = 0;
    while (data != NULL) {
        size_t got = fread(data + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
        if (len == cap) {
            unsigned char *grown = cap <= SIZE_MAX / 2 ? realloc(data, 2 * cap) : NULL;
            if (grown == NULL)
                free(data);
            data = grown;
            cap *= 2;
        }
    }
    if (data == NULL) {
        fclose(f);
        return cvp_error_set(err, CVP_ERR_LIMIT, "%s: out of memory reading the file",
                             path);
    }
    if (ferror(f)) {
        int e = errno;
        free(data);
        fclose(f);
        return cvp_error_set(err, CVP_ERR_INPUT, "%s: read error: %s", path,
                             strerror(e));
    }
    fclose(f);
    cvp_status st = cvp_npy_parse(out, data, len, path, err);
    free(data);
    return st;
}

bool cvp_npy_file_dtype(char *buf, size_t size, const char *path)
{
    CVP_ASSERT(size >= 8);
    buf[0] = '\0';
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return false;
    enum { HEAD = 65536 };
    unsigned char *data = malloc(HEAD);
    CVP_ASSERT(data != NULL);
    size_t len = fread(data, 1, HEAD, f);
    fclose(f);
    cvp_npy_header h;
    bool ok = cvp_npy_parse_header(&h, data, len, path, NULL) == CVP_OK;
    free(data);
    if (!ok)
        return false;
    const char *kind = h.kind == CVP_NPY_FLOAT ? "float"
                       : h.kind == CVP_NPY_INT ? "int"
                       : h.kind == CVP_NPY_UINT ? "uint" : NULL;
    if (kind == NULL)
        snprintf(buf, size, "bool");
    else
        snprintf(buf, size, "%s%zu", kind, 8 * h.itemsize);
    return true;
}
