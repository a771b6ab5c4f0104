/* test_fast_degree.c -- the degree semiring's fast path (fast_degree.c)
 * against the definitional operators.
 *
 * Uniform operands (every entry of a tensor the same degree, ZERO
 * included) on random layers -- shapes, strides, paddings that leave
 * windows with no input entry, dilations, groups, batched or not, with
 * and without a bias of any degrees -- must give exactly the definitional
 * result, and by the "uniform degree" path; anything else must fall back
 * to the reference.  Two results are also checked against values worked
 * out by hand. */
#include "testutil.h"

#include <string.h>

#include "fast/fast.h"
#include "kernel/conv2d_backward.h"
#include "kernel/ring_small.h"

#define CASES 300

typedef enum { FORWARD, BACKWARD_INPUT, BACKWARD_WEIGHT } conv_op;

static cvp_status run_op(bool fast, conv_op op, cvp_tensor_t out,
                         const cvp_tensor_t X, const cvp_tensor_t K,
                         const cvp_tensor_t G, const cvp_tensor_struct *bias,
                         const cvp_conv2d_params *p, cvp_fast_path *path)
{
    cvp_error err;
    cvp_status st = CVP_ERR_INPUT;
    switch (op) {
    case FORWARD:
        st = fast ? cvp_fast_conv2d(out, X, K, bias, p, path, &err)
                  : cvp_conv2d(out, X, K, bias, p, &err);
        break;
    case BACKWARD_INPUT:
        st = fast ? cvp_fast_conv2d_backward_input(out, X, K, G, p, path, &err)
                  : cvp_conv2d_backward_input(out, X, K, G, p, &err);
        break;
    case BACKWARD_WEIGHT:
        st = fast ? cvp_fast_conv2d_backward_weight(out, X, K, G, p, path, &err)
                  : cvp_conv2d_backward_weight(out, X, K, G, p, &err);
        break;
    }
    tu_assert_ok(st, &err);
    return st;
}

/* t := a degree tensor of the given shape, every entry d. */
static void degrees(cvp_tensor_t t, cvp_ring *D, int rank, const size_t *shape,
                    long d)
{
    cvp_tensor_set_ring(t, D);
    cvp_error err;
    tu_assert_ok(cvp_tensor_resize(t, rank, shape, &err), &err);
    for (size_t k = 0; k < t->size; k++)
        cvp_degree_set(cvp_tensor_elem(t, k), d);
}

static long draw_degree(cvp_rng *rng)
{
    static const long choices[] = {CVP_DEGREE_ZERO, 0, 1, 1, 2, 5};
    return choices[cvp_rng_next(rng) % 6];
}

static long at(const cvp_tensor_t t, size_t k)
{
    return cvp_degree_get(cvp_tensor_elem(t, k));
}

static bool same_degrees(const cvp_tensor_t a, const cvp_tensor_t b)
{
    if (!cvp_tensor_same_shape(a, b))
        return false;
    for (size_t k = 0; k < a->size; k++)
        if (at(a, k) != at(b, k))
            return false;
    return true;
}

/* ---- random uniform layers --------------------------------------------- */

