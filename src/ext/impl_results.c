/* impl_results.c -- reading what one run of an implementation left in its
 * folder: the status file, each output, and an excerpt of stderr (see
 * impl_run.h and docs/impl-protocol.md).  The runs themselves are in
 * impl_run.c. */
#include "ext/impl_run_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "check/verdict.h"
#include "io/json_read.h"
#include "io/npy.h"

#define STDERR_HEAD 600
#define STDERR_TAIL 1600
#define STDERR_SCAN 65536
#define TRACEBACK "Traceback (most recent call last):"

/* Reads stderr.txt: an excerpt (head and tail of a long one) and whether
 * it holds a Python traceback. */
void impl_read_stderr(cvp_impl_result *r, const char *path)
{
    /* Non-blocking, and regular files only: a command that replaced the
     * file by a FIFO must not make us wait. */
    int fd = open(path, O_RDONLY | O_NONBLOCK);
    if (fd < 0)
        return;
    struct stat info;
    if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
        close(fd);
        return;
    }
    FILE *f = fdopen(fd, "rb");
    if (f == NULL) {
        close(fd);
        return;
    }
    long size = (long)info.st_size;
    char *head = malloc(STDERR_SCAN + 1);
    CVP_ASSERT(head != NULL);
    size_t head_len = fread(head, 1, STDERR_SCAN, f);
    head[head_len] = '\0';
    char *tail = NULL;
    size_t tail_len = 0;
    if (size > STDERR_SCAN) {
        tail = malloc(STDERR_SCAN + 1);
        CVP_ASSERT(tail != NULL);
        if (fseek(f, size - STDERR_SCAN, SEEK_SET) == 0)
            tail_len = fread(tail, 1, STDERR_SCAN, f);
        tail[tail_len] = '\0';
    }
    fclose(f);
    /* NUL bytes would end the strings early: show them as spaces. */
    for (size_t k = 0; k < head_len; k++)
        if (head[k] == '\0')
            head[k] = ' ';
    for (size_t k = 0; k < tail_len; k++)
        if (tail[k] == '\0')
            tail[k] = ' ';
    r->traceback = strstr(head, TRACEBACK) != NULL
                   || (tail != NULL && strstr(tail, TRACEBACK) != NULL);
    const char *all = tail != NULL ? tail : head;
    size_t all_len = tail != NULL ? tail_len : head_len;
    while (all_len > 0 && (all[all_len - 1] == '\n' || all[all_len - 1] == '\r'))
        all_len--;
    if (size <= STDERR_HEAD + STDERR_TAIL + 64 && tail == NULL) {
        if (all_len > 0) {
            char *text = malloc(all_len + 1);
            CVP_ASSERT(text != NULL);
            memcpy(text, all, all_len);
            text[all_len] = '\0';
            r->stderr_excerpt = text;
        }
    } else {
        size_t keep_tail = all_len < STDERR_TAIL ? all_len : STDERR_TAIL;
        size_t n = STDERR_HEAD + keep_tail + 80;
        char *text = malloc(n);
        CVP_ASSERT(text != NULL);
        long omitted = size - STDERR_HEAD - (long)keep_tail;
        snprintf(text, n, "%.*s\n[... %ld bytes left out ...]\n%.*s",
                 STDERR_HEAD, head, omitted > 0 ? omitted : 0, (int)keep_tail,
                 all + all_len - keep_tail);
        r->stderr_excerpt = text;
    }
    free(head);
    free(tail);
}

#define STATUS_MAX 65536

/* Reads the status answer of a case, when the command wrote one:
 * {"status": "unsupported", "reason": "...", "layouts": ["nhwc"]} or
 * {"status": "ok"}.  Anything else is recorded in r->status_error. */
