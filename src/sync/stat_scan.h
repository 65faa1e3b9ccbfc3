/*
 * The one pass over the work tree a sync makes: every tracked file
 * stat'ed once, from a descriptor of its directory, and compared with
 * the stat data the index keeps, as git's refresh does. Only a file
 * whose data differs, or that was written as late as the index (racily
 * clean), needs libgit2 to read it; the rest are as committed.
 */
#ifndef SENTRY_STAT_SCAN_H
#define SENTRY_STAT_SCAN_H

#include <git2.h>

/* Beyond this many files to look into, libgit2's own pass is cheaper. */
#define STAT_SCAN_MAX	1024

/*
 * The index's paths (of the work tree under dir) whose files may differ
 * from it, in index order, copied into paths (git_strarray_dispose):
 * 0; 1 when more than STAT_SCAN_MAX (paths is then empty); -1 on an
 * error (errno, or git_error_last when errno is 0).
 */
int	stat_scan(git_index *, const char *dir, git_strarray *paths);

#endif
