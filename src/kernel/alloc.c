/* alloc.c -- counted allocation for GMP and MPFR (see alloc.h). */
#include "kernel/alloc.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <gmp.h>

static atomic_size_t live;
static atomic_size_t peak;
static atomic_uint_fast64_t mallocs, reallocs, frees;
static atomic_size_t soft_limit, hard_limit;   /* 0: none */
static atomic_bool reached;
static _Atomic(cvp_alloc_handler) handler;

void cvp_alloc_limit_message(char *buf, size_t n, size_t size, size_t limit)
{
    if (limit == 0)
        snprintf(buf, n, "convproof: out of memory (an allocation of %zu "
                 "bytes failed)\n", size);
    else
        snprintf(buf, n, "convproof: memory limit of %zu bytes reached (an "
                 "allocation of %zu bytes was refused)\n", limit, size);
}

/* The default handler: the message, then exit 3 (a resource limit).  No
 * allocation on the way (the heap may be what ran out): snprintf into a
 * stack buffer, write, _exit. */
static void default_handler(size_t size, size_t limit)
{
    char msg[160];
    cvp_alloc_limit_message(msg, sizeof msg, size, limit);
    ssize_t ignored = write(STDERR_FILENO, msg, strlen(msg));
    (void)ignored;
    _exit(3);
}

static void fail(size_t size, size_t limit)
{
    cvp_alloc_handler h = atomic_load(&handler);
    if (h != NULL)
        h(size, limit);
    /* A handler that returns breaks its contract; GMP cannot go on. */
    default_handler(size, limit);
}

/* Adds `add` bytes to live, or returns false when that would pass the
 * hard limit.  The compare-and-swap makes the check and the update one
 * step, so two threads cannot both slip under the limit. */
static bool try_reserve(size_t add)
{
    size_t hard = atomic_load(&hard_limit);
    size_t old = atomic_load(&live);
    size_t now;
    do {
        if (add > SIZE_MAX - old || (hard != 0 && old + add > hard))
            return false;
        now = old + add;
    } while (!atomic_compare_exchange_weak(&live, &old, now));
    size_t soft = atomic_load(&soft_limit);
    if (soft != 0 && now > soft)
        atomic_store(&reached, true);
    size_t p = atomic_load(&peak);
    while (now > p && !atomic_compare_exchange_weak(&peak, &p, now))
        ;
    return true;
}

/* try_reserve, or the handler. */
static void reserve(size_t add)
{
    if (!try_reserve(add))
        fail(add, atomic_load(&hard_limit));
}

/* Subtracts `sub` bytes from live, never below zero (a block allocated
 * before install is freed here without having been counted). */
static void release(size_t sub)
{
    size_t old = atomic_load(&live);
    size_t now;
    do {
        now = old > sub ? old - sub : 0;
    } while (!atomic_compare_exchange_weak(&live, &old, now));
}

void *cvp_alloc_malloc(size_t size)
{
    atomic_fetch_add(&mallocs, 1);
    reserve(size);
    void *p = malloc(size ? size : 1);
    if (p == NULL) {
        release(size);
        fail(size, 0);
    }
    return p;
}

void *cvp_alloc_realloc(void *p, size_t old_size, size_t new_size)
{
    atomic_fetch_add(&reallocs, 1);
    /* Reserve the growth first (the limit holds before the memory is
     * taken); a shrink is released after it happened. */
    if (new_size > old_size)
        reserve(new_size - old_size);
    void *q = realloc(p, new_size ? new_size : 1);
    if (q == NULL) {
        if (new_size > old_size)
            release(new_size - old_size);
        fail(new_size, 0);
    }
    if (new_size < old_size)
        release(old_size - new_size);
    return q;
}

void *cvp_alloc_try_realloc(void *p, size_t old_size, size_t new_size)
{
    atomic_fetch_add(&reallocs, 1);
    if (new_size > old_size && !try_reserve(new_size - old_size)) {
        /* raise the flag too: the caller gives up on the computation */
        atomic_store(&reached, true);
        return NULL;
    }
    void *q = realloc(p, new_size ? new_size : 1);
    if (q == NULL) {
        if (new_size > old_size)
            release(new_size - old_size);
        return NULL;
    }
    if (new_size < old_size)
        release(old_size - new_size);
    return q;
}

void cvp_alloc_free(void *p, size_t size)
{
    if (p == NULL)
        return;
    atomic_fetch_add(&frees, 1);
    release(size);
    free(p);
}

void *cvp_xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (p == NULL)
        fail(size, 0);
    return p;
}

void *cvp_xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (p == NULL)
        fail(count != 0 && size <= SIZE_MAX / count ? count * size : SIZE_MAX, 0);
    return p;
}

void *cvp_xrealloc(void *p, size_t size)
{
    void *q = realloc(p, size ? size : 1);
    if (q == NULL)
        fail(size, 0);
    return q;
}

void cvp_alloc_install(void)
{
    mp_set_memory_functions(cvp_alloc_malloc, cvp_alloc_realloc,
                            cvp_alloc_free);
}

/* Uncounted: only a failed allocation is handled (GMP cannot be told). */
static void *uncounted_malloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (p == NULL)
        fail(size, 0);
    return p;
}

static void *uncounted_realloc(void *p, size_t old_size, size_t new_size)
{
    (void)old_size;
    void *q = realloc(p, new_size ? new_size : 1);
    if (q == NULL)
        fail(new_size, 0);
    return q;
}

static void uncounted_free(void *p, size_t size)
{
    (void)size;
    free(p);
}

void cvp_alloc_install_uncounted(void)
{
    mp_set_memory_functions(uncounted_malloc, uncounted_realloc, uncounted_free);
}

bool cvp_alloc_installed(void)
{
    void *(*m)(size_t);
    void *(*r)(void *, size_t, size_t);
    void (*f)(void *, size_t);
    mp_get_memory_functions(&m, &r, &f);
    return m == cvp_alloc_malloc && r == cvp_alloc_realloc
           && f == cvp_alloc_free;
}

void cvp_alloc_get_stats(cvp_alloc_stats *stats)
{
    memset(stats, 0, sizeof *stats);
    stats->live = atomic_load(&live);
    stats->peak = atomic_load(&peak);
    stats->mallocs = atomic_load(&mallocs);
    stats->reallocs = atomic_load(&reallocs);
    stats->frees = atomic_load(&frees);
}

void cvp_alloc_reset_peak(void)
{
    atomic_store(&peak, atomic_load(&live));
}

void cvp_alloc_set_limit(size_t soft, size_t hard)
{
    if (hard != 0 && soft != 0 && hard < soft)
        hard = soft;
    atomic_store(&soft_limit, soft);
    atomic_store(&hard_limit, hard);
}

void cvp_alloc_get_limit(size_t *soft, size_t *hard)
{
    if (soft != NULL)
        *soft = atomic_load(&soft_limit);
    if (hard != NULL)
        *hard = atomic_load(&hard_limit);
}

bool cvp_alloc_limit_reached(void)
{
    return atomic_load(&reached);
}

void cvp_alloc_clear_limit_reached(void)
{
    atomic_store(&reached, false);
}

cvp_alloc_handler cvp_alloc_set_handler(cvp_alloc_handler h)
{
    return atomic_exchange(&handler, h);
}
