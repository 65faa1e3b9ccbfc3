/*
 * --status: the record the helper left beside the checkout
 * (status_record.h), read strictly and printed for people or as one JSON
 * object. The front reads it, not the helper: it is the program people
 * and monitoring run, it starts without libgit2 (milliseconds, for a
 * check run every minute), and it has cJSON to write JSON that is valid
 * whatever bytes a branch or a message holds.
 */
#ifndef SENTRY_STATUS_PRINT_H
#define SENTRY_STATUS_PRINT_H

#include <stddef.h>

#include "config.h"
#include "status_record.h"

struct status_record {
	long long	time;
	long long	duration_ms;
	const char	*mode;			/* STATUS_MODE_* */
	char		branch[STATUS_TEXT_MAX];
	size_t		branch_len;
	char		pushed[STATUS_OID_LEN + 1];	/* "" when none */
	char		old[STATUS_OID_LEN + 1];
	char		new[STATUS_OID_LEN + 1];
	int		status;
	char		message[STATUS_TEXT_MAX];
	size_t		message_len;
	int		pinned;		/* 0 in a version 1 record */
	char		remote[STATUS_OID_LEN + 1];	/* "" when not known */
	char		ref[STATUS_TEXT_MAX];	/* "" in a version 1 or 2 record */
	size_t		ref_len;
};

/* A pure function of the bytes: 0, or -1 with why in err. */
int	status_parse(const char *buf, size_t len, struct status_record *, char *err,
	    size_t errlen);

#define STATUS_NONE	"no sync has run yet"
/* What status_read says went wrong: a path and a reason. */
#define STATUS_ERR_MAX	(4096 + 256)

/* The record of the deployment's checkout: EXIT_OK; EXIT_NO_STATUS when
 * there is none yet, or EXIT_INTERNAL when it cannot be read, with why in
 * err. */
int	status_read(const struct config *, struct status_record *, char *err,
	    size_t errlen);

/* Print the record of the deployment's checkout; the exit status is the
 * last sync's, EXIT_NO_STATUS when there is none yet, EXIT_INTERNAL when
 * it cannot be read. The JSON names the deployment (NULL: null) and
 * CLONE_PATH first. */
int	status_print(const struct config *, const char *deployment, int json);

/* --config-dir: one line for deployment name, for people or as JSON,
 * and its exit status as status_print's. c NULL: its config could not
 * be read, for why, with status. */
int	status_print_named(const struct config *c, const char *name, int status,
	    const char *why, int json);

#endif
