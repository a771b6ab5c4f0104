/* api.h -- a text-in, text-out entry point to the library for other
 * languages (the Python package of python/ calls it through ctypes).
 *
 * Every function takes plain C strings and answers with one string in
 * *out: on CVP_OK a JSON document (the report of docs/report-format.md,
 * or the value of an evaluation, described below), otherwise the error
 * message, located as the command line prints it ("FILE:LINE:COL:
 * message").  The return value is the cvp_status of kernel/status.h as an
 * int: 0 (CVP_OK), 2 (bad input), 3 (a limit), ...  A claim that does not
 * hold is no error: the report says so, and the status is 0.
 *
 * Ownership: *out is allocated by the library (malloc) and belongs to the
 * caller, who frees it with cvp_api_free.  *out is always set, also on
 * failure (to a message), except when `out` itself is NULL.  Arguments are
 * only read; none is kept after the call returns.
 *
 * Options are a JSON object (NULL or "" for none); unknown keys are an
 * input error, so a misspelt option is never silently ignored:
 *   check:      "seed" (an integer; absent or 0: drawn from the
 *               operating system, and printed in the report), "methods" (array of
 *               method names: run only these), "timeout" (seconds per
 *               claim, 0 for none; default 600), "max_shapes".
 *   test_impl:  "seed" (default 1), "trials" (default 40), "shapes" (as
 *               --shapes: "N=1..2,H=3..8"), "values" ("LO..HI"), "large"
 *               (boolean, default true), "shrink" (boolean, default true),
 *               "max_shrink_runs", "name" (the implementation's name in
 *               the report's titles).
 *
 * Threads: one call at a time per process (the library's limits and
 * counters are process-wide).
 */
#ifndef CVP_API_H
#define CVP_API_H

#include <stddef.h>

/* Checks every claim of the .proof file at `path` (its implementations
 * run in the file's folder, as with `convproof check`); *out is the JSON
 * report. */
int cvp_api_check_file(const char *path, const char *options, char **out);

/* The same for proof text held in memory; `source_name` names it in
 * errors and in the report (NULL: "<text>"); implementations run in the
 * current folder. */
int cvp_api_check_text(const char *text, const char *source_name,
                       const char *options, char **out);

/* Evaluates `expression` exactly, with the names of `bindings` bound: a
 * JSON object whose members are tensors in the text form of
 * io/tensor_text.h ({"X": "[[1, -1/2], [0, 3]]"}); NULL or "" for none.
 * *out is the value as JSON:
 *   {"kind": "tensor", "shape": [2, 2], "values": ["1", "-1/2", ...]}
 *     (entries in row-major order, each an exact fraction "P/Q" in lowest
 *     terms, or an integer "P"; a scalar has shape []),
 *   {"kind": "bool", "value": true},
 *   {"kind": "tuple", "items": [VALUE, ...]},
 *   {"kind": "none"}. */
int cvp_api_eval(const char *expression, const char *bindings, char **out);

/* ---- testing an implementation called in process ---------------------- */

/* Where an implementation puts its outputs for one case (opaque). */
typedef struct cvp_api_answer cvp_api_answer;

/* The implementation under test: called once per case with the case as
 * JSON (`case_json`, valid during the call):
 *   {"op": "conv2d", "layout": "nhwc",
 *    "params": {...as in docs/impl-protocol.md's request...},
 *    "inputs": {"x": {"shape": [N, H, W, C], "values": [...]}, ...},
 *    "outputs": {"out": {"shape": [...]}, ...}}
 * in the implementation's layout, the values in row-major order, each an
 * integer (every case of the sweep has integer inputs; an entry that is
 * not would come as the string "P/Q").  It hands back each output with
 * cvp_api_answer_npy, or says it failed with cvp_api_answer_fail.
 * Whatever it does not hand back is a missing output. */
typedef void (*cvp_api_impl_fn)(void *ctx, const char *case_json,
                                cvp_api_answer *answer);

/* Output `name` ("out", "grad_input", ...) of the case as the bytes of a
 * .npy file (any float or integer dtype; every value is read as the
 * exact rational it denotes).  Unreadable bytes, a NaN or an infinity are
 * a "bad output" finding, not an error.  Returns 0, or 2 when the case has
 * no output of that name. */
int cvp_api_answer_npy(cvp_api_answer *answer, const char *name,
                       const void *data, size_t len);

/* The implementation failed (raised an exception): `message` (a
 * traceback, say) is shown in the report; the case is "crashed". */
void cvp_api_answer_fail(cvp_api_answer *answer, const char *message);

/* Tests `fn` as an implementation of `op` ("conv2d", "conv2d_backward",
 * "max_pool2d", ...) in `layout` ("nchw" or "nhwc") on the sweep of
 * `convproof test-impl`, judged by the same exact comparison, the first
 * failure shrunk.  *out is the JSON report: one claim, "tested" when
 * every case agreed, else "failed" with the smallest counterexample. */
int cvp_api_test_impl(const char *op, const char *layout, const char *options,
                      cvp_api_impl_fn fn, void *ctx, char **out);

/* Frees a string the functions above returned; NULL is allowed. */
void cvp_api_free(char *text);

#endif
