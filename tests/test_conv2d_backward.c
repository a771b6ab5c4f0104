/* test_conv2d_backward.c -- the gradients of conv2d to input, weight and
 * bias.
 *
 * Expected values come from hand arithmetic (in the comments) or from the
 * Jacobians of conv2d probed column by column (conv2d is linear in X, in K,
 * and -- at X = 0 -- in the bias): the backward pass must be J^T vec(G).
 * The input gradient is also compared with conv_transpose2d, and the
 * bilinear identity <conv2d(X, K), G> = <X, dX> = <K, dK> is checked. */
#include "testutil.h"

#include <string.h>

#include "kernel/conv2d.h"
#include "kernel/conv2d_backward.h"

#define CASES 30

/* ---- hand examples ------------------------------------------------- */

#define VALID_X .x_rank = 4, .x_shape = {1, 1, 3, 3}, .x = "1 2 3 4 5 6 7 8 9", \
        .k_shape = {1, 1, 2, 2}, .k = "1 0 0 -1",                            \
        .g_rank = 4, .g_shape = {1, 1, 2, 2}, .g = "1 2 3 4"

static void test_backward_hand_valid_conv(void **state)
{
    (void)state;
    static const tu_conv_hand rows[] = {
        /* Y[i,j] = X[i,j] - X[i+1,j+1], so dX[h,w] = G[h,w] - G[h-1,w-1]
         * (terms outside G are 0):
         *   row 0: G00=1, G01=2, 0
         *   row 1: G10=3, G11-G00 = 3, -G01 = -2
         *   row 2: 0, -G10 = -3, -G11 = -4 */
        {.op = TU_CONV2D_BACKWARD_INPUT, VALID_X,
         .y_rank = 4, .y_shape = {1, 1, 3, 3}, .y = "1 2 0   3 3 -2   0 -3 -4"},
        /* dK[u,v] = sum_ij G[i,j] X[i+u, j+v]:
         *   dK00 = 1*1 + 2*2 + 3*4 + 4*5 = 37   dK01 = 1*2 + 2*3 + 3*5 + 4*6 = 47
         *   dK10 = 1*4 + 2*5 + 3*7 + 4*8 = 67   dK11 = 1*5 + 2*6 + 3*8 + 4*9 = 77 */
        {.op = TU_CONV2D_BACKWARD_WEIGHT, VALID_X,
         .y_rank = 4, .y_shape = {1, 1, 2, 2}, .y = "37 47 67 77"},
        /* dbias = 1 + 2 + 3 + 4 = 10 */
        {.op = TU_CONV2D_BACKWARD_BIAS, VALID_X,
         .y_rank = 1, .y_shape = {1}, .y = "10"},
    };
    tu_check_conv_hands(rows, sizeof rows / sizeof rows[0]);
}

#define STRIDED_X .x_rank = 3, .x_shape = {1, 3, 3}, .x = "1 2 3 4 5 6 7 8 9", \
        .k_shape = {1, 1, 2, 2}, .k = "1 0 0 -1",                              \
        .g_rank = 3, .g_shape = {1, 2, 2}, .g = "1 2 3 4",                      \
        .stride = {2, 2}, .padding = {1, 1}

static void test_backward_hand_stride2_padding1(void **state)
{
    (void)state;
    static const tu_conv_hand rows[] = {
        /* With Xp[a,b] = X[a-1,b-1]: Y[i,j] = Xp[2i,2j] - Xp[2i+1,2j+1]
         * = X[2i-1,2j-1] - X[2i,2j].  So G[i,j] goes +1 to (2i-1,2j-1) --
         * only (1,1) from G11 = 4 -- and -1 to (2i,2j): (0,0) -1, (0,2) -2,
         * (2,0) -3, (2,2) -4. */
        {.op = TU_CONV2D_BACKWARD_INPUT, STRIDED_X,
         .y_rank = 3, .y_shape = {1, 3, 3}, .y = "-1 0 -2   0 4 0   -3 0 -4"},
        /* dK[u,v] = sum_ij G[i,j] Xp[2i+u, 2j+v]:
         *   dK00: only Xp22 = X11 = 5 is inside: 4*5 = 20
         *   dK01: Xp21 = X10 = 4 (G10), Xp23 = X12 = 6 (G11): 3*4 + 4*6 = 36
         *   dK10: Xp12 = X01 = 2 (G01), Xp32 = X21 = 8 (G11): 2*2 + 4*8 = 36
         *   dK11: X00, X02, X20, X22: 1*1 + 2*3 + 3*7 + 4*9 = 64 */
        {.op = TU_CONV2D_BACKWARD_WEIGHT, STRIDED_X,
         .y_rank = 4, .y_shape = {1, 1, 2, 2}, .y = "20 36 36 64"},
    };
    tu_check_conv_hands(rows, sizeof rows / sizeof rows[0]);
}

