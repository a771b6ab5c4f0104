/* npy_header.c -- parsing the header of a NumPy .npy file.
 *
 * A .npy file is: the magic "\x93NUMPY", a version byte pair, a
 * little-endian header length (2 bytes in version 1.0, 4 in 2.0 and 3.0),
 * a header that is a Python dict literal
 *     {'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }
 * (ASCII in 1.0/2.0, UTF-8 in 3.0) and then the raw entries.  The dict is
 * read by a small non-recursive scanner for exactly that dict (keys in any
 * order, either quote, free whitespace, optional trailing comma) rather
 * than a general Python literal parser: less code to trust, and every
 * malformed header is an error rather than a guess.  Non-ASCII bytes can
 * only appear inside strings, where they make the dtype unsupported.
 *
 * Every offset is checked against the bytes present before it is read.
 * This file is fuzzed; no input may crash it.
 */
#include "io/npy_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* A cursor over the header dict, data[pos..end). */
typedef struct {
    const unsigned char *data;
    size_t pos, end;
    const char *name;
    cvp_error *err;
} cursor;

void cvp_npy_format_index(char *buf, size_t bufsize, int rank,
                          const size_t *shape, size_t offset)
{
    size_t index[CVP_MAX_RANK];
    for (int k = rank - 1; k >= 0; k--) {
        index[k] = shape[k] ? offset % shape[k] : 0;
        offset = shape[k] ? offset / shape[k] : 0;
    }
    cvp_shape_format(buf, bufsize, rank, index);
}

/* Copies data[start..start+n) into buf as printable text (other bytes as
 * \xNN), truncated with "..." when long; for naming bad header values. */
static void quote_bytes(char *buf, size_t bufsize, const unsigned char *s,
                        size_t n)
{
    size_t used = 0;
    const size_t shown = 60;
    for (size_t k = 0; k < n && k < shown && used + 5 < bufsize; k++) {
        if (s[k] >= 0x20 && s[k] < 0x7f)
            buf[used++] = (char)s[k];
        else
            used += (size_t)snprintf(buf + used, bufsize - used, "\\x%02x",
                                     s[k]);
    }
    if (n > shown && used + 4 < bufsize) {
        memcpy(buf + used, "...", 3);
        used += 3;
    }
    buf[used < bufsize ? used : bufsize - 1] = '\0';
}

static cvp_status header_error(const cursor *c, const char *what)
{
    return cvp_error_set(c->err, CVP_ERR_INPUT,
                         "%s: malformed header at byte %zu: %s", c->name,
                         c->pos, what);
}

static int cur(const cursor *c)
{
    return c->pos < c->end ? c->data[c->pos] : EOF;
}

static void skip_ws(cursor *c)
{
    while (cur(c) == ' ' || cur(c) == '\t' || cur(c) == '\n'
           || cur(c) == '\r')
        c->pos++;
}

/* A quoted string; on success data[*start..*start+*n) is its content. */
static cvp_status parse_string(cursor *c, size_t *start, size_t *n)
{
    int quote = cur(c);
    if (quote != '\'' && quote != '"')
        return header_error(c, "expected a quoted string");
    c->pos++;
    *start = c->pos;
    while (cur(c) != quote) {
        if (cur(c) == EOF || cur(c) == '\n')
            return header_error(c, "unterminated string");
        if (cur(c) == '\\')
            c->pos++;  /* the escaped byte cannot end the string */
        c->pos++;
    }
    *n = c->pos - *start;
    c->pos++;
    return CVP_OK;
}

/* Skips any value (for a structured descr such as [('a', '<f8')]) up to
 * the ',' or '}' that ends it, balancing brackets without recursion. */
static cvp_status skip_value(cursor *c)
{
    size_t depth = 0, first = c->pos;
    for (;;) {
        int ch = cur(c);
        if (ch == EOF)
            return header_error(c, "unexpected end of header");
        if (depth == 0 && (ch == ',' || ch == '}')) {
            if (c->pos == first)
                return header_error(c, "expected a value");
            return CVP_OK;
        }
        if (ch == '\'' || ch == '"') {
            size_t s, n;
            cvp_status st = parse_string(c, &s, &n);
            if (st != CVP_OK)
                return st;
            continue;
        }
        if (ch == '(' || ch == '[' || ch == '{') {
            depth++;
        } else if (ch == ')' || ch == ']' || ch == '}') {
            if (depth == 0)
                return header_error(c, "unbalanced bracket");
            depth--;
        }
        c->pos++;
    }
}

