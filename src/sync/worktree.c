#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bounds.h"
#include "exitcode.h"
#include "git_error.h"
#include "links.h"
#include "namelist.h"
#include "log.h"
#include "nofollow.h"
#include "stat_scan.h"
#include "tree_diff.h"
#include "worktree.h"

#define REFLOG_MESSAGE	"sentry-source: sync"

static int	tracked(git_tree *, const char *);

static int
status_names(git_repository *repo, git_status_show_t show, const git_strarray *paths,
    struct namelist *names)
{
	git_status_options opts;
	git_status_list *list;
	const git_status_entry *e;
	size_t i, n;

	git_status_options_init(&opts, GIT_STATUS_OPTIONS_VERSION);
	opts.show = show;
	opts.flags = GIT_STATUS_OPT_EXCLUDE_SUBMODULES;	/* no untracked files */
	if (paths != NULL) {
		opts.flags |= GIT_STATUS_OPT_DISABLE_PATHSPEC_MATCH;
		opts.pathspec = *paths;
	}
	if (git_status_list_new(&list, repo, &opts) < 0)
		return -1;
	n = git_status_list_entrycount(list);
	for (i = 0; i < n; i++) {
		e = git_status_byindex(list, i);
		if (e->status != GIT_STATUS_CURRENT && e->status != GIT_STATUS_IGNORED)
			namelist_add(names, e->head_to_index ? e->head_to_index->new_file.path :
			    e->index_to_workdir->new_file.path);
	}
	git_status_list_free(list);
	return 0;
}

/*
 * Staged changes from the index against HEAD's tree; unstaged ones from
 * one stat of each file (stat_scan.h), libgit2 reading only the files
 * whose stat data differs from the index's. A work tree with many such
 * files is left to libgit2's own pass.
 */
int
worktree_changes(git_repository *repo, struct namelist *names)
{
	git_strarray paths = { NULL, 0 };
	git_index *index;
	int r, rc = -1;

	if (git_repository_index(&index, repo) < 0)
		return -1;
	if ((r = stat_scan(index, git_repository_workdir(repo), &paths)) == -1) {
		if (errno != 0)
			git_error_set_str(GIT_ERROR_OS, strerror(errno));
		goto out;
	}
	if (r == 1)
		rc = status_names(repo, GIT_STATUS_SHOW_INDEX_AND_WORKDIR, NULL, names);
	else
		rc = status_names(repo, GIT_STATUS_SHOW_INDEX_ONLY, NULL, names) < 0 ||
		    (paths.count > 0 && status_names(repo, GIT_STATUS_SHOW_WORKDIR_ONLY,
		    &paths, names) < 0) ? -1 : 0;
	namelist_finish(names);
out:
	git_strarray_dispose(&paths);
	git_index_free(index);
	return rc;
}

/* Is the commit at `at` contained in `tip`, or in `previous`? */
static int
contained(git_repository *repo, const git_oid *at, const git_oid *tip,
    const git_oid *previous)
{
	if (git_oid_equal(at, tip) || git_graph_descendant_of(repo, tip, at) == 1)
		return 1;
	return previous != NULL && (git_oid_equal(at, previous) ||
	    git_graph_descendant_of(repo, previous, at) == 1);
}

/* Is the commit on some branch origin has (a glob BRANCH may leave HEAD
 * on another watched branch, whose commits are safe on origin)? */
static int
on_origin(git_repository *repo, const git_oid *at)
{
	git_reference_iterator *it;
	git_reference *ref;
	const git_oid *tip;
	int found = 0;

	if (git_reference_iterator_glob_new(&it, repo, "refs/remotes/origin/*") < 0)
		return 0;
	while (!found && git_reference_next(&ref, it) == 0) {
		if ((tip = git_reference_target(ref)) != NULL)
			found = git_oid_equal(at, tip) || git_graph_descendant_of(repo, tip, at) == 1;
		git_reference_free(ref);
	}
	git_reference_iterator_free(it);
	return found;
}

int
worktree_unpushed(git_repository *repo, const char *branch, const git_oid *tip,
    const git_oid *previous, char *what, size_t whatlen)
{
	char refname[LIMIT_REFNAME_BYTES];
	git_oid at;

	snprintf(refname, sizeof(refname), "refs/heads/%s", branch);
	if (git_reference_name_to_id(&at, repo, "HEAD") == 0 &&
	    !contained(repo, &at, tip, previous) && !on_origin(repo, &at)) {
		snprintf(what, whatlen, "HEAD (%s)", git_oid_tostr_s(&at));
		return 1;
	}
	if (git_reference_name_to_id(&at, repo, refname) == 0 &&
	    !contained(repo, &at, tip, previous)) {
		snprintf(what, whatlen, "%s (%s)", branch, git_oid_tostr_s(&at));
		return 1;
	}
	return 0;
}

