/* fuzz_json.c -- libFuzzer target: the JSON of the external-implementation
 * protocol (ext/json.h, ext/impl_run.h, docs/impl-protocol.md).
 *
 * convproof does not read JSON: it writes the request, and the answer
 * comes back as .npy files (fuzzed by fuzz_npy).  What reaches the request
 * from outside is text: the temporary folder ($TMPDIR, any bytes), and
 * through the writer any string it is given.  So this target checks that
 * whatever bytes go in, what comes out is one valid JSON text (RFC 8259)
 * that means what was written.  The first input byte picks a mode:
 *
 *   even: a program for the writer.  Each following byte is an operation
 *         (open an object or array, close one, a string, an integer, a
 *         boolean, null) with its operands taken from the input; the
 *         harness keeps the calls legal (a key before each member, at most
 *         CVP_JSON_MAX_DEPTH levels) and records what it wrote as a list
 *         of events.  The output is then decoded by the strict decoder
 *         below, written independently of the writer, and must give the
 *         same events; a string's expected value is its bytes with every
 *         byte that does not start a valid UTF-8 sequence replaced by
 *         U+FFFD, and `replaced` must count those bytes.
 *   odd:  a request of test-impl: dims, operation and layout from the
 *         input (kept to those cvp_impl_dims_check accepts) and a folder
 *         name from the rest; the request must decode, and when the folder
 *         is valid UTF-8 every "path" must decode to FOLDER/c0_NAME.npy,
 *         and the status file's to FOLDER/c0_status.json.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ext/impl.h"
#include "ext/impl_run.h"
#include "ext/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- a growing byte buffer ------------------------------------------- */

typedef struct {
    unsigned char *p;
    size_t len, cap;
} buf_t;

static void buf_put(buf_t *b, const void *s, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (b->len + n > cap)
            cap *= 2;
        b->p = realloc(b->p, cap);
        if (b->p == NULL)
            abort();
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->len, s, n);
    b->len += n;
}

static void buf_byte(buf_t *b, unsigned char c) { buf_put(b, &c, 1); }

static void buf_cp(buf_t *b, unsigned long cp)   /* as UTF-8 */
{
    unsigned char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (unsigned char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (unsigned char)(0xC0 | (cp >> 6));
        u[1] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (unsigned char)(0xE0 | (cp >> 12));
        u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (unsigned char)(0xF0 | (cp >> 18));
        u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    buf_put(b, u, n);
}

/* ---- UTF-8, by the table of well-formed sequences -------------------- */

/* Length of the well-formed UTF-8 sequence at s (Unicode 15, table 3-7),
 * or 0.  Deliberately written from the table (ranges of each byte), not
 * from code-point arithmetic as the writer is. */
static size_t utf8_wellformed(const unsigned char *s, size_t len)
{
    static const struct { unsigned char lo[4], hi[4]; size_t n; } rows[] = {
        {{0x00}, {0x7F}, 1},
        {{0xC2, 0x80}, {0xDF, 0xBF}, 2},
        {{0xE0, 0xA0, 0x80}, {0xE0, 0xBF, 0xBF}, 3},
        {{0xE1, 0x80, 0x80}, {0xEC, 0xBF, 0xBF}, 3},
        {{0xED, 0x80, 0x80}, {0xED, 0x9F, 0xBF}, 3},
        {{0xEE, 0x80, 0x80}, {0xEF, 0xBF, 0xBF}, 3},
        {{0xF0, 0x90, 0x80, 0x80}, {0xF0, 0xBF, 0xBF, 0xBF}, 4},
        {{0xF1, 0x80, 0x80, 0x80}, {0xF3, 0xBF, 0xBF, 0xBF}, 4},
        {{0xF4, 0x80, 0x80, 0x80}, {0xF4, 0x8F, 0xBF, 0xBF}, 4},
    };
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        if (len < rows[r].n)
            continue;
        size_t k = 0;
        while (k < rows[r].n && s[k] >= rows[r].lo[k] && s[k] <= rows[r].hi[k])
            k++;
        if (k == rows[r].n)
            return k;
    }
    return 0;
}

/* The string the writer promises: bytes with ill-formed ones as U+FFFD. */
static size_t expected_string(buf_t *b, const unsigned char *s, size_t len)
{
    size_t replaced = 0;
    for (size_t k = 0; k < len;) {
        size_t n = utf8_wellformed(s + k, len - k);
        if (n == 0) {
            buf_cp(b, 0xFFFD);
            replaced++;
            k++;
        } else {
            buf_put(b, s + k, n);
            k += n;
        }
    }
    return replaced;
}

/* ---- a strict JSON decoder producing events -------------------------- */

/* Events: '{' '}' '[' ']' 'K'+len+bytes (a key) 'S'+len+bytes (a string)
 * '#'+len+text (a number as written) 't' 'f' 'n'. */
