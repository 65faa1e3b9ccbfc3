/*
 * Exit statuses of sentry-source and sentry-source-sync, as documented in
 * sentry-source(8). In socket mode the front execs the sync helper after
 * answering, so a connection's exit status is the sync's.
 */
#ifndef SENTRY_EXITCODE_H
#define SENTRY_EXITCODE_H

enum exit_code {
	EXIT_OK = 0,		/* synced, or nothing to do (event ignored) */
	EXIT_SYNC_FAILED = 1,	/* network or git error; checkout unchanged */
	EXIT_REFUSED = 2,	/* request answered with a 4xx */
	EXIT_HOSTKEY = 3,	/* server host key unknown or changed */
	EXIT_AUTH = 4,		/* server refused our key */
	EXIT_NOT_OURS = 5,	/* CLONE_PATH is not our clone, or is modified */
	EXIT_RUN_FAILED = 6,	/* synced, but RUN= failed or timed out */
	EXIT_BUILD_FAILED = 7,	/* BUILD= failed: nothing published (PUBLISH=releases) */
	EXIT_TREE_REFUSED = 8,	/* a fetched tree fails the check: nothing written */
	EXIT_USAGE = 64,	/* bad command line */
	EXIT_NO_STATUS = 66,	/* --status: no sync has run yet (EX_NOINPUT) */
	EXIT_INTERNAL = 70,	/* out of memory, exec failed, I/O error */
	EXIT_UNCHECKED = 75,	/* --check: all it checked passed, but a credential
				 * was out of reach (EX_TEMPFAIL: try where it is) */
	EXIT_CONFIG = 78	/* config file missing or wrong */
};

#endif
