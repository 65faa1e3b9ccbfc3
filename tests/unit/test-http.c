/*
 * The request reader: the pure head parser on crafted heads, and the
 * reader on a pipe, each accepted form with a refused twin; the peer's
 * name for the log, X-Real-IP believed from loopback only (the rule of
 * sentry-source(8), HTTPS in front).
 */
#include <sys/un.h>

#include <arpa/inet.h>
#include <netinet/in.h>
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

/* accept NAME HEAD: the head parses, and the request's fields are kept. */
static struct http_request *
accept_head(const char *name, const char *head)
{
	struct http_request *r = calloc(1, sizeof(*r));
	int got = parse(head, r);

	tap_ok(got == 0, "%s: accepted (got %d)", name, got);
	return r;
}

/* RFC 9112 2.2: empty lines before the request line; line ends. */
static void
test_rfc9112_2_2(void)
{
	struct http_request *r;

	r = accept_head("RFC 9112 2.2: a CRLF before the request line is ignored",
	    "\r\nPOST /webhook HTTP/1.1\r\nHost: a\r\n\r\n");
	tap_ok(r->path != NULL && strcmp(r->path, "/webhook") == 0 &&
	    strcmp(r->method, "POST") == 0, "RFC 9112 2.2: ...and the request line read");
	free(r);
	free(accept_head("RFC 9112 2.2: two CRLFs and a bare LF before the request line",
	    "\r\n\r\n\nPOST /webhook HTTP/1.1\r\nHost: a\r\n\r\n"));
	expect("RFC 9112 2.2: nothing but empty lines", "\r\n\r\n\r\n", 400);
	expect("RFC 9112 2.2: a bare CR before the request line",
	    "\rPOST /webhook HTTP/1.1\r\nHost: a\r\n\r\n", 400);
	expect("RFC 9112 2.2, 3: request line ending in CR CR LF",
	    "POST /webhook HTTP/1.1\r\r\nHost: a\r\n\r\n", 400);
	expect("RFC 9112 2.2, 3: a bare CR inside the request line",
	    "POST /webhook\rHTTP/1.1\r\nHost: a\r\n\r\n", 400);
	expect("RFC 9112 3: a space after the version",
	    "POST /webhook HTTP/1.1 \r\nHost: a\r\n\r\n", 400);
	expect("RFC 9112 5.2: a bare CR in a field value",
	    "POST /webhook HTTP/1.1\r\nHost: a\r\nX: b\rc\r\n\r\n", 400);
}

/* RFC 9112 2.3 and RFC 9110 6.2: the version. */
static void
test_rfc9110_6_2(void)
{
	struct http_request *r;

	r = accept_head("RFC 9110 6.2: HTTP/1.2 is served as 1.1",
	    "POST /webhook HTTP/1.2\r\nHost: a\r\n\r\n");
	tap_ok(!r->http10, "RFC 9110 6.2: ...with 1.1's rules (not 1.0's)");
	free(r);
	expect("RFC 9110 6.2: HTTP/1.9 needs Host as 1.1 does",
	    "POST /webhook HTTP/1.9\r\n\r\n", 400);
	free(accept_head("RFC 9110 6.2: HTTP/1.9", "POST /webhook HTTP/1.9\r\nHost: a\r\n\r\n"));
	expect("RFC 9110 6.2: HTTP/2.0, another major version: 505",
	    "POST /webhook HTTP/2.0\r\nHost: a\r\n\r\n", 505);
	expect("RFC 9110 6.2: HTTP/0.9: 505", "POST /webhook HTTP/0.9\r\nHost: a\r\n\r\n", 505);
	expect("RFC 9112 2.3: HTTP/1.10 is not DIGIT.DIGIT: 400",
	    "POST /webhook HTTP/1.10\r\nHost: a\r\n\r\n", 400);
	expect("RFC 9112 2.3: http/1.1, HTTP-name is case-sensitive: 400",
	    "POST /webhook http/1.1\r\nHost: a\r\n\r\n", 400);
	expect("RFC 9112 2.3: HTTP/1: 400", "POST /webhook HTTP/1\r\nHost: a\r\n\r\n", 400);
}

