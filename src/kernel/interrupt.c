/* interrupt.c -- deadlines and the memory watch (interrupt.h). */
#include "kernel/interrupt.h"

#include <time.h>

#include "kernel/alloc.h"

static _Thread_local double deadline;          /* 0: none */
static _Thread_local bool watch_memory;
static _Thread_local cvp_interrupt_reason reached;
static _Thread_local unsigned polls;
static _Thread_local bool held;

static double monotonic_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void cvp_interrupt_set_deadline(double seconds)
{
    deadline = seconds > 0 ? monotonic_now() + seconds : 0;
    reached = CVP_INTERRUPT_NONE;
    polls = 0;
}

void cvp_interrupt_watch_memory(bool watch)
{
    watch_memory = watch;
    if (watch)
        cvp_alloc_clear_limit_reached();
    if (reached == CVP_INTERRUPT_MEMORY)
        reached = CVP_INTERRUPT_NONE;
}

void cvp_interrupt_clear(void)
{
    deadline = 0;
    watch_memory = false;
    reached = CVP_INTERRUPT_NONE;
    polls = 0;
    held = false;
}

bool cvp_interrupt_hold(bool hold)
{
    bool previous = held;
    held = hold;
    return previous;
}

bool cvp_interrupt_poll(void)
{
    if (held)
        return false;
    if (reached != CVP_INTERRUPT_NONE)
        return true;
    if (watch_memory && cvp_alloc_limit_reached()) {
        reached = CVP_INTERRUPT_MEMORY;
        return true;
    }
    /* The first poll reads the clock too, so a deadline already passed
     * is seen at once. */
    if (deadline > 0 && polls++ % CVP_INTERRUPT_CLOCK_EVERY == 0
        && monotonic_now() >= deadline) {
        reached = CVP_INTERRUPT_TIMEOUT;
        return true;
    }
    return false;
}

cvp_interrupt_reason cvp_interrupt_reached(void)
{
    return reached;
}

const char *cvp_interrupt_limit_name(cvp_interrupt_reason reason)
{
    switch (reason) {
    case CVP_INTERRUPT_TIMEOUT: return "timeout";
    case CVP_INTERRUPT_MEMORY: return "max-memory";
    case CVP_INTERRUPT_NONE: break;
    }
    return NULL;
}
