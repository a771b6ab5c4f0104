/* cells.c -- the depth-first search over the answers of a claim's
 * comparisons, one cell per walk (see cells.h). */
#include "kernel/cells_internal.h"

#include <stdlib.h>
#include <string.h>

#include "kernel/alloc.h"
#include "kernel/lp.h"

/* The longest path: each answer keeps two vectors of n + 1 rationals,
 * so the path holds at most CVP_CELLS_MAX_PATH_ENTRIES of them. */
#define MAX_DEPTH ((size_t)100000)

cvp_cells *cvp_cells_new(size_t n, const mpq_t *start)
{
    cvp_cells *cells = cvp_xcalloc(1, sizeof *cells);
    cells->n = n;
    cells->subst = cvp_xcalloc(n ? n : 1, sizeof *cells->subst);
    cells->start = cells_vector_new(n);
    for (size_t k = 0; k < n; k++)
        mpq_set(cells->start[k], start[k]);
    cells->scratch = cells_vector_new(n + 1);
    cells->form = cells_vector_new(n + 1);
    cells->move = cells_vector_new(n);
    mpq_init(cells->tmp);
    cvp_cells_begin(cells);
    return cells;
}

static void decision_free(const cvp_cells *cells, decision *d)
{
    cells_vector_free(d->form, cells->n + 1);
    cells_vector_free(d->witness, cells->n);
    free(d->nonzero);
    d->form = d->witness = NULL;
    d->nonzero = NULL;
}

static void clear_subst(cvp_cells *cells)
{
    for (size_t v = 0; v < cells->n; v++) {
        cells_vector_free(cells->subst[v], cells->n + 1);
        cells->subst[v] = NULL;
    }
    cells->equalities = 0;
}

void cvp_cells_free(cvp_cells *cells)
{
    if (cells == NULL)
        return;
    for (size_t k = 0; k < cells->len; k++)
        decision_free(cells, &cells->trail[k]);
    free(cells->trail);
    clear_subst(cells);
    free(cells->subst);
    cells_vector_free(cells->start, cells->n);
    cells_vector_free(cells->scratch, cells->n + 1);
    cells_vector_free(cells->form, cells->n + 1);
    cells_vector_free(cells->move, cells->n);
    mpq_clear(cells->tmp);
    free(cells);
}

size_t cvp_cells_depth(const cvp_cells *cells) { return cells->depth; }
size_t cvp_cells_ties(const cvp_cells *cells) { return cells->ties; }
size_t cvp_cells_equalities(const cvp_cells *cells) { return cells->equalities; }

/* ---- affine forms ------------------------------------------------------ */

/* ---- the current cell along a walk ------------------------------------- */

void cvp_cells_begin(cvp_cells *cells)
{
    clear_subst(cells);
    cells->point = cells->start;
    cells->depth = 0;
    cells->ties = 0;
}

/* Takes answer trail[k] into the current cell (k == depth). */
void cells_apply(cvp_cells *cells, size_t k)
{
    decision *d = &cells->trail[k];
    if (d->sign == 0)
        cells_add_equality(cells, d->form);
    cells->point = d->witness;
    cells->depth = k + 1;
}

/* ---- the ring's order --------------------------------------------------- */

static void push_decision(cvp_cells *cells, mpq_t *const form)
{
    if (cells->len == cells->cap) {
        size_t cap = cells->cap ? 2 * cells->cap : 64;
        cells->trail = cvp_xrealloc(cells->trail, cap * sizeof *cells->trail);
        cells->cap = cap;
    }
    decision *d = &cells->trail[cells->len++];
    d->form = cells_vector_new(cells->n + 1);
    cells_vector_copy(d->form, form, cells->n + 1);
    d->nonzeros = 0;
    for (size_t j = 0; j <= cells->n; j++)
        d->nonzeros += mpq_sgn(form[j]) != 0;
    d->nonzero = cvp_xmalloc((d->nonzeros ? d->nonzeros : 1) * sizeof *d->nonzero);
    d->nonzeros = 0;
    for (size_t j = 0; j <= cells->n; j++)
        if (mpq_sgn(form[j]) != 0)
            d->nonzero[d->nonzeros++] = j;
    d->witness = cells_vector_new(cells->n);
    d->sign = 0;
    d->pending = 0;
}

/* When `form` is a nonzero multiple c * f of the form f of an answer
 * already on the path, that answer times sign(c) is the answer on the
 * whole cell (a tie test repeats a comparison of max pooling the other
 * way round): true with *answer set. */
static bool multiple_of_answer(const cvp_cells *cells, mpq_t *const form, int *answer)
{
    size_t n = cells->n;
    size_t lead = n + 1;
    for (size_t j = 0; j <= n && lead > n; j++)
        if (mpq_sgn(form[j]) != 0)
            lead = j;
    if (lead > n)
        return false;
    mpq_t ratio, t;
    mpq_init(ratio);
    mpq_init(t);
    bool found = false;
    for (size_t k = 0; k < cells->depth && !found; k++) {
        mpq_t *const f = cells->trail[k].form;
        if (mpq_sgn(f[lead]) == 0)
            continue;
        mpq_div(ratio, form[lead], f[lead]);
        bool same = true;
        for (size_t j = 0; same && j <= n; j++) {
            mpq_mul(t, ratio, f[j]);
            same = mpq_equal(t, form[j]) != 0;
        }
        if (same) {
            *answer = mpq_sgn(ratio) * cells->trail[k].sign;
            found = true;
        }
    }
    mpq_clear(ratio);
    mpq_clear(t);
    return found;
}

