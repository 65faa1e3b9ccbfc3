/*
 * After a sync, what Sentry's services did with the repository: RUN= in
 * CLONE_PATH, told what changed through SENTRY_* variables and files;
 * and ON_FAILURE= after a sync that failed.
 */
#ifndef SENTRY_SERVICES_H
#define SENTRY_SERVICES_H

#include <stddef.h>

#include "config.h"
#include "status.h"
#include "publish.h"

/*
 * Before the sync, and before anything changes the environment (the
 * helper points HOME away for libgit2's sake): check RUN=, INCLUDE_FILES
 * and EXCLUDE_FILES, and keep HOME and XDG_CONFIG_HOME for the command.
 * 0, or -1 with a message naming the file and line in err.
 */
int	services_init(const struct config *, char *err, size_t errlen);

/*
 * Run RUN= (nothing when unset) after a successful sync of ref, with the
 * outcome's old and new HEAD and, when payload_fd >= 0, the request body
 * that fd holds from offset 0. EXIT_OK, or EXIT_RUN_FAILED once logged
 * (EXIT_CONFIG for a RUN= that services_init would have refused).
 */
int	services_run(const struct config *, const char *ref, const struct sync_outcome *,
	    int payload_fd);

/*
 * PUBLISH=releases: run BUILD= (nothing when unset) in the release at
 * path, before it is published, as RUN= runs, with SENTRY_RELEASE_PATH.
 * EXIT_OK, or EXIT_BUILD_FAILED once logged.
 */
int	services_build(const struct config *, const char *ref, const struct sync_outcome *,
	    int payload_fd, const char *path);

/*
 * After a sync that failed (st->exit not 0), run ON_FAILURE= (nothing
 * when unset) with the status in its environment. Failures are logged.
 */
void	services_notify(const struct config *, const struct status *st);

#endif
