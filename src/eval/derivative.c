/* derivative.c -- grad(L, X) and jacobian(Y, X), computed by the checker.
 *
 * Both are special forms: they need the expression L (or Y) itself, not
 * its value, so that it can be evaluated again with X perturbed.
 *
 *   over Q:           every tensor is lifted into the dual numbers and
 *                     entry k of X becomes x_k + e_k; evaluating L then
 *                     yields L and all of dL/dx_k at once, exactly.  A
 *                     comparison of equal values with different slopes
 *                     (ReLU at 0, a tied maximum) means the derivative
 *                     does not exist there: CVP_ERR_NOT_DIFFERENTIABLE,
 *                     with a message naming the kink and the set of the
 *                     active pieces' gradients (eval/subgrad.h).
 *   over polynomials: the entries of X are variables, L is a canonical
 *                     polynomial, and dL/dx_k is its formal derivative.
 *   over intervals:   (the bounded method) jets of enclosures, the
 *                     interval analogue of the dual numbers
 *                     (derivative_bounded.c).
 *
 * Lets are evaluated where they are used (eval/env.h), so a let that
 * depends on X is differentiated through, never taken as a constant. */
#include "eval/eval.h"

#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "kernel/cells.h"

#include "eval/derivative_bounded.h"
#include "eval/subgrad.h"
#include "kernel/ring_interval.h"
#include "kernel/ring_poly.h"
#include "kernel/ring_small.h"

typedef struct {
    const cvp_ast_node *node;       /* the call */
    const cvp_eval_context *context;
    bool is_grad;                   /* else jacobian */
    const char *fn;                 /* "grad" / "jacobian" */
} derivative_call;

static cvp_status kernel_fail(const derivative_call *d, const cvp_error *e)
{
    return cvp_lang_error_from(d->context->err, e, d->context->source_name,
                               d->node->pos, d->fn);
}

/* Shape of the result: X's shape for grad, [size(Y), size(X)] for
 * jacobian. */
static cvp_status check_body(const derivative_call *d, const cvp_value *body,
                             const cvp_ast_node *body_node)
{
    if (body->kind != CVP_VALUE_TENSOR)
        return cvp_eval_fail_at(d->context, CVP_ERR_INPUT, body_node->pos,
                                d->fn, "the first argument must be a tensor "
                                "expression");
    if (d->is_grad && body->tensor->rank != 0) {
        char shape[128];
        cvp_shape_format(shape, sizeof shape, body->tensor->rank, body->tensor->shape);
        return cvp_eval_fail_at(d->context, CVP_ERR_INPUT, body_node->pos,
                                d->fn, "the first argument must be a scalar "
                                "(wrap it in sum(...)); it has shape %s",
                                shape);
    }
    return CVP_OK;
}

static cvp_status resize_result(const derivative_call *d, cvp_tensor_t result,
                                const cvp_tensor_struct *Y,
                                const cvp_tensor_struct *X)
{
    cvp_error e;
    cvp_error_clear(&e);
    cvp_status st = d->is_grad ? cvp_tensor_resize(result, X->rank, X->shape, &e)
                               : cvp_tensor_resize(result, 2,
                                                   (size_t[]){Y->size, X->size}, &e);
    return st == CVP_OK ? CVP_OK : kernel_fail(d, &e);
}

/* ---- over Q: dual numbers ------------------------------------------- */

