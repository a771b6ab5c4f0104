/* status.h -- status codes and error records shared by every layer.
 *
 * Library code never prints or exits.  A function that can fail on bad
 * input returns a cvp_status and, when given a non-NULL cvp_error, writes a
 * one-line explanation into it.  The numeric values of the codes are the
 * exit codes of the `convproof` command, so the command can pass them on.
 *
 * A broken internal invariant is not an error but a bug: CVP_ASSERT checks
 * it always (also in release builds) and aborts with the failing condition.
 */
#ifndef CVP_STATUS_H
#define CVP_STATUS_H

#include <stddef.h>

typedef enum {
    CVP_OK = 0,          /* success */
    CVP_ERR_INPUT = 2,   /* bad input: wrong shape, bad argument, parse error */
    CVP_ERR_LIMIT = 3,   /* a resource limit was reached (size, time) */
    /* The operation has no meaning in the ring it was asked in (a maximum
     * of polynomials, a division by a non-constant): the method that
     * asked does not apply.  Never an exit code: callers turn it into a
     * "not applicable" verdict or an input error. */
    CVP_ERR_UNSUPPORTED = 4,
    /* A derivative was asked at a point where it does not exist (a ReLU
     * input at 0, a tied maximum): a property of the instance, not an
     * error of the input.  Never an exit code. */
    CVP_ERR_NOT_DIFFERENTIABLE = 5,
    /* An external implementation under test misbehaved (crashed, timed
     * out, wrote no output or a wrong shape): a finding about that code,
     * which the checker reports as a failed instance.  Never an exit
     * code. */
    CVP_ERR_EXTERNAL = 6,
    /* An external implementation under test answered that it does not
     * handle the case ("unsupported", docs/impl-protocol.md): neither a
     * finding nor an error.  The checker skips the instance and counts
     * it, and a claim with skipped instances is not passed.  Never an
     * exit code. */
    CVP_ERR_DECLINED = 7,
    /* A value is undefined at this point: a division by an entry that is
     * 0 there.  Like a derivative at a kink, a property of the instance:
     * the claim does not hold at that point, so the checker reports it
     * as a failed instance.  Never an exit code (`convproof eval` reports
     * it as an error of its input, exit 2). */
    CVP_ERR_UNDEFINED = 8
} cvp_status;

#define CVP_ERROR_MESSAGE_MAX 512

/* An error record.  `message` is empty while status is CVP_OK. */
typedef struct {
    cvp_status status;
    char message[CVP_ERROR_MESSAGE_MAX];
} cvp_error;

/* Resets `err` to CVP_OK with an empty message.  `err` may be NULL. */
void cvp_error_clear(cvp_error *err);

/* Records a failure.  `err` may be NULL, in which case only the status is
 * returned.  Returns `status` so callers can write
 *     return cvp_error_set(err, CVP_ERR_INPUT, "...", ...);
 */
cvp_status cvp_error_set(cvp_error *err, cvp_status status,
                         const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* Prepends "prefix: " to the message already in `err` (no-op if NULL).
 * Used by callers that know more context, e.g. which argument failed. */
void cvp_error_prefix(cvp_error *err, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/* Owned text fields: *field is freed and replaced by a malloc'd copy of
 * text (NULL clears); text may point into *field itself.  Running out of
 * memory is an assertion. */
void cvp_set_text(char **field, const char *text);
void cvp_set_textf(char **field, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/* Always-on invariant check. */
void cvp_assert_fail(const char *condition, const char *file, int line)
    __attribute__((noreturn));
#define CVP_ASSERT(cond) \
    ((cond) ? (void)0 : cvp_assert_fail(#cond, __FILE__, __LINE__))

#endif
