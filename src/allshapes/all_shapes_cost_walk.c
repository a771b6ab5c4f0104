/* all_shapes_cost_walk.c -- mults(E) and size(E) for every shape: the
 * cost model of each operator as a quasi-polynomial in the dims, added up
 * over E (part of the trusted kernel: the translation to isl; what a count
 * is and how two are compared is in all_shapes_cost.c).
 *
 * The cost model, operator by operator (the kernel's cvp_ring_note_mults
 * calls; a value "in S" depends on an input, values of dims and literals
 * stay rational and count nothing):
 *
 *   conv2d(X, K, ...)           size(out) * K1 * K2 * K3   (N O Ho Wo Cg kH kW)
 *   conv_transpose2d(X, K, ...) size(X) * K1 * K2 * K3     (N C H W Og kH kW)
 *   xcorr, conv, wide (W, X)    size(out) * size(W)        (out_rows out_cols U V)
 *   A @ B, matmul(A, B)         size(out) * last axis of A (m n k)
 *   conv2d_backward_input,      one textbook wide or xcorr per (n, o, cg)
 *   conv2d_backward_weight      plane (kernel/conv2d_backward.c); the
 *                               products are in all_shapes_ops_conv.c
 *                               (as_layer_backward_mults)
 *   A * B (either in S)         size(out)                  (elementwise, broadcast)
 *   A / c (A in S)              size(A)                    (cvp_tensor_scale)
 *   + - unary-, rot180, pad, dilate, transpose, reshape, sum,
 *   conv2d_backward_bias: nothing
 *
 *   conv1d, conv3d (X, K, ...)  size(out) * K1 * ... (N O Lo Cg kL, ...)
 *   X ** n (n a natural number)  size(X) * (n - 1) for n >= 2
 *   relu, abs, max, min, max_pool2d, avg_pool2d, their backward
 *   formulas, concat, stack, X[...], the explicit conv2d matrices:
 *                               nothing (comparisons, copies and
 *                               additions; the
 *                               average's division is a scale by a
 *                               constant the kernel does not count)
 *
 * Inside mults(...) and size(...) the translation runs with
 * tr->shapes_only: relu and its backward formula, abs, max, min, powers,
 * pooling, conv1d, conv3d, concat, stack and indexing, outside what
 * all_shapes relates, then get tensors of the right sizes
 * (all_shapes_ops_shape.c).  Every other operator inside mults(...)
 * (grad, division by an input, ...) makes the method not applicable: a
 * count is never guessed.
 */
#include "allshapes/all_shapes_ops.h"

#include <string.h>

/* ---- the cost walk ---------------------------------------------------------------- */

/* The argument node bound to parameter p of fn (as eval/call.c binds),
 * or NULL when absent. */
static const cvp_ast_node *arg_node(const cvp_ast_node *node, const cvp_builtin *fn,
                                    int p)
{
    int positional = 0;
    for (size_t i = 0; i < node->u.call.count; i++) {
        const cvp_ast_arg *arg = &node->u.call.args[i];
        int slot = arg->keyword == NULL ? positional++
                                        : cvp_builtin_param_index(fn, arg->keyword);
        if (slot == p)
            return arg->value;
    }
    return NULL;
}

typedef enum { OP_FREE, OP_CONV2D, OP_CONV_T2D, OP_TEXTBOOK, OP_MATMUL, OP_BW_INPUT,
               OP_BW_WEIGHT, OP_POW, OP_CONV1D, OP_CONV3D } op_kind;

/* The operators whose count is known (the table at the top); a name not
 * listed makes the count not applicable. */
