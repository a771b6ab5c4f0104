/* test_check_forms.c -- cmocka tests of the `grad`/`jacobian` and
 * `mults`/`size` special forms as the checker uses them.
 *
 * The claims' expected outcomes and counterexamples are worked out by hand
 * in the comment beside each.  The multiplication counts of the cost
 * model are checked against a second method: a copy of the field Q whose
 * `mul` counts its calls.  test_check_verdicts.c tests the verdicts.
 */
#include "testutil.h"
#include "testutil_check.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check/check.h"
#include "check/verdict.h"
#include "kernel/conv2d.h"
#include "kernel/ring.h"
#include "kernel/tensor.h"
#include "kernel/textbook.h"
#include "lang/proof.h"

/* ---- grad and jacobian -------------------------------------------------- */

/* d/dx_k sum_i x_i^2 = 2 x_k. */
static void test_grad_of_sum_of_squares(void **state)
{
    (void)state;
    tu_check_run r;
    tu_run_text(&r,
                "claim \"the gradient of the squared norm\" {\n"
                "  dim M, N in 1..3\n"
                "  tensor X[M, N]\n"
                "  show grad(sum(X * X), X) == 2 * X\n"
                "  by exact, symbolic\n"
                "}\n");
    const cvp_claim_result *c = tu_only_claim(&r);
    assert_int_equal(c->outcome, CVP_OUTCOME_PASSED);
    assert_int_equal(tu_method_of(c, CVP_METHOD_EXACT)->outcome, CVP_OUTCOME_PASSED);
    assert_int_equal(tu_method_of(c, CVP_METHOD_SYMBOLIC)->outcome, CVP_OUTCOME_PASSED);
    assert_int_equal(tu_method_of(c, CVP_METHOD_SYMBOLIC)->shapes, 9);
    tu_run_clear(&r);
}

/* d/dx x^3 = 3x^2, not 3x: they agree at 0 and 1 only; at magnitude 1,
 * x = -1 gives 3 != -3.  Counterexample X = [-1] by both methods. */
#define WRONG_CUBE_DERIVATIVE(by)                                       \
    "claim \"a wrong derivative of the cube\" {\n"                      \
    "  tensor X[1]\n"                                                   \
    "  show grad(sum(X * X * X), X) == 3 * X\n"                         \
    "  by " by "\n"                                                     \
    "}\n"

static void test_grad_wrong_formula(void **state)
{
    (void)state;
    static const tu_claim_case cases[] = {
        {.text = WRONG_CUBE_DERIVATIVE("exact(trials=10)"),
         .outcome = CVP_OUTCOME_FAILED, .input = "[-1]", .lhs = "[3]",
         .rhs = "[-3]", .differences = "entry [0]: 3 != -3"},
        {.text = WRONG_CUBE_DERIVATIVE("symbolic"),
         .outcome = CVP_OUTCOME_FAILED, .input = "[-1]", .lhs = "[3]",
         .rhs = "[-3]", .differences = "entry [0]: 3 != -3"},
    };
    tu_check_claim_cases(cases, sizeof cases / sizeof cases[0]);
}

/* The derivative of sum(relu(X)) is 1 where x > 0 and 0 where x < 0, and
 * does not exist where some x is 0.  For integers, relu(x) - relu(x - 1)
 * is 1 for x >= 1 and 0 for x <= 0.  As an equation with grad the claim
 * fails at the first instance with a 0 (the first instance is drawn from
 * -1..1); shrunk, that is X = [0, 0], and the message names the ReLU at 0.
 * As a membership in the set of the active pieces' gradients it holds
 * everywhere (at 0 the set is [0, 1] per entry).  A false formula seen
 * only at the kink (5x + 7 = 7 at x = 0) is outside the set: it fails. */
