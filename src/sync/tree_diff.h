/*
 * What differs between two trees, file by file, walked as git's own
 * tree diff walks: a subtree whose object is the same on both sides is
 * skipped whole. libgit2 1.5.1's git_diff_tree_to_tree reads and
 * compares every entry of both trees however little differs, which at
 * 100,000 files costs tens of milliseconds a call.
 */
#ifndef SENTRY_TREE_DIFF_H
#define SENTRY_TREE_DIFF_H

#include <git2.h>

/* One file (blob, link or gitlink) of path that differs: old is NULL
 * when `to` adds it, new NULL when it goes; a file that becomes a
 * directory, or the reverse, is the file going and the directory's
 * files coming (as libgit2 without GIT_DIFF_INCLUDE_TYPECHANGE). A
 * nonzero return stops the walk and is returned. */
typedef int (*tree_diff_cb)(const char *path, const git_tree_entry *old,
	    const git_tree_entry *new, void *payload);

/* Every such file from `from` (NULL: the empty tree) to `to`, in the
 * trees' order; -1 on a libgit2 error or a path longer than PATH_MAX. */
int	tree_diff(git_repository *, git_tree *from, git_tree *to, tree_diff_cb, void *);

#endif
