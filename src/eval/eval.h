/* eval.h -- evaluating expressions exactly, over the rationals.
 *
 * The meaning of each construct (syntax in lang/parser.h):
 *
 *   NUMBER       the exact rational scalar it spells
 *   true/false   booleans (only meaningful as keyword values)
 *   NAME         the tensor bound to it in the environment
 *   -x, +x       negation / identity of a tensor
 *   a + b, a - b, a * b
 *                elementwise with NumPy broadcasting (scalars broadcast)
 *   a / b        exact division, elementwise with NumPy broadcasting; b
 *                must be rational (in a ring other than Q, a divisor
 *                that depends on the inputs is CVP_ERR_UNSUPPORTED) and
 *                a zero entry is an error naming that entry
 *   a @ b        matrix product (NumPy rules for ranks 1 and 2)
 *   (a, b)       a tuple, for keyword values like stride=(2, 1)
 *   [a, b, ...]  the tensor stacking equal-shaped tensors a, b, ...
 *                along a new first axis ([] is the empty vector)
 *   f(args)      a registered function (eval/builtins.h)
 *
 * Errors are located at the construct at fault (see lang/ast.h for which
 * position each node has): an operand that is not a tensor at that
 * operand; a shape mismatch or a division by zero
 * at the operator; a bad argument at the argument; a kernel failure at
 * the call.  Kernel messages are kept and
 * prefixed with the function or operator.  A result over the entry limit
 * of kernel/tensor.h is CVP_ERR_LIMIT; everything else is CVP_ERR_INPUT.
 *
 * Ownership: the tree and the environment are only read, and must not
 * change during the call (the environment may be NULL: no names bound); `out` must be an initialised value, which
 * receives the result (on failure it holds some valid value).
 */
#ifndef CVP_EVAL_H
#define CVP_EVAL_H

#include "eval/env.h"
#include "eval/value.h"
#include "lang/ast.h"
#include "lang/lang_error.h"

/* Everything a (recursive) evaluation needs besides the node. */
typedef struct {
    const cvp_env *env;        /* borrowed */
    const char *source_name;   /* for error locations (borrowed) */
    cvp_lang_error *err;       /* receives the error (may be NULL) */
    /* The ring the environment's tensors live in (NULL: Q).  Number
     * literals are rationals; where one meets a tensor of this ring it is
     * embedded into the ring (cvp_tensor_lift). */
    cvp_ring *ring;
    const cvp_definitions *defs;   /* may be NULL */
} cvp_eval_context;

cvp_status cvp_eval(cvp_value *out, const cvp_ast_node *node,
                    const cvp_env *env, const char *source_name,
                    cvp_lang_error *err);

/* Like cvp_eval, with the environment's tensors in ring R (see
 * cvp_eval_context).  An operation that has no meaning in R (a maximum of
 * polynomials, a division by a non-constant) fails with
 * CVP_ERR_UNSUPPORTED, located like any other error. */
cvp_status cvp_eval_in(cvp_value *out, const cvp_ast_node *node,
                       const cvp_env *env, const cvp_definitions *defs,
                       cvp_ring *R, const char *source_name,
                       cvp_lang_error *err);

/* grad(L, X) and jacobian(Y, X), evaluated by the checker itself
 * (eval/derivative.c): over Q with dual numbers (forward mode, exact),
 * over polynomials by differentiating the canonical polynomials.  X must
 * be an input tensor of the environment.  At a point where the
 * derivative does not exist the status is CVP_ERR_NOT_DIFFERENTIABLE; in
 * other rings CVP_ERR_UNSUPPORTED. */
cvp_status cvp_eval_derivative(cvp_value *out, const cvp_ast_node *node,
                               const cvp_eval_context *context);

/* mults(E) and size(E) (eval/cost.c): the multiplications that the
 * definitional evaluation of E performs under the usual cost model, and
 * the number of entries it produces, as exact integer scalars. */
cvp_status cvp_eval_cost(cvp_value *out, const cvp_ast_node *node,
                         const cvp_eval_context *context);

/* Makes the tensors a and b share a ring when one of them is over Q and
 * the other is not, by lifting the Q one.  Used before every operation
 * that takes two tensors. */
cvp_status cvp_eval_unify_rings(cvp_tensor_t a, cvp_tensor_t b,
                                cvp_error *err);

/* The recursive step, for the call machinery: evaluates `node` in
 * `context`. */
cvp_status cvp_eval_node(cvp_value *out, const cvp_ast_node *node,
                         const cvp_eval_context *context);

/* Records a failure located at `pos` of context's source in context->err
 * (which may be NULL) and returns `status`.  The message is the printf
 * text, preceded by "PREFIX: " unless `prefix` is NULL; it is cut to
 * CVP_ERROR_MESSAGE_MAX - 1 characters.  Every argument is only read. */
cvp_status cvp_eval_fail_at(const cvp_eval_context *context, cvp_status status,
                            cvp_srcpos pos, const char *prefix,
                            const char *format, ...)
    __attribute__((format(printf, 5, 6)));

/* Parses and evaluates a whole expression text in one go. */
cvp_status cvp_eval_text(cvp_value *out, const char *text, size_t len,
                         const cvp_env *env, const char *source_name,
                         cvp_lang_error *err);

#endif
