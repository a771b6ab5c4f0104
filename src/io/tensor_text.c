/* tensor_text.c -- reading the exact text form of tensors (writing is in
 * tensor_text_write.c).
 *
 * The grammar and the error format are specified in tensor_text.h.  The
 * parser is iterative with an explicit stack bounded by CVP_MAX_RANK, so a
 * hostile input of a million '[' is rejected at the ninth one instead of
 * overflowing the C stack.  Entries are collected in a growable array and
 * moved into the tensor only once the shape is known, so `out` is left
 * untouched when parsing fails.
 *
 * Rectangularity: the first list to close at nesting depth d fixes the
 * length of every list at depth d; the first entry (or the first empty
 * list) fixes the rank.  Both are checked as the text is read, so an error
 * points at the first place where the text stops being a tensor.
 */
#include "io/tensor_text.h"
#include "kernel/packed.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

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

static text_pos here(const parser *p)
{
    text_pos at = {p->line, p->col};
    return at;
}

static cvp_status fail_at(parser *p, text_pos at, cvp_status st,
                          const char *format, ...)
    __attribute__((format(printf, 4, 5)));

static cvp_status fail_at(parser *p, text_pos at, cvp_status st,
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

static int peek(const parser *p)
{
    return p->pos < p->len ? (unsigned char)p->text[p->pos] : EOF;
}

static void advance(parser *p)
{
    if (p->text[p->pos] == '\n') {
        p->line++;
        p->col = 1;
    } else {
        p->col++;
    }
    p->pos++;
}

static bool is_digit(int c) { return c >= '0' && c <= '9'; }

/* A readable name for the character at the cursor, for messages. */
static const char *describe(const parser *p, char *buf, size_t bufsize)
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

static void skip_space(parser *p)
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
static cvp_status parse_entry(parser *p, mpq_t q)
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
static bool parse_small_int(parser *p, int64_t *v)
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

/* The growing list of entries read so far: int64 integers while every
 * entry is a small integer (no GMP object at all), rationals from the
 * first entry that is not. */
typedef struct {
    int64_t *ints;           /* while !rational */
    mpq_t *items;            /* once rational */
    size_t count, capacity;  /* capacity items are mpq_init'ed */
    size_t int_capacity;
    bool rational;
} entry_list;

static void entry_list_clear(entry_list *l)
{
    for (size_t k = 0; k < l->capacity; k++)
        mpq_clear(l->items[k]);
    free(l->items);
    free(l->ints);
}

/* Appends an integer (the list is not yet rational); false when out of
 * memory. */
static bool entry_list_push_int(entry_list *l, int64_t v)
{
    if (l->count == l->int_capacity) {
        size_t cap = l->int_capacity ? 2 * l->int_capacity : 16;
        if (cap > SIZE_MAX / sizeof(int64_t))
            return false;
        int64_t *grown = realloc(l->ints, cap * sizeof(int64_t));
        if (grown == NULL)
            return false;
        l->ints = grown;
        l->int_capacity = cap;
    }
    l->ints[l->count++] = v;
    return true;
}

/* Returns the next free slot, or NULL when out of memory; the list
 * becomes rational (the integers so far are converted). */
static mpq_ptr entry_list_push(entry_list *l)
{
    if (!l->rational) {
        size_t n = l->count;
        l->count = 0;
        l->rational = true;
        for (size_t k = 0; k < n; k++) {
            mpq_ptr q = entry_list_push(l);
            if (q == NULL)
                return NULL;
            mpq_set_si(q, (long)l->ints[k], 1);
        }
        free(l->ints);
        l->ints = NULL;
        l->int_capacity = 0;
    }
    if (l->count == l->capacity) {
        size_t cap = l->capacity ? 2 * l->capacity : 16;
        if (cap > SIZE_MAX / sizeof(mpq_t))
            return NULL;
        mpq_t *grown = realloc(l->items, cap * sizeof(mpq_t));
        if (grown == NULL)
            return NULL;
        l->items = grown;
        for (size_t k = l->capacity; k < cap; k++)
            mpq_init(l->items[k]);
        l->capacity = cap;
    }
    return l->items[l->count++];
}

static const char *plural(size_t n) { return n == 1 ? "entry" : "entries"; }

typedef struct {
    int depth;                        /* lists currently open */
    int rank;                         /* -1 until known */
    size_t count[CVP_MAX_RANK + 1];   /* children so far of open list d */
    text_pos opened[CVP_MAX_RANK + 1];
    size_t shape[CVP_MAX_RANK];       /* length of lists at depth d+1 */
    bool known[CVP_MAX_RANK];
} nesting;

/* Records one more child of the innermost open list (if any). */
static cvp_status add_child(parser *p, nesting *n, text_pos at)
{
    int d = n->depth;
    if (d == 0)
        return CVP_OK;
    n->count[d]++;
    if (n->known[d - 1] && n->count[d] > n->shape[d - 1])
        return fail_at(p, at, CVP_ERR_INPUT,
                       "ragged nesting: expected %zu %s in this list (like "
                       "the first list at this depth), found more",
                       n->shape[d - 1], plural(n->shape[d - 1]));
    return CVP_OK;
}

static cvp_status close_list(parser *p, nesting *n)
{
    int d = n->depth;
    size_t c = n->count[d];
    if (n->rank < 0)
        n->rank = d;  /* only an empty list can close before any entry */
    if (n->known[d - 1]) {
        if (c != n->shape[d - 1])
            return fail_at(p, here(p), CVP_ERR_INPUT,
                           "ragged nesting: expected %zu %s in this list "
                           "(like the first list at this depth), found %zu",
                           n->shape[d - 1], plural(n->shape[d - 1]), c);
    } else {
        n->known[d - 1] = true;
        n->shape[d - 1] = c;
    }
    advance(p);
    n->depth--;
    return CVP_OK;
}

static cvp_status parse(parser *p, cvp_tensor_t out)
{
    nesting n;
    memset(&n, 0, sizeof n);
    n.rank = -1;
    entry_list entries;
    memset(&entries, 0, sizeof entries);
    cvp_status st = CVP_OK;
    bool want_value = true;  /* else: after a value inside a list */
    char buf[32];

    for (;;) {
        skip_space(p);
        int c = peek(p);
        text_pos at = here(p);
        if (c == EOF) {
            if (n.depth == 0 && want_value) {
                st = fail_at(p, at, CVP_ERR_INPUT,
                             "empty input: expected a tensor");
            } else {
                st = fail_at(p, at, CVP_ERR_INPUT,
                             "unexpected end of input: the list opened at "
                             "%lu:%lu is not closed",
                             n.opened[n.depth].line, n.opened[n.depth].col);
            }
            goto done;
        }
        if (!want_value) {
            if (c == ',') {
                advance(p);
                want_value = true;
                continue;
            }
            if (c != ']') {
                st = fail_at(p, at, CVP_ERR_INPUT,
                             "expected ',' or ']', found %s",
                             describe(p, buf, sizeof buf));
                goto done;
            }
        }
        if (c == ']') {
            /* Closes a list: right after its '[' (empty), after a value,
             * or after a trailing ','. */
            if (n.depth == 0) {
                st = fail_at(p, at, CVP_ERR_INPUT, "unexpected ']'");
                goto done;
            }
            if ((st = close_list(p, &n)) != CVP_OK)
                goto done;
        } else if (c == '[') {
            if (n.depth == CVP_MAX_RANK) {
                st = fail_at(p, at, CVP_ERR_INPUT, "nesting deeper than %d "
                             "levels (the maximum rank)", CVP_MAX_RANK);
                goto done;
            }
            if (n.rank >= 0 && n.depth >= n.rank) {
                st = fail_at(p, at, CVP_ERR_INPUT, "mixed nesting: expected "
                             "an entry (the tensor has rank %d), found '['",
                             n.rank);
                goto done;
            }
            if ((st = add_child(p, &n, at)) != CVP_OK)
                goto done;
            advance(p);
            n.depth++;
            n.count[n.depth] = 0;
            n.opened[n.depth] = at;
            want_value = true;
            continue;
        } else if (c == ',') {
            st = fail_at(p, at, CVP_ERR_INPUT, "expected a value, found ','");
            goto done;
        } else if (is_digit(c) || c == '-' || c == '+' || c == '.') {
            if (n.rank < 0)
                n.rank = n.depth;
            if (n.depth < n.rank) {
                st = fail_at(p, at, CVP_ERR_INPUT, "mixed nesting: expected "
                             "'[' (the tensor has rank %d), found an entry",
                             n.rank);
                goto done;
            }
            if ((st = add_child(p, &n, at)) != CVP_OK)
                goto done;
            if (entries.count >= cvp_tensor_max_entries()) {
                st = fail_at(p, at, CVP_ERR_LIMIT, "more than %zu entries "
                             "(the limit; see --max-entries)",
                             cvp_tensor_max_entries());
                goto done;
            }
            int64_t small;
            if (!entries.rational && parse_small_int(p, &small)) {
                if (!entry_list_push_int(&entries, small)) {
                    st = fail_at(p, at, CVP_ERR_LIMIT, "out of memory");
                    goto done;
                }
            } else {
                mpq_ptr slot = entry_list_push(&entries);
                if (slot == NULL) {
                    st = fail_at(p, at, CVP_ERR_LIMIT, "out of memory");
                    goto done;
                }
                if ((st = parse_entry(p, slot)) != CVP_OK)
                    goto done;
            }
        } else {
            st = fail_at(p, at, CVP_ERR_INPUT, "unexpected %s",
                         describe(p, buf, sizeof buf));
            goto done;
        }
        /* A value (entry or list) is complete. */
        if (n.depth == 0)
            break;
        want_value = false;
    }

    skip_space(p);
    if (peek(p) != EOF) {
        st = fail_at(p, here(p), CVP_ERR_INPUT, "unexpected %s after the "
                     "tensor", describe(p, buf, sizeof buf));
        goto done;
    }

    cvp_tensor_t result;
    cvp_tensor_init(result);
    st = entries.rational ? cvp_tensor_resize(result, n.rank, n.shape, p->err)
                          : cvp_tensor_pack_start(result, n.rank, n.shape, p->err);
    if (st != CVP_OK) {
        cvp_error_prefix(p->err, "%s", p->name);
        cvp_tensor_clear(result);
        goto done;
    }
    /* Rectangularity was checked list by list, so the counts agree. */
    CVP_ASSERT(result->size == entries.count);
    if (entries.rational) {
        for (size_t k = 0; k < entries.count; k++)
            mpq_swap(cvp_tensor_at(result, k), entries.items[k]);
        /* Rationals that fit the packed form take it (kernel/packed.h). */
        cvp_tensor_pack(result);
    } else {
        if (entries.count > 0)
            memcpy(cvp_tensor_packed_num(result), entries.ints,
                   entries.count * sizeof *entries.ints);
        cvp_tensor_pack_finish(result);
    }
    cvp_tensor_swap(out, result);
    cvp_tensor_clear(result);

done:
    entry_list_clear(&entries);
    return st;
}

cvp_status cvp_tensor_parse_text(cvp_tensor_t out, const char *text,
                                 size_t len, const char *source_name,
                                 cvp_error *err)
{
    parser p;
    memset(&p, 0, sizeof p);
    p.text = text;
    p.len = len;
    p.line = 1;
    p.col = 1;
    p.name = source_name != NULL ? source_name : "<text>";
    p.err = err;
    p.exponent_budget = CVP_TEXT_EXPONENT_BUDGET;
    cvp_status st = parse(&p, out);
    free(p.digits);
    return st;
}

cvp_status cvp_tensor_read_text_file(cvp_tensor_t out, const char *path,
                                     cvp_error *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return cvp_error_set(err, CVP_ERR_INPUT, "%s: cannot open: %s", path,
                             strerror(errno));
    char *text = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            size_t grown_cap = cap ? 2 * cap : 4096;
            char *grown = grown_cap > cap ? realloc(text, grown_cap) : NULL;
            if (grown == NULL) {
                free(text);
                fclose(f);
                return cvp_error_set(err, CVP_ERR_LIMIT,
                                     "%s: out of memory reading the file",
                                     path);
            }
            text = grown;
            cap = grown_cap;
        }
        size_t got = fread(text + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        int e = errno;
        free(text);
        fclose(f);
        return cvp_error_set(err, CVP_ERR_INPUT, "%s: read error: %s", path,
                             strerror(e));
    }
    fclose(f);
    cvp_status st = cvp_tensor_parse_text(out, text, len, path, err);
    free(text);
    return st;
}
