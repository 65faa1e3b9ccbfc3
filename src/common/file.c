#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file.h"

char *
file_read(const char *path, size_t max, size_t *lenp)
{
	return file_read_at(AT_FDCWD, path, 0, max, lenp);
}

char *
file_read_at(int dirfd, const char *name, int flags, size_t max, size_t *lenp)
{
	char *buf;
	ssize_t n = 0;
	size_t len = 0;
	int fd, saved;

	if ((fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | flags)) == -1)
		return NULL;
	if ((buf = malloc(max + 1)) == NULL) {
		close(fd);
		return NULL;
	}
	/* One byte more than max tells a file at the limit from a larger one. */
	while (len <= max && (n = read(fd, buf + len, max + 1 - len)) > 0)
		len += n;
	saved = n == -1 ? errno : EFBIG;
	close(fd);
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
