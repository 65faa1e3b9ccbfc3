/*
 * The request head parser: a pure function of (buffer, length). It splits
 * the head in place and returns 0 or the status that refuses it. Section
 * numbers are RFC 9112's unless another RFC is named.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hex.h"
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

/* RFC 3986 3.2.2 IP-literal, without its brackets: IPv6address or IPvFuture. */
static int
is_ip_literal(const char *s, size_t len)
{
	char v6[INET6_ADDRSTRLEN];
	unsigned char addr[16];
	size_t i;

	if (len > 1 && (s[0] == 'v' || s[0] == 'V')) {
		for (i = 1; i < len && hex_digit(s[i]) != -1; i++)
			;
		if (i == 1 || i + 1 >= len || s[i] != '.')
			return 0;
		for (i++; i < len; i++)
			if (!isalnum((unsigned char)s[i]) &&
			    strchr("-._~!$&'()*+,;=:", s[i]) == NULL)
				return 0;
		return 1;
	}
	if (len >= sizeof(v6))
		return 0;
	memcpy(v6, s, len);
	v6[len] = '\0';
	return inet_pton(AF_INET6, v6, addr) == 1;
}

/*
 * uri-host [ ":" port ] (RFC 3986 3.2.2, 3.2.3): an IP-literal in brackets,
 * or a reg-name of unreserved, sub-delims and %XX, which takes IPv4
 * addresses in too. No userinfo: RFC 9110 4.2.4 calls it an error.
 */
static int
is_authority(const char *s, size_t len)
{
	const char *end = s + len, *p = s, *close;

	if (p < end && *p == '[') {
		if ((close = memchr(p, ']', len)) == NULL ||
		    !is_ip_literal(p + 1, close - p - 1))
			return 0;
		p = close + 1;
	} else {
		for (; p < end && *p != ':'; p++) {
			if (*p == '%') {
				if (end - p < 3 || hex_digit(p[1]) == -1 || hex_digit(p[2]) == -1)
					return 0;
				p += 2;
			} else if (!isalnum((unsigned char)*p) &&
			    strchr("-._~!$&'()*+,;=", *p) == NULL)
				return 0;
		}
	}
	if (p == end)
		return 1;
	if (*p++ != ':')
		return 0;
	for (; p < end; p++)
		if (*p < '0' || *p > '9')
			return 0;
	return 1;
}

/*
 * 2.3: HTTP-version is "HTTP/" DIGIT "." DIGIT, case-sensitive. Another
 * major version is 505; a 1.x above 1.1 is served as 1.1 (RFC 9110 6.2).
 * Anything else, a CR left over from "\r\r\n" too, is not a version: 400.
 */
static int
parse_version(struct http_request *r, const char *v)
{
	if (strncmp(v, "HTTP/", 5) != 0 || !isdigit((unsigned char)v[5]) ||
	    v[6] != '.' || !isdigit((unsigned char)v[7]) || v[8] != '\0')
		return 400;
	if (v[5] != '1')
		return 505;
	r->http10 = v[7] == '0';
	return 0;
}

/*
 * 3.2.2: absolute-form, "http://authority/path?query", as a proxy would
 * send it; a server MUST accept it. Its authority stands for Host (3.2.2
 * says to ignore the field), its path is routed, an empty one is "/"
 * (3.3). An http(s) URI without a host is invalid (RFC 9110 4.2.1).
 */
static int
parse_absolute_form(struct http_request *r, char *target)
{
	size_t n = strcspn(target, ":");
	char *auth, *end;

	if (!((n == 4 && strncasecmp(target, "http", 4) == 0) ||
	    (n == 5 && strncasecmp(target, "https", 5) == 0)) ||
	    strncmp(target + n, "://", 3) != 0)
		return 400;
	auth = target + n + 3;
	end = auth + strcspn(auth, "/?");
	if (end == auth || *auth == ':' || !is_authority(auth, end - auth))
		return 400;
	/* One byte to the left, over the second '/', to end it in place. */
	memmove(auth - 1, auth, end - auth);
	end[-1] = '\0';
	r->host = auth - 1;
	r->path = *end == '/' ? end : "/";
	return 0;
}

/* 3: method SP request-target SP HTTP-version, and nothing else. */
static int
parse_request_line(struct http_request *r, char *line)
{
	char *sp1, *sp2, *p;
	int status;

	if (strlen(line) > LIMIT_REQUEST_LINE)
		return 414;
	if ((sp1 = strchr(line, ' ')) == NULL || (sp2 = strchr(sp1 + 1, ' ')) == NULL)
		return 400;
	*sp1 = *sp2 = '\0';
	r->method = line;
	r->path = sp1 + 1;
	if (*r->method == '\0' || *r->path == '\0')
		return 400;
	for (p = line; *p != '\0'; p++)
		if (!is_tchar(*p))
			return 400;
	for (p = sp1 + 1; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
			return 400;
	if (*r->path != '/' && strstr(r->path, "://") == NULL)
		return 400;	/* asterisk- and authority-form: no route takes them */
	if ((status = parse_version(r, sp2 + 1)) != 0)
		return status;
	if (*r->path != '/' && (status = parse_absolute_form(r, sp1 + 1)) != 0)
		return status;
	/* Routing looks at the path only; no route takes a query. */
	if ((p = strchr(r->path, '?')) != NULL)
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
 * 3.2: exactly one Host in HTTP/1.1, at most one in 1.0, and its value
 * uri-host [ ":" port ] or empty; then Content-Length (6.3): digits only,
 * one value, within the body limit.
 */
static int
parse_framing(struct http_request *r)
{
	const char *seen = NULL, *host = NULL, *p;
	size_t i, n = 0, hosts = 0;

	for (i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->headers[i].name, "Host") == 0) {
			host = r->headers[i].value;
			hosts++;
		}
	if (hosts > 1 || (hosts == 0 && !r->http10))
		return 400;
	if (host != NULL && !is_authority(host, strlen(host)))
		return 400;
	if (r->host == NULL)
		r->host = host;
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

	r->method = r->path = r->host = NULL;
	r->nheaders = 0;
	r->http10 = 0;
	r->has_length = 0;
	r->content_length = 0;
	if (memchr(buf, '\0', len) != NULL)
		return 400;
	/* 2.2: empty lines before the request line are ignored. */
	cursor += http_leading_empty_lines(buf, len);
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

/* The bytes of the CRLFs (or bare LFs) before the request line. */
size_t
http_leading_empty_lines(const char *buf, size_t len)
{
	size_t i = 0;

	for (;;) {
		if (i < len && buf[i] == '\n')
			i++;
		else if (i + 1 < len && buf[i] == '\r' && buf[i + 1] == '\n')
			i += 2;
		else
			return i;
	}
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
