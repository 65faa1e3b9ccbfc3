/*
 * The record: "<from> <to> <branch-was> <branch>\n", object ids in hex
 * (zeros for "none"), written to a temporary name, flushed and renamed
 * into place, so that a reader sees a whole record or none.
 *
 * Finishing compares the work tree with the two trees, not with the index
 * or HEAD: libgit2 writes the index only at the end of a checkout, and the
 * refs after it, so neither says how far a dead checkout got. A path that
 * differs from one tree and holds the other is the dead sync's work, or
 * work it had not done yet; a file of neither tree is someone's and stays
 * (unless the target needs its place: then it is refused, as any sync
 * refuses it). One more case is the dead sync's own: a file it was
 * writing when it died holds a leading part of its content in the target.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exitcode.h"
#include "file.h"
#include "git_error.h"
#include "intent.h"
#include "log.h"
#include "nofollow.h"
#include "peer_limits.h"
#include "worktree.h"

/* Three object ids, each with its space, the branch and a newline. */
#define INTENT_BYTES	(3 * (GIT_OID_HEXSZ + 1) + LIMIT_REF_BYTES + 1)

struct intent {
	git_oid	from, to, was;
	int	has_from, has_was;
	char	branch[LIMIT_REF_BYTES + 1];
};

static int
intent_path(git_repository *repo, const char *suffix, char *buf)
{
	int n = snprintf(buf, PATH_MAX, "%s" INTENT_NAME "%s", git_repository_path(repo), suffix);

	return n < 0 || n >= PATH_MAX ? -1 : 0;
}

static void
oid_or_zero(char *buf, const git_oid *id)
{
	if (id != NULL)
		git_oid_tostr(buf, GIT_OID_HEXSZ + 1, id);
	else
		snprintf(buf, GIT_OID_HEXSZ + 1, "%0*d", GIT_OID_HEXSZ, 0);
}

