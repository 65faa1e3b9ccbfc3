/*
 * --check, the helper's half: everything a sync needs, tried without
 * syncing, each finding on stdout with how to fix it.
 */
#ifndef SENTRY_CHECK_H
#define SENTRY_CHECK_H

#include "config.h"

/* EXIT_OK when a sync could run; else the exit status a sync would get. */
int	check_deployment_sync(const struct config *);

#endif
