/* Reading a whole small file (config, key, known_hosts) under a bound. */
#ifndef SENTRY_FILE_H
#define SENTRY_FILE_H

#include <stddef.h>

/* The file's bytes, NUL-terminated, malloc'd; NULL with errno set, EFBIG
 * when it is larger than max. Callers holding secrets wipe before free. */
char	*file_read(const char *path, size_t max, size_t *len);
/* The same for name in the directory dirfd (or AT_FDCWD), opened with
 * flags added (O_NOFOLLOW). */
char	*file_read_at(int dirfd, const char *name, int flags, size_t max, size_t *len);

/* All of buf, through short writes and EINTR; 0, or -1 with errno set. */
int	 file_write_all(int fd, const void *buf, size_t len);

#endif
