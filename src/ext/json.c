/* json.c -- a minimal JSON writer. */
#include "ext/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/status.h"

void cvp_json_init(cvp_json *j)
{
    memset(j, 0, sizeof *j);
    j->cap = 256;
    j->data = malloc(j->cap);
    CVP_ASSERT(j->data != NULL);
    j->data[0] = '\0';
}

void cvp_json_clear(cvp_json *j)
{
    free(j->data);
    memset(j, 0, sizeof *j);
}

const char *cvp_json_text(const cvp_json *j)
{
    return j->data;
}

static void put(cvp_json *j, const char *s, size_t n)
{
    if (j->len + n + 1 > j->cap) {
        size_t cap = j->cap;
        while (j->len + n + 1 > cap) {
            CVP_ASSERT(cap < ((size_t)-1) / 2);
            cap *= 2;
        }
        char *data = realloc(j->data, cap);
        CVP_ASSERT(data != NULL);
        j->data = data;
        j->cap = cap;
    }
    memcpy(j->data + j->len, s, n);
    j->len += n;
    j->data[j->len] = '\0';
}

static void puts_(cvp_json *j, const char *s)
{
    put(j, s, strlen(s));
}

/* Writes the separator a new value needs at this point. */
static void before_value(cvp_json *j)
{
    if (j->depth == 0) {
        CVP_ASSERT(j->len == 0);   /* one top-level value */
        return;
    }
    if (j->in_object[j->depth - 1]) {
        CVP_ASSERT(j->after_key);
        j->after_key = false;
        return;
    }
    if (j->has_member[j->depth - 1])
        put(j, ",", 1);
    j->has_member[j->depth - 1] = true;
}

static void begin(cvp_json *j, bool object)
{
    before_value(j);
    CVP_ASSERT(j->depth < CVP_JSON_MAX_DEPTH);
    j->in_object[j->depth] = object;
    j->has_member[j->depth] = false;
    j->depth++;
    put(j, object ? "{" : "[", 1);
}

static void end(cvp_json *j, bool object)
{
    CVP_ASSERT(j->depth > 0 && j->in_object[j->depth - 1] == object);
    CVP_ASSERT(!j->after_key);
    j->depth--;
    put(j, object ? "}" : "]", 1);
}

void cvp_json_begin_object(cvp_json *j) { begin(j, true); }
void cvp_json_end_object(cvp_json *j) { end(j, true); }
void cvp_json_begin_array(cvp_json *j) { begin(j, false); }
void cvp_json_end_array(cvp_json *j) { end(j, false); }

static void write_string(cvp_json *j, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    put(j, "\"", 1);
    size_t k = 0;
    while (k < len) {
        unsigned char c = p[k];
        size_t n = cvp_json_utf8_length(p + k, len - k);
        if (n == 0) {
            puts_(j, "\\ufffd");
            j->replaced++;
            k++;
            continue;
        }
        if (c == '"')
            puts_(j, "\\\"");
        else if (c == '\\')
            puts_(j, "\\\\");
        else if (c == '\n')
            puts_(j, "\\n");
        else if (c == '\r')
            puts_(j, "\\r");
        else if (c == '\t')
            puts_(j, "\\t");
        else if (c == '\b')
            puts_(j, "\\b");
        else if (c == '\f')
            puts_(j, "\\f");
        else if (c < 0x20 || c == 0x7F) {
            char buf[8];
            snprintf(buf, sizeof buf, "\\u%04x", c);
            puts_(j, buf);
        } else {
            put(j, s + k, n);
        }
        k += n;
    }
    put(j, "\"", 1);
}

void cvp_json_key(cvp_json *j, const char *key)
{
    CVP_ASSERT(j->depth > 0 && j->in_object[j->depth - 1] && !j->after_key);
    if (j->has_member[j->depth - 1])
        put(j, ",", 1);
    j->has_member[j->depth - 1] = true;
    write_string(j, key, strlen(key));
    put(j, ":", 1);
    j->after_key = true;
}

void cvp_json_string_len(cvp_json *j, const char *s, size_t len)
{
    before_value(j);
    write_string(j, s, len);
}

void cvp_json_string(cvp_json *j, const char *s)
{
    cvp_json_string_len(j, s, strlen(s));
}

void cvp_json_int(cvp_json *j, long long v)
{
    char buf[32];
    before_value(j);
    snprintf(buf, sizeof buf, "%lld", v);
    puts_(j, buf);
}

void cvp_json_uint(cvp_json *j, unsigned long long v)
{
    char buf[32];
    before_value(j);
    snprintf(buf, sizeof buf, "%llu", v);
    puts_(j, buf);
}

void cvp_json_bool(cvp_json *j, bool v)
{
    before_value(j);
    puts_(j, v ? "true" : "false");
}

void cvp_json_null(cvp_json *j)
{
    before_value(j);
    puts_(j, "null");
}
