/*
 * floor: the cheapest thing that can answer a webhook under an inetd-style
 * launcher, as the benchmark's yardstick for the front.
 *
 * It reads the request head from stdin up to the blank line, takes the body
 * length from Content-Length, reads that many bytes, writes a fixed 200
 * answer to stdout and exits. No config, no log, no JSON, no limits worth
 * the name: it is a floor, not a server.
 */
#define _GNU_SOURCE	/* memmem */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define HEAD_MAX	16384

static const char answer[] =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: application/json\r\n"
    "Content-Length: 16\r\n"
    "Connection: close\r\n"
    "\r\n"
    "{\"success\":true}";

/* The Content-Length value in the head [p, end), or 0. */
static size_t
content_length(const char *p, const char *end)
{
	static const char name[] = "\ncontent-length:";
	size_t n = sizeof(name) - 1;

	for (; p + n < end; p++)
		if (strncasecmp(p, name, n) == 0)
			return strtoul(p + n, NULL, 10);
	return 0;
}

int
main(void)
{
	static char head[HEAD_MAX], body[65536];
	size_t have = 0, want, left;
	const char *end = NULL;
	ssize_t n;

	while (end == NULL && have < sizeof(head)) {
		if ((n = read(0, head + have, sizeof(head) - have)) <= 0) {
			if (n == -1 && errno == EINTR)
				continue;
			return 1;
		}
		have += n;
		end = memmem(head, have, "\r\n\r\n", 4);
	}
	if (end == NULL)
		return 1;
	end += 4;
	want = content_length(head, end);
	left = have - (end - head) < want ? want - (have - (end - head)) : 0;
	while (left > 0) {
		n = read(0, body, left < sizeof(body) ? left : sizeof(body));
		if (n <= 0) {
			if (n == -1 && errno == EINTR)
				continue;
			return 1;
		}
		left -= n;
	}
	if (write(1, answer, sizeof(answer) - 1) != (ssize_t)sizeof(answer) - 1)
		return 1;
	return 0;
}
