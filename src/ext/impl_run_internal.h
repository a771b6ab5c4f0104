/* impl_run_internal.h -- what impl_run.c and impl_results.c share
 * (src/ext only).
 *
 * Ownership: each reader fills fields of the result r (which owns what
 * it is given, see impl_run.h) from the file at `path`, which it only
 * reads; a missing or unreadable file is recorded in r, never an error
 * of the caller's. */
#ifndef CVP_IMPL_RUN_INTERNAL_H
#define CVP_IMPL_RUN_INTERNAL_H

#include "ext/impl_run.h"

/* stderr.txt: an excerpt (head and tail of a long one) and whether it
 * holds a Python traceback. */
void impl_read_stderr(cvp_impl_result *r, const char *path);

/* The status answer of a case, when the command wrote one. */
void impl_read_status(cvp_impl_result *r, const char *path);

/* Output k of case c in the given layout; a missing file leaves
 * r->present[k] false. */
void impl_read_output(cvp_impl_result *r, size_t k, const char *path,
                      const cvp_impl_case *c, cvp_impl_layout layout);

#endif
