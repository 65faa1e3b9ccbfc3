/*
 * application/x-www-form-urlencoded bodies: GitHub's "form" content type
 * sends the JSON payload as the payload= field.
 */
#ifndef SENTRY_FORM_H
#define SENTRY_FORM_H

#include <stddef.h>

/* The decoded value of field name, malloc'd and NUL-terminated, its length
 * in *len. NULL with errno ENOENT when absent, EINVAL when repeated or
 * badly escaped, ENOMEM when out of memory. */
char	*form_field(const char *body, size_t body_len, const char *name, size_t *len);

#endif
