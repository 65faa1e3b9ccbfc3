/*
 * The status record: what the last sync of a checkout did, kept in
 * <CLONE_PATH>.status. sentry-source-sync replaces it after every sync
 * (under the checkout's lock, by rename); sentry-source --status reads it.
 *
 * The helper has no JSON library and must not need one, so the record is
 * lines of printable ASCII that it can write by hand, in this order,
 * each exactly once:
 *
 *	sentry-source-status 3
 *	time=<seconds since the epoch, when the sync ended>
 *	duration_ms=<milliseconds the sync took>
 *	mode=socket|hook|sync
 *	branch=<text>	(empty with TAG=: ref names the tag)
 *	pushed=<40 hex digits, or empty>
 *	old=<40 hex digits, or empty>
 *	new=<40 hex digits, or empty>
 *	status=<exit status, 0 to 255>
 *	message=<text>
 *	pinned=0|1	(1: a rollback pins the live release; PUBLISH=releases)
 *	remote=<40 hex digits, or empty: the remote's tip, when pinned and known>
 *	ref=<text: refs/heads/BRANCH or refs/tags/TAG, or empty when not known>
 *
 * Version 1, written before a rollback could pin, ends at message=; a
 * reader takes it as not pinned. Version 2, before TAG=, ends at remote=.
 * <text> is escaped: a byte outside 0x20-0x7e, and the backslash, are
 * written \xNN (two lowercase hex digits); nothing else is. A reader
 * takes nothing else: no other key, order, escape or byte.
 */
#ifndef SENTRY_STATUS_RECORD_H
#define SENTRY_STATUS_RECORD_H

#define STATUS_SUFFIX		".status"
#define STATUS_MAGIC		"sentry-source-status 3"
#define STATUS_MAGIC_V2		"sentry-source-status 2"
#define STATUS_MAGIC_V1		"sentry-source-status 1"
#define STATUS_OID_LEN		40

/* A text field, decoded: a log line's 1 KiB. Escaped, each byte may take
 * four; the whole record stays under LIMIT_STATUS_BYTES (bounds.h). */
#define STATUS_TEXT_MAX		1024

/* What started the sync: the front's modes; or --rollback, which moves
 * what is live too (PUBLISH=releases). */
#define STATUS_MODE_SOCKET	"socket"
#define STATUS_MODE_HOOK	"hook"
#define STATUS_MODE_SYNC	"sync"
#define STATUS_MODE_ROLLBACK	"rollback"

#endif
