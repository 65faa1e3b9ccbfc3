/*
 * The directory is looked up in the tree, never on disk: what a release
 * holds is decided before a file is written, and a link in the tree is
 * refused rather than followed.
 */
#include <stdio.h>

#include "subdir.h"

int
subdir_tree(git_repository *repo, const git_oid *commit_id, const char *subdir,
    git_tree **tree, char *why, size_t whylen)
{
	git_commit *commit = NULL;
	git_tree *root = NULL;
	git_tree_entry *e = NULL;
	int rc = -1, error;

	*tree = NULL;
	if (git_commit_lookup(&commit, repo, commit_id) < 0 ||
	    git_commit_tree(&root, commit) < 0)
		goto out;
	if (subdir == NULL) {
		*tree = root;
		root = NULL;
		rc = 0;
		goto out;
	}
	/* bypath stops at a file or a link on the way: GIT_ENOTFOUND. */
	if ((error = git_tree_entry_bypath(&e, root, subdir)) < 0) {
		if (error == GIT_ENOTFOUND) {
			snprintf(why, whylen, "it has no directory %s", subdir);
			git_error_clear();
			rc = 1;
		}
		goto out;
	}
	switch (git_tree_entry_filemode(e)) {
	case GIT_FILEMODE_TREE:
		rc = git_tree_lookup(tree, repo, git_tree_entry_id(e)) < 0 ? -1 : 0;
		goto out;
	case GIT_FILEMODE_LINK:
		snprintf(why, whylen, "%s is a symbolic link, not a directory", subdir);
		break;
	case GIT_FILEMODE_COMMIT:
		snprintf(why, whylen, "%s is a submodule, not a directory", subdir);
		break;
	default:
		snprintf(why, whylen, "%s is a file, not a directory", subdir);
		break;
	}
	rc = 1;
out:
	git_tree_entry_free(e);
	git_tree_free(root);
	git_commit_free(commit);
	return rc;
}
