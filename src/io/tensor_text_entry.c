/* tensor_text_entry.c -- reading one entry of the tensor text form: an
 * integer, a fraction or a decimal, exactly (the structure around the
 * entries is read in tensor_text.c). */
#include "io/tensor_text_internal.h"

#include <stdlib.h>
#include <string.h>

/* Consumes a run of digits; returns how many. */
static size_t scan_digits(parser *p)
{
    size_t n = 0;
    while (is_digit(peek(p))) {
        advance(p);
        n++;
    }
    return n;
}

/* Copies the digits of text[a..a+na) and text[b..b+nb) into the scratch
 * buffer as one NUL-terminated string. */
static bool gather_digits(parser *p, size_t a, size_t na, size_t b, size_t nb)
{
    size_t need = na + nb + 1;
    if (need > p->digits_cap) {
        char *grown = realloc(p->digits, need);
        if (grown == NULL)
            return false;
        p->digits = grown;
        p->digits_cap = need;
    }
    memcpy(p->digits, p->text + a, na);
    memcpy(p->digits + na, p->text + b, nb);
    p->digits[na + nb] = '\0';
    return true;
}

/* Reads one entry at the cursor into q.
 *   entry := ['-'|'+'] ( INT | INT '/' INT | DECIMAL )
 *   DECIMAL := (D+ ['.' D*] | '.' D+) [('e'|'E') ['+'|'-'] D+], with a '.'
 *              or an exponent. */
cvp_status cvp_text_parse_entry(parser *p, mpq_t q)
{
    text_pos start = here(p);
    bool negative = false;
    if (peek(p) == '-' || peek(p) == '+') {
        negative = peek(p) == '-';
        advance(p);
    }
    size_t int_at = p->pos;
    size_t n_int = scan_digits(p);
    size_t frac_at = p->pos, n_frac = 0;
    bool decimal = false;
    if (peek(p) == '.') {
        decimal = true;
        advance(p);
        frac_at = p->pos;
        n_frac = scan_digits(p);
    }
    if (n_int + n_frac == 0) {
        char buf[32];
        return fail_at(p, here(p), CVP_ERR_INPUT, "expected a number, found %s",
                       describe(p, buf, sizeof buf));
    }
    long exponent = 0;
    if (peek(p) == 'e' || peek(p) == 'E') {
        decimal = true;
        text_pos exp_at = here(p);
        advance(p);
        bool exp_negative = false;
        if (peek(p) == '-' || peek(p) == '+') {
            exp_negative = peek(p) == '-';
            advance(p);
        }
        if (!is_digit(peek(p)))
            return fail_at(p, here(p), CVP_ERR_INPUT,
                           "expected digits in the exponent");
        while (is_digit(peek(p))) {
            /* Saturate instead of overflowing; the limit check follows. */
            if (exponent <= CVP_TEXT_MAX_EXPONENT)
                exponent = exponent * 10 + (peek(p) - '0');
            advance(p);
        }
        if (exponent > CVP_TEXT_MAX_EXPONENT)
            return fail_at(p, exp_at, CVP_ERR_LIMIT,
                           "decimal exponent too large (at most %ld)",
                           CVP_TEXT_MAX_EXPONENT);
        if (exponent > CVP_TEXT_FREE_EXPONENT) {
            if (exponent > p->exponent_budget)
                return fail_at(p, exp_at, CVP_ERR_LIMIT,
                               "decimal exponents too large in total (those "
                               "above %ld may add up to %ld)",
                               CVP_TEXT_FREE_EXPONENT,
                               CVP_TEXT_EXPONENT_BUDGET);
            p->exponent_budget -= exponent;
        }
        if (exp_negative)
            exponent = -exponent;
    }
    size_t den_at = 0, n_den = 0;
    text_pos den_pos = here(p);
    if (peek(p) == '/') {
        if (decimal)
            return fail_at(p, here(p), CVP_ERR_INPUT,
                           "a fraction needs an integer numerator and "
                           "denominator");
        advance(p);
        den_pos = here(p);
        den_at = p->pos;
        n_den = scan_digits(p);
        if (n_den == 0)
            return fail_at(p, here(p), CVP_ERR_INPUT,
                           "expected digits after '/'");
    }
    /* The entry must end here; "1.2.3" or "12abc" is one bad token, not
     * an entry followed by garbage. */
    int c = peek(p);
    if (is_digit(c) || c == '.' || c == '/' || c == '_' || c == '+'
        || c == '-' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
        char buf[32];
        return fail_at(p, here(p), CVP_ERR_INPUT, "malformed number: "
                       "unexpected %s", describe(p, buf, sizeof buf));
    }

    if (!gather_digits(p, int_at, n_int, frac_at, n_frac))
        return fail_at(p, start, CVP_ERR_LIMIT, "out of memory");
    mpz_set_str(mpq_numref(q), p->digits, 10);
    mpz_set_ui(mpq_denref(q), 1);
    if (n_den > 0) {
        if (!gather_digits(p, den_at, n_den, 0, 0))
            return fail_at(p, start, CVP_ERR_LIMIT, "out of memory");
        mpz_set_str(mpq_denref(q), p->digits, 10);
        if (mpz_sgn(mpq_denref(q)) == 0)
            return fail_at(p, den_pos, CVP_ERR_INPUT, "zero denominator");
    } else if (decimal) {
        /* value = digits * 10^(exponent - n_frac), exactly.  n_frac is
         * bounded by the text length, so this cannot overflow a long
         * in any input that fits in memory. */
        long shift = exponent - (long)n_frac;
        mpz_t power;
        mpz_init(power);
        mpz_ui_pow_ui(power, 10, (unsigned long)(shift < 0 ? -shift : shift));
        if (shift >= 0)
            mpz_mul(mpq_numref(q), mpq_numref(q), power);
        else
            mpz_set(mpq_denref(q), power);
        mpz_clear(power);
    }
    mpq_canonicalize(q);
    if (negative)
        mpq_neg(q, q);
    return CVP_OK;
}

/* The common case, a plain integer of at most 18 digits (so it fits an
 * int64 whatever the digits), read without GMP: true with *v set and the
 * entry consumed; false with nothing consumed (parse_entry then reads it,
 * and reports any error). */
bool cvp_text_parse_small_int(parser *p, int64_t *v)
{
    size_t at = p->pos;
    bool negative = false;
    if (at < p->len && (p->text[at] == '-' || p->text[at] == '+')) {
        negative = p->text[at] == '-';
        at++;
    }
    uint64_t value = 0;   /* below 10^19 < 2^64: no overflow */
    size_t digits = 0;
    while (at < p->len && is_digit((unsigned char)p->text[at]) && digits <= 18) {
        value = value * 10 + (uint64_t)(p->text[at] - '0');
        at++;
        digits++;
    }
    if (digits == 0 || digits > 18)
        return false;
    /* What parse_entry would read on, or reject, is left to it. */
    int c = at < p->len ? (unsigned char)p->text[at] : EOF;
    if (is_digit(c) || c == '.' || c == '/' || c == '_' || c == '+' ||
        c == '-' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return false;
    /* No newline inside a number: the column moves with the position. */
    p->col += (unsigned long)(at - p->pos);
    p->pos = at;
    *v = negative ? -(int64_t)value : (int64_t)value;   /* value < 10^18 */
    return true;
}
