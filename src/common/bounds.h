/*
 * Internal bounds: how much of our own files we read, how many packs a
 * checkout keeps, how long and how loudly a RUN= command may go on.
 * Bounds on what a peer sends are in peer_limits.h.
 */
#ifndef SENTRY_BOUNDS_H
#define SENTRY_BOUNDS_H

/* Config file: one line, and the whole file. */
#define LIMIT_CONFIG_LINE	4096
#define LIMIT_CONFIG_BYTES	65536

/* A ref name we build from a configured branch: "refs/remotes/origin/"
 * plus LIMIT_REF_BYTES, with room to spare. */
#define LIMIT_REFNAME_BYTES	300

/* A one-line reason we format for the log ("glob ... has a [ that no ]
 * closes"): a quoted part is cut to 200 bytes. */
#define LIMIT_REASON_BYTES	300

/* Descriptors remove_tree (src/sync/remove_tree.c) holds at once, one
 * per directory level nearest the one it empties; it has no depth limit,
 * and opens a level closed for this again from the top. The soft limit
 * of descriptors is usually 1024, and the helper holds a few more. */
#define LIMIT_REMOVE_FDS	128

/* Credential attempts: libgit2 asks again after every refusal, forever. */
#define LIMIT_AUTH_ATTEMPTS	1

/* Files read whole: private key, passphrase, known_hosts, the webhook
 * secret (hosts allow a few hundred bytes). */
#define LIMIT_SECRET_BYTES	4096
#define LIMIT_KEY_FILE_BYTES	65536
#define LIMIT_KNOWN_HOSTS_BYTES	(1024u * 1024)

/* --- RUN= (src/sync/run.c, src/sync/services.c) ------------------------ */

/* The RUN= command after a sync. RUN_TIMEOUT=. */
#define LIMIT_RUN_SECONDS	600

/* One line of RUN='s output in the log: the log formats into 1 KiB, so a
 * longer line (or megabytes without a newline) is logged in pieces of
 * this many bytes; nothing the command prints is held longer than that. */
#define LIMIT_RUN_LINE		960

/* What one run may put in the log, in bytes and in lines (a flood of
 * empty lines costs the journal more than its bytes); the rest is read
 * and dropped, so the command never blocks on a full pipe, and the log
 * says where it stopped. */
#define LIMIT_RUN_LOG_BYTES	(1024u * 1024)
#define LIMIT_RUN_LOG_LINES	10000u

/* SIGTERM to RUN='s process group, then SIGKILL this many seconds later:
 * on RUN_TIMEOUT, or for processes it left behind when it exited. */
#define LIMIT_RUN_KILL_GRACE	5

/* --- PUBLISH=releases (src/sync/releases.c) -------------------------- */

/* KEEP_RELEASES= by default: as many as Capistrano keeps. Each release is
 * a full copy of the tree, so the bound is the disk's, not ours; the
 * ceiling keeps a typo from keeping every release ever made. The listing
 * reads at most LIMIT_RELEASES_LISTED names; more than that (made by
 * hand) are left alone and said. */
#define LIMIT_KEEP_RELEASES	5
#define LIMIT_KEEP_RELEASES_MAX	100
#define LIMIT_KEEP_RELEASES_MAX_TEXT "100"
#define LIMIT_RELEASES_LISTED	256

/* --- What a sync leaves to be asked about (status.c, metrics.c, ...) --- */

/* The status record (status_record.h): two text fields of at most 1 KiB,
 * four bytes each when escaped, and the rest. */
#define LIMIT_STATUS_BYTES	(9u * 1024)

/* The METRICS_FILE read back for its counters: ours is under 4 KiB. */
#define LIMIT_METRICS_BYTES	(64u * 1024)

/* ON_FAILURE=: how long the command may take; then it is stopped as
 * RUN= is at RUN_TIMEOUT. */
#define LIMIT_NOTIFY_SECONDS	60

#endif
