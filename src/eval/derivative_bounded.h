/* derivative_bounded.h -- grad(L, X) and jacobian(Y, X) in the interval
 * ring of the `bounded` method (engine-internal, called by derivative.c).
 *
 * Every interval tensor of the environment is moved into first-order jets
 * over the interval ring (kernel/ring_jet.h), entry k of X seeded as
 * x_k + e_k; evaluating the body there yields enclosures of the
 * derivatives, returned as a tensor over the interval ring (X's shape for
 * grad, [size(Y), size(X)] for jacobian).  A comparison of equal points
 * with different slopes (ReLU at 0, a tied maximum) is
 * CVP_ERR_NOT_DIFFERENTIABLE, as over Q.
 *
 * Ownership: node, body and the context are only read; `out` receives the
 * result.  `wrt` names an input bound in context->env.
 */
#ifndef CVP_DERIVATIVE_BOUNDED_H
#define CVP_DERIVATIVE_BOUNDED_H

#include <stdbool.h>

#include "eval/eval.h"

cvp_status cvp_derivative_by_jets(cvp_value *out, const cvp_ast_node *node,
                                  const cvp_eval_context *context,
                                  const cvp_ast_node *body, const char *wrt,
                                  bool is_grad);

#endif
