/*
 * Paths of a work tree reached from a descriptor of its top, never
 * through a link: a contributor's push chooses the links, and a check
 * that followed one would read, list or write the machine's files.
 */
#ifndef SENTRY_NOFOLLOW_H
#define SENTRY_NOFOLLOW_H

#include <stddef.h>

/* The directory dir itself, no link; -1 with errno. */
int	nofollow_open_dir(const char *dir);

/*
 * The directory that holds path (relative, '/'-separated) under the
 * directory top, each component opened with O_NOFOLLOW. -1 with errno:
 * ENOENT when a directory above is missing, ELOOP or ENOTDIR when one is
 * a link or a file; then *stop is the length of the prefix of path that
 * names it (stop may be NULL).
 */
int	nofollow_parent(int top, const char *path, size_t *stop);

/*
 * Every directory of dir (relative, '/'-separated) under top, made where
 * missing (mode 0777 and the umask), none followed if a link; the last
 * one opened. -1 with errno.
 */
int	nofollow_make_dirs(int top, const char *dir);

/* The last component of path. */
const char *nofollow_leaf(const char *path);

#endif
