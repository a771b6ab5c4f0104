/* json_read.c -- the strict JSON reader of json_read.h.
 *
 * A recursive descent over the bytes, one function per production of RFC
 * 8259, keeping the line and column of the current byte for messages.
 * Depth is bounded (CVP_JSON_READ_MAX_DEPTH), so hostile nesting cannot
 * exhaust the stack.
 */
#include "io/json_read.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const unsigned char *p, *end;
    const char *source;
    int line, col;
    cvp_error *err;
} reader;

static cvp_status fail_at(reader *r, int line, int col, const char *what)
{
    return cvp_error_set(r->err, CVP_ERR_INPUT, "%s:%d:%d: %s", r->source,
                         line, col, what);
}

static cvp_status fail(reader *r, const char *what)
{
    return fail_at(r, r->line, r->col, what);
}

static void advance(reader *r)
{
    if (*r->p == '\n') {
        r->line++;
        r->col = 1;
    } else {
        r->col++;
    }
    r->p++;
}

static void skip_space(reader *r)
{
    while (r->p < r->end
           && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
        advance(r);
}

static void *grow(void *items, size_t *cap, size_t count, size_t size)
{
    if (count < *cap)
        return items;
    *cap = *cap ? 2 * *cap : 8;
    void *bigger = realloc(items, *cap * size);
    CVP_ASSERT(bigger != NULL);
    return bigger;
}

/* A growing byte buffer for decoded strings. */
typedef struct {
    char *data;
    size_t len, cap;
} buffer;

static void put(buffer *b, const char *bytes, size_t n)
{
    while (b->len + n + 1 > b->cap) {
        b->cap = b->cap ? 2 * b->cap : 32;
        b->data = realloc(b->data, b->cap);
        CVP_ASSERT(b->data != NULL);
    }
    memcpy(b->data + b->len, bytes, n);
    b->len += n;
    b->data[b->len] = '\0';
}

size_t cvp_json_utf8_length(const unsigned char *p, size_t left)
{
    if (left == 0)
        return 0;
    unsigned char c = p[0];
    size_t n;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (left < n)
        return 0;
    for (size_t k = 1; k < n; k++) {
        if ((p[k] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[k] & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF))
        || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

static void put_code_point(buffer *b, uint32_t cp)
{
    char out[4];
    size_t n;
    if (cp < 0x80) {
        out[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        out[0] = (char)(0xF0 | (cp >> 18));
        out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    put(b, out, n);
}

/* Four hex digits after "\u"; returns -1 when they are not there. */
static long hex4(reader *r)
{
    long v = 0;
    for (int k = 0; k < 4; k++) {
        if (r->p >= r->end)
            return -1;
        unsigned char c = *r->p;
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
        advance(r);
    }
    return v;
}

/* A string at r->p (the opening quote); *out gets the decoded text. */
static cvp_status parse_string(reader *r, char **out)
{
    int line = r->line, col = r->col;
    buffer b = {NULL, 0, 0};
    put(&b, "", 0);
    advance(r);
    for (;;) {
        if (r->p >= r->end) {
            free(b.data);
            return fail_at(r, line, col, "a string that is never closed");
        }
        unsigned char c = *r->p;
        if (c == '"') {
            advance(r);
            break;
        }
        if (c < 0x20) {
            free(b.data);
            return fail(r, "a control character inside a string (write it "
                           "escaped)");
        }
        if (c == '\\') {
            int eline = r->line, ecol = r->col;
            advance(r);
            if (r->p >= r->end) {
                free(b.data);
                return fail_at(r, line, col, "a string that is never closed");
            }
            char e = (char)*r->p;
            const char *plain = strchr("\"\\/bfnrt", e);
            if (e != '\0' && plain != NULL) {
                static const char decoded[] = "\"\\/\b\f\n\r\t";
                put(&b, &decoded[plain - "\"\\/bfnrt"], 1);
                advance(r);
                continue;
            }
            if (e != 'u') {
                free(b.data);
                return fail_at(r, eline, ecol, "an unknown escape in a string");
            }
            advance(r);
            long cp = hex4(r);
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                /* a high surrogate: its low half must follow */
                long low = -1;
                if (r->end - r->p >= 2 && r->p[0] == '\\' && r->p[1] == 'u') {
                    advance(r);
                    advance(r);
                    low = hex4(r);
                }
                if (low < 0xDC00 || low > 0xDFFF)
                    cp = -2;
                else
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                cp = -2;
            }
            if (cp == -1 || cp == -2 || cp == 0) {
                free(b.data);
                return fail_at(r, eline, ecol,
                               cp == -1  ? "\\u needs four hexadecimal digits"
                               : cp == 0 ? "\\u0000 in a string (not supported)"
                                         : "an unpaired surrogate in a \\u escape");
            }
            put_code_point(&b, (uint32_t)cp);
            continue;
        }
        size_t n = cvp_json_utf8_length(r->p, (size_t)(r->end - r->p));
        if (n == 0) {
            free(b.data);
            return fail(r, "bytes that are not valid UTF-8 in a string");
        }
        put(&b, (const char *)r->p, n);
        advance(r);
        r->p += n - 1;   /* one character, one column */
    }
    *out = b.data;
    return CVP_OK;
}

static bool is_digit(const reader *r)
{
    return r->p < r->end && *r->p >= '0' && *r->p <= '9';
}

static cvp_status parse_number(reader *r, cvp_json_node *node)
{
    const unsigned char *start = r->p;
    if (*r->p == '-')
        advance(r);
    if (!is_digit(r))
        return fail(r, "a number needs a digit here");
    if (*r->p == '0') {
        advance(r);
        if (is_digit(r))
            return fail(r, "a number with a leading zero");
    } else {
        while (is_digit(r))
            advance(r);
    }
    if (r->p < r->end && *r->p == '.') {
        advance(r);
        if (!is_digit(r))
            return fail(r, "a number needs a digit after its decimal point");
        while (is_digit(r))
            advance(r);
    }
    if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
        advance(r);
        if (r->p < r->end && (*r->p == '+' || *r->p == '-'))
            advance(r);
        if (!is_digit(r))
            return fail(r, "a number needs a digit in its exponent");
        while (is_digit(r))
            advance(r);
    }
    size_t n = (size_t)(r->p - start);
    node->text = malloc(n + 1);
    CVP_ASSERT(node->text != NULL);
    memcpy(node->text, start, n);
    node->text[n] = '\0';
    node->type = CVP_JSON_NODE_NUMBER;
    return CVP_OK;
}

static cvp_status parse_value(reader *r, cvp_json_node *node, int depth);

/* After a value inside an array or object (closed by `close`, called
 * `kind` in messages): a comma goes on to the next value (MORE), `close`
 * ends the container (DONE); anything else is an error (FAILED, with the
 * error set). */
typedef enum { SEPARATOR_MORE, SEPARATOR_DONE, SEPARATOR_FAILED } separator;

static separator after_value(reader *r, char close, const char *kind)
{
    char what[64];
    skip_space(r);
    if (r->p < r->end && *r->p == ',') {
        advance(r);
        skip_space(r);
        if (r->p < r->end && *r->p == close) {
            snprintf(what, sizeof what, "a comma before the end of an %s", kind);
            fail(r, what);
            return SEPARATOR_FAILED;
        }
        return SEPARATOR_MORE;
    }
    if (r->p < r->end && *r->p == close) {
        advance(r);
        return SEPARATOR_DONE;
    }
    if (r->p < r->end)
        snprintf(what, sizeof what, "expected ',' or '%c' in an %s", close, kind);
    else
        snprintf(what, sizeof what, "the text ends inside an %s", kind);
    fail(r, what);
    return SEPARATOR_FAILED;
}

static cvp_status parse_array(reader *r, cvp_json_node *node, int depth)
{
    size_t cap = 0;
    node->type = CVP_JSON_NODE_ARRAY;
    advance(r);
    skip_space(r);
    if (r->p < r->end && *r->p == ']') {
        advance(r);
        return CVP_OK;
    }
    for (;;) {
        node->items = grow(node->items, &cap, node->count, sizeof *node->items);
        cvp_json_node *item = &node->items[node->count];
        memset(item, 0, sizeof *item);
        node->count++;
        cvp_status st = parse_value(r, item, depth + 1);
        if (st != CVP_OK)
            return st;
        separator next = after_value(r, ']', "array");
        if (next == SEPARATOR_MORE)
            continue;
        return next == SEPARATOR_DONE ? CVP_OK : CVP_ERR_INPUT;
    }
}

static cvp_status parse_object(reader *r, cvp_json_node *node, int depth)
{
    size_t cap = 0, key_cap = 0;
    node->type = CVP_JSON_NODE_OBJECT;
    advance(r);
    skip_space(r);
    if (r->p < r->end && *r->p == '}') {
        advance(r);
        return CVP_OK;
    }
    for (;;) {
        if (r->p >= r->end)
            return fail(r, "the text ends inside an object");
        if (*r->p != '"')
            return fail(r, "expected a member name (a string) in an object");
        int line = r->line, col = r->col;
        char *key = NULL;
        cvp_status st = parse_string(r, &key);
        if (st != CVP_OK)
            return st;
        for (size_t k = 0; k < node->count; k++)
            if (strcmp(node->keys[k], key) == 0) {
                free(key);
                return fail_at(r, line, col, "a member name given twice in "
                                             "one object");
            }
        node->items = grow(node->items, &cap, node->count, sizeof *node->items);
        node->keys = grow(node->keys, &key_cap, node->count, sizeof *node->keys);
        cvp_json_node *item = &node->items[node->count];
        memset(item, 0, sizeof *item);
        node->keys[node->count] = key;
        node->count++;
        skip_space(r);
        if (r->p >= r->end || *r->p != ':')
            return fail(r, "expected ':' after a member name");
        advance(r);
        st = parse_value(r, item, depth + 1);
        if (st != CVP_OK)
            return st;
        separator next = after_value(r, '}', "object");
        if (next == SEPARATOR_MORE)
            continue;
        return next == SEPARATOR_DONE ? CVP_OK : CVP_ERR_INPUT;
    }
}

/* A literal word (true, false, null). */
static bool word(reader *r, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(r->end - r->p) < n || memcmp(r->p, w, n) != 0)
        return false;
    for (size_t k = 0; k < n; k++)
        advance(r);
    return true;
}

static cvp_status parse_value(reader *r, cvp_json_node *node, int depth)
{
    skip_space(r);
    node->line = r->line;
    node->col = r->col;
    if (depth > CVP_JSON_READ_MAX_DEPTH)
        return fail(r, "values nested too deeply");
    if (r->p >= r->end)
        return fail(r, "a value is missing (the text ends)");
    switch (*r->p) {
    case '{':
        return parse_object(r, node, depth);
    case '[':
        return parse_array(r, node, depth);
    case '"':
        node->type = CVP_JSON_NODE_STRING;
        return parse_string(r, &node->text);
    case 't':
    case 'f':
        if (word(r, "true")) {
            node->type = CVP_JSON_NODE_BOOL;
            node->boolean = true;
            return CVP_OK;
        }
        if (word(r, "false")) {
            node->type = CVP_JSON_NODE_BOOL;
            return CVP_OK;
        }
        break;
    case 'n':
        if (word(r, "null")) {
            node->type = CVP_JSON_NODE_NULL;
            return CVP_OK;
        }
        break;
    default:
        if (*r->p == '-' || (*r->p >= '0' && *r->p <= '9'))
            return parse_number(r, node);
    }
    return fail(r, "not a JSON value");
}

cvp_status cvp_json_read(cvp_json_node *root, const char *text, size_t len,
                         const char *source, cvp_error *err)
{
    reader r = {(const unsigned char *)text, (const unsigned char *)text + len,
                source, 1, 1, err};
    memset(root, 0, sizeof *root);
    cvp_status st = parse_value(&r, root, 1);
    if (st == CVP_OK) {
        skip_space(&r);
        if (r.p < r.end)
            st = fail(&r, "more text after the JSON value");
    }
    if (st != CVP_OK)
        cvp_json_node_clear(root);
    return st;
}

void cvp_json_node_clear(cvp_json_node *node)
{
    for (size_t k = 0; k < node->count; k++) {
        if (node->items != NULL)
            cvp_json_node_clear(&node->items[k]);
        if (node->keys != NULL)
            free(node->keys[k]);
    }
    free(node->items);
    free(node->keys);
    free(node->text);
    memset(node, 0, sizeof *node);
}

const cvp_json_node *cvp_json_node_member(const cvp_json_node *node,
                                          const char *key)
{
    if (node->type != CVP_JSON_NODE_OBJECT)
        return NULL;
    for (size_t k = 0; k < node->count; k++)
        if (strcmp(node->keys[k], key) == 0)
            return &node->items[k];
    return NULL;
}

const char *cvp_json_node_type_name(cvp_json_node_type type)
{
    switch (type) {
    case CVP_JSON_NODE_NULL: return "null";
    case CVP_JSON_NODE_BOOL: return "a boolean";
    case CVP_JSON_NODE_NUMBER: return "a number";
    case CVP_JSON_NODE_STRING: return "a string";
    case CVP_JSON_NODE_ARRAY: return "an array";
    case CVP_JSON_NODE_OBJECT: return "an object";
    }
    return "a value";
}
