/*
 * The checkout's work tree and branch: what would a sync destroy, and
 * moving both to a commit so that nothing is lost and no step half-done
 * blocks the next sync.
 */
#ifndef SENTRY_WORKTREE_H
#define SENTRY_WORKTREE_H

#include <git2.h>

#define WORKTREE_NAMES_MAX	5	/* paths named in a refusal; the rest counted */

struct worktree_names {
	char	text[512];	/* "a.c, b.c and 3 more" */
	size_t	count;
};

void	worktree_name_add(struct worktree_names *, const char *path);
void	worktree_names_finish(struct worktree_names *);

/* Staged or unstaged changes to tracked files; -1 on a libgit2 error. */
int	worktree_changes(git_repository *, struct worktree_names *);

/* 1 when HEAD or the branch holds commits that neither the remote's
 * previous tip (may be NULL) nor its new one contain. */
int	worktree_unpushed(git_repository *, const char *branch, const git_oid *tip,
	    const git_oid *previous, char *what, size_t whatlen);

/* Files nobody committed (untracked or ignored) where moving from `from`
 * (NULL: nothing) to `to` would write or remove: named in names.
 * -1 on a libgit2 error. */
int	worktree_blocked(git_repository *, const git_oid *from, const git_oid *to,
	    struct worktree_names *);

/* Check the commit out (never over local changes or untracked or ignored
 * files), then point the branch and HEAD at it. An exit status. */
int	worktree_move(git_repository *, const char *branch, const git_oid *);

/* Point the branch and HEAD at a commit whose tree is already checked out. */
int	worktree_point(git_repository *, const char *branch, const git_oid *);

#endif
