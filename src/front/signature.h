/*
 * Is this request from the host that knows our secret? HMAC-SHA256 or a
 * token, as the source declares, over the body's bytes as received.
 */
#ifndef SENTRY_SIGNATURE_H
#define SENTRY_SIGNATURE_H

#include <stddef.h>

#include "http.h"
#include "source.h"

/*
 * SECRET_FILE holds one secret a line, at most SECRET_MAX: the one in
 * use and, while it is rotated, the next (or the one before). A request
 * signed with either is taken, so the host can be changed at any time
 * between adding the new line and removing the old.
 */
#define SECRET_MAX	2

struct secret_key {
	const unsigned char	*bytes;	/* in struct secret's buffer */
	size_t			 len;
};

struct secret {
	unsigned char		*bytes;	/* the file as read; NULL: none */
	size_t			 size;
	struct secret_key	 key[SECRET_MAX];
	size_t			 n;	/* 1 or 2 once loaded */
};

#define SECRET_INIT { NULL, 0, { { NULL, 0 } }, 0 }

/* 0, or -1 with a message in err. */
int	secret_load(struct secret *, const char *path, char *err, size_t errlen);
/* The file's bytes, taken over (freed, wiped, on error too): 0, or -1
 * with why in err (no path: the caller adds it). */
int	secret_parse(struct secret *, unsigned char *buf, size_t len, char *err,
	    size_t errlen);
void	secret_free(struct secret *);

/* 0 when the request is signed with one of the secrets; 401 with why
 * otherwise. */
int	signature_verify(const struct source_signature *, const struct secret *,
	    const struct http_request *, char *why, size_t whylen);

#endif
