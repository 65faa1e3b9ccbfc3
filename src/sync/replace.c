#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file.h"
#include "replace.h"

int
replace_file(const char *path, const void *buf, size_t len, unsigned mode)
{
	const char *slash = strrchr(path, '/');
	char tmp[PATH_MAX];
	int fd, saved, n;

	if (slash == NULL)
		n = snprintf(tmp, sizeof(tmp), ".%s.XXXXXX", path);
	else
		n = snprintf(tmp, sizeof(tmp), "%.*s/.%s.XXXXXX", (int)(slash - path), path,
		    slash + 1);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	/* mkostemp creates with O_CREAT|O_EXCL, which never follows a link
	 * nor opens a file another user left; O_NOFOLLOW says so again. */
	if ((fd = mkostemp(tmp, O_CLOEXEC | O_NOFOLLOW)) == -1)
		return -1;
	/* Readers may be other users (a monitoring agent): the mode is set,
	 * not left to the umask. */
	if (fchmod(fd, mode) == -1 || file_write_all(fd, buf, len) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	if (rename(tmp, path) == 0)
		return 0;
	fd = -1;
fail:
	saved = errno;
	if (fd != -1)
		close(fd);
	unlink(tmp);
	errno = saved;
	return -1;
}
