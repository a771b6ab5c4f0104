/* test_ext_impl.c -- `convproof test-impl` inside the library: layouts,
 * dimensions, the sweep, judging, shrinking, the report mapping (with an
 * in-process fake implementation whose bugs are known), and the external
 * runner (with small /bin/sh commands that crash, hang, write nothing or
 * write garbage).
 *
 * Expected values are worked out by hand in the comments; the minimal
 * failing cases were derived from the bugs, not copied from the shrinker.
 * Run under valgrind by make check-valgrind. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check/verdict.h"
#include "ext/compare.h"
#include "ext/impl.h"
#include "ext/impl_run.h"
#include "kernel/pool.h"
#include "testutil.h"

/* ---- layouts and dimensions ------------------------------------------ */

static cvp_impl_dims example_dims(void)
{
    cvp_impl_dims d;
    memset(&d, 0, sizeof d);
    d.n = 2, d.c = 4, d.h = 5, d.w = 6, d.o = 6;
    d.kernel[0] = 3, d.kernel[1] = 2;
    d.stride[0] = 2, d.stride[1] = 1;
    d.padding[0] = 1, d.padding[1] = 0;
    d.dilation[0] = d.dilation[1] = 1;
    d.groups = 2;
    return d;
}

static void assert_shape(cvp_impl_op op, bool output, size_t k,
                         cvp_impl_layout layout, int rank, const size_t *want)
{
    cvp_impl_dims d = example_dims();
    int r;
    size_t shape[CVP_MAX_RANK];
    if (output)
        cvp_impl_output_shape(&r, shape, &d, op, k, layout);
    else
        cvp_impl_input_shape(&r, shape, &d, op, k, layout);
    assert_int_equal(r, rank);
    for (int a = 0; a < rank; a++)
        assert_int_equal(shape[a], want[a]);
}

static void test_ops_and_shapes(void **state)
{
    (void)state;
    cvp_impl_op op;
    assert_true(cvp_impl_op_parse(&op, "max_pool2d_backward"));
    assert_int_equal(op, CVP_IMPL_MAX_POOL2D_BACKWARD);
    assert_false(cvp_impl_op_parse(&op, "conv3d"));
    cvp_impl_layout layout;
    assert_true(cvp_impl_layout_parse(&layout, "nhwc"));
    assert_int_equal(layout, CVP_IMPL_NHWC);
    assert_false(cvp_impl_layout_parse(&layout, "NHWC"));
    const cvp_impl_op_info *info = cvp_impl_op_get(CVP_IMPL_CONV2D_BACKWARD);
    assert_int_equal(info->input_count, 4);
    assert_string_equal(info->inputs[3], "grad_output");
    assert_string_equal(info->outputs[2], "grad_bias");

    /* Height (5 + 2 - 3) / 2 + 1 = 3, width (6 - 2) / 1 + 1 = 5. */
    cvp_impl_op bw = CVP_IMPL_CONV2D_BACKWARD;
    assert_shape(bw, false, 0, CVP_IMPL_NCHW, 4, (size_t[]){2, 4, 5, 6});
    assert_shape(bw, false, 1, CVP_IMPL_NCHW, 4, (size_t[]){6, 2, 3, 2});
    assert_shape(bw, false, 2, CVP_IMPL_NCHW, 1, (size_t[]){6});
    assert_shape(bw, false, 3, CVP_IMPL_NCHW, 4, (size_t[]){2, 6, 3, 5});
    assert_shape(bw, false, 0, CVP_IMPL_NHWC, 4, (size_t[]){2, 5, 6, 4});
    assert_shape(bw, false, 1, CVP_IMPL_NHWC, 4, (size_t[]){3, 2, 2, 6});
    assert_shape(bw, false, 2, CVP_IMPL_NHWC, 4, (size_t[]){1, 1, 1, 6});
    assert_shape(bw, false, 3, CVP_IMPL_NHWC, 4, (size_t[]){2, 3, 5, 6});
    assert_shape(bw, true, 0, CVP_IMPL_NHWC, 4, (size_t[]){2, 5, 6, 4});
    assert_shape(bw, true, 1, CVP_IMPL_NHWC, 4, (size_t[]){3, 2, 2, 6});
    assert_shape(bw, true, 2, CVP_IMPL_NHWC, 4, (size_t[]){1, 1, 1, 6});
    assert_shape(CVP_IMPL_CONV2D, true, 0, CVP_IMPL_NCHW, 4,
                 (size_t[]){2, 6, 3, 5});
}

/* t := entries 0, 1, 2, ... in row-major order. */
static void iota(cvp_tensor_t t, int rank, const size_t *shape)
{
    size_t n = 1;
    for (int a = 0; a < rank; a++)
        n *= shape[a];
    long *values = malloc(n * sizeof *values);
    assert_non_null(values);
    for (size_t k = 0; k < n; k++)
        values[k] = (long)k;
    tu_ints(t, rank, shape, values);
    free(values);
}