typedef struct {
    const unsigned char *s;
    size_t len, pos;
    buf_t *ev;
    int depth;
} dec_t;

static void ev_bytes(buf_t *ev, char kind, const unsigned char *s, size_t n)
{
    buf_byte(ev, (unsigned char)kind);
    uint64_t len = n;
    buf_put(ev, &len, sizeof len);
    buf_put(ev, s, n);
}

static void skip_ws(dec_t *d)
{
    while (d->pos < d->len && (d->s[d->pos] == ' ' || d->s[d->pos] == '\t'
                               || d->s[d->pos] == '\n' || d->s[d->pos] == '\r'))
        d->pos++;
}

static int hex4(dec_t *d, unsigned long *v)
{
    if (d->len - d->pos < 4)
        return 0;
    *v = 0;
    for (int k = 0; k < 4; k++) {
        unsigned char c = d->s[d->pos++];
        int x = (c >= '0' && c <= '9') ? c - '0'
              : (c >= 'a' && c <= 'f') ? c - 'a' + 10
              : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
        if (x < 0)
            return 0;
        *v = *v * 16 + (unsigned long)x;
    }
    return 1;
}

static int dec_string(dec_t *d, char kind)
{
    buf_t out = {0};
    int ok = 0;
    d->pos++;   /* the opening quote */
    for (;;) {
        if (d->pos >= d->len)
            goto done;
        unsigned char c = d->s[d->pos];
        if (c == '"') {
            d->pos++;
            break;
        }
        if (c < 0x20)
            goto done;   /* raw control characters are not allowed */
        if (c != '\\') {
            size_t n = utf8_wellformed(d->s + d->pos, d->len - d->pos);
            if (n == 0)
                goto done;   /* JSON text must be UTF-8 */
            buf_put(&out, d->s + d->pos, n);
            d->pos += n;
            continue;
        }
        if (++d->pos >= d->len)
            goto done;
        c = d->s[d->pos++];
        unsigned long cp;
        switch (c) {
        case '"': buf_byte(&out, '"'); break;
        case '\\': buf_byte(&out, '\\'); break;
        case '/': buf_byte(&out, '/'); break;
        case 'b': buf_byte(&out, '\b'); break;
        case 'f': buf_byte(&out, '\f'); break;
        case 'n': buf_byte(&out, '\n'); break;
        case 'r': buf_byte(&out, '\r'); break;
        case 't': buf_byte(&out, '\t'); break;
        case 'u':
            if (!hex4(d, &cp))
                goto done;
            if (cp >= 0xDC00 && cp <= 0xDFFF)
                goto done;   /* a lone low surrogate */
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                unsigned long lo;
                if (d->len - d->pos < 2 || d->s[d->pos] != '\\'
                    || d->s[d->pos + 1] != 'u')
                    goto done;
                d->pos += 2;
                if (!hex4(d, &lo) || lo < 0xDC00 || lo > 0xDFFF)
                    goto done;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            buf_cp(&out, cp);
            break;
        default:
            goto done;
        }
    }
    ev_bytes(d->ev, kind, out.p, out.len);
    ok = 1;
done:
    free(out.p);
    return ok;
}

static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

static int dec_number(dec_t *d)
{
    size_t start = d->pos;
    if (d->pos < d->len && d->s[d->pos] == '-')
        d->pos++;
    if (d->pos >= d->len || !is_digit(d->s[d->pos]))
        return 0;
    if (d->s[d->pos] == '0')
        d->pos++;
    else
        while (d->pos < d->len && is_digit(d->s[d->pos]))
            d->pos++;
    if (d->pos < d->len && d->s[d->pos] == '.') {
        d->pos++;
        if (d->pos >= d->len || !is_digit(d->s[d->pos]))
            return 0;
        while (d->pos < d->len && is_digit(d->s[d->pos]))
            d->pos++;
    }
    if (d->pos < d->len && (d->s[d->pos] == 'e' || d->s[d->pos] == 'E')) {
        d->pos++;
        if (d->pos < d->len && (d->s[d->pos] == '+' || d->s[d->pos] == '-'))
            d->pos++;
        if (d->pos >= d->len || !is_digit(d->s[d->pos]))
            return 0;
        while (d->pos < d->len && is_digit(d->s[d->pos]))
            d->pos++;
    }
    ev_bytes(d->ev, '#', d->s + start, d->pos - start);
    return 1;
}

static int dec_literal(dec_t *d, const char *word, char kind)
{
    size_t n = strlen(word);
    if (d->len - d->pos < n || memcmp(d->s + d->pos, word, n) != 0)
        return 0;
    d->pos += n;
    buf_byte(d->ev, (unsigned char)kind);
    return 1;
}

