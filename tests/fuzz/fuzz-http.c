/*
 * fuzz-http: the request head parser (src/front/http_parse.c) on any bytes a peer
 * may send first, and the reader (src/front/http_io.c) on the same bytes through
 * a pipe.
 *
 * Input: what a peer sends: a request head, maybe followed by body bytes.
 *
 * The head is handed to http_parse_head as the reader hands it: copied
 * into a struct http_request's head[] (at most LIMIT_HEAD_BYTES), cut at
 * the end of the first empty line, with whatever followed still in the
 * buffer. The same head is then parsed from an exact-size heap copy, so
 * that AddressSanitizer sees any read past its length, and both parses
 * must agree. Checked on an accepted head: every pointer lies inside the
 * head and ends there; method and field names are tokens; the path starts
 * with '/' (or is the "/" of an absolute-form target without a path) and
 * holds no query, blank or control byte; the host is an authority's bytes
 * (none of blank, control, '/', '?', '@'), and an HTTP/1.1 request has
 * one; an absolute-form target's host is not Host's; values are trimmed
 * and free of controls; http_header finds each field's first value, in
 * any case; HTTP/1.1 has exactly one Host; no Transfer-Encoding passes;
 * Content-Length is the one digits-only value, within LIMIT_BODY_CEILING.
 * A head without an empty line is never accepted. The reader must return
 * the status the parser gave, and read the body that follows the head.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "fuzz.h"
#include "http.h"

#define JSON	"application/json"
#define FORM	"application/x-www-form-urlencoded"

/* The pipe must take the whole input before the reader starts. */
#define PIPE_INPUT_MAX	65536
/* Bodies the reader is asked to read; the front caps them at MAX_BODY. */
#define BODY_READ_MAX	(1024 * 1024)

static int
is_tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c));
}

static int
is_token(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!is_tchar((unsigned char)*s))
			return 0;
	return 1;
}

/* p points into buf[0..len) and its string ends there. */
static int
inside(const char *p, const char *buf, size_t len)
{
	return p != NULL && p >= buf && p < buf + len &&
	    memchr(p, '\0', (size_t)(buf + len - p)) != NULL;
}

/* As the reader finds it (http_io.c): the end of the first empty line
 * after those before the request line. */
static size_t
head_end(const char *buf, size_t len)
{
	const char *p;

	for (p = buf + http_leading_empty_lines(buf, len); (p = memchr(p, '\n', len - (size_t)(p - buf))) != NULL; p++) {
		if (p + 1 < buf + len && p[1] == '\n')
			return (size_t)(p + 2 - buf);
		if (p + 2 < buf + len && p[1] == '\r' && p[2] == '\n')
			return (size_t)(p + 3 - buf);
	}
	return 0;
}

/* The reader's status for input that never finishes its head. */
static int
unfinished_status(const char *head, size_t buffered)
{
	size_t n;

	if (buffered == 0)
		return -1;
	if (buffered < LIMIT_HEAD_BYTES)
		return 400;
	n = buffered < LIMIT_REQUEST_LINE ? buffered : LIMIT_REQUEST_LINE;
	return memchr(head, '\n', n) == NULL ? 414 : 431;
}

