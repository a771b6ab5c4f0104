/* cells_geometry.c -- affine forms over the indeterminates, the
 * equalities of a cell (each solved for its last variable), its points:
 * moves that stay inside, LP witnesses checked against every answer, and
 * the questions cvp_cells answers about the current cell (cells.h). */
#include "kernel/cells_internal.h"

#include <stdio.h>
#include <stdlib.h>

#include "kernel/alloc.h"
#include "kernel/lp.h"

/* Halvings of a step before a move gives up (cells.h: cvp_cells_point). */
#define MAX_HALVINGS 256u

mpq_t *cells_vector_new(size_t count)
{
    mpq_t *v = cvp_xmalloc((count ? count : 1) * sizeof *v);
    for (size_t k = 0; k < count; k++)
        mpq_init(v[k]);
    return v;
}

void cells_vector_free(mpq_t *v, size_t count)
{
    for (size_t k = 0; v != NULL && k < count; k++)
        mpq_clear(v[k]);
    free(v);
}

void cells_vector_copy(mpq_t *dst, mpq_t *const src, size_t count)
{
    for (size_t k = 0; k < count; k++)
        mpq_set(dst[k], src[k]);
}

/* value := form . (x, 1) */
void cells_form_at(mpq_t value, mpq_t *const form, mpq_t *const x, size_t n,
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
void cells_reduce(const cvp_cells *cells, mpq_t *out, mpq_t *const form)
{
    size_t n = cells->n;
    cells_vector_copy(out, form, n + 1);
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

bool cells_is_constant(mpq_t *const form, size_t n)
{
    for (size_t j = 0; j < n; j++)
        if (mpq_sgn(form[j]) != 0)
            return false;
    return true;
}

/* Adds the equality form = 0 (not constant once reduced) to the cell:
 * its last variable becomes substituted, in the other substitutions too. */
void cells_add_equality(cvp_cells *cells, mpq_t *const form)
{
    size_t n = cells->n;
    mpq_t *r = cells_vector_new(n + 1);
    cells_reduce(cells, r, form);
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
void cells_complete_point(const cvp_cells *cells, mpq_t *x)
{
    mpq_t t;
    mpq_init(t);
    for (size_t v = 0; v < cells->n; v++)
        if (cells->subst[v] != NULL) {
            mpq_set_ui(x[v], 0, 1);   /* its own coefficient is 0 */
            cells_form_at(x[v], cells->subst[v], x, cells->n, t);
        }
    mpq_clear(t);
}

/* Whether x satisfies the answers trail[0..count-1], each checked on its
 * form as recorded: the trusted test of every witness. */
bool cells_satisfies(const cvp_cells *cells, size_t count, mpq_t *const x)
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
    return cells_satisfies(cells, cells->depth, (mpq_t *)x);
}

/* out := cells->point + 2^-k * dir on the free coordinates (dir over the
 * n coordinates; substituted ones ignored), for the smallest k >= k0 with
 * out in the cell of trail[0..count-1] (count includes a candidate answer
 * whose equality, if any, is already in subst).  False after
 * MAX_HALVINGS halvings. */
bool cells_move_point(const cvp_cells *cells, size_t count, mpq_t *const dir,
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
        cells_complete_point(cells, out);
        found = cells_satisfies(cells, count, out);
    }
    mpq_clear(step);
    return found;
}

/* A witness of the cell of trail[0..count-1] (the last answer's equality
 * already in subst) by the exact LP of kernel/lp.h on the strict answers,
 * each reduced by the equalities and homogenised with t > 0.  *found
 * false: the cell is empty (certified by the LP, or a strict answer that
 * reduces to a false constant). */
cvp_status cells_lp_witness(cvp_cells *cells, size_t count, mpq_t *out,
                             bool *found, cvp_error *err)
{
    size_t n = cells->n;
    size_t m = 0;
    mpq_t *r = cells_vector_new(n + 1);
    /* the rows' entries, counted first: a path's forms are sparse */
    size_t entries = 1;   /* t > 0 */
    for (size_t k = 0; k < count; k++)
        if (cells->trail[k].sign != 0) {
            cells_reduce(cells, r, cells->trail[k].form);
            for (size_t j = 0; j <= n; j++)
                entries += mpq_sgn(r[j]) != 0;
        }
    cvp_lp_row *rows = cvp_xcalloc(count + 1, sizeof *rows);
    size_t *index = cvp_xmalloc(entries * sizeof *index);
    mpq_t *coef = cells_vector_new(entries);
    size_t used = 0;
    bool empty = false;
    for (size_t k = 0; k < count && !empty; k++) {
        const decision *d = &cells->trail[k];
        if (d->sign == 0)
            continue;
        cells_reduce(cells, r, d->form);
        if (d->sign < 0)
            for (size_t j = 0; j <= n; j++)
                mpq_neg(r[j], r[j]);
        if (cells_is_constant(r, n)) {
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
            cells_complete_point(cells, out);
            /* the LP's direction was checked on the reduced rows; the
             * point is checked once more on the answers as recorded */
            if (cells_satisfies(cells, count, out))
                *found = true;
            else
                st = cvp_error_set(err, CVP_ERR_UNSUPPORTED, "the point of an "
                                   "LP solution lies outside its cell");
        }
        cvp_lp_result_clear(&res);
    }
    cells_vector_free(r, n + 1);
    cells_vector_free(coef, entries);
    free(index);
    free(rows);
    return st;
}

/* A witness for answer `sign` of trail[k] (k == depth), the cell of
 * trail[0..k-1] being current: first a cheap move from the current point
 * (across the hyperplane, or off it), then the LP.  On success the
 * answer's equality stays in subst and *found is true; on failure the
 * cell is as before. */
cvp_status cells_witness_for(cvp_cells *cells, size_t k, int sign, mpq_t *out,
                              bool *found, cvp_error *err)
{
    size_t n = cells->n;
    decision *d = &cells->trail[k];
    int saved_sign = d->sign;
    d->sign = sign;
    *found = false;
    cvp_status st = CVP_OK;
    mpq_t *r = cells_vector_new(n + 1);
    cells_reduce(cells, r, d->form);
    mpq_t value, norm, t;
    mpq_init(value);
    mpq_init(norm);
    mpq_init(t);
    cells_form_at(value, r, cells->point, n, t);
    for (size_t j = 0; j < n; j++) {
        mpq_mul(t, r[j], r[j]);
        mpq_add(norm, norm, t);
    }
    bool constant = mpq_sgn(norm) == 0;
    if (constant) {
        /* d is constant on the cell (the caller asks only for answers of
         * nonconstant forms): no answer but its sign, which is not asked */
    } else if (sign == 0) {
        cells_add_equality(cells, d->form);
        /* the projection of the point onto the hyperplane, moved back
         * toward the point until the strict answers hold */
        for (size_t j = 0; j < n; j++) {
            mpq_mul(t, r[j], value);
            mpq_div(cells->move[j], t, norm);
            mpq_neg(cells->move[j], cells->move[j]);
        }
        for (size_t j = 0; j < n; j++)
            mpq_add(out[j], cells->point[j], cells->move[j]);
        cells_complete_point(cells, out);
        *found = cells_satisfies(cells, k + 1, out);
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
        *found = cells_move_point(cells, k + 1, cells->move, 0, out);
    }
    if (!*found && !constant)
        st = cells_lp_witness(cells, k + 1, out, found, err);
    if (!*found && sign == 0 && !constant) {
        /* undo the equality: rebuild the substitutions of trail[0..k-1] */
        size_t depth = cells->depth;
        mpq_t *keep = cells->point;
        cvp_cells_begin(cells);
        for (size_t i = 0; i < depth; i++)
            cells_apply(cells, i);
        cells->point = keep;
    }
    if (!*found)
        d->sign = saved_sign;
    mpq_clear(value);
    mpq_clear(norm);
    mpq_clear(t);
    cells_vector_free(r, n + 1);
    return st;
}

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
    mpq_t *dir = cells_vector_new(n);
    for (size_t j = 0; direction != NULL && j < n; j++)
        mpq_set_si(dir[j], direction[j], 1);
    if (direction == NULL || !cells_move_point(cells, cells->depth, dir, first_halving, x))
        cells_vector_copy(x, cells->point, n);
    cells_vector_free(dir, n);
    CVP_ASSERT(cells_satisfies(cells, cells->depth, x));
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