static int dec_value(dec_t *d)
{
    skip_ws(d);
    if (d->pos >= d->len)
        return 0;
    unsigned char c = d->s[d->pos];
    if (c == '{' || c == '[') {
        int object = c == '{';
        if (++d->depth > 64)
            return 0;
        d->pos++;
        buf_byte(d->ev, c);
        skip_ws(d);
        if (d->pos < d->len && d->s[d->pos] == (object ? '}' : ']')) {
            d->pos++;
        } else {
            for (;;) {
                if (object) {
                    skip_ws(d);
                    if (d->pos >= d->len || d->s[d->pos] != '"'
                        || !dec_string(d, 'K'))
                        return 0;
                    skip_ws(d);
                    if (d->pos >= d->len || d->s[d->pos] != ':')
                        return 0;
                    d->pos++;
                }
                if (!dec_value(d))
                    return 0;
                skip_ws(d);
                if (d->pos >= d->len)
                    return 0;
                if (d->s[d->pos] == ',') {
                    d->pos++;
                    continue;
                }
                if (d->s[d->pos] != (object ? '}' : ']'))
                    return 0;
                d->pos++;
                break;
            }
        }
        d->depth--;
        buf_byte(d->ev, object ? '}' : ']');
        return 1;
    }
    if (c == '"')
        return dec_string(d, 'S');
    if (c == 't')
        return dec_literal(d, "true", 't');
    if (c == 'f')
        return dec_literal(d, "false", 'f');
    if (c == 'n')
        return dec_literal(d, "null", 'n');
    return dec_number(d);
}

/* Decodes one whole JSON text into events; aborts when it is not one. */
static void decode_or_abort(buf_t *ev, const char *text)
{
    dec_t d = {(const unsigned char *)text, strlen(text), 0, ev, 0};
    if (!dec_value(&d))
        abort();
    skip_ws(&d);
    if (d.pos != d.len)
        abort();   /* trailing bytes */
}

/* ---- mode 0: a writer program ---------------------------------------- */

typedef struct {
    const uint8_t *p;
    size_t left;
} input_t;

static unsigned char take(input_t *in)
{
    if (in->left == 0)
        return 0;
    in->left--;
    return *in->p++;
}

/* A string operand: a length byte, then up to that many bytes. */
static size_t take_string(input_t *in, const unsigned char **s)
{
    size_t n = take(in);
    if (n > in->left)
        n = in->left;
    *s = in->p;
    in->p += n;
    in->left -= n;
    return n;
}

static void writer_program(input_t *in)
{
    cvp_json j;
    buf_t expect = {0}, got = {0};
    bool object[CVP_JSON_MAX_DEPTH];
    int depth = 1;
    size_t replaced = 0;
    cvp_json_init(&j);
    cvp_json_begin_array(&j);   /* so that the program may write many values */
    object[0] = false;
    buf_byte(&expect, '[');
    while (in->left > 0) {
        unsigned char op = take(in) % 8;
        if (op == 2) {   /* close the innermost container */
            if (depth == 1)
                continue;
            depth--;
            if (object[depth])
                cvp_json_end_object(&j);
            else
                cvp_json_end_array(&j);
            buf_byte(&expect, object[depth] ? '}' : ']');
            continue;
        }
        if ((op == 0 || op == 1) && depth == CVP_JSON_MAX_DEPTH)
            continue;
        if (object[depth - 1]) {
            /* A key first; keys are NUL-terminated C strings. */
            const unsigned char *s;
            size_t n = take_string(in, &s);
            char *key = malloc(n + 1);
            if (key == NULL)
                abort();
            memcpy(key, s, n);
            key[n] = '\0';
            size_t klen = strlen(key);
            cvp_json_key(&j, key);
            buf_t e = {0};
            replaced += expected_string(&e, (const unsigned char *)key, klen);
            ev_bytes(&expect, 'K', e.p, e.len);
            free(e.p);
            free(key);
        }
        switch (op) {
        case 0:
        case 1:
            object[depth++] = op == 0;
            if (op == 0)
                cvp_json_begin_object(&j);
            else
                cvp_json_begin_array(&j);
            buf_byte(&expect, op == 0 ? '{' : '[');
            break;
        case 3: {
            const unsigned char *s;
            size_t n = take_string(in, &s);
            cvp_json_string_len(&j, (const char *)s, n);
            buf_t e = {0};
            replaced += expected_string(&e, s, n);
            ev_bytes(&expect, 'S', e.p, e.len);
            free(e.p);
            break;
        }
        case 4:
        case 5: {
            uint64_t v = 0;
            for (int k = 0; k < 8; k++)
                v = (v << 8) | take(in);
            char text[32];
            if (op == 4) {
                long long sv = (long long)v;
                cvp_json_int(&j, sv);
                snprintf(text, sizeof text, "%lld", sv);
            } else {
                cvp_json_uint(&j, (unsigned long long)v);
                snprintf(text, sizeof text, "%llu", (unsigned long long)v);
            }
            ev_bytes(&expect, '#', (const unsigned char *)text, strlen(text));
            break;
        }
        case 6: {
            bool b = take(in) & 1;
            cvp_json_bool(&j, b);
            buf_byte(&expect, b ? 't' : 'f');
            break;
        }
        default:
            cvp_json_null(&j);
            buf_byte(&expect, 'n');
            break;
        }
    }
    while (depth > 0) {
        depth--;
        if (object[depth])
            cvp_json_end_object(&j);
        else
            cvp_json_end_array(&j);
        buf_byte(&expect, object[depth] ? '}' : ']');
    }
    decode_or_abort(&got, cvp_json_text(&j));
    if (got.len != expect.len || memcmp(got.p, expect.p, got.len) != 0)
        abort();   /* the text does not mean what was written */
    if (j.replaced != replaced)
        abort();
    cvp_json_clear(&j);
    free(expect.p);
    free(got.p);
}