/* N = 2, C = 2, 1 x 2 images, groups 2, 1x1 kernels [3] and [-1]:
 * Y[n,0] = 3 X[n,0], Y[n,1] = -X[n,1]. */
#define GROUPED_X .x_rank = 4, .x_shape = {2, 2, 1, 2}, .x = "1 2 3 4 5 6 7 8", \
        .k_shape = {2, 1, 1, 1}, .k = "3 -1",                                  \
        .g_rank = 4, .g_shape = {2, 2, 1, 2}, .g = "1 -1 2 5 0 3 -2 4",         \
        .groups = 2

static void test_backward_hand_groups_and_batch(void **state)
{
    (void)state;
    static const tu_conv_hand rows[] = {
        /* dX[n,0] = 3 G[n,0], dX[n,1] = -G[n,1] */
        {.op = TU_CONV2D_BACKWARD_INPUT, GROUPED_X,
         .y_rank = 4, .y_shape = {2, 2, 1, 2}, .y = "3 -3 -2 -5 0 9 2 -4"},
        /* dK[0] = sum_n <G[n,0], X[n,0]> = (1*1 - 1*2) + (0*5 + 3*6) = -1 + 18 = 17
         * dK[1] = sum_n <G[n,1], X[n,1]> = (2*3 + 5*4) + (-2*7 + 4*8) = 26 + 18 = 44 */
        {.op = TU_CONV2D_BACKWARD_WEIGHT, GROUPED_X,
         .y_rank = 4, .y_shape = {2, 1, 1, 1}, .y = "17 44"},
        /* dbias[0] = 1 - 1 + 0 + 3 = 3, dbias[1] = 2 + 5 - 2 + 4 = 9 */
        {.op = TU_CONV2D_BACKWARD_BIAS, GROUPED_X,
         .y_rank = 1, .y_shape = {2}, .y = "3 9"},
    };
    tu_check_conv_hands(rows, sizeof rows / sizeof rows[0]);
}

/* ---- the probed Jacobians over random configurations ----------------- */

static void test_backward_input_is_transpose_of_probed_jacobian(void **state)
{
    (void)state;
    cvp_error err;
    cvp_rng rng;
    cvp_rng_seed(&rng, 701);
    cvp_tensor_t X, K, G, Y, D, E, T;
    cvp_tensor_init(X), cvp_tensor_init(K), cvp_tensor_init(G), cvp_tensor_init(Y);
    cvp_tensor_init(D), cvp_tensor_init(E), cvp_tensor_init(T);
    cvp_sparse_t J;
    cvp_sparse_init(J, 0, 0);
    mpq_t lhs, rhs;
    mpq_init(lhs), mpq_init(rhs);
    for (int t = 0; t < CASES; t++) {
        tu_conv_case cc;
        tu_random_conv_operands(&cc, &rng, X, K, G);
        tu_conv_context ctx = {X, K, &cc.p};
        tu_jacobian_by_probing(J, tu_conv2d_of_input, &ctx, X);
        tu_transpose_apply(E, J, G, X);
        tu_assert_ok(cvp_conv2d_backward_input(D, X, K, G, &cc.p, &err), &err);
        tu_assert_equal_case(D, E, &cc);
        /* the adjoint loop of conv_transpose2d agrees */
        cvp_conv2d_params p = cc.p;
        p.output_padding[0] = (cc.H + 2 * p.padding[0] - p.dilation[0] * (cc.kH - 1) - 1) %
                              p.stride[0];
        p.output_padding[1] = (cc.W + 2 * p.padding[1] - p.dilation[1] * (cc.kW - 1) - 1) %
                              p.stride[1];
        tu_assert_ok(cvp_conv_transpose2d(T, G, K, NULL, &p, &err), &err);
        tu_assert_equal_case(D, T, &cc);
        /* <conv2d(X, K), G> = <X, dX> */
        tu_assert_ok(cvp_conv2d(Y, X, K, NULL, &cc.p, &err), &err);
        tu_dot(lhs, Y, G);
        tu_dot(rhs, X, D);
        assert_true(mpq_equal(lhs, rhs));
    }
    mpq_clear(lhs), mpq_clear(rhs);
    cvp_sparse_clear(J);
    cvp_tensor_clear(X), cvp_tensor_clear(K), cvp_tensor_clear(G), cvp_tensor_clear(Y);
    cvp_tensor_clear(D), cvp_tensor_clear(E), cvp_tensor_clear(T);
}

