/* test_lp.c -- strict homogeneous linear inequalities over Q (kernel/lp.h):
 * which systems a_i . d > 0 are feasible, and that both certificates are
 * what they claim, rechecked here by hand-written arithmetic. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "kernel/lp.h"

/* rows := the m x n integers given (row-major). */
static mpq_t *make_rows(size_t m, size_t n, const long *values)
{
    mpq_t *rows = malloc((m * n != 0 ? m * n : 1) * sizeof *rows);
    for (size_t k = 0; k < m * n; k++) {
        mpq_init(rows[k]);
        mpq_set_si(rows[k], values[k], 1);
    }
    return rows;
}

static void free_rows(mpq_t *rows, size_t count)
{
    for (size_t k = 0; k < count; k++)
        mpq_clear(rows[k]);
    free(rows);
}

/* a . d for row i, by hand. */
static void row_dot(mpq_t out, const mpq_t *rows, size_t n, size_t i,
                    const mpq_t *d)
{
    mpq_t p;
    mpq_init(p);
    mpq_set_ui(out, 0, 1);
    for (size_t j = 0; j < n; j++) {
        mpq_mul(p, rows[i * n + j], d[j]);
        mpq_add(out, out, p);
    }
    mpq_clear(p);
}

/* Decides the system and rechecks the certificate; returns feasibility. */
static bool decide(size_t m, size_t n, const long *values)
{
    mpq_t *rows = make_rows(m, n, values);
    cvp_lp_result r;
    cvp_lp_result_init(&r);
    cvp_error e;
    assert_int_equal(cvp_lp_strict_feasible(&r, rows, m, n, &e), CVP_OK);
    mpq_t s, big, a;
    mpq_inits(s, big, a, NULL);
    if (r.feasible) {
        assert_non_null(r.direction);
        for (size_t i = 0; i < m; i++) {
            row_dot(s, rows, n, i, r.direction);
            assert_true(mpq_sgn(s) > 0);
        }
        /* scaled: the largest entry has absolute value 1 */
        for (size_t j = 0; j < n; j++) {
            mpq_abs(a, r.direction[j]);
            if (mpq_cmp(a, big) > 0)
                mpq_set(big, a);
        }
        if (m > 0)
            assert_int_equal(mpq_cmp_ui(big, 1, 1), 0);
    } else {
        assert_non_null(r.multipliers);
        for (size_t i = 0; i < m; i++) {
            assert_true(mpq_sgn(r.multipliers[i]) >= 0);
            mpq_add(big, big, r.multipliers[i]);
        }
        assert_int_equal(mpq_cmp_ui(big, 1, 1), 0);
        for (size_t j = 0; j < n; j++) {
            mpq_set_ui(s, 0, 1);
            for (size_t i = 0; i < m; i++) {
                mpq_mul(a, r.multipliers[i], rows[i * n + j]);
                mpq_add(s, s, a);
            }
            assert_int_equal(mpq_sgn(s), 0);
        }
    }
    mpq_clears(s, big, a, NULL);
    bool feasible = r.feasible;
    cvp_lp_result_clear(&r);
    free_rows(rows, m * n);
    return feasible;
}

static void test_feasible(void **state)
{
    (void)state;
    /* d > 0 alone; and d_0 > 0, d_1 > 0, d_0 - d_1 > 0 (d = (1, 1/2)). */
    assert_true(decide(1, 1, (const long[]){1}));
    assert_true(decide(3, 2, (const long[]){1, 0, 0, 1, 1, -1}));
    /* A thin cone: d_0 - 100 d_1 > 0 and d_1 > 0. */
    assert_true(decide(2, 2, (const long[]){1, -100, 0, 1}));
    /* No inequalities: feasible with d = 0. */
    assert_true(decide(0, 2, NULL));
    /* The same inequality twice. */
    assert_true(decide(2, 1, (const long[]){-3, -1}));
}

