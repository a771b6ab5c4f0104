/* check_regions.c -- the method `regions`: piecewise claims (ReLU,
 * max and average pooling, their backward rules, elementwise max, min
 * and abs) proved for every real input at each shape.
 *
 * Every input entry is an indeterminate, as in `symbolic`, and every
 * comparison an operator makes is answered by kernel/cells.h, one
 * answer per branch of a depth-first search: each complete evaluation
 * sees one cell of the arrangement of the kink hyperplanes (open cells
 * and the lower-dimensional cells of ties alike), on which both sides
 * are polynomials.  Each show is walked on its own (the arrangement of
 * the kinks its two sides meet, so a claim's cells add up over its shows
 * rather than multiply): a cell holds when the show's difference
 * vanishes on it (its equalities substituted), and the claim holds at
 * the shape when every show holds on every one of its cells.  A cell where a difference does not vanish yields a
 * point inside it where the difference is nonzero, which exact
 * evaluation in Q confirms before it is shrunk and reported.
 *
 * `grad` is taken formally on cells where its function has no kink, and
 * `A in subgrad(L, X)` is decided on each cell by check_regions_member.c.
 * Where a walk meets what it cannot compare as polynomials (a comparison
 * of a product of inputs, `grad` on a kink, a subgradient element that
 * needs varying weights), the cell reached so far is only sampled: a few
 * of its points are evaluated in Q, which can find a counterexample but
 * never proves; the method is then not applicable, with the reason.
 * More cells than `cells` (per show and shape) leave it undecided with the count
 * reached. */
#include "check/check_regions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eval/eval.h"
#include "check/limits.h"
#include "kernel/cells.h"
#include "kernel/interrupt.h"
#include "kernel/ring_poly.h"

#define DEFAULT_CELLS 2000L
/* Seconds regions may take on a claim when it joins the default methods
 * on its own account (check.c); named, it has the claim's whole time. */
#define DEFAULT_RUN_SECONDS 10.0
/* Points tried in a cell: to find one where a nonzero difference is
 * nonzero (a polynomial's zeros are rare, but the cell's own witness may
 * be one), and to sample a cell the method cannot compare. */
#define POINT_TRIES 48
#define SAMPLE_POINTS 4

/* Evaluates show s over R on the current cell.  For CELL_DIFFERS,
 * *differing receives one nonzero difference (a polynomial of R). */
static cell_kind walk_cell(claim_context *c, const cvp_env *env, cvp_ring *R,
                           cvp_cells *cells, const cvp_shape_point *p,
                           size_t s, cvp_poly *differing, cvp_status *status)
{
    cell_kind kind = CELL_HELD;
    *status = CVP_OK;
    {
        const cvp_proof_show *show = &c->claim->shows[s];
        if (show->membership) {
            cvp_status st = CVP_OK;
            kind = regions_membership(c, env, R, cells, p, show, differing, &st);
            if (kind == CELL_OPEN || kind == CELL_ERROR)
                *status = st;
            return kind;
        }
        cvp_value lhs, rhs;
        cvp_value_init(&lhs);
        cvp_value_init(&rhs);
        cvp_status st = cvp_eval_in(&lhs, show->lhs, env, &c->defs, R,
                                    c->file->source_name, c->err);
        if (st == CVP_OK)
            st = cvp_eval_in(&rhs, show->rhs, env, &c->defs, R,
                             c->file->source_name, c->err);
        cvp_error e;
        cvp_error_clear(&e);
        if (st == CVP_OK && (lhs.kind != CVP_VALUE_TENSOR || rhs.kind != CVP_VALUE_TENSOR)) {
            st = cvp_lang_error_set(c->err, CVP_ERR_UNSUPPORTED, c->file->source_name,
                                    show->lhs->pos, "regions compares tensors, "
                                    "and a side of this show is not one");
        } else if (st == CVP_OK) {
            st = cvp_eval_unify_rings(lhs.tensor, rhs.tensor, &e);
            if (st == CVP_OK && !cvp_tensor_same_shape(lhs.tensor, rhs.tensor))
                kind = CELL_DIFFERS;   /* at every point, as exact finds */
            else if (st == CVP_OK && lhs.tensor->ring == &cvp_ring_q)
                /* both sides constant: compared as they are */
                kind = cvp_tensor_equal(lhs.tensor, rhs.tensor) ? CELL_HELD
                                                                 : CELL_DIFFERS;
            else if (st == CVP_OK)
                st = cvp_tensor_sub(lhs.tensor, lhs.tensor, rhs.tensor, &e);
            for (size_t k = 0; st == CVP_OK && kind == CELL_HELD && lhs.tensor->ring == R
                               && k < lhs.tensor->size; k++) {
                const cvp_poly *d = cvp_tensor_elem(lhs.tensor, k);
                bool vanishes = true;
                st = cvp_cells_vanishes(cells, R, d, &vanishes, &e);
                if (st == CVP_OK && !vanishes) {
                    R->set(R, differing, d);
                    kind = CELL_DIFFERS;
                }
            }
            if (st != CVP_OK)
                cvp_lang_error_from(c->err, &e, c->file->source_name,
                                    show->lhs->pos, NULL);
        }
        cvp_value_clear(&lhs);
        cvp_value_clear(&rhs);
        if (st != CVP_OK) {
            *status = st;
            return st == CVP_ERR_UNSUPPORTED ? CELL_OPEN : CELL_ERROR;
        }
    }
    return kind;
}

