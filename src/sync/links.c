/*
 * A link or file of `from` where `to` has a directory is a typechange to
 * libgit2, which removes it in its first phase, before it makes any
 * directory: only a link it does not know of (one nobody committed, one
 * changed here) would still stand when it writes. A tree that holds a
 * link and a directory of one name is the tree check's to refuse
 * (tree_check.h), before any of this runs. A link where `to` has a file is replaced as a link, and the
 * file opened with O_NOFOLLOW (see worktree.c).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "links.h"
#include "namelist.h"
#include "nofollow.h"
#include "tree_diff.h"

/* Is the link name in dirfd the link `from` holds at path? */
static int
ours(git_tree *from, const char *path, int dirfd, const char *name)
{
	char target[PATH_MAX];
	git_tree_entry *e = NULL;
	git_blob *blob = NULL;
	ssize_t n;
	int same = 0;

	if (from == NULL || git_tree_entry_bypath(&e, from, path) < 0 ||
	    git_tree_entry_filemode(e) != GIT_FILEMODE_LINK ||
	    git_blob_lookup(&blob, git_tree_owner(from), git_tree_entry_id(e)) < 0 ||
	    (n = readlinkat(dirfd, name, target, sizeof(target))) == -1)
		goto out;
	same = (git_object_size_t)n == git_blob_rawsize(blob) &&
	    memcmp(target, git_blob_rawcontent(blob), (size_t)n) == 0;
out:
	git_blob_free(blob);
	git_tree_entry_free(e);
	return same;
}

/* The prefix of path that is no directory in the work tree: 0 when it
 * is our link or a file (both left to libgit2, which removes them before
 * it makes the directory), or a link someone else made (named); -1 on an
 * error. */
static int
check_one(int top, git_tree *from, const char *path, size_t stop,
    struct namelist *links)
{
	char prefix[PATH_MAX];
	const char *name;
	struct stat st;
	int pfd, rc = -1;

	snprintf(prefix, sizeof(prefix), "%.*s", (int)stop, path);
	name = nofollow_leaf(prefix);
	if ((pfd = nofollow_parent(top, prefix, NULL)) == -1)
		return -1;
	if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1)
		goto out;
	rc = 0;
	if (S_ISLNK(st.st_mode) && !ours(from, prefix, pfd, name))
		namelist_add(links, prefix);
out:
	close(pfd);
	return rc;
}

/* Are the path's directories directories, or missing? */
static int
check_above(int top, git_tree *from, const char *path, struct namelist *links)
{
	size_t stop;
	int fd;

	if ((fd = nofollow_parent(top, path, &stop)) != -1) {
		close(fd);
		return 0;
	}
	if (errno == ENOENT)
		return 0;
	if (errno != ELOOP && errno != ENOTDIR)
		return -1;
	return check_one(top, from, path, stop, links);
}

struct check {
	git_tree	*from;
	int		 top;
	struct namelist	*links;
	char		 done[PATH_MAX];	/* the directory looked at last */
};

static int
check_path(const char *path, const git_tree_entry *old, const git_tree_entry *new,
    void *payload)
{
	struct check *c = payload;
	const char *slash;
	size_t len;

	(void)old;
	if (new == NULL || (slash = strrchr(path, '/')) == NULL)
		return 0;
	/* Files come in tree order: each directory is looked at once. */
	len = (size_t)(slash - path);
	if (strlen(c->done) == len && strncmp(c->done, path, len) == 0)
		return 0;
	snprintf(c->done, sizeof(c->done), "%.*s", (int)len, path);
	return check_above(c->top, c->from, path, c->links);
}

int
links_check(git_repository *repo, git_tree *from, git_tree *to, const char *dir,
    struct namelist *links)
{
	struct check *c;
	int rc = -1;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -1;
	c->from = from;
	c->links = links;
	if ((c->top = nofollow_open_dir(dir)) == -1)
		goto out;
	if (tree_diff(repo, from, to, check_path, c) != 0)
		goto out;
	namelist_finish(links);
	rc = 0;
out:
	if (c->top != -1)
		close(c->top);
	free(c);
	return rc;
}
