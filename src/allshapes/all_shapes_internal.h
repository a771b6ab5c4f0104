/* all_shapes_internal.h -- shared by all_shapes.c (with
 * all_shapes_compare.c, all_shapes_replay.c and all_shapes_shapes.c),
 * all_shapes_translate.c, the operator files (all_shapes_contract.c,
 * all_shapes_ops*.c; see all_shapes_ops.h) and all_shapes_decide.c only
 * (see all_shapes.h for what the method computes).
 *
 * The abstract domain.  A tensor-valued expression E over the claim's
 * inputs T_0, T_1, ... is kept as a list of *pieces*
 *
 *     E[o] = sum over pieces p of  coef_p * sum over (o -> f) in rel_p of
 *                                   T_{t1}[f_1] * T_{t2}[f_2] * ...
 *
 * where the factors t1 < t2 < ... of a piece form its *family* (a set of
 * distinct inputs: the class is multilinear, so no input appears twice in
 * one product), f = (f_1, f_2, ...) concatenates their indices in that
 * order, and rel_p is a parametric integer relation (an isl_map, the dims
 * of the claim as parameters).  Invariant: every pair (o, f) of rel_p is
 * counted once, i.e. the monomial T[f] occurs in E[o] with coefficient
 * coef_p exactly (plus whatever other pieces contribute).  Operators keep
 * the invariant: index maps are functions, and every summation is checked
 * to be injective with isl (otherwise the method is not applicable).
 *
 * Axes.  Each axis of a value is a list of *sub-axes*: a plain axis has
 * one, an axis made by reshape or jacobian from several axes (a flattened
 * index, row-major) has several, a unit axis (size 1) may have none.  The
 * domain of rel_p has one dim per sub-axis.  Two values whose axes have
 * the same sub-axis sizes are compared sub-index by sub-index, which is
 * the same as comparing the flattened entries; index arithmetic (pad,
 * rot180, xcorr, ...) needs plain axes.
 *
 * Integer values (dims used as values, hyper-parameters) are isl_pw_aff
 * on the parameters: affine (quasi-affine after floor) in the dims, with
 * rational coefficients where the language divides exactly.
 */
#ifndef CVP_ALL_SHAPES_INTERNAL_H
#define CVP_ALL_SHAPES_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>   /* before gmp.h: it declares gmp_fprintf & co. only then */
#include <gmp.h>
#include <isl/aff.h>
#include <isl/ctx.h>
#include <isl/map.h>
#include <isl/polynomial.h>
#include <isl/set.h>
#include <isl/space.h>

#include "allshapes/all_shapes.h"

#define AS_MAX_DIMS 24      /* sub-axes of one value */
#define AS_MAX_FACTORS 8    /* factors of a product of dims (reshape sizes) */
#define AS_MAX_PIECES 4096  /* pieces of one value */
#define AS_MAX_TENSORS 64   /* inputs of a claim (families are bit sets) */
#define AS_MAX_GROUPS 16    /* conv2d groups, split case by case */

/* AS_REJECT: the evaluator rejects the claim at every shape (a bad
 * argument, an unknown function); `valid` is then empty and the run
 * replays the smallest shape to report the evaluator's error. */
typedef enum { AS_OK = 0, AS_NA, AS_FAIL, AS_REJECT } as_rc;

typedef struct {
    mpq_t coef;
    uint64_t family;     /* bit t: input tensor t is a factor */
    isl_map *rel;        /* [sub-axis indices] -> [family indices] */
} as_piece;

typedef struct {
    int rank;
    int nsub[CVP_MAX_RANK];        /* sub-axes of each axis */
    int ndims;                     /* sum of nsub */
    isl_pw_aff *size[AS_MAX_DIMS]; /* sub-axis sizes (parameters only) */
    size_t count, cap;
    as_piece *pieces;
} as_tensor;

typedef enum {
    AV_NONE,     /* an absent optional argument */
    AV_NUM,      /* a rational constant */
    AV_SYM,      /* a product of nf affine expressions in the dims */
    AV_TUPLE,
    AV_BOOL,
    AV_TENSOR,
    AV_QP        /* an integer count in the dims (mults, size, sums of
                  * products of dims): a quasi-polynomial, all_shapes_cost.c */
} as_kind;

