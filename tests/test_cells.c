/* test_cells.c -- the cells of kernel/cells.h: which answer vectors the
 * depth-first search walks (counted by hand for small arrangements),
 * that each walk's witness lies in its cell, that vanishing is judged
 * with the cell's equalities substituted, and that what the method
 * cannot decide is refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "kernel/cells.h"
#include "kernel/ring_poly.h"

#define MAX_WALKS 64

/* A scripted evaluation: the comparisons it makes may depend on the
 * answers, as an operator's loop does. */
typedef void (*script_fn)(cvp_ring *R, cvp_poly *x, int *answers, size_t *count);

typedef struct {
    size_t walks;
    int answers[MAX_WALKS][4];
    size_t counts[MAX_WALKS];
    size_t equalities[MAX_WALKS];
    bool contained[MAX_WALKS];
} search_log;

/* x := c0 + c1 x_1 + ... over the ring's n variables (coefficients given
 * as integers). */
static void set_affine(cvp_ring *R, cvp_poly *out, size_t n, const long *coef, long c)
{
    cvp_poly term, k;
    R->init(R, &term);
    R->init(R, &k);
    cvp_ring_set_si(R, out, c);
    for (size_t j = 0; j < n; j++)
        if (coef[j] != 0) {
            cvp_poly_set_var(R, &term, (uint32_t)j);
            cvp_ring_set_si(R, &k, coef[j]);
            R->mul(R, &term, &term, &k);
            R->add(R, out, out, &term);
        }
    R->clear(R, &term);
    R->clear(R, &k);
}

static void run_search(size_t n, script_fn script, search_log *log)
{
    mpq_t *start = malloc(n * sizeof *start);
    for (size_t j = 0; j < n; j++) {
        mpq_init(start[j]);
        mpq_set_si(start[j], (long)(2 * j + 3), 7);   /* every entry positive */
    }
    cvp_cells *cells = cvp_cells_new(n, start);
    memset(log, 0, sizeof *log);
    bool more = true;
    while (more) {
        assert_true(log->walks < MAX_WALKS);
        cvp_ring R;
        cvp_ring_poly_init(&R, 1000);
        for (size_t j = 0; j < n; j++) {
            char name[16];
            snprintf(name, sizeof name, "x%zu", j);
            cvp_ring_poly_add_var(&R, name);
        }
        cvp_cells_attach(cells, &R);
        cvp_cells_begin(cells);
        cvp_poly *x = malloc(n * sizeof *x);
        for (size_t j = 0; j < n; j++) {
            R.init(&R, &x[j]);
            cvp_poly_set_var(&R, &x[j], (uint32_t)j);
        }
        size_t w = log->walks++;
        script(&R, x, log->answers[w], &log->counts[w]);
        assert_false(cvp_ring_failed(&R));
        log->equalities[w] = cvp_cells_equalities(cells);
        mpq_t *p = malloc(n * sizeof *p);
        for (size_t j = 0; j < n; j++)
            mpq_init(p[j]);
        long dir[8] = {3, -2, 5, 1, -4, 2, 1, -1};
        cvp_cells_point(cells, dir, 0, p);
        log->contained[w] = cvp_cells_contains(cells, (const mpq_t *)p);
        for (size_t j = 0; j < n; j++) {
            mpq_clear(p[j]);
            R.clear(&R, &x[j]);
        }
        free(p);
        free(x);
        cvp_ring_poly_clear(&R);
        cvp_error err;
        assert_int_equal(cvp_cells_advance(cells, &more, &err), CVP_OK);
    }
    cvp_cells_free(cells);
    for (size_t j = 0; j < n; j++)
        mpq_clear(start[j]);
    free(start);
}

/* Whether the log holds a walk with exactly these answers. */
static bool has_walk(const search_log *log, size_t count, const int *answers)
{
    for (size_t w = 0; w < log->walks; w++)
        if (log->counts[w] == count
            && memcmp(log->answers[w], answers, count * sizeof *answers) == 0)
            return true;
    return false;
}

/* ---- two independent ReLU inputs: all 3 x 3 sign pairs ------------------ */

static void script_two_relus(cvp_ring *R, cvp_poly *x, int *answers, size_t *count)
{
    cvp_poly zero;
    R->init(R, &zero);
    answers[0] = R->cmp(R, &x[0], &zero);
    answers[1] = R->cmp(R, &x[1], &zero);
    *count = 2;
    R->clear(R, &zero);
}

