/* ring.h -- the commutative rings that tensors are evaluated in (part of
 * the trusted kernel).
 *
 * Every definitional operator is one loop nest written against this
 * interface, so the same nest evaluates an expression
 *   - in Q                      (cvp_ring_q: exact rationals, mpq_t),
 *   - in a prime field Z/pZ     (cvp_ring_fp_*: random identity testing),
 *   - in Q[x1, x2, ...]         (polynomial rings: symbolic proofs),
 *   - in Q[e1..en]/(ei*ej)      (dual numbers: exact forward derivatives),
 *   - in the degree semiring    (upper bounds on polynomial degree).
 * A ring is a table of element operations plus a context.  Elements are
 * opaque blobs of elem_size bytes stored inline in a tensor; they may own
 * heap memory, so they are only touched through init/clear/set.
 *
 * Aliasing: in every operation the result may be any operand.
 *
 * Errors inside element operations (a polynomial growing past its term
 * limit, say) cannot be returned from a void operation; the ring records
 * them in its context, and the operators check cvp_ring_failed after
 * their loop nest.
 */
#ifndef CVP_RING_H
#define CVP_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>   /* before gmp.h: it declares gmp_fprintf & co. only then */
#include <gmp.h>

#include "kernel/status.h"

typedef struct cvp_ring cvp_ring;

struct cvp_ring {
    const char *name;     /* "Q", "F_p", "Q[x]", "dual", "degree" */
    size_t elem_size;
    /* For max pooling and ReLU; NULL when the ring has no order (a prime
     * field, polynomials).  Dual numbers compare their real parts. */
    int (*cmp)(cvp_ring *R, const void *a, const void *b);

    void (*init)(cvp_ring *R, void *x);            /* x := 0 */
    void (*clear)(cvp_ring *R, void *x);
    void (*set)(cvp_ring *R, void *r, const void *a);
    void (*set_q)(cvp_ring *R, void *r, const mpq_t q); /* constant */
    void (*add)(cvp_ring *R, void *r, const void *a, const void *b);
    void (*sub)(cvp_ring *R, void *r, const void *a, const void *b);
    void (*mul)(cvp_ring *R, void *r, const void *a, const void *b);
    void (*neg)(cvp_ring *R, void *r, const void *a);
    bool (*is_zero)(cvp_ring *R, const void *a);
    bool (*equal)(cvp_ring *R, const void *a, const void *b);
    /* Writes a short human-readable form (for reports); NUL-terminated. */
    void (*format)(cvp_ring *R, char *buf, size_t bufsize, const void *a);
    /* Optional, NULL in most rings: max pooling brackets the cmp calls of
     * one window with these, so a ring that records ties (dual numbers)
     * can tell how many entries of the window share a tied maximum.  They
     * change no value and no cmp result. */
    void (*window_begin)(cvp_ring *R);
    void (*window_end)(cvp_ring *R);
    /* Elements are plain bytes: clear does nothing, set is a copy of the
     * elem_size bytes and init writes the same bytes every time.  Tensors
     * then copy, zero and free whole arrays at once (kernel/tensor.c)
     * instead of calling the ring per entry. */
    bool plain;

    void *context;        /* ring-specific state, owned by the ring */
    /* State of a cmp installed over a ring without an order of its own
     * (kernel/cells.h orders polynomials along one cell); borrowed, NULL
     * otherwise. */
    void *order_context;
    /* A ring of placeholders (cvp_ring_shape): operators compute output
     * shapes and costs but skip their loop nests. */
    bool shape_only;
    /* The operators' cost model: every operator adds the multiplications
     * its definitional loop nest performs, padded taps included (the
     * count of exercise 5-4), whatever the ring.  Saturates at
     * UINT64_MAX, with mults_overflow set. */
    uint64_t model_mults;
    bool mults_overflow;
    /* Sticky failure of an element operation (see above). */
    cvp_status failure;
    char failure_message[CVP_ERROR_MESSAGE_MAX];
};

/* Adds the product of factors[0..n-1] to R->model_mults. */
void cvp_ring_note_mults(cvp_ring *R, int n, const size_t *factors);

/* A ring whose elements carry no value (one placeholder byte each):
 * evaluating an expression there yields its shapes and its cost model at
 * no cost, whatever the sizes (used by mults() and size()).  Set up with
 * cvp_ring_shape_init; nothing to clear. */
void cvp_ring_shape_init(cvp_ring *R);

/* The field of rationals; elements are mpq_t.  One shared instance, used
 * by several threads at once (`convproof check --jobs`): it has no state
 * that can fail, and cvp_ring_note_mults leaves its model_mults at 0
 * (cost questions use a ring of their own). */
extern cvp_ring cvp_ring_q;

static inline bool cvp_ring_failed(cvp_ring *R)
{
    return R->failure != CVP_OK;
}

/* Records the first failure of an element operation. */
void cvp_ring_fail(cvp_ring *R, cvp_status status, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* Copies a recorded failure into err (and returns its status), or
 * returns CVP_OK. */
cvp_status cvp_ring_check(cvp_ring *R, cvp_error *err);

/* Convenience: r := the integer v in R. */
void cvp_ring_set_si(cvp_ring *R, void *r, long v);

/* r := r + a * b, with `scratch` an initialised element for the product
 * (the loop nests' multiply-accumulate). */
static inline void cvp_ring_addmul(cvp_ring *R, void *r, const void *a,
                                   const void *b, void *scratch)
{
    R->mul(R, scratch, a, b);
    R->add(R, r, r, scratch);
}

#endif
