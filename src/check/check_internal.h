/* check_internal.h -- shared by check.c, check_instance.c and the methods'
 * files (check_exact.c, check_random.c, check_symbolic.c) only. */
#ifndef CVP_CHECK_INTERNAL_H
#define CVP_CHECK_INTERNAL_H

#include "check/check.h"
#include "eval/env.h"
#include "check/shapes.h"
#include "eval/value.h"
#include "kernel/rng.h"

/* Everything about the claim being checked. */
typedef struct {
    const cvp_proof_file *file;
    const cvp_proof_claim *claim;
    size_t index;
    const cvp_check_options *options;
    cvp_definition *def_items;
    cvp_definitions defs;
    cvp_shape_list shapes;
    cvp_lang_error *err;
    cvp_status shrink_kind;   /* the failure a shrink keeps (check_instance.c) */
    bool ties;                /* exact(ties=1): every instance on a kink */
    size_t untied;            /* instances for which no kink was found */
    uint64_t seed;            /* base of check_mix_seed: options->seed, or
                                 the running method's seed=N option */
    size_t declined;          /* exact: instances an implementation
                                 answered "unsupported" for (skipped) */
    char declined_why[CVP_ERROR_MESSAGE_MAX];   /* the first one's message */
} claim_context;

/* How the inputs of one instance are filled. */
typedef enum {
    FILL_RANDOM_Q,       /* random integers in each tensor's range */
    FILL_SMALL_Q,        /* random integers in -1..1 within the range */
    FILL_VARIABLES,      /* polynomial indeterminates "X[i,j]" */
    FILL_RANDOM_FP,      /* uniform in Z/pZ */
    FILL_DEGREE_ONE,     /* degree semiring: every entry degree 1 */
    FILL_HEIGHT_ONE,     /* height semiring: every entry a variable */
    FILL_SHAPE_ONLY      /* cvp_ring_shape (kernel/ring.h): no values */
} fill_kind;

/* Binds every input tensor of the claim at shape p into env (which must
 * be empty), over ring R, filled as `kind` says (rng may be NULL for the
 * deterministic kinds). */
cvp_status instance_build(cvp_env *env, claim_context *c,
                          const cvp_shape_point *p, cvp_ring *R,
                          fill_kind kind, cvp_rng *rng);

/* The result of evaluating every show once. */
typedef struct {
    cvp_status status;      /* CVP_OK or the evaluation's failure */
    size_t failed_show;     /* first show whose sides differ; SIZE_MAX if none */
    size_t error_show;      /* the show whose evaluation failed; SIZE_MAX if none */
    cvp_value lhs, rhs;     /* its two sides (a membership: rhs is none) */
    char *why;              /* a failed membership: the explanation */
} show_result;

void show_result_init(show_result *r);
void show_result_clear(show_result *r);

/* Evaluates every show in env over ring R (NULL: Q).  On an evaluation
 * failure r->status holds it and c->err the located message. */
void instance_eval(show_result *r, claim_context *c, const cvp_env *env,
                   cvp_ring *R);

/* Shrinks a failing Q instance in place: fewest nonzero entries first,
 * then smallest absolute values; every accepted step is re-checked by
 * exact evaluation, so env still fails afterwards. */
void instance_shrink(claim_context *c, cvp_env *env);

/* Errors that are the instance's failure rather than the claim's: an
 * implementation under test misbehaved (CVP_ERR_EXTERNAL), a grad was
 * asked at a kink (CVP_ERR_NOT_DIFFERENTIABLE), a division met a zero
 * (CVP_ERR_UNDEFINED).  The claim does not hold at that point. */
bool instance_failure_status(cvp_status st);

/* Names the shape of counterexample cx ("M=2, N=3"); a claim without
 * dims has one shape, so its counterexample names none. */
void counterexample_set_shape(cvp_counterexample *cx, const claim_context *c,
                              const cvp_shape_point *p);

/* Fills m's counterexample from a failing Q instance at shape p. */
void counterexample_record(cvp_method_result *m, claim_context *c,
                           const cvp_shape_point *p, const cvp_env *env,
                           const show_result *r);

/* Writes a tensor's exact text form into a new malloc'd string. */
char *tensor_to_text(const cvp_tensor_struct *t);

/* ---- gathering the calls of implementations (check_gather.c) ------------- */

/* The method exact numbers its instances (shape, trial) and evaluates
 * them in that order.  When the file's implementations answer in batches
 * (eval/external.h), a window of instances not evaluated yet is first
 * evaluated with stand-ins, only to learn the cases its calls ask for;
 * those run in batches, and then the instances are evaluated for real,
 * each call finding its answer ready.  A call that was not gathered (an
 * instance redrawn for ties=1, a shrinking candidate) runs when it is
 * made, so the results are those of running every call on its own. */
typedef struct {
    const struct cvp_external *external;  /* NULL: every call runs when made */
    int method_tag;          /* of check_mix_seed */
    long trials;             /* instances per shape */
    size_t shape;            /* the first instance not gathered yet */
    long trial;
    bool *side_calls;        /* per show, lhs then rhs: the side can call
                                an implementation (owned) */
    int passes;              /* gathering passes per window: how deep
                                calls nest, at most 4 */
} gather_state;

