#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "file.h"
#include "log.h"
#include "private_dir.h"
#include "release_history.h"

#define HISTORY_TMP	".history.new"
/* Bytes read: the lines kept, at their longest, and room for one more. */
#define HISTORY_BYTES	((RELEASE_HISTORY_LINES + 1) * RELEASE_HISTORY_LINE_MAX)

/* One line's event, or 0 when the line is not one. */
static int
parse_line(const char *line, size_t len, struct release_event *e)
{
	const char *sp1, *sp2, *sp3, *end = line + len;
	size_t el;

	if ((sp1 = memchr(line, ' ', len)) == NULL ||
	    (sp2 = memchr(sp1 + 1, ' ', (size_t)(end - sp1 - 1))) == NULL ||
	    (sp3 = memchr(sp2 + 1, ' ', (size_t)(end - sp2 - 1))) == NULL)
		return 0;
	el = (size_t)(sp2 - sp1 - 1);
	if (el == 0 || el >= sizeof(e->event) ||
	    (size_t)(end - sp3 - 1) < RELEASE_NAME_LEN ||
	    (sp3 + 1 + RELEASE_NAME_LEN < end && sp3[1 + RELEASE_NAME_LEN] != ' '))
		return 0;
	memcpy(e->event, sp1 + 1, el);
	e->event[el] = '\0';
	memcpy(e->release, sp3 + 1, RELEASE_NAME_LEN);
	e->release[RELEASE_NAME_LEN] = '\0';
	/* The commit stands beside the name for people; the name rules. */
	return release_name_valid(e->release) && (size_t)(sp3 - sp2 - 1) == 40 &&
	    memcmp(sp2 + 1, e->release + RELEASE_STAMP_LEN + 1, 40) == 0;
}

size_t
release_history_parse(const char *text, struct release_event *e, size_t max)
{
	const char *nl;
	size_t n = 0;

	for (; *text != '\0' && n < max; text = nl + 1) {
		if ((nl = strchr(text, '\n')) == NULL)
			break;	/* no newline: not a whole line */
		if (parse_line(text, (size_t)(nl - text), &e[n]))
			n++;
	}
	return n;
}

int
release_history_line(char *buf, size_t len, time_t when, const char *event,
    const char *release, const char *reason)
{
	char stamp[32];
	struct tm tm;
	int n;

	gmtime_r(&when, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (len > RELEASE_HISTORY_LINE_MAX)
		len = RELEASE_HISTORY_LINE_MAX;
	n = snprintf(buf, len, "%s %s %s %s%s%s\n", stamp, event,
	    release + RELEASE_STAMP_LEN + 1, release, reason[0] != '\0' ? " " : "", reason);
	return n < 0 || (size_t)n >= len || strchr(reason, '\n') != NULL ? -1 : 0;
}

/* The index of name's last line, or -1. */
static long
last_line(const char *name, const struct release_event *e, size_t ne)
{
	size_t i;

	for (i = ne; i > 0; i--)
		if (strcmp(e[i - 1].release, name) == 0)
			return (long)(i - 1);
	return -1;
}

void
release_history_sort(char (*names)[RELEASE_NAME_LEN + 1], size_t n,
    const struct release_event *e, size_t ne)
{
	char tmp[RELEASE_NAME_LEN + 1];
	size_t i, j;

	/* Insertion sort by (last line, name): a few hundred at most. */
	for (i = 1; i < n; i++) {
		long li = last_line(names[i], e, ne);

		memcpy(tmp, names[i], sizeof(tmp));
		for (j = i; j > 0; j--) {
			long lj = last_line(names[j - 1], e, ne);

			if (lj < li || (lj == li && strcmp(names[j - 1], tmp) <= 0))
				break;
			memcpy(names[j], names[j - 1], sizeof(tmp));
		}
		memcpy(names[j], tmp, sizeof(tmp));
	}
}

int
release_history_rolled_away(const char *name, const struct release_event *e, size_t ne)
{
	long at = last_line(name, e, ne);

	return at != -1 && (size_t)at + 1 < ne && strcmp(e[at + 1].event, "rollback") == 0;
}

long
release_history_previous(const char (*names)[RELEASE_NAME_LEN + 1], size_t n,
    const char *live, const struct release_event *e, size_t ne)
{
	size_t i, at = n;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], live) == 0)
			at = i;
	/* Sorted: the newest first, back from the live one's place or from
	 * the end when the live one is unknown to the history. */
	for (i = at == n ? n : at; i > 0; i--)
		if (!release_history_rolled_away(names[i - 1], e, ne))
			return (long)(i - 1);
	/* Rolled back to an older one: one live after it may remain. */
	for (i = n; at != n && i > at + 1; i--)
		if (!release_history_rolled_away(names[i - 1], e, ne) &&
		    last_line(names[i - 1], e, ne) != -1)
			return (long)(i - 1);
	return -1;
}