static void test_convert(void **state)
{
    (void)state;
    cvp_tensor_t t, u, back;
    cvp_tensor_init(t);
    cvp_tensor_init(u);
    cvp_tensor_init(back);
    cvp_error e;
    /* Activations: NHWC[n, h, w, c] = NCHW[n, c, h, w]. */
    size_t nchw[4] = {2, 3, 4, 5};
    iota(t, 4, nchw);
    tu_assert_ok(cvp_impl_convert(u, t, CVP_IMPL_ACTIVATION, CVP_IMPL_NHWC,
                                  false, &e), &e);
    assert_int_equal(u->shape[1], 4);
    assert_int_equal(u->shape[3], 3);
    for (size_t n = 0; n < 2; n++)
        for (size_t c = 0; c < 3; c++)
            for (size_t h = 0; h < 4; h++)
                for (size_t w = 0; w < 5; w++) {
                    size_t a[4] = {n, c, h, w}, b[4] = {n, h, w, c};
                    assert_true(mpq_equal(cvp_tensor_entry(t, a),
                                          cvp_tensor_entry(u, b)));
                }
    tu_assert_ok(cvp_impl_convert(back, u, CVP_IMPL_ACTIVATION, CVP_IMPL_NHWC,
                                  true, &e), &e);
    tu_assert_equal(back, t);
    /* Kernels: HWIO[u, v, c, o] = OIHW[o, c, u, v]. */
    size_t oihw[4] = {3, 2, 4, 5};
    iota(t, 4, oihw);
    tu_assert_ok(cvp_impl_convert(u, t, CVP_IMPL_WEIGHT, CVP_IMPL_NHWC, false,
                                  &e), &e);
    for (size_t o = 0; o < 3; o++)
        for (size_t c = 0; c < 2; c++)
            for (size_t y = 0; y < 4; y++)
                for (size_t x = 0; x < 5; x++) {
                    size_t a[4] = {o, c, y, x}, b[4] = {y, x, c, o};
                    assert_true(mpq_equal(cvp_tensor_entry(t, a),
                                          cvp_tensor_entry(u, b)));
                }
    tu_assert_ok(cvp_impl_convert(back, u, CVP_IMPL_WEIGHT, CVP_IMPL_NHWC, true,
                                  &e), &e);
    tu_assert_equal(back, t);
    /* Bias: [O] <-> [1, 1, 1, O]; nchw is the identity. */
    size_t o3 = 3;
    tu_ints(t, 1, &o3, (long[]){7, 8, 9});
    tu_assert_ok(cvp_impl_convert(u, t, CVP_IMPL_BIAS, CVP_IMPL_NHWC, false, &e), &e);
    tu_ints(back, 4, (size_t[]){1, 1, 1, 3}, (long[]){7, 8, 9});
    tu_assert_equal(u, back);
    tu_assert_ok(cvp_impl_convert(back, u, CVP_IMPL_BIAS, CVP_IMPL_NHWC, true, &e), &e);
    tu_assert_equal(back, t);
    tu_assert_ok(cvp_impl_convert(u, t, CVP_IMPL_BIAS, CVP_IMPL_NCHW, false, &e), &e);
    tu_assert_equal(u, t);
    cvp_tensor_clear(t);
    cvp_tensor_clear(u);
    cvp_tensor_clear(back);
}

static void test_dims(void **state)
{
    (void)state;
    cvp_error e;
    cvp_impl_dims d = example_dims();
    tu_assert_ok(cvp_impl_dims_check(&d, CVP_IMPL_CONV2D, &e), &e);
    char buf[200];
    cvp_impl_dims_format(buf, sizeof buf, &d, CVP_IMPL_CONV2D);
    assert_string_equal(buf, "N=2, C=4, H=5, W=6, O=6, K=3x2, S=2x1, P=1x0, G=2");
    d.dilation[1] = 2;
    cvp_impl_dims_format(buf, sizeof buf, &d, CVP_IMPL_CONV2D);
    assert_string_equal(buf, "N=2, C=4, H=5, W=6, O=6, K=3x2, S=2x1, P=1x0, "
                             "D=1x2, G=2");
    d = example_dims();
    d.groups = 3;
    tu_assert_fails(cvp_impl_dims_check(&d, CVP_IMPL_CONV2D, &e), &e,
                    CVP_ERR_INPUT, "groups (3) must divide C (4) and O (6)");
    d = example_dims();
    d.h = 1;    /* 1 + 2 < 3 rows... 1 + 2*1 - 3 = 0 >= 0: still one row */
    tu_assert_ok(cvp_impl_dims_check(&d, CVP_IMPL_CONV2D, &e), &e);
    d.padding[0] = 0;   /* 1 - 3 < 0: no output row */
    assert_int_equal(cvp_impl_dims_check(&d, CVP_IMPL_CONV2D, &e), CVP_ERR_INPUT);

    cvp_impl_dims p;
    memset(&p, 0, sizeof p);
    p.n = 1, p.c = 1, p.o = 1, p.h = 2, p.w = 2, p.groups = 1;
    p.kernel[0] = p.kernel[1] = 2;
    p.stride[0] = p.stride[1] = 1;
    p.dilation[0] = p.dilation[1] = 1;
    tu_assert_ok(cvp_impl_dims_check(&p, CVP_IMPL_MAX_POOL2D, &e), &e);
    cvp_impl_dims_format(buf, sizeof buf, &p, CVP_IMPL_MAX_POOL2D);
    assert_string_equal(buf, "N=1, C=1, H=2, W=2, K=2x2, S=1x1, P=0x0");
    p.padding[0] = 2;
    tu_assert_fails(cvp_impl_dims_check(&p, CVP_IMPL_MAX_POOL2D, &e), &e,
                    CVP_ERR_INPUT, "more than half the window");
    p.padding[0] = 0;
    p.o = 2;
    assert_int_equal(cvp_impl_dims_check(&p, CVP_IMPL_AVG_POOL2D, &e),
                     CVP_ERR_INPUT);
}

static void test_space_parse(void **state)
{
    (void)state;
    cvp_impl_space s;
    cvp_error e;
    cvp_impl_space_default(&s, CVP_IMPL_CONV2D, CVP_IMPL_NHWC);
    assert_true(s.square);
    assert_int_equal(s.d.hi, 1);
    assert_int_equal(s.g.hi, 1);
    tu_assert_ok(cvp_impl_space_parse(&s, "N=1..2,h=3..8,K=2,P=0", &e), &e);
    assert_int_equal(s.n.lo, 1);
    assert_int_equal(s.n.hi, 2);
    assert_int_equal(s.h.lo, 3);
    assert_int_equal(s.h.hi, 8);
    assert_int_equal(s.k.lo, 2);
    assert_int_equal(s.k.hi, 2);
    assert_int_equal(s.p.hi, 0);
    tu_assert_fails(cvp_impl_space_parse(&s, "X=1", &e), &e, CVP_ERR_INPUT,
                    "expected NAME=LO..HI");
    tu_assert_fails(cvp_impl_space_parse(&s, "K=0", &e), &e, CVP_ERR_INPUT,
                    "K must be a range");
    tu_assert_fails(cvp_impl_space_parse(&s, "H=5..3", &e), &e, CVP_ERR_INPUT,
                    "LO <= HI");
    tu_assert_fails(cvp_impl_space_parse(&s, "P=1..x", &e), &e, CVP_ERR_INPUT,
                    "after '..'");
    tu_assert_fails(cvp_impl_space_parse(&s, "N=1;", &e), &e, CVP_ERR_INPUT,
                    "unexpected ';'");
    tu_assert_fails(cvp_impl_space_parse(&s, "", &e), &e, CVP_ERR_INPUT, "empty");
    cvp_impl_space_default(&s, CVP_IMPL_MAX_POOL2D, CVP_IMPL_NCHW);
    assert_false(s.square);
    assert_int_equal(s.p.hi, 1);
}

