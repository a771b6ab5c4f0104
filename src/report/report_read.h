/* report_read.h -- a JSON report (render.h's cvp_report_write_json,
 * docs/report-schema.json) read back into the records of check/verdict.h,
 * so that `convproof merge-reports` can join the reports of the shards of
 * one run and render them in any format.
 *
 * The reader is strict where a wrong report would give a wrong merged
 * verdict: the text must be JSON (io/json_read.h), schema_version 1, and
 * every key the schema requires must be there with its type; outcome,
 * method and kind words must be known ones; the summary must agree with
 * the claims' outcomes.  As docs/report-format.md asks of readers, keys
 * it does not know are ignored (a later release may add some).  Every
 * refusal is CVP_ERR_INPUT with "SOURCE:LINE:COL: PATH: what", PATH the
 * place in the report ("claims[2].methods[0].outcome").
 *
 * What the JSON does not carry is not restored: figures (the pictures of
 * the HTML report) and the strength text of each method, which renderers
 * take from cvp_method_strength anyway.  A title written as "" (the JSON
 * form of a missing title) reads back as "".
 */
#ifndef CVP_REPORT_READ_H
#define CVP_REPORT_READ_H

#include <stddef.h>

#include "check/verdict.h"
#include "kernel/status.h"

/* Reads the report in text[0..len-1] into r, which this initialises;
 * on failure r is left cleared (nothing to free) and err says why.
 * `source` names the text in messages. */
cvp_status cvp_report_read_json(cvp_report *r, const char *text, size_t len,
                                const char *source, cvp_error *err);

#endif
