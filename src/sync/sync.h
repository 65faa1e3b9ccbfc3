/*
 * Bring CLONE_PATH to the remote tip of one branch: clone it the first
 * time (beside it, then rename into place), fetch and move the work tree
 * after that. Returns an exit status from exitcode.h.
 */
#ifndef SENTRY_SYNC_H
#define SENTRY_SYNC_H

#include "config.h"
#include "ssh_auth.h"

#include <limits.h>

#include <git2.h>

/* How far a sync got, for the message when SYNC_TIMEOUT stops it. */
enum sync_phase { SYNC_PHASE_CONNECT, SYNC_PHASE_FETCH, SYNC_PHASE_CHECKOUT };

struct sync_target {
	const char	*branch;	/* short name: develop */
	volatile int	*phase;		/* enum sync_phase, shared with the parent; may be NULL */
};

/* What a successful sync did, for the services that run after it. */
struct sync_outcome {
	int	cloned;		/* a first clone: there was no old HEAD */
	git_oid	old_head;	/* HEAD before the sync, unless cloned */
	git_oid	new_head;	/* HEAD after it */
	int	forced;		/* old_head is not an ancestor of new_head */
	/* PUBLISH=releases: the release made for new_head, not yet
	 * published; "" when there was nothing new to publish. */
	char	release[NAME_MAX + 1];
};

int	sync_checkout(const struct config *, struct ssh_auth *, const struct sync_target *,
	    struct sync_outcome *);
/* For releases.c: the fetch with its phases, the exit status for its
 * failure, and CLONE_PATH's dirname and basename. */
int	sync_fetch(git_remote *, struct ssh_auth *, const struct sync_target *,
	    const char *message);
int	sync_failure_status(const struct ssh_auth *);
void	sync_split_path(const char *path, char *dir, char *base);
int	sync_origin_is(git_repository *, git_remote **origin, const char *url,
	    const char *path);
/* Remove what a sync that was killed left beside CLONE_PATH. */
void	sync_remove_leftovers(const struct config *);

#endif
