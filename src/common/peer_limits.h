/*
 * Bounds on what a peer can make us read, store or wait for: the HTTP
 * client that sends a request, the pusher whose ref names reach us, the
 * git server a sync talks to. A request that crosses one gets the HTTP
 * status named beside it. Bounds on our own files and children are in
 * bounds.h.
 */
#ifndef SENTRY_PEER_LIMITS_H
#define SENTRY_PEER_LIMITS_H

/* Request line: method, target and version. Webhook paths are short; 414. */
#define LIMIT_REQUEST_LINE	2048

/* Request line plus all header lines, CRLFs included. Hosts send about
 * 1.5 KiB (Forgejo's 22 headers); 16 KiB leaves room for proxies; 431. */
#define LIMIT_HEAD_BYTES	16384

/* --config-dir: the NAME in a request path /NAME[/webhook] that picks
 * DIR/NAME.conf. [A-Za-z0-9_-] only; longer names are a 404. */
#define LIMIT_DEPLOYMENT_NAME	64

/* Number of header fields; Forgejo sends 22; 431. */
#define LIMIT_HEADER_COUNT	64

/* Body: GitHub and GitLab document 25 MB as the largest payload they send.
 * Checked against Content-Length before anything is allocated; 413.
 * The default of MAX_BODY=. */
#define LIMIT_BODY_BYTES	(25u * 1024 * 1024)
/* The most MAX_BODY= may allow; a larger Content-Length is refused while
 * the head is parsed. */
#define LIMIT_BODY_CEILING	(1024ul * 1024 * 1024)

/* JSON values in a body: cJSON spends ~64 bytes on each, so a 25 MiB
 * "[0,0,0,...]" would take 800 MB. Real payloads hold far fewer values
 * than bytes/10; a body with more is refused before it is parsed; 413. */
#define LIMIT_JSON_VALUES	(2u * 1000 * 1000)

/* Whole request, first byte to last: hosts give a webhook about 10 s,
 * so a client slower than that is not a host; 408. REQUEST_TIMEOUT=. */
#define LIMIT_REQUEST_SECONDS	10

/* After an early answer (413, 431...) we read and drop what the client
 * still sends, so that closing does not reset the connection before the
 * answer arrives; bounded so a flood cannot hold the process. */
#define LIMIT_DRAIN_BYTES	(256u * 1024)
#define LIMIT_DRAIN_MSEC	1000

/* Git ref names we pass on: refs/heads/ plus a branch name. */
#define LIMIT_REF_BYTES		256

/* A whole sync, connect to checkout: libgit2 1.5.1 has no network
 * timeout, so a server that accepts and then says nothing would hold the
 * helper forever. Ten minutes clones a few GB over a slow link.
 * SYNC_TIMEOUT=. */
#define LIMIT_SYNC_SECONDS	600

#endif
