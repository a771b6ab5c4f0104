/* all_shapes_ops_shape.c -- the shapes of operators outside the
 * multilinear class, for counts only (part of the trusted kernel: the
 * translation to isl).
 *
 * mults(E) and size(E) need the sizes of E's values, not their entries,
 * so inside them (as_tr.shapes_only, set by all_shapes_cost.c alone)
 * relu and relu_backward, abs, max and min, a natural power, max and
 * average pooling and their backward formulas, conv1d and conv3d, concat,
 * stack and indexing are translated to a tensor of the right sizes and no
 * pieces (all_shapes_contract.c adds none while the flag is set).
 * No relation is ever read from such a tensor: the flag is set only while
 * all_shapes_cost.c computes sizes, and it restores the flag before
 * anything compares values.
 *
 * What the kernel accepts is recorded with as_require exactly as
 * kernel/pool.c checks it, so that a count is only claimed at shapes where
 * the evaluator computes it.  Pooling is covered without dilation and
 * without ceil_mode (other cases are not applicable): then, with the
 * padding at most half the kernel (pool_setup rejects more, at every
 * shape), the output length along an axis is floor((in + 2p - k) / s) + 1
 * and every window meets the input exactly when in >= 1 and in + 2p - k
 * >= 0.  (Window i starts at i s - p <= in + p - k <= in - 1, as p <= k - 1,
 * and ends at i s - p + k - 1 >= k - 1 - p >= 0.) */
#include "allshapes/all_shapes_ops.h"

#include <string.h>

#include "eval/call.h"

/* kernel/pool.c's PARAM_MAX: larger hyper-parameters are an error. */
#define POOL_PARAM_MAX (1L << 24)

bool as_shape_only_op(const char *name)
{
    static const char *const ops[] = {"relu", "abs", "pow", "max_pool2d", "avg_pool2d",
                                      "max_pool2d_backward", "avg_pool2d_backward",
                                      "max", "min", "conv1d", "conv3d",
                                      "relu_backward"};
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++)
        if (strcmp(name, ops[k]) == 0)
            return true;
    return false;
}

/* out: a tensor with the axes of argument p and no pieces. */
static as_rc like_argument(as_tr *tr, as_value *out, args *a, int p)
{
    as_tensor *X = NULL;
    as_rc rc = as_arg_tensor(tr, a, p, &X);
    if (rc != AS_OK)
        return rc;
    as_give_tensor(out, as_tensor_like(X));
    as_tensor_free(X);
    return AS_OK;
}

/* Argument positions of a pooling function's hyper-parameters (-1: the
 * function has none). */
typedef struct {
    int input, grad, kernel, stride, padding, dilation, ceil, include_pad, divisor;
} pool_slots;

static as_rc pool_params(as_tr *tr, args *a, const pool_slots *sl, long k[2],
                         long s[2], long p[2], cvp_srcpos pos)
{
    as_rc rc = as_arg_const_pair(tr, a, sl->kernel, "kernel size", 1, k);
    if (rc == AS_OK && a->given[sl->stride])
        rc = as_arg_const_pair(tr, a, sl->stride, "stride", 1, s);
    else if (rc == AS_OK)
        s[0] = k[0], s[1] = k[1];   /* stride defaults to the kernel size */
    if (rc == AS_OK)
        rc = as_arg_const_pair(tr, a, sl->padding, "padding", 0, p);
    long d[2] = {1, 1};
    if (rc == AS_OK && sl->dilation >= 0)
        rc = as_arg_const_pair(tr, a, sl->dilation, "dilation", 1, d);
    if (rc != AS_OK)
        return rc;
    const as_value *ceil = &a->v[sl->ceil];
    if (ceil->kind != AV_BOOL
        || (sl->include_pad >= 0 && a->v[sl->include_pad].kind != AV_BOOL))
        return as_reject(tr);   /* "ceil_mode must be a boolean" */
    for (int e = 0; e < 2; e++) {
        if (k[e] > POOL_PARAM_MAX || s[e] > POOL_PARAM_MAX || p[e] > POOL_PARAM_MAX
            || d[e] > POOL_PARAM_MAX || p[e] > k[e] / 2)
            return as_reject(tr);   /* pool_setup refuses it at every shape */
    }
    if (ceil->boolean)
        return as_na(tr, pos, "a count through pooling with ceil_mode=True is not "
                     "covered");
    if (d[0] != 1 || d[1] != 1)
        return as_na(tr, pos, "a count through dilated pooling is not covered");
    if (sl->divisor >= 0 && a->v[sl->divisor].kind != AV_NONE) {
        long div;
        rc = as_const_value(tr, &a->v[sl->divisor], a->pos[sl->divisor],
                            "divisor_override", 1, &div);
        if (rc != AS_OK)
            return rc;
    }
    return AS_OK;
}

