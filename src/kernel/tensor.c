/* tensor.c -- life cycle, element access and comparison of exact tensors. */
#include "kernel/tensor.h"
#include "kernel/interrupt.h"
#include "kernel/packed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t max_entries = CVP_DEFAULT_MAX_ENTRIES;

size_t cvp_tensor_max_entries(void) { return max_entries; }
void cvp_tensor_set_max_entries(size_t limit) { max_entries = limit; }

static _Thread_local size_t thread_cap;   /* 0: none */

size_t cvp_tensor_set_thread_cap(size_t cap)
{
    size_t old = thread_cap;
    thread_cap = cap;
    return old;
}

void cvp_shape_format(char *buf, size_t bufsize, int rank, const size_t *shape)
{
    size_t used = 0;
    if (bufsize == 0)
        return;
    buf[0] = '\0';
    used += (size_t)snprintf(buf + used, bufsize - used, "[");
    for (int k = 0; k < rank && used < bufsize; k++)
        used += (size_t)snprintf(buf + used, bufsize - used, "%s%zu",
                                 k ? ", " : "", shape[k]);
    if (used < bufsize)
        snprintf(buf + used, bufsize - used, "]");
}

void cvp_entry_format(char *buf, size_t bufsize, const char *name, int rank,
                      const size_t *shape, size_t flat)
{
    if (bufsize == 0)
        return;
    size_t index[CVP_MAX_RANK];
    for (int a = rank; a-- > 0;) {
        index[a] = flat % shape[a];
        flat /= shape[a];
    }
    int used = snprintf(buf, bufsize, "%s", name);
    for (int a = 0; a < rank && used >= 0 && (size_t)used < bufsize; a++)
        used += snprintf(buf + used, bufsize - (size_t)used, "%s%zu%s",
                         a ? "," : "[", index[a], a + 1 == rank ? "]" : "");
}

cvp_status cvp_shape_size(size_t *size, int rank, const size_t *shape,
                          cvp_error *err)
{
    size_t n = 1;
    bool overflow = false;
    for (int k = 0; k < rank; k++) {
        if (shape[k] != 0 && n > SIZE_MAX / shape[k])
            overflow = true;
        else
            n *= shape[k];
    }
    /* A zero dimension makes the size 0 even if other factors overflow. */
    for (int k = 0; k < rank; k++)
        if (shape[k] == 0) {
            *size = 0;
            return CVP_OK;
        }
    if (overflow || n > max_entries) {
        char text[256];
        cvp_shape_format(text, sizeof text, rank, shape);
        return cvp_error_set(err, CVP_ERR_LIMIT,
                             "tensor of shape %s has more than %zu entries "
                             "(the limit; see --max-entries)", text, max_entries);
    }
    if (thread_cap != 0 && n > thread_cap) {
        char text[256];
        cvp_shape_format(text, sizeof text, rank, shape);
        return cvp_error_set(err, CVP_ERR_LIMIT,
                             "tensor of shape %s has more than %zu entries "
                             "(the cap of this step)", text, thread_cap);
    }
    *size = n;
    return CVP_OK;
}

/* Element k of t, through its ring (const or not, as t is). */
#define ELEM(t, k) cvp_tensor_elem((t), (k))
/* Element k of the storage itself, whatever the form: for the life cycle
 * functions below, which manage the storage. */
#define RAW(t, k) ((void *)((t)->data + (k) * (t)->ring->elem_size))

void cvp_tensor_init_ring(cvp_tensor_t t, cvp_ring *R)
{
    memset(t, 0, sizeof *t);
    t->ring = R;
    t->rank = 0;
    t->size = 1;
    t->capacity = 1;
    t->data = malloc(R->elem_size);
    CVP_ASSERT(t->data != NULL);
    R->init(R, t->data);
}

void cvp_tensor_init(cvp_tensor_t t)
{
    cvp_tensor_init_ring(t, &cvp_ring_q);
}

void cvp_tensor_clear(cvp_tensor_t t)
{
    cvp_tensor_drop_packed_(t);
    for (size_t k = 0; !t->ring->plain && k < t->capacity; k++)
        t->ring->clear(t->ring, RAW(t, k));
    free(t->data);
    t->data = NULL;
    t->capacity = 0;
    t->size = 0;
}

void cvp_tensor_set_ring(cvp_tensor_t t, cvp_ring *R)
{
    if (t->ring == R) {
        cvp_status st = cvp_tensor_resize(t, 0, NULL, NULL);
        CVP_ASSERT(st == CVP_OK);
        return;
    }
    cvp_tensor_clear(t);
    cvp_tensor_init_ring(t, R);
}

/* For a plain ring (kernel/ring.h): grows t's block to at least `size`
 * entries and sets entries 0 .. size - 1 to the ring's zero, by copying
 * an initialised entry over ever larger prefixes.  The limits are polled
 * between copies, as resize polls between entries. */
/* Makes t's block hold `size` entries (size > t->capacity), keeping the
 * old ones; the new ones are not initialised (capacity is unchanged). */
