/*
 * The files a sync brought, for RUN=: the paths that name a file in the
 * new commit and differ from the old one (every file of the new commit
 * after a first clone), relative to the work tree (to SUBDIR in it,
 * the release's top, with SUBDIR=), that match an
 * INCLUDE_FILES glob (any path when unset) and no EXCLUDE_FILES glob.
 * A deleted file is not listed, so every listed path exists; a rename
 * lists only the new path. Never a path inside .git, never a submodule.
 */
#ifndef SENTRY_CHANGES_H
#define SENTRY_CHANGES_H

#include <stddef.h>

#include "config.h"
#include "publish.h"

/* Write them, one per line, to a new file at path (mode 0600); *count
 * says how many. 0, or -1 logged. */
int	changes_write(const struct config *, const struct sync_outcome *, const char *path,
	    size_t *count);

#endif
