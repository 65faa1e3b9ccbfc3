/*
 * Where the work tree is going: before a sync moves the work tree, it
 * records the commit it leaves and the commit it goes to, in one small
 * file in the repository (INTENT_NAME, renamed into place). A sync that
 * dies in the middle of the move (kill -9, SYNC_TIMEOUT, a power loss)
 * leaves the record, and the next sync finishes the move, provided every
 * path that differs from one of the two trees holds the other.
 */
#ifndef SENTRY_INTENT_H
#define SENTRY_INTENT_H

#include <git2.h>

#define INTENT_NAME	"sentry-source-move"

/* Record the move of branch from `from` (NULL: an unborn HEAD) to `to`,
 * durably; 0, or -1 logged. */
int	intent_record(git_repository *, const char *branch, const git_oid *from,
	    const git_oid *to);
/* The move is done: forget it. */
void	intent_clear(git_repository *);
/* Finish a move a dead sync left, if any, or move back from one that
 * cannot be finished. An exit status: EXIT_OK when
 * there was none, or it was finished, or it no longer fits HEAD (then it
 * is dropped); EXIT_NOT_OURS when the work tree holds anything else. */
int	intent_finish(git_repository *, const char *clone_path);

#endif
