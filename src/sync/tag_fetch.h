/*
 * TAG=: fetching the tag a sync deploys (tag_pick.h chooses it). The tag
 * is fetched alone, into refs/tags/NAME, and its commit (an annotated tag
 * peeled) becomes refs/remotes/origin/NAME, where both layouts look for
 * a branch's tip: the checkout then follows a local branch named like
 * the tag.
 */
#ifndef SENTRY_TAG_FETCH_H
#define SENTRY_TAG_FETCH_H

#include <git2.h>

#include "publish.h"

struct ssh_auth;

/* fetch_origin for a tag: fetch t->tag alone, say when it moved (a
 * forced update), and point refs/remotes/origin/<tag> at its commit.
 * 0, or -1 as libgit2 (a tag that is gone or names no commit set too). */
int	tag_fetch(git_remote *, struct ssh_auth *, const struct sync_target *,
	    const char *message);

#endif
