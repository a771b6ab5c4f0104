/* builtins_impl.h -- the handlers behind the registry (engine-internal).
 *
 * Each handler reads its parameters through the accessors of call.h, in
 * the order of its table entry in builtins_table.c, calls one kernel
 * function and reports kernel failures with cvp_call_kernel_failed.
 */
#ifndef CVP_BUILTINS_IMPL_H
#define CVP_BUILTINS_IMPL_H

#include "eval/call.h"

/* builtins_textbook.c */
cvp_status cvp_builtin_xcorr(cvp_value *out, cvp_call *call);
cvp_status cvp_builtin_conv(cvp_value *out, cvp_call *call);
cvp_status cvp_builtin_wide(cvp_value *out, cvp_call *call);
cvp_status cvp_builtin_rot180(cvp_value *out, cvp_call *call);
cvp_status cvp_builtin_pad(cvp_value *out, cvp_call *call);
cvp_status cvp_builtin_dilate(cvp_value *out, cvp_call *call);

/* builtins_conv.c */
cvp_status cvp_builtin_conv2d(cvp_value *out, cvp_call *call);
cvp_status cvp_builtin_conv_transpose2d(cvp_value *out, cvp_call *call);
cvp_status cvp_builtin_conv2d_backward_input(cvp_value *out, cvp_call *call);
cvp_status cvp_builtin_conv2d_backward_weight(cvp_value *out, cvp_call *call);
cvp_status cvp_builtin_conv2d_backward_bias(cvp_value *out, cvp_call *call);
cvp_status cvp_builtin_conv2d_matrix_input(cvp_value *out, cvp_call *call);
cvp_status cvp_builtin_conv2d_matrix_weight(cvp_value *out, cvp_call *call);

/* builtins_pool.c */
cvp_status cvp_builtin_max_pool2d(cvp_value *out, cvp_call *call);
cvp_status cvp_builtin_avg_pool2d(cvp_value *out, cvp_call *call);
cvp_status cvp_builtin_max_pool2d_backward(cvp_value *out, cvp_call *call);
cvp_status cvp_builtin_max_pool2d_backward_split(cvp_value *out, cvp_call *call);
cvp_status cvp_builtin_max_pool2d_backward_all(cvp_value *out, cvp_call *call);
cvp_status cvp_builtin_relu_backward(cvp_value *out, cvp_call *call);
cvp_status cvp_builtin_avg_pool2d_backward(cvp_value *out, cvp_call *call);
cvp_status cvp_builtin_relu(cvp_value *out, cvp_call *call);

/* builtins_tensor.c */
cvp_status cvp_builtin_transpose(cvp_value *out, cvp_call *call);
cvp_status cvp_builtin_reshape(cvp_value *out, cvp_call *call);
cvp_status cvp_builtin_sum(cvp_value *out, cvp_call *call);
cvp_status cvp_builtin_matmul(cvp_value *out, cvp_call *call);

/* builtins_conv_nd.c */
cvp_status cvp_builtin_conv1d(cvp_value *out, cvp_call *call);
cvp_status cvp_builtin_conv3d(cvp_value *out, cvp_call *call);

/* builtins_lang.c */
cvp_status cvp_builtin_shape(cvp_value *out, cvp_call *call);
cvp_status cvp_builtin_pow(cvp_value *out, cvp_call *call);
cvp_status cvp_builtin_slice(cvp_value *out, cvp_call *call);
cvp_status cvp_builtin_index(cvp_value *out, cvp_call *call);
cvp_status cvp_builtin_concat(cvp_value *out, cvp_call *call);
cvp_status cvp_builtin_stack(cvp_value *out, cvp_call *call);
cvp_status cvp_builtin_max(cvp_value *out, cvp_call *call);
cvp_status cvp_builtin_min(cvp_value *out, cvp_call *call);
cvp_status cvp_builtin_abs(cvp_value *out, cvp_call *call);
cvp_status cvp_builtin_floordiv(cvp_value *out, cvp_call *call);

#endif
