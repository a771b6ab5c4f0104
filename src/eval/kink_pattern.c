/* kink_pattern.c -- whether one vector of answers at the kinks of an
 * evaluation over dual numbers is realized by some direction: a strict
 * linear feasibility problem over the entries the kinks' slopes involve
 * (see cvp_kink_pattern_decide in subgrad.h). */
#include "eval/subgrad.h"

#include <stdlib.h>

#include "kernel/ring_small.h"

void cvp_kink_pattern_init(cvp_kink_pattern *p)
{
    cvp_lp_result_init(&p->lp);
    p->vars = NULL;
    p->dead = 0;
}

void cvp_kink_pattern_clear(cvp_kink_pattern *p)
{
    cvp_lp_result_clear(&p->lp);
    free(p->vars);
    p->vars = NULL;
}

static int compare_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* Position of v in the sorted vars[0..n-1] (it is there). */
static size_t var_position(const size_t *vars, size_t n, size_t v)
{
    const size_t *at = bsearch(&v, vars, n, sizeof *vars, compare_size);
    CVP_ASSERT(at != NULL);
    return (size_t)(at - vars);
}

cvp_status cvp_kink_pattern_decide(cvp_kink_pattern *p, const cvp_ring *D,
                                   cvp_error *err)
{
    cvp_kink_pattern_clear(p);
    cvp_kink_pattern_init(p);
    size_t m = cvp_ring_dual_kinks(D), total = 0;
    const size_t *index;
    const mpq_t *slope;
    int answer;
    for (size_t i = 0; i < m; i++)
        total += cvp_ring_dual_kink_slope(D, i, &index, &slope, &answer);
    /* The variables: every entry of X that some slope involves. */
    p->vars = malloc((total ? total : 1) * sizeof *p->vars);
    CVP_ASSERT(p->vars != NULL);
    size_t n = 0;
    for (size_t i = 0; i < m; i++) {
        size_t len = cvp_ring_dual_kink_slope(D, i, &index, &slope, &answer);
        for (size_t j = 0; j < len; j++)
            p->vars[n++] = index[j];
    }
    qsort(p->vars, n, sizeof *p->vars, compare_size);
    size_t unique = 0;
    for (size_t j = 0; j < n; j++)
        if (unique == 0 || p->vars[unique - 1] != p->vars[j])
            p->vars[unique++] = p->vars[j];
    n = unique;
    /* Row i: the slope of kink i over the variables' positions, negated
     * when the answer is "a < b", so that the answer holds along d
     * exactly when row . d > 0. */
    cvp_lp_row *rows = malloc((m ? m : 1) * sizeof *rows);
    size_t *positions = malloc((total ? total : 1) * sizeof *positions);
    mpq_t *coefs = malloc((total ? total : 1) * sizeof *coefs);
    CVP_ASSERT(rows != NULL && positions != NULL && coefs != NULL);
    size_t at = 0;
    for (size_t i = 0; i < m; i++) {
        size_t len = cvp_ring_dual_kink_slope(D, i, &index, &slope, &answer);
        rows[i].len = len;
        rows[i].index = positions + at;
        rows[i].coef = (const mpq_t *)(coefs + at);
        for (size_t j = 0; j < len; j++, at++) {
            positions[at] = var_position(p->vars, n, index[j]);
            mpq_init(coefs[at]);
            if (answer)
                mpq_set(coefs[at], slope[j]);
            else
                mpq_neg(coefs[at], slope[j]);
        }
    }
    cvp_status st = cvp_lp_strict_feasible_sparse(&p->lp, rows, m, n, err);
    for (size_t k = 0; k < total; k++)
        mpq_clear(coefs[k]);
    free(coefs);
    free(positions);
    free(rows);
    if (st == CVP_OK && !p->lp.feasible)
        for (size_t i = 0; i < m; i++)
            if (mpq_sgn(p->lp.multipliers[i]) > 0)
                p->dead = i + 1;
    return st;
}
