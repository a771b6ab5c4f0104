/* eval.c -- evaluation of expression trees (meaning in eval.h). */
#include "eval/eval.h"
#include "kernel/interrupt.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "eval/builtins.h"
#include "eval/call.h"
#include "fast/fast.h"
#include "kernel/ring_poly.h"
#include "lang/parser.h"
#include "lang/suggest.h"

cvp_status cvp_eval_fail_at(const cvp_eval_context *context, cvp_status status,
                            cvp_srcpos pos, const char *prefix,
                            const char *format, ...)
{
    char message[CVP_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, format);
    vsnprintf(message, sizeof message, format, ap);
    va_end(ap);
    if (prefix == NULL)
        return cvp_lang_error_set(context->err, status, context->source_name,
                                  pos, "%s", message);
    return cvp_lang_error_set(context->err, status, context->source_name, pos,
                              "%s: %s", prefix, message);
}

/* A kernel failure of operator `op` at its position, keeping the
 * kernel's status and text (without its own "add:"-style prefix). */
static cvp_status operator_failed(const cvp_eval_context *context,
                                  const cvp_ast_node *node,
                                  const cvp_error *kernel_error)
{
    cvp_error body = *kernel_error;
    snprintf(body.message, sizeof body.message, "%s",
             cvp_kernel_message_body(kernel_error->message));
    return cvp_lang_error_from(context->err, &body, context->source_name,
                               node->pos, cvp_ast_op_name(node->u.binary.op));
}

/* Definition i sees only the definitions before it, so even a malformed
 * set of definitions cannot make the evaluation cycle. */
static cvp_status eval_definition(cvp_value *out, size_t i,
                                  const cvp_eval_context *context)
{
    cvp_definitions earlier = {context->defs->items, i,
                               context->defs->external};
    cvp_eval_context inner = *context;
    inner.defs = &earlier;
    return cvp_eval_node(out, context->defs->items[i].expr, &inner);
}

static cvp_status eval_name(cvp_value *out, const cvp_ast_node *node,
                            const cvp_eval_context *context)
{
    const char *name = node->u.name.text;
    const cvp_tensor_struct *bound = context->env != NULL
                                         ? cvp_env_lookup(context->env, name)
                                         : NULL;
    if (bound == NULL && context->defs != NULL)
        for (size_t i = context->defs->count; i-- > 0;)
            if (strcmp(context->defs->items[i].name, name) == 0)
                return eval_definition(out, i, context);
    if (bound != NULL) {
        cvp_error kernel_error;
        cvp_error_clear(&kernel_error);
        cvp_value_make_tensor(out);
        if (cvp_tensor_set(out->tensor, bound, &kernel_error) != CVP_OK)
            return cvp_lang_error_from(context->err, &kernel_error,
                                       context->source_name, node->pos, NULL);
        return CVP_OK;
    }
    if (cvp_builtin_find(name) != NULL)
        return cvp_eval_fail_at(context, CVP_ERR_INPUT, node->pos, NULL,
                                "'%s' is a function; call it as %s(...)", name,
                                name);
    cvp_suggest suggest;
    cvp_suggest_init(&suggest, name);
    if (context->env != NULL)
        for (size_t i = 0; i < context->env->count; i++)
            cvp_suggest_consider(&suggest, context->env->bindings[i].name);
    if (suggest.best != NULL)
        return cvp_eval_fail_at(context, CVP_ERR_INPUT, node->pos, NULL,
                                "unknown name '%s' (did you mean '%s'?)", name,
                                suggest.best);
    if (strcmp(name, "none") == 0 || strcmp(name, "None") == 0)
        return cvp_eval_fail_at(context, CVP_ERR_INPUT, node->pos, NULL,
                                "unknown name '%s' (there is no none value: "
                                "leave the argument out)", name);
    return cvp_eval_fail_at(context, CVP_ERR_INPUT, node->pos, NULL,
                            "unknown name '%s'", name);
}

/* The evaluator recurses once per tree level (up to CVP_AST_MAX_DEPTH),
 * so the recursive functions keep their frames small: error records,
 * message buffers and kernel calls live in the helpers marked
 * OFF_THE_RECURSION, which run only after the recursive call returned. */