void impl_read_status(cvp_impl_result *r, const char *path)
{
    struct stat info;
    if (lstat(path, &info) != 0)
        return;
    if (!S_ISREG(info.st_mode)) {
        cvp_set_text(&r->status_error, "status.json is not a regular file");
        return;
    }
    if (info.st_size > STATUS_MAX) {
        cvp_set_textf(&r->status_error, "status.json has %lld bytes, more "
                      "than %d", (long long)info.st_size, STATUS_MAX);
        return;
    }
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        cvp_set_textf(&r->status_error, "status.json: %s", strerror(errno));
        return;
    }
    char *text = malloc(STATUS_MAX + 1);
    CVP_ASSERT(text != NULL);
    size_t len = fread(text, 1, STATUS_MAX, f);
    fclose(f);
    cvp_json_node root;
    cvp_error e;
    cvp_error_clear(&e);
    if (cvp_json_read(&root, text, len, "status.json", &e) != CVP_OK) {
        cvp_set_text(&r->status_error, e.message);
        free(text);
        return;
    }
    free(text);
    const cvp_json_node *status = cvp_json_node_member(&root, "status");
    const cvp_json_node *reason = cvp_json_node_member(&root, "reason");
    const cvp_json_node *layouts = cvp_json_node_member(&root, "layouts");
    if (root.type != CVP_JSON_NODE_OBJECT || status == NULL
        || status->type != CVP_JSON_NODE_STRING
        || (strcmp(status->text, "unsupported") != 0
            && strcmp(status->text, "ok") != 0)) {
        cvp_set_text(&r->status_error, "status.json: expected an object whose "
                     "\"status\" is \"unsupported\" or \"ok\"");
    } else if (reason != NULL && reason->type != CVP_JSON_NODE_STRING) {
        cvp_set_text(&r->status_error, "status.json: \"reason\" must be a "
                     "string");
    } else if (strcmp(status->text, "unsupported") == 0) {
        r->unsupported = true;
        if (reason != NULL)
            cvp_set_text(&r->unsupported_reason, reason->text);
        for (size_t k = 0; layouts != NULL && k < layouts->count
                           && layouts->type == CVP_JSON_NODE_ARRAY; k++) {
            cvp_impl_layout l;
            if (layouts->items[k].type == CVP_JSON_NODE_STRING
                && cvp_impl_layout_parse(&l, layouts->items[k].text))
                r->layouts |= CVP_IMPL_LAYOUT_BIT(l);
        }
    }
    cvp_json_node_clear(&root);
}

/* Reads output k of a case; a missing file leaves present false. */
void impl_read_output(cvp_impl_result *r, size_t k, const char *path,
                        const cvp_impl_case *c, cvp_impl_layout layout)
{
    struct stat info;
    if (stat(path, &info) != 0)
        return;
    r->present[k] = true;
    int rank;
    size_t shape[CVP_MAX_RANK], entries = 1;
    cvp_impl_output_shape(&rank, shape, &c->d, c->op, k, layout);
    for (int a = 0; a < rank; a++)
        entries *= shape[a];
    if (!S_ISREG(info.st_mode)) {
        cvp_set_text(&r->read_error[k], "not a regular file");
        return;
    }
    /* A file far larger than the expected tensor is not read at all. */
    if ((size_t)info.st_size > entries * 8 + 65536) {
        cvp_set_textf(&r->read_error[k], "a file of %lld bytes, too large for "
                      "%zu float64 entries", (long long)info.st_size, entries);
        return;
    }
    cvp_npy_file_dtype(r->dtype[k], sizeof r->dtype[k], path);
    cvp_error e;
    cvp_error_clear(&e);
    if (cvp_npy_read_file(r->outputs[k], path, &e) != CVP_OK) {
        /* Drop the temporary path the message starts with. */
        const char *msg = e.message;
        size_t n = strlen(path);
        if (strncmp(msg, path, n) == 0 && msg[n] == ':')
            msg += n + 1;
        while (*msg == ' ')
            msg++;
        cvp_set_text(&r->read_error[k], msg);
    }
}
