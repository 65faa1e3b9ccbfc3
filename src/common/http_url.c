/*
 * https://host[:port]/path, and http:// for a host on this machine only:
 * a token sent in clear over a network is a token given away. The user
 * and token have keys of their own, never the URL, which logs, the
 * status record and --check print.
 */
#include <arpa/inet.h>

#include <stdlib.h>
#include <string.h>

#include "http_url.h"

int
http_url_is(const char *url)
{
	return strncmp(url, "https://", 8) == 0 || strncmp(url, "http://", 7) == 0;
}

static int
loopback(const char *host)
{
	unsigned char a[16];
	static const unsigned char v6[16] = { [15] = 1 };

	if (strcmp(host, "localhost") == 0)
		return 1;
	if (inet_pton(AF_INET, host, a) == 1)
		return a[0] == 127;
	return inet_pton(AF_INET6, host, a) == 1 && memcmp(a, v6, 16) == 0;
}

const char *
http_url_parse(const char *url, struct http_url *u)
{
	const char *h, *end, *p, *q;
	char *stop;
	long port;

	u->tls = strncmp(url, "https://", 8) == 0;
	h = url + (u->tls ? 8 : 7);
	end = h + strcspn(h, "/");
	if (memchr(h, '@', end - h) != NULL)
		return "must not hold a user or token: set HTTP_USER and HTTP_TOKEN_FILE";
	if (strpbrk(url, "?#%") != NULL)
		return "must not hold a query, a fragment or %-escapes";
	if (*end != '/' || end[1] == '\0')
		return "must name a repository path after the host";
	if (*h == '[') {
		if ((q = memchr(h, ']', end - h)) == NULL)
			return "must close the [ of an IPv6 host";
		p = q + 1;
		h++;
	} else {
		q = memchr(h, ':', end - h);
		p = q != NULL ? q : end;
		q = p;
	}
	if (q == h || (size_t)(q - h) >= sizeof(u->host))
		return "must name a host";
	memcpy(u->host, h, q - h);
	u->host[q - h] = '\0';
	u->port = u->tls ? 443 : 80;
	if (p != end) {
		if (*p != ':' || p + 1 == end)
			return "must have a port after the : of the host";
		port = strtol(p + 1, &stop, 10);
		if (stop != end || port <= 0 || port > 65535 || p[1] < '0' || p[1] > '9')
			return "must have a port from 1 to 65535";
		u->port = (int)port;
	}
	u->loopback = loopback(u->host);
	if (!u->tls && !u->loopback)
		return "must be https://: http:// sends the token and the code in "
		    "clear, and is taken only for a loopback host (localhost, "
		    "127.0.0.0/8, [::1])";
	return NULL;
}