cvp_status cvp_dual_derivative(cvp_tensor_t result, cvp_kink_info *info,
                               const cvp_eval_context *context,
                               const cvp_ast_node *call, const cvp_ast_node *body_node,
                               const char *wrt, bool is_grad,
                               const unsigned char *choices, size_t count,
                               bool choosing, cvp_kink_pattern *pattern)
{
    derivative_call dc = {call, context, is_grad, call->u.call.name};
    const derivative_call *d = &dc;
    cvp_ring D;
    cvp_ring_dual_init(&D);
    if (choosing)
        cvp_ring_dual_set_choices(&D, choices, count);
    cvp_env lifted;
    cvp_env_init(&lifted);
    cvp_error e;
    cvp_error_clear(&e);
    cvp_status st = CVP_OK;
    const cvp_tensor_struct *X = NULL;
    for (size_t i = 0; st == CVP_OK && i < context->env->count; i++) {
        const cvp_binding *b = &context->env->bindings[i];
        /* Only X becomes dual numbers; the other bindings stay rational
         * and are lifted where they meet X's values (a dim read as an
         * integer argument must stay rational). */
        cvp_tensor_t t;
        cvp_tensor_init(t);
        if (strcmp(b->name, wrt) == 0) {
            X = b->value;
            st = cvp_tensor_lift(t, b->value, &D, &e);
            for (size_t k = 0; st == CVP_OK && k < t->size; k++)   /* x_k + e_k */
                cvp_dual_set_seed(&D, cvp_tensor_elem(t, k), cvp_tensor_at(X, k), k);
        } else {
            st = cvp_tensor_set(t, b->value, &e);
        }
        if (st == CVP_OK)
            st = b->constant ? cvp_env_bind_constant(&lifted, b->name, t, &e)
                             : cvp_env_bind(&lifted, b->name, t, &e);
        cvp_tensor_clear(t);
    }
    if (st != CVP_OK)
        st = kernel_fail(d, &e);

    cvp_value body;
    cvp_value_init(&body);
    if (st == CVP_OK) {
        cvp_eval_context inner = *context;
        inner.env = &lifted;
        inner.ring = &D;
        st = cvp_eval_node(&body, body_node, &inner);
    }
    if (st == CVP_OK)
        st = check_body(d, &body, body_node);
    if (st == CVP_OK && info != NULL) {
        info->kinks = cvp_ring_dual_kinks(&D);
        cvp_kinks_met += info->kinks;
        info->index_count = cvp_ring_dual_first_kink(&D, info->value, info->index,
                                                     4, &info->with_constant);
        info->tie_entries = cvp_ring_dual_first_tie_entries(&D);
    }
    if (st == CVP_OK && choosing && pattern != NULL
        && cvp_kink_pattern_decide(pattern, &D, &e) != CVP_OK)
        st = kernel_fail(d, &e);
    if (st == CVP_OK && info != NULL) {
        /* The value itself: a kink's answers may change it (a rule that
         * masks by a comparison jumps there; eval/subgrad.c). */
        const cvp_tensor_struct *Y = body.tensor;
        st = cvp_tensor_resize(&info->at, Y->rank, Y->shape, &e);
        for (size_t i = 0; st == CVP_OK && i < Y->size; i++) {
            if (Y->ring == &D)
                mpq_set(cvp_tensor_at(&info->at, i),
                        ((const cvp_dual *)cvp_tensor_elem(Y, i))->value);
            else
                mpq_set(cvp_tensor_at(&info->at, i), cvp_tensor_at(Y, i));
        }
        if (st != CVP_OK)
            st = kernel_fail(d, &e);
    }
    if (st == CVP_OK && body.tensor->ring != &D) {
        /* The body did not depend on the environment at all (a literal):
         * its derivative is zero. */
        st = resize_result(d, result, body.tensor, X);
    } else if (st == CVP_OK) {
        const cvp_tensor_struct *Y = body.tensor;
        st = resize_result(d, result, Y, X);
        for (size_t i = 0; st == CVP_OK && i < Y->size; i++)
            for (size_t k = 0; k < X->size; k++)
                cvp_dual_get_deriv(cvp_tensor_at(result, i * X->size + k),
                                   cvp_tensor_elem(Y, i), k);
    }
    /* Every element of ring D must be gone before D itself. */
    cvp_value_clear(&body);
    cvp_env_clear(&lifted);
    cvp_ring_dual_clear(&D);
    return st;
}

/* grad/jacobian over Q: the derivative, or at a kink
 * CVP_ERR_NOT_DIFFERENTIABLE with a message naming the kink and the set
 * of the active pieces' gradients (subgrad.c). */
