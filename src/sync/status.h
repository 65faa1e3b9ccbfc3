/*
 * What each sync leaves to be asked about: the status record beside the
 * checkout (status_record.h), read by sentry-source --status, and the
 * METRICS_FILE (metrics.h). Written under the checkout's lock.
 */
#ifndef SENTRY_STATUS_H
#define SENTRY_STATUS_H

#include <time.h>

#include "clock.h"
#include "config.h"
#include "peer_limits.h"
#include "status_record.h"

struct status {
	const char	*mode;		/* STATUS_MODE_* */
	const char	*branch;	/* the branch synced; NULL: not known, or a tag */
	const char	*ref;		/* its full ref (refs/tags/v1.10); NULL: not known */
	char		 pushed[STATUS_OID_LEN + 1];	/* the event's new commit, or "" */
	char		 old[STATUS_OID_LEN + 1];	/* HEAD before, or "": none */
	int		 have_old;	/* old was read before the sync */
	/* PUBLISH=releases: a rollback pins the live release; the remote's
	 * tip then, or "" when not known. */
	int		 pinned;
	char		 remote[STATUS_OID_LEN + 1];
	long		 started_ms;	/* clock_ms() at the start */
	/* Filled by status_report: */
	time_t		 time;
	long		 duration_ms;
	char		 new[STATUS_OID_LEN + 1];	/* HEAD after, or "" */
	char		 head_branch[LIMIT_REF_BYTES];	/* HEAD's branch after, or "" */
	int		 exit;
	char		 message[STATUS_TEXT_MAX];
};

#define STATUS_INIT(m)		{ .mode = (m), .started_ms = clock_ms() }

/* The STATUS_MODE_* named, or NULL. */
const char	*status_mode(const char *name);

/* HEAD of the checkout at path: its commit ("" when there is none) and,
 * when branch is not NULL, the branch it names ("" when detached). */
void	status_head(const char *path, char oid[STATUS_OID_LEN + 1], char *branch,
	    size_t len);

/*
 * The sync ended with exit status rc: complete st (for ON_FAILURE too)
 * and, when the checkout's lock is held, replace the record and, when
 * METRICS_FILE is set, the metrics. Problems are logged as warnings:
 * they do not change the sync's status.
 */
void	status_report(const struct config *, struct status *st, int rc, int locked);

#endif