static bool word_at(const cursor *c, const char *word)
{
    size_t n = strlen(word);
    if (c->end - c->pos < n || memcmp(c->data + c->pos, word, n) != 0)
        return false;
    /* The word must not continue as an identifier ("Truely"). */
    int next = c->pos + n < c->end ? c->data[c->pos + n] : ' ';
    return !((next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z')
             || (next >= '0' && next <= '9') || next == '_');
}

static cvp_status parse_bool(cursor *c, bool *value)
{
    if (word_at(c, "True")) {
        *value = true;
        c->pos += 4;
    } else if (word_at(c, "False")) {
        *value = false;
        c->pos += 5;
    } else {
        return header_error(c, "'fortran_order' must be True or False");
    }
    return CVP_OK;
}

/* A Python tuple of non-negative integers: (), (3,), (2, 3), (2, 3,).
 * "(3)" is the integer 3 in Python, not a tuple, and NumPy rejects it. */
static cvp_status parse_shape(cursor *c, cvp_npy_header *h)
{
    if (cur(c) != '(')
        return header_error(c, "'shape' must be a tuple such as (2, 3)");
    c->pos++;
    h->rank = 0;
    bool comma = false;
    for (;;) {
        skip_ws(c);
        if (cur(c) == ')')
            break;
        if (cur(c) < '0' || cur(c) > '9')
            return header_error(c, "expected a non-negative integer in "
                                "'shape'");
        if (h->rank == CVP_MAX_RANK)
            return cvp_error_set(c->err, CVP_ERR_INPUT,
                                 "%s: shape has more than %d dimensions "
                                 "(the maximum rank)", c->name, CVP_MAX_RANK);
        size_t dim = 0;
        while (cur(c) >= '0' && cur(c) <= '9') {
            unsigned digit = (unsigned)(cur(c) - '0');
            if (dim > (SIZE_MAX - digit) / 10)
                return header_error(c, "dimension too large");
            dim = dim * 10 + digit;
            c->pos++;
        }
        if (cur(c) == 'L' || cur(c) == 'l')
            c->pos++;  /* Python 2 long literal, written by old NumPy */
        h->shape[h->rank++] = dim;
        skip_ws(c);
        if (cur(c) == ',') {
            comma = true;
            c->pos++;
        } else if (cur(c) != ')') {
            return header_error(c, "expected ',' or ')' in 'shape'");
        }
    }
    if (h->rank == 1 && !comma)
        return header_error(c, "'shape' (n) is an integer, not a tuple; "
                            "write (n,)");
    c->pos++;
    return CVP_OK;
}

/* Maps descr to a kind and item size; only the dtypes npy.h lists. */
static cvp_status decode_descr(cvp_npy_header *h, const cursor *c,
                               const unsigned char *s, size_t n, bool quoted)
{
    if (quoted && n == 3) {
        char order = (char)s[0], kind = (char)s[1];
        size_t size = (size_t)(s[2] - '0');
        bool ok = false;
        switch (kind) {
        case 'f': ok = size == 4 || size == 8; h->kind = CVP_NPY_FLOAT; break;
        case 'i': ok = size == 1 || size == 2 || size == 4 || size == 8;
            h->kind = CVP_NPY_INT; break;
        case 'u': ok = size == 1 || size == 2 || size == 4 || size == 8;
            h->kind = CVP_NPY_UINT; break;
        case 'b': ok = size == 1; h->kind = CVP_NPY_BOOL; break;
        default: break;
        }
        /* '|' (no byte order) only makes sense for one-byte items. */
        if (ok && (order == '<' || order == '>'
                   || (order == '|' && size == 1))) {
            h->itemsize = size;
            h->big_endian = order == '>';
            return CVP_OK;
        }
    }
    char text[256];
    quote_bytes(text, sizeof text, s, n);
    return cvp_error_set(c->err, CVP_ERR_INPUT,
                         "%s: unsupported dtype %s%s%s (supported: float64, "
                         "float32, int8..int64, uint8..uint64, bool)",
                         c->name, quoted ? "'" : "", text, quoted ? "'" : "");
}

/* Parses the dict in data[start..end). */
static cvp_status parse_dict(cvp_npy_header *h, cursor *c)
{
    bool seen_descr = false, seen_order = false, seen_shape = false;
    size_t descr_at = 0, descr_n = 0;
    bool descr_quoted = false;
    cvp_status st;

    skip_ws(c);
    if (cur(c) != '{')
        return header_error(c, "expected '{'");
    c->pos++;
    for (;;) {
        skip_ws(c);
        if (cur(c) == '}')
            break;
        size_t key_at, key_n;
        size_t key_pos = c->pos;
        if ((st = parse_string(c, &key_at, &key_n)) != CVP_OK)
            return st;
        const char *key = (const char *)c->data + key_at;
        bool *seen;
        if (key_n == 5 && memcmp(key, "descr", 5) == 0)
            seen = &seen_descr;
        else if (key_n == 13 && memcmp(key, "fortran_order", 13) == 0)
            seen = &seen_order;
        else if (key_n == 5 && memcmp(key, "shape", 5) == 0)
            seen = &seen_shape;
        else {
            char text[256];
            quote_bytes(text, sizeof text, c->data + key_at, key_n);
            c->pos = key_pos;
            return cvp_error_set(c->err, CVP_ERR_INPUT, "%s: malformed "
                                 "header at byte %zu: unexpected key '%s'",
                                 c->name, key_pos, text);
        }
        if (*seen) {
            c->pos = key_pos;
            return header_error(c, "duplicate key");
        }
        *seen = true;
        skip_ws(c);
        if (cur(c) != ':')
            return header_error(c, "expected ':'");
        c->pos++;
        skip_ws(c);
        if (seen == &seen_descr) {
            descr_quoted = cur(c) == '\'' || cur(c) == '"';
            if (descr_quoted) {
                st = parse_string(c, &descr_at, &descr_n);
            } else {
                descr_at = c->pos;
                st = skip_value(c);
                descr_n = c->pos - descr_at;
            }
        } else if (seen == &seen_order) {
            st = parse_bool(c, &h->fortran);
        } else {
            st = parse_shape(c, h);
        }
        if (st != CVP_OK)
            return st;
        skip_ws(c);
        if (cur(c) == ',')
            c->pos++;
        else if (cur(c) != '}')
            return header_error(c, "expected ',' or '}'");
    }
    c->pos++;
    skip_ws(c);
    if (c->pos != c->end)
        return header_error(c, "unexpected bytes after the header dict");
    if (!seen_descr || !seen_order || !seen_shape)
        return cvp_error_set(c->err, CVP_ERR_INPUT,
                             "%s: malformed header: missing key '%s'", c->name,
                             !seen_descr ? "descr"
                             : !seen_order ? "fortran_order" : "shape");
    return decode_descr(h, c, c->data + descr_at, descr_n, descr_quoted);
}

cvp_status cvp_npy_parse_header(cvp_npy_header *h, const unsigned char *data,
                                size_t len, const char *name, cvp_error *err)
{
    static const unsigned char magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
    size_t check = len < 6 ? len : 6;
    if (len == 0)
        return cvp_error_set(err, CVP_ERR_INPUT, "%s: empty file (not a "
                             ".npy file)", name);
    if (memcmp(data, magic, check) != 0)
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "%s: not a .npy file (bad magic string)", name);
    if (len < 8)
        return cvp_error_set(err, CVP_ERR_INPUT, "%s: truncated: the file "
                             "ends at byte %zu, inside the header", name, len);
    unsigned major = data[6], minor = data[7];
    if (major < 1 || major > 3 || minor != 0)
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "%s: unsupported .npy format version %u.%u "
                             "(supported: 1.0, 2.0, 3.0)", name, major, minor);
    size_t field = major == 1 ? 2 : 4;
    if (len < 8 + field)
        return cvp_error_set(err, CVP_ERR_INPUT, "%s: truncated: the file "
                             "ends at byte %zu, inside the header", name, len);
    size_t hlen = 0;
    for (size_t k = field; k-- > 0;)
        hlen = (hlen << 8) | data[8 + k];
    size_t start = 8 + field;
    if (hlen > len - start)
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "%s: truncated: the header length %zu (at byte 8) "
                             "runs past the end of the file (%zu bytes)",
                             name, hlen, len);
    cursor c = {data, start, start + hlen, name, err};
    memset(h, 0, sizeof *h);
    h->data_offset = start + hlen;
    return parse_dict(h, &c);
}
