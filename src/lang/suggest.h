/* suggest.h -- "did you mean ...?" for misspelt names.
 *
 * A candidate is suggested when its edit distance (insertions, deletions,
 * substitutions, and swaps of neighbouring characters) to the misspelt
 * name is small relative to the name's length: at most 1 for names of up
 * to 4 characters, 2 up to 8, 3 beyond.  Only the closest candidate is
 * suggested; on a tie, the first candidate that starts with the
 * misspelt name, else the first candidate.
 */
#ifndef CVP_SUGGEST_H
#define CVP_SUGGEST_H

#include <stddef.h>

/* Running best candidate.  Initialise with cvp_suggest_init; feed every
 * candidate; read `best` (NULL when nothing is close enough).  The
 * strings are borrowed and must outlive the use of `best`. */
typedef struct {
    const char *wanted;
    const char *best;
    size_t best_distance;
} cvp_suggest;

void cvp_suggest_init(cvp_suggest *s, const char *wanted);
void cvp_suggest_consider(cvp_suggest *s, const char *candidate);

/* Optimal-string-alignment distance between a and b (for tests). */
size_t cvp_edit_distance(const char *a, const char *b);

#endif