#define OFF_THE_RECURSION __attribute__((noinline))

static OFF_THE_RECURSION cvp_status
not_a_tensor(const cvp_eval_context *context, const cvp_ast_node *node,
             const char *role, const cvp_value *got)
{
    char described[96];
    cvp_value_describe(described, sizeof described, got);
    return cvp_eval_fail_at(context, CVP_ERR_INPUT, node->pos, NULL,
                            "the %s must be a tensor, got %s", role, described);
}

/* Evaluates `node` and insists on a tensor, blaming the node otherwise;
 * `role` says what the tensor is for ("left operand of '+'"). */
static cvp_status eval_tensor(cvp_value *out, const cvp_ast_node *node,
                              const cvp_eval_context *context,
                              const char *role)
{
    cvp_status status = cvp_eval_node(out, node, context);
    if (status != CVP_OK)
        return status;
    if (out->kind != CVP_VALUE_TENSOR)
        return not_a_tensor(context, node, role, out);
    return CVP_OK;
}

static const char *operand_role(char op, bool left)
{
    switch (op) {
    case '+': return left ? "left operand of '+'" : "right operand of '+'";
    case '-': return left ? "left operand of '-'" : "right operand of '-'";
    case '*': return left ? "left operand of '*'" : "right operand of '*'";
    case '/': return left ? "left operand of '/'" : "divisor of '/'";
    case '@': return left ? "left operand of '@'" : "right operand of '@'";
    }
    return "operand";
}

static OFF_THE_RECURSION cvp_status
negate(cvp_value *out, const cvp_ast_node *node,
       const cvp_eval_context *context)
{
    cvp_error kernel_error;
    cvp_error_clear(&kernel_error);
    if (cvp_tensor_neg(out->tensor, out->tensor, &kernel_error) != CVP_OK)
        return cvp_lang_error_from(context->err, &kernel_error,
                                   context->source_name, node->pos,
                                   "unary '-'");
    return CVP_OK;
}

static cvp_status eval_unary(cvp_value *out, const cvp_ast_node *node,
                             const cvp_eval_context *context)
{
    bool minus = node->u.unary.op == '-';
    cvp_status status = eval_tensor(out, node->u.unary.operand, context,
                                    minus ? "operand of unary '-'"
                                          : "operand of unary '+'");
    if (status != CVP_OK || !minus)
        return status;
    return negate(out, node, context);
}

/* out := out / rhs, elementwise with broadcasting: out times the
 * entrywise inverse of rhs, exactly.  The divisor must be rational (a
 * literal, a dim, or an input under the exact method): dividing by a
 * polynomial or a field element is not a polynomial operation.  A zero
 * entry leaves the quotient undefined at this point (CVP_ERR_UNDEFINED:
 * the instance fails); the message names the entry and is blamed on the
 * '/' itself (the divisor may be a parenthesised expression whose own
 * position, its operator, would mislead). */
