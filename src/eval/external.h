/* external.h -- calling an implementation that a proof file declares
 * (`implementation course = command "..." layout nhwc`) from an
 * expression: course.conv2d_backward_input(X, K, G, stride=2).
 *
 * The engine knows the operations' signatures and turns a call into a
 * request; running the command belongs to a higher layer (ext/), which
 * hands the engine a cvp_external through cvp_definitions.  Without one,
 * such a call is an input error ("no implementations here").
 *
 * Operations and parameters (tensors in the canonical layout: NCHW
 * activations, OIHW kernels, bias [O]):
 *
 *   conv2d(input, weight, bias=, stride=1, padding=0, dilation=1, groups=1)
 *   conv2d_backward_input / _weight / _bias
 *          (input, weight, grad_output, bias=, stride=, padding=,
 *           dilation=, groups=)   -- all three take the whole layer,
 *                                    since the implementation's backward
 *                                    pass computes them together
 *   max_pool2d / avg_pool2d(input, kernel_size, stride=kernel_size, padding=0)
 *   max_pool2d_backward / avg_pool2d_backward
 *          (input, grad_output, kernel_size, stride=kernel_size, padding=0)
 *
 * Pooling is floor mode and average pooling counts the padding, PyTorch's
 * defaults (the protocol of docs/impl-protocol.md has no other mode).
 *
 * An implementation computes on numbers, so a call in any ring but Q
 * (symbolic, random, all_shapes, a derivative's dual numbers) is
 * CVP_ERR_UNSUPPORTED: those methods do not apply to such a claim.
 */
#ifndef CVP_EXTERNAL_H
#define CVP_EXTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "eval/builtins.h"
#include "kernel/tensor.h"

typedef enum {
    CVP_EXTERNAL_CONV2D,
    CVP_EXTERNAL_CONV2D_BACKWARD_INPUT,
    CVP_EXTERNAL_CONV2D_BACKWARD_WEIGHT,
    CVP_EXTERNAL_CONV2D_BACKWARD_BIAS,
    CVP_EXTERNAL_MAX_POOL2D,
    CVP_EXTERNAL_MAX_POOL2D_BACKWARD,
    CVP_EXTERNAL_AVG_POOL2D,
    CVP_EXTERNAL_AVG_POOL2D_BACKWARD
} cvp_external_op;

/* One call.  Everything is borrowed from the evaluation for the time of
 * the run; absent tensors are NULL (a conv layer without bias). */
typedef struct {
    cvp_external_op op;
    const char *implementation;      /* "course" */
    size_t implementation_len;       /* not NUL-terminated in the call */
    const cvp_tensor_struct *input, *weight, *bias, *grad_output;
    size_t kernel[2];                /* pooling: the window */
    size_t stride[2], padding[2], dilation[2];
    size_t groups;
} cvp_external_request;

typedef struct cvp_external cvp_external;
struct cvp_external {
    void *ctx;
    /* Runs `request` and writes the implementation's result into `out`
     * (over Q, canonical layout).  Returns CVP_ERR_EXTERNAL when the
     * implementation misbehaved (crashed, timed out, wrote nothing or a
     * wrong shape; the message says which, with its standard error),
     * CVP_ERR_DECLINED when it answered "unsupported" for the case (the
     * message has its reason),
     * CVP_ERR_INPUT when the implementation is unknown or the request is
     * not a case the protocol can carry, CVP_ERR_LIMIT for convproof's
     * own failures. */
    cvp_status (*run)(void *ctx, cvp_tensor_t out,
                      const cvp_external_request *request, cvp_error *err);

    /* Answering calls in batches (docs/impl-protocol.md).  All NULL when
     * every call runs on its own; then the checker never gathers.
     *
     * gather(ctx, true) starts gathering: from then on `run` starts
     * nothing.  A call whose case is answered already (see `answer`)
     * gets its answer, as outside gathering; any other call records its
     * case (unless recorded already) and gets a stand-in in `out`, zeros
     * of the shape of the answer, so that the evaluation goes on to the
     * calls after it.  Whatever is computed from a stand-in means nothing
     * and must be thrown away (a call that takes a stand-in as input asks
     * for a case nobody needs; gathering again after `answer` asks for
     * the right one).  A call the protocol cannot carry fails as it would
     * outside gathering.  gather(ctx, false) ends it.
     *
     * gathered is the number of cases recorded and not run yet;
     * gather_full says that enough are recorded for one round of batched
     * runs (a bound on their number and on their input entries, which
     * keeps memory bounded).
     *
     * answer runs every recorded case, in batches and up to the
     * implementation's jobs at a time, and keeps the results: a later
     * `run` of an answered case returns exactly what a run of that case
     * alone would have returned (each case's own output files; a batch
     * that fails as a whole is run again one case at a time, so a
     * finding names its own case).  A call whose case was not answered
     * runs on its own, as without batching.  Fails only for convproof's
     * own errors (CVP_ERR_LIMIT: a limit of kernel/interrupt.h was
     * reached, or no temporary folder).
     *
     * forget drops the recorded and answered cases. */
    void (*gather)(void *ctx, bool on);
    size_t (*gathered)(void *ctx);
    bool (*gather_full)(void *ctx);
    cvp_status (*answer)(void *ctx, cvp_error *err);
    void (*forget)(void *ctx);
    /* The whole message of the last run that returned CVP_ERR_EXTERNAL
     * (the finding with the head and tail of the implementation's
     * standard error), which err->message may have had to cut; owned by
     * ctx, valid until the next run.  NULL when there is none, or when
     * the member itself is NULL. */
    const char *(*last_failure)(void *ctx);
};

/* The signature of operation `op` ("conv2d_backward_input"), as a
 * function whose handler sends the call to the evaluation's cvp_external;
 * NULL when there is no such operation. */
const cvp_builtin *cvp_external_operation(const char *op);

#endif