/* ---- mode 1: a request ----------------------------------------------- */

static void request(input_t *in)
{
    cvp_impl_case c;
    cvp_impl_case_init(&c);
    c.op = (cvp_impl_op)(take(in) % CVP_IMPL_OP_COUNT);
    cvp_impl_layout layout = (take(in) & 1) ? CVP_IMPL_NHWC : CVP_IMPL_NCHW;
    size_t *fields[] = {&c.d.n, &c.d.c, &c.d.h, &c.d.w, &c.d.o,
                        &c.d.kernel[0], &c.d.kernel[1], &c.d.stride[0],
                        &c.d.stride[1], &c.d.padding[0], &c.d.padding[1],
                        &c.d.dilation[0], &c.d.dilation[1], &c.d.groups};
    for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++)
        *fields[k] = take(in) % 9;
    if (cvp_impl_dims_check(&c.d, c.op, NULL) != CVP_OK) {
        cvp_impl_case_clear(&c);
        return;
    }
    /* The folder: the rest of the input up to the first NUL. */
    char *dir = malloc(in->left + 1);
    if (dir == NULL)
        abort();
    memcpy(dir, in->p, in->left);
    dir[in->left] = '\0';
    size_t dlen = strlen(dir);

    cvp_json j;
    cvp_json_init(&j);
    cvp_json_begin_object(&j);
    cvp_impl_case_json(&j, &c, layout, dir, "c0_");
    cvp_json_end_object(&j);
    buf_t ev = {0};
    decode_or_abort(&ev, cvp_json_text(&j));
    bool valid = true;
    for (size_t k = 0; k < dlen;) {
        size_t n = utf8_wellformed((const unsigned char *)dir + k, dlen - k);
        if (n == 0) {
            valid = false;
            break;
        }
        k += n;
    }
    if (valid != (j.replaced == 0))
        abort();
    if (valid) {
        /* Every "path" member is DIR/c0_NAME.npy, NAME the key around it,
         * and one more is the status file, DIR/c0_status.json. */
        const unsigned char *p = ev.p, *end = ev.p + ev.len;
        const unsigned char *last_name = NULL, *prev = NULL;
        uint64_t last_len = 0, prev_len = 0;
        size_t paths = 0;
        while (p < end) {
            unsigned char kind = *p++;
            if (kind != 'K' && kind != 'S' && kind != '#')
                continue;
            uint64_t n;
            memcpy(&n, p, sizeof n);
            p += sizeof n;
            if (kind == 'K') {
                prev = last_name;
                prev_len = last_len;
                last_name = p;
                last_len = n;
            } else if (kind == 'S' && last_len == 4
                       && memcmp(last_name, "path", 4) == 0) {
                /* The status file of an "unsupported" answer is JSON. */
                bool status = prev_len == 6 && memcmp(prev, "status", 6) == 0;
                char want[4096];
                int w = snprintf(want, sizeof want, "%s/c0_%.*s.%s", dir,
                                 (int)prev_len, (const char *)prev,
                                 status ? "json" : "npy");
                if (w > 0 && (size_t)w < sizeof want
                    && (n != (uint64_t)w || memcmp(p, want, n) != 0))
                    abort();
                paths++;
            }
            p += n;
        }
        const cvp_impl_op_info *info = cvp_impl_op_get(c.op);
        if (paths != info->input_count + info->output_count + 1)
            abort();
    }
    free(ev.p);
    cvp_json_clear(&j);
    free(dir);
    cvp_impl_case_clear(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    input_t in = {data, size};
    if (size == 0)
        return 0;
    if (take(&in) & 1)
        request(&in);
    else
        writer_program(&in);
    return 0;
}