static as_rc pool_shape(as_tr *tr, as_value *out, args *a, const pool_slots *sl,
                        cvp_srcpos pos)
{
    long k[2], s[2], p[2];
    as_rc rc = pool_params(tr, a, sl, k, s, p, pos);
    as_tensor *X = NULL, *G = NULL;
    if (rc == AS_OK)
        rc = as_arg_tensor(tr, a, sl->input, &X);
    if (rc == AS_OK && X->rank != 3 && X->rank != 4)
        rc = as_reject(tr);   /* "the input must have rank 4 or 3" */
    if (rc == AS_OK)
        rc = as_all_plain(tr, X, pos);
    if (rc == AS_OK && sl->grad >= 0)
        rc = as_arg_tensor(tr, a, sl->grad, &G);
    if (rc == AS_OK && G != NULL && G->rank != X->rank)
        rc = as_reject(tr);   /* check_grad_shape: ranks differ at every shape */
    if (rc == AS_OK && G != NULL)
        rc = as_all_plain(tr, G, pos);
    if (rc != AS_OK) {
        as_tensor_free(X);
        as_tensor_free(G);
        return rc;
    }
    int r = X->rank;
    isl_pw_aff *outs[2];
    for (int e = 0; e < 2; e++) {
        isl_pw_aff *in = X->size[r - 2 + e];
        as_require(tr, as_p_ge(tr, in, 1));
        /* no dilation: span = in + 2p - k >= 0 */
        isl_pw_aff *kk = as_pconst(tr, k[e]), *pp = as_pconst(tr, p[e]);
        outs[e] = as_window_out(tr, in, kk, pp, 1, s[e]);
        isl_pw_aff_free(kk);
        isl_pw_aff_free(pp);
    }
    if (G != NULL) {
        /* check_grad_shape: G is the pooled shape of X */
        for (int q = 0; q + 2 < r; q++)
            as_require(tr, as_p_eq(G->size[q], X->size[q]));
        as_require(tr, as_p_eq(G->size[r - 2], outs[0]));
        as_require(tr, as_p_eq(G->size[r - 1], outs[1]));
        as_give_tensor(out, as_tensor_like(X));
        isl_pw_aff_free(outs[0]);
        isl_pw_aff_free(outs[1]);
    } else {
        isl_pw_aff *sizes[CVP_MAX_RANK];
        for (int q = 0; q + 2 < r; q++)
            sizes[q] = isl_pw_aff_copy(X->size[q]);
        sizes[r - 2] = outs[0];
        sizes[r - 1] = outs[1];
        as_give_tensor(out, as_tensor_plain(r, sizes));
    }
    as_tensor_free(X);
    as_tensor_free(G);
    return AS_OK;
}

/* max(input, other) / min(input, other): the broadcast shape of input
 * and other, as for '+' (both kernels take cvp_tensor_broadcast_shape);
 * max(input) / min(input): a scalar, of a tensor with entries. */
