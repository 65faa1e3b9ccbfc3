/*
 * --check, the helper's half: everything a sync needs, tried without
 * syncing, each finding on stdout with how to fix it.
 */
#ifndef SENTRY_CHECK_H
#define SENTRY_CHECK_H

#include "config.h"

/* EXIT_OK when a sync could run; else the exit status a sync would get;
 * EXIT_UNCHECKED when all that could be checked passed, but a credential
 * was named and $CREDENTIALS_DIRECTORY unset.
 * rule: the branch or glob the front follows (BRANCH, or the source's). */
int	check_deployment_sync(const struct config *, const char *rule);

#endif
