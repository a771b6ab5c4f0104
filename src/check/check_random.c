/* check_random.c -- the method `random`: a degree bound and a coefficient
 * size bound for both sides, then evaluation at random points of Z/pZ,
 * each with its own prime p drawn uniformly from the primes of
 * [2^60, 2^61) (Schwartz-Zippel).
 *
 * Why the printed bound holds.  Let L - R be a nonzero polynomial at some
 * shape; over a common denominator B it is N / B with N an integer
 * polynomial (kernel/ring_height.h bounds the coefficients of N by 2^h and
 * makes B a product of denominators of constants).  A prime p that divides
 * no such denominator maps the evaluation homomorphically into Z/pZ; then
 * the sides agree at the point iff N vanishes there mod p.  Either p
 * divides the content of N -- some nonzero coefficient c, |c| <= 2^h, has
 * at most k = floor(h / 60) prime factors >= 2^60 -- or N mod p is a
 * nonzero polynomial of degree <= d and vanishes at a uniform point with
 * probability <= d / p < d / 2^60.  Primes that divide a denominator
 * (at most e = floor(denominator bits / 60) of them) are redrawn, so p is
 * uniform over at least 2^54 - e primes (kernel/prime.h).  One point
 * passes with probability at most q = d / 2^60 + k / (2^54 - e), and the
 * T independent points of a shape with at most q^T. */
#include "check/check_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/eval.h"
#include "check/limits.h"
#include "kernel/interrupt.h"
#include "kernel/prime.h"
#include "kernel/ring_height.h"
#include "kernel/ring_small.h"

/* A prime that divides a constant's denominator is replaced; this many
 * in a row mean the denominator is 0 in Q as well (or astronomically
 * unlucky), and the method stays undecided. */
#define PRIME_REDRAWS 16

/* What the bounds pass found at one shape. */
typedef struct {
    long degree;          /* of every entry of both sides */
    int64_t height;       /* the difference's numerator: coefficients <= 2^height */
    int64_t denominator_bits;   /* sum of the constants' denominators' bits */
} shape_bounds;

/* Folds one side's value (over ring R, or a constant in Q) into the
 * largest numerator and denominator bit counts. */
static void fold_height(const cvp_value *v, const cvp_ring *R, int64_t *num,
                        int64_t *den)
{
    if (v->kind != CVP_VALUE_TENSOR)
        return;
    const cvp_tensor_struct *t = v->tensor;
    for (size_t k = 0; k < t->size; k++) {
        int64_t a = CVP_HEIGHT_ZERO, b = 0;
        if (t->ring == R) {
            cvp_height h = cvp_height_get(cvp_tensor_elem(t, k));
            a = h.num_bits;
            b = h.den_bits;
        } else if (t->ring == &cvp_ring_q && mpq_sgn(cvp_tensor_at(t, k)) != 0) {
            a = cvp_height_log2(mpq_numref(cvp_tensor_at(t, k)));
            b = cvp_height_log2(mpq_denref(cvp_tensor_at(t, k)));
        }
        if (a > *num)
            *num = a;
        if (a != CVP_HEIGHT_ZERO && b > *den)
            *den = b;
    }
}

/* Evaluates every show's sides at shape p in R, filled as `fill` says,
 * and hands each side to `fold`.  Returns false when some operation is
 * not polynomial (m's reason says which) or on an error (*st). */
