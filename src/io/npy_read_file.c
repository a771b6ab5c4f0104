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
 * either way (read_file.c reads them).  A file that shrinks while it is
 * read is reported as truncated, never read past its end.
 */
#include "io/npy.h"
#include "io/npy_internal.h"
#include "io/read_file.h"
#include "kernel/packed.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

cvp_status cvp_npy_read_file(cvp_tensor_t out, const char *path,
                             cvp_error *err)
{
    int fd;
    size_t size;
    cvp_status st = cvp_io_open(path, &fd, &size, err);
    if (st != CVP_OK)
        return st;
    /* pread leaves the file position at 0 for cvp_io_read_all */
    if (size < STREAM_MIN || !read_streamed(out, fd, size, path, &st, err)) {
        unsigned char *data = NULL;
        size_t len = 0;
        st = cvp_io_read_all(fd, size, &data, &len, path, err);
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
