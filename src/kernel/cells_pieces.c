/* cells_pieces.c -- the pieces of a piecewise polynomial function around
 * the current cell of a cvp_cells search (see cells.h, "Pieces").
 *
 * The function is evaluated again in a ring ordered by this file: a
 * comparison whose sign on the cell is known (a constant there once the
 * cell's equalities are substituted, or a multiple of an answer on the
 * cell's path, each reduced the same way) gets that sign; a comparison
 * that is 0 on the whole cell but not everywhere is a kink, answered by
 * the piece's direction: +1 or -1, i.e. the sign of a . v for the
 * direction v the piece lies in, with a the linear part of the compared
 * difference.  The answers at the kinks are walked depth first, a branch
 * kept only when the strict homogeneous system s_i a_i . v > 0 of its
 * answers so far is feasible (kernel/lp.h, checked certificates), so
 * every realizable piece is walked once and no other.  Any other
 * comparison (not affine, or of unknown sign on the cell: the pieces
 * would differ across the cell) fails with CVP_ERR_UNSUPPORTED. */
#include "kernel/cells_internal.h"

#include <stdlib.h>

#include "kernel/alloc.h"
#include "kernel/lp.h"

/* Kinks on one piece's path, and pieces of one cell. */
#define MAX_KINKS ((size_t)4096)

typedef struct {
    mpq_t *linear;     /* n: the linear part of the compared difference */
    int sign;          /* the answer: +1 or -1 */
    bool other;        /* the other answer is still to walk (realizable) */
} kink;

struct cvp_cell_pieces {
    const cvp_cells *cells;
    size_t n;
    kink *trail;
    size_t len, cap, depth;
    mpq_t *form;       /* n + 1, scratch */
    mpq_t *reduced;    /* n + 1, scratch */
    mpq_t *other;      /* n + 1, scratch */
};

cvp_cell_pieces *cvp_cell_pieces_new(const cvp_cells *cells)
{
    cvp_cell_pieces *p = cvp_xcalloc(1, sizeof *p);
    p->cells = cells;
    p->n = cells->n;
    p->form = cells_vector_new(p->n + 1);
    p->reduced = cells_vector_new(p->n + 1);
    p->other = cells_vector_new(p->n + 1);
    return p;
}

void cvp_cell_pieces_free(cvp_cell_pieces *p)
{
    if (p == NULL)
        return;
    for (size_t k = 0; k < p->len; k++)
        cells_vector_free(p->trail[k].linear, p->n);
    free(p->trail);
    cells_vector_free(p->form, p->n + 1);
    cells_vector_free(p->reduced, p->n + 1);
    cells_vector_free(p->other, p->n + 1);
    free(p);
}

void cvp_cell_pieces_begin(cvp_cell_pieces *p)
{
    p->depth = 0;
}

/* Whether answers trail[0..count-1] with trail[count-1]'s sign replaced
 * by `last` (count >= 1) are realized by some direction. */
static cvp_status realizable(const cvp_cell_pieces *p, size_t count, int last,
                             bool *feasible, cvp_error *err)
{
    size_t n = p->n;
    cvp_lp_row *rows = cvp_xcalloc(count, sizeof *rows);
    size_t entries = count * n;
    size_t *index = cvp_xmalloc((entries != 0 ? entries : 1) * sizeof *index);
    mpq_t *coef = cells_vector_new(count * n);
    size_t used = 0;
    for (size_t k = 0; k < count; k++) {
        int s = k + 1 == count ? last : p->trail[k].sign;
        rows[k].index = &index[used];
        rows[k].coef = &coef[used];
        for (size_t j = 0; j < n; j++)
            if (mpq_sgn(p->trail[k].linear[j]) != 0) {
                index[used] = j;
                mpq_set(coef[used], p->trail[k].linear[j]);
                if (s < 0)
                    mpq_neg(coef[used], coef[used]);
                used++;
            }
        rows[k].len = (size_t)(&index[used] - rows[k].index);
    }
    cvp_lp_result r;
    cvp_lp_result_init(&r);
    cvp_status st = cvp_lp_strict_feasible_sparse(&r, rows, count, n, err);
    *feasible = st == CVP_OK && r.feasible;
    cvp_lp_result_clear(&r);
    cells_vector_free(coef, count * n);
    free(index);
    free(rows);
    return st;
}

