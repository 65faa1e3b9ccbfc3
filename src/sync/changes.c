/*
 * A diff of the two commits' trees, not of the work tree: what the push
 * changed, whatever the checkout holds beside it (untracked, ignored
 * files). No rename detection: it would only add the old path of a
 * rename, which no longer exists.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <git2.h>

#include "changes.h"
#include "git_error.h"
#include "log.h"
#include "pathglob_match.h"
#include "publish.h"
#include "subdir.h"

/* Is any directory of the path, or its name, ".git"? Git refuses such
 * paths in a tree; a crafted one must still not reach the command. */
static int
in_dot_git(const char *path)
{
	const char *p = path;

	for (;;) {
		/* .GIT too: the same directory where case does not count. */
		if (strncasecmp(p, ".git", 4) == 0 && (p[4] == '\0' || p[4] == '/'))
			return 1;
		if ((p = strchr(p, '/')) == NULL)
			return 0;
		p++;
	}
}

static int
wanted(const struct config *c, const git_diff_delta *d)
{
	const char *path = d->new_file.path;
	const char *include = config_get(c, CONFIG_INCLUDE_FILES);
	const char *exclude = config_get(c, CONFIG_EXCLUDE_FILES);

	if (d->status == GIT_DELTA_DELETED)
		return 0;
	/* Files and symlinks; a submodule is a commit, not a file here. */
	if (d->new_file.mode != GIT_FILEMODE_BLOB &&
	    d->new_file.mode != GIT_FILEMODE_BLOB_EXECUTABLE &&
	    d->new_file.mode != GIT_FILEMODE_LINK)
		return 0;
	if (in_dot_git(path))
		return 0;
	if (include != NULL && !pathglob_list_match(include, path))
		return 0;
	return exclude == NULL || !pathglob_list_match(exclude, path);
}

/*
 * The commit's tree, or with SUBDIR the directory a release holds, so
 * that the paths are relative to it; an old commit without that
 * directory is nothing (*tree NULL): all of the new one is new.
 */
static int
commit_tree(const struct config *c, git_repository *repo, const git_oid *id,
    git_tree **tree)
{
	char why[PATH_MAX + 64];

	return subdir_tree(repo, id, config_get(c, CONFIG_SUBDIR), tree, why,
	    sizeof(why)) == -1 ? -1 : 0;
}

static int
write_list(const struct config *c, git_diff *diff, FILE *f, size_t *count)
{
	const git_diff_delta *d;
	size_t i, n = git_diff_num_deltas(diff), skipped = 0;

	*count = 0;
	for (i = 0; i < n; i++) {
		d = git_diff_get_delta(diff, i);
		if (!wanted(c, d))
			continue;
		/* One path a line: a path with a newline cannot be listed. */
		if (strchr(d->new_file.path, '\n') != NULL) {
			skipped++;
			continue;
		}
		if (fprintf(f, "%s\n", d->new_file.path) < 0)
			return -1;
		(*count)++;
	}
	if (skipped > 0)
		log_warning("RUN: %zu changed paths hold a newline; left out of the list", skipped);
	return 0;
}

int
changes_write(const struct config *c, const struct sync_outcome *o, const char *path,
    size_t *count)
{
	char repo_path[PATH_MAX];
	git_diff_options opts;
	git_repository *repo = NULL;
	git_tree *old = NULL, *new = NULL;
	git_diff *diff = NULL;
	FILE *f = NULL;
	int fd, rc = -1;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) == -1 ||
	    (f = fdopen(fd, "w")) == NULL) {
		log_err("%s: %m", path);
		if (fd != -1)
			close(fd);
		return -1;
	}
	publish_for(c)->repo_path(c, repo_path, sizeof(repo_path));
	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	/* A file become a symlink is one change, listed once. */
	opts.flags = GIT_DIFF_INCLUDE_TYPECHANGE;
	if (git_repository_open_ext(&repo, repo_path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0 ||
	    (!o->cloned && commit_tree(c, repo, &o->old_head, &old) == -1) ||
	    commit_tree(c, repo, &o->new_head, &new) == -1 ||
	    git_diff_tree_to_tree(&diff, repo, old, new, &opts) < 0) {
		log_err("%s: the changed files: %s", repo_path, last_git_error());
		goto out;
	}
	if (write_list(c, diff, f, count) == -1) {
		log_err("%s: %m", path);
		goto out;
	}
	rc = 0;
out:
	if (fclose(f) == EOF && rc == 0) {
		log_err("%s: %m", path);
		rc = -1;
	}
	git_diff_free(diff);
	git_tree_free(new);
	git_tree_free(old);
	git_repository_free(repo);
	return rc;
}