static bool covered(const char *name, op_kind *kind)
{
    static const char *const free_ops[] = {"rot180", "pad", "dilate", "transpose",
                                           "reshape", "sum", "conv2d_backward_bias",
                                           "relu", "abs", "max_pool2d", "avg_pool2d",
                                           "max_pool2d_backward", "avg_pool2d_backward",
                                           "max", "min", "concat", "cat", "stack",
                                           "index", "relu_backward",
                                           "conv2d_matrix_input", "conv2d_matrix_weight"};
    for (size_t k = 0; k < sizeof free_ops / sizeof free_ops[0]; k++)
        if (strcmp(name, free_ops[k]) == 0) {
            *kind = OP_FREE;
            return true;
        }
    if (strcmp(name, "conv2d") == 0)
        *kind = OP_CONV2D;
    else if (strcmp(name, "conv_transpose2d") == 0)
        *kind = OP_CONV_T2D;
    else if (strcmp(name, "xcorr") == 0 || strcmp(name, "conv") == 0
             || strcmp(name, "wide") == 0)
        *kind = OP_TEXTBOOK;
    else if (strcmp(name, "matmul") == 0)
        *kind = OP_MATMUL;
    else if (strcmp(name, "conv2d_backward_input") == 0)
        *kind = OP_BW_INPUT;
    else if (strcmp(name, "conv2d_backward_weight") == 0)
        *kind = OP_BW_WEIGHT;
    else if (strcmp(name, "pow") == 0)
        *kind = OP_POW;
    else if (strcmp(name, "conv1d") == 0)
        *kind = OP_CONV1D;
    else if (strcmp(name, "conv3d") == 0)
        *kind = OP_CONV3D;
    else
        return false;
    return true;
}

static as_rc walk(as_tr *tr, const cvp_ast_node *node, size_t lets,
                  isl_pw_qpolynomial **acc, bool *in_s);


/* acc += a * b (both taken). */
static as_rc add_product(as_tr *tr, isl_pw_qpolynomial **acc, isl_pw_qpolynomial *a,
                         isl_pw_qpolynomial *b)
{
    *acc = isl_pw_qpolynomial_add(*acc, isl_pw_qpolynomial_mul(a, b));
    return *acc ? AS_OK : as_fail(tr, "a count");
}

/* X ** n (pow): n - 1 multiplications per entry of X for n >= 2, none
 * for 0 and 1 (kernel/tensor_order.c, cvp_tensor_pow), when X depends on
 * the inputs; n must be a natural number literal. */
static as_rc pow_count(as_tr *tr, const cvp_ast_node *node, const cvp_builtin *fn,
                       size_t lets, bool base_in_s, isl_pw_qpolynomial **acc)
{
    const cvp_ast_node *base = arg_node(node, fn, 0), *exponent = arg_node(node, fn, 1);
    if (base == NULL || exponent == NULL)
        return as_reject(tr);
    as_value n;
    as_value_init(&n);
    as_rc rc = as_translate(tr, &n, exponent, lets);
    if (rc == AS_OK && (n.kind != AV_NUM || mpz_cmp_ui(mpq_denref(n.num), 1) != 0
                        || mpz_sgn(mpq_numref(n.num)) < 0
                        || mpz_cmp_ui(mpq_numref(n.num), 1UL << 20) > 0))
        rc = as_na(tr, exponent->pos, "a count through '**' needs a natural number "
                   "(at most 2^20) as the exponent");
    if (rc == AS_OK && !base_in_s)
        rc = as_na(tr, node->pos, "mults(...) of '**' of a value that does not "
                   "depend on the inputs is not covered");
    long e = rc == AS_OK ? mpz_get_si(mpq_numref(n.num)) : 0;
    as_value_clear(&n);
    if (rc != AS_OK || e < 2)
        return rc;
    isl_pw_qpolynomial *x = NULL;
    rc = as_node_sizes(tr, base, lets, -1, -1, -1, &x);
    if (rc != AS_OK)
        return rc;
    mpq_t m;
    mpq_init(m);
    mpq_set_si(m, e - 1, 1);
    isl_pw_qpolynomial *y = as_qp_const(tr, m);
    mpq_clear(m);
    return add_product(tr, acc, x, y);
}

