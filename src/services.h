/*
 * After a sync, what Sentry's services did with the repository: RUN= in
 * CLONE_PATH, told what changed through SENTRY_* variables and files.
 */
#ifndef SENTRY_SERVICES_H
#define SENTRY_SERVICES_H

#include "config.h"
#include "sync.h"

/*
 * Run RUN= (nothing when unset) after a successful sync of ref, with the
 * outcome's old and new HEAD and, when payload_fd >= 0, the request body
 * that fd holds. EXIT_OK, or EXIT_RUN_FAILED once logged.
 */
int	services_run(const struct config *, const char *ref, const struct sync_outcome *,
	    int payload_fd);

#endif
