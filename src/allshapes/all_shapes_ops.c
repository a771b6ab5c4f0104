/* all_shapes_ops.c -- calls as parametric relations: binding their
 * arguments, grad and jacobian, and dispatching to the operator files
 * (part of the trusted kernel: the translation to isl relations; the
 * scheme is in all_shapes_ops.h). */
#include "allshapes/all_shapes_ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <isl/local_space.h>
#include <isl/val.h>

#include "eval/call.h"

/* ---- arguments of calls -------------------------------------------------------- */

static void args_clear(args *a)
{
    for (int p = 0; p < CVP_BUILTIN_MAX_PARAMS; p++)
        as_value_clear(&a->v[p]);
}

/* Binds and translates the arguments as eval/call.c does; a call the
 * evaluator rejects (unknown keyword, missing argument) is AS_REJECT. */
static as_rc bind_args(as_tr *tr, args *a, const cvp_ast_node *node,
                       const cvp_builtin *fn, size_t lets)
{
    a->fn = fn;
    a->n = cvp_builtin_param_count(fn);
    int slot[CVP_BUILTIN_MAX_PARAMS];
    for (int p = 0; p < CVP_BUILTIN_MAX_PARAMS; p++) {
        as_value_init(&a->v[p]);
        a->given[p] = false;
        a->pos[p] = node->pos;
        slot[p] = -1;
    }
    int positional = 0;
    for (size_t i = 0; i < node->u.call.count; i++) {
        const cvp_ast_arg *arg = &node->u.call.args[i];
        int p;
        if (arg->keyword == NULL) {
            if (positional >= fn->max_positional)
                return as_reject(tr);
            p = positional++;
        } else {
            p = cvp_builtin_param_index(fn, arg->keyword);
            if (p < 0 || slot[p] >= 0)
                return as_reject(tr);
        }
        slot[p] = (int)i;
    }
    for (int p = 0; p < a->n; p++) {
        const cvp_param_spec *spec = &fn->params[p];
        if (slot[p] >= 0) {
            const cvp_ast_node *value = node->u.call.args[slot[p]].value;
            a->given[p] = true;
            a->pos[p] = value->pos;
            as_rc rc = as_translate(tr, &a->v[p], value, lets);
            if (rc != AS_OK)
                return rc;
            continue;
        }
        switch (spec->dflt) {
        case CVP_PARAM_REQUIRED:
            return as_reject(tr);
        case CVP_PARAM_NONE:
            break;
        case CVP_PARAM_INT:
            a->v[p].kind = AV_NUM;
            mpq_set_si(a->v[p].num, spec->int_value, 1);
            break;
        case CVP_PARAM_BOOL:
            a->v[p].kind = AV_BOOL;
            a->v[p].boolean = spec->int_value != 0;
            break;
        case CVP_PARAM_SAME_AS:
            /* left absent (not given): only the shape translation of
             * pooling (all_shapes_ops_shape.c) has such a parameter, and
             * it copies the kernel size itself; anything else refuses */
            if (!tr->shapes_only)
                return as_na(tr, node->pos, "%s: default arguments copied from "
                             "another argument are not supported", fn->name);
            break;
        }
    }
    return AS_OK;
}

as_rc as_arg_tensor(as_tr *tr, args *a, int p, as_tensor **out)
{
    as_value *v = &a->v[p];
    *out = NULL;
    if (v->kind == AV_TENSOR) {
        *out = v->t;
        v->t = NULL;
        return AS_OK;
    }
    if (v->kind == AV_NUM)
        return as_constant(tr, out, v->num);
    if (v->kind == AV_SYM)
        return as_na(tr, a->pos[p], "%s: a dim is used as a tensor argument",
                     a->fn->name);
    if (v->kind == AV_QP)
        return as_na(tr, a->pos[p], "a count (mults, size, a sum of products of dims) as a tensor argument is not supported by all_shapes");
    return as_reject(tr);
}