static void test_uniform_layers_equal_definitional(void **state)
{
    (void)state;
    cvp_ring D;
    cvp_ring_degree_init(&D);
    cvp_rng rng;
    cvp_rng_seed(&rng, 41);
    size_t zero_entries = 0;   /* result entries no product reaches */
    for (int t = 0; t < CASES; t++) {
        tu_conv_case cc;
        tu_random_conv_case(&cc, &rng);
        cvp_tensor_t X, K, G, B, fast, ref;
        cvp_tensor_init(X), cvp_tensor_init(K), cvp_tensor_init(G);
        cvp_tensor_init(B), cvp_tensor_init(fast), cvp_tensor_init(ref);
        degrees(X, &D, cc.rank, cc.x_shape, draw_degree(&rng));
        degrees(K, &D, 4, cc.k_shape, draw_degree(&rng));
        degrees(G, &D, cc.rank, cc.y_shape, draw_degree(&rng));
        /* A bias of mixed degrees: the fast path takes any bias. */
        degrees(B, &D, 1, &cc.O, 0);
        for (size_t o = 0; o < cc.O; o++)
            cvp_degree_set(cvp_tensor_elem(B, o), draw_degree(&rng) + (long)o % 3);
        for (conv_op op = FORWARD; op <= BACKWARD_WEIGHT; op++) {
            const cvp_tensor_struct *bias = op == FORWARD && t % 2 ? B : NULL;
            cvp_fast_path path = CVP_FAST_PATH_COUNT;
            run_op(true, op, fast, X, K, G, bias, &cc.p, &path);
            run_op(false, op, ref, X, K, G, bias, &cc.p, NULL);
            if (!same_degrees(fast, ref) || path != CVP_FAST_PATH_DEGREE) {
                tu_print_conv_case(&cc);
                fprintf(stderr, "op %d, path %s\n", (int)op, cvp_fast_path_name(path));
            }
            assert_true(same_degrees(fast, ref));
            assert_int_equal(path, CVP_FAST_PATH_DEGREE);
            for (size_t k = 0; k < ref->size; k++)
                zero_entries += at(ref, k) == CVP_DEGREE_ZERO;
        }
        cvp_tensor_clear(X), cvp_tensor_clear(K), cvp_tensor_clear(G);
        cvp_tensor_clear(B), cvp_tensor_clear(fast), cvp_tensor_clear(ref);
    }
    /* The layers did include entries that only padding or gaps reach. */
    assert_true(zero_entries > 0);
    cvp_ring_degree_clear(&D);
}

/* One entry different: not uniform, so the definitional operator runs
 * (and the result is of course the same). */
static void test_non_uniform_falls_back(void **state)
{
    (void)state;
    cvp_ring D;
    cvp_ring_degree_init(&D);
    cvp_rng rng;
    cvp_rng_seed(&rng, 42);
    for (int t = 0; t < CASES / 10; t++) {
        tu_conv_case cc;
        tu_random_conv_case(&cc, &rng);
        cvp_tensor_t X, K, G, fast, ref;
        cvp_tensor_init(X), cvp_tensor_init(K), cvp_tensor_init(G);
        cvp_tensor_init(fast), cvp_tensor_init(ref);
        degrees(X, &D, cc.rank, cc.x_shape, 1);
        degrees(K, &D, 4, cc.k_shape, 1);
        degrees(G, &D, cc.rank, cc.y_shape, 1);
        cvp_tensor_struct *odd = t % 3 == 0 ? X : t % 3 == 1 ? K : G;
        if (odd->size < 2)
            odd = K->size >= 2 ? K : X;
        if (odd->size < 2) {
            cvp_tensor_clear(X), cvp_tensor_clear(K), cvp_tensor_clear(G);
            cvp_tensor_clear(fast), cvp_tensor_clear(ref);
            continue;
        }
        cvp_degree_set(cvp_tensor_elem(odd, odd->size - 1), 3);
        for (conv_op op = FORWARD; op <= BACKWARD_WEIGHT; op++) {
            cvp_fast_path path = CVP_FAST_PATH_COUNT;
            run_op(true, op, fast, X, K, G, NULL, &cc.p, &path);
            run_op(false, op, ref, X, K, G, NULL, &cc.p, NULL);
            assert_true(same_degrees(fast, ref));
            /* An operand of this op not uniform: the reference ran. */
            bool reads_odd = (op == FORWARD && odd != G) ||
                             (op == BACKWARD_INPUT && odd != X) ||
                             (op == BACKWARD_WEIGHT && odd != K);
            if (reads_odd)
                assert_int_equal(path, CVP_FAST_PATH_REFERENCE);
        }
        cvp_tensor_clear(X), cvp_tensor_clear(K), cvp_tensor_clear(G);
        cvp_tensor_clear(fast), cvp_tensor_clear(ref);
    }
    cvp_ring_degree_clear(&D);
}

/* ---- values worked out by hand ------------------------------------------ */

/* A 2x2 image of variables (degree 1), a 1x1 kernel of variables, padding
 * 1: the 4x4 output has degree 2 in its middle 2x2 and ZERO on its border
 * (those windows hold only padding).  Backward to the input: every input
 * pixel meets one output pixel, degree 1 + 1. */
