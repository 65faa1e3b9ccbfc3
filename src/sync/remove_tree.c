/*
 * remove_tree: by descriptors, never by path. nftw(3) and remove(3) name
 * each entry by its whole path from the top, so a user who can write any
 * directory in the tree can swap it for a symbolic link between two
 * calls and have the rest of the walk remove files elsewhere, with our
 * privileges. Here each directory is opened relative to the one above
 * with O_NOFOLLOW, checked (type, owner) on the open descriptor, and its
 * entries are removed with unlinkat(2) relative to it: a swap made at
 * any moment changes nothing but which of our own entries we see.
 *
 * No depth limit, and no recursion: the walk keeps a stack of levels
 * (name, device and inode of each directory on the way down), of which
 * only the deepest LIMIT_REMOVE_FDS hold a descriptor. Going back up to
 * a level whose descriptor was closed opens it again from the top, name
 * by name, with O_NOFOLLOW, each directory checked to be the one seen on
 * the way down (device and inode): never by "..", which a rename moves.
 * A directory moved meanwhile ends the removal with ESTALE.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bounds.h"
#include "remove_tree.h"

struct level {
	DIR	*dir;		/* NULL while its descriptor is closed */
	dev_t	 dev;
	ino_t	 ino;
	int	 kept;		/* something under it stays: it stays too */
	char	 name[NAME_MAX + 1];	/* its name in the level above */
};
/* The top level is the caller's name (a path, maybe), opened once and
 * held open to the end: the walk never resolves that path again. */

/* A directory left (another user's entry in it, or an error): met again
 * after its parent is read anew, it is not walked again. */
struct kept_dir {
	dev_t	dev;
	ino_t	ino;
};

struct walk {
	int		 top;		/* the caller's directory */
	const char	*top_name;	/* the caller's name in it */
	struct level	*lv;
	size_t		 n, cap;	/* levels on the stack */
	size_t		 open;		/* levels holding a descriptor */
	struct kept_dir	*kept;
	size_t		 nkept, capkept;
	int		 err;		/* the first errno of a failure, or 0 */
	int		 not_ours;
};

static void
failed(struct walk *w, int err)
{
	if (w->err == 0)
		w->err = err;
}

static int
parent_fd(const struct walk *w, size_t i)
{
	return i == 0 ? w->top : dirfd(w->lv[i - 1].dir);
}

static const char *
name_of(const struct walk *w, size_t i)
{
	return i == 0 ? w->top_name : w->lv[i].name;
}

static void
close_level(struct walk *w, size_t i)
{
	if (w->lv[i].dir != NULL) {
		closedir(w->lv[i].dir);
		w->lv[i].dir = NULL;
		w->open--;
	}
}

/* The open levels are always the top and the deepest ones: close the
 * shallowest but the top beyond the bound. */
static void
bound_fds(struct walk *w)
{
	size_t i;

	for (i = 1; i < w->n && w->open > LIMIT_REMOVE_FDS; i++)
		close_level(w, i);
}

/* name in parent, which must be the directory l saw (device, inode)
 * and ours: its descriptor, or -1 with errno set (ESTALE for another). */
