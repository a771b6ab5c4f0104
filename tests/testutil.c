/* testutil.c -- helpers shared by the cmocka tests. */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

void tu_ints(cvp_tensor_t t, int rank, const size_t *shape, const long *values)
{
    cvp_error err;
    assert_int_equal(cvp_tensor_resize(t, rank, shape, &err), CVP_OK);
    for (size_t k = 0; k < t->size; k++)
        mpq_set_si(t->entries[k], values[k], 1);
}

void tu_zeros(cvp_tensor_t t, int rank, const size_t *shape)
{
    cvp_error err;
    assert_int_equal(cvp_tensor_resize(t, rank, shape, &err), CVP_OK);
}

void tu_random(cvp_tensor_t t, cvp_rng *rng, int rank, const size_t *shape,
               long lo, long hi)
{
    tu_zeros(t, rank, shape);
    cvp_tensor_random_int(t, rng, lo, hi);
}

void tu_print(const char *label, const cvp_tensor_t t)
{
    char shape[256];
    cvp_shape_format(shape, sizeof shape, t->rank, t->shape);
    fprintf(stderr, "%s: shape %s:", label, shape);
    for (size_t k = 0; k < t->size && k < 200; k++)
        gmp_fprintf(stderr, " %Qd", t->entries[k]);
    fprintf(stderr, t->size > 200 ? " ...\n" : "\n");
}

void tu_assert_equal_at(const cvp_tensor_t a, const cvp_tensor_t b,
                        const char *file, int line)
{
    if (cvp_tensor_equal(a, b))
        return;
    tu_print("actual  ", a);
    tu_print("expected", b);
    _fail(file, line);
}

void tu_assert_ok_at(cvp_status st, const cvp_error *err, const char *file,
                     int line)
{
    if (st == CVP_OK)
        return;
    fprintf(stderr, "unexpected failure %d: %s\n", (int)st,
            err ? err->message : "(no message)");
    _fail(file, line);
}

void tu_assert_fails_at(cvp_status st, const cvp_error *err,
                        cvp_status expected, const char *fragment,
                        const char *file, int line)
{
    if (st == expected && err != NULL && strstr(err->message, fragment) != NULL)
        return;
    fprintf(stderr, "expected status %d with \"%s\", got %d: \"%s\"\n",
            (int)expected, fragment, (int)st, err ? err->message : "");
    _fail(file, line);
}

void tu_dot(mpq_t result, const cvp_tensor_t a, const cvp_tensor_t b)
{
    assert_int_equal(a->size, b->size);
    mpq_t product;
    mpq_init(product);
    mpq_set_ui(result, 0, 1);
    for (size_t k = 0; k < a->size; k++) {
        mpq_mul(product, a->entries[k], b->entries[k]);
        mpq_add(result, result, product);
    }
    mpq_clear(product);
}

void tu_jacobian_by_probing(cvp_sparse_t J, tu_linear_fn f, void *context,
                            const cvp_tensor_t like)
{
    cvp_error err;
    cvp_tensor_t unit, response;
    cvp_tensor_init(unit);
    cvp_tensor_init(response);
    assert_int_equal(cvp_tensor_resize_like(unit, like, &err), CVP_OK);
    bool sized = false;
    for (size_t k = 0; k < unit->size; k++) {
        mpq_set_ui(unit->entries[k], 1, 1);
        tu_assert_ok(f(response, unit, context, &err), &err);
        mpq_set_ui(unit->entries[k], 0, 1);
        if (!sized) {
            cvp_sparse_clear(J);
            cvp_sparse_init(J, response->size, unit->size);
            sized = true;
        }
        for (size_t r = 0; r < response->size; r++)
            if (mpq_sgn(response->entries[r]) != 0)
                tu_assert_ok(cvp_sparse_append(J, r, k, response->entries[r], &err),
                             &err);
    }
    cvp_sparse_finish(J);
    cvp_tensor_clear(unit);
    cvp_tensor_clear(response);
}
