/*
 * One HTTP/1.1 request per process: read it under the limits in peer_limits.h,
 * answer it, close. Functions that judge a request return the HTTP status
 * to answer with, or 0 when the request may go on.
 */
#ifndef SENTRY_HTTP_H
#define SENTRY_HTTP_H

#include <sys/socket.h>

#include <stddef.h>

#include "peer_limits.h"

struct http_header {
	const char	*name;
	const char	*value;
};

struct http_request {
	char			 head[LIMIT_HEAD_BYTES + 1];	/* parsed in place */
	size_t			 head_len;	/* bytes up to the blank line */
	size_t			 buffered;	/* bytes read into head[] */
	const char		*method;
	const char		*path;		/* target's path, without its query */
	const char		*host;		/* target's authority, or Host's value */
	int			 http10;	/* HTTP/1.0: no Host needed, no 100 */
	struct http_header	 headers[LIMIT_HEADER_COUNT];
	size_t			 nheaders;
	int			 has_length;
	size_t			 content_length;
	char			*body;		/* owned; NUL-terminated */
	size_t			 body_len;
};

/* Pure parsing, over the head only (request line and header lines). */
int		 http_parse_head(struct http_request *, char *buf, size_t len);
size_t		 http_leading_empty_lines(const char *buf, size_t len);
const char	*http_header(const struct http_request *, const char *name);
int		 http_media_type_is(const char *content_type, const char *type);

/* I/O on the connection, under one deadline for the whole request. */
struct http_conn {
	int	fd_in;
	int	fd_out;
	long	deadline_ms;	/* CLOCK_MONOTONIC, milliseconds */
};

void	 http_conn_start(struct http_conn *, int fd_in, int fd_out, int seconds);
int	 http_read_head(struct http_conn *, struct http_request *);
int	 http_continue(struct http_conn *, const struct http_request *);
int	 http_read_body(struct http_conn *, struct http_request *);
int	 http_respond(struct http_conn *, int status, const char *json_body);
void	 http_close(struct http_conn *);
void	 http_request_free(struct http_request *);

/*
 * The peer as log lines name it: "ADDR:PORT", "[ADDR]:PORT" for IPv6,
 * "local" for what is not an IP socket. When the peer is on loopback (a
 * proxy on this machine) and req (NULL: no accepted head) has one
 * X-Real-IP field holding one IPv4 or IPv6 address, " for ADDR" follows,
 * written by inet_ntop(3), never the field's bytes: a peer elsewhere
 * cannot choose the address the log blames. The longest name,
 * "[::ffff:127.255.255.255]:65535 for " and eight full groups, is 74
 * bytes; the peer's name in every log line of a connection.
 */
#define HTTP_PEER_NAME_BYTES	128

void	 http_peer_for(const struct sockaddr *, socklen_t,
	    const struct http_request *, char *buf, size_t len);
void	 http_peer_name(int fd, const struct http_request *, char *buf, size_t len);

#endif
