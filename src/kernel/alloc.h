/* alloc.h -- counted allocation for GMP and MPFR, and a memory limit.
 *
 * GMP lets a program replace its allocation functions
 * (mp_set_memory_functions); MPFR allocates through GMP's current ones,
 * and Debian's isl keeps its integers in GMP, so these three account for
 * the arithmetic's memory: every limb of every rational, polynomial
 * coefficient, interval bound and isl integer.  cvp_alloc_install()
 * routes them through the functions below, which count calls and live
 * bytes and enforce a limit.  Other allocations (arrays of tensor
 * entries, isl's own structures, which isl allocates with malloc and has
 * no hook for) are not counted; tensor sizes are bounded separately by
 * cvp_tensor_max_entries, and isl's work by isl_ctx_set_max_operations.
 *
 * The wrappers sit directly on malloc/realloc/free and keep no header in
 * front of a block, so a block may cross freely: one GMP allocated before
 * cvp_alloc_install (or one the program frees with plain free, as GMP
 * strings sometimes are) is still correct memory management; only the
 * count is off by that block, and the live count never goes below zero.
 * Sizes are the ones GMP passes (it documents them as the block's size).
 * Counters are atomic, so GMP may be used from several threads.
 *
 * The limit.  GMP cannot report a failed allocation: its allocation
 * function must return memory or not return at all.  So the limit has two
 * levels (cvp_alloc_set_limit):
 *
 *   - soft: when live bytes go above it, a sticky flag is raised
 *     (cvp_alloc_limit_reached).  The allocation still succeeds.  Code
 *     that runs long computations -- the checker, between trials, terms
 *     or claims -- polls the flag, abandons the claim ("not decided:
 *     limit max-memory reached", never a pass), frees what it holds,
 *     calls cvp_alloc_clear_limit_reached and goes on with the next
 *     claim.  Because the flag is sticky, a short spike above the limit
 *     that is freed again before the next poll is still seen.
 *   - hard: an allocation that would take live bytes above it does not
 *     happen.  The limit handler is called instead and must not return.
 *     The default handler writes "convproof: memory limit of N bytes
 *     reached" to standard error and exits with status 3 (a resource
 *     limit, the exit code of `convproof`); it is the one place where
 *     library code ends the process, exactly as GMP itself would abort on
 *     an allocation failure, but with a clear message and the documented
 *     code.  A real allocation failure of malloc takes the same path
 *     ("out of memory").  Leaving the allocation by longjmp would leave
 *     the GMP object half-updated, so the handler should not resume
 *     computations that used it (tests use that only on their own calls).
 *
 * A typical --max-memory of M bytes: cvp_alloc_set_limit(M, M + M / 4) --
 * claims over M are not decided, and the process never holds much more
 * than that in arithmetic.
 *
 * Process-wide state.  Install once, early in main (before threads).
 */
#ifndef CVP_ALLOC_H
#define CVP_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Makes GMP (and so MPFR) allocate through cvp_alloc_malloc,
 * cvp_alloc_realloc and cvp_alloc_free.  Idempotent.  Safe at any time
 * (see above), though counts are exact only for blocks allocated after
 * it. */
void cvp_alloc_install(void);

/* True when GMP's allocation functions are the ones of this module. */
bool cvp_alloc_installed(void);

/* Makes GMP allocate through plain malloc, realloc and free, with only
 * the failure path of this module (the handler, as for a failed malloc
 * above): nothing is counted and no limit applies.  The counters are
 * shared by every thread, and several threads allocating at once spend
 * more time passing their cache lines around than computing (measured:
 * three times the CPU of one thread); `convproof check --jobs N` uses
 * this, and refuses --max-memory.  Call before threads start.  Blocks
 * may cross between the two sets of functions (see above). */
void cvp_alloc_install_uncounted(void);

/* The functions handed to GMP, with its signatures.  Usable directly for
 * memory that should count against the limit; a block of cvp_alloc_malloc
 * is freed by cvp_alloc_free(p, size) or free(p). */
void *cvp_alloc_malloc(size_t size);
void *cvp_alloc_realloc(void *p, size_t old_size, size_t new_size);
void cvp_alloc_free(void *p, size_t size);

/* Like cvp_alloc_realloc (p may be NULL), but a failure is the caller's
 * to handle: when the growth would pass the hard limit, or realloc fails,
 * nothing changes (p stays valid, nothing is counted) and NULL is
 * returned; the handler is not called.  For arrays whose size follows
 * from the input (polynomial term lists), where running out is a limit
 * the caller reports, not a fatal error. */
void *cvp_alloc_try_realloc(void *p, size_t old_size, size_t new_size);

/* malloc, calloc and realloc for the library's own arrays that cannot
 * report a failure to a caller (scratch of the fast kernels, per-variable
 * arrays of the derivative rings): memory, or the handler below, as for a
 * failed GMP allocation -- a clean exit with status 3 and "out of memory",
 * never an assertion.  Not counted.  Arrays whose size follows from a
 * claim and that can fail softly report CVP_ERR_LIMIT instead
 * (cvp_alloc_try_realloc). */
void *cvp_xmalloc(size_t size);
void *cvp_xcalloc(size_t count, size_t size);
void *cvp_xrealloc(void *p, size_t size);

/* ---- counting -------------------------------------------------------- */

typedef struct {
    size_t live;            /* bytes allocated and not yet freed */
    size_t peak;            /* largest `live` since the last reset */
    uint64_t mallocs;       /* calls of each function */
    uint64_t reallocs;
    uint64_t frees;
} cvp_alloc_stats;

void cvp_alloc_get_stats(cvp_alloc_stats *stats);

/* peak := live. */
void cvp_alloc_reset_peak(void);

/* ---- the limit -------------------------------------------------------- */

/* Sets the soft and hard limits in bytes of live memory; 0 means none.
 * A hard limit below the soft one is raised to it.  Lowering a limit
 * below the live bytes raises the flag at the next allocation. */
void cvp_alloc_set_limit(size_t soft, size_t hard);
void cvp_alloc_get_limit(size_t *soft, size_t *hard);

/* The sticky flag: live bytes went above the soft limit since the last
 * clear (or since the start). */
bool cvp_alloc_limit_reached(void);
void cvp_alloc_clear_limit_reached(void);

/* Called when an allocation of `size` bytes would pass the hard limit
 * `limit` (or when malloc fails: then `limit` is 0).  Must not return. */
typedef void (*cvp_alloc_handler)(size_t size, size_t limit);

/* The default handler's message, one line ending in a newline, into
 * buf[0..n-1]: "convproof: memory limit of LIMIT bytes reached (an
 * allocation of SIZE bytes was refused)", or for limit 0 "convproof: out
 * of memory (an allocation of SIZE bytes failed)".  For handlers of
 * their own. */
void cvp_alloc_limit_message(char *buf, size_t n, size_t size, size_t limit);

/* Sets the handler (NULL: the default, which exits with status 3).
 * Returns the previous one (NULL for the default). */
cvp_alloc_handler cvp_alloc_set_handler(cvp_alloc_handler handler);

#endif
