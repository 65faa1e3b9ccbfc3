/*
 * The metrics file, written by hand: a fixed set of series whose only
 * variable parts are numbers and three label values, escaped as the
 * format asks. Read back, strictly, for the counters and the last
 * success: the helper keeps nothing else between syncs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "exitcode.h"
#include "file.h"
#include "gitname.h"
#include "log.h"
#include "metrics.h"
#include "replace.h"
#include "utf8.h"

/* A counter beyond this is not ours (it would take centuries of syncs);
 * 2^53 is where a Prometheus float stops counting by ones. */
#define COUNT_MAX	9007199254740992ull

/* syncs_total's result label, one per exit status a sync can end with. */
static const struct {
	int		 status;
	const char	*name;
} results[] = {
	{ EXIT_OK, "success" },
	{ EXIT_SYNC_FAILED, "sync_failed" },
	{ EXIT_HOSTKEY, "host_key" },
	{ EXIT_AUTH, "auth" },
	{ EXIT_NOT_OURS, "not_ours" },
	{ EXIT_RUN_FAILED, "run_failed" },
	{ EXIT_BUILD_FAILED, "build_failed" },
	{ EXIT_TREE_REFUSED, "refused_tree" },
	{ EXIT_USAGE, "usage" },
	{ EXIT_INTERNAL, "internal" },
	{ EXIT_CONFIG, "config" },
};
#define NRESULTS	(sizeof(results) / sizeof(results[0]))

/* Text being written into a caller's buffer; a part that does not fit
 * marks it full, and a full text is not used. */
struct text {
	char	*buf;
	size_t	 size;
	size_t	 len;
	int	 full;
};

/* A series' line up to its value: the name and a label of CLONE_PATH,
 * which a config line bounds, and a result. */
#define SERIES_MAX	(LIMIT_CONFIG_LINE + 200)

static void __attribute__((format(printf, 2, 3)))
put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->len, t->size - t->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= t->size - t->len)
		t->full = 1;
	else
		t->len += (size_t)n;
}

/* A label value: backslash, quote and newline escaped as the format says;
 * a byte that is not UTF-8 becomes '?', since label values must be. */
static void
put_label(struct text *t, const char *v)
{
	const unsigned char *p = (const unsigned char *)v;
	size_t n = strlen(v), k;

	while (n > 0) {
		if (*p == '\\' || *p == '"')
			put(t, "\\%c", *p);
		else if (*p == '\n')
			put(t, "\\n");
		else if ((k = utf8_len(p, n)) == 0)
			put(t, "?");
		else {
			put(t, "%.*s", (int)k, (const char *)p);
			p += k;
			n -= k;
			continue;
		}
		p++;
		n--;
	}
}

/* What the previous file says: counts by result, and the last success. */
struct previous {
	unsigned long long	count[NRESULTS];
	unsigned long long	last_success;
};

/* The decimal number that ends the line at p; -1 for anything else. */
static int
number_to_eol(const char *p, unsigned long long *v)
{
	char *end;

	if (*p < '0' || *p > '9')
		return -1;
	errno = 0;
	*v = strtoull(p, &end, 10);
	if (errno != 0 || *v > COUNT_MAX || (*end != '\n' && *end != '\0'))
		return -1;
	return 0;
}

/* One sample of a series labelled with the checkout (and a result). */
static void
sample(struct text *t, const char *name, const char *checkout, const char *result)
{
	put(t, "%s{checkout=\"", name);
	put_label(t, checkout);
	put(t, "\"");
	if (result != NULL)
		put(t, ",result=\"%s\"", result);
	put(t, "} ");
}

/* The prefix of a series' line, up to its value, as sample() writes it. */
static int
series(char buf[SERIES_MAX], const char *name, const char *checkout, const char *result)
{
	struct text t = { .buf = buf, .size = SERIES_MAX };

	sample(&t, name, checkout, result);
	return t.full ? -1 : 0;
}

/* The line starts with prefix, and a number ends it: 1, with *v set. */
static int
value_of(const char *line, const char *prefix, unsigned long long *v)
{
	size_t n = strlen(prefix);

	return prefix[0] != '\0' && strncmp(line, prefix, n) == 0 &&
	    number_to_eol(line + n, v) == 0;
}