/* RFC 9112 3.2.2: the absolute-form. */
static void
test_rfc9112_3_2_2(void)
{
	struct http_request *r;

	r = accept_head("RFC 9112 3.2.2: absolute-form accepted",
	    "POST http://hooks.example.org:8080/webhook?x=1 HTTP/1.1\r\n"
	    "Host: other.example.org\r\n\r\n");
	tap_ok(r->path != NULL && strcmp(r->path, "/webhook") == 0,
	    "RFC 9112 3.2.2: its path is routed, the query cut off (got %s)", r->path);
	tap_ok(r->host != NULL && strcmp(r->host, "hooks.example.org:8080") == 0,
	    "RFC 9112 3.2.2: its authority overrides Host (got %s)", r->host);
	free(r);
	r = accept_head("RFC 9112 3.2.2: HTTPS:// with an IPv6 literal and no path",
	    "POST HTTPS://[2001:db8::1]:443?x HTTP/1.1\r\nHost: a\r\n\r\n");
	tap_ok(r->path != NULL && strcmp(r->path, "/") == 0 &&
	    strcmp(r->host, "[2001:db8::1]:443") == 0,
	    "RFC 9112 3.3: an empty path is / (got %s, host %s)", r->path, r->host);
	free(r);
	r = accept_head("RFC 9112 3.2.2: origin-form: Host names the authority",
	    "POST /webhook HTTP/1.1\r\nHost: hooks.example.org\r\n\r\n");
	tap_ok(r->host != NULL && strcmp(r->host, "hooks.example.org") == 0,
	    "RFC 9112 3.2.2: ...host is Host's value");
	free(r);
	free(accept_head("RFC 9112 3.2.2: absolute-form in HTTP/1.0, no Host",
	    "POST http://a/webhook HTTP/1.0\r\n\r\n"));
	expect("RFC 9112 3.2: absolute-form in HTTP/1.1 still needs Host",
	    "POST http://a/webhook HTTP/1.1\r\n\r\n", 400);
	expect("RFC 9112 3.2.2: a scheme other than http(s)",
	    "POST ftp://a/webhook HTTP/1.1\r\nHost: a\r\n\r\n", 400);
	expect("RFC 9110 4.2.1: http URI without a host",
	    "POST http:///webhook HTTP/1.1\r\nHost: a\r\n\r\n", 400);
	expect("RFC 9110 4.2.1: http URI with a port but no host",
	    "POST http://:80/webhook HTTP/1.1\r\nHost: a\r\n\r\n", 400);
	expect("RFC 9110 4.2.4: userinfo in the target",
	    "POST http://user@a/webhook HTTP/1.1\r\nHost: a\r\n\r\n", 400);
	expect("RFC 9112 3.2.2: no // after the scheme",
	    "POST http:a/webhook HTTP/1.1\r\nHost: a\r\n\r\n", 400);
	expect("RFC 9112 3.2.3: authority-form is for CONNECT only",
	    "POST a:80 HTTP/1.1\r\nHost: a\r\n\r\n", 400);
}

/* RFC 9112 3.2: Host = uri-host [ ":" port ] (RFC 3986 3.2.2, 3.2.3). */
static void
test_rfc9112_3_2(void)
{
	static const char *const good[] = {
		"example.org", "example.org:8080", "127.0.0.1", "127.0.0.1:80",
		"[::1]", "[::1]:8080", "[::ffff:192.0.2.1]", "[v1.fe80::a+en1]",
		"ex%41mple.org", "a-b_c~d.!$&'()*+,;=", "", "example.org:",
	};
	static const char *const bad[] = {
		"exa mple.org", "example.org/x", "a@b", "example.org:port",
		"example.org:80:80", "[::1", "[1.2.3.4]", "[::1]x", "[v.x]",
		"ex%4mple.org", "ex%zzmple.org", "example.org?", "exa\"mple",
	};
	char head[256], name[128];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(head, sizeof(head), "POST / HTTP/1.1\r\nHost: %s\r\n\r\n", good[i]);
		snprintf(name, sizeof(name), "RFC 9112 3.2: valid Host value [%s]", good[i]);
		expect(name, head, 0);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(head, sizeof(head), "POST / HTTP/1.1\r\nHost: %s\r\n\r\n", bad[i]);
		snprintf(name, sizeof(name), "RFC 9112 3.2: invalid Host value [%s]", bad[i]);
		expect(name, head, 400);
	}
	expect("RFC 9112 3.2: an invalid Host in HTTP/1.0",
	    "POST / HTTP/1.0\r\nHost: a b\r\n\r\n", 400);
	expect("RFC 9112 3.2: an invalid Host beside an absolute-form target",
	    "POST http://a/ HTTP/1.1\r\nHost: a/b\r\n\r\n", 400);
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
	{
		static const char lead[] = "\r\n\r\nPOST /webhook HTTP/1.1\r\nHost: a\r\n"
		    "Content-Length: 7\r\n\r\n{\"a\":1}";

		tap_ok(read_through_pipe(lead, strlen(lead), 5, r) == 0 && r->body_len == 7 &&
		    memcmp(r->body, "{\"a\":1}", 7) == 0,
		    "reader, RFC 9112 2.2: two CRLFs before the request line are no empty head");
		http_request_free(r);
	}

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

