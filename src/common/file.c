#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file.h"

/* What the last refused file was, for file_strerror. */
static const char *refused_kind;

const char *
file_kind(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "a regular file";
	case S_IFDIR: return "a directory";
	case S_IFIFO: return "a FIFO";
	case S_IFSOCK: return "a socket";
	case S_IFCHR: return "a character device";
	case S_IFBLK: return "a block device";
	case S_IFLNK: return "a symbolic link";
	default: return "not a file";
	}
}

const char *
file_strerror(int err)
{
	static char buf[64];

	if (err != FILE_NOT_REGULAR || refused_kind == NULL)
		return strerror(err);
	snprintf(buf, sizeof(buf), "%s, not a regular file", refused_kind);
	return buf;
}

/*
 * O_NONBLOCK: a FIFO put in the file's place would hold open(2) until a
 * writer came, and the sync holds its lock while it reads some files. It
 * changes nothing for the regular file we then insist on, so it stays.
 */
int
file_open_at(int dirfd, const char *name, int flags, struct stat *st)
{
	int fd;

	if ((fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK | flags)) == -1) {
		if (errno == ELOOP && (flags & O_NOFOLLOW)) {
			refused_kind = "a symbolic link";
			errno = FILE_NOT_REGULAR;
		}
		return -1;
	}
	if (fstat(fd, st) == -1) {
		close(fd);
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		close(fd);
		refused_kind = file_kind(st->st_mode);
		errno = FILE_NOT_REGULAR;
		return -1;
	}
	return fd;
}

char *
file_read_fd(int fd, size_t max, size_t *lenp)
{
	char *buf;
	ssize_t n = 0;
	size_t len = 0;
	int saved;

	if ((buf = malloc(max + 1)) == NULL)
		return NULL;
	/* One byte more than max tells a file at the limit from a larger one. */
	while (len <= max && (n = read(fd, buf + len, max + 1 - len)) > 0)
		len += n;
	saved = n == -1 ? errno : EFBIG;
	if (n == -1 || len > max) {
		explicit_bzero(buf, len);
		free(buf);
		errno = saved;
		return NULL;
	}
	buf[len] = '\0';
	*lenp = len;
	return buf;
}

char *
file_read(const char *path, size_t max, size_t *lenp)
{
	return file_read_at(AT_FDCWD, path, 0, max, lenp);
}

char *
file_read_at(int dirfd, const char *name, int flags, size_t max, size_t *lenp)
{
	struct stat st;
	char *buf;
	int fd, saved;

	if ((fd = file_open_at(dirfd, name, flags, &st)) == -1)
		return NULL;
	buf = file_read_fd(fd, max, lenp);
	saved = errno;
	close(fd);
	errno = saved;
	return buf;
}

int
file_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}