size_t
release_history_prune(const char (*names)[RELEASE_NAME_LEN + 1], size_t n,
    unsigned long keep, const char *live, const struct release_event *e, size_t ne,
    unsigned char *drop)
{
	long prev = release_history_previous(names, n, live, e, ne);
	size_t i, left;

	for (i = 0; i < n; i++)
		drop[i] = 0;
	for (i = 0, left = n; i < n && left > keep; i++) {
		if (strcmp(names[i], live) == 0 || (long)i == prev)
			continue;
		drop[i] = 1;
		left--;
	}
	return n - left;
}

struct release_event *
release_history_read(int dirfd, size_t *n)
{
	struct release_event *e;
	char *text;
	size_t len;

	*n = 0;
	if ((text = file_read_at(dirfd, RELEASE_HISTORY_FILE, O_NOFOLLOW, HISTORY_BYTES,
	    &len)) == NULL) {
		if (errno != ENOENT)
			log_warning("the releases' history: %s; ordered by name",
			    file_strerror(errno));
		return NULL;
	}
	if ((e = calloc(RELEASE_HISTORY_LINES + 1, sizeof(*e))) != NULL)
		*n = release_history_parse(text, e, RELEASE_HISTORY_LINES + 1);
	free(text);
	return e;
}

/* The last RELEASE_HISTORY_LINES - 1 whole lines of old, and line. */
static size_t
kept_tail(const char *old, size_t len, const char **from)
{
	size_t lines = 0, i;

	while (len > 0 && old[len - 1] != '\n')
		len--;	/* half a line, from a hand edit: dropped */
	for (i = len; i > 0; i--)
		if (old[i - 1] == '\n' && ++lines == RELEASE_HISTORY_LINES)
			break;
	*from = old + i;
	return len - i;
}

int
release_history_append(int dirfd, const char *line)
{
	char *old;
	const char *from = "";
	size_t len = 0, keep = 0;
	int fd = -1, saved;

	if ((old = file_read_at(dirfd, RELEASE_HISTORY_FILE, O_NOFOLLOW, HISTORY_BYTES,
	    &len)) == NULL && errno != ENOENT)
		return -1;
	if (old != NULL)
		keep = kept_tail(old, len, &from);
	/* Under the lock: a temporary left by a kill -9 is ours to replace. */
	if ((unlinkat(dirfd, HISTORY_TMP, 0) == -1 && errno != ENOENT) ||
	    (fd = openat(dirfd, HISTORY_TMP, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, PRIVATE_RECORD_MODE)) == -1 ||
	    fchmod(fd, PRIVATE_RECORD_MODE) == -1 ||
	    file_write_all(fd, from, keep) == -1 ||
	    file_write_all(fd, line, strlen(line)) == -1 || fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (renameat(dirfd, HISTORY_TMP, dirfd, RELEASE_HISTORY_FILE) == -1)
		goto fail;
	free(old);
	return fsync(dirfd);
fail:
	saved = errno;
	if (fd != -1)
		close(fd);
	unlinkat(dirfd, HISTORY_TMP, 0);
	free(old);
	errno = saved;
	return -1;
}
