/* cells.c -- the depth-first search over the answers of a claim's
 * comparisons, one cell per walk (see cells.h). */
#include "kernel/cells.h"

#include <stdlib.h>
#include <string.h>

#include "kernel/alloc.h"
#include "kernel/lp.h"

/* The longest path: each answer keeps two vectors of n + 1 rationals,
 * so the path holds at most CVP_CELLS_MAX_PATH_ENTRIES of them. */
#define MAX_DEPTH ((size_t)100000)
/* Halvings of a step before a move gives up (cells.h: cvp_cells_point). */
#define MAX_HALVINGS 256u

typedef struct {
    mpq_t *form;       /* n + 1: the coefficients of d, then its constant */
    size_t *nonzero;   /* the indices of form's nonzero entries */
    size_t nonzeros;
    int sign;          /* the answer taken: d > 0 (1), d < 0 (-1), d = 0 (0) */
    unsigned pending;  /* answers still to walk: bit (answer + 1) */
    mpq_t *witness;    /* n: a point of the cell after this answer */
} decision;

struct cvp_cells {
    size_t n;
    decision *trail;
    size_t len, cap;
    size_t depth;      /* answers given in the current walk */
    size_t ties;       /* "equal" answers of nonconstant comparisons */
    /* The current cell, rebuilt along each walk from trail[0..depth-1]:
     * subst[v] != NULL when the equalities make x_v = subst[v] . (x, 1),
     * with no substituted variable on the right. */
    mpq_t **subst;
    size_t equalities;
    /* A point of the current cell: start, or the witness of the last
     * answer applied (borrowed; witnesses do not change while their
     * answer is on the path). */
    mpq_t *point;
    mpq_t *start;      /* the witness of the whole space */
    mpq_t *scratch;    /* n + 1 */
    mpq_t *form;       /* n + 1: the comparison being answered */
    mpq_t *move;       /* n */
    mpq_t tmp;
};

static mpq_t *vector_new(size_t count)
{
    mpq_t *v = cvp_xmalloc((count ? count : 1) * sizeof *v);
    for (size_t k = 0; k < count; k++)
        mpq_init(v[k]);
    return v;
}

static void vector_free(mpq_t *v, size_t count)
{
    for (size_t k = 0; v != NULL && k < count; k++)
        mpq_clear(v[k]);
    free(v);
}

static void vector_copy(mpq_t *dst, mpq_t *const src, size_t count)
{
    for (size_t k = 0; k < count; k++)
        mpq_set(dst[k], src[k]);
}

cvp_cells *cvp_cells_new(size_t n, const mpq_t *start)
{
    cvp_cells *cells = cvp_xcalloc(1, sizeof *cells);
    cells->n = n;
    cells->subst = cvp_xcalloc(n ? n : 1, sizeof *cells->subst);
    cells->start = vector_new(n);
    for (size_t k = 0; k < n; k++)
        mpq_set(cells->start[k], start[k]);
    cells->scratch = vector_new(n + 1);
    cells->form = vector_new(n + 1);
    cells->move = vector_new(n);
    mpq_init(cells->tmp);
    cvp_cells_begin(cells);
    return cells;
}

static void decision_free(const cvp_cells *cells, decision *d)
{
    vector_free(d->form, cells->n + 1);
    vector_free(d->witness, cells->n);
    free(d->nonzero);
    d->form = d->witness = NULL;
    d->nonzero = NULL;
}

