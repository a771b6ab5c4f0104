/* testutil_impl.c -- a helper shared by the test-impl tests. */
#include "testutil.h"
#include "testutil_impl.h"

#include <string.h>

void tu_small_conv(cvp_impl_case *c, long x0, long x1, long x2, long x3,
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