typedef struct as_value {
    as_kind kind;
    mpq_t num;
    int nf;
    isl_pw_aff *factor[AS_MAX_FACTORS];
    size_t count;
    struct as_value *items;
    bool boolean;
    as_tensor *t;
    isl_pw_qpolynomial *qp;   /* AV_QP, defined on the whole context */
} as_value;

/* The translation of one claim. */
typedef struct {
    isl_ctx *ctx;
    const cvp_proof_claim *claim;
    const char *source;
    isl_space *pspace;        /* the parameters (the dims), a set space of 0 dims */
    isl_set *context;         /* dim ranges and `where` constraints */
    isl_set *valid;           /* where every operator's preconditions hold */
    isl_pw_aff **shape;       /* shape[t * CVP_MAX_RANK + a]: input shapes */
    /* Why not applicable (AS_NA) or what failed (AS_FAIL). */
    char why[600];
    cvp_srcpos where;
    int depth;                /* nesting of expressions and lets, bounded */
    /* Inside mults(...) and size(...) only (all_shapes_cost.c): operators
     * outside the multilinear class give tensors of the right sizes and
     * no relation (all_shapes_ops_shape.c), and no relation is read. */
    bool shapes_only;
} as_tr;

/* ---- values (all_shapes_translate.c) ------------------------------------ */

/* Sets up the translation of `claim`: an isl context, the parameters, the
 * context set and the input shapes.  as_tr_finish frees everything. */
as_rc as_tr_start(as_tr *tr, const cvp_proof_claim *claim, const char *source);
void as_tr_finish(as_tr *tr);

void as_value_init(as_value *v);
void as_value_clear(as_value *v);

as_tensor *as_tensor_new(int rank);
void as_tensor_free(as_tensor *t);
/* Appends a piece (takes rel); drops it when coef is 0 or rel is plainly
 * empty.  AS_NA past AS_MAX_PIECES. */
as_rc as_tensor_add(as_tr *tr, as_tensor *t, const mpq_t coef,
                    uint64_t family, isl_map *rel);

/* Records why the method does not apply (at node position pos) and
 * returns AS_NA. */
