/* figures.c -- the pictures of a checked claim (see figures.h): the
 * choice of a small shape, explicit matrices, kernels, padded inputs and
 * cost bars.  Counterexamples are in figures_counterexample.c. */
#include "report/figures_internal.h"

#include <stdlib.h>
#include <string.h>

#include "eval/eval.h"
#include "check/shapes.h"
#include "eval/symbolic.h"

/* Symbolic pictures only for shapes with at most this many input entries:
 * the point is a matrix a reader can take in, and the polynomials of a
 * larger one would cost time for nothing. */
#define SYMBOLIC_MAX_INPUT_ENTRIES 400
/* Interesting subexpressions kept per claim and kind. */
#define MAX_NODES 16

typedef struct {
    const cvp_proof_file *file;
    const cvp_proof_claim *claim;
    cvp_definitions defs;
    cvp_definition *def_items;
    cvp_shape_point point;      /* the chosen shape */
    bool have_point;
    char shape_text[256];       /* "M=3, N=3, U=2, V=2" */
} figure_context;

/* ---- grids from tensors ------------------------------------------------ */

cvp_figure_grid *cvp_figure_add_tensor_grid(cvp_figure *f, const char *label,
                                         const cvp_tensor_struct *t,
                                         unsigned zero_mark)
{
    size_t cols = t->rank == 0 ? 1 : t->shape[t->rank - 1];
    size_t rows = cols == 0 ? 0 : t->size / cols;
    if (t->rank == 0)
        rows = 1;
    if (t->size > CVP_FIGURE_MAX_CELLS || t->size == 0)
        return NULL;
    cvp_figure_grid *g = cvp_figure_add_grid(f, label, rows, cols);
    for (size_t k = 0; k < t->size; k++) {
        char entry[256];
        cvp_symbolic_format_entry(entry, sizeof entry, t, k);
        cvp_set_text(&g->cells[k], entry);
        if (t->ring->is_zero(t->ring, cvp_tensor_elem(t, k)))
            g->marks[k] |= (unsigned char)(CVP_CELL_ZERO | zero_mark);
    }
    return g;
}

/* ---- the small shape ----------------------------------------------------- */

/* How many inputs have a side of length 1 among their last two axes: a
 * 1 x n kernel or a 1 x 1 output makes a poor picture of a convolution. */
static size_t thin_sides(const cvp_proof_claim *claim, const cvp_shape_point *p)
{
    size_t thin = 0;
    for (size_t t = 0; t < claim->tensor_count; t++) {
        int rank = claim->tensors[t].rank;
        for (int a = rank > 2 ? rank - 2 : 0; a < rank; a++)
            thin += p->shapes[t][a] == 1;
    }
    return thin;
}

static void choose_shape(figure_context *fx)
{
    const cvp_proof_claim *claim = fx->claim;
    size_t n = claim->dim_count;
    long *lo = calloc(n + 1, sizeof *lo), *hi = calloc(n + 1, sizeof *hi),
         *v = calloc(n + 1, sizeof *v);
    CVP_ASSERT(lo != NULL && hi != NULL && v != NULL);
    /* A few values per dim keep the search small even for the 8-dim
     * claims; unbounded dims get the same few values above their bound. */
    long span = n <= 4 ? 5 : 3;
    for (size_t k = 0; k < n; k++) {
        lo[k] = claim->dims[k].lo;
        hi[k] = lo[k] + span - 1;
        if (!claim->dims[k].unbounded && claim->dims[k].hi < hi[k])
            hi[k] = claim->dims[k].hi;
        v[k] = lo[k];
    }
    size_t best_thin = SIZE_MAX;
    long best_raise = 0;
    for (size_t steps = 0; steps < 200000; steps++) {
        bool ok = true;
        for (size_t c = 0; ok && c < claim->constraint_count; c++) {
            bool holds = false;
            ok = cvp_proof_constraint_eval(&holds, &claim->constraints[c], v)
                 && holds;
        }
        cvp_shape_point p;
        cvp_lang_error err;
        cvp_lang_error_clear(&err);
        if (ok && cvp_shape_point_at(&p, claim, v, fx->file->source_name, &err)
                      == CVP_OK) {
            /* How far the dims are raised above their lower bounds: a
             * stride or padding beyond the least is drawn only when
             * needed, so that the matrix is the plain convolution's. */
            long raise = 0;
            for (size_t k = 0; k < n; k++)
                raise += v[k] - lo[k];
            size_t thin = thin_sides(claim, &p);
            if (!fx->have_point || thin < best_thin
                || (thin == best_thin && raise < best_raise)
                || (thin == best_thin && raise == best_raise
                    && p.total_entries < fx->point.total_entries)) {
                if (fx->have_point)
                    cvp_shape_point_clear(&fx->point);
                fx->point = p;
                fx->have_point = true;
                best_thin = thin;
                best_raise = raise;
            } else {
                cvp_shape_point_clear(&p);
            }
        }
        /* The next assignment, the first dim fastest. */
        size_t k = 0;
        while (k < n && v[k] == hi[k])
            v[k] = lo[k], k++;
        if (k == n)
            break;
        v[k]++;
    }
    if (fx->have_point && n == 0)
        snprintf(fx->shape_text, sizeof fx->shape_text, "the declared shapes");
    else if (fx->have_point)
        cvp_shape_point_format(fx->shape_text, sizeof fx->shape_text, claim,
                               &fx->point);
    free(lo);
    free(hi);
    free(v);
}

