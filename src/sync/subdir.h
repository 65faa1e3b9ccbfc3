/*
 * SUBDIR=: a release holds one directory of the commit's tree. Its path
 * is the owner's (shared_config.c checked its shape), but what it names
 * is the push's: a commit may lack it, or hold a file or a link there.
 */
#ifndef SENTRY_SUBDIR_H
#define SENTRY_SUBDIR_H

#include <stddef.h>

#include <git2.h>

/*
 * The tree a release of commit holds: the commit's own when subdir is
 * NULL, else the directory subdir names. 0 with *tree; 1 when the
 * commit holds no directory there, with the reason in why; -1 on a
 * libgit2 error.
 */
int	subdir_tree(git_repository *, const git_oid *commit, const char *subdir,
	    git_tree **tree, char *why, size_t whylen);

#endif