static int
open_checked(int parent, const char *name, const struct level *l)
{
	struct stat st;
	int fd, saved;

	if ((fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &st) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	if (st.st_dev != l->dev || st.st_ino != l->ino || st.st_uid != geteuid()) {
		close(fd);
		errno = ESTALE;
		return -1;
	}
	return fd;
}

/* Level i takes fd as its descriptor. */
static int
hold(struct walk *w, size_t i, int fd)
{
	if ((w->lv[i].dir = fdopendir(fd)) == NULL) {
		close(fd);
		return -1;
	}
	w->open++;
	bound_fds(w);
	return 0;
}

/* Open level i in its parent, which is open. 0, or -1 with errno set. */
static int
open_level(struct walk *w, size_t i)
{
	int fd;

	if ((fd = open_checked(parent_fd(w, i), name_of(w, i), &w->lv[i])) == -1)
		return -1;
	return hold(w, i, fd);
}

/*
 * Level i, and those above it that were closed, open again from the
 * deepest one still open (the top at least), name by name. Those that
 * the bound would close again at once are only passed through.
 */
static int
reopen(struct walk *w, size_t i)
{
	size_t j = i + 1, held = i + 1 >= LIMIT_REMOVE_FDS ? i + 1 - LIMIT_REMOVE_FDS + 1 : 0;
	int fd = -1, next;

	while (j > 0 && w->lv[j - 1].dir == NULL)
		j--;
	for (; j < held; j++) {
		next = open_checked(fd == -1 ? parent_fd(w, j) : fd, name_of(w, j), &w->lv[j]);
		if (fd != -1)
			close(fd);
		if ((fd = next) == -1)
			goto moved;
	}
	if (fd != -1 && hold(w, j - 1, fd) == -1)
		goto moved;
	for (; j <= i; j++)
		if (open_level(w, j) == -1)
			goto moved;
	return 0;
moved:
	errno = ESTALE;	/* what we walked down was moved */
	return -1;
}

static int
is_kept(const struct walk *w, const struct stat *st)
{
	size_t i;

	for (i = 0; i < w->nkept; i++)
		if (w->kept[i].dev == st->st_dev && w->kept[i].ino == st->st_ino)
			return 1;
	return 0;
}

static void
keep(struct walk *w, dev_t dev, ino_t ino)
{
	struct kept_dir *k;

	if (w->nkept == w->capkept) {
		if ((k = reallocarray(w->kept, w->capkept ? 2 * w->capkept : 16,
		    sizeof(*k))) == NULL) {
			failed(w, ENOMEM);
			return;
		}
		w->kept = k;
		w->capkept = w->capkept ? 2 * w->capkept : 16;
	}
	w->kept[w->nkept].dev = dev;
	w->kept[w->nkept].ino = ino;
	w->nkept++;
}

/* Push the directory name, seen as st in the deepest level's directory
 * (or the top): 0, or -1 when it was left (kept, not ours, gone). */
static int
descend(struct walk *w, const char *name, const struct stat *seen)
{
	struct level *lv;
	size_t cap;

	if (w->n == w->cap) {
		cap = w->cap ? 2 * w->cap : 64;
		if ((lv = reallocarray(w->lv, cap, sizeof(*lv))) == NULL) {
			failed(w, ENOMEM);
			return -1;
		}
		w->lv = lv;
		w->cap = cap;
	}
	lv = &w->lv[w->n];
	lv->dir = NULL;
	lv->dev = seen->st_dev;
	lv->ino = seen->st_ino;
	lv->kept = 0;
	if (w->n > 0)
		memcpy(lv->name, name, strlen(name) + 1);
	w->n++;
	if (open_level(w, w->n - 1) == 0)
		return 0;
	w->n--;
	/* What we opened is not what we looked at, or no longer ours. */
	if (errno == ENOENT)
		return -1;
	if (errno == ESTALE)
		w->not_ours = 1;
	else
		failed(w, errno);
	return -1;
}

/* The deepest level has no entry left to walk: remove it, or keep it. */
static void
ascend(struct walk *w)
{
	struct level *l = &w->lv[w->n - 1];
	int kept = l->kept;

	close_level(w, w->n - 1);
	w->n--;
	if (w->n > 0 && w->lv[w->n - 1].dir == NULL && reopen(w, w->n - 1) == -1) {
		failed(w, errno);
		return;
	}
	if (!kept && unlinkat(parent_fd(w, w->n), name_of(w, w->n), AT_REMOVEDIR) == -1 &&
	    errno != ENOENT) {
		failed(w, errno);
		kept = 1;
	}
	if (kept) {
		keep(w, l->dev, l->ino);
		if (w->n > 0)
			w->lv[w->n - 1].kept = 1;
	}
}

/* One entry of the deepest level: removed, left, or walked into. */
static void
entry(struct walk *w, const char *name)
{
	struct level *l = &w->lv[w->n - 1];
	int fd = dirfd(l->dir);
	struct stat st;

	if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		if (errno != ENOENT) {
			failed(w, errno);
			l->kept = 1;
		}
		return;
	}
	if (st.st_uid != geteuid()) {
		w->not_ours = 1;
		l->kept = 1;
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(fd, name, 0) == -1 && errno != ENOENT) {
			failed(w, errno);
			l->kept = 1;
		}
		return;
	}
	if (is_kept(w, &st)) {
		l->kept = 1;
		return;
	}
	if (descend(w, name, &st) == -1 && errno != ENOENT)
		w->lv[w->n - 1].kept = 1;
}

static void
walk(struct walk *w)
{
	struct dirent *de;
	struct level *l;

	while (w->n > 0 && w->err != ESTALE && w->err != ENOMEM) {
		l = &w->lv[w->n - 1];
		if (l->dir == NULL && reopen(w, w->n - 1) == -1) {
			failed(w, errno);
			break;
		}
		/* Removing while reading: readdir may show a name twice or
		 * skip one; a name already gone is not an error. */
		errno = 0;
		if ((de = readdir(l->dir)) == NULL) {
			if (errno != 0) {
				failed(w, errno);
				l->kept = 1;
			}
			ascend(w);
			continue;
		}
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			entry(w, de->d_name);
	}
}

int
remove_tree(int dirfd, const char *name)
{
	struct walk w = { .top = dirfd, .top_name = name };
	struct stat seen;
	size_t i;

	if (fstatat(dirfd, name, &seen, AT_SYMLINK_NOFOLLOW) == -1)
		return errno == ENOENT ? 0 : -1;
	if (seen.st_uid != geteuid())
		return REMOVE_TREE_NOT_OURS;
	if (!S_ISDIR(seen.st_mode))
		return unlinkat(dirfd, name, 0) == -1 && errno != ENOENT ? -1 : 0;
	if (descend(&w, name, &seen) == 0)
		walk(&w);
	for (i = 0; i < w.n; i++)
		close_level(&w, i);
	free(w.lv);
	free(w.kept);
	if (w.err != 0) {
		errno = w.err;
		return -1;
	}
	return w.not_ours ? REMOVE_TREE_NOT_OURS : 0;
}
