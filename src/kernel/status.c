/* status.c -- error records and the always-on assertion. */
#include "kernel/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cvp_error_clear(cvp_error *err)
{
    if (err == NULL)
        return;
    err->status = CVP_OK;
    err->message[0] = '\0';
}

cvp_status cvp_error_set(cvp_error *err, cvp_status status,
                         const char *format, ...)
{
    if (err != NULL) {
        va_list ap;
        va_start(ap, format);
        vsnprintf(err->message, sizeof err->message, format, ap);
        va_end(ap);
        err->status = status;
    }
    return status;
}

void cvp_error_prefix(cvp_error *err, const char *format, ...)
{
    if (err == NULL)
        return;
    char joined[CVP_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, format);
    vsnprintf(joined, sizeof joined, format, ap);
    va_end(ap);
    /* Append ": " and the old message, truncating at the buffer's end. */
    size_t used = strlen(joined);
    const char *parts[2] = {": ", err->message};
    for (int k = 0; k < 2; k++) {
        size_t len = strlen(parts[k]);
        if (len > sizeof joined - 1 - used)
            len = sizeof joined - 1 - used;
        memcpy(joined + used, parts[k], len);
        used += len;
    }
    joined[used] = '\0';
    memcpy(err->message, joined, sizeof joined);
}

/* The failure path of CVP_ASSERT runs only when the kernel has a bug, so
 * coverage does not count it (docs/developing.md, coverage: the one exclusion rule). */
/* GCOVR_EXCL_START */
void cvp_assert_fail(const char *condition, const char *file, int line)
{
    /* The one place the library writes to stderr: an invariant is broken,
     * so the process cannot continue and the user must learn why. */
    fprintf(stderr, "convproof: internal error: assertion '%s' failed at %s:%d\n",
            condition, file, line);
    abort();
}
/* GCOVR_EXCL_STOP */

void cvp_set_text(char **field, const char *text)
{
    /* Copy before freeing, so text may point into *field itself. */
    char *copy = NULL;
    if (text != NULL) {
        copy = strdup(text);
        CVP_ASSERT(copy != NULL);
    }
    free(*field);
    *field = copy;
}

void cvp_set_textf(char **field, const char *format, ...)
{
    va_list ap, again;
    va_start(ap, format);
    va_copy(again, ap);
    int length = vsnprintf(NULL, 0, format, ap);
    va_end(ap);
    CVP_ASSERT(length >= 0);
    char *text = malloc((size_t)length + 1);
    CVP_ASSERT(text != NULL);
    vsnprintf(text, (size_t)length + 1, format, again);
    va_end(again);
    free(*field);
    *field = text;
}