/* ---- the sweep -------------------------------------------------------- */

static void test_sweep(void **state)
{
    (void)state;
    cvp_error e;
    for (int op = 0; op < CVP_IMPL_OP_COUNT; op++)
        for (int l = 0; l < 2; l++) {
            cvp_impl_space s;
            cvp_impl_space_default(&s, (cvp_impl_op)op, (cvp_impl_layout)l);
            cvp_impl_case *cases, *again;
            size_t n, m;
            tu_assert_ok(cvp_impl_sweep(&cases, &n, (cvp_impl_op)op, &s, 40,
                                        true, 5, &e), &e);
            tu_assert_ok(cvp_impl_sweep(&again, &m, (cvp_impl_op)op, &s, 40,
                                        true, 5, &e), &e);
            assert_int_equal(n, m);
            assert_true(n >= 40);
            size_t over = 0, undivided = 0, unpadded = 0, padded = 0, ties = 0,
                   large = 0;
            const cvp_impl_op_info *info = cvp_impl_op_get((cvp_impl_op)op);
            for (size_t k = 0; k < n; k++) {
                const cvp_impl_dims *d = &cases[k].d;
                tu_assert_ok(cvp_impl_dims_check(d, (cvp_impl_op)op, &e), &e);
                /* The same seed gives the same cases. */
                assert_memory_equal(d, &again[k].d, sizeof *d);
                for (size_t i = 0; i < info->input_count; i++) {
                    int rank;
                    size_t shape[CVP_MAX_RANK];
                    cvp_impl_input_shape(&rank, shape, d, (cvp_impl_op)op, i,
                                         CVP_IMPL_NCHW);
                    assert_int_equal(cases[k].inputs[i]->rank, rank);
                    assert_memory_equal(cases[k].inputs[i]->shape, shape,
                                        (size_t)rank * sizeof *shape);
                    tu_assert_equal(cases[k].inputs[i], again[k].inputs[i]);
                }
                if (l == CVP_IMPL_NHWC)
                    assert_true(d->kernel[0] == d->kernel[1]
                                && d->stride[0] == d->stride[1]
                                && d->padding[0] == d->padding[1]
                                && d->dilation[0] == 1 && d->groups == 1);
                if (d->stride[0] > d->kernel[0])
                    over++;
                size_t span = d->dilation[0] * (d->kernel[0] - 1) + 1;
                if ((d->h + 2 * d->padding[0] - span) % d->stride[0] != 0)
                    undivided++;
                if (d->padding[0] == 0)
                    unpadded++;
                else
                    padded++;
                if (cases[k].hi == 1)
                    ties++;
                if (cases[k].hi > 1000)
                    large++;
            }
            assert_true(over > 0);
            assert_true(undivided > 0);
            assert_true(unpadded > 0);
            if (info->conv || l == CVP_IMPL_NCHW)
                assert_true(padded > 0);
            else
                assert_int_equal(padded, 0);   /* course pooling: no padding */
            assert_true(ties > 5);
            assert_true(large > 5);
            for (size_t k = 0; k < n; k++) {
                cvp_impl_case_clear(&cases[k]);
                cvp_impl_case_clear(&again[k]);
            }
            free(cases);
            free(again);
        }
    /* Ranges that admit no case. */
    cvp_impl_space s;
    cvp_impl_space_default(&s, CVP_IMPL_CONV2D, CVP_IMPL_NHWC);
    tu_assert_ok(cvp_impl_space_parse(&s, "H=1,W=1,K=3,P=0", &e), &e);
    cvp_impl_case *cases;
    size_t n;
    tu_assert_fails(cvp_impl_sweep(&cases, &n, CVP_IMPL_CONV2D, &s, 5, true, 1,
                                   &e), &e, CVP_ERR_INPUT, "no valid conv2d case");
}

/* ---- exact results and sums ----------------------------------------- */

static void small_conv(cvp_impl_case *c, long x0, long x1, long x2, long x3,
                       long w, long b)
{
    cvp_impl_dims d;
    memset(&d, 0, sizeof d);
    d.n = d.c = d.o = d.groups = 1;
    d.h = d.w = 2;
    d.kernel[0] = d.kernel[1] = 1;
    d.stride[0] = d.stride[1] = 1;
    d.dilation[0] = d.dilation[1] = 1;
    cvp_error e;
    tu_assert_ok(cvp_impl_case_fill(c, CVP_IMPL_CONV2D, &d, 0, 0, 1, &e), &e);
    tu_ints(c->inputs[0], 4, (size_t[]){1, 1, 2, 2}, (long[]){x0, x1, x2, x3});
    tu_ints(c->inputs[1], 4, (size_t[]){1, 1, 1, 1}, (long[]){w});
    tu_ints(c->inputs[2], 1, (size_t[]){1}, (long[]){b});
}

