/* call.h -- evaluating a function call, and what handlers see of it.
 *
 * Engine-internal: used by eval.c and by the builtin handlers.
 *
 * A cvp_call holds, for one call being evaluated, the evaluated value of
 * every parameter of the called function (defaults filled in) together
 * with the source position to blame for each.  The accessors below
 * convert a parameter to what a kernel function needs and report wrong
 * types and ranges located at that argument, with messages of the form
 * "conv2d: stride must be at least 1, got 0".
 *
 * Ownership: the call owns its argument values; handlers read them
 * through the accessors (pointers stay valid during the handler) and
 * write their result into the `out` value they are given.
 */
#ifndef CVP_CALL_H
#define CVP_CALL_H

#include <stdbool.h>

#include "eval/builtins.h"
#include "eval/eval.h"

struct cvp_call {
    const cvp_builtin *builtin;
    const cvp_ast_node *node;          /* the call expression */
    const cvp_eval_context *context;
    int param_count;
    cvp_value args[CVP_BUILTIN_MAX_PARAMS];
    bool given[CVP_BUILTIN_MAX_PARAMS];        /* written in the call */
    cvp_srcpos arg_pos[CVP_BUILTIN_MAX_PARAMS]; /* blamed on errors */
};

/* Evaluates the call expression `node` (kind CVP_AST_CALL) into `out`. */
cvp_status cvp_eval_call(cvp_value *out, const cvp_ast_node *node,
                         const cvp_eval_context *context);

/* Largest integer accepted for sizes and hyper-parameters (stride,
 * padding, kernel size, groups, ...): well within what the kernel's index
 * arithmetic handles, and far beyond any real layer. */
#define CVP_CALL_MAX_INT ((long)1 << 24)

/* ---- accessors for handlers; `index` is the parameter's position ---- */

/* The tensor argument.  Anything else is an error. */
cvp_status cvp_arg_tensor(cvp_call *call, int index,
                          const cvp_tensor_struct **out);

/* Like cvp_arg_tensor, but none gives *out = NULL. */
cvp_status cvp_arg_optional_tensor(cvp_call *call, int index,
                                   const cvp_tensor_struct **out);

/* True when the argument is none (an absent optional parameter). */
bool cvp_arg_is_none(const cvp_call *call, int index);

/* An integer in [min, CVP_CALL_MAX_INT]: a scalar tensor with an integer
 * value (so 4/2 is fine, 1/2 is not). */
cvp_status cvp_arg_size(cvp_call *call, int index, long min, size_t *out);

/* An integer of either sign, |n| <= CVP_CALL_MAX_INT. */
cvp_status cvp_arg_long(cvp_call *call, int index, long *out);

/* A pair for height and width: one integer (used for both) or a tuple of
 * two integers, each in [min, CVP_CALL_MAX_INT]. */
cvp_status cvp_arg_pair(cvp_call *call, int index, long min, size_t out[2]);

/* A boolean. */
cvp_status cvp_arg_bool(cvp_call *call, int index, bool *out);

/* A tuple of integers (or a single integer, read as a 1-tuple) of at
 * most `max` entries, each of either sign with |n| <= CVP_CALL_MAX_INT;
 * *count receives the number of entries. */
cvp_status cvp_arg_int_list(cvp_call *call, int index, long *out,
                            size_t max, size_t *count);

/* Reports an error at argument `index` (or at the call itself when
 * index < 0), prefixed with the function's name. */
cvp_status cvp_call_fail(cvp_call *call, int index, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* Reports the failure of a kernel function at the call, keeping its
 * status (a size limit stays CVP_ERR_LIMIT) and prefixing the message
 * with the function's name. */
cvp_status cvp_call_kernel_failed(cvp_call *call, const cvp_error *kernel_error);

/* Ends a handler that computed into out->tensor with a kernel function
 * returning `status`: on success makes `out` a tensor value, on failure
 * reports `kernel_error` as cvp_call_kernel_failed does. */
cvp_status cvp_call_finish_tensor(cvp_value *out, cvp_call *call,
                                  cvp_status status,
                                  const cvp_error *kernel_error);

/* A kernel message without its leading "name: " (a short run of
 * characters without spaces, then ": "),
 * e.g. "add: shapes ..." -> "shapes ...", so the caller can put its own
 * name (the operator, or the function as the user called it) in front.
 * Returns a pointer into `message`. */
const char *cvp_kernel_message_body(const char *message);

/* The name of parameter `index`. */
const char *cvp_arg_name(const cvp_call *call, int index);

#endif
