/* interrupt.h -- stopping long computations at a safe point (part of the
 * trusted kernel only in that ring operations poll it).
 *
 * A caller that wants a computation bounded in time or memory sets a
 * deadline (CLOCK_MONOTONIC) and/or asks to watch the memory flag of
 * kernel/alloc.h, then runs the computation.  Long loops call
 * cvp_interrupt_poll() between element operations -- never inside a GMP
 * call, so every object stays consistent -- and when it returns true they
 * stop: a ring operation records CVP_ERR_LIMIT with cvp_ring_fail (the
 * operator checks it after its loop nest), an evaluator or a checker loop
 * returns CVP_ERR_LIMIT.  No signal is involved.
 *
 * Once a limit is seen the state is sticky: every later poll returns true
 * until cvp_interrupt_clear, so a computation that ignores one poll still
 * stops at the next.
 *
 * The state is per thread (a deadline belongs to the claim a thread
 * checks); the memory flag it watches is process-wide.  Polling is cheap:
 * the clock is read once every CVP_INTERRUPT_CLOCK_EVERY polls.
 */
#ifndef CVP_INTERRUPT_H
#define CVP_INTERRUPT_H

#include <stdbool.h>

typedef enum {
    CVP_INTERRUPT_NONE,
    CVP_INTERRUPT_TIMEOUT,     /* the deadline passed */
    CVP_INTERRUPT_MEMORY       /* live GMP memory went above the soft limit */
} cvp_interrupt_reason;

#define CVP_INTERRUPT_CLOCK_EVERY 256

/* Stop `seconds` from now (> 0), or never (<= 0).  Clears a reached limit. */
void cvp_interrupt_set_deadline(double seconds);

/* Whether polls also stop when kernel/alloc.h's limit flag is raised.
 * Turning it on clears the flag, so only growth from now on counts. */
void cvp_interrupt_watch_memory(bool watch);

/* No deadline, no memory watch, nothing reached. */
void cvp_interrupt_clear(void);

/* True once a limit is reached (sticky), unless held. */
bool cvp_interrupt_poll(void);

/* While held, polls return false (a reached limit stays recorded).  For
 * one bounded step that must finish, such as re-evaluating a
 * counterexample already found.  Returns the previous hold. */
bool cvp_interrupt_hold(bool hold);

/* Which limit was reached, or NONE. */
cvp_interrupt_reason cvp_interrupt_reached(void);

/* "timeout" or "max-memory" (the command's option names without "--"),
 * or NULL for NONE. */
const char *cvp_interrupt_limit_name(cvp_interrupt_reason reason);

#endif
