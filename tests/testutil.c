/* testutil.c -- helpers shared by the cmocka tests. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/conv2d_backward.h"
#include "kernel/packed.h"
#include "kernel/ring_small.h"

void tu_ints(cvp_tensor_t t, int rank, const size_t *shape, const long *values)
{
    cvp_error err;
    assert_int_equal(cvp_tensor_resize(t, rank, shape, &err), CVP_OK);
    for (size_t k = 0; k < t->size; k++)
        mpq_set_si(cvp_tensor_at(t, k), values[k], 1);
}

void tu_zeros(cvp_tensor_t t, int rank, const size_t *shape)
{
    cvp_error err;
    assert_int_equal(cvp_tensor_resize(t, rank, shape, &err), CVP_OK);
}

void tu_set_dyadic(mpq_t q, long m, long e)
{
    mpq_set_si(q, m, 1);
    if (e >= 0)
        mpq_mul_2exp(q, q, (mp_bitcnt_t)e);
    else
        mpq_div_2exp(q, q, (mp_bitcnt_t)-e);
}

void tu_set_all_ones(mpq_t q, unsigned bits, long e)
{
    mpz_set_ui(mpq_denref(q), 1);
    mpz_ui_pow_ui(mpq_numref(q), 2, bits);
    mpz_sub_ui(mpq_numref(q), mpq_numref(q), 1);
    if (e >= 0)
        mpq_mul_2exp(q, q, (mp_bitcnt_t)e);
    else
        mpq_div_2exp(q, q, (mp_bitcnt_t)-e);
}

void tu_random(cvp_tensor_t t, cvp_rng *rng, int rank, const size_t *shape,
               long lo, long hi)
{
    tu_zeros(t, rank, shape);
    cvp_tensor_random_int(t, rng, lo, hi);
}

void tu_float_like(cvp_tensor_t t, cvp_rng *rng, int rank, const size_t *shape,
                   size_t tiny)
{
    tu_random(t, rng, rank, shape, -(1L << 20), 1L << 20);
    mpq_t q;
    mpq_init(q);
    for (size_t k = 0; k < t->size; k++) {
        mpq_set(q, cvp_tensor_at(t, k));
        mpz_mul_2exp(mpq_denref(q), mpq_denref(q), k < tiny ? 30 : 2);
        if (k < tiny && mpz_sgn(mpq_numref(q)) == 0)
            mpz_set_ui(mpq_numref(q), 1);
        if (k < tiny)   /* odd: not a multiple of any power of two */
            mpz_setbit(mpq_numref(q), 0);
        mpq_canonicalize(q);
        mpq_set(cvp_tensor_at(t, k), q);
    }
    mpq_clear(q);
}

void tu_random_residues(cvp_tensor_t t, cvp_ring *F, cvp_rng *rng, int rank,
                        const size_t *shape, uint64_t p)
{
    cvp_tensor_set_ring(t, F);
    cvp_error err;
    tu_assert_ok(cvp_tensor_resize(t, rank, shape, &err), &err);
    for (size_t k = 0; k < t->size; k++) {
        uint64_t r = cvp_rng_next(rng);
        uint64_t below_top = r % 3 < p ? r % 3 : 0;   /* p may be 2 */
        cvp_fp_set(cvp_tensor_elem(t, k), r % 4 == 0 ? p - 1 - below_top : r % p);
    }
}

