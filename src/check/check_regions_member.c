/* check_regions_member.c -- `show A in subgrad(L, X)` on one cell of the
 * regions method (check_regions.h says what holds and what is left open).
 *
 * The set at a point of the cell is the convex hull of the gradients of
 * L's pieces there (eval/subgrad.h), and the pieces with their
 * polynomials are the same at every point of the cell (kernel/cells.h,
 * "Pieces").  Weights that do not depend on the point -- A equal, as
 * polynomials on the cell, to one convex combination of the pieces'
 * gradients -- show membership at every point at once; they are found
 * and checked by kernel/hull.h in the space of the polynomials'
 * coefficients.  Membership that needs weights varying over the cell is
 * not shown here (the cell is left open, to be sampled). */
#include "check/check_regions.h"

#include <stdlib.h>
#include <string.h>

#include "eval/eval.h"
#include "kernel/alloc.h"
#include "kernel/hull.h"
#include "kernel/ring_poly.h"

#define MAX_PIECES ((size_t)4096)

/* One term of one entry of a polynomial tensor, a coordinate in the
 * space of coefficients; owner 0 is A, owner 1 + s the s-th piece. */
typedef struct {
    size_t entry, owner;
    uint32_t degree;
    uint32_t vars[CVP_POLY_MAX_DEGREE];
    mpq_t coeff;
} coord_term;

typedef struct {
    coord_term *terms;
    size_t len, cap;
} coord_list;

static void coords_add(coord_list *l, size_t owner, size_t entry, const cvp_poly *p)
{
    for (size_t k = 0; k < p->len; k++) {
        if (l->len == l->cap) {
            l->cap = l->cap ? 2 * l->cap : 64;
            l->terms = cvp_xrealloc(l->terms, l->cap * sizeof *l->terms);
        }
        coord_term *t = &l->terms[l->len++];
        t->entry = entry;
        t->owner = owner;
        t->degree = p->terms[k].degree;
        memcpy(t->vars, p->terms[k].vars, sizeof t->vars);
        mpq_init(t->coeff);
        mpq_set(t->coeff, p->terms[k].coeff);
    }
}

static void coords_clear(coord_list *l)
{
    for (size_t k = 0; k < l->len; k++)
        mpq_clear(l->terms[k].coeff);
    free(l->terms);
}

/* Orders terms by entry, then monomial; the owner is not compared. */
static int key_cmp(const coord_term *a, const coord_term *b)
{
    if (a->entry != b->entry)
        return a->entry < b->entry ? -1 : 1;
    if (a->degree != b->degree)
        return a->degree < b->degree ? -1 : 1;
    for (uint32_t j = 0; j < a->degree; j++)
        if (a->vars[j] != b->vars[j])
            return a->vars[j] < b->vars[j] ? -1 : 1;
    return 0;
}

static int term_order(const void *x, const void *y)
{
    return key_cmp(x, y);
}

/* Whether A (owner 0) is a convex combination of the `pieces` others,
 * coordinate by coordinate. */
static cvp_status combination(coord_list *l, size_t pieces, bool *member,
                              cvp_error *err)
{
    qsort(l->terms, l->len, sizeof *l->terms, term_order);
    size_t dims = 0;
    size_t *coord = cvp_xmalloc((l->len ? l->len : 1) * sizeof *coord);
    for (size_t k = 0; k < l->len; k++) {
        if (k > 0 && key_cmp(&l->terms[k - 1], &l->terms[k]) != 0)
            dims++;
        coord[k] = dims;
    }
    if (l->len > 0)
        dims++;
    cvp_status st = CVP_OK;
    if (dims == 0) {
        *member = true;   /* A and every gradient are 0 */
        free(coord);
        return CVP_OK;
    }
    size_t shape[1] = {dims};
    cvp_tensor_struct *vecs = cvp_xcalloc(pieces + 1, sizeof *vecs);
    for (size_t s = 0; s <= pieces; s++) {
        cvp_tensor_init(&vecs[s]);
        if (st == CVP_OK)
            st = cvp_tensor_resize(&vecs[s], 1, shape, err);
    }
    for (size_t k = 0; st == CVP_OK && k < l->len; k++)
        mpq_add(cvp_tensor_at(&vecs[l->terms[k].owner], coord[k]),
                cvp_tensor_at(&vecs[l->terms[k].owner], coord[k]), l->terms[k].coeff);
    if (st == CVP_OK) {
        const cvp_tensor_struct **points = cvp_xmalloc(pieces * sizeof *points);
        for (size_t s = 0; s < pieces; s++)
            points[s] = &vecs[s + 1];
        cvp_hull_result r;
        cvp_hull_result_init(&r);
        st = cvp_hull_member(&r, &vecs[0], points, pieces, err);
        *member = st == CVP_OK && r.member;
        cvp_hull_result_clear(&r);
        free(points);
    }
    for (size_t s = 0; s <= pieces; s++)
        cvp_tensor_clear(&vecs[s]);
    free(vecs);
    free(coord);
    return st;
}