static void test_padding_ring_by_hand(void **state)
{
    (void)state;
    cvp_ring D;
    cvp_ring_degree_init(&D);
    cvp_tensor_t X, K, G, Y, dX;
    cvp_tensor_init(X), cvp_tensor_init(K), cvp_tensor_init(G);
    cvp_tensor_init(Y), cvp_tensor_init(dX);
    degrees(X, &D, 4, (size_t[]){1, 1, 2, 2}, 1);
    degrees(K, &D, 4, (size_t[]){1, 1, 1, 1}, 1);
    degrees(G, &D, 4, (size_t[]){1, 1, 4, 4}, 1);
    cvp_conv2d_params p = cvp_conv2d_params_default();
    p.padding[0] = p.padding[1] = 1;
    cvp_fast_path path;
    run_op(true, FORWARD, Y, X, K, NULL, NULL, &p, &path);
    assert_int_equal(path, CVP_FAST_PATH_DEGREE);
    assert_int_equal(Y->size, 16);
    for (size_t i = 0; i < 4; i++)
        for (size_t j = 0; j < 4; j++) {
            bool inside = i >= 1 && i <= 2 && j >= 1 && j <= 2;
            assert_int_equal(at(Y, i * 4 + j), inside ? 2 : CVP_DEGREE_ZERO);
        }
    run_op(true, BACKWARD_INPUT, dX, X, K, G, NULL, &p, &path);
    assert_int_equal(path, CVP_FAST_PATH_DEGREE);
    for (size_t k = 0; k < 4; k++)
        assert_int_equal(at(dX, k), 2);
    cvp_tensor_clear(X), cvp_tensor_clear(K), cvp_tensor_clear(G);
    cvp_tensor_clear(Y), cvp_tensor_clear(dX);
    cvp_ring_degree_clear(&D);
}

/* Stride 3 with a 1x1 kernel on a 4x4 input reads pixels (0|3, 0|3)
 * only: the gradient to the input is degree 1 + 2 = 3 there and ZERO at
 * the twelve pixels no window reads. */
static void test_stride_gaps_by_hand(void **state)
{
    (void)state;
    cvp_ring D;
    cvp_ring_degree_init(&D);
    cvp_tensor_t X, K, G, dX;
    cvp_tensor_init(X), cvp_tensor_init(K), cvp_tensor_init(G);
    cvp_tensor_init(dX);
    degrees(X, &D, 3, (size_t[]){2, 4, 4}, 1);
    degrees(K, &D, 4, (size_t[]){3, 2, 1, 1}, 1);
    degrees(G, &D, 3, (size_t[]){3, 2, 2}, 2);
    cvp_conv2d_params p = cvp_conv2d_params_default();
    p.stride[0] = p.stride[1] = 3;
    cvp_fast_path path;
    run_op(true, BACKWARD_INPUT, dX, X, K, G, NULL, &p, &path);
    assert_int_equal(path, CVP_FAST_PATH_DEGREE);
    assert_int_equal(dX->size, 32);
    for (size_t k = 0; k < 32; k++) {
        size_t i = (k / 4) % 4, j = k % 4;
        bool read = (i == 0 || i == 3) && (j == 0 || j == 3);
        assert_int_equal(at(dX, k), read ? 3 : CVP_DEGREE_ZERO);
    }
    cvp_tensor_clear(X), cvp_tensor_clear(K), cvp_tensor_clear(G);
    cvp_tensor_clear(dX);
    cvp_ring_degree_clear(&D);
}

/* ---- matmul, counts, the switch ---------------------------------------- */

static void test_matmul_uniform(void **state)
{
    (void)state;
    cvp_ring D;
    cvp_ring_degree_init(&D);
    cvp_rng rng;
    cvp_rng_seed(&rng, 43);
    for (int t = 0; t < 60; t++) {
        size_t m = 1 + cvp_rng_next(&rng) % 4, k = 1 + cvp_rng_next(&rng) % 4,
               n = 1 + cvp_rng_next(&rng) % 4;
        long a = draw_degree(&rng), b = draw_degree(&rng);
        cvp_tensor_t A, B, fast, ref;
        cvp_tensor_init(A), cvp_tensor_init(B);
        cvp_tensor_init(fast), cvp_tensor_init(ref);
        degrees(A, &D, 2, (size_t[]){m, k}, a);
        degrees(B, &D, 2, (size_t[]){k, n}, b);
        cvp_error err;
        cvp_fast_path path;
        tu_assert_ok(cvp_fast_matmul(fast, A, B, &path, &err), &err);
        tu_assert_ok(cvp_tensor_matmul(ref, A, B, &err), &err);
        assert_int_equal(path, CVP_FAST_PATH_DEGREE);
        assert_true(same_degrees(fast, ref));
        long want = (a == CVP_DEGREE_ZERO || b == CVP_DEGREE_ZERO) ? CVP_DEGREE_ZERO
                                                                   : a + b;
        assert_int_equal(at(fast, 0), want);
        cvp_tensor_clear(A), cvp_tensor_clear(B);
        cvp_tensor_clear(fast), cvp_tensor_clear(ref);
    }
    cvp_ring_degree_clear(&D);
}