/* Move the branch only from where it is now: a concurrent writer loses. */
int
worktree_point(git_repository *repo, const char *branch, const git_oid *oid)
{
	git_reference *ref = NULL;
	char refname[LIMIT_REFNAME_BYTES], upstream[LIMIT_REFNAME_BYTES];
	git_oid now;
	int rc;

	snprintf(refname, sizeof(refname), "refs/heads/%s", branch);
	snprintf(upstream, sizeof(upstream), "origin/%s", branch);
	if (git_reference_name_to_id(&now, repo, refname) == 0)
		rc = git_reference_create_matching(&ref, repo, refname, oid, 1, &now,
		    REFLOG_MESSAGE);
	else	/* new here: as git clone and git switch leave it, tracking origin's */
		rc = git_reference_create(&ref, repo, refname, oid, 0, REFLOG_MESSAGE) < 0 ?
		    -1 : git_branch_set_upstream(ref, upstream);
	git_reference_free(ref);
	if (rc < 0 || git_repository_set_head(repo, refname) < 0) {
		log_err("cannot move %s: %s", refname, last_git_error());
		return EXIT_SYNC_FAILED;
	}
	return EXIT_OK;
}

static int
note_conflict(git_checkout_notify_t why, const char *path, const git_diff_file *baseline,
    const git_diff_file *target, const git_diff_file *workdir, void *payload)
{
	(void)why; (void)baseline; (void)target; (void)workdir;
	namelist_add(payload, path);
	return 0;
}

int
worktree_tree(git_repository *repo, const git_oid *commit_id, git_tree **tree)
{
	git_commit *commit;
	int rc;

	if (git_commit_lookup(&commit, repo, commit_id) < 0)
		return -1;
	rc = git_commit_tree(tree, commit);
	git_commit_free(commit);
	return rc;
}

/* The paths a move writes or removes, copied (tree_diff's is reused). */
static int
add_path(const char *path, const git_tree_entry *old, const git_tree_entry *new,
    void *payload)
{
	git_strarray *paths = payload;
	char **grown;

	(void)old, (void)new;
	/* Doubling at each power of two: amortized, no capacity to keep. */
	if ((paths->count & (paths->count - 1)) == 0) {
		if ((grown = reallocarray(paths->strings, paths->count == 0 ? 1 :
		    paths->count * 2, sizeof(*grown))) == NULL)
			goto oom;
		paths->strings = grown;
	}
	if ((paths->strings[paths->count] = strdup(path)) == NULL)
		goto oom;
	paths->count++;
	return 0;
oom:
	git_error_set_oom();
	return -1;
}

/*
 * A move from a commit (not over itself, not from nothing) looks at the
 * paths the two trees differ in, and only at them: the sync's status
 * pass (worktree_changes) has just found every local change of the work
 * tree and refused any, and a change made since, to a path the move
 * writes, is still the checkout's conflict. A change since to any other
 * path is left as it is. Without the list, libgit2 stats every file of
 * the work tree a second time.
 */
int
worktree_checkout(git_repository *repo, git_tree *from, git_tree *to, int force,
    const char *what)
{
	git_checkout_options opts;
	struct namelist links = NAMELIST_INIT;
	struct namelist conflicts = NAMELIST_INIT;
	const char *dir = git_repository_workdir(repo);
	git_strarray paths = { NULL, 0 };
	int rc;

	errno = 0;
	/* Over itself (a move back), every directory of the tree is looked at:
	 * no link may stand above any of its files. */
	if (links_check(repo, from == to ? NULL : from, to, dir, &links) == -1) {
		log_err("%s: checking the links of %s: %s; nothing written", dir, what,
		    errno != 0 ? strerror(errno) : last_git_error());
		return EXIT_SYNC_FAILED;
	}
	if (links.count > 0) {
		log_err("%s: refusing to write through %s, a link no commit holds; "
		    "nothing written", dir, links.text);
		return EXIT_NOT_OURS;
	}
	git_checkout_options_init(&opts, GIT_CHECKOUT_OPTIONS_VERSION);
	/* A link where a file goes is never written through. */
	opts.file_open_flags = O_CREAT | O_TRUNC | O_WRONLY | O_NOFOLLOW | O_CLOEXEC;
	if (force) {
		opts.checkout_strategy = GIT_CHECKOUT_FORCE;
		opts.baseline = from;
	} else {
		opts.checkout_strategy = GIT_CHECKOUT_SAFE | GIT_CHECKOUT_DONT_OVERWRITE_IGNORED;
		opts.notify_flags = GIT_CHECKOUT_NOTIFY_CONFLICT;
		opts.notify_cb = note_conflict;
		opts.notify_payload = &conflicts;
	}
	if (!force && from != NULL && from != to) {
		if (tree_diff(repo, from, to, add_path, &paths) != 0) {
			log_err("%s: checkout of %s failed: %s; nothing written", dir, what,
			    last_git_error());
			rc = EXIT_SYNC_FAILED;
			goto out;
		}
		/* The same tree: nothing to write (an empty list means all). */
		if (paths.count == 0) {
			rc = EXIT_OK;
			goto out;
		}
		opts.checkout_strategy |= GIT_CHECKOUT_DISABLE_PATHSPEC_MATCH;
		opts.paths = paths;
	}
	if (git_checkout_tree(repo, (git_object *)to, &opts) == 0) {
		rc = EXIT_OK;
		goto out;
	}
	namelist_finish(&conflicts);
	if (conflicts.count > 0) {
		log_err("refusing to overwrite %s in the work tree", conflicts.text);
		rc = EXIT_NOT_OURS;
		goto out;
	}
	log_err("%s: checkout of %s failed: %s", dir, what, last_git_error());
	rc = EXIT_CHECKOUT_FAILED;
out:
	git_strarray_dispose(&paths);
	return rc;
}