static cvp_status divide(cvp_value *out, cvp_value *rhs,
                         const cvp_ast_node *node,
                         const cvp_eval_context *context)
{
    cvp_tensor_ptr d = rhs->tensor;
    if (d->ring != &cvp_ring_q && cvp_ring_is_poly(d->ring)) {
        /* A divisor computed over polynomials from literals alone (1 / 2
         * ** 3: the function's arguments were lifted) is a constant:
         * taken back into Q. */
        cvp_tensor_t q;
        cvp_tensor_init(q);
        bool constant = cvp_tensor_resize(q, d->rank, d->shape, NULL) == CVP_OK;
        for (size_t k = 0; constant && k < d->size; k++)
            constant = cvp_poly_get_constant(cvp_tensor_at(q, k),
                                             cvp_tensor_elem_const(d, k));
        if (constant)
            cvp_tensor_swap(d, q);
        cvp_tensor_clear(q);
    }
    if (d->ring != &cvp_ring_q)
        return cvp_lang_error_set(context->err, CVP_ERR_UNSUPPORTED,
                                  context->source_name, node->pos,
                                  "'/' by a divisor that depends on the inputs "
                                  "(or was computed in this method's ring) is "
                                  "not a polynomial operation");
    for (size_t k = 0; k < d->size; k++) {
        mpq_ptr entry = cvp_tensor_at(d, k);
        if (mpq_sgn(entry) == 0) {
            if (d->rank == 0)
                return cvp_eval_fail_at(context, CVP_ERR_UNDEFINED, node->pos,
                                        NULL, "division by zero");
            char where[128];
            cvp_entry_format(where, sizeof where, "", d->rank, d->shape, k);
            return cvp_eval_fail_at(context, CVP_ERR_UNDEFINED, node->pos, NULL,
                                    "division by zero: entry %s of the "
                                    "divisor is 0", where);
        }
        mpq_inv(entry, entry);
    }
    cvp_error kernel_error;
    cvp_error_clear(&kernel_error);
    cvp_status status;
    if (d->rank == 0)   /* a rational scale, as before: no broadcasting */
        status = cvp_tensor_scale(out->tensor, out->tensor,
                                  cvp_tensor_at_const(d, 0), &kernel_error);
    else if ((status = cvp_eval_unify_rings(out->tensor, d, &kernel_error))
             == CVP_OK)
        status = cvp_tensor_mul(out->tensor, out->tensor, d, &kernel_error);
    if (status != CVP_OK)
        return operator_failed(context, node, &kernel_error);
    return CVP_OK;
}

/* out := out OP rhs, both tensors. */
static OFF_THE_RECURSION cvp_status
apply_binary(cvp_value *out, cvp_value *rhs, const cvp_ast_node *node,
             const cvp_eval_context *context)
{
    cvp_error kernel_error;
    cvp_error_clear(&kernel_error);
    cvp_tensor_ptr a = out->tensor;
    cvp_tensor_ptr b = rhs->tensor;
    /* A divisor stays rational: dividing by it is a rational scale. */
    if (node->u.binary.op == '/')
        return divide(out, rhs, node, context);
    cvp_status status = cvp_eval_unify_rings(a, b, &kernel_error);
    if (status != CVP_OK)
        return operator_failed(context, node, &kernel_error);
    switch (node->u.binary.op) {
    case '+': status = cvp_tensor_add(a, a, b, &kernel_error); break;
    case '-': status = cvp_tensor_sub(a, a, b, &kernel_error); break;
    case '*': status = cvp_tensor_mul(a, a, b, &kernel_error); break;
    case '@': status = cvp_fast_matmul(a, a, b, NULL, &kernel_error); break;
    default: CVP_ASSERT(!"unknown binary operator");
    }
    if (status != CVP_OK)
        return operator_failed(context, node, &kernel_error);
    return CVP_OK;
}

static cvp_status eval_binary(cvp_value *out, const cvp_ast_node *node,
                              const cvp_eval_context *context)
{
    char op = node->u.binary.op;
    cvp_value rhs;
    cvp_value_init(&rhs);
    cvp_status status = eval_tensor(out, node->u.binary.lhs, context,
                                    operand_role(op, true));
    if (status == CVP_OK)
        status = eval_tensor(&rhs, node->u.binary.rhs, context,
                             operand_role(op, false));
    if (status == CVP_OK)
        status = apply_binary(out, &rhs, node, context);
    cvp_value_clear(&rhs);
    return status;
}

static OFF_THE_RECURSION cvp_status
start_tuple(cvp_value *out, const cvp_ast_node *node,
            const cvp_eval_context *context)
{
    cvp_error error;
    cvp_error_clear(&error);
    if (cvp_value_make_tuple(out, node->u.items.count, &error) != CVP_OK)
        return cvp_lang_error_from(context->err, &error,
                                   context->source_name, node->pos, NULL);
    return CVP_OK;
}

static cvp_status eval_tuple(cvp_value *out, const cvp_ast_node *node,
                             const cvp_eval_context *context)
{
    cvp_status status = start_tuple(out, node, context);
    for (size_t i = 0; status == CVP_OK && i < node->u.items.count; i++)
        status = cvp_eval_node(&out->items[i], node->u.items.items[i],
                               context);
    return status;
}

