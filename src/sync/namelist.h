/*
 * The paths a refusal names: the first few in full, the rest counted
 * ("a.c, b.c and 3 more"), so that a message stays one line however
 * many a push holds. Filled by the work tree's checks and the link check.
 */
#ifndef SENTRY_NAMELIST_H
#define SENTRY_NAMELIST_H

#include <limits.h>
#include <stddef.h>

#define NAMELIST_MAX	5	/* paths named in a refusal; the rest counted */

struct namelist {
	char	text[512];	/* "a.c, b.c and 3 more" */
	size_t	count;
	char	last[PATH_MAX];	/* the name added last, counted once if added again */
};
#define NAMELIST_INIT	{ "", 0, "" }

void	namelist_add(struct namelist *, const char *path);
/* After the last add: the count of those not named. */
void	namelist_finish(struct namelist *);

#endif