static cvp_status by_dual_numbers(cvp_value *out, const derivative_call *d,
                                  const cvp_ast_node *body_node,
                                  const char *wrt)
{
    cvp_kink_info info;
    cvp_kink_info_init(&info);
    cvp_tensor_t result;
    cvp_tensor_init(result);
    cvp_status st = cvp_dual_derivative(result, &info, d->context, d->node,
                                        body_node, wrt, d->is_grad, NULL, 0,
                                        false, NULL);
    if (st == CVP_OK && info.kinks > 0) {
        bool unique = false;
        char *text = NULL;
        st = cvp_kink_resolve(result, &unique, &text, d->context, d->node,
                              body_node, wrt, d->is_grad);
        if (st == CVP_OK && !unique) {
            cvp_kink_keep_message(d->fn, text);
            st = cvp_eval_fail_at(d->context, CVP_ERR_NOT_DIFFERENTIABLE,
                                  d->node->pos, d->fn, "%s", text);
        }
        free(text);
    }
    if (st == CVP_OK) {
        cvp_value_make_tensor(out);
        cvp_tensor_swap(out->tensor, result);
    }
    cvp_tensor_clear(result);
    cvp_kink_info_clear(&info);
    return st;
}

/* ---- over polynomials: formal derivatives ------------------------------ */

/* Derivatives being taken over a cell of regions on this thread.  One
 * taken from the pieces around the cell (below) is the derivative only on
 * the cell, not around it, so none is taken inside another's body. */
static _Thread_local int cell_derivatives;

/* The environment of context, with its polynomials copied into R2 (a
 * ring over the same variables) and its rational tensors as they are. */
static cvp_status copy_env(cvp_env *out, const cvp_env *env, cvp_ring *R,
                           cvp_ring *R2, cvp_error *e)
{
    cvp_status st = CVP_OK;
    for (size_t i = 0; st == CVP_OK && i < env->count; i++) {
        const cvp_binding *b = &env->bindings[i];
        cvp_tensor_t t;
        if (b->value->ring == R) {
            cvp_tensor_init_ring(t, R2);
            st = cvp_tensor_resize(t, b->value->rank, b->value->shape, e);
            for (size_t k = 0; st == CVP_OK && k < t->size; k++)
                R2->set(R2, cvp_tensor_elem(t, k), cvp_tensor_elem(b->value, k));
        } else {
            cvp_tensor_init(t);
            st = cvp_tensor_set(t, b->value, e);
        }
        if (st == CVP_OK)
            st = b->constant ? cvp_env_bind_constant(out, b->name, t, e)
                             : cvp_env_bind(out, b->name, t, e);
        cvp_tensor_clear(t);
    }
    return st;
}

/* The derivative on a cell where the body has kinks: its pieces around
 * the cell (kernel/cells.h, "Pieces"), each differentiated formally and
 * its equalities substituted; the derivative exists on the cell when
 * every piece takes there the body's value on the cell (`at_cell`: the
 * body is continuous) and their derivatives all agree there, and is then
 * their common value.  Pieces that jump or whose derivatives differ leave
 * the cell to be sampled (CVP_ERR_UNSUPPORTED): at its generic points
 * there is no derivative.  result has its shape. */