as_rc as_int_value(as_tr *tr, const as_value *v, cvp_srcpos pos, long min,
                   isl_pw_aff **out)
{
    *out = NULL;
    if (v->kind == AV_NUM) {
        if (mpz_cmp_ui(mpq_denref(v->num), 1) != 0
            || mpz_cmp_si(mpq_numref(v->num), min) < 0
            || mpz_cmpabs_ui(mpq_numref(v->num), (unsigned long)CVP_CALL_MAX_INT) > 0)
            return as_reject(tr);
        *out = as_pconst(tr, mpz_get_si(mpq_numref(v->num)));
        return *out ? AS_OK : as_fail(tr, "an argument");
    }
    if (v->kind == AV_QP)
        return as_na(tr, pos, "a count (mults, size, a sum of products of dims) as an integer argument is not supported by all_shapes");
    if (v->kind != AV_SYM)
        return as_reject(tr);
    if (v->nf != 1)
        return as_na(tr, pos, "an argument is a product of dims (not affine)");
    isl_pw_aff *x = isl_pw_aff_copy(v->factor[0]);
    isl_pw_aff *fl = isl_pw_aff_floor(isl_pw_aff_copy(x));
    as_require(tr, isl_pw_aff_eq_set(isl_pw_aff_copy(fl), x));
    as_require(tr, as_p_ge(tr, fl, min));
    *out = fl;
    return fl ? AS_OK : as_fail(tr, "an argument");
}

as_rc as_const_value(as_tr *tr, const as_value *v, cvp_srcpos pos,
                     const char *what, long min, long *out)
{
    if (v->kind == AV_NUM) {
        if (mpz_cmp_ui(mpq_denref(v->num), 1) != 0
            || mpz_cmp_si(mpq_numref(v->num), min) < 0
            || mpz_cmpabs_ui(mpq_numref(v->num), (unsigned long)CVP_CALL_MAX_INT) > 0)
            return as_reject(tr);
        *out = mpz_get_si(mpq_numref(v->num));
        return AS_OK;
    }
    if (v->kind == AV_QP)
        return as_na(tr, pos, "a count (mults, size, a sum of products of dims) as a hyper-parameter is not supported by all_shapes");
    if (v->kind != AV_SYM)
        return as_reject(tr);
    isl_bool cst = v->nf == 1 ? as_pconstant(tr, v->factor[0], out) : isl_bool_false;
    if (cst < 0)
        return as_fail(tr, what);
    if (!cst)
        return as_na(tr, pos, "the %s is a dim; all_shapes needs a number there "
                     "(the index arithmetic would not be affine)", what);
    if (*out < min)
        return as_reject(tr);
    return AS_OK;
}

/* An integer or a pair (height, width). */
static as_rc pair_items(as_tr *tr, const as_value *v, const as_value *items[2])
{
    if (v->kind == AV_TUPLE) {
        if (v->count != 2)
            return as_reject(tr);
        items[0] = &v->items[0];
        items[1] = &v->items[1];
    } else {
        items[0] = items[1] = v;
    }
    return AS_OK;
}

as_rc as_arg_const_pair(as_tr *tr, args *a, int p, const char *what,
                        long min, long out[2])
{
    const as_value *items[2];
    as_rc rc = pair_items(tr, &a->v[p], items);
    for (int k = 0; k < 2 && rc == AS_OK; k++)
        rc = as_const_value(tr, items[k], a->pos[p], what, min, &out[k]);
    return rc;
}

as_rc as_arg_int_pair(as_tr *tr, args *a, int p, long min, isl_pw_aff *out[2])
{
    const as_value *items[2];
    out[0] = out[1] = NULL;
    as_rc rc = pair_items(tr, &a->v[p], items);
    for (int k = 0; k < 2 && rc == AS_OK; k++)
        rc = as_int_value(tr, items[k], a->pos[p], min, &out[k]);
    return rc;
}

as_rc as_arg_const_list(as_tr *tr, args *a, int p, long *out, int max, int *count)
{
    const as_value *v = &a->v[p];
    if (v->kind != AV_TUPLE) {
        *count = 1;
        return as_const_value(tr, v, a->pos[p], "axis", -CVP_CALL_MAX_INT, &out[0]);
    }
    if ((int)v->count > max)
        return as_reject(tr);
    *count = (int)v->count;
    for (size_t k = 0; k < v->count; k++) {
        as_rc rc = as_const_value(tr, &v->items[k], a->pos[p], "axis",
                                  -CVP_CALL_MAX_INT, &out[k]);
        if (rc != AS_OK)
            return rc;
    }
    return AS_OK;
}

/* ---- grad and jacobian ------------------------------------------------------------ */