static as_rc extreme_shape(as_tr *tr, as_value *out, args *a, cvp_srcpos pos)
{
    as_tensor *A = NULL, *B = NULL, *Y = NULL;
    as_rc rc = as_arg_tensor(tr, a, 0, &A);
    if (rc == AS_OK && a->v[1].kind != AV_NONE) {
        rc = as_arg_tensor(tr, a, 1, &B);
        if (rc == AS_OK)
            rc = as_elementwise(tr, &Y, A, B, '+', pos);
    } else if (rc == AS_OK) {
        /* extreme_all: "the input has no entries" is an error */
        for (int d = 0; d < A->ndims; d++)
            as_require(tr, as_p_ge(tr, A->size[d], 1));
        Y = as_tensor_new(0);
    }
    if (rc == AS_OK)
        as_give_tensor(out, Y);
    else
        as_tensor_free(Y);
    as_tensor_free(A);
    as_tensor_free(B);
    return rc;
}

/* A hyper-parameter of conv1d/conv3d: a number or a tuple of s numbers. */
static as_rc nd_consts(as_tr *tr, args *a, int p, const char *what, long min, int s,
                       long out[3])
{
    const as_value *v = &a->v[p];
    if (v->kind == AV_TUPLE && (int)v->count != s)
        return as_reject(tr);
    for (int k = 0; k < s; k++) {
        const as_value *item = v->kind == AV_TUPLE ? &v->items[k] : v;
        as_rc rc = as_const_value(tr, item, a->pos[p], what, min, &out[k]);
        if (rc != AS_OK)
            return rc;
        if (out[k] > POOL_PARAM_MAX)
            return as_reject(tr);   /* kernel/conv_nd.c's PARAM_MAX */
    }
    return AS_OK;
}

/* conv1d (s = 1) and conv3d (s = 3), as kernel/conv_nd.c checks them:
 * X [N, C, spatial...] or [C, spatial...], K [O, C/groups, kernel...],
 * bias [O]; each output length floor((in + 2p - d(k - 1) - 1) / stride)
 * + 1, with in + 2p - d(k - 1) - 1 >= 0 and k >= 1. */
static as_rc conv_nd_shape(as_tr *tr, as_value *out, args *a, int s, cvp_srcpos pos)
{
    long st[3], pd[3], dl[3], G = 1;
    as_rc rc = nd_consts(tr, a, 3, "stride", 1, s, st);
    if (rc == AS_OK)
        rc = nd_consts(tr, a, 4, "padding", 0, s, pd);
    if (rc == AS_OK)
        rc = nd_consts(tr, a, 5, "dilation", 1, s, dl);
    if (rc == AS_OK)
        rc = as_const_value(tr, &a->v[6], a->pos[6], "groups", 1, &G);
    as_tensor *X = NULL, *K = NULL, *B = NULL;
    if (rc == AS_OK)
        rc = as_arg_tensor(tr, a, 0, &X);
    if (rc == AS_OK)
        rc = as_arg_tensor(tr, a, 1, &K);
    if (rc == AS_OK && a->v[2].kind != AV_NONE)
        rc = as_arg_tensor(tr, a, 2, &B);
    if (rc == AS_OK && ((X->rank != s + 2 && X->rank != s + 1) || K->rank != s + 2
                        || (B != NULL && B->rank != 1)))
        rc = as_reject(tr);
    if (rc == AS_OK)
        rc = as_all_plain(tr, X, pos);
    if (rc == AS_OK)
        rc = as_all_plain(tr, K, pos);
    if (rc == AS_OK && B != NULL)
        rc = as_all_plain(tr, B, pos);
    if (rc != AS_OK) {
        as_tensor_free(X);
        as_tensor_free(K);
        as_tensor_free(B);
        return rc;
    }
    int cdim = X->rank == s + 2 ? 1 : 0;
    isl_pw_aff *O = K->size[0];
    as_require_groups(tr, X->size[cdim], O, K->size[1], G);
    if (B != NULL)
        as_require(tr, as_p_eq(B->size[0], O));
    isl_pw_aff *sizes[CVP_MAX_RANK];
    int r = 0;
    if (cdim)
        sizes[r++] = isl_pw_aff_copy(X->size[0]);
    sizes[r++] = isl_pw_aff_copy(O);
    for (int e = 0; e < s; e++) {
        isl_pw_aff *p = as_pconst(tr, pd[e]);
        sizes[r++] = as_window_out(tr, X->size[cdim + 1 + e], K->size[2 + e], p, dl[e],
                                   st[e]);
        isl_pw_aff_free(p);
    }
    as_give_tensor(out, as_tensor_plain(r, sizes));
    as_tensor_free(X);
    as_tensor_free(K);
    as_tensor_free(B);
    return AS_OK;
}

