/* tensor.h -- exact tensors over a ring (part of the trusted kernel).
 *
 * A cvp_tensor_t holds a row-major array of ring elements of rank
 * 0..CVP_MAX_RANK.  Rank 0 is a scalar with one entry.  Dimensions may be
 * zero (the tensor then has no entries).  The ring (kernel/ring.h) is the
 * field Q unless the tensor was made with cvp_tensor_init_ring: the same
 * operators then evaluate over a prime field, polynomials or dual numbers.
 * A Q tensor is stored in one of two ways (kernel/packed.h):
 *   - unpacked: one GMP rational per entry, kept canonical at all times
 *     (GMP keeps mpq_t canonical as long as it is only written through
 *     mpq_ functions or followed by mpq_canonicalize);
 *   - packed: int64 numerators over one common positive denominator,
 *     canonical (what .npy input, the fast kernels and the writers use,
 *     at a tenth of the memory), possibly with a read-only cache of the
 *     same values as rationals.
 * Every element access goes through cvp_tensor_elem / cvp_tensor_at,
 * which read the rationals: a read through a const tensor fills the cache
 * (once, thread-safely: shared tensors are read by several threads), and
 * an access through a non-const tensor, which may write, turns the tensor
 * into the unpacked form first.  Which one is chosen follows the const
 * qualifier of the tensor argument (C11 _Generic), so the compiler picks
 * the safe one; the rational array itself is private to the kernel.
 *
 * Conventions (GMP/FLINT style):
 *   - cvp_tensor_t is a one-element array type; pass it by name.
 *   - every cvp_tensor_init has a matching cvp_tensor_clear.
 *   - outputs come first, inputs are const.
 *   - ALIASING: unless a function says otherwise, the output may be the
 *     same object as any input; functions compute into a temporary when
 *     they need to and swap it in at the end.
 *   - the inputs of an operator must share one ring (else CVP_ERR_INPUT);
 *     the output takes that ring.  The ring is borrowed: it must outlive
 *     every tensor over it.
 *   - functions that can fail return a cvp_status and fill a cvp_error
 *     (which may be NULL).  On failure the output is left a valid tensor
 *     with unspecified contents (it may be cleared again as usual).
 *
 * The number of entries of any tensor is limited by cvp_tensor_max_entries
 * (see below) so that a huge shape is an error instead of an out-of-memory
 * crash.
 */
#ifndef CVP_TENSOR_H
#define CVP_TENSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>   /* before gmp.h: it declares gmp_fprintf & co. only then */
#include <gmp.h>

#include "kernel/ring.h"
#include "kernel/status.h"

#define CVP_MAX_RANK 8

typedef struct {
    int rank;
    size_t shape[CVP_MAX_RANK];  /* shape[rank..] are 0 and unused */
    size_t size;                 /* product of shape[0..rank-1]; 1 for rank 0 */
    size_t capacity;             /* number of initialised elements */
    cvp_ring *ring;              /* borrowed; &cvp_ring_q by default */
    /* Q only: the packed form (owned), or NULL.  When it is set, `data`
     * is either NULL (capacity 0) or `size` rationals equal to it (the
     * cache, capacity == size); see kernel/packed.h. */
    struct cvp_packed *packed;
    union {
        /* row-major, when ring == &cvp_ring_q; private to the kernel's
         * tensor code: use cvp_tensor_at / cvp_tensor_elem. */
        mpq_t *q_entries_;
        unsigned char *data;     /* row-major elements of ring->elem_size */
    };
} cvp_tensor_struct;

typedef cvp_tensor_struct cvp_tensor_t[1];
typedef cvp_tensor_struct *cvp_tensor_ptr;
typedef const cvp_tensor_struct *cvp_tensor_srcptr;

/* ---- size limit ------------------------------------------------------ */

/* Default limit on the number of entries of one tensor (200 million). */
#define CVP_DEFAULT_MAX_ENTRIES ((size_t)200000000)