/* The sign on the whole cell of the reduced form r (not constant), when
 * it is a multiple of an answer on the cell's path reduced the same way. */
static bool sign_on_cell(cvp_cell_pieces *p, mpq_t *const r, int *sign)
{
    const cvp_cells *cells = p->cells;
    size_t n = p->n;
    size_t lead = n;
    for (size_t j = 0; j < n && lead == n; j++)
        if (mpq_sgn(r[j]) != 0)
            lead = j;
    mpq_t ratio, t;
    mpq_init(ratio);
    mpq_init(t);
    bool found = false;
    for (size_t k = 0; k < cells->depth && !found; k++) {
        cells_reduce(cells, p->other, cells->trail[k].form);
        if (mpq_sgn(p->other[lead]) == 0)
            continue;
        mpq_div(ratio, r[lead], p->other[lead]);
        bool same = true;
        for (size_t j = 0; same && j <= n; j++) {
            mpq_mul(t, ratio, p->other[j]);
            same = mpq_equal(t, r[j]) != 0;
        }
        if (same) {
            *sign = mpq_sgn(ratio) * cells->trail[k].sign;
            found = true;
        }
    }
    mpq_clear(ratio);
    mpq_clear(t);
    return found;
}

static int pieces_cmp(cvp_ring *R, const void *a, const void *b)
{
    cvp_cell_pieces *p = R->order_context;
    size_t n = p->n;
    if (cvp_ring_failed(R))
        return 0;
    cvp_poly diff;
    R->init(R, &diff);
    R->sub(R, &diff, a, b);
    for (size_t j = 0; j <= n; j++)
        mpq_set_ui(p->form[j], 0, 1);
    bool affine = !cvp_ring_failed(R);
    for (size_t k = 0; affine && k < diff.len; k++) {
        const cvp_poly_term *t = &diff.terms[k];
        if (t->degree == 0)
            mpq_set(p->form[n], t->coeff);
        else if (t->degree == 1 && t->vars[0] < n)
            mpq_set(p->form[t->vars[0]], t->coeff);
        else
            affine = false;
    }
    R->clear(R, &diff);
    int answer = 0;
    if (!affine) {
        cvp_ring_fail(R, CVP_ERR_UNSUPPORTED, "the pieces around a cell: a "
                      "comparison of values not affine in the inputs");
        return 0;
    }
    if (cells_is_constant(p->form, n))
        return mpq_sgn(p->form[n]);   /* equal slopes too: no kink */
    cells_reduce(p->cells, p->reduced, p->form);
    if (!cells_is_constant(p->reduced, n)) {
        if (sign_on_cell(p, p->reduced, &answer))
            return answer;
        cvp_ring_fail(R, CVP_ERR_UNSUPPORTED, "the pieces around a cell: a "
                      "comparison whose sign changes across the cell");
        return 0;
    }
    if (mpq_sgn(p->reduced[n]) != 0)
        return mpq_sgn(p->reduced[n]);
    /* a kink: 0 on the whole cell, with a nonzero linear part */
    if (p->depth < p->len) {
        kink *k = &p->trail[p->depth];
        bool same = true;
        for (size_t j = 0; same && j < n; j++)
            same = mpq_equal(k->linear[j], p->form[j]) != 0;
        if (!same) {
            cvp_ring_fail(R, CVP_ERR_UNSUPPORTED, "the pieces around a cell: "
                          "the evaluation compared other values when replayed");
            return 0;
        }
        p->depth++;
        return k->sign;
    }
    if (p->len >= MAX_KINKS) {
        cvp_ring_fail(R, CVP_ERR_LIMIT, "the pieces around a cell: more than "
                      "%zu kinks", MAX_KINKS);
        return 0;
    }
    if (p->len == p->cap) {
        p->cap = p->cap ? 2 * p->cap : 16;
        p->trail = cvp_xrealloc(p->trail, p->cap * sizeof *p->trail);
    }
    kink *k = &p->trail[p->len++];
    k->linear = cells_vector_new(n);
    cells_vector_copy(k->linear, p->form, n);
    k->sign = 1;
    k->other = false;
    cvp_error err;
    cvp_error_clear(&err);
    bool up = false, down = false;
    cvp_status st = realizable(p, p->len, 1, &up, &err);
    if (st == CVP_OK)
        st = realizable(p, p->len, -1, &down, &err);
    if (st != CVP_OK) {
        cvp_ring_fail(R, st, "the pieces around a cell: %s", err.message);
        return 0;
    }
    if (!up && !down) {
        cvp_ring_fail(R, CVP_ERR_UNSUPPORTED, "the pieces around a cell: a "
                      "kink with no side a direction reaches");
        return 0;
    }
    k->sign = up ? 1 : -1;
    k->other = up && down;
    p->depth++;
    return k->sign;
}

