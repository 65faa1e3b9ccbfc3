/*
 * Replace a small file whole: a temporary file beside it, renamed over
 * it, so a reader sees the old bytes or the new, never a mix. The
 * temporary is hidden (.NAME.XXXXXX) and made with O_EXCL, so no file
 * another user left there is written to; node_exporter's textfile
 * collector reads *.prom only, so it never sees one.
 */
#ifndef SENTRY_REPLACE_H
#define SENTRY_REPLACE_H

#include <stddef.h>

/* 0, or -1 with errno set and nothing left behind. */
int	replace_file(const char *path, const void *buf, size_t len, unsigned mode);

#endif
