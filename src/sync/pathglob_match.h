/* Matching paths against INCLUDE_FILES/EXCLUDE_FILES (syntax: pathglob.h). */
#ifndef SENTRY_PATHGLOB_MATCH_H
#define SENTRY_PATHGLOB_MATCH_H

#include <stddef.h>

/* 1 when the glob (len bytes, not NUL-terminated) matches all of path. */
int	pathglob_match(const char *glob, size_t len, const char *path);
/* 1 when any glob of the list matches path. */
int	pathglob_list_match(const char *list, const char *path);

#endif
