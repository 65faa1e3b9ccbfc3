/*
 * A diff of the two commits' trees, not of the work tree: what the push
 * changed, whatever the checkout holds beside it (untracked, ignored
 * files), by tree_diff, which skips the directories the push left alone.
 * No rename detection: it would only add the old path of a rename, which
 * no longer exists. A file become a symlink is one change, listed once.
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
#include "tree_diff.h"

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
wanted(const struct config *c, const char *path, const git_tree_entry *new)
{
	const char *include = config_get(c, CONFIG_INCLUDE_FILES);
	const char *exclude = config_get(c, CONFIG_EXCLUDE_FILES);
	git_filemode_t mode;

	if (new == NULL)
		return 0;
	/* Files and symlinks; a submodule is a commit, not a file here. */
	mode = git_tree_entry_filemode(new);
	if (mode != GIT_FILEMODE_BLOB && mode != GIT_FILEMODE_BLOB_EXECUTABLE &&
	    mode != GIT_FILEMODE_LINK)
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

struct list {
	const struct config	*c;
	FILE			*f;
	size_t			 count, skipped;
};

static int
write_one(const char *path, const git_tree_entry *old, const git_tree_entry *new,
    void *payload)
{
	struct list *l = payload;

	(void)old;
	if (!wanted(l->c, path, new))
		return 0;
	/* One path a line: a path with a newline cannot be listed. */
	if (strchr(path, '\n') != NULL) {
		l->skipped++;
		return 0;
	}
	if (fprintf(l->f, "%s\n", path) < 0)
		return 1;
	l->count++;
	return 0;
}

int
changes_write(const struct config *c, const struct sync_outcome *o, const char *path,
    size_t *count)
{
	char repo_path[PATH_MAX];
	struct list l = { c, NULL, 0, 0 };
	git_repository *repo = NULL;
	git_tree *old = NULL, *new = NULL;
	int fd, rc = -1, r;

	*count = 0;
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) == -1 ||
	    (l.f = fdopen(fd, "w")) == NULL) {
		log_err("%s: %m", path);
		if (fd != -1)
			close(fd);
		return -1;
	}
	publish_for(c)->repo_path(c, repo_path, sizeof(repo_path));
	if (git_repository_open_ext(&repo, repo_path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0 ||
	    (!o->cloned && commit_tree(c, repo, &o->old_head, &old) == -1) ||
	    commit_tree(c, repo, &o->new_head, &new) == -1 ||
	    (r = tree_diff(repo, old, new, write_one, &l)) < 0) {
		log_err("%s: the changed files: %s", repo_path, last_git_error());
		goto out;
	}
	if (r != 0) {
		log_err("%s: %m", path);
		goto out;
	}
	if (l.skipped > 0)
		log_warning("RUN: %zu changed %s a newline; left out of the list",
		    l.skipped, l.skipped == 1 ? "path holds" : "paths hold");
	*count = l.count;
	rc = 0;
out:
	if (fclose(l.f) == EOF && rc == 0) {
		log_err("%s: %m", path);
		rc = -1;
	}
	git_tree_free(new);
	git_tree_free(old);
	git_repository_free(repo);
	return rc;
}