static cvp_status by_pieces(const derivative_call *d, cvp_cells *cells,
                            const cvp_ast_node *body_node,
                            const cvp_tensor_struct *at_cell, const uint32_t *vars,
                            size_t count, cvp_tensor_t result)
{
    cvp_ring *R = d->context->ring;
    cvp_cell_pieces *walk = cvp_cell_pieces_new(cells);
    cvp_error e;
    cvp_error_clear(&e);
    cvp_status st = CVP_OK;
    bool more = true, first = true, agree = true, continuous = true;
    size_t pieces = 0;
    cvp_poly g;
    R->init(R, &g);
    while (more && agree && st == CVP_OK) {
        if (++pieces > 4096) {
            st = cvp_eval_fail_at(d->context, CVP_ERR_UNSUPPORTED, d->node->pos,
                                  d->fn, "more than 4096 pieces around a cell "
                                  "of regions");
            break;
        }
        cvp_ring R2;
        cvp_ring_poly_init(&R2, CVP_POLY_DEFAULT_MAX_TERMS);
        for (size_t v = 0; v < cvp_ring_poly_var_count(R); v++)
            cvp_ring_poly_add_var(&R2, cvp_ring_poly_var_name(R, (uint32_t)v));
        cvp_cell_pieces_attach(walk, &R2);
        cvp_cell_pieces_begin(walk);
        cvp_env env;
        cvp_env_init(&env);
        cvp_value body;
        cvp_value_init(&body);
        st = copy_env(&env, d->context->env, R, &R2, &e);
        if (st != CVP_OK)
            st = kernel_fail(d, &e);
        if (st == CVP_OK)
            st = cvp_eval_in(&body, body_node, &env, d->context->defs, &R2,
                             d->context->source_name, d->context->err);
        if (st == CVP_OK && (body.kind != CVP_VALUE_TENSOR
                             || body.tensor->size * count != result->size))
            st = cvp_eval_fail_at(d->context, CVP_ERR_UNSUPPORTED, d->node->pos,
                                  d->fn, "a piece of another size");
        if (st == CVP_OK) {
            st = cvp_cells_same_values(cells, &R2, body.tensor, at_cell, &continuous, &e);
            if (st != CVP_OK)
                st = kernel_fail(d, &e);
            agree = continuous;
        }
        cvp_poly p2;
        R2.init(&R2, &p2);
        for (size_t i = 0; st == CVP_OK && agree && i < result->size; i++) {
            const cvp_tensor_struct *Y = body.tensor;
            if (Y->ring == &R2)
                cvp_poly_derivative(&R2, &p2, cvp_tensor_elem(Y, i / count),
                                    vars[i % count]);
            else
                R2.sub(&R2, &p2, &p2, &p2);   /* a constant: 0 */
            st = cvp_cells_substitute(cells, &R2, &p2, &p2, &e);
            if (st != CVP_OK) {
                st = kernel_fail(d, &e);
                break;
            }
            R->set(R, &g, &p2);   /* the same variables: copied as is */
            if (first) {
                R->set(R, cvp_tensor_elem(result, i), &g);
            } else {
                R->sub(R, &g, &g, cvp_tensor_elem(result, i));
                agree = g.len == 0;
            }
        }
        R2.clear(&R2, &p2);
        cvp_value_clear(&body);
        cvp_env_clear(&env);
        cvp_ring_poly_clear(&R2);
        first = false;
        if (st == CVP_OK && agree)
            cvp_cell_pieces_advance(walk, &more);
    }
    R->clear(R, &g);
    cvp_cell_pieces_free(walk);
    if (st == CVP_OK && !continuous)
        st = cvp_eval_fail_at(d->context, CVP_ERR_UNSUPPORTED, d->node->pos, d->fn,
                              "the function jumps at this cell of regions (a "
                              "piece around it takes another value there), so "
                              "it has no derivative at the cell's points");
    else if (st == CVP_OK && !agree)
        st = cvp_eval_fail_at(d->context, CVP_ERR_UNSUPPORTED, d->node->pos, d->fn,
                              "the pieces around this cell of regions have "
                              "different derivatives (there is none at its "
                              "generic points)");
    if (st == CVP_OK && cvp_ring_check(R, &e) != CVP_OK)
        st = kernel_fail(d, &e);
    return st;
}

