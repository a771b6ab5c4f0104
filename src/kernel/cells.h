/* cells.h -- the cells of the kink hyperplanes met while a claim is
 * evaluated over polynomials (part of the trusted kernel: a PASS of the
 * `regions` method rests on this file, kernel/lp.c and kernel/ring_poly.c).
 *
 * Over the polynomial ring every input entry is an indeterminate
 * x_0 .. x_{n-1}.  A ReLU, a maximum, `abs` and every other comparison
 * ask the ring for the sign of d = a - b, the difference of the two
 * values compared.  When d is affine in x (degree <= 1), its sign is
 * constant on each side of the hyperplane d = 0; a cvp_cells object
 * answers each such question as one branch of a depth-first search over
 * the three answers d > 0, d < 0, d = 0, so that each complete
 * evaluation ("walk") sees one cell: the set of x where every answer
 * given holds, a polyhedron cut out by strict inequalities and
 * equalities.  On that cell every value computed is a polynomial that
 * equals, at each point of the cell, what exact evaluation in Q gives
 * there (the same answers are taken at every comparison).
 *
 * Soundness: a branch is left out only when no point takes it.  A new
 * comparison whose d, after the cell's equalities are substituted, is a
 * constant has one answer.  Otherwise the cell's free coordinates range
 * over a nonempty open convex set, on which a nonconstant affine d takes
 * one strict sign everywhere (a forced answer) or both signs and 0; the
 * strict sign the current witness point does not show is decided by the
 * exact LP of kernel/lp.h with a checked certificate, and every branch
 * taken gets a witness point of its own that is checked against every
 * inequality and equality of its cell directly.  So the walks together
 * cover every point of Q^n (and of R^n: the cells are defined by
 * rational forms), each point by the walk whose answers it satisfies.
 *
 * A comparison whose d has degree 2 or more is not decided: the ring
 * records CVP_ERR_UNSUPPORTED (the walk cannot go on).  A replayed walk
 * that meets a comparison other than the recorded one (the evaluation
 * was not deterministic) records CVP_ERR_UNSUPPORTED too, never a guess.
 *
 * Ownership: a cvp_cells owns its trail, forms and points; a ring it is
 * attached to borrows it (clear the ring's elements and the ring before
 * freeing the cells).  Single-threaded, like the ring.
 */
#ifndef CVP_CELLS_H
#define CVP_CELLS_H

#include <stdbool.h>
#include <stddef.h>

#include "kernel/ring.h"
#include "kernel/ring_poly.h"
#include "kernel/tensor.h"

typedef struct cvp_cells cvp_cells;

/* The rationals one path may keep (forms and witnesses of its answers):
 * past it a walk fails with CVP_ERR_LIMIT.  A search over more than
 * CVP_CELLS_MAX_INPUTS indeterminates is not started (the caller says
 * so). */
#define CVP_CELLS_MAX_PATH_ENTRIES ((size_t)1 << 24)
#define CVP_CELLS_MAX_INPUTS ((size_t)256)

/* A search over n indeterminates whose first witness is `start` (n
 * entries; any point: choosing one where few comparisons tie saves LP
 * calls). */
cvp_cells *cvp_cells_new(size_t n, const mpq_t *start);
void cvp_cells_free(cvp_cells *cells);

/* Makes R, a ring of cvp_ring_poly_init with n variables, ordered by
 * `cells`: its cmp answers along the current walk. */
void cvp_cells_attach(cvp_cells *cells, cvp_ring *R);

/* Starts a walk: the answers of the current path are given again, in
 * order, then new comparisons extend it (their first answer). */
void cvp_cells_begin(cvp_cells *cells);

/* After a walk: moves to the next branch not explored yet.  *more is
 * false once every branch has been walked.  CVP_ERR_LIMIT when an LP
 * exceeds its size limit (kernel/lp.h). */
cvp_status cvp_cells_advance(cvp_cells *cells, bool *more, cvp_error *err);

/* The search that orders R (cvp_cells_attach), or NULL when R is not
 * ordered by one (also for the ring of a piece, cvp_cell_pieces). */
cvp_cells *cvp_cells_of_ring(const cvp_ring *R);

/* The comparisons answered "equal" so far on this walk whose two values
 * are not the same polynomial: kinks the cell lies on (a ReLU input or a
 * tie that is 0 on the cell but not everywhere).  A derivative taken
 * over the cell is the function's derivative only if its evaluation
 * added none (eval/derivative.c). */
size_t cvp_cells_ties(const cvp_cells *cells);

/* The answers recorded on the current walk, and how many are equalities
 * (the cell's codimension). */