/* Binds the inputs of shape p in Q at the point x (the indeterminates'
 * order: the claim's tensors in order, each row-major). */
static cvp_status bind_point(cvp_env *env, claim_context *c, const cvp_shape_point *p,
                             const mpq_t *x)
{
    cvp_rng rng;
    cvp_rng_seed(&rng, 1);
    cvp_status st = instance_build(env, c, p, &cvp_ring_q, FILL_SMALL_Q, &rng);
    size_t var = 0;
    for (size_t t = 0; st == CVP_OK && t < c->claim->tensor_count; t++) {
        cvp_tensor_ptr x_t = env->bindings[t].value;
        CVP_ASSERT(strcmp(env->bindings[t].name, c->claim->tensors[t].name) == 0);
        for (size_t k = 0; k < x_t->size; k++)
            mpq_set(cvp_tensor_at(x_t, k), x[var++]);
    }
    return st;
}

/* Evaluates the claim in Q at x; on a failure (a show's sides differ,
 * a `grad` asked where it does not exist, or a division by zero, as exact
 * counts them) shrinks
 * and records it and returns true. */
static bool try_point(claim_context *c, const cvp_shape_point *p, const mpq_t *x,
                      cvp_method_result *m)
{
    cvp_env env;
    cvp_env_init(&env);
    show_result r;
    show_result_init(&r);
    bool failed = false;
    if (bind_point(&env, c, p, x) == CVP_OK) {
        instance_eval(&r, c, &env, NULL);
        bool differs = r.status == CVP_OK && r.failed_show != SIZE_MAX;
        failed = differs || (instance_failure_status(r.status)
                             && r.failed_show != SIZE_MAX);
        if (failed)
            check_shrink_and_record(c, p, &env, &r, m, differs);
    }
    cvp_lang_error_clear(c->err);
    show_result_clear(&r);
    cvp_env_clear(&env);
    return failed;
}

/* Points of the current cell: its witness, then moves in random
 * directions of growing length.  With `difference`, only points where
 * it is nonzero are tried in Q. */