static cvp_status by_polynomials(cvp_value *out, const derivative_call *d,
                                 const cvp_ast_node *body_node,
                                 const cvp_tensor_struct *X)
{
    cvp_ring *R = d->context->ring;
    uint32_t *vars = malloc((X->size ? X->size : 1) * sizeof *vars);
    CVP_ASSERT(vars != NULL);
    cvp_status st = CVP_OK;
    for (size_t k = 0; st == CVP_OK && k < X->size; k++)
        if (!cvp_poly_get_var(cvp_tensor_elem(X, k), &vars[k]))
            st = cvp_eval_fail_at(d->context, CVP_ERR_UNSUPPORTED, d->node->pos,
                                  d->fn, "entry %zu of the variable tensor is "
                                  "not an indeterminate", k);
    cvp_value body;
    cvp_value_init(&body);
    /* Polynomials ordered along a cell (the regions method, kernel/
     * cells.h): where every comparison inside the body is strict on the
     * cell, the body equals its polynomial on a neighbourhood of each
     * point, and the formal derivative is the derivative.  A comparison
     * that ties on the cell is a kink there, where the derivative depends
     * on the neighbouring cells: not judged. */
    cvp_cells *cells = cvp_cells_of_ring(R);
    if (st == CVP_OK && R->cmp != NULL && cells == NULL)
        /* the ring of a piece around a cell (cells.h): its comparisons
         * at the cell's kinks are answered by a direction, so a formal
         * derivative there would be one-sided */
        st = cvp_eval_fail_at(d->context, CVP_ERR_UNSUPPORTED, d->node->pos, d->fn,
                              "regions does not take a derivative inside "
                              "the function whose pieces it walks");
    size_t ties_before = cells != NULL ? cvp_cells_ties(cells) : 0;
    if (st == CVP_OK && cells != NULL && cell_derivatives > 0)
        st = cvp_eval_fail_at(d->context, CVP_ERR_UNSUPPORTED, d->node->pos, d->fn,
                              "regions does not take a derivative inside "
                              "another derivative's function");
    cell_derivatives += cells != NULL;
    if (st == CVP_OK)
        st = cvp_eval_node(&body, body_node, d->context);
    cell_derivatives -= cells != NULL;
    bool kinks = st == CVP_OK && cells != NULL && cvp_cells_ties(cells) != ties_before;
    if (st == CVP_OK)
        st = check_body(d, &body, body_node);
    cvp_tensor_t result;
    cvp_tensor_init_ring(result, R);
    if (st == CVP_OK && kinks) {
        /* a kink of the body on the cell: the pieces around it decide */
        st = resize_result(d, result, body.tensor, X);
        if (st == CVP_OK)
            st = by_pieces(d, cells, body_node, body.tensor, vars, X->size, result);
    } else if (st == CVP_OK && body.tensor->ring != R) {
        st = resize_result(d, result, body.tensor, X);   /* a constant: zero */
    } else if (st == CVP_OK) {
        const cvp_tensor_struct *Y = body.tensor;
        st = resize_result(d, result, Y, X);
        for (size_t i = 0; st == CVP_OK && i < Y->size; i++)
            for (size_t k = 0; k < X->size; k++)
                cvp_poly_derivative(R, cvp_tensor_elem(result, i * X->size + k),
                                    cvp_tensor_elem(Y, i), vars[k]);
        cvp_error e;
        cvp_error_clear(&e);
        if (st == CVP_OK && cvp_ring_check(R, &e) != CVP_OK)
            st = kernel_fail(d, &e);
    }
    if (st == CVP_OK) {
        cvp_value_make_tensor(out);
        cvp_tensor_swap(out->tensor, result);
    }
    cvp_tensor_clear(result);
    cvp_value_clear(&body);
    free(vars);
    return st;
}

cvp_status cvp_eval_derivative(cvp_value *out, const cvp_ast_node *node,
                               const cvp_eval_context *context)
{
    derivative_call d = {node, context, strcmp(node->u.call.name, "grad") == 0,
                         node->u.call.name};
    const char *usage = d.is_grad ? "grad(L, X): the derivative of the scalar L "
                                    "with respect to the input tensor X"
                                  : "jacobian(Y, X): the matrix of dY/dX, rows "
                                    "vec(Y), columns vec(X)";
    if (node->u.call.count != 2 || node->u.call.args[0].keyword != NULL
        || node->u.call.args[1].keyword != NULL)
        return cvp_eval_fail_at(d.context, CVP_ERR_INPUT, node->pos, d.fn,
                                "takes two positional arguments: %s", usage);
    const cvp_ast_node *body = node->u.call.args[0].value;
    const cvp_ast_node *wrt = node->u.call.args[1].value;
    const cvp_tensor_struct *X = NULL;
    if (wrt->kind == CVP_AST_NAME && context->env != NULL)
        X = cvp_env_lookup(context->env, wrt->u.name.text);
    if (X == NULL)
        return cvp_eval_fail_at(d.context, CVP_ERR_INPUT, wrt->pos, d.fn,
                                "the second argument must name an input tensor "
                                "(declared with `tensor`); %s", usage);
    cvp_ring *R = context->ring != NULL ? context->ring : &cvp_ring_q;
    if (R == &cvp_ring_q)
        return by_dual_numbers(out, &d, body, wrt->u.name.text);
    if (cvp_ring_is_poly(R))
        return by_polynomials(out, &d, body, X);
    /* The bounded method: jets over intervals (derivative_bounded.c). */
    if (cvp_ring_is_interval(R))
        return cvp_derivative_by_jets(out, node, context, body,
                                      wrt->u.name.text, d.is_grad);
    return cvp_eval_fail_at(d.context, CVP_ERR_UNSUPPORTED, node->pos, d.fn,
                            "derivatives are computed over Q or over "
                            "polynomials, not in %s", R->name);
}