static void test_expected_and_sums(void **state)
{
    (void)state;
    cvp_impl_case c;
    cvp_impl_case_init(&c);
    cvp_error e;
    /* y = 2 x + 1 on [[1, 2], [3, 4]]: [[3, 5], [7, 9]]. */
    small_conv(&c, 1, 2, 3, 4, 2, 1);
    cvp_tensor_t out[CVP_IMPL_MAX_OUTPUTS], sums[CVP_IMPL_MAX_OUTPUTS], want;
    for (int k = 0; k < CVP_IMPL_MAX_OUTPUTS; k++) {
        cvp_tensor_init(out[k]);
        cvp_tensor_init(sums[k]);
    }
    cvp_tensor_init(want);
    tu_assert_ok(cvp_impl_expected(out, &c, &e), &e);
    tu_ints(want, 4, (size_t[]){1, 1, 2, 2}, (long[]){3, 5, 7, 9});
    tu_assert_equal(out[0], want);
    /* With x = [[-1, 2], [3, -4]], w = -2, b = 1: sum |terms| is
     * 2 |x| + 1 = [[3, 5], [7, 9]] again, with n = 1 product + the bias. */
    small_conv(&c, -1, 2, 3, -4, -2, 1);
    unsigned long terms[CVP_IMPL_MAX_OUTPUTS], divisor;
    tu_assert_ok(cvp_impl_abs_sums(sums, terms, &divisor, &c, &e), &e);
    tu_assert_equal(sums[0], want);
    assert_int_equal(terms[0], 2);
    assert_int_equal(divisor, 1);
    size_t total, nonzero;
    total = cvp_impl_case_entries(&c, &nonzero);
    assert_int_equal(total, 6);
    assert_int_equal(nonzero, 6);

    /* Average pooling 2x2 over 2x3 with stride 1: terms x/4, so the
     * divisor is 4 and n = 4 + 1 (the division). */
    cvp_impl_dims d;
    memset(&d, 0, sizeof d);
    d.n = d.c = d.o = d.groups = 1;
    d.h = 2, d.w = 3;
    d.kernel[0] = d.kernel[1] = 2;
    d.stride[0] = d.stride[1] = 1;
    d.dilation[0] = d.dilation[1] = 1;
    tu_assert_ok(cvp_impl_case_fill(&c, CVP_IMPL_AVG_POOL2D, &d, -3, 3, 9, &e), &e);
    tu_ints(c.inputs[0], 4, (size_t[]){1, 1, 2, 3}, (long[]){1, -2, 3, -4, 5, -6});
    tu_assert_ok(cvp_impl_abs_sums(sums, terms, &divisor, &c, &e), &e);
    /* (1 + 2 + 4 + 5) / 4 = 3, (2 + 3 + 5 + 6) / 4 = 4 */
    tu_ints(want, 4, (size_t[]){1, 1, 1, 2}, (long[]){3, 4});
    tu_assert_equal(sums[0], want);
    assert_int_equal(terms[0], 5);
    assert_int_equal(divisor, 4);
    /* Its backward pass: each position is covered by up to
     * ceil(2/1)^2 = 4 windows, plus the division. */
    tu_assert_ok(cvp_impl_case_fill(&c, CVP_IMPL_AVG_POOL2D_BACKWARD, &d, -3, 3,
                                    9, &e), &e);
    tu_assert_ok(cvp_impl_abs_sums(sums, terms, &divisor, &c, &e), &e);
    assert_int_equal(terms[0], 5);

    /* Redimensioning keeps the entries whose index survives. */
    small_conv(&c, 1, 2, 3, 4, 2, 1);
    c.lo = 7, c.hi = 7;
    cvp_impl_dims bigger = c.d;
    bigger.w = 3;
    tu_assert_ok(cvp_impl_case_redim(&c, &bigger, 1, &e), &e);
    tu_ints(want, 4, (size_t[]){1, 1, 2, 3}, (long[]){1, 2, 7, 3, 4, 7});
    tu_assert_equal(c.inputs[0], want);

    for (int k = 0; k < CVP_IMPL_MAX_OUTPUTS; k++) {
        cvp_tensor_clear(out[k]);
        cvp_tensor_clear(sums[k]);
    }
    cvp_tensor_clear(want);
    cvp_impl_case_clear(&c);
}

/* ---- judging ---------------------------------------------------------- */

/* r := the implementation "returned" these values for output 0. */
static void give_output(cvp_impl_result *r, const cvp_tensor_t t)
{
    cvp_error e;
    cvp_impl_result_reset(r);
    r->present[0] = true;
    tu_assert_ok(cvp_tensor_set(r->outputs[0], t, &e), &e);
}

static void test_judge(void **state)
{
    (void)state;
    cvp_impl_case c;
    cvp_impl_case_init(&c);
    cvp_impl_result r;
    cvp_impl_result_init(&r);
    cvp_tensor_t t;
    cvp_tensor_init(t);
    cvp_error e;
    small_conv(&c, 1, 2, 3, 4, 2, 1);
    size_t shape[4] = {1, 1, 2, 2};

    tu_ints(t, 4, shape, (long[]){3, 5, 7, 9});
    give_output(&r, t);
    tu_assert_ok(cvp_impl_judge(&r, &c, CVP_IMPL_NCHW, &e), &e);
    assert_int_equal(r.finding, CVP_IMPL_AGREES);
    assert_true(r.exact_regime);
    assert_null(r.message);

    tu_ints(t, 4, shape, (long[]){3, 6, 7, 9});
    give_output(&r, t);
    tu_assert_ok(cvp_impl_judge(&r, &c, CVP_IMPL_NCHW, &e), &e);
    assert_int_equal(r.finding, CVP_IMPL_WRONG_VALUES);
    assert_int_equal(r.output, 0);
    assert_string_equal(r.differences, "out[0,0,0,1]: 6 != 5");
    assert_non_null(strstr(r.message, "out differs from the exact value at 1 of "
                                      "4 entries"));
    assert_non_null(strstr(r.message, "must be exact: this is a bug"));

    /* In nhwc the same values are expected at [n, h, w, c]. */
    tu_ints(t, 4, (size_t[]){1, 2, 2, 1}, (long[]){3, 5, 7, 9});
    give_output(&r, t);
    tu_assert_ok(cvp_impl_judge(&r, &c, CVP_IMPL_NHWC, &e), &e);
    assert_int_equal(r.finding, CVP_IMPL_AGREES);
    give_output(&r, t);
    tu_assert_ok(cvp_impl_judge(&r, &c, CVP_IMPL_NCHW, &e), &e);
    assert_int_equal(r.finding, CVP_IMPL_WRONG_SHAPE);
    assert_string_equal(r.message, "out has shape [1, 2, 2, 1] where "
                                   "[1, 1, 2, 2] (layout nchw) was expected");

    cvp_impl_result_reset(&r);
    r.exit_code = 1;
    cvp_set_text(&r.stderr_excerpt, "ValueError: boom");
    tu_assert_ok(cvp_impl_judge(&r, &c, CVP_IMPL_NCHW, &e), &e);
    assert_int_equal(r.finding, CVP_IMPL_CRASHED);
    assert_string_equal(r.message, "the command exited with status 1\nstderr:\n"
                                   "ValueError: boom");
    /* The exact result is there for the report even then. */
    tu_ints(t, 4, shape, (long[]){3, 5, 7, 9});
    tu_assert_equal(r.expected[0], t);

    cvp_impl_result_reset(&r);
    r.signal = SIGSEGV;
    tu_assert_ok(cvp_impl_judge(&r, &c, CVP_IMPL_NCHW, &e), &e);
    assert_int_equal(r.finding, CVP_IMPL_CRASHED);
    assert_non_null(strstr(r.message, "killed by signal 11"));

    cvp_impl_result_reset(&r);
    r.traceback = true;
    tu_assert_ok(cvp_impl_judge(&r, &c, CVP_IMPL_NCHW, &e), &e);
    assert_int_equal(r.finding, CVP_IMPL_CRASHED);
    assert_non_null(strstr(r.message, "status 0 but printed a Python traceback"));

    cvp_impl_result_reset(&r);
    r.timed_out = true;
    tu_assert_ok(cvp_impl_judge(&r, &c, CVP_IMPL_NCHW, &e), &e);
    assert_int_equal(r.finding, CVP_IMPL_TIMED_OUT);

    cvp_impl_result_reset(&r);
    tu_assert_ok(cvp_impl_judge(&r, &c, CVP_IMPL_NCHW, &e), &e);
    assert_int_equal(r.finding, CVP_IMPL_NO_OUTPUT);
    assert_non_null(strstr(r.message, "without writing out"));

    cvp_impl_result_reset(&r);
    r.present[0] = true;
    cvp_set_text(&r.read_error[0], "entry [0, 0, 0, 1] is NaN");
    tu_assert_ok(cvp_impl_judge(&r, &c, CVP_IMPL_NCHW, &e), &e);
    assert_int_equal(r.finding, CVP_IMPL_BAD_OUTPUT);
    assert_non_null(strstr(r.message, "out is not a valid output: entry "
                                      "[0, 0, 0, 1] is NaN"));

    cvp_impl_result_reset(&r);
    r.not_started = true;
    tu_assert_ok(cvp_impl_judge(&r, &c, CVP_IMPL_NCHW, &e), &e);
    assert_int_equal(r.finding, CVP_IMPL_NOT_STARTED);

    cvp_impl_result_clear(&r);
    cvp_tensor_clear(t);
    cvp_impl_case_clear(&c);
}