/* out := entry k of t as a polynomial of R (t over R, or over Q). */
static void element(cvp_ring *R, cvp_poly *out, const cvp_tensor_struct *t, size_t k)
{
    if (t->ring == R)
        R->set(R, out, cvp_tensor_elem(t, k));
    else
        R->set_q(R, out, (mpq_srcptr)cvp_tensor_elem(t, k));
}

static cell_kind open_cell(claim_context *c, const cvp_proof_show *show,
                           cvp_status *status, const char *why)
{
    cvp_lang_error_set(c->err, CVP_ERR_UNSUPPORTED, c->file->source_name,
                       show->rhs->pos, "regions: %s", why);
    *status = CVP_ERR_UNSUPPORTED;
    return CELL_OPEN;
}

/* The pieces of `body` around the cell: their gradients with respect to
 * the variables vars[0..count-1], substituted, into l (owners 1, 2, ...).
 * *pieces counts them. */
static cvp_status walk_pieces(claim_context *c, cvp_cells *cells,
                              const cvp_shape_point *p, const cvp_ast_node *body,
                              const cvp_tensor_struct *at_cell,
                              const uint32_t *vars, size_t count, coord_list *l,
                              size_t *pieces)
{
    cvp_cell_pieces *walk = cvp_cell_pieces_new(cells);
    bool more = true;
    cvp_status st = CVP_OK;
    *pieces = 0;
    while (more && st == CVP_OK) {
        if (*pieces == MAX_PIECES) {
            st = CVP_ERR_UNSUPPORTED;
            cvp_lang_error_set(c->err, st, c->file->source_name, body->pos,
                               "regions: more than %zu pieces around a cell",
                               MAX_PIECES);
            break;
        }
        cvp_ring R;
        cvp_ring_poly_init(&R, c->options->max_terms);
        cvp_cell_pieces_attach(walk, &R);
        cvp_cell_pieces_begin(walk);
        cvp_env env;
        cvp_env_init(&env);
        cvp_value value;
        cvp_value_init(&value);
        st = instance_build(&env, c, p, &R, FILL_VARIABLES, NULL);
        if (st == CVP_OK)
            st = cvp_eval_in(&value, body, &env, &c->defs, &R, c->file->source_name,
                             c->err);
        if (st == CVP_OK && (value.kind != CVP_VALUE_TENSOR || value.tensor->size != 1))
            st = cvp_lang_error_set(c->err, CVP_ERR_UNSUPPORTED, c->file->source_name,
                                    body->pos, "regions: subgrad of a value that "
                                    "is not a scalar");
        cvp_poly g;
        R.init(&R, &g);
        cvp_error e;
        cvp_error_clear(&e);
        bool continuous = true;
        if (st == CVP_OK)
            st = cvp_cells_same_values(cells, &R, value.tensor, at_cell, &continuous, &e);
        if (st == CVP_OK && !continuous) {
            /* a piece takes another value on the cell: L jumps there, and
             * the set (for locally Lipschitz L) is not defined */
            st = CVP_ERR_UNSUPPORTED;
            cvp_lang_error_set(c->err, st, c->file->source_name, body->pos,
                               "regions: L jumps at this cell (a piece around "
                               "it takes another value there), so subgrad is "
                               "not defined at its points");
        }
        for (size_t k = 0; st == CVP_OK && k < count; k++) {
            if (value.tensor->ring == &R)
                cvp_poly_derivative(&R, &g, cvp_tensor_elem(value.tensor, 0), vars[k]);
            else
                R.sub(&R, &g, &g, &g);   /* a constant: gradient 0 */
            st = cvp_cells_substitute(cells, &R, &g, &g, &e);
            if (st == CVP_OK)
                coords_add(l, 1 + *pieces, k, &g);
        }
        if (st != CVP_OK && e.status != CVP_OK)
            cvp_lang_error_from(c->err, &e, c->file->source_name, body->pos, NULL);
        R.clear(&R, &g);
        cvp_value_clear(&value);
        cvp_env_clear(&env);
        cvp_ring_poly_clear(&R);
        if (st == CVP_OK) {
            ++*pieces;
            cvp_cell_pieces_advance(walk, &more);
        }
    }
    cvp_cell_pieces_free(walk);
    return st;
}

