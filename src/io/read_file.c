/* read_file.c -- reading a file whole (read_file.h). */
#include "io/read_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

cvp_status cvp_io_open(const char *path, int *fd, size_t *size, cvp_error *err)
{
    *size = 0;
    *fd = open(path, O_RDONLY | O_CLOEXEC);
    if (*fd < 0)
        return cvp_error_set(err, CVP_ERR_INPUT, "%s: cannot open: %s", path,
                             strerror(errno));
    struct stat sb;
    if (fstat(*fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0 &&
        (uintmax_t)sb.st_size < SIZE_MAX / 2)
        *size = (size_t)sb.st_size;
    return CVP_OK;
}

cvp_status cvp_io_read_all(int fd, size_t size, unsigned char **data,
                           size_t *len, const char *path, cvp_error *err)
{
    size_t cap = size > 0 ? size + 1 : 65536;
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

cvp_status cvp_io_read_file(const char *path, unsigned char **data, size_t *len,
                            cvp_error *err)
{
    int fd;
    size_t size;
    cvp_status st = cvp_io_open(path, &fd, &size, err);
    if (st != CVP_OK)
        return st;
    st = cvp_io_read_all(fd, size, data, len, path, err);
    close(fd);
    return st;
}
