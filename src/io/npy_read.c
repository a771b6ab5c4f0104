/* npy_read.c -- converting the data of NumPy .npy images exactly (see
 * npy.h); npy_read_file.c reads files.
 *
 * npy_header.c parses and checks the header; this file checks the shape
 * against the entry limit (cvp_shape_size) and the data length against
 * shape * itemsize, both before the tensor is allocated, then converts
 * every entry exactly: into the packed form (kernel/packed.h) when the
 * values fit it -- integers within int64; floats whose exponents span at
 * most 63 bits together with their significands, over a power-of-two
 * denominator -- else into one GMP rational per entry.  The packed
 * conversion reads its entries in C order from a source, a chunk at a
 * time (all at once for an image in memory), so that a file need not be
 * in memory whole.
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


/* q := the entry stored at b (q is 0/1 on entry, so writing the numerator
 * alone keeps it canonical for the integer kinds). */
static cvp_npy_entry convert_entry(mpq_ptr q, const cvp_npy_header *h,
                                  const unsigned char *b)
{
    uint64_t u = load_uint(b, h->itemsize, h->big_endian);
    switch (h->kind) {
    case CVP_NPY_FLOAT:
        if (h->itemsize == 8) {
            /* Classify from the bits: no floating-point traps, and a
             * signalling NaN is caught like any other. */
            if (((u >> 52) & 0x7ff) == 0x7ff)
                return (u & ((UINT64_C(1) << 52) - 1)) ? CVP_NPY_ENTRY_NAN
                       : (u >> 63) ? CVP_NPY_ENTRY_NEG_INF : CVP_NPY_ENTRY_POS_INF;
            double d;
            memcpy(&d, &u, sizeof d);
            mpq_set_d(q, d);  /* exact: every double is a dyadic rational */
        } else {
            uint32_t w = (uint32_t)u;
            if (((w >> 23) & 0xff) == 0xff)
                return (w & ((UINT32_C(1) << 23) - 1)) ? CVP_NPY_ENTRY_NAN
                       : (w >> 31) ? CVP_NPY_ENTRY_NEG_INF : CVP_NPY_ENTRY_POS_INF;
            float f;
            memcpy(&f, &w, sizeof f);
            mpq_set_d(q, (double)f);  /* float -> double is exact */
        }
        return CVP_NPY_ENTRY_OK;
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
        return CVP_NPY_ENTRY_OK;
    }
    case CVP_NPY_UINT:
        mpz_set_u64(mpq_numref(q), u);
        return CVP_NPY_ENTRY_OK;
    case CVP_NPY_BOOL:
        /* NumPy writes 0 or 1; anything else is a corrupt file, and a
         * checker should not guess what it meant. */
        if (u > 1)
            return CVP_NPY_ENTRY_BAD_BOOL;
        mpz_set_u64(mpq_numref(q), u);
        return CVP_NPY_ENTRY_OK;
    }
    return CVP_NPY_ENTRY_OK;
}

/* Fortran order: the entries are copied into C order first (walking the
 * array in C order while tracking where each entry lies in the file:
 * fstride[k] is the Fortran stride of axis k), so that every conversion
 * below reads C order.  NULL when there is no memory for the copy. */
static unsigned char *c_order_copy(const cvp_npy_header *h,
                                   const unsigned char *base, size_t size)
{
    unsigned char *copy = malloc(size ? size * h->itemsize : 1);
    if (copy == NULL)
        return NULL;
    size_t index[CVP_MAX_RANK] = {0}, fstride[CVP_MAX_RANK], stride = 1;
    for (int k = 0; k < h->rank; k++) {
        fstride[k] = stride;
        stride *= h->shape[k];  /* cannot overflow: the product is size */
    }
    size_t from = 0;
    for (size_t off = 0; off < size; off++) {
        memcpy(copy + off * h->itemsize, base + from * h->itemsize, h->itemsize);
        for (int k = h->rank - 1; k >= 0; k--) {
            index[k]++;
            from += fstride[k];
            if (index[k] < h->shape[k])
                break;
            from -= fstride[k] * h->shape[k];
            index[k] = 0;
        }
    }
    return copy;
}

/* A finite float entry as (-1)^neg * m * 2^e with m odd, or m = 0. */
typedef struct { bool neg; uint64_t m; int e; } dyadic;

