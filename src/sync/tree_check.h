/*
 * What a sync is about to write, checked before anything is: every tree
 * the move from one commit to another writes, as git's fsck checks trees
 * (tree_entry.h). A commit pushed by a contributor may hold trees that
 * git's porcelain never makes (git mktree, fast-import) and that a host
 * with receive.fsckObjects off accepts: two entries of one name, .git in
 * another spelling, "..", a name no file system takes. Written, they
 * would put files through a link, into .git, or stop the checkout half
 * way.
 */
#ifndef SENTRY_TREE_CHECK_H
#define SENTRY_TREE_CHECK_H

#include <limits.h>

#include <git2.h>

#include "tree_entry.h"

struct tree_refusal {
	char			 commit[GIT_OID_HEXSZ + 1];
	char			 path[PATH_MAX];	/* as in the tree, not escaped */
	enum tree_problem	 why;
};

/*
 * The trees of commit to that moving from commit from (NULL: from
 * nothing, as a first clone or a release) writes under a directory whose
 * path is root_len bytes long: 0 when every one passes, 1 with *r filled
 * when one is refused, -1 on a libgit2 error (git_error_last).
 */
int	tree_check(git_repository *, const git_oid *from, const git_oid *to,
	    size_t root_len, struct tree_refusal *r);

/*
 * tree_check, logged for a sync of where (CLONE_PATH, or the release):
 * EXIT_OK, EXIT_TREE_REFUSED or EXIT_SYNC_FAILED.
 */
int	tree_check_sync(git_repository *, const git_oid *from, const git_oid *to,
	    const char *root, const char *where);

/* path, escaped for a log line: bytes outside 0x20-0x7e and the
 * backslash as \xNN; cut, with "...", to fit len. */
void	tree_path_escape(const char *path, char *buf, size_t len);

#endif
