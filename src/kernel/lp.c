/* lp.c -- strict homogeneous linear inequalities over Q, by Gordan's
 * alternative and the convex hull test of hull.c (see lp.h). */
#include "kernel/lp.h"

#include <stdlib.h>

#include "kernel/hull.h"

void cvp_lp_result_init(cvp_lp_result *r)
{
    r->feasible = false;
    r->n = r->m = 0;
    r->direction = NULL;
    r->multipliers = NULL;
}

static mpq_t *new_vector(size_t count)
{
    mpq_t *v = malloc((count ? count : 1) * sizeof *v);
    CVP_ASSERT(v != NULL);
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

void cvp_lp_result_clear(cvp_lp_result *r)
{
    free_vector(r->direction, r->n);
    free_vector(r->multipliers, r->m);
    r->direction = r->multipliers = NULL;
    r->n = r->m = 0;
}

/* ---- the checks: plain exact arithmetic, nothing from the simplex ---- */

bool cvp_lp_check_direction(const mpq_t *rows, size_t m, size_t n,
                            const mpq_t *d)
{
    mpq_t s, p;
    mpq_init(s);
    mpq_init(p);
    bool ok = true;
    for (size_t i = 0; ok && i < m; i++) {
        mpq_set_ui(s, 0, 1);
        for (size_t j = 0; j < n; j++) {
            mpq_mul(p, rows[i * n + j], d[j]);
            mpq_add(s, s, p);
        }
        ok = mpq_sgn(s) > 0;
    }
    mpq_clear(s);
    mpq_clear(p);
    return ok;
}

bool cvp_lp_check_multipliers(const mpq_t *rows, size_t m, size_t n,
                              const mpq_t *y)
{
    mpq_t s, p;
    mpq_init(s);
    mpq_init(p);
    bool ok = m > 0;
    for (size_t i = 0; ok && i < m; i++) {
        ok = mpq_sgn(y[i]) >= 0;
        mpq_add(s, s, y[i]);
    }
    ok = ok && mpq_cmp_ui(s, 1, 1) == 0;
    for (size_t j = 0; ok && j < n; j++) {
        mpq_set_ui(s, 0, 1);
        for (size_t i = 0; i < m; i++) {
            mpq_mul(p, y[i], rows[i * n + j]);
            mpq_add(s, s, p);
        }
        ok = mpq_sgn(s) == 0;
    }
    mpq_clear(s);
    mpq_clear(p);
    return ok;
}

/* ---- the decision ----------------------------------------------------- */

/* d := d / max_j |d_j| (d is not zero: it satisfies a strict inequality). */
static void normalise(mpq_t *d, size_t n)
{
    mpq_t big, a;
    mpq_init(big);
    mpq_init(a);
    for (size_t j = 0; j < n; j++) {
        mpq_abs(a, d[j]);
        if (mpq_cmp(a, big) > 0)
            mpq_set(big, a);
    }
    if (mpq_sgn(big) != 0)
        for (size_t j = 0; j < n; j++)
            mpq_div(d[j], d[j], big);
    mpq_clear(big);
    mpq_clear(a);
}

cvp_status cvp_lp_strict_feasible(cvp_lp_result *r, const mpq_t *rows,
                                  size_t m, size_t n, cvp_error *err)
{
    cvp_lp_result_clear(r);
    cvp_lp_result_init(r);
    r->n = n;
    r->m = m;
    if (m == 0) {
        r->feasible = true;
        r->direction = new_vector(n);
        return CVP_OK;
    }
    if (n == 0) {
        /* Every row is the empty (zero) vector: 0 > 0 fails. */
        r->multipliers = new_vector(m);
        mpq_set_ui(r->multipliers[0], 1, 1);
        CVP_ASSERT(cvp_lp_check_multipliers(rows, m, n, r->multipliers));
        return CVP_OK;
    }
    /* The rows as points of Q^n, and the origin. */
    cvp_tensor_struct *points = malloc(m * sizeof *points);
    const cvp_tensor_struct **pointers = malloc(m * sizeof *pointers);
    CVP_ASSERT(points != NULL && pointers != NULL);
    cvp_tensor_t origin;
    cvp_tensor_init(origin);
    cvp_status st = cvp_tensor_resize(origin, 1, (size_t[]){n}, err);
    size_t made = 0;
    for (; st == CVP_OK && made < m; made++) {
        cvp_tensor_init(&points[made]);
        pointers[made] = &points[made];
        st = cvp_tensor_resize(&points[made], 1, (size_t[]){n}, err);
        for (size_t j = 0; st == CVP_OK && j < n; j++)
            mpq_set(points[made].entries[j], rows[made * n + j]);
    }
    cvp_hull_result h;
    cvp_hull_result_init(&h);
    if (st == CVP_OK)
        st = cvp_hull_member(&h, origin, pointers, m, err);
    if (st == CVP_OK && h.member) {
        r->feasible = false;
        r->multipliers = new_vector(m);
        for (size_t i = 0; i < m; i++)
            mpq_set(r->multipliers[i], h.weights[i]);
        CVP_ASSERT(cvp_lp_check_multipliers(rows, m, n, r->multipliers));
    } else if (st == CVP_OK) {
        /* u . a_i <= t < u . 0 = 0, so d = -u has a_i . d >= -t > 0. */
        r->feasible = true;
        r->direction = new_vector(n);
        for (size_t j = 0; j < n; j++)
            mpq_neg(r->direction[j], h.direction[j]);
        normalise(r->direction, n);
        CVP_ASSERT(cvp_lp_check_direction(rows, m, n, r->direction));
    }
    cvp_hull_result_clear(&h);
    for (size_t k = 0; k < made; k++)
        cvp_tensor_clear(&points[k]);
    cvp_tensor_clear(origin);
    free(points);
    free(pointers);
    return st;
}