static bool search_cell(claim_context *c, const cvp_shape_point *p, cvp_cells *cells,
                        size_t n, const cvp_poly *difference, int tries,
                        cvp_rng *rng, cvp_method_result *m)
{
    mpq_t *x = malloc((n ? n : 1) * sizeof *x);
    long *dir = malloc((n ? n : 1) * sizeof *dir);
    CVP_ASSERT(x != NULL && dir != NULL);
    for (size_t j = 0; j < n; j++)
        mpq_init(x[j]);
    mpq_t value;
    mpq_init(value);
    bool found = false;
    for (int t = 0; t < tries && !found; t++) {
        for (size_t j = 0; j < n; j++)
            dir[j] = (long)cvp_rng_range(rng, -7, 7);
        cvp_cells_point(cells, t == 0 ? NULL : dir, (unsigned)(t % 4), x);
        if (difference != NULL) {
            cvp_cells_poly_at(value, difference, x);
            if (mpq_sgn(value) == 0)
                continue;
        }
        found = try_point(c, p, x, m);
        if (difference != NULL)
            break;   /* a nonzero difference is a failure in Q (or a bug) */
    }
    mpq_clear(value);
    for (size_t j = 0; j < n; j++)
        mpq_clear(x[j]);
    free(x);
    free(dir);
    return found;
}

/* " for the show at line 7 at shape M=1, N=2" into buf; the shape is
 * left out for a claim without dims (it has one shape), the show for a
 * claim with one show. */
static void at_shape(char *buf, size_t size, const claim_context *c,
                     const cvp_shape_point *p, size_t show)
{
    char line[64] = "";
    if (c->claim->show_count > 1)
        snprintf(line, sizeof line, " for the show at line %d",
                 c->claim->shows[show].pos.line);
    if (c->claim->dim_count == 0) {
        snprintf(buf, size, "%s", line);
        return;
    }
    char shape[256];
    cvp_shape_point_format(shape, sizeof shape, c->claim, p);
    snprintf(buf, size, "%s at shape %s", line, shape);
}

/* "; N cells held before" into buf when cells were walked before (at
 * earlier shapes, or for earlier shows), else "". */
static void held_before_text(char *buf, size_t size, size_t held)
{
    if (held == 0)
        buf[0] = '\0';
    else
        snprintf(buf, size, "; %zu cells held before", held);
}

/* The number of indeterminates at shape p. */
static size_t count_inputs(claim_context *c, const cvp_shape_point *p)
{
    size_t n = 0;
    for (size_t t = 0; t < c->claim->tensor_count; t++) {
        size_t size = 1;
        for (int a = 0; a < c->claim->tensors[t].rank; a++)
            size *= p->shapes[t][a];
        n += size;
    }
    return n;
}

typedef struct {
    size_t cells, tie_cells, sampled, most, walks;
    char *open_reason;
    double deadline;   /* monotonic seconds, or 0: none of its own */
} regions_tally;

static double monotonic_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Walks the cells of show `show` at shape s: each show has its own
 * arrangement (the kinks its two sides meet), so a claim of several
 * shows costs the sum of their cells, not the product. */
