/* npy_read_file.c -- reading .npy files (see npy.h).
 *
 * Why files are not simply read whole and parsed: at real sizes the
 * buffer is as large as the data and is fresh memory each time, which
 * the system must find and zero page by page before the file is copied
 * in -- at exercise 5-4's layer that costs more than converting the
 * entries.  So a regular file of at least STREAM_MIN bytes in C order is
 * converted into the packed form a chunk at a time, through one buffer
 * of CHUNK_BYTES filled by pread.  Everything else -- small files, pipes,
 * Fortran order, values that need GMP rationals -- is read whole and
 * goes through cvp_npy_parse, so every check and message is the same
 * either way.  A file that shrinks while it is read is reported as
 * truncated, never read past its end.
 */
#include "io/npy.h"
#include "io/npy_internal.h"
#include "kernel/packed.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The buffer of a streamed read, a multiple of every item size; and the
 * least file size worth streaming. */
enum { CHUNK_BYTES = 1 << 20, STREAM_MIN = CHUNK_BYTES };

/* len bytes at `at` into buf: false at the end of the file (*error 0)
 * or on a read error (*error its errno). */
static bool pread_full(int fd, unsigned char *buf, size_t len, off_t at,
                       int *error)
{
    while (len > 0) {
        ssize_t got = pread(fd, buf, len, at);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            *error = got < 0 ? errno : 0;
            return false;
        }
        buf += got;
        len -= (size_t)got;
        at += got;
    }
    return true;
}

typedef struct {
    int fd;
    size_t data_offset, itemsize;
    unsigned char *buf;   /* CHUNK_BYTES */
    int error;            /* of the failed read, 0 for end of file */
} file_state;

static const unsigned char *file_get(cvp_npy_source *src, size_t off, size_t n)
{
    file_state *f = src->state;
    /* within the size fstat gave, so within off_t */
    const off_t at = (off_t)(f->data_offset + off * f->itemsize);
    return pread_full(f->fd, f->buf, n * f->itemsize, at, &f->error) ? f->buf : NULL;
}

/* Converts a C-order file of file_size bytes chunk by chunk into out.
 * False when the file must be read whole instead (Fortran order, values
 * beyond the packed form, a header longer than a chunk); else true with
 * the outcome in *status. */
static bool read_streamed(cvp_tensor_t out, int fd, size_t file_size,
                          const char *path, cvp_status *status, cvp_error *err)
{
    unsigned char *buf = malloc(CHUNK_BYTES);
    if (buf == NULL)
        return false;
    file_state f = {fd, 0, 1, buf, 0};
    cvp_npy_header h;
    size_t head = file_size < CHUNK_BYTES ? file_size : CHUNK_BYTES, size = 0;
    bool streamed = pread_full(fd, buf, head, 0, &f.error) &&
                    cvp_npy_parse_header(&h, buf, head, path, NULL) == CVP_OK &&
                    !h.fortran;
    if (!streamed) {
        free(buf);
        return false;
    }
    cvp_tensor_t result;
    cvp_tensor_init(result);
    cvp_status st = cvp_npy_check_data(&h, file_size, path, &size, err);
    if (st == CVP_OK && (st = cvp_tensor_pack_start(result, h.rank, h.shape, err)) != CVP_OK)
        cvp_error_prefix(err, "%s", path);
    if (st == CVP_OK) {
        f.data_offset = h.data_offset;
        f.itemsize = h.itemsize;
        cvp_npy_source src = {file_get, CHUNK_BYTES / h.itemsize, &f};
        size_t bad = 0;
        cvp_npy_entry why = CVP_NPY_ENTRY_OK;
        switch (cvp_npy_pack(result, &h, &src, size, &bad, &why)) {
        case CVP_NPY_PACKED:
            cvp_tensor_pack_finish(result);
            cvp_tensor_swap(out, result);
            break;
        case CVP_NPY_BAD_ENTRY:
            st = cvp_npy_bad_entry(err, path, &h, bad, why);
            break;
        case CVP_NPY_UNREADABLE:
            st = f.error != 0
                     ? cvp_error_set(err, CVP_ERR_INPUT, "%s: read error: %s",
                                     path, strerror(f.error))
                     : cvp_error_set(err, CVP_ERR_INPUT,
                                     "%s: truncated while it was read (the "
                                     "file shrank)", path);
            break;
        case CVP_NPY_UNFIT:
            streamed = false;
            break;
        }
    }
    cvp_tensor_clear(result);
    free(buf);
    *status = st;
    return streamed;
}

/* The whole file into *data (malloc'd, *len bytes): one block of the size
 * fstat gave plus one byte (to see at once that it did not grow), or a
 * block that doubles as it fills when there is no size (pipes). */
static cvp_status read_whole(int fd, size_t size_hint, unsigned char **data,
                             size_t *len, const char *path, cvp_error *err)
{
    size_t cap = size_hint > 0 && size_hint < SIZE_MAX / 2 ? size_hint + 1 : 65536;
    unsigned char *buf = malloc(cap);
    size_t used = 0;
    while (buf != NULL) {
        ssize_t got = read(fd, buf + used, cap - used);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int e = errno;
            free(buf);
            return cvp_error_set(err, CVP_ERR_INPUT, "%s: read error: %s", path,
                                 strerror(e));
        }
        if (got == 0)
            break;
        used += (size_t)got;
        if (used == cap) {
            unsigned char *grown = cap <= SIZE_MAX / 2 ? realloc(buf, 2 * cap) : NULL;
            if (grown == NULL)
                free(buf);
            buf = grown;
            cap *= 2;
        }
    }
    if (buf == NULL)
        return cvp_error_set(err, CVP_ERR_LIMIT, "%s: out of memory reading the file",
                             path);
    *data = buf;
    *len = used;
    return CVP_OK;
}

cvp_status cvp_npy_read_file(cvp_tensor_t out, const char *path,
                             cvp_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return cvp_error_set(err, CVP_ERR_INPUT, "%s: cannot open: %s", path,
                             strerror(errno));
    struct stat sb;
    size_t size_hint = 0;
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0 &&
        (uintmax_t)sb.st_size < SIZE_MAX / 2)
        size_hint = (size_t)sb.st_size;
    cvp_status st = CVP_OK;
    /* pread leaves the file position at 0 for read_whole */
    if (size_hint < STREAM_MIN || !read_streamed(out, fd, size_hint, path, &st, err)) {
        unsigned char *data = NULL;
        size_t len = 0;
        st = read_whole(fd, size_hint, &data, &len, path, err);
        if (st == CVP_OK) {
            st = cvp_npy_parse(out, data, len, path, err);
            free(data);
        }
    }
    close(fd);
    return st;
}

bool cvp_npy_file_dtype(char *buf, size_t size, const char *path)
{
    CVP_ASSERT(size >= 8);
    buf[0] = '\0';
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return false;
    enum { HEAD = 65536 };
    unsigned char *data = malloc(HEAD);
    CVP_ASSERT(data != NULL);
    size_t len = fread(data, 1, HEAD, f);
    fclose(f);
    cvp_npy_header h;
    bool ok = cvp_npy_parse_header(&h, data, len, path, NULL) == CVP_OK;
    free(data);
    if (!ok)
        return false;
    const char *kind = h.kind == CVP_NPY_FLOAT ? "float"
                       : h.kind == CVP_NPY_INT ? "int"
                       : h.kind == CVP_NPY_UINT ? "uint" : NULL;
    if (kind == NULL)
        snprintf(buf, size, "bool");
    else
        snprintf(buf, size, "%s%zu", kind, 8 * h.itemsize);
    return true;
}
