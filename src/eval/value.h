/* value.h -- the values an expression evaluates to.
 *
 *   tensor   an exact tensor of rationals; rank 0 is a scalar (every
 *            number literal is one)
 *   boolean  true / false (keyword values such as ceil_mode=true)
 *   tuple    an ordered list of values, e.g. stride=(2, 1)
 *   slice    start:stop:step of a subscript (X[0:2]); `items` holds the
 *            three parts, each none or an integer scalar
 *   none     no value (an optional argument that was not given)
 *
 * Ownership: a cvp_value owns everything in it (its tensor, its tuple
 * items).  Every cvp_value_init has its cvp_value_clear.  The `tensor`
 * member is initialised in every value, whatever its kind, so a value can
 * become a tensor without further setup: write into v->tensor and set
 * v->kind = CVP_VALUE_TENSOR (or use cvp_value_make_tensor).
 */
#ifndef CVP_VALUE_H
#define CVP_VALUE_H

#include <stdbool.h>
#include <stdio.h>

#include "kernel/tensor.h"

typedef enum {
    CVP_VALUE_NONE,
    CVP_VALUE_TENSOR,
    CVP_VALUE_BOOL,
    CVP_VALUE_TUPLE,
    CVP_VALUE_SLICE
} cvp_value_kind;

typedef struct cvp_value {
    cvp_value_kind kind;
    cvp_tensor_t tensor;         /* meaningful when kind is TENSOR */
    bool boolean;                /* meaningful when kind is BOOL */
    struct cvp_value *items;     /* TUPLE: `count` owned values */
    size_t count;
} cvp_value;

/* Initialises v as none. */
void cvp_value_init(cvp_value *v);

/* Frees everything v owns; v must be initialised again before reuse. */
void cvp_value_clear(cvp_value *v);

/* Makes v none again (frees tuple items; keeps v initialised). */
void cvp_value_reset(cvp_value *v);

/* Exchanges two values in O(1). */
void cvp_value_swap(cvp_value *a, cvp_value *b);

/* v := a tensor value; its contents are whatever v->tensor holds. */
void cvp_value_make_tensor(cvp_value *v);

/* v := boolean b. */
void cvp_value_set_bool(cvp_value *v, bool b);

/* v := scalar tensor n. */
void cvp_value_set_si(cvp_value *v, long n);

/* v := a tuple of `count` none values (to be filled through v->items).
 * Fails only when memory runs out (CVP_ERR_LIMIT). */
cvp_status cvp_value_make_tuple(cvp_value *v, size_t count, cvp_error *err);

/* v := a slice whose three parts (start, stop, step) are none, to be
 * filled through v->items.  Fails only when memory runs out. */
cvp_status cvp_value_make_slice(cvp_value *v, cvp_error *err);

/* dst := deep copy of src (dst and src distinct). */
cvp_status cvp_value_copy(cvp_value *dst, const cvp_value *src,
                          cvp_error *err);

/* True when v is a rank-0 tensor. */
bool cvp_value_is_scalar(const cvp_value *v);

/* Describes v for messages: "a tensor of shape [2, 3]", "the scalar
 * 1/2", "the boolean true", "a tuple of 2 values", "none".  Long numbers
 * are cut.  Always NUL-terminates. */
void cvp_value_describe(char *buf, size_t bufsize, const cvp_value *v);

/* Writes v followed by a newline: a tensor in the exact text form of
 * io/tensor_text.h, a boolean as true/false, a tuple as "(1, 2)", none as
 * "none".  Returns 0, or -1 on a write error. */
int cvp_value_write(FILE *stream, const cvp_value *v);

#endif