/* The file at path, and the directories above it that it leaves empty;
 * never through a link. Errors are left to the checkout that follows. */
static void
remove_path(int top, const char *path)
{
	char dir[PATH_MAX];
	char *slash;
	int fd;

	if ((fd = nofollow_parent(top, path, NULL)) == -1)
		return;
	unlinkat(fd, nofollow_leaf(path), 0);
	close(fd);
	snprintf(dir, sizeof(dir), "%s", path);
	while ((slash = strrchr(dir, '/')) != NULL) {
		*slash = '\0';
		if ((fd = nofollow_parent(top, dir, NULL)) == -1)
			return;
		if (unlinkat(fd, nofollow_leaf(dir), AT_REMOVEDIR) == -1) {
			close(fd);
			return;
		}
		close(fd);
	}
}

/* What `to` adds and `from` does not track: the failed move's own files
 * (worktree_blocked found nothing of anyone's there before it). Not by
 * libgit2: a checkout over `to` looks at every path of `to`, one too long
 * for the file system included, and gives up. */
static int
remove_added(git_repository *repo, git_tree *from, git_tree *to)
{
	git_diff *diff = NULL;
	const git_diff_delta *d;
	size_t n;
	int top;

	if ((top = nofollow_open_dir(git_repository_workdir(repo))) == -1)
		return -1;
	if (git_diff_tree_to_tree(&diff, repo, from, to, NULL) < 0) {
		close(top);
		return -1;
	}
	for (n = git_diff_num_deltas(diff); n > 0; n--) {
		d = git_diff_get_delta(diff, n - 1);
		if (d->status == GIT_DELTA_ADDED && !tracked(from, d->new_file.path))
			remove_path(top, d->new_file.path);
	}
	git_diff_free(diff);
	close(top);
	return 0;
}

int
worktree_roll_back(git_repository *repo, git_tree *from, git_tree *to, const char *what)
{
	char back[GIT_OID_HEXSZ + 32];

	/* Every path of `from` was clean before the move: forcing `from`
	 * over itself rewrites what the move changed and puts back what it
	 * removed, and touches nothing else. From an unborn HEAD, only what
	 * the move added goes. */
	if (from != NULL)
		snprintf(back, sizeof(back), "tree %s", git_oid_tostr_s(git_tree_id(from)));
	if (remove_added(repo, from, to) == -1 ||
	    (from != NULL && worktree_checkout(repo, from, from, 1, back) != EXIT_OK)) {
		log_err("%s: the work tree could not be moved back from %s either; "
		    "the next sync tries again", git_repository_workdir(repo), what);
		return -1;
	}
	log_warning("%s: the work tree is back where it was, before %s",
	    git_repository_workdir(repo), what);
	return 0;
}

/*
 * Work tree first, refs second: a refused checkout leaves HEAD where it
 * was, and one interrupted before the refs moved is finished by the next
 * sync (see intent.h). One that fails with an error is moved back.
 */
