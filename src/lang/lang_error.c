/* lang_error.c -- located errors of the language. */
#include "lang/lang_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void cvp_lang_error_clear(cvp_lang_error *err)
{
    if (err == NULL)
        return;
    err->status = CVP_OK;
    err->source[0] = '\0';
    err->pos.line = 0;
    err->pos.col = 0;
    err->message[0] = '\0';
}

static void set_location(cvp_lang_error *err, cvp_status status,
                         const char *source, cvp_srcpos pos)
{
    err->status = status;
    snprintf(err->source, sizeof err->source, "%s",
             source != NULL ? source : "<input>");
    err->pos = pos;
}

cvp_status cvp_lang_error_set(cvp_lang_error *err, cvp_status status,
                              const char *source, cvp_srcpos pos,
                              const char *format, ...)
{
    if (err == NULL)
        return status;
    set_location(err, status, source, pos);
    va_list ap;
    va_start(ap, format);
    vsnprintf(err->message, sizeof err->message, format, ap);
    va_end(ap);
    return status;
}

/* Appends `piece` to buf (holding `*used` characters), truncating at
 * bufsize - 1 and keeping the terminator. */
static void append(char *buf, size_t bufsize, size_t *used, const char *piece)
{
    size_t n = strlen(piece);
    if (n > bufsize - 1 - *used)
        n = bufsize - 1 - *used;
    memcpy(buf + *used, piece, n);
    *used += n;
    buf[*used] = '\0';
}

cvp_status cvp_lang_error_from(cvp_lang_error *err, const cvp_error *lower,
                               const char *source, cvp_srcpos pos,
                               const char *prefix)
{
    cvp_status status = lower != NULL && lower->status != CVP_OK
                            ? lower->status : CVP_ERR_INPUT;
    if (err == NULL)
        return status;
    set_location(err, status, source, pos);
    const char *text = lower != NULL && lower->message[0] != '\0'
                           ? lower->message : "failed";
    /* Built piece by piece: the pieces come from fixed-size records, and
     * cutting an overlong message is the intended behaviour. */
    char joined[CVP_ERROR_MESSAGE_MAX];
    size_t used = 0;
    if (prefix != NULL) {
        append(joined, sizeof joined, &used, prefix);
        append(joined, sizeof joined, &used, ": ");
    }
    append(joined, sizeof joined, &used, text);
    memcpy(err->message, joined, used + 1);
    return status;
}

void cvp_lang_error_format(char *buf, size_t bufsize,
                           const cvp_lang_error *err)
{
    if (bufsize == 0)
        return;
    /* An error about a whole file (it cannot be read) has no position. */
    if (err->pos.line <= 0)
        snprintf(buf, bufsize, "%s: %s", err->source, err->message);
    else
        snprintf(buf, bufsize, "%s:%d:%d: %s", err->source, err->pos.line,
                 err->pos.col, err->message);
}

void cvp_lang_error_to_error(cvp_error *out, const cvp_lang_error *err)
{
    if (out == NULL)
        return;
    char text[CVP_SOURCE_NAME_MAX + CVP_ERROR_MESSAGE_MAX + 32];
    cvp_lang_error_format(text, sizeof text, err);
    cvp_error_set(out, err->status != CVP_OK ? err->status : CVP_ERR_INPUT,
                  "%s", text);
}

void cvp_lang_quote(char *buf, size_t bufsize, const char *text, size_t len)
{
    if (bufsize == 0)
        return;
    size_t used = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        char piece[8];
        if (c >= 0x20 && c < 0x7f)
            snprintf(piece, sizeof piece, "%c", c);
        else
            snprintf(piece, sizeof piece, "\\x%02x", c);
        size_t n = strlen(piece);
        /* keep room for "..." and the terminator */
        if (used + n + 4 > bufsize) {
            if (used + 4 <= bufsize) {
                memcpy(buf + used, "...", 3);
                used += 3;
            }
            break;
        }
        memcpy(buf + used, piece, n);
        used += n;
    }
    buf[used] = '\0';
}