/* The answer to a comparison never met on this path: the sign at the
 * current point, the other answers pending when some point takes them. */
static int decide_new(cvp_cells *cells, cvp_ring *R, mpq_t *const form)
{
    size_t n = cells->n;
    mpq_t *r = cells->scratch;
    cells_reduce(cells, r, form);
    if (cells_is_constant(r, n))
        return mpq_sgn(r[n]);   /* one answer on the whole cell */
    size_t max_depth = CVP_CELLS_MAX_PATH_ENTRIES / (2 * (n + 1));
    if (max_depth > MAX_DEPTH)
        max_depth = MAX_DEPTH;
    if (cells->len >= max_depth) {
        cvp_ring_fail(R, CVP_ERR_LIMIT, "regions: more than %zu comparisons on "
                      "one path (%zu inputs)", max_depth, n);
        return 0;
    }
    mpq_t value;
    mpq_init(value);
    cells_form_at(value, r, cells->point, n, cells->tmp);
    int s0 = mpq_sgn(value);
    mpq_clear(value);
    push_decision(cells, form);
    size_t k = cells->len - 1;
    decision *d = &cells->trail[k];
    cvp_error err;
    cvp_error_clear(&err);
    bool found = false;
    cvp_status st = CVP_OK;
    if (s0 != 0) {
        d->sign = s0;
        cells_vector_copy(d->witness, cells->point, n);
        /* does any point of the cell take the other strict side?  (Then
         * the hyperplane crosses the open cell, and d = 0 is taken too.) */
        mpq_t *probe = cells_vector_new(n);
        st = cells_witness_for(cells, k, -s0, probe, &found, &err);
        cells_vector_free(probe, n);
        d = &cells->trail[k];
        d->sign = s0;
        if (found)
            d->pending = (1u << (-s0 + 1)) | (1u << 1);
    } else {
        /* the point lies on the hyperplane, inside the open cell: every
         * answer is taken; walk d > 0 first */
        st = cells_witness_for(cells, k, 1, d->witness, &found, &err);
        d = &cells->trail[k];
        if (found) {
            d->sign = 1;
            d->pending = (1u << 0) | (1u << 1);
        } else if (st == CVP_OK) {
            st = cells_witness_for(cells, k, -1, d->witness, &found, &err);
            d = &cells->trail[k];
            d->sign = -1;
            d->pending = 1u << 1;
            if (!found) {
                /* the LP found the open cell empty on both sides of a
                 * hyperplane through one of its points: impossible */
                cvp_ring_fail(R, CVP_ERR_UNSUPPORTED, "regions: no side of a "
                              "comparison could be given a point");
                cells->depth = k + 1;
                return 0;
            }
        }
    }
    if (st != CVP_OK) {
        cvp_ring_fail(R, st, "regions: %s", err.message);
        cells->depth = k + 1;
        return 0;
    }
    cells_apply(cells, k);
    return d->sign;
}

/* The answer on the current walk for form (affine, n + 1 entries,
 * `nonzeros` of them nonzero), constant, repeated, replayed or new. */
static int answer_affine(cvp_cells *cells, cvp_ring *R, mpq_t *const form,
                         size_t nonzeros)
{
    size_t n = cells->n;
    int answer = 0;
    /* constant on the cell (as a constant, or by its equalities): one
     * answer, never recorded, so never replayed either */
    cells_reduce(cells, cells->scratch, form);
    if (cells_is_constant(cells->scratch, n)) {
        answer = mpq_sgn(cells->scratch[n]);
    } else if (multiple_of_answer(cells, form, &answer)) {
        /* the same hyperplane again: never recorded */
    } else if (cells->depth < cells->len) {
        /* a replayed answer: the same comparison must come back */
        decision *d = &cells->trail[cells->depth];
        bool same = d->nonzeros == nonzeros;
        for (size_t i = 0; same && i < d->nonzeros; i++)
            same = mpq_equal(d->form[d->nonzero[i]], form[d->nonzero[i]]) != 0;
        if (same) {
            answer = d->sign;
            cells_apply(cells, cells->depth);
        } else {
            cvp_ring_fail(R, CVP_ERR_UNSUPPORTED, "regions: the evaluation "
                          "compared other values when replayed");
        }
    } else {
        answer = decide_new(cells, R, form);
    }
    if (answer == 0 && !cvp_ring_failed(R) && !cells_is_constant(form, n))
        cells->ties++;
    return answer;
}

/* The sign of a single term c x_v1 ... x_vd of degree >= 2 (a ReLU of a
 * product of inputs): sign(c) times the sign of each factor, each factor
 * x_v ? 0 answered as an affine comparison of its own (so the cells are
 * cut by the factors' hyperplanes, on each of which the term has one
 * sign). */