static void test_infeasible(void **state)
{
    (void)state;
    /* d > 0 and -d > 0: the ReLU that passes and the one that blocks at
     * the same input (relu(z) - relu(z)); y = (1/2, 1/2). */
    assert_false(decide(2, 1, (const long[]){1, -1}));
    /* d_0 > d_1, d_1 > d_2, d_2 > d_0: a cycle of strict maxima. */
    assert_false(decide(3, 3, (const long[]){1, -1, 0, 0, 1, -1, -1, 0, 1}));
    /* 2 d_0 + d_1 > 0, -d_0 > 0, -d_1 > 0: y = (1, 2, 1) / 4. */
    assert_false(decide(3, 2, (const long[]){2, 1, -1, 0, 0, -1}));
    /* A zero row can never be positive. */
    assert_false(decide(2, 2, (const long[]){1, 0, 0, 0}));
}

static void test_checks(void **state)
{
    (void)state;
    /* The checks refuse wrong certificates. */
    mpq_t *rows = make_rows(2, 1, (const long[]){1, -1});
    mpq_t d[1], y[2];
    mpq_init(d[0]);
    mpq_set_si(d[0], 1, 1);
    assert_false(cvp_lp_check_direction(rows, 2, 1, d));   /* -1 . 1 < 0 */
    mpq_init(y[0]);
    mpq_init(y[1]);
    mpq_set_si(y[0], 1, 2);
    mpq_set_si(y[1], 1, 2);
    assert_true(cvp_lp_check_multipliers(rows, 2, 1, y));
    mpq_set_si(y[1], 1, 3);       /* sum 5/6, not 1 */
    assert_false(cvp_lp_check_multipliers(rows, 2, 1, y));
    mpq_set_si(y[0], 3, 2);
    mpq_set_si(y[1], -1, 2);      /* sums to 1 but a negative multiplier */
    assert_false(cvp_lp_check_multipliers(rows, 2, 1, y));
    mpq_clear(y[0]);
    mpq_clear(y[1]);
    free_rows(rows, 2);
    /* d > 0 with d = 1: satisfied. */
    rows = make_rows(1, 1, (const long[]){2});
    assert_true(cvp_lp_check_direction(rows, 1, 1, d));
    mpq_set_ui(d[0], 0, 1);
    assert_false(cvp_lp_check_direction(rows, 1, 1, d));   /* 0 is not > 0 */
    mpq_clear(d[0]);
    free_rows(rows, 1);
}

/* Sparse rows, split into blocks (order rows, decided as a graph): x0 > 0 with x0 - x1 > 0 (one block),
 * x2 > 0 alone (another), and x3 > 0 with -x3 > 0 (an infeasible one). */
