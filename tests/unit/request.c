#include <string.h>
#include <strings.h>

#include "request.h"

void
request_add_header(struct http_request *req, size_t *used, const char *name, size_t nlen,
    const char *value, size_t vlen)
{
	char *p = req->head + *used;

	if (req->nheaders == LIMIT_HEADER_COUNT ||
	    *used + nlen + vlen + 2 > sizeof(req->head))
		return;
	memcpy(p, name, nlen);
	p[nlen] = '\0';
	memcpy(p + nlen + 1, value, vlen);
	p[nlen + 1 + vlen] = '\0';
	req->headers[req->nheaders].name = p;
	req->headers[req->nheaders].value = p + nlen + 1;
	req->nheaders++;
	*used += nlen + vlen + 2;
}

void
request_add_header_lines(struct http_request *req, size_t *used, const char *text,
    const char *drop)
{
	const char *line, *end, *colon, *v, *e;

	for (line = text; *line != '\0'; line = *end ? end + 1 : end) {
		end = line + strcspn(line, "\n");
		if ((colon = memchr(line, ':', end - line)) == NULL)
			continue;
		if (drop != NULL && strlen(drop) == (size_t)(colon - line) &&
		    strncasecmp(line, drop, colon - line) == 0)
			continue;
		for (v = colon + 1; v < end && (*v == ' ' || *v == '\t'); v++)
			;
		for (e = end; e > v && (e[-1] == '\r' || e[-1] == ' '); e--)
			;
		request_add_header(req, used, line, colon - line, v, e - v);
	}
}
