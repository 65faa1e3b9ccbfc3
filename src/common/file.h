/*
 * Reading a whole small file (config, key, known_hosts, a record) under
 * a bound. Only a regular file is read: a FIFO, a device or a directory
 * put in its place is refused at once, never waited on (O_NONBLOCK).
 */
#ifndef SENTRY_FILE_H
#define SENTRY_FILE_H

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <stddef.h>

/* errno when the file is not a regular one (or, opened with O_NOFOLLOW,
 * is a link): file_strerror says what it is. */
#define FILE_NOT_REGULAR	EMEDIUMTYPE

/* strerror, but "a FIFO, not a regular file" for FILE_NOT_REGULAR. */
const char	*file_strerror(int err);
/* "a FIFO", "a directory"...: for messages. */
const char	*file_kind(mode_t mode);

/* name in the directory dirfd (or AT_FDCWD), opened for reading with
 * flags added (O_NOFOLLOW), when it is a regular file; st is its fstat.
 * The descriptor, or -1 with errno set. */
int	 file_open_at(int dirfd, const char *name, int flags, struct stat *st);
/* What is left of fd, NUL-terminated, malloc'd; NULL with errno set,
 * EFBIG when it is larger than max. */
char	*file_read_fd(int fd, size_t max, size_t *len);
/* The file's bytes, as file_read_fd. Callers holding secrets wipe
 * before free. */
char	*file_read(const char *path, size_t max, size_t *len);
/* The same for name in dirfd, opened with flags added (O_NOFOLLOW). */
char	*file_read_at(int dirfd, const char *name, int flags, size_t max, size_t *len);

/* All of buf, through short writes and EINTR; 0, or -1 with errno set. */
int	 file_write_all(int fd, const void *buf, size_t len);

#endif