void tu_print(const char *label, const cvp_tensor_t t)
{
    char shape[256];
    cvp_shape_format(shape, sizeof shape, t->rank, t->shape);
    fprintf(stderr, "%s: shape %s:", label, shape);
    for (size_t k = 0; k < t->size && k < 200; k++)
        gmp_fprintf(stderr, " %Qd", cvp_tensor_at(t, k));
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
        mpq_mul(product, cvp_tensor_at(a, k), cvp_tensor_at(b, k));
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
        mpq_set_ui(cvp_tensor_at(unit, k), 1, 1);
        tu_assert_ok(f(response, unit, context, &err), &err);
        mpq_set_ui(cvp_tensor_at(unit, k), 0, 1);
        if (!sized) {
            cvp_sparse_clear(J);
            cvp_sparse_init(J, response->size, unit->size);
            sized = true;
        }
        for (size_t r = 0; r < response->size; r++)
            if (mpq_sgn(cvp_tensor_at(response, r)) != 0)
                tu_assert_ok(cvp_sparse_append(J, r, k, cvp_tensor_at(response, r), &err),
                             &err);
    }
    cvp_sparse_finish(J);
    cvp_tensor_clear(unit);
    cvp_tensor_clear(response);
}

void tu_transpose_apply(cvp_tensor_t out, const cvp_sparse_t J,
                        const cvp_tensor_t g, const cvp_tensor_t like)
{
    cvp_error err;
    assert_int_equal(g->size, J->rows);
    assert_int_equal(like->size, J->cols);
    cvp_tensor_t result;
    cvp_tensor_init(result);
    assert_int_equal(cvp_tensor_resize_like(result, like, &err), CVP_OK);
    mpq_t term;
    mpq_init(term);
    for (size_t k = 0; k < J->nnz; k++) {
        mpq_mul(term, J->values[k], cvp_tensor_at(g, J->row_index[k]));
        mpq_add(cvp_tensor_at(result, J->col_index[k]), cvp_tensor_at(result, J->col_index[k]),
                term);
    }
    mpq_clear(term);
    cvp_tensor_swap(out, result);
    cvp_tensor_clear(result);
}

static size_t tu_draw(cvp_rng *rng, size_t lo, size_t hi)
{
    return (size_t)cvp_rng_range(rng, (int64_t)lo, (int64_t)hi);
}

void tu_random_conv_case(tu_conv_case *cc, cvp_rng *rng)
{
    for (;;) {
        memset(cc, 0, sizeof *cc);
        cc->p = cvp_conv2d_params_default();
        size_t groups = tu_draw(rng, 1, 4);
        cc->p.groups = groups;
        cc->C = groups * tu_draw(rng, 1, 4 / groups);
        cc->O = groups * tu_draw(rng, 1, 4 / groups);
        cc->rank = tu_draw(rng, 0, 3) == 0 ? 3 : 4;
        cc->N = cc->rank == 4 ? tu_draw(rng, 1, 2) : 1;
        cc->H = tu_draw(rng, 1, 7);
        cc->W = tu_draw(rng, 1, 7);
        cc->kH = tu_draw(rng, 1, 3);
        cc->kW = tu_draw(rng, 1, 3);
        for (int a = 0; a < 2; a++) {
            cc->p.stride[a] = tu_draw(rng, 1, 3);
            cc->p.padding[a] = tu_draw(rng, 0, 2);
            cc->p.dilation[a] = tu_draw(rng, 1, 2);
        }
        /* Padded extent minus the dilated kernel's extent; the output is
         * empty when negative, else it has span / stride + 1 positions. */
        long span_h = (long)(cc->H + 2 * cc->p.padding[0]) -
                      (long)(cc->p.dilation[0] * (cc->kH - 1) + 1);
        long span_w = (long)(cc->W + 2 * cc->p.padding[1]) -
                      (long)(cc->p.dilation[1] * (cc->kW - 1) + 1);
        if (span_h < 0 || span_w < 0)
            continue;
        cc->Ho = (size_t)span_h / cc->p.stride[0] + 1;
        cc->Wo = (size_t)span_w / cc->p.stride[1] + 1;
        break;
    }
    size_t x[4] = {cc->N, cc->C, cc->H, cc->W};
    size_t k[4] = {cc->O, cc->C / cc->p.groups, cc->kH, cc->kW};
    size_t y[4] = {cc->N, cc->O, cc->Ho, cc->Wo};
    int skip = cc->rank == 4 ? 0 : 1;
    memcpy(cc->x_shape, x + skip, (size_t)cc->rank * sizeof *x);
    memcpy(cc->k_shape, k, sizeof k);
    memcpy(cc->y_shape, y + skip, (size_t)cc->rank * sizeof *y);
}

