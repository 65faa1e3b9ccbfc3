/*
 * remove_tree: by descriptors, never by path. nftw(3) and remove(3) name
 * each entry by its whole path from the top, so a user who can write any
 * directory in the tree can swap it for a symbolic link between two
 * calls and have the rest of the walk remove files elsewhere, with our
 * privileges. Here each directory is opened relative to the one above
 * with O_NOFOLLOW, checked (type, owner) on the open descriptor, and its
 * entries are removed with unlinkat(2) relative to it: a swap made at
 * any moment changes nothing but which of our own entries we see.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "bounds.h"
#include "remove_tree.h"

static int	remove_at(int, const char *, int);

/* The entries of the open directory fd; takes fd. */
static int
empty_dir(int fd, int depth)
{
	struct dirent *de;
	DIR *d;
	int rc = 0, r;

	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return -1;
	}
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL) {
			if (errno != 0)
				rc = -1;
			break;
		}
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		/* Removing while reading: readdir may show a name twice or
		 * skip one; a name already gone is not an error. */
		if ((r = remove_at(dirfd(d), de->d_name, depth + 1)) == -1)
			rc = -1;
		else if (r == REMOVE_TREE_NOT_OURS && rc == 0)
			rc = REMOVE_TREE_NOT_OURS;
	}
	closedir(d);
	return rc;
}

static int
remove_at(int dirfd, const char *name, int depth)
{
	struct stat seen, opened;
	int fd, rc;

	if (fstatat(dirfd, name, &seen, AT_SYMLINK_NOFOLLOW) == -1)
		return errno == ENOENT ? 0 : -1;
	if (seen.st_uid != geteuid())
		return REMOVE_TREE_NOT_OURS;
	if (!S_ISDIR(seen.st_mode))
		return unlinkat(dirfd, name, 0) == -1 && errno != ENOENT ? -1 : 0;
	if (depth >= LIMIT_REMOVE_DEPTH) {
		errno = ELOOP;
		return -1;
	}
	if ((fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return errno == ENOENT ? 0 : -1;
	/* What we opened is what we looked at, and still ours. */
	if (fstat(fd, &opened) == -1 || opened.st_dev != seen.st_dev ||
	    opened.st_ino != seen.st_ino || opened.st_uid != geteuid()) {
		close(fd);
		return REMOVE_TREE_NOT_OURS;
	}
	if ((rc = empty_dir(fd, depth)) != 0)
		return rc;
	return unlinkat(dirfd, name, AT_REMOVEDIR) == -1 && errno != ENOENT ? -1 : 0;
}

int
remove_tree(int dirfd, const char *name)
{
	return remove_at(dirfd, name, 0);
}
