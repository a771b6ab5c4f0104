/* check_random.c -- the method `random`: a degree bound for both sides,
 * then evaluation at random points of Z/pZ, each with its own random
 * prime (Schwartz-Zippel). */
#include "check/check_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/eval.h"
#include "check/limits.h"
#include "kernel/interrupt.h"
#include "kernel/prime.h"
#include "kernel/ring_small.h"

/* The largest degree bound among both sides of every show at shape p, or
 * -1 when some operation is not polynomial (then *reason is set). */
static long degree_at_shape(claim_context *c, const cvp_shape_point *p,
                            cvp_method_result *m, cvp_status *st)
{
    cvp_ring D;
    cvp_ring_degree_init(&D);
    cvp_env env;
    cvp_env_init(&env);
    long degree = 0;
    *st = instance_build(&env, c, p, &D, FILL_DEGREE_ONE, NULL);
    for (size_t s = 0; *st == CVP_OK && s < c->claim->show_count; s++)
        for (int side = 0; side < 2 && *st == CVP_OK; side++) {
            cvp_value v;
            cvp_value_init(&v);
            const cvp_proof_show *show = &c->claim->shows[s];
            cvp_status e = cvp_eval_in(&v, side ? show->rhs : show->lhs, &env, &c->defs,
                                       &D, c->file->source_name, c->err);
            if (e == CVP_ERR_UNSUPPORTED) {
                check_not_polynomial(c, m);
                degree = -1;
            } else if (e != CVP_OK) {
                *st = check_at_shape(c, p, e);
            } else if (v.kind == CVP_VALUE_TENSOR && v.tensor->ring == &D) {
                for (size_t k = 0; k < v.tensor->size; k++) {
                    long d = cvp_degree_get(cvp_tensor_elem(v.tensor, k));
                    if (d > degree)
                        degree = d;
                }
            }
            cvp_value_clear(&v);
            if (degree < 0)
                break;
        }
    cvp_env_clear(&env);
    cvp_ring_degree_clear(&D);
    return *st == CVP_OK ? degree : -1;
}

run_kind check_run_random(claim_context *c, const cvp_proof_method *decl,
                           cvp_method_result *m, cvp_status *st)
{
    long trials = check_method_option(decl, "trials", c->options->random_trials);
    long max_degree = 0;
    size_t points = 0;
    for (size_t s = 0; s < c->shapes.count; s++) {
        const cvp_shape_point *p = &c->shapes.points[s];
        long degree = degree_at_shape(c, p, m, st);
        if (*st != CVP_OK)
            return RUN_ERROR;
        if (degree < 0)
            return RUN_NOT_APPLICABLE;
        if (degree > max_degree)
            max_degree = degree;
        for (long t = 0; t < trials; t++) {
            if (cvp_interrupt_poll()) {
                *st = cvp_limits_error(c->err, c->file->source_name, c->claim->pos);
                return RUN_ERROR;
            }
            /* A new random prime for every point (kernel/prime.h): with
             * one fixed prime, constants that make the difference a
             * multiple of it would pass a false identity. */
            cvp_rng rng;
            cvp_rng_seed(&rng, check_mix_seed(c, CVP_METHOD_RANDOM, s, t));
            cvp_ring F;
            cvp_ring_fp_init(&F, cvp_random_prime(&rng));
            cvp_env env;
            cvp_env_init(&env);
            show_result r;
            show_result_init(&r);
            *st = instance_build(&env, c, p, &F, FILL_RANDOM_FP, &rng);
            if (*st == CVP_OK)
                instance_eval(&r, c, &env, &F);
            run_kind kind = RUN_HELD;
            if (*st != CVP_OK) {
                kind = RUN_ERROR;
            } else if (r.status == CVP_ERR_UNSUPPORTED) {
                check_not_polynomial(c, m);
                kind = RUN_NOT_APPLICABLE;
            } else if (r.status != CVP_OK) {
                *st = check_at_shape(c, p, r.status);
                kind = RUN_ERROR;
            } else if (r.failed_show != SIZE_MAX) {
                kind = RUN_COUNTEREXAMPLE;
            }
            points++;
            show_result_clear(&r);
            cvp_env_clear(&env);
            cvp_ring_fp_clear(&F);
            m->shapes = s + 1;
            m->instances = points;
            if (kind == RUN_COUNTEREXAMPLE)
                return check_confirm_in_q(c, s, m, st);
            if (kind != RUN_HELD)
                return kind;
        }
    }
    cvp_set_textf(&m->evidence, "%zu random points of Z/pZ, each with its own "
                  "random prime p in [2^60, 2^61), at %zu shapes (%ld per shape); "
                  "the sides have degree at most %ld, so a false identity survives "
                  "one point with probability at most %ld/2^60 < %.3g "
                  "(Schwartz-Zippel), plus the chance that p divides every "
                  "coefficient of the difference (a b-bit coefficient has at most "
                  "b/60 of the about 2^55 primes drawn from as factors)", points,
                  c->shapes.count, trials, max_degree, max_degree,
                  (double)max_degree / (double)CVP_RANDOM_PRIME_MIN);
    return RUN_HELD;
}