/* Current limit; a process-wide setting (the command sets it from
 * --max-entries).  Creating a larger tensor fails with CVP_ERR_LIMIT. */
size_t cvp_tensor_max_entries(void);
void cvp_tensor_set_max_entries(size_t limit);

/* A tighter limit for the calling thread only (0: none), for a step that
 * only wants small tensors and gives up on large ones (the cross-check of
 * all_shapes in Q); a larger tensor fails with CVP_ERR_LIMIT and a message
 * that names this cap.  Returns the previous cap. */
size_t cvp_tensor_set_thread_cap(size_t cap);

/* Product of shape[0..rank-1] in *size.  Fails with CVP_ERR_LIMIT on
 * overflow or when the product exceeds the limit. */
cvp_status cvp_shape_size(size_t *size, int rank, const size_t *shape,
                          cvp_error *err);

/* Writes a shape as "[2, 3, 4]" ("[]" for rank 0) into buf. */
void cvp_shape_format(char *buf, size_t bufsize, int rank, const size_t *shape);

/* Writes the name of entry `flat` (row-major) of a tensor called `name`
 * with the given rank and shape into buf: "X[0,1,2]", or just "X" for rank
 * 0 (name may be "", giving "[0,1,2]").  The caller owns buf; a text longer
 * than bufsize - 1 characters is cut there, and buf is always
 * NUL-terminated when bufsize > 0.  flat must be below the shape's size. */
void cvp_entry_format(char *buf, size_t bufsize, const char *name, int rank,
                      const size_t *shape, size_t flat);

/* ---- life cycle ------------------------------------------------------ */

/* Initialises t as the scalar 0 (rank 0) of Q. */
void cvp_tensor_init(cvp_tensor_t t);

/* Initialises t as the scalar 0 of ring R. */
void cvp_tensor_init_ring(cvp_tensor_t t, cvp_ring *R);

/* Moves t to ring R: t becomes the scalar 0 of R. */
void cvp_tensor_set_ring(cvp_tensor_t t, cvp_ring *R);

void cvp_tensor_clear(cvp_tensor_t t);

/* Gives t the given shape with every entry 0.  rank must be 0..CVP_MAX_RANK
 * (else CVP_ERR_INPUT); the size must be within the limit (else
 * CVP_ERR_LIMIT).  `shape` may point into t itself. */
cvp_status cvp_tensor_resize(cvp_tensor_t t, int rank, const size_t *shape,
                             cvp_error *err);

/* Same shape as `like`, all zeros.  `like` may be t. */
cvp_status cvp_tensor_resize_like(cvp_tensor_t t, const cvp_tensor_t like,
                                  cvp_error *err);

/* Exchanges contents in O(1). */
void cvp_tensor_swap(cvp_tensor_t a, cvp_tensor_t b);

/* dst := src (deep copy; dst takes src's ring). */
cvp_status cvp_tensor_set(cvp_tensor_t dst, const cvp_tensor_t src,
                          cvp_error *err);

/* t := scalar (rank 0), the rational embedded in t's ring. */
void cvp_tensor_set_scalar(cvp_tensor_t t, const mpq_t value);
void cvp_tensor_set_scalar_si(cvp_tensor_t t, long num, unsigned long den);

/* out := t (a Q tensor) with every entry embedded in ring R.  out may
 * be t. */
cvp_status cvp_tensor_lift(cvp_tensor_t out, const cvp_tensor_t t,
                           cvp_ring *R, cvp_error *err);

/* Fails with CVP_ERR_INPUT naming `what` unless a and b share a ring. */
cvp_status cvp_tensor_check_ring(const char *what, const cvp_tensor_t a,
                                 const cvp_tensor_t b, cvp_error *err);

/* ---- shape queries --------------------------------------------------- */