static void test_grad_relu_kinks(void **state)
{
    (void)state;
    static const tu_claim_case cases[] = {
        {.text = "claim \"the gradient of relu\" {\n"
                 "  tensor X[2] values -1..1\n"
                 "  show grad(sum(relu(X)), X) == relu(X) - relu(X - 1)\n"
                 "  by exact(trials=20)\n"
                 "}\n",
         .outcome = CVP_OUTCOME_FAILED, .input = "[0, 0]",
         .differences_has = {"no derivative at this point: a ReLU", "subgrad"}},
        /* exact alone: TESTED */
        {.text = "claim \"the step function is in the derivative of relu\" {\n"
                 "  tensor X[2] values -1..1\n"
                 "  show relu(X) - relu(X - 1) in subgrad(sum(relu(X)), X)\n"
                 "  by exact(trials=20)\n"
                 "}\n",
         .outcome = CVP_OUTCOME_TESTED, .instances = 20},
        /* on positive inputs the gradient is all ones: no kink */
        {.text = "claim \"the gradient of relu on positive inputs\" {\n"
                 "  tensor X[2] values 1..3\n"
                 "  show grad(sum(relu(X)), X) == [1, 1]\n"
                 "  by exact\n"
                 "}\n",
         .outcome = CVP_OUTCOME_TESTED, .instances = 3},
        /* ties=1: every instance is redrawn until it meets a kink */
        {.text = "claim \"relu_backward is in the set\" {\n"
                 "  tensor X[3] values -5..5\n"
                 "  tensor G[3] values -5..5\n"
                 "  show relu_backward(X, G) in subgrad(sum(relu(X) * G), X)\n"
                 "  by exact(trials=4, ties=1)\n"
                 "}\n",
         .outcome = CVP_OUTCOME_TESTED,
         .evidence_has = {"until it met a kink", "0 met none in 64 draws"}},
        /* symbolic cannot differentiate relu: not applicable, and since
         * the claim names it, undecided */
        {.text = "claim \"the gradient of relu, symbolically\" {\n"
                 "  tensor X[2]\n"
                 "  show grad(sum(relu(X)), X) == relu(X) - relu(X - 1)\n"
                 "  by symbolic\n"
                 "}\n",
         .outcome = CVP_OUTCOME_UNDECIDED, .method_stated = true,
         .method_outcome = CVP_OUTCOME_NOT_APPLICABLE},
    };
    tu_check_claim_cases(cases, sizeof cases / sizeof cases[0]);

    /* every instance on the kink: a false formula is outside the set */
    tu_check_run r;
    tu_run_text(&r,
                "claim \"a false gradient seen only at the kink\" {\n"
                "  tensor X[2] values 0..0\n"
                "  show 5 * X + 7 in subgrad(sum(relu(X)), X)\n"
                "  by exact\n"
                "}\n");
    const cvp_claim_result *c = tu_only_claim(&r);
    assert_int_equal(c->outcome, CVP_OUTCOME_FAILED);
    assert_non_null(c->methods[0].counterexample);
    size_t passed, undecided;
    cvp_report_counts(&r.report, &passed, NULL, &undecided);
    assert_int_equal(passed, 0);
    tu_run_clear(&r);
}

/* jacobian(Y, X) has rows vec(Y) and columns vec(X).  For Y = 2X it is
 * 2I.  For Y = X*X (elementwise), d(x_r^2)/dx_k = 2 x_r [r == k], i.e.
 * diag(2 x0, 2 x1); on the right, [[2, 0], [0, 2]] * X broadcasts X along
 * the rows, entry (r, k) = 2 [r == k] x_k: the same matrix. */
static void test_jacobian(void **state)
{
    (void)state;
    tu_check_run r;
    tu_run_text(&r,
                "claim \"the jacobian of doubling\" {\n"
                "  tensor X[2]\n"
                "  show jacobian(2 * X, X) == 2 * [[1, 0], [0, 1]]\n"
                "  show jacobian(X * X, X) == [[2, 0], [0, 2]] * X\n"
                "  by exact, symbolic\n"
                "}\n");
    const cvp_claim_result *c = tu_only_claim(&r);
    assert_int_equal(c->outcome, CVP_OUTCOME_PASSED);
    assert_int_equal(tu_method_of(c, CVP_METHOD_EXACT)->outcome, CVP_OUTCOME_PASSED);
    assert_int_equal(tu_method_of(c, CVP_METHOD_SYMBOLIC)->outcome, CVP_OUTCOME_PASSED);
    tu_run_clear(&r);

    /* A wrong matrix: the sides do not depend on X, so every entry of the
     * counterexample shrinks to 0.  jacobian(2X, X) = [[2, 0], [0, 2]]
     * differs from [[2, 0], [2, 0]] in row 1. */
    static const tu_claim_case wrong = {
        .text = "claim \"a wrong jacobian of doubling\" {\n"
                "  tensor X[2]\n"
                "  show jacobian(2 * X, X) == [[2, 0], [2, 0]]\n"
                "  by symbolic\n"
                "}\n",
        .outcome = CVP_OUTCOME_FAILED, .shapeless = true, .input = "[0, 0]",
        .lhs = "[[2, 0], [0, 2]]", .rhs = "[[2, 0], [2, 0]]",
        .differences = "entry [1,0]: 0 != 2\nentry [1,1]: 2 != 0"};
    tu_check_claim_case(&wrong, "a wrong jacobian");
}