static void
read_previous(const char *path, const char *checkout, struct previous *prev)
{
	char *text, *line, *next, counts[NRESULTS][SERIES_MAX], success[SERIES_MAX];
	unsigned long long v;
	size_t len, i;

	memset(prev, 0, sizeof(*prev));
	/* What we would have written; an empty prefix matches nothing. */
	for (i = 0; i < NRESULTS; i++)
		if (series(counts[i], "sentry_source_syncs_total", checkout,
		    results[i].name) == -1)
			counts[i][0] = '\0';
	if (series(success, "sentry_source_last_success_timestamp_seconds", checkout,
	    NULL) == -1)
		success[0] = '\0';
	/* Under the lock: a FIFO put here by whoever can write the directory
	 * must not hold the sync (file_read_at). The file is replaced by
	 * rename, never written through a link, so none is read through. */
	if ((text = file_read_at(AT_FDCWD, path, O_NOFOLLOW, LIMIT_METRICS_BYTES,
	    &len)) == NULL) {
		if (errno != ENOENT)
			log_warning("METRICS_FILE %s: %s; the counters start again from 0",
			    path, file_strerror(errno));
		return;
	}
	for (line = text; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			next++;
		for (i = 0; i < NRESULTS; i++)
			if (value_of(line, counts[i], &v))
				prev->count[i] = v;
		if (value_of(line, success, &v))
			prev->last_success = v;
	}
	free(text);
}

static void
metric(struct text *t, const char *name, const char *type, const char *help)
{
	put(t, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void
metrics_write(const char *path, const char *clone_path, const struct status *live,
    const struct status *last)
{
	static char buf[LIMIT_METRICS_BYTES];
	const struct status *st = last != NULL ? last : live;
	struct previous prev;
	struct text t = { .buf = buf, .size = sizeof(buf) };
	size_t i;
	int ok = st->exit == EXIT_OK;

	read_previous(path, clone_path, &prev);
	for (i = 0; last == NULL && i < NRESULTS; i++)
		if (results[i].status == st->exit && prev.count[i] < COUNT_MAX)
			prev.count[i]++;
	if (ok && last == NULL)
		prev.last_success = (unsigned long long)st->time;

	metric(&t, "sentry_source_last_sync_timestamp_seconds", "gauge",
	    "When the last sync ended, in seconds since the epoch.");
	sample(&t, "sentry_source_last_sync_timestamp_seconds", clone_path, NULL);
	put(&t, "%lld\n", (long long)st->time);
	metric(&t, "sentry_source_last_sync_success", "gauge",
	    "1 when the last sync succeeded, 0 when it failed.");
	sample(&t, "sentry_source_last_sync_success", clone_path, NULL);
	put(&t, "%d\n", ok);
	metric(&t, "sentry_source_last_sync_exit_status", "gauge",
	    "The exit status of the last sync, as sentry-source(8) lists them.");
	sample(&t, "sentry_source_last_sync_exit_status", clone_path, NULL);
	put(&t, "%d\n", st->exit);
	metric(&t, "sentry_source_last_success_timestamp_seconds", "gauge",
	    "When a sync last succeeded, in seconds since the epoch; 0 if none has.");
	sample(&t, "sentry_source_last_success_timestamp_seconds", clone_path, NULL);
	put(&t, "%llu\n", prev.last_success);
	metric(&t, "sentry_source_sync_duration_seconds", "gauge",
	    "How long the last sync took, RUN included.");
	sample(&t, "sentry_source_sync_duration_seconds", clone_path, NULL);
	put(&t, "%ld.%03ld\n", st->duration_ms / 1000, st->duration_ms % 1000);
	metric(&t, "sentry_source_syncs_total", "counter",
	    "Syncs by result (an exit status of sentry-source(8)).");
	for (i = 0; i < NRESULTS; i++) {
		sample(&t, "sentry_source_syncs_total", clone_path, results[i].name);
		put(&t, "%llu\n", prev.count[i]);
	}
	metric(&t, "sentry_source_pinned", "gauge",
	    "1 when a rollback pins the live release (PUBLISH=releases), 0 otherwise.");
	sample(&t, "sentry_source_pinned", clone_path, NULL);
	put(&t, "%d\n", live->pinned);
	metric(&t, "sentry_source_live_commit_info", "gauge",
	    "The commit checked out in CLONE_PATH, and its branch; none before a first clone.");
	if (live->new[0] != '\0') {
		put(&t, "sentry_source_live_commit_info{checkout=\"");
		put_label(&t, clone_path);
		put(&t, "\",branch=\"");
		put_label(&t, live->head_branch);
		/* TAG=: the checkout's branch is named like the tag deployed. */
		if (st->ref != NULL && gitname_tag(st->ref) != NULL) {
			put(&t, "\",tag=\"");
			put_label(&t, live->head_branch);
		}
		put(&t, "\",commit=\"%s\"} 1\n", live->new);
	}
	if (t.full)
		log_warning("METRICS_FILE %s: more than %zu bytes; not written", path,
		    sizeof(buf));
	else if (replace_file(path, t.buf, t.len, 0644) == -1)
		log_warning("METRICS_FILE %s: cannot write it: %s", path, strerror(errno));
}
