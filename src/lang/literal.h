/* literal.h -- the exact value of a number literal.
 *
 * A literal is read as the rational it denotes, never through a float:
 * "0.25" is 1/4, "1e-3" is 1/1000, "2.5e2" is 250.  Fractions such as 2/3
 * are not literals but a division of two literals, done exactly by the
 * evaluator.
 */
#ifndef CVP_LITERAL_H
#define CVP_LITERAL_H

#include <stddef.h>
#include <stdio.h>   /* before gmp.h: it declares gmp_fprintf & co. only then */
#include <gmp.h>

#include "kernel/status.h"

/* Exponents are bounded so that a few characters cannot demand unbounded
 * time and memory ("1e999999999"), with the limits of the tensor text form
 * (io/tensor_text.c): one exponent is at most CVP_LITERAL_MAX_EXPONENT in
 * magnitude, and those above CVP_LITERAL_FREE_EXPONENT (far beyond any
 * ordinary number) are charged against a budget for the whole source, so
 * thousands of huge literals cannot add up either. */
#define CVP_LITERAL_MAX_EXPONENT 100000L
#define CVP_LITERAL_FREE_EXPONENT 1000L
#define CVP_LITERAL_EXPONENT_BUDGET 10000000L

/* Sets `value` (an initialised mpq_t, written only on success) to the
 * number spelled by text[0..len-1] in the lexer's number grammar
 * DIGITS ['.' DIGITS] [('e'|'E') ['+'|'-'] DIGITS].
 *
 * `budget` (may be NULL for no total limit) is the exponent budget left
 * for the source; it is reduced by exponents above the free limit.
 * Returns CVP_OK; CVP_ERR_INPUT for text that is not a number; or
 * CVP_ERR_LIMIT for an exponent over a limit.  On failure *why (if `why`
 * is not NULL) points to a static description. */
cvp_status cvp_literal_to_mpq(mpq_t value, const char *text, size_t len,
                              long *budget, const char **why);

#endif
