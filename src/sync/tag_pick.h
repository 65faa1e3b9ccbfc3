/*
 * TAG=: which tag a sync deploys. A push names its tag; --sync without
 * one deploys the highest tag the glob takes, in version order
 * (strverscmp(3): v1.10 after v1.9). tag_fetch.h fetches it.
 */
#ifndef SENTRY_TAG_PICK_H
#define SENTRY_TAG_PICK_H

#include <stddef.h>

#include "config.h"

struct ssh_auth;

/* The short name of a tag git_remote_ls lists (not its peeled "^{}"
 * line), or NULL. */
const char	*tag_pick_name(const char *ref);

/* 1 when tag a comes after b in version order. */
int		 tag_pick_later(const char *a, const char *b);

/* Of n ref names, how many tags glob takes; the highest in *best (NULL
 * when none). */
size_t		 tag_pick_highest(const char *const *refs, size_t n, const char *glob,
		    const char **best);

/*
 * Ask the remote for its tags, within seconds, and put the highest one
 * glob takes in ref (refs/tags/NAME). An exit status, logged: no such tag
 * is EXIT_SYNC_FAILED, with nothing to deploy.
 */
int		 tag_pick_remote(const struct config *, struct ssh_auth *, const char *glob,
		    unsigned long seconds, char *ref, size_t len);

#endif
