/* tensor_summary.h -- a counterexample's large tensors in a few lines
 * (internal to report/).
 *
 * The verdict records hold every value in full (verdict.h), and the JSON
 * report prints them so.  Text, Markdown, HTML and JUnit print a tensor of
 * at most CVP_SUMMARY_MAX_ENTRIES entries as it is; a larger one (unless
 * the run asked for --full) as a summary that names its shape and entry
 * count, the value the most entries share (the least of equally common
 * ones), and the entries that differ from it:
 *
 *   shape [1, 8, 56, 56], 25,088 entries, all 0
 *   shape [1, 8, 56, 56], 25,088 entries, all 0 except 1:
 *     [0,7,55,54] = -1
 *   shape [300], 300 entries, 0 at 100 of them, the other 200:
 *     [1] = 1
 *     ...
 *     ... and 192 more (--full or the JSON report shows every entry)
 *
 * An input that shrinking left all 0 so takes one line: a value that
 * does not depend on the input's entries then shows none.  Nothing is
 * left out that is not all equal to the value the line names.
 *
 * A side of the failing show is summarised the same way and, where the
 * other side has the same shape, shows the neighbourhood of the first
 * entries where the two sides differ (along the last axis, two entries
 * each way):
 *
 *     near [0,7,55,54]: [0,7,55,52:56] = [0, 0, -1, 0]
 */
#ifndef CVP_TENSOR_SUMMARY_H
#define CVP_TENSOR_SUMMARY_H

#include <stdbool.h>

#include "check/verdict.h"

/* Tensors with more entries than this are summarised. */
#define CVP_SUMMARY_MAX_ENTRIES 256
/* Entries listed in a summary: those that differ from the common value,
 * and the differing entries whose neighbourhood is shown. */
#define CVP_SUMMARY_MAX_LISTED 8
#define CVP_SUMMARY_MAX_NEIGHBOURHOODS 3

/* A malloc'd summary of `text`, an exact tensor text (io/tensor_text.h),
 * or NULL when it is shown as it is: it has at most
 * CVP_SUMMARY_MAX_ENTRIES entries, or is no tensor text at all (the
 * "the implementation (layout nchw): ..." of test-impl, say).  `other`
 * (may be NULL) is the other side of a show. */
char *cvp_summary_tensor(const char *text, const char *other);

/* The texts a renderer shows for a counterexample: each points either to
 * the record's own text (borrowed) or to an owned summary.  Valid while
 * the record lives and until cvp_shown_clear. */
typedef struct {
    size_t input_count;
    const char **inputs;
    const char *lhs, *rhs;
    char **owned;           /* input_count + 2 summaries or NULL */
} cvp_shown_values;

/* Fills `s` for x: the full texts when `full`, else summaries where
 * cvp_summary_tensor gives one, and NULL for an input marked unused
 * (it does not occur in the failing show: left out). */
void cvp_shown_init(cvp_shown_values *s, const cvp_counterexample *x,
                    bool full);
void cvp_shown_clear(cvp_shown_values *s);

#endif
