/* all_shapes_ops.h -- shared by the operator files of all_shapes only:
 * all_shapes_contract.c, all_shapes_ops.c, all_shapes_ops_tensor.c,
 * all_shapes_ops_textbook.c and all_shapes_ops_conv.c (part of the trusted
 * kernel: the translation to isl relations).
 *
 * Every operator is written as one *contraction*
 *
 *     out[o] = coef * sum over s with (o, s) in frame of
 *              prod_k operand_k[index_k(o, s)]
 *
 * where the frame is a set of integer points (the output bounds, the
 * ranges of the summation variables s and the operator's equalities) and
 * each index_k is a quasi-affine function, so each operand's relation is
 * pulled back through a function and the summation over s is checked to
 * be injective before it is projected out.  The formulas are the loop
 * nests of kernel/textbook.c, conv2d.c, conv2d_backward.c and
 * conv_matrix.c, read as sums; the preconditions under which those
 * kernels accept their arguments are recorded with as_require, so that
 * the method only speaks for shapes where the evaluator agrees. */

#ifndef CVP_ALL_SHAPES_OPS_H
#define CVP_ALL_SHAPES_OPS_H

#include "allshapes/all_shapes_internal.h"
#include "eval/builtins.h"

/* ---- all_shapes_contract.c ------------------------------------------------- */

typedef struct {
    as_tr *tr;
    isl_space *space;   /* set space: the parameters and no + ns dims */
    int no, ns;
    isl_set *set;
} frame;

typedef struct {
    const as_tensor *t;
    isl_pw_aff *idx[AS_MAX_DIMS];   /* t->ndims functions of the frame */
} operand;

isl_pw_aff *as_fvar(frame *f, int k);

/* Summation variable k. */
isl_pw_aff *as_fsum(frame *f, int k);

/* A parameter expression (kept) on the frame's space. */
isl_pw_aff *as_fpar(frame *f, isl_pw_aff *p);

isl_pw_aff *as_fcst(frame *f, long c);

/* a * c for a constant c. */
isl_pw_aff *as_fmul(isl_pw_aff *a, long c);

void as_fcon(frame *f, isl_set *c);

/* lo <= v < hi (both given). */
void as_frange_pa(frame *f, isl_pw_aff *v, isl_pw_aff *lo, isl_pw_aff *hi);

void as_frame_init(frame *f, as_tr *tr, const as_tensor *out, int ns);

void as_frame_clear(frame *f);

/* 0 <= s_k < size (size kept). */
void as_fsum_range(frame *f, int k, isl_pw_aff *size);

isl_set *as_p_ge(as_tr *tr, isl_pw_aff *a, long c);   /* a >= c, a kept */

isl_set *as_p_eq(isl_pw_aff *a, isl_pw_aff *b);   /* kept */

isl_set *as_p_le(isl_pw_aff *a, isl_pw_aff *b);   /* kept */

/* c divides a (a kept), c >= 1. */
isl_set *as_p_divisible(as_tr *tr, isl_pw_aff *a, long c);

/* floor(a / c), a kept. */
isl_pw_aff *as_p_fdiv(as_tr *tr, isl_pw_aff *a, long c);

/* Appends a sub-axis of size `size` (given) to axis k (the last axis). */
void as_push_sub(as_tensor *t, int k, isl_pw_aff *size);

/* A tensor of `rank` plain axes of the given sizes (given). */
as_tensor *as_tensor_plain(int rank, isl_pw_aff **sizes);

/* First sub-dim of axis k. */
int as_first_sub(const as_tensor *t, int k);

/* A tensor with t's axes (sizes copied), no pieces. */
as_tensor *as_tensor_like(const as_tensor *t);

bool as_has_null(as_tensor *t);

/* out += coef * sum over the frame of prod_k operand_k[index_k]. */
as_rc as_contract(as_tr *tr, as_tensor *out, frame *f, int nops,
                  operand *ops, long coef_num, cvp_srcpos pos);

/* The identity index of operand t's sub-axes d0.. onto frame dims f0.. */
void as_idx_copy(frame *f, operand *op, int d0, int f0, int n);

/* True when every sub-axis of axis k of t has size 1 (on the context). */
isl_bool as_axis_is_unit(as_tr *tr, const as_tensor *t, int k);

/* Axis ka of a and axis kb of b have equal sub-axes (on the context). */
isl_bool as_axes_equal(as_tr *tr, const as_tensor *a, int ka,
                       const as_tensor *b, int kb);

as_rc as_all_plain(as_tr *tr, as_tensor *t, cvp_srcpos pos);

/* ---- all_shapes_ops.c ------------------------------------------------------ */

typedef struct {
    const cvp_builtin *fn;
    int n;
    as_value v[CVP_BUILTIN_MAX_PARAMS];
    bool given[CVP_BUILTIN_MAX_PARAMS];
    cvp_srcpos pos[CVP_BUILTIN_MAX_PARAMS];
} args;

/* Argument p as a tensor (moved out of a); numbers are rank-0 tensors. */
as_rc as_arg_tensor(as_tr *tr, args *a, int p, as_tensor **out);

/* A value that must be an integer: a NUM, or a SYM of one factor (then
 * floor'd after requiring that it is an integer), >= min. */
