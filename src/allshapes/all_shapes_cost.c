/* all_shapes_cost.c -- counts for every shape: mults(E), size(E) and the
 * integer arithmetic of dims around them, as quasi-polynomials in the dims
 * (part of the trusted kernel: the translation to isl).
 *
 * Why a file of its own: a count is no multilinear expression of the
 * inputs, so it has no relation; it is a number for each shape.  The
 * evaluator computes it by running E in the shape-only ring (eval/cost.c),
 * where every operator adds the multiplications of its loop nest to the
 * ring's cost model.  Here the same sums are written over the sizes the
 * translation already has (isl_pw_aff in the dims, the sizes the
 * operators' relations are built on and that the cross-check compares
 * with the kernel): size(E) is the product of E's sub-axis sizes, mults(E)
 * the sum over E's operators of their counts below, each a product of
 * sizes, so both are isl_pw_qpolynomial.  Two count sides are equal for
 * every shape when isl's normal form of their difference, simplified on
 * the shapes where the claim is defined (ranges, `where`, the operators'
 * preconditions), is the zero polynomial on every piece: a polynomial
 * whose normal form is zero is zero at every point, whatever else isl
 * cannot simplify.  When it is not zero, nothing is concluded from isl:
 * small shapes are evaluated, and one where the difference is nonzero is
 * handed to the run, which replays it through the evaluator (eval/cost.c
 * decides there); none found leaves the method not applicable.
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
 * count is never guessed.  Comparing counts and the cross-check are in
 * all_shapes_cost_compare.c: the cross-check (as_cross_check_counts)
 * evaluates both sides with eval/cost.c at the cross-check shapes; a
 * disagreement leaves the method undecided.
 */
#include "allshapes/all_shapes_ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <isl/val.h>


/* ---- quasi-polynomials on the context ---------------------------------------------- */

static isl_pw_qpolynomial *qp_const(as_tr *tr, mpq_srcptr q)
{
    return isl_pw_qpolynomial_from_qpolynomial(isl_qpolynomial_val_on_domain(
        isl_space_copy(tr->pspace), as_val_from_mpq(tr->ctx, q)));
}

static isl_pw_qpolynomial *qp_one(as_tr *tr)
{
    return isl_pw_qpolynomial_from_qpolynomial(isl_qpolynomial_val_on_domain(
        isl_space_copy(tr->pspace), isl_val_one(tr->ctx)));
}

/* pa (taken) as a quasi-polynomial.  isl adds pw_qpolynomials as partial
 * functions (where only one is defined, the sum is that one), so every
 * count is built from pieces defined at every shape of the context: then
 * sums and products are the arithmetic ones there. */
as_rc as_qp_from_pw_aff(as_tr *tr, isl_pw_aff *pa, isl_pw_qpolynomial **out)
{
    *out = NULL;
    if (pa == NULL)
        return as_fail(tr, "a count");
    isl_set *dom = isl_set_params(isl_pw_aff_domain(isl_pw_aff_copy(pa)));
    isl_bool total = isl_set_is_subset(tr->context, dom);
    isl_set_free(dom);
    if (total != isl_bool_true) {
        isl_pw_aff_free(pa);
        if (total < 0)
            return as_fail(tr, "a count");
        return as_na(tr, tr->where, "a size is not defined at every shape (a "
                     "count needs one)");
    }
    *out = isl_pw_qpolynomial_from_pw_aff(pa);
    return *out ? AS_OK : as_fail(tr, "a count");
}

as_rc as_qp_of(as_tr *tr, const as_value *v, cvp_srcpos pos, isl_pw_qpolynomial **out)
{
    *out = NULL;
    switch (v->kind) {
    case AV_NUM:
        *out = qp_const(tr, v->num);
        return *out ? AS_OK : as_fail(tr, "a count");
    case AV_QP:
        *out = isl_pw_qpolynomial_copy(v->qp);
        return AS_OK;
    case AV_SYM: {
        isl_pw_qpolynomial *p = qp_one(tr);
        for (int k = 0; k < v->nf; k++) {
            isl_pw_qpolynomial *f;
            as_rc rc = as_qp_from_pw_aff(tr, isl_pw_aff_copy(v->factor[k]), &f);
            if (rc != AS_OK) {
                isl_pw_qpolynomial_free(p);
                return rc;
            }
            p = isl_pw_qpolynomial_mul(p, f);
        }
        *out = p;
        return p ? AS_OK : as_fail(tr, "a count");
    }
    case AV_TENSOR:
        return as_na(tr, pos, "a count (mults, size, a sum of products of dims) "
                     "is combined with a tensor");
    default:
        return as_reject(tr);   /* a tuple or a boolean: the evaluator refuses */
    }
}