static as_rc fn_derivative(as_tr *tr, as_value *out, const cvp_ast_node *node,
                           bool is_grad, size_t lets)
{
    if (node->u.call.count != 2 || node->u.call.args[0].keyword != NULL
        || node->u.call.args[1].keyword != NULL)
        return as_reject(tr);
    const cvp_ast_node *wrt = node->u.call.args[1].value;
    int t = -1;
    if (wrt->kind == CVP_AST_NAME) {
        for (size_t k = 0; k < tr->claim->tensor_count; k++)
            if (strcmp(tr->claim->tensors[k].name, wrt->u.name.text) == 0)
                t = (int)k;
        for (size_t k = 0; t < 0 && k < tr->claim->dim_count; k++)
            if (strcmp(tr->claim->dims[k].name, wrt->u.name.text) == 0)
                return as_na(tr, wrt->pos, "a derivative with respect to a dim");
    }
    if (t < 0)
        return as_reject(tr);
    as_value body;
    as_value_init(&body);
    as_tensor *Y = NULL;
    as_rc rc = as_translate(tr, &body, node->u.call.args[0].value, lets);
    if (rc == AS_OK && body.kind == AV_NUM)
        rc = as_constant(tr, &Y, body.num);
    else if (rc == AS_OK && body.kind == AV_TENSOR)
        Y = body.t, body.t = NULL;
    else if (rc == AS_OK && (body.kind == AV_SYM || body.kind == AV_QP))
        rc = as_na(tr, node->pos, "a derivative of a dim expression or a count");
    else if (rc == AS_OK)
        rc = as_reject(tr);
    as_value_clear(&body);
    if (rc == AS_OK && is_grad && Y->rank != 0)
        rc = as_reject(tr);   /* "the first argument must be a scalar" */
    if (rc != AS_OK) {
        as_tensor_free(Y);
        return rc;
    }
    int rx = as_tensor_rank(tr, t);
    as_tensor *D = as_tensor_new(is_grad ? rx : 2);
    if (is_grad) {
        for (int a = 0; a < rx; a++)
            as_push_sub(D, a, isl_pw_aff_copy(tr->shape[(size_t)t * CVP_MAX_RANK + (size_t)a]));
    } else {
        for (int d = 0; d < Y->ndims; d++)
            as_push_sub(D, 0, isl_pw_aff_copy(Y->size[d]));
        for (int a = 0; a < rx; a++)
            as_push_sub(D, 1, isl_pw_aff_copy(tr->shape[(size_t)t * CVP_MAX_RANK + (size_t)a]));
    }
    as_give_tensor(out, D);
    /* d/dX[x] of c * X[x] * rest is c * rest: move X's indices from the
     * monomial to the entry */
    uint64_t bit = (uint64_t)1 << t;
    for (size_t p = 0; p < Y->count && rc == AS_OK; p++) {
        as_piece *piece = &Y->pieces[p];
        if (!(piece->family & bit))
            continue;
        int off = as_family_offset(tr, piece->family, t);
        isl_map *rel = isl_map_move_dims(isl_map_copy(piece->rel), isl_dim_in,
                                         (unsigned)Y->ndims, isl_dim_out,
                                         (unsigned)off, (unsigned)rx);
        rc = as_tensor_add(tr, D, piece->coef, piece->family & ~bit, rel);
    }
    as_tensor_free(Y);
    if (rc == AS_OK && !is_grad)
        rc = as_drop_units(tr, D);
    return rc;
}

/* ---- calls --------------------------------------------------------------------------- */

as_rc as_call_backward_mults(as_tr *tr, const cvp_ast_node *node, size_t lets,
                             bool input, isl_pw_qpolynomial **out)
{
    *out = NULL;
    const cvp_builtin *fn = cvp_builtin_find(node->u.call.name);
    if (fn == NULL)
        return as_reject(tr);
    args a;
    as_rc rc = bind_args(tr, &a, node, fn, lets);
    if (rc == AS_OK)
        rc = as_layer_backward_mults(tr, &a, input ? BW_INPUT : BW_WEIGHT, node->pos, out);
    args_clear(&a);
    return rc;
}