static cvp_npy_entry decode_float(dyadic *x, const cvp_npy_header *h,
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
            return frac ? CVP_NPY_ENTRY_NAN : x->neg ? CVP_NPY_ENTRY_NEG_INF : CVP_NPY_ENTRY_POS_INF;
        x->m = biased ? frac | (UINT64_C(1) << 52) : frac;
        x->e = (biased ? biased : 1) - 1075;
    } else {
        biased = (int)((u >> 23) & 0xff);
        frac = u & ((UINT64_C(1) << 23) - 1);
        x->neg = ((u >> 31) & 1) != 0;
        if (biased == 0xff)
            return frac ? CVP_NPY_ENTRY_NAN : x->neg ? CVP_NPY_ENTRY_NEG_INF : CVP_NPY_ENTRY_POS_INF;
        x->m = biased ? frac | (UINT64_C(1) << 23) : frac;
        x->e = (biased ? biased : 1) - 150;
    }
    if (x->m != 0) {
        int tz = __builtin_ctzll(x->m);
        x->m >>= tz;
        x->e += tz;
    }
    return CVP_NPY_ENTRY_OK;
}

static int bit_length(uint64_t m)
{
    return m ? 64 - __builtin_clzll(m) : 0;
}

/* ---- the packed form, a range of entries at a time ----------------------
 * Each function converts the n entries at p, which are entries off..off +
 * n - 1 of the data (C order); bad entries are reported by their offset
 * in the data. */

/* Integer and bool numerators into num[0..n-1]. */
static cvp_npy_pack_result ints_range(const cvp_npy_header *h,
                                      const unsigned char *p, size_t off,
                                      size_t n, int64_t *num, size_t *bad,
                                      cvp_npy_entry *why)
{
    const unsigned bits = (unsigned)(8 * h->itemsize);
    for (size_t j = 0; j < n; j++) {
        uint64_t u = load_uint(p + j * h->itemsize, h->itemsize, h->big_endian);
        if (h->kind == CVP_NPY_INT) {
            /* Sign-extend the two's complement value. */
            if (bits < 64 && (u >> (bits - 1)) & 1)
                u |= ~UINT64_C(0) << bits;
            num[j] = (int64_t)u;
            continue;
        }
        if (h->kind == CVP_NPY_BOOL && u > 1) {
            *bad = off + j;
            *why = CVP_NPY_ENTRY_BAD_BOOL;
            return CVP_NPY_BAD_ENTRY;
        }
        if (u > (uint64_t)INT64_MAX)
            return CVP_NPY_UNFIT;
        num[j] = (int64_t)u;
    }
    return CVP_NPY_PACKED;
}

/* Floats, pass 1: the least exponent and the highest bit over the nonzero
 * entries, and the first bad entry, folded into *emin, *top and
 * *first_bad; on threads. */
static void float_bounds(const cvp_npy_header *h, const unsigned char *p,
                         size_t off, size_t n, int *emin, int *top,
                         size_t *first_bad)
{
    int lo = *emin, hi = *top;
    size_t first = *first_bad;
    NPY_OMP(omp parallel for schedule(static) reduction(min: lo, first) \
            reduction(max: hi) if (n >= NPY_PARALLEL_MIN))
    for (size_t j = 0; j < n; j++) {
        dyadic x;
        if (decode_float(&x, h, p + j * h->itemsize) != CVP_NPY_ENTRY_OK) {
            first = off + j < first ? off + j : first;
            continue;
        }
        if (x.m == 0)
            continue;
        lo = x.e < lo ? x.e : lo;
        hi = bit_length(x.m) + x.e > hi ? bit_length(x.m) + x.e : hi;
    }
    *emin = lo;
    *top = hi;
    *first_bad = first;
}

/* Floats, pass 2: entry m 2^e becomes the numerator m 2^(e - shift) in
 * num[0..n-1] (every entry is finite, and below 2^63 after the shift, as
 * pass 1 found); on threads. */