static as_rc walk_call(as_tr *tr, const cvp_ast_node *node, size_t lets,
                       isl_pw_qpolynomial **acc, bool *in_s)
{
    const char *name = node->u.call.name;
    const cvp_builtin *fn = cvp_builtin_find(name);
    op_kind kind = OP_FREE;
    bool is_floordiv = strcmp(name, "floordiv") == 0;
    if (fn == NULL || (!is_floordiv && !covered(name, &kind)))
        return as_na(tr, node->pos, "mults(...) of %s: its count is not among "
                     "those all_shapes knows (see all_shapes_cost.c)", name);
    if (strcmp(name, "index") == 0) {
        /* a copy: the input's own count (the subscripts are integers and
         * slices of dims and literals, as_shape_index checked them) */
        if (node->u.call.count < 1 || node->u.call.args[0].keyword != NULL)
            return as_reject(tr);
        return walk(tr, node->u.call.args[0].value, lets, acc, in_s);
    }
    if (strcmp(name, "concat") == 0 || strcmp(name, "cat") == 0
        || strcmp(name, "stack") == 0) {
        /* copies: the items' own counts (the list as written in the call;
         * as_shape_join checked the rest when E was translated) */
        const cvp_ast_node *list = arg_node(node, fn, 0);
        if (list == NULL || (list->kind != CVP_AST_LIST && list->kind != CVP_AST_TUPLE))
            return as_na(tr, node->pos, "concat/stack of something other than a "
                         "list written in the call");
        *in_s = false;
        for (size_t k = 0; k < list->u.items.count; k++) {
            bool item_s = false;
            as_rc rc = walk(tr, list->u.items.items[k], lets, acc, &item_s);
            if (rc != AS_OK)
                return rc;
            *in_s = *in_s || item_s;
        }
        return AS_OK;
    }
    /* the arguments' own counts; which of them depend on the inputs */
    bool s[CVP_BUILTIN_MAX_PARAMS] = {false};
    bool any = false;
    int n = cvp_builtin_param_count(fn);
    for (int p = 0; p < n; p++) {
        const cvp_ast_node *arg = arg_node(node, fn, p);
        if (arg == NULL)
            continue;
        as_rc rc = walk(tr, arg, lets, acc, &s[p]);
        if (rc != AS_OK)
            return rc;
        any = any || s[p];
    }
    *in_s = any;
    if (is_floordiv)
        return any ? as_na(tr, node->pos, "'//' of an input") : AS_OK;
    /* only the tensor operands may depend on the inputs, and both
     * operands of a counted operator must (the kernel counts in its
     * operand's ring; a rational operand would be another case) */
    bool backward = kind == OP_BW_INPUT || kind == OP_BW_WEIGHT;
    /* the tensor operands: two for the backward formulas of pooling and
     * relu and for an elementwise max/min, one for the other free
     * operators and for a power (its base) */
    bool two_operands = strcmp(name, "max_pool2d_backward") == 0
                         || strcmp(name, "avg_pool2d_backward") == 0
                         || strcmp(name, "max") == 0 || strcmp(name, "min") == 0
                         || strcmp(name, "relu_backward") == 0
                         || strncmp(name, "conv2d_matrix_", 14) == 0;
    bool conv = kind == OP_CONV2D || kind == OP_CONV_T2D || kind == OP_CONV1D
                || kind == OP_CONV3D;
    int tensors = kind == OP_POW ? 1 : kind == OP_FREE ? (two_operands ? 2 : 1)
                  : backward ? 3 : 2;
    for (int p = 0; p < n; p++) {
        bool is_operand = p < tensors || (conv && p == 2);
        if (s[p] && !is_operand)
            return as_na(tr, node->pos, "%s: a hyper-parameter depends on an input",
                         name);
        if (kind != OP_FREE && kind != OP_POW && p < tensors && !s[p])
            return as_na(tr, node->pos, "mults(...) of %s with an operand that "
                         "does not depend on the inputs is not covered", name);
        if (kind != OP_FREE && p == 2 && !s[p] && arg_node(node, fn, p) != NULL
            && conv)
            return as_na(tr, node->pos, "mults(...) of %s with a constant bias is "
                         "not covered", name);
    }
    if (kind == OP_FREE)
        return AS_OK;
    if (kind == OP_POW)
        return pow_count(tr, node, fn, lets, s[0], acc);
    if (backward) {
        isl_pw_qpolynomial *count = NULL;
        as_rc rc = as_call_backward_mults(tr, node, lets, kind == OP_BW_INPUT, &count);
        if (rc != AS_OK)
            return rc;
        *acc = isl_pw_qpolynomial_add(*acc, count);
        return *acc ? AS_OK : as_fail(tr, "a count");
    }
    const cvp_ast_node *first = arg_node(node, fn, 0), *second = arg_node(node, fn, 1);
    isl_pw_qpolynomial *x = NULL, *y = NULL;
    as_rc rc;
    switch (kind) {
    case OP_CONV2D:       /* N O Ho Wo * Cg kH kW */
    case OP_CONV1D:       /* N O Lo * Cg kL (kernel/conv_nd.c) */
    case OP_CONV3D: {     /* N O Do Ho Wo * Cg kD kH kW */
        int krank = kind == OP_CONV1D ? 3 : kind == OP_CONV3D ? 5 : 4;
        rc = as_node_sizes(tr, node, lets, -1, -1, -1, &x);
        if (rc == AS_OK)
            rc = as_node_sizes(tr, second, lets, 1, krank, krank, &y);
        break;
    }
    case OP_CONV_T2D:     /* N C H W * Og kH kW */
        rc = as_node_sizes(tr, first, lets, -1, -1, -1, &x);
        if (rc == AS_OK)
            rc = as_node_sizes(tr, second, lets, 1, 4, 4, &y);
        break;
    case OP_TEXTBOOK:     /* out_rows out_cols * U V */
        rc = as_node_sizes(tr, node, lets, -1, -1, -1, &x);
        if (rc == AS_OK)
            rc = as_node_sizes(tr, first, lets, -1, -1, -1, &y);
        break;
    default:              /* matmul: m n * k, k the last axis of A */
        rc = as_node_sizes(tr, node, lets, -1, -1, -1, &x);
        break;
    }
    if (rc == AS_OK && kind == OP_MATMUL) {
        as_value v;
        as_value_init(&v);
        rc = as_translate(tr, &v, first, lets);
        if (rc == AS_OK && (v.kind != AV_TENSOR || v.t->rank < 1))
            rc = as_na(tr, node->pos, "matmul of a rank-0 operand");
        if (rc == AS_OK)
            rc = as_qp_axes(tr, v.t, v.t->rank - 1, v.t->rank, &y);
        as_value_clear(&v);
    }
    if (rc != AS_OK) {
        isl_pw_qpolynomial_free(x);
        isl_pw_qpolynomial_free(y);
        return rc;
    }
    return add_product(tr, acc, x, y);
}

