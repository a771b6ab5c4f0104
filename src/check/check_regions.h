/* check_regions.h -- shared by check_regions.c (the walks over the cells)
 * and check_regions_member.c (`in subgrad` on one cell) only. */
#ifndef CVP_CHECK_REGIONS_H
#define CVP_CHECK_REGIONS_H

#include "check/check_internal.h"
#include "kernel/cells.h"

/* What one walk found. */
typedef enum {
    CELL_HELD,        /* every show's difference vanishes on the cell */
    CELL_DIFFERS,     /* a difference does not: *differing holds it */
    CELL_OPEN,        /* an evaluation the method cannot judge */
    CELL_ERROR        /* an error of the claim, or a limit */
} cell_kind;

/* `show A in subgrad(L, X)` on the current cell of `cells`, over R (the
 * walk's ring, ordered by cells), at shape p:
 *   - where L has no kink on the cell, the set is L's gradient there, and
 *     the show holds when A minus it vanishes on the cell (CELL_DIFFERS
 *     with that difference in *differing otherwise);
 *   - where it has kinks, its pieces around the cell are walked
 *     (cells.h, "Pieces"), and the show holds when A is a fixed convex
 *     combination of the pieces' gradients on the cell (kernel/hull.h in
 *     the space of the polynomials' coefficients); otherwise CELL_OPEN.
 * An evaluation the method cannot judge is CELL_OPEN with c->err set,
 * an error of the claim CELL_ERROR; *status says which. */
cell_kind regions_membership(claim_context *c, const cvp_env *env, cvp_ring *R,
                             cvp_cells *cells, const cvp_shape_point *p,
                             const cvp_proof_show *show, cvp_poly *differing,
                             cvp_status *status);

#endif
