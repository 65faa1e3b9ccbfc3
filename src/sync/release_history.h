/*
 * PUBLISH=releases' history (NAME.releases/history): what went live and
 * when, one line an event, appended, in the spirit of Capistrano's
 * revisions.log:
 *
 *   2026-12-04T17:45:00Z publish <commit> <release> was <commit>|none
 *   2026-12-04T17:50:00Z rollback <commit> <release> from <release>
 *
 * The order of the lines is the order of the events; the time is for
 * people, never compared, so a clock stepped back changes nothing.
 * Pruning and --rollback follow the lines: a release's place is its
 * last line; a release no line names (made before the history was kept)
 * comes before all that one names, ordered among them by name.
 *
 * A line is added by writing the whole file anew beside it, fsync'd,
 * renamed over it, the directory fsync'd: a kill -9 leaves the old file
 * or the new, never half a line.
 */
#ifndef SENTRY_RELEASE_HISTORY_H
#define SENTRY_RELEASE_HISTORY_H

#include <stddef.h>
#include <time.h>

#include "release_name.h"

#define RELEASE_HISTORY_FILE	"history"
/* Lines kept: the oldest go beyond this; far more than KEEP_RELEASES. */
#define RELEASE_HISTORY_LINES	1024
/* A line's bytes, reason included. */
#define RELEASE_HISTORY_LINE_MAX	256

struct release_event {
	char	event[16];			/* publish, rollback, resume, found */
	char	release[RELEASE_NAME_LEN + 1];
};

/* The events of text, oldest first, at most max; lines that are not
 * events are skipped. The count. */
size_t	release_history_parse(const char *text, struct release_event *e, size_t max);

/* One line, newline ended, into buf: 0, or -1 when it does not fit. */
int	release_history_line(char *buf, size_t len, time_t when, const char *event,
	    const char *release, const char *reason);

/* Sorts names into the history's order, oldest first. */
void	release_history_sort(char (*names)[RELEASE_NAME_LEN + 1], size_t n,
	    const struct release_event *e, size_t ne);

/* Was name left by a rollback (its last line followed by a rollback)? */
int	release_history_rolled_away(const char *name, const struct release_event *e,
	    size_t ne);

/*
 * The release --rollback without a target goes to when live is live:
 * the last one live before it that was not rolled away from, among the
 * n names sorted as above; its index, or -1 when none.
 */
long	release_history_previous(const char (*names)[RELEASE_NAME_LEN + 1], size_t n,
	    const char *live, const struct release_event *e, size_t ne);

/* Which of the n sorted names a publish with KEEP_RELEASES=keep removes:
 * oldest first, never live nor the previous one. The count dropped. */
size_t	release_history_prune(const char (*names)[RELEASE_NAME_LEN + 1], size_t n,
	    unsigned long keep, const char *live, const struct release_event *e, size_t ne,
	    unsigned char *drop);

/* The history in the directory dirfd: malloc'd events (*n of them), or
 * NULL with *n 0 when there is none or it cannot be read (logged). */
struct release_event	*release_history_read(int dirfd, size_t *n);

/* Adds line to the history in dirfd, atomically: 0, or -1 with errno. */
int	release_history_append(int dirfd, const char *line);

#endif