size_t cvp_cells_depth(const cvp_cells *cells);
size_t cvp_cells_equalities(const cvp_cells *cells);

/* Whether polynomial p of R vanishes on the whole current cell: p with
 * the cell's equalities substituted is the zero polynomial (a polynomial
 * that vanishes on a nonempty relatively open subset of an affine space
 * vanishes on all of it, and conversely).  CVP_ERR_LIMIT when the
 * substitution exceeds the ring's term limit. */
cvp_status cvp_cells_vanishes(cvp_cells *cells, cvp_ring *R, const cvp_poly *p,
                              bool *vanishes, cvp_error *err);

/* A point of the current cell into x (n entries): the witness moved by
 * `eps` * direction (n integers, NULL: none), eps = 2^-k for the
 * smallest k >= `first_halving` at which every strict inequality still
 * holds; the equalities' coordinates follow the free ones.  The point is
 * checked against the cell before it is returned (CVP_ASSERT). */
void cvp_cells_point(const cvp_cells *cells, const long *direction,
                     unsigned first_halving, mpq_t *x);

/* Whether x (n entries) lies in the current cell. */
bool cvp_cells_contains(const cvp_cells *cells, const mpq_t *x);

/* The value of polynomial p at the point x (n entries). */
void cvp_cells_poly_at(mpq_t value, const cvp_poly *p, const mpq_t *x);

/* ---- pieces: a function's pieces around the current cell -------------
 *
 * At a point x of the current cell, a piecewise function L computed with
 * comparisons of affine values has finitely many pieces around x: for a
 * direction v, L(x + e v) for small e > 0 follows the answers that its
 * comparisons take there.  A comparison that is 0 on the whole cell (a
 * ReLU input at 0, a tie) is a kink, answered sign(a . v) with a its
 * linear part; every other one keeps its sign on the cell.  So the
 * pieces, and the polynomial of each, are the same at every point of the
 * cell, and a piece exists exactly when the strict system of its answers
 * at the kinks, s_i a_i . v > 0, has a solution v.  cvp_cell_pieces walks
 * those answer vectors depth first, one evaluation of L each, in a fresh
 * polynomial ring it orders (cells_pieces.c).  A comparison of unknown
 * sign on the cell (the pieces would differ across it), or not affine,
 * records CVP_ERR_UNSUPPORTED; more than 4096 kinks on one piece
 * CVP_ERR_LIMIT.  The search borrows `cells`, whose walk must stay where
 * it is while pieces are walked. */
typedef struct cvp_cell_pieces cvp_cell_pieces;

cvp_cell_pieces *cvp_cell_pieces_new(const cvp_cells *cells);
void cvp_cell_pieces_free(cvp_cell_pieces *p);
/* Orders R, a ring of cvp_ring_poly_init with the cells' n variables. */
void cvp_cell_pieces_attach(cvp_cell_pieces *p, cvp_ring *R);
/* Starts an evaluation of the function along the current answer vector. */
void cvp_cell_pieces_begin(cvp_cell_pieces *p);
/* Kinks met on the current evaluation (0: L is smooth on the cell). */
size_t cvp_cell_pieces_kinks(const cvp_cell_pieces *p);
/* Moves to the next realizable answer vector; *more false when done. */
void cvp_cell_pieces_advance(cvp_cell_pieces *p, bool *more);

/* Whether two tensors of the same size, each over Q or over a ring of
 * cvp_ring_poly_init over the cells' variables, have equal entries on
 * the current cell (each difference, the cell's equalities substituted,
 * is the zero polynomial), computed in R (such a ring).  A function is
 * continuous at the cell's points only when every piece around the cell
 * takes there the value the function has on the cell: a piece of a
 * function that jumps (a step, relu_backward in its first argument) has
 * a derivative, but the function has none.  Sizes that differ: false. */
cvp_status cvp_cells_same_values(const cvp_cells *cells, cvp_ring *R,
                                 const cvp_tensor_struct *a,
                                 const cvp_tensor_struct *b, bool *same,
                                 cvp_error *err);

/* out := p with the cell's equalities substituted (each substituted
 * variable replaced by its affine form in the free ones); R is any ring
 * of cvp_ring_poly_init over the cells' variables; out may be p. */
cvp_status cvp_cells_substitute(const cvp_cells *cells, cvp_ring *R,
                                cvp_poly *out, const cvp_poly *p, cvp_error *err);

/* The current cell as text, one answer a line ("X[0] - X[1] > 0"), at
 * most `max_lines` lines, with R's variable names; malloc'd. */
char *cvp_cells_describe(const cvp_cells *cells, const cvp_ring *R,
                         size_t max_lines);

#endif
