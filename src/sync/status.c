/*
 * The status record: one small file of printable ASCII, written by hand
 * and escaped throughout (the format is in status_record.h), so the
 * helper needs no JSON library and a reader needs no trust in it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <git2.h>

#include "bounds.h"
#include "clock.h"
#include "gitname.h"
#include "log.h"
#include "metrics.h"
#include "publish.h"
#include "replace.h"
#include "status.h"

#define SHORT_OID	12

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

static void
describe(struct status *st)
{
	const char *b = st->branch ? st->branch : "the branch", *err;

	if (st->exit != 0) {
		err = log_last_error();
		if (err != NULL)
			snprintf(st->message, sizeof(st->message), "%s", err);
		else
			snprintf(st->message, sizeof(st->message), "exit status %d", st->exit);
	} else if (strcmp(st->mode, STATUS_MODE_ROLLBACK) == 0)
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

	put(&r, "%s\n", STATUS_MAGIC);
	put(&r, "time=%lld\n", (long long)st->time);
	put(&r, "duration_ms=%ld\n", st->duration_ms);
	put(&r, "mode=%s\n", st->mode);
	put_text(&r, "branch", st->branch);
	put(&r, "pushed=%s\nold=%s\nnew=%s\n", st->pushed, st->old, st->new);
	put(&r, "status=%d\n", st->exit);
	put_text(&r, "message", st->message);
	if ((size_t)snprintf(path, sizeof(path), "%s" STATUS_SUFFIX, clone_path) >= sizeof(path))
		log_warning("%s" STATUS_SUFFIX ": name too long; no status record", clone_path);
	else if (r.full)
		log_warning("%s: the status record does not fit in %u bytes", path,
		    LIMIT_STATUS_BYTES);
	else if (replace_file(path, r.buf, r.len, 0644) == -1)
		log_warning("%s: cannot write the status record: %s", path, strerror(errno));
	/* A rollback is not a sync: the sync counters do not count it. */
	if (metrics != NULL && strcmp(st->mode, STATUS_MODE_ROLLBACK) != 0)
		metrics_write(metrics, clone_path, st);
}
