/*
 * --config-dir DIR: many deployments behind one socket. The request path
 * /NAME or /NAME/webhook picks DIR/NAME.conf. NAME is a plain word, so no
 * path made from it can leave DIR.
 */
#ifndef SENTRY_CONFIG_DIR_H
#define SENTRY_CONFIG_DIR_H

#include <stddef.h>

#include "peer_limits.h"

#define CONFIG_DIR_SUFFIX	".conf"

/* --config-dir DIR --status: the deployments listed at most; a DIR
 * with more is an error, not a silently shorter list. */
#define LIMIT_STATUS_DEPLOYMENTS	4096

/*
 * The NAME a request path picks: 0 with it in name (len at least
 * LIMIT_DEPLOYMENT_NAME + 1); 400 for a path with a percent-escape (an
 * encoded slash or dot never becomes part of a file name); 404 for any
 * other path.
 */
int	config_dir_name(const char *path, char *name, size_t len);

/* The request is deployment name's from here on: its log lines, and the
 * helper's (log.h), carry the name. 0, or -1 when it cannot be passed. */
int	config_dir_enter(const char *name);

#endif
