/* value.c -- values of the evaluator. */
#include "eval/value.h"

#include <stdlib.h>
#include <string.h>

#include "io/tensor_text.h"

void cvp_value_init(cvp_value *v)
{
    v->kind = CVP_VALUE_NONE;
    cvp_tensor_init(v->tensor);
    v->boolean = false;
    v->items = NULL;
    v->count = 0;
}

static void free_items(cvp_value *v)
{
    for (size_t i = 0; i < v->count; i++)
        cvp_value_clear(&v->items[i]);
    free(v->items);
    v->items = NULL;
    v->count = 0;
}

void cvp_value_clear(cvp_value *v)
{
    free_items(v);
    cvp_tensor_clear(v->tensor);
    v->kind = CVP_VALUE_NONE;
}

void cvp_value_reset(cvp_value *v)
{
    free_items(v);
    v->kind = CVP_VALUE_NONE;
    v->boolean = false;
}

void cvp_value_swap(cvp_value *a, cvp_value *b)
{
    cvp_value tmp = *a;
    *a = *b;
    *b = tmp;
}

void cvp_value_make_tensor(cvp_value *v)
{
    free_items(v);
    v->kind = CVP_VALUE_TENSOR;
}

void cvp_value_set_bool(cvp_value *v, bool b)
{
    free_items(v);
    v->kind = CVP_VALUE_BOOL;
    v->boolean = b;
}

void cvp_value_set_si(cvp_value *v, long n)
{
    free_items(v);
    v->kind = CVP_VALUE_TENSOR;
    cvp_tensor_set_scalar_si(v->tensor, n, 1);
}

cvp_status cvp_value_make_tuple(cvp_value *v, size_t count, cvp_error *err)
{
    cvp_value_reset(v);
    cvp_value *items = count ? calloc(count, sizeof *items) : NULL;
    if (count && items == NULL)
        return cvp_error_set(err, CVP_ERR_LIMIT, "out of memory");
    for (size_t i = 0; i < count; i++)
        cvp_value_init(&items[i]);
    v->kind = CVP_VALUE_TUPLE;
    v->items = items;
    v->count = count;
    return CVP_OK;
}

cvp_status cvp_value_make_slice(cvp_value *v, cvp_error *err)
{
    cvp_status status = cvp_value_make_tuple(v, 3, err);
    if (status == CVP_OK)
        v->kind = CVP_VALUE_SLICE;
    return status;
}

cvp_status cvp_value_copy(cvp_value *dst, const cvp_value *src,
                          cvp_error *err)
{
    switch (src->kind) {
    case CVP_VALUE_NONE:
        cvp_value_reset(dst);
        return CVP_OK;
    case CVP_VALUE_BOOL:
        cvp_value_set_bool(dst, src->boolean);
        return CVP_OK;
    case CVP_VALUE_TENSOR:
        cvp_value_make_tensor(dst);
        return cvp_tensor_set(dst->tensor, src->tensor, err);
    case CVP_VALUE_TUPLE:
    case CVP_VALUE_SLICE: {
        cvp_status status = cvp_value_make_tuple(dst, src->count, err);
        for (size_t i = 0; status == CVP_OK && i < src->count; i++)
            status = cvp_value_copy(&dst->items[i], &src->items[i], err);
        dst->kind = src->kind;
        return status;
    }
    }
    return CVP_OK;
}

bool cvp_value_is_scalar(const cvp_value *v)
{
    return v->kind == CVP_VALUE_TENSOR && cvp_tensor_rank(v->tensor) == 0;
}

/* Writes q in decimal into buf, cut with "..." when it does not fit. */
static void format_rational(char *buf, size_t bufsize, mpq_srcptr q)
{
    char *text = mpq_get_str(NULL, 10, q);
    size_t len = strlen(text);
    if (len < bufsize) {
        memcpy(buf, text, len + 1);
    } else if (bufsize > 0) {
        size_t keep = bufsize > 4 ? bufsize - 4 : 0;
        memcpy(buf, text, keep);
        memcpy(buf + keep, "...", bufsize - keep > 3 ? 4 : 0);
        buf[bufsize - 1] = '\0';
    }
    void (*free_function)(void *, size_t);
    mp_get_memory_functions(NULL, NULL, &free_function);
    free_function(text, len + 1);
}