static void float_numerators(const cvp_npy_header *h, const unsigned char *p,
                             size_t n, int shift, int64_t *num)
{
    NPY_OMP(omp parallel for schedule(static) if (n >= NPY_PARALLEL_MIN))
    for (size_t j = 0; j < n; j++) {
        dyadic x;
        cvp_npy_entry r = decode_float(&x, h, p + j * h->itemsize);
        CVP_ASSERT(r == CVP_NPY_ENTRY_OK);
        /* a zero's exponent is no bound: it is skipped */
        const int64_t v = x.m == 0 ? 0 : (int64_t)(x.m << (x.e - shift));
        num[j] = x.neg ? -v : v;
    }
}

/* The entries of the next chunk, from off on: their count into *n. */
static const unsigned char *next_chunk(cvp_npy_source *src, size_t off,
                                       size_t size, size_t *n)
{
    *n = size - off < src->chunk ? size - off : src->chunk;
    return src->get(src, off, *n);
}

cvp_npy_pack_result cvp_npy_pack(cvp_tensor_t out, const cvp_npy_header *h,
                                 cvp_npy_source *src, size_t size,
                                 size_t *bad, cvp_npy_entry *why)
{
    CVP_ASSERT(!h->fortran && src->chunk > 0);
    int64_t *num = cvp_tensor_packed_num(out);
    size_t n;
    if (h->kind != CVP_NPY_FLOAT) {
        for (size_t off = 0; off < size; off += n) {
            const unsigned char *p = next_chunk(src, off, size, &n);
            if (p == NULL)
                return CVP_NPY_UNREADABLE;
            cvp_npy_pack_result r = ints_range(h, p, off, n, num + off, bad, why);
            if (r != CVP_NPY_PACKED)
                return r;
        }
        return CVP_NPY_PACKED;
    }
    /* Pass 1, up to the chunk holding the first bad entry, if any. */
    int emin = INT_MAX, top = INT_MIN;
    size_t first_bad = size;
    for (size_t off = 0; off < size && first_bad == size; off += n) {
        const unsigned char *p = next_chunk(src, off, size, &n);
        if (p == NULL)
            return CVP_NPY_UNREADABLE;
        float_bounds(h, p, off, n, &emin, &top, &first_bad);
    }
    if (first_bad < size) {
        const unsigned char *p = src->get(src, first_bad, 1);
        if (p == NULL)
            return CVP_NPY_UNREADABLE;
        dyadic x;
        *bad = first_bad;
        *why = decode_float(&x, h, p);
        return CVP_NPY_BAD_ENTRY;
    }
    if (emin == INT_MAX)
        return CVP_NPY_PACKED;          /* all zeros: 0 / 1 */
    /* Entry m 2^e becomes the numerator m 2^(e - shift) over 2^-shift;
     * every numerator is below 2^(top - shift), which must be <= 2^63. */
    const int shift = emin < 0 ? emin : 0;
    if (top - shift > 63)
        return CVP_NPY_UNFIT;
    for (size_t off = 0; off < size; off += n) {
        const unsigned char *p = next_chunk(src, off, size, &n);
        if (p == NULL)
            return CVP_NPY_UNREADABLE;
        float_numerators(h, p, n, shift, num + off);
    }
    /* The entry at the least exponent has an odd numerator: canonical
     * already when shift < 0 (pack_finish checks it anyway). */
    mpz_set_ui(cvp_tensor_packed_den(out), 1);
    mpz_mul_2exp(cvp_tensor_packed_den(out), cvp_tensor_packed_den(out),
                 (mp_bitcnt_t)-shift);
    return CVP_NPY_PACKED;
}

cvp_status cvp_npy_bad_entry(cvp_error *err, const char *name,
                             const cvp_npy_header *h, size_t off,
                             cvp_npy_entry why)
{
    char where[256];
    cvp_npy_format_index(where, sizeof where, h->rank, h->shape, off);
    return cvp_error_set(err, CVP_ERR_INPUT, "%s: entry %s %s", name,
                         where, why == CVP_NPY_ENTRY_NAN ? "is NaN"
                         : why == CVP_NPY_ENTRY_POS_INF ? "is inf"
                         : why == CVP_NPY_ENTRY_NEG_INF ? "is -inf"
                         : "of a bool array is neither 0 nor 1");
}