/* ---- evaluation at the chosen shape ------------------------------------ */

/* Binds the inputs at the chosen shape, as textbook-named indeterminates
 * over R when R is a polynomial ring, as placeholders otherwise (the
 * shape-only ring of mults and size), and the dims as constants. */
static bool bind_inputs(cvp_env *env, cvp_ring *R, const figure_context *fx)
{
    cvp_error e;
    cvp_error_clear(&e);
    const cvp_proof_claim *claim = fx->claim;
    cvp_status st = CVP_OK;
    for (size_t t = 0; st == CVP_OK && t < claim->tensor_count; t++) {
        const cvp_proof_tensor *decl = &claim->tensors[t];
        if (cvp_ring_is_poly(R)) {
            st = cvp_symbolic_bind(env, R, decl->name, decl->rank,
                                   fx->point.shapes[t], &e);
        } else {
            cvp_tensor_t x;
            cvp_tensor_init_ring(x, R);
            st = cvp_tensor_resize(x, decl->rank, fx->point.shapes[t], &e);
            if (st == CVP_OK)
                st = cvp_env_bind(env, decl->name, x, &e);
            cvp_tensor_clear(x);
        }
    }
    for (size_t k = 0; st == CVP_OK && k < claim->dim_count; k++) {
        cvp_tensor_t d;
        cvp_tensor_init(d);
        cvp_tensor_set_scalar_si(d, fx->point.dims[k], 1);
        st = cvp_env_bind_constant(env, claim->dims[k].name, d, &e);
        cvp_tensor_clear(d);
    }
    return st == CVP_OK;
}

/* Evaluates `node` symbolically at the chosen shape and adds it to f as a
 * grid labelled with its text; false when that is not possible. */
static bool add_symbolic_grid(cvp_figure *f, const figure_context *fx,
                              const cvp_ast_node *node, const char *prefix,
                              unsigned zero_mark, int min_rank)
{
    if (fx->point.total_entries > SYMBOLIC_MAX_INPUT_ENTRIES)
        return false;
    cvp_ring R;
    cvp_ring_poly_init(&R, 100000);
    cvp_env env;
    cvp_env_init(&env);
    cvp_value v;
    cvp_value_init(&v);
    cvp_lang_error err;
    cvp_lang_error_clear(&err);
    bool ok = bind_inputs(&env, &R, fx)
              && cvp_eval_in(&v, node, &env, &fx->defs, &R, fx->file->source_name,
                             &err) == CVP_OK
              && v.kind == CVP_VALUE_TENSOR && v.tensor->rank >= min_rank
              && !cvp_ring_failed(&R);
    if (ok) {
        char label[512];
        char text[448];
        cvp_ast_to_string(text, sizeof text, node);
        snprintf(label, sizeof label, "%s%s", prefix, text);
        ok = cvp_figure_add_tensor_grid(f, label, v.tensor, zero_mark) != NULL;
    }
    cvp_value_clear(&v);
    cvp_env_clear(&env);
    cvp_ring_poly_clear(&R);
    return ok;
}

