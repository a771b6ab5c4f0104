/* matrix_print.h -- a matrix of entry texts, printed the way a textbook
 * draws it (convproof eval --symbolic), or for pasting into notes.
 *
 * The matrix is a cvp_figure_grid (check/verdict.h): rows x cols entry
 * texts, computed by the engine (e.g. "w11", "0", "w11 + w22").  Printing
 * only reads it.  Formats:
 *
 *   text      one bracketed row per line, every column as wide as its
 *             widest entry and the entries centred in it, as in
 *               [ w11  w12   0   w21  w22   0  ]
 *   markdown  a GitHub table whose header numbers the columns and whose
 *             first column numbers the rows (| in entries escaped)
 *   html      a <table class="matrix"> fragment (entries escaped)
 *   tex       a LaTeX bmatrix, names with indices set as subscripts
 *             (w11 -> w_{11}), products as juxtaposition (2*w11 -> 2 w_{11})
 *
 * Each returns 0, or -1 when a write to `out` failed (checked once at the
 * end, after a flush).
 */
#ifndef CVP_MATRIX_PRINT_H
#define CVP_MATRIX_PRINT_H

#include <stdio.h>

#include "check/verdict.h"

typedef enum {
    CVP_MATRIX_TEXT,
    CVP_MATRIX_MARKDOWN,
    CVP_MATRIX_HTML,
    CVP_MATRIX_TEX
} cvp_matrix_format;

int cvp_matrix_write(FILE *out, const cvp_figure_grid *m,
                     cvp_matrix_format format);

#endif