void tu_print_conv_case(const tu_conv_case *cc)
{
    fprintf(stderr,
            "conv case: rank %d N=%zu C=%zu O=%zu H=%zu W=%zu k=%zux%zu "
            "stride=%zu,%zu padding=%zu,%zu dilation=%zu,%zu groups=%zu "
            "-> %zux%zu\n",
            cc->rank, cc->N, cc->C, cc->O, cc->H, cc->W, cc->kH, cc->kW,
            cc->p.stride[0], cc->p.stride[1], cc->p.padding[0], cc->p.padding[1],
            cc->p.dilation[0], cc->p.dilation[1], cc->p.groups, cc->Ho, cc->Wo);
}

void tu_random_conv_operands(tu_conv_case *cc, cvp_rng *rng, cvp_tensor_t X,
                             cvp_tensor_t K, cvp_tensor_t G)
{
    tu_random_conv_case(cc, rng);
    tu_random(X, rng, cc->rank, cc->x_shape, -9, 9);
    tu_random(K, rng, 4, cc->k_shape, -9, 9);
    if (G != NULL)
        tu_random(G, rng, cc->rank, cc->y_shape, -9, 9);
}

void tu_assert_equal_case_at(const cvp_tensor_t actual,
                             const cvp_tensor_t expected,
                             const tu_conv_case *cc, const char *file, int line)
{
    if (!cvp_tensor_equal(actual, expected))
        tu_print_conv_case(cc);
    tu_assert_equal_at(actual, expected, file, line);
}

cvp_status tu_conv2d_of_input(cvp_tensor_t out, const cvp_tensor_t in,
                              void *context, cvp_error *err)
{
    const tu_conv_context *c = context;
    return cvp_conv2d(out, in, c->K, NULL, c->p, err);
}

cvp_status tu_conv2d_of_weight(cvp_tensor_t out, const cvp_tensor_t in,
                               void *context, cvp_error *err)
{
    const tu_conv_context *c = context;
    return cvp_conv2d(out, c->X, in, NULL, c->p, err);
}

cvp_status tu_conv2d_of_bias(cvp_tensor_t out, const cvp_tensor_t in,
                             void *context, cvp_error *err)
{
    const tu_conv_context *c = context;
    return cvp_conv2d(out, c->X, c->K, in, c->p, err);
}

void tu_fractions(cvp_tensor_t t, int rank, const size_t *shape,
                  const char *entries)
{
    tu_zeros(t, rank, shape);
    char *copy = strdup(entries);
    assert_non_null(copy);
    size_t k = 0;
    for (char *word = strtok(copy, " "); word != NULL;
         word = strtok(NULL, " ")) {
        assert_true(k < t->size);
        assert_int_equal(mpq_set_str(cvp_tensor_at(t, k), word, 10), 0);
        mpq_canonicalize(cvp_tensor_at(t, k));
        k++;
    }
    assert_int_equal(k, t->size);
    free(copy);
}

static size_t or_default(size_t given, size_t fallback)
{
    return given != 0 ? given : fallback;
}

