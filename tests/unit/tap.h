/* TAP lines for the unit tests; tests/run.sh counts them. */
#ifndef SENTRY_TAP_H
#define SENTRY_TAP_H

#include <stddef.h>

int	tap_ok(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int	tap_done(void);
char	*tap_read_file(const char *path, size_t *len);

#endif
