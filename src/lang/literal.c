/* literal.c -- exact values of number literals. */
#include "lang/literal.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static cvp_status refuse(const char **why, cvp_status status,
                         const char *reason)
{
    if (why != NULL)
        *why = reason;
    return status;
}

cvp_status cvp_literal_to_mpq(mpq_t value, const char *text, size_t len,
                              long *budget, const char **why)
{
    /* Collect the mantissa digits (integer and fraction part, without the
     * point) and count the fraction digits; the value is
     * mantissa * 10^(exponent - fraction_digits). */
    char *digits = malloc(len + 1);
    if (digits == NULL)
        return refuse(why, CVP_ERR_LIMIT, "out of memory");
    size_t ndigits = 0, i = 0;
    long fraction_digits = 0;
    while (i < len && is_digit(text[i]))
        digits[ndigits++] = text[i++];
    if (i < len && text[i] == '.') {
        i++;
        while (i < len && is_digit(text[i])) {
            digits[ndigits++] = text[i++];
            fraction_digits++;
        }
    }
    long exponent = 0;
    if (i < len && (text[i] == 'e' || text[i] == 'E')) {
        i++;
        bool negative = false;
        if (i < len && (text[i] == '+' || text[i] == '-'))
            negative = text[i++] == '-';
        if (i == len || !is_digit(text[i])) {
            free(digits);
            return refuse(why, CVP_ERR_INPUT, "the exponent needs digits");
        }
        while (i < len && is_digit(text[i])) {
            /* saturate instead of overflowing; the bound check follows */
            if (exponent <= CVP_LITERAL_MAX_EXPONENT)
                exponent = exponent * 10 + (text[i] - '0');
            i++;
        }
        if (exponent > CVP_LITERAL_MAX_EXPONENT) {
            free(digits);
            return refuse(why, CVP_ERR_LIMIT,
                          "exponent too large (at most 100000 in "
                          "magnitude)");
        }
        if (exponent > CVP_LITERAL_FREE_EXPONENT && budget != NULL) {
            if (exponent > *budget) {
                free(digits);
                return refuse(why, CVP_ERR_LIMIT,
                              "exponents too large in total (those above "
                              "1000 may add up to 10000000)");
            }
            *budget -= exponent;
        }
        if (negative)
            exponent = -exponent;
    }
    if (ndigits == 0 || i != len) {
        free(digits);
        return refuse(why, CVP_ERR_INPUT, "not a number");
    }
    digits[ndigits] = '\0';

    mpz_t mantissa, power;
    mpz_init(power);
    mpz_init_set_str(mantissa, digits, 10);
    free(digits);
    /* fraction_digits <= len, so this cannot overflow a long for any text
     * that fits in memory. */
    long scale = exponent - fraction_digits;
    if (scale >= 0) {
        mpz_ui_pow_ui(power, 10, (unsigned long)scale);
        mpz_mul(mantissa, mantissa, power);
        mpq_set_z(value, mantissa);
    } else {
        mpz_ui_pow_ui(power, 10, (unsigned long)-scale);
        mpq_set_num(value, mantissa);
        mpq_set_den(value, power);
        mpq_canonicalize(value);
    }
    mpz_clear(mantissa);
    mpz_clear(power);
    return CVP_OK;
}
