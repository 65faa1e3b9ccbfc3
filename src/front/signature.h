/*
 * Is this request from the host that knows our secret? HMAC-SHA256 or a
 * token, as the source declares, over the body's bytes as received.
 */
#ifndef SENTRY_SIGNATURE_H
#define SENTRY_SIGNATURE_H

#include <stddef.h>

#include "http.h"
#include "source.h"

struct secret {
	unsigned char	*bytes;		/* the file's first line */
	size_t		 len;
};

#define SECRET_INIT { NULL, 0 }

/* 0, or -1 with a message in err. */
int	secret_load(struct secret *, const char *path, char *err, size_t errlen);
void	secret_free(struct secret *);

/* 0 when the request is signed with the secret; 401 with why otherwise. */
int	signature_verify(const struct source_signature *, const struct secret *,
	    const struct http_request *, char *why, size_t whylen);

#endif
