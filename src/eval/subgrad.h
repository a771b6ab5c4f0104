/* subgrad.h -- derivatives where they do not exist: kinks, the set of
 * gradients of the active pieces, and `show A in subgrad(L, X)`.
 *
 * ReLU and max pooling are piecewise linear.  Over dual numbers a kink is
 * a comparison of two equal values whose slopes differ (a ReLU input at
 * 0, a window's maximum attained by entries with different slopes).  An
 * answer vector gives one answer at every kink met (which tied entry is
 * the maximum; whether the ReLU at 0 passes), and selects one piece of L.
 * Kinks are judged together, not one at a time: an answer vector is a
 * piece only when it is REALIZABLE, i.e. one direction d of X gives every
 * answer at once: slope . d > 0 where the answer is "a > b", < 0 where
 * it is "a < b", the slopes being those of the evaluation under the
 * earlier answers (a kink past a ReLU that blocks is not met at all).
 * Along x + t d' (d' near d, t > 0 small) L is then that piece, so the
 * piece's gradient is a limit of gradients of L.  relu(x) - relu(-x) at
 * 0 thus has the pieces "first passes, second blocks" (d > 0) and the
 * reverse (d < 0), both with gradient 1, and never "both pass".
 *
 * What is decided, for L continuous at the point (the values of all
 * realizable pieces agree with the value there; otherwise L jumps, as a
 * rule that masks by a comparison does, and has no derivative):
 *
 *   - L is differentiable at the point iff every realizable piece has
 *     the same gradient (L is then locally Lipschitz and directionally
 *     differentiable, with L'(x; d) = g . d for all d off finitely many
 *     hyperplanes, hence for all d); two realizable pieces with
 *     different gradients g1, g2 give L'(x; d) = g_i . d on two open
 *     cones, which no single gradient can.
 *   - The set is the convex hull of the realizable pieces' gradients.
 *     It is contained in Clarke's subdifferential always, and equals it
 *     when L is piecewise affine in X (affine maps, ReLU, max and
 *     average pooling, sums: no product of two quantities that depend on
 *     X), since such an L is, near the point, L(x) + L'(x; h).  Where
 *     pieces are polynomials of higher degree, Clarke's set may be larger
 *     (relu(y) - relu(y - x^2) at 0 has gradient 0 and Clarke's set
 *     [0, 1] e_y; the piece y > 0 > y - x^2 is seen by no first-order
 *     direction); the hull is then the first-order part of it.
 *
 * A comparison of equal values with equal slopes is no kink: both sides
 * agree to first order, so for max and ReLU the derivative is the same
 * whichever wins.  (A rule that masks by such a comparison, like
 * relu_backward(Z * Z, G) in Z at 0, jumps where no first-order test
 * sees it: differentiating masks in their masked argument is outside
 * what is decided here.)
 *
 * The pieces are enumerated by evaluating L over dual numbers once per
 * answer vector (kernel/ring_small.h, cvp_ring_dual_set_choices, which
 * also remembers each kink's slope), depth first over the binary tree of
 * answers.  Realizability is a strict homogeneous LP over Q decided with
 * a checked certificate (kernel/lp.h): the direction d, or multipliers
 * combining the signed slopes to 0; an unrealizable vector is cut at the
 * shortest prefix its multipliers involve.  Membership is an exact
 * linear feasibility question (kernel/hull.h), answered with a
 * certificate that is checked either way.
 *
 * Limits: at most CVP_SUBGRAD_MAX_EVALUATIONS evaluations (counting the
 * unrealizable ones); beyond that the question is CVP_ERR_LIMIT ("not
 * decided") unless two realizable pieces with different gradients were
 * already found (then grad does not exist).  The LP of one answer vector
 * has one row per kink and one column per entry of X that a kink's slope
 * involves; beyond the entry limit of kernel/tensor.h, CVP_ERR_LIMIT.
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

/* The whole text of the last CVP_ERR_NOT_DIFFERENTIABLE that grad or
 * jacobian raised on this thread, "grad: no derivative at this point:
 * ...", which the located error's buffer (CVP_ERROR_MESSAGE_MAX) may
 * have cut; NULL when none was kept since the last forget.  Owned by
 * this module: valid until the next derivative evaluation or forget.
 * A counterexample records it (check/check_instance.c); the checker
 * forgets it at the end of each claim, so no thread keeps memory. */
const char *cvp_kink_last_message(void);
void cvp_kink_keep_message(const char *prefix, const char *text);
void cvp_kink_forget_message(void);

/* What one evaluation over dual numbers met. */
typedef struct {
    size_t kinks;               /* kinks met (0: differentiable here) */
    mpq_t value;                /* the first kink's value */
    size_t index[4];            /* inputs of X whose slopes differ there */
    size_t index_count;         /* how many differ (index holds <= 4) */
    bool with_constant;         /* one side had no slope (a ReLU) */
    size_t tie_entries;         /* entries of a pooling window sharing
                                   the first kink's value; 0: unknown */
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