void cvp_value_describe(char *buf, size_t bufsize, const cvp_value *v)
{
    if (bufsize == 0)
        return;
    switch (v->kind) {
    case CVP_VALUE_NONE:
        snprintf(buf, bufsize, "none");
        return;
    case CVP_VALUE_BOOL:
        snprintf(buf, bufsize, "the boolean %s", v->boolean ? "true" : "false");
        return;
    case CVP_VALUE_TUPLE:
        snprintf(buf, bufsize, "a tuple of %zu value%s", v->count,
                 v->count == 1 ? "" : "s");
        return;
    case CVP_VALUE_SLICE:
        snprintf(buf, bufsize, "a slice (start:stop:step)");
        return;
    case CVP_VALUE_TENSOR:
        break;
    }
    if (cvp_tensor_rank(v->tensor) == 0) {
        char number[48];
        format_rational(number, sizeof number, cvp_tensor_at_const(v->tensor, 0));
        snprintf(buf, bufsize, "the scalar %s", number);
        return;
    }
    char shape[128];
    cvp_shape_format(shape, sizeof shape, v->tensor->rank, v->tensor->shape);
    snprintf(buf, bufsize, "a tensor of shape %s", shape);
}

/* Nested brackets on one line, for tensors inside tuples. */
static int write_inline(FILE *stream, const cvp_tensor_t t, int axis,
                        size_t *offset)
{
    if (axis == t->rank) {
        if (mpq_out_str(stream, 10, cvp_tensor_at_const(t, *offset)) == 0)
            return -1;
        (*offset)++;
        return 0;
    }
    if (fputc('[', stream) == EOF)
        return -1;
    for (size_t i = 0; i < t->shape[axis]; i++) {
        if (i > 0 && fputs(", ", stream) == EOF)
            return -1;
        if (write_inline(stream, t, axis + 1, offset) != 0)
            return -1;
    }
    return fputc(']', stream) == EOF ? -1 : 0;
}

static int write_item(FILE *stream, const cvp_value *v)
{
    switch (v->kind) {
    case CVP_VALUE_NONE:
        return fputs("none", stream) == EOF ? -1 : 0;
    case CVP_VALUE_BOOL:
        return fputs(v->boolean ? "true" : "false", stream) == EOF ? -1 : 0;
    case CVP_VALUE_TENSOR: {
        size_t offset = 0;
        return write_inline(stream, v->tensor, 0, &offset);
    }
    case CVP_VALUE_TUPLE:
        if (fputc('(', stream) == EOF)
            return -1;
        for (size_t i = 0; i < v->count; i++) {
            if (i > 0 && fputs(", ", stream) == EOF)
                return -1;
            if (write_item(stream, &v->items[i]) != 0)
                return -1;
        }
        if (v->count == 1 && fputc(',', stream) == EOF)
            return -1;
        return fputc(')', stream) == EOF ? -1 : 0;
    case CVP_VALUE_SLICE:
        /* start:stop:step, an absent part left empty as Python writes it */
        for (size_t i = 0; i < v->count; i++) {
            if (i > 0 && fputc(':', stream) == EOF)
                return -1;
            if (v->items[i].kind != CVP_VALUE_NONE
                && write_item(stream, &v->items[i]) != 0)
                return -1;
        }
        return 0;
    }
    return 0;
}

int cvp_value_write(FILE *stream, const cvp_value *v)
{
    if (v->kind == CVP_VALUE_TENSOR)
        return cvp_tensor_write_text(stream, v->tensor);
    if (write_item(stream, v) != 0 || fputc('\n', stream) == EOF)
        return -1;
    return 0;
}
