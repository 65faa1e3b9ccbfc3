/*
 * A file is looked into when anything git's index records of it
 * differs: its type or executable bit, size, inode, change or
 * modification time (to the nanosecond where the index keeps them), or
 * when it was modified no earlier than the index was written, since a
 * change in that same instant leaves the times equal. A directory above
 * it that is missing, a link or a file makes each of its files one to
 * look into. Submodules are left alone, as the status pass leaves them;
 * conflicts and entries git keeps out of the work tree are always
 * looked into.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nofollow.h"
#include "stat_scan.h"

struct scan {
	git_strarray	*paths;
	struct timespec	 written;	/* the index file's mtime */
};

static int
add(struct scan *s, const char *path)
{
	char **grown;

	if (s->paths->count == STAT_SCAN_MAX)
		return 1;
	if ((s->paths->count & (s->paths->count - 1)) == 0) {
		if ((grown = reallocarray(s->paths->strings, s->paths->count == 0 ? 1 :
		    s->paths->count * 2, sizeof(*grown))) == NULL)
			return -1;
		s->paths->strings = grown;
	}
	if ((s->paths->strings[s->paths->count] = strdup(path)) == NULL)
		return -1;
	s->paths->count++;
	return 0;
}

/* The mode git's index gives a file of this stat (core.filemode). */
static uint32_t
index_mode(const struct stat *st)
{
	if (S_ISLNK(st->st_mode))
		return GIT_FILEMODE_LINK;
	if (S_ISREG(st->st_mode))
		return st->st_mode & S_IXUSR ? GIT_FILEMODE_BLOB_EXECUTABLE : GIT_FILEMODE_BLOB;
	return 0;	/* a directory or stranger: never a match */
}

static int
same(const struct scan *s, const git_index_entry *e, const struct stat *st)
{
	/* An index the git command wrote keeps whole seconds (git built
	 * without USE_NSEC, as Debian's is): compared as git compares. */
	int nsec = e->mtime.nanoseconds != 0 || e->ctime.nanoseconds != 0;

	if (e->mode != index_mode(st) || e->file_size != (uint32_t)st->st_size ||
	    e->ino != (uint32_t)st->st_ino ||
	    e->mtime.seconds != (int32_t)st->st_mtim.tv_sec ||
	    e->ctime.seconds != (int32_t)st->st_ctim.tv_sec ||
	    (nsec && (e->mtime.nanoseconds != (uint32_t)st->st_mtim.tv_nsec ||
	    e->ctime.nanoseconds != (uint32_t)st->st_ctim.tv_nsec)))
		return 0;
	/* Racily clean: written no earlier than the index. */
	return st->st_mtim.tv_sec < s->written.tv_sec || (nsec &&
	    st->st_mtim.tv_sec == s->written.tv_sec &&
	    st->st_mtim.tv_nsec < s->written.tv_nsec);
}

int
stat_scan(git_index *index, const char *dir, git_strarray *paths)
{
	struct scan s = { paths, { 0, 0 } };
	char held[PATH_MAX] = "";	/* the directory fd is open on */
	const git_index_entry *e;
	const char *slash, *path;
	struct stat st;
	size_t i, n, len;
	int top, fd = -1, r = 0;

	paths->strings = NULL;
	paths->count = 0;
	errno = 0;
	if (git_index_path(index) == NULL || stat(git_index_path(index), &st) == -1)
		return -1;
	s.written = st.st_mtim;
	if ((top = nofollow_open_dir(dir)) == -1)
		return -1;
	n = git_index_entrycount(index);
	for (i = 0; i < n && r == 0; i++) {
		if ((e = git_index_get_byindex(index, i)) == NULL)
			continue;
		path = e->path;
		if (e->mode == GIT_FILEMODE_COMMIT)
			continue;
		if (GIT_INDEX_ENTRY_STAGE(e) != 0 ||
		    (e->flags_extended & GIT_INDEX_ENTRY_EXTENDED_FLAGS) != 0) {
			r = add(&s, path);
			continue;
		}
		/* The index is sorted: one directory's files come together. */
		len = (slash = strrchr(path, '/')) == NULL ? 0 : (size_t)(slash - path);
		if (len >= sizeof(held)) {
			r = add(&s, path);
			continue;
		}
		if (fd == -1 || strlen(held) != len || strncmp(held, path, len) != 0) {
			if (fd != -1 && fd != top)
				close(fd);
			memcpy(held, path, len);
			held[len] = '\0';
			fd = len == 0 ? top : nofollow_parent(top, path, NULL);
		}
		if (fd == -1 || fstatat(fd, path + (len == 0 ? 0 : len + 1), &st,
		    AT_SYMLINK_NOFOLLOW) == -1 || !same(&s, e, &st))
			r = add(&s, path);
	}
	if (fd != -1 && fd != top)
		close(fd);
	close(top);
	if (r == -1)
		git_strarray_dispose(paths);
	else if (r == 1) {
		git_strarray_dispose(paths);
		paths->strings = NULL;
		paths->count = 0;
	}
	return r;
}