/* relu_backward(input, grad_output): both of one shape
 * (cvp_tensor_same_shape), the result of that shape. */
static as_rc relu_backward_shape(as_tr *tr, as_value *out, args *a, cvp_srcpos pos)
{
    as_tensor *Z = NULL, *G = NULL;
    as_rc rc = as_arg_tensor(tr, a, 0, &Z);
    if (rc == AS_OK)
        rc = as_arg_tensor(tr, a, 1, &G);
    if (rc == AS_OK && Z->rank != G->rank)
        rc = as_reject(tr);   /* shapes differ at every shape */
    if (rc == AS_OK)
        rc = as_all_plain(tr, Z, pos);
    if (rc == AS_OK)
        rc = as_all_plain(tr, G, pos);
    for (int k = 0; rc == AS_OK && k < Z->rank; k++)
        as_require(tr, as_p_eq(Z->size[k], G->size[k]));
    if (rc == AS_OK)
        as_give_tensor(out, as_tensor_like(Z));
    as_tensor_free(Z);
    as_tensor_free(G);
    return rc;
}

as_rc as_shape_only_call(as_tr *tr, as_value *out, args *a, const char *name,
                         cvp_srcpos pos)
{
    static const pool_slots max_pool = {0, -1, 1, 2, 3, 4, 5, -1, -1};
    static const pool_slots avg_pool = {0, -1, 1, 2, 3, -1, 4, 5, 6};
    static const pool_slots max_back = {0, 1, 2, 3, 4, 5, 6, -1, -1};
    static const pool_slots avg_back = {0, 1, 2, 3, 4, -1, 5, 6, 7};
    if (strcmp(name, "relu") == 0 || strcmp(name, "abs") == 0)
        return like_argument(tr, out, a, 0);
    if (strcmp(name, "pow") == 0) {
        /* the evaluator's `**` takes a natural exponent; anything else is
         * left to it */
        const as_value *n = &a->v[1];
        if (n->kind != AV_NUM || mpz_cmp_ui(mpq_denref(n->num), 1) != 0
            || mpz_sgn(mpq_numref(n->num)) < 0)
            return as_na(tr, a->pos[1], "a count through '**' needs a natural "
                         "number as the exponent");
        return like_argument(tr, out, a, 0);
    }
    if (strcmp(name, "max") == 0 || strcmp(name, "min") == 0)
        return extreme_shape(tr, out, a, pos);
    if (strcmp(name, "relu_backward") == 0)
        return relu_backward_shape(tr, out, a, pos);
    if (strcmp(name, "conv1d") == 0 || strcmp(name, "conv3d") == 0)
        return conv_nd_shape(tr, out, a, name[4] == '1' ? 1 : 3, pos);
    if (strcmp(name, "max_pool2d") == 0)
        return pool_shape(tr, out, a, &max_pool, pos);
    if (strcmp(name, "avg_pool2d") == 0)
        return pool_shape(tr, out, a, &avg_pool, pos);
    if (strcmp(name, "max_pool2d_backward") == 0)
        return pool_shape(tr, out, a, &max_back, pos);
    CVP_ASSERT(strcmp(name, "avg_pool2d_backward") == 0);
    return pool_shape(tr, out, a, &avg_back, pos);
}