static int answer_monomial(cvp_cells *cells, cvp_ring *R, const cvp_poly_term *t)
{
    size_t n = cells->n;
    int answer = mpq_sgn(t->coeff);
    for (uint32_t j = 0; j < t->degree && answer != 0 && !cvp_ring_failed(R); j++) {
        uint32_t v = t->vars[j];
        if (j > 0 && t->vars[j - 1] == v)
            continue;   /* a power: its factor's sign counted below */
        if (v >= n) {
            cvp_ring_fail(R, CVP_ERR_UNSUPPORTED, "regions: a variable outside "
                          "the search");
            return 0;
        }
        uint32_t power = 1;
        while (j + power < t->degree && t->vars[j + power] == v)
            power++;
        mpq_set_ui(cells->form[v], 1, 1);
        int s = answer_affine(cells, R, cells->form, 1);
        mpq_set_ui(cells->form[v], 0, 1);
        answer *= power % 2 == 0 ? s * s : s;
    }
    return answer;
}

static int cells_cmp(cvp_ring *R, const void *a, const void *b)
{
    cvp_cells *cells = R->order_context;
    size_t n = cells->n;
    if (cvp_ring_failed(R))
        return 0;
    cvp_poly diff;
    R->init(R, &diff);
    R->sub(R, &diff, a, b);
    int answer = 0;
    mpq_t *form = cells->form;   /* all 0 between calls */
    bool affine = !cvp_ring_failed(R);
    for (size_t k = 0; affine && k < diff.len; k++) {
        const cvp_poly_term *t = &diff.terms[k];
        if (t->degree == 0)
            mpq_set(form[n], t->coeff);
        else if (t->degree == 1 && t->vars[0] < n)
            mpq_set(form[t->vars[0]], t->coeff);
        else
            affine = false;
    }
    /* back to all 0: only the entries of diff's terms were set */
    for (size_t k = 0; !affine && k < diff.len; k++) {
        const cvp_poly_term *t = &diff.terms[k];
        if (t->degree == 0)
            mpq_set_ui(form[n], 0, 1);
        else if (t->degree == 1 && t->vars[0] < n)
            mpq_set_ui(form[t->vars[0]], 0, 1);
    }
    if (affine) {
        answer = answer_affine(cells, R, form, diff.len);
        for (size_t k = 0; k < diff.len; k++) {
            const cvp_poly_term *t = &diff.terms[k];
            mpq_set_ui(t->degree == 0 ? form[n] : form[t->vars[0]], 0, 1);
        }
    } else if (diff.len == 1 && !cvp_ring_failed(R)) {
        answer = answer_monomial(cells, R, &diff.terms[0]);
    } else if (!cvp_ring_failed(R)) {
        size_t k = 0;
        while (k + 1 < diff.len && diff.terms[k].degree <= 1)
            k++;
        char text[256];
        cvp_poly_format_term(R, text, sizeof text, &diff, k);
        cvp_ring_fail(R, CVP_ERR_UNSUPPORTED, "regions decides comparisons of "
                      "values affine in the inputs (or of one product of "
                      "inputs), and this one compares a value with the term "
                      "%s", text);
    }
    R->clear(R, &diff);
    return answer;
}

cvp_cells *cvp_cells_of_ring(const cvp_ring *R)
{
    return R->cmp == cells_cmp ? R->order_context : NULL;
}

void cvp_cells_attach(cvp_cells *cells, cvp_ring *R)
{
    CVP_ASSERT(cvp_ring_is_poly(R));
    R->cmp = cells_cmp;
    R->order_context = cells;
}

cvp_status cvp_cells_advance(cvp_cells *cells, bool *more, cvp_error *err)
{
    /* answers past this walk's depth were never reached again */
    while (cells->len > cells->depth)
        decision_free(cells, &cells->trail[--cells->len]);
    while (cells->len > 0) {
        size_t k = cells->len - 1;
        decision *d = &cells->trail[k];
        while (d->pending != 0) {
            /* the answers in order: the other strict side, then d = 0 */
            int sign = (d->pending & (1u << 2)) ? 1 : (d->pending & 1u) ? -1 : 0;
            d->pending &= ~(1u << (sign + 1));
            cvp_cells_begin(cells);
            for (size_t i = 0; i < k; i++)
                cells_apply(cells, i);
            bool found = false;
            mpq_t *w = cells_vector_new(cells->n);
            cvp_status st = cells_witness_for(cells, k, sign, w, &found, err);
            d = &cells->trail[k];
            if (found) {
                d->sign = sign;
                cells_vector_copy(d->witness, w, cells->n);
            }
            cells_vector_free(w, cells->n);
            if (st != CVP_OK)
                return st;
            if (found) {
                cvp_cells_begin(cells);
                *more = true;
                return CVP_OK;
            }
        }
        decision_free(cells, d);
        cells->len--;
    }
    cvp_cells_begin(cells);
    *more = false;
    return CVP_OK;
}

/* ---- questions about the current cell ----------------------------------- */
