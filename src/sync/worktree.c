#include <stdio.h>
#include <string.h>

#include "bounds.h"
#include "exitcode.h"
#include "git_error.h"
#include "log.h"
#include "worktree.h"

#define REFLOG_MESSAGE	"sentry-source: sync"

static void
add_name(struct worktree_names *n, const char *path)
{
	size_t len = strlen(n->text);

	if (n->count++ < WORKTREE_NAMES_MAX)
		snprintf(n->text + len, sizeof(n->text) - len, "%s%s", len ? ", " : "", path);
}

static void
finish_names(struct worktree_names *n)
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
			add_name(names, e->head_to_index ? e->head_to_index->new_file.path :
			    e->index_to_workdir->new_file.path);
	}
	git_status_list_free(list);
	finish_names(names);
	return 0;
}

int
worktree_holds(git_repository *repo, const git_oid *commit_id)
{
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	git_diff *diff = NULL;
	int holds = 0;

	if (git_commit_lookup(&commit, repo, commit_id) == 0 &&
	    git_commit_tree(&tree, commit) == 0 &&
	    git_diff_tree_to_workdir_with_index(&diff, repo, tree, NULL) == 0)
		holds = git_diff_num_deltas(diff) == 0;
	git_diff_free(diff);
	git_tree_free(tree);
	git_commit_free(commit);
	return holds;
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
	add_name(payload, path);
	return 0;
}

/*
 * Work tree first, refs second: a refused checkout leaves HEAD where it
 * was, and one interrupted before the refs moved is finished by the next
 * sync (see worktree_holds).
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
		finish_names(&conflicts);
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
