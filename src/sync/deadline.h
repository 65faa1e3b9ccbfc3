/*
 * libgit2 1.5.1 has no network timeout: a server that accepts and then
 * says nothing would hold a sync forever. The layout's prepare runs in a
 * child that is killed at SYNC_TIMEOUT; what it left is what a kill -9
 * leaves, and the layout's remove_leftovers handles both.
 */
#ifndef SENTRY_DEADLINE_H
#define SENTRY_DEADLINE_H

#include "config.h"
#include "publish.h"

/* publish_for(c)->prepare, within SYNC_TIMEOUT. An exit status. */
int	deadline_prepare(const struct config *, struct ssh_auth *, const struct sync_target *,
	    struct sync_outcome *);

#endif
