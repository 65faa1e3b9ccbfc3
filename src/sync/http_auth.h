/*
 * The sync's HTTPS credentials and certificate check, as libgit2
 * callbacks: HTTP_USER and the token of HTTP_TOKEN_FILE, sent to
 * CLONE_URL's host only, once; the server's certificate checked against
 * CA_FILE or the system's CAs by libgit2 (mbedTLS), never overridden.
 */
#ifndef SENTRY_HTTP_AUTH_H
#define SENTRY_HTTP_AUTH_H

#include <git2.h>

#include "config.h"
#include "http_url.h"

/* Where Debian's ca-certificates puts the system's CAs in one file:
 * Debian's libgit2 1.5.1 is built with no default, and so trusts no CA
 * until told. */
#define HTTP_SYSTEM_CA_FILE	"/etc/ssl/certs/ca-certificates.crt"

enum http_failure {
	HTTP_FAILURE_NONE,
	HTTP_FAILURE_CERT,	/* the certificate is not trusted */
	HTTP_FAILURE_AUTH	/* 401: no token, or the token refused */
};

struct http_auth {
	const char		*user;
	char			*token;		/* wiped before it is freed */
	const char		*ca_file;	/* CA_FILE, or the system's */
	int			 system_ca;	/* no CA_FILE */
	struct http_url		 url;
	int			 attempts;
	enum http_failure	 failure;
};

#define HTTP_AUTH_INIT { NULL, NULL, NULL, 0, { 0, "", 0, 0 }, 0, HTTP_FAILURE_NONE }

/* After git_libgit2_init: the token read, the CAs set for libgit2. */
int	http_auth_load(struct http_auth *, const struct config *, char *err, size_t errlen);
void	http_auth_free(struct http_auth *);
void	http_auth_callbacks(struct http_auth *, git_remote_callbacks *);
/* After a failed connect or fetch: libgit2's message in plain words
 * (bad token, unknown CA, not found, unreachable). */
void	http_auth_explain(struct http_auth *);
/* The exit status of a failed connect or fetch. */
int	http_auth_status(const struct http_auth *);

#endif