static run_kind regions_at_shape(claim_context *c, size_t s, size_t show,
                                 long max_cells, regions_tally *tally,
                                 cvp_method_result *m, cvp_status *st)
{
    const cvp_shape_point *p = &c->shapes.points[s];
    size_t n = count_inputs(c, p);
    if (n > CVP_CELLS_MAX_INPUTS) {
        char shape[300];
        at_shape(shape, sizeof shape, c, p, show);
        char before[80];
        held_before_text(before, sizeof before, tally->cells);
        cvp_set_textf(&m->reason, "not decided: %zu input entries%s, "
                      "more than the %zu regions walks over (shrink the "
                      "dims)%s", n, shape, CVP_CELLS_MAX_INPUTS, before);
        return RUN_UNDECIDED;
    }
    cvp_rng rng;
    cvp_rng_seed(&rng, check_mix_seed(c, CVP_METHOD_REGIONS, s, 0));
    /* a start away from the hyperplanes through 0 that ReLU inputs and
     * ties of the inputs themselves make: fewer LPs */
    mpq_t *start = malloc((n ? n : 1) * sizeof *start);
    CVP_ASSERT(start != NULL);
    for (size_t j = 0; j < n; j++) {
        mpq_init(start[j]);
        mpq_set_si(start[j], (long)cvp_rng_range(&rng, -9000, 9000) * 2 + 1, 1000);
    }
    cvp_cells *cells = cvp_cells_new(n, start);
    for (size_t j = 0; j < n; j++)
        mpq_clear(start[j]);
    free(start);
    run_kind kind = RUN_HELD;
    size_t walks = 0;
    char before[80];
    held_before_text(before, sizeof before, tally->cells);
    bool more = true;
    bool sample = c->file->implementation_count == 0;
    while (more && kind == RUN_HELD) {
        if (cvp_interrupt_poll()) {
            *st = cvp_limits_error(c->err, c->file->source_name, c->claim->pos);
            kind = RUN_ERROR;
            break;
        }
        if (tally->deadline > 0 && monotonic_seconds() > tally->deadline) {
            char shape[300];
            at_shape(shape, sizeof shape, c, p, show);
            cvp_set_textf(&m->reason, "not decided: regions' %.0f s when it joins "
                          "the default methods ran out%s after %zu "
                          "cells there (name it, `by regions`, to give it the "
                          "claim's whole time)%s", DEFAULT_RUN_SECONDS, shape,
                          walks, before);
            kind = RUN_UNDECIDED;
            break;
        }
        if (walks == (size_t)max_cells) {
            char shape[300];
            at_shape(shape, sizeof shape, c, p, show);
            cvp_set_textf(&m->reason, "not decided: more than %ld cells%s "
                          "(raise with regions(cells=N)%s)%s", max_cells, shape,
                          c->claim->dim_count > 0 ? ", or shrink the dims" : "",
                          before);
            kind = RUN_UNDECIDED;
            break;
        }
        cvp_ring R;
        cvp_ring_poly_init(&R, c->options->max_terms);
        cvp_cells_attach(cells, &R);
        cvp_cells_begin(cells);
        cvp_env env;
        cvp_env_init(&env);
        cvp_poly differing;
        R.init(&R, &differing);
        cvp_status eval_st = instance_build(&env, c, p, &R, FILL_VARIABLES, NULL);
        cell_kind cell = CELL_ERROR;
        if (eval_st == CVP_OK && cvp_ring_poly_var_count(&R) != n)
            eval_st = CVP_ERR_INPUT;   /* cannot happen: the same shapes */
        if (eval_st == CVP_OK)
            cell = walk_cell(c, &env, &R, cells, p, show, &differing, &eval_st);
        if (cell == CELL_ERROR && eval_st == CVP_ERR_UNDEFINED) {
            /* A division by zero on this cell: its points are evaluated
             * in Q, where they fail (the claim's sides are undefined);
             * before any comparison, everywhere at this shape. */
            cell = CELL_OPEN;
            if (cvp_cells_depth(cells) == 0) {
                check_undefined_reason(c, p, m);
                kind = RUN_NOT_APPLICABLE;
            }
        }
        walks++;
        tally->walks++;
        if (kind != RUN_HELD) {
            /* decided above: undefined everywhere at this shape */
        } else if (eval_st == CVP_ERR_LIMIT
            && cvp_interrupt_limit_name(cvp_interrupt_reached()) != NULL) {
            /* --timeout or --max-memory: the claim stops */
            cvp_set_textf(&m->reason, "%s", c->err->message);
            *st = check_at_shape(c, p, CVP_ERR_LIMIT);
            kind = RUN_ERROR;
        } else if (eval_st == CVP_ERR_LIMIT) {
            /* a cap of the method's own (polynomial terms, path length, LP
             * size): only regions is left undecided */
            char where[CVP_ERROR_MESSAGE_MAX + CVP_SOURCE_NAME_MAX + 64];
            cvp_lang_error_format(where, sizeof where, c->err);
            cvp_set_textf(&m->reason, "not decided: a limit of regions was "
                          "reached (%s)", where);
            cvp_lang_error_clear(c->err);
            kind = RUN_UNDECIDED;
        } else if (cell == CELL_ERROR) {
            *st = check_at_shape(c, p, eval_st);
            kind = RUN_ERROR;
        } else if (cell == CELL_OPEN) {
            if (tally->open_reason == NULL) {
                char where[CVP_ERROR_MESSAGE_MAX + CVP_SOURCE_NAME_MAX + 64];
                cvp_lang_error_format(where, sizeof where, c->err);
                cvp_set_text(&tally->open_reason, where);
            }
            cvp_lang_error_clear(c->err);
            /* before any comparison the cell is the whole space: sampling
             * it is what exact does, so the method just does not apply */
            if (cvp_cells_depth(cells) > 0 && sample) {
                tally->sampled++;
                if (search_cell(c, p, cells, n, NULL, SAMPLE_POINTS, &rng, m))
                    kind = RUN_COUNTEREXAMPLE;
            } else {
                kind = RUN_NOT_APPLICABLE;
            }
        } else if (cell == CELL_DIFFERS) {
            if (search_cell(c, p, cells, n, differing.len ? &differing : NULL,
                            POINT_TRIES, &rng, m)) {
                kind = RUN_COUNTEREXAMPLE;
            } else {
                char *where = cvp_cells_describe(cells, &R, 8);
                cvp_set_textf(&m->reason, "not decided: the sides differ on the "
                              "cell\n%sbut no point of it was confirmed in Q",
                              where);
                free(where);
                kind = RUN_UNDECIDED;
            }
        } else {
            tally->cells++;
            tally->tie_cells += cvp_cells_equalities(cells) > 0;
        }
        R.clear(&R, &differing);
        cvp_env_clear(&env);
        cvp_ring_poly_clear(&R);
        if (kind == RUN_HELD) {
            cvp_error e;
            cvp_error_clear(&e);
            cvp_status adv = cvp_cells_advance(cells, &more, &e);
            if (adv != CVP_OK) {
                cvp_set_textf(&m->reason, "not decided: %s", e.message);
                kind = RUN_UNDECIDED;
            }
        }
    }
    if (walks > tally->most)
        tally->most = walks;
    cvp_cells_free(cells);
    return kind;
}

