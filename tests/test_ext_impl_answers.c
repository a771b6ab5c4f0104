/* test_ext_impl_answers.c -- the store of a proof file's gathered
 * implementation cases and their answers (ext/impl_answers.h): cases
 * matched by their exact inputs, each answer read from its own case's
 * files, answers kept only when they are what a run of the case alone
 * gives.  The commands are small /bin/sh lines. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "ext/impl.h"
#include "ext/impl_answers.h"
#include "ext/impl_run.h"
#include "testutil.h"
#include "testutil_impl.h"

static void test_answers(void **state)
{
    (void)state;
    cvp_impl_case a, b, c;
    cvp_impl_case_init(&a);
    cvp_impl_case_init(&b);
    cvp_impl_case_init(&c);
    /* conv2d 1x1 with weight 1 and bias 0: out = x */
    tu_small_conv(&a, 1, 2, 3, 4, 1, 0);
    tu_small_conv(&b, 1, 2, 3, 5, 1, 0);   /* one entry apart */
    tu_small_conv(&c, 1, 2, 3, 4, 1, 0);
    assert_true(cvp_impl_case_same(&a, &c));
    assert_false(cvp_impl_case_same(&a, &b));
    c.d.stride[0] = 2;                  /* same inputs, other dims */
    assert_false(cvp_impl_case_same(&a, &c));

    cvp_impl_answers store;
    cvp_impl_answers_init(&store);
    cvp_error e;
    tu_assert_ok(cvp_impl_answers_add(&store, 0, &a, &e), &e);
    tu_assert_ok(cvp_impl_answers_add(&store, 0, &b, &e), &e);
    tu_assert_ok(cvp_impl_answers_add(&store, 1, &a, &e), &e);
    assert_int_equal(store.pending, 3);
    assert_int_equal(store.pending_entries, 3 * 6);   /* x 4, weight 1, bias 1 */
    assert_ptr_equal(cvp_impl_answers_find(&store, 0, &b), &store.items[1]);
    assert_ptr_equal(cvp_impl_answers_find(&store, 1, &a), &store.items[2]);
    assert_null(cvp_impl_answers_find(&store, 1, &b));
    assert_null(cvp_impl_answers_find(&store, 0, &c));

    /* Each case's output is the copy of its own x: matched to its case. */
    cvp_impl_runner runner;
    cvp_impl_runner_init(&runner, "d=$(dirname \"$CONVPROOF_REQUEST\"); "
                         "cp \"$d/c0_x.npy\" \"$d/c0_out.npy\"; "
                         "cp \"$d/c1_x.npy\" \"$d/c1_out.npy\"", CVP_IMPL_NCHW);
    runner.batch = 2;
    tu_assert_ok(cvp_impl_answers_run(&store, 0, &runner, &e), &e);
    assert_int_equal(runner.runs, 1);
    assert_int_equal(store.pending, 1);
    assert_int_equal(store.pending_entries, 6);
    cvp_impl_answer *ra = cvp_impl_answers_find(&store, 0, &a);
    cvp_impl_answer *rb = cvp_impl_answers_find(&store, 0, &b);
    assert_true(ra != NULL && ra->answered && rb != NULL && rb->answered);
    assert_int_equal(ra->r.finding, CVP_IMPL_AGREES);
    assert_int_equal(rb->r.finding, CVP_IMPL_AGREES);
    assert_int_equal(ra->r.run_cases, 2);
    assert_true(cvp_tensor_equal(ra->r.outputs[0], a.inputs[0]));
    assert_true(cvp_tensor_equal(rb->r.outputs[0], b.inputs[0]));
    assert_false(cvp_tensor_equal(ra->r.outputs[0], rb->r.outputs[0]));

    /* A batch that exits 0 without outputs: "no output" with the run's
     * standard error is not what a run alone gives, so it is dropped. */
    tu_assert_ok(cvp_impl_answers_add(&store, 1, &b, &e), &e);
    cvp_impl_runner_init(&runner, "cat > /dev/null", CVP_IMPL_NCHW);
    runner.batch = 2;
    tu_assert_ok(cvp_impl_answers_run(&store, 1, &runner, &e), &e);
    assert_int_equal(runner.runs, 1);
    assert_int_equal(store.count, 2);
    assert_int_equal(store.pending, 0);
    assert_int_equal(store.pending_entries, 0);
    assert_null(cvp_impl_answers_find(&store, 1, &a));
    assert_null(cvp_impl_answers_find(&store, 1, &b));
    assert_non_null(cvp_impl_answers_find(&store, 0, &a));   /* kept */

    /* A batch that crashes is run again case by case: each crash is a
     * run of its own, kept. */
    tu_assert_ok(cvp_impl_answers_add(&store, 1, &a, &e), &e);
    tu_assert_ok(cvp_impl_answers_add(&store, 1, &b, &e), &e);
    cvp_impl_runner_init(&runner, "exit 1", CVP_IMPL_NCHW);
    runner.batch = 2;
    tu_assert_ok(cvp_impl_answers_run(&store, 1, &runner, &e), &e);
    assert_int_equal(runner.runs, 3);
    ra = cvp_impl_answers_find(&store, 1, &a);
    assert_true(ra != NULL && ra->answered);
    assert_int_equal(ra->r.finding, CVP_IMPL_CRASHED);
    assert_int_equal(ra->r.run_cases, 1);
    assert_int_equal(store.count, 4);

    cvp_impl_answers_clear(&store);
    assert_int_equal(store.count, 0);
    assert_null(cvp_impl_answers_find(&store, 0, &a));
    cvp_impl_case_clear(&a);
    cvp_impl_case_clear(&b);
    cvp_impl_case_clear(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_answers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
