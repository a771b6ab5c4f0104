/* npy_internal.h -- what the files of the .npy module share.
 *
 * Not part of the public API (npy.h is).  npy_header.c parses the header,
 * npy_read.c converts the data, npy_read_file.c reads files, npy_write.c
 * writes them; they share the parsed header, the checks of the data, the
 * packed conversion and the way entries are named in messages.
 */
#ifndef CVP_NPY_INTERNAL_H
#define CVP_NPY_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "kernel/tensor.h"

typedef enum {
    CVP_NPY_FLOAT, CVP_NPY_INT, CVP_NPY_UINT, CVP_NPY_BOOL
} cvp_npy_kind;

/* A parsed header: the dtype, the order, the shape, where data starts. */
typedef struct {
    cvp_npy_kind kind;
    size_t itemsize;
    bool big_endian;
    bool fortran;
    int rank;
    size_t shape[CVP_MAX_RANK];
    size_t data_offset;
} cvp_npy_header;

/* Loops over entries are split between OpenMP threads when there is
 * OpenMP (each entry's conversion reads the image and writes only its own
 * entry). */
#ifdef _OPENMP
#define NPY_OMP(directive) _Pragma(#directive)
#else
#define NPY_OMP(directive)
#endif

/* Fewest entries worth the threads. */
#define NPY_PARALLEL_MIN 65536

/* Parses magic, version, header length and the header dict of the .npy
 * image data[0..len-1] into *h.  Checks that the header lies within the
 * image and that the dtype is supported; the shape is NOT yet checked
 * against the entry limit, nor the data length. */
cvp_status cvp_npy_parse_header(cvp_npy_header *h, const unsigned char *data,
                                size_t len, const char *name, cvp_error *err);

/* Checks the data of an image (or file) of len bytes with header h: the
 * shape against the entry limit, and the data length against shape *
 * itemsize ("truncated", "trailing bytes").  On success *size is the
 * number of entries. */
cvp_status cvp_npy_check_data(const cvp_npy_header *h, size_t len,
                              const char *name, size_t *size, cvp_error *err);

/* Why an entry could not be converted. */
typedef enum {
    CVP_NPY_ENTRY_OK, CVP_NPY_ENTRY_NAN, CVP_NPY_ENTRY_POS_INF,
    CVP_NPY_ENTRY_NEG_INF, CVP_NPY_ENTRY_BAD_BOOL
} cvp_npy_entry;

/* The error for entry `off` (C order), which is `why`. */
cvp_status cvp_npy_bad_entry(cvp_error *err, const char *name,
                             const cvp_npy_header *h, size_t off,
                             cvp_npy_entry why);

/* Where the packed conversion reads the data: get returns entries off ..
 * off + n - 1 in C order (n <= chunk), valid until the next get, or NULL
 * when they cannot be read. */
typedef struct cvp_npy_source cvp_npy_source;
struct cvp_npy_source {
    const unsigned char *(*get)(cvp_npy_source *src, size_t off, size_t n);
    size_t chunk;   /* most entries one get may ask for, >= 1 */
    void *state;    /* the source's own */
};

typedef enum {
    CVP_NPY_PACKED,       /* done: pack_finish is the caller's */
    CVP_NPY_BAD_ENTRY,    /* *bad, *why say which and why */
    CVP_NPY_UNFIT,        /* the values need GMP rationals */
    CVP_NPY_UNREADABLE    /* a get failed */
} cvp_npy_pack_result;

/* The `size` entries of src (C order; h->fortran false) into out's
 * packed numerators and denominator; out was made by
 * cvp_tensor_pack_start with h's shape.  A bad entry is the first in C
 * order (NaN, an infinity, a bool other than 0/1). */
cvp_npy_pack_result cvp_npy_pack(cvp_tensor_t out, const cvp_npy_header *h,
                                 cvp_npy_source *src, size_t size,
                                 size_t *bad, cvp_npy_entry *why);

/* Writes the multi-index of row-major `offset` in a tensor of the given
 * shape as "[i, j, k]" ("[]" for rank 0) into buf. */
void cvp_npy_format_index(char *buf, size_t bufsize, int rank,
                          const size_t *shape, size_t offset);

#endif
