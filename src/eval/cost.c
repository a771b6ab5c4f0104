/* cost.c -- mults(E) and size(E): what evaluating E costs and produces.
 *
 * Both are special forms evaluated in the shape-only ring (kernel/ring.h):
 * the inputs are replaced by placeholders of the same shapes, E is
 * evaluated there -- every operator computes its output shape and adds its
 * multiplications to the ring's cost model without running its loops --
 * and the result is an exact integer scalar.  So exercise 5-4's layer
 * (5,898,240,000 multiplications) is counted instantly, and the count does
 * not depend on the method or the values.
 *
 * The cost model is the usual one: every kernel tap at every output
 * position, padded zeros included (C_out * H_out * W_out * (C_in/groups) *
 * R * S for conv2d), m*k*n for a matrix product, one per entry for an
 * elementwise product, summed over the subexpressions; pooling, sums and
 * copies multiply nothing. */
#include "eval/eval.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static cvp_status cost_fail(const cvp_ast_node *node, const cvp_eval_context *context,
                            cvp_status status, const char *message)
{
    return cvp_lang_error_set(context->err, status, context->source_name, node->pos,
                              "%s: %s", node->u.call.name, message);
}

cvp_status cvp_eval_cost(cvp_value *out, const cvp_ast_node *node,
                         const cvp_eval_context *context)
{
    bool want_mults = strcmp(node->u.call.name, "mults") == 0;
    if (node->u.call.count != 1 || node->u.call.args[0].keyword != NULL)
        return cost_fail(node, context, CVP_ERR_INPUT,
                         want_mults ? "takes one expression: mults(E) counts the "
                                      "multiplications of evaluating E"
                                    : "takes one expression: size(E) is the number "
                                      "of entries of E");
    cvp_ring S;
    cvp_ring_shape_init(&S);
    cvp_env placeholders;
    cvp_env_init(&placeholders);
    cvp_error e;
    cvp_error_clear(&e);
    cvp_status st = CVP_OK;
    /* Constants (a proof's dims) keep their values, since they may be
     * read as integers (pad(X, U - 1)); every input becomes a placeholder
     * of its shape, whatever its ring, so the count is the same in every
     * method. */
    for (size_t i = 0; context->env != NULL && st == CVP_OK && i < context->env->count; i++) {
        const cvp_binding *b = &context->env->bindings[i];
        cvp_tensor_t t;
        cvp_tensor_init_ring(t, &S);
        if (b->constant && b->value->ring == &cvp_ring_q)
            st = cvp_tensor_set(t, b->value, &e);
        else
            st = cvp_tensor_resize(t, b->value->rank, b->value->shape, &e);
        if (st == CVP_OK)
            st = b->constant ? cvp_env_bind_constant(&placeholders, b->name, t, &e)
                             : cvp_env_bind(&placeholders, b->name, t, &e);
        cvp_tensor_clear(t);
    }
    if (st != CVP_OK)
        st = cvp_lang_error_from(context->err, &e, context->source_name, node->pos,
                                 node->u.call.name);
    cvp_value v;
    cvp_value_init(&v);
    if (st == CVP_OK) {
        cvp_eval_context inner = *context;
        inner.env = &placeholders;
        inner.ring = &S;
        st = cvp_eval_node(&v, node->u.call.args[0].value, &inner);
    }
    if (st == CVP_OK && v.kind != CVP_VALUE_TENSOR)
        st = cost_fail(node, context, CVP_ERR_INPUT, "the argument must be a tensor "
                       "expression");
    if (st == CVP_OK && S.mults_overflow)
        st = cost_fail(node, context, CVP_ERR_LIMIT, "more than 2^64 multiplications");
    if (st == CVP_OK) {
        uint64_t n = want_mults ? S.model_mults : (uint64_t)v.tensor->size;
        mpq_t q;
        mpq_init(q);
        mpz_import(mpq_numref(q), 1, 1, sizeof n, 0, 0, &n);
        cvp_value_make_tensor(out);
        cvp_tensor_set_ring(out->tensor, &cvp_ring_q);
        cvp_tensor_set_scalar(out->tensor, q);
        mpq_clear(q);
    }
    cvp_value_clear(&v);
    cvp_env_clear(&placeholders);
    return st;
}
