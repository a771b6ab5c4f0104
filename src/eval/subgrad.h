/* subgrad.h -- derivatives where they do not exist: kinks, the set of
 * gradients of the active pieces, and `show A in subgrad(L, X)`.
 *
 * ReLU and max pooling are piecewise linear.  At a kink (a ReLU input
 * equal to 0 with a nonzero slope, a window whose maximum is attained by
 * entries with different slopes) L has no gradient; its derivative is a
 * set.  convproof takes the set the textbook's backpropagation rules
 * live in: the convex hull of the gradients of the active pieces, every
 * piece being one answer at each kink (which tied entry is the maximum;
 * whether a ReLU at 0 passes its input).  For one ReLU or one max-pooling
 * layer on X with disjoint windows this is exactly the Clarke
 * subdifferential; where kinks are coupled (overlapping windows sharing a
 * tie, kinks in several layers) it is the set Clarke's chain rule gives,
 * which contains the Clarke subdifferential.
 *
 * The pieces are enumerated by evaluating L over dual numbers once per
 * answer vector (kernel/ring_small.h, cvp_ring_dual_set_choices),
 * depth-first over the binary tree of answers; membership is an exact
 * linear feasibility question (kernel/hull.h), answered with a
 * certificate that is checked either way.
 *
 * Limits: at most CVP_SUBGRAD_MAX_EVALUATIONS evaluations; beyond that the
 * question is CVP_ERR_LIMIT ("not decided").
 */
#ifndef CVP_SUBGRAD_H
#define CVP_SUBGRAD_H

#include <stdbool.h>

#include "eval/eval.h"
#include "kernel/lp.h"

#define CVP_SUBGRAD_MAX_EVALUATIONS 4096

/* Kinks met by derivative evaluations over Q on this thread since it
 * was last set to 0 (the exact method's `ties` option reads it). */
extern _Thread_local size_t cvp_kinks_met;

/* What one evaluation over dual numbers met. */
typedef struct {
    size_t kinks;               /* kinks met (0: differentiable here) */
    mpq_t value;                /* the first kink's value */
    size_t index[4];            /* inputs of X whose slopes differ there */
    size_t index_count;         /* how many differ (index holds <= 4) */
    bool with_constant;         /* one side had no slope (a ReLU) */
    cvp_tensor_struct at;       /* the value of L (or Y) at the point,
                                   under the answers given (over Q) */
} cvp_kink_info;

void cvp_kink_info_init(cvp_kink_info *k);
void cvp_kink_info_clear(cvp_kink_info *k);

/* Whether one vector of answers at the kinks is realizable, with its
 * certificate (kernel/lp.h): the LP's variables are the entries vars[0..
 * lp.n-1] of X (row-major indices); its inequalities are the kinks in
 * the order met.  Feasible: lp.direction is a direction d realizing
 * every answer.  Infeasible: lp.multipliers combine the kinks' signed
 * slopes to 0, and `dead` is the length of the shortest prefix of the
 * answers they involve (every answer vector with that prefix is
 * unrealizable too: a kink's slope depends only on earlier answers). */
typedef struct {
    cvp_lp_result lp;
    size_t *vars;
    size_t dead;
} cvp_kink_pattern;

/* grad(L, X) (is_grad) or jacobian(Y, X) over dual numbers: `call` is the
 * grad/jacobian call (for locations), `body` its first argument, `wrt`
 * the input's name.  With `choosing`, kinks are answered by choices[0..
 * count-1] (kernel/ring_small.h); without, a kink is an ordinary
 * comparison.  `info` (may be NULL) receives what was met.  The result
 * is computed whether or not kinks were met (derivative.c). */
cvp_status cvp_dual_derivative(cvp_tensor_t result, cvp_kink_info *info,
                               const cvp_eval_context *context,
                               const cvp_ast_node *call, const cvp_ast_node *body,
                               const char *wrt, bool is_grad,
                               const unsigned char *choices, size_t count,
                               bool choosing, cvp_kink_pattern *pattern);

void cvp_kink_pattern_init(cvp_kink_pattern *p);
void cvp_kink_pattern_clear(cvp_kink_pattern *p);

/* Decides whether the answers given at the kinks met by dual ring D
 * (which was choosing) are realizable: one direction d of X's entries
 * agreeing with every answer (kernel/ring_small.h,
 * cvp_ring_dual_kink_slope), by the strict LP of kernel/lp.h over the
 * entries of X that some kink's slope involves.  CVP_ERR_LIMIT when the
 * LP is too large. */
cvp_status cvp_kink_pattern_decide(cvp_kink_pattern *p, const cvp_ring *D,
                                   cvp_error *err);

/* grad/jacobian at a point where the evaluation met kinks: enumerates
 * the active pieces.  When they all have the same gradient, L is
 * differentiable after all (a tie L does not see): *unique is set and
 * `result` receives it.  Otherwise *message (malloc'd) says which kink,
 * where, and what the set is. */
cvp_status cvp_kink_resolve(cvp_tensor_t result, bool *unique, char **message,
                            const cvp_eval_context *context,
                            const cvp_ast_node *call, const cvp_ast_node *body,
                            const char *wrt, bool is_grad);

/* `A in subgrad(L, X)`: `set` is the subgrad call.  Sets *member, and
 * *why (malloc'd, or NULL) to a plain explanation: which kinks, how many
 * pieces, and the certificate (the weights of the pieces, or the
 * separating direction).  Only over Q; in other rings
 * CVP_ERR_UNSUPPORTED. */
cvp_status cvp_eval_membership(bool *member, char **why, const cvp_value *A,
                               const cvp_ast_node *set,
                               const cvp_eval_context *context);

#endif