/* acc += the multiplications of evaluating node (in the shape-only ring);
 * *in_s: its value depends on an input. */
static as_rc walk(as_tr *tr, const cvp_ast_node *node, size_t lets,
                  isl_pw_qpolynomial **acc, bool *in_s)
{
    *in_s = false;
    if (tr->depth >= 4000)
        return as_na(tr, node->pos, "the expression nests too deeply");
    tr->depth++;
    as_rc rc = AS_OK;
    switch (node->kind) {
    case CVP_AST_NUMBER:
    case CVP_AST_BOOL:
        break;
    case CVP_AST_NAME: {
        const cvp_proof_claim *claim = tr->claim;
        const char *name = node->u.name.text;
        bool found = false;
        for (size_t t = 0; !found && t < claim->tensor_count; t++)
            found = *in_s = strcmp(claim->tensors[t].name, name) == 0;
        for (size_t k = 0; !found && k < claim->dim_count; k++)
            found = strcmp(claim->dims[k].name, name) == 0;
        for (size_t k = lets; !found && k-- > 0;)
            if (strcmp(claim->lets[k].name, name) == 0) {
                found = true;
                rc = walk(tr, claim->lets[k].expr, k, acc, in_s);
            }
        if (!found)
            rc = as_reject(tr);
        break;
    }
    case CVP_AST_UNARY:   /* negation multiplies nothing */
        rc = walk(tr, node->u.unary.operand, lets, acc, in_s);
        break;
    case CVP_AST_BINARY: {
        bool sa = false, sb = false;
        char op = node->u.binary.op;
        rc = walk(tr, node->u.binary.lhs, lets, acc, &sa);
        if (rc == AS_OK)
            rc = walk(tr, node->u.binary.rhs, lets, acc, &sb);
        *in_s = sa || sb;
        if (rc != AS_OK || !*in_s || op == '+' || op == '-')
            break;
        isl_pw_qpolynomial *x = NULL, *y = NULL;
        if (op == '*') {          /* elementwise: one per entry of the result */
            rc = as_node_sizes(tr, node, lets, -1, -1, -1, &x);
            y = as_qp_one(tr);
        } else if (op == '/') {   /* a scale: one per entry of the dividend */
            if (sb)
                rc = as_na(tr, node->pos, "division by an input");
            else
                rc = as_node_sizes(tr, node->u.binary.lhs, lets, -1, -1, -1, &x);
            y = as_qp_one(tr);
        } else {                  /* '@': m n * k */
            as_value v;
            as_value_init(&v);
            rc = as_node_sizes(tr, node, lets, -1, -1, -1, &x);
            if (rc == AS_OK)
                rc = as_translate(tr, &v, node->u.binary.lhs, lets);
            if (rc == AS_OK && (v.kind != AV_TENSOR || v.t->rank < 1))
                rc = as_na(tr, node->pos, "'@' of a rank-0 operand");
            if (rc == AS_OK)
                rc = as_qp_axes(tr, v.t, v.t->rank - 1, v.t->rank, &y);
            as_value_clear(&v);
        }
        if (rc == AS_OK)
            rc = add_product(tr, acc, x, y);
        else {
            isl_pw_qpolynomial_free(x);
            isl_pw_qpolynomial_free(y);
        }
        break;
    }
    case CVP_AST_CALL:
        if (strcmp(node->u.call.name, "mults") == 0
            || strcmp(node->u.call.name, "size") == 0)
            rc = as_na(tr, node->pos, "a count inside mults(...)");
        else
            rc = walk_call(tr, node, lets, acc, in_s);
        break;
    case CVP_AST_TUPLE:
        for (size_t k = 0; rc == AS_OK && k < node->u.items.count; k++) {
            bool s = false;
            rc = walk(tr, node->u.items.items[k], lets, acc, &s);
            if (rc == AS_OK && s)
                rc = as_na(tr, node->pos, "a tuple that depends on an input");
        }
        break;
    default:
        rc = as_na(tr, node->pos, "mults(...) of this expression is not covered");
        break;
    }
    tr->depth--;
    return rc;
}

