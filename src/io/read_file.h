/* read_file.h -- reading a file whole, for the readers of src/io (the
 * text form, and .npy files that are not converted a chunk at a time).
 * Internal to src/io. */
#ifndef CVP_IO_READ_FILE_H
#define CVP_IO_READ_FILE_H

#include <stddef.h>

#include "kernel/status.h"

/* Opens path for reading into *fd; *size is its size when it is a
 * regular file (below SIZE_MAX / 2), else 0 (pipes, devices, empty
 * files).  "PATH: cannot open: REASON" when it cannot be opened. */
cvp_status cvp_io_open(const char *path, int *fd, size_t *size, cvp_error *err);

/* The rest of the open file fd into *data (malloc'd, *len bytes, the
 * caller frees it): one block of size + 1 bytes when size is known (the
 * extra byte shows at once that the file did not grow), else a block
 * that doubles as it fills.  "PATH: read error: REASON", or a limit
 * error when memory runs out. */
cvp_status cvp_io_read_all(int fd, size_t size, unsigned char **data,
                           size_t *len, const char *path, cvp_error *err);

/* cvp_io_open, cvp_io_read_all and close. */
cvp_status cvp_io_read_file(const char *path, unsigned char **data, size_t *len,
                            cvp_error *err);

#endif
