/*
 * The checkout's work tree and branch: what would a sync destroy, and
 * moving both to a commit so that nothing is lost and no step half-done
 * blocks the next sync.
 */
#ifndef SENTRY_WORKTREE_H
#define SENTRY_WORKTREE_H

#include <limits.h>

#include <git2.h>

#include "namelist.h"

/* Staged or unstaged changes to tracked files; -1 on a libgit2 error. */
int	worktree_changes(git_repository *, struct namelist *);

/* 1 when HEAD or the branch holds commits that neither the remote's
 * previous tip (may be NULL) nor its new one contain. */
int	worktree_unpushed(git_repository *, const char *branch, const git_oid *tip,
	    const git_oid *previous, char *what, size_t whatlen);

/* Files nobody committed (untracked or ignored) where moving from `from`
 * (NULL: nothing) to `to` would write or remove, a link among them:
 * named in names, never what lies behind a link. -1 on a libgit2 or
 * system error. */
int	worktree_blocked(git_repository *, const git_oid *from, const git_oid *to,
	    struct namelist *);

/* Check the commit out (never over local changes or untracked or ignored
 * files), then point the branch and HEAD at it. An exit status; *intact
 * is 1 unless the work tree was left neither here nor there (a failed
 * checkout that could not be moved back either). */
int	worktree_move(git_repository *, const char *branch, const git_oid *, int *intact);

/* worktree_checkout's status for a checkout that failed after it may
 * have written: never an exit status of the program. */
#define EXIT_CHECKOUT_FAILED	(-1)

/* The work tree from the tree `from` (NULL: nothing) to `to`: force
 * overwrites what differs (with `from` as the baseline), else a change
 * nobody committed is refused, and only the paths where the two trees
 * differ are looked at (worktree_changes has seen the rest); links are
 * cleared first (links.h). An exit status, logged, what naming `to` in
 * the messages. */
int	worktree_checkout(git_repository *, git_tree *from, git_tree *to, int force,
	    const char *what);

/* Back from a failed checkout of `to` to `from` (NULL: nothing), forced:
 * 0, or -1 logged. */
int	worktree_roll_back(git_repository *, git_tree *from, git_tree *to, const char *what);

/* The tree of a commit; -1 on a libgit2 error. */
int	worktree_tree(git_repository *, const git_oid *commit, git_tree **);

/* Point the branch and HEAD at a commit whose tree is already checked out. */
int	worktree_point(git_repository *, const char *branch, const git_oid *);

#endif
