/*
 * The request head parser: a pure function of (buffer, length). It splits
 * the head in place and returns 0 or the status that refuses it.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http.h"

/* RFC 9110 tchar: what a method or a field name may be made of. */
static int
is_tchar(unsigned char c)
{
	return isalnum(c) || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* Cut the line at *cursor, ending in LF or CRLF; NULL when none is left. */
static char *
next_line(char **cursor, char *end)
{
	char *line = *cursor, *lf;

	if ((lf = memchr(line, '\n', end - line)) == NULL)
		return NULL;
	*cursor = lf + 1;
	if (lf > line && lf[-1] == '\r')
		lf--;
	*lf = '\0';
	return line;
}

static int
parse_request_line(struct http_request *r, char *line)
{
	char *sp1, *sp2, *p;

	if (strlen(line) > LIMIT_REQUEST_LINE)
		return 414;
	if ((sp1 = strchr(line, ' ')) == NULL || (sp2 = strchr(sp1 + 1, ' ')) == NULL)
		return 400;
	*sp1 = *sp2 = '\0';
	r->method = line;
	r->path = sp1 + 1;
	if (*r->method == '\0' || *r->path != '/')
		return 400;
	for (p = line; *p != '\0'; p++)
		if (!is_tchar(*p))
			return 400;
	for (p = sp1 + 1; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
			return 400;
	if (strcmp(sp2 + 1, "HTTP/1.1") != 0 && strcmp(sp2 + 1, "HTTP/1.0") != 0)
		return strncmp(sp2 + 1, "HTTP/", 5) == 0 ? 505 : 400;
	r->http10 = sp2[8] == '0';
	/* Routing looks at the path only; no route takes a query. */
	if ((p = strchr(sp1 + 1, '?')) != NULL)
		*p = '\0';
	return 0;
}

static int
parse_header_line(struct http_request *r, char *line)
{
	char *colon, *value, *end, *p;

	/* obs-fold and a space before the colon are smuggling vectors. */
	if (*line == ' ' || *line == '\t')
		return 400;
	if ((colon = strchr(line, ':')) == NULL || colon == line)
		return 400;
	for (p = line; p < colon; p++)
		if (!is_tchar(*p))
			return 400;
	*colon = '\0';
	value = colon + 1;
	while (*value == ' ' || *value == '\t')
		value++;
	end = value + strlen(value);
	while (end > value && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*end = '\0';
	for (p = value; *p != '\0'; p++)
		if (((unsigned char)*p < ' ' && *p != '\t') || *p == 0x7f)
			return 400;
	if (r->nheaders == LIMIT_HEADER_COUNT)
		return 431;
	r->headers[r->nheaders].name = line;
	r->headers[r->nheaders].value = value;
	r->nheaders++;
	return 0;
}

/*
 * Exactly one Host in HTTP/1.1, at most one in 1.0 (RFC 9112 3.2); then
 * Content-Length: digits only, one value, within the body limit.
 */
static int
parse_framing(struct http_request *r)
{
	const char *seen = NULL, *p;
	size_t i, n = 0, hosts = 0;

	for (i = 0; i < r->nheaders; i++)
		hosts += strcasecmp(r->headers[i].name, "Host") == 0;
	if (hosts > 1 || (hosts == 0 && !r->http10))
		return 400;
	for (i = 0; i < r->nheaders; i++) {
		if (strcasecmp(r->headers[i].name, "Transfer-Encoding") == 0)
			return 411;	/* we read Content-Length bodies only */
		if (strcasecmp(r->headers[i].name, "Content-Length") != 0)
			continue;
		if (seen != NULL && strcmp(seen, r->headers[i].value) != 0)
			return 400;
		seen = r->headers[i].value;
	}
	if (seen == NULL)
		return 0;
	if (*seen == '\0')
		return 400;
	for (p = seen; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return 400;
		if (n > (LIMIT_BODY_CEILING - (size_t)(*p - '0')) / 10)
			return 413;
		n = n * 10 + (*p - '0');
	}
	r->has_length = 1;
	r->content_length = n;
	return 0;
}

int
http_parse_head(struct http_request *r, char *buf, size_t len)
{
	char *cursor = buf, *end = buf + len, *line;
	int status;

	r->nheaders = 0;
	r->http10 = 0;
	r->has_length = 0;
	r->content_length = 0;
	if (memchr(buf, '\0', len) != NULL)
		return 400;
	if ((line = next_line(&cursor, end)) == NULL)
		return 400;
	if ((status = parse_request_line(r, line)) != 0)
		return status;
	while ((line = next_line(&cursor, end)) != NULL && *line != '\0')
		if ((status = parse_header_line(r, line)) != 0)
			return status;
	if (line == NULL)
		return 400;	/* no blank line: the head is incomplete */
	return parse_framing(r);
}

const char *
http_header(const struct http_request *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->headers[i].name, name) == 0)
			return r->headers[i].value;
	return NULL;
}

/* "application/json; charset=UTF-8" is application/json. */
int
http_media_type_is(const char *content_type, const char *type)
{
	size_t n = strlen(type);

	if (content_type == NULL || strncasecmp(content_type, type, n) != 0)
		return 0;
	content_type += n;
	while (*content_type == ' ' || *content_type == '\t')
		content_type++;
	return *content_type == '\0' || *content_type == ';';
}