static void test_judge_bounded(void **state)
{
    (void)state;
    /* out = a c + b d, one output entry, with a = 2^30 + 1, c = 2^30 + 3,
     * b = -(2^30 - 1), d = 2^30 + 5: exactly
     * (2^60 + 2^32 + 3) - (2^60 + 2^32 - 5) = 8.  In float64 both products
     * round to 2^60 + 2^32 (the spacing there is 256), so a plain
     * evaluation gives 0: an error of 8, far more than an ulp of 8, but
     * within gamma_3 * (|a c| + |b d|), about 768.  An error of 2000 is
     * outside. */
    long a = (1L << 30) + 1, c = (1L << 30) + 3, b = -((1L << 30) - 1),
         d = (1L << 30) + 5;
    cvp_impl_case k;
    cvp_impl_case_init(&k);
    cvp_impl_dims dims;
    memset(&dims, 0, sizeof dims);
    dims.n = dims.c = dims.o = dims.groups = 1;
    dims.h = 1, dims.w = 2;
    dims.kernel[0] = 1, dims.kernel[1] = 2;
    dims.stride[0] = dims.stride[1] = 1;
    dims.dilation[0] = dims.dilation[1] = 1;
    cvp_error e;
    tu_assert_ok(cvp_impl_case_fill(&k, CVP_IMPL_CONV2D, &dims, 0, 0, 1, &e), &e);
    tu_ints(k.inputs[0], 4, (size_t[]){1, 1, 1, 2}, (long[]){a, b});
    tu_ints(k.inputs[1], 4, (size_t[]){1, 1, 1, 2}, (long[]){c, d});
    tu_ints(k.inputs[2], 1, (size_t[]){1}, (long[]){0});
    volatile double p = (double)a * (double)c, q = (double)b * (double)d;
    double y = p + q;
    assert_true(y == 0.0);   /* what float64 gives, as worked out above */
    cvp_impl_result r;
    cvp_impl_result_init(&r);
    size_t one[4] = {1, 1, 1, 1};
    cvp_impl_result_reset(&r);
    r.present[0] = true;
    tu_assert_ok(cvp_tensor_from_doubles(r.outputs[0], 4, one, &y, &e), &e);
    tu_assert_ok(cvp_impl_judge(&r, &k, CVP_IMPL_NCHW, &e), &e);
    assert_false(r.exact_regime);
    assert_int_equal(r.finding, CVP_IMPL_AGREES);
    assert_true(r.max_ratio > 0.005 && r.max_ratio < 0.02);   /* 8 / 768 */

    double wrong = 2008;
    cvp_impl_result_reset(&r);
    r.present[0] = true;
    tu_assert_ok(cvp_tensor_from_doubles(r.outputs[0], 4, one, &wrong, &e), &e);
    tu_assert_ok(cvp_impl_judge(&r, &k, CVP_IMPL_NCHW, &e), &e);
    assert_int_equal(r.finding, CVP_IMPL_WRONG_VALUES);
    assert_non_null(strstr(r.message, "outside the rigorous rounding bound"));
    assert_non_null(strstr(r.message, "(n = 3)"));
    assert_string_equal(r.differences, "out[0,0,0,0]: 2008 != 8");
    cvp_impl_result_clear(&r);
    cvp_impl_case_clear(&k);
}

/* ---- a fake implementation with known bugs ---------------------------- */

typedef enum {
    FAKE_CORRECT,
    FAKE_NO_BIAS,          /* conv2d ignores the bias */
    FAKE_CRASH_PADDED,     /* "raises" whenever there is padding */
    FAKE_ALL_TIES,         /* max pool backward: every tied maximum */
    FAKE_HANG_STRIDED      /* never finishes when a stride is 2 or more */
} fake_bug;

typedef struct {
    cvp_impl_layout layout;
    fake_bug bug;
    size_t calls;
} fake;

