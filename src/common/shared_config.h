/*
 * SHARED_DIRS= and SHARED_FILES=: the shape of their paths, checked by
 * the front before it answers and by the helper before it syncs, and
 * the one way both read the lists.
 */
#ifndef SENTRY_SHARED_CONFIG_H
#define SENTRY_SHARED_CONFIG_H

#include <stddef.h>

#include "config.h"

/* 0, or -1 with a message naming the file and line in err. */
int	shared_config_check(const struct config *, char *err, size_t errlen);

/* Why a path relative to the tree is refused (.., absolute, .git, an
 * empty or . component, too long), or NULL. */
const char	*shared_config_refused(const char *path);

/* SUBDIR=: PUBLISH=releases, and a path shared_config_refused takes.
 * 0, or -1 with a message naming the file and line in err. */
int	shared_config_subdir_check(const struct config *, char *err, size_t errlen);

/*
 * The next blank-separated path of a list, from *at, into buf; 1, or 0
 * at the end. A path too long for buf is cut, and the check refuses it.
 */
int	shared_config_next(const char **at, char *buf, size_t len);

#endif