/* ---- mults and size: the cost model against a direct count ------------ */

/* A copy of Q whose multiplication counts its calls. */
static unsigned long counted_mults;

static void counting_mul(cvp_ring *R, void *r, const void *a, const void *b)
{
    counted_mults++;
    cvp_ring_q.mul(R, r, a, b);
}

static void counting_ring_init(cvp_ring *R)
{
    *R = cvp_ring_q;
    R->name = "counting Q";
    R->mul = counting_mul;
    R->model_mults = 0;
    R->mults_overflow = false;
    R->failure = CVP_OK;
    R->failure_message[0] = '\0';
}

static void counting_reset(cvp_ring *R)
{
    counted_mults = 0;
    R->model_mults = 0;
}

/* t := a tensor of ring R with entries 1, 2, 3, ... */
static void counting_tensor(cvp_tensor_t t, cvp_ring *R, int rank,
                            const size_t *shape)
{
    cvp_error err;
    cvp_tensor_init_ring(t, R);
    tu_assert_ok(cvp_tensor_resize(t, rank, shape, &err), &err);
    for (size_t k = 0; k < t->size; k++)
        mpq_set_si(cvp_tensor_elem(t, k), (long)(k % 7) + 1, 1);
}

/* Asserts counted == model == want, then resets both counters. */
static void expect_mults(cvp_ring *R, unsigned long want)
{
    assert_false(R->mults_overflow);
    assert_int_equal(counted_mults, want);
    assert_int_equal(R->model_mults, want);
    counting_reset(R);
}

