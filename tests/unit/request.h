/*
 * Requests built in memory for the unit tests, with header fields in the
 * request's own head buffer, as http_parse_head leaves them.
 */
#ifndef SENTRY_TEST_REQUEST_H
#define SENTRY_TEST_REQUEST_H

#include <stddef.h>

#include "http.h"

/* One field; dropped when the head or the field count is full. */
void	request_add_header(struct http_request *, size_t *used, const char *name,
	    size_t nlen, const char *value, size_t vlen);
/* "Name: value" lines, as in a payload's .headers file, except the field
 * named drop (NULL: none); CRs and blanks around the value are trimmed. */
void	request_add_header_lines(struct http_request *, size_t *used, const char *text,
	    const char *drop);

#endif