static void test_sparse_blocks(void **state)
{
    (void)state;
    mpq_t c[7];
    for (int k = 0; k < 7; k++)
        mpq_init(c[k]);
    mpq_set_si(c[0], 1, 1);                          /* x0 */
    mpq_set_si(c[1], 1, 1); mpq_set_si(c[2], -1, 1); /* x0 - x1 */
    mpq_set_si(c[3], 1, 1);                          /* x2 */
    mpq_set_si(c[4], 1, 1);                          /* x3 */
    mpq_set_si(c[5], -1, 1);                         /* -x3 */
    size_t i0[] = {0}, i01[] = {0, 1}, i2[] = {2}, i3[] = {3};
    cvp_lp_row rows[] = {
        {1, i0, (const mpq_t *)&c[0]}, {2, i01, (const mpq_t *)&c[1]},
        {1, i2, (const mpq_t *)&c[3]}, {1, i3, (const mpq_t *)&c[4]},
        {1, i3, (const mpq_t *)&c[5]},
    };
    cvp_lp_result r;
    cvp_lp_result_init(&r);
    cvp_error e;
    /* The first three rows: feasible; the direction found satisfies each
     * row, checked by hand here. */
    assert_int_equal(cvp_lp_strict_feasible_sparse(&r, rows, 3, 4, &e), CVP_OK);
    assert_true(r.feasible);
    assert_true(mpq_sgn(r.direction[0]) > 0);
    assert_true(mpq_cmp(r.direction[0], r.direction[1]) > 0);
    assert_true(mpq_sgn(r.direction[2]) > 0);
    /* All five: the last block is infeasible; its multipliers are 1/2
     * and 1/2, and the feasible blocks' rows get none. */
    assert_int_equal(cvp_lp_strict_feasible_sparse(&r, rows, 5, 4, &e), CVP_OK);
    assert_false(r.feasible);
    for (int i = 0; i < 3; i++)
        assert_int_equal(mpq_sgn(r.multipliers[i]), 0);
    assert_int_equal(mpq_cmp_si(r.multipliers[3], 1, 2), 0);
    assert_int_equal(mpq_cmp_si(r.multipliers[4], 1, 2), 0);
    /* The sparse checks refuse the feasible blocks' multipliers. */
    mpq_t y[5];
    for (int i = 0; i < 5; i++)
        mpq_init(y[i]);
    mpq_set_si(y[0], 1, 2);
    mpq_set_si(y[2], 1, 2);
    assert_false(cvp_lp_check_multipliers_sparse(rows, 5, 4, y));
    for (int i = 0; i < 5; i++)
        mpq_clear(y[i]);
    /* A row without variables (0 > 0) is infeasible on its own. */
    cvp_lp_row empty[] = {{1, i0, (const mpq_t *)&c[0]}, {0, NULL, NULL}};
    assert_int_equal(cvp_lp_strict_feasible_sparse(&r, empty, 2, 1, &e), CVP_OK);
    assert_false(r.feasible);
    assert_int_equal(mpq_cmp_si(r.multipliers[1], 1, 1), 0);
    /* Scaled order rows, a cycle: 2 (x0 - x1) > 0 and 3 (x1 - x0) > 0.
     * The multipliers are 1/2 and 1/3 normalised: 3/5 and 2/5. */
    mpq_t s[4];
    for (int k = 0; k < 4; k++)
        mpq_init(s[k]);
    mpq_set_si(s[0], 2, 1); mpq_set_si(s[1], -2, 1);
    mpq_set_si(s[2], -3, 1); mpq_set_si(s[3], 3, 1);
    cvp_lp_row cycle[] = {{2, i01, (const mpq_t *)&s[0]},
                          {2, i01, (const mpq_t *)&s[2]}};
    assert_int_equal(cvp_lp_strict_feasible_sparse(&r, cycle, 2, 2, &e), CVP_OK);
    assert_false(r.feasible);
    assert_int_equal(mpq_cmp_si(r.multipliers[0], 3, 5), 0);
    assert_int_equal(mpq_cmp_si(r.multipliers[1], 2, 5), 0);
    /* Not an order row (x0 - 2 x1 > 0, with -x0 > 0... then x1 < 0):
     * the simplex decides it; feasible with d0 < 0, d0 > 2 d1. */
    mpq_set_si(s[0], 1, 1); mpq_set_si(s[1], -2, 1);
    mpq_set_si(s[2], -1, 1);
    cvp_lp_row mixed[] = {{2, i01, (const mpq_t *)&s[0]},
                          {1, i0, (const mpq_t *)&s[2]}};
    assert_int_equal(cvp_lp_strict_feasible_sparse(&r, mixed, 2, 2, &e), CVP_OK);
    assert_true(r.feasible);
    assert_true(mpq_sgn(r.direction[0]) < 0);
    mpq_t twice;
    mpq_init(twice);
    mpq_add(twice, r.direction[1], r.direction[1]);
    assert_true(mpq_cmp(r.direction[0], twice) > 0);
    mpq_clear(twice);
    for (int k = 0; k < 4; k++)
        mpq_clear(s[k]);
    cvp_lp_result_clear(&r);
    for (int k = 0; k < 7; k++)
        mpq_clear(c[k]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_feasible),
        cmocka_unit_test(test_infeasible),
        cmocka_unit_test(test_checks),
        cmocka_unit_test(test_sparse_blocks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
