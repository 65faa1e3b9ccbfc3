/*
 * Before a checkout writes: no directory above a path it writes may be a
 * link, in the tree it checks out or in the work tree. libgit2 1.5.1
 * makes those directories with stat(2) and mkdir(2), so a link there is
 * followed and the file lands wherever the link points: above the work
 * tree, or in .git/hooks.
 */
#ifndef SENTRY_LINKS_H
#define SENTRY_LINKS_H

#include <git2.h>

#include "namelist.h"

/*
 * For every path that moving the work tree dir from the tree `from`
 * (NULL: nothing) to `to` writes, every directory above it must be, in
 * dir, a directory, absent, a file, or a link that `from` holds as this
 * very link (libgit2 removes it before it makes the directory); any other
 * link is named in links. Nothing is written. -1 on a libgit2 or system
 * error. That `to` itself holds no link and directory of one name is
 * the tree check's (tree_check.h), which runs first.
 */
int	links_check(git_repository *, git_tree *from, git_tree *to, const char *dir,
	    struct namelist *links);

#endif
