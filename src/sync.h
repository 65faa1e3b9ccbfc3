/*
 * Bring CLONE_PATH to the remote tip of one branch: clone it the first
 * time (beside it, then rename into place), fetch and move the work tree
 * after that. Returns an exit status from exitcode.h.
 */
#ifndef SENTRY_SYNC_H
#define SENTRY_SYNC_H

#include "config.h"
#include "ssh_auth.h"

struct sync_target {
	const char	*branch;	/* short name: develop */
};

int	sync_checkout(const struct config *, struct ssh_auth *, const struct sync_target *);

#endif