/* Puts item i (a tensor) of the list `node` into `stacked`: the first item
 * fixes the shape [count, item shape...], later ones must match it. */
static OFF_THE_RECURSION cvp_status
stack_item(cvp_tensor_t stacked, const cvp_tensor_struct *item, size_t i,
           const cvp_ast_node *node, const cvp_eval_context *context)
{
    size_t count = node->u.items.count;
    const cvp_ast_node *item_node = node->u.items.items[i];
    if (i == 0) {
        if (stacked->ring != item->ring)
            cvp_tensor_set_ring(stacked, item->ring);
        if (item->rank + 1 > CVP_MAX_RANK)
            return cvp_eval_fail_at(context, CVP_ERR_INPUT, node->pos, NULL,
                                    "a list of rank-%d tensors would have rank "
                                    "%d, more than %d", item->rank,
                                    item->rank + 1, CVP_MAX_RANK);
        size_t shape[CVP_MAX_RANK] = {0};
        shape[0] = count;
        memcpy(shape + 1, item->shape, (size_t)item->rank * sizeof *shape);
        cvp_error error;
        cvp_error_clear(&error);
        if (cvp_tensor_resize(stacked, item->rank + 1, shape, &error)
            != CVP_OK)
            return cvp_lang_error_from(context->err, &error,
                                       context->source_name, node->pos, NULL);
    } else if (item->rank != stacked->rank - 1
               || memcmp(item->shape, stacked->shape + 1,
                         (size_t)item->rank * sizeof *item->shape) != 0) {
        char want[96], got[96];
        cvp_shape_format(want, sizeof want, stacked->rank - 1,
                         stacked->shape + 1);
        cvp_shape_format(got, sizeof got, item->rank, item->shape);
        return cvp_eval_fail_at(context, CVP_ERR_INPUT, item_node->pos, NULL,
                                "list item %zu has shape %s but item 1 has "
                                "shape %s (the items of a list must have one "
                                "shape)", i + 1, got, want);
    }
    if (item->ring != stacked->ring)
        return cvp_eval_fail_at(context, CVP_ERR_INPUT, item_node->pos, NULL,
                                "list item %zu lives in the ring %s but item 1 "
                                "in %s", i + 1, item->ring->name,
                                stacked->ring->name);
    cvp_ring *R = stacked->ring;
    for (size_t k = 0; k < item->size; k++)
        R->set(R, cvp_tensor_elem(stacked, i * item->size + k),
               cvp_tensor_elem(item, k));
    return CVP_OK;
}

static OFF_THE_RECURSION cvp_status
empty_list(cvp_tensor_t stacked, const cvp_ast_node *node,
           const cvp_eval_context *context)
{
    size_t empty = 0;
    cvp_error error;
    cvp_error_clear(&error);
    if (cvp_tensor_resize(stacked, 1, &empty, &error) != CVP_OK)
        return cvp_lang_error_from(context->err, &error,
                                   context->source_name, node->pos, NULL);
    return CVP_OK;
}

/* [a, b, ...]: every item a tensor of the first item's shape; the result
 * stacks them along a new leading axis. */