int
worktree_move(git_repository *repo, const char *branch, const git_oid *oid, int *intact)
{
	git_tree *from = NULL, *to = NULL;
	git_oid head;
	char what[GIT_OID_HEXSZ + 1];
	int rc = EXIT_SYNC_FAILED;

	*intact = 0;
	git_oid_tostr(what, sizeof(what), oid);
	if ((git_reference_name_to_id(&head, repo, "HEAD") == 0 &&
	    worktree_tree(repo, &head, &from) < 0) || worktree_tree(repo, oid, &to) < 0) {
		log_err("origin/%s: %s", branch, last_git_error());
		*intact = 1;
		goto out;
	}
	if ((rc = worktree_checkout(repo, from, to, 0, what)) != EXIT_OK) {
		/* A first checkout has nothing to go back to (a clone's
		 * directory is removed whole; a record of an unborn HEAD is
		 * given up by the next sync). */
		*intact = rc != EXIT_CHECKOUT_FAILED ||
		    (from != NULL && worktree_roll_back(repo, from, to, what) == 0);
		if (rc == EXIT_CHECKOUT_FAILED)
			rc = EXIT_SYNC_FAILED;
		goto out;
	}
	rc = worktree_point(repo, branch, oid);
out:
	git_tree_free(to);
	git_tree_free(from);
	return rc;
}

/* Is path a file (blob, link or submodule) of the tree (NULL: the empty
 * tree)? A directory of the same name does not count: its files do. */
static int
tracked(git_tree *tree, const char *path)
{
	git_tree_entry *e;
	int file;

	if (tree == NULL || git_tree_entry_bypath(&e, tree, path) < 0)
		return 0;
	file = git_tree_entry_type(e) != GIT_OBJECT_TREE;
	git_tree_entry_free(e);
	return file;
}

/* Every file under the directory name (in at; rel from the top) that
 * the tree does not track. Never through a link: a link is a file here. */
static void
untracked_under(git_tree *tree, int at, const char *name, const char *rel,
    struct namelist *names)
{
	char sub[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d;
	int fd;

	if ((fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) == -1 ||
	    (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		namelist_add(names, rel);	/* unreadable: someone's */
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", rel, de->d_name) >= (int)sizeof(sub) ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1)
			namelist_add(names, sub);
		else if (S_ISDIR(st.st_mode))
			untracked_under(tree, dirfd(d), de->d_name, sub, names);
		else if (!tracked(tree, sub))
			namelist_add(names, sub);
	}
	closedir(d);
}

/*
 * What of the work tree stands where path goes: the path itself, or a
 * file or link in the place of a directory above it. What `from` tracks
 * is the move's to replace; a link it tracks is no directory, and what
 * lies behind it is not the work tree's.
 */
static int
blocked_at(git_tree *from, int top, const char *path, struct namelist *names)
{
	char prefix[PATH_MAX];
	struct stat st;
	size_t stop;
	int fd;

	if ((fd = nofollow_parent(top, path, &stop)) == -1) {
		/* A name too long for the file system: nothing of anyone's
		 * can be there, and the checkout says what is wrong. */
		if (errno == ENOENT || errno == ENAMETOOLONG)
			return 0;
		if (errno != ELOOP && errno != ENOTDIR)
			return -1;
		snprintf(prefix, sizeof(prefix), "%.*s", (int)stop, path);
		if (!tracked(from, prefix))
			namelist_add(names, prefix);
		return 0;
	}
	if (fstatat(fd, nofollow_leaf(path), &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISDIR(st.st_mode))
			untracked_under(from, fd, nofollow_leaf(path), path, names);
		else
			namelist_add(names, path);
	}
	close(fd);
	return 0;
}

/*
 * As git's checkout, which checks every path it would write before it
 * writes one: only a path the target adds and `from` does not track can
 * meet a file nobody committed, there or in a directory above it.
 * libgit2 finds some of these only half-way through writing.
 */
struct blocked {
	git_tree	*from;
	int		 top;
	struct namelist	*names;
};

static int
blocked_one(const char *path, const git_tree_entry *old, const git_tree_entry *new,
    void *payload)
{
	struct blocked *b = payload;

	(void)new;
	if (old != NULL || tracked(b->from, path))
		return 0;
	return blocked_at(b->from, b->top, path, b->names);
}

int
worktree_blocked(git_repository *repo, const git_oid *from, const git_oid *to,
    struct namelist *names)
{
	struct blocked b = { NULL, -1, names };
	git_tree *tt = NULL;
	int rc = -1;

	if ((b.top = nofollow_open_dir(git_repository_workdir(repo))) == -1)
		return -1;
	if ((from != NULL && worktree_tree(repo, from, &b.from) < 0) ||
	    worktree_tree(repo, to, &tt) < 0 || tree_diff(repo, b.from, tt, blocked_one, &b) != 0)
		goto out;
	namelist_finish(names);
	rc = 0;
out:
	git_tree_free(tt);
	git_tree_free(b.from);
	close(b.top);
	return rc;
}