/* The name http_peer_for gives a peer at addr (IPv4 or IPv6 text), port
 * 40312, that sent head; NULL head: no accepted head. */
static const char *
peer_for(const char *addr, const char *head)
{
	static char buf[HTTP_PEER_NAME_BYTES];
	struct http_request *r = calloc(1, sizeof(*r));
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(40312) };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(40312) };

	if (head != NULL && parse(head, r) != 0)
		snprintf(buf, sizeof(buf), "(head refused)");
	else if (inet_pton(AF_INET, addr, &sin.sin_addr) == 1)
		http_peer_for((struct sockaddr *)&sin, sizeof(sin), head ? r : NULL,
		    buf, sizeof(buf));
	else if (inet_pton(AF_INET6, addr, &sin6.sin6_addr) == 1)
		http_peer_for((struct sockaddr *)&sin6, sizeof(sin6), head ? r : NULL,
		    buf, sizeof(buf));
	else
		snprintf(buf, sizeof(buf), "(bad test address)");
	free(r);
	return buf;
}

#define HEAD(fields)	"POST /webhook HTTP/1.1\r\nHost: a\r\n" fields "\r\n"

static void
expect_peer(const char *name, const char *addr, const char *head, const char *want)
{
	const char *got = peer_for(addr, head);

	tap_ok(strcmp(got, want) == 0, "peer: %s: \"%s\" (got \"%s\")", name, want, got);
}

