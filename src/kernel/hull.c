/* hull.c -- convex hull membership over Q: phase 1 of the simplex method,
 * then a direct check of its certificate (see hull.h). */
#include "kernel/hull.h"
#include "kernel/alloc.h"

#include <stdlib.h>

void cvp_hull_result_init(cvp_hull_result *r)
{
    r->member = false;
    r->n = r->m = 0;
    r->weights = NULL;
    r->direction = NULL;
    mpq_init(r->threshold);
}

static mpq_t *new_vector(size_t count)
{
    mpq_t *v = cvp_xmalloc((count ? count : 1) * sizeof *v);
    for (size_t k = 0; k < count; k++)
        mpq_init(v[k]);
    return v;
}

static void free_vector(mpq_t *v, size_t count)
{
    for (size_t k = 0; v != NULL && k < count; k++)
        mpq_clear(v[k]);
    free(v);
}

void cvp_hull_result_clear(cvp_hull_result *r)
{
    free_vector(r->weights, r->weights ? r->m : 0);
    free_vector(r->direction, r->direction ? r->n : 0);
    mpq_clear(r->threshold);
    r->weights = r->direction = NULL;
}

/* ---- the tableau ------------------------------------------------------
 * Rows 0..rows-1 are the constraints (the n coordinates, then the sum of
 * the weights), row `rows` the reduced costs of phase 1.  Columns
 * 0..m-1 are the weights, m..m+rows-1 one artificial variable per row,
 * the last column the right-hand side. */
typedef struct {
    size_t rows, cols, m;
    mpq_t *t;
    size_t *basis;
} tableau;

#define AT(tb, i, k) ((tb)->t[(i) * (tb)->cols + (k)])

/* Coefficient of weight j in constraint row i: p_j[i], or 1 in the last
 * row. */
static mpq_srcptr coefficient(const cvp_tensor_struct *const *points, size_t n,
                              size_t i, size_t j, mpq_srcptr one)
{
    return i < n ? cvp_tensor_at(points[j], i) : one;
}

static void build(tableau *tb, const cvp_tensor_struct *a,
                  const cvp_tensor_struct *const *points, size_t m, int *sign)
{
    size_t n = a->size;
    mpq_t one;
    mpq_init(one);
    mpq_set_ui(one, 1, 1);
    tb->rows = n + 1;
    tb->m = m;
    tb->cols = m + tb->rows + 1;
    size_t rhs = tb->cols - 1;
    tb->t = new_vector((tb->rows + 1) * tb->cols);
    tb->basis = cvp_xmalloc(tb->rows * sizeof *tb->basis);
    for (size_t i = 0; i < tb->rows; i++) {
        mpq_srcptr b = i < n ? cvp_tensor_at(a, i) : one;
        /* Artificial variables start the basis, so each right-hand side
         * must be >= 0: negate the rows that need it. */
        sign[i] = mpq_sgn(b) < 0 ? -1 : 1;
        for (size_t j = 0; j < m; j++) {
            mpq_set(AT(tb, i, j), coefficient(points, n, i, j, one));
            if (sign[i] < 0)
                mpq_neg(AT(tb, i, j), AT(tb, i, j));
        }
        mpq_set_ui(AT(tb, i, m + i), 1, 1);
        mpq_set(AT(tb, i, rhs), b);
        if (sign[i] < 0)
            mpq_neg(AT(tb, i, rhs), AT(tb, i, rhs));
        tb->basis[i] = m + i;
    }
    /* Phase-1 cost: 1 on every artificial variable.  Its reduced costs
     * are c_k minus the sum of the rows (the artificials are basic). */
    size_t z = tb->rows;
    for (size_t k = 0; k < tb->cols; k++) {
        if (k >= m && k < m + tb->rows)
            continue;   /* basic: 0 */
        for (size_t i = 0; i < tb->rows; i++)
            mpq_sub(AT(tb, z, k), AT(tb, z, k), AT(tb, i, k));
    }
    mpq_clear(one);
}

static void pivot(tableau *tb, size_t r, size_t k)
{
    mpq_t f;
    mpq_init(f);
    mpq_set(f, AT(tb, r, k));
    for (size_t c = 0; c < tb->cols; c++)
        mpq_div(AT(tb, r, c), AT(tb, r, c), f);
    for (size_t i = 0; i <= tb->rows; i++) {
        if (i == r || mpq_sgn(AT(tb, i, k)) == 0)
            continue;
        mpq_set(f, AT(tb, i, k));
        for (size_t c = 0; c < tb->cols; c++)
            if (mpq_sgn(AT(tb, r, c)) != 0) {
                mpq_t p;
                mpq_init(p);
                mpq_mul(p, f, AT(tb, r, c));
                mpq_sub(AT(tb, i, c), AT(tb, i, c), p);
                mpq_clear(p);
            }
    }
    tb->basis[r] = k;
    mpq_clear(f);
}

/* Runs phase 1 to optimality with Bland's rule (smallest entering index,
 * ties in the ratio test to the smallest basic index): no cycling. */
