/*
 * The status record: one small file of printable ASCII, written by hand
 * and escaped throughout (the format is in status_record.h), so the
 * helper needs no JSON library and a reader needs no trust in it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <git2.h>

#include "bounds.h"
#include "clock.h"
#include "exitcode.h"
#include "file.h"
#include "gitname.h"
#include "log.h"
#include "metrics.h"
#include "publish.h"
#include "private_dir.h"
#include "replace.h"
#include "status.h"

#define SHORT_OID	12
/* What a rollback's message says of the last sync that failed. */
#define LAST_SYNC	"; the last sync: "

const char *
status_mode(const char *name)
{
	static const char *const modes[] = {
		STATUS_MODE_SOCKET, STATUS_MODE_HOOK, STATUS_MODE_SYNC
	};
	size_t i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (strcmp(name, modes[i]) == 0)
			return modes[i];
	return NULL;
}

void
status_head(const char *path, char oid[STATUS_OID_LEN + 1], char *branch, size_t len)
{
	git_repository *repo = NULL;
	git_reference *head = NULL;
	git_oid id;
	const char *target;

	oid[0] = '\0';
	if (branch != NULL)
		branch[0] = '\0';
	if (git_repository_open_ext(&repo, path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0)
		return;
	if (git_reference_name_to_id(&id, repo, "HEAD") == 0)
		git_oid_tostr(oid, STATUS_OID_LEN + 1, &id);
	if (branch != NULL && git_reference_lookup(&head, repo, "HEAD") == 0 &&
	    git_reference_type(head) == GIT_REFERENCE_SYMBOLIC &&
	    (target = gitname_branch(git_reference_symbolic_target(head))) != NULL)
		snprintf(branch, len, "%s", target);
	git_reference_free(head);
	git_repository_free(repo);
}

/* The record being written; a field that does not fit fails it whole. */
struct record {
	char	buf[LIMIT_STATUS_BYTES];
	size_t	len;
	int	full;
};

static void __attribute__((format(printf, 2, 3)))
put(struct record *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(r->buf + r->len, sizeof(r->buf) - r->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(r->buf) - r->len)
		r->full = 1;
	else
		r->len += (size_t)n;
}

/* key=text, escaped: nothing but printable ASCII reaches the file. */
static void
put_text(struct record *r, const char *key, const char *text)
{
	const unsigned char *p;

	put(r, "%s=", key);
	for (p = (const unsigned char *)(text ? text : ""); *p != '\0'; p++)
		if (*p < 0x20 || *p > 0x7e || *p == '\\')
			put(r, "\\x%02x", *p);
		else
			put(r, "%c", *p);
	put(r, "\n");
}

/* A text field's value decoded in place: \xNN back to its byte. */
static void
unescape(char *s)
{
	char *w = s;
	unsigned v;

	for (; *s != '\0'; s++) {
		if (s[0] == '\\' && s[1] == 'x' && sscanf(s + 2, "%2x", &v) == 1 &&
		    s[2] != '\0' && s[3] != '\0') {
			*w++ = (char)v;
			s += 3;
		} else
			*w++ = *s;
	}
	*w = '\0';
}

/*
 * The last sync's outcome from the record being replaced, for a
 * rollback, which is not a sync and must not hide one that failed:
 * its time, duration, status and message into last. 0, or -1 when there
 * is no record or it is not one (then a rollback reports success).
 */
static int
last_sync(const char *path, struct status *last)
{
	char *text, *line, *nl;
	long long t;
	size_t len;
	int rc = -1;

	if ((text = file_read_at(AT_FDCWD, path, O_NOFOLLOW, LIMIT_STATUS_BYTES, &len)) ==
	    NULL)
		return -1;
	if (strncmp(text, STATUS_MAGIC "\n", sizeof(STATUS_MAGIC)) != 0 &&
	    strncmp(text, STATUS_MAGIC_V2 "\n", sizeof(STATUS_MAGIC_V2)) != 0 &&
	    strncmp(text, STATUS_MAGIC_V1 "\n", sizeof(STATUS_MAGIC_V1)) != 0)
		goto out;
	for (line = text; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
		*nl = '\0';
		if (sscanf(line, "time=%lld", &t) == 1)
			last->time = (time_t)t;
		else if (sscanf(line, "duration_ms=%ld", &last->duration_ms) == 1)
			;
		else if (sscanf(line, "status=%d", &last->exit) == 1)
			rc = 0;
		else if (strncmp(line, "message=", 8) == 0) {
			snprintf(last->message, sizeof(last->message), "%s", line + 8);
			unescape(last->message);
		}
	}
out:
	free(text);
	return rc;
}

/* A rollback keeps the last sync's status; its message says both. */
static void
describe_rollback(struct status *st, const struct status *last)
{
	const char *m = strstr(last->message, LAST_SYNC);

	size_t n;

	st->exit = last->exit;
	n = (size_t)snprintf(st->message, sizeof(st->message), "rolled back from %.*s to %.*s",
	    SHORT_OID, st->old, SHORT_OID, st->new);
	/* Cut short if it must be: the record holds a line of the log's. */
	if (last->exit != 0 && n < sizeof(st->message))
		snprintf(st->message + n, sizeof(st->message) - n, LAST_SYNC "%.*s",
		    (int)(sizeof(st->message) - n - 1),
		    m != NULL ? m + strlen(LAST_SYNC) : last->message);
}

static void
describe(struct status *st)
{
	const char *b = st->branch ? st->branch : "the branch", *err;
	char tag[LIMIT_REF_BYTES + 8];

	if (st->ref != NULL && gitname_tag(st->ref) != NULL) {
		snprintf(tag, sizeof(tag), "tag %s", gitname_tag(st->ref));
		b = tag;
	}

	if (st->exit != 0) {
		err = log_last_error();
		if (err != NULL)
			snprintf(st->message, sizeof(st->message), "%s", err);
		else
			snprintf(st->message, sizeof(st->message), "exit status %d", st->exit);
	} else if (st->pinned && st->remote[0] != '\0')
		snprintf(st->message, sizeof(st->message), "pinned at %.*s by a rollback; the "
		    "remote is at %.*s; sentry-source --resume publishes it", SHORT_OID, st->new,
		    SHORT_OID, st->remote);
	else if (strcmp(st->mode, STATUS_MODE_ROLLBACK) == 0)
		snprintf(st->message, sizeof(st->message), "rolled back from %.*s to %.*s",
		    SHORT_OID, st->old, SHORT_OID, st->new);
	else if (st->old[0] == '\0')
		snprintf(st->message, sizeof(st->message), "cloned %s at %.*s", b,
		    SHORT_OID, st->new);
	else if (strcmp(st->old, st->new) == 0)
		snprintf(st->message, sizeof(st->message), "%s already at %.*s", b,
		    SHORT_OID, st->new);
	else
		snprintf(st->message, sizeof(st->message), "%s moved from %.*s to %.*s", b,
		    SHORT_OID, st->old, SHORT_OID, st->new);
}

void
status_report(const struct config *c, struct status *st, int rc, int locked)
{
	const char *clone_path = config_get(c, CONFIG_CLONE_PATH);
	const char *metrics = config_get(c, CONFIG_METRICS_FILE);
	int rollback = strcmp(st->mode, STATUS_MODE_ROLLBACK) == 0;
	static struct status last;
	struct record r = { .len = 0 };
	char path[4096];

	st->time = time(NULL);
	st->duration_ms = clock_ms() - st->started_ms;
	st->exit = rc;
	publish_for(c)->live(c, st->new, st->head_branch, sizeof(st->head_branch));
	/* A failure before the lock: nothing moved. */
	if (!st->have_old)
		memcpy(st->old, st->new, sizeof(st->old));
	describe(st);
	if (!locked)
		return;
	if ((size_t)snprintf(path, sizeof(path), "%s" STATUS_SUFFIX, clone_path) >= sizeof(path))
		path[0] = '\0';
	/* The last sync's outcome stays what the record and metrics say. */
	memset(&last, 0, sizeof(last));
	last.time = st->time;
	if (rollback && rc == EXIT_OK && path[0] != '\0' && last_sync(path, &last) == 0)
		describe_rollback(st, &last);

	put(&r, "%s\n", STATUS_MAGIC);
	put(&r, "time=%lld\n", (long long)st->time);
	put(&r, "duration_ms=%ld\n", st->duration_ms);
	put(&r, "mode=%s\n", st->mode);
	put_text(&r, "branch", st->branch);
	put(&r, "pushed=%s\nold=%s\nnew=%s\n", st->pushed, st->old, st->new);
	put(&r, "status=%d\n", st->exit);
	put_text(&r, "message", st->message);
	put(&r, "pinned=%d\nremote=%s\n", st->pinned ? 1 : 0, st->pinned ? st->remote : "");
	put_text(&r, "ref", st->ref);
	if (path[0] == '\0')
		log_warning("%s" STATUS_SUFFIX ": name too long; no status record", clone_path);
	else if (r.full)
		log_warning("%s: the status record does not fit in %u bytes", path,
		    LIMIT_STATUS_BYTES);
	else if (replace_file(path, r.buf, r.len, PRIVATE_RECORD_MODE) == -1)
		log_warning("%s: cannot write the status record: %s", path, strerror(errno));
	/* A rollback is not a sync: it moves the live commit, and leaves the
	 * counters and the last sync's gauges as the last sync left them. */
	if (metrics != NULL)
		metrics_write(metrics, clone_path, st, rollback ? &last : NULL);
}