/* ---- concat and stack ---------------------------------------------------------- */

/* The evaluator's limit on a sequence argument (eval/builtins_lang.c). */
#define JOIN_MAX_ITEMS 256

/* One item of the list as a tensor (taken into *out). */
static as_rc join_item(as_tr *tr, const cvp_ast_node *item, size_t lets, as_tensor **out)
{
    *out = NULL;
    as_value v;
    as_value_init(&v);
    as_rc rc = as_translate(tr, &v, item, lets);
    if (rc == AS_OK && v.kind == AV_TENSOR) {
        *out = v.t;
        v.t = NULL;
    } else if (rc == AS_OK && v.kind == AV_NUM) {
        rc = as_constant(tr, out, v.num);
    } else if (rc == AS_OK) {
        rc = as_na(tr, item->pos, "an item of concat/stack that is not a tensor "
                   "expression");
    }
    as_value_clear(&v);
    return rc;
}

as_rc as_shape_join(as_tr *tr, as_value *out, const cvp_ast_node *node, size_t lets,
                    bool stack)
{
    /* (tensors, dim=0), bound as eval/call.c binds them */
    const cvp_ast_node *list = NULL, *dim_node = NULL;
    int positional = 0;
    for (size_t i = 0; i < node->u.call.count; i++) {
        const cvp_ast_arg *arg = &node->u.call.args[i];
        const cvp_ast_node **slot;
        if (arg->keyword == NULL)
            slot = positional == 0 ? &list : positional == 1 ? &dim_node : NULL,
            positional++;
        else
            slot = strcmp(arg->keyword, "tensors") == 0 ? &list
                   : strcmp(arg->keyword, "dim") == 0 ? &dim_node : NULL;
        if (slot == NULL || *slot != NULL)
            return as_reject(tr);   /* too many, unknown or repeated */
        *slot = arg->value;
    }
    if (list == NULL)
        return as_reject(tr);
    if (list->kind != CVP_AST_LIST && list->kind != CVP_AST_TUPLE)
        return as_na(tr, list->pos, "concat/stack of something other than a list "
                     "written in the call");
    size_t count = list->u.items.count;
    if (count == 0 || count > JOIN_MAX_ITEMS)
        return as_reject(tr);
    long dim = 0;
    as_rc rc = AS_OK;
    if (dim_node != NULL) {
        as_value d;
        as_value_init(&d);
        rc = as_translate(tr, &d, dim_node, lets);
        if (rc == AS_OK)
            rc = as_const_value(tr, &d, dim_node->pos, "dim", -CVP_MAX_RANK - 1, &dim);
        as_value_clear(&d);
    }
    as_tensor *first = NULL;
    if (rc == AS_OK)
        rc = join_item(tr, list->u.items.items[0], lets, &first);
    if (rc == AS_OK)
        rc = as_all_plain(tr, first, list->pos);
    if (rc != AS_OK) {
        as_tensor_free(first);
        return rc;
    }
    int rank = first->rank + (stack ? 1 : 0);
    if (rank == 0 || rank > CVP_MAX_RANK || dim < -rank || dim >= rank) {
        as_tensor_free(first);
        return as_reject(tr);   /* "dim is outside ..." / rank too large */
    }
    if (dim < 0)
        dim += rank;
    isl_pw_aff *joined = stack ? as_pconst(tr, (long)count)
                               : isl_pw_aff_copy(first->size[dim]);
    for (size_t m = 1; m < count && rc == AS_OK; m++) {
        as_tensor *t = NULL;
        rc = join_item(tr, list->u.items.items[m], lets, &t);
        if (rc == AS_OK && t->rank != first->rank)
            rc = as_reject(tr);   /* ranks differ at every shape */
        if (rc == AS_OK)
            rc = as_all_plain(tr, t, list->pos);
        for (int k = 0; rc == AS_OK && k < first->rank; k++) {
            if (!stack && k == dim)
                joined = isl_pw_aff_add(joined, isl_pw_aff_copy(t->size[k]));
            else
                as_require(tr, as_p_eq(t->size[k], first->size[k]));
        }
        as_tensor_free(t);
    }
    if (rc != AS_OK) {
        isl_pw_aff_free(joined);
        as_tensor_free(first);
        return rc;
    }
    isl_pw_aff *sizes[CVP_MAX_RANK];
    for (int k = 0, from = 0; k < rank; k++) {
        if (k == dim) {
            sizes[k] = joined;
            if (!stack)
                from++;
        } else {
            sizes[k] = isl_pw_aff_copy(first->size[from++]);
        }
    }
    as_give_tensor(out, as_tensor_plain(rank, sizes));
    as_tensor_free(first);
    return AS_OK;
}

