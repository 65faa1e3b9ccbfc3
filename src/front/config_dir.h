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

/*
 * The NAME a request path picks: 0 with it in name (len at least
 * LIMIT_DEPLOYMENT_NAME + 1); 400 for a path with a percent-escape (an
 * encoded slash or dot never becomes part of a file name); 404 for any
 * other path.
 */
int	config_dir_name(const char *path, char *name, size_t len);

#endif
