/* render_svg.h -- HTML text escaping and the inline SVG pictures of the
 * HTML report (internal to report/).
 *
 * Everything here only reads the figure records of check/verdict.h and
 * writes to the caller's stream; write errors are left for the renderer's
 * final cvp_render_finish, like the other helpers of render_util.h.
 */
#ifndef CVP_RENDER_SVG_H
#define CVP_RENDER_SVG_H

#include <stdio.h>

#include "check/verdict.h"

/* Writes text for HTML/XML element content or a quoted attribute value:
 * & < > " ' as character references, control characters other than
 * newline and tab as U+FFFD-free "\xHH" text, bytes that are not UTF-8
 * as U+FFFD.  NULL writes nothing. */
void cvp_html_put(FILE *out, const char *text);

/* Like cvp_html_put for text[0..len-1] (no NUL inside). */
void cvp_html_put_len(FILE *out, const char *text, size_t len);

/* Largest grid drawn with its entries written out; larger ones are drawn
 * as a sparsity picture (a dark square per nonzero entry). */
#define CVP_SVG_SYMBOLIC_MAX_ROWS 40
#define CVP_SVG_SYMBOLIC_MAX_COLS 24
#define CVP_SVG_SYMBOLIC_MAX_TEXT 16

/* Whether the grid is drawn with its entries (else as a sparsity picture). */
int cvp_svg_grid_is_symbolic(const cvp_figure_grid *g);

/* One <svg> element drawing the grid: entries in cells (zeros grey,
 * padding shaded, differing entries red on pink), or the sparsity
 * picture.  The element has role="img" and an aria-label. */
void cvp_svg_grid(FILE *out, const cvp_figure_grid *g);

/* One <svg> element with a horizontal bar per count, its length in
 * proportion to the largest, and the exact number written beside it. */
void cvp_svg_bars(FILE *out, const cvp_figure *f);

#endif
