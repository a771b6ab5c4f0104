/* lang_error.h -- source positions and located errors of the language.
 *
 * Every error the language front end (lexer, parser) or the evaluator
 * reports is tied to a place in a source text: the name of the source
 * ("<expr>" for a command-line expression, a file name for a proof file),
 * a 1-based line and a 1-based column.  Formatted, it reads
 *
 *     NAME:LINE:COL: message
 *
 * which is the form compilers use, so editors can jump to it.
 *
 * Columns count characters, not bytes: a UTF-8 multi-byte sequence is one
 * column, so the column matches what a user sees in a terminal.  A tab is
 * one column.
 *
 * A cvp_lang_error is a plain value with fixed-size buffers: it owns no
 * memory, may be copied with `=`, and never needs clearing before it goes
 * out of scope.
 */
#ifndef CVP_LANG_ERROR_H
#define CVP_LANG_ERROR_H

#include "kernel/status.h"

/* A position in a source text; line and col are 1-based. */
typedef struct {
    int line;
    int col;
} cvp_srcpos;

#define CVP_SOURCE_NAME_MAX 256

typedef struct {
    cvp_status status;                  /* CVP_OK while there is no error */
    char source[CVP_SOURCE_NAME_MAX];   /* source name, truncated if long */
    cvp_srcpos pos;
    char message[CVP_ERROR_MESSAGE_MAX]; /* without the location prefix */
} cvp_lang_error;

/* Resets `err` to CVP_OK with empty fields.  `err` may be NULL. */
void cvp_lang_error_clear(cvp_lang_error *err);

/* Records a located failure and returns `status`.  `err` may be NULL (then
 * only the status is returned).  `source` is copied; it may be NULL, which
 * is recorded as "<input>". */
cvp_status cvp_lang_error_set(cvp_lang_error *err, cvp_status status,
                              const char *source, cvp_srcpos pos,
                              const char *format, ...)
    __attribute__((format(printf, 5, 6)));

/* Records a located failure whose text comes from a lower layer's error
 * record (a kernel or io cvp_error): the message becomes
 * "PREFIX: <lower message>" (or just the lower message when `prefix` is
 * NULL), the status is the lower one's (CVP_ERR_INPUT if it was CVP_OK).
 * `lower` is only read. */
cvp_status cvp_lang_error_from(cvp_lang_error *err, const cvp_error *lower,
                               const char *source, cvp_srcpos pos,
                               const char *prefix);

/* Writes "NAME:LINE:COL: message" into buf (always NUL-terminated,
 * truncated to bufsize). */
void cvp_lang_error_format(char *buf, size_t bufsize,
                           const cvp_lang_error *err);

/* Copies a located error into a plain cvp_error with the formatted text,
 * for callers of lower layers' conventions.  `out` may be NULL. */
void cvp_lang_error_to_error(cvp_error *out, const cvp_lang_error *err);

/* Renders the bytes text[0..len-1] for a message: printable ASCII as is,
 * anything else as \xNN, cut to at most about `bufsize` bytes with "..."
 * when longer.  Keeps messages about arbitrary (fuzzed) input readable. */
void cvp_lang_quote(char *buf, size_t bufsize, const char *text, size_t len);

#endif