static cvp_status grow_block(cvp_tensor_t t, size_t size, cvp_error *err)
{
    const size_t elem = t->ring->elem_size;
    if (size > SIZE_MAX / elem)
        return cvp_error_set(err, CVP_ERR_LIMIT, "tensor too large");
    unsigned char *grown = realloc(t->data, size * elem);
    if (grown == NULL)
        return cvp_error_set(err, CVP_ERR_LIMIT,
                             "out of memory allocating %zu entries", size);
    t->data = grown;
    return CVP_OK;
}

static cvp_status plain_zero(cvp_tensor_t t, size_t size, cvp_error *err)
{
    cvp_ring *R = t->ring;
    if (size > t->capacity) {
        cvp_status st = grow_block(t, size, err);
        if (st != CVP_OK)
            return st;
    }
    R->init(R, RAW(t, 0));
    for (size_t done = 1; done < size;) {
        if (cvp_interrupt_poll()) {
            /* the block holds `done` zeros; any older entries beyond
             * them are still valid plain bytes */
            if (t->capacity < done)
                t->capacity = done;
            return cvp_error_set(err, CVP_ERR_LIMIT, "not decided: limit %s reached",
                                 cvp_interrupt_limit_name(cvp_interrupt_reached()));
        }
        /* at most 2^20 entries per copy: the limits stay polled often */
        size_t n = done < size - done ? done : size - done;
        if (n > ((size_t)1 << 20))
            n = (size_t)1 << 20;
        memcpy(RAW(t, done), RAW(t, 0), n * R->elem_size);
        done += n;
    }
    if (t->capacity < size)
        t->capacity = size;
    return CVP_OK;
}

cvp_status cvp_tensor_resize(cvp_tensor_t t, int rank, const size_t *shape,
                             cvp_error *err)
{
    if (rank < 0 || rank > CVP_MAX_RANK)
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "rank %d is outside 0..%d", rank, CVP_MAX_RANK);
    size_t new_shape[CVP_MAX_RANK] = {0};
    if (rank > 0)
        memcpy(new_shape, shape, (size_t)rank * sizeof *shape);
    size_t size;
    cvp_status st = cvp_shape_size(&size, rank, new_shape, err);
    if (st != CVP_OK)
        return st;
    /* The new value is not the packed one; the cache, if any, is
     * `capacity` initialised rationals like any others. */
    cvp_tensor_drop_packed_(t);
    cvp_ring *R = t->ring;
    if (t->data == NULL) {
        /* A packed tensor without a cache had no storage: an unpacked
         * one always has a block, even when it has no entries. */
        t->data = malloc(R->elem_size);
        if (t->data == NULL)
            return cvp_error_set(err, CVP_ERR_LIMIT, "out of memory");
    }
    const size_t made_before = t->capacity;
    if (R->plain && size > 0) {
        st = plain_zero(t, size, err);
        if (st != CVP_OK)
            return st;
    } else if (size > t->capacity) {
        st = grow_block(t, size, err);
        if (st != CVP_OK)
            return st;
        /* A memory or time limit (kernel/interrupt.h) stops the growth
         * between entries; the entries made so far stay counted in
         * capacity, so the tensor remains valid (its old shape). */
        for (size_t k = t->capacity; k < size; k++) {
            /* Polled every 1024 entries: a poll costs more than most
             * rings' init, and 1024 inits are quick in every ring. */
            if (k % 1024 == 0 && cvp_interrupt_poll()) {
                t->capacity = k;
                return cvp_error_set(err, CVP_ERR_LIMIT, "not decided: limit %s reached",
                                     cvp_interrupt_limit_name(cvp_interrupt_reached()));
            }
            R->init(R, RAW(t, k));
        }
        t->capacity = size;
    }
    /* Entries made just now are 0 by init's contract (kernel/ring.h);
     * only the older ones may hold values. */
    mpq_t zero;
    mpq_init(zero);
    for (size_t k = 0; !R->plain && k < size && k < made_before; k++)
        R->set_q(R, RAW(t, k), zero);
    mpq_clear(zero);
    t->rank = rank;
    memcpy(t->shape, new_shape, sizeof t->shape);
    t->size = size;
    return CVP_OK;
}

cvp_status cvp_tensor_resize_like(cvp_tensor_t t, const cvp_tensor_t like,
                                  cvp_error *err)
{
    size_t shape[CVP_MAX_RANK];
    memcpy(shape, like->shape, sizeof shape);
    return cvp_tensor_resize(t, like->rank, shape, err);
}

void cvp_tensor_swap(cvp_tensor_t a, cvp_tensor_t b)
{
    cvp_tensor_struct tmp = *a;
    *a = *b;
    *b = tmp;
}

cvp_status cvp_tensor_set(cvp_tensor_t dst, const cvp_tensor_t src,
                          cvp_error *err)
{
    if (dst == src)
        return CVP_OK;
    if (src->packed != NULL)
        return cvp_tensor_set_packed_(dst, src, err);
    if (dst->ring != src->ring)
        cvp_tensor_set_ring(dst, src->ring);
    cvp_status st = cvp_tensor_resize(dst, src->rank, src->shape, err);
    if (st != CVP_OK)
        return st;
    if (src->ring->plain && src->size > 0) {
        memcpy(ELEM(dst, 0), ELEM(src, 0), src->size * src->ring->elem_size);
        return CVP_OK;
    }
    for (size_t k = 0; k < src->size; k++)
        src->ring->set(src->ring, ELEM(dst, k), ELEM(src, k));
    return CVP_OK;
}