as_rc as_na(as_tr *tr, cvp_srcpos pos, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
/* Records an isl failure and returns AS_FAIL. */
as_rc as_fail(as_tr *tr, const char *what);

/* The evaluator rejects the claim where `cond` fails: valid &= cond
 * (takes cond). */
void as_require(as_tr *tr, isl_set *cond);
/* The evaluator rejects the claim at every shape: valid := empty;
 * returns AS_REJECT. */
as_rc as_reject(as_tr *tr);

/* Parameter-only helpers. */
isl_pw_aff *as_pconst(as_tr *tr, long c);
isl_pw_aff *as_pconst_q(as_tr *tr, mpq_srcptr q);
isl_val *as_val_from_mpq(isl_ctx *ctx, mpq_srcptr q);
/* True when a == b for every dim assignment of context & valid. */
isl_bool as_pequal(as_tr *tr, isl_pw_aff *a, isl_pw_aff *b);
/* True (and *c set) when a takes the single integer value *c on
 * context & valid. */
isl_bool as_pconstant(as_tr *tr, isl_pw_aff *a, long *c);

/* The rank of input tensor t and the offset of its indices within the
 * range of a piece of `family`. */
int as_tensor_rank(const as_tr *tr, int t);
int as_family_offset(const as_tr *tr, uint64_t family, int t);
int as_family_dims(const as_tr *tr, uint64_t family);

/* The single constant value of pa when it is syntactically constant. */
bool as_plain_constant(isl_pw_aff *pa, isl_val **out);
/* Dim k (a parameter of the claim's space) as a function. */
isl_pw_aff *as_pparam(as_tr *tr, size_t k);

/* Translates a show side (all_shapes_expr.c). */
as_rc as_translate(as_tr *tr, as_value *out, const cvp_ast_node *node,
                   size_t visible_lets);

/* ---- operators (all_shapes_ops*.c, all_shapes_contract.c) -------------- */

/* Builds a call's value; node is a CVP_AST_CALL. */
as_rc as_call(as_tr *tr, as_value *out, const cvp_ast_node *node,
              size_t visible_lets);
/* Elementwise a OP b (op '+', '-', '*') of two tensors, and a @ b. */
as_rc as_elementwise(as_tr *tr, as_tensor **out, const as_tensor *a,
                     const as_tensor *b, char op, cvp_srcpos pos);
as_rc as_matmul(as_tr *tr, as_tensor **out, const as_tensor *a,
                const as_tensor *b, cvp_srcpos pos);
/* The input tensor t as a value. */
as_rc as_leaf(as_tr *tr, as_tensor **out, int t);
/* A constant scalar (rank 0, one piece of degree 0). */
as_rc as_constant(as_tr *tr, as_tensor **out, mpq_srcptr c);
/* Multiplies every coefficient by c (in place). */
void as_scale(as_tensor *t, mpq_srcptr c);
/* Drops sub-axes of size 1 (on the context) from every axis of t. */
as_rc as_drop_units(as_tr *tr, as_tensor *t);
/* Makes axis k plain (one sub-axis) where that is affine. */
as_rc as_make_plain(as_tr *tr, as_tensor *t, int k, cvp_srcpos pos);

/* ---- counts (all_shapes_cost.c) ----------------------------------------- */

/* mults(E) and size(E) (node is the call) as AV_QP (all_shapes_cost_walk.c). */
as_rc as_cost_call(as_tr *tr, as_value *out, const cvp_ast_node *node,
                   size_t visible_lets);
/* a OP b (op '+', '-', '*', '/', '@') where a or b is a count, or both are
 * dim expressions whose result is not affine (a sum of products). */
as_rc as_qp_binary(as_tr *tr, as_value *out, const as_value *a,
                   const as_value *b, char op, cvp_srcpos pos);
/* The constant q, and 1, as quasi-polynomials on the context. */
isl_pw_qpolynomial *as_qp_const(as_tr *tr, mpq_srcptr q);
isl_pw_qpolynomial *as_qp_one(as_tr *tr);
/* The product of the sizes of axes [from, to) of t. */
as_rc as_qp_axes(as_tr *tr, const as_tensor *t, int from, int to,
                 isl_pw_qpolynomial **out);
/* The number of entries of a value: 1 for a number, a dim expression or
 * a count. */
as_rc as_qp_size(as_tr *tr, const as_value *v, isl_pw_qpolynomial **out);
/* Translates node and gives the size of its value, or the product of
 * its axes [from, to) when from >= 0 (a tensor of `rank` axes needed). */
as_rc as_node_sizes(as_tr *tr, const cvp_ast_node *node, size_t lets, int from,
                    int to, int rank, isl_pw_qpolynomial **out);
/* pa (taken) as a quasi-polynomial; not applicable where pa is not
 * defined at every shape of the context. */
as_rc as_qp_from_pw_aff(as_tr *tr, isl_pw_aff *pa, isl_pw_qpolynomial **out);
/* mults of the call node conv2d_backward_input (input) or
 * conv2d_backward_weight (!input) alone, its operands' own counts left
 * out (all_shapes_ops.c binds, all_shapes_ops_conv.c counts). */
as_rc as_call_backward_mults(as_tr *tr, const cvp_ast_node *node, size_t lets,
                             bool input, isl_pw_qpolynomial **out);
/* NUM, SYM or QP as a quasi-polynomial on the context. */
as_rc as_qp_of(as_tr *tr, const as_value *v, cvp_srcpos pos,
               isl_pw_qpolynomial **out);

/* ---- deciding (all_shapes_decide.c) ------------------------------------- */

/* Disjoint regions of a family with their net coefficients. */
typedef struct {
    isl_map *rel;
    mpq_t coef;
} as_region;

typedef struct {
    size_t count, cap;
    as_region *items;
} as_regions;

void as_regions_init(as_regions *r);
void as_regions_clear(as_regions *r);
/* Adds coef on the pairs of rel (takes rel), keeping regions disjoint
 * and dropping those whose coefficient becomes 0. */
as_rc as_regions_add(as_tr *tr, as_regions *r, isl_map *rel, mpq_srcptr coef);

/* The smallest point of a parameter set (fewest total dim units, then
 * the dims in declaration order) into values[]; false when empty. */
isl_bool as_smallest(as_tr *tr, isl_set *params, long *values);

/* Readable text of a value's relation: "out[i, j] = sum of W[a, b] * ...".
 * Returns a malloc'd string. */
char *as_describe(as_tr *tr, const as_tensor *t);
/* A parameter set as text ("M >= 2 and U = 1 or ..."), malloc'd. */
char *as_describe_set(as_tr *tr, isl_set *set);

/* ---- running the method (all_shapes.c, all_shapes_compare.c,
 * all_shapes_replay.c, all_shapes_shapes.c) ------------------------------ */

struct cvp_all_shapes {
    as_tr tr;
    as_rc rc;
    char reason[800];
    size_t nshows;
    as_value *sides;      /* 2 per show: left, right */
    double prepare_seconds;
    bool has_counts;      /* some side is a count (AV_QP) */
    /* shapes where the counts agreed with eval/cost.c (the cross-check) */
    char counts_checked[600];
    size_t counts_checks;
    size_t counts_more;   /* shapes of as_cross_check_counts_more */
};

/* Shapes as parameter points (all_shapes_shapes.c). */
/* The parameter set {dims = values}. */
isl_set *as_point_set(as_tr *tr, const long *values);
void as_format_values(char *buf, size_t n, const cvp_proof_claim *claim,
                      const long *values);
/* Values of every dim fit an int for isl_set_fix_si. */
bool as_values_fit(const as_tr *tr, const long *values);
/* True when the dims `values` lie in the parameter set `set` (kept). */
bool as_in_set(as_tr *tr, isl_set *set, const long *values);
/* The smallest shape of `params` (taken) into values, in the finite
 * methods' order when the set is bounded and small. */
isl_bool as_choose_shape(as_tr *tr, isl_set *params, long *values);
/* The number of shapes of the context, when finite and small; else 0. */
size_t as_count_shapes(as_tr *tr);

/* Comparing the sides of a show (all_shapes_compare.c). */
/* The sides as tensors with the same axis structure, or not applicable. */
typedef struct {
    as_tensor *t[2];        /* borrowed from the sides, or owned in own[] */
    as_tensor *own[2];
    isl_set *shape_differs; /* parameters where the shapes differ */
    isl_set *differs;       /* parameters where some entry differs */
    /* parameters where the sides cannot be compared (an axis flattened
     * from different shapes): only a replay in Q can show a difference
     * there, and nothing is shown where it finds none */
    isl_set *uncertain;
    char *why_uncertain;
} show_cmp;

/* Input entries set to 1 (the others 0) for a replay: one per factor of
 * a differing monomial. */
typedef struct {
    int tensor[AS_MAX_DIMS];
    long index[AS_MAX_DIMS][CVP_MAX_RANK];
    int count;
} witness;

void as_show_cmp_clear(show_cmp *s);
/* Fills s for show `index`. */
as_rc as_compare_show(cvp_all_shapes *a, size_t index, show_cmp *s);
/* A monomial that differs at shape `values` for show s (shapes equal
 * there), into w, and its description (malloc'd) into *text. */
bool as_find_witness(cvp_all_shapes *a, show_cmp *s, const long *values,
                     witness *w, char **text);

/* Compares two count sides (all_shapes_cost.c): differs is empty when
 * isl reduces their difference to zero on the context and valid set, else
 * the set of the differing shapes found by evaluating it at small shapes
 * (each to be confirmed by a replay); not applicable when none is found. */
as_rc as_compare_counts(as_tr *tr, show_cmp *s, const as_value *l,
                        const as_value *r, cvp_srcpos pos);
/* Evaluates the count sides at shape values with eval/cost.c (inputs as
 * shape-only placeholders) and compares them with their quasi-polynomials:
 * 1 when all agree, 0 when none could be evaluated (a limit), -1 on a
 * disagreement (described in why). */
int as_cross_check_counts(cvp_all_shapes *a, claim_context *c, const long *values,
                          char *why, size_t why_size);
/* The same at up to 24 more small shapes (the fewest dim units first),
 * before a pass; false (with m->reason set) on a disagreement. */
bool as_cross_check_counts_more(cvp_all_shapes *a, claim_context *c,
                                cvp_method_result *m);

/* Evaluating in Q (all_shapes_replay.c). */
typedef enum { REPLAY_EQUAL, REPLAY_DIFFERS, REPLAY_ERROR } replay_kind;

/* Replays shape `values`: the witness instance first (when given), then
 * random instances; on REPLAY_DIFFERS m holds the counterexample. */
replay_kind as_replay_shape(claim_context *c, cvp_method_result *m,
                            const long *values, const witness *w, int trials,
                            size_t *instances, cvp_status *st);
/* Checks the translation in Q at up to three small valid shapes; returns
 * false (with m->reason set) on a disagreement. */
bool as_cross_check_shapes(cvp_all_shapes *a, claim_context *c, cvp_method_result *m,
                           long *values, char *checked, size_t checked_size,
                           size_t *instances);

#endif
