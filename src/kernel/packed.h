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
 * Numerators come in two widths.  Narrow: int64 (what every packed fast
 * path reads).  Wide: __int128, for results such as exact products of
 * float32 data (about 100-bit numerators over a power of two), so that
 * they are made and written without a GMP number per entry.  Canonical
 * form fixes the width too: a packed tensor is wide exactly when some
 * canonical numerator is outside int64 (cvp_tensor_pack_finish narrows
 * the others).  cvp_tensor_is_packed is true for narrow ones only, so
 * code that knows nothing of the wide form sees a wide tensor as
 * unpacked and reads its rationals, which are materialised from it.
 *
 * A tensor whose values do not fit either width is simply not packed: it
 * keeps one GMP rational per entry.  Every operator either has a packed
 * fast path or reads rationals through cvp_tensor_at / cvp_tensor_elem
 * (kernel/tensor.h), which materialise them from the packed form.
 *
 * Building: cvp_tensor_pack_start (cvp_tensor_pack_start_wide) gives a
 * tensor its shape and a packed form (numerators 0, den 1) to fill in
 * through cvp_tensor_packed_num (cvp_tensor_packed_wide_num) and
 * cvp_tensor_packed_den; cvp_tensor_pack_finish then makes it canonical.
 * No other function may see the tensor in between.
 *
 * Reading: cvp_tensor_packed_num_const, when cvp_tensor_is_packed;
 * cvp_tensor_packed_wide_num_const, when cvp_tensor_is_packed_wide;
 * cvp_tensor_packed_den_const, for either.  Readers never change the
 * packed form, so any number of threads may read one tensor.
 *
 * Ownership: the packed form belongs to its tensor (freed by
 * cvp_tensor_clear, moved by cvp_tensor_swap).  cvp_tensor_set shares it
 * instead of copying (a count of the tensors holding it, atomic), and
 * every function that may change a packed form -- the writers
 * cvp_tensor_packed_num, cvp_tensor_packed_wide_num, cvp_tensor_packed_den
 * and cvp_tensor_pack_finish -- first gives its tensor a copy of its own
 * when the form is shared (copy on write).  So a copy costs nothing until
 * it is written, and no tensor ever sees another's writes.
 */
#ifndef CVP_PACKED_H
#define CVP_PACKED_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/tensor.h"

/* A 128-bit signed integer (a GCC and Clang extension). */
__extension__ typedef __int128 cvp_int128;

struct cvp_packed {
    mpz_t den;          /* common denominator, > 0 */
    size_t n;           /* number of numerators: the tensor's size */
    bool wide;          /* numerators are cvp_int128 (two slots each) */
    unsigned long refs; /* tensors sharing this form (atomic access) */
    /* row-major numerators: n int64, or n cvp_int128 stored in 2n slots
     * (aligned for them) and accessed only as such */
    _Alignas(16) int64_t num[];
};
typedef struct cvp_packed cvp_packed;

/* Packed with int64 numerators. */
static inline bool cvp_tensor_is_packed(const cvp_tensor_t t)
{
    return t->packed != NULL && !t->packed->wide;
}

/* Packed with 128-bit numerators. */
static inline bool cvp_tensor_is_packed_wide(const cvp_tensor_t t)
{
    return t->packed != NULL && t->packed->wide;
}

/* t := a packed Q tensor of the given shape, every numerator 0 and den 1
 * (t may have been over any ring).  Fails like cvp_tensor_resize (bad
 * rank, entry limit, out of memory), leaving t a valid tensor. */
cvp_status cvp_tensor_pack_start(cvp_tensor_t t, int rank, const size_t *shape,
                                 cvp_error *err);

/* The same with 128-bit numerators (a wide packed form). */
cvp_status cvp_tensor_pack_start_wide(cvp_tensor_t t, int rank,
                                      const size_t *shape, cvp_error *err);

/* For this header only: gives t a packed form of its own when it shares
 * one (copy on write). */
void cvp_tensor_unshare_packed_(cvp_tensor_struct *t);
static inline void cvp_packed_own_(cvp_tensor_struct *t)
{
    if (__atomic_load_n(&t->packed->refs, __ATOMIC_ACQUIRE) != 1)
        cvp_tensor_unshare_packed_(t);
}

/* The packed form being built (t must be packed, of that width); t's
 * own, unshared, when this returns. */
static inline int64_t *cvp_tensor_packed_num(cvp_tensor_t t)
{
    CVP_ASSERT(t->packed != NULL && !t->packed->wide && t->data == NULL);
    cvp_packed_own_(t);
    return t->packed->num;
}
static inline cvp_int128 *cvp_tensor_packed_wide_num(cvp_tensor_t t)
{
    CVP_ASSERT(t->packed != NULL && t->packed->wide && t->data == NULL);
    cvp_packed_own_(t);
    return (cvp_int128 *)(void *)t->packed->num;
}
static inline mpz_ptr cvp_tensor_packed_den(cvp_tensor_t t)
{
    CVP_ASSERT(t->packed != NULL && t->data == NULL);
    cvp_packed_own_(t);
    return t->packed->den;
}

/* Makes the packed form canonical: divides numerators and den by their
 * gcd (den must be > 0), and turns a wide form whose numerators then all
 * fit int64 into a narrow one. */
void cvp_tensor_pack_finish(cvp_tensor_t t);

static inline const int64_t *cvp_tensor_packed_num_const(const cvp_tensor_t t)
{
    CVP_ASSERT(t->packed != NULL && !t->packed->wide);
    return t->packed->num;
}
static inline const cvp_int128 *cvp_tensor_packed_wide_num_const(const cvp_tensor_t t)
{
    CVP_ASSERT(t->packed != NULL && t->packed->wide);
    return (const cvp_int128 *)(const void *)t->packed->num;
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

/* True when t is packed (either width) and canonical (for tests and
 * assertions). */
bool cvp_tensor_packed_is_canonical(const cvp_tensor_t t);

/* Process-wide count of materialisations (packed -> rationals), for
 * tests that check a path stays packed.  Atomic. */
uint64_t cvp_tensor_materialise_count(void);

/* For kernel/tensor.c only: frees the packed form (keeping the cache,
 * which becomes the tensor's value); dst := src for a packed src (dst !=
 * src, either width), sharing src's packed form; equality of two packed
 * tensors of one size. */
void cvp_tensor_drop_packed_(cvp_tensor_struct *t);
cvp_status cvp_tensor_set_packed_(cvp_tensor_struct *dst,
                                  const cvp_tensor_struct *src, cvp_error *err);
bool cvp_tensor_equal_packed_(const cvp_tensor_struct *a,
                              const cvp_tensor_struct *b);

#endif
