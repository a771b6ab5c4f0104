/* npy_internal.h -- what the files of the .npy module share.
 *
 * Not part of the public API (npy.h is).  npy_header.c parses the header,
 * npy_read.c converts the data, npy_write.c writes files; they share the
 * parsed header and the way entries are named in messages.
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

/* Writes the multi-index of row-major `offset` in a tensor of the given
 * shape as "[i, j, k]" ("[]" for rank 0) into buf. */
void cvp_npy_format_index(char *buf, size_t bufsize, int rank,
                          const size_t *shape, size_t offset);

#endif
