/* testutil_impl.h -- a helper shared by the test-impl tests
 * (test_ext_impl, test_ext_impl_run).  Include after "testutil.h". */
#ifndef CVP_TESTUTIL_IMPL_H
#define CVP_TESTUTIL_IMPL_H

#include "ext/impl.h"

/* c := the conv2d case N = C = O = 1, a 2 x 2 input [[x0, x1], [x2, x3]],
 * the 1 x 1 kernel [w] and the bias [b]; stride, dilation and groups 1,
 * no padding.  c must have been initialised (cvp_impl_case_init). */
void tu_small_conv(cvp_impl_case *c, long x0, long x1, long x2, long x3,
                   long w, long b);

#endif