static void test_mults_count_matches_model(void **state)
{
    (void)state;
    cvp_ring R;
    counting_ring_init(&R);
    cvp_error err;
    cvp_tensor_t X, K, Y, A, B;
    cvp_tensor_init(Y);

    /* conv2d without padding, groups 2: N=2, C=4, H=5, W=6; O=6, C/g=2,
     * kH=3, kW=2; Ho = 5-3+1 = 3, Wo = 6-2+1 = 5.
     * N*O*Ho*Wo*(C/g)*kH*kW = 2*6*3*5*2*3*2 = 2160. */
    counting_tensor(X, &R, 4, (size_t[]){2, 4, 5, 6});
    counting_tensor(K, &R, 4, (size_t[]){6, 2, 3, 2});
    cvp_conv2d_params p = cvp_conv2d_params_default();
    p.groups = 2;
    counting_reset(&R);
    tu_assert_ok(cvp_conv2d(Y, X, K, NULL, &p, &err), &err);
    assert_int_equal(Y->rank, 4);
    assert_int_equal(Y->shape[2], 3);
    assert_int_equal(Y->shape[3], 5);
    expect_mults(&R, 2160);

    /* stride (2, 1), dilation (1, 2): Ho = (5 - 1*2 - 1)/2 + 1 = 2,
     * Wo = (6 - 2*1 - 1)/1 + 1 = 4: 2*6*2*4*2*3*2 = 1152; no padding, so
     * every tap is inside X and the loop performs all of them. */
    p.stride[0] = 2;
    p.dilation[1] = 2;
    tu_assert_ok(cvp_conv2d(Y, X, K, NULL, &p, &err), &err);
    assert_int_equal(Y->shape[2], 2);
    assert_int_equal(Y->shape[3], 4);
    expect_mults(&R, 1152);
    cvp_tensor_clear(X);
    cvp_tensor_clear(K);

    /* xcorr: W 2x3 over X 4x5: output 3x3, 3*3*2*3 = 54. */
    counting_tensor(K, &R, 2, (size_t[]){2, 3});
    counting_tensor(X, &R, 2, (size_t[]){4, 5});
    counting_reset(&R);
    tu_assert_ok(cvp_xcorr(Y, K, X, 1, 1, 1, 1, &err), &err);
    expect_mults(&R, 54);
    cvp_tensor_clear(K);
    cvp_tensor_clear(X);

    /* xcorr, stride 2, dilation 2: W 2x2 over X 5x5: output rows
     * (5 - 2*1 - 1)/2 + 1 = 2, likewise 2 columns: 2*2*2*2 = 16. */
    counting_tensor(K, &R, 2, (size_t[]){2, 2});
    counting_tensor(X, &R, 2, (size_t[]){5, 5});
    counting_reset(&R);
    tu_assert_ok(cvp_xcorr(Y, K, X, 2, 2, 2, 2, &err), &err);
    assert_int_equal(Y->shape[0], 2);
    expect_mults(&R, 16);
    cvp_tensor_clear(K);
    cvp_tensor_clear(X);

    /* matmul [3,4] @ [4,5]: 3*5*4 = 60; [4] @ [4,5]: 5*4 = 20. */
    counting_tensor(A, &R, 2, (size_t[]){3, 4});
    counting_tensor(B, &R, 2, (size_t[]){4, 5});
    counting_reset(&R);
    tu_assert_ok(cvp_tensor_matmul(Y, A, B, &err), &err);
    expect_mults(&R, 60);
    cvp_tensor_clear(A);
    counting_tensor(A, &R, 1, (size_t[]){4});
    counting_reset(&R);
    tu_assert_ok(cvp_tensor_matmul(Y, A, B, &err), &err);
    expect_mults(&R, 20);
    cvp_tensor_clear(A);
    cvp_tensor_clear(B);

    /* elementwise [2,3] * [2,3]: 6; [2,3] * [3] broadcast: 6; + is free. */
    counting_tensor(A, &R, 2, (size_t[]){2, 3});
    counting_tensor(B, &R, 2, (size_t[]){2, 3});
    counting_reset(&R);
    tu_assert_ok(cvp_tensor_mul(Y, A, B, &err), &err);
    expect_mults(&R, 6);
    tu_assert_ok(cvp_tensor_add(Y, A, B, &err), &err);
    expect_mults(&R, 0);
    cvp_tensor_clear(B);
    counting_tensor(B, &R, 1, (size_t[]){3});
    counting_reset(&R);
    tu_assert_ok(cvp_tensor_mul(Y, A, B, &err), &err);
    expect_mults(&R, 6);
    cvp_tensor_clear(A);
    cvp_tensor_clear(B);

    cvp_tensor_clear(Y);
}

/* With padding the loop skips the taps that fall on padded zeros while
 * the model counts them (the count of exercise 5-4).  conv2d of a 3x3
 * image with a 3x3 kernel, padding 1: output 3x3, model 3*3*3*3 = 81.
 * Taps inside the image: along one axis output i sees input i+u-1 for
 * u = 0..2, inside for 2 + 3 + 2 = 7 of the 9 (i, u) pairs; both axes:
 * 7*7 = 49 multiplications performed.  With stride 2 on a 4x4 image:
 * output (4+2-3)/2 + 1 = 2 per axis, model 2*2*9 = 36; along one axis
 * output 0 sees inputs -1..1 (2 inside), output 1 sees 1..3 (3 inside):
 * 5*5 = 25 performed.  The wide cross-correlation pads too: W 2x2 with
 * X 2x2 gives a 3x3 output, model 3*3*2*2 = 36, but each entry of W
 * meets each entry of X exactly once: 2*2*2*2 = 16 performed. */
