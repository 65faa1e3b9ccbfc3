#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "hex.h"

/*
 * Decode s[0..len) into out, which has room for len bytes: '+' is a space,
 * %XX a byte. The decoded length, or -1 on a truncated or bad escape.
 */
static long
decode(const char *s, size_t len, char *out)
{
	size_t i, n = 0;
	int hi, lo;

	for (i = 0; i < len; i++) {
		if (s[i] == '+') {
			out[n++] = ' ';
		} else if (s[i] != '%') {
			out[n++] = s[i];
		} else {
			if (len - i < 3 || (hi = hex_digit(s[i + 1])) == -1 ||
			    (lo = hex_digit(s[i + 2])) == -1)
				return -1;
			out[n++] = (char)(hi << 4 | lo);
			i += 2;
		}
	}
	return (long)n;
}

/* Does the encoded key s[0..len) decode to name? Keys are short. */
static int
key_is(const char *s, size_t len, const char *name)
{
	char key[64];
	long n;

	if (len > sizeof(key) || (n = decode(s, len, key)) == -1)
		return 0;
	return (size_t)n == strlen(name) && memcmp(key, name, (size_t)n) == 0;
}

char *
form_field(const char *body, size_t body_len, const char *name, size_t *lenp)
{
	const char *p = body, *end = body + body_len, *amp, *eq, *value = NULL;
	size_t value_len = 0;
	char *out;
	long n;

	for (;; p = amp + 1) {
		if ((amp = memchr(p, '&', end - p)) == NULL)
			amp = end;
		if ((eq = memchr(p, '=', amp - p)) == NULL)
			eq = amp;
		if (key_is(p, eq - p, name)) {
			if (value != NULL) {
				errno = EINVAL;	/* twice: which would the host mean? */
				return NULL;
			}
			value = eq < amp ? eq + 1 : amp;
			value_len = amp - value;
		}
		if (amp == end)
			break;
	}
	if (value == NULL) {
		errno = ENOENT;
		return NULL;
	}
	if ((out = malloc(value_len + 1)) == NULL)
		return NULL;
	if ((n = decode(value, value_len, out)) == -1) {
		free(out);
		errno = EINVAL;
		return NULL;
	}
	out[n] = '\0';
	*lenp = (size_t)n;
	return out;
}