static void
check_accepted(const struct http_request *r, const char *buf, size_t len)
{
	const char *p, *v, *first, *target, *length = NULL;
	size_t i, j, hosts = 0, n = 0;

	FUZZ_CHECK(inside(r->method, buf, len) && is_token(r->method), "method");
	FUZZ_CHECK((inside(r->path, buf, len) || strcmp(r->path, "/") == 0) &&
	    r->path[0] == '/', "path");
	for (p = r->path; *p != '\0'; p++)
		FUZZ_CHECK((unsigned char)*p > ' ' && (unsigned char)*p < 0x7f && *p != '?',
		    "byte 0x%02x in the path", (unsigned char)*p);
	FUZZ_CHECK(r->http10 || r->host != NULL, "HTTP/1.1 without a host");
	if (r->host != NULL) {
		FUZZ_CHECK(inside(r->host, buf, len), "host");
		for (p = r->host; *p != '\0'; p++)
			FUZZ_CHECK((unsigned char)*p > ' ' && (unsigned char)*p < 0x7f &&
			    strchr("/?@#\"", *p) == NULL, "byte 0x%02x in the host",
			    (unsigned char)*p);
	}
	FUZZ_CHECK(r->nheaders <= LIMIT_HEADER_COUNT, "%zu fields", r->nheaders);
	for (i = 0; i < r->nheaders; i++) {
		FUZZ_CHECK(inside(r->headers[i].name, buf, len) &&
		    is_token(r->headers[i].name), "field %zu's name", i);
		v = r->headers[i].value;
		FUZZ_CHECK(inside(v, buf, len), "field %zu's value", i);
		FUZZ_CHECK(*v != ' ' && *v != '\t' && (*v == '\0' ||
		    (v[strlen(v) - 1] != ' ' && v[strlen(v) - 1] != '\t')),
		    "field %s: value not trimmed", r->headers[i].name);
		for (p = v; *p != '\0'; p++)
			FUZZ_CHECK(((unsigned char)*p >= ' ' || *p == '\t') && *p != 0x7f,
			    "field %s: control byte 0x%02x", r->headers[i].name,
			    (unsigned char)*p);
		/* http_header: the first field of that name, in any case. */
		for (j = 0; strcasecmp(r->headers[j].name, r->headers[i].name) != 0; j++)
			;
		first = http_header(r, r->headers[i].name);
		FUZZ_CHECK(first == r->headers[j].value, "http_header(%s)",
		    r->headers[i].name);
		/* Any value may reach http_media_type_is as a Content-Type. */
		FUZZ_CHECK(http_media_type_is(v, JSON) + http_media_type_is(v, FORM) <= 1,
		    "%s is both media types", v);
		hosts += strcasecmp(r->headers[i].name, "Host") == 0;
		FUZZ_CHECK(strcasecmp(r->headers[i].name, "Transfer-Encoding") != 0,
		    "Transfer-Encoding accepted");
		if (strcasecmp(r->headers[i].name, "Content-Length") == 0) {
			FUZZ_CHECK(length == NULL || strcmp(length, v) == 0,
			    "two Content-Length values accepted: %s, %s", length, v);
			length = v;
		}
	}
	FUZZ_CHECK(r->http10 ? hosts <= 1 : hosts == 1, "%zu Host fields", hosts);
	/* An origin-form target's host is Host's value; an absolute-form's
	 * lies in the request line. */
	target = r->method + strlen(r->method) + 1;
	if (*target == '/')
		FUZZ_CHECK(r->host == http_header(r, "Host"), "origin-form: host not Host's");
	else
		FUZZ_CHECK(r->host > target && r->host < target + LIMIT_REQUEST_LINE &&
		    (r->nheaders == 0 || r->host < r->headers[0].name),
		    "absolute-form: host not from the target");
	for (i = 0; i < r->nheaders && strcasecmp(r->headers[i].name, "X-Absent") != 0; i++)
		;
	FUZZ_CHECK((http_header(r, "x-absent") == NULL) == (i == r->nheaders),
	    "http_header(x-absent)");
	FUZZ_CHECK(!r->has_length == (length == NULL), "has_length %d", r->has_length);
	if (length == NULL)
		return;
	FUZZ_CHECK(*length != '\0', "empty Content-Length accepted");
	for (p = length; *p != '\0'; p++) {
		FUZZ_CHECK(*p >= '0' && *p <= '9', "Content-Length %s accepted", length);
		n = n * 10 + (size_t)(*p - '0');
		FUZZ_CHECK(n <= LIMIT_BODY_CEILING, "Content-Length %s accepted", length);
	}
	FUZZ_CHECK(n == r->content_length, "Content-Length %s read as %zu", length,
	    r->content_length);
}

