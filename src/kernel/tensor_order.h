/* tensor_order.h -- elementwise maximum, minimum and absolute value,
 * natural powers, and joining tensors (part of the trusted kernel).
 *
 * The order operators compare through R->cmp, so they take the same
 * path as ReLU and max pooling: over Q exactly; over dual numbers a
 * comparison of equal values with different slopes is a kink that the
 * ring records (grad then reports "not differentiable", subgrad answers
 * it with each active piece); a ring without an order (a prime field,
 * polynomials) is CVP_ERR_UNSUPPORTED.  Ties pick the first operand
 * (max(a, b) is a when a >= b; min(a, b) is a when a <= b; abs(x) is x
 * when x >= 0), so each answer of a kink selects one piece:
 *   max: "a > b" gives a, "a < b" gives b;
 *   min: "a > b" gives b, "a < b" gives a;
 *   abs: "x > 0" gives x, "x < 0" gives -x.
 *
 * Aliasing: out may be any input (results are built in a temporary).
 * Every function adds its multiplications to R->model_mults and skips
 * its loop nest in a shape-only ring.
 */
#ifndef CVP_TENSOR_ORDER_H
#define CVP_TENSOR_ORDER_H

#include "kernel/tensor.h"

/* NumPy broadcasting of a and b (defined in tensor_arith.c): the shape
 * of the result, or CVP_ERR_INPUT naming the dimensions, prefixed with
 * `name`. */
cvp_status cvp_tensor_broadcast_shape(int *rank, size_t *shape,
                                      const char *name, const cvp_tensor_t a,
                                      const cvp_tensor_t b, cvp_error *err);
/* Offset in t of entry j of a broadcast result of rank r. */
size_t cvp_tensor_broadcast_offset(const cvp_tensor_t t, int r,
                                   const size_t *j);

/* out := elementwise max(a, b) / min(a, b), NumPy broadcasting. */
cvp_status cvp_tensor_maximum(cvp_tensor_t out, const cvp_tensor_t a,
                              const cvp_tensor_t b, cvp_error *err);
cvp_status cvp_tensor_minimum(cvp_tensor_t out, const cvp_tensor_t a,
                              const cvp_tensor_t b, cvp_error *err);

/* out := |t| elementwise. */
cvp_status cvp_tensor_absolute(cvp_tensor_t out, const cvp_tensor_t t,
                          cvp_error *err);

/* out := the largest (smallest) entry of t, a scalar; the first one of
 * tied entries.  An empty t is CVP_ERR_INPUT. */
cvp_status cvp_tensor_max_all(cvp_tensor_t out, const cvp_tensor_t t,
                              cvp_error *err);
cvp_status cvp_tensor_min_all(cvp_tensor_t out, const cvp_tensor_t t,
                              cvp_error *err);

/* out := t ** n elementwise (n >= 0; t ** 0 is all ones), by n - 1
 * multiplications per entry. */
cvp_status cvp_tensor_pow(cvp_tensor_t out, const cvp_tensor_t t,
                          unsigned long n, cvp_error *err);

/* out := the tensors items[0..count-1] joined along axis `dim` (0 <= dim
 * < rank; torch.cat): same rank, same ring, equal sizes except on
 * `dim`.  count >= 1. */
cvp_status cvp_tensor_concat(cvp_tensor_t out, const cvp_tensor_struct *const *items,
                             size_t count, int dim, cvp_error *err);

/* out := the tensors stacked along a new axis `dim` (0 <= dim <= rank;
 * torch.stack): all of one shape and ring.  count >= 1. */
cvp_status cvp_tensor_stack(cvp_tensor_t out, const cvp_tensor_struct *const *items,
                            size_t count, int dim, cvp_error *err);

#endif
