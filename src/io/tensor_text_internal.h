/* tensor_text_internal.h -- what the reader of the tensor text form
 * shares between its files: the parser's state and cursor, located
 * errors, and the two entry readers (tensor_text_entry.c) the structure
 * reader (tensor_text.c) calls.  Not part of the API (tensor_text.h is).
 */
#ifndef CVP_TENSOR_TEXT_INTERNAL_H
#define CVP_TENSOR_TEXT_INTERNAL_H

#include "io/tensor_text.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

/* Decimal exponents are bounded so that a few bytes of text ("1e99999999")
 * cannot demand gigabytes: one exponent is at most CVP_TEXT_MAX_EXPONENT,
 * and exponents above CVP_TEXT_FREE_EXPONENT (far beyond what any double
 * needs, so ordinary data never counts) are charged against a budget for
 * the whole text. */
#define CVP_TEXT_MAX_EXPONENT 100000L
#define CVP_TEXT_FREE_EXPONENT 1000L
#define CVP_TEXT_EXPONENT_BUDGET 10000000L

typedef struct {
    const char *text;
    size_t len;
    size_t pos;
    unsigned long line, col;   /* 1-based position of text[pos] */
    const char *name;
    cvp_error *err;
    long exponent_budget;
    char *digits;              /* scratch buffer for mpz_set_str */
    size_t digits_cap;
} parser;

typedef struct {
    unsigned long line, col;
} text_pos;

static inline text_pos here(const parser *p)
{
    text_pos at = {p->line, p->col};
    return at;
}

static inline cvp_status fail_at(parser *p, text_pos at, cvp_status st,
                                 const char *format, ...)
    __attribute__((format(printf, 4, 5)));

static inline cvp_status fail_at(parser *p, text_pos at, cvp_status st,
                          const char *format, ...)
{
    char what[CVP_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, format);
    vsnprintf(what, sizeof what, format, ap);
    va_end(ap);
    return cvp_error_set(p->err, st, "%s:%lu:%lu: %s", p->name, at.line,
                         at.col, what);
}

static inline int peek(const parser *p)
{
    return p->pos < p->len ? (unsigned char)p->text[p->pos] : EOF;
}

static inline void advance(parser *p)
{
    if (p->text[p->pos] == '\n') {
        p->line++;
        p->col = 1;
    } else {
        p->col++;
    }
    p->pos++;
}

static inline bool is_digit(int c) { return c >= '0' && c <= '9'; }

/* A readable name for the character at the cursor, for messages. */
static inline const char *describe(const parser *p, char *buf, size_t bufsize)
{
    int c = peek(p);
    if (c == EOF)
        snprintf(buf, bufsize, "end of input");
    else if (c >= 0x20 && c <= 0x7e)
        snprintf(buf, bufsize, "'%c'", c);
    else
        snprintf(buf, bufsize, "byte 0x%02x", (unsigned)c);
    return buf;
}

static inline void skip_space(parser *p)
{
    for (;;) {
        int c = peek(p);
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
            || c == '\v') {
            advance(p);
        } else if (c == '#') {
            while (peek(p) != EOF && peek(p) != '\n')
                advance(p);
        } else {
            return;
        }
    }
}

/* Reads one entry at the cursor into q (the grammar is in
 * tensor_text_entry.c). */
cvp_status cvp_text_parse_entry(parser *p, mpq_t q);

/* A plain integer of at most 18 digits at the cursor, without GMP: true
 * with *v set and the entry consumed; false with nothing consumed. */
bool cvp_text_parse_small_int(parser *p, int64_t *v);

#endif