static void minimise(tableau *tb)
{
    size_t z = tb->rows, rhs = tb->cols - 1;
    mpq_t ratio, best;
    mpq_init(ratio);
    mpq_init(best);
    for (;;) {
        size_t k = SIZE_MAX;
        for (size_t c = 0; c < rhs && k == SIZE_MAX; c++)
            if (mpq_sgn(AT(tb, z, c)) < 0)
                k = c;
        if (k == SIZE_MAX)
            break;
        size_t r = SIZE_MAX;
        for (size_t i = 0; i < tb->rows; i++) {
            if (mpq_sgn(AT(tb, i, k)) <= 0)
                continue;
            mpq_div(ratio, AT(tb, i, rhs), AT(tb, i, k));
            int cmp = r == SIZE_MAX ? -1 : mpq_cmp(ratio, best);
            if (cmp < 0 || (cmp == 0 && tb->basis[i] < tb->basis[r])) {
                r = i;
                mpq_set(best, ratio);
            }
        }
        /* Phase 1 is bounded below by 0, so some row always limits. */
        CVP_ASSERT(r != SIZE_MAX);
        pivot(tb, r, k);
    }
    mpq_clear(ratio);
    mpq_clear(best);
}

/* ---- the certificates, checked directly --------------------------------- */

static bool check_weights(const cvp_hull_result *r, const cvp_tensor_struct *a,
                          const cvp_tensor_struct *const *points)
{
    mpq_t sum, p;
    mpq_init(sum);
    mpq_init(p);
    bool ok = true;
    for (size_t j = 0; j < r->m; j++) {
        ok = ok && mpq_sgn(r->weights[j]) >= 0;
        mpq_add(sum, sum, r->weights[j]);
    }
    ok = ok && mpq_cmp_ui(sum, 1, 1) == 0;
    for (size_t i = 0; ok && i < r->n; i++) {
        mpq_set_ui(sum, 0, 1);
        for (size_t j = 0; j < r->m; j++) {
            mpq_mul(p, r->weights[j], cvp_tensor_at(points[j], i));
            mpq_add(sum, sum, p);
        }
        ok = mpq_equal(sum, cvp_tensor_at(a, i));
    }
    mpq_clear(sum);
    mpq_clear(p);
    return ok;
}

static void dot(mpq_t out, const mpq_t *u, const cvp_tensor_struct *x, size_t n)
{
    mpq_t p;
    mpq_init(p);
    mpq_set_ui(out, 0, 1);
    for (size_t i = 0; i < n; i++) {
        mpq_mul(p, u[i], cvp_tensor_at(x, i));
        mpq_add(out, out, p);
    }
    mpq_clear(p);
}

static bool check_separation(const cvp_hull_result *r, const cvp_tensor_struct *a,
                             const cvp_tensor_struct *const *points)
{
    mpq_t d;
    mpq_init(d);
    dot(d, r->direction, a, r->n);
    bool ok = mpq_cmp(d, r->threshold) > 0;
    for (size_t j = 0; ok && j < r->m; j++) {
        dot(d, r->direction, points[j], r->n);
        ok = mpq_cmp(d, r->threshold) <= 0;
    }
    mpq_clear(d);
    return ok;
}

cvp_status cvp_hull_member(cvp_hull_result *r, const cvp_tensor_struct *a,
                           const cvp_tensor_struct *const *points, size_t m,
                           cvp_error *err)
{
    cvp_hull_result_clear(r);
    cvp_hull_result_init(r);
    if (m == 0)
        return cvp_error_set(err, CVP_ERR_INPUT, "hull: no points");
    for (size_t j = 0; j < m; j++)
        if (points[j]->size != a->size || points[j]->ring != &cvp_ring_q)
            return cvp_error_set(err, CVP_ERR_INPUT, "hull: point %zu has %zu "
                                 "entries, not %zu", j, points[j]->size, a->size);
    size_t n = a->size;
    size_t limit = cvp_tensor_max_entries();
    if (n + 2 > limit / (m + n + 2))
        return cvp_error_set(err, CVP_ERR_LIMIT, "hull: %zu points in %zu "
                             "dimensions exceed the entry limit", m, n);
    r->n = n;
    r->m = m;
    int *sign = cvp_xmalloc((n + 1) * sizeof *sign);
    tableau tb;
    build(&tb, a, points, m, sign);
    minimise(&tb);
    size_t rhs = tb.cols - 1, z = tb.rows;
    /* The phase-1 optimum is -z[rhs]: 0 exactly when a is in the hull. */
    if (mpq_sgn(AT(&tb, z, rhs)) == 0) {
        r->member = true;
        r->weights = new_vector(m);
        for (size_t i = 0; i < tb.rows; i++)
            if (tb.basis[i] < m)
                mpq_set(r->weights[tb.basis[i]], AT(&tb, i, rhs));
        CVP_ASSERT(check_weights(r, a, points));
    } else {
        /* The dual of phase 1: y_i = 1 - (reduced cost of artificial i),
         * for the sign-adjusted rows.  y . (p_j, 1) <= 0 for every j and
         * y . (a, 1) > 0, so u = y[0..n-1], t = -y[n]. */
        r->direction = new_vector(n);
        mpq_t y;
        mpq_init(y);
        for (size_t i = 0; i <= n; i++) {
            mpq_set_ui(y, 1, 1);
            mpq_sub(y, y, AT(&tb, z, m + i));
            if (sign[i] < 0)
                mpq_neg(y, y);
            if (i < n)
                mpq_set(r->direction[i], y);
            else
                mpq_neg(r->threshold, y);
        }
        mpq_clear(y);
        CVP_ASSERT(check_separation(r, a, points));
    }
    free_vector(tb.t, (tb.rows + 1) * tb.cols);
    free(tb.basis);
    free(sign);
    return CVP_OK;
}
