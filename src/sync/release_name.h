/*
 * PUBLISH=releases' rules on names, pure (releases.c does the files): a
 * release is named TIME-COMMIT, 20261130T180834.123456Z-<40 hex>, the
 * time it was made (UTC, microseconds) and its commit, so that names
 * sort in the order they were made, two publishes in one second
 * included. Which ones a publish prunes is the history's to say
 * (release_history.h), not the names'.
 */
#ifndef SENTRY_RELEASE_NAME_H
#define SENTRY_RELEASE_NAME_H

#include <stddef.h>

#define RELEASE_STAMP_LEN	23
#define RELEASE_NAME_LEN	(RELEASE_STAMP_LEN + 1 + 40)

/* Is s a release's name? */
int	release_name_valid(const char *s);

/* qsort(3)'s order of names: oldest first. */
int	release_name_order(const void *, const void *);

/* Is s a --rollback target as written: a release's name, or 7 to 40
 * lower-case hex digits of a commit? */
int	release_name_target_valid(const char *s);

/*
 * The release of n that target names: the one of that name, or the last
 * (the newest in their order) whose commit starts with target; its
 * index, RELEASE_NAME_UNKNOWN when none, RELEASE_NAME_AMBIGUOUS when the
 * prefix starts two different commits.
 */
#define RELEASE_NAME_UNKNOWN	(-1)
#define RELEASE_NAME_AMBIGUOUS	(-2)
long	release_name_find(const char (*names)[RELEASE_NAME_LEN + 1], size_t n,
	    const char *target);

#endif