/* Two parses of the same head agree. */
static void
check_same(const struct http_request *a, const struct http_request *b)
{
	size_t i;

	FUZZ_CHECK(strcmp(a->method, b->method) == 0 && strcmp(a->path, b->path) == 0 &&
	    (a->host == NULL) == (b->host == NULL) &&
	    (a->host == NULL || strcmp(a->host, b->host) == 0),
	    "request line differs");
	FUZZ_CHECK(a->http10 == b->http10 && a->has_length == b->has_length &&
	    a->content_length == b->content_length && a->nheaders == b->nheaders,
	    "framing differs");
	for (i = 0; i < a->nheaders; i++)
		FUZZ_CHECK(strcmp(a->headers[i].name, b->headers[i].name) == 0 &&
		    strcmp(a->headers[i].value, b->headers[i].value) == 0,
		    "field %zu differs", i);
}

/* The reader, fed through a pipe as a peer would feed it. */
static void
check_reader(const uint8_t *data, size_t size, int want)
{
	struct http_request *r;
	struct http_conn c;
	size_t off, rest;
	ssize_t n;
	int fds[2], status;

	if (size > PIPE_INPUT_MAX || pipe2(fds, O_CLOEXEC) == -1)
		return;
	for (off = 0; off < size; off += (size_t)n)
		if ((n = write(fds[1], data + off, size - off)) <= 0)
			FUZZ_CHECK(0, "pipe write: %s", strerror(errno));
	close(fds[1]);
	FUZZ_CHECK((r = calloc(1, sizeof(*r))) != NULL, "out of memory");
	http_conn_start(&c, fds[0], -1, 10);
	status = http_read_head(&c, r);
	FUZZ_CHECK(status == want, "the reader says %d, the parser %d", status, want);
	if (status == 0 && r->has_length && r->content_length <= BODY_READ_MAX) {
		FUZZ_CHECK(r->head_len <= r->buffered && r->buffered <= LIMIT_HEAD_BYTES,
		    "head_len %zu, buffered %zu", r->head_len, r->buffered);
		rest = size - r->head_len;
		status = http_read_body(&c, r);
		if (rest < r->content_length) {
			FUZZ_CHECK(status == 400, "short body: %d", status);
		} else {
			FUZZ_CHECK(status == 0, "body of %zu bytes: %d", r->content_length,
			    status);
			FUZZ_CHECK(r->body_len == r->content_length &&
			    r->body[r->body_len] == '\0' &&
			    memcmp(r->body, data + r->head_len, r->body_len) == 0,
			    "the body read is not the bytes after the head");
		}
	}
	http_request_free(r);
	free(r);
	close(fds[0]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_request *r, *e;
	size_t buffered = size < LIMIT_HEAD_BYTES ? size : LIMIT_HEAD_BYTES, len;
	char *exact;
	int status, again;

	FUZZ_CHECK((r = calloc(1, sizeof(*r))) != NULL, "out of memory");
	memcpy(r->head, data, buffered);
	r->buffered = buffered;
	if ((len = head_end(r->head, buffered)) == 0) {
		status = unfinished_status(r->head, buffered);
		/* Handed the lot anyway, the parser must refuse it too. */
		if (buffered > 0)
			FUZZ_CHECK(http_parse_head(r, r->head, buffered) != 0,
			    "a head without an empty line accepted");
		free(r);
		check_reader(data, size, status);
		return 0;
	}
	r->head_len = len;
	status = http_parse_head(r, r->head, len);
	FUZZ_CHECK(status == 0 || status == 400 || status == 411 || status == 413 ||
	    status == 414 || status == 431 || status == 505, "status %d", status);
	if (status == 0)
		check_accepted(r, r->head, len);

	FUZZ_CHECK((exact = malloc(len)) != NULL && (e = calloc(1, sizeof(*e))) != NULL,
	    "out of memory");
	memcpy(exact, data, len);
	again = http_parse_head(e, exact, len);
	FUZZ_CHECK(again == status, "%d in head[], %d in an exact copy", status, again);
	if (status == 0)
		check_same(r, e);
	free(e);
	free(exact);
	free(r);
	check_reader(data, size, status);
	return 0;
}