static void test_backward_weight_is_transpose_of_probed_jacobian(void **state)
{
    (void)state;
    cvp_error err;
    cvp_rng rng;
    cvp_rng_seed(&rng, 702);
    cvp_tensor_t X, K, G, Y, D, E;
    cvp_tensor_init(X), cvp_tensor_init(K), cvp_tensor_init(G), cvp_tensor_init(Y);
    cvp_tensor_init(D), cvp_tensor_init(E);
    cvp_sparse_t J;
    cvp_sparse_init(J, 0, 0);
    mpq_t lhs, rhs;
    mpq_init(lhs), mpq_init(rhs);
    for (int t = 0; t < CASES; t++) {
        tu_conv_case cc;
        tu_random_conv_operands(&cc, &rng, X, K, G);
        tu_conv_context ctx = {X, K, &cc.p};
        tu_jacobian_by_probing(J, tu_conv2d_of_weight, &ctx, K);
        tu_transpose_apply(E, J, G, K);
        tu_assert_ok(cvp_conv2d_backward_weight(D, X, K, G, &cc.p, &err), &err);
        tu_assert_equal_case(D, E, &cc);
        /* <conv2d(X, K), G> = <K, dK> */
        tu_assert_ok(cvp_conv2d(Y, X, K, NULL, &cc.p, &err), &err);
        tu_dot(lhs, Y, G);
        tu_dot(rhs, K, D);
        assert_true(mpq_equal(lhs, rhs));
    }
    mpq_clear(lhs), mpq_clear(rhs);
    cvp_sparse_clear(J);
    cvp_tensor_clear(X), cvp_tensor_clear(K), cvp_tensor_clear(G), cvp_tensor_clear(Y);
    cvp_tensor_clear(D), cvp_tensor_clear(E);
}

static void test_backward_bias_is_transpose_of_probed_jacobian(void **state)
{
    (void)state;
    cvp_error err;
    cvp_rng rng;
    cvp_rng_seed(&rng, 703);
    cvp_tensor_t X0, K, b, G, D, E;
    cvp_tensor_init(X0), cvp_tensor_init(K), cvp_tensor_init(b), cvp_tensor_init(G);
    cvp_tensor_init(D), cvp_tensor_init(E);
    cvp_sparse_t J;
    cvp_sparse_init(J, 0, 0);
    for (int t = 0; t < CASES; t++) {
        tu_conv_case cc;
        tu_random_conv_case(&cc, &rng);
        tu_zeros(X0, cc.rank, cc.x_shape);
        tu_random(K, &rng, 4, cc.k_shape, -9, 9);
        tu_zeros(b, 1, &cc.O);
        tu_random(G, &rng, cc.rank, cc.y_shape, -9, 9);
        tu_conv_context ctx = {X0, K, &cc.p};
        tu_jacobian_by_probing(J, tu_conv2d_of_bias, &ctx, b);
        tu_transpose_apply(E, J, G, b);
        tu_assert_ok(cvp_conv2d_backward_bias(D, G, &err), &err);
        tu_assert_equal_case(D, E, &cc);
    }
    cvp_sparse_clear(J);
    cvp_tensor_clear(X0), cvp_tensor_clear(K), cvp_tensor_clear(b), cvp_tensor_clear(G);
    cvp_tensor_clear(D), cvp_tensor_clear(E);
}

/* ---- errors and aliasing ------------------------------------------- */

