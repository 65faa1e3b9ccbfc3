/*
 * One walk of the new commit's tree beside the live commit's: a
 * directory is made for each tree, a file linked or written for each
 * blob, and each directory is fsync'd once its entries are in it, so
 * that the release is on disk without flushing the whole file system
 * (syncfs would write other programs' dirty pages too).
 *
 * Both trees were checked before (tree_check.h): no name in them is
 * "..", holds a '/', or is a link and a directory at once. Still, every
 * name is reached from its directory's descriptor with O_NOFOLLOW, and
 * linkat(2) without AT_SYMLINK_FOLLOW: a link the app or a person put in
 * the live release is never followed, at worst shared as a link, which
 * the lstat check refuses.
 */
#include <sys/stat.h>
#include <sys/xattr.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>
#include <nettle/sha1.h>

#include "file.h"
#include "git_error.h"
#include "log.h"
#include "nofollow.h"
#include "release_copy.h"

#define DIR_FLAGS	(O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
/*
 * Directories deeper than this are not kept open while their
 * subdirectories are walked, but opened again from the top after: a
 * tree may be some 2,000 levels deep within PATH_MAX, two descriptors a
 * level, and RLIMIT_NOFILE is often 1,024.
 */
#define OPEN_DEPTH	64

struct walk {
	struct release_copy	*rc;
	git_odb			*odb;
	int			 from_top, to_top;	/* the prefix's directories */
	char			 path[PATH_MAX];	/* of the entry, under the prefix */
	size_t			 len;
	const char		*prefix;
	mode_t			 umask;		/* the process's, read once */
};

static void
walk_err(const struct walk *w, const char *what)
{
	log_err("release %s%s%s: %s: %s", w->prefix, w->prefix[0] != '\0' ? "/" : "",
	    w->path, what, errno != 0 ? strerror(errno) : last_git_error());
}

