/* packed.h -- the packed form of exact Q tensors (part of the trusted
 * kernel).
 *
 * A packed Q tensor stores entry k as num[k] / den: int64 numerators,
 * row-major, over one common denominator den >= 1 (an mpz; a power of two
 * for float data).  It is CANONICAL at all times outside the functions
 * that build it: den > 0, and the gcd of all numerators with den is 1 (so
 * the zero tensor, and the empty one, have den 1).  Canonical form makes
 * equality a comparison of den and of the numerator arrays.
 *
 * A tensor whose values do not fit (a scaled numerator beyond int64) is
 * simply not packed: it keeps one GMP rational per entry.  There is no
 * third form, so every operator either has a packed fast path or reads
 * rationals through cvp_tensor_at / cvp_tensor_elem (kernel/tensor.h),
 * which materialise them from the packed form.
 *
 * Building: cvp_tensor_pack_start gives a tensor its shape and a packed
 * form (numerators 0, den 1) to fill in through cvp_tensor_packed_num and
 * cvp_tensor_packed_den; cvp_tensor_pack_finish then makes it canonical.
 * No other function may see the tensor in between.
 *
 * Reading: cvp_tensor_packed_num_const / cvp_tensor_packed_den_const, only
 * when cvp_tensor_is_packed.  Readers never change the packed form, so
 * any number of threads may read one tensor.
 *
 * Ownership: the packed form belongs to its tensor (freed by
 * cvp_tensor_clear, moved by cvp_tensor_swap, copied by cvp_tensor_set).
 */
#ifndef CVP_PACKED_H
#define CVP_PACKED_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/tensor.h"

struct cvp_packed {
    mpz_t den;          /* common denominator, > 0 */
    size_t n;           /* number of numerators: the tensor's size */
    int64_t num[];      /* row-major numerators */
};
typedef struct cvp_packed cvp_packed;

static inline bool cvp_tensor_is_packed(const cvp_tensor_t t)
{
    return t->packed != NULL;
}

/* t := a packed Q tensor of the given shape, every numerator 0 and den 1
 * (t may have been over any ring).  Fails like cvp_tensor_resize (bad
 * rank, entry limit, out of memory), leaving t a valid tensor. */
cvp_status cvp_tensor_pack_start(cvp_tensor_t t, int rank, const size_t *shape,
                                 cvp_error *err);

/* The packed form being built (t must be packed). */
static inline int64_t *cvp_tensor_packed_num(cvp_tensor_t t)
{
    CVP_ASSERT(t->packed != NULL && t->data == NULL);
    return t->packed->num;
}
static inline mpz_ptr cvp_tensor_packed_den(cvp_tensor_t t)
{
    CVP_ASSERT(t->packed != NULL && t->data == NULL);
    return t->packed->den;
}

/* Makes the packed form canonical: divides numerators and den by their
 * gcd (den must be > 0). */
void cvp_tensor_pack_finish(cvp_tensor_t t);

static inline const int64_t *cvp_tensor_packed_num_const(const cvp_tensor_t t)
{
    CVP_ASSERT(t->packed != NULL);
    return t->packed->num;
}
static inline mpz_srcptr cvp_tensor_packed_den_const(const cvp_tensor_t t)
{
    CVP_ASSERT(t->packed != NULL);
    return t->packed->den;
}

/* Converts an unpacked Q tensor to the packed form when every entry
 * times the least common multiple of the denominators fits an int64;
 * true if t is packed afterwards (also when it already was).  Other
 * rings: false. */
bool cvp_tensor_pack(cvp_tensor_t t);

/* True when t is packed and canonical (for tests and assertions). */
bool cvp_tensor_packed_is_canonical(const cvp_tensor_t t);

/* Process-wide count of materialisations (packed -> rationals), for
 * tests that check a path stays packed.  Atomic. */
uint64_t cvp_tensor_materialise_count(void);

/* For kernel/tensor.c only: frees the packed form (keeping the cache,
 * which becomes the tensor's value); dst := src for a packed src (dst !=
 * src); equality of two packed tensors of one size. */
void cvp_tensor_drop_packed_(cvp_tensor_struct *t);
cvp_status cvp_tensor_set_packed_(cvp_tensor_struct *dst,
                                  const cvp_tensor_struct *src, cvp_error *err);
bool cvp_tensor_equal_packed_(const cvp_tensor_struct *a,
                              const cvp_tensor_struct *b);

#endif