static bool eval_sides(claim_context *c, const cvp_shape_point *p, cvp_ring *R,
                       fill_kind fill, cvp_method_result *m, cvp_status *st,
                       void (*fold)(const cvp_value *, const cvp_ring *, void *),
                       void *acc)
{
    cvp_env env;
    cvp_env_init(&env);
    bool polynomial = true;
    *st = instance_build(&env, c, p, R, fill, NULL);
    for (size_t s = 0; *st == CVP_OK && polynomial && s < c->claim->show_count; s++)
        for (int side = 0; side < 2 && *st == CVP_OK && polynomial; side++) {
            cvp_value v;
            cvp_value_init(&v);
            const cvp_proof_show *show = &c->claim->shows[s];
            cvp_status e = cvp_eval_in(&v, side ? show->rhs : show->lhs, &env, &c->defs,
                                       R, c->file->source_name, c->err);
            if (e == CVP_ERR_UNSUPPORTED) {
                check_not_polynomial(c, m);
                polynomial = false;
            } else if (e == CVP_ERR_UNDEFINED) {
                check_undefined_reason(c, p, m);
                polynomial = false;
            } else if (e != CVP_OK) {
                *st = check_at_shape(c, p, e);
            } else {
                fold(&v, R, acc);
            }
            cvp_value_clear(&v);
        }
    cvp_env_clear(&env);
    return *st == CVP_OK && polynomial;
}

static void fold_degree_cb(const cvp_value *v, const cvp_ring *R, void *acc)
{
    long *degree = acc;
    if (v->kind == CVP_VALUE_TENSOR && v->tensor->ring == R)
        for (size_t k = 0; k < v->tensor->size; k++) {
            long d = cvp_degree_get(cvp_tensor_elem(v->tensor, k));
            if (d > *degree)
                *degree = d;
        }
}

static void fold_height_cb(const cvp_value *v, const cvp_ring *R, void *acc)
{
    int64_t *nd = acc;
    fold_height(v, R, &nd[0], &nd[1]);
}

/* The bounds at shape p: RUN_HELD with *b filled, RUN_NOT_APPLICABLE (not
 * polynomial), RUN_UNDECIDED (the coefficient bound saturated) or
 * RUN_ERROR. */
static run_kind bounds_at_shape(claim_context *c, const cvp_shape_point *p,
                                shape_bounds *b, cvp_method_result *m,
                                cvp_status *st)
{
    cvp_ring D;
    cvp_ring_degree_init(&D);
    long degree = 0;
    bool ok = eval_sides(c, p, &D, FILL_DEGREE_ONE, m, st, fold_degree_cb, &degree);
    cvp_ring_degree_clear(&D);
    if (!ok)
        return *st == CVP_OK ? RUN_NOT_APPLICABLE : RUN_ERROR;
    cvp_ring H;
    cvp_ring_height_init(&H);
    int64_t nd[2] = {CVP_HEIGHT_ZERO, 0};
    ok = eval_sides(c, p, &H, FILL_HEIGHT_ONE, m, st, fold_height_cb, nd);
    bool saturated = cvp_ring_height_saturated(&H);
    b->denominator_bits = cvp_ring_height_denominator_bits(&H);
    cvp_ring_height_clear(&H);
    if (!ok)
        return *st == CVP_OK ? RUN_NOT_APPLICABLE : RUN_ERROR;
    if (saturated || b->denominator_bits >= CVP_HEIGHT_MAX) {
        cvp_set_textf(&m->reason, "the size of the coefficients could not be "
                      "bounded (above 2^%lld bits), so no error bound can be "
                      "stated", (long long)CVP_HEIGHT_MAX);
        return RUN_UNDECIDED;
    }
    b->degree = degree;
    /* |coefficient of N| <= 2^num * 2^den + 2^num * 2^den (ring_height.h) */
    b->height = nd[0] == CVP_HEIGHT_ZERO ? 0 : nd[0] + nd[1] + 1;
    return RUN_HELD;
}

/* The per-point bound q = d / 2^60 + k / (2^54 - e) of the file comment,
 * rounded up (a relative margin covers the double rounding). */
static double point_bound(const shape_bounds *b)
{
    double k = (double)(b->height / 60), e = (double)(b->denominator_bits / 60);
    double q = ldexp((double)b->degree, -60)
               + k / (ldexp(1.0, CVP_RANDOM_PRIME_COUNT_LOG2) - e);
    return q * (1.0 + 1e-9);
}

