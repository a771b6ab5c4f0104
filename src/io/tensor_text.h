/* tensor_text.h -- the exact text form of tensors.
 *
 * Grammar:   tensor := entry | '[' [tensor (',' tensor)* [',']] ']'
 *            entry  := ['-' | '+'] ( INT | INT '/' INT | DECIMAL )
 * where DECIMAL is digits with a '.' and optional exponent (e.g. 0.25,
 * -1.5e-3, 2e3), read exactly as a rational (0.1 is 1/10).  Whitespace and
 * newlines are free; '#' starts a comment to the end of the line.  Nested
 * lists must be rectangular; "[]" is a rank-1 tensor with 0 entries; a bare
 * entry is a rank-0 tensor.  A zero denominator is an error.
 *
 * Errors are CVP_ERR_INPUT with the message "NAME:LINE:COL: what", where
 * NAME is the source_name given by the caller (LINE and COL are 1-based,
 * COL counts bytes).  A resource limit is CVP_ERR_LIMIT with the same
 * format: more entries than cvp_tensor_max_entries(), a decimal exponent
 * above 100000, or exponents above 1000 adding up to more than 10^7 (so a
 * few bytes such as "1e99999999" cannot demand gigabytes).
 *
 * Output uses the same grammar with canonical fractions ("-2/3"), nested
 * brackets, one innermost row per line for rank >= 2.  It reads back as an
 * equal tensor, except that the grammar cannot spell a zero dimension
 * before the last one: shape [0, 3] is written "[]" (read back as [0]).
 */
#ifndef CVP_TENSOR_TEXT_H
#define CVP_TENSOR_TEXT_H

#include <stdio.h>

#include "kernel/tensor.h"

/* Parses text[0..len-1]. */
cvp_status cvp_tensor_parse_text(cvp_tensor_t out, const char *text,
                                 size_t len, const char *source_name,
                                 cvp_error *err);

/* Reads and parses a whole file (errors name the path). */
cvp_status cvp_tensor_read_text_file(cvp_tensor_t out, const char *path,
                                     cvp_error *err);

/* Writes t in text form followed by a newline; returns -1 on a write
 * error, else 0. */
int cvp_tensor_write_text(FILE *stream, const cvp_tensor_t t);

/* Writes t in text form to `path`. */
cvp_status cvp_tensor_write_text_file(const char *path, const cvp_tensor_t t,
                                      cvp_error *err);

#endif