/* ---- finding the interesting subexpressions ---------------------------- */

typedef struct {
    const cvp_ast_node *items[MAX_NODES];
    size_t count;
} node_list;

/* Adds node unless a node with the same text is already there. */
static void node_list_add(node_list *list, const cvp_ast_node *node)
{
    char text[512], other[512];
    cvp_ast_to_string(text, sizeof text, node);
    for (size_t k = 0; k < list->count; k++) {
        cvp_ast_to_string(other, sizeof other, list->items[k]);
        if (strcmp(text, other) == 0)
            return;
    }
    if (list->count < MAX_NODES)
        list->items[list->count++] = node;
}

static bool is_call(const cvp_ast_node *node, const char *name)
{
    return node != NULL && node->kind == CVP_AST_CALL && strcmp(node->u.call.name, name) == 0;
}

static bool is_matrix_call(const cvp_ast_node *node)
{
    return is_call(node, "jacobian") || is_call(node, "conv2d_matrix_input")
           || is_call(node, "conv2d_matrix_weight");
}

/* Collects the calls named `name` (or, for NULL, the explicit-matrix
 * calls) anywhere under node.  The tree's height is bounded by the parser
 * (lang/ast.h), so the recursion is too. */
static void collect(node_list *list, const cvp_ast_node *node, const char *name)
{
    if (node == NULL)
        return;
    if (name == NULL ? is_matrix_call(node) : is_call(node, name))
        node_list_add(list, node);
    switch (node->kind) {
    case CVP_AST_UNARY:
        collect(list, node->u.unary.operand, name);
        break;
    case CVP_AST_BINARY:
        collect(list, node->u.binary.lhs, name);
        collect(list, node->u.binary.rhs, name);
        break;
    case CVP_AST_CALL:
        for (size_t k = 0; k < node->u.call.count; k++)
            collect(list, node->u.call.args[k].value, name);
        break;
    case CVP_AST_TUPLE:
    case CVP_AST_LIST:
        for (size_t k = 0; k < node->u.items.count; k++)
            collect(list, node->u.items.items[k], name);
        break;
    default:
        break;
    }
}

/* Every call named `name` in the claim's lets and shows. */
static void collect_claim(node_list *list, const cvp_proof_claim *claim,
                          const char *name)
{
    for (size_t k = 0; k < claim->let_count; k++)
        collect(list, claim->lets[k].expr, name);
    for (size_t k = 0; k < claim->show_count; k++) {
        collect(list, claim->shows[k].lhs, name);
        collect(list, claim->shows[k].rhs, name);
    }
}

/* ---- the figures ----------------------------------------------------------- */

static void add_matrix_figures(cvp_claim_result *r, const figure_context *fx)
{
    for (size_t s = 0; s < fx->claim->show_count; s++) {
        const cvp_proof_show *show = &fx->claim->shows[s];
        node_list matrices = {.count = 0};
        collect(&matrices, show->lhs, NULL);
        size_t left_matrices = matrices.count;
        collect(&matrices, show->rhs, NULL);
        if (matrices.count == 0)
            continue;
        char caption[512];
        snprintf(caption, sizeof caption, "Explicit matrices of the show at line "
                 "%d, at %s; every input entry is an indeterminate (w11 is "
                 "W[1,1], counted from 1)", show->pos.line, fx->shape_text);
        cvp_figure *f = cvp_claim_add_figure(r, CVP_FIGURE_GRIDS, caption);
        /* Each side's matrices, then the side itself when it is built
         * from them (a transpose, say), so that the forward matrix, its
         * transpose and the other side's matrix stand in a row. */
        for (int side = 0; side < 2; side++) {
            for (size_t k = side ? left_matrices : 0;
                 k < (side ? matrices.count : left_matrices); k++)
                add_symbolic_grid(f, fx, matrices.items[k], "", 0, 2);
            const cvp_ast_node *node = side ? show->rhs : show->lhs;
            if (node != NULL && !is_matrix_call(node))
                add_symbolic_grid(f, fx, node, side ? "right: " : "left: ", 0, 2);
        }
        if (f->grid_count == 0)
            cvp_claim_remove_last_figure(r);
    }
}

