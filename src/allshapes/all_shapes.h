/* all_shapes.h -- the `all_shapes` method: a claim decided for every
 * shape at once, with isl.
 *
 * For expressions multilinear in the claim's input tensors with affine
 * index maps -- xcorr, conv, wide, rot180, pad, dilate, transpose,
 * reshape where the sizes regroup, sum, elementwise + - *, @, rational
 * scalar factors, conv2d, conv_transpose2d and the conv layer's backward
 * formulas and explicit matrices (numeric stride, dilation and groups;
 * padding may be affine in the dims), grad and jacobian -- every output
 * entry is a sum of products of input entries.  Which products appear in
 * which entry is a parametric integer relation, the dims being the
 * parameters, e.g. for wide(rot180(W), X) in eq. (5.13)
 *
 *   [M, N, U, V] -> { [i, j] -> [a, c, b, d] : 0 <= a < U, 0 <= c < V,
 *                     0 <= b < M, 0 <= d < N, i = a + b, j = c + d }
 *
 * (W[a, c] * X[b, d] appears in out[i, j]).  Products are normalised
 * (factors in the order of the `tensor` declarations, so W[a]X[b] and
 * X[b]W[a] are one monomial), each relation counts every product once
 * (summations are checked to be injective; when they are not, the
 * method does not apply), and the two sides of a `show` are equal for
 * every shape exactly when, family by family, the net coefficient of
 * every (entry, monomial) pair is zero for every assignment of the dims
 * allowed by their ranges and `where` constraints (upper bounds may be
 * open: `dim M >= 1`).  isl decides that exactly.
 *
 * When the relations differ, the smallest failing shape is replayed in Q
 * (smallest as the finite methods order shapes -- total input entries,
 * then the dims in declaration order -- when the failing shapes are a
 * bounded set of at most 20000, else fewest total dim units, then the
 * dims in declaration order): an instance with one differing monomial's
 * entries 1 and everything else 0 is evaluated by the trusted kernel, so
 * a reported counterexample is always one whose sides differ in exact
 * arithmetic, then shrunk.  When the translation's preconditions (a
 * kernel fits inside its input, ...) fail at some allowed shape, that
 * shape is replayed too: the evaluator's error is reported as the finite
 * methods would report it.  Where the two sides keep a flattened axis as
 * tuples of different sizes (reshape, jacobian), they cannot be compared
 * index by index: such shapes are replayed in Q, a difference there is a
 * counterexample, and otherwise the method is not applicable.
 *
 * As a guard against translation bugs, each side's relation is also
 * evaluated on a random instance at up to three small shapes and compared
 * with the trusted kernel's value; a disagreement makes the method
 * undecided, never passed.
 *
 * Counts -- mults(E), size(E), and sums and products of dims and counts
 * (`9 * C * C * H * W`, `(H - R) // 2 + 1`) -- are quasi-polynomials in
 * the dims (all_shapes_cost.c): size(E) the product of E's sizes,
 * mults(E) the cost model of eval/cost.c summed over E's operators
 * (conv2d, conv_transpose2d, xcorr, conv, wide, @, elementwise * and
 * scales; copies and sums count nothing; any other operator is not
 * applicable).  Two counts are equal for every shape when isl's normal
 * form of their difference on the claim's shapes is zero; otherwise a
 * small shape where it is nonzero is replayed through the evaluator (a
 * counterexample), and if none is found the method is not applicable.
 * The counts are also compared with eval/cost.c at the cross-check
 * shapes and, before a pass, at 24 more small shapes.
 *
 * Anything outside the class (relu, pooling, a stride that is a dim,
 * reshape to sizes that do not regroup the axes, division by an input,
 * division by a count, tensor literals, a product in which one input
 * appears twice, also inside mults(...)) makes the method not
 * applicable, with the reason and position.
 *
 * Ownership: a cvp_all_shapes owns its isl context and everything built
 * in it; it borrows the claim (which must outlive it).
 */
#ifndef CVP_ALL_SHAPES_H
#define CVP_ALL_SHAPES_H

#include <stdbool.h>
#include <isl/ctx.h>
#include <isl/map.h>

#include "check/check_internal.h"

typedef struct cvp_all_shapes cvp_all_shapes;

typedef enum {
    CVP_AS_HELD,            /* the claim's shows hold for every shape */
    CVP_AS_COUNTEREXAMPLE,  /* m->counterexample holds a confirmed one */
    CVP_AS_NOT_APPLICABLE,  /* m->reason says why */
    CVP_AS_UNDECIDED,       /* a limit, or an internal disagreement */
    CVP_AS_ERROR            /* *st and c->err hold an input error */
} cvp_as_result;

/* Translates every show of `claim` (never fails: an unsupported claim
 * gives an object that says why).  source_name is borrowed. */
cvp_all_shapes *cvp_all_shapes_prepare(const cvp_proof_claim *claim,
                                       const char *source_name);

/* True when the translation succeeded (the method can run). */
bool cvp_all_shapes_applies(const cvp_all_shapes *a);

/* Why the method does not apply (or NULL when it does). */
const char *cvp_all_shapes_reason(const cvp_all_shapes *a);

/* Seconds spent in cvp_all_shapes_prepare. */
double cvp_all_shapes_prepare_seconds(const cvp_all_shapes *a);

/* Decides the claim in context c and fills m (evidence, reason,
 * counterexample, counts; not the outcome or the time). */
cvp_as_result cvp_all_shapes_run(cvp_all_shapes *a, claim_context *c,
                                 cvp_method_result *m, cvp_status *st);

void cvp_all_shapes_free(cvp_all_shapes *a);

/* ---- for tests ----------------------------------------------------------- */

/* The isl context everything of `a` lives in. */
isl_ctx *cvp_all_shapes_ctx(cvp_all_shapes *a);

/* The pairs (entry -> monomial indices) whose net coefficient on side
 * `side` (0 left, 1 right) of show `show` is num/den, among the monomials
 * of `family` (input names separated by commas, e.g. "W,X"; "" for the
 * constant monomial), restricted to the claim's context.  The entry
 * tuple has one dim per sub-axis; the monomial tuple lists the indices of
 * the family's inputs in declaration order; both tuples are anonymous
 * and the parameters are named by the dims.  NULL when the method does
 * not apply or the family is unknown. */
isl_map *cvp_all_shapes_relation(cvp_all_shapes *a, size_t show, int side,
                                 const char *family, long num, long den);

/* The readable relation of a side (as in the evidence), malloc'd; NULL
 * when the method does not apply. */
char *cvp_all_shapes_describe(cvp_all_shapes *a, size_t show, int side);

#endif
