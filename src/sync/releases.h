/*
 * PUBLISH=releases: CLONE_PATH is a symbolic link, NAME ->
 * NAME.releases/TIME-COMMIT, to one complete release directory beside
 * it; publishing is one rename(2) of a new link over the old one. The
 * repository is NAME.releases/repo.git, bare, shared by every release.
 * See Releases in sentry-source(8).
 */
#ifndef SENTRY_RELEASES_H
#define SENTRY_RELEASES_H

#include <stddef.h>

#include "config.h"
#include "ssh_auth.h"
#include "status_record.h"
#include "sync.h"

#define RELEASES_SUFFIX	".releases"
#define RELEASES_REPO	"repo.git"
/* A release's name: 20261130T180834.123456Z-<40 hex>, the time it was
 * made (UTC, microseconds) and its commit. */
#define RELEASES_NAME_LEN	(23 + 1 + 40)

/* The rules on names, pure: is s a release's name; qsort(3)'s order of
 * names, oldest first; which of n names, sorted, a publish with
 * KEEP_RELEASES=keep removes when live is live (drop[i] set for each; the
 * count returned). */
int	releases_is_name(const char *s);
int	releases_by_name(const void *, const void *);
size_t	releases_prune_pick(const char (*names)[RELEASES_NAME_LEN + 1], size_t n,
	    unsigned long keep, const char *live, unsigned char *drop);

/* The repository a sync fetches into: CLONE_PATH when in place. */
void	releases_repo_path(const struct config *, char *buf, size_t len);

/* The live commit (what CLONE_PATH shows) and its branch, "" when none;
 * status_head's answer when in place. */
void	releases_head(const struct config *, char oid[STATUS_OID_LEN + 1], char *branch,
	    size_t len);

/* Is this link one a PUBLISH=releases sync made? */
int	releases_is_link(const char *clone_path);

/*
 * In the sync's child, under SYNC_TIMEOUT: refuse what is not ours, fetch,
 * and check the tip out completely into a release under a temporary
 * name; out->release names it ("" when the tip is what was published).
 * An exit status from exitcode.h.
 */
int	releases_prepare(const struct config *, struct ssh_auth *, const struct sync_target *,
	    struct sync_outcome *);

/*
 * After it, under the lock: BUILD= in the new release (EXIT_BUILD_FAILED
 * and nothing published when it fails), then the switch of CLONE_PATH,
 * then the releases beyond KEEP_RELEASES go.
 */
int	releases_publish(const struct config *, const char *ref, const char *branch,
	    const struct sync_outcome *, int payload_fd);

/* --rollback (under the lock) and --releases: print to stdout. */
int	releases_rollback(const struct config *);
int	releases_list(const struct config *);

/* What a sync killed half-way left: an unfinished release, a link. */
void	releases_remove_leftovers(const struct config *);

/* The live release's directory, for RUN='s SENTRY_RELEASE_PATH; -1 when none. */
int	releases_live_path(const struct config *, char *buf, size_t len);

#endif
