/* impl_answers.h -- the cases that the calls of a proof file's
 * implementations ask for, gathered so that they can be run in batches,
 * and what came back (ext/impl_external.h uses it; docs/impl-protocol.md
 * "From a proof file").
 *
 * A case is recorded once (calls of the same case share it: the three
 * gradients of one conv layer), run with the other pending cases of its
 * implementation through cvp_impl_run (batches of runner->batch cases,
 * runner->jobs runs at a time), and then answers every later call of the
 * same case.
 *
 * An answer is kept only when it is exactly what a run of that case alone
 * would have given: the case had a run of its own (cvp_impl_run runs the
 * cases of a batch that failed as a whole again one at a time), or its
 * outputs were all read from its own files (the implementation agreed or
 * gave wrong values; nothing of the run as a whole, such as its standard
 * error, enters such an answer).  Any other finding of a batched run -- a
 * missing, unreadable or misshapen output while the run as a whole
 * succeeded -- is dropped, and the call then runs on its own, so that its
 * message is that of its own run.
 *
 * Ownership: the store owns copies of the cases and their results; the
 * pointers cvp_impl_answers_find returns are valid until the next add,
 * run or clear.
 */
#ifndef CVP_IMPL_ANSWERS_H
#define CVP_IMPL_ANSWERS_H

#include "ext/impl_run.h"

/* Input entries of the pending cases above which gathering should stop
 * and run them (memory: every entry is an exact rational, and each case
 * also keeps its outputs). */
#define CVP_IMPL_GATHER_MAX_ENTRIES ((size_t)1 << 20)

typedef struct {
    size_t implementation;     /* which runner answers it */
    cvp_impl_case c;           /* canonical layout */
    cvp_impl_result r;         /* when answered */
    bool answered;
} cvp_impl_answer;

typedef struct {
    cvp_impl_answer *items;
    size_t count, cap;
    size_t pending;            /* recorded, not run yet */
    size_t pending_entries;    /* their input entries */
} cvp_impl_answers;

void cvp_impl_answers_init(cvp_impl_answers *a);
/* Frees everything; a is empty and usable again. */
void cvp_impl_answers_clear(cvp_impl_answers *a);

/* The record of case c of implementation k (pending or answered), or
 * NULL. */
cvp_impl_answer *cvp_impl_answers_find(cvp_impl_answers *a, size_t k,
                                       const cvp_impl_case *c);

/* Records a copy of c as a pending case of implementation k (c must not
 * be recorded yet).  CVP_ERR_LIMIT when memory runs out. */
cvp_status cvp_impl_answers_add(cvp_impl_answers *a, size_t k,
                                const cvp_impl_case *c, cvp_error *err);

/* Runs the pending cases of implementation k on `runner`, in the order
 * they were recorded, keeps the answers as the header says and drops the
 * others.  Fails only for convproof's own errors (no temporary folder,
 * the runner's stop); the pending cases of k are then dropped. */
cvp_status cvp_impl_answers_run(cvp_impl_answers *a, size_t k,
                                cvp_impl_runner *runner, cvp_error *err);

#endif
