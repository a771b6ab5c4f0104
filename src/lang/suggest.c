/* suggest.c -- closest-name suggestions. */
#include "lang/suggest.h"

#include <stdlib.h>
#include <string.h>

/* Names longer than this are not compared (no one misspells a 65-letter
 * name, and it bounds the work on hostile input). */
#define MAX_COMPARED_LENGTH 64

size_t cvp_edit_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > MAX_COMPARED_LENGTH || m > MAX_COMPARED_LENGTH)
        return (size_t)-1;
    /* d[i][j] = distance between a[0..i) and b[0..j). */
    size_t d[MAX_COMPARED_LENGTH + 1][MAX_COMPARED_LENGTH + 1];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = d[i - 1][j - 1] + cost;
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]
                && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[n][m];
}

void cvp_suggest_init(cvp_suggest *s, const char *wanted)
{
    s->wanted = wanted;
    s->best = NULL;
    s->best_distance = (size_t)-1;
}

void cvp_suggest_consider(cvp_suggest *s, const char *candidate)
{
    size_t len = strlen(s->wanted);
    size_t allowed = len <= 4 ? 1 : len <= 8 ? 2 : 3;
    size_t distance = cvp_edit_distance(s->wanted, candidate);
    if (distance == 0 || distance > allowed || distance > s->best_distance)
        return;
    /* On a tie, a candidate that extends what was typed wins: "conv2"
     * more likely meant "conv2d" than "conv". */
    if (distance == s->best_distance
        && (strncmp(candidate, s->wanted, len) != 0
            || strncmp(s->best, s->wanted, len) == 0))
        return;
    s->best = candidate;
    s->best_distance = distance;
}
