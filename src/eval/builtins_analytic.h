/* builtins_analytic.h -- handlers of the transcendental functions
 * (engine-internal; registered in builtins_table.c).
 *
 * sigmoid, tanh, exp, log, softmax and cross_entropy evaluate their
 * kernel operators (kernel/analytic.h): enclosures over the interval ring
 * and its jets (the `bounded` method), CVP_ERR_UNSUPPORTED in every other
 * ring ("transcendental: use `bounded`").
 */
#ifndef CVP_BUILTINS_ANALYTIC_H
#define CVP_BUILTINS_ANALYTIC_H

#include "eval/call.h"

cvp_status cvp_builtin_sigmoid(cvp_value *out, cvp_call *call);
cvp_status cvp_builtin_tanh(cvp_value *out, cvp_call *call);
cvp_status cvp_builtin_exp(cvp_value *out, cvp_call *call);
cvp_status cvp_builtin_log(cvp_value *out, cvp_call *call);
cvp_status cvp_builtin_softmax(cvp_value *out, cvp_call *call);
cvp_status cvp_builtin_cross_entropy(cvp_value *out, cvp_call *call);

#endif