void cvp_tensor_set_scalar(cvp_tensor_t t, const mpq_t value)
{
    mpq_t copy;   /* value may be an entry of t */
    mpq_init(copy);
    mpq_set(copy, value);
    cvp_status st = cvp_tensor_resize(t, 0, NULL, NULL);
    CVP_ASSERT(st == CVP_OK);
    t->ring->set_q(t->ring, ELEM(t, 0), copy);
    mpq_clear(copy);
}

void cvp_tensor_set_scalar_si(cvp_tensor_t t, long num, unsigned long den)
{
    CVP_ASSERT(den != 0);
    mpq_t q;
    mpq_init(q);
    mpq_set_si(q, num, den);
    mpq_canonicalize(q);
    cvp_tensor_set_scalar(t, q);
    mpq_clear(q);
}

cvp_status cvp_tensor_lift(cvp_tensor_t out, const cvp_tensor_t t,
                           cvp_ring *R, cvp_error *err)
{
    CVP_ASSERT(t->ring == &cvp_ring_q);
    cvp_tensor_t result;
    cvp_tensor_init_ring(result, R);
    cvp_status st = cvp_tensor_resize(result, t->rank, t->shape, err);
    /* (another thread may be filling the cache of a shared t) */
    const bool from_packed = cvp_tensor_is_packed(t) &&
                             __atomic_load_n(&t->data, __ATOMIC_ACQUIRE) == NULL;
    if (st == CVP_OK && from_packed) {
        /* From the packed form, one rational at a time (no cache of
         * rationals for a tensor that is only being lifted). */
        mpq_t q;
        mpq_init(q);
        for (size_t k = 0; k < t->size; k++) {
            mpz_set_si(mpq_numref(q), (long)t->packed->num[k]);
            mpz_set(mpq_denref(q), t->packed->den);
            mpq_canonicalize(q);
            R->set_q(R, ELEM(result, k), q);
        }
        mpq_clear(q);
    }
    for (size_t k = 0; st == CVP_OK && !from_packed && k < t->size; k++)
        R->set_q(R, ELEM(result, k), cvp_tensor_at(t, k));
    if (st == CVP_OK)
        st = cvp_ring_check(R, err);
    if (st == CVP_OK)
        cvp_tensor_swap(out, result);
    cvp_tensor_clear(result);
    return st;
}

cvp_status cvp_tensor_check_ring(const char *what, const cvp_tensor_t a,
                                 const cvp_tensor_t b, cvp_error *err)
{
    if (a->ring == b->ring)
        return CVP_OK;
    return cvp_error_set(err, CVP_ERR_INPUT,
                         "%s: operands live in different rings (%s and %s)", what,
                         a->ring->name, b->ring->name);
}

bool cvp_tensor_same_shape(const cvp_tensor_t a, const cvp_tensor_t b)
{
    if (a->rank != b->rank)
        return false;
    for (int k = 0; k < a->rank; k++)
        if (a->shape[k] != b->shape[k])
            return false;
    return true;
}

size_t cvp_tensor_offset(const cvp_tensor_t t, const size_t *index)
{
    size_t offset = 0;
    for (int k = 0; k < t->rank; k++) {
        CVP_ASSERT(index[k] < t->shape[k]);
        offset = offset * t->shape[k] + index[k];
    }
    return offset;
}

mpq_ptr cvp_tensor_entry(cvp_tensor_t t, const size_t *index)
{
    return cvp_tensor_at_mut(t, cvp_tensor_offset(t, index));
}

void cvp_tensor_get(mpq_t value, const cvp_tensor_t t, const size_t *index)
{
    mpq_set(value, cvp_tensor_at_const(t, cvp_tensor_offset(t, index)));
}

void cvp_tensor_set_entry(cvp_tensor_t t, const size_t *index,
                          const mpq_t value)
{
    t->ring->set_q(t->ring, ELEM(t, cvp_tensor_offset(t, index)), value);
}

bool cvp_tensor_equal(const cvp_tensor_t a, const cvp_tensor_t b)
{
    if (a->ring != b->ring || !cvp_tensor_same_shape(a, b))
        return false;
    if (a->packed != NULL && b->packed != NULL)
        return cvp_tensor_equal_packed_(a, b);
    for (size_t k = 0; k < a->size; k++)
        if (!a->ring->equal(a->ring, ELEM(a, k), ELEM(b, k)))
            return false;
    return true;
}

bool cvp_tensor_is_integral(const cvp_tensor_t t)
{
    if (t->packed != NULL)
        return mpz_cmp_ui(t->packed->den, 1) == 0;
    for (size_t k = 0; k < t->size; k++)
        if (mpz_cmp_ui(mpq_denref(cvp_tensor_at_const(t, k)), 1) != 0)
            return false;
    return true;
}
