/* json.h -- a minimal JSON writer (the requests of `convproof test-impl`).
 *
 * Builds one JSON text in a growing buffer.  Separators are written by
 * the writer itself: call cvp_json_key before each member of an object
 * and just the value functions inside an array.  Strings are escaped as
 * RFC 8259 requires (quote, backslash, control characters and DEL);
 * bytes that are not valid UTF-8 become U+FFFD and are counted in
 * `replaced`, so a caller that needs the exact bytes back (a file path)
 * can refuse them.  Nesting is limited to CVP_JSON_MAX_DEPTH; deeper
 * nesting, a key outside an object, or a value without its key is a
 * programming error (an always-on assertion), as is running out of
 * memory.
 */
#ifndef CVP_JSON_H
#define CVP_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "io/json_read.h"

#define CVP_JSON_MAX_DEPTH 16

typedef struct {
    char *data;               /* NUL-terminated text so far */
    size_t len, cap;
    int depth;
    bool in_object[CVP_JSON_MAX_DEPTH];
    bool has_member[CVP_JSON_MAX_DEPTH];
    bool after_key;
    size_t replaced;          /* invalid UTF-8 bytes replaced so far */
} cvp_json;

void cvp_json_init(cvp_json *j);
void cvp_json_clear(cvp_json *j);

/* The text written so far (owned by j, valid until the next call). */
const char *cvp_json_text(const cvp_json *j);

void cvp_json_begin_object(cvp_json *j);
void cvp_json_end_object(cvp_json *j);
void cvp_json_begin_array(cvp_json *j);
void cvp_json_end_array(cvp_json *j);

/* The name of the next member of the current object. */
void cvp_json_key(cvp_json *j, const char *key);

void cvp_json_string(cvp_json *j, const char *s);
void cvp_json_string_len(cvp_json *j, const char *s, size_t len);
void cvp_json_int(cvp_json *j, long long v);
void cvp_json_uint(cvp_json *j, unsigned long long v);
void cvp_json_bool(cvp_json *j, bool v);
void cvp_json_null(cvp_json *j);

/* cvp_json_utf8_length, which the writer uses to pass valid UTF-8
 * through, is in io/json_read.h: the reader validates strings by it too. */

#endif