static void test_two_independent_kinks(void **state)
{
    (void)state;
    search_log log;
    run_search(2, script_two_relus, &log);
    /* every sign pair (-1, 0, 1)^2 is a nonempty cell, each walked once */
    assert_int_equal(log.walks, 9);
    size_t ties = 0;
    for (int a = -1; a <= 1; a++)
        for (int b = -1; b <= 1; b++) {
            int want[2] = {a, b};
            assert_true(has_walk(&log, 2, want));
        }
    for (size_t w = 0; w < log.walks; w++) {
        assert_true(log.contained[w]);
        ties += log.equalities[w] > 0;
        assert_int_equal(log.equalities[w],
                         (size_t)(log.answers[w][0] == 0) + (log.answers[w][1] == 0));
    }
    assert_int_equal(ties, 5);   /* the cells with a 0 among two answers */
}

/* ---- a forced answer and a constant one --------------------------------- */

/* x0 ? 0, then x0 + 1 ? 0: x0 > 0 forces x0 + 1 > 0 (no other walk);
 * x0 = 0 makes x0 + 1 the constant 1; x0 < 0 leaves all three. */
static void script_nested(cvp_ring *R, cvp_poly *x, int *answers, size_t *count)
{
    cvp_poly zero, shifted;
    R->init(R, &zero);
    R->init(R, &shifted);
    long one[1] = {1};
    set_affine(R, &shifted, 1, one, 1);
    answers[0] = R->cmp(R, &x[0], &zero);
    answers[1] = R->cmp(R, &shifted, &zero);
    *count = 2;
    R->clear(R, &zero);
    R->clear(R, &shifted);
}

static void test_forced_and_constant_answers(void **state)
{
    (void)state;
    search_log log;
    run_search(1, script_nested, &log);
    assert_int_equal(log.walks, 5);
    const int walks[5][2] = {{1, 1}, {0, 1}, {-1, 1}, {-1, 0}, {-1, -1}};
    for (int k = 0; k < 5; k++)
        assert_true(has_walk(&log, 2, walks[k]));
    for (size_t w = 0; w < log.walks; w++)
        assert_true(log.contained[w]);
}

/* ---- answers that depend on earlier answers (a running maximum) -------- */

/* The first maximum of x0, x1, x2, as max pooling finds it. */
static void script_argmax(cvp_ring *R, cvp_poly *x, int *answers, size_t *count)
{
    size_t best = 0;
    *count = 0;
    for (size_t k = 1; k < 3; k++) {
        int c = R->cmp(R, &x[k], &x[best]);
        answers[(*count)++] = c;
        if (c > 0)
            best = k;
    }
}

static void test_running_maximum(void **state)
{
    (void)state;
    search_log log;
    run_search(3, script_argmax, &log);
    /* x1 ? x0: 3 answers; then x2 ? the maximum so far (x1 if x1 > x0,
     * else x0): 3 answers each, all realizable: 9 cells */
    assert_int_equal(log.walks, 9);
    for (size_t w = 0; w < log.walks; w++)
        assert_true(log.contained[w]);
}

/* ---- a chain that prunes: x0 > x1, x1 > x2, then x2 ? x0 --------------- */

static void script_chain(cvp_ring *R, cvp_poly *x, int *answers, size_t *count)
{
    *count = 0;
    answers[(*count)++] = R->cmp(R, &x[0], &x[1]);
    if (answers[0] <= 0)
        return;
    answers[(*count)++] = R->cmp(R, &x[1], &x[2]);
    if (answers[1] <= 0)
        return;
    answers[(*count)++] = R->cmp(R, &x[2], &x[0]);
}

static void test_transitivity_prunes(void **state)
{
    (void)state;
    search_log log;
    run_search(3, script_chain, &log);
    /* x0 <= x1: 2 walks; x0 > x1 and x1 <= x2: 2 walks; x0 > x1 > x2
     * forces x2 < x0: 1 walk (an LP certificate rules out the others) */
    assert_int_equal(log.walks, 5);
    const int last[3] = {1, 1, -1};
    assert_true(has_walk(&log, 3, last));
    const int never[3] = {1, 1, 1};
    assert_false(has_walk(&log, 3, never));
}

/* ---- vanishing on a cell with an equality ------------------------------- */