as_rc as_call(as_tr *tr, as_value *out, const cvp_ast_node *node, size_t lets)
{
    const char *name = node->u.call.name;
    if (strcmp(name, "grad") == 0 || strcmp(name, "jacobian") == 0) {
        if (tr->shapes_only)   /* the evaluator computes no derivative in
                                * the shape-only ring */
            return as_na(tr, node->pos, "mults(...) or size(...) of %s is not "
                         "covered", name);
        return fn_derivative(tr, out, node, name[0] == 'g', lets);
    }
    if (strcmp(name, "mults") == 0 || strcmp(name, "size") == 0)
        return as_cost_call(tr, out, node, lets);
    if (tr->shapes_only && (strcmp(name, "concat") == 0 || strcmp(name, "cat") == 0
                            || strcmp(name, "stack") == 0))
        return as_shape_join(tr, out, node, lets, name[0] == 's');
    if (tr->shapes_only && strcmp(name, "index") == 0)
        return as_shape_index(tr, out, node, lets);
    if (tr->shapes_only && as_shape_only_op(name)) {
        /* inside mults(...) or size(...): sizes only */
        args a;
        as_rc rc = bind_args(tr, &a, node, cvp_builtin_find(name), lets);
        if (rc == AS_OK)
            rc = as_shape_only_call(tr, out, &a, name, node->pos);
        args_clear(&a);
        return rc;
    }
    static const char *const outside[] = {
        "relu", "max_pool2d", "avg_pool2d", "max_pool2d_backward",
        "avg_pool2d_backward"};
    for (size_t k = 0; k < sizeof outside / sizeof outside[0]; k++)
        if (strcmp(name, outside[k]) == 0)
            return as_na(tr, node->pos, "%s is outside the multilinear class "
                         "all_shapes handles", name);
    if (strcmp(name, "subgrad") == 0)
        return as_na(tr, node->pos, "subgrad(L, X) is a set at a kink; the "
                     "exact method decides membership");
    if (strchr(name, '.') != NULL)
        return as_na(tr, node->pos, "%s runs an external implementation; "
                     "only the exact method can call it", name);
    const cvp_builtin *fn = cvp_builtin_find(name);
    if (fn == NULL)
        return as_reject(tr);   /* "unknown function" */
    args a;
    as_rc rc = bind_args(tr, &a, node, fn, lets);
    if (rc == AS_OK) {
        cvp_srcpos pos = node->pos;
        if (strcmp(name, "xcorr") == 0)
            rc = as_textbook_pair(tr, out, &a, TB_XCORR, pos);
        else if (strcmp(name, "conv") == 0)
            rc = as_textbook_pair(tr, out, &a, TB_CONV, pos);
        else if (strcmp(name, "wide") == 0)
            rc = as_textbook_pair(tr, out, &a, TB_WIDE, pos);
        else if (strcmp(name, "rot180") == 0)
            rc = as_index_op(tr, out, &a, IX_ROT180, pos);
        else if (strcmp(name, "pad") == 0)
            rc = as_index_op(tr, out, &a, IX_PAD, pos);
        else if (strcmp(name, "dilate") == 0)
            rc = as_index_op(tr, out, &a, IX_DILATE, pos);
        else if (strcmp(name, "transpose") == 0)
            rc = as_fn_transpose(tr, out, &a, pos);
        else if (strcmp(name, "reshape") == 0)
            rc = as_fn_reshape(tr, out, &a, pos);
        else if (strcmp(name, "sum") == 0)
            rc = as_fn_sum(tr, out, &a, pos);
        else if (strcmp(name, "matmul") == 0) {
            as_tensor *A = NULL, *B = NULL;
            rc = as_arg_tensor(tr, &a, 0, &A);
            if (rc == AS_OK)
                rc = as_arg_tensor(tr, &a, 1, &B);
            if (rc == AS_OK) {
                out->kind = AV_TENSOR;
                rc = as_matmul(tr, &out->t, A, B, pos);
            }
            as_tensor_free(A);
            as_tensor_free(B);
        } else if (strcmp(name, "floordiv") == 0)
            rc = as_fn_floordiv(tr, out, &a, pos);
        else if (strcmp(name, "conv2d") == 0)
            rc = as_fn_conv2d(tr, out, &a, pos);
        else if (strcmp(name, "conv_transpose2d") == 0)
            rc = as_fn_conv_transpose2d(tr, out, &a, pos);
        else if (strcmp(name, "conv2d_backward_input") == 0)
            rc = as_fn_layer_linear(tr, out, &a, BW_INPUT, pos);
        else if (strcmp(name, "conv2d_backward_weight") == 0)
            rc = as_fn_layer_linear(tr, out, &a, BW_WEIGHT, pos);
        else if (strcmp(name, "conv2d_backward_bias") == 0)
            rc = as_fn_backward_bias(tr, out, &a, pos);
        else if (strcmp(name, "conv2d_matrix_input") == 0)
            rc = as_fn_layer_linear(tr, out, &a, MX_INPUT, pos);
        else if (strcmp(name, "conv2d_matrix_weight") == 0)
            rc = as_fn_layer_linear(tr, out, &a, MX_WEIGHT, pos);
        else
            rc = as_na(tr, pos, "%s is not supported by all_shapes", name);
    }
    args_clear(&a);
    return rc;
}
