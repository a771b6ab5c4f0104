/* figures.h -- the pictures of a checked claim, computed for the HTML
 * report (check/verdict.h's cvp_figure records).
 *
 * A renderer must not evaluate anything, so what a picture shows is
 * computed here, in the engine, after the claim has been decided:
 *
 *   explicit matrices   every jacobian(...), conv2d_matrix_input(...) and
 *                       conv2d_matrix_weight(...) of a show, and a side of
 *                       rank 2 built from one (its transpose, the wide
 *                       convolution's matrix), with every input entry an
 *                       indeterminate named as the textbook does (w11,
 *                       eval/symbolic.h), at one small shape;
 *   kernels             E beside rot180(E) for every rot180 of a show;
 *   padded inputs       pad(E, ...) with the padded entries marked;
 *   costs               every mults(E) and size(E), exactly, as bars;
 *   counterexamples     each method's counterexample: the inputs and both
 *                       sides, the differing entries marked.
 *
 * The small shape is chosen among the claim's shapes (unbounded dims
 * tried up to a few units above their lower bound): the one where the
 * fewest inputs have a side of length 1 in their last two axes, then with
 * the fewest input entries -- for exercise 5-7 a 3x3 input and a 2x2
 * kernel, the textbook's picture.
 *
 * Figures are illustrations, never evidence: whatever cannot be computed
 * (an operation without meaning on polynomials, a tensor too large to
 * draw) is silently left out, and nothing here changes a verdict.
 */
#ifndef CVP_FIGURES_H
#define CVP_FIGURES_H

#include "check/verdict.h"
#include "kernel/tensor.h"
#include "lang/proof.h"

/* Appends the figures of claim `index` of `file` to `result` (the record
 * cvp_check_claim filled for it).  Reads the file; owns nothing of it. */
void cvp_figures_add(cvp_claim_result *result, const cvp_proof_file *file,
                     size_t index);

/* Largest tensor drawn as a grid: beyond it a picture tells a reader
 * nothing, and an HTML file would grow to megabytes. */
#define CVP_FIGURE_MAX_CELLS ((size_t)20000)

/* Adds t (over Q or over polynomials) to f as a grid of its entries'
 * texts (eval/symbolic.h's form): rank 0 is 1 x 1, rank 1 one row, a
 * higher rank has its last axis as columns and the others flattened into
 * rows.  Each zero entry is marked CVP_CELL_ZERO | zero_mark.  Returns the
 * grid (valid until the next grid is added to f), or NULL with nothing
 * added when t is empty or has more than CVP_FIGURE_MAX_CELLS entries. */
cvp_figure_grid *cvp_figure_add_tensor_grid(cvp_figure *f, const char *label,
                                            const cvp_tensor_struct *t,
                                            unsigned zero_mark);

#endif
