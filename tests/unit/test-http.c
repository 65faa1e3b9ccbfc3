/*
 * The request reader: the pure head parser on crafted heads, and the
 * reader on a pipe, each accepted form with a refused twin.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http.h"
#include "tap.h"

static int
parse(const char *head, struct http_request *r)
{
	size_t len = strlen(head);

	memset(r, 0, sizeof(*r));
	memcpy(r->head, head, len);
	return http_parse_head(r, r->head, len);
}

static void
expect(const char *name, const char *head, int status)
{
	struct http_request *r = calloc(1, sizeof(*r));
	int got = parse(head, r);

	tap_ok(got == status, "%s: %d (got %d)", name, status, got);
	free(r);
}

/* Feed bytes through a pipe to the reader, as a peer would. */
static int
read_through_pipe(const char *bytes, size_t len, int seconds, struct http_request *r)
{
	struct http_conn c;
	int fds[2], status;

	if (pipe(fds) == -1)
		return -1;
	if (write(fds[1], bytes, len) != (ssize_t)len)
		return -1;
	close(fds[1]);
	memset(r, 0, sizeof(*r));
	http_conn_start(&c, fds[0], -1, seconds);
	status = http_read_head(&c, r);
	if (status == 0)
		status = http_read_body(&c, r);
	close(fds[0]);
	return status;
}

static void
test_parser(void)
{
	struct http_request *r = calloc(1, sizeof(*r));
	char big[LIMIT_REQUEST_LINE + 64];

	tap_ok(parse("POST /webhook?x=1 HTTP/1.1\r\nHost: a\r\n"
	    "content-type: application/json; charset=UTF-8\r\n"
	    "Content-Length: 12\r\n\r\n", r) == 0, "a webhook head parses");
	tap_ok(strcmp(r->method, "POST") == 0 && strcmp(r->path, "/webhook") == 0,
	    "method and path, the query cut off");
	tap_ok(r->has_length && r->content_length == 12, "Content-Length read");
	tap_ok(http_header(r, "Content-Type") != NULL &&
	    http_media_type_is(http_header(r, "Content-Type"), "application/json"),
	    "header names are case-insensitive; media type parameters accepted");
	tap_ok(!http_media_type_is("application/jsonx", "application/json") &&
	    !http_media_type_is(NULL, "application/json"),
	    "another media type is not application/json");
	tap_ok(parse("POST /webhook HTTP/1.1\nHost: a\n\n", r) == 0, "bare LF line ends");
	free(r);

	expect("no version", "POST /webhook\r\n\r\n", 400);
	expect("HTTP/2.0", "POST /webhook HTTP/2.0\r\n\r\n", 505);
	expect("target not a path", "POST webhook HTTP/1.1\r\n\r\n", 400);
	expect("control byte in target", "POST /web\x01hook HTTP/1.1\r\n\r\n", 400);
	expect("space before colon", "POST / HTTP/1.1\r\nHost : a\r\n\r\n", 400);
	expect("obs-fold", "POST / HTTP/1.1\r\nX: a\r\n b\r\n\r\n", 400);
	expect("no colon", "POST / HTTP/1.1\r\nHost\r\n\r\n", 400);
	expect("negative length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400);
	expect("length with a sign", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n", 400);
	expect("two different lengths",
	    "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400);
	expect("the same length twice",
	    "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", 0);
	expect("length over the ceiling of MAX_BODY",
	    "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1073741825\r\n\r\n", 413);
	expect("length at the ceiling of MAX_BODY",
	    "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1073741824\r\n\r\n", 0);
	expect("length overflowing size_t",
	    "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n", 413);
	expect("chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", 411);
	expect("HTTP/1.1 without Host", "POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 400);
	expect("two Host fields", "POST / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400);
	expect("HTTP/1.0 without Host", "POST / HTTP/1.0\r\nContent-Length: 0\r\n\r\n", 0);

	memset(big, 'a', sizeof(big));
	memcpy(big, "POST /", 6);
	strcpy(big + sizeof(big) - 16, " HTTP/1.1\r\n\r\n");
	expect("request line over the limit", big, 414);
}

static void
test_header_count(void)
{
	char *head = malloc(LIMIT_HEAD_BYTES);
	size_t i, len;

	len = sprintf(head, "POST / HTTP/1.1\r\n");
	for (i = 0; i <= LIMIT_HEADER_COUNT; i++)
		len += sprintf(head + len, "X-%zu: y\r\n", i);
	strcpy(head + len, "\r\n");
	expect("one header field too many", head, 431);
	free(head);
}

static void
test_reader(void)
{
	struct http_request *r = calloc(1, sizeof(*r));
	static const char ok[] =
	    "POST /webhook HTTP/1.1\r\nHost: a\r\nContent-Length: 7\r\n\r\n{\"a\":1}";
	static const char shortbody[] =
	    "POST /webhook HTTP/1.1\r\nHost: a\r\nContent-Length: 70\r\n\r\n{\"a\":1}";
	char *flood;
	size_t i;

	tap_ok(read_through_pipe(ok, strlen(ok), 5, r) == 0 && r->body_len == 7 &&
	    memcmp(r->body, "{\"a\":1}", 7) == 0, "reader: head and body");
	http_request_free(r);
	tap_ok(read_through_pipe(shortbody, strlen(shortbody), 5, r) == 400,
	    "reader: body shorter than Content-Length: 400");
	http_request_free(r);
	tap_ok(read_through_pipe("POST / HTTP/1.1\r\nHost: a\r\n", 26, 5, r) == 400,
	    "reader: head cut off by EOF: 400");
	tap_ok(read_through_pipe("", 0, 5, r) == -1, "reader: nothing at all: -1 (no answer)");

	flood = malloc(LIMIT_HEAD_BYTES + 100);
	strcpy(flood, "POST / HTTP/1.1\r\n");
	for (i = strlen(flood); i < LIMIT_HEAD_BYTES + 99; i++)
		flood[i] = i % 20 == 19 ? '\n' : 'x';
	tap_ok(read_through_pipe(flood, LIMIT_HEAD_BYTES + 99, 5, r) == 431,
	    "reader: head larger than the limit: 431");
	memset(flood, 'x', LIMIT_HEAD_BYTES + 99);
	tap_ok(read_through_pipe(flood, LIMIT_HEAD_BYTES + 99, 5, r) == 414,
	    "reader: endless request line: 414");
	free(flood);
	free(r);
}

/* A peer that sends half a head and then nothing: 408 at the deadline. */
static void
test_deadline(void)
{
	struct http_request *r = calloc(1, sizeof(*r));
	struct http_conn c;
	int fds[2];

	if (pipe(fds) == -1 || write(fds[1], "POST / HT", 9) != 9)
		return;
	http_conn_start(&c, fds[0], -1, 1);
	tap_ok(http_read_head(&c, r) == 408, "reader: silent peer: 408 after the deadline");
	close(fds[0]);
	close(fds[1]);
	free(r);
}

int
main(void)
{
	test_parser();
	test_header_count();
	test_reader();
	test_deadline();
	return tap_done();
}
