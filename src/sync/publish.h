/*
 * How CLONE_PATH shows a commit, as PUBLISH= says: in place, a work tree
 * moved from commit to commit (inplace.c), or releases, a link to one
 * complete directory per commit (releases.c). publish_for() chooses once;
 * no other file asks which. A third layout is one more file and one more
 * line in publish.c's table.
 *
 * A sync is: prepare (in a child, under SYNC_TIMEOUT), then make_live
 * (under the lock, past the deadline: BUILD= has RUN_TIMEOUT), then RUN=.
 */
#ifndef SENTRY_PUBLISH_H
#define SENTRY_PUBLISH_H

#include <limits.h>
#include <stddef.h>

#include <git2.h>

#include "config.h"
#include "status_record.h"

struct ssh_auth;

/* How far a sync got, for the message when SYNC_TIMEOUT stops it. */
enum sync_phase { SYNC_PHASE_CONNECT, SYNC_PHASE_FETCH, SYNC_PHASE_CHECKOUT };

struct sync_target {
	const char	*branch;	/* short name: develop */
	const char	*tag;		/* TAG=: the tag, and branch is named so */
	volatile int	*phase;		/* enum sync_phase, shared with the parent; may be NULL */
	int		 resume;	/* --resume: publish the tip past a rollback */
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
	/* PUBLISH=releases: nothing published because a rollback pins the
	 * live release, and the remote's tip, which --resume publishes. */
	int	pinned;
	git_oid	remote;
	int	resumed;	/* release is published by --resume */
};

/* --check's line: status from exitcode.h, EXIT_OK for "ok". */
typedef void publish_report(int status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

struct publish {
	const char	*name;		/* PUBLISH='s value */
	/*
	 * In the sync's child, under SYNC_TIMEOUT: refuse what is not ours,
	 * fetch, check the tip's trees, put the tip on disk; out starts
	 * zeroed. An exit status from exitcode.h.
	 */
	int	(*prepare)(const struct config *, struct ssh_auth *,
		    const struct sync_target *, struct sync_outcome *out);
	/* Under the lock, after prepare succeeded: make what it prepared
	 * what CLONE_PATH shows. An exit status. */
	int	(*make_live)(const struct config *, const char *ref, const char *branch,
		    const struct sync_outcome *, int payload_fd);
	/* The commit CLONE_PATH shows and, when branch is not NULL, its
	 * branch; "" when none. */
	void	(*live)(const struct config *, char oid[STATUS_OID_LEN + 1], char *branch,
		    size_t len);
	/* The live directory when it is not CLONE_PATH itself (a release,
	 * for SENTRY_RELEASE_PATH): 0, or -1 when there is none. */
	int	(*live_path)(const struct config *, char *buf, size_t len);
	/* The repository a sync fetches into. */
	void	(*repo_path)(const struct config *, char *buf, size_t len);
	/* What a sync killed half-way left, under the lock. */
	void	(*remove_leftovers)(const struct config *);
	/* --check's findings about CLONE_PATH. */
	void	(*check)(const struct config *, publish_report *);
	/* 1 when clone_path is laid out this way, with what it is in what;
	 * NULL for a layout that nothing else could take for its own. */
	int	(*shows)(const char *clone_path, char *what, size_t len);
	/* --rollback [target] (under the lock; target NULL for the one
	 * before) and --releases, printing to stdout; NULL where the layout
	 * keeps no older commits. */
	int	(*rollback)(const struct config *, const char *target);
	int	(*list)(const struct config *);
};

const struct publish	*publish_for(const struct config *);

/* Another layout than c's that clone_path has, with what in what; NULL
 * when none: a sync never converts one into the other. */
const struct publish	*publish_other(const struct config *c, char *what, size_t len);

#endif