as_rc as_int_value(as_tr *tr, const as_value *v, cvp_srcpos pos, long min,
                   isl_pw_aff **out);

/* A value that must be a number for all_shapes (a stride). */
as_rc as_const_value(as_tr *tr, const as_value *v, cvp_srcpos pos,
                     const char *what, long min, long *out);

as_rc as_arg_const_pair(as_tr *tr, args *a, int p, const char *what,
                        long min, long out[2]);

as_rc as_arg_int_pair(as_tr *tr, args *a, int p, long min, isl_pw_aff *out[2]);

/* A list of integer constants (axes). */
as_rc as_arg_const_list(as_tr *tr, args *a, int p, long *out, int max, int *count);

/* ---- all_shapes_cost.c ---------------------------------------------------- */

/* floordiv(a, c), a // c: a dim expression (or number) over a nonzero
 * number, floored. */
as_rc as_fn_floordiv(as_tr *tr, as_value *out, args *a, cvp_srcpos pos);

/* ---- all_shapes_ops_tensor.c ----------------------------------------------- */

/* Moves t into out as a tensor value. */
void as_give_tensor(as_value *out, as_tensor *t);

as_rc as_fn_transpose(as_tr *tr, as_value *out, args *a, cvp_srcpos pos);

as_rc as_fn_sum(as_tr *tr, as_value *out, args *a, cvp_srcpos pos);

as_rc as_fn_reshape(as_tr *tr, as_value *out, args *a, cvp_srcpos pos);

/* ---- all_shapes_ops_textbook.c --------------------------------------------- */

typedef enum { TB_XCORR, TB_CONV, TB_WIDE } textbook_kind;

typedef enum { IX_ROT180, IX_PAD, IX_DILATE } index_kind;

as_rc as_textbook_pair(as_tr *tr, as_value *out, args *a, textbook_kind kind,
                       cvp_srcpos pos);

/* rot180, pad and dilate: out[o] = X[g(o)] on the spatial axes. */
as_rc as_index_op(as_tr *tr, as_value *out, args *a, index_kind kind,
                  cvp_srcpos pos);

/* ---- all_shapes_ops_conv.c ------------------------------------------------- */

typedef enum { BW_INPUT, BW_WEIGHT, MX_INPUT, MX_WEIGHT } layer_linear;

/* The channel rules of conv2d_check (and conv_nd.c's check): groups G
 * divide the input channels C and the output channels O, and K's second
 * dim Cg is C / G; recorded with as_require (all borrowed). */
void as_require_groups(as_tr *tr, isl_pw_aff *C, isl_pw_aff *O, isl_pw_aff *Cg, long G);

/* The output length of a window of k taps, d apart, stepping by s over
 * in entries padded by p on each side: floor((in + 2p - d(k - 1) - 1) / s)
 * + 1, recording (as conv2d_check, conv_nd.c and pool_setup check it)
 * that k >= 1 and the span in + 2p - d(k - 1) - 1 is >= 0.  in, k and p
 * are borrowed; the result is new. */
isl_pw_aff *as_window_out(as_tr *tr, isl_pw_aff *in, isl_pw_aff *k, isl_pw_aff *p,
                          long d, long s);

as_rc as_fn_conv2d(as_tr *tr, as_value *out, args *a, cvp_srcpos pos);

as_rc as_fn_conv_transpose2d(as_tr *tr, as_value *out, args *a, cvp_srcpos pos);

/* conv2d_backward_input/weight(input, weight, grad_output, stride, ...)
 * and conv2d_matrix_input/weight(input, weight, stride, ...). */
as_rc as_fn_layer_linear(as_tr *tr, as_value *out, args *a, layer_linear kind,
                         cvp_srcpos pos);

as_rc as_fn_backward_bias(as_tr *tr, as_value *out, args *a, cvp_srcpos pos);

/* ---- all_shapes_ops_shape.c ------------------------------------------------ */

/* Operators that have a shape translation for counts (relu, abs, pow,
 * max and average pooling and their backward formulas). */
bool as_shape_only_op(const char *name);
/* Their output as a tensor of the right sizes and no pieces, with the
 * kernels' preconditions recorded; only while tr->shapes_only. */
as_rc as_shape_only_call(as_tr *tr, as_value *out, args *a, const char *name,
                         cvp_srcpos pos);
/* concat (cat) and stack of a list written in the call: torch.cat's and
 * torch.stack's shapes; only while tr->shapes_only. */
as_rc as_shape_join(as_tr *tr, as_value *out, const cvp_ast_node *node, size_t lets,
                    bool stack);
/* X[s0, s1, ...] (index) with integers and start:stop:step slices:
 * cvp_builtin_index's shape; only while tr->shapes_only. */
as_rc as_shape_index(as_tr *tr, as_value *out, const cvp_ast_node *node, size_t lets);

/* The multiplications kernel/conv2d_backward.c counts for
 * conv2d_backward_input (BW_INPUT) or _weight (BW_WEIGHT) with the
 * arguments a, as a quasi-polynomial in the dims. */
as_rc as_layer_backward_mults(as_tr *tr, args *a, layer_linear kind, cvp_srcpos pos,
                              isl_pw_qpolynomial **out);

#endif
