/* analytic.h -- the transcendental operators: exp, log, tanh, sigmoid,
 * softmax and cross-entropy (part of the trusted kernel).
 *
 * They have no exact value in Q (exp(1) is irrational), so they are
 * defined only over rings that enclose reals: the interval ring
 * (kernel/ring_interval.h) and jets over it (kernel/ring_jet.h), whose
 * extra operations cvp_ring_analytic returns.  In any other ring they
 * fail with CVP_ERR_UNSUPPORTED and the message
 *   "transcendental: use `bounded` (<fn> has no exact value in Q)"
 * (over Q; "<fn> is not a polynomial" in the other rings), which the
 * exact, random and symbolic methods turn into "not applicable".  In the shape-only ring they only compute shapes.
 *
 * softmax and cross_entropy are written once against the ring and these
 * operations, straight from their formulas, so the jets differentiate
 * them with no formula of their own.
 *
 * Conventions of tensor.h: outputs first, outputs may alias inputs,
 * failures leave a valid output.
 */
#ifndef CVP_ANALYTIC_H
#define CVP_ANALYTIC_H

#include "kernel/tensor.h"

/* The operations an enclosing ring adds to ring.h's (results may alias
 * operands; failures are recorded in the ring). */
typedef struct {
    void (*div)(cvp_ring *R, void *r, const void *a, const void *b);
    void (*exp)(cvp_ring *R, void *r, const void *a);
    void (*log)(cvp_ring *R, void *r, const void *a);
    void (*tanh)(cvp_ring *R, void *r, const void *a);
    void (*sigmoid)(cvp_ring *R, void *r, const void *a);
} cvp_analytic_ops;

/* R's operations, or NULL when R cannot evaluate transcendental
 * functions. */
const cvp_analytic_ops *cvp_ring_analytic(const cvp_ring *R);

typedef enum {
    CVP_FN_EXP,
    CVP_FN_LOG,
    CVP_FN_TANH,
    CVP_FN_SIGMOID
} cvp_analytic_fn;

/* "exp", "log", "tanh", "sigmoid" */
const char *cvp_analytic_fn_name(cvp_analytic_fn fn);

/* out := fn applied to every entry of X. */
cvp_status cvp_tensor_analytic(cvp_tensor_t out, const cvp_tensor_t X,
                               cvp_analytic_fn fn, cvp_error *err);

/* out := softmax of X along `axis` (0 <= axis < rank, rank >= 1):
 * out[.., j, ..] = exp(x_j) / sum_i exp(x_i) over that axis. */
cvp_status cvp_softmax(cvp_tensor_t out, const cvp_tensor_t X, int axis,
                       cvp_error *err);

/* out := the cross-entropy of `logits` against class probabilities
 * `target` of the same shape, [C] or [N, C] (classes on the last axis),
 * as torch.nn.functional.cross_entropy with probability targets and
 * reduction 'mean':
 *   loss_n = -sum_c target[n, c] * log(softmax(logits[n])[c])
 *          = sum_c target[n, c] * (log(sum_i exp(logits[n, i])) - logits[n, c]),
 *   out    = (1/N) sum_n loss_n        (a scalar; for [C], out = loss).
 * A one-hot row is the class index written as probabilities.  Targets
 * are not required to sum to 1 (PyTorch does not require it either). */
cvp_status cvp_cross_entropy(cvp_tensor_t out, const cvp_tensor_t logits,
                             const cvp_tensor_t target, cvp_error *err);

#endif