/* ---- indexing and slicing ------------------------------------------------------ */

/* An integer subscript or slice part: a number or an affine dim
 * expression with integer values (as_int_value); NULL node: absent. */
static as_rc index_int(as_tr *tr, const cvp_ast_node *node, size_t lets,
                       isl_pw_aff **out)
{
    as_value v;
    as_value_init(&v);
    as_rc rc = as_translate(tr, &v, node, lets);
    if (rc == AS_OK && v.kind == AV_TENSOR)
        rc = as_na(tr, node->pos, "a subscript that depends on an input");
    else if (rc == AS_OK)
        rc = as_int_value(tr, &v, node->pos, -CVP_CALL_MAX_INT, out);
    as_value_clear(&v);
    return rc;
}

/* e where e >= 0, else e + n (pw_affs taken; n borrowed). */
static isl_pw_aff *from_end(as_tr *tr, isl_pw_aff *e, isl_pw_aff *n)
{
    isl_set *neg = isl_pw_aff_lt_set(isl_pw_aff_copy(e), as_pconst(tr, 0));
    isl_pw_aff *wrapped = isl_pw_aff_add(isl_pw_aff_copy(e), isl_pw_aff_copy(n));
    wrapped = isl_pw_aff_intersect_domain(wrapped, isl_set_copy(neg));
    e = isl_pw_aff_subtract_domain(e, neg);
    return isl_pw_aff_union_add(e, wrapped);
}

/* clamp_end of eval/builtins_lang.c: from the end, then into 0..n. */
static isl_pw_aff *clamp_end(as_tr *tr, isl_pw_aff *e, isl_pw_aff *n)
{
    e = isl_pw_aff_max(from_end(tr, e, n), as_pconst(tr, 0));
    return isl_pw_aff_min(e, isl_pw_aff_copy(n));
}

/* The parts of a `start:stop:step` subscript (the parser's slice call);
 * false when the subscript is no slice. */
static bool slice_parts(const cvp_ast_node *node, const cvp_ast_node *part[3],
                        bool *well_formed)
{
    *well_formed = true;
    part[0] = part[1] = part[2] = NULL;
    if (node->kind != CVP_AST_CALL || strcmp(node->u.call.name, "slice") != 0)
        return false;
    static const char *const names[3] = {"start", "stop", "step"};
    for (size_t i = 0; i < node->u.call.count; i++) {
        const cvp_ast_arg *arg = &node->u.call.args[i];
        int k = -1;
        for (int j = 0; j < 3 && arg->keyword != NULL; j++)
            if (strcmp(arg->keyword, names[j]) == 0)
                k = j;
        if (k < 0 || part[k] != NULL) {
            *well_formed = false;   /* positional, unknown or repeated */
            return true;
        }
        part[k] = arg->value;
    }
    return true;
}