int
intent_record(git_repository *repo, const char *branch, const git_oid *from, const git_oid *to)
{
	char path[PATH_MAX], tmp[PATH_MAX], line[INTENT_BYTES + 1], refname[LIMIT_REF_BYTES + 16];
	char f[GIT_OID_HEXSZ + 1], t[GIT_OID_HEXSZ + 1], w[GIT_OID_HEXSZ + 1];
	git_oid was;
	int fd = -1, n, rc = -1;

	snprintf(refname, sizeof(refname), "refs/heads/%s", branch);
	oid_or_zero(f, from);
	oid_or_zero(t, to);
	oid_or_zero(w, git_reference_name_to_id(&was, repo, refname) == 0 ? &was : NULL);
	n = snprintf(line, sizeof(line), "%s %s %s %s\n", f, t, w, branch);
	if (n < 0 || (size_t)n >= sizeof(line) || intent_path(repo, "", path) == -1 ||
	    intent_path(repo, ".tmp", tmp) == -1) {
		errno = ENAMETOOLONG;
		goto out;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644)) == -1 ||
	    file_write_all(fd, line, (size_t)n) == -1 || fsync(fd) == -1 ||
	    close(fd) == -1) {
		fd = -1;
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) == -1)
		goto out;
	/* The name too: after a power loss the record must be there if any
	 * file of the move is. */
	if ((fd = open(git_repository_path(repo), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    fsync(fd) == -1)
		goto out;
	rc = 0;
out:
	if (rc == -1)
		log_err("cannot record the move to %s in %s: %m", t, git_repository_path(repo));
	if (fd != -1)
		close(fd);
	return rc;
}

void
intent_clear(git_repository *repo)
{
	char path[PATH_MAX];

	if (intent_path(repo, "", path) == 0 && unlink(path) == -1 && errno != ENOENT)
		log_warning("cannot remove %s: %m", path);
}

/* 1 read, 0 none, -1 malformed. */
static int
intent_read(git_repository *repo, struct intent *in)
{
	char path[PATH_MAX], f[GIT_OID_HEXSZ + 1], t[GIT_OID_HEXSZ + 1], w[GIT_OID_HEXSZ + 1];
	char refname[LIMIT_REF_BYTES + 16], *buf, *nl;
	size_t len;
	int valid = 0, rc = -1;

	if (intent_path(repo, "", path) == -1 || (buf = file_read(path, INTENT_BYTES, &len)) == NULL)
		return errno == ENOENT ? 0 : -1;
	nl = memchr(buf, '\n', len);
	if (nl == NULL || strlen(buf) != len || nl != buf + len - 1 ||
	    sscanf(buf, "%40s %40s %40s ", f, t, w) != 3 ||
	    len < 3 * (GIT_OID_HEXSZ + 1) + 2)
		goto out;
	*nl = '\0';
	snprintf(in->branch, sizeof(in->branch), "%s", buf + 3 * (GIT_OID_HEXSZ + 1));
	snprintf(refname, sizeof(refname), "refs/heads/%s", in->branch);
	if (git_oid_fromstr(&in->from, f) < 0 || git_oid_fromstr(&in->to, t) < 0 ||
	    git_oid_fromstr(&in->was, w) < 0 || git_oid_is_zero(&in->to) ||
	    git_reference_name_is_valid(&valid, refname) < 0 || !valid)
		goto out;
	in->has_from = !git_oid_is_zero(&in->from);
	in->has_was = !git_oid_is_zero(&in->was);
	rc = 1;
out:
	free(buf);
	return rc;
}

/* Do HEAD and the branch still stand where the record found them? Only
 * then does the containment check the dead sync made still hold. */
static int
still_fits(git_repository *repo, const struct intent *in)
{
	char refname[LIMIT_REF_BYTES + 16];
	git_oid at;
	int has;

	has = git_reference_name_to_id(&at, repo, "HEAD") == 0;
	if (has != in->has_from || (has && !git_oid_equal(&at, &in->from)))
		return 0;
	snprintf(refname, sizeof(refname), "refs/heads/%s", in->branch);
	has = git_reference_name_to_id(&at, repo, refname) == 0;
	return has == in->has_was && (!has || git_oid_equal(&at, &in->was));
}

static const char *
delta_path(const git_diff_delta *d)
{
	return d->new_file.path != NULL ? d->new_file.path : d->old_file.path;
}

static int
by_path(const void *a, const void *b)
{
	return strcmp(delta_path(*(const git_diff_delta *const *)a),
	    delta_path(*(const git_diff_delta *const *)b));
}

static int
outside_tree(git_delta_t s)
{
	return s == GIT_DELTA_UNTRACKED || s == GIT_DELTA_IGNORED || s == GIT_DELTA_ADDED;
}

/* Does the tree need the place of this file: the path itself (as a
 * directory: the file is in neither tree), or a directory above it as a
 * file, link or submodule? */
static int
in_the_way(git_tree *tree, const char *path)
{
	char prefix[PATH_MAX];
	git_tree_entry *e;
	const char *slash;
	int blocked = 0;

	if (git_tree_entry_bypath(&e, tree, path) == 0) {
		git_tree_entry_free(e);
		return 1;
	}

	for (slash = strchr(path, '/'); !blocked && slash != NULL; slash = strchr(slash + 1, '/')) {
		snprintf(prefix, sizeof(prefix), "%.*s", (int)(slash - path), path);
		if (git_tree_entry_bypath(&e, tree, prefix) < 0)
			break;
		blocked = git_tree_entry_type(e) != GIT_OBJECT_TREE;
		git_tree_entry_free(e);
	}
	return blocked;
}

/* A regular file holding a leading part of the target's blob: a write the
 * dead sync had begun (libgit2 writes a file in place, from its start).
 * Reached from the top of the work tree through no link. */
static int
cut_short(git_repository *repo, int top, git_tree *tree, const char *path)
{
	char buf[65536];
	git_tree_entry *e = NULL;
	git_blob *blob = NULL;
	const char *want;
	struct stat st;
	size_t off = 0;
	ssize_t n;
	int dirfd = -1, fd = -1, ok = 0;

	if (git_tree_entry_bypath(&e, tree, path) < 0 || git_tree_entry_type(e) != GIT_OBJECT_BLOB ||
	    git_tree_entry_filemode(e) == GIT_FILEMODE_LINK ||
	    git_blob_lookup(&blob, repo, git_tree_entry_id(e)) < 0 ||
	    (dirfd = nofollow_parent(top, path, NULL)) == -1 ||
	    (fd = openat(dirfd, nofollow_leaf(path), O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (git_object_size_t)st.st_size >= git_blob_rawsize(blob))
		goto out;
	want = git_blob_rawcontent(blob);
	while ((n = read(fd, buf, sizeof(buf))) > 0 && off + (size_t)n <= (size_t)st.st_size &&
	    memcmp(buf, want + off, (size_t)n) == 0)
		off += (size_t)n;
	ok = n == 0 && off == (size_t)st.st_size;
out:
	if (fd != -1)
		close(fd);
	if (dirfd != -1)
		close(dirfd);
	git_blob_free(blob);
	git_tree_entry_free(e);
	return ok;
}

static int
diff_workdir(git_diff **diff, git_repository *repo, git_tree *tree)
{
	git_diff_options opts;

	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	opts.flags = GIT_DIFF_INCLUDE_UNTRACKED | GIT_DIFF_RECURSE_UNTRACKED_DIRS |
	    GIT_DIFF_INCLUDE_IGNORED | GIT_DIFF_RECURSE_IGNORED_DIRS |
	    GIT_DIFF_INCLUDE_TYPECHANGE;
	opts.ignore_submodules = GIT_SUBMODULE_IGNORE_ALL;
	return git_diff_tree_to_workdir(diff, repo, tree, &opts);
}

/* Every path that differs from both trees, unless it is a file of
 * neither tree that the target leaves in peace, or a write cut short. */
static int
foreign_paths(git_repository *repo, git_tree *from, git_tree *to, struct namelist *names)
{
	git_diff *d1 = NULL, *d2 = NULL;
	const git_diff_delta **sorted = NULL, **hit, *a, *keyp;
	git_diff_delta key;
	size_t i, n1, n2;
	int top, rc = -1;

	if ((top = nofollow_open_dir(git_repository_workdir(repo))) == -1)
		return -1;
	if (diff_workdir(&d1, repo, from) < 0 || diff_workdir(&d2, repo, to) < 0)
		goto out;
	n1 = git_diff_num_deltas(d1);
	n2 = git_diff_num_deltas(d2);
	if ((sorted = calloc(n2 + 1, sizeof(*sorted))) == NULL)
		goto out;
	for (i = 0; i < n2; i++)
		sorted[i] = git_diff_get_delta(d2, i);
	qsort(sorted, n2, sizeof(*sorted), by_path);
	memset(&key, 0, sizeof(key));
	keyp = &key;
	for (i = 0; i < n1; i++) {
		a = git_diff_get_delta(d1, i);
		key.new_file.path = delta_path(a);
		if ((hit = bsearch(&keyp, sorted, n2, sizeof(*sorted),
		    by_path)) == NULL)
			continue;	/* holds the target */
		if (outside_tree(a->status) && outside_tree((*hit)->status) ?
		    !in_the_way(to, key.new_file.path) :
		    cut_short(repo, top, to, key.new_file.path))
			continue;
		namelist_add(names, key.new_file.path);
	}
	namelist_finish(names);
	rc = 0;
out:
	free(sorted);
	git_diff_free(d2);
	git_diff_free(d1);
	close(top);
	return rc;
}

int
intent_finish(git_repository *repo, const char *clone_path)
{
	struct namelist foreign = NAMELIST_INIT;
	char what[GIT_OID_HEXSZ + 1];
	struct intent in;
	git_tree *from = NULL, *to = NULL;
	git_oid head;
	int rc = EXIT_SYNC_FAILED;

	switch (intent_read(repo, &in)) {
	case 0:
		return EXIT_OK;
	case -1:
		log_warning("%s: an unreadable %s, dropped", clone_path, INTENT_NAME);
		intent_clear(repo);
		return EXIT_OK;
	}
	if (git_reference_name_to_id(&head, repo, "HEAD") == 0 && git_oid_equal(&head, &in.to)) {
		intent_clear(repo);	/* only the forgetting was left to do */
		return EXIT_OK;
	}
	if (!still_fits(repo, &in)) {
		log_warning("%s: HEAD or %s moved since an interrupted sync to %s; "
		    "its record dropped", clone_path, in.branch, git_oid_tostr_s(&in.to));
		intent_clear(repo);
		return EXIT_OK;
	}
	if ((in.has_from && worktree_tree(repo, &in.from, &from) < 0) ||
	    worktree_tree(repo, &in.to, &to) < 0 || foreign_paths(repo, from, to, &foreign) < 0) {
		log_err("%s: an interrupted sync to %s: %s", clone_path,
		    git_oid_tostr_s(&in.to), last_git_error());
		goto out;
	}
	if (foreign.count > 0) {
		log_err("%s has local modifications, kept as they are: %s", clone_path, foreign.text);
		rc = EXIT_NOT_OURS;
		goto out;
	}
	log_notice("%s: finishing an interrupted sync to %s", clone_path, git_oid_tostr_s(&in.to));
	/* Every path holds one of the two trees or nothing of either: forcing
	 * the target overwrites only the dead sync's files. A target that
	 * cannot be checked out (a name the file system refuses, a full
	 * disk) is given up: back to `from`, and the sync goes on to fetch,
	 * so that a push that fixes it is deployed. */
	git_oid_tostr(what, sizeof(what), &in.to);
	if ((rc = worktree_checkout(repo, from, to, 1, what)) == EXIT_OK) {
		if ((rc = worktree_point(repo, in.branch, &in.to)) == EXIT_OK)
			intent_clear(repo);
		goto out;
	}
	rc = EXIT_SYNC_FAILED;
	if (worktree_roll_back(repo, from, to, what) == 0) {
		intent_clear(repo);
		rc = EXIT_OK;
	}
out:
	git_tree_free(to);
	git_tree_free(from);
	return rc;
}