run_kind check_run_regions(claim_context *c, const cvp_proof_method *decl,
                           cvp_method_result *m, cvp_status *st)
{
    long max_cells = check_method_option(decl, "cells", DEFAULT_CELLS);
    check_method_seed(c, decl);
    regions_tally tally = {0, 0, 0, 0, 0, NULL, 0};
    if (decl == NULL)   /* joined the default methods */
        tally.deadline = monotonic_seconds() + DEFAULT_RUN_SECONDS;
    run_kind kind = RUN_HELD;
    for (size_t s = 0; s < c->shapes.count && kind == RUN_HELD; s++) {
        for (size_t show = 0; show < c->claim->show_count && kind == RUN_HELD; show++)
            kind = regions_at_shape(c, s, show, max_cells, &tally, m, st);
        m->instances = tally.walks;   /* cells walked */
        if (kind == RUN_HELD || kind == RUN_COUNTEREXAMPLE)
            m->shapes = s + 1;
    }
    if (kind == RUN_HELD && tally.sampled > 0)
        kind = RUN_NOT_APPLICABLE;
    if (kind == RUN_NOT_APPLICABLE && m->reason == NULL)
        cvp_set_textf(&m->reason, "not piecewise polynomial in the inputs: %s%s",
                      tally.open_reason ? tally.open_reason : "",
                      tally.sampled ? " (points of the cells met before it were "
                                      "evaluated in Q and held)" : "");
    if (kind == RUN_HELD)
        cvp_set_textf(&m->evidence, "both sides are equal polynomials on each of "
                      "%zu cells of the kinks (%zu of them ties, on hyperplanes) "
                      "at %zu shape%s (at most %zu cells for one show at one shape): the claim "
                      "holds for every real input at those shapes", tally.cells,
                      tally.tie_cells, c->shapes.count,
                      check_plural(c->shapes.count), tally.most);
    free(tally.open_reason);
    return kind;
}