as_rc as_cost_call(as_tr *tr, as_value *out, const cvp_ast_node *node, size_t lets)
{
    bool want_mults = strcmp(node->u.call.name, "mults") == 0;
    if (node->u.call.count != 1 || node->u.call.args[0].keyword != NULL)
        return as_reject(tr);   /* "takes one expression" */
    const cvp_ast_node *e = node->u.call.args[0].value;
    /* E itself first: its translation records where the evaluator accepts
     * it (the operators' preconditions), and gives its size */
    as_value v;
    as_value_init(&v);
    /* Sizes only from here to the end of the count: relu, pooling and
     * powers get their shapes (all_shapes_ops_shape.c), and no value
     * computed meanwhile carries a relation. */
    bool outer = tr->shapes_only;
    tr->shapes_only = true;
    as_rc rc = as_translate(tr, &v, e, lets);
    isl_pw_qpolynomial *count = NULL;
    if (rc == AS_OK && want_mults) {
        bool in_s;
        count = isl_pw_qpolynomial_from_qpolynomial(
            isl_qpolynomial_zero_on_domain(isl_space_copy(tr->pspace)));
        rc = walk(tr, e, lets, &count, &in_s);
    } else if (rc == AS_OK) {
        rc = as_qp_size(tr, &v, &count);
    }
    tr->shapes_only = outer;
    as_value_clear(&v);
    if (rc != AS_OK) {
        isl_pw_qpolynomial_free(count);
        return rc;
    }
    as_value_clear(out);
    as_value_init(out);
    out->kind = AV_QP;
    out->qp = count;
    return count ? AS_OK : as_fail(tr, "a count");
}