cvp_status cvp_npy_check_data(const cvp_npy_header *h, size_t len,
                              const char *name, size_t *size_out,
                              cvp_error *err)
{
    char shape_text[256];
    cvp_shape_format(shape_text, sizeof shape_text, h->rank, h->shape);
    /* A shape the data cannot hold is a truncated file (bad input), also
     * when it is past a size limit or size_t: that is said first. */
    size_t have_entries = (len - h->data_offset) / h->itemsize, fits = 1;
    bool empty = false, beyond = false;
    for (int k = 0; k < h->rank; k++)
        empty = empty || h->shape[k] == 0;
    for (int k = 0; !empty && !beyond && k < h->rank; k++) {
        if (h->shape[k] > have_entries / fits)
            beyond = true;
        else
            fits *= h->shape[k];
    }
    size_t size;
    cvp_status st = cvp_shape_size(&size, h->rank, h->shape, err);
    if (beyond && (st != CVP_OK || size > SIZE_MAX / h->itemsize))
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "%s: truncated: the data from byte %zu has %zu "
                             "bytes, fewer than shape %s of %zu-byte entries "
                             "needs", name, h->data_offset, len - h->data_offset,
                             shape_text, h->itemsize);
    if (st != CVP_OK) {
        cvp_error_prefix(err, "%s", name);
        return st;
    }
    if (size > SIZE_MAX / h->itemsize)
        return cvp_error_set(err, CVP_ERR_LIMIT, "%s: shape %s is too large",
                             name, shape_text);
    size_t need = size * h->itemsize;
    size_t have = len - h->data_offset;
    if (have != need)
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "%s: %s: the data from byte %zu has %zu bytes, "
                             "but shape %s of %zu-byte entries needs %zu",
                             name, have < need ? "truncated" : "trailing bytes",
                             h->data_offset, have, shape_text, h->itemsize, need);
    *size_out = size;
    return CVP_OK;
}

/* An image in memory as a source: every entry at once. */
typedef struct {
    const unsigned char *base;
    size_t itemsize;
} memory_state;

static const unsigned char *memory_get(cvp_npy_source *src, size_t off, size_t n)
{
    (void)n;
    const memory_state *m = src->state;
    return m->base + off * m->itemsize;
}

cvp_status cvp_npy_parse(cvp_tensor_t out, const unsigned char *data,
                         size_t len, const char *source_name, cvp_error *err)
{
    const char *name = source_name != NULL ? source_name : "<npy>";
    cvp_npy_header h;
    cvp_status st = cvp_npy_parse_header(&h, data, len, name, err);
    size_t size = 0;
    if (st == CVP_OK)
        st = cvp_npy_check_data(&h, len, name, &size, err);
    if (st != CVP_OK)
        return st;
    unsigned char *copy = NULL;
    const unsigned char *base = data + h.data_offset;
    if (h.fortran) {
        if ((copy = c_order_copy(&h, base, size)) == NULL)
            return cvp_error_set(err, CVP_ERR_LIMIT, "%s: out of memory", name);
        base = copy;
        h.fortran = false;   /* of the copy */
    }
    cvp_tensor_t result;
    cvp_tensor_init(result);
    st = cvp_tensor_pack_start(result, h.rank, h.shape, err);
    size_t bad = 0;
    cvp_npy_entry why = CVP_NPY_ENTRY_OK;
    memory_state state = {base, h.itemsize};
    cvp_npy_source src = {memory_get, size ? size : 1, &state};
    cvp_npy_pack_result packed = st == CVP_OK
        ? cvp_npy_pack(result, &h, &src, size, &bad, &why) : CVP_NPY_UNFIT;
    if (st == CVP_OK && packed == CVP_NPY_UNFIT) {
        /* One GMP rational per entry. */
        st = cvp_tensor_resize(result, h.rank, h.shape, err);
        for (size_t off = 0; st == CVP_OK && off < size; off++) {
            why = convert_entry(cvp_tensor_at(result, off), &h, base + off * h.itemsize);
            if (why != CVP_NPY_ENTRY_OK) {
                bad = off;
                packed = CVP_NPY_BAD_ENTRY;
                break;
            }
        }
    } else if (packed == CVP_NPY_PACKED) {
        cvp_tensor_pack_finish(result);
    }
    free(copy);
    if (st != CVP_OK)
        cvp_error_prefix(err, "%s", name);
    else if (packed == CVP_NPY_BAD_ENTRY)
        st = cvp_npy_bad_entry(err, name, &h, bad, why);
    else
        cvp_tensor_swap(out, result);
    cvp_tensor_clear(result);
    return st;
}
