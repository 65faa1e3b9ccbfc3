#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "nofollow.h"

#define DIR_FLAGS	(O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

int
nofollow_open_dir(const char *dir)
{
	return open(dir, DIR_FLAGS);
}

const char *
nofollow_leaf(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash == NULL ? path : slash + 1;
}

int
nofollow_parent(int top, const char *path, size_t *stop)
{
	char name[NAME_MAX + 1];
	const char *at = path, *slash;
	size_t len;
	int fd, next, saved;

	if ((fd = openat(top, ".", DIR_FLAGS)) == -1)
		return -1;
	while ((slash = strchr(at, '/')) != NULL) {
		if ((len = (size_t)(slash - at)) > NAME_MAX) {
			close(fd);
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(name, at, len);
		name[len] = '\0';
		if ((next = openat(fd, name, DIR_FLAGS)) == -1) {
			saved = errno;
			close(fd);
			if (stop != NULL)
				*stop = (size_t)(slash - path);
			errno = saved;
			return -1;
		}
		close(fd);
		fd = next;
		at = slash + 1;
	}
	return fd;
}

int
nofollow_make_dirs(int top, const char *dir)
{
	char name[NAME_MAX + 1];
	const char *at = dir, *end;
	size_t len;
	int fd, next, saved;

	if ((fd = openat(top, ".", DIR_FLAGS)) == -1)
		return -1;
	while (*at != '\0') {
		if ((end = strchr(at, '/')) == NULL)
			end = at + strlen(at);
		if ((len = (size_t)(end - at)) > NAME_MAX) {
			close(fd);
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(name, at, len);
		name[len] = '\0';
		/* EEXIST: made already, or something else, which the open refuses. */
		if ((mkdirat(fd, name, 0777) == -1 && errno != EEXIST) ||
		    (next = openat(fd, name, DIR_FLAGS)) == -1) {
			saved = errno;
			close(fd);
			errno = saved;
			return -1;
		}
		close(fd);
		fd = next;
		at = *end == '/' ? end + 1 : end;
	}
	return fd;
}