static void test_mults_padding_counted_by_model_only(void **state)
{
    (void)state;
    cvp_ring R;
    counting_ring_init(&R);
    cvp_error err;
    cvp_tensor_t X, K, Y;
    cvp_tensor_init(Y);
    cvp_conv2d_params p = cvp_conv2d_params_default();
    p.padding[0] = p.padding[1] = 1;

    counting_tensor(X, &R, 4, (size_t[]){1, 1, 3, 3});
    counting_tensor(K, &R, 4, (size_t[]){1, 1, 3, 3});
    counting_reset(&R);
    tu_assert_ok(cvp_conv2d(Y, X, K, NULL, &p, &err), &err);
    assert_int_equal(counted_mults, 49);
    assert_int_equal(R.model_mults, 81);
    assert_true(counted_mults < R.model_mults);
    cvp_tensor_clear(X);

    counting_tensor(X, &R, 4, (size_t[]){1, 1, 4, 4});
    counting_reset(&R);
    p.stride[0] = p.stride[1] = 2;
    tu_assert_ok(cvp_conv2d(Y, X, K, NULL, &p, &err), &err);
    assert_int_equal(Y->shape[2], 2);
    assert_int_equal(counted_mults, 25);
    assert_int_equal(R.model_mults, 36);
    cvp_tensor_clear(X);
    cvp_tensor_clear(K);

    counting_tensor(K, &R, 2, (size_t[]){2, 2});
    counting_tensor(X, &R, 2, (size_t[]){2, 2});
    counting_reset(&R);
    tu_assert_ok(cvp_wide(Y, K, X, &err), &err);
    assert_int_equal(counted_mults, 16);
    assert_int_equal(R.model_mults, 36);
    cvp_tensor_clear(X);
    cvp_tensor_clear(K);
    cvp_tensor_clear(Y);
}

/* The same counts through the language: mults() and size() as the
 * checker evaluates them. */
static void test_mults_and_size_in_proofs(void **state)
{
    (void)state;
    tu_check_run r;
    tu_run_text(&r,
                "claim \"costs of small operators\" {\n"
                "  tensor X[1, 1, 3, 3]\n"
                "  tensor K[1, 1, 3, 3]\n"
                "  tensor A[3, 4]\n"
                "  tensor B[4, 5]\n"
                "  tensor P[2, 3]\n"
                "  tensor Q[3]\n"
                "  tensor G[2, 4, 5, 6]\n"
                "  tensor H[6, 2, 3, 2]\n"
                "  show mults(conv2d(X, K, padding=1)) == 81\n"
                "  show mults(conv2d(X, K)) == 9\n"
                "  show mults(conv2d(G, H, groups=2)) == 2160\n"
                "  show mults(A @ B) == 60\n"
                "  show mults(P * Q) == 6\n"
                "  show mults(P + Q) == 0\n"
                "  show mults(A @ B + A @ B) == 120\n"
                "  show size(conv2d(X, K, padding=1)) == 9\n"
                "  show size(A @ B) == 15\n"
                "  by exact(trials=1)\n"
                "}\n");
    const cvp_claim_result *c = tu_only_claim(&r);
    assert_int_equal(c->outcome, CVP_OUTCOME_TESTED);   /* exact alone */
    tu_run_clear(&r);
}

/* Exercise 5-4: C_out*H*W*C_in*3*3 = 256*100*100*256*9 = 5,898,240,000,
 * counted by the model without evaluating the layer (which would take
 * about 6e9 rational multiplications). */
static void test_mults_exercise_5_4(void **state)
{
    (void)state;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    tu_check_run r;
    tu_run_text(&r,
                "claim \"exercise 5-4: the direct 3x3 convolution\" {\n"
                "  tensor X[1, 256, 100, 100]\n"
                "  tensor K[256, 256, 3, 3]\n"
                "  show mults(conv2d(X, K, padding=1)) == 5898240000\n"
                "  by exact(trials=1)\n"
                "}\n");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    const cvp_claim_result *c = tu_only_claim(&r);
    assert_int_equal(c->outcome, CVP_OUTCOME_TESTED);   /* exact alone */
    assert_int_equal(c->methods[0].outcome, CVP_OUTCOME_PASSED);
    assert_int_equal(c->methods[0].instances, 1);
    /* generous: it takes about a second (mostly building the 3.1 million
     * input entries), several minutes if the layer were evaluated; the
     * bound leaves room for valgrind */
    double seconds = (double)(t1.tv_sec - t0.tv_sec)
                     + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    assert_true(seconds < 240.0);
    tu_run_clear(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grad_of_sum_of_squares),
        cmocka_unit_test(test_grad_wrong_formula),
        cmocka_unit_test(test_grad_relu_kinks),
        cmocka_unit_test(test_jacobian),
        cmocka_unit_test(test_mults_count_matches_model),
        cmocka_unit_test(test_mults_padding_counted_by_model_only),
        cmocka_unit_test(test_mults_and_size_in_proofs),
        cmocka_unit_test(test_mults_exercise_5_4),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