static void add_operand_figures(cvp_claim_result *r, const figure_context *fx,
                                const char *fn, const char *what, unsigned mark)
{
    node_list calls = {.count = 0};
    collect_claim(&calls, fx->claim, fn);
    if (calls.count == 0)
        return;
    /* One figure, each operand beside its result (W, rot180(W), X,
     * rot180(X) in a row); a pair that cannot be drawn is left out whole. */
    char caption[512];
    snprintf(caption, sizeof caption, "%s at %s", what, fx->shape_text);
    cvp_figure *f = cvp_claim_add_figure(r, CVP_FIGURE_GRIDS, caption);
    for (size_t k = 0; k < calls.count; k++) {
        const cvp_ast_node *call = calls.items[k];
        if (call->u.call.count == 0)
            continue;
        size_t before = f->grid_count;
        if (add_symbolic_grid(f, fx, call->u.call.args[0].value, "", 0, 1)
            && !add_symbolic_grid(f, fx, call, "", mark, 1))
            cvp_figure_drop_grids(f, before);
    }
    if (f->grid_count == 0)
        cvp_claim_remove_last_figure(r);
}

/* Bars for every mults(E) (or size(E)) of the claim, evaluated in the
 * shape-only ring, so exercise 5-4's full-size layer costs nothing. */
static void add_cost_figure(cvp_claim_result *r, const figure_context *fx,
                            const char *fn, const char *caption)
{
    node_list calls = {.count = 0};
    collect_claim(&calls, fx->claim, fn);
    if (calls.count == 0)
        return;
    cvp_figure *f = cvp_claim_add_figure(r, CVP_FIGURE_BARS, caption);
    for (size_t k = 0; k < calls.count; k++) {
        cvp_ring S;
        cvp_ring_shape_init(&S);
        cvp_env env;
        cvp_env_init(&env);
        cvp_value v;
        cvp_value_init(&v);
        cvp_lang_error err;
        cvp_lang_error_clear(&err);
        if (bind_inputs(&env, &S, fx)
            && cvp_eval_in(&v, calls.items[k], &env, &fx->defs, &S,
                           fx->file->source_name, &err) == CVP_OK
            && cvp_value_is_scalar(&v) && v.tensor->ring == &cvp_ring_q) {
            mpq_srcptr q = cvp_tensor_at_const(v.tensor, 0);
            char *digits = mpq_get_str(NULL, 10, q);
            char label[512];
            cvp_ast_to_string(label, sizeof label, calls.items[k]);
            cvp_figure_add_bar(f, label, digits, mpq_get_d(q));
            free(digits);
        }
        cvp_value_clear(&v);
        cvp_env_clear(&env);
    }
    if (f->bar_count == 0)
        cvp_claim_remove_last_figure(r);
}

void cvp_figures_add(cvp_claim_result *result, const cvp_proof_file *file,
                     size_t index)
{
    CVP_ASSERT(index < file->claim_count);
    figure_context fx;
    memset(&fx, 0, sizeof fx);
    fx.file = file;
    fx.claim = &file->claims[index];
    fx.def_items = calloc(fx.claim->let_count + 1, sizeof *fx.def_items);
    CVP_ASSERT(fx.def_items != NULL);
    for (size_t k = 0; k < fx.claim->let_count; k++) {
        fx.def_items[k].name = fx.claim->lets[k].name;
        fx.def_items[k].expr = fx.claim->lets[k].expr;
    }
    fx.defs.items = fx.def_items;
    fx.defs.count = fx.claim->let_count;

    choose_shape(&fx);
    if (fx.have_point) {
        add_matrix_figures(result, &fx);
        add_operand_figures(result, &fx, "rot180",
                            "Kernels and inputs beside their rot180", 0);
        add_operand_figures(result, &fx, "pad",
                            "Inputs and their padding (shaded)", CVP_CELL_PADDING);
        char caption[512];
        snprintf(caption, sizeof caption, "Multiplications under the usual cost "
                 "model (every kernel tap at every output position), at %s",
                 fx.shape_text);
        add_cost_figure(result, &fx, "mults", caption);
        snprintf(caption, sizeof caption, "Memory: entries of each tensor, at %s",
                 fx.shape_text);
        add_cost_figure(result, &fx, "size", caption);
        cvp_shape_point_clear(&fx.point);
    }
    figures_add_counterexamples(result);
    free(fx.def_items);
}
