/*
 * The front's modes, each a function of a loaded, checked config that
 * returns the process's exit status (or does not return: it execs the
 * sync helper).
 */
#ifndef SENTRY_FRONT_H
#define SENTRY_FRONT_H

#include "config.h"
#include "signature.h"
#include "source.h"

struct deployment {
	const struct config	*config;
	const struct source	*source;
	struct source_rule	 rule;
	struct secret		 secret;	/* none: unsigned requests pass */
	size_t			 max_body;
	int			 request_seconds;
	int			 path_chosen;	/* --config-dir: the path named it */
};

/* What the helper is asked to do. */
struct sync_call {
	const struct push	*push;		/* NULL: the branch checked out */
	const char		*body;		/* the request body, for RUN= */
	size_t			 body_len;
	int			 detach;	/* hook mode: log to syslog */
	int			 check;		/* --check: try, do not sync */
	const char		*mode;		/* for the record; NULL: sync */
	const char		*command;	/* --rollback, --releases: only that */
	int			 resume;	/* --resume: publish past a rollback */
};

/* One connection's request, for a deployment chosen after its head. */
struct serve_conn {
	struct http_conn	 conn;
	struct http_request	*req;
	char			 peer[HTTP_PEER_NAME_BYTES];	/* for the log */
	int			 status;	/* of the head: 0 when it may go on */
};

int	serve_connection(const struct deployment *);
int	serve_begin(struct serve_conn *, int seconds);
int	serve_finish(struct serve_conn *, const struct deployment *);
int	serve_refuse(struct serve_conn *, int status, const char *why);
void	serve_misconfigured(void);
int	post_receive(const struct deployment *);
int	exec_sync(const struct deployment *, const struct sync_call *);
/* 0 when the helper exec_sync would run is there and executable; -1
 * with the path and the reason in why. */
int	exec_sync_ready(char *why, size_t len);

#endif
