/* symbolic.h -- tensors of indeterminates named as the textbook names
 * them, for showing explicit matrices (convproof eval --symbolic, the
 * pictures of the HTML report).
 *
 * The entry (i, j) of a tensor W is the indeterminate "w" i+1 j+1, e.g.
 * w11, w12, w21 (NNDL chapter 5 writes w_{11} ... and counts from 1): the
 * tensor's name in lower case when it is one capital letter (W -> w, X ->
 * x), else the name as it is.  When some dimension exceeds 9 the indices
 * are separated by commas ("x1,10") so that names stay unambiguous.
 *
 * These names are for display only; the symbolic method of the checker
 * keeps its own "X[0,1]" names.  Nothing here decides anything: equality
 * is still the canonical form of kernel/ring_poly.h.
 */
#ifndef CVP_SYMBOLIC_H
#define CVP_SYMBOLIC_H

#include <stddef.h>

#include "eval/env.h"
#include "kernel/ring_poly.h"

/* Writes the display name of entry `flat` (row-major) of a tensor called
 * `name` with the given rank and shape.  Always NUL-terminates. */
void cvp_symbolic_entry_name(char *buf, size_t bufsize, const char *name,
                             int rank, const size_t *shape, size_t flat);

/* Binds `name` in env to a tensor of the given shape over the polynomial
 * ring R whose entries are fresh indeterminates with display names.
 * Errors: the shape's size over the entry limit (CVP_ERR_LIMIT), a name
 * already bound (CVP_ERR_INPUT). */
cvp_status cvp_symbolic_bind(cvp_env *env, cvp_ring *R, const char *name,
                             int rank, const size_t *shape, cvp_error *err);

/* Writes one entry of a tensor over R (polynomials, or rationals when the
 * tensor is over Q) as it is shown in a matrix: "0", "w11", "w11 + w22",
 * "-2*w12".  Output longer than bufsize is cut and ends in "...".  Always
 * NUL-terminates; bufsize must be at least 4. */
void cvp_symbolic_format_entry(char *buf, size_t bufsize,
                               const cvp_tensor_struct *t, size_t flat);

#endif