static void test_vanishing_uses_equalities(void **state)
{
    (void)state;
    mpq_t start[2];
    mpq_init(start[0]);
    mpq_init(start[1]);
    mpq_set_si(start[0], 2, 1);
    mpq_set_si(start[1], 1, 1);
    cvp_cells *cells = cvp_cells_new(2, start);
    bool more = true;
    bool saw_tie = false;
    while (more) {
        cvp_ring R;
        cvp_ring_poly_init(&R, 1000);
        cvp_ring_poly_add_var(&R, "a");
        cvp_ring_poly_add_var(&R, "b");
        cvp_cells_attach(cells, &R);
        cvp_cells_begin(cells);
        cvp_poly a, b, p, q;
        R.init(&R, &a);
        R.init(&R, &b);
        R.init(&R, &p);
        R.init(&R, &q);
        cvp_poly_set_var(&R, &a, 0);
        cvp_poly_set_var(&R, &b, 1);
        int c = R.cmp(&R, &a, &b);
        /* p = a^2 - a b = a (a - b): zero exactly where a = b */
        R.mul(&R, &p, &a, &a);
        R.mul(&R, &q, &a, &b);
        R.sub(&R, &p, &p, &q);
        bool vanishes = false;
        cvp_error err;
        assert_int_equal(cvp_cells_vanishes(cells, &R, &p, &vanishes, &err), CVP_OK);
        assert_int_equal(vanishes, c == 0);
        /* q = a - 2 b vanishes on no cell: on a = b it is -b */
        long coef[2] = {1, -2};
        set_affine(&R, &q, 2, coef, 0);
        assert_int_equal(cvp_cells_vanishes(cells, &R, &q, &vanishes, &err), CVP_OK);
        assert_false(vanishes);
        saw_tie |= c == 0;
        R.clear(&R, &a);
        R.clear(&R, &b);
        R.clear(&R, &p);
        R.clear(&R, &q);
        cvp_ring_poly_clear(&R);
        assert_int_equal(cvp_cells_advance(cells, &more, &err), CVP_OK);
    }
    assert_true(saw_tie);
    cvp_cells_free(cells);
    mpq_clear(start[0]);
    mpq_clear(start[1]);
}

/* ---- a product of inputs: cut by its factors; any other nonlinear
 * comparison is refused, not guessed ------------------------------------- */

/* x0 x1 ? 0: x0 ? 0 first (3 answers); where x0 = 0 the product is 0
 * and x1 is not asked; elsewhere x1 ? 0 (3 answers): 1 + 3 + 3 walks,
 * and each answer is the product of the factors' signs. */
static void script_product(cvp_ring *R, cvp_poly *x, int *answers, size_t *count)
{
    cvp_poly p, zero;
    R->init(R, &p);
    R->init(R, &zero);
    R->mul(R, &p, &x[0], &x[1]);
    answers[0] = R->cmp(R, &p, &zero);
    *count = 1;
    R->clear(R, &p);
    R->clear(R, &zero);
}

static void test_product_is_cut_by_its_factors(void **state)
{
    (void)state;
    search_log log;
    run_search(2, script_product, &log);
    assert_int_equal(log.walks, 7);
    size_t positive = 0, negative = 0, zero = 0;
    for (size_t w = 0; w < log.walks; w++) {
        assert_true(log.contained[w]);
        positive += log.answers[w][0] > 0;
        negative += log.answers[w][0] < 0;
        zero += log.answers[w][0] == 0;
    }
    /* (+,+), (-,-) positive; (+,-), (-,+) negative; x0 = 0 or x1 = 0 zero */
    assert_int_equal(positive, 2);
    assert_int_equal(negative, 2);
    assert_int_equal(zero, 3);
}

static void test_nonlinear_comparison_is_refused(void **state)
{
    (void)state;
    mpq_t start[1];
    mpq_init(start[0]);
    mpq_set_si(start[0], 1, 1);
    cvp_cells *cells = cvp_cells_new(1, start);
    cvp_ring R;
    cvp_ring_poly_init(&R, 1000);
    cvp_ring_poly_add_var(&R, "x");
    cvp_cells_attach(cells, &R);
    cvp_poly x, sq, zero;
    R.init(&R, &x);
    R.init(&R, &sq);
    R.init(&R, &zero);
    cvp_poly_set_var(&R, &x, 0);
    R.mul(&R, &sq, &x, &x);
    R.add(&R, &sq, &sq, &x);   /* x^2 + x: two terms, not a product */
    (void)R.cmp(&R, &sq, &zero);
    cvp_error err;
    assert_int_equal(cvp_ring_check(&R, &err), CVP_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.message, "affine"));
    assert_int_equal(cvp_cells_depth(cells), 0);
    R.clear(&R, &x);
    R.clear(&R, &sq);
    R.clear(&R, &zero);
    cvp_ring_poly_clear(&R);
    cvp_cells_free(cells);
    mpq_clear(start[0]);
}