void cvp_cell_pieces_attach(cvp_cell_pieces *p, cvp_ring *R)
{
    CVP_ASSERT(cvp_ring_is_poly(R));
    R->cmp = pieces_cmp;
    R->order_context = p;
}

size_t cvp_cell_pieces_kinks(const cvp_cell_pieces *p)
{
    return p->depth;
}

void cvp_cell_pieces_advance(cvp_cell_pieces *p, bool *more)
{
    while (p->len > p->depth)
        cells_vector_free(p->trail[--p->len].linear, p->n);
    while (p->len > 0) {
        kink *k = &p->trail[p->len - 1];
        if (k->other) {
            /* realizable when the kink was met: its prefix is unchanged */
            k->other = false;
            k->sign = -k->sign;
            p->depth = 0;
            *more = true;
            return;
        }
        cells_vector_free(k->linear, p->n);
        p->len--;
    }
    p->depth = 0;
    *more = false;
}

cvp_status cvp_cells_substitute(const cvp_cells *cells, cvp_ring *R,
                                cvp_poly *out, const cvp_poly *p, cvp_error *err)
{
    size_t n = cells->n;
    cvp_poly term, factor, sum, scratch;
    R->init(R, &term);
    R->init(R, &factor);
    R->init(R, &sum);
    R->init(R, &scratch);
    for (size_t k = 0; k < p->len && !cvp_ring_failed(R); k++) {
        const cvp_poly_term *t = &p->terms[k];
        R->set_q(R, &term, t->coeff);
        for (uint32_t j = 0; j < t->degree; j++) {
            uint32_t v = t->vars[j];
            if (v < n && cells->subst[v] != NULL) {
                /* x_v = subst[v] . (x, 1) */
                R->set_q(R, &factor, cells->subst[v][n]);
                for (size_t i = 0; i < n; i++)
                    if (mpq_sgn(cells->subst[v][i]) != 0) {
                        cvp_poly_set_var(R, &scratch, (uint32_t)i);
                        cvp_poly c;
                        R->init(R, &c);
                        R->set_q(R, &c, cells->subst[v][i]);
                        R->mul(R, &scratch, &scratch, &c);
                        R->clear(R, &c);
                        R->add(R, &factor, &factor, &scratch);
                    }
            } else {
                cvp_poly_set_var(R, &factor, v);
            }
            R->mul(R, &term, &term, &factor);
        }
        R->add(R, &sum, &sum, &term);
    }
    R->set(R, out, &sum);
    R->clear(R, &term);
    R->clear(R, &factor);
    R->clear(R, &sum);
    R->clear(R, &scratch);
    return cvp_ring_check(R, err);
}

/* out := entry k of t as a polynomial of R (a rational entry as a
 * constant; a polynomial of any ring over the same variables as is). */
static void load_entry(cvp_ring *R, cvp_poly *out, const cvp_tensor_struct *t,
                       size_t k)
{
    if (t->ring == &cvp_ring_q)
        R->set_q(R, out, cvp_tensor_at_const(t, k));
    else
        R->set(R, out, (const cvp_poly *)cvp_tensor_elem_const(t, k));
}

cvp_status cvp_cells_same_values(const cvp_cells *cells, cvp_ring *R,
                                 const cvp_tensor_struct *a,
                                 const cvp_tensor_struct *b, bool *same,
                                 cvp_error *err)
{
    *same = a->size == b->size;
    cvp_poly x, y;
    R->init(R, &x);
    R->init(R, &y);
    cvp_status st = CVP_OK;
    for (size_t k = 0; *same && st == CVP_OK && k < a->size; k++) {
        load_entry(R, &x, a, k);
        load_entry(R, &y, b, k);
        R->sub(R, &x, &x, &y);
        st = cvp_cells_substitute(cells, R, &x, &x, err);
        *same = x.len == 0;
    }
    R->clear(R, &x);
    R->clear(R, &y);
    return st;
}
