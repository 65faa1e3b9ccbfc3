/*
 * Reading one request from the connection under a deadline, answering it,
 * and closing so that the answer reaches the client.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "file.h"
#include "http.h"


void
http_conn_start(struct http_conn *c, int fd_in, int fd_out, int seconds)
{
	c->fd_in = fd_in;
	c->fd_out = fd_out;
	c->deadline_ms = clock_ms() + seconds * 1000L;
}

/* Bytes read (> 0), 0 at end of input, -1 on error, -2 past the deadline. */
static ssize_t
read_by(int fd, char *buf, size_t len, long deadline_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	long left;
	ssize_t n;

	for (;;) {
		if ((left = deadline_ms - clock_ms()) <= 0)
			return -2;
		if (poll(&pfd, 1, (int)left) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (pfd.revents == 0)
			continue;	/* timed out: the loop head says so */
		if ((n = read(fd, buf, len)) == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		return n;
	}
}

static int
status_of_read(ssize_t n)
{
	return n == -2 ? 408 : 400;
}

/* A head larger than the buffer: 414 if even its first line did not fit. */
static int
status_of_full_head(const struct http_request *r)
{
	size_t n = r->buffered < LIMIT_REQUEST_LINE ? r->buffered : LIMIT_REQUEST_LINE;

	return memchr(r->head, '\n', n) == NULL ? 414 : 431;
}

/* The byte after the blank line that ends the head, not counting the
 * empty lines before the request line (RFC 9112 2.2); NULL if not yet. */
static char *
find_head_end(char *buf, size_t len)
{
	char *p;

	for (p = buf + http_leading_empty_lines(buf, len);
	    (p = memchr(p, '\n', len - (p - buf))) != NULL; p++) {
		if (p + 1 < buf + len && p[1] == '\n')
			return p + 2;
		if (p + 2 < buf + len && p[1] == '\r' && p[2] == '\n')
			return p + 3;
	}
	return NULL;
}

int
http_read_head(struct http_conn *c, struct http_request *r)
{
	char *end = NULL;
	ssize_t n;

	r->buffered = 0;
	r->body = NULL;
	r->body_len = 0;
	while (end == NULL) {
		if (r->buffered == LIMIT_HEAD_BYTES)
			return status_of_full_head(r);
		n = read_by(c->fd_in, r->head + r->buffered,
		    LIMIT_HEAD_BYTES - r->buffered, c->deadline_ms);
		if (n <= 0)
			return r->buffered == 0 && n == 0 ? -1 : status_of_read(n);
		r->buffered += n;
		end = find_head_end(r->head, r->buffered);
	}
	r->head_len = end - r->head;
	return http_parse_head(r, r->head, r->head_len);
}

/*
 * A client that sent "Expect: 100-continue" (curl does for large bodies)
 * waits for a go-ahead before the body; give it once the head is accepted.
 */
int
http_continue(struct http_conn *c, const struct http_request *r)
{
	static const char go[] = "HTTP/1.1 100 Continue\r\n\r\n";
	const char *expect = http_header(r, "Expect");

	if (r->http10 || expect == NULL || strcasecmp(expect, "100-continue") != 0 ||
	    r->buffered > r->head_len)
		return 0;
	return file_write_all(c->fd_out, go, sizeof(go) - 1) == -1 ? 400 : 0;
}

/* Call only after the head was accepted and Content-Length checked. */
int
http_read_body(struct http_conn *c, struct http_request *r)
{
	size_t have = r->buffered - r->head_len;
	ssize_t n;

	if (have > r->content_length)
		have = r->content_length;	/* a second request: ignored */
	if ((r->body = malloc(r->content_length + 1)) == NULL)
		return 500;
	memcpy(r->body, r->head + r->head_len, have);
	while (have < r->content_length) {
		n = read_by(c->fd_in, r->body + have, r->content_length - have,
		    c->deadline_ms);
		if (n <= 0)
			return status_of_read(n);
		have += n;
	}
	r->body[have] = '\0';
	r->body_len = have;
	return 0;
}

void
http_request_free(struct http_request *r)
{
	free(r->body);
	r->body = NULL;
}

static const char *
http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 431: return "Request Header Fields Too Large";
	case 505: return "HTTP Version Not Supported";
	default: return "Internal Server Error";
	}
}

int
http_respond(struct http_conn *c, int status, const char *json_body)
{
	char head[256];
	int n;

	n = snprintf(head, sizeof(head),
	    "HTTP/1.1 %d %s\r\n"
	    "Content-Type: application/json\r\n"
	    "Content-Length: %zu\r\n"
	    "%s"
	    "Connection: close\r\n"
	    "\r\n",
	    status, http_reason(status), strlen(json_body),
	    status == 405 ? "Allow: POST\r\n" : "");
	if (n < 0 || (size_t)n >= sizeof(head))
		return -1;
	if (file_write_all(c->fd_out, head, n) == -1 ||
	    file_write_all(c->fd_out, json_body, strlen(json_body)) == -1)
		return -1;
	return 0;
}

