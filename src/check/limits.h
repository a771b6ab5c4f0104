/* limits.h -- what the checker does when a claim reaches a resource
 * limit: --timeout and --max-memory per claim (through kernel/interrupt.h
 * and kernel/alloc.h), and --max-entries, --max-terms, --max-shapes.
 *
 * A claim that reaches a limit is not decided: the method that was
 * running, and every method that had not run yet, are recorded as
 * UNDECIDED with the reason "not decided: limit NAME reached (...)", the
 * claim is UNDECIDED unless a method had already found a counterexample
 * (which is exact and stands), and the check goes on with the next claim.
 * Nothing reached under a limit is ever recorded as passed.
 *
 * The functions keep no state of their own beyond kernel/interrupt.h's
 * per-thread deadline; records passed in are modified in place and stay
 * owned by the caller.
 */
#ifndef CVP_LIMITS_H
#define CVP_LIMITS_H

#include <stddef.h>

#include "check/check.h"
#include "check/verdict.h"
#include "lang/lang_error.h"

/* Starts the limits of one claim: a deadline options->timeout seconds
 * from now (none when <= 0) and the memory watch when
 * options->watch_memory.  Pair with cvp_limits_claim_end. */
void cvp_limits_claim_begin(const cvp_check_options *options);
void cvp_limits_claim_end(void);

/* Records in err that the limit kernel/interrupt.h reports was reached,
 * at `pos` of `source`, and returns CVP_ERR_LIMIT. */
cvp_status cvp_limits_error(cvp_lang_error *err, const char *source,
                            cvp_srcpos pos);

/* The option name ("timeout", "max-memory", "max-entries", "max-terms",
 * "max-shapes") of the limit behind a CVP_ERR_LIMIT whose message is
 * `message`, or NULL when it is none of them (an allocation that failed,
 * say). */
const char *cvp_limits_name(const char *message);

/* A `let` is evaluated where it is used (eval/env.h), so a chain of lets
 * that each use the one before twice costs 2^length evaluations.  The
 * number of expression nodes a claim's lets and shows expand to, with
 * every let inlined, must stay at most CVP_LIMITS_MAX_EXPANDED_NODES;
 * else CVP_ERR_LIMIT at the first let or show past it (counted before
 * anything is evaluated, in time linear in the claim's text).  The bound
 * also bounds the size of the numbers an evaluation can build: each
 * operation adds at most its operands' sizes and a few bits. */
#define CVP_LIMITS_MAX_EXPANDED_NODES ((double)1000000)

cvp_status cvp_limits_check_expansion(const cvp_proof_claim *claim,
                                      const char *source,
                                      cvp_lang_error *err);

/* Settles a claim whose check stopped with *st == CVP_ERR_LIMIT (message
 * in err): the last method of cr, when it did not finish, and one new
 * record for each of the `pending` methods (not run) become UNDECIDED
 * with the reason; then *st = CVP_OK and err is cleared.  Does nothing
 * when *st is not CVP_ERR_LIMIT. */
void cvp_limits_settle(cvp_claim_result *cr, const cvp_method *pending,
                       size_t pending_count, cvp_status *st,
                       cvp_lang_error *err);

#endif