/* The modelled multiplications (the `mults` count) are those of the
 * definitional operator, not of the one-plane evaluation. */
static void test_mults_are_counted_as_definitional(void **state)
{
    (void)state;
    cvp_ring D1, D2;
    cvp_ring_degree_init(&D1);
    cvp_ring_degree_init(&D2);
    cvp_tensor_t X1, K1, X2, K2, Y1, Y2;
    cvp_tensor_init(X1), cvp_tensor_init(K1), cvp_tensor_init(X2);
    cvp_tensor_init(K2), cvp_tensor_init(Y1), cvp_tensor_init(Y2);
    degrees(X1, &D1, 4, (size_t[]){2, 4, 6, 5}, 1);
    degrees(K1, &D1, 4, (size_t[]){6, 2, 3, 2}, 1);
    degrees(X2, &D2, 4, (size_t[]){2, 4, 6, 5}, 1);
    degrees(K2, &D2, 4, (size_t[]){6, 2, 3, 2}, 1);
    cvp_conv2d_params p = cvp_conv2d_params_default();
    p.groups = 2;
    p.padding[0] = 1;
    cvp_fast_path path;
    run_op(true, FORWARD, Y1, X1, K1, NULL, NULL, &p, &path);
    assert_int_equal(path, CVP_FAST_PATH_DEGREE);
    run_op(false, FORWARD, Y2, X2, K2, NULL, NULL, &p, NULL);
    /* N O Ho Wo Cg kH kW = 2 * 6 * 6 * 4 * 2 * 3 * 2 by hand. */
    assert_int_equal(D2.model_mults, 2 * 6 * 6 * 4 * 2 * 3 * 2);
    assert_int_equal(D1.model_mults, D2.model_mults);
    cvp_tensor_clear(X1), cvp_tensor_clear(K1), cvp_tensor_clear(X2);
    cvp_tensor_clear(K2), cvp_tensor_clear(Y1), cvp_tensor_clear(Y2);
    cvp_ring_degree_clear(&D1);
    cvp_ring_degree_clear(&D2);
}

static void test_disabled_means_reference(void **state)
{
    (void)state;
    cvp_ring D;
    cvp_ring_degree_init(&D);
    cvp_tensor_t X, K, Y;
    cvp_tensor_init(X), cvp_tensor_init(K), cvp_tensor_init(Y);
    degrees(X, &D, 3, (size_t[]){1, 3, 3}, 1);
    degrees(K, &D, 4, (size_t[]){1, 1, 2, 2}, 1);
    cvp_conv2d_params p = cvp_conv2d_params_default();
    cvp_fast_set_enabled(false);
    cvp_fast_path path;
    run_op(true, FORWARD, Y, X, K, NULL, NULL, &p, &path);
    cvp_fast_set_enabled(true);
    assert_int_equal(path, CVP_FAST_PATH_REFERENCE);
    for (size_t k = 0; k < Y->size; k++)
        assert_int_equal(at(Y, k), 2);
    cvp_tensor_clear(X), cvp_tensor_clear(K), cvp_tensor_clear(Y);
    cvp_ring_degree_clear(&D);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uniform_layers_equal_definitional),
        cmocka_unit_test(test_non_uniform_falls_back),
        cmocka_unit_test(test_padding_ring_by_hand),
        cmocka_unit_test(test_stride_gaps_by_hand),
        cmocka_unit_test(test_matmul_uniform),
        cmocka_unit_test(test_mults_are_counted_as_definitional),
        cmocka_unit_test(test_disabled_means_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
