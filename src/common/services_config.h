/* RUN=, INCLUDE_FILES/EXCLUDE_FILES, ON_FAILURE=, BUILD= and SHARED_*, checked without running anything. */
#ifndef SENTRY_SERVICES_CONFIG_H
#define SENTRY_SERVICES_CONFIG_H

#include <stddef.h>

#include "config.h"

/* 0, or -1 with a message naming the file and line in err. */
int	services_check(const struct config *, char *err, size_t errlen);

#endif