as_rc as_qp_binary(as_tr *tr, as_value *out, const as_value *a, const as_value *b,
                   char op, cvp_srcpos pos)
{
    if (a->kind == AV_TENSOR || b->kind == AV_TENSOR)
        return as_na(tr, pos, "a count (mults, size, a sum of products of dims) "
                     "is combined with a tensor");
    if (op == '@')
        return as_na(tr, pos, "'@' of counts");
    if (op == '/') {
        /* exact division by a nonzero number scales; by a dim or a count
         * it is no polynomial */
        if (b->kind != AV_NUM)
            return as_na(tr, pos, "division by a dim or a count (not a "
                         "polynomial)");
        if (mpq_sgn(b->num) == 0)
            return as_reject(tr);   /* "division by zero" */
    }
    isl_pw_qpolynomial *x = NULL, *y = NULL;
    as_rc rc = as_qp_of(tr, a, pos, &x);
    if (rc == AS_OK && op != '/')
        rc = as_qp_of(tr, b, pos, &y);
    if (rc != AS_OK) {
        isl_pw_qpolynomial_free(x);
        return rc;
    }
    isl_pw_qpolynomial *r;
    if (op == '/') {
        mpq_t inv;
        mpq_init(inv);
        mpq_inv(inv, b->num);
        r = isl_pw_qpolynomial_scale_val(x, as_val_from_mpq(tr->ctx, inv));
        mpq_clear(inv);
    } else if (op == '+') {
        r = isl_pw_qpolynomial_add(x, y);
    } else if (op == '-') {
        r = isl_pw_qpolynomial_sub(x, y);
    } else {
        r = isl_pw_qpolynomial_mul(x, y);
    }
    as_value_clear(out);
    as_value_init(out);
    out->kind = AV_QP;
    out->qp = r;
    return r ? AS_OK : as_fail(tr, "a count");
}

/* ---- a // c ------------------------------------------------------------------------ */

as_rc as_fn_floordiv(as_tr *tr, as_value *out, args *a, cvp_srcpos pos)
{
    const as_value *x = &a->v[0], *c = &a->v[1];
    long cs = 0;
    mpq_t div;
    mpq_init(div);
    as_rc rc = AS_OK;
    if (c->kind == AV_NUM) {
        mpq_set(div, c->num);
    } else if (c->kind == AV_SYM && c->nf == 1) {
        isl_bool cst = as_pconstant(tr, c->factor[0], &cs);
        if (cst < 0)
            rc = as_fail(tr, "a divisor");
        else if (!cst)
            rc = as_na(tr, pos, "'//' by a dim (not affine)");
        else
            mpq_set_si(div, cs, 1);
    } else if (c->kind == AV_TENSOR || c->kind == AV_SYM || c->kind == AV_QP) {
        rc = as_na(tr, pos, "'//' by a tensor or a product of dims");
    } else {
        rc = as_reject(tr);
    }
    if (rc == AS_OK && mpq_sgn(div) == 0)
        rc = as_reject(tr);   /* "division by zero" */
    if (rc == AS_OK) {
        mpq_inv(div, div);
        if (x->kind == AV_NUM) {
            as_value_clear(out);
            as_value_init(out);
            out->kind = AV_NUM;
            mpq_mul(out->num, x->num, div);
            mpz_fdiv_q(mpq_numref(out->num), mpq_numref(out->num), mpq_denref(out->num));
            mpz_set_ui(mpq_denref(out->num), 1);
        } else if (x->kind == AV_SYM && x->nf == 1) {
            /* Python's floor of the exact quotient: floor(x * (1/c)) */
            isl_pw_aff *q = isl_pw_aff_scale_val(isl_pw_aff_copy(x->factor[0]),
                                                 as_val_from_mpq(tr->ctx, div));
            q = isl_pw_aff_floor(q);
            as_value_clear(out);
            as_value_init(out);
            out->kind = AV_SYM;
            out->nf = 1;
            out->factor[0] = q;
            if (q == NULL)
                rc = as_fail(tr, "'//'");
        } else if (x->kind == AV_TENSOR) {
            rc = as_na(tr, pos, "'//' of a tensor (not multilinear)");
        } else if (x->kind == AV_SYM || x->kind == AV_QP) {
            rc = as_na(tr, pos, "'//' of a product of dims or a count (the floor "
                       "of a quasi-polynomial is not kept)");
        } else {
            rc = as_reject(tr);
        }
    }
    mpq_clear(div);
    return rc;
}

/* ---- sizes -------------------------------------------------------------------------- */

/* The product of the sizes of axes [from, to) of t. */
static as_rc qp_axes(as_tr *tr, const as_tensor *t, int from, int to,
                     isl_pw_qpolynomial **out)
{
    int d0 = 0;
    for (int k = 0; k < from; k++)
        d0 += t->nsub[k];
    int d1 = d0;
    for (int k = from; k < to; k++)
        d1 += t->nsub[k];
    isl_pw_qpolynomial *p = qp_one(tr);
    for (int d = d0; d < d1 && p != NULL; d++) {
        isl_pw_qpolynomial *f;
        as_rc rc = as_qp_from_pw_aff(tr, isl_pw_aff_copy(t->size[d]), &f);
        if (rc != AS_OK) {
            isl_pw_qpolynomial_free(p);
            return rc;
        }
        p = isl_pw_qpolynomial_mul(p, f);
    }
    *out = p;
    return p ? AS_OK : as_fail(tr, "a size");
}