/* Max pooling's gradient given to every maximum of each window. */
static void all_ties_backward(cvp_tensor_t out, const cvp_impl_case *c)
{
    const cvp_impl_dims *d = &c->d;
    cvp_error e;
    tu_assert_ok(cvp_tensor_resize_like(out, c->inputs[0], &e), &e);
    size_t o[2];
    cvp_impl_dims_out(o, d, c->op);
    for (size_t n = 0; n < d->n; n++)
        for (size_t ch = 0; ch < d->c; ch++)
            for (size_t i = 0; i < o[0]; i++)
                for (size_t j = 0; j < o[1]; j++) {
                    mpq_srcptr best = NULL;
                    for (int pass = 0; pass < 2; pass++)
                        for (size_t u = 0; u < d->kernel[0]; u++)
                            for (size_t v = 0; v < d->kernel[1]; v++) {
                                long row = (long)(i * d->stride[0] + u) - (long)d->padding[0];
                                long col = (long)(j * d->stride[1] + v) - (long)d->padding[1];
                                if (row < 0 || col < 0 || row >= (long)d->h || col >= (long)d->w)
                                    continue;
                                size_t at[4] = {n, ch, (size_t)row, (size_t)col};
                                mpq_srcptr x = cvp_tensor_at(c->inputs[0], cvp_tensor_offset(c->inputs[0], at));
                                if (pass == 0 && (best == NULL || mpq_cmp(x, best) > 0))
                                    best = x;
                                if (pass == 1 && mpq_equal(x, best)) {
                                    size_t g[4] = {n, ch, i, j};
                                    mpq_ptr y = cvp_tensor_entry(out, at);
                                    mpq_add(y, y, cvp_tensor_at(c->inputs[1], cvp_tensor_offset(c->inputs[1], g)));
                                }
                            }
                }
}

static cvp_status fake_eval(void *ctx, cvp_impl_result *results,
                            const cvp_impl_case *const *cases, size_t count,
                            cvp_error *err)
{
    fake *f = ctx;
    for (size_t i = 0; i < count; i++) {
        cvp_impl_result *r = &results[i];
        const cvp_impl_case *c = cases[i];
        const cvp_impl_op_info *info = cvp_impl_op_get(c->op);
        cvp_impl_result_reset(r);
        f->calls++;
        if (f->bug == FAKE_CRASH_PADDED && (c->d.padding[0] || c->d.padding[1])) {
            r->exit_code = 1;
            cvp_set_text(&r->stderr_excerpt, "ValueError: could not broadcast");
        } else if (f->bug == FAKE_HANG_STRIDED
                   && (c->d.stride[0] > 1 || c->d.stride[1] > 1)) {
            r->timed_out = true;
        } else {
            cvp_tensor_t out[CVP_IMPL_MAX_OUTPUTS];
            for (int k = 0; k < CVP_IMPL_MAX_OUTPUTS; k++)
                cvp_tensor_init(out[k]);
            cvp_status st = cvp_impl_expected(out, c, err);
            if (st == CVP_OK && f->bug == FAKE_NO_BIAS && c->op == CVP_IMPL_CONV2D) {
                cvp_impl_case nobias;
                cvp_impl_case_init(&nobias);
                st = cvp_impl_case_set(&nobias, c, err);
                for (size_t o = 0; o < nobias.inputs[2]->size; o++)
                    mpq_set_ui(cvp_tensor_at(nobias.inputs[2], o), 0, 1);
                if (st == CVP_OK)
                    st = cvp_impl_expected(out, &nobias, err);
                cvp_impl_case_clear(&nobias);
            }
            if (st == CVP_OK && f->bug == FAKE_ALL_TIES
                && c->op == CVP_IMPL_MAX_POOL2D_BACKWARD)
                all_ties_backward(out[0], c);
            for (size_t k = 0; st == CVP_OK && k < info->output_count; k++) {
                st = cvp_impl_convert(r->outputs[k], out[k], info->output_kinds[k],
                                      f->layout, false, err);
                r->present[k] = true;
            }
            for (int k = 0; k < CVP_IMPL_MAX_OUTPUTS; k++)
                cvp_tensor_clear(out[k]);
            if (st != CVP_OK)
                return st;
        }
        cvp_status st = cvp_impl_judge(r, c, f->layout, err);
        if (st != CVP_OK)
            return st;
    }
    return CVP_OK;
}

/* Runs a whole test of op against the fake; returns the report. */
static void run_fake(cvp_report *report, cvp_impl_op op, cvp_impl_layout layout,
                     fake_bug bug, size_t window, size_t max_runs)
{
    cvp_impl_test_options o;
    cvp_impl_test_options_default(&o);
    o.layout = layout;
    o.command = "fake";
    o.trials = 12;
    o.window = window;
    o.max_shrink_runs = max_runs;
    fake f = {layout, bug, 0};
    cvp_error e;
    cvp_report_init(report, "test", o.seed);
    tu_assert_ok(cvp_impl_test(report, op, &o, fake_eval, &f, &e), &e);
}

/* The method result that failed (there is one). */
static cvp_method_result *failed_method(cvp_claim_result *claim)
{
    for (size_t k = 0; k < claim->method_count; k++)
        if (claim->methods[k].outcome == CVP_OUTCOME_FAILED)
            return &claim->methods[k];
    fail_msg("no method failed");
    return NULL;
}

static const char *input_named(const cvp_counterexample *x, const char *name)
{
    for (size_t k = 0; k < x->input_count; k++)
        if (strcmp(x->input_names[k], name) == 0)
            return x->input_values[k];
    fail_msg("no input %s", name);
    return NULL;
}

static void test_fake_correct(void **state)
{
    (void)state;
    for (int op = 0; op < CVP_IMPL_OP_COUNT; op++)
        for (int l = 0; l < 2; l++) {
            cvp_report report;
            run_fake(&report, (cvp_impl_op)op, (cvp_impl_layout)l, FAKE_CORRECT,
                     3, 100);
            assert_int_equal(report.claim_count, 1);
            cvp_claim_result *claim = &report.claims[0];
            assert_int_equal(claim->outcome, CVP_OUTCOME_TESTED);   /* a sweep samples */
            assert_int_equal(claim->methods[0].method, CVP_METHOD_EXACT);
            assert_int_equal(claim->methods[0].outcome, CVP_OUTCOME_PASSED);
            assert_non_null(strstr(claim->title, "by 'fake', layout"));
            cvp_report_clear(&report);
        }
}