/* Starts gathering for a run of exact over c's shapes (g->external stays
 * NULL when the implementations answer one call at a time). */
void gather_begin(gather_state *g, claim_context *c, long trials, int method_tag);

/* Before instance (s, t) is evaluated: when it is the first not gathered
 * yet, gathers a window of instances from it and has their cases
 * answered; when calls take other calls' results, the window is gathered
 * again with those answers, once per level of nesting.  Gathering ends
 * for the claim when the first instance asks for nothing (the claim
 * calls no implementation).  Fails only on a limit (c->err says which)
 * or an error of convproof's own. */
cvp_status gather_before(gather_state *g, claim_context *c, size_t s, long t);

/* Drops the answers kept for the claim and ends gathering. */
void gather_end(gather_state *g);

/* Binds instance (s, t), draw `attempt`, of method exact into env (which
 * must be empty): the first trial and every ties=1 draw from -1..1, the
 * others from each tensor's range (check_exact.c). */
cvp_status exact_instance_build(cvp_env *env, claim_context *c, size_t s,
                                long t, long attempt, int method_tag);

/* ---- the methods (check.c dispatches to them) ---------------------------- */

/* What one method run found. */
typedef enum {
    RUN_HELD,
    RUN_COUNTEREXAMPLE,
    RUN_NOT_APPLICABLE,
    RUN_UNDECIDED,      /* ran, but saw nothing that could decide */
    RUN_ERROR
} run_kind;

/* A seed for every (claim, method, shape, trial), derived from c->seed,
 * so that each random choice can be replayed on its own (check.c). */
uint64_t check_mix_seed(const claim_context *c, int method, size_t shape,
                        long trial);

/* Reads option `name` of a method line (or returns the default). */
long check_method_option(const cvp_proof_method *m, const char *name, long dflt);

/* Sets c->seed for a method about to run: its seed=N option, else the
 * run's seed.  Returns whether the seed was fixed in advance (an option,
 * or options->seed_fixed), i.e. predictable by whoever wrote the claim. */
bool check_method_seed(claim_context *c, const cvp_proof_method *decl);

/* An evaluation met an operation that is not polynomial (random and
 * symbolic cannot judge the claim): m's reason quotes c->err's message,
 * which is then cleared. */
/* For a claim that came out UNDECIDED: appends to the reason of each
 * UNDECIDED method what would let it decide (the option that raises the
 * limit it met, or the method without that cap, and the dims to narrow
 * or the tensor to make smaller), and to each NOT_APPLICABLE method the
 * claim names (`named`) that leaving it out would (check_advice.c). */
void check_advise_undecided(const claim_context *c, cvp_claim_result *cr,
                            bool named);

/* The reason of a method over polynomials or a prime field that met a
 * division by zero (CVP_ERR_UNDEFINED in c->err): its divisors do not
 * depend on the inputs, so the value is undefined at every point; the
 * method does not apply, and exact's instances fail there. */
void check_undefined_reason(claim_context *c, const cvp_shape_point *p,
                            cvp_method_result *m);

/* "" for one, "s" otherwise: "1 shape", "2 shapes" in evidence and
 * reasons. */
static inline const char *check_plural(size_t n)
{
    return n == 1 ? "" : "s";
}

void check_not_polynomial(claim_context *c, cvp_method_result *m);

/* Adds " (at shape M=1, N=2)" to a located error from an evaluation and
 * returns st. */
cvp_status check_at_shape(claim_context *c, const cvp_shape_point *p,
                          cvp_status st);

/* Each method over every shape of the claim; m gets the counts, the
 * evidence or reason, and a counterexample (check_exact.c,
 * check_random.c, check_symbolic.c). */
run_kind check_run_exact(claim_context *c, const cvp_proof_method *decl,
                         cvp_method_result *m, cvp_status *st);
run_kind check_run_random(claim_context *c, const cvp_proof_method *decl,
                          cvp_method_result *m, cvp_status *st);
run_kind check_run_symbolic(claim_context *c, cvp_method_result *m, cvp_status *st);
run_kind check_run_regions(claim_context *c, const cvp_proof_method *decl,
                           cvp_method_result *m, cvp_status *st);

/* Shrinks the failing Q instance in env, evaluates it once more into r
 * and records it in m as the counterexample (check_exact.c).
 * `evaluates`: the failure is a difference of the sides (the
 * re-evaluation must succeed), not an evaluation's own failure. */
run_kind check_shrink_and_record(claim_context *c, const cvp_shape_point *p,
                                 cvp_env *env, show_result *r,
                                 cvp_method_result *m, bool evaluates);

/* After random or symbolic found that the sides differ at shape s, an
 * exact search there turns it into a concrete, shrunk counterexample
 * (check_exact.c). */
run_kind check_confirm_in_q(claim_context *c, size_t s, cvp_method_result *m,
                            cvp_status *st);

#endif