void tu_check_conv_hand(const tu_conv_hand *c, const char *label)
{
    cvp_error err;
    cvp_tensor_t X, K, b, G, Y, E;
    cvp_tensor_init(X), cvp_tensor_init(K), cvp_tensor_init(b);
    cvp_tensor_init(G), cvp_tensor_init(Y), cvp_tensor_init(E);
    if (c->x != NULL)
        tu_fractions(X, c->x_rank, c->x_shape, c->x);
    if (c->k != NULL)
        tu_fractions(K, 4, c->k_shape, c->k);
    if (c->b != NULL)
        tu_fractions(b, 1, (size_t[]){c->k_shape[0]}, c->b);
    if (c->g != NULL)
        tu_fractions(G, c->g_rank, c->g_shape, c->g);
    cvp_conv2d_params p = cvp_conv2d_params_default();
    for (int a = 0; a < 2; a++) {
        p.stride[a] = or_default(c->stride[a], 1);
        p.padding[a] = c->padding[a];
        p.dilation[a] = or_default(c->dilation[a], 1);
        p.output_padding[a] = c->output_padding[a];
    }
    p.groups = or_default(c->groups, 1);
    const cvp_tensor_struct *bias = c->b != NULL ? b : NULL;
    cvp_status st = CVP_OK;
    switch (c->op) {
    case TU_CONV2D:
        st = cvp_conv2d(Y, X, K, bias, &p, &err);
        break;
    case TU_CONV_TRANSPOSE2D:
        st = cvp_conv_transpose2d(Y, X, K, bias, &p, &err);
        break;
    case TU_CONV2D_BACKWARD_INPUT:
        st = cvp_conv2d_backward_input(Y, X, K, G, &p, &err);
        break;
    case TU_CONV2D_BACKWARD_WEIGHT:
        st = cvp_conv2d_backward_weight(Y, X, K, G, &p, &err);
        break;
    case TU_CONV2D_BACKWARD_BIAS:
        st = cvp_conv2d_backward_bias(Y, G, &err);
        break;
    default:
        fail_msg("%s: no such operator %d", label, (int)c->op);
    }
    if (st != CVP_OK)
        fprintf(stderr, "%s\n", label);
    tu_assert_ok(st, &err);
    tu_fractions(E, c->y_rank, c->y_shape, c->y);
    if (!cvp_tensor_equal(Y, E))
        fprintf(stderr, "%s\n", label);
    tu_assert_equal(Y, E);
    cvp_tensor_clear(X), cvp_tensor_clear(K), cvp_tensor_clear(b);
    cvp_tensor_clear(G), cvp_tensor_clear(Y), cvp_tensor_clear(E);
}

void tu_check_conv_hands(const tu_conv_hand *rows, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        char label[64];
        snprintf(label, sizeof label, "row %zu", k);
        tu_check_conv_hand(&rows[k], label);
    }
}

/* ---- packed tensors ---------------------------------------------------- */

/* out := an unpacked copy of t, built entry by entry from the rationals
 * (so it shares nothing with t's packed form). */
void tu_unpacked_copy(cvp_tensor_t out, const cvp_tensor_t t)
{
    cvp_error err;
    tu_assert_ok(cvp_tensor_resize(out, t->rank, t->shape, &err), &err);
    for (size_t k = 0; k < t->size; k++)
        mpq_set(cvp_tensor_at(out, k), cvp_tensor_at(t, k));
    assert_false(cvp_tensor_is_packed(out));
}

/* t := packed tensor num[k] / den, canonicalised. */
void tu_packed_of(cvp_tensor_t t, int rank, const size_t *shape,
                  const int64_t *num, const char *den)
{
    cvp_error err;
    tu_assert_ok(cvp_tensor_pack_start(t, rank, shape, &err), &err);
    memcpy(cvp_tensor_packed_num(t), num, t->size * sizeof *num);
    assert_int_equal(mpz_set_str(cvp_tensor_packed_den(t), den, 10), 0);
    cvp_tensor_pack_finish(t);
    assert_true(cvp_tensor_packed_is_canonical(t));
}

/* Entry k of t equals the rational written as text ("-3/4"). */
void tu_assert_entry(const cvp_tensor_t t, size_t k, const char *text)
{
    mpq_t q;
    mpq_init(q);
    assert_int_equal(mpq_set_str(q, text, 10), 0);
    mpq_canonicalize(q);
    if (!mpq_equal(q, cvp_tensor_at(t, k))) {
        gmp_fprintf(stderr, "entry %zu: %Qd, expected %s\n", k,
                    cvp_tensor_at(t, k), text);
        fail();
    }
    mpq_clear(q);
}
