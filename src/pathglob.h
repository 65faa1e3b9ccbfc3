/*
 * Globs over paths relative to the repository root, for INCLUDE_FILES and
 * EXCLUDE_FILES. A glob matches the whole path. * and ? never match '/';
 * ** matches anything, '/' included, and where it makes up a whole
 * directory name (first in the glob, or between two slashes) it may also
 * stand for no directory at all: "**" then "/a.c" takes a.c as well as
 * x/y/a.c. [...] is a set of bytes ([!...] or [^...] its complement, a-z
 * a range) and never matches '/'; \ takes the next character literally.
 * A list is globs separated by blanks; a blank after \ belongs to its glob.
 */
#ifndef SENTRY_PATHGLOB_H
#define SENTRY_PATHGLOB_H

#include <stddef.h>

/* 0 when every glob of the list is well formed; -1 with why in err. */
int	pathglob_check_list(const char *list, char *err, size_t errlen);
/* 1 when the glob (len bytes, not NUL-terminated) matches all of path. */
int	pathglob_match(const char *glob, size_t len, const char *path);
/* 1 when any glob of the list matches path. */
int	pathglob_list_match(const char *list, const char *path);

#endif
