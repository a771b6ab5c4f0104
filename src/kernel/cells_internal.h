/* cells_internal.h -- what cells.c (the search and the ring's order)
 * and cells_geometry.c (affine forms, the cell's equalities, its points)
 * share; part of the trusted kernel.  Not for use outside these two
 * files. */
#ifndef CVP_CELLS_INTERNAL_H
#define CVP_CELLS_INTERNAL_H

#include "kernel/cells.h"

typedef struct {
    mpq_t *form;       /* n + 1: the coefficients of d, then its constant */
    size_t *nonzero;   /* the indices of form's nonzero entries */
    size_t nonzeros;
    int sign;          /* the answer taken: d > 0 (1), d < 0 (-1), d = 0 (0) */
    unsigned pending;  /* answers still to walk: bit (answer + 1) */
    mpq_t *witness;    /* n: a point of the cell after this answer */
} decision;

struct cvp_cells {
    size_t n;
    decision *trail;
    size_t len, cap;
    size_t depth;      /* answers given in the current walk */
    size_t ties;       /* "equal" answers of nonconstant comparisons */
    /* The current cell, rebuilt along each walk from trail[0..depth-1]:
     * subst[v] != NULL when the equalities make x_v = subst[v] . (x, 1),
     * with no substituted variable on the right. */
    mpq_t **subst;
    size_t equalities;
    /* A point of the current cell: start, or the witness of the last
     * answer applied (borrowed; witnesses do not change while their
     * answer is on the path). */
    mpq_t *point;
    mpq_t *start;      /* the witness of the whole space */
    mpq_t *scratch;    /* n + 1 */
    mpq_t *form;       /* n + 1: the comparison being answered */
    mpq_t *move;       /* n */
    mpq_t tmp;
};

/* Vectors of `count` rationals (initialised to 0), owned by the caller. */
mpq_t *cells_vector_new(size_t count);
void cells_vector_free(mpq_t *v, size_t count);
void cells_vector_copy(mpq_t *dst, mpq_t *const src, size_t count);

/* value := form . (x, 1) over n variables (tmp: scratch). */
void cells_form_at(mpq_t value, mpq_t *const form, mpq_t *const x, size_t n,
                   mpq_t tmp);
/* out := form with the cell's substitutions applied (out != form). */
void cells_reduce(const cvp_cells *cells, mpq_t *out, mpq_t *const form);
/* Whether form has no variable (n coefficients 0). */
bool cells_is_constant(mpq_t *const form, size_t n);
/* Adds form = 0 (not constant once reduced) to the cell's equalities. */
void cells_add_equality(cvp_cells *cells, mpq_t *const form);
/* The substituted coordinates of x from its free ones. */
void cells_complete_point(const cvp_cells *cells, mpq_t *x);
/* Whether x satisfies the answers trail[0..count-1] as recorded. */
bool cells_satisfies(const cvp_cells *cells, size_t count, mpq_t *const x);
/* Takes answer trail[k] into the current cell (k == depth; cells.c). */
void cells_apply(cvp_cells *cells, size_t k);
/* A point of the cell of trail[0..count-1] near the current one, moved
 * by 2^-k dir for the first k >= k0 that stays inside (false: none). */
bool cells_move_point(const cvp_cells *cells, size_t count, mpq_t *const dir,
                      unsigned k0, mpq_t *out);
/* A witness of the cell of trail[0..count-1] by the exact LP. */
cvp_status cells_lp_witness(cvp_cells *cells, size_t count, mpq_t *out,
                            bool *found, cvp_error *err);
/* A witness for answer `sign` of trail[k] (k == depth), by a move or the
 * LP; on success its equality stays in the cell. */
cvp_status cells_witness_for(cvp_cells *cells, size_t k, int sign, mpq_t *out,
                             bool *found, cvp_error *err);

#endif