/* path + "/" + name; -1 when it does not fit (the tree check bounds it). */
static int
push_name(struct walk *w, const char *name, size_t *was)
{
	size_t nl = strlen(name);

	*was = w->len;
	if (w->len + (w->len != 0) + nl >= sizeof(w->path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (w->len != 0)
		w->path[w->len++] = '/';
	memcpy(w->path + w->len, name, nl + 1);
	w->len += nl;
	return 0;
}

static void
pop_name(struct walk *w, size_t was)
{
	w->len = was;
	w->path[was] = '\0';
}

/*
 * Do the bytes of the live file name (a link's target, with link) hash
 * to the blob id, as git hashes a blob ("blob SIZE\0" and the bytes)?
 * size is the blob's, already compared with the file's.
 */
static int
same_bytes(int from, const char *name, int link, size_t size, const git_oid *id)
{
	struct sha1_ctx sha;
	uint8_t digest[SHA1_DIGEST_SIZE];
	char head[32], buf[65536];
	ssize_t n;
	size_t left = size;
	int fd, ok = 0;

	sha1_init(&sha);
	n = snprintf(head, sizeof(head), "blob %zu", size);
	sha1_update(&sha, (size_t)n + 1, (const uint8_t *)head);
	if (link) {
		if (size > sizeof(buf) || readlinkat(from, name, buf, sizeof(buf)) != (ssize_t)size)
			return 0;
		sha1_update(&sha, size, (const uint8_t *)buf);
	} else {
		if ((fd = openat(from, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
			return 0;
		while (left > 0 && (n = read(fd, buf, sizeof(buf))) > 0 && (size_t)n <= left) {
			sha1_update(&sha, (size_t)n, (const uint8_t *)buf);
			left -= (size_t)n;
		}
		ok = left == 0 && read(fd, buf, 1) == 0;
		close(fd);
		if (!ok)
			return 0;
	}
	sha1_digest(&sha, sizeof(digest), digest);
	return memcmp(digest, id->id, sizeof(digest)) == 0;
}

/*
 * The permissions a file of this entry is written with: the umask's
 * share of 0644 or 0755, read-only when shared.
 */
static mode_t
file_mode(const struct walk *w, git_filemode_t mode)
{
	mode_t perm = mode == GIT_FILEMODE_BLOB_EXECUTABLE ? 0755 : 0644;

	if (w->rc->share)
		perm &= ~0222;
	return perm & ~w->umask;
}

/*
 * The live file is what the entry says, as far as lstat tells: its type,
 * ours, exactly the mode a file written now would get (read-only, the
 * entry's exec bit, and the umask's: a UMask= changed since, to open the
 * tree to a web server or to close it, reaches every file, not only the
 * ones a push changed), the blob's size, and with verify its bytes.
 * Without verify, left unchecked: bytes rewritten at the same size, by
 * root or by an owner that made the file writable and then read-only
 * again.
 */
static int
trusted(const struct walk *w, int from, const char *name, const git_tree_entry *e)
{
	git_filemode_t mode = git_tree_entry_filemode(e);
	git_object_t type;
	struct stat st;
	size_t size;

	if (fstatat(from, name, &st, AT_SYMLINK_NOFOLLOW) == -1)
		return 0;
	if (mode == GIT_FILEMODE_LINK) {
		if (!S_ISLNK(st.st_mode))
			return 0;
	} else if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 07777) != file_mode(w, mode))
		return 0;
	if (git_odb_read_header(&size, &type, w->odb, git_tree_entry_id(e)) < 0 ||
	    type != GIT_OBJECT_BLOB)
		return 0;
	if (st.st_size < 0 || (size_t)st.st_size != size)
		return 0;
	return !w->rc->verify || same_bytes(from, name, mode == GIT_FILEMODE_LINK, size,
	    git_tree_entry_id(e));
}

/* A blob as a file, through the filters a checkout applies, or a link. */
static int
write_blob(struct walk *w, int to, const char *name, const git_tree_entry *e)
{
	git_filemode_t mode = git_tree_entry_filemode(e);
	git_filter_list *fl = NULL;
	git_buf buf = { 0 };
	git_blob *blob = NULL;
	const void *data;
	char *target = NULL;
	size_t size;
	mode_t perm;
	int fd = -1, rc = -1;

	errno = 0;
	if (git_blob_lookup(&blob, w->rc->repo, git_tree_entry_id(e)) < 0) {
		walk_err(w, "cannot read its blob");
		return -1;
	}
	data = git_blob_rawcontent(blob);
	size = (size_t)git_blob_rawsize(blob);
	if (mode == GIT_FILEMODE_LINK) {
		if ((target = malloc(size + 1)) == NULL)
			goto fail;
		memcpy(target, data, size);
		target[size] = '\0';
		if (symlinkat(target, to, name) == -1)
			goto fail;
		rc = 0;
		goto out;
	}
	if (git_filter_list_load(&fl, w->rc->repo, blob, w->path, GIT_FILTER_TO_WORKTREE,
	    GIT_FILTER_DEFAULT) < 0)
		goto fail;
	if (fl != NULL) {
		if (git_filter_list_apply_to_blob(&buf, fl, blob) < 0)
			goto fail;
		data = buf.ptr;
		size = buf.size;
	}
	perm = file_mode(w, mode);
	/* Writable through fd, whatever the mode given to open(2). */
	if ((fd = openat(to, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    perm)) == -1 || file_write_all(fd, data, size) == -1 || fsync(fd) == -1)
		goto fail;
	rc = 0;
	goto out;
fail:
	walk_err(w, "cannot write it");
out:
	if (fd != -1 && close(fd) == -1 && rc == 0) {
		walk_err(w, "cannot write it");
		rc = -1;
	}
	if (rc == 0)
		w->rc->written++;
	free(target);
	git_buf_dispose(&buf);
	git_filter_list_free(fl);
	git_blob_free(blob);
	return rc;
}

static int	copy_dir(struct walk *, git_tree *, git_tree *, int, int, unsigned);

/* The directory w->path[0..len) under top again, none of it followed. */
static int
reopen(struct walk *w, int top, size_t len)
{
	char path[PATH_MAX + 2];

	if (len == 0)
		return openat(top, ".", DIR_FLAGS);
	/* nofollow_parent opens every component but the last. */
	snprintf(path, sizeof(path), "%.*s/.", (int)len, w->path);
	return nofollow_parent(top, path, NULL);
}

/*
 * A tree entry: a directory made and walked. Deep down, the caller's
 * directories (*from, *to, at w->path's first was bytes) are closed
 * meanwhile and opened again after.
 */
static int
copy_subdir(struct walk *w, const git_tree_entry *o, const git_tree_entry *e, int *from,
    int *to, size_t was, unsigned depth)
{
	const char *name = git_tree_entry_name(e);
	git_tree *old = NULL, *new = NULL;
	int sub_from = -1, sub_to = -1, had_from = *from != -1, rc;

	errno = 0;
	if (mkdirat(*to, name, 0777) == -1 || (sub_to = openat(*to, name, DIR_FLAGS)) == -1) {
		walk_err(w, "cannot make the directory");
		return -1;
	}
	if (git_tree_lookup(&new, w->rc->repo, git_tree_entry_id(e)) < 0) {
		walk_err(w, "cannot read its tree");
		close(sub_to);
		return -1;
	}
	/* The live directory, when there is one to link from. */
	if (o != NULL && *from != -1 && git_tree_entry_filemode(o) == GIT_FILEMODE_TREE &&
	    (sub_from = openat(*from, name, DIR_FLAGS)) != -1 &&
	    git_tree_lookup(&old, w->rc->repo, git_tree_entry_id(o)) < 0) {
		close(sub_from);
		sub_from = -1;
	}
	if (depth >= OPEN_DEPTH) {
		if (*from != -1)
			close(*from);
		close(*to);
		*from = *to = -1;
	}
	rc = copy_dir(w, old, new, sub_from, sub_to, depth + 1);
	git_tree_free(old);
	git_tree_free(new);
	if (*to == -1 && (*to = reopen(w, w->to_top, was)) == -1) {
		walk_err(w, "cannot open its directory again");
		rc = -1;
	}
	/* A live directory gone meanwhile: the rest is written. */
	if (had_from && *from == -1)
		*from = reopen(w, w->from_top, was);
	return rc;
}

/*
 * The entries of new into to, from old held by from (-1: none); to
 * fsync'd once they are all in it. Both descriptors are closed.
 */
static int
copy_dir(struct walk *w, git_tree *old, git_tree *new, int from, int to, unsigned depth)
{
	const git_tree_entry *e, *o;
	git_filemode_t mode;
	const char *name;
	size_t i, n = git_tree_entrycount(new), was;
	int rc = -1, fd;

	for (i = 0; i < n; i++) {
		e = git_tree_entry_byindex(new, i);
		name = git_tree_entry_name(e);
		mode = git_tree_entry_filemode(e);
		o = old != NULL && from != -1 ? git_tree_entry_byname(old, name) : NULL;
		if (push_name(w, name, &was) == -1) {
			walk_err(w, "too long a path");
			goto out;
		}
		switch (mode) {
		case GIT_FILEMODE_TREE:
			if (copy_subdir(w, o, e, &from, &to, was, depth) == -1)
				goto out;
			break;
		case GIT_FILEMODE_COMMIT:
			/* A submodule: an empty directory, as in place. */
			errno = 0;
			if (mkdirat(to, name, 0777) == -1 ||
			    (fd = openat(to, name, DIR_FLAGS)) == -1) {
				walk_err(w, "cannot make the submodule's directory");
				goto out;
			}
			fsync(fd);
			close(fd);
			break;
		case GIT_FILEMODE_BLOB:
		case GIT_FILEMODE_BLOB_EXECUTABLE:
		case GIT_FILEMODE_LINK:
			if (w->rc->share && o != NULL && git_tree_entry_filemode(o) == mode &&
			    git_oid_equal(git_tree_entry_id(o), git_tree_entry_id(e))) {
				if (trusted(w, from, name, e) &&
				    linkat(from, name, to, name, 0) == 0) {
					w->rc->linked++;
					break;
				}
				w->rc->untrusted++;
			}
			if (write_blob(w, to, name, e) == -1)
				goto out;
			break;
		default:
			errno = 0;
			git_error_set_str(GIT_ERROR_INVALID, "an unknown mode");
			walk_err(w, "not written");
			goto out;
		}
		pop_name(w, was);
	}
	errno = 0;
	if (fsync(to) == -1)
		walk_err(w, "cannot flush the directory");
	else
		rc = 0;
out:
	if (from != -1)
		close(from);
	close(to);
	return rc;
}

/* The tree at prefix in commit id; *tree NULL when prefix is no tree. */
static int
prefix_tree(git_repository *repo, const git_oid *id, const char *prefix, git_tree **tree)
{
	git_tree_entry *e = NULL;
	git_commit *commit = NULL;
	git_tree *root = NULL;
	int rc = -1;

	*tree = NULL;
	if (git_commit_lookup(&commit, repo, id) < 0 || git_commit_tree(&root, commit) < 0)
		goto out;
	if (prefix[0] == '\0') {
		*tree = root;
		root = NULL;
		rc = 0;
		goto out;
	}
	if (git_tree_entry_bypath(&e, root, prefix) < 0 ||
	    git_tree_entry_filemode(e) != GIT_FILEMODE_TREE)
		rc = 0;
	else
		rc = git_tree_lookup(tree, repo, git_tree_entry_id(e)) < 0 ? -1 : 0;
out:
	git_tree_entry_free(e);
	git_tree_free(root);
	git_commit_free(commit);
	return rc;
}

int
release_copy(struct release_copy *rc, const git_oid *from, int from_fd, const git_oid *to,
    const char *prefix, int to_fd)
{
	struct walk w = { .rc = rc, .from_top = from_fd, .to_top = to_fd,
	    .prefix = prefix };
	git_tree *old = NULL, *new = NULL;
	int f = -1, t = -1, r = -1;

	rc->linked = rc->written = rc->untrusted = 0;
	w.umask = umask(0);
	umask(w.umask);
	errno = 0;
	if (git_repository_odb(&w.odb, rc->repo) < 0 ||
	    prefix_tree(rc->repo, to, prefix, &new) < 0 || new == NULL) {
		walk_err(&w, "cannot read the commit's tree");
		goto out;
	}
	/* The live commit unreadable (a repository made anew): all written. */
	if (from != NULL && from_fd != -1 && prefix_tree(rc->repo, from, prefix, &old) == 0 &&
	    old != NULL && (f = dup(from_fd)) == -1) {
		walk_err(&w, "cannot open the live release");
		goto out;
	}
	if ((t = dup(to_fd)) == -1) {
		walk_err(&w, "cannot open the release");
		goto out;
	}
	r = copy_dir(&w, f != -1 ? old : NULL, new, f, t, 0);
	f = t = -1;
out:
	if (f != -1)
		close(f);
	if (t != -1)
		close(t);
	git_tree_free(old);
	git_tree_free(new);
	git_odb_free(w.odb);
	return r;
}

int
release_copy_mark(int to_fd, const char *prefix)
{
	return fsetxattr(to_fd, RELEASE_PREFIX_XATTR, prefix, strlen(prefix), 0);
}

int
release_copy_marked(int from_fd, const char *prefix)
{
	char value[PATH_MAX];
	ssize_t n;

	if ((n = fgetxattr(from_fd, RELEASE_PREFIX_XATTR, value, sizeof(value))) == -1)
		return -1;
	return (size_t)n == strlen(prefix) && memcmp(value, prefix, (size_t)n) == 0;
}