cell_kind regions_membership(claim_context *c, const cvp_env *env, cvp_ring *R,
                             cvp_cells *cells, const cvp_shape_point *p,
                             const cvp_proof_show *show, cvp_poly *differing,
                             cvp_status *status)
{
    const cvp_ast_node *set = show->rhs;
    if (set->kind != CVP_AST_CALL || strcmp(set->u.call.name, "subgrad") != 0
        || set->u.call.count != 2 || set->u.call.args[1].value->kind != CVP_AST_NAME)
        return open_cell(c, show, status, "a set other than subgrad(L, X)");
    const cvp_ast_node *body = set->u.call.args[0].value;
    const cvp_tensor_struct *X = cvp_env_lookup(env, set->u.call.args[1].value->u.name.text);
    if (X == NULL || X->ring != R)
        return open_cell(c, show, status, "subgrad with respect to a name that is "
                                          "not an input");
    cvp_value a, L;
    cvp_value_init(&a);
    cvp_value_init(&L);
    /* A, then L over the walk's ring: L's comparisons join the cell, so
     * that each has one sign on it (or is a kink of the cell) */
    size_t ties = cvp_cells_ties(cells);
    cvp_status st = cvp_eval_in(&a, show->lhs, env, &c->defs, R, c->file->source_name,
                                c->err);
    if (st == CVP_OK)
        ties = cvp_cells_ties(cells);
    if (st == CVP_OK)
        st = cvp_eval_in(&L, body, env, &c->defs, R, c->file->source_name, c->err);
    bool kinks = st == CVP_OK && cvp_cells_ties(cells) != ties;
    cell_kind kind = CELL_HELD;
    if (st != CVP_OK) {
        kind = st == CVP_ERR_UNSUPPORTED ? CELL_OPEN : CELL_ERROR;
    } else if (a.kind != CVP_VALUE_TENSOR || L.kind != CVP_VALUE_TENSOR
               || L.tensor->size != 1 || a.tensor->size != X->size) {
        kind = open_cell(c, show, &st, "subgrad's element or function does not "
                                       "have the expected size");
    }
    uint32_t *vars = cvp_xmalloc((X->size ? X->size : 1) * sizeof *vars);
    for (size_t k = 0; kind == CELL_HELD && k < X->size; k++)
        if (!cvp_poly_get_var(cvp_tensor_elem(X, k), &vars[k]))
            kind = open_cell(c, show, &st, "an input entry that is not an "
                                           "indeterminate");
    cvp_error e;
    cvp_error_clear(&e);
    coord_list l = {NULL, 0, 0};
    cvp_poly g, d;
    R->init(R, &g);
    R->init(R, &d);
    if (kind == CELL_HELD && cvp_eval_unify_rings(a.tensor, L.tensor, &e) != CVP_OK)
        kind = open_cell(c, show, &st, e.message);
    if (kind == CELL_HELD && !kinks) {
        /* smooth on the cell: the set is the gradient */
        for (size_t k = 0; kind == CELL_HELD && k < X->size; k++) {
            if (L.tensor->ring == R)
                cvp_poly_derivative(R, &g, cvp_tensor_elem(L.tensor, 0), vars[k]);
            else
                R->sub(R, &g, &g, &g);   /* a constant: gradient 0 */
            element(R, &d, a.tensor, k);
            R->sub(R, &d, &d, &g);
            bool vanishes = true;
            st = cvp_cells_vanishes(cells, R, &d, &vanishes, &e);
            if (st != CVP_OK)
                kind = CELL_ERROR;
            else if (!vanishes) {
                R->set(R, differing, &d);
                kind = CELL_DIFFERS;
            }
        }
    } else if (kind == CELL_HELD) {
        /* kinks on the cell: A against the hull of the pieces' gradients */
        for (size_t k = 0; st == CVP_OK && k < X->size; k++) {
            element(R, &d, a.tensor, k);
            st = cvp_cells_substitute(cells, R, &d, &d, &e);
            if (st == CVP_OK)
                coords_add(&l, 0, k, &d);
        }
        size_t pieces = 0;
        if (st == CVP_OK)
            st = walk_pieces(c, cells, p, body, L.tensor, vars, X->size, &l, &pieces);
        bool member = false;
        if (st == CVP_OK)
            st = combination(&l, pieces, &member, &e);
        if (st == CVP_OK && !member)
            kind = open_cell(c, show, &st, "the element is not one fixed convex "
                                           "combination of the pieces' gradients "
                                           "on this cell");
        else if (st != CVP_OK)
            kind = st == CVP_ERR_UNSUPPORTED ? CELL_OPEN : CELL_ERROR;
    }
    if (kind == CELL_ERROR && st == CVP_OK)
        st = CVP_ERR_INPUT;
    if (kind == CELL_ERROR && e.status != CVP_OK)
        cvp_lang_error_from(c->err, &e, c->file->source_name, show->lhs->pos, NULL);
    coords_clear(&l);
    R->clear(R, &g);
    R->clear(R, &d);
    free(vars);
    cvp_value_clear(&a);
    cvp_value_clear(&L);
    *status = kind == CELL_HELD || kind == CELL_DIFFERS ? CVP_OK : st;
    return kind;
}
