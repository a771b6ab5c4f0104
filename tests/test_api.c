/* test_api.c -- the string API of src/api (api.h): reports, values and
 * errors as text, and the in-process implementation test with C
 * callbacks.  The expected texts are written out by hand. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"

static const char true_claim[] =
    "claim \"true\" {\n  dim M in 1..2\n  tensor X[M]\n  show X + X == 2 * X\n}\n";
static const char false_claim[] =
    "claim \"false\" {\n  dim M in 1..2\n  tensor X[M]\n  show X + X == 3 * X\n}\n";

static void test_check_text(void **state)
{
    (void)state;
    char *out = NULL;
    assert_int_equal(cvp_api_check_text(true_claim, "t.proof", "{\"seed\": 5}", &out), 0);
    assert_non_null(strstr(out, "\"seed\": \"5\""));
    assert_non_null(strstr(out, "\"summary\": {\"passed\": 1, \"tested\": 0, \"failed\": 0"));
    cvp_api_free(out);
    /* a false claim is a report, not an error; its counterexample X = [1] */
    assert_int_equal(cvp_api_check_text(false_claim, NULL, NULL, &out), 0);
    assert_non_null(strstr(out, "\"failed\": 1"));
    assert_non_null(strstr(out, "\"file\": \"<text>\""));
    assert_non_null(strstr(out, "\"lhs\": \"[2]"));
    assert_non_null(strstr(out, "\"rhs\": \"[3]"));
    cvp_api_free(out);
}

static void test_check_errors(void **state)
{
    (void)state;
    char *out = NULL;
    assert_int_equal(cvp_api_check_text("claim \"x\" {\n  show X +* X\n}\n", "e.proof",
                                        NULL, &out), 2);
    assert_memory_equal(out, "e.proof:2:", 10);
    cvp_api_free(out);
    assert_int_equal(cvp_api_check_text(true_claim, NULL, "{\"sead\": 1}", &out), 2);
    assert_string_equal(out, "options: unknown option 'sead'");
    cvp_api_free(out);
    assert_int_equal(cvp_api_check_text(true_claim, NULL, "[1]", &out), 2);
    assert_string_equal(out, "options: expected a JSON object, got an array");
    cvp_api_free(out);
    assert_int_equal(cvp_api_check_text("", NULL, NULL, &out), 2);
    assert_string_equal(out, "<text>: no claim to check");
    cvp_api_free(out);
    assert_int_equal(cvp_api_check_file("/nonexistent/a.proof", NULL, &out), 2);
    assert_non_null(strstr(out, "cannot read"));
    cvp_api_free(out);
}

static void test_eval(void **state)
{
    (void)state;
    char *out = NULL;
    /* [[1, 2], [3, 4]] / 3 and 1/2 + 1/3 = 5/6, by hand */
    assert_int_equal(cvp_api_eval("X / 3", "{\"X\": \"[[1, 2], [3, 4]]\"}", &out), 0);
    assert_string_equal(out, "{\"kind\":\"tensor\",\"shape\":[2,2],\"values\":"
                             "[\"1/3\",\"2/3\",\"1\",\"4/3\"]}");
    cvp_api_free(out);
    assert_int_equal(cvp_api_eval("A + 1/3", "{\"A\": \"1/2\"}", &out), 0);
    assert_string_equal(out, "{\"kind\":\"tensor\",\"shape\":[],\"values\":[\"5/6\"]}");
    cvp_api_free(out);
    assert_int_equal(cvp_api_eval("X +", NULL, &out), 2);
    assert_memory_equal(out, "<expr>:1:", 9);
    cvp_api_free(out);
    assert_int_equal(cvp_api_eval("X", "{\"X\": 3}", &out), 2);
    assert_non_null(strstr(out, "'X' must be a tensor in the text form"));
    cvp_api_free(out);
}

/* Implementations: one that raises, one that answers nothing, one that
 * names an output the operation does not have. */
static int calls;

static void impl_fails(void *ctx, const char *case_json, cvp_api_answer *a)
{
    (void)ctx;
    calls++;
    /* the case names its operation and inputs */
    assert_non_null(strstr(case_json, "\"op\":\"max_pool2d\""));
    assert_non_null(strstr(case_json, "\"x\":{\"shape\":["));
    cvp_api_answer_fail(a, "Traceback (most recent call last):\nValueError: boom");
}

static void impl_silent(void *ctx, const char *case_json, cvp_api_answer *a)
{
    (void)ctx;
    (void)case_json;
    calls++;
    assert_int_equal(cvp_api_answer_npy(a, "grad_weight", "", 0), 2);
}

static void test_impl(void **state)
{
    (void)state;
    char *out = NULL;
    calls = 0;
    assert_int_equal(cvp_api_test_impl("max_pool2d", "nhwc", "{\"trials\": 2, \"name\": \"f\"}",
                                       impl_fails, NULL, &out), 0);
    assert_true(calls > 0);
    assert_non_null(strstr(out, "\"title\": \"max_pool2d by 'f', layout nhwc\""));
    assert_non_null(strstr(out, "\"outcome\": \"failed\""));
    assert_non_null(strstr(out, "ValueError: boom"));
    assert_non_null(strstr(out, "the function raised an exception"));
    cvp_api_free(out);
    calls = 0;
    assert_int_equal(cvp_api_test_impl("conv2d", "nchw", "{\"trials\": 1, \"shrink\": false}",
                                       impl_silent, NULL, &out), 0);
    assert_true(calls > 0);
    assert_non_null(strstr(out, "\"outcome\": \"failed\""));
    assert_non_null(strstr(out, "no output"));
    cvp_api_free(out);
    assert_int_equal(cvp_api_test_impl("conv3d", "nchw", NULL, impl_silent, NULL, &out), 2);
    assert_non_null(strstr(out, "unknown operation 'conv3d'"));
    cvp_api_free(out);
    assert_int_equal(cvp_api_test_impl("conv2d", "nchw", "{\"values\": \"3..1\"}",
                                       impl_silent, NULL, &out), 2);
    assert_non_null(strstr(out, "'values' takes"));
    cvp_api_free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_text),
        cmocka_unit_test(test_check_errors),
        cmocka_unit_test(test_eval),
        cmocka_unit_test(test_impl),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