static void test_backward_errors_name_the_argument(void **state)
{
    (void)state;
    cvp_error err;
    cvp_tensor_t X, K, G, D;
    cvp_tensor_init(X), cvp_tensor_init(K), cvp_tensor_init(G), cvp_tensor_init(D);
    cvp_conv2d_params p = cvp_conv2d_params_default();
    tu_zeros(X, 4, (size_t[]){1, 2, 4, 4});
    tu_zeros(K, 4, (size_t[]){3, 2, 3, 3});   /* output [1, 3, 2, 2] */
    tu_zeros(G, 4, (size_t[]){1, 3, 2, 3});
    tu_assert_fails(cvp_conv2d_backward_input(D, X, K, G, &p, &err), &err, CVP_ERR_INPUT,
                    "conv2d_backward_input: the gradient G has shape [1, 3, 2, 3] but "
                    "conv2d's output has shape [1, 3, 2, 2]");
    tu_zeros(G, 3, (size_t[]){3, 2, 2});   /* unbatched G for batched X */
    tu_assert_fails(cvp_conv2d_backward_weight(D, X, K, G, &p, &err), &err,
                    CVP_ERR_INPUT, "conv2d_backward_weight: the gradient G has shape "
                    "[3, 2, 2]");
    tu_zeros(G, 4, (size_t[]){1, 2, 2, 2});   /* 2 channels instead of 3 */
    tu_assert_fails(cvp_conv2d_backward_weight(D, X, K, G, &p, &err), &err,
                    CVP_ERR_INPUT, "has shape [1, 2, 2, 2]");
    tu_zeros(K, 4, (size_t[]){3, 1, 3, 3});   /* channel mismatch */
    tu_zeros(G, 4, (size_t[]){1, 3, 2, 2});
    tu_assert_fails(cvp_conv2d_backward_input(D, X, K, G, &p, &err), &err, CVP_ERR_INPUT,
                    "conv2d_backward_input: dimension 1 of K (weight) is 1");
    tu_zeros(G, 2, (size_t[]){2, 2});
    tu_assert_fails(cvp_conv2d_backward_bias(D, G, &err), &err, CVP_ERR_INPUT,
                    "the gradient G must have rank 4 (N, O, H, W) or 3");
    cvp_tensor_clear(X), cvp_tensor_clear(K), cvp_tensor_clear(G), cvp_tensor_clear(D);
}

static void test_backward_output_may_alias_any_input(void **state)
{
    (void)state;
    cvp_error err;
    cvp_rng rng;
    cvp_rng_seed(&rng, 704);
    cvp_tensor_t X, K, G, E, A;
    cvp_tensor_init(X), cvp_tensor_init(K), cvp_tensor_init(G);
    cvp_tensor_init(E), cvp_tensor_init(A);
    for (int t = 0; t < 10; t++) {
        tu_conv_case cc;
        tu_random_conv_operands(&cc, &rng, X, K, G);
        for (int which = 0; which < 2; which++) {
            cvp_status (*grad)(cvp_tensor_ptr, const cvp_tensor_struct *,
                               const cvp_tensor_struct *, const cvp_tensor_struct *,
                               const cvp_conv2d_params *, cvp_error *) =
                which == 0 ? cvp_conv2d_backward_input : cvp_conv2d_backward_weight;
            tu_assert_ok(grad(E, X, K, G, &cc.p, &err), &err);
            tu_assert_ok(cvp_tensor_set(A, X, &err), &err);
            tu_assert_ok(grad(A, A, K, G, &cc.p, &err), &err);
            tu_assert_equal_case(A, E, &cc);
            tu_assert_ok(cvp_tensor_set(A, K, &err), &err);
            tu_assert_ok(grad(A, X, A, G, &cc.p, &err), &err);
            tu_assert_equal_case(A, E, &cc);
            tu_assert_ok(cvp_tensor_set(A, G, &err), &err);
            tu_assert_ok(grad(A, X, K, A, &cc.p, &err), &err);
            tu_assert_equal_case(A, E, &cc);
        }
        tu_assert_ok(cvp_conv2d_backward_bias(E, G, &err), &err);
        tu_assert_ok(cvp_conv2d_backward_bias(G, G, &err), &err);
        tu_assert_equal_case(G, E, &cc);
    }
    cvp_tensor_clear(X), cvp_tensor_clear(K), cvp_tensor_clear(G);
    cvp_tensor_clear(E), cvp_tensor_clear(A);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backward_hand_valid_conv),
        cmocka_unit_test(test_backward_hand_stride2_padding1),
        cmocka_unit_test(test_backward_hand_groups_and_batch),
        cmocka_unit_test(test_backward_input_is_transpose_of_probed_jacobian),
        cmocka_unit_test(test_backward_weight_is_transpose_of_probed_jacobian),
        cmocka_unit_test(test_backward_bias_is_transpose_of_probed_jacobian),
        cmocka_unit_test(test_backward_errors_name_the_argument),
        cmocka_unit_test(test_backward_output_may_alias_any_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
