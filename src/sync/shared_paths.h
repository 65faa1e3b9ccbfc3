/*
 * SHARED_DIRS= and SHARED_FILES=: paths kept in NAME.releases/shared/,
 * made there on first use, and linked into every release before BUILD=
 * runs. Their shape is checked in src/common/shared_config.c.
 */
#ifndef SENTRY_SHARED_PATHS_H
#define SENTRY_SHARED_PATHS_H

#include <stddef.h>

#include "config.h"

#define SHARED_PATHS_DIR	"shared"

/*
 * What is in shared/ already, under the releases directory home: EXIT_OK
 * when every shared path is missing or of its kind, EXIT_CONFIG with the
 * reason in why when one is a link (it could lead out of shared/, and
 * the app would write through it) or of the other kind.
 */
int	shared_paths_verify(const struct config *, int home, char *why, size_t len);

/*
 * Each shared path made in shared/ where missing (a directory with the
 * umask, a file empty and 0600), and linked into the release named
 * release under home, by a relative link that replaces what the commit
 * holds there. EXIT_OK, EXIT_CONFIG (logged, nothing linked),
 * EXIT_TREE_REFUSED when the commit holds a link or a file above a
 * shared path, or EXIT_SYNC_FAILED, logged.
 */
int	shared_paths_link(const struct config *, int home, const char *home_path,
	    const char *release);

#endif
