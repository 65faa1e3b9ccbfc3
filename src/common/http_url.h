/*
 * An https:// (or loopback http://) CLONE_URL taken apart: the scheme,
 * the host the token may be sent to, and whether that host is this
 * machine. Shape only: no name is resolved.
 */
#ifndef SENTRY_HTTP_URL_H
#define SENTRY_HTTP_URL_H

#include <stddef.h>

struct http_url {
	int	tls;		/* https */
	char	host[256];	/* without the brackets of [v6] */
	int	port;		/* 443 or 80 when the URL names none */
	int	loopback;	/* localhost, 127.0.0.0/8 or ::1 */
};

/* 1 when url begins with https:// or http://. */
int		 http_url_is(const char *url);
/* NULL and u filled in, or why the URL is not one we take. */
const char	*http_url_parse(const char *url, struct http_url *u);

#endif