/* The number of entries of a value: 1 for a number, a dim expression or a
 * count (rank-0 tensors in the evaluator). */
static as_rc qp_size(as_tr *tr, const as_value *v, isl_pw_qpolynomial **out)
{
    *out = NULL;
    if (v->kind == AV_TENSOR)
        return qp_axes(tr, v->t, 0, v->t->rank, out);
    if (v->kind == AV_NUM || v->kind == AV_SYM || v->kind == AV_QP) {
        *out = qp_one(tr);
        return AS_OK;
    }
    return as_reject(tr);   /* "the argument must be a tensor expression" */
}

/* Translates node and returns the size of its value, or the product of
 * axes [from, to) when from >= 0 (a tensor of `rank` axes is needed). */
static as_rc node_sizes(as_tr *tr, const cvp_ast_node *node, size_t lets, int from,
                        int to, int rank, isl_pw_qpolynomial **out)
{
    as_value v;
    as_value_init(&v);
    as_rc rc = as_translate(tr, &v, node, lets);
    if (rc == AS_OK && from < 0)
        rc = qp_size(tr, &v, out);
    else if (rc == AS_OK && (v.kind != AV_TENSOR || (rank >= 0 && v.t->rank != rank)
                             || v.t->rank < to))
        rc = as_na(tr, node->pos, "an operand of a counted operator has an "
                   "unexpected rank");
    else if (rc == AS_OK)
        rc = qp_axes(tr, v.t, from, to < 0 ? v.t->rank : to, out);
    as_value_clear(&v);
    return rc;
}

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
static as_rc node_sizes(as_tr *tr, const cvp_ast_node *node, size_t lets, int from,
                        int to, int rank, isl_pw_qpolynomial **out);


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
    rc = node_sizes(tr, base, lets, -1, -1, -1, &x);
    if (rc != AS_OK)
        return rc;
    mpq_t m;
    mpq_init(m);
    mpq_set_si(m, e - 1, 1);
    isl_pw_qpolynomial *y = qp_const(tr, m);
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
        rc = node_sizes(tr, node, lets, -1, -1, -1, &x);
        if (rc == AS_OK)
            rc = node_sizes(tr, second, lets, 1, krank, krank, &y);
        break;
    }
    case OP_CONV_T2D:     /* N C H W * Og kH kW */
        rc = node_sizes(tr, first, lets, -1, -1, -1, &x);
        if (rc == AS_OK)
            rc = node_sizes(tr, second, lets, 1, 4, 4, &y);
        break;
    case OP_TEXTBOOK:     /* out_rows out_cols * U V */
        rc = node_sizes(tr, node, lets, -1, -1, -1, &x);
        if (rc == AS_OK)
            rc = node_sizes(tr, first, lets, -1, -1, -1, &y);
        break;
    default:              /* matmul: m n * k, k the last axis of A */
        rc = node_sizes(tr, node, lets, -1, -1, -1, &x);
        break;
    }
    if (rc == AS_OK && kind == OP_MATMUL) {
        as_value v;
        as_value_init(&v);
        rc = as_translate(tr, &v, first, lets);
        if (rc == AS_OK && (v.kind != AV_TENSOR || v.t->rank < 1))
            rc = as_na(tr, node->pos, "matmul of a rank-0 operand");
        if (rc == AS_OK)
            rc = qp_axes(tr, v.t, v.t->rank - 1, v.t->rank, &y);
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
            rc = node_sizes(tr, node, lets, -1, -1, -1, &x);
            y = qp_one(tr);
        } else if (op == '/') {   /* a scale: one per entry of the dividend */
            if (sb)
                rc = as_na(tr, node->pos, "division by an input");
            else
                rc = node_sizes(tr, node->u.binary.lhs, lets, -1, -1, -1, &x);
            y = qp_one(tr);
        } else {                  /* '@': m n * k */
            as_value v;
            as_value_init(&v);
            rc = node_sizes(tr, node, lets, -1, -1, -1, &x);
            if (rc == AS_OK)
                rc = as_translate(tr, &v, node->u.binary.lhs, lets);
            if (rc == AS_OK && (v.kind != AV_TENSOR || v.t->rank < 1))
                rc = as_na(tr, node->pos, "'@' of a rank-0 operand");
            if (rc == AS_OK)
                rc = qp_axes(tr, v.t, v.t->rank - 1, v.t->rank, &y);
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
        rc = qp_size(tr, &v, &count);
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