/*
 * Closing a socket with unread input makes the kernel send a reset, which
 * can destroy the answer before the client reads it: an early answer left
 * a body unread, and a client may send more after it. So say we are done
 * writing and drop what still comes, within bounds, until the client
 * closes too (RFC 9112 9.6).
 */
void
http_close(struct http_conn *c)
{
	char sink[4096];
	size_t drained = 0;
	long deadline;
	ssize_t n;

	if (shutdown(c->fd_out, SHUT_WR) == 0) {
		deadline = clock_ms() + LIMIT_DRAIN_MSEC;
		while (drained < LIMIT_DRAIN_BYTES &&
		    (n = read_by(c->fd_in, sink, sizeof(sink), deadline)) > 0)
			drained += n;
	}
	close(c->fd_in);
	if (c->fd_out != c->fd_in)
		close(c->fd_out);
}

/* 127.0.0.0/8, ::1, and 127.0.0.0/8 as a dual-stack socket sees it
 * (::ffff:127.0.0.1). */
static int
is_loopback(const struct sockaddr *sa, socklen_t salen)
{
	const struct in6_addr *a6;

	if (sa->sa_family == AF_INET && salen >= sizeof(struct sockaddr_in))
		return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) ==
		    IN_LOOPBACKNET;
	if (sa->sa_family != AF_INET6 || salen < sizeof(struct sockaddr_in6))
		return 0;
	a6 = &((const struct sockaddr_in6 *)sa)->sin6_addr;
	return IN6_IS_ADDR_LOOPBACK(a6) ||
	    (IN6_IS_ADDR_V4MAPPED(a6) && a6->s6_addr[12] == IN_LOOPBACKNET);
}

/*
 * The client a proxy on this machine names: one X-Real-IP field, as
 * nginx's proxy_set_header sets it. Two are a client's doing, and name
 * nobody.
 */
static const char *
real_ip(const struct http_request *req)
{
	const char *value = NULL;
	size_t i;

	for (i = 0; req != NULL && i < req->nheaders; i++) {
		if (strcasecmp(req->headers[i].name, "X-Real-IP") != 0)
			continue;
		if (value != NULL)
			return NULL;
		value = req->headers[i].value;
	}
	return value;
}

/* " for ADDR", ADDR as inet_ntop writes the address in req's X-Real-IP;
 * "" when there is none, or it is not exactly one IPv4 or IPv6 address. */
static void
forwarded_for(const struct http_request *req, char *buf, size_t len)
{
	unsigned char a[sizeof(struct in6_addr)];
	char text[INET6_ADDRSTRLEN];
	const char *value = real_ip(req);
	int af;

	buf[0] = '\0';
	if (value == NULL)
		return;
	/* inet_pton(3) takes the whole string: no blank, port, zone or
	 * bracket passes, nor a second address after a comma. */
	if (inet_pton(AF_INET, value, a) == 1)
		af = AF_INET;
	else if (inet_pton(AF_INET6, value, a) == 1)
		af = AF_INET6;
	else
		return;
	if (inet_ntop(af, a, text, sizeof(text)) != NULL)
		snprintf(buf, len, " for %s", text);
}

void
http_peer_for(const struct sockaddr *sa, socklen_t salen,
    const struct http_request *req, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN], client[sizeof(" for ") + INET6_ADDRSTRLEN];
	const void *a;
	unsigned port;

	if (sa->sa_family == AF_INET && salen >= sizeof(struct sockaddr_in)) {
		a = &((const struct sockaddr_in *)sa)->sin_addr;
		port = ntohs(((const struct sockaddr_in *)sa)->sin_port);
	} else if (sa->sa_family == AF_INET6 && salen >= sizeof(struct sockaddr_in6)) {
		a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
		port = ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	} else {
		snprintf(buf, len, "local");
		return;
	}
	if (inet_ntop(sa->sa_family, a, addr, sizeof(addr)) == NULL) {
		snprintf(buf, len, "unknown");
		return;
	}
	forwarded_for(is_loopback(sa, salen) ? req : NULL, client, sizeof(client));
	snprintf(buf, len, sa->sa_family == AF_INET6 ? "[%s]:%u%s" : "%s:%u%s",
	    addr, port, client);
}

void
http_peer_name(int fd, const struct http_request *req, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);

	if (getpeername(fd, (struct sockaddr *)&ss, &sslen) == -1) {
		snprintf(buf, len, "local");
		return;
	}
	http_peer_for((struct sockaddr *)&ss, sslen, req, buf, len);
}
