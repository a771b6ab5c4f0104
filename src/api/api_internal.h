/* api_internal.h -- helpers shared by api.c and api_impl.c: answers,
 * the options object, reports as JSON text.  Not installed.
 *
 * Ownership as in api.h: every answer function sets *out (when out is
 * not NULL) to a malloc'd copy the caller frees with cvp_api_free.
 */
#ifndef CVP_API_INTERNAL_H
#define CVP_API_INTERNAL_H

#include <stdbool.h>

#include "api/api.h"
#include "check/verdict.h"
#include "io/json_read.h"
#include "kernel/status.h"

/* *out := a copy of text; returns status. */
int cvp_api_answer_text(char **out, int status, const char *text);
int cvp_api_answer_format(char **out, int status, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* *out := the JSON report (report/render.h); CVP_OK, or CVP_ERR_LIMIT
 * with a message. */
int cvp_api_report_json(char **out, const cvp_report *report);

/* Parses `options` (NULL or "": an empty object) into *root, refusing
 * anything but an object whose keys are all in `known` (NULL-terminated).
 * *root needs cvp_json_node_clear also on failure. */
cvp_status cvp_api_options_read(cvp_json_node *root, const char *options,
                                const char *const *known, cvp_error *err);

/* The member `key` of root, when present, into *value (unchanged when
 * absent): an integer of 0..max, a boolean, a string (borrowed from root). */
cvp_status cvp_api_option_count(unsigned long long *value,
                                const cvp_json_node *root, const char *key,
                                unsigned long long max, cvp_error *err);
cvp_status cvp_api_option_bool(bool *value, const cvp_json_node *root,
                               const char *key, cvp_error *err);
cvp_status cvp_api_option_string(const char **value, const cvp_json_node *root,
                                 const char *key, cvp_error *err);

#endif
