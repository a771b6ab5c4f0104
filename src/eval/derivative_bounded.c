/* derivative_bounded.c -- grad and jacobian over intervals, by jets (see
 * derivative_bounded.h; the rational and polynomial cases are in
 * derivative.c). */
#include "eval/derivative_bounded.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kernel/ring_jet.h"

static cvp_status kernel_fail(const cvp_eval_context *context,
                              const cvp_ast_node *node, const cvp_error *e)
{
    return cvp_lang_error_from(context->err, e, context->source_name, node->pos,
                               node->u.call.name);
}

/* lifted := context->env with every interval tensor moved into jets
 * (X seeded); other bindings (the dims, rational) are copied.  *X
 * receives X's binding in context->env. */
static cvp_status lift_env(cvp_env *lifted, const cvp_tensor_struct **X,
                           cvp_ring *J, const cvp_eval_context *context,
                           const char *wrt, cvp_error *e)
{
    cvp_status st = CVP_OK;
    for (size_t i = 0; st == CVP_OK && i < context->env->count; i++) {
        const cvp_binding *b = &context->env->bindings[i];
        bool is_x = strcmp(b->name, wrt) == 0;
        cvp_tensor_t t;
        cvp_tensor_init(t);
        if (is_x)
            *X = b->value;
        if (cvp_ring_is_interval(b->value->ring)) {
            cvp_tensor_set_ring(t, J);
            st = cvp_tensor_resize(t, b->value->rank, b->value->shape, e);
            for (size_t k = 0; st == CVP_OK && k < t->size; k++)
                cvp_jet_set_seed(J, cvp_tensor_elem(t, k),
                                 cvp_tensor_elem(b->value, k), is_x ? k : SIZE_MAX);
        } else {
            st = cvp_tensor_set(t, b->value, e);
        }
        if (st == CVP_OK)
            st = b->constant ? cvp_env_bind_constant(lifted, b->name, t, e)
                             : cvp_env_bind(lifted, b->name, t, e);
        cvp_tensor_clear(t);
    }
    return st;
}

cvp_status cvp_derivative_by_jets(cvp_value *out, const cvp_ast_node *node,
                                  const cvp_eval_context *context,
                                  const cvp_ast_node *body_node, const char *wrt,
                                  bool is_grad)
{
    cvp_ring *R = context->ring;
    cvp_ring J;
    cvp_ring_jet_init(&J, R);
    cvp_env lifted;
    cvp_env_init(&lifted);
    cvp_error e;
    cvp_error_clear(&e);
    const cvp_tensor_struct *X = NULL;
    cvp_status st = lift_env(&lifted, &X, &J, context, wrt, &e);
    if (st != CVP_OK)
        st = kernel_fail(context, node, &e);
    cvp_value body;
    cvp_value_init(&body);
    if (st == CVP_OK) {
        cvp_eval_context inner = *context;
        inner.env = &lifted;
        inner.ring = &J;
        st = cvp_eval_node(&body, body_node, &inner);
    }
    if (st == CVP_OK && body.kind != CVP_VALUE_TENSOR)
        st = cvp_eval_fail_at(context, CVP_ERR_INPUT, body_node->pos,
                              node->u.call.name, "the first argument must be a "
                              "tensor expression");
    if (st == CVP_OK && is_grad && body.tensor->rank != 0) {
        char shape[128];
        cvp_shape_format(shape, sizeof shape, body.tensor->rank, body.tensor->shape);
        st = cvp_eval_fail_at(context, CVP_ERR_INPUT, node->pos,
                              node->u.call.name, "the first argument must be a "
                              "scalar (wrap it in sum(...)); it has shape %s",
                              shape);
    }
    if (st == CVP_OK && cvp_ring_jet_kinks(&J) > 0)
        st = cvp_eval_fail_at(context, CVP_ERR_NOT_DIFFERENTIABLE, node->pos,
                              node->u.call.name, "not differentiable at this "
                              "point: %zu comparison%s of equal values with "
                              "different slopes (a ReLU input at 0 or a tied "
                              "maximum)", cvp_ring_jet_kinks(&J),
                              cvp_ring_jet_kinks(&J) == 1 ? "" : "s");
    if (st == CVP_OK && cvp_ring_check(&J, &e) != CVP_OK)
        st = kernel_fail(context, node, &e);
    cvp_tensor_t result;
    cvp_tensor_init_ring(result, R);
    if (st == CVP_OK) {
        const cvp_tensor_struct *Y = body.tensor;
        st = is_grad ? cvp_tensor_resize(result, X->rank, X->shape, &e)
                     : cvp_tensor_resize(result, 2, (size_t[]){Y->size, X->size}, &e);
        if (st != CVP_OK)
            st = kernel_fail(context, node, &e);
        /* A body over Q did not depend on the inputs: its derivative is
         * the zero the result already holds. */
        if (st == CVP_OK && Y->ring != &J && Y->ring != &cvp_ring_q)
            st = cvp_eval_fail_at(context, CVP_ERR_UNSUPPORTED, node->pos,
                                  node->u.call.name, "the body was evaluated "
                                  "in %s, not in interval jets", Y->ring->name);
        if (st == CVP_OK && Y->ring == &J)
            for (size_t i = 0; i < Y->size; i++)
                for (size_t k = 0; k < X->size; k++)
                    cvp_jet_get_deriv(&J, cvp_tensor_elem(result, i * X->size + k),
                                      cvp_tensor_elem(Y, i), k);
    }
    if (st == CVP_OK) {
        cvp_value_make_tensor(out);
        cvp_tensor_swap(out->tensor, result);
    }
    cvp_tensor_clear(result);
    /* Every jet must be gone before the jet ring. */
    cvp_value_clear(&body);
    cvp_env_clear(&lifted);
    cvp_ring_jet_clear(&J);
    return st;
}