/* X[s0, s1, ...] (the parser's index call), as cvp_builtin_index reads
 * it: an integer subscript i picks an entry (-n <= i < n) and drops its
 * axis; a slice keeps the axis with length ceil((stop' - start') / step)
 * for the clamped ends (0 when stop' < start'), step >= 1; axes without
 * a subscript are kept whole. */
as_rc as_shape_index(as_tr *tr, as_value *out, const cvp_ast_node *node, size_t lets)
{
    size_t count = node->u.call.count;
    for (size_t i = 0; i < count; i++)
        if (node->u.call.args[i].keyword != NULL)
            return as_na(tr, node->pos, "index(...) with keyword arguments is "
                         "not covered");
    if (count < 1)
        return as_reject(tr);
    as_tensor *X = NULL;
    as_rc rc = join_item(tr, node->u.call.args[0].value, lets, &X);
    if (rc == AS_OK)
        rc = as_all_plain(tr, X, node->pos);
    if (rc == AS_OK && (int)(count - 1) > X->rank)
        rc = as_reject(tr);   /* "too many subscripts" */
    isl_pw_aff *sizes[CVP_MAX_RANK];
    int kept = 0;
    for (int k = 0; rc == AS_OK && X != NULL && k < X->rank; k++) {
        isl_pw_aff *n = X->size[k];
        if ((size_t)k + 1 >= count) {
            sizes[kept++] = isl_pw_aff_copy(n);
            continue;
        }
        const cvp_ast_node *sub = node->u.call.args[k + 1].value, *part[3];
        bool well_formed;
        if (!slice_parts(sub, part, &well_formed)) {
            isl_pw_aff *i = NULL;
            rc = index_int(tr, sub, lets, &i);
            if (rc == AS_OK) {
                /* -n <= i <= n - 1 */
                isl_pw_aff *lo = isl_pw_aff_neg(isl_pw_aff_copy(n));
                as_require(tr, isl_pw_aff_ge_set(isl_pw_aff_copy(i), lo));
                as_require(tr, isl_pw_aff_lt_set(i, isl_pw_aff_copy(n)));
            }
            continue;
        }
        if (!well_formed) {
            rc = as_reject(tr);
            break;
        }
        long step = 1;
        isl_pw_aff *start = NULL, *stop = NULL;
        if (part[2] != NULL) {
            as_value v;
            as_value_init(&v);
            rc = as_translate(tr, &v, part[2], lets);
            if (rc == AS_OK)
                rc = as_const_value(tr, &v, part[2]->pos, "step", 1, &step);
            as_value_clear(&v);
        }
        if (rc == AS_OK)
            rc = part[0] != NULL ? index_int(tr, part[0], lets, &start)
                                 : ((start = as_pconst(tr, 0)) ? AS_OK : as_fail(tr, "a slice"));
        if (rc == AS_OK)
            rc = part[1] != NULL ? index_int(tr, part[1], lets, &stop)
                                 : ((stop = isl_pw_aff_copy(n)) ? AS_OK : as_fail(tr, "a slice"));
        if (rc != AS_OK) {
            isl_pw_aff_free(start);
            isl_pw_aff_free(stop);
            break;
        }
        start = clamp_end(tr, start, n);
        stop = isl_pw_aff_max(clamp_end(tr, stop, n), isl_pw_aff_copy(start));
        /* ceil((stop - start) / step) = floor((stop - start + step - 1) / step) */
        isl_pw_aff *len = isl_pw_aff_add(isl_pw_aff_sub(stop, start), as_pconst(tr, step - 1));
        sizes[kept++] = as_p_fdiv(tr, len, step);
        isl_pw_aff_free(len);
    }
    if (rc == AS_OK)
        as_give_tensor(out, as_tensor_plain(kept, sizes));
    else
        for (int k = 0; k < kept; k++)
            isl_pw_aff_free(sizes[k]);
    as_tensor_free(X);
    return rc;
}
