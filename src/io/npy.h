/* npy.h -- NumPy .npy files, read exactly and written as float64.
 *
 * Reading: format versions 1.0, 2.0 and 3.0; dtypes float64, float32,
 * int8..int64, uint8..uint64 and bool, either byte order, C or Fortran
 * order, ranks 0..CVP_MAX_RANK.  Floats are converted to rationals exactly
 * (a float is a dyadic rational); NaN or infinity is an error naming the
 * file and the entry's index.  A header that is truncated, malformed, or
 * promises more data than the file holds is an error, as is a shape over
 * the entry limit; nothing is allocated from an unchecked size.
 *
 * Writing: little-endian float64, version 1.0, C order, and only when every
 * entry is exactly a double; otherwise CVP_ERR_INPUT naming the first entry
 * that is not (so a file never holds a rounded value silently).
 * cvp_npy_write_rounded_file writes the same file with every entry
 * correctly rounded instead: the double nearest to the exact rational,
 * ties to even (IEEE 754 roundTiesToEven, with subnormals; a value
 * beyond the largest double by half an ulp or more becomes an infinity,
 * and a negative value that rounds to zero becomes -0.0).
 *
 * Errors are "PATH: what" (byte offsets where they help).
 */
#ifndef CVP_NPY_H
#define CVP_NPY_H

#include "kernel/tensor.h"

/* Parses an in-memory .npy image (for files and fuzzing). */
cvp_status cvp_npy_parse(cvp_tensor_t out, const unsigned char *data,
                         size_t len, const char *source_name, cvp_error *err);

cvp_status cvp_npy_read_file(cvp_tensor_t out, const char *path,
                             cvp_error *err);

/* The dtype of the .npy file at `path` as NumPy names it ("float64",
 * "float32", "int16", "uint8", "bool"), written into buf (at least 8
 * bytes); false, with buf "", when its header cannot be read or parsed.
 * Reads only the header (at most 64 KiB). */
bool cvp_npy_file_dtype(char *buf, size_t size, const char *path);

cvp_status cvp_npy_write_file(const char *path, const cvp_tensor_t t,
                              cvp_error *err);

cvp_status cvp_npy_write_rounded_file(const char *path, const cvp_tensor_t t,
                                      cvp_error *err);

/* The double nearest to q, ties to even (as above). */
double cvp_mpq_round_to_double(const mpq_t q);

/* True when q is exactly representable as an IEEE double; then *d is it. */
bool cvp_mpq_to_double_exact(double *d, const mpq_t q);

#endif
