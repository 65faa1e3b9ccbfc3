/*
 * What both layouts do with the remote (publish.h): fetch the branch,
 * with the phases SYNC_TIMEOUT's message names, find its tip, tell a
 * forced update, and the exit status of a failed fetch.
 */
#ifndef SENTRY_FETCH_H
#define SENTRY_FETCH_H

#include <git2.h>

#include "publish.h"

/* Say how far the sync got, for SYNC_TIMEOUT's message. */
void	fetch_phase(const struct sync_target *, enum sync_phase);

/* Connect, then fetch origin's branches (pruned). 0, or -1 as libgit2. */
int	fetch_origin(git_remote *, struct ssh_auth *, const struct sync_target *,
	    const char *message);

/*
 * Into an existing repository: the leftovers of a killed fetch go, origin
 * is fetched, and tip is the tip of refs/remotes/origin/BRANCH. EXIT_OK,
 * or an exit status once logged; kept says what stays when the branch is
 * gone ("the checkout is kept as it is").
 */
int	fetch_tip(git_repository *, git_remote *, struct ssh_auth *,
	    const struct sync_target *, const char *where, const char *kept, git_oid *tip);

/* The exit status of a failed fetch: a host key, a key, or the rest. */
int	fetch_failure_status(const struct ssh_auth *);

/* A repository whose origin is CLONE_URL: 0 with *origin, or -1, logged. */
int	fetch_origin_is(git_repository *, git_remote **origin, const char *url,
	    const char *path);

/* old is not an ancestor of tip: a force push or a rewind. */
int	fetch_forced(git_repository *, const git_oid *old, const git_oid *tip);

/* dirname and basename of an absolute path that config.c checked. */
void	fetch_split_path(const char *path, char *dir, char *base);

#endif