static inline int cvp_tensor_rank(const cvp_tensor_t t) { return t->rank; }
static inline size_t cvp_tensor_size(const cvp_tensor_t t) { return t->size; }
/* Dimension `axis` (0 <= axis < rank). */
static inline size_t cvp_tensor_dim(const cvp_tensor_t t, int axis)
{
    return t->shape[axis];
}
bool cvp_tensor_same_shape(const cvp_tensor_t a, const cvp_tensor_t b);

/* ---- element access -------------------------------------------------- */

/* Row-major offset of a full index (index[0..rank-1], each in range --
 * checked by assertion). */
size_t cvp_tensor_offset(const cvp_tensor_t t, const size_t *index);

/* The next full index of a rank-`rank` shape in row-major order (an
 * odometer: the last axis moves fastest, wrapping to 0); after the last
 * index it wraps to all zeros. */
static inline void cvp_index_advance(size_t *index, int rank, const size_t *shape)
{
    for (int k = rank - 1; k >= 0; k--) {
        if (++index[k] < shape[k])
            return;
        index[k] = 0;
    }
}

/* Packed tensors: the rationals are made on first access (tensor.c).
 * cvp_tensor_materialise fills the read-only cache of a packed tensor
 * (thread-safe; no-op when there is nothing to do); cvp_tensor_unpack
 * makes t an ordinary unpacked tensor of the same value. */
void cvp_tensor_materialise(const cvp_tensor_struct *t);
void cvp_tensor_unpack(cvp_tensor_struct *t);

static inline void cvp_tensor_ready_read_(const cvp_tensor_struct *t)
{
    if (__builtin_expect(t->packed != NULL, 0) &&
        __atomic_load_n(&t->data, __ATOMIC_ACQUIRE) == NULL)
        cvp_tensor_materialise(t);
}
static inline void cvp_tensor_ready_write_(cvp_tensor_struct *t)
{
    if (__builtin_expect(t->packed != NULL, 0))
        cvp_tensor_unpack(t);
}

/* The element at a flat offset, in any ring.  The pointer stays valid
 * until t is resized, swapped, cleared or (for the const one) accessed
 * through a non-const pointer; write through the ring's operations, and
 * only into a non-const tensor.  cvp_tensor_elem(t, k) picks the const
 * form for a const tensor. */
static inline const void *cvp_tensor_elem_const(const cvp_tensor_struct *t,
                                                size_t offset)
{
    cvp_tensor_ready_read_(t);
    return t->data + offset * t->ring->elem_size;
}
static inline void *cvp_tensor_elem_mut(cvp_tensor_struct *t, size_t offset)
{
    cvp_tensor_ready_write_(t);
    return t->data + offset * t->ring->elem_size;
}
#define cvp_tensor_elem(t, offset)                                        \
    _Generic((t), const cvp_tensor_struct *: cvp_tensor_elem_const,      \
             default: cvp_tensor_elem_mut)((t), (offset))

/* Q tensors only: the rational at a full index / at a flat offset.
 * Writing through the non-const one is allowed with mpq_ functions (which
 * keep it canonical).  cvp_tensor_at(t, k) picks by constness. */
mpq_ptr cvp_tensor_entry(cvp_tensor_t t, const size_t *index);
static inline mpq_ptr cvp_tensor_at_mut(cvp_tensor_struct *t, size_t offset)
{
    CVP_ASSERT(t->ring == &cvp_ring_q);
    cvp_tensor_ready_write_(t);
    return t->q_entries_[offset];
}
static inline mpq_srcptr cvp_tensor_at_const(const cvp_tensor_struct *t,
                                             size_t offset)
{
    CVP_ASSERT(t->ring == &cvp_ring_q);
    cvp_tensor_ready_read_(t);
    return t->q_entries_[offset];
}
#define cvp_tensor_at(t, offset)                                          \
    _Generic((t), const cvp_tensor_struct *: cvp_tensor_at_const,        \
             default: cvp_tensor_at_mut)((t), (offset))