static void test_shrink_no_bias(void **state)
{
    (void)state;
    /* Only the bias is wrong: the smallest failing case has every size 1,
     * x and the weight zero, and the bias 1. */
    cvp_report a, b;
    run_fake(&a, CVP_IMPL_CONV2D, CVP_IMPL_NCHW, FAKE_NO_BIAS, 1, 1000);
    run_fake(&b, CVP_IMPL_CONV2D, CVP_IMPL_NCHW, FAKE_NO_BIAS, 7, 1000);
    cvp_claim_result *claim = &a.claims[0];
    assert_int_equal(claim->outcome, CVP_OUTCOME_FAILED);
    cvp_method_result *m = failed_method(claim);
    assert_int_equal(m->outcome, CVP_OUTCOME_FAILED);
    assert_non_null(m->counterexample);
    cvp_counterexample *x = m->counterexample;
    assert_string_equal(x->shape, "N=1, C=1, H=1, W=1, O=1, K=1x1, S=1x1, P=0x0");
    assert_string_equal(input_named(x, "x"), "[[[[0]]]]\n");
    assert_string_equal(input_named(x, "weight"), "[[[[0]]]]\n");
    assert_string_equal(input_named(x, "bias"), "[1]\n");
    assert_string_equal(x->differences, "out[0,0,0,0]: 0 != 1");
    assert_non_null(strstr(x->lhs, "out =\n[[[[0]]]]"));
    assert_non_null(strstr(x->rhs, "out =\n[[[[1]]]]"));
    assert_non_null(strstr(m->reason, "shrunk in"));
    /* The window of candidates evaluated together changes nothing. */
    cvp_counterexample *y = failed_method(&b.claims[0])->counterexample;
    assert_non_null(y);
    assert_string_equal(x->shape, y->shape);
    for (size_t k = 0; k < x->input_count; k++)
        assert_string_equal(x->input_values[k], y->input_values[k]);
    cvp_report_clear(&a);
    cvp_report_clear(&b);
}

static void test_shrink_crash(void **state)
{
    (void)state;
    /* It "crashes" whenever there is padding: in the square nhwc space the
     * smallest such case pads both axes by 1 and has every size 1. */
    cvp_report report;
    run_fake(&report, CVP_IMPL_CONV2D_BACKWARD, CVP_IMPL_NHWC, FAKE_CRASH_PADDED,
             2, 1000);
    cvp_method_result *m = failed_method(&report.claims[0]);
    assert_int_equal(m->outcome, CVP_OUTCOME_FAILED);
    cvp_counterexample *x = m->counterexample;
    assert_non_null(x);
    assert_string_equal(x->shape, "N=1, C=1, H=1, W=1, O=1, K=1x1, S=1x1, P=1x1");
    assert_string_equal(input_named(x, "grad_output"),
                        "[[[[0],\n   [0],\n   [0]],\n  [[0],\n   [0],\n   [0]],\n"
                        "  [[0],\n   [0],\n   [0]]]]\n");
    assert_null(x->lhs);
    assert_null(x->rhs);
    assert_string_equal(x->failure, "the implementation failed: crashed (the reason "
                        "above says how, with its standard error)");
    assert_non_null(strstr(m->reason, "exited with status 1\nstderr:\n"
                                      "ValueError: could not broadcast"));
    cvp_report_clear(&report);
}

static void test_shrink_ties(void **state)
{
    (void)state;
    /* Every tied maximum gets the gradient: the smallest case is one 2x2
     * window of equal values (zeros) with gradient 1; the exact gradient
     * goes to the first entry only. */
    cvp_report report;
    run_fake(&report, CVP_IMPL_MAX_POOL2D_BACKWARD, CVP_IMPL_NHWC, FAKE_ALL_TIES,
             4, 1000);
    cvp_method_result *m = failed_method(&report.claims[0]);
    cvp_counterexample *x = m->counterexample;
    assert_non_null(x);
    assert_string_equal(x->shape, "N=1, C=1, H=2, W=2, K=2x2, S=1x1, P=0x0");
    assert_string_equal(input_named(x, "x"), "[[[[0],\n   [0]],\n  [[0],\n   [0]]]]\n");
    assert_string_equal(input_named(x, "grad_output"), "[[[[1]]]]\n");
    assert_string_equal(x->differences, "grad_input[0,0,1,0]: 1 != 0\n"
                                        "grad_input[0,1,0,0]: 1 != 0\n"
                                        "grad_input[0,1,1,0]: 1 != 0");
    assert_non_null(strstr(m->reason, "first maximum in row-major order"));
    cvp_report_clear(&report);
}

static void test_hang_and_limit(void **state)
{
    (void)state;
    cvp_report report;
    run_fake(&report, CVP_IMPL_AVG_POOL2D, CVP_IMPL_NCHW, FAKE_HANG_STRIDED, 2,
             1000);
    cvp_method_result *m = failed_method(&report.claims[0]);
    assert_int_equal(report.claims[0].outcome, CVP_OUTCOME_FAILED);
    assert_non_null(m->counterexample);
    assert_non_null(strstr(m->reason, "did not finish within the time limit"));
    assert_non_null(strstr(m->reason, "not shrunk"));
    assert_null(m->counterexample->lhs);
    assert_string_equal(m->counterexample->failure, "the implementation failed: timed out "
                        "(the reason above says how, with its standard error)");
    cvp_report_clear(&report);

    run_fake(&report, CVP_IMPL_CONV2D, CVP_IMPL_NCHW, FAKE_NO_BIAS, 1, 3);
    m = failed_method(&report.claims[0]);
    assert_non_null(strstr(m->reason, "stopped at the limit of runs"));
    assert_non_null(strstr(m->reason, "shrunk in 3 runs"));
    cvp_report_clear(&report);
}

/* ---- the external runner ---------------------------------------------- */

static cvp_impl_case one_case;
static char scratch[64];

static int setup_runner(void **state)
{
    (void)state;
    cvp_impl_case_init(&one_case);
    small_conv(&one_case, 1, 2, 3, 4, 2, 1);
    snprintf(scratch, sizeof scratch, "%s", "/tmp/test_ext_impl.XXXXXX");
    return mkdtemp(scratch) == NULL ? -1 : 0;
}

static int teardown_runner(void **state)
{
    (void)state;
    cvp_impl_case_clear(&one_case);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", scratch);
    return system(cmd) == 0 ? 0 : -1;
}