static void
test_peer(void)
{
	struct sockaddr_un un = { .sun_family = AF_UNIX, .sun_path = "/run/x.sock" };
	char buf[HTTP_PEER_NAME_BYTES], small[16];

	expect_peer("IPv4, no head", "192.0.2.1", NULL, "192.0.2.1:40312");
	expect_peer("IPv6, no head", "2001:db8::1", NULL, "[2001:db8::1]:40312");
	expect_peer("loopback, no X-Real-IP", "127.0.0.1", HEAD(""), "127.0.0.1:40312");
	expect_peer("loopback, X-Real-IP IPv4", "127.0.0.1",
	    HEAD("X-Real-IP: 203.0.113.7\r\n"), "127.0.0.1:40312 for 203.0.113.7");
	expect_peer("loopback, X-Real-IP IPv6, written as inet_ntop writes it", "127.0.0.1",
	    HEAD("x-real-ip: 2001:DB8:0:0::7\r\n"), "127.0.0.1:40312 for 2001:db8::7");
	expect_peer("127.0.0.0/8 is loopback", "127.1.2.3",
	    HEAD("X-Real-IP: 203.0.113.7\r\n"), "127.1.2.3:40312 for 203.0.113.7");
	expect_peer("::1 is loopback", "::1",
	    HEAD("X-Real-IP: 203.0.113.7\r\n"), "[::1]:40312 for 203.0.113.7");
	expect_peer("::ffff:127.0.0.1 (a dual-stack socket) is loopback", "::ffff:127.0.0.1",
	    HEAD("X-Real-IP: 203.0.113.7\r\n"), "[::ffff:127.0.0.1]:40312 for 203.0.113.7");
	expect_peer("a peer elsewhere: X-Real-IP ignored", "192.0.2.1",
	    HEAD("X-Real-IP: 203.0.113.7\r\n"), "192.0.2.1:40312");
	expect_peer("an IPv6 peer elsewhere: X-Real-IP ignored", "2001:db8::1",
	    HEAD("X-Real-IP: 203.0.113.7\r\n"), "[2001:db8::1]:40312");
	expect_peer("::ffff:192.0.2.1 is not loopback", "::ffff:192.0.2.1",
	    HEAD("X-Real-IP: 203.0.113.7\r\n"), "[::ffff:192.0.2.1]:40312");
	expect_peer("128.0.0.1 is not loopback", "128.0.0.1",
	    HEAD("X-Real-IP: 203.0.113.7\r\n"), "128.0.0.1:40312");
	expect_peer("two X-Real-IP fields: neither believed", "127.0.0.1",
	    HEAD("X-Real-IP: 203.0.113.7\r\nX-Real-IP: 203.0.113.8\r\n"), "127.0.0.1:40312");
	expect_peer("X-Real-IP a name, not an address: ignored", "127.0.0.1",
	    HEAD("X-Real-IP: evil.example\r\n"), "127.0.0.1:40312");
	expect_peer("X-Real-IP with a port: ignored", "127.0.0.1",
	    HEAD("X-Real-IP: 203.0.113.7:80\r\n"), "127.0.0.1:40312");
	expect_peer("X-Real-IP in brackets: ignored", "127.0.0.1",
	    HEAD("X-Real-IP: [2001:db8::7]\r\n"), "127.0.0.1:40312");
	expect_peer("X-Real-IP a list (X-Forwarded-For's form): ignored", "127.0.0.1",
	    HEAD("X-Real-IP: 203.0.113.7, 198.51.100.1\r\n"), "127.0.0.1:40312");
	expect_peer("X-Real-IP with a log line inside: ignored", "127.0.0.1",
	    HEAD("X-Real-IP: 1.2.3.4 sentry-source: forged\r\n"), "127.0.0.1:40312");
	expect_peer("X-Real-IP with a zone: ignored", "127.0.0.1",
	    HEAD("X-Real-IP: fe80::1%eth0\r\n"), "127.0.0.1:40312");
	expect_peer("X-Real-IP empty: ignored", "127.0.0.1",
	    HEAD("X-Real-IP:\r\n"), "127.0.0.1:40312");
	expect_peer("X-Real-IP shorthand 10.1 (inet_aton's, not inet_pton's): ignored",
	    "127.0.0.1", HEAD("X-Real-IP: 10.1\r\n"), "127.0.0.1:40312");

	http_peer_for((struct sockaddr *)&un, sizeof(un), NULL, buf, sizeof(buf));
	tap_ok(strcmp(buf, "local") == 0, "peer: a unix socket: \"local\" (got \"%s\")", buf);
	{
		/* The longest name there is: a dual-stack loopback peer naming
		 * an IPv6 client with eight full groups (74 bytes). */
		struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(65535) };
		struct http_request *r = calloc(1, sizeof(*r));
		static const char want[] = "[::ffff:127.255.255.255]:65535 for "
		    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";

		inet_pton(AF_INET6, "::ffff:127.255.255.255", &sin6.sin6_addr);
		parse(HEAD("X-Real-IP: FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF\r\n"), r);
		http_peer_for((struct sockaddr *)&sin6, sizeof(sin6), r, buf, sizeof(buf));
		tap_ok(strcmp(buf, want) == 0 && sizeof(want) <= HTTP_PEER_NAME_BYTES,
		    "peer: the longest name fits HTTP_PEER_NAME_BYTES (got \"%s\")", buf);
		http_peer_for((struct sockaddr *)&sin6, sizeof(sin6), r, small, sizeof(small));
		tap_ok(strlen(small) == sizeof(small) - 1 && strncmp(small, want, 15) == 0,
		    "peer: a short buffer is cut, not overrun (got \"%s\")", small);
		free(r);
	}
}

int
main(void)
{
	test_parser();
	test_rfc9112_2_2();
	test_rfc9110_6_2();
	test_rfc9112_3_2_2();
	test_rfc9112_3_2();
	test_header_count();
	test_reader();
	test_deadline();
	test_peer();
	return tap_done();
}
