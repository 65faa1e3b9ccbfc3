/*
 * The repositories' directories made private on every sync, not only
 * when made: a checkout cloned under UMask=0022 by an older version, or
 * a chmod -R a+rX of the web root, is closed again by the next sync.
 * Only the directory itself is changed: what it holds is out of reach
 * of others once it is 0700, and a walk of the objects would cost a
 * sync far more than one fchmod.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "private_dir.h"

/* dirfd's entry name, no link followed. */
static int
private_at(int dirfd, const char *name, int create)
{
	struct stat st;
	int fd, saved, rc = -1;

	if (create && mkdirat(dirfd, name, PRIVATE_DIR_MODE) == -1 && errno != EEXIST)
		return -1;
	if ((fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &st) == -1)
		goto out;
	if (st.st_uid != geteuid()) {
		errno = EPERM;
		goto out;
	}
	if ((st.st_mode & 07777) == PRIVATE_DIR_MODE || fchmod(fd, PRIVATE_DIR_MODE) == 0)
		rc = 0;
out:
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

static int
private_path(const char *path, int create)
{
	char dir[PATH_MAX], leaf[NAME_MAX + 1];
	const char *slash;
	size_t len = strlen(path), at;
	int dfd, rc, saved;

	/* libgit2 names a repository with a trailing slash, which would
	 * have openat(2) follow a link there. */
	while (len > 1 && path[len - 1] == '/')
		len--;
	if (len >= sizeof(dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(dir, path, len);
	dir[len] = '\0';
	slash = strrchr(dir, '/');
	at = slash == NULL ? 0 : (size_t)(slash - dir) + 1;
	if (len - at > NAME_MAX || len == at) {
		errno = len == at ? EINVAL : ENAMETOOLONG;
		return -1;
	}
	memcpy(leaf, dir + at, len - at + 1);
	/* The directories above are CLONE_PATH's, held to the safe layout by
	 * place.c (links there are the admin's); the last name is ours. */
	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else
		dir[at == 1 ? 1 : at - 1] = '\0';
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	rc = private_at(dfd, leaf, create);
	saved = errno;
	close(dfd);
	errno = saved;
	return rc;
}

int
private_dir(const char *path, int create)
{
	int saved;

	if (private_path(path, create) == 0)
		return 0;
	saved = errno;
	if (saved != ENOENT || create)
		log_err("%s: cannot make it private (mode %04o): %s", path, PRIVATE_DIR_MODE,
		    saved == EPERM ? "it belongs to another user" : strerror(saved));
	errno = saved;
	return -1;
}