static void run_command(cvp_impl_result *r, size_t count, const char *command,
                        double timeout, size_t batch, cvp_impl_runner *runner)
{
    cvp_impl_runner_init(runner, command, CVP_IMPL_NCHW);
    runner->timeout = timeout;
    runner->batch = batch;
    runner->jobs = 2;
    const cvp_impl_case *cases[4] = {&one_case, &one_case, &one_case, &one_case};
    cvp_error e;
    tu_assert_ok(cvp_impl_run(runner, r, cases, count, &e), &e);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Waits up to `seconds` for pid to be dead or a zombie. */
static bool process_gone(pid_t pid, double seconds)
{
    double start = now();
    for (;;) {
        if (kill(pid, 0) != 0)
            return true;
        char stat_path[64], line[256] = "";
        snprintf(stat_path, sizeof stat_path, "/proc/%ld/stat", (long)pid);
        FILE *s = fopen(stat_path, "r");
        if (s != NULL) {
            if (fgets(line, sizeof line, s) == NULL)
                line[0] = '\0';
            fclose(s);
        }
        const char *paren = strrchr(line, ')');
        if (paren == NULL || (paren[1] == ' ' && paren[2] == 'Z'))
            return true;
        if (now() - start > seconds)
            return false;
        struct timespec pause = {0, 10000000};
        nanosleep(&pause, NULL);
    }
}

static void test_runner(void **state)
{
    (void)state;
    cvp_impl_runner runner;
    cvp_impl_result r[4];
    for (int k = 0; k < 4; k++)
        cvp_impl_result_init(&r[k]);

    run_command(r, 1, "echo 'oh no' >&2; exit 3", 10, 1, &runner);
    assert_int_equal(r[0].finding, CVP_IMPL_CRASHED);
    assert_int_equal(r[0].exit_code, 3);
    assert_string_equal(r[0].stderr_excerpt, "oh no");
    assert_int_equal(runner.runs, 1);

    run_command(r, 1, "cat > /dev/null", 10, 1, &runner);
    assert_int_equal(r[0].finding, CVP_IMPL_NO_OUTPUT);

    run_command(r, 1, "printf 'not numpy' > \"$(dirname \"$CONVPROOF_REQUEST\")/out.npy\"",
                10, 1, &runner);
    assert_int_equal(r[0].finding, CVP_IMPL_BAD_OUTPUT);
    assert_non_null(strstr(r[0].message, "not a .npy file"));

    /* A hang is killed after the time limit, with its whole group. */
    char cmd[256];
    snprintf(cmd, sizeof cmd, "sleep 30 & echo $! > '%s/pid'; wait", scratch);
    double start = now();
    run_command(r, 1, cmd, 1.0, 1, &runner);
    assert_true(now() - start < 10);
    assert_int_equal(r[0].finding, CVP_IMPL_TIMED_OUT);
    char path[128];
    snprintf(path, sizeof path, "%s/pid", scratch);
    FILE *f = fopen(path, "r");
    if (f != NULL) {   /* (a machine too busy to start sleep in 1 s) */
        long pid = 0;
        assert_int_equal(fscanf(f, "%ld", &pid), 1);
        fclose(f);
        /* Gone, or at most a zombie waiting for init (SIGKILL takes
         * effect asynchronously: allow a busy machine two seconds). */
        assert_true(process_gone((pid_t)pid, 2.0));
    }

    /* The request names the op, the layout and the files. */
    snprintf(cmd, sizeof cmd, "cp \"$CONVPROOF_REQUEST\" '%s/request.json' && "
             "cat > '%s/stdin.json'", scratch, scratch);
    run_command(r, 1, cmd, 10, 1, &runner);
    snprintf(path, sizeof path, "%s/stdin.json", scratch);
    f = fopen(path, "r");
    assert_non_null(f);
    char text[4096];
    size_t len = fread(text, 1, sizeof text - 1, f);
    text[len] = '\0';
    fclose(f);
    assert_non_null(strstr(text, "{\"protocol\":1,\"op\":\"conv2d\",\"layout\":"
                                 "\"nchw\",\"params\":{\"kernel_size\":[1,1],"
                                 "\"stride\":[1,1],\"padding\":[0,0],"
                                 "\"dilation\":[1,1],\"groups\":1,"
                                 "\"in_channels\":1,\"out_channels\":1},"
                                 "\"inputs\":{\"x\":{\"path\":\""));
    assert_non_null(strstr(text, "/x.npy\",\"shape\":[1,1,2,2]}"));
    assert_non_null(strstr(text, "/bias.npy\",\"shape\":[1]}"));
    assert_non_null(strstr(text, "\"outputs\":{\"out\":{\"path\":\""));
    assert_non_null(strstr(text, "/out.npy\",\"shape\":[1,1,2,2]}}}"));

    /* A failed batch is run again case by case: 1 + 2 runs. */
    run_command(r, 2, "exit 1", 10, 2, &runner);
    assert_int_equal(runner.runs, 3);
    assert_int_equal(r[0].finding, CVP_IMPL_CRASHED);
    assert_int_equal(r[1].finding, CVP_IMPL_CRASHED);

    /* A batched request lists its cases. */
    snprintf(cmd, sizeof cmd, "cat > '%s/batch.json'", scratch);
    run_command(r, 3, cmd, 10, 3, &runner);
    assert_int_equal(runner.runs, 1);
    snprintf(path, sizeof path, "%s/batch.json", scratch);
    f = fopen(path, "r");
    assert_non_null(f);
    len = fread(text, 1, sizeof text - 1, f);
    text[len] = '\0';
    fclose(f);
    assert_non_null(strstr(text, "{\"protocol\":1,\"batch\":[{\"op\":\"conv2d\""));
    assert_non_null(strstr(text, "/c2_out.npy\""));
    assert_int_equal(r[2].finding, CVP_IMPL_NO_OUTPUT);

    /* No temporary folder is convproof's own error. */
    cvp_impl_runner_init(&runner, "true", CVP_IMPL_NCHW);
    runner.tmpdir = "/nonexistent/convproof";
    const cvp_impl_case *cases[1] = {&one_case};
    cvp_error e;
    tu_assert_fails(cvp_impl_run(&runner, r, cases, 1, &e), &e, CVP_ERR_LIMIT,
                    "cannot make a temporary folder");

    for (int k = 0; k < 4; k++)
        cvp_impl_result_clear(&r[k]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ops_and_shapes),
        cmocka_unit_test(test_convert),
        cmocka_unit_test(test_dims),
        cmocka_unit_test(test_space_parse),
        cmocka_unit_test(test_sweep),
        cmocka_unit_test(test_expected_and_sums),
        cmocka_unit_test(test_judge),
        cmocka_unit_test(test_judge_bounded),
        cmocka_unit_test(test_fake_correct),
        cmocka_unit_test(test_shrink_no_bias),
        cmocka_unit_test(test_shrink_crash),
        cmocka_unit_test(test_shrink_ties),
        cmocka_unit_test(test_hang_and_limit),
        cmocka_unit_test_setup_teardown(test_runner, setup_runner, teardown_runner),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
