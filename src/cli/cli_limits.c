/* cli_limits.c -- --timeout and --max-memory values (cli_limits.h). */
#include "cli/cli_limits.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "kernel/alloc.h"

/* The value as a message shows it: printable, at most 40 bytes. */
static void shown(char *buf, size_t size, const char *text)
{
    size_t n = 0;
    for (const char *s = text; *s != '\0' && n + 4 < size && s - text < 40; s++)
        buf[n++] = isprint((unsigned char)*s) ? *s : '?';
    buf[n] = '\0';
}

cvp_status cvp_cli_parse_seconds(double *seconds, const char *text,
                                 const char *option, cvp_error *err)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(text, &end);
    /* strtod also reads "inf", "nan" and hexadecimal: only plain decimals */
    bool plain = text[0] != '\0' && strspn(text, "0123456789.") == strlen(text);
    if (!plain || end == text || *end != '\0' || errno != 0 || !isfinite(v)
        || v < 0 || v > CVP_CLI_MAX_TIMEOUT) {
        char s[48];
        shown(s, sizeof s, text);
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "%s: expected a number of seconds from 0 (no "
                             "limit) to %.0f, got '%s'", option,
                             CVP_CLI_MAX_TIMEOUT, s);
    }
    *seconds = v;
    return CVP_OK;
}

cvp_status cvp_cli_parse_limit(size_t *count, const char *text,
                               const char *option, size_t max,
                               cvp_error *err)
{
    cvp_status st = cvp_cli_parse_count(count, text, option, err);
    if (st == CVP_OK && *count > max) {
        char s[48];
        shown(s, sizeof s, text);
        return cvp_error_set(err, CVP_ERR_INPUT, "%s: at most %zu, got '%s'",
                             option, max, s);
    }
    return st;
}

cvp_status cvp_cli_parse_bytes(size_t *bytes, const char *text,
                               const char *option, cvp_error *err)
{
    size_t len = strlen(text), digits = strspn(text, "0123456789");
    unsigned shift = 0;
    if (digits > 0 && digits + 1 == len) {
        switch (text[digits]) {
        case 'k': case 'K': shift = 10; break;
        case 'm': case 'M': shift = 20; break;
        case 'g': case 'G': shift = 30; break;
        default: digits = 0; break;   /* not a suffix */
        }
    }
    uint64_t v = 0;
    bool ok = digits > 0 && (digits == len || shift > 0) && digits <= 19;
    for (size_t k = 0; ok && k < digits; k++)
        v = v * 10 + (uint64_t)(text[k] - '0');
    ok = ok && v > 0 && v <= (UINT64_MAX >> shift) && (v << shift) <= SIZE_MAX / 2;
    if (!ok) {
        char s[48];
        shown(s, sizeof s, text);
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "%s: expected a positive number of bytes, optionally "
                             "with K, M or G, got '%s'", option, s);
    }
    *bytes = (size_t)(v << shift);
    return CVP_OK;
}

void cvp_cli_set_max_memory(size_t bytes)
{
    cvp_alloc_install();
    cvp_alloc_set_limit(bytes, bytes + bytes / 4);
}