static cvp_status eval_list(cvp_value *out, const cvp_ast_node *node,
                            const cvp_eval_context *context)
{
    cvp_value item;
    cvp_value_init(&item);
    cvp_tensor_t stacked;
    cvp_tensor_init(stacked);
    cvp_status status = CVP_OK;
    if (node->u.items.count == 0)
        status = empty_list(stacked, node, context);
    for (size_t i = 0; status == CVP_OK && i < node->u.items.count; i++) {
        status = eval_tensor(&item, node->u.items.items[i], context,
                             "item of a list");
        /* A literal item in a list of ring elements is lifted. */
        if (status == CVP_OK && i > 0 && item.tensor->ring == &cvp_ring_q
            && stacked->ring != &cvp_ring_q) {
            cvp_error lift_error;
            cvp_error_clear(&lift_error);
            status = cvp_tensor_lift(item.tensor, item.tensor, stacked->ring,
                                     &lift_error);
            if (status != CVP_OK)
                status = cvp_lang_error_from(context->err, &lift_error,
                                             context->source_name,
                                             node->pos, NULL);
        }
        /* The items so far were literals and this one is a ring element
         * ([0, X[1]]): the stacked literals are lifted to its ring. */
        if (status == CVP_OK && i > 0 && stacked->ring == &cvp_ring_q
            && item.tensor->ring != &cvp_ring_q) {
            cvp_error lift_error;
            cvp_error_clear(&lift_error);
            status = cvp_tensor_lift(stacked, stacked, item.tensor->ring,
                                     &lift_error);
            if (status != CVP_OK)
                status = cvp_lang_error_from(context->err, &lift_error,
                                             context->source_name,
                                             node->pos, NULL);
        }
        if (status == CVP_OK)
            status = stack_item(stacked, item.tensor, i, node, context);
    }
    if (status == CVP_OK) {
        cvp_value_make_tensor(out);
        cvp_tensor_swap(out->tensor, stacked);
    }
    cvp_tensor_clear(stacked);
    cvp_value_clear(&item);
    return status;
}

cvp_status cvp_eval_node(cvp_value *out, const cvp_ast_node *node,
                         const cvp_eval_context *context)
{
    /* A claim's --timeout or --max-memory (kernel/interrupt.h) stops the
     * evaluation between nodes. */
    if (cvp_interrupt_poll()) {
        const char *name = cvp_interrupt_limit_name(cvp_interrupt_reached());
        return cvp_lang_error_set(context->err, CVP_ERR_LIMIT, context->source_name,
                                  node->pos, "not decided: limit %s reached",
                                  name != NULL ? name : "(unknown)");
    }
    switch (node->kind) {
    case CVP_AST_NUMBER:
        cvp_value_make_tensor(out);
        cvp_tensor_set_scalar(out->tensor, node->u.number.value);
        return CVP_OK;
    case CVP_AST_BOOL:
        cvp_value_set_bool(out, node->u.boolean);
        return CVP_OK;
    case CVP_AST_NAME:
        return eval_name(out, node, context);
    case CVP_AST_UNARY:
        return eval_unary(out, node, context);
    case CVP_AST_BINARY:
        return eval_binary(out, node, context);
    case CVP_AST_CALL:
        return cvp_eval_call(out, node, context);
    case CVP_AST_TUPLE:
        return eval_tuple(out, node, context);
    case CVP_AST_LIST:
        return eval_list(out, node, context);
    }
    CVP_ASSERT(!"unknown AST node kind");
    return CVP_ERR_INPUT;
}

cvp_status cvp_eval(cvp_value *out, const cvp_ast_node *node,
                    const cvp_env *env, const char *source_name,
                    cvp_lang_error *err)
{
    return cvp_eval_in(out, node, env, NULL, NULL, source_name, err);
}

cvp_status cvp_eval_in(cvp_value *out, const cvp_ast_node *node,
                       const cvp_env *env, const cvp_definitions *defs,
                       cvp_ring *R, const char *source_name,
                       cvp_lang_error *err)
{
    cvp_eval_context context = {env, source_name, err, R, defs};
    return cvp_eval_node(out, node, &context);
}

cvp_status cvp_eval_unify_rings(cvp_tensor_t a, cvp_tensor_t b,
                                cvp_error *err)
{
    if (a->ring == b->ring)
        return CVP_OK;
    if (a->ring == &cvp_ring_q)
        return cvp_tensor_lift(a, a, b->ring, err);
    if (b->ring == &cvp_ring_q)
        return cvp_tensor_lift(b, b, a->ring, err);
    return cvp_tensor_check_ring("operands", a, b, err);
}

cvp_status cvp_eval_text(cvp_value *out, const char *text, size_t len,
                         const cvp_env *env, const char *source_name,
                         cvp_lang_error *err)
{
    cvp_ast_tree tree;
    cvp_ast_tree_init(&tree);
    cvp_status status = cvp_parse_expression(&tree, text, len, source_name,
                                             err);
    if (status == CVP_OK)
        status = cvp_eval(out, tree.root, env, source_name, err);
    cvp_ast_tree_clear(&tree);
    return status;
}
