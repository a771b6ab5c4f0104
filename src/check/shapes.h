/* shapes.h -- the shapes a claim is checked at.
 *
 * A claim's `dim` ranges and `where` constraints define a finite set of
 * assignments of its shape variables.  The finite methods visit them in
 * order of size -- the total number of input entries, then the values of
 * the dims in declaration order -- so the first failure found is at a
 * smallest shape, as a counterexample should be.
 *
 * Ownership: a cvp_shape_list owns its arrays; cvp_shape_list_clear
 * frees them.  It borrows nothing from the claim after it is built.
 */
#ifndef CVP_SHAPES_H
#define CVP_SHAPES_H

#include "kernel/tensor.h"
#include "lang/proof.h"

/* One assignment: dims[0..dim_count) and the resulting input shapes. */
typedef struct {
    long *dims;                          /* dim_count values */
    size_t (*shapes)[CVP_MAX_RANK];      /* tensor_count shapes */
    size_t total_entries;
} cvp_shape_point;

typedef struct {
    size_t count;
    cvp_shape_point *points;
    size_t dim_count, tensor_count;
} cvp_shape_list;

/* Default cap on the number of shapes of one claim. */
#define CVP_DEFAULT_MAX_SHAPES ((size_t)100000)

/* Enumerates the shapes of `claim`.  Fails with CVP_ERR_INPUT (located)
 * when a dim has no upper bound (`dim M >= 1` needs all_shapes), when a
 * tensor's shape expression is negative or divides by zero at some
 * assignment, and with CVP_ERR_LIMIT past max_shapes assignments or when
 * a tensor would exceed the entry limit.  An empty list (no assignment
 * satisfies the constraints) is not an error here. */
cvp_status cvp_shape_list_build(cvp_shape_list *list,
                                const cvp_proof_claim *claim,
                                const char *source_name, size_t max_shapes,
                                cvp_lang_error *err);

void cvp_shape_list_clear(cvp_shape_list *list);

/* Builds the point of `claim` at dims values[0..dim_count) -- which need
 * not lie in the dim ranges or satisfy the `where` constraints (the
 * all_shapes method replays shapes it chose itself) -- with the input
 * shapes computed there.  Fails like cvp_shape_list_build: CVP_ERR_INPUT
 * (located) when a tensor's shape is negative or cannot be computed,
 * CVP_ERR_LIMIT when a tensor would exceed the entry limit; p then owns
 * nothing.  On success p owns its arrays: cvp_shape_point_clear. */
cvp_status cvp_shape_point_at(cvp_shape_point *p, const cvp_proof_claim *claim,
                              const long *values, const char *source_name,
                              cvp_lang_error *err);

void cvp_shape_point_clear(cvp_shape_point *p);

/* Writes "M=2, N=3" for point p into buf ("(no dims)" when there are none). */
void cvp_shape_point_format(char *buf, size_t bufsize,
                            const cvp_proof_claim *claim,
                            const cvp_shape_point *p);

#endif