/* Q tensors only. */
void cvp_tensor_get(mpq_t value, const cvp_tensor_t t, const size_t *index);
/* Any ring: the entry becomes the rational `value`. */
void cvp_tensor_set_entry(cvp_tensor_t t, const size_t *index,
                          const mpq_t value);

/* ---- comparison ------------------------------------------------------ */

/* True when rings and shapes are identical and every entry is equal. */
bool cvp_tensor_equal(const cvp_tensor_t a, const cvp_tensor_t b);

/* True when every entry is an integer (Q tensors only). */
bool cvp_tensor_is_integral(const cvp_tensor_t t);

/* ---- shape manipulation (tensor_shape.c) ----------------------------- */

/* out := t with a new shape of the same size.  At most one entry of
 * `shape` may be CVP_INFER_DIM, which is computed from the others. */
#define CVP_INFER_DIM ((size_t)-1)
cvp_status cvp_tensor_reshape(cvp_tensor_t out, const cvp_tensor_t t,
                              int rank, const size_t *shape, cvp_error *err);

/* out[i_perm[0], ..., i_perm[r-1]] ... precisely: out has shape
 * shape[perm[k]] on axis k, and out[j] = t[i] with i[perm[k]] = j[k].
 * perm must be a permutation of 0..rank-1. */
cvp_status cvp_tensor_permute(cvp_tensor_t out, const cvp_tensor_t t,
                              const int *perm, cvp_error *err);

/* Transpose of a rank-2 tensor (rank 0 and 1 are copied unchanged). */
cvp_status cvp_tensor_transpose(cvp_tensor_t out, const cvp_tensor_t t,
                                cvp_error *err);

/* Python-style slice along every axis: out keeps, on axis k, the indices
 * start[k], start[k]+step[k], ... below stop[k] (step >= 1, start and
 * stop already clamped to 0..dim by the caller, start <= stop). */
cvp_status cvp_tensor_slice(cvp_tensor_t out, const cvp_tensor_t t,
                            const size_t *start, const size_t *stop,
                            const size_t *step, cvp_error *err);

/* ---- arithmetic (tensor_arith.c) ------------------------------------- */

/* Elementwise with NumPy broadcasting (shapes aligned at the right; a
 * dimension of 1 or a missing one stretches).  Incompatible shapes are
 * CVP_ERR_INPUT naming the dimensions. */
cvp_status cvp_tensor_add(cvp_tensor_t out, const cvp_tensor_t a,
                          const cvp_tensor_t b, cvp_error *err);
cvp_status cvp_tensor_sub(cvp_tensor_t out, const cvp_tensor_t a,
                          const cvp_tensor_t b, cvp_error *err);
cvp_status cvp_tensor_mul(cvp_tensor_t out, const cvp_tensor_t a,
                          const cvp_tensor_t b, cvp_error *err);

/* out := -t */
cvp_status cvp_tensor_neg(cvp_tensor_t out, const cvp_tensor_t t,
                          cvp_error *err);

/* out := c * t */
cvp_status cvp_tensor_scale(cvp_tensor_t out, const cvp_tensor_t t,
                            const mpq_t c, cvp_error *err);

/* out := sum of all entries (rank 0). */
cvp_status cvp_tensor_sum_all(cvp_tensor_t out, const cvp_tensor_t t,
                              cvp_error *err);

/* out := sum over one axis (the axis is removed; 0 <= axis < rank). */
cvp_status cvp_tensor_sum_axis(cvp_tensor_t out, const cvp_tensor_t t,
                               int axis, cvp_error *err);

/* Matrix product with NumPy matmul rules for ranks 1 and 2:
 * [m,k]@[k,n] -> [m,n]; [k]@[k,n] -> [n]; [m,k]@[k] -> [m]; [k]@[k] -> [].
 * Other ranks, or inner dimensions that differ, are CVP_ERR_INPUT. */
cvp_status cvp_tensor_matmul(cvp_tensor_t out, const cvp_tensor_t a,
                             const cvp_tensor_t b, cvp_error *err);

#endif