static void clear_subst(cvp_cells *cells)
{
    for (size_t v = 0; v < cells->n; v++) {
        vector_free(cells->subst[v], cells->n + 1);
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
    vector_free(cells->start, cells->n);
    vector_free(cells->scratch, cells->n + 1);
    vector_free(cells->form, cells->n + 1);
    vector_free(cells->move, cells->n);
    mpq_clear(cells->tmp);
    free(cells);
}

size_t cvp_cells_depth(const cvp_cells *cells) { return cells->depth; }
size_t cvp_cells_ties(const cvp_cells *cells) { return cells->ties; }
size_t cvp_cells_equalities(const cvp_cells *cells) { return cells->equalities; }

/* ---- affine forms ------------------------------------------------------ */

/* value := form . (x, 1) */
static void form_at(mpq_t value, mpq_t *const form, mpq_t *const x, size_t n,
                    mpq_t tmp)
{
    mpq_set(value, form[n]);
    for (size_t j = 0; j < n; j++)
        if (mpq_sgn(form[j]) != 0) {
            mpq_mul(tmp, form[j], x[j]);
            mpq_add(value, value, tmp);
        }
}

/* out := form with every substituted variable replaced (out may not be
 * form). */
static void reduce(const cvp_cells *cells, mpq_t *out, mpq_t *const form)
{
    size_t n = cells->n;
    vector_copy(out, form, n + 1);
    mpq_t c, t;
    mpq_init(c);
    mpq_init(t);
    for (size_t v = 0; v < n; v++) {
        if (cells->subst[v] == NULL || mpq_sgn(out[v]) == 0)
            continue;
        mpq_set(c, out[v]);
        mpq_set_ui(out[v], 0, 1);
        for (size_t j = 0; j <= n; j++)
            if (mpq_sgn(cells->subst[v][j]) != 0) {
                mpq_mul(t, c, cells->subst[v][j]);
                mpq_add(out[j], out[j], t);
            }
    }
    mpq_clear(c);
    mpq_clear(t);
}

static bool is_constant(mpq_t *const form, size_t n)
{
    for (size_t j = 0; j < n; j++)
        if (mpq_sgn(form[j]) != 0)
            return false;
    return true;
}

/* Adds the equality form = 0 (not constant once reduced) to the cell:
 * its last variable becomes substituted, in the other substitutions too. */
static void add_equality(cvp_cells *cells, mpq_t *const form)
{
    size_t n = cells->n;
    mpq_t *r = vector_new(n + 1);
    reduce(cells, r, form);
    size_t pivot = n;
    for (size_t j = 0; j < n; j++)
        if (mpq_sgn(r[j]) != 0)
            pivot = j;
    CVP_ASSERT(pivot < n);
    /* x_pivot = -(r - r_pivot x_pivot) / r_pivot */
    mpq_t scale;
    mpq_init(scale);
    mpq_inv(scale, r[pivot]);
    mpq_neg(scale, scale);
    for (size_t j = 0; j <= n; j++)
        mpq_mul(r[j], r[j], scale);
    mpq_set_ui(r[pivot], 0, 1);
    mpq_clear(scale);
    mpq_t c, t;
    mpq_init(c);
    mpq_init(t);
    for (size_t v = 0; v < n; v++) {
        mpq_t *s = cells->subst[v];
        if (s == NULL || mpq_sgn(s[pivot]) == 0)
            continue;
        mpq_set(c, s[pivot]);
        mpq_set_ui(s[pivot], 0, 1);
        for (size_t j = 0; j <= n; j++)
            if (mpq_sgn(r[j]) != 0) {
                mpq_mul(t, c, r[j]);
                mpq_add(s[j], s[j], t);
            }
    }
    mpq_clear(c);
    mpq_clear(t);
    cells->subst[pivot] = r;
    cells->equalities++;
}

/* The substituted coordinates of x from its free ones. */
static void complete_point(const cvp_cells *cells, mpq_t *x)
{
    mpq_t t;
    mpq_init(t);
    for (size_t v = 0; v < cells->n; v++)
        if (cells->subst[v] != NULL) {
            mpq_set_ui(x[v], 0, 1);   /* its own coefficient is 0 */
            form_at(x[v], cells->subst[v], x, cells->n, t);
        }
    mpq_clear(t);
}

/* Whether x satisfies the answers trail[0..count-1], each checked on its
 * form as recorded: the trusted test of every witness. */
static bool satisfies(const cvp_cells *cells, size_t count, mpq_t *const x)
{
    mpq_t value, t;
    mpq_init(value);
    mpq_init(t);
    bool ok = true;
    for (size_t k = 0; ok && k < count; k++) {
        const decision *d = &cells->trail[k];
        mpq_set_ui(value, 0, 1);
        for (size_t i = 0; i < d->nonzeros; i++) {
            size_t j = d->nonzero[i];
            if (j == cells->n) {
                mpq_add(value, value, d->form[j]);
            } else {
                mpq_mul(t, d->form[j], x[j]);
                mpq_add(value, value, t);
            }
        }
        ok = mpq_sgn(value) == d->sign;
    }
    mpq_clear(value);
    mpq_clear(t);
    return ok;
}

bool cvp_cells_contains(const cvp_cells *cells, const mpq_t *x)
{
    return satisfies(cells, cells->depth, (mpq_t *)x);
}

/* ---- the current cell along a walk ------------------------------------- */

void cvp_cells_begin(cvp_cells *cells)
{
    clear_subst(cells);
    cells->point = cells->start;
    cells->depth = 0;
    cells->ties = 0;
}

/* Takes answer trail[k] into the current cell (k == depth). */
static void apply(cvp_cells *cells, size_t k)
{
    decision *d = &cells->trail[k];
    if (d->sign == 0)
        add_equality(cells, d->form);
    cells->point = d->witness;
    cells->depth = k + 1;
}

/* out := cells->point + 2^-k * dir on the free coordinates (dir over the
 * n coordinates; substituted ones ignored), for the smallest k >= k0 with
 * out in the cell of trail[0..count-1] (count includes a candidate answer
 * whose equality, if any, is already in subst).  False after
 * MAX_HALVINGS halvings. */
static bool move_point(const cvp_cells *cells, size_t count, mpq_t *const dir,
                       unsigned k0, mpq_t *out)
{
    size_t n = cells->n;
    mpq_t step;
    mpq_init(step);
    bool found = false;
    for (unsigned k = k0; !found && k < k0 + MAX_HALVINGS; k++) {
        for (size_t j = 0; j < n; j++) {
            mpq_set(out[j], cells->point[j]);
            if (cells->subst[j] == NULL && mpq_sgn(dir[j]) != 0) {
                mpq_set(step, dir[j]);
                mpq_div_2exp(step, step, k);
                mpq_add(out[j], out[j], step);
            }
        }
        complete_point(cells, out);
        found = satisfies(cells, count, out);
    }
    mpq_clear(step);
    return found;
}

/* A witness of the cell of trail[0..count-1] (the last answer's equality
 * already in subst) by the exact LP of kernel/lp.h on the strict answers,
 * each reduced by the equalities and homogenised with t > 0.  *found
 * false: the cell is empty (certified by the LP, or a strict answer that
 * reduces to a false constant). */
static cvp_status lp_witness(cvp_cells *cells, size_t count, mpq_t *out,
                             bool *found, cvp_error *err)
{
    size_t n = cells->n;
    size_t m = 0;
    mpq_t *r = vector_new(n + 1);
    /* the rows' entries, counted first: a path's forms are sparse */
    size_t entries = 1;   /* t > 0 */
    for (size_t k = 0; k < count; k++)
        if (cells->trail[k].sign != 0) {
            reduce(cells, r, cells->trail[k].form);
            for (size_t j = 0; j <= n; j++)
                entries += mpq_sgn(r[j]) != 0;
        }
    cvp_lp_row *rows = cvp_xcalloc(count + 1, sizeof *rows);
    size_t *index = cvp_xmalloc(entries * sizeof *index);
    mpq_t *coef = vector_new(entries);
    size_t used = 0;
    bool empty = false;
    for (size_t k = 0; k < count && !empty; k++) {
        const decision *d = &cells->trail[k];
        if (d->sign == 0)
            continue;
        reduce(cells, r, d->form);
        if (d->sign < 0)
            for (size_t j = 0; j <= n; j++)
                mpq_neg(r[j], r[j]);
        if (is_constant(r, n)) {
            empty = mpq_sgn(r[n]) <= 0;   /* a false constant: no point */
            continue;
        }
        size_t len = 0, base = used;
        for (size_t j = 0; j <= n; j++)
            if (mpq_sgn(r[j]) != 0) {
                index[base + len] = j;
                mpq_set(coef[base + len], r[j]);
                len++;
            }
        used += len;
        rows[m].len = len;
        rows[m].index = &index[base];
        rows[m].coef = &coef[base];
        m++;
    }
    /* t > 0 */
    CVP_ASSERT(used < entries);
    index[used] = n;
    mpq_set_ui(coef[used], 1, 1);
    rows[m].len = 1;
    rows[m].index = &index[used];
    rows[m].coef = &coef[used];
    m++;
    cvp_status st = CVP_OK;
    *found = false;
    if (!empty) {
        cvp_lp_result res;
        cvp_lp_result_init(&res);
        st = cvp_lp_strict_feasible_sparse(&res, rows, m, n + 1, err);
        if (st == CVP_OK && res.feasible) {
            CVP_ASSERT(mpq_sgn(res.direction[n]) > 0);
            for (size_t j = 0; j < n; j++)
                mpq_div(out[j], res.direction[j], res.direction[n]);
            complete_point(cells, out);
            /* the LP's direction was checked on the reduced rows; the
             * point is checked once more on the answers as recorded */
            if (satisfies(cells, count, out))
                *found = true;
            else
                st = cvp_error_set(err, CVP_ERR_UNSUPPORTED, "the point of an "
                                   "LP solution lies outside its cell");
        }
        cvp_lp_result_clear(&res);
    }
    vector_free(r, n + 1);
    vector_free(coef, entries);
    free(index);
    free(rows);
    return st;
}

/* A witness for answer `sign` of trail[k] (k == depth), the cell of
 * trail[0..k-1] being current: first a cheap move from the current point
 * (across the hyperplane, or off it), then the LP.  On success the
 * answer's equality stays in subst and *found is true; on failure the
 * cell is as before. */
static cvp_status witness_for(cvp_cells *cells, size_t k, int sign, mpq_t *out,
                              bool *found, cvp_error *err)
{
    size_t n = cells->n;
    decision *d = &cells->trail[k];
    int saved_sign = d->sign;
    d->sign = sign;
    *found = false;
    cvp_status st = CVP_OK;
    mpq_t *r = vector_new(n + 1);
    reduce(cells, r, d->form);
    mpq_t value, norm, t;
    mpq_init(value);
    mpq_init(norm);
    mpq_init(t);
    form_at(value, r, cells->point, n, t);
    for (size_t j = 0; j < n; j++) {
        mpq_mul(t, r[j], r[j]);
        mpq_add(norm, norm, t);
    }
    bool constant = mpq_sgn(norm) == 0;
    if (constant) {
        /* d is constant on the cell (the caller asks only for answers of
         * nonconstant forms): no answer but its sign, which is not asked */
    } else if (sign == 0) {
        add_equality(cells, d->form);
        /* the projection of the point onto the hyperplane, moved back
         * toward the point until the strict answers hold */
        for (size_t j = 0; j < n; j++) {
            mpq_mul(t, r[j], value);
            mpq_div(cells->move[j], t, norm);
            mpq_neg(cells->move[j], cells->move[j]);
        }
        for (size_t j = 0; j < n; j++)
            mpq_add(out[j], cells->point[j], cells->move[j]);
        complete_point(cells, out);
        *found = satisfies(cells, k + 1, out);
    } else {
        /* from the point along the gradient of d (toward the wanted
         * side): 2x the distance to the hyperplane, then shorter steps
         * past it; a point on it goes straight toward the wanted side */
        mpq_t target;
        mpq_init(target);
        mpq_set_si(target, sign, 1);
        for (size_t j = 0; j < n; j++) {
            /* step = (sign - value) / norm * r: lands where d = sign */
            mpq_sub(t, target, value);
            mpq_mul(t, t, r[j]);
            mpq_div(cells->move[j], t, norm);
        }
        mpq_clear(target);
        *found = move_point(cells, k + 1, cells->move, 0, out);
    }
    if (!*found && !constant)
        st = lp_witness(cells, k + 1, out, found, err);
    if (!*found && sign == 0 && !constant) {
        /* undo the equality: rebuild the substitutions of trail[0..k-1] */
        size_t depth = cells->depth;
        mpq_t *keep = cells->point;
        cvp_cells_begin(cells);
        for (size_t i = 0; i < depth; i++)
            apply(cells, i);
        cells->point = keep;
    }
    if (!*found)
        d->sign = saved_sign;
    mpq_clear(value);
    mpq_clear(norm);
    mpq_clear(t);
    vector_free(r, n + 1);
    return st;
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
    d->form = vector_new(cells->n + 1);
    vector_copy(d->form, form, cells->n + 1);
    d->nonzeros = 0;
    for (size_t j = 0; j <= cells->n; j++)
        d->nonzeros += mpq_sgn(form[j]) != 0;
    d->nonzero = cvp_xmalloc((d->nonzeros ? d->nonzeros : 1) * sizeof *d->nonzero);
    d->nonzeros = 0;
    for (size_t j = 0; j <= cells->n; j++)
        if (mpq_sgn(form[j]) != 0)
            d->nonzero[d->nonzeros++] = j;
    d->witness = vector_new(cells->n);
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
    reduce(cells, r, form);
    if (is_constant(r, n))
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
    form_at(value, r, cells->point, n, cells->tmp);
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
        vector_copy(d->witness, cells->point, n);
        /* does any point of the cell take the other strict side?  (Then
         * the hyperplane crosses the open cell, and d = 0 is taken too.) */
        mpq_t *probe = vector_new(n);
        st = witness_for(cells, k, -s0, probe, &found, &err);
        vector_free(probe, n);
        d = &cells->trail[k];
        d->sign = s0;
        if (found)
            d->pending = (1u << (-s0 + 1)) | (1u << 1);
    } else {
        /* the point lies on the hyperplane, inside the open cell: every
         * answer is taken; walk d > 0 first */
        st = witness_for(cells, k, 1, d->witness, &found, &err);
        d = &cells->trail[k];
        if (found) {
            d->sign = 1;
            d->pending = (1u << 0) | (1u << 1);
        } else if (st == CVP_OK) {
            st = witness_for(cells, k, -1, d->witness, &found, &err);
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
    apply(cells, k);
    return d->sign;
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
        if (t->degree == 0) {
            mpq_set(form[n], t->coeff);
        } else if (t->degree == 1 && t->vars[0] < n) {
            mpq_set(form[t->vars[0]], t->coeff);
        } else {
            char text[256];
            cvp_poly_format_term(R, text, sizeof text, &diff, k);
            cvp_ring_fail(R, CVP_ERR_UNSUPPORTED, "regions decides comparisons "
                          "of values affine in the inputs, and this one compares "
                          "a value with the term %s", text);
            affine = false;
        }
    }
    if (affine) {
        /* constant on the cell (as a constant, or by its equalities): one
         * answer, never recorded, so never replayed either */
        reduce(cells, cells->scratch, form);
        if (is_constant(cells->scratch, n)) {
            answer = mpq_sgn(cells->scratch[n]);
            affine = false;
        } else if (multiple_of_answer(cells, form, &answer)) {
            affine = false;   /* the same hyperplane again: never recorded */
        }
    }
    if (affine && cells->depth < cells->len) {
        /* a replayed answer: the same comparison must come back */
        decision *d = &cells->trail[cells->depth];
        bool same = d->nonzeros == diff.len;
        for (size_t i = 0; same && i < d->nonzeros; i++)
            same = mpq_equal(d->form[d->nonzero[i]], form[d->nonzero[i]]) != 0;
        if (same) {
            answer = d->sign;
            apply(cells, cells->depth);
        } else {
            cvp_ring_fail(R, CVP_ERR_UNSUPPORTED, "regions: the evaluation "
                          "compared other values when replayed");
        }
    } else if (affine) {
        answer = decide_new(cells, R, form);
    }
    if (answer == 0 && !cvp_ring_failed(R) && !is_constant(form, n))
        cells->ties++;
    /* back to all 0: only the entries of diff's terms were set */
    for (size_t k = 0; k < diff.len; k++) {
        const cvp_poly_term *t = &diff.terms[k];
        if (t->degree == 0)
            mpq_set_ui(form[n], 0, 1);
        else if (t->vars[0] < n)
            mpq_set_ui(form[t->vars[0]], 0, 1);
    }
    R->clear(R, &diff);
    return answer;
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
                apply(cells, i);
            bool found = false;
            mpq_t *w = vector_new(cells->n);
            cvp_status st = witness_for(cells, k, sign, w, &found, err);
            d = &cells->trail[k];
            if (found) {
                d->sign = sign;
                vector_copy(d->witness, w, cells->n);
            }
            vector_free(w, cells->n);
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

cvp_status cvp_cells_vanishes(cvp_cells *cells, cvp_ring *R, const cvp_poly *p,
                              bool *vanishes, cvp_error *err)
{
    size_t n = cells->n;
    if (cells->equalities == 0) {
        *vanishes = p->len == 0;
        return CVP_OK;
    }
    /* each substituted variable as a polynomial of the free ones */
    cvp_poly *image = cvp_xmalloc((n ? n : 1) * sizeof *image);
    cvp_poly term, factor, sum, scratch;
    R->init(R, &term);
    R->init(R, &factor);
    R->init(R, &sum);
    R->init(R, &scratch);
    for (size_t v = 0; v < n; v++) {
        R->init(R, &image[v]);
        if (cells->subst[v] == NULL) {
            cvp_poly_set_var(R, &image[v], (uint32_t)v);
            continue;
        }
        R->set_q(R, &image[v], cells->subst[v][n]);
        for (size_t j = 0; j < n; j++)
            if (mpq_sgn(cells->subst[v][j]) != 0) {
                cvp_poly_set_var(R, &factor, (uint32_t)j);
                R->set_q(R, &scratch, cells->subst[v][j]);
                R->mul(R, &factor, &factor, &scratch);
                R->add(R, &image[v], &image[v], &factor);
            }
    }
    for (size_t k = 0; k < p->len && !cvp_ring_failed(R); k++) {
        const cvp_poly_term *t = &p->terms[k];
        R->set_q(R, &term, t->coeff);
        for (uint32_t j = 0; j < t->degree; j++)
            if (t->vars[j] < n) {
                R->mul(R, &term, &term, &image[t->vars[j]]);
            } else {
                cvp_poly_set_var(R, &factor, t->vars[j]);
                R->mul(R, &term, &term, &factor);
            }
        R->add(R, &sum, &sum, &term);
    }
    *vanishes = sum.len == 0;
    for (size_t v = 0; v < n; v++)
        R->clear(R, &image[v]);
    free(image);
    R->clear(R, &term);
    R->clear(R, &factor);
    R->clear(R, &sum);
    R->clear(R, &scratch);
    return cvp_ring_check(R, err);
}

void cvp_cells_point(const cvp_cells *cells, const long *direction,
                     unsigned first_halving, mpq_t *x)
{
    size_t n = cells->n;
    mpq_t *dir = vector_new(n);
    for (size_t j = 0; direction != NULL && j < n; j++)
        mpq_set_si(dir[j], direction[j], 1);
    if (direction == NULL || !move_point(cells, cells->depth, dir, first_halving, x))
        vector_copy(x, cells->point, n);
    vector_free(dir, n);
    CVP_ASSERT(satisfies(cells, cells->depth, x));
}

void cvp_cells_poly_at(mpq_t value, const cvp_poly *p, const mpq_t *x)
{
    mpq_t term;
    mpq_init(term);
    mpq_set_ui(value, 0, 1);
    for (size_t k = 0; k < p->len; k++) {
        const cvp_poly_term *t = &p->terms[k];
        mpq_set(term, t->coeff);
        for (uint32_t j = 0; j < t->degree; j++)
            mpq_mul(term, term, x[t->vars[j]]);
        mpq_add(value, value, term);
    }
    mpq_clear(term);
}

char *cvp_cells_describe(const cvp_cells *cells, const cvp_ring *R,
                         size_t max_lines)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    CVP_ASSERT(out != NULL);
    size_t n = cells->n;
    for (size_t k = 0; k < cells->depth && k < max_lines; k++) {
        const decision *d = &cells->trail[k];
        bool first = true;
        for (size_t j = 0; j <= n; j++) {
            mpq_srcptr c = d->form[j];
            if (mpq_sgn(c) == 0)
                continue;
            const char *sep = first ? (mpq_sgn(c) < 0 ? "-" : "")
                                    : (mpq_sgn(c) < 0 ? " - " : " + ");
            fputs(sep, out);
            bool unit = mpz_cmpabs_ui(mpq_numref(c), 1) == 0
                        && mpz_cmp_ui(mpq_denref(c), 1) == 0;
            if (j == n || !unit) {
                mpq_t a;
                mpq_init(a);
                mpq_abs(a, c);
                gmp_fprintf(out, "%Qd%s", a, j == n ? "" : "*");
                mpq_clear(a);
            }
            if (j < n)
                fputs(cvp_ring_poly_var_name(R, (uint32_t)j), out);
            first = false;
        }
        fprintf(out, "%s %s 0\n", first ? "0" : "",
                d->sign > 0 ? ">" : d->sign < 0 ? "<" : "=");
    }
    if (cells->depth > max_lines)
        fprintf(out, "... and %zu more\n", cells->depth - max_lines);
    fclose(out);
    return text;
}