/* x >= 0 written with three significant digits, rounded up. */
static void format_up(char *buf, size_t n, double x)
{
    if (x <= 0.0) {
        snprintf(buf, n, "0");
        return;
    }
    int e = (int)floor(log10(x));
    double m = ceil(x / pow(10.0, e - 2) * (1.0 + 1e-9));   /* 100..1000 */
    if (m >= 1000.0) {
        m = 100.0;
        e++;
    }
    snprintf(buf, n, "%.2fe%d", m / 100.0, e);
}

run_kind check_run_random(claim_context *c, const cvp_proof_method *decl,
                          cvp_method_result *m, cvp_status *st)
{
    long trials = check_method_option(decl, "trials", c->options->random_trials);
    bool fixed = check_method_seed(c, decl);
    shape_bounds worst = {0, 0, 0};
    double worst_q = 0.0, worst_total_log2 = 0.0;   /* log2 of q^T; 0: none yet */
    size_t points = 0, redrawn = 0;
    for (size_t s = 0; s < c->shapes.count; s++) {
        const cvp_shape_point *p = &c->shapes.points[s];
        shape_bounds b;
        run_kind bk = bounds_at_shape(c, p, &b, m, st);
        if (bk != RUN_HELD)
            return bk;
        double q = point_bound(&b);
        if (q >= 1.0) {
            char degree[40];
            if (b.degree >= CVP_DEGREE_MAX)   /* saturated */
                snprintf(degree, sizeof degree, "at least 2^62");
            else
                snprintf(degree, sizeof degree, "%ld", b.degree);
            cvp_set_textf(&m->reason, "the degree (%s) and coefficient size "
                          "(2^%lld) bounds are too large for a useful error bound",
                          degree, (long long)b.height);
            return RUN_UNDECIDED;
        }
        double total = q > 0.0 ? (double)trials * log2(q) : -INFINITY;
        if (s == 0 || total > worst_total_log2) {
            worst_total_log2 = total;
            worst_q = q;
            worst = b;
        }
        for (long t = 0; t < trials; t++) {
            if (cvp_interrupt_poll()) {
                *st = cvp_limits_error(c->err, c->file->source_name, c->claim->pos);
                return RUN_ERROR;
            }
            cvp_rng rng;
            cvp_rng_seed(&rng, check_mix_seed(c, CVP_METHOD_RANDOM, s, t));
            run_kind kind = RUN_HELD;
            for (int attempt = 0;; attempt++) {
                /* A new prime for every point: with one fixed prime,
                 * constants that make the difference a multiple of it
                 * would pass a false identity. */
                cvp_ring F;
                cvp_ring_fp_init(&F, cvp_random_prime(&rng));
                cvp_env env;
                cvp_env_init(&env);
                show_result r;
                show_result_init(&r);
                *st = instance_build(&env, c, p, &F, FILL_RANDOM_FP, &rng);
                if (*st == CVP_OK)
                    instance_eval(&r, c, &env, &F);
                bool redraw = false;
                kind = RUN_HELD;
                if (*st != CVP_OK) {
                    kind = RUN_ERROR;
                } else if (cvp_ring_fp_denominator_hit(&F)) {
                    /* The constant has no value mod p: not a point of the
                     * identity at all; another prime is drawn. */
                    cvp_lang_error_clear(c->err);
                    redraw = true;
                } else if (r.status == CVP_ERR_UNSUPPORTED) {
                    check_not_polynomial(c, m);
                    kind = RUN_NOT_APPLICABLE;
                } else if (r.status == CVP_ERR_UNDEFINED) {
                    check_undefined_reason(c, p, m);
                    kind = RUN_NOT_APPLICABLE;
                } else if (r.status != CVP_OK) {
                    *st = check_at_shape(c, p, r.status);
                    kind = RUN_ERROR;
                } else if (r.failed_show != SIZE_MAX) {
                    kind = RUN_COUNTEREXAMPLE;
                }
                show_result_clear(&r);
                cvp_env_clear(&env);
                cvp_ring_fp_clear(&F);
                if (!redraw)
                    break;
                redrawn++;
                if (attempt + 1 == PRIME_REDRAWS) {
                    cvp_set_textf(&m->reason, "%d primes in a row divided the "
                                  "denominator of a constant, which then has no "
                                  "value mod p", PRIME_REDRAWS);
                    m->shapes = s + 1;
                    m->instances = points;
                    return RUN_UNDECIDED;
                }
            }
            points++;
            m->shapes = s + 1;
            m->instances = points;
            if (kind == RUN_COUNTEREXAMPLE)
                return check_confirm_in_q(c, s, m, st);
            if (kind != RUN_HELD)
                return kind;
        }
    }
    char q_text[32], seed_text[96], redraw_text[96] = "";
    format_up(q_text, sizeof q_text, worst_q);
    if (fixed)
        snprintf(seed_text, sizeof seed_text, "fixed seed %llu: the primes and "
                 "points were predictable", (unsigned long long)c->seed);
    else
        snprintf(seed_text, sizeof seed_text, "seed %llu, drawn from the "
                 "operating system's entropy", (unsigned long long)c->seed);
    if (redrawn > 0)
        snprintf(redraw_text, sizeof redraw_text, "; %zu primes that divided a "
                 "constant's denominator were replaced", redrawn);
    char total_text[64];
    if (worst_q <= 0.0)
        snprintf(total_text, sizeof total_text, "0");
    else
        /* floor(-log2(q^T)), one bit lower for safety */
        snprintf(total_text, sizeof total_text, "2^-%.0f",
                 fmax(0.0, floor(-worst_total_log2) - 1.0));
    if (worst_q <= 0.0) {
        /* d = 0 and k = 0: the difference is a constant whose numerator
         * has no prime factor >= 2^60, so no prime can hide it; a bound
         * "at most 0/2^60 < 0" would say the same in a confusing way. */
        cvp_set_textf(&m->evidence, "%s; %zu random point%s of Z/pZ at %zu shape%s "
                      "(%ld per shape), each with its own prime p drawn "
                      "uniformly from the primes of [2^60, 2^61)%s; at every "
                      "shape both sides are constants (degree 0) and the "
                      "numerator of their difference is at most 2^%lld in "
                      "absolute value, with no prime factor >= 2^60, so a nonzero "
                      "difference is nonzero mod every p: each point decides "
                      "the identity, with no probability of error",
                      seed_text, points, check_plural(points), c->shapes.count,
                      check_plural(c->shapes.count), trials, redraw_text,
                      (long long)worst.height);
        return RUN_HELD;
    }
    cvp_set_textf(&m->evidence, "%s; %zu random point%s of Z/pZ at %zu shape%s "
                  "(%ld per shape), each with its own prime p drawn uniformly from "
                  "the primes of [2^60, 2^61) (at least 2^54)%s; at the weakest "
                  "shape the sides have degree at most d = %ld and the numerator "
                  "of their difference has coefficients of absolute value at most 2^%lld, which have "
                  "at most k = %lld prime factors >= 2^60, and constants' "
                  "denominators exclude at most e = %lld primes; so a false "
                  "identity survives one point with probability at most "
                  "d/2^60 + k/(2^54 - e) <= %s (Schwartz-Zippel plus the content "
                  "of the difference), and all %ld points of its shape with "
                  "probability at most %s",
                  seed_text, points, check_plural(points), c->shapes.count,
                  check_plural(c->shapes.count), trials, redraw_text,
                  worst.degree, (long long)worst.height,
                  (long long)(worst.height / 60),
                  (long long)(worst.denominator_bits / 60), q_text, trials,
                  total_text);
    return RUN_HELD;
}