/* ---- the pieces around a cell ---------------------------------------------- */

/* Comparisons the piece evaluation makes: x1 ? x0, then (script 1) the
 * same hyperplane the other way round, or (script 2) x2 ? the maximum. */
static int piece_script;

static size_t walk_pieces_on_tie(void)
{
    mpq_t start[3];
    for (int j = 0; j < 3; j++) {
        mpq_init(start[j]);
        mpq_set_si(start[j], j + 1, 1);
    }
    cvp_cells *cells = cvp_cells_new(3, start);
    size_t pieces = 0;
    bool more = true, seen = false;
    while (more && !seen) {
        cvp_ring R;
        cvp_ring_poly_init(&R, 1000);
        for (int j = 0; j < 3; j++)
            cvp_ring_poly_add_var(&R, j == 0 ? "a" : j == 1 ? "b" : "c");
        cvp_cells_attach(cells, &R);
        cvp_cells_begin(cells);
        cvp_poly x[3];
        for (int j = 0; j < 3; j++) {
            R.init(&R, &x[j]);
            cvp_poly_set_var(&R, &x[j], (uint32_t)j);
        }
        /* the cell: x0 = x1 = x2 (two tie answers) */
        int c1 = R.cmp(&R, &x[1], &x[0]);
        int c2 = R.cmp(&R, &x[2], &x[0]);
        if (c1 == 0 && c2 == 0) {
            seen = true;
            cvp_cell_pieces *walk = cvp_cell_pieces_new(cells);
            bool again = true;
            while (again) {
                cvp_ring P;
                cvp_ring_poly_init(&P, 1000);
                for (int j = 0; j < 3; j++)
                    cvp_ring_poly_add_var(&P, "v");
                cvp_cell_pieces_attach(walk, &P);
                cvp_cell_pieces_begin(walk);
                cvp_poly y[3];
                for (int j = 0; j < 3; j++) {
                    P.init(&P, &y[j]);
                    cvp_poly_set_var(&P, &y[j], (uint32_t)j);
                }
                int d1 = P.cmp(&P, &y[1], &y[0]);
                assert_true(d1 == 1 || d1 == -1);   /* a kink: a side, never 0 */
                if (piece_script == 1) {
                    int d2 = P.cmp(&P, &y[0], &y[1]);
                    assert_int_equal(d2, -d1);   /* the reverse is realized alone */
                } else {
                    size_t best = d1 > 0 ? 1 : 0;
                    (void)P.cmp(&P, &y[2], &y[best]);
                }
                assert_false(cvp_ring_failed(&P));
                pieces++;
                for (int j = 0; j < 3; j++)
                    P.clear(&P, &y[j]);
                cvp_ring_poly_clear(&P);
                cvp_cell_pieces_advance(walk, &again);
            }
            cvp_cell_pieces_free(walk);
        }
        for (int j = 0; j < 3; j++)
            R.clear(&R, &x[j]);
        cvp_ring_poly_clear(&R);
        cvp_error err;
        if (!seen)
            assert_int_equal(cvp_cells_advance(cells, &more, &err), CVP_OK);
    }
    assert_true(seen);
    cvp_cells_free(cells);
    for (int j = 0; j < 3; j++)
        mpq_clear(start[j]);
    return pieces;
}

static void test_pieces_around_a_tie(void **state)
{
    (void)state;
    /* x1 ? x0 and then x0 ? x1: the second answer is forced by the first
     * (v1 > v0 and v0 > v1 together have no direction): 2 pieces */
    piece_script = 1;
    assert_int_equal(walk_pieces_on_tie(), 2);
    /* the first maximum of three tied entries: x1 ? x0 (2 sides), then
     * x2 ? the winner (2 sides), all 4 realizable */
    piece_script = 2;
    assert_int_equal(walk_pieces_on_tie(), 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_independent_kinks),
        cmocka_unit_test(test_forced_and_constant_answers),
        cmocka_unit_test(test_running_maximum),
        cmocka_unit_test(test_transitivity_prunes),
        cmocka_unit_test(test_vanishing_uses_equalities),
        cmocka_unit_test(test_product_is_cut_by_its_factors),
        cmocka_unit_test(test_nonlinear_comparison_is_refused),
        cmocka_unit_test(test_pieces_around_a_tie),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
