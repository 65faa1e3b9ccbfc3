#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "bounds.h"
#include "exitcode.h"
#include "git_error.h"
#include "log.h"
#include "worktree.h"

#define REFLOG_MESSAGE	"sentry-source: sync"

void
worktree_name_add(struct worktree_names *n, const char *path)
{
	size_t len = strlen(n->text);

	if (n->count++ < WORKTREE_NAMES_MAX)
		snprintf(n->text + len, sizeof(n->text) - len, "%s%s", len ? ", " : "", path);
}

void
worktree_names_finish(struct worktree_names *n)
{
	size_t len = strlen(n->text);

	if (n->count > WORKTREE_NAMES_MAX)
		snprintf(n->text + len, sizeof(n->text) - len, " and %zu more",
		    n->count - WORKTREE_NAMES_MAX);
}

int
worktree_changes(git_repository *repo, struct worktree_names *names)
{
	git_status_options opts;
	git_status_list *list;
	const git_status_entry *e;
	size_t i, n;

	git_status_options_init(&opts, GIT_STATUS_OPTIONS_VERSION);
	opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	opts.flags = GIT_STATUS_OPT_EXCLUDE_SUBMODULES;	/* no untracked files */
	if (git_status_list_new(&list, repo, &opts) < 0)
		return -1;
	n = git_status_list_entrycount(list);
	for (i = 0; i < n; i++) {
		e = git_status_byindex(list, i);
		if (e->status != GIT_STATUS_CURRENT && e->status != GIT_STATUS_IGNORED)
			worktree_name_add(names, e->head_to_index ? e->head_to_index->new_file.path :
			    e->index_to_workdir->new_file.path);
	}
	git_status_list_free(list);
	worktree_names_finish(names);
	return 0;
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
	worktree_name_add(payload, path);
	return 0;
}

/*
 * Work tree first, refs second: a refused checkout leaves HEAD where it
 * was, and one interrupted before the refs moved is finished by the next
 * sync (see intent.h).
 */
int
worktree_move(git_repository *repo, const char *branch, const git_oid *oid)
{
	git_checkout_options opts;
	struct worktree_names conflicts = { "", 0 };
	git_object *commit = NULL;
	int rc = EXIT_SYNC_FAILED;

	git_checkout_options_init(&opts, GIT_CHECKOUT_OPTIONS_VERSION);
	opts.checkout_strategy = GIT_CHECKOUT_SAFE | GIT_CHECKOUT_DONT_OVERWRITE_IGNORED;
	opts.notify_flags = GIT_CHECKOUT_NOTIFY_CONFLICT;
	opts.notify_cb = note_conflict;
	opts.notify_payload = &conflicts;
	if (git_object_lookup(&commit, repo, oid, GIT_OBJECT_COMMIT) < 0) {
		log_err("origin/%s: %s", branch, last_git_error());
		goto out;
	}
	if (git_checkout_tree(repo, commit, &opts) < 0) {
		worktree_names_finish(&conflicts);
		if (conflicts.count > 0) {
			log_err("refusing to overwrite %s in the work tree", conflicts.text);
			rc = EXIT_NOT_OURS;
		} else
			log_err("checkout of %s: %s", git_oid_tostr_s(oid), last_git_error());
		goto out;
	}
	rc = worktree_point(repo, branch, oid);
out:
	git_object_free(commit);
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

/* Every file under the directory rel that the tree does not track. */
static void
untracked_under(git_tree *tree, const char *workdir, const char *rel,
    struct worktree_names *names)
{
	char full[PATH_MAX], sub[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d;

	if (snprintf(full, sizeof(full), "%s%s", workdir, rel) >= (int)sizeof(full) ||
	    (d = opendir(full)) == NULL) {
		worktree_name_add(names, rel);	/* unreadable: someone's */
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", rel, de->d_name) >= (int)sizeof(sub) ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1)
			worktree_name_add(names, sub);
		else if (S_ISDIR(st.st_mode))
			untracked_under(tree, workdir, sub, names);
		else if (!tracked(tree, sub))
			worktree_name_add(names, sub);
	}
	closedir(d);
}

/* Is a directory above path a file or link the tree does not track? */
static void
blocked_above(git_tree *tree, const char *workdir, const char *path,
    struct worktree_names *names)
{
	char prefix[PATH_MAX], full[PATH_MAX];
	const char *slash;
	struct stat st;

	for (slash = strchr(path, '/'); slash != NULL; slash = strchr(slash + 1, '/')) {
		snprintf(prefix, sizeof(prefix), "%.*s", (int)(slash - path), path);
		if (snprintf(full, sizeof(full), "%s%s", workdir, prefix) >= (int)sizeof(full) ||
		    lstat(full, &st) == -1)
			return;
		if (!S_ISDIR(st.st_mode)) {
			if (!tracked(tree, prefix))
				worktree_name_add(names, prefix);
			return;
		}
	}
}

/*
 * As git's checkout, which checks every path it would write before it
 * writes one: only a path the target adds and `from` does not track can
 * meet a file nobody committed, there or in a directory above it.
 * libgit2 finds some of these only half-way through writing.
 */
int
worktree_blocked(git_repository *repo, const git_oid *from, const git_oid *to,
    struct worktree_names *names)
{
	git_commit *fc = NULL, *tc = NULL;
	git_tree *ft = NULL, *tt = NULL;
	git_diff *diff = NULL;
	const git_diff_delta *d;
	const char *workdir = git_repository_workdir(repo), *path, *slash;
	char full[PATH_MAX], checked[PATH_MAX] = "";
	struct stat st;
	size_t i, n, len;
	int rc = -1;

	if ((from != NULL && (git_commit_lookup(&fc, repo, from) < 0 ||
	    git_commit_tree(&ft, fc) < 0)) || git_commit_lookup(&tc, repo, to) < 0 ||
	    git_commit_tree(&tt, tc) < 0 || git_diff_tree_to_tree(&diff, repo, ft, tt, NULL) < 0)
		goto out;
	n = git_diff_num_deltas(diff);
	for (i = 0; i < n; i++) {
		d = git_diff_get_delta(diff, i);
		path = d->new_file.path;
		if (d->status != GIT_DELTA_ADDED || tracked(ft, path))
			continue;
		if (snprintf(full, sizeof(full), "%s%s", workdir, path) >= (int)sizeof(full))
			goto out;
		if (lstat(full, &st) == 0) {
			if (S_ISDIR(st.st_mode))
				untracked_under(ft, workdir, path, names);
			else
				worktree_name_add(names, path);
		}
		/* Files come sorted: their directories are checked once. */
		slash = strrchr(path, '/');
		len = slash == NULL ? 0 : (size_t)(slash - path);
		if (len > 0 && (strlen(checked) != len || strncmp(checked, path, len) != 0)) {
			blocked_above(ft, workdir, path, names);
			snprintf(checked, sizeof(checked), "%.*s", (int)len, path);
		}
	}
	worktree_names_finish(names);
	rc = 0;
out:
	git_diff_free(diff);
	git_tree_free(tt);
	git_commit_free(tc);
	git_tree_free(ft);
	git_commit_free(fc);
	return rc;
}
